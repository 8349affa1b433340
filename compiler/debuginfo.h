/*
 * debuginfo.h — source-level debug information for `welf compile -g`
 * (debuginfo.c), in two halves:
 *
 *   reading   the DWARF a .wasm carries in its .debug_* custom sections,
 *             read once per compilation with libdwarf into a table of
 *             line rows and a table of subprograms, both keyed by
 *             code-section offsets (DWARF for WebAssembly: an address is
 *             an offset from the start of the code section's contents);
 *   emitting  per LLVM module (one per chunk), a compile unit for each
 *             of the module's that the chunk's functions come from, one
 *             DISubprogram per lowered wasm function and a DILocation
 *             on the IR builder before each wasm instruction, through
 *             LLVM-C's DIBuilder.
 *
 * A module without usable DWARF gets a synthetic listing instead: one
 * file, NAME.wasm.lst, whose line numbers are the module byte offsets of
 * the instructions (docs/debugging.md shows how to make that file).
 *
 * Debug information never changes the code: only metadata is added.
 */
#ifndef WELF_DEBUGINFO_H
#define WELF_DEBUGINFO_H

#include <libdwarf/libdwarf.h>
#include <llvm-c/Core.h>

#include "module.h"

/* One row of a line table. `addr` is a code-section offset; an `end`
 * row closes a sequence (its address is one past the last byte). */
typedef struct welf_debug_row {
    uint32_t addr;
    uint32_t file;            /* index into welf_debug_info.files */
    uint32_t unit;            /* index into welf_debug_info.units */
    uint32_t line;
    uint32_t column;
    uint32_t order;           /* position in the input, for a stable sort */
    bool end;
    bool prologue_end;        /* the function's body starts here */
} welf_debug_row;

/* A DW_TAG_subprogram with a code range [low, high). */
typedef struct welf_debug_func {
    uint32_t low, high;       /* code-section offsets */
    const char *name;         /* DW_AT_name (possibly through
                                 DW_AT_specification/abstract_origin) */
    uint32_t decl_line;       /* 0 when absent */
    uint32_t unit;
} welf_debug_func;

/* A compile unit of the module's DWARF: it becomes a native one. */
typedef struct welf_debug_unit {
    const char *name;         /* DW_AT_name, NULL if absent */
    const char *comp_dir;     /* DW_AT_comp_dir, NULL if absent */
    uint32_t language;        /* DW_AT_language, 0 if absent */
} welf_debug_unit;

/*
 * What -g knows about a module, read-only once built and shared by the
 * chunks of one compilation. Owner: the caller of welf_debug_info_read,
 * who releases it with welf_debug_info_free.
 */
typedef struct welf_debug_info {
    welf_arena arena;         /* names, files, subprograms */
    const welf_wasm *m;
    const char *listing;      /* synthetic file name: "NAME.wasm.lst" */
    bool has_dwarf;           /* rows came from the module's DWARF */
    uint32_t code_start;      /* module offset of the code section's
                                 contents (where DWARF addresses start) */
    char **files;             /* full paths, as the line tables name them */
    uint32_t file_count;
    welf_debug_row *rows;     /* sorted by addr (end rows first at one
                                 address), tombstoned sequences left out;
                                 welf_malloc'd */
    uint32_t row_count;
    welf_debug_func *funcs;   /* sorted by low */
    uint32_t func_count;
    welf_debug_unit *units;
    uint32_t unit_count;
} welf_debug_info;

/*
 * Reads the module's DWARF, if any. Malformed or missing DWARF is not an
 * error: the result then describes the synthetic listing (has_dwarf
 * false). Fails only when memory runs out.
 */
WELF_INTERNAL welf_status welf_debug_info_read(const welf_wasm *m,
                                               const char *name,
                                               welf_debug_info *out,
                                               welf_error *err);
WELF_INTERNAL void welf_debug_info_free(welf_debug_info *di);

