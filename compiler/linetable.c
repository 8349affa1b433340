/*
 * linetable.c — the runtime's line table of an object compiled with -g
 * (linetable.h; format in runtime/abi.h), read back from the DWARF that
 * LLVM wrote into each chunk's object.
 *
 * Reading a relocatable object's DWARF needs its relocations: the line
 * program's addresses (DW_LNE_set_address) are zero in the section
 * bytes, with an R_X86_64_64 relocation against a code section's symbol,
 * and string offsets are R_X86_64_32 relocations against .debug_str and
 * .debug_line_str. This file loads the .debug_* sections with libelf,
 * applies those relocations to copies and hands the copies to libdwarf
 * (debuginfo.h's welf_dw_object). A code address is written as the
 * symbol's offset in its section plus (section index << SECTION_SHIFT),
 * so each line row says which section it is in as well as where.
 *
 * Each row then goes to the function symbol around it (STT_FUNC, sized)
 * and becomes (function, entry kind, offset in the entry, file, line).
 * The rows are sorted per entry; rows that do not change the file or
 * line are dropped; what remains is written as LEB128 deltas.
 *
 * The objects are LLVM's output, but they are still read with every
 * index and size checked: a surprise skips rows, never reads out of
 * bounds.
 */
#include "linetable.h"

#include <gelf.h>
#include <libdwarf/dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/abi.h"
#include "debuginfo.h"

/* Code addresses carry their section index above this bit. */
#define SECTION_SHIFT 40
#define OFFSET_MASK (((uint64_t)1 << SECTION_SHIFT) - 1)

/* A string index for "none" (the table's string indices are below it). */
#define NO_STRING (UINT32_MAX - 1)

typedef struct line_row {
    uint32_t func, kind;
    uint64_t offset;          /* from the entry's start */
    uint32_t file, line;
    uint32_t order;           /* input order, for a stable sort */
    bool end;                 /* an end_sequence row: no line from here */
} line_row;

/* Code of a source function inlined into an entry: [start, end). */
typedef struct inline_rec {
    uint32_t func, kind;
    uint64_t start, end;
    uint32_t depth, name, call_file, call_line;
    uint32_t order;
} inline_rec;

typedef struct sym_name {
    const char *name;
    uint32_t func;
} sym_name;

struct welf_line_builder {
    sym_name *names;          /* function symbols, sorted by name */
    uint32_t name_count;
    line_row *rows;
    uint32_t row_count, row_cap;
    inline_rec *inls;
    uint32_t inl_count, inl_cap;
    welf_arena arena;         /* the strings */
    welf_strset strings;      /* paths and function names */
};

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const sym_name *)a)->name, ((const sym_name *)b)->name);
}

welf_line_builder *welf_line_builder_new(char *const *symbols, uint32_t first,
                                         uint32_t end)
{
    welf_line_builder *lb = welf_malloc(sizeof *lb);
    if (!lb)
        return NULL;
    memset(lb, 0, sizeof *lb);
    uint32_t n = end > first ? end - first : 0;
    welf_arena_init(&lb->arena);
    welf_strset_init(&lb->strings, &lb->arena);
    lb->names = welf_malloc((n + 1) * sizeof *lb->names);
    if (!lb->names) {
        welf_line_builder_free(lb);
        return NULL;
    }
    for (uint32_t i = first; i < end; i++)
        if (symbols[i])
            lb->names[lb->name_count++] = (sym_name){symbols[i], i};
    qsort(lb->names, lb->name_count, sizeof *lb->names, compare_names);
    return lb;
}

void welf_line_builder_free(welf_line_builder *lb)
{
    if (!lb)
        return;
    welf_strset_drop_index(&lb->strings);
    welf_free(lb->strings.strings);
    welf_arena_free(&lb->arena);
    welf_free(lb->rows);
    welf_free(lb->inls);
    welf_free(lb->names);
    welf_free(lb);
}

/* The number of string `str`; UINT32_MAX when memory runs out. */
static uint32_t intern(welf_line_builder *lb, const char *str)
{
    return welf_strset_add(&lb->strings, str);
}

/* ---- one object: sections, relocations, symbols ---- */

