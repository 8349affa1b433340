/*
 * tests/compiler/decode.c — the binary-format decoder (compiler/decode.c,
 * with compiler/instr.c for instructions): preamble, section framing and
 * order (spec 5.5.2), every section decoder (5.5.3 - 5.5.15) and the
 * "name" custom section (7.4.1), and the malformations of spec section 5
 * with the status code and module offset each one reports.
 *
 * Modules are assembled byte by byte below. Every expected offset is
 * worked out by hand from those bytes (see the layout comments); none is
 * copied from the decoder's output.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "wbuf.h"

/* ---- assembling modules ---- */

/*
 * Type 0 = [] -> [], one function of type 0, optionally one memory, and a
 * code section holding `body` (locals vector, instructions, end) as that
 * function's body. Returns the module offset of the body's first byte:
 *   8..13 type section, 14..17 function section,
 *   with mem: 18..22 memory section, code id at 23, body at 27;
 *   without:                         code id at 18, body at 22
 * (for bodies under 126 bytes, whose sizes take one LEB128 byte).
 */
static uint32_t func_module(wbuf *w, bool mem, const char *body, size_t len)
{
    wb_init(w);
    SEC(w, 1, "\x01\x60\x00\x00");
    SEC(w, 3, "\x01\x00");
    if (mem)
        SEC(w, 5, "\x01\x00\x01");
    wbuf code;
    code.n = 0;
    wb_leb(&code, 1);
    wb_leb(&code, (uint32_t)len);
    uint32_t body_in_code = (uint32_t)code.n;
    wb_raw(&code, body, len);
    wb_byte(w, 10);
    wb_leb(w, (uint32_t)code.n);
    uint32_t start = (uint32_t)w->n + body_in_code;
    wb_raw(w, code.b, code.n);
    return start;
}

#define FUNC(w, mem, lit) func_module((w), (mem), (lit), sizeof(lit) - 1)

/* ---- decoding ---- */

static welf_wasm *decode_ok(const wbuf *w, welf_features f)
{
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(w->b, w->n, f, &m, &err);
    cr_assert_eq(st, WELF_OK, "decode failed: code %d at 0x%x: %s", (int)st,
                 err.offset, err.message);
    cr_assert_not_null(m, "decode succeeded without a module");
    return m;
}

static void validate_ok(welf_wasm *m)
{
    welf_error err;
    welf_status st = welf_wasm_validate(m, &err);
    cr_assert_eq(st, WELF_OK, "validation failed: code %d at 0x%x: %s",
                 (int)st, err.offset, err.message);
}

/* Decodes expecting a malformed module: `code` at `offset`. */
static void decode_bad(const wbuf *w, welf_features f, welf_status code,
                       uint32_t offset, const char *what)
{
    welf_wasm *m = (welf_wasm *)&m;   /* must be reset to NULL */
    welf_error err;
    welf_status st = welf_wasm_decode(w->b, w->n, f, &m, &err);
    bool got_module = m != NULL;
    if (st == WELF_OK)
        welf_wasm_free(m);
    cr_assert_eq(st, code, "%s: status %d (\"%s\" at 0x%x), expected %d (%s)",
                 what, (int)st, err.message, err.offset, (int)code,
                 welf_status_name(code));
    cr_assert_eq(err.code, code, "%s: err.code %d differs from the status",
                 what, (int)err.code);
    cr_assert_eq(err.offset, offset, "%s: offset 0x%x, expected 0x%x (%s)",
                 what, err.offset, offset, err.message);
    cr_assert(!got_module, "%s: *out not NULL after a failure", what);
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_MALFORMED,
                 "%s: status %d is not classed malformed", what, (int)st);
    cr_assert_neq(err.message[0], '\0', "%s: no message", what);
}

/* Decodes expecting a malformed module with one of two codes. */
static void decode_bad2(const wbuf *w, welf_features f, welf_status code1,
                        welf_status code2, uint32_t offset, const char *what)
{
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(w->b, w->n, f, &m, &err);
    bool got_module = m != NULL;
    if (st == WELF_OK)
        welf_wasm_free(m);
    cr_assert(st == code1 || st == code2,
              "%s: status %d (\"%s\"), expected %d or %d", what, (int)st,
              err.message, (int)code1, (int)code2);
    cr_assert_eq(err.offset, offset, "%s: offset 0x%x, expected 0x%x", what,
                 err.offset, offset);
    cr_assert(!got_module);
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_MALFORMED);
}

static bool name_is(welf_name n, const char *s)
{
    return n.len == strlen(s) && memcmp(n.bytes, s, n.len) == 0;
}

/* ---- preamble ---- */

