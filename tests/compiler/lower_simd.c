/*
 * tests/compiler/lower_simd.c — the lowering of the SIMD instructions
 * (compiler/lower_simd.c), table-driven: the cases where wasm and LLVM
 * or SSE2 disagree. Shift counts past the lane width, swizzle indices of
 * 16 and more, fmin/fmax with NaN and signed zeros against the "pseudo"
 * pmin/pmax, saturating narrowing, arithmetic and truncation, q15mulr,
 * dot, extended multiplies and pairwise adds, avgr_u rounding, popcnt,
 * bitmask, all_true/any_true, lane accesses, rounding near 0.5 and near
 * 2^23 / 2^52 without roundps, NaN results (quiet; canonical where the
 * lowering makes them so) and NaN payloads through bit operations; and
 * the memory instructions at the end of memory.
 *
 * Every case runs in up to three forms, so that both the code generator
 * and LLVM's constant folding see it: v128 operands loaded from memory
 * ("r"), as v128.const ("c"), and the first loaded, the others constant
 * ("m"). A scalar operand (shift count, lane value) is a parameter in
 * "r" and a constant otherwise. The result is stored to memory and
 * compared there. Each table runs at -O0 and -O2.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "lower_support.h"
#include "opcodes.h"

TestSuite(lower_simd, .fini = lw_cleanup);

typedef struct v128 {
    uint8_t b[16];
} v128;

/* Lanes, little-endian. */
#define L16(x) (uint8_t)(x), (uint8_t)((uint16_t)(x) >> 8)
#define L32(x) L16((uint32_t)(x)), L16((uint32_t)(x) >> 16)
#define L64(x) L32((uint64_t)(x)), L32((uint64_t)(x) >> 32)
#define I8X16(...) {{__VA_ARGS__}}
#define I16X8(a, b, c, d, e, f, g, h) \
    {{L16(a), L16(b), L16(c), L16(d), L16(e), L16(f), L16(g), L16(h)}}
#define I32X4(a, b, c, d) {{L32(a), L32(b), L32(c), L32(d)}}
#define I64X2(a, b) {{L64(a), L64(b)}}
#define SPLAT32(a) I32X4(a, a, a, a)
#define SPLAT64(a) I64X2(a, a)
/* A scalar operand or result: its bits in the low lane. */
#define SCALAR(x) I64X2(x, 0)

typedef struct simd_case {
    const char *name;
    uint16_t op;               /* welf_op */
    const char *imm;           /* immediate bytes (lane, shuffle) */
    size_t imm_len;
    const char *params;        /* operand types: v (v128), i, l, f, d */
    char result;               /* v, i, l, f or d */
    v128 a, b, c;              /* operands; scalars in the low lane */
    v128 want;                 /* the result's bits */
    char nan_type;             /* 'f' or 'd': lanes of the NaN masks */
    uint8_t canon;             /* lanes that must be the canonical NaN */
    uint8_t arith;             /* lanes that must be a quiet NaN */
} simd_case;

