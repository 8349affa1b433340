/*
 * lines.c — reading the line table of an object compiled with -g (its
 * format: welf_lines_header in abi.h) for trap backtraces: the source
 * file and line of a code address, and the source functions inlined
 * there.
 *
 * The table arrives with the object, so it is read as untrusted bytes:
 * the header's counts are used only after checking that the parts they
 * describe fit in 32-bit sizes, every record is read with memcpy-free
 * little-endian loads, every offset and index is checked before use, and
 * every string must end inside the string area, and the whole table,
 * as its header sizes it, must fit in what is readable from its start
 * (the rest of a loaded object's mapping). Anything inconsistent reads
 * as "no location".
 */
#include "internal.h"

#include <string.h>

/* The most inlined functions reported at one address. */
#define MAX_DEPTH 32

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* A LEB128 number from [*p, end); false when it runs out or is longer
 * than 64 bits. */
static bool read_leb(const uint8_t **p, const uint8_t *end, bool is_signed,
                     uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t byte;
    do {
        if (*p >= end || shift >= 64)
            return false;
        byte = *(*p)++;
        v |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
    } while (byte & 0x80);
    if (is_signed && shift < 64 && (byte & 0x40))
        v |= ~(uint64_t)0 << shift;
    *out = v;
    return true;
}

/* The parts of a table, located from its header. */
typedef struct table {
    const uint8_t *strings_at, *entries, *inlines, *rows;
    const char *strings;
    uint32_t string_count, entry_count, inline_count, rows_size,
        strings_size;
} table;

static bool open_table(const uint8_t *t, size_t room, table *out)
{
    if (!t || room < sizeof(welf_lines_header) ||
        rd32(t) != WELF_LINES_MAGIC)
        return false;
    out->string_count = rd32(t + 4);
    out->entry_count = rd32(t + 8);
    out->inline_count = rd32(t + 12);
    out->rows_size = rd32(t + 16);
    out->strings_size = rd32(t + 20);
    uint64_t total = sizeof(welf_lines_header) +
                     4 * (uint64_t)out->string_count +
                     sizeof(welf_lines_entry) * (uint64_t)out->entry_count +
                     sizeof(welf_lines_inline) * (uint64_t)out->inline_count +
                     out->rows_size + (uint64_t)out->strings_size;
    if (total > UINT32_MAX || total > room)
        return false;
    out->strings_at = t + sizeof(welf_lines_header);
    out->entries = out->strings_at + 4 * (size_t)out->string_count;
    out->inlines = out->entries +
                   sizeof(welf_lines_entry) * (size_t)out->entry_count;
    out->rows = out->inlines +
                sizeof(welf_lines_inline) * (size_t)out->inline_count;
    out->strings = (const char *)out->rows + out->rows_size;
    return true;
}

/* String `index`, or NULL when there is no such string. */
static const char *string_at(const table *t, uint32_t index)
{
    if (index >= t->string_count)
        return NULL;
    uint32_t at = rd32(t->strings_at + 4 * (size_t)index);
    if (at >= t->strings_size ||
        !memchr(t->strings + at, '\0', t->strings_size - at))
        return NULL;
    return t->strings + at;
}

/* The entry for (func, kind), by binary search; NULL if none. */
static const uint8_t *find_entry(const table *t, uint32_t func, uint32_t kind)
{
    uint32_t lo = 0, hi = t->entry_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const uint8_t *e = t->entries + sizeof(welf_lines_entry) * mid;
        uint32_t f = rd32(e), k = rd32(e + 4);
        if (f < func || (f == func && k < kind))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == t->entry_count)
        return NULL;
    const uint8_t *e = t->entries + sizeof(welf_lines_entry) * lo;
    return rd32(e) == func && rd32(e + 4) == kind ? e : NULL;
}

/* The row location at `offset` of entry `e`. */
static void row_location(const table *t, const uint8_t *e, uint64_t offset,
                         welf_lines_frame *out)
{
    uint32_t start = rd32(e + 8);
    if (start > t->rows_size)
        return;
    const uint8_t *p = t->rows + start, *end = t->rows + t->rows_size;
    uint64_t at = 0, line = 0, found_line = 0, found_file = 0;
    for (uint32_t n = rd32(e + 12); n; n--) {
        uint64_t d_off, d_line, file;
        if (!read_leb(&p, end, false, &d_off) ||
            !read_leb(&p, end, true, &d_line) ||
            !read_leb(&p, end, false, &file))
            return;
        at += d_off;
        line += d_line;
        if (at > offset)
            break;
        found_line = line;
        found_file = file;
    }
    if (!found_line || found_line > UINT32_MAX || found_file > UINT32_MAX)
        return;
    out->file = string_at(t, (uint32_t)found_file);
    out->line = out->file ? (uint32_t)found_line : 0;
}

size_t welf_lines_lookup(const welf_code_site *site, welf_lines_frame *out,
                         size_t max)
{
    out[0] = (welf_lines_frame){NULL, NULL, 0};
    table t;
    const uint8_t *e;
    if (!site->lines || !open_table(site->lines, site->lines_room, &t) ||
        !(e = find_entry(&t, site->func, site->kind)))
        return 1;
    welf_lines_frame here = {NULL, NULL, 0};
    row_location(&t, e, site->offset, &here);

    /* The inline records around the offset, one per depth: records are
     * sorted by start, so the last one of a depth that holds the offset
     * is the innermost candidate at that depth. */
    const uint8_t *chain[MAX_DEPTH + 1] = {NULL};
    uint32_t deepest = 0;
    uint32_t first = rd32(e + 16), count = rd32(e + 20);
    if (first <= t.inline_count && count <= t.inline_count - first) {
        for (uint32_t i = 0; i < count; i++) {
            const uint8_t *r = t.inlines +
                               sizeof(welf_lines_inline) * (size_t)(first + i);
            uint32_t start = rd32(r), end = rd32(r + 4), depth = rd32(r + 8);
            if (start > site->offset)
                break;
            if (site->offset < end && depth >= 1 && depth <= MAX_DEPTH)
                chain[depth] = r;
        }
        /* Nesting needs every depth above the deepest. */
        while (deepest < MAX_DEPTH && chain[deepest + 1])
            deepest++;
    }

    /* Innermost first: each inlined function at the location below it,
     * its caller at its call site. */
    size_t n = 0;
    welf_lines_frame loc = here;
    for (uint32_t d = deepest; d >= 1 && n + 1 < max; d--) {
        const uint8_t *r = chain[d];
        out[n++] = (welf_lines_frame){string_at(&t, rd32(r + 12)), loc.file,
                                      loc.file ? loc.line : 0};
        loc.line = rd32(r + 20);
        loc.file = loc.line ? string_at(&t, rd32(r + 16)) : NULL;
        if (!loc.file)
            loc.line = 0;
    }
    out[n++] = (welf_lines_frame){NULL, loc.file, loc.line};
    return n;
}
