/*
 * call.c — calling functions from C: welf_func_call (type-checked, through
 * the array entry, inside a trap boundary from trap.c), host functions
 * (welf_func_new_host and their array entry), signatures of funcrefs,
 * and the conversions between typed and raw values.
 */
#include "internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

typedef void (*array_fn)(void *callee, void *caller, welf_val_raw *args,
                         size_t len);

/* ---- values ---- */

void welf_val_to_raw(const welf_val *val, welf_val_raw *raw)
{
    memset(raw, 0, sizeof *raw);
    switch (val->type) {
    case WELF_TYPE_I32: raw->i32 = val->of.i32; break;
    case WELF_TYPE_I64: raw->i64 = val->of.i64; break;
    case WELF_TYPE_F32: raw->f32 = val->of.f32; break;
    case WELF_TYPE_F64: raw->f64 = val->of.f64; break;
    case WELF_TYPE_V128: memcpy(raw->v128, val->of.v128, 16); break;
    case WELF_TYPE_FUNCREF: raw->ref = val->of.func; break;
    case WELF_TYPE_EXTERNREF: raw->ref = val->of.extern_ref; break;
    default: break;
    }
}

welf_val welf_val_from_raw(uint8_t type, const welf_val_raw *raw)
{
    welf_val val;
    memset(&val, 0, sizeof val);
    val.type = type;
    switch (type) {
    case WELF_TYPE_I32: val.of.i32 = raw->i32; break;
    case WELF_TYPE_I64: val.of.i64 = raw->i64; break;
    case WELF_TYPE_F32: val.of.f32 = raw->f32; break;
    case WELF_TYPE_F64: val.of.f64 = raw->f64; break;
    case WELF_TYPE_V128: memcpy(val.of.v128, raw->v128, 16); break;
    case WELF_TYPE_FUNCREF: val.of.func = raw->ref; break;
    case WELF_TYPE_EXTERNREF: val.of.extern_ref = raw->ref; break;
    default: break;
    }
    return val;
}

/* ---- host functions ---- */

/* x86_64.S */
WELF_INTERNAL void welf_ffi_call(void *fn, const uint64_t gpr[6],
                                 const uint8_t xmm[8][16],
                                 const uint64_t *stack, size_t stack_words,
                                 uint8_t ret[32]);
WELF_INTERNAL void welf_native_to_array_entry(void);
WELF_INTERNAL void welf_native_to_array(const uint64_t gpr[6],
                                        const uint8_t xmm[8][16],
                                        const uint64_t *stack,
                                        uint8_t ret[32]);

static bool is_host(const welf_funcref *func)
{
    return func->reserved == WELF_HOST_UNTYPED ||
           func->reserved == WELF_HOST_TYPED;
}

static welf_host_func *host_of(const welf_funcref *func)
{
    return (welf_host_func *)func->vmctx;
}

welf_engine *welf_funcref_engine(const welf_funcref *func)
{
    if (is_host(func))
        return host_of(func)->engine;
    return ((const welf_instance *)func->vmctx)->engine;
}

void *welf_host_wasm_stub(const welf_funcref *func, void *to_array,
                          void *to_native)
{
    return func->reserved == WELF_HOST_TYPED ? to_native : to_array;
}

/*
 * Where the System V ABI puts each argument of a native call: the two
 * leading pointers and integers/references in general registers, floats
 * and vectors in xmm0..7, the rest in 8-byte stack words (a v128 on a
 * 16-byte boundary, two words). native_next gives the next argument's
 * place; with no registers or stack given it only counts.
 */
typedef struct native_place {
    uint64_t *gpr;               /* [6] */
    uint8_t (*xmm)[16];          /* [8] */
    uint64_t *stack;             /* caller's words */
    unsigned ngpr, nxmm;
    size_t nstack;
} native_place;

/* Whether a value of `type` travels in an xmm register. */
static bool in_xmm(uint8_t type)
{
    return type == WELF_TYPE_F32 || type == WELF_TYPE_F64 ||
           type == WELF_TYPE_V128;
}

/* The address of the next argument of `type` (NULL when only counting),
 * advancing the counters. */
static void *native_next(native_place *p, uint8_t type)
{
    if (in_xmm(type) && p->nxmm < 8)
        return p->xmm ? p->xmm[p->nxmm++] : (p->nxmm++, NULL);
    if (!in_xmm(type) && p->ngpr < 6)
        return p->gpr ? &p->gpr[p->ngpr++] : (p->ngpr++, NULL);
    if (type == WELF_TYPE_V128)
        p->nstack = (p->nstack + 1) & ~(size_t)1;
    size_t at = p->nstack;
    p->nstack += type == WELF_TYPE_V128 ? 2 : 1;
    return p->stack ? &p->stack[at] : NULL;
}

