/*
 * loader.c — maps a welf relocatable object (x86-64 ELF, ET_REL, PIC)
 * into memory and finds its module descriptor (loader.h).
 *
 * The bytes are hostile until proven otherwise. The ELF header and the
 * section header table are checked by hand before libelf sees them, and
 * every offset, size, index, string and relocation is checked against
 * what it points into before it is used; anything wrong gives
 * WELF_ERR_OBJECT with a message naming the section, symbol or
 * relocation. Loops run over counts bounded by the input size, and the
 * only allocations are a private copy of the input, tables proportional
 * to its section and symbol counts, and the mapping, whose size is capped
 * at LOADER_MAX_MAP.
 *
 * Steps: check the header (libelf: elf_memory, elf_kind, gelf_getehdr);
 * read the section headers and names; lay out the SHF_ALLOC sections in
 * one anonymous mapping (executable sections first, then a page
 * boundary, then the rest), copy their bytes; resolve the symbols; apply
 * the RELA relocations of allocated sections (R_X86_64_NONE, 64, PC32,
 * PLT32, PC64 only); find the single welf_module_* symbol in .welf.module;
 * make code read+execute and everything else read-only; check the
 * descriptor's magic, version and target. An object with DWARF (welf
 * compile -g) is then shown to debuggers through gdb's JIT interface.
 */
#include "loader.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The most memory one object may ask for (sections plus padding). */
#define LOADER_MAX_MAP ((uint64_t)1 << 28)

/* The longest target string the descriptor check reads. */
#define LOADER_TARGET_MAX 64

#define DESC_SECTION ".welf.module"
#define DESC_PREFIX "welf_module_"

/* How a symbol may be used by a relocation. */
enum {
    SYM_OK,        /* addr is its address (or value, for SHN_ABS) */
    SYM_UNDEF,     /* SHN_UNDEF */
    SYM_NONALLOC,  /* defined in a section that is not loaded */
    SYM_TLS,       /* STT_TLS */
    SYM_IFUNC,     /* STT_GNU_IFUNC */
};

typedef struct sec_info {
    GElf_Shdr sh;
    const char *name;    /* NUL-terminated, inside the input copy */
    uint64_t map_off;    /* SHF_ALLOC sections: offset in the mapping */
    bool alloc;
} sec_info;

typedef struct sym_info {
    uint64_t addr;
    uint32_t shndx;      /* resolved section index (SHN_* if reserved) */
    uint8_t state;       /* SYM_* */
    bool in_sec;         /* defined in section shndx (not ABS/UNDEF) */
} sym_info;

typedef struct loader {
    welf_error *err;
    uint8_t *bytes;      /* private copy of the input */
    size_t size;
    Elf *elf;
    size_t shnum;
    sec_info *secs;
    size_t symtab;       /* index of the SHT_SYMTAB section */
    size_t strtab;       /* its string table */
    size_t nsyms;
    sym_info *syms;
    uint8_t *map;
    size_t map_size;
    size_t code_size;    /* page-aligned: [0, code_size) is code */
    size_t text_bytes;   /* end of the last executable section */
    size_t page;
} loader;

/* ---- messages ---- */

/* A short, printable copy of a name from the object, for messages. */
typedef struct pname {
    char s[48];
} pname;

