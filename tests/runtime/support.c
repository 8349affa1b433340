/*
 * support.c — helpers for the runtime's tests (support.h).
 */
#include "support.h"

#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

void rt_setup(rt_fixture *fx)
{
    welf_error err;
    memset(fx, 0, sizeof *fx);
    cr_assert_eq(welf_engine_new(&fx->engine, &err), WELF_OK, "%s",
                 err.message);
    cr_assert_eq(welf_module_from_desc(fx->engine, &welf_module_rt_basic,
                                       NULL, &fx->module, &err),
                 WELF_OK, "%s", err.message);
    cr_assert_eq(welf_instance_new(fx->module, NULL, 0, &fx->inst, &err),
                 WELF_OK, "%s", err.message);
}

void rt_teardown(rt_fixture *fx)
{
    welf_engine_free(fx->engine);
    memset(fx, 0, sizeof *fx);
}

welf_extern rt_export(welf_instance *inst, const char *name,
                      welf_extern_kind kind)
{
    welf_extern ex;
    welf_error err;
    cr_assert_eq(welf_instance_export(inst, name, strlen(name), &ex, &err),
                 WELF_OK, "export %s: %s", name, err.message);
    cr_assert_eq(ex.kind, kind, "export %s has kind %d", name, ex.kind);
    return ex;
}

welf_funcref *rt_func(welf_instance *inst, const char *name)
{
    return rt_export(inst, name, WELF_EXTERN_FUNC).u.func;
}

welf_status rt_call_status(welf_instance *inst, const char *name,
                           size_t argc, const int32_t *argv,
                           size_t result_count, welf_error *err)
{
    welf_val args[8], results[1];
    cr_assert_leq(argc, 8);
    cr_assert_leq(result_count, 1);
    for (size_t i = 0; i < argc; i++) {
        args[i].type = WELF_TYPE_I32;
        args[i].of.i32 = argv[i];
    }
    return welf_func_call(rt_func(inst, name), args, argc, results,
                          result_count, err);
}

int32_t rt_call_i32(welf_instance *inst, const char *name, size_t argc,
                    const int32_t *argv)
{
    welf_funcref *f = rt_func(inst, name);
    welf_functype_info ti;
    welf_func_type(f, &ti);
    welf_val args[8], results[1];
    welf_error err;
    cr_assert_leq(argc, 8);
    for (size_t i = 0; i < argc; i++) {
        args[i].type = WELF_TYPE_I32;
        args[i].of.i32 = argv[i];
    }
    welf_status st = welf_func_call(f, args, argc, results, ti.result_count,
                                    &err);
    cr_assert_eq(st, WELF_OK, "%s: %s", name, err.message);
    if (ti.result_count == 0)
        return 0;
    cr_assert_eq(results[0].type, WELF_TYPE_I32);
    return results[0].of.i32;
}

void rt_assert_trap(welf_status st, const welf_error *err,
                    welf_trap_code code, const char *message)
{
    cr_assert_eq(st, WELF_ERR_TRAP, "status %d: %s", st, err->message);
    cr_assert_eq(err->code, WELF_ERR_TRAP);
    cr_assert_eq(err->trap_code, (uint32_t)code, "trap code %u, expected %d",
                 err->trap_code, code);
    cr_assert_str_eq(err->message, message);
    /* The message is the code's, possibly naming an element after it. */
    const char *base = welf_trap_message(code);
    cr_assert(strncmp(message, base, strlen(base)) == 0,
              "message '%s' does not start with '%s'", message, base);
}

static void *count_alloc(void *user, void *ptr, size_t size)
{
    rt_alloc_count *c = user;
    if (size == 0) {
        if (ptr)
            c->live--;
        free(ptr);
        return NULL;
    }
    if (c->requests++ == c->fail_at) {
        c->failed = true;
        return NULL;
    }
    void *p = realloc(ptr, size);
    if (p && !ptr)
        c->live++;
    return p;
}

void rt_alloc_install(rt_alloc_count *c, long fail_at)
{
    memset(c, 0, sizeof *c);
    c->fail_at = fail_at;
    welf_set_allocator(count_alloc, c);
}

void rt_alloc_restore(void)
{
    welf_set_allocator(NULL, NULL);
}
