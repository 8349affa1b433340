/*
 * tests/runtime/engine.c — runtime/engine.c: creating and freeing
 * engines, the canonical type registry (ids from 1, equal signatures
 * share an id), that welf_engine_free leaves nothing behind, and that
 * every allocation of a whole load-instantiate-call session can fail
 * cleanly.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "internal.h"
#include "support.h"

static void host_nop(welf_host *self, welf_caller *caller,
                     welf_val_raw *args, size_t len)
{
    void *user = self->data;
    (void)caller;
    (void)len;
    (void)user;
    (void)args;
    return;
}

static welf_funcref *host(welf_engine *engine, uint32_t np,
                          const uint8_t *params, uint32_t nr,
                          const uint8_t *results)
{
    welf_functype_info ti = {np, nr, params, results};
    welf_funcref *f;
    welf_error err;
    cr_assert_eq(welf_func_new_host(engine, &ti, host_nop, NULL, &f, &err),
                 WELF_OK, "%s", err.message);
    return f;
}

Test(rt_engine, new_and_free)
{
    welf_engine *engine = NULL;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    cr_assert_not_null(engine);
    welf_engine_free(engine);
    welf_engine_free(NULL);
    cr_assert_eq(welf_engine_new(NULL, &err), WELF_ERR_USAGE);
}

Test(rt_engine, type_ids_are_canonical)
{
    welf_engine *engine;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    const uint8_t ii[] = {WELF_TYPE_I32, WELF_TYPE_I32};
    const uint8_t i[] = {WELF_TYPE_I32};
    const uint8_t l[] = {WELF_TYPE_I64};

    welf_funcref *a = host(engine, 2, ii, 1, i);
    welf_funcref *b = host(engine, 2, ii, 1, i);
    welf_funcref *c = host(engine, 1, i, 2, ii);  /* params <-> results */
    welf_funcref *d = host(engine, 2, ii, 1, l);
    welf_funcref *e = host(engine, 0, NULL, 0, NULL);
    welf_funcref *f = host(engine, 0, NULL, 0, NULL);
    cr_assert_eq(a->type_id, 1, "ids start at 1");
    cr_assert_eq(b->type_id, a->type_id);
    cr_assert_neq(c->type_id, a->type_id);
    cr_assert_neq(d->type_id, a->type_id);
    cr_assert_neq(d->type_id, c->type_id);
    cr_assert_eq(e->type_id, f->type_id);
    cr_assert_neq(e->type_id, 0);

    /* A module's (i32 i32) -> i32 is the host's. */
    welf_module *m;
    cr_assert_eq(welf_module_from_desc(engine, &welf_module_rt_basic, NULL,
                                       &m, &err), WELF_OK, "%s", err.message);
    welf_instance *inst;
    cr_assert_eq(welf_instance_new(m, NULL, 0, &inst, &err), WELF_OK);
    cr_assert_eq(rt_func(inst, "add")->type_id, a->type_id);
    cr_assert_eq(rt_func(inst, "start")->type_id, e->type_id);
    welf_engine_free(engine);
}

Test(rt_engine, many_types)
{
    /* Enough distinct signatures to rehash the registry a few times. */
    welf_engine *engine;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    static uint8_t params[600][3];
    uint32_t ids[600];
    const uint8_t vt[] = {WELF_TYPE_I32, WELF_TYPE_I64, WELF_TYPE_F32,
                          WELF_TYPE_F64, WELF_TYPE_V128, WELF_TYPE_FUNCREF,
                          WELF_TYPE_EXTERNREF};
    for (int k = 0; k < 600; k++) {
        params[k][0] = vt[k % 7];
        params[k][1] = vt[(k / 7) % 7];
        params[k][2] = vt[(k / 49) % 7];
        ids[k] = host(engine, 3, params[k], 0, NULL)->type_id;
    }
    for (int k = 0; k < 600; k++) {
        cr_assert_eq(host(engine, 3, params[k], 0, NULL)->type_id, ids[k]);
        const welf_functype *t = welf_engine_type(engine, ids[k]);
        cr_assert_not_null(t);
        cr_assert_eq(memcmp(t->types, params[k], 3), 0);
    }
    /* 600 signatures, of which 7 * 7 * 7 are distinct */
    cr_assert_eq(engine->type_count, 343);
    cr_assert_null(welf_engine_type(engine, 0));
    cr_assert_null(welf_engine_type(engine, 344));
    welf_engine_free(engine);
}

