/*
 * fd.c — the guest's descriptor table and the fd_* functions of WASI
 * preview 1. Guest descriptors 0..2 are the configured host descriptors
 * (never closed here), the preopened directories follow from 3, and
 * path_open (path.c) adds more. Each slot holds its host descriptor;
 * the operations call the host directly on it and map host errors with
 * welf_wasi_errno.
 */
#include "wasi_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- the table ---- */

welf_wasi_fd *welf_wasi_fd_get(welf_wasi *wasi, int32_t fd)
{
    if (fd < 0 || (uint32_t)fd >= wasi->fd_count || wasi->fds[fd].host < 0)
        return NULL;
    return &wasi->fds[fd];
}

int32_t welf_wasi_fd_add(welf_wasi *wasi, int host, bool owned,
                         uint64_t rights_base, uint64_t rights_inheriting)
{
    uint32_t i = 3;
    while (i < wasi->fd_count && wasi->fds[i].host >= 0)
        i++;
    if (i == wasi->fd_count) {
        if (i == (uint32_t)INT32_MAX)
            return -1;
        if (i == wasi->fd_cap) {
            uint32_t cap = wasi->fd_cap * 2;
            welf_wasi_fd *fds = welf_realloc(wasi->fds, cap * sizeof *fds);
            if (!fds)
                return -1;
            wasi->fds = fds;
            wasi->fd_cap = cap;
        }
        wasi->fd_count++;
    }
    welf_wasi_fd *f = &wasi->fds[i];
    memset(f, 0, sizeof *f);
    f->host = host;
    f->owned = owned;
    f->rights_base = rights_base;
    f->rights_inheriting = rights_inheriting;
    return (int32_t)i;
}

/* Empties a slot, closing its host descriptor if the slot owns it. */
static void slot_release(welf_wasi_fd *f)
{
    if (f->host >= 0 && f->owned)
        close(f->host);
    welf_free(f->preopen);
    memset(f, 0, sizeof *f);
    f->host = -1;
}

void welf_wasi_fd_table_free(welf_wasi *wasi)
{
    if (!wasi->fds)
        return;
    for (uint32_t i = 0; i < wasi->fd_count; i++)
        slot_release(&wasi->fds[i]);
    welf_free(wasi->fds);
    wasi->fds = NULL;
    wasi->fd_count = wasi->fd_cap = 0;
}

/* ---- scatter/gather lists ---- */

/* A guest iovec array as host iovecs pointing into guest memory. */
typedef struct iov_list {
    struct iovec *v;
    size_t n;
    struct iovec small[16];
} iov_list;

/*
 * Reads `count` iovecs (buf u32, len u32) at `iovs`, checking the array
 * and every buffer. At most IOV_MAX of them and UINT32_MAX bytes in all
 * are taken: WASI lets a read or write be short.
 */
static int32_t iovs_load(const welf_wasi_mem *m, uint32_t iovs,
                         uint32_t count, iov_list *l)
{
    if (!welf_wasi_mem_ok(m, iovs, (uint64_t)count * WASI_IOVEC_SIZE))
        return WASI_EFAULT;
    size_t n = count < IOV_MAX ? count : IOV_MAX;
    l->v = n <= WELF_ARRAY_LEN(l->small) ? l->small
                                         : welf_malloc(n * sizeof *l->v);
    l->n = 0;
    if (!l->v)
        return WASI_ENOMEM;
    uint64_t total = 0;
    for (size_t i = 0; i < n && total < UINT32_MAX; i++) {
        uint32_t at = iovs + (uint32_t)i * WASI_IOVEC_SIZE;
        uint32_t buf = welf_wasi_get32(m, at);
        uint64_t len = welf_wasi_get32(m, at + 4);
        if (!welf_wasi_mem_ok(m, buf, len)) {
            if (l->v != l->small)
                welf_free(l->v);
            return WASI_EFAULT;
        }
        if (len > UINT32_MAX - total)
            len = UINT32_MAX - total;
        l->v[l->n].iov_base = m->base + buf;
        l->v[l->n].iov_len = (size_t)len;
        l->n++;
        total += len;
    }
    return WASI_ESUCCESS;
}

static void iovs_free(iov_list *l)
{
    if (l->v != l->small)
        welf_free(l->v);
}

/* Writes everything in the list, continuing after short writes (pipes,
 * terminals); bytes written, or -1 with errno when nothing was. */
