/*
 * path.c — the path_* functions of WASI preview 1 and the sandbox they
 * share. A guest path is always relative to a directory descriptor and
 * must stay beneath it: the kernel enforces that, not string checks.
 *
 *   - Opening (path_open, and every lookup of an existing file for
 *     stat, utimes, readlink and link) goes through openat2 with
 *     RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: an absolute path, a ".."
 *     above the directory, or a symbolic link (anywhere in the path)
 *     whose target leaves it fails with EXDEV, reported as ENOTCAPABLE.
 *     A final symbolic link is followed only when the lookup flags say
 *     so (otherwise O_NOFOLLOW, or O_PATH on the link itself).
 *   - Creating and removing names (mkdir, unlink, rmdir, rename,
 *     symlink, the new name of link) opens the *parent* directory that
 *     way (O_PATH | O_DIRECTORY) and applies the *at() call to the last
 *     component, which those calls never follow; the kernel refuses "."
 *     and ".." as that component (EEXIST, EINVAL, EBUSY, ...).
 *
 * Guest paths are (pointer, length), copied to a bounded buffer and
 * refused if they hold a NUL byte. Descriptors live in fd.c.
 */
#include "wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Copies a guest path into buf (WASI_PATH_MAX bytes), NUL-terminated. */
static int32_t path_copy(const welf_wasi_mem *m, int32_t ptr, int32_t len,
                         char *buf)
{
    uint32_t p = (uint32_t)ptr, n = (uint32_t)len;
    if (!welf_wasi_mem_ok(m, p, n))
        return WASI_EFAULT;
    if (n >= WASI_PATH_MAX)
        return WASI_ENAMETOOLONG;
    memcpy(buf, m->base + p, n);
    if (memchr(buf, '\0', n))
        return WASI_EINVAL;
    buf[n] = '\0';
    return WASI_ESUCCESS;
}

/* The host directory descriptor behind guest descriptor `fd`. */
static int32_t dir_host(welf_wasi *w, int32_t fd, int *out)
{
    welf_wasi_fd *f = welf_wasi_fd_get(w, fd);
    if (!f)
        return WASI_EBADF;
    *out = f->host;
    return WASI_ESUCCESS;
}

/*
 * Opens `path` beneath `dir`: the one way this file looks up a path
 * that may exist. EXDEV (the path would leave `dir`) becomes
 * ENOTCAPABLE; EAGAIN (a concurrent rename made the kernel give up on
 * proving the path stays beneath) is retried.
 */
static int32_t open_beneath(int dir, const char *path, uint64_t flags,
                            uint64_t mode, int *out)
{
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    if (path[0] == '\0')
        return WASI_ENOENT;
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = flags | O_CLOEXEC;
    how.mode = mode;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (int tries = 0;; tries++) {
        long fd = syscall(SYS_openat2, dir, path, &how, sizeof how);
        if (fd >= 0) {
            *out = (int)fd;
            return WASI_ESUCCESS;
        }
        if ((errno == EAGAIN || errno == EINTR) && tries < 64)
            continue;
        return errno == EXDEV ? WASI_ENOTCAPABLE : welf_wasi_errno(errno);
    }
}

/* Opens an existing file beneath `dir` as an O_PATH descriptor, its
 * final symbolic link followed or not. */
static int32_t lookup(int dir, const char *path, bool follow, int *out)
{
    return open_beneath(dir, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0,
                        out);
}

/*
 * Splits `path` (modified in place) into its parent directory, opened
 * beneath `dir` as O_PATH, and its last component, which keeps any
 * trailing slashes so that the *at() call applies the kernel's rules
 * for them. "a/b/c" gives "a/b" and "c"; "c" gives "." and "c".
 */
static int32_t parent_open(int dir, char *path, int *parent,
                           const char **last)
{
    if (path[0] == '/')
        return WASI_ENOTCAPABLE;
    size_t end = strlen(path);
    if (end == 0)
        return WASI_ENOENT;
    while (end > 0 && path[end - 1] == '/')
        end--;
    size_t slash = end;
    while (slash > 0 && path[slash - 1] != '/')
        slash--;
    if (slash == 0) {
        *last = path;
        return open_beneath(dir, ".", O_PATH | O_DIRECTORY, 0, parent);
    }
    path[slash - 1] = '\0';
    *last = path + slash;
    return open_beneath(dir, path, O_PATH | O_DIRECTORY, 0, parent);
}

/* ---- path_open ---- */

