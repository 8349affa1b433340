/*
 * wasi.c — the WASI preview 1 context (welf_wasi_new, welf_wasi_define,
 * welf_wasi_free), the table of host functions, and the functions that
 * touch neither descriptors nor paths: arguments, environment, clocks,
 * randomness, process control, poll_oneoff and the socket stubs. Also
 * the host-to-WASI errno table and the conversions fd.c and path.c
 * share. Descriptors live in fd.c, sandboxed paths in path.c.
 *
 * Layouts and numbers follow wasi_snapshot_preview1 (the witx files;
 * wasi-libc's <wasi/api.h> states the same sizes and offsets).
 */
#include "wasi_internal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- errno ---- */

/*
 * Host errno values in WASI order: the WASI errno is the index. Linux
 * gives EWOULDBLOCK, EOPNOTSUPP and EDEADLOCK the values of EAGAIN,
 * ENOTSUP and EDEADLK, so they map too.
 */
static const int host_errnos[] = {
    0,               E2BIG,           EACCES,          EADDRINUSE,
    EADDRNOTAVAIL,   EAFNOSUPPORT,    EAGAIN,          EALREADY,
    EBADF,           EBADMSG,         EBUSY,           ECANCELED,
    ECHILD,          ECONNABORTED,    ECONNREFUSED,    ECONNRESET,
    EDEADLK,         EDESTADDRREQ,    EDOM,            EDQUOT,
    EEXIST,          EFAULT,          EFBIG,           EHOSTUNREACH,
    EIDRM,           EILSEQ,          EINPROGRESS,     EINTR,
    EINVAL,          EIO,             EISCONN,         EISDIR,
    ELOOP,           EMFILE,          EMLINK,          EMSGSIZE,
    EMULTIHOP,       ENAMETOOLONG,    ENETDOWN,        ENETRESET,
    ENETUNREACH,     ENFILE,          ENOBUFS,         ENODEV,
    ENOENT,          ENOEXEC,         ENOLCK,          ENOLINK,
    ENOMEM,          ENOMSG,          ENOPROTOOPT,     ENOSPC,
    ENOSYS,          ENOTCONN,        ENOTDIR,         ENOTEMPTY,
    ENOTRECOVERABLE, ENOTSOCK,        ENOTSUP,         ENOTTY,
    ENXIO,           EOVERFLOW,       EOWNERDEAD,      EPERM,
    EPIPE,           EPROTO,          EPROTONOSUPPORT, EPROTOTYPE,
    ERANGE,          EROFS,           ESPIPE,          ESRCH,
    ESTALE,          ETIMEDOUT,       ETXTBSY,         EXDEV,
};

_Static_assert(WELF_ARRAY_LEN(host_errnos) == WASI_ENOTCAPABLE,
               "one host errno per WASI errno below ENOTCAPABLE");

int32_t welf_wasi_errno(int host_errno)
{
    for (size_t i = 1; i < WELF_ARRAY_LEN(host_errnos); i++)
        if (host_errnos[i] == host_errno)
            return (int32_t)i;
    return WASI_EIO;
}

/* ---- shared conversions ---- */

uint8_t welf_wasi_filetype(int host_fd, mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFSOCK: {
        int type = 0;
        socklen_t len = sizeof type;
        if (host_fd >= 0 &&
            getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
            type == SOCK_DGRAM)
            return WASI_FILETYPE_SOCKET_DGRAM;
        return WASI_FILETYPE_SOCKET_STREAM;
    }
    default: return WASI_FILETYPE_UNKNOWN;   /* FIFOs among them */
    }
}

