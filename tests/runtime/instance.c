/*
 * tests/runtime/instance.c — runtime/instance.c: exports, what
 * instantiation initialises (globals, element and data segments, the
 * start function), linking errors for every kind of mismatch, and
 * segment initialisation that traps part-way with its earlier writes
 * kept in imported objects.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "internal.h"
#include "support.h"

/* ---- rt_basic: what instantiation did ---- */

Test(rt_instance, exports)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_extern ex;
    welf_error err;

    welf_funcref *add = rt_func(fx.inst, "add");
    cr_assert_not_null(add->array_call);
    cr_assert_not_null(add->wasm_call);
    cr_assert_eq(add->vmctx, (void *)fx.inst, "vmctx is the instance");

    welf_extern mem = rt_export(fx.inst, "memory", WELF_EXTERN_MEMORY);
    cr_assert_eq(welf_memory_size_bytes(mem.u.memory), 65536);
    welf_extern table = rt_export(fx.inst, "table", WELF_EXTERN_TABLE);
    cr_assert_not_null(table.u.table);
    welf_extern g = rt_export(fx.inst, "counter", WELF_EXTERN_GLOBAL);
    welf_val v = welf_global_get(g.u.global);
    cr_assert_eq(v.type, WELF_TYPE_I32);
    cr_assert_eq(v.of.i32, 42);

    /* the same object every time */
    welf_extern again = rt_export(fx.inst, "memory", WELF_EXTERN_MEMORY);
    cr_assert_eq(again.u.memory, mem.u.memory);

    /* length-delimited names: "a\0b" is sub, "a" is nothing */
    cr_assert_eq(welf_instance_export(fx.inst, "a\0b", 3, &ex, &err),
                 WELF_OK);
    cr_assert_eq(ex.u.func, rt_func(fx.inst, "sub"));
    cr_assert_eq(welf_instance_export(fx.inst, "a", 1, &ex, &err),
                 WELF_ERR_LINK);
    cr_assert_eq(welf_instance_export(fx.inst, "ad", 2, &ex, &err),
                 WELF_ERR_LINK);
    cr_assert_eq(welf_instance_export(fx.inst, "addx", 4, &ex, &err),
                 WELF_ERR_LINK);
    cr_assert(strstr(err.message, "unknown export"));
    rt_teardown(&fx);
}

Test(rt_instance, globals_initialised)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_val v = welf_global_get(
        rt_export(fx.inst, "fref", WELF_EXTERN_GLOBAL).u.global);
    cr_assert_eq(v.type, WELF_TYPE_FUNCREF);
    cr_assert_eq(v.of.func, rt_func(fx.inst, "mul"), "init read funcs[]");
    v = welf_global_get(
        rt_export(fx.inst, "i64", WELF_EXTERN_GLOBAL).u.global);
    cr_assert_eq(v.type, WELF_TYPE_I64);
    cr_assert_eq(v.of.i64, -5);
    v = welf_global_get(
        rt_export(fx.inst, "f64", WELF_EXTERN_GLOBAL).u.global);
    cr_assert_eq(v.type, WELF_TYPE_F64);
    cr_assert_eq(v.of.f64, 1.5);
    rt_teardown(&fx);
}

Test(rt_instance, start_runs_once)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_global *started =
        rt_export(fx.inst, "started", WELF_EXTERN_GLOBAL).u.global;
    cr_assert_eq(welf_global_get(started).of.i32, 1);
    rt_call_i32(fx.inst, "start", 0, NULL);
    cr_assert_eq(welf_global_get(started).of.i32, 2);

    /* a second instance has its own globals and memory */
    welf_instance *other;
    welf_error err;
    cr_assert_eq(welf_instance_new(fx.module, NULL, 0, &other, &err),
                 WELF_OK);
    cr_assert_eq(welf_global_get(rt_export(other, "started",
                                           WELF_EXTERN_GLOBAL).u.global)
                     .of.i32, 1);
    cr_assert_eq(welf_global_get(started).of.i32, 2);
    cr_assert_neq(rt_export(other, "memory", WELF_EXTERN_MEMORY).u.memory,
                  rt_export(fx.inst, "memory", WELF_EXTERN_MEMORY).u.memory);
    rt_teardown(&fx);
}

