/*
 * lower.c — lowering of validated wasm to LLVM IR: function frames,
 * control flow (blocks with parameters and results, loops, if/else, br,
 * br_if, br_table, return), locals, globals, calls (direct, imported,
 * indirect, tail) and traps. Instruction families with no control flow
 * live in lower_numeric.c, lower_memory.c and lower_table.c.
 *
 * Values: a stack of LLVMValueRef mirrors the wasm operand stack. Each
 * control construct gets an LLVM block for its label with one phi per
 * label value; branches add incoming edges. Code the validator calls
 * unreachable (after br, return, unreachable...) is skipped up to the
 * matching else/end, so the polymorphic stack never reaches LLVM.
 */
#include "lower.h"

#include <string.h>

#include "debuginfo.h"

struct welf_lower_frame {
    uint16_t op;                  /* block, loop, if, else; end = body */
    bool unreachable;             /* rest of this frame is dead code */
    bool dead;                    /* opened inside dead code: no IR */
    bool end_reached;             /* something branches to or falls into
                                     end_block */
    uint32_t height;              /* stack height below the frame's params */
    const welf_valtype *params, *results;
    uint32_t param_count, result_count;
    LLVMBasicBlockRef br_block;   /* loop: header; others: end_block */
    LLVMBasicBlockRef end_block;
    LLVMBasicBlockRef else_block; /* if, until its else */
    LLVMValueRef *br_phis;        /* in br_block: label values */
    LLVMValueRef *end_phis;       /* in end_block: results */
    LLVMValueRef *if_params;      /* if: params, for the else branch */
};

/* ---- helpers shared with the family files ---- */

LLVMTypeRef welf_lower_type(welf_lower_module *lm, welf_valtype t)
{
    switch (t) {
    case WELF_VT_I32: return lm->t_i32;
    case WELF_VT_I64: return lm->t_i64;
    case WELF_VT_F32: return lm->t_f32;
    case WELF_VT_F64: return lm->t_f64;
    case WELF_VT_V128: return lm->t_v128;
    default: return lm->t_ptr;
    }
}

bool welf_lower_push(welf_lower_fn *f, LLVMValueRef v)
{
    if (f->stack_count == f->stack_cap) {
        uint32_t cap = f->stack_cap ? f->stack_cap * 2 : 64;
        LLVMValueRef *s = welf_realloc(f->stack, cap * sizeof *s);
        if (!s) {
            welf_error_set(f->lm->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                           "out of memory while lowering");
            return false;
        }
        f->stack = s;
        f->stack_cap = cap;
    }
    f->stack[f->stack_count++] = v;
    return true;
}

LLVMValueRef welf_lower_pop(welf_lower_fn *f, LLVMTypeRef t)
{
    /* Dead code is skipped, so a validated body never underflows; the
     * undef keeps a broken invariant from crashing the compiler. */
    if (f->stack_count == 0)
        return LLVMGetUndef(t);
    return f->stack[--f->stack_count];
}

LLVMValueRef welf_lower_u32(welf_lower_fn *f, uint32_t v)
{
    return LLVMConstInt(f->lm->t_i32, v, 0);
}

LLVMValueRef welf_lower_load_ptr(welf_lower_fn *f, LLVMValueRef base,
                                 unsigned offset, const char *name)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef p = base;
    if (offset) {
        LLVMValueRef idx = LLVMConstInt(lm->t_i64, offset, 0);
        p = LLVMBuildInBoundsGEP2(f->b, lm->t_i8, base, &idx, 1, "");
    }
    return LLVMBuildLoad2(f->b, lm->t_ptr, p, name);
}

LLVMValueRef welf_lower_intrinsic(welf_lower_fn *f, const char *name,
                                  LLVMTypeRef *types, unsigned n_types,
                                  LLVMValueRef *args, unsigned n_args)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(f->lm->mod, id, types,
                                                  n_types);
    LLVMTypeRef ty = LLVMIntrinsicGetType(f->lm->ctx, id, types, n_types);
    return LLVMBuildCall2(f->b, ty, fn, args, n_args, "");
}

