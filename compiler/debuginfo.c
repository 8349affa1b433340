/*
 * debuginfo.c — `welf compile -g` (debuginfo.h): reads the DWARF of a
 * .wasm with libdwarf and describes the lowered code with LLVM-C's
 * DIBuilder, so the object carries native .debug_info and .debug_line
 * for the original source.
 *
 * Reading. libdwarf reads any object format through an access interface
 * (sections by index, byte order, pointer size): here the sections are
 * the module's .debug_* custom sections, behind a dummy section 0 as in
 * ELF, little-endian with 4-byte addresses (wasm32). Every line table
 * row becomes a welf_debug_row; a sequence whose first address is not
 * inside the code section (the tombstones 0xffffffff and 0xfffffffe, or
 * 0, that wasm-ld writes for functions it removed) is left out. Every
 * DW_TAG_subprogram with a code range becomes a welf_debug_func. The
 * DWARF is advisory, as the name section is: anything libdwarf rejects
 * is skipped, and a module with no usable rows falls back to the
 * synthetic listing.
 *
 * Emitting. Each compile unit of the wasm's DWARF that a chunk uses
 * becomes a native one (an LLVM DIBuilder each). Each wasm function gets
 * a DISubprogram named after the subprogram covering its code (else its
 * symbol), in the file of its first line row; each instruction's
 * code-section offset is looked up in the rows and becomes the builder's
 * DILocation (a lexical block file when the row's file is not the
 * subprogram's, as for code from headers). LLVM carries the locations
 * through optimisation and inlining (inlined-at chains) into .debug_line
 * and .debug_info. No types or variables are described, so the code is
 * the same with and without debug information.
 *
 * Not done: source variables (DWARF for wasm places them in wasm locals,
 * on the operand stack and in linear memory; their native locations are
 * not worked out), and source-level inlining recorded in the wasm's
 * DWARF (DW_TAG_inlined_subroutine): such code is attributed to the
 * function it was inlined into.
 */
#include "debuginfo.h"

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <llvm-c/DebugInfo.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

/* The most nested namespaces and classes searched for subprograms. */
#define MAX_DIE_DEPTH 32

/* ---- reading: the access interface over named sections ---- */

static int obj_section_info(void *obj, Dwarf_Half index,
                            Dwarf_Obj_Access_Section *out, int *error)
{
    welf_dw_object *o = obj;
    (void)error;
    if (index >= o->count)
        return DW_DLV_NO_ENTRY;
    memset(out, 0, sizeof *out);
    out->type = index ? 1 /* SHT_PROGBITS */ : 0;
    out->size = o->secs[index].size;
    out->name = o->secs[index].name;
    return DW_DLV_OK;
}

static Dwarf_Endianness obj_byte_order(void *obj)
{
    (void)obj;
    return DW_OBJECT_LSB;
}

static Dwarf_Small obj_length_size(void *obj)
{
    (void)obj;
    return 4;
}

static Dwarf_Small obj_pointer_size(void *obj)
{
    return ((welf_dw_object *)obj)->pointer_size;
}

static Dwarf_Unsigned obj_section_count(void *obj)
{
    return ((welf_dw_object *)obj)->count;
}

