/*
 * tests/compiler/validate.c — the validator (compiler/validate.c): the
 * typing of instruction sequences (spec 3.3, with the algorithm of
 * appendix A.3) and the module-level rules (spec 3.4), each error with
 * its status code, the module offset it reports and its class (invalid).
 *
 * Modules are assembled byte by byte. Instruction offsets are the body's
 * start (the module offset of its first byte, the local count, worked out
 * from the bytes written) plus the opcode's position in the body literal,
 * counted by hand; module-level offsets are worked out from the layout
 * comments.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "module.h"
#include "wbuf.h"

/* ---- assembling modules ---- */

/* A code section of n bodies; starts[i] is the module offset of body i's
 * first byte (its local count). */
static void wb_code(wbuf *w, size_t n, const char *const *bodies,
                    const size_t *lens, uint32_t *starts)
{
    wbuf c;
    c.n = 0;
    uint32_t in_code[8];
    cr_assert_leq(n, 8);
    wb_leb(&c, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        wb_leb(&c, (uint32_t)lens[i]);
        in_code[i] = (uint32_t)c.n;
        wb_raw(&c, bodies[i], lens[i]);
    }
    wb_byte(w, 10);
    wb_leb(w, (uint32_t)c.n);
    for (size_t i = 0; i < n; i++)
        starts[i] = (uint32_t)w->n + in_code[i];
    wb_raw(w, c.b, c.n);
}

static uint32_t wb_code1(wbuf *w, const char *body, size_t len)
{
    uint32_t start;
    wb_code(w, 1, &body, &len, &start);
    return start;
}

#define CODE1(w, lit) wb_code1((w), (lit), sizeof(lit) - 1)

/* Type 0 = [] -> [] and one function of type 0: bytes 8..17. */
static void t0_f1(wbuf *w)
{
    wb_init(w);
    SEC(w, 1, "\x01\x60\x00\x00");
    SEC(w, 3, "\x01\x00");
}

/* Type 0 = [] -> [i32] and one function of type 0: bytes 8..18. */
static void ti_f1(wbuf *w)
{
    wb_init(w);
    SEC(w, 1, "\x01\x60\x00\x01\x7f");
    SEC(w, 3, "\x01\x00");
}

/* ---- decoding then validating ---- */

static welf_wasm *decode(const wbuf *w, welf_features f, const char *what)
{
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(w->b, w->n, f, &m, &err);
    cr_assert_eq(st, WELF_OK, "%s: the test module does not decode: code %d "
                 "at 0x%x: %s", what, (int)st, err.offset, err.message);
    return m;
}

static void expect_valid(const wbuf *w, welf_features f, const char *what)
{
    welf_wasm *m = decode(w, f, what);
    welf_error err;
    welf_status st = welf_wasm_validate(m, &err);
    bool validated = m->validated;
    welf_wasm_free(m);
    cr_assert_eq(st, WELF_OK, "%s: rejected with code %d at 0x%x: %s", what,
                 (int)st, err.offset, err.message);
    cr_assert(validated);
}

static welf_error expect_invalid(const wbuf *w, welf_features f,
                                 welf_status code, uint32_t offset,
                                 const char *what)
{
    welf_wasm *m = decode(w, f, what);
    welf_error err;
    welf_status st = welf_wasm_validate(m, &err);
    bool validated = m->validated;
    welf_wasm_free(m);
    cr_assert_eq(st, code, "%s: status %d (\"%s\" at 0x%x), expected %d (%s)",
                 what, (int)st, err.message, err.offset, (int)code,
                 welf_status_name(code));
    cr_assert_eq(err.code, code);
    cr_assert_eq(err.offset, offset, "%s: offset 0x%x, expected 0x%x (%s)",
                 what, err.offset, offset, err.message);
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_INVALID,
                 "%s: status %d is not classed invalid", what, (int)st);
    cr_assert_neq(err.message[0], '\0', "%s: no message", what);
    cr_assert(!validated);
    return err;
}

#define ALL WELF_FEATURES_ALL

/* ---- operand stack ---- */

Test(validate, type_mismatch_message)
{
    wbuf w;
    ti_f1(&w);
    /* 19 code id, 20 size, 21 count, 22 body size, body at 23:
     * locals, i32.const 1 (24), f64.const 1.0 (26), i32.add (35), end */
    uint32_t b = CODE1(&w, "\x00\x41\x01\x44\x00\x00\x00\x00\x00\x00\xf0\x3f"
                           "\x6a\x0b");
    cr_assert_eq(b, 23);
    welf_error err = expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, 35,
                                    "i32.add of an f64");
    cr_assert(strstr(err.message, "i32.add"), "message: %s", err.message);
    cr_assert(strstr(err.message, "expected i32"), "message: %s",
              err.message);
    cr_assert(strstr(err.message, "got f64"), "message: %s", err.message);
    cr_assert_eq(err.func_index, 0, "func_index %u", err.func_index);
}

Test(validate, empty_stack)
{
    wbuf w;
    ti_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x6a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 1, "i32.add of []");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 1, "drop of []");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x41\x00\x6a\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 3,
                   "i32.add of one value");
}

