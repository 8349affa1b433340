/* Formatted input: scanf reads whitespace-separated tokens from stdin;
 * each token is classified as an integer, a floating-point number or a
 * word. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char tok[256];
    int count = 0, ints = 0, floats = 0, others = 0;
    long long isum = 0;
    double fsum = 0;

    while (scanf("%255s", tok) == 1) {
        char *end;
        long long v = strtoll(tok, &end, 0);
        count++;
        if (*end == '\0') {
            ints++;
            isum += v;
            printf("int   %s = %lld\n", tok, v);
            continue;
        }
        double d = strtod(tok, &end);
        if (*end == '\0' && end != tok) {
            floats++;
            fsum += d;
            printf("float %s = %g\n", tok, d);
        } else {
            others++;
        }
    }
    printf("tokens=%d ints=%d floats=%d others=%d isum=%lld fsum=%g\n", count,
           ints, floats, others, isum, fsum);
    return 0;
}
