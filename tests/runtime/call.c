/*
 * tests/runtime/call.c — runtime/call.c: welf_func_call with arguments
 * and results of every type, its signature checks, host functions
 * called directly and from wasm, nested host -> wasm -> host -> wasm
 * calls with traps at the inner level, and welf_func_type.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "internal.h"
#include "support.h"

Test(rt_call, arguments_and_results)
{
    rt_fixture fx;
    rt_setup(&fx);
    int32_t args[2] = {7, -3};
    cr_assert_eq(rt_call_i32(fx.inst, "add", 2, args), 4);
    cr_assert_eq(rt_call_i32(fx.inst, "sub", 2, args), 10);
    cr_assert_eq(rt_call_i32(fx.inst, "mul", 2, args), -21);
    cr_assert_eq(rt_call_i32(fx.inst, "div_s", 2, args), -2);

    /* several types in, several results out */
    welf_val in[3] = {{.type = WELF_TYPE_I64, .of.i64 = INT64_C(1) << 40},
                      {.type = WELF_TYPE_F32, .of.f32 = 0.5f},
                      {.type = WELF_TYPE_F64, .of.f64 = 0.25}};
    welf_val out[2];
    welf_error err;
    cr_assert_eq(welf_func_call(rt_func(fx.inst, "mix"), in, 3, out, 2, &err),
                 WELF_OK, "%s", err.message);
    cr_assert_eq(out[0].type, WELF_TYPE_F64);
    cr_assert_eq(out[0].of.f64, 1099511627776.75);
    cr_assert_eq(out[1].type, WELF_TYPE_I64);
    cr_assert_eq(out[1].of.i64, INT64_C(1) << 41);

    welf_val d = {.type = WELF_TYPE_F64, .of.f64 = -7.9};
    cr_assert_eq(welf_func_call(rt_func(fx.inst, "trunc"), &d, 1, out, 1,
                                &err), WELF_OK);
    cr_assert_eq(out[0].of.i32, -7);
    rt_teardown(&fx);
}

Test(rt_call, signature_mismatch_is_usage_error)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_funcref *add = rt_func(fx.inst, "add");
    welf_val args[3] = {{.type = WELF_TYPE_I32, .of.i32 = 1},
                        {.type = WELF_TYPE_I64, .of.i64 = 2},
                        {.type = WELF_TYPE_I32, .of.i32 = 3}};
    welf_val res[2];
    welf_error err;

    cr_assert_eq(welf_func_call(add, args, 2, res, 1, &err), WELF_ERR_USAGE);
    cr_assert(strstr(err.message, "argument 1 is i64, expected i32"), "%s",
              err.message);
    args[1].type = WELF_TYPE_F32;
    cr_assert_eq(welf_func_call(add, args, 2, res, 1, &err), WELF_ERR_USAGE);
    args[1].type = WELF_TYPE_I32;
    cr_assert_eq(welf_func_call(add, args, 1, res, 1, &err), WELF_ERR_USAGE);
    cr_assert_eq(welf_func_call(add, args, 3, res, 1, &err), WELF_ERR_USAGE);
    cr_assert_eq(welf_func_call(add, args, 2, res, 0, &err), WELF_ERR_USAGE);
    cr_assert_eq(welf_func_call(add, args, 2, res, 2, &err), WELF_ERR_USAGE);
    cr_assert_eq(welf_func_call(add, args, 2, NULL, 1, &err),
                 WELF_ERR_USAGE);
    cr_assert_eq(welf_func_call(NULL, args, 2, res, 1, &err),
                 WELF_ERR_USAGE);
    /* nothing was called, and a correct call works */
    cr_assert_eq(welf_func_call(add, args, 2, res, 1, &err), WELF_OK);
    cr_assert_eq(res[0].of.i32, 3);
    rt_teardown(&fx);
}

