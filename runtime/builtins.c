/*
 * builtins.c — the runtime services compiled code calls through
 * vmctx->builtins (abi.h, welf_builtins): traps, memory.grow and the bulk
 * memory and table instructions with their segment drops. Each takes the
 * calling instance's vmctx, which is the first member of its
 * welf_instance, and indexes that instance's own spaces. Ranges are
 * checked with 64-bit arithmetic before anything is touched, as the spec
 * requires (WebAssembly 2.0, section 4.4.7 and 4.4.6).
 */
#include "internal.h"

#include <string.h>

static welf_instance *instance_of(welf_vmctx *vm)
{
    return (welf_instance *)vm;
}

/* Whether [start, start+len) fits in `size` units. */
static bool in_range(uint32_t start, uint32_t len, uint64_t size)
{
    return (uint64_t)start + len <= size;
}

static void builtin_trap(welf_vmctx *vm, uint32_t code, uint32_t detail)
{
    (void)vm;
    if (code == WELF_TRAP_INDIRECT_NULL || code == WELF_TRAP_UNDEFINED_ELEMENT)
        welf_trap_raise_detail(code, detail);
    welf_trap_raise((welf_trap_code)code);
}

/* ---- memories ---- */

static uint32_t builtin_memory_grow(welf_vmctx *vm, uint32_t mem,
                                    uint32_t delta_pages)
{
    return welf_memory_grow(instance_of(vm)->memories[mem], delta_pages);
}

static void builtin_memory_fill(welf_vmctx *vm, uint32_t mem, uint32_t dst,
                                uint32_t value, uint32_t len)
{
    welf_memory_rt *m = vm->memories[mem];
    if (!in_range(dst, len, m->size_bytes))
        welf_trap_raise(WELF_TRAP_CODE_MEMORY_OOB);
    memset(m->base + dst, (int)(uint8_t)value, len);
}

static void builtin_memory_copy(welf_vmctx *vm, uint32_t dst_mem,
                                uint32_t src_mem, uint32_t dst, uint32_t src,
                                uint32_t len)
{
    welf_memory_rt *d = vm->memories[dst_mem];
    welf_memory_rt *s = vm->memories[src_mem];
    if (!in_range(dst, len, d->size_bytes) ||
        !in_range(src, len, s->size_bytes))
        welf_trap_raise(WELF_TRAP_CODE_MEMORY_OOB);
    memmove(d->base + dst, s->base + src, len);
}

static void builtin_memory_init(welf_vmctx *vm, uint32_t mem, uint32_t seg,
                                uint32_t dst, uint32_t src, uint32_t len)
{
    welf_instance *inst = instance_of(vm);
    welf_memory_rt *m = vm->memories[mem];
    if (!in_range(src, len, inst->data_sizes[seg]) ||
        !in_range(dst, len, m->size_bytes))
        welf_trap_raise(WELF_TRAP_CODE_MEMORY_OOB);
    if (len)
        memcpy(m->base + dst, inst->module->desc->datas[seg].bytes + src,
               len);
}

static void builtin_data_drop(welf_vmctx *vm, uint32_t seg)
{
    instance_of(vm)->data_sizes[seg] = 0;
}

/* ---- tables ---- */

static uint32_t builtin_table_grow(welf_vmctx *vm, uint32_t table, void *init,
                                   uint32_t delta)
{
    return welf_table_grow(instance_of(vm)->tables[table], init, delta);
}

static void builtin_table_fill(welf_vmctx *vm, uint32_t table, uint32_t dst,
                               void *value, uint32_t len)
{
    welf_table_rt *t = vm->tables[table];
    if (!in_range(dst, len, t->size))
        welf_trap_raise(WELF_TRAP_CODE_TABLE_OOB);
    for (uint32_t i = 0; i < len; i++)
        t->elems[dst + i] = value;
}

static void builtin_table_copy(welf_vmctx *vm, uint32_t dst_table,
                               uint32_t src_table, uint32_t dst, uint32_t src,
                               uint32_t len)
{
    welf_table_rt *d = vm->tables[dst_table];
    welf_table_rt *s = vm->tables[src_table];
    if (!in_range(dst, len, d->size) || !in_range(src, len, s->size))
        welf_trap_raise(WELF_TRAP_CODE_TABLE_OOB);
    if (len)
        memmove(d->elems + dst, s->elems + src, (size_t)len * sizeof(void *));
}

static void builtin_table_init(welf_vmctx *vm, uint32_t table, uint32_t seg,
                               uint32_t dst, uint32_t src, uint32_t len)
{
    welf_elem_inst *e = &instance_of(vm)->elems[seg];
    welf_table_rt *t = vm->tables[table];
    if (!in_range(src, len, e->count) || !in_range(dst, len, t->size))
        welf_trap_raise(WELF_TRAP_CODE_TABLE_OOB);
    for (uint32_t i = 0; i < len; i++)
        t->elems[dst + i] = e->vals[src + i].ref;
}

static void builtin_elem_drop(welf_vmctx *vm, uint32_t seg)
{
    instance_of(vm)->elems[seg].count = 0;
}

const welf_builtins welf_builtins_table = {
    .trap = builtin_trap,
    .memory_grow = builtin_memory_grow,
    .memory_fill = builtin_memory_fill,
    .memory_copy = builtin_memory_copy,
    .memory_init = builtin_memory_init,
    .data_drop = builtin_data_drop,
    .table_grow = builtin_table_grow,
    .table_fill = builtin_table_fill,
    .table_copy = builtin_table_copy,
    .table_init = builtin_table_init,
    .elem_drop = builtin_elem_drop,
};
