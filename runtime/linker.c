/*
 * linker.c — the linker, a hash table from import names (module, name)
 * to externals, and the instance_pre: a module whose imports a linker
 * resolved and instance.c checked and prepared once, so that each
 * instantiation only copies them (welf_instance_create).
 *
 * Linkers and pres belong to their engine, which frees them with
 * welf_engine_attachments_free.
 */
#include "internal.h"

#include <string.h>

/* One binding. `key` holds the module name then the name (their bytes,
 * no terminator), in one allocation. */
typedef struct link_entry {
    uint64_t hash;
    char *key;
    size_t module_len;
    size_t name_len;
    welf_extern ext;
} link_entry;

/*
 * Entries in definition order, and an open-addressing index over them:
 * buckets hold entry index + 1 (0 = empty), a power-of-two count kept at
 * least twice the number of entries. Bindings are never removed.
 */
struct welf_linker {
    welf_engine *engine;
    link_entry *entries;
    uint32_t count;
    uint32_t cap;
    uint32_t *buckets;
    uint32_t bucket_count;
    welf_linker *next;
};

/* The largest number of bindings, so that bucket counts stay in 32 bits. */
#define LINKER_MAX_ENTRIES (UINT32_C(1) << 30)

static void linker_destroy(welf_linker *l)
{
    for (uint32_t i = 0; i < l->count; i++)
        welf_free(l->entries[i].key);
    welf_free(l->entries);
    welf_free(l->buckets);
    welf_free(l);
}

void welf_engine_attachments_free(welf_engine *engine)
{
    for (welf_linker *l = engine->linkers, *next; l; l = next) {
        next = l->next;
        linker_destroy(l);
    }
    for (welf_instance_pre *p = engine->pres, *next; p; p = next) {
        next = p->next;
        welf_prepared_imports_release(&p->imports);
        welf_free(p);
    }
    engine->linkers = NULL;
    engine->pres = NULL;
}

/* ---- the table ---- */

/* FNV-1a, 64 bits, over the module name's length and bytes and the
 * name's bytes (the length keeps ("ab", "c") apart from ("a", "bc")). */
static uint64_t key_hash(const char *module, size_t module_len,
                         const char *name, size_t name_len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    const uint64_t prime = UINT64_C(1099511628211);
    uint64_t len = module_len;
    for (int i = 0; i < 8; i++)
        h = (h ^ ((len >> (8 * i)) & 0xff)) * prime;
    for (size_t i = 0; i < module_len; i++)
        h = (h ^ (unsigned char)module[i]) * prime;
    for (size_t i = 0; i < name_len; i++)
        h = (h ^ (unsigned char)name[i]) * prime;
    return h;
}

static bool key_equal(const link_entry *e, uint64_t hash, const char *module,
                      size_t module_len, const char *name, size_t name_len)
{
    return e->hash == hash && e->module_len == module_len &&
           e->name_len == name_len &&
           (module_len == 0 || memcmp(e->key, module, module_len) == 0) &&
           (name_len == 0 ||
            memcmp(e->key + module_len, name, name_len) == 0);
}

static const link_entry *lookup(const welf_linker *l, uint64_t hash,
                                const char *module, size_t module_len,
                                const char *name, size_t name_len)
{
    if (!l->bucket_count)
        return NULL;
    uint32_t mask = l->bucket_count - 1;
    for (uint32_t slot = (uint32_t)hash & mask; l->buckets[slot];
         slot = (slot + 1) & mask) {
        const link_entry *e = &l->entries[l->buckets[slot] - 1];
        if (key_equal(e, hash, module, module_len, name, name_len))
            return e;
    }
    return NULL;
}

const welf_extern *welf_linker_lookup(const welf_linker *l,
                                      const char *module, size_t module_len,
                                      const char *name, size_t name_len)
{
    uint64_t hash = key_hash(module, module_len, name, name_len);
    const link_entry *e = lookup(l, hash, module, module_len, name,
                                 name_len);
    return e ? &e->ext : NULL;
}

static void bucket_insert(uint32_t *buckets, uint32_t count, uint64_t hash,
                          uint32_t entry)
{
    uint32_t mask = count - 1;
    uint32_t slot = (uint32_t)hash & mask;
    while (buckets[slot])
        slot = (slot + 1) & mask;
    buckets[slot] = entry + 1;
}

