/*
 * tests/compiler/lower_control.c — the lowering of control flow
 * (compiler/lower.c): blocks, loops and ifs with parameters and several
 * results, br/br_if/br_table carrying values (to blocks, loops and the
 * function), if without else, code the validator types by the
 * polymorphic stack, return from deep nesting, select, and 1000 nested
 * constructs. Each test runs at -O0 and -O2.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "lower_support.h"

TestSuite(lower_control, .fini = lw_cleanup);

/* Calls a function of two i32 results. */
static void call2_i32(welf_instance *inst, const char *name, int32_t a,
                      int32_t b, int32_t c, int32_t want0, int32_t want1)
{
    welf_val r[2];
    lw_call_multi(inst, name, r, 2, LW_ARGS(I32(a), I32(b), I32(c)));
    cr_assert_eq(r[0].type, WELF_TYPE_I32);
    cr_assert_eq(r[1].type, WELF_TYPE_I32);
    cr_assert(r[0].of.i32 == want0 && r[1].of.i32 == want1,
              "%s(%d, %d, %d) at -O%d = (%d, %d), expected (%d, %d)", name,
              a, b, c, lw_opt, r[0].of.i32, r[1].of.i32, want0, want1);
}

Test(lower_control, block_and_if_with_params_and_results)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_type_at(&m, 0, "ii", "ii");
        mod_type_at(&m, 1, "il", "il");
        mod_type_at(&m, 2, "i", "i");
        /* (a, b, c) -> block [a b] -> [a-b, b] */
        FUNC(&m, "block", "iii", "ii", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01"
             BLOCK "\x00"
               I32_SUB LOCAL_GET "\x01"
             END);
        /* if c: [a b] -> [a-b, 1] else [a*b, 2] */
        FUNC(&m, "if_else", "iii", "ii", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             IF "\x00"
               I32_SUB I32_CONST "\x01"
             ELSE
               I32_MUL I32_CONST "\x02"
             END);
        /* if without else, [i32 i64] -> [i32 i64]: when c, (x+7, y*5);
         * otherwise the parameters pass through. */
        FUNC(&m, "if_no_else", "ili", "il", "l",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             IF "\x01"
               I64_CONST "\x05" I64_MUL LOCAL_SET "\x03"
               I32_CONST "\x07" I32_ADD LOCAL_GET "\x03"
             END);
        /* if without else, [i32] -> [i32], as the value of an i32 if. */
        FUNC(&m, "if_no_else_1", "ii", "i", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01"
             IF "\x02"
               I32_CONST "\x0a" I32_MUL
             END);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);

        call2_i32(inst, "block", 10, 3, 0, 7, 3);
        call2_i32(inst, "block", -5, 7, 0, -12, 7);
        call2_i32(inst, "if_else", 10, 3, 1, 7, 1);
        call2_i32(inst, "if_else", 10, 3, -1, 7, 1);
        call2_i32(inst, "if_else", 10, 3, 0, 30, 2);

        welf_val r[2];
        lw_call_multi(inst, "if_no_else", r, 2,
                      LW_ARGS(I32(4), I64(INT64_C(1) << 40), I32(1)));
        cr_assert_eq(r[0].of.i32, 11);
        cr_assert_eq(r[1].of.i64, INT64_C(5) << 40);
        lw_call_multi(inst, "if_no_else", r, 2,
                      LW_ARGS(I32(4), I64(INT64_C(1) << 40), I32(0)));
        cr_assert_eq(r[0].of.i32, 4);
        cr_assert_eq(r[1].of.i64, INT64_C(1) << 40);
        cr_assert_eq(call_i32(inst, "if_no_else_1", I32(6), I32(1)), 60);
        cr_assert_eq(call_i32(inst, "if_no_else_1", I32(6), I32(0)), 6);
        mod_free(&m);
    }
}

