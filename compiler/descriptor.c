/*
 * descriptor.c — the module descriptor (runtime/abi.h) as LLVM constants:
 * one read-only global welf_module_<name> in section .welf.module, listed
 * in llvm.used so it survives optimisation and --gc-sections, pointing at
 * arrays of types, imports, functions, tables, memories, globals,
 * exports and segments. Every LLVM struct here mirrors a C struct of
 * abi.h; check_layouts compares their sizes so the two cannot drift.
 */
#include "compile.h"

#include <stdio.h>
#include <string.h>

typedef struct desc_types {
    LLVMTypeRef type, func, import, limits, table, memory, global, export_,
        elem, data, module;
} desc_types;

static LLVMTypeRef st(welf_lower_module *lm, LLVMTypeRef *fields, unsigned n)
{
    return LLVMStructTypeInContext(lm->ctx, fields, n, 0);
}

static desc_types make_types(welf_lower_module *lm)
{
    LLVMTypeRef i8 = lm->t_i8, i32 = lm->t_i32, p = lm->t_ptr;
    LLVMTypeRef b3 = LLVMArrayType(i8, 3), b6 = LLVMArrayType(i8, 6),
                b7 = LLVMArrayType(i8, 7), b2 = LLVMArrayType(i8, 2);
    desc_types t;
    t.type = st(lm, (LLVMTypeRef[]){i32, i32, p, p, p}, 5);
    t.func = st(lm, (LLVMTypeRef[]){i32, i32, p, p, p, p, i32, i32, p}, 9);
    t.import = st(lm, (LLVMTypeRef[]){p, p, i32, i32, i8, b3, i32}, 7);
    t.limits = st(lm, (LLVMTypeRef[]){i32, i32, i32, i32}, 4);
    t.table = st(lm, (LLVMTypeRef[]){t.limits, i8, b7}, 3);
    t.memory = st(lm, (LLVMTypeRef[]){t.limits}, 1);
    t.global = st(lm, (LLVMTypeRef[]){i8, i8, b6, p}, 4);
    t.export_ = st(lm, (LLVMTypeRef[]){p, i32, i8, b3, i32, i32}, 6);
    t.elem = st(lm, (LLVMTypeRef[]){i8, i8, b2, i32, i32, i32, p, p, p}, 9);
    t.data = st(lm, (LLVMTypeRef[]){i8, b3, i32, i32, i32, p, p}, 7);
    LLVMTypeRef mod[6 + 15 + 9 + 1];
    mod[0] = i32; /* magic */
    mod[1] = i32; /* version */
    mod[2] = p;   /* target */
    mod[3] = p;   /* name */
    mod[4] = i32; /* name_len */
    mod[5] = i32; /* features */
    for (int i = 0; i < 15; i++)
        mod[6 + i] = i32; /* counts, start_func, cpu_level */
    for (int i = 0; i < 9; i++)
        mod[21 + i] = p;  /* arrays */
    mod[30] = p;          /* lines */
    t.module = st(lm, mod, 31);
    return t;
}

static bool check_layouts(welf_lower_module *lm, const desc_types *t)
{
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(lm->mod);
    struct {
        LLVMTypeRef ty;
        size_t size;
        const char *name;
    } checks[] = {
        {t->type, sizeof(welf_desc_type), "type"},
        {t->func, sizeof(welf_desc_func), "func"},
        {t->import, sizeof(welf_desc_import), "import"},
        {t->table, sizeof(welf_desc_table), "table"},
        {t->memory, sizeof(welf_desc_memory), "memory"},
        {t->global, sizeof(welf_desc_global), "global"},
        {t->export_, sizeof(welf_desc_export), "export"},
        {t->elem, sizeof(welf_desc_elem), "elem"},
        {t->data, sizeof(welf_desc_data), "data"},
        {t->module, sizeof(welf_desc_module), "module"},
    };
    for (size_t i = 0; i < WELF_ARRAY_LEN(checks); i++) {
        unsigned long long got = LLVMABISizeOfType(td, checks[i].ty);
        if (got != checks[i].size) {
            welf_error_set(lm->err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                           "internal error: descriptor %s is %llu bytes in "
                           "LLVM, %zu in abi.h", checks[i].name, got,
                           checks[i].size);
            return false;
        }
    }
    return true;
}

static LLVMValueRef c8(welf_lower_module *lm, uint32_t v)
{
    return LLVMConstInt(lm->t_i8, v, 0);
}

static LLVMValueRef c32(welf_lower_module *lm, uint32_t v)
{
    return LLVMConstInt(lm->t_i32, v, 0);
}

static LLVMValueRef null_ptr(welf_lower_module *lm)
{
    return LLVMConstPointerNull(lm->t_ptr);
}