LLVMValueRef welf_lower_builtin(welf_lower_fn *f, unsigned field,
                                LLVMTypeRef type, LLVMValueRef *args,
                                unsigned n)
{
    LLVMValueRef builtins = welf_lower_load_ptr(f, f->vmctx, 0, "builtins");
    LLVMValueRef fn = welf_lower_load_ptr(f, builtins, field, "builtin");
    return LLVMBuildCall2(f->b, type, fn, args, n, "");
}

/* A call to vmctx->builtins->trap(vmctx, code, detail), which never
 * returns. */
static void build_trap_call(welf_lower_fn *f, uint32_t code,
                            LLVMValueRef detail)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef builtins = welf_lower_load_ptr(f, f->vmctx, 0, "builtins");
    LLVMValueRef fn = welf_lower_load_ptr(
        f, builtins, offsetof(welf_builtins, trap), "trap");
    LLVMValueRef args[3] = {f->vmctx, LLVMConstInt(lm->t_i32, code, 0),
                            detail ? detail : LLVMConstInt(lm->t_i32, 0, 0)};
    LLVMValueRef call = LLVMBuildCall2(f->b, lm->trap_type, fn, args, 3, "");
    unsigned noreturn = LLVMGetEnumAttributeKindForName("noreturn", 8);
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(lm->ctx, noreturn, 0));
    LLVMBuildUnreachable(f->b);
}

void welf_lower_trap(welf_lower_fn *f, uint32_t code)
{
    build_trap_call(f, code, NULL);
    LLVMPositionBuilderAtEnd(f->b,
                             LLVMAppendBasicBlockInContext(f->lm->ctx, f->fn,
                                                           "dead"));
}

void welf_lower_trap_if(welf_lower_fn *f, LLVMValueRef cond, uint32_t code)
{
    welf_lower_trap_if_detail(f, cond, code, NULL);
}

void welf_lower_trap_if_detail(welf_lower_fn *f, LLVMValueRef cond,
                               uint32_t code, LLVMValueRef detail)
{
    welf_lower_module *lm = f->lm;
    LLVMBasicBlockRef trap = LLVMAppendBasicBlockInContext(lm->ctx, f->fn,
                                                           "trap");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(lm->ctx, f->fn,
                                                           "ok");
    LLVMTypeRef i1 = lm->t_i1;
    LLVMValueRef args[2] = {cond, LLVMConstInt(i1, 0, 0)};
    LLVMValueRef expect = welf_lower_intrinsic(f, "llvm.expect", &i1, 1,
                                               args, 2);
    LLVMBuildCondBr(f->b, expect, trap, cont);
    LLVMPositionBuilderAtEnd(f->b, trap);
    build_trap_call(f, code, detail);
    LLVMPositionBuilderAtEnd(f->b, cont);
}

/* ---- frames ---- */

static bool nomem(welf_lower_fn *f)
{
    welf_error_set(f->lm->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                   "out of memory while lowering");
    return false;
}

static LLVMValueRef *phis_new(welf_lower_fn *f, LLVMBasicBlockRef bb,
                              const welf_valtype *types, uint32_t n)
{
    LLVMValueRef *phis = welf_arena_alloc(f->arena, (n ? n : 1) *
                                                        sizeof *phis);
    if (!phis)
        return NULL;
    LLVMBasicBlockRef saved = LLVMGetInsertBlock(f->b);
    LLVMPositionBuilderAtEnd(f->b, bb);
    for (uint32_t i = 0; i < n; i++)
        phis[i] = LLVMBuildPhi(f->b, welf_lower_type(f->lm, types[i]), "");
    LLVMPositionBuilderAtEnd(f->b, saved);
    return phis;
}

static welf_lower_frame *frame_push(welf_lower_fn *f, uint16_t op)
{
    if (f->frame_count == f->frame_cap) {
        uint32_t cap = f->frame_cap ? f->frame_cap * 2 : 16;
        welf_lower_frame *fr = welf_realloc(f->frames, cap * sizeof *fr);
        if (!fr) {
            nomem(f);
            return NULL;
        }
        f->frames = fr;
        f->frame_cap = cap;
    }
    welf_lower_frame *fr = &f->frames[f->frame_count++];
    memset(fr, 0, sizeof *fr);
    fr->op = op;
    return fr;
}

