/*
 * tests/compiler/pairings.c — every caller/callee pairing of the three
 * calling conventions (docs/abi.md): C calling typed (native entry) and
 * untyped (welf_func_call) into wasm functions, typed host functions and
 * untyped host functions; wasm calling both kinds of host function
 * directly and through call_indirect; wasm calling wasm in another
 * instance; traps and exits raised in wasm and in host functions reaching
 * the outermost C caller; typed calls with the wrong signature refused.
 *
 * Two signatures run through every pairing: mix (i32, i64) -> f32, all in
 * registers, and wide (7 x i32, 9 x f64, i64, f32, v128) -> f64, whose
 * last arguments go on the stack in the native convention. Every callee
 * computes the same weighted sum, so a lost or swapped argument shows.
 *
 * indirect_wide's stack arguments take 8 mod 16 bytes with a v128 among
 * them, which LLVM 19 gets wrong without the padding parameter of
 * docs/abi.md ("Stack padding"); wide's take a multiple of 16.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "lower_support.h"
#include "welf.h"

TestSuite(pairings, .fini = lw_cleanup);

#define F32_CONVERT_I32_S "\xb2"
#define F32_CONVERT_I64_S "\xb4"
#define F32_MUL "\x94"
#define F64_CONVERT_I32_S "\xb7"
#define F64_CONVERT_I64_S "\xb9"
#define F64_PROMOTE_F32 "\xbb"
#define F64_MUL_OP "\xa2"
#define F64_ADD_OP "\xa0"
#define F64X2_EXTRACT_LANE "\xfd\x21"

/* ---- mix: (i32, i64) -> f32 = a + b / 2 ---- */

static const uint8_t mix_params[] = {WELF_TYPE_I32, WELF_TYPE_I64};
static const uint8_t mix_results[] = {WELF_TYPE_F32};
static const welf_functype_info mix_type = {2, 1, mix_params, mix_results};
typedef float mix_fn(void *, void *, int32_t, int64_t);

static float mix_value(int32_t a, int64_t b)
{
    return (float)a + (float)b * 0.5f;
}

/* What host functions saw: calls, and the caller of the last one. */
typedef struct seen {
    int calls;
    welf_caller *caller;
} seen;

static float typed_mix(welf_host *self, welf_caller *caller, int32_t a,
                       int64_t b)
{
    seen *s = self->data;
    s->calls++;
    s->caller = caller;
    return mix_value(a, b);
}

static void untyped_mix(welf_host *self, welf_caller *caller,
                        welf_val_raw *args, size_t len)
{
    seen *s = self->data;
    s->calls++;
    s->caller = caller;
    cr_assert_eq(len, 2);
    float r = mix_value(args[0].i32, args[1].i64);
    args[0].f32 = r;
}

/* ---- wide: 19 parameters, stack arguments in the native convention ---- */

#define WIDE_N 19
static const uint8_t wide_params[WIDE_N] = {
    WELF_TYPE_I32, WELF_TYPE_I32, WELF_TYPE_I32, WELF_TYPE_I32,
    WELF_TYPE_I32, WELF_TYPE_I32, WELF_TYPE_I32,
    WELF_TYPE_F64, WELF_TYPE_F64, WELF_TYPE_F64, WELF_TYPE_F64,
    WELF_TYPE_F64, WELF_TYPE_F64, WELF_TYPE_F64, WELF_TYPE_F64,
    WELF_TYPE_F64, WELF_TYPE_I64, WELF_TYPE_F32, WELF_TYPE_V128};
static const uint8_t wide_results[] = {WELF_TYPE_F64};
static const welf_functype_info wide_type = {WIDE_N, 1, wide_params,
                                             wide_results};
typedef double wide_fn(void *, void *, int32_t, int32_t, int32_t, int32_t,
                       int32_t, int32_t, int32_t, double, double, double,
                       double, double, double, double, double, double,
                       int64_t, float, welf_v128);

