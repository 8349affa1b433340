/*
 * wasi_internal.h — what the WASI preview 1 files share: the context and
 * its descriptor table, the WASI constants (wasi_snapshot_preview1's
 * numbering, the same as wasi-libc's <wasi/api.h>), guest-memory access
 * and the host functions themselves.
 *
 *   wasi.c   the context, the function table, arguments, environment,
 *            clocks, randomness, process, poll_oneoff, sockets, errno
 *            mapping;
 *   fd.c     the descriptor table and the fd_* functions;
 *   path.c   path resolution beneath a directory and the path_*
 *            functions.
 *
 * Every host function has the native convention of a typed host function
 * (welf.h): (welf_host *self, welf_caller *caller, params...) with i32 as
 * int32_t and i64 as int64_t, returning the WASI errno as an i32.
 * self->data is the welf_wasi.
 */
#ifndef WELF_WASI_INTERNAL_H
#define WELF_WASI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../internal.h"

/* ---- constants ---- */

/* errno values (the ones the host functions return by name; the rest
 * come from the host errno table in wasi.c). */
enum {
    WASI_ESUCCESS = 0,
    WASI_E2BIG = 1,
    WASI_EACCES = 2,
    WASI_EAGAIN = 6,
    WASI_EBADF = 8,
    WASI_EEXIST = 20,
    WASI_EFAULT = 21,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISDIR = 31,
    WASI_ELOOP = 32,
    WASI_ENAMETOOLONG = 37,
    WASI_ENOENT = 44,
    WASI_ENOMEM = 48,
    WASI_ENOSYS = 52,
    WASI_ENOTDIR = 54,
    WASI_ENOTSUP = 58,
    WASI_EOVERFLOW = 61,
    WASI_EPERM = 63,
    WASI_ENOTCAPABLE = 76,
};

/* filetype */
enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* rights (bit numbers as in the witx) */
#define WASI_RIGHT_FD_DATASYNC (UINT64_C(1) << 0)
#define WASI_RIGHT_FD_READ (UINT64_C(1) << 1)
#define WASI_RIGHT_FD_SEEK (UINT64_C(1) << 2)
#define WASI_RIGHT_FD_TELL (UINT64_C(1) << 5)
#define WASI_RIGHT_FD_WRITE (UINT64_C(1) << 6)
#define WASI_RIGHT_FD_ALLOCATE (UINT64_C(1) << 8)
#define WASI_RIGHT_FD_READDIR (UINT64_C(1) << 14)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE (UINT64_C(1) << 22)
#define WASI_RIGHTS_ALL ((UINT64_C(1) << 30) - 1)

/* fdflags */
#define WASI_FDFLAG_APPEND 0x1
#define WASI_FDFLAG_DSYNC 0x2
#define WASI_FDFLAG_NONBLOCK 0x4
#define WASI_FDFLAG_RSYNC 0x8
#define WASI_FDFLAG_SYNC 0x10

/* oflags */
#define WASI_OFLAG_CREAT 0x1
#define WASI_OFLAG_DIRECTORY 0x2
#define WASI_OFLAG_EXCL 0x4
#define WASI_OFLAG_TRUNC 0x8

/* lookupflags */
#define WASI_LOOKUP_SYMLINK_FOLLOW 0x1

/* fstflags */
#define WASI_FST_ATIM 0x1
#define WASI_FST_ATIM_NOW 0x2
#define WASI_FST_MTIM 0x4
#define WASI_FST_MTIM_NOW 0x8

/* Sizes of the structures the guest sees (bytes). */
#define WASI_FDSTAT_SIZE 24
#define WASI_FILESTAT_SIZE 64
#define WASI_PRESTAT_SIZE 8
#define WASI_DIRENT_SIZE 24
#define WASI_IOVEC_SIZE 8
#define WASI_SUBSCRIPTION_SIZE 48
#define WASI_EVENT_SIZE 32

/* Guest paths are copied into buffers of this size, NUL included. */
#define WASI_PATH_MAX 4096

/* ---- the context ---- */

/*
 * One guest descriptor. A free slot has host == -1. Rights are tracked
 * only to report them (fd_fdstat_get): the host descriptor's own access
 * mode is what refuses a write to a file opened for reading.
 */
typedef struct welf_wasi_fd {
    int host;
    bool owned;               /* close `host` with the slot */
    uint64_t rights_base;
    uint64_t rights_inheriting;
    char *preopen;            /* guest name of a preopened directory
                                 (owned, not NUL-terminated), or NULL */
    size_t preopen_len;
} welf_wasi_fd;

/*
 * Owned by whoever called welf_wasi_new (welf_wasi_free); the host
 * functions it defines belong to the engine.
 */
