/*
 * elf_merge.c — merges x86-64 ELF relocatable objects held in memory into
 * one relocatable object (elf_merge.h), as `ld -r` followed by
 * `objcopy --localize-hidden` would. The compiler splits a module's
 * functions into chunks, code-generates each chunk into its own object and
 * merges them here, in-process.
 *
 * This file owns the whole job: checking the inputs, grouping their
 * sections into output sections, resolving symbols, rewriting relocations
 * and laying out the output bytes. It reads and writes ELF by hand
 * (little-endian field by field, <elf.h> for the constants only), so
 * every offset of the output is its own and no unaligned struct access
 * happens.
 *
 * Every input is hostile: each offset, size, alignment, index and name is
 * checked against what it points into before use; arithmetic that could
 * overflow is checked; loops run over counts bounded by the input sizes;
 * name lookups go through hash tables so that hostile section or symbol
 * counts cannot make the work quadratic; the output size is capped by a
 * multiple of the input size, so padding cannot explode.
 *
 * Steps (welf_elf_merge): parse and classify each input's sections; map
 * content sections to output sections (name, type class, key flags;
 * SHF_LINK_ORDER sections also by the output section they link to), in
 * order of first appearance; lay out each output section's pieces in
 * input order; read the symbols (locals rebased, globals resolved by
 * name); check and count relocations; number sections and symbols; lay
 * the file out and write it.
 *
 * Determinism: every order is an input order or an order of first
 * appearance; hash tables are only ever looked up, never iterated.
 */
#include "elf_merge.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

/* Section types and flags that older <elf.h> lacks. */
#define MERGE_SHT_X86_64_UNWIND 0x70000001u
#define MERGE_SHT_LLVM_LINKER_OPTIONS 0x6fff4c01u
#define MERGE_SHT_LLVM_ADDRSIG 0x6fff4c03u
#define MERGE_SHT_LLVM_DEPENDENT_LIBRARIES 0x6fff4c04u
#define MERGE_SHT_LLVM_BB_ADDR_MAP_V0 0x6fff4c08u
#define MERGE_SHT_LLVM_CALL_GRAPH_PROFILE 0x6fff4c09u
#define MERGE_SHT_LLVM_BB_ADDR_MAP 0x6fff4c0au

#define EHDR_SIZE 64u
#define SHDR_SIZE 64u
#define SYM_SIZE 24u
#define RELA_SIZE 24u

/* The largest sh_addralign accepted (keeps padding arithmetic small). */
#define MAX_ALIGN ((uint64_t)1 << 20)

/* The most output sections of one name (they differ in type, key flags
 * or link-order target), so that looking one up stays cheap. */
#define MAX_SAME_NAME 1024u

/* Sections differing in these flags are never merged into one. */
#define KEY_FLAGS ((uint64_t)(SHF_ALLOC | SHF_TLS | SHF_EXCLUDE | \
                              SHF_LINK_ORDER))

#define NONE UINT32_MAX

/* Output section ids that are not sections. */
#define OSEC_UNDEF UINT32_MAX
#define OSEC_ABS (UINT32_MAX - 1)
#define OSEC_COMMON (UINT32_MAX - 2)
#define OSEC_DROPPED (UINT32_MAX - 3)  /* in a section left out */

/* ---- little-endian access ---- */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- state ---- */

enum sec_kind {
    SK_IGNORE,   /* SHT_NULL, or section 0 */
    SK_CONTENT,  /* goes into an output section */
    SK_RELA,     /* relocations of a content section */
    SK_DROP,     /* left out, with its relocations */
    SK_SYMTAB,
    SK_STRTAB,   /* section names or symbol names */
    SK_REL,      /* SHT_REL: dropped with its target, else rejected */
};

typedef struct in_sec {
    const char *name;      /* NUL-terminated, inside the input */
    uint32_t type, link, info;
    uint64_t flags, off, size, align, entsize;
    uint8_t kind;          /* enum sec_kind */
    uint32_t out;          /* SK_CONTENT: output section id */
    uint64_t piece_off;    /* SK_CONTENT: offset in the output section */
} in_sec;

/* What an input symbol became, for relocations. */
enum { REF_NONE, REF_SECSYM, REF_LOCAL, REF_GLOBAL };

typedef struct in_obj {
    const uint8_t *bytes;
    size_t size;
    uint32_t shnum;
    in_sec *secs;
    uint32_t symtab;       /* 0: none */
    const uint8_t *syms;
    uint32_t nsyms;
    const uint8_t *str;    /* the symbol string table */
    uint64_t strsz;
    uint8_t *ref_kind;     /* per symbol */
    uint32_t *ref;         /* output section id, local ordinal, global id */
    uint64_t *ref_adj;     /* REF_SECSYM: addend adjustment */
} in_obj;

enum { SP_NONE, SP_COMMENT, SP_PROPERTY };

typedef struct osec {
    const char *name;
    uint32_t type;
    uint32_t cls;          /* type, with X86_64_UNWIND as PROGBITS */
    uint64_t flags, align, entsize, size;
    uint32_t link_out;     /* SHF_LINK_ORDER: output section linked to */
    uint32_t next_same;    /* next output section of the same name */
    uint8_t special;
    bool merge_ok;         /* every piece allows SHF_MERGE */
    bool entsize_same;
    bool emit;
    uint32_t npieces;
    bool same;             /* SP_PROPERTY: one per object, all equal */
    const uint8_t *first;  /* SP_PROPERTY: the first piece's bytes */
    size_t last_obj;       /* SP_PROPERTY: 1 + object of the last piece */
    uint64_t nrela, rela_done;
    uint32_t shidx, rela_shidx, symidx;
    uint32_t name_off, rela_name_off;
    uint64_t file_off, rela_off;
} osec;

enum { G_UNDEF, G_WEAK, G_COMMON, G_DEF };

typedef struct gsym {
    const char *name;
    uint8_t state;
    bool strong_ref;       /* an undefined reference is STB_GLOBAL */
    bool local;            /* hidden or internal, defined: localized */
    uint8_t type, vis, other; /* other: st_other without visibility */
    uint32_t sec;          /* output section id or OSEC_* */
    uint64_t value, size;
    size_t def_obj;
    uint32_t out_index;
} gsym;

typedef struct osym {      /* an output local symbol */
    const char *name;
    uint8_t info, other;
    uint32_t sec;
    uint64_t value, size;
} osym;

/* A name → index hash table; only looked up, never iterated. */
typedef struct nmap_slot {
    const char *name;      /* NULL: empty */
    uint32_t idx;
} nmap_slot;

typedef struct nmap {
    nmap_slot *slots;
    size_t cap, used;
} nmap;

/* A string table with deduplication; offset 0 is the empty string. */
typedef struct strtab {
    uint8_t *buf;
    size_t len, cap;
    uint32_t *slots;       /* offset + 1, 0: empty */
    size_t nslots, used;
} strtab;

typedef struct merger {
    welf_error *err;
    size_t count;
    in_obj *objs;
    osec *osecs;
    size_t nosec, osec_cap;
    nmap osec_names;
    gsym *gsyms;
    size_t ngsym, gsym_cap;
    nmap gsym_names;
    osym *locals;
    size_t nlocal, local_cap;
    strtab shstr, str, comment;
    uint8_t osabi;
    uint64_t total_in;
    /* output numbering */
    uint32_t shnum, symtab_idx, strtab_idx, shstrtab_idx;
    uint32_t name_symtab, name_strtab, name_shstrtab;  /* in .shstrtab */
    uint32_t nsyms, first_local, first_global;
    uint64_t symtab_off, strtab_off, shstrtab_off, shoff, file_size;
} merger;

