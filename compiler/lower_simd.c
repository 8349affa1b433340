/*
 * lower_simd.c — lowering of the 128-bit SIMD instructions, the 0xfd
 * prefix (spec 4.3 for their semantics, 2.4.1 for the list): v128 loads
 * and stores (whole, extending, splatting, zero-filling, one lane),
 * constants, shuffles, splats and lane accesses, comparisons, bitwise
 * operations, integer and float lane-wise arithmetic, narrowing,
 * widening and conversions.
 *
 * A v128 lives on the operand stack, in locals and in globals as LLVM's
 * <2 x i64> (t_v128). Each instruction bitcasts its operands to the lane
 * shape it works on (<16 x i8>, <8 x i16>, <4 x i32>, <2 x i64>,
 * <4 x float>, <2 x double>), uses LLVM's generic vector IR, and casts
 * the result back. Bitcasts are free, and keep every bit: float lanes
 * pass through lane accesses, shuffles and bitwise operations with their
 * payloads intact.
 *
 * Each opcode maps to a row of `simd_ops`: a kind saying how to lower it,
 * the lane shape it works on and the LLVM opcode, predicate or intrinsic
 * it uses. Operand types come from the signature in opcodes.def.
 *
 * The target is baseline x86-64, SSE2 only. LLVM expands what SSE2 lacks
 * (pminsd, pcmpgtq, pshufb, packusdw, ...) into SSE2 sequences, except for
 * vector ceil/floor/trunc/nearest, which it would turn into calls to
 * libm's ceilf & co.: an object without undefined symbols cannot have
 * those, so lower_round spells them out. lower_trunc_sat and
 * lower_fminmax spell out two more that LLVM would scalarize or expand at
 * length (llvm.fptosi.sat, llvm.minimum). Where the spec and LLVM differ,
 * this file says so at the row or the function: shift counts modulo the
 * lane width, swizzle indices of 16 and more, NaN-propagating min/max
 * against the "pseudo" pmin/pmax, saturation, rounding averages, and NaN
 * results that must not stay signalling (canonical_nan_if_nan).
 */
#include "lower.h"

/* Lane shapes. */
typedef enum shape { SH_I8, SH_I16, SH_I32, SH_I64, SH_F32, SH_F64 } shape;

typedef enum simd_kind {
    K_NONE,          /* not lowered: rejected as unsupported */
    K_LOAD,          /* v128.load */
    K_LOAD_EXT,      /* v128.loadMxN_s/u: shape is the memory lane */
    K_LOAD_SPLAT,    /* v128.loadN_splat */
    K_LOAD_ZERO,     /* v128.loadN_zero */
    K_LOAD_LANE,     /* v128.loadN_lane */
    K_STORE,         /* v128.store */
    K_STORE_LANE,    /* v128.storeN_lane */
    K_CONST,         /* v128.const */
    K_SHUFFLE,       /* i8x16.shuffle */
    K_SWIZZLE,       /* i8x16.swizzle */
    K_SPLAT,         /* T.splat */
    K_EXTRACT,       /* T.extract_lane(_s/_u) */
    K_REPLACE,       /* T.replace_lane */
    K_ICMP,          /* integer comparison, `pred` an LLVMIntPredicate */
    K_FCMP,          /* float comparison, `pred` an LLVMRealPredicate */
    K_NOT,           /* v128.not */
    K_ANDNOT,        /* v128.andnot */
    K_BITSELECT,     /* v128.bitselect */
    K_ANY_TRUE,      /* v128.any_true */
    K_ALL_TRUE,      /* T.all_true */
    K_BITMASK,       /* T.bitmask */
    K_BINOP,         /* plain LLVM binary instruction `opcode` */
    K_SHIFT,         /* shl/ashr/lshr by a scalar count, masked */
    K_INTRIN1,       /* unary intrinsic overloaded on the lane shape */
    K_INTRIN2,       /* binary intrinsic overloaded on the lane shape */
    K_ABS,           /* iNxM.abs */
    K_NEG,           /* iNxM.neg */
    K_FNEG,          /* fNxM.neg */
    K_NARROW,        /* narrow: shape is the input lane */
    K_EXTEND,        /* extend_low/high: shape is the input lane */
    K_EXTMUL,        /* extmul_low/high: shape is the input lane */
    K_EXTADD,        /* extadd_pairwise: shape is the input lane */
    K_DOT,           /* i32x4.dot_i16x8_s */
    K_AVGR,          /* avgr_u */
    K_Q15MULR,       /* i16x8.q15mulr_sat_s */
    K_FMIN,          /* fNxM.min */
    K_FMAX,          /* fNxM.max */
    K_PMIN,          /* fNxM.pmin */
    K_PMAX,          /* fNxM.pmax */
    K_ROUND,         /* ceil/floor/trunc/nearest, `mode` a round_mode */
    K_TRUNC_SAT,     /* i32x4.trunc_sat_f32x4_s/u */
    K_TRUNC_SAT_ZERO, /* i32x4.trunc_sat_f64x2_s/u_zero */
    K_CONVERT,       /* f32x4.convert_i32x4_s/u */
    K_CONVERT_LOW,   /* f64x2.convert_low_i32x4_s/u */
    K_DEMOTE,        /* f32x4.demote_f64x2_zero */
    K_PROMOTE,       /* f64x2.promote_low_f32x4 */
} simd_kind;

typedef enum round_mode { R_CEIL, R_FLOOR, R_TRUNC, R_NEAREST } round_mode;

typedef struct simd_op {
    uint8_t kind;              /* simd_kind */
    uint8_t shape;             /* shape: see the kinds */
    bool is_signed;            /* signed lanes, or sign extension */
    bool high;                 /* extend/extmul: the high half */
    bool canon_nan;            /* a NaN lane becomes the canonical NaN */
    uint8_t mode;              /* K_ROUND: round_mode */
    int pred;                  /* K_ICMP, K_FCMP; K_BINOP, K_SHIFT: opcode */
    const char *intrinsic;     /* K_INTRIN1, K_INTRIN2 */
} simd_op;

#define SIMD_OP_COUNT (WELF_OP_F64X2_CONVERT_LOW_I32X4_U - WELF_OP_PREFIX_FD + 1)
#define ROW(op) [WELF_OP_##op - WELF_OP_PREFIX_FD]

/* Rows by family, to keep the table readable. */
#define MEM(op, k, sh) ROW(op) = {.kind = k, .shape = sh}
#define LOADX(op, sh, s) ROW(op) = {.kind = K_LOAD_EXT, .shape = sh, \
                                    .is_signed = s}
#define LANE(op, k, sh, s) ROW(op) = {.kind = k, .shape = sh, .is_signed = s}
#define ICMP(op, sh, p) ROW(op) = {.kind = K_ICMP, .shape = sh, .pred = p}
#define FCMP(op, sh, p) ROW(op) = {.kind = K_FCMP, .shape = sh, .pred = p}
#define BIN(op, sh, o) ROW(op) = {.kind = K_BINOP, .shape = sh, .pred = o}
#define FBIN(op, sh, o) ROW(op) = {.kind = K_BINOP, .shape = sh, .pred = o, \
                                   .canon_nan = true}
#define SHIFT(op, sh, o) ROW(op) = {.kind = K_SHIFT, .shape = sh, .pred = o}
#define INT1(op, sh, name) ROW(op) = {.kind = K_INTRIN1, .shape = sh, \
                                      .intrinsic = name}
#define INT2(op, sh, name) ROW(op) = {.kind = K_INTRIN2, .shape = sh, \
                                      .intrinsic = name}
#define UN(op, k, sh) ROW(op) = {.kind = k, .shape = sh}
#define SIGNED(op, k, sh, s) ROW(op) = {.kind = k, .shape = sh, .is_signed = s}
#define HALF(op, k, sh, s, h) ROW(op) = {.kind = k, .shape = sh, \
                                         .is_signed = s, .high = h}
#define ROUND(op, sh, m) ROW(op) = {.kind = K_ROUND, .shape = sh, .mode = m}

