/*
 * tests/compiler/reader.c — the bounds-checked byte reader
 * (compiler/reader.h, compiler/reader.c): LEB128 integers with the length
 * and range rules of spec 5.2.2 (u32, s32, s33, s64), fixed-width
 * little-endian values, UTF-8 validity and names (spec 5.2.4), offsets
 * counted from the reader's base, and "the first error wins".
 *
 * Every literal below is written byte by byte; expected values and
 * offsets come from the bytes, not from running the reader.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reader.h"

/* A reader over a literal, with its own error record. */
typedef struct rd {
    welf_reader r;
    welf_error err;
    const uint8_t *bytes;
    size_t len;
} rd;

static void rd_init(rd *t, const char *bytes, size_t len)
{
    welf_error_clear(&t->err);
    t->bytes = (const uint8_t *)bytes;
    t->len = len;
    welf_reader_init(&t->r, t->bytes, t->bytes, t->bytes + len, &t->err);
}

#define RD(t, lit) rd_init((t), (lit), sizeof(lit) - 1)

typedef enum leb_kind { K_U32, K_S32, K_S33, K_S64 } leb_kind;

static const char *kind_name(leb_kind k)
{
    static const char *const names[] = {"u32", "s32", "s33", "s64"};
    return names[k];
}

static bool read_kind(rd *t, leb_kind k, int64_t *out)
{
    switch (k) {
    case K_U32: {
        uint32_t v;
        if (!welf_read_u32(&t->r, &v))
            return false;
        *out = v;
        return true;
    }
    case K_S32: {
        int32_t v;
        if (!welf_read_s32(&t->r, &v))
            return false;
        *out = v;
        return true;
    }
    case K_S33:
        return welf_read_s33(&t->r, out);
    case K_S64:
        return welf_read_s64(&t->r, out);
    }
    return false;
}

/* The whole literal decodes to `want` and is consumed exactly. */
static void leb_ok(leb_kind k, const char *lit, size_t len, int64_t want)
{
    rd t;
    rd_init(&t, lit, len);
    int64_t got = 0;
    bool ok = read_kind(&t, k, &got);
    cr_assert(ok, "%s of %zu bytes rejected: code %d, \"%s\"", kind_name(k),
              len, (int)t.err.code, t.err.message);
    cr_assert_eq(got, want, "%s of %zu bytes: got %lld, expected %lld",
                 kind_name(k), len, (long long)got, (long long)want);
    cr_assert_eq(welf_reader_offset(&t.r), (uint32_t)len,
                 "%s: consumed %u bytes, expected %zu", kind_name(k),
                 welf_reader_offset(&t.r), len);
    cr_assert_eq(t.err.code, WELF_OK, "%s: error recorded on success",
                 kind_name(k));
}

/* The literal is rejected with `code` at `offset`. */
static void leb_bad(leb_kind k, const char *lit, size_t len, welf_status code,
                    uint32_t offset)
{
    rd t;
    rd_init(&t, lit, len);
    int64_t got = 0;
    bool ok = read_kind(&t, k, &got);
    cr_assert(!ok, "%s of %zu bytes accepted as %lld, expected error %d",
              kind_name(k), len, (long long)got, (int)code);
    cr_assert_eq(t.err.code, code, "%s of %zu bytes: code %d (%s), "
                 "expected %d", kind_name(k), len, (int)t.err.code,
                 t.err.message, (int)code);
    cr_assert_eq(t.err.offset, offset, "%s: error offset %u, expected %u",
                 kind_name(k), t.err.offset, offset);
    cr_assert_eq(welf_status_classify(t.err.code), WELF_CLASS_MALFORMED,
                 "%s: a LEB128 error must be classed malformed",
                 kind_name(k));
    cr_assert_neq(t.err.message[0], '\0', "%s: empty error message",
                  kind_name(k));
}

#define LEB_OK(k, lit, want) leb_ok((k), (lit), sizeof(lit) - 1, (want))
#define LEB_BAD(k, lit, code, off) \
    leb_bad((k), (lit), sizeof(lit) - 1, (code), (off))

/* ---- u32 ---- */

Test(reader, u32_minimal_encodings)
{
    LEB_OK(K_U32, "\x00", 0);
    LEB_OK(K_U32, "\x7f", 127);
    LEB_OK(K_U32, "\x80\x01", 128);
    LEB_OK(K_U32, "\xe5\x8e\x26", 624485);
    LEB_OK(K_U32, "\xff\xff\xff\xff\x0f", UINT32_MAX);
}