/* ---- errors and allocation ---- */

static welf_status fail(merger *m, const char *fmt, ...) WELF_PRINTF(2, 3);

static welf_status fail(merger *m, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return welf_error_set(m->err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                          "inputs are not mergeable: %s", msg);
}

static welf_status nomem(merger *m)
{
    return welf_error_set(m->err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                          "out of memory merging objects");
}

/* n * size zeroed bytes, or NULL (error recorded). */
static void *zalloc(merger *m, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        nomem(m);
        return NULL;
    }
    void *p = welf_malloc(n * size);
    if (!p) {
        nomem(m);
        return NULL;
    }
    memset(p, 0, n * size);
    return p;
}

/* Makes room for `need` elements of `elem` bytes in `arr` (capacity
 * *cap); returns the new array or NULL (error recorded, arr intact). */
static void *grow(merger *m, void *arr, size_t *cap, size_t need,
                  size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2) {
            nomem(m);
            return NULL;
        }
        n *= 2;
    }
    if (n > SIZE_MAX / elem) {
        nomem(m);
        return NULL;
    }
    void *p = welf_realloc(arr, n * elem);
    if (!p) {
        nomem(m);
        return NULL;
    }
    *cap = n;
    return p;
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

#define HASH_INIT 0xcbf29ce484222325u

/* ---- name map ---- */

static uint32_t nmap_get(const nmap *t, const char *name)
{
    if (!t->cap)
        return NONE;
    size_t mask = t->cap - 1;
    size_t i = (size_t)hash_bytes(HASH_INIT, name, strlen(name)) & mask;
    while (t->slots[i].name) {
        if (strcmp(t->slots[i].name, name) == 0)
            return t->slots[i].idx;
        i = (i + 1) & mask;
    }
    return NONE;
}

static void nmap_place(nmap_slot *slots, size_t cap, const char *name,
                       uint32_t idx)
{
    size_t mask = cap - 1;
    size_t i = (size_t)hash_bytes(HASH_INIT, name, strlen(name)) & mask;
    while (slots[i].name && strcmp(slots[i].name, name) != 0)
        i = (i + 1) & mask;
    slots[i].name = name;
    slots[i].idx = idx;
}

/* Maps name to idx (replacing any previous mapping). */
static welf_status nmap_set(merger *m, nmap *t, const char *name,
                            uint32_t idx)
{
    if ((t->used + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        if (ncap <= t->cap)
            return nomem(m);
        nmap_slot *ns = zalloc(m, ncap, sizeof *ns);
        if (!ns)
            return WELF_ERR_NOMEM;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i].name)
                nmap_place(ns, ncap, t->slots[i].name, t->slots[i].idx);
        welf_free(t->slots);
        t->slots = ns;
        t->cap = ncap;
    }
    if (nmap_get(t, name) == NONE)
        t->used++;
    nmap_place(t->slots, t->cap, name, idx);
    return WELF_OK;
}

/* ---- string tables ---- */

/* Does the string at `off` equal prefix followed by s? */
static bool strtab_eq(const strtab *t, size_t off, const char *prefix,
                      size_t plen, const char *s, size_t slen)
{
    if (t->len - off < plen + slen + 1)
        return false;
    const uint8_t *p = t->buf + off;
    return memcmp(p, prefix, plen) == 0 && memcmp(p + plen, s, slen) == 0 &&
           p[plen + slen] == 0;
}

static size_t strtab_find_slot(const strtab *t, uint64_t h,
                               const char *prefix, size_t plen,
                               const char *s, size_t slen)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)h & mask;
    while (t->slots[i] &&
           !strtab_eq(t, t->slots[i] - 1, prefix, plen, s, slen))
        i = (i + 1) & mask;
    return i;
}

static welf_status strtab_init(merger *m, strtab *t)
{
    t->cap = 256;
    t->buf = welf_malloc(t->cap);
    if (!t->buf)
        return nomem(m);
    t->buf[0] = 0;
    t->len = 1;
    return WELF_OK;
}

/* Adds prefix+s (deduplicated); *off receives its offset. */
static welf_status strtab_add2(merger *m, strtab *t, const char *prefix,
                               const char *s, size_t slen, uint32_t *off)
{
    size_t plen = strlen(prefix);
    if (plen + slen == 0) {
        *off = 0;
        return WELF_OK;
    }
    if ((t->used + 1) * 2 > t->nslots) {
        size_t n = t->nslots ? t->nslots * 2 : 256;
        uint32_t *ns = zalloc(m, n, sizeof *ns);
        if (!ns)
            return WELF_ERR_NOMEM;
        uint32_t *old = t->slots;
        size_t oldn = t->nslots;
        t->slots = ns;
        t->nslots = n;
        for (size_t i = 0; i < oldn; i++) {
            if (!old[i])
                continue;
            const char *e = (const char *)t->buf + old[i] - 1;
            size_t el = strlen(e);
            uint64_t h = hash_bytes(HASH_INIT, e, el);
            ns[strtab_find_slot(t, h, "", 0, e, el)] = old[i];
        }
        welf_free(old);
    }
    uint64_t h = hash_bytes(hash_bytes(HASH_INIT, prefix, plen), s, slen);
    size_t slot = strtab_find_slot(t, h, prefix, plen, s, slen);
    if (t->slots[slot]) {
        *off = t->slots[slot] - 1;
        return WELF_OK;
    }
    size_t need = plen + slen + 1;
    if (t->len > UINT32_MAX - 1 || need > UINT32_MAX - 1 - t->len)
        return fail(m, "string table larger than 4 GiB");
    uint8_t *nb = grow(m, t->buf, &t->cap, t->len + need, 1);
    if (!nb)
        return WELF_ERR_NOMEM;
    t->buf = nb;
    memcpy(t->buf + t->len, prefix, plen);
    memcpy(t->buf + t->len + plen, s, slen);
    t->buf[t->len + plen + slen] = 0;
    *off = (uint32_t)t->len;
    t->slots[slot] = (uint32_t)t->len + 1;
    t->len += need;
    t->used++;
    return WELF_OK;
}

static welf_status strtab_add(merger *m, strtab *t, const char *s,
                              uint32_t *off)
{
    return strtab_add2(m, t, "", s, strlen(s), off);
}

static void strtab_free(strtab *t)
{
    welf_free(t->buf);
    welf_free(t->slots);
}

/* ---- reading the inputs ---- */