static const simd_op simd_ops[SIMD_OP_COUNT] = {
    /* Memory. Accesses have alignment 1 (the alignment immediate is a
     * hint), and are volatile with precise_traps as in lower_memory.c. */
    MEM(V128_LOAD, K_LOAD, SH_I64),
    LOADX(V128_LOAD8X8_S, SH_I8, true),
    LOADX(V128_LOAD8X8_U, SH_I8, false),
    LOADX(V128_LOAD16X4_S, SH_I16, true),
    LOADX(V128_LOAD16X4_U, SH_I16, false),
    LOADX(V128_LOAD32X2_S, SH_I32, true),
    LOADX(V128_LOAD32X2_U, SH_I32, false),
    MEM(V128_LOAD8_SPLAT, K_LOAD_SPLAT, SH_I8),
    MEM(V128_LOAD16_SPLAT, K_LOAD_SPLAT, SH_I16),
    MEM(V128_LOAD32_SPLAT, K_LOAD_SPLAT, SH_I32),
    MEM(V128_LOAD64_SPLAT, K_LOAD_SPLAT, SH_I64),
    MEM(V128_STORE, K_STORE, SH_I64),
    MEM(V128_LOAD8_LANE, K_LOAD_LANE, SH_I8),
    MEM(V128_LOAD16_LANE, K_LOAD_LANE, SH_I16),
    MEM(V128_LOAD32_LANE, K_LOAD_LANE, SH_I32),
    MEM(V128_LOAD64_LANE, K_LOAD_LANE, SH_I64),
    MEM(V128_STORE8_LANE, K_STORE_LANE, SH_I8),
    MEM(V128_STORE16_LANE, K_STORE_LANE, SH_I16),
    MEM(V128_STORE32_LANE, K_STORE_LANE, SH_I32),
    MEM(V128_STORE64_LANE, K_STORE_LANE, SH_I64),
    MEM(V128_LOAD32_ZERO, K_LOAD_ZERO, SH_I32),
    MEM(V128_LOAD64_ZERO, K_LOAD_ZERO, SH_I64),

    UN(V128_CONST, K_CONST, SH_I64),
    UN(I8X16_SHUFFLE, K_SHUFFLE, SH_I8),
    UN(I8X16_SWIZZLE, K_SWIZZLE, SH_I8),

    UN(I8X16_SPLAT, K_SPLAT, SH_I8),
    UN(I16X8_SPLAT, K_SPLAT, SH_I16),
    UN(I32X4_SPLAT, K_SPLAT, SH_I32),
    UN(I64X2_SPLAT, K_SPLAT, SH_I64),
    UN(F32X4_SPLAT, K_SPLAT, SH_F32),
    UN(F64X2_SPLAT, K_SPLAT, SH_F64),

    LANE(I8X16_EXTRACT_LANE_S, K_EXTRACT, SH_I8, true),
    LANE(I8X16_EXTRACT_LANE_U, K_EXTRACT, SH_I8, false),
    LANE(I8X16_REPLACE_LANE, K_REPLACE, SH_I8, false),
    LANE(I16X8_EXTRACT_LANE_S, K_EXTRACT, SH_I16, true),
    LANE(I16X8_EXTRACT_LANE_U, K_EXTRACT, SH_I16, false),
    LANE(I16X8_REPLACE_LANE, K_REPLACE, SH_I16, false),
    LANE(I32X4_EXTRACT_LANE, K_EXTRACT, SH_I32, false),
    LANE(I32X4_REPLACE_LANE, K_REPLACE, SH_I32, false),
    LANE(I64X2_EXTRACT_LANE, K_EXTRACT, SH_I64, false),
    LANE(I64X2_REPLACE_LANE, K_REPLACE, SH_I64, false),
    LANE(F32X4_EXTRACT_LANE, K_EXTRACT, SH_F32, false),
    LANE(F32X4_REPLACE_LANE, K_REPLACE, SH_F32, false),
    LANE(F64X2_EXTRACT_LANE, K_EXTRACT, SH_F64, false),
    LANE(F64X2_REPLACE_LANE, K_REPLACE, SH_F64, false),

    /* Comparisons give all ones or all zeros per lane. Float ones are
     * false with a NaN operand except ne, which is true (spec 4.3.3):
     * ordered predicates, unordered for ne. */
    ICMP(I8X16_EQ, SH_I8, LLVMIntEQ),
    ICMP(I8X16_NE, SH_I8, LLVMIntNE),
    ICMP(I8X16_LT_S, SH_I8, LLVMIntSLT),
    ICMP(I8X16_LT_U, SH_I8, LLVMIntULT),
    ICMP(I8X16_GT_S, SH_I8, LLVMIntSGT),
    ICMP(I8X16_GT_U, SH_I8, LLVMIntUGT),
    ICMP(I8X16_LE_S, SH_I8, LLVMIntSLE),
    ICMP(I8X16_LE_U, SH_I8, LLVMIntULE),
    ICMP(I8X16_GE_S, SH_I8, LLVMIntSGE),
    ICMP(I8X16_GE_U, SH_I8, LLVMIntUGE),
    ICMP(I16X8_EQ, SH_I16, LLVMIntEQ),
    ICMP(I16X8_NE, SH_I16, LLVMIntNE),
    ICMP(I16X8_LT_S, SH_I16, LLVMIntSLT),
    ICMP(I16X8_LT_U, SH_I16, LLVMIntULT),
    ICMP(I16X8_GT_S, SH_I16, LLVMIntSGT),
    ICMP(I16X8_GT_U, SH_I16, LLVMIntUGT),
    ICMP(I16X8_LE_S, SH_I16, LLVMIntSLE),
    ICMP(I16X8_LE_U, SH_I16, LLVMIntULE),
    ICMP(I16X8_GE_S, SH_I16, LLVMIntSGE),
    ICMP(I16X8_GE_U, SH_I16, LLVMIntUGE),
    ICMP(I32X4_EQ, SH_I32, LLVMIntEQ),
    ICMP(I32X4_NE, SH_I32, LLVMIntNE),
    ICMP(I32X4_LT_S, SH_I32, LLVMIntSLT),
    ICMP(I32X4_LT_U, SH_I32, LLVMIntULT),
    ICMP(I32X4_GT_S, SH_I32, LLVMIntSGT),
    ICMP(I32X4_GT_U, SH_I32, LLVMIntUGT),
    ICMP(I32X4_LE_S, SH_I32, LLVMIntSLE),
    ICMP(I32X4_LE_U, SH_I32, LLVMIntULE),
    ICMP(I32X4_GE_S, SH_I32, LLVMIntSGE),
    ICMP(I32X4_GE_U, SH_I32, LLVMIntUGE),
    ICMP(I64X2_EQ, SH_I64, LLVMIntEQ),
    ICMP(I64X2_NE, SH_I64, LLVMIntNE),
    ICMP(I64X2_LT_S, SH_I64, LLVMIntSLT),
    ICMP(I64X2_GT_S, SH_I64, LLVMIntSGT),
    ICMP(I64X2_LE_S, SH_I64, LLVMIntSLE),
    ICMP(I64X2_GE_S, SH_I64, LLVMIntSGE),
    FCMP(F32X4_EQ, SH_F32, LLVMRealOEQ),
    FCMP(F32X4_NE, SH_F32, LLVMRealUNE),
    FCMP(F32X4_LT, SH_F32, LLVMRealOLT),
    FCMP(F32X4_GT, SH_F32, LLVMRealOGT),
    FCMP(F32X4_LE, SH_F32, LLVMRealOLE),
    FCMP(F32X4_GE, SH_F32, LLVMRealOGE),
    FCMP(F64X2_EQ, SH_F64, LLVMRealOEQ),
    FCMP(F64X2_NE, SH_F64, LLVMRealUNE),
    FCMP(F64X2_LT, SH_F64, LLVMRealOLT),
    FCMP(F64X2_GT, SH_F64, LLVMRealOGT),
    FCMP(F64X2_LE, SH_F64, LLVMRealOLE),
    FCMP(F64X2_GE, SH_F64, LLVMRealOGE),

    UN(V128_NOT, K_NOT, SH_I64),
    BIN(V128_AND, SH_I64, LLVMAnd),
    UN(V128_ANDNOT, K_ANDNOT, SH_I64),
    BIN(V128_OR, SH_I64, LLVMOr),
    BIN(V128_XOR, SH_I64, LLVMXor),
    UN(V128_BITSELECT, K_BITSELECT, SH_I64),
    UN(V128_ANY_TRUE, K_ANY_TRUE, SH_I64),

    /* i8x16 */
    SIGNED(I8X16_ABS, K_ABS, SH_I8, true),
    UN(I8X16_NEG, K_NEG, SH_I8),
    INT1(I8X16_POPCNT, SH_I8, "llvm.ctpop"),
    UN(I8X16_ALL_TRUE, K_ALL_TRUE, SH_I8),
    UN(I8X16_BITMASK, K_BITMASK, SH_I8),
    SIGNED(I8X16_NARROW_I16X8_S, K_NARROW, SH_I16, true),
    SIGNED(I8X16_NARROW_I16X8_U, K_NARROW, SH_I16, false),
    SHIFT(I8X16_SHL, SH_I8, LLVMShl),
    SHIFT(I8X16_SHR_S, SH_I8, LLVMAShr),
    SHIFT(I8X16_SHR_U, SH_I8, LLVMLShr),
    BIN(I8X16_ADD, SH_I8, LLVMAdd),
    INT2(I8X16_ADD_SAT_S, SH_I8, "llvm.sadd.sat"),
    INT2(I8X16_ADD_SAT_U, SH_I8, "llvm.uadd.sat"),
    BIN(I8X16_SUB, SH_I8, LLVMSub),
    INT2(I8X16_SUB_SAT_S, SH_I8, "llvm.ssub.sat"),
    INT2(I8X16_SUB_SAT_U, SH_I8, "llvm.usub.sat"),
    INT2(I8X16_MIN_S, SH_I8, "llvm.smin"),
    INT2(I8X16_MIN_U, SH_I8, "llvm.umin"),
    INT2(I8X16_MAX_S, SH_I8, "llvm.smax"),
    INT2(I8X16_MAX_U, SH_I8, "llvm.umax"),
    UN(I8X16_AVGR_U, K_AVGR, SH_I8),

    /* i16x8 */
    SIGNED(I16X8_EXTADD_PAIRWISE_I8X16_S, K_EXTADD, SH_I8, true),
    SIGNED(I16X8_EXTADD_PAIRWISE_I8X16_U, K_EXTADD, SH_I8, false),
    SIGNED(I16X8_ABS, K_ABS, SH_I16, true),
    UN(I16X8_NEG, K_NEG, SH_I16),
    UN(I16X8_Q15MULR_SAT_S, K_Q15MULR, SH_I16),
    UN(I16X8_ALL_TRUE, K_ALL_TRUE, SH_I16),
    UN(I16X8_BITMASK, K_BITMASK, SH_I16),
    SIGNED(I16X8_NARROW_I32X4_S, K_NARROW, SH_I32, true),
    SIGNED(I16X8_NARROW_I32X4_U, K_NARROW, SH_I32, false),
    HALF(I16X8_EXTEND_LOW_I8X16_S, K_EXTEND, SH_I8, true, false),
    HALF(I16X8_EXTEND_HIGH_I8X16_S, K_EXTEND, SH_I8, true, true),
    HALF(I16X8_EXTEND_LOW_I8X16_U, K_EXTEND, SH_I8, false, false),
    HALF(I16X8_EXTEND_HIGH_I8X16_U, K_EXTEND, SH_I8, false, true),
    SHIFT(I16X8_SHL, SH_I16, LLVMShl),
    SHIFT(I16X8_SHR_S, SH_I16, LLVMAShr),
    SHIFT(I16X8_SHR_U, SH_I16, LLVMLShr),
    BIN(I16X8_ADD, SH_I16, LLVMAdd),
    INT2(I16X8_ADD_SAT_S, SH_I16, "llvm.sadd.sat"),
    INT2(I16X8_ADD_SAT_U, SH_I16, "llvm.uadd.sat"),
    BIN(I16X8_SUB, SH_I16, LLVMSub),
    INT2(I16X8_SUB_SAT_S, SH_I16, "llvm.ssub.sat"),
    INT2(I16X8_SUB_SAT_U, SH_I16, "llvm.usub.sat"),
    BIN(I16X8_MUL, SH_I16, LLVMMul),
    INT2(I16X8_MIN_S, SH_I16, "llvm.smin"),
    INT2(I16X8_MIN_U, SH_I16, "llvm.umin"),
    INT2(I16X8_MAX_S, SH_I16, "llvm.smax"),
    INT2(I16X8_MAX_U, SH_I16, "llvm.umax"),
    UN(I16X8_AVGR_U, K_AVGR, SH_I16),
    HALF(I16X8_EXTMUL_LOW_I8X16_S, K_EXTMUL, SH_I8, true, false),
    HALF(I16X8_EXTMUL_HIGH_I8X16_S, K_EXTMUL, SH_I8, true, true),
    HALF(I16X8_EXTMUL_LOW_I8X16_U, K_EXTMUL, SH_I8, false, false),
    HALF(I16X8_EXTMUL_HIGH_I8X16_U, K_EXTMUL, SH_I8, false, true),

    /* i32x4 */
    SIGNED(I32X4_EXTADD_PAIRWISE_I16X8_S, K_EXTADD, SH_I16, true),
    SIGNED(I32X4_EXTADD_PAIRWISE_I16X8_U, K_EXTADD, SH_I16, false),
    SIGNED(I32X4_ABS, K_ABS, SH_I32, true),
    UN(I32X4_NEG, K_NEG, SH_I32),
    UN(I32X4_ALL_TRUE, K_ALL_TRUE, SH_I32),
    UN(I32X4_BITMASK, K_BITMASK, SH_I32),
    HALF(I32X4_EXTEND_LOW_I16X8_S, K_EXTEND, SH_I16, true, false),
    HALF(I32X4_EXTEND_HIGH_I16X8_S, K_EXTEND, SH_I16, true, true),
    HALF(I32X4_EXTEND_LOW_I16X8_U, K_EXTEND, SH_I16, false, false),
    HALF(I32X4_EXTEND_HIGH_I16X8_U, K_EXTEND, SH_I16, false, true),
    SHIFT(I32X4_SHL, SH_I32, LLVMShl),
    SHIFT(I32X4_SHR_S, SH_I32, LLVMAShr),
    SHIFT(I32X4_SHR_U, SH_I32, LLVMLShr),
    BIN(I32X4_ADD, SH_I32, LLVMAdd),
    BIN(I32X4_SUB, SH_I32, LLVMSub),
    BIN(I32X4_MUL, SH_I32, LLVMMul),
    INT2(I32X4_MIN_S, SH_I32, "llvm.smin"),
    INT2(I32X4_MIN_U, SH_I32, "llvm.umin"),
    INT2(I32X4_MAX_S, SH_I32, "llvm.smax"),
    INT2(I32X4_MAX_U, SH_I32, "llvm.umax"),
    UN(I32X4_DOT_I16X8_S, K_DOT, SH_I16),
    HALF(I32X4_EXTMUL_LOW_I16X8_S, K_EXTMUL, SH_I16, true, false),
    HALF(I32X4_EXTMUL_HIGH_I16X8_S, K_EXTMUL, SH_I16, true, true),
    HALF(I32X4_EXTMUL_LOW_I16X8_U, K_EXTMUL, SH_I16, false, false),
    HALF(I32X4_EXTMUL_HIGH_I16X8_U, K_EXTMUL, SH_I16, false, true),

    /* i64x2 */
    SIGNED(I64X2_ABS, K_ABS, SH_I64, true),
    UN(I64X2_NEG, K_NEG, SH_I64),
    UN(I64X2_ALL_TRUE, K_ALL_TRUE, SH_I64),
    UN(I64X2_BITMASK, K_BITMASK, SH_I64),
    HALF(I64X2_EXTEND_LOW_I32X4_S, K_EXTEND, SH_I32, true, false),
    HALF(I64X2_EXTEND_HIGH_I32X4_S, K_EXTEND, SH_I32, true, true),
    HALF(I64X2_EXTEND_LOW_I32X4_U, K_EXTEND, SH_I32, false, false),
    HALF(I64X2_EXTEND_HIGH_I32X4_U, K_EXTEND, SH_I32, false, true),
    SHIFT(I64X2_SHL, SH_I64, LLVMShl),
    SHIFT(I64X2_SHR_S, SH_I64, LLVMAShr),
    SHIFT(I64X2_SHR_U, SH_I64, LLVMLShr),
    BIN(I64X2_ADD, SH_I64, LLVMAdd),
    BIN(I64X2_SUB, SH_I64, LLVMSub),
    BIN(I64X2_MUL, SH_I64, LLVMMul),
    HALF(I64X2_EXTMUL_LOW_I32X4_S, K_EXTMUL, SH_I32, true, false),
    HALF(I64X2_EXTMUL_HIGH_I32X4_S, K_EXTMUL, SH_I32, true, true),
    HALF(I64X2_EXTMUL_LOW_I32X4_U, K_EXTMUL, SH_I32, false, false),
    HALF(I64X2_EXTMUL_HIGH_I32X4_U, K_EXTMUL, SH_I32, false, true),

    /* f32x4 and f64x2. abs and neg act on the sign bit alone and keep
     * NaN payloads, as LLVM's fabs and fneg do. min/max: see
     * lower_fminmax. canon_nan: see canonical_nan_if_nan. */
    INT1(F32X4_ABS, SH_F32, "llvm.fabs"),
    UN(F32X4_NEG, K_FNEG, SH_F32),
    INT1(F32X4_SQRT, SH_F32, "llvm.sqrt"),
    FBIN(F32X4_ADD, SH_F32, LLVMFAdd),
    FBIN(F32X4_SUB, SH_F32, LLVMFSub),
    FBIN(F32X4_MUL, SH_F32, LLVMFMul),
    FBIN(F32X4_DIV, SH_F32, LLVMFDiv),
    UN(F32X4_MIN, K_FMIN, SH_F32),
    UN(F32X4_MAX, K_FMAX, SH_F32),
    UN(F32X4_PMIN, K_PMIN, SH_F32),
    UN(F32X4_PMAX, K_PMAX, SH_F32),
    ROUND(F32X4_CEIL, SH_F32, R_CEIL),
    ROUND(F32X4_FLOOR, SH_F32, R_FLOOR),
    ROUND(F32X4_TRUNC, SH_F32, R_TRUNC),
    ROUND(F32X4_NEAREST, SH_F32, R_NEAREST),
    INT1(F64X2_ABS, SH_F64, "llvm.fabs"),
    UN(F64X2_NEG, K_FNEG, SH_F64),
    INT1(F64X2_SQRT, SH_F64, "llvm.sqrt"),
    FBIN(F64X2_ADD, SH_F64, LLVMFAdd),
    FBIN(F64X2_SUB, SH_F64, LLVMFSub),
    FBIN(F64X2_MUL, SH_F64, LLVMFMul),
    FBIN(F64X2_DIV, SH_F64, LLVMFDiv),
    UN(F64X2_MIN, K_FMIN, SH_F64),
    UN(F64X2_MAX, K_FMAX, SH_F64),
    UN(F64X2_PMIN, K_PMIN, SH_F64),
    UN(F64X2_PMAX, K_PMAX, SH_F64),
    ROUND(F64X2_CEIL, SH_F64, R_CEIL),
    ROUND(F64X2_FLOOR, SH_F64, R_FLOOR),
    ROUND(F64X2_TRUNC, SH_F64, R_TRUNC),
    ROUND(F64X2_NEAREST, SH_F64, R_NEAREST),

    /* Conversions. */
    SIGNED(I32X4_TRUNC_SAT_F32X4_S, K_TRUNC_SAT, SH_F32, true),
    SIGNED(I32X4_TRUNC_SAT_F32X4_U, K_TRUNC_SAT, SH_F32, false),
    SIGNED(F32X4_CONVERT_I32X4_S, K_CONVERT, SH_I32, true),
    SIGNED(F32X4_CONVERT_I32X4_U, K_CONVERT, SH_I32, false),
    SIGNED(I32X4_TRUNC_SAT_F64X2_S_ZERO, K_TRUNC_SAT_ZERO, SH_F64, true),
    SIGNED(I32X4_TRUNC_SAT_F64X2_U_ZERO, K_TRUNC_SAT_ZERO, SH_F64, false),
    SIGNED(F64X2_CONVERT_LOW_I32X4_S, K_CONVERT_LOW, SH_I32, true),
    SIGNED(F64X2_CONVERT_LOW_I32X4_U, K_CONVERT_LOW, SH_I32, false),
    UN(F32X4_DEMOTE_F64X2_ZERO, K_DEMOTE, SH_F64),
    UN(F64X2_PROMOTE_LOW_F32X4, K_PROMOTE, SH_F32),
};