Test(decode, bad_magic)
{
    wbuf w;
    w.n = 0;
    RAW(&w, "\x00" "asn" "\x01\x00\x00\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_MAGIC, 0, "\\0asn");
    w.n = 0;
    RAW(&w, "asm" "\x00\x01\x00\x00\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_MAGIC, 0, "asm\\0");
    w.n = 0;
    RAW(&w, "\x00" "ASM" "\x01\x00\x00\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_MAGIC, 0, "upper case");
}

Test(decode, truncated_magic)
{
    wbuf w;
    w.n = 0;
    decode_bad2(&w, WELF_FEATURES_ALL, WELF_ERR_MAGIC, WELF_ERR_UNEXPECTED_END,
                0, "empty input");
    RAW(&w, "\x00" "as");
    decode_bad2(&w, WELF_FEATURES_ALL, WELF_ERR_MAGIC, WELF_ERR_UNEXPECTED_END,
                0, "\\0as");
}

Test(decode, bad_version)
{
    wbuf w;
    w.n = 0;
    RAW(&w, "\x00" "asm" "\x02\x00\x00\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VERSION, 4, "version 2");
    w.n = 0;
    RAW(&w, "\x00" "asm" "\x00\x00\x00\x01");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VERSION, 4, "big-endian 1");
    w.n = 0;
    RAW(&w, "\x00" "asm" "\x0d\x00\x00\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VERSION, 4, "version 13");
}

Test(decode, truncated_version)
{
    wbuf w;
    w.n = 0;
    RAW(&w, "\x00" "asm" "\x01\x00\x00");
    decode_bad2(&w, WELF_FEATURES_ALL, WELF_ERR_VERSION,
                WELF_ERR_UNEXPECTED_END, 4, "3-byte version");
    w.n = 0;
    RAW(&w, "\x00" "asm");
    decode_bad2(&w, WELF_FEATURES_ALL, WELF_ERR_VERSION,
                WELF_ERR_UNEXPECTED_END, 4, "no version");
}

Test(decode, empty_module)
{
    wbuf w;
    wb_init(&w);
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->size_bytes, 8);
    cr_assert_neq(m->bytes, w.b, "the input must be copied");
    cr_assert_eq(memcmp(m->bytes, w.b, 8), 0);
    cr_assert_eq(m->type_count, 0);
    cr_assert_eq(m->import_count, 0);
    cr_assert_eq(m->func_count, 0);
    cr_assert_eq(m->table_count, 0);
    cr_assert_eq(m->memory_count, 0);
    cr_assert_eq(m->global_count, 0);
    cr_assert_eq(m->export_count, 0);
    cr_assert_eq(m->elem_count, 0);
    cr_assert_eq(m->data_seg_count, 0);
    cr_assert_eq(m->custom_count, 0);
    cr_assert(!m->has_start);
    cr_assert(!m->has_data_count);
    cr_assert_eq(m->module_name.len, 0);
    cr_assert_null(m->func_names);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, input_is_copied)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 0, "\x01" "x" "\x2a");   /* custom "x", contents 0x2a at 11 */
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    memset(w.b, 0xee, w.n);
    cr_assert_eq(m->customs[0].bytes[0], 0x2a,
                 "module still points at the caller's bytes");
    cr_assert(name_is(m->customs[0].name, "x"));
    welf_wasm_free(m);
}

/* ---- every section into the module struct ---- */

Test(decode, type_section)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x03"
               "\x60\x00\x00"
               "\x60\x02\x7f\x7e\x01\x7d"
               "\x60\x04\x7c\x7b\x70\x6f\x02\x7f\x7e");
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->type_count, 3);
    cr_assert_eq(m->types[0].param_count, 0);
    cr_assert_eq(m->types[0].result_count, 0);
    cr_assert_eq(m->types[1].param_count, 2);
    cr_assert_eq(m->types[1].params[0], WELF_VT_I32);
    cr_assert_eq(m->types[1].params[1], WELF_VT_I64);
    cr_assert_eq(m->types[1].result_count, 1);
    cr_assert_eq(m->types[1].results[0], WELF_VT_F32);
    static const welf_valtype p2[] = {WELF_VT_F64, WELF_VT_V128,
                                      WELF_VT_FUNCREF, WELF_VT_EXTERNREF};
    cr_assert_eq(m->types[2].param_count, 4);
    cr_assert_arr_eq(m->types[2].params, p2, 4);
    cr_assert_eq(m->types[2].result_count, 2);
    cr_assert_eq(m->types[2].results[0], WELF_VT_I32);
    cr_assert_eq(m->types[2].results[1], WELF_VT_I64);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, imports_of_all_kinds)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");                 /* 8..13 */
    /* import section: id 14, size 15, count 16, entries from 17 */
    SEC(&w, 2, "\x06"
               "\x01" "m" "\x02" "f0" "\x00\x00"           /* 17: func 0 */
               "\x01" "m" "\x02" "g0" "\x03\x7f\x01"       /* 24: mut i32 */
               "\x01" "m" "\x02" "t0" "\x01\x70\x01\x01\x02" /* 32: table */
               "\x01" "m" "\x03" "mem" "\x02\x00\x01"      /* 42: memory */
               "\x01" "m" "\x02" "f1" "\x00\x00"           /* 51: func 0 */
               "\x01" "m" "\x02" "g1" "\x03\x7c\x00");     /* 58: f64 */
    SEC(&w, 3, "\x01\x00");                         /* 66..69 */
    SEC(&w, 10, "\x01\x02\x00\x0b");                /* 70..75 */
    cr_assert_eq(w.n, 76, "layout changed: %zu bytes", w.n);
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);

    cr_assert_eq(m->import_count, 6);
    static const uint32_t offs[] = {17, 24, 32, 42, 51, 58};
    static const welf_externkind kinds[] = {
        WELF_EXTERN_FUNC, WELF_EXTERN_GLOBAL, WELF_EXTERN_TABLE,
        WELF_EXTERN_MEMORY, WELF_EXTERN_FUNC, WELF_EXTERN_GLOBAL};
    static const uint32_t index[] = {0, 0, 0, 0, 1, 1};
    static const char *const fields[] = {"f0", "g0", "t0", "mem", "f1", "g1"};
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(m->imports[i].offset, offs[i], "import %d offset %u",
                     i, m->imports[i].offset);
        cr_assert_eq(m->imports[i].kind, kinds[i], "import %d kind", i);
        cr_assert_eq(m->imports[i].index, index[i], "import %d index %u", i,
                     m->imports[i].index);
        cr_assert(name_is(m->imports[i].module, "m"), "import %d module", i);
        cr_assert(name_is(m->imports[i].field, fields[i]), "import %d field",
                  i);
    }

    /* functions: two imports, then the definition */
    cr_assert_eq(m->func_import_count, 2);
    cr_assert_eq(m->func_count, 3);
    cr_assert_eq(m->funcs[0].import_index, 0);
    cr_assert_eq(m->funcs[1].import_index, 4);
    cr_assert_eq(m->funcs[2].import_index, WELF_NO_INDEX);
    cr_assert_eq(m->funcs[0].type_index, 0);
    cr_assert_eq(m->funcs[2].body_offset, 73);
    cr_assert_eq(m->funcs[2].code_offset, 75);
    cr_assert_eq(m->funcs[2].code_end, 76);
    cr_assert_eq(m->funcs[2].local_count, 0);

    cr_assert_eq(m->table_count, 1);
    cr_assert_eq(m->table_import_count, 1);
    cr_assert_eq(m->tables[0].import_index, 2);
    cr_assert_eq(m->tables[0].offset, 32);
    cr_assert_eq(m->tables[0].type.elem, WELF_VT_FUNCREF);
    cr_assert_eq(m->tables[0].type.limits.min, 1);
    cr_assert(m->tables[0].type.limits.has_max);
    cr_assert_eq(m->tables[0].type.limits.max, 2);

    cr_assert_eq(m->memory_count, 1);
    cr_assert_eq(m->memory_import_count, 1);
    cr_assert_eq(m->memories[0].import_index, 3);
    cr_assert_eq(m->memories[0].offset, 42);
    cr_assert_eq(m->memories[0].type.limits.min, 1);
    cr_assert(!m->memories[0].type.limits.has_max);

    cr_assert_eq(m->global_count, 2);
    cr_assert_eq(m->global_import_count, 2);
    cr_assert_eq(m->globals[0].import_index, 1);
    cr_assert_eq(m->globals[0].offset, 24);
    cr_assert_eq(m->globals[0].type.type, WELF_VT_I32);
    cr_assert(m->globals[0].type.is_mutable);
    cr_assert_eq(m->globals[1].import_index, 5);
    cr_assert_eq(m->globals[1].offset, 58);
    cr_assert_eq(m->globals[1].type.type, WELF_VT_F64);
    cr_assert(!m->globals[1].type.is_mutable);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, function_and_code_sections)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x02" "\x60\x00\x00" "\x60\x01\x7f\x01\x7f"); /* 8..18 */
    SEC(&w, 3, "\x03\x01\x00\x01");                         /* 19..24 */
    /* code: id 25, size 26, count 27;
     * body 0: size 28, locals 29, local.get 0 at 30, end 32
     * body 1: size 33, locals 34, end 35
     * body 2: size 36, 2 groups at 37 (2 x i64, 1 x f32), code at 42 */
    SEC(&w, 10, "\x03"
                "\x04\x00\x20\x00\x0b"
                "\x02\x00\x0b"
                "\x08\x02\x02\x7e\x01\x7d\x20\x00\x0b");
    cr_assert_eq(w.n, 45);
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->func_count, 3);
    cr_assert_eq(m->func_import_count, 0);
    static const uint32_t types[] = {1, 0, 1};
    static const uint32_t body[] = {28, 33, 36};
    static const uint32_t code[] = {30, 35, 42};
    static const uint32_t end[] = {33, 36, 45};
    static const uint32_t locals[] = {0, 0, 3};
    for (int i = 0; i < 3; i++) {
        const welf_func *f = &m->funcs[i];
        cr_assert_eq(f->type_index, types[i], "func %d type %u", i,
                     f->type_index);
        cr_assert_eq(f->import_index, WELF_NO_INDEX);
        cr_assert_eq(f->body_offset, body[i], "func %d body at %u", i,
                     f->body_offset);
        cr_assert_eq(f->code_offset, code[i], "func %d code at %u", i,
                     f->code_offset);
        cr_assert_eq(f->code_end, end[i], "func %d end at %u", i,
                     f->code_end);
        cr_assert_eq(f->local_count, locals[i], "func %d locals %u", i,
                     f->local_count);
    }
    cr_assert_eq(m->funcs[2].local_group_count, 2);
    cr_assert_eq(m->funcs[2].local_groups[0].count, 2);
    cr_assert_eq(m->funcs[2].local_groups[0].type, WELF_VT_I64);
    cr_assert_eq(m->funcs[2].local_groups[1].count, 1);
    cr_assert_eq(m->funcs[2].local_groups[1].type, WELF_VT_F32);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, tables_and_memories)
{
    wbuf w;
    wb_init(&w);
    /* 8 id, 9 size, 10 count, table 0 at 11, table 1 at 14 */
    SEC(&w, 4, "\x02" "\x70\x00\x05" "\x6f\x01\x00\x0a");
    /* 18 id, 19 size, 20 count, memory 0 at 21 */
    SEC(&w, 5, "\x01" "\x01\x02\x03");
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->table_count, 2);
    cr_assert_eq(m->table_import_count, 0);
    cr_assert_eq(m->tables[0].offset, 11);
    cr_assert_eq(m->tables[0].import_index, WELF_NO_INDEX);
    cr_assert_eq(m->tables[0].type.elem, WELF_VT_FUNCREF);
    cr_assert_eq(m->tables[0].type.limits.min, 5);
    cr_assert(!m->tables[0].type.limits.has_max);
    cr_assert_eq(m->tables[1].offset, 14);
    cr_assert_eq(m->tables[1].type.elem, WELF_VT_EXTERNREF);
    cr_assert_eq(m->tables[1].type.limits.min, 0);
    cr_assert(m->tables[1].type.limits.has_max);
    cr_assert_eq(m->tables[1].type.limits.max, 10);
    cr_assert_eq(m->memory_count, 1);
    cr_assert_eq(m->memories[0].offset, 21);
    cr_assert_eq(m->memories[0].import_index, WELF_NO_INDEX);
    cr_assert_eq(m->memories[0].type.limits.min, 2);
    cr_assert(m->memories[0].type.limits.has_max);
    cr_assert_eq(m->memories[0].type.limits.max, 3);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, globals)
{
    wbuf w;
    wb_init(&w);
    /* 8 id, 9 size, 10 count; global 0 type at 11, init at 13 (3 bytes);
     * global 1 type at 16, init at 18 (3 bytes); global 2 at 21, init 23 */
    SEC(&w, 6, "\x03"
               "\x7f\x00\x41\x2a\x0b"
               "\x7e\x01\x42\x7f\x0b"
               "\x70\x00\xd0\x70\x0b");
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->global_count, 3);
    cr_assert_eq(m->global_import_count, 0);
    static const uint32_t offs[] = {11, 16, 21};
    static const welf_valtype ts[] = {WELF_VT_I32, WELF_VT_I64,
                                      WELF_VT_FUNCREF};
    static const bool mut[] = {false, true, false};
    for (int i = 0; i < 3; i++) {
        const welf_global *g = &m->globals[i];
        cr_assert_eq(g->offset, offs[i], "global %d offset %u", i,
                     g->offset);
        cr_assert_eq(g->type.type, ts[i], "global %d type", i);
        cr_assert_eq(g->type.is_mutable, mut[i], "global %d mutability", i);
        cr_assert_eq(g->import_index, WELF_NO_INDEX);
        cr_assert_eq(g->init.offset, offs[i] + 2, "global %d init at %u", i,
                     g->init.offset);
        cr_assert_eq(g->init.size_bytes, 3, "global %d init size %u "
                     "(the final end included)", i, g->init.size_bytes);
    }
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, exports_and_start)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");             /* 8..13 */
    SEC(&w, 3, "\x01\x00");                     /* 14..17 */
    SEC(&w, 4, "\x01\x70\x00\x01");             /* 18..23 */
    SEC(&w, 5, "\x01\x00\x01");                 /* 24..28 */
    SEC(&w, 6, "\x01\x7f\x00\x41\x00\x0b");     /* 29..36 */
    /* 37 id, 38 size, 39 count; exports at 40, 44, 50, 54 */
    SEC(&w, 7, "\x04"
               "\x01" "f" "\x00\x00"
               "\x03" "mem" "\x02\x00"
               "\x01" "g" "\x03\x00"
               "\x00" "\x01\x00");
    SEC(&w, 8, "\x00");                         /* 57 id, 58 size, 59 */
    SEC(&w, 10, "\x01\x02\x00\x0b");            /* 60..65 */
    cr_assert_eq(w.n, 66);
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->export_count, 4);
    static const char *const names[] = {"f", "mem", "g", ""};
    static const welf_externkind kinds[] = {
        WELF_EXTERN_FUNC, WELF_EXTERN_MEMORY, WELF_EXTERN_GLOBAL,
        WELF_EXTERN_TABLE};
    static const uint32_t offs[] = {40, 44, 50, 54};
    for (int i = 0; i < 4; i++) {
        cr_assert(name_is(m->exports[i].name, names[i]), "export %d name",
                  i);
        cr_assert_eq(m->exports[i].kind, kinds[i], "export %d kind", i);
        cr_assert_eq(m->exports[i].index, 0, "export %d index", i);
        cr_assert_eq(m->exports[i].offset, offs[i], "export %d offset %u", i,
                     m->exports[i].offset);
    }
    cr_assert(m->has_start);
    cr_assert_eq(m->start_func, 0);
    cr_assert_eq(m->start_offset, 59);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, element_segments_all_eight_forms)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");                     /* 8..13 */
    SEC(&w, 3, "\x01\x00");                             /* 14..17 */
    SEC(&w, 4, "\x02\x70\x00\x01\x70\x00\x01");         /* 18..26 */
    /* 27 id, 28 size, 29 count; segments at 30 36 40 48 52 60 69 79 */
    SEC(&w, 9, "\x08"
               "\x00" "\x41\x00\x0b" "\x01\x00"              /* 30 */
               "\x01" "\x00" "\x01\x00"                      /* 36 */
               "\x02" "\x01" "\x41\x01\x0b" "\x00" "\x01\x00" /* 40 */
               "\x03" "\x00" "\x01\x00"                      /* 48 */
               "\x04" "\x41\x00\x0b" "\x01" "\xd2\x00\x0b"   /* 52 */
               "\x05" "\x70" "\x02" "\xd2\x00\x0b" "\xd0\x70\x0b" /* 60 */
               "\x06" "\x01" "\x41\x00\x0b" "\x70" "\x01" "\xd2\x00\x0b"
                                                             /* 69 */
               "\x07" "\x6f" "\x01" "\xd0\x6f\x0b");         /* 79 */
    SEC(&w, 10, "\x01\x02\x00\x0b");                    /* 85..90 */
    cr_assert_eq(w.n, 91);
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->elem_count, 8);

    static const welf_segmode modes[] = {
        WELF_SEG_ACTIVE, WELF_SEG_PASSIVE, WELF_SEG_ACTIVE,
        WELF_SEG_DECLARATIVE, WELF_SEG_ACTIVE, WELF_SEG_PASSIVE,
        WELF_SEG_ACTIVE, WELF_SEG_DECLARATIVE};
    static const uint32_t offs[] = {30, 36, 40, 48, 52, 60, 69, 79};
    static const uint32_t counts[] = {1, 1, 1, 1, 1, 2, 1, 1};
    for (int i = 0; i < 8; i++) {
        const welf_elem *e = &m->elems[i];
        cr_assert_eq(e->mode, modes[i], "segment %d (flags %d) mode %d", i,
                     i, (int)e->mode);
        cr_assert_eq(e->offset, offs[i], "segment %d offset %u", i,
                     e->offset);
        cr_assert_eq(e->type, i == 7 ? WELF_VT_EXTERNREF : WELF_VT_FUNCREF,
                     "segment %d type 0x%02x", i, e->type);
        cr_assert_eq(e->count, counts[i], "segment %d count %u", i,
                     e->count);
        if (i < 4) {
            cr_assert_not_null(e->func_indices, "segment %d indices", i);
            cr_assert_null(e->exprs, "segment %d has exprs", i);
            cr_assert_eq(e->func_indices[0], 0);
        } else {
            cr_assert_null(e->func_indices, "segment %d has indices", i);
            cr_assert_not_null(e->exprs, "segment %d exprs", i);
        }
    }
    /* active segments: table index and offset expression */
    cr_assert_eq(m->elems[0].table_index, 0);
    cr_assert_eq(m->elems[0].offset_expr.offset, 31);
    cr_assert_eq(m->elems[0].offset_expr.size_bytes, 3);
    cr_assert_eq(m->elems[2].table_index, 1);
    cr_assert_eq(m->elems[2].offset_expr.offset, 42);
    cr_assert_eq(m->elems[2].offset_expr.size_bytes, 3);
    cr_assert_eq(m->elems[4].table_index, 0);
    cr_assert_eq(m->elems[4].offset_expr.offset, 53);
    cr_assert_eq(m->elems[6].table_index, 1);
    cr_assert_eq(m->elems[6].offset_expr.offset, 71);
    /* element expressions */
    cr_assert_eq(m->elems[4].exprs[0].offset, 57);
    cr_assert_eq(m->elems[4].exprs[0].size_bytes, 3);
    cr_assert_eq(m->elems[5].exprs[0].offset, 63);
    cr_assert_eq(m->elems[5].exprs[1].offset, 66);
    cr_assert_eq(m->elems[5].exprs[1].size_bytes, 3);
    cr_assert_eq(m->elems[6].exprs[0].offset, 76);
    cr_assert_eq(m->elems[7].exprs[0].offset, 82);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, data_segments_and_data_count)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 5, "\x02\x00\x01\x00\x01");     /* 8..14: two memories */
    SEC(&w, 12, "\x03");                    /* 15..17 */
    /* 18 id, 19 size, 20 count;
     * seg 0 at 21: flags, expr 22..24, len 25, "hi" at 26
     * seg 1 at 28: flags, len 29, "abc" at 30
     * seg 2 at 33: flags, memory 34, expr 35..37, len 38, "z" at 39 */
    SEC(&w, 11, "\x03"
                "\x00" "\x41\x00\x0b" "\x02" "hi"
                "\x01" "\x03" "abc"
                "\x02" "\x01" "\x41\x08\x0b" "\x01" "z");
    cr_assert_eq(w.n, 40);
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert(m->has_data_count);
    cr_assert_eq(m->data_count, 3);
    cr_assert_eq(m->data_seg_count, 3);
    const welf_data *d = m->datas;
    cr_assert_eq(d[0].mode, WELF_SEG_ACTIVE);
    cr_assert_eq(d[0].offset, 21);
    cr_assert_eq(d[0].memory_index, 0);
    cr_assert_eq(d[0].offset_expr.offset, 22);
    cr_assert_eq(d[0].offset_expr.size_bytes, 3);
    cr_assert_eq(d[0].size_bytes, 2);
    cr_assert_eq(d[0].bytes, m->bytes + 26, "segment 0 bytes not in place");
    cr_assert_eq(memcmp(d[0].bytes, "hi", 2), 0);
    cr_assert_eq(d[1].mode, WELF_SEG_PASSIVE);
    cr_assert_eq(d[1].offset, 28);
    cr_assert_eq(d[1].size_bytes, 3);
    cr_assert_eq(d[1].bytes, m->bytes + 30);
    cr_assert_eq(d[2].mode, WELF_SEG_ACTIVE);
    cr_assert_eq(d[2].offset, 33);
    cr_assert_eq(d[2].memory_index, 1);
    cr_assert_eq(d[2].offset_expr.offset, 35);
    cr_assert_eq(d[2].size_bytes, 1);
    cr_assert_eq(d[2].bytes, m->bytes + 39);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, custom_sections_kept)
{
    wbuf w;
    wb_init(&w);
    /* 8 id, 9 size, 10 name length, "abc" 11..13, contents 14..16 */
    SEC(&w, 0, "\x03" "abc" "\x01\x02\x03");
    SEC(&w, 1, "\x00");                     /* 17..19 */
    /* 20 id, 21 size, 22 length, 'x' 23, empty contents at 24 */
    SEC(&w, 0, "\x01" "x");
    for (int i = 0; i < 5; i++) {           /* five more: "0".."4" */
        char c[3] = {1, (char)('0' + i), (char)i};
        wb_section(&w, 0, c, 3);
    }
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->custom_count, 7);
    cr_assert(name_is(m->customs[0].name, "abc"));
    cr_assert_eq(m->customs[0].offset, 14);
    cr_assert_eq(m->customs[0].size_bytes, 3);
    cr_assert_eq(m->customs[0].bytes, m->bytes + 14);
    cr_assert_eq(memcmp(m->customs[0].bytes, "\x01\x02\x03", 3), 0);
    cr_assert(name_is(m->customs[1].name, "x"));
    cr_assert_eq(m->customs[1].offset, 24);
    cr_assert_eq(m->customs[1].size_bytes, 0);
    for (int i = 0; i < 5; i++) {
        char nm[2] = {(char)('0' + i), 0};
        cr_assert(name_is(m->customs[2 + i].name, nm), "custom %d name",
                  2 + i);
        cr_assert_eq(m->customs[2 + i].size_bytes, 1);
        cr_assert_eq(m->customs[2 + i].bytes[0], i, "custom %d contents",
                     2 + i);
    }
    cr_assert_eq(m->type_count, 0);
    welf_wasm_free(m);
}

