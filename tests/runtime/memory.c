/*
 * tests/runtime/memory.c — runtime/memory.c and the memory builtins of
 * runtime/builtins.c: memories made by the embedder, memory.grow up to
 * the declared max (and 65,536 pages without one) then failure, and the
 * bulk memory instructions with their bounds.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "internal.h"
#include "support.h"

Test(rt_memory, new_and_limits)
{
    welf_engine *engine;
    welf_memory *mem;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    cr_assert_eq(welf_memory_new(engine, (welf_limits_info){2, 5, true}, &mem,
                                 &err), WELF_OK, "%s", err.message);
    cr_assert_eq(welf_memory_size_bytes(mem), 2 * 65536);
    uint8_t *data = welf_memory_data(mem);
    cr_assert_eq(data[0], 0);
    cr_assert_eq(data[2 * 65536 - 1], 0);
    data[2 * 65536 - 1] = 7;
    cr_assert(welf_memory_fault_is_ours((uintptr_t)data + 2 * 65536));
    cr_assert(welf_memory_fault_is_ours((uintptr_t)data +
                                        WELF_MEMORY_RESERVE_BYTES - 1));
    cr_assert_not(welf_memory_fault_is_ours((uintptr_t)data +
                                            WELF_MEMORY_RESERVE_BYTES));
    cr_assert_not(welf_memory_fault_is_ours((uintptr_t)data - 1));

    const welf_limits_info bad[] = {
        {3, 2, true},
        {65537, 0, false},
        {0, 65537, true},
    };
    for (size_t i = 0; i < 3; i++) {
        mem = (welf_memory *)1;
        cr_assert_eq(welf_memory_new(engine, bad[i], &mem, &err),
                     WELF_ERR_USAGE);
        cr_assert_null(mem);
    }
    cr_assert_eq(welf_memory_new(engine, (welf_limits_info){0, 0, true}, &mem,
                                 &err), WELF_OK);
    cr_assert_eq(welf_memory_size_bytes(mem), 0);
    cr_assert_not_null(welf_memory_data(mem));
    welf_engine_free(engine);
}

Test(rt_memory, reservations_are_released)
{
    /* More memories over time than the registry has slots at once. */
    for (int round = 0; round < 3; round++) {
        welf_engine *engine;
        welf_memory *mem;
        welf_error err;
        cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
        for (int i = 0; i < 2000; i++)
            cr_assert_eq(welf_memory_new(engine,
                                         (welf_limits_info){0, 0, false},
                                         &mem, &err), WELF_OK,
                         "round %d, memory %d: %s", round, i, err.message);
        welf_engine_free(engine);
    }
}

Test(rt_memory, grow_to_max_then_fail)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_memory *mem = rt_export(fx.inst, "memory", WELF_EXTERN_MEMORY)
                           .u.memory;
    uint8_t *base = welf_memory_data(mem);
    int32_t d[1] = {1};
    cr_assert_eq(rt_call_i32(fx.inst, "size", 0, NULL), 1);
    cr_assert_eq(rt_call_i32(fx.inst, "grow", 1, d), 1);
    cr_assert_eq(rt_call_i32(fx.inst, "size", 0, NULL), 2);
    cr_assert_eq(welf_memory_size_bytes(mem), 2 * 65536);
    cr_assert_eq(welf_memory_data(mem), base, "the base never moves");
    cr_assert_eq(base[2 * 65536 - 1], 0, "new pages are zero");
    base[2 * 65536 - 1] = 1;
    d[0] = 2; /* 2 + 2 > max 3 */
    cr_assert_eq(rt_call_i32(fx.inst, "grow", 1, d), -1);
    d[0] = 1;
    cr_assert_eq(rt_call_i32(fx.inst, "grow", 1, d), 2);
    cr_assert_eq(rt_call_i32(fx.inst, "grow", 1, d), -1);
    d[0] = 0;
    cr_assert_eq(rt_call_i32(fx.inst, "grow", 1, d), 3);
    d[0] = -1;
    cr_assert_eq(rt_call_i32(fx.inst, "grow", 1, d), -1);
    cr_assert_eq(rt_call_i32(fx.inst, "size", 0, NULL), 3);
    cr_assert_eq(welf_memory_size_bytes(mem), 3 * 65536);
    rt_teardown(&fx);
}

Test(rt_memory, grow_without_max)
{
    welf_engine *engine;
    welf_memory *mem;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    cr_assert_eq(welf_memory_new(engine, (welf_limits_info){0, 0, false},
                                 &mem, &err), WELF_OK);
    cr_assert_eq(welf_memory_grow(mem, 65537), UINT32_MAX);
    cr_assert_eq(welf_memory_grow(mem, 65535), 0);
    cr_assert_eq(welf_memory_grow(mem, 1), 65535);
    cr_assert_eq(welf_memory_grow(mem, 1), UINT32_MAX);
    cr_assert_eq(welf_memory_size_bytes(mem), UINT64_C(1) << 32);
    welf_memory_data(mem)[(UINT64_C(1) << 32) - 1] = 1;
    welf_engine_free(engine);
}

