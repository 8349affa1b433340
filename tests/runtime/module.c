/*
 * tests/runtime/module.c — runtime/module.c: modules from linked-in
 * descriptors, the defensive checks on inconsistent descriptors (each
 * rejected with WELF_ERR_OBJECT), import descriptions, and loading the
 * fixtures from disk through the loader.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "support.h"

static welf_engine *engine;

static void setup(void)
{
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
}

static void teardown(void)
{
    welf_engine_free(engine);
}

TestSuite(rt_module, .init = setup, .fini = teardown);

Test(rt_module, from_desc)
{
    welf_module *m = NULL;
    welf_error err;
    cr_assert_eq(welf_module_from_desc(engine, &welf_module_rt_basic, NULL,
                                       &m, &err), WELF_OK, "%s", err.message);
    cr_assert_not_null(m);
    cr_assert_eq(welf_module_import_count(m), 0);
    cr_assert_eq(welf_module_from_desc(engine, NULL, NULL, &m, &err),
                 WELF_ERR_USAGE);
    cr_assert_null(m);
}

Test(rt_module, bad_magic_version_target)
{
    welf_desc_module d = welf_module_rt_basic;
    welf_module *m;
    welf_error err;
    d.magic = 0x12345678;
    cr_assert_eq(welf_module_from_desc(engine, &d, NULL, &m, &err),
                 WELF_ERR_OBJECT);
    d = welf_module_rt_basic;
    d.version = WELF_ABI_VERSION + 1;
    cr_assert_eq(welf_module_from_desc(engine, &d, NULL, &m, &err),
                 WELF_ERR_OBJECT);
    d = welf_module_rt_basic;
    d.target = "aarch64-linux";
    cr_assert_eq(welf_module_from_desc(engine, &d, NULL, &m, &err),
                 WELF_ERR_OBJECT);
}

/* Each mutation of a good descriptor must be rejected. */
static void expect_bad(const welf_desc_module *d, const char *what)
{
    welf_module *m = (welf_module *)1;
    welf_error err;
    welf_status st = welf_module_from_desc(engine, d, NULL, &m, &err);
    cr_assert_eq(st, WELF_ERR_OBJECT, "%s: status %d", what, st);
    cr_assert_null(m);
    cr_assert(strstr(err.message, "descriptor"), "%s: %s", what,
              err.message);
}

