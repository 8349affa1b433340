/*
 * seidel.c — Gauss-Seidel relaxation with a 9-point stencil, in place:
 * each point becomes the mean of its 3x3 neighbourhood, using values
 * already updated in this sweep, which serialises the loop.
 */
#include "bench.h"

#define N 400
#define SWEEPS 300

static double g[N * N];

int main(void)
{
    bench_rng rng = {99};
    bench_sum sum;
    bench_sum_init(&sum);
    for (int i = 0; i < N * N; i++)
        g[i] = bench_rand_double(&rng);
    for (int s = 0; s < SWEEPS; s++)
        for (int i = 1; i < N - 1; i++)
            for (int j = 1; j < N - 1; j++)
                g[i * N + j] = (g[(i - 1) * N + j - 1] + g[(i - 1) * N + j] +
                                g[(i - 1) * N + j + 1] + g[i * N + j - 1] +
                                g[i * N + j] + g[i * N + j + 1] +
                                g[(i + 1) * N + j - 1] + g[(i + 1) * N + j] +
                                g[(i + 1) * N + j + 1]) / 9.0;
    for (int i = 0; i < N * N; i += 37)
        bench_sum_double(&sum, g[i]);
    bench_sum_print("seidel", &sum);
    return 0;
}
