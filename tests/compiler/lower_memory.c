/*
 * tests/compiler/lower_memory.c — the lowering of memory instructions
 * (compiler/lower_memory.c): loads and stores of every width with their
 * extension, static offsets and unaligned addresses; the last byte in
 * bounds and the first out (trap MEMORY_OOB), including offsets that
 * carry the address past 4 GiB; memory.size and memory.grow; the bulk
 * instructions with their bounds; a second memory (multi-memory).
 *
 * Memory traps come from the guard region, and LLVM assumes loads and
 * stores cannot trap (docs/abi.md, "Precision of memory traps"). By
 * default welf promises one thing here: a load dropped at once still
 * traps. With precise traps (welf_compile_options.precise_traps) every
 * out-of-bounds access traps, with its own trap code, after every store
 * before it; the tests named *_precise check that mode.
 * The default mode does not pass them: it deletes unused loads (at -O0
 * too, when the load is left on the stack at a return or unreachable),
 * and drops or merges stores before a faulting access at -O2.
 *
 * Each test runs at -O0 and -O2.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "lower_support.h"

TestSuite(lower_memory, .fini = lw_cleanup);

#define PAGE 65536u

/* ---- loads and stores ---- */

/* The bytes at 0..63 of the load test's memory; 64.. hold NaNs. */
static uint8_t pattern(uint32_t i)
{
    return (uint8_t)(i * 0x4b + 0x80);
}

typedef struct access_op {
    const char *name;
    const char *op;              /* opcode and the alignment byte */
    uint32_t size;               /* bytes accessed */
    bool is_signed;
    char type;                   /* value type: i, l, f, d */
} access_op;

static const access_op loads[] = {
    {"i32.load", "\x28\x02", 4, false, 'i'},
    {"i64.load", "\x29\x03", 8, false, 'l'},
    {"f32.load", "\x2a\x02", 4, false, 'f'},
    {"f64.load", "\x2b\x03", 8, false, 'd'},
    {"i32.load8_s", "\x2c\x00", 1, true, 'i'},
    {"i32.load8_u", "\x2d\x00", 1, false, 'i'},
    {"i32.load16_s", "\x2e\x01", 2, true, 'i'},
    {"i32.load16_u", "\x2f\x01", 2, false, 'i'},
    {"i64.load8_s", "\x30\x00", 1, true, 'l'},
    {"i64.load8_u", "\x31\x00", 1, false, 'l'},
    {"i64.load16_s", "\x32\x01", 2, true, 'l'},
    {"i64.load16_u", "\x33\x01", 2, false, 'l'},
    {"i64.load32_s", "\x34\x02", 4, true, 'l'},
    {"i64.load32_u", "\x35\x02", 4, false, 'l'},
};

static const access_op stores[] = {
    {"i32.store", "\x36\x02", 4, false, 'i'},
    {"i64.store", "\x37\x03", 8, false, 'l'},
    {"f32.store", "\x38\x02", 4, false, 'f'},
    {"f64.store", "\x39\x03", 8, false, 'd'},
    {"i32.store8", "\x3a\x00", 1, false, 'i'},
    {"i32.store16", "\x3b\x01", 2, false, 'i'},
    {"i64.store8", "\x3c\x00", 1, false, 'l'},
    {"i64.store16", "\x3d\x01", 2, false, 'l'},
    {"i64.store32", "\x3e\x02", 4, false, 'l'},
};

#define N_LOADS (sizeof loads / sizeof loads[0])
#define N_STORES (sizeof stores / sizeof stores[0])

/* What a load of `op` at `addr` returns, as the bits of its result. */
static uint64_t expect_load(const access_op *op, const uint8_t *mem,
                            uint32_t addr)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < op->size; i++)
        v |= (uint64_t)mem[addr + i] << (8 * i);
    if (op->is_signed && op->size < 8 && (v >> (8 * op->size - 1)) & 1)
        v |= ~UINT64_C(0) << (8 * op->size);
    if (op->type == 'i' || op->type == 'f')
        v &= 0xffffffffu;
    return v;
}

/* A load function (addr) -> bits, with memarg offset `offset`. */
static void add_load(lw_mod *m, const char *name, const access_op *op,
                     uint32_t offset)
{
    lw_buf body = {0};
    buf_lit(&body, LOCAL_GET "\x00");
    buf_bytes(&body, op->op, 2);
    buf_u32(&body, offset);
    if (op->type == 'f')
        buf_lit(&body, "\xbc");      /* i32.reinterpret_f32 */
    else if (op->type == 'd')
        buf_lit(&body, "\xbd");      /* i64.reinterpret_f64 */
    bool wide = op->type == 'l' || op->type == 'd';
    mod_func(m, name, "i", wide ? "l" : "i", "", body.data, body.len);
    buf_free(&body);
}

