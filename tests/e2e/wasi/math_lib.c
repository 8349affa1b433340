/* libm: exactly specified functions (sqrt, fma, rounding, fmod, frexp,
 * ldexp, modf, nextafter, copysign) printed in full, classification
 * macros, and transcendental functions printed to 12 significant digits
 * since libms may differ in the last bit. */
#include <float.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
    const double xs[] = {0.0, -0.0, 0.5, 1.0, 2.0, 2.5, -2.5, 3.5, 10.0, 1e-10, 123.456, -7.75};
    for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i];
        printf("x=%g sqrt(|x|)=%.17g floor=%g ceil=%g round=%g trunc=%g rint=%g nearbyint=%g\n",
               x, sqrt(fabs(x)), floor(x), ceil(x), round(x), trunc(x), rint(x), nearbyint(x));
        int e;
        double ip, m = frexp(x, &e), fr = modf(x, &ip);
        printf("    frexp=%a,%d ldexp(x,5)=%g modf=%g,%g fmod(x,0.75)=%.17g lrint=%ld\n", m, e,
               ldexp(x, 5), fr, ip, fmod(x, 0.75), lrint(x));
        printf("    exp=%.12g log1p=%.12g sin=%.12g cos=%.12g atan=%.12g cbrt=%.12g\n", exp(x),
               log1p(fabs(x)), sin(x), cos(x), atan(x), cbrt(x));
    }
    printf("fma(0.1, 10, -1) = %a\n", fma(0.1, 10, -1));
    printf("nextafter(1, 2) = %.17g, (0, -1) = %.17g\n", nextafter(1, 2), nextafter(0, -1));
    printf("copysign(3, -0.0) = %g, signbit(-0.0) = %d\n", copysign(3, -0.0), signbit(-0.0) != 0);
    printf("pow(2, 0.5) = %.12g, pow(-8, 1.0/3) isnan = %d, pow(0, -1) = %g\n", pow(2, 0.5),
           isnan(pow(-8, 1.0 / 3)), pow(0, -1));
    printf("log(0) = %g, log(-1) isnan = %d, sqrt(-1) isnan = %d\n", log(0), isnan(log(-1)),
           isnan(sqrt(-1)));
    printf("hypot(3, 4) = %g, atan2(1, -1) = %.12g, log2(1024) = %g, log10(1e-3) = %g\n",
           hypot(3, 4), atan2(1, -1), log2(1024), log10(1e-3));
    printf("isinf(1e308*10) = %d, isfinite(DBL_MAX) = %d, fpclassify(5e-324) subnormal = %d\n",
           isinf(1e308 * 10), isfinite(DBL_MAX), fpclassify(5e-324) == FP_SUBNORMAL);
    printf("fmin/fmax with NaN: %g %g\n", fmin(NAN, 1), fmax(2, NAN));
    printf("float: sqrtf(2) = %.9g, sinf(1) = %.6g, (float)1e40 isinf = %d\n", sqrtf(2.0f),
           sinf(1.0f), isinf((float)1e40));
    double s = 0;
    for (int i = 1; i <= 100000; i++)
        s += 1.0 / ((double)i * i);
    printf("sum 1/n^2 = %.17g\n", s);
    printf("(int)-3.9 = %d, (unsigned)3.9 = %u, (long long)-1e18 = %lld\n", (int)-3.9,
           (unsigned)3.9, (long long)-1e18);
    return 0;
}
