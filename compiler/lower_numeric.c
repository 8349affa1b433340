/*
 * lower_numeric.c — lowering of the numeric instructions (spec 4.3 for
 * their semantics, 2.4.1 for the list): constants, eqz and comparisons,
 * integer and float unary and binary arithmetic, conversions,
 * reinterpretations, sign extension and the saturating truncations of
 * the 0xfc prefix. SIMD lives elsewhere.
 *
 * Each opcode maps to a row of `numeric_ops`: a kind saying how to lower
 * it and the LLVM opcode, predicate or intrinsic it uses. Operand and
 * result types come from the instruction's signature in opcodes.def, so
 * the rows only say what differs between instructions.
 *
 * Every wasm rule LLVM does not already give us is spelled out here:
 * trapping division and truncation, shift counts taken modulo the width,
 * the avoidance of LLVM's undefined behaviour (srem INT_MIN, -1; shifts
 * by the width or more; ctlz/cttz of zero), and NaN results that must
 * not stay signalling (canonical_nan_if_nan).
 */
#include "lower.h"

typedef enum numeric_kind {
    K_NONE,        /* not a numeric instruction */
    K_NOP,         /* nop: nothing to do */
    K_CONST,       /* i32/i64/f32/f64.const */
    K_EQZ,         /* i32/i64.eqz */
    K_ICMP,        /* integer comparison, `pred` an LLVMIntPredicate */
    K_FCMP,        /* float comparison, `pred` an LLVMRealPredicate */
    K_BINOP,       /* plain LLVM binary instruction `opcode` */
    K_SHIFT,       /* shl/ashr/lshr with the count masked */
    K_DIVREM,      /* sdiv/udiv/srem/urem with wasm's traps */
    K_ROTATE,      /* `intrinsic` is llvm.fshl or llvm.fshr */
    K_BITCOUNT,    /* llvm.ctlz/cttz, with is_zero_poison false */
    K_FNEG,        /* fneg */
    K_INTRIN1,     /* unary intrinsic overloaded on the operand type */
    K_INTRIN2,     /* binary intrinsic overloaded on the operand type */
    K_CAST,        /* LLVM cast `opcode` to the result type */
    K_EXTEND_S,    /* iN.extendM_s: trunc to `narrow` bits, then sext */
    K_TRUNC,       /* trapping float-to-int truncation */
    K_TRUNC_SAT,   /* saturating float-to-int truncation */
    K_ROUND,       /* ceil/floor/trunc/nearest, `narrow` a round_mode */
} numeric_kind;

typedef enum round_mode { R_CEIL, R_FLOOR, R_TRUNC, R_NEAREST } round_mode;

typedef struct numeric_op {
    numeric_kind kind;
    LLVMOpcode opcode;         /* K_BINOP, K_SHIFT, K_DIVREM, K_CAST */
    int pred;                  /* K_ICMP, K_FCMP */
    const char *intrinsic;     /* K_ROTATE, K_BITCOUNT, K_INTRIN1/2 */
    unsigned narrow;           /* K_EXTEND_S: bits kept */
    bool is_signed;            /* K_TRUNC, K_TRUNC_SAT */
    bool canon_nan;            /* a NaN result becomes the canonical NaN,
                                  see canonical_nan_if_nan */
} numeric_op;

#define NUMERIC_OP_COUNT (WELF_OP_I64_TRUNC_SAT_F64_U + 1)