/* A function symbol: its section and extent, and what it is. */
typedef struct code_sym {
    uint64_t shndx, start, size;
    uint32_t func, kind;
} code_sym;

typedef struct object {
    Elf *elf;
    size_t shnum, shstrndx, symtab;     /* symtab: 0 if none */
    GElf_Shdr *shdrs;
    uint8_t **copies;                   /* relocated .debug_* sections */
    code_sym *syms;                     /* sorted by (shndx, start) */
    uint32_t sym_count;
    bool nomem;
} object;

static void object_free(object *o)
{
    if (o->copies)
        for (size_t i = 0; i < o->shnum; i++)
            welf_free(o->copies[i]);
    welf_free(o->copies);
    welf_free(o->shdrs);
    welf_free(o->syms);
    if (o->elf)
        elf_end(o->elf);
}

static const char *section_name(const object *o, size_t i)
{
    return elf_strptr(o->elf, o->shstrndx, o->shdrs[i].sh_name);
}

/* Symbol `index` of the symbol table, if it exists. */
static bool get_sym(Elf_Data *symd, uint64_t index, GElf_Sym *sym)
{
    return symd && index < symd->d_size / sizeof(Elf64_Sym) &&
           gelf_getsym(symd, (int)index, sym) != NULL;
}

static Elf_Data *section_data(const object *o, size_t i)
{
    Elf_Scn *scn = elf_getscn(o->elf, i);
    return scn ? elf_getdata(scn, NULL) : NULL;
}

static bool is_code_section(const object *o, uint64_t shndx)
{
    return shndx > 0 && shndx < o->shnum &&
           (o->shdrs[shndx].sh_flags & SHF_EXECINSTR);
}

/*
 * Applies the relocations of section `rsec` to copy `bytes` of the
 * section they patch. false when a relocation is not one DWARF in an
 * LLVM object would have: the section is then left out.
 */
static bool relocate(const object *o, size_t rsec, uint8_t *bytes,
                     uint64_t size)
{
    Elf_Data *d = section_data(o, rsec);
    Elf_Data *symd = section_data(o, o->symtab);
    if (!d || o->shdrs[rsec].sh_link != o->symtab)
        return false;
    size_t n = d->d_size / sizeof(Elf64_Rela);
    for (size_t j = 0; j < n; j++) {
        GElf_Rela r;
        GElf_Sym sym;
        if (!gelf_getrela(d, (int)j, &r) ||
            !get_sym(symd, GELF_R_SYM(r.r_info), &sym))
            return false;
        uint64_t value = sym.st_value + (uint64_t)r.r_addend;
        unsigned type = (unsigned)GELF_R_TYPE(r.r_info);
        if (type == R_X86_64_64 && is_code_section(o, sym.st_shndx))
            value += (uint64_t)sym.st_shndx << SECTION_SHIFT;
        unsigned width = type == R_X86_64_64 ? 8 : type == R_X86_64_32 ? 4
                                                                       : 0;
        if (!width || r.r_offset > size || size - r.r_offset < width ||
            (width == 4 && value > UINT32_MAX))
            return false;
        for (unsigned b = 0; b < width; b++)
            bytes[r.r_offset + b] = (uint8_t)(value >> (8 * b));
    }
    return true;
}