Test(lower_memory, loads_of_every_width)
{
    uint8_t image[80];
    for (uint32_t i = 0; i < 64; i++)
        image[i] = pattern(i);
    /* 64: f32 signalling NaN 0x7fa00001; 72: f64 0x7ff4000000000001 */
    memcpy(image + 64, "\x01\x00\xa0\x7f\0\0\0\0"
                       "\x01\0\0\0\0\0\xf4\x7f", 16);
    static const uint32_t addrs[] = {0, 1, 3, 5, 7, 13, 40};

    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, NULL);
        mod_data(&m, SEG_ACTIVE, 0, 0, image, sizeof image);
        char name[32];
        for (size_t i = 0; i < N_LOADS; i++) {
            snprintf(name, sizeof name, "%s", loads[i].name);
            add_load(&m, name, &loads[i], 0);
            snprintf(name, sizeof name, "%s+3", loads[i].name);
            add_load(&m, name, &loads[i], 3);
        }
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        for (size_t i = 0; i < N_LOADS; i++) {
            const access_op *op = &loads[i];
            bool wide = op->type == 'l' || op->type == 'd';
            for (size_t a = 0; a < sizeof addrs / sizeof addrs[0]; a++) {
                for (uint32_t off = 0; off <= 3; off += 3) {
                    snprintf(name, sizeof name, off ? "%s+3" : "%s",
                             op->name);
                    welf_val v = call_val(inst, name, I32(addrs[a]));
                    uint64_t got = wide ? (uint64_t)v.of.i64
                                        : (uint32_t)v.of.i32;
                    uint64_t want = expect_load(op, image, addrs[a] + off);
                    cr_assert_eq(got, want,
                                 "-O%d %s offset=%u at %u: 0x%llx, "
                                 "expected 0x%llx", opt, op->name, off,
                                 addrs[a], (unsigned long long)got,
                                 (unsigned long long)want);
                }
            }
        }
        /* NaN payloads come out of memory unchanged. */
        cr_assert_eq((uint32_t)call_i32(inst, "f32.load", I32(64)),
                     0x7fa00001u);
        cr_assert_eq((uint64_t)call_i64(inst, "f64.load", I32(72)),
                     UINT64_C(0x7ff4000000000001));
        mod_free(&m);
    }
}

/* A store function (addr, value bits) with memarg offset `offset`. */
static void add_store(lw_mod *m, const char *name, const access_op *op,
                      uint32_t offset)
{
    lw_buf body = {0};
    buf_lit(&body, LOCAL_GET "\x00" LOCAL_GET "\x01");
    if (op->type == 'f')
        buf_lit(&body, "\xbe");      /* f32.reinterpret_i32 */
    else if (op->type == 'd')
        buf_lit(&body, "\xbf");      /* f64.reinterpret_i64 */
    buf_bytes(&body, op->op, 2);
    buf_u32(&body, offset);
    bool wide = op->type == 'l' || op->type == 'd';
    mod_func(m, name, wide ? "il" : "ii", "", "", body.data, body.len);
    buf_free(&body);
}

Test(lower_memory, stores_of_every_width)
{
    const uint64_t value = UINT64_C(0x7ff4332211ffee81); /* f64: a NaN */
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, "mem");
        for (size_t i = 0; i < N_STORES; i++)
            add_store(&m, stores[i].name, &stores[i], 2);
        /* f32.load then f32.store: a signalling NaN through a float
         * register keeps its payload. */
        FUNC(&m, "copy_f32", "ii", "", "",
             LOCAL_GET "\x01" LOCAL_GET "\x00" "\x2a\x02\x00"
             "\x38\x02\x00");
        FUNC(&m, "copy_f64", "ii", "", "",
             LOCAL_GET "\x01" LOCAL_GET "\x00" "\x2b\x03\x00"
             "\x39\x03\x00");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *mem = lw_memory(inst, "mem");
        for (size_t i = 0; i < N_STORES; i++) {
            const access_op *op = &stores[i];
            bool wide = op->type == 'l' || op->type == 'd';
            for (uint32_t addr = 7; addr <= 10; addr++) {
                memset(mem, 0xcc, 32);
                if (wide)
                    call_void(inst, op->name, I32(addr), I64(value));
                else
                    call_void(inst, op->name, I32(addr),
                              I32((uint32_t)value));
                for (uint32_t k = 0; k < 32; k++) {
                    uint32_t at = addr + 2;
                    uint8_t want = k >= at && k < at + op->size
                                       ? (uint8_t)(value >> (8 * (k - at)))
                                       : 0xcc;
                    cr_assert_eq(mem[k], want,
                                 "-O%d %s offset=2 at %u: byte %u is "
                                 "0x%02x, expected 0x%02x", opt, op->name,
                                 addr, k, mem[k], want);
                }
            }
        }
        memcpy(mem + 100, "\x01\x00\xa0\x7f", 4);
        call_void(inst, "copy_f32", I32(100), I32(201));
        cr_assert_eq(memcmp(mem + 201, "\x01\x00\xa0\x7f", 4), 0);
        memcpy(mem + 300, "\x01\0\0\0\0\0\xf4\xff", 8);
        call_void(inst, "copy_f64", I32(300), I32(403));
        cr_assert_eq(memcmp(mem + 403, "\x01\0\0\0\0\0\xf4\xff", 8), 0);
        mod_free(&m);
    }
}

