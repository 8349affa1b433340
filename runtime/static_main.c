/*
 * static_main.c — the main() of a static WASI program:
 *
 *   welf compile prog.wasm -o prog.o
 *   cc prog.o -lwelf -lelf -lpthread -o prog
 *
 * prog.o does not define main, so the linker takes this member of
 * libwelf.a; a program with its own main (an embedder) never pulls it in.
 * It finds the module through the pointer every welf object puts in
 * section welf_modules, and runs it as `welf run` would: the same options
 * (--dir, --env, --invoke, --), the same exit statuses.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "run.h"

/* Defined by the linker around the welf_modules sections of all objects;
 * weak, so a program without any still links and says so. */
extern const welf_desc_module *const __start_welf_modules[]
    __attribute__((weak, visibility("hidden")));
extern const welf_desc_module *const __stop_welf_modules[]
    __attribute__((weak, visibility("hidden")));

int main(int argc, char **argv)
{
    const char *who = argc > 0 && argv[0] ? argv[0] : "welf";
    size_t n = 0;
    if (__start_welf_modules && __stop_welf_modules)
        n = (size_t)(__stop_welf_modules - __start_welf_modules);
    if (n != 1) {
        if (n == 0)
            fprintf(stderr, "%s: no WebAssembly module is linked in (link "
                            "an object made by `welf compile`)\n", who);
        else
            fprintf(stderr, "%s: %zu WebAssembly modules are linked in; "
                            "libwelf's main runs one (write a main that "
                            "instantiates them)\n", who, n);
        return WELF_RUN_ERROR_STATUS;
    }
    welf_run_options opts;
    if (!welf_run_parse(argc > 0 ? argc - 1 : 0, argv + (argc > 0), who, who,
                        &opts))
        return WELF_RUN_ERROR_STATUS;
    welf_engine *engine;
    welf_module *module;
    welf_error err;
    int status = WELF_RUN_ERROR_STATUS;
    if (welf_engine_new(&engine, &err) != WELF_OK) {
        fprintf(stderr, "%s: %s\n", who, err.message);
        welf_run_options_free(&opts);
        return status;
    }
    if (welf_module_from_linked(engine, __start_welf_modules[0], &module,
                                &err) != WELF_OK)
        fprintf(stderr, "%s: %s\n", who, err.message);
    else
        status = welf_run_module(engine, module, &opts, who);
    welf_engine_free(engine);
    welf_run_options_free(&opts);
    return status;
}