static const numeric_op numeric_ops[NUMERIC_OP_COUNT] = {
    [WELF_OP_NOP] = {.kind = K_NOP},

    [WELF_OP_I32_CONST] = {.kind = K_CONST},
    [WELF_OP_I64_CONST] = {.kind = K_CONST},
    [WELF_OP_F32_CONST] = {.kind = K_CONST},
    [WELF_OP_F64_CONST] = {.kind = K_CONST},

    [WELF_OP_I32_EQZ] = {.kind = K_EQZ},
    [WELF_OP_I64_EQZ] = {.kind = K_EQZ},

    [WELF_OP_I32_EQ] = {.kind = K_ICMP, .pred = LLVMIntEQ},
    [WELF_OP_I32_NE] = {.kind = K_ICMP, .pred = LLVMIntNE},
    [WELF_OP_I32_LT_S] = {.kind = K_ICMP, .pred = LLVMIntSLT},
    [WELF_OP_I32_LT_U] = {.kind = K_ICMP, .pred = LLVMIntULT},
    [WELF_OP_I32_GT_S] = {.kind = K_ICMP, .pred = LLVMIntSGT},
    [WELF_OP_I32_GT_U] = {.kind = K_ICMP, .pred = LLVMIntUGT},
    [WELF_OP_I32_LE_S] = {.kind = K_ICMP, .pred = LLVMIntSLE},
    [WELF_OP_I32_LE_U] = {.kind = K_ICMP, .pred = LLVMIntULE},
    [WELF_OP_I32_GE_S] = {.kind = K_ICMP, .pred = LLVMIntSGE},
    [WELF_OP_I32_GE_U] = {.kind = K_ICMP, .pred = LLVMIntUGE},
    [WELF_OP_I64_EQ] = {.kind = K_ICMP, .pred = LLVMIntEQ},
    [WELF_OP_I64_NE] = {.kind = K_ICMP, .pred = LLVMIntNE},
    [WELF_OP_I64_LT_S] = {.kind = K_ICMP, .pred = LLVMIntSLT},
    [WELF_OP_I64_LT_U] = {.kind = K_ICMP, .pred = LLVMIntULT},
    [WELF_OP_I64_GT_S] = {.kind = K_ICMP, .pred = LLVMIntSGT},
    [WELF_OP_I64_GT_U] = {.kind = K_ICMP, .pred = LLVMIntUGT},
    [WELF_OP_I64_LE_S] = {.kind = K_ICMP, .pred = LLVMIntSLE},
    [WELF_OP_I64_LE_U] = {.kind = K_ICMP, .pred = LLVMIntULE},
    [WELF_OP_I64_GE_S] = {.kind = K_ICMP, .pred = LLVMIntSGE},
    [WELF_OP_I64_GE_U] = {.kind = K_ICMP, .pred = LLVMIntUGE},

    /* Spec 4.3.3 feq..fge: every comparison with a NaN is false except
     * ne, which is true: ordered predicates, and unordered for ne. */
    [WELF_OP_F32_EQ] = {.kind = K_FCMP, .pred = LLVMRealOEQ},
    [WELF_OP_F32_NE] = {.kind = K_FCMP, .pred = LLVMRealUNE},
    [WELF_OP_F32_LT] = {.kind = K_FCMP, .pred = LLVMRealOLT},
    [WELF_OP_F32_GT] = {.kind = K_FCMP, .pred = LLVMRealOGT},
    [WELF_OP_F32_LE] = {.kind = K_FCMP, .pred = LLVMRealOLE},
    [WELF_OP_F32_GE] = {.kind = K_FCMP, .pred = LLVMRealOGE},
    [WELF_OP_F64_EQ] = {.kind = K_FCMP, .pred = LLVMRealOEQ},
    [WELF_OP_F64_NE] = {.kind = K_FCMP, .pred = LLVMRealUNE},
    [WELF_OP_F64_LT] = {.kind = K_FCMP, .pred = LLVMRealOLT},
    [WELF_OP_F64_GT] = {.kind = K_FCMP, .pred = LLVMRealOGT},
    [WELF_OP_F64_LE] = {.kind = K_FCMP, .pred = LLVMRealOLE},
    [WELF_OP_F64_GE] = {.kind = K_FCMP, .pred = LLVMRealOGE},

    [WELF_OP_I32_CLZ] = {.kind = K_BITCOUNT, .intrinsic = "llvm.ctlz"},
    [WELF_OP_I32_CTZ] = {.kind = K_BITCOUNT, .intrinsic = "llvm.cttz"},
    [WELF_OP_I32_POPCNT] = {.kind = K_INTRIN1, .intrinsic = "llvm.ctpop"},
    [WELF_OP_I32_ADD] = {.kind = K_BINOP, .opcode = LLVMAdd},
    [WELF_OP_I32_SUB] = {.kind = K_BINOP, .opcode = LLVMSub},
    [WELF_OP_I32_MUL] = {.kind = K_BINOP, .opcode = LLVMMul},
    [WELF_OP_I32_DIV_S] = {.kind = K_DIVREM, .opcode = LLVMSDiv},
    [WELF_OP_I32_DIV_U] = {.kind = K_DIVREM, .opcode = LLVMUDiv},
    [WELF_OP_I32_REM_S] = {.kind = K_DIVREM, .opcode = LLVMSRem},
    [WELF_OP_I32_REM_U] = {.kind = K_DIVREM, .opcode = LLVMURem},
    [WELF_OP_I32_AND] = {.kind = K_BINOP, .opcode = LLVMAnd},
    [WELF_OP_I32_OR] = {.kind = K_BINOP, .opcode = LLVMOr},
    [WELF_OP_I32_XOR] = {.kind = K_BINOP, .opcode = LLVMXor},
    [WELF_OP_I32_SHL] = {.kind = K_SHIFT, .opcode = LLVMShl},
    [WELF_OP_I32_SHR_S] = {.kind = K_SHIFT, .opcode = LLVMAShr},
    [WELF_OP_I32_SHR_U] = {.kind = K_SHIFT, .opcode = LLVMLShr},
    [WELF_OP_I32_ROTL] = {.kind = K_ROTATE, .intrinsic = "llvm.fshl"},
    [WELF_OP_I32_ROTR] = {.kind = K_ROTATE, .intrinsic = "llvm.fshr"},

    [WELF_OP_I64_CLZ] = {.kind = K_BITCOUNT, .intrinsic = "llvm.ctlz"},
    [WELF_OP_I64_CTZ] = {.kind = K_BITCOUNT, .intrinsic = "llvm.cttz"},
    [WELF_OP_I64_POPCNT] = {.kind = K_INTRIN1, .intrinsic = "llvm.ctpop"},
    [WELF_OP_I64_ADD] = {.kind = K_BINOP, .opcode = LLVMAdd},
    [WELF_OP_I64_SUB] = {.kind = K_BINOP, .opcode = LLVMSub},
    [WELF_OP_I64_MUL] = {.kind = K_BINOP, .opcode = LLVMMul},
    [WELF_OP_I64_DIV_S] = {.kind = K_DIVREM, .opcode = LLVMSDiv},
    [WELF_OP_I64_DIV_U] = {.kind = K_DIVREM, .opcode = LLVMUDiv},
    [WELF_OP_I64_REM_S] = {.kind = K_DIVREM, .opcode = LLVMSRem},
    [WELF_OP_I64_REM_U] = {.kind = K_DIVREM, .opcode = LLVMURem},
    [WELF_OP_I64_AND] = {.kind = K_BINOP, .opcode = LLVMAnd},
    [WELF_OP_I64_OR] = {.kind = K_BINOP, .opcode = LLVMOr},
    [WELF_OP_I64_XOR] = {.kind = K_BINOP, .opcode = LLVMXor},
    [WELF_OP_I64_SHL] = {.kind = K_SHIFT, .opcode = LLVMShl},
    [WELF_OP_I64_SHR_S] = {.kind = K_SHIFT, .opcode = LLVMAShr},
    [WELF_OP_I64_SHR_U] = {.kind = K_SHIFT, .opcode = LLVMLShr},
    [WELF_OP_I64_ROTL] = {.kind = K_ROTATE, .intrinsic = "llvm.fshl"},
    [WELF_OP_I64_ROTR] = {.kind = K_ROTATE, .intrinsic = "llvm.fshr"},

    /* Spec 4.3.3 fabs/fneg/fcopysign act on the sign bit alone and keep
     * NaN payloads; LLVM's fabs, fneg and copysign are bitwise too.
     * fnearest rounds ties to even (see lower_round).
     * fmin/fmax propagate NaN and order -0 below +0: llvm.minimum and
     * llvm.maximum (not minnum/maxnum, which ignore a NaN).
     * canon_nan: see canonical_nan_if_nan. */
    [WELF_OP_F32_ABS] = {.kind = K_INTRIN1, .intrinsic = "llvm.fabs"},
    [WELF_OP_F32_NEG] = {.kind = K_FNEG},
    [WELF_OP_F32_CEIL] = {.kind = K_ROUND, .narrow = R_CEIL},
    [WELF_OP_F32_FLOOR] = {.kind = K_ROUND, .narrow = R_FLOOR},
    [WELF_OP_F32_TRUNC] = {.kind = K_ROUND, .narrow = R_TRUNC},
    [WELF_OP_F32_NEAREST] = {.kind = K_ROUND, .narrow = R_NEAREST},
    [WELF_OP_F32_SQRT] = {.kind = K_INTRIN1, .intrinsic = "llvm.sqrt"},
    [WELF_OP_F32_ADD] = {.kind = K_BINOP, .opcode = LLVMFAdd,
                         .canon_nan = true},
    [WELF_OP_F32_SUB] = {.kind = K_BINOP, .opcode = LLVMFSub,
                         .canon_nan = true},
    [WELF_OP_F32_MUL] = {.kind = K_BINOP, .opcode = LLVMFMul,
                         .canon_nan = true},
    [WELF_OP_F32_DIV] = {.kind = K_BINOP, .opcode = LLVMFDiv,
                         .canon_nan = true},
    [WELF_OP_F32_MIN] = {.kind = K_INTRIN2, .intrinsic = "llvm.minimum",
                         .canon_nan = true},
    [WELF_OP_F32_MAX] = {.kind = K_INTRIN2, .intrinsic = "llvm.maximum",
                         .canon_nan = true},
    [WELF_OP_F32_COPYSIGN] = {.kind = K_INTRIN2,
                              .intrinsic = "llvm.copysign"},

    [WELF_OP_F64_ABS] = {.kind = K_INTRIN1, .intrinsic = "llvm.fabs"},
    [WELF_OP_F64_NEG] = {.kind = K_FNEG},
    [WELF_OP_F64_CEIL] = {.kind = K_ROUND, .narrow = R_CEIL},
    [WELF_OP_F64_FLOOR] = {.kind = K_ROUND, .narrow = R_FLOOR},
    [WELF_OP_F64_TRUNC] = {.kind = K_ROUND, .narrow = R_TRUNC},
    [WELF_OP_F64_NEAREST] = {.kind = K_ROUND, .narrow = R_NEAREST},
    [WELF_OP_F64_SQRT] = {.kind = K_INTRIN1, .intrinsic = "llvm.sqrt"},
    [WELF_OP_F64_ADD] = {.kind = K_BINOP, .opcode = LLVMFAdd,
                         .canon_nan = true},
    [WELF_OP_F64_SUB] = {.kind = K_BINOP, .opcode = LLVMFSub,
                         .canon_nan = true},
    [WELF_OP_F64_MUL] = {.kind = K_BINOP, .opcode = LLVMFMul,
                         .canon_nan = true},
    [WELF_OP_F64_DIV] = {.kind = K_BINOP, .opcode = LLVMFDiv,
                         .canon_nan = true},
    [WELF_OP_F64_MIN] = {.kind = K_INTRIN2, .intrinsic = "llvm.minimum",
                         .canon_nan = true},
    [WELF_OP_F64_MAX] = {.kind = K_INTRIN2, .intrinsic = "llvm.maximum",
                         .canon_nan = true},
    [WELF_OP_F64_COPYSIGN] = {.kind = K_INTRIN2,
                              .intrinsic = "llvm.copysign"},

    [WELF_OP_I32_WRAP_I64] = {.kind = K_CAST, .opcode = LLVMTrunc},
    [WELF_OP_I32_TRUNC_F32_S] = {.kind = K_TRUNC, .is_signed = true},
    [WELF_OP_I32_TRUNC_F32_U] = {.kind = K_TRUNC, .is_signed = false},
    [WELF_OP_I32_TRUNC_F64_S] = {.kind = K_TRUNC, .is_signed = true},
    [WELF_OP_I32_TRUNC_F64_U] = {.kind = K_TRUNC, .is_signed = false},
    [WELF_OP_I64_EXTEND_I32_S] = {.kind = K_CAST, .opcode = LLVMSExt},
    [WELF_OP_I64_EXTEND_I32_U] = {.kind = K_CAST, .opcode = LLVMZExt},
    [WELF_OP_I64_TRUNC_F32_S] = {.kind = K_TRUNC, .is_signed = true},
    [WELF_OP_I64_TRUNC_F32_U] = {.kind = K_TRUNC, .is_signed = false},
    [WELF_OP_I64_TRUNC_F64_S] = {.kind = K_TRUNC, .is_signed = true},
    [WELF_OP_I64_TRUNC_F64_U] = {.kind = K_TRUNC, .is_signed = false},
    /* sitofp/uitofp round to nearest, ties to even, as spec 4.3.4
     * convert asks; fptrunc likewise (demote), and fpext is exact. */
    [WELF_OP_F32_CONVERT_I32_S] = {.kind = K_CAST, .opcode = LLVMSIToFP},
    [WELF_OP_F32_CONVERT_I32_U] = {.kind = K_CAST, .opcode = LLVMUIToFP},
    [WELF_OP_F32_CONVERT_I64_S] = {.kind = K_CAST, .opcode = LLVMSIToFP},
    [WELF_OP_F32_CONVERT_I64_U] = {.kind = K_CAST, .opcode = LLVMUIToFP},
    [WELF_OP_F32_DEMOTE_F64] = {.kind = K_CAST, .opcode = LLVMFPTrunc,
                                .canon_nan = true},
    [WELF_OP_F64_CONVERT_I32_S] = {.kind = K_CAST, .opcode = LLVMSIToFP},
    [WELF_OP_F64_CONVERT_I32_U] = {.kind = K_CAST, .opcode = LLVMUIToFP},
    [WELF_OP_F64_CONVERT_I64_S] = {.kind = K_CAST, .opcode = LLVMSIToFP},
    [WELF_OP_F64_CONVERT_I64_U] = {.kind = K_CAST, .opcode = LLVMUIToFP},
    [WELF_OP_F64_PROMOTE_F32] = {.kind = K_CAST, .opcode = LLVMFPExt,
                                 .canon_nan = true},
    [WELF_OP_I32_REINTERPRET_F32] = {.kind = K_CAST, .opcode = LLVMBitCast},
    [WELF_OP_I64_REINTERPRET_F64] = {.kind = K_CAST, .opcode = LLVMBitCast},
    [WELF_OP_F32_REINTERPRET_I32] = {.kind = K_CAST, .opcode = LLVMBitCast},
    [WELF_OP_F64_REINTERPRET_I64] = {.kind = K_CAST, .opcode = LLVMBitCast},

    [WELF_OP_I32_EXTEND8_S] = {.kind = K_EXTEND_S, .narrow = 8},
    [WELF_OP_I32_EXTEND16_S] = {.kind = K_EXTEND_S, .narrow = 16},
    [WELF_OP_I64_EXTEND8_S] = {.kind = K_EXTEND_S, .narrow = 8},
    [WELF_OP_I64_EXTEND16_S] = {.kind = K_EXTEND_S, .narrow = 16},
    [WELF_OP_I64_EXTEND32_S] = {.kind = K_EXTEND_S, .narrow = 32},

    /* Spec 4.3.4 trunc_sat_s/trunc_sat_u: NaN gives 0, out-of-range
     * values clamp to the nearest bound, exactly as llvm.fptosi.sat and
     * llvm.fptoui.sat do. */
    [WELF_OP_I32_TRUNC_SAT_F32_S] = {.kind = K_TRUNC_SAT, .is_signed = true},
    [WELF_OP_I32_TRUNC_SAT_F32_U] = {.kind = K_TRUNC_SAT, .is_signed = false},
    [WELF_OP_I32_TRUNC_SAT_F64_S] = {.kind = K_TRUNC_SAT, .is_signed = true},
    [WELF_OP_I32_TRUNC_SAT_F64_U] = {.kind = K_TRUNC_SAT, .is_signed = false},
    [WELF_OP_I64_TRUNC_SAT_F32_S] = {.kind = K_TRUNC_SAT, .is_signed = true},
    [WELF_OP_I64_TRUNC_SAT_F32_U] = {.kind = K_TRUNC_SAT, .is_signed = false},
    [WELF_OP_I64_TRUNC_SAT_F64_S] = {.kind = K_TRUNC_SAT, .is_signed = true},
    [WELF_OP_I64_TRUNC_SAT_F64_U] = {.kind = K_TRUNC_SAT, .is_signed = false},
};

