/*
 * tests/runtime/wasi.c — runtime/wasi/: the WASI preview 1 functions
 * called as C functions on a memory of the test's own (no caller), and
 * once through compiled wasm with a linker. Arguments and environment,
 * clocks, randomness, poll_oneoff, proc_exit, the descriptor table,
 * reads, writes and seeks, directory listings with cookies, names made
 * and removed, EFAULT for pointers outside memory, and the sandbox:
 * "..", absolute paths and symbolic links never reach outside the
 * preopened directory. Errno values are the spec's numbers, written out.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi/wasi_internal.h"
#include "support.h"
#include "../compiler/lower_support.h"

/* wasi_snapshot_preview1 errno values */
enum {
    E_OK = 0, E_BADF = 8, E_EXIST = 20, E_FAULT = 21, E_INVAL = 28,
    E_ISDIR = 31, E_LOOP = 32, E_NAMETOOLONG = 37, E_NOENT = 44,
    E_NOTDIR = 54, E_NOTEMPTY = 55, E_NOSYS = 52, E_NOTSUP = 58,
    E_NOTCAPABLE = 76,
};

/* filetypes, oflags, rights, lookup flags */
enum {
    FT_UNKNOWN = 0, FT_DIRECTORY = 3, FT_REGULAR = 4, FT_SYMLINK = 7,
    O_CREAT_ = 1, O_DIRECTORY_ = 2, O_EXCL_ = 4, O_TRUNC_ = 8,
    FOLLOW = 1,
};
#define R_READ (UINT64_C(1) << 1)
#define R_SEEK (UINT64_C(1) << 2)
#define R_TELL (UINT64_C(1) << 5)
#define R_WRITE (UINT64_C(1) << 6)
#define R_READDIR (UINT64_C(1) << 14)
#define R_ALL ((UINT64_C(1) << 30) - 1)

#define MEM_BYTES 65536u

/* Guest addresses the tests use. */
enum {
    A_RES = 64,        /* results */
    A_RES2 = 128,
    A_IOV = 256,       /* iovec arrays */
    A_PATH = 1024,     /* paths */
    A_PATH2 = 2048,
    A_BUF = 4096,      /* data */
};

/* ---- the fixture ---- */

static struct {
    welf_engine *engine;
    welf_memory *mem;
    uint8_t *data;
    welf_wasi *wasi;
    welf_host host;
    char root[64];            /* temporary: sandbox/ and outside/ */
    char sandbox[96];         /* preopened as "/sandbox", guest fd 3 */
    char outside[96];         /* holds "secret" */
    int out[2];               /* guest stdout is out[1] */
} fx;

static const char *const test_argv[] = {"prog", "a b", ""};
static const char *const test_env[] = {"A=1", "HOME=/home/guest"};

