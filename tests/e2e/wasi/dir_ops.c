/* Directory operations: mkdir (nested, and over an existing name),
 * renames within and across directories and of a directory, unlink,
 * remove, rmdir of a non-empty and then an empty directory, and a final
 * recursive listing in sorted order. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *path, int depth)
{
    char *names[64];
    int n = 0;
    DIR *d = opendir(path);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], compare);
    for (int i = 0; i < n; i++) {
        char child[1024];
        struct stat st;
        snprintf(child, sizeof child, "%s/%s", path, names[i]);
        stat(child, &st);
        printf("%*s%s%s\n", depth * 2, "", names[i], S_ISDIR(st.st_mode) ? "/" : "");
        if (S_ISDIR(st.st_mode))
            walk(child, depth + 1);
        free(names[i]);
    }
}

static void touch(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void step(const char *what, int result)
{
    printf("%-28s %s\n", what, result == 0 ? "ok" : errno_name(errno));
}

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);

    step("mkdir d1", mkdir(in_dir(dir, "d1"), 0755));
    step("mkdir d1/d2", mkdir(in_dir(dir, "d1/d2"), 0755));
    step("mkdir d1/d2/d3", mkdir(in_dir(dir, "d1/d2/d3"), 0755));
    step("mkdir d1 again", mkdir(in_dir(dir, "d1"), 0755));
    touch(in_dir(dir, "d1/a.txt"), "a\n");
    touch(in_dir(dir, "d1/d2/b.txt"), "bb\n");
    step("rename a.txt -> a2.txt", rename(in_dir(dir, "d1/a.txt"), in_dir(dir, "d1/a2.txt")));
    step("rename into d2", rename(in_dir(dir, "d1/a2.txt"), in_dir(dir, "d1/d2/a3.txt")));
    step("rename over existing", rename(in_dir(dir, "d1/d2/a3.txt"), in_dir(dir, "d1/d2/b.txt")));
    step("rename dir d1 -> moved", rename(in_dir(dir, "d1"), in_dir(dir, "moved")));
    struct stat st;
    step("stat d1 after rename", stat(in_dir(dir, "d1"), &st));
    step("stat moved/d2/b.txt", stat(in_dir(dir, "moved/d2/b.txt"), &st));
    printf("b.txt now holds %lld bytes\n", (long long)st.st_size);
    step("rename dir into itself", rename(in_dir(dir, "moved"), in_dir(dir, "moved/d2/x")));
    int r = rmdir(in_dir(dir, "moved/d2"));
    if (r < 0 && errno == EEXIST)
        errno = ENOTEMPTY;
    step("rmdir non-empty", r);
    step("unlink moved/d2/b.txt", unlink(in_dir(dir, "moved/d2/b.txt")));
    step("rmdir moved/d2/d3", rmdir(in_dir(dir, "moved/d2/d3")));
    step("rmdir moved/d2", rmdir(in_dir(dir, "moved/d2")));
    step("mkdir gone", mkdir(in_dir(dir, "gone"), 0755));
    step("remove dir gone", remove(in_dir(dir, "gone")));
    touch(in_dir(dir, "moved/keep.txt"), "keep\n");
    touch(in_dir(dir, "moved/drop.txt"), "drop\n");
    step("remove file drop.txt", remove(in_dir(dir, "moved/drop.txt")));
    step("rename seeded sub -> sub2", rename(in_dir(dir, "sub"), in_dir(dir, "sub2")));
    printf("tree:\n");
    walk(dir, 1);
    return 0;
}
