/*
 * tests/compiler/lower_call.c — the lowering of calls and variables
 * (compiler/lower.c): direct calls with 20 mixed parameters (most on the
 * stack) and three results, recursion, call_indirect and its three traps
 * (with the element index in the message), host functions imported,
 * called from a table and trapping, tail calls (return_call and
 * return_call_indirect a million deep, with stack arguments), stack
 * exhaustion and recovery, and globals of every width read and written
 * across calls. Each test runs at -O0 and -O2.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../runtime/abi.h"
#include "lower_support.h"

TestSuite(lower_call, .fini = lw_cleanup);

/* ---- 20 parameters, 3 results ---- */

#define MANY_PARAMS "ilfdilfdilfdilfdilfd"
#define MANY_RESULTS "ldi"
enum { N_MANY = 20 };

/*
 * many(p0..p19) = (sum of integer p_k * (k+1) as i64,
 *                  sum of float p_k * (k+1) as f64,
 *                  p0 - p16).
 * Every position has its own weight, so a swapped or lost argument
 * shows.
 */
static void many_body(lw_buf *b)
{
    buf_i64_const(b, 0);
    for (uint32_t k = 0; k < N_MANY; k++) {
        char t = MANY_PARAMS[k];
        if (t != 'i' && t != 'l')
            continue;
        buf_lit(b, LOCAL_GET);
        buf_u32(b, k);
        if (t == 'i')
            buf_lit(b, I64_EXTEND_I32_S);
        buf_i64_const(b, k + 1);
        buf_lit(b, I64_MUL I64_ADD);
    }
    buf_f64_const(b, 0);
    for (uint32_t k = 0; k < N_MANY; k++) {
        char t = MANY_PARAMS[k];
        if (t != 'f' && t != 'd')
            continue;
        buf_lit(b, LOCAL_GET);
        buf_u32(b, k);
        if (t == 'f')
            buf_lit(b, "\xbb");              /* f64.promote_f32 */
        buf_f64_const(b, lw_f64_bits(k + 1.0));
        buf_lit(b, F64_MUL F64_ADD);
    }
    buf_lit(b, LOCAL_GET "\x00" LOCAL_GET "\x10" I32_SUB);
}

static void many_model(const welf_val *a, welf_val *out)
{
    int64_t l = 0;
    double d = 0;
    for (int k = 0; k < N_MANY; k++) {
        switch (a[k].type) {
        case WELF_TYPE_I32: l += (int64_t)a[k].of.i32 * (k + 1); break;
        case WELF_TYPE_I64: l += a[k].of.i64 * (k + 1); break;
        case WELF_TYPE_F32: d += (double)a[k].of.f32 * (k + 1); break;
        case WELF_TYPE_F64: d += a[k].of.f64 * (k + 1); break;
        }
    }
    out[0] = I64(l);
    out[1] = F64(d);
    out[2] = I32(a[0].of.i32 - a[16].of.i32);
}

/* The arguments call_many(x) passes: see many_args_body. */
static void many_args(int32_t x, welf_val *a)
{
    for (int k = 0; k < N_MANY; k++) {
        switch (MANY_PARAMS[k]) {
        case 'i': a[k] = I32(x * 7 + k); break;
        case 'l': a[k] = I64((int64_t)x * (INT64_C(1) << 33) - k); break;
        case 'f': a[k] = F32((float)x + k * 0.25f); break;
        case 'd': a[k] = F64(x * 0.5 + k * 1.5); break;
        }
    }
}

static void many_args_body(lw_buf *b)
{
    for (int k = 0; k < N_MANY; k++) {
        switch (MANY_PARAMS[k]) {
        case 'i':
            buf_lit(b, LOCAL_GET "\x00" I32_CONST "\x07" I32_MUL);
            buf_i32_const(b, k);
            buf_lit(b, I32_ADD);
            break;
        case 'l':
            buf_lit(b, LOCAL_GET "\x00" I64_EXTEND_I32_S
                       I64_CONST "\x21" "\x86");     /* i64.shl 33 */
            buf_i64_const(b, k);
            buf_lit(b, "\x7d");                      /* i64.sub */
            break;
        case 'f':
            buf_lit(b, LOCAL_GET "\x00" "\xb2");     /* f32.convert_i32_s */
            buf_f32_const(b, lw_f32_bits(k * 0.25f));
            buf_lit(b, F32_ADD);
            break;
        case 'd':
            buf_lit(b, LOCAL_GET "\x00" "\xb7");     /* f64.convert_i32_s */
            buf_f64_const(b, lw_f64_bits(0.5));
            buf_lit(b, F64_MUL);
            buf_f64_const(b, lw_f64_bits(k * 1.5));
            buf_lit(b, F64_ADD);
            break;
        }
    }
}

static void check_many(const welf_val *got, const welf_val *want,
                       const char *what)
{
    cr_assert(got[0].type == WELF_TYPE_I64 && got[1].type == WELF_TYPE_F64 &&
              got[2].type == WELF_TYPE_I32, "%s: result types", what);
    cr_assert(got[0].of.i64 == want[0].of.i64 &&
              got[1].of.f64 == want[1].of.f64 &&
              got[2].of.i32 == want[2].of.i32,
              "%s at -O%d: (%lld, %g, %d), expected (%lld, %g, %d)", what,
              lw_opt, (long long)got[0].of.i64, got[1].of.f64,
              got[2].of.i32, (long long)want[0].of.i64, want[1].of.f64,
              want[2].of.i32);
}

