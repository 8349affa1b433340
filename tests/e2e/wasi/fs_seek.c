/* Seeking: lseek with SEEK_SET, SEEK_CUR and SEEK_END, a write past the
 * end that leaves a hole of zeros, pread and pwrite (which leave the
 * offset alone), and fseek/ftell/rewind through stdio. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    const char *path = in_dir(dir, "seek.bin");
    char buf[64];
    struct stat st;

    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(fd, "0123456789", 10);
    printf("SEEK_SET 3 -> %lld\n", (long long)lseek(fd, 3, SEEK_SET));
    read(fd, buf, 2);
    printf("read 2: %.2s\n", buf);
    printf("SEEK_CUR -1 -> %lld\n", (long long)lseek(fd, -1, SEEK_CUR));
    read(fd, buf, 3);
    printf("read 3: %.3s\n", buf);
    printf("SEEK_END -2 -> %lld\n", (long long)lseek(fd, -2, SEEK_END));
    read(fd, buf, 10);
    printf("read to end: %.2s\n", buf);
    printf("read at end: %zd\n", read(fd, buf, 10));
    printf("SEEK_SET -1: %s\n", lseek(fd, -1, SEEK_SET) < 0 ? errno_name(errno) : "ok");

    printf("SEEK_SET 20 -> %lld\n", (long long)lseek(fd, 20, SEEK_SET));
    write(fd, "X", 1);
    fstat(fd, &st);
    printf("size after write at 20: %lld\n", (long long)st.st_size);
    lseek(fd, 8, SEEK_SET);
    ssize_t n = read(fd, buf, sizeof buf);
    printf("bytes 8..: n=%zd:", n);
    for (ssize_t i = 0; i < n; i++)
        printf(" %02x", (unsigned char)buf[i]);
    printf("\n");

    lseek(fd, 4, SEEK_SET);
    printf("pwrite at 0: %zd\n", pwrite(fd, "ab", 2, 0));
    printf("pread at 1: %zd ", pread(fd, buf, 4, 1));
    printf("[%.4s]\n", buf);
    printf("offset still: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("pread past end: %zd\n", pread(fd, buf, 4, 100));
    close(fd);

    FILE *f = fopen(path, "r+");
    fseek(f, 0, SEEK_END);
    printf("ftell at end: %ld\n", ftell(f));
    fseek(f, 2, SEEK_SET);
    printf("fgetc at 2: %c, ftell: %ld\n", fgetc(f), ftell(f));
    fseek(f, -3, SEEK_CUR);
    printf("fgetc after -3: %c\n", fgetc(f));
    rewind(f);
    fputs("AB", f);
    fflush(f);
    rewind(f);
    printf("after rewind and write: %c%c%c\n", fgetc(f), fgetc(f), fgetc(f));
    fclose(f);
    return 0;
}
