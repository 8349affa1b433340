/*
 * instance.c — instantiation (WebAssembly 2.0, section 4.5.4), in two
 * steps shared by welf_instance_new and the instance_pre of linker.c:
 *   - preparing the imports: checking each against the module's import
 *     type, gathering them per kind into the arrays an instance copies,
 *     and giving imported host functions a wasm entry (once);
 *   - instantiating from prepared imports: copying them, building the
 *     vmctx and the instance's own functions, memories, tables and
 *     globals, then, inside a trap boundary, evaluating globals and
 *     element segments, applying active element and data segments and
 *     running the start function.
 * Also export lookup and freeing an instance.
 */
#include "internal.h"

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

typedef void (*array_fn)(welf_vmctx *callee, welf_vmctx *caller,
                         welf_val_raw *args, size_t len);

/* ---- describing types in messages ---- */

void welf_name_format(char *buf, size_t size, const char *name, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    if (!size)
        return;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        bool plain = c >= 0x20 && c < 0x7f && c != '\\';
        size_t need = plain ? 1 : 3;
        /* keep room for "..." and the NUL */
        if (n + need + 4 > size) {
            if (n + 4 <= size) {
                memcpy(buf + n, "...", 3);
                n += 3;
            }
            break;
        }
        if (plain) {
            buf[n++] = (char)c;
        } else {
            buf[n++] = '\\';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        }
    }
    buf[n] = '\0';
}


static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case WELF_EXTERN_FUNC: return "a function";
    case WELF_EXTERN_TABLE: return "a table";
    case WELF_EXTERN_MEMORY: return "a memory";
    case WELF_EXTERN_GLOBAL: return "a global";
    default: return "an unknown kind";
    }
}

/* "(i32 i64) -> (f64)" */
static void functype_format(char *buf, size_t size, const welf_functype *t)
{
    size_t n = 0;
#define PUT(...)                                                           \
    do {                                                                   \
        int k_ = snprintf(buf + n, size - n, __VA_ARGS__);                 \
        if (k_ < 0 || (size_t)k_ >= size - n)                              \
            return;                                                        \
        n += (size_t)k_;                                                   \
    } while (0)
    buf[0] = '\0';
    if (!t) {
        PUT("(unknown type)");
        return;
    }
    PUT("(");
    for (uint32_t i = 0; i < t->param_count; i++)
        PUT("%s%s", i ? " " : "", welf_valtype_str(t->types[i]));
    PUT(") -> (");
    for (uint32_t i = 0; i < t->result_count; i++)
        PUT("%s%s", i ? " " : "",
            welf_valtype_str(t->types[t->param_count + i]));
    PUT(")");
#undef PUT
}

/* "min 1 max 2" or "min 1, no max" */
static void limits_format(char *buf, size_t size, const char *min_word,
                          uint32_t min, bool has_max, uint32_t max)
{
    if (has_max)
        snprintf(buf, size, "%s %u max %u", min_word, min, max);
    else
        snprintf(buf, size, "%s %u, no max", min_word, min);
}

/* ---- import matching (section 4.5.4 step 4, "import matching") ---- */

static welf_status incompatible(welf_error *err, const welf_desc_import *im,
                                const char *fmt, ...) WELF_PRINTF(3, 4);

