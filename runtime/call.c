/*
 * call.c — calling functions from C: welf_func_call (type-checked, through
 * the array entry, inside a trap boundary from trap.c), host functions
 * (welf_func_new_host and their array entry), signatures of funcrefs,
 * and the conversions between typed and raw values.
 */
#include "internal.h"

#include <string.h>

typedef void (*array_fn)(welf_vmctx *callee, welf_vmctx *caller,
                         welf_val_raw *args, size_t len);

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

/*
 * The array entry of every host function: callee is the host record
 * (its funcref's vmctx). A non-zero return from the user's function
 * becomes a trap with that code.
 */
static void host_array_call(welf_vmctx *callee, welf_vmctx *caller,
                            welf_val_raw *args, size_t len)
{
    (void)caller;
    (void)len;
    welf_host_func *host = (welf_host_func *)(void *)callee;
    int code = host->fn(host->user, args);
    if (code != 0)
        welf_trap_raise((uint32_t)code);
}

static bool is_host(const welf_funcref *func)
{
    return func->array_call == (void *)host_array_call;
}

welf_engine *welf_funcref_engine(const welf_funcref *func)
{
    if (is_host(func))
        return ((const welf_host_func *)func)->engine;
    return ((const welf_instance *)func->vmctx)->engine;
}

welf_status welf_func_new_host(welf_engine *engine,
                               const welf_functype_info *type,
                               welf_host_fn fn, void *user,
                               welf_funcref **out, welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (out)
        *out = NULL;
    if (!engine || !type || !fn || !out ||
        (type->param_count && !type->params) ||
        (type->result_count && !type->results))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_func_new_host: missing argument");
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
    uint32_t id;
    welf_status st = welf_engine_intern_type(engine, type->params,
                                             type->param_count, type->results,
                                             type->result_count, NULL, &id,
                                             err);
    if (st != WELF_OK)
        return st;
    welf_host_func *host = welf_malloc(sizeof *host);
    if (!host)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating a host function");
    memset(host, 0, sizeof *host);
    /*
     * wasm_call is the wasm-to-array stub of an importing module, set at
     * instantiation. If a module with this signature is already loaded,
     * its stub serves now, so the function is callable from wasm however
     * it gets there (an argument, a global, a table), not only by import.
     */
    host->ref.wasm_call = welf_engine_type(engine, id)->wasm_to_array;
    host->ref.array_call = (void *)host_array_call;
    host->ref.native_call = NULL;
    host->ref.type_id = id;
    host->ref.vmctx = host;
    host->engine = engine;
    host->fn = fn;
    host->user = user;
    host->next = engine->hosts;
    engine->hosts = host;
    *out = &host->ref;
    return WELF_OK;
}

void welf_host_func_destroy(welf_host_func *host)
{
    welf_free(host);
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

/* ---- calls ---- */

typedef struct array_call_ctx {
    array_fn fn;
    welf_vmctx *vmctx;
    welf_val_raw *slots;
    size_t len;
} array_call_ctx;

static void run_array_call(void *p)
{
    array_call_ctx *c = p;
    c->fn(c->vmctx, c->vmctx, c->slots, c->len);
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
    memset(slots, 0, (len ? len : 1) * sizeof *slots);
    for (size_t i = 0; i < arg_count; i++)
        welf_val_to_raw(&args[i], &slots[i]);

    array_call_ctx ctx = {(array_fn)func->array_call, func->vmctx, slots,
                          len};
    welf_status st = welf_trap_guard(&engine->call_state, run_array_call,
                                     &ctx, err);
    if (st == WELF_OK)
        for (size_t i = 0; i < result_count; i++)
            results[i] = welf_val_from_raw(t->types[t->param_count + i],
                                           &slots[i]);
    if (slots != stack_slots)
        welf_free(slots);
    return st;
}