static uint64_t timespec_ns(struct timespec ts)
{
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* filestat: dev 0, ino 8, filetype 16, nlink 24, size 32, atim 40,
 * mtim 48, ctim 56. */
void welf_wasi_filestat_put(const welf_wasi_mem *m, uint32_t ptr,
                            const struct stat *st)
{
    memset(m->base + ptr, 0, WASI_FILESTAT_SIZE);
    welf_wasi_put64(m, ptr, (uint64_t)st->st_dev);
    welf_wasi_put64(m, ptr + 8, (uint64_t)st->st_ino);
    m->base[ptr + 16] = welf_wasi_filetype(-1, st->st_mode);
    welf_wasi_put64(m, ptr + 24, (uint64_t)st->st_nlink);
    welf_wasi_put64(m, ptr + 32, (uint64_t)st->st_size);
    welf_wasi_put64(m, ptr + 40, timespec_ns(st->st_atim));
    welf_wasi_put64(m, ptr + 48, timespec_ns(st->st_mtim));
    welf_wasi_put64(m, ptr + 56, timespec_ns(st->st_ctim));
}

static struct timespec ns_timespec(uint64_t ns)
{
    struct timespec ts = {
        .tv_sec = (time_t)(ns / UINT64_C(1000000000)),
        .tv_nsec = (long)(ns % UINT64_C(1000000000)),
    };
    return ts;
}

int32_t welf_wasi_times(uint64_t atim, uint64_t mtim, uint32_t fstflags,
                        struct timespec ts[2])
{
    const uint32_t known = WASI_FST_ATIM | WASI_FST_ATIM_NOW |
                           WASI_FST_MTIM | WASI_FST_MTIM_NOW;
    if ((fstflags & ~known) ||
        (fstflags & (WASI_FST_ATIM | WASI_FST_ATIM_NOW)) ==
            (WASI_FST_ATIM | WASI_FST_ATIM_NOW) ||
        (fstflags & (WASI_FST_MTIM | WASI_FST_MTIM_NOW)) ==
            (WASI_FST_MTIM | WASI_FST_MTIM_NOW))
        return WASI_EINVAL;
    ts[0].tv_sec = ts[1].tv_sec = 0;
    ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
    if (fstflags & WASI_FST_ATIM)
        ts[0] = ns_timespec(atim);
    else if (fstflags & WASI_FST_ATIM_NOW)
        ts[0].tv_nsec = UTIME_NOW;
    if (fstflags & WASI_FST_MTIM)
        ts[1] = ns_timespec(mtim);
    else if (fstflags & WASI_FST_MTIM_NOW)
        ts[1].tv_nsec = UTIME_NOW;
    return WASI_ESUCCESS;
}

/* ---- guest memory ---- */

welf_wasi_mem welf_wasi_memory(welf_wasi *wasi, welf_caller *caller)
{
    welf_wasi_mem m = {NULL, 0};
    welf_memory *mem = caller ? welf_caller_memory(caller, 0) : wasi->memory;
    if (mem) {
        m.base = welf_memory_data(mem);
        m.size = welf_memory_size_bytes(mem);
    }
    return m;
}

void welf_wasi_memory_set(welf_wasi *wasi, welf_memory *mem)
{
    wasi->memory = mem;
}

/* ---- arguments and environment ---- */

/*
 * args_get and environ_get: `count` pointers at `ptrs`, each to its
 * NUL-terminated string in the `bytes` copied to `buf`.
 */
static int32_t strings_get(welf_wasi_mem *m, const char *strings,
                           size_t count, size_t bytes, uint32_t ptrs,
                           uint32_t buf)
{
    if (!welf_wasi_mem_ok(m, ptrs, (uint64_t)count * 4) ||
        !welf_wasi_mem_ok(m, buf, bytes))
        return WASI_EFAULT;
    const char *s = strings;
    for (size_t i = 0; i < count; i++) {
        size_t off = (size_t)(s - strings);
        welf_wasi_put32(m, ptrs + (uint32_t)i * 4, buf + (uint32_t)off);
        s += strlen(s) + 1;
    }
    if (bytes)
        memcpy(m->base + buf, strings, bytes);
    return WASI_ESUCCESS;
}

static int32_t sizes_get(welf_wasi_mem *m, size_t count, size_t bytes,
                         uint32_t count_ptr, uint32_t bytes_ptr)
{
    if (!welf_wasi_mem_ok(m, count_ptr, 4) ||
        !welf_wasi_mem_ok(m, bytes_ptr, 4))
        return WASI_EFAULT;
    if (count > UINT32_MAX || bytes > UINT32_MAX)
        return WASI_EOVERFLOW;
    welf_wasi_put32(m, count_ptr, (uint32_t)count);
    welf_wasi_put32(m, bytes_ptr, (uint32_t)bytes);
    return WASI_ESUCCESS;
}

static int32_t welf_wasi_args_get(welf_host *self, welf_caller *caller,
                                  int32_t argv, int32_t argv_buf)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    return strings_get(&m, w->args, w->argc, w->args_bytes, (uint32_t)argv,
                       (uint32_t)argv_buf);
}