Test(validate, function_results)
{
    wbuf w;
    ti_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 1,
                   "[] -> [i32] returning nothing");
    ti_f1(&w);
    b = CODE1(&w, "\x00\x41\x00\x41\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 5,
                   "[] -> [i32] returning two values");
    ti_f1(&w);
    b = CODE1(&w, "\x00\x42\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 3,
                   "[] -> [i32] returning an i64");
    ti_f1(&w);
    CODE1(&w, "\x00\x41\x00\x0b");
    expect_valid(&w, ALL, "[] -> [i32] returning an i32");
}

/* ---- control ---- */

Test(validate, block_results_wrong)
{
    wbuf w;
    t0_f1(&w);
    /* locals, block i32 at +1, end at +3, drop, end */
    uint32_t b = CODE1(&w, "\x00\x02\x7f\x0b\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 3,
                   "block (result i32) of nothing");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x02\x7f\x42\x00\x0b\x1a\x0b");
    welf_error err = expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 5,
                                    "block (result i32) of an i64");
    cr_assert(strstr(err.message, "got i64"), "message: %s", err.message);
    t0_f1(&w);
    b = CODE1(&w, "\x00\x02\x40\x41\x00\x0b\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 5,
                   "block [] leaving an i32");
    t0_f1(&w);
    CODE1(&w, "\x00\x02\x7f\x41\x00\x0b\x1a\x0b");
    expect_valid(&w, ALL, "block (result i32) of an i32");
}

Test(validate, block_params)
{
    /* type 1 = [i32] -> [i32]: a block taking its parameter */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x02\x60\x00\x00\x60\x01\x7f\x01\x7f");
    SEC(&w, 3, "\x01\x00");
    CODE1(&w, "\x00\x41\x00\x02\x01\x0b\x1a\x0b");
    expect_valid(&w, ALL, "block [i32] -> [i32] given an i32");

    wb_init(&w);
    SEC(&w, 1, "\x02\x60\x00\x00\x60\x01\x7f\x01\x7f");
    SEC(&w, 3, "\x01\x00");
    uint32_t b = CODE1(&w, "\x00\x02\x01\x0b\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 1,
                   "block [i32] -> [i32] given nothing");
}

Test(validate, if_without_else)
{
    wbuf w;
    t0_f1(&w);
    /* locals, i32.const 1, if i32 at +3, i32.const 2, end at +7 */
    uint32_t b = CODE1(&w, "\x00\x41\x01\x04\x7f\x41\x02\x0b\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 7,
                   "if (result i32) without else");

    /* [i32] -> [i32] without else passes its parameter through */
    wb_init(&w);
    SEC(&w, 1, "\x02\x60\x00\x00\x60\x01\x7f\x01\x7f");
    SEC(&w, 3, "\x01\x00");
    CODE1(&w, "\x00\x41\x01\x41\x02\x04\x01\x0b\x1a\x0b");
    expect_valid(&w, ALL, "if [i32] -> [i32] without else");

    /* [i32] -> [i64] cannot */
    wb_init(&w);
    SEC(&w, 1, "\x02\x60\x00\x00\x60\x01\x7f\x01\x7e");
    SEC(&w, 3, "\x01\x00");
    b = CODE1(&w, "\x00\x41\x01\x41\x02\x04\x01\x1a\x42\x00\x0b\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 10,
                   "if [i32] -> [i64] without else");

    t0_f1(&w);
    CODE1(&w, "\x00\x41\x01\x04\x7f\x41\x02\x05\x41\x03\x0b\x1a\x0b");
    expect_valid(&w, ALL, "if (result i32) with else");

    t0_f1(&w);
    CODE1(&w, "\x00\x41\x01\x04\x40\x0b\x0b");
    expect_valid(&w, ALL, "empty if without else");
}

Test(validate, if_condition)
{
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x42\x01\x04\x40\x0b\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 3,
                   "if on an i64");
}

Test(validate, br_unknown_label)
{
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x0c\x01\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1, "br 1 at top");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x02\x40\x0c\x02\x0b\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3, "br 2 in block");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x41\x00\x0d\x01\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3, "br_if 1");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x41\x00\x0e\x00\x05\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3,
                   "br_table default 5");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x41\x00\x0e\x01\x07\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3,
                   "br_table target 7");
    t0_f1(&w);
    CODE1(&w, "\x00\x02\x40\x0c\x01\x0b\x0b");
    expect_valid(&w, ALL, "br 1 from a block: the function's label");
}

Test(validate, br_table_arity)
{
    wbuf w;
    t0_f1(&w);
    /* +1 block, +3 block i32, +5 i32.const, +7 i32.const,
     * +9 br_table [0] 1, +13 end, +14 drop, +15 end, +16 end */
    uint32_t b = CODE1(&w, "\x00\x02\x40\x02\x7f\x41\x00\x41\x00"
                           "\x0e\x01\x00\x01\x0b\x1a\x0b\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 9,
                   "br_table to labels of arity 1 and 0");

    t0_f1(&w);
    CODE1(&w, "\x00\x02\x40\x02\x40\x41\x00\x0e\x01\x00\x01\x0b\x0b\x0b");
    expect_valid(&w, ALL, "br_table to two labels of arity 0");

    /* same arity, different types: i32 and i64 labels */
    t0_f1(&w);
    b = CODE1(&w, "\x00\x02\x7e\x02\x7f\x41\x00\x41\x00"
                  "\x0e\x01\x00\x01\x0b\x1a\x42\x00\x0b\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 9,
                   "br_table to an i32 and an i64 label");
}

