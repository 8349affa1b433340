/*
 * tests/runtime/trap.c — runtime/trap.c: every trap the fixtures can
 * raise (through builtins->trap, host functions, guard-page faults and
 * the stack limit), each with the spec's message and the engine usable
 * after it; and faults that are not wasm's (outside any memory, or
 * outside any call) reaching the previous handler or killing the
 * process as they would without welf.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "support.h"

static rt_fixture fx;

static void setup(void)
{
    rt_setup(&fx);
}

static void teardown(void)
{
    rt_teardown(&fx);
}

TestSuite(rt_trap, .init = setup, .fini = teardown);

/* Calls `name` with i32 arguments, expects the trap, then checks that
 * the instance still works. */
static void expect_trap(const char *name, size_t argc, const int32_t *argv,
                        size_t results, welf_trap_code code,
                        const char *message)
{
    welf_error err;
    welf_status st = rt_call_status(fx.inst, name, argc, argv, results, &err);
    rt_assert_trap(st, &err, code, message);
    int32_t ab[2] = {20, 22};
    cr_assert_eq(rt_call_i32(fx.inst, "add", 2, ab), 42, "after %s", name);
    cr_assert_eq(fx.engine->call_state.stack_limit, 0);
}

Test(rt_trap, messages)
{
    const char *const want[] = {
        "no trap",
        "unreachable",
        "integer divide by zero",
        "integer overflow",
        "invalid conversion to integer",
        "out of bounds memory access",
        "out of bounds table access",
        "uninitialized element",
        "indirect call type mismatch",
        "call stack exhausted",
        "null reference",
        "undefined element",
    };
    for (int i = 0; i < (int)(sizeof want / sizeof want[0]); i++)
        cr_assert_str_eq(welf_trap_message((welf_trap_code)i), want[i]);
    cr_assert_str_eq(welf_trap_message((welf_trap_code)99), "unknown trap");
}

Test(rt_trap, every_code_through_builtins)
{
    for (int32_t code = WELF_TRAP_CODE_UNREACHABLE;
         code <= WELF_TRAP_CODE_UNDEFINED_ELEMENT; code++) {
        /* The element traps name the element (detail 0 here). */
        char want[64];
        bool element = code == WELF_TRAP_CODE_INDIRECT_NULL ||
                       code == WELF_TRAP_CODE_UNDEFINED_ELEMENT;
        snprintf(want, sizeof want, element ? "%s 0" : "%s",
                 welf_trap_message((welf_trap_code)code));
        expect_trap("trap", 1, &code, 0, (welf_trap_code)code, want);
    }
}

Test(rt_trap, arithmetic)
{
    int32_t div0[2] = {1, 0};
    expect_trap("div_s", 2, div0, 1, WELF_TRAP_CODE_INT_DIV_ZERO,
                "integer divide by zero");
    int32_t ovf[2] = {INT32_MIN, -1};
    expect_trap("div_s", 2, ovf, 1, WELF_TRAP_CODE_INT_OVERFLOW,
                "integer overflow");

    welf_funcref *trunc = rt_func(fx.inst, "trunc");
    welf_val arg = {.type = WELF_TYPE_F64, .of.f64 = NAN}, res;
    welf_error err;
    rt_assert_trap(welf_func_call(trunc, &arg, 1, &res, 1, &err), &err,
                   WELF_TRAP_CODE_BAD_CONVERSION,
                   "invalid conversion to integer");
    arg.of.f64 = 3e9;
    rt_assert_trap(welf_func_call(trunc, &arg, 1, &res, 1, &err), &err,
                   WELF_TRAP_CODE_INT_OVERFLOW, "integer overflow");
    arg.of.f64 = -2147483648.9;
    cr_assert_eq(welf_func_call(trunc, &arg, 1, &res, 1, &err), WELF_OK);
    cr_assert_eq(res.of.i32, INT32_MIN);
}

Test(rt_trap, call_indirect)
{
    /* table: [null, add, sub, start] */
    int32_t args[3] = {0, 1, 2};
    expect_trap("call_indirect", 3, args, 1, WELF_TRAP_CODE_INDIRECT_NULL,
                "uninitialized element 0");
    args[0] = 3;
    expect_trap("call_indirect", 3, args, 1, WELF_TRAP_CODE_INDIRECT_TYPE,
                "indirect call type mismatch");
    args[0] = 4;
    expect_trap("call_indirect", 3, args, 1,
                WELF_TRAP_CODE_UNDEFINED_ELEMENT, "undefined element 4");
    args[0] = 1;
    cr_assert_eq(rt_call_i32(fx.inst, "call_indirect", 3, args), 3);
}

