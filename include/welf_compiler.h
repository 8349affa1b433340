/*
 * welf_compiler.h — the welf compiler library: decode and validate
 * WebAssembly modules.
 *
 * A module goes through two steps before it is lowered to native code:
 *
 *   welf_wasm *m;
 *   welf_error err;
 *   if (welf_wasm_decode(bytes, size, WELF_FEATURES_DEFAULT, &m, &err) ||
 *       welf_wasm_validate(m, &err)) {
 *       char line[512];
 *       welf_error_format(&err, "foo.wasm", line, sizeof line);
 *       fprintf(stderr, "%s\n", line);
 *   }
 *   welf_wasm_free(m);   (NULL is fine)
 *
 * Decoding checks the binary format (WebAssembly 2.0, section 5): a module
 * that decodes is well-formed. Validation checks the typing rules (section
 * 3): a module that validates may be compiled. Every failure fills a
 * caller-owned welf_error with a status code, the byte offset in the module
 * and a message; the first error wins. Nothing in this library exits, aborts
 * or prints on bad input.
 *
 * Memory: a decoded module owns one arena holding everything derived from
 * the input, including a copy of the input bytes; welf_wasm_free releases
 * it in one call. All heap allocation goes through the hook set with
 * welf_set_allocator.
 */
#ifndef WELF_COMPILER_H
#define WELF_COMPILER_H

#include "welf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Language features beyond WebAssembly 2.0, each one bit. */
typedef uint32_t welf_features;
#define WELF_FEATURE_TAIL_CALL      (1u << 0) /* return_call(_indirect) */
#define WELF_FEATURE_EXTENDED_CONST (1u << 1) /* i32/i64 add, sub, mul in
                                                 constant expressions */
#define WELF_FEATURE_MULTI_MEMORY   (1u << 2) /* several memories */
#define WELF_FEATURES_WASM2 0u
#define WELF_FEATURES_ALL \
    (WELF_FEATURE_TAIL_CALL | WELF_FEATURE_EXTENDED_CONST | \
     WELF_FEATURE_MULTI_MEMORY)
/* The default accepts everything welf supports: all three proposals are
 * part of WebAssembly 3.0. */
#define WELF_FEATURES_DEFAULT WELF_FEATURES_ALL

/* Parses "tail-call", "extended-const", "multi-memory", "all", "none" or a
 * comma-separated list of them into *out; false on an unknown name. */
bool welf_features_parse(const char *text, welf_features *out);

typedef struct welf_wasm welf_wasm;

/*
 * Decodes `size` bytes (copied; the caller may free them afterwards).
 * On success *out is the module; on failure *out is NULL and *err says why.
 */
welf_status welf_wasm_decode(const uint8_t *bytes, size_t size,
                               welf_features features, welf_wasm **out,
                               welf_error *err);

/* Validates a decoded module. May be called once per module. */
welf_status welf_wasm_validate(welf_wasm *module, welf_error *err);

/* Frees a module and everything derived from it. NULL is fine. */
void welf_wasm_free(welf_wasm *module);

/* How to compile. Start from welf_compile_options_init. */
typedef struct welf_compile_options {
    int opt_level;          /* 0..3: LLVM's -O level; default 2 */
    unsigned jobs;          /* threads; 0: one per online CPU. The object
                               is the same whatever this is. */
    const char *cpu;        /* "x86-64" (default: any x86-64 Linux machine),
                               "x86-64-v2", "x86-64-v3", "x86-64-v4", or
                               "native" (this machine's CPU); the loader
                               refuses an object whose level the running
                               CPU lacks */
    bool no_eh_frame;       /* leave out .eh_frame (unwind tables for
                                   debuggers and profilers; the runtime
                                   never needs them) */
    bool precise_traps;     /* make every memory access an ordered side
                               effect, so an out-of-bounds access always
                               traps and every effect before it stays
                               (slower: see docs/abi.md, "Traps") */
    const char *name;       /* the descriptor is welf_module_<name>; letters,
                               digits and _ (others become _); NULL: "module" */
    bool debug_info;        /* -g: DWARF line tables and subprograms for
                               the source the module's own DWARF describes
                               (else lines of a listing, NAME.wasm.lst,
                               numbered by byte offset, where NAME is
                               `name`); the code is the same either way
                               (docs/debugging.md) */
} welf_compile_options;

void welf_compile_options_init(welf_compile_options *opts);

/*
 * Compiles a validated module to an x86-64 ELF relocatable object that
 * welf_module_load (welf.h) loads or a linker links. On success *object
 * (free with welf_free) holds *size bytes. A module using an instruction
 * welf cannot compile yet fails with WELF_ERR_UNSUPPORTED and its offset.
 */
welf_status welf_compile(const welf_wasm *module,
                         const welf_compile_options *opts, uint8_t **object,
                         size_t *size, welf_error *err);

#ifdef __cplusplus
}
#endif

#endif