static int32_t welf_wasi_args_sizes_get(welf_host *self, welf_caller *caller,
                                        int32_t argc, int32_t argv_buf_size)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    return sizes_get(&m, w->argc, w->args_bytes, (uint32_t)argc,
                     (uint32_t)argv_buf_size);
}

static int32_t welf_wasi_environ_get(welf_host *self, welf_caller *caller,
                                     int32_t env_ptrs, int32_t env_buf)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    return strings_get(&m, w->env, w->envc, w->env_bytes, (uint32_t)env_ptrs,
                       (uint32_t)env_buf);
}

static int32_t welf_wasi_environ_sizes_get(welf_host *self,
                                           welf_caller *caller,
                                           int32_t environc,
                                           int32_t environ_buf_size)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    return sizes_get(&m, w->envc, w->env_bytes, (uint32_t)environc,
                     (uint32_t)environ_buf_size);
}

/* ---- clocks ---- */

/* The host clock for a WASI clock id; false for an unknown id. */
static bool clock_host(int32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

static int32_t welf_wasi_clock_res_get(welf_host *self, welf_caller *caller,
                                       int32_t id, int32_t resolution)
{
    welf_wasi_mem m = welf_wasi_memory(welf_wasi_of(self), caller);
    clockid_t clock;
    struct timespec ts;
    if (!clock_host(id, &clock))
        return WASI_EINVAL;
    if (!welf_wasi_mem_ok(&m, (uint32_t)resolution, 8))
        return WASI_EFAULT;
    if (clock_getres(clock, &ts) != 0)
        return welf_wasi_errno(errno);
    welf_wasi_put64(&m, (uint32_t)resolution, timespec_ns(ts));
    return WASI_ESUCCESS;
}

static int32_t welf_wasi_clock_time_get(welf_host *self, welf_caller *caller,
                                        int32_t id, int64_t precision,
                                        int32_t time)
{
    (void)precision;
    welf_wasi_mem m = welf_wasi_memory(welf_wasi_of(self), caller);
    clockid_t clock;
    struct timespec ts;
    if (!clock_host(id, &clock))
        return WASI_EINVAL;
    if (!welf_wasi_mem_ok(&m, (uint32_t)time, 8))
        return WASI_EFAULT;
    if (clock_gettime(clock, &ts) != 0)
        return welf_wasi_errno(errno);
    welf_wasi_put64(&m, (uint32_t)time, timespec_ns(ts));
    return WASI_ESUCCESS;
}

/* ---- randomness, process ---- */

static int32_t welf_wasi_random_get(welf_host *self, welf_caller *caller,
                                    int32_t buf, int32_t buf_len)
{
    welf_wasi_mem m = welf_wasi_memory(welf_wasi_of(self), caller);
    uint32_t len = (uint32_t)buf_len;
    if (!welf_wasi_mem_ok(&m, (uint32_t)buf, len))
        return WASI_EFAULT;
    uint8_t *p = m.base + (uint32_t)buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return welf_wasi_errno(errno);
        }
        p += n;
        len -= (uint32_t)n;
    }
    return WASI_ESUCCESS;
}

static _Noreturn void welf_wasi_proc_exit(welf_host *self,
                                          welf_caller *caller, int32_t code)
{
    (void)self;
    (void)caller;
    welf_exit_raise(code);
}

static int32_t welf_wasi_proc_raise(welf_host *self, welf_caller *caller,
                                    int32_t sig)
{
    (void)self;
    (void)caller;
    (void)sig;
    return WASI_ENOSYS;
}

static int32_t welf_wasi_sched_yield(welf_host *self, welf_caller *caller)
{
    (void)self;
    (void)caller;
    sched_yield();
    return WASI_ESUCCESS;
}

/* ---- poll_oneoff ---- */

/*
 * subscription (48 bytes): userdata u64 at 0, tag u8 at 8, then at 16
 * either a clock (id u32 at 16, timeout u64 at 24, precision u64 at 32,
 * flags u16 at 40) or an fd (u32 at 16).
 * event (32 bytes): userdata u64 at 0, error u16 at 8, type u8 at 10,
 * nbytes u64 at 16, flags u16 at 24.
 */
enum { EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2 };
#define SUBCLOCK_ABSTIME 0x1
#define EVENT_HANGUP 0x1

