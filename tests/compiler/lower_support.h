/*
 * lower_support.h — a small assembler for test modules and helpers to
 * compile, instantiate and call them, shared by the lowering tests
 * (tests/compiler/lower_*.c).
 *
 * Value types are letters: i i32, l i64, f f32, d f64, r funcref,
 * x externref. A signature is two strings, e.g. ("il", "d") for
 * [i32 i64] -> [f64].
 *
 *   lw_mod m;
 *   mod_init(&m, WELF_FEATURES_WASM2);
 *   FUNC(&m, "add", "ii", "i", "",
 *        LOCAL_GET "\x00" LOCAL_GET "\x01" I32_ADD);
 *   welf_instance *inst = mod_instantiate(&m, 2, NULL, 0);
 *   cr_assert_eq(call_i32(inst, "add", I32(1), I32(2)), 3);
 *   mod_free(&m);
 *
 * Function bodies are the instruction bytes without the final `end`,
 * which the assembler adds. Functions, tables, memories and globals are
 * numbered in the order they are added (imports first: add imports
 * before definitions). Suites that compile free the shared engine with
 * `TestSuite(name, .fini = lw_cleanup)`.
 */
#ifndef WELF_TESTS_LOWER_SUPPORT_H
#define WELF_TESTS_LOWER_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "welf_compiler.h"

/* ---- byte buffers ---- */

typedef struct lw_buf {
    uint8_t *data;
    size_t len, cap;
} lw_buf;

void buf_bytes(lw_buf *b, const void *p, size_t n);
void buf_byte(lw_buf *b, uint8_t v);
void buf_u32(lw_buf *b, uint32_t v);          /* unsigned LEB128 */
void buf_s64(lw_buf *b, int64_t v);           /* signed LEB128 */
void buf_i32_const(lw_buf *b, int32_t v);
void buf_i64_const(lw_buf *b, int64_t v);
void buf_f32_const(lw_buf *b, uint32_t bits);
void buf_f64_const(lw_buf *b, uint64_t bits);
void buf_free(lw_buf *b);
#define buf_lit(b, lit) buf_bytes((b), (lit), sizeof(lit) - 1)

/* ---- modules ---- */

#define LW_SECTIONS 13
#define LW_MAX_TYPES 64
#define LW_NO_MAX (-1)           /* limits without a maximum */
#define LW_NULL UINT32_MAX       /* a null entry in an element segment */

typedef enum lw_seg_mode {
    SEG_ACTIVE,
    SEG_PASSIVE,
    SEG_DECLARATIVE,
} lw_seg_mode;

typedef struct lw_mod {
    welf_features features;
    lw_buf sec[LW_SECTIONS];     /* entries, by section id */
    uint32_t count[LW_SECTIONS];
    char type_sig[LW_MAX_TYPES][40]; /* "params:results", for dedup */
    uint32_t funcs, tables, memories, globals, elems, datas;
    bool has_start;
    uint32_t start;
    lw_buf out;                  /* the assembled module */
} lw_mod;

void mod_init(lw_mod *m, welf_features features);
void mod_free(lw_mod *m);

/* The index of the type [params] -> [results], added if new. */
uint32_t mod_type(lw_mod *m, const char *params, const char *results);
/* Asserts that the type gets index `index` (for block types written as
 * literals). */
void mod_type_at(lw_mod *m, uint32_t index, const char *params,
                 const char *results);

/* A new type even when an equal one exists: types are structural, so
 * call_indirect must treat the two alike. */
uint32_t mod_type_new(lw_mod *m, const char *params, const char *results);

uint32_t mod_import_func(lw_mod *m, const char *module, const char *name,
                         const char *params, const char *results);

/* A function; exported as `export` unless NULL. `locals` is a string of
 * type letters. Returns the function index. */
uint32_t mod_func(lw_mod *m, const char *export, const char *params,
                  const char *results, const char *locals, const void *body,
                  size_t len);
/* The same, of type index `type`. */
uint32_t mod_func_typed(lw_mod *m, const char *export, uint32_t type,
                        const char *locals, const void *body, size_t len);
#define FUNC(m, export, params, results, locals, lit) \
    mod_func((m), (export), (params), (results), (locals), (lit), \
             sizeof(lit) - 1)

