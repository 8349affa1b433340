/*
 * mutate.c — a mutation tester for the decoder and validator. It takes
 * valid modules, damages them at random (bit flips, byte overwrites with
 * interesting values, insertions, deletions, truncation, duplicated
 * ranges, LEB128 edge values) and checks that decoding plus validation of
 * each mutant ends in success or a well-formed error: an offset inside the
 * input, a message, never a crash or a hang (a watchdog aborts any case
 * slower than 1 s). Run under AddressSanitizer it also finds memory
 * errors and leaks. With -c, every mutant that validates is also
 * compiled (at -O0) and loaded: that must succeed, or fail only as
 * "not supported yet" (SIMD) — anything else is a compiler bug.
 *
 *   welf-mutate [-c] [-n COUNT] [-s SEED] FILE.wasm...
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "welf.h"
#include "welf_compiler.h"

static uint64_t rng_state;

/* xorshift64*: small, fast and reproducible from the seed. */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static size_t rng_below(size_t n)
{
    return n ? (size_t)(rng() % n) : 0;
}

typedef struct buffer {
    uint8_t *bytes;
    size_t size;
    size_t cap;
} buffer;

static void reserve(buffer *b, size_t need)
{
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->bytes = realloc(b->bytes, cap);
    if (!b->bytes) {
        fprintf(stderr, "welf-mutate: out of memory\n");
        exit(2);
    }
    b->cap = cap;
}

static const uint8_t interesting[] = {
    0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x60, 0x6f, 0x70, 0x7b,
    0x0b, 0x05, 0x41, 0xfc, 0xfd, 0x10, 0x11, 0x02, 0x03, 0x04,
};

static void insert_bytes(buffer *b, size_t at, const uint8_t *src, size_t n)
{
    reserve(b, b->size + n);
    memmove(b->bytes + at + n, b->bytes + at, b->size - at);
    memcpy(b->bytes + at, src, n);
    b->size += n;
}