/* sum of arg_k * (k + 1), the v128 counting as its two f64 lanes. */
static double wide_value(const int32_t *i, const double *d, int64_t l,
                         float f, welf_v128 v)
{
    double sum = 0, lanes[2];
    for (int k = 0; k < 7; k++)
        sum += i[k] * (double)(k + 1);
    for (int k = 0; k < 9; k++)
        sum += d[k] * (double)(k + 8);
    sum += (double)l * 17 + (double)f * 18;
    memcpy(lanes, &v, 16);
    return sum + (lanes[0] + lanes[1]) * 19;
}

static double typed_wide(welf_host *self, welf_caller *caller, int32_t i0,
                         int32_t i1, int32_t i2, int32_t i3, int32_t i4,
                         int32_t i5, int32_t i6, double d0, double d1,
                         double d2, double d3, double d4, double d5,
                         double d6, double d7, double d8, int64_t l, float f,
                         welf_v128 v)
{
    seen *s = self->data;
    s->calls++;
    s->caller = caller;
    int32_t i[7] = {i0, i1, i2, i3, i4, i5, i6};
    double d[9] = {d0, d1, d2, d3, d4, d5, d6, d7, d8};
    return wide_value(i, d, l, f, v);
}

static void untyped_wide(welf_host *self, welf_caller *caller,
                         welf_val_raw *args, size_t len)
{
    seen *s = self->data;
    s->calls++;
    s->caller = caller;
    cr_assert_eq(len, WIDE_N);
    int32_t i[7];
    double d[9];
    for (int k = 0; k < 7; k++)
        i[k] = args[k].i32;
    for (int k = 0; k < 9; k++)
        d[k] = args[7 + k].f64;
    welf_v128 v;
    memcpy(&v, args[18].v128, 16);
    double r = wide_value(i, d, args[16].i64, args[17].f32, v);
    args[0].f64 = r;
}

/* The wasm twin of wide_value. */
static void wide_body(lw_buf *b)
{
    buf_f64_const(b, 0);
    for (uint32_t k = 0; k < WIDE_N; k++) {
        if (k == 18) {
            for (int lane = 0; lane < 2; lane++) {
                buf_lit(b, LOCAL_GET);
                buf_u32(b, k);
                buf_lit(b, F64X2_EXTRACT_LANE);
                buf_byte(b, (uint8_t)lane);
                double w = 19;
                uint64_t bits;
                memcpy(&bits, &w, 8);
                buf_f64_const(b, bits);
                buf_lit(b, F64_MUL_OP F64_ADD_OP);
            }
            continue;
        }
        buf_lit(b, LOCAL_GET);
        buf_u32(b, k);
        if (k < 7)
            buf_lit(b, F64_CONVERT_I32_S);
        else if (k == 16)
            buf_lit(b, F64_CONVERT_I64_S);
        else if (k == 17)
            buf_lit(b, F64_PROMOTE_F32);
        double w = k + 1;
        uint64_t bits;
        memcpy(&bits, &w, 8);
        buf_f64_const(b, bits);
        buf_lit(b, F64_MUL_OP F64_ADD_OP);
    }
}

/* Pushes every parameter of the enclosing wide-typed function. */
static void forward_params(lw_buf *b, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        buf_lit(b, LOCAL_GET);
        buf_u32(b, k);
    }
}

static const int32_t wide_i[7] = {1, -2, 3, -4, 5, -6, 7};
static const double wide_d[9] = {0.5, 1.5, -2.5, 3.25, 4.125, -5.0, 6.0,
                                 7.75, -8.5};
static const int64_t wide_l = -123456789012LL;
static const float wide_f = 2.5f;

static welf_v128 wide_v(void)
{
    double lanes[2] = {10.25, -3.5};
    welf_v128 v;
    memcpy(&v, lanes, 16);
    return v;
}

static void wide_args(welf_val *a)
{
    for (int k = 0; k < 7; k++)
        a[k] = I32(wide_i[k]);
    for (int k = 0; k < 9; k++)
        a[7 + k] = F64(wide_d[k]);
    a[16] = I64(wide_l);
    a[17] = F32(wide_f);
    a[18].type = WELF_TYPE_V128;
    welf_v128 v = wide_v();
    memcpy(a[18].of.v128, &v, 16);
}

static double wide_expected(void)
{
    return wide_value(wide_i, wide_d, wide_l, wide_f, wide_v());
}