/* Room for n more entries, so that adding them cannot fail. */
static welf_status reserve(welf_linker *l, uint32_t n, welf_error *err)
{
    if (n > LINKER_MAX_ENTRIES - l->count)
        return welf_error_set(err, WELF_ERR_TOO_MANY, WELF_NO_OFFSET,
                              "too many definitions in one linker");
    uint32_t need = l->count + n;
    if (need > l->cap) {
        uint32_t cap = l->cap ? l->cap : 16;
        while (cap < need)
            cap *= 2;
        link_entry *entries =
            welf_realloc(l->entries, (size_t)cap * sizeof *entries);
        if (!entries)
            goto nomem;
        l->entries = entries;
        l->cap = cap;
    }
    if ((uint64_t)need * 2 > l->bucket_count) {
        uint32_t count = l->bucket_count ? l->bucket_count : 32;
        while ((uint64_t)need * 2 > count)
            count *= 2;
        uint32_t *buckets = welf_malloc((size_t)count * sizeof *buckets);
        if (!buckets)
            goto nomem;
        memset(buckets, 0, (size_t)count * sizeof *buckets);
        for (uint32_t i = 0; i < l->count; i++)
            bucket_insert(buckets, count, l->entries[i].hash, i);
        welf_free(l->buckets);
        l->buckets = buckets;
        l->bucket_count = count;
    }
    return WELF_OK;

nomem:
    return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                          "out of memory growing a linker");
}

/* Fills a reserved entry, copying the key; the bucket comes after. */
static welf_status entry_make(uint64_t hash,
                              const char *module, size_t module_len,
                              const char *name, size_t name_len,
                              welf_extern ext, link_entry *e,
                              welf_error *err)
{
    e->key = welf_malloc(module_len + name_len);
    if (!e->key)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory defining an import name");
    if (module_len)
        memcpy(e->key, module, module_len);
    if (name_len)
        memcpy(e->key + module_len, name, name_len);
    e->hash = hash;
    e->module_len = module_len;
    e->name_len = name_len;
    e->ext = ext;
    return WELF_OK;
}

static welf_status already_defined(welf_error *err, const char *module,
                                   size_t module_len, const char *name,
                                   size_t name_len)
{
    char m[64], n[64];
    welf_name_format(m, sizeof m, module, module_len);
    welf_name_format(n, sizeof n, name, name_len);
    return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                          "already defined: %s.%s", m, n);
}

/* An external the linker may hold: present, of a known kind, of the
 * linker's engine. */
static welf_status extern_check(const welf_linker *l, const welf_extern *ext,
                                welf_error *err)
{
    const welf_engine *owner = NULL;
    switch (ext->kind) {
    case WELF_EXTERN_FUNC:
        if (ext->u.func)
            owner = welf_funcref_engine(ext->u.func);
        break;
    case WELF_EXTERN_TABLE:
        if (ext->u.table)
            owner = ext->u.table->engine;
        break;
    case WELF_EXTERN_MEMORY:
        if (ext->u.memory)
            owner = ext->u.memory->engine;
        break;
    case WELF_EXTERN_GLOBAL:
        if (ext->u.global)
            owner = ext->u.global->engine;
        break;
    default:
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_linker_define: unknown kind %d",
                              (int)ext->kind);
    }
    if (owner != l->engine)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_linker_define: the external is missing "
                              "or belongs to another engine");
    return WELF_OK;
}

static bool name_args_ok(const char *module, size_t module_len,
                         const char *name, size_t name_len)
{
    return (!module_len || module) && (!name_len || name) &&
           name_len <= SIZE_MAX - module_len;
}

/* ---- the public API ---- */

welf_status welf_linker_new(welf_engine *engine, welf_linker **out,
                            welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (out)
        *out = NULL;
    if (!engine || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_linker_new: missing argument");
    welf_linker *l = welf_malloc(sizeof *l);
    if (!l)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating a linker");
    memset(l, 0, sizeof *l);
    l->engine = engine;
    l->next = engine->linkers;
    engine->linkers = l;
    *out = l;
    return WELF_OK;
}

welf_status welf_linker_define(welf_linker *l, const char *module,
                               size_t module_len, const char *name,
                               size_t name_len, welf_extern ext,
                               welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!l || !name_args_ok(module, module_len, name, name_len))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_linker_define: missing argument");
    welf_status st = extern_check(l, &ext, err);
    if (st != WELF_OK)
        return st;
    uint64_t hash = key_hash(module, module_len, name, name_len);
    if (lookup(l, hash, module, module_len, name, name_len))
        return already_defined(err, module, module_len, name, name_len);
    st = reserve(l, 1, err);
    if (st == WELF_OK)
        st = entry_make(hash, module, module_len, name, name_len, ext,
                        &l->entries[l->count], err);
    if (st != WELF_OK)
        return st;
    bucket_insert(l->buckets, l->bucket_count, hash, l->count);
    l->count++;
    return WELF_OK;
}

