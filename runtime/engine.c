/*
 * engine.c — the engine: creation, the engine-wide registry of canonical
 * function types, and welf_engine_free, which frees everything the
 * engine owns (internal.h lists what that is). Modules, instances and
 * the objects themselves are built in their own files.
 */
#include "internal.h"

#include <string.h>

welf_status welf_engine_new(welf_engine **out, welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_engine_new: no output");
    *out = NULL;
    welf_status st = welf_trap_install(err);
    if (st != WELF_OK)
        return st;
    welf_engine *engine = welf_malloc(sizeof *engine);
    if (!engine)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating an engine");
    memset(engine, 0, sizeof *engine);
    *out = engine;
    return WELF_OK;
}

/*
 * Instances go first: they only point at imported objects, and their
 * own memories, tables and globals are theirs to free. Then the objects
 * made through the public API, then the modules (whose code the
 * instances ran), then the type registry.
 */
void welf_engine_free(welf_engine *engine)
{
    if (!engine)
        return;
    welf_engine_attachments_free(engine);
    for (welf_instance *i = engine->instances, *next; i; i = next) {
        next = i->next;
        welf_instance_destroy(i);
    }
    for (welf_memory *m = engine->memories, *next; m; m = next) {
        next = m->next;
        welf_memory_destroy(m);
    }
    for (welf_table *t = engine->tables, *next; t; t = next) {
        next = t->next;
        welf_table_destroy(t);
    }
    for (welf_global *g = engine->globals, *next; g; g = next) {
        next = g->next;
        welf_global_destroy(g);
    }
    for (welf_host_func *h = engine->hosts, *next; h; h = next) {
        next = h->next;
        welf_host_func_destroy(h);
    }
    for (welf_module *m = engine->modules, *next; m; m = next) {
        next = m->next;
        welf_module_destroy(m);
    }
    for (uint32_t i = 0; i < engine->type_count; i++)
        welf_free(engine->types[i].types);
    welf_free(engine->types);
    welf_free(engine->buckets);
    welf_free(engine);
}

bool welf_valtype_valid(uint8_t type)
{
    switch (type) {
    case WELF_TYPE_I32:
    case WELF_TYPE_I64:
    case WELF_TYPE_F32:
    case WELF_TYPE_F64:
    case WELF_TYPE_V128:
    case WELF_TYPE_FUNCREF:
    case WELF_TYPE_EXTERNREF:
        return true;
    default:
        return false;
    }
}

/* ---- the type registry ---- */

/* FNV-1a over the counts and the value types. */
static uint32_t sig_hash(const uint8_t *params, uint32_t param_count,
                         const uint8_t *results, uint32_t result_count)
{
    uint32_t h = 2166136261u;
    uint32_t counts[2] = {param_count, result_count};
    const uint8_t *c = (const uint8_t *)counts;
    for (size_t i = 0; i < sizeof counts; i++)
        h = (h ^ c[i]) * 16777619u;
    for (uint32_t i = 0; i < param_count; i++)
        h = (h ^ params[i]) * 16777619u;
    for (uint32_t i = 0; i < result_count; i++)
        h = (h ^ results[i]) * 16777619u;
    return h;
}

static bool sig_equal(const welf_functype *t, uint32_t hash,
                      const uint8_t *params, uint32_t param_count,
                      const uint8_t *results, uint32_t result_count)
{
    return t->hash == hash && t->param_count == param_count &&
           t->result_count == result_count &&
           (param_count == 0 || memcmp(t->types, params, param_count) == 0) &&
           (result_count == 0 ||
            memcmp(t->types + param_count, results, result_count) == 0);
}

/* Doubles the bucket array (keeping it at most half full) and rehashes. */
static bool buckets_grow(welf_engine *engine)
{
    uint32_t count = engine->bucket_count ? engine->bucket_count * 2 : 64;
    uint32_t *b = welf_malloc((size_t)count * sizeof *b);
    if (!b)
        return false;
    memset(b, 0, (size_t)count * sizeof *b);
    for (uint32_t i = 0; i < engine->type_count; i++) {
        uint32_t slot = engine->types[i].hash & (count - 1);
        while (b[slot])
            slot = (slot + 1) & (count - 1);
        b[slot] = i + 1;
    }
    welf_free(engine->buckets);
    engine->buckets = b;
    engine->bucket_count = count;
    return true;
}