static welf_lower_frame *top(welf_lower_fn *f)
{
    return &f->frames[f->frame_count - 1];
}

/* Adds the top `n` stack values as incoming values of `phis` from the
 * current block. */
static void add_incoming(welf_lower_fn *f, LLVMValueRef *phis, uint32_t n)
{
    LLVMBasicBlockRef from = LLVMGetInsertBlock(f->b);
    for (uint32_t i = 0; i < n; i++) {
        LLVMValueRef v = f->stack[f->stack_count - n + i];
        LLVMAddIncoming(phis[i], &v, &from, 1);
    }
}

static void label_values(const welf_lower_frame *fr, LLVMValueRef **phis,
                         uint32_t *n)
{
    *phis = fr->br_phis;
    *n = fr->op == WELF_OP_LOOP ? fr->param_count : fr->result_count;
}

/* Branch from the current block to frame `fr`'s label, carrying the top
 * label values (they stay on the stack). */
static void branch_to(welf_lower_fn *f, welf_lower_frame *fr)
{
    LLVMValueRef *phis;
    uint32_t n;
    label_values(fr, &phis, &n);
    add_incoming(f, phis, n);
    if (fr->op != WELF_OP_LOOP)
        fr->end_reached = true;
}

static void set_unreachable(welf_lower_fn *f)
{
    welf_lower_frame *fr = top(f);
    f->stack_count = fr->height;
    fr->unreachable = true;
}

static bool get_blocktype(welf_lower_fn *f, const welf_instr *in,
                          const welf_valtype **params, uint32_t *np,
                          const welf_valtype **results, uint32_t *nr)
{
    static const welf_valtype singles[] = {
        WELF_VT_I32, WELF_VT_I64, WELF_VT_F32, WELF_VT_F64,
        WELF_VT_V128, WELF_VT_FUNCREF, WELF_VT_EXTERNREF};
    *params = *results = NULL;
    *np = *nr = 0;
    if (in->u.block.kind == WELF_BT_VALUE) {
        for (size_t i = 0; i < WELF_ARRAY_LEN(singles); i++)
            if (singles[i] == in->u.block.valtype)
                *results = &singles[i];
        *nr = 1;
    } else if (in->u.block.kind == WELF_BT_INDEX) {
        const welf_functype *ft = &f->lm->m->types[in->u.block.type_index];
        *params = ft->params;
        *np = ft->param_count;
        *results = ft->results;
        *nr = ft->result_count;
    }
    return true;
}

static bool lower_block(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    const welf_valtype *params, *results;
    uint32_t np, nr;
    get_blocktype(f, in, &params, &np, &results, &nr);
    LLVMValueRef cond = NULL;
    if (in->op == WELF_OP_IF)
        cond = LLVMBuildICmp(f->b, LLVMIntNE, welf_lower_pop(f, lm->t_i32),
                             LLVMConstInt(lm->t_i32, 0, 0), "cond");
    welf_lower_frame *fr = frame_push(f, in->op);
    if (!fr)
        return false;
    fr->params = params;
    fr->param_count = np;
    fr->results = results;
    fr->result_count = nr;
    fr->height = f->stack_count - np;
    fr->end_block = LLVMAppendBasicBlockInContext(lm->ctx, f->fn, "end");
    fr->end_phis = phis_new(f, fr->end_block, results, nr);
    if (!fr->end_phis)
        return nomem(f);
    if (in->op == WELF_OP_LOOP) {
        fr->br_block = LLVMAppendBasicBlockInContext(lm->ctx, f->fn, "loop");
        fr->br_phis = phis_new(f, fr->br_block, params, np);
        if (!fr->br_phis)
            return nomem(f);
        add_incoming(f, fr->br_phis, np);
        LLVMBuildBr(f->b, fr->br_block);
        LLVMPositionBuilderAtEnd(f->b, fr->br_block);
        for (uint32_t i = 0; i < np; i++)
            f->stack[fr->height + i] = fr->br_phis[i];
        return true;
    }
    fr->br_block = fr->end_block;
    fr->br_phis = fr->end_phis;
    if (in->op == WELF_OP_IF) {
        fr->if_params = welf_arena_alloc(f->arena,
                                         (np ? np : 1) * sizeof(LLVMValueRef));
        if (!fr->if_params)
            return nomem(f);
        memcpy(fr->if_params, f->stack + fr->height,
               np * sizeof(LLVMValueRef));
        LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(lm->ctx,
                                                               f->fn, "then");
        fr->else_block = LLVMAppendBasicBlockInContext(lm->ctx, f->fn,
                                                       "else");
        LLVMBuildCondBr(f->b, cond, then, fr->else_block);
        LLVMPositionBuilderAtEnd(f->b, then);
    }
    return true;
}