static void host_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* The contents of a host file (static buffer), or NULL if absent. */
static const char *host_read(const char *path)
{
    static char buf[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    cr_assert_geq(n, 0);
    buf[n] = '\0';
    return buf;
}

static bool host_exists(const char *dir, const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

static const char *in_sandbox(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", fx.sandbox, name);
    return path;
}

static void setup(void)
{
    welf_error err;
    memset(&fx, 0, sizeof fx);
    cr_assert_eq(welf_engine_new(&fx.engine, &err), WELF_OK);
    welf_limits_info one_page = {1, 1, true};
    cr_assert_eq(welf_memory_new(fx.engine, one_page, &fx.mem, &err),
                 WELF_OK, "%s", err.message);
    fx.data = welf_memory_data(fx.mem);
    cr_assert_eq(welf_memory_size_bytes(fx.mem), MEM_BYTES);

    strcpy(fx.root, "/tmp/welf-wasi-XXXXXX");
    cr_assert_not_null(mkdtemp(fx.root));
    snprintf(fx.sandbox, sizeof fx.sandbox, "%s/sandbox", fx.root);
    snprintf(fx.outside, sizeof fx.outside, "%s/outside", fx.root);
    cr_assert_eq(mkdir(fx.sandbox, 0755), 0);
    cr_assert_eq(mkdir(fx.outside, 0755), 0);
    char secret[160];
    snprintf(secret, sizeof secret, "%s/secret", fx.outside);
    host_write(secret, "secret");
    cr_assert_eq(pipe(fx.out), 0);

    welf_wasi_dir dirs[] = {{fx.sandbox, "/sandbox"}};
    welf_wasi_config cfg = {
        .argc = 3, .argv = test_argv, .envc = 2, .env = test_env,
        .dir_count = 1, .dirs = dirs,
        .stdin_fd = -1, .stdout_fd = fx.out[1], .stderr_fd = 2,
    };
    cr_assert_eq(welf_wasi_new(fx.engine, &cfg, &fx.wasi, &err), WELF_OK,
                 "%s", err.message);
    welf_wasi_memory_set(fx.wasi, fx.mem);
    fx.host.data = fx.wasi;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void teardown(void)
{
    welf_wasi_free(fx.wasi);
    welf_engine_free(fx.engine);
    close(fx.out[0]);
    close(fx.out[1]);
    nftw(fx.root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(rt_wasi, .init = setup, .fini = teardown);

/* ---- calling ---- */

/* The functions wasi.c keeps static, by name and C type. */
typedef int32_t fn_i(welf_host *, welf_caller *, int32_t);
typedef int32_t fn_ii(welf_host *, welf_caller *, int32_t, int32_t);
typedef int32_t fn_iIi(welf_host *, welf_caller *, int32_t, int64_t,
                       int32_t);
typedef int32_t fn_iiii(welf_host *, welf_caller *, int32_t, int32_t,
                        int32_t, int32_t);
typedef int32_t fn_void(welf_host *, welf_caller *);
typedef void fn_exit(welf_host *, welf_caller *, int32_t);

static welf_wasi_fn wasi_fn(const char *name)
{
    welf_wasi_fn f = welf_wasi_function(name);
    cr_assert_not_null(f, "no WASI function %s", name);
    return f;
}

#define WCALL(type, name, ...) \
    (((type *)wasi_fn(#name))(&fx.host, NULL, __VA_ARGS__))

static uint32_t get32(uint32_t at)
{
    uint32_t v;
    memcpy(&v, fx.data + at, 4);
    return v;
}

static uint64_t get64(uint32_t at)
{
    uint64_t v;
    memcpy(&v, fx.data + at, 8);
    return v;
}

static void put32(uint32_t at, uint32_t v)
{
    memcpy(fx.data + at, &v, 4);
}

/* Places a string at `at` (no NUL); returns its length. */
static int32_t put_str(uint32_t at, const char *s)
{
    size_t n = strlen(s);
    memcpy(fx.data + at, s, n);
    return (int32_t)n;
}

/* One iovec at A_IOV for `len` bytes at A_BUF. */
static void one_iov(uint32_t len)
{
    put32(A_IOV, A_BUF);
    put32(A_IOV + 4, len);
}

/* path_open beneath guest fd `dir`: the new descriptor, or the negated
 * errno. */
static int32_t open_at(int32_t dir, const char *path, int32_t lookup,
                       int32_t oflags, uint64_t rights)
{
    int32_t len = put_str(A_PATH, path);
    int32_t rc = welf_wasi_path_open(&fx.host, NULL, dir, lookup, A_PATH,
                                     len, oflags, (int64_t)rights,
                                     (int64_t)rights, 0, A_RES2);
    return rc == E_OK ? (int32_t)get32(A_RES2) : -rc;
}

static int32_t open_path(const char *path, int32_t oflags, uint64_t rights)
{
    return open_at(3, path, FOLLOW, oflags, rights);
}

static int32_t write_str(int32_t fd, const char *s)
{
    int32_t len = put_str(A_BUF, s);
    one_iov((uint32_t)len);
    int32_t rc = welf_wasi_fd_write(&fx.host, NULL, fd, A_IOV, 1, A_RES);
    if (rc == E_OK)
        cr_assert_eq(get32(A_RES), (uint32_t)len);
    return rc;
}

/* Reads up to n bytes into a static string. */
static const char *read_str(int32_t fd, uint32_t n)
{
    static char buf[256];
    one_iov(n);
    cr_assert_eq(welf_wasi_fd_read(&fx.host, NULL, fd, A_IOV, 1, A_RES),
                 E_OK);
    uint32_t got = get32(A_RES);
    cr_assert_leq(got, n);
    memcpy(buf, fx.data + A_BUF, got);
    buf[got] = '\0';
    return buf;
}

/* Path operations taking (fd, path, len). */
static int32_t mkdir_g(const char *p)
{
    return welf_wasi_path_create_directory(&fx.host, NULL, 3, A_PATH,
                                           put_str(A_PATH, p));
}

static int32_t unlink_g(const char *p)
{
    return welf_wasi_path_unlink_file(&fx.host, NULL, 3, A_PATH,
                                      put_str(A_PATH, p));
}

static int32_t rmdir_g(const char *p)
{
    return welf_wasi_path_remove_directory(&fx.host, NULL, 3, A_PATH,
                                           put_str(A_PATH, p));
}

static int32_t rename_g(const char *from, const char *to)
{
    return welf_wasi_path_rename(&fx.host, NULL, 3, A_PATH,
                                 put_str(A_PATH, from), 3, A_PATH2,
                                 put_str(A_PATH2, to));
}

static int32_t symlink_g(const char *target, const char *name)
{
    return welf_wasi_path_symlink(&fx.host, NULL, A_PATH,
                                  put_str(A_PATH, target), 3, A_PATH2,
                                  put_str(A_PATH2, name));
}

static int32_t link_g(int32_t flags, const char *from, const char *to)
{
    return welf_wasi_path_link(&fx.host, NULL, 3, flags, A_PATH,
                               put_str(A_PATH, from), 3, A_PATH2,
                               put_str(A_PATH2, to));
}

/* path_filestat_get into A_BUF. */
static int32_t stat_g(int32_t flags, const char *p)
{
    return welf_wasi_path_filestat_get(&fx.host, NULL, 3, flags, A_PATH,
                                       put_str(A_PATH, p), A_BUF);
}

/* ---- arguments, environment ---- */

Test(rt_wasi, args_sizes_and_contents)
{
    cr_assert_eq(WCALL(fn_ii, args_sizes_get, A_RES, A_RES + 4), E_OK);
    cr_assert_eq(get32(A_RES), 3);
    cr_assert_eq(get32(A_RES + 4), 5 + 4 + 1, "each string with its NUL");

    memset(fx.data + A_BUF, 0xaa, 32);
    cr_assert_eq(WCALL(fn_ii, args_get, A_RES, A_BUF), E_OK);
    cr_assert_eq(get32(A_RES), A_BUF);
    cr_assert_eq(get32(A_RES + 4), A_BUF + 5);
    cr_assert_eq(get32(A_RES + 8), A_BUF + 9);
    cr_assert_eq(memcmp(fx.data + A_BUF, "prog\0a b\0\0", 10), 0);
    cr_assert_eq(fx.data[A_BUF + 10], 0xaa, "nothing written past the end");
}

Test(rt_wasi, environ_sizes_and_contents)
{
    cr_assert_eq(WCALL(fn_ii, environ_sizes_get, A_RES, A_RES + 4), E_OK);
    cr_assert_eq(get32(A_RES), 2);
    cr_assert_eq(get32(A_RES + 4), 4 + 17);
    cr_assert_eq(WCALL(fn_ii, environ_get, A_RES, A_BUF), E_OK);
    cr_assert_str_eq((char *)fx.data + get32(A_RES), "A=1");
    cr_assert_str_eq((char *)fx.data + get32(A_RES + 4), "HOME=/home/guest");
}

Test(rt_wasi, args_and_environ_fault)
{
    cr_assert_eq(WCALL(fn_ii, args_sizes_get, MEM_BYTES - 2, A_RES), E_FAULT);
    cr_assert_eq(WCALL(fn_ii, args_sizes_get, A_RES, -1), E_FAULT);
    /* 3 pointers need 12 bytes, 10 bytes of strings */
    cr_assert_eq(WCALL(fn_ii, args_get, MEM_BYTES - 8, A_BUF), E_FAULT);
    cr_assert_eq(WCALL(fn_ii, args_get, A_RES, MEM_BYTES - 9), E_FAULT);
    cr_assert_eq(WCALL(fn_ii, args_get, A_RES, MEM_BYTES - 10), E_OK,
                 "ending exactly at the end of memory is fine");
    cr_assert_eq(WCALL(fn_ii, environ_get, A_RES, -4), E_FAULT);
}

/* ---- clocks, randomness, process ---- */

Test(rt_wasi, clock_time_monotonic_increases)
{
    cr_assert_eq(WCALL(fn_iIi, clock_time_get, 1, 1, A_RES), E_OK);
    uint64_t t1 = get64(A_RES);
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, NULL);
    cr_assert_eq(WCALL(fn_iIi, clock_time_get, 1, 1, A_RES), E_OK);
    uint64_t t2 = get64(A_RES);
    cr_assert_gt(t2, t1);
    cr_assert_geq(t2 - t1, 2000000, "slept 2 ms: %llu ns",
                  (unsigned long long)(t2 - t1));

    cr_assert_eq(WCALL(fn_iIi, clock_time_get, 0, 1, A_RES), E_OK);
    uint64_t now = (uint64_t)time(NULL);
    uint64_t secs = get64(A_RES) / 1000000000u;
    cr_assert(secs + 2 >= now && secs <= now + 2, "realtime is wall time");
    for (int32_t id = 2; id <= 3; id++)
        cr_assert_eq(WCALL(fn_iIi, clock_time_get, id, 0, A_RES), E_OK);
    cr_assert_eq(WCALL(fn_iIi, clock_time_get, 4, 0, A_RES), E_INVAL);
    cr_assert_eq(WCALL(fn_iIi, clock_time_get, 1, 0, MEM_BYTES - 7),
                 E_FAULT);
    cr_assert_eq(WCALL(fn_ii, clock_res_get, 1, A_RES), E_OK);
    cr_assert_gt(get64(A_RES), 0);
    cr_assert_leq(get64(A_RES), 1000000);
}

Test(rt_wasi, random_get_fills_exactly)
{
    memset(fx.data + A_BUF, 0, 257);
    cr_assert_eq(WCALL(fn_ii, random_get, A_BUF, 256), E_OK);
    int zeros = 0;
    for (int i = 0; i < 256; i++)
        zeros += fx.data[A_BUF + i] == 0;
    cr_assert_lt(zeros, 32, "%d of 256 random bytes are zero", zeros);
    cr_assert_eq(fx.data[A_BUF + 256], 0, "nothing past the buffer");
    cr_assert_eq(WCALL(fn_ii, random_get, A_BUF, 0), E_OK);
    cr_assert_eq(WCALL(fn_ii, random_get, MEM_BYTES - 16, 17), E_FAULT);
    cr_assert_eq(WCALL(fn_ii, random_get, -1, 2), E_FAULT);
}

Test(rt_wasi, proc_exit_ends_the_frame)
{
    welf_trap_frame frame;
    welf_error err;
    welf_trap_frame_push(fx.engine, &frame);
    if (sigsetjmp(frame.env, 0) == 0) {
        ((fn_exit *)wasi_fn("proc_exit"))(&fx.host, NULL, 7);
        cr_assert_fail("proc_exit returned");
    }
    cr_assert_eq(welf_trap_frame_pop(&frame, &err), WELF_ERR_EXIT);
    cr_assert_eq(err.code, WELF_ERR_EXIT);
    cr_assert_eq(err.exit_code, 7);
}

Test(rt_wasi, small_functions)
{
    cr_assert_eq(WCALL(fn_i, proc_raise, 9), E_NOSYS);
    cr_assert_eq(((fn_void *)wasi_fn("sched_yield"))(&fx.host, NULL), E_OK);
    cr_assert_eq(WCALL(fn_ii, sock_shutdown, 1, 0), E_NOTSUP);
    cr_assert_eq(WCALL(fn_ii, sock_shutdown, 40, 0), E_BADF);
    cr_assert_null(welf_wasi_function("fd_frobnicate"));
}

/* ---- poll_oneoff ---- */

/* A subscription at index i of the array at A_BUF. */
static void sub_clock(int i, uint64_t userdata, uint64_t timeout_ns)
{
    uint8_t *s = fx.data + A_BUF + i * 48;
    memset(s, 0, 48);
    memcpy(s, &userdata, 8);
    s[8] = 0;                                     /* clock */
    uint32_t id = 1;                              /* monotonic */
    memcpy(s + 16, &id, 4);
    memcpy(s + 24, &timeout_ns, 8);
}

static void sub_fd(int i, uint64_t userdata, uint8_t tag, uint32_t fd)
{
    uint8_t *s = fx.data + A_BUF + i * 48;
    memset(s, 0, 48);
    memcpy(s, &userdata, 8);
    s[8] = tag;
    memcpy(s + 16, &fd, 4);
}

enum { A_EVENTS = 8192 };

Test(rt_wasi, poll_oneoff_clock)
{
    sub_clock(0, 0x1234, 3000000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(WCALL(fn_iiii, poll_oneoff, A_BUF, A_EVENTS, 1, A_RES), E_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int64_t ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL +
                 (t1.tv_nsec - t0.tv_nsec);
    cr_assert_geq(ns, 3000000, "waited %lld ns", (long long)ns);
    cr_assert_eq(get32(A_RES), 1);
    cr_assert_eq(get64(A_EVENTS), 0x1234);
    cr_assert_eq(fx.data[A_EVENTS + 8], 0, "no error");
    cr_assert_eq(fx.data[A_EVENTS + 10], 0, "a clock event");
    cr_assert_eq(WCALL(fn_iiii, poll_oneoff, A_BUF, A_EVENTS, 0, A_RES),
                 E_INVAL);
    cr_assert_eq(WCALL(fn_iiii, poll_oneoff, MEM_BYTES - 40, A_EVENTS, 1,
                      A_RES), E_FAULT);
}

Test(rt_wasi, poll_oneoff_fd_ready_before_clock)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    cr_assert_eq(write(p[1], "xyz", 3), 3);
    int32_t rfd = welf_wasi_fd_add(fx.wasi, p[0], true, R_ALL, R_ALL);
    cr_assert_eq(rfd, 4);
    sub_clock(0, 1, UINT64_C(10000000000));        /* 10 s */
    sub_fd(1, 2, 1, (uint32_t)rfd);                /* fd_read */
    sub_fd(2, 3, 1, 99);                           /* not open */
    cr_assert_eq(WCALL(fn_iiii, poll_oneoff, A_BUF, A_EVENTS, 3, A_RES), E_OK);
    cr_assert_eq(get32(A_RES), 2, "the read and the bad descriptor");
    cr_assert_eq(get64(A_EVENTS), 2);
    cr_assert_eq(fx.data[A_EVENTS + 10], 1);
    cr_assert_eq(get64(A_EVENTS + 16), 3, "three bytes to read");
    cr_assert_eq(get64(A_EVENTS + 32), 3);
    cr_assert_eq(fx.data[A_EVENTS + 32 + 8], E_BADF);
    close(p[1]);
}

/* ---- descriptors ---- */

Test(rt_wasi, fd_write_to_a_pipe)
{
    put_str(A_BUF, "hello world");
    put32(A_IOV, A_BUF);
    put32(A_IOV + 4, 6);
    put32(A_IOV + 8, A_BUF + 6);
    put32(A_IOV + 12, 5);
    put32(A_IOV + 16, A_BUF);
    put32(A_IOV + 20, 0);
    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, 1, A_IOV, 3, A_RES),
                 E_OK);
    cr_assert_eq(get32(A_RES), 11);
    char buf[32] = {0};
    cr_assert_eq(read(fx.out[0], buf, sizeof buf), 11);
    cr_assert_str_eq(buf, "hello world");

    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, 0, A_IOV, 1, A_RES),
                 E_BADF, "stdin is closed (-1)");
    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, 77, A_IOV, 1, A_RES),
                 E_BADF);
    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, -1, A_IOV, 1, A_RES),
                 E_BADF);
}