static int obj_load_section(void *obj, Dwarf_Half index, Dwarf_Small **data,
                            int *error)
{
    welf_dw_object *o = obj;
    (void)error;
    if (index == 0 || index >= o->count)
        return DW_DLV_NO_ENTRY;
    /* libdwarf only reads the bytes: any relocations are applied already
     * (relocate_a_section is NULL). */
    *data = (Dwarf_Small *)(uintptr_t)o->secs[index].bytes;
    return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods obj_methods = {
    obj_section_info, obj_byte_order, obj_length_size, obj_pointer_size,
    obj_section_count, obj_load_section, NULL,
};

bool welf_dw_open(welf_dw_object *o, Dwarf_Debug *dbg)
{
    o->iface = (Dwarf_Obj_Access_Interface){o, &obj_methods};
    Dwarf_Error e = NULL;
    if (dwarf_object_init_b(&o->iface, NULL, NULL, DW_GROUPNUMBER_ANY, dbg,
                            &e) == DW_DLV_OK)
        return true;
    if (e)
        dwarf_dealloc_error(NULL, e);
    return false;
}

/* ---- reading: state ---- */

typedef struct reader {
    welf_debug_info *di;
    Dwarf_Debug dbg;
    bool nomem;
    uint32_t code_size;      /* bytes in the code section's contents */
    uint32_t first_body;     /* code-section offset of the first body */
    uint32_t unit;           /* the unit being read */
    /* growing arrays (welf_malloc) */
    uint32_t row_cap, func_cap, unit_cap;
    welf_strset files;       /* becomes di->files */
} reader;

static void drop_error(reader *rd, Dwarf_Error e)
{
    if (e)
        dwarf_dealloc_error(rd->dbg, e);
}

static char *arena_strdup(welf_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *c = welf_arena_alloc(a, n + 1);
    if (c)
        memcpy(c, s, n + 1);
    return c;
}

static void *grow(void *p, uint32_t *cap, size_t elem)
{
    uint32_t n = *cap ? *cap * 2 : 64;
    void *q = welf_realloc(p, (size_t)n * elem);
    if (q)
        *cap = n;
    return q;
}

static bool add_row(reader *rd, const welf_debug_row *row)
{
    welf_debug_info *di = rd->di;
    if (di->row_count == rd->row_cap) {
        welf_debug_row *r = grow(di->rows, &rd->row_cap, sizeof *r);
        if (!r)
            return false;
        di->rows = r;
    }
    di->rows[di->row_count] = *row;
    di->rows[di->row_count].order = di->row_count;
    di->row_count++;
    return true;
}

/* True when a sequence starting at `addr` describes code that exists. */
static bool live_address(const reader *rd, Dwarf_Addr addr)
{
    return addr >= rd->first_body && addr < rd->code_size;
}

/* The rows of one unit's line table. */
static void read_lines(reader *rd, Dwarf_Die cu)
{
    Dwarf_Error e = NULL;
    Dwarf_Unsigned version;
    Dwarf_Small tables;
    Dwarf_Line_Context ctx;
    if (dwarf_srclines_b(cu, &version, &tables, &ctx, &e) != DW_DLV_OK) {
        drop_error(rd, e);
        return;
    }
    Dwarf_Line *lines;
    Dwarf_Signed n;
    if (dwarf_srclines_from_linecontext(ctx, &lines, &n, &e) != DW_DLV_OK) {
        drop_error(rd, e);
        dwarf_srclines_dealloc_b(ctx);
        return;
    }
    bool in_seq = false, skip = false;
    for (Dwarf_Signed i = 0; i < n && !rd->nomem; i++) {
        Dwarf_Addr addr;
        Dwarf_Unsigned line, column;
        Dwarf_Bool end, prologue_end = 0, epilogue_begin;
        Dwarf_Unsigned isa, discriminator;
        char *src = NULL;
        if (dwarf_prologue_end_etc(lines[i], &prologue_end, &epilogue_begin,
                                   &isa, &discriminator, &e) != DW_DLV_OK) {
            drop_error(rd, e);
            e = NULL;
            prologue_end = 0;
        }
        if (dwarf_lineaddr(lines[i], &addr, &e) != DW_DLV_OK ||
            dwarf_lineno(lines[i], &line, &e) != DW_DLV_OK ||
            dwarf_lineoff_b(lines[i], &column, &e) != DW_DLV_OK ||
            dwarf_lineendsequence(lines[i], &end, &e) != DW_DLV_OK) {
            drop_error(rd, e);
            e = NULL;
            break;
        }
        if (!in_seq) {
            in_seq = true;
            skip = !live_address(rd, addr);
        }
        if (end)
            in_seq = false;
        if (skip || addr > rd->code_size)
            continue;
        welf_debug_row row = {.addr = (uint32_t)addr,
                              .unit = rd->unit,
                              .line = line > UINT32_MAX ? 0 : (uint32_t)line,
                              .column = column > UINT32_MAX
                                            ? 0 : (uint32_t)column,
                              .end = end != 0,
                              .prologue_end = prologue_end != 0};
        if (!end) {
            if (dwarf_linesrc(lines[i], &src, &e) != DW_DLV_OK) {
                drop_error(rd, e);
                e = NULL;
                continue;
            }
            row.file = welf_strset_add(&rd->files, src);
            dwarf_dealloc(rd->dbg, src, DW_DLA_STRING);
            if (row.file == UINT32_MAX) {
                rd->nomem = true;
                break;
            }
        }
        if (!add_row(rd, &row))
            rd->nomem = true;
    }
    dwarf_srclines_dealloc_b(ctx);
}

/* DW_AT_name of `die`, else of the DIE its DW_AT_specification or
 * DW_AT_abstract_origin names; NULL if none. Points into libdwarf's
 * data: copy it before dwarf_object_finish. */
static const char *die_name_at(Dwarf_Debug dbg, Dwarf_Die die, int depth)
{
    Dwarf_Error e = NULL;
    char *name = NULL;
    int res = dwarf_diename(die, &name, &e);
    if (res == DW_DLV_OK)
        return name;
    if (e)
        dwarf_dealloc_error(dbg, e);
    if (depth > 2)
        return NULL;
    static const Dwarf_Half refs[] = {DW_AT_specification,
                                      DW_AT_abstract_origin};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        Dwarf_Attribute attr;
        e = NULL;
        if (dwarf_attr(die, refs[i], &attr, &e) != DW_DLV_OK) {
            if (e)
                dwarf_dealloc_error(dbg, e);
            continue;
        }
        Dwarf_Off off;
        Dwarf_Die target;
        const char *found = NULL;
        e = NULL;
        if (dwarf_global_formref(attr, &off, &e) == DW_DLV_OK &&
            dwarf_offdie_b(dbg, off, 1, &target, &e) == DW_DLV_OK) {
            found = die_name_at(dbg, target, depth + 1);
            dwarf_dealloc_die(target);
        } else if (e) {
            dwarf_dealloc_error(dbg, e);
        }
        dwarf_dealloc_attribute(attr);
        if (found)
            return found;
    }
    return NULL;
}