/* A session touching every kind of object, with a counting allocator. */
static welf_status session(void)
{
    welf_engine *engine = NULL;
    welf_module *basic, *imp;
    welf_instance *inst;
    welf_error err;
    welf_status st = welf_engine_new(&engine, &err);
    if (st != WELF_OK)
        return st;
    st = welf_module_from_desc(engine, &welf_module_rt_basic, NULL, &basic,
                               &err);
    if (st == WELF_OK)
        st = welf_instance_new(basic, NULL, 0, &inst, &err);
    welf_extern ex;
    if (st == WELF_OK)
        st = welf_instance_export(inst, "add", 3, &ex, &err);
    welf_val args[2] = {{.type = WELF_TYPE_I32, .of.i32 = 2},
                        {.type = WELF_TYPE_I32, .of.i32 = 3}};
    welf_val res;
    if (st == WELF_OK)
        st = welf_func_call(ex.u.func, args, 2, &res, 1, &err);
    if (st == WELF_OK && res.of.i32 != 5)
        st = WELF_ERR_USAGE;

    /* rt_imports with host objects, then a trapping instantiation. */
    const uint8_t sig[] = {WELF_TYPE_I32, WELF_TYPE_I32};
    welf_functype_info ti = {1, 1, sig, sig + 1};
    welf_extern imports[5];
    memset(imports, 0, sizeof imports);
    if (st == WELF_OK)
        st = welf_module_from_desc(engine, &welf_module_rt_imports, NULL,
                                   &imp, &err);
    if (st == WELF_OK) {
        imports[0].kind = WELF_EXTERN_FUNC;
        st = welf_func_new_host(engine, &ti, host_nop, NULL,
                                &imports[0].u.func, &err);
    }
    if (st == WELF_OK) {
        imports[1].kind = WELF_EXTERN_TABLE;
        st = welf_table_new(engine, WELF_TYPE_FUNCREF,
                            (welf_limits_info){2, 10, true},
                            &imports[1].u.table, &err);
    }
    if (st == WELF_OK) {
        imports[2].kind = WELF_EXTERN_MEMORY;
        st = welf_memory_new(engine, (welf_limits_info){1, 2, true},
                             &imports[2].u.memory, &err);
    }
    if (st == WELF_OK) {
        imports[3].kind = WELF_EXTERN_GLOBAL;
        st = welf_global_new(engine, (welf_val){.type = WELF_TYPE_I32,
                                                .of.i32 = 65534},
                             false, &imports[3].u.global, &err);
    }
    if (st == WELF_OK) {
        imports[4].kind = WELF_EXTERN_GLOBAL;
        st = welf_global_new(engine, (welf_val){.type = WELF_TYPE_I64}, true,
                             &imports[4].u.global, &err);
    }
    if (st == WELF_OK) {
        st = welf_instance_new(imp, imports, 5, &inst, &err);
        if (st == WELF_ERR_TRAP)
            st = WELF_OK;
        else if (st == WELF_OK)
            st = WELF_ERR_USAGE; /* the data segment must trap */
    }
    welf_engine_free(engine);
    return st;
}

Test(rt_engine, free_leaves_nothing)
{
    rt_alloc_count c;
    rt_alloc_install(&c, -1);
    welf_status st = session();
    rt_alloc_restore();
    cr_assert_eq(st, WELF_OK);
    cr_assert_gt(c.requests, 20);
    cr_assert_eq(c.live, 0, "%ld blocks left", c.live);
}

Test(rt_engine, every_allocation_may_fail)
{
    rt_alloc_count c;
    long n = 0;
    for (;; n++) {
        rt_alloc_install(&c, n);
        welf_status st = session();
        rt_alloc_restore();
        cr_assert_eq(c.live, 0, "failing request %ld: %ld blocks left", n,
                     c.live);
        if (!c.failed) {
            cr_assert_eq(st, WELF_OK);
            break;
        }
        cr_assert_eq(st, WELF_ERR_NOMEM, "failing request %ld: status %d",
                     n, st);
    }
    cr_assert_gt(n, 20);
}