static int compare_code_syms(const void *a, const void *b)
{
    const code_sym *x = a, *y = b;
    if (x->shndx != y->shndx)
        return x->shndx < y->shndx ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The function and entry kind a symbol names, if any: the function's
 * symbol, or it followed by ".array", ".native" or ".wasm". */
static bool name_entry(const welf_line_builder *lb, const char *name,
                       uint32_t *func, uint32_t *kind)
{
    static const struct {
        const char *suffix;
        uint32_t kind;
    } kinds[] = {{"", WELF_LINES_WASM},
                 {".array", WELF_LINES_ARRAY},
                 {".native", WELF_LINES_NATIVE},
                 {".wasm", WELF_LINES_THUNK}};
    size_t len = strlen(name);
    char buf[256];
    for (size_t k = 0; k < WELF_ARRAY_LEN(kinds); k++) {
        size_t sl = strlen(kinds[k].suffix);
        if (len < sl || len - sl >= sizeof buf ||
            strcmp(name + len - sl, kinds[k].suffix) != 0)
            continue;
        memcpy(buf, name, len - sl);
        buf[len - sl] = '\0';
        sym_name key = {buf, 0};
        const sym_name *hit = bsearch(&key, lb->names, lb->name_count,
                                      sizeof *lb->names, compare_names);
        if (hit) {
            *func = hit->func;
            *kind = kinds[k].kind;
            return true;
        }
    }
    return false;
}

/* The sized function symbols that name a function's entry. */
static bool read_symbols(const welf_line_builder *lb, object *o)
{
    Elf_Data *symd = section_data(o, o->symtab);
    if (!symd)
        return true;
    size_t n = symd->d_size / sizeof(Elf64_Sym);
    o->syms = welf_malloc((n + 1) * sizeof *o->syms);
    if (!o->syms)
        return false;
    for (size_t i = 1; i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(symd, (int)i, &sym) ||
            GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_size ||
            !is_code_section(o, sym.st_shndx))
            continue;
        const char *name = elf_strptr(o->elf, o->shdrs[o->symtab].sh_link,
                                      sym.st_name);
        code_sym cs = {sym.st_shndx, sym.st_value, sym.st_size, 0, 0};
        if (name && name_entry(lb, name, &cs.func, &cs.kind))
            o->syms[o->sym_count++] = cs;
    }
    qsort(o->syms, o->sym_count, sizeof *o->syms, compare_code_syms);
    return true;
}

/* The symbol whose code holds address `addr` (section-tagged). */
static const code_sym *sym_at(const object *o, uint64_t addr)
{
    uint64_t shndx = addr >> SECTION_SHIFT, off = addr & OFFSET_MASK;
    uint32_t lo = 0, hi = o->sym_count;
    while (lo < hi) {           /* the first symbol after (shndx, off) */
        uint32_t mid = lo + (hi - lo) / 2;
        const code_sym *s = &o->syms[mid];
        if (s->shndx < shndx || (s->shndx == shndx && s->start <= off))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    const code_sym *s = &o->syms[lo - 1];
    return s->shndx == shndx && off - s->start < s->size ? s : NULL;
}

/* ---- one object: the line rows ---- */

/* `array` (of count elements, room for *cap) with room for one more,
 * perhaps moved; NULL when memory (or the 32-bit count) runs out, the
 * array then left as it was. */
static void *reserve(void *array, uint32_t count, uint32_t *cap, size_t elem)
{
    if (count < *cap)
        return array;
    uint32_t n = *cap ? *cap * 2 : 1024;
    if (n <= *cap)
        return NULL;
    void *p = welf_realloc(array, (size_t)n * elem);
    if (p)
        *cap = n;
    return p;
}

static bool add_row(welf_line_builder *lb, const line_row *row)
{
    line_row *rows = reserve(lb->rows, lb->row_count, &lb->row_cap,
                             sizeof *rows);
    if (!rows)
        return false;
    lb->rows = rows;
    rows[lb->row_count] = *row;
    rows[lb->row_count].order = lb->row_count;
    lb->row_count++;
    return true;
}

static bool add_inline(welf_line_builder *lb, const inline_rec *rec)
{
    inline_rec *inls = reserve(lb->inls, lb->inl_count, &lb->inl_cap,
                               sizeof *inls);
    if (!inls)
        return false;
    lb->inls = inls;
    inls[lb->inl_count] = *rec;
    inls[lb->inl_count].order = lb->inl_count;
    lb->inl_count++;
    return true;
}

static void read_unit_lines(welf_line_builder *lb, object *o, Dwarf_Debug dbg,
                            Dwarf_Die cu)
{
    Dwarf_Error e = NULL;
    Dwarf_Unsigned version;
    Dwarf_Small tables;
    Dwarf_Line_Context ctx;
    if (dwarf_srclines_b(cu, &version, &tables, &ctx, &e) != DW_DLV_OK) {
        if (e)
            dwarf_dealloc_error(dbg, e);
        return;
    }
    Dwarf_Line *lines;
    Dwarf_Signed n;
    if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &e) != DW_DLV_OK) {
        if (e)
            dwarf_dealloc_error(dbg, e);
        dwarf_srclines_dealloc_b(ctx);
        return;
    }
    for (Dwarf_Signed i = 0; i < n && !o->nomem; i++) {
        Dwarf_Addr addr;
        Dwarf_Unsigned line;
        Dwarf_Bool end;
        if (dwarf_lineaddr(lines[i], &addr, &e) != DW_DLV_OK ||
            dwarf_lineno(lines[i], &line, &e) != DW_DLV_OK ||
            dwarf_lineendsequence(lines[i], &end, &e) != DW_DLV_OK) {
            if (e)
                dwarf_dealloc_error(dbg, e);
            break;
        }
        const code_sym *s = sym_at(o, addr);
        if (!s)
            continue;
        line_row row = {.func = s->func, .kind = s->kind,
                        .offset = (addr & OFFSET_MASK) - s->start,
                        .line = line > UINT32_MAX ? 0 : (uint32_t)line,
                        .end = end != 0};
        if (!end && row.line) {
            char *src = NULL;
            if (dwarf_linesrc(lines[i], &src, &e) != DW_DLV_OK) {
                if (e)
                    dwarf_dealloc_error(dbg, e);
                e = NULL;
                row.line = 0;
            } else {
                row.file = intern(lb, src);
                dwarf_dealloc(dbg, src, DW_DLA_STRING);
                if (row.file == UINT32_MAX) {
                    o->nomem = true;
                    break;
                }
            }
        }
        if (end)
            row.line = 0;
        if (!add_row(lb, &row))
            o->nomem = true;
    }
    dwarf_srclines_dealloc_b(ctx);
}

