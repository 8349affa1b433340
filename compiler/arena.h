/*
 * arena.h — bump allocation for everything derived from one module.
 * Objects are never freed one by one: welf_arena_free drops them all.
 * The arena's memory comes from the library's allocation hook.
 */
#ifndef WELF_ARENA_H
#define WELF_ARENA_H

#include "common.h"

typedef struct welf_arena_block welf_arena_block;

typedef struct welf_arena {
    welf_arena_block *head;   /* newest block first */
    size_t used_bytes;        /* bytes taken in head */
    size_t total_bytes;       /* bytes in all blocks, for statistics */
} welf_arena;

WELF_INTERNAL void welf_arena_init(welf_arena *a);
WELF_INTERNAL void welf_arena_free(welf_arena *a);
/* Returns size bytes aligned to 16, or NULL when the hook fails. */
WELF_INTERNAL void *welf_arena_alloc(welf_arena *a, size_t size);
/* Like welf_arena_alloc for n * size bytes, zeroed; NULL on overflow. */
WELF_INTERNAL void *welf_arena_calloc(welf_arena *a, size_t n, size_t size);

#endif
