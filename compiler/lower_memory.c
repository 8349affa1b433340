/*
 * lower_memory.c — loads, stores, memory.size/grow and bulk memory.
 *
 * Addresses are not bounds-checked: a memory reserves 8 GiB of address
 * space (runtime/memory.c), more than any 32-bit address plus 32-bit
 * offset can reach, and everything past the accessible size faults into
 * the guard region, which the runtime turns into a trap. The effective
 * address is base + zext(i32 address) + offset, computed in 64 bits.
 *
 * LLVM takes loads and stores for operations that cannot trap: it may
 * delete a load whose value is unused, or merge and reorder accesses
 * around one that faults. With precise_traps every access is volatile,
 * which forbids both; without it, only a load whose value is dropped at
 * once stays (lower.c), the case the spec suite checks.
 */
#include "lower.h"

static LLVMValueRef memory_base(welf_lower_fn *f, uint32_t memory)
{
    if (memory == 0)
        return f->memory0_base;
    LLVMValueRef rt = welf_lower_vm_elem(f, offsetof(welf_vmctx, memories),
                                         memory, "memory");
    return welf_lower_load_ptr(f, rt, offsetof(welf_memory_rt, base),
                               "base");
}

LLVMValueRef welf_lower_effective_address(welf_lower_fn *f,
                                          const welf_instr *in,
                                          LLVMValueRef addr)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef off = LLVMBuildZExt(f->b, addr, lm->t_i64, "");
    if (in->u.memarg.offset)
        off = LLVMBuildAdd(f->b, off,
                           LLVMConstInt(lm->t_i64, in->u.memarg.offset, 0),
                           "");
    return LLVMBuildGEP2(f->b, lm->t_i8, memory_base(f, in->u.memarg.memory),
                         &off, 1, "addr");
}

/* What a load or store moves: the type in memory and on the stack. */
typedef struct access {
    LLVMTypeRef mem;
    LLVMTypeRef val;
    bool is_signed;
} access;

static access describe(welf_lower_module *lm, uint16_t op)
{
    switch (op) {
    case WELF_OP_I32_LOAD: case WELF_OP_I32_STORE:
        return (access){lm->t_i32, lm->t_i32, false};
    case WELF_OP_I64_LOAD: case WELF_OP_I64_STORE:
        return (access){lm->t_i64, lm->t_i64, false};
    case WELF_OP_F32_LOAD: case WELF_OP_F32_STORE:
        return (access){lm->t_f32, lm->t_f32, false};
    case WELF_OP_F64_LOAD: case WELF_OP_F64_STORE:
        return (access){lm->t_f64, lm->t_f64, false};
    case WELF_OP_I32_LOAD8_S: return (access){lm->t_i8, lm->t_i32, true};
    case WELF_OP_I32_LOAD8_U: case WELF_OP_I32_STORE8:
        return (access){lm->t_i8, lm->t_i32, false};
    case WELF_OP_I32_LOAD16_S: return (access){lm->t_i16, lm->t_i32, true};
    case WELF_OP_I32_LOAD16_U: case WELF_OP_I32_STORE16:
        return (access){lm->t_i16, lm->t_i32, false};
    case WELF_OP_I64_LOAD8_S: return (access){lm->t_i8, lm->t_i64, true};
    case WELF_OP_I64_LOAD8_U: case WELF_OP_I64_STORE8:
        return (access){lm->t_i8, lm->t_i64, false};
    case WELF_OP_I64_LOAD16_S: return (access){lm->t_i16, lm->t_i64, true};
    case WELF_OP_I64_LOAD16_U: case WELF_OP_I64_STORE16:
        return (access){lm->t_i16, lm->t_i64, false};
    case WELF_OP_I64_LOAD32_S: return (access){lm->t_i32, lm->t_i64, true};
    case WELF_OP_I64_LOAD32_U: case WELF_OP_I64_STORE32:
        return (access){lm->t_i32, lm->t_i64, false};
    }
    welf_unreachable();
}

static bool is_store(uint16_t op)
{
    return op >= WELF_OP_I32_STORE && op <= WELF_OP_I64_STORE32;
}

