/*
 * compile.c — the compiler pipeline from a validated module to an ELF
 * relocatable object, in one function (welf_compile) that reads top to
 * bottom: set up an LLVM module, declare the functions, lower their
 * bodies, add entry trampolines, stubs and constant-expression
 * initialisers, build the descriptor (descriptor.c), optimise, emit.
 *
 * Calling conventions (runtime/abi.h): wasm functions use LLVM's tailcc
 * (so return_call is a guaranteed tail call) with (callee vmctx, caller
 * vmctx, params...) and return void, one value or a struct of values;
 * those only called directly use the internal convention (lower.h)
 * behind a wasm entry thunk. Array entries, initialisers and builtins
 * use the C convention.
 */
#include "compile.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debuginfo.h"
#include "elf_merge.h"
#include "linetable.h"

void welf_compile_options_init(welf_compile_options *o)
{
    memset(o, 0, sizeof *o);
    o->opt_level = 2;
}

static pthread_once_t llvm_once = PTHREAD_ONCE_INIT;

static void llvm_init(void)
{
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
}

static bool fail(welf_lower_module *lm, welf_status code, const char *fmt,
                 ...) WELF_PRINTF(3, 4);

static bool fail(welf_lower_module *lm, welf_status code, const char *fmt,
                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    welf_error_setv(lm->err, code, WELF_NO_OFFSET, fmt, ap);
    va_end(ap);
    return false;
}

static void add_attr(welf_lower_module *lm, LLVMValueRef fn,
                     const char *name)
{
    unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(lm->ctx, kind, 0));
}

static LLVMValueRef add_function(welf_lower_module *lm, const char *name,
                                 LLVMTypeRef type, const char *section,
                                 bool tailcc)
{
    LLVMValueRef fn = LLVMAddFunction(lm->mod, name, type);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    LLVMSetSection(fn, section);
    if (tailcc)
        LLVMSetFunctionCallConv(fn, WELF_CC_WASM);
    add_attr(lm, fn, "nounwind");
    if (lm->eh_frame) {
        /* uwtable(async): .eh_frame entries for unwinders, debuggers and
         * profilers; nounwind stays, nothing unwinds through wasm. */
        unsigned kind = LLVMGetEnumAttributeKindForName("uwtable", 7);
        LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                LLVMCreateEnumAttribute(lm->ctx, kind, 2));
    }
    /* Objects have no undefined symbols: LLVM must not turn loops into
     * calls to memset/memcpy. */
    LLVMAddTargetDependentFunctionAttr(fn, "no-builtins", "");
    return fn;
}

/* The LLVM type of a function of wasm type `ft` in the wasm convention. */
static LLVMTypeRef wasm_fn_type(welf_lower_module *lm, const welf_functype *ft)
{
    uint32_t np = ft->param_count;
    LLVMTypeRef *params = welf_malloc((np + 3) * sizeof *params);
    LLVMTypeRef *results = welf_malloc((ft->result_count + 1) *
                                       sizeof *results);
    if (!params || !results) {
        welf_free(params);
        welf_free(results);
        return NULL;
    }
    params[0] = params[1] = lm->t_ptr;
    for (uint32_t i = 0; i < np; i++)
        params[2 + i] = welf_lower_type(lm, ft->params[i]);
    for (uint32_t i = 0; i < ft->result_count; i++)
        results[i] = welf_lower_type(lm, ft->results[i]);
    LLVMTypeRef ret = ft->result_count == 0 ? lm->t_void
                      : ft->result_count == 1
                          ? results[0]
                          : LLVMStructTypeInContext(lm->ctx, results,
                                                    ft->result_count, 0);
    /* See welf_lower_type_padded. */
    if (welf_lower_type_padded(ft))
        params[2 + np] = lm->t_f64;
    LLVMTypeRef ty = LLVMFunctionType(ret, params, welf_lower_arity(ft), 0);
    welf_free(params);
    welf_free(results);
    return ty;
}

/* Symbol-safe copy of a name-section name, or wasm_function_N. */
static void function_symbol(const welf_wasm *m, uint32_t index, char *buf,
                            size_t size)
{
    const welf_name *n = m->func_names ? &m->func_names[index] : NULL;
    if (!n || n->len == 0) {
        snprintf(buf, size, "wasm_function_%u", index);
        return;
    }
    size_t k = 0;
    for (uint32_t i = 0; i < n->len && k + 1 < size; i++) {
        uint8_t c = n->bytes[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '$';
        buf[k++] = ok ? (char)c : '_';
    }
    buf[k] = '\0';
}

typedef struct named {
    const char *name;
    uint32_t index;
} named;

static int compare_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index < y->index ? -1 : x->index > y->index);
}

/*
 * One unique symbol per defined function: the name section's name made
 * symbol-safe, with ".N" (the function index) added to every name that
 * is not unique (or that could clash with welf's own symbols), so chunks
 * compiled apart agree on every name.
 */
static bool plan_symbols(welf_compile_plan *p, welf_arena *arena)
{
    const welf_wasm *m = p->m;
    uint32_t n = m->func_count - m->func_import_count;
    p->symbols = welf_arena_calloc(arena, m->func_count + 1, sizeof(char *));
    named *order = welf_malloc((n + 1) * sizeof *order);
    bool *dup = welf_malloc(n + 1);
    if (!p->symbols || !order || !dup) {
        welf_free(order);
        welf_free(dup);
        return false;
    }
    char buf[200];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = m->func_import_count + k;
        function_symbol(m, i, buf, sizeof buf - 16);
        size_t len = strlen(buf);
        if (!(p->symbols[i] = welf_arena_alloc(arena, len + 16))) {
            welf_free(order);
            welf_free(dup);
            return false;
        }
        memcpy(p->symbols[i], buf, len + 1);
        order[k] = (named){p->symbols[i], i};
    }
    qsort(order, n, sizeof *order, compare_named);
    for (uint32_t k = 0; k < n; k++)
        dup[k] = (k > 0 && strcmp(order[k - 1].name, order[k].name) == 0) ||
                 (k + 1 < n && strcmp(order[k + 1].name, order[k].name) == 0) ||
                 strncmp(order[k].name, "welf_", 5) == 0;
    for (uint32_t k = 0; k < n; k++) {
        char *sym = p->symbols[order[k].index];
        if (dup[k])
            snprintf(sym + strlen(sym), 16, ".%u", order[k].index);
    }
    welf_free(order);
    welf_free(dup);
    return true;
}

