/*
 * call_bench.c — what crossing between C and wasm costs, and what
 * instantiating costs. Built and run by tests/bench/call.sh, which
 * compiles calls.wat, imports10.wat and empty.wat with `welf compile` and
 * links the objects into this program (welf_module_from_linked).
 *
 * Every call case runs a loop of n calls and reports the time per call,
 * loop included: the C baseline's loop and the wasm loops cost about a
 * cycle per iteration, which is not subtracted anywhere. Each case's
 * ratio is its median against the median of a plain indirect C call of
 * the same shape (the same loop function calling a noinline C function
 * whose pointer it read from a volatile), all cases interleaved in every
 * repetition so that a slow moment of the machine hits all of them.
 *
 *   host->wasm typed    the native entry from welf_func_native, called
 *                       as fn(vmctx, NULL, ...) inside ONE trap frame
 *                       pushed before the timed loop and popped after it
 *                       (the push and pop are inside the timing, once
 *                       per n calls);
 *   host->wasm untyped  welf_func_call: type check, value conversion and
 *                       a trap frame of its own, per call;
 *   wasm->host          a wasm loop calling an imported host function,
 *                       typed (welf_func_new_typed) or untyped
 *                       (welf_func_new_host); the loop is entered once
 *                       per n calls through its native entry;
 *   call_indirect       a wasm loop calling table elements: a wasm
 *                       function of the module, or a typed host.
 *
 * Instantiation: welf_instance_pre_instantiate of imports10 (one memory
 * of one page, ten imported typed host functions) and of an empty
 * module. Instances live until their engine is freed, so every batch of
 * INST_BATCH instantiations gets a fresh engine; the timing covers the
 * batch of instantiations only (not making the engine, loading the
 * module, defining the imports, welf_instance_pre_new, or freeing the
 * engine). The engine free is timed apart and reported per instance.
 *
 * Usage: call_bench [REPS [FILTER]]: REPS repetitions (default 11, at
 * least 7); with FILTER, only the cases whose name contains it (and the
 * baselines), for profiling one path. CALL_BENCH_N=n in the environment
 * runs every call case with n calls instead of calibrating, so that
 * callgrind's counts divide evenly (instructions per call).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "welf.h"

extern const welf_desc_module welf_module_calls;
extern const welf_desc_module welf_module_imports10;
extern const welf_desc_module welf_module_empty;

#define NOINLINE __attribute__((noinline))

/* Time per repetition of a call case; n is calibrated to reach it. */
#define TARGET_SECONDS 0.02
/* Instantiations per engine. */
#define INST_BATCH 1000
#define MAX_REPS 101

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static _Noreturn void die(const char *what, const welf_error *err)
{
    fprintf(stderr, "call_bench: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the two shapes, in C ---- */

typedef void nop_fn(void *callee, void *caller);
typedef float mix_fn(void *callee, void *caller, int32_t a, int64_t b);

NOINLINE static void c_nop(void *callee, void *caller)
{
    (void)callee;
    (void)caller;
    __asm__ volatile("");
}

/* mix's body: the integer sum of its arguments, as the bits of a float
 * (calls.wat says why). */
static float f32_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

NOINLINE static float c_mix(void *callee, void *caller, int32_t a, int64_t b)
{
    (void)callee;
    (void)caller;
    return f32_from_bits((uint32_t)a + (uint32_t)b);
}

/* Read through volatiles, so the compiler cannot see which function the
 * loops below call and inline or specialise them. */
static nop_fn *volatile c_nop_ptr = c_nop;
static mix_fn *volatile c_mix_ptr = c_mix;

/* The loops every typed call from C goes through, baseline or wasm. */
NOINLINE static void nop_loop(nop_fn *fn, void *vmctx, long n)
{
    for (long i = 0; i < n; i++)
        fn(vmctx, NULL);
}

static volatile uint32_t sink;

NOINLINE static void mix_loop(mix_fn *fn, void *vmctx, long n)
{
    uint32_t acc = 0;
    for (long i = 0; i < n; i++)
        acc ^= f32_bits(fn(vmctx, NULL, (int32_t)i, (int64_t)i));
    sink = acc;
}

/* ---- host functions, the same bodies ---- */

NOINLINE static void host_nop(welf_host *self, welf_caller *caller)
{
    (void)self;
    (void)caller;
    __asm__ volatile("");
}

NOINLINE static float host_mix(welf_host *self, welf_caller *caller,
                               int32_t a, int64_t b)
{
    (void)self;
    (void)caller;
    return f32_from_bits((uint32_t)a + (uint32_t)b);
}

static void host_nop_untyped(welf_host *self, welf_caller *caller,
                             welf_val_raw *args, size_t len)
{
    (void)self;
    (void)caller;
    (void)args;
    (void)len;
}

static void host_mix_untyped(welf_host *self, welf_caller *caller,
                             welf_val_raw *args, size_t len)
{
    (void)self;
    (void)caller;
    (void)len;
    args[0].f32 = f32_from_bits((uint32_t)args[0].i32 +
                                (uint32_t)args[1].i64);
}

static const uint8_t mix_params[] = {WELF_TYPE_I32, WELF_TYPE_I64};
static const uint8_t mix_results[] = {WELF_TYPE_F32};
static const uint8_t i32_params[] = {WELF_TYPE_I32, WELF_TYPE_I32};
static const uint8_t i32_result[] = {WELF_TYPE_I32};
static const welf_functype_info nop_type = {0, 0, NULL, NULL};
static const welf_functype_info mix_type = {2, 1, mix_params, mix_results};

/* ---- the call cases ---- */

static welf_engine *engine;

/* One instance per kind of host import. */
typedef struct call_inst {
    welf_instance *inst;
    welf_funcref *nop, *mix;
    void (*host_nop_loop)(void *, void *, int32_t);
    int32_t (*host_mix_loop)(void *, void *, int32_t);
    void (*ind_nop_loop)(void *, void *, int32_t, int32_t);
    int32_t (*ind_mix_loop)(void *, void *, int32_t, int32_t);
    void *vmctx;
} call_inst;

static call_inst typed, untyped;

static welf_funcref *export_func(welf_instance *inst, const char *name)
{
    welf_extern ext;
    welf_error err;
    if (welf_instance_export(inst, name, strlen(name), &ext, &err) ||
        ext.kind != WELF_EXTERN_FUNC)
        die(name, &err);
    return ext.u.func;
}

static void *native_of(welf_funcref *f, const welf_functype_info *type)
{
    void *entry;
    welf_error err;
    if (welf_func_native(f, type, &entry, &err))
        die("welf_func_native", &err);
    return entry;
}

static void calls_setup(void)
{
    welf_error err;
    welf_module *module;
    if (welf_engine_new(&engine, &err) ||
        welf_module_from_linked(engine, &welf_module_calls, &module, &err))
        die("calls", &err);

    const welf_functype_info loop1 = {1, 0, i32_params, NULL};
    const welf_functype_info loop1f = {1, 1, i32_params, i32_result};
    const welf_functype_info loop2 = {2, 0, i32_params, NULL};
    const welf_functype_info loop2f = {2, 1, i32_params, i32_result};

    for (int k = 0; k < 2; k++) {
        welf_funcref *h[2];
        bool failed;
        if (k == 0)
            failed = welf_func_new_typed(engine, &nop_type,
                                     (void (*)(void))host_nop, NULL, &h[0],
                                     &err) ||
                 welf_func_new_typed(engine, &mix_type,
                                     (void (*)(void))host_mix, NULL, &h[1],
                                     &err);
        else
            failed = welf_func_new_host(engine, &nop_type, host_nop_untyped,
                                    NULL, &h[0], &err) ||
                 welf_func_new_host(engine, &mix_type, host_mix_untyped,
                                    NULL, &h[1], &err);
        if (failed)
            die("host function", &err);
        welf_extern imports[2] = {
            {.kind = WELF_EXTERN_FUNC, .u.func = h[0]},
            {.kind = WELF_EXTERN_FUNC, .u.func = h[1]},
        };
        welf_instance *inst;
        if (welf_instance_new(module, imports, 2, &inst, &err))
            die("instantiating calls", &err);
        call_inst *s = k == 0 ? &typed : &untyped;
        s->inst = inst;
        s->nop = export_func(inst, "nop");
        s->mix = export_func(inst, "mix");
        s->vmctx = s->nop->vmctx;
        s->host_nop_loop =
            native_of(export_func(inst, "host_nop_loop"), &loop1);
        s->host_mix_loop =
            native_of(export_func(inst, "host_mix_loop"), &loop1f);
        s->ind_nop_loop =
            native_of(export_func(inst, "ind_nop_loop"), &loop2);
        s->ind_mix_loop =
            native_of(export_func(inst, "ind_mix_loop"), &loop2f);
    }
}

/* Each case runs n calls and returns the seconds they took. */

static double run_c_nop(long n)
{
    nop_fn *fn = c_nop_ptr;
    double t = now();
    nop_loop(fn, NULL, n);
    return now() - t;
}

static double run_c_mix(long n)
{
    mix_fn *fn = c_mix_ptr;
    double t = now();
    mix_loop(fn, NULL, n);
    return now() - t;
}

/* A typed call loop inside one trap frame. */
static double typed_in_frame(bool mix, welf_funcref *f, long n)
{
    welf_error err;
    void *entry = native_of(f, mix ? &mix_type : &nop_type);
    welf_trap_frame frame;
    volatile double start = now();
    welf_trap_frame_push(engine, &frame);
    if (setjmp(frame.env) == 0) {
        if (mix)
            mix_loop((mix_fn *)entry, f->vmctx, n);
        else
            nop_loop((nop_fn *)entry, f->vmctx, n);
    }
    welf_status st = welf_trap_frame_pop(&frame, &err);
    double t = now() - start;
    if (st)
        die("typed call", &err);
    return t;
}

static double run_typed_nop(long n)
{
    return typed_in_frame(false, typed.nop, n);
}

static double run_typed_mix(long n)
{
    return typed_in_frame(true, typed.mix, n);
}

NOINLINE static double run_untyped_nop(long n)
{
    welf_error err;
    double t = now();
    for (long i = 0; i < n; i++)
        if (welf_func_call(typed.nop, NULL, 0, NULL, 0, &err))
            die("welf_func_call", &err);
    return now() - t;
}

NOINLINE static double run_untyped_mix(long n)
{
    welf_error err;
    welf_val args[2] = {{.type = WELF_TYPE_I32}, {.type = WELF_TYPE_I64}};
    welf_val result;
    uint32_t acc = 0;
    double t = now();
    for (long i = 0; i < n; i++) {
        args[0].of.i32 = (int32_t)i;
        args[1].of.i64 = i;
        if (welf_func_call(typed.mix, args, 2, &result, 1, &err))
            die("welf_func_call", &err);
        acc ^= f32_bits(result.of.f32);
    }
    t = now() - t;
    sink = acc;
    return t;
}

/* The wasm loops: one typed call from C, n calls inside wasm. */
enum wasm_loop { HOST_NOP, HOST_MIX, IND_NOP, IND_MIX };

static double wasm_loop(call_inst *s, enum wasm_loop which, int32_t idx,
                        long n)
{
    welf_error err;
    welf_trap_frame frame;
    volatile double start = now();
    welf_trap_frame_push(engine, &frame);
    if (setjmp(frame.env) == 0) {
        switch (which) {
        case HOST_NOP: s->host_nop_loop(s->vmctx, NULL, (int32_t)n); break;
        case HOST_MIX:
            sink = (uint32_t)s->host_mix_loop(s->vmctx, NULL, (int32_t)n);
            break;
        case IND_NOP:
            s->ind_nop_loop(s->vmctx, NULL, (int32_t)n, idx);
            break;
        case IND_MIX:
            sink = (uint32_t)s->ind_mix_loop(s->vmctx, NULL, (int32_t)n, idx);
            break;
        }
    }
    welf_status st = welf_trap_frame_pop(&frame, &err);
    double t = now() - start;
    if (st)
        die("wasm loop", &err);
    return t;
}

static double run_w2h_typed_nop(long n)
{
    return wasm_loop(&typed, HOST_NOP, 0, n);
}

static double run_w2h_typed_mix(long n)
{
    return wasm_loop(&typed, HOST_MIX, 0, n);
}

static double run_w2h_untyped_nop(long n)
{
    return wasm_loop(&untyped, HOST_NOP, 0, n);
}

static double run_w2h_untyped_mix(long n)
{
    return wasm_loop(&untyped, HOST_MIX, 0, n);
}

/* Table elements (calls.wat): 0 wasm nop, 1 wasm mix, 2 host nop, 3 host
 * mix; in the `typed` instance the hosts are typed. */
static double run_ind_wasm_nop(long n)
{
    return wasm_loop(&typed, IND_NOP, 0, n);
}

static double run_ind_wasm_mix(long n)
{
    return wasm_loop(&typed, IND_MIX, 1, n);
}

static double run_ind_host_nop(long n)
{
    return wasm_loop(&typed, IND_NOP, 2, n);
}

static double run_ind_host_mix(long n)
{
    return wasm_loop(&typed, IND_MIX, 3, n);
}

typedef struct call_case {
    const char *name;
    bool mix;                  /* shape: the baseline it is compared with */
    double (*run)(long n);
    long n;
    double t[MAX_REPS];        /* seconds per call */
} call_case;

static call_case cases[] = {
    {"c indirect nop (baseline)", false, run_c_nop, 0, {0}},
    {"c indirect mix (baseline)", true, run_c_mix, 0, {0}},
    {"host->wasm typed nop", false, run_typed_nop, 0, {0}},
    {"host->wasm typed mix", true, run_typed_mix, 0, {0}},
    {"host->wasm untyped nop", false, run_untyped_nop, 0, {0}},
    {"host->wasm untyped mix", true, run_untyped_mix, 0, {0}},
    {"wasm->host typed nop", false, run_w2h_typed_nop, 0, {0}},
    {"wasm->host typed mix", true, run_w2h_typed_mix, 0, {0}},
    {"wasm->host untyped nop", false, run_w2h_untyped_nop, 0, {0}},
    {"wasm->host untyped mix", true, run_w2h_untyped_mix, 0, {0}},
    {"call_indirect wasm->wasm nop", false, run_ind_wasm_nop, 0, {0}},
    {"call_indirect wasm->wasm mix", true, run_ind_wasm_mix, 0, {0}},
    {"call_indirect wasm->typed host nop", false, run_ind_host_nop, 0, {0}},
    {"call_indirect wasm->typed host mix", true, run_ind_host_mix, 0, {0}},
};
#define CASE_COUNT (sizeof cases / sizeof cases[0])

/* The n that makes one repetition take about TARGET_SECONDS. */
static long calibrate(double (*run)(long))
{
    long n = 1000;
    double t;
    while ((t = run(n)) < TARGET_SECONDS / 8 && n < (1L << 30))
        n *= 2;
    double per = t / (double)n;
    long want = (long)(TARGET_SECONDS / per);
    if (want < 1000)
        want = 1000;
    if (want > 0x7fffffff)
        want = 0x7fffffff;
    return want;
}

static const char *filter;

/* Whether the filter keeps the case (the two baselines always run). */
static bool selected(size_t c)
{
    return c < 2 || !filter || strstr(cases[c].name, filter);
}

static void calls_run(int reps)
{
    size_t chosen = 0;
    for (size_t c = 2; c < CASE_COUNT; c++)
        chosen += selected(c);
    if (!chosen)
        return;
    const char *fixed = getenv("CALL_BENCH_N");
    long fixed_n = fixed ? atol(fixed) : 0;
    if (fixed && (fixed_n < 1 || fixed_n > 0x7fffffff)) {
        fprintf(stderr, "call_bench: CALL_BENCH_N must be 1 to %d\n",
                0x7fffffff);
        exit(2);
    }
    for (size_t c = 0; c < CASE_COUNT; c++)
        if (selected(c))
            cases[c].n = fixed ? fixed_n : calibrate(cases[c].run);
    for (int r = 0; r < reps; r++)
        for (size_t c = 0; c < CASE_COUNT; c++)
            if (selected(c))
                cases[c].t[r] =
                    cases[c].run(cases[c].n) / (double)cases[c].n;
    double base[2];
    base[0] = median(cases[0].t, reps);
    base[1] = median(cases[1].t, reps);
    printf("%-36s %10s %8s\n", "name", "ns/op", "ratio");
    for (size_t c = 0; c < CASE_COUNT; c++) {
        if (!selected(c))
            continue;
        double m = median(cases[c].t, reps);
        printf("%-36s %10.2f %8.2f\n", cases[c].name, m * 1e9,
               m / base[cases[c].mix]);
    }
}

/* ---- instantiation ---- */

static int32_t host_i_i(welf_host *self, welf_caller *caller, int32_t a)
{
    (void)self;
    (void)caller;
    return a + 1;
}

static int32_t host_ii_i(welf_host *self, welf_caller *caller, int32_t a,
                         int32_t b)
{
    (void)self;
    (void)caller;
    return a ^ b;
}

/* A fresh engine with an instance_pre of `desc` whose imports
 * (imports10's, when it has any) are typed host functions. */
static welf_instance_pre *pre_for(const welf_desc_module *desc,
                                  welf_engine **out)
{
    welf_error err;
    welf_engine *e;
    welf_module *m;
    welf_linker *l;
    welf_instance_pre *pre;
    if (welf_engine_new(&e, &err) ||
        welf_module_from_linked(e, desc, &m, &err) ||
        welf_linker_new(e, &l, &err))
        die("instantiation setup", &err);
    static const welf_functype_info types[4] = {
        {0, 0, NULL, NULL},
        {1, 1, i32_params, i32_result},
        {2, 1, i32_params, i32_result},
        {2, 1, mix_params, mix_results},
    };
    static const int type_of[10] = {0, 0, 1, 1, 1, 2, 2, 2, 3, 3};
    void (*const fns[4])(void) = {
        (void (*)(void))host_nop, (void (*)(void))host_i_i,
        (void (*)(void))host_ii_i, (void (*)(void))host_mix,
    };
    for (uint32_t i = 0; i < welf_module_import_count(m); i++) {
        welf_funcref *f;
        char name[4];
        snprintf(name, sizeof name, "f%u", i);
        if (welf_func_new_typed(e, &types[type_of[i]], fns[type_of[i]], NULL,
                                &f, &err))
            die("host function", &err);
        welf_extern ext = {.kind = WELF_EXTERN_FUNC, .u.func = f};
        if (welf_linker_define(l, "env", 3, name, strlen(name), ext, &err))
            die("welf_linker_define", &err);
    }
    if (welf_instance_pre_new(l, m, &pre, &err))
        die("welf_instance_pre_new", &err);
    *out = e;
    return pre;
}

static void inst_run(const char *name, const welf_desc_module *desc,
                     int reps)
{
    static bool header_done;
    if (filter && !strstr(name, filter))
        return;
    if (!header_done)
        printf("instantiation from an instance_pre, ns per instance: "
               "batches of %d on a fresh engine each, instantiation only "
               "timed\n", INST_BATCH);
    header_done = true;
    double t_inst[MAX_REPS], t_free[MAX_REPS];
    /* One batch first, untimed, so the allocator has warmed up. */
    for (int r = -1; r < reps; r++) {
        welf_engine *e;
        welf_instance_pre *pre = pre_for(desc, &e);
        welf_error err;
        double t = now();
        for (int i = 0; i < INST_BATCH; i++) {
            welf_instance *inst;
            if (welf_instance_pre_instantiate(pre, &inst, &err))
                die("welf_instance_pre_instantiate", &err);
        }
        t = now() - t;
        double f = now();
        welf_engine_free(e);
        f = now() - f;
        if (r >= 0) {
            t_inst[r] = t / INST_BATCH;
            t_free[r] = f / INST_BATCH;
        }
    }
    printf("%-36s %10.1f %8s\n", name, median(t_inst, reps) * 1e9, "-");
    printf("  (engine free, per instance: %.1f ns, not included)\n",
           median(t_free, reps) * 1e9);
}

/* ---- the machine ---- */

static void print_machine(void)
{
    char line[512], model[256] = "unknown", family[16] = "?", num[16] = "?";
    char mhz[32] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");
    int cpus = 0;
    while (f && fgets(line, sizeof line, f)) {
        const char *colon = strchr(line, ':');
        if (!colon || colon[1] == '\0')
            continue;
        const char *value = colon + 2;
        if (!strncmp(line, "processor", 9))
            cpus++;
        if (cpus != 1)
            continue;
        if (!strncmp(line, "model name", 10))
            snprintf(model, sizeof model, "%s", value);
        else if (!strncmp(line, "cpu family", 10))
            snprintf(family, sizeof family, "%s", value);
        else if (!strncmp(line, "model\t", 6))
            snprintf(num, sizeof num, "%s", value);
        else if (!strncmp(line, "cpu MHz", 7))
            snprintf(mhz, sizeof mhz, "%s", value);
    }
    if (f)
        fclose(f);
    model[strcspn(model, "\n")] = '\0';
    family[strcspn(family, "\n")] = '\0';
    num[strcspn(num, "\n")] = '\0';
    mhz[strcspn(mhz, "\n")] = '\0';
    printf("machine: %s (family %s model %s, %s MHz), %d logical CPUs\n",
           model, family, num, mhz, cpus);
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 11;
    if (reps < 7 || reps > MAX_REPS || argc > 3) {
        fprintf(stderr, "usage: call_bench [REPS [FILTER]]  (REPS 7 to %d)\n",
                MAX_REPS);
        return 2;
    }
    filter = argc > 2 ? argv[2] : NULL;
    print_machine();
    printf("median of %d repetitions; calls: ns per call, loop included, "
           "ratio against the C indirect call of the same shape; typed "
           "calls from C inside one trap frame per repetition\n", reps);
    calls_setup();
    calls_run(reps);
    inst_run("instantiate imports10 (mem + 10 fn)", &welf_module_imports10,
             reps);
    inst_run("instantiate empty module", &welf_module_empty, reps);
    welf_engine_free(engine);
    return 0;
}
