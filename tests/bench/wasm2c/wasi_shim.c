/*
 * wasi_shim.c — just enough WASI preview 1 to run the benchmark suite's
 * programs as wasm2c output, plus the main that instantiates them.
 *
 * wabt 1.0.32's wasm2c turns the module into C that calls one function
 * per import, named Z_<module>Z_<name> after mangling, whose first
 * argument is the importing module's pointer to the instance of the
 * import module (here struct Z_wasi_snapshot_preview1_instance_t, which
 * this file defines). Other arguments and the result are the wasm types
 * as u32/u64. suite.sh runs wasm2c with `-n bench`, so the generated
 * header is bench.h and its symbols are Z_bench_*; this file is compiled
 * once per program, against that program's header.
 *
 * What is here: stdout and stderr (fd_write, fd_fdstat_get, fd_seek,
 * fd_close), stdin (fd_read), no preopened directories (fd_prestat_get
 * says EBADF, which ends libc's scan, and path_open has nothing to open
 * in), arguments, an empty environment, clocks, random bytes and
 * proc_exit. Every guest pointer is checked
 * against the memory's size before use. Errors return the WASI errno.
 */
#define _GNU_SOURCE /* getrandom, clock ids under -std=c11 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "wasm-rt-impl.h"

/* WASI errno values (preview 1, `errno` enum). */
enum {
    WASI_SUCCESS = 0,
    WASI_EBADF = 8,
    WASI_EFAULT = 21,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_ENOTSUP = 58,
    WASI_ESPIPE = 70,
};

/* WASI filetype values and the rights libc's isatty looks at. */
enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_RIGHT_FD_SEEK = 1 << 2,
    WASI_RIGHT_FD_TELL = 1 << 5,
};

struct Z_wasi_snapshot_preview1_instance_t {
    wasm_rt_memory_t *memory; /* the program's exported "memory" */
    int argc;
    char **argv;
};

typedef struct Z_wasi_snapshot_preview1_instance_t wasi;

/* Every import this file provides; bench.h declares only those the
 * program uses. */
u32 Z_wasi_snapshot_preview1Z_fd_write(wasi *, u32, u32, u32, u32);
u32 Z_wasi_snapshot_preview1Z_fd_read(wasi *, u32, u32, u32, u32);
u32 Z_wasi_snapshot_preview1Z_fd_close(wasi *, u32);
u32 Z_wasi_snapshot_preview1Z_fd_seek(wasi *, u32, u64, u32, u32);
u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(wasi *, u32, u32);
u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(wasi *, u32, u32);
u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(wasi *, u32, u32, u32);
u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(wasi *, u32, u32);
u32 Z_wasi_snapshot_preview1Z_path_open(wasi *, u32, u32, u32, u32, u32, u64, u64,
                                        u32, u32);
u32 Z_wasi_snapshot_preview1Z_args_sizes_get(wasi *, u32, u32);
u32 Z_wasi_snapshot_preview1Z_args_get(wasi *, u32, u32);
u32 Z_wasi_snapshot_preview1Z_environ_sizes_get(wasi *, u32, u32);
u32 Z_wasi_snapshot_preview1Z_environ_get(wasi *, u32, u32);
u32 Z_wasi_snapshot_preview1Z_clock_time_get(wasi *, u32, u64, u32);
u32 Z_wasi_snapshot_preview1Z_random_get(wasi *, u32, u32);
void Z_wasi_snapshot_preview1Z_proc_exit(wasi *, u32);

/* The guest range [ptr, ptr + len) as a host pointer, or NULL. */
static uint8_t *guest(wasi *w, u32 ptr, u64 len)
{
    if ((u64)ptr + len > w->memory->size)
        return NULL;
    return w->memory->data + ptr;
}

static int store_u32(wasi *w, u32 ptr, u32 v)
{
    uint8_t *p = guest(w, ptr, 4);
    if (p == NULL)
        return 0;
    memcpy(p, &v, 4); /* wasm and x86-64 are both little-endian */
    return 1;
}

static int store_u64(wasi *w, u32 ptr, u64 v)
{
    uint8_t *p = guest(w, ptr, 8);
    if (p == NULL)
        return 0;
    memcpy(p, &v, 8);
    return 1;
}

