/*
 * tests/compiler/lower_numeric.c — the lowering of numeric instructions
 * (compiler/lower_numeric.c), table-driven: the cases where wasm and
 * LLVM disagree or where x86-64 needs care. Division traps and
 * INT_MIN / -1, shift and rotate counts past the width, bit counts of 0,
 * fmin/fmax with NaN and signed zeros, rounding near 0.5 and near 2^23 /
 * 2^52, NaN results (quiet bit set; canonical when the inputs are),
 * trapping truncation just inside and outside its range, saturation,
 * correctly rounded integer-to-float conversions, NaN payloads through
 * reinterpret and the sign-bit operations, sign extension.
 *
 * Every case runs in up to three forms, so that both the code
 * generator and LLVM's folding see it: operands as parameters ("r"),
 * as constants ("c") and, for binary operators, the first a parameter
 * and the second a constant ("m", e.g. x - 0.0). Floats cross the
 * function boundary as their bits (reinterpret), so a payload is never
 * at the mercy of the C calling convention. Each table runs at -O0 and
 * -O2.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "lower_support.h"

TestSuite(lower_numeric, .fini = lw_cleanup);

typedef enum want_kind {
    W_BITS,        /* exactly these bits */
    W_ARITH_NAN,   /* a NaN with the quiet bit set */
    W_CANON_NAN,   /* the canonical NaN, either sign */
    W_TRAP,        /* this trap code */
} want_kind;

typedef struct num_case {
    const char *name;
    const char *op;          /* the instruction's bytes */
    size_t op_len;
    const char *params;      /* operand types */
    char result;             /* result type */
    uint64_t a, b;           /* operand bits */
    want_kind kind;
    uint64_t want;           /* bits or trap code */
} num_case;

#define OP(lit) (lit), sizeof(lit) - 1
/* name, opcode literal, operand types, result type, operands, result. */
#define BITS(name, op, p, r, a, b, want) \
    {name, OP(op), p, r, a, b, W_BITS, want}
