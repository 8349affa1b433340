/*
 * global.c — globals: a 16-byte welf_global_rt cell that compiled code
 * reads and writes in place, with its value type and mutability.
 * Module-defined globals get their initial value in instance.c.
 */
#include "internal.h"

#include <string.h>

welf_status welf_global_create(welf_engine *engine, uint8_t type,
                               bool is_mutable, welf_global **out,
                               welf_error *err)
{
    *out = NULL;
    if (!welf_valtype_valid(type))
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "bad global type 0x%02x", type);
    /* The cell is _Alignas(16): welf_malloc returns memory aligned for
     * any object type, which is 16 bytes on x86-64. */
    welf_global *global = welf_malloc(sizeof *global);
    if (!global)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory creating a global");
    memset(global, 0, sizeof *global);
    global->engine = engine;
    global->type = type;
    global->is_mutable = is_mutable;
    *out = global;
    return WELF_OK;
}

void welf_global_destroy(welf_global *global)
{
    welf_free(global);
}

welf_status welf_global_new(welf_engine *engine, welf_val value,
                            bool is_mutable, welf_global **out,
                            welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!engine || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_global_new: missing argument");
    welf_global *global;
    welf_status st = welf_global_create(engine, value.type, is_mutable,
                                        &global, err);
    *out = NULL;
    if (st != WELF_OK)
        return st;
    welf_val_to_raw(&value, &global->rt.value);
    global->next = engine->globals;
    engine->globals = global;
    *out = global;
    return WELF_OK;
}

welf_val welf_global_get(const welf_global *global)
{
    return welf_val_from_raw(global->type, &global->rt.value);
}