static pname printable(const char *s)
{
    pname p;
    size_t n = 0;
    if (!s)
        s = "?";
    for (; *s && n < sizeof p.s - 4; s++, n++) {
        unsigned char c = (unsigned char)*s;
        p.s[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (*s) {
        memcpy(p.s + n, "...", 3);
        n += 3;
    }
    p.s[n] = '\0';
    return p;
}

static uint32_t file_off(uint64_t off)
{
    return off < WELF_NO_OFFSET ? (uint32_t)off : WELF_NO_OFFSET;
}

#define FAIL(ld, off, ...) \
    welf_error_set((ld)->err, WELF_ERR_OBJECT, file_off(off), __VA_ARGS__)

static const char *sec_name(const loader *ld, size_t i)
{
    return ld->secs && i < ld->shnum && ld->secs[i].name ? ld->secs[i].name
                                                         : "?";
}

/* "section 5 (.text)" */
#define SECF "section %zu (%s)"
#define SECA(ld, i) (size_t)(i), printable(sec_name((ld), (i))).s

/* ---- relocation type names ---- */

static const char *const reloc_names[] = {
#define N(x) [R_X86_64_##x] = "R_X86_64_" #x
    N(NONE), N(64), N(PC32), N(GOT32), N(PLT32), N(COPY), N(GLOB_DAT),
    N(JUMP_SLOT), N(RELATIVE), N(GOTPCREL), N(32), N(32S), N(16), N(PC16),
    N(8), N(PC8), N(DTPMOD64), N(DTPOFF64), N(TPOFF64), N(TLSGD), N(TLSLD),
    N(DTPOFF32), N(GOTTPOFF), N(TPOFF32), N(PC64), N(GOTOFF64), N(GOTPC32),
    N(GOT64), N(GOTPCREL64), N(GOTPC64), N(GOTPLT64), N(PLTOFF64), N(SIZE32),
    N(SIZE64), N(GOTPC32_TLSDESC), N(TLSDESC_CALL), N(TLSDESC),
    N(IRELATIVE), N(RELATIVE64), N(GOTPCRELX), N(REX_GOTPCRELX),
#undef N
};

static const char *reloc_name(uint32_t type)
{
    if (type < WELF_ARRAY_LEN(reloc_names) && reloc_names[type])
        return reloc_names[type];
    return "unknown type";
}

static const char *reloc_why(uint32_t type)
{
    switch (type) {
    case R_X86_64_GOT32: case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX: case R_X86_64_GOTOFF64:
    case R_X86_64_GOTPC32: case R_X86_64_GOT64: case R_X86_64_GOTPCREL64:
    case R_X86_64_GOTPC64: case R_X86_64_GOTPLT64: case R_X86_64_PLTOFF64:
        return "needs a GOT: the object refers to a symbol that is not "
               "hidden";
    case R_X86_64_32: case R_X86_64_32S: case R_X86_64_16: case R_X86_64_8:
        return "is not position-independent: the object was not compiled "
               "as PIC";
    case R_X86_64_DTPMOD64: case R_X86_64_DTPOFF64: case R_X86_64_TPOFF64:
    case R_X86_64_TLSGD: case R_X86_64_TLSLD: case R_X86_64_DTPOFF32:
    case R_X86_64_GOTTPOFF: case R_X86_64_TPOFF32:
    case R_X86_64_GOTPC32_TLSDESC: case R_X86_64_TLSDESC_CALL:
    case R_X86_64_TLSDESC:
        return "uses thread-local storage, which is not supported";
    case R_X86_64_COPY: case R_X86_64_GLOB_DAT: case R_X86_64_JUMP_SLOT:
    case R_X86_64_RELATIVE: case R_X86_64_IRELATIVE:
    case R_X86_64_RELATIVE64:
        return "is a dynamic relocation, which has no place in a "
               "relocatable object";
    default:
        return "is not supported by the welf loader";
    }
}

/* ---- strings ---- */

/* The NUL-terminated string at `off` in string-table section `sec`, or
 * NULL when the offset or the terminator is outside the section. The
 * section's bytes have been checked to lie inside the input. */
static const char *str_at(const loader *ld, size_t sec, uint64_t off)
{
    const GElf_Shdr *sh = &ld->secs[sec].sh;
    if (sh->sh_type != SHT_STRTAB || off >= sh->sh_size)
        return NULL;
    const char *base = (const char *)ld->bytes + sh->sh_offset;
    if (!memchr(base + off, '\0', sh->sh_size - off))
        return NULL;
    return base + off;
}

/* ---- header and sections ---- */

static welf_status check_header(loader *ld)
{
    const uint8_t *b = ld->bytes;
    if (ld->size < EI_NIDENT || memcmp(b, ELFMAG, SELFMAG) != 0)
        return FAIL(ld, 0, "not an ELF file (no ELF magic number)");
    if (b[EI_CLASS] != ELFCLASS64 || b[EI_DATA] != ELFDATA2LSB)
        return FAIL(ld, EI_CLASS,
                    "not an x86-64 relocatable object: ELF class %u, data "
                    "encoding %u (need 64-bit little-endian)",
                    b[EI_CLASS], b[EI_DATA]);
    if (ld->size < sizeof(Elf64_Ehdr))
        return FAIL(ld, ld->size,
                    "truncated ELF header: %zu bytes, need %zu", ld->size,
                    sizeof(Elf64_Ehdr));

    /* The section header table, by hand, before libelf reads it. */
    Elf64_Ehdr raw;
    memcpy(&raw, b, sizeof raw);
    if (raw.e_type != ET_REL || raw.e_machine != EM_X86_64)
        return FAIL(ld, 0,
                    "not an x86-64 relocatable object: ELF type %u, "
                    "machine %u (need ET_REL %u, EM_X86_64 %u)",
                    raw.e_type, raw.e_machine, ET_REL, EM_X86_64);
    if (raw.e_shoff == 0)
        return FAIL(ld, 0, "the object has no section header table");
    if (raw.e_shentsize != sizeof(Elf64_Shdr))
        return FAIL(ld, 0, "bad section header size %u (need %zu)",
                    raw.e_shentsize, sizeof(Elf64_Shdr));
    if (raw.e_shoff > ld->size ||
        ld->size - raw.e_shoff < sizeof(Elf64_Shdr))
        return FAIL(ld, raw.e_shoff,
                    "the section header table (offset 0x%llx) is outside "
                    "the file (%zu bytes)",
                    (unsigned long long)raw.e_shoff, ld->size);
    uint64_t shnum = raw.e_shnum;
    if (shnum == 0) { /* extended numbering: the count is in entry 0 */
        Elf64_Shdr sh0;
        memcpy(&sh0, b + raw.e_shoff, sizeof sh0);
        shnum = sh0.sh_size;
    }
    if (shnum == 0)
        return FAIL(ld, 0, "the object has no sections");
    if ((ld->size - raw.e_shoff) / sizeof(Elf64_Shdr) < shnum)
        return FAIL(ld, raw.e_shoff,
                    "the section header table (%llu entries at offset "
                    "0x%llx) runs past the end of the file (%zu bytes)",
                    (unsigned long long)shnum,
                    (unsigned long long)raw.e_shoff, ld->size);

    if (elf_version(EV_CURRENT) == EV_NONE)
        return FAIL(ld, WELF_NO_OFFSET, "libelf: %s", elf_errmsg(-1));
    ld->elf = elf_memory((char *)ld->bytes, ld->size);
    if (!ld->elf)
        return FAIL(ld, 0, "libelf cannot read the object: %s",
                    elf_errmsg(-1));
    if (elf_kind(ld->elf) != ELF_K_ELF)
        return FAIL(ld, 0, "not an ELF file (libelf sees no ELF object)");
    GElf_Ehdr eh;
    if (!gelf_getehdr(ld->elf, &eh))
        return FAIL(ld, 0, "bad ELF header: %s", elf_errmsg(-1));
    if (gelf_getclass(ld->elf) != ELFCLASS64 || eh.e_type != ET_REL ||
        eh.e_machine != EM_X86_64)
        return FAIL(ld, 0,
                    "not an x86-64 relocatable object: ELF type %u, "
                    "machine %u (need ET_REL %u, EM_X86_64 %u)",
                    eh.e_type, eh.e_machine, ET_REL, EM_X86_64);
    if (eh.e_version != EV_CURRENT)
        return FAIL(ld, 0, "bad ELF version %u", eh.e_version);
    if (eh.e_shoff != raw.e_shoff || eh.e_shentsize != raw.e_shentsize)
        return FAIL(ld, 0, "libelf reads a different ELF header");
    return WELF_OK;
}

static welf_status read_sections(loader *ld)
{
    GElf_Ehdr eh;
    gelf_getehdr(ld->elf, &eh); /* checked in check_header */
    size_t shnum, shstrndx;
    if (elf_getshdrnum(ld->elf, &shnum) != 0)
        return FAIL(ld, 0, "bad section count: %s", elf_errmsg(-1));
    if (shnum == 0)
        return FAIL(ld, 0, "the object has no sections");
    if (eh.e_shoff > ld->size ||
        (ld->size - eh.e_shoff) / sizeof(Elf64_Shdr) < shnum)
        return FAIL(ld, eh.e_shoff,
                    "the section header table (%zu entries at offset "
                    "0x%llx) runs past the end of the file (%zu bytes)",
                    shnum, (unsigned long long)eh.e_shoff, ld->size);
    if (elf_getshdrstrndx(ld->elf, &shstrndx) != 0)
        return FAIL(ld, 0, "bad section name table index: %s",
                    elf_errmsg(-1));
    if (shstrndx == SHN_UNDEF || shstrndx >= shnum)
        return FAIL(ld, 0, "section name table index %zu out of range "
                    "(%zu sections)", shstrndx, shnum);

    ld->secs = welf_malloc(shnum * sizeof *ld->secs);
    if (!ld->secs)
        return welf_error_set(ld->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory reading %zu section headers",
                              shnum);
    memset(ld->secs, 0, shnum * sizeof *ld->secs);
    ld->shnum = shnum;

    for (size_t i = 0; i < shnum; i++) {
        Elf_Scn *scn = elf_getscn(ld->elf, i);
        if (!scn || !gelf_getshdr(scn, &ld->secs[i].sh))
            return FAIL(ld, eh.e_shoff + i * sizeof(Elf64_Shdr),
                        "section %zu: bad section header: %s", i,
                        elf_errmsg(-1));
    }

    /* The names first, for the messages, then everyone's contents. */
    const GElf_Shdr *names = &ld->secs[shstrndx].sh;
    if (names->sh_type != SHT_STRTAB ||
        names->sh_offset > ld->size ||
        names->sh_size > ld->size - names->sh_offset)
        return FAIL(ld, 0, "the section name table (section %zu) is not a "
                    "string table inside the file", shstrndx);
    for (size_t i = 1; i < shnum; i++) {
        sec_info *s = &ld->secs[i];
        s->name = str_at(ld, shstrndx, s->sh.sh_name);
        if (!s->name)
            return FAIL(ld, eh.e_shoff + i * sizeof(Elf64_Shdr),
                        "section %zu: name offset 0x%x is outside the "
                        "section name table", i, s->sh.sh_name);
    }
    /* Entry 0 holds the extended counts, not a section. */
    for (size_t i = 1; i < shnum; i++) {
        const GElf_Shdr *sh = &ld->secs[i].sh;
        if (sh->sh_type != SHT_NOBITS &&
            (sh->sh_offset > ld->size ||
             sh->sh_size > ld->size - sh->sh_offset))
            return FAIL(ld, eh.e_shoff + i * sizeof(Elf64_Shdr),
                        SECF ": contents (offset 0x%llx, size 0x%llx) run "
                        "past the end of the file (%zu bytes)", SECA(ld, i),
                        (unsigned long long)sh->sh_offset,
                        (unsigned long long)sh->sh_size, ld->size);
    }
    return WELF_OK;
}

/* ---- layout and mapping ---- */

static welf_status place(loader *ld, size_t i, uint64_t *off)
{
    sec_info *s = &ld->secs[i];
    uint64_t align = s->sh.sh_addralign ? s->sh.sh_addralign : 1;
    if (align & (align - 1))
        return FAIL(ld, WELF_NO_OFFSET,
                    SECF ": alignment %llu is not a power of two",
                    SECA(ld, i), (unsigned long long)align);
    if (align > ld->page)
        return FAIL(ld, WELF_NO_OFFSET,
                    SECF ": alignment %llu is larger than a page (%zu)",
                    SECA(ld, i), (unsigned long long)align, ld->page);
    uint64_t at = (*off + align - 1) & ~(align - 1);
    if (s->sh.sh_size > LOADER_MAX_MAP || at + s->sh.sh_size > LOADER_MAX_MAP)
        return FAIL(ld, WELF_NO_OFFSET,
                    SECF ": size 0x%llx takes the object past the loader's "
                    "limit of %llu bytes",
                    SECA(ld, i), (unsigned long long)s->sh.sh_size,
                    (unsigned long long)LOADER_MAX_MAP);
    s->map_off = at;
    *off = at + s->sh.sh_size;
    return WELF_OK;
}

static welf_status map_sections(loader *ld)
{
    welf_status st;
    for (size_t i = 1; i < ld->shnum; i++) {
        sec_info *s = &ld->secs[i];
        if (!(s->sh.sh_flags & SHF_ALLOC))
            continue;
        if (s->sh.sh_flags & SHF_TLS)
            return FAIL(ld, WELF_NO_OFFSET,
                        SECF ": thread-local storage is not supported",
                        SECA(ld, i));
        if (s->sh.sh_flags & SHF_COMPRESSED)
            return FAIL(ld, WELF_NO_OFFSET,
                        SECF ": compressed allocated sections are not "
                        "supported", SECA(ld, i));
        s->alloc = true;
    }

    /* Executable sections, a page boundary, then everything else. */
    uint64_t off = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 1; i < ld->shnum; i++) {
            sec_info *s = &ld->secs[i];
            bool exec = (s->sh.sh_flags & SHF_EXECINSTR) != 0;
            if (!s->alloc || exec != (pass == 0))
                continue;
            if ((st = place(ld, i, &off)) != WELF_OK)
                return st;
        }
        if (pass == 0) {
            ld->text_bytes = (size_t)off;
            off = (off + ld->page - 1) & ~(uint64_t)(ld->page - 1);
            ld->code_size = (size_t)off;
        }
    }
    off = (off + ld->page - 1) & ~(uint64_t)(ld->page - 1);
    if (off > LOADER_MAX_MAP)
        return FAIL(ld, WELF_NO_OFFSET,
                    "the object needs %llu bytes of memory, more than the "
                    "loader's limit of %llu", (unsigned long long)off,
                    (unsigned long long)LOADER_MAX_MAP);
    if (off == 0)
        return FAIL(ld, WELF_NO_OFFSET,
                    "the object has no allocated sections, so no module "
                    "descriptor");

    void *m = mmap(NULL, (size_t)off, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return welf_error_set(ld->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "cannot map %llu bytes for the object: %s",
                              (unsigned long long)off, strerror(errno));
    ld->map = m;
    ld->map_size = (size_t)off;

    for (size_t i = 1; i < ld->shnum; i++) {
        const sec_info *s = &ld->secs[i];
        if (s->alloc && s->sh.sh_type != SHT_NOBITS && s->sh.sh_size)
            memcpy(ld->map + s->map_off, ld->bytes + s->sh.sh_offset,
                   (size_t)s->sh.sh_size);
    }
    return WELF_OK;
}

/* ---- symbols ---- */

static welf_status check_table(loader *ld, size_t i, size_t entsize,
                               const char *what)
{
    const GElf_Shdr *sh = &ld->secs[i].sh;
    if (sh->sh_entsize != entsize)
        return FAIL(ld, WELF_NO_OFFSET,
                    SECF ": %s entry size %llu, expected %zu", SECA(ld, i),
                    what, (unsigned long long)sh->sh_entsize, entsize);
    if (sh->sh_size % entsize)
        return FAIL(ld, WELF_NO_OFFSET,
                    SECF ": size %llu is not a multiple of the %s entry "
                    "size %zu", SECA(ld, i), (unsigned long long)sh->sh_size,
                    what, entsize);
    if (sh->sh_size / entsize > INT_MAX)
        return FAIL(ld, WELF_NO_OFFSET, SECF ": too many %s entries",
                    SECA(ld, i), what);
    return WELF_OK;
}

/* The section's data as libelf converts it, with at least `need` bytes. */
static Elf_Data *sec_data(loader *ld, size_t i, uint64_t need)
{
    Elf_Data *d = elf_getdata(elf_getscn(ld->elf, i), NULL);
    if (!d || (need && (!d->d_buf || d->d_size < need))) {
        FAIL(ld, WELF_NO_OFFSET, SECF ": cannot read its contents: %s",
             SECA(ld, i), d ? "short data" : elf_errmsg(-1));
        return NULL;
    }
    return d;
}

static const char *sym_name(const loader *ld, const GElf_Sym *sym)
{
    const char *n = str_at(ld, ld->strtab, sym->st_name);
    return n && *n ? n : NULL;
}

/* A printable name for symbol `i` in messages. */
static pname sym_label(loader *ld, size_t i)
{
    pname p;
    GElf_Sym sym;
    Elf_Data *d = elf_getdata(elf_getscn(ld->elf, ld->symtab), NULL);
    const char *n = NULL;
    if (d && gelf_getsym(d, (int)i, &sym)) {
        n = sym_name(ld, &sym);
        if (!n && GELF_ST_TYPE(sym.st_info) == STT_SECTION &&
            sym.st_shndx < ld->shnum)
            n = sec_name(ld, sym.st_shndx);
    }
    if (n)
        return printable(n);
    snprintf(p.s, sizeof p.s, "#%zu", i);
    return p;
}

static welf_status read_symbols(loader *ld)
{
    welf_status st;
    size_t symtab = 0, shndx_sec = 0;
    for (size_t i = 1; i < ld->shnum; i++) {
        if (ld->secs[i].sh.sh_type != SHT_SYMTAB)
            continue;
        if (symtab)
            return FAIL(ld, WELF_NO_OFFSET,
                        "two symbol tables: sections %zu and %zu", symtab,
                        i);
        symtab = i;
    }
    if (!symtab)
        return FAIL(ld, WELF_NO_OFFSET,
                    "the object has no symbol table, so no module "
                    "descriptor");
    ld->symtab = symtab;
    if ((st = check_table(ld, symtab, sizeof(Elf64_Sym), "symbol")) !=
        WELF_OK)
        return st;
    size_t link = ld->secs[symtab].sh.sh_link;
    if (link == 0 || link >= ld->shnum ||
        ld->secs[link].sh.sh_type != SHT_STRTAB)
        return FAIL(ld, WELF_NO_OFFSET,
                    SECF ": its string table (section %zu) is not a string "
                    "table", SECA(ld, symtab), link);
    ld->strtab = link;
    ld->nsyms = (size_t)(ld->secs[symtab].sh.sh_size / sizeof(Elf64_Sym));
    if (ld->nsyms == 0)
        return FAIL(ld, WELF_NO_OFFSET, SECF ": the symbol table is empty",
                    SECA(ld, symtab));

    for (size_t i = 1; i < ld->shnum; i++) {
        if (ld->secs[i].sh.sh_type == SHT_SYMTAB_SHNDX &&
            ld->secs[i].sh.sh_link == symtab) {
            if ((st = check_table(ld, i, sizeof(Elf32_Word),
                                  "extended section index")) != WELF_OK)
                return st;
            if (ld->secs[i].sh.sh_size / sizeof(Elf32_Word) < ld->nsyms)
                return FAIL(ld, WELF_NO_OFFSET,
                            SECF ": fewer entries than symbols",
                            SECA(ld, i));
            shndx_sec = i;
        }
    }

    Elf_Data *symd = sec_data(ld, symtab, ld->nsyms * sizeof(Elf64_Sym));
    if (!symd)
        return WELF_ERR_OBJECT;
    Elf_Data *xd = NULL;
    if (shndx_sec &&
        !(xd = sec_data(ld, shndx_sec, ld->nsyms * sizeof(Elf32_Word))))
        return WELF_ERR_OBJECT;

    ld->syms = welf_malloc(ld->nsyms * sizeof *ld->syms);
    if (!ld->syms)
        return welf_error_set(ld->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory reading %zu symbols",
                              ld->nsyms);
    memset(ld->syms, 0, ld->nsyms * sizeof *ld->syms);
    ld->syms[0].state = SYM_UNDEF;

    uint64_t symoff = ld->secs[symtab].sh.sh_offset;
    for (size_t i = 1; i < ld->nsyms; i++) {
        sym_info *si = &ld->syms[i];
        uint64_t where = symoff + i * sizeof(Elf64_Sym);
        GElf_Sym sym;
        Elf32_Word xndx = 0;
        if (!gelf_getsymshndx(symd, xd, (int)i, &sym, &xndx))
            return FAIL(ld, where, "symbol %zu: cannot read it: %s", i,
                        elf_errmsg(-1));
        if (sym.st_name && !str_at(ld, ld->strtab, sym.st_name))
            return FAIL(ld, where,
                        "symbol %zu: name offset 0x%x is outside the string "
                        "table (section %zu)", i, sym.st_name, ld->strtab);
        uint32_t shndx = sym.st_shndx;
        if (shndx == SHN_XINDEX) {
            if (!xd)
                return FAIL(ld, where,
                            "symbol %zu (%s): extended section index "
                            "without a SHT_SYMTAB_SHNDX section", i,
                            sym_label(ld, i).s);
            shndx = xndx;
        }
        si->shndx = shndx;
        int type = GELF_ST_TYPE(sym.st_info);
        if (shndx == SHN_UNDEF) {
            si->state = SYM_UNDEF;
        } else if (shndx == SHN_ABS) {
            si->state = SYM_OK;
            si->addr = sym.st_value;
        } else if (shndx == SHN_COMMON) {
            return FAIL(ld, where,
                        "symbol %zu (%s) is a common symbol (SHN_COMMON): "
                        "compile with -fno-common", i, sym_label(ld, i).s);
        } else if ((sym.st_shndx >= SHN_LORESERVE &&
                    sym.st_shndx != SHN_XINDEX) || shndx >= ld->shnum) {
            return FAIL(ld, where,
                        "symbol %zu (%s): section index %u out of range "
                        "(%zu sections)", i, sym_label(ld, i).s, shndx,
                        ld->shnum);
        } else if (!ld->secs[shndx].alloc) {
            si->state = SYM_NONALLOC;
            si->in_sec = true;
        } else {
            const sec_info *s = &ld->secs[shndx];
            if (sym.st_value > s->sh.sh_size)
                return FAIL(ld, where,
                            "symbol %zu (%s): value 0x%llx is outside "
                            SECF " (size 0x%llx)", i, sym_label(ld, i).s,
                            (unsigned long long)sym.st_value,
                            SECA(ld, shndx),
                            (unsigned long long)s->sh.sh_size);
            si->state = SYM_OK;
            si->in_sec = true;
            si->addr = (uint64_t)(uintptr_t)ld->map + s->map_off +
                       sym.st_value;
        }
        if (si->state == SYM_OK && type == STT_TLS)
            si->state = SYM_TLS;
        if (si->state == SYM_OK && type == STT_GNU_IFUNC)
            si->state = SYM_IFUNC;
    }
    return WELF_OK;
}

/* ---- relocations ---- */

static welf_status apply_one(loader *ld, size_t rsec, size_t j,
                             const GElf_Rela *r)
{
    size_t target = ld->secs[rsec].sh.sh_info;
    const sec_info *t = &ld->secs[target];
    uint64_t where = ld->secs[rsec].sh.sh_offset + j * sizeof(Elf64_Rela);
    uint32_t type = (uint32_t)GELF_R_TYPE(r->r_info);
    size_t symi = GELF_R_SYM(r->r_info);

    if (type == R_X86_64_NONE)
        return WELF_OK;

    /* The symbol first: an undefined one is the clearer message. */
    uint64_t S = 0;
    if (symi >= ld->nsyms)
        return FAIL(ld, where,
                    "relocation %zu in " SECF ": symbol index %zu out of "
                    "range (%zu symbols)", j, SECA(ld, rsec), symi,
                    ld->nsyms);
    if (symi != 0) {
        const sym_info *si = &ld->syms[symi];
        switch (si->state) {
        case SYM_OK:
            S = si->addr;
            break;
        case SYM_UNDEF:
            return FAIL(ld, where,
                        "relocation %zu in " SECF " refers to undefined "
                        "symbol '%s': welf objects have no undefined "
                        "symbols", j, SECA(ld, rsec),
                        sym_label(ld, symi).s);
        case SYM_NONALLOC:
            return FAIL(ld, where,
                        "relocation %zu in " SECF " refers to symbol '%s' "
                        "in " SECF ", which is not loaded", j,
                        SECA(ld, rsec), sym_label(ld, symi).s,
                        SECA(ld, si->shndx));
        case SYM_TLS:
            return FAIL(ld, where,
                        "relocation %zu in " SECF " refers to thread-local "
                        "symbol '%s': thread-local storage is not "
                        "supported", j, SECA(ld, rsec),
                        sym_label(ld, symi).s);
        default:
            return FAIL(ld, where,
                        "relocation %zu in " SECF " refers to indirect "
                        "function '%s': IFUNC symbols are not supported", j,
                        SECA(ld, rsec), sym_label(ld, symi).s);
        }
    }

    size_t width;
    switch (type) {
    case R_X86_64_64:
    case R_X86_64_PC64:
        width = 8;
        break;
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
        width = 4;
        break;
    default:
        return FAIL(ld, where,
                    "relocation %zu in " SECF ": type %u (%s) against '%s' "
                    "%s", j, SECA(ld, rsec), type, reloc_name(type),
                    sym_label(ld, symi).s, reloc_why(type));
    }
    if (r->r_offset > t->sh.sh_size || t->sh.sh_size - r->r_offset < width)
        return FAIL(ld, where,
                    "relocation %zu in " SECF ": offset 0x%llx (+%zu bytes) "
                    "is outside " SECF " (size 0x%llx)", j, SECA(ld, rsec),
                    (unsigned long long)r->r_offset, width,
                    SECA(ld, target), (unsigned long long)t->sh.sh_size);

    uint8_t *p = ld->map + t->map_off + r->r_offset;
    uint64_t P = (uint64_t)(uintptr_t)p;
    uint64_t A = (uint64_t)r->r_addend;
    uint64_t v = type == R_X86_64_64 ? S + A : S + A - P;
    if (width == 4) {
        if (v + UINT64_C(0x80000000) > UINT64_C(0xffffffff))
            return FAIL(ld, where,
                        "relocation %zu in " SECF ": %s to '%s'%+lld does "
                        "not fit in 32 bits (distance 0x%llx)", j,
                        SECA(ld, rsec), reloc_name(type),
                        sym_label(ld, symi).s, (long long)r->r_addend,
                        (unsigned long long)v);
        uint32_t v32 = (uint32_t)v;
        memcpy(p, &v32, 4);
    } else {
        memcpy(p, &v, 8);
    }
    return WELF_OK;
}

static welf_status apply_relocations(loader *ld)
{
    welf_status st;
    for (size_t i = 1; i < ld->shnum; i++) {
        const GElf_Shdr *sh = &ld->secs[i].sh;
        if (sh->sh_type != SHT_RELA && sh->sh_type != SHT_REL)
            continue;
        size_t target = sh->sh_info;
        if (target == 0 || target >= ld->shnum)
            return FAIL(ld, WELF_NO_OFFSET,
                        SECF ": applies to section %zu, out of range (%zu "
                        "sections)", SECA(ld, i), target, ld->shnum);
        if (!ld->secs[target].alloc)
            continue; /* debug information and the like */
        if (sh->sh_type == SHT_REL)
            return FAIL(ld, WELF_NO_OFFSET,
                        SECF ": SHT_REL relocations (without addends) are "
                        "not used on x86-64", SECA(ld, i));
        if (ld->secs[target].sh.sh_type == SHT_NOBITS)
            return FAIL(ld, WELF_NO_OFFSET,
                        SECF ": relocates " SECF ", which has no contents",
                        SECA(ld, i), SECA(ld, target));
        if (sh->sh_link != ld->symtab)
            return FAIL(ld, WELF_NO_OFFSET,
                        SECF ": uses section %u as its symbol table, not "
                        "the symbol table (section %zu)", SECA(ld, i),
                        sh->sh_link, ld->symtab);
        if ((st = check_table(ld, i, sizeof(Elf64_Rela), "relocation")) !=
            WELF_OK)
            return st;
        size_t n = (size_t)(sh->sh_size / sizeof(Elf64_Rela));
        if (n == 0)
            continue;
        Elf_Data *d = sec_data(ld, i, n * sizeof(Elf64_Rela));
        if (!d)
            return WELF_ERR_OBJECT;
        for (size_t j = 0; j < n; j++) {
            GElf_Rela r;
            if (!gelf_getrela(d, (int)j, &r))
                return FAIL(ld, WELF_NO_OFFSET,
                            "relocation %zu in " SECF ": cannot read it: %s",
                            j, SECA(ld, i), elf_errmsg(-1));
            if ((st = apply_one(ld, i, j, &r)) != WELF_OK)
                return st;
        }
    }
    return WELF_OK;
}

/* ---- the descriptor ---- */

static welf_status find_descriptor(loader *ld, const welf_desc_module **out)
{
    Elf_Data *symd = sec_data(ld, ld->symtab, 0);
    if (!symd)
        return WELF_ERR_OBJECT;
    size_t found = 0;
    const char *found_name = NULL;
    for (size_t i = 1; i < ld->nsyms; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(symd, (int)i, &sym))
            return FAIL(ld, WELF_NO_OFFSET, "symbol %zu: cannot read it: %s",
                        i, elf_errmsg(-1));
        int bind = GELF_ST_BIND(sym.st_info);
        if (bind != STB_GLOBAL && bind != STB_WEAK)
            continue;
        const char *name = sym_name(ld, &sym);
        if (!name || strncmp(name, DESC_PREFIX, strlen(DESC_PREFIX)) != 0)
            continue;
        const sym_info *si = &ld->syms[i];
        if (!si->in_sec || strcmp(ld->secs[si->shndx].name, DESC_SECTION) != 0)
            continue;
        if (found)
            return FAIL(ld, WELF_NO_OFFSET,
                        "two module descriptors: '%s' and '%s'",
                        printable(found_name).s, printable(name).s);
        found = i;
        found_name = name;

        const sec_info *s = &ld->secs[si->shndx];
        int type = GELF_ST_TYPE(sym.st_info);
        if (type != STT_OBJECT && type != STT_NOTYPE)
            return FAIL(ld, WELF_NO_OFFSET,
                        "module descriptor '%s' has symbol type %d, not "
                        "an object", printable(name).s, type);
        if (si->state != SYM_OK)
            return FAIL(ld, WELF_NO_OFFSET,
                        "module descriptor '%s' is in a section that is not "
                        "loaded", printable(name).s);
        if (sym.st_size < sizeof(welf_desc_module))
            return FAIL(ld, WELF_NO_OFFSET,
                        "module descriptor '%s' is %llu bytes, smaller than "
                        "a descriptor (%zu)", printable(name).s,
                        (unsigned long long)sym.st_size,
                        sizeof(welf_desc_module));
        if (sym.st_size > s->sh.sh_size - sym.st_value)
            return FAIL(ld, WELF_NO_OFFSET,
                        "module descriptor '%s' (offset 0x%llx, size %llu) "
                        "runs past the end of " SECF, printable(name).s,
                        (unsigned long long)sym.st_value,
                        (unsigned long long)sym.st_size,
                        SECA(ld, si->shndx));
        if (si->addr % _Alignof(welf_desc_module))
            return FAIL(ld, WELF_NO_OFFSET,
                        "module descriptor '%s' is misaligned (offset "
                        "0x%llx in " SECF ")", printable(name).s,
                        (unsigned long long)sym.st_value,
                        SECA(ld, si->shndx));
        *out = (const welf_desc_module *)(uintptr_t)si->addr;
    }
    if (!found)
        return FAIL(ld, WELF_NO_OFFSET,
                    "no module descriptor: the object defines no global "
                    "symbol " DESC_PREFIX "* in section " DESC_SECTION);
    return WELF_OK;
}