/* ---- the name section ---- */

/* One imported and two defined functions, then `name` as a custom
 * section "name". */
static welf_wasm *with_names(const char *name, size_t len)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 2, "\x01" "\x01" "m" "\x01" "f" "\x00\x00");
    SEC(&w, 3, "\x02\x00\x00");
    SEC(&w, 10, "\x02" "\x02\x00\x0b" "\x02\x00\x0b");
    wbuf c;
    c.n = 0;
    RAW(&c, "\x04" "name");
    wb_raw(&c, name, len);
    wb_section(&w, 0, c.b, c.n);
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->func_count, 3);
    cr_assert_eq(m->custom_count, 1, "the name section must be kept as a "
                 "custom section");
    validate_ok(m);
    return m;
}

#define WITH_NAMES(lit) with_names((lit), sizeof(lit) - 1)

Test(decode, name_section)
{
    welf_wasm *m = WITH_NAMES(
        "\x00\x04" "\x03" "mod"                              /* module */
        "\x01\x0c" "\x02" "\x00\x04" "zero" "\x02\x03" "two" /* functions */
        "\x02\x00");                                         /* locals */
    cr_assert(name_is(m->module_name, "mod"), "module name");
    cr_assert_not_null(m->func_names);
    cr_assert(name_is(m->func_names[0], "zero"), "function 0 name");
    cr_assert_eq(m->func_names[1].len, 0, "function 1 has no name");
    cr_assert(name_is(m->func_names[2], "two"), "function 2 name");
    welf_wasm_free(m);
}

