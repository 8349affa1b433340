/*
 * tests/runtime/lines.c — runtime/lines.c: looking up source lines and
 * inlined functions in a line table (format: welf_lines_header in
 * runtime/abi.h). The tables are written here by hand from the format's
 * description, not by the compiler, and damaged ones (truncated, or any
 * byte changed) must read as "no location" or as some location, never
 * out of bounds: each table sits in a buffer of exactly its size, so the
 * sanitizer build sees any overrun.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct buf {
    uint8_t b[1024];
    size_t n;
} buf;

static void u32(buf *o, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        o->b[o->n++] = (uint8_t)(v >> (8 * i));
}

static void leb(buf *o, int64_t v, bool is_signed)
{
    uint64_t u = (uint64_t)v;
    for (;;) {
        uint8_t byte = u & 0x7f;
        u = is_signed ? (uint64_t)(v >>= 7) : u >> 7;
        bool done = is_signed ? (v == 0 && !(byte & 0x40)) ||
                                    (v == -1 && (byte & 0x40))
                              : u == 0;
        o->b[o->n++] = done ? byte : byte | 0x80;
        if (done)
            return;
    }
}

/*
 * Strings: 0 "a.c", 1 "b.h", 2 "inner", 3 "outer".
 * Entry (3, wasm): rows at 0 a.c:10, 8 b.h:12, 20 line 0; inline records
 * outer [4, 16) depth 1 called from a.c:99, inner [8, 12) depth 2 called
 * from b.h:50. Entry (3, array): one row, a.c:7. Entry (5, wasm): rows
 * only, starting with a line-0 row.
 */
static size_t make_table(uint8_t *out)
{
    static const char *const strings[] = {"a.c", "b.h", "inner", "outer"};
    buf rows = {{0}, 0};
    /* (3, wasm) */
    leb(&rows, 0, false), leb(&rows, 10, true), leb(&rows, 0, false);
    leb(&rows, 8, false), leb(&rows, 2, true), leb(&rows, 1, false);
    leb(&rows, 12, false), leb(&rows, -12, true), leb(&rows, 0, false);
    size_t second = rows.n;
    /* (3, array) */
    leb(&rows, 0, false), leb(&rows, 7, true), leb(&rows, 0, false);
    size_t third = rows.n;
    /* (5, wasm) */
    leb(&rows, 0, false), leb(&rows, 0, true), leb(&rows, 0, false);
    leb(&rows, 300, false), leb(&rows, 1000, true), leb(&rows, 1, false);

    buf t = {{0}, 0};
    size_t strings_size = 0;
    for (size_t i = 0; i < 4; i++)
        strings_size += strlen(strings[i]) + 1;
    u32(&t, WELF_LINES_MAGIC);
    u32(&t, 4);                           /* strings */
    u32(&t, 3);                           /* entries */
    u32(&t, 2);                           /* inline records */
    u32(&t, (uint32_t)rows.n);
    u32(&t, (uint32_t)strings_size);
    for (size_t i = 0, at = 0; i < 4; at += strlen(strings[i]) + 1, i++)
        u32(&t, (uint32_t)at);
    uint32_t entries[3][6] = {
        {3, WELF_LINES_WASM, 0, 3, 0, 2},
        {3, WELF_LINES_ARRAY, (uint32_t)second, 1, 2, 0},
        {5, WELF_LINES_WASM, (uint32_t)third, 2, 2, 0},
    };
    for (int e = 0; e < 3; e++)
        for (int k = 0; k < 6; k++)
            u32(&t, entries[e][k]);
    uint32_t inlines[2][6] = {{4, 16, 1, 3, 0, 99}, {8, 12, 2, 2, 1, 50}};
    for (int r = 0; r < 2; r++)
        for (int k = 0; k < 6; k++)
            u32(&t, inlines[r][k]);
    memcpy(t.b + t.n, rows.b, rows.n);
    t.n += rows.n;
    for (size_t i = 0; i < 4; i++) {
        memcpy(t.b + t.n, strings[i], strlen(strings[i]) + 1);
        t.n += strlen(strings[i]) + 1;
    }
    memcpy(out, t.b, t.n);
    return t.n;
}

static size_t lookup(const uint8_t *t, size_t room, uint32_t func,
                     uint32_t kind, uint64_t offset, welf_lines_frame *out,
                     size_t max)
{
    welf_code_site site = {t, room, func, kind, offset};
    return welf_lines_lookup(&site, out, max);
}

static void expect_frame(const welf_lines_frame *f, const char *name,
                         const char *file, uint32_t line)
{
    if (name)
        cr_expect(f->name && strcmp(f->name, name) == 0,
                  "name %s, expected %s", f->name ? f->name : "(none)", name);
    else
        cr_expect_null(f->name);
    if (file)
        cr_expect(f->file && strcmp(f->file, file) == 0,
                  "file %s, expected %s", f->file ? f->file : "(none)",
                  file);
    else
        cr_expect_null(f->file);
    cr_expect_eq(f->line, line);
}

