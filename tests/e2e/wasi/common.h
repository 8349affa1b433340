/* Helpers shared by the WASI end-to-end programs. Each program is built
 * twice, natively and for wasm32-wasi, and its output must be the same
 * both ways, so nothing here prints a host path, an address or a raw
 * errno value (the numbers differ between the two libcs): errors are
 * printed by name. */
#ifndef WASI_E2E_COMMON_H
#define WASI_E2E_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* The symbolic name of an errno value, or "E?" for one not listed. */
static inline const char *errno_name(int e)
{
    switch (e) {
    case 0: return "0";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EPERM: return "EPERM";
    case ERANGE: return "ERANGE";
    case ESPIPE: return "ESPIPE";
    case EXDEV: return "EXDEV";
    default: return "E?";
    }
}

/* DIR/NAME, in one of two static buffers used in turn: the results of two
 * calls in a row can be used together (as rename's arguments), a third
 * call overwrites the first. */
static inline const char *in_dir(const char *dir, const char *name)
{
    static char buf[2][1024];
    static int which;
    char *p = buf[which ^= 1];
    if (snprintf(p, sizeof buf[0], "%s/%s", dir, name) >= (int)sizeof buf[0]) {
        fprintf(stderr, "path too long\n");
        exit(100);
    }
    return p;
}

/* The sandbox directory: argv[1], the host path natively and the guest
 * path under WASI. */
static inline const char *sandbox_dir(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR ...\n", argv[0]);
        exit(100);
    }
    return argv[1];
}

#endif