/* ---- types and small helpers ---- */

static unsigned shape_lanes(shape s)
{
    static const unsigned lanes[] = {16, 8, 4, 2, 4, 2};
    return lanes[s];
}

static unsigned shape_bits(shape s)
{
    return 128 / shape_lanes(s);
}

/* The lane type of a shape. */
static LLVMTypeRef lane_type(welf_lower_module *lm, shape s)
{
    switch (s) {
    case SH_I8: return lm->t_i8;
    case SH_I16: return lm->t_i16;
    case SH_I32: return lm->t_i32;
    case SH_I64: return lm->t_i64;
    case SH_F32: return lm->t_f32;
    case SH_F64: return lm->t_f64;
    }
    welf_unreachable();
}

/* <n x lane> */
static LLVMTypeRef vec_type(welf_lower_module *lm, shape s, unsigned n)
{
    return LLVMVectorType(lane_type(lm, s), n);
}

/* The 128-bit vector type of a shape. */
static LLVMTypeRef shape_type(welf_lower_module *lm, shape s)
{
    return vec_type(lm, s, shape_lanes(s));
}

/* The integer shape of the same lane width (for comparison results). */
static shape int_shape(shape s)
{
    return s == SH_F32 ? SH_I32 : s == SH_F64 ? SH_I64 : s;
}

