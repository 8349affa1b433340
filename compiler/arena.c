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