typedef struct poll_sub {
    uint64_t userdata;
    uint8_t tag;
    int32_t error;            /* fires at once with this error, if not 0 */
    uint64_t timeout_ns;      /* clock: relative to the start */
    int poll_index;           /* fd: its pollfd, or -1 */
} poll_sub;

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return timespec_ns(ts);
}

/* Reads the subscriptions into subs and pfds; returns how many fire at
 * once (errors), and the earliest clock timeout in *timeout. */
static size_t poll_prepare(welf_wasi *w, const welf_wasi_mem *m, uint32_t in,
                           uint32_t nsubs, poll_sub *subs,
                           struct pollfd *pfds, nfds_t *npfds,
                           uint64_t *timeout)
{
    size_t immediate = 0;
    for (uint32_t i = 0; i < nsubs; i++) {
        uint32_t at = in + i * WASI_SUBSCRIPTION_SIZE;
        poll_sub *s = &subs[i];
        s->userdata = welf_wasi_get64(m, at);
        s->tag = m->base[at + 8];
        s->error = 0;
        s->timeout_ns = UINT64_MAX;
        s->poll_index = -1;
        if (s->tag == EVENT_CLOCK) {
            clockid_t clock;
            uint64_t t = welf_wasi_get64(m, at + 24);
            uint16_t flags = welf_wasi_get16(m, at + 40);
            if (!clock_host((int32_t)welf_wasi_get32(m, at + 16), &clock)) {
                s->error = WASI_EINVAL;
            } else if (flags & SUBCLOCK_ABSTIME) {
                struct timespec now;
                clock_gettime(clock, &now);
                uint64_t now_ns = timespec_ns(now);
                t = t > now_ns ? t - now_ns : 0;
            }
            if (s->error == 0) {
                s->timeout_ns = t;
                if (t < *timeout)
                    *timeout = t;
                continue;
            }
        } else if (s->tag == EVENT_FD_READ || s->tag == EVENT_FD_WRITE) {
            welf_wasi_fd *f = welf_wasi_fd_get(
                w, (int32_t)welf_wasi_get32(m, at + 16));
            if (!f) {
                s->error = WASI_EBADF;
            } else {
                s->poll_index = (int)*npfds;
                pfds[*npfds].fd = f->host;
                pfds[*npfds].events =
                    s->tag == EVENT_FD_READ ? POLLIN : POLLOUT;
                pfds[*npfds].revents = 0;
                ++*npfds;
                continue;
            }
        } else {
            s->error = WASI_EINVAL;
        }
        immediate++;
    }
    return immediate;
}

/* Waits until a descriptor is ready or timeout_ns (UINT64_MAX: none)
 * has passed since `start`; 0 or a WASI errno. */
static int32_t poll_wait(struct pollfd *pfds, nfds_t n, uint64_t start,
                         uint64_t timeout_ns)
{
    for (;;) {
        struct timespec ts, *tsp = NULL;
        if (timeout_ns != UINT64_MAX) {
            uint64_t elapsed = monotonic_ns() - start;
            ts = ns_timespec(elapsed < timeout_ns ? timeout_ns - elapsed : 0);
            tsp = &ts;
        }
        if (ppoll(pfds, n, tsp, NULL) >= 0)
            return WASI_ESUCCESS;
        if (errno != EINTR)
            return welf_wasi_errno(errno);
    }
}