Test(decode, name_section_function_names_only)
{
    welf_wasm *m = WITH_NAMES("\x01\x05" "\x01" "\x01\x02" "f1");
    cr_assert_eq(m->module_name.len, 0);
    cr_assert_not_null(m->func_names);
    cr_assert(name_is(m->func_names[1], "f1"));
    welf_wasm_free(m);
}

static void names_ignored(welf_wasm *m, const char *why)
{
    cr_assert_eq(m->module_name.len, 0, "%s: module name kept", why);
    cr_assert_null(m->func_names, "%s: function names kept", why);
    welf_wasm_free(m);
}

Test(decode, malformed_name_section_is_ignored)
{
    names_ignored(WITH_NAMES("\x00\x04" "\x03" "mod"
                             "\x01\x0c" "\x02" "\x02\x03" "two"
                             "\x00\x04" "zero"),
                  "function names out of order");
    names_ignored(WITH_NAMES("\x00\x04" "\x03" "mod"
                             "\x01\x0c" "\x02" "\x00\x04" "zero"
                             "\x00\x03" "two"),
                  "duplicate function index");
    names_ignored(WITH_NAMES("\x00\x04" "\x03" "mod"
                             "\x01\x05" "\x01" "\x03\x02" "f3"),
                  "function index out of range");
    names_ignored(WITH_NAMES("\x00\x09" "\x03" "mod"), "subsection size "
                  "past the end");
    names_ignored(WITH_NAMES("\x00\x04" "\x03" "\xc0\x80" "a"),
                  "bad UTF-8 in the module name");
    names_ignored(WITH_NAMES("\x01\x05" "\x01" "\x01\x02" "f1"
                             "\x00\x04" "\x03" "mod"),
                  "subsections out of order");
    names_ignored(WITH_NAMES("\x00\x05" "\x03" "mod" "\x00"),
                  "bytes left in a subsection");
    names_ignored(WITH_NAMES("\x00\x04" "\x03" "mod" "\x01"),
                  "truncated subsection header");
    names_ignored(WITH_NAMES("\x01\x06" "\xff\xff\xff\xff\x0f" "\x00"),
                  "hostile name count");
}

