/* The program tests/e2e/gdb.sh makes trap, for the source lines of trap
 * backtraces: nested calls, then the trap the first argument names
 * ("oob": a memory fault, "div": a division by zero, otherwise abort).
 * The markers name lines for the script. */
#include <stdlib.h>
#include <string.h>

volatile int zero = 0;

static int poke(int *p, int i)
{
    return p[i]; /* @poke */
}

static int divide(int a, int b)
{
    return a / b; /* @divide */
}

static int dispatch(const char *how, int n)
{
    if (strcmp(how, "oob") == 0)
        return poke((int *)0, 0x3ffffff0 + n); /* @call_poke */
    if (strcmp(how, "div") == 0)
        return divide(n, zero); /* @call_divide */
    abort(); /* @call_abort */
}

int main(int argc, char **argv)
{
    int r = dispatch(argc > 1 ? argv[1] : "", argc); /* @main_call */
    return r & 1;
}