/* ---- the host functions and the module ---- */

static welf_funcref *host(const welf_functype_info *type, bool typed,
                          void *fn, seen *s)
{
    welf_funcref *f;
    welf_error err;
    welf_status st =
        typed ? welf_func_new_typed(lw_engine(), type, (void (*)(void))fn, s,
                                    &f, &err)
              : welf_func_new_host(lw_engine(), type, (welf_host_fn)fn, s,
                                   &f, &err);
    cr_assert_eq(st, WELF_OK, "%s", err.message);
    return f;
}

static void typed_trap(welf_host *self, welf_caller *caller)
{
    (void)self;
    (void)caller;
    welf_trap_raise(WELF_TRAP_CODE_INT_OVERFLOW);
}

static void untyped_trap(welf_host *self, welf_caller *caller,
                         welf_val_raw *args, size_t len)
{
    (void)self;
    (void)caller;
    (void)args;
    (void)len;
    welf_trap_raise(WELF_TRAP_CODE_NULL_REFERENCE);
}

static void typed_exit(welf_host *self, welf_caller *caller, int32_t code)
{
    (void)self;
    (void)caller;
    welf_exit_raise(code);
}

typedef struct world {
    seen typed_seen, untyped_seen;
    welf_funcref *typed_mix, *untyped_mix, *typed_wide, *untyped_wide;
    welf_funcref *typed_trap, *untyped_trap, *typed_exit;
    welf_instance *lib;          /* exports mix and wide */
    welf_instance *app;          /* imports the hosts and lib's functions */
} world;

/* Import order of the app module. */
enum {
    IMP_TYPED_MIX, IMP_UNTYPED_MIX, IMP_LIB_MIX,
    IMP_TYPED_WIDE, IMP_UNTYPED_WIDE, IMP_LIB_WIDE,
    IMP_TYPED_TRAP, IMP_UNTYPED_TRAP, IMP_TYPED_EXIT, IMP_COUNT
};

static void make_lib(world *w, int opt)
{
    lw_mod m;
    mod_init(&m, 0);
    FUNC(&m, "mix", "il", "f", "",
         LOCAL_GET "\x00" F32_CONVERT_I32_S
         LOCAL_GET "\x01" F32_CONVERT_I64_S
         F32_CONST "\x00\x00\x00\x3f" F32_MUL F32_ADD);
    lw_buf body = {0};
    wide_body(&body);
    mod_func(&m, "wide", "iiiiiiidddddddddlfv", "d", "", body.data,
             body.len);
    buf_free(&body);
    FUNC(&m, "trap", "", "", "", UNREACHABLE);
    w->lib = mod_instantiate(&m, opt, NULL, 0);
    mod_free(&m);
}

/*
 * app: call_K (params) -> result calls import K directly; indirect_mix
 * (a, b, slot) and indirect_wide (..., slot) call table slot `slot`,
 * which holds [typed, untyped, lib] in that order for each signature
 * (mix in slots 0..2, wide in 3..5).
 */
