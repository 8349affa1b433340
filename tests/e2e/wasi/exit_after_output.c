/* exit(0) after a lot of buffered output, without an explicit flush:
 * exit must flush stdout completely. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    for (int i = 0; i < 2000; i++)
        printf("line %4d: %0*d\n", i, i % 40 + 1, i);
    fputs("done writing\n", stderr);
    exit(0);
}
