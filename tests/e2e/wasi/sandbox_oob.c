/* Out-of-bounds pointers given straight to every WASI call that takes
 * one: a pointer far past the end of linear memory (0xfffffff0), regions
 * that start inside memory and cross its end, and lengths that wrap
 * around 2^32 if added in 32 bits. Everything else about each call is
 * valid, so the only error is the pointer, and the runtime must answer
 * EFAULT (21) without touching memory or the host, and without killing
 * the program.
 *
 * The calls that take a path go through the raw imports below, because
 * wasi-libc's __wasi_path_* wrappers call strlen on the path first (which
 * would trap in the guest before the runtime ever saw the pointer). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#define IMPORT(name) \
    __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

IMPORT("path_open") int32_t raw_path_open(int32_t, int32_t, int32_t, int32_t, int32_t,
                                          int64_t, int64_t, int32_t, int32_t);
IMPORT("path_filestat_get") int32_t raw_path_filestat_get(int32_t, int32_t, int32_t, int32_t,
                                                          int32_t);
IMPORT("path_readlink") int32_t raw_path_readlink(int32_t, int32_t, int32_t, int32_t, int32_t,
                                                  int32_t);
IMPORT("path_create_directory") int32_t raw_path_create_directory(int32_t, int32_t, int32_t);
IMPORT("path_unlink_file") int32_t raw_path_unlink_file(int32_t, int32_t, int32_t);
IMPORT("path_remove_directory") int32_t raw_path_remove_directory(int32_t, int32_t, int32_t);
IMPORT("path_rename") int32_t raw_path_rename(int32_t, int32_t, int32_t, int32_t, int32_t,
                                              int32_t);
IMPORT("path_symlink") int32_t raw_path_symlink(int32_t, int32_t, int32_t, int32_t, int32_t);
IMPORT("path_link") int32_t raw_path_link(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t,
                                          int32_t);
IMPORT("path_filestat_set_times") int32_t raw_path_filestat_set_times(int32_t, int32_t, int32_t,
                                                                      int32_t, int64_t, int64_t,
                                                                      int32_t);

#define BAD 0xfffffff0u

static int failures;

/* The size of linear memory in bytes; 0 stands for 4 GiB. */
static uint32_t mem_end(void)
{
    return (uint32_t)(__builtin_wasm_memory_size(0) * 65536u);
}

/* A pointer N bytes before the end of memory. */
static void *near_end(uint32_t n) { return (void *)(uintptr_t)(mem_end() - n); }
static void *bad(void) { return (void *)(uintptr_t)BAD; }
static int32_t iptr(const void *p) { return (int32_t)(uintptr_t)p; }

static void check(const char *name, int e)
{
    if (e != 0) {
        printf("%s ok %d\n", name, e);
    } else {
        printf("%s FAILED: no error\n", name);
        failures++;
    }
}

