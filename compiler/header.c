/*
 * header.c — `welf compile --header FILE.h`: a C header through which a
 * program calls a module's exports with the C compiler checking every
 * call. It declares the descriptor the object defines, wraps each
 * exported function with at most one result in a typed static inline
 * function that calls the native entry of the function at the export's
 * index (welf_instance_func), and adds NAME_check, which verifies once
 * that an instance is one of this module.
 *
 * Everything comes from the decoded module (module.h). The descriptor's
 * symbol name belongs to descriptor.c; symbol_name() below repeats its
 * rule and must stay in step with it. What the wrappers call into is the
 * runtime's (welf.h).
 */
#include "header.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "module.h"

/* descriptor.c's buffer for welf_module_<name>, terminator included. */
#define SYMBOL_SIZE 160

static bool is_ident_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* The module name as descriptor.c spells it after "welf_module_": each
 * byte outside [A-Za-z0-9_] becomes _, and the whole symbol is cut to
 * SYMBOL_SIZE - 1 bytes. */
static void symbol_name(const char *name, char *buf, size_t size)
{
    size_t room = SYMBOL_SIZE - 1 - strlen("welf_module_");
    size_t k = 0;
    for (const char *p = name; *p && k < room && k + 1 < size; p++)
        buf[k++] = is_ident_char((uint8_t)*p) ? *p : '_';
    buf[k] = '\0';
}

/*
 * The prefix of every identifier the header defines: the symbol name,
 * unless that could make a reserved or clashing identifier. A name that
 * starts with a digit or an underscore, or that is "welf" (in any case)
 * alone or followed by _, would put the wrappers among invalid,
 * implementation-reserved or libwelf names: it gets "m_" in front.
 */
static void ident_prefix(const char *sym, char *buf, size_t size)
{
    bool welf = strncasecmp(sym, "welf", 4) == 0 &&
                (sym[4] == '\0' || sym[4] == '_');
    bool bad_start = (sym[0] >= '0' && sym[0] <= '9') || sym[0] == '_';
    snprintf(buf, size, "%s%s", welf || bad_start ? "m_" : "", sym);
}

/* ---- a set of identifiers, to keep the wrappers' names unique ---- */

/* Open addressing over borrowed strings; sized by the caller so that it
 * never fills. */
typedef struct ident_set {
    const char **slots;
    size_t mask;
} ident_set;

static size_t ident_hash(const char *s)
{
    size_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211u;
    return h;
}

static bool ident_set_init(ident_set *set, size_t max_count)
{
    size_t cap = 16;
    while (cap < 2 * max_count)
        cap *= 2;
    set->slots = welf_malloc(cap * sizeof *set->slots);
    if (!set->slots)
        return false;
    memset(set->slots, 0, cap * sizeof *set->slots);
    set->mask = cap - 1;
    return true;
}

static bool ident_set_has(const ident_set *set, const char *s)
{
    for (size_t i = ident_hash(s) & set->mask; set->slots[i];
         i = (i + 1) & set->mask)
        if (strcmp(set->slots[i], s) == 0)
            return true;
    return false;
}

static void ident_set_add(ident_set *set, const char *s)
{
    size_t i = ident_hash(s) & set->mask;
    while (set->slots[i])
        i = (i + 1) & set->mask;
    set->slots[i] = s;
}

/*
 * Names of the standard headers welf.h includes that have the shape
 * PREFIX_SOMETHING, so a module called "int32" with an export "t" does
 * not redefine int32_t. (Names with a welf prefix cannot arise, see
 * ident_prefix; C keywords cannot either: none has the shape
 * letter..._something.)
 */
static const char *const std_names[] = {
    "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t",
    "uint32_t", "uint64_t", "int_least8_t", "int_least16_t",
    "int_least32_t", "int_least64_t", "uint_least8_t", "uint_least16_t",
    "uint_least32_t", "uint_least64_t", "int_fast8_t", "int_fast16_t",
    "int_fast32_t", "int_fast64_t", "uint_fast8_t", "uint_fast16_t",
    "uint_fast32_t", "uint_fast64_t", "intptr_t", "uintptr_t",
    "intmax_t", "uintmax_t", "size_t", "ptrdiff_t", "max_align_t",
    "wchar_t", "jmp_buf", "sigjmp_buf", "sig_atomic_t", "va_list",
    "FILE", "fpos_t", "ssize_t", "off_t",
};

