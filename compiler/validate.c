/*
 * validate.c — the validation rules of spec section 3: module-level rules
 * (3.4) and the typing of instruction sequences, using the operand and
 * control stacks of the spec's validation algorithm (appendix A.3).
 *
 * The input is a decoded module, so every body and expression is known to
 * be well formed; this file re-reads them with welf_instr_read and types
 * each instruction. Constant expressions (global initialisers, segment
 * offsets and element expressions) go through the same typing with a
 * filter on which instructions are allowed.
 */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#include "instr.h"

typedef struct ctrl_frame {
    uint16_t op;              /* block, loop, if, else; end for the body */
    bool unreachable;
    uint32_t height;          /* operand stack height at entry */
    const welf_valtype *params;
    const welf_valtype *results;
    uint32_t param_count;
    uint32_t result_count;
} ctrl_frame;

typedef struct validator {
    welf_wasm *m;
    welf_error *err;
    welf_reader r;
    const char *what;         /* name of the instruction being typed */
    uint32_t at;              /* its offset */

    welf_valtype *vals;       /* operand stack; WELF_VT_UNKNOWN = bottom */
    uint32_t val_count, val_cap;
    ctrl_frame *ctrls;
    uint32_t ctrl_count, ctrl_cap;
    welf_valtype *locals;     /* types of parameters, then locals */
    uint32_t local_count, local_cap;

    uint8_t *refs;            /* C.refs as a bitset over functions */
    uint32_t data_count;      /* C.datas */
    const welf_functype *func_type;   /* of the body being typed */
    bool const_expr;          /* typing a constant expression */
} validator;

/* Single value types for block types, so a frame can point at one. */
static const welf_valtype single_types[] = {
    WELF_VT_I32, WELF_VT_I64, WELF_VT_F32, WELF_VT_F64,
    WELF_VT_V128, WELF_VT_FUNCREF, WELF_VT_EXTERNREF,
};

static const welf_valtype *single(welf_valtype t)
{
    for (size_t i = 0; i < WELF_ARRAY_LEN(single_types); i++)
        if (single_types[i] == t)
            return &single_types[i];
    welf_unreachable();
}

static bool fail(validator *v, welf_status code, const char *fmt, ...)
    WELF_PRINTF(3, 4);

static bool fail(validator *v, welf_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    welf_error_setv(v->err, code, v->at, fmt, ap);
    va_end(ap);
    return false;
}

static bool nomem(validator *v)
{
    return fail(v, WELF_ERR_NOMEM, "out of memory while validating");
}

static bool grow(validator *v, void **buf, uint32_t *cap, uint32_t need,
                 size_t elem)
{
    if (need <= *cap)
        return true;
    uint32_t n = *cap ? *cap : 64;
    while (n < need)
        n = n > UINT32_MAX / 2 ? need : n * 2;
    void *p = welf_realloc(*buf, (size_t)n * elem);
    if (!p)
        return nomem(v);
    *buf = p;
    *cap = n;
    return true;
}

/* ---- operand stack (appendix A.3) ---- */

static bool push(validator *v, welf_valtype t)
{
    if (v->val_count == v->val_cap &&
        !grow(v, (void **)&v->vals, &v->val_cap, v->val_count + 1, 1))
        return false;
    v->vals[v->val_count++] = t;
    return true;
}

static bool push_many(validator *v, const welf_valtype *ts, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!push(v, ts[i]))
            return false;
    return true;
}

/* Pops any value into *out (WELF_VT_UNKNOWN in unreachable code). */
static bool pop_any(validator *v, welf_valtype *out)
{
    ctrl_frame *f = &v->ctrls[v->ctrl_count - 1];
    if (v->val_count == f->height) {
        if (f->unreachable) {
            *out = WELF_VT_UNKNOWN;
            return true;
        }
        return fail(v, WELF_ERR_TYPE_MISMATCH,
                    "type mismatch in %s: expected a value, but the stack "
                    "is empty", v->what);
    }
    *out = v->vals[--v->val_count];
    return true;
}

static bool pop_expect(validator *v, welf_valtype want, welf_valtype *got)
{
    welf_valtype t;
    ctrl_frame *f = &v->ctrls[v->ctrl_count - 1];
    if (v->val_count == f->height && !f->unreachable)
        return fail(v, WELF_ERR_TYPE_MISMATCH,
                    "type mismatch in %s: expected %s, but the stack is "
                    "empty", v->what, welf_valtype_name(want));
    if (!pop_any(v, &t))
        return false;
    if (t != want && t != WELF_VT_UNKNOWN && want != WELF_VT_UNKNOWN)
        return fail(v, WELF_ERR_TYPE_MISMATCH,
                    "type mismatch in %s: expected %s, got %s", v->what,
                    welf_valtype_name(want), welf_valtype_name(t));
    if (got)
        *got = t;
    return true;
}

