/* stat, fstat and lstat: file types and sizes of the seeded files, inode
 * identity, hard links and their link count, fixed timestamps set with
 * utimensat and futimens, and errors for missing paths. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "common.h"

static const char *kind(mode_t m)
{
    return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink" : "other";
}

static void show(const char *dir, const char *name)
{
    struct stat st;
    if (stat(in_dir(dir, name), &st) != 0) {
        printf("%-12s %s\n", name, errno_name(errno));
        return;
    }
    if (S_ISREG(st.st_mode))
        printf("%-12s %s size=%lld\n", name, kind(st.st_mode), (long long)st.st_size);
    else
        printf("%-12s %s\n", name, kind(st.st_mode));
}

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    struct stat a, b, c;

    show(dir, "hello.txt");
    show(dir, "data.bin");
    show(dir, "empty.txt");
    show(dir, "sub");
    show(dir, "sub/nested.txt");
    show(dir, "missing");
    show(dir, "hello.txt/x");
    show(dir, ".");

    stat(in_dir(dir, "hello.txt"), &a);
    int fd = open(in_dir(dir, "hello.txt"), O_RDONLY);
    fstat(fd, &b);
    close(fd);
    stat(in_dir(dir, "data.bin"), &c);
    printf("fstat matches stat: %s\n",
           a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size ? "yes" : "no");
    printf("different files differ: %s\n", a.st_ino != c.st_ino ? "yes" : "no");
    printf("nlink=%lld\n", (long long)a.st_nlink);
    printf("mtime plausible: %s\n", a.st_mtime > 1600000000 ? "yes" : "no");

    printf("link: %d\n", link(in_dir(dir, "hello.txt"), in_dir(dir, "hello.link")));
    stat(in_dir(dir, "hello.link"), &b);
    stat(in_dir(dir, "hello.txt"), &a);
    printf("hard link: same inode %s, nlink %lld %lld\n",
           a.st_ino == b.st_ino ? "yes" : "no", (long long)a.st_nlink,
           (long long)b.st_nlink);
    unlink(in_dir(dir, "hello.link"));
    stat(in_dir(dir, "hello.txt"), &a);
    printf("after unlink nlink=%lld\n", (long long)a.st_nlink);

    printf("symlink: %d\n", symlink("hello.txt", in_dir(dir, "hello.sym")));
    lstat(in_dir(dir, "hello.sym"), &a);
    stat(in_dir(dir, "hello.sym"), &b);
    printf("lstat: %s, stat: %s size=%lld\n", kind(a.st_mode), kind(b.st_mode),
           (long long)b.st_size);
    char target[64];
    ssize_t n = readlink(in_dir(dir, "hello.sym"), target, sizeof target);
    printf("readlink: %.*s\n", (int)(n > 0 ? n : 0), target);

    /* Whole seconds: node:wasi drops the nanoseconds. */
    struct timespec times[2] = {{1000000000, 0}, {1234567890, 0}};
    printf("utimensat: %d\n", utimensat(AT_FDCWD, in_dir(dir, "empty.txt"), times, 0));
    stat(in_dir(dir, "empty.txt"), &a);
    printf("atime=%lld mtime=%lld.%09ld\n", (long long)a.st_atime,
           (long long)a.st_mtim.tv_sec, a.st_mtim.tv_nsec);
    fd = open(in_dir(dir, "empty.txt"), O_WRONLY);
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = 1500000000;
    times[1].tv_nsec = 0;
    printf("futimens: %d\n", futimens(fd, times));
    fstat(fd, &a);
    close(fd);
    printf("atime=%lld mtime=%lld\n", (long long)a.st_atime, (long long)a.st_mtime);
    return 0;
}
