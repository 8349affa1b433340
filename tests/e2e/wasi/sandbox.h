/* Helpers for the sandbox programs, which run only under WASI: they call
 * the runtime's path functions directly on the preopened directory's
 * descriptor, so that wasi-libc's own path handling cannot hide what the
 * runtime allows. Each attempt prints only "denied" or "allowed" (runtimes
 * disagree on the errno for a denial: ENOTCAPABLE, EPERM, ENOENT...); the
 * errno goes to stderr, which is not compared. */
#ifndef WASI_E2E_SANDBOX_H
#define WASI_E2E_SANDBOX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* The descriptor of the preopened directory named DIR. */
static __wasi_fd_t preopen_fd(const char *dir)
{
    for (__wasi_fd_t fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        char name[256];
        if (__wasi_fd_prestat_get(fd, &ps) != 0)
            break;
        if (ps.tag != __WASI_PREOPENTYPE_DIR || ps.u.dir.pr_name_len >= sizeof name)
            continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len) != 0)
            continue;
        name[ps.u.dir.pr_name_len] = '\0';
        if (strcmp(name, dir) == 0)
            return fd;
    }
    printf("no preopen for %s\n", dir);
    exit(1);
}

/* Prints LABEL and the verdict; errno E (0 for success) goes to stderr. */
static void verdict(const char *label, int e)
{
    printf("%-44s %s\n", label, e ? "denied" : "allowed");
    fprintf(stderr, "%s: errno %d\n", label, e);
}

static const __wasi_rights_t read_rights =
    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET |
    __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN;
static const __wasi_rights_t write_rights =
    __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET;

/* path_open relative to FD; closes what it opened. */
static int try_open(__wasi_fd_t fd, __wasi_lookupflags_t lookup, const char *path,
                    __wasi_oflags_t oflags)
{
    __wasi_fd_t got;
    __wasi_rights_t rights = oflags & __WASI_OFLAGS_CREAT ? write_rights : read_rights;
    __wasi_errno_t e = __wasi_path_open(fd, lookup, path, oflags, rights, 0, 0, &got);
    if (e == 0)
        (void)__wasi_fd_close(got);
    return e;
}

static int try_stat(__wasi_fd_t fd, __wasi_lookupflags_t lookup, const char *path)
{
    __wasi_filestat_t st;
    return __wasi_path_filestat_get(fd, lookup, path, &st);
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

#endif