Test(rt_call, func_type)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_functype_info ti;
    welf_func_type(rt_func(fx.inst, "mix"), &ti);
    cr_assert_eq(ti.param_count, 3);
    cr_assert_eq(ti.result_count, 2);
    cr_assert_eq(ti.params[0], WELF_TYPE_I64);
    cr_assert_eq(ti.params[1], WELF_TYPE_F32);
    cr_assert_eq(ti.params[2], WELF_TYPE_F64);
    cr_assert_eq(ti.results[0], WELF_TYPE_F64);
    cr_assert_eq(ti.results[1], WELF_TYPE_I64);
    welf_func_type(rt_func(fx.inst, "start"), &ti);
    cr_assert_eq(ti.param_count, 0);
    cr_assert_eq(ti.result_count, 0);
    rt_teardown(&fx);
}

/* ---- host functions ---- */

typedef struct echo_state {
    int calls;
    welf_val_raw seen[7];
} echo_state;

/* Takes one value of every type; returns them in reverse order. */
static void echo(welf_host *self, welf_caller *caller,
                 welf_val_raw *io, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    echo_state *s = user;
    s->calls++;
    memcpy(s->seen, io, sizeof s->seen);
    for (int i = 0; i < 7; i++)
        io[i] = s->seen[6 - i];
    return;
}

static const uint8_t all_types[7] = {
    WELF_TYPE_I32, WELF_TYPE_I64, WELF_TYPE_F32, WELF_TYPE_F64,
    WELF_TYPE_V128, WELF_TYPE_FUNCREF, WELF_TYPE_EXTERNREF};
static const uint8_t all_types_rev[7] = {
    WELF_TYPE_EXTERNREF, WELF_TYPE_FUNCREF, WELF_TYPE_V128, WELF_TYPE_F64,
    WELF_TYPE_F32, WELF_TYPE_I64, WELF_TYPE_I32};

Test(rt_call, host_function)
{
    welf_engine *engine;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    echo_state s = {0};
    welf_functype_info ti = {7, 7, all_types, all_types_rev};
    welf_funcref *f;
    cr_assert_eq(welf_func_new_host(engine, &ti, echo, &s, &f, &err),
                 WELF_OK, "%s", err.message);
    cr_assert_not_null(f->array_call);
    cr_assert_null(f->native_call);
    cr_assert_null(f->wasm_call, "no module with this type is loaded");
    cr_assert_eq(f->vmctx, (void *)f, "vmctx is the host record");
    cr_assert_neq(f->type_id, 0);

    int marker;
    welf_val args[7];
    memset(args, 0, sizeof args);
    args[0].type = WELF_TYPE_I32, args[0].of.i32 = -1;
    args[1].type = WELF_TYPE_I64, args[1].of.i64 = INT64_MIN;
    args[2].type = WELF_TYPE_F32, args[2].of.f32 = 1.25f;
    args[3].type = WELF_TYPE_F64, args[3].of.f64 = -2.5;
    args[4].type = WELF_TYPE_V128;
    for (int i = 0; i < 16; i++)
        args[4].of.v128[i] = (uint8_t)(i * 17);
    args[5].type = WELF_TYPE_FUNCREF, args[5].of.func = f;
    args[6].type = WELF_TYPE_EXTERNREF, args[6].of.extern_ref = &marker;
    welf_val res[7];
    cr_assert_eq(welf_func_call(f, args, 7, res, 7, &err), WELF_OK, "%s",
                 err.message);
    cr_assert_eq(s.calls, 1);
    cr_assert_eq(s.seen[0].i32, -1);
    cr_assert_eq(s.seen[1].i64, INT64_MIN);
    for (int i = 0; i < 7; i++)
        cr_assert_eq(res[i].type, all_types_rev[i]);
    cr_assert_eq(res[0].of.extern_ref, &marker);
    cr_assert_eq(res[1].of.func, f);
    cr_assert_eq(memcmp(res[2].of.v128, args[4].of.v128, 16), 0);
    cr_assert_eq(res[3].of.f64, -2.5);
    cr_assert_eq(res[4].of.f32, 1.25f);
    cr_assert_eq(res[5].of.i64, INT64_MIN);
    cr_assert_eq(res[6].of.i32, -1);

    welf_functype_info got;
    welf_func_type(f, &got);
    cr_assert_eq(got.param_count, 7);
    cr_assert_eq(memcmp(got.params, all_types, 7), 0);
    cr_assert_eq(memcmp(got.results, all_types_rev, 7), 0);

    /* bad signatures */
    const uint8_t bad[] = {0x40};
    welf_functype_info bad_ti = {1, 0, bad, NULL};
    cr_assert_eq(welf_func_new_host(engine, &bad_ti, echo, &s, &f, &err),
                 WELF_ERR_USAGE);
    cr_assert_null(f);
    cr_assert_eq(welf_func_new_host(engine, &ti, NULL, &s, &f, &err),
                 WELF_ERR_USAGE);
    welf_engine_free(engine);
}