/* memory.copy between two memories, through the builtin itself, on an
 * instance of rt_basic given a second memory. The descriptor lives on
 * this stack, so the engine that uses it must die here too. */
Test(rt_memory, copy_across_memories)
{
    rt_fixture fx;
    rt_setup(&fx);
    welf_desc_module d = welf_module_rt_basic;
    welf_desc_memory mems[2] = {d.memories[0],
                                {.limits = {.min = 2, .max = 2,
                                            .has_max = 1}}};
    d.memories = mems;
    d.memory_count = 2;
    welf_module *m;
    welf_instance *inst;
    welf_error err;
    cr_assert_eq(welf_module_from_desc(fx.engine, &d, NULL, &m, &err),
                 WELF_OK, "%s", err.message);
    cr_assert_eq(welf_instance_new(m, NULL, 0, &inst, &err), WELF_OK);
    welf_vmctx *vm = &inst->vm;
    cr_assert_eq(vm->memory0_base, vm->memories[0]->base);
    uint8_t *m0 = vm->memories[0]->base, *m1 = vm->memories[1]->base;
    memcpy(m1 + 70000, "xyz", 3);
    vm->builtins->memory_copy(vm, 0, 1, 10, 70000, 3);
    cr_assert_eq(memcmp(m0 + 10, "xyz", 3), 0);
    vm->builtins->memory_copy(vm, 1, 0, 131072 - 5, 16, 5);
    cr_assert_eq(memcmp(m1 + 131072 - 5, "hello", 5), 0);
    cr_assert_eq(vm->builtins->memory_grow(vm, 1, 1), UINT32_MAX);
    cr_assert_eq(vm->builtins->memory_grow(vm, 0, 1), 1);
    rt_teardown(&fx);
}

/* ---- bulk memory ---- */

static rt_fixture fx;
static uint8_t *mem0;

static void bulk_setup(void)
{
    rt_setup(&fx);
    mem0 = welf_memory_data(rt_export(fx.inst, "memory", WELF_EXTERN_MEMORY)
                                .u.memory);
}

static void bulk_teardown(void)
{
    rt_teardown(&fx);
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
                   WELF_TRAP_CODE_MEMORY_OOB, "out of bounds memory access");
}

TestSuite(rt_bulk_memory, .init = bulk_setup, .fini = bulk_teardown);

Test(rt_bulk_memory, fill)
{
    call3("fill", 100, 0x1ab, 4);  /* the value is taken mod 256 */
    cr_assert_eq(memcmp(mem0 + 100, "\xab\xab\xab\xab", 4), 0);
    cr_assert_eq(mem0[104], 0);
    call3("fill", 65536 - 2, 7, 2); /* up to the end */
    cr_assert_eq(mem0[65535], 7);
    call3("fill", 65536, 7, 0);     /* empty, exactly at the end */
    trap3("fill", 65536, 7, 1);
    trap3("fill", 65537, 7, 0);     /* empty, past the end */
    trap3("fill", 65530, 9, 7);     /* nothing written before the trap */
    cr_assert_eq(mem0[65530], 0);
    trap3("fill", -1, 9, 2);        /* 32-bit wraparound */
    cr_assert_eq(mem0[0], 0);
}

Test(rt_bulk_memory, copy)
{
    memcpy(mem0 + 200, "abcdefgh", 8);
    call3("copy", 202, 200, 6);     /* overlapping, forwards */
    cr_assert_eq(memcmp(mem0 + 200, "ababcdef", 8), 0);
    memcpy(mem0 + 200, "abcdefgh", 8);
    call3("copy", 200, 202, 6);     /* overlapping, backwards */
    cr_assert_eq(memcmp(mem0 + 200, "cdefghgh", 8), 0);
    call3("copy", 65536, 0, 0);
    call3("copy", 0, 65536, 0);
    trap3("copy", 65536, 0, 1);
    trap3("copy", 0, 65536, 1);
    trap3("copy", 0, 65537, 0);
    trap3("copy", 65535, 200, 2);
    cr_assert_eq(mem0[65535], 0);
}

Test(rt_bulk_memory, init_and_drop)
{
    /* segment 1 is "passive!" */
    call3("init", 300, 0, 8);
    cr_assert_eq(memcmp(mem0 + 300, "passive!", 8), 0);
    call3("init", 400, 2, 3);
    cr_assert_eq(memcmp(mem0 + 400, "ssi", 3), 0);
    call3("init", 65536, 8, 0);     /* empty at both ends */
    trap3("init", 500, 5, 4);       /* past the segment */
    cr_assert_eq(mem0[500], 0);
    trap3("init", 65535, 0, 2);     /* past the memory */
    trap3("init", 0, 9, 0);
    rt_call_i32(fx.inst, "drop_data", 0, NULL);
    call3("init", 0, 0, 0);         /* a dropped segment is empty */
    trap3("init", 0, 0, 1);
    rt_call_i32(fx.inst, "drop_data", 0, NULL); /* dropping twice is fine */
}