/* The NUL-terminated string at `off` of a string table, or NULL. */
static const char *str_at(const uint8_t *tab, uint64_t size, uint64_t off)
{
    if (off >= size)
        return NULL;
    if (!memchr(tab + off, 0, (size_t)(size - off)))
        return NULL;
    return (const char *)tab + off;
}

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static welf_status parse_header(merger *m, size_t oi, uint16_t *shnum,
                                uint64_t *shoff, uint16_t *shstrndx)
{
    in_obj *o = &m->objs[oi];
    const uint8_t *b = o->bytes;
    if (!b || o->size < EHDR_SIZE)
        return fail(m, "object %zu: %zu bytes, too small for an ELF header",
                    oi, o->size);
    if (memcmp(b, ELFMAG, SELFMAG) != 0)
        return fail(m, "object %zu: not an ELF file", oi);
    if (b[EI_CLASS] != ELFCLASS64 || b[EI_DATA] != ELFDATA2LSB ||
        b[EI_VERSION] != EV_CURRENT)
        return fail(m, "object %zu: not a 64-bit little-endian ELF file",
                    oi);
    if (b[EI_OSABI] != ELFOSABI_NONE && b[EI_OSABI] != ELFOSABI_GNU)
        return fail(m, "object %zu: unsupported OS ABI %u", oi,
                    b[EI_OSABI]);
    if (b[EI_OSABI] == ELFOSABI_GNU)
        m->osabi = ELFOSABI_GNU;
    if (rd16(b + 16) != ET_REL || rd16(b + 18) != EM_X86_64 ||
        rd32(b + 20) != EV_CURRENT)
        return fail(m, "object %zu: not an x86-64 relocatable object", oi);
    if (rd16(b + 52) != EHDR_SIZE || rd16(b + 58) != SHDR_SIZE)
        return fail(m, "object %zu: unexpected ELF header or section "
                    "header size", oi);
    *shoff = rd64(b + 40);
    *shnum = rd16(b + 60);
    *shstrndx = rd16(b + 62);
    if (*shnum == 0)
        return fail(m, "object %zu: no section headers (extended section "
                    "numbering is not supported)", oi);
    if (*shoff > o->size || (o->size - *shoff) / SHDR_SIZE < *shnum)
        return fail(m, "object %zu: section header table out of bounds",
                    oi);
    if (*shstrndx == SHN_UNDEF || *shstrndx >= *shnum)
        return fail(m, "object %zu: bad section name table index %u", oi,
                    *shstrndx);
    return WELF_OK;
}

static bool content_type(uint32_t type)
{
    switch (type) {
    case SHT_PROGBITS:
    case SHT_NOBITS:
    case SHT_NOTE:
    case SHT_INIT_ARRAY:
    case SHT_FINI_ARRAY:
    case SHT_PREINIT_ARRAY:
    case MERGE_SHT_X86_64_UNWIND:
    case MERGE_SHT_LLVM_LINKER_OPTIONS:
    case MERGE_SHT_LLVM_DEPENDENT_LIBRARIES:
    case MERGE_SHT_LLVM_BB_ADDR_MAP_V0:
    case MERGE_SHT_LLVM_BB_ADDR_MAP:
        return true;
    default:
        return false;
    }
}

/* Reads the section headers: bounds, alignment, names, kinds. */
static welf_status parse_sections(merger *m, size_t oi, uint64_t shoff,
                                  uint16_t shstrndx)
{
    in_obj *o = &m->objs[oi];
    for (uint32_t i = 0; i < o->shnum; i++) {
        const uint8_t *h = o->bytes + shoff + (uint64_t)i * SHDR_SIZE;
        in_sec *s = &o->secs[i];
        s->type = rd32(h + 4);
        s->flags = rd64(h + 8);
        s->off = rd64(h + 24);
        s->size = rd64(h + 32);
        s->link = rd32(h + 40);
        s->info = rd32(h + 44);
        s->align = rd64(h + 48);
        s->entsize = rd64(h + 56);
        s->out = NONE;
        s->name = "";
        if (i == 0)
            continue;
        if (s->type != SHT_NOBITS && s->type != SHT_NULL &&
            (s->off > o->size || o->size - s->off < s->size))
            return fail(m, "object %zu: section %u: contents out of bounds",
                        oi, i);
        if (s->align == 0)
            s->align = 1;
        if (!is_pow2(s->align) || s->align > MAX_ALIGN)
            return fail(m, "object %zu: section %u: unsupported alignment "
                        "%llu", oi, i, (unsigned long long)s->align);
    }
    const in_sec *names = &o->secs[shstrndx];
    if (names->type != SHT_STRTAB)
        return fail(m, "object %zu: section name table is not a string "
                    "table", oi);
    for (uint32_t i = 1; i < o->shnum; i++) {
        in_sec *s = &o->secs[i];
        const uint8_t *h = o->bytes + shoff + (uint64_t)i * SHDR_SIZE;
        s->name = str_at(o->bytes + names->off, names->size, rd32(h));
        if (!s->name)
            return fail(m, "object %zu: section %u: bad name", oi, i);
        if (s->flags & SHF_GROUP || s->type == SHT_GROUP)
            return fail(m, "object %zu: section %u (%s): section groups "
                        "(COMDAT) are not supported", oi, i, s->name);
        if (s->flags & SHF_COMPRESSED)
            return fail(m, "object %zu: section %u (%s): compressed "
                        "sections are not supported", oi, i, s->name);
        switch (s->type) {
        case SHT_NULL:
            s->kind = SK_IGNORE;
            break;
        case SHT_SYMTAB:
            if (o->symtab)
                return fail(m, "object %zu: several symbol tables", oi);
            o->symtab = i;
            s->kind = SK_SYMTAB;
            break;
        case SHT_STRTAB:
            s->kind = SK_STRTAB;
            break;
        case SHT_RELA:
            s->kind = SK_RELA;
            break;
        case SHT_REL:
            s->kind = SK_REL;
            break;
        case MERGE_SHT_LLVM_ADDRSIG:
        case MERGE_SHT_LLVM_CALL_GRAPH_PROFILE:
            s->kind = SK_DROP;
            break;
        default:
            if (!content_type(s->type))
                return fail(m, "object %zu: section %u (%s): unsupported "
                            "section type 0x%x", oi, i, s->name, s->type);
            if (s->flags & SHF_INFO_LINK)
                return fail(m, "object %zu: section %u (%s): unsupported "
                            "SHF_INFO_LINK", oi, i, s->name);
            s->kind = SK_CONTENT;
            break;
        }
    }
    return WELF_OK;
}

/* Checks the symbol table, the relocation sections and link-order links,
 * once every section's kind is known. */
