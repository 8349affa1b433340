/*
 * memory.c — linear memories: one reservation of WELF_MEMORY_RESERVE_BYTES
 * per memory (inaccessible except the committed pages), so compiled code
 * needs no bounds checks and an access past the end faults in the
 * reservation; memory.grow commits more pages and the base never moves.
 * Also the process-wide list of reservations that the fault handler
 * (trap.c) reads to tell a wasm out-of-bounds access from a crash, and
 * the spare reservations of the last batch (reservations are made
 * several at a time). The mappings themselves are made in os.c.
 */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/* ---- making reservations ---- */

/*
 * Address space is reserved RESERVE_BATCH reservations at a time, with
 * one system call, and handed out one by one; the spares wait,
 * process-wide, for the next memory of any engine. Creating a memory
 * then takes one system call (committing its first pages) instead of
 * two (docs/performance.md has the figures). Each reservation is
 * released on its own: unmapping part of a mapping is allowed.
 *
 * Reservations of a batch are adjacent, which costs no safety: each
 * covers every address its memory's code can form (a 32-bit index plus
 * a 32-bit offset plus the access size) and its guard, so code never
 * reaches the next one, and the fault handler finds whichever
 * reservation an address lies in. Spares are not in the list below: a
 * fault in one is not a trap. When a batch cannot be reserved (a limit
 * on address space, RLIMIT_AS), a single reservation is tried.
 */
#define RESERVE_BATCH 16

static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *spare_next;    /* the next spare reservation */
static unsigned spare_count;

/* Takes a spare reservation, or NULL when there is none. */
static uint8_t *spare_take(void)
{
    uint8_t *base = NULL;
    pthread_mutex_lock(&spare_lock);
    if (spare_count) {
        base = spare_next;
        spare_next += WELF_MEMORY_RESERVE_BYTES;
        spare_count--;
    }
    pthread_mutex_unlock(&spare_lock);
    return base;
}

/* A fresh reservation, NULL when there is no address space left. The
 * system call is made outside the lock. */
static uint8_t *reservation_make(void)
{
    uint8_t *base = spare_take();
    if (base)
        return base;
    uint8_t *batch = welf_os_reserve(RESERVE_BATCH *
                                     WELF_MEMORY_RESERVE_BYTES);
    if (!batch)
        return welf_os_reserve(WELF_MEMORY_RESERVE_BYTES);
    /* Keep the rest of the batch, unless another thread has just made
     * spares of its own: then give it back. */
    uint8_t *rest = batch + WELF_MEMORY_RESERVE_BYTES;
    pthread_mutex_lock(&spare_lock);
    bool keep = spare_count == 0;
    if (keep) {
        spare_next = rest;
        spare_count = RESERVE_BATCH - 1;
    }
    pthread_mutex_unlock(&spare_lock);
    if (!keep)
        welf_os_release(rest, (RESERVE_BATCH - 1) *
                                  WELF_MEMORY_RESERVE_BYTES);
    return batch;
}

/* ---- the list of reservations in use ---- */

/*
 * A fixed array of base addresses (0 = free slot) and a high-water mark,
 * so the signal handler can scan it without locks. All reservations have
 * the same size. 4096 memories of 8 GiB are 32 TiB of address space, a
 * quarter of what x86-64 user space has.
 *
 * `reservations_hint` is where the search for a free slot starts: the
 * slot after the last one taken, moved down when a lower one is freed.
 * It only saves work (a search from slot 0 would try a locked exchange
 * on every taken slot before the first free one, thousands with many
 * live memories); the search wraps around, so a stale hint never hides
 * a free slot.
 */
#define RESERVATION_SLOTS 4096

static _Atomic uintptr_t reservations[RESERVATION_SLOTS];
static atomic_uint reservations_used;
static atomic_uint reservations_hint;

static bool reservation_add(uintptr_t base, uint32_t *slot)
{
    unsigned start = atomic_load_explicit(&reservations_hint,
                                          memory_order_relaxed);
    for (uint32_t k = 0; k < RESERVATION_SLOTS; k++) {
        uint32_t i = (start + k) % RESERVATION_SLOTS;
        uintptr_t expected = 0;
        if (atomic_load_explicit(&reservations[i], memory_order_relaxed) ||
            !atomic_compare_exchange_strong(&reservations[i], &expected,
                                            base))
            continue;
        unsigned used = atomic_load(&reservations_used);
        while (used < i + 1 &&
               !atomic_compare_exchange_weak(&reservations_used, &used,
                                             i + 1)) {
            /* a failed exchange reloaded `used`: try again */
        }
        atomic_store_explicit(&reservations_hint, i + 1,
                              memory_order_relaxed);
        *slot = i;
        return true;
    }
    return false;
}

