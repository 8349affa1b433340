/*
 * lower_support.c — the test-module assembler and the compile, call and
 * trap helpers of the lowering tests (lower_support.h).
 */
#include "lower_support.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- byte buffers ---- */

void buf_bytes(lw_buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        cr_assert_not_null(d, "out of memory assembling a test module");
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void buf_byte(lw_buf *b, uint8_t v)
{
    buf_bytes(b, &v, 1);
}

void buf_u32(lw_buf *b, uint32_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        buf_byte(b, (uint8_t)(byte | (v ? 0x80 : 0)));
    } while (v);
}

void buf_s64(lw_buf *b, int64_t v)
{
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        v >>= 7; /* arithmetic on every compiler welf supports */
        bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
        buf_byte(b, (uint8_t)(byte | (done ? 0 : 0x80)));
        if (done)
            return;
    }
}

void buf_i32_const(lw_buf *b, int32_t v)
{
    buf_byte(b, 0x41);
    buf_s64(b, v);
}

void buf_i64_const(lw_buf *b, int64_t v)
{
    buf_byte(b, 0x42);
    buf_s64(b, v);
}

void buf_f32_const(lw_buf *b, uint32_t bits)
{
    buf_byte(b, 0x43);
    for (int i = 0; i < 4; i++)
        buf_byte(b, (uint8_t)(bits >> (8 * i)));
}

void buf_f64_const(lw_buf *b, uint64_t bits)
{
    buf_byte(b, 0x44);
    for (int i = 0; i < 8; i++)
        buf_byte(b, (uint8_t)(bits >> (8 * i)));
}