Test(validate, unreachable_makes_stack_polymorphic)
{
    wbuf w;
    ti_f1(&w);
    CODE1(&w, "\x00\x00\x6a\x0b");
    expect_valid(&w, ALL, "unreachable; i32.add");

    ti_f1(&w);
    CODE1(&w, "\x00\x00\x0b");
    expect_valid(&w, ALL, "unreachable as the whole body of [] -> [i32]");

    ti_f1(&w);
    CODE1(&w, "\x00\x41\x00\x0c\x00\x6a\x6a\x0b");
    expect_valid(&w, ALL, "i32.const 0; br 0; i32.add; i32.add");

    ti_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x00\x42\x00\x6a\x0b");
    welf_error err = expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 4,
                                    "unreachable; i64.const 0; i32.add");
    cr_assert(strstr(err.message, "got i64"), "message: %s", err.message);

    t0_f1(&w);
    b = CODE1(&w, "\x00\x00\x41\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 4,
                   "unreachable; i32.const 0 in [] -> []");

    /* the polymorphism ends with the block */
    t0_f1(&w);
    b = CODE1(&w, "\x00\x02\x40\x00\x0b\x6a\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 5,
                   "i32.add after a block ending in unreachable");
}

Test(validate, select_needs_numeric_operands)
{
    wbuf w;
    t0_f1(&w);
    /* +1 ref.null, +3 ref.null, +5 i32.const, +7 select */
    uint32_t b = CODE1(&w, "\x00\xd0\x70\xd0\x70\x41\x00\x1b\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 7,
                   "select of two funcref");
    t0_f1(&w);
    CODE1(&w, "\x00\xd0\x70\xd0\x70\x41\x00\x1c\x01\x70\x1a\x0b");
    expect_valid(&w, ALL, "select (result funcref)");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x41\x00\x42\x00\x41\x00\x1b\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 7,
                   "select of i32 and i64");
    t0_f1(&w);
    CODE1(&w, "\x00\x42\x00\x42\x00\x41\x00\x1b\x1a\x0b");
    expect_valid(&w, ALL, "select of two i64");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x41\x00\x41\x00\x41\x00\x1c\x02\x7f\x7f\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 7,
                   "select with two result types");
    t0_f1(&w);
    b = CODE1(&w, "\x00\xd0\x6f\xd0\x70\x41\x00\x1c\x01\x6f\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 7,
                   "select (result externref) of a funcref");
}

/* ---- indices ---- */

Test(validate, unknown_type)
{
    wbuf w;
    t0_f1(&w);
    SEC(&w, 4, "\x01\x70\x00\x01");
    uint32_t b = CODE1(&w, "\x00\x41\x00\x11\x05\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3,
                   "call_indirect type 5");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x02\x07\x0b\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1, "block type 7");
}

Test(validate, unknown_function_type)
{
    /* 8..13 type, 14..17 function of type 5 (its entry at 17), code 18
     * id, 19 size, 20 count, body size at 21: the function is reported
     * at its function section entry */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x05");
    uint32_t b = CODE1(&w, "\x00\x0b");
    cr_assert_eq(b, 22);
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, 17,
                   "function of type 5");

    /* an import: 8..13 type, import section 14 id, 15 size, 16 count,
     * import at 17 */
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 2, "\x01\x00\x00\x00\x07");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, 17,
                   "imported function of type 7");
}

Test(validate, unknown_function)
{
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x10\x05\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1, "call 5");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x10\x01\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1,
                   "call 1 of 1 function");
    t0_f1(&w);
    b = CODE1(&w, "\x00\xd2\x05\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1, "ref.func 5");
}

Test(validate, unknown_table)
{
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x41\x00\x25\x03\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3, "table.get 3");
    t0_f1(&w);
    b = CODE1(&w, "\x00\xfc\x10\x00\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1, "table.size 0");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x41\x00\x11\x00\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3,
                   "call_indirect without a table");
}

Test(validate, unknown_memory)
{
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x41\x00\x28\x02\x00\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3,
                   "i32.load without a memory");
    t0_f1(&w);
    b = CODE1(&w, "\x00\x3f\x00\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1,
                   "memory.size without a memory");
    /* multi-memory: memory index 1 of 1 (flags 0x42 = align 2 + index) */
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    b = CODE1(&w, "\x00\x41\x00\x28\x42\x01\x00\x1a\x0b");
    expect_invalid(&w, WELF_FEATURE_MULTI_MEMORY, WELF_ERR_UNKNOWN_INDEX,
                   b + 3, "i32.load from memory 1 of 1");
}

Test(validate, unknown_global)
{
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00\x23\x00\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1, "global.get 0");
    t0_f1(&w);
    SEC(&w, 6, "\x01\x7f\x01\x41\x00\x0b");
    b = CODE1(&w, "\x00\x41\x00\x24\x01\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3, "global.set 1");
}