/* The integer shape of twice (+1) or half (-1) the lane width. */
static shape wider(shape s)
{
    return (shape)(s + 1);
}

static shape narrower(shape s)
{
    return (shape)(s - 1);
}

/* A v128 seen as `s`. */
static LLVMValueRef as(welf_lower_fn *f, LLVMValueRef v, shape s)
{
    return LLVMBuildBitCast(f->b, v, shape_type(f->lm, s), "");
}

/* Any 128-bit vector as t_v128, for the operand stack. */
static LLVMValueRef to_v128(welf_lower_fn *f, LLVMValueRef v)
{
    if (LLVMTypeOf(v) == f->lm->t_v128)
        return v;
    return LLVMBuildBitCast(f->b, v, f->lm->t_v128, "");
}

/* A constant vector of n copies of `c`. */
static LLVMValueRef const_splat(LLVMValueRef c, unsigned n)
{
    LLVMValueRef elts[16];
    for (unsigned i = 0; i < n; i++)
        elts[i] = c;
    return LLVMConstVector(elts, n);
}

/* An integer constant in every lane of a vector of n lanes of shape s. */
static LLVMValueRef const_int_splat(welf_lower_fn *f, shape s, unsigned n,
                                    uint64_t v)
{
    return const_splat(LLVMConstInt(lane_type(f->lm, s), v, false), n);
}

/* A shufflevector mask: n indices from `idx`. */
static LLVMValueRef mask_of(welf_lower_fn *f, const unsigned *idx,
                            unsigned n)
{
    LLVMValueRef elts[32];
    for (unsigned i = 0; i < n; i++)
        elts[i] = welf_lower_u32(f, idx[i]);
    return LLVMConstVector(elts, n);
}

/* The mask first, first + step, first + 2 step, ... (n indices). */
static LLVMValueRef mask_series(welf_lower_fn *f, unsigned first,
                                unsigned step, unsigned n)
{
    unsigned idx[32];
    for (unsigned i = 0; i < n; i++)
        idx[i] = first + i * step;
    return mask_of(f, idx, n);
}

/* n lanes of vector v, from lane `first` on, every `step`th. */
static LLVMValueRef lanes_of(welf_lower_fn *f, LLVMValueRef v,
                             unsigned first, unsigned step, unsigned n)
{
    return LLVMBuildShuffleVector(f->b, v, LLVMGetPoison(LLVMTypeOf(v)),
                                  mask_series(f, first, step, n), "");
}

/* The concatenation of two vectors of n lanes each. */
static LLVMValueRef concat(welf_lower_fn *f, LLVMValueRef a, LLVMValueRef b,
                           unsigned n)
{
    return LLVMBuildShuffleVector(f->b, a, b, mask_series(f, 0, 1, 2 * n),
                                  "");
}

/* A scalar in every lane of a vector of n lanes. */
static LLVMValueRef splat(welf_lower_fn *f, LLVMValueRef x, unsigned n)
{
    LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(x), n);
    LLVMValueRef v = LLVMBuildInsertElement(f->b, LLVMGetPoison(vt), x,
                                            welf_lower_u32(f, 0), "");
    LLVMValueRef zeros = LLVMConstNull(LLVMVectorType(f->lm->t_i32, n));
    return LLVMBuildShuffleVector(f->b, v, LLVMGetPoison(vt), zeros, "");
}