static welf_status incompatible(welf_error *err, const welf_desc_import *im,
                                const char *fmt, ...)
{
    char module[64], name[64], why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    welf_name_format(module, sizeof module, im->module, im->module_len);
    welf_name_format(name, sizeof name, im->name, im->name_len);
    return welf_error_set(err, WELF_ERR_LINK, WELF_NO_OFFSET,
                          "incompatible import type for %s.%s: %s", module,
                          name, why);
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

welf_status welf_import_check(const welf_module *module, uint32_t i,
                              const welf_extern *ex, welf_error *err)
{
    const welf_desc_module *d = module->desc;
    const welf_desc_import *im = &d->imports[i];
    welf_engine *engine = module->engine;
    char want_s[64], got_s[64];
    if ((uint32_t)ex->kind != im->kind)
        return incompatible(err, im, "expected %s, got %s",
                            kind_name(im->kind), kind_name(ex->kind));
    switch (im->kind) {
    case WELF_EXTERN_FUNC: {
        const welf_funcref *f = ex->u.func;
        if (!f || welf_funcref_engine(f) != engine)
            return foreign(err, i);
        uint32_t want = module->type_ids[d->funcs[im->index].type_index];
        if (f->type_id == want)
            return WELF_OK;
        functype_format(want_s, sizeof want_s, welf_engine_type(engine, want));
        functype_format(got_s, sizeof got_s,
                        welf_engine_type(engine, f->type_id));
        return incompatible(err, im, "expected function %s, got %s", want_s,
                            got_s);
    }
    case WELF_EXTERN_TABLE: {
        const welf_table *t = ex->u.table;
        const welf_desc_table *want = &d->tables[im->index];
        if (!t || t->engine != engine)
            return foreign(err, i);
        if (t->elem_type != want->elem_type)
            return incompatible(err, im, "expected a table of %s, got one "
                                "of %s", welf_valtype_str(want->elem_type),
                                welf_valtype_str(t->elem_type));
        if (limits_match(t->rt.size, t->has_max, t->max, &want->limits))
            return WELF_OK;
        limits_format(want_s, sizeof want_s, "min", want->limits.min,
                      want->limits.has_max != 0, want->limits.max);
        limits_format(got_s, sizeof got_s, "size", t->rt.size, t->has_max,
                      t->max);
        return incompatible(err, im, "table limits: expected %s, got %s",
                            want_s, got_s);
    }
    case WELF_EXTERN_MEMORY: {
        const welf_memory *m = ex->u.memory;
        const welf_desc_limits *want = &d->memories[im->index].limits;
        if (!m || m->engine != engine)
            return foreign(err, i);
        if (limits_match(m->pages, m->has_max, m->max_pages, want))
            return WELF_OK;
        limits_format(want_s, sizeof want_s, "min", want->min,
                      want->has_max != 0, want->max);
        limits_format(got_s, sizeof got_s, "size", m->pages, m->has_max,
                      m->max_pages);
        return incompatible(err, im, "memory limits (pages): expected %s, "
                            "got %s", want_s, got_s);
    }
    case WELF_EXTERN_GLOBAL: {
        const welf_global *g = ex->u.global;
        const welf_desc_global *want = &d->globals[im->index];
        if (!g || g->engine != engine)
            return foreign(err, i);
        if (g->type == want->type && g->is_mutable == (want->is_mutable != 0))
            return WELF_OK;
        return incompatible(err, im, "expected global %s%s%s, got %s%s%s",
                            want->is_mutable ? "(mut " : "",
                            welf_valtype_str(want->type),
                            want->is_mutable ? ")" : "",
                            g->is_mutable ? "(mut " : "",
                            welf_valtype_str(g->type), g->is_mutable ? ")" : "");
    }
    default:
        welf_unreachable();
    }
}

/* ---- preparing imports ---- */

welf_status welf_imports_prepare(welf_module *module,
                                 const welf_extern *imports,
                                 welf_prepared_imports *out,
                                 welf_error *err)
{
    const welf_desc_module *d = module->desc;
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < d->import_count; i++) {
        welf_status st = welf_import_check(module, i, &imports[i], err);
        if (st != WELF_OK)
            return st;
    }
    size_t n = (size_t)d->func_import_count +
               2 * ((size_t)d->table_import_count + d->memory_import_count +
                    d->global_import_count);
    if (n == 0)
        return WELF_OK;
    void **block = welf_malloc(n * sizeof *block);
    if (!block)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory preparing %u imports",
                              d->import_count);
    out->block = block;
    out->funcs = (welf_funcref **)block;
    out->tables = (welf_table **)(out->funcs + d->func_import_count);
    out->table_rts = (welf_table_rt **)(out->tables + d->table_import_count);
    out->memories =
        (welf_memory **)(out->table_rts + d->table_import_count);
    out->memory_rts =
        (welf_memory_rt **)(out->memories + d->memory_import_count);
    out->globals =
        (welf_global **)(out->memory_rts + d->memory_import_count);
    out->global_rts =
        (welf_global_rt **)(out->globals + d->global_import_count);

    for (uint32_t i = 0; i < d->import_count; i++) {
        uint32_t x = d->imports[i].index;
        const welf_extern *ex = &imports[i];
        switch (d->imports[i].kind) {
        case WELF_EXTERN_FUNC: {
            welf_funcref *f = ex->u.func;
            /* A host function's wasm entry: this module's stub. */
            if (!f->wasm_call) {
                const welf_desc_type *t = &d->types[d->funcs[x].type_index];
                f->wasm_call = welf_host_wasm_stub(f, t->wasm_to_array,
                                                   t->wasm_to_native);
            }
            out->funcs[x] = f;
            break;
        }
        case WELF_EXTERN_TABLE:
            out->tables[x] = ex->u.table;
            out->table_rts[x] = &ex->u.table->rt;
            break;
        case WELF_EXTERN_MEMORY:
            out->memories[x] = ex->u.memory;
            out->memory_rts[x] = &ex->u.memory->rt;
            break;
        case WELF_EXTERN_GLOBAL:
            out->globals[x] = ex->u.global;
            out->global_rts[x] = &ex->u.global->rt;
            break;
        default:
            welf_unreachable();
        }
    }
    return WELF_OK;
}