static void reservation_remove(uint32_t slot)
{
    atomic_store(&reservations[slot], 0);
    unsigned hint = atomic_load_explicit(&reservations_hint,
                                         memory_order_relaxed);
    while (slot < hint &&
           !atomic_compare_exchange_weak_explicit(&reservations_hint, &hint,
                                                  slot,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed)) {
        /* a failed exchange reloaded `hint`: try again */
    }
}

bool welf_memory_fault_is_ours(uintptr_t addr)
{
    unsigned used = atomic_load(&reservations_used);
    for (unsigned i = 0; i < used; i++) {
        uintptr_t base = atomic_load(&reservations[i]);
        if (base && addr - base < WELF_MEMORY_RESERVE_BYTES)
            return true;
    }
    return false;
}

/* ---- memories ---- */

welf_status welf_memory_create(welf_engine *engine, welf_limits_info limits,
                               welf_memory **out, welf_error *err)
{
    *out = NULL;
    if (limits.min > WELF_MAX_PAGES ||
        (limits.has_max &&
         (limits.max < limits.min || limits.max > WELF_MAX_PAGES)))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "bad memory limits: min %u, max %u%s",
                              limits.min, limits.max,
                              limits.has_max ? "" : " (none)");
    welf_memory *mem = welf_malloc(sizeof *mem);
    if (!mem)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating a memory");
    memset(mem, 0, sizeof *mem);
    mem->engine = engine;
    mem->has_max = limits.has_max;
    mem->max_pages = limits.has_max ? limits.max : WELF_MAX_PAGES;

    uint8_t *base = reservation_make();
    if (!base) {
        welf_free(mem);
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "cannot reserve address space for a memory");
    }
    uint64_t bytes = (uint64_t)limits.min * WELF_PAGE_BYTES;
    if (bytes && !welf_os_commit(base, bytes)) {
        welf_os_release(base, WELF_MEMORY_RESERVE_BYTES);
        welf_free(mem);
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "cannot commit %u pages of memory",
                              limits.min);
    }
    if (!reservation_add((uintptr_t)base, &mem->slot)) {
        welf_os_release(base, WELF_MEMORY_RESERVE_BYTES);
        welf_free(mem);
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "too many memories in this process (%d)",
                              RESERVATION_SLOTS);
    }
    mem->rt.base = base;
    mem->rt.size_bytes = bytes;
    mem->pages = limits.min;
    *out = mem;
    return WELF_OK;
}

void welf_memory_destroy(welf_memory *mem)
{
    reservation_remove(mem->slot);
    welf_os_release(mem->rt.base, WELF_MEMORY_RESERVE_BYTES);
    welf_free(mem);
}

uint32_t welf_memory_grow(welf_memory *mem, uint32_t delta)
{
    uint32_t old = mem->pages;
    if (delta == 0)
        return old;
    if ((uint64_t)old + delta > mem->max_pages)
        return UINT32_MAX;
    uint64_t add = (uint64_t)delta * WELF_PAGE_BYTES;
    if (!welf_os_commit(mem->rt.base + mem->rt.size_bytes, add))
        return UINT32_MAX;
    mem->pages = old + delta;
    mem->rt.size_bytes += add;
    return old;
}

/* ---- the public API ---- */

welf_status welf_memory_new(welf_engine *engine, welf_limits_info limits,
                            welf_memory **out, welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!engine || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_memory_new: missing argument");
    welf_memory *mem;
    welf_status st = welf_memory_create(engine, limits, &mem, err);
    *out = NULL;
    if (st != WELF_OK)
        return st;
    mem->next = engine->memories;
    engine->memories = mem;
    *out = mem;
    return WELF_OK;
}

uint8_t *welf_memory_data(welf_memory *mem)
{
    return mem->rt.base;
}

uint64_t welf_memory_size_bytes(const welf_memory *mem)
{
    return mem->rt.size_bytes;
}