/*
 * The checks of welf_desc_check. When lo/hi are given, the target string
 * must lie in [lo, hi), terminated there within LOADER_TARGET_MAX bytes.
 */
/*
 * The x86-64 micro-architecture level of this CPU, from the features each
 * level adds (x86-64-v2: SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT; v3: AVX,
 * AVX2, BMI1, BMI2, FMA; v4: AVX-512 F, BW, CD, DQ, VL).
 */
unsigned welf_cpu_level(void)
{
    __builtin_cpu_init();
    if (!(__builtin_cpu_supports("sse3") && __builtin_cpu_supports("ssse3") &&
          __builtin_cpu_supports("sse4.1") &&
          __builtin_cpu_supports("sse4.2") &&
          __builtin_cpu_supports("popcnt")))
        return 1;
    if (!(__builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
          __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
          __builtin_cpu_supports("fma")))
        return 2;
    if (!(__builtin_cpu_supports("avx512f") &&
          __builtin_cpu_supports("avx512bw") &&
          __builtin_cpu_supports("avx512cd") &&
          __builtin_cpu_supports("avx512dq") &&
          __builtin_cpu_supports("avx512vl")))
        return 3;
    return 4;
}

static const char *level_name(unsigned level)
{
    static const char *const names[] = {"x86-64", "x86-64", "x86-64-v2",
                                        "x86-64-v3", "x86-64-v4"};
    return level < 5 ? names[level] : "an unknown x86-64 level";
}