Test(validate, unknown_local)
{
    /* [i32] -> [] with one i64 local: locals 0 (i32) and 1 (i64) */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x01\x7f\x00");
    SEC(&w, 3, "\x01\x00");
    uint32_t b = CODE1(&w, "\x01\x01\x7e\x20\x02\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 3, "local.get 2");

    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x01\x7f\x00");
    SEC(&w, 3, "\x01\x00");
    CODE1(&w, "\x01\x01\x7e\x20\x01\x50\x1a\x0b");
    expect_valid(&w, ALL, "local.get 1 is an i64");

    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x01\x7f\x00");
    SEC(&w, 3, "\x01\x00");
    b = CODE1(&w, "\x01\x01\x7e\x41\x00\x21\x01\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 5,
                   "local.set of an i32 into an i64 local");
}

Test(validate, unknown_elem)
{
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00\xfc\x0d\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1, "elem.drop 0");
    t0_f1(&w);
    SEC(&w, 4, "\x01\x70\x00\x01");
    b = CODE1(&w, "\x00\x41\x00\x41\x00\x41\x00\xfc\x0c\x00\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 7, "table.init 0 0");
}

Test(validate, unknown_data)
{
    wbuf w;
    t0_f1(&w);
    SEC(&w, 12, "\x00");
    uint32_t b = CODE1(&w, "\x00\xfc\x09\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 1, "data.drop 0");
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    SEC(&w, 12, "\x01");
    b = CODE1(&w, "\x00\x41\x00\x41\x00\x41\x00\xfc\x08\x01\x00\x0b");
    SEC(&w, 11, "\x01\x01\x00");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, b + 7,
                   "memory.init 1 with one segment");
}

Test(validate, unknown_indices_at_module_level)
{
    /* export of function 5: 8..17 type and function, export section
     * 18 id, 19 size, 20 count, export at 21 */
    wbuf w;
    t0_f1(&w);
    SEC(&w, 7, "\x01\x01" "f" "\x00\x05");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, 21, "export func 5");

    /* active data segment without a memory: 8 id, 9 size, 10 count,
     * segment at 11 */
    wb_init(&w);
    SEC(&w, 11, "\x01\x00\x41\x00\x0b\x00");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, 11,
                   "data segment without a memory");

    /* element segment naming function 3: 8..17, 18..23 table,
     * element section 24 id, 25 size, 26 count, segment at 27 */
    t0_f1(&w);
    SEC(&w, 4, "\x01\x70\x00\x01");
    SEC(&w, 9, "\x01\x00\x41\x00\x0b\x01\x03");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, 27,
                   "element segment with function 3");

    /* active element segment for table 0 without a table: segment at 21 */
    t0_f1(&w);
    SEC(&w, 9, "\x01\x00\x41\x00\x0b\x01\x00");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, 21,
                   "element segment without a table");
}

/* ---- globals, memory access, limits ---- */

Test(validate, global_set_immutable)
{
    /* 8..17, global section 18..25, code 26 id, 27 size, 28 count,
     * 29 body size, body at 30; global.set at 33 */
    wbuf w;
    t0_f1(&w);
    SEC(&w, 6, "\x01\x7f\x00\x41\x00\x0b");
    uint32_t b = CODE1(&w, "\x00\x41\x01\x24\x00\x0b");
    cr_assert_eq(b, 30);
    expect_invalid(&w, ALL, WELF_ERR_IMMUTABLE, 33,
                   "global.set of an immutable global");

    t0_f1(&w);
    SEC(&w, 6, "\x01\x7f\x01\x41\x00\x0b");
    CODE1(&w, "\x00\x41\x01\x24\x00\x0b");
    expect_valid(&w, ALL, "global.set of a mutable global");

    /* imported immutable global */
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 2, "\x01\x01" "m" "\x01" "g" "\x03\x7f\x00");
    SEC(&w, 3, "\x01\x00");
    b = CODE1(&w, "\x00\x41\x01\x24\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_IMMUTABLE, b + 3,
                   "global.set of an imported immutable global");
}

Test(validate, alignment)
{
    wbuf w;
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    uint32_t b = CODE1(&w, "\x00\x41\x00\x28\x03\x00\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_ALIGNMENT, b + 3,
                   "i32.load align 8");
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    CODE1(&w, "\x00\x41\x00\x28\x02\x00\x1a\x0b");
    expect_valid(&w, ALL, "i32.load align 4");
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    b = CODE1(&w, "\x00\x41\x00\x2d\x01\x00\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_ALIGNMENT, b + 3,
                   "i32.load8_u align 2");
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    b = CODE1(&w, "\x00\x41\x00\x42\x00\x37\x04\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_ALIGNMENT, b + 5,
                   "i64.store align 16");
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    b = CODE1(&w, "\x00\x41\x00\xfd\x00\x05\x00\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_ALIGNMENT, b + 3,
                   "v128.load align 32");
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    b = CODE1(&w, "\x00\x41\x00\x28\x20\x00\x1a\x0b");
    expect_invalid(&w, WELF_FEATURES_WASM2, WELF_ERR_ALIGNMENT, b + 3,
                   "i32.load align 2^32");
}

