/*
 * floyd.c — Floyd–Warshall all-pairs shortest paths over a dense graph
 * with pseudo-random 32-bit weights and some missing edges.
 */
#include "bench.h"

#define N 850
#define INF 0x3fffffff

static uint32_t d[N * N];

int main(void)
{
    bench_rng rng = {31337};
    bench_sum sum;
    bench_sum_init(&sum);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            uint64_t r = bench_rand(&rng);
            d[i * N + j] = i == j ? 0 : (r % 8 == 0 ? INF : 1 + (uint32_t)(r >> 40) % 1000);
        }
    for (int k = 0; k < N; k++) {
        const uint32_t *dk = &d[k * N];
        for (int i = 0; i < N; i++) {
            uint32_t dik = d[i * N + k];
            uint32_t *di = &d[i * N];
            for (int j = 0; j < N; j++) {
                uint32_t via = dik + dk[j];
                if (via < di[j])
                    di[j] = via;
            }
        }
    }
    for (int i = 0; i < N * N; i += 11)
        bench_sum_u64(&sum, d[i]);
    bench_sum_print("floyd", &sum);
    return 0;
}