static bool setup_module(welf_lower_module *lm, const welf_wasm *m,
                         welf_compile_state *cs)
{
    lm->m = m;
    lm->precise_traps = cs->plan->precise_traps;
    lm->eh_frame = cs->plan->eh_frame;
    lm->ctx = LLVMContextCreate();
    lm->mod = LLVMModuleCreateWithNameInContext("wasm", lm->ctx);
    LLVMSetTarget(lm->mod, WELF_LLVM_TRIPLE);
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(cs->tm);
    char *layout = LLVMCopyStringRepOfTargetData(td);
    LLVMSetDataLayout(lm->mod, layout);
    LLVMDisposeMessage(layout);
    LLVMDisposeTargetData(td);

    lm->t_void = LLVMVoidTypeInContext(lm->ctx);
    lm->t_i1 = LLVMInt1TypeInContext(lm->ctx);
    lm->t_i8 = LLVMInt8TypeInContext(lm->ctx);
    lm->t_i16 = LLVMInt16TypeInContext(lm->ctx);
    lm->t_i32 = LLVMInt32TypeInContext(lm->ctx);
    lm->t_i64 = LLVMInt64TypeInContext(lm->ctx);
    lm->t_f32 = LLVMFloatTypeInContext(lm->ctx);
    lm->t_f64 = LLVMDoubleTypeInContext(lm->ctx);
    lm->t_v128 = LLVMVectorType(lm->t_i64, 2);
    lm->t_ptr = LLVMPointerTypeInContext(lm->ctx, 0);
    lm->trap_type = LLVMFunctionType(
        lm->t_void, (LLVMTypeRef[]){lm->t_ptr, lm->t_i32, lm->t_i32}, 3, 0);

    lm->func_types = welf_arena_calloc(&cs->arena, m->type_count + 1,
                                       sizeof *lm->func_types);
    lm->funcs = welf_arena_calloc(&cs->arena, m->func_count + 1,
                                  sizeof *lm->funcs);
    if (!lm->func_types || !lm->funcs)
        return fail(lm, WELF_ERR_NOMEM, "out of memory");
    for (uint32_t t = 0; t < m->type_count; t++)
        if (!(lm->func_types[t] = wasm_fn_type(lm, &m->types[t])))
            return fail(lm, WELF_ERR_NOMEM, "out of memory");
    /* One chunk: every function is internal to the object. Several:
     * a chunk defines its own functions and declares the others, all
     * hidden globals that the merge resolves and makes local. */
    const welf_compile_plan *p = cs->plan;
    lm->internal = p->internal;
    for (uint32_t i = m->func_import_count; i < m->func_count; i++) {
        LLVMTypeRef ty = lm->func_types[m->funcs[i].type_index];
        bool here = i >= cs->first && i < cs->end;
        LLVMValueRef fn;
        if (!p->multi) {
            fn = add_function(lm, p->symbols[i], ty, ".text.wasm", true);
        } else if (here) {
            fn = add_function(lm, p->symbols[i], ty, ".text.wasm", true);
            LLVMSetLinkage(fn, LLVMExternalLinkage);
            LLVMSetVisibility(fn, LLVMHiddenVisibility);
        } else {
            fn = LLVMAddFunction(lm->mod, p->symbols[i], ty);
            LLVMSetFunctionCallConv(fn, WELF_CC_WASM);
            LLVMSetVisibility(fn, LLVMHiddenVisibility);
        }
        if (p->internal[i])
            welf_lower_set_internal_cc(lm, fn);
        lm->funcs[i] = fn;
    }
    return true;
}

/* Sets up f for a new LLVM function: entry block, vmctx, memory base. */
static void fn_begin(welf_lower_fn *f, welf_lower_module *lm, LLVMValueRef fn,
                     welf_arena *arena)
{
    f->lm = lm;
    f->arena = arena;
    f->fn = fn;
    f->vmctx = LLVMGetParam(fn, 0);
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(lm->ctx, fn,
                                                            "entry");
    LLVMPositionBuilderAtEnd(f->b, entry);
    f->memory0_base = lm->m->memory_count
                          ? welf_lower_load_ptr(
                                f, f->vmctx,
                                offsetof(welf_vmctx, memory0_base), "mem0")
                          : LLVMConstPointerNull(lm->t_ptr);
}

/* Traps with "call stack exhausted" when the stack pointer is below
 * vmctx->call_state->stack_limit. */
static void stack_check(welf_lower_fn *f)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef frame = welf_lower_intrinsic(
        f, "llvm.frameaddress", &lm->t_ptr, 1,
        (LLVMValueRef[]){LLVMConstInt(lm->t_i32, 0, 0)}, 1);
    LLVMValueRef sp = LLVMBuildPtrToInt(f->b, frame, lm->t_i64, "sp");
    LLVMValueRef state = welf_lower_load_ptr(
        f, f->vmctx, offsetof(welf_vmctx, call_state), "call_state");
    LLVMValueRef limit = LLVMBuildLoad2(f->b, lm->t_i64, state, "limit");
    welf_lower_trap_if(f, LLVMBuildICmp(f->b, LLVMIntULT, sp, limit, ""),
                       WELF_TRAP_STACK_EXHAUSTED);
}

static LLVMValueRef zero_of(welf_lower_module *lm, welf_valtype t)
{
    LLVMTypeRef ty = welf_lower_type(lm, t);
    return LLVMConstNull(ty);
}

/* Builds `ret` of the given values in the current block. */
static void build_return(welf_lower_fn *f, const welf_functype *ft,
                         LLVMValueRef *vals)
{
    if (ft->result_count == 0) {
        LLVMBuildRetVoid(f->b);
        return;
    }
    if (ft->result_count == 1) {
        LLVMBuildRet(f->b, vals[0]);
        return;
    }
    LLVMTypeRef rt = LLVMGetReturnType(LLVMGlobalGetValueType(f->fn));
    LLVMValueRef agg = LLVMGetUndef(rt);
    for (uint32_t i = 0; i < ft->result_count; i++)
        agg = LLVMBuildInsertValue(f->b, agg, vals[i], i, "");
    LLVMBuildRet(f->b, agg);
}

/* Ends every block left open (the continuation of an unconditional trap
 * when nothing follows it) with `unreachable`. */