Test(rt_instance, segments_applied)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_memory *mem = rt_export(fx.inst, "memory", WELF_EXTERN_MEMORY)
                           .u.memory;
    cr_assert_eq(memcmp(welf_memory_data(mem) + 16, "hello", 5), 0);
    cr_assert_eq(welf_memory_data(mem)[15], 0);
    cr_assert_eq(welf_memory_data(mem)[21], 0);

    welf_table *table = rt_export(fx.inst, "table", WELF_EXTERN_TABLE)
                            .u.table;
    welf_table_rt *rt = &table->rt;
    cr_assert_eq(rt->size, 4);
    cr_assert_null(rt->elems[0]);
    cr_assert_eq(rt->elems[1], rt_func(fx.inst, "add"));
    cr_assert_eq(rt->elems[2], rt_func(fx.inst, "sub"));
    cr_assert_eq(rt->elems[3], rt_func(fx.inst, "start"));
    rt_teardown(&fx);
}

/* ---- rt_imports: linking ---- */

typedef struct imports_fixture {
    welf_engine *engine;
    welf_module *module;
    welf_extern imports[5];
    int f_calls;
} imports_fixture;

/* $f: x * 10; traps (unreachable) on -1 */
static void host_f(welf_host *self, welf_caller *caller,
                   welf_val_raw *args, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    imports_fixture *ix = user;
    ix->f_calls++;
    if (args[0].i32 == -1)
        welf_trap_raise(WELF_TRAP_CODE_UNREACHABLE);
    args[0].i32 *= 10;
    return;
}

static const uint8_t sig_i_i[] = {WELF_TYPE_I32, WELF_TYPE_I32};

static void imports_setup(imports_fixture *ix, int32_t base)
{
    welf_error err;
    memset(ix, 0, sizeof *ix);
    cr_assert_eq(welf_engine_new(&ix->engine, &err), WELF_OK);
    cr_assert_eq(welf_module_from_desc(ix->engine, &welf_module_rt_imports,
                                       NULL, &ix->module, &err),
                 WELF_OK, "%s", err.message);
    welf_functype_info ti = {1, 1, sig_i_i, sig_i_i + 1};
    ix->imports[0].kind = WELF_EXTERN_FUNC;
    cr_assert_eq(welf_func_new_host(ix->engine, &ti, host_f, ix,
                                    &ix->imports[0].u.func, &err), WELF_OK);
    ix->imports[1].kind = WELF_EXTERN_TABLE;
    cr_assert_eq(welf_table_new(ix->engine, WELF_TYPE_FUNCREF,
                                (welf_limits_info){3, 10, true},
                                &ix->imports[1].u.table, &err), WELF_OK);
    ix->imports[2].kind = WELF_EXTERN_MEMORY;
    cr_assert_eq(welf_memory_new(ix->engine, (welf_limits_info){1, 2, true},
                                 &ix->imports[2].u.memory, &err), WELF_OK);
    ix->imports[3].kind = WELF_EXTERN_GLOBAL;
    cr_assert_eq(welf_global_new(ix->engine,
                                 (welf_val){.type = WELF_TYPE_I32,
                                            .of.i32 = base},
                                 false, &ix->imports[3].u.global, &err),
                 WELF_OK);
    ix->imports[4].kind = WELF_EXTERN_GLOBAL;
    cr_assert_eq(welf_global_new(ix->engine,
                                 (welf_val){.type = WELF_TYPE_I64,
                                            .of.i64 = 7},
                                 true, &ix->imports[4].u.global, &err),
                 WELF_OK);
}

Test(rt_instance, imports_bound)
{
    imports_fixture ix;
    imports_setup(&ix, 100);
    welf_instance *inst;
    welf_error err;
    cr_assert_eq(welf_instance_new(ix.module, ix.imports, 5, &inst, &err),
                 WELF_OK, "%s", err.message);
    cr_assert_eq(ix.f_calls, 1, "the start function called $f");

    /* the host function got the module's wasm-to-array stub */
    cr_assert_eq(ix.imports[0].u.func->wasm_call,
                 welf_module_rt_imports.types[0].wasm_to_array);

    /* wasm -> host */
    int32_t x[1] = {4};
    cr_assert_eq(rt_call_i32(inst, "call_f", 1, x), 50);
    /* re-exported imports are the very objects given */
    cr_assert_eq(rt_func(inst, "f"), ix.imports[0].u.func);
    cr_assert_eq(rt_export(inst, "mem", WELF_EXTERN_MEMORY).u.memory,
                 ix.imports[2].u.memory);
    cr_assert_eq(rt_export(inst, "table", WELF_EXTERN_TABLE).u.table,
                 ix.imports[1].u.table);
    /* a defined global computed from an imported one */
    cr_assert_eq(welf_global_get(rt_export(inst, "derived",
                                           WELF_EXTERN_GLOBAL).u.global)
                     .of.i32, 101);
    /* an imported mutable global written by wasm */
    rt_call_i32(inst, "bump", 0, NULL);
    cr_assert_eq(welf_global_get(ix.imports[4].u.global).of.i64, 8);
    /* segments went into the imported table and memory */
    welf_table_rt *t = &ix.imports[1].u.table->rt;
    cr_assert_eq(t->elems[0], ix.imports[0].u.func);
    cr_assert_eq(t->elems[1], rt_func(inst, "twice"));
    cr_assert_null(t->elems[2]);
    uint8_t *mem = welf_memory_data(ix.imports[2].u.memory);
    cr_assert_eq(memcmp(mem, "first", 5), 0);
    cr_assert_eq(memcmp(mem + 100, "second", 6), 0);
    welf_engine_free(ix.engine);
}