static bool pop(validator *v, welf_valtype want)
{
    return pop_expect(v, want, NULL);
}

static bool pop_many(validator *v, const welf_valtype *ts, uint32_t n)
{
    for (uint32_t i = n; i-- > 0;)
        if (!pop(v, ts[i]))
            return false;
    return true;
}

/* ---- control stack ---- */

static bool push_ctrl(validator *v, uint16_t op, const welf_valtype *params,
                      uint32_t param_count, const welf_valtype *results,
                      uint32_t result_count)
{
    if (v->ctrl_count == v->ctrl_cap &&
        !grow(v, (void **)&v->ctrls, &v->ctrl_cap, v->ctrl_count + 1,
              sizeof *v->ctrls))
        return false;
    ctrl_frame *f = &v->ctrls[v->ctrl_count++];
    f->op = op;
    f->unreachable = false;
    f->height = v->val_count;
    f->params = params;
    f->param_count = param_count;
    f->results = results;
    f->result_count = result_count;
    return push_many(v, params, param_count);
}

/* Checks the frame's results are exactly what is on the stack, pops it. */
static bool pop_ctrl(validator *v, ctrl_frame *out)
{
    ctrl_frame *f = &v->ctrls[v->ctrl_count - 1];
    if (!pop_many(v, f->results, f->result_count))
        return false;
    if (v->val_count != f->height)
        return fail(v, WELF_ERR_TYPE_MISMATCH,
                    "type mismatch at %s: %u value%s left on the stack "
                    "beyond the block's %u result%s", v->what,
                    v->val_count - f->height,
                    v->val_count - f->height == 1 ? "" : "s",
                    f->result_count, f->result_count == 1 ? "" : "s");
    *out = *f;
    v->ctrl_count--;
    return true;
}

static void set_unreachable(validator *v)
{
    ctrl_frame *f = &v->ctrls[v->ctrl_count - 1];
    v->val_count = f->height;
    f->unreachable = true;
}

static void label_types(const ctrl_frame *f, const welf_valtype **ts,
                        uint32_t *n)
{
    if (f->op == WELF_OP_LOOP) {
        *ts = f->params;
        *n = f->param_count;
    } else {
        *ts = f->results;
        *n = f->result_count;
    }
}

static bool get_label(validator *v, uint32_t depth, ctrl_frame **out)
{
    if (depth >= v->ctrl_count)
        return fail(v, WELF_ERR_UNKNOWN_INDEX,
                    "unknown label %u in %s: only %u enclosing blocks",
                    depth, v->what, v->ctrl_count);
    *out = &v->ctrls[v->ctrl_count - 1 - depth];
    return true;
}

/* ---- index checks ---- */

static bool check_index(validator *v, uint32_t index, uint32_t count,
                        const char *space)
{
    if (index >= count)
        return fail(v, WELF_ERR_UNKNOWN_INDEX,
                    "unknown %s %u in %s (%u defined)", space, index,
                    v->what, count);
    return true;
}

static bool get_type(validator *v, uint32_t index, const welf_functype **out)
{
    if (!check_index(v, index, v->m->type_count, "type"))
        return false;
    *out = &v->m->types[index];
    return true;
}

static bool get_func_type(validator *v, uint32_t index,
                          const welf_functype **out)
{
    if (!check_index(v, index, v->m->func_count, "function"))
        return false;
    *out = &v->m->types[v->m->funcs[index].type_index];
    return true;
}

static bool get_table(validator *v, uint32_t index, welf_valtype *elem)
{
    if (!check_index(v, index, v->m->table_count, "table"))
        return false;
    *elem = v->m->tables[index].type.elem;
    return true;
}

static bool check_memory(validator *v, uint32_t index)
{
    return check_index(v, index, v->m->memory_count, "memory");
}

static bool check_data(validator *v, uint32_t index)
{
    return check_index(v, index, v->data_count, "data segment");
}

static bool get_elem(validator *v, uint32_t index, welf_valtype *type)
{
    if (!check_index(v, index, v->m->elem_count, "elem segment"))
        return false;
    *type = v->m->elems[index].type;
    return true;
}

/* Equal type sequences. (memcmp needs valid pointers even for length 0,
 * and empty sequences are NULL here.) */
