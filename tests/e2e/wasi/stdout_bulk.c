/* Bulk output: about 600 KB written to stdout with printf, fputs, fwrite
 * and putchar mixed, plus a few stderr lines in between; stdout is made
 * fully buffered with a small buffer so the flushes fall mid-line. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    static char buf[100];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    uint32_t x = 1;
    char line[80];
    for (int i = 0; i < 20000; i++) {
        x = x * 1664525u + 1013904223u;
        switch (i % 4) {
        case 0:
            printf("%6d printf %08x\n", i, x);
            break;
        case 1:
            snprintf(line, sizeof line, "%6d fputs %.*s\n", i, (int)(x % 40), "abcdefghijklmnopqrstuvwxyz0123456789ABCD");
            fputs(line, stdout);
            break;
        case 2:
            memset(line, 'a' + i % 26, 50);
            line[50] = '\n';
            fwrite(line, 1, 51, stdout);
            break;
        default:
            for (int k = 0; k < 10; k++)
                putchar('0' + (x >> k & 7));
            putchar('\n');
        }
        if (i % 5000 == 0)
            fprintf(stderr, "progress %d\n", i);
    }
    printf("end\n");
    return 0;
}
