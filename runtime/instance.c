/*
 * instance.c — instantiation (WebAssembly 2.0, section 4.5.4): checking
 * the imports against the module's import types, building the vmctx
 * and the instance's own functions, memories, tables and globals, then,
 * inside a trap boundary, evaluating globals and element segments,
 * applying active element and data segments and running the start
 * function. Also export lookup and freeing an instance.
 */
#include "internal.h"

#include <string.h>

typedef void (*array_fn)(welf_vmctx *callee, welf_vmctx *caller,
                         welf_val_raw *args, size_t len);

/* ---- import matching (section 4.5.4 step 4, "import matching") ---- */

static welf_status incompatible(welf_error *err, const welf_desc_import *im,
                                uint32_t i, const char *why)
{
    return welf_error_set(err, WELF_ERR_LINK, WELF_NO_OFFSET,
                          "incompatible import type (import %u, \"%.*s\" "
                          "\"%.*s\": %s)", i, (int)im->module_len,
                          im->module ? im->module : "", (int)im->name_len,
                          im->name ? im->name : "", why);
}

/* Limits subtyping: the provided ones must be at least as tight. */
static bool limits_match(uint32_t min, bool has_max, uint32_t max,
                         const welf_desc_limits *want)
{
    if (min < want->min)
        return false;
    if (!want->has_max)
        return true;
    return has_max && max <= want->max;
}

static welf_status foreign(welf_error *err, uint32_t i)
{
    return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                          "import %u is missing or belongs to another "
                          "engine", i);
}

static welf_status check_import(const welf_module *module, uint32_t i,
                                const welf_extern *ex, welf_error *err)
{
    const welf_desc_module *d = module->desc;
    const welf_desc_import *im = &d->imports[i];
    welf_engine *engine = module->engine;
    if ((uint32_t)ex->kind != im->kind)
        return incompatible(err, im, i, "wrong kind");
    switch (im->kind) {
    case WELF_EXTERN_FUNC: {
        const welf_funcref *f = ex->u.func;
        if (!f || welf_funcref_engine(f) != engine)
            return foreign(err, i);
        uint32_t want = module->type_ids[d->funcs[im->index].type_index];
        if (f->type_id != want)
            return incompatible(err, im, i, "function type differs");
        return WELF_OK;
    }
    case WELF_EXTERN_TABLE: {
        const welf_table *t = ex->u.table;
        const welf_desc_table *want = &d->tables[im->index];
        if (!t || t->engine != engine)
            return foreign(err, i);
        if (t->elem_type != want->elem_type)
            return incompatible(err, im, i, "element type differs");
        if (!limits_match(t->rt.size, t->has_max, t->max, &want->limits))
            return incompatible(err, im, i, "table limits do not match");
        return WELF_OK;
    }
    case WELF_EXTERN_MEMORY: {
        const welf_memory *m = ex->u.memory;
        if (!m || m->engine != engine)
            return foreign(err, i);
        if (!limits_match(m->pages, m->has_max, m->max_pages,
                          &d->memories[im->index].limits))
            return incompatible(err, im, i, "memory limits do not match");
        return WELF_OK;
    }
    case WELF_EXTERN_GLOBAL: {
        const welf_global *g = ex->u.global;
        const welf_desc_global *want = &d->globals[im->index];
        if (!g || g->engine != engine)
            return foreign(err, i);
        if (g->type != want->type)
            return incompatible(err, im, i, "value type differs");
        if (g->is_mutable != (want->is_mutable != 0))
            return incompatible(err, im, i, "mutability differs");
        return WELF_OK;
    }
    default:
        welf_unreachable();
    }
}

/* ---- building ---- */