/*
 * The range of a trapping truncation (spec 4.3.4 trunc_u/trunc_s): the
 * result is defined when trunc(x) fits the target, i.e. for the signed
 * N-bit case -2^(N-1) - 1 < x < 2^(N-1) and for the unsigned case
 * -1 < x < 2^N, in exact arithmetic. Every bound below is exactly
 * representable in the source type, so the float comparisons are exact:
 *
 *   - The upper bounds 2^31, 2^32, 2^63, 2^64 are powers of two: x < hi.
 *   - The unsigned lower bound -1 is exact: x > -1.
 *   - The signed lower bound -2^(N-1) - 1 is exact only for f64 -> i32
 *     (-2147483649.0): x > lo. For f32 -> i32, f32 -> i64 and f64 -> i64
 *     the next float below -2^(N-1) is more than 1 below it, so the test
 *     becomes x >= -2^(N-1).
 *
 * The comparisons are ordered (false for NaN); NaN is tested first and
 * traps as an invalid conversion rather than an overflow.
 */
typedef struct trunc_range {
    uint16_t op;
    double lo;
    bool lo_inclusive;
    double hi;
} trunc_range;

static const trunc_range trunc_ranges[] = {
    {WELF_OP_I32_TRUNC_F32_S, -2147483648.0, true, 2147483648.0},
    {WELF_OP_I32_TRUNC_F32_U, -1.0, false, 4294967296.0},
    {WELF_OP_I32_TRUNC_F64_S, -2147483649.0, false, 2147483648.0},
    {WELF_OP_I32_TRUNC_F64_U, -1.0, false, 4294967296.0},
    {WELF_OP_I64_TRUNC_F32_S, -9223372036854775808.0, true,
     9223372036854775808.0},
    {WELF_OP_I64_TRUNC_F32_U, -1.0, false, 18446744073709551616.0},
    {WELF_OP_I64_TRUNC_F64_S, -9223372036854775808.0, true,
     9223372036854775808.0},
    {WELF_OP_I64_TRUNC_F64_U, -1.0, false, 18446744073709551616.0},
};