static welf_status desc_check(const welf_desc_module *d, const uint8_t *lo,
                              const uint8_t *hi, welf_error *err)
{
    if (!d)
        return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                              "no module descriptor");
    if (d->magic != WELF_ABI_MAGIC)
        return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                              "bad descriptor magic 0x%08x, expected "
                              "0x%08x (\"WELF\"): not a welf object",
                              d->magic, WELF_ABI_MAGIC);
    if (d->version != WELF_ABI_VERSION)
        return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                              "object built for ABI version %u, this "
                              "runtime reads version %u", d->version,
                              WELF_ABI_VERSION);
    unsigned level = welf_cpu_level();
    if (d->cpu_level > level)
        return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                              "object built for %s, this CPU only supports "
                              "%s: recompile with a lower --cpu",
                              level_name(d->cpu_level), level_name(level));
    const char *t = d->target;
    if (!t)
        return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                              "the descriptor has no target string, "
                              "expected \"%s\"", WELF_ABI_TARGET);
    size_t max = LOADER_TARGET_MAX;
    if (lo) {
        const uint8_t *tp = (const uint8_t *)t;
        if (tp < lo || tp >= hi)
            return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                                  "the descriptor's target string is "
                                  "outside the object");
        if ((size_t)(hi - tp) < max)
            max = (size_t)(hi - tp);
        if (!memchr(tp, '\0', max))
            return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                                  "the descriptor's target string is not "
                                  "terminated within %zu bytes", max);
    }
    size_t len = strnlen(t, max);
    if (len != strlen(WELF_ABI_TARGET) ||
        memcmp(t, WELF_ABI_TARGET, len) != 0) {
        char buf[LOADER_TARGET_MAX + 1];
        memcpy(buf, t, len);
        buf[len] = '\0';
        return welf_error_set(err, WELF_ERR_OBJECT, WELF_NO_OFFSET,
                              "object built for target \"%s%s\", this "
                              "runtime runs on \"%s\"", printable(buf).s,
                              len == max ? "..." : "", WELF_ABI_TARGET);
    }
    return WELF_OK;
}