static void make_app(world *w, int opt)
{
    lw_mod m;
    mod_init(&m, 0);
    mod_type_at(&m, 0, "il", "f");
    mod_type_at(&m, 1, "iiiiiiidddddddddlfv", "d");
    mod_import_func(&m, "host", "typed_mix", "il", "f");
    mod_import_func(&m, "host", "untyped_mix", "il", "f");
    mod_import_func(&m, "lib", "mix", "il", "f");
    mod_import_func(&m, "host", "typed_wide", "iiiiiiidddddddddlfv", "d");
    mod_import_func(&m, "host", "untyped_wide", "iiiiiiidddddddddlfv",
                    "d");
    mod_import_func(&m, "lib", "wide", "iiiiiiidddddddddlfv", "d");
    mod_import_func(&m, "host", "typed_trap", "", "");
    mod_import_func(&m, "host", "untyped_trap", "", "");
    mod_import_func(&m, "host", "typed_exit", "i", "");
    static const char *const names[] = {
        "call_typed_mix", "call_untyped_mix", "call_lib_mix",
        "call_typed_wide", "call_untyped_wide", "call_lib_wide"};
    for (uint32_t k = 0; k < 6; k++) {
        bool wide = k >= 3;
        lw_buf b = {0};
        forward_params(&b, wide ? WIDE_N : 2);
        buf_lit(&b, CALL);
        buf_u32(&b, k);
        mod_func(&m, names[k], wide ? "iiiiiiidddddddddlfv" : "il",
                 wide ? "d" : "f", "", b.data, b.len);
        buf_free(&b);
    }
    /* The slot comes last: indirect_wide's stack arguments then take 8
     * mod 16 bytes with a v128 among them, the case of the wasm
     * convention's padding parameter (welf_lower_type_padded). */
    lw_buf b = {0};
    forward_params(&b, 2);
    buf_lit(&b, LOCAL_GET "\x02" CALL_INDIRECT "\x00\x00");
    mod_func(&m, "indirect_mix", "ili", "f", "", b.data, b.len);
    buf_free(&b);
    b = (lw_buf){0};
    forward_params(&b, WIDE_N);
    buf_lit(&b, LOCAL_GET);
    buf_u32(&b, WIDE_N);
    buf_lit(&b, CALL_INDIRECT "\x01\x00");
    mod_func(&m, "indirect_wide", "iiiiiiidddddddddlfvi", "d", "", b.data,
             b.len);
    buf_free(&b);
    FUNC(&m, "call_typed_trap", "", "", "", CALL "\x06");
    FUNC(&m, "call_untyped_trap", "", "", "", CALL "\x07");
    FUNC(&m, "call_exit", "i", "", "", LOCAL_GET "\x00" CALL "\x08");
    FUNC(&m, "wasm_trap", "", "", "", UNREACHABLE);
    mod_table(&m, 'r', 6, LW_NO_MAX, NULL);
    mod_elem(&m, SEG_ACTIVE, 0, 0,
             (const uint32_t[]){IMP_TYPED_MIX, IMP_UNTYPED_MIX, IMP_LIB_MIX,
                                IMP_TYPED_WIDE, IMP_UNTYPED_WIDE,
                                IMP_LIB_WIDE},
             6);
    welf_extern imports[IMP_COUNT] = {
        [IMP_TYPED_MIX] = {WELF_EXTERN_FUNC, {.func = w->typed_mix}},
        [IMP_UNTYPED_MIX] = {WELF_EXTERN_FUNC, {.func = w->untyped_mix}},
        [IMP_LIB_MIX] = {WELF_EXTERN_FUNC, {.func = lw_func(w->lib, "mix")}},
        [IMP_TYPED_WIDE] = {WELF_EXTERN_FUNC, {.func = w->typed_wide}},
        [IMP_UNTYPED_WIDE] = {WELF_EXTERN_FUNC, {.func = w->untyped_wide}},
        [IMP_LIB_WIDE] = {WELF_EXTERN_FUNC,
                          {.func = lw_func(w->lib, "wide")}},
        [IMP_TYPED_TRAP] = {WELF_EXTERN_FUNC, {.func = w->typed_trap}},
        [IMP_UNTYPED_TRAP] = {WELF_EXTERN_FUNC, {.func = w->untyped_trap}},
        [IMP_TYPED_EXIT] = {WELF_EXTERN_FUNC, {.func = w->typed_exit}},
    };
    w->app = mod_instantiate(&m, opt, imports, IMP_COUNT);
    mod_free(&m);
}

static void make_world(world *w, int opt)
{
    memset(w, 0, sizeof *w);
    w->typed_mix = host(&mix_type, true, (void *)typed_mix, &w->typed_seen);
    w->untyped_mix = host(&mix_type, false, (void *)untyped_mix,
                          &w->untyped_seen);
    w->typed_wide = host(&wide_type, true, (void *)typed_wide,
                         &w->typed_seen);
    w->untyped_wide = host(&wide_type, false, (void *)untyped_wide,
                           &w->untyped_seen);
    static const welf_functype_info none = {0, 0, NULL, NULL};
    static const uint8_t i32[] = {WELF_TYPE_I32};
    static const welf_functype_info exit_type = {1, 0, i32, NULL};
    w->typed_trap = host(&none, true, (void *)typed_trap, NULL);
    w->untyped_trap = host(&none, false, (void *)untyped_trap, NULL);
    w->typed_exit = host(&exit_type, true, (void *)typed_exit, NULL);
    make_lib(w, opt);
    make_app(w, opt);
}