/* ---- one object: inlined code ---- */

/* What the walk over one unit's DIEs needs. */
typedef struct unit_walk {
    welf_line_builder *lb;
    object *o;
    Dwarf_Debug dbg;
    Dwarf_Addr base;          /* DW_AT_low_pc of the unit: ranges base */
    char **files;             /* the unit's file names (dwarf_srcfiles) */
    Dwarf_Signed file_count;
    bool one_based;           /* DWARF 2-4: DW_AT_call_file counts from 1 */
} unit_walk;

static void drop(Dwarf_Debug dbg, Dwarf_Error e)
{
    if (e)
        dwarf_dealloc_error(dbg, e);
}

/* An unsigned attribute of `die`, 0 when absent. */
static Dwarf_Unsigned die_udata(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at)
{
    Dwarf_Attribute attr;
    Dwarf_Error e = NULL;
    Dwarf_Unsigned v = 0;
    if (dwarf_attr(die, at, &attr, &e) != DW_DLV_OK) {
        drop(dbg, e);
        return 0;
    }
    if (dwarf_formudata(attr, &v, &e) != DW_DLV_OK) {
        drop(dbg, e);
        v = 0;
    }
    dwarf_dealloc_attribute(attr);
    return v;
}

/* Records [lo, hi) (section-tagged addresses) as inlined code. */
static void add_inline_range(unit_walk *w, const inline_rec *proto,
                             Dwarf_Addr lo, Dwarf_Addr hi)
{
    const code_sym *s = sym_at(w->o, lo);
    if (!s || hi <= lo || (hi >> SECTION_SHIFT) != (lo >> SECTION_SHIFT))
        return;
    inline_rec rec = *proto;
    /* An entry trampoline only calls its own function's body: the body
     * inlined there is the entry's function itself, not another frame. */
    if (s->kind != WELF_LINES_WASM && rec.depth-- == 1)
        return;
    rec.func = s->func;
    rec.kind = s->kind;
    rec.start = (lo & OFFSET_MASK) - s->start;
    rec.end = (hi & OFFSET_MASK) - s->start;
    if (rec.end > s->size)
        rec.end = s->size;
    if (!add_inline(w->lb, &rec))
        w->o->nomem = true;
}

/* The code ranges of an inlined subroutine: low_pc/high_pc, or a
 * DW_AT_ranges list in .debug_ranges (DWARF 4, which welf emits). */