static void host_trap(welf_host *self, welf_caller *caller,
                      welf_val_raw *args, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    (void)user;
    (void)args;
    welf_trap_raise(WELF_TRAP_CODE_NULL_REFERENCE);
}

Test(rt_call, host_function_traps)
{
    welf_engine *engine;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    welf_functype_info ti = {0, 0, NULL, NULL};
    welf_funcref *f;
    cr_assert_eq(welf_func_new_host(engine, &ti, host_trap, NULL, &f, &err),
                 WELF_OK);
    welf_status st = welf_func_call(f, NULL, 0, NULL, 0, &err);
    rt_assert_trap(st, &err, WELF_TRAP_CODE_NULL_REFERENCE,
                   "null reference");
    welf_engine_free(engine);
}

/* ---- nesting: host -> wasm (rt_imports) -> host -> wasm (rt_basic) ---- */

typedef struct nest_state {
    welf_instance *basic;     /* rt_basic */
    welf_instance *imp;       /* rt_imports, once instantiated */
    welf_status inner_status;
    welf_error inner_err;
} nest_state;

/*
 * $f of rt_imports:
 *   x == 1000: one more level, call_f(9) through rt_imports, plus 1000;
 *   x >= 0:    rt_basic's div_s(100, x), a trap (x == 0) swallowed: -1;
 *   x < 0:     rt_basic's trap(-x), passed on as this function's trap.
 */
/* Ends a host function with a trap when code is not 0. */
static void host_trap_if(int code)
{
    if (code != 0)
        welf_trap_raise((welf_trap_code)code);
}

static void nested_host(welf_host *self, welf_caller *caller,
                        welf_val_raw *io, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    nest_state *s = user;
    int32_t x = io[0].i32;
    welf_val args[2], res;
    if (x == 1000) {
        args[0] = (welf_val){.type = WELF_TYPE_I32, .of.i32 = 9};
        s->inner_status = welf_func_call(rt_func(s->imp, "call_f"), args, 1,
                                         &res, 1, &s->inner_err);
        io[0].i32 = s->inner_status == WELF_OK ? res.of.i32 + 1000 : -1;
        return;
    }
    if (x >= 0) {
        args[0] = (welf_val){.type = WELF_TYPE_I32, .of.i32 = 100};
        args[1] = (welf_val){.type = WELF_TYPE_I32, .of.i32 = x};
        s->inner_status = welf_func_call(rt_func(s->basic, "div_s"), args, 2,
                                         &res, 1, &s->inner_err);
        io[0].i32 = s->inner_status == WELF_OK ? res.of.i32 : -1;
        return;
    }
    args[0] = (welf_val){.type = WELF_TYPE_I32, .of.i32 = -x};
    s->inner_status = welf_func_call(rt_func(s->basic, "trap"), args, 1, NULL,
                                     0, &s->inner_err);
    host_trap_if(s->inner_status == WELF_ERR_TRAP ? (int)s->inner_err.trap_code : 0);
}

