/*
 * module.c — modules: a descriptor checked and its types interned
 * (welf_module_from_desc), loading one from an object file through the
 * loader (welf_module_load*), and describing its imports. The loader
 * (loader.c) maps objects and checks magic, version and target; this
 * file checks that the rest of the descriptor is consistent before
 * anything trusts its counts and indices.
 */
#include "internal.h"

#include <string.h>

/* ---- descriptor checks ---- */

static welf_status bad_desc(welf_error *err, const char *what, uint32_t i)
{
    return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                          "inconsistent module descriptor: %s %u", what, i);
}

static bool limits_ok(const welf_desc_limits *l, uint32_t bound)
{
    if (l->min > bound)
        return false;
    return !l->has_max || (l->max >= l->min && l->max <= bound);
}

static uint32_t kind_count(const welf_desc_module *d, uint8_t kind)
{
    switch (kind) {
    case WELF_EXTERN_FUNC: return d->func_count;
    case WELF_EXTERN_TABLE: return d->table_count;
    case WELF_EXTERN_MEMORY: return d->memory_count;
    case WELF_EXTERN_GLOBAL: return d->global_count;
    default: return 0;
    }
}

static uint32_t kind_import_count(const welf_desc_module *d, uint8_t kind)
{
    switch (kind) {
    case WELF_EXTERN_FUNC: return d->func_import_count;
    case WELF_EXTERN_TABLE: return d->table_import_count;
    case WELF_EXTERN_MEMORY: return d->memory_import_count;
    case WELF_EXTERN_GLOBAL: return d->global_import_count;
    default: return 0;
    }
}

/* Non-NULL arrays for non-zero counts. */
static welf_status check_arrays(const welf_desc_module *d, welf_error *err)
{
    struct {
        uint32_t count;
        const void *array;
        const char *name;
    } arrays[] = {
        {d->type_count, d->types, "types"},
        {d->import_count, d->imports, "imports"},
        {d->func_count, d->funcs, "funcs"},
        {d->table_count, d->tables, "tables"},
        {d->memory_count, d->memories, "memories"},
        {d->global_count, d->globals, "globals"},
        {d->export_count, d->exports, "exports"},
        {d->elem_count, d->elems, "elems"},
        {d->data_count, d->datas, "datas"},
    };
    for (size_t i = 0; i < WELF_ARRAY_LEN(arrays); i++)
        if (arrays[i].count && !arrays[i].array)
            return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                                  "inconsistent module descriptor: %u %s "
                                  "but no array", arrays[i].count,
                                  arrays[i].name);
    return WELF_OK;
}

/*
 * Imports come first in each index space, in order: the j-th import of a
 * kind has index j of that kind. The per-kind import counts add up to
 * import_count and fit in the kind's total.
 */
static welf_status check_imports(const welf_desc_module *d, welf_error *err)
{
    uint32_t seen[4] = {0, 0, 0, 0};
    for (uint8_t k = 0; k < 4; k++)
        if (kind_import_count(d, k) > kind_count(d, k))
            return bad_desc(err, "more imports than entries of kind", k);
    uint64_t total = (uint64_t)d->func_import_count + d->table_import_count +
                     d->memory_import_count + d->global_import_count;
    if (total != d->import_count)
        return bad_desc(err, "import counts do not add up to",
                        d->import_count);
    for (uint32_t i = 0; i < d->import_count; i++) {
        const welf_desc_import *im = &d->imports[i];
        if (im->kind > WELF_EXTERN_GLOBAL)
            return bad_desc(err, "unknown kind of import", i);
        if (im->index != seen[im->kind] ||
            im->index >= kind_import_count(d, im->kind))
            return bad_desc(err, "import out of order:", i);
        seen[im->kind]++;
        if ((im->module_len && !im->module) || (im->name_len && !im->name))
            return bad_desc(err, "missing name of import", i);
    }
    return WELF_OK;
}

static welf_status check_types(const welf_desc_module *d, welf_error *err)
{
    for (uint32_t i = 0; i < d->type_count; i++) {
        const welf_desc_type *t = &d->types[i];
        uint64_t n = (uint64_t)t->param_count + t->result_count;
        if (n && !t->types)
            return bad_desc(err, "no value types in type", i);
        for (uint64_t j = 0; j < n; j++)
            if (!welf_valtype_valid(t->types[j]))
                return bad_desc(err, "unknown value type in type", i);
    }
    return WELF_OK;
}

/* Defined functions that escape by export or as the start function must
 * have an array entry; the rest of the checks are on index ranges. */