struct welf_wasi {
    welf_engine *engine;
    char *args;               /* argv strings, each NUL-terminated */
    size_t args_bytes;
    size_t argc;
    char *env;                /* likewise "KEY=VALUE" strings */
    size_t env_bytes;
    size_t envc;
    welf_wasi_fd *fds;
    uint32_t fd_count;        /* slots in use or free, below fd_cap */
    uint32_t fd_cap;
    welf_memory *memory;      /* memory for calls with no caller */
    welf_funcref **funcs;     /* made by the first welf_wasi_define */
};

/* The context of a host function. */
static inline welf_wasi *welf_wasi_of(welf_host *self)
{
    return (welf_wasi *)self->data;
}

/* ---- guest memory ---- */

/* The guest's memory 0 during one host call: nothing in WASI grows it,
 * so base and size hold for the whole call. */
typedef struct welf_wasi_mem {
    uint8_t *base;            /* NULL: no memory, every access faults */
    uint64_t size;
} welf_wasi_mem;

WELF_INTERNAL welf_wasi_mem welf_wasi_memory(welf_wasi *wasi,
                                             welf_caller *caller);

/* Whether [ptr, ptr + len) lies in the memory (64-bit arithmetic). */
static inline bool welf_wasi_mem_ok(const welf_wasi_mem *m, uint32_t ptr,
                                    uint64_t len)
{
    return m->base && (uint64_t)ptr + len <= m->size;
}

/* Little-endian loads and stores at a checked guest address. */
static inline uint16_t welf_wasi_get16(const welf_wasi_mem *m, uint32_t p)
{
    uint16_t v;
    memcpy(&v, m->base + p, sizeof v);
    return v;
}

static inline uint32_t welf_wasi_get32(const welf_wasi_mem *m, uint32_t p)
{
    uint32_t v;
    memcpy(&v, m->base + p, sizeof v);
    return v;
}

static inline uint64_t welf_wasi_get64(const welf_wasi_mem *m, uint32_t p)
{
    uint64_t v;
    memcpy(&v, m->base + p, sizeof v);
    return v;
}

static inline void welf_wasi_put16(const welf_wasi_mem *m, uint32_t p,
                                   uint16_t v)
{
    memcpy(m->base + p, &v, sizeof v);
}

static inline void welf_wasi_put32(const welf_wasi_mem *m, uint32_t p,
                                   uint32_t v)
{
    memcpy(m->base + p, &v, sizeof v);
}

static inline void welf_wasi_put64(const welf_wasi_mem *m, uint32_t p,
                                   uint64_t v)
{
    memcpy(m->base + p, &v, sizeof v);
}

/* ---- wasi.c ---- */

/* The WASI errno for a host errno (EIO for one it does not know). */
WELF_INTERNAL int32_t welf_wasi_errno(int host_errno);

/* The WASI filetype for a st_mode (and for a socket, its type). */
WELF_INTERNAL uint8_t welf_wasi_filetype(int host_fd, mode_t mode);

/* Fills a 64-byte filestat. */
WELF_INTERNAL void welf_wasi_filestat_put(const welf_wasi_mem *m,
                                          uint32_t ptr,
                                          const struct stat *st);

/* The timespecs utimensat wants for (atim, mtim, fstflags); WASI_EINVAL
 * for contradictory or unknown flags. */
WELF_INTERNAL int32_t welf_wasi_times(uint64_t atim, uint64_t mtim,
                                      uint32_t fstflags,
                                      struct timespec ts[2]);

/* For tests: the memory the host functions use when called with no
 * caller, and a host function's C entry by its WASI name (NULL when
 * there is none). */
typedef void (*welf_wasi_fn)(void);
WELF_INTERNAL void welf_wasi_memory_set(welf_wasi *wasi, welf_memory *mem);
WELF_INTERNAL welf_wasi_fn welf_wasi_function(const char *name);

/* ---- fd.c ---- */

/* The open descriptor `fd`, or NULL. */
WELF_INTERNAL welf_wasi_fd *welf_wasi_fd_get(welf_wasi *wasi, int32_t fd);

/* Puts `host` in the lowest free slot from 3 up (owned: closed with the
 * slot); the guest descriptor, or -1 when the table cannot grow. */
WELF_INTERNAL int32_t welf_wasi_fd_add(welf_wasi *wasi, int host,
                                       bool owned, uint64_t rights_base,
                                       uint64_t rights_inheriting);

/* Closes every descriptor and frees the table. */
WELF_INTERNAL void welf_wasi_fd_table_free(welf_wasi *wasi);

/* The host functions, each named after its WASI function. */