/* Bytes an argument of `type` takes in its register or slot. */
static size_t native_size(uint8_t type)
{
    switch (type) {
    case WELF_TYPE_I32:
    case WELF_TYPE_F32: return 4;
    case WELF_TYPE_V128: return 16;
    default: return 8;
    }
}

/* Stack words a signature's arguments need in the native convention. */
static size_t native_stack_words(const welf_functype *t)
{
    native_place p = {NULL, NULL, NULL, 2, 0, 0};
    for (uint32_t i = 0; i < t->param_count; i++)
        native_next(&p, t->types[i]);
    return p.nstack;
}

/*
 * The array entry of a typed host function: sorts the slots into
 * registers and stack words and calls the function's native entry (the
 * user's C function) through welf_ffi_call.
 */
#define FFI_STACK_WORDS 32

static void typed_host_array_call(welf_host *self, welf_caller *caller,
                                  welf_val_raw *args, size_t len)
{
    (void)len;
    welf_host_func *host = (welf_host_func *)self;
    const welf_functype *t = welf_engine_type(host->engine,
                                              host->pub.func.type_id);
    uint64_t gpr[6] = {(uint64_t)(uintptr_t)self,
                       (uint64_t)(uintptr_t)caller};
    _Alignas(16) uint8_t xmm[8][16];
    uint64_t stack_buf[FFI_STACK_WORDS];
    size_t words = native_stack_words(t);
    uint64_t *stack = stack_buf;
    if (words > FFI_STACK_WORDS) {
        stack = welf_malloc(words * sizeof *stack);
        if (!stack)
            welf_trap_raise(WELF_TRAP_CODE_STACK_EXHAUSTED);
    }
    memset(xmm, 0, sizeof xmm);
    native_place p = {gpr, xmm, stack, 2, 0, 0};
    for (uint32_t i = 0; i < t->param_count; i++) {
        void *at = native_next(&p, t->types[i]);
        memset(at, 0, t->types[i] == WELF_TYPE_V128 ? 16 : 8);
        memcpy(at, &args[i], native_size(t->types[i]));
    }
    _Alignas(16) uint8_t ret[32];
    welf_ffi_call((void *)host->pub.func.native_call, gpr,
                  (const uint8_t(*)[16])xmm, stack, words, ret);
    if (stack != stack_buf)
        welf_free(stack);
    if (t->result_count == 1) {
        uint8_t ty = t->types[t->param_count];
        memset(&args[0], 0, sizeof args[0]);
        memcpy(&args[0], in_xmm(ty) ? ret + 16 : ret, native_size(ty));
    }
}

/*
 * The native entry of an untyped host function, behind
 * welf_native_to_array_entry: gathers the arguments from the saved
 * registers and the caller's stack words into slots, calls the array
 * function, and leaves the result where the native convention wants it.
 */
void welf_native_to_array(const uint64_t gpr[6], const uint8_t xmm[8][16],
                          const uint64_t *stack, uint8_t ret[32])
{
    welf_host_func *host = (welf_host_func *)(uintptr_t)gpr[0];
    welf_caller *caller = (welf_caller *)(uintptr_t)gpr[1];
    const welf_functype *t = welf_engine_type(host->engine,
                                              host->pub.func.type_id);
    size_t len = t->param_count > t->result_count ? t->param_count
                                                  : t->result_count;
    welf_val_raw slots_buf[16];
    welf_val_raw *slots = slots_buf;
    if (len > 16) {
        slots = welf_malloc(len * sizeof *slots);
        if (!slots)
            welf_trap_raise(WELF_TRAP_CODE_STACK_EXHAUSTED);
    }
    memset(slots, 0, (len ? len : 1) * sizeof *slots);
    native_place p = {(uint64_t *)gpr, (uint8_t(*)[16])xmm,
                      (uint64_t *)stack, 2, 0, 0};
    for (uint32_t i = 0; i < t->param_count; i++)
        memcpy(&slots[i], native_next(&p, t->types[i]),
               native_size(t->types[i]));
    ((welf_host_fn)host->pub.func.array_call)(&host->pub, caller, slots, len);
    memset(ret, 0, 32);
    if (t->result_count == 1) {
        uint8_t ty = t->types[t->param_count];
        memcpy(in_xmm(ty) ? ret + 16 : ret, &slots[0], native_size(ty));
    }
    if (slots != slots_buf)
        welf_free(slots);
}