welf_status welf_desc_check(const welf_desc_module *desc, welf_error *err)
{
    return desc_check(desc, NULL, NULL, err);
}

/* ---- gdb's JIT interface ---- */

/*
 * Debuggers learn about code loaded at run time through the JIT
 * interface (GDB manual, "JIT Compilation Interface"; LLDB reads it
 * too): a list of in-memory object files hanging off
 * __jit_debug_descriptor, and a call of __jit_debug_register_code,
 * where the debugger keeps a breakpoint, after each change. The names
 * and layouts are the debugger's. The symbols are hidden, so this list
 * is libwelf's own even in a process that has another JIT (LLVM's
 * libraries define the same names); gdb reads one list per object file.
 *
 * The object handed over is a copy of the loaded one in which every
 * allocated section's sh_addr is its address in the mapping and the
 * relocations of the .debug_* sections are applied (with debug sections
 * at address 0), so the DWARF describes the code where it runs. Only
 * objects with .debug_info are registered: nothing else would need it.
 * Anything unexpected in the debug sections skips the registration; it
 * never fails the load.
 */
typedef enum {
    JIT_NOACTION = 0,
    JIT_REGISTER_FN,
    JIT_UNREGISTER_FN,
} jit_actions_t;

struct jit_code_entry {
    struct jit_code_entry *next_entry;
    struct jit_code_entry *prev_entry;
    const char *symfile_addr;
    uint64_t symfile_size;
};