Test(rt_wasi, fd_write_fault)
{
    put32(A_IOV, MEM_BYTES - 4);
    put32(A_IOV + 4, 5);
    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, 1, A_IOV, 1, A_RES),
                 E_FAULT, "the buffer runs past the end");
    put32(A_IOV, 0xfffffff0u);
    put32(A_IOV + 4, 0x20);
    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, 1, A_IOV, 1, A_RES),
                 E_FAULT, "a 32-bit wrap");
    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, 1, MEM_BYTES - 4, 1,
                                    A_RES), E_FAULT, "the iovec array");
    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, 1, A_IOV, 0x20000000,
                                    A_RES), E_FAULT, "iovs_len * 8 wraps");
    one_iov(1);
    cr_assert_eq(welf_wasi_fd_write(&fx.host, NULL, 1, A_IOV, 1, -2),
                 E_FAULT, "nwritten");
    cr_assert_eq(welf_wasi_fd_read(&fx.host, NULL, 3, A_IOV, 1,
                                   MEM_BYTES), E_FAULT);
    cr_assert_eq(welf_wasi_fd_fdstat_get(&fx.host, NULL, 3, MEM_BYTES - 23),
                 E_FAULT);
    cr_assert_eq(welf_wasi_fd_filestat_get(&fx.host, NULL, 3,
                                           MEM_BYTES - 63), E_FAULT);
    cr_assert_eq(welf_wasi_fd_prestat_get(&fx.host, NULL, 3, MEM_BYTES - 7),
                 E_FAULT);
    cr_assert_eq(welf_wasi_fd_seek(&fx.host, NULL, 1, 0, 0, MEM_BYTES - 7),
                 E_FAULT);
}

