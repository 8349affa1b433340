/*
 * simd_bench.c — runs a kernel (simd_kernel.c, simd_dot.c) compiled
 * without and with -msimd128 (two welf objects), alternating, five times
 * each, and prints the medians and the speed-up. Exits 1 if the two
 * builds disagree: bit for bit, or within a relative TOLERANCE when one
 * is given (for kernels whose builds sum in different orders).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "welf.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static welf_funcref *export_func(welf_instance *inst, const char *name)
{
    welf_extern ext;
    welf_error err;
    if (welf_instance_export(inst, name, strlen(name), &ext, &err) ||
        ext.kind != WELF_EXTERN_FUNC) {
        fprintf(stderr, "simd_bench: no export %s\n", name);
        exit(1);
    }
    return ext.u.func;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: simd_bench SCALAR.o SIMD.o NAME "
                        "[TOLERANCE]\n");
        return 2;
    }
    const char *name = argv[3];
    double tolerance = argc == 5 ? strtod(argv[4], NULL) : 0;
    welf_engine *engine;
    welf_error err;
    welf_funcref *run[2];
    if (welf_engine_new(&engine, &err))
        return fprintf(stderr, "%s\n", err.message), 1;
    for (int k = 0; k < 2; k++) {
        welf_module *m;
        welf_instance *inst;
        if (welf_module_load(engine, argv[1 + k], &m, &err) ||
            welf_instance_new(m, NULL, 0, &inst, &err) ||
            welf_func_call(export_func(inst, "init"), NULL, 0, NULL, 0,
                           &err))
            return fprintf(stderr, "%s: %s\n", argv[1 + k], err.message), 1;
        run[k] = export_func(inst, "run");
    }
    welf_val reps = {.type = WELF_TYPE_I32, .of.i32 = 20000}, res[2];
    double t[2][5];
    for (int i = 0; i < 5; i++) {
        for (int k = 0; k < 2; k++) {
            double start = now();
            if (welf_func_call(run[k], &reps, 1, &res[k], 1, &err))
                return fprintf(stderr, "run: %s\n", err.message), 1;
            t[k][i] = now() - start;
        }
    }
    /* Both instances ran the same number of rounds: same state. */
    float a = res[0].of.f32, b = res[1].of.f32;
    bool differ = tolerance > 0
                      ? !(a - b <= tolerance * (a < 0 ? -a : a) &&
                          b - a <= tolerance * (a < 0 ? -a : a))
                      : memcmp(&a, &b, sizeof a) != 0;
    if (differ) {
        fprintf(stderr, "simd_bench: results differ: %a vs %a\n",
                (double)res[0].of.f32, (double)res[1].of.f32);
        return 1;
    }
    qsort(t[0], 5, sizeof(double), cmp);
    qsort(t[1], 5, sizeof(double), cmp);
    printf("simd %s: without -msimd128 %.3f s, with %.3f s (median of "
           "5), speed-up %.2fx\n", name, t[0][2], t[1][2],
           t[0][2] / t[1][2]);
    welf_engine_free(engine);
    return 0;
}