void welf_prepared_imports_release(welf_prepared_imports *p)
{
    welf_free(p->block);
    memset(p, 0, sizeof *p);
}

/* ---- building ---- */

static welf_limits_info limits_of(const welf_desc_limits *l)
{
    welf_limits_info out = {l->min, l->max, l->has_max != 0};
    return out;
}

/* Where the arrays of an instance sit in its one allocation, after the
 * instance record: pointer arrays first, then the funcrefs and segment
 * records, then the data sizes. */
typedef struct instance_layout {
    size_t vm_funcs, vm_memories, vm_tables, vm_globals;
    size_t memories, tables, globals, own_funcs, elems, data_sizes;
    size_t total;
} instance_layout;

static size_t place(size_t *at, size_t align, size_t count, size_t size)
{
    size_t offset = (*at + align - 1) & ~(align - 1);
    *at = offset + count * size;
    return offset;
}

static void instance_layout_of(const welf_desc_module *d, instance_layout *l)
{
    size_t at = sizeof(welf_instance);
    size_t p = sizeof(void *);
    l->vm_funcs = place(&at, alignof(void *), d->func_count, p);
    l->vm_memories = place(&at, alignof(void *), d->memory_count, p);
    l->vm_tables = place(&at, alignof(void *), d->table_count, p);
    l->vm_globals = place(&at, alignof(void *), d->global_count, p);
    l->memories = place(&at, alignof(void *), d->memory_count, p);
    l->tables = place(&at, alignof(void *), d->table_count, p);
    l->globals = place(&at, alignof(void *), d->global_count, p);
    l->own_funcs = place(&at, alignof(welf_funcref),
                         d->func_count - d->func_import_count,
                         sizeof(welf_funcref));
    l->elems = place(&at, alignof(welf_elem_inst), d->elem_count,
                     sizeof(welf_elem_inst));
    l->data_sizes = place(&at, alignof(uint32_t), d->data_count,
                          sizeof(uint32_t));
    l->total = at;
}

/* The instance record and all its arrays in one zeroed block, so that a
 * partly built instance can be destroyed. */
static welf_instance *instance_alloc(welf_module *module)
{
    const welf_desc_module *d = module->desc;
    instance_layout l;
    instance_layout_of(d, &l);
    char *block = welf_malloc(l.total);
    if (!block)
        return NULL;
    memset(block, 0, l.total);
    welf_instance *inst = (welf_instance *)(void *)block;
    inst->engine = module->engine;
    inst->module = module;
    inst->vm.builtins = &welf_builtins_table;
    inst->vm.call_state = &module->engine->call_state;
    inst->vm.type_ids = module->type_ids;
    inst->vm.funcs = (welf_funcref **)(void *)(block + l.vm_funcs);
    inst->vm.memories = (welf_memory_rt **)(void *)(block + l.vm_memories);
    inst->vm.tables = (welf_table_rt **)(void *)(block + l.vm_tables);
    inst->vm.globals = (welf_global_rt **)(void *)(block + l.vm_globals);
    inst->memories = (welf_memory **)(void *)(block + l.memories);
    inst->tables = (welf_table **)(void *)(block + l.tables);
    inst->globals = (welf_global **)(void *)(block + l.globals);
    inst->own_funcs = (welf_funcref *)(void *)(block + l.own_funcs);
    inst->elems = (welf_elem_inst *)(void *)(block + l.elems);
    inst->data_sizes = (uint32_t *)(void *)(block + l.data_sizes);
    return inst;
}

static void copy_ptrs(void *dst, const void *src, uint32_t count)
{
    if (count)
        memcpy(dst, src, (size_t)count * sizeof(void *));
}