struct jit_descriptor {
    uint32_t version;
    uint32_t action_flag;        /* jit_actions_t */
    struct jit_code_entry *relevant_entry;
    struct jit_code_entry *first_entry;
};

WELF_INTERNAL void __jit_debug_register_code(void);
WELF_INTERNAL struct jit_descriptor __jit_debug_descriptor;

struct jit_descriptor __jit_debug_descriptor = {1, JIT_NOACTION, NULL, NULL};

/* The debugger's breakpoint goes here: the call must stay. */
__attribute__((noinline)) void __jit_debug_register_code(void)
{
    __asm__ volatile("" ::: "memory");
}

static pthread_mutex_t jit_lock = PTHREAD_MUTEX_INITIALIZER;

/* One registered object: the entry, its image and the mapping it
 * describes (how welf_code_unload finds it). */
typedef struct jit_entry {
    struct jit_code_entry entry;
    uint8_t *image;
    const void *map;
} jit_entry;

/* Applies relocation section `rsec` (of a debug section) to `image`;
 * false when it holds anything not expected there. */
static bool jit_relocate(loader *ld, size_t rsec, uint8_t *image)
{
    const GElf_Shdr *sh = &ld->secs[rsec].sh;
    const GElf_Shdr *t = &ld->secs[sh->sh_info].sh;
    if (sh->sh_type != SHT_RELA || sh->sh_link != ld->symtab ||
        sh->sh_entsize != sizeof(Elf64_Rela) ||
        sh->sh_size % sizeof(Elf64_Rela) || t->sh_type == SHT_NOBITS)
        return false;
    size_t n = (size_t)(sh->sh_size / sizeof(Elf64_Rela));
    Elf_Data *d = elf_getdata(elf_getscn(ld->elf, rsec), NULL);
    Elf_Data *symd = elf_getdata(elf_getscn(ld->elf, ld->symtab), NULL);
    if (!d || !symd || d->d_size < n * sizeof(Elf64_Rela))
        return false;
    for (size_t j = 0; j < n; j++) {
        GElf_Rela r;
        GElf_Sym sym;
        if (!gelf_getrela(d, (int)j, &r))
            return false;
        uint32_t type = (uint32_t)GELF_R_TYPE(r.r_info);
        size_t symi = GELF_R_SYM(r.r_info);
        if (type == R_X86_64_NONE)
            continue;
        size_t width = type == R_X86_64_64 ? 8 : type == R_X86_64_32 ? 4 : 0;
        if (!width || symi >= ld->nsyms || r.r_offset > t->sh_size ||
            t->sh_size - r.r_offset < width)
            return false;
        /* Allocated sections are where they were mapped; debug sections
         * at 0, so a symbol in one is its offset. */
        uint64_t S;
        const sym_info *si = &ld->syms[symi];
        if (symi == 0)
            S = 0;
        else if (si->state == SYM_OK)
            S = si->addr;
        else if (si->state == SYM_NONALLOC && gelf_getsym(symd, (int)symi,
                                                          &sym))
            S = sym.st_value;
        else
            return false;
        uint64_t v = S + (uint64_t)r.r_addend;
        uint8_t *p = image + t->sh_offset + r.r_offset;
        if (width == 4) {
            if (v > UINT32_MAX)
                return false;
            uint32_t v32 = (uint32_t)v;
            memcpy(p, &v32, 4);
        } else {
            memcpy(p, &v, 8);
        }
    }
    return true;
}