/* ---- section framing and order ---- */

Test(decode, section_out_of_order)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 3, "\x00");             /* function at 8 */
    SEC(&w, 1, "\x00");             /* type at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ORDER, 11,
               "type after function");

    wb_init(&w);
    SEC(&w, 10, "\x00");            /* code at 8 */
    SEC(&w, 12, "\x00");            /* data count at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ORDER, 11,
               "data count after code");

    wb_init(&w);
    SEC(&w, 12, "\x00");            /* data count at 8 */
    SEC(&w, 9, "\x00");             /* element at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ORDER, 11,
               "element after data count");

    wb_init(&w);
    SEC(&w, 11, "\x00");            /* data at 8 */
    SEC(&w, 10, "\x00");            /* code at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ORDER, 11,
               "code after data");
}

Test(decode, section_repeated)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x00");             /* 8..10 */
    SEC(&w, 1, "\x00");             /* 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ORDER, 11,
               "two type sections");

    wb_init(&w);
    SEC(&w, 1, "\x00");             /* 8..10 */
    SEC(&w, 0, "\x01" "a");         /* 11..14: custom, anywhere */
    SEC(&w, 1, "\x00");             /* 15 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ORDER, 15,
               "type, custom, type");

    wb_init(&w);
    SEC(&w, 12, "\x00");            /* 8..10 */
    SEC(&w, 12, "\x00");            /* 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ORDER, 11,
               "two data count sections");
}

Test(decode, section_order_accepted)
{
    /* Every known section once, in the spec's order, data count between
     * element and code, custom sections in between. */
    wbuf w;
    wb_init(&w);
    SEC(&w, 0, "\x01" "a");
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 2, "\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 4, "\x00");
    SEC(&w, 5, "\x00");
    SEC(&w, 6, "\x00");
    SEC(&w, 0, "\x01" "b");
    SEC(&w, 7, "\x00");
    SEC(&w, 8, "\x00");
    SEC(&w, 9, "\x00");
    SEC(&w, 12, "\x00");
    SEC(&w, 10, "\x01\x02\x00\x0b");
    SEC(&w, 11, "\x00");
    SEC(&w, 0, "\x01" "c");
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->custom_count, 3);
    welf_wasm_free(m);
}

Test(decode, unknown_section_id)
{
    wbuf w;
    wb_init(&w);
    RAW(&w, "\x0d\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ID, 8, "id 13");
    wb_init(&w);
    SEC(&w, 1, "\x00");             /* 8..10 */
    RAW(&w, "\xff\x00");            /* 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ID, 11, "id 255");
    wb_init(&w);
    RAW(&w, "\x80\x00\x01\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_ID, 8,
               "id 0x80 is a byte, not a LEB128");
}

Test(decode, section_past_end)
{
    wbuf w;
    wb_init(&w);
    RAW(&w, "\x01\x05\x00");        /* 5 bytes announced, 1 present */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 8,
               "section size past the end");
    wb_init(&w);
    RAW(&w, "\x01");                /* no size at all */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 9,
               "section without a size");
    wb_init(&w);
    RAW(&w, "\x01\x80\x80\x80\x80\x80\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_LEB_LENGTH, 9,
               "section size of 6 bytes");
}

Test(decode, section_size_mismatch)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x00\x00");         /* count 0 at 10, one byte left at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_SIZE, 11,
               "type section with a spare byte");
    wb_init(&w);
    SEC(&w, 5, "\x01\x00\x01\x00"); /* memory at 11..12, spare at 13 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_SIZE, 13,
               "memory section with a spare byte");
    wb_init(&w);
    SEC(&w, 0, "\x01" "a");          /* 8..11 */
    SEC(&w, 8, "\x00\x00");         /* 12 id, 13 size, 14 index, 15 spare */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_SECTION_SIZE, 15,
               "start section with a spare byte");
}

Test(decode, section_contents_end_early)
{
    /* The type's result count would be at 13, the section ends there;
     * the next section's bytes must not be read in its place. */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00");     /* 8 id, 9 size, 10..12 */
    SEC(&w, 3, "\x00");             /* 13.. */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 13,
               "type cut short by its section");
    wb_init(&w);
    SEC(&w, 4, "\x01");             /* 1 table declared, 0 given */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 10,
               "1 table declared, none given");
}

/* ---- counts that must agree ---- */

Test(decode, function_code_count_mismatch)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");         /* 8..13 */
    SEC(&w, 3, "\x02\x00\x00");             /* 14..18 */
    SEC(&w, 10, "\x01\x02\x00\x0b");        /* 19 id, 20 size, 21 count */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_COUNT_MISMATCH, 21,
               "2 functions, 1 body");

    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");         /* 8..13 */
    SEC(&w, 3, "\x01\x00");                 /* 14..17, module ends at 18 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_COUNT_MISMATCH, 18,
               "1 function, no code section");

    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");         /* 8..13 */
    SEC(&w, 10, "\x01\x02\x00\x0b");        /* 14 id, 15 size, 16 count */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_COUNT_MISMATCH, 16,
               "no function section, 1 body");
}