const char *welf_dw_die_name(Dwarf_Debug dbg, Dwarf_Die die)
{
    return die_name_at(dbg, die, 0);
}

static uint32_t die_udata(reader *rd, Dwarf_Die die, Dwarf_Half at)
{
    Dwarf_Error e = NULL;
    Dwarf_Attribute attr;
    Dwarf_Unsigned v = 0;
    if (dwarf_attr(die, at, &attr, &e) != DW_DLV_OK) {
        drop_error(rd, e);
        return 0;
    }
    if (dwarf_formudata(attr, &v, &e) != DW_DLV_OK) {
        drop_error(rd, e);
        v = 0;
    }
    dwarf_dealloc_attribute(attr);
    return v > UINT32_MAX ? 0 : (uint32_t)v;
}

/* Records `die` if it is a subprogram with a live code range. */
static void read_subprogram(reader *rd, Dwarf_Die die)
{
    Dwarf_Error e = NULL;
    Dwarf_Addr low, high;
    Dwarf_Half form;
    enum Dwarf_Form_Class cls;
    if (dwarf_lowpc(die, &low, &e) != DW_DLV_OK) {
        drop_error(rd, e);
        return;
    }
    e = NULL;
    if (dwarf_highpc_b(die, &high, &form, &cls, &e) != DW_DLV_OK) {
        drop_error(rd, e);
        return;
    }
    if (cls == DW_FORM_CLASS_CONSTANT)
        high += low;
    if (!live_address(rd, low) || high <= low || high > rd->code_size)
        return;
    const char *name = welf_dw_die_name(rd->dbg, die);
    if (!name)
        return;
    welf_debug_info *di = rd->di;
    if (di->func_count == rd->func_cap) {
        welf_debug_func *f = grow(di->funcs, &rd->func_cap, sizeof *f);
        if (!f) {
            rd->nomem = true;
            return;
        }
        di->funcs = f;
    }
    char *copy = arena_strdup(&di->arena, name);
    if (!copy) {
        rd->nomem = true;
        return;
    }
    di->funcs[di->func_count++] = (welf_debug_func){
        .low = (uint32_t)low, .high = (uint32_t)high, .name = copy,
        .decl_line = die_udata(rd, die, DW_AT_decl_line), .unit = rd->unit};
}

/* Walks the children of `parent`: subprograms, and the namespaces and
 * types that may hold them. */
