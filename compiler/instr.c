/*
 * instr.c — the instruction table (from opcodes.def) and the reader of a
 * single instruction's opcode and immediates, spec 5.4. Typing is the
 * validator's business; this file only knows the shape of the bytes.
 */
#include "instr.h"

const welf_opinfo welf_opinfos[WELF_OPINFO_COUNT] = {
#define OP(id, enm, nm, im, a, s) \
    [id] = {.name = nm, .imm = WELF_IMM_##im, .arg = a, .sig = s},
#include "opcodes.def"
#undef OP
};

bool welf_valtype_byte_ok(uint8_t b)
{
    switch (b) {
    case WELF_VT_I32: case WELF_VT_I64: case WELF_VT_F32: case WELF_VT_F64:
    case WELF_VT_V128: case WELF_VT_FUNCREF: case WELF_VT_EXTERNREF:
        return true;
    default:
        return false;
    }
}

/* block type: 0x40, a value type byte, or a non-negative s33 index. */
static bool read_blocktype(welf_reader *r, welf_instr *in)
{
    uint32_t at = welf_reader_offset(r);
    if (r->p < r->end && *r->p == 0x40) {
        r->p++;
        in->u.block.kind = WELF_BT_EMPTY;
        return true;
    }
    if (r->p < r->end && welf_valtype_byte_ok(*r->p)) {
        in->u.block.kind = WELF_BT_VALUE;
        in->u.block.valtype = *r->p++;
        return true;
    }
    int64_t v;
    if (!welf_read_s33(r, &v))
        return false;
    if (v < 0)
        return welf_reader_fail(r, WELF_ERR_VALTYPE, at,
                "malformed block type");
    in->u.block.kind = WELF_BT_INDEX;
    in->u.block.type_index = (uint32_t)v;
    return true;
}

/* A memory index: LEB128 with multi-memory, else one zero byte. */
static bool read_memidx(welf_reader *r, welf_features features, uint32_t *out)
{
    if (features & WELF_FEATURE_MULTI_MEMORY)
        return welf_read_u32(r, out);
    uint32_t at = welf_reader_offset(r);
    uint8_t b;
    if (!welf_read_u8(r, &b))
        return false;
    if (b != 0)
        return welf_reader_fail(r, WELF_ERR_ZERO_BYTE, at,
                "zero byte expected (memory index without multi-memory)");
    *out = 0;
    return true;
}

/* memarg: alignment, then with multi-memory an optional memory index
 * (flagged by bit 6 of the alignment), then the offset. */
static bool read_memarg(welf_reader *r, welf_features features,
                        welf_instr *in)
{
    uint32_t at = welf_reader_offset(r);
    uint32_t align;
    if (!welf_read_u32(r, &align))
        return false;
    in->u.memarg.memory = 0;
    if (features & WELF_FEATURE_MULTI_MEMORY) {
        /* Multi-memory: bit 6 flags a memory index; bits above are not
         * part of any encoding. */
        if (align >= 0x80)
            return welf_reader_fail(r, WELF_ERR_FLAGS, at,
                    "malformed memop flags 0x%x", align);
        if ((align & 0x40) && !welf_read_u32(r, &in->u.memarg.memory))
            return false;
        align &= ~(uint32_t)0x40;
    }
    in->u.memarg.align_log2 = align;
    return welf_read_u32(r, &in->u.memarg.offset);
}

static bool read_opcode(welf_reader *r, welf_features features,
                        welf_instr *in)
{
    uint32_t at = welf_reader_offset(r);
    uint8_t b;
    if (!welf_read_u8(r, &b))
        return false;
    unsigned id = b;
    if (b == 0xfc || b == 0xfd) {
        uint32_t sub;
        if (!welf_read_u32(r, &sub))
            return false;
        if (sub > 0xff) {
            welf_error_set(r->err, WELF_ERR_OPCODE, at,
                           "illegal opcode 0x%02x 0x%x", b, sub);
            return false;
        }
        id = (b == 0xfc ? WELF_OP_PREFIX_FC : WELF_OP_PREFIX_FD) + sub;
    }
    bool known = welf_opinfos[id].name != NULL;
    if ((id == WELF_OP_RETURN_CALL || id == WELF_OP_RETURN_CALL_INDIRECT) &&
        !(features & WELF_FEATURE_TAIL_CALL))
        known = false;
    if (!known) {
        if (id >= WELF_OP_PREFIX_FC)
            welf_error_set(r->err, WELF_ERR_OPCODE, at,
                           "illegal opcode 0x%02x 0x%02x", b,
                           id & 0xffu);
        else
            welf_error_set(r->err, WELF_ERR_OPCODE, at,
                           "illegal opcode 0x%02x", b);
        return false;
    }
    in->op = (uint16_t)id;
    in->offset = at;
    return true;
}

bool welf_instr_read(welf_reader *r, welf_features features, welf_instr *in)
{
    if (!read_opcode(r, features, in))
        return false;
    const welf_opinfo *info = &welf_opinfos[in->op];
    const uint8_t *bytes;
    uint32_t at = welf_reader_offset(r);
    switch ((welf_imm)info->imm) {
    case WELF_IMM_NONE:
        return true;
    case WELF_IMM_BLOCKTYPE:
        return read_blocktype(r, in);
    case WELF_IMM_LABEL:
    case WELF_IMM_FUNC:
    case WELF_IMM_LOCAL:
    case WELF_IMM_GLOBAL:
    case WELF_IMM_TABLE:
    case WELF_IMM_DATA:
    case WELF_IMM_ELEM:
        return welf_read_u32(r, &in->u.index);
    case WELF_IMM_BR_TABLE: {
        uint32_t n;
        if (!welf_read_u32(r, &n))
            return false;
        if (n > welf_reader_left(r))
            return welf_reader_fail_end(r, "br_table targets");
        in->u.br_table.count = n;
        in->u.br_table.targets = r->p;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t label;
            if (!welf_read_u32(r, &label))
                return false;
        }
        return welf_read_u32(r, &in->u.br_table.default_label);
    }
    case WELF_IMM_CALL_INDIRECT:
        return welf_read_u32(r, &in->u.call_indirect.type_index) &&
               welf_read_u32(r, &in->u.call_indirect.table_index);
    case WELF_IMM_SELECT_T: {
        uint32_t n;
        if (!welf_read_u32(r, &n))
            return false;
        if (n > welf_reader_left(r))
            return welf_reader_fail_end(r, "select types");
        in->u.select_t.count = n;
        in->u.select_t.type = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t t_at = welf_reader_offset(r);
            uint8_t t;
            if (!welf_read_u8(r, &t))
                return false;
            if (!welf_valtype_byte_ok(t))
                return welf_reader_fail(r, WELF_ERR_VALTYPE, t_at,
                        "malformed value type 0x%02x in select", t);
            if (i == 0)
                in->u.select_t.type = t;
        }
        return true;
    }
    case WELF_IMM_MEMARG:
        return read_memarg(r, features, in);
    case WELF_IMM_MEMARG_LANE:
        return read_memarg(r, features, in) &&
               welf_read_u8(r, &in->u.memarg.lane);
    case WELF_IMM_MEMIDX:
        return read_memidx(r, features, &in->u.index);
    case WELF_IMM_I32:
        return welf_read_s32(r, &in->u.i32);
    case WELF_IMM_I64:
        return welf_read_s64(r, &in->u.i64);
    case WELF_IMM_F32:
        return welf_read_fixed32(r, &in->u.f32_bits);
    case WELF_IMM_F64:
        return welf_read_fixed64(r, &in->u.f64_bits);
    case WELF_IMM_V128:
    case WELF_IMM_SHUFFLE:
        if (!welf_read_bytes(r, 16, &bytes))
            return false;
        for (int i = 0; i < 16; i++)
            in->u.bytes16[i] = bytes[i];
        return true;
    case WELF_IMM_LANE:
        return welf_read_u8(r, &in->u.lane);
    case WELF_IMM_REFTYPE:
        if (!welf_read_u8(r, &in->u.reftype))
            return false;
        if (in->u.reftype != WELF_VT_FUNCREF &&
            in->u.reftype != WELF_VT_EXTERNREF)
            return welf_reader_fail(r, WELF_ERR_VALTYPE, at,
                    "malformed reference type 0x%02x", in->u.reftype);
        return true;
    case WELF_IMM_MEMORY_INIT:
        return welf_read_u32(r, &in->u.pair.a) &&
               read_memidx(r, features, &in->u.pair.b);
    case WELF_IMM_MEMORY_COPY:
        return read_memidx(r, features, &in->u.pair.a) &&
               read_memidx(r, features, &in->u.pair.b);
    case WELF_IMM_TABLE_INIT:
    case WELF_IMM_TABLE_COPY:
        return welf_read_u32(r, &in->u.pair.a) &&
               welf_read_u32(r, &in->u.pair.b);
    }
    welf_unreachable();
}