/* Falls through from the current block into the frame's end. */
static void fall_into_end(welf_lower_fn *f, welf_lower_frame *fr)
{
    if (fr->unreachable)
        return;
    add_incoming(f, fr->end_phis, fr->result_count);
    LLVMBuildBr(f->b, fr->end_block);
    fr->end_reached = true;
}

static bool lower_else(welf_lower_fn *f)
{
    welf_lower_frame *fr = top(f);
    if (fr->dead) {
        fr->op = WELF_OP_ELSE;
        return true;
    }
    fall_into_end(f, fr);
    f->stack_count = fr->height;
    for (uint32_t i = 0; i < fr->param_count; i++)
        if (!welf_lower_push(f, fr->if_params[i]))
            return false;
    LLVMPositionBuilderAtEnd(f->b, fr->else_block);
    fr->else_block = NULL;
    fr->op = WELF_OP_ELSE;
    fr->unreachable = false;
    return true;
}

static bool lower_end(welf_lower_fn *f)
{
    welf_lower_frame *fr = top(f);
    if (fr->dead) {
        f->frame_count--;
        return true;
    }
    fall_into_end(f, fr);
    if (fr->else_block) {
        /* An if without else: the false branch passes the parameters,
         * which validation made equal to the results. */
        LLVMPositionBuilderAtEnd(f->b, fr->else_block);
        LLVMBasicBlockRef from = fr->else_block;
        for (uint32_t i = 0; i < fr->result_count; i++)
            LLVMAddIncoming(fr->end_phis[i], &fr->if_params[i], &from, 1);
        LLVMBuildBr(f->b, fr->end_block);
        fr->end_reached = true;
    }
    f->stack_count = fr->height;
    f->frame_count--;
    LLVMPositionBuilderAtEnd(f->b, fr->end_block);
    if (f->frame_count == 0)
        return true;  /* the body's end: the caller finishes the block */
    if (!fr->end_reached) {
        /* Nothing reaches the end: what follows is dead too. */
        LLVMBuildUnreachable(f->b);
        set_unreachable(f);
        return true;
    }
    for (uint32_t i = 0; i < fr->result_count; i++)
        if (!welf_lower_push(f, fr->end_phis[i]))
            return false;
    return true;
}

static bool lower_br(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_frame *target = &f->frames[f->frame_count - 1 - in->u.index];
    if (in->op == WELF_OP_BR) {
        branch_to(f, target);
        LLVMBuildBr(f->b, target->br_block);
        set_unreachable(f);
        return true;
    }
    LLVMValueRef c = welf_lower_pop(f, f->lm->t_i32);
    LLVMValueRef cond = LLVMBuildICmp(f->b, LLVMIntNE, c,
                                      LLVMConstInt(f->lm->t_i32, 0, 0), "");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(f->lm->ctx, f->fn,
                                                           "br_if.cont");
    branch_to(f, target);
    LLVMBuildCondBr(f->b, cond, target->br_block, cont);
    LLVMPositionBuilderAtEnd(f->b, cont);
    return true;
}

