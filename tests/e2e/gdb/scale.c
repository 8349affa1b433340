/* Called by prog.c: the innermost frame of the gdb tests. */
#include "scale.h"

int scale(int x, int k)
{
    int r = x * k; /* @scale */
    return r;      /* @scale_ret */
}