static ssize_t write_all(int fd, struct iovec *v, size_t n)
{
    size_t total = 0;
    while (n > 0) {
        if (v->iov_len == 0) {
            v++;
            n--;
            continue;
        }
        ssize_t k = writev(fd, v, (int)n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && total == 0)
            return -1;
        if (k <= 0)
            break;
        total += (size_t)k;
        size_t left = (size_t)k;
        while (left > 0) {
            if (left >= v->iov_len) {
                left -= v->iov_len;
                v++;
                n--;
            } else {
                v->iov_base = (uint8_t *)v->iov_base + left;
                v->iov_len -= left;
                left = 0;
            }
        }
    }
    return (ssize_t)total;
}

/*
 * The common shape of fd_read, fd_write, fd_pread and fd_pwrite: check
 * the result pointer and the iovecs, do the transfer, store the count.
 * `offset` < 0 means the current position.
 */
static int32_t transfer(welf_host *self, welf_caller *caller, int32_t fd,
                        int32_t iovs, int32_t iovs_len, int64_t offset,
                        int32_t count_ptr, bool writing)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    if (!welf_wasi_mem_ok(&m, (uint32_t)count_ptr, 4))
        return WASI_EFAULT;
    welf_wasi_fd *f = welf_wasi_fd_get(w, fd);
    if (!f)
        return WASI_EBADF;
    iov_list l;
    int32_t rc = iovs_load(&m, (uint32_t)iovs, (uint32_t)iovs_len, &l);
    if (rc != WASI_ESUCCESS)
        return rc;
    ssize_t k;
    do {
        if (writing && offset < 0)
            k = write_all(f->host, l.v, l.n);
        else if (writing)
            k = pwritev(f->host, l.v, (int)l.n, offset);
        else if (offset < 0)
            k = readv(f->host, l.v, (int)l.n);
        else
            k = preadv(f->host, l.v, (int)l.n, offset);
    } while (k < 0 && errno == EINTR);
    rc = k < 0 ? welf_wasi_errno(errno) : WASI_ESUCCESS;
    iovs_free(&l);
    if (rc == WASI_ESUCCESS)
        welf_wasi_put32(&m, (uint32_t)count_ptr, (uint32_t)k);
    return rc;
}

int32_t welf_wasi_fd_read(welf_host *self, welf_caller *caller, int32_t fd,
                          int32_t iovs, int32_t iovs_len, int32_t nread)
{
    return transfer(self, caller, fd, iovs, iovs_len, -1, nread, false);
}

int32_t welf_wasi_fd_write(welf_host *self, welf_caller *caller, int32_t fd,
                           int32_t iovs, int32_t iovs_len, int32_t nwritten)
{
    return transfer(self, caller, fd, iovs, iovs_len, -1, nwritten, true);
}

int32_t welf_wasi_fd_pread(welf_host *self, welf_caller *caller, int32_t fd,
                           int32_t iovs, int32_t iovs_len, int64_t offset,
                           int32_t nread)
{
    if (offset < 0)
        return WASI_EINVAL;
    return transfer(self, caller, fd, iovs, iovs_len, offset, nread, false);
}

int32_t welf_wasi_fd_pwrite(welf_host *self, welf_caller *caller, int32_t fd,
                            int32_t iovs, int32_t iovs_len, int64_t offset,
                            int32_t nwritten)
{
    if (offset < 0)
        return WASI_EINVAL;
    return transfer(self, caller, fd, iovs, iovs_len, offset, nwritten,
                    true);
}

/* ---- position ---- */

/* Directories have no position the guest may move (fd_readdir keeps
 * its own cookies). */
static int32_t seekable(const welf_wasi_fd *f)
{
    struct stat st;
    if (fstat(f->host, &st) != 0)
        return welf_wasi_errno(errno);
    return S_ISDIR(st.st_mode) ? WASI_EBADF : WASI_ESUCCESS;
}