Test(rt_wasi, preopen_and_stdio_stats)
{
    cr_assert_eq(welf_wasi_fd_prestat_get(&fx.host, NULL, 3, A_RES), E_OK);
    cr_assert_eq(fx.data[A_RES], 0, "a directory");
    cr_assert_eq(get32(A_RES + 4), 8);
    cr_assert_eq(welf_wasi_fd_prestat_dir_name(&fx.host, NULL, 3, A_BUF, 8),
                 E_OK);
    cr_assert_eq(memcmp(fx.data + A_BUF, "/sandbox", 8), 0);
    cr_assert_eq(welf_wasi_fd_prestat_dir_name(&fx.host, NULL, 3, A_BUF, 7),
                 E_NAMETOOLONG);
    for (int32_t fd = 0; fd <= 4; fd++)
        if (fd != 3)
            cr_assert_eq(welf_wasi_fd_prestat_get(&fx.host, NULL, fd, A_RES),
                         E_BADF, "fd %d is no preopen", fd);

    cr_assert_eq(welf_wasi_fd_fdstat_get(&fx.host, NULL, 3, A_RES), E_OK);
    cr_assert_eq(fx.data[A_RES], FT_DIRECTORY);
    cr_assert_eq(get64(A_RES + 8), R_ALL);
    cr_assert_eq(get64(A_RES + 16), R_ALL);
    cr_assert_eq(welf_wasi_fd_fdstat_get(&fx.host, NULL, 1, A_RES), E_OK);
    cr_assert_eq(fx.data[A_RES], FT_UNKNOWN, "a pipe");
    cr_assert_eq(welf_wasi_fd_fdstat_get(&fx.host, NULL, 0, A_RES), E_BADF);

    cr_assert_eq(welf_wasi_fd_filestat_get(&fx.host, NULL, 3, A_BUF), E_OK);
    struct stat st;
    cr_assert_eq(stat(fx.sandbox, &st), 0);
    cr_assert_eq(get64(A_BUF), (uint64_t)st.st_dev);
    cr_assert_eq(get64(A_BUF + 8), (uint64_t)st.st_ino);
    cr_assert_eq(fx.data[A_BUF + 16], FT_DIRECTORY);
    cr_assert_eq(get64(A_BUF + 24), (uint64_t)st.st_nlink);
    cr_assert_eq(get64(A_BUF + 48),
                 (uint64_t)st.st_mtim.tv_sec * 1000000000u +
                     (uint64_t)st.st_mtim.tv_nsec);
    cr_assert_eq(welf_wasi_fd_seek(&fx.host, NULL, 3, 0, 0, A_RES), E_BADF,
                 "a directory has no position");
}

Test(rt_wasi, open_write_seek_read)
{
    int32_t fd = open_path("f.txt", O_CREAT_ | O_TRUNC_,
                           R_READ | R_WRITE | R_SEEK | R_TELL);
    cr_assert_eq(fd, 4, "the first free descriptor after the preopen");
    cr_assert_eq(write_str(fd, "0123456789"), E_OK);
    cr_assert_eq(welf_wasi_fd_tell(&fx.host, NULL, fd, A_RES), E_OK);
    cr_assert_eq(get64(A_RES), 10);
    cr_assert_eq(welf_wasi_fd_seek(&fx.host, NULL, fd, 2, 0, A_RES), E_OK);
    cr_assert_eq(get64(A_RES), 2);
    cr_assert_str_eq(read_str(fd, 3), "234");
    cr_assert_eq(welf_wasi_fd_seek(&fx.host, NULL, fd, 1, 1, A_RES), E_OK);
    cr_assert_eq(get64(A_RES), 6);
    cr_assert_eq(welf_wasi_fd_seek(&fx.host, NULL, fd, -1, 2, A_RES), E_OK);
    cr_assert_eq(get64(A_RES), 9);
    cr_assert_str_eq(read_str(fd, 10), "9");
    cr_assert_str_eq(read_str(fd, 10), "", "end of file");
    cr_assert_eq(welf_wasi_fd_seek(&fx.host, NULL, fd, 0, 3, A_RES), E_INVAL);
    cr_assert_eq(welf_wasi_fd_seek(&fx.host, NULL, fd, -20, 0, A_RES),
                 E_INVAL);

    /* pread and pwrite leave the position alone */
    one_iov(2);
    cr_assert_eq(welf_wasi_fd_pread(&fx.host, NULL, fd, A_IOV, 1, 5, A_RES),
                 E_OK);
    cr_assert_eq(get32(A_RES), 2);
    cr_assert_eq(memcmp(fx.data + A_BUF, "56", 2), 0);
    put_str(A_BUF, "XY");
    cr_assert_eq(welf_wasi_fd_pwrite(&fx.host, NULL, fd, A_IOV, 1, 0, A_RES),
                 E_OK);
    cr_assert_eq(welf_wasi_fd_tell(&fx.host, NULL, fd, A_RES), E_OK);
    cr_assert_eq(get64(A_RES), 10);
    cr_assert_str_eq(host_read(in_sandbox("f.txt")), "XY23456789");

    cr_assert_eq(welf_wasi_fd_filestat_get(&fx.host, NULL, fd, A_BUF), E_OK);
    cr_assert_eq(fx.data[A_BUF + 16], FT_REGULAR);
    cr_assert_eq(get64(A_BUF + 32), 10, "size");
    cr_assert_eq(get64(A_BUF + 24), 1, "nlink");
    cr_assert_eq(welf_wasi_fd_filestat_set_size(&fx.host, NULL, fd, 4), E_OK);
    cr_assert_str_eq(host_read(in_sandbox("f.txt")), "XY23");
    cr_assert_eq(welf_wasi_fd_fdstat_get(&fx.host, NULL, fd, A_RES), E_OK);
    cr_assert_eq(fx.data[A_RES], FT_REGULAR);
    cr_assert_eq(get64(A_RES + 8), R_READ | R_WRITE | R_SEEK | R_TELL);

    cr_assert_eq(welf_wasi_fd_close(&fx.host, NULL, fd), E_OK);
    cr_assert_eq(write_str(fd, "x"), E_BADF, "closed");
    cr_assert_eq(welf_wasi_fd_close(&fx.host, NULL, fd), E_BADF);
    cr_assert_eq(open_path("f.txt", O_CREAT_ | O_EXCL_, R_READ), -E_EXIST);
    cr_assert_eq(open_path("missing", 0, R_READ), -E_NOENT);
}