static bool lower_br_table(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef index = welf_lower_pop(f, lm->t_i32);
    uint32_t n = in->u.br_table.count;
    welf_lower_frame *dflt =
        &f->frames[f->frame_count - 1 - in->u.br_table.default_label];
    LLVMValueRef sw = LLVMBuildSwitch(f->b, index, dflt->br_block, n);
    /* LLVM counts every switch edge as a predecessor, duplicates
     * included, so each case adds its incoming values. */
    branch_to(f, dflt);
    welf_reader r;
    welf_reader_init(&r, lm->m->bytes, in->u.br_table.targets,
                     lm->m->bytes + lm->m->size_bytes, lm->err);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t depth;
        if (!welf_read_u32(&r, &depth))
            return false;
        welf_lower_frame *t = &f->frames[f->frame_count - 1 - depth];
        LLVMAddCase(sw, LLVMConstInt(lm->t_i32, i, 0), t->br_block);
        branch_to(f, t);
    }
    set_unreachable(f);
    return true;
}

/* ---- calls ---- */

/* Pops a call's arguments into args[2..] after the two vmctx slots. */
bool welf_lower_type_padded(const welf_functype *ft)
{
    /* The System V classification tailcc uses: the two context pointers
     * and integers in six registers, floats and vectors in eight, the
     * rest in 8-byte stack slots, a v128 in two on a 16-byte boundary. */
    unsigned gprs = 2, xmms = 0;
    uint64_t stack = 0;
    bool v128_on_stack = false;
    for (uint32_t i = 0; i < ft->param_count; i++) {
        switch (ft->params[i]) {
        case WELF_VT_F32:
        case WELF_VT_F64:
            if (xmms < 8)
                xmms++;
            else
                stack += 8;
            break;
        case WELF_VT_V128:
            if (xmms < 8) {
                xmms++;
            } else {
                stack = (stack + 15) & ~(uint64_t)15;
                stack += 16;
                v128_on_stack = true;
            }
            break;
        default:
            if (gprs < 6)
                gprs++;
            else
                stack += 8;
            break;
        }
    }
    return v128_on_stack && stack % 16 == 8;
}

unsigned welf_lower_arity(const welf_functype *ft)
{
    return ft->param_count + 2 + (welf_lower_type_padded(ft) ? 1 : 0);
}

static LLVMValueRef *call_args(welf_lower_fn *f, const welf_functype *ft,
                               LLVMValueRef callee_vm)
{
    LLVMValueRef *args = welf_arena_alloc(f->arena, (ft->param_count + 3) *
                                                        sizeof *args);
    if (!args)
        return NULL;
    args[0] = callee_vm;
    args[1] = f->vmctx;
    for (uint32_t i = ft->param_count; i-- > 0;)
        args[2 + i] = welf_lower_pop(f, welf_lower_type(f->lm,
                                                        ft->params[i]));
    if (welf_lower_type_padded(ft))
        args[2 + ft->param_count] = LLVMGetUndef(f->lm->t_f64);
    return args;
}

static LLVMAttributeRef swiftself(welf_lower_module *lm)
{
    unsigned kind = LLVMGetEnumAttributeKindForName("swiftself", 9);
    return LLVMCreateEnumAttribute(lm->ctx, kind, 0);
}

void welf_lower_set_internal_cc(welf_lower_module *lm, LLVMValueRef fn)
{
    LLVMSetFunctionCallConv(fn, WELF_CC_INTERNAL);
    /* Attribute index 1 is the first parameter, the callee vmctx. */
    LLVMAddAttributeAtIndex(fn, 1, swiftself(lm));
}

void welf_lower_set_call_cc(welf_lower_module *lm, LLVMValueRef call,
                            unsigned cc)
{
    LLVMSetInstructionCallConv(call, cc);
    if (cc == WELF_CC_INTERNAL)
        LLVMAddCallSiteAttribute(call, 1, swiftself(lm));
}

/* Pushes a call's results, or returns them for a tail call. `cc` is the
 * callee's convention. */
static bool finish_call(welf_lower_fn *f, const welf_functype *ft,
                        LLVMValueRef call, unsigned cc, bool tail)
{
    welf_lower_set_call_cc(f->lm, call, cc);
    if (tail) {
        f->has_tail_call = true;
        LLVMSetTailCallKind(call, LLVMTailCallKindTail);
        if (ft->result_count == 0)
            LLVMBuildRetVoid(f->b);
        else
            LLVMBuildRet(f->b, call);
        set_unreachable(f);
        return true;
    }
    if (ft->result_count == 1)
        return welf_lower_push(f, call);
    for (uint32_t i = 0; i < ft->result_count; i++)
        if (!welf_lower_push(f, LLVMBuildExtractValue(f->b, call, i, "")))
            return false;
    return true;
}