int32_t welf_wasi_fd_seek(welf_host *self, welf_caller *caller, int32_t fd,
                          int64_t offset, int32_t whence, int32_t newoffset)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    static const int whences[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
    if (!welf_wasi_mem_ok(&m, (uint32_t)newoffset, 8))
        return WASI_EFAULT;
    welf_wasi_fd *f = welf_wasi_fd_get(w, fd);
    if (!f)
        return WASI_EBADF;
    if (whence < 0 || whence > 2)
        return WASI_EINVAL;
    int32_t rc = seekable(f);
    if (rc != WASI_ESUCCESS)
        return rc;
    off_t pos = lseek(f->host, (off_t)offset, whences[whence]);
    if (pos < 0)
        return welf_wasi_errno(errno);
    welf_wasi_put64(&m, (uint32_t)newoffset, (uint64_t)pos);
    return WASI_ESUCCESS;
}

int32_t welf_wasi_fd_tell(welf_host *self, welf_caller *caller, int32_t fd,
                          int32_t offset)
{
    return welf_wasi_fd_seek(self, caller, fd, 0, 1, offset);
}

/* ---- descriptor state ---- */

int32_t welf_wasi_fd_close(welf_host *self, welf_caller *caller, int32_t fd)
{
    (void)caller;
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    slot_release(f);
    return WASI_ESUCCESS;
}

int32_t welf_wasi_fd_renumber(welf_host *self, welf_caller *caller,
                              int32_t fd, int32_t to)
{
    (void)caller;
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_fd *from = welf_wasi_fd_get(w, fd);
    welf_wasi_fd *dest = welf_wasi_fd_get(w, to);
    if (!from || !dest)
        return WASI_EBADF;
    if (from == dest)
        return WASI_ESUCCESS;
    slot_release(dest);
    *dest = *from;
    memset(from, 0, sizeof *from);
    from->host = -1;
    return WASI_ESUCCESS;
}

/* fdstat: filetype u8 at 0, flags u16 at 2, rights_base u64 at 8,
 * rights_inheriting u64 at 16. */
int32_t welf_wasi_fd_fdstat_get(welf_host *self, welf_caller *caller,
                                int32_t fd, int32_t stat)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    if (!welf_wasi_mem_ok(&m, (uint32_t)stat, WASI_FDSTAT_SIZE))
        return WASI_EFAULT;
    welf_wasi_fd *f = welf_wasi_fd_get(w, fd);
    if (!f)
        return WASI_EBADF;
    struct stat st;
    int fl = fcntl(f->host, F_GETFL);
    if (fl < 0 || fstat(f->host, &st) != 0)
        return welf_wasi_errno(errno);
    uint16_t flags = 0;
    if (fl & O_APPEND)
        flags |= WASI_FDFLAG_APPEND;
    if (fl & O_NONBLOCK)
        flags |= WASI_FDFLAG_NONBLOCK;
    if ((fl & O_SYNC) == O_SYNC)          /* O_SYNC includes O_DSYNC */
        flags |= WASI_FDFLAG_SYNC;
    else if (fl & O_DSYNC)
        flags |= WASI_FDFLAG_DSYNC;
    uint32_t p = (uint32_t)stat;
    memset(m.base + p, 0, WASI_FDSTAT_SIZE);
    m.base[p] = welf_wasi_filetype(f->host, st.st_mode);
    welf_wasi_put16(&m, p + 2, flags);
    welf_wasi_put64(&m, p + 8, f->rights_base);
    welf_wasi_put64(&m, p + 16, f->rights_inheriting);
    return WASI_ESUCCESS;
}

/* Only APPEND and NONBLOCK can change on an open descriptor. */
int32_t welf_wasi_fd_fdstat_set_flags(welf_host *self, welf_caller *caller,
                                      int32_t fd, int32_t flags)
{
    (void)caller;
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    if (flags & ~0x1f)
        return WASI_EINVAL;
    if (flags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
        return WASI_ENOTSUP;
    int fl = fcntl(f->host, F_GETFL);
    if (fl < 0)
        return welf_wasi_errno(errno);
    fl &= ~(O_APPEND | O_NONBLOCK);
    if (flags & WASI_FDFLAG_APPEND)
        fl |= O_APPEND;
    if (flags & WASI_FDFLAG_NONBLOCK)
        fl |= O_NONBLOCK;
    if (fcntl(f->host, F_SETFL, fl) != 0)
        return welf_wasi_errno(errno);
    return WASI_ESUCCESS;
}

/* Rights can only shrink. */
int32_t welf_wasi_fd_fdstat_set_rights(welf_host *self, welf_caller *caller,
                                       int32_t fd, int64_t base,
                                       int64_t inheriting)
{
    (void)caller;
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    if (((uint64_t)base & ~f->rights_base) ||
        ((uint64_t)inheriting & ~f->rights_inheriting))
        return WASI_ENOTCAPABLE;
    f->rights_base = (uint64_t)base;
    f->rights_inheriting = (uint64_t)inheriting;
    return WASI_ESUCCESS;
}

/* ---- file attributes and data ---- */

int32_t welf_wasi_fd_filestat_get(welf_host *self, welf_caller *caller,
                                  int32_t fd, int32_t buf)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    if (!welf_wasi_mem_ok(&m, (uint32_t)buf, WASI_FILESTAT_SIZE))
        return WASI_EFAULT;
    welf_wasi_fd *f = welf_wasi_fd_get(w, fd);
    if (!f)
        return WASI_EBADF;
    struct stat st;
    if (fstat(f->host, &st) != 0)
        return welf_wasi_errno(errno);
    welf_wasi_filestat_put(&m, (uint32_t)buf, &st);
    return WASI_ESUCCESS;
}

