/* Symbolic links inside the preopened directory: the harness makes
 * "escape" -> /etc, "up" -> .. and "inside" -> hello.txt. Reading the
 * links themselves and following "inside" is allowed; following either
 * of the others, directly or in the middle of a path, must be refused.
 * Links the program makes itself (to "../..", an absolute path, and a
 * chain of links) must be refused when followed too, whether or not the
 * runtime lets them be created. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sandbox.h"

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/sandbox";
    __wasi_fd_t pre = preopen_fd(dir);
    char path[512], target[256];
    __wasi_size_t used;
    struct stat st;

    verdict("open inside (follow)", try_open(pre, FOLLOW, "inside", 0));
    verdict("stat inside (follow)", try_stat(pre, FOLLOW, "inside"));
    verdict("lstat escape", try_stat(pre, 0, "escape"));
    verdict("readlink escape",
            __wasi_path_readlink(pre, "escape", (uint8_t *)target, sizeof target, &used));
    verdict("readlink up", __wasi_path_readlink(pre, "up", (uint8_t *)target, sizeof target, &used));
    verdict("open escape (no follow)", try_open(pre, 0, "escape", __WASI_OFLAGS_DIRECTORY));
    verdict("open escape (follow)", try_open(pre, FOLLOW, "escape", __WASI_OFLAGS_DIRECTORY));
    verdict("open escape/passwd", try_open(pre, 0, "escape/passwd", 0));
    verdict("open escape/passwd (follow)", try_open(pre, FOLLOW, "escape/passwd", 0));
    verdict("open sub/../escape/passwd", try_open(pre, FOLLOW, "sub/../escape/passwd", 0));
    verdict("stat escape (follow)", try_stat(pre, FOLLOW, "escape"));
    verdict("stat escape/passwd", try_stat(pre, 0, "escape/passwd"));
    verdict("open up (follow)", try_open(pre, FOLLOW, "up", __WASI_OFLAGS_DIRECTORY));
    verdict("open up/x (create)", try_open(pre, FOLLOW, "up/x", __WASI_OFLAGS_CREAT));
    verdict("stat up (follow)", try_stat(pre, FOLLOW, "up"));
    verdict("mkdir up/escaped", __wasi_path_create_directory(pre, "up/escaped"));
    verdict("rename hello.txt -> up/stolen", __wasi_path_rename(pre, "hello.txt", pre, "up/stolen"));

    (void)__wasi_path_symlink("../..", pre, "sub/twoup");
    (void)__wasi_path_symlink("/etc/passwd", pre, "abs");
    (void)__wasi_path_symlink("sub/twoup", pre, "chain");
    verdict("open sub/twoup (follow)", try_open(pre, FOLLOW, "sub/twoup", __WASI_OFLAGS_DIRECTORY));
    verdict("open sub/twoup/x (create)", try_open(pre, FOLLOW, "sub/twoup/x", __WASI_OFLAGS_CREAT));
    verdict("open abs (follow)", try_open(pre, FOLLOW, "abs", 0));
    verdict("stat abs (follow)", try_stat(pre, FOLLOW, "abs"));
    verdict("open chain (follow)", try_open(pre, FOLLOW, "chain", __WASI_OFLAGS_DIRECTORY));
    verdict("open chain/etc/passwd", try_open(pre, FOLLOW, "chain/etc/passwd", 0));

    snprintf(path, sizeof path, "%s/escape/passwd", dir);
    verdict("libc open DIR/escape/passwd", open(path, O_RDONLY) < 0);
    snprintf(path, sizeof path, "%s/escape", dir);
    verdict("libc opendir DIR/escape", opendir(path) == NULL);
    snprintf(path, sizeof path, "%s/up/x", dir);
    verdict("libc fopen DIR/up/x for writing", fopen(path, "w") == NULL);
    snprintf(path, sizeof path, "%s/inside", dir);
    verdict("libc stat DIR/inside", stat(path, &st) < 0);
    return 0;
}