void buf_free(lw_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ---- modules ---- */

enum {
    SEC_TYPE = 1, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE, SEC_MEMORY,
    SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_ELEMENT, SEC_CODE, SEC_DATA,
    SEC_DATACOUNT,
};

static uint8_t valtype(char c)
{
    switch (c) {
    case 'i': return WELF_TYPE_I32;
    case 'l': return WELF_TYPE_I64;
    case 'f': return WELF_TYPE_F32;
    case 'd': return WELF_TYPE_F64;
    case 'r': return WELF_TYPE_FUNCREF;
    case 'x': return WELF_TYPE_EXTERNREF;
    case 'v': return WELF_TYPE_V128;
    }
    cr_assert_fail("unknown value type letter '%c'", c);
    return 0;
}

static void buf_types(lw_buf *b, const char *types)
{
    buf_u32(b, (uint32_t)strlen(types));
    for (const char *c = types; *c; c++)
        buf_byte(b, valtype(*c));
}

static void buf_name(lw_buf *b, const char *name)
{
    buf_u32(b, (uint32_t)strlen(name));
    buf_bytes(b, name, strlen(name));
}

static void buf_limits(lw_buf *b, uint32_t min, int64_t max)
{
    buf_byte(b, max < 0 ? 0 : 1);
    buf_u32(b, min);
    if (max >= 0)
        buf_u32(b, (uint32_t)max);
}

static void buf_offset_expr(lw_buf *b, uint32_t offset)
{
    buf_i32_const(b, (int32_t)offset);
    buf_byte(b, 0x0b);
}

void mod_init(lw_mod *m, welf_features features)
{
    memset(m, 0, sizeof *m);
    m->features = features;
}

void mod_free(lw_mod *m)
{
    for (int i = 0; i < LW_SECTIONS; i++)
        buf_free(&m->sec[i]);
    buf_free(&m->out);
}

static void type_sig(char *sig, size_t size, const char *params,
                     const char *results)
{
    int n = snprintf(sig, size, "%s:%s", params, results);
    cr_assert(n > 0 && (size_t)n < size, "signature too long");
}

uint32_t mod_type(lw_mod *m, const char *params, const char *results)
{
    char sig[40];
    type_sig(sig, sizeof sig, params, results);
    for (uint32_t i = 0; i < m->count[SEC_TYPE]; i++)
        if (strcmp(m->type_sig[i], sig) == 0)
            return i;
    return mod_type_new(m, params, results);
}

uint32_t mod_type_new(lw_mod *m, const char *params, const char *results)
{
    char sig[40];
    type_sig(sig, sizeof sig, params, results);
    uint32_t count = m->count[SEC_TYPE];
    cr_assert_lt(count, LW_MAX_TYPES, "too many types");
    memcpy(m->type_sig[count], sig, sizeof sig);
    lw_buf *b = &m->sec[SEC_TYPE];
    buf_byte(b, 0x60);
    buf_types(b, params);
    buf_types(b, results);
    return m->count[SEC_TYPE]++;
}

void mod_type_at(lw_mod *m, uint32_t index, const char *params,
                 const char *results)
{
    uint32_t got = mod_type(m, params, results);
    cr_assert_eq(got, index, "type [%s] -> [%s] has index %u, not %u",
                 params, results, got, index);
}

uint32_t mod_import_func(lw_mod *m, const char *module, const char *name,
                         const char *params, const char *results)
{
    cr_assert_eq(m->count[SEC_FUNCTION], 0,
                 "add imports before defining functions");
    uint32_t type = mod_type(m, params, results);
    lw_buf *b = &m->sec[SEC_IMPORT];
    buf_name(b, module);
    buf_name(b, name);
    buf_byte(b, 0x00);
    buf_u32(b, type);
    m->count[SEC_IMPORT]++;
    return m->funcs++;
}

uint32_t mod_func(lw_mod *m, const char *export, const char *params,
                  const char *results, const char *locals, const void *body,
                  size_t len)
{
    return mod_func_typed(m, export, mod_type(m, params, results), locals,
                          body, len);
}

uint32_t mod_func_typed(lw_mod *m, const char *export, uint32_t type,
                        const char *locals, const void *body, size_t len)
{
    cr_assert_lt(type, m->count[SEC_TYPE], "no type %u", type);
    buf_u32(&m->sec[SEC_FUNCTION], type);
    m->count[SEC_FUNCTION]++;

    /* One local group per run of equal letters. */
    lw_buf entry = {0};
    uint32_t groups = 0;
    for (const char *c = locals; *c; c++)
        if (c == locals || c[-1] != *c)
            groups++;
    buf_u32(&entry, groups);
    for (const char *c = locals; *c;) {
        uint32_t n = 0;
        while (c[n] == *c)
            n++;
        buf_u32(&entry, n);
        buf_byte(&entry, valtype(*c));
        c += n;
    }
    buf_bytes(&entry, body, len);
    buf_byte(&entry, 0x0b);
    buf_u32(&m->sec[SEC_CODE], (uint32_t)entry.len);
    buf_bytes(&m->sec[SEC_CODE], entry.data, entry.len);
    buf_free(&entry);
    m->count[SEC_CODE]++;

    uint32_t index = m->funcs++;
    if (export)
        mod_export(m, export, WELF_EXTERN_FUNC, index);
    return index;
}

uint32_t mod_table(lw_mod *m, char type, uint32_t min, int64_t max,
                   const char *export)
{
    lw_buf *b = &m->sec[SEC_TABLE];
    buf_byte(b, valtype(type));
    buf_limits(b, min, max);
    m->count[SEC_TABLE]++;
    uint32_t index = m->tables++;
    if (export)
        mod_export(m, export, WELF_EXTERN_TABLE, index);
    return index;
}

uint32_t mod_memory(lw_mod *m, uint32_t min, int64_t max,
                    const char *export)
{
    buf_limits(&m->sec[SEC_MEMORY], min, max);
    m->count[SEC_MEMORY]++;
    uint32_t index = m->memories++;
    if (export)
        mod_export(m, export, WELF_EXTERN_MEMORY, index);
    return index;
}

uint32_t mod_global(lw_mod *m, char type, bool is_mutable, const void *init,
                    size_t len, const char *export)
{
    lw_buf *b = &m->sec[SEC_GLOBAL];
    buf_byte(b, valtype(type));
    buf_byte(b, is_mutable ? 1 : 0);
    buf_bytes(b, init, len);
    buf_byte(b, 0x0b);
    m->count[SEC_GLOBAL]++;
    uint32_t index = m->globals++;
    if (export)
        mod_export(m, export, WELF_EXTERN_GLOBAL, index);
    return index;
}

void mod_export(lw_mod *m, const char *name, welf_extern_kind kind,
                uint32_t index)
{
    lw_buf *b = &m->sec[SEC_EXPORT];
    buf_name(b, name);
    buf_byte(b, (uint8_t)kind);
    buf_u32(b, index);
    m->count[SEC_EXPORT]++;
}

void mod_start(lw_mod *m, uint32_t func)
{
    m->has_start = true;
    m->start = func;
}

uint32_t mod_elem(lw_mod *m, lw_seg_mode mode, uint32_t table,
                  uint32_t offset, const uint32_t *funcs, uint32_t n)
{
    bool exprs = false;
    for (uint32_t i = 0; i < n; i++)
        exprs |= funcs[i] == LW_NULL;
    /* Flags (spec 5.5.12): bit 0 passive or declarative, bit 1 explicit
     * table index (active) or declarative, bit 2 expressions. */
    uint32_t flags = exprs ? 4 : 0;
    if (mode == SEG_PASSIVE)
        flags |= 1;
    else if (mode == SEG_DECLARATIVE)
        flags |= 3;
    else if (table != 0)
        flags |= 2;
    lw_buf *b = &m->sec[SEC_ELEMENT];
    buf_u32(b, flags);
    if (flags == 2 || flags == 6)
        buf_u32(b, table);
    if (mode == SEG_ACTIVE)
        buf_offset_expr(b, offset);
    if (flags != 0 && flags != 4)
        buf_byte(b, exprs ? 0x70 : 0x00); /* funcref / elemkind funcref */
    buf_u32(b, n);
    for (uint32_t i = 0; i < n; i++) {
        if (!exprs) {
            buf_u32(b, funcs[i]);
        } else if (funcs[i] == LW_NULL) {
            buf_lit(b, "\xd0\x70\x0b");
        } else {
            buf_byte(b, 0xd2);
            buf_u32(b, funcs[i]);
            buf_byte(b, 0x0b);
        }
    }
    m->count[SEC_ELEMENT]++;
    return m->elems++;
}

uint32_t mod_data(lw_mod *m, lw_seg_mode mode, uint32_t memory,
                  uint32_t offset, const void *bytes, size_t n)
{
    cr_assert_neq(mode, SEG_DECLARATIVE);
    lw_buf *b = &m->sec[SEC_DATA];
    if (mode == SEG_PASSIVE) {
        buf_byte(b, 1);
    } else if (memory == 0) {
        buf_byte(b, 0);
        buf_offset_expr(b, offset);
    } else {
        buf_byte(b, 2);
        buf_u32(b, memory);
        buf_offset_expr(b, offset);
    }
    buf_u32(b, (uint32_t)n);
    buf_bytes(b, bytes, n);
    m->count[SEC_DATA]++;
    return m->datas++;
}

static void emit_section(lw_mod *m, uint8_t id, const lw_buf *content,
                         uint32_t count)
{
    lw_buf head = {0};
    buf_u32(&head, count);
    buf_byte(&m->out, id);
    buf_u32(&m->out, (uint32_t)(head.len + content->len));
    buf_bytes(&m->out, head.data, head.len);
    buf_bytes(&m->out, content->data, content->len);
    buf_free(&head);
}

const uint8_t *mod_bytes(lw_mod *m, size_t *size)
{
    static const uint8_t order[] = {
        SEC_TYPE, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE, SEC_MEMORY,
        SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_ELEMENT, SEC_DATACOUNT,
        SEC_CODE, SEC_DATA};
    m->out.len = 0;
    buf_bytes(&m->out, "\0asm\1\0\0\0", 8);
    for (size_t i = 0; i < sizeof order; i++) {
        uint8_t id = order[i];
        if (id == SEC_START) {
            if (m->has_start) {
                lw_buf s = {0};
                buf_u32(&s, m->start);
                buf_byte(&m->out, SEC_START);
                buf_u32(&m->out, (uint32_t)s.len);
                buf_bytes(&m->out, s.data, s.len);
                buf_free(&s);
            }
        } else if (id == SEC_DATACOUNT) {
            /* Always, so memory.init and data.drop validate. */
            if (m->datas) {
                lw_buf s = {0};
                buf_u32(&s, m->datas);
                buf_byte(&m->out, SEC_DATACOUNT);
                buf_u32(&m->out, (uint32_t)s.len);
                buf_bytes(&m->out, s.data, s.len);
                buf_free(&s);
            }
        } else if (m->count[id]) {
            emit_section(m, id, &m->sec[id], m->count[id]);
        }
    }
    *size = m->out.len;
    return m->out.data;
}

/* ---- compiling and instantiating ---- */

const int lw_opt_levels[2] = {0, 2};
int lw_opt = -1;
bool lw_precise_traps;

static welf_engine *engine;

welf_engine *lw_engine(void)
{
    if (!engine) {
        welf_error err;
        cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK, "%s",
                     err.message);
    }
    return engine;
}