/* type is 'r' or 'x'; max is LW_NO_MAX or a maximum. */
uint32_t mod_table(lw_mod *m, char type, uint32_t min, int64_t max,
                   const char *export);
uint32_t mod_memory(lw_mod *m, uint32_t min, int64_t max,
                    const char *export);
/* init: a constant expression without its final end. */
uint32_t mod_global(lw_mod *m, char type, bool is_mutable, const void *init,
                    size_t len, const char *export);
void mod_export(lw_mod *m, const char *name, welf_extern_kind kind,
                uint32_t index);
void mod_start(lw_mod *m, uint32_t func);

/* A funcref element segment of function indices (LW_NULL for ref.null);
 * table and offset are for SEG_ACTIVE. Returns the segment index. */
uint32_t mod_elem(lw_mod *m, lw_seg_mode mode, uint32_t table,
                  uint32_t offset, const uint32_t *funcs, uint32_t n);
/* A data segment (SEG_ACTIVE or SEG_PASSIVE). Returns its index. */
uint32_t mod_data(lw_mod *m, lw_seg_mode mode, uint32_t memory,
                  uint32_t offset, const void *bytes, size_t n);

/* Assembles the module (valid until the next call or mod_free). */
const uint8_t *mod_bytes(lw_mod *m, size_t *size);

/* ---- compiling and instantiating ---- */

/* The engine every instance of a test lives in, made on first use. */
welf_engine *lw_engine(void);
/* Frees the engine and everything in it: the suites' .fini. */
void lw_cleanup(void);

/* Decodes, validates, compiles at -O`opt_level`, loads from memory and
 * instantiates; asserts that every step succeeds. */
welf_instance *compile_and_instantiate(const uint8_t *bytes, size_t size,
                                       welf_features features, int opt_level,
                                       const welf_extern *imports,
                                       uint32_t import_count);
welf_instance *mod_instantiate(lw_mod *m, int opt_level,
                               const welf_extern *imports,
                               uint32_t import_count);

/* Compile with welf_compile_options.precise_traps (every memory access
 * an ordered side effect; docs/abi.md, "Precision of memory traps").
 * Off by default; lw_cleanup turns it off again. */
extern bool lw_precise_traps;

/* The optimization levels the tests run at, and the level of the last
 * compile (for failure messages). */
extern const int lw_opt_levels[2];
extern int lw_opt;
#define FOR_EACH_OPT(o) \
    for (size_t lw_i_ = 0; lw_i_ < 2 && ((o) = lw_opt_levels[lw_i_], 1); \
         lw_i_++)

/* ---- calling ---- */

#define I32(v) ((welf_val){.type = WELF_TYPE_I32, .of.i32 = (int32_t)(v)})
#define I64(v) ((welf_val){.type = WELF_TYPE_I64, .of.i64 = (int64_t)(v)})
#define F32(v) ((welf_val){.type = WELF_TYPE_F32, .of.f32 = (v)})
#define F64(v) ((welf_val){.type = WELF_TYPE_F64, .of.f64 = (v)})
#define FUNCREF(p) ((welf_val){.type = WELF_TYPE_FUNCREF, .of.func = (p)})
#define EXTERNREF(p) \
    ((welf_val){.type = WELF_TYPE_EXTERNREF, .of.extern_ref = (p)})

/* An argument list for the lw_call_* functions: (array, count). */
#define LW_ARGS(...) \
    ((const welf_val[]){{.type = 0}, __VA_ARGS__} + 1), \
    (sizeof((const welf_val[]){{.type = 0}, __VA_ARGS__}) / \
         sizeof(welf_val) - 1)

welf_extern lw_export(welf_instance *inst, const char *name,
                      welf_extern_kind kind);
welf_funcref *lw_func(welf_instance *inst, const char *name);
uint8_t *lw_memory(welf_instance *inst, const char *name);

welf_status lw_call(welf_instance *inst, const char *name,
                    const welf_val *args, size_t n, welf_val *results,
                    size_t result_count, welf_error *err);
int32_t lw_call_i32(welf_instance *inst, const char *name,
                    const welf_val *args, size_t n);
int64_t lw_call_i64(welf_instance *inst, const char *name,
                    const welf_val *args, size_t n);
