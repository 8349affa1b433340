/*
 * main.c — calls mathlib.wasm from C through the header that
 * `welf compile --header` wrote: mathlib_add and the others are ordinary
 * typed functions, so the C compiler checks every argument.
 */
#include <stdio.h>

#include "mathlib.h"

int main(void)
{
    welf_engine *engine;
    welf_module *module;
    welf_instance *inst;
    welf_error err;
    /* The object is linked in: no file to load. */
    if (welf_engine_new(&engine, &err) ||
        welf_module_from_linked(engine, &welf_module_mathlib, &module,
                                &err) ||
        welf_instance_new(module, NULL, 0, &inst, &err) ||
        /* Once: is this instance the module mathlib.h describes? */
        mathlib_check(inst, &err)) {
        fprintf(stderr, "mathlib: %s\n", err.message);
        return 1;
    }

    /* Calls that may trap run inside a trap frame; a trap comes back
     * here from setjmp with a non-zero value, and pop reports it. */
    welf_trap_frame frame;
    welf_trap_frame_push(engine, &frame);
    if (setjmp(frame.env) == 0) {
        printf("add(2, 3) = %d\n", (int)mathlib_add(inst, 2, 3));
        printf("hypot(3, 4) = %g\n", mathlib_hypot(inst, 3, 4));
        printf("div(7, 2) = %d\n", (int)mathlib_div(inst, 7, 2));
        printf("div(1, 0) = %d\n", (int)mathlib_div(inst, 1, 0));
        printf("not reached\n");
    }
    if (welf_trap_frame_pop(&frame, &err) != WELF_OK)
        printf("trap: %s\n", err.message);

    welf_engine_free(engine);
    return 0;
}