#define RIGHTS_READ (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR)
#define RIGHTS_WRITE (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_WRITE | \
                      WASI_RIGHT_FD_ALLOCATE | \
                      WASI_RIGHT_FD_FILESTAT_SET_SIZE)

/*
 * The host open flags for a path_open: the access mode comes from the
 * rights asked for (as wasi-libc's open() computes them from O_RDONLY
 * and O_WRONLY), with read-only when neither reading nor writing is.
 */
static int32_t open_flags(int32_t dirflags, int32_t oflags, uint64_t rights,
                          int32_t fdflags, uint64_t *out)
{
    if (oflags & ~0xf || fdflags & ~0x1f)
        return WASI_EINVAL;
    bool read = rights & RIGHTS_READ;
    bool write = (rights & RIGHTS_WRITE) || (fdflags & WASI_FDFLAG_APPEND);
    uint64_t f = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
    f |= O_NOCTTY;
    if (oflags & WASI_OFLAG_CREAT)
        f |= O_CREAT;
    if (oflags & WASI_OFLAG_DIRECTORY)
        f |= O_DIRECTORY;
    if (oflags & WASI_OFLAG_EXCL)
        f |= O_EXCL;
    if (oflags & WASI_OFLAG_TRUNC)
        f |= O_TRUNC;
    if (!(dirflags & WASI_LOOKUP_SYMLINK_FOLLOW))
        f |= O_NOFOLLOW;
    if (fdflags & WASI_FDFLAG_APPEND)
        f |= O_APPEND;
    if (fdflags & WASI_FDFLAG_NONBLOCK)
        f |= O_NONBLOCK;
    if (fdflags & WASI_FDFLAG_SYNC)
        f |= O_SYNC;
    else if (fdflags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC))
        f |= O_DSYNC;
    *out = f;
    return WASI_ESUCCESS;
}

int32_t welf_wasi_path_open(welf_host *self, welf_caller *caller,
                            int32_t fd, int32_t dirflags, int32_t path,
                            int32_t path_len, int32_t oflags,
                            int64_t rights_base, int64_t rights_inheriting,
                            int32_t fdflags, int32_t opened)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    char buf[WASI_PATH_MAX];
    uint64_t flags;
    int dir, host;
    if (!welf_wasi_mem_ok(&m, (uint32_t)opened, 4))
        return WASI_EFAULT;
    int32_t rc = dir_host(w, fd, &dir);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, path, path_len, buf);
    if (rc == WASI_ESUCCESS)
        rc = open_flags(dirflags, oflags, (uint64_t)rights_base, fdflags,
                        &flags);
    if (rc == WASI_ESUCCESS)
        rc = open_beneath(dir, buf, flags,
                          (flags & O_CREAT) ? 0666 : 0, &host);
    if (rc != WASI_ESUCCESS)
        return rc;
    const welf_wasi_fd *parent = welf_wasi_fd_get(w, fd);
    uint64_t inherit = parent->rights_inheriting;
    int32_t guest = welf_wasi_fd_add(w, host, true,
                                     (uint64_t)rights_base & inherit,
                                     (uint64_t)rights_inheriting & inherit);
    if (guest < 0) {
        close(host);
        return WASI_ENOMEM;
    }
    welf_wasi_put32(&m, (uint32_t)opened, (uint32_t)guest);
    return WASI_ESUCCESS;
}

/* ---- lookups of existing files ---- */

int32_t welf_wasi_path_filestat_get(welf_host *self, welf_caller *caller,
                                    int32_t fd, int32_t flags, int32_t path,
                                    int32_t path_len, int32_t buf)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    char p[WASI_PATH_MAX];
    int dir, file;
    struct stat st;
    if (!welf_wasi_mem_ok(&m, (uint32_t)buf, WASI_FILESTAT_SIZE))
        return WASI_EFAULT;
    int32_t rc = dir_host(w, fd, &dir);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, path, path_len, p);
    if (rc == WASI_ESUCCESS)
        rc = lookup(dir, p, flags & WASI_LOOKUP_SYMLINK_FOLLOW, &file);
    if (rc != WASI_ESUCCESS)
        return rc;
    if (fstat(file, &st) != 0)
        rc = welf_wasi_errno(errno);
    else
        welf_wasi_filestat_put(&m, (uint32_t)buf, &st);
    close(file);
    return rc;
}

/* utimensat on an O_PATH descriptor; through /proc/self/fd on kernels
 * whose utimensat lacks AT_EMPTY_PATH (before 5.8). */
