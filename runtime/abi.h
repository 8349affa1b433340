/*
 * abi.h — the binary contract between compiled objects and the runtime:
 * the funcref record, the vmctx that compiled code receives, the table of
 * runtime services (builtins) it calls, trap codes, and the module
 * descriptor each object defines. The compiler emits code and data that
 * follow these layouts; the runtime builds and reads them. Changing a
 * layout means bumping WELF_ABI_VERSION. docs/abi.md explains the design.
 *
 * Every structure here has a fixed layout on x86-64 (LP64): pointers and
 * 64-bit fields are 8 bytes, offsets are given in comments where compiled
 * code depends on them.
 */
#ifndef WELF_ABI_H
#define WELF_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "welf.h"

#define WELF_ABI_MAGIC 0x464c4557u /* "WELF" little-endian */
#define WELF_ABI_VERSION 5u
#define WELF_ABI_TARGET "x86_64-linux"

/* The x86-64 level of the running CPU (1..4), for descriptor checks. */
__attribute__((visibility("hidden"))) unsigned welf_cpu_level(void);

typedef struct welf_vmctx welf_vmctx;

/* struct welf_funcref, the three-entry function reference, is public:
 * welf.h defines it with its offsets. A host function's vmctx is its
 * welf_host record; its wasm_call is the importing module's wasm-to-array
 * (untyped) or wasm-to-native (typed) stub, which calls the array or
 * native entry. */

/* A linear memory as compiled code sees it. */
typedef struct welf_memory_rt {
    uint8_t *base;         /* 0: never moves (whole range reserved) */
    uint64_t size_bytes;   /* 8 */
} welf_memory_rt;

/* A table as compiled code sees it: an array of references (funcref
 * tables hold welf_funcref pointers, externref tables host values; NULL
 * is the null reference). */
typedef struct welf_table_rt {
    void **elems;          /* 0 */
    uint32_t size;         /* 8: in elements */
    uint32_t reserved;     /* 12 */
} welf_table_rt;

/* A global's storage: 16 bytes, aligned for v128. */
typedef struct welf_global_rt {
    _Alignas(16) welf_val_raw value;
} welf_global_rt;

/* Trap codes as compiled code passes them to builtins->trap: the
 * public welf_trap_code values under shorter names. */
enum {
    WELF_TRAP_UNREACHABLE = WELF_TRAP_CODE_UNREACHABLE,
    WELF_TRAP_INT_DIV_ZERO = WELF_TRAP_CODE_INT_DIV_ZERO,
    WELF_TRAP_INT_OVERFLOW = WELF_TRAP_CODE_INT_OVERFLOW,
    WELF_TRAP_BAD_CONVERSION = WELF_TRAP_CODE_BAD_CONVERSION,
    WELF_TRAP_MEMORY_OOB = WELF_TRAP_CODE_MEMORY_OOB,
    WELF_TRAP_TABLE_OOB = WELF_TRAP_CODE_TABLE_OOB,
    WELF_TRAP_INDIRECT_NULL = WELF_TRAP_CODE_INDIRECT_NULL,
    WELF_TRAP_INDIRECT_TYPE = WELF_TRAP_CODE_INDIRECT_TYPE,
    WELF_TRAP_STACK_EXHAUSTED = WELF_TRAP_CODE_STACK_EXHAUSTED,
    WELF_TRAP_NULL_REFERENCE = WELF_TRAP_CODE_NULL_REFERENCE,
    WELF_TRAP_UNDEFINED_ELEMENT = WELF_TRAP_CODE_UNDEFINED_ELEMENT,
};

/*
 * Runtime services called by compiled code through vmctx->builtins. All
 * take the calling instance's vmctx first. Index arguments name the
 * caller's own memory/table/segment index spaces. Functions that can
 * trap do not return when they do.
 */
typedef struct welf_builtins {
    /* `detail` is the element index for WELF_TRAP_INDIRECT_NULL and
     * WELF_TRAP_UNDEFINED_ELEMENT (the message names it), else 0. */
    void (*trap)(welf_vmctx *vm, uint32_t code, uint32_t detail);     /* 0 */
    uint32_t (*memory_grow)(welf_vmctx *vm, uint32_t mem,
                            uint32_t delta_pages);                    /* 8 */
    void (*memory_fill)(welf_vmctx *vm, uint32_t mem, uint32_t dst,
                        uint32_t value, uint32_t len);                /* 16 */
    void (*memory_copy)(welf_vmctx *vm, uint32_t dst_mem,
                        uint32_t src_mem, uint32_t dst, uint32_t src,
                        uint32_t len);                                /* 24 */
    void (*memory_init)(welf_vmctx *vm, uint32_t mem, uint32_t seg,
                        uint32_t dst, uint32_t src, uint32_t len);    /* 32 */
    void (*data_drop)(welf_vmctx *vm, uint32_t seg);                  /* 40 */
    uint32_t (*table_grow)(welf_vmctx *vm, uint32_t table, void *init,
                           uint32_t delta);                           /* 48 */
    void (*table_fill)(welf_vmctx *vm, uint32_t table, uint32_t dst,
                       void *value, uint32_t len);                    /* 56 */
    void (*table_copy)(welf_vmctx *vm, uint32_t dst_table,
                       uint32_t src_table, uint32_t dst, uint32_t src,
                       uint32_t len);                                 /* 64 */
    void (*table_init)(welf_vmctx *vm, uint32_t table, uint32_t seg,
                       uint32_t dst, uint32_t src, uint32_t len);     /* 72 */
    void (*elem_drop)(welf_vmctx *vm, uint32_t seg);                  /* 80 */
} welf_builtins;