static void *zalloc(size_t count, size_t size)
{
    void *p = welf_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

static welf_limits_info limits_of(const welf_desc_limits *l)
{
    welf_limits_info out = {l->min, l->max, l->has_max != 0};
    return out;
}

/* The arrays of the vmctx and the instance, zeroed, so that a partly
 * built instance can be destroyed. */
static bool alloc_arrays(welf_instance *inst, const welf_desc_module *d)
{
    welf_vmctx *vm = &inst->vm;
    vm->funcs = zalloc(d->func_count, sizeof *vm->funcs);
    vm->memories = zalloc(d->memory_count, sizeof *vm->memories);
    vm->tables = zalloc(d->table_count, sizeof *vm->tables);
    vm->globals = zalloc(d->global_count, sizeof *vm->globals);
    inst->own_funcs = zalloc(d->func_count - d->func_import_count,
                             sizeof *inst->own_funcs);
    inst->memories = zalloc(d->memory_count, sizeof *inst->memories);
    inst->tables = zalloc(d->table_count, sizeof *inst->tables);
    inst->globals = zalloc(d->global_count, sizeof *inst->globals);
    inst->elems = zalloc(d->elem_count, sizeof *inst->elems);
    inst->data_sizes = zalloc(d->data_count, sizeof *inst->data_sizes);
    return vm->funcs && vm->memories && vm->tables && vm->globals &&
           inst->own_funcs && inst->memories && inst->tables &&
           inst->globals && inst->elems && inst->data_sizes;
}

static void bind_imports(welf_instance *inst, const welf_extern *imports)
{
    const welf_desc_module *d = inst->module->desc;
    welf_vmctx *vm = &inst->vm;
    for (uint32_t i = 0; i < d->import_count; i++) {
        uint32_t x = d->imports[i].index;
        const welf_extern *ex = &imports[i];
        switch (d->imports[i].kind) {
        case WELF_EXTERN_FUNC:
            vm->funcs[x] = ex->u.func;
            break;
        case WELF_EXTERN_TABLE:
            inst->tables[x] = ex->u.table;
            vm->tables[x] = &ex->u.table->rt;
            break;
        case WELF_EXTERN_MEMORY:
            inst->memories[x] = ex->u.memory;
            vm->memories[x] = &ex->u.memory->rt;
            break;
        case WELF_EXTERN_GLOBAL:
            inst->globals[x] = ex->u.global;
            vm->globals[x] = &ex->u.global->rt;
            break;
        default:
            welf_unreachable();
        }
    }
}

/* The module's own functions, memories, tables and globals, and room
 * for its element segments. */
static welf_status build_own(welf_instance *inst, welf_error *err)
{
    const welf_desc_module *d = inst->module->desc;
    welf_vmctx *vm = &inst->vm;
    welf_engine *engine = inst->engine;
    welf_status st;

    for (uint32_t i = d->func_import_count; i < d->func_count; i++) {
        const welf_desc_func *f = &d->funcs[i];
        welf_funcref *ref = &inst->own_funcs[i - d->func_import_count];
        ref->wasm_call = f->wasm_call;
        ref->array_call = f->array_call;
        ref->native_call = f->native_call;
        ref->type_id = inst->module->type_ids[f->type_index];
        ref->vmctx = vm;
        vm->funcs[i] = ref;
    }
    for (uint32_t i = d->memory_import_count; i < d->memory_count; i++) {
        st = welf_memory_create(engine, limits_of(&d->memories[i].limits),
                                &inst->memories[i], err);
        if (st != WELF_OK)
            return st;
        vm->memories[i] = &inst->memories[i]->rt;
    }
    for (uint32_t i = d->table_import_count; i < d->table_count; i++) {
        st = welf_table_create(engine, d->tables[i].elem_type,
                               limits_of(&d->tables[i].limits),
                               &inst->tables[i], err);
        if (st != WELF_OK)
            return st;
        vm->tables[i] = &inst->tables[i]->rt;
    }
    for (uint32_t i = d->global_import_count; i < d->global_count; i++) {
        st = welf_global_create(engine, d->globals[i].type,
                                d->globals[i].is_mutable != 0,
                                &inst->globals[i], err);
        if (st != WELF_OK)
            return st;
        vm->globals[i] = &inst->globals[i]->rt;
    }
    for (uint32_t i = 0; i < d->elem_count; i++) {
        const welf_desc_elem *e = &d->elems[i];
        if (e->mode == WELF_DESC_DECLARATIVE || e->count == 0)
            continue;
        inst->elems[i].vals = zalloc(e->count, sizeof(welf_val_raw));
        if (!inst->elems[i].vals)
            return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                                  "out of memory for element segment %u", i);
        inst->elems[i].count = e->count;
    }
    for (uint32_t i = 0; i < d->data_count; i++)
        inst->data_sizes[i] = d->datas[i].size_bytes;
    vm->memory0_base = d->memory_count ? vm->memories[0]->base : NULL;
    return WELF_OK;
}

