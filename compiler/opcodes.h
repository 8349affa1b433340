/*
 * opcodes.h — instruction identities and the decoded form of one
 * instruction. The list itself is opcodes.def; this header turns it into
 * an enum (WELF_OP_I32_ADD, ...) and a table of names, immediate kinds and
 * simple signatures indexed by that enum.
 */
#ifndef WELF_OPCODES_H
#define WELF_OPCODES_H

#include "common.h"

#define WELF_OP_PREFIX_FC 0x100
#define WELF_OP_PREFIX_FD 0x200
#define WELF_OPINFO_COUNT 0x300

typedef enum welf_op {
#define OP(id, enm, name, imm, arg, sig) WELF_OP_##enm = id,
#include "opcodes.def"
#undef OP
} welf_op;

/* What follows an opcode in the binary (spec 5.4). */
typedef enum welf_imm {
    WELF_IMM_NONE,
    WELF_IMM_BLOCKTYPE,
    WELF_IMM_LABEL,
    WELF_IMM_BR_TABLE,
    WELF_IMM_FUNC,
    WELF_IMM_CALL_INDIRECT,
    WELF_IMM_SELECT_T,
    WELF_IMM_LOCAL,
    WELF_IMM_GLOBAL,
    WELF_IMM_TABLE,
    WELF_IMM_MEMARG,
    WELF_IMM_MEMARG_LANE,
    WELF_IMM_MEMIDX,
    WELF_IMM_I32,
    WELF_IMM_I64,
    WELF_IMM_F32,
    WELF_IMM_F64,
    WELF_IMM_V128,
    WELF_IMM_SHUFFLE,
    WELF_IMM_LANE,
    WELF_IMM_REFTYPE,
    WELF_IMM_MEMORY_INIT,
    WELF_IMM_MEMORY_COPY,
    WELF_IMM_DATA,
    WELF_IMM_TABLE_INIT,
    WELF_IMM_TABLE_COPY,
    WELF_IMM_ELEM,
} welf_imm;

typedef struct welf_opinfo {
    const char *name;     /* NULL: no such opcode */
    uint8_t imm;          /* welf_imm */
    uint8_t arg;          /* see opcodes.def */
    const char *sig;      /* see opcodes.def */
} welf_opinfo;

WELF_INTERNAL extern const welf_opinfo welf_opinfos[WELF_OPINFO_COUNT];

/* Block type kinds of block/loop/if (spec 5.4.1). */
enum { WELF_BT_EMPTY, WELF_BT_VALUE, WELF_BT_INDEX };

typedef struct welf_instr {
    uint16_t op;              /* welf_op */
    uint32_t offset;          /* module offset of the opcode */
    union {
        struct {
            uint8_t kind;     /* WELF_BT_* */
            uint8_t valtype;  /* kind == WELF_BT_VALUE */
            uint32_t type_index; /* kind == WELF_BT_INDEX */
        } block;
        uint32_t index;       /* label, func, local, global, table, memory,
                                 elem or data index */
        struct {
            uint32_t type_index;
            uint32_t table_index;
        } call_indirect;
        struct {
            uint32_t count;   /* targets before the default */
            const uint8_t *targets; /* count LEB128 labels, checked */
            uint32_t default_label;
        } br_table;
        struct {
            uint32_t align_log2;
            uint32_t memory;
            uint32_t offset;
            uint8_t lane;
        } memarg;
        int32_t i32;
        int64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        uint8_t bytes16[16];  /* v128.const value, shuffle lanes */
        uint8_t lane;
        uint8_t reftype;
        struct {
            uint32_t count;   /* number of types given (valid only if 1) */
            uint8_t type;     /* the first */
        } select_t;
        struct {
            uint32_t a;       /* table.init: elem; memory.init: data;
                                 table/memory.copy: destination */
            uint32_t b;       /* table.init: table; memory.init: memory;
                                 table/memory.copy: source */
        } pair;
    } u;
} welf_instr;

#endif
