/* Number parsing: strtoll/strtoull in several bases with overflow and
 * end pointers, atoi, and sscanf with %i, %x, %o, %n, scansets and
 * assignment suppression. 64-bit types throughout: long differs between
 * wasm32 and x86-64. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    struct { const char *s; int base; } in[] = {
        {"12345", 10}, {"-12345", 10}, {"0x1F", 0}, {"0755", 0}, {"0b101", 0},
        {"z", 36}, {"ZZZZ", 36}, {"101101", 2}, {"  +42abc", 10}, {"", 10},
        {"9223372036854775807", 10}, {"9223372036854775808", 10},
        {"-9223372036854775809", 10}, {"ffffffffffffffff", 16}, {"-1", 10},
        {"10000000000000000000000", 10}, {"0x", 16}, {"- 5", 10},
    };
    for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
        char *end;
        errno = 0;
        long long v = strtoll(in[i].s, &end, in[i].base);
        int e1 = errno;
        errno = 0;
        unsigned long long u = strtoull(in[i].s, NULL, in[i].base);
        int e2 = errno;
        printf("[%s] base %d: ll=%lld used=%d erange=%d | ull=%llu erange=%d\n", in[i].s,
               in[i].base, v, (int)(end - in[i].s), e1 == ERANGE, u, e2 == ERANGE);
    }
    printf("atoi: %d %d %d\n", atoi("  -77xyz"), atoi("abc"), atoi("2147483647"));

    int a, b, c, used;
    unsigned x;
    char word[16], rest[32];
    int n = sscanf("0x10 010 10", "%i %i %i", &a, &b, &c);
    printf("%%i: n=%d %d %d %d\n", n, a, b, c);
    n = sscanf("ff 17 value=42;tail", "%x %o value=%d%n;%31s", &x, &a, &b, &used, rest);
    printf("mixed: n=%d x=%u o=%d v=%d used=%d rest=%s\n", n, x, a, b, used, rest);
    n = sscanf("key: some words, more", "%15[^:]: %*s %31[^,]", word, rest);
    printf("scanset: n=%d [%s] [%s]\n", n, word, rest);
    n = sscanf("abc", "%d", &a);
    printf("no match: n=%d\n", n);
    n = sscanf("", "%d", &a);
    printf("empty input: n=%d (EOF=%d)\n", n, n == EOF);
    int64_t big;
    n = sscanf("-8000000000", "%" SCNd64, &big);
    printf("SCNd64: n=%d %" PRId64 "\n", n, big);
    double d;
    float f;
    n = sscanf("3.25e2 -0.5", "%lf %f", &d, &f);
    printf("floats: n=%d %g %g\n", n, d, f);
    return 0;
}
