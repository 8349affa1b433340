/*
 * tests/compiler/lower_table.c — the lowering of table and reference
 * instructions (compiler/lower_table.c): table.get/set/size/grow/fill/
 * copy/init, elem.drop, ref.null/ref.is_null/ref.func, the TABLE_OOB
 * traps of each, and externref values through a table. Funcrefs coming
 * out of a table are checked by identity and by calling them. Each test
 * runs at -O0 and -O2.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "lower_support.h"

TestSuite(lower_table, .fini = lw_cleanup);

/*
 * Table 0: funcref, 4 elements, at most 8; elements 1 and 2 are
 * functions 0 (returns 42) and 1 (returns 7) from active segment 0.
 * Passive segment 1 is [f1, null, f0]. Table 1: externref, 2 elements,
 * no maximum.
 */
static welf_instance *funcref_module(lw_mod *m, int opt)
{
    mod_init(m, WELF_FEATURES_WASM2);
    mod_type_at(m, 0, "", "i");
    FUNC(m, "fortytwo", "", "i", "", I32_CONST "\x2a");
    FUNC(m, "seven", "", "i", "", I32_CONST "\x07");
    FUNC(m, "id", "i", "i", "", LOCAL_GET "\x00");
    mod_table(m, 'r', 4, 8, NULL);
    mod_table(m, 'x', 2, LW_NO_MAX, NULL);
    mod_table(m, 'r', 3, LW_NO_MAX, NULL);
    mod_elem(m, SEG_ACTIVE, 0, 1, (const uint32_t[]){0, 1}, 2);
    mod_elem(m, SEG_PASSIVE, 0, 0, (const uint32_t[]){1, LW_NULL, 0}, 3);
    mod_elem(m, SEG_DECLARATIVE, 0, 0, (const uint32_t[]){2}, 1);

    FUNC(m, "get", "i", "r", "", LOCAL_GET "\x00" TABLE_GET "\x00");
    FUNC(m, "set", "ir", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" TABLE_SET "\x00");
    FUNC(m, "is_null", "i", "i", "",
         LOCAL_GET "\x00" TABLE_GET "\x00" REF_IS_NULL);
    FUNC(m, "size", "", "i", "", FC "\x10\x00");
    FUNC(m, "grow", "ri", "i", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" FC "\x0f\x00");
    FUNC(m, "fill", "iri", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02" FC "\x11\x00");
    FUNC(m, "copy", "iii", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
         FC "\x0e\x00\x00");
    FUNC(m, "init", "iii", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
         FC "\x0c\x01\x00");
    FUNC(m, "init_active", "iii", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
         FC "\x0c\x00\x00");
    FUNC(m, "drop", "", "", "", FC "\x0d\x01");
    FUNC(m, "call_at", "i", "i", "",
         LOCAL_GET "\x00" CALL_INDIRECT "\x00\x00");
    FUNC(m, "ref_func_id", "", "r", "", REF_FUNC "\x02");
    FUNC(m, "ref_null", "", "r", "", REF_NULL "\x70");
    FUNC(m, "null_is_null", "", "i", "", REF_NULL "\x6f" REF_IS_NULL);
    FUNC(m, "func_is_null", "", "i", "", REF_FUNC "\x00" REF_IS_NULL);
    /* a funcref set and read back in one function */
    FUNC(m, "set_get_call", "i", "i", "",
         LOCAL_GET "\x00" REF_FUNC "\x01" TABLE_SET "\x00"
         LOCAL_GET "\x00" TABLE_GET "\x00" REF_IS_NULL
         LOCAL_GET "\x00" CALL_INDIRECT "\x00\x00" I32_ADD);

    /* table 2: copies from table 0, init from segment 1 */
    FUNC(m, "get2", "i", "r", "", LOCAL_GET "\x00" TABLE_GET "\x02");
    FUNC(m, "copy_2_from_0", "iii", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
         FC "\x0e\x02\x00");
    FUNC(m, "copy_0_from_2", "iii", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
         FC "\x0e\x00\x02");
    FUNC(m, "init2", "iii", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
         FC "\x0c\x01\x02");
    /* grow by f0 and call the new element, in one function */
    FUNC(m, "grow_and_call", "", "i", "",
         REF_FUNC "\x00" I32_CONST "\x01" FC "\x0f\x00"
         CALL_INDIRECT "\x00\x00"
         FC "\x10\x00" I32_ADD);
    FUNC(m, "xget", "i", "x", "", LOCAL_GET "\x00" TABLE_GET "\x01");
    FUNC(m, "xset", "ix", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" TABLE_SET "\x01");
    FUNC(m, "xsize", "", "i", "", FC "\x10\x01");
    FUNC(m, "xgrow", "xi", "i", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" FC "\x0f\x01");
    FUNC(m, "xfill", "ixi", "", "",
         LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02" FC "\x11\x01");
    FUNC(m, "x_is_null", "x", "i", "", LOCAL_GET "\x00" REF_IS_NULL);
    return mod_instantiate(m, opt, NULL, 0);
}

static welf_funcref *get(welf_instance *inst, uint32_t i)
{
    welf_val v = call_val(inst, "get", I32(i));
    cr_assert_eq(v.type, WELF_TYPE_FUNCREF);
    return v.of.func;
}

static int32_t call_ref(welf_funcref *f)
{
    welf_val r;
    welf_error err;
    cr_assert_not_null(f);
    cr_assert_eq(welf_func_call(f, NULL, 0, &r, 1, &err), WELF_OK, "%s",
                 err.message);
    return r.of.i32;
}

Test(lower_table, get_set_size_and_refs)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        welf_instance *inst = funcref_module(&m, opt);
        const welf_trap_code oob = WELF_TRAP_CODE_TABLE_OOB;
        cr_assert_eq(call_i32(inst, "size"), 4);
        cr_assert_null(get(inst, 0));
        cr_assert_null(get(inst, 3));
        cr_assert_eq(call_i32(inst, "is_null", I32(0)), 1);
        cr_assert_eq(call_i32(inst, "is_null", I32(1)), 0);
        welf_funcref *f0 = get(inst, 1), *f1 = get(inst, 2);
        cr_assert_eq(call_ref(f0), 42);
        cr_assert_eq(call_ref(f1), 7);
        cr_assert_eq(call_i32(inst, "call_at", I32(1)), 42);

        /* out of bounds */
        expect_trap(inst, "get", oob, I32(4));
        expect_trap(inst, "get", oob, I32(-1));
        expect_trap(inst, "is_null", oob, I32(4));
        expect_trap(inst, "set", oob, I32(4), FUNCREF(NULL));
        expect_trap(inst, "set", oob, I32(INT32_MIN), FUNCREF(f0));

        /* a funcref from the host goes in and comes back out */
        call_void(inst, "set", I32(3), FUNCREF(f1));
        cr_assert_eq(get(inst, 3), f1);
        cr_assert_eq(call_i32(inst, "call_at", I32(3)), 7);
        call_void(inst, "set", I32(1), FUNCREF(NULL));
        cr_assert_null(get(inst, 1));
        cr_assert_eq(call_i32(inst, "is_null", I32(1)), 1);
        cr_assert_eq(call_i32(inst, "set_get_call", I32(0)), 7);
        cr_assert_eq(get(inst, 0), f1);

        /* ref.func, ref.null, ref.is_null */
        welf_val v = call_val(inst, "ref_func_id");
        cr_assert_eq(v.type, WELF_TYPE_FUNCREF);
        cr_assert_not_null(v.of.func);
        welf_val r;
        welf_error err;
        cr_assert_eq(welf_func_call(v.of.func, (welf_val[]){I32(-5)}, 1, &r,
                                    1, &err), WELF_OK);
        cr_assert_eq(r.of.i32, -5);
        cr_assert_null(call_val(inst, "ref_null").of.func);
        cr_assert_eq(call_i32(inst, "null_is_null"), 1);
        cr_assert_eq(call_i32(inst, "func_is_null"), 0);
        cr_assert_eq(call_ref(lw_func(inst, "fortytwo")), 42);
        mod_free(&m);
    }
}

Test(lower_table, grow_and_fill)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        welf_instance *inst = funcref_module(&m, opt);
        const welf_trap_code oob = WELF_TRAP_CODE_TABLE_OOB;
        welf_funcref *f0 = get(inst, 1), *f1 = get(inst, 2);

        cr_assert_eq(call_i32(inst, "grow", FUNCREF(NULL), I32(2)), 4);
        cr_assert_eq(call_i32(inst, "size"), 6);
        cr_assert_null(get(inst, 5));
        cr_assert_eq(call_i32(inst, "grow", FUNCREF(f0), I32(2)), 6);
        cr_assert_eq(call_i32(inst, "size"), 8);
        cr_assert_eq(get(inst, 6), f0);
        cr_assert_eq(call_i32(inst, "call_at", I32(7)), 42);
        cr_assert_eq(call_i32(inst, "grow", FUNCREF(NULL), I32(1)), -1);
        cr_assert_eq(call_i32(inst, "grow", FUNCREF(NULL), I32(-1)), -1);
        cr_assert_eq(call_i32(inst, "grow", FUNCREF(NULL), I32(0)), 8);
        cr_assert_eq(call_i32(inst, "size"), 8);
        expect_trap(inst, "get", oob, I32(8));

        call_void(inst, "fill", I32(4), FUNCREF(f1), I32(3));
        for (uint32_t i = 4; i < 7; i++)
            cr_assert_eq(call_i32(inst, "call_at", I32(i)), 7);
        cr_assert_eq(get(inst, 7), f0);
        call_void(inst, "fill", I32(8), FUNCREF(NULL), I32(0));
        expect_trap(inst, "fill", oob, I32(7), FUNCREF(NULL), I32(2));
        cr_assert_eq(get(inst, 7), f0, "a trapping fill wrote");
        expect_trap(inst, "fill", oob, I32(9), FUNCREF(NULL), I32(0));
        expect_trap(inst, "fill", oob, I32(1), FUNCREF(NULL), I32(-1));
        call_void(inst, "fill", I32(0), FUNCREF(NULL), I32(8));
        for (uint32_t i = 0; i < 8; i++)
            cr_assert_null(get(inst, i));
        mod_free(&m);
    }
}

/* table.grow, then call_indirect of the new element and table.size in
 * the same function: the element array may have moved. */
Test(lower_table, grow_then_call_in_one_function)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        welf_instance *inst = funcref_module(&m, opt);
        for (int32_t size = 5; size <= 8; size++)
            cr_assert_eq(call_i32(inst, "grow_and_call"), 42 + size);
        /* at the maximum, grow gives -1 */
        expect_trap_msg(inst, "grow_and_call",
                        WELF_TRAP_CODE_UNDEFINED_ELEMENT,
                        "undefined element 4294967295");
        mod_free(&m);
    }
}

