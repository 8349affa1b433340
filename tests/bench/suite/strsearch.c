/*
 * strsearch.c — string search over a large text: a naive scan with a
 * first-byte filter and Boyer-Moore-Horspool, for a set of patterns of
 * several lengths, some taken from the text and some absent; both
 * methods must find the same number of occurrences.
 */
#include <stdlib.h>

#include "bench.h"

#define LEN (4u << 20)
#define PATTERNS 24
#define ROUNDS 3

static uint32_t count_naive(const uint8_t *t, uint32_t n, const uint8_t *p, uint32_t m)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i + m <= n; i++) {
        if (t[i] != p[0])
            continue;
        uint32_t k = 1;
        while (k < m && t[i + k] == p[k])
            k++;
        count += k == m;
    }
    return count;
}

static uint32_t count_horspool(const uint8_t *t, uint32_t n, const uint8_t *p, uint32_t m)
{
    uint32_t shift[256];
    for (int c = 0; c < 256; c++)
        shift[c] = m;
    for (uint32_t k = 0; k + 1 < m; k++)
        shift[p[k]] = m - 1 - k;
    uint32_t count = 0, i = 0;
    uint8_t last = p[m - 1];
    while (i + m <= n) {
        uint8_t c = t[i + m - 1];
        if (c == last && memcmp(t + i, p, m - 1) == 0)
            count++;
        i += shift[c];
    }
    return count;
}

int main(void)
{
    bench_rng rng = {161803};
    bench_sum sum;
    bench_sum_init(&sum);
    uint8_t *text = malloc(LEN);
    /* Skewed letters so that partial matches are common. */
    static const char letters[] = "eeeeeeettttaaaooiinnsshrdlcumwfgypbvk   ";
    for (uint32_t i = 0; i < LEN; i++)
        text[i] = (uint8_t)letters[bench_rand(&rng) % (sizeof letters - 1)];
    uint8_t pat[PATTERNS][64];
    uint32_t plen[PATTERNS];
    for (int k = 0; k < PATTERNS; k++) {
        plen[k] = 3 + (uint32_t)k * 2;
        if (k % 3 == 2) {
            for (uint32_t j = 0; j < plen[k]; j++)
                pat[k][j] = (uint8_t)letters[bench_rand(&rng) % (sizeof letters - 1)];
        } else {
            uint32_t at = (uint32_t)(bench_rand(&rng) % (LEN - 64));
            memcpy(pat[k], text + at, plen[k]);
        }
    }
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < PATTERNS; k++) {
            uint32_t a = count_naive(text, LEN - (uint32_t)r, pat[k], plen[k]);
            uint32_t b = count_horspool(text, LEN - (uint32_t)r, pat[k], plen[k]);
            if (a != b) {
                printf("strsearch: methods disagree on pattern %d\n", k);
                return 1;
            }
            bench_sum_u64(&sum, a);
        }
    }
    free(text);
    bench_sum_print("strsearch", &sum);
    return 0;
}