Test(lower_call, many_parameters_and_results)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURE_TAIL_CALL);
        uint32_t t_many = mod_type(&m, MANY_PARAMS, MANY_RESULTS);
        lw_buf b = {0};
        many_body(&b);
        uint32_t many = mod_func(&m, "many", MANY_PARAMS, MANY_RESULTS, "",
                                 b.data, b.len);
        mod_table(&m, 'r', 1, LW_NO_MAX, NULL);
        mod_elem(&m, SEG_ACTIVE, 0, 0, &many, 1);
        /* call, call_indirect, return_call, return_call_indirect */
        static const char *const callers[] = {
            "call_many", "call_many_indirect", "tail_many",
            "tail_many_indirect"};
        for (int i = 0; i < 4; i++) {
            b.len = 0;
            many_args_body(&b);
            if (i == 1 || i == 3)
                buf_lit(&b, I32_CONST "\x00");
            buf_byte(&b, (uint8_t[]){0x10, 0x11, 0x12, 0x13}[i]);
            buf_u32(&b, i == 0 || i == 2 ? many : t_many);
            if (i == 1 || i == 3)
                buf_byte(&b, 0);             /* table 0 */
            mod_func(&m, callers[i], "i", MANY_RESULTS, "", b.data, b.len);
        }
        buf_free(&b);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);

        static const int32_t xs[] = {-3, 0, 1000};
        for (size_t j = 0; j < sizeof xs / sizeof xs[0]; j++) {
            welf_val args[N_MANY], want[3], got[3];
            many_args(xs[j], args);
            many_model(args, want);
            lw_call_multi(inst, "many", got, 3, args, N_MANY);
            check_many(got, want, "many from the host");
            for (int i = 0; i < 4; i++) {
                lw_call_multi(inst, callers[i], got, 3,
                              LW_ARGS(I32(xs[j])));
                check_many(got, want, callers[i]);
            }
        }
        mod_free(&m);
    }
}

/* ---- 16 results ---- */

#define OUT_RESULTS "ilfdilfdilfdilfd"
enum { N_OUT = 16 };

/* out(x): result k is x + k (i32), x * 1000 + k (i64), x + k / 2 (f32),
 * 2x + k (f64), by the type of position k. */
static welf_val out_value(int32_t x, int k)
{
    switch (OUT_RESULTS[k]) {
    case 'i': return I32(x + k);
    case 'l': return I64((int64_t)x * 1000 + k);
    case 'f': return F32((float)x + k * 0.5f);
    default: return F64(2.0 * x + k);
    }
}

static void host_out(welf_host *self, welf_caller *caller,
                     welf_val_raw *io, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    (void)user;
    int32_t x = io[0].i32;
    for (int k = 0; k < N_OUT; k++) {
        welf_val v = out_value(x, k);
        memset(&io[k], 0, sizeof io[k]);
        switch (v.type) {
        case WELF_TYPE_I32: io[k].i32 = v.of.i32; break;
        case WELF_TYPE_I64: io[k].i64 = v.of.i64; break;
        case WELF_TYPE_F32: io[k].f32 = v.of.f32; break;
        default: io[k].f64 = v.of.f64; break;
        }
    }
    return;
}

static welf_funcref *new_host(const char *params, const char *results,
                              welf_host_fn fn, void *user);

Test(lower_call, sixteen_results)
{
    int opt;
    FOR_EACH_OPT(opt) {
        welf_extern import = {WELF_EXTERN_FUNC,
                              {.func = new_host("i", OUT_RESULTS, host_out,
                                                NULL)}};
        lw_mod m;
        mod_init(&m, WELF_FEATURE_TAIL_CALL);
        mod_type_at(&m, 0, "i", OUT_RESULTS);
        mod_import_func(&m, "env", "out", "i", OUT_RESULTS);
        lw_buf b = {0};
        for (int k = 0; k < N_OUT; k++) {
            switch (OUT_RESULTS[k]) {
            case 'i':
                buf_lit(&b, LOCAL_GET "\x00");
                buf_i32_const(&b, k);
                buf_lit(&b, I32_ADD);
                break;
            case 'l':
                buf_lit(&b, LOCAL_GET "\x00" I64_EXTEND_I32_S);
                buf_i64_const(&b, 1000);
                buf_lit(&b, I64_MUL);
                buf_i64_const(&b, k);
                buf_lit(&b, I64_ADD);
                break;
            case 'f':
                buf_lit(&b, LOCAL_GET "\x00" "\xb2");
                buf_f32_const(&b, lw_f32_bits(k * 0.5f));
                buf_lit(&b, F32_ADD);
                break;
            default:
                buf_lit(&b, LOCAL_GET "\x00" "\xb7");
                buf_f64_const(&b, lw_f64_bits(2.0));
                buf_lit(&b, F64_MUL);
                buf_f64_const(&b, lw_f64_bits(k));
                buf_lit(&b, F64_ADD);
                break;
            }
        }
        /* 1: out in wasm; table: [wasm out, host out] */
        uint32_t out = mod_func(&m, "out", "i", OUT_RESULTS, "", b.data,
                                b.len);
        buf_free(&b);
        mod_table(&m, 'r', 2, LW_NO_MAX, NULL);
        mod_elem(&m, SEG_ACTIVE, 0, 0, (const uint32_t[]){out, 0}, 2);
        FUNC(&m, "relay", "i", OUT_RESULTS, "", LOCAL_GET "\x00" CALL "\x01");
        FUNC(&m, "relay_host", "i", OUT_RESULTS, "",
             LOCAL_GET "\x00" CALL "\x00");
        FUNC(&m, "relay_indirect", "ii", OUT_RESULTS, "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" CALL_INDIRECT "\x00\x00");
        FUNC(&m, "relay_tail", "i", OUT_RESULTS, "",
             LOCAL_GET "\x00" RETURN_CALL "\x01");
        FUNC(&m, "relay_tail_indirect", "ii", OUT_RESULTS, "",
             LOCAL_GET "\x00" LOCAL_GET "\x01"
             RETURN_CALL_INDIRECT "\x00\x00");
        welf_instance *inst = mod_instantiate(&m, opt, &import, 1);

        static const struct {
            const char *name;
            int table_index;          /* -1: no second argument */
        } calls[] = {
            {"out", -1}, {"relay", -1}, {"relay_host", -1},
            {"relay_indirect", 0}, {"relay_indirect", 1},
            {"relay_tail", -1}, {"relay_tail_indirect", 0},
            {"relay_tail_indirect", 1},
        };
        for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
            welf_val args[2] = {I32(-9), I32(calls[c].table_index)};
            welf_val r[N_OUT];
            lw_call_multi(inst, calls[c].name, r, N_OUT, args,
                          calls[c].table_index < 0 ? 1 : 2);
            for (int k = 0; k < N_OUT; k++) {
                welf_val want = out_value(-9, k);
                cr_assert_eq(r[k].type, want.type);
                bool same = want.type == WELF_TYPE_I32 ? r[k].of.i32 == want.of.i32
                          : want.type == WELF_TYPE_I64 ? r[k].of.i64 == want.of.i64
                          : want.type == WELF_TYPE_F32 ? r[k].of.f32 == want.of.f32
                          : r[k].of.f64 == want.of.f64;
                cr_assert(same, "-O%d %s(-9, %d): result %d differs", opt,
                          calls[c].name, calls[c].table_index, k);
            }
        }
        mod_free(&m);
    }
}