static void seal_blocks(LLVMBuilderRef b, LLVMValueRef fn)
{
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb;
         bb = LLVMGetNextBasicBlock(bb)) {
        if (!LLVMGetBasicBlockTerminator(bb)) {
            LLVMPositionBuilderAtEnd(b, bb);
            LLVMBuildUnreachable(b);
        }
    }
}

static bool lower_function(welf_lower_fn *f, welf_lower_module *lm,
                           uint32_t index, welf_arena *arena)
{
    const welf_wasm *m = lm->m;
    const welf_func *fd = &m->funcs[index];
    const welf_functype *ft = &m->types[fd->type_index];
    /* -g: the subprogram and a location before the first instruction. */
    size_t symbol_len;
    f->debug = lm->debug;
    if (f->debug)
        welf_debug_function_begin(
            f->debug, f->b, lm->funcs[index], index,
            LLVMGetValueName2(lm->funcs[index], &symbol_len));
    fn_begin(f, lm, lm->funcs[index], arena);
    f->func_index = index;
    f->has_tail_call = false;
    f->type = ft;
    uint32_t n = ft->param_count + fd->local_count;
    f->local_count = n;
    f->locals = welf_arena_alloc(arena, (n + 1) * sizeof *f->locals);
    f->local_types = welf_arena_alloc(arena, n + 1);
    if (!f->locals || !f->local_types)
        return fail(lm, WELF_ERR_NOMEM, "out of memory");
    uint32_t k = 0;
    for (uint32_t i = 0; i < ft->param_count; i++)
        f->local_types[k++] = ft->params[i];
    for (uint32_t g = 0; g < fd->local_group_count; g++)
        for (uint32_t i = 0; i < fd->local_groups[g].count; i++)
            f->local_types[k++] = fd->local_groups[g].type;
    for (uint32_t i = 0; i < n; i++) {
        f->locals[i] = LLVMBuildAlloca(
            f->b, welf_lower_type(lm, f->local_types[i]), "");
        LLVMValueRef init = i < ft->param_count
                                ? LLVMGetParam(f->fn, 2 + i)
                                : zero_of(lm, f->local_types[i]);
        LLVMBuildStore(f->b, init, f->locals[i]);
    }
    stack_check(f);
    LLVMValueRef *vals = welf_lower_expr(f, fd->code_offset, fd->code_end,
                                         ft->results, ft->result_count);
    if (!vals) {
        lm->err->func_index = index;
        return false;
    }
    build_return(f, ft, vals);
    seal_blocks(f->b, f->fn);
    if (f->debug)
        welf_debug_function_end(f->debug, f->b);
    f->debug = NULL;
    if (!f->has_tail_call) {
        /* Keeps LLVM from turning recursion into loops (tail recursion
         * elimination), which would make runaway recursion spin instead
         * of exhausting the stack as wasm engines do, and keeps frames
         * for backtraces. Functions with return_call need the backend's
         * tail calls, so they keep them. */
        LLVMAddTargetDependentFunctionAttr(f->fn, "disable-tail-calls",
                                           "true");
    }
    if (LLVMVerifyFunction(f->fn, LLVMReturnStatusAction)) {
        if (getenv("WELF_DEBUG_IR"))
            LLVMDumpValue(f->fn);
        return fail(lm, WELF_ERR_USAGE,
                    "internal error: invalid LLVM IR for function %u", index);
    }
    return true;
}

/* ---- entry trampolines, stubs and initialisers ---- */

static LLVMTypeRef array_fn_type(welf_lower_module *lm)
{
    return LLVMFunctionType(
        lm->t_void,
        (LLVMTypeRef[]){lm->t_ptr, lm->t_ptr, lm->t_ptr, lm->t_i64}, 4, 0);
}

static LLVMValueRef slot(welf_lower_fn *f, LLVMValueRef array, uint32_t i)
{
    LLVMValueRef off = LLVMConstInt(f->lm->t_i64, (uint64_t)i * 16, 0);
    return LLVMBuildInBoundsGEP2(f->b, f->lm->t_i8, array, &off, 1, "");
}