/* ---- bounds ---- */

static void check_bounds(void)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, "mem");
        FUNC(&m, "load8", "i", "i", "", LOCAL_GET "\x00" "\x2d\x00\x00");
        FUNC(&m, "load32", "i", "i", "", LOCAL_GET "\x00" "\x28\x02\x00");
        FUNC(&m, "load64", "i", "l", "", LOCAL_GET "\x00" "\x29\x03\x00");
        FUNC(&m, "store8", "i", "", "",
             LOCAL_GET "\x00" I32_CONST "\x2a" "\x3a\x00\x00");
        FUNC(&m, "store32", "i", "", "",
             LOCAL_GET "\x00" I32_CONST "\x7f" "\x36\x02\x00");
        FUNC(&m, "store64", "i", "", "",
             LOCAL_GET "\x00" I64_CONST "\x7f" "\x37\x03\x00");
        /* offset 65535: the last byte from address 0 */
        FUNC(&m, "load8_off_ffff", "i", "i", "",
             LOCAL_GET "\x00" "\x2d\x00\xff\xff\x03");
        /* offset 0xfffffffc + 4 is 2^32, not 0 */
        FUNC(&m, "load32_off_fffffffc", "i", "i", "",
             LOCAL_GET "\x00" "\x28\x02\xfc\xff\xff\xff\x0f");
        /* the largest effective address: 0xffffffff + 0xffffffff */
        FUNC(&m, "load64_off_max", "i", "l", "",
             LOCAL_GET "\x00" "\x29\x03\xff\xff\xff\xff\x0f");
        FUNC(&m, "store16_off_max", "i", "", "",
             LOCAL_GET "\x00" I32_CONST "\x01" "\x3b\x01\xff\xff\xff\xff\x0f");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *mem = lw_memory(inst, "mem");
        mem[PAGE - 1] = 0x99;
        memcpy(mem + PAGE - 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);

        cr_assert_eq(call_i32(inst, "load8", I32(PAGE - 1)), 0x08);
        expect_trap(inst, "load8", WELF_TRAP_CODE_MEMORY_OOB, I32(PAGE));
        expect_trap(inst, "load8", WELF_TRAP_CODE_MEMORY_OOB, I32(-1));
        cr_assert_eq(call_i32(inst, "load32", I32(PAGE - 4)), 0x08070605);
        expect_trap(inst, "load32", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(PAGE - 3));
        cr_assert_eq(call_i64(inst, "load64", I32(PAGE - 8)),
                     INT64_C(0x0807060504030201));
        expect_trap(inst, "load64", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(PAGE - 7));
        expect_trap(inst, "load64", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(-8));

        call_void(inst, "store8", I32(PAGE - 1));
        cr_assert_eq(mem[PAGE - 1], 0x2a);
        expect_trap(inst, "store8", WELF_TRAP_CODE_MEMORY_OOB, I32(PAGE));
        /* A store that straddles the end writes nothing. */
        expect_trap(inst, "store32", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(PAGE - 2));
        expect_trap(inst, "store64", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(PAGE - 4));
        cr_assert_eq(memcmp(mem + PAGE - 8, "\x01\x02\x03\x04\x05\x06\x07"
                                            "\x2a", 8), 0);
        call_void(inst, "store32", I32(PAGE - 4));
        cr_assert_eq(memcmp(mem + PAGE - 4, "\xff\xff\xff\xff", 4), 0);

        cr_assert_eq(call_i32(inst, "load8_off_ffff", I32(0)), 0xff);
        expect_trap(inst, "load8_off_ffff", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(1));
        expect_trap(inst, "load32_off_fffffffc", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(4));
        expect_trap(inst, "load32_off_fffffffc", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(0));
        expect_trap(inst, "load64_off_max", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(-1));
        expect_trap(inst, "load64_off_max", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(1));
        expect_trap(inst, "store16_off_max", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(-1));
        /* the instance works after all those traps */
        cr_assert_eq(call_i32(inst, "load8", I32(0)), 0);
        mod_free(&m);
    }
}

Test(lower_memory, bounds)
{
    check_bounds();
}

