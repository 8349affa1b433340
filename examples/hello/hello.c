/*
 * hello.c — an ordinary C program, compiled to WebAssembly (wasm32-wasi)
 * and from there to a native static binary by welf. It uses what WASI
 * gives a program: its arguments, an environment variable, a file in a
 * directory the runner lets it see, and its exit status.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("hello, %s\n", argc > 1 ? argv[1] : "world");
    const char *greeting = getenv("GREETING");
    if (greeting)
        printf("GREETING is %s\n", greeting);

    /* Only directories given with --dir are visible: here "out". */
    FILE *f = fopen("out/hello.txt", "w");
    if (!f) {
        printf("no out/ directory (run with --dir out)\n");
        return 2;
    }
    fprintf(f, "written from WebAssembly\n");
    fclose(f);
    printf("wrote out/hello.txt\n");
    return 0;
}
