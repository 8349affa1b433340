/*
 * memscan.c — a memory-bound scan: passes over a 64 MiB array far larger
 * than the caches, counting and summing the elements above a threshold
 * that changes every pass, then a strided pass touching one word per
 * cache line. Bandwidth, not arithmetic, sets the speed.
 */
#include <stdlib.h>

#include "bench.h"

#define WORDS (16u << 20)
#define PASSES 36

int main(void)
{
    bench_rng rng = {0x5eed};
    bench_sum sum;
    bench_sum_init(&sum);
    uint32_t *a = malloc(WORDS * sizeof *a);
    for (uint32_t i = 0; i < WORDS; i += 2) {
        uint64_t r = bench_rand(&rng);
        a[i] = (uint32_t)r;
        a[i + 1] = (uint32_t)(r >> 32);
    }
    for (int p = 0; p < PASSES; p++) {
        uint32_t threshold = 0x10000000u * (uint32_t)(p % 16);
        uint64_t total = 0;
        uint32_t above = 0;
        for (uint32_t i = 0; i < WORDS; i++) {
            uint32_t x = a[i];
            if (x > threshold) {
                above++;
                total += x;
            }
        }
        bench_sum_u64(&sum, total);
        bench_sum_u64(&sum, above);
        uint32_t x = 0;
        for (uint32_t i = (uint32_t)p; i < WORDS; i += 16)
            x ^= a[i];
        bench_sum_u64(&sum, x);
    }
    free(a);
    bench_sum_print("memscan", &sum);
    return 0;
}