void lw_cleanup(void)
{
    welf_engine_free(engine);
    engine = NULL;
    lw_precise_traps = false;
}

welf_instance *compile_and_instantiate(const uint8_t *bytes, size_t size,
                                       welf_features features, int opt_level,
                                       const welf_extern *imports,
                                       uint32_t import_count)
{
    welf_wasm *wasm = NULL;
    welf_error err;
    lw_opt = opt_level;
    welf_status st = welf_wasm_decode(bytes, size, features, &wasm, &err);
    cr_assert_eq(st, WELF_OK, "decode: %s at 0x%x: %s", welf_status_name(st),
                 err.offset, err.message);
    st = welf_wasm_validate(wasm, &err);
    if (st != WELF_OK) {
        welf_wasm_free(wasm);
        cr_assert_fail("validate: %s at 0x%x: %s", welf_status_name(st),
                       err.offset, err.message);
    }
    welf_compile_options opts;
    welf_compile_options_init(&opts);
    opts.opt_level = opt_level;
    opts.precise_traps = lw_precise_traps;
    uint8_t *object = NULL;
    size_t object_size = 0;
    st = welf_compile(wasm, &opts, &object, &object_size, &err);
    welf_wasm_free(wasm);
    cr_assert_eq(st, WELF_OK, "compile -O%d%s: %s (function %d, 0x%x): %s",
                 opt_level, lw_precise_traps ? " precise" : "",
                 welf_status_name(st), (int)err.func_index, err.offset,
                 err.message);
    welf_module *module = NULL;
    st = welf_module_load_memory(lw_engine(), object, object_size, &module,
                                 &err);
    welf_free(object);
    cr_assert_eq(st, WELF_OK, "load -O%d: %s", opt_level, err.message);
    welf_instance *inst = NULL;
    st = welf_instance_new(module, imports, import_count, &inst, &err);
    cr_assert_eq(st, WELF_OK, "instantiate -O%d: %s: %s", opt_level,
                 welf_status_name(st), err.message);
    return inst;
}

