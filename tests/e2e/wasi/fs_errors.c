/* Error paths on files, each printed by errno name: missing files,
 * directories where files are expected and the reverse, reads and writes
 * on descriptors opened the other way, and closed descriptors. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static void report(const char *what, int failed)
{
    printf("%-32s %s\n", what, failed ? errno_name(errno) : "succeeded");
}

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    char c;
    int fd;

    errno = 0;
    report("open missing", open(in_dir(dir, "missing"), O_RDONLY) < 0);
    report("open missing/child", open(in_dir(dir, "missing/child"), O_RDONLY) < 0);
    report("open file/child", open(in_dir(dir, "hello.txt/child"), O_RDONLY) < 0);
    report("open dir for writing", open(in_dir(dir, "sub"), O_WRONLY) < 0);
    report("O_DIRECTORY on a file", open(in_dir(dir, "hello.txt"), O_RDONLY | O_DIRECTORY) < 0);
    report("O_CREAT|O_EXCL existing", open(in_dir(dir, "hello.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644) < 0);
    report("mkdir over a file", mkdir(in_dir(dir, "hello.txt"), 0755) < 0);
    report("mkdir existing dir", mkdir(in_dir(dir, "sub"), 0755) < 0);
    report("mkdir in missing parent", mkdir(in_dir(dir, "missing/new"), 0755) < 0);
    report("rmdir a file", rmdir(in_dir(dir, "hello.txt")) < 0);
    /* POSIX allows either name for a directory that is not empty. */
    int r = rmdir(in_dir(dir, "sub"));
    if (r < 0 && errno == EEXIST)
        errno = ENOTEMPTY;
    report("rmdir non-empty", r < 0);
    report("unlink missing", unlink(in_dir(dir, "missing")) < 0);
    report("rename missing", rename(in_dir(dir, "missing"), in_dir(dir, "other")) < 0);
    report("rename dir over file", rename(in_dir(dir, "sub"), in_dir(dir, "hello.txt")) < 0);

    fd = open(in_dir(dir, "hello.txt"), O_RDONLY);
    report("write to O_RDONLY", write(fd, "x", 1) < 0);
    close(fd);
    fd = open(in_dir(dir, "new.txt"), O_WRONLY | O_CREAT, 0644);
    report("read from O_WRONLY", read(fd, &c, 1) < 0);
    close(fd);
    report("read closed fd", read(fd, &c, 1) < 0);
    report("close closed fd", close(fd) < 0);
    report("close(-1)", close(-1) < 0);
    report("lseek on closed fd", lseek(fd, 0, SEEK_SET) < 0);
    fd = open(in_dir(dir, "sub"), O_RDONLY | O_DIRECTORY);
    /* EISDIR natively; WASI directory descriptors lack the read right. */
    printf("%-32s %s\n", "read from a directory", read(fd, &c, 1) < 0 ? "failed" : "succeeded");
    close(fd);
    return 0;
}