/* Every non-SIMD instruction typed by a plain signature whose immediate,
 * if any, is a constant. That includes nop, which lowers to nothing. */
bool welf_lower_is_numeric(uint16_t op)
{
    if (op >= WELF_OP_PREFIX_FD)
        return false;
    const welf_opinfo *info = &welf_opinfos[op];
    if (info->name == NULL || info->sig == NULL)
        return false;
    switch (info->imm) {
    case WELF_IMM_NONE:
    case WELF_IMM_I32:
    case WELF_IMM_I64:
    case WELF_IMM_F32:
    case WELF_IMM_F64:
        return true;
    default:
        return false;
    }
}

/* The LLVM type of a signature letter (opcodes.def). */
static LLVMTypeRef sig_type(welf_lower_module *lm, char c)
{
    switch (c) {
    case 'i': return lm->t_i32;
    case 'l': return lm->t_i64;
    case 'f': return lm->t_f32;
    case 'd': return lm->t_f64;
    case 'v': return lm->t_v128;
    default: return NULL;
    }
}

static LLVMValueRef bool_to_i32(welf_lower_fn *f, LLVMValueRef cond)
{
    return LLVMBuildZExt(f->b, cond, f->lm->t_i32, "");
}

/* welf_lower_trap_if, skipped when the builder folded `cond` to false
 * (e.g. a division by a nonzero constant). */