/* ---- the module's exports ---- */

typedef struct wrapped {
    const welf_export *e;
    const welf_functype *type;
    char *ident;              /* the wrapper's name */
} wrapped;

static const welf_functype *func_type(const welf_wasm *m, uint32_t func)
{
    return &m->types[m->funcs[func].type_index];
}

static bool has_wrapper(const welf_wasm *m, const welf_export *e)
{
    return e->kind == WELF_EXTERN_FUNC &&
           func_type(m, e->index)->result_count <= 1;
}

/* PREFIX_NAME with every UTF-8 character of the export name outside
 * [A-Za-z0-9_] made one _, and room for a "_N" suffix. */
static char *base_ident(const char *prefix, welf_name name)
{
    size_t n = strlen(prefix);
    char *s = welf_malloc(n + 1 + name.len + 16);
    if (!s)
        return NULL;
    memcpy(s, prefix, n);
    s[n++] = '_';
    for (uint32_t i = 0; i < name.len; i++) {
        uint8_t c = name.bytes[i];
        if (is_ident_char(c))
            s[n++] = (char)c;
        else if ((c & 0xc0) != 0x80)   /* not a continuation byte */
            s[n++] = '_';
    }
    s[n] = '\0';
    return s;
}

/* Whether an export's name is an identifier as it stands. */
static bool name_is_ident(welf_name name)
{
    for (uint32_t i = 0; i < name.len; i++)
        if (!is_ident_char(name.bytes[i]))
            return false;
    return true;
}

/*
 * Names every wrapper. An export keeps its base name unless a reserved
 * name or another export has it: exports whose names need no mangling
 * come first, then the others, each in export order, so "a_b" keeps
 * PREFIX_a_b whatever the position of "a-b". The losers get the first
 * "_2", "_3", ... that is free, checked against every base name too, so
 * a suffix never takes the natural name of another export.
 */
static bool name_wrappers(wrapped *w, uint32_t count, const char *prefix,
                          const char *check)
{
    ident_set set;
    size_t reserved = WELF_ARRAY_LEN(std_names) + 1;
    if (!ident_set_init(&set, reserved + count))
        return false;
    for (size_t i = 0; i < WELF_ARRAY_LEN(std_names); i++)
        ident_set_add(&set, std_names[i]);
    ident_set_add(&set, check);
    bool *clash = welf_malloc(count + 1);
    bool ok = clash != NULL;
    for (uint32_t i = 0; ok && i < count; i++) {
        w[i].ident = base_ident(prefix, w[i].e->name);
        ok = w[i].ident != NULL;
    }
    for (int exact = 1; ok && exact >= 0; exact--)
        for (uint32_t i = 0; i < count; i++) {
            if (name_is_ident(w[i].e->name) != exact)
                continue;
            clash[i] = ident_set_has(&set, w[i].ident);
            if (!clash[i])
                ident_set_add(&set, w[i].ident);
        }
    for (uint32_t i = 0; ok && i < count; i++) {
        if (!clash[i])
            continue;
        size_t n = strlen(w[i].ident);
        for (unsigned k = 2; ident_set_has(&set, w[i].ident); k++)
            snprintf(w[i].ident + n, 16, "_%u", k);
        ident_set_add(&set, w[i].ident);
    }
    welf_free(clash);
    welf_free(set.slots);
    return ok;
}

/* ---- writing C ---- */

/* A name inside a C string literal: printable ASCII as is, except the
 * quote, the backslash and ? (trigraphs); other bytes in octal. */
static void put_literal(FILE *o, const uint8_t *s, size_t len)
{
    fputc('"', o);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?')
            fputc(c, o);
        else
            fprintf(o, "\\%03o", c);
    }
    fputc('"', o);
}