Test(rt_module, inconsistent_counts_and_indices)
{
    const welf_desc_module *good = &welf_module_rt_basic;
    welf_desc_module d;

    d = *good;
    d.types = NULL;
    expect_bad(&d, "types array missing");

    d = *good;
    d.import_count = 1;
    expect_bad(&d, "import counts");

    d = *good;
    d.start_func = (int32_t)good->func_count;
    expect_bad(&d, "start out of range");

    d = *good;
    d.start_func = 0; /* add: (i32 i32) -> i32 */
    expect_bad(&d, "start with a signature");

    welf_desc_func funcs[64];
    cr_assert_leq(good->func_count, 64);
    memcpy(funcs, good->funcs, good->func_count * sizeof funcs[0]);
    d = *good;
    d.funcs = funcs;
    funcs[1].type_index = good->type_count;
    expect_bad(&d, "function type out of range");
    funcs[1] = good->funcs[1];
    funcs[0].array_call = NULL;  /* exported */
    expect_bad(&d, "exported function without array entry");
    funcs[0] = good->funcs[0];

    welf_desc_export exports[64];
    cr_assert_leq(good->export_count, 64);
    memcpy(exports, good->exports, good->export_count * sizeof exports[0]);
    d = *good;
    d.exports = exports;
    exports[0].index = good->func_count;
    expect_bad(&d, "export index out of range");
    exports[0] = good->exports[0];
    exports[0].kind = 7;
    expect_bad(&d, "export kind");
    exports[0] = good->exports[0];

    welf_desc_type types[16];
    memcpy(types, good->types, good->type_count * sizeof types[0]);
    uint8_t bad_sig[] = {0x7f, 0x42, 0x7f};
    d = *good;
    d.types = types;
    types[0].types = bad_sig;
    expect_bad(&d, "unknown value type");

    welf_desc_memory mem = good->memories[0];
    d = *good;
    d.memories = &mem;
    mem.limits.max = 0; /* below min */
    expect_bad(&d, "memory max < min");
    mem.limits.has_max = 0;
    mem.limits.min = 65537;
    expect_bad(&d, "memory min past 4 GiB");

    welf_desc_table table = good->tables[0];
    d = *good;
    d.tables = &table;
    table.elem_type = WELF_TYPE_I32;
    expect_bad(&d, "table element type");

    welf_desc_global globals[8];
    memcpy(globals, good->globals, good->global_count * sizeof globals[0]);
    d = *good;
    d.globals = globals;
    globals[0].init = NULL;
    expect_bad(&d, "global without initialiser");
    globals[0] = good->globals[0];
    globals[0].type = 0x40;
    expect_bad(&d, "global type");

    welf_desc_elem elems[4];
    memcpy(elems, good->elems, good->elem_count * sizeof elems[0]);
    d = *good;
    d.elems = elems;
    elems[0].table_index = 1;
    expect_bad(&d, "element segment table");
    elems[0] = good->elems[0];
    elems[0].offset = NULL;
    expect_bad(&d, "active element segment without offset");
    elems[0] = good->elems[0];
    elems[0].init = elems[1].init; /* both func_indices and init */
    expect_bad(&d, "element segment with two sources");
    elems[0] = good->elems[0];
    uint32_t bad_funcs[3] = {0, 1, 999};
    elems[0].func_indices = bad_funcs;
    expect_bad(&d, "element segment function index");
    elems[0] = good->elems[0];
    elems[0].mode = 3;
    expect_bad(&d, "element segment mode");
    elems[0] = good->elems[0];
    elems[0].elem_type = WELF_TYPE_EXTERNREF; /* into a funcref table */
    expect_bad(&d, "element segment type");

    welf_desc_data datas[4];
    memcpy(datas, good->datas, good->data_count * sizeof datas[0]);
    d = *good;
    d.datas = datas;
    datas[0].memory_index = 1;
    expect_bad(&d, "data segment memory");
    datas[0] = good->datas[0];
    datas[0].mode = WELF_DESC_DECLARATIVE;
    expect_bad(&d, "declarative data segment");
    datas[0] = good->datas[0];
    datas[0].bytes = NULL;
    expect_bad(&d, "data segment without bytes");
}

Test(rt_module, inconsistent_imports)
{
    const welf_desc_module *good = &welf_module_rt_imports;
    welf_desc_module d;
    welf_desc_import imports[8];
    memcpy(imports, good->imports, good->import_count * sizeof imports[0]);

    d = *good;
    d.imports = imports;
    imports[0].kind = 4;
    expect_bad(&d, "import kind");
    imports[0] = good->imports[0];
    imports[4].index = 0; /* the second global import must be index 1 */
    expect_bad(&d, "import order");
    imports[4] = good->imports[4];

    d = *good;
    d.func_import_count = 6;
    expect_bad(&d, "more imports than functions");
    d = *good;
    d.global_import_count = 3;
    expect_bad(&d, "import counts do not add up");
}