/*
 * DWARF sections held in memory, opened with libdwarf through its object
 * access interface: a dummy section 0 (as in ELF) and then the .debug_*
 * sections by name, little-endian, any relocations already applied.
 * Shared by the two readers: the wasm's custom sections here, the
 * chunk objects' DWARF in linetable.c.
 */
typedef struct welf_dw_section {
    const char *name;        /* NUL-terminated */
    const uint8_t *bytes;
    uint64_t size;
} welf_dw_section;

typedef struct welf_dw_object {
    welf_dw_section *secs;   /* [0] is the dummy */
    uint32_t count;
    uint8_t pointer_size;    /* 4 for wasm32, 8 for x86-64 */
    Dwarf_Obj_Access_Interface iface;   /* set by welf_dw_open */
} welf_dw_object;

/* Opens `o` (which must outlive the handle); false when libdwarf
 * refuses it. Close with dwarf_object_finish. */
WELF_INTERNAL bool welf_dw_open(welf_dw_object *o, Dwarf_Debug *dbg);

/* Calls fn for each compile unit of `dbg` (its DIE and DWARF version),
 * until fn returns false; units libdwarf cannot read are skipped. */
typedef bool (*welf_dw_unit_fn)(void *ctx, Dwarf_Die cu, Dwarf_Half version);
WELF_INTERNAL void welf_dw_each_unit(Dwarf_Debug dbg, welf_dw_unit_fn fn,
                                     void *ctx);

/* DW_AT_name of `die`, else of the DIE its DW_AT_specification or
 * DW_AT_abstract_origin names; NULL if none. Points into libdwarf's
 * data, valid until dwarf_object_finish. */
WELF_INTERNAL const char *welf_dw_die_name(Dwarf_Debug dbg, Dwarf_Die die);

/* Per LLVM module: the DIBuilder, its compile unit and caches. */
typedef struct welf_debug_emit welf_debug_emit;

/*
 * Starts debug information for module `mod`. `arena` outlives the
 * emitter and holds its caches. Returns NULL when memory runs out.
 */
WELF_INTERNAL welf_debug_emit *welf_debug_emit_new(const welf_debug_info *di,
                                                   LLVMModuleRef mod,
                                                   bool optimized,
                                                   welf_arena *arena);

/*
 * Before lowering defined function `index` (LLVM function `fn`, symbol
 * `symbol`): attaches its DISubprogram and sets the builder's location
 * to its first line. A function the module's DWARF does not cover gets
 * an artificial subprogram whose lines are all 0.
 */
WELF_INTERNAL void welf_debug_function_begin(welf_debug_emit *de,
                                             LLVMBuilderRef b,
                                             LLVMValueRef fn, uint32_t index,
                                             const char *symbol);

/*
 * Before building trampoline `fn` (named `name`): an artificial
 * subprogram, every line 0, so that the wasm body LLVM inlines into it
 * keeps its lines and inlined-at chain. End it with
 * welf_debug_function_end.
 */
WELF_INTERNAL void welf_debug_artificial_begin(welf_debug_emit *de,
                                               LLVMBuilderRef b,
                                               LLVMValueRef fn,
                                               const char *name);

/* Sets the builder's location for the instruction at module offset
 * `offset` of the function begun last. Offsets must not decrease. */
WELF_INTERNAL void welf_debug_locate(welf_debug_emit *de, LLVMBuilderRef b,
                                     uint32_t offset);

/* Ends the function begun last: the builder is left without a location,
 * so trampolines and initialisers built next carry none. */
WELF_INTERNAL void welf_debug_function_end(welf_debug_emit *de,
                                           LLVMBuilderRef b);

/* Resolves the debug metadata and adds the module flags ("Dwarf
 * Version", "Debug Info Version"); call once, before verifying. */
WELF_INTERNAL void welf_debug_emit_finish(welf_debug_emit *de);

/* Disposes of the DIBuilder. NULL is fine. */
WELF_INTERNAL void welf_debug_emit_free(welf_debug_emit *de);

#endif
