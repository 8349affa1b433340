/*
 * lower.h — the state shared by the files that lower validated wasm to
 * LLVM IR, one file per instruction family:
 *
 *   lower.c          functions, control flow, locals, calls, the driver
 *   lower_numeric.c  constants, comparisons, arithmetic, conversions
 *   lower_memory.c   loads, stores, memory.size/grow, bulk memory
 *   lower_table.c    tables and references
 *
 * Values live on a stack of LLVMValueRef mirroring the wasm operand
 * stack; locals are allocas that LLVM promotes to registers. Traps call
 * vmctx->builtins->trap and never return (runtime/abi.h).
 */
#ifndef WELF_LOWER_H
#define WELF_LOWER_H

#include <llvm-c/Core.h>

#include "../runtime/abi.h"
#include "instr.h"

typedef struct welf_lower_frame welf_lower_frame;

/*
 * The LLVM calling conventions of wasm functions. The wasm convention
 * (runtime/abi.h) is tailcc: every funcref's wasm_call uses it, and
 * return_call needs it on both sides. A function that nothing reaches
 * through a funcref and that takes no part in a return_call is only
 * ever called directly from its own module, so it uses the internal
 * convention instead: swiftcc with the callee vmctx as `swiftself`, in
 * r13, a callee-saved register. Passing the same vmctx on to a callee
 * is then free (no copy kept in another callee-saved register, no
 * moves around each call), and the caller pops the stack arguments
 * (tailcc pads and pops them itself, `ret $8` then `sub $8,%rsp`
 * after every call, even with no stack arguments). The function's
 * wasm_call is then an entry thunk in the wasm convention.
 */
enum { WELF_CC_WASM = 18 /* tailcc */, WELF_CC_INTERNAL = 16 /* swiftcc */ };

/* Per LLVM module: types and declarations shared by its functions. */
typedef struct welf_lower_module {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    const welf_wasm *m;
    welf_error *err;

    LLVMTypeRef t_void, t_i1, t_i8, t_i16, t_i32, t_i64, t_f32, t_f64;
    LLVMTypeRef t_v128;          /* <2 x i64> */
    LLVMTypeRef t_ptr;           /* every pointer: LLVM 19 is opaque */

    LLVMTypeRef *func_types;     /* wasm convention, per type index */
    LLVMValueRef *funcs;         /* per function index; NULL for imports */
    const uint8_t *internal;     /* per function index: 1 if it uses the
                                    internal convention (WELF_CC_INTERNAL) */
    LLVMTypeRef trap_type;       /* void (ptr vmctx, i32 code, i32 detail) */
    bool precise_traps;          /* memory accesses are volatile */
    bool eh_frame;               /* functions get unwind tables */
    struct welf_debug_emit *debug; /* -g: debug info (debuginfo.h), or
                                      NULL */
} welf_lower_module;

/* Per function being lowered. */
typedef struct welf_lower_fn {
    welf_lower_module *lm;
    welf_arena *arena;           /* scratch, reset after each function */
    LLVMBuilderRef b;
    LLVMValueRef fn;
    LLVMValueRef vmctx;          /* first parameter */
    uint32_t func_index;
    const welf_functype *type;

    LLVMValueRef *locals;        /* allocas, parameters first */
    welf_valtype *local_types;
    uint32_t local_count;

    LLVMValueRef *stack;         /* the operand stack */
    uint32_t stack_count, stack_cap;

    welf_lower_frame *frames;
    uint32_t frame_count, frame_cap;

    LLVMValueRef memory0_base;   /* loaded once in the entry block */
    bool has_tail_call;          /* the body uses return_call(_indirect) */
    struct welf_debug_emit *debug; /* set while lowering a body that has
                                      debug info: welf_lower_expr gives
                                      each instruction its location */
} welf_lower_fn;

/* LLVM type of a wasm value type. */
WELF_INTERNAL LLVMTypeRef welf_lower_type(welf_lower_module *lm,
                                          welf_valtype t);

/* Operand stack. welf_lower_pop on an empty stack (dead code after
 * unreachable) returns an undef of type `t`. */
WELF_INTERNAL bool welf_lower_push(welf_lower_fn *f, LLVMValueRef v);
WELF_INTERNAL LLVMValueRef welf_lower_pop(welf_lower_fn *f, LLVMTypeRef t);

/* Emits `if (cond) trap(code)` and continues in a fresh block. */
WELF_INTERNAL void welf_lower_trap_if(welf_lower_fn *f, LLVMValueRef cond,
                                      uint32_t code);
/* The same, passing `detail` (an i32 element index) to the trap. */
WELF_INTERNAL void welf_lower_trap_if_detail(welf_lower_fn *f,
                                             LLVMValueRef cond, uint32_t code,
                                             LLVMValueRef detail);