static void trap_unless_false(welf_lower_fn *f, LLVMValueRef cond,
                              uint32_t code)
{
    if (LLVMIsAConstantInt(cond) && LLVMConstIntGetZExtValue(cond) == 0)
        return;
    welf_lower_trap_if(f, cond, code);
}

/*
 * Spec 4.3.3 nans_N (used by fadd, fmin, ..., and by 4.3.4 demote and
 * promote): a NaN result is the canonical NaN when every NaN operand is
 * canonical, and otherwise any arithmetic NaN (quiet bit set). The
 * canonical NaN is right in both cases; a signalling NaN never is. LLVM
 * does not promise to quiet signalling NaNs (LangRef, "Behavior of
 * Floating-Point NaN values"), and in practice does not:
 *
 *   - x86 lowers llvm.minimum/maximum by passing a NaN operand through
 *     unchanged, so min(sNaN, 1) would return the sNaN even unoptimized;
 *   - InstCombine folds x - 0.0, x + -0.0, x * 1.0, x / 1.0 to x, x * -1.0
 *     and x / -1.0 to fneg x, and fptrunc(fpext x) to x, whereupon an sNaN
 *     operand escapes (spec test float_exprs.wast, "no_fold_*").
 *
 * So the rows marked canon_nan replace a NaN result by the canonical NaN:
 * a compare and a select, which the optimizer drops when it can prove the
 * result is never NaN. The guard only matters where one of those folds
 * happened: after optimization, welf_lower_drop_nan_guards (below)
 * removes it wherever the fadd, fsub, fmul or fdiv is still there with no
 * constant operand that allows such a fold (±0 added or subtracted, ±1
 * as a factor or divisor), because SSE arithmetic quiets NaNs itself.
 * What stays costs a few instructions (min, max, demote, promote, and
 * arithmetic on such a constant).
 *
 * fneg, fabs and copysign are bit operations whose NaN results keep their
 * payloads by definition; ceil, floor, trunc, nearest and sqrt have no
 * such folds and quiet NaNs in hardware.
 */
static LLVMValueRef canonical_nan_if_nan(welf_lower_fn *f, LLVMValueRef v)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef nan;
    if (LLVMTypeOf(v) == lm->t_f32)
        nan = LLVMConstBitCast(LLVMConstInt(lm->t_i32, 0x7fc00000u, false),
                               lm->t_f32);
    else
        nan = LLVMConstBitCast(
            LLVMConstInt(lm->t_i64, 0x7ff8000000000000ull, false), lm->t_f64);
    LLVMValueRef is_nan = LLVMBuildFCmp(f->b, LLVMRealUNO, v, v, "");
    return LLVMBuildSelect(f->b, is_nan, nan, v, "");
}

/*
 * fceil, ffloor, ftrunc and fnearest (spec 4.3.3) in plain SSE2: the
 * baseline x86-64 has no roundss/roundsd, and LLVM would otherwise call
 * libm's ceilf & co., which an object without undefined symbols cannot.
 * A value of magnitude 2^23 (f32) or 2^52 (f64) and more is already
 * integral, and so are infinities; a NaN becomes the canonical NaN.
 * Smaller values round through an integer conversion (toward zero, then
 * one step up or down for ceil and floor) or, for nearest, through
 * (|x| + 2^k) - 2^k, which rounds ties to even in the default rounding
 * mode. The sign is copied back so that, e.g., ceil(-0.5) is -0.0.
 */
static LLVMValueRef lower_round(welf_lower_fn *f, round_mode mode,
                                LLVMValueRef x)
{
    LLVMBuilderRef b = f->b;
    LLVMTypeRef t = LLVMTypeOf(x);
    bool is64 = t == f->lm->t_f64;
    LLVMTypeRef it = is64 ? f->lm->t_i64 : f->lm->t_i32;
    LLVMValueRef big = LLVMConstReal(t, is64 ? 4503599627370496.0
                                             : 8388608.0);
    LLVMValueRef one = LLVMConstReal(t, 1.0);
    LLVMValueRef ax = welf_lower_intrinsic(f, "llvm.fabs", &t, 1, &x, 1);
    LLVMValueRef small = LLVMBuildFCmp(b, LLVMRealOLT, ax, big, "");
    LLVMValueRef r;
    if (mode == R_NEAREST) {
        r = LLVMBuildFSub(b, LLVMBuildFAdd(b, ax, big, ""), big, "");
    } else {
        /* x is small here or the result is discarded: the conversion
         * cannot overflow where it matters. Freeze keeps LLVM from
         * treating the out-of-range case as poison. */
        LLVMValueRef in_range = LLVMBuildSelect(b, small, x,
                                                LLVMConstReal(t, 0.0), "");
        LLVMValueRef fx = LLVMBuildFreeze(b, in_range, "");
        r = LLVMBuildSIToFP(b, LLVMBuildFPToSI(b, fx, it, ""), t, "");
        if (mode == R_CEIL)
            r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, r, x, ""),
                                LLVMBuildFAdd(b, r, one, ""), r, "");
        else if (mode == R_FLOOR)
            r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, r, x, ""),
                                LLVMBuildFSub(b, r, one, ""), r, "");
    }
    LLVMValueRef args[2] = {r, x};
    r = welf_lower_intrinsic(f, "llvm.copysign", &t, 1, args, 2);
    return canonical_nan_if_nan(f, LLVMBuildSelect(b, small, r, x, ""));
}

