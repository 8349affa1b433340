/*
 * decode.c — the binary format of a module (spec 5.5): the preamble,
 * section framing and order, and one decoder per section. Function bodies
 * and constant expressions are walked instruction by instruction so that
 * every malformation (unknown opcode, bad immediate, missing `end`) is
 * found here; their typing is left to validate.c.
 */
#include "decode.h"

#include <string.h>

#include "instr.h"

/* An import's description, kept until the index spaces are built. */
typedef struct import_desc {
    welf_externkind kind;
    union {
        uint32_t type_index;
        welf_tabletype table;
        welf_memtype memory;
        welf_globaltype global;
    } u;
} import_desc;

typedef struct decoder {
    welf_wasm *m;
    welf_error *err;
    welf_reader r;            /* over the whole module */
    import_desc *import_descs;
    uint32_t defined_func_count;
    bool has_func_section;
    bool has_code_section;
    bool has_data_section;
    /* Offset of the first memory.init or data.drop in code read without
     * a data count section, and its name; see check_data_count_use. */
    uint32_t data_use_offset;
    const char *data_use_name;
    uint8_t *open_ifs;        /* walk_expr's per-level `if` state */
    uint32_t open_if_cap;
    uint32_t name_section;     /* index in customs + 1, or 0 */
} decoder;

static bool nomem(decoder *d)
{
    welf_error_set(d->err, WELF_ERR_NOMEM, welf_reader_offset(&d->r),
                   "out of memory while decoding");
    return false;
}

static void *alloc_array(decoder *d, size_t n, size_t size)
{
    void *p = welf_arena_calloc(&d->m->arena, n ? n : 1, size);
    if (!p)
        nomem(d);
    return p;
}

/* A vector's length (spec 5.1.3). Every element takes at least one byte,
 * so a count above the bytes left is malformed; checking it here keeps a
 * hostile count from asking for a huge allocation. */
static bool read_count(welf_reader *r, const char *what, uint32_t *n)
{
    uint32_t at = welf_reader_offset(r);
    if (!welf_read_u32(r, n))
        return false;
    if (*n > welf_reader_left(r))
        return welf_reader_fail(r, WELF_ERR_UNEXPECTED_END, at,
                "unexpected end: %u %s do not fit in the %zu bytes left", *n,
                what, welf_reader_left(r));
    return true;
}

static bool read_valtype(welf_reader *r, welf_valtype *out)
{
    uint32_t at = welf_reader_offset(r);
    uint8_t b;
    if (!welf_read_u8(r, &b))
        return false;
    if (!welf_valtype_byte_ok(b))
        return welf_reader_fail(r, WELF_ERR_VALTYPE, at,
                "malformed value type 0x%02x", b);
    *out = b;
    return true;
}

static bool read_reftype(welf_reader *r, welf_valtype *out)
{
    uint32_t at = welf_reader_offset(r);
    uint8_t b;
    if (!welf_read_u8(r, &b))
        return false;
    if (b != WELF_VT_FUNCREF && b != WELF_VT_EXTERNREF)
        return welf_reader_fail(r, WELF_ERR_VALTYPE, at,
                "malformed reference type 0x%02x", b);
    *out = b;
    return true;
}

/* limits (spec 5.3.7): 0x00 min | 0x01 min max. */
static bool read_limits(welf_reader *r, welf_limits *out)
{
    uint32_t at = welf_reader_offset(r);
    uint8_t flags;
    if (!welf_read_u8(r, &flags))
        return false;
    if (flags > 1)
        return welf_reader_fail(r, WELF_ERR_FLAGS, at,
                "malformed limits flags 0x%02x", flags);
    out->has_max = flags == 1;
    out->max = 0;
    if (!welf_read_u32(r, &out->min))
        return false;
    return !out->has_max || welf_read_u32(r, &out->max);
}

static bool read_tabletype(welf_reader *r, welf_tabletype *out)
{
    return read_reftype(r, &out->elem) && read_limits(r, &out->limits);
}

static bool read_globaltype(welf_reader *r, welf_globaltype *out)
{
    if (!read_valtype(r, &out->type))
        return false;
    uint32_t at = welf_reader_offset(r);
    uint8_t mut;
    if (!welf_read_u8(r, &mut))
        return false;
    if (mut > 1)
        return welf_reader_fail(r, WELF_ERR_FLAGS, at,
                "malformed mutability 0x%02x", mut);
    out->is_mutable = mut == 1;
    return true;
}