/* ---- C as the caller ---- */

/* Calls f typed inside a trap frame; the frame's status in *st. */
static float typed_call_mix(welf_funcref *f, int32_t a, int64_t b,
                            welf_status *st)
{
    mix_fn *fn;
    welf_error err;
    cr_assert_eq(welf_func_native(f, &mix_type, (void **)&fn, &err), WELF_OK,
                 "%s", err.message);
    welf_trap_frame frame;
    volatile float r = 0;
    welf_trap_frame_push(lw_engine(), &frame);
    if (setjmp(frame.env) == 0)
        r = fn(f->vmctx, NULL, a, b);
    *st = welf_trap_frame_pop(&frame, &err);
    return r;
}

static double typed_call_wide(welf_funcref *f)
{
    wide_fn *fn;
    welf_error err;
    cr_assert_eq(welf_func_native(f, &wide_type, (void **)&fn, &err),
                 WELF_OK, "%s", err.message);
    welf_trap_frame frame;
    volatile double r = 0;
    welf_trap_frame_push(lw_engine(), &frame);
    if (setjmp(frame.env) == 0)
        r = fn(f->vmctx, NULL, wide_i[0], wide_i[1], wide_i[2], wide_i[3],
               wide_i[4], wide_i[5], wide_i[6], wide_d[0], wide_d[1],
               wide_d[2], wide_d[3], wide_d[4], wide_d[5], wide_d[6],
               wide_d[7], wide_d[8], wide_l, wide_f, wide_v());
    cr_assert_eq(welf_trap_frame_pop(&frame, &err), WELF_OK, "%s",
                 err.message);
    return r;
}

static float untyped_call_mix(welf_funcref *f, int32_t a, int64_t b)
{
    welf_val args[2] = {I32(a), I64(b)}, r;
    welf_error err;
    cr_assert_eq(welf_func_call(f, args, 2, &r, 1, &err), WELF_OK, "%s",
                 err.message);
    return r.of.f32;
}

static double untyped_call_wide(welf_funcref *f)
{
    welf_val args[WIDE_N], r;
    wide_args(args);
    welf_error err;
    cr_assert_eq(welf_func_call(f, args, WIDE_N, &r, 1, &err), WELF_OK,
                 "%s", err.message);
    return r.of.f64;
}

Test(pairings, c_to_every_kind_typed_and_untyped)
{
    int opt;
    FOR_EACH_OPT(opt) {
        world w;
        make_world(&w, opt);
        struct {
            const char *name;
            welf_funcref *mix, *wide;
            seen *s;
        } callees[] = {
            {"wasm", lw_func(w.lib, "mix"), lw_func(w.lib, "wide"), NULL},
            {"typed host", w.typed_mix, w.typed_wide, &w.typed_seen},
            {"untyped host", w.untyped_mix, w.untyped_wide,
             &w.untyped_seen},
        };
        for (size_t k = 0; k < 3; k++) {
            welf_status st;
            int calls = callees[k].s ? callees[k].s->calls : 0;
            float r = typed_call_mix(callees[k].mix, 7, -9, &st);
            cr_assert_eq(st, WELF_OK);
            cr_assert_eq(r, mix_value(7, -9), "-O%d typed -> %s: %g", opt,
                         callees[k].name, r);
            r = untyped_call_mix(callees[k].mix, -3, 1001);
            cr_assert_eq(r, mix_value(-3, 1001), "-O%d untyped -> %s: %g",
                         opt, callees[k].name, r);
            double d = typed_call_wide(callees[k].wide);
            cr_assert_eq(d, wide_expected(), "-O%d typed wide -> %s: %.17g",
                         opt, callees[k].name, d);
            d = untyped_call_wide(callees[k].wide);
            cr_assert_eq(d, wide_expected(),
                         "-O%d untyped wide -> %s: %.17g", opt,
                         callees[k].name, d);
            if (callees[k].s) {
                cr_assert_eq(callees[k].s->calls, calls + 4);
                cr_assert_null(callees[k].s->caller,
                               "a host called from C has no caller");
            }
        }
    }
}