static LLVMValueRef lower_const(welf_lower_fn *f, const welf_instr *in)
{
    welf_lower_module *lm = f->lm;
    switch (in->op) {
    case WELF_OP_I32_CONST:
        return LLVMConstInt(lm->t_i32, (uint32_t)in->u.i32, false);
    case WELF_OP_I64_CONST:
        return LLVMConstInt(lm->t_i64, (uint64_t)in->u.i64, false);
    /* Float constants are built from their bits so that every NaN,
     * signalling ones included, keeps its exact payload. */
    case WELF_OP_F32_CONST:
        return LLVMConstBitCast(
            LLVMConstInt(lm->t_i32, in->u.f32_bits, false), lm->t_f32);
    case WELF_OP_F64_CONST:
        return LLVMConstBitCast(
            LLVMConstInt(lm->t_i64, in->u.f64_bits, false), lm->t_f64);
    default:
        return NULL;
    }
}

/*
 * Spec 4.3.2 idiv_s/idiv_u/irem_s/irem_u: every division traps on a zero
 * divisor; div_s also traps when the quotient INT_MIN / -1 overflows.
 * rem_s of INT_MIN by -1 is 0, but LLVM's srem is undefined there, so a
 * divisor of -1 is replaced by 1 (x rem -1 == x rem 1 == 0 for every x).
 */
static LLVMValueRef lower_divrem(welf_lower_fn *f, LLVMOpcode opcode,
                                 LLVMValueRef lhs, LLVMValueRef rhs)
{
    LLVMBuilderRef b = f->b;
    LLVMTypeRef t = LLVMTypeOf(rhs);
    unsigned width = LLVMGetIntTypeWidth(t);
    LLVMValueRef zero = LLVMConstInt(t, 0, false);
    LLVMValueRef minus_one = LLVMConstAllOnes(t);
    LLVMValueRef int_min = LLVMConstInt(t, 1ull << (width - 1), false);

    trap_unless_false(f, LLVMBuildICmp(b, LLVMIntEQ, rhs, zero, ""),
                      WELF_TRAP_INT_DIV_ZERO);

    if (opcode == LLVMSDiv) {
        LLVMValueRef overflow = LLVMBuildAnd(
            b, LLVMBuildICmp(b, LLVMIntEQ, lhs, int_min, ""),
            LLVMBuildICmp(b, LLVMIntEQ, rhs, minus_one, ""), "");
        trap_unless_false(f, overflow, WELF_TRAP_INT_OVERFLOW);
    } else if (opcode == LLVMSRem) {
        LLVMValueRef is_minus_one =
            LLVMBuildICmp(b, LLVMIntEQ, rhs, minus_one, "");
        rhs = LLVMBuildSelect(b, is_minus_one, LLVMConstInt(t, 1, false),
                              rhs, "");
    }
    return LLVMBuildBinOp(b, opcode, lhs, rhs, "");
}

/* Spec 4.3.2 ishl/ishr_s/ishr_u: the count is taken modulo the width.
 * LLVM shifts by the width or more give poison, so mask it. */
static LLVMValueRef lower_shift(welf_lower_fn *f, LLVMOpcode opcode,
                                LLVMValueRef lhs, LLVMValueRef rhs)
{
    LLVMTypeRef t = LLVMTypeOf(rhs);
    LLVMValueRef mask = LLVMConstInt(t, LLVMGetIntTypeWidth(t) - 1, false);
    LLVMValueRef count = LLVMBuildAnd(f->b, rhs, mask, "");
    return LLVMBuildBinOp(f->b, opcode, lhs, count, "");
}

/* Trapping truncation: see trunc_ranges above. */
static LLVMValueRef lower_trunc(welf_lower_fn *f, uint16_t op,
                                bool is_signed, LLVMValueRef x,
                                LLVMTypeRef result)
{
    LLVMBuilderRef b = f->b;
    LLVMTypeRef src = LLVMTypeOf(x);
    const trunc_range *range = NULL;
    for (size_t i = 0; i < WELF_ARRAY_LEN(trunc_ranges); i++) {
        if (trunc_ranges[i].op == op)
            range = &trunc_ranges[i];
    }
    if (range == NULL)
        return NULL;

    LLVMValueRef is_nan = LLVMBuildFCmp(b, LLVMRealUNO, x, x, "");
    trap_unless_false(f, is_nan, WELF_TRAP_BAD_CONVERSION);

    LLVMValueRef above_lo = LLVMBuildFCmp(
        b, range->lo_inclusive ? LLVMRealOGE : LLVMRealOGT, x,
        LLVMConstReal(src, range->lo), "");
    LLVMValueRef below_hi =
        LLVMBuildFCmp(b, LLVMRealOLT, x, LLVMConstReal(src, range->hi), "");
    LLVMValueRef in_range = LLVMBuildAnd(b, above_lo, below_hi, "");
    trap_unless_false(f, LLVMBuildNot(b, in_range, ""),
                      WELF_TRAP_INT_OVERFLOW);

    return is_signed ? LLVMBuildFPToSI(b, x, result, "")
                     : LLVMBuildFPToUI(b, x, result, "");
}

static bool unsupported(welf_lower_fn *f, const welf_instr *in)
{
    const char *name =
        in->op < WELF_OPINFO_COUNT ? welf_opinfos[in->op].name : NULL;
    welf_error_set(f->lm->err, WELF_ERR_USAGE, in->offset,
                   "welf_lower_numeric: unsupported instruction %s (0x%x)",
                   name != NULL ? name : "?", (unsigned)in->op);
    return false;
}