static void inline_ranges(unit_walk *w, Dwarf_Die die,
                          const inline_rec *proto)
{
    Dwarf_Error e = NULL;
    Dwarf_Addr lo, hi;
    Dwarf_Half form;
    enum Dwarf_Form_Class cls;
    if (dwarf_lowpc(die, &lo, &e) == DW_DLV_OK) {
        if (dwarf_highpc_b(die, &hi, &form, &cls, &e) != DW_DLV_OK) {
            drop(w->dbg, e);
            return;
        }
        if (cls == DW_FORM_CLASS_CONSTANT)
            hi += lo;
        add_inline_range(w, proto, lo, hi);
        return;
    }
    drop(w->dbg, e);
    e = NULL;
    Dwarf_Attribute attr;
    if (dwarf_attr(die, DW_AT_ranges, &attr, &e) != DW_DLV_OK) {
        drop(w->dbg, e);
        return;
    }
    Dwarf_Off off = 0;
    Dwarf_Unsigned uoff = 0;
    int res = dwarf_global_formref(attr, &off, &e);
    if (res != DW_DLV_OK) {
        drop(w->dbg, e);
        e = NULL;
        res = dwarf_formudata(attr, &uoff, &e);
        off = uoff;
    }
    dwarf_dealloc_attribute(attr);
    if (res != DW_DLV_OK) {
        drop(w->dbg, e);
        return;
    }
    Dwarf_Ranges *ranges;
    Dwarf_Signed n;
    Dwarf_Unsigned bytes;
    if (dwarf_get_ranges_a(w->dbg, off, die, &ranges, &n, &bytes, &e) !=
        DW_DLV_OK) {
        drop(w->dbg, e);
        return;
    }
    Dwarf_Addr base = w->base;
    for (Dwarf_Signed i = 0; i < n && !w->o->nomem; i++) {
        if (ranges[i].dwr_type == DW_RANGES_ADDRESS_SELECTION)
            base = ranges[i].dwr_addr2;
        else if (ranges[i].dwr_type == DW_RANGES_ENTRY)
            add_inline_range(w, proto, base + ranges[i].dwr_addr1,
                             base + ranges[i].dwr_addr2);
    }
    dwarf_ranges_dealloc(w->dbg, ranges, n);
}

/* The string index of the unit's file `n` (DW_AT_call_file) in *out,
 * or NO_STRING when there is no such file; false when memory runs out. */
static bool call_file(unit_walk *w, Dwarf_Unsigned n, uint32_t *out)
{
    *out = NO_STRING;
    if (w->one_based) {
        if (!n)
            return true;
        n--;
    }
    if (n >= (Dwarf_Unsigned)w->file_count || !w->files[n])
        return true;
    *out = intern(w->lb, w->files[n]);
    return *out != UINT32_MAX;
}

/* The inlined subroutines under `die`, which is at inline depth `depth`
 * (0: a subprogram). */
static void walk_children(unit_walk *w, Dwarf_Die die, uint32_t depth,
                          int level)
{
    Dwarf_Error e = NULL;
    Dwarf_Die child;
    if (level > 64 || dwarf_child(die, &child, &e) != DW_DLV_OK) {
        drop(w->dbg, e);
        return;
    }
    while (!w->o->nomem) {
        Dwarf_Half tag = 0;
        if (dwarf_tag(child, &tag, &e) != DW_DLV_OK) {
            drop(w->dbg, e);
            e = NULL;
        }
        if (tag == DW_TAG_inlined_subroutine) {
            const char *name = welf_dw_die_name(w->dbg, child);
            Dwarf_Unsigned line = die_udata(w->dbg, child, DW_AT_call_line);
            inline_rec proto = {
                .depth = depth + 1,
                .name = name ? intern(w->lb, name) : NO_STRING,
                .call_line = line > UINT32_MAX ? 0 : (uint32_t)line};
            if (proto.name == UINT32_MAX ||
                !call_file(w, die_udata(w->dbg, child, DW_AT_call_file),
                           &proto.call_file))
                w->o->nomem = true;
            else
                inline_ranges(w, child, &proto);
            walk_children(w, child, depth + 1, level + 1);
        } else if (tag == DW_TAG_subprogram ||
                   tag == DW_TAG_lexical_block) {
            walk_children(w, child, depth, level + 1);
        }
        Dwarf_Die next;
        int res = dwarf_siblingof_b(w->dbg, child, 1, &next, &e);
        dwarf_dealloc_die(child);
        if (res != DW_DLV_OK) {
            drop(w->dbg, e);
            return;
        }
        child = next;
    }
    dwarf_dealloc_die(child);
}