Test(decode, empty_function_and_code_sections)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 3, "\x00");
    SEC(&w, 10, "\x00");
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->func_count, 0);
    welf_wasm_free(m);
}

Test(decode, data_count_mismatch)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 5, "\x01\x00\x01");             /* 8..12 */
    SEC(&w, 12, "\x02");                    /* 13..15 */
    SEC(&w, 11, "\x01\x01\x00");            /* 16 id, 17 size, 18 count */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_COUNT_MISMATCH, 18,
               "data count 2, 1 segment");

    wb_init(&w);
    SEC(&w, 12, "\x01");                    /* 8..10, module ends at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_COUNT_MISMATCH, 11,
               "data count 1, no data section");

    wb_init(&w);
    SEC(&w, 12, "\x00");                    /* data count 0, no data */
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert(m->has_data_count);
    cr_assert_eq(m->data_count, 0);
    welf_wasm_free(m);
}

Test(decode, memory_init_requires_data_count)
{
    wbuf w;
    /* body at 27: locals, 3 x i32.const 0 (28, 30, 32), memory.init at 34 */
    uint32_t b = FUNC(&w, true, "\x00\x41\x00\x41\x00\x41\x00"
                                "\xfc\x08\x00\x00\x0b");
    cr_assert_eq(b, 27);
    SEC(&w, 11, "\x01\x01\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_DATA_COUNT_REQUIRED, 34,
               "memory.init without data count");

    b = FUNC(&w, true, "\x00\xfc\x09\x00\x0b");     /* data.drop at 28 */
    SEC(&w, 11, "\x01\x01\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_DATA_COUNT_REQUIRED, 28,
               "data.drop without data count");
}

Test(decode, memory_init_with_data_count)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 5, "\x01\x00\x01");
    SEC(&w, 12, "\x01");
    SEC(&w, 10, "\x01\x0f\x00\x41\x00\x41\x00\x41\x00"
                "\xfc\x08\x00\x00\xfc\x09\x00\x0b");
    SEC(&w, 11, "\x01\x01\x00");
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, data_count_rule_is_only_for_code)
{
    /* Spec 5.5.16: the data count section is required when data indices
     * occur in the code section. A data.drop in a global's initialiser is
     * well formed (it is merely not constant: invalid, not malformed), all
     * the more since this module does have a data count section. Layout:
     * global section 8 id, 9 size, 10 count, 11 type, 12 mut, data.drop at
     * 13, i32.const at 16, end at 18; data count 19..21; data 22..26. */
    wbuf w;
    wb_init(&w);
    SEC(&w, 6, "\x01\x7f\x00\xfc\x09\x00\x41\x00\x0b");
    SEC(&w, 12, "\x01");
    SEC(&w, 11, "\x01\x01\x00");
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(w.b, w.n, WELF_FEATURES_ALL, &m,
                                        &err);
    cr_assert_eq(st, WELF_OK, "well-formed module rejected: code %d at 0x%x: "
                 "%s", (int)st, err.offset, err.message);
    st = welf_wasm_validate(m, &err);
    welf_wasm_free(m);
    cr_assert_eq(st, WELF_ERR_CONST_EXPR, "code %d: %s", (int)st,
                 err.message);
    cr_assert_eq(err.offset, 13);
}

/* ---- instructions ---- */

static void bad_body(const char *body, size_t len, welf_features f,
                     welf_status code, uint32_t offset_in_body,
                     const char *what)
{
    wbuf w;
    uint32_t b = func_module(&w, true, body, len);
    cr_assert_eq(b, 27);
    decode_bad(&w, f, code, b + offset_in_body, what);
}

#define BAD_BODY(lit, f, code, off, what) \
    bad_body((lit), sizeof(lit) - 1, (f), (code), (off), (what))

Test(decode, illegal_opcodes)
{
    BAD_BODY("\x00\x06\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE, 1, "0x06");
    BAD_BODY("\x00\x27\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE, 1, "0x27");
    BAD_BODY("\x00\xc5\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE, 1, "0xc5");
    BAD_BODY("\x00\xff\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE, 1, "0xff");
    BAD_BODY("\x00\x41\x00\xfb\x00\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE,
             3, "0xfb prefix");
}

Test(decode, illegal_prefixed_opcodes)
{
    BAD_BODY("\x00\xfc\x12\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE, 1,
             "0xfc 18");
    BAD_BODY("\x00\xfc\x80\x02\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE, 1,
             "0xfc 256");
    BAD_BODY("\x00\xfc\xff\xff\xff\xff\x0f\x0b", WELF_FEATURES_ALL,
             WELF_ERR_OPCODE, 1, "0xfc 0xffffffff");
    BAD_BODY("\x00\xfd\xa2\x01\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE, 1,
             "0xfd 162");
    BAD_BODY("\x00\xfd\x80\x02\x0b", WELF_FEATURES_ALL, WELF_ERR_OPCODE, 1,
             "0xfd 256");
}

Test(decode, prefixed_opcode_is_leb128)
{
    /* i32.trunc_sat_f32_s is 0xfc 0, here as a padded LEB128 "80 00". */
    wbuf w;
    FUNC(&w, true, "\x00\x43\x00\x00\x00\x00\xfc\x80\x00\x1a\x0b");
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, return_call_needs_tail_call)
{
    welf_features no_tail = WELF_FEATURES_ALL & ~WELF_FEATURE_TAIL_CALL;
    BAD_BODY("\x00\x12\x00\x0b", no_tail, WELF_ERR_OPCODE, 1, "return_call");
    BAD_BODY("\x00\x41\x00\x13\x00\x00\x0b", no_tail, WELF_ERR_OPCODE, 3,
             "return_call_indirect");
    wbuf w;
    FUNC(&w, true, "\x00\x12\x00\x0b");
    welf_wasm *m = decode_ok(&w, WELF_FEATURE_TAIL_CALL);
    validate_ok(m);
    welf_wasm_free(m);
}

Test(decode, else_without_if)
{
    wbuf w;
    uint32_t b = FUNC(&w, true, "\x00\x05\x0b");
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(w.b, w.n, WELF_FEATURES_ALL, &m,
                                        &err);
    welf_wasm_free(m);
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_MALFORMED,
                 "else outside if: status %d", (int)st);
    cr_assert_eq(err.offset, b + 1);

    b = FUNC(&w, true, "\x00\x02\x40\x05\x0b\x0b");      /* block ... else */
    st = welf_wasm_decode(w.b, w.n, WELF_FEATURES_ALL, &m, &err);
    welf_wasm_free(m);
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_MALFORMED,
                 "else in a block: status %d", (int)st);
    cr_assert_eq(err.offset, b + 3);

    b = FUNC(&w, true, "\x00\x41\x00\x04\x40\x05\x05\x0b\x0b"); /* 2 else */
    st = welf_wasm_decode(w.b, w.n, WELF_FEATURES_ALL, &m, &err);
    welf_wasm_free(m);
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_MALFORMED,
                 "second else: status %d", (int)st);
    cr_assert_eq(err.offset, b + 6);
}

Test(decode, memory_index_zero_byte)
{
    /* body at 27: locals, memory.size at 28, reserved byte at 29 */
    BAD_BODY("\x00\x3f\x01\x1a\x0b", WELF_FEATURES_WASM2, WELF_ERR_ZERO_BYTE,
             2, "memory.size 1");
    BAD_BODY("\x00\x3f\x80\x00\x1a\x0b", WELF_FEATURES_WASM2,
             WELF_ERR_ZERO_BYTE, 2, "memory.size as a padded LEB128");
    BAD_BODY("\x00\x41\x00\x40\x01\x1a\x0b", WELF_FEATURES_WASM2,
             WELF_ERR_ZERO_BYTE, 4, "memory.grow 1");
    BAD_BODY("\x00\x41\x00\x41\x00\x41\x00\xfc\x0b\x01\x0b",
             WELF_FEATURES_WASM2, WELF_ERR_ZERO_BYTE, 9, "memory.fill 1");
    BAD_BODY("\x00\x41\x00\x41\x00\x41\x00\xfc\x0a\x00\x01\x0b",
             WELF_FEATURES_WASM2, WELF_ERR_ZERO_BYTE, 10, "memory.copy 0 1");
}

Test(decode, memory_index_with_multi_memory)
{
    /* 8..13 type, 14..17 function, 18..24 two memories, code id at 25,
     * size 26, count 27, body size 28, body at 29 */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 5, "\x02\x00\x01\x00\x01");
    SEC(&w, 10, "\x01\x05\x00\x3f\x01\x1a\x0b");
    welf_wasm *m = decode_ok(&w, WELF_FEATURE_MULTI_MEMORY);
    cr_assert_eq(m->memory_count, 2);
    validate_ok(m);
    welf_wasm_free(m);
    decode_bad(&w, WELF_FEATURES_WASM2, WELF_ERR_ZERO_BYTE, 31,
               "the same module without multi-memory");
}

