/*
 * linetable.h — the line table that `welf compile -g` puts in the object
 * for the runtime (linetable.c; the format is welf_lines_header in
 * runtime/abi.h): which source file and line each range of each
 * function's code comes from, so trap backtraces can print file:line
 * without a DWARF reader in the runtime.
 *
 * It is read back from the DWARF that LLVM wrote into each chunk's
 * object, after code generation, because only then are code addresses
 * known. Each row's address is tied to the function symbol around it:
 * a wasm body (the function's symbol), or its array, native or wasm
 * entry (symbol + ".array" / ".native" / ".wasm").
 */
#ifndef WELF_LINETABLE_H
#define WELF_LINETABLE_H

#include "common.h"

typedef struct welf_line_builder welf_line_builder;

/*
 * A builder for the table of a module whose defined function i has
 * symbol symbols[i] (i in [first, end)). NULL when memory runs out.
 */
WELF_INTERNAL welf_line_builder *welf_line_builder_new(char *const *symbols,
                                                       uint32_t first,
                                                       uint32_t end);

/*
 * Adds the line rows of one chunk's ELF relocatable object. DWARF that
 * cannot be read adds nothing (the table is advisory); fails only when
 * memory runs out or the object is not ELF at all.
 */
WELF_INTERNAL welf_status welf_line_builder_add(welf_line_builder *lb,
                                                const uint8_t *object,
                                                size_t size, welf_error *err);

/* The table's bytes (welf_malloc'd, *size bytes; free with welf_free). */
WELF_INTERNAL welf_status welf_line_builder_finish(welf_line_builder *lb,
                                                   uint8_t **table,
                                                   size_t *size,
                                                   welf_error *err);

/* NULL is fine. */
WELF_INTERNAL void welf_line_builder_free(welf_line_builder *lb);

#endif