/* ---- recursion ---- */

Test(lower_call, recursion)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        /* 0: fact(n: i64) */
        FUNC(&m, "fact", "l", "l", "",
             LOCAL_GET "\x00" "\x50"                 /* i64.eqz */
             IF BT_I64
               I64_CONST "\x01"
             ELSE
               LOCAL_GET "\x00"
               LOCAL_GET "\x00" I64_CONST "\x01" "\x7d" CALL "\x00"
               I64_MUL
             END);
        /* 1: fib(n: i32) */
        FUNC(&m, "fib", "i", "i", "",
             LOCAL_GET "\x00" I32_CONST "\x02" "\x48"  /* i32.lt_s */
             IF BT_I32
               LOCAL_GET "\x00"
             ELSE
               LOCAL_GET "\x00" I32_CONST "\x01" I32_SUB CALL "\x01"
               LOCAL_GET "\x00" I32_CONST "\x02" I32_SUB CALL "\x01"
               I32_ADD
             END);
        /* 2, 3: even and odd, calling each other */
        FUNC(&m, "even", "i", "i", "",
             LOCAL_GET "\x00" I32_EQZ
             IF BT_I32
               I32_CONST "\x01"
             ELSE
               LOCAL_GET "\x00" I32_CONST "\x01" I32_SUB CALL "\x03"
             END);
        FUNC(&m, "odd", "i", "i", "",
             LOCAL_GET "\x00" I32_EQZ
             IF BT_I32
               I32_CONST "\x00"
             ELSE
               LOCAL_GET "\x00" I32_CONST "\x01" I32_SUB CALL "\x02"
             END);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        cr_assert_eq(call_i64(inst, "fact", I64(20)),
                     INT64_C(2432902008176640000));
        cr_assert_eq(call_i64(inst, "fact", I64(0)), 1);
        cr_assert_eq(call_i32(inst, "fib", I32(20)), 6765);
        cr_assert_eq(call_i32(inst, "even", I32(1000)), 1);
        cr_assert_eq(call_i32(inst, "odd", I32(1000)), 0);
        cr_assert_eq(call_i32(inst, "odd", I32(777)), 1);
        mod_free(&m);
    }
}

/* ---- call_indirect ---- */

