/*
 * arena.c — the bump allocator behind a module's arena. Small requests
 * share blocks that double in size; a request larger than a block gets a
 * block of its own so a huge item never wastes the rest of a block.
 */
#include "arena.h"

#include <string.h>

struct welf_arena_block {
    welf_arena_block *next;
    size_t size_bytes;
    _Alignas(16) unsigned char data[];
};

enum { ARENA_MIN_BLOCK = 4096, ARENA_MAX_BLOCK = 1 << 20 };

void welf_arena_init(welf_arena *a)
{
    memset(a, 0, sizeof *a);
}

void welf_arena_free(welf_arena *a)
{
    welf_arena_block *b = a->head;
    while (b) {
        welf_arena_block *next = b->next;
        welf_free(b);
        b = next;
    }
    welf_arena_init(a);
}

static welf_arena_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(welf_arena_block))
        return NULL;
    welf_arena_block *b = welf_malloc(sizeof *b + size);
    if (b)
        b->size_bytes = size;
    return b;
}

void *welf_arena_alloc(welf_arena *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size)
        return NULL;
    if (a->head && a->head->size_bytes - a->used_bytes >= need) {
        void *p = a->head->data + a->used_bytes;
        a->used_bytes += need;
        return p;
    }
    size_t grow = a->head ? a->head->size_bytes * 2 : ARENA_MIN_BLOCK;
    if (grow > ARENA_MAX_BLOCK)
        grow = ARENA_MAX_BLOCK;
    if (need > grow / 2) {
        /* A large item gets its own block, linked behind the head so the
         * head's free space stays usable. */
        welf_arena_block *b = block_new(need);
        if (!b)
            return NULL;
        a->total_bytes += need;
        if (a->head) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = NULL;
            a->head = b;
            a->used_bytes = need;
        }
        return b->data;
    }
    welf_arena_block *b = block_new(grow);
    if (!b)
        return NULL;
    a->total_bytes += grow;
    b->next = a->head;
    a->head = b;
    a->used_bytes = need;
    return b->data;
}

void *welf_arena_calloc(welf_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = welf_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

/* ---- string sets ---- */

void welf_strset_init(welf_strset *s, welf_arena *arena)
{
    memset(s, 0, sizeof *s);
    s->arena = arena;
}

static uint32_t hash_str(const char *str)
{
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (; *str; str++)
        h = (h ^ (uint8_t)*str) * 16777619u;
    return h;
}

static bool slots_grow(welf_strset *s)
{
    uint32_t n = s->slot_count ? s->slot_count * 2 : 64;
    if (n < s->slot_count)
        return false;
    uint32_t *slots = welf_malloc((size_t)n * sizeof *slots);
    if (!slots)
        return false;
    memset(slots, 0, (size_t)n * sizeof *slots);
    for (uint32_t i = 0; i < s->count; i++) {
        uint32_t h = hash_str(s->strings[i]) & (n - 1);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = i + 1;
    }
    welf_free(s->slots);
    s->slots = slots;
    s->slot_count = n;
    return true;
}

uint32_t welf_strset_add(welf_strset *s, const char *str)
{
    if ((uint64_t)(s->count + 1) * 2 > s->slot_count && !slots_grow(s))
        return UINT32_MAX;
    uint32_t mask = s->slot_count - 1;
    uint32_t h = hash_str(str) & mask;
    for (; s->slots[h]; h = (h + 1) & mask)
        if (strcmp(s->strings[s->slots[h] - 1], str) == 0)
            return s->slots[h] - 1;
    if (s->count == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 16;
        char **strings = cap > s->cap ? welf_realloc(s->strings,
                                                     (size_t)cap *
                                                         sizeof *strings)
                                      : NULL;
        if (!strings)
            return UINT32_MAX;
        s->strings = strings;
        s->cap = cap;
    }
    size_t len = strlen(str);
    char *copy = welf_arena_alloc(s->arena, len + 1);
    if (!copy)
        return UINT32_MAX;
    memcpy(copy, str, len + 1);
    s->strings[s->count] = copy;
    s->slots[h] = ++s->count;
    return s->count - 1;
}

void welf_strset_drop_index(welf_strset *s)
{
    welf_free(s->slots);
    s->slots = NULL;
    s->slot_count = 0;
}
