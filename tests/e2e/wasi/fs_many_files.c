/* Many files: forty files created, twenty of them open at once, each
 * filled to its own length, reopened to check sizes and contents, then
 * every odd-numbered one removed. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    int fds[20];
    char name[32], buf[128];

    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 20; i++) {
            int k = round * 20 + i;
            snprintf(name, sizeof name, "f%02d.txt", k);
            fds[i] = open(in_dir(dir, name), O_RDWR | O_CREAT | O_TRUNC, 0644);
            if (fds[i] < 0) {
                printf("open %s: %s\n", name, errno_name(errno));
                return 1;
            }
        }
        for (int i = 0; i < 20; i++) {
            int k = round * 20 + i;
            memset(buf, 'a' + k % 26, k + 1);
            buf[k] = '\n';
            write(fds[i], buf, k + 1);
        }
        for (int i = 0; i < 20; i++)
            close(fds[i]);
    }

    long total = 0, bad = 0;
    for (int k = 0; k < 40; k++) {
        snprintf(name, sizeof name, "f%02d.txt", k);
        int fd = open(in_dir(dir, name), O_RDONLY);
        ssize_t n = read(fd, buf, sizeof buf);
        close(fd);
        total += n;
        if (n != k + 1 || buf[0] != 'a' + k % 26 || buf[k] != '\n')
            bad++;
    }
    printf("read back %ld bytes, %ld bad\n", total, bad);

    int removed = 0;
    for (int k = 1; k < 40; k += 2) {
        snprintf(name, sizeof name, "f%02d.txt", k);
        removed += unlink(in_dir(dir, name)) == 0;
    }
    printf("removed %d\n", removed);
    struct stat st;
    printf("f01 gone: %s, f02 kept: %s\n",
           stat(in_dir(dir, "f01.txt"), &st) < 0 && errno == ENOENT ? "yes" : "no",
           stat(in_dir(dir, "f02.txt"), &st) == 0 ? "yes" : "no");
    return 0;
}