float lw_call_f32(welf_instance *inst, const char *name,
                  const welf_val *args, size_t n);
double lw_call_f64(welf_instance *inst, const char *name,
                   const welf_val *args, size_t n);
welf_val lw_call_val(welf_instance *inst, const char *name,
                     const welf_val *args, size_t n);
void lw_call_void(welf_instance *inst, const char *name,
                  const welf_val *args, size_t n);
void lw_call_multi(welf_instance *inst, const char *name, welf_val *results,
                   size_t result_count, const welf_val *args, size_t n);
/* Asserts that the call traps with `code`, and with exactly `message`
 * unless it is NULL (then the message must be the code's). */
void lw_expect_trap(welf_instance *inst, const char *name,
                    welf_trap_code code, const char *message,
                    const welf_val *args, size_t n);

#define call_i32(inst, name, ...) \
    lw_call_i32((inst), (name), LW_ARGS(__VA_ARGS__))
#define call_i64(inst, name, ...) \
    lw_call_i64((inst), (name), LW_ARGS(__VA_ARGS__))
#define call_f32(inst, name, ...) \
    lw_call_f32((inst), (name), LW_ARGS(__VA_ARGS__))
#define call_f64(inst, name, ...) \
    lw_call_f64((inst), (name), LW_ARGS(__VA_ARGS__))
#define call_val(inst, name, ...) \
    lw_call_val((inst), (name), LW_ARGS(__VA_ARGS__))
#define call_void(inst, name, ...) \
    lw_call_void((inst), (name), LW_ARGS(__VA_ARGS__))
#define call_multi(inst, name, results, count, ...) \
    lw_call_multi((inst), (name), (results), (count), LW_ARGS(__VA_ARGS__))
#define expect_trap(inst, name, code, ...) \
    lw_expect_trap((inst), (name), (code), NULL, LW_ARGS(__VA_ARGS__))
#define expect_trap_msg(inst, name, code, message, ...) \
    lw_expect_trap((inst), (name), (code), (message), LW_ARGS(__VA_ARGS__))

/* Float bits without aliasing trouble. */
uint32_t lw_f32_bits(float f);
uint64_t lw_f64_bits(double d);
float lw_bits_f32(uint32_t bits);
double lw_bits_f64(uint64_t bits);

/* ---- opcodes, as string literals to paste into bodies ---- */

#define UNREACHABLE "\x00"
#define NOP "\x01"
#define BLOCK "\x02"
#define LOOP "\x03"
#define IF "\x04"
#define ELSE "\x05"
#define END "\x0b"
#define BR "\x0c"
#define BR_IF "\x0d"
#define BR_TABLE "\x0e"
#define RETURN "\x0f"
#define CALL "\x10"
#define CALL_INDIRECT "\x11"
#define RETURN_CALL "\x12"
#define RETURN_CALL_INDIRECT "\x13"
#define DROP "\x1a"
#define SELECT "\x1b"
#define SELECT_T "\x1c"
#define LOCAL_GET "\x20"
#define LOCAL_SET "\x21"
#define LOCAL_TEE "\x22"
#define GLOBAL_GET "\x23"
#define GLOBAL_SET "\x24"
#define TABLE_GET "\x25"
#define TABLE_SET "\x26"
#define I32_CONST "\x41"
#define I64_CONST "\x42"
#define F32_CONST "\x43"
#define F64_CONST "\x44"
#define I32_EQZ "\x45"
#define I32_EQ "\x46"
#define I32_ADD "\x6a"
#define I32_SUB "\x6b"
#define I32_MUL "\x6c"
#define I32_AND "\x71"
#define I64_ADD "\x7c"
#define I64_MUL "\x7e"
#define F32_ADD "\x92"
#define F64_ADD "\xa0"
#define F64_MUL "\xa2"
#define I64_EXTEND_I32_S "\xac"
#define REF_NULL "\xd0"
#define REF_IS_NULL "\xd1"
#define REF_FUNC "\xd2"
#define FC "\xfc"                /* the 0xfc prefix */

/* Block types. */
#define BT_EMPTY "\x40"
#define BT_I32 "\x7f"
#define BT_I64 "\x7e"
#define BT_F32 "\x7d"
#define BT_F64 "\x7c"

#endif
