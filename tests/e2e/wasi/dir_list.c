/* Directory listing: readdir over the seeded sandbox and a subdirectory,
 * names sorted before printing (the order readdir returns is not
 * defined), with each entry's type from d_type; rewinddir gives the same
 * entries again. "." and ".." are skipped: native readdir returns them,
 * but WASI runtimes differ (node:wasi leaves them out). Last, a directory
 * of 300 long names, more than one fd_readdir buffer holds, is read in
 * full. */
#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include "common.h"

static int compare(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static const char *type_name(unsigned char t)
{
    switch (t) {
    case DT_REG: return "file";
    case DT_DIR: return "dir";
    case DT_LNK: return "symlink";
    case DT_UNKNOWN: return "unknown";
    default: return "other";
    }
}

static int list(const char *path)
{
    char names[64][80];
    int n = 0;
    DIR *d = opendir(path);
    struct dirent *e;

    if (!d) {
        printf("opendir: %s\n", errno_name(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(names[n++], sizeof names[0], "%s %s", e->d_name, type_name(e->d_type));
    }
    rewinddir(d);
    int again = 0;
    while ((e = readdir(d)) != NULL)
        again += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    qsort(names, n, sizeof names[0], compare);
    for (int i = 0; i < n; i++)
        printf("  %s\n", names[i]);
    printf("  %d entries, %d after rewinddir\n", n, again);
    return n;
}

int main(int argc, char **argv)
{
    const char *dir = sandbox_dir(argc, argv);
    printf("sandbox:\n");
    list(dir);
    printf("sub:\n");
    list(in_dir(dir, "sub"));
    printf("missing:\n");
    list(in_dir(dir, "missing"));
    printf("a file:\n");
    list(in_dir(dir, "hello.txt"));

    char many[1024], name[128];
    snprintf(many, sizeof many, "%s", in_dir(dir, "many"));
    mkdir(many, 0755);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "many/a-rather-long-file-name-to-fill-the-buffer-quickly-%03d", i);
        fclose(fopen(in_dir(dir, name), "w"));
    }
    DIR *d = opendir(many);
    struct dirent *e;
    int seen[300] = {0}, count = 0, twice = 0, strange = 0;
    while ((e = readdir(d)) != NULL) {
        int k;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        count++;
        if (sscanf(e->d_name, "a-rather-long-file-name-to-fill-the-buffer-quickly-%d", &k) != 1 ||
            k < 0 || k >= 300)
            strange++;
        else if (seen[k]++)
            twice++;
    }
    closedir(d);
    int missing = 0;
    for (int i = 0; i < 300; i++)
        missing += !seen[i];
    printf("many: %d entries, %d missing, %d twice, %d unexpected\n", count, missing, twice,
           strange);
    return 0;
}
