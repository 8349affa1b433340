/* Environment: getenv of the variables the harness sets (one empty, one
 * whose value holds '=') and of an unset one, then the whole environment
 * sorted. The harness runs native programs with exactly those variables,
 * so the lists must match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show(const char *name)
{
    const char *v = getenv(name);
    if (v)
        printf("%s=[%s]\n", name, v);
    else
        printf("%s unset\n", name);
}

int main(void)
{
    char *copy[64];
    int n = 0;

    show("WELF_E2E_A");
    show("WELF_E2E_B");
    show("WELF_E2E_EMPTY");
    show("WELF_E2E_EQ");
    show("WELF_E2E_MISSING");
    for (char **e = environ; *e && n < 64; e++)
        copy[n++] = *e;
    qsort(copy, n, sizeof copy[0], compare);
    printf("environ has %d entries\n", n);
    for (int i = 0; i < n; i++)
        printf("  %s\n", copy[i]);
    setenv("WELF_E2E_NEW", "set by the program", 1);
    show("WELF_E2E_NEW");
    unsetenv("WELF_E2E_A");
    show("WELF_E2E_A");
    return 0;
}