/* Instantiation must fail with WELF_ERR_LINK "incompatible import type"
 * and create nothing. */
static void expect_link_error(imports_fixture *ix, const char *what)
{
    welf_instance *inst = (welf_instance *)1;
    welf_error err;
    welf_status st = welf_instance_new(ix->module, ix->imports, 5, &inst,
                                       &err);
    cr_assert_eq(st, WELF_ERR_LINK, "%s: status %d (%s)", what, st,
                 err.message);
    cr_assert_null(inst);
    cr_assert_eq(strncmp(err.message, "incompatible import type", 24), 0,
                 "%s: %s", what, err.message);
    cr_assert_eq(ix->engine->instances, NULL, "%s: an instance was kept",
                 what);
    cr_assert_eq(ix->f_calls, 0);
}

Test(rt_instance, link_wrong_kind)
{
    imports_fixture ix;
    imports_setup(&ix, 0);
    welf_extern saved = ix.imports[0];
    ix.imports[0] = ix.imports[3];  /* a global for the function */
    expect_link_error(&ix, "global for func");
    ix.imports[0] = saved;
    saved = ix.imports[2];
    ix.imports[2] = ix.imports[1];  /* a table for the memory */
    expect_link_error(&ix, "table for memory");
    ix.imports[2] = saved;
    welf_engine_free(ix.engine);
}

Test(rt_instance, link_function_type)
{
    imports_fixture ix;
    imports_setup(&ix, 0);
    welf_error err;
    const uint8_t l[] = {WELF_TYPE_I64, WELF_TYPE_I32};
    welf_functype_info ti = {1, 1, l, l + 1};
    cr_assert_eq(welf_func_new_host(ix.engine, &ti, host_f, &ix,
                                    &ix.imports[0].u.func, &err), WELF_OK);
    expect_link_error(&ix, "(i64) -> i32 for (i32) -> i32");
    welf_functype_info none = {1, 0, sig_i_i, NULL};
    cr_assert_eq(welf_func_new_host(ix.engine, &none, host_f, &ix,
                                    &ix.imports[0].u.func, &err), WELF_OK);
    expect_link_error(&ix, "(i32) -> () for (i32) -> i32");
    welf_engine_free(ix.engine);
}

Test(rt_instance, link_table_limits)
{
    imports_fixture ix;
    imports_setup(&ix, 0);
    welf_error err;
    /* import: funcref, min 2, max 10 */
    const welf_limits_info bad[] = {
        {1, 10, true},   /* min too small */
        {2, 11, true},   /* max too large */
        {2, 0, false},   /* no max */
    };
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(welf_table_new(ix.engine, WELF_TYPE_FUNCREF, bad[i],
                                    &ix.imports[1].u.table, &err), WELF_OK);
        expect_link_error(&ix, "table limits");
    }
    cr_assert_eq(welf_table_new(ix.engine, WELF_TYPE_EXTERNREF,
                                (welf_limits_info){2, 10, true},
                                &ix.imports[1].u.table, &err), WELF_OK);
    expect_link_error(&ix, "externref table");
    /* tighter limits are fine */
    cr_assert_eq(welf_table_new(ix.engine, WELF_TYPE_FUNCREF,
                                (welf_limits_info){5, 5, true},
                                &ix.imports[1].u.table, &err), WELF_OK);
    welf_instance *inst;
    cr_assert_eq(welf_instance_new(ix.module, ix.imports, 5, &inst, &err),
                 WELF_OK, "%s", err.message);
    welf_engine_free(ix.engine);
}