Test(validate, memory_limits)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 5, "\x01\x01\x02\x01");         /* memory at 11 */
    expect_invalid(&w, ALL, WELF_ERR_LIMITS, 11, "memory 2..1");
    wb_init(&w);
    SEC(&w, 5, "\x01\x00\x81\x80\x04");     /* min 65537 */
    expect_invalid(&w, ALL, WELF_ERR_LIMITS, 11, "memory of 65537 pages");
    wb_init(&w);
    SEC(&w, 5, "\x01\x01\x00\x81\x80\x04"); /* max 65537 */
    expect_invalid(&w, ALL, WELF_ERR_LIMITS, 11, "memory max 65537 pages");
    wb_init(&w);
    SEC(&w, 5, "\x01\x01\x80\x80\x04\x80\x80\x04");
    expect_valid(&w, ALL, "memory 65536..65536");
    /* import at 11: "", "", kind 2, limits 2..1 */
    wb_init(&w);
    SEC(&w, 2, "\x01\x00\x00\x02\x01\x02\x01");
    expect_invalid(&w, ALL, WELF_ERR_LIMITS, 11, "imported memory 2..1");
}

Test(validate, table_limits)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 4, "\x01\x70\x01\x02\x01");     /* table at 11 */
    expect_invalid(&w, ALL, WELF_ERR_LIMITS, 11, "table 2..1");
    wb_init(&w);
    SEC(&w, 4, "\x01\x70\x01\x00\xff\xff\xff\xff\x0f");
    expect_valid(&w, ALL, "table 0..2^32-1");
    wb_init(&w);
    SEC(&w, 2, "\x01\x00\x00\x01\x6f\x01\x05\x04");
    expect_invalid(&w, ALL, WELF_ERR_LIMITS, 11, "imported table 5..4");
}

Test(validate, multiple_memories)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 5, "\x02\x00\x01\x00\x01");     /* memories at 11 and 13 */
    expect_invalid(&w, WELF_FEATURES_WASM2, WELF_ERR_MULTIPLE, 13,
                   "two memories without multi-memory");
    expect_valid(&w, WELF_FEATURE_MULTI_MEMORY,
                 "two memories with multi-memory");
    /* an imported memory (import at 11..15) and a defined one: memory
     * section 16 id, 17 size, 18 count, memory at 19 */
    wb_init(&w);
    SEC(&w, 2, "\x01\x00\x00\x02\x00\x01");
    SEC(&w, 5, "\x01\x00\x01");
    expect_invalid(&w, WELF_FEATURES_WASM2, WELF_ERR_MULTIPLE, 19,
                   "imported and defined memory without multi-memory");
    expect_valid(&w, WELF_FEATURE_MULTI_MEMORY,
                 "imported and defined memory with multi-memory");
}

/* ---- exports ---- */

Test(validate, duplicate_export_names)
{
    /* 8..17, export section 18 id, 19 size, 20 count, exports at 21, 25 */
    wbuf w;
    t0_f1(&w);
    SEC(&w, 7, "\x02" "\x01" "a" "\x00\x00" "\x01" "a" "\x00\x00");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_DUPLICATE_EXPORT, 25, "\"a\" twice");

    /* "b", "a", "b": the second "b" at 29 is the duplicate */
    t0_f1(&w);
    SEC(&w, 7, "\x03" "\x01" "b" "\x00\x00" "\x01" "a" "\x00\x00"
               "\x01" "b" "\x00\x00");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_DUPLICATE_EXPORT, 29,
                   "\"b\", \"a\", \"b\"");

    /* one name for a function and a global */
    t0_f1(&w);
    SEC(&w, 6, "\x01\x7f\x00\x41\x00\x0b");         /* 18..25 */
    /* 26 id, 27 size, 28 count, exports at 29 and 33 */
    SEC(&w, 7, "\x02" "\x01" "x" "\x00\x00" "\x01" "x" "\x03\x00");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_DUPLICATE_EXPORT, 33,
                   "\"x\" for a function and a global");
}

Test(validate, export_names_with_nul_are_distinct)
{
    wbuf w;
    t0_f1(&w);
    SEC(&w, 7, "\x02" "\x03" "a" "\x00" "b" "\x00\x00"
               "\x03" "a" "\x00" "c" "\x00\x00");
    CODE1(&w, "\x00\x0b");
    expect_valid(&w, ALL, "\"a\\0b\" and \"a\\0c\"");

    t0_f1(&w);
    SEC(&w, 7, "\x02" "\x01" "a" "\x00\x00" "\x02" "a" "\x00" "\x00\x00");
    CODE1(&w, "\x00\x0b");
    expect_valid(&w, ALL, "\"a\" and \"a\\0\"");

    t0_f1(&w);
    SEC(&w, 7, "\x02" "\x00" "\x00\x00" "\x01" "\x00" "\x00\x00");
    CODE1(&w, "\x00\x0b");
    expect_valid(&w, ALL, "\"\" and \"\\0\"");

    /* names differing only after the NUL are still duplicates when equal */
    t0_f1(&w);
    /* 18 id, 19 size, 20 count, exports at 21 and 27 */
    SEC(&w, 7, "\x02" "\x03" "a" "\x00" "b" "\x00\x00"
               "\x03" "a" "\x00" "b" "\x00\x00");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_DUPLICATE_EXPORT, 27,
                   "\"a\\0b\" twice");

    /* "a", "a\0", "a": the duplicates are apart in the input and a name
     * that extends them sits between: exports at 21, 25, 30 */
    t0_f1(&w);
    SEC(&w, 7, "\x03" "\x01" "a" "\x00\x00" "\x02" "a" "\x00" "\x00\x00"
               "\x01" "a" "\x00\x00");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_DUPLICATE_EXPORT, 30,
                   "\"a\", \"a\\0\", \"a\"");
}