static welf_status check_links(merger *m, size_t oi, uint16_t shstrndx)
{
    in_obj *o = &m->objs[oi];
    uint32_t symstr = 0;
    if (o->symtab) {
        const in_sec *st = &o->secs[o->symtab];
        if (st->entsize != SYM_SIZE || st->size % SYM_SIZE != 0)
            return fail(m, "object %zu: malformed symbol table", oi);
        if (st->size / SYM_SIZE > UINT32_MAX)
            return fail(m, "object %zu: too many symbols", oi);
        if (st->link == 0 || st->link >= o->shnum ||
            o->secs[st->link].kind != SK_STRTAB)
            return fail(m, "object %zu: symbol table without a string "
                        "table", oi);
        symstr = st->link;
        o->syms = o->bytes + st->off;
        o->nsyms = (uint32_t)(st->size / SYM_SIZE);
        o->str = o->bytes + o->secs[symstr].off;
        o->strsz = o->secs[symstr].size;
    }
    for (uint32_t i = 1; i < o->shnum; i++) {
        in_sec *s = &o->secs[i];
        switch (s->kind) {
        case SK_STRTAB:
            if (i != shstrndx && i != symstr)
                return fail(m, "object %zu: section %u (%s): unsupported "
                            "string table", oi, i, s->name);
            break;
        case SK_RELA:
        case SK_REL: {
            if (s->info == 0 || s->info >= o->shnum)
                return fail(m, "object %zu: section %u (%s): bad target "
                            "section", oi, i, s->name);
            uint8_t tk = o->secs[s->info].kind;
            if (tk == SK_DROP) {
                s->kind = SK_DROP;
                break;
            }
            if (s->kind == SK_REL)
                return fail(m, "object %zu: section %u (%s): SHT_REL "
                            "relocations are not supported", oi, i,
                            s->name);
            if (tk != SK_CONTENT)
                return fail(m, "object %zu: section %u (%s): relocates a "
                            "section that is not code or data", oi, i,
                            s->name);
            if (s->entsize != RELA_SIZE || s->size % RELA_SIZE != 0)
                return fail(m, "object %zu: section %u (%s): malformed "
                            "relocation section", oi, i, s->name);
            if (s->size && (!o->symtab || s->link != o->symtab))
                return fail(m, "object %zu: section %u (%s): relocations "
                            "without the symbol table", oi, i, s->name);
            break;
        }
        case SK_CONTENT:
            if (s->flags & SHF_LINK_ORDER) {
                if (s->link == 0 || s->link >= o->shnum ||
                    o->secs[s->link].kind != SK_CONTENT ||
                    (o->secs[s->link].flags & SHF_LINK_ORDER))
                    return fail(m, "object %zu: section %u (%s): bad "
                                "SHF_LINK_ORDER link", oi, i, s->name);
            }
            break;
        default:
            break;
        }
    }
    return WELF_OK;
}

static welf_status parse_object(merger *m, size_t oi)
{
    in_obj *o = &m->objs[oi];
    uint16_t shnum = 0, shstrndx = 0;
    uint64_t shoff = 0;
    welf_status st = parse_header(m, oi, &shnum, &shoff, &shstrndx);
    if (st)
        return st;
    o->shnum = shnum;
    o->secs = zalloc(m, shnum, sizeof *o->secs);
    if (!o->secs)
        return WELF_ERR_NOMEM;
    st = parse_sections(m, oi, shoff, shstrndx);
    if (st)
        return st;
    return check_links(m, oi, shstrndx);
}

/* ---- output sections ---- */

static bool is_eh_frame(const osec *c)
{
    return c->type == MERGE_SHT_X86_64_UNWIND ||
           strcmp(c->name, ".eh_frame") == 0;
}

/* Maps content section i of object oi to an output section. */
static welf_status assign_section(merger *m, in_obj *o, uint32_t i)
{
    in_sec *s = &o->secs[i];
    uint8_t special = SP_NONE;
    if (strcmp(s->name, ".comment") == 0 && s->type == SHT_PROGBITS &&
        !(s->flags & SHF_ALLOC))
        special = SP_COMMENT;
    else if (strcmp(s->name, ".note.gnu.property") == 0 &&
             s->type == SHT_NOTE)
        special = SP_PROPERTY;
    uint32_t cls = s->type == MERGE_SHT_X86_64_UNWIND ? SHT_PROGBITS
                                                      : s->type;
    uint64_t key = s->flags & KEY_FLAGS;
    uint32_t link_out = NONE;
    if (s->flags & SHF_LINK_ORDER) {
        link_out = o->secs[s->link].out;
        if (link_out == NONE || m->osecs[link_out].special != SP_NONE)
            return fail(m, "section %s: SHF_LINK_ORDER link to a section "
                        "that is not kept", s->name);
    }

    uint32_t head = nmap_get(&m->osec_names, s->name), same = 0;
    for (uint32_t c = head; c != NONE; c = m->osecs[c].next_same) {
        osec *e = &m->osecs[c];
        if (++same > MAX_SAME_NAME)
            return fail(m, "more than %u different sections named %s",
                        MAX_SAME_NAME, s->name);
        if (e->special != special)
            continue;
        if (special == SP_NONE &&
            (e->cls != cls || (e->flags & KEY_FLAGS) != key ||
             e->link_out != link_out))
            continue;
        e->flags |= s->flags;
        if (s->type == MERGE_SHT_X86_64_UNWIND)
            e->type = s->type;
        s->out = c;
        return WELF_OK;
    }
    if (m->nosec >= OSEC_DROPPED)
        return fail(m, "too many sections");
    osec *arr = grow(m, m->osecs, &m->osec_cap, m->nosec + 1,
                     sizeof *m->osecs);
    if (!arr)
        return WELF_ERR_NOMEM;
    m->osecs = arr;
    uint32_t c = (uint32_t)m->nosec;
    osec *e = &m->osecs[c];
    memset(e, 0, sizeof *e);
    e->name = s->name;
    e->type = s->type;
    e->cls = cls;
    e->flags = s->flags;
    e->align = 1;
    e->entsize = s->entsize;
    e->link_out = link_out;
    e->next_same = head;
    e->special = special;
    e->merge_ok = true;
    e->entsize_same = true;
    e->same = true;
    welf_status st = nmap_set(m, &m->osec_names, s->name, c);
    if (st)
        return st;
    m->nosec++;
    s->out = c;
    return WELF_OK;
}