Test(lower_call, call_indirect_and_its_traps)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_type_at(&m, 0, "i", "i");
        mod_type_at(&m, 1, "ii", "i");
        /* a second [i32] -> [i32]: structurally the same type */
        cr_assert_eq(mod_type_new(&m, "i", "i"), 2);
        uint32_t add1 = FUNC(&m, NULL, "i", "i", "",
                             LOCAL_GET "\x00" I32_CONST "\x01" I32_ADD);
        static const char twice_body[] =
            LOCAL_GET "\x00" LOCAL_GET "\x00" I32_ADD;
        uint32_t twice = mod_func_typed(&m, NULL, 2, "", twice_body,
                                        sizeof twice_body - 1);
        uint32_t sub = FUNC(&m, NULL, "ii", "i", "",
                            LOCAL_GET "\x00" LOCAL_GET "\x01" I32_SUB);
        mod_table(&m, 'r', 5, LW_NO_MAX, NULL);
        mod_table(&m, 'r', 1, LW_NO_MAX, NULL);
        /* table 0: [add1, twice, null, sub, null]; table 1: [twice] */
        mod_elem(&m, SEG_ACTIVE, 0, 0,
                 (const uint32_t[]){add1, twice, LW_NULL, sub}, 4);
        mod_elem(&m, SEG_ACTIVE, 1, 0, &twice, 1);
        FUNC(&m, "dispatch", "ii", "i", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" CALL_INDIRECT "\x00\x00");
        /* the same through the duplicate type 2 */
        FUNC(&m, "dispatch_dup", "ii", "i", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" CALL_INDIRECT "\x02\x00");
        FUNC(&m, "dispatch2", "iii", "i", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             CALL_INDIRECT "\x01\x00");
        FUNC(&m, "dispatch_t1", "ii", "i", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" CALL_INDIRECT "\x00\x01");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);

        cr_assert_eq(call_i32(inst, "dispatch", I32(20), I32(0)), 21);
        cr_assert_eq(call_i32(inst, "dispatch", I32(20), I32(1)), 40);
        cr_assert_eq(call_i32(inst, "dispatch_dup", I32(20), I32(0)), 21);
        cr_assert_eq(call_i32(inst, "dispatch_dup", I32(20), I32(1)), 40);
        cr_assert_eq(call_i32(inst, "dispatch2", I32(20), I32(5), I32(3)),
                     15);
        cr_assert_eq(call_i32(inst, "dispatch_t1", I32(20), I32(0)), 40);

        expect_trap_msg(inst, "dispatch", WELF_TRAP_CODE_INDIRECT_NULL,
                        "uninitialized element 2", I32(0), I32(2));
        expect_trap_msg(inst, "dispatch", WELF_TRAP_CODE_INDIRECT_NULL,
                        "uninitialized element 4", I32(0), I32(4));
        expect_trap(inst, "dispatch", WELF_TRAP_CODE_INDIRECT_TYPE, I32(0),
                    I32(3));
        expect_trap(inst, "dispatch2", WELF_TRAP_CODE_INDIRECT_TYPE,
                    I32(0), I32(0), I32(0));
        expect_trap_msg(inst, "dispatch", WELF_TRAP_CODE_UNDEFINED_ELEMENT,
                        "undefined element 5", I32(0), I32(5));
        expect_trap_msg(inst, "dispatch", WELF_TRAP_CODE_UNDEFINED_ELEMENT,
                        "undefined element 4294967295", I32(0), I32(-1));
        expect_trap_msg(inst, "dispatch_t1",
                        WELF_TRAP_CODE_UNDEFINED_ELEMENT,
                        "undefined element 1", I32(0), I32(1));
        /* still fine after the traps */
        cr_assert_eq(call_i32(inst, "dispatch", I32(1), I32(0)), 2);
        mod_free(&m);
    }
}

/* ---- host functions ---- */

typedef struct host_log {
    int calls;
    welf_val_raw args[4];
} host_log;

/* (i32 a, i64 b, f32 c, f64 d) -> (f64 a + b + c + d, i32 a * 2) */
static void host_mix(welf_host *self, welf_caller *caller,
                     welf_val_raw *io, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    host_log *log = user;
    log->calls++;
    memcpy(log->args, io, sizeof log->args);
    double sum = io[0].i32 + (double)io[1].i64 + io[2].f32 + io[3].f64;
    int32_t twice = io[0].i32 * 2;
    io[0].f64 = sum;
    io[1].i32 = twice;
    return;
}

static void host_overflow(welf_host *self, welf_caller *caller,
                          welf_val_raw *io, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    (void)user;
    (void)io;
    welf_trap_raise(WELF_TRAP_CODE_INT_OVERFLOW);
}

static welf_funcref *new_host(const char *params, const char *results,
                              welf_host_fn fn, void *user)
{
    uint8_t p[N_MANY], r[N_MANY];
    size_t np = strlen(params), nr = strlen(results);
    cr_assert(np <= N_MANY && nr <= N_MANY);
    for (size_t i = 0; i < np; i++)
        p[i] = params[i] == 'i' ? WELF_TYPE_I32 : params[i] == 'l'
               ? WELF_TYPE_I64 : params[i] == 'f' ? WELF_TYPE_F32
               : WELF_TYPE_F64;
    for (size_t i = 0; i < nr; i++)
        r[i] = results[i] == 'i' ? WELF_TYPE_I32 : results[i] == 'l'
               ? WELF_TYPE_I64 : results[i] == 'f' ? WELF_TYPE_F32
               : WELF_TYPE_F64;
    welf_functype_info type = {(uint32_t)np, (uint32_t)nr, p, r};
    welf_funcref *f;
    welf_error err;
    cr_assert_eq(welf_func_new_host(lw_engine(), &type, fn, user, &f, &err),
                 WELF_OK, "%s", err.message);
    return f;
}

/* Pushes (x, x * 1000, 0.5, 0.25) for a call of mix. */
#define MIX_ARGS \
    LOCAL_GET "\x00" \
    LOCAL_GET "\x00" I64_EXTEND_I32_S I64_CONST "\xe8\x07" I64_MUL \
    F32_CONST "\x00\x00\x00\x3f" \
    F64_CONST "\x00\x00\x00\x00\x00\x00\xd0\x3f"

Test(lower_call, host_functions)
{
    int opt;
    FOR_EACH_OPT(opt) {
        host_log log = {0};
        welf_extern imports[2] = {
            {WELF_EXTERN_FUNC, {.func = new_host("ilfd", "di", host_mix,
                                                 &log)}},
            {WELF_EXTERN_FUNC, {.func = new_host("", "", host_overflow,
                                                 NULL)}},
        };
        lw_mod m;
        mod_init(&m, WELF_FEATURE_TAIL_CALL);
        mod_type_at(&m, 0, "ilfd", "di");
        mod_type_at(&m, 1, "", "i");
        uint32_t mix = mod_import_func(&m, "env", "mix", "ilfd", "di");
        mod_import_func(&m, "env", "overflow", "", "");
        /* the wasm twin of mix: (d + 1000, a) */
        uint32_t local_mix = FUNC(&m, NULL, "ilfd", "di", "",
                                  LOCAL_GET "\x03"
                                  F64_CONST "\x00\x00\x00\x00\x00\x40\x8f\x40"
                                  F64_ADD LOCAL_GET "\x00");
        mod_table(&m, 'r', 2, LW_NO_MAX, NULL);
        mod_elem(&m, SEG_ACTIVE, 0, 0, (const uint32_t[]){mix, local_mix},
                 2);
        FUNC(&m, "use_mix", "i", "di", "", MIX_ARGS CALL "\x00");
        FUNC(&m, "indirect_mix", "ii", "di", "",
             MIX_ARGS LOCAL_GET "\x01" CALL_INDIRECT "\x00\x00");
        FUNC(&m, "tail_mix", "i", "di", "", MIX_ARGS RETURN_CALL "\x00");
        FUNC(&m, "tail_mix_indirect", "ii", "di", "",
             MIX_ARGS LOCAL_GET "\x01" RETURN_CALL_INDIRECT "\x00\x00");
        FUNC(&m, "wrong_type", "i", "i", "",
             LOCAL_GET "\x00" CALL_INDIRECT "\x01\x00");
        FUNC(&m, "use_overflow", "", "i", "",
             CALL "\x01" I32_CONST "\x01");
        welf_instance *inst = mod_instantiate(&m, opt, imports, 2);

        static const char *const via[] = {"use_mix", "tail_mix"};
        for (int i = 0; i < 2; i++) {
            welf_val r[2];
            int calls = log.calls;
            call_multi(inst, via[i], r, 2, I32(-7));
            cr_assert_eq(log.calls, calls + 1, "%s did not call the host",
                         via[i]);
            cr_assert(log.args[0].i32 == -7 && log.args[1].i64 == -7000 &&
                      log.args[2].f32 == 0.5f && log.args[3].f64 == 0.25,
                      "-O%d %s: the host got (%d, %lld, %g, %g)", opt,
                      via[i], log.args[0].i32,
                      (long long)log.args[1].i64, log.args[2].f32,
                      log.args[3].f64);
            cr_assert(r[0].of.f64 == -7006.25 && r[1].of.i32 == -14,
                      "-O%d %s: (%g, %d)", opt, via[i], r[0].of.f64,
                      r[1].of.i32);
        }
        static const char *const indirect[] = {"indirect_mix",
                                               "tail_mix_indirect"};
        for (int i = 0; i < 2; i++) {
            welf_val r[2];
            int calls = log.calls;
            call_multi(inst, indirect[i], r, 2, I32(3), I32(0));
            cr_assert_eq(log.calls, calls + 1);
            cr_assert(r[0].of.f64 == 3003.75 && r[1].of.i32 == 6,
                      "-O%d %s via the table: (%g, %d)", opt, indirect[i],
                      r[0].of.f64, r[1].of.i32);
            call_multi(inst, indirect[i], r, 2, I32(3), I32(1));
            cr_assert_eq(log.calls, calls + 1);
            cr_assert(r[0].of.f64 == 1000.25 && r[1].of.i32 == 3,
                      "-O%d %s to the wasm twin: (%g, %d)", opt,
                      indirect[i], r[0].of.f64, r[1].of.i32);
        }
        expect_trap(inst, "wrong_type", WELF_TRAP_CODE_INDIRECT_TYPE, I32(0));
        /* a host function's trap code comes out of the wasm caller */
        expect_trap(inst, "use_overflow", WELF_TRAP_CODE_INT_OVERFLOW);
        welf_val r[2];
        call_multi(inst, "use_mix", r, 2, I32(1));
        cr_assert_eq(r[1].of.i32, 2);
        mod_free(&m);
    }
}

/* ---- tail calls ---- */

/* The rotation spin20 applies to its arguments: each type's positions
 * (other than the counter, position 0) shift down one, cyclically. */
static int spin_next(int k)
{
    if (k + 4 < N_MANY)
        return k + 4;
    return k % 4 == 0 ? 4 : k % 4;
}

Test(lower_call, tail_calls_run_in_constant_stack)
{
    enum { DEEP = 1000000, SPIN = 100000 };
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURE_TAIL_CALL);
        mod_type_at(&m, 0, "i", "i");
        uint32_t t_res = mod_type(&m, "", MANY_RESULTS);
        /* 0: count(n, acc) = count(n - 1, acc + 1), by return_call */
        FUNC(&m, "count", "ll", "l", "",
             LOCAL_GET "\x00" "\x50"
             IF BT_I64
               LOCAL_GET "\x01"
             ELSE
               LOCAL_GET "\x00" I64_CONST "\x01" "\x7d"
               LOCAL_GET "\x01" I64_CONST "\x01" I64_ADD
               RETURN_CALL "\x00"
             END);
        /* 1: the same with call: exhausts the stack */
        FUNC(&m, "count_call", "ll", "l", "",
             LOCAL_GET "\x00" "\x50"
             IF BT_I64
               LOCAL_GET "\x01"
             ELSE
               LOCAL_GET "\x00" I64_CONST "\x01" "\x7d"
               LOCAL_GET "\x01" I64_CONST "\x01" I64_ADD
               CALL "\x01"
             END);
        /* 2, 3: even and odd through the table */
        FUNC(&m, "even", "i", "i", "",
             LOCAL_GET "\x00" I32_EQZ
             IF BT_I32
               I32_CONST "\x01"
             ELSE
               LOCAL_GET "\x00" I32_CONST "\x01" I32_SUB
               I32_CONST "\x01" RETURN_CALL_INDIRECT "\x00\x00"
             END);
        FUNC(&m, "odd", "i", "i", "",
             LOCAL_GET "\x00" I32_EQZ
             IF BT_I32
               I32_CONST "\x00"
             ELSE
               LOCAL_GET "\x00" I32_CONST "\x01" I32_SUB
               I32_CONST "\x00" RETURN_CALL_INDIRECT "\x00\x00"
             END);
        mod_table(&m, 'r', 3, LW_NO_MAX, NULL);
        mod_elem(&m, SEG_ACTIVE, 0, 0, (const uint32_t[]){2, 3}, 2);
        /* 4: many; 5: spin20(p0 .. p19): while p0 != 0, return_call
         * itself with p0 - 1 and the others rotated; then call many. */
        lw_buf b = {0};
        many_body(&b);
        uint32_t many = mod_func(&m, NULL, MANY_PARAMS, MANY_RESULTS, "",
                                 b.data, b.len);
        cr_assert_eq(many, 4);
        b.len = 0;
        buf_lit(&b, LOCAL_GET "\x00" I32_EQZ IF);
        buf_s64(&b, t_res);
        for (uint32_t k = 0; k < N_MANY; k++) {
            buf_lit(&b, LOCAL_GET);
            buf_u32(&b, k);
        }
        buf_lit(&b, CALL "\x04" ELSE
                    LOCAL_GET "\x00" I32_CONST "\x01" I32_SUB);
        for (int k = 1; k < N_MANY; k++) {
            buf_lit(&b, LOCAL_GET);
            buf_u32(&b, (uint32_t)spin_next(k));
        }
        buf_lit(&b, RETURN_CALL "\x05" END);
        uint32_t spin = mod_func(&m, "spin20", MANY_PARAMS, MANY_RESULTS,
                                 "", b.data, b.len);
        cr_assert_eq(spin, 5);
        buf_free(&b);
        /* the traps of return_call_indirect name the element */
        FUNC(&m, "tail_at", "i", "i", "",
             I32_CONST "\x00" LOCAL_GET "\x00"
             RETURN_CALL_INDIRECT "\x00\x00");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);

        cr_assert_eq(call_i64(inst, "count", I64(DEEP), I64(5)), DEEP + 5);
        cr_assert_eq(call_i64(inst, "count_call", I64(1000), I64(0)), 1000);
        expect_trap(inst, "count_call", WELF_TRAP_CODE_STACK_EXHAUSTED,
                    I64(DEEP), I64(0));
        cr_assert_eq(call_i32(inst, "even", I32(DEEP)), 1);
        cr_assert_eq(call_i32(inst, "odd", I32(DEEP + 1)), 1);
        cr_assert_eq(call_i32(inst, "even", I32(DEEP + 1)), 0);
        cr_assert_eq(call_i32(inst, "tail_at", I32(1)), 0);
        expect_trap_msg(inst, "tail_at", WELF_TRAP_CODE_INDIRECT_NULL,
                        "uninitialized element 2", I32(2));
        expect_trap_msg(inst, "tail_at", WELF_TRAP_CODE_UNDEFINED_ELEMENT,
                        "undefined element 3", I32(3));

        welf_val args[N_MANY], want[3], got[3];
        many_args(11, args);
        args[0] = I32(SPIN);
        lw_call_multi(inst, "spin20", got, 3, args, N_MANY);
        /* the model: rotate SPIN times, then many() with p0 = 0 */
        for (int s = 0; s < SPIN; s++) {
            welf_val next[N_MANY];
            for (int k = 1; k < N_MANY; k++)
                next[k] = args[spin_next(k)];
            memcpy(args + 1, next + 1, (N_MANY - 1) * sizeof *args);
        }
        args[0] = I32(0);
        many_model(args, want);
        check_many(got, want, "spin20");
        mod_free(&m);
    }
}