static bool same_types(const welf_valtype *a, uint32_t na,
                       const welf_valtype *b, uint32_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

static bool refs_has(const validator *v, uint32_t f)
{
    return v->refs[f / 8] >> (f % 8) & 1;
}

/* ---- instructions ---- */

static bool blocktype(validator *v, const welf_instr *in,
                      const welf_valtype **params, uint32_t *param_count,
                      const welf_valtype **results, uint32_t *result_count)
{
    *params = NULL;
    *param_count = 0;
    *results = NULL;
    *result_count = 0;
    if (in->u.block.kind == WELF_BT_VALUE) {
        *results = single(in->u.block.valtype);
        *result_count = 1;
    } else if (in->u.block.kind == WELF_BT_INDEX) {
        const welf_functype *ft;
        if (!get_type(v, in->u.block.type_index, &ft))
            return false;
        *params = ft->params;
        *param_count = ft->param_count;
        *results = ft->results;
        *result_count = ft->result_count;
    }
    return true;
}

/* Applies a "params_results" signature from opcodes.def. */
static bool apply_sig(validator *v, const char *sig)
{
    static const welf_valtype by_letter[128] = {
        ['i'] = WELF_VT_I32, ['l'] = WELF_VT_I64, ['f'] = WELF_VT_F32,
        ['d'] = WELF_VT_F64, ['v'] = WELF_VT_V128,
    };
    const char *sep = strchr(sig, '_');
    for (const char *p = sep; p-- > sig;)
        if (!pop(v, by_letter[(unsigned char)*p]))
            return false;
    for (const char *p = sep + 1; *p; p++)
        if (!push(v, by_letter[(unsigned char)*p]))
            return false;
    return true;
}

static bool check_align(validator *v, const welf_instr *in,
                        const welf_opinfo *info)
{
    if (in->u.memarg.align_log2 > info->arg)
        return fail(v, WELF_ERR_ALIGNMENT,
                    "alignment must not be larger than natural: 2^%u > %u "
                    "in %s", in->u.memarg.align_log2, 1u << info->arg,
                    v->what);
    return true;
}

static bool check_lane(validator *v, uint32_t lane, uint32_t lanes)
{
    if (lane >= lanes)
        return fail(v, WELF_ERR_LANE,
                    "invalid lane index %u in %s (%u lanes)", lane, v->what,
                    lanes);
    return true;
}

/* Instructions allowed in constant expressions (spec 3.3.10). */
static bool const_allowed(const validator *v, uint16_t op)
{
    switch (op) {
    case WELF_OP_I32_CONST: case WELF_OP_I64_CONST:
    case WELF_OP_F32_CONST: case WELF_OP_F64_CONST:
    case WELF_OP_V128_CONST: case WELF_OP_REF_NULL: case WELF_OP_REF_FUNC:
    case WELF_OP_GLOBAL_GET: case WELF_OP_END:
        return true;
    case WELF_OP_I32_ADD: case WELF_OP_I32_SUB: case WELF_OP_I32_MUL:
    case WELF_OP_I64_ADD: case WELF_OP_I64_SUB: case WELF_OP_I64_MUL:
        return (v->m->features & WELF_FEATURE_EXTENDED_CONST) != 0;
    default:
        return false;
    }
}

static bool call_sig(validator *v, const welf_functype *ft, bool tail)
{
    if (!pop_many(v, ft->params, ft->param_count))
        return false;
    if (tail) {
        const welf_functype *self = v->func_type;
        if (!same_types(ft->results, ft->result_count, self->results,
                        self->result_count))
            return fail(v, WELF_ERR_TYPE_MISMATCH,
                        "type mismatch in %s: the callee's results differ "
                        "from the caller's", v->what);
        set_unreachable(v);
        return true;
    }
    return push_many(v, ft->results, ft->result_count);
}

static bool validate_br_table(validator *v, const welf_instr *in)
{
    if (!pop(v, WELF_VT_I32))
        return false;
    ctrl_frame *dflt = NULL;
    if (!get_label(v, in->u.br_table.default_label, &dflt))
        return false;
    const welf_valtype *dts;
    uint32_t arity;
    label_types(dflt, &dts, &arity);
    welf_reader tr;
    welf_reader_init(&tr, v->r.base, in->u.br_table.targets, v->r.end,
                     v->err);
    for (uint32_t i = 0; i < in->u.br_table.count; i++) {
        uint32_t depth;
        ctrl_frame *f = NULL;
        if (!welf_read_u32(&tr, &depth) || !get_label(v, depth, &f))
            return false;
        const welf_valtype *ts;
        uint32_t n;
        label_types(f, &ts, &n);
        if (n != arity)
            return fail(v, WELF_ERR_TYPE_MISMATCH,
                        "type mismatch in br_table: target %u takes %u "
                        "values, the default %u", depth, n, arity);
        /* Pop and push back, so each target is checked against the
         * values actually on the stack (which may be unknown). */
        welf_valtype tmp[16];
        welf_valtype *got = n <= 16 ? tmp : welf_malloc(n);
        if (!got)
            return nomem(v);
        bool ok = true;
        for (uint32_t k = n; ok && k-- > 0;)
            ok = pop_expect(v, ts[k], &got[k]);
        ok = ok && push_many(v, got, n);
        if (got != tmp)
            welf_free(got);
        if (!ok)
            return false;
    }
    if (!pop_many(v, dts, arity))
        return false;
    set_unreachable(v);
    return true;
}

static bool validate_select(validator *v, const welf_instr *in)
{
    if (in->op == WELF_OP_SELECT_T) {
        if (in->u.select_t.count != 1)
            return fail(v, WELF_ERR_TYPE_MISMATCH,
                        "invalid result arity in select: %u types given, "
                        "1 expected", in->u.select_t.count);
        welf_valtype t = in->u.select_t.type;
        return pop(v, WELF_VT_I32) && pop(v, t) && pop(v, t) && push(v, t);
    }
    welf_valtype t1, t2;
    if (!pop(v, WELF_VT_I32) || !pop_any(v, &t1) || !pop_any(v, &t2))
        return false;
    if (welf_valtype_is_ref(t1) || welf_valtype_is_ref(t2))
        return fail(v, WELF_ERR_TYPE_MISMATCH,
                    "type mismatch in select: reference operands need a "
                    "typed select");
    if (t1 != t2 && t1 != WELF_VT_UNKNOWN && t2 != WELF_VT_UNKNOWN)
        return fail(v, WELF_ERR_TYPE_MISMATCH,
                    "type mismatch in select: operands are %s and %s",
                    welf_valtype_name(t2), welf_valtype_name(t1));
    return push(v, t1 == WELF_VT_UNKNOWN ? t2 : t1);
}

static bool validate_local(validator *v, const welf_instr *in)
{
    if (!check_index(v, in->u.index, v->local_count, "local"))
        return false;
    welf_valtype t = v->locals[in->u.index];
    switch (in->op) {
    case WELF_OP_LOCAL_GET: return push(v, t);
    case WELF_OP_LOCAL_SET: return pop(v, t);
    default: return pop(v, t) && push(v, t);
    }
}

static bool validate_global(validator *v, const welf_instr *in)
{
    /* Constant expressions see only imported globals (spec 3.4.10, C'). */
    uint32_t visible = v->const_expr ? v->m->global_import_count
                                     : v->m->global_count;
    if (!check_index(v, in->u.index, visible, "global"))
        return false;
    const welf_global *g = &v->m->globals[in->u.index];
    if (in->op == WELF_OP_GLOBAL_GET) {
        if (v->const_expr && g->type.is_mutable)
            return fail(v, WELF_ERR_CONST_EXPR,
                        "constant expression required: global %u is "
                        "mutable", in->u.index);
        return push(v, g->type.type);
    }
    if (!g->type.is_mutable)
        return fail(v, WELF_ERR_IMMUTABLE,
                    "global is immutable: global.set of global %u",
                    in->u.index);
    return pop(v, g->type.type);
}

static bool validate_table_op(validator *v, const welf_instr *in)
{
    welf_valtype t, t2;
    switch (in->op) {
    case WELF_OP_TABLE_GET:
        return get_table(v, in->u.index, &t) && pop(v, WELF_VT_I32) &&
               push(v, t);
    case WELF_OP_TABLE_SET:
        return get_table(v, in->u.index, &t) && pop(v, t) &&
               pop(v, WELF_VT_I32);
    case WELF_OP_TABLE_SIZE:
        return get_table(v, in->u.index, &t) && push(v, WELF_VT_I32);
    case WELF_OP_TABLE_GROW:
        return get_table(v, in->u.index, &t) && pop(v, WELF_VT_I32) &&
               pop(v, t) && push(v, WELF_VT_I32);
    case WELF_OP_TABLE_FILL:
        return get_table(v, in->u.index, &t) && pop(v, WELF_VT_I32) &&
               pop(v, t) && pop(v, WELF_VT_I32);
    case WELF_OP_TABLE_COPY:
        if (!get_table(v, in->u.pair.a, &t) ||
            !get_table(v, in->u.pair.b, &t2))
            return false;
        if (t != t2)
            return fail(v, WELF_ERR_TYPE_MISMATCH,
                        "type mismatch in table.copy: %s table from %s "
                        "table", welf_valtype_name(t),
                        welf_valtype_name(t2));
        return pop(v, WELF_VT_I32) && pop(v, WELF_VT_I32) &&
               pop(v, WELF_VT_I32);
    case WELF_OP_TABLE_INIT:
        if (!get_elem(v, in->u.pair.a, &t2) ||
            !get_table(v, in->u.pair.b, &t))
            return false;
        if (t != t2)
            return fail(v, WELF_ERR_TYPE_MISMATCH,
                        "type mismatch in table.init: %s table from %s "
                        "segment", welf_valtype_name(t),
                        welf_valtype_name(t2));
        return pop(v, WELF_VT_I32) && pop(v, WELF_VT_I32) &&
               pop(v, WELF_VT_I32);
    case WELF_OP_ELEM_DROP:
        return get_elem(v, in->u.index, &t);
    }
    welf_unreachable();
}

/* Types one instruction other than else/end. */
static bool validate_instr(validator *v, const welf_instr *in)
{
    const welf_opinfo *info = &welf_opinfos[in->op];
    const welf_functype *ft;
    const welf_valtype *params, *results;
    uint32_t np, nr;
    ctrl_frame *label = NULL;
    welf_valtype t;

    if (info->sig) {
        switch ((welf_imm)info->imm) {
        case WELF_IMM_MEMARG:
            if (!check_memory(v, in->u.memarg.memory) ||
                !check_align(v, in, info))
                return false;
            break;
        case WELF_IMM_MEMARG_LANE:
            if (!check_memory(v, in->u.memarg.memory) ||
                !check_align(v, in, info) ||
                !check_lane(v, in->u.memarg.lane, 16u >> info->arg))
                return false;
            break;
        case WELF_IMM_MEMIDX:
            if (!check_memory(v, in->u.index))
                return false;
            break;
        case WELF_IMM_MEMORY_INIT:
            if (!check_memory(v, in->u.pair.b) ||
                !check_data(v, in->u.pair.a))
                return false;
            break;
        case WELF_IMM_MEMORY_COPY:
            if (!check_memory(v, in->u.pair.a) ||
                !check_memory(v, in->u.pair.b))
                return false;
            break;
        case WELF_IMM_DATA:
            if (!check_data(v, in->u.index))
                return false;
            break;
        case WELF_IMM_LANE:
            if (!check_lane(v, in->u.lane, info->arg))
                return false;
            break;
        case WELF_IMM_SHUFFLE:
            for (int i = 0; i < 16; i++)
                if (!check_lane(v, in->u.bytes16[i], info->arg))
                    return false;
            break;
        default:
            break;
        }
        return apply_sig(v, info->sig);
    }

    switch (in->op) {
    case WELF_OP_UNREACHABLE:
        set_unreachable(v);
        return true;
    case WELF_OP_BLOCK:
    case WELF_OP_LOOP:
    case WELF_OP_IF:
        if (!blocktype(v, in, &params, &np, &results, &nr))
            return false;
        if (in->op == WELF_OP_IF && !pop(v, WELF_VT_I32))
            return false;
        return pop_many(v, params, np) &&
               push_ctrl(v, in->op, params, np, results, nr);
    case WELF_OP_BR:
        if (!get_label(v, in->u.index, &label))
            return false;
        label_types(label, &params, &np);
        if (!pop_many(v, params, np))
            return false;
        set_unreachable(v);
        return true;
    case WELF_OP_BR_IF:
        if (!get_label(v, in->u.index, &label) || !pop(v, WELF_VT_I32))
            return false;
        label_types(label, &params, &np);
        return pop_many(v, params, np) && push_many(v, params, np);
    case WELF_OP_BR_TABLE:
        return validate_br_table(v, in);
    case WELF_OP_RETURN:
        if (!pop_many(v, v->func_type->results,
                      v->func_type->result_count))
            return false;
        set_unreachable(v);
        return true;
    case WELF_OP_CALL:
    case WELF_OP_RETURN_CALL:
        return get_func_type(v, in->u.index, &ft) &&
               call_sig(v, ft, in->op == WELF_OP_RETURN_CALL);
    case WELF_OP_CALL_INDIRECT:
    case WELF_OP_RETURN_CALL_INDIRECT:
        if (!get_table(v, in->u.call_indirect.table_index, &t) ||
            !get_type(v, in->u.call_indirect.type_index, &ft))
            return false;
        if (t != WELF_VT_FUNCREF)
            return fail(v, WELF_ERR_TYPE_MISMATCH,
                        "type mismatch in %s: table %u holds %s, not "
                        "funcref", v->what, in->u.call_indirect.table_index,
                        welf_valtype_name(t));
        return pop(v, WELF_VT_I32) &&
               call_sig(v, ft, in->op == WELF_OP_RETURN_CALL_INDIRECT);
    case WELF_OP_DROP:
        return pop_any(v, &t);
    case WELF_OP_SELECT:
    case WELF_OP_SELECT_T:
        return validate_select(v, in);
    case WELF_OP_LOCAL_GET:
    case WELF_OP_LOCAL_SET:
    case WELF_OP_LOCAL_TEE:
        return validate_local(v, in);
    case WELF_OP_GLOBAL_GET:
    case WELF_OP_GLOBAL_SET:
        return validate_global(v, in);
    case WELF_OP_REF_NULL:
        return push(v, in->u.reftype);
    case WELF_OP_REF_IS_NULL:
        if (!pop_any(v, &t))
            return false;
        if (t != WELF_VT_UNKNOWN && !welf_valtype_is_ref(t))
            return fail(v, WELF_ERR_TYPE_MISMATCH,
                        "type mismatch in ref.is_null: expected a "
                        "reference, got %s", welf_valtype_name(t));
        return push(v, WELF_VT_I32);
    case WELF_OP_REF_FUNC:
        if (!check_index(v, in->u.index, v->m->func_count, "function"))
            return false;
        if (!v->const_expr && !refs_has(v, in->u.index))
            return fail(v, WELF_ERR_UNDECLARED_REF,
                        "undeclared function reference: function %u is "
                        "not in an element segment, export or global",
                        in->u.index);
        return push(v, WELF_VT_FUNCREF);
    default:
        return validate_table_op(v, in);
    }
}

/*
 * Types the instruction sequence at v->r up to its final `end`, for a
 * frame with the given results. Works for function bodies and constant
 * expressions alike.
 */
static bool validate_expr(validator *v, const welf_valtype *results,
                          uint32_t result_count)
{
    v->val_count = 0;
    v->ctrl_count = 0;
    v->what = "function body";
    v->at = welf_reader_offset(&v->r);
    if (!push_ctrl(v, WELF_OP_END, NULL, 0, results, result_count))
        return false;
    welf_instr in;
    while (v->ctrl_count > 0) {
        if (!welf_instr_read(&v->r, v->m->features, &in))
            return false;
        v->what = welf_opinfos[in.op].name;
        v->at = in.offset;
        if (v->const_expr && !const_allowed(v, in.op))
            return fail(v, WELF_ERR_CONST_EXPR,
                        "constant expression required: %s is not "
                        "constant", v->what);
        ctrl_frame f;
        if (in.op == WELF_OP_END) {
            if (!pop_ctrl(v, &f))
                return false;
            /* An if without else passes its parameters through the
             * missing branch, so they must equal its results. */
            if (f.op == WELF_OP_IF &&
                !same_types(f.params, f.param_count, f.results,
                            f.result_count))
                return fail(v, WELF_ERR_TYPE_MISMATCH,
                            "type mismatch: if without else must leave "
                            "its parameters as its results");
            if (v->ctrl_count > 0 &&
                !push_many(v, f.results, f.result_count))
                return false;
        } else if (in.op == WELF_OP_ELSE) {
            if (v->ctrls[v->ctrl_count - 1].op != WELF_OP_IF)
                return fail(v, WELF_ERR_TYPE_MISMATCH,
                            "else without a matching if");
            if (!pop_ctrl(v, &f) ||
                !push_ctrl(v, WELF_OP_ELSE, f.params, f.param_count,
                           f.results, f.result_count))
                return false;
        } else if (!validate_instr(v, &in)) {
            return false;
        }
    }
    return true;
}

static bool validate_const(validator *v, welf_expr e, welf_valtype type)
{
    welf_reader_init(&v->r, v->m->bytes, v->m->bytes + e.offset,
                     v->m->bytes + e.offset + e.size_bytes, v->err);
    v->const_expr = true;
    bool ok = validate_expr(v, single(type), 1);
    v->const_expr = false;
    return ok;
}

static bool validate_func(validator *v, uint32_t index)
{
    const welf_wasm *m = v->m;
    const welf_func *f = &m->funcs[index];
    const welf_functype *ft = &m->types[f->type_index];
    uint32_t n = ft->param_count + f->local_count;
    if (ft->param_count > WELF_MAX_LOCALS || n > WELF_MAX_LOCALS) {
        v->at = f->body_offset;
        return fail(v, WELF_ERR_TOO_MANY,
                    "too many locals: %u parameters and locals in "
                    "function %u", n, index);
    }
    if (!grow(v, (void **)&v->locals, &v->local_cap, n ? n : 1, 1))
        return false;
    memcpy(v->locals, ft->params, ft->param_count);
    uint32_t k = ft->param_count;
    for (uint32_t g = 0; g < f->local_group_count; g++)
        for (uint32_t i = 0; i < f->local_groups[g].count; i++)
            v->locals[k++] = f->local_groups[g].type;
    v->local_count = n;
    v->func_type = ft;
    welf_reader_init(&v->r, m->bytes, m->bytes + f->code_offset,
                     m->bytes + f->code_end, v->err);
    return validate_expr(v, ft->results, ft->result_count);
}

/* ---- module-level rules (spec 3.4) ---- */

static bool check_limits(validator *v, const welf_limits *l, uint64_t bound,
                         const char *what)
{
    if (l->min > bound)
        return fail(v, WELF_ERR_LIMITS,
                    "%s size must be at most %llu: minimum %u", what,
                    (unsigned long long)bound, l->min);
    if (l->has_max && l->max > bound)
        return fail(v, WELF_ERR_LIMITS,
                    "%s size must be at most %llu: maximum %u", what,
                    (unsigned long long)bound, l->max);
    if (l->has_max && l->min > l->max)
        return fail(v, WELF_ERR_LIMITS,
                    "size minimum must not be greater than maximum "
                    "(%u > %u)", l->min, l->max);
    return true;
}

static bool validate_types_and_limits(validator *v)
{
    welf_wasm *m = v->m;
    for (uint32_t i = 0; i < m->func_count; i++) {
        const welf_func *f = &m->funcs[i];
        v->at = f->decl_offset;
        if (f->type_index >= m->type_count)
            return fail(v, WELF_ERR_UNKNOWN_INDEX,
                        "unknown type %u for function %u", f->type_index,
                        i);
    }
    for (uint32_t i = 0; i < m->table_count; i++) {
        v->at = m->tables[i].offset;
        if (!check_limits(v, &m->tables[i].type.limits, UINT32_MAX,
                          "table"))
            return false;
    }
    if (m->memory_count > 1 && !(m->features & WELF_FEATURE_MULTI_MEMORY)) {
        v->at = m->memories[1].offset;
        return fail(v, WELF_ERR_MULTIPLE,
                    "multiple memories: %u declared, multi-memory is not "
                    "enabled", m->memory_count);
    }
    for (uint32_t i = 0; i < m->memory_count; i++) {
        v->at = m->memories[i].offset;
        if (!check_limits(v, &m->memories[i].type.limits, WELF_MAX_PAGES,
                          "memory"))
            return false;
    }
    return true;
}

/* Marks every function named by ref.func in a constant expression. */
static bool collect_refs_in(validator *v, welf_expr e)
{
    welf_reader r;
    welf_reader_init(&r, v->m->bytes, v->m->bytes + e.offset,
                     v->m->bytes + e.offset + e.size_bytes, v->err);
    welf_instr in;
    while (!welf_reader_done(&r)) {
        if (!welf_instr_read(&r, v->m->features, &in))
            return false;
        if (in.op == WELF_OP_REF_FUNC && in.u.index < v->m->func_count)
            v->refs[in.u.index / 8] |= (uint8_t)(1u << in.u.index % 8);
    }
    return true;
}

static void mark_ref(validator *v, uint32_t f)
{
    if (f < v->m->func_count)
        v->refs[f / 8] |= (uint8_t)(1u << f % 8);
}

/* C.refs (spec 3.4.10): functions referenced outside function bodies. */
static bool collect_refs(validator *v)
{
    welf_wasm *m = v->m;
    v->refs = welf_malloc(m->func_count / 8 + 1);
    if (!v->refs)
        return nomem(v);
    memset(v->refs, 0, m->func_count / 8 + 1);
    for (uint32_t i = m->global_import_count; i < m->global_count; i++)
        if (!collect_refs_in(v, m->globals[i].init))
            return false;
    for (uint32_t i = 0; i < m->elem_count; i++) {
        const welf_elem *e = &m->elems[i];
        for (uint32_t k = 0; k < e->count; k++) {
            if (e->func_indices)
                mark_ref(v, e->func_indices[k]);
            else if (!collect_refs_in(v, e->exprs[k]))
                return false;
        }
    }
    for (uint32_t i = 0; i < m->export_count; i++)
        if (m->exports[i].kind == WELF_EXTERN_FUNC)
            mark_ref(v, m->exports[i].index);
    return true;
}

static bool validate_globals(validator *v)
{
    welf_wasm *m = v->m;
    for (uint32_t i = m->global_import_count; i < m->global_count; i++)
        if (!validate_const(v, m->globals[i].init, m->globals[i].type.type))
            return false;
    return true;
}

static bool validate_elems(validator *v)
{
    welf_wasm *m = v->m;
    for (uint32_t i = 0; i < m->elem_count; i++) {
        const welf_elem *e = &m->elems[i];
        v->at = e->offset;
        v->what = "element segment";
        if (e->mode == WELF_SEG_ACTIVE) {
            welf_valtype t;
            if (!get_table(v, e->table_index, &t))
                return false;
            if (t != e->type)
                return fail(v, WELF_ERR_TYPE_MISMATCH,
                            "type mismatch: element segment %u of %s for a "
                            "%s table", i, welf_valtype_name(e->type),
                            welf_valtype_name(t));
            if (!validate_const(v, e->offset_expr, WELF_VT_I32))
                return false;
        }
        for (uint32_t k = 0; k < e->count; k++) {
            if (e->func_indices) {
                v->at = e->offset;
                if (!check_index(v, e->func_indices[k], m->func_count,
                                 "function"))
                    return false;
            } else if (!validate_const(v, e->exprs[k], e->type)) {
                return false;
            }
        }
    }
    return true;
}

static bool validate_datas(validator *v)
{
    welf_wasm *m = v->m;
    for (uint32_t i = 0; i < m->data_seg_count; i++) {
        const welf_data *d = &m->datas[i];
        if (d->mode != WELF_SEG_ACTIVE)
            continue;
        v->at = d->offset;
        v->what = "data segment";
        if (!check_memory(v, d->memory_index) ||
            !validate_const(v, d->offset_expr, WELF_VT_I32))
            return false;
    }
    return true;
}

static int compare_names(const void *a, const void *b)
{
    const welf_export *x = *(const welf_export *const *)a;
    const welf_export *y = *(const welf_export *const *)b;
    uint32_t n = x->name.len < y->name.len ? x->name.len : y->name.len;
    int c = memcmp(x->name.bytes, y->name.bytes, n);
    if (c)
        return c;
    if (x->name.len != y->name.len)
        return x->name.len < y->name.len ? -1 : 1;
    return x->offset < y->offset ? -1 : 1;
}

static bool validate_exports(validator *v)
{
    welf_wasm *m = v->m;
    v->what = "export";
    for (uint32_t i = 0; i < m->export_count; i++) {
        const welf_export *ex = &m->exports[i];
        static const char *const spaces[] = {"function", "table", "memory",
                                             "global"};
        uint32_t counts[] = {m->func_count, m->table_count, m->memory_count,
                             m->global_count};
        v->at = ex->offset;
        if (!check_index(v, ex->index, counts[ex->kind], spaces[ex->kind]))
            return false;
    }
    if (m->export_count < 2)
        return true;
    const welf_export **sorted = welf_malloc(m->export_count *
                                             sizeof *sorted);
    if (!sorted)
        return nomem(v);
    for (uint32_t i = 0; i < m->export_count; i++)
        sorted[i] = &m->exports[i];
    qsort(sorted, m->export_count, sizeof *sorted, compare_names);
    bool ok = true;
    for (uint32_t i = 1; ok && i < m->export_count; i++) {
        const welf_export *a = sorted[i - 1], *b = sorted[i];
        if (a->name.len == b->name.len &&
            memcmp(a->name.bytes, b->name.bytes, a->name.len) == 0) {
            v->at = b->offset;
            ok = fail(v, WELF_ERR_DUPLICATE_EXPORT,
                      "duplicate export name \"%.*s\"", (int)b->name.len,
                      (const char *)b->name.bytes);
        }
    }
    welf_free(sorted);
    return ok;
}

static bool validate_start(validator *v)
{
    welf_wasm *m = v->m;
    if (!m->has_start)
        return true;
    v->at = m->start_offset;
    v->what = "start section";
    const welf_functype *ft;
    if (!get_func_type(v, m->start_func, &ft))
        return false;
    if (ft->param_count || ft->result_count)
        return fail(v, WELF_ERR_START,
                    "start function %u must take and return nothing",
                    m->start_func);
    return true;
}

static bool validate_module(validator *v)
{
    welf_wasm *m = v->m;
    v->data_count = m->has_data_count ? m->data_count : m->data_seg_count;
    if (!validate_types_and_limits(v) ||
        !collect_refs(v) || !validate_globals(v) || !validate_elems(v) ||
        !validate_datas(v) || !validate_start(v) || !validate_exports(v))
        return false;
    for (uint32_t i = m->func_import_count; i < m->func_count; i++) {
        if (!validate_func(v, i)) {
            v->err->func_index = i;
            return false;
        }
    }
    return true;
}

welf_status welf_wasm_validate(welf_wasm *m, welf_error *err)
{
    welf_error_clear(err);
    if (!m)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "no module to validate");
    validator v;
    memset(&v, 0, sizeof v);
    v.m = m;
    v.err = err;
    v.what = "module";
    bool ok = validate_module(&v);
    welf_free(v.vals);
    welf_free(v.ctrls);
    welf_free(v.locals);
    welf_free(v.refs);
    if (!ok)
        return err->code;
    m->validated = true;
    return WELF_OK;
}
