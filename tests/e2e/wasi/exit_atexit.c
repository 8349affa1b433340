/* atexit handlers run in reverse order of registration, before stdio is
 * flushed, and exit(5) still reports 5. */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("handler registered first\n"); }
static void second(void) { printf("handler registered second\n"); }
static void third(void)
{
    printf("handler registered third\n");
    fputs("third handler on stderr\n", stderr);
}

int main(void)
{
    atexit(first);
    atexit(second);
    atexit(third);
    printf("main calls exit(5)\n");
    exit(5);
}