static LLVMValueRef pad(welf_lower_module *lm, unsigned n)
{
    return LLVMConstNull(LLVMArrayType(lm->t_i8, n));
}

static LLVMValueRef private_global(welf_lower_module *lm, LLVMValueRef init,
                                   const char *name)
{
    LLVMValueRef g = LLVMAddGlobal(lm->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    return g;
}

/* Bytes as a private constant, NUL-terminated for convenience. */
static LLVMValueRef bytes_global(welf_lower_module *lm, const uint8_t *bytes,
                                 uint32_t len, const char *name)
{
    LLVMValueRef s = LLVMConstStringInContext(lm->ctx, (const char *)bytes,
                                              len, 0);
    return private_global(lm, s, name);
}

static LLVMValueRef array_global(welf_lower_module *lm, LLVMTypeRef elem,
                                 LLVMValueRef *vals, uint32_t n,
                                 const char *name)
{
    if (n == 0)
        return null_ptr(lm);
    LLVMValueRef g = private_global(lm, LLVMConstArray2(elem, vals, n), name);
    LLVMSetAlignment(g, 8);
    return g;
}

static LLVMValueRef name_or_null(welf_lower_module *lm, welf_name n,
                                 const char *what)
{
    return n.bytes ? bytes_global(lm, n.bytes, n.len, what) : null_ptr(lm);
}

static LLVMValueRef fn_or_null(welf_lower_module *lm, LLVMValueRef fn)
{
    return fn ? fn : null_ptr(lm);
}

static LLVMValueRef limits(welf_lower_module *lm, const desc_types *t,
                           welf_limits l)
{
    LLVMValueRef f[4] = {c32(lm, l.min), c32(lm, l.max), c32(lm, l.has_max),
                         c32(lm, 0)};
    return LLVMConstNamedStruct(t->limits, f, 4);
}

/* The arrays: each builder fills vals[0 .. n) and makes the global. */

static LLVMValueRef build_types(welf_lower_module *lm, welf_compile_state *cs,
                                const desc_types *t, LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->type_count; i++) {
        const welf_functype *ft = &m->types[i];
        uint32_t n = ft->param_count + ft->result_count;
        uint8_t *all = welf_arena_alloc(&cs->arena, n + 1);
        if (!all)
            return NULL;
        memcpy(all, ft->params, ft->param_count);
        memcpy(all + ft->param_count, ft->results, ft->result_count);
        LLVMValueRef f[5] = {c32(lm, ft->param_count),
                             c32(lm, ft->result_count),
                             bytes_global(lm, all, n, "welf.type"),
                             cs->wasm_to_array[i],
                             fn_or_null(lm, cs->wasm_to_native[i])};
        vals[i] = LLVMConstNamedStruct(t->type, f, 5);
    }
    return array_global(lm, t->type, vals, m->type_count, "welf.types");
}

static LLVMValueRef build_imports(welf_lower_module *lm, const desc_types *t,
                                  LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->import_count; i++) {
        const welf_import *im = &m->imports[i];
        LLVMValueRef f[7] = {name_or_null(lm, im->module, "welf.str"),
                             name_or_null(lm, im->field, "welf.str"),
                             c32(lm, im->module.len), c32(lm, im->field.len),
                             c8(lm, im->kind), pad(lm, 3),
                             c32(lm, im->index)};
        vals[i] = LLVMConstNamedStruct(t->import, f, 7);
    }
    return array_global(lm, t->import, vals, m->import_count,
                        "welf.imports");
}

static LLVMValueRef build_funcs(welf_lower_module *lm, welf_compile_state *cs,
                                const desc_types *t, LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->func_count; i++) {
        const welf_name *n = m->func_names && m->func_names[i].len
                                 ? &m->func_names[i]
                                 : NULL;
        LLVMValueRef thunk = cs->wasm_entries[i];
        LLVMValueRef f[9] = {
            c32(lm, m->funcs[i].type_index),
            c32(lm, cs->plan->escapes[i] ? WELF_DESC_FUNC_ESCAPES : 0),
            fn_or_null(lm, thunk ? thunk : lm->funcs[i]),
            fn_or_null(lm, cs->array_entries[i]),
            fn_or_null(lm, cs->native_entries[i]),
            n ? bytes_global(lm, n->bytes, n->len, "welf.name")
              : null_ptr(lm),
            c32(lm, n ? n->len : 0),
            c32(lm, 0),
            fn_or_null(lm, thunk ? lm->funcs[i] : NULL)};
        vals[i] = LLVMConstNamedStruct(t->func, f, 9);
    }
    return array_global(lm, t->func, vals, m->func_count, "welf.funcs");
}

static LLVMValueRef build_tables(welf_lower_module *lm, const desc_types *t,
                                 LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->table_count; i++) {
        LLVMValueRef f[3] = {limits(lm, t, m->tables[i].type.limits),
                             c8(lm, m->tables[i].type.elem), pad(lm, 7)};
        vals[i] = LLVMConstNamedStruct(t->table, f, 3);
    }
    return array_global(lm, t->table, vals, m->table_count, "welf.tables");
}

