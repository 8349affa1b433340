/*
 * header_main.c — the static-link test of `welf compile --header`
 * (tests/e2e/header.sh builds it): links demo.o, whose wrappers come
 * from the generated demo.h, and three variants of the module that
 * demo_check must reject; calls every wrapper inside trap frames and
 * prints what comes back.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "demo.h"

/* Variants of demo: "mix" missing, "add" moved to function 1, "add"
 * taking and returning i64. */
extern const welf_desc_module welf_module_missing;
extern const welf_desc_module welf_module_moved;
extern const welf_desc_module welf_module_retyped;

static welf_engine *engine;

static const char *code_name(welf_status st)
{
    switch (st) {
    case WELF_OK: return "WELF_OK";
    case WELF_ERR_LINK: return "WELF_ERR_LINK";
    case WELF_ERR_USAGE: return "WELF_ERR_USAGE";
    default: return "another code";
    }
}

static welf_instance *instantiate(const welf_desc_module *desc)
{
    welf_module *module;
    welf_instance *inst;
    welf_error err;
    if (welf_module_from_linked(engine, desc, &module, &err) ||
        welf_instance_new(module, NULL, 0, &inst, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return NULL;
    }
    return inst;
}

/* demo_div in a frame of its own: a trap ends only this call. */
static void divide(welf_instance *inst, int32_t a, int32_t b)
{
    welf_trap_frame frame;
    welf_error err;
    welf_trap_frame_push(engine, &frame);
    if (setjmp(frame.env) == 0)
        printf("div(%" PRId32 ", %" PRId32 ") = %" PRId32 "\n", a, b,
               demo_div(inst, a, b));
    if (welf_trap_frame_pop(&frame, &err) != WELF_OK)
        printf("div(%" PRId32 ", %" PRId32 ") trapped: %s\n", a, b,
               err.message);
}

/* The calls that cannot trap, in one frame. */
static void call_all(welf_instance *inst)
{
    int marker;
    int32_t lanes[4] = {10, 20, 30, 40};
    welf_v128 v;
    memcpy(&v, lanes, sizeof v);
    printf("add(2, 3) = %" PRId32 "\n", demo_add(inst, 2, 3));
    printf("mix(3, -10) = %.1f\n", (double)demo_mix(inst, 3, -10));
    printf("mix(1, 2^33) = %.1f\n",
           (double)demo_mix(inst, 1, INT64_C(1) << 33));
    demo_nop(inst);
    demo_nop(inst);
    printf("get-count = %" PRId32 " after two nops\n", demo_get_count(inst));
    printf("1st(5) = %.2f\n", demo_1st(inst, 5.0));
    printf("wide(3) = %" PRId64 "\n", demo_wide(inst, 3));
    printf("hello world = %" PRId32 ", hello_world = %" PRId32 "\n",
           demo_hello_world_2(inst), demo_hello_world(inst));
    printf("check = %" PRId32 ", caf\xc3\xa9 = %" PRId32 "\n",
           demo_check_2(inst), demo_caf_(inst));
    printf("id(&marker) is &marker: %s\n",
           demo_id(inst, &marker) == &marker ? "yes" : "no");
    printf("id(NULL) is NULL: %s\n", demo_id(inst, NULL) ? "no" : "yes");
    welf_funcref *add = demo_get_add(inst);
    printf("get-add is function 0: %s\n",
           add == welf_instance_func(inst, 0) ? "yes" : "no");
    welf_v128 s = demo_splat(inst, 7);
    memcpy(lanes, &s, sizeof lanes);
    printf("splat(7) = %" PRId32 " %" PRId32 " %" PRId32 " %" PRId32 "\n",
           lanes[0], lanes[1], lanes[2], lanes[3]);
    printf("lane2(10 20 30 40) = %" PRId32 "\n", demo_lane2(inst, v));
}

int main(void)
{
    welf_error err;
    if (welf_engine_new(&engine, &err))
        return fprintf(stderr, "engine: %s\n", err.message), 1;
    welf_instance *inst = instantiate(&welf_module_demo);
    if (!inst)
        return 1;
    if (demo_check(inst, &err) != WELF_OK)
        return fprintf(stderr, "demo_check: %s\n", err.message), 1;
    printf("demo_check: ok\n");

    welf_trap_frame frame;
    welf_trap_frame_push(engine, &frame);
    if (setjmp(frame.env) == 0)
        call_all(inst);
    if (welf_trap_frame_pop(&frame, &err) != WELF_OK)
        return fprintf(stderr, "unexpected trap: %s\n", err.message), 1;

    divide(inst, 7, 2);
    divide(inst, 1, 0);
    divide(inst, INT32_MIN, -1);
    printf("add(40, 2) = %" PRId32 " after the traps\n",
           demo_add(inst, 40, 2));

    /* No wrapper for two results: the untyped call. */
    welf_extern divmod;
    welf_val args[2] = {{.type = WELF_TYPE_I32, .of.i32 = 17},
                        {.type = WELF_TYPE_I32, .of.i32 = 5}};
    welf_val res[2];
    if (welf_instance_export(inst, "divmod", 6, &divmod, &err) ||
        welf_func_call(divmod.u.func, args, 2, res, 2, &err))
        return fprintf(stderr, "divmod: %s\n", err.message), 1;
    printf("divmod(17, 5) = %" PRId32 " %" PRId32 "\n", res[0].of.i32,
           res[1].of.i32);

    const welf_desc_module *variants[] = {&welf_module_missing,
                                          &welf_module_moved,
                                          &welf_module_retyped};
    const char *names[] = {"missing", "moved", "retyped"};
    for (int i = 0; i < 3; i++) {
        welf_instance *other = instantiate(variants[i]);
        if (!other)
            return 1;
        welf_status st = demo_check(other, &err);
        printf("demo_check(%s): %s: %s\n", names[i], code_name(st),
               st == WELF_OK ? "accepted" : err.message);
    }
    welf_engine_free(engine);
    return 0;
}