Test(lower_table, copy_init_and_elem_drop)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        welf_instance *inst = funcref_module(&m, opt);
        const welf_trap_code oob = WELF_TRAP_CODE_TABLE_OOB;
        welf_funcref *f0 = get(inst, 1), *f1 = get(inst, 2);
        welf_funcref *id = call_val(inst, "ref_func_id").of.func;

        /* [f0, f1, id, null] */
        call_void(inst, "set", I32(0), FUNCREF(f0));
        call_void(inst, "set", I32(1), FUNCREF(f1));
        call_void(inst, "set", I32(2), FUNCREF(id));
        call_void(inst, "set", I32(3), FUNCREF(NULL));
        call_void(inst, "copy", I32(1), I32(0), I32(3));  /* forward */
        cr_assert(get(inst, 0) == f0 && get(inst, 1) == f0 &&
                  get(inst, 2) == f1 && get(inst, 3) == id,
                  "-O%d: copy up overlapping", opt);
        call_void(inst, "copy", I32(0), I32(1), I32(3));  /* backward */
        cr_assert(get(inst, 0) == f0 && get(inst, 1) == f1 &&
                  get(inst, 2) == id && get(inst, 3) == id,
                  "-O%d: copy down overlapping", opt);
        call_void(inst, "copy", I32(4), I32(0), I32(0));
        call_void(inst, "copy", I32(0), I32(4), I32(0));
        expect_trap(inst, "copy", oob, I32(2), I32(0), I32(3));
        cr_assert_eq(get(inst, 2), id, "a trapping copy wrote");
        expect_trap(inst, "copy", oob, I32(0), I32(2), I32(3));
        expect_trap(inst, "copy", oob, I32(5), I32(0), I32(0));

        /* table.init from passive segment 1 = [f1, null, f0] */
        call_void(inst, "init", I32(0), I32(0), I32(3));
        cr_assert(get(inst, 0) == f1 && get(inst, 1) == NULL &&
                  get(inst, 2) == f0 && get(inst, 3) == id,
                  "-O%d: table.init", opt);
        call_void(inst, "init", I32(3), I32(2), I32(1));
        cr_assert_eq(get(inst, 3), f0);
        call_void(inst, "init", I32(4), I32(3), I32(0));
        expect_trap(inst, "init", oob, I32(3), I32(0), I32(2));
        cr_assert_eq(get(inst, 3), f0, "a trapping init wrote");
        expect_trap(inst, "init", oob, I32(0), I32(2), I32(2));
        expect_trap(inst, "init", oob, I32(0), I32(4), I32(0));
        /* the active segment was dropped by instantiation */
        call_void(inst, "init_active", I32(0), I32(0), I32(0));
        expect_trap(inst, "init_active", oob, I32(0), I32(0), I32(1));
        /* elem.drop, twice; then only empty inits work */
        call_void(inst, "drop");
        call_void(inst, "drop");
        call_void(inst, "init", I32(0), I32(0), I32(0));
        expect_trap(inst, "init", oob, I32(0), I32(0), I32(1));
        cr_assert_eq(get(inst, 0), f1);
        mod_free(&m);
    }
}