/* ---- stack exhaustion ---- */

typedef struct reenter_ctx {
    welf_funcref *down;
    int depth;
} reenter_ctx;

/* Calls back into wasm; passes a trap of the inner call on. */
/* Ends a host function with a trap when code is not 0. */
static void host_trap_if(int code)
{
    if (code != 0)
        welf_trap_raise((welf_trap_code)code);
}

static void host_reenter(welf_host *self, welf_caller *caller,
                         welf_val_raw *io, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    reenter_ctx *ctx = user;
    ctx->depth++;
    welf_val arg = I32(io[0].i32), res;
    welf_error err;
    welf_status st = welf_func_call(ctx->down, &arg, 1, &res, 1, &err);
    if (st == WELF_ERR_TRAP)
        host_trap_if((int)err.trap_code);
    cr_assert_eq(st, WELF_OK);
    io[0].i32 = res.of.i32;
    return;
}

Test(lower_call, stack_exhaustion_traps_and_recovers)
{
    int opt;
    FOR_EACH_OPT(opt) {
        reenter_ctx ctx = {0};
        welf_extern import = {WELF_EXTERN_FUNC,
                              {.func = new_host("i", "i", host_reenter,
                                                &ctx)}};
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_type_at(&m, 0, "i", "i");
        mod_import_func(&m, "env", "reenter", "i", "i");
        /* 1: inf(x) = inf(x + 1) + 1 */
        FUNC(&m, "inf", "i", "i", "",
             LOCAL_GET "\x00" I32_CONST "\x01" I32_ADD CALL "\x01"
             I32_CONST "\x01" I32_ADD);
        /* 2: the same through call_indirect */
        FUNC(&m, "inf_indirect", "i", "i", "",
             LOCAL_GET "\x00" I32_CONST "\x01" I32_ADD
             I32_CONST "\x00" CALL_INDIRECT "\x00\x00"
             I32_CONST "\x01" I32_ADD);
        /* 3: depth(n) = n == 0 ? 0 : depth(n - 1) + 1 */
        FUNC(&m, "depth", "i", "i", "",
             LOCAL_GET "\x00" I32_EQZ
             IF BT_I32
               I32_CONST "\x00"
             ELSE
               LOCAL_GET "\x00" I32_CONST "\x01" I32_SUB CALL "\x03"
               I32_CONST "\x01" I32_ADD
             END);
        /* 4: down(x) = reenter(x + 1): wasm -> host -> wasm ... */
        FUNC(&m, "down", "i", "i", "",
             LOCAL_GET "\x00" I32_CONST "\x01" I32_ADD CALL "\x00");
        mod_table(&m, 'r', 1, LW_NO_MAX, NULL);
        mod_elem(&m, SEG_ACTIVE, 0, 0, (const uint32_t[]){2}, 1);
        welf_instance *inst = mod_instantiate(&m, opt, &import, 1);
        ctx.down = lw_func(inst, "down");

        const welf_trap_code exhausted = WELF_TRAP_CODE_STACK_EXHAUSTED;
        expect_trap(inst, "inf", exhausted, I32(0));
        cr_assert_eq(call_i32(inst, "depth", I32(1000)), 1000);
        expect_trap(inst, "inf_indirect", exhausted, I32(0));
        cr_assert_eq(call_i32(inst, "depth", I32(1000)), 1000);
        expect_trap(inst, "inf", exhausted, I32(0));
        expect_trap(inst, "down", exhausted, I32(0));
        cr_assert_gt(ctx.depth, 10, "-O%d: only %d re-entries", opt,
                     ctx.depth);
        cr_assert_eq(call_i32(inst, "depth", I32(1000)), 1000);
        mod_free(&m);
    }
}