Test(lower_memory, bounds_precise)
{
    lw_precise_traps = true;
    check_bounds();
}

/*
 * A load whose value nobody uses is dead to LLVM, which may delete it;
 * in wasm it still traps when out of bounds. unused_loads_trap builds
 * one function per way of not using a load and checks that each traps
 * at 65536 (and runs at 65528), at -O0 and -O2, in the current mode.
 */
static void add_unused_load(lw_mod *m, const char *name)
{
    if (strcmp(name, "drop_i32") == 0)
        FUNC(m, name, "i", "", "", LOCAL_GET "\x00" "\x28\x02\x00" DROP);
    else if (strcmp(name, "drop_i64_load8_s") == 0)
        FUNC(m, name, "i", "", "", LOCAL_GET "\x00" "\x30\x00\x00" DROP);
    else if (strcmp(name, "drop_f64") == 0)
        FUNC(m, name, "i", "", "", LOCAL_GET "\x00" "\x2b\x03\x00" DROP);
    else if (strcmp(name, "drop_i64_load32_u") == 0)
        FUNC(m, name, "i", "", "", LOCAL_GET "\x00" "\x35\x02\x00" DROP);
    else if (strcmp(name, "unused_local") == 0)
        FUNC(m, name, "i", "", "i",
             LOCAL_GET "\x00" "\x28\x02\x00" LOCAL_SET "\x01");
    else if (strcmp(name, "times_zero") == 0)
        FUNC(m, name, "i", "i", "",
             LOCAL_GET "\x00" "\x28\x02\x00" I32_CONST "\x00" I32_MUL);
    else if (strcmp(name, "not_selected") == 0)
        FUNC(m, name, "i", "i", "",
             I32_CONST "\x05" LOCAL_GET "\x00" "\x28\x02\x00"
             I32_CONST "\x01" SELECT);
    else if (strcmp(name, "then_divided_by_zero") == 0)
        FUNC(m, name, "i", "i", "",
             LOCAL_GET "\x00" "\x28\x02\x00" I32_CONST "\x00"
             "\x6d");                                   /* i32.div_s */
    else if (strcmp(name, "before_unreachable") == 0)
        FUNC(m, name, "i", "", "",
             LOCAL_GET "\x00" "\x28\x02\x00" UNREACHABLE);
    else if (strcmp(name, "left_under_return") == 0)
        FUNC(m, name, "i", "i", "",
             LOCAL_GET "\x00" "\x28\x02\x00" I32_CONST "\x01" RETURN);
    else if (strcmp(name, "dropped_from_block") == 0)
        FUNC(m, name, "i", "", "",
             BLOCK BT_I32
               LOCAL_GET "\x00" "\x28\x02\x00"
               I32_CONST "\x01" BR_IF "\x00"
             END
             DROP);
    else
        cr_assert_fail("no function %s", name);
}

/* How a function of add_unused_load ends in bounds: normally, or with
 * the trap its next instruction raises. */
static welf_status in_bounds_outcome(const char *name, uint32_t *trap)
{
    *trap = WELF_TRAP_CODE_NONE;
    if (strcmp(name, "then_divided_by_zero") == 0)
        *trap = WELF_TRAP_CODE_INT_DIV_ZERO;
    else if (strcmp(name, "before_unreachable") == 0)
        *trap = WELF_TRAP_CODE_UNREACHABLE;
    return *trap ? WELF_ERR_TRAP : WELF_OK;
}

static void unused_loads_trap(const char *const *names, size_t n)
{
    int opt;
    size_t failures = 0;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, NULL);
        for (size_t i = 0; i < n; i++)
            add_unused_load(&m, names[i]);
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        for (size_t i = 0; i < n; i++) {
            welf_funcref *f = lw_func(inst, names[i]);
            welf_functype_info ti;
            welf_func_type(f, &ti);
            welf_val arg = I32(PAGE), res;
            welf_error err;
            welf_status st = welf_func_call(f, &arg, 1, &res,
                                            ti.result_count, &err);
            bool ok = st == WELF_ERR_TRAP &&
                      err.trap_code == WELF_TRAP_CODE_MEMORY_OOB;
            if (!ok) {
                fprintf(stderr, "-O%d %s(65536): %s, expected the trap "
                        "\"out of bounds memory access\"\n", opt, names[i],
                        st == WELF_OK ? "returned" : err.message);
                failures++;
            }
            /* in bounds, they run (up to their own trap, if any) */
            uint32_t trap;
            welf_status want = in_bounds_outcome(names[i], &trap);
            arg = I32(PAGE - 8);
            st = welf_func_call(f, &arg, 1, &res, ti.result_count, &err);
            cr_assert(st == want && (st == WELF_OK || err.trap_code == trap),
                      "-O%d %s(65528): status %d (%s)", opt, names[i], st,
                      st == WELF_OK ? "" : err.message);
        }
        mod_free(&m);
    }
    cr_assert_eq(failures, 0, "%zu of %zu unused loads out of bounds (at "
                 "-O0 and -O2) did not trap (listed on stderr)", failures,
                 2 * n);
}

