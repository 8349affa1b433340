/*
 * lower_table.c — tables and references. A reference is a pointer: a
 * funcref points at a welf_funcref record, an externref is the host's
 * value, and NULL is the null reference of either type. table.get/set
 * and table.size work on the welf_table_rt inline; growing, filling,
 * copying and initialising go through the runtime's builtins, which
 * check bounds and trap.
 */
#include "lower.h"

static LLVMValueRef table_rt(welf_lower_fn *f, uint32_t index)
{
    return welf_lower_vm_elem(f, offsetof(welf_vmctx, tables), index,
                              "table");
}

static LLVMValueRef table_size(welf_lower_fn *f, LLVMValueRef table)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef off = LLVMConstInt(lm->t_i64, offsetof(welf_table_rt, size),
                                    0);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(f->b, lm->t_i8, table, &off, 1,
                                           "");
    return LLVMBuildLoad2(f->b, lm->t_i32, p, "size");
}

/* The address of element `index`, after the bounds check. */
static LLVMValueRef element(welf_lower_fn *f, uint32_t t, LLVMValueRef index)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef table = table_rt(f, t);
    welf_lower_trap_if(f, LLVMBuildICmp(f->b, LLVMIntUGE, index,
                                        table_size(f, table), ""),
                       WELF_TRAP_TABLE_OOB);
    LLVMValueRef elems = welf_lower_load_ptr(
        f, table, offsetof(welf_table_rt, elems), "elems");
    LLVMValueRef i64 = LLVMBuildZExt(f->b, index, lm->t_i64, "");
    return LLVMBuildInBoundsGEP2(f->b, lm->t_ptr, elems, &i64, 1, "");
}

bool welf_lower_table(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    LLVMTypeRef i32 = lm->t_i32, p = lm->t_ptr, v = lm->t_void;
    LLVMValueRef a, b, c;
    switch (in->op) {
    case WELF_OP_TABLE_GET:
        a = welf_lower_pop(f, i32);
        return welf_lower_push(f, LLVMBuildLoad2(f->b, p,
                                                 element(f, in->u.index, a),
                                                 ""));
    case WELF_OP_TABLE_SET:
        b = welf_lower_pop(f, p);
        a = welf_lower_pop(f, i32);
        LLVMBuildStore(f->b, b, element(f, in->u.index, a));
        return true;
    case WELF_OP_TABLE_SIZE:
        return welf_lower_push(f, table_size(f, table_rt(f, in->u.index)));
    case WELF_OP_TABLE_GROW: {
        LLVMTypeRef ty = LLVMFunctionType(i32, (LLVMTypeRef[]){p, i32, p, i32},
                                          4, 0);
        b = welf_lower_pop(f, i32);
        a = welf_lower_pop(f, p);
        LLVMValueRef args[4] = {f->vmctx, welf_lower_u32(f, in->u.index), a, b};
        return welf_lower_push(f, welf_lower_builtin(
            f, offsetof(welf_builtins, table_grow), ty, args, 4));
    }
    case WELF_OP_TABLE_FILL: {
        LLVMTypeRef ty = LLVMFunctionType(
            v, (LLVMTypeRef[]){p, i32, i32, p, i32}, 5, 0);
        c = welf_lower_pop(f, i32);
        b = welf_lower_pop(f, p);
        a = welf_lower_pop(f, i32);
        LLVMValueRef args[5] = {f->vmctx, welf_lower_u32(f, in->u.index), a,
                                b, c};
        welf_lower_builtin(f, offsetof(welf_builtins, table_fill), ty, args,
                           5);
        return true;
    }
    case WELF_OP_TABLE_COPY:
    case WELF_OP_TABLE_INIT: {
        LLVMTypeRef ty = LLVMFunctionType(
            v, (LLVMTypeRef[]){p, i32, i32, i32, i32, i32}, 6, 0);
        c = welf_lower_pop(f, i32);
        b = welf_lower_pop(f, i32);
        a = welf_lower_pop(f, i32);
        /* copy: (dst table, src table); init: (table, segment). */
        bool copy = in->op == WELF_OP_TABLE_COPY;
        LLVMValueRef args[6] = {f->vmctx,
                                welf_lower_u32(f, copy ? in->u.pair.a
                                                       : in->u.pair.b),
                                welf_lower_u32(f, copy ? in->u.pair.b
                                                       : in->u.pair.a),
                                a, b, c};
        welf_lower_builtin(f, copy ? offsetof(welf_builtins, table_copy)
                                   : offsetof(welf_builtins, table_init),
                           ty, args, 6);
        return true;
    }
    case WELF_OP_ELEM_DROP: {
        LLVMTypeRef ty = LLVMFunctionType(v, (LLVMTypeRef[]){p, i32}, 2, 0);
        LLVMValueRef args[2] = {f->vmctx, welf_lower_u32(f, in->u.index)};
        welf_lower_builtin(f, offsetof(welf_builtins, elem_drop), ty, args,
                           2);
        return true;
    }
    case WELF_OP_REF_NULL:
        return welf_lower_push(f, LLVMConstPointerNull(p));
    case WELF_OP_REF_IS_NULL:
        a = welf_lower_pop(f, p);
        return welf_lower_push(f, LLVMBuildZExt(f->b,
                                                LLVMBuildIsNull(f->b, a, ""),
                                                i32, ""));
    case WELF_OP_REF_FUNC:
        return welf_lower_push(f, welf_lower_vm_elem(
            f, offsetof(welf_vmctx, funcs), in->u.index, "funcref"));
    }
    welf_error_set(lm->err, WELF_ERR_UNSUPPORTED, in->offset,
                   "instruction %s is not supported yet",
                   welf_opinfos[in->op].name);
    return false;
}