/*
 * Walks instructions up to the `end` that closes the outermost level,
 * tracking block nesting so that `else` appears only inside `if` (a byte
 * per open level in d->open_ifs: 1 while it is an `if` before its `else`).
 * Used for function bodies and constant expressions; the caller checks
 * what follows the final `end`.
 */
static bool walk_expr(decoder *d, welf_reader *r, bool is_body)
{
    const char *what = is_body ? "function body" : "constant expression";
    uint32_t depth = 1;
    welf_instr in;
    for (;;) {
        if (welf_reader_done(r))
            return welf_reader_fail(r,
                    is_body ? WELF_ERR_END_EXPECTED : WELF_ERR_UNEXPECTED_END,
                    welf_reader_offset(r),
                    "END opcode expected: %s ends without its final end",
                    what);
        if (!welf_instr_read(r, d->m->features, &in))
            return false;
        switch (in.op) {
        case WELF_OP_BLOCK:
        case WELF_OP_LOOP:
        case WELF_OP_IF:
            if (depth >= WELF_MAX_BLOCK_DEPTH)
                return welf_reader_fail(r, WELF_ERR_TOO_MANY, in.offset,
                        "blocks nested deeper than %u", WELF_MAX_BLOCK_DEPTH);
            if (depth >= d->open_if_cap) {
                uint32_t cap = d->open_if_cap ? d->open_if_cap * 2 : 64;
                uint8_t *grown = welf_realloc(d->open_ifs, cap);
                if (!grown)
                    return nomem(d);
                d->open_ifs = grown;
                d->open_if_cap = cap;
            }
            d->open_ifs[depth++] = in.op == WELF_OP_IF;
            break;
        case WELF_OP_ELSE:
            if (depth == 1 || !d->open_ifs[depth - 1])
                return welf_reader_fail(r, WELF_ERR_OPCODE, in.offset,
                        "else without a matching if");
            d->open_ifs[depth - 1] = 0;
            break;
        case WELF_OP_END:
            if (--depth == 0)
                return true;
            break;
        case WELF_OP_MEMORY_INIT:
        case WELF_OP_DATA_DROP:
            /* The data count rule is about the code section only. */
            if (is_body && !d->m->has_data_count && !d->data_use_name) {
                d->data_use_offset = in.offset;
                d->data_use_name = welf_opinfos[in.op].name;
            }
            break;
        default:
            break;
        }
    }
}

/* A constant expression: instructions up to its `end`. */
static bool read_const_expr(decoder *d, welf_reader *r, welf_expr *out)
{
    out->offset = welf_reader_offset(r);
    if (!walk_expr(d, r, false))
        return false;
    out->size_bytes = welf_reader_offset(r) - out->offset;
    return true;
}

/* type section (5.5.4): vec(0x60 vec(valtype) vec(valtype)). */
static bool decode_types(decoder *d, welf_reader *r)
{
    welf_wasm *m = d->m;
    if (!read_count(r, "types", &m->type_count))
        return false;
    m->types = alloc_array(d, m->type_count, sizeof *m->types);
    if (!m->types)
        return false;
    for (uint32_t i = 0; i < m->type_count; i++) {
        uint32_t at = welf_reader_offset(r);
        uint8_t form;
        if (!welf_read_u8(r, &form))
            return false;
        if (form != 0x60)
            return welf_reader_fail(r, WELF_ERR_VALTYPE, at,
                    "malformed function type: 0x%02x instead of 0x60", form);
        welf_functype *ft = &m->types[i];
        welf_valtype *lists[2];
        uint32_t counts[2];
        for (int k = 0; k < 2; k++) {
            if (!read_count(r, k ? "results" : "parameters", &counts[k]))
                return false;
            lists[k] = alloc_array(d, counts[k], 1);
            if (!lists[k])
                return false;
            for (uint32_t j = 0; j < counts[k]; j++)
                if (!read_valtype(r, &lists[k][j]))
                    return false;
        }
        ft->param_count = counts[0];
        ft->params = lists[0];
        ft->result_count = counts[1];
        ft->results = lists[1];
    }
    return true;
}