Test(decode, multi_memory_memarg_flag_range)
{
    /* With multi-memory a memarg's flags field is below 2^6 (no memory
     * index) or in [2^6, 2^7) (memory index follows); 2^7 and up match
     * neither production: malformed. i32.load at 30, flags 0x80 at 31. */
    wbuf w;
    uint32_t b = FUNC(&w, true, "\x00\x41\x00\x28\x80\x01\x00\x1a\x0b");
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(w.b, w.n, WELF_FEATURE_MULTI_MEMORY,
                                        &m, &err);
    welf_wasm_free(m);
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_MALFORMED,
                 "memarg flags 0x80 with multi-memory: status %d (%s)",
                 (int)st, err.message);
    cr_assert(err.offset == b + 3 || err.offset == b + 4, "offset %u",
              err.offset);
}

/* ---- flags, kinds and types ---- */

Test(decode, bad_limits_flags)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 5, "\x01\x02\x00");             /* flags at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 11, "memory flags 2");
    wb_init(&w);
    SEC(&w, 4, "\x01\x70\x03\x00\x00");     /* flags at 12 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 12, "table flags 3");
    wb_init(&w);
    /* import at 11: "", "", kind 2 at 13, flags at 14 */
    SEC(&w, 2, "\x01\x00\x00\x02\x81\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 14,
               "imported memory flags 0x81");
}

Test(decode, bad_mutability)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 6, "\x01\x7f\x02\x41\x00\x0b"); /* mutability at 12 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 12, "global mut 2");
    wb_init(&w);
    SEC(&w, 2, "\x01\x00\x00\x03\x7f\xff"); /* mutability at 15 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 15,
               "imported global mut 0xff");
}

Test(decode, bad_import_and_export_kinds)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 2, "\x01\x00\x00\x04\x00");     /* kind at 13 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 13, "import kind 4");

    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");         /* 8..13 */
    SEC(&w, 3, "\x01\x00");                 /* 14..17 */
    SEC(&w, 7, "\x01\x01" "f" "\x04\x00");  /* 20 count, 21 len, 23 kind */
    SEC(&w, 10, "\x01\x02\x00\x0b");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 23, "export kind 4");
}

Test(decode, bad_element_kind_and_flags)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 9, "\x01\x01\x01\x00");         /* flags 1 at 11, kind at 12 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 12, "elemkind 1");
    wb_init(&w);
    SEC(&w, 9, "\x01\x08\x00");             /* flags 8 at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 11, "elem flags 8");
    wb_init(&w);
    SEC(&w, 9, "\x01\x05\x7f\x00");         /* reftype at 12 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 12,
               "elem reftype i32");
    wb_init(&w);
    SEC(&w, 5, "\x01\x00\x01");             /* 8..12 */
    SEC(&w, 11, "\x01\x03\x00");            /* flags at 16 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_FLAGS, 16, "data flags 3");
}

Test(decode, malformed_value_types)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x01\x7a\x00");     /* param type at 13 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 13, "param 0x7a");
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x01\x40");     /* result type at 14 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 14, "result 0x40");
    wb_init(&w);
    SEC(&w, 1, "\x01\x61\x00\x00");         /* form at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 11, "form 0x61");
    wb_init(&w);
    SEC(&w, 4, "\x01\x7f\x00\x00");         /* reftype at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 11, "table of i32");
    wb_init(&w);
    SEC(&w, 6, "\x01\x6e\x00\x41\x00\x0b"); /* type at 11 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 11, "global 0x6e");
}

Test(decode, malformed_types_in_bodies)
{
    /* body at 27 */
    BAD_BODY("\x01\x01\x7a\x0b", WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 2,
             "local of type 0x7a");
    BAD_BODY("\x00\x02\x7a\x0b\x0b", WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 2,
             "block type -6");
    BAD_BODY("\x00\xd0\x7f\x1a\x0b", WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 2,
             "ref.null i32");
    BAD_BODY("\x00\x41\x00\x41\x00\x41\x00\x1c\x01\x7a\x1a\x0b",
             WELF_FEATURES_ALL, WELF_ERR_VALTYPE, 9, "select (result 0x7a)");
}

Test(decode, too_many_locals)
{
    /* body at 27: group count at 27, first group at 28 */
    BAD_BODY("\x01\xd1\x86\x03\x7f\x0b", WELF_FEATURES_ALL, WELF_ERR_TOO_MANY,
             1, "50001 locals");
    BAD_BODY("\x02\xd0\x86\x03\x7f\x01\x7e\x0b", WELF_FEATURES_ALL,
             WELF_ERR_TOO_MANY, 5, "50000 + 1 locals");
    BAD_BODY("\x02\xff\xff\xff\xff\x0f\x7f\xff\xff\xff\xff\x0f\x7e\x0b",
             WELF_FEATURES_ALL, WELF_ERR_TOO_MANY, 1, "2 x (2^32-1) locals");
}

Test(decode, locals_at_the_limit)
{
    wbuf w;
    FUNC(&w, true, "\x01\xd0\x86\x03\x7f\x0b");      /* 50000 locals */
    welf_wasm *m = decode_ok(&w, WELF_FEATURES_ALL);
    cr_assert_eq(m->funcs[0].local_count, 50000);
    validate_ok(m);
    welf_wasm_free(m);
}

/* ---- the end of a body ---- */

Test(decode, body_missing_end)
{
    /* body at 22: locals, i32.const 1, drop; it ends at 26 without `end`
     * (header: WELF_ERR_END_EXPECTED, "body or expression does not end
     * where its size says"). */
    wbuf w;
    uint32_t b = FUNC(&w, false, "\x00\x41\x01\x1a");
    cr_assert_eq(b, 22);
    cr_assert_eq(w.n, 26);
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_END_EXPECTED, 26,
               "body without end, at the end of the module");
}