static int32_t welf_wasi_poll_oneoff(welf_host *self, welf_caller *caller,
                                     int32_t in, int32_t out,
                                     int32_t nsubscriptions, int32_t nevents)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    uint32_t n = (uint32_t)nsubscriptions;
    if (!welf_wasi_mem_ok(&m, (uint32_t)in,
                          (uint64_t)n * WASI_SUBSCRIPTION_SIZE) ||
        !welf_wasi_mem_ok(&m, (uint32_t)out, (uint64_t)n * WASI_EVENT_SIZE) ||
        !welf_wasi_mem_ok(&m, (uint32_t)nevents, 4))
        return WASI_EFAULT;
    if (n == 0)
        return WASI_EINVAL;

    poll_sub *subs = welf_malloc((size_t)n * sizeof *subs);
    struct pollfd *pfds = welf_malloc((size_t)n * sizeof *pfds);
    if (!subs || !pfds) {
        welf_free(subs);
        welf_free(pfds);
        return WASI_ENOMEM;
    }
    uint64_t start = monotonic_ns();
    uint64_t timeout = UINT64_MAX;
    nfds_t npfds = 0;
    size_t immediate = poll_prepare(w, &m, (uint32_t)in, n, subs, pfds,
                                    &npfds, &timeout);
    int32_t rc = poll_wait(pfds, npfds, start, immediate ? 0 : timeout);
    if (rc == WASI_ESUCCESS) {
        uint64_t elapsed = monotonic_ns() - start;
        uint32_t count = 0;
        for (uint32_t i = 0; i < n; i++) {
            const poll_sub *s = &subs[i];
            const struct pollfd *p =
                s->poll_index >= 0 ? &pfds[s->poll_index] : NULL;
            bool fires = s->error != 0 ||
                         (s->tag == EVENT_CLOCK && s->timeout_ns <= elapsed) ||
                         (p && p->revents != 0);
            if (!fires)
                continue;
            uint32_t at = (uint32_t)out + count++ * WASI_EVENT_SIZE;
            memset(m.base + at, 0, WASI_EVENT_SIZE);
            welf_wasi_put64(&m, at, s->userdata);
            m.base[at + 10] = s->tag;
            int32_t error = s->error;
            if (p) {
                int avail = 0;
                if (p->revents & POLLNVAL)
                    error = WASI_EBADF;
                else if (s->tag == EVENT_FD_READ &&
                         ioctl(p->fd, FIONREAD, &avail) == 0 && avail > 0)
                    welf_wasi_put64(&m, at + 16, (uint64_t)avail);
                if (p->revents & POLLHUP)
                    welf_wasi_put16(&m, at + 24, EVENT_HANGUP);
            }
            welf_wasi_put16(&m, at + 8, (uint16_t)error);
        }
        welf_wasi_put32(&m, (uint32_t)nevents, count);
    }
    welf_free(subs);
    welf_free(pfds);
    return rc;
}

/* ---- sockets: no socket is ever given to the guest ---- */

static int32_t no_socket(welf_host *self, int32_t fd)
{
    return welf_wasi_fd_get(welf_wasi_of(self), fd) ? WASI_ENOTSUP
                                                   : WASI_EBADF;
}

static int32_t welf_wasi_sock_accept(welf_host *self, welf_caller *caller,
                                     int32_t fd, int32_t flags, int32_t out)
{
    (void)caller;
    (void)flags;
    (void)out;
    return no_socket(self, fd);
}

static int32_t welf_wasi_sock_recv(welf_host *self, welf_caller *caller,
                                   int32_t fd, int32_t ri_data,
                                   int32_t ri_data_len, int32_t ri_flags,
                                   int32_t ro_datalen, int32_t ro_flags)
{
    (void)caller;
    (void)ri_data;
    (void)ri_data_len;
    (void)ri_flags;
    (void)ro_datalen;
    (void)ro_flags;
    return no_socket(self, fd);
}

static int32_t welf_wasi_sock_send(welf_host *self, welf_caller *caller,
                                   int32_t fd, int32_t si_data,
                                   int32_t si_data_len, int32_t si_flags,
                                   int32_t so_datalen)
{
    (void)caller;
    (void)si_data;
    (void)si_data_len;
    (void)si_flags;
    (void)so_datalen;
    return no_socket(self, fd);
}

static int32_t welf_wasi_sock_shutdown(welf_host *self, welf_caller *caller,
                                       int32_t fd, int32_t how)
{
    (void)caller;
    (void)how;
    return no_socket(self, fd);
}

/* ---- the function table ---- */

/* One WASI function: its name, its parameters ('i' i32, 'I' i64), whether
 * it returns an errno, and its C entry. */
typedef struct wasi_def {
    const char *name;
    const char *params;
    bool has_result;
    welf_wasi_fn fn;
} wasi_def;