Test(rt_instance, link_memory_limits)
{
    imports_fixture ix;
    imports_setup(&ix, 0);
    welf_error err;
    /* import: min 1, max 2 */
    const welf_limits_info bad[] = {
        {0, 2, true},
        {1, 3, true},
        {1, 0, false},
    };
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(welf_memory_new(ix.engine, bad[i],
                                     &ix.imports[2].u.memory, &err), WELF_OK);
        expect_link_error(&ix, "memory limits");
    }
    /* the current size counts, not the declared min */
    cr_assert_eq(welf_memory_new(ix.engine, (welf_limits_info){0, 2, true},
                                 &ix.imports[2].u.memory, &err), WELF_OK);
    cr_assert_eq(welf_memory_size_bytes(ix.imports[2].u.memory), 0);
    expect_link_error(&ix, "empty memory");
    /* tighter limits are fine */
    cr_assert_eq(welf_memory_new(ix.engine, (welf_limits_info){2, 2, true},
                                 &ix.imports[2].u.memory, &err), WELF_OK);
    welf_instance *inst;
    cr_assert_eq(welf_instance_new(ix.module, ix.imports, 5, &inst, &err),
                 WELF_OK, "%s", err.message);
    welf_engine_free(ix.engine);
}

Test(rt_instance, link_global_type_and_mutability)
{
    imports_fixture ix;
    imports_setup(&ix, 0);
    welf_error err;
    welf_extern saved = ix.imports[3];
    /* mutable i32 for an immutable one */
    cr_assert_eq(welf_global_new(ix.engine,
                                 (welf_val){.type = WELF_TYPE_I32}, true,
                                 &ix.imports[3].u.global, &err), WELF_OK);
    expect_link_error(&ix, "mutable for immutable");
    /* i64 for i32 */
    cr_assert_eq(welf_global_new(ix.engine,
                                 (welf_val){.type = WELF_TYPE_I64}, false,
                                 &ix.imports[3].u.global, &err), WELF_OK);
    expect_link_error(&ix, "i64 for i32");
    ix.imports[3] = saved;
    /* immutable i64 for a mutable one */
    cr_assert_eq(welf_global_new(ix.engine,
                                 (welf_val){.type = WELF_TYPE_I64}, false,
                                 &ix.imports[4].u.global, &err), WELF_OK);
    expect_link_error(&ix, "immutable for mutable");
    welf_engine_free(ix.engine);
}

Test(rt_instance, link_count_and_foreign_objects)
{
    imports_fixture ix;
    imports_setup(&ix, 0);
    welf_instance *inst;
    welf_error err;
    cr_assert_eq(welf_instance_new(ix.module, ix.imports, 4, &inst, &err),
                 WELF_ERR_LINK);
    cr_assert_eq(welf_instance_new(ix.module, NULL, 0, &inst, &err),
                 WELF_ERR_LINK);

    welf_engine *other;
    cr_assert_eq(welf_engine_new(&other, &err), WELF_OK);
    cr_assert_eq(welf_memory_new(other, (welf_limits_info){1, 2, true},
                                 &ix.imports[2].u.memory, &err), WELF_OK);
    cr_assert_eq(welf_instance_new(ix.module, ix.imports, 5, &inst, &err),
                 WELF_ERR_USAGE);
    cr_assert(strstr(err.message, "another engine"), "%s", err.message);
    welf_engine_free(other);
    welf_engine_free(ix.engine);
}

/* ---- traps during instantiation ---- */

Test(rt_instance, data_segment_out_of_bounds)
{
    imports_fixture ix;
    imports_setup(&ix, 65536 - 5); /* "second" (6 bytes) does not fit */
    uint8_t *mem = welf_memory_data(ix.imports[2].u.memory);
    welf_instance *inst = (welf_instance *)1;
    welf_error err;
    welf_status st = welf_instance_new(ix.module, ix.imports, 5, &inst, &err);
    rt_assert_trap(st, &err, WELF_TRAP_CODE_MEMORY_OOB,
                   "out of bounds memory access");
    cr_assert_null(inst);
    cr_assert_eq(ix.f_calls, 0, "no start function after a trap");

    /* earlier segments stay written */
    cr_assert_eq(memcmp(mem, "first", 5), 0);
    cr_assert_eq(mem[65536 - 5], 0, "the failing segment wrote nothing");
    welf_table_rt *t = &ix.imports[1].u.table->rt;
    cr_assert_eq(t->elems[0], ix.imports[0].u.func);
    welf_funcref *twice = t->elems[1];
    cr_assert_not_null(twice);

    /* the failed instance's function is still callable from the table */
    welf_val arg = {.type = WELF_TYPE_I32, .of.i32 = 21}, res;
    cr_assert_eq(welf_func_call(twice, &arg, 1, &res, 1, &err), WELF_OK);
    cr_assert_eq(res.of.i32, 42);

    /* and the engine goes on */
    imports_fixture ok;
    imports_setup(&ok, 0);
    cr_assert_eq(welf_instance_new(ok.module, ok.imports, 5, &inst, &err),
                 WELF_OK);
    welf_engine_free(ok.engine);
    welf_engine_free(ix.engine);
}

