/*
 * run_main.c — loads a compiled object with the runtime, calls its export
 * "main" () -> i64 and prints the result as wabt's wasm-interp does
 * ("main() => i64:N"), so the two can be compared.
 */
#include <inttypes.h>
#include <stdio.h>

#include "welf.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: run_main FILE.o\n");
        return 2;
    }
    welf_engine *engine;
    welf_module *module;
    welf_instance *inst;
    welf_extern ext;
    welf_val result;
    welf_error err;
    if (welf_engine_new(&engine, &err) ||
        welf_module_load(engine, argv[1], &module, &err) ||
        welf_instance_new(module, NULL, 0, &inst, &err) ||
        welf_instance_export(inst, "main", 4, &ext, &err) ||
        welf_func_call(ext.u.func, NULL, 0, &result, 1, &err)) {
        fprintf(stderr, "run_main: %s\n", err.message);
        return 1;
    }
    printf("main() => i64:%" PRIu64 "\n", (uint64_t)result.of.i64);
    welf_engine_free(engine);
    return 0;
}
