/* Integer arithmetic mix: signed division and remainder with negative
 * operands, unsigned wrap-around in 8/16/32/64 bits, 64-bit products and
 * quotients, shifts, rotates, bit counts, and a few classic hashes. All
 * operations are defined behaviour (no signed overflow). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static volatile int32_t vs[] = {7, -7, 2147483647, -2147483647 - 1, 1, -1, 3, -3, 1000000007};
static volatile uint64_t vu[] = {0, 1, 0xffffffffffffffffull, 0x8000000000000000ull,
                                 0x123456789abcdef0ull, 1000000007, 3};

static uint32_t rotl32(uint32_t x, int r) { return x << (r & 31) | x >> (-r & 31); }
static uint64_t rotr64(uint64_t x, int r) { return x >> (r & 63) | x << (-r & 63); }

int main(void)
{
    int ns = sizeof vs / sizeof vs[0], nu = sizeof vu / sizeof vu[0];
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < ns; j++) {
            int32_t a = vs[i], b = vs[j];
            if (b == 0 || (a == INT32_MIN && b == -1))
                continue;
            if (i % 3 == 0 || j < 4)
                printf("%d/%d=%d %%=%d\n", a, b, a / b, a % b);
        }
    uint8_t u8 = 250;
    uint16_t u16 = 65530;
    uint32_t u32 = 4294967290u;
    u8 += 10;
    u16 += 10;
    u32 += 10;
    printf("wraps: u8=%u u16=%u u32=%u u32-1=%u\n", u8, u16, u32, 0u - 1u);
    printf("int8 of 200: %d, int16 of 40000: %d\n", (int8_t)200, (int16_t)40000);
    for (int i = 0; i < nu; i++)
        for (int j = 0; j < nu; j++) {
            uint64_t a = vu[i], b = vu[j];
            printf("%llx*%llx=%llx", (unsigned long long)a, (unsigned long long)b,
                   (unsigned long long)(a * b));
            if (b)
                printf(" /=%llx %%=%llx", (unsigned long long)(a / b), (unsigned long long)(a % b));
            printf("\n");
        }
    int64_t s64[] = {-9000000000000000000ll, -7, 5, 123456789012345ll};
    for (int i = 0; i < 4; i++)
        printf("s64 %lld: /3=%lld %%3=%lld >>3=%lld /-7=%lld\n", (long long)s64[i],
               (long long)(s64[i] / 3), (long long)(s64[i] % 3), (long long)(s64[i] >> 3),
               (long long)(s64[i] / -7));
    uint32_t x = 0x80000001u;
    printf("shifts: %08x %08x %d %u\n", x << 1, x >> 1, (int32_t)x >> 4, x >> 31);
    printf("rotl32: %08x %08x rotr64: %016llx\n", rotl32(x, 1), rotl32(0x12345678u, 12),
           (unsigned long long)rotr64(0x0123456789abcdefull, 8));
    for (int i = 0; i < nu; i++) {
        uint64_t v = vu[i];
        printf("%016llx: popcount=%d clz=%d ctz=%d\n", (unsigned long long)v,
               __builtin_popcountll(v), v ? __builtin_clzll(v) : 64, v ? __builtin_ctzll(v) : 64);
    }
    uint32_t h = 0;
    for (uint32_t i = 0; i < 1000000; i++)
        h = (h ^ i) * 0x9e3779b1u + (h >> 15);
    printf("mix hash: %08x\n", h);
    uint64_t m = 1;
    for (int i = 0; i < 100; i++)
        m = m * 6364136223846793005ull + 1442695040888963407ull;
    printf("lcg64 after 100: %016llx\n", (unsigned long long)m);
    uint64_t pow = 1, base = 3, e = 1000000;
    while (e) {
        if (e & 1)
            pow = pow * base % 1000000007;
        base = base * base % 1000000007;
        e >>= 1;
    }
    printf("3^1000000 mod 1e9+7 = %llu\n", (unsigned long long)pow);
    int64_t gcd_a = 1071 * 1000003ll, gcd_b = 462 * 1000003ll;
    while (gcd_b) {
        int64_t t = gcd_a % gcd_b;
        gcd_a = gcd_b;
        gcd_b = t;
    }
    printf("gcd = %lld\n", (long long)gcd_a);
    printf("abs/min: %d %lld\n", -(-5), (long long)INT32_MIN * -1);
    return 0;
}
