/* Paths that climb out of the preopened directory with "..", given to
 * the runtime directly (path_open, path_filestat_get and the calls that
 * create or move entries), next to control paths that stay inside and
 * must work; then the same through wasi-libc with absolute guest paths. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sandbox.h"

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/sandbox";
    __wasi_fd_t pre = preopen_fd(dir);
    char path[512];
    struct stat st;

    (void)__wasi_path_create_directory(pre, "a");
    verdict("open hello.txt", try_open(pre, 0, "hello.txt", 0));
    verdict("open a/../hello.txt", try_open(pre, 0, "a/../hello.txt", 0));
    verdict("open sub/./nested.txt", try_open(pre, 0, "sub/./nested.txt", 0));
    verdict("open .", try_open(pre, 0, ".", __WASI_OFLAGS_DIRECTORY));
    verdict("open ..", try_open(pre, 0, "..", __WASI_OFLAGS_DIRECTORY));
    verdict("open ../", try_open(pre, 0, "../", __WASI_OFLAGS_DIRECTORY));
    verdict("open ./..", try_open(pre, 0, "./..", 0));
    verdict("open ../x (create)", try_open(pre, 0, "../x", __WASI_OFLAGS_CREAT));
    verdict("open a/../../x", try_open(pre, 0, "a/../../x", 0));
    verdict("open a/../../x (create)", try_open(pre, 0, "a/../../x", __WASI_OFLAGS_CREAT));
    verdict("open sub/../../x (create)", try_open(pre, 0, "sub/../../x", __WASI_OFLAGS_CREAT));
    verdict("open sub/../..", try_open(pre, 0, "sub/../..", __WASI_OFLAGS_DIRECTORY));
    verdict("open a/b/../../../x (create)",
            try_open(pre, 0, "a/b/../../../x", __WASI_OFLAGS_CREAT));
    verdict("stat ..", try_stat(pre, 0, ".."));
    verdict("stat ../ (follow)", try_stat(pre, FOLLOW, "../"));
    verdict("stat a/..", try_stat(pre, 0, "a/.."));
    verdict("mkdir ../escaped", __wasi_path_create_directory(pre, "../escaped"));
    verdict("mkdir a/../../escaped", __wasi_path_create_directory(pre, "a/../../escaped"));
    verdict("rename hello.txt -> ../stolen", __wasi_path_rename(pre, "hello.txt", pre, "../stolen"));
    verdict("link hello.txt -> ../linked", __wasi_path_link(pre, 0, "hello.txt", pre, "../linked"));
    verdict("symlink ../symlinked", __wasi_path_symlink("hello.txt", pre, "../symlinked"));
    verdict("set times on ..",
            __wasi_path_filestat_set_times(pre, 0, "..", 0, 0,
                                           __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));

    snprintf(path, sizeof path, "%s/../x", dir);
    verdict("libc open DIR/../x (create)", open(path, O_WRONLY | O_CREAT, 0644) < 0);
    snprintf(path, sizeof path, "%s/a/../../x", dir);
    verdict("libc open DIR/a/../../x", open(path, O_RDONLY) < 0);
    snprintf(path, sizeof path, "%s/..", dir);
    verdict("libc stat DIR/..", stat(path, &st) < 0);
    snprintf(path, sizeof path, "%s/a/../hello.txt", dir);
    verdict("libc open DIR/a/../hello.txt", open(path, O_RDONLY) < 0);
    return 0;
}
