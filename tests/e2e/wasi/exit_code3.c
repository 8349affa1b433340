/* exit(3) from a nested call: buffered output written before it must
 * appear, the code must reach the host, and nothing after it runs. */
#include <stdio.h>
#include <stdlib.h>

static void leave(int depth)
{
    if (depth == 0) {
        printf("leaving with 3\n");
        exit(3);
    }
    leave(depth - 1);
    printf("not reached %d\n", depth);
}

int main(void)
{
    printf("before\n");
    leave(5);
    printf("not reached\n");
    return 0;
}