/* State shared by all instances that call each other on one thread. */
typedef struct welf_call_state {
    uintptr_t stack_limit; /* 0: trap when the stack pointer is below */
} welf_call_state;

/*
 * The instance context, the first argument of every compiled function.
 * Compiled code depends on these offsets; the runtime may keep more
 * after them (the instance owns the vmctx).
 */
struct welf_vmctx {
    const welf_builtins *builtins;   /* 0 */
    welf_call_state *call_state;     /* 8 */
    uint8_t *memory0_base;           /* 16: memories[0]->base, or NULL */
    welf_memory_rt **memories;       /* 24 */
    welf_table_rt **tables;          /* 32 */
    welf_global_rt **globals;        /* 40 */
    welf_funcref **funcs;            /* 48: one per function index */
    const uint32_t *type_ids;        /* 56: canonical id per type index */
};

/* ---- the module descriptor (section .welf.module) ---- */

typedef struct welf_desc_type {
    uint32_t param_count;
    uint32_t result_count;
    const uint8_t *types;       /* params then results, binary encoding */
    void *wasm_to_array;        /* stub: wasm convention -> array_call */
    void *wasm_to_native;       /* stub: wasm convention -> native_call;
                                   NULL for several results (no native
                                   convention for them yet) */
} welf_desc_type;

enum { WELF_DESC_FUNC_ESCAPES = 1 };

typedef struct welf_desc_func {
    uint32_t type_index;
    uint32_t flags;             /* WELF_DESC_FUNC_* */
    void *wasm_call;            /* NULL for imports */
    void *array_call;           /* array entry, NULL unless it escapes */
    void *native_call;          /* native entry, NULL unless it escapes
                                   and has at most one result */
    const char *name;           /* from the name section, may be NULL */
    uint32_t name_len;
    uint32_t reserved;
    void *body;                 /* the body when wasm_call is an entry
                                   thunk in front of it (a function with
                                   the compiler's internal convention),
                                   else NULL: for backtraces */
} welf_desc_func;

typedef struct welf_desc_import {
    const char *module;
    const char *name;
    uint32_t module_len;
    uint32_t name_len;
    uint8_t kind;               /* 0 func, 1 table, 2 memory, 3 global */
    uint8_t reserved[3];
    uint32_t index;             /* in its kind's index space */
} welf_desc_import;

typedef struct welf_desc_limits {
    uint32_t min;
    uint32_t max;
    uint32_t has_max;
    uint32_t reserved;
} welf_desc_limits;

typedef struct welf_desc_table {
    welf_desc_limits limits;
    uint8_t elem_type;          /* 0x70 funcref, 0x6f externref */
    uint8_t reserved[7];
} welf_desc_table;

typedef struct welf_desc_memory {
    welf_desc_limits limits;    /* in pages */
} welf_desc_memory;

/* Writes a constant expression's value (global initialisers, segment
 * offsets, element expressions). Compiled from the wasm expression. */
typedef void (*welf_desc_init_fn)(welf_vmctx *vm, welf_val_raw *out);

typedef struct welf_desc_global {
    uint8_t type;
    uint8_t is_mutable;
    uint8_t reserved[6];
    welf_desc_init_fn init;     /* NULL for imports */
} welf_desc_global;

typedef struct welf_desc_export {
    const char *name;
    uint32_t name_len;
    uint8_t kind;
    uint8_t reserved[3];
    uint32_t index;
    uint32_t reserved2;
} welf_desc_export;

enum { WELF_DESC_ACTIVE = 0, WELF_DESC_PASSIVE = 1, WELF_DESC_DECLARATIVE = 2 };

typedef struct welf_desc_elem {
    uint8_t mode;
    uint8_t elem_type;
    uint8_t reserved[2];
    uint32_t table_index;
    uint32_t count;
    uint32_t reserved2;
    welf_desc_init_fn offset;   /* active only: writes an i32 */
    /* Segments given as function indices list them here; segments given
     * as expressions have one compiled function writing all `count`
     * references into out[0 .. count). Exactly one is non-NULL (both are
     * NULL when count is 0). */
    const uint32_t *func_indices;
    welf_desc_init_fn init;
} welf_desc_elem;