/* import section (5.5.5). */
static bool decode_imports(decoder *d, welf_reader *r)
{
    welf_wasm *m = d->m;
    if (!read_count(r, "imports", &m->import_count))
        return false;
    m->imports = alloc_array(d, m->import_count, sizeof *m->imports);
    d->import_descs = alloc_array(d, m->import_count,
                                  sizeof *d->import_descs);
    if (!m->imports || !d->import_descs)
        return false;
    for (uint32_t i = 0; i < m->import_count; i++) {
        welf_import *im = &m->imports[i];
        import_desc *desc = &d->import_descs[i];
        im->offset = welf_reader_offset(r);
        if (!welf_read_name(r, &im->module.bytes, &im->module.len) ||
            !welf_read_name(r, &im->field.bytes, &im->field.len))
            return false;
        uint32_t at = welf_reader_offset(r);
        uint8_t kind;
        if (!welf_read_u8(r, &kind))
            return false;
        bool ok;
        switch (kind) {
        case WELF_EXTERN_FUNC:
            ok = welf_read_u32(r, &desc->u.type_index);
            im->index = m->func_import_count++;
            break;
        case WELF_EXTERN_TABLE:
            ok = read_tabletype(r, &desc->u.table);
            im->index = m->table_import_count++;
            break;
        case WELF_EXTERN_MEMORY:
            ok = read_limits(r, &desc->u.memory.limits);
            im->index = m->memory_import_count++;
            break;
        case WELF_EXTERN_GLOBAL:
            ok = read_globaltype(r, &desc->u.global);
            im->index = m->global_import_count++;
            break;
        default:
            return welf_reader_fail(r, WELF_ERR_FLAGS, at,
                    "malformed import kind 0x%02x", kind);
        }
        if (!ok)
            return false;
        im->kind = (welf_externkind)kind;
        desc->kind = im->kind;
    }
    return true;
}

/*
 * The index spaces hold imports first (spec 2.5.1). Each is built when
 * its definition section is read, or at the end of the module, from the
 * import descriptions and `defined` more entries.
 */
static bool build_funcs(decoder *d, uint32_t defined)
{
    welf_wasm *m = d->m;
    m->func_count = m->func_import_count + defined;
    m->funcs = alloc_array(d, m->func_count, sizeof *m->funcs);
    if (!m->funcs)
        return false;
    for (uint32_t i = 0; i < m->import_count; i++) {
        if (m->imports[i].kind != WELF_EXTERN_FUNC)
            continue;
        welf_func *f = &m->funcs[m->imports[i].index];
        f->type_index = d->import_descs[i].u.type_index;
        f->import_index = i;
        f->decl_offset = m->imports[i].offset;
    }
    for (uint32_t i = m->func_import_count; i < m->func_count; i++)
        m->funcs[i].import_index = WELF_NO_INDEX;
    return true;
}

static bool build_tables(decoder *d, uint32_t defined)
{
    welf_wasm *m = d->m;
    m->table_count = m->table_import_count + defined;
    m->tables = alloc_array(d, m->table_count, sizeof *m->tables);
    if (!m->tables)
        return false;
    for (uint32_t i = 0; i < m->import_count; i++) {
        if (m->imports[i].kind != WELF_EXTERN_TABLE)
            continue;
        welf_table *t = &m->tables[m->imports[i].index];
        t->type = d->import_descs[i].u.table;
        t->import_index = i;
        t->offset = m->imports[i].offset;
    }
    for (uint32_t i = m->table_import_count; i < m->table_count; i++)
        m->tables[i].import_index = WELF_NO_INDEX;
    return true;
}

static bool build_memories(decoder *d, uint32_t defined)
{
    welf_wasm *m = d->m;
    m->memory_count = m->memory_import_count + defined;
    m->memories = alloc_array(d, m->memory_count, sizeof *m->memories);
    if (!m->memories)
        return false;
    for (uint32_t i = 0; i < m->import_count; i++) {
        if (m->imports[i].kind != WELF_EXTERN_MEMORY)
            continue;
        welf_memory *mem = &m->memories[m->imports[i].index];
        mem->type = d->import_descs[i].u.memory;
        mem->import_index = i;
        mem->offset = m->imports[i].offset;
    }
    for (uint32_t i = m->memory_import_count; i < m->memory_count; i++)
        m->memories[i].import_index = WELF_NO_INDEX;
    return true;
}

