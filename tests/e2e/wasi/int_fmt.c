/* Integer formatting: every length modifier at its extremes, widths,
 * precisions and flags, '*' arguments, and %n. */
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    printf("int: %d %d %i\n", INT_MIN, INT_MAX, -1);
    printf("unsigned: %u %x %X %o\n", UINT_MAX, UINT_MAX, 0xdeadbeefu, 0777u);
    printf("hh: %hhd %hhu %hhx\n", (signed char)300, (unsigned char)300, (unsigned char)-1);
    printf("h: %hd %hu\n", (short)70000, (unsigned short)70000);
    printf("ll: %lld %lld %llu %llx\n", LLONG_MIN, LLONG_MAX, ULLONG_MAX, 0x0123456789abcdefull);
    printf("j: %jd %ju\n", INTMAX_MIN, UINTMAX_MAX);
    printf("z/t: %zu %zd %td\n", (size_t)4000000000u, (ptrdiff_t)-5, (ptrdiff_t)12);
    printf("PRI: %" PRId64 " %" PRIu32 " %" PRIx16 " %" PRIX8 "\n", (int64_t)-1234567890123,
           (uint32_t)4000000000u, (uint16_t)0xbeef, (uint8_t)0xab);
    printf("flags: [%+d] [% d] [%-6d] [%06d] [%#x] [%#o] [%#X] [%+06d]\n", 5, 5, 5, -5, 255,
           8, 0, -42);
    printf("precision: [%.5d] [%.0d] [%8.3d] [%-8.3x] [%.0x]\n", 42, 0, 7, 0xa, 0);
    printf("star: [%*d] [%-*d] [%.*d] [%*.*d]\n", 6, 1, 6, 2, 4, 3, 7, 5, -9);
    printf("negative star width: [%*d]\n", -5, 1);
    printf("chars: [%c] [%5c] [%-3c]\n", 'a', 'b', 'c');
    int pos1, pos2;
    printf("count%n chars here%n\n", &pos1, &pos2);
    printf("%%n gave %d and %d\n", pos1, pos2);
    char buf[200];
    int n = snprintf(buf, sizeof buf, "%lld|%llu|%lld", 1000000000000ll, 18446744073709551615ull,
                     -9223372036854775807ll - 1);
    printf("snprintf %d [%s]\n", n, buf);
    for (int base = 0; base < 64; base += 9) {
        uint64_t v = (uint64_t)1 << base | 1;
        printf("2^%d+1 = %llu = %#llx = %llo\n", base, (unsigned long long)v,
               (unsigned long long)v, (unsigned long long)v);
    }
    return 0;
}