/* Builds the debugger's copy of a loaded object and registers it; does
 * nothing for an object without DWARF or when anything fails. */
static void jit_register(loader *ld)
{
    bool has_dwarf = false;
    for (size_t i = 1; i < ld->shnum; i++)
        has_dwarf |= !ld->secs[i].alloc &&
                     strcmp(ld->secs[i].name, ".debug_info") == 0;
    if (!has_dwarf)
        return;
    jit_entry *je = welf_malloc(sizeof *je);
    uint8_t *image = welf_malloc(ld->size);
    if (!je || !image)
        goto fail;
    memcpy(image, ld->bytes, ld->size);
    uint64_t shoff;
    memcpy(&shoff, image + offsetof(Elf64_Ehdr, e_shoff), sizeof shoff);
    for (size_t i = 1; i < ld->shnum; i++) {
        const sec_info *s = &ld->secs[i];
        if (s->alloc) {
            uint64_t addr = (uint64_t)(uintptr_t)ld->map + s->map_off;
            memcpy(image + shoff + i * sizeof(Elf64_Shdr) +
                       offsetof(Elf64_Shdr, sh_addr),
                   &addr, sizeof addr);
        }
        if ((s->sh.sh_type == SHT_RELA || s->sh.sh_type == SHT_REL) &&
            s->sh.sh_info > 0 && s->sh.sh_info < ld->shnum &&
            !ld->secs[s->sh.sh_info].alloc &&
            strncmp(ld->secs[s->sh.sh_info].name, ".debug_", 7) == 0 &&
            !jit_relocate(ld, i, image))
            goto fail;
    }
    memset(je, 0, sizeof *je);
    je->image = image;
    je->map = ld->map;
    je->entry.symfile_addr = (const char *)image;
    je->entry.symfile_size = ld->size;
    pthread_mutex_lock(&jit_lock);
    je->entry.next_entry = __jit_debug_descriptor.first_entry;
    if (je->entry.next_entry)
        je->entry.next_entry->prev_entry = &je->entry;
    __jit_debug_descriptor.first_entry = &je->entry;
    __jit_debug_descriptor.relevant_entry = &je->entry;
    __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
    __jit_debug_register_code();
    pthread_mutex_unlock(&jit_lock);
    return;
fail:
    welf_free(je);
    welf_free(image);
}