static bool build_globals(decoder *d, uint32_t defined)
{
    welf_wasm *m = d->m;
    m->global_count = m->global_import_count + defined;
    m->globals = alloc_array(d, m->global_count, sizeof *m->globals);
    if (!m->globals)
        return false;
    for (uint32_t i = 0; i < m->import_count; i++) {
        if (m->imports[i].kind != WELF_EXTERN_GLOBAL)
            continue;
        welf_global *g = &m->globals[m->imports[i].index];
        g->type = d->import_descs[i].u.global;
        g->import_index = i;
        g->offset = m->imports[i].offset;
    }
    for (uint32_t i = m->global_import_count; i < m->global_count; i++)
        m->globals[i].import_index = WELF_NO_INDEX;
    return true;
}

/* function section (5.5.6): vec(typeidx). */
static bool decode_funcs(decoder *d, welf_reader *r)
{
    uint32_t n;
    if (!read_count(r, "functions", &n) || !build_funcs(d, n))
        return false;
    d->defined_func_count = n;
    d->has_func_section = true;
    welf_func *defs = d->m->funcs + d->m->func_import_count;
    for (uint32_t i = 0; i < n; i++) {
        defs[i].decl_offset = welf_reader_offset(r);
        if (!welf_read_u32(r, &defs[i].type_index))
            return false;
    }
    return true;
}

/* table section (5.5.7). */
static bool decode_tables(decoder *d, welf_reader *r)
{
    uint32_t n;
    if (!read_count(r, "tables", &n) || !build_tables(d, n))
        return false;
    welf_table *defs = d->m->tables + d->m->table_import_count;
    for (uint32_t i = 0; i < n; i++) {
        defs[i].offset = welf_reader_offset(r);
        if (!read_tabletype(r, &defs[i].type))
            return false;
    }
    return true;
}

/* memory section (5.5.8). */
static bool decode_memories(decoder *d, welf_reader *r)
{
    uint32_t n;
    if (!read_count(r, "memories", &n) || !build_memories(d, n))
        return false;
    welf_memory *defs = d->m->memories + d->m->memory_import_count;
    for (uint32_t i = 0; i < n; i++) {
        defs[i].offset = welf_reader_offset(r);
        if (!read_limits(r, &defs[i].type.limits))
            return false;
    }
    return true;
}

/* global section (5.5.9): vec(globaltype expr). */
static bool decode_globals(decoder *d, welf_reader *r)
{
    uint32_t n;
    if (!read_count(r, "globals", &n) || !build_globals(d, n))
        return false;
    welf_global *defs = d->m->globals + d->m->global_import_count;
    for (uint32_t i = 0; i < n; i++) {
        defs[i].offset = welf_reader_offset(r);
        if (!read_globaltype(r, &defs[i].type) ||
            !read_const_expr(d, r, &defs[i].init))
            return false;
    }
    return true;
}

/* export section (5.5.10). */
static bool decode_exports(decoder *d, welf_reader *r)
{
    welf_wasm *m = d->m;
    if (!read_count(r, "exports", &m->export_count))
        return false;
    m->exports = alloc_array(d, m->export_count, sizeof *m->exports);
    if (!m->exports)
        return false;
    for (uint32_t i = 0; i < m->export_count; i++) {
        welf_export *ex = &m->exports[i];
        ex->offset = welf_reader_offset(r);
        if (!welf_read_name(r, &ex->name.bytes, &ex->name.len))
            return false;
        uint32_t at = welf_reader_offset(r);
        uint8_t kind;
        if (!welf_read_u8(r, &kind))
            return false;
        if (kind > WELF_EXTERN_GLOBAL)
            return welf_reader_fail(r, WELF_ERR_FLAGS, at,
                    "malformed export kind 0x%02x", kind);
        ex->kind = (welf_externkind)kind;
        if (!welf_read_u32(r, &ex->index))
            return false;
    }
    return true;
}

/* start section (5.5.11). */
static bool decode_start(decoder *d, welf_reader *r)
{
    d->m->has_start = true;
    d->m->start_offset = welf_reader_offset(r);
    return welf_read_u32(r, &d->m->start_func);
}

static bool read_func_indices(decoder *d, welf_reader *r, welf_elem *e)
{
    if (!read_count(r, "element indices", &e->count))
        return false;
    e->func_indices = alloc_array(d, e->count, sizeof *e->func_indices);
    if (!e->func_indices)
        return false;
    for (uint32_t i = 0; i < e->count; i++)
        if (!welf_read_u32(r, &e->func_indices[i]))
            return false;
    return true;
}