int32_t welf_wasi_fd_filestat_set_size(welf_host *self, welf_caller *caller,
                                       int32_t fd, int64_t size)
{
    (void)caller;
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    if (size < 0)
        return WASI_EINVAL;
    if (ftruncate(f->host, (off_t)size) != 0)
        return welf_wasi_errno(errno);
    return WASI_ESUCCESS;
}

int32_t welf_wasi_fd_filestat_set_times(welf_host *self, welf_caller *caller,
                                        int32_t fd, int64_t atim,
                                        int64_t mtim, int32_t fstflags)
{
    (void)caller;
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    struct timespec ts[2];
    int32_t rc = welf_wasi_times((uint64_t)atim, (uint64_t)mtim,
                                 (uint32_t)fstflags, ts);
    if (rc != WASI_ESUCCESS)
        return rc;
    if (futimens(f->host, ts) != 0)
        return welf_wasi_errno(errno);
    return WASI_ESUCCESS;
}

int32_t welf_wasi_fd_advise(welf_host *self, welf_caller *caller, int32_t fd,
                            int64_t offset, int64_t len, int32_t advice)
{
    (void)caller;
    static const int advices[6] = {
        POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
        POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE,
    };
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    if (advice < 0 || advice > 5 || offset < 0 || len < 0)
        return WASI_EINVAL;
    int e = posix_fadvise(f->host, (off_t)offset, (off_t)len,
                          advices[advice]);
    return e ? welf_wasi_errno(e) : WASI_ESUCCESS;
}

int32_t welf_wasi_fd_allocate(welf_host *self, welf_caller *caller,
                              int32_t fd, int64_t offset, int64_t len)
{
    (void)caller;
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    if (offset < 0 || len <= 0 || offset > INT64_MAX - len)
        return WASI_EINVAL;
    int e = posix_fallocate(f->host, (off_t)offset, (off_t)len);
    return e ? welf_wasi_errno(e) : WASI_ESUCCESS;
}

int32_t welf_wasi_fd_datasync(welf_host *self, welf_caller *caller,
                              int32_t fd)
{
    (void)caller;
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    return fdatasync(f->host) == 0 ? WASI_ESUCCESS : welf_wasi_errno(errno);
}

int32_t welf_wasi_fd_sync(welf_host *self, welf_caller *caller, int32_t fd)
{
    (void)caller;
    welf_wasi_fd *f = welf_wasi_fd_get(welf_wasi_of(self), fd);
    if (!f)
        return WASI_EBADF;
    return fsync(f->host) == 0 ? WASI_ESUCCESS : welf_wasi_errno(errno);
}

/* ---- preopens ---- */

/* prestat: tag u8 at 0 (0: a directory), name length u32 at 4. Any
 * descriptor that is not a preopened directory is EBADF, which is how
 * wasi-libc finds the end of the preopens. */
int32_t welf_wasi_fd_prestat_get(welf_host *self, welf_caller *caller,
                                 int32_t fd, int32_t buf)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    welf_wasi_fd *f = welf_wasi_fd_get(w, fd);
    if (!f || !f->preopen)
        return WASI_EBADF;
    if (!welf_wasi_mem_ok(&m, (uint32_t)buf, WASI_PRESTAT_SIZE))
        return WASI_EFAULT;
    memset(m.base + (uint32_t)buf, 0, WASI_PRESTAT_SIZE);
    welf_wasi_put32(&m, (uint32_t)buf + 4, (uint32_t)f->preopen_len);
    return WASI_ESUCCESS;
}