static void read_inlines(welf_line_builder *lb, object *o, Dwarf_Debug dbg,
                         Dwarf_Die cu, Dwarf_Half version)
{
    unit_walk w = {.lb = lb, .o = o, .dbg = dbg, .one_based = version < 5};
    Dwarf_Error e = NULL;
    if (dwarf_lowpc(cu, &w.base, &e) != DW_DLV_OK) {
        drop(dbg, e);
        e = NULL;
        w.base = 0;
    }
    if (dwarf_srcfiles(cu, &w.files, &w.file_count, &e) != DW_DLV_OK) {
        drop(dbg, e);
        w.files = NULL;
        w.file_count = 0;
    }
    walk_children(&w, cu, 0, 0);
    for (Dwarf_Signed i = 0; i < w.file_count; i++)
        dwarf_dealloc(dbg, w.files[i], DW_DLA_STRING);
    if (w.files)
        dwarf_dealloc(dbg, w.files, DW_DLA_LIST);
}

/* What reading one object's units needs. */
typedef struct object_read {
    welf_line_builder *lb;
    object *o;
    Dwarf_Debug dbg;
} object_read;

static bool read_unit(void *ctx, Dwarf_Die cu, Dwarf_Half version)
{
    object_read *r = ctx;
    read_unit_lines(r->lb, r->o, r->dbg, cu);
    read_inlines(r->lb, r->o, r->dbg, cu, version);
    return !r->o->nomem;
}

/* Copies and relocates the .debug_* sections into `dw`. */
static bool load_debug_sections(object *o, welf_dw_object *dw)
{
    o->copies = welf_malloc(o->shnum * sizeof *o->copies);
    dw->secs = welf_malloc((o->shnum + 1) * sizeof *dw->secs);
    if (!o->copies || !dw->secs)
        return false;
    memset(o->copies, 0, o->shnum * sizeof *o->copies);
    dw->secs[0] = (welf_dw_section){"", NULL, 0};
    dw->count = 1;
    for (size_t i = 1; i < o->shnum; i++) {
        const char *name = section_name(o, i);
        if (!name || strncmp(name, ".debug_", 7) != 0 ||
            o->shdrs[i].sh_type != SHT_PROGBITS)
            continue;
        Elf_Data *d = section_data(o, i);
        if (!d || !d->d_buf || !d->d_size)
            continue;
        uint8_t *copy = welf_malloc(d->d_size);
        if (!copy)
            return false;
        memcpy(copy, d->d_buf, d->d_size);
        o->copies[i] = copy;
        bool ok = true;
        for (size_t r = 1; r < o->shnum && ok; r++)
            if (o->shdrs[r].sh_type == SHT_RELA && o->shdrs[r].sh_info == i)
                ok = relocate(o, r, copy, d->d_size);
        if (ok)
            dw->secs[dw->count++] = (welf_dw_section){name, copy, d->d_size};
    }
    return true;
}