/* Dropped directly, or through the extension of a narrow load. */
Test(lower_memory, dropped_out_of_bounds_loads_trap)
{
    static const char *const names[] = {
        "drop_i32", "drop_i64_load8_s", "drop_f64", "drop_i64_load32_u",
    };
    unused_loads_trap(names, sizeof names / sizeof names[0]);
}

/* Precise: dead without a drop: stored in a local never read,
 * multiplied by zero, not chosen by select, or carried out of a block
 * and then dropped. (By default, none of them traps at -O2.) */
Test(lower_memory, otherwise_unused_out_of_bounds_loads_trap_precise)
{
    lw_precise_traps = true;
    static const char *const names[] = {
        "unused_local", "times_zero", "not_selected", "dropped_from_block",
    };
    unused_loads_trap(names, sizeof names / sizeof names[0]);
}

/* Precise: evaluated before an instruction that traps for another
 * reason, or left on the stack under a return: the load's trap comes
 * first. (By default: at -O0 the load before `unreachable` or under the
 * return is skipped; at -O2 all three are.) */
Test(lower_memory, out_of_bounds_load_traps_before_later_trap_precise)
{
    lw_precise_traps = true;
    static const char *const names[] = {
        "then_divided_by_zero", "before_unreachable", "left_under_return",
    };
    unused_loads_trap(names, sizeof names / sizeof names[0]);
}

/*
 * Precise: a store that a later store overwrites is dead to LLVM; but
 * when the later store traps, wasm has executed the first one, and the
 * host sees its bytes. Here the second store covers the first and is out
 * of bounds (a = 65535) or in bounds (a = 100). (By default, -O2 deletes
 * the first store.)
 */
Test(lower_memory, store_before_a_trapping_store_stays_written_precise)
{
    lw_precise_traps = true;
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, "mem");
        FUNC(&m, "store8_then_store32", "i", "", "",
             LOCAL_GET "\x00" I32_CONST "\x2a" "\x3a\x00\x00"
             LOCAL_GET "\x00" I32_CONST "\x7f" "\x36\x02\x00");
        FUNC(&m, "store32_then_store64", "i", "", "",
             LOCAL_GET "\x00" I32_CONST "\x2a" "\x36\x02\x00"
             LOCAL_GET "\x00" I64_CONST "\x7f" "\x37\x03\x00");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *mem = lw_memory(inst, "mem");
        call_void(inst, "store8_then_store32", I32(100));
        cr_assert_eq(memcmp(mem + 100, "\xff\xff\xff\xff", 4), 0);
        expect_trap(inst, "store8_then_store32", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(PAGE - 1));
        cr_expect_eq(mem[PAGE - 1], 0x2a,
                     "-O%d: the store before the trapping store was lost "
                     "(byte 65535 is 0x%02x)", opt, mem[PAGE - 1]);
        expect_trap(inst, "store32_then_store64", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(PAGE - 4));
        cr_expect_eq(memcmp(mem + PAGE - 4, "\x2a\0\0\0", 4), 0,
                     "-O%d: the store before the trapping store was lost "
                     "(bytes 65532.. are %02x %02x %02x %02x)", opt,
                     mem[PAGE - 4], mem[PAGE - 3], mem[PAGE - 2],
                     mem[PAGE - 1]);
        mod_free(&m);
    }
}

/*
 * Precise: stores before an out-of-bounds load (whose value is used)
 * happen before its trap: the backend may neither move the load above
 * them nor merge them into a later store. (By default, -O2 merges the
 * four stores of stores_around into one 16-byte store after the load.)
 */
