/*
 * raytrace.c — a small Whitted-style ray tracer in double precision:
 * spheres over a checkered plane, one point light with shadows, mirror
 * reflections a few bounces deep. Pixels are quantised to bytes and
 * folded into the checksum; also prints a coarse ASCII thumbnail row.
 */
#include <math.h>

#include "bench.h"

#define W 2000
#define H 1500
#define DEPTH 4
#define SPHERES 14

typedef struct {
    double x, y, z;
} vec;

static vec v(double x, double y, double z)
{
    vec r = {x, y, z};
    return r;
}
static vec add(vec a, vec b) { return v(a.x + b.x, a.y + b.y, a.z + b.z); }
static vec sub(vec a, vec b) { return v(a.x - b.x, a.y - b.y, a.z - b.z); }
static vec scale(vec a, double s) { return v(a.x * s, a.y * s, a.z * s); }
static double dot(vec a, vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static vec norm(vec a) { return scale(a, 1.0 / sqrt(dot(a, a))); }

typedef struct {
    vec c;
    double r, refl;
    vec color;
} sphere;

static sphere spheres[SPHERES];
static const vec light = {5.0, 8.0, -3.0};

/* Nearest hit along o + t d for t > eps: sphere index, -1 for the plane
 * y = 0, -2 for nothing. */
static int trace(vec o, vec d, double *t_out)
{
    double best = 1e30;
    int hit = -2;
    for (int i = 0; i < SPHERES; i++) {
        vec oc = sub(o, spheres[i].c);
        double b = dot(oc, d), c = dot(oc, oc) - spheres[i].r * spheres[i].r;
        double disc = b * b - c;
        if (disc < 0)
            continue;
        double s = sqrt(disc), t = -b - s;
        if (t < 1e-6)
            t = -b + s;
        if (t > 1e-6 && t < best) {
            best = t;
            hit = i;
        }
    }
    if (d.y < -1e-9) {
        double t = -o.y / d.y;
        if (t > 1e-6 && t < best) {
            best = t;
            hit = -1;
        }
    }
    *t_out = best;
    return hit;
}

static vec shade(vec o, vec d, int depth)
{
    double t;
    int hit = trace(o, d, &t);
    if (hit == -2) {
        double k = 0.5 * (d.y + 1.0);
        return v(0.2 + 0.3 * k, 0.3 + 0.4 * k, 0.6 + 0.4 * k);
    }
    vec p = add(o, scale(d, t)), n, base;
    double refl;
    if (hit == -1) {
        n = v(0, 1, 0);
        int check = ((int)floor(p.x) + (int)floor(p.z)) & 1;
        base = check ? v(0.9, 0.9, 0.9) : v(0.2, 0.2, 0.25);
        refl = 0.2;
    } else {
        n = norm(sub(p, spheres[hit].c));
        base = spheres[hit].color;
        refl = spheres[hit].refl;
    }
    vec to_light = sub(light, p);
    double dist = sqrt(dot(to_light, to_light));
    vec l = scale(to_light, 1.0 / dist);
    double diffuse = dot(n, l), ts;
    if (diffuse < 0)
        diffuse = 0;
    int blocker = trace(add(p, scale(n, 1e-4)), l, &ts);
    if (blocker != -2 && ts < dist)
        diffuse *= 0.3;
    vec c = scale(base, 0.1 + 0.9 * diffuse);
    vec h = norm(sub(l, d));
    double spec = dot(n, h);
    if (spec > 0) {
        spec *= spec;
        spec *= spec;
        spec *= spec;
        spec *= spec;
        spec *= spec;
        c = add(c, v(spec * 0.5, spec * 0.5, spec * 0.5));
    }
    if (depth > 0 && refl > 0) {
        vec r = sub(d, scale(n, 2 * dot(d, n)));
        c = add(scale(c, 1 - refl),
                scale(shade(add(p, scale(n, 1e-4)), r, depth - 1), refl));
    }
    return c;
}

static int quant(double x)
{
    int q = (int)(x * 255.0);
    return q < 0 ? 0 : q > 255 ? 255 : q;
}

int main(void)
{
    bench_rng rng = {271828};
    bench_sum sum;
    bench_sum_init(&sum);
    for (int i = 0; i < SPHERES; i++) {
        spheres[i].r = 0.4 + 0.6 * bench_rand_double(&rng);
        spheres[i].c = v(bench_rand_double(&rng) * 8 - 4, spheres[i].r,
                         bench_rand_double(&rng) * 6 + 2);
        spheres[i].refl = bench_rand_double(&rng) * 0.6;
        spheres[i].color = v(bench_rand_double(&rng), bench_rand_double(&rng),
                             bench_rand_double(&rng));
    }
    vec eye = v(0, 1.5, -4);
    uint64_t total = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            vec d = norm(v((x - W / 2) / (double)H, (H / 2 - y) / (double)H, 1.0));
            vec c = shade(eye, d, DEPTH);
            int r = quant(c.x), g = quant(c.y), b = quant(c.z);
            bench_sum_u64(&sum, (uint64_t)(r << 16 | g << 8 | b));
            total += (uint64_t)(r + g + b);
            if (y == H / 2 && x % 12 == 0)
                putchar(" .:-=+*#%@"[(r + g + b) * 10 / 766]);
        }
    }
    printf("\ntotal %llu\n", (unsigned long long)total);
    bench_sum_print("raytrace", &sum);
    return 0;
}
