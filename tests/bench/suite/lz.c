/*
 * lz.c — LZ77-style match finding as a compressor does it: a hash of the
 * next four bytes indexes chains of earlier positions within a window,
 * the longest match along a bounded chain wins, and the output counts
 * literals and (length, distance) pairs. The input is text-like: words
 * from a small made-up vocabulary, so matches are frequent.
 */
#include <stdlib.h>

#include "bench.h"

#define LEN (10u << 20)
#define WINDOW (1u << 16)
#define HASH_BITS 15
#define MAX_CHAIN 48
#define MIN_MATCH 4
#define MAX_MATCH 258

static uint32_t hash4(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

int main(void)
{
    static const char *syllables[] = {"ka", "lo", "mi", "ne", "su", "ta",
                                      "ri", "po", "va", "de", "qua", "xe"};
    bench_rng rng = {5150};
    bench_sum sum;
    bench_sum_init(&sum);
    uint8_t *text = malloc(LEN + MAX_MATCH);
    int32_t *head = malloc((1u << HASH_BITS) * sizeof *head);
    int32_t *prev = malloc(WINDOW * sizeof *prev);
    /* A vocabulary of 400 words, then a Zipf-like draw of words. */
    char words[400][16];
    for (int w = 0; w < 400; w++) {
        int n = 0, parts = 1 + (int)(bench_rand(&rng) % 4);
        for (int s = 0; s < parts; s++) {
            const char *syl = syllables[bench_rand(&rng) % 12];
            while (*syl)
                words[w][n++] = *syl++;
        }
        words[w][n] = 0;
    }
    uint32_t len = 0;
    while (len < LEN) {
        uint64_t r = bench_rand(&rng);
        int w = (int)((r % 400) * ((r >> 20) % 400) / 400);
        for (const char *c = words[w]; *c && len < LEN; c++)
            text[len++] = (uint8_t)*c;
        if (len < LEN)
            text[len++] = (r >> 40) % 9 == 0 ? '\n' : ' ';
    }
    memset(text + LEN, 0, MAX_MATCH);

    for (uint32_t i = 0; i < 1u << HASH_BITS; i++)
        head[i] = -1;
    uint64_t literals = 0, matches = 0, matched = 0, dist_sum = 0;
    uint32_t pos = 0;
    while (pos + MIN_MATCH <= LEN) {
        uint32_t h = hash4(text + pos);
        int32_t cand = head[h];
        uint32_t best_len = 0, best_dist = 0;
        int chain = MAX_CHAIN;
        uint32_t limit = LEN - pos < MAX_MATCH ? LEN - pos : MAX_MATCH;
        while (cand >= 0 && pos - (uint32_t)cand <= WINDOW && chain-- > 0) {
            const uint8_t *a = text + cand, *b = text + pos;
            if (a[best_len] == b[best_len]) {
                uint32_t n = 0;
                while (n < limit && a[n] == b[n])
                    n++;
                if (n > best_len) {
                    best_len = n;
                    best_dist = pos - (uint32_t)cand;
                    if (n == limit)
                        break;
                }
            }
            cand = prev[(uint32_t)cand % WINDOW];
        }
        uint32_t step = best_len >= MIN_MATCH ? best_len : 1;
        if (best_len >= MIN_MATCH) {
            matches++;
            matched += best_len;
            dist_sum += best_dist;
        } else {
            literals++;
        }
        /* Insert every position covered into the chains. */
        for (uint32_t k = 0; k < step && pos + MIN_MATCH <= LEN; k++, pos++) {
            uint32_t hk = hash4(text + pos);
            prev[pos % WINDOW] = head[hk];
            head[hk] = (int32_t)pos;
        }
    }
    bench_sum_u64(&sum, literals);
    bench_sum_u64(&sum, matches);
    bench_sum_u64(&sum, matched);
    bench_sum_u64(&sum, dist_sum);
    printf("literals %llu matches %llu\n", (unsigned long long)literals,
           (unsigned long long)matches);
    free(text);
    free(head);
    free(prev);
    bench_sum_print("lz", &sum);
    return 0;
}
