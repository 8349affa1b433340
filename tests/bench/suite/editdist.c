/*
 * editdist.c — Levenshtein distance by dynamic programming with two
 * rows, between pairs of pseudo-random strings over a small alphabet
 * in which the second string is a mutated copy of the first.
 */
#include <stdlib.h>

#include "bench.h"

#define LEN 3000
#define PAIRS 54

static uint32_t distance(const char *a, int n, const char *b, int m,
                         uint32_t *prev, uint32_t *cur)
{
    for (int j = 0; j <= m; j++)
        prev[j] = (uint32_t)j;
    for (int i = 1; i <= n; i++) {
        cur[0] = (uint32_t)i;
        char ai = a[i - 1];
        for (int j = 1; j <= m; j++) {
            uint32_t best = prev[j - 1] + (ai != b[j - 1]);
            uint32_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            if (del < best)
                best = del;
            if (ins < best)
                best = ins;
            cur[j] = best;
        }
        uint32_t *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

int main(void)
{
    bench_rng rng = {2024};
    bench_sum sum;
    bench_sum_init(&sum);
    char *a = malloc(LEN), *b = malloc(LEN + LEN / 8);
    uint32_t *prev = malloc((LEN + LEN / 8 + 1) * sizeof *prev);
    uint32_t *cur = malloc((LEN + LEN / 8 + 1) * sizeof *cur);
    for (int p = 0; p < PAIRS; p++) {
        for (int i = 0; i < LEN; i++)
            a[i] = (char)('a' + bench_rand(&rng) % 4);
        int m = 0;
        for (int i = 0; i < LEN && m < LEN + LEN / 8; i++) {
            uint64_t r = bench_rand(&rng) % 16;
            if (r == 0)
                continue;                         /* delete */
            if (r == 1)
                b[m++] = (char)('a' + bench_rand(&rng) % 4); /* insert */
            if (r == 2)
                b[m++] = (char)('a' + bench_rand(&rng) % 4); /* replace */
            else
                b[m++] = a[i];
        }
        bench_sum_u64(&sum, distance(a, LEN, b, m, prev, cur));
    }
    free(a);
    free(b);
    free(prev);
    free(cur);
    bench_sum_print("editdist", &sum);
    return 0;
}