static welf_status host_new(welf_engine *engine,
                            const welf_functype_info *type, bool typed,
                            void *fn, void *data, welf_funcref **out,
                            welf_error *err)
{
    const char *what = typed ? "welf_func_new_typed" : "welf_func_new_host";
    if (err)
        welf_error_clear(err);
    if (out)
        *out = NULL;
    if (!engine || !type || !fn || !out ||
        (type->param_count && !type->params) ||
        (type->result_count && !type->results))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "%s: missing argument", what);
    for (uint32_t i = 0; i < type->param_count; i++)
        if (!welf_valtype_valid(type->params[i]))
            return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                                  "bad type 0x%02x of parameter %u",
                                  type->params[i], i);
    for (uint32_t i = 0; i < type->result_count; i++)
        if (!welf_valtype_valid(type->results[i]))
            return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                                  "bad type 0x%02x of result %u",
                                  type->results[i], i);
    if (typed && type->result_count > 1)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_new_typed: a typed host function "
                              "has at most one result, not %u (use "
                              "welf_func_new_host)", type->result_count);
    uint32_t id;
    welf_status st = welf_engine_intern_type(
        engine, type->params, type->param_count, type->results,
        type->result_count, NULL, NULL, &id, err);
    if (st != WELF_OK)
        return st;
    welf_host_func *host = welf_malloc(sizeof *host);
    if (!host)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating a host function");
    memset(host, 0, sizeof *host);
    host->pub.data = data;
    host->pub.func.reserved = typed ? WELF_HOST_TYPED : WELF_HOST_UNTYPED;
    if (typed) {
        host->pub.func.array_call = (void *)typed_host_array_call;
        host->pub.func.native_call = fn;
    } else {
        host->pub.func.array_call = fn;
        host->pub.func.native_call = type->result_count <= 1
                                    ? (void *)welf_native_to_array_entry
                                    : NULL;
    }
    /*
     * wasm_call is a stub of an importing module for this signature, set
     * at pre-instantiation. If a module with this signature is already
     * loaded, its stub serves now, so the function is callable from wasm
     * however it gets there (an argument, a global, a table), not only
     * by import.
     */
    const welf_functype *t = welf_engine_type(engine, id);
    host->pub.func.wasm_call = welf_host_wasm_stub(
        &host->pub.func, t->wasm_to_array, t->wasm_to_native);
    host->pub.func.type_id = id;
    host->pub.func.vmctx = host;
    host->engine = engine;
    host->next = engine->hosts;
    engine->hosts = host;
    *out = &host->pub.func;
    return WELF_OK;
}

welf_status welf_func_new_host(welf_engine *engine,
                               const welf_functype_info *type,
                               welf_host_fn fn, void *data,
                               welf_funcref **out, welf_error *err)
{
    return host_new(engine, type, false, (void *)fn, data, out, err);
}

welf_status welf_func_new_typed(welf_engine *engine,
                                const welf_functype_info *type,
                                void (*fn)(void), void *data,
                                welf_funcref **out, welf_error *err)
{
    return host_new(engine, type, true, (void *)fn, data, out, err);
}

void welf_host_func_destroy(welf_host_func *host)
{
    welf_free(host);
}

/* ---- callers ---- */

welf_instance *welf_caller_instance(welf_caller *caller)
{
    return (welf_instance *)caller;
}

welf_memory *welf_caller_memory(welf_caller *caller, uint32_t index)
{
    welf_instance *inst = (welf_instance *)caller;
    if (!inst || index >= inst->module->desc->memory_count)
        return NULL;
    return inst->memories[index];
}

/* ---- signatures ---- */

void welf_func_type(const welf_funcref *func, welf_functype_info *out)
{
    const welf_functype *t =
        welf_engine_type(welf_funcref_engine(func), func->type_id);
    memset(out, 0, sizeof *out);
    if (!t)
        return;
    out->param_count = t->param_count;
    out->result_count = t->result_count;
    out->params = t->types;
    out->results = t->types + t->param_count;
}

/* "(i32, i64) -> f32" into buf. */
static void sig_format(char *buf, size_t size, const uint8_t *params,
                       uint32_t np, const uint8_t *results, uint32_t nr)
{
    size_t n = 0;
#define PUT(...) \
    do { \
        int k = snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__); \
        if (k > 0) \
            n += (size_t)k; \
    } while (0)
    PUT("(");
    for (uint32_t i = 0; i < np; i++)
        PUT("%s%s", i ? ", " : "", welf_valtype_str(params[i]));
    PUT(") -> ");
    if (nr != 1)
        PUT("(");
    for (uint32_t i = 0; i < nr; i++)
        PUT("%s%s", i ? ", " : "", welf_valtype_str(results[i]));
    if (nr != 1)
        PUT(")");
#undef PUT
}