/* Host functions get the importing module's wasm-to-array stub as their
 * wasm entry, unless they have one already. */
static void patch_imported_hosts(welf_instance *inst)
{
    const welf_desc_module *d = inst->module->desc;
    for (uint32_t i = 0; i < d->func_import_count; i++) {
        welf_funcref *f = inst->vm.funcs[i];
        if (!f->wasm_call)
            f->wasm_call = d->types[d->funcs[i].type_index].wasm_to_array;
    }
}

/* ---- initialisation, inside the trap boundary ---- */

static uint32_t eval_offset(welf_desc_init_fn fn, welf_vmctx *vm)
{
    welf_val_raw v;
    memset(&v, 0, sizeof v);
    fn(vm, &v);
    return (uint32_t)v.i32;
}

/*
 * Globals in order, then every element segment's references (constant
 * expressions: they cannot trap), then the active element segments and
 * the active data segments in order, each bounds-checked as a whole
 * before it is copied and then dropped, then the start function. A trap
 * leaves what was written before it.
 */
static void initialise(void *p)
{
    welf_instance *inst = p;
    const welf_desc_module *d = inst->module->desc;
    welf_vmctx *vm = &inst->vm;

    for (uint32_t i = d->global_import_count; i < d->global_count; i++)
        d->globals[i].init(vm, &inst->globals[i]->rt.value);

    for (uint32_t i = 0; i < d->elem_count; i++) {
        const welf_desc_elem *e = &d->elems[i];
        welf_elem_inst *seg = &inst->elems[i];
        if (!seg->count)
            continue;
        if (e->func_indices)
            for (uint32_t j = 0; j < e->count; j++)
                seg->vals[j].ref = vm->funcs[e->func_indices[j]];
        else
            e->init(vm, seg->vals);
    }

    for (uint32_t i = 0; i < d->elem_count; i++) {
        const welf_desc_elem *e = &d->elems[i];
        welf_elem_inst *seg = &inst->elems[i];
        if (e->mode == WELF_DESC_PASSIVE)
            continue;
        if (e->mode == WELF_DESC_ACTIVE) {
            uint32_t offset = eval_offset(e->offset, vm);
            welf_table_rt *t = vm->tables[e->table_index];
            if ((uint64_t)offset + e->count > t->size)
                welf_trap_raise(WELF_TRAP_TABLE_OOB);
            for (uint32_t j = 0; j < e->count; j++)
                t->elems[offset + j] = seg->vals[j].ref;
        }
        seg->count = 0;
    }

    for (uint32_t i = 0; i < d->data_count; i++) {
        const welf_desc_data *s = &d->datas[i];
        if (s->mode != WELF_DESC_ACTIVE)
            continue;
        uint32_t offset = eval_offset(s->offset, vm);
        welf_memory_rt *m = vm->memories[s->memory_index];
        if ((uint64_t)offset + s->size_bytes > m->size_bytes)
            welf_trap_raise(WELF_TRAP_MEMORY_OOB);
        if (s->size_bytes)
            memcpy(m->base + offset, s->bytes, s->size_bytes);
        inst->data_sizes[i] = 0;
    }

    if (d->start_func >= 0) {
        welf_funcref *f = vm->funcs[d->start_func];
        welf_val_raw slot;
        memset(&slot, 0, sizeof slot);
        ((array_fn)f->array_call)(f->vmctx, f->vmctx, &slot, 0);
    }
}

/* ---- the public API ---- */