static bool read_elem_exprs(decoder *d, welf_reader *r, welf_elem *e)
{
    if (!read_count(r, "element expressions", &e->count))
        return false;
    e->exprs = alloc_array(d, e->count, sizeof *e->exprs);
    if (!e->exprs)
        return false;
    for (uint32_t i = 0; i < e->count; i++)
        if (!read_const_expr(d, r, &e->exprs[i]))
            return false;
    return true;
}

/*
 * element section (5.5.12). The flags' three bits say: bit 0 passive or
 * declarative (else active), bit 1 with bit 0 declarative, without it an
 * explicit table index; bit 2 elements as expressions (else indices).
 */
static bool decode_elems(decoder *d, welf_reader *r)
{
    welf_wasm *m = d->m;
    if (!read_count(r, "element segments", &m->elem_count))
        return false;
    m->elems = alloc_array(d, m->elem_count, sizeof *m->elems);
    if (!m->elems)
        return false;
    for (uint32_t i = 0; i < m->elem_count; i++) {
        welf_elem *e = &m->elems[i];
        e->offset = welf_reader_offset(r);
        uint32_t flags;
        if (!welf_read_u32(r, &flags))
            return false;
        if (flags > 7)
            return welf_reader_fail(r, WELF_ERR_FLAGS, e->offset,
                    "malformed element segment flags %u", flags);
        e->type = WELF_VT_FUNCREF;
        if (flags & 1)
            e->mode = (flags & 2) ? WELF_SEG_DECLARATIVE : WELF_SEG_PASSIVE;
        else
            e->mode = WELF_SEG_ACTIVE;
        if (e->mode == WELF_SEG_ACTIVE) {
            if ((flags & 2) && !welf_read_u32(r, &e->table_index))
                return false;
            if (!read_const_expr(d, r, &e->offset_expr))
                return false;
        }
        /* Flags 0 and 4 imply funcref; the others spell the kind out. */
        if (flags & 3) {
            if (flags & 4) {
                if (!read_reftype(r, &e->type))
                    return false;
            } else {
                uint32_t at = welf_reader_offset(r);
                uint8_t kind;
                if (!welf_read_u8(r, &kind))
                    return false;
                if (kind != 0)
                    return welf_reader_fail(r, WELF_ERR_FLAGS, at,
                            "malformed element kind 0x%02x", kind);
            }
        }
        if (!((flags & 4) ? read_elem_exprs(d, r, e)
                          : read_func_indices(d, r, e)))
            return false;
    }
    return true;
}

/* data count section (5.5.15). */
static bool decode_data_count(decoder *d, welf_reader *r)
{
    d->m->has_data_count = true;
    return welf_read_u32(r, &d->m->data_count);
}

/* One entry of the code section (5.5.13): size, vec(locals), expr. */
static bool decode_body(decoder *d, welf_reader *r, uint32_t index)
{
    welf_func *f = &d->m->funcs[index];
    f->body_offset = welf_reader_offset(r);
    uint32_t size;
    if (!welf_read_u32(r, &size))
        return false;
    if (size > welf_reader_left(r))
        return welf_reader_fail(r, WELF_ERR_UNEXPECTED_END, f->body_offset,
                "unexpected end: function body of %u bytes runs past the "
                "section",
                size);
    welf_reader body;
    welf_reader_init(&body, r->base, r->p, r->p + size, r->err);
    r->p += size;

    uint32_t groups;
    if (!read_count(&body, "local groups", &groups))
        return false;
    f->local_group_count = groups;
    f->local_groups = alloc_array(d, groups, sizeof *f->local_groups);
    if (!f->local_groups)
        return false;
    uint64_t total = 0;
    for (uint32_t g = 0; g < groups; g++) {
        uint32_t at = welf_reader_offset(&body);
        welf_local_group *lg = &f->local_groups[g];
        if (!welf_read_u32(&body, &lg->count) ||
            !read_valtype(&body, &lg->type))
            return false;
        total += lg->count;
        if (total > WELF_MAX_LOCALS)
            return welf_reader_fail(&body, WELF_ERR_TOO_MANY, at,
                    "too many locals: more than %u in function %u",
                    WELF_MAX_LOCALS, index);
    }
    f->local_count = (uint32_t)total;
    f->code_offset = welf_reader_offset(&body);
    if (!walk_expr(d, &body, true))
        return false;
    if (!welf_reader_done(&body))
        return welf_reader_fail(&body, WELF_ERR_SECTION_SIZE,
                welf_reader_offset(&body),
                "section size mismatch: function body continues after its "
                "final end");
    f->code_end = welf_reader_offset(&body);
    return true;
}