welf_instance *mod_instantiate(lw_mod *m, int opt_level,
                               const welf_extern *imports,
                               uint32_t import_count)
{
    size_t size;
    const uint8_t *bytes = mod_bytes(m, &size);
    return compile_and_instantiate(bytes, size, m->features, opt_level,
                                   imports, import_count);
}

/* ---- calling ---- */

welf_extern lw_export(welf_instance *inst, const char *name,
                      welf_extern_kind kind)
{
    welf_extern ex;
    welf_error err;
    cr_assert_eq(welf_instance_export(inst, name, strlen(name), &ex, &err),
                 WELF_OK, "export %s: %s", name, err.message);
    cr_assert_eq(ex.kind, kind, "export %s has kind %d", name, ex.kind);
    return ex;
}

welf_funcref *lw_func(welf_instance *inst, const char *name)
{
    return lw_export(inst, name, WELF_EXTERN_FUNC).u.func;
}

uint8_t *lw_memory(welf_instance *inst, const char *name)
{
    return welf_memory_data(lw_export(inst, name, WELF_EXTERN_MEMORY)
                                .u.memory);
}

welf_status lw_call(welf_instance *inst, const char *name,
                    const welf_val *args, size_t n, welf_val *results,
                    size_t result_count, welf_error *err)
{
    return welf_func_call(lw_func(inst, name), args, n, results,
                          result_count, err);
}