welf_status welf_instance_new(welf_module *module, const welf_extern *imports,
                              uint32_t import_count, welf_instance **out,
                              welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (out)
        *out = NULL;
    if (!module || !out || (import_count && !imports))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_instance_new: missing argument");
    const welf_desc_module *d = module->desc;
    if (import_count != d->import_count)
        return welf_error_set(err, WELF_ERR_LINK, WELF_NO_OFFSET,
                              "the module has %u imports, %u given",
                              d->import_count, import_count);
    for (uint32_t i = 0; i < import_count; i++) {
        welf_status st = check_import(module, i, &imports[i], err);
        if (st != WELF_OK)
            return st;
    }

    welf_instance *inst = zalloc(1, sizeof *inst);
    if (!inst)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating an instance");
    inst->engine = module->engine;
    inst->module = module;
    inst->vm.builtins = &welf_builtins_table;
    inst->vm.call_state = &module->engine->call_state;
    inst->vm.type_ids = module->type_ids;
    if (!alloc_arrays(inst, d)) {
        welf_instance_destroy(inst);
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating an instance");
    }
    bind_imports(inst, imports);
    welf_status st = build_own(inst, err);
    if (st != WELF_OK) {
        welf_instance_destroy(inst);
        return st;
    }
    patch_imported_hosts(inst);

    /* From here the engine owns the instance, even if it traps: its
     * functions may already sit in imported tables. */
    inst->next = module->engine->instances;
    module->engine->instances = inst;
    st = welf_trap_guard(&module->engine->call_state, initialise, inst, err);
    if (st != WELF_OK)
        return st;
    *out = inst;
    return WELF_OK;
}

welf_status welf_instance_export(welf_instance *inst, const char *name,
                                 size_t name_len, welf_extern *out,
                                 welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!inst || (name_len && !name) || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_instance_export: missing argument");
    const welf_desc_module *d = inst->module->desc;
    for (uint32_t i = 0; i < d->export_count; i++) {
        const welf_desc_export *e = &d->exports[i];
        if (e->name_len != name_len ||
            (name_len && memcmp(e->name, name, name_len) != 0))
            continue;
        memset(out, 0, sizeof *out);
        out->kind = (welf_extern_kind)e->kind;
        switch (e->kind) {
        case WELF_EXTERN_FUNC: out->u.func = inst->vm.funcs[e->index]; break;
        case WELF_EXTERN_TABLE: out->u.table = inst->tables[e->index]; break;
        case WELF_EXTERN_MEMORY:
            out->u.memory = inst->memories[e->index];
            break;
        case WELF_EXTERN_GLOBAL:
            out->u.global = inst->globals[e->index];
            break;
        default:
            welf_unreachable();
        }
        return WELF_OK;
    }
    return welf_error_set(err, WELF_ERR_LINK, WELF_NO_OFFSET,
                          "unknown export \"%.*s\"",
                          name_len > 200 ? 200 : (int)name_len,
                          name ? name : "");
}

/* Frees an instance, complete or partly built. Imported objects belong
 * to others. */
void welf_instance_destroy(welf_instance *inst)
{
    const welf_desc_module *d = inst->module->desc;
    if (inst->memories)
        for (uint32_t i = d->memory_import_count; i < d->memory_count; i++)
            if (inst->memories[i])
                welf_memory_destroy(inst->memories[i]);
    if (inst->tables)
        for (uint32_t i = d->table_import_count; i < d->table_count; i++)
            if (inst->tables[i])
                welf_table_destroy(inst->tables[i]);
    if (inst->globals)
        for (uint32_t i = d->global_import_count; i < d->global_count; i++)
            if (inst->globals[i])
                welf_global_destroy(inst->globals[i]);
    if (inst->elems)
        for (uint32_t i = 0; i < d->elem_count; i++)
            welf_free(inst->elems[i].vals);
    welf_free(inst->vm.funcs);
    welf_free(inst->vm.memories);
    welf_free(inst->vm.tables);
    welf_free(inst->vm.globals);
    welf_free(inst->own_funcs);
    welf_free(inst->memories);
    welf_free(inst->tables);
    welf_free(inst->globals);
    welf_free(inst->elems);
    welf_free(inst->data_sizes);
    welf_free(inst);
}