static int32_t utimens_fd(int file, const struct timespec ts[2])
{
    if (utimensat(file, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0)
        return WASI_ESUCCESS;
    if (errno != EINVAL)
        return welf_wasi_errno(errno);
    char proc[32];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", file);
    if (utimensat(AT_FDCWD, proc, ts, 0) == 0)
        return WASI_ESUCCESS;
    return welf_wasi_errno(errno);
}

int32_t welf_wasi_path_filestat_set_times(welf_host *self,
                                          welf_caller *caller, int32_t fd,
                                          int32_t flags, int32_t path,
                                          int32_t path_len, int64_t atim,
                                          int64_t mtim, int32_t fstflags)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    char p[WASI_PATH_MAX];
    struct timespec ts[2];
    int dir, file;
    int32_t rc = dir_host(w, fd, &dir);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, path, path_len, p);
    if (rc == WASI_ESUCCESS)
        rc = welf_wasi_times((uint64_t)atim, (uint64_t)mtim,
                             (uint32_t)fstflags, ts);
    if (rc == WASI_ESUCCESS)
        rc = lookup(dir, p, flags & WASI_LOOKUP_SYMLINK_FOLLOW, &file);
    if (rc != WASI_ESUCCESS)
        return rc;
    rc = utimens_fd(file, ts);
    close(file);
    return rc;
}

int32_t welf_wasi_path_readlink(welf_host *self, welf_caller *caller,
                                int32_t fd, int32_t path, int32_t path_len,
                                int32_t buf, int32_t buf_len,
                                int32_t bufused)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    char p[WASI_PATH_MAX], target[WASI_PATH_MAX];
    int dir, file;
    struct stat st;
    if (!welf_wasi_mem_ok(&m, (uint32_t)buf, (uint32_t)buf_len) ||
        !welf_wasi_mem_ok(&m, (uint32_t)bufused, 4))
        return WASI_EFAULT;
    int32_t rc = dir_host(w, fd, &dir);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, path, path_len, p);
    if (rc == WASI_ESUCCESS)
        rc = lookup(dir, p, false, &file);
    if (rc != WASI_ESUCCESS)
        return rc;
    ssize_t n = -1;
    if (fstat(file, &st) != 0)
        rc = welf_wasi_errno(errno);
    else if (!S_ISLNK(st.st_mode))
        rc = WASI_EINVAL;
    else if ((n = readlinkat(file, "", target, sizeof target)) < 0)
        rc = welf_wasi_errno(errno);
    close(file);
    if (rc != WASI_ESUCCESS)
        return rc;
    size_t len = (size_t)n < (uint32_t)buf_len ? (size_t)n
                                                : (uint32_t)buf_len;
    memcpy(m.base + (uint32_t)buf, target, len);
    welf_wasi_put32(&m, (uint32_t)bufused, (uint32_t)len);
    return WASI_ESUCCESS;
}

/* ---- names created and removed ---- */

typedef enum name_op { OP_MKDIR, OP_RMDIR, OP_UNLINK } name_op;

static int32_t name_change(welf_host *self, welf_caller *caller, int32_t fd,
                           int32_t path, int32_t path_len, name_op op)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    char p[WASI_PATH_MAX];
    const char *last;
    int dir, parent;
    int32_t rc = dir_host(w, fd, &dir);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, path, path_len, p);
    if (rc == WASI_ESUCCESS)
        rc = parent_open(dir, p, &parent, &last);
    if (rc != WASI_ESUCCESS)
        return rc;
    int r;
    switch (op) {
    case OP_MKDIR: r = mkdirat(parent, last, 0777); break;
    case OP_RMDIR: r = unlinkat(parent, last, AT_REMOVEDIR); break;
    default: r = unlinkat(parent, last, 0); break;
    }
    rc = r == 0 ? WASI_ESUCCESS : welf_wasi_errno(errno);
    close(parent);
    return rc;
}

int32_t welf_wasi_path_create_directory(welf_host *self, welf_caller *caller,
                                        int32_t fd, int32_t path,
                                        int32_t path_len)
{
    return name_change(self, caller, fd, path, path_len, OP_MKDIR);
}

int32_t welf_wasi_path_remove_directory(welf_host *self, welf_caller *caller,
                                        int32_t fd, int32_t path,
                                        int32_t path_len)
{
    return name_change(self, caller, fd, path, path_len, OP_RMDIR);
}

int32_t welf_wasi_path_unlink_file(welf_host *self, welf_caller *caller,
                                   int32_t fd, int32_t path,
                                   int32_t path_len)
{
    return name_change(self, caller, fd, path, path_len, OP_UNLINK);
}