/* code section (5.5.13): vec(code), one per function section entry. */
static bool decode_code(decoder *d, welf_reader *r)
{
    welf_wasm *m = d->m;
    uint32_t n;
    uint32_t count_at = welf_reader_offset(r);
    if (!read_count(r, "function bodies", &n))
        return false;
    d->has_code_section = true;
    if (!m->funcs && !build_funcs(d, 0))
        return false;
    if (n != d->defined_func_count)
        return welf_reader_fail(r, WELF_ERR_COUNT_MISMATCH, count_at,
                "function and code section have inconsistent lengths (%u "
                "functions, %u bodies)",
                d->defined_func_count, n);
    for (uint32_t i = 0; i < n; i++) {
        if (!decode_body(d, r, m->func_import_count + i)) {
            d->err->func_index = m->func_import_count + i;
            return false;
        }
    }
    return true;
}

/* data section (5.5.14). Flags: 0 active in memory 0, 1 passive, 2 active
 * with an explicit memory index. */
static bool decode_data(decoder *d, welf_reader *r)
{
    welf_wasm *m = d->m;
    uint32_t count_at = welf_reader_offset(r);
    if (!read_count(r, "data segments", &m->data_seg_count))
        return false;
    d->has_data_section = true;
    if (m->has_data_count && m->data_count != m->data_seg_count)
        return welf_reader_fail(r, WELF_ERR_COUNT_MISMATCH, count_at,
                "data count and data section have inconsistent lengths (%u and "
                "%u)",
                m->data_count, m->data_seg_count);
    m->datas = alloc_array(d, m->data_seg_count, sizeof *m->datas);
    if (!m->datas)
        return false;
    for (uint32_t i = 0; i < m->data_seg_count; i++) {
        welf_data *seg = &m->datas[i];
        seg->offset = welf_reader_offset(r);
        uint32_t flags;
        if (!welf_read_u32(r, &flags))
            return false;
        if (flags > 2)
            return welf_reader_fail(r, WELF_ERR_FLAGS, seg->offset,
                    "malformed data segment flags %u", flags);
        seg->mode = flags == 1 ? WELF_SEG_PASSIVE : WELF_SEG_ACTIVE;
        if (flags == 2 && !welf_read_u32(r, &seg->memory_index))
            return false;
        if (flags != 1 && !read_const_expr(d, r, &seg->offset_expr))
            return false;
        uint32_t len_at = welf_reader_offset(r);
        if (!welf_read_u32(r, &seg->size_bytes))
            return false;
        if (seg->size_bytes > welf_reader_left(r))
            return welf_reader_fail(r, WELF_ERR_UNEXPECTED_END, len_at,
                    "unexpected end: data segment of %u bytes runs past the "
                    "section",
                    seg->size_bytes);
        seg->bytes = r->p;
        r->p += seg->size_bytes;
    }
    return true;
}

/* custom section (5.5.3): a name, then anything. */
static bool decode_custom(decoder *d, welf_reader *r)
{
    welf_wasm *m = d->m;
    welf_custom c;
    if (!welf_read_name(r, &c.name.bytes, &c.name.len))
        return false;
    c.offset = welf_reader_offset(r);
    c.bytes = r->p;
    c.size_bytes = (uint32_t)welf_reader_left(r);
    r->p = r->end;
    /* Custom sections are few; grow the array by doubling. */
    uint32_t n = m->custom_count;
    if ((n & (n - 1)) == 0) {
        welf_custom *grown = alloc_array(d, n ? 2 * n : 4, sizeof *grown);
        if (!grown)
            return false;
        if (n)
            memcpy(grown, m->customs, n * sizeof *grown);
        m->customs = grown;
    }
    m->customs[m->custom_count++] = c;
    if (c.name.len == 4 && memcmp(c.name.bytes, "name", 4) == 0)
        d->name_section = m->custom_count;
    return true;
}

