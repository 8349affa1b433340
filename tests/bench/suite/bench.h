/*
 * bench.h — what every program of the benchmark suite shares: a
 * deterministic pseudo-random generator and a checksum that folds
 * integers and the exact bits of doubles, so that every runtime must
 * produce the same output as native code, bit for bit.
 *
 * The programs use only what WASI libc and glibc both provide (stdio,
 * stdlib, string, math) and fixed-width integer types, because long and
 * pointers are 32 bits in wasm32 and 64 bits natively. Floating point
 * stays within +, -, *, /, sqrt and floor, which WebAssembly and x86-64
 * compute identically; libm functions such as sin or exp are avoided
 * because the two C libraries implement them differently.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* xorshift64*: fast, good enough for filling inputs, same everywhere. */
typedef struct {
    uint64_t s;
} bench_rng;

static inline uint64_t bench_rand(bench_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

/* A uniform double in [0, 1) from the top 53 bits. */
static inline double bench_rand_double(bench_rng *r)
{
    return (double)(bench_rand(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* FNV-1a over 64-bit words. */
typedef struct {
    uint64_t h;
} bench_sum;

static inline void bench_sum_init(bench_sum *c)
{
    c->h = 0xcbf29ce484222325ull;
}

static inline void bench_sum_u64(bench_sum *c, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        c->h ^= (v >> (8 * i)) & 0xff;
        c->h *= 0x100000001b3ull;
    }
}

static inline void bench_sum_double(bench_sum *c, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    bench_sum_u64(c, bits);
}

static inline void bench_sum_print(const char *name, const bench_sum *c)
{
    printf("%s checksum %016llx\n", name, (unsigned long long)c->h);
}

#endif