static LLVMValueRef build_memories(welf_lower_module *lm, const desc_types *t,
                                   LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->memory_count; i++) {
        LLVMValueRef f[1] = {limits(lm, t, m->memories[i].type.limits)};
        vals[i] = LLVMConstNamedStruct(t->memory, f, 1);
    }
    return array_global(lm, t->memory, vals, m->memory_count,
                        "welf.memories");
}

static LLVMValueRef build_globals(welf_lower_module *lm,
                                  welf_compile_state *cs, const desc_types *t,
                                  LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->global_count; i++) {
        LLVMValueRef f[4] = {c8(lm, m->globals[i].type.type),
                             c8(lm, m->globals[i].type.is_mutable),
                             pad(lm, 6), fn_or_null(lm, cs->global_inits[i])};
        vals[i] = LLVMConstNamedStruct(t->global, f, 4);
    }
    return array_global(lm, t->global, vals, m->global_count,
                        "welf.globals");
}

static LLVMValueRef build_exports(welf_lower_module *lm, const desc_types *t,
                                  LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->export_count; i++) {
        const welf_export *ex = &m->exports[i];
        LLVMValueRef f[6] = {name_or_null(lm, ex->name, "welf.str"),
                             c32(lm, ex->name.len), c8(lm, ex->kind),
                             pad(lm, 3), c32(lm, ex->index), c32(lm, 0)};
        vals[i] = LLVMConstNamedStruct(t->export_, f, 6);
    }
    return array_global(lm, t->export_, vals, m->export_count,
                        "welf.exports");
}

static uint8_t seg_mode(welf_segmode mode)
{
    return mode == WELF_SEG_ACTIVE    ? WELF_DESC_ACTIVE
           : mode == WELF_SEG_PASSIVE ? WELF_DESC_PASSIVE
                                      : WELF_DESC_DECLARATIVE;
}

static LLVMValueRef build_elems(welf_lower_module *lm, welf_compile_state *cs,
                                const desc_types *t, LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->elem_count; i++) {
        const welf_elem *e = &m->elems[i];
        LLVMValueRef indices = null_ptr(lm);
        if (e->func_indices && e->count) {
            LLVMValueRef *iv = welf_arena_alloc(&cs->arena,
                                                e->count * sizeof *iv);
            if (!iv)
                return NULL;
            for (uint32_t k = 0; k < e->count; k++)
                iv[k] = c32(lm, e->func_indices[k]);
            indices = private_global(
                lm, LLVMConstArray2(lm->t_i32, iv, e->count),
                "welf.elem.indices");
        }
        LLVMValueRef f[9] = {c8(lm, seg_mode(e->mode)), c8(lm, e->type),
                             pad(lm, 2), c32(lm, e->table_index),
                             c32(lm, e->count), c32(lm, 0),
                             fn_or_null(lm, cs->elem_offsets[i]), indices,
                             fn_or_null(lm, cs->elem_inits[i])};
        vals[i] = LLVMConstNamedStruct(t->elem, f, 9);
    }
    return array_global(lm, t->elem, vals, m->elem_count, "welf.elems");
}

static LLVMValueRef build_datas(welf_lower_module *lm, welf_compile_state *cs,
                                const desc_types *t, LLVMValueRef *vals)
{
    const welf_wasm *m = lm->m;
    for (uint32_t i = 0; i < m->data_seg_count; i++) {
        const welf_data *d = &m->datas[i];
        LLVMValueRef bytes = bytes_global(lm, d->bytes, d->size_bytes,
                                          "welf.data");
        LLVMSetSection(bytes, ".rodata.welf.data");
        LLVMValueRef f[7] = {c8(lm, seg_mode(d->mode)), pad(lm, 3),
                             c32(lm, d->memory_index),
                             c32(lm, d->size_bytes), c32(lm, 0),
                             fn_or_null(lm, cs->data_offsets[i]), bytes};
        vals[i] = LLVMConstNamedStruct(t->data, f, 7);
    }
    return array_global(lm, t->data, vals, m->data_seg_count, "welf.datas");
}

/* PREFIX<name>: letters, digits and _ kept, anything else _. */
void welf_module_symbol(const char *prefix, const char *name, char *buf,
                        size_t size)
{
    size_t k = (size_t)snprintf(buf, size, "%s", prefix);
    for (const char *p = name; *p && k + 1 < size; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_';
        buf[k++] = ok ? c : '_';
    }
    buf[k] = '\0';
}

