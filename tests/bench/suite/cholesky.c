/*
 * cholesky.c — Cholesky factorisation A = L L^T of a symmetric positive
 * definite matrix (built as B B^T + N I), row by row, with the square
 * roots WebAssembly has as an instruction. Repeated on fresh copies.
 */
#include <math.h>

#include "bench.h"

#define N 360
#define REPS 60

static double spd[N * N], l[N * N];

static void factor(void)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j <= i; j++) {
            double s = l[i * N + j];
            const double *li = &l[i * N], *lj = &l[j * N];
            for (int k = 0; k < j; k++)
                s -= li[k] * lj[k];
            if (i == j)
                l[i * N + i] = sqrt(s);
            else
                l[i * N + j] = s / l[j * N + j];
        }
        for (int j = i + 1; j < N; j++)
            l[i * N + j] = 0.0;
    }
}

int main(void)
{
    static double b[N * N];
    bench_rng rng = {777};
    bench_sum sum;
    bench_sum_init(&sum);
    for (int i = 0; i < N * N; i++)
        b[i] = bench_rand_double(&rng) - 0.5;
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0.0;
            for (int k = 0; k < N; k++)
                s += b[i * N + k] * b[j * N + k];
            spd[i * N + j] = spd[j * N + i] = s;
        }
    for (int i = 0; i < N; i++)
        spd[i * N + i] += N;
    for (int r = 0; r < REPS; r++) {
        spd[r * N + r] += 1.0;
        memcpy(l, spd, sizeof l);
        factor();
        for (int i = 0; i < N; i += 3)
            bench_sum_double(&sum, l[i * N + i / 2]);
    }
    bench_sum_print("cholesky", &sum);
    return 0;
}