static welf_status check_funcs(const welf_desc_module *d, welf_error *err)
{
    for (uint32_t i = 0; i < d->func_count; i++) {
        const welf_desc_func *f = &d->funcs[i];
        if (f->type_index >= d->type_count)
            return bad_desc(err, "unknown type of function", i);
        if (i >= d->func_import_count && !f->wasm_call)
            return bad_desc(err, "no wasm entry for function", i);
    }
    if (d->start_func != -1) {
        if (d->start_func < 0 || (uint32_t)d->start_func >= d->func_count)
            return bad_desc(err, "unknown start function",
                            (uint32_t)d->start_func);
        const welf_desc_func *f = &d->funcs[d->start_func];
        const welf_desc_type *t = &d->types[f->type_index];
        if (t->param_count || t->result_count)
            return bad_desc(err, "start function has a signature, function",
                            (uint32_t)d->start_func);
        if ((uint32_t)d->start_func >= d->func_import_count && !f->array_call)
            return bad_desc(err, "no array entry for start function",
                            (uint32_t)d->start_func);
    }
    for (uint32_t i = 0; i < d->export_count; i++) {
        const welf_desc_export *e = &d->exports[i];
        if (e->kind > WELF_EXTERN_GLOBAL || e->index >= kind_count(d, e->kind))
            return bad_desc(err, "unknown kind or index of export", i);
        if (e->name_len && !e->name)
            return bad_desc(err, "no name for export", i);
        if (e->kind == WELF_EXTERN_FUNC && e->index >= d->func_import_count &&
            !d->funcs[e->index].array_call)
            return bad_desc(err, "no array entry for exported function",
                            e->index);
    }
    return WELF_OK;
}

static welf_status check_storage(const welf_desc_module *d, welf_error *err)
{
    for (uint32_t i = 0; i < d->table_count; i++) {
        const welf_desc_table *t = &d->tables[i];
        if (t->elem_type != WELF_TYPE_FUNCREF &&
            t->elem_type != WELF_TYPE_EXTERNREF)
            return bad_desc(err, "unknown element type of table", i);
        if (!limits_ok(&t->limits, UINT32_MAX))
            return bad_desc(err, "bad limits of table", i);
    }
    for (uint32_t i = 0; i < d->memory_count; i++)
        if (!limits_ok(&d->memories[i].limits, WELF_MAX_PAGES))
            return bad_desc(err, "bad limits of memory", i);
    for (uint32_t i = 0; i < d->global_count; i++) {
        const welf_desc_global *g = &d->globals[i];
        if (!welf_valtype_valid(g->type) || g->is_mutable > 1)
            return bad_desc(err, "bad type of global", i);
        if (i >= d->global_import_count && !g->init)
            return bad_desc(err, "no initialiser for global", i);
    }
    return WELF_OK;
}

static welf_status check_segments(const welf_desc_module *d, welf_error *err)
{
    for (uint32_t i = 0; i < d->elem_count; i++) {
        const welf_desc_elem *e = &d->elems[i];
        if (e->mode > WELF_DESC_DECLARATIVE)
            return bad_desc(err, "unknown mode of element segment", i);
        if (e->elem_type != WELF_TYPE_FUNCREF &&
            e->elem_type != WELF_TYPE_EXTERNREF)
            return bad_desc(err, "unknown type of element segment", i);
        if (e->mode == WELF_DESC_ACTIVE &&
            (e->table_index >= d->table_count || !e->offset ||
             d->tables[e->table_index].elem_type != e->elem_type))
            return bad_desc(err, "bad table or offset of element segment",
                            i);
        if (e->count && !e->func_indices == !e->init)
            return bad_desc(err, "need exactly one of func_indices and init "
                            "in element segment", i);
        if (e->func_indices)
            for (uint32_t j = 0; j < e->count; j++)
                if (e->func_indices[j] >= d->func_count)
                    return bad_desc(err, "unknown function in element "
                                    "segment", i);
    }
    for (uint32_t i = 0; i < d->data_count; i++) {
        const welf_desc_data *s = &d->datas[i];
        if (s->mode > WELF_DESC_PASSIVE)
            return bad_desc(err, "unknown mode of data segment", i);
        if (s->mode == WELF_DESC_ACTIVE &&
            (s->memory_index >= d->memory_count || !s->offset))
            return bad_desc(err, "bad memory or offset of data segment", i);
        if (s->size_bytes && !s->bytes)
            return bad_desc(err, "no bytes for data segment", i);
    }
    return WELF_OK;
}

static welf_status desc_validate(const welf_desc_module *d, welf_error *err)
{
    welf_status st = check_arrays(d, err);
    if (st == WELF_OK)
        st = check_imports(d, err);
    if (st == WELF_OK)
        st = check_types(d, err);
    if (st == WELF_OK)
        st = check_funcs(d, err);
    if (st == WELF_OK)
        st = check_storage(d, err);
    if (st == WELF_OK)
        st = check_segments(d, err);
    return st;
}

/* ---- modules ---- */

/*
 * The descriptor is not copied: it must outlive the engine (a linked-in
 * one always does; a loaded one lives in `code`). When `code` is given,
 * the module takes the mapping over whether or not it succeeds: on
 * failure the mapping is unloaded here, so a caller never has to.
 */