/* ---- globals ---- */

Test(lower_call, globals_across_calls)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        lw_buf init = {0};
        /* 0: mut i64 = 5; 1: i64 = -2^40; 2: mut f64 = 1.5;
         * 3: f64 = -0.0; 4: mut i32 = 0; 5: mut f32 = 0.25 */
        buf_i64_const(&init, 5);
        mod_global(&m, 'l', true, init.data, init.len, "g_i64");
        init.len = 0;
        buf_i64_const(&init, -(INT64_C(1) << 40));
        mod_global(&m, 'l', false, init.data, init.len, "g_i64_const");
        init.len = 0;
        buf_f64_const(&init, lw_f64_bits(1.5));
        mod_global(&m, 'd', true, init.data, init.len, "g_f64");
        init.len = 0;
        buf_f64_const(&init, lw_f64_bits(-0.0));
        mod_global(&m, 'd', false, init.data, init.len, NULL);
        init.len = 0;
        buf_i32_const(&init, 0);
        mod_global(&m, 'i', true, init.data, init.len, NULL);
        init.len = 0;
        buf_f32_const(&init, lw_f32_bits(0.25f));
        mod_global(&m, 'f', true, init.data, init.len, NULL);
        /* 6: f32 = a signalling NaN, kept bit for bit */
        init.len = 0;
        buf_f32_const(&init, 0x7fa00001u);
        mod_global(&m, 'f', false, init.data, init.len, NULL);
        buf_free(&init);

        /* 0: inc() increments g0 */
        FUNC(&m, "inc", "", "", "",
             GLOBAL_GET "\x00" I64_CONST "\x01" I64_ADD GLOBAL_SET "\x00");
        FUNC(&m, "get_i64", "", "l", "", GLOBAL_GET "\x00");
        FUNC(&m, "set_i64", "l", "", "", LOCAL_GET "\x00" GLOBAL_SET "\x00");
        FUNC(&m, "get_i64_const", "", "l", "", GLOBAL_GET "\x01");
        /* g0 read before and after a call that changes it */
        FUNC(&m, "around_call", "", "l", "",
             GLOBAL_GET "\x00" CALL "\x00" GLOBAL_GET "\x00" "\x7d");
        /* set, call, read: x + 1 */
        FUNC(&m, "set_call_get", "l", "l", "",
             LOCAL_GET "\x00" GLOBAL_SET "\x00" CALL "\x00"
             GLOBAL_GET "\x00");
        FUNC(&m, "get_f64_bits", "", "l", "", GLOBAL_GET "\x02" "\xbd");
        FUNC(&m, "set_f64_bits", "l", "", "",
             LOCAL_GET "\x00" "\xbf" GLOBAL_SET "\x02");
        FUNC(&m, "get_f64_const_bits", "", "l", "", GLOBAL_GET "\x03" "\xbd");
        FUNC(&m, "bump", "", "i", "",
             GLOBAL_GET "\x04" I32_CONST "\x01" I32_ADD GLOBAL_SET "\x04"
             GLOBAL_GET "\x04");
        FUNC(&m, "f32_add", "f", "f", "",
             GLOBAL_GET "\x05" LOCAL_GET "\x00" F32_ADD GLOBAL_SET "\x05"
             GLOBAL_GET "\x05");
        FUNC(&m, "snan_bits", "", "i", "", GLOBAL_GET "\x06" "\xbc");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        welf_global *g0 = lw_export(inst, "g_i64", WELF_EXTERN_GLOBAL)
                              .u.global;
        welf_global *g2 = lw_export(inst, "g_f64", WELF_EXTERN_GLOBAL)
                              .u.global;

        cr_assert_eq(call_i64(inst, "get_i64"), 5);
        call_void(inst, "inc");
        cr_assert_eq(call_i64(inst, "get_i64"), 6);
        call_void(inst, "set_i64", I64(INT64_MIN + 1));
        cr_assert_eq(call_i64(inst, "get_i64"), INT64_MIN + 1);
        cr_assert_eq(welf_global_get(g0).of.i64, INT64_MIN + 1);
        cr_assert_eq(call_i64(inst, "around_call"), -1);
        cr_assert_eq(call_i64(inst, "get_i64"), INT64_MIN + 2);
        cr_assert_eq(call_i64(inst, "set_call_get", I64(INT64_C(1) << 50)),
                     (INT64_C(1) << 50) + 1);
        cr_assert_eq(welf_global_get(g0).of.i64, (INT64_C(1) << 50) + 1);
        cr_assert_eq(call_i64(inst, "get_i64_const"), -(INT64_C(1) << 40));
        cr_assert_eq(welf_global_get(
                         lw_export(inst, "g_i64_const", WELF_EXTERN_GLOBAL)
                             .u.global).of.i64, -(INT64_C(1) << 40));

        cr_assert_eq((uint64_t)call_i64(inst, "get_f64_bits"),
                     lw_f64_bits(1.5));
        call_void(inst, "set_f64_bits", I64(0x7ff4000000000001));
        cr_assert_eq((uint64_t)call_i64(inst, "get_f64_bits"),
                     UINT64_C(0x7ff4000000000001));
        call_void(inst, "set_f64_bits", I64(lw_f64_bits(-2.75)));
        cr_assert_eq(welf_global_get(g2).of.f64, -2.75);
        cr_assert_eq((uint64_t)call_i64(inst, "get_f64_const_bits"),
                     UINT64_C(0x8000000000000000));

        for (int i = 1; i <= 5; i++)
            cr_assert_eq(call_i32(inst, "bump"), i);
        cr_assert_eq(call_f32(inst, "f32_add", F32(0.5f)), 0.75f);
        cr_assert_eq(call_f32(inst, "f32_add", F32(-1.0f)), -0.25f);
        cr_assert_eq((uint32_t)call_i32(inst, "snan_bits"), 0x7fa00001u);
        mod_free(&m);
    }
}