/* A name inside a comment, quoted: printable ASCII as is, anything else
 * (and the quote, the backslash, and a / next to a *) as \xNN, so it
 * reads unambiguously and can neither end the comment nor open another. */
static void put_comment_name(FILE *o, const uint8_t *s, size_t len)
{
    fputc('"', o);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        bool slash_star = c == '/' && ((i > 0 && s[i - 1] == '*') ||
                                       (i + 1 < len && s[i + 1] == '*'));
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && !slash_star)
            fputc(c, o);
        else
            fprintf(o, "\\x%02x", c);
    }
    fputc('"', o);
}

static const char *c_type(welf_valtype t)
{
    switch (t) {
    case WELF_VT_I32: return "int32_t";
    case WELF_VT_I64: return "int64_t";
    case WELF_VT_F32: return "float";
    case WELF_VT_F64: return "double";
    case WELF_VT_V128: return "welf_v128";
    case WELF_VT_FUNCREF: return "welf_funcref *";
    case WELF_VT_EXTERNREF: return "void *";
    default: return "void";
    }
}

static const char *type_constant(welf_valtype t)
{
    switch (t) {
    case WELF_VT_I32: return "WELF_TYPE_I32";
    case WELF_VT_I64: return "WELF_TYPE_I64";
    case WELF_VT_F32: return "WELF_TYPE_F32";
    case WELF_VT_F64: return "WELF_TYPE_F64";
    case WELF_VT_V128: return "WELF_TYPE_V128";
    case WELF_VT_FUNCREF: return "WELF_TYPE_FUNCREF";
    case WELF_VT_EXTERNREF: return "WELF_TYPE_EXTERNREF";
    default: return "0";
    }
}

/* "(param i32 i64) (result f32)", as in the text format. */
static void put_signature(FILE *o, const welf_functype *t)
{
    if (t->param_count) {
        fputs(" (param", o);
        for (uint32_t i = 0; i < t->param_count; i++)
            fprintf(o, " %s", welf_valtype_str(t->params[i]));
        fputs(")", o);
    }
    if (t->result_count) {
        fputs(" (result", o);
        for (uint32_t i = 0; i < t->result_count; i++)
            fprintf(o, " %s", welf_valtype_str(t->results[i]));
        fputs(")", o);
    }
}

static void put_limits(FILE *o, const welf_limits *l)
{
    fprintf(o, "%u", l->min);
    if (l->has_max)
        fprintf(o, "..%u", l->max);
}

/* The C type of a native entry: RET (*)(void *, void *, T1, ...). The
 * entry is converted to it through uintptr_t: ISO C has no conversion
 * from an object pointer to a function pointer (-pedantic says so), but
 * one from an integer, which POSIX makes work. */
static void put_entry_type(FILE *o, const welf_functype *t)
{
    const char *ret = t->result_count ? c_type(t->results[0]) : "void";
    fprintf(o, "(%s%s(*)(void *, void *", ret,
            ret[strlen(ret) - 1] == '*' ? "" : " ");
    for (uint32_t i = 0; i < t->param_count; i++)
        fprintf(o, ", %s", c_type(t->params[i]));
    fputs("))", o);
}

static void put_wrapper(FILE *o, const wrapped *w)
{
    const welf_functype *t = w->type;
    const char *ret = t->result_count ? c_type(t->results[0]) : "void";
    fputs("/* ", o);
    put_comment_name(o, w->e->name.bytes, w->e->name.len);
    fprintf(o, ": func %u", w->e->index);
    put_signature(o, t);
    fputs(" */\n", o);
    /* "welf_funcref *" and "void *" take the name without a space. */
    size_t n = strlen(ret);
    fprintf(o, "static inline %s%s%s(welf_instance *inst", ret,
            ret[n - 1] == '*' ? "" : " ", w->ident);
    for (uint32_t i = 0; i < t->param_count; i++) {
        const char *p = c_type(t->params[i]);
        fprintf(o, ", %s%sa%u", p, p[strlen(p) - 1] == '*' ? "" : " ",
                i + 1);
    }
    fputs(")\n{\n", o);
    fprintf(o, "    welf_funcref *f = welf_instance_func(inst, %u);\n",
            w->e->index);
    fprintf(o, "    %s(", t->result_count ? "return " : "");
    put_entry_type(o, t);
    fputs("(uintptr_t)\n        f->native_call)(f->vmctx, NULL", o);
    for (uint32_t i = 0; i < t->param_count; i++)
        fprintf(o, ", a%u", i + 1);
    fputs(");\n}\n\n", o);
}