welf_status welf_line_builder_add(welf_line_builder *lb, const uint8_t *bytes,
                                  size_t size, welf_error *err)
{
    object o;
    memset(&o, 0, sizeof o);
    welf_dw_object dw = {.pointer_size = 8};
    welf_status st = WELF_OK;
    elf_version(EV_CURRENT);
    o.elf = elf_memory((char *)(uintptr_t)bytes, size);
    if (!o.elf || elf_kind(o.elf) != ELF_K_ELF ||
        elf_getshdrnum(o.elf, &o.shnum) != 0 ||
        elf_getshdrstrndx(o.elf, &o.shstrndx) != 0 || !o.shnum) {
        st = welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                            "internal error: the line table's input is "
                            "not an ELF object: %s", elf_errmsg(-1));
        goto done;
    }
    if (!(o.shdrs = welf_malloc(o.shnum * sizeof *o.shdrs)))
        goto nomem;
    for (size_t i = 0; i < o.shnum; i++) {
        Elf_Scn *scn = elf_getscn(o.elf, i);
        if (!scn || !gelf_getshdr(scn, &o.shdrs[i]))
            memset(&o.shdrs[i], 0, sizeof o.shdrs[i]);
        if (o.shdrs[i].sh_type == SHT_SYMTAB)
            o.symtab = i;
    }
    if (!o.symtab)
        goto done;
    if (!read_symbols(lb, &o) || !load_debug_sections(&o, &dw))
        goto nomem;
    Dwarf_Debug dbg;
    if (dw.count > 1 && welf_dw_open(&dw, &dbg)) {
        welf_dw_each_unit(dbg, read_unit, &(object_read){lb, &o, dbg});
        Dwarf_Error e = NULL;
        dwarf_object_finish(dbg, &e);
        if (o.nomem)
            goto nomem;
    }
    goto done;
nomem:
    st = welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET, "out of memory");
done:
    welf_free(dw.secs);
    object_free(&o);
    return st;
}

/* ---- the table ---- */

/* Orders by entry (function, then kind). */
static int compare_entry(uint32_t f1, uint32_t k1, uint32_t f2, uint32_t k2)
{
    if (f1 != f2)
        return f1 < f2 ? -1 : 1;
    return k1 < k2 ? -1 : k1 > k2;
}

static int compare_rows(const void *a, const void *b)
{
    const line_row *x = a, *y = b;
    int c = compare_entry(x->func, x->kind, y->func, y->kind);
    if (c)
        return c;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    /* At one address a sequence's end loses to a row that starts code. */
    if (x->end != y->end)
        return x->end ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int compare_inlines(const void *a, const void *b)
{
    const inline_rec *x = a, *y = b;
    int c = compare_entry(x->func, x->kind, y->func, y->kind);
    if (c)
        return c;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->depth != y->depth)
        return x->depth < y->depth ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

typedef struct out {
    uint8_t *p;
    size_t len, cap;
    bool nomem;
} out;

static void put(out *o, const void *bytes, size_t n)
{
    if (o->nomem || !n)
        return;
    if (o->cap - o->len < n) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap - o->len < n)
            cap *= 2;
        uint8_t *p = welf_realloc(o->p, cap);
        if (!p) {
            o->nomem = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, bytes, n);
    o->len += n;
}

static void put32(out *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                    (uint8_t)(v >> 24)};
    put(o, b, 4);
}

static void put_uleb(out *o, uint64_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        if (v)
            byte |= 0x80;
        put(o, &byte, 1);
    } while (v);
}

static void put_sleb(out *o, int64_t v)
{
    for (;;) {
        uint8_t byte = (uint8_t)(v & 0x7f);
        v >>= 7;  /* gcc and clang shift signed values arithmetically */
        bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
        if (!done)
            byte |= 0x80;
        put(o, &byte, 1);
        if (done)
            return;
    }
}

/* Sorts the rows and keeps the last row at each offset of an entry,
 * then only those that change the location; returns how many remain. */
static uint32_t compact_rows(welf_line_builder *lb)
{
    if (lb->row_count)
        qsort(lb->rows, lb->row_count, sizeof *lb->rows, compare_rows);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < lb->row_count; i++) {
        const line_row *r = &lb->rows[i];
        if (i + 1 < lb->row_count && lb->rows[i + 1].func == r->func &&
            lb->rows[i + 1].kind == r->kind &&
            lb->rows[i + 1].offset == r->offset)
            continue;
        const line_row *prev = kept ? &lb->rows[kept - 1] : NULL;
        bool same_entry = prev && prev->func == r->func &&
                          prev->kind == r->kind;
        if (same_entry ? prev->line == r->line &&
                             (!r->line || prev->file == r->file)
                       : !r->line)
            continue;
        lb->rows[kept++] = *r;
    }
    return kept;
}

static uint32_t string_index(uint32_t s)
{
    return s == NO_STRING ? UINT32_MAX : s;
}