/* ---- constant expressions ---- */

Test(validate, const_expr_non_constant_instruction)
{
    wbuf w;
    wb_init(&w);
    /* 8 id, 9 size, 10 count, 11 type, 12 mut, 13 i32.const, 15 i32.eqz */
    SEC(&w, 6, "\x01\x7f\x00\x41\x00\x45\x0b");
    expect_invalid(&w, ALL, WELF_ERR_CONST_EXPR, 15, "i32.eqz in a global");
    wb_init(&w);
    SEC(&w, 6, "\x01\x7f\x00\x01\x41\x00\x0b");     /* nop at 13 */
    expect_invalid(&w, ALL, WELF_ERR_CONST_EXPR, 13, "nop in a global");
    /* data offset: memory 8..12, data 13 id, 14 size, 15 count,
     * segment 16: flags, i32.const at 17, i32.eqz at 19 */
    wb_init(&w);
    SEC(&w, 5, "\x01\x00\x01");
    SEC(&w, 11, "\x01\x00\x41\x00\x45\x0b\x00");
    expect_invalid(&w, ALL, WELF_ERR_CONST_EXPR, 19,
                   "i32.eqz in a data offset");
}

Test(validate, const_expr_type)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 6, "\x01\x7f\x00\x42\x00\x0b");         /* end at 15 */
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, 15,
                   "i32 global initialised with an i64");
    wb_init(&w);
    SEC(&w, 6, "\x01\x7f\x00\x0b");                 /* end at 13 */
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, 13,
                   "empty initialiser");
    wb_init(&w);
    SEC(&w, 6, "\x01\x70\x00\xd0\x6f\x0b");         /* end at 15 */
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, 15,
                   "funcref global initialised with ref.null extern");
}

Test(validate, const_expr_global_get)
{
    /* a defined global: 8 id, 9 size, 10 count, global 0 at 11..15,
     * global 1 at 16: type, mut, global.get at 18 */
    wbuf w;
    wb_init(&w);
    SEC(&w, 6, "\x02\x7f\x00\x41\x00\x0b\x7f\x00\x23\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, 18,
                   "global.get of a defined global");

    /* an imported mutable global: import 11..17, global section 18 id,
     * 19 size, 20 count, 21 type, 22 mut, global.get at 23 */
    wb_init(&w);
    SEC(&w, 2, "\x01\x01" "m" "\x01" "g" "\x03\x7f\x01");
    SEC(&w, 6, "\x01\x7f\x00\x23\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_CONST_EXPR, 23,
                   "global.get of an imported mutable global");

    wb_init(&w);
    SEC(&w, 2, "\x01\x01" "m" "\x01" "g" "\x03\x7f\x00");
    SEC(&w, 6, "\x01\x7f\x00\x23\x00\x0b");
    expect_valid(&w, ALL, "global.get of an imported immutable global");

    /* in a data offset too: import 11..17, memory 18..22, data 23 id,
     * 24 size, 25 count, segment 26, global.get at 27 */
    wb_init(&w);
    SEC(&w, 2, "\x01\x01" "m" "\x01" "g" "\x03\x7f\x01");
    SEC(&w, 5, "\x01\x00\x01");
    SEC(&w, 11, "\x01\x00\x23\x00\x0b\x00");
    expect_invalid(&w, ALL, WELF_ERR_CONST_EXPR, 27,
                   "data offset from a mutable global");
}

Test(validate, extended_const)
{
    /* 13 i32.const 1, 15 i32.const 2, 17 i32.add */
    wbuf w;
    wb_init(&w);
    SEC(&w, 6, "\x01\x7f\x00\x41\x01\x41\x02\x6a\x0b");
    expect_valid(&w, WELF_FEATURE_EXTENDED_CONST,
                 "i32.add with extended-const");
    expect_invalid(&w, ALL & ~WELF_FEATURE_EXTENDED_CONST,
                   WELF_ERR_CONST_EXPR, 17, "i32.add without extended-const");

    /* 13 i64.const 3, 15 i64.const 4, 17 i64.mul, 18 i64.const, 20 sub */
    wb_init(&w);
    SEC(&w, 6, "\x01\x7e\x00\x42\x03\x42\x04\x7e\x42\x01\x7d\x0b");
    expect_valid(&w, WELF_FEATURE_EXTENDED_CONST, "i64.mul, i64.sub");
    expect_invalid(&w, WELF_FEATURES_WASM2, WELF_ERR_CONST_EXPR, 17,
                   "i64.mul in wasm 2.0");

    /* i32.and is not an extended constant instruction: 17 */
    wb_init(&w);
    SEC(&w, 6, "\x01\x7f\x00\x41\x01\x41\x02\x71\x0b");
    expect_invalid(&w, WELF_FEATURE_EXTENDED_CONST, WELF_ERR_CONST_EXPR, 17,
                   "i32.and with extended-const");
}