/* Array entry: void (callee, caller, welf_val_raw *args, size_t len). */
static LLVMValueRef build_array_entry(welf_lower_module *lm,
                                      welf_compile_state *cs,
                                      LLVMBuilderRef b, uint32_t index)
{
    const welf_functype *ft = &lm->m->types[lm->m->funcs[index].type_index];
    char name[240];
    snprintf(name, sizeof name, "%s.array", cs->plan->symbols[index]);
    LLVMValueRef fn = add_function(lm, name, array_fn_type(lm),
                                   ".text.welf.array", false);
    welf_lower_fn f = {.lm = lm, .b = b, .fn = fn};
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(lm->ctx, fn,
                                                              "entry"));
    if (lm->debug)
        welf_debug_artificial_begin(lm->debug, b, fn, name);
    LLVMValueRef args_p = LLVMGetParam(fn, 2);
    LLVMValueRef *args = welf_malloc((ft->param_count + 3) * sizeof *args);
    if (!args) {
        fail(lm, WELF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    args[0] = LLVMGetParam(fn, 0);
    args[1] = LLVMGetParam(fn, 1);
    for (uint32_t i = 0; i < ft->param_count; i++)
        args[2 + i] = LLVMBuildLoad2(b, welf_lower_type(lm, ft->params[i]),
                                     slot(&f, args_p, i), "");
    if (welf_lower_type_padded(ft))
        args[2 + ft->param_count] = LLVMGetUndef(lm->t_f64);
    LLVMTypeRef fty = lm->func_types[lm->m->funcs[index].type_index];
    LLVMValueRef call = LLVMBuildCall2(b, fty, lm->funcs[index], args,
                                       welf_lower_arity(ft), "");
    welf_free(args);
    welf_lower_set_call_cc(lm, call, WELF_CC_WASM);
    for (uint32_t i = 0; i < ft->result_count; i++) {
        LLVMValueRef v = ft->result_count == 1
                             ? call
                             : LLVMBuildExtractValue(b, call, i, "");
        LLVMBuildStore(b, v, slot(&f, args_p, i));
    }
    LLVMBuildRetVoid(b);
    if (lm->debug)
        welf_debug_function_end(lm->debug, b);
    return fn;
}

/* Wasm-to-array stub for type t: spills the arguments into an array and
 * calls ((welf_funcref *)callee)->array_call. */
static LLVMValueRef build_wasm_to_array(welf_lower_module *lm,
                                        LLVMBuilderRef b, uint32_t t)
{
    const welf_functype *ft = &lm->m->types[t];
    char name[64];
    snprintf(name, sizeof name, "welf_wasm_to_array_%u", t);
    LLVMValueRef fn = add_function(lm, name, lm->func_types[t],
                                   ".text.welf.wasm2array", true);
    welf_lower_fn f = {.lm = lm, .b = b, .fn = fn};
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(lm->ctx, fn,
                                                              "entry"));
    uint32_t slots = ft->param_count > ft->result_count ? ft->param_count
                                                        : ft->result_count;
    LLVMTypeRef arr_ty = LLVMArrayType(lm->t_i8, (slots ? slots : 1) * 16);
    LLVMValueRef arr = LLVMBuildAlloca(b, arr_ty, "args");
    LLVMSetAlignment(arr, 16);
    for (uint32_t i = 0; i < ft->param_count; i++)
        LLVMBuildStore(b, LLVMGetParam(fn, 2 + i), slot(&f, arr, i));
    LLVMValueRef callee = LLVMGetParam(fn, 0);
    f.vmctx = callee;
    LLVMValueRef target = welf_lower_load_ptr(
        &f, callee, offsetof(welf_funcref, array_call), "array_call");
    LLVMValueRef args[4] = {callee, LLVMGetParam(fn, 1), arr,
                            LLVMConstInt(lm->t_i64, slots, 0)};
    LLVMBuildCall2(b, array_fn_type(lm), target, args, 4, "");
    LLVMValueRef *vals = welf_malloc((ft->result_count + 1) * sizeof *vals);
    if (!vals) {
        fail(lm, WELF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < ft->result_count; i++)
        vals[i] = LLVMBuildLoad2(b, welf_lower_type(lm, ft->results[i]),
                                 slot(&f, arr, i), "");
    build_return(&f, ft, vals);
    welf_free(vals);
    return fn;
}

/* The C-convention type of functions of wasm type t, for native entries
 * and stubs: R (ptr callee, ptr caller, params...), at most one result. */
static LLVMTypeRef native_fn_type(welf_lower_module *lm, uint32_t t)
{
    LLVMTypeRef wasm = lm->func_types[t];
    unsigned n = LLVMCountParamTypes(wasm);
    LLVMTypeRef *params = welf_malloc((n + 1) * sizeof *params);
    if (!params)
        return NULL;
    LLVMGetParamTypes(wasm, params);
    /* The C convention has no padding parameter. */
    if (welf_lower_type_padded(&lm->m->types[t]))
        n--;
    LLVMTypeRef ty = LLVMFunctionType(LLVMGetReturnType(wasm), params, n, 0);
    welf_free(params);
    return ty;
}

/* Ends `from` with a call of `target` (type `ty`, convention `cc`) on
 * all of from's parameters, returning its result. */
static bool forward_call(welf_lower_module *lm, LLVMBuilderRef b,
                         LLVMValueRef from, LLVMTypeRef ty,
                         LLVMValueRef target, unsigned cc)
{
    /* The two conventions differ only by the wasm one's padding
     * parameter (welf_lower_type_padded): dropped going to C, undef
     * coming from it. */
    unsigned n_from = LLVMCountParams(from);
    unsigned n = LLVMCountParamTypes(ty);
    LLVMTypeRef *types = welf_malloc((n + 1) * sizeof *types);
    LLVMValueRef *args = welf_malloc((n + 1) * sizeof *args);
    if (!args || !types) {
        welf_free(types);
        welf_free(args);
        return fail(lm, WELF_ERR_NOMEM, "out of memory");
    }
    LLVMGetParamTypes(ty, types);
    for (unsigned i = 0; i < n; i++)
        args[i] = i < n_from ? LLVMGetParam(from, i) : LLVMGetUndef(types[i]);
    welf_free(types);
    LLVMValueRef call = LLVMBuildCall2(b, ty, target, args, n, "");
    welf_free(args);
    welf_lower_set_call_cc(lm, call, cc);
    if (LLVMGetTypeKind(LLVMGetReturnType(ty)) == LLVMVoidTypeKind)
        LLVMBuildRetVoid(b);
    else
        LLVMBuildRet(b, call);
    return true;
}

/* Native entry: R (callee, caller, params...) in the C convention,
 * calling the wasm function. None (not an error) for several results. */
static bool build_native_entry(welf_lower_module *lm, welf_compile_state *cs,
                               LLVMBuilderRef b, uint32_t index,
                               LLVMValueRef *out)
{
    uint32_t t = lm->m->funcs[index].type_index;
    *out = NULL;
    if (lm->m->types[t].result_count > 1)
        return true;
    LLVMTypeRef ty = native_fn_type(lm, t);
    if (!ty)
        return fail(lm, WELF_ERR_NOMEM, "out of memory");
    char name[240];
    snprintf(name, sizeof name, "%s.native", cs->plan->symbols[index]);
    *out = add_function(lm, name, ty, ".text.welf.native", false);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(lm->ctx, *out,
                                                              "entry"));
    if (lm->debug)
        welf_debug_artificial_begin(lm->debug, b, *out, name);
    bool ok = forward_call(lm, b, *out, lm->func_types[t], lm->funcs[index],
                           WELF_CC_WASM);
    if (lm->debug)
        welf_debug_function_end(lm->debug, b);
    return ok;
}

/* Wasm entry of a function with the internal convention: the wasm
 * convention in, a call of the body out; its funcref's wasm_call. */
static LLVMValueRef build_wasm_entry(welf_lower_module *lm,
                                     welf_compile_state *cs, LLVMBuilderRef b,
                                     uint32_t index)
{
    uint32_t t = lm->m->funcs[index].type_index;
    char name[240];
    snprintf(name, sizeof name, "%s.wasm", cs->plan->symbols[index]);
    LLVMValueRef fn = add_function(lm, name, lm->func_types[t],
                                   ".text.welf.wasm", true);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(lm->ctx, fn,
                                                              "entry"));
    if (lm->debug)
        welf_debug_artificial_begin(lm->debug, b, fn, name);
    bool ok = forward_call(lm, b, fn, lm->func_types[t], lm->funcs[index],
                           WELF_CC_INTERNAL);
    if (lm->debug)
        welf_debug_function_end(lm->debug, b);
    return ok ? fn : NULL;
}

/* Wasm-to-native stub for type t: the wasm convention in, a call of
 * ((welf_funcref *)callee)->native_call in the C convention out. None
 * for several results. */
