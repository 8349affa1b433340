/* Randomness, printed only as booleans: getentropy fills its buffer, two
 * draws differ, 64 KiB of draws hit every byte value, and a request over
 * 256 bytes fails as POSIX says. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if !defined(__wasi__)
#include <sys/random.h>
#endif

static const char *yes(int b) { return b ? "yes" : "no"; }

int main(void)
{
    unsigned char a[256], b[256], zero[256] = {0};
    int seen[256] = {0};

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    printf("getentropy 256: %d\n", getentropy(a, sizeof a));
    printf("getentropy 256 again: %d\n", getentropy(b, sizeof b));
    printf("not all zero: %s\n", yes(memcmp(a, zero, sizeof a) != 0));
    printf("draws differ: %s\n", yes(memcmp(a, b, sizeof a) != 0));
    int tail = 0;
    for (int i = 240; i < 256; i++)
        tail |= a[i];
    printf("last bytes written too: %s\n", yes(tail != 0));

    int ok = 1;
    for (int round = 0; round < 256; round++) {
        ok &= getentropy(a, sizeof a) == 0;
        for (int i = 0; i < 256; i++)
            seen[a[i]] = 1;
    }
    int distinct = 0;
    for (int i = 0; i < 256; i++)
        distinct += seen[i];
    printf("256 draws succeeded: %s\n", yes(ok));
    printf("every byte value seen: %s\n", yes(distinct == 256));
    printf("getentropy 0: %d\n", getentropy(a, 0));
    errno = 0;
    printf("getentropy 257 fails: %s\n", yes(getentropy(a, 257) != 0 && errno == EIO));
    return 0;
}
