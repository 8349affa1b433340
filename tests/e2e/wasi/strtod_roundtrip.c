/* strtod and printf agree: pseudo-random bit patterns and edge values
 * printed with %.17g must parse back to the same bits, and %a too; then
 * strtod and strtof on special inputs (hex floats, inf, nan, overflow,
 * underflow, trailing text). ERANGE is printed only for results that
 * overflow to infinity or underflow to zero: for subnormal results glibc
 * sets it and musl-based libcs do not. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    state ^= state << 7;
    state ^= state >> 9;
    return state;
}

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

int main(void)
{
    char buf[64];
    int ok = 0, hex_ok = 0, short_ok = 0, total = 0;
    for (int i = 0; i < 4000; i++) {
        uint64_t u = next();
        double d;
        memcpy(&d, &u, sizeof d);
        if (isnan(d))
            continue;
        total++;
        snprintf(buf, sizeof buf, "%.17g", d);
        ok += bits(strtod(buf, NULL)) == u;
        snprintf(buf, sizeof buf, "%a", d);
        hex_ok += bits(strtod(buf, NULL)) == u;
        if (i < 8)
            printf("%016llx %.17g\n", (unsigned long long)u, d);
        /* The shortest %.Ng that round-trips. */
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, sizeof buf, "%.*g", p, d);
            if (bits(strtod(buf, NULL)) == u) {
                short_ok++;
                if (i < 8)
                    printf("  shortest: %s\n", buf);
                break;
            }
        }
    }
    printf("round trips: %d/%d decimal, %d/%d hex, %d shortest\n", ok, total, hex_ok, total,
           short_ok);

    const char *inputs[] = {
        "0", "-0", "1e400", "-1e400", "1e-400", "4.9e-324", "2.4703282292062328e-324",
        "0x1.8p1", "0X1P-1074", "inf", "-Infinity", "nan", "  +12.5e-1xyz", ".5", "5.",
        "1e", "0x", "abc", "179769313486231580793728971405303415079934132710037826936173778"
        "980444968292764750946649017977587207096330286416692887910946555547851940402630657"
        "488671505820681908902000708383676273854845817711531764475730270069855571366959622"
        "842914819860834936475292719074168444365510704342711559699508093042880177904174497"
        "7919999", "2.2250738585072011e-308", "0.1000000000000000055511151231257827",
    };
    for (unsigned i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char *end;
        errno = 0;
        double d = strtod(inputs[i], &end);
        int e = errno;
        printf("strtod %.24s%s -> %.17g bits=%016llx used=%d erange=%d\n", inputs[i],
               strlen(inputs[i]) > 24 ? "..." : "", d, (unsigned long long)(isnan(d) ? 0 : bits(d)),
               (int)(end - inputs[i]), e == ERANGE && (isinf(d) || d == 0));
    }
    const char *finputs[] = {"0.1", "16777217", "3.4028235e38", "3.5e38", "1e-46", "1.4e-45"};
    for (unsigned i = 0; i < sizeof finputs / sizeof finputs[0]; i++) {
        errno = 0;
        float f = strtof(finputs[i], NULL);
        uint32_t u;
        memcpy(&u, &f, sizeof u);
        printf("strtof %s -> %.9g bits=%08x erange=%d\n", finputs[i], f, (unsigned)u,
               errno == ERANGE && (isinf(f) || f == 0));
    }
    return 0;
}