static void mutate_once(buffer *b)
{
    size_t at = rng_below(b->size);
    switch (rng_below(8)) {
    case 0: /* flip a bit */
        if (b->size)
            b->bytes[at] ^= (uint8_t)(1u << rng_below(8));
        break;
    case 1: /* overwrite with an interesting byte */
        if (b->size)
            b->bytes[at] = interesting[rng_below(sizeof interesting)];
        break;
    case 2: /* random byte */
        if (b->size)
            b->bytes[at] = (uint8_t)rng();
        break;
    case 3: { /* insert a few random bytes */
        uint8_t tmp[4];
        size_t n = 1 + rng_below(sizeof tmp);
        for (size_t i = 0; i < n; i++)
            tmp[i] = (uint8_t)rng();
        insert_bytes(b, rng_below(b->size + 1), tmp, n);
        break;
    }
    case 4: { /* delete a range */
        size_t n = 1 + rng_below(8);
        if (at + n > b->size)
            n = b->size - at;
        memmove(b->bytes + at, b->bytes + at + n, b->size - at - n);
        b->size -= n;
        break;
    }
    case 5: /* truncate */
        b->size = at;
        break;
    case 6: { /* duplicate a range elsewhere */
        size_t n = 1 + rng_below(16);
        if (at + n > b->size)
            n = b->size - at;
        uint8_t tmp[16];
        memcpy(tmp, b->bytes + at, n);
        insert_bytes(b, rng_below(b->size + 1), tmp, n);
        break;
    }
    case 7: { /* a LEB128 edge value: huge counts, sizes, indices */
        static const uint8_t lebs[][5] = {
            {0xff, 0xff, 0xff, 0xff, 0x0f}, {0x80, 0x80, 0x80, 0x80, 0x10},
            {0xff, 0xff, 0xff, 0xff, 0x07}, {0x80, 0x80, 0x04, 0, 0},
        };
        const uint8_t *l = lebs[rng_below(4)];
        size_t n = l[3] == 0 ? 3 : 5;
        insert_bytes(b, rng_below(b->size + 1), l, n);
        break;
    }
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "welf-mutate: a case took over 1 s (hang)\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(3);
    _exit(3);
}

static bool compile_too;
static welf_engine *engine;

/* Compiles and loads a valid mutant; false on anything but success or
 * an unsupported feature. */
static bool compile_case(const welf_wasm *m, unsigned long long seed,
                         size_t iter)
{
    welf_compile_options opts;
    welf_compile_options_init(&opts);
    opts.opt_level = 0;
    opts.jobs = 1;
    uint8_t *obj;
    size_t size;
    welf_error err;
    welf_status st = welf_compile(m, &opts, &obj, &size, &err);
    if (st == WELF_ERR_UNSUPPORTED)
        return true;
    if (st == WELF_OK) {
        welf_module *loaded;
        st = welf_module_load_memory(engine, obj, size, &loaded, &err);
        welf_free(obj);
    }
    if (st != WELF_OK)
        fprintf(stderr, "welf-mutate: a valid module failed to compile or "
                        "load (seed %llu, case %zu): %s\n",
                seed, iter, err.message);
    return st == WELF_OK;
}

static int check_case(const buffer *b, unsigned long long seed, size_t iter)
{
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(b->bytes, b->size,
                                        WELF_FEATURES_ALL, &m, &err);
    if (st == WELF_OK)
        st = welf_wasm_validate(m, &err);
    if (st == WELF_OK && compile_too && !compile_case(m, seed, iter)) {
        welf_wasm_free(m);
        return -1;
    }
    welf_wasm_free(m);
    if (st == WELF_OK)
        return 0;
    welf_status_class cls = welf_status_classify(st);
    bool bad = err.code != st || err.message[0] == '\0' ||
               (cls != WELF_CLASS_MALFORMED && cls != WELF_CLASS_INVALID) ||
               (err.offset != WELF_NO_OFFSET && err.offset > b->size);
    if (bad) {
        fprintf(stderr,
                "welf-mutate: bad error record (seed %llu, case %zu): "
                "code %d/%d offset 0x%x size %zu message '%s'\n",
                seed, iter, (int)st, (int)err.code, (unsigned)err.offset,
                b->size, err.message);
        return -1;
    }
    return 1;
}

int main(int argc, char **argv)
{
    unsigned long long seed = (unsigned long long)time(NULL);
    size_t count = 10000;
    int opt;
    while ((opt = getopt(argc, argv, "cn:s:")) != -1) {
        if (opt == 'c')
            compile_too = true;
        else if (opt == 'n')
            count = strtoull(optarg, NULL, 10);
        else if (opt == 's')
            seed = strtoull(optarg, NULL, 10);
        else {
            fprintf(stderr, "usage: welf-mutate [-c] [-n COUNT] [-s SEED] "
                            "FILE.wasm...\n");
            return 2;
        }
    }
    int nfiles = argc - optind;
    if (nfiles <= 0) {
        fprintf(stderr, "welf-mutate: no seed modules\n");
        return 2;
    }
    buffer *seeds = calloc((size_t)nfiles, sizeof *seeds);
    if (!seeds)
        return 2;
    for (int i = 0; i < nfiles; i++) {
        welf_error err;
        if (welf_file_read(argv[optind + i], &seeds[i].bytes,
                           &seeds[i].size, &err) != WELF_OK) {
            fprintf(stderr, "welf-mutate: %s\n", err.message);
            return 2;
        }
    }
    rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
    if (compile_too) {
        welf_error err;
        if (welf_engine_new(&engine, &err) != WELF_OK) {
            fprintf(stderr, "welf-mutate: %s\n", err.message);
            return 2;
        }
    }
    signal(SIGALRM, on_alarm);
    size_t accepted = 0, rejected = 0;
    buffer b = {NULL, 0, 0};
    int status = 0;
    for (size_t iter = 0; iter < count; iter++) {
        const buffer *s = &seeds[rng_below((size_t)nfiles)];
        reserve(&b, s->size + 1);
        memcpy(b.bytes, s->bytes, s->size);
        b.size = s->size;
        size_t rounds = 1 + rng_below(4);
        for (size_t k = 0; k < rounds; k++)
            mutate_once(&b);
        alarm(1);
        int r = check_case(&b, seed, iter);
        alarm(0);
        if (r < 0) {
            status = 1;
            break;
        }
        if (r == 0)
            accepted++;
        else
            rejected++;
    }
    free(b.bytes);
    welf_engine_free(engine);
    for (int i = 0; i < nfiles; i++)
        welf_free(seeds[i].bytes);
    free(seeds);
    printf("welf-mutate: seed %llu, %zu mutants: %zu accepted, %zu rejected "
           "with a proper error%s\n", seed, accepted + rejected, accepted,
           rejected, status ? " (stopped at a failure)" : "");
    return status;
}