static bool lower_access(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    access a = describe(lm, in->op);
    if (is_store(in->op)) {
        LLVMValueRef v = welf_lower_pop(f, a.val);
        LLVMValueRef p = welf_lower_effective_address(f, in,
                                           welf_lower_pop(f, lm->t_i32));
        if (a.mem != a.val)
            v = LLVMBuildTrunc(f->b, v, a.mem, "");
        LLVMValueRef st = LLVMBuildStore(f->b, v, p);
        LLVMSetAlignment(st, 1);
        if (lm->precise_traps)
            LLVMSetVolatile(st, 1);
        return true;
    }
    LLVMValueRef p = welf_lower_effective_address(
        f, in, welf_lower_pop(f, lm->t_i32));
    LLVMValueRef v = LLVMBuildLoad2(f->b, a.mem, p, "");
    LLVMSetAlignment(v, 1);
    if (lm->precise_traps)
        LLVMSetVolatile(v, 1);
    if (a.mem != a.val)
        v = a.is_signed ? LLVMBuildSExt(f->b, v, a.val, "")
                        : LLVMBuildZExt(f->b, v, a.val, "");
    return welf_lower_push(f, v);
}

bool welf_lower_memory(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    LLVMTypeRef i32 = lm->t_i32, p = lm->t_ptr;
    LLVMValueRef a, b, c;
    switch (in->op) {
    case WELF_OP_MEMORY_SIZE: {
        LLVMValueRef rt = welf_lower_vm_elem(
            f, offsetof(welf_vmctx, memories), in->u.index, "memory");
        LLVMValueRef sp = LLVMBuildInBoundsGEP2(
            f->b, lm->t_i8, rt,
            (LLVMValueRef[]){LLVMConstInt(lm->t_i64,
                                          offsetof(welf_memory_rt,
                                                   size_bytes), 0)},
            1, "");
        LLVMValueRef bytes = LLVMBuildLoad2(f->b, lm->t_i64, sp, "");
        LLVMValueRef pages = LLVMBuildLShr(
            f->b, bytes, LLVMConstInt(lm->t_i64, 16, 0), "");
        return welf_lower_push(f, LLVMBuildTrunc(f->b, pages, i32, ""));
    }
    case WELF_OP_MEMORY_GROW: {
        LLVMTypeRef ty = LLVMFunctionType(i32, (LLVMTypeRef[]){p, i32, i32},
                                          3, 0);
        a = welf_lower_pop(f, i32);
        LLVMValueRef args[3] = {f->vmctx, welf_lower_u32(f, in->u.index), a};
        return welf_lower_push(f, welf_lower_builtin(
            f, offsetof(welf_builtins, memory_grow), ty, args, 3));
    }
    case WELF_OP_MEMORY_FILL: {
        LLVMTypeRef ty = LLVMFunctionType(
            lm->t_void, (LLVMTypeRef[]){p, i32, i32, i32, i32}, 5, 0);
        c = welf_lower_pop(f, i32);
        b = welf_lower_pop(f, i32);
        a = welf_lower_pop(f, i32);
        LLVMValueRef args[5] = {f->vmctx, welf_lower_u32(f, in->u.index), a,
                                b, c};
        welf_lower_builtin(f, offsetof(welf_builtins, memory_fill), ty, args,
                           5);
        return true;
    }
    case WELF_OP_MEMORY_COPY:
    case WELF_OP_MEMORY_INIT: {
        LLVMTypeRef ty = LLVMFunctionType(
            lm->t_void, (LLVMTypeRef[]){p, i32, i32, i32, i32, i32}, 6, 0);
        c = welf_lower_pop(f, i32);
        b = welf_lower_pop(f, i32);
        a = welf_lower_pop(f, i32);
        /* copy: (dst mem, src mem); init: (mem, segment). */
        bool copy = in->op == WELF_OP_MEMORY_COPY;
        LLVMValueRef x = welf_lower_u32(f, copy ? in->u.pair.a
                                                : in->u.pair.b);
        LLVMValueRef y = welf_lower_u32(f, copy ? in->u.pair.b
                                                : in->u.pair.a);
        LLVMValueRef args[6] = {f->vmctx, x, y, a, b, c};
        unsigned field = copy ? offsetof(welf_builtins, memory_copy)
                              : offsetof(welf_builtins, memory_init);
        welf_lower_builtin(f, field, ty, args, 6);
        return true;
    }
    case WELF_OP_DATA_DROP: {
        LLVMTypeRef ty = LLVMFunctionType(lm->t_void,
                                          (LLVMTypeRef[]){p, i32}, 2, 0);
        LLVMValueRef args[2] = {f->vmctx, welf_lower_u32(f, in->u.index)};
        welf_lower_builtin(f, offsetof(welf_builtins, data_drop), ty, args,
                           2);
        return true;
    }
    default:
        return lower_access(f, in);
    }
}