welf_status welf_module_from_desc(welf_engine *engine,
                                  const welf_desc_module *desc,
                                  welf_code *code, welf_module **out,
                                  welf_error *err)
{
    if (err)
        welf_error_clear(err);
    welf_status st;
    welf_module *module = NULL;
    if (out)
        *out = NULL;
    if (!engine || !desc || !out) {
        st = welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                            "welf_module_from_desc: missing argument");
        goto fail;
    }
    st = welf_desc_check(desc, err);
    if (st == WELF_OK)
        st = desc_validate(desc, err);
    if (st != WELF_OK)
        goto fail;

    module = welf_malloc(sizeof *module);
    if (!module)
        goto nomem;
    memset(module, 0, sizeof *module);
    module->engine = engine;
    module->desc = desc;
    module->type_ids = welf_malloc((size_t)desc->type_count *
                                   sizeof *module->type_ids);
    if (!module->type_ids)
        goto nomem;
    for (uint32_t i = 0; i < desc->type_count; i++) {
        const welf_desc_type *t = &desc->types[i];
        const uint8_t *results = t->types ? t->types + t->param_count : NULL;
        st = welf_engine_intern_type(engine, t->types, t->param_count,
                                     results, t->result_count,
                                     t->wasm_to_array, t->wasm_to_native,
                                     &module->type_ids[i], err);
        if (st != WELF_OK)
            goto fail;
    }
    if (code)
        module->code = *code;
    module->next = engine->modules;
    engine->modules = module;
    *out = module;
    return WELF_OK;

nomem:
    st = welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                        "out of memory creating a module");
fail:
    if (module)
        welf_free(module->type_ids);
    welf_free(module);
    if (code)
        welf_code_unload(code);
    return st;
}

welf_status welf_module_load_memory(welf_engine *engine, const void *bytes,
                                    size_t size, welf_module **out,
                                    welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (out)
        *out = NULL;
    if (!engine || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_module_load_memory: missing argument");
    welf_code code;
    welf_status st = welf_code_load(bytes, size, &code, err);
    if (st != WELF_OK)
        return st;
    return welf_module_from_desc(engine, code.desc, &code, out, err);
}

welf_status welf_module_load(welf_engine *engine, const char *path,
                             welf_module **out, welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (out)
        *out = NULL;
    if (!engine || !path || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_module_load: missing argument");
    uint8_t *bytes;
    size_t size;
    welf_status st = welf_file_read(path, &bytes, &size, err);
    if (st != WELF_OK)
        return st;
    st = welf_module_load_memory(engine, bytes, size, out, err);
    welf_free(bytes);
    return st;
}

void welf_module_destroy(welf_module *module)
{
    welf_code_unload(&module->code);
    welf_free(module->type_ids);
    welf_free(module);
}

/* ---- imports ---- */

uint32_t welf_module_import_count(const welf_module *module)
{
    return module->desc->import_count;
}

static welf_limits_info limits_info(const welf_desc_limits *l)
{
    welf_limits_info out = {l->min, l->max, l->has_max != 0};
    if (!out.has_max)
        out.max = 0;
    return out;
}

/* The type of external `index` of `kind`, in the fields import and
 * export descriptions share. */
static void describe_extern(const welf_desc_module *d, uint8_t kind,
                            uint32_t index, welf_functype_info *func,
                            welf_limits_info *limits, uint8_t *type,
                            bool *is_mutable)
{
    switch (kind) {
    case WELF_EXTERN_FUNC: {
        const welf_desc_type *t = &d->types[d->funcs[index].type_index];
        func->param_count = t->param_count;
        func->result_count = t->result_count;
        func->params = t->types;
        func->results = t->types ? t->types + t->param_count : NULL;
        break;
    }
    case WELF_EXTERN_TABLE:
        *limits = limits_info(&d->tables[index].limits);
        *type = d->tables[index].elem_type;
        break;
    case WELF_EXTERN_MEMORY:
        *limits = limits_info(&d->memories[index].limits);
        break;
    case WELF_EXTERN_GLOBAL:
        *type = d->globals[index].type;
        *is_mutable = d->globals[index].is_mutable != 0;
        break;
    default:
        break;
    }
}

void welf_module_import(const welf_module *module, uint32_t i,
                        welf_import_info *out)
{
    const welf_desc_module *d = module->desc;
    memset(out, 0, sizeof *out);
    if (i >= d->import_count)
        return;
    const welf_desc_import *im = &d->imports[i];
    out->module = im->module;
    out->module_len = im->module_len;
    out->name = im->name;
    out->name_len = im->name_len;
    out->kind = (welf_extern_kind)im->kind;
    describe_extern(d, im->kind, im->index, &out->func, &out->limits,
                    &out->type, &out->is_mutable);
}

uint32_t welf_module_export_count(const welf_module *module)
{
    return module->desc->export_count;
}

void welf_module_export(const welf_module *module, uint32_t i,
                        welf_export_info *out)
{
    const welf_desc_module *d = module->desc;
    memset(out, 0, sizeof *out);
    if (i >= d->export_count)
        return;
    const welf_desc_export *ex = &d->exports[i];
    out->name = ex->name;
    out->name_len = ex->name_len;
    out->kind = (welf_extern_kind)ex->kind;
    out->index = ex->index;
    describe_extern(d, ex->kind, ex->index, &out->func, &out->limits,
                    &out->type, &out->is_mutable);
}

welf_status welf_module_from_linked(welf_engine *engine,
                                    const welf_desc_module *desc,
                                    welf_module **out, welf_error *err)
{
    return welf_module_from_desc(engine, desc, NULL, out, err);
}