#define WASI_DEF(name, params) \
    {#name, params, true, (welf_wasi_fn)welf_wasi_##name}

static const wasi_def wasi_defs[] = {
    WASI_DEF(args_get, "ii"),
    WASI_DEF(args_sizes_get, "ii"),
    WASI_DEF(environ_get, "ii"),
    WASI_DEF(environ_sizes_get, "ii"),
    WASI_DEF(clock_res_get, "ii"),
    WASI_DEF(clock_time_get, "iIi"),
    WASI_DEF(fd_advise, "iIIi"),
    WASI_DEF(fd_allocate, "iII"),
    WASI_DEF(fd_close, "i"),
    WASI_DEF(fd_datasync, "i"),
    WASI_DEF(fd_fdstat_get, "ii"),
    WASI_DEF(fd_fdstat_set_flags, "ii"),
    WASI_DEF(fd_fdstat_set_rights, "iII"),
    WASI_DEF(fd_filestat_get, "ii"),
    WASI_DEF(fd_filestat_set_size, "iI"),
    WASI_DEF(fd_filestat_set_times, "iIIi"),
    WASI_DEF(fd_pread, "iiiIi"),
    WASI_DEF(fd_prestat_get, "ii"),
    WASI_DEF(fd_prestat_dir_name, "iii"),
    WASI_DEF(fd_pwrite, "iiiIi"),
    WASI_DEF(fd_read, "iiii"),
    WASI_DEF(fd_readdir, "iiiIi"),
    WASI_DEF(fd_renumber, "ii"),
    WASI_DEF(fd_seek, "iIii"),
    WASI_DEF(fd_sync, "i"),
    WASI_DEF(fd_tell, "ii"),
    WASI_DEF(fd_write, "iiii"),
    WASI_DEF(path_create_directory, "iii"),
    WASI_DEF(path_filestat_get, "iiiii"),
    WASI_DEF(path_filestat_set_times, "iiiiIIi"),
    WASI_DEF(path_link, "iiiiiii"),
    WASI_DEF(path_open, "iiiiiIIii"),
    WASI_DEF(path_readlink, "iiiiii"),
    WASI_DEF(path_remove_directory, "iii"),
    WASI_DEF(path_rename, "iiiiii"),
    WASI_DEF(path_symlink, "iiiii"),
    WASI_DEF(path_unlink_file, "iii"),
    WASI_DEF(poll_oneoff, "iiii"),
    {"proc_exit", "i", false, (welf_wasi_fn)welf_wasi_proc_exit},
    WASI_DEF(proc_raise, "i"),
    WASI_DEF(sched_yield, ""),
    WASI_DEF(random_get, "ii"),
    WASI_DEF(sock_accept, "iii"),
    WASI_DEF(sock_recv, "iiiiii"),
    WASI_DEF(sock_send, "iiiii"),
    WASI_DEF(sock_shutdown, "ii"),
};

#define WASI_FUNC_COUNT WELF_ARRAY_LEN(wasi_defs)
#define WASI_MAX_PARAMS 9

welf_wasi_fn welf_wasi_function(const char *name)
{
    for (size_t i = 0; i < WASI_FUNC_COUNT; i++)
        if (strcmp(wasi_defs[i].name, name) == 0)
            return wasi_defs[i].fn;
    return NULL;
}

/* ---- the context ---- */

/* Copies `count` strings back to back, each NUL-terminated. */
static welf_status strings_copy(const char *const *strings, size_t count,
                                const char *what, char **out, size_t *bytes,
                                welf_error *err)
{
    size_t total = 0;
    if (count && !strings)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_wasi_new: %s is NULL", what);
    for (size_t i = 0; i < count; i++) {
        if (!strings[i])
            return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                                  "welf_wasi_new: %s[%zu] is NULL", what, i);
        total += strlen(strings[i]) + 1;
    }
    char *buf = welf_malloc(total ? total : 1);
    if (!buf)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory");
    char *p = buf;
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(strings[i]) + 1;
        memcpy(p, strings[i], len);
        p += len;
    }
    *out = buf;
    *bytes = total;
    return WELF_OK;
}

/* Guest descriptors 0..2 use the configured host descriptors as they
 * are; the rights leave out seeking on a terminal, which is how
 * wasi-libc's isatty tells one. */
static welf_status stdio_setup(welf_wasi *w, const welf_wasi_config *cfg,
                               welf_error *err)
{
    const int hosts[3] = {cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd};
    w->fds = welf_malloc(8 * sizeof *w->fds);
    if (!w->fds)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory");
    w->fd_cap = 8;
    w->fd_count = 3;
    for (int i = 0; i < 3; i++) {
        welf_wasi_fd *f = &w->fds[i];
        memset(f, 0, sizeof *f);
        f->host = hosts[i] >= 0 ? hosts[i] : -1;
        f->rights_base = WASI_RIGHTS_ALL;
        if (f->host >= 0 && isatty(f->host))
            f->rights_base &= ~(WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL);
        f->rights_inheriting = WASI_RIGHTS_ALL;
    }
    return WELF_OK;
}