static void read_children(reader *rd, Dwarf_Die parent, int depth)
{
    Dwarf_Error e = NULL;
    Dwarf_Die die;
    if (depth > MAX_DIE_DEPTH || dwarf_child(parent, &die, &e) != DW_DLV_OK) {
        drop_error(rd, e);
        return;
    }
    while (!rd->nomem) {
        Dwarf_Half tag;
        e = NULL;
        if (dwarf_tag(die, &tag, &e) == DW_DLV_OK) {
            if (tag == DW_TAG_subprogram)
                read_subprogram(rd, die);
            else if (tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
                     tag == DW_TAG_structure_type ||
                     tag == DW_TAG_union_type || tag == DW_TAG_module)
                read_children(rd, die, depth + 1);
        } else {
            drop_error(rd, e);
        }
        Dwarf_Die next;
        e = NULL;
        int res = dwarf_siblingof_b(rd->dbg, die, 1, &next, &e);
        dwarf_dealloc_die(die);
        if (res != DW_DLV_OK) {
            drop_error(rd, e);
            return;
        }
        die = next;
    }
    dwarf_dealloc_die(die);
}

/* A string attribute of `die`, copied into the arena; NULL if absent. */
static const char *die_string(reader *rd, Dwarf_Die die, Dwarf_Half at)
{
    Dwarf_Error e = NULL;
    Dwarf_Attribute attr;
    char *str;
    const char *copy = NULL;
    if (dwarf_attr(die, at, &attr, &e) != DW_DLV_OK) {
        drop_error(rd, e);
        return NULL;
    }
    if (dwarf_formstring(attr, &str, &e) == DW_DLV_OK) {
        copy = arena_strdup(&rd->di->arena, str);
        rd->nomem |= !copy;
    } else {
        drop_error(rd, e);
    }
    dwarf_dealloc_attribute(attr);
    return copy;
}

/* Adds the unit whose DIE is `cu`; false when memory runs out. */
static bool add_unit(reader *rd, Dwarf_Die cu)
{
    welf_debug_info *di = rd->di;
    if (di->unit_count == rd->unit_cap) {
        welf_debug_unit *u = grow(di->units, &rd->unit_cap, sizeof *u);
        if (!u)
            return false;
        di->units = u;
    }
    rd->unit = di->unit_count++;
    di->units[rd->unit] = (welf_debug_unit){
        .name = die_string(rd, cu, DW_AT_name),
        .comp_dir = die_string(rd, cu, DW_AT_comp_dir),
        .language = die_udata(rd, cu, DW_AT_language)};
    return !rd->nomem;
}

void welf_dw_each_unit(Dwarf_Debug dbg, welf_dw_unit_fn fn, void *ctx)
{
    for (unsigned guard = 0; guard < 1u << 20; guard++) {
        Dwarf_Error e = NULL;
        Dwarf_Unsigned length, type_offset, next;
        Dwarf_Half version, addr_size, length_size, ext_size, unit_type;
        Dwarf_Off abbrev;
        Dwarf_Sig8 sig;
        int res = dwarf_next_cu_header_d(dbg, 1, &length, &version, &abbrev,
                                         &addr_size, &length_size, &ext_size,
                                         &sig, &type_offset, &next,
                                         &unit_type, &e);
        if (res != DW_DLV_OK) {
            if (e)
                dwarf_dealloc_error(dbg, e);
            return;
        }
        Dwarf_Die cu;
        e = NULL;
        if (dwarf_siblingof_b(dbg, NULL, 1, &cu, &e) != DW_DLV_OK) {
            if (e)
                dwarf_dealloc_error(dbg, e);
            continue;
        }
        bool more = fn(ctx, cu, version);
        dwarf_dealloc_die(cu);
        if (!more)
            return;
    }
}

static bool read_unit(void *ctx, Dwarf_Die cu, Dwarf_Half version)
{
    reader *rd = ctx;
    (void)version;
    if (add_unit(rd, cu)) {
        read_lines(rd, cu);
        read_children(rd, cu, 0);
    } else {
        rd->nomem = true;
    }
    return !rd->nomem;
}

