/* Absolute paths: given to the runtime relative to the preopened
 * directory's descriptor they must be refused (even one naming a file
 * inside the sandbox by its guest path), and through wasi-libc a path
 * outside every preopen must fail. Only reads are tried: a runtime that
 * got this wrong would otherwise write to the host. */
#include <dirent.h>
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

    verdict("open hello.txt", try_open(pre, 0, "hello.txt", 0));
    verdict("open /etc/passwd", try_open(pre, 0, "/etc/passwd", 0));
    verdict("open /etc/passwd (follow)", try_open(pre, FOLLOW, "/etc/passwd", 0));
    verdict("open //etc/passwd", try_open(pre, 0, "//etc/passwd", 0));
    verdict("open /", try_open(pre, 0, "/", __WASI_OFLAGS_DIRECTORY));
    snprintf(path, sizeof path, "%s/hello.txt", dir);
    verdict("open DIR/hello.txt on the descriptor", try_open(pre, 0, path, 0));
    verdict("stat /etc", try_stat(pre, 0, "/etc"));
    verdict("stat /etc/passwd (follow)", try_stat(pre, FOLLOW, "/etc/passwd"));
    verdict("readlink /proc/self/exe",
            __wasi_path_readlink(pre, "/proc/self/exe", (uint8_t *)path, sizeof path,
                                 &(__wasi_size_t){0}));

    verdict("libc open /etc/passwd", open("/etc/passwd", O_RDONLY) < 0);
    verdict("libc stat /etc", stat("/etc", &st) < 0);
    verdict("libc opendir /", opendir("/") == NULL);
    verdict("libc fopen /proc/self/environ", fopen("/proc/self/environ", "r") == NULL);
    snprintf(path, sizeof path, "%s/hello.txt", dir);
    verdict("libc open DIR/hello.txt", open(path, O_RDONLY) < 0);
    return 0;
}