Test(lower_control, loops_carry_values)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_type_at(&m, 0, "ii", "i");
        mod_type_at(&m, 1, "i", "i");
        /* Sum n + (n-1) + ... + 1 with the accumulator and the counter
         * as loop parameters; br_if leaves [acc n] when not taken. */
        FUNC(&m, "sum", "i", "i", "i",
             I32_CONST "\x00" LOCAL_GET "\x00"
             LOOP "\x00"                       /* [acc n] */
               LOCAL_SET "\x01" LOCAL_GET "\x01" I32_ADD
               LOCAL_GET "\x01" I32_CONST "\x01" I32_SUB LOCAL_TEE "\x01"
               LOCAL_GET "\x01" BR_IF "\x00"   /* again with [acc' n'] */
               DROP
             END);
        /* A counter as the parameter of both a loop and its enclosing
         * block; br_table picks the loop (continue) or the block (exit)
         * with the same value. Returns 3n. */
        FUNC(&m, "count", "i", "i", "ii",
             LOCAL_GET "\x00"
             BLOCK "\x01"
               LOOP "\x01"
                 LOCAL_GET "\x01" I32_CONST "\x03" I32_ADD LOCAL_SET "\x01"
                 I32_CONST "\x01" I32_SUB
                 LOCAL_TEE "\x02" LOCAL_GET "\x02" I32_EQZ
                 BR_TABLE "\x01\x00\x01"
               END
             END
             DROP LOCAL_GET "\x01");
        /* br_table with duplicate loop targets: index 0 exits, 1..3
         * and the default continue; counts iterations in local 1. */
        FUNC(&m, "table_loop", "i", "i", "ii",
             LOCAL_GET "\x00"
             BLOCK "\x01"
               LOOP "\x01"
                 LOCAL_GET "\x01" I32_CONST "\x01" I32_ADD LOCAL_SET "\x01"
                 I32_CONST "\x01" I32_SUB LOCAL_TEE "\x02"
                 LOCAL_GET "\x02" I32_CONST "\x03" I32_AND
                 I32_CONST "\x01" I32_ADD
                 I32_CONST "\x00" LOCAL_GET "\x02" SELECT
                 BR_TABLE "\x04\x01\x00\x00\x00\x00"
               END
             END
             LOCAL_GET "\x01" I32_ADD);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        cr_assert_eq(call_i32(inst, "sum", I32(1)), 1);
        cr_assert_eq(call_i32(inst, "sum", I32(100)), 5050);
        cr_assert_eq(call_i32(inst, "sum", I32(1000)), 500500);
        cr_assert_eq(call_i32(inst, "count", I32(1)), 3);
        cr_assert_eq(call_i32(inst, "count", I32(7)), 21);
        cr_assert_eq(call_i32(inst, "table_loop", I32(1)), 1);
        cr_assert_eq(call_i32(inst, "table_loop", I32(1234)), 1234);
        mod_free(&m);
    }
}

Test(lower_control, br_carries_values_out_of_nested_blocks)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_type_at(&m, 0, "", "il");
        mod_type_at(&m, 1, "ii", "ii");
        /* x != 0: br_if 3 from the innermost of four blocks with
         * [x, x*1000] over an extra f32 below; x == 0: the i32 block
         * yields 5 and `br 1` carries [5, 7] to the outer block. The
         * rest of the empty block is never reached. */
        FUNC(&m, "nested", "i", "il", "",
             BLOCK "\x00"
               BLOCK BT_EMPTY
                 BLOCK BT_I32
                   BLOCK BT_EMPTY
                     F32_CONST "\x00\x00\x80\x3f"
                     LOCAL_GET "\x00"
                     LOCAL_GET "\x00" I64_EXTEND_I32_S
                     I64_CONST "\xe8\x07" I64_MUL
                     LOCAL_GET "\x00" BR_IF "\x03"
                     DROP DROP DROP
                   END
                   I32_CONST "\x05"
                 END
                 I64_CONST "\x07" BR "\x01"
               END
               I32_CONST "\x01" I64_CONST "\x02"
             END);
        /* br_if leaves its value on the stack when not taken. */
        FUNC(&m, "br_if_keep", "ii", "i", "",
             BLOCK BT_I32
               LOCAL_GET "\x00"
               LOCAL_GET "\x01" BR_IF "\x00"
               I32_CONST "\xe4\x00" I32_ADD
             END
             I32_CONST "\x01" I32_ADD);
        /* ... and several values. */
        FUNC(&m, "br_if_multi", "iii", "ii", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01"
             BLOCK "\x01"
               LOCAL_GET "\x02" BR_IF "\x00"
               I32_SUB I32_CONST "\x09"
             END);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        welf_val r[2];
        lw_call_multi(inst, "nested", r, 2, LW_ARGS(I32(-42)));
        cr_assert_eq(r[0].of.i32, -42);
        cr_assert_eq(r[1].of.i64, -42000);
        lw_call_multi(inst, "nested", r, 2, LW_ARGS(I32(0)));
        cr_assert_eq(r[0].of.i32, 5);
        cr_assert_eq(r[1].of.i64, 7);
        cr_assert_eq(call_i32(inst, "br_if_keep", I32(5), I32(1)), 6);
        cr_assert_eq(call_i32(inst, "br_if_keep", I32(5), I32(0)), 106);
        call2_i32(inst, "br_if_multi", 20, 8, 1, 20, 8);
        call2_i32(inst, "br_if_multi", 20, 8, 0, 12, 9);
        mod_free(&m);
    }
}