Test(lower_memory, stores_before_a_trapping_load_stay_written_precise)
{
    lw_precise_traps = true;
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, "mem");
        /* store 42 at 100, load at 65536 */
        FUNC(&m, "const_addrs", "", "i", "",
             I32_CONST "\xe4\x00" I32_CONST "\x2a" "\x36\x02\x00"
             I32_CONST "\x80\x80\x04" "\x28\x02\x00");
        /* store 42 at a, load at a + offset 65536 */
        FUNC(&m, "offsets", "i", "i", "",
             LOCAL_GET "\x00" I32_CONST "\x2a" "\x36\x02\x00"
             LOCAL_GET "\x00" "\x28\x02\x80\x80\x04");
        /* stores at a, a+4, a+8; load at a+65536; store at a+12 */
        FUNC(&m, "stores_around", "i", "i", "",
             LOCAL_GET "\x00" I32_CONST "\x2a" "\x36\x02\x00"
             LOCAL_GET "\x00" I32_CONST "\x2b" "\x36\x02\x04"
             LOCAL_GET "\x00" I32_CONST "\x2c" "\x36\x02\x08"
             LOCAL_GET "\x00" "\x28\x02\x80\x80\x04"
             LOCAL_GET "\x00" I32_CONST "\x2d" "\x36\x02\x0c");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *mem = lw_memory(inst, "mem");
        const welf_trap_code oob = WELF_TRAP_CODE_MEMORY_OOB;
        expect_trap(inst, "const_addrs", oob);
        cr_expect_eq(mem[100], 42, "-O%d const_addrs: byte 100 is %d", opt,
                     mem[100]);
        expect_trap(inst, "offsets", oob, I32(200));
        cr_expect_eq(mem[200], 42, "-O%d offsets: byte 200 is %d", opt,
                     mem[200]);
        expect_trap(inst, "stores_around", oob, I32(300));
        cr_expect(mem[300] == 42 && mem[304] == 43 && mem[308] == 44 &&
                  mem[312] == 0,
                  "-O%d stores_around: bytes 300, 304, 308, 312 are %d %d "
                  "%d %d, expected 42 43 44 0", opt, mem[300], mem[304],
                  mem[308], mem[312]);
        mod_free(&m);
    }
}

/* ---- memory.size and memory.grow ---- */

Test(lower_memory, size_and_grow)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, 3, "mem");
        FUNC(&m, "size", "", "i", "", "\x3f\x00");
        FUNC(&m, "grow", "i", "i", "", LOCAL_GET "\x00" "\x40\x00");
        FUNC(&m, "load8", "i", "i", "", LOCAL_GET "\x00" "\x2d\x00\x00");
        /* size, grow by one, size again, in one function */
        FUNC(&m, "size_grow_size", "", "ii", "",
             "\x3f\x00" I32_CONST "\x01" "\x40\x00" DROP "\x3f\x00");
        /* grow, then store and load at the old end */
        FUNC(&m, "grow_store_load", "", "i", "i",
             "\x3f\x00" I32_CONST "\x10" "\x74" LOCAL_SET "\x00"
             I32_CONST "\x01" "\x40\x00" DROP
             LOCAL_GET "\x00" I32_CONST "\x2a" "\x3a\x00\x00"
             LOCAL_GET "\x00" "\x2d\x00\x00");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        cr_assert_eq(call_i32(inst, "size"), 1);
        expect_trap(inst, "load8", WELF_TRAP_CODE_MEMORY_OOB, I32(PAGE));
        cr_assert_eq(call_i32(inst, "grow", I32(0)), 1);
        cr_assert_eq(call_i32(inst, "grow", I32(1)), 1);
        cr_assert_eq(call_i32(inst, "size"), 2);
        cr_assert_eq(call_i32(inst, "load8", I32(2 * PAGE - 1)), 0);
        cr_assert_eq(call_i32(inst, "grow", I32(2)), -1);
        cr_assert_eq(call_i32(inst, "grow", I32(-1)), -1);
        cr_assert_eq(call_i32(inst, "size"), 2);
        welf_val r[2];
        call_multi(inst, "size_grow_size", r, 2);
        cr_assert(r[0].of.i32 == 2 && r[1].of.i32 == 3,
                  "-O%d size_grow_size: (%d, %d)", opt, r[0].of.i32,
                  r[1].of.i32);
        cr_assert_eq(call_i32(inst, "grow", I32(1)), -1);
        cr_assert_eq(call_i32(inst, "load8", I32(3 * PAGE - 1)), 0);
        expect_trap(inst, "load8", WELF_TRAP_CODE_MEMORY_OOB,
                    I32(3 * PAGE));
        mod_free(&m);

        /* no maximum: the 4 GiB of a 32-bit memory */
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 0, LW_NO_MAX, NULL);
        FUNC(&m, "grow", "i", "i", "", LOCAL_GET "\x00" "\x40\x00");
        FUNC(&m, "grow_store_load", "", "i", "i",
             "\x3f\x00" I32_CONST "\x10" "\x74" LOCAL_SET "\x00"
             I32_CONST "\x01" "\x40\x00" DROP
             LOCAL_GET "\x00" I32_CONST "\x2a" "\x3a\x00\x00"
             LOCAL_GET "\x00" "\x2d\x00\x00");
        FUNC(&m, "load8", "i", "i", "", LOCAL_GET "\x00" "\x2d\x00\x00");
        inst = mod_instantiate(&m, opt, NULL, 0);
        expect_trap(inst, "load8", WELF_TRAP_CODE_MEMORY_OOB, I32(0));
        cr_assert_eq(call_i32(inst, "grow", I32(PAGE + 1)), -1);
        cr_assert_eq(call_i32(inst, "grow", I32(0x7fffffff)), -1);
        cr_assert_eq(call_i32(inst, "grow_store_load"), 42);
        cr_assert_eq(call_i32(inst, "grow_store_load"), 42);
        cr_assert_eq(call_i32(inst, "grow", I32(0)), 2);
        mod_free(&m);
    }
}

