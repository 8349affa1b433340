/*
 * simd_dot.c — a float dot product for the SIMD benchmark, built for
 * wasm32 with -ffast-math, with and without -msimd128. Wasm arithmetic
 * may not be reassociated, so welf cannot vectorize the scalar build's
 * reduction; with -msimd128 clang vectorizes it at the source (fast-math
 * lets it), and welf lowers the f32x4 operations to SSE. The two builds
 * sum in different orders, so their results agree only approximately.
 */
#define N 4096

static float x[N], y[N];

__attribute__((export_name("init"))) void init(void)
{
    for (int i = 0; i < N; i++) {
        x[i] = (float)(i % 17) * 0.25f;
        y[i] = (float)(i % 13) * 0.5f;
    }
}

__attribute__((export_name("run"))) float run(int reps)
{
    float total = 0;
    for (int r = 0; r < reps; r++) {
        float s = 0;
        for (int i = 0; i < N; i++)
            s += x[i] * y[i];
        total += s * 1e-6f;
    }
    return total;
}