bool welf_lower_numeric(welf_lower_fn *f, const welf_instr *in)
{
    if (in->op >= NUMERIC_OP_COUNT || numeric_ops[in->op].kind == K_NONE)
        return unsupported(f, in);
    const numeric_op *row = &numeric_ops[in->op];
    if (row->kind == K_NOP)
        return true;

    /* Operand and result types from the signature "params_results". */
    const char *sig = welf_opinfos[in->op].sig;
    const char *underscore = sig;
    while (*underscore != '_')
        underscore++;
    unsigned n_params = (unsigned)(underscore - sig);
    LLVMTypeRef result = sig_type(f->lm, underscore[1]);
    if (n_params > 2 || result == NULL)
        return unsupported(f, in);

    /* Pop the last operand first. */
    LLVMValueRef args[2] = {NULL, NULL};
    for (unsigned i = n_params; i-- > 0;)
        args[i] = welf_lower_pop(f, sig_type(f->lm, sig[i]));
    LLVMValueRef lhs = args[0], rhs = args[1];

    LLVMBuilderRef b = f->b;
    LLVMTypeRef types[2];
    LLVMValueRef call_args[3];
    LLVMValueRef v = NULL;

    switch (row->kind) {
    case K_CONST:
        v = lower_const(f, in);
        break;
    case K_EQZ:
        v = bool_to_i32(f, LLVMBuildICmp(b, LLVMIntEQ, lhs,
                                         LLVMConstNull(LLVMTypeOf(lhs)), ""));
        break;
    case K_ICMP:
        v = bool_to_i32(f, LLVMBuildICmp(b, (LLVMIntPredicate)row->pred,
                                         lhs, rhs, ""));
        break;
    case K_FCMP:
        v = bool_to_i32(f, LLVMBuildFCmp(b, (LLVMRealPredicate)row->pred,
                                         lhs, rhs, ""));
        break;
    case K_BINOP:
        v = LLVMBuildBinOp(b, row->opcode, lhs, rhs, "");
        break;
    case K_SHIFT:
        v = lower_shift(f, row->opcode, lhs, rhs);
        break;
    case K_DIVREM:
        v = lower_divrem(f, row->opcode, lhs, rhs);
        break;
    case K_ROTATE:
        /* Spec 4.3.2 irotl/irotr: a funnel shift of a value with itself
         * is a rotate, and llvm.fshl/fshr take the count modulo the
         * width already. */
        types[0] = result;
        call_args[0] = lhs;
        call_args[1] = lhs;
        call_args[2] = rhs;
        v = welf_lower_intrinsic(f, row->intrinsic, types, 1, call_args, 3);
        break;
    case K_BITCOUNT:
        /* Spec 4.3.2 iclz/ictz: clz(0) and ctz(0) are the width, so
         * is_zero_poison is false. */
        types[0] = result;
        call_args[0] = lhs;
        call_args[1] = LLVMConstInt(f->lm->t_i1, 0, false);
        v = welf_lower_intrinsic(f, row->intrinsic, types, 1, call_args, 2);
        break;
    case K_FNEG:
        v = LLVMBuildFNeg(b, lhs, "");
        break;
    case K_INTRIN1:
        types[0] = result;
        v = welf_lower_intrinsic(f, row->intrinsic, types, 1, args, 1);
        break;
    case K_INTRIN2:
        types[0] = result;
        v = welf_lower_intrinsic(f, row->intrinsic, types, 1, args, 2);
        break;
    case K_CAST:
        v = LLVMBuildCast(b, row->opcode, lhs, result, "");
        break;
    case K_EXTEND_S:
        /* Spec 4.3.2 iextendN_s: keep the low N bits, sign-extend. */
        v = LLVMBuildSExt(
            b,
            LLVMBuildTrunc(b, lhs, LLVMIntTypeInContext(f->lm->ctx,
                                                        row->narrow), ""),
            result, "");
        break;
    case K_TRUNC:
        v = lower_trunc(f, in->op, row->is_signed, lhs, result);
        break;
    case K_ROUND:
        v = lower_round(f, (round_mode)row->narrow, lhs);
        break;
    case K_TRUNC_SAT:
        types[0] = result;
        types[1] = LLVMTypeOf(lhs);
        v = welf_lower_intrinsic(f,
                                 row->is_signed ? "llvm.fptosi.sat"
                                                : "llvm.fptoui.sat",
                                 types, 2, args, 1);
        break;
    case K_NONE:
    case K_NOP:
        break;
    }
    if (v == NULL)
        return unsupported(f, in);
    if (row->canon_nan)
        v = canonical_nan_if_nan(f, v);
    return welf_lower_push(f, v);
}

/* ---- dropping NaN guards the hardware makes redundant ---- */

/* Whether c is a constant, scalar or vector, every lane of which passes
 * `ok`. */
static bool all_lanes(LLVMValueRef c, bool (*ok)(double))
{
    if (!c || !LLVMIsAConstant(c))
        return false;
    if (LLVMIsAConstantFP(c)) {
        LLVMBool loses;
        return ok(LLVMConstRealGetDouble(c, &loses));
    }
    LLVMTypeRef t = LLVMTypeOf(c);
    if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
        return false;
    unsigned n = LLVMGetVectorSize(t);
    for (unsigned i = 0; i < n; i++) {
        LLVMValueRef e = LLVMGetAggregateElement(c, i);
        if (!e || !LLVMIsAConstantFP(e) || !all_lanes(e, ok))
            return false;
    }
    return n > 0;
}

static bool is_nan(double d)
{
    return d != d;
}

/* Whether c is a NaN constant: a scalar, or a vector of them. */
static bool is_nan_constant(LLVMValueRef c)
{
    return all_lanes(c, is_nan);
}

static bool not_nan_or_zero(double d)
{
    return d == d && d != 0.0;
}

static bool not_nan_or_one(double d)
{
    return d == d && d != 1.0 && d != -1.0;
}

static bool not_nan_zero_or_one(double d)
{
    return not_nan_or_zero(d) && not_nan_or_one(d);
}

static bool not_nan(double d)
{
    return d == d;
}

/*
 * Whether the constant operand c (operand `pos`) of an instruction with
 * `opcode` can never let the code generator fold the operation away:
 * the folds need x + ±0, x - ±0 or ±0 - x, x * ±1, or x / ±1 (the
 * divisor); a NaN constant folds to itself, and anything that is not
 * plainly a number is treated as dangerous. 1.0 / x and x + 1.0 stay
 * operations.
 */
static bool harmless_constant(LLVMValueRef c, LLVMOpcode opcode, int pos)
{
    switch (opcode) {
    case LLVMFAdd:
    case LLVMFSub:
        return all_lanes(c, not_nan_or_zero);
    case LLVMFMul:
        return all_lanes(c, not_nan_zero_or_one);
    case LLVMFDiv:
        return all_lanes(c, pos == 1 ? not_nan_or_one : not_nan);
    default:
        return false;
    }
}