/* Sign or zero extension to `t`. */
static LLVMValueRef extend(welf_lower_fn *f, LLVMValueRef v, LLVMTypeRef t,
                           bool is_signed)
{
    return is_signed ? LLVMBuildSExt(f->b, v, t, "")
                     : LLVMBuildZExt(f->b, v, t, "");
}

static LLVMValueRef intrinsic1(welf_lower_fn *f, const char *name,
                               LLVMValueRef a)
{
    LLVMTypeRef t = LLVMTypeOf(a);
    return welf_lower_intrinsic(f, name, &t, 1, &a, 1);
}

static LLVMValueRef intrinsic2(welf_lower_fn *f, const char *name,
                               LLVMValueRef a, LLVMValueRef b)
{
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef args[2] = {a, b};
    return welf_lower_intrinsic(f, name, &t, 1, args, 2);
}

/*
 * Spec 4.3.3 nans_N, lane by lane: a NaN result is the canonical NaN
 * when every NaN operand is canonical, and otherwise any arithmetic NaN.
 * The canonical NaN is right in both cases; a signalling NaN never is,
 * and LLVM lets one through where it folds x - 0.0, x * 1.0,
 * fptrunc(fpext x) and the like, or where x86's lowering of
 * llvm.minimum/maximum passes a NaN operand on unchanged (see the same
 * function in lower_numeric.c). So a NaN lane is replaced by the
 * canonical NaN: cmpunordps and a blend, which the optimizer drops when
 * it proves no lane is NaN.
 */
/* The canonical NaN in every lane of a vector of lanes of shape s (f32
 * or f64) and as many lanes as a v128 of that shape has, or only two
 * (n == 2) for the halves of f32x4 demote and promote. */
static LLVMValueRef canonical_nan_n(welf_lower_fn *f, shape s, unsigned n)
{
    welf_lower_module *lm = f->lm;
    LLVMValueRef nan;
    if (s == SH_F32)
        nan = LLVMConstBitCast(LLVMConstInt(lm->t_i32, 0x7fc00000u, false),
                               lm->t_f32);
    else
        nan = LLVMConstBitCast(
            LLVMConstInt(lm->t_i64, 0x7ff8000000000000ull, false), lm->t_f64);
    return const_splat(nan, n);
}

static LLVMValueRef canonical_nan(welf_lower_fn *f, shape s)
{
    return canonical_nan_n(f, s, shape_lanes(s));
}

static LLVMValueRef canonical_nan_if_nan(welf_lower_fn *f, LLVMValueRef v)
{
    LLVMTypeRef vt = LLVMTypeOf(v);
    shape s = LLVMGetElementType(vt) == f->lm->t_f32 ? SH_F32 : SH_F64;
    LLVMValueRef is_nan = LLVMBuildFCmp(f->b, LLVMRealUNO, v, v, "");
    return LLVMBuildSelect(f->b, is_nan,
                           canonical_nan_n(f, s, LLVMGetVectorSize(vt)), v,
                           "");
}

/* ---- memory ---- */


static LLVMValueRef load(welf_lower_fn *f, LLVMTypeRef t, LLVMValueRef p)
{
    LLVMValueRef v = LLVMBuildLoad2(f->b, t, p, "");
    LLVMSetAlignment(v, 1);
    if (f->lm->precise_traps)
        LLVMSetVolatile(v, 1);
    return v;
}

static void store(welf_lower_fn *f, LLVMValueRef v, LLVMValueRef p)
{
    LLVMValueRef st = LLVMBuildStore(f->b, v, p);
    LLVMSetAlignment(st, 1);
    if (f->lm->precise_traps)
        LLVMSetVolatile(st, 1);
}

/*
 * The memory instructions. A v128.load is pushed as the load itself, so
 * that lower.c keeps a dropped one (as a volatile load). The partial
 * loads push a value built from their load, which a drop does not see:
 * like any load whose value goes unused, they may then be deleted unless
 * precise_traps is on (docs/abi.md, "Precision of memory traps").
 */
static LLVMValueRef lower_memory_op(welf_lower_fn *f, const welf_instr *in,
                                    const simd_op *row, LLVMValueRef *args)
{
    welf_lower_module *lm = f->lm;
    shape s = (shape)row->shape;
    unsigned lanes = shape_lanes(s);
    LLVMValueRef p = welf_lower_effective_address(f, in, args[0]);
    LLVMValueRef v;
    switch ((simd_kind)row->kind) {
    case K_LOAD:
        return load(f, lm->t_v128, p);
    case K_LOAD_EXT:
        /* 64 bits of lanes, each extended to twice its width. */
        v = load(f, vec_type(lm, s, lanes / 2), p);
        return extend(f, v, vec_type(lm, wider(s), lanes / 2),
                      row->is_signed);
    case K_LOAD_SPLAT:
        return splat(f, load(f, lane_type(lm, s), p), lanes);
    case K_LOAD_ZERO:
        return LLVMBuildInsertElement(f->b, LLVMConstNull(shape_type(lm, s)),
                                      load(f, lane_type(lm, s), p),
                                      welf_lower_u32(f, 0), "");
    case K_LOAD_LANE:
        return LLVMBuildInsertElement(f->b, as(f, args[1], s),
                                      load(f, lane_type(lm, s), p),
                                      welf_lower_u32(f, in->u.memarg.lane), "");
    case K_STORE:
        store(f, args[1], p);
        return NULL;
    case K_STORE_LANE: {
        LLVMValueRef lane = welf_lower_u32(f, in->u.memarg.lane);
        store(f, LLVMBuildExtractElement(f->b, as(f, args[1], s), lane, ""),
              p);
        return NULL;
    }
    default:
        welf_unreachable();
    }
}

/* ---- lane-wise operations ---- */

/* v128.const: the 16 bytes, little-endian, as two i64 lanes. */
static LLVMValueRef lower_const(welf_lower_fn *f, const uint8_t *bytes)
{
    LLVMValueRef halves[2];
    for (int h = 0; h < 2; h++) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
            v = v << 8 | bytes[8 * h + i];
        halves[h] = LLVMConstInt(f->lm->t_i64, v, false);
    }
    return LLVMConstVector(halves, 2);
}

/*
 * i8x16.swizzle (spec 4.3.3 vec swizzle): lane i of the result is lane
 * idx[i] of a, or 0 when idx[i] >= 16. SSE2 has no pshufb, so this is a
 * variable extract per lane (LLVM goes through the stack), with the index
 * masked to keep it in range for LLVM, and the out-of-range lanes then
 * zeroed.
 */
static LLVMValueRef lower_swizzle(welf_lower_fn *f, LLVMValueRef a,
                                  LLVMValueRef idx)
{
    LLVMBuilderRef b = f->b;
    welf_lower_module *lm = f->lm;
    LLVMValueRef r = LLVMGetPoison(shape_type(lm, SH_I8));
    LLVMValueRef fifteen = LLVMConstInt(lm->t_i8, 15, false);
    for (unsigned i = 0; i < 16; i++) {
        LLVMValueRef j = LLVMBuildExtractElement(b, idx,
                                                 welf_lower_u32(f, i), "");
        j = LLVMBuildAnd(b, j, fifteen, "");
        LLVMValueRef e = LLVMBuildExtractElement(b, a, j, "");
        r = LLVMBuildInsertElement(b, r, e, welf_lower_u32(f, i), "");
    }
    LLVMValueRef in_range = LLVMBuildICmp(
        b, LLVMIntULT, idx, const_int_splat(f, SH_I8, 16, 16), "");
    return LLVMBuildSelect(b, in_range, r,
                           LLVMConstNull(shape_type(lm, SH_I8)), "");
}

/* Spec 4.3.2 ishl/ishr_s/ishr_u on each lane: the count is taken modulo
 * the lane width (LLVM shifts by the width or more give poison). */
static LLVMValueRef lower_shift(welf_lower_fn *f, const simd_op *row,
                                LLVMValueRef v, LLVMValueRef count)
{
    welf_lower_module *lm = f->lm;
    shape s = (shape)row->shape;
    unsigned bits = shape_bits(s);
    count = LLVMBuildAnd(f->b, count, welf_lower_u32(f, bits - 1), "");
    LLVMTypeRef lt = lane_type(lm, s);
    if (bits < 32)
        count = LLVMBuildTrunc(f->b, count, lt, "");
    else if (bits > 32)
        count = LLVMBuildZExt(f->b, count, lt, "");
    return LLVMBuildBinOp(f->b, (LLVMOpcode)row->pred, as(f, v, s),
                          splat(f, count, shape_lanes(s)), "");
}