/* A valid path string in memory and its length. */
#define PATH(s) iptr(s), (int32_t)strlen(s)

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/sandbox";
    char file[512];
    static char buf[256];
    static uint8_t *vec[64];
    __wasi_ciovec_t ciov[2];
    __wasi_iovec_t iov[2];
    __wasi_size_t n, m;

    snprintf(file, sizeof file, "%s/oob.txt", dir);
    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int pre = 3;
    {
        __wasi_prestat_t ps;
        for (pre = 3; __wasi_fd_prestat_get(pre, &ps) == 0; pre++) {
            char name[64] = {0};
            if (ps.u.dir.pr_name_len < sizeof name &&
                __wasi_fd_prestat_dir_name(pre, (uint8_t *)name, ps.u.dir.pr_name_len) == 0 &&
                strcmp(name, dir) == 0)
                break;
        }
    }
    /* Content to read, so that no read can succeed by reading nothing. */
    memset(buf, 'x', 64);
    if (fd < 0 || write(fd, buf, 64) != 64) {
        printf("setup failed\n");
        return 1;
    }
    fflush(stdout);

    /* fd_write: the iovec array, a buffer, the result. The bad iovec comes
     * first so that no runtime can write a prefix and report success. */
    check("fd_write iovs", __wasi_fd_write(1, bad(), 1, &n));
    check("fd_write iovs crossing end", __wasi_fd_write(1, near_end(4), 1, &n));
    check("fd_write iovs_len crossing end",
          __wasi_fd_write(1, (__wasi_ciovec_t *)buf, 0x20000000, &n));
    ciov[0] = (__wasi_ciovec_t){bad(), 16};
    ciov[1] = (__wasi_ciovec_t){(const uint8_t *)"leak\n", 5};
    check("fd_write buf", __wasi_fd_write(1, ciov, 2, &n));
    ciov[0] = (__wasi_ciovec_t){near_end(8), 16};
    check("fd_write buf crossing end", __wasi_fd_write(1, ciov, 1, &n));
    ciov[0] = (__wasi_ciovec_t){bad(), 0x20};
    check("fd_write buf wrapping 2^32", __wasi_fd_write(1, ciov, 1, &n));
    ciov[0] = (__wasi_ciovec_t){(const uint8_t *)"", 0};
    check("fd_write nwritten", __wasi_fd_write(1, ciov, 1, bad()));

    check("fd_read iovs", __wasi_fd_read(0, bad(), 1, &n));
    iov[0] = (__wasi_iovec_t){near_end(8), 16};
    check("fd_read buf crossing end", __wasi_fd_read(0, iov, 1, &n));
    iov[0] = (__wasi_iovec_t){(uint8_t *)buf, 0};
    check("fd_read nread", __wasi_fd_read(0, iov, 1, bad()));

    check("fd_pread iovs", __wasi_fd_pread(fd, bad(), 1, 0, &n));
    iov[0] = (__wasi_iovec_t){near_end(8), 16};
    check("fd_pread buf crossing end", __wasi_fd_pread(fd, iov, 1, 0, &n));
    iov[0] = (__wasi_iovec_t){(uint8_t *)buf, 0};
    check("fd_pread nread", __wasi_fd_pread(fd, iov, 1, 0, bad()));
    check("fd_pwrite iovs", __wasi_fd_pwrite(fd, bad(), 1, 0, &n));
    ciov[0] = (__wasi_ciovec_t){near_end(8), 16};
    check("fd_pwrite buf crossing end", __wasi_fd_pwrite(fd, ciov, 1, 0, &n));
    ciov[0] = (__wasi_ciovec_t){(const uint8_t *)"", 0};
    check("fd_pwrite nwritten", __wasi_fd_pwrite(fd, ciov, 1, 0, bad()));

    check("fd_prestat_get", __wasi_fd_prestat_get(pre, bad()));
    check("fd_prestat_get crossing end", __wasi_fd_prestat_get(pre, near_end(4)));
    check("fd_prestat_dir_name", __wasi_fd_prestat_dir_name(pre, bad(), strlen(dir)));
    check("fd_prestat_dir_name crossing end",
          __wasi_fd_prestat_dir_name(pre, near_end(2), strlen(dir)));
    check("fd_fdstat_get", __wasi_fd_fdstat_get(1, bad()));
    check("fd_fdstat_get crossing end", __wasi_fd_fdstat_get(1, near_end(8)));
    check("fd_filestat_get", __wasi_fd_filestat_get(fd, bad()));
    check("fd_filestat_get crossing end", __wasi_fd_filestat_get(fd, near_end(32)));
    check("fd_readdir buf", __wasi_fd_readdir(pre, bad(), 256, 0, &n));
    check("fd_readdir buf crossing end", __wasi_fd_readdir(pre, near_end(100), 256, 0, &n));
    check("fd_readdir bufused", __wasi_fd_readdir(pre, (uint8_t *)buf, sizeof buf, 0, bad()));
    check("fd_seek", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, bad()));
    check("fd_seek crossing end", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, near_end(4)));
    check("fd_tell", __wasi_fd_tell(fd, bad()));

    int32_t rw = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE;
    check("path_open path", raw_path_open(pre, 0, BAD, 9, 0, rw, 0, 0, iptr(&n)));
    check("path_open path crossing end",
          raw_path_open(pre, 0, iptr(near_end(4)), 9, 0, rw, 0, 0, iptr(&n)));
    check("path_open path wrapping 2^32", raw_path_open(pre, 0, BAD, 0x20, 0, rw, 0, 0, iptr(&n)));
    check("path_open fd", raw_path_open(pre, 0, PATH("hello.txt"), 0, rw, 0, 0, BAD));
    check("path_filestat_get path", raw_path_filestat_get(pre, 0, BAD, 9, iptr(buf)));
    check("path_filestat_get buf", raw_path_filestat_get(pre, 0, PATH("hello.txt"), BAD));
    check("path_filestat_get buf crossing end",
          raw_path_filestat_get(pre, 0, PATH("hello.txt"), iptr(near_end(32))));
    check("path_readlink path", raw_path_readlink(pre, BAD, 6, iptr(buf), sizeof buf, iptr(&n)));
    check("path_readlink buf", raw_path_readlink(pre, PATH("inside"), BAD, 64, iptr(&n)));
    check("path_readlink buf crossing end",
          raw_path_readlink(pre, PATH("inside"), iptr(near_end(4)), 64, iptr(&n)));
    check("path_readlink bufused",
          raw_path_readlink(pre, PATH("inside"), iptr(buf), sizeof buf, BAD));
    check("path_create_directory", raw_path_create_directory(pre, BAD, 4));
    check("path_create_directory crossing end",
          raw_path_create_directory(pre, iptr(near_end(2)), 4));
    check("path_unlink_file", raw_path_unlink_file(pre, BAD, 7));
    check("path_remove_directory", raw_path_remove_directory(pre, BAD, 3));
    check("path_rename old", raw_path_rename(pre, BAD, 9, pre, PATH("renamed")));
    check("path_rename new", raw_path_rename(pre, PATH("oob.txt"), pre, BAD, 7));
    check("path_symlink old", raw_path_symlink(BAD, 9, pre, PATH("newlink")));
    check("path_symlink new", raw_path_symlink(PATH("hello.txt"), pre, BAD, 7));
    check("path_link old", raw_path_link(pre, 0, BAD, 9, pre, PATH("newlink")));
    check("path_link new", raw_path_link(pre, 0, PATH("oob.txt"), pre, BAD, 7));
    check("path_filestat_set_times",
          raw_path_filestat_set_times(pre, 0, BAD, 9, 0, 0,
                                      __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));

    check("args_sizes_get argc", __wasi_args_sizes_get(bad(), &m));
    check("args_sizes_get size", __wasi_args_sizes_get(&n, bad()));
    check("args_get argv", __wasi_args_get(bad(), (uint8_t *)buf));
    check("args_get buf", __wasi_args_get(vec, bad()));
    check("args_get buf crossing end", __wasi_args_get(vec, near_end(4)));
    check("environ_sizes_get count", __wasi_environ_sizes_get(bad(), &m));
    check("environ_sizes_get size", __wasi_environ_sizes_get(&n, bad()));
    check("environ_get environ", __wasi_environ_get(bad(), (uint8_t *)buf));
    check("environ_get buf", __wasi_environ_get(vec, bad()));
    check("environ_get buf crossing end", __wasi_environ_get(vec, near_end(4)));

    check("clock_time_get", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, bad()));
    check("clock_time_get crossing end",
          __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, near_end(4)));
    check("clock_res_get", __wasi_clock_res_get(__WASI_CLOCKID_REALTIME, bad()));
    check("random_get", __wasi_random_get(bad(), 16));
    check("random_get crossing end", __wasi_random_get(near_end(8), 16));
    check("random_get wrapping 2^32", __wasi_random_get(bad(), 0x20));

    static __wasi_subscription_t sub;
    static __wasi_event_t ev[4];
    sub.userdata = 1;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = 0;
    check("poll_oneoff in", __wasi_poll_oneoff(bad(), ev, 1, &n));
    check("poll_oneoff in crossing end", __wasi_poll_oneoff(near_end(24), ev, 1, &n));
    check("poll_oneoff out", __wasi_poll_oneoff(&sub, bad(), 1, &n));
    check("poll_oneoff out crossing end", __wasi_poll_oneoff(&sub, near_end(16), 1, &n));
    check("poll_oneoff nevents", __wasi_poll_oneoff(&sub, ev, 1, bad()));

    close(fd);
    printf("survived, %d calls did not fail\n", failures);
    return 0;
}
