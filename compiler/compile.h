/*
 * compile.h — state of one compilation, shared by compile.c (the
 * pipeline) and descriptor.c (the module descriptor).
 */
#ifndef WELF_COMPILE_H
#define WELF_COMPILE_H

#include <llvm-c/TargetMachine.h>

#include "lower.h"

#define WELF_LLVM_TRIPLE "x86_64-unknown-linux-gnu"

/*
 * What every chunk of one compilation shares, read-only once made: the
 * functions are split into chunks that are lowered and code-generated
 * independently (in parallel), then merged into one object. The split
 * depends only on the module, never on the number of threads, so the
 * object is the same whatever -j is.
 */
typedef struct welf_compile_plan {
    const welf_wasm *m;
    int opt_level;
    const char *name;               /* descriptor: welf_module_<name> */
    char **symbols;                 /* per function: a unique symbol name */
    bool precise_traps;             /* memory accesses are volatile */
    bool eh_frame;                  /* unwind tables on every function */
    const char *cpu;                /* LLVM CPU name */
    const char *cpu_features;       /* LLVM feature string ("native") */
    unsigned cpu_level;             /* x86-64 level recorded in the object */
    bool cpu_owned;                 /* cpu and cpu_features are LLVM's
                                       strings ("native"): dispose them */
    bool multi;                     /* more than one chunk */
    uint8_t *escapes;               /* per function: 1 if it escapes */
    uint8_t *internal;              /* per function: 1 if its body uses the
                                       internal convention (lower.h) */
    const struct welf_debug_info *debug; /* -g: what the module's DWARF
                                       says (debuginfo.h), else NULL */
} welf_compile_plan;

/* The state of one chunk's compilation (one LLVM context, one thread). */
typedef struct welf_compile_state {
    const welf_compile_plan *plan;
    welf_arena arena;               /* per-chunk allocations */
    LLVMTargetMachineRef tm;
    uint32_t first, end;            /* defined functions [first, end) */
    bool main_chunk;                /* holds trampolines, stubs, descriptor */
    const char *name;               /* descriptor: welf_module_<name> */
    LLVMValueRef *wasm_entries;     /* per function: the wasm-convention
                                       thunk of an internal one, else NULL */
    LLVMValueRef *array_entries;    /* per function, NULL unless escaping */
    LLVMValueRef *native_entries;   /* per function, NULL unless escaping
                                       with at most one result */
    LLVMValueRef *wasm_to_array;    /* per type */
    LLVMValueRef *wasm_to_native;   /* per type, NULL for several results */
    LLVMValueRef *global_inits;     /* per global, NULL for imports */
    LLVMValueRef *elem_offsets;     /* per element segment, active only */
    LLVMValueRef *elem_inits;       /* per element segment, expressions */
    LLVMValueRef *data_offsets;     /* per data segment, active only */
} welf_compile_state;

/* PREFIX followed by `name` made symbol-safe (letters, digits and _
 * kept, anything else _), into buf. */
WELF_INTERNAL void welf_module_symbol(const char *prefix, const char *name,
                                      char *buf, size_t size);

/* Emits the descriptor global welf_module_<name> in .welf.module. */
WELF_INTERNAL bool welf_descriptor_build(welf_lower_module *lm,
                                         welf_compile_state *cs);

/* Sets marks[f] for every ref.func f in a constant expression. */
WELF_INTERNAL bool welf_expr_mark_refs(const welf_wasm *m, welf_expr e,
                                       uint8_t *marks, welf_error *err);

#endif