static int compare_rows(const void *a, const void *b)
{
    const welf_debug_row *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    /* A sequence ending where another starts: the end row first, so
     * the start is the row that covers the address. */
    if (x->end != y->end)
        return x->end ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int compare_funcs(const void *a, const void *b)
{
    const welf_debug_func *x = a, *y = b;
    if (x->low != y->low)
        return x->low < y->low ? -1 : 1;
    return (x->high > y->high) - (x->high < y->high);
}

/* Finds the code section's contents by walking the section headers of
 * the (validated) module. False when it has no code section. */
static bool find_code_section(const welf_wasm *m, uint32_t *start,
                              uint32_t *size)
{
    welf_error scratch;
    welf_reader r;
    welf_reader_init(&r, m->bytes, m->bytes + 8, m->bytes + m->size_bytes,
                     &scratch);
    while (!welf_reader_done(&r)) {
        uint8_t id;
        uint32_t len;
        if (!welf_read_u8(&r, &id) || !welf_read_u32(&r, &len) ||
            len > welf_reader_left(&r))
            return false;
        if (id == 10) {
            *start = welf_reader_offset(&r);
            *size = len;
            return true;
        }
        r.p += len;
    }
    return false;
}

/* Reads the DWARF into di; leaves it empty when there is none or
 * libdwarf rejects it. False only when memory runs out. */
static bool read_dwarf(welf_debug_info *di)
{
    const welf_wasm *m = di->m;
    reader rd = {.di = di};
    welf_strset_init(&rd.files, &di->arena);
    uint32_t code_size;
    if (m->func_count == m->func_import_count ||
        !find_code_section(m, &di->code_start, &code_size))
        return true;
    rd.code_size = code_size;
    rd.first_body = m->funcs[m->func_import_count].body_offset -
                    di->code_start;
    welf_dw_object obj = {.pointer_size = 4};
    obj.secs = welf_arena_calloc(&di->arena, m->custom_count + 1,
                                 sizeof *obj.secs);
    if (!obj.secs)
        return false;
    obj.secs[0].name = "";
    obj.count = 1;
    bool has_info = false, has_line = false;
    for (uint32_t i = 0; i < m->custom_count; i++) {
        const welf_custom *c = &m->customs[i];
        if (c->name.len < 7 || c->name.len > 64 ||
            memcmp(c->name.bytes, ".debug_", 7) != 0 ||
            memchr(c->name.bytes, 0, c->name.len))
            continue;
        char *name = welf_arena_alloc(&di->arena, c->name.len + 1);
        if (!name)
            return false;
        memcpy(name, c->name.bytes, c->name.len);
        name[c->name.len] = '\0';
        has_info |= strcmp(name, ".debug_info") == 0;
        has_line |= strcmp(name, ".debug_line") == 0;
        obj.secs[obj.count++] = (welf_dw_section){name, c->bytes,
                                                  c->size_bytes};
    }
    if (!has_info || !has_line)
        return true;
    if (!welf_dw_open(&obj, &rd.dbg))
        return true;
    welf_dw_each_unit(rd.dbg, read_unit, &rd);
    Dwarf_Error e = NULL;
    dwarf_object_finish(rd.dbg, &e);
    welf_strset_drop_index(&rd.files);
    di->files = rd.files.strings;
    di->file_count = rd.files.count;
    if (rd.nomem)
        return false;
    qsort(di->rows, di->row_count, sizeof *di->rows, compare_rows);
    qsort(di->funcs, di->func_count, sizeof *di->funcs, compare_funcs);
    di->has_dwarf = di->row_count > 0;
    return true;
}

welf_status welf_debug_info_read(const welf_wasm *m, const char *name,
                                 welf_debug_info *di, welf_error *err)
{
    memset(di, 0, sizeof *di);
    welf_arena_init(&di->arena);
    di->m = m;
    size_t n = strlen(name);
    char *listing = welf_arena_alloc(&di->arena, n + 10);
    if (!listing || !read_dwarf(di)) {
        welf_debug_info_free(di);
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory reading debug information");
    }
    memcpy(listing, name, n);
    memcpy(listing + n, ".wasm.lst", 10);
    di->listing = listing;
    if (!di->has_dwarf) {
        /* Rows of a module whose DWARF was unusable are not used. */
        di->row_count = 0;
        di->func_count = 0;
    }
    return WELF_OK;
}

void welf_debug_info_free(welf_debug_info *di)
{
    welf_free(di->units);
    welf_free(di->rows);
    welf_free(di->files);
    welf_free(di->funcs);
    welf_arena_free(&di->arena);
    memset(di, 0, sizeof *di);
}

/* ---- emitting ---- */

/* A lexical block file: the scope of rows from another file. */
typedef struct block_file {
    uint32_t file;
    LLVMMetadataRef scope;
} block_file;

/* A native compile unit; LLVM's DIBuilder makes one per builder. DIFiles
 * and subroutine types are uniqued by the context, so any builder may
 * make them for any unit. */
typedef struct emit_unit {
    LLVMDIBuilderRef dib;        /* NULL until a function needs it */
} emit_unit;

struct welf_debug_emit {
    const welf_debug_info *di;
    LLVMModuleRef mod;
    LLVMContextRef ctx;
    emit_unit *units;            /* per di->units, then the listing's */
    LLVMMetadataRef listing;     /* the synthetic file */
    LLVMMetadataRef fn_type;     /* one subroutine type for all */
    LLVMMetadataRef *files;      /* per di->files, made on first use */
    bool optimized;

    /* The function being lowered. */
    LLVMDIBuilderRef dib;        /* its unit's builder */
    LLVMMetadataRef sp;
    uint32_t sp_file;            /* UINT32_MAX: the listing */
    uint32_t row;                /* cursor into di->rows */
    uint32_t lo;                 /* the body's code-section offset */
    uint32_t body;               /* code-section offset of the row with
                                    prologue_end: before it, line 0 */
    uint32_t cur_file, cur_line, cur_column;
    bool uncovered;              /* no DWARF row in its body: line 0 */
    block_file *blocks;          /* welf_malloc'd, per function */
    uint32_t block_count, block_cap;
};

/* "dir/base" -> a DIFile; a relative path is relative to `dir` (which
 * may be NULL). */
static LLVMMetadataRef make_file(LLVMDIBuilderRef dib, const char *path,
                                 const char *dir)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return LLVMDIBuilderCreateFile(dib, path, strlen(path),
                                       dir ? dir : "", dir ? strlen(dir) : 0);
    size_t dir_len = slash == path ? 1 : (size_t)(slash - path);
    if (path[0] != '/' && dir)
        return LLVMDIBuilderCreateFile(dib, path, strlen(path), dir,
                                       strlen(dir));
    return LLVMDIBuilderCreateFile(dib, slash + 1, strlen(slash + 1), path,
                                   dir_len);
}