Test(reader, u32_padded_encodings_are_legal)
{
    LEB_OK(K_U32, "\x80\x00", 0);
    LEB_OK(K_U32, "\x80\x80\x80\x80\x00", 0);
    LEB_OK(K_U32, "\xff\x00", 127);
    LEB_OK(K_U32, "\x82\x80\x80\x80\x00", 2);
}

Test(reader, u32_single_byte_leaves_rest)
{
    rd t;
    RD(&t, "\x05\x07");
    uint32_t v = 0;
    cr_assert(welf_read_u32(&t.r, &v));
    cr_assert_eq(v, 5);
    cr_assert_eq(welf_reader_offset(&t.r), 1, "one-byte u32 must consume "
                 "exactly one byte");
    cr_assert(welf_read_u32(&t.r, &v));
    cr_assert_eq(v, 7);
    cr_assert(welf_reader_done(&t.r));
}

Test(reader, u32_too_long)
{
    LEB_BAD(K_U32, "\x80\x80\x80\x80\x80\x00", WELF_ERR_LEB_LENGTH, 0);
    LEB_BAD(K_U32, "\xff\xff\xff\xff\xff\x0f", WELF_ERR_LEB_LENGTH, 0);
}

Test(reader, u32_unused_bits_set)
{
    LEB_BAD(K_U32, "\xff\xff\xff\xff\x1f", WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_U32, "\x80\x80\x80\x80\x10", WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_U32, "\x80\x80\x80\x80\x70", WELF_ERR_LEB_RANGE, 0);
}

Test(reader, u32_truncated)
{
    LEB_BAD(K_U32, "", WELF_ERR_UNEXPECTED_END, 0);
    LEB_BAD(K_U32, "\x80", WELF_ERR_UNEXPECTED_END, 0);
    LEB_BAD(K_U32, "\xff\xff\xff\xff", WELF_ERR_UNEXPECTED_END, 0);
}

/* ---- s32 ---- */

Test(reader, s32_values)
{
    LEB_OK(K_S32, "\x00", 0);
    LEB_OK(K_S32, "\x7f", -1);
    LEB_OK(K_S32, "\x3f", 63);
    LEB_OK(K_S32, "\xc0\x00", 64);
    LEB_OK(K_S32, "\x40", -64);
    LEB_OK(K_S32, "\xbf\x7f", -65);
    LEB_OK(K_S32, "\x80\x80\x80\x80\x78", INT32_MIN);
    LEB_OK(K_S32, "\xff\xff\xff\xff\x07", INT32_MAX);
}

Test(reader, s32_padded_encodings_are_legal)
{
    LEB_OK(K_S32, "\x80\x00", 0);
    LEB_OK(K_S32, "\xff\x7f", -1);
    LEB_OK(K_S32, "\xff\xff\xff\xff\x7f", -1);
    LEB_OK(K_S32, "\x80\x80\x80\x80\x00", 0);
}

Test(reader, s32_last_byte_sign_rules)
{
    /* Bits 4..6 of the fifth byte must copy bit 3 (the sign bit). */
    LEB_BAD(K_S32, "\x80\x80\x80\x80\x70", WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S32, "\xff\xff\xff\xff\x0f", WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S32, "\x80\x80\x80\x80\x08", WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S32, "\xff\xff\xff\xff\x4f", WELF_ERR_LEB_RANGE, 0);
}

Test(reader, s32_too_long_and_truncated)
{
    LEB_BAD(K_S32, "\xff\xff\xff\xff\xff\x7f", WELF_ERR_LEB_LENGTH, 0);
    LEB_BAD(K_S32, "\x80\x80\x80\x80\x80\x00", WELF_ERR_LEB_LENGTH, 0);
    LEB_BAD(K_S32, "", WELF_ERR_UNEXPECTED_END, 0);
    LEB_BAD(K_S32, "\xff\xff", WELF_ERR_UNEXPECTED_END, 0);
}

/* ---- s33 (block types) ---- */

Test(reader, s33_limits)
{
    LEB_OK(K_S33, "\x00", 0);
    LEB_OK(K_S33, "\x40", -64);
    LEB_OK(K_S33, "\xff\xff\xff\xff\x0f", 4294967295LL);   /* 2^32 - 1 */
    LEB_OK(K_S33, "\x80\x80\x80\x80\x70", -4294967296LL);  /* -2^32 */
    LEB_OK(K_S33, "\xff\xff\xff\xff\x7f", -1);
    /* bit 32 is the sign; bits 33, 34 must copy it */
    LEB_BAD(K_S33, "\x80\x80\x80\x80\x10", WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S33, "\xff\xff\xff\xff\x2f", WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S33, "\x80\x80\x80\x80\x60", WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S33, "\x80\x80\x80\x80\x80\x00", WELF_ERR_LEB_LENGTH, 0);
    LEB_BAD(K_S33, "\x80\x80", WELF_ERR_UNEXPECTED_END, 0);
}