static bool build_wasm_to_native(welf_lower_module *lm, LLVMBuilderRef b,
                                 uint32_t t, LLVMValueRef *out)
{
    *out = NULL;
    if (lm->m->types[t].result_count > 1)
        return true;
    LLVMTypeRef ty = native_fn_type(lm, t);
    if (!ty)
        return fail(lm, WELF_ERR_NOMEM, "out of memory");
    char name[64];
    snprintf(name, sizeof name, "welf_wasm_to_native_%u", t);
    *out = add_function(lm, name, lm->func_types[t],
                        ".text.welf.wasm2native", true);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(lm->ctx, *out,
                                                              "entry"));
    welf_lower_fn f = {.lm = lm, .b = b, .fn = *out};
    LLVMValueRef target = welf_lower_load_ptr(
        &f, LLVMGetParam(*out, 0), offsetof(welf_funcref, native_call),
        "native_call");
    return forward_call(lm, b, *out, ty, target, LLVMCCallConv);
}

/* An initialiser: void (vmctx, welf_val_raw *out) evaluating constant
 * expressions of type `type` into out[0 .. n). */
static LLVMValueRef build_init(welf_lower_module *lm, LLVMBuilderRef b,
                               welf_arena *arena, const char *name,
                               const welf_expr *exprs, uint32_t n,
                               welf_valtype type)
{
    LLVMTypeRef ty = LLVMFunctionType(
        lm->t_void, (LLVMTypeRef[]){lm->t_ptr, lm->t_ptr}, 2, 0);
    LLVMValueRef fn = add_function(lm, name, ty, ".text.welf.init", false);
    welf_lower_fn f = {.b = b};
    fn_begin(&f, lm, fn, arena);
    LLVMValueRef out = LLVMGetParam(fn, 1);
    for (uint32_t i = 0; i < n; i++) {
        LLVMValueRef *v = welf_lower_expr(&f, exprs[i].offset,
                                          exprs[i].offset + exprs[i].size_bytes,
                                          &type, 1);
        if (!v) {
            welf_free(f.stack);
            welf_free(f.frames);
            return NULL;
        }
        LLVMBuildStore(b, v[0], slot(&f, out, i));
    }
    LLVMBuildRetVoid(b);
    seal_blocks(b, fn);
    welf_free(f.stack);
    welf_free(f.frames);
    return fn;
}

/* ---- codegen ---- */

static bool optimize_and_emit(welf_lower_module *lm, welf_compile_state *cs,
                              int opt_level, uint8_t **object, size_t *size)
{
    char *msg = NULL;
    if (LLVMVerifyModule(lm->mod, LLVMReturnStatusAction, &msg)) {
        fail(lm, WELF_ERR_USAGE, "internal error: invalid LLVM IR: %.200s",
             msg ? msg : "");
        LLVMDisposeMessage(msg);
        return false;
    }
    LLVMDisposeMessage(msg);
    char passes[32];
    snprintf(passes, sizeof passes, "default<O%d>", opt_level);
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(lm->mod, passes, cs->tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
        char *em = LLVMGetErrorMessage(e);
        fail(lm, WELF_ERR_USAGE, "internal error: LLVM passes: %.200s", em);
        LLVMDisposeErrorMessage(em);
        return false;
    }
    welf_lower_drop_nan_guards(lm->mod);
    LLVMMemoryBufferRef buf = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(cs->tm, lm->mod, LLVMObjectFile,
                                            &msg, &buf)) {
        fail(lm, WELF_ERR_USAGE, "internal error: code generation: %.200s",
             msg ? msg : "");
        LLVMDisposeMessage(msg);
        return false;
    }
    *size = LLVMGetBufferSize(buf);
    *object = welf_malloc(*size);
    if (!*object) {
        LLVMDisposeMemoryBuffer(buf);
        return fail(lm, WELF_ERR_NOMEM, "out of memory");
    }
    memcpy(*object, LLVMGetBufferStart(buf), *size);
    LLVMDisposeMemoryBuffer(buf);
    return true;
}

/* Marks what escapes: exports, the start function, element entries and
 * ref.func in globals (validation put every ref.func of a body there). */
static bool find_escaping(const welf_wasm *m, uint8_t *escapes,
                          welf_error *err)
{
    for (uint32_t i = 0; i < m->export_count; i++)
        if (m->exports[i].kind == WELF_EXTERN_FUNC)
            escapes[m->exports[i].index] = 1;
    if (m->has_start)
        escapes[m->start_func] = 1;
    for (uint32_t i = 0; i < m->elem_count; i++) {
        const welf_elem *e = &m->elems[i];
        for (uint32_t k = 0; k < e->count; k++)
            if (e->func_indices)
                escapes[e->func_indices[k]] = 1;
            else if (!welf_expr_mark_refs(m, e->exprs[k], escapes, err))
                return false;
    }
    for (uint32_t i = m->global_import_count; i < m->global_count; i++)
        if (!welf_expr_mark_refs(m, m->globals[i].init, escapes, err))
            return false;
    return true;
}

bool welf_expr_mark_refs(const welf_wasm *m, welf_expr e, uint8_t *marks,
                         welf_error *err)
{
    welf_reader r;
    welf_reader_init(&r, m->bytes, m->bytes + e.offset,
                     m->bytes + e.offset + e.size_bytes, err);
    welf_instr in;
    while (!welf_reader_done(&r)) {
        if (!welf_instr_read(&r, m->features, &in))
            return false;
        if (in.op == WELF_OP_REF_FUNC && in.u.index < m->func_count)
            marks[in.u.index] = 1;
    }
    return true;
}

/*
 * Which functions keep the wasm convention and which use the internal
 * one (lower.h): a function keeps the wasm convention when it escapes
 * (a funcref's wasm_call may be its body) or takes part in a
 * return_call, as caller or as direct callee (a guaranteed tail call
 * needs tailcc on both sides). Reads every body once, before the
 * chunks are compiled, so that they all agree.
 */
