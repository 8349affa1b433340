/* Relative paths: chdir into the sandbox, then create, read, stat and
 * list through paths relative to the working directory, including "..",
 * and chdir back out of a subdirectory. */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static void cat(const char *path)
{
    char line[128];
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("fopen %s: %s\n", path, errno_name(errno));
        return;
    }
    while (fgets(line, sizeof line, f))
        printf("%s: %s", path, line);
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    struct stat st;

    printf("chdir sandbox: %d\n", chdir(dir));
    FILE *f = fopen("rel.txt", "w");
    fputs("written through a relative path\n", f);
    fclose(f);
    cat("rel.txt");
    cat("./hello.txt");
    printf("mkdir reldir: %d\n", mkdir("reldir", 0755));
    printf("chdir reldir: %d\n", chdir("reldir"));
    f = fopen("inner.txt", "w");
    fputs("inner\n", f);
    fclose(f);
    cat("../rel.txt");
    cat("../sub/nested.txt");
    cat("inner.txt");
    printf("stat ../reldir/inner.txt: %d\n", stat("../reldir/inner.txt", &st));
    printf("chdir ..: %d\n", chdir(".."));
    printf("stat reldir/inner.txt: %d size=%lld\n", stat("reldir/inner.txt", &st),
           (long long)st.st_size);
    printf("chdir missing: %s\n", chdir("missing") < 0 ? errno_name(errno) : "ok");
    printf("chdir to a file: %s\n", chdir("hello.txt") < 0 ? errno_name(errno) : "ok");
    DIR *d = opendir(".");
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    printf("entries in . (without . and ..): %d\n", n);
    printf("rename relative: %d\n", rename("rel.txt", "reldir/rel-moved.txt"));
    printf("unlink relative: %d\n", unlink("reldir/inner.txt"));
    return 0;
}