/* ---- wasm as the caller ---- */

Test(pairings, wasm_to_every_kind_direct_and_indirect)
{
    int opt;
    FOR_EACH_OPT(opt) {
        world w;
        make_world(&w, opt);
        static const char *const direct_mix[] = {
            "call_typed_mix", "call_untyped_mix", "call_lib_mix"};
        static const char *const direct_wide[] = {
            "call_typed_wide", "call_untyped_wide", "call_lib_wide"};
        seen *hosts[] = {&w.typed_seen, &w.untyped_seen, NULL};
        for (int k = 0; k < 3; k++) {
            int calls = hosts[k] ? hosts[k]->calls : 0;
            /* untyped from C into wasm that calls the callee */
            float r = untyped_call_mix(lw_func(w.app, direct_mix[k]), 11,
                                       -40);
            cr_assert_eq(r, mix_value(11, -40), "-O%d %s: %g", opt,
                         direct_mix[k], r);
            /* typed from C into wasm that calls the callee */
            welf_status st;
            r = typed_call_mix(lw_func(w.app, direct_mix[k]), 5, 6, &st);
            cr_assert_eq(st, WELF_OK);
            cr_assert_eq(r, mix_value(5, 6), "-O%d typed %s: %g", opt,
                         direct_mix[k], r);
            double d = untyped_call_wide(lw_func(w.app, direct_wide[k]));
            cr_assert_eq(d, wide_expected(), "-O%d %s: %.17g", opt,
                         direct_wide[k], d);
            d = typed_call_wide(lw_func(w.app, direct_wide[k]));
            cr_assert_eq(d, wide_expected(), "-O%d typed %s: %.17g", opt,
                         direct_wide[k], d);
            if (hosts[k]) {
                cr_assert_eq(hosts[k]->calls, calls + 4);
                cr_assert_eq(welf_caller_instance(hosts[k]->caller), w.app,
                             "-O%d %s: the caller is the calling instance",
                             opt, direct_mix[k]);
                cr_assert_not_null(welf_caller_instance(hosts[k]->caller));
            }
        }
        for (int slot = 0; slot < 3; slot++) {
            welf_val args[3] = {I32(-8), I64(77), I32(slot)}, r;
            welf_error err;
            cr_assert_eq(welf_func_call(lw_func(w.app, "indirect_mix"), args,
                                        3, &r, 1, &err),
                         WELF_OK, "%s", err.message);
            cr_assert_eq(r.of.f32, mix_value(-8, 77),
                         "-O%d call_indirect slot %d: %g", opt, slot,
                         r.of.f32);
            welf_val wargs[WIDE_N + 1];
            wide_args(wargs);
            wargs[WIDE_N] = I32(3 + slot);
            cr_assert_eq(welf_func_call(lw_func(w.app, "indirect_wide"),
                                        wargs, WIDE_N + 1, &r, 1, &err),
                         WELF_OK, "%s", err.message);
            cr_assert_eq(r.of.f64, wide_expected(),
                         "-O%d call_indirect wide slot %d: %.17g", opt,
                         3 + slot, r.of.f64);
        }
        /* A mix-typed slot called as wide is a type mismatch. */
        welf_val wargs[WIDE_N + 1], r;
        wide_args(wargs);
        wargs[WIDE_N] = I32(0);
        welf_error err;
        cr_assert_eq(welf_func_call(lw_func(w.app, "indirect_wide"), wargs,
                                    WIDE_N + 1, &r, 1, &err),
                     WELF_ERR_TRAP);
        cr_assert_eq(err.trap_code, WELF_TRAP_CODE_INDIRECT_TYPE);
    }
}

/* ---- traps and exits ---- */

