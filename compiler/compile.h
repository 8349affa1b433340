/*
 * compile.h — state of one compilation, shared by compile.c (the
 * pipeline) and descriptor.c (the module descriptor).
 */
#ifndef WELF_COMPILE_H
#define WELF_COMPILE_H

#include <llvm-c/TargetMachine.h>

#include "lower.h"

#define WELF_LLVM_TRIPLE "x86_64-unknown-linux-gnu"

typedef struct welf_compile_state {
    welf_arena arena;               /* per-compilation allocations */
    LLVMTargetMachineRef tm;
    const char *name;               /* descriptor: welf_module_<name> */
    uint8_t *escapes;               /* per function: 1 if it escapes */
    LLVMValueRef *array_entries;    /* per function, NULL unless escaping */
    LLVMValueRef *wasm_to_array;    /* per type */
    LLVMValueRef *global_inits;     /* per global, NULL for imports */
    LLVMValueRef *elem_offsets;     /* per element segment, active only */
    LLVMValueRef *elem_inits;       /* per element segment, expressions */
    LLVMValueRef *data_offsets;     /* per data segment, active only */
} welf_compile_state;

/* Emits the descriptor global welf_module_<name> in .welf.module. */
WELF_INTERNAL bool welf_descriptor_build(welf_lower_module *lm,
                                         welf_compile_state *cs);

/* Sets marks[f] for every ref.func f in a constant expression. */
WELF_INTERNAL bool welf_expr_mark_refs(const welf_wasm *m, welf_expr e,
                                       uint8_t *marks, welf_error *err);

#endif