/*
 * Spec 4.3.2 narrow_s/narrow_u: the lanes of a then b, each saturated to
 * the narrower signed or unsigned range (the input is signed in both
 * cases). smax/smin and a truncation, which x86 selects as packsswb,
 * packuswb and packssdw (packusdw is SSE4.1; LLVM expands it).
 */
static LLVMValueRef lower_narrow(welf_lower_fn *f, const simd_op *row,
                                 LLVMValueRef a, LLVMValueRef b)
{
    welf_lower_module *lm = f->lm;
    shape s = (shape)row->shape;
    unsigned n = shape_lanes(s), bits = shape_bits(s) / 2;
    uint64_t lo, hi;
    if (row->is_signed) {
        lo = (uint64_t)-(int64_t)(1ull << (bits - 1));
        hi = (1ull << (bits - 1)) - 1;
    } else {
        lo = 0;
        hi = (1ull << bits) - 1;
    }
    LLVMValueRef v = concat(f, as(f, a, s), as(f, b, s), n);
    v = intrinsic2(f, "llvm.smax", v, const_int_splat(f, s, 2 * n, lo));
    v = intrinsic2(f, "llvm.smin", v, const_int_splat(f, s, 2 * n, hi));
    return LLVMBuildTrunc(f->b, v, vec_type(lm, narrower(s), 2 * n), "");
}

/* The low or high half of v (shape s), extended to twice the width. */
static LLVMValueRef extend_half(welf_lower_fn *f, LLVMValueRef v, shape s,
                                bool high, bool is_signed)
{
    unsigned n = shape_lanes(s) / 2;
    LLVMValueRef half = lanes_of(f, as(f, v, s), high ? n : 0, 1, n);
    return extend(f, half, vec_type(f->lm, wider(s), n), is_signed);
}

/* Spec 4.3.2 iavgr_u: (a + b + 1) / 2 without overflow, computed at twice
 * the width; x86 selects pavgb/pavgw. */
static LLVMValueRef lower_avgr(welf_lower_fn *f, shape s, LLVMValueRef a,
                               LLVMValueRef b)
{
    welf_lower_module *lm = f->lm;
    unsigned n = shape_lanes(s);
    LLVMTypeRef wide = vec_type(lm, wider(s), n);
    LLVMValueRef sum = LLVMBuildAdd(
        f->b, LLVMBuildZExt(f->b, as(f, a, s), wide, ""),
        LLVMBuildZExt(f->b, as(f, b, s), wide, ""), "");
    sum = LLVMBuildAdd(f->b, sum, const_int_splat(f, wider(s), n, 1), "");
    sum = LLVMBuildLShr(f->b, sum, const_int_splat(f, wider(s), n, 1), "");
    return LLVMBuildTrunc(f->b, sum, shape_type(lm, s), "");
}

/* Spec 4.3.2 iq15mulr_sat_s: sat_s((a * b + 2^14) >> 15) at 32 bits. Only
 * -32768 * -32768 overflows (to 32768), so only the upper bound needs a
 * clamp. */
static LLVMValueRef lower_q15mulr(welf_lower_fn *f, LLVMValueRef a,
                                  LLVMValueRef b)
{
    welf_lower_module *lm = f->lm;
    LLVMTypeRef wide = vec_type(lm, SH_I32, 8);
    LLVMValueRef p = LLVMBuildMul(
        f->b, LLVMBuildSExt(f->b, as(f, a, SH_I16), wide, ""),
        LLVMBuildSExt(f->b, as(f, b, SH_I16), wide, ""), "");
    p = LLVMBuildAdd(f->b, p, const_int_splat(f, SH_I32, 8, 0x4000), "");
    p = LLVMBuildAShr(f->b, p, const_int_splat(f, SH_I32, 8, 15), "");
    p = intrinsic2(f, "llvm.smin", p, const_int_splat(f, SH_I32, 8, 0x7fff));
    return LLVMBuildTrunc(f->b, p, shape_type(lm, SH_I16), "");
}

/* Spec 4.3.2 extadd_pairwise: even lanes plus odd lanes, each extended to
 * twice the width first. */
static LLVMValueRef lower_extadd(welf_lower_fn *f, const simd_op *row,
                                 LLVMValueRef a)
{
    shape s = (shape)row->shape;
    unsigned n = shape_lanes(s) / 2;
    LLVMTypeRef wide = vec_type(f->lm, wider(s), n);
    LLVMValueRef v = as(f, a, s);
    LLVMValueRef even = extend(f, lanes_of(f, v, 0, 2, n), wide,
                               row->is_signed);
    LLVMValueRef odd = extend(f, lanes_of(f, v, 1, 2, n), wide,
                              row->is_signed);
    return LLVMBuildAdd(f->b, even, odd, "");
}

/* Spec 4.3.2 i32x4.dot_i16x8_s: the products of signed 16-bit lanes at
 * 32 bits, added in pairs with wrapping (-32768^2 * 2 wraps to INT_MIN),
 * which x86 selects as pmaddwd. */
static LLVMValueRef lower_dot(welf_lower_fn *f, LLVMValueRef a,
                              LLVMValueRef b)
{
    LLVMTypeRef wide = vec_type(f->lm, SH_I32, 8);
    LLVMValueRef p = LLVMBuildMul(
        f->b, LLVMBuildSExt(f->b, as(f, a, SH_I16), wide, ""),
        LLVMBuildSExt(f->b, as(f, b, SH_I16), wide, ""), "");
    return LLVMBuildAdd(f->b, lanes_of(f, p, 0, 2, 4), lanes_of(f, p, 1, 2, 4),
                        "");
}

/*
 * fceil, ffloor, ftrunc and fnearest lane-wise, in plain SSE2 (roundps
 * is SSE4.1; LLVM would call ceilf & co. per lane). A lane of magnitude
 * 2^23 (f32) or 2^52 (f64) or more is integral already, and so is an
 * infinity; a NaN lane becomes the canonical NaN. Smaller lanes round to
 * nearest, ties to even, through (|x| + 2^k) - 2^k with the sign copied
 * back, and ceil, floor and trunc then step by one where that went the
 * wrong way: ceil adds 1 where it fell below x, floor subtracts 1 where
 * it rose above x, trunc does floor on |x|. Every step is exact. The
 * result always has the sign of x (ceil(-0.5) is -0.0, floor(0.5) +0.0),
 * so the sign is copied once more at the end. No integer conversion:
 * f64x2 would have to go lane by lane through cvttsd2si.
 */
static LLVMValueRef lower_round(welf_lower_fn *f, shape s, round_mode mode,
                                LLVMValueRef v)
{
    LLVMBuilderRef b = f->b;
    unsigned n = shape_lanes(s);
    LLVMTypeRef lt = lane_type(f->lm, s);
    LLVMValueRef x = as(f, v, s);
    LLVMValueRef big = const_splat(
        LLVMConstReal(lt, s == SH_F64 ? 4503599627370496.0 : 8388608.0), n);
    LLVMValueRef one = const_splat(LLVMConstReal(lt, 1.0), n);
    LLVMValueRef ax = intrinsic1(f, "llvm.fabs", x);
    LLVMValueRef small = LLVMBuildFCmp(b, LLVMRealOLT, ax, big, "");
    /* Nearest of |x|, ties to even. */
    LLVMValueRef r = LLVMBuildFSub(b, LLVMBuildFAdd(b, ax, big, ""), big, "");
    switch (mode) {
    case R_NEAREST:
        break;
    case R_TRUNC:
        r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, r, ax, ""),
                            LLVMBuildFSub(b, r, one, ""), r, "");
        break;
    case R_CEIL:
    case R_FLOOR:
        r = intrinsic2(f, "llvm.copysign", r, x);
        if (mode == R_CEIL)
            r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, r, x, ""),
                                LLVMBuildFAdd(b, r, one, ""), r, "");
        else
            r = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, r, x, ""),
                                LLVMBuildFSub(b, r, one, ""), r, "");
        break;
    }
    r = intrinsic2(f, "llvm.copysign", r, x);
    return canonical_nan_if_nan(f, LLVMBuildSelect(b, small, r, x, ""));
}