/*
 * br_table over K nested i32 blocks and the function's own label, with
 * many targets (most of them duplicates) and a default that is not the
 * outermost label. Block j (depth j from the innermost) adds
 * (j + 1) * 1000 to the carried value and returns; depth K is the
 * function, which returns the value as it is.
 */
enum { BT_BLOCKS = 6, BT_TARGETS = 300, BT_DEFAULT = 2 };

static uint32_t bt_target(uint32_t i)
{
    return (i * 7 + i / 5) % (BT_BLOCKS + 1);
}

static int32_t bt_expect(uint32_t index, int32_t v)
{
    uint32_t t = index < BT_TARGETS ? bt_target(index) : BT_DEFAULT;
    return t == BT_BLOCKS ? v : v + (int32_t)(t + 1) * 1000;
}

Test(lower_control, br_table_many_targets)
{
    lw_buf body = {0};
    for (int j = 0; j < BT_BLOCKS; j++)
        buf_lit(&body, BLOCK BT_I32);
    buf_lit(&body, LOCAL_GET "\x01" LOCAL_GET "\x00" BR_TABLE);
    buf_u32(&body, BT_TARGETS);
    for (uint32_t i = 0; i < BT_TARGETS; i++)
        buf_u32(&body, bt_target(i));
    buf_u32(&body, BT_DEFAULT);
    for (int j = 0; j < BT_BLOCKS; j++) {
        buf_lit(&body, END);
        buf_i32_const(&body, (j + 1) * 1000);
        buf_lit(&body, I32_ADD RETURN);
    }

    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_func(&m, "bt", "ii", "i", "", body.data, body.len);
        /* No targets, only a default. */
        FUNC(&m, "default_only", "ii", "i", "",
             BLOCK BT_I32
               LOCAL_GET "\x01" LOCAL_GET "\x00" BR_TABLE "\x00\x00"
             END
             I32_CONST "\x01" I32_ADD);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        for (uint32_t i = 0; i < BT_TARGETS + 3; i++) {
            int32_t got = call_i32(inst, "bt", I32(i), I32(-17));
            cr_assert_eq(got, bt_expect(i, -17),
                         "br_table index %u at -O%d: %d, expected %d", i,
                         opt, got, bt_expect(i, -17));
        }
        cr_assert_eq(call_i32(inst, "bt", I32(-1), I32(5)),
                     bt_expect(UINT32_MAX, 5));
        cr_assert_eq(call_i32(inst, "bt", I32(INT32_MIN), I32(5)),
                     bt_expect(UINT32_MAX, 5));
        cr_assert_eq(call_i32(inst, "default_only", I32(0), I32(9)), 10);
        cr_assert_eq(call_i32(inst, "default_only", I32(-1), I32(9)), 10);
        mod_free(&m);
    }
    buf_free(&body);
}