WELF_INTERNAL int32_t welf_wasi_fd_advise(welf_host *self, welf_caller *caller,
    int32_t fd, int64_t offset, int64_t len, int32_t advice);
WELF_INTERNAL int32_t welf_wasi_fd_allocate(welf_host *self,
    welf_caller *caller, int32_t fd, int64_t offset, int64_t len);
WELF_INTERNAL int32_t welf_wasi_fd_close(welf_host *self, welf_caller *caller,
    int32_t fd);
WELF_INTERNAL int32_t welf_wasi_fd_datasync(welf_host *self,
    welf_caller *caller, int32_t fd);
WELF_INTERNAL int32_t welf_wasi_fd_fdstat_get(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t stat);
WELF_INTERNAL int32_t welf_wasi_fd_fdstat_set_flags(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t flags);
WELF_INTERNAL int32_t welf_wasi_fd_fdstat_set_rights(welf_host *self,
    welf_caller *caller, int32_t fd, int64_t base, int64_t inheriting);
WELF_INTERNAL int32_t welf_wasi_fd_filestat_get(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t buf);
WELF_INTERNAL int32_t welf_wasi_fd_filestat_set_size(welf_host *self,
    welf_caller *caller, int32_t fd, int64_t size);
WELF_INTERNAL int32_t welf_wasi_fd_filestat_set_times(welf_host *self,
    welf_caller *caller, int32_t fd, int64_t atim, int64_t mtim,
    int32_t fstflags);
WELF_INTERNAL int32_t welf_wasi_fd_pread(welf_host *self, welf_caller *caller,
    int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset, int32_t nread);
WELF_INTERNAL int32_t welf_wasi_fd_prestat_get(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t buf);
WELF_INTERNAL int32_t welf_wasi_fd_prestat_dir_name(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t path, int32_t path_len);
WELF_INTERNAL int32_t welf_wasi_fd_pwrite(welf_host *self, welf_caller *caller,
    int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset,
    int32_t nwritten);
WELF_INTERNAL int32_t welf_wasi_fd_read(welf_host *self, welf_caller *caller,
    int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nread);
WELF_INTERNAL int32_t welf_wasi_fd_readdir(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t buf, int32_t buf_len,
    int64_t cookie, int32_t bufused);
WELF_INTERNAL int32_t welf_wasi_fd_renumber(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t to);
WELF_INTERNAL int32_t welf_wasi_fd_seek(welf_host *self, welf_caller *caller,
    int32_t fd, int64_t offset, int32_t whence, int32_t newoffset);
WELF_INTERNAL int32_t welf_wasi_fd_sync(welf_host *self, welf_caller *caller,
    int32_t fd);
WELF_INTERNAL int32_t welf_wasi_fd_tell(welf_host *self, welf_caller *caller,
    int32_t fd, int32_t offset);
WELF_INTERNAL int32_t welf_wasi_fd_write(welf_host *self, welf_caller *caller,
    int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten);

/* ---- path.c ---- */

WELF_INTERNAL int32_t welf_wasi_path_create_directory(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t path, int32_t path_len);
WELF_INTERNAL int32_t welf_wasi_path_filestat_get(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t flags, int32_t path,
    int32_t path_len, int32_t buf);
WELF_INTERNAL int32_t welf_wasi_path_filestat_set_times(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t flags, int32_t path,
    int32_t path_len, int64_t atim, int64_t mtim, int32_t fstflags);
WELF_INTERNAL int32_t welf_wasi_path_link(welf_host *self, welf_caller *caller,
    int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_path_len,
    int32_t new_fd, int32_t new_path, int32_t new_path_len);
WELF_INTERNAL int32_t welf_wasi_path_open(welf_host *self, welf_caller *caller,
    int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
    int32_t oflags, int64_t rights_base, int64_t rights_inheriting,
    int32_t fdflags, int32_t opened);
WELF_INTERNAL int32_t welf_wasi_path_readlink(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t path, int32_t path_len,
    int32_t buf, int32_t buf_len, int32_t bufused);
WELF_INTERNAL int32_t welf_wasi_path_remove_directory(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t path, int32_t path_len);
WELF_INTERNAL int32_t welf_wasi_path_rename(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t old_path, int32_t old_path_len,
    int32_t new_fd, int32_t new_path, int32_t new_path_len);
WELF_INTERNAL int32_t welf_wasi_path_symlink(welf_host *self,
    welf_caller *caller, int32_t old_path, int32_t old_path_len, int32_t fd,
    int32_t new_path, int32_t new_path_len);
WELF_INTERNAL int32_t welf_wasi_path_unlink_file(welf_host *self,
    welf_caller *caller, int32_t fd, int32_t path, int32_t path_len);

#endif