/* ---- locals ---- */

/* Locals start at zero (null for references) on every call, also when
 * the previous call left them set, and keep their values around loops. */
Test(lower_call, locals_start_at_zero)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        /* params (i32 set); locals i32 i64 f32 f64 funcref externref:
         * returns a bit per local that is nonzero, then sets them all
         * when `set`. */
        FUNC(&m, "locals", "i", "i", "ilfdrx",
             LOCAL_GET "\x01" I32_CONST "\x00" "\x47"          /* i32.ne */
             LOCAL_GET "\x02" "\x50" I32_EQZ I32_CONST "\x01" "\x74" "\x72"
             LOCAL_GET "\x03" F32_CONST "\x00\x00\x00\x00" "\x5c"
             I32_CONST "\x02" "\x74" "\x72"
             LOCAL_GET "\x04" F64_CONST "\0\0\0\0\0\0\0\0" "\x62"
             I32_CONST "\x03" "\x74" "\x72"
             LOCAL_GET "\x05" REF_IS_NULL I32_EQZ I32_CONST "\x04" "\x74" "\x72"
             LOCAL_GET "\x06" REF_IS_NULL I32_EQZ I32_CONST "\x05" "\x74" "\x72"
             LOCAL_GET "\x00"
             IF BT_EMPTY
               I32_CONST "\x07" LOCAL_SET "\x01"
               I64_CONST "\x07" LOCAL_SET "\x02"
               F32_CONST "\x00\x00\x80\x3f" LOCAL_SET "\x03"
               F64_CONST "\0\0\0\0\0\0\xf0\x3f" LOCAL_SET "\x04"
               REF_FUNC "\x00" LOCAL_SET "\x05"
             END);
        mod_elem(&m, SEG_DECLARATIVE, 0, 0, (const uint32_t[]){0}, 1);
        /* a local counted up in a loop */
        FUNC(&m, "loop_local", "i", "i", "i",
             LOOP BT_EMPTY
               LOCAL_GET "\x01" I32_CONST "\x03" I32_ADD LOCAL_SET "\x01"
               LOCAL_GET "\x00" I32_CONST "\x01" I32_SUB LOCAL_TEE "\x00"
               BR_IF "\x00"
             END
             LOCAL_GET "\x01");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        cr_assert_eq(call_i32(inst, "locals", I32(1)), 0);
        cr_assert_eq(call_i32(inst, "locals", I32(0)), 0);
        cr_assert_eq(call_i32(inst, "loop_local", I32(5)), 15);
        cr_assert_eq(call_i32(inst, "loop_local", I32(1)), 3);
        mod_free(&m);
    }
}