Test(lower_table, externref_round_trip)
{
    static int a, b, c;
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        welf_instance *inst = funcref_module(&m, opt);
        const welf_trap_code oob = WELF_TRAP_CODE_TABLE_OOB;
        cr_assert_eq(call_i32(inst, "xsize"), 2);
        cr_assert_null(call_val(inst, "xget", I32(0)).of.extern_ref);
        call_void(inst, "xset", I32(0), EXTERNREF(&a));
        welf_val v = call_val(inst, "xget", I32(0));
        cr_assert_eq(v.type, WELF_TYPE_EXTERNREF);
        cr_assert_eq(v.of.extern_ref, &a);
        cr_assert_null(call_val(inst, "xget", I32(1)).of.extern_ref);
        cr_assert_eq(call_i32(inst, "xgrow", EXTERNREF(&b), I32(3)), 2);
        cr_assert_eq(call_i32(inst, "xsize"), 5);
        cr_assert_eq(call_val(inst, "xget", I32(4)).of.extern_ref, &b);
        call_void(inst, "xfill", I32(1), EXTERNREF(&c), I32(2));
        cr_assert_eq(call_val(inst, "xget", I32(0)).of.extern_ref, &a);
        cr_assert_eq(call_val(inst, "xget", I32(1)).of.extern_ref, &c);
        cr_assert_eq(call_val(inst, "xget", I32(2)).of.extern_ref, &c);
        cr_assert_eq(call_val(inst, "xget", I32(3)).of.extern_ref, &b);
        expect_trap(inst, "xget", oob, I32(5));
        expect_trap(inst, "xset", oob, I32(5), EXTERNREF(&a));
        expect_trap(inst, "xfill", oob, I32(4), EXTERNREF(&a), I32(2));
        cr_assert_eq(call_val(inst, "xget", I32(4)).of.extern_ref, &b);
        cr_assert_eq(call_i32(inst, "x_is_null", EXTERNREF(&a)), 0);
        cr_assert_eq(call_i32(inst, "x_is_null", EXTERNREF(NULL)), 1);
        /* the funcref table is untouched */
        cr_assert_eq(call_i32(inst, "size"), 4);
        mod_free(&m);
    }
}