bool welf_descriptor_build(welf_lower_module *lm, welf_compile_state *cs)
{
    const welf_wasm *m = lm->m;
    desc_types t = make_types(lm);
    if (!check_layouts(lm, &t))
        return false;
    uint32_t most = m->type_count;
    uint32_t counts[] = {m->import_count, m->func_count, m->table_count,
                         m->memory_count, m->global_count, m->export_count,
                         m->elem_count, m->data_seg_count};
    for (size_t i = 0; i < WELF_ARRAY_LEN(counts); i++)
        if (counts[i] > most)
            most = counts[i];
    LLVMValueRef *vals = welf_arena_alloc(&cs->arena,
                                          (most + 1) * sizeof *vals);
    if (!vals)
        goto nomem;

    LLVMValueRef arrays[9];
    if (!(arrays[0] = build_types(lm, cs, &t, vals)))
        goto nomem;
    arrays[1] = build_imports(lm, &t, vals);
    arrays[2] = build_funcs(lm, cs, &t, vals);
    arrays[3] = build_tables(lm, &t, vals);
    arrays[4] = build_memories(lm, &t, vals);
    arrays[5] = build_globals(lm, cs, &t, vals);
    arrays[6] = build_exports(lm, &t, vals);
    if (!(arrays[7] = build_elems(lm, cs, &t, vals)))
        goto nomem;
    arrays[8] = build_datas(lm, cs, &t, vals);

    const char *name = cs->name;
    LLVMValueRef f[31];
    f[0] = c32(lm, WELF_ABI_MAGIC);
    f[1] = c32(lm, WELF_ABI_VERSION);
    f[2] = bytes_global(lm, (const uint8_t *)WELF_ABI_TARGET,
                        sizeof WELF_ABI_TARGET - 1, "welf.target");
    f[3] = bytes_global(lm, (const uint8_t *)name, (uint32_t)strlen(name),
                        "welf.module_name");
    f[4] = c32(lm, (uint32_t)strlen(name));
    f[5] = c32(lm, m->features);
    uint32_t nums[15] = {m->type_count, m->import_count, m->func_count,
                         m->func_import_count, m->table_count,
                         m->table_import_count, m->memory_count,
                         m->memory_import_count, m->global_count,
                         m->global_import_count, m->export_count,
                         m->elem_count, m->data_seg_count,
                         m->has_start ? m->start_func : UINT32_MAX,
                         cs->plan->cpu_level};
    for (int i = 0; i < 15; i++)
        f[6 + i] = c32(lm, nums[i]);
    for (int i = 0; i < 9; i++)
        f[21 + i] = arrays[i];
    /* The line table is made from the code's DWARF after every chunk is
     * compiled, as its own object: here it is only a name (hidden, so
     * the merge makes it local). */
    char symbol[160];
    f[30] = LLVMConstPointerNull(lm->t_ptr);
    if (cs->plan->debug) {
        welf_module_symbol("welf_lines_", name, symbol, sizeof symbol);
        f[30] = LLVMAddGlobal(lm->mod, lm->t_i8, symbol);
        LLVMSetVisibility(f[30], LLVMHiddenVisibility);
    }

    welf_module_symbol("welf_module_", name, symbol, sizeof symbol);
    LLVMValueRef desc = LLVMAddGlobal(lm->mod, t.module, symbol);
    LLVMSetInitializer(desc, LLVMConstNamedStruct(t.module, f, 31));
    LLVMSetGlobalConstant(desc, 1);
    LLVMSetSection(desc, ".welf.module");
    LLVMSetAlignment(desc, 8);

    /*
     * A pointer to the descriptor in section welf_modules: linkers define
     * __start_welf_modules and __stop_welf_modules around such sections
     * (their names are C identifiers), so the main() of libwelf finds the
     * module of a static link without knowing its name.
     */
    LLVMValueRef ref = LLVMAddGlobal(lm->mod, lm->t_ptr, "welf_module_ref");
    LLVMSetInitializer(ref, desc);
    LLVMSetLinkage(ref, LLVMPrivateLinkage);
    LLVMSetGlobalConstant(ref, 1);
    LLVMSetSection(ref, "welf_modules");
    LLVMSetAlignment(ref, 8);

    /* llvm.used keeps the descriptor (and all it points to) alive, and
     * the pointer to it. */
    LLVMValueRef used_vals[2] = {desc, ref};
    LLVMValueRef used_arr = LLVMConstArray2(lm->t_ptr, used_vals, 2);
    LLVMValueRef used = LLVMAddGlobal(lm->mod, LLVMTypeOf(used_arr),
                                      "llvm.used");
    LLVMSetInitializer(used, used_arr);
    LLVMSetLinkage(used, LLVMAppendingLinkage);
    LLVMSetSection(used, "llvm.metadata");
    return true;

nomem:
    welf_error_set(lm->err, WELF_ERR_NOMEM, WELF_NO_OFFSET, "out of memory");
    return false;
}
