/*
 * lu.c — LU decomposition without pivoting (Doolittle, in place) of a
 * diagonally dominant matrix, so it needs none, then a forward and a
 * backward substitution to solve A x = b. Repeated on fresh copies.
 */
#include "bench.h"

#define N 400
#define REPS 70

static double orig[N * N], m[N * N], rhs[N], x[N];

static void decompose(void)
{
    for (int k = 0; k < N; k++) {
        double pivot = m[k * N + k];
        for (int i = k + 1; i < N; i++) {
            double f = m[i * N + k] / pivot;
            m[i * N + k] = f;
            double *mi = &m[i * N];
            const double *mk = &m[k * N];
            for (int j = k + 1; j < N; j++)
                mi[j] -= f * mk[j];
        }
    }
}

static void solve(void)
{
    for (int i = 0; i < N; i++) {
        double s = rhs[i];
        for (int j = 0; j < i; j++)
            s -= m[i * N + j] * x[j];
        x[i] = s;
    }
    for (int i = N - 1; i >= 0; i--) {
        double s = x[i];
        for (int j = i + 1; j < N; j++)
            s -= m[i * N + j] * x[j];
        x[i] = s / m[i * N + i];
    }
}

int main(void)
{
    bench_rng rng = {12345};
    bench_sum sum;
    bench_sum_init(&sum);
    for (int i = 0; i < N; i++) {
        double row = 0.0;
        for (int j = 0; j < N; j++) {
            double v = bench_rand_double(&rng) - 0.5;
            orig[i * N + j] = v;
            row += v < 0 ? -v : v;
        }
        orig[i * N + i] = row + 1.0;
        rhs[i] = bench_rand_double(&rng);
    }
    for (int r = 0; r < REPS; r++) {
        orig[(r * 31 % N) * N + r] += 0.25;
        memcpy(m, orig, sizeof m);
        decompose();
        solve();
        for (int i = 0; i < N; i += 7)
            bench_sum_double(&sum, x[i]);
    }
    bench_sum_print("lu", &sum);
    return 0;
}
