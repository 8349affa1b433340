/* Returning 7 from main: the return value is the exit code. */
#include <stdio.h>

int main(void)
{
    printf("returning 7 from main\n");
    fputs("stderr before return\n", stderr);
    return 7;
}