static welf_status preopen(welf_wasi *w, const welf_wasi_dir *dir,
                           welf_error *err)
{
    if (!dir->host_path || !dir->guest_path)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_wasi_new: a directory has no path");
    int host = open(dir->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (host < 0)
        return welf_error_set(err, WELF_ERR_IO, WELF_NO_OFFSET,
                              "cannot open directory %s: %s", dir->host_path,
                              strerror(errno));
    size_t len = strlen(dir->guest_path);
    char *name = welf_malloc(len ? len : 1);
    int32_t fd = name ? welf_wasi_fd_add(w, host, true, WASI_RIGHTS_ALL,
                                         WASI_RIGHTS_ALL)
                      : -1;
    if (fd < 0) {
        welf_free(name);
        close(host);
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory");
    }
    memcpy(name, dir->guest_path, len);
    w->fds[fd].preopen = name;
    w->fds[fd].preopen_len = len;
    return WELF_OK;
}

welf_status welf_wasi_new(welf_engine *engine, const welf_wasi_config *config,
                          welf_wasi **out, welf_error *err)
{
    *out = NULL;
    if (!engine || !config)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_wasi_new: no engine or configuration");
    if (config->dir_count && !config->dirs)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_wasi_new: dirs is NULL");
    welf_wasi *w = welf_malloc(sizeof *w);
    if (!w)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory");
    memset(w, 0, sizeof *w);
    w->engine = engine;
    w->argc = config->argc;
    w->envc = config->envc;
    welf_status st = strings_copy(config->argv, config->argc, "argv",
                                  &w->args, &w->args_bytes, err);
    if (st == WELF_OK)
        st = strings_copy(config->env, config->envc, "env", &w->env,
                          &w->env_bytes, err);
    if (st == WELF_OK)
        st = stdio_setup(w, config, err);
    for (size_t i = 0; st == WELF_OK && i < config->dir_count; i++)
        st = preopen(w, &config->dirs[i], err);
    if (st != WELF_OK) {
        welf_wasi_free(w);
        return st;
    }
    *out = w;
    return WELF_OK;
}

/* Makes the host functions, once per context. */
static welf_status funcs_make(welf_wasi *w, welf_error *err)
{
    welf_funcref **funcs = welf_malloc(WASI_FUNC_COUNT * sizeof *funcs);
    if (!funcs)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory");
    static const uint8_t errno_result[1] = {WELF_TYPE_I32};
    for (size_t i = 0; i < WASI_FUNC_COUNT; i++) {
        const wasi_def *d = &wasi_defs[i];
        uint8_t params[WASI_MAX_PARAMS];
        uint32_t n = (uint32_t)strlen(d->params);
        assert(n <= WASI_MAX_PARAMS);
        for (uint32_t j = 0; j < n; j++)
            params[j] = d->params[j] == 'I' ? WELF_TYPE_I64 : WELF_TYPE_I32;
        welf_functype_info type = {n, d->has_result ? 1 : 0, params,
                                   errno_result};
        welf_status st = welf_func_new_typed(w->engine, &type, d->fn, w,
                                             &funcs[i], err);
        if (st != WELF_OK) {
            welf_free(funcs);   /* made ones belong to the engine */
            return st;
        }
    }
    w->funcs = funcs;
    return WELF_OK;
}

welf_status welf_wasi_define(welf_wasi *wasi, welf_linker *linker,
                             welf_error *err)
{
    static const char module[] = "wasi_snapshot_preview1";
    if (!wasi || !linker)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_wasi_define: no context or linker");
    if (!wasi->funcs) {
        welf_status st = funcs_make(wasi, err);
        if (st != WELF_OK)
            return st;
    }
    for (size_t i = 0; i < WASI_FUNC_COUNT; i++) {
        welf_extern ext = {.kind = WELF_EXTERN_FUNC};
        ext.u.func = wasi->funcs[i];
        welf_status st = welf_linker_define(
            linker, module, sizeof module - 1, wasi_defs[i].name,
            strlen(wasi_defs[i].name), ext, err);
        if (st != WELF_OK)
            return st;
    }
    return WELF_OK;
}

void welf_wasi_free(welf_wasi *wasi)
{
    if (!wasi)
        return;
    welf_wasi_fd_table_free(wasi);
    welf_free(wasi->args);
    welf_free(wasi->env);
    welf_free(wasi->funcs);
    welf_free(wasi);
}