int32_t welf_wasi_fd_prestat_dir_name(welf_host *self, welf_caller *caller,
                                      int32_t fd, int32_t path,
                                      int32_t path_len)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    welf_wasi_fd *f = welf_wasi_fd_get(w, fd);
    if (!f || !f->preopen)
        return WASI_EBADF;
    if (!welf_wasi_mem_ok(&m, (uint32_t)path, (uint32_t)path_len))
        return WASI_EFAULT;
    if ((uint32_t)path_len < f->preopen_len)
        return WASI_ENAMETOOLONG;
    memcpy(m.base + (uint32_t)path, f->preopen, f->preopen_len);
    return WASI_ESUCCESS;
}

/* ---- directories ---- */

/* The WASI filetype of a directory entry; the kernel's d_type when it
 * knows, else lstat. */
static uint8_t dirent_type(int dir, const char *name, uint8_t d_type)
{
    switch (d_type) {
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case DT_UNKNOWN: {
        struct stat st;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            return welf_wasi_filetype(-1, st.st_mode);
        return WASI_FILETYPE_UNKNOWN;
    }
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

/* Copies what fits of `len` bytes to the guest buffer; false once it is
 * full. */
static bool put_bytes(const welf_wasi_mem *m, uint32_t buf, uint32_t buf_len,
                      uint32_t *used, const void *bytes, size_t len)
{
    size_t room = buf_len - *used;
    size_t n = len < room ? len : room;
    memcpy(m->base + buf + *used, bytes, n);
    *used += (uint32_t)n;
    return *used < buf_len;
}

/*
 * fd_readdir: entries from `cookie` on, each a 24-byte dirent (d_next
 * u64 at 0, d_ino u64 at 8, d_namlen u32 at 16, d_type u8 at 20)
 * followed by its name, until the buffer is full; the last entry may be
 * cut short, and a buffer left partly empty means the end. A cookie is
 * the kernel's d_off, the directory offset of the next entry: 0 is the
 * start, and lseek to a cookie resumes after the entry that gave it,
 * which is what wasi-libc's readdir, telldir and seekdir rely on.
 */
int32_t welf_wasi_fd_readdir(welf_host *self, welf_caller *caller,
                             int32_t fd, int32_t buf, int32_t buf_len,
                             int64_t cookie, int32_t bufused)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    uint32_t base = (uint32_t)buf, len = (uint32_t)buf_len;
    if (!welf_wasi_mem_ok(&m, base, len) ||
        !welf_wasi_mem_ok(&m, (uint32_t)bufused, 4))
        return WASI_EFAULT;
    welf_wasi_fd *f = welf_wasi_fd_get(w, fd);
    if (!f)
        return WASI_EBADF;
    if (lseek(f->host, (off_t)cookie, SEEK_SET) < 0)
        return welf_wasi_errno(errno);

    /* linux_dirent64: d_ino u64 at 0, d_off s64 at 8, d_reclen u16 at
     * 16, d_type u8 at 18, NUL-terminated d_name at 19. */
    _Alignas(8) uint8_t ents[4096];
    uint32_t used = 0;
    bool room = len > 0;
    while (room) {
        long n = syscall(SYS_getdents64, f->host, ents, sizeof ents);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return welf_wasi_errno(errno);
        if (n == 0)
            break;
        for (long at = 0; at < n && room;) {
            uint64_t ino, next;
            uint16_t reclen;
            memcpy(&ino, ents + at, 8);
            memcpy(&next, ents + at + 8, 8);
            memcpy(&reclen, ents + at + 16, 2);
            const char *name = (const char *)ents + at + 19;
            size_t namlen = strlen(name);
            uint8_t head[WASI_DIRENT_SIZE] = {0};
            uint32_t namlen32 = (uint32_t)namlen;
            memcpy(head, &next, 8);
            memcpy(head + 8, &ino, 8);
            memcpy(head + 16, &namlen32, 4);
            head[20] = dirent_type(f->host, name, ents[at + 18]);
            room = put_bytes(&m, base, len, &used, head, sizeof head) &&
                   put_bytes(&m, base, len, &used, name, namlen);
            at += reclen;
        }
    }
    welf_wasi_put32(&m, (uint32_t)bufused, used);
    return WASI_ESUCCESS;
}