/* Gives host functions of type `id` that still lack a wasm entry the
 * stub a module just brought (see welf_func_new_host). */
static void patch_hosts(welf_engine *engine, uint32_t id,
                        const welf_functype *t)
{
    for (welf_host_func *h = engine->hosts; h; h = h->next)
        if (h->pub.func.type_id == id && !h->pub.func.wasm_call)
            h->pub.func.wasm_call = welf_host_wasm_stub(&h->pub.func, t->wasm_to_array,
                                                   t->wasm_to_native);
}

welf_status welf_engine_intern_type(welf_engine *engine,
                                    const uint8_t *params,
                                    uint32_t param_count,
                                    const uint8_t *results,
                                    uint32_t result_count, void *to_array,
                                    void *to_native, uint32_t *id,
                                    welf_error *err)
{
    uint32_t hash = sig_hash(params, param_count, results, result_count);
    if (engine->bucket_count) {
        uint32_t mask = engine->bucket_count - 1;
        for (uint32_t slot = hash & mask; engine->buckets[slot];
             slot = (slot + 1) & mask) {
            uint32_t found = engine->buckets[slot];
            welf_functype *t = &engine->types[found - 1];
            if (sig_equal(t, hash, params, param_count, results,
                          result_count)) {
                if ((to_array && !t->wasm_to_array) ||
                    (to_native && !t->wasm_to_native)) {
                    if (!t->wasm_to_array)
                        t->wasm_to_array = to_array;
                    if (!t->wasm_to_native)
                        t->wasm_to_native = to_native;
                    patch_hosts(engine, found, t);
                }
                *id = found;
                return WELF_OK;
            }
        }
    }

    if (engine->type_count == UINT32_MAX - 1)
        return welf_error_set(err, WELF_ERR_TOO_MANY, WELF_NO_OFFSET,
                              "too many function types in one engine");
    if ((uint64_t)(engine->type_count + 1) * 2 > engine->bucket_count &&
        !buckets_grow(engine))
        goto nomem;
    if (engine->type_count == engine->type_cap) {
        uint32_t cap = engine->type_cap ? engine->type_cap * 2 : 16;
        welf_functype *types =
            welf_realloc(engine->types, (size_t)cap * sizeof *types);
        if (!types)
            goto nomem;
        engine->types = types;
        engine->type_cap = cap;
    }
    size_t n = (size_t)param_count + result_count;
    uint8_t *copy = welf_malloc(n);
    if (!copy)
        goto nomem;
    if (param_count)
        memcpy(copy, params, param_count);
    if (result_count)
        memcpy(copy + param_count, results, result_count);

    welf_functype *t = &engine->types[engine->type_count];
    t->param_count = param_count;
    t->result_count = result_count;
    t->types = copy;
    t->hash = hash;
    t->wasm_to_array = to_array;
    t->wasm_to_native = to_native;
    uint32_t new_id = ++engine->type_count;
    uint32_t mask = engine->bucket_count - 1;
    uint32_t slot = hash & mask;
    while (engine->buckets[slot])
        slot = (slot + 1) & mask;
    engine->buckets[slot] = new_id;
    *id = new_id;
    return WELF_OK;

nomem:
    return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                          "out of memory interning a function type");
}


/* ---- symbolizing code addresses ---- */

/*
 * Where the code of linked modules ends, when the program was linked
 * with linker-scripts/welf.ld: it gathers every object's wasm code and
 * trampolines between these two symbols.
 */
extern const char __welf_code_start[] __attribute__((weak, visibility("hidden")));
extern const char __welf_code_end[] __attribute__((weak, visibility("hidden")));

/* Without the linker script, how far past the last known entry of a
 * linked module an address may be and still count as its code. */
#define LINKED_SLACK (1u << 20)

