/*
 * support.h — helpers shared by the runtime's tests: the fixtures'
 * descriptors, a fresh engine with rt_basic instantiated, typed call
 * shortcuts that fail the test on any error, and a counting allocator.
 */
#ifndef WELF_TEST_RUNTIME_SUPPORT_H
#define WELF_TEST_RUNTIME_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "runtime.h"

extern const welf_desc_module welf_module_rt_basic;
extern const welf_desc_module welf_module_rt_imports;

/* An engine with rt_basic loaded and instantiated. */
typedef struct rt_fixture {
    welf_engine *engine;
    welf_module *module;
    welf_instance *inst;
} rt_fixture;

void rt_setup(rt_fixture *fx);
void rt_teardown(rt_fixture *fx);

/* The export `name`, which must exist and be of `kind`. */
welf_extern rt_export(welf_instance *inst, const char *name,
                      welf_extern_kind kind);
welf_funcref *rt_func(welf_instance *inst, const char *name);

/* Calls with i32 arguments and up to one i32 result; any error fails the
 * test. rt_call_status returns the status instead, with err filled. */
int32_t rt_call_i32(welf_instance *inst, const char *name, size_t argc,
                    const int32_t *argv);
welf_status rt_call_status(welf_instance *inst, const char *name,
                           size_t argc, const int32_t *argv,
                           size_t result_count, welf_error *err);

/* Asserts that err is a trap with this code and the spec's message. */
void rt_assert_trap(welf_status st, const welf_error *err,
                    welf_trap_code code, const char *message);

/* An allocator that counts live blocks and can fail the Nth request. */
typedef struct rt_alloc_count {
    long requests;
    long fail_at;        /* -1: never */
    bool failed;
    long live;
} rt_alloc_count;

void rt_alloc_install(rt_alloc_count *c, long fail_at);
void rt_alloc_restore(void);

#endif
