/*
 * simd_kernel.c — a vectorizable kernel for the SIMD benchmark, built for
 * wasm32 with and without -msimd128 (no libc). run() updates two arrays
 * elementwise, which clang vectorizes without reassociating anything, so
 * both builds must return the same checksum bit for bit.
 */
#define N 8192

static float x[N], y[N];
static int counts[N];

__attribute__((export_name("init"))) void init(void)
{
    for (int i = 0; i < N; i++) {
        x[i] = (float)(i % 17) * 0.25f;
        y[i] = (float)(i % 13);
        counts[i] = i;
    }
}

__attribute__((export_name("run"))) float run(int reps)
{
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < N; i++) {
            y[i] = 1.0001f * x[i] + y[i] * 0.5f;
            counts[i] = (counts[i] * 3 + (int)i) ^ (counts[i] >> 2);
        }
    }
    float s = 0;
    for (int i = 0; i < N; i++)
        s += y[i] + (float)(counts[i] & 255);
    return s;
}
