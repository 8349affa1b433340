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

const welf_functype *welf_engine_type(const welf_engine *engine, uint32_t id)
{
    if (id == 0 || id > engine->type_count)
        return NULL;
    return &engine->types[id - 1];
}
