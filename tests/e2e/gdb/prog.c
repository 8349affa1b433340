/* The program tests/e2e/gdb.sh debugs: nested calls across two files.
 * The markers name lines for the gdb scripts. */
#include <stdio.h>

#include "scale.h"

static int leaf(int x)
{
    int y = scale(x, 3); /* @leaf_call */
    return y + 1;        /* @leaf_ret */
}

int middle(int n)
{
    int s = 0;                  /* @middle_first */
    for (int i = 0; i < n; i++) /* @middle_loop */
        s += leaf(i);           /* @middle_call */
    return s;                   /* @middle_ret */
}

int main(int argc, char **argv)
{
    (void)argv;
    int r = middle(argc + 3); /* @main_call */
    printf("result %d\n", r); /* @main_print */
    return 0;
}