#define TRAPS(name, op, p, r, a, b, code) \
    {name, OP(op), p, r, a, b, W_TRAP, WELF_TRAP_CODE_##code}
#define ANAN(name, op, p, r, a, b) {name, OP(op), p, r, a, b, W_ARITH_NAN, 0}
#define CNAN(name, op, p, r, a, b) {name, OP(op), p, r, a, b, W_CANON_NAN, 0}

/* Float bit patterns used below. */
#define F32_NZERO 0x80000000u
#define F32_ONE 0x3f800000u
#define F32_NONE 0xbf800000u      /* -1.0 */
#define F32_INF 0x7f800000u
#define F32_NINF 0xff800000u
#define F32_CNAN 0x7fc00000u      /* canonical */
#define F32_QNAN 0x7fc00001u      /* quiet, with a payload */
#define F32_SNAN 0x7fa00001u      /* signalling */
#define F64_NZERO UINT64_C(0x8000000000000000)
#define F64_ONE UINT64_C(0x3ff0000000000000)
#define F64_NONE UINT64_C(0xbff0000000000000)
#define F64_INF UINT64_C(0x7ff0000000000000)
#define F64_NINF UINT64_C(0xfff0000000000000)
#define F64_CNAN UINT64_C(0x7ff8000000000000)
#define F64_SNAN UINT64_C(0x7ff4000000000001)
#define I32_MIN 0x80000000u
#define I64_MIN UINT64_C(0x8000000000000000)
#define U32_MAX 0xffffffffu
#define U64_MAX UINT64_C(0xffffffffffffffff)

/* ---- the runner ---- */

/*
 * Each variant is one function that dispatches on the case index with
 * br_table (one function per case would cost LLVM far more time):
 * r(case, a, b) and m(case, a) take operand bits as i64, c(case) has
 * the operands as constants, and each returns the result's bits as i64.
 */
typedef enum variant { V_PARAMS, V_CONSTS, V_MIXED, V_COUNT } variant;

static const char *const variant_fn[V_COUNT] = {"r", "c", "m"};

static bool has_variant(const num_case *c, variant v)
{
    return v != V_MIXED || strlen(c->params) == 2;
}

/* Pushes operand k of case c. */
static void operand(lw_buf *b, const num_case *c, size_t k, variant v)
{
    char type = c->params[k];
    uint64_t bits = k == 0 ? c->a : c->b;
    if (v == V_CONSTS || (v == V_MIXED && k > 0)) {
        switch (type) {
        case 'i': buf_i32_const(b, (int32_t)(uint32_t)bits); break;
        case 'l': buf_i64_const(b, (int64_t)bits); break;
        case 'f': buf_f32_const(b, (uint32_t)bits); break;
        case 'd': buf_f64_const(b, bits); break;
        }
        return;
    }
    buf_lit(b, LOCAL_GET);
    buf_u32(b, (uint32_t)(1 + k));
    switch (type) {
    case 'i': buf_lit(b, "\xa7"); break;             /* i32.wrap_i64 */
    case 'f': buf_lit(b, "\xa7\xbe"); break;         /* f32.reinterpret */
    case 'd': buf_lit(b, "\xbf"); break;             /* f64.reinterpret */
    }
}

static void add_variant(lw_mod *m, const num_case *cases, size_t count,
                        variant v)
{
    lw_buf b = {0};
    /* blocks: case i is at depth i, the default (no such case) at
     * depth count */
    for (size_t i = 0; i <= count; i++)
        buf_lit(&b, BLOCK BT_EMPTY);
    buf_lit(&b, LOCAL_GET "\x00" BR_TABLE);
    buf_u32(&b, (uint32_t)count);
    for (size_t i = 0; i < count; i++)
        buf_u32(&b, has_variant(&cases[i], v) ? (uint32_t)i
                                              : (uint32_t)count);
    buf_u32(&b, (uint32_t)count);
    for (size_t i = 0; i < count; i++) {
        const num_case *c = &cases[i];
        buf_lit(&b, END);
        if (!has_variant(c, v)) {
            buf_lit(&b, UNREACHABLE);
            continue;
        }
        for (size_t k = 0; k < strlen(c->params); k++)
            operand(&b, c, k, v);
        buf_bytes(&b, c->op, c->op_len);
        switch (c->result) {
        case 'i': buf_lit(&b, "\xad"); break;        /* i64.extend_i32_u */
        case 'f': buf_lit(&b, "\xbc\xad"); break;    /* i32.reinterpret */
        case 'd': buf_lit(&b, "\xbd"); break;        /* i64.reinterpret */
        }
        buf_lit(&b, RETURN);
    }
    buf_lit(&b, END UNREACHABLE);
    static const char *const params[V_COUNT] = {"ill", "i", "il"};
    mod_func(m, variant_fn[v], params[v], "l", "", b.data, b.len);
    buf_free(&b);
}

static bool is_nan_with(char type, uint64_t bits, bool canonical)
{
    if (type == 'f') {
        uint32_t u = (uint32_t)bits;
        return canonical ? (u & 0x7fffffffu) == F32_CNAN
                         : (u & F32_CNAN) == F32_CNAN;
    }
    if (type == 'd')
        return canonical ? (bits & ~F64_NZERO) == F64_CNAN
                         : (bits & F64_CNAN) == F64_CNAN;
    return false;
}

/* Runs one case in one variant; prints and returns false on a mismatch. */
static bool check_case(welf_instance *inst, const num_case *c, size_t i,
                       variant v)
{
    welf_val args[3] = {I32(i), I64(c->a), I64(c->b)};
    size_t n = v == V_PARAMS ? 3 : v == V_MIXED ? 2 : 1;
    welf_val res;
    welf_error err;
    welf_status st = lw_call(inst, variant_fn[v], args, n, &res, 1, &err);

    char got[300], want[64];
    bool ok;
    uint64_t bits = 0;
    if (st == WELF_OK) {
        bits = (uint64_t)res.of.i64;
        snprintf(got, sizeof got, "0x%llx", (unsigned long long)bits);
    } else if (st == WELF_ERR_TRAP) {
        snprintf(got, sizeof got, "trap \"%s\"", err.message);
    } else {
        snprintf(got, sizeof got, "status %s: %s", welf_status_name(st),
                 err.message);
    }
    switch (c->kind) {
    case W_BITS:
        ok = st == WELF_OK && bits == c->want;
        snprintf(want, sizeof want, "0x%llx", (unsigned long long)c->want);
        break;
    case W_ARITH_NAN:
    case W_CANON_NAN:
        ok = st == WELF_OK &&
             is_nan_with(c->result, bits, c->kind == W_CANON_NAN);
        snprintf(want, sizeof want, "%s NaN",
                 c->kind == W_CANON_NAN ? "a canonical" : "an arithmetic");
        break;
    case W_TRAP:
    default:
        ok = st == WELF_ERR_TRAP && err.trap_code == c->want;
        snprintf(want, sizeof want, "trap \"%s\"",
                 welf_trap_message((welf_trap_code)c->want));
        break;
    }
    if (!ok) {
        static const char *const how[V_COUNT] = {
            "operands as parameters", "constant operands",
            "second operand constant"};
        char operands[48];
        if (strlen(c->params) == 2)
            snprintf(operands, sizeof operands, "0x%llx, 0x%llx",
                     (unsigned long long)c->a, (unsigned long long)c->b);
        else
            snprintf(operands, sizeof operands, "0x%llx",
                     (unsigned long long)c->a);
        fprintf(stderr, "-O%d %s(%s), %s: got %s, expected %s\n", lw_opt,
                c->name, operands, how[v], got, want);
    }
    return ok;
}

static void run_cases(const num_case *cases, size_t count)
{
    lw_mod m;
    mod_init(&m, WELF_FEATURES_WASM2);
    for (int v = 0; v < V_COUNT; v++)
        add_variant(&m, cases, count, (variant)v);
    int opt;
    size_t failures = 0;
    FOR_EACH_OPT(opt) {
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        for (size_t i = 0; i < count; i++)
            for (int v = 0; v < V_COUNT; v++)
                if (has_variant(&cases[i], (variant)v))
                    failures += !check_case(inst, &cases[i], i, (variant)v);
    }
    mod_free(&m);
    cr_assert_eq(failures, 0, "%zu mismatches (listed on stderr)",
                 failures);
}

#define RUN(cases) run_cases((cases), sizeof(cases) / sizeof((cases)[0]))

/* ---- integer arithmetic ---- */

Test(lower_numeric, division_and_remainder)
{
    static const num_case cases[] = {
        TRAPS("i32.div_s", "\x6d", "ii", 'i', I32_MIN, U32_MAX,
              INT_OVERFLOW),
        TRAPS("i32.div_s", "\x6d", "ii", 'i', 7, 0, INT_DIV_ZERO),
        TRAPS("i32.div_s", "\x6d", "ii", 'i', I32_MIN, 0, INT_DIV_ZERO),
        BITS("i32.div_s", "\x6d", "ii", 'i', I32_MIN, 0xfffffffeu,
             0x40000000u),
        BITS("i32.div_s", "\x6d", "ii", 'i', 0xfffffff9u, 2, 0xfffffffdu),
        BITS("i32.div_s", "\x6d", "ii", 'i', I32_MIN, 1, I32_MIN),
        TRAPS("i32.div_u", "\x6e", "ii", 'i', 1, 0, INT_DIV_ZERO),
        BITS("i32.div_u", "\x6e", "ii", 'i', I32_MIN, U32_MAX, 0),
        BITS("i32.div_u", "\x6e", "ii", 'i', U32_MAX, 2, 0x7fffffffu),
        BITS("i32.rem_s", "\x6f", "ii", 'i', I32_MIN, U32_MAX, 0),
        BITS("i32.rem_s", "\x6f", "ii", 'i', 0xfffffff9u, 2, U32_MAX),
        BITS("i32.rem_s", "\x6f", "ii", 'i', 7, 0xfffffffeu, 1),
        TRAPS("i32.rem_s", "\x6f", "ii", 'i', 7, 0, INT_DIV_ZERO),
        TRAPS("i32.rem_u", "\x70", "ii", 'i', U32_MAX, 0, INT_DIV_ZERO),
        BITS("i32.rem_u", "\x70", "ii", 'i', I32_MIN, 3, 2),
        BITS("i32.rem_u", "\x70", "ii", 'i', I32_MIN, U32_MAX, I32_MIN),
        TRAPS("i64.div_s", "\x7f", "ll", 'l', I64_MIN, U64_MAX,
              INT_OVERFLOW),
        TRAPS("i64.div_s", "\x7f", "ll", 'l', 1, 0, INT_DIV_ZERO),
        BITS("i64.div_s", "\x7f", "ll", 'l', I64_MIN, 2,
             UINT64_C(0xc000000000000000)),
        TRAPS("i64.div_u", "\x80", "ll", 'l', U64_MAX, 0, INT_DIV_ZERO),
        BITS("i64.div_u", "\x80", "ll", 'l', U64_MAX, 2,
             UINT64_C(0x7fffffffffffffff)),
        BITS("i64.rem_s", "\x81", "ll", 'l', I64_MIN, U64_MAX, 0),
        BITS("i64.rem_s", "\x81", "ll", 'l', (uint64_t)-7, 2, U64_MAX),
        TRAPS("i64.rem_s", "\x81", "ll", 'l', I64_MIN, 0, INT_DIV_ZERO),
        TRAPS("i64.rem_u", "\x82", "ll", 'l', 5, 0, INT_DIV_ZERO),
        BITS("i64.rem_u", "\x82", "ll", 'l', I64_MIN, 3, 2),
    };
    RUN(cases);
}

Test(lower_numeric, shifts_rotates_and_bit_counts)
{
    static const num_case cases[] = {
        BITS("i32.shl", "\x74", "ii", 'i', 1, 32, 1),
        BITS("i32.shl", "\x74", "ii", 'i', 1, 33, 2),
        BITS("i32.shl", "\x74", "ii", 'i', 1, U32_MAX, I32_MIN),
        BITS("i32.shr_s", "\x75", "ii", 'i', I32_MIN, 63, U32_MAX),
        BITS("i32.shr_s", "\x75", "ii", 'i', I32_MIN, 32, I32_MIN),
        BITS("i32.shr_u", "\x76", "ii", 'i', I32_MIN, 32, I32_MIN),
        BITS("i32.shr_u", "\x76", "ii", 'i', I32_MIN, 35, 0x10000000u),
        BITS("i64.shl", "\x86", "ll", 'l', 1, 64, 1),
        BITS("i64.shl", "\x86", "ll", 'l', 1, U64_MAX, I64_MIN),
        BITS("i64.shr_s", "\x87", "ll", 'l', I64_MIN, 127, U64_MAX),
        BITS("i64.shr_u", "\x88", "ll", 'l', I64_MIN, 65,
             UINT64_C(0x4000000000000000)),
        BITS("i64.shr_u", "\x88", "ll", 'l', I64_MIN, I64_MIN, I64_MIN),
        BITS("i32.rotl", "\x77", "ii", 'i', 0x80000001u, 1, 3),
        BITS("i32.rotl", "\x77", "ii", 'i', 0x80000001u, 33, 3),
        BITS("i32.rotl", "\x77", "ii", 'i', 0x12345678u, 32, 0x12345678u),
        BITS("i32.rotr", "\x78", "ii", 'i', 0x80000001u, 1, 0xc0000000u),
        BITS("i32.rotr", "\x78", "ii", 'i', 1, U32_MAX, 2),
        BITS("i64.rotl", "\x89", "ll", 'l', UINT64_C(0x8000000000000001),
             65, 3),
        BITS("i64.rotr", "\x8a", "ll", 'l', 1, 64, 1),
        BITS("i64.rotr", "\x8a", "ll", 'l', 1, 63, 2),
        BITS("i64.rotr", "\x8a", "ll", 'l', 1, U64_MAX, 2),
        BITS("i32.clz", "\x67", "i", 'i', 0, 0, 32),
        BITS("i32.clz", "\x67", "i", 'i', 1, 0, 31),
        BITS("i32.ctz", "\x68", "i", 'i', 0, 0, 32),
        BITS("i32.ctz", "\x68", "i", 'i', I32_MIN, 0, 31),
        BITS("i32.popcnt", "\x69", "i", 'i', 0, 0, 0),
        BITS("i32.popcnt", "\x69", "i", 'i', U32_MAX, 0, 32),
        BITS("i64.clz", "\x79", "l", 'l', 0, 0, 64),
        BITS("i64.ctz", "\x7a", "l", 'l', 0, 0, 64),
        BITS("i64.ctz", "\x7a", "l", 'l', I64_MIN, 0, 63),
        BITS("i64.popcnt", "\x7b", "l", 'l', 0, 0, 0),
        BITS("i64.popcnt", "\x7b", "l", 'l', U64_MAX, 0, 64),
    };
    RUN(cases);
}

Test(lower_numeric, sign_extension_and_wrap)
{
    static const num_case cases[] = {
        BITS("i32.extend8_s", "\xc0", "i", 'i', 0x80, 0, 0xffffff80u),
        BITS("i32.extend8_s", "\xc0", "i", 'i', 0x7f, 0, 0x7f),
        BITS("i32.extend8_s", "\xc0", "i", 'i', 0x12345680u, 0,
             0xffffff80u),
        BITS("i32.extend16_s", "\xc1", "i", 'i', 0x8000, 0, 0xffff8000u),
        BITS("i32.extend16_s", "\xc1", "i", 'i', 0x12347fffu, 0, 0x7fff),
        BITS("i64.extend8_s", "\xc2", "l", 'l', 0x80, 0,
             UINT64_C(0xffffffffffffff80)),
        BITS("i64.extend16_s", "\xc3", "l", 'l',
             UINT64_C(0x0123456789ab8000), 0, UINT64_C(0xffffffffffff8000)),
        BITS("i64.extend32_s", "\xc4", "l", 'l', 0x80000000u, 0,
             UINT64_C(0xffffffff80000000)),
        BITS("i64.extend32_s", "\xc4", "l", 'l',
             UINT64_C(0xffffffff7fffffff), 0, 0x7fffffff),
        BITS("i64.extend_i32_s", "\xac", "i", 'l', 0x80000000u, 0,
             UINT64_C(0xffffffff80000000)),
        BITS("i64.extend_i32_u", "\xad", "i", 'l', 0x80000000u, 0,
             0x80000000u),
        BITS("i32.wrap_i64", "\xa7", "l", 'i', UINT64_C(0x1ffffffff), 0,
             U32_MAX),
    };
    RUN(cases);
}

/* ---- floats ---- */

Test(lower_numeric, min_max_nan_and_signed_zero)
{
    static const num_case cases[] = {
        BITS("f32.min", "\x96", "ff", 'f', F32_NZERO, 0, F32_NZERO),
        BITS("f32.min", "\x96", "ff", 'f', 0, F32_NZERO, F32_NZERO),
        BITS("f32.max", "\x97", "ff", 'f', F32_NZERO, 0, 0),
        BITS("f32.max", "\x97", "ff", 'f', 0, F32_NZERO, 0),
        BITS("f32.min", "\x96", "ff", 'f', F32_NINF, F32_ONE, F32_NINF),
        CNAN("f32.min", "\x96", "ff", 'f', F32_CNAN, F32_ONE),
        CNAN("f32.max", "\x97", "ff", 'f', F32_NINF, F32_CNAN),
        ANAN("f32.min", "\x96", "ff", 'f', F32_ONE, F32_SNAN),
        ANAN("f32.min", "\x96", "ff", 'f', F32_SNAN, F32_NINF),
        ANAN("f32.max", "\x97", "ff", 'f', F32_SNAN, F32_INF),
        ANAN("f32.max", "\x97", "ff", 'f', F32_QNAN, 0),
        BITS("f64.min", "\xa4", "dd", 'd', 0, F64_NZERO, F64_NZERO),
        BITS("f64.min", "\xa4", "dd", 'd', F64_NZERO, 0, F64_NZERO),
        BITS("f64.max", "\xa5", "dd", 'd', F64_NZERO, 0, 0),
        BITS("f64.max", "\xa5", "dd", 'd', 0, F64_NZERO, 0),
        CNAN("f64.max", "\xa5", "dd", 'd', F64_CNAN, F64_INF),
        ANAN("f64.min", "\xa4", "dd", 'd', F64_ONE, F64_SNAN),
        ANAN("f64.max", "\xa5", "dd", 'd', F64_SNAN, F64_NINF),
    };
    RUN(cases);
}

Test(lower_numeric, nan_results_are_quiet)
{
    static const num_case cases[] = {
        /* x - 0.0, x + -0.0, x * 1.0, x / 1.0, x * -1.0 are folds LLVM
         * likes; a signalling x must still come out quiet. */
        ANAN("f32.sub", "\x93", "ff", 'f', F32_SNAN, 0),
        ANAN("f32.add", "\x92", "ff", 'f', F32_SNAN, F32_NZERO),
        ANAN("f32.mul", "\x94", "ff", 'f', F32_SNAN, F32_ONE),
        ANAN("f32.div", "\x95", "ff", 'f', F32_SNAN, F32_ONE),
        ANAN("f64.mul", "\xa2", "dd", 'd', F64_SNAN, F64_NONE),
        ANAN("f64.div", "\xa3", "dd", 'd', F64_SNAN, F64_NONE),
        ANAN("f64.sub", "\xa1", "dd", 'd', F64_SNAN, 0),
        CNAN("f32.div", "\x95", "ff", 'f', 0, 0),
        CNAN("f64.add", "\xa0", "dd", 'd', F64_INF, F64_NINF),
        CNAN("f64.mul", "\xa2", "dd", 'd', F64_INF, 0),
        CNAN("f32.sqrt", "\x91", "f", 'f', F32_NONE, 0),
        ANAN("f32.sqrt", "\x91", "f", 'f', F32_SNAN, 0),
        ANAN("f64.sqrt", "\x9f", "d", 'd', F64_SNAN, 0),
        ANAN("f64.promote_f32", "\xbb", "f", 'd', F32_SNAN, 0),
        ANAN("f32.demote_f64", "\xb6", "d", 'f', F64_SNAN, 0),
        CNAN("f64.promote_f32", "\xbb", "f", 'd', F32_CNAN, 0),
        /* Comparisons with NaN: all false but ne. */
        BITS("f32.eq", "\x5b", "ff", 'i', F32_CNAN, F32_CNAN, 0),
        BITS("f32.ne", "\x5c", "ff", 'i', F32_CNAN, F32_CNAN, 1),
        BITS("f32.eq", "\x5b", "ff", 'i', F32_NZERO, 0, 1),
        BITS("f64.lt", "\x63", "dd", 'i', F64_CNAN, F64_ONE, 0),
        BITS("f64.ge", "\x66", "dd", 'i', F64_SNAN, F64_ONE, 0),
        BITS("f64.ne", "\x62", "dd", 'i', F64_ONE, F64_SNAN, 1),
    };
    RUN(cases);
}

Test(lower_numeric, nan_payloads_through_bit_operations)
{
    static const num_case cases[] = {
        /* No instruction: reinterpret in and out keeps every bit. */
        BITS("f32 reinterpret", "", "f", 'f', F32_SNAN, 0, F32_SNAN),
        BITS("f32 reinterpret", "", "f", 'f', 0xffbfffffu, 0, 0xffbfffffu),
        BITS("f64 reinterpret", "", "d", 'd', F64_SNAN, 0, F64_SNAN),
        BITS("f64 reinterpret", "", "d", 'd', UINT64_C(0xfff0000000000001),
             0, UINT64_C(0xfff0000000000001)),
        /* The sign-bit operations keep payloads, signalling or not. */
        BITS("f32.neg", "\x8c", "f", 'f', F32_SNAN, 0, 0xffa00001u),
        BITS("f32.abs", "\x8b", "f", 'f', 0xffa00001u, 0, F32_SNAN),
        BITS("f32.copysign", "\x98", "ff", 'f', F32_SNAN, F32_NONE,
             0xffa00001u),
        BITS("f64.neg", "\x9a", "d", 'd', F64_SNAN, 0,
             UINT64_C(0xfff4000000000001)),
        BITS("f64.abs", "\x99", "d", 'd', UINT64_C(0xfff0000000000001), 0,
             UINT64_C(0x7ff0000000000001)),
        BITS("f64.copysign", "\xa6", "dd", 'd', F64_SNAN, F64_NZERO,
             UINT64_C(0xfff4000000000001)),
        BITS("f64.copysign", "\xa6", "dd", 'd', F64_NONE, F64_CNAN, F64_ONE),
    };
    RUN(cases);
}

Test(lower_numeric, rounding_f32)
{
    static const num_case cases[] = {
        BITS("f32.ceil", "\x8d", "f", 'f', 0x3f000000u, 0, F32_ONE),
        BITS("f32.ceil", "\x8d", "f", 'f', 0xbf000000u, 0, F32_NZERO),
        BITS("f32.ceil", "\x8d", "f", 'f', 0x3fc00000u, 0, 0x40000000u),
        BITS("f32.ceil", "\x8d", "f", 'f', 0xbfc00000u, 0, F32_NONE),
        BITS("f32.ceil", "\x8d", "f", 'f', 0x4affffffu, 0, 0x4b000000u),
        BITS("f32.ceil", "\x8d", "f", 'f', 0xcaffffffu, 0, 0xcafffffeu),
        BITS("f32.floor", "\x8e", "f", 'f', 0x3f000000u, 0, 0),
        BITS("f32.floor", "\x8e", "f", 'f', 0xbf000000u, 0, F32_NONE),
        BITS("f32.floor", "\x8e", "f", 'f', 0x3fc00000u, 0, F32_ONE),
        BITS("f32.floor", "\x8e", "f", 'f', 0xbfc00000u, 0, 0xc0000000u),
        BITS("f32.floor", "\x8e", "f", 'f', 0x4affffffu, 0, 0x4afffffeu),
        BITS("f32.floor", "\x8e", "f", 'f', 0xcaffffffu, 0, 0xcb000000u),
        BITS("f32.floor", "\x8e", "f", 'f', F32_NZERO, 0, F32_NZERO),
        BITS("f32.trunc", "\x8f", "f", 'f', 0x3f000000u, 0, 0),
        BITS("f32.trunc", "\x8f", "f", 'f', 0xbf000000u, 0, F32_NZERO),
        BITS("f32.trunc", "\x8f", "f", 'f', 0xbfc00000u, 0, F32_NONE),
        BITS("f32.trunc", "\x8f", "f", 'f', 0x4affffffu, 0, 0x4afffffeu),
        BITS("f32.trunc", "\x8f", "f", 'f', 0xcaffffffu, 0, 0xcafffffeu),
        BITS("f32.nearest", "\x90", "f", 'f', 0x3f000000u, 0, 0),
        BITS("f32.nearest", "\x90", "f", 'f', 0xbf000000u, 0, F32_NZERO),
        BITS("f32.nearest", "\x90", "f", 'f', 0x3fc00000u, 0, 0x40000000u),
        BITS("f32.nearest", "\x90", "f", 'f', 0xbfc00000u, 0, 0xc0000000u),
        BITS("f32.nearest", "\x90", "f", 'f', 0x40200000u, 0, 0x40000000u),
        BITS("f32.nearest", "\x90", "f", 'f', 0x3effffffu, 0, 0),
        BITS("f32.nearest", "\x90", "f", 'f', 0x4affffffu, 0, 0x4b000000u),
        BITS("f32.nearest", "\x90", "f", 'f', 0xcaffffffu, 0, 0xcb000000u),
        /* 2^23 and above are integers already: unchanged. */
        BITS("f32.ceil", "\x8d", "f", 'f', 0x4b000001u, 0, 0x4b000001u),
        BITS("f32.floor", "\x8e", "f", 'f', 0xcb000001u, 0, 0xcb000001u),
        BITS("f32.nearest", "\x90", "f", 'f', 0x4b000001u, 0, 0x4b000001u),
        BITS("f32.trunc", "\x8f", "f", 'f', 0x7149f2cau, 0, 0x7149f2cau),
        BITS("f32.floor", "\x8e", "f", 'f', F32_NINF, 0, F32_NINF),
        BITS("f32.ceil", "\x8d", "f", 'f', F32_INF, 0, F32_INF),
        ANAN("f32.ceil", "\x8d", "f", 'f', F32_SNAN, 0),
        ANAN("f32.floor", "\x8e", "f", 'f', 0xffa00001u, 0),
        ANAN("f32.trunc", "\x8f", "f", 'f', F32_SNAN, 0),
        ANAN("f32.nearest", "\x90", "f", 'f', F32_QNAN, 0),
    };
    RUN(cases);
}

Test(lower_numeric, rounding_f64)
{
    /* 2^52 - 0.5 and its neighbours, 2^40 + 0.5 (past any 32-bit
     * conversion), large values, infinities, NaN. */
    static const num_case cases[] = {
        BITS("f64.ceil", "\x9b", "d", 'd', UINT64_C(0x3fe0000000000000), 0,
             F64_ONE),
        BITS("f64.ceil", "\x9b", "d", 'd', UINT64_C(0xbfe0000000000000), 0,
             F64_NZERO),
        BITS("f64.floor", "\x9c", "d", 'd', UINT64_C(0xbfe0000000000000), 0,
             F64_NONE),
        BITS("f64.floor", "\x9c", "d", 'd', UINT64_C(0xbff8000000000000), 0,
             UINT64_C(0xc000000000000000)),
        BITS("f64.trunc", "\x9d", "d", 'd', UINT64_C(0xbff8000000000000), 0,
             F64_NONE),
        BITS("f64.trunc", "\x9d", "d", 'd', UINT64_C(0xbfe0000000000000), 0,
             F64_NZERO),
        BITS("f64.nearest", "\x9e", "d", 'd', UINT64_C(0x3fe0000000000000),
             0, 0),
        BITS("f64.nearest", "\x9e", "d", 'd', UINT64_C(0xbfe0000000000000),
             0, F64_NZERO),
        BITS("f64.nearest", "\x9e", "d", 'd', UINT64_C(0x3ff8000000000000),
             0, UINT64_C(0x4000000000000000)),
        BITS("f64.nearest", "\x9e", "d", 'd', UINT64_C(0x4004000000000000),
             0, UINT64_C(0x4000000000000000)),
        BITS("f64.ceil", "\x9b", "d", 'd', UINT64_C(0x432fffffffffffff), 0,
             UINT64_C(0x4330000000000000)),
        BITS("f64.floor", "\x9c", "d", 'd', UINT64_C(0x432fffffffffffff), 0,
             UINT64_C(0x432ffffffffffffe)),
        BITS("f64.trunc", "\x9d", "d", 'd', UINT64_C(0xc32fffffffffffff), 0,
             UINT64_C(0xc32ffffffffffffe)),
        BITS("f64.nearest", "\x9e", "d", 'd', UINT64_C(0x432fffffffffffff),
             0, UINT64_C(0x4330000000000000)),
        BITS("f64.nearest", "\x9e", "d", 'd', UINT64_C(0xc32fffffffffffff),
             0, UINT64_C(0xc330000000000000)),
        BITS("f64.floor", "\x9c", "d", 'd', UINT64_C(0xc32fffffffffffff), 0,
             UINT64_C(0xc330000000000000)),
        BITS("f64.ceil", "\x9b", "d", 'd', UINT64_C(0x4330000000000001), 0,
             UINT64_C(0x4330000000000001)),
        BITS("f64.nearest", "\x9e", "d", 'd', UINT64_C(0xc330000000000001),
             0, UINT64_C(0xc330000000000001)),
        BITS("f64.ceil", "\x9b", "d", 'd', UINT64_C(0x4270000000000800), 0,
             UINT64_C(0x4270000000001000)),
        BITS("f64.floor", "\x9c", "d", 'd', UINT64_C(0xc270000000000800), 0,
             UINT64_C(0xc270000000001000)),
        BITS("f64.trunc", "\x9d", "d", 'd', UINT64_C(0x7e37e43c8800759c), 0,
             UINT64_C(0x7e37e43c8800759c)),
        BITS("f64.floor", "\x9c", "d", 'd', F64_NINF, 0, F64_NINF),
        BITS("f64.nearest", "\x9e", "d", 'd', F64_NZERO, 0, F64_NZERO),
        ANAN("f64.ceil", "\x9b", "d", 'd', F64_SNAN, 0),
        ANAN("f64.floor", "\x9c", "d", 'd', UINT64_C(0xfff4000000000001), 0),
        ANAN("f64.trunc", "\x9d", "d", 'd', F64_SNAN, 0),
        ANAN("f64.nearest", "\x9e", "d", 'd', F64_SNAN, 0),
    };
    RUN(cases);
}

/* ---- conversions ---- */

Test(lower_numeric, trapping_truncation_bounds)
{
    static const num_case cases[] = {
        /* i32.trunc_f32_s: 2147483520 is the last f32 below 2^31;
         * -2147483904 the first below -2^31. */
        BITS("i32.trunc_f32_s", "\xa8", "f", 'i', 0x4effffffu, 0,
             0x7fffff80u),
        TRAPS("i32.trunc_f32_s", "\xa8", "f", 'i', 0x4f000000u, 0,
              INT_OVERFLOW),
        BITS("i32.trunc_f32_s", "\xa8", "f", 'i', 0xcf000000u, 0, I32_MIN),
        TRAPS("i32.trunc_f32_s", "\xa8", "f", 'i', 0xcf000001u, 0,
              INT_OVERFLOW),
        TRAPS("i32.trunc_f32_s", "\xa8", "f", 'i', F32_CNAN, 0,
              BAD_CONVERSION),
        TRAPS("i32.trunc_f32_s", "\xa8", "f", 'i', F32_NINF, 0,
              INT_OVERFLOW),
        BITS("i32.trunc_f32_u", "\xa9", "f", 'i', 0x4f7fffffu, 0,
             0xffffff00u),
        TRAPS("i32.trunc_f32_u", "\xa9", "f", 'i', 0x4f800000u, 0,
              INT_OVERFLOW),
        BITS("i32.trunc_f32_u", "\xa9", "f", 'i', 0xbf666666u, 0, 0),
        TRAPS("i32.trunc_f32_u", "\xa9", "f", 'i', F32_NONE, 0,
              INT_OVERFLOW),
        TRAPS("i32.trunc_f32_u", "\xa9", "f", 'i', F32_SNAN, 0,
              BAD_CONVERSION),
        /* f64 -> i32: -2147483649 is exact, so -2147483648.9 fits. */
        BITS("i32.trunc_f64_s", "\xaa", "d", 'i',
             UINT64_C(0x41dffffffff9999a), 0, 0x7fffffffu),
        TRAPS("i32.trunc_f64_s", "\xaa", "d", 'i',
              UINT64_C(0x41e0000000000000), 0, INT_OVERFLOW),
        BITS("i32.trunc_f64_s", "\xaa", "d", 'i',
             UINT64_C(0xc1e00000001ccccd), 0, I32_MIN),
        TRAPS("i32.trunc_f64_s", "\xaa", "d", 'i',
              UINT64_C(0xc1e0000000200000), 0, INT_OVERFLOW),
        BITS("i32.trunc_f64_u", "\xab", "d", 'i',
             UINT64_C(0x41effffffffccccd), 0, U32_MAX),
        TRAPS("i32.trunc_f64_u", "\xab", "d", 'i',
              UINT64_C(0x41f0000000000000), 0, INT_OVERFLOW),
        BITS("i32.trunc_f64_u", "\xab", "d", 'i',
             UINT64_C(0xbfeccccccccccccd), 0, 0),
        TRAPS("i32.trunc_f64_u", "\xab", "d", 'i', F64_NONE, 0,
              INT_OVERFLOW),
        TRAPS("i32.trunc_f64_u", "\xab", "d", 'i', F64_CNAN, 0,
              BAD_CONVERSION),
        BITS("i64.trunc_f32_s", "\xae", "f", 'l', 0x5effffffu, 0,
             UINT64_C(0x7fffff8000000000)),
        TRAPS("i64.trunc_f32_s", "\xae", "f", 'l', 0x5f000000u, 0,
              INT_OVERFLOW),
        BITS("i64.trunc_f32_s", "\xae", "f", 'l', 0xdf000000u, 0, I64_MIN),
        TRAPS("i64.trunc_f32_s", "\xae", "f", 'l', 0xdf000001u, 0,
              INT_OVERFLOW),
        BITS("i64.trunc_f32_u", "\xaf", "f", 'l', 0x5f7fffffu, 0,
             UINT64_C(0xffffff0000000000)),
        TRAPS("i64.trunc_f32_u", "\xaf", "f", 'l', 0x5f800000u, 0,
              INT_OVERFLOW),
        BITS("i64.trunc_f32_u", "\xaf", "f", 'l', 0xbf666666u, 0, 0),
        TRAPS("i64.trunc_f32_u", "\xaf", "f", 'l', F32_NONE, 0,
              INT_OVERFLOW),
        BITS("i64.trunc_f64_s", "\xb0", "d", 'l',
             UINT64_C(0x43dfffffffffffff), 0, UINT64_C(0x7ffffffffffffc00)),
        TRAPS("i64.trunc_f64_s", "\xb0", "d", 'l',
              UINT64_C(0x43e0000000000000), 0, INT_OVERFLOW),
        BITS("i64.trunc_f64_s", "\xb0", "d", 'l',
             UINT64_C(0xc3e0000000000000), 0, I64_MIN),
        TRAPS("i64.trunc_f64_s", "\xb0", "d", 'l',
              UINT64_C(0xc3e0000000000001), 0, INT_OVERFLOW),
        TRAPS("i64.trunc_f64_s", "\xb0", "d", 'l', F64_SNAN, 0,
              BAD_CONVERSION),
        BITS("i64.trunc_f64_u", "\xb1", "d", 'l',
             UINT64_C(0x43efffffffffffff), 0, UINT64_C(0xfffffffffffff800)),
        TRAPS("i64.trunc_f64_u", "\xb1", "d", 'l',
              UINT64_C(0x43f0000000000000), 0, INT_OVERFLOW),
        BITS("i64.trunc_f64_u", "\xb1", "d", 'l',
             UINT64_C(0xbfeccccccccccccd), 0, 0),
        TRAPS("i64.trunc_f64_u", "\xb1", "d", 'l', F64_NONE, 0,
              INT_OVERFLOW),
        TRAPS("i64.trunc_f64_u", "\xb1", "d", 'l', F64_NINF, 0,
              INT_OVERFLOW),
        TRAPS("i64.trunc_f64_u", "\xb1", "d", 'l', F64_CNAN, 0,
              BAD_CONVERSION),
    };
    RUN(cases);
}

Test(lower_numeric, saturating_truncation)
{
    static const num_case cases[] = {
        BITS("i32.trunc_sat_f32_s", "\xfc\x00", "f", 'i', F32_CNAN, 0, 0),
        BITS("i32.trunc_sat_f32_s", "\xfc\x00", "f", 'i', F32_INF, 0,
             0x7fffffffu),
        BITS("i32.trunc_sat_f32_s", "\xfc\x00", "f", 'i', F32_NINF, 0,
             I32_MIN),
        BITS("i32.trunc_sat_f32_s", "\xfc\x00", "f", 'i', 0x4f000000u, 0,
             0x7fffffffu),
        BITS("i32.trunc_sat_f32_s", "\xfc\x00", "f", 'i', 0xcf000001u, 0,
             I32_MIN),
        BITS("i32.trunc_sat_f32_s", "\xfc\x00", "f", 'i', 0xbff33333u, 0,
             U32_MAX),
        BITS("i32.trunc_sat_f32_u", "\xfc\x01", "f", 'i', 0xbfc00000u, 0, 0),
        BITS("i32.trunc_sat_f32_u", "\xfc\x01", "f", 'i', 0x4f800000u, 0,
             U32_MAX),
        BITS("i32.trunc_sat_f32_u", "\xfc\x01", "f", 'i', F32_SNAN, 0, 0),
        BITS("i32.trunc_sat_f64_s", "\xfc\x02", "d", 'i',
             UINT64_C(0xc1e0000000200000), 0, I32_MIN),
        BITS("i32.trunc_sat_f64_u", "\xfc\x03", "d", 'i',
             UINT64_C(0x41effffffffccccd), 0, U32_MAX),
        BITS("i32.trunc_sat_f64_u", "\xfc\x03", "d", 'i', F64_NINF, 0, 0),
        BITS("i64.trunc_sat_f32_s", "\xfc\x04", "f", 'l', 0xffc00000u, 0, 0),
        BITS("i64.trunc_sat_f32_u", "\xfc\x05", "f", 'l', 0x5f800000u, 0,
             U64_MAX),
        BITS("i64.trunc_sat_f64_s", "\xfc\x06", "d", 'l',
             UINT64_C(0x43e0000000000000), 0, UINT64_C(0x7fffffffffffffff)),
        BITS("i64.trunc_sat_f64_s", "\xfc\x06", "d", 'l', F64_NINF, 0,
             I64_MIN),
        BITS("i64.trunc_sat_f64_s", "\xfc\x06", "d", 'l', F64_CNAN, 0, 0),
        BITS("i64.trunc_sat_f64_u", "\xfc\x07", "d", 'l',
             UINT64_C(0x43f0000000000000), 0, U64_MAX),
        BITS("i64.trunc_sat_f64_u", "\xfc\x07", "d", 'l',
             UINT64_C(0x43efffffffffffff), 0, UINT64_C(0xfffffffffffff800)),
        BITS("i64.trunc_sat_f64_u", "\xfc\x07", "d", 'l', F64_NONE, 0, 0),
    };
    RUN(cases);
}

Test(lower_numeric, integer_to_float_rounding)
{
    /* Correct rounding, not rounding twice through f64: 2^53 + 2^29 + 1
     * is 0x5a000001 as f32, but 0x5a000000 via f64. */
    static const num_case cases[] = {
        BITS("f32.convert_i64_u", "\xb5", "l", 'f', U64_MAX, 0,
             0x5f800000u),
        BITS("f32.convert_i64_u", "\xb5", "l", 'f',
             UINT64_C(0x0020000020000001), 0, 0x5a000001u),
        BITS("f32.convert_i64_u", "\xb5", "l", 'f',
             UINT64_C(0x8000008000000001), 0, 0x5f000001u),
        BITS("f32.convert_i64_u", "\xb5", "l", 'f',
             UINT64_C(0x8000008000000000), 0, 0x5f000000u),
        BITS("f32.convert_i64_s", "\xb4", "l", 'f',
             UINT64_C(0x0020000020000001), 0, 0x5a000001u),
        BITS("f32.convert_i64_s", "\xb4", "l", 'f',
             (uint64_t)-INT64_C(0x0020000020000001), 0, 0xda000001u),
        BITS("f32.convert_i32_u", "\xb3", "i", 'f', U32_MAX, 0,
             0x4f800000u),
        BITS("f32.convert_i32_u", "\xb3", "i", 'f', 0x80000080u, 0,
             0x4f000000u),
        BITS("f32.convert_i32_u", "\xb3", "i", 'f', 0x80000081u, 0,
             0x4f000001u),
        BITS("f32.convert_i32_s", "\xb2", "i", 'f', I32_MIN, 0, 0xcf000000u),
        BITS("f64.convert_i64_u", "\xba", "l", 'd', U64_MAX, 0,
             UINT64_C(0x43f0000000000000)),
        BITS("f64.convert_i64_u", "\xba", "l", 'd',
             UINT64_C(0x8000000000000401), 0, UINT64_C(0x43e0000000000001)),
        BITS("f64.convert_i32_u", "\xb8", "i", 'd', I32_MIN, 0,
             UINT64_C(0x41e0000000000000)),
        BITS("f64.convert_i32_s", "\xb7", "i", 'd', I32_MIN, 0,
             UINT64_C(0xc1e0000000000000)),
    };
    RUN(cases);
}