/*
 * Spec 4.3.4 trunc_sat_s/trunc_sat_u lane-wise, from f32 or f64 lanes to
 * i32 lanes: NaN gives 0, out-of-range values clamp to the nearest bound.
 * llvm.fptosi/fptoui.sat would do, but x86 scalarizes them (a cvttss2si,
 * two compares and two cmovs per lane). Here only in-range lanes reach
 * fptosi (cvttps2dq, cvttpd2dq; the others are zeroed so that LLVM sees
 * no poison), and compares and blends fix up the rest. All bounds are
 * exact in both source types:
 *
 *   - signed: x in [-2^31, 2^31) converts; x >= 2^31 gives INT32_MAX,
 *     x < -2^31 INT32_MIN (f64 lanes in (-2^31 - 1, -2^31) truncate to
 *     INT32_MIN too, so clamping them is right), NaN 0;
 *   - unsigned: x <= 0 and NaN give 0 (x in (-1, 0] truncates to 0);
 *     x in [2^31, 2^32) converts as x - 2^31 with the top bit set
 *     afterwards (the subtraction is exact); x >= 2^32 gives UINT32_MAX.
 */
static LLVMValueRef lower_trunc_sat(welf_lower_fn *f, shape s,
                                    bool is_signed, LLVMValueRef v)
{
    LLVMBuilderRef b = f->b;
    welf_lower_module *lm = f->lm;
    unsigned n = shape_lanes(s);
    LLVMTypeRef lt = lane_type(lm, s);
    LLVMTypeRef it = vec_type(lm, SH_I32, n);
    LLVMValueRef x = as(f, v, s);
    LLVMValueRef zero = LLVMConstNull(shape_type(lm, s));
    LLVMValueRef two31 = const_splat(LLVMConstReal(lt, 2147483648.0), n);
    if (is_signed) {
        LLVMValueRef lo = const_splat(LLVMConstReal(lt, -2147483648.0), n);
        LLVMValueRef above = LLVMBuildFCmp(b, LLVMRealOGE, x, two31, "");
        LLVMValueRef below = LLVMBuildFCmp(b, LLVMRealOLT, x, lo, "");
        LLVMValueRef in = LLVMBuildAnd(
            b, LLVMBuildFCmp(b, LLVMRealOGE, x, lo, ""),
            LLVMBuildFCmp(b, LLVMRealOLT, x, two31, ""), "");
        LLVMValueRef r = LLVMBuildFPToSI(
            b, LLVMBuildSelect(b, in, x, zero, ""), it, "");
        r = LLVMBuildSelect(b, above,
                            const_int_splat(f, SH_I32, n, 0x7fffffff), r, "");
        return LLVMBuildSelect(b, below,
                               const_int_splat(f, SH_I32, n, 0x80000000u), r,
                               "");
    }
    LLVMValueRef two32 = const_splat(LLVMConstReal(lt, 4294967296.0), n);
    LLVMValueRef pos = LLVMBuildSelect(
        b, LLVMBuildFCmp(b, LLVMRealOGT, x, zero, ""), x, zero, "");
    LLVMValueRef high = LLVMBuildFCmp(b, LLVMRealOGE, pos, two31, "");
    LLVMValueRef over = LLVMBuildFCmp(b, LLVMRealOGE, pos, two32, "");
    LLVMValueRef y = LLVMBuildSelect(b, high,
                                     LLVMBuildFSub(b, pos, two31, ""), pos,
                                     "");
    y = LLVMBuildSelect(b, over, zero, y, "");
    LLVMValueRef r = LLVMBuildFPToSI(b, y, it, "");
    r = LLVMBuildOr(b, r,
                    LLVMBuildSelect(b, high,
                                    const_int_splat(f, SH_I32, n,
                                                    0x80000000u),
                                    LLVMConstNull(it), ""),
                    "");
    return LLVMBuildSelect(b, over, LLVMConstAllOnes(it), r, "");
}

/*
 * Spec 4.3.3 fmin/fmax lane-wise: a NaN operand gives a NaN, and -0 is
 * below +0. llvm.minimum/maximum say exactly that, but x86 expands them
 * into some twenty instructions. minps/maxps alone are wrong for NaN
 * and zeros (they return the second operand), yet together with the
 * swapped form they are enough: min(a, b) and min(b, a) agree except for
 * two zeros (then one is -0 if either is) and NaN, so their bitwise OR is
 * the fmin of everything but NaN; for fmax, AND gives +0 for +0 and -0.
 * Lanes where an operand is NaN become the canonical NaN, which spec
 * nans_N allows whatever the operands' payloads (see
 * canonical_nan_if_nan). select(a < b, a, b) is how LLVM spells minps.
 */
static LLVMValueRef lower_fminmax(welf_lower_fn *f, shape s, bool is_max,
                                  LLVMValueRef va, LLVMValueRef vb)
{
    LLVMBuilderRef b = f->b;
    LLVMRealPredicate pred = is_max ? LLVMRealOGT : LLVMRealOLT;
    LLVMValueRef x = as(f, va, s), y = as(f, vb, s);
    LLVMValueRef xy = LLVMBuildSelect(b, LLVMBuildFCmp(b, pred, x, y, ""), x,
                                      y, "");
    LLVMValueRef yx = LLVMBuildSelect(b, LLVMBuildFCmp(b, pred, y, x, ""), y,
                                      x, "");
    shape is = int_shape(s);
    LLVMValueRef r = LLVMBuildBinOp(b, is_max ? LLVMAnd : LLVMOr,
                                    as(f, xy, is), as(f, yx, is), "");
    r = as(f, r, s);
    LLVMValueRef nan = LLVMBuildFCmp(b, LLVMRealUNO, x, y, "");
    return LLVMBuildSelect(b, nan, canonical_nan(f, s), r, "");
}

/* ---- the driver ---- */

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

static bool unsupported(welf_lower_fn *f, const welf_instr *in)
{
    const char *name =
        in->op < WELF_OPINFO_COUNT ? welf_opinfos[in->op].name : NULL;
    welf_error_set(f->lm->err, WELF_ERR_UNSUPPORTED, in->offset,
                   "SIMD instruction %s is not supported yet",
                   name != NULL ? name : "?");
    return false;
}

static bool is_memory_kind(simd_kind k)
{
    return k >= K_LOAD && k <= K_STORE_LANE;
}