Test(decode, body_missing_end_between_functions)
{
    /* 8..13 type, 14..18 function (2), code 19 id, 20 size, 21 count,
     * body 0: size 22, 23..26 (no end); body 1: size 27, 28..32 */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x02\x00\x00");
    SEC(&w, 10, "\x02" "\x04\x00\x41\x01\x1a" "\x05\x00\x41\x01\x1a\x0b");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_END_EXPECTED, 27,
               "body without end, followed by another body");
}

Test(decode, body_missing_end_after_block)
{
    /* body at 22: locals, block at 23, end at 25 closes the block only */
    wbuf w;
    FUNC(&w, false, "\x00\x02\x40\x0b");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_END_EXPECTED, 26,
               "block closed, body not");
}

Test(decode, bytes_after_final_end)
{
    /* body at 22: locals, end at 23, nop at 24 after the final end */
    wbuf w;
    FUNC(&w, false, "\x00\x0b\x01");
    decode_bad2(&w, WELF_FEATURES_ALL, WELF_ERR_END_EXPECTED,
                WELF_ERR_SECTION_SIZE, 24, "nop after the final end");
    FUNC(&w, false, "\x00\x0b\x0b");
    decode_bad2(&w, WELF_FEATURES_ALL, WELF_ERR_END_EXPECTED,
                WELF_ERR_SECTION_SIZE, 24, "two final ends");
}

Test(decode, const_expr_missing_end)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 6, "\x01\x7f\x00\x41\x00");     /* section ends at 15 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 15,
               "global initialiser without end");
}

Test(decode, body_size_past_section)
{
    /* code: 18 id, 19 size, 20 count, body size at 21 says 9 bytes */
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\x00\x00");
    SEC(&w, 3, "\x01\x00");
    SEC(&w, 10, "\x01\x09\x00\x0b");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 21,
               "body past its section");
}

/* ---- hostile counts ---- */

typedef struct peak_hook {
    size_t largest;
    size_t total;
} peak_hook;

static void *peak_alloc(void *user, void *ptr, size_t size)
{
    peak_hook *h = user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (size > h->largest)
        h->largest = size;
    h->total += size;
    return realloc(ptr, size);
}

static void restore_allocator(void)
{
    welf_set_allocator(NULL, NULL);
}

Test(decode, hostile_counts, .fini = restore_allocator)
{
    static const uint8_t ids[] = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11};
    for (size_t i = 0; i < sizeof ids; i++) {
        peak_hook h = {0, 0};
        welf_set_allocator(peak_alloc, &h);
        wbuf w;
        wb_init(&w);
        /* 8 id, 9 size 10, count 0xffffffff at 10, then 5 zero bytes */
        wb_byte(&w, ids[i]);
        RAW(&w, "\x0a\xff\xff\xff\xff\x0f\x00\x00\x00\x00\x00");
        char what[32];
        snprintf(what, sizeof what, "section %u", ids[i]);
        decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 10, what);
        restore_allocator();
        cr_assert_leq(h.largest, 65536, "%s: allocated %zu bytes at once",
                      what, h.largest);
        cr_assert_leq(h.total, 1 << 20, "%s: allocated %zu bytes in all",
                      what, h.total);
    }
}

Test(decode, hostile_counts_inside_items, .fini = restore_allocator)
{
    peak_hook h = {0, 0};
    welf_set_allocator(peak_alloc, &h);
    wbuf w;
    wb_init(&w);
    SEC(&w, 1, "\x01\x60\xff\xff\xff\xff\x0f\x00");   /* params at 12 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 12,
               "0xffffffff params");
    /* local groups: body at 22 */
    FUNC(&w, false, "\xff\xff\xff\xff\x0f\x0b");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 22,
               "0xffffffff local groups");
    /* element indices: 10 count, 11 flags, 12 kind, 13 count */
    wb_init(&w);
    SEC(&w, 9, "\x01\x01\x00\xff\xff\xff\xff\x0f");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 13,
               "0xffffffff element indices");
    /* data bytes: 10 count, 11 flags, 12 length */
    wb_init(&w);
    SEC(&w, 11, "\x01\x01\xff\xff\xff\xff\x0f");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 12,
               "data segment of 0xffffffff bytes");

    /* br_table with 0xffffffff targets; the offset is not pinned */
    FUNC(&w, false, "\x00\x41\x00\x0e\xff\xff\xff\xff\x0f\x00\x0b");
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(w.b, w.n, WELF_FEATURES_ALL, &m,
                                        &err);
    welf_wasm_free(m);
    cr_assert_eq(st, WELF_ERR_UNEXPECTED_END, "br_table: status %d", (int)st);
    restore_allocator();
    cr_assert_leq(h.largest, 65536, "allocated %zu bytes at once", h.largest);
}

/* ---- more framing: custom section names, deep nesting, usage ---- */

Test(decode, custom_section_names)
{
    wbuf w;
    wb_init(&w);
    SEC(&w, 0, "\x02\xc0\x80");     /* 8 id, 9 size, name at 10 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UTF8, 10,
               "custom section named by an overlong NUL");
    wb_init(&w);
    SEC(&w, 0, "");                 /* no name at all: 10 */
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 10,
               "empty custom section");
    wb_init(&w);
    SEC(&w, 0, "\x05" "ab");        /* name bytes would start at 11 */
    SEC(&w, 1, "\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UNEXPECTED_END, 11,
               "custom name past its section");
    wb_init(&w);
    /* import: 10 count, module name at 11 */
    SEC(&w, 2, "\x01\x01\xff\x00\x00\x00");
    decode_bad(&w, WELF_FEATURES_ALL, WELF_ERR_UTF8, 11,
               "import module name 0xff");
}

Test(decode, else_in_deeply_nested_block)
{
    /* `else` inside a `block` is malformed at any depth (spec 5.4.1: else
     * belongs to the if production). 70 nested blocks, then else. */
    wbuf w;
    char body[256];
    size_t n = 0;
    body[n++] = 0x00;
    for (int i = 0; i < 70; i++) {
        body[n++] = 0x02;
        body[n++] = 0x40;
    }
    size_t else_at = n;
    body[n++] = 0x05;
    for (int i = 0; i < 71; i++)
        body[n++] = 0x0b;
    /* body of 213 bytes: its size takes 2 LEB128 bytes, so the code
     * section is id 23, size 24..25, count 26, body size 27..28, body 29 */
    uint32_t b = func_module(&w, true, body, n);
    cr_assert_eq(b, 29);
    welf_wasm *m = NULL;
    welf_error err;
    welf_status st = welf_wasm_decode(w.b, w.n, WELF_FEATURES_ALL, &m,
                                        &err);
    if (st == WELF_OK) {
        st = welf_wasm_validate(m, &err);
        welf_wasm_free(m);
    }
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_MALFORMED,
                 "else in a block 70 deep: status %d (class %d): %s",
                 (int)st, (int)welf_status_classify(st), err.message);
    cr_assert_eq(err.offset, b + else_at);
}

Test(decode, usage_errors)
{
    welf_wasm *m = (welf_wasm *)&m;
    welf_error err;
    cr_assert_eq(welf_wasm_decode(NULL, 8, WELF_FEATURES_ALL, &m, &err),
                 WELF_ERR_USAGE);
    cr_assert_null(m);
    cr_assert_eq(err.offset, WELF_NO_OFFSET);
    cr_assert_eq(welf_status_classify(err.code), WELF_CLASS_OTHER);
}