/* The native entry of an exported function is an ordinary C function of
 * the same signature after the two vmctx pointers; functions with
 * several results have none (runtime/abi.h). */
Test(lower_call, native_entries)
{
    for (int opt = 0; opt <= 2; opt += 2) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        /* (i32 a, i64 b) -> f32: f32(a) + f32(b) */
        FUNC(&m, "mix", "il", "f", "",
             "\x20\x00\xb2\x20\x01\xb4\x92");
        FUNC(&m, "nop", "", "", "", "\x01");
        FUNC(&m, "pair", "i", "ii", "", "\x20\x00\x20\x00");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        welf_funcref *mix = lw_func(inst, "mix");
        cr_assert_not_null(mix->native_call, "-O%d: no native entry", opt);
        float (*mix_fn)(void *, void *, int32_t, int64_t) =
            (float (*)(void *, void *, int32_t, int64_t))mix->native_call;
        cr_assert_eq(mix_fn(mix->vmctx, mix->vmctx, 3, 4), 7.0f,
                     "-O%d: mix(3, 4) through the native entry", opt);
        welf_funcref *nop = lw_func(inst, "nop");
        void (*nop_fn)(void *, void *) =
            (void (*)(void *, void *))nop->native_call;
        cr_assert_not_null(nop_fn);
        nop_fn(nop->vmctx, nop->vmctx);
        cr_assert_null(lw_func(inst, "pair")->native_call,
                       "-O%d: a two-result function has a native entry",
                       opt);
        mod_free(&m);
    }
}