typedef struct welf_desc_data {
    uint8_t mode;
    uint8_t reserved[3];
    uint32_t memory_index;
    uint32_t size_bytes;
    uint32_t reserved2;
    welf_desc_init_fn offset;   /* active only: writes an i32 */
    const uint8_t *bytes;
} welf_desc_data;

typedef struct welf_desc_module {
    uint32_t magic;             /* WELF_ABI_MAGIC */
    uint32_t version;           /* WELF_ABI_VERSION */
    const char *target;         /* WELF_ABI_TARGET */
    const char *name;
    uint32_t name_len;
    uint32_t features;          /* welf_features it was compiled with */

    uint32_t type_count;
    uint32_t import_count;
    uint32_t func_count;
    uint32_t func_import_count;
    uint32_t table_count;
    uint32_t table_import_count;
    uint32_t memory_count;
    uint32_t memory_import_count;
    uint32_t global_count;
    uint32_t global_import_count;
    uint32_t export_count;
    uint32_t elem_count;
    uint32_t data_count;
    int32_t start_func;         /* -1: none */
    uint32_t cpu_level;         /* x86-64 micro-architecture level the code
                                   needs: 1 baseline, 2..4 x86-64-v2..v4 */

    const welf_desc_type *types;
    const welf_desc_import *imports;
    const welf_desc_func *funcs;
    const welf_desc_table *tables;
    const welf_desc_memory *memories;
    const welf_desc_global *globals;
    const welf_desc_export *exports;
    const welf_desc_elem *elems;
    const welf_desc_data *datas;

    const uint8_t *lines;       /* the line table (welf_lines_header,
                                   whose counts give its size); NULL
                                   when compiled without -g */
} welf_desc_module;

/*
 * The line table of an object compiled with -g: for each entry of a
 * function (its wasm body, array, native or wasm entry), which source
 * file and line each range of its code comes from, and which ranges
 * hold code of source functions inlined there, by offset from the
 * entry's address.
 * Position-independent (no relocations): the descriptor's funcs give
 * the entry addresses. Layout, all little-endian:
 *
 *   welf_lines_header
 *   uint32_t strings_at[string_count]   offsets into `strings`
 *   welf_lines_entry entries[entry_count], sorted by (func, kind)
 *   welf_lines_inline inlines[inline_count]
 *   uint8_t rows[rows_size]
 *   char strings[strings_size]          NUL-terminated
 *
 * File and function names are string indices (into strings_at).
 *
 * An entry's rows are row_count triples of LEB128 numbers starting at
 * rows[rows_offset]: the code offset's increase over the previous row
 * (unsigned), the line's change (signed) and the file (unsigned), the
 * previous offset and line starting at 0. A row holds from its offset up
 * to the next row's; line 0 means no source line (code the compiler made
 * up or merged from several lines). The row's file and line are the
 * innermost source location: inside code inlined from another function,
 * a line of that function.
 *
 * An entry's inline records are inlines[inline_first ...] (inline_count
 * of them): each says that [start, end) holds code of source function
 * `name` inlined at depth `depth` (1: into the entry's function itself,
 * 2: into a function inlined at depth 1, ...), called from call_file
 * line call_line of its caller. The records around one offset are
 * nested, one per depth.
 *
 * The runtime reads the table defensively: anything out of bounds reads
 * as "no line".
 */
#define WELF_LINES_MAGIC 0x314e4c57u /* "WLN1" little-endian */

enum {
    WELF_LINES_WASM = 0,        /* the body: funcs[func].body, else
                                   funcs[func].wasm_call */
    WELF_LINES_ARRAY = 1,       /* funcs[func].array_call */
    WELF_LINES_NATIVE = 2,      /* funcs[func].native_call */
    WELF_LINES_THUNK = 3,       /* funcs[func].wasm_call when it is an
                                   entry in front of funcs[func].body */
};

typedef struct welf_lines_header {
    uint32_t magic;             /* WELF_LINES_MAGIC */
    uint32_t string_count;
    uint32_t entry_count;
    uint32_t inline_count;
    uint32_t rows_size;
    uint32_t strings_size;
} welf_lines_header;

typedef struct welf_lines_entry {
    uint32_t func;
    uint32_t kind;              /* WELF_LINES_* */
    uint32_t rows_offset;
    uint32_t row_count;
    uint32_t inline_first;
    uint32_t inline_count;
} welf_lines_entry;

typedef struct welf_lines_inline {
    uint32_t start, end;        /* offsets in the entry */
    uint32_t depth;             /* 1 and up */
    uint32_t name;              /* string index: the inlined function */
    uint32_t call_file;         /* string index */
    uint32_t call_line;         /* 0 if unknown */
} welf_lines_inline;

#endif
