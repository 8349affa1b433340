/* Floating-point formatting: %f, %e, %g and %a with widths, precisions
 * and flags over ordinary, huge, tiny, subnormal, signed-zero, infinite
 * and NaN values, and float arguments promoted to double. Subnormals are
 * left out of %a: glibc writes them as 0x0.0000000000001p-1022 and
 * musl-based libcs as 0x1p-1074. */
#include <float.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
    const double values[] = {
        0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3, 2.0 / 3, 123456789.125, 1e15, 1e16,
        1e21, 1e-5, 1e-7, 5e-324, 2.2250738585072014e-308, DBL_MAX, 3.141592653589793,
        2.718281828459045, 0.5, 0.25, 1e300, 1e-300, 9.999999999999999e22, 100, 1e100,
        INFINITY, -INFINITY, NAN,
    };
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++) {
        double x = values[i];
        printf("%2u: f=%f .2f=%.2f e=%e .3e=%.3e\n", i, x, x, x, x);
        printf("    g=%g .10g=%.10g .17g=%.17g #g=%#g\n", x, x, x, x);
        if (fpclassify(x) != FP_SUBNORMAL)
            printf("    a=%a .3a=%.3a\n", x, x);
        printf("    [%12.4f] [%-12.3e] [%+g] [% g] [%012.3f]\n", x, x, x, x, x);
    }
    float fl[] = {0.1f, 1.0f / 3, 16777216.0f, 16777217.0f, FLT_MAX, FLT_MIN, 1e-45f};
    for (unsigned i = 0; i < sizeof fl / sizeof fl[0]; i++)
        printf("float %u: %.9g %e %a\n", i, fl[i], fl[i],
               fpclassify((double)fl[i]) == FP_SUBNORMAL ? 0.0 : fl[i]);
    printf("%.0f %.0f %.0f %.0f (round half to even)\n", 0.5, 1.5, 2.5, -0.5);
    printf("%.1f %.1f %.2f\n", 0.05, 0.15, 1.005);
    printf("%.40f\n", 0.1);
    printf("%.0e %#.0e %#.0f\n", 12345.0, 12345.0, 3.0);
    printf("%g %g %g %g\n", 100000.0, 1000000.0, 0.0001, 0.00001);
    printf("%.3g %.3g %.1g\n", 1234.5, 0.0012345, 0.95);
    return 0;
}
