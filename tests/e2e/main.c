/*
 * main.c — links against calc.o (welf compile calc.wasm --name calc) and
 * the runtime library, with no loader involved, and checks what the
 * exports return, including a trap.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "welf.h"

extern const welf_desc_module welf_module_calc;

static welf_funcref *export_func(welf_instance *inst, const char *name)
{
    welf_extern ext;
    welf_error err;
    if (welf_instance_export(inst, name, strlen(name), &ext, &err) ||
        ext.kind != WELF_EXTERN_FUNC) {
        fprintf(stderr, "no function export %s\n", name);
        return NULL;
    }
    return ext.u.func;
}

int main(void)
{
    welf_engine *engine;
    welf_module *module;
    welf_instance *inst;
    welf_error err;
    if (welf_engine_new(&engine, &err) ||
        welf_module_from_linked(engine, &welf_module_calc, &module, &err) ||
        welf_instance_new(module, NULL, 0, &inst, &err)) {
        fprintf(stderr, "setup: %s\n", err.message);
        return 1;
    }
    welf_funcref *fac = export_func(inst, "fac");
    welf_funcref *calls = export_func(inst, "calls");
    welf_funcref *divmod = export_func(inst, "divmod");
    welf_funcref *greeting = export_func(inst, "greeting");
    if (!fac || !calls || !divmod || !greeting)
        return 1;

    welf_val arg = {.type = WELF_TYPE_I64, .of.i64 = 20}, res[2];
    if (welf_func_call(fac, &arg, 1, res, 1, &err))
        return fprintf(stderr, "fac: %s\n", err.message), 1;
    printf("fac(20) = %" PRId64 "\n", res[0].of.i64);
    if (welf_func_call(calls, NULL, 0, res, 1, &err))
        return fprintf(stderr, "calls: %s\n", err.message), 1;
    printf("calls = %" PRId32 "\n", res[0].of.i32);

    welf_val dm[2] = {{.type = WELF_TYPE_I32, .of.i32 = 17},
                      {.type = WELF_TYPE_I32, .of.i32 = 5}};
    if (welf_func_call(divmod, dm, 2, res, 2, &err))
        return fprintf(stderr, "divmod: %s\n", err.message), 1;
    printf("divmod(17, 5) = %" PRId32 " %" PRId32 "\n", res[0].of.i32,
           res[1].of.i32);

    dm[1].of.i32 = 0;
    welf_status st = welf_func_call(divmod, dm, 2, res, 2, &err);
    printf("divmod(17, 0) = %s: %s\n", st == WELF_ERR_TRAP ? "trap" : "no trap",
           err.message);

    if (welf_func_call(greeting, NULL, 0, res, 1, &err))
        return fprintf(stderr, "greeting: %s\n", err.message), 1;
    char word[5] = {0};
    memcpy(word, &res[0].of.i32, 4);
    printf("greeting = %s\n", word);
    welf_engine_free(engine);
    return 0;
}