welf_status welf_func_check_type(const welf_funcref *func,
                                 const welf_functype_info *type,
                                 welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!func || !type || (type->param_count && !type->params) ||
        (type->result_count && !type->results))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_check_type: missing argument");
    welf_functype_info have;
    welf_func_type(func, &have);
    bool same = have.param_count == type->param_count &&
                have.result_count == type->result_count &&
                (!have.param_count ||
                 !memcmp(have.params, type->params, have.param_count)) &&
                (!have.result_count ||
                 !memcmp(have.results, type->results, have.result_count));
    if (same)
        return WELF_OK;
    char want_s[128], have_s[128];
    sig_format(want_s, sizeof want_s, type->params, type->param_count,
               type->results, type->result_count);
    sig_format(have_s, sizeof have_s, have.params, have.param_count,
               have.results, have.result_count);
    return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                          "function type mismatch: expected %s, the "
                          "function is %s", want_s, have_s);
}

welf_status welf_func_native(welf_funcref *func,
                             const welf_functype_info *type, void **entry,
                             welf_error *err)
{
    if (entry)
        *entry = NULL;
    if (!entry)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_native: missing argument");
    welf_status st = welf_func_check_type(func, type, err);
    if (st != WELF_OK)
        return st;
    if (!func->native_call)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_native: a function with %u results "
                              "has no native entry; use welf_func_call",
                              type->result_count);
    *entry = func->native_call;
    return WELF_OK;
}

welf_funcref *welf_instance_func(welf_instance *inst, uint32_t func_index)
{
    if (!inst || func_index >= inst->module->desc->func_count)
        return NULL;
    return inst->vm.funcs[func_index];
}

/* ---- calls ---- */

/*
 * The array call inside a trap frame: a trap in the callee comes back
 * from setjmp with a non-zero value. Apart from welf_func_call, whose
 * locals would otherwise all live in memory across the setjmp.
 */
static __attribute__((noinline)) welf_status
call_guarded(welf_engine *engine, array_fn fn, void *vmctx,
             welf_val_raw *slots, size_t len, welf_error *err)
{
    welf_trap_frame frame;
    welf_trap_enter(engine, &frame);
    if (setjmp(frame.env) == 0)
        fn(vmctx, NULL, slots, len);
    return welf_trap_leave(&frame, err);
}

/* Enough slots for most signatures without touching the heap. */
#define CALL_STACK_SLOTS 16

welf_status welf_func_call(welf_funcref *func, const welf_val *args,
                           size_t arg_count, welf_val *results,
                           size_t result_count, welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!func || (arg_count && !args) || (result_count && !results))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_call: missing argument");
    welf_engine *engine = welf_funcref_engine(func);
    const welf_functype *t = welf_engine_type(engine, func->type_id);
    if (!t)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_call: unknown function type %u",
                              func->type_id);
    if (!func->array_call)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_call: the function has no array "
                              "entry");
    if (arg_count != t->param_count || result_count != t->result_count)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_call: the function takes %u "
                              "arguments and returns %u results, not %zu "
                              "and %zu", t->param_count, t->result_count,
                              arg_count, result_count);
    for (size_t i = 0; i < arg_count; i++)
        if (args[i].type != t->types[i])
            return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                                  "welf_func_call: argument %zu is %s, "
                                  "expected %s", i, welf_valtype_str(args[i].type),
                                  welf_valtype_str(t->types[i]));

    size_t len = arg_count > result_count ? arg_count : result_count;
    welf_val_raw stack_slots[CALL_STACK_SLOTS];
    welf_val_raw *slots = stack_slots;
    if (len > CALL_STACK_SLOTS) {
        slots = welf_malloc(len * sizeof *slots);
        if (!slots)
            return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                                  "out of memory for %zu call slots", len);
    }
    /* Each slot is read at its argument's type only: no need to clear
     * the bytes past it. */
    for (size_t i = 0; i < arg_count; i++) {
        switch (args[i].type) {
        case WELF_TYPE_I32: slots[i].i32 = args[i].of.i32; break;
        case WELF_TYPE_I64: slots[i].i64 = args[i].of.i64; break;
        case WELF_TYPE_F32: slots[i].f32 = args[i].of.f32; break;
        case WELF_TYPE_F64: slots[i].f64 = args[i].of.f64; break;
        default: welf_val_to_raw(&args[i], &slots[i]); break;
        }
    }

    welf_status st = call_guarded(engine, (array_fn)func->array_call,
                                  func->vmctx, slots, len, err);
    if (st == WELF_OK)
        for (size_t i = 0; i < result_count; i++)
            results[i] = welf_val_from_raw(t->types[t->param_count + i],
                                           &slots[i]);
    if (slots != stack_slots)
        welf_free(slots);
    return st;
}
