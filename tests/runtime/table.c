/*
 * tests/runtime/table.c — runtime/table.c and the table builtins of
 * runtime/builtins.c: tables made by the embedder, table.grow up to the
 * max then failure, table.init/elem.drop/table.fill/table.copy with
 * their bounds.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "internal.h"
#include "support.h"

Test(rt_table, new_and_limits)
{
    welf_engine *engine;
    welf_table *t;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    cr_assert_eq(welf_table_new(engine, WELF_TYPE_EXTERNREF,
                                (welf_limits_info){3, 0, false}, &t, &err),
                 WELF_OK);
    cr_assert_eq(t->rt.size, 3);
    for (int i = 0; i < 3; i++)
        cr_assert_null(t->rt.elems[i]);
    cr_assert_eq(welf_table_grow(t, &err, 2), 3);
    cr_assert_eq(t->rt.elems[4], (void *)&err);
    cr_assert_eq(welf_table_grow(t, NULL, UINT32_MAX), UINT32_MAX);
    cr_assert_eq(t->rt.size, 5);

    t = (welf_table *)1;
    cr_assert_eq(welf_table_new(engine, WELF_TYPE_I32,
                                (welf_limits_info){1, 1, true}, &t, &err),
                 WELF_ERR_USAGE);
    cr_assert_null(t);
    cr_assert_eq(welf_table_new(engine, WELF_TYPE_FUNCREF,
                                (welf_limits_info){2, 1, true}, &t, &err),
                 WELF_ERR_USAGE);
    cr_assert_eq(welf_table_new(engine, WELF_TYPE_FUNCREF,
                                (welf_limits_info){UINT32_MAX, 0, false}, &t,
                                &err), WELF_ERR_NOMEM);
    welf_engine_free(engine);
}

static rt_fixture fx;
static welf_table_rt *table0;

static void setup(void)
{
    rt_setup(&fx);
    table0 = &rt_export(fx.inst, "table", WELF_EXTERN_TABLE).u.table->rt;
}

static void teardown(void)
{
    rt_teardown(&fx);
}

TestSuite(rt_bulk_table, .init = setup, .fini = teardown);

static int32_t call1(const char *name, int32_t a)
{
    return rt_call_i32(fx.inst, name, 1, &a);
}

static void call3(const char *name, int32_t a, int32_t b, int32_t c)
{
    int32_t args[3] = {a, b, c};
    rt_call_i32(fx.inst, name, 3, args);
}

static void trap3(const char *name, int32_t a, int32_t b, int32_t c)
{
    int32_t args[3] = {a, b, c};
    welf_error err;
    rt_assert_trap(rt_call_status(fx.inst, name, 3, args, 0, &err), &err,
                   WELF_TRAP_CODE_TABLE_OOB, "out of bounds table access");
}

Test(rt_bulk_table, grow_to_max_then_fail)
{
    welf_funcref *mul = rt_func(fx.inst, "mul");
    cr_assert_eq(rt_call_i32(fx.inst, "table_size", 0, NULL), 4);
    cr_assert_eq(call1("table_grow", 2), 4);
    cr_assert_eq(rt_call_i32(fx.inst, "table_size", 0, NULL), 6);
    cr_assert_eq(table0->elems[4], mul);
    cr_assert_eq(table0->elems[5], mul);
    cr_assert_eq(table0->elems[1], rt_func(fx.inst, "add"), "kept");
    cr_assert_eq(call1("table_grow", 3), -1);  /* max 8 */
    cr_assert_eq(call1("table_grow", 2), 6);
    cr_assert_eq(call1("table_grow", 1), -1);
    cr_assert_eq(call1("table_grow", 0), 8);
    cr_assert_eq(table0->size, 8);
    /* call_indirect reaches the new elements */
    int32_t args[3] = {7, 6, 7};
    cr_assert_eq(rt_call_i32(fx.inst, "call_indirect", 3, args), 42);
}

Test(rt_bulk_table, init_and_drop)
{
    /* segment 1 is (ref.func $mul) (ref.null func) */
    call3("table_init", 2, 0, 2);
    cr_assert_eq(table0->elems[2], rt_func(fx.inst, "mul"));
    cr_assert_null(table0->elems[3]);
    call3("table_init", 4, 2, 0);   /* empty at both ends */
    trap3("table_init", 3, 0, 2);   /* past the table */
    cr_assert_null(table0->elems[3]);
    trap3("table_init", 0, 1, 2);   /* past the segment */
    cr_assert_null(table0->elems[0]);
    trap3("table_init", 5, 0, 0);
    rt_call_i32(fx.inst, "drop_elem", 0, NULL);
    call3("table_init", 0, 0, 0);
    trap3("table_init", 0, 0, 1);
}

Test(rt_bulk_table, fill_and_copy)
{
    welf_funcref *add = rt_func(fx.inst, "add");
    welf_funcref *sub = rt_func(fx.inst, "sub");
    call3("table_fill", 0, 1, 2);   /* [sub, sub, sub, start] */
    cr_assert_eq(table0->elems[0], sub);
    cr_assert_eq(table0->elems[1], sub);
    cr_assert_eq(table0->elems[2], sub);
    call3("table_fill", 4, 1, 0);
    trap3("table_fill", 2, 0, 3);   /* nothing written */
    cr_assert_eq(table0->elems[2], sub);
    trap3("table_fill", 5, 0, 0);

    call3("table_fill", 0, 0, 4);   /* all null */
    table0->elems[0] = add;
    table0->elems[1] = sub;
    call3("table_copy", 1, 0, 3);   /* overlapping, forwards */
    cr_assert_eq(table0->elems[0], add);
    cr_assert_eq(table0->elems[1], add);
    cr_assert_eq(table0->elems[2], sub);
    cr_assert_null(table0->elems[3]);
    call3("table_copy", 0, 1, 3);   /* overlapping, backwards */
    cr_assert_eq(table0->elems[0], add);
    cr_assert_eq(table0->elems[1], sub);
    cr_assert_null(table0->elems[2]);
    call3("table_copy", 4, 4, 0);
    trap3("table_copy", 3, 0, 2);
    trap3("table_copy", 0, 3, 2);
    trap3("table_copy", 5, 0, 0);
    cr_assert_eq(table0->elems[0], add);
}