/* Emits an unconditional trap; the builder is left in a fresh,
 * unreachable block. */
WELF_INTERNAL void welf_lower_trap(welf_lower_fn *f, uint32_t code);

/* Calls the LLVM intrinsic `name` (e.g. "llvm.ctlz"), overloaded on
 * `types` (may be NULL with n_types 0). */
WELF_INTERNAL LLVMValueRef welf_lower_intrinsic(welf_lower_fn *f,
                                                const char *name,
                                                LLVMTypeRef *types,
                                                unsigned n_types,
                                                LLVMValueRef *args,
                                                unsigned n_args);

/* Gives `fn` (a wasm function's body) the internal convention. */
WELF_INTERNAL void welf_lower_set_internal_cc(welf_lower_module *lm,
                                              LLVMValueRef fn);
/* Gives a call the convention `cc`, WELF_CC_WASM or WELF_CC_INTERNAL
 * (the callee vmctx, argument 0, is then swiftself) or another. */
WELF_INTERNAL void welf_lower_set_call_cc(welf_lower_module *lm,
                                          LLVMValueRef call, unsigned cc);

/* Loads a pointer-sized field at `offset` bytes from `base`. */
WELF_INTERNAL LLVMValueRef welf_lower_load_ptr(welf_lower_fn *f,
                                               LLVMValueRef base,
                                               unsigned offset,
                                               const char *name);

/* Per family: lowers `in` (validated) at the builder's position. Return
 * false after recording an error (e.g. an unsupported instruction). */
WELF_INTERNAL bool welf_lower_numeric(welf_lower_fn *f, const welf_instr *in);
WELF_INTERNAL bool welf_lower_memory(welf_lower_fn *f, const welf_instr *in);
WELF_INTERNAL bool welf_lower_table(welf_lower_fn *f, const welf_instr *in);
WELF_INTERNAL bool welf_lower_simd(welf_lower_fn *f, const welf_instr *in);

/*
 * Lowers the instructions in module bytes [start, end) (a body or a
 * constant expression, up to its final end) at the builder's position.
 * Leaves the builder at the end of the join block and returns the n
 * result values (phis), or NULL after recording an error.
 */
WELF_INTERNAL LLVMValueRef *welf_lower_expr(welf_lower_fn *f, uint32_t start,
                                            uint32_t end,
                                            const welf_valtype *results,
                                            uint32_t n);

/* The address a memory instruction accesses: the base of its memory plus
 * zext(addr) plus its offset, in 64 bits (lower_memory.c). */
WELF_INTERNAL LLVMValueRef welf_lower_effective_address(welf_lower_fn *f,
                                                        const welf_instr *in,
                                                        LLVMValueRef addr);

/* The i32 constant v. */
WELF_INTERNAL LLVMValueRef welf_lower_u32(welf_lower_fn *f, uint32_t v);

/* Loads vmctx->field[index] where field is an array of pointers. */
WELF_INTERNAL LLVMValueRef welf_lower_vm_elem(welf_lower_fn *f,
                                              unsigned field, uint32_t index,
                                              const char *name);

/* Calls vmctx->builtins->`field` (a function of type `type`). */
WELF_INTERNAL LLVMValueRef welf_lower_builtin(welf_lower_fn *f,
                                              unsigned field,
                                              LLVMTypeRef type,
                                              LLVMValueRef *args,
                                              unsigned n);

/* True for the instructions welf_lower_numeric handles. */
WELF_INTERNAL bool welf_lower_is_numeric(uint16_t op);

/*
 * Whether functions of type ft take one padding f64 parameter after
 * their own in the wasm convention (docs/abi.md, "Stack padding"): LLVM
 * 19 disagrees with itself on how many bytes a tailcc callee pops when a
 * v128 argument goes on the stack and the stack arguments take 8 mod 16
 * bytes. The padding, always on the stack then (the xmm registers are
 * used up), makes it a multiple of 16. Calls pass undef for it.
 */
WELF_INTERNAL bool welf_lower_type_padded(const welf_functype *ft);

/* The number of LLVM arguments of a wasm-convention call of type ft:
 * the two contexts, the parameters and the padding if any. */
WELF_INTERNAL unsigned welf_lower_arity(const welf_functype *ft);

/*
 * After optimization: removes the NaN canonicalisation that float
 * arithmetic got (canonical_nan_if_nan in lower_numeric.c) wherever the
 * arithmetic instruction survived with no constant operand, since x86
 * quiets NaNs in hardware. Returns how many were removed.
 */
WELF_INTERNAL size_t welf_lower_drop_nan_guards(LLVMModuleRef mod);

#endif