/*
 * The "name" section (spec 7.4.1) is advisory: if any part is malformed
 * the whole section is ignored rather than the module rejected. Reads the
 * module name (subsection 0) and function names (subsection 1). Returns
 * false only when memory runs out.
 */
static bool decode_names(decoder *d, const welf_custom *c)
{
    welf_wasm *m = d->m;
    welf_error local;
    welf_error_clear(&local);
    welf_reader r;
    welf_reader_init(&r, m->bytes, c->bytes, c->bytes + c->size_bytes,
                     &local);
    welf_name module_name = {NULL, 0};
    welf_name *names = NULL;
    int last_id = -1;
    while (!welf_reader_done(&r)) {
        uint8_t id;
        uint32_t size;
        if (!welf_read_u8(&r, &id) || !welf_read_u32(&r, &size) ||
            size > welf_reader_left(&r) || (int)id <= last_id)
            return true;
        last_id = id;
        welf_reader sub;
        welf_reader_init(&sub, r.base, r.p, r.p + size, &local);
        r.p += size;
        if (id == 0) {
            if (!welf_read_name(&sub, &module_name.bytes, &module_name.len))
                return true;
        } else if (id == 1) {
            uint32_t n;
            if (!read_count(&sub, "names", &n))
                return true;
            names = welf_arena_calloc(&m->arena, m->func_count + 1,
                                      sizeof *names);
            if (!names)
                return nomem(d);
            int64_t prev = -1;
            for (uint32_t i = 0; i < n; i++) {
                uint32_t index;
                welf_name nm;
                if (!welf_read_u32(&sub, &index) ||
                    !welf_read_name(&sub, &nm.bytes, &nm.len) ||
                    (int64_t)index <= prev || index >= m->func_count)
                    return true;
                prev = index;
                names[index] = nm;
            }
        } else {
            continue;
        }
        if (!welf_reader_done(&sub))
            return true;
    }
    m->module_name = module_name;
    m->func_names = names;
    return true;
}

/* Section order (spec 5.5.2): data count (12) sits between element (9)
 * and code (10). Returns 0 for an unknown id. */