/* Calls through a funcref record: ref->wasm_call(ref->vmctx, vmctx, ...). */
static bool call_funcref(welf_lower_fn *f, const welf_functype *ft,
                         LLVMTypeRef fty, LLVMValueRef ref, bool tail)
{
    LLVMValueRef code = welf_lower_load_ptr(
        f, ref, offsetof(welf_funcref, wasm_call), "wasm_call");
    LLVMValueRef vm = welf_lower_load_ptr(f, ref,
                                          offsetof(welf_funcref, vmctx),
                                          "callee_vmctx");
    LLVMValueRef *args = call_args(f, ft, vm);
    if (!args)
        return nomem(f);
    LLVMValueRef call = LLVMBuildCall2(f->b, fty, code, args,
                                       welf_lower_arity(ft), "");
    return finish_call(f, ft, call, WELF_CC_WASM, tail);
}

LLVMValueRef welf_lower_vm_elem(welf_lower_fn *f, unsigned field,
                                uint32_t index, const char *name)
{
    LLVMValueRef arr = welf_lower_load_ptr(f, f->vmctx, field, name);
    return welf_lower_load_ptr(f, arr, index * 8u, name);
}

static bool lower_call(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    bool tail = in->op == WELF_OP_RETURN_CALL;
    uint32_t callee = in->u.index;
    uint32_t type_index = lm->m->funcs[callee].type_index;
    const welf_functype *ft = &lm->m->types[type_index];
    LLVMTypeRef fty = lm->func_types[type_index];
    if (lm->funcs[callee]) {
        LLVMValueRef *args = call_args(f, ft, f->vmctx);
        if (!args)
            return nomem(f);
        LLVMValueRef call = LLVMBuildCall2(f->b, fty, lm->funcs[callee],
                                           args, welf_lower_arity(ft), "");
        /* A return_call's callee keeps the wasm convention (see
         * WELF_CC_INTERNAL), as does its caller. */
        return finish_call(f, ft, call,
                           lm->internal[callee] ? WELF_CC_INTERNAL
                                                : WELF_CC_WASM,
                           tail);
    }
    LLVMValueRef ref = welf_lower_vm_elem(f, offsetof(welf_vmctx, funcs),
                                          callee, "import");
    return call_funcref(f, ft, fty, ref, tail);
}

/* call_indirect: bounds, null and signature checks, then the call. */
static bool lower_call_indirect(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    bool tail = in->op == WELF_OP_RETURN_CALL_INDIRECT;
    uint32_t type_index = in->u.call_indirect.type_index;
    const welf_functype *ft = &lm->m->types[type_index];
    LLVMValueRef index = welf_lower_pop(f, lm->t_i32);
    LLVMValueRef table = welf_lower_vm_elem(f, offsetof(welf_vmctx, tables),
                                       in->u.call_indirect.table_index,
                                       "table");
    LLVMValueRef size_p = LLVMBuildInBoundsGEP2(
        f->b, lm->t_i8, table,
        (LLVMValueRef[]){LLVMConstInt(lm->t_i64,
                                      offsetof(welf_table_rt, size), 0)},
        1, "");
    LLVMValueRef size = LLVMBuildLoad2(f->b, lm->t_i32, size_p, "size");
    welf_lower_trap_if_detail(f, LLVMBuildICmp(f->b, LLVMIntUGE, index,
                                               size, ""),
                              WELF_TRAP_UNDEFINED_ELEMENT, index);
    LLVMValueRef elems = welf_lower_load_ptr(
        f, table, offsetof(welf_table_rt, elems), "elems");
    LLVMValueRef idx64 = LLVMBuildZExt(f->b, index, lm->t_i64, "");
    LLVMValueRef slot = LLVMBuildInBoundsGEP2(f->b, lm->t_ptr, elems,
                                              &idx64, 1, "");
    LLVMValueRef ref = LLVMBuildLoad2(f->b, lm->t_ptr, slot, "ref");
    welf_lower_trap_if_detail(f, LLVMBuildIsNull(f->b, ref, ""),
                              WELF_TRAP_INDIRECT_NULL, index);
    LLVMValueRef id_p = LLVMBuildInBoundsGEP2(
        f->b, lm->t_i8, ref,
        (LLVMValueRef[]){LLVMConstInt(lm->t_i64,
                                      offsetof(welf_funcref, type_id), 0)},
        1, "");
    LLVMValueRef id = LLVMBuildLoad2(f->b, lm->t_i32, id_p, "type_id");
    LLVMValueRef ids = welf_lower_load_ptr(
        f, f->vmctx, offsetof(welf_vmctx, type_ids), "type_ids");
    LLVMValueRef want_p = LLVMBuildInBoundsGEP2(
        f->b, lm->t_i32, ids,
        (LLVMValueRef[]){LLVMConstInt(lm->t_i64, type_index, 0)}, 1, "");
    LLVMValueRef want = LLVMBuildLoad2(f->b, lm->t_i32, want_p, "want");
    welf_lower_trap_if(f, LLVMBuildICmp(f->b, LLVMIntNE, id, want, ""),
                       WELF_TRAP_INDIRECT_TYPE);
    return call_funcref(f, ft, lm->func_types[type_index], ref, tail);
}