/*
 * Whether v is an fadd, fsub, fmul or fdiv, scalar or vector, that no
 * fold can remove. x86 executes these with SSE arithmetic, which never
 * returns a signalling NaN: a NaN result is the default (canonical) NaN
 * or a NaN operand with its quiet bit set, exactly the spec's nans_N.
 * Only the folds of canonical_nan_if_nan's comment break that, and they
 * need one of the constants harmless_constant rules out (the code
 * generator sees the same constants as the optimizer did); x * 0.5 and
 * 1.0 / x stay operations.
 */
static bool quiets_in_hardware(LLVMValueRef v)
{
    if (!LLVMIsAInstruction(v))
        return false;
    LLVMOpcode opcode = LLVMGetInstructionOpcode(v);
    switch (opcode) {
    case LLVMFAdd:
    case LLVMFSub:
    case LLVMFMul:
    case LLVMFDiv:
        break;
    default:
        return false;
    }
    for (int i = 0; i < LLVMGetNumOperands(v); i++) {
        LLVMValueRef op = LLVMGetOperand(v, i);
        if (LLVMIsAConstant(op) && !harmless_constant(op, opcode, i))
            return false;
    }
    return true;
}

/* Whether v is poison or undef: a lane or vector no one defined. */
static bool is_undefined(LLVMValueRef v)
{
    return LLVMIsUndef(v) || LLVMIsPoison(v);
}

/*
 * Whether every lane of v is computed by such an instruction: the
 * instruction itself, a lane taken out of its vector result, or, as the
 * SLP vectorizer builds them, a vector whose lanes are gathered from
 * such results by shufflevector or insertelement (lanes no one defines
 * are poison either way). `depth` bounds the walk.
 */
static bool hardware_result_at(LLVMValueRef v, int depth)
{
    if (quiets_in_hardware(v))
        return true;
    if (depth == 0 || !LLVMIsAInstruction(v))
        return false;
    if (LLVMIsAExtractElementInst(v))
        return hardware_result_at(LLVMGetOperand(v, 0), depth - 1);
    if (LLVMIsAInsertElementInst(v)) {
        LLVMValueRef vec = LLVMGetOperand(v, 0);
        return (is_undefined(vec) || hardware_result_at(vec, depth - 1)) &&
               hardware_result_at(LLVMGetOperand(v, 1), depth - 1);
    }
    if (LLVMIsAShuffleVectorInst(v)) {
        /* Only the operands some lane of the mask takes count. */
        LLVMValueRef a = LLVMGetOperand(v, 0), b = LLVMGetOperand(v, 1);
        unsigned n = LLVMGetVectorSize(LLVMTypeOf(a));
        bool uses_a = false, uses_b = false;
        for (unsigned i = 0; i < LLVMGetNumMaskElements(v); i++) {
            int e = LLVMGetMaskValue(v, i);
            if (e == LLVMGetUndefMaskElem())
                continue;
            if ((unsigned)e < n)
                uses_a = true;
            else
                uses_b = true;
        }
        return (!uses_a || hardware_result_at(a, depth - 1)) &&
               (!uses_b || hardware_result_at(b, depth - 1));
    }
    return false;
}

static bool hardware_result(LLVMValueRef v)
{
    return hardware_result_at(v, 4);
}

/* Whether a is an operand of the instruction b. */
static bool operand_of(LLVMValueRef a, LLVMValueRef b)
{
    for (int i = 0; i < LLVMGetNumOperands(b); i++)
        if (LLVMGetOperand(b, i) == a)
            return true;
    return false;
}

/*
 * If sel is select(fcmp uno a, a-or-constant, NaN, b), or the same with
 * fcmp ord and the arms swapped, and the guard is redundant: b. That is
 * so when b is a, computed in hardware (the guard as lowered, possibly
 * on a lane of a vectorized operation), and also when b is a hardware
 * operation with a among its operands (the optimizer moved the guard
 * past an operation: a NaN a makes b a quiet NaN, canonical when a is
 * and the other operand is not a NaN of another payload, which is
 * exactly nans_N of that operation).
 */
static LLVMValueRef redundant_guard(LLVMValueRef sel)
{
    LLVMValueRef cond = LLVMGetOperand(sel, 0);
    if (!LLVMIsAFCmpInst(cond))
        return NULL;
    LLVMRealPredicate p = LLVMGetFCmpPredicate(cond);
    if (p != LLVMRealUNO && p != LLVMRealORD)
        return NULL;
    LLVMValueRef a = LLVMGetOperand(cond, 0);
    LLVMValueRef other = LLVMGetOperand(cond, 1);
    /* InstCombine writes isnan(a) as fcmp uno a, 0.0. */
    if (other != a && !(LLVMIsAConstant(other) && !is_nan_constant(other)))
        return NULL;
    LLVMValueRef nan_arm = LLVMGetOperand(sel, p == LLVMRealUNO ? 1 : 2);
    LLVMValueRef b = LLVMGetOperand(sel, p == LLVMRealUNO ? 2 : 1);
    if (!is_nan_constant(nan_arm))
        return NULL;
    if (b == a && hardware_result(a))
        return b;
    if (b != a && quiets_in_hardware(b) && operand_of(a, b))
        return b;
    return NULL;
}

size_t welf_lower_drop_nan_guards(LLVMModuleRef mod)
{
    size_t dropped = 0;
    for (LLVMValueRef fn = LLVMGetFirstFunction(mod); fn;
         fn = LLVMGetNextFunction(fn))
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb;
             bb = LLVMGetNextBasicBlock(bb)) {
            LLVMValueRef in = LLVMGetFirstInstruction(bb);
            while (in) {
                LLVMValueRef next = LLVMGetNextInstruction(in);
                LLVMValueRef v;
                if (LLVMGetInstructionOpcode(in) == LLVMSelect &&
                    (v = redundant_guard(in)) != NULL) {
                    LLVMReplaceAllUsesWith(in, v);
                    LLVMInstructionEraseFromParent(in);
                    dropped++;
                }
                in = next;
            }
        }
    return dropped;
}