/* Unregisters the object mapped at `map`, if it was registered. */
static void jit_unregister(const void *map)
{
    pthread_mutex_lock(&jit_lock);
    struct jit_code_entry *e = __jit_debug_descriptor.first_entry;
    while (e && ((jit_entry *)e)->map != map)
        e = e->next_entry;
    if (e) {
        if (e->prev_entry)
            e->prev_entry->next_entry = e->next_entry;
        else
            __jit_debug_descriptor.first_entry = e->next_entry;
        if (e->next_entry)
            e->next_entry->prev_entry = e->prev_entry;
        __jit_debug_descriptor.relevant_entry = e;
        __jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
        __jit_debug_register_code();
        __jit_debug_descriptor.relevant_entry = NULL;
        __jit_debug_descriptor.action_flag = JIT_NOACTION;
    }
    pthread_mutex_unlock(&jit_lock);
    if (e) {
        welf_free(((jit_entry *)e)->image);
        welf_free(e);
    }
}

/* ---- perf's map of JIT code ---- */

/*
 * With WELF_PERFMAP=1 in the environment, every loaded object's function
 * symbols are appended to /tmp/perf-PID.map ("START SIZE NAME" in hex),
 * the file perf reads to name code that no ELF file on disk describes.
 * Entries are never removed (perf expects that of JIT code), and names
 * are written with anything but printable ASCII and no spaces turned
 * into '_'. Failing to write the map is not an error of the load.
 */
static void perf_map_write(const loader *ld)
{
    const char *on = getenv("WELF_PERFMAP");
    if (!on || strcmp(on, "1") != 0)
        return;
    Elf_Data *symd = sec_data((loader *)ld, ld->symtab, 0);
    if (!symd)
        return;
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
    FILE *f = fopen(path, "a");
    if (!f)
        return;
    for (size_t i = 1; i < ld->nsyms; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(symd, (int)i, &sym) ||
            GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_size == 0)
            continue;
        const sym_info *si = &ld->syms[i];
        if (!si->in_sec || si->state != SYM_OK ||
            !(ld->secs[si->shndx].sh.sh_flags & SHF_EXECINSTR))
            continue;
        const char *name = sym_name(ld, &sym);
        fprintf(f, "%llx %llx ", (unsigned long long)si->addr,
                (unsigned long long)sym.st_size);
        for (const char *c = name ? name : "?"; *c; c++)
            fputc(*c > ' ' && *c < 0x7f ? *c : '_', f);
        fputc('\n', f);
    }
    fclose(f);
}

/* ---- entry points ---- */

static welf_status load(loader *ld, const void *bytes, size_t size,
                        welf_code *out)
{
    welf_status st;
    if (!bytes || size == 0)
        return FAIL(ld, WELF_NO_OFFSET, "empty object");
    long page = sysconf(_SC_PAGESIZE);
    ld->page = page > 0 ? (size_t)page : 4096;
    ld->bytes = welf_malloc(size);
    if (!ld->bytes)
        return welf_error_set(ld->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory copying a %zu-byte object",
                              size);
    memcpy(ld->bytes, bytes, size);
    ld->size = size;

    const welf_desc_module *desc = NULL;
    if ((st = check_header(ld)) != WELF_OK ||
        (st = read_sections(ld)) != WELF_OK ||
        (st = map_sections(ld)) != WELF_OK ||
        (st = read_symbols(ld)) != WELF_OK ||
        (st = apply_relocations(ld)) != WELF_OK ||
        (st = find_descriptor(ld, &desc)) != WELF_OK)
        return st;

    /* Never writable and executable at once. */
    if (ld->code_size &&
        mprotect(ld->map, ld->code_size, PROT_READ | PROT_EXEC) != 0)
        return welf_error_set(ld->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "cannot make the object's code executable: "
                              "%s", strerror(errno));
    if (ld->map_size > ld->code_size &&
        mprotect(ld->map + ld->code_size, ld->map_size - ld->code_size,
                 PROT_READ) != 0)
        return welf_error_set(ld->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "cannot make the object's data read-only: %s",
                              strerror(errno));

    if ((st = desc_check(desc, ld->map, ld->map + ld->map_size, ld->err)) !=
        WELF_OK)
        return st;
    jit_register(ld);
    perf_map_write(ld);

    out->map = ld->map;
    out->map_size = ld->map_size;
    out->text_start = (uintptr_t)ld->map;
    out->text_end = (uintptr_t)ld->map + ld->text_bytes;
    out->desc = desc;
    ld->map = NULL; /* owned by `out` now */
    return WELF_OK;
}

welf_status welf_code_load(const void *bytes, size_t size, welf_code *out,
                           welf_error *err)
{
    if (err)
        welf_error_clear(err);
    if (!out)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_code_load: no output");
    memset(out, 0, sizeof *out);

    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.err = err;
    welf_status st = load(&ld, bytes, size, out);

    if (ld.map)
        munmap(ld.map, ld.map_size);
    if (ld.elf)
        elf_end(ld.elf);
    welf_free(ld.syms);
    welf_free(ld.secs);
    welf_free(ld.bytes);
    if (st != WELF_OK)
        memset(out, 0, sizeof *out);
    return st;
}

void welf_code_unload(welf_code *code)
{
    if (!code)
        return;
    if (code->map) {
        jit_unregister(code->map);
        munmap(code->map, code->map_size);
    }
    memset(code, 0, sizeof *code);
}