/* ---- bulk memory ---- */

static const char digits[] = "0123456789";

Test(lower_memory, fill_copy_init_drop)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURES_WASM2);
        mod_memory(&m, 1, LW_NO_MAX, "mem");
        mod_data(&m, SEG_PASSIVE, 0, 0, "hello world", 11);
        mod_data(&m, SEG_ACTIVE, 0, 0, digits, 10);
        FUNC(&m, "fill", "iii", "", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             FC "\x0b\x00");
        FUNC(&m, "copy", "iii", "", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             FC "\x0a\x00\x00");
        FUNC(&m, "init", "iii", "", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             FC "\x08\x00\x00");
        FUNC(&m, "init_active", "iii", "", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             FC "\x08\x01\x00");
        FUNC(&m, "drop", "", "", "", FC "\x09\x00");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *mem = lw_memory(inst, "mem");
        const welf_trap_code oob = WELF_TRAP_CODE_MEMORY_OOB;

        /* copy: overlapping, both directions */
        cr_assert_eq(memcmp(mem, digits, 10), 0);
        call_void(inst, "copy", I32(2), I32(0), I32(5));
        cr_assert_eq(memcmp(mem, "0101234789", 10), 0, "-O%d: %.10s", opt,
                     (char *)mem);
        memcpy(mem, digits, 10);
        call_void(inst, "copy", I32(0), I32(2), I32(5));
        cr_assert_eq(memcmp(mem, "2345656789", 10), 0, "-O%d: %.10s", opt,
                     (char *)mem);
        memcpy(mem, digits, 10);
        call_void(inst, "copy", I32(PAGE - 10), I32(0), I32(10));
        cr_assert_eq(memcmp(mem + PAGE - 10, digits, 10), 0);
        call_void(inst, "copy", I32(PAGE), I32(0), I32(0));
        call_void(inst, "copy", I32(0), I32(PAGE), I32(0));
        expect_trap(inst, "copy", oob, I32(PAGE - 4), I32(20), I32(5));
        cr_assert_eq(mem[PAGE - 4], '6', "a trapping copy wrote");
        expect_trap(inst, "copy", oob, I32(20), I32(PAGE - 4), I32(5));
        expect_trap(inst, "copy", oob, I32(PAGE + 1), I32(0), I32(0));
        expect_trap(inst, "copy", oob, I32(0), I32(-1), I32(2));

        /* fill: the value's low byte */
        call_void(inst, "fill", I32(100), I32(0x1ab), I32(5));
        cr_assert_eq(memcmp(mem + 99, "\0\xab\xab\xab\xab\xab\0", 7), 0);
        call_void(inst, "fill", I32(PAGE), I32(1), I32(0));
        expect_trap(inst, "fill", oob, I32(PAGE - 1), I32(1), I32(2));
        cr_assert_eq(mem[PAGE - 1], '9', "a trapping fill wrote");
        expect_trap(inst, "fill", oob, I32(PAGE + 1), I32(1), I32(0));
        expect_trap(inst, "fill", oob, I32(1), I32(1), I32(-1));

        /* init from the passive segment, with its bounds */
        call_void(inst, "init", I32(200), I32(6), I32(5));
        cr_assert_eq(memcmp(mem + 200, "world", 5), 0);
        call_void(inst, "init", I32(0), I32(11), I32(0));
        call_void(inst, "init", I32(PAGE), I32(0), I32(0));
        expect_trap(inst, "init", oob, I32(0), I32(10), I32(2));
        expect_trap(inst, "init", oob, I32(0), I32(12), I32(0));
        expect_trap(inst, "init", oob, I32(PAGE - 1), I32(0), I32(2));
        cr_assert_eq(mem[PAGE - 1], '9', "a trapping init wrote");
        /* an active segment is dropped once instantiation applied it */
        call_void(inst, "init_active", I32(0), I32(0), I32(0));
        expect_trap(inst, "init_active", oob, I32(0), I32(0), I32(1));
        /* data.drop, twice is fine; then only empty inits work */
        call_void(inst, "drop");
        call_void(inst, "drop");
        call_void(inst, "init", I32(0), I32(0), I32(0));
        expect_trap(inst, "init", oob, I32(300), I32(0), I32(1));
        cr_assert_eq(mem[300], 0);
        mod_free(&m);
    }
}

/* ---- a second memory ---- */