/* ---- variables ---- */

static LLVMValueRef global_cell(welf_lower_fn *f, uint32_t index)
{
    return welf_lower_vm_elem(f, offsetof(welf_vmctx, globals), index,
                              "global");
}

static bool lower_variable(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    uint32_t i = in->u.index;
    LLVMValueRef v;
    LLVMTypeRef t;
    switch (in->op) {
    case WELF_OP_LOCAL_GET:
        t = welf_lower_type(lm, f->local_types[i]);
        return welf_lower_push(f, LLVMBuildLoad2(f->b, t, f->locals[i], ""));
    case WELF_OP_LOCAL_SET:
        t = welf_lower_type(lm, f->local_types[i]);
        LLVMBuildStore(f->b, welf_lower_pop(f, t), f->locals[i]);
        return true;
    case WELF_OP_LOCAL_TEE:
        t = welf_lower_type(lm, f->local_types[i]);
        v = welf_lower_pop(f, t);
        LLVMBuildStore(f->b, v, f->locals[i]);
        return welf_lower_push(f, v);
    case WELF_OP_GLOBAL_GET:
        t = welf_lower_type(lm, lm->m->globals[i].type.type);
        return welf_lower_push(f, LLVMBuildLoad2(f->b, t,
                                                 global_cell(f, i), ""));
    case WELF_OP_GLOBAL_SET:
        t = welf_lower_type(lm, lm->m->globals[i].type.type);
        v = welf_lower_pop(f, t);
        LLVMBuildStore(f->b, v, global_cell(f, i));
        return true;
    }
    welf_unreachable();
}

static bool lower_parametric(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    if (in->op == WELF_OP_DROP) {
        /* LLVM deletes a load whose value is unused, but in wasm the
         * access may trap: a dropped load stays, as a volatile one. */
        LLVMValueRef v = f->stack[--f->stack_count];
        if (LLVMIsAZExtInst(v) || LLVMIsASExtInst(v))
            v = LLVMGetOperand(v, 0); /* a narrow load, extended */
        if (LLVMIsALoadInst(v))
            LLVMSetVolatile(v, 1);
        return true;
    }
    LLVMValueRef c = welf_lower_pop(f, lm->t_i32);
    LLVMValueRef b = f->stack[--f->stack_count];
    LLVMValueRef a = f->stack[--f->stack_count];
    LLVMValueRef cond = LLVMBuildICmp(f->b, LLVMIntNE, c,
                                      LLVMConstInt(lm->t_i32, 0, 0), "");
    return welf_lower_push(f, LLVMBuildSelect(f->b, cond, a, b, ""));
}

/* ---- the instruction loop ---- */