Test(rt_trap, guard_page_faults)
{
    int32_t addr[1] = {65536};
    expect_trap("load", 1, addr, 1, WELF_TRAP_CODE_MEMORY_OOB,
                "out of bounds memory access");
    addr[0] = 65533; /* straddles the end */
    expect_trap("load", 1, addr, 1, WELF_TRAP_CODE_MEMORY_OOB,
                "out of bounds memory access");
    addr[0] = -1;    /* 0xffffffff */
    expect_trap("load", 1, addr, 1, WELF_TRAP_CODE_MEMORY_OOB,
                "out of bounds memory access");
    expect_trap("store_far", 0, NULL, 0, WELF_TRAP_CODE_MEMORY_OOB,
                "out of bounds memory access");
    /* again and again: the handler stays in place */
    for (int i = 0; i < 100; i++) {
        addr[0] = 70000 + i;
        expect_trap("load", 1, addr, 1, WELF_TRAP_CODE_MEMORY_OOB,
                    "out of bounds memory access");
    }
    addr[0] = 65532;
    cr_assert_eq(rt_call_i32(fx.inst, "load", 1, addr), 0);

    /* after memory.grow the same address is fine */
    int32_t one[1] = {1};
    cr_assert_eq(rt_call_i32(fx.inst, "grow", 1, one), 1);
    addr[0] = 65536;
    cr_assert_eq(rt_call_i32(fx.inst, "load", 1, addr), 0);
}

Test(rt_trap, stack_exhausted)
{
    int32_t depth[1] = {1000};
    cr_assert_eq(rt_call_i32(fx.inst, "recurse", 1, depth), 1000);
    depth[0] = INT32_MAX;
    expect_trap("recurse", 1, depth, 1, WELF_TRAP_CODE_STACK_EXHAUSTED,
                "call stack exhausted");
    expect_trap("recurse", 1, depth, 1, WELF_TRAP_CODE_STACK_EXHAUSTED,
                "call stack exhausted");
}

/* Ends a host function with a trap when code is not 0. */
static void host_trap_if(int code)
{
    if (code != 0)
        welf_trap_raise((welf_trap_code)code);
}

static void host_code(welf_host *self, welf_caller *caller,
                      welf_val_raw *args, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    (void)args;
    host_trap_if(*(int *)user);
}

Test(rt_trap, host_codes)
{
    welf_functype_info ti = {0, 0, NULL, NULL};
    welf_funcref *f;
    welf_error err;
    int code = WELF_TRAP_CODE_UNREACHABLE;
    cr_assert_eq(welf_func_new_host(fx.engine, &ti, host_code, &code, &f,
                                    &err), WELF_OK);
    rt_assert_trap(welf_func_call(f, NULL, 0, NULL, 0, &err), &err,
                   WELF_TRAP_CODE_UNREACHABLE, "unreachable");
    code = 99;
    cr_assert_eq(welf_func_call(f, NULL, 0, NULL, 0, &err), WELF_ERR_TRAP);
    cr_assert_eq(err.trap_code, 99);
    cr_assert_str_eq(err.message, "unknown trap");
    code = 0;
    cr_assert_eq(welf_func_call(f, NULL, 0, NULL, 0, &err), WELF_OK);
}

/* ---- faults that are not traps ---- */

static void host_crash(welf_host *self, welf_caller *caller,
                       welf_val_raw *args, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    (void)args;
    volatile int *bad = user;
    *bad = 1;
    return;
}

/* A wild pointer in a host function during a call: not in any memory. */
Test(rt_trap, segfault_in_call_not_swallowed, .signal = SIGSEGV)
{
    welf_functype_info ti = {0, 0, NULL, NULL};
    welf_funcref *f;
    welf_error err;
    cr_assert_eq(welf_func_new_host(fx.engine, &ti, host_crash, (void *)16,
                                    &f, &err), WELF_OK);
    welf_func_call(f, NULL, 0, NULL, 0, &err);
    cr_assert_fail("the call returned: %s", err.message);
}

/* A fault inside a memory reservation but outside any call is a bug of
 * the host, not a wasm trap. */
