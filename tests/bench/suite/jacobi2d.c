/*
 * jacobi2d.c — the 2-D Jacobi stencil: each sweep replaces every inner
 * point by the mean of its four neighbours and itself, from one grid
 * into the other, with fixed boundary values.
 */
#include "bench.h"

#define N 512
#define SWEEPS 3000

static double g0[N * N], g1[N * N];

static void sweep(double *restrict dst, const double *restrict src)
{
    for (int i = 1; i < N - 1; i++)
        for (int j = 1; j < N - 1; j++)
            dst[i * N + j] = 0.2 * (src[i * N + j] + src[i * N + j - 1] +
                                    src[i * N + j + 1] + src[(i - 1) * N + j] +
                                    src[(i + 1) * N + j]);
}

int main(void)
{
    bench_rng rng = {4242};
    bench_sum sum;
    bench_sum_init(&sum);
    for (int i = 0; i < N * N; i++)
        g0[i] = g1[i] = bench_rand_double(&rng);
    for (int s = 0; s < SWEEPS; s += 2) {
        sweep(g1, g0);
        sweep(g0, g1);
    }
    for (int i = 0; i < N * N; i += 131)
        bench_sum_double(&sum, g0[i]);
    bench_sum_print("jacobi2d", &sum);
    return 0;
}