Test(rt_instance, data_segment_at_exact_end)
{
    imports_fixture ix;
    imports_setup(&ix, 65536 - 6); /* "second" ends exactly at the end */
    welf_instance *inst;
    welf_error err;
    cr_assert_eq(welf_instance_new(ix.module, ix.imports, 5, &inst, &err),
                 WELF_OK, "%s", err.message);
    uint8_t *mem = welf_memory_data(ix.imports[2].u.memory);
    cr_assert_eq(memcmp(mem + 65536 - 6, "second", 6), 0);
    welf_engine_free(ix.engine);
}

Test(rt_instance, element_segment_out_of_bounds)
{
    /* rt_imports with its element segment at offset $base: with $base = 1
     * its two elements miss a table of 2. */
    imports_fixture ix;
    imports_setup(&ix, 1);
    welf_error err;
    welf_desc_module d = welf_module_rt_imports;
    welf_desc_elem elem = d.elems[0];
    elem.offset = d.datas[1].offset;
    d.elems = &elem;
    welf_module *m;
    cr_assert_eq(welf_module_from_desc(ix.engine, &d, NULL, &m, &err),
                 WELF_OK, "%s", err.message);
    cr_assert_eq(welf_table_new(ix.engine, WELF_TYPE_FUNCREF,
                                (welf_limits_info){2, 10, true},
                                &ix.imports[1].u.table, &err), WELF_OK);
    welf_instance *inst = (welf_instance *)1;
    welf_status st = welf_instance_new(m, ix.imports, 5, &inst, &err);
    rt_assert_trap(st, &err, WELF_TRAP_CODE_TABLE_OOB,
                   "out of bounds table access");
    cr_assert_null(inst);
    welf_table_rt *t = &ix.imports[1].u.table->rt;
    cr_assert_null(t->elems[1], "nothing copied from the failing segment");
    uint8_t *mem = welf_memory_data(ix.imports[2].u.memory);
    cr_assert_eq(mem[0], 0, "no data segment after the failing element one");
    cr_assert_eq(ix.f_calls, 0);
    welf_engine_free(ix.engine);
}

static void host_trap(welf_host *self, welf_caller *caller,
                      welf_val_raw *args, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    (void)args;
    imports_fixture *ix = user;
    ix->f_calls++;
    welf_trap_raise(WELF_TRAP_CODE_UNREACHABLE);
}

Test(rt_instance, start_function_traps)
{
    /* The start function calls $f, and this $f traps. */
    imports_fixture ix;
    imports_setup(&ix, 100);
    welf_error err;
    welf_functype_info ti = {1, 1, sig_i_i, sig_i_i + 1};
    cr_assert_eq(welf_func_new_host(ix.engine, &ti, host_trap, &ix,
                                    &ix.imports[0].u.func, &err), WELF_OK);
    welf_instance *inst = (welf_instance *)1;
    welf_status st = welf_instance_new(ix.module, ix.imports, 5, &inst, &err);
    rt_assert_trap(st, &err, WELF_TRAP_CODE_UNREACHABLE, "unreachable");
    cr_assert_null(inst);
    cr_assert_eq(ix.f_calls, 1);
    /* the segments were applied before the start function */
    uint8_t *mem = welf_memory_data(ix.imports[2].u.memory);
    cr_assert_eq(memcmp(mem + 100, "second", 6), 0);

    /* the engine is still usable; so is a new one */
    welf_engine *first = ix.engine;
    welf_table_rt *t = &ix.imports[1].u.table->rt;
    welf_val arg = {.type = WELF_TYPE_I32, .of.i32 = 3}, res;
    cr_assert_eq(welf_func_call(t->elems[1], &arg, 1, &res, 1, &err),
                 WELF_OK);
    cr_assert_eq(res.of.i32, 6);
    imports_setup(&ix, 0);
    cr_assert_eq(welf_instance_new(ix.module, ix.imports, 5, &inst, &err),
                 WELF_OK, "%s", err.message);
    int32_t x[1] = {-2}; /* call_f passes x + 1 = -1: host_f traps */
    st = rt_call_status(inst, "call_f", 1, x, 1, &err);
    rt_assert_trap(st, &err, WELF_TRAP_CODE_UNREACHABLE, "unreachable");
    x[0] = 1;
    cr_assert_eq(rt_call_i32(inst, "call_f", 1, x), 20);
    welf_engine_free(ix.engine);
    welf_engine_free(first);
}