welf_status welf_linker_define_instance(welf_linker *l, const char *module,
                                        size_t module_len,
                                        welf_instance *inst, welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!l || !inst || !inst->module || (module_len && !module))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_linker_define_instance: missing "
                              "argument");
    if (inst->engine != l->engine)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_linker_define_instance: the instance "
                              "belongs to another engine");
    const welf_desc_module *d = inst->module->desc;
    uint32_t n = d->export_count;

    /* Nothing is defined unless everything can be. Export names are
     * distinct (validation), so only earlier bindings can clash. */
    for (uint32_t i = 0; i < n; i++) {
        const welf_desc_export *e = &d->exports[i];
        if (!name_args_ok(module, module_len, e->name, e->name_len))
            return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                                  "welf_linker_define_instance: export "
                                  "name too long");
        if (welf_linker_lookup(l, module, module_len, e->name, e->name_len))
            return already_defined(err, module, module_len, e->name,
                                   e->name_len);
    }
    welf_status st = reserve(l, n, err);
    if (st != WELF_OK)
        return st;
    for (uint32_t i = 0; i < n; i++) {
        const welf_desc_export *e = &d->exports[i];
        welf_extern ext;
        welf_instance_export_at(inst, i, &ext);
        uint64_t hash = key_hash(module, module_len, e->name, e->name_len);
        st = entry_make(hash, module, module_len, e->name, e->name_len,
                        ext, &l->entries[l->count + i], err);
        if (st != WELF_OK) {
            while (i--)
                welf_free(l->entries[l->count + i].key);
            return st;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        bucket_insert(l->buckets, l->bucket_count, l->entries[l->count].hash,
                      l->count);
        l->count++;
    }
    return WELF_OK;
}

static welf_status unknown_import(welf_error *err, const welf_desc_import *im)
{
    char m[64], n[64];
    welf_name_format(m, sizeof m, im->module, im->module_len);
    welf_name_format(n, sizeof n, im->name, im->name_len);
    return welf_error_set(err, WELF_ERR_LINK, WELF_NO_OFFSET,
                          "unknown import %s.%s", m, n);
}

welf_status welf_instance_pre_new(welf_linker *l, welf_module *module,
                                  welf_instance_pre **out, welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (out)
        *out = NULL;
    if (!l || !module || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_instance_pre_new: missing argument");
    if (module->engine != l->engine)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_instance_pre_new: the module belongs "
                              "to another engine");
    const welf_desc_module *d = module->desc;

    /* The imports in import order, as welf_imports_prepare takes them. */
    welf_extern *externs = NULL;
    if (d->import_count) {
        externs = welf_malloc((size_t)d->import_count * sizeof *externs);
        if (!externs)
            return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                                  "out of memory resolving imports");
    }
    welf_status st = WELF_OK;
    for (uint32_t i = 0; i < d->import_count && st == WELF_OK; i++) {
        const welf_desc_import *im = &d->imports[i];
        const welf_extern *ext = welf_linker_lookup(
            l, im->module, im->module_len, im->name, im->name_len);
        if (ext)
            externs[i] = *ext;
        else
            st = unknown_import(err, im);
    }
    welf_instance_pre *pre = NULL;
    if (st == WELF_OK) {
        pre = welf_malloc(sizeof *pre);
        if (!pre)
            st = welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                                "out of memory creating an instance_pre");
    }
    if (st == WELF_OK) {
        memset(pre, 0, sizeof *pre);
        st = welf_imports_prepare(module, externs, &pre->imports, err);
    }
    welf_free(externs);
    if (st != WELF_OK) {
        welf_free(pre);
        return st;
    }
    pre->engine = l->engine;
    pre->module = module;
    pre->next = l->engine->pres;
    l->engine->pres = pre;
    *out = pre;
    return WELF_OK;
}

welf_status welf_instance_pre_instantiate(welf_instance_pre *pre,
                                          welf_instance **out,
                                          welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (out)
        *out = NULL;
    if (!pre || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_instance_pre_instantiate: missing "
                              "argument");
    return welf_instance_create(pre->module, &pre->imports, out, err);
}