Test(lower_control, unreachable_code_is_skipped)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        FUNC(&m, "helper", "il", "f", "", F32_CONST "\x00\x00\x00\x00");
        /* After `br`, instructions typed only through the polymorphic
         * stack: operands popped from nothing, a select of unknowns,
         * nested blocks, a loop, an if, a call, local.set, br_table. */
        FUNC(&m, "after_br", "i", "i", "l",
             BLOCK BT_I32
               LOCAL_GET "\x00"
               BR "\x00"
               I32_ADD "\xad\xb9\x9a" DROP     /* i64.extend_i32_u,
                                                  f64.convert_i64_s,
                                                  f64.neg */
               SELECT DROP
               BLOCK BT_I64 UNREACHABLE END LOCAL_SET "\x01"
               LOOP BT_EMPTY BR "\x00" END
               IF BT_I32 I32_CONST "\x01" ELSE I32_CONST "\x02" END
               DROP
               CALL "\x00" "\xa8"              /* i32.trunc_f32_s */
               BR_TABLE "\x01\x00\x00"
               F64_MUL DROP I32_CONST "\x07"
             END
             I32_CONST "\x01" I32_ADD);
        /* After return and unreachable in both arms of an if, whose end
         * nothing reaches: what follows is dead too. */
        FUNC(&m, "after_return", "i", "i", "",
             LOCAL_GET "\x00"
             IF BT_I32
               LOCAL_GET "\x00" I32_CONST "\x02" I32_MUL
               RETURN
               F32_CONST "\x00\x00\x00\x00" F32_ADD "\xa8"
             ELSE
               UNREACHABLE
               I64_CONST "\x00" I64_ADD "\xa7"   /* i32.wrap_i64 */
               BLOCK BT_EMPTY I32_CONST "\x04" RETURN END
             END
             I32_CONST "\x03" I32_ADD
             I32_CONST "\x01" BR_IF "\x00"
             RETURN
             UNREACHABLE);
        /* A block whose end only a branch reaches, then dead code in the
         * enclosing block. */
        FUNC(&m, "after_block", "i", "i", "",
             BLOCK BT_I32
               BLOCK BT_I32
                 LOCAL_GET "\x00" BR "\x01"
               END
               I32_CONST "\x03" I32_MUL
             END
             I32_CONST "\x01" I32_ADD);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        cr_assert_eq(call_i32(inst, "after_br", I32(41)), 42);
        cr_assert_eq(call_i32(inst, "after_return", I32(21)), 42);
        expect_trap(inst, "after_return", WELF_TRAP_CODE_UNREACHABLE,
                    I32(0));
        cr_assert_eq(call_i32(inst, "after_block", I32(10)), 11);
        mod_free(&m);
    }
}

Test(lower_control, return_from_deep_nesting)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        FUNC(&m, "deep_return", "i", "il", "",
             BLOCK BT_EMPTY
               LOOP BT_EMPTY
                 BLOCK BT_I32
                   LOCAL_GET "\x00"
                   IF BT_EMPTY
                     BLOCK BT_EMPTY
                       I32_CONST "\x63"        /* junk below the results */
                       LOCAL_GET "\x00"
                       LOCAL_GET "\x00" I64_EXTEND_I32_S
                       I64_CONST "\x03" I64_MUL
                       RETURN
                     END
                   END
                   I32_CONST "\x00"
                 END
                 DROP
               END
             END
             I32_CONST "\x7f" I64_CONST "\x7f");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        welf_val r[2];
        lw_call_multi(inst, "deep_return", r, 2, LW_ARGS(I32(1000)));
        cr_assert_eq(r[0].of.i32, 1000);
        cr_assert_eq(r[1].of.i64, 3000);
        lw_call_multi(inst, "deep_return", r, 2, LW_ARGS(I32(0)));
        cr_assert_eq(r[0].of.i32, -1);
        cr_assert_eq(r[1].of.i64, -1);
        mod_free(&m);
    }
}