Test(rt_module, import_info)
{
    welf_module *m;
    welf_error err;
    cr_assert_eq(welf_module_from_desc(engine, &welf_module_rt_imports, NULL,
                                       &m, &err), WELF_OK, "%s", err.message);
    cr_assert_eq(welf_module_import_count(m), 5);
    welf_import_info info;

    welf_module_import(m, 0, &info);
    cr_assert_eq(info.kind, WELF_EXTERN_FUNC);
    cr_assert_eq(info.module_len, 3);
    cr_assert_eq(memcmp(info.module, "env", 3), 0);
    cr_assert_eq(info.name_len, 1);
    cr_assert_eq(info.name[0], 'f');
    cr_assert_eq(info.func.param_count, 1);
    cr_assert_eq(info.func.result_count, 1);
    cr_assert_eq(info.func.params[0], WELF_TYPE_I32);
    cr_assert_eq(info.func.results[0], WELF_TYPE_I32);

    welf_module_import(m, 1, &info);
    cr_assert_eq(info.kind, WELF_EXTERN_TABLE);
    cr_assert_eq(info.type, WELF_TYPE_FUNCREF);
    cr_assert_eq(info.limits.min, 2);
    cr_assert(info.limits.has_max);
    cr_assert_eq(info.limits.max, 10);

    welf_module_import(m, 2, &info);
    cr_assert_eq(info.kind, WELF_EXTERN_MEMORY);
    cr_assert_eq(info.name_len, 3);
    cr_assert_eq(info.limits.min, 1);
    cr_assert_eq(info.limits.max, 2);

    welf_module_import(m, 3, &info);
    cr_assert_eq(info.kind, WELF_EXTERN_GLOBAL);
    cr_assert_eq(info.type, WELF_TYPE_I32);
    cr_assert_not(info.is_mutable);

    welf_module_import(m, 4, &info);
    cr_assert_eq(info.kind, WELF_EXTERN_GLOBAL);
    cr_assert_eq(info.type, WELF_TYPE_I64);
    cr_assert(info.is_mutable);
}

/* The same fixture, mapped from its object file by the loader. */
Test(rt_module, load_from_file)
{
    welf_module *m;
    welf_instance *inst;
    welf_error err;
    welf_status st = welf_module_load(engine, WELF_FIXTURE_DIR "/rt_basic.o",
                                      &m, &err);
    cr_assert_eq(st, WELF_OK, "%s", err.message);
    cr_assert_eq(welf_instance_new(m, NULL, 0, &inst, &err), WELF_OK, "%s",
                 err.message);
    int32_t args[2] = {40, 2};
    cr_assert_eq(rt_call_i32(inst, "add", 2, args), 42);
    int32_t idx[3] = {2, 10, 3};  /* table[2] = sub */
    cr_assert_eq(rt_call_i32(inst, "call_indirect", 3, idx), 7);
    welf_extern mem = rt_export(inst, "memory", WELF_EXTERN_MEMORY);
    cr_assert_eq(memcmp(welf_memory_data(mem.u.memory) + 16, "hello", 5), 0);
    welf_extern started = rt_export(inst, "started", WELF_EXTERN_GLOBAL);
    cr_assert_eq(welf_global_get(started.u.global).of.i32, 1);

    /* a guard-page fault in loaded code is a trap too */
    int32_t far[1] = {65536};
    st = rt_call_status(inst, "load", 1, far, 1, &err);
    rt_assert_trap(st, &err, WELF_TRAP_CODE_MEMORY_OOB,
                   "out of bounds memory access");

    /* the loaded module and the linked one share canonical types */
    welf_module *linked;
    welf_instance *inst2;
    cr_assert_eq(welf_module_from_desc(engine, &welf_module_rt_basic, NULL,
                                       &linked, &err), WELF_OK);
    cr_assert_eq(welf_instance_new(linked, NULL, 0, &inst2, &err), WELF_OK);
    cr_assert_eq(rt_func(inst, "add")->type_id,
                 rt_func(inst2, "add")->type_id);
}

Test(rt_module, load_errors)
{
    welf_module *m = (welf_module *)1;
    welf_error err;
    cr_assert_eq(welf_module_load(engine, "/nonexistent/x.o", &m, &err),
                 WELF_ERR_IO);
    cr_assert_null(m);
    const char junk[] = "this is not an ELF object";
    cr_assert_eq(welf_module_load_memory(engine, junk, sizeof junk, &m, &err),
                 WELF_ERR_OBJECT);
    cr_assert_null(m);
}
