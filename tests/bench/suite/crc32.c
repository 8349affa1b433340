/*
 * crc32.c — CRC-32 (the reflected 0xEDB88320 polynomial of zlib and
 * Ethernet) over a large buffer, byte at a time through one table and
 * eight bytes at a time through eight ("slicing by 8"); both must agree.
 */
#include <stdlib.h>

#include "bench.h"

#define LEN (16u << 20)
#define PASSES 8

static uint32_t table[8][256];

static void make_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

static uint32_t crc_bytewise(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xffffffffu;
    for (uint32_t i = 0; i < n; i++)
        c = table[0][(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

static uint32_t crc_slice8(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xffffffffu, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32_t lo = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
                      (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
        uint32_t hi = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 |
                      (uint32_t)p[i + 6] << 16 | (uint32_t)p[i + 7] << 24;
        lo ^= c;
        c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
            table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
            table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
            table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
    }
    for (; i < n; i++)
        c = table[0][(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

int main(void)
{
    bench_rng rng = {0xc0ffee};
    bench_sum sum;
    bench_sum_init(&sum);
    make_tables();
    if (crc_bytewise((const uint8_t *)"123456789", 9) != 0xCBF43926u) {
        printf("crc32: wrong check value\n");
        return 1;
    }
    uint8_t *buf = malloc(LEN);
    for (uint32_t i = 0; i < LEN; i += 8) {
        uint64_t r = bench_rand(&rng);
        memcpy(buf + i, &r, 8);
    }
    for (int p = 0; p < PASSES; p++) {
        uint32_t n = LEN - (uint32_t)p * 3;
        uint32_t a = crc_bytewise(buf, n), b = crc_slice8(buf, n);
        if (a != b) {
            printf("crc32: the two methods disagree\n");
            return 1;
        }
        buf[p * 1000] ^= (uint8_t)a;
        bench_sum_u64(&sum, a);
    }
    free(buf);
    bench_sum_print("crc32", &sum);
    return 0;
}