static bool plan_conventions(welf_compile_plan *p, welf_arena *arena,
                             welf_error *err)
{
    const welf_wasm *m = p->m;
    p->escapes = welf_arena_calloc(arena, m->func_count + 1, 1);
    p->internal = welf_arena_calloc(arena, m->func_count + 1, 1);
    if (!p->escapes || !p->internal) {
        welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET, "out of memory");
        return false;
    }
    if (!find_escaping(m, p->escapes, err))
        return false;
    /* wasm[i]: function i needs the wasm convention. */
    uint8_t *wasm = p->internal;
    for (uint32_t i = 0; i < m->func_count; i++)
        wasm[i] = i < m->func_import_count || p->escapes[i];
    if (m->features & WELF_FEATURE_TAIL_CALL) {
        for (uint32_t i = m->func_import_count; i < m->func_count; i++) {
            const welf_func *fd = &m->funcs[i];
            welf_reader r;
            welf_reader_init(&r, m->bytes, m->bytes + fd->code_offset,
                             m->bytes + fd->code_end, err);
            welf_instr in;
            while (!welf_reader_done(&r)) {
                if (!welf_instr_read(&r, m->features, &in))
                    return false;
                if (in.op == WELF_OP_RETURN_CALL ||
                    in.op == WELF_OP_RETURN_CALL_INDIRECT)
                    wasm[i] = 1;
                if (in.op == WELF_OP_RETURN_CALL && in.u.index < m->func_count)
                    wasm[in.u.index] = 1;
            }
        }
    }
    for (uint32_t i = 0; i < m->func_count; i++)
        p->internal[i] = !wasm[i];
    return true;
}

static bool build_everything(welf_lower_module *lm, welf_compile_state *cs,
                             LLVMBuilderRef b)
{
    const welf_wasm *m = lm->m;
    welf_arena scratch;
    welf_arena_init(&scratch);
    welf_lower_fn f = {.b = b};
    bool ok = true;
    for (uint32_t i = cs->first; ok && i < cs->end; i++) {
        ok = lower_function(&f, lm, i, &scratch);
        welf_arena_free(&scratch);
    }
    welf_free(f.stack);
    welf_free(f.frames);
    if (!ok || !cs->main_chunk)
        return ok;

    cs->wasm_entries = welf_arena_calloc(&cs->arena, m->func_count + 1,
                                         sizeof(LLVMValueRef));
    cs->array_entries = welf_arena_calloc(&cs->arena, m->func_count + 1,
                                          sizeof(LLVMValueRef));
    cs->wasm_to_array = welf_arena_calloc(&cs->arena, m->type_count + 1,
                                          sizeof(LLVMValueRef));
    cs->native_entries = welf_arena_calloc(&cs->arena, m->func_count + 1,
                                           sizeof(LLVMValueRef));
    cs->wasm_to_native = welf_arena_calloc(&cs->arena, m->type_count + 1,
                                           sizeof(LLVMValueRef));
    cs->global_inits = welf_arena_calloc(&cs->arena, m->global_count + 1,
                                         sizeof(LLVMValueRef));
    cs->elem_offsets = welf_arena_calloc(&cs->arena, m->elem_count + 1,
                                         sizeof(LLVMValueRef));
    cs->elem_inits = welf_arena_calloc(&cs->arena, m->elem_count + 1,
                                       sizeof(LLVMValueRef));
    cs->data_offsets = welf_arena_calloc(&cs->arena, m->data_seg_count + 1,
                                         sizeof(LLVMValueRef));
    if (!cs->wasm_entries || !cs->array_entries || !cs->wasm_to_array ||
        !cs->native_entries || !cs->wasm_to_native || !cs->global_inits ||
        !cs->elem_offsets || !cs->elem_inits || !cs->data_offsets)
        return fail(lm, WELF_ERR_NOMEM, "out of memory");
    for (uint32_t i = m->func_import_count; i < m->func_count; i++)
        if (cs->plan->internal[i] &&
            !(cs->wasm_entries[i] = build_wasm_entry(lm, cs, b, i)))
            return false;
    for (uint32_t i = m->func_import_count; i < m->func_count; i++)
        if (cs->plan->escapes[i] &&
            (!(cs->array_entries[i] = build_array_entry(lm, cs, b, i)) ||
             !build_native_entry(lm, cs, b, i, &cs->native_entries[i])))
            return false;
    for (uint32_t t = 0; t < m->type_count; t++)
        if (!(cs->wasm_to_array[t] = build_wasm_to_array(lm, b, t)) ||
            !build_wasm_to_native(lm, b, t, &cs->wasm_to_native[t]))
            return false;

    char name[64];
    for (uint32_t i = m->global_import_count; ok && i < m->global_count;
         i++) {
        snprintf(name, sizeof name, "welf_init_global_%u", i);
        ok = (cs->global_inits[i] =
                  build_init(lm, b, &scratch, name, &m->globals[i].init, 1,
                             m->globals[i].type.type)) != NULL;
        welf_arena_free(&scratch);
    }
    for (uint32_t i = 0; ok && i < m->elem_count; i++) {
        const welf_elem *e = &m->elems[i];
        if (e->mode == WELF_SEG_ACTIVE) {
            snprintf(name, sizeof name, "welf_init_elem_offset_%u", i);
            ok = (cs->elem_offsets[i] = build_init(
                      lm, b, &scratch, name, &e->offset_expr, 1,
                      WELF_VT_I32)) != NULL;
        }
        if (ok && e->exprs && e->count) {
            snprintf(name, sizeof name, "welf_init_elem_%u", i);
            ok = (cs->elem_inits[i] = build_init(lm, b, &scratch, name,
                                                 e->exprs, e->count,
                                                 e->type)) != NULL;
        }
        welf_arena_free(&scratch);
    }
    for (uint32_t i = 0; ok && i < m->data_seg_count; i++) {
        if (m->datas[i].mode != WELF_SEG_ACTIVE)
            continue;
        snprintf(name, sizeof name, "welf_init_data_offset_%u", i);
        ok = (cs->data_offsets[i] = build_init(
                  lm, b, &scratch, name, &m->datas[i].offset_expr, 1,
                  WELF_VT_I32)) != NULL;
        welf_arena_free(&scratch);
    }
    welf_arena_free(&scratch);
    return ok && welf_descriptor_build(lm, cs);
}