/* The target of a symbolic link is stored as given: it is checked when
 * a lookup follows the link, which must then stay beneath. */
int32_t welf_wasi_path_symlink(welf_host *self, welf_caller *caller,
                               int32_t old_path, int32_t old_path_len,
                               int32_t fd, int32_t new_path,
                               int32_t new_path_len)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    char target[WASI_PATH_MAX], p[WASI_PATH_MAX];
    const char *last;
    int dir, parent;
    int32_t rc = path_copy(&m, old_path, old_path_len, target);
    if (rc == WASI_ESUCCESS)
        rc = dir_host(w, fd, &dir);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, new_path, new_path_len, p);
    if (rc == WASI_ESUCCESS)
        rc = parent_open(dir, p, &parent, &last);
    if (rc != WASI_ESUCCESS)
        return rc;
    rc = symlinkat(target, parent, last) == 0 ? WASI_ESUCCESS
                                              : welf_wasi_errno(errno);
    close(parent);
    return rc;
}

int32_t welf_wasi_path_rename(welf_host *self, welf_caller *caller,
                              int32_t fd, int32_t old_path,
                              int32_t old_path_len, int32_t new_fd,
                              int32_t new_path, int32_t new_path_len)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    char op[WASI_PATH_MAX], np[WASI_PATH_MAX];
    const char *old_last, *new_last;
    int old_dir, new_dir, old_parent, new_parent = -1;
    int32_t rc = dir_host(w, fd, &old_dir);
    if (rc == WASI_ESUCCESS)
        rc = dir_host(w, new_fd, &new_dir);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, old_path, old_path_len, op);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, new_path, new_path_len, np);
    if (rc == WASI_ESUCCESS)
        rc = parent_open(old_dir, op, &old_parent, &old_last);
    if (rc != WASI_ESUCCESS)
        return rc;
    rc = parent_open(new_dir, np, &new_parent, &new_last);
    if (rc == WASI_ESUCCESS) {
        if (renameat(old_parent, old_last, new_parent, new_last) != 0)
            rc = welf_wasi_errno(errno);
        close(new_parent);
    }
    close(old_parent);
    return rc;
}

/* linkat of an O_PATH descriptor: AT_EMPTY_PATH, or through /proc/self/fd
 * where that needs a capability the process lacks (before Linux 6.10). */
static int link_fd(int file, int parent, const char *last)
{
    if (linkat(file, "", parent, last, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno != ENOENT && errno != EPERM)
        return -1;
    int saved = errno;
    char proc[32];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", file);
    if (linkat(AT_FDCWD, proc, parent, last, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno == ENOENT)
        errno = saved;
    return -1;
}

/* The source is looked up like any existing file (beneath its directory,
 * its final link followed only on request), then linked by descriptor. */
int32_t welf_wasi_path_link(welf_host *self, welf_caller *caller,
                            int32_t old_fd, int32_t old_flags,
                            int32_t old_path, int32_t old_path_len,
                            int32_t new_fd, int32_t new_path,
                            int32_t new_path_len)
{
    welf_wasi *w = welf_wasi_of(self);
    welf_wasi_mem m = welf_wasi_memory(w, caller);
    char op[WASI_PATH_MAX], np[WASI_PATH_MAX];
    const char *new_last;
    int old_dir, new_dir, file, new_parent;
    int32_t rc = dir_host(w, old_fd, &old_dir);
    if (rc == WASI_ESUCCESS)
        rc = dir_host(w, new_fd, &new_dir);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, old_path, old_path_len, op);
    if (rc == WASI_ESUCCESS)
        rc = path_copy(&m, new_path, new_path_len, np);
    if (rc == WASI_ESUCCESS)
        rc = lookup(old_dir, op, old_flags & WASI_LOOKUP_SYMLINK_FOLLOW,
                    &file);
    if (rc != WASI_ESUCCESS)
        return rc;
    struct stat st;
    if (fstat(file, &st) != 0) {
        rc = welf_wasi_errno(errno);
    } else if (S_ISDIR(st.st_mode)) {
        rc = WASI_EPERM;
    } else {
        rc = parent_open(new_dir, np, &new_parent, &new_last);
        if (rc == WASI_ESUCCESS) {
            if (link_fd(file, new_parent, new_last) != 0)
                rc = welf_wasi_errno(errno);
            close(new_parent);
        }
    }
    close(file);
    return rc;
}