/* ---- s64 ---- */

Test(reader, s64_limits)
{
    LEB_OK(K_S64, "\x7f", -1);
    LEB_OK(K_S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", INT64_MIN);
    LEB_OK(K_S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", INT64_MAX);
    LEB_OK(K_S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", -1);
    LEB_OK(K_S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 0);
    LEB_OK(K_S64, "\x80\x80\x80\x80\x08", 0x80000000LL);
}

Test(reader, s64_too_long)
{
    LEB_BAD(K_S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00",
            WELF_ERR_LEB_LENGTH, 0);
    LEB_BAD(K_S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
            WELF_ERR_LEB_LENGTH, 0);
}

Test(reader, s64_tenth_byte_range)
{
    /* The tenth byte holds only bit 63: it must be 0x00 or 0x7f. */
    LEB_BAD(K_S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",
            WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7e",
            WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S64, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x41",
            WELF_ERR_LEB_RANGE, 0);
    LEB_BAD(K_S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x40",
            WELF_ERR_LEB_RANGE, 0);
}

Test(reader, s64_truncated)
{
    LEB_BAD(K_S64, "\x80\x80\x80\x80\x80\x80\x80\x80\x80",
            WELF_ERR_UNEXPECTED_END, 0);
}

/* ---- offsets, first error ---- */

Test(reader, offsets_count_from_base)
{
    /* Bytes 0..3 belong to the "module" but the reader starts at 4. */
    static const uint8_t buf[] = {0xaa, 0xbb, 0xcc, 0xdd, 0x05,
                                  0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    welf_error err;
    welf_error_clear(&err);
    welf_reader r;
    welf_reader_init(&r, buf, buf + 4, buf + sizeof buf, &err);
    cr_assert_eq(welf_reader_offset(&r), 4);
    uint32_t v;
    cr_assert(welf_read_u32(&r, &v));
    cr_assert_eq(v, 5);
    cr_assert(!welf_read_u32(&r, &v), "6-byte u32 accepted");
    cr_assert_eq(err.code, WELF_ERR_LEB_LENGTH);
    cr_assert_eq(err.offset, 5, "offset %u: must be the LEB's offset from "
                 "base (5), not from the reader's start", err.offset);
}

Test(reader, unexpected_end_offset_counts_from_base)
{
    static const uint8_t buf[] = {0x00, 0x00, 0x00, 0x01, 0x02};
    welf_error err;
    welf_error_clear(&err);
    welf_reader r;
    welf_reader_init(&r, buf, buf + 3, buf + sizeof buf, &err);
    uint32_t v;
    cr_assert(!welf_read_fixed32(&r, &v), "fixed32 over 2 bytes accepted");
    cr_assert_eq(err.code, WELF_ERR_UNEXPECTED_END);
    cr_assert_eq(err.offset, 3, "offset %u, expected 3", err.offset);

    welf_error_clear(&err);
    welf_reader_init(&r, buf, buf + 5, buf + sizeof buf, &err);
    uint8_t b;
    cr_assert(!welf_read_u8(&r, &b), "byte read past the end");
    cr_assert_eq(err.code, WELF_ERR_UNEXPECTED_END);
    cr_assert_eq(err.offset, 5, "offset %u, expected 5", err.offset);
}

Test(reader, first_error_wins)
{
    /* Two readers share one error record, as the decoder's do. */
    static const uint8_t buf[] = {0xff, 0xff, 0xff, 0xff, 0x1f,  /* range */
                                  0x80};                        /* end */
    welf_error err;
    welf_error_clear(&err);
    welf_reader a, b;
    welf_reader_init(&a, buf, buf, buf + 5, &err);
    welf_reader_init(&b, buf, buf + 5, buf + 6, &err);
    uint32_t v;
    cr_assert(!welf_read_u32(&a, &v));
    cr_assert_eq(err.code, WELF_ERR_LEB_RANGE);
    char first[sizeof err.message];
    memcpy(first, err.message, sizeof first);

    cr_assert(!welf_read_u32(&b, &v), "truncated u32 accepted");
    cr_assert_eq(err.code, WELF_ERR_LEB_RANGE,
                 "second error overwrote the first: code %d", (int)err.code);
    cr_assert_eq(err.offset, 0, "second error moved the offset to %u",
                 err.offset);
    cr_assert_str_eq(err.message, first, "second error changed the message");

    /* The same reader failing again also keeps the first error. */
    uint8_t byte;
    a.p = a.end;
    cr_assert(!welf_read_u8(&a, &byte));
    cr_assert_eq(err.code, WELF_ERR_LEB_RANGE);
    cr_assert_eq(err.offset, 0);
}

/* ---- fixed width ---- */

Test(reader, fixed32_little_endian)
{
    rd t;
    RD(&t, "\x78\x56\x34\x12\x00\x00\x80\x3f");
    uint32_t v = 0;
    cr_assert(welf_read_fixed32(&t.r, &v));
    cr_assert_eq(v, 0x12345678u, "got 0x%08x", v);
    cr_assert(welf_read_fixed32(&t.r, &v));
    cr_assert_eq(v, 0x3f800000u, "f32 1.0: got 0x%08x", v);
    cr_assert(welf_reader_done(&t.r));
}

Test(reader, fixed64_little_endian)
{
    rd t;
    RD(&t, "\x08\x07\x06\x05\x04\x03\x02\x01");
    uint64_t v = 0;
    cr_assert(welf_read_fixed64(&t.r, &v));
    cr_assert_eq(v, 0x0102030405060708ull, "got 0x%016llx",
                 (unsigned long long)v);
    cr_assert_eq(welf_reader_offset(&t.r), 8);
}

Test(reader, fixed64_truncated)
{
    rd t;
    RD(&t, "\x01\x02\x03\x04\x05\x06\x07");
    uint64_t v;
    cr_assert(!welf_read_fixed64(&t.r, &v), "7 bytes read as a fixed64");
    cr_assert_eq(t.err.code, WELF_ERR_UNEXPECTED_END);
    cr_assert_eq(t.err.offset, 4, "the second half starts at 4; got %u",
                 t.err.offset);
}

Test(reader, read_bytes_in_place)
{
    rd t;
    RD(&t, "\x01\x02\x03");
    const uint8_t *p = NULL;
    cr_assert(welf_read_bytes(&t.r, 2, &p));
    cr_assert_eq(p, t.bytes, "bytes must be returned in place");
    cr_assert(!welf_read_bytes(&t.r, 2, &p));
    cr_assert_eq(t.err.code, WELF_ERR_UNEXPECTED_END);
    cr_assert_eq(t.err.offset, 2);
}

/* ---- UTF-8 ---- */

static void utf8_is(const char *s, size_t len, bool want)
{
    bool got = welf_utf8_valid((const uint8_t *)s, len);
    char hex[64] = "";
    for (size_t i = 0; i < len && i < 16; i++)
        snprintf(hex + 3 * i, 4, "%02x ", (unsigned char)s[i]);
    cr_assert_eq(got, want, "welf_utf8_valid(%s) = %d, expected %d", hex,
                 got, want);
}

#define UTF8_OK(lit) utf8_is((lit), sizeof(lit) - 1, true)
#define UTF8_BAD(lit) utf8_is((lit), sizeof(lit) - 1, false)

Test(reader, utf8_valid)
{
    UTF8_OK("");
    UTF8_OK("hello, world");
    UTF8_OK("\x00");               /* NUL is a character */
    UTF8_OK("\x7f");
    UTF8_OK("\xc2\x80");           /* U+0080, smallest 2-byte */
    UTF8_OK("\xdf\xbf");           /* U+07FF */
    UTF8_OK("\xe0\xa0\x80");       /* U+0800, smallest 3-byte */
    UTF8_OK("\xed\x9f\xbf");       /* U+D7FF, below the surrogates */
    UTF8_OK("\xee\x80\x80");       /* U+E000, above the surrogates */
    UTF8_OK("\xef\xbf\xbf");       /* U+FFFF */
    UTF8_OK("\xf0\x90\x80\x80");   /* U+10000, smallest 4-byte */
    UTF8_OK("\xf4\x8f\xbf\xbf");   /* U+10FFFF, the largest */
    UTF8_OK("a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80");
}

Test(reader, utf8_overlong)
{
    UTF8_BAD("\xc0\x80");
    UTF8_BAD("\xc1\xbf");
    UTF8_BAD("\xe0\x80\x80");
    UTF8_BAD("\xe0\x9f\xbf");
    UTF8_BAD("\xf0\x80\x80\x80");
    UTF8_BAD("\xf0\x8f\xbf\xbf");
}

Test(reader, utf8_surrogates_and_range)
{
    UTF8_BAD("\xed\xa0\x80");      /* U+D800 */
    UTF8_BAD("\xed\xbf\xbf");      /* U+DFFF */
    UTF8_BAD("\xf4\x90\x80\x80");  /* U+110000 */
    UTF8_BAD("\xf5\x80\x80\x80");
    UTF8_BAD("\xf7\xbf\xbf\xbf");
    UTF8_BAD("\xf8\x88\x80\x80\x80");  /* 5-byte form */
    UTF8_BAD("\xfe");
    UTF8_BAD("\xff");
}

Test(reader, utf8_truncated_and_stray)
{
    UTF8_BAD("\xc2");
    UTF8_BAD("\xe0\xa0");
    UTF8_BAD("\xf0\x90\x80");
    UTF8_BAD("ab\xc3");
    UTF8_BAD("\x80");              /* stray continuation */
    UTF8_BAD("a\xbf" "b");
    UTF8_BAD("\xc3\xa9\xa9");      /* one continuation too many */
    UTF8_BAD("\xc2\x41");          /* lead byte, then ASCII */
    UTF8_BAD("\xe0\xa0\xc0");
    UTF8_BAD("\xf0\x90\x80\x41");
}

Test(reader, utf8_length_is_respected)
{
    /* Only the first byte is in range: a lone lead byte. */
    cr_assert(!welf_utf8_valid((const uint8_t *)"\xc3\xa9", 1));
    /* The bytes past len are never looked at. */
    cr_assert(welf_utf8_valid((const uint8_t *)"ab\xff", 2));
}

/* ---- names ---- */

Test(reader, name_ok)
{
    rd t;
    RD(&t, "\x03" "abc" "\x02\xc3\xa9" "\x00" "z");
    const uint8_t *p = NULL;
    uint32_t len = 99;
    cr_assert(welf_read_name(&t.r, &p, &len));
    cr_assert_eq(len, 3);
    cr_assert_eq(p, t.bytes + 1, "name bytes must point into the input");
    cr_assert(welf_read_name(&t.r, &p, &len));
    cr_assert_eq(len, 2);
    cr_assert_eq(p, t.bytes + 5);
    cr_assert(welf_read_name(&t.r, &p, &len), "empty name rejected");
    cr_assert_eq(len, 0);
    cr_assert_eq(welf_reader_offset(&t.r), 8);
    cr_assert_eq(t.err.code, WELF_OK);
}

Test(reader, name_length_past_end)
{
    rd t;
    RD(&t, "\x05" "ab");
    const uint8_t *p;
    uint32_t len;
    cr_assert(!welf_read_name(&t.r, &p, &len), "name of 5 bytes in 2 read");
    cr_assert_eq(t.err.code, WELF_ERR_UNEXPECTED_END, "code %d",
                 (int)t.err.code);
    /* where the name's bytes should start */
    cr_assert_eq(t.err.offset, 1, "offset %u", t.err.offset);
}

Test(reader, name_huge_length)
{
    rd t;
    RD(&t, "\xff\xff\xff\xff\x0f" "abc");
    const uint8_t *p;
    uint32_t len;
    cr_assert(!welf_read_name(&t.r, &p, &len));
    cr_assert_eq(t.err.code, WELF_ERR_UNEXPECTED_END);
    cr_assert_eq(t.err.offset, 5, "offset %u", t.err.offset);
}

Test(reader, name_malformed_length)
{
    rd t;
    RD(&t, "\x80\x80\x80\x80\x80\x01" "a");
    const uint8_t *p;
    uint32_t len;
    cr_assert(!welf_read_name(&t.r, &p, &len));
    cr_assert_eq(t.err.code, WELF_ERR_LEB_LENGTH);
    cr_assert_eq(t.err.offset, 0);
}

Test(reader, name_bad_utf8)
{
    rd t;
    RD(&t, "\x01" "a" "\x02\xc0\x80");
    const uint8_t *p;
    uint32_t len;
    cr_assert(welf_read_name(&t.r, &p, &len));
    cr_assert(!welf_read_name(&t.r, &p, &len), "overlong NUL accepted");
    cr_assert_eq(t.err.code, WELF_ERR_UTF8, "code %d", (int)t.err.code);
    cr_assert_eq(t.err.offset, 2, "the name starts at its length, 2; got %u",
                 t.err.offset);
    cr_assert_eq(welf_status_classify(t.err.code), WELF_CLASS_MALFORMED);
}
