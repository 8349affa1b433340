/*
 * main.c — a C host that embeds a precompiled WebAssembly module:
 *
 *   wat2wasm plugin.wat -o plugin.wasm
 *   welf compile plugin.wasm -o plugin.o
 *   cc main.c -lwelf -lelf -o embed && ./embed plugin.o
 *
 * It loads plugin.o at run time, gives it two host functions (one typed,
 * one untyped), resolves the imports once (an instance_pre) and
 * instantiates it twice from that, then calls exports both ways: untyped
 * through welf_func_call and typed through the native entry.
 */
#include <stdio.h>
#include <string.h>

#include <welf.h>

/* State the host functions share, reached through their `data`. */
typedef struct host_state {
    int log_calls;
    double factor;
} host_state;

/* An untyped host function: log(ptr, value) prints the 4-byte tag at ptr
 * in the caller's memory and the value. Arguments arrive in args[]. */
static void host_log(welf_host *self, welf_caller *caller,
                     welf_val_raw *args, size_t len)
{
    (void)len;
    host_state *st = self->data;
    st->log_calls++;
    welf_memory *mem = welf_caller_memory(caller, 0);
    uint32_t ptr = (uint32_t)args[0].i32;
    /* Guest pointers are checked like any untrusted input. */
    if (!mem || (uint64_t)ptr + 4 > welf_memory_size_bytes(mem))
        welf_trap_raise(WELF_TRAP_CODE_MEMORY_OOB);
    printf("  log: %.4s %d\n", (const char *)welf_memory_data(mem) + ptr,
           args[1].i32);
}

/* A typed host function: scale(x) = x * factor, a plain C signature. */
static double host_scale(welf_host *self, welf_caller *caller, double x)
{
    (void)caller;
    const host_state *st = self->data;
    return x * st->factor;
}

static int fail(const char *what, const welf_error *err)
{
    fprintf(stderr, "embed: %s: %s\n", what, err->message);
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "plugin.o";
    welf_engine *engine;
    welf_module *module;
    welf_error err;
    if (welf_engine_new(&engine, &err) != WELF_OK)
        return fail("engine", &err);
    if (welf_module_load(engine, path, &module, &err) != WELF_OK)
        return fail(path, &err);

    /* The host functions, with their wasm signatures. */
    host_state state = {0, 2.5};
    static const uint8_t log_params[] = {WELF_TYPE_I32, WELF_TYPE_I32};
    static const uint8_t f64[] = {WELF_TYPE_F64};
    welf_functype_info log_type = {2, 0, log_params, NULL};
    welf_functype_info scale_type = {1, 1, f64, f64};
    welf_funcref *log_fn, *scale_fn;
    if (welf_func_new_host(engine, &log_type, host_log, &state, &log_fn,
                           &err) != WELF_OK ||
        welf_func_new_typed(engine, &scale_type, (void (*)(void))host_scale,
                            &state, &scale_fn, &err) != WELF_OK)
        return fail("host functions", &err);

    /* Bind them by name, resolve the module's imports once... */
    welf_linker *linker;
    welf_instance_pre *pre;
    welf_extern log_ext = {.kind = WELF_EXTERN_FUNC, .u.func = log_fn};
    welf_extern scale_ext = {.kind = WELF_EXTERN_FUNC, .u.func = scale_fn};
    if (welf_linker_new(engine, &linker, &err) != WELF_OK ||
        welf_linker_define(linker, "host", 4, "log", 3, log_ext, &err) !=
            WELF_OK ||
        welf_linker_define(linker, "host", 4, "scale", 5, scale_ext,
                           &err) != WELF_OK ||
        welf_instance_pre_new(linker, module, &pre, &err) != WELF_OK)
        return fail("link", &err);

    /* ... and instantiate twice: each instance has its own memory and
     * globals, and nothing is looked up again. */
    welf_instance *inst[2];
    for (int i = 0; i < 2; i++)
        if (welf_instance_pre_instantiate(pre, &inst[i], &err) != WELF_OK)
            return fail("instantiate", &err);

    for (int i = 0; i < 2; i++) {
        welf_extern run, calls;
        if (welf_instance_export(inst[i], "run", 3, &run, &err) != WELF_OK ||
            welf_instance_export(inst[i], "calls", 5, &calls, &err) !=
                WELF_OK)
            return fail("exports", &err);

        /* Untyped: values tagged with their types, checked at the call. */
        printf("instance %d: run(%d)\n", i, 3 + i);
        welf_val arg = {.type = WELF_TYPE_I32, .of.i32 = 3 + i}, result;
        if (welf_func_call(run.u.func, &arg, 1, &result, 1, &err) != WELF_OK)
            return fail("run", &err);
        printf("  = %g\n", result.of.f64);

        /* Typed: check the signature once, then call the native entry
         * like a C function, inside a trap frame. */
        static const uint8_t i32[] = {WELF_TYPE_I32};
        welf_functype_info calls_type = {0, 1, NULL, i32};
        int32_t (*calls_fn)(void *, void *);
        if (welf_func_native(calls.u.func, &calls_type, (void **)&calls_fn,
                             &err) != WELF_OK)
            return fail("calls", &err);
        welf_trap_frame frame;
        volatile int32_t n = 0;
        welf_trap_frame_push(engine, &frame);
        if (setjmp(frame.env) == 0)
            n = calls_fn(calls.u.func->vmctx, NULL);
        if (welf_trap_frame_pop(&frame, &err) != WELF_OK)
            return fail("calls", &err);
        printf("  calls() = %d\n", (int)n);
    }

    /* The typed path refuses a signature that does not match. */
    welf_extern mul;
    welf_instance_export(inst[0], "mul", 3, &mul, &err);
    static const uint8_t wrong[] = {WELF_TYPE_I64, WELF_TYPE_I64};
    static const uint8_t i64[] = {WELF_TYPE_I64};
    welf_functype_info wrong_type = {2, 1, wrong, i64};
    void *entry;
    if (welf_func_native(mul.u.func, &wrong_type, &entry, &err) != WELF_OK)
        printf("refused: %s\n", err.message);

    printf("the host logged %d times\n", state.log_calls);
    welf_engine_free(engine);   /* frees everything made in the engine */
    return 0;
}