Test(lower_memory, multi_memory)
{
    int opt;
    FOR_EACH_OPT(opt) {
        lw_mod m;
        mod_init(&m, WELF_FEATURE_MULTI_MEMORY);
        mod_memory(&m, 2, LW_NO_MAX, "m0");
        mod_memory(&m, 1, 2, "m1");
        mod_data(&m, SEG_ACTIVE, 1, 16, "ABCD", 4);
        mod_data(&m, SEG_ACTIVE, 0, 32, "abcd", 4);
        mod_data(&m, SEG_PASSIVE, 0, 0, "PQRS", 4);
        /* memarg flag 0x40: a memory index follows the alignment */
        FUNC(&m, "load0", "i", "i", "", LOCAL_GET "\x00" "\x2d\x00\x00");
        FUNC(&m, "load1", "i", "i", "", LOCAL_GET "\x00" "\x2d\x40\x01\x00");
        FUNC(&m, "load64_1", "i", "l", "",
             LOCAL_GET "\x00" "\x29\x43\x01\x04");
        FUNC(&m, "store1", "ii", "", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" "\x3a\x40\x01\x00");
        FUNC(&m, "size1", "", "i", "", "\x3f\x01");
        FUNC(&m, "grow1", "i", "i", "", LOCAL_GET "\x00" "\x40\x01");
        FUNC(&m, "copy_1_from_0", "iii", "", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             FC "\x0a\x01\x00");
        /* memory.init of segment 2 into memory 1 */
        FUNC(&m, "init1", "iii", "", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             FC "\x08\x02\x01");
        FUNC(&m, "fill1", "iii", "", "",
             LOCAL_GET "\x00" LOCAL_GET "\x01" LOCAL_GET "\x02"
             FC "\x0b\x01");
        welf_instance *inst = mod_instantiate(&m, opt, NULL, 0);
        uint8_t *m0 = lw_memory(inst, "m0"), *m1 = lw_memory(inst, "m1");
        const welf_trap_code oob = WELF_TRAP_CODE_MEMORY_OOB;

        cr_assert_eq(call_i32(inst, "load1", I32(16)), 'A');
        cr_assert_eq(call_i32(inst, "load0", I32(16)), 0);
        cr_assert_eq(call_i32(inst, "load0", I32(32)), 'a');
        cr_assert_eq(call_i32(inst, "load1", I32(32)), 0);
        call_void(inst, "store1", I32(5), I32(0x77));
        cr_assert_eq(m1[5], 0x77);
        cr_assert_eq(m0[5], 0);
        cr_assert_eq(call_i32(inst, "load1", I32(5)), 0x77);
        cr_assert_eq(call_i32(inst, "load0", I32(PAGE)), 0);
        expect_trap(inst, "load1", oob, I32(PAGE));
        expect_trap(inst, "load64_1", oob, I32(PAGE - 11));
        call_i64(inst, "load64_1", I32(PAGE - 12));
        cr_assert_eq(call_i32(inst, "size1"), 1);
        cr_assert_eq(call_i32(inst, "grow1", I32(1)), 1);
        cr_assert_eq(call_i32(inst, "size1"), 2);
        cr_assert_eq(call_i32(inst, "grow1", I32(1)), -1);
        cr_assert_eq(call_i32(inst, "load1", I32(PAGE)), 0);
        expect_trap(inst, "load1", oob, I32(2 * PAGE));

        memcpy(m0, "xyz", 3);
        call_void(inst, "copy_1_from_0", I32(100), I32(0), I32(3));
        cr_assert_eq(memcmp(m1 + 100, "xyz", 3), 0);
        cr_assert_eq(m0[100], 0);
        /* m0 has 2 pages, m1 now 2: bounds of each */
        expect_trap(inst, "copy_1_from_0", oob, I32(2 * PAGE - 1), I32(0),
                    I32(2));
        expect_trap(inst, "copy_1_from_0", oob, I32(0), I32(2 * PAGE - 1),
                    I32(2));
        call_void(inst, "fill1", I32(0), I32(0x55), I32(4));
        cr_assert_eq(memcmp(m1, "\x55\x55\x55\x55", 4), 0);
        cr_assert_eq(memcmp(m0, "xyz", 3), 0);
        expect_trap(inst, "fill1", oob, I32(2 * PAGE), I32(0), I32(1));
        call_void(inst, "init1", I32(40), I32(1), I32(2));
        cr_assert_eq(memcmp(m1 + 40, "QR", 2), 0);
        cr_assert_eq(m0[40], 0);
        expect_trap(inst, "init1", oob, I32(2 * PAGE - 1), I32(0), I32(2));
        expect_trap(inst, "init1", oob, I32(0), I32(3), I32(2));
        mod_free(&m);
    }
}