/* The target machine of every LLVM module of the compilation. */
static LLVMTargetMachineRef target_machine(const welf_compile_plan *p,
                                           welf_error *err)
{
    char *msg = NULL;
    LLVMTargetRef target;
    if (LLVMGetTargetFromTriple(WELF_LLVM_TRIPLE, &target, &msg)) {
        welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                       "internal error: no x86-64 target: %s", msg);
        LLVMDisposeMessage(msg);
        return NULL;
    }
    static const LLVMCodeGenOptLevel levels[] = {
        LLVMCodeGenLevelNone, LLVMCodeGenLevelLess, LLVMCodeGenLevelDefault,
        LLVMCodeGenLevelAggressive};
    return LLVMCreateTargetMachine(target, WELF_LLVM_TRIPLE, p->cpu,
                                   p->cpu_features, levels[p->opt_level],
                                   LLVMRelocPIC, LLVMCodeModelDefault);
}

/* Compiles one chunk into c->object; errors go to c->err. */
typedef struct chunk {
    uint32_t first, end;          /* defined functions [first, end) */
    bool main_chunk;
    uint8_t *object;
    size_t size;
    welf_error err;
} chunk;

static void compile_chunk(const welf_compile_plan *p, chunk *c)
{
    welf_error_clear(&c->err);
    welf_compile_state cs;
    memset(&cs, 0, sizeof cs);
    welf_arena_init(&cs.arena);
    cs.plan = p;
    cs.first = c->first;
    cs.end = c->end;
    cs.main_chunk = c->main_chunk;
    cs.name = p->name;
    if (!(cs.tm = target_machine(p, &c->err))) {
        welf_arena_free(&cs.arena);
        return;
    }
    welf_lower_module lm;
    memset(&lm, 0, sizeof lm);
    lm.err = &c->err;
    LLVMBuilderRef b = NULL;
    bool ok = setup_module(&lm, p->m, &cs);
    if (ok && p->debug && cs.first < cs.end &&
        !(lm.debug = welf_debug_emit_new(p->debug, lm.mod,
                                         p->opt_level > 0, &cs.arena)))
        ok = fail(&lm, WELF_ERR_NOMEM, "out of memory");
    if (ok) {
        b = LLVMCreateBuilderInContext(lm.ctx);
        ok = build_everything(&lm, &cs, b);
        if (ok && lm.debug)
            welf_debug_emit_finish(lm.debug);
        ok = ok &&
             optimize_and_emit(&lm, &cs, p->opt_level, &c->object, &c->size);
    }
    welf_debug_emit_free(lm.debug);
    if (b)
        LLVMDisposeBuilder(b);
    if (lm.mod)
        LLVMDisposeModule(lm.mod);
    if (lm.ctx)
        LLVMContextDispose(lm.ctx);
    LLVMDisposeTargetMachine(cs.tm);
    welf_arena_free(&cs.arena);
    if (!ok && c->err.code == WELF_OK)
        welf_error_set(&c->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                       "compilation failed");
}

/*
 * -g: the runtime's line table (linetable.h), made from the DWARF of the
 * compiled chunks, as one more object to merge with them: a read-only
 * global welf_lines_<name>, hidden, which the descriptor points to.
 */
static welf_status compile_lines(const welf_compile_plan *p,
                                 const chunk *chunks, uint32_t count,
                                 chunk *out)
{
    welf_error_clear(&out->err);
    const welf_wasm *m = p->m;
    welf_line_builder *lb = welf_line_builder_new(
        p->symbols, m->func_import_count, m->func_count);
    if (!lb)
        return welf_error_set(&out->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory");
    uint8_t *table = NULL;
    size_t size = 0;
    welf_status st = WELF_OK;
    for (uint32_t i = 0; i < count && st == WELF_OK; i++)
        st = welf_line_builder_add(lb, chunks[i].object, chunks[i].size,
                                   &out->err);
    if (st == WELF_OK)
        st = welf_line_builder_finish(lb, &table, &size, &out->err);
    welf_line_builder_free(lb);
    if (st != WELF_OK)
        return st;

    LLVMTargetMachineRef tm = target_machine(p, &out->err);
    if (!tm) {
        welf_free(table);
        return out->err.code;
    }
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext("lines", ctx);
    LLVMSetTarget(mod, WELF_LLVM_TRIPLE);
    LLVMValueRef init = LLVMConstStringInContext(ctx, (const char *)table,
                                                 (unsigned)size, 1);
    char symbol[160];
    welf_module_symbol("welf_lines_", p->name, symbol, sizeof symbol);
    LLVMValueRef g = LLVMAddGlobal(mod, LLVMTypeOf(init), symbol);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetVisibility(g, LLVMHiddenVisibility);
    LLVMSetSection(g, ".rodata.welf.lines");
    LLVMSetAlignment(g, 4);
    welf_free(table);
    char *msg = NULL;
    LLVMMemoryBufferRef buf = NULL;
    if (size > UINT32_MAX ||
        LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMObjectFile, &msg,
                                            &buf)) {
        st = welf_error_set(&out->err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                            "internal error: emitting the line table: "
                            "%.200s", msg ? msg : "too large");
    } else {
        out->size = LLVMGetBufferSize(buf);
        out->object = welf_malloc(out->size);
        if (out->object)
            memcpy(out->object, LLVMGetBufferStart(buf), out->size);
        else
            st = welf_error_set(&out->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                                "out of memory");
    }
    LLVMDisposeMessage(msg);
    if (buf)
        LLVMDisposeMemoryBuffer(buf);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    LLVMDisposeTargetMachine(tm);
    return st;
}

/*
 * Splits the defined functions into chunks of about `target` bytes of
 * wasm code, from the module alone (never from the thread count), plus
 * the main chunk. Small modules are one chunk with everything in it.
 */
enum { CHUNK_MIN_BYTES = 16 << 10, CHUNK_MAX_COUNT = 32 };

static chunk *plan_chunks(const welf_wasm *m, uint32_t *count)
{
    uint64_t total = 0;
    for (uint32_t i = m->func_import_count; i < m->func_count; i++)
        total += m->funcs[i].code_end - m->funcs[i].code_offset;
    uint64_t target = total / CHUNK_MAX_COUNT;
    if (target < CHUNK_MIN_BYTES)
        target = CHUNK_MIN_BYTES;
    uint32_t n = (uint32_t)((total + target - 1) / target);
    chunk *chunks = welf_malloc((n + 2) * sizeof *chunks);
    if (!chunks)
        return NULL;
    memset(chunks, 0, (n + 2) * sizeof *chunks);
    if (total <= target) {
        chunks[0] = (chunk){.first = m->func_import_count,
                            .end = m->func_count, .main_chunk = true};
        *count = 1;
        return chunks;
    }
    uint32_t k = 0;
    uint64_t acc = 0;
    chunks[0].first = m->func_import_count;
    for (uint32_t i = m->func_import_count; i < m->func_count; i++) {
        acc += m->funcs[i].code_end - m->funcs[i].code_offset;
        if (acc >= target && i + 1 < m->func_count && k + 1 < n) {
            chunks[k].end = i + 1;
            chunks[++k].first = i + 1;
            acc = 0;
        }
    }
    chunks[k].end = m->func_count;
    chunks[++k] = (chunk){.first = m->func_count, .end = m->func_count,
                          .main_chunk = true};
    *count = k + 1;
    return chunks;
}

