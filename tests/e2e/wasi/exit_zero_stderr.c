/* A program that writes only to stderr and then returns 0 from main
 * after stdout was closed; its stdout stays empty. */
#include <stdio.h>

int main(void)
{
    fclose(stdout);
    for (int i = 0; i < 5; i++)
        fprintf(stderr, "stderr line %d\n", i);
    return 0;
}
