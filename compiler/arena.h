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

/*
 * A set of strings, each kept once, numbered from 0 in order of first
 * insertion: the copies live in an arena, the array of them and the
 * hash index are welf_malloc'd.
 */
typedef struct welf_strset {
    welf_arena *arena;        /* holds the copies */
    char **strings;           /* by number; welf_free it when done */
    uint32_t count, cap;
    uint32_t *slots;          /* open addressing: number + 1 */
    uint32_t slot_count;      /* 0 or a power of two */
} welf_strset;

WELF_INTERNAL void welf_strset_init(welf_strset *s, welf_arena *arena);
/* The number of `str`, added (copied) if new; UINT32_MAX when memory
 * runs out. */
WELF_INTERNAL uint32_t welf_strset_add(welf_strset *s, const char *str);
/* Frees the hash index; `strings` stays for the caller. */
WELF_INTERNAL void welf_strset_drop_index(welf_strset *s);

#endif