bool welf_lower_simd(welf_lower_fn *f, const welf_instr *in)
{
    if (in->op < WELF_OP_PREFIX_FD ||
        in->op - WELF_OP_PREFIX_FD >= SIMD_OP_COUNT ||
        simd_ops[in->op - WELF_OP_PREFIX_FD].kind == K_NONE ||
        welf_opinfos[in->op].sig == NULL)
        return unsupported(f, in);
    const simd_op *row = &simd_ops[in->op - WELF_OP_PREFIX_FD];
    welf_lower_module *lm = f->lm;
    LLVMBuilderRef b = f->b;

    /* Operands from the signature "params_results", the last popped
     * first. */
    const char *sig = welf_opinfos[in->op].sig;
    const char *underscore = sig;
    while (*underscore != '_')
        underscore++;
    unsigned n_params = (unsigned)(underscore - sig);
    if (n_params > 3)
        return unsupported(f, in);
    LLVMValueRef args[3] = {NULL, NULL, NULL};
    for (unsigned i = n_params; i-- > 0;)
        args[i] = welf_lower_pop(f, sig_type(lm, sig[i]));

    shape s = (shape)row->shape;
    unsigned n = shape_lanes(s);
    simd_kind kind = (simd_kind)row->kind;
    LLVMValueRef v = NULL;
    LLVMValueRef x, y;
    if (is_memory_kind(kind)) {
        v = lower_memory_op(f, in, row, args);
        return v == NULL || welf_lower_push(f, to_v128(f, v));
    }

    switch (kind) {
    case K_CONST:
        v = lower_const(f, in->u.bytes16);
        break;
    case K_SHUFFLE: {
        unsigned idx[16];
        for (unsigned i = 0; i < 16; i++)
            idx[i] = in->u.bytes16[i];
        v = LLVMBuildShuffleVector(b, as(f, args[0], SH_I8),
                                   as(f, args[1], SH_I8),
                                   mask_of(f, idx, 16), "");
        break;
    }
    case K_SWIZZLE:
        v = lower_swizzle(f, as(f, args[0], SH_I8), as(f, args[1], SH_I8));
        break;
    case K_SPLAT:
        x = args[0];
        if (s == SH_I8 || s == SH_I16)
            x = LLVMBuildTrunc(b, x, lane_type(lm, s), "");
        v = splat(f, x, n);
        break;
    case K_EXTRACT:
        v = LLVMBuildExtractElement(b, as(f, args[0], s),
                                    welf_lower_u32(f, in->u.lane), "");
        if (s == SH_I8 || s == SH_I16)
            v = extend(f, v, lm->t_i32, row->is_signed);
        break;
    case K_REPLACE:
        x = args[1];
        if (s == SH_I8 || s == SH_I16)
            x = LLVMBuildTrunc(b, x, lane_type(lm, s), "");
        v = LLVMBuildInsertElement(b, as(f, args[0], s), x,
                                   welf_lower_u32(f, in->u.lane), "");
        break;
    case K_ICMP:
        v = LLVMBuildSExt(b,
                          LLVMBuildICmp(b, (LLVMIntPredicate)row->pred,
                                        as(f, args[0], s), as(f, args[1], s),
                                        ""),
                          shape_type(lm, s), "");
        break;
    case K_FCMP:
        v = LLVMBuildSExt(b,
                          LLVMBuildFCmp(b, (LLVMRealPredicate)row->pred,
                                        as(f, args[0], s), as(f, args[1], s),
                                        ""),
                          shape_type(lm, int_shape(s)), "");
        break;
    case K_NOT:
        v = LLVMBuildNot(b, args[0], "");
        break;
    case K_ANDNOT:
        v = LLVMBuildAnd(b, args[0], LLVMBuildNot(b, args[1], ""), "");
        break;
    case K_BITSELECT:
        /* Spec 4.3.2 ibitselect: bits of a where c is 1, of b where 0. */
        v = LLVMBuildOr(b, LLVMBuildAnd(b, args[0], args[2], ""),
                        LLVMBuildAnd(b, args[1], LLVMBuildNot(b, args[2], ""),
                                     ""),
                        "");
        break;
    case K_ANY_TRUE:
        x = LLVMBuildBitCast(b, args[0], LLVMIntTypeInContext(lm->ctx, 128),
                             "");
        v = LLVMBuildZExt(b,
                          LLVMBuildICmp(b, LLVMIntNE, x,
                                        LLVMConstNull(LLVMTypeOf(x)), ""),
                          lm->t_i32, "");
        break;
    case K_ALL_TRUE:
        /* One bit per lane that is nonzero; all of them set. */
        x = LLVMBuildICmp(b, LLVMIntNE, as(f, args[0], s),
                          LLVMConstNull(shape_type(lm, s)), "");
        x = LLVMBuildBitCast(b, x, LLVMIntTypeInContext(lm->ctx, n), "");
        v = LLVMBuildZExt(b,
                          LLVMBuildICmp(b, LLVMIntEQ, x,
                                        LLVMConstAllOnes(LLVMTypeOf(x)), ""),
                          lm->t_i32, "");
        break;
    case K_BITMASK:
        /* The sign bit of each lane, lane 0 in bit 0: pmovmskb,
         * movmskps, movmskpd. */
        x = LLVMBuildICmp(b, LLVMIntSLT, as(f, args[0], s),
                          LLVMConstNull(shape_type(lm, s)), "");
        x = LLVMBuildBitCast(b, x, LLVMIntTypeInContext(lm->ctx, n), "");
        v = LLVMBuildZExt(b, x, lm->t_i32, "");
        break;
    case K_BINOP:
        v = LLVMBuildBinOp(b, (LLVMOpcode)row->pred, as(f, args[0], s),
                           as(f, args[1], s), "");
        break;
    case K_SHIFT:
        v = lower_shift(f, row, args[0], args[1]);
        break;
    case K_INTRIN1:
        v = intrinsic1(f, row->intrinsic,
                       as(f, args[0], s));
        break;
    case K_INTRIN2:
        v = intrinsic2(f, row->intrinsic, as(f, args[0], s),
                       as(f, args[1], s));
        break;
    case K_ABS: {
        /* Spec 4.3.2 iabs: abs(INT_MIN) is INT_MIN, so not poison. */
        LLVMTypeRef t = shape_type(lm, s);
        LLVMValueRef call_args[2] = {as(f, args[0], s),
                                     LLVMConstInt(lm->t_i1, 0, false)};
        v = welf_lower_intrinsic(f, "llvm.abs", &t, 1, call_args, 2);
        break;
    }
    case K_NEG:
        v = LLVMBuildSub(b, LLVMConstNull(shape_type(lm, s)), as(f, args[0], s),
                         "");
        break;
    case K_FNEG:
        v = LLVMBuildFNeg(b, as(f, args[0], s), "");
        break;
    case K_NARROW:
        v = lower_narrow(f, row, args[0], args[1]);
        break;
    case K_EXTEND:
        v = extend_half(f, args[0], s, row->high, row->is_signed);
        break;
    case K_EXTMUL:
        /* Spec 4.3.2 extmul: exact products of the extended halves. */
        v = LLVMBuildMul(b,
                         extend_half(f, args[0], s, row->high,
                                     row->is_signed),
                         extend_half(f, args[1], s, row->high,
                                     row->is_signed),
                         "");
        break;
    case K_EXTADD:
        v = lower_extadd(f, row, args[0]);
        break;
    case K_DOT:
        v = lower_dot(f, args[0], args[1]);
        break;
    case K_AVGR:
        v = lower_avgr(f, s, args[0], args[1]);
        break;
    case K_Q15MULR:
        v = lower_q15mulr(f, args[0], args[1]);
        break;
    case K_FMIN:
    case K_FMAX:
        v = lower_fminmax(f, s, kind == K_FMAX, args[0], args[1]);
        break;
    case K_PMIN:
    case K_PMAX:
        /* Spec 4.3.3 fpmin/fpmax: pmin(a, b) = b < a ? b : a and
         * pmax(a, b) = a < b ? b : a, NaNs and zeros included (minps and
         * maxps with the operands swapped); operands pass through
         * bit for bit. */
        x = as(f, args[0], s);
        y = as(f, args[1], s);
        v = kind == K_PMIN
                ? LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, y, x, ""),
                                  y, x, "")
                : LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, x, y, ""),
                                  y, x, "");
        break;
    case K_ROUND:
        v = lower_round(f, s, (round_mode)row->mode, args[0]);
        break;
    case K_TRUNC_SAT:
    case K_TRUNC_SAT_ZERO:
        /* The f64x2 form fills the two high lanes with zeros. */
        v = lower_trunc_sat(f, s, row->is_signed, args[0]);
        if (kind == K_TRUNC_SAT_ZERO)
            v = concat(f, v, LLVMConstNull(vec_type(lm, SH_I32, 2)), 2);
        break;
    case K_CONVERT:
        /* Round to nearest, ties to even, as spec 4.3.4 convert asks. */
        x = as(f, args[0], SH_I32);
        v = row->is_signed
                ? LLVMBuildSIToFP(b, x, shape_type(lm, SH_F32), "")
                : LLVMBuildUIToFP(b, x, shape_type(lm, SH_F32), "");
        break;
    case K_CONVERT_LOW:
        /* Exact: every i32 is an f64. */
        x = lanes_of(f, as(f, args[0], SH_I32), 0, 1, 2);
        v = row->is_signed
                ? LLVMBuildSIToFP(b, x, shape_type(lm, SH_F64), "")
                : LLVMBuildUIToFP(b, x, shape_type(lm, SH_F64), "");
        break;
    case K_DEMOTE:
        /* Spec 4.3.4 demote, then two zero lanes. */
        x = canonical_nan_if_nan(
            f, LLVMBuildFPTrunc(b, as(f, args[0], SH_F64),
                                vec_type(lm, SH_F32, 2), ""));
        v = concat(f, x, LLVMConstNull(vec_type(lm, SH_F32, 2)), 2);
        break;
    case K_PROMOTE:
        x = lanes_of(f, as(f, args[0], SH_F32), 0, 1, 2);
        v = canonical_nan_if_nan(
            f, LLVMBuildFPExt(b, x, shape_type(lm, SH_F64), ""));
        break;
    default:
        break;
    }
    if (v == NULL)
        return unsupported(f, in);
    if (row->canon_nan)
        v = canonical_nan_if_nan(f, v);
    if (LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMVectorTypeKind)
        v = to_v128(f, v);
    return welf_lower_push(f, v);
}