typedef struct nearest {
    uintptr_t start;
    uint32_t func;          /* UINT32_MAX: not a function's code */
    uint32_t kind;          /* WELF_LINES_* */
} nearest;

static void consider(nearest *n, uintptr_t pc, const void *code,
                     uint32_t func, uint32_t kind)
{
    uintptr_t start = (uintptr_t)code;
    if (start && start <= pc && start >= n->start) {
        /* A body wins a tie with anything else at the same address. */
        if (start == n->start &&
            (func == UINT32_MAX || kind != WELF_LINES_WASM))
            return;
        n->start = start;
        n->func = func;
        n->kind = kind;
    }
}

bool welf_engine_symbolize(const welf_engine *engine, uintptr_t pc,
                           welf_frame *out, welf_code_site *site)
{
    for (const welf_module *m = engine ? engine->modules : NULL; m;
         m = m->next) {
        const welf_desc_module *d = m->desc;
        if (m->code.map) {
            if (pc < m->code.text_start || pc >= m->code.text_end)
                continue;
        } else if (__welf_code_start && __welf_code_end) {
            if (pc < (uintptr_t)__welf_code_start ||
                pc >= (uintptr_t)__welf_code_end)
                continue;
        }
        /* The closest entry at or below pc among everything the
         * descriptor names: bodies, trampolines, stubs, initialisers. */
        nearest n = {0, UINT32_MAX, WELF_LINES_WASM};
        /* An entry trampoline stands for its function: optimisation
         * inlines small bodies into them. */
        for (uint32_t i = d->func_import_count; i < d->func_count; i++) {
            const void *body = d->funcs[i].body;
            consider(&n, pc, body ? body : d->funcs[i].wasm_call, i,
                     WELF_LINES_WASM);
            if (body)
                consider(&n, pc, d->funcs[i].wasm_call, i, WELF_LINES_THUNK);
            consider(&n, pc, d->funcs[i].array_call, i, WELF_LINES_ARRAY);
            consider(&n, pc, d->funcs[i].native_call, i,
                     WELF_LINES_NATIVE);
        }
        for (uint32_t i = 0; i < d->type_count; i++) {
            consider(&n, pc, d->types[i].wasm_to_array, UINT32_MAX,
                     WELF_LINES_WASM);
            consider(&n, pc, d->types[i].wasm_to_native, UINT32_MAX,
                     WELF_LINES_WASM);
        }
        for (uint32_t i = d->global_import_count; i < d->global_count; i++)
            consider(&n, pc, (const void *)d->globals[i].init, UINT32_MAX,
                     WELF_LINES_WASM);
        for (uint32_t i = 0; i < d->elem_count; i++) {
            consider(&n, pc, (const void *)d->elems[i].offset, UINT32_MAX,
                     WELF_LINES_WASM);
            consider(&n, pc, (const void *)d->elems[i].init, UINT32_MAX,
                     WELF_LINES_WASM);
        }
        for (uint32_t i = 0; i < d->data_count; i++)
            consider(&n, pc, (const void *)d->datas[i].offset, UINT32_MAX,
                     WELF_LINES_WASM);
        if (n.func == UINT32_MAX)
            continue;
        if (!m->code.map && !__welf_code_end &&
            pc - n.start >= LINKED_SLACK)
            continue;
        memset(out, 0, sizeof *out);
        out->module_name = d->name;
        out->module_name_len = d->name ? d->name_len : 0;
        out->func_index = n.func;
        out->func_name = d->funcs[n.func].name;
        out->func_name_len = d->funcs[n.func].name ? d->funcs[n.func].name_len
                                                   : 0;
        out->pc = pc;
        *site = (welf_code_site){d->lines, SIZE_MAX, n.func, n.kind,
                                 pc - n.start};
        if (m->code.map) {
            uintptr_t lo = (uintptr_t)m->code.map, at = (uintptr_t)d->lines;
            if (at < lo || at - lo >= m->code.map_size)
                site->lines = NULL;
            else
                site->lines_room = m->code.map_size - (at - lo);
        }
        return true;
    }
    return false;
}
