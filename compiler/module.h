/*
 * module.h — the decoded form of a WebAssembly module (spec 2.5), as the
 * decoder builds it and the validator and lowering read it.
 *
 * Everything hangs off the module's arena, including a copy of the input;
 * names and data bytes point into that copy. Index spaces (functions,
 * tables, memories, globals) hold imports first, then definitions, as in
 * the spec. Function bodies and constant expressions are kept as byte
 * ranges of the copy: the decoder has checked that they are well formed,
 * and welf_instr_read walks them again for validation and lowering.
 */
#ifndef WELF_MODULE_H
#define WELF_MODULE_H

#include "arena.h"

/* Value types, by their binary encoding (spec 5.3.1 - 5.3.3). */
typedef uint8_t welf_valtype;
enum {
    WELF_VT_UNKNOWN = 0x00, /* the validator's bottom type */
    WELF_VT_I32 = 0x7f,
    WELF_VT_I64 = 0x7e,
    WELF_VT_F32 = 0x7d,
    WELF_VT_F64 = 0x7c,
    WELF_VT_V128 = 0x7b,
    WELF_VT_FUNCREF = 0x70,
    WELF_VT_EXTERNREF = 0x6f,
};

WELF_INTERNAL bool welf_valtype_is_num(welf_valtype t);
WELF_INTERNAL bool welf_valtype_is_ref(welf_valtype t);
WELF_INTERNAL const char *welf_valtype_name(welf_valtype t);

typedef welf_extern_kind welf_externkind;

WELF_INTERNAL const char *welf_externkind_name(welf_externkind k);

/* A length-delimited name in the module copy (not NUL-terminated: names
 * may contain NUL). */
typedef struct welf_name {
    const uint8_t *bytes;
    uint32_t len;
} welf_name;

typedef struct welf_functype {
    uint32_t param_count;
    uint32_t result_count;
    const welf_valtype *params;
    const welf_valtype *results;
} welf_functype;

typedef struct welf_limits {
    uint32_t min;
    uint32_t max;      /* valid when has_max */
    bool has_max;
} welf_limits;

typedef struct welf_tabletype {
    welf_valtype elem;
    welf_limits limits;       /* in elements */
} welf_tabletype;

typedef struct welf_memtype {
    welf_limits limits;       /* in 64 KiB pages */
} welf_memtype;

typedef struct welf_globaltype {
    welf_valtype type;
    bool is_mutable;
} welf_globaltype;

/* A constant expression: its bytes, including the final `end`. */
typedef struct welf_expr {
    uint32_t offset;          /* module offset of the first instruction */
    uint32_t size_bytes;
} welf_expr;

typedef struct welf_import {
    welf_name module;
    welf_name field;
    welf_externkind kind;
    uint32_t offset;          /* module offset of the import entry */
    uint32_t index;           /* its index in its kind's index space */
} welf_import;

typedef struct welf_local_group {
    uint32_t count;
    welf_valtype type;
} welf_local_group;

typedef struct welf_func {
    uint32_t type_index;
    uint32_t import_index;    /* index into imports, or WELF_NO_INDEX */
    uint32_t decl_offset;     /* module offset of its import or function
                                 section entry */
    /* Defined functions only: */
    uint32_t body_offset;     /* module offset of the body's size field */
    uint32_t code_offset;     /* module offset of the first instruction */
    uint32_t code_end;        /* module offset one past the final `end` */
    uint32_t local_count;     /* declared locals, parameters excluded */
    uint32_t local_group_count;
    welf_local_group *local_groups;
} welf_func;

typedef struct welf_table {
    welf_tabletype type;
    uint32_t import_index;    /* or WELF_NO_INDEX */
    uint32_t offset;
} welf_table;

typedef struct welf_memory {
    welf_memtype type;
    uint32_t import_index;
    uint32_t offset;
} welf_memory;

typedef struct welf_global {
    welf_globaltype type;
    uint32_t import_index;
    welf_expr init;           /* defined globals only */
    uint32_t offset;
} welf_global;

typedef struct welf_export {
    welf_name name;
    welf_externkind kind;
    uint32_t index;
    uint32_t offset;
} welf_export;

typedef enum welf_segmode {
    WELF_SEG_ACTIVE,
    WELF_SEG_PASSIVE,
    WELF_SEG_DECLARATIVE,
} welf_segmode;

typedef struct welf_elem {
    welf_segmode mode;
    welf_valtype type;        /* funcref or externref */
    uint32_t table_index;     /* active only */
    welf_expr offset_expr;    /* active only */
    uint32_t count;
    uint32_t *func_indices;   /* when given as function indices, else NULL */
    welf_expr *exprs;         /* when given as expressions, else NULL */
    uint32_t offset;
} welf_elem;

typedef struct welf_data {
    welf_segmode mode;        /* active or passive */
    uint32_t memory_index;    /* active only */
    welf_expr offset_expr;    /* active only */
    const uint8_t *bytes;
    uint32_t size_bytes;
    uint32_t offset;
} welf_data;

typedef struct welf_custom {
    welf_name name;
    const uint8_t *bytes;     /* contents after the name */
    uint32_t size_bytes;
    uint32_t offset;          /* module offset of the contents */
} welf_custom;

struct welf_wasm {
    welf_arena arena;
    const uint8_t *bytes;     /* the arena's copy of the input */
    uint32_t size_bytes;
    welf_features features;

    welf_functype *types;
    uint32_t type_count;

    welf_import *imports;
    uint32_t import_count;

    welf_func *funcs;
    uint32_t func_count;
    uint32_t func_import_count;

    welf_table *tables;
    uint32_t table_count;
    uint32_t table_import_count;

    welf_memory *memories;
    uint32_t memory_count;
    uint32_t memory_import_count;

    welf_global *globals;
    uint32_t global_count;
    uint32_t global_import_count;

    welf_export *exports;
    uint32_t export_count;

    bool has_start;
    uint32_t start_func;
    uint32_t start_offset;

    welf_elem *elems;
    uint32_t elem_count;

    bool has_data_count;
    uint32_t data_count;      /* from the data count section */
    welf_data *datas;
    uint32_t data_seg_count;

    welf_custom *customs;
    uint32_t custom_count;

    /* From the "name" custom section, when present and well formed. */
    welf_name module_name;
    welf_name *func_names;    /* func_count entries; len 0 = unnamed */

    bool validated;
};

#endif
