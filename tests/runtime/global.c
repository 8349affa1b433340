/*
 * tests/runtime/global.c — runtime/global.c: globals of every type made
 * by the embedder, read back, shared with wasm through imports.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "internal.h"
#include "support.h"

Test(rt_global, every_type)
{
    welf_engine *engine;
    welf_global *g;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    int marker;
    welf_val vals[7];
    memset(vals, 0, sizeof vals);
    vals[0].type = WELF_TYPE_I32, vals[0].of.i32 = -7;
    vals[1].type = WELF_TYPE_I64, vals[1].of.i64 = INT64_MAX;
    vals[2].type = WELF_TYPE_F32, vals[2].of.f32 = -0.0f;
    vals[3].type = WELF_TYPE_F64, vals[3].of.f64 = 6.5e300;
    vals[4].type = WELF_TYPE_V128;
    for (int i = 0; i < 16; i++)
        vals[4].of.v128[i] = (uint8_t)(255 - i);
    vals[5].type = WELF_TYPE_FUNCREF;
    vals[6].type = WELF_TYPE_EXTERNREF, vals[6].of.extern_ref = &marker;
    for (int i = 0; i < 7; i++) {
        cr_assert_eq(welf_global_new(engine, vals[i], i % 2 == 0, &g, &err),
                     WELF_OK, "%s", err.message);
        cr_assert_eq(g->is_mutable, i % 2 == 0);
        cr_assert_eq((uintptr_t)&g->rt % 16, 0, "the cell is 16-aligned");
        welf_val v = welf_global_get(g);
        cr_assert_eq(v.type, vals[i].type);
        switch (v.type) {
        case WELF_TYPE_I32: cr_assert_eq(v.of.i32, -7); break;
        case WELF_TYPE_I64: cr_assert_eq(v.of.i64, INT64_MAX); break;
        case WELF_TYPE_F32:
            cr_assert_eq(memcmp(&v.of.f32, &vals[2].of.f32, 4), 0);
            break;
        case WELF_TYPE_F64: cr_assert_eq(v.of.f64, 6.5e300); break;
        case WELF_TYPE_V128:
            cr_assert_eq(memcmp(v.of.v128, vals[4].of.v128, 16), 0);
            break;
        case WELF_TYPE_FUNCREF: cr_assert_null(v.of.func); break;
        case WELF_TYPE_EXTERNREF: cr_assert_eq(v.of.extern_ref, &marker);
            break;
        default: cr_assert_fail("type");
        }
    }
    welf_val bad = {.type = 0x40};
    g = (welf_global *)1;
    cr_assert_eq(welf_global_new(engine, bad, false, &g, &err),
                 WELF_ERR_USAGE);
    cr_assert_null(g);
    welf_engine_free(engine);
}

Test(rt_global, exported_global_is_live)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_global *counter = rt_export(fx.inst, "counter", WELF_EXTERN_GLOBAL)
                               .u.global;
    cr_assert_eq(rt_call_i32(fx.inst, "counter_get", 0, NULL), 42);
    /* wasm reads the cell in place */
    counter->rt.value.i32 = 43;
    cr_assert_eq(rt_call_i32(fx.inst, "counter_get", 0, NULL), 43);
    cr_assert_eq(welf_global_get(counter).of.i32, 43);
    rt_teardown(&fx);
}