Test(lower_control, select_typed_and_untyped)
{
    static int ext_a, ext_b;
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        FUNC(&m, "sel_i32", "iii", "i", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02" SELECT);
        FUNC(&m, "sel_i64", "lli", "l", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02" SELECT);
        FUNC(&m, "sel_f64", "ddi", "d", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02" SELECT);
        FUNC(&m, "sel_t_f32", "ffi", "f", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             SELECT_T "\x01\x7d");
        FUNC(&m, "sel_t_extern", "xxi", "x", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             SELECT_T "\x01\x6f");
        /* Both operands are evaluated, whichever is chosen. */
        FUNC(&m, "sel_effects", "i", "i", "i",
             I32_CONST "\x01" LOCAL_TEE "\x01"
             I32_CONST "\x02" LOCAL_GET "\x01" I32_ADD LOCAL_TEE "\x01"
             LOCAL_GET "\x00" SELECT
             LOCAL_GET "\x01" I32_CONST "\x0a" I32_MUL I32_ADD);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        cr_assert_eq(call_i32(inst, "sel_i32", I32(1), I32(2), I32(1)), 1);
        cr_assert_eq(call_i32(inst, "sel_i32", I32(1), I32(2), I32(-1)), 1);
        cr_assert_eq(call_i32(inst, "sel_i32", I32(1), I32(2), I32(0)), 2);
        cr_assert_eq(call_i64(inst, "sel_i64", I64(INT64_MIN), I64(3),
                              I32(INT32_MIN)), INT64_MIN);
        cr_assert_eq(call_i64(inst, "sel_i64", I64(INT64_MIN), I64(3),
                              I32(0)), 3);
        /* -0.0 and +0.0 compare equal: the bits tell them apart. */
        cr_assert_eq(lw_f64_bits(call_f64(inst, "sel_f64", F64(-0.0),
                                          F64(0.0), I32(1))),
                     UINT64_C(0x8000000000000000));
        cr_assert_eq(lw_f64_bits(call_f64(inst, "sel_f64", F64(-0.0),
                                          F64(0.0), I32(0))), 0);
        cr_assert_eq(call_f32(inst, "sel_t_f32", F32(1.5f), F32(-2.5f),
                              I32(7)), 1.5f);
        cr_assert_eq(call_f32(inst, "sel_t_f32", F32(1.5f), F32(-2.5f),
                              I32(0)), -2.5f);
        welf_val v = call_val(inst, "sel_t_extern", EXTERNREF(&ext_a),
                              EXTERNREF(&ext_b), I32(1));
        cr_assert_eq(v.of.extern_ref, &ext_a);
        v = call_val(inst, "sel_t_extern", EXTERNREF(&ext_a),
                     EXTERNREF(&ext_b), I32(0));
        cr_assert_eq(v.of.extern_ref, &ext_b);
        v = call_val(inst, "sel_t_extern", EXTERNREF(NULL),
                     EXTERNREF(&ext_b), I32(1));
        cr_assert_null(v.of.extern_ref);
        /* select(1, 3, c) + 3 * 10 */
        cr_assert_eq(call_i32(inst, "sel_effects", I32(1)), 31);
        cr_assert_eq(call_i32(inst, "sel_effects", I32(0)), 33);
        mod_free(&m);
    }
}

/*
 * 1000 nested constructs, cycling block, loop and if (each of result
 * i32; an if's else yields 5000). The innermost pushes x and, when c is
 * set, br_if's to the outermost block; otherwise each construct's value
 * gets 1 added in its parent. f(x, c, 1) is x when c, else x + 999;
 * f(x, 0, 0) is 5002: the outermost if (level 2) takes its else.
 */
enum { DEPTH = 1000 };

Test(lower_control, deep_nesting)
{
    lw_buf body = {0};
    for (int k = 0; k < DEPTH; k++) {
        switch (k % 3) {
        case 0: buf_lit(&body, BLOCK BT_I32); break;
        case 1: buf_lit(&body, LOOP BT_I32); break;
        case 2: buf_lit(&body, LOCAL_GET "\x02" IF BT_I32); break;
        }
    }
    buf_lit(&body, LOCAL_GET "\x00" LOCAL_GET "\x01" BR_IF);
    buf_u32(&body, DEPTH - 1);
    for (int k = DEPTH - 1; k >= 0; k--) {
        if (k % 3 == 2) {
            buf_lit(&body, ELSE);
            buf_i32_const(&body, 5000);
        }
        buf_lit(&body, END);
        if (k > 0)
            buf_lit(&body, I32_CONST "\x01" I32_ADD);
    }

    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_func(&m, "deep", "iii", "i", "", body.data, body.len);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        cr_assert_eq(call_i32(inst, "deep", I32(5), I32(0), I32(1)),
                     5 + DEPTH - 1);
        cr_assert_eq(call_i32(inst, "deep", I32(5), I32(1), I32(1)), 5);
        cr_assert_eq(call_i32(inst, "deep", I32(5), I32(0), I32(0)), 5002);
        mod_free(&m);
    }
    buf_free(&body);
}
