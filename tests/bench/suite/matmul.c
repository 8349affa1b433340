/*
 * matmul.c — dense matrix multiply, C = A * B in double precision, in
 * the i-k-j order a compiler can vectorize, repeated REPS times with B
 * changed between repetitions so that no product can be reused.
 */
#include <stdlib.h>

#include "bench.h"

#define N 384
#define REPS 37

static double a[N * N], b[N * N], c[N * N];

static void multiply(void)
{
    for (int i = 0; i < N; i++) {
        double *ci = &c[i * N];
        for (int j = 0; j < N; j++)
            ci[j] = 0.0;
        for (int k = 0; k < N; k++) {
            double aik = a[i * N + k];
            const double *bk = &b[k * N];
            for (int j = 0; j < N; j++)
                ci[j] += aik * bk[j];
        }
    }
}

int main(void)
{
    bench_rng rng = {0x9e3779b97f4a7c15ull};
    bench_sum sum;
    bench_sum_init(&sum);
    for (int i = 0; i < N * N; i++) {
        a[i] = bench_rand_double(&rng) - 0.5;
        b[i] = bench_rand_double(&rng) - 0.5;
    }
    for (int r = 0; r < REPS; r++) {
        multiply();
        double trace = 0.0;
        for (int i = 0; i < N; i++)
            trace += c[i * N + i];
        bench_sum_double(&sum, trace);
        /* Feed a row of the product back into B. */
        for (int j = 0; j < N; j++)
            b[(r % N) * N + j] = c[((r * 7) % N) * N + j] * 0.01;
    }
    for (int i = 0; i < N * N; i += 97)
        bench_sum_double(&sum, c[i]);
    bench_sum_print("matmul", &sum);
    return 0;
}