static LLVMDWARFSourceLanguage language(uint32_t dw_lang)
{
    switch (dw_lang) {
    case DW_LANG_C89: return LLVMDWARFSourceLanguageC89;
    case DW_LANG_C: return LLVMDWARFSourceLanguageC;
    case DW_LANG_C_plus_plus: return LLVMDWARFSourceLanguageC_plus_plus;
    case DW_LANG_C_plus_plus_03:
        return LLVMDWARFSourceLanguageC_plus_plus_03;
    case DW_LANG_C_plus_plus_11:
        return LLVMDWARFSourceLanguageC_plus_plus_11;
    case DW_LANG_C_plus_plus_14:
        return LLVMDWARFSourceLanguageC_plus_plus_14;
    case DW_LANG_C11: return LLVMDWARFSourceLanguageC11;
    case DW_LANG_Rust: return LLVMDWARFSourceLanguageRust;
    default: return LLVMDWARFSourceLanguageC99;
    }
}

/* The builder of unit u (the module's unit u, or the listing's when u is
 * unit_count), making its compile unit on first use. */
static LLVMDIBuilderRef unit_builder(welf_debug_emit *de, uint32_t u)
{
    const welf_debug_info *di = de->di;
    emit_unit *eu = &de->units[u];
    if (eu->dib)
        return eu->dib;
    eu->dib = LLVMCreateDIBuilder(de->mod);
    const welf_debug_unit *wu = u < di->unit_count ? &di->units[u] : NULL;
    LLVMMetadataRef file = wu && wu->name
                               ? make_file(eu->dib, wu->name, wu->comp_dir)
                               : de->listing;
    static const char producer[] = "welf";
    LLVMDIBuilderCreateCompileUnit(
        eu->dib, language(wu ? wu->language : 0), file, producer,
        sizeof producer - 1, de->optimized, "", 0, 0, "", 0,
        LLVMDWARFEmissionFull, 0, 0, 0, "", 0, "", 0);
    return eu->dib;
}

welf_debug_emit *welf_debug_emit_new(const welf_debug_info *di,
                                     LLVMModuleRef mod, bool optimized,
                                     welf_arena *arena)
{
    welf_debug_emit *de = welf_arena_calloc(arena, 1, sizeof *de);
    if (!de)
        return NULL;
    de->files = welf_arena_calloc(arena, di->file_count + 1,
                                  sizeof *de->files);
    de->units = welf_arena_calloc(arena, di->unit_count + 1,
                                  sizeof *de->units);
    if (!de->files || !de->units)
        return NULL;
    de->di = di;
    de->mod = mod;
    de->ctx = LLVMGetModuleContext(mod);
    de->optimized = optimized;
    /* Uniqued nodes only: this builder has nothing to finalize. */
    LLVMDIBuilderRef dib = LLVMCreateDIBuilder(mod);
    de->listing = LLVMDIBuilderCreateFile(dib, di->listing,
                                          strlen(di->listing), "", 0);
    de->fn_type = LLVMDIBuilderCreateSubroutineType(dib, de->listing, NULL,
                                                    0, LLVMDIFlagZero);
    LLVMDisposeDIBuilder(dib);
    return de;
}

