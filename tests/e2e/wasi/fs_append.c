/* Appending: fopen "a", O_APPEND writes that go to the end even after a
 * seek to the start, and the file's content and size afterwards. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static void show(const char *path)
{
    char buf[256];
    FILE *f = fopen(path, "r");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    printf("content (%zu bytes):\n%s", n, buf);
}

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    const char *path = in_dir(dir, "log.txt");
    struct stat st;

    FILE *f = fopen(path, "w");
    fputs("one\n", f);
    fclose(f);
    for (int i = 0; i < 2; i++) {
        f = fopen(path, "a");
        fprintf(f, "appended by stdio %d\n", i);
        fclose(f);
    }

    int fd = open(path, O_WRONLY | O_APPEND);
    printf("lseek to 0: %lld\n", (long long)lseek(fd, 0, SEEK_SET));
    write(fd, "O_APPEND after seek\n", 20);
    printf("offset after append: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);

    f = fopen(path, "a+");
    fputs("a+ write\n", f);
    fseek(f, 0, SEEK_SET);
    char first[16];
    fgets(first, sizeof first, f);
    printf("a+ reads from the start: %s", first);
    fclose(f);

    stat(in_dir(dir, "hello.txt"), &st);
    fd = open(in_dir(dir, "hello.txt"), O_WRONLY | O_APPEND);
    write(fd, "appended to a seeded file\n", 26);
    close(fd);
    struct stat st2;
    stat(in_dir(dir, "hello.txt"), &st2);
    printf("seeded file grew by %lld\n", (long long)(st2.st_size - st.st_size));

    show(path);
    stat(path, &st);
    printf("size=%lld\n", (long long)st.st_size);
    return 0;
}