Test(lines, rows_give_the_location_of_each_offset)
{
    uint8_t t[1024];
    size_t n = make_table(t);
    welf_lines_frame f[8];
    /* Offsets before any inline record: one frame. */
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_WASM, 0, f, 8), 1);
    expect_frame(&f[0], NULL, "a.c", 10);
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_WASM, 3, f, 8), 1);
    expect_frame(&f[0], NULL, "a.c", 10);
    /* From offset 20 on, line 0: no location. */
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_WASM, 25, f, 8), 1);
    expect_frame(&f[0], NULL, NULL, 0);
    /* The array entry has its own rows. */
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_ARRAY, 100, f, 8), 1);
    expect_frame(&f[0], NULL, "a.c", 7);
    /* Line 0 at the start, then b.h:1000. */
    cr_assert_eq(lookup(t, n, 5, WELF_LINES_WASM, 299, f, 8), 1);
    expect_frame(&f[0], NULL, NULL, 0);
    cr_assert_eq(lookup(t, n, 5, WELF_LINES_WASM, 300, f, 8), 1);
    expect_frame(&f[0], NULL, "b.h", 1000);
}

Test(lines, inline_records_give_one_frame_per_inlined_function)
{
    uint8_t t[1024];
    size_t n = make_table(t);
    welf_lines_frame f[8];
    /* Inside outer only: outer at the row's line, the function at the
     * call site. */
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_WASM, 5, f, 8), 2);
    expect_frame(&f[0], "outer", "a.c", 10);
    expect_frame(&f[1], NULL, "a.c", 99);
    /* Inside inner inside outer. */
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_WASM, 10, f, 8), 3);
    expect_frame(&f[0], "inner", "b.h", 12);
    expect_frame(&f[1], "outer", "b.h", 50);
    expect_frame(&f[2], NULL, "a.c", 99);
    /* Past inner, still in outer. */
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_WASM, 12, f, 8), 2);
    expect_frame(&f[0], "outer", "b.h", 12);
    /* Room for two frames: the innermost and the function. */
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_WASM, 10, f, 2), 2);
    expect_frame(&f[0], "inner", "b.h", 12);
    expect_frame(&f[1], NULL, "b.h", 50);
}

Test(lines, no_table_or_no_entry_gives_one_bare_frame)
{
    uint8_t t[1024];
    size_t n = make_table(t);
    welf_lines_frame f[4];
    cr_assert_eq(lookup(NULL, 0, 3, WELF_LINES_WASM, 0, f, 4), 1);
    expect_frame(&f[0], NULL, NULL, 0);
    cr_assert_eq(lookup(t, n, 4, WELF_LINES_WASM, 0, f, 4), 1);
    expect_frame(&f[0], NULL, NULL, 0);
    cr_assert_eq(lookup(t, n, 5, WELF_LINES_NATIVE, 0, f, 4), 1);
    expect_frame(&f[0], NULL, NULL, 0);
    t[0] ^= 1; /* the magic */
    cr_assert_eq(lookup(t, n, 3, WELF_LINES_WASM, 0, f, 4), 1);
    expect_frame(&f[0], NULL, NULL, 0);
}

/* Looks up every offset of every entry of a damaged table held in a
 * buffer of exactly `room` bytes; checks only the frames' shape. */
static void probe(const uint8_t *bytes, size_t room)
{
    uint8_t *t = malloc(room ? room : 1);
    cr_assert_not_null(t);
    memcpy(t, bytes, room);
    welf_lines_frame f[8];
    static const uint32_t funcs[] = {3, 5, 0};
    for (size_t i = 0; i < 3; i++)
        for (uint32_t kind = 0; kind < 3; kind++)
            for (uint64_t off = 0; off < 24; off += 3) {
                size_t k = lookup(t, room, funcs[i], kind, off, f, 8);
                cr_assert(k >= 1 && k <= 8);
                for (size_t j = 0; j < k; j++)
                    if (f[j].file)
                        cr_assert(strlen(f[j].file) < room);
            }
    free(t);
}

Test(lines, a_truncated_table_is_never_read_past_its_end)
{
    uint8_t t[1024];
    size_t n = make_table(t);
    for (size_t room = 0; room < n; room++)
        probe(t, room);
    /* A table too short for what its header says gives no location. */
    welf_lines_frame f[4];
    uint8_t *copy = malloc(n - 1);
    cr_assert_not_null(copy);
    memcpy(copy, t, n - 1);
    cr_expect_eq(lookup(copy, n - 1, 3, WELF_LINES_WASM, 0, f, 4), 1);
    expect_frame(&f[0], NULL, NULL, 0);
    free(copy);
}

Test(lines, a_damaged_table_is_never_read_out_of_bounds)
{
    uint8_t t[1024];
    size_t n = make_table(t);
    static const uint8_t values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    for (size_t i = 0; i < n; i++)
        for (size_t v = 0; v < sizeof values; v++) {
            uint8_t d[1024];
            memcpy(d, t, n);
            d[i] = values[v];
            probe(d, n);
        }
}