Test(rt_trap, segfault_outside_call_not_swallowed, .signal = SIGSEGV)
{
    welf_memory *mem = rt_export(fx.inst, "memory", WELF_EXTERN_MEMORY)
                           .u.memory;
    volatile uint8_t *p = welf_memory_data(mem) + welf_memory_size_bytes(mem);
    *p = 1;
    cr_assert_fail("the store past the end did not fault");
}

Test(rt_trap, segfault_wild_pointer_outside_call, .signal = SIGSEGV)
{
    volatile int *volatile bad = (volatile int *)24;
    *bad = 1;
    cr_assert_fail("no fault");
}

/* A handler installed before the engine still gets faults that are not
 * wasm's. */
static void prior_handler(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)info;
    (void)context;
    _exit(42);
}

Test(rt_trap_chain, previous_handler_called, .exit_code = 42)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = prior_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGSEGV, &sa, NULL), 0);

    rt_fixture local;
    rt_setup(&local);
    /* wasm faults are still traps */
    int32_t addr[1] = {65536};
    welf_error err;
    rt_assert_trap(rt_call_status(local.inst, "load", 1, addr, 1, &err),
                   &err, WELF_TRAP_CODE_MEMORY_OOB,
                   "out of bounds memory access");
    /* others go to the handler that was there before */
    welf_functype_info ti = {0, 0, NULL, NULL};
    welf_funcref *f;
    cr_assert_eq(welf_func_new_host(local.engine, &ti, host_crash,
                                    (void *)16, &f, &err), WELF_OK);
    welf_func_call(f, NULL, 0, NULL, 0, &err);
    cr_assert_fail("the call returned");
}

/* ---- threads: each has its own stack of trap boundaries ---- */

typedef struct thread_result {
    int traps;      /* traps that came back as expected */
    int calls;      /* calls that returned the right value */
} thread_result;

/* Each thread uses its own engine (engines are single-threaded). */
static void *thread_body(void *arg)
{
    thread_result *r = arg;
    welf_engine *engine;
    welf_module *m;
    welf_instance *inst;
    welf_error err;
    if (welf_engine_new(&engine, &err) != WELF_OK)
        return NULL;
    if (welf_module_from_desc(engine, &welf_module_rt_basic, NULL, &m,
                              &err) == WELF_OK &&
        welf_instance_new(m, NULL, 0, &inst, &err) == WELF_OK) {
        welf_extern load, trap, add;
        welf_instance_export(inst, "load", 4, &load, &err);
        welf_instance_export(inst, "trap", 4, &trap, &err);
        welf_instance_export(inst, "add", 3, &add, &err);
        for (int i = 0; i < 200; i++) {
            welf_val a = {.type = WELF_TYPE_I32, .of.i32 = 65536 + i}, res;
            if (welf_func_call(load.u.func, &a, 1, &res, 1, &err) ==
                    WELF_ERR_TRAP &&
                err.trap_code == WELF_TRAP_CODE_MEMORY_OOB)
                r->traps++;
            a.of.i32 = WELF_TRAP_CODE_UNREACHABLE;
            if (welf_func_call(trap.u.func, &a, 1, NULL, 0, &err) ==
                    WELF_ERR_TRAP &&
                err.trap_code == WELF_TRAP_CODE_UNREACHABLE)
                r->traps++;
            welf_val ab[2] = {{.type = WELF_TYPE_I32, .of.i32 = i},
                              {.type = WELF_TYPE_I32, .of.i32 = 1}};
            if (welf_func_call(add.u.func, ab, 2, &res, 1, &err) == WELF_OK &&
                res.of.i32 == i + 1)
                r->calls++;
        }
    }
    welf_engine_free(engine);
    return NULL;
}

Test(rt_trap, traps_on_several_threads)
{
    pthread_t threads[3];
    thread_result results[3];
    memset(results, 0, sizeof results);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, thread_body,
                                    &results[i]), 0);
    /* and this thread at the same time */
    int32_t addr[1] = {65536};
    for (int i = 0; i < 100; i++)
        expect_trap("load", 1, addr, 1, WELF_TRAP_CODE_MEMORY_OOB,
                    "out of bounds memory access");
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(pthread_join(threads[i], NULL), 0);
        cr_assert_eq(results[i].traps, 400, "thread %d", i);
        cr_assert_eq(results[i].calls, 200, "thread %d", i);
    }
}