Test(rt_call, nested_calls_and_traps)
{
    welf_engine *engine;
    welf_module *mb, *mi;
    welf_error err;
    nest_state s;
    memset(&s, 0, sizeof s);
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    cr_assert_eq(welf_module_from_desc(engine, &welf_module_rt_basic, NULL,
                                       &mb, &err), WELF_OK);
    cr_assert_eq(welf_instance_new(mb, NULL, 0, &s.basic, &err), WELF_OK);
    cr_assert_eq(welf_module_from_desc(engine, &welf_module_rt_imports, NULL,
                                       &mi, &err), WELF_OK);

    const uint8_t sig[] = {WELF_TYPE_I32, WELF_TYPE_I32};
    welf_functype_info ti = {1, 1, sig, sig + 1};
    welf_extern im[5];
    memset(im, 0, sizeof im);
    im[0].kind = WELF_EXTERN_FUNC;
    cr_assert_eq(welf_func_new_host(engine, &ti, nested_host, &s,
                                    &im[0].u.func, &err), WELF_OK);
    im[1].kind = WELF_EXTERN_TABLE;
    cr_assert_eq(welf_table_new(engine, WELF_TYPE_FUNCREF,
                                (welf_limits_info){2, 2, true}, &im[1].u.table,
                                &err), WELF_OK);
    /* rt_basic's memory is 1..3 pages: too loose for (memory 1 2) */
    im[2].kind = WELF_EXTERN_MEMORY;
    cr_assert_eq(welf_memory_new(engine, (welf_limits_info){1, 1, true},
                                 &im[2].u.memory, &err), WELF_OK);
    im[3].kind = WELF_EXTERN_GLOBAL;
    cr_assert_eq(welf_global_new(engine, (welf_val){.type = WELF_TYPE_I32},
                                 false, &im[3].u.global, &err), WELF_OK);
    im[4].kind = WELF_EXTERN_GLOBAL;
    cr_assert_eq(welf_global_new(engine, (welf_val){.type = WELF_TYPE_I64},
                                 true, &im[4].u.global, &err), WELF_OK);

    /* the start function calls $f(0): div_s(100, 0) traps inside the
     * host, which swallows it */
    cr_assert_eq(welf_instance_new(mi, im, 5, &s.imp, &err), WELF_OK, "%s",
                 err.message);
    cr_assert_eq(s.inner_status, WELF_ERR_TRAP);
    cr_assert_eq(s.inner_err.trap_code, WELF_TRAP_CODE_INT_DIV_ZERO);

    int32_t x[1] = {4}; /* call_f passes x + 1 to $f */
    cr_assert_eq(rt_call_i32(s.imp, "call_f", 1, x), 20);
    cr_assert_eq(s.inner_status, WELF_OK);

    x[0] = -1; /* an inner trap, swallowed: the outer call succeeds */
    cr_assert_eq(rt_call_i32(s.imp, "call_f", 1, x), -1);
    cr_assert_eq(s.inner_status, WELF_ERR_TRAP);
    cr_assert_str_eq(s.inner_err.message, "integer divide by zero");

    x[0] = -3; /* an inner trap passed on: the outer call traps too */
    welf_status st = rt_call_status(s.imp, "call_f", 1, x, 1, &err);
    rt_assert_trap(st, &err, WELF_TRAP_CODE_INT_DIV_ZERO,
                   "integer divide by zero");
    cr_assert_eq(s.inner_err.trap_code, WELF_TRAP_CODE_INT_DIV_ZERO);

    x[0] = 999; /* host -> wasm -> host -> wasm -> host -> wasm */
    cr_assert_eq(rt_call_i32(s.imp, "call_f", 1, x), 1010);

    /* both instances still work, and no limit is left behind */
    int32_t ab[2] = {2, 3};
    cr_assert_eq(rt_call_i32(s.basic, "add", 2, ab), 5);
    cr_assert_eq(engine->call_state.stack_limit, 0);
    welf_engine_free(engine);
}