#define ZERO I64X2(0, 0)
#define IMM(lit) (lit), sizeof(lit) - 1
/* name, op, params, result, operands, want. */
#define C1(name, op, p, r, a, want) \
    {name, WELF_OP_##op, NULL, 0, p, r, a, ZERO, ZERO, want, 0, 0, 0}
#define C2(name, op, p, r, a, b, want) \
    {name, WELF_OP_##op, NULL, 0, p, r, a, b, ZERO, want, 0, 0, 0}
#define C3(name, op, a, b, c, want) \
    {name, WELF_OP_##op, NULL, 0, "vvv", 'v', a, b, c, want, 0, 0, 0}
/* With an immediate. */
#define CI(name, op, imm, p, r, a, b, want) \
    {name, WELF_OP_##op, IMM(imm), p, r, a, b, ZERO, want, 0, 0, 0}
/* Float lanes: lanes in `canon` must be the canonical NaN, lanes in
 * `arith` any quiet NaN, the others equal `want`. */
#define F1(name, op, t, a, want, canon, arith) \
    {name, WELF_OP_##op, NULL, 0, "v", 'v', a, ZERO, ZERO, want, t, canon, \
     arith}
#define F2(name, op, t, a, b, want, canon, arith) \
    {name, WELF_OP_##op, NULL, 0, "vv", 'v', a, b, ZERO, want, t, canon, \
     arith}

/* Float bit patterns. */
#define F32_NZERO 0x80000000u
#define F32_ONE 0x3f800000u
#define F32_NONE 0xbf800000u
#define F32_HALF 0x3f000000u
#define F32_INF 0x7f800000u
#define F32_NINF 0xff800000u
#define F32_CNAN 0x7fc00000u
#define F32_QNAN 0x7fc00001u      /* quiet, with a payload */
#define F32_SNAN 0x7fa00001u      /* signalling */
#define F64_NZERO UINT64_C(0x8000000000000000)
#define F64_ONE UINT64_C(0x3ff0000000000000)
#define F64_HALF UINT64_C(0x3fe0000000000000)
#define F64_INF UINT64_C(0x7ff0000000000000)
#define F64_CNAN UINT64_C(0x7ff8000000000000)
#define F64_SNAN UINT64_C(0x7ff4000000000001)

/* ---- the runner ---- */

/*
 * Each variant is one function (i32 case, i64 scalar) that dispatches on
 * the case with br_table. v128 operand k is at address 16 k in "r"; the
 * result goes to address 64 (a v128, or a scalar's bits as an i64).
 */
typedef enum variant { V_PARAMS, V_CONSTS, V_MIXED, V_COUNT } variant;

static const char *const variant_fn[V_COUNT] = {"r", "c", "m"};

#define RESULT_AT 64

static void buf_simd(lw_buf *b, uint16_t op)
{
    buf_byte(b, 0xfd);
    buf_u32(b, (uint32_t)(op - WELF_OP_PREFIX_FD));
}

static void buf_v128_const(lw_buf *b, const v128 *v)
{
    buf_simd(b, WELF_OP_V128_CONST);
    buf_bytes(b, v->b, 16);
}

static uint64_t low64(const v128 *v)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = x << 8 | v->b[i];
    return x;
}

/* The mixed form needs a constant after the first operand. */
static bool has_variant(const simd_case *c, variant v)
{
    return v != V_MIXED || strlen(c->params) >= 2;
}

/* Pushes operand k of case c. */
static void operand(lw_buf *b, const simd_case *c, size_t k, variant v)
{
    const v128 *val = k == 0 ? &c->a : k == 1 ? &c->b : &c->c;
    char type = c->params[k];
    bool as_const = v == V_CONSTS || (v == V_MIXED && k > 0);
    if (type == 'v') {
        if (as_const) {
            buf_v128_const(b, val);
        } else {
            buf_i32_const(b, (int32_t)(16 * k));
            buf_simd(b, WELF_OP_V128_LOAD);
            buf_lit(b, "\x00\x00");
        }
        return;
    }
    uint64_t bits = low64(val);
    if (as_const) {
        switch (type) {
        case 'i': buf_i32_const(b, (int32_t)(uint32_t)bits); break;
        case 'l': buf_i64_const(b, (int64_t)bits); break;
        case 'f': buf_f32_const(b, (uint32_t)bits); break;
        case 'd': buf_f64_const(b, bits); break;
        }
        return;
    }
    buf_lit(b, LOCAL_GET "\x01");
    switch (type) {
    case 'i': buf_lit(b, "\xa7"); break;             /* i32.wrap_i64 */
    case 'f': buf_lit(b, "\xa7\xbe"); break;         /* f32.reinterpret */
    case 'd': buf_lit(b, "\xbf"); break;             /* f64.reinterpret */
    }
}

static void add_variant(lw_mod *m, const simd_case *cases, size_t count,
                        variant v)
{
    lw_buf b = {0};
    for (size_t i = 0; i <= count; i++)
        buf_lit(&b, BLOCK BT_EMPTY);
    buf_lit(&b, LOCAL_GET "\x00" BR_TABLE);
    buf_u32(&b, (uint32_t)count);
    for (size_t i = 0; i < count; i++)
        buf_u32(&b, has_variant(&cases[i], v) ? (uint32_t)i
                                              : (uint32_t)count);
    buf_u32(&b, (uint32_t)count);
    for (size_t i = 0; i < count; i++) {
        const simd_case *c = &cases[i];
        buf_lit(&b, END);
        if (!has_variant(c, v)) {
            buf_lit(&b, UNREACHABLE);
            continue;
        }
        buf_i32_const(&b, RESULT_AT);
        for (size_t k = 0; k < strlen(c->params); k++)
            operand(&b, c, k, v);
        buf_simd(&b, c->op);
        if (c->imm_len)
            buf_bytes(&b, c->imm, c->imm_len);
        switch (c->result) {
        case 'v':
            buf_simd(&b, WELF_OP_V128_STORE);
            buf_lit(&b, "\x00\x00");
            break;
        case 'i': buf_lit(&b, "\xad\x37\x00\x00"); break; /* extend_u */
        case 'l': buf_lit(&b, "\x37\x00\x00"); break;     /* i64.store */
        case 'f': buf_lit(&b, "\xbc\xad\x37\x00\x00"); break;
        case 'd': buf_lit(&b, "\xbd\x37\x00\x00"); break;
        }
        buf_lit(&b, RETURN);
    }
    buf_lit(&b, END UNREACHABLE);
    mod_func(m, variant_fn[v], "il", "", "", b.data, b.len);
    buf_free(&b);
}

static void describe(char *buf, size_t size, const uint8_t *bytes)
{
    int len = 0;
    for (int i = 15; i >= 0 && len >= 0 && (size_t)len < size; i--)
        len += snprintf(buf + len, size - (size_t)len, "%02x%s", bytes[i],
                        i % 4 == 0 && i ? "_" : "");
}

/* Is lane i of `got` as the case wants? */
static bool lane_ok(const simd_case *c, const uint8_t *got, unsigned i)
{
    unsigned size = c->nan_type == 'd' ? 8 : 4;
    uint64_t bits = 0;
    for (unsigned k = size; k-- > 0;)
        bits = bits << 8 | got[i * size + k];
    uint64_t sign = size == 8 ? F64_NZERO : F32_NZERO;
    uint64_t quiet_nan = size == 8 ? F64_CNAN : F32_CNAN;
    if (c->canon & (1u << i))
        return (bits & ~sign) == quiet_nan;
    if (c->arith & (1u << i))
        return (bits & quiet_nan) == quiet_nan;
    return memcmp(got + i * size, c->want.b + i * size, size) == 0;
}

/* Runs one case in one variant; prints and returns false on a mismatch. */
static bool check_case(welf_instance *inst, uint8_t *mem, const simd_case *c,
                       size_t i, variant v)
{
    memcpy(mem, c->a.b, 16);
    memcpy(mem + 16, c->b.b, 16);
    memcpy(mem + 32, c->c.b, 16);
    memset(mem + RESULT_AT, 0xcc, 16);
    const v128 *scalar = &c->a;
    for (size_t k = 0; c->params[k]; k++)
        if (c->params[k] != 'v')
            scalar = k == 0 ? &c->a : k == 1 ? &c->b : &c->c;
    welf_val args[2] = {I32(i), I64(low64(scalar))};
    welf_error err;
    welf_status st = lw_call(inst, variant_fn[v], args, 2, NULL, 0, &err);
    uint8_t got[16];
    memcpy(got, mem + RESULT_AT, 16);
    if (c->result != 'v')
        memset(got + 8, 0, 8);

    bool ok = st == WELF_OK;
    if (ok && c->nan_type) {
        unsigned lanes = c->nan_type == 'd' ? 2 : 4;
        for (unsigned l = 0; l < lanes; l++)
            ok = ok && lane_ok(c, got, l);
    } else if (ok) {
        ok = memcmp(got, c->want.b, 16) == 0;
    }
    if (!ok) {
        static const char *const how[V_COUNT] = {
            "operands loaded", "constant operands", "first operand loaded"};
        char g[64], w[64];
        describe(g, sizeof g, got);
        describe(w, sizeof w, c->want.b);
        fprintf(stderr, "-O%d %s (case %zu), %s: %s%s, expected %s%s\n",
                lw_opt, c->name, i, how[v], st == WELF_OK ? "got " : "",
                st == WELF_OK ? g : err.message, w,
                c->canon | c->arith ? " (some lanes NaN)" : "");
    }
    return ok;
}

static void run_cases(const simd_case *cases, size_t count)
{
    lw_mod m;
    mod_init(&m, WELF_FEATURES_WASM2);
    mod_memory(&m, 1, LW_NO_MAX, "mem");
    for (int v = 0; v < V_COUNT; v++)
        add_variant(&m, cases, count, (variant)v);
    int opt;
    size_t failures = 0;
    FOR_EACH_OPT(opt) {
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *mem = lw_memory(inst, "mem");
        for (size_t i = 0; i < count; i++)
            for (int v = 0; v < V_COUNT; v++)
                if (has_variant(&cases[i], (variant)v))
                    failures +=
                        !check_case(inst, mem, &cases[i], i, (variant)v);
    }
    mod_free(&m);
    cr_assert_eq(failures, 0, "%zu mismatches (listed on stderr)",
                 failures);
}

#define RUN(cases) run_cases((cases), sizeof(cases) / sizeof((cases)[0]))

/* ---- integer lanes ---- */

Test(lower_simd, shift_counts_modulo_lane_width)
{
    static const simd_case cases[] = {
        C2("i8x16.shl 9", I8X16_SHL, "vi", 'v',
           I8X16(0x81, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x7f),
           SCALAR(9),
           I8X16(2, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28,
                 0xfe)),
        C2("i8x16.shr_s 7", I8X16_SHR_S, "vi", 'v',
           I8X16(0x80, 0x7f, 0xc0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff),
           SCALAR(0xffffffffu),
           I8X16(0xff, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff)),
        C2("i8x16.shr_u 8", I8X16_SHR_U, "vi", 'v',
           I8X16(0x80, 0x7f, 0xc0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff),
           SCALAR(8),
           I8X16(0x80, 0x7f, 0xc0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff)),
        C2("i16x8.shr_s 17", I16X8_SHR_S, "vi", 'v',
           I16X8(0x8000, 0x7fff, 2, 3, 0xfffe, 0, 0, 0), SCALAR(17),
           I16X8(0xc000, 0x3fff, 1, 1, 0xffff, 0, 0, 0)),
        C2("i16x8.shl 16", I16X8_SHL, "vi", 'v',
           I16X8(0x8001, 1, 2, 3, 4, 5, 6, 7), SCALAR(16),
           I16X8(0x8001, 1, 2, 3, 4, 5, 6, 7)),
        C2("i32x4.shr_u 32", I32X4_SHR_U, "vi", 'v',
           I32X4(0x80000000u, 1, 2, 3), SCALAR(32),
           I32X4(0x80000000u, 1, 2, 3)),
        C2("i32x4.shr_u 33", I32X4_SHR_U, "vi", 'v',
           I32X4(0x80000000u, 1, 2, 3), SCALAR(33),
           I32X4(0x40000000u, 0, 1, 1)),
        C2("i32x4.shl -1", I32X4_SHL, "vi", 'v', I32X4(1, 3, 0, 0),
           SCALAR(0xffffffffu), I32X4(0x80000000u, 0x80000000u, 0, 0)),
        C2("i64x2.shl 65", I64X2_SHL, "vi", 'v',
           I64X2(UINT64_C(0x8000000000000001), 3), SCALAR(65), I64X2(2, 6)),
        C2("i64x2.shr_s 63", I64X2_SHR_S, "vi", 'v',
           I64X2(UINT64_C(0x8000000000000000), 5), SCALAR(127),
           I64X2(UINT64_MAX, 0)),
        C2("i64x2.shr_u 64", I64X2_SHR_U, "vi", 'v',
           I64X2(UINT64_C(0x8000000000000000), 5), SCALAR(64),
           I64X2(UINT64_C(0x8000000000000000), 5)),
    };
    RUN(cases);
}

Test(lower_simd, swizzle_and_shuffle)
{
    static const simd_case cases[] = {
        C2("i8x16.swizzle", I8X16_SWIZZLE, "vv", 'v',
           I8X16(0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
                 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf),
           I8X16(15, 0, 16, 17, 0x80, 0xff, 0x10, 0x1f, 7, 7, 0x8f, 0x4f, 1,
                 14, 2, 13),
           I8X16(0xaf, 0xa0, 0, 0, 0, 0, 0, 0, 0xa7, 0xa7, 0, 0, 0xa1, 0xae,
                 0xa2, 0xad)),
        CI("i8x16.shuffle", I8X16_SHUFFLE,
           "\x1f\x00\x10\x0f\x01\x11\x02\x12\x03\x13\x1e\x0e\x08\x08\x18\x18",
           "vv", 'v',
           I8X16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
           I8X16(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                 31),
           I8X16(31, 0, 16, 15, 1, 17, 2, 18, 3, 19, 30, 14, 8, 8, 24, 24)),
    };
    RUN(cases);
}

Test(lower_simd, saturation)
{
    static const simd_case cases[] = {
        C2("i8x16.narrow_i16x8_s", I8X16_NARROW_I16X8_S, "vv", 'v',
           I16X8(300, 0xfed4 /* -300 */, 127, 0xff7f /* -129 */, 128, 0xff80,
                 0, 0xffff),
           I16X8(0x7fff, 0x8000, 1, 2, 3, 4, 5, 6),
           I8X16(0x7f, 0x80, 0x7f, 0x80, 0x7f, 0x80, 0, 0xff, 0x7f, 0x80, 1,
                 2, 3, 4, 5, 6)),
        C2("i8x16.narrow_i16x8_u", I8X16_NARROW_I16X8_U, "vv", 'v',
           I16X8(300, 0xfed4, 127, 0xff7f, 255, 256, 0, 0xffff),
           I16X8(0x7fff, 0x8000, 1, 2, 3, 4, 5, 6),
           I8X16(0xff, 0, 0x7f, 0, 0xff, 0xff, 0, 0, 0xff, 0, 1, 2, 3, 4, 5,
                 6)),
        C2("i16x8.narrow_i32x4_s", I16X8_NARROW_I32X4_S, "vv", 'v',
           I32X4(70000, 0xfffeee90 /* -70000 */, 32767, 0xffff7fff),
           I32X4(0x7fffffff, 0x80000000u, 0xffffffffu, 1),
           I16X8(0x7fff, 0x8000, 0x7fff, 0x8000, 0x7fff, 0x8000, 0xffff,
                 1)),
        C2("i16x8.narrow_i32x4_u", I16X8_NARROW_I32X4_U, "vv", 'v',
           I32X4(70000, 0xfffeee90, 65535, 65536),
           I32X4(0x7fffffff, 0x80000000u, 0xffffffffu, 32768),
           I16X8(0xffff, 0, 0xffff, 0xffff, 0xffff, 0, 0, 0x8000)),
        C2("i8x16.add_sat_s", I8X16_ADD_SAT_S, "vv", 'v',
           I8X16(0x7f, 0x80, 0x80, 1, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(1, 0xff, 0x80, 2, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(0x7f, 0x80, 0x80, 3, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                 0)),
        C2("i8x16.sub_sat_u", I8X16_SUB_SAT_U, "vv", 'v',
           I8X16(0, 5, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(1, 3, 0xff, 0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        C2("i16x8.add_sat_u", I16X8_ADD_SAT_U, "vv", 'v',
           I16X8(0xffff, 0x8000, 1, 0, 0, 0, 0, 0),
           I16X8(1, 0x8000, 2, 0, 0, 0, 0, 0),
           I16X8(0xffff, 0xffff, 3, 0, 0, 0, 0, 0)),
        C2("i16x8.sub_sat_s", I16X8_SUB_SAT_S, "vv", 'v',
           I16X8(0x8000, 0x7fff, 1, 0, 0, 0, 0, 0),
           I16X8(1, 0xffff, 2, 0, 0, 0, 0, 0),
           I16X8(0x8000, 0x7fff, 0xffff, 0, 0, 0, 0, 0)),
        /* Spec 4.3.2 iq15mulr_sat_s. */
        C2("i16x8.q15mulr_sat_s", I16X8_Q15MULR_SAT_S, "vv", 'v',
           I16X8(0x8000, 0x8000, 16384, 1, 0xffff, 0x7fff, 3, 0xfffd),
           I16X8(0x8000, 0x7fff, 16384, 16384, 16384, 0x7fff, 0x4000,
                 0x4000),
           I16X8(0x7fff, 0x8001, 8192, 1, 0, 0x7ffe, 2, 0xffff)),
    };
    RUN(cases);
}

Test(lower_simd, widening_arithmetic)
{
    static const simd_case cases[] = {
        /* -32768 * -32768 * 2 wraps to INT32_MIN, as pmaddwd does. */
        C2("i32x4.dot_i16x8_s", I32X4_DOT_I16X8_S, "vv", 'v',
           I16X8(0x8000, 0x8000, 1, 2, 0xffff, 3, 0x7fff, 0x8000),
           I16X8(0x8000, 0x8000, 3, 4, 5, 6, 0x7fff, 0x8000),
           I32X4(0x80000000u, 11, 13, 0x7fff0001u)),
        C2("i16x8.extmul_low_i8x16_s", I16X8_EXTMUL_LOW_I8X16_S, "vv", 'v',
           I8X16(0x80, 0x80, 0x7f, 0xff, 2, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9),
           I8X16(0x80, 0x7f, 0x7f, 0xff, 0xfd, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9,
                 9),
           I16X8(16384, 0xc080, 16129, 1, 0xfffa, 0, 0, 0)),
        C2("i16x8.extmul_high_i8x16_u", I16X8_EXTMUL_HIGH_I8X16_U, "vv", 'v',
           I8X16(9, 9, 9, 9, 9, 9, 9, 9, 0xff, 0x80, 2, 0, 0, 0, 0, 1),
           I8X16(9, 9, 9, 9, 9, 9, 9, 9, 0xff, 0x80, 3, 0, 0, 0, 0, 0xff),
           I16X8(0xfe01, 0x4000, 6, 0, 0, 0, 0, 0xff)),
        C2("i32x4.extmul_high_i16x8_s", I32X4_EXTMUL_HIGH_I16X8_S, "vv", 'v',
           I16X8(1, 1, 1, 1, 0x8000, 0x8000, 0xffff, 3),
           I16X8(1, 1, 1, 1, 0x8000, 0x7fff, 0xffff, 0xfffe),
           I32X4(0x40000000u, 0xc0008000u, 1, 0xfffffffau)),
        C2("i64x2.extmul_high_i32x4_u", I64X2_EXTMUL_HIGH_I32X4_U, "vv", 'v',
           I32X4(7, 7, 0xffffffffu, 0x80000000u),
           I32X4(7, 7, 0xffffffffu, 2),
           I64X2(UINT64_C(0xfffffffe00000001), UINT64_C(0x100000000))),
        C2("i64x2.extmul_low_i32x4_s", I64X2_EXTMUL_LOW_I32X4_S, "vv", 'v',
           I32X4(0x80000000u, 0xffffffffu, 7, 7),
           I32X4(0x80000000u, 5, 7, 7),
           I64X2(UINT64_C(0x4000000000000000), (uint64_t)-5)),
        C1("i16x8.extadd_pairwise_i8x16_s", I16X8_EXTADD_PAIRWISE_I8X16_S,
           "v", 'v',
           I8X16(0x80, 0x80, 0x7f, 0x7f, 0xff, 1, 0xff, 0xff, 0, 0, 0, 0, 0,
                 0, 0x80, 0x7f),
           I16X8(0xff00, 254, 0, 0xfffe, 0, 0, 0, 0xffff)),
        C1("i16x8.extadd_pairwise_i8x16_u", I16X8_EXTADD_PAIRWISE_I8X16_U,
           "v", 'v',
           I8X16(0xff, 0xff, 0x80, 0x80, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
                 1),
           I16X8(510, 256, 3, 0, 0, 0, 0, 256)),
        C1("i32x4.extadd_pairwise_i16x8_s", I32X4_EXTADD_PAIRWISE_I16X8_S,
           "v", 'v', I16X8(0x8000, 0x8000, 0x7fff, 0x7fff, 0xffff, 1, 0, 0),
           I32X4(0xffff0000u, 0xfffe, 0, 0)),
        C1("i32x4.extadd_pairwise_i16x8_u", I32X4_EXTADD_PAIRWISE_I16X8_U,
           "v", 'v', I16X8(0xffff, 0xffff, 0x8000, 0x8000, 1, 2, 0, 0),
           I32X4(131070, 65536, 3, 0)),
        C1("i16x8.extend_high_i8x16_s", I16X8_EXTEND_HIGH_I8X16_S, "v", 'v',
           I8X16(1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0x7f, 0xff, 0, 1, 2, 3, 4),
           I16X8(0xff80, 0x7f, 0xffff, 0, 1, 2, 3, 4)),
        C1("i64x2.extend_low_i32x4_u", I64X2_EXTEND_LOW_I32X4_U, "v", 'v',
           I32X4(0xffffffffu, 0x80000000u, 1, 1),
           I64X2(0xffffffffu, 0x80000000u)),
        C1("i64x2.extend_high_i32x4_s", I64X2_EXTEND_HIGH_I32X4_S, "v", 'v',
           I32X4(1, 1, 0xffffffffu, 0x80000000u),
           I64X2(UINT64_MAX, UINT64_C(0xffffffff80000000))),
    };
    RUN(cases);
}

Test(lower_simd, lane_wise_integer_arithmetic)
{
    static const simd_case cases[] = {
        /* Spec 4.3.2 iavgr_u: (a + b + 1) / 2 without overflow. */
        C2("i8x16.avgr_u", I8X16_AVGR_U, "vv", 'v',
           I8X16(255, 0, 254, 1, 0, 7, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(255, 1, 255, 1, 0, 8, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(255, 1, 255, 1, 0, 8, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        C2("i16x8.avgr_u", I16X8_AVGR_U, "vv", 'v',
           I16X8(0xffff, 0xffff, 0, 3, 0, 0, 0, 0),
           I16X8(0xffff, 0, 1, 4, 0, 0, 0, 0),
           I16X8(0xffff, 0x8000, 1, 4, 0, 0, 0, 0)),
        C1("i8x16.popcnt", I8X16_POPCNT, "v", 'v',
           I8X16(0, 1, 0x80, 0xff, 0x55, 0xaa, 0x0f, 0xf0, 3, 7, 0x7f, 0xfe,
                 0x10, 0x11, 0x81, 0x96),
           I8X16(0, 1, 1, 8, 4, 4, 4, 4, 2, 3, 7, 7, 1, 2, 2, 4)),
        C1("i8x16.abs", I8X16_ABS, "v", 'v',
           I8X16(0x80, 0xff, 0x7f, 0, 0x81, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(0x80, 1, 0x7f, 0, 0x7f, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        C1("i64x2.abs", I64X2_ABS, "v", 'v',
           I64X2(UINT64_C(0x8000000000000000), (uint64_t)-5),
           I64X2(UINT64_C(0x8000000000000000), 5)),
        C1("i32x4.neg", I32X4_NEG, "v", 'v',
           I32X4(0x80000000u, 1, 0, 0xffffffffu),
           I32X4(0x80000000u, 0xffffffffu, 0, 1)),
        C2("i64x2.mul", I64X2_MUL, "vv", 'v',
           I64X2(UINT64_C(0x123456789abcdef1), UINT64_MAX),
           I64X2(UINT64_C(0xfedcba9876543211), UINT64_MAX),
           I64X2(UINT64_C(0x123456789abcdef1) * UINT64_C(0xfedcba9876543211),
                 1)),
        C2("i32x4.mul", I32X4_MUL, "vv", 'v',
           I32X4(0x10001, 0xffffffffu, 0x80000000u, 7),
           I32X4(0x10001, 0xffffffffu, 2, 0xfffffff9u),
           I32X4(0x20001, 1, 0, 0xffffffcfu)),
        C2("i32x4.min_u", I32X4_MIN_U, "vv", 'v',
           I32X4(0xffffffffu, 0x80000000u, 5, 0),
           I32X4(1, 0x7fffffff, 6, 0xffffffffu),
           I32X4(1, 0x7fffffff, 5, 0)),
        C2("i32x4.max_s", I32X4_MAX_S, "vv", 'v',
           I32X4(0xffffffffu, 0x80000000u, 5, 0),
           I32X4(1, 0x7fffffff, 6, 0xffffffffu),
           I32X4(1, 0x7fffffff, 6, 0)),
        C2("i8x16.min_s", I8X16_MIN_S, "vv", 'v',
           I8X16(0x80, 0x7f, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(0x7f, 0x80, 1, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(0x80, 0x80, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        C2("i16x8.max_u", I16X8_MAX_U, "vv", 'v',
           I16X8(0x8000, 0x7fff, 0xffff, 1, 0, 0, 0, 0),
           I16X8(0x7fff, 0x8000, 1, 0xffff, 0, 0, 0, 0),
           I16X8(0x8000, 0x8000, 0xffff, 0xffff, 0, 0, 0, 0)),
    };
    RUN(cases);
}

Test(lower_simd, comparisons_and_bitwise)
{
    static const simd_case cases[] = {
        C2("i64x2.lt_s", I64X2_LT_S, "vv", 'v',
           I64X2(UINT64_C(0x8000000000000000), 1),
           I64X2(UINT64_C(0x7fffffffffffffff), UINT64_C(0x8000000000000000)),
           I64X2(UINT64_MAX, 0)),
        C2("i64x2.ge_s", I64X2_GE_S, "vv", 'v',
           I64X2(UINT64_MAX, 5), I64X2(UINT64_MAX, 6), I64X2(UINT64_MAX, 0)),
        C2("i32x4.lt_u", I32X4_LT_U, "vv", 'v',
           I32X4(0x80000000u, 1, 0xffffffffu, 3),
           I32X4(0x7fffffff, 0xffffffffu, 0xffffffffu, 4),
           I32X4(0, 0xffffffffu, 0, 0xffffffffu)),
        C2("i8x16.gt_u", I8X16_GT_U, "vv", 'v',
           I8X16(0x80, 1, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(0x7f, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           I8X16(0xff, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        /* NaN: ne is true, every other comparison false. */
        C2("f32x4.ne", F32X4_NE, "vv", 'v',
           I32X4(F32_CNAN, F32_ONE, 0, F32_SNAN),
           I32X4(F32_CNAN, F32_ONE, F32_NZERO, F32_ONE),
           I32X4(0xffffffffu, 0, 0, 0xffffffffu)),
        C2("f32x4.eq", F32X4_EQ, "vv", 'v',
           I32X4(F32_CNAN, F32_ONE, 0, F32_SNAN),
           I32X4(F32_CNAN, F32_ONE, F32_NZERO, F32_ONE),
           I32X4(0, 0xffffffffu, 0xffffffffu, 0)),
        C2("f64x2.ge", F64X2_GE, "vv", 'v', I64X2(F64_CNAN, F64_ONE),
           I64X2(F64_ONE, F64_ONE), I64X2(0, UINT64_MAX)),
        C3("v128.bitselect", V128_BITSELECT,
           I64X2(UINT64_C(0x0123456789abcdef), UINT64_MAX),
           I64X2(UINT64_C(0xfedcba9876543210), 0),
           I64X2(UINT64_C(0xff00ff00ff00ff00), UINT64_C(0x00000000ffffffff)),
           I64X2(UINT64_C(0x01dc45988954cd10), UINT64_C(0x00000000ffffffff))),
        C2("v128.andnot", V128_ANDNOT, "vv", 'v',
           I64X2(UINT64_C(0xff00ff00ff00ff00), 3),
           I64X2(UINT64_C(0xf0f0f0f0f0f0f0f0), 1),
           I64X2(UINT64_C(0x0f000f000f000f00), 2)),
        /* Payloads are bits like any other. */
        C1("v128.not", V128_NOT, "v", 'v', I32X4(F32_SNAN, 0, 1, F32_CNAN),
           I32X4(~F32_SNAN, 0xffffffffu, 0xfffffffeu, ~F32_CNAN)),
    };
    RUN(cases);
}

Test(lower_simd, lane_tests_and_masks)
{
    static const simd_case cases[] = {
        C1("i8x16.bitmask", I8X16_BITMASK, "v", 'i',
           I8X16(0x80, 0x7f, 0xff, 0, 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x90,
                 0xff),
           SCALAR(0xc015)),
        C1("i16x8.bitmask", I16X8_BITMASK, "v", 'i',
           I16X8(0x8000, 0x00ff, 0xffff, 0, 0, 0, 0x7fff, 0x8001),
           SCALAR(0x85)),
        C1("i32x4.bitmask", I32X4_BITMASK, "v", 'i',
           I32X4(0x80000000u, 0x7fffffff, 0, F32_NZERO), SCALAR(9)),
        C1("i64x2.bitmask", I64X2_BITMASK, "v", 'i',
           I64X2(1, UINT64_C(0x8000000000000000)), SCALAR(2)),
        C1("i8x16.all_true", I8X16_ALL_TRUE, "v", 'i',
           I8X16(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0x80),
           SCALAR(1)),
        C1("i8x16.all_true, one zero", I8X16_ALL_TRUE, "v", 'i',
           I8X16(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1), SCALAR(0)),
        C1("i16x8.all_true", I16X8_ALL_TRUE, "v", 'i',
           I16X8(0x100, 1, 1, 1, 1, 1, 1, 0x8000), SCALAR(1)),
        C1("i32x4.all_true, low halves zero", I32X4_ALL_TRUE, "v", 'i',
           I32X4(0x10000, 0x10000, 0x10000, 0x00000), SCALAR(0)),
        C1("i64x2.all_true, high words", I64X2_ALL_TRUE, "v", 'i',
           I64X2(UINT64_C(0x100000000), UINT64_C(0x8000000000000000)),
           SCALAR(1)),
        C1("i64x2.all_true, zero", I64X2_ALL_TRUE, "v", 'i', I64X2(1, 0),
           SCALAR(0)),
        C1("v128.any_true, top bit", V128_ANY_TRUE, "v", 'i',
           I64X2(0, UINT64_C(0x8000000000000000)), SCALAR(1)),
        C1("v128.any_true, zero", V128_ANY_TRUE, "v", 'i', ZERO, SCALAR(0)),
    };
    RUN(cases);
}

Test(lower_simd, splats_and_lanes)
{
    static const simd_case cases[] = {
        C1("i8x16.splat", I8X16_SPLAT, "i", 'v', SCALAR(0x12c),
           I8X16(0x2c, 0x2c, 0x2c, 0x2c, 0x2c, 0x2c, 0x2c, 0x2c, 0x2c, 0x2c,
                 0x2c, 0x2c, 0x2c, 0x2c, 0x2c, 0x2c)),
        C1("i16x8.splat", I16X8_SPLAT, "i", 'v', SCALAR(0xabcd8001u),
           I16X8(0x8001, 0x8001, 0x8001, 0x8001, 0x8001, 0x8001, 0x8001,
                 0x8001)),
        C1("f32x4.splat sNaN", F32X4_SPLAT, "f", 'v', SCALAR(F32_SNAN),
           SPLAT32(F32_SNAN)),
        C1("f64x2.splat sNaN", F64X2_SPLAT, "d", 'v', SCALAR(F64_SNAN),
           SPLAT64(F64_SNAN)),
        C1("i64x2.splat", I64X2_SPLAT, "l", 'v',
           SCALAR(UINT64_C(0x8000000000000001)),
           SPLAT64(UINT64_C(0x8000000000000001))),
        CI("i8x16.extract_lane_s", I8X16_EXTRACT_LANE_S, "\x0f", "v", 'i',
           I8X16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x80),
           ZERO, SCALAR(0xffffff80u)),
        CI("i8x16.extract_lane_u", I8X16_EXTRACT_LANE_U, "\x0f", "v", 'i',
           I8X16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x80),
           ZERO, SCALAR(0x80)),
        CI("i16x8.extract_lane_s", I16X8_EXTRACT_LANE_S, "\x03", "v", 'i',
           I16X8(0, 1, 2, 0x8001, 4, 5, 6, 7), ZERO, SCALAR(0xffff8001u)),
        CI("i16x8.extract_lane_u", I16X8_EXTRACT_LANE_U, "\x03", "v", 'i',
           I16X8(0, 1, 2, 0x8001, 4, 5, 6, 7), ZERO, SCALAR(0x8001)),
        CI("f32x4.extract_lane sNaN", F32X4_EXTRACT_LANE, "\x02", "v", 'f',
           I32X4(0, 0, F32_SNAN, 0), ZERO, SCALAR(F32_SNAN)),
        CI("f64x2.extract_lane sNaN", F64X2_EXTRACT_LANE, "\x01", "v", 'd',
           I64X2(0, F64_SNAN), ZERO, SCALAR(F64_SNAN)),
        CI("i64x2.extract_lane", I64X2_EXTRACT_LANE, "\x01", "v", 'l',
           I64X2(1, UINT64_C(0x8000000000000002)), ZERO,
           SCALAR(UINT64_C(0x8000000000000002))),
        CI("i8x16.replace_lane", I8X16_REPLACE_LANE, "\x0e", "vi", 'v',
           I8X16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
           SCALAR(0x1ff),
           I8X16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xff, 15)),
        CI("i16x8.replace_lane", I16X8_REPLACE_LANE, "\x07", "vi", 'v',
           I16X8(0, 1, 2, 3, 4, 5, 6, 7), SCALAR(0x12345678),
           I16X8(0, 1, 2, 3, 4, 5, 6, 0x5678)),
        CI("f32x4.replace_lane sNaN", F32X4_REPLACE_LANE, "\x01", "vf", 'v',
           I32X4(1, 2, 3, 4), SCALAR(F32_SNAN), I32X4(1, F32_SNAN, 3, 4)),
        CI("f64x2.replace_lane sNaN", F64X2_REPLACE_LANE, "\x00", "vd", 'v',
           I64X2(1, 2), SCALAR(F64_SNAN), I64X2(F64_SNAN, 2)),
        CI("i64x2.replace_lane", I64X2_REPLACE_LANE, "\x01", "vl", 'v',
           I64X2(1, 2), SCALAR(UINT64_MAX), I64X2(1, UINT64_MAX)),
    };
    RUN(cases);
}

/* ---- float lanes ---- */

Test(lower_simd, fmin_fmax_propagate_nan_and_order_zeros)
{
    static const simd_case cases[] = {
        F2("f32x4.min", F32X4_MIN, 'f',
           I32X4(F32_NZERO, 0, F32_ONE, F32_NINF),
           I32X4(0, F32_NZERO, F32_NONE, F32_INF),
           I32X4(F32_NZERO, F32_NZERO, F32_NONE, F32_NINF), 0, 0),
        F2("f32x4.max", F32X4_MAX, 'f',
           I32X4(F32_NZERO, 0, F32_ONE, F32_NINF),
           I32X4(0, F32_NZERO, F32_NONE, F32_INF),
           I32X4(0, 0, F32_ONE, F32_INF), 0, 0),
        F2("f32x4.min NaN", F32X4_MIN, 'f',
           I32X4(F32_CNAN, F32_ONE, F32_SNAN, F32_ONE),
           I32X4(F32_ONE, F32_CNAN, F32_ONE, F32_SNAN), ZERO, 0x3, 0xc),
        F2("f32x4.max NaN", F32X4_MAX, 'f',
           I32X4(F32_CNAN, F32_INF, F32_SNAN, F32_QNAN),
           I32X4(F32_INF, F32_CNAN, F32_INF, F32_INF), ZERO, 0x3, 0xc),
        F2("f64x2.min", F64X2_MIN, 'd', I64X2(0, F64_SNAN),
           I64X2(F64_NZERO, F64_ONE), I64X2(F64_NZERO, 0), 0, 0x2),
        F2("f64x2.max", F64X2_MAX, 'd', I64X2(F64_NZERO, F64_ONE),
           I64X2(0, F64_CNAN), I64X2(0, 0), 0x2, 0),
        /* Spec 4.3.3 fpmin/fpmax: b < a ? b : a and a < b ? b : a, the
         * operands bit for bit (signalling NaNs included). */
        F2("f32x4.pmin", F32X4_PMIN, 'f',
           I32X4(F32_SNAN, F32_ONE, 0, F32_NZERO),
           I32X4(F32_ONE, F32_SNAN, F32_NZERO, 0),
           I32X4(F32_SNAN, F32_ONE, 0, F32_NZERO), 0, 0),
        F2("f32x4.pmax", F32X4_PMAX, 'f',
           I32X4(F32_SNAN, F32_ONE, 0, F32_NZERO),
           I32X4(F32_ONE, F32_QNAN, F32_NZERO, 0),
           I32X4(F32_SNAN, F32_ONE, 0, F32_NZERO), 0, 0),
        F2("f64x2.pmin", F64X2_PMIN, 'd', I64X2(F64_ONE, F64_SNAN),
           I64X2(F64_HALF, F64_ONE), I64X2(F64_HALF, F64_SNAN), 0, 0),
        F2("f64x2.pmax", F64X2_PMAX, 'd', I64X2(F64_NZERO, F64_ONE),
           I64X2(0, F64_SNAN), I64X2(F64_NZERO, F64_ONE), 0, 0),
    };
    RUN(cases);
}

Test(lower_simd, nan_results)
{
    static const simd_case cases[] = {
        /* x - 0.0, x * 1.0, x / 1.0 and x + -0.0 fold to x in LLVM: the
         * signalling NaN must still come out quiet. */
        F2("f32x4.sub", F32X4_SUB, 'f', SPLAT32(F32_SNAN), SPLAT32(0), ZERO,
           0, 0xf),
        F2("f32x4.mul", F32X4_MUL, 'f', SPLAT32(F32_SNAN), SPLAT32(F32_ONE),
           ZERO, 0, 0xf),
        F2("f32x4.add", F32X4_ADD, 'f',
           I32X4(F32_SNAN, F32_INF, F32_CNAN, F32_ONE),
           I32X4(F32_NZERO, F32_NINF, F32_ONE, F32_ONE),
           I32X4(0, 0, 0, 0x40000000u), 0x6, 0x1),
        F2("f64x2.div", F64X2_DIV, 'd', I64X2(F64_SNAN, 0),
           I64X2(F64_ONE, 0), ZERO, 0x2, 0x1),
        F2("f64x2.sub", F64X2_SUB, 'd', I64X2(F64_SNAN, F64_INF),
           I64X2(0, F64_INF), ZERO, 0x2, 0x1),
        F1("f32x4.sqrt", F32X4_SQRT, 'f',
           I32X4(F32_SNAN, F32_NONE, 0x40800000u, F32_NZERO),
           I32X4(0, 0, 0x40000000u, F32_NZERO), 0x2, 0x1),
        F1("f64x2.sqrt", F64X2_SQRT, 'd', I64X2(F64_SNAN, F64_INF),
           I64X2(0, F64_INF), 0, 0x1),
        /* fptrunc(fpext x) folds to x. */
        F1("f64x2.promote_low_f32x4", F64X2_PROMOTE_LOW_F32X4, 'd',
           I32X4(F32_SNAN, F32_ONE, F32_CNAN, F32_CNAN),
           I64X2(0, F64_ONE), 0, 0x1),
        F1("f32x4.demote_f64x2_zero", F32X4_DEMOTE_F64X2_ZERO, 'f',
           I64X2(F64_SNAN, UINT64_C(0x47efffffffffffff)),
           I32X4(0, F32_INF, 0, 0), 0, 0x1),
        /* Sign-bit operations keep payloads. */
        F1("f32x4.neg", F32X4_NEG, 'f',
           I32X4(F32_SNAN, F32_CNAN, 0, F32_NONE),
           I32X4(F32_SNAN | F32_NZERO, F32_CNAN | F32_NZERO, F32_NZERO,
                 F32_ONE), 0, 0),
        F1("f64x2.abs", F64X2_ABS, 'd', I64X2(F64_SNAN | F64_NZERO, F64_NZERO),
           I64X2(F64_SNAN, 0), 0, 0),
    };
    RUN(cases);
}

Test(lower_simd, rounding_without_roundps)
{
    static const simd_case cases[] = {
        /* -0.5, 0.5, 1.5, -2.5 */
        F1("f32x4.ceil", F32X4_CEIL, 'f',
           I32X4(0xbf000000u, F32_HALF, 0x3fc00000u, 0xc0200000u),
           I32X4(F32_NZERO, F32_ONE, 0x40000000u, 0xc0000000u), 0, 0),
        F1("f32x4.floor", F32X4_FLOOR, 'f',
           I32X4(0xbf000000u, F32_HALF, 0x3fc00000u, 0xc0200000u),
           I32X4(F32_NONE, 0, F32_ONE, 0xc0400000u), 0, 0),
        F1("f32x4.trunc", F32X4_TRUNC, 'f',
           I32X4(0xbf000000u, F32_HALF, 0x3fc00000u, 0xc0200000u),
           I32X4(F32_NZERO, 0, F32_ONE, 0xc0000000u), 0, 0),
        F1("f32x4.nearest", F32X4_NEAREST, 'f',
           I32X4(0xbf000000u, F32_HALF, 0x3fc00000u, 0xc0200000u),
           I32X4(F32_NZERO, 0, 0x40000000u, 0xc0000000u), 0, 0),
        /* 8388607.5 rounds to even 8388608; 2^23 + 1 and infinities are
         * integral; -0.7 ceils to -0. */
        F1("f32x4.nearest big", F32X4_NEAREST, 'f',
           I32X4(0x4affffffu, 0x4b000001u, F32_NINF, 0xcaffffffu),
           I32X4(0x4b000000u, 0x4b000001u, F32_NINF, 0xcb000000u), 0, 0),
        F1("f32x4.ceil big", F32X4_CEIL, 'f',
           I32X4(0x4affffffu, 0xcaffffffu, 0xbf333333u, F32_INF),
           I32X4(0x4b000000u, 0xcafffffeu, F32_NZERO, F32_INF), 0, 0),
        F1("f32x4.floor big", F32X4_FLOOR, 'f',
           I32X4(0x4affffffu, 0xcaffffffu, F32_NZERO, 0x3f333333u),
           I32X4(0x4afffffeu, 0xcb000000u, F32_NZERO, 0), 0, 0),
        F1("f32x4.trunc NaN", F32X4_TRUNC, 'f',
           I32X4(F32_SNAN, F32_CNAN, 0xcaffffffu, 0x4affffffu),
           I32X4(0, 0, 0xcafffffeu, 0x4afffffeu), 0x2, 0x1),
        /* 2^52 - 0.5 */
        F1("f64x2.nearest", F64X2_NEAREST, 'd',
           I64X2(UINT64_C(0x432fffffffffffff), UINT64_C(0xc004000000000000)),
           I64X2(UINT64_C(0x4330000000000000), UINT64_C(0xc000000000000000)),
           0, 0),
        F1("f64x2.floor", F64X2_FLOOR, 'd',
           I64X2(UINT64_C(0xc32fffffffffffff), F64_HALF),
           I64X2(UINT64_C(0xc330000000000000), 0), 0, 0),
        F1("f64x2.ceil", F64X2_CEIL, 'd',
           I64X2(UINT64_C(0xbfe0000000000000), UINT64_C(0x432fffffffffffff)),
           I64X2(F64_NZERO, UINT64_C(0x4330000000000000)), 0, 0),
        F1("f64x2.trunc", F64X2_TRUNC, 'd',
           I64X2(UINT64_C(0xc32fffffffffffff), F64_SNAN),
           I64X2(UINT64_C(0xc32ffffffffffffe), 0), 0, 0x2),
    };
    RUN(cases);
}

Test(lower_simd, conversions)
{
    static const simd_case cases[] = {
        /* Spec 4.3.4 trunc_sat: NaN 0, out of range clamped. */
        C1("i32x4.trunc_sat_f32x4_s", I32X4_TRUNC_SAT_F32X4_S, "v", 'v',
           I32X4(F32_CNAN, 0x4f000000u /* 2^31 */, 0xcf000000u, F32_NINF),
           I32X4(0, 0x7fffffff, 0x80000000u, 0x80000000u)),
        C1("i32x4.trunc_sat_f32x4_s in range", I32X4_TRUNC_SAT_F32X4_S, "v",
           'v', I32X4(0x4effffffu, 0xcf000001u, 0xbff33333u, F32_SNAN),
           I32X4(0x7fffff80, 0x80000000u, 0xffffffffu, 0)),
        C1("i32x4.trunc_sat_f32x4_u", I32X4_TRUNC_SAT_F32X4_U, "v", 'v',
           I32X4(0xbf666666u /* -0.9 */, 0x4f7fffffu, 0x4f800000u /* 2^32 */,
                 0x4f000000u /* 2^31 */),
           I32X4(0, 0xffffff00u, 0xffffffffu, 0x80000000u)),
        C1("i32x4.trunc_sat_f32x4_u more", I32X4_TRUNC_SAT_F32X4_U, "v", 'v',
           I32X4(F32_SNAN, F32_NINF, 0x4effffffu, 0x4f32d05eu /* 3e9 */),
           I32X4(0, 0, 0x7fffff80, 3000000000u)),
        C1("i32x4.trunc_sat_f64x2_s_zero", I32X4_TRUNC_SAT_F64X2_S_ZERO, "v",
           'v',
           I64X2(UINT64_C(0xc1e000000039999a) /* -2147483649.8 */,
                 UINT64_C(0x41dfffffffcccccd) /* 2147483647.2 */),
           I32X4(0x80000000u, 0x7fffffff, 0, 0)),
        C1("i32x4.trunc_sat_f64x2_s_zero more", I32X4_TRUNC_SAT_F64X2_S_ZERO,
           "v", 'v',
           I64X2(UINT64_C(0xc1e00000001ccccd) /* -2147483648.9 */, F64_SNAN),
           I32X4(0x80000000u, 0, 0, 0)),
        C1("i32x4.trunc_sat_f64x2_u_zero", I32X4_TRUNC_SAT_F64X2_U_ZERO, "v",
           'v',
           I64X2(UINT64_C(0x41effffffffccccd) /* 4294967295.9 */,
                 UINT64_C(0xbfefae147ae147ae) /* -0.99 */),
           I32X4(0xffffffffu, 0, 0, 0)),
        C1("i32x4.trunc_sat_f64x2_u_zero more", I32X4_TRUNC_SAT_F64X2_U_ZERO,
           "v", 'v', I64X2(UINT64_C(0x41f0000000000000) /* 2^32 */, F64_INF),
           I32X4(0xffffffffu, 0xffffffffu, 0, 0)),
        /* Correct rounding of unsigned conversions. */
        C1("f32x4.convert_i32x4_u", F32X4_CONVERT_I32X4_U, "v", 'v',
           I32X4(0xffffffffu, 0x80000080u, 0x80000081u, 0x01000001u),
           I32X4(0x4f800000u, 0x4f000000u, 0x4f000001u, 0x4b800000u)),
        C1("f32x4.convert_i32x4_s", F32X4_CONVERT_I32X4_S, "v", 'v',
           I32X4(0x80000000u, 0xffffffffu, 0x01000003u, 0x7fffffff),
           I32X4(0xcf000000u, F32_NONE, 0x4b800002u, 0x4f000000u)),
        C1("f64x2.convert_low_i32x4_u", F64X2_CONVERT_LOW_I32X4_U, "v", 'v',
           I32X4(0xffffffffu, 0x80000000u, 1, 1),
           I64X2(UINT64_C(0x41efffffffe00000), UINT64_C(0x41e0000000000000))),
        C1("f64x2.convert_low_i32x4_s", F64X2_CONVERT_LOW_I32X4_S, "v", 'v',
           I32X4(0xffffffffu, 0x80000000u, 1, 1),
           I64X2(UINT64_C(0xbff0000000000000), UINT64_C(0xc1e0000000000000))),
    };
    RUN(cases);
}

/* ---- memory ---- */

/* The memory instructions at the end of a 1-page memory: each function
 * takes the address and stores what it loads to address 0 (or stores a
 * v128 from address 16 there). */
typedef struct mem_op {
    const char *name;
    uint16_t op;
    const char *imm;           /* memarg (and lane) */
    size_t imm_len;
    bool is_store;
    bool has_lane;
    unsigned size;             /* bytes accessed */
} mem_op;

#define MEM_OP(name, op, imm, store, lane, size) \
    {name, WELF_OP_##op, IMM(imm), store, lane, size}

static const mem_op mem_ops[] = {
    MEM_OP("v128.load", V128_LOAD, "\x04\x00", false, false, 16),
    MEM_OP("v128.load8x8_s", V128_LOAD8X8_S, "\x03\x00", false, false, 8),
    MEM_OP("v128.load16x4_u", V128_LOAD16X4_U, "\x03\x00", false, false, 8),
    MEM_OP("v128.load32x2_s", V128_LOAD32X2_S, "\x03\x00", false, false, 8),
    MEM_OP("v128.load8_splat", V128_LOAD8_SPLAT, "\x00\x00", false, false,
           1),
    MEM_OP("v128.load64_splat", V128_LOAD64_SPLAT, "\x00\x00", false, false,
           8),
    MEM_OP("v128.load32_zero", V128_LOAD32_ZERO, "\x02\x00", false, false,
           4),
    MEM_OP("v128.load64_zero", V128_LOAD64_ZERO, "\x03\x00", false, false,
           8),
    MEM_OP("v128.load16_lane", V128_LOAD16_LANE, "\x01\x00\x07", false,
           true, 2),
    MEM_OP("v128.load64_lane", V128_LOAD64_LANE, "\x00\x00\x01", false,
           true, 8),
    MEM_OP("v128.store", V128_STORE, "\x04\x00", true, false, 16),
    MEM_OP("v128.store8_lane", V128_STORE8_LANE, "\x00\x00\x0f", true, true,
           1),
    MEM_OP("v128.store32_lane", V128_STORE32_LANE, "\x02\x00\x02", true,
           true, 4),
};

#define N_MEM_OPS (sizeof mem_ops / sizeof mem_ops[0])

static void add_mem_op(lw_mod *m, const mem_op *op)
{
    lw_buf b = {0};
    if (op->is_store) {
        buf_lit(&b, LOCAL_GET "\x00");
        buf_i32_const(&b, 16);
        buf_simd(&b, WELF_OP_V128_LOAD);
        buf_lit(&b, "\x00\x00");
    } else {
        buf_i32_const(&b, 0);
        buf_lit(&b, LOCAL_GET "\x00");
        if (op->has_lane) {
            buf_i32_const(&b, 16);
            buf_simd(&b, WELF_OP_V128_LOAD);
            buf_lit(&b, "\x00\x00");
        }
    }
    buf_simd(&b, op->op);
    buf_bytes(&b, op->imm, op->imm_len);
    if (!op->is_store) {
        buf_simd(&b, WELF_OP_V128_STORE);
        buf_lit(&b, "\x00\x00");
    }
    mod_func(m, op->name, "i", "", "", b.data, b.len);
    buf_free(&b);
}

/* What op leaves at address 0 (loads) or at `addr` (stores), given
 * memory bytes `mem` (before the call) and the v128 at 16. */
static void expected_load(const mem_op *op, const uint8_t *mem,
                          uint32_t addr, uint8_t out[16])
{
    const uint8_t *p = mem + addr;
    const uint8_t *v = mem + 16;
    memset(out, 0, 16);
    switch (op->op) {
    case WELF_OP_V128_LOAD:
        memcpy(out, p, 16);
        break;
    case WELF_OP_V128_LOAD8X8_S:
        for (int i = 0; i < 8; i++) {
            out[2 * i] = p[i];
            out[2 * i + 1] = p[i] & 0x80 ? 0xff : 0;
        }
        break;
    case WELF_OP_V128_LOAD16X4_U:
        for (int i = 0; i < 4; i++)
            memcpy(out + 4 * i, p + 2 * i, 2);
        break;
    case WELF_OP_V128_LOAD32X2_S:
        for (int i = 0; i < 2; i++) {
            memcpy(out + 8 * i, p + 4 * i, 4);
            memset(out + 8 * i + 4, p[4 * i + 3] & 0x80 ? 0xff : 0, 4);
        }
        break;
    case WELF_OP_V128_LOAD8_SPLAT:
        memset(out, p[0], 16);
        break;
    case WELF_OP_V128_LOAD64_SPLAT:
        memcpy(out, p, 8);
        memcpy(out + 8, p, 8);
        break;
    case WELF_OP_V128_LOAD32_ZERO:
        memcpy(out, p, 4);
        break;
    case WELF_OP_V128_LOAD64_ZERO:
        memcpy(out, p, 8);
        break;
    case WELF_OP_V128_LOAD16_LANE:
        memcpy(out, v, 16);
        memcpy(out + 14, p, 2);
        break;
    case WELF_OP_V128_LOAD64_LANE:
        memcpy(out, v, 16);
        memcpy(out + 8, p, 8);
        break;
    case WELF_OP_V128_STORE:
        memcpy(out, v, 16);
        break;
    case WELF_OP_V128_STORE8_LANE:
        out[0] = v[15];
        break;
    case WELF_OP_V128_STORE32_LANE:
        memcpy(out, v + 8, 4);
        break;
    }
}

static void check_mem_ops(void)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, "mem");
        for (size_t i = 0; i < N_MEM_OPS; i++)
            add_mem_op(&m, &mem_ops[i]);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *mem = lw_memory(inst, "mem");
        uint8_t before[65536], want[16];
        for (uint32_t k = 0; k < 65536; k++)
            mem[k] = (uint8_t)(k * 37 + (k >> 8) + 0x81);
        for (size_t i = 0; i < N_MEM_OPS; i++) {
            const mem_op *op = &mem_ops[i];
            /* In bounds at an odd address and right at the end. */
            uint32_t addrs[2] = {101, 65536 - op->size};
            for (int a = 0; a < 2; a++) {
                uint32_t addr = addrs[a];
                memcpy(before, mem, sizeof before);
                expected_load(op, before, addr, want);
                call_void(inst, op->name, I32(addr));
                const uint8_t *got = mem + (op->is_store ? addr : 0);
                unsigned n = op->is_store ? op->size : 16;
                cr_assert_eq(memcmp(got, want, n), 0,
                             "-O%d %s at %u: wrong bytes", opt, op->name,
                             addr);
                memcpy(mem, before, sizeof before);
            }
            /* One byte further traps, and writes nothing. */
            memcpy(before, mem, sizeof before);
            expect_trap(inst, op->name, WELF_TRAP_CODE_MEMORY_OOB,
                        I32(65536 - op->size + 1));
            cr_assert_eq(memcmp(before, mem, sizeof before), 0,
                         "-O%d %s: a trapping access changed memory", opt,
                         op->name);
            expect_trap(inst, op->name, WELF_TRAP_CODE_MEMORY_OOB, I32(-1));
        }
        mod_free(&m);
    }
}

Test(lower_simd, memory_accesses_and_bounds)
{
    check_mem_ops();
}

Test(lower_simd, memory_accesses_and_bounds_precise)
{
    lw_precise_traps = true;
    check_mem_ops();
}

/* A v128.load whose value is dropped still traps (lower.c makes it
 * volatile), with offsets past 4 GiB as well. */
Test(lower_simd, dropped_v128_load_traps)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, NULL);
        lw_buf b = {0};
        buf_lit(&b, LOCAL_GET "\x00");
        buf_simd(&b, WELF_OP_V128_LOAD);
        buf_lit(&b, "\x00\x10" DROP);         /* offset=16 */
        mod_func(&m, "drop", "i", "", "", b.data, b.len);
        b.len = 0;
        buf_lit(&b, LOCAL_GET "\x00");
        buf_simd(&b, WELF_OP_V128_LOAD);
        buf_lit(&b, "\x00\xff\xff\xff\xff\x0f" DROP); /* offset=2^32-1 */
        mod_func(&m, "drop_far", "i", "", "", b.data, b.len);
        buf_free(&b);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        call_void(inst, "drop", I32(65536 - 32));
        expect_trap(inst, "drop", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(65536 - 31));
        expect_trap(inst, "drop_far", WELF_TRAP_CODE_MEMORY_OOB, I32(0));
        expect_trap(inst, "drop_far", WELF_TRAP_CODE_MEMORY_OOB, I32(-1));
        mod_free(&m);
    }
}

/* v128 locals, globals, params and results: values through select,
 * blocks and a call keep all 128 bits. */
Test(lower_simd, v128_values_through_control_flow)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, "mem");
        static const v128 g = I32X4(F32_SNAN, 2, 3, 0xffffffffu);
        lw_buf init = {0};
        buf_v128_const(&init, &g);
        /* One global of type v128: the helper knows no 'v' letter, so
         * write the global section entry by hand. */
        lw_buf *sec = &m.sec[6];
        buf_byte(sec, 0x7b);
        buf_byte(sec, 1);                        /* mutable */
        buf_bytes(sec, init.data, init.len);
        buf_byte(sec, 0x0b);
        m.count[6]++;
        m.globals++;
        buf_free(&init);
        lw_buf b = {0};
        /* (select (global.get 0) (v128.load 32) (local.get 0)), stored at
         * 0; then global.set 0 to the v128 at 48, through a block. */
        buf_i32_const(&b, 0);
        buf_lit(&b, GLOBAL_GET "\x00");
        buf_i32_const(&b, 32);
        buf_simd(&b, WELF_OP_V128_LOAD);
        buf_lit(&b, "\x00\x00" LOCAL_GET "\x00" SELECT);
        buf_simd(&b, WELF_OP_V128_STORE);
        buf_lit(&b, "\x00\x00");
        buf_lit(&b, BLOCK "\x7b");
        buf_i32_const(&b, 48);
        buf_simd(&b, WELF_OP_V128_LOAD);
        buf_lit(&b, "\x00\x00" END GLOBAL_SET "\x00");
        mod_func(&m, "f", "i", "", "", b.data, b.len);
        buf_free(&b);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *mem = lw_memory(inst, "mem");
        static const v128 x = I64X2(UINT64_C(0x0123456789abcdef),
                                    UINT64_C(0xfedcba9876543210));
        static const v128 y = I64X2(1, UINT64_C(0x8000000000000000));
        memcpy(mem + 32, x.b, 16);
        memcpy(mem + 48, y.b, 16);
        call_void(inst, "f", I32(1));
        cr_assert_eq(memcmp(mem, g.b, 16), 0, "-O%d: global initial", opt);
        call_void(inst, "f", I32(0));
        cr_assert_eq(memcmp(mem, x.b, 16), 0, "-O%d: select", opt);
        call_void(inst, "f", I32(1));
        cr_assert_eq(memcmp(mem, y.b, 16), 0, "-O%d: global set", opt);
        mod_free(&m);
    }
}