Test(lower_table, copy_and_init_between_tables)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        welf_instance *inst = funcref_module(&m, opt);
        const welf_trap_code oob = WELF_TRAP_CODE_TABLE_OOB;
        welf_funcref *f0 = get(inst, 1), *f1 = get(inst, 2);
        /* table 0 (size 4) = [null, f0, f1, null]; table 2 (size 3) */
        call_void(inst, "copy_2_from_0", I32(0), I32(1), I32(2));
        cr_assert(call_val(inst, "get2", I32(0)).of.func == f0 &&
                  call_val(inst, "get2", I32(1)).of.func == f1 &&
                  call_val(inst, "get2", I32(2)).of.func == NULL,
                  "-O%d: table.copy 2 <- 0", opt);
        cr_assert(get(inst, 0) == NULL && get(inst, 1) == f0,
                  "-O%d: the source changed", opt);
        expect_trap(inst, "copy_2_from_0", oob, I32(2), I32(0), I32(2));
        expect_trap(inst, "copy_2_from_0", oob, I32(0), I32(3), I32(2));
        call_void(inst, "copy_0_from_2", I32(3), I32(1), I32(1));
        cr_assert_eq(get(inst, 3), f1);
        expect_trap(inst, "copy_0_from_2", oob, I32(0), I32(2), I32(2));
        /* segment 1 = [f1, null, f0] */
        call_void(inst, "init2", I32(1), I32(1), I32(2));
        cr_assert(call_val(inst, "get2", I32(0)).of.func == f0 &&
                  call_val(inst, "get2", I32(1)).of.func == NULL &&
                  call_val(inst, "get2", I32(2)).of.func == f0,
                  "-O%d: table.init into table 2", opt);
        cr_assert_eq(get(inst, 2), f1, "-O%d: table 0 changed", opt);
        expect_trap(inst, "init2", oob, I32(2), I32(0), I32(2));
        mod_free(&m);
    }
}
