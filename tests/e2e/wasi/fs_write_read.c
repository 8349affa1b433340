/* Files in the preopened directory: create with stdio and with open,
 * write, read back, and O_EXCL on an existing file. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    char line[128];
    unsigned char buf[1024], got[100];

    FILE *f = fopen(in_dir(dir, "written.txt"), "w");
    if (!f) {
        printf("fopen w: %s\n", errno_name(errno));
        return 1;
    }
    for (int i = 1; i <= 5; i++)
        fprintf(f, "line %d of %d: %s\n", i, 5, i % 2 ? "odd" : "even");
    fclose(f);

    f = fopen(in_dir(dir, "written.txt"), "r");
    while (fgets(line, sizeof line, f))
        printf("read back: %s", line);
    printf("eof=%d\n", feof(f) != 0);
    fclose(f);

    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = (unsigned char)(i * 7 + 3);
    int fd = open(in_dir(dir, "bytes.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    printf("open for writing: %s\n", fd >= 0 ? "ok" : errno_name(errno));
    printf("write: %zd\n", write(fd, buf, sizeof buf));
    close(fd);

    fd = open(in_dir(dir, "bytes.bin"), O_WRONLY | O_CREAT | O_EXCL, 0644);
    printf("O_EXCL on existing: %s\n", fd < 0 ? errno_name(errno) : "opened");

    fd = open(in_dir(dir, "bytes.bin"), O_RDONLY);
    long total = 0, sum = 0, mismatches = 0, reads = 0;
    ssize_t n;
    while ((n = read(fd, got, sizeof got)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            sum += got[i];
            if (got[i] != buf[total + i])
                mismatches++;
        }
        total += n;
        reads++;
    }
    printf("read %ld bytes in %ld reads, sum=%ld, mismatches=%ld, last=%zd\n",
           total, reads, sum, mismatches, n);
    close(fd);
    return 0;
}