typedef struct pool {
    const welf_compile_plan *plan;
    chunk *chunks;
    uint32_t count;
    _Atomic uint32_t next;
} pool;

static void *pool_worker(void *arg)
{
    pool *pl = arg;
    for (;;) {
        uint32_t i = atomic_fetch_add(&pl->next, 1);
        if (i >= pl->count)
            return NULL;
        compile_chunk(pl->plan, &pl->chunks[i]);
    }
}

/*
 * The CPU the code may use: a named x86-64 level, or this machine's CPU
 * and features ("native"), and the level recorded in the descriptor so
 * the loader can refuse it elsewhere. For "native" that is this
 * machine's level; code may use features beyond it (see docs/abi.md).
 */
static bool plan_cpu(welf_compile_plan *p, const char *cpu, welf_error *err)
{
    static const char *const levels[] = {"x86-64", "x86-64-v2", "x86-64-v3",
                                         "x86-64-v4"};
    if (!cpu)
        cpu = "x86-64";
    if (strcmp(cpu, "native") == 0) {
        p->cpu = LLVMGetHostCPUName();
        p->cpu_features = LLVMGetHostCPUFeatures();
        p->cpu_level = welf_cpu_level();
        p->cpu_owned = true;
        return true;
    }
    for (unsigned i = 0; i < 4; i++) {
        if (strcmp(cpu, levels[i]) == 0) {
            p->cpu = levels[i];
            p->cpu_features = "";
            p->cpu_level = i + 1;
            return true;
        }
    }
    welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                   "unknown CPU '%s': use x86-64, x86-64-v2, x86-64-v3, "
                   "x86-64-v4 or native", cpu);
    return false;
}

static void plan_cpu_release(welf_compile_plan *p)
{
    if (p->cpu_owned) {
        LLVMDisposeMessage((char *)p->cpu);
        LLVMDisposeMessage((char *)p->cpu_features);
    }
}

static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

welf_status welf_compile(const welf_wasm *m, const welf_compile_options *opts,
                         uint8_t **object, size_t *size, welf_error *err)
{
    welf_error_clear(err);
    *object = NULL;
    *size = 0;
    if (!m->validated)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "the module must be validated first");
    welf_compile_options defaults;
    if (!opts) {
        welf_compile_options_init(&defaults);
        opts = &defaults;
    }
    if (opts->opt_level < 0 || opts->opt_level > 3)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "optimization level %d is not 0..3",
                              opts->opt_level);
    pthread_once(&llvm_once, llvm_init);

    welf_compile_plan plan = {.m = m, .opt_level = opts->opt_level,
                              .precise_traps = opts->precise_traps,
                              .eh_frame = !opts->no_eh_frame,
                              .name = opts->name && opts->name[0]
                                          ? opts->name
                                          : "module"};
    if (!plan_cpu(&plan, opts->cpu, err))
        return err->code;
    welf_debug_info debug;
    if (opts->debug_info) {
        if (welf_debug_info_read(m, plan.name, &debug, err) != WELF_OK) {
            plan_cpu_release(&plan);
            return err->code;
        }
        plan.debug = &debug;
    }
    welf_arena arena;
    welf_arena_init(&arena);
    uint32_t count = 0;
    chunk *chunks = plan_chunks(m, &count);
    bool planned = chunks && plan_symbols(&plan, &arena);
    if (!planned)
        welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET, "out of memory");
    else
        planned = plan_conventions(&plan, &arena, err);
    if (!planned) {
        welf_free(chunks);
        welf_arena_free(&arena);
        plan_cpu_release(&plan);
        if (plan.debug)
            welf_debug_info_free(&debug);
        return err->code;
    }
    plan.multi = count > 1;

    pool pl = {.plan = &plan, .chunks = chunks, .count = count};
    atomic_init(&pl.next, 0);
    unsigned jobs = opts->jobs ? opts->jobs : default_jobs();
    if (jobs > count)
        jobs = count;
    pthread_t threads[64];
    unsigned started = 0;
    for (unsigned t = 1; t < jobs && t < 64; t++)
        if (pthread_create(&threads[started], NULL, pool_worker, &pl) == 0)
            started++;
    pool_worker(&pl);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);

    /* The first failing chunk in order reports, whatever the timing. */
    welf_status st = WELF_OK;
    for (uint32_t i = 0; i < count && st == WELF_OK; i++)
        if (chunks[i].err.code != WELF_OK) {
            *err = chunks[i].err;
            st = err->code;
        }
    chunk lines = {0};
    if (st == WELF_OK && plan.debug &&
        compile_lines(&plan, chunks, count, &lines) != WELF_OK) {
        *err = lines.err;
        st = err->code;
    }
    uint32_t inputs = count + (lines.object != NULL);
    if (st == WELF_OK && inputs == 1) {
        *object = chunks[0].object;
        *size = chunks[0].size;
        chunks[0].object = NULL;
    } else if (st == WELF_OK) {
        const uint8_t **objs = welf_malloc(inputs * sizeof *objs);
        size_t *sizes = welf_malloc(inputs * sizeof *sizes);
        if (!objs || !sizes) {
            st = welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                                "out of memory");
        } else {
            for (uint32_t i = 0; i < count; i++) {
                objs[i] = chunks[i].object;
                sizes[i] = chunks[i].size;
            }
            if (lines.object) {
                objs[count] = lines.object;
                sizes[count] = lines.size;
            }
            st = welf_elf_merge(objs, sizes, inputs, object, size, err);
        }
        welf_free(objs);
        welf_free(sizes);
    }
    welf_free(lines.object);
    for (uint32_t i = 0; i < count; i++)
        welf_free(chunks[i].object);
    welf_free(chunks);
    welf_arena_free(&arena);
    plan_cpu_release(&plan);
    if (plan.debug)
        welf_debug_info_free(&debug);
    return st;
}
