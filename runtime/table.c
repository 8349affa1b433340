/*
 * table.c — tables: a heap array of references (welf_table_rt, NULL being
 * the null reference) with its element type and limits, and table.grow.
 * The bulk operations compiled code calls are in builtins.c.
 */
#include "internal.h"

#include <string.h>

static uint32_t table_bound(bool has_max, uint32_t max)
{
    return has_max && max < WELF_TABLE_MAX_ELEMS ? max : WELF_TABLE_MAX_ELEMS;
}

welf_status welf_table_create(welf_engine *engine, uint8_t elem_type,
                              welf_limits_info limits, welf_table **out,
                              welf_error *err)
{
    *out = NULL;
    if (elem_type != WELF_TYPE_FUNCREF && elem_type != WELF_TYPE_EXTERNREF)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "bad table element type 0x%02x", elem_type);
    if (limits.has_max && limits.max < limits.min)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "bad table limits: min %u > max %u",
                              limits.min, limits.max);
    if (limits.min > WELF_TABLE_MAX_ELEMS)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "a table of %u elements is past the limit "
                              "of %u", limits.min, WELF_TABLE_MAX_ELEMS);
    welf_table *table = welf_malloc(sizeof *table);
    if (!table)
        goto nomem;
    memset(table, 0, sizeof *table);
    size_t bytes = (size_t)limits.min * sizeof(void *);
    table->rt.elems = welf_malloc(bytes);
    if (!table->rt.elems) {
        welf_free(table);
        goto nomem;
    }
    memset(table->rt.elems, 0, bytes);
    table->rt.size = limits.min;
    table->engine = engine;
    table->elem_type = elem_type;
    table->has_max = limits.has_max;
    table->max = limits.has_max ? limits.max : 0;
    *out = table;
    return WELF_OK;

nomem:
    return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                          "out of memory creating a table");
}

void welf_table_destroy(welf_table *table)
{
    welf_free(table->rt.elems);
    welf_free(table);
}

uint32_t welf_table_grow(welf_table *table, void *init, uint32_t delta)
{
    uint32_t old = table->rt.size;
    uint64_t size = (uint64_t)old + delta;
    if (size > table_bound(table->has_max, table->max))
        return UINT32_MAX;
    if (delta == 0)
        return old;
    void **elems = welf_realloc(table->rt.elems, (size_t)size * sizeof *elems);
    if (!elems)
        return UINT32_MAX;
    for (uint64_t i = old; i < size; i++)
        elems[i] = init;
    table->rt.elems = elems;
    table->rt.size = (uint32_t)size;
    return old;
}

welf_status welf_table_new(welf_engine *engine, uint8_t elem_type,
                           welf_limits_info limits, welf_table **out,
                           welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!engine || !out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_table_new: missing argument");
    welf_table *table;
    welf_status st = welf_table_create(engine, elem_type, limits, &table,
                                       err);
    *out = NULL;
    if (st != WELF_OK)
        return st;
    table->next = engine->tables;
    engine->tables = table;
    *out = table;
    return WELF_OK;
}