/* ---- references ---- */

Test(validate, ref_func_undeclared)
{
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00\xd2\x00\x1a\x0b");
    cr_assert_eq(b, 22);
    expect_invalid(&w, ALL, WELF_ERR_UNDECLARED_REF, 23,
                   "ref.func of an undeclared function");

    /* a ref.func in another body declares nothing */
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x02\x00\x00");
    static const char *const bodies[] = {"\x00\xd2\x01\x1a\x0b",
                                         "\x00\xd2\x00\x1a\x0b"};
    static const size_t lens[] = {5, 5};
    uint32_t starts[2];
    wb_code(&w, 2, bodies, lens, starts);
    expect_invalid(&w, ALL, WELF_ERR_UNDECLARED_REF, starts[0] + 1,
                   "functions referring to each other");
}

Test(validate, ref_func_declared)
{
    wbuf w;
    t0_f1(&w);
    SEC(&w, 9, "\x01\x03\x00\x01\x00");             /* declarative */
    CODE1(&w, "\x00\xd2\x00\x1a\x0b");
    expect_valid(&w, ALL, "declared by a declarative element segment");

    t0_f1(&w);
    SEC(&w, 9, "\x01\x07\x70\x01\xd2\x00\x0b");     /* as an expression */
    CODE1(&w, "\x00\xd2\x00\x1a\x0b");
    expect_valid(&w, ALL, "declared by an element expression");

    t0_f1(&w);
    SEC(&w, 7, "\x01\x01" "f" "\x00\x00");
    CODE1(&w, "\x00\xd2\x00\x1a\x0b");
    expect_valid(&w, ALL, "declared by an export");

    t0_f1(&w);
    SEC(&w, 6, "\x01\x70\x00\xd2\x00\x0b");
    CODE1(&w, "\x00\xd2\x00\x1a\x0b");
    expect_valid(&w, ALL, "declared by a global initialiser");
}

Test(validate, call_indirect_through_externref_table)
{
    wbuf w;
    t0_f1(&w);
    SEC(&w, 4, "\x01\x6f\x00\x01");
    uint32_t b = CODE1(&w, "\x00\x41\x00\x11\x00\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 3,
                   "call_indirect through an externref table");
    t0_f1(&w);
    SEC(&w, 4, "\x01\x70\x00\x01");
    CODE1(&w, "\x00\x41\x00\x11\x00\x00\x0b");
    expect_valid(&w, ALL, "call_indirect through a funcref table");
}

Test(validate, element_segment_table_type)
{
    /* 8..17, table 18..23 (externref), element section 24 id, 25 size,
     * 26 count, segment at 27 (funcref, active in table 0) */
    wbuf w;
    t0_f1(&w);
    SEC(&w, 4, "\x01\x6f\x00\x01");
    SEC(&w, 9, "\x01\x00\x41\x00\x0b\x01\x00");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, 27,
                   "funcref segment into an externref table");
}

Test(validate, table_ops)
{
    wbuf w;
    t0_f1(&w);
    SEC(&w, 4, "\x02\x70\x00\x01\x6f\x00\x01");
    uint32_t b = CODE1(&w, "\x00\x41\x00\x41\x00\x41\x00\xfc\x0e\x00\x01\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 7,
                   "table.copy from externref into funcref");
    t0_f1(&w);
    SEC(&w, 4, "\x01\x6f\x00\x01");
    b = CODE1(&w, "\x00\x41\x00\xd0\x70\x26\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 5,
                   "table.set of a funcref into an externref table");
    t0_f1(&w);
    SEC(&w, 4, "\x01\x6f\x00\x01");
    CODE1(&w, "\x00\xd0\x6f\x41\x01\xfc\x0f\x00\x1a\x0b");
    expect_valid(&w, ALL, "table.grow of an externref table");
}

/* ---- start ---- */

Test(validate, start_function_type)
{
    /* 8..14 type, 15..18 function, start 19 id, 20 size, index at 21 */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x01\x7f\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 8, "\x00");
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_START, 21, "start function [i32] -> []");

    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x01\x7f");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 8, "\x00");
    CODE1(&w, "\x00\x41\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_START, 21, "start function [] -> [i32]");

    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 8, "\x05");                             /* index at 20 */
    CODE1(&w, "\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_UNKNOWN_INDEX, 20, "start function 5");

    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 8, "\x00");
    CODE1(&w, "\x00\x0b");
    expect_valid(&w, ALL, "start function [] -> []");
}

/* ---- SIMD lanes ---- */

#define V128_ZERO "\xfd\x0c\x00\x00\x00\x00\x00\x00\x00\x00" \
                  "\x00\x00\x00\x00\x00\x00\x00\x00"