/* NAME_check: every wrapped export, looked up by its original name, must
 * be the function at the index the wrapper uses, with its signature. */
static void put_check(FILE *o, const welf_wasm *m, const wrapped *w,
                      uint32_t count, const char *check, const char *sym)
{
    fprintf(o,
            "/*\n"
            " * Checks that `inst` is an instance of the module this header\n"
            " * was generated from: each export above, looked up by its\n"
            " * name, is the function the wrapper calls, with the wrapper's\n"
            " * signature. Returns the first mismatch (WELF_ERR_LINK or\n"
            " * WELF_ERR_USAGE, described in *err). Call it once per\n"
            " * instance, before the first typed call.\n"
            " */\n"
            "static inline welf_status %s(welf_instance *inst, "
            "welf_error *err)\n{\n", check);
    if (count == 0) {
        fputs("    (void)inst;\n    (void)err;\n    return WELF_OK;\n}\n\n",
              o);
        return;
    }
    /* One pair of arrays per function type the wrappers use. */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t ti = m->funcs[w[i].e->index].type_index;
        bool seen = false;
        for (uint32_t j = 0; j < i && !seen; j++)
            seen = m->funcs[w[j].e->index].type_index == ti;
        if (seen)
            continue;
        const welf_functype *t = w[i].type;
        if (t->param_count) {
            fprintf(o, "    static const uint8_t params_%u[] = {", ti);
            for (uint32_t k = 0; k < t->param_count; k++)
                fprintf(o, "%s%s", k ? ", " : "",
                        type_constant(t->params[k]));
            fputs("};\n", o);
        }
        if (t->result_count)
            fprintf(o, "    static const uint8_t results_%u[] = {%s};\n", ti,
                    type_constant(t->results[0]));
    }
    fputs("    static const struct {\n"
          "        const char *name;\n"
          "        size_t name_len;\n"
          "        uint32_t func_index;\n"
          "        welf_functype_info type;\n"
          "    } exports[] = {\n", o);
    for (uint32_t i = 0; i < count; i++) {
        const welf_functype *t = w[i].type;
        uint32_t ti = m->funcs[w[i].e->index].type_index;
        fputs("        {", o);
        put_literal(o, w[i].e->name.bytes, w[i].e->name.len);
        fprintf(o, ", %u, %u, {%u, %u, ", w[i].e->name.len, w[i].e->index,
                t->param_count, t->result_count);
        if (t->param_count)
            fprintf(o, "params_%u, ", ti);
        else
            fputs("NULL, ", o);
        if (t->result_count)
            fprintf(o, "results_%u}},\n", ti);
        else
            fputs("NULL}},\n", o);
    }
    fprintf(o,
        "    };\n"
        "    for (size_t i = 0; i < sizeof exports / sizeof exports[0]; "
        "i++) {\n"
        "        welf_extern ext;\n"
        "        welf_status st = welf_instance_export(\n"
        "            inst, exports[i].name, exports[i].name_len, &ext, err);\n"
        "        if (st != WELF_OK)\n"
        "            return st;\n"
        "        if (ext.kind != WELF_EXTERN_FUNC || !ext.u.func->native_call "
        "||\n"
        "            ext.u.func != welf_instance_func(inst, "
        "exports[i].func_index)) {\n"
        "            if (err) {\n"
        "                err->code = WELF_ERR_LINK;\n"
        "                err->offset = WELF_NO_OFFSET;\n"
        "                err->func_index = exports[i].func_index;\n"
        "                snprintf(err->message, sizeof err->message,\n"
        "                         \"export \\\"%%.*s\\\" is not function "
        "%%u of module %s\",\n"
        "                         (int)exports[i].name_len, "
        "exports[i].name,\n"
        "                         (unsigned)exports[i].func_index);\n"
        "            }\n"
        "            return WELF_ERR_LINK;\n"
        "        }\n"
        "        st = welf_func_check_type(ext.u.func, &exports[i].type, "
        "err);\n"
        "        if (st != WELF_OK)\n"
        "            return st;\n"
        "    }\n"
        "    return WELF_OK;\n"
        "}\n\n", sym);
}