Test(rt_wasi, read_only_file_refuses_writes)
{
    host_write(in_sandbox("ro"), "data");
    int32_t fd = open_path("ro", 0, R_READ | R_SEEK);
    cr_assert_geq(fd, 4);
    cr_assert_eq(write_str(fd, "more"), E_BADF);
    cr_assert_str_eq(read_str(fd, 10), "data");
    cr_assert_str_eq(host_read(in_sandbox("ro")), "data");
    /* rights shrink, never grow */
    cr_assert_eq(welf_wasi_fd_fdstat_set_rights(&fx.host, NULL, fd,
                                                (int64_t)R_READ, 0), E_OK);
    cr_assert_eq(welf_wasi_fd_fdstat_set_rights(&fx.host, NULL, fd,
                                                (int64_t)R_ALL, 0),
                 E_NOTCAPABLE);
    /* a directory opened for writing */
    cr_assert_eq(mkdir(in_sandbox("d"), 0755), 0);
    cr_assert_eq(open_path("d", O_DIRECTORY_, R_READ | R_WRITE), -E_ISDIR);
    cr_assert_eq(open_path("ro", O_DIRECTORY_, R_READ), -E_NOTDIR);
}

Test(rt_wasi, renumber_and_append)
{
    int32_t fd = open_path("log", O_CREAT_, R_WRITE);
    cr_assert_eq(fd, 4);
    cr_assert_eq(welf_wasi_fd_fdstat_set_flags(&fx.host, NULL, fd, 1), E_OK);
    cr_assert_eq(welf_wasi_fd_fdstat_get(&fx.host, NULL, fd, A_RES), E_OK);
    cr_assert_eq(fx.data[A_RES + 2], 1, "APPEND");
    cr_assert_eq(welf_wasi_fd_renumber(&fx.host, NULL, fd, 2), E_OK);
    cr_assert_eq(write_str(fd, "x"), E_BADF, "the old number is free");
    cr_assert_eq(write_str(2, "ab"), E_OK);
    cr_assert_eq(write_str(2, "cd"), E_OK);
    cr_assert_str_eq(host_read(in_sandbox("log")), "abcd");
    cr_assert_eq(welf_wasi_fd_renumber(&fx.host, NULL, 2, 9), E_BADF,
                 "the target must be open");
    cr_assert_eq(open_path("log", 0, R_READ), 4, "the slot is reused");
}

/* ---- directories ---- */

/* Reads the directory `fd` as wasi-libc's readdir does, with a buffer of
 * `buf_len` bytes: an entry cut short is asked for again, from the
 * cookie of the entry before it. Names are joined by '/', in order. */
static void list_dir(int32_t fd, uint32_t buf_len, char *names,
                     size_t size)
{
    uint64_t cookie = 0;
    names[0] = '\0';
    for (int rounds = 0; rounds < 100; rounds++) {
        cr_assert_eq(welf_wasi_fd_readdir(&fx.host, NULL, fd, A_BUF,
                                          (int32_t)buf_len, (int64_t)cookie,
                                          A_RES), E_OK);
        uint32_t used = get32(A_RES);
        cr_assert_leq(used, buf_len);
        uint32_t at = 0;
        bool progress = false;
        while (at + 24 <= used) {
            uint32_t namlen = get32(A_BUF + at + 16);
            if (at + 24 + namlen > used)
                break;                      /* cut short: ask again */
            char name[256];
            memcpy(name, fx.data + A_BUF + at + 24, namlen);
            name[namlen] = '\0';
            uint8_t type = fx.data[A_BUF + at + 20];
            if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
                char entry[300];
                snprintf(entry, sizeof entry, "%s%s:%u",
                         names[0] ? "/" : "", name, type);
                cr_assert_lt(strlen(names) + strlen(entry), size);
                strcat(names, entry);
            } else {
                cr_assert_eq(type, FT_DIRECTORY);
            }
            cookie = get64(A_BUF + at);
            at += 24 + namlen;
            progress = true;
        }
        if (used < buf_len)
            return;
        cr_assert(progress, "a buffer of %u bytes holds no entry", buf_len);
    }
    cr_assert_fail("the listing does not end");
}

/* Sorts "a:4/b:3/..." so listings compare in any order. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sorted(char *names)
{
    char *parts[64];
    size_t n = 0;
    for (char *s = strtok(names, "/"); s && n < 64; s = strtok(NULL, "/"))
        parts[n++] = s;
    qsort(parts, n, sizeof parts[0], cmp_str);
    char out[1024] = "";
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, "/");
        strcat(out, parts[i]);
    }
    strcpy(names, out);
}

Test(rt_wasi, readdir_lists_with_cookies)
{
    host_write(in_sandbox("apple"), "");
    host_write(in_sandbox("banana"), "");
    cr_assert_eq(mkdir(in_sandbox("cherry"), 0755), 0);
    cr_assert_eq(symlink("apple", in_sandbox("date")), 0);
    char whole[1024], small[1024];
    list_dir(3, 4096, whole, sizeof whole);
    sorted(whole);
    cr_assert_str_eq(whole, "apple:4/banana:4/cherry:3/date:7");
    /* one entry at a time, and entries cut at every length */
    for (uint32_t len = 30; len <= 64; len += 7) {
        list_dir(3, len, small, sizeof small);
        sorted(small);
        cr_assert_str_eq(small, whole, "buffer of %u bytes", len);
    }

    /* a subdirectory opened by path_open lists its own entries */
    host_write(in_sandbox("cherry/pit"), "");
    int32_t sub = open_path("cherry", O_DIRECTORY_, R_READ | R_READDIR);
    cr_assert_geq(sub, 4);
    list_dir(sub, 4096, small, sizeof small);
    cr_assert_str_eq(small, "pit:4");

    cr_assert_eq(welf_wasi_fd_readdir(&fx.host, NULL, 3, MEM_BYTES - 10, 11,
                                      0, A_RES), E_FAULT);
    cr_assert_eq(welf_wasi_fd_readdir(&fx.host, NULL, 1, A_BUF, 100, 0,
                                      A_RES) != E_OK, 1, "not a directory");
}