/* The prepared imports, copied: they head each index space. */
static void bind_imports(welf_instance *inst, const welf_prepared_imports *p)
{
    const welf_desc_module *d = inst->module->desc;
    welf_vmctx *vm = &inst->vm;
    copy_ptrs(vm->funcs, p->funcs, d->func_import_count);
    copy_ptrs(inst->tables, p->tables, d->table_import_count);
    copy_ptrs(vm->tables, p->table_rts, d->table_import_count);
    copy_ptrs(inst->memories, p->memories, d->memory_import_count);
    copy_ptrs(vm->memories, p->memory_rts, d->memory_import_count);
    copy_ptrs(inst->globals, p->globals, d->global_import_count);
    copy_ptrs(vm->globals, p->global_rts, d->global_import_count);
}

static void *zalloc(size_t count, size_t size)
{
    void *p = welf_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
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
                welf_trap_raise(WELF_TRAP_CODE_TABLE_OOB);
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
            welf_trap_raise(WELF_TRAP_CODE_MEMORY_OOB);
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

/* ---- instantiating ---- */

welf_status welf_instance_create(welf_module *module,
                                 const welf_prepared_imports *p,
                                 welf_instance **out, welf_error *err)
{
    *out = NULL;
    welf_instance *inst = instance_alloc(module);
    if (!inst)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating an instance");
    bind_imports(inst, p);
    welf_status st = build_own(inst, err);
    if (st != WELF_OK) {
        welf_instance_destroy(inst);
        return st;
    }

    /* From here the engine owns the instance, even if it traps: its
     * functions may already sit in imported tables. */
    welf_engine *engine = module->engine;
    inst->next = engine->instances;
    engine->instances = inst;
    st = welf_trap_guard(engine, initialise, inst, err);
    if (st != WELF_OK)
        return st;
    *out = inst;
    return WELF_OK;
}

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
    welf_prepared_imports p;
    welf_status st = welf_imports_prepare(module, imports, &p, err);
    if (st != WELF_OK)
        return st;
    st = welf_instance_create(module, &p, out, err);
    welf_prepared_imports_release(&p);
    return st;
}

/* ---- exports ---- */

void welf_instance_export_at(const welf_instance *inst, uint32_t i,
                             welf_extern *out)
{
    const welf_desc_export *e = &inst->module->desc->exports[i];
    memset(out, 0, sizeof *out);
    out->kind = (welf_extern_kind)e->kind;
    switch (e->kind) {
    case WELF_EXTERN_FUNC: out->u.func = inst->vm.funcs[e->index]; break;
    case WELF_EXTERN_TABLE: out->u.table = inst->tables[e->index]; break;
    case WELF_EXTERN_MEMORY: out->u.memory = inst->memories[e->index]; break;
    case WELF_EXTERN_GLOBAL: out->u.global = inst->globals[e->index]; break;
    default:
        welf_unreachable();
    }
}

welf_status welf_instance_export(welf_instance *inst, const char *name,
                                 size_t name_len, welf_extern *out,
                                 welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!inst || !inst->module || (name_len && !name) || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_instance_export: missing argument");
    const welf_desc_module *d = inst->module->desc;
    for (uint32_t i = 0; i < d->export_count; i++) {
        const welf_desc_export *e = &d->exports[i];
        if (e->name_len != name_len ||
            (name_len && memcmp(e->name, name, name_len) != 0))
            continue;
        welf_instance_export_at(inst, i, out);
        return WELF_OK;
    }
    return welf_error_set(err, WELF_ERR_LINK, WELF_NO_OFFSET,
                          "unknown export \"%.*s\"",
                          name_len > 200 ? 200 : (int)name_len,
                          name ? name : "");
}

/* ---- freeing ---- */

/* Frees an instance, complete or partly built. Imported objects belong
 * to others. The arrays live in the instance's own block. */
void welf_instance_destroy(welf_instance *inst)
{
    const welf_desc_module *d = inst->module->desc;
    for (uint32_t i = d->memory_import_count; i < d->memory_count; i++)
        if (inst->memories[i])
            welf_memory_destroy(inst->memories[i]);
    for (uint32_t i = d->table_import_count; i < d->table_count; i++)
        if (inst->tables[i])
            welf_table_destroy(inst->tables[i]);
    for (uint32_t i = d->global_import_count; i < d->global_count; i++)
        if (inst->globals[i])
            welf_global_destroy(inst->globals[i]);
    for (uint32_t i = 0; i < d->elem_count; i++)
        welf_free(inst->elems[i].vals);
    welf_free(inst);
}