welf_status welf_line_builder_finish(welf_line_builder *lb, uint8_t **table,
                                     size_t *size, welf_error *err)
{
    *table = NULL;
    *size = 0;
    uint32_t nrows = compact_rows(lb);
    if (lb->inl_count)
        qsort(lb->inls, lb->inl_count, sizeof *lb->inls, compare_inlines);

    /* The entries: every (function, kind) with rows or inline records,
     * merging the two sorted lists. */
    uint32_t cap = nrows + lb->inl_count + 1;
    welf_lines_entry *ents = welf_malloc((size_t)cap * sizeof *ents);
    out rows = {0}, strings = {0}, t = {0};
    if (!ents)
        goto nomem;
    uint32_t n = 0, r = 0, k = 0;
    while (r < nrows || k < lb->inl_count) {
        int c = r == nrows ? 1
                : k == lb->inl_count
                    ? -1
                    : compare_entry(lb->rows[r].func, lb->rows[r].kind,
                                    lb->inls[k].func, lb->inls[k].kind);
        uint32_t func = c <= 0 ? lb->rows[r].func : lb->inls[k].func;
        uint32_t kind = c <= 0 ? lb->rows[r].kind : lb->inls[k].kind;
        welf_lines_entry *e = &ents[n++];
        *e = (welf_lines_entry){func, kind, (uint32_t)rows.len, 0, k, 0};
        uint64_t last_offset = 0;
        uint32_t last_line = 0;
        for (; r < nrows && lb->rows[r].func == func &&
               lb->rows[r].kind == kind;
             r++) {
            const line_row *row = &lb->rows[r];
            put_uleb(&rows, row->offset - last_offset);
            put_sleb(&rows, (int64_t)row->line - (int64_t)last_line);
            put_uleb(&rows, row->line ? row->file : 0);
            last_offset = row->offset;
            last_line = row->line;
            e->row_count++;
        }
        for (; k < lb->inl_count && lb->inls[k].func == func &&
               lb->inls[k].kind == kind;
             k++)
            e->inline_count++;
    }
    const welf_strset *ss = &lb->strings;
    for (uint32_t f = 0; f < ss->count; f++)
        put(&strings, ss->strings[f], strlen(ss->strings[f]) + 1);
    if (rows.nomem || strings.nomem)
        goto nomem;
    if (rows.len > UINT32_MAX || strings.len > UINT32_MAX) {
        welf_error_set(err, WELF_ERR_UNSUPPORTED, WELF_NO_OFFSET,
                       "the line table is larger than 4 GiB");
        goto fail;
    }

    put32(&t, WELF_LINES_MAGIC);
    put32(&t, ss->count);
    put32(&t, n);
    put32(&t, lb->inl_count);
    put32(&t, (uint32_t)rows.len);
    put32(&t, (uint32_t)strings.len);
    uint32_t at = 0;
    for (uint32_t f = 0; f < ss->count; f++) {
        put32(&t, at);
        at += (uint32_t)strlen(ss->strings[f]) + 1;
    }
    for (uint32_t i = 0; i < n; i++) {
        put32(&t, ents[i].func);
        put32(&t, ents[i].kind);
        put32(&t, ents[i].rows_offset);
        put32(&t, ents[i].row_count);
        put32(&t, ents[i].inline_first);
        put32(&t, ents[i].inline_count);
    }
    for (uint32_t i = 0; i < lb->inl_count; i++) {
        const inline_rec *in = &lb->inls[i];
        put32(&t, in->start > UINT32_MAX ? UINT32_MAX : (uint32_t)in->start);
        put32(&t, in->end > UINT32_MAX ? UINT32_MAX : (uint32_t)in->end);
        put32(&t, in->depth);
        put32(&t, string_index(in->name));
        put32(&t, string_index(in->call_file));
        put32(&t, in->call_line);
    }
    put(&t, rows.p, rows.len);
    put(&t, strings.p, strings.len);
    if (t.nomem)
        goto nomem;
    *table = t.p;
    *size = t.len;
    welf_free(ents);
    welf_free(rows.p);
    welf_free(strings.p);
    return WELF_OK;

nomem:
    welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET, "out of memory");
fail:
    welf_free(t.p);
    welf_free(ents);
    welf_free(rows.p);
    welf_free(strings.p);
    return err->code;
}
