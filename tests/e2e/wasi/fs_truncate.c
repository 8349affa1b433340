/* Sizes: ftruncate to shrink and to grow (the new bytes read as zero),
 * truncate by path, O_TRUNC, and fstat/stat agreeing on the size. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static long long size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    const char *path = in_dir(dir, "trunc.bin");
    char buf[6000];
    struct stat st;

    memset(buf, 'z', 1000);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, buf, 1000);
    printf("after write: %lld\n", size_of(fd));
    printf("ftruncate 100: %d size=%lld\n", ftruncate(fd, 100), size_of(fd));
    printf("ftruncate 5000: %d size=%lld\n", ftruncate(fd, 5000), size_of(fd));
    printf("offset unchanged: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    int zs = 0, z = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == 'z')
            z++;
        else if (buf[i] == 0)
            zs++;
    }
    printf("read %zd: %d 'z', %d zero bytes\n", n, z, zs);
    printf("ftruncate -1: %s\n", ftruncate(fd, -1) < 0 ? errno_name(errno) : "ok");
    close(fd);

    printf("truncate 10: %d\n", truncate(path, 10));
    stat(path, &st);
    printf("stat size: %lld\n", (long long)st.st_size);

    fd = open(path, O_WRONLY | O_TRUNC);
    printf("O_TRUNC size: %lld\n", size_of(fd));
    close(fd);

    fd = open(in_dir(dir, "hello.txt"), O_RDONLY);
    printf("ftruncate read-only fd: %s\n",
           ftruncate(fd, 0) < 0 ? "failed" : "ok");
    close(fd);
    stat(in_dir(dir, "hello.txt"), &st);
    printf("seeded file size kept: %lld\n", (long long)st.st_size);
    return 0;
}