/* Skips dead code: only nesting matters until the frame's else/end. */
static bool lower_dead(welf_lower_fn *f, const welf_instr *in)
{
    switch (in->op) {
    case WELF_OP_BLOCK:
    case WELF_OP_LOOP:
    case WELF_OP_IF: {
        welf_lower_frame *fr = frame_push(f, in->op);
        if (!fr)
            return false;
        fr->dead = true;
        fr->unreachable = true;
        return true;
    }
    case WELF_OP_ELSE:
        return lower_else(f);
    case WELF_OP_END:
        return lower_end(f);
    default:
        return true;
    }
}

static bool lower_instr(welf_lower_fn *f, const welf_instr *in)
{
    if (top(f)->unreachable)
        return lower_dead(f, in);
    switch (in->op) {
    case WELF_OP_UNREACHABLE:
        welf_lower_trap(f, WELF_TRAP_UNREACHABLE);
        set_unreachable(f);
        return true;
    case WELF_OP_NOP:
        return true;
    case WELF_OP_BLOCK:
    case WELF_OP_LOOP:
    case WELF_OP_IF:
        return lower_block(f, in);
    case WELF_OP_ELSE:
        return lower_else(f);
    case WELF_OP_END:
        return lower_end(f);
    case WELF_OP_BR:
    case WELF_OP_BR_IF:
        return lower_br(f, in);
    case WELF_OP_BR_TABLE:
        return lower_br_table(f, in);
    case WELF_OP_RETURN:
        branch_to(f, &f->frames[0]);
        LLVMBuildBr(f->b, f->frames[0].br_block);
        set_unreachable(f);
        return true;
    case WELF_OP_CALL:
    case WELF_OP_RETURN_CALL:
        return lower_call(f, in);
    case WELF_OP_CALL_INDIRECT:
    case WELF_OP_RETURN_CALL_INDIRECT:
        return lower_call_indirect(f, in);
    case WELF_OP_DROP:
    case WELF_OP_SELECT:
    case WELF_OP_SELECT_T:
        return lower_parametric(f, in);
    case WELF_OP_LOCAL_GET:
    case WELF_OP_LOCAL_SET:
    case WELF_OP_LOCAL_TEE:
    case WELF_OP_GLOBAL_GET:
    case WELF_OP_GLOBAL_SET:
        return lower_variable(f, in);
    default:
        break;
    }
    if (in->op >= WELF_OP_PREFIX_FD)
        return welf_lower_simd(f, in);
    if (welf_lower_is_numeric(in->op))
        return welf_lower_numeric(f, in);
    switch ((welf_imm)welf_opinfos[in->op].imm) {
    case WELF_IMM_MEMARG:
    case WELF_IMM_MEMIDX:
    case WELF_IMM_MEMORY_INIT:
    case WELF_IMM_MEMORY_COPY:
    case WELF_IMM_DATA:
        return welf_lower_memory(f, in);
    default:
        return welf_lower_table(f, in);
    }
}

LLVMValueRef *welf_lower_expr(welf_lower_fn *f, uint32_t start, uint32_t end,
                              const welf_valtype *results, uint32_t n)
{
    welf_lower_module *lm = f->lm;
    f->stack_count = 0;
    f->frame_count = 0;
    welf_lower_frame *fr = frame_push(f, WELF_OP_END);
    if (!fr)
        return NULL;
    fr->results = results;
    fr->result_count = n;
    fr->end_block = LLVMAppendBasicBlockInContext(lm->ctx, f->fn, "return");
    fr->end_phis = phis_new(f, fr->end_block, results, n);
    if (!fr->end_phis) {
        nomem(f);
        return NULL;
    }
    fr->br_block = fr->end_block;
    fr->br_phis = fr->end_phis;
    LLVMValueRef *phis = fr->end_phis;
    LLVMBasicBlockRef ret = fr->end_block;

    welf_reader r;
    welf_reader_init(&r, lm->m->bytes, lm->m->bytes + start,
                     lm->m->bytes + end, lm->err);
    welf_instr in;
    while (f->frame_count > 0) {
        if (!welf_instr_read(&r, lm->m->features, &in))
            return NULL;
        if (f->debug)
            welf_debug_locate(f->debug, f->b, in.offset);
        if (!lower_instr(f, &in))
            return NULL;
    }
    LLVMPositionBuilderAtEnd(f->b, ret);
    return phis;
}