Test(pairings, traps_reach_the_outermost_caller)
{
    world w;
    make_world(&w, 2);
    struct {
        const char *func;
        welf_trap_code code;
    } cases[] = {
        {"call_typed_trap", WELF_TRAP_CODE_INT_OVERFLOW},
        {"call_untyped_trap", WELF_TRAP_CODE_NULL_REFERENCE},
        {"wasm_trap", WELF_TRAP_CODE_UNREACHABLE},
    };
    for (size_t k = 0; k < 3; k++) {
        welf_error err;
        /* untyped: welf_func_call's own frame */
        cr_assert_eq(welf_func_call(lw_func(w.app, cases[k].func), NULL, 0,
                                    NULL, 0, &err),
                     WELF_ERR_TRAP, "%s", cases[k].func);
        cr_assert_eq(err.trap_code, cases[k].code, "%s: %s", cases[k].func,
                     err.message);
        /* typed: the caller's frame */
        typedef void void_fn(void *, void *);
        static const welf_functype_info none = {0, 0, NULL, NULL};
        void_fn *fn;
        welf_funcref *f = lw_func(w.app, cases[k].func);
        cr_assert_eq(welf_func_native(f, &none, (void **)&fn, &err), WELF_OK);
        welf_trap_frame frame;
        volatile int after = 0;
        welf_trap_frame_push(lw_engine(), &frame);
        if (setjmp(frame.env) == 0) {
            fn(f->vmctx, NULL);
            after = 1;
        }
        cr_assert_eq(welf_trap_frame_pop(&frame, &err), WELF_ERR_TRAP);
        cr_assert_eq(err.trap_code, cases[k].code, "%s typed: %s",
                     cases[k].func, err.message);
        cr_assert_eq(after, 0, "the call did not return");
    }
    /* The engine still works after the traps. */
    cr_assert_eq(untyped_call_mix(lw_func(w.app, "call_typed_mix"), 1, 2),
                 mix_value(1, 2));

    /* A host called directly from C traps into the caller's frame too. */
    welf_error err;
    cr_assert_eq(welf_func_call(w.typed_trap, NULL, 0, NULL, 0, &err),
                 WELF_ERR_TRAP);
    cr_assert_eq(err.trap_code, WELF_TRAP_CODE_INT_OVERFLOW);
}

Test(pairings, exit_is_not_a_trap)
{
    world w;
    make_world(&w, 0);
    welf_val arg = I32(42);
    welf_error err;
    cr_assert_eq(welf_func_call(lw_func(w.app, "call_exit"), &arg, 1, NULL,
                                0, &err),
                 WELF_ERR_EXIT);
    cr_assert_eq(err.exit_code, 42);
    cr_assert_str_eq(err.message, "exited with status 42");
}

/* ---- signatures ---- */

Test(pairings, typed_calls_check_the_signature)
{
    world w;
    make_world(&w, 0);
    welf_funcref *all[] = {lw_func(w.lib, "mix"), w.typed_mix,
                           w.untyped_mix};
    for (size_t k = 0; k < 3; k++) {
        void *entry = (void *)1;
        welf_error err;
        cr_assert_eq(welf_func_native(all[k], &wide_type, &entry, &err),
                     WELF_ERR_USAGE);
        cr_assert_null(entry);
        cr_assert(strstr(err.message, "expected (i32, i32") &&
                      strstr(err.message, "the function is (i32, i64) -> "
                                          "f32"),
                  "%s", err.message);
        cr_assert_eq(welf_func_check_type(all[k], &mix_type, &err), WELF_OK);
    }
    /* Several results: no native entry, and no typed host either. */
    static const uint8_t two[] = {WELF_TYPE_I32, WELF_TYPE_I32};
    welf_functype_info two_results = {0, 2, NULL, two};
    welf_funcref *f;
    welf_error err;
    cr_assert_eq(welf_func_new_typed(lw_engine(), &two_results,
                                     (void (*)(void))typed_trap, NULL, &f,
                                     &err),
                 WELF_ERR_USAGE);
    cr_assert_eq(welf_func_new_host(lw_engine(), &two_results,
                                    untyped_trap, NULL, &f, &err),
                 WELF_OK);
    void *entry;
    cr_assert_eq(welf_func_native(f, &two_results, &entry, &err),
                 WELF_ERR_USAGE);
    cr_assert(strstr(err.message, "no native entry"), "%s", err.message);
}