/* The exports without a wrapper, listed in one comment: functions with
 * several results, then memories, tables and globals. */
static void put_unwrapped(FILE *o, const welf_wasm *m)
{
    bool any = false;
    for (uint32_t i = 0; i < m->export_count; i++) {
        const welf_export *e = &m->exports[i];
        if (e->kind != WELF_EXTERN_FUNC || has_wrapper(m, e))
            continue;
        if (!any)
            fputs("/*\n * Functions with several results have no typed "
                  "wrapper (C returns one\n * value): call them with "
                  "welf_func_call.\n", o);
        any = true;
        fputs(" *   ", o);
        put_comment_name(o, e->name.bytes, e->name.len);
        fprintf(o, ": func %u", e->index);
        put_signature(o, func_type(m, e->index));
        fputs("\n", o);
    }
    if (any)
        fputs(" */\n\n", o);
    any = false;
    for (uint32_t i = 0; i < m->export_count; i++) {
        const welf_export *e = &m->exports[i];
        if (e->kind == WELF_EXTERN_FUNC)
            continue;
        if (!any)
            fputs("/*\n * Other exports, for welf_instance_export:\n", o);
        any = true;
        fputs(" *   ", o);
        put_comment_name(o, e->name.bytes, e->name.len);
        switch (e->kind) {
        case WELF_EXTERN_MEMORY:
            fprintf(o, ": memory %u, ", e->index);
            put_limits(o, &m->memories[e->index].type.limits);
            fputs(" pages", o);
            break;
        case WELF_EXTERN_TABLE:
            fprintf(o, ": table %u, %s ", e->index,
                    welf_valtype_str(m->tables[e->index].type.elem));
            put_limits(o, &m->tables[e->index].type.limits);
            break;
        case WELF_EXTERN_GLOBAL:
            fprintf(o, ": global %u, %s%s", e->index,
                    m->globals[e->index].type.is_mutable ? "mut " : "",
                    welf_valtype_str(m->globals[e->index].type.type));
            break;
        default:
            break;
        }
        fputs("\n", o);
    }
    if (any)
        fputs(" */\n\n", o);
}