static int section_rank(uint8_t id)
{
    static const int ranks[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return id < 13 ? ranks[id] : -1;
}

static const char *section_name(uint8_t id)
{
    static const char *const names[13] = {
        "custom", "type", "import", "function", "table", "memory",
        "global", "export", "start", "element", "code", "data",
        "data count"};
    return id < 13 ? names[id] : "unknown";
}

static bool decode_section(decoder *d, uint8_t id, welf_reader *r)
{
    switch (id) {
    case 0: return decode_custom(d, r);
    case 1: return decode_types(d, r);
    case 2: return decode_imports(d, r);
    case 3: return decode_funcs(d, r);
    case 4: return decode_tables(d, r);
    case 5: return decode_memories(d, r);
    case 6: return decode_globals(d, r);
    case 7: return decode_exports(d, r);
    case 8: return decode_start(d, r);
    case 9: return decode_elems(d, r);
    case 10: return decode_code(d, r);
    case 11: return decode_data(d, r);
    case 12: return decode_data_count(d, r);
    }
    welf_unreachable();
}

static bool decode_preamble(welf_reader *r)
{
    const uint8_t *b;
    if (welf_reader_left(r) < 4 || memcmp(r->p, "\0asm", 4) != 0)
        return welf_reader_fail(r, WELF_ERR_MAGIC, 0,
                "magic header not detected: not a WebAssembly module");
    r->p += 4;
    if (!welf_read_bytes(r, 4, &b))
        return welf_reader_fail(r, WELF_ERR_VERSION, 4,
                "unexpected end: no version");
    uint32_t version = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                       (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    if (version != 1)
        return welf_reader_fail(r, WELF_ERR_VERSION, 4,
                "unknown binary version 0x%x (expected 1)", version);
    return true;
}

/*
 * Code that names a data segment (memory.init, data.drop) needs the data
 * count section (spec 5.5.16), which lets the code be checked before the
 * data section is read. When the module has no data section at all, the
 * spec suite (memory_init.wast) treats such code as invalid -- an unknown
 * data segment, which the validator reports -- rather than malformed, so
 * the requirement is enforced only when a data section is present.
 */
static bool check_data_count_use(decoder *d)
{
    if (!d->data_use_name || !d->has_data_section)
        return true;
    return welf_reader_fail(&d->r, WELF_ERR_DATA_COUNT_REQUIRED,
            d->data_use_offset, "data count section required by %s",
            d->data_use_name);
}

static bool decode_module(decoder *d)
{
    welf_reader *r = &d->r;
    welf_wasm *m = d->m;
    if (!decode_preamble(r))
        return false;
    int last_rank = 0;
    while (!welf_reader_done(r)) {
        uint32_t at = welf_reader_offset(r);
        uint8_t id;
        uint32_t size;
        if (!welf_read_u8(r, &id))
            return false;
        int rank = section_rank(id);
        if (rank < 0)
            return welf_reader_fail(r, WELF_ERR_SECTION_ID, at,
                    "malformed section id %u", id);
        if (!welf_read_u32(r, &size))
            return false;
        if (size > welf_reader_left(r))
            return welf_reader_fail(r, WELF_ERR_UNEXPECTED_END, at,
                    "unexpected end: %s section of %u bytes runs past the end "
                    "of the module (%zu bytes left)",
                    section_name(id), size, welf_reader_left(r));
        if (rank > 0) {
            if (rank <= last_rank)
                return welf_reader_fail(r, WELF_ERR_SECTION_ORDER, at,
                        "unexpected %s section: out of order or repeated",
                        section_name(id));
            last_rank = rank;
        }
        welf_reader sec;
        welf_reader_init(&sec, r->base, r->p, r->p + size, d->err);
        r->p += size;
        if (!decode_section(d, id, &sec))
            return false;
        if (!welf_reader_done(&sec))
            return welf_reader_fail(&sec, WELF_ERR_SECTION_SIZE,
                    welf_reader_offset(&sec),
                    "section size mismatch: %s section has %zu bytes left over",
                    section_name(id), welf_reader_left(&sec));
    }
    if ((!m->funcs && !build_funcs(d, 0)) ||
        (!m->tables && !build_tables(d, 0)) ||
        (!m->memories && !build_memories(d, 0)) ||
        (!m->globals && !build_globals(d, 0)))
        return false;
    if (d->defined_func_count > 0 && !d->has_code_section)
        return welf_reader_fail(r, WELF_ERR_COUNT_MISMATCH,
                welf_reader_offset(r),
                "function and code section have inconsistent lengths (%u "
                "functions, no code section)",
                d->defined_func_count);
    if (m->has_data_count && m->data_count > 0 && !d->has_data_section)
        return welf_reader_fail(r, WELF_ERR_COUNT_MISMATCH,
                welf_reader_offset(r),
                "data count and data section have inconsistent lengths (%u and "
                "no data section)",
                m->data_count);
    if (!check_data_count_use(d))
        return false;
    return !d->name_section ||
           decode_names(d, &m->customs[d->name_section - 1]);
}

welf_status welf_wasm_decode(const uint8_t *bytes, size_t size,
                               welf_features features, welf_wasm **out,
                               welf_error *err)
{
    welf_error_clear(err);
    *out = NULL;
    if (!bytes && size)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "no bytes to decode");
    if (size >= UINT32_MAX)
        return welf_error_set(err, WELF_ERR_TOO_MANY, WELF_NO_OFFSET,
                              "module of %zu bytes is larger than 4 GiB",
                              size);
    welf_wasm *m = welf_malloc(sizeof *m);
    if (!m)
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory");
    memset(m, 0, sizeof *m);
    welf_arena_init(&m->arena);
    m->features = features;
    m->size_bytes = (uint32_t)size;
    uint8_t *copy = welf_arena_alloc(&m->arena, size ? size : 1);
    if (!copy) {
        welf_wasm_free(m);
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory");
    }
    if (size)
        memcpy(copy, bytes, size);
    m->bytes = copy;

    decoder d;
    memset(&d, 0, sizeof d);
    d.m = m;
    d.err = err;
    welf_reader_init(&d.r, copy, copy, copy + size, err);
    bool ok = decode_module(&d);
    welf_free(d.open_ifs);
    if (!ok) {
        welf_wasm_free(m);
        return err->code;
    }
    *out = m;
    return WELF_OK;
}

void welf_wasm_free(welf_wasm *m)
{
    if (!m)
        return;
    welf_arena_free(&m->arena);
    welf_free(m);
}