/* Calls a function of one result (or none when `type` is 0). */
static welf_val call_one(welf_instance *inst, const char *name, uint8_t type,
                         const welf_val *args, size_t n)
{
    welf_funcref *f = lw_func(inst, name);
    welf_functype_info ti;
    welf_func_type(f, &ti);
    size_t nres = type ? 1 : 0;
    cr_assert_eq(ti.result_count, nres, "%s returns %u values", name,
                 ti.result_count);
    if (nres)
        cr_assert_eq(ti.results[0], type, "%s returns type 0x%x", name,
                     ti.results[0]);
    welf_val result = {.type = 0};
    welf_error err;
    welf_status st = welf_func_call(f, args, n, &result, nres, &err);
    cr_assert_eq(st, WELF_OK, "%s at -O%d: %s: %s", name, lw_opt,
                 welf_status_name(st), err.message);
    return result;
}

int32_t lw_call_i32(welf_instance *inst, const char *name,
                    const welf_val *args, size_t n)
{
    return call_one(inst, name, WELF_TYPE_I32, args, n).of.i32;
}

int64_t lw_call_i64(welf_instance *inst, const char *name,
                    const welf_val *args, size_t n)
{
    return call_one(inst, name, WELF_TYPE_I64, args, n).of.i64;
}

float lw_call_f32(welf_instance *inst, const char *name,
                  const welf_val *args, size_t n)
{
    return call_one(inst, name, WELF_TYPE_F32, args, n).of.f32;
}

double lw_call_f64(welf_instance *inst, const char *name,
                   const welf_val *args, size_t n)
{
    return call_one(inst, name, WELF_TYPE_F64, args, n).of.f64;
}

welf_val lw_call_val(welf_instance *inst, const char *name,
                     const welf_val *args, size_t n)
{
    welf_funcref *f = lw_func(inst, name);
    welf_functype_info ti;
    welf_func_type(f, &ti);
    cr_assert_eq(ti.result_count, 1, "%s returns %u values", name,
                 ti.result_count);
    return call_one(inst, name, ti.results[0], args, n);
}

void lw_call_void(welf_instance *inst, const char *name,
                  const welf_val *args, size_t n)
{
    call_one(inst, name, 0, args, n);
}

void lw_call_multi(welf_instance *inst, const char *name, welf_val *results,
                   size_t result_count, const welf_val *args, size_t n)
{
    welf_error err;
    welf_status st = lw_call(inst, name, args, n, results, result_count,
                             &err);
    cr_assert_eq(st, WELF_OK, "%s at -O%d: %s: %s", name, lw_opt,
                 welf_status_name(st), err.message);
}

void lw_expect_trap(welf_instance *inst, const char *name,
                    welf_trap_code code, const char *message,
                    const welf_val *args, size_t n)
{
    welf_funcref *f = lw_func(inst, name);
    welf_functype_info ti;
    welf_func_type(f, &ti);
    welf_val results[16];
    cr_assert_leq(ti.result_count, 16);
    welf_error err;
    memset(&err, 0, sizeof err);
    welf_status st = welf_func_call(f, args, n, results, ti.result_count,
                                    &err);
    cr_assert_eq(st, WELF_ERR_TRAP,
                 "%s at -O%d: expected trap \"%s\", got status %s (%s)",
                 name, lw_opt, welf_trap_message(code), welf_status_name(st),
                 st == WELF_OK ? "no error" : err.message);
    cr_assert_eq(err.trap_code, (uint32_t)code,
                 "%s at -O%d: trap \"%s\" (%u), expected \"%s\" (%d)", name,
                 lw_opt, err.message, err.trap_code, welf_trap_message(code),
                 (int)code);
    const char *want = message ? message : welf_trap_message(code);
    cr_assert_str_eq(err.message, want, "%s at -O%d: message \"%s\"", name,
                     lw_opt, err.message);
}

/* ---- float bits ---- */

uint32_t lw_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

uint64_t lw_f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

float lw_bits_f32(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

double lw_bits_f64(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}