static LLVMMetadataRef file_md(welf_debug_emit *de, uint32_t file)
{
    if (file == UINT32_MAX)
        return de->listing;
    if (!de->files[file])
        de->files[file] = make_file(de->dib, de->di->files[file], NULL);
    return de->files[file];
}

/* The scope for a row of `file` in the current function. */
static LLVMMetadataRef scope_for(welf_debug_emit *de, uint32_t file)
{
    if (file == de->sp_file)
        return de->sp;
    for (uint32_t i = 0; i < de->block_count; i++)
        if (de->blocks[i].file == file)
            return de->blocks[i].scope;
    LLVMMetadataRef scope = LLVMDIBuilderCreateLexicalBlockFile(
        de->dib, de->sp, file_md(de, file), 0);
    if (de->block_count == de->block_cap) {
        block_file *b = grow(de->blocks, &de->block_cap, sizeof *b);
        if (!b)
            return scope;  /* uncached: made again next time */
        de->blocks = b;
    }
    de->blocks[de->block_count++] = (block_file){file, scope};
    return scope;
}

static void set_location(welf_debug_emit *de, LLVMBuilderRef b,
                         uint32_t file, uint32_t line, uint32_t column)
{
    if (file == de->cur_file && line == de->cur_line &&
        column == de->cur_column)
        return;
    de->cur_file = file;
    de->cur_line = line;
    de->cur_column = column;
    LLVMMetadataRef loc = LLVMDIBuilderCreateDebugLocation(
        de->ctx, line, column, scope_for(de, file), NULL);
    LLVMSetCurrentDebugLocation2(b, loc);
}