static welf_status assign_sections(merger *m)
{
    /* Link-order sections second, once what they link to is placed. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t oi = 0; oi < m->count; oi++) {
            in_obj *o = &m->objs[oi];
            for (uint32_t i = 1; i < o->shnum; i++) {
                in_sec *s = &o->secs[i];
                if (s->kind != SK_CONTENT ||
                    ((s->flags & SHF_LINK_ORDER) != 0) != (pass == 1))
                    continue;
                welf_status st = assign_section(m, o, i);
                if (st)
                    return st;
            }
        }
    }
    return WELF_OK;
}

/* Records what each piece allows (alignment, SHF_MERGE, entsize). */
static void survey_piece(osec *c, const in_obj *o, const in_sec *s)
{
    if (s->align > c->align)
        c->align = s->align;
    if (s->entsize != c->entsize)
        c->entsize_same = false;
    bool ok = (s->flags & SHF_MERGE) && s->type != SHT_NOBITS &&
              s->entsize && s->entsize == c->entsize &&
              (s->flags & SHF_STRINGS) == (c->flags & SHF_STRINGS) &&
              s->size % s->entsize == 0;
    if (ok && (s->flags & SHF_STRINGS) && s->size) {
        /* The last string must end in the piece. */
        for (uint64_t k = s->size - s->entsize; k < s->size; k++)
            if (o->bytes[s->off + k] != 0)
                ok = false;
    }
    if (!ok)
        c->merge_ok = false;
    c->npieces++;
}

static welf_status place_piece(merger *m, size_t oi, osec *c, in_sec *s)
{
    uint64_t a = s->align;
    if (c->merge_ok && is_pow2(c->entsize) && c->entsize <= MAX_ALIGN &&
        c->entsize > a)
        a = c->entsize;  /* pieces start on an entry boundary */
    uint64_t off = c->size;
    if (off > UINT64_MAX - (a - 1))
        return fail(m, "section %s is too large", c->name);
    off = (off + a - 1) & ~(a - 1);
    if (off != c->size && is_eh_frame(c))
        return fail(m, "object %zu: section %s: size %llu is not a "
                    "multiple of the next piece's alignment (padding would "
                    "end the unwind table)", oi, c->name,
                    (unsigned long long)c->size);
    if (s->size > UINT64_MAX - off)
        return fail(m, "section %s is too large", c->name);
    s->piece_off = off;
    c->size = off + s->size;
    return WELF_OK;
}

/* .comment: every distinct string once, in order of appearance. */
static welf_status build_comment(merger *m, in_obj *o, in_sec *s)
{
    const char *p = (const char *)o->bytes + s->off;
    uint64_t n = s->size, i = 0;
    while (i < n) {
        const char *e = memchr(p + i, 0, (size_t)(n - i));
        size_t len = e ? (size_t)(e - (p + i)) : (size_t)(n - i);
        uint32_t off;
        welf_status st = strtab_add2(m, &m->comment, "", p + i, len, &off);
        if (st)
            return st;
        i += len + 1;
    }
    return WELF_OK;
}

static welf_status layout_sections(merger *m)
{
    for (size_t oi = 0; oi < m->count; oi++) {
        in_obj *o = &m->objs[oi];
        for (uint32_t i = 1; i < o->shnum; i++)
            if (o->secs[i].kind == SK_CONTENT)
                survey_piece(&m->osecs[o->secs[i].out], o, &o->secs[i]);
    }
    for (size_t oi = 0; oi < m->count; oi++) {
        in_obj *o = &m->objs[oi];
        for (uint32_t i = 1; i < o->shnum; i++) {
            in_sec *s = &o->secs[i];
            if (s->kind != SK_CONTENT)
                continue;
            osec *c = &m->osecs[s->out];
            welf_status st = WELF_OK;
            if (c->special == SP_NONE) {
                st = place_piece(m, oi, c, s);
            } else if (c->special == SP_COMMENT) {
                st = build_comment(m, o, s);
            } else if (c->last_obj == oi + 1) {
                c->same = false;  /* two in one object: drop */
            } else if (!c->first) {
                c->first = o->bytes + s->off;
                c->size = s->size;
            } else if (s->size != c->size ||
                       memcmp(c->first, o->bytes + s->off,
                              (size_t)s->size) != 0) {
                c->same = false;  /* pieces differ: drop the note */
            }
            if (c->special == SP_PROPERTY)
                c->last_obj = oi + 1;
            if (st)
                return st;
        }
    }
    for (size_t k = 0; k < m->nosec; k++) {
        osec *c = &m->osecs[k];
        c->emit = true;
        if (c->special == SP_COMMENT) {
            c->size = m->comment.len;
            c->flags |= SHF_MERGE | SHF_STRINGS;
            c->entsize = 1;
            continue;
        }
        if (c->special == SP_PROPERTY) {
            c->emit = c->same && c->npieces == m->count;
            c->flags &= ~(uint64_t)(SHF_MERGE | SHF_STRINGS);
            continue;
        }
        if (!c->merge_ok)
            c->flags &= ~(uint64_t)(SHF_MERGE | SHF_STRINGS);
        if (!c->entsize_same)
            c->entsize = 0;
    }
    return WELF_OK;
}

/* ---- symbols ---- */

static uint8_t merge_vis(uint8_t a, uint8_t b)
{
    /* Most constraining wins: internal, hidden, protected, default. */
    if (a == STV_DEFAULT)
        return b;
    if (b == STV_DEFAULT)
        return a;
    return a < b ? a : b;
}

static welf_status add_local(merger *m, const char *name, uint8_t info,
                             uint8_t other, uint32_t sec, uint64_t value,
                             uint64_t size, uint32_t *ordinal)
{
    if (m->nlocal >= UINT32_MAX / 2)
        return fail(m, "too many symbols");
    osym *arr = grow(m, m->locals, &m->local_cap, m->nlocal + 1,
                     sizeof *m->locals);
    if (!arr)
        return WELF_ERR_NOMEM;
    m->locals = arr;
    osym *l = &m->locals[m->nlocal];
    l->name = name;
    l->info = info;
    l->other = other;
    l->sec = sec;
    l->value = value;
    l->size = size;
    *ordinal = (uint32_t)m->nlocal++;
    return WELF_OK;
}

/* Resolves one global or weak symbol against those seen before. */
static welf_status add_global(merger *m, size_t oi, const char *name,
                              uint8_t info, uint8_t other, uint32_t sec,
                              uint64_t value, uint64_t size, uint32_t *id)
{
    uint8_t bind = ELF64_ST_BIND(info), type = ELF64_ST_TYPE(info);
    uint8_t vis = ELF64_ST_VISIBILITY(other);
    uint8_t state = sec == OSEC_UNDEF    ? G_UNDEF
                    : sec == OSEC_COMMON ? G_COMMON
                    : bind == STB_WEAK   ? G_WEAK
                                         : G_DEF;
    uint32_t g = nmap_get(&m->gsym_names, name);
    if (g == NONE) {
        if (m->ngsym >= UINT32_MAX / 2)
            return fail(m, "too many symbols");
        gsym *arr = grow(m, m->gsyms, &m->gsym_cap, m->ngsym + 1,
                         sizeof *m->gsyms);
        if (!arr)
            return WELF_ERR_NOMEM;
        m->gsyms = arr;
        g = (uint32_t)m->ngsym;
        gsym *e = &m->gsyms[g];
        memset(e, 0, sizeof *e);
        e->name = name;
        e->state = G_UNDEF;
        e->type = STT_NOTYPE;
        e->vis = STV_DEFAULT;
        e->other = (uint8_t)(other & ~3);
        e->sec = OSEC_UNDEF;
        welf_status st = nmap_set(m, &m->gsym_names, name, g);
        if (st)
            return st;
        m->ngsym++;
    }
    *id = g;
    gsym *e = &m->gsyms[g];
    e->vis = merge_vis(e->vis, vis);
    bool take = false;
    switch (state) {
    case G_UNDEF:
        if (bind == STB_GLOBAL)
            e->strong_ref = true;
        if (e->state == G_UNDEF && e->type == STT_NOTYPE)
            e->type = type;
        return WELF_OK;
    case G_DEF:
        if (e->state == G_DEF)
            return fail(m, "symbol `%s` is defined in object %zu and "
                        "object %zu", name, e->def_obj, oi);
        take = true;
        break;
    case G_COMMON:
        if (e->state == G_COMMON) {
            if (value > e->value)
                e->value = value;  /* a common symbol's alignment */
            if (size > e->size)
                e->size = size;
            return WELF_OK;
        }
        take = e->state == G_UNDEF || e->state == G_WEAK;
        break;
    case G_WEAK:
        take = e->state == G_UNDEF;
        break;
    default:
        welf_unreachable();
    }
    if (take) {
        e->state = state;
        e->type = type;
        e->other = (uint8_t)(other & ~3);
        e->sec = sec;
        e->value = value;
        e->size = size;
        e->def_obj = oi;
    }
    return WELF_OK;
}

static welf_status read_symbols(merger *m, size_t oi)
{
    in_obj *o = &m->objs[oi];
    if (!o->nsyms)
        return WELF_OK;
    o->ref_kind = zalloc(m, o->nsyms, sizeof *o->ref_kind);
    o->ref = zalloc(m, o->nsyms, sizeof *o->ref);
    o->ref_adj = zalloc(m, o->nsyms, sizeof *o->ref_adj);
    if (!o->ref_kind || !o->ref || !o->ref_adj)
        return WELF_ERR_NOMEM;
    for (uint32_t k = 1; k < o->nsyms; k++) {
        const uint8_t *p = o->syms + (uint64_t)k * SYM_SIZE;
        uint8_t info = p[4], other = p[5];
        uint16_t shndx = rd16(p + 6);
        uint64_t value = rd64(p + 8), size = rd64(p + 16);
        uint8_t bind = ELF64_ST_BIND(info), type = ELF64_ST_TYPE(info);
        const char *name = str_at(o->str, o->strsz, rd32(p));
        if (!name)
            return fail(m, "object %zu: symbol %u: bad name", oi, k);
        if (shndx >= SHN_LORESERVE ? shndx != SHN_ABS && shndx != SHN_COMMON
                                   : shndx >= o->shnum)
            return fail(m, "object %zu: symbol %u (%s): bad section index "
                        "0x%x", oi, k, name, shndx);
        const in_sec *s = shndx != SHN_UNDEF && shndx < SHN_LORESERVE
                              ? &o->secs[shndx]
                              : NULL;
        bool kept = s && s->kind == SK_CONTENT &&
                    m->osecs[s->out].special == SP_NONE;
        uint32_t sec = shndx == SHN_UNDEF    ? OSEC_UNDEF
                       : shndx == SHN_ABS    ? OSEC_ABS
                       : shndx == SHN_COMMON ? OSEC_COMMON
                       : kept                ? s->out
                                             : OSEC_DROPPED;
        if (kept)
            value += s->piece_off;
        welf_status st;
        if (bind == STB_LOCAL) {
            if (type == STT_SECTION) {
                if (kept) {
                    o->ref_kind[k] = REF_SECSYM;
                    o->ref[k] = s->out;
                    o->ref_adj[k] = value;  /* piece offset + st_value */
                }
                continue;
            }
            if (type == STT_FILE)
                continue;
            if (sec == OSEC_UNDEF || sec == OSEC_COMMON)
                return fail(m, "object %zu: local symbol `%s` is undefined "
                            "or common", oi, name);
            if (sec == OSEC_DROPPED)
                continue;  /* in a section the merge drops */
            st = add_local(m, name, info, other, sec, value, size,
                           &o->ref[k]);
            if (st)
                return st;
            o->ref_kind[k] = REF_LOCAL;
        } else if (bind == STB_GLOBAL || bind == STB_WEAK) {
            if (type == STT_SECTION || type == STT_FILE || !name[0])
                return fail(m, "object %zu: symbol %u: malformed global "
                            "symbol", oi, k);
            if (sec == OSEC_DROPPED)
                return fail(m, "object %zu: symbol `%s` is defined in "
                            "section %s, which the merge does not keep", oi,
                            name, s->name);
            st = add_global(m, oi, name, info, other, sec, value, size,
                            &o->ref[k]);
            if (st)
                return st;
            o->ref_kind[k] = REF_GLOBAL;
        } else {
            return fail(m, "object %zu: symbol `%s` has unsupported "
                        "binding %u", oi, name, bind);
        }
    }
    return WELF_OK;
}

/* ---- relocations ---- */

/* Bytes a relocation of this type patches; 1 when unknown. */
static uint64_t reloc_width(uint32_t type)
{
    switch (type) {
    case R_X86_64_NONE:
    case R_X86_64_TLSDESC_CALL:
        return 0;
    case R_X86_64_8:
    case R_X86_64_PC8:
        return 1;
    case R_X86_64_16:
    case R_X86_64_PC16:
        return 2;
    case R_X86_64_64:
    case R_X86_64_PC64:
    case R_X86_64_GOTOFF64:
    case R_X86_64_GOTPC64:
    case R_X86_64_GOT64:
    case R_X86_64_GOTPCREL64:
    case R_X86_64_GOTPLT64:
    case R_X86_64_PLTOFF64:
    case R_X86_64_SIZE64:
    case R_X86_64_DTPMOD64:
    case R_X86_64_DTPOFF64:
    case R_X86_64_TPOFF64:
    case R_X86_64_TLSDESC:
        return 8;
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
    case R_X86_64_32:
    case R_X86_64_32S:
    case R_X86_64_GOT32:
    case R_X86_64_GOTPCREL:
    case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX:
    case R_X86_64_GOTPC32:
    case R_X86_64_SIZE32:
    case R_X86_64_TLSGD:
    case R_X86_64_TLSLD:
    case R_X86_64_DTPOFF32:
    case R_X86_64_GOTTPOFF:
    case R_X86_64_TPOFF32:
    case R_X86_64_GOTPC32_TLSDESC:
        return 4;
    default:
        return 1;
    }
}

/* Checks every relocation and counts them per output section. */
static welf_status check_relocs(merger *m)
{
    for (size_t oi = 0; oi < m->count; oi++) {
        in_obj *o = &m->objs[oi];
        for (uint32_t i = 1; i < o->shnum; i++) {
            const in_sec *r = &o->secs[i];
            if (r->kind != SK_RELA)
                continue;
            const in_sec *t = &o->secs[r->info];
            osec *c = &m->osecs[t->out];
            uint64_t n = r->size / RELA_SIZE;
            if (n && (c->special != SP_NONE || t->type == SHT_NOBITS))
                return fail(m, "object %zu: section %s: relocations in a "
                            "section that cannot have them", oi, r->name);
            for (uint64_t k = 0; k < n; k++) {
                const uint8_t *p = o->bytes + r->off + k * RELA_SIZE;
                uint64_t off = rd64(p), info = rd64(p + 8);
                uint64_t sym = info >> 32;
                uint64_t w = reloc_width((uint32_t)info);
                if (off > t->size || t->size - off < w)
                    return fail(m, "object %zu: section %s: relocation "
                                "%llu out of bounds", oi, r->name,
                                (unsigned long long)k);
                if (sym >= o->nsyms && sym != 0)
                    return fail(m, "object %zu: section %s: relocation "
                                "%llu: bad symbol index", oi, r->name,
                                (unsigned long long)k);
                if (sym && o->ref_kind[sym] == REF_NONE)
                    return fail(m, "object %zu: section %s: relocation "
                                "%llu refers to a symbol the merge does "
                                "not keep", oi, r->name,
                                (unsigned long long)k);
            }
            c->nrela += n;
        }
    }
    return WELF_OK;
}

/* ---- numbering and layout ---- */

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static welf_status number_all(merger *m)
{
    uint32_t idx = 1;
    for (size_t k = 0; k < m->nosec; k++) {
        osec *c = &m->osecs[k];
        if (!c->emit)
            continue;
        if (idx >= SHN_LORESERVE - 4)
            return fail(m, "too many output sections");
        c->shidx = idx++;
        if (c->nrela)
            c->rela_shidx = idx++;
    }
    m->symtab_idx = idx++;
    m->strtab_idx = idx++;
    m->shstrtab_idx = idx++;
    m->shnum = idx;

    uint64_t n = 1;
    for (size_t k = 0; k < m->nosec; k++) {
        osec *c = &m->osecs[k];
        if (c->emit && c->special == SP_NONE)
            c->symidx = (uint32_t)n++;
    }
    m->first_local = (uint32_t)n;
    n += m->nlocal;
    for (size_t g = 0; g < m->ngsym; g++) {
        gsym *e = &m->gsyms[g];
        e->local = (e->state == G_DEF || e->state == G_WEAK) &&
                   (e->vis == STV_HIDDEN || e->vis == STV_INTERNAL);
        if (e->local)
            e->out_index = (uint32_t)n++;
    }
    m->first_global = (uint32_t)n;
    for (size_t g = 0; g < m->ngsym; g++) {
        gsym *e = &m->gsyms[g];
        if (!e->local)
            e->out_index = (uint32_t)n++;
    }
    if (n > UINT32_MAX)
        return fail(m, "too many symbols");
    m->nsyms = (uint32_t)n;
    return WELF_OK;
}

static welf_status build_strtabs(merger *m)
{
    welf_status st;
    for (size_t k = 0; k < m->nosec; k++) {
        osec *c = &m->osecs[k];
        if (!c->emit)
            continue;
        st = strtab_add(m, &m->shstr, c->name, &c->name_off);
        if (!st && c->nrela)
            st = strtab_add2(m, &m->shstr, ".rela", c->name,
                             strlen(c->name), &c->rela_name_off);
        if (st)
            return st;
    }
    if ((st = strtab_add(m, &m->shstr, ".symtab", &m->name_symtab)) ||
        (st = strtab_add(m, &m->shstr, ".strtab", &m->name_strtab)))
        return st;
    return strtab_add(m, &m->shstr, ".shstrtab", &m->name_shstrtab);
}

/* The largest output accepted: alignment padding of legitimate objects
 * stays far below this, hostile alignments cannot blow the output up. */
static uint64_t size_cap(const merger *m)
{
    if (m->total_in > (UINT64_MAX >> 4))
        return UINT64_MAX >> 1;
    return m->total_in * 8 + ((uint64_t)1 << 20);
}

/* Assigns file offsets; sections are laid out in header order. */
static welf_status layout_file(merger *m)
{
    uint64_t cap = size_cap(m);
    uint64_t off = EHDR_SIZE;
    for (size_t k = 0; k < m->nosec; k++) {
        osec *c = &m->osecs[k];
        if (!c->emit)
            continue;
        off = align_up(off, c->align);
        c->file_off = off;
        if (c->type != SHT_NOBITS) {
            if (c->size > cap)
                return fail(m, "section %s would be too large", c->name);
            off += c->size;
        }
        if (c->nrela) {
            if (c->nrela > cap / RELA_SIZE)
                return fail(m, "too many relocations");
            off = align_up(off, 8);
            c->rela_off = off;
            off += c->nrela * RELA_SIZE;
        }
        if (off > cap)
            return fail(m, "output would be too large");
    }
    off = align_up(off, 8);
    m->symtab_off = off;
    off += (uint64_t)m->nsyms * SYM_SIZE;
    m->strtab_off = off;
    off += m->str.len;
    m->shstrtab_off = off;
    off += m->shstr.len;
    off = align_up(off, 8);
    m->shoff = off;
    off += (uint64_t)m->shnum * SHDR_SIZE;
    if (off > cap || off > SIZE_MAX)
        return fail(m, "output would be too large");
    m->file_size = off;
    return WELF_OK;
}

/* ---- writing ---- */

static uint16_t out_shndx(const merger *m, uint32_t sec)
{
    switch (sec) {
    case OSEC_UNDEF:
        return SHN_UNDEF;
    case OSEC_ABS:
        return SHN_ABS;
    case OSEC_COMMON:
        return SHN_COMMON;
    default:
        return (uint16_t)m->osecs[sec].shidx;
    }
}

static void write_sym(uint8_t *p, uint32_t name, uint8_t info,
                      uint8_t other, uint16_t shndx, uint64_t value,
                      uint64_t size)
{
    wr32(p, name);
    p[4] = info;
    p[5] = other;
    wr16(p + 6, shndx);
    wr64(p + 8, value);
    wr64(p + 16, size);
}

static void write_shdr(uint8_t *p, uint32_t name, uint32_t type,
                       uint64_t flags, uint64_t off, uint64_t size,
                       uint32_t link, uint32_t info, uint64_t align,
                       uint64_t entsize)
{
    wr32(p, name);
    wr32(p + 4, type);
    wr64(p + 8, flags);
    wr64(p + 16, 0);
    wr64(p + 24, off);
    wr64(p + 32, size);
    wr32(p + 40, link);
    wr32(p + 44, info);
    wr64(p + 48, align);
    wr64(p + 56, entsize);
}

/* Symbol names go into .strtab, which is laid out after the symbols: the
 * table is built first, then the symbols are written. */
static welf_status build_symbol_names(merger *m, uint32_t *names)
{
    size_t n = 0;
    welf_status st;
    for (size_t k = 0; k < m->nlocal; k++, n++)
        if ((st = strtab_add(m, &m->str, m->locals[k].name, &names[n])))
            return st;
    /* In symbol table order (localized first), so that merging the
     * output again reproduces it byte for byte. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t g = 0; g < m->ngsym; g++)
            if (m->gsyms[g].local == (pass == 0) &&
                (st = strtab_add(m, &m->str, m->gsyms[g].name,
                                 &names[n + g])))
                return st;
    return WELF_OK;
}

static void write_symbols(merger *m, uint8_t *buf, const uint32_t *names)
{
    uint8_t *base = buf + m->symtab_off;
    for (size_t k = 0; k < m->nosec; k++) {
        const osec *c = &m->osecs[k];
        if (c->emit && c->special == SP_NONE)
            write_sym(base + (uint64_t)c->symidx * SYM_SIZE, 0,
                      ELF64_ST_INFO(STB_LOCAL, STT_SECTION), 0,
                      (uint16_t)c->shidx, 0, 0);
    }
    for (size_t k = 0; k < m->nlocal; k++) {
        const osym *l = &m->locals[k];
        write_sym(base + (m->first_local + k) * SYM_SIZE, names[k], l->info,
                  l->other, out_shndx(m, l->sec), l->value, l->size);
    }
    for (size_t g = 0; g < m->ngsym; g++) {
        const gsym *e = &m->gsyms[g];
        uint8_t bind = e->local                 ? STB_LOCAL
                       : e->state == G_WEAK     ? STB_WEAK
                       : e->state == G_UNDEF    ? (e->strong_ref ? STB_GLOBAL
                                                                 : STB_WEAK)
                                                : STB_GLOBAL;
        write_sym(base + (uint64_t)e->out_index * SYM_SIZE,
                  names[m->nlocal + g], ELF64_ST_INFO(bind, e->type),
                  (uint8_t)(e->other | e->vis), out_shndx(m, e->sec),
                  e->value, e->size);
    }
}

static void write_contents(merger *m, uint8_t *buf)
{
    for (size_t oi = 0; oi < m->count; oi++) {
        const in_obj *o = &m->objs[oi];
        for (uint32_t i = 1; i < o->shnum; i++) {
            const in_sec *s = &o->secs[i];
            if (s->kind == SK_CONTENT && s->type != SHT_NOBITS && s->size &&
                m->osecs[s->out].special == SP_NONE)
                memcpy(buf + m->osecs[s->out].file_off + s->piece_off,
                       o->bytes + s->off, (size_t)s->size);
            if (s->kind != SK_RELA || !s->size)
                continue;
            osec *c = &m->osecs[o->secs[s->info].out];
            uint64_t piece = o->secs[s->info].piece_off;
            for (uint64_t k = 0; k < s->size / RELA_SIZE; k++) {
                const uint8_t *p = o->bytes + s->off + k * RELA_SIZE;
                uint64_t info = rd64(p + 8);
                uint64_t addend = rd64(p + 16);
                uint32_t sym = (uint32_t)(info >> 32), out_sym = 0;
                switch (sym ? o->ref_kind[sym] : REF_NONE) {
                case REF_SECSYM:
                    out_sym = m->osecs[o->ref[sym]].symidx;
                    addend += o->ref_adj[sym];
                    break;
                case REF_LOCAL:
                    out_sym = m->first_local + o->ref[sym];
                    break;
                case REF_GLOBAL:
                    out_sym = m->gsyms[o->ref[sym]].out_index;
                    break;
                default:
                    break;
                }
                uint8_t *q = buf + c->rela_off + c->rela_done++ * RELA_SIZE;
                wr64(q, rd64(p) + piece);
                wr64(q + 8, (uint64_t)out_sym << 32 | (uint32_t)info);
                wr64(q + 16, addend);
            }
        }
    }
    for (size_t k = 0; k < m->nosec; k++) {
        const osec *c = &m->osecs[k];
        if (!c->emit || !c->size)
            continue;
        if (c->special == SP_COMMENT)
            memcpy(buf + c->file_off, m->comment.buf, m->comment.len);
        else if (c->special == SP_PROPERTY)
            memcpy(buf + c->file_off, c->first, (size_t)c->size);
    }
}

static void write_headers(const merger *m, uint8_t *buf)
{
    memcpy(buf, ELFMAG, SELFMAG);
    buf[EI_CLASS] = ELFCLASS64;
    buf[EI_DATA] = ELFDATA2LSB;
    buf[EI_VERSION] = EV_CURRENT;
    buf[EI_OSABI] = m->osabi;
    wr16(buf + 16, ET_REL);
    wr16(buf + 18, EM_X86_64);
    wr32(buf + 20, EV_CURRENT);
    wr64(buf + 40, m->shoff);
    wr16(buf + 52, EHDR_SIZE);
    wr16(buf + 58, SHDR_SIZE);
    wr16(buf + 60, (uint16_t)m->shnum);
    wr16(buf + 62, (uint16_t)m->shstrtab_idx);

    uint8_t *sh = buf + m->shoff;
    for (size_t k = 0; k < m->nosec; k++) {
        const osec *c = &m->osecs[k];
        if (!c->emit)
            continue;
        uint32_t link = c->link_out != NONE ? m->osecs[c->link_out].shidx
                                            : 0;
        write_shdr(sh + (uint64_t)c->shidx * SHDR_SIZE, c->name_off, c->type,
                   c->flags, c->file_off, c->size, link, 0, c->align,
                   c->entsize);
        if (c->nrela)
            write_shdr(sh + (uint64_t)c->rela_shidx * SHDR_SIZE,
                       c->rela_name_off, SHT_RELA, SHF_INFO_LINK,
                       c->rela_off, c->nrela * RELA_SIZE, m->symtab_idx,
                       c->shidx, 8, RELA_SIZE);
    }
    write_shdr(sh + (uint64_t)m->symtab_idx * SHDR_SIZE, m->name_symtab,
               SHT_SYMTAB, 0, m->symtab_off, (uint64_t)m->nsyms * SYM_SIZE,
               m->strtab_idx, m->first_global, 8, SYM_SIZE);
    write_shdr(sh + (uint64_t)m->strtab_idx * SHDR_SIZE, m->name_strtab,
               SHT_STRTAB, 0, m->strtab_off, m->str.len, 0, 0, 1, 0);
    write_shdr(sh + (uint64_t)m->shstrtab_idx * SHDR_SIZE, m->name_shstrtab,
               SHT_STRTAB, 0, m->shstrtab_off, m->shstr.len, 0, 0, 1, 0);
    memcpy(buf + m->strtab_off, m->str.buf, m->str.len);
    memcpy(buf + m->shstrtab_off, m->shstr.buf, m->shstr.len);
}

static void merger_free(merger *m)
{
    if (m->objs) {
        for (size_t i = 0; i < m->count; i++) {
            welf_free(m->objs[i].secs);
            welf_free(m->objs[i].ref_kind);
            welf_free(m->objs[i].ref);
            welf_free(m->objs[i].ref_adj);
        }
    }
    welf_free(m->objs);
    welf_free(m->osecs);
    welf_free(m->osec_names.slots);
    welf_free(m->gsyms);
    welf_free(m->gsym_names.slots);
    welf_free(m->locals);
    strtab_free(&m->shstr);
    strtab_free(&m->str);
    strtab_free(&m->comment);
}

static welf_status merge(merger *m, const uint8_t *const *objects,
                         const size_t *sizes, uint8_t **out,
                         size_t *out_size)
{
    welf_status st;
    m->objs = zalloc(m, m->count, sizeof *m->objs);
    if (!m->objs)
        return WELF_ERR_NOMEM;
    if ((st = strtab_init(m, &m->shstr)) || (st = strtab_init(m, &m->str)) ||
        (st = strtab_init(m, &m->comment)))
        return st;
    for (size_t i = 0; i < m->count; i++) {
        m->objs[i].bytes = objects[i];
        m->objs[i].size = sizes[i];
        if (m->total_in + sizes[i] < m->total_in)
            return fail(m, "inputs too large");
        m->total_in += sizes[i];
        if ((st = parse_object(m, i)))
            return st;
    }
    if ((st = assign_sections(m)) || (st = layout_sections(m)))
        return st;
    for (size_t i = 0; i < m->count; i++)
        if ((st = read_symbols(m, i)))
            return st;
    if ((st = check_relocs(m)) || (st = number_all(m)) ||
        (st = build_strtabs(m)))
        return st;

    size_t nnames = m->nlocal + m->ngsym;
    uint32_t *names = zalloc(m, nnames ? nnames : 1, sizeof *names);
    if (!names)
        return WELF_ERR_NOMEM;
    if ((st = build_symbol_names(m, names)) || (st = layout_file(m))) {
        welf_free(names);
        return st;
    }
    uint8_t *buf = zalloc(m, (size_t)m->file_size, 1);
    if (!buf) {
        welf_free(names);
        return WELF_ERR_NOMEM;
    }
    write_symbols(m, buf, names);
    welf_free(names);
    write_contents(m, buf);
    write_headers(m, buf);
    *out = buf;
    *out_size = (size_t)m->file_size;
    return WELF_OK;
}

welf_status welf_elf_merge(const uint8_t *const *objects,
                           const size_t *sizes, size_t count, uint8_t **out,
                           size_t *out_size, welf_error *err)
{
    if (out)
        *out = NULL;
    if (out_size)
        *out_size = 0;
    if (!objects || !sizes || !count || !out || !out_size)
        return welf_error_set(err, WELF_ERR_USAGE, WELF_NO_OFFSET,
                              "welf_elf_merge: no objects or no output");
    merger m;
    memset(&m, 0, sizeof m);
    m.err = err;
    m.count = count;
    m.osabi = ELFOSABI_NONE;
    welf_status st = merge(&m, objects, sizes, out, out_size);
    merger_free(&m);
    return st;
}