/* Reads or writes through an array of guest iovecs ({u32 buf, u32 len}). */
static u32 transfer(wasi *w, u32 fd, u32 iovs, u32 count, u32 done_ptr, int writing)
{
    if (fd > 2)
        return WASI_EBADF;
    const uint8_t *vec = guest(w, iovs, (u64)count * 8);
    if (vec == NULL)
        return WASI_EFAULT;
    u64 total = 0;
    for (u32 i = 0; i < count; i++) {
        u32 buf, len;
        memcpy(&buf, vec + 8 * i, 4);
        memcpy(&len, vec + 8 * i + 4, 4);
        uint8_t *p = guest(w, buf, len);
        if (p == NULL)
            return WASI_EFAULT;
        while (len > 0) {
            ssize_t n = writing ? write((int)fd, p, len) : read((int)fd, p, len);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return errno == EBADF ? WASI_EBADF : WASI_EIO;
            total += (u64)n;
            if (n == 0 || !writing)
                goto done; /* end of file, or a short read */
            p += n;
            len -= (u32)n;
        }
    }
done:
    return store_u32(w, done_ptr, (u32)total) ? WASI_SUCCESS : WASI_EFAULT;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(wasi *w, u32 fd, u32 iovs, u32 count, u32 written)
{
    return transfer(w, fd, iovs, count, written, 1);
}

u32 Z_wasi_snapshot_preview1Z_fd_read(wasi *w, u32 fd, u32 iovs, u32 count, u32 nread)
{
    return transfer(w, fd, iovs, count, nread, 0);
}

/* The standard streams stay open for the host; there is nothing else. */
u32 Z_wasi_snapshot_preview1Z_fd_close(wasi *w, u32 fd)
{
    (void)w;
    return fd <= 2 ? WASI_SUCCESS : WASI_EBADF;
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(wasi *w, u32 fd, u64 offset, u32 whence,
                                      u32 result)
{
    if (fd > 2)
        return WASI_EBADF;
    if (whence > 2) /* SET, CUR, END: the same numbers as Linux's */
        return WASI_EINVAL;
    off_t at = lseek((int)fd, (off_t)offset, (int)whence);
    if (at < 0)
        return errno == ESPIPE ? WASI_ESPIPE : WASI_EINVAL;
    return store_u64(w, result, (u64)at) ? WASI_SUCCESS : WASI_EFAULT;
}

/* fdstat: u8 filetype, u16 flags at 2, u64 rights at 8 and 16. */
u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(wasi *w, u32 fd, u32 ptr)
{
    struct stat st;
    if (fd > 2 || fstat((int)fd, &st) != 0)
        return WASI_EBADF;
    uint8_t *p = guest(w, ptr, 24);
    if (p == NULL)
        return WASI_EFAULT;
    u64 rights = ~(u64)0;
    uint8_t type = WASI_FILETYPE_UNKNOWN;
    if (S_ISCHR(st.st_mode)) {
        type = WASI_FILETYPE_CHARACTER_DEVICE;
        rights &= ~(u64)(WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL);
    } else if (S_ISREG(st.st_mode)) {
        type = WASI_FILETYPE_REGULAR_FILE;
    } else if (S_ISDIR(st.st_mode)) {
        type = WASI_FILETYPE_DIRECTORY;
    }
    memset(p, 0, 24);
    p[0] = type;
    memcpy(p + 8, &rights, 8);
    memcpy(p + 16, &rights, 8);
    return WASI_SUCCESS;
}

/* No preopened directories: EBADF on the first descriptor libc asks for. */
u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(wasi *w, u32 fd, u32 ptr)
{
    (void)w, (void)fd, (void)ptr;
    return WASI_EBADF;
}

u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(wasi *w, u32 fd, u32 ptr, u32 len)
{
    (void)w, (void)fd, (void)ptr, (void)len;
    return WASI_EBADF;
}

/* There are no directories to open files in (libc fails before asking
 * when nothing is preopened), and the standard streams keep their flags. */
u32 Z_wasi_snapshot_preview1Z_path_open(wasi *w, u32 dirfd, u32 lookup, u32 path,
                                        u32 path_len, u32 oflags, u64 rights,
                                        u64 inheriting, u32 fdflags, u32 fd_ptr)
{
    (void)w, (void)dirfd, (void)lookup, (void)path, (void)path_len;
    (void)oflags, (void)rights, (void)inheriting, (void)fdflags, (void)fd_ptr;
    return WASI_EBADF;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(wasi *w, u32 fd, u32 flags)
{
    (void)w, (void)flags;
    return fd <= 2 ? WASI_ENOTSUP : WASI_EBADF;
}

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(wasi *w, u32 argc_ptr, u32 size_ptr)
{
    u64 size = 0;
    for (int i = 0; i < w->argc; i++)
        size += strlen(w->argv[i]) + 1;
    if (!store_u32(w, argc_ptr, (u32)w->argc) || !store_u32(w, size_ptr, (u32)size))
        return WASI_EFAULT;
    return WASI_SUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_args_get(wasi *w, u32 argv_ptr, u32 buf_ptr)
{
    for (int i = 0; i < w->argc; i++) {
        u64 len = strlen(w->argv[i]) + 1;
        uint8_t *dst = guest(w, buf_ptr, len);
        if (dst == NULL || !store_u32(w, argv_ptr + 4 * (u32)i, buf_ptr))
            return WASI_EFAULT;
        memcpy(dst, w->argv[i], len);
        buf_ptr += (u32)len;
    }
    return WASI_SUCCESS;
}

/* The environment is empty, as under `welf run` without --env. */
u32 Z_wasi_snapshot_preview1Z_environ_sizes_get(wasi *w, u32 count_ptr, u32 size_ptr)
{
    if (!store_u32(w, count_ptr, 0) || !store_u32(w, size_ptr, 0))
        return WASI_EFAULT;
    return WASI_SUCCESS;
}

u32 Z_wasi_snapshot_preview1Z_environ_get(wasi *w, u32 environ_ptr, u32 buf_ptr)
{
    (void)w, (void)environ_ptr, (void)buf_ptr;
    return WASI_SUCCESS;
}

/* Clock ids: realtime, monotonic, process and thread CPU time. */
u32 Z_wasi_snapshot_preview1Z_clock_time_get(wasi *w, u32 id, u64 precision, u32 ptr)
{
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC,
                                       CLOCK_PROCESS_CPUTIME_ID,
                                       CLOCK_THREAD_CPUTIME_ID};
    (void)precision;
    struct timespec ts;
    if (id > 3 || clock_gettime(clocks[id], &ts) != 0)
        return WASI_EINVAL;
    u64 ns = (u64)ts.tv_sec * 1000000000u + (u64)ts.tv_nsec;
    return store_u64(w, ptr, ns) ? WASI_SUCCESS : WASI_EFAULT;
}

u32 Z_wasi_snapshot_preview1Z_random_get(wasi *w, u32 ptr, u32 len)
{
    uint8_t *p = guest(w, ptr, len);
    if (p == NULL)
        return WASI_EFAULT;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return WASI_EIO;
        p += n;
        len -= (u32)n;
    }
    return WASI_SUCCESS;
}

/* Nothing to flush: writes above go straight to the descriptors. */
void Z_wasi_snapshot_preview1Z_proc_exit(wasi *w, u32 code)
{
    (void)w;
    exit((int)code);
}

int main(int argc, char **argv)
{
    static Z_bench_instance_t instance;
    wasi w = {NULL, argc, argv};
    wasm_rt_init();
    Z_bench_init_module();
    Z_bench_instantiate(&instance, &w);
    w.memory = Z_benchZ_memory(&instance);
    wasm_rt_trap_t trap = (wasm_rt_trap_t)wasm_rt_impl_try();
    if (trap != WASM_RT_TRAP_NONE) {
        fprintf(stderr, "wasm trap: %s\n", wasm_rt_strerror(trap));
        return 134;
    }
    Z_benchZ__start(&instance);
    Z_bench_free(&instance);
    wasm_rt_free();
    return 0;
}