Test(validate, simd_extract_lane)
{
    /* +1 v128.const (18 bytes), +19 the lane instruction */
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00" V128_ZERO "\xfd\x15\x10\x1a\x0b");
    welf_error err = expect_invalid(&w, ALL, WELF_ERR_LANE, b + 19,
                                    "i8x16.extract_lane_s 16");
    cr_assert_eq(err.func_index, 0);
    t0_f1(&w);
    CODE1(&w, "\x00" V128_ZERO "\xfd\x15\x0f\x1a\x0b");
    expect_valid(&w, ALL, "i8x16.extract_lane_s 15");
    t0_f1(&w);
    b = CODE1(&w, "\x00" V128_ZERO "\xfd\x1d\x02\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_LANE, b + 19, "i64x2.extract_lane 2");
    t0_f1(&w);
    b = CODE1(&w, "\x00" V128_ZERO "\x41\x00\xfd\x1c\x04\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_LANE, b + 21, "i32x4.replace_lane 4");
}

Test(validate, simd_shuffle_lane)
{
    /* +1, +19 two v128.const, +37 i8x16.shuffle */
    wbuf w;
    t0_f1(&w);
    uint32_t b = CODE1(&w, "\x00" V128_ZERO V128_ZERO
                           "\xfd\x0d\x00\x01\x02\x03\x04\x05\x06\x07"
                           "\x08\x09\x0a\x0b\x0c\x0d\x0e\x20\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_LANE, b + 37, "shuffle lane 32");
    t0_f1(&w);
    CODE1(&w, "\x00" V128_ZERO V128_ZERO
              "\xfd\x0d\x00\x01\x02\x03\x04\x05\x06\x07"
              "\x08\x09\x0a\x0b\x0c\x0d\x0e\x1f\x1a\x0b");
    expect_valid(&w, ALL, "shuffle lane 31");
    t0_f1(&w);
    b = CODE1(&w, "\x00" V128_ZERO V128_ZERO
                  "\xfd\x0d\xff\x01\x02\x03\x04\x05\x06\x07"
                  "\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_LANE, b + 37, "shuffle lane 255");
}

Test(validate, simd_memory_lane)
{
    /* +1 i32.const, +3 v128.const, +21 v128.load8_lane align 0 offset 0
     * lane 16 */
    wbuf w;
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    uint32_t b = CODE1(&w, "\x00\x41\x00" V128_ZERO
                           "\xfd\x54\x00\x00\x10\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_LANE, b + 21, "v128.load8_lane 16");
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    b = CODE1(&w, "\x00\x41\x00" V128_ZERO "\xfd\x57\x03\x00\x02\x1a\x0b");
    expect_invalid(&w, ALL, WELF_ERR_LANE, b + 21, "v128.load64_lane 2");
    t0_f1(&w);
    SEC(&w, 5, "\x01\x00\x01");
    CODE1(&w, "\x00\x41\x00" V128_ZERO "\xfd\x57\x03\x00\x01\x1a\x0b");
    expect_valid(&w, ALL, "v128.load64_lane 1");
}

/* ---- tail calls ---- */

Test(validate, return_call_results)
{
    /* type 0 = [] -> [i32], type 1 = [] -> [i64]; f0: type 0, f1: type 1 */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x02\x60\x00\x01\x7f\x60\x00\x01\x7e");
    SEC(&w, 3, "\x02\x00\x01");
    static const char *const bodies[] = {"\x00\x12\x01\x0b",
                                         "\x00\x42\x00\x0b"};
    static const size_t lens[] = {4, 4};
    uint32_t starts[2];
    wb_code(&w, 2, bodies, lens, starts);
    welf_error err = expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH,
                                    starts[0] + 1,
                                    "return_call of [] -> [i64] from "
                                    "[] -> [i32]");
    cr_assert_eq(err.func_index, 0);

    /* the same call to a function of the caller's type is fine */
    wb_init(&w);
    SEC(&w, 1, "\x02\x60\x00\x01\x7f\x60\x00\x01\x7e");
    SEC(&w, 3, "\x02\x00\x00");
    static const char *const ok_bodies[] = {"\x00\x12\x01\x0b",
                                            "\x00\x41\x00\x0b"};
    wb_code(&w, 2, ok_bodies, lens, starts);
    expect_valid(&w, ALL, "return_call with matching results");

    /* return_call_indirect of type 1 from a [] -> [i32] function */
    wb_init(&w);
    SEC(&w, 1, "\x02\x60\x00\x01\x7f\x60\x00\x01\x7e");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 4, "\x01\x70\x00\x01");
    uint32_t b = CODE1(&w, "\x00\x41\x00\x13\x01\x00\x0b");
    expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH, b + 3,
                   "return_call_indirect with other results");
}

/* ---- the module as a whole ---- */

Test(validate, error_in_second_function)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x02\x00\x00");
    static const char *const bodies[] = {"\x00\x0b", "\x00\x6a\x0b"};
    static const size_t lens[] = {2, 3};
    uint32_t starts[2];
    wb_code(&w, 2, bodies, lens, starts);
    welf_error err = expect_invalid(&w, ALL, WELF_ERR_TYPE_MISMATCH,
                                    starts[1] + 1, "i32.add in function 1");
    cr_assert_eq(err.func_index, 1, "func_index %u", err.func_index);
}

Test(validate, null_module)
{
    welf_error err;
    cr_assert_eq(welf_wasm_validate(NULL, &err), WELF_ERR_USAGE);
    cr_assert_eq(err.code, WELF_ERR_USAGE);
    cr_assert_eq(err.offset, WELF_NO_OFFSET);
}