static void put_header(FILE *o, const welf_wasm *m, const char *sym,
                       const char *prefix, const char *check,
                       const char *source, const wrapped *w, uint32_t count)
{
    const char *example = count ? w[0].ident : NULL;
    /* The file's name without its directory: the header stays the same
     * wherever it is built. */
    const char *slash = strrchr(source, '/');
    source = slash ? slash + 1 : source;
    fputs("/*\n * Typed calls into the WebAssembly module ", o);
    put_comment_name(o, (const uint8_t *)sym, strlen(sym));
    fputs(", generated by\n * `welf compile --header` from ", o);
    put_comment_name(o, (const uint8_t *)source, strlen(source));
    fprintf(o,
            ". Do not edit.\n"
            " *\n"
            " * Link the object compiled with it (it defines "
            "welf_module_%s),\n"
            " * then:\n"
            " *\n"
            " *   welf_module_from_linked(engine, &welf_module_%s, &module, "
            "&err);\n"
            " *   welf_instance_new(module, imports, n_imports, &inst, "
            "&err);\n"
            " *   %s(inst, &err);      (once per instance)\n",
            sym, sym, check);
    if (example)
        fprintf(o, " *   ... %s(inst, ...) ...\n", example);
    fputs(" *\n"
          " * (A module from welf_module_load works the same way.) Each\n"
          " * wrapper calls the function's native entry directly, with no\n"
          " * check at run time: the instance must be one that the check\n"
          " * function accepted. A call that may trap must run inside a trap\n"
          " * frame (welf_trap_frame_push in welf.h); a trap with no frame\n"
          " * to return to aborts the process:\n"
          " *\n"
          " *   welf_trap_frame frame;\n"
          " *   welf_trap_frame_push(engine, &frame);\n"
          " *   if (setjmp(frame.env) == 0) {\n"
          " *       ... any number of calls ...\n"
          " *   }\n"
          " *   status = welf_trap_frame_pop(&frame, &err);\n"
          " *\n", o);
    fprintf(o,
            " * Wrappers are named %s_EXPORT, where characters of the\n"
            " * export's name outside [A-Za-z0-9_] become _ and a name taken\n"
            " * already gets a suffix _2, _3, ...; each wrapper's comment\n"
            " * gives the export's real name.\n"
            " */\n", prefix);
    fprintf(o,
            "#ifndef WELF_MODULE_%s_H\n"
            "#define WELF_MODULE_%s_H\n"
            "\n"
            "#include <stdio.h>\n"
            "#include <welf.h>\n"
            "\n"
            "#ifdef __cplusplus\n"
            "extern \"C\" {\n"
            "#endif\n"
            "\n"
            "/* The module's descriptor, defined by its object. */\n"
            "extern const welf_desc_module welf_module_%s;\n"
            "\n",
            sym, sym, sym);
    put_unwrapped(o, m);
    for (uint32_t i = 0; i < count; i++)
        put_wrapper(o, &w[i]);
    put_check(o, m, w, count, check, sym);
    fputs("#ifdef __cplusplus\n"
          "}\n"
          "#endif\n"
          "\n"
          "#endif\n", o);
}

/* ---- the file ---- */

/* Opens a new file beside `path` for writing; its name goes to tmp. */
static FILE *open_temp(const char *path, char *tmp, size_t size)
{
    for (unsigned k = 0; k < 100; k++) {
        snprintf(tmp, size, "%s.tmp%ld.%u", path, (long)getpid(), k);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            return NULL;
        }
        FILE *f = fdopen(fd, "w");
        if (!f) {
            int e = errno;
            close(fd);
            unlink(tmp);
            errno = e;
        }
        return f;
    }
    return NULL;
}

int welf_cli_header_write(const welf_wasm *m, const char *name,
                          const char *source, const char *path)
{
    char sym[SYMBOL_SIZE], prefix[SYMBOL_SIZE + 4], check[SYMBOL_SIZE + 16];
    symbol_name(name && name[0] ? name : "module", sym, sizeof sym);
    ident_prefix(sym, prefix, sizeof prefix);
    snprintf(check, sizeof check, "%s_check", prefix);

    uint32_t count = 0;
    for (uint32_t i = 0; i < m->export_count; i++)
        count += has_wrapper(m, &m->exports[i]);
    wrapped *w = welf_malloc((count + 1) * sizeof *w);
    if (!w) {
        fprintf(stderr, "welf: out of memory\n");
        return 1;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->export_count; i++)
        if (has_wrapper(m, &m->exports[i]))
            w[n++] = (wrapped){&m->exports[i],
                               func_type(m, m->exports[i].index), NULL};
    int rc = 1;
    if (!name_wrappers(w, count, prefix, check)) {
        fprintf(stderr, "welf: out of memory\n");
        goto done;
    }

    size_t tmp_size = strlen(path) + 32;
    char *tmp = welf_malloc(tmp_size);
    FILE *o = tmp ? open_temp(path, tmp, tmp_size) : NULL;
    if (!o) {
        fprintf(stderr, "welf: cannot create %s: %s\n", path,
                tmp ? strerror(errno) : "out of memory");
        welf_free(tmp);
        goto done;
    }
    put_header(o, m, sym, prefix, check, source, w, count);
    bool ok = !ferror(o);
    int e = errno;
    if (fclose(o) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        fprintf(stderr, "welf: cannot write %s: %s\n", path, strerror(e));
        unlink(tmp);
    }
    welf_free(tmp);
    rc = ok ? 0 : 1;
done:
    for (uint32_t i = 0; i < count; i++)
        welf_free(w[i].ident);
    welf_free(w);
    return rc;
}
