/*
 * nbody.c — a gravitational N-body simulation in double precision: all
 * pairwise forces with a softening term, then a leapfrog step. The
 * checksum folds the exact bits of positions and of the total energy.
 */
#include <math.h>

#include "bench.h"

#define BODIES 100
#define STEPS 9000
#define DT 0.001
#define SOFT 0.01

static double px[BODIES], py[BODIES], pz[BODIES];
static double vx[BODIES], vy[BODIES], vz[BODIES], mass[BODIES];

static void advance(void)
{
    for (int i = 0; i < BODIES; i++) {
        double ax = 0, ay = 0, az = 0;
        for (int j = 0; j < BODIES; j++) {
            double dx = px[j] - px[i], dy = py[j] - py[i], dz = pz[j] - pz[i];
            double d2 = dx * dx + dy * dy + dz * dz + SOFT;
            double inv = 1.0 / (d2 * sqrt(d2));
            ax += dx * mass[j] * inv;
            ay += dy * mass[j] * inv;
            az += dz * mass[j] * inv;
        }
        vx[i] += DT * ax;
        vy[i] += DT * ay;
        vz[i] += DT * az;
    }
    for (int i = 0; i < BODIES; i++) {
        px[i] += DT * vx[i];
        py[i] += DT * vy[i];
        pz[i] += DT * vz[i];
    }
}

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < BODIES; i++) {
        e += 0.5 * mass[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
        for (int j = i + 1; j < BODIES; j++) {
            double dx = px[j] - px[i], dy = py[j] - py[i], dz = pz[j] - pz[i];
            e -= mass[i] * mass[j] / sqrt(dx * dx + dy * dy + dz * dz + SOFT);
        }
    }
    return e;
}

int main(void)
{
    bench_rng rng = {1969};
    bench_sum sum;
    bench_sum_init(&sum);
    for (int i = 0; i < BODIES; i++) {
        px[i] = bench_rand_double(&rng) * 2 - 1;
        py[i] = bench_rand_double(&rng) * 2 - 1;
        pz[i] = bench_rand_double(&rng) * 2 - 1;
        vx[i] = (bench_rand_double(&rng) - 0.5) * 0.1;
        vy[i] = (bench_rand_double(&rng) - 0.5) * 0.1;
        vz[i] = (bench_rand_double(&rng) - 0.5) * 0.1;
        mass[i] = 0.5 + bench_rand_double(&rng);
    }
    double e0 = energy();
    for (int s = 0; s < STEPS; s++)
        advance();
    double e1 = energy();
    printf("energy %.9f -> %.9f\n", e0, e1);
    bench_sum_double(&sum, e0);
    bench_sum_double(&sum, e1);
    for (int i = 0; i < BODIES; i++) {
        bench_sum_double(&sum, px[i]);
        bench_sum_double(&sum, vy[i]);
    }
    bench_sum_print("nbody", &sum);
    return 0;
}