Test(rt_wasi, names_made_and_removed)
{
    cr_assert_eq(mkdir_g("d"), E_OK);
    struct stat st;
    cr_assert_eq(stat(in_sandbox("d"), &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(mkdir_g("d"), E_EXIST);
    cr_assert_eq(mkdir_g("d/e/"), E_OK, "a trailing slash");
    cr_assert(host_exists(fx.sandbox, "d/e"));
    cr_assert_eq(rmdir_g("d"), E_NOTEMPTY);
    cr_assert_eq(rename_g("d", "r"), E_OK);
    cr_assert(!host_exists(fx.sandbox, "d"));
    cr_assert(host_exists(fx.sandbox, "r/e"));

    int32_t fd = open_path("r/x", O_CREAT_, R_WRITE);
    cr_assert_geq(fd, 4);
    cr_assert_eq(welf_wasi_fd_close(&fx.host, NULL, fd), E_OK);
    cr_assert_eq(stat_g(0, "r/x"), E_OK);
    cr_assert_eq(fx.data[A_BUF + 16], FT_REGULAR);
    cr_assert_eq(link_g(0, "r/x", "hard"), E_OK);
    cr_assert_eq(stat_g(0, "hard"), E_OK);
    cr_assert_eq(get64(A_BUF + 24), 2, "two links");
    cr_assert_eq(symlink_g("r/x", "soft"), E_OK);
    cr_assert_eq(stat_g(0, "soft"), E_OK);
    cr_assert_eq(fx.data[A_BUF + 16], FT_SYMLINK);
    cr_assert_eq(stat_g(FOLLOW, "soft"), E_OK);
    cr_assert_eq(fx.data[A_BUF + 16], FT_REGULAR);
    int32_t len = put_str(A_PATH, "soft");
    cr_assert_eq(welf_wasi_path_readlink(&fx.host, NULL, 3, A_PATH, len,
                                         A_BUF, 64, A_RES), E_OK);
    cr_assert_eq(get32(A_RES), 3);
    cr_assert_eq(memcmp(fx.data + A_BUF, "r/x", 3), 0);
    cr_assert_eq(welf_wasi_path_readlink(&fx.host, NULL, 3, A_PATH, len,
                                         A_BUF, 2, A_RES), E_OK);
    cr_assert_eq(get32(A_RES), 2, "truncated to the buffer");
    len = put_str(A_PATH, "hard");
    cr_assert_eq(welf_wasi_path_readlink(&fx.host, NULL, 3, A_PATH, len,
                                         A_BUF, 64, A_RES), E_INVAL);

    /* times, set by path and followed through the link */
    len = put_str(A_PATH, "soft");
    cr_assert_eq(welf_wasi_path_filestat_set_times(
                     &fx.host, NULL, 3, FOLLOW, A_PATH, len, 0,
                     INT64_C(1000000000) * 1234567 + 89, 4), E_OK);
    cr_assert_eq(stat(in_sandbox("r/x"), &st), 0);
    cr_assert_eq(st.st_mtim.tv_sec, 1234567);
    cr_assert_eq(st.st_mtim.tv_nsec, 89);
    cr_assert_eq(welf_wasi_path_filestat_set_times(
                     &fx.host, NULL, 3, 0, A_PATH, len, 0, 0, 4 | 8),
                 E_INVAL, "MTIM and MTIM_NOW");

    cr_assert_eq(unlink_g("r/x"), E_OK);
    cr_assert(!host_exists(fx.sandbox, "r/x"));
    cr_assert_eq(unlink_g("r/x"), E_NOENT);
    cr_assert_eq(unlink_g("r"), E_ISDIR);
    cr_assert_eq(rmdir_g("hard"), E_NOTDIR);
    cr_assert_eq(unlink_g("soft"), E_OK, "the link, not its target");
    cr_assert(host_exists(fx.sandbox, "hard"));
    cr_assert_eq(rmdir_g("r/e"), E_OK);
    cr_assert_eq(rmdir_g("r"), E_OK);
    cr_assert(!host_exists(fx.sandbox, "r"));
    cr_assert_eq(mkdir_g(""), E_NOENT);
}

/* ---- the sandbox ---- */

static const char *secret_path(void)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/secret", fx.outside);
    return path;
}

Test(rt_wasi, sandbox_refuses_dot_dot_and_absolute)
{
    cr_assert_eq(mkdir(in_sandbox("a"), 0755), 0);
    const uint64_t r = R_READ | R_WRITE;
    cr_assert_eq(open_path("../outside/secret", 0, R_READ), -E_NOTCAPABLE);
    cr_assert_eq(open_path("/etc/passwd", 0, R_READ), -E_NOTCAPABLE);
    cr_assert_eq(open_path("a/../../outside/secret", 0, R_READ),
                 -E_NOTCAPABLE);
    cr_assert_eq(open_path("..", O_DIRECTORY_, R_READ), -E_NOTCAPABLE);
    cr_assert_eq(open_path("../outside/new", O_CREAT_, r), -E_NOTCAPABLE);
    cr_assert(!host_exists(fx.outside, "new"));
    cr_assert_eq(open_path("a/..", O_DIRECTORY_, R_READ), 4,
                 "inside all along");

    cr_assert_eq(stat_g(0, "../outside/secret"), E_NOTCAPABLE);
    cr_assert_eq(stat_g(0, ".."), E_NOTCAPABLE);
    cr_assert_eq(stat_g(0, "/"), E_NOTCAPABLE);
    cr_assert_eq(stat_g(0, "."), E_OK);
    cr_assert_eq(mkdir_g("../newdir"), E_NOTCAPABLE);
    cr_assert(!host_exists(fx.root, "newdir"));
    cr_assert_eq(mkdir_g("/tmp/x"), E_NOTCAPABLE);
    cr_assert_eq(unlink_g("../outside/secret"), E_NOTCAPABLE);
    cr_assert_eq(unlink_g("a/../../outside/secret"), E_NOTCAPABLE);
    cr_assert_eq(rmdir_g("../outside"), E_NOTCAPABLE);
    cr_assert_eq(rmdir_g(".."), E_NOTEMPTY, "the kernel refuses \"..\"");
    cr_assert(host_exists(fx.root, "outside"));
    cr_assert_eq(rename_g("a", "../a"), E_NOTCAPABLE);
    cr_assert_eq(rename_g("../outside/secret", "stolen"), E_NOTCAPABLE);
    cr_assert_eq(link_g(0, "../outside/secret", "stolen"), E_NOTCAPABLE);
    cr_assert_eq(symlink_g("a", "../evil"), E_NOTCAPABLE);
    cr_assert(!host_exists(fx.sandbox, "stolen"));
    cr_assert(!host_exists(fx.root, "evil"));
    cr_assert(!host_exists(fx.root, "a"));
    cr_assert_str_eq(host_read(secret_path()), "secret");
}

Test(rt_wasi, sandbox_symlinks_stay_inside)
{
    cr_assert_eq(symlink("/etc", in_sandbox("etc")), 0);
    cr_assert_eq(symlink("..", in_sandbox("up")), 0);
    cr_assert_eq(symlink("../outside/secret", in_sandbox("sec")), 0);
    cr_assert_eq(symlink("up/outside", in_sandbox("chain")), 0);

    cr_assert_eq(open_path("etc/passwd", 0, R_READ), -E_NOTCAPABLE);
    cr_assert_eq(open_path("etc", O_DIRECTORY_, R_READ), -E_NOTCAPABLE);
    cr_assert_eq(open_at(3, "etc", 0, 0, R_READ), -E_LOOP,
                 "a final link not followed");
    cr_assert_eq(open_path("up/outside/secret", 0, R_READ), -E_NOTCAPABLE);
    cr_assert_eq(open_path("sec", 0, R_READ), -E_NOTCAPABLE);
    cr_assert_eq(open_path("sec", O_TRUNC_, R_WRITE), -E_NOTCAPABLE);
    cr_assert_eq(open_path("chain/secret", 0, R_READ), -E_NOTCAPABLE);

    cr_assert_eq(stat_g(FOLLOW, "up"), E_NOTCAPABLE);
    cr_assert_eq(stat_g(0, "up"), E_OK, "the link itself is inside");
    cr_assert_eq(fx.data[A_BUF + 16], FT_SYMLINK);
    cr_assert_eq(stat_g(0, "etc/passwd"), E_NOTCAPABLE);
    cr_assert_eq(stat_g(0, "up/"), E_NOTCAPABLE, "a trailing slash follows");

    struct stat before, after;
    cr_assert_eq(stat(secret_path(), &before), 0);
    int32_t len = put_str(A_PATH, "sec");
    cr_assert_eq(welf_wasi_path_filestat_set_times(&fx.host, NULL, 3, FOLLOW,
                                                   A_PATH, len, 0, 5, 4),
                 E_NOTCAPABLE);
    cr_assert_eq(link_g(FOLLOW, "sec", "copy"), E_NOTCAPABLE);
    cr_assert(!host_exists(fx.sandbox, "copy"));
    cr_assert_eq(mkdir_g("etc/welf-x"), E_NOTCAPABLE);
    cr_assert_eq(unlink_g("up/outside/secret"), E_NOTCAPABLE);
    cr_assert_eq(rename_g("sec", "up/outside/moved"), E_NOTCAPABLE);
    cr_assert_eq(symlink_g("x", "up/planted"), E_NOTCAPABLE);
    cr_assert_eq(stat(secret_path(), &after), 0);
    cr_assert_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    cr_assert_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    cr_assert(!host_exists(fx.outside, "moved"));
    cr_assert(!host_exists(fx.root, "planted"));
    cr_assert_str_eq(host_read(secret_path()), "secret");

    /* links made by the guest: stored as given, refused when followed */
    cr_assert_eq(symlink_g("/etc/passwd", "abs"), E_OK);
    cr_assert_eq(open_path("abs", 0, R_READ), -E_NOTCAPABLE);
    cr_assert_eq(symlink_g("../../..", "deep"), E_OK);
    cr_assert_eq(open_path("deep/etc/passwd", 0, R_READ), -E_NOTCAPABLE);
    len = put_str(A_PATH, "deep");
    cr_assert_eq(welf_wasi_path_readlink(&fx.host, NULL, 3, A_PATH, len,
                                         A_BUF, 64, A_RES), E_OK);
    cr_assert_eq(get32(A_RES), 8);
    /* a link to a sibling inside the sandbox works */
    host_write(in_sandbox("target"), "ok");
    cr_assert_eq(symlink_g("target", "good"), E_OK);
    int32_t fd = open_path("good", 0, R_READ);
    cr_assert_geq(fd, 4);
    cr_assert_str_eq(read_str(fd, 10), "ok");
}

Test(rt_wasi, bad_paths)
{
    memcpy(fx.data + A_PATH, "a\0b", 3);
    cr_assert_eq(welf_wasi_path_create_directory(&fx.host, NULL, 3, A_PATH,
                                                 3), E_INVAL);
    cr_assert(!host_exists(fx.sandbox, "a"));
    cr_assert_eq(welf_wasi_path_create_directory(&fx.host, NULL, 3,
                                                 MEM_BYTES - 2, 3), E_FAULT);
    cr_assert_eq(welf_wasi_path_create_directory(&fx.host, NULL, 3, -1, 2),
                 E_FAULT);
    cr_assert_eq(welf_wasi_path_create_directory(&fx.host, NULL, 3, A_BUF,
                                                 5000), E_NAMETOOLONG);
    cr_assert_eq(welf_wasi_path_create_directory(&fx.host, NULL, 9, A_PATH,
                                                 1), E_BADF);
    cr_assert_eq(welf_wasi_path_open(&fx.host, NULL, 3, 0, A_PATH, 1, 0, 0,
                                     0, 0, MEM_BYTES - 3), E_FAULT);
    cr_assert_eq(welf_wasi_path_open(&fx.host, NULL, 3, 0, A_PATH, 1, 0x10,
                                     0, 0, 0, A_RES), E_INVAL, "oflags");
    int32_t len = put_str(A_PATH, "x");
    cr_assert_eq(welf_wasi_path_filestat_get(&fx.host, NULL, 3, 0, A_PATH,
                                             len, MEM_BYTES - 1), E_FAULT);
    cr_assert_eq(welf_wasi_path_readlink(&fx.host, NULL, 3, A_PATH, len,
                                         MEM_BYTES - 4, 5, A_RES), E_FAULT);
    /* a file used as a directory */
    host_write(in_sandbox("plain"), "");
    int32_t fd = open_path("plain", 0, R_READ);
    cr_assert_eq(open_at(fd, "x", FOLLOW, 0, R_READ), -E_NOTDIR);
}

/* ---- the context ---- */

Test(rt_wasi, new_refuses_a_missing_directory)
{
    welf_wasi *w;
    welf_error err = {0};
    welf_wasi_dir dirs[] = {{"/nonexistent/welf-dir", "/x"}};
    welf_wasi_config cfg = {.dirs = dirs, .dir_count = 1, .stdin_fd = -1,
                            .stdout_fd = -1, .stderr_fd = -1};
    cr_assert_eq(welf_wasi_new(fx.engine, &cfg, &w, &err), WELF_ERR_IO);
    cr_assert_null(w);
    cr_assert_not_null(strstr(err.message, "/nonexistent/welf-dir"), "%s",
                       err.message);
}

Test(rt_wasi, new_survives_failing_allocations)
{
    welf_wasi_dir dirs[] = {{fx.sandbox, "/a"}, {fx.outside, "/b"}};
    welf_wasi_config cfg = {
        .argc = 3, .argv = test_argv, .envc = 2, .env = test_env,
        .dir_count = 2, .dirs = dirs,
        .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2,
    };
    rt_alloc_count c;
    bool done = false;
    for (long n = 0; n < 100 && !done; n++) {
        welf_wasi *w = NULL;
        welf_error err = {0};
        rt_alloc_install(&c, n);
        welf_status st = welf_wasi_new(fx.engine, &cfg, &w, &err);
        if (st == WELF_OK) {
            done = !c.failed;
            welf_wasi_free(w);
        } else {
            cr_assert_eq(st, WELF_ERR_NOMEM);
            cr_assert_null(w);
        }
        long live = c.live;
        rt_alloc_restore();
        cr_assert_eq(live, 0, "leak when allocation %ld fails", n);
    }
    cr_assert(done);
}

/* ---- through compiled wasm ---- */

/* A module importing fd_write, args_sizes_get and proc_exit, with an
 * exported memory and one export calling each. */
static welf_module *wasi_module(welf_engine *engine)
{
    lw_mod m;
    mod_init(&m, WELF_FEATURES_WASM2);
    uint32_t fd_write = mod_import_func(&m, "wasi_snapshot_preview1",
                                        "fd_write", "iiii", "i");
    uint32_t sizes = mod_import_func(&m, "wasi_snapshot_preview1",
                                     "args_sizes_get", "ii", "i");
    uint32_t proc_exit = mod_import_func(&m, "wasi_snapshot_preview1",
                                         "proc_exit", "i", "");
    cr_assert_eq(fd_write, 0);
    cr_assert_eq(sizes, 1);
    cr_assert_eq(proc_exit, 2);
    mod_memory(&m, 1, LW_NO_MAX, "memory");
    FUNC(&m, "write", "iiii", "i", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02" LOCAL_GET "\x03"
         CALL "\x00");
    FUNC(&m, "sizes", "ii", "i", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" CALL "\x01");
    FUNC(&m, "exit", "i", "", "", LOCAL_GET "\x00" CALL "\x02");
    size_t size;
    const uint8_t *bytes = mod_bytes(&m, &size);
    welf_wasm *wasm = NULL;
    welf_error err;
    cr_assert_eq(welf_wasm_decode(bytes, size, m.features, &wasm, &err),
                 WELF_OK, "%s", err.message);
    cr_assert_eq(welf_wasm_validate(wasm, &err), WELF_OK, "%s", err.message);
    welf_compile_options opts;
    welf_compile_options_init(&opts);
    uint8_t *object = NULL;
    size_t object_size = 0;
    welf_status st = welf_compile(wasm, &opts, &object, &object_size, &err);
    welf_wasm_free(wasm);
    mod_free(&m);
    cr_assert_eq(st, WELF_OK, "compile: %s", err.message);
    welf_module *module;
    st = welf_module_load_memory(engine, object, object_size, &module, &err);
    welf_free(object);
    cr_assert_eq(st, WELF_OK, "load: %s", err.message);
    return module;
}

Test(rt_wasi, called_from_wasm)
{
    welf_error err;
    welf_linker *linker;
    cr_assert_eq(welf_linker_new(fx.engine, &linker, &err), WELF_OK);
    cr_assert_eq(welf_wasi_define(fx.wasi, linker, &err), WELF_OK, "%s",
                 err.message);
    const welf_extern *ext = welf_linker_lookup(
        linker, "wasi_snapshot_preview1", 22, "path_open", 9);
    cr_assert_not_null(ext);
    welf_functype_info type;
    welf_func_type(ext->u.func, &type);
    cr_assert_eq(type.param_count, 9);
    cr_assert_eq(type.params[5], WELF_TYPE_I64);
    cr_assert_eq(type.result_count, 1);

    welf_module *module = wasi_module(fx.engine);
    welf_instance_pre *pre;
    cr_assert_eq(welf_instance_pre_new(linker, module, &pre, &err), WELF_OK,
                 "%s", err.message);
    welf_instance *inst;
    cr_assert_eq(welf_instance_pre_instantiate(pre, &inst, &err), WELF_OK,
                 "%s", err.message);
    welf_extern mem;
    cr_assert_eq(welf_instance_export(inst, "memory", 6, &mem, &err),
                 WELF_OK);
    uint8_t *data = welf_memory_data(mem.u.memory);

    memcpy(data + 100, "from wasm", 9);
    uint32_t iov[2] = {100, 9};
    memcpy(data + 16, iov, 8);
    welf_funcref *write = rt_func(inst, "write");
    welf_val args[4] = {I32(1), I32(16), I32(1), I32(40)}, result;
    cr_assert_eq(welf_func_call(write, args, 4, &result, 1, &err), WELF_OK,
                 "%s", err.message);
    cr_assert_eq(result.of.i32, E_OK);
    uint32_t n;
    memcpy(&n, data + 40, 4);
    cr_assert_eq(n, 9);
    char buf[16] = {0};
    cr_assert_eq(read(fx.out[0], buf, sizeof buf), 9);
    cr_assert_str_eq(buf, "from wasm");
    /* the caller's memory, not the one the fixture set for C calls */
    args[3] = I32(65535);
    cr_assert_eq(welf_func_call(write, args, 4, &result, 1, &err), WELF_OK);
    cr_assert_eq(result.of.i32, E_FAULT);

    welf_val sargs[2] = {I32(0), I32(4)};
    cr_assert_eq(welf_func_call(rt_func(inst, "sizes"), sargs, 2, &result, 1,
                                &err), WELF_OK, "%s", err.message);
    cr_assert_eq(result.of.i32, E_OK);
    uint32_t sizes[2];
    memcpy(sizes, data, 8);
    cr_assert_eq(sizes[0], 3);
    cr_assert_eq(sizes[1], 10);

    welf_val code = I32(42);
    welf_error exit_err;
    cr_assert_eq(welf_func_call(rt_func(inst, "exit"), &code, 1, NULL, 0,
                                &exit_err), WELF_ERR_EXIT);
    cr_assert_eq(exit_err.exit_code, 42);
    cr_assert_eq(welf_func_call(write, args, 4, &result, 1, &err), WELF_OK,
                 "the instance is still usable");
}

Test(rt_wasi, define_twice_in_one_linker_fails)
{
    welf_error err;
    welf_linker *linker;
    cr_assert_eq(welf_linker_new(fx.engine, &linker, &err), WELF_OK);
    cr_assert_eq(welf_wasi_define(fx.wasi, linker, &err), WELF_OK);
    cr_assert_eq(welf_wasi_define(fx.wasi, linker, &err), WELF_ERR_USAGE);
    welf_linker *other;
    cr_assert_eq(welf_linker_new(fx.engine, &other, &err), WELF_OK);
    welf_error err2;
    cr_assert_eq(welf_wasi_define(fx.wasi, other, &err2), WELF_OK,
                 "the same functions in a second linker");
    cr_assert_eq(welf_linker_lookup(other, "wasi_snapshot_preview1", 22,
                                    "fd_write", 8)->u.func,
                 welf_linker_lookup(linker, "wasi_snapshot_preview1", 22,
                                    "fd_write", 8)->u.func);
}