/* The first row at or after code-section offset `addr`. */
static uint32_t lower_bound(const welf_debug_info *di, uint32_t addr)
{
    uint32_t lo = 0, hi = di->row_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (di->rows[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The subprogram whose range holds code-section offset `addr`: the
 * last one starting at or before it. */
static const welf_debug_func *func_at(const welf_debug_info *di,
                                      uint32_t addr)
{
    uint32_t lo = 0, hi = di->func_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (di->funcs[mid].low <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && addr < di->funcs[lo - 1].high ? &di->funcs[lo - 1]
                                                   : NULL;
}

/*
 * Functions start as clang's do, so that gdb stops where a native
 * function's body begins: the first line (the opening brace) at the
 * entry, then line 0 for what comes before the wasm's prologue_end row
 * (welf's own prologue, the wasm code that sets up the shadow stack),
 * so LLVM's prologue_end lands on the first line of the body. Without a
 * prologue_end row, the prologue keeps the first line.
 */
void welf_debug_function_begin(welf_debug_emit *de, LLVMBuilderRef b,
                               LLVMValueRef fn, uint32_t index,
                               const char *symbol)
{
    const welf_debug_info *di = de->di;
    const welf_func *fd = &di->m->funcs[index];
    const char *name = symbol;
    uint32_t file = UINT32_MAX, decl_line = fd->body_offset;
    uint32_t scope_line = fd->code_offset, prologue_line = 0;
    uint32_t unit = di->unit_count;
    uint32_t first = UINT32_MAX;
    de->uncovered = false;
    if (di->has_dwarf) {
        uint32_t lo = fd->body_offset - di->code_start;
        uint32_t hi = fd->code_end - di->code_start;
        uint32_t k = lower_bound(di, lo);
        de->body = 0;
        de->row = k;
        de->lo = lo;
        for (uint32_t i = k; i < di->row_count && di->rows[i].addr < hi;
             i++) {
            const welf_debug_row *r = &di->rows[i];
            if (first == UINT32_MAX && !r->end && r->line != 0)
                first = i;
            if (!r->end && r->prologue_end) {
                de->body = r->addr;
                break;
            }
        }
        /* A function the DWARF does not describe (from a library built
         * without -g) still gets a subprogram, with line 0 throughout,
         * so that what LLVM inlines into it keeps its lines and its
         * inlined-at chain; debuggers step over it as over a native
         * function without debug information. */
        de->uncovered = first == UINT32_MAX;
    }
    if (de->uncovered) {
        scope_line = decl_line = prologue_line = 0;
    } else if (di->has_dwarf) {
        const welf_debug_func *df = func_at(di, fd->code_offset -
                                                    di->code_start);
        file = di->rows[first].file;
        scope_line = di->rows[first].line;
        decl_line = df && df->decl_line ? df->decl_line : scope_line;
        prologue_line = de->body ? 0 : scope_line;
        unit = df ? df->unit : di->rows[first].unit;
        if (df)
            name = df->name;
    }
    de->dib = unit_builder(de, unit);
    de->block_count = 0;
    LLVMMetadataRef f = file_md(de, file);
    de->sp = LLVMDIBuilderCreateFunction(
        de->dib, f, name, strlen(name), "", 0, f, decl_line, de->fn_type, 1,
        1, scope_line, LLVMDIFlagZero, de->optimized);
    de->sp_file = file;
    LLVMSetSubprogram(fn, de->sp);
    de->cur_file = de->cur_line = de->cur_column = UINT32_MAX;
    set_location(de, b, file, prologue_line, 0);
}

void welf_debug_artificial_begin(welf_debug_emit *de, LLVMBuilderRef b,
                                 LLVMValueRef fn, const char *name)
{
    de->dib = unit_builder(de, de->di->unit_count);
    de->block_count = 0;
    de->uncovered = true;
    de->sp = LLVMDIBuilderCreateFunction(
        de->dib, de->listing, name, strlen(name), "", 0, de->listing, 0,
        de->fn_type, 1, 1, 0, LLVMDIFlagArtificial, de->optimized);
    de->sp_file = UINT32_MAX;
    LLVMSetSubprogram(fn, de->sp);
    de->cur_file = de->cur_line = de->cur_column = UINT32_MAX;
    set_location(de, b, UINT32_MAX, 0, 0);
}

void welf_debug_locate(welf_debug_emit *de, LLVMBuilderRef b, uint32_t offset)
{
    const welf_debug_info *di = de->di;
    if (!di->has_dwarf || de->uncovered) {
        set_location(de, b, UINT32_MAX, de->uncovered ? 0 : offset, 0);
        return;
    }
    uint32_t addr = offset - di->code_start;
    if (addr < de->body) {
        set_location(de, b, de->sp_file, 0, 0);
        return;
    }
    while (de->row + 1 < di->row_count && di->rows[de->row + 1].addr <= addr)
        de->row++;
    if (de->row >= di->row_count)
        return;
    const welf_debug_row *r = &di->rows[de->row];
    /* No row of this function covers the instruction: it keeps the
     * location of the one before. */
    if (r->addr > addr || r->addr < de->lo || r->end)
        return;
    set_location(de, b, r->file, r->line, r->column);
}

void welf_debug_function_end(welf_debug_emit *de, LLVMBuilderRef b)
{
    LLVMDIBuilderFinalizeSubprogram(de->dib, de->sp);
    LLVMSetCurrentDebugLocation2(b, NULL);
    de->sp = NULL;
}

void welf_debug_emit_finish(welf_debug_emit *de)
{
    for (uint32_t u = 0; u <= de->di->unit_count; u++)
        if (de->units[u].dib)
            LLVMDIBuilderFinalize(de->units[u].dib);
    LLVMTypeRef i32 = LLVMInt32TypeInContext(de->ctx);
    static const char dwarf_version[] = "Dwarf Version";
    static const char info_version[] = "Debug Info Version";
    LLVMAddModuleFlag(de->mod, LLVMModuleFlagBehaviorWarning, dwarf_version,
                      sizeof dwarf_version - 1,
                      LLVMValueAsMetadata(LLVMConstInt(i32, 4, 0)));
    LLVMAddModuleFlag(de->mod, LLVMModuleFlagBehaviorWarning, info_version,
                      sizeof info_version - 1,
                      LLVMValueAsMetadata(
                          LLVMConstInt(i32, LLVMDebugMetadataVersion(), 0)));
}

void welf_debug_emit_free(welf_debug_emit *de)
{
    if (!de)
        return;
    for (uint32_t u = 0; u <= de->di->unit_count; u++)
        if (de->units[u].dib)
            LLVMDisposeDIBuilder(de->units[u].dib);
    welf_free(de->blocks);
    de->blocks = NULL;
}
