/* Basic stdio: printf conversions, puts, putchar, fwrite, fputs and
 * fprintf to stderr, and a last line left without a newline (it must
 * still be flushed at exit). */
#include <stdio.h>

int main(void)
{
    printf("hello, %s!\n", "wasi");
    puts("puts adds a newline");
    putchar('x');
    putchar('\n');
    fputs("to stderr\n", stderr);
    fprintf(stderr, "stderr %d %s\n", 42, "formatted");
    printf("[%5d|%-5d|%05d|%x|%X|%o|%c|%%]\n", 42, 42, 42, 255, 255, 8, 'A');
    printf("[%s|%10s|%-10s|%.3s]\n", "str", "right", "left", "truncated");
    fwrite("fwrite bytes\n", 1, 13, stdout);
    fflush(stdout);
    fputs("stderr after flush\n", stderr);
    printf("no newline at end");
    return 0;
}
