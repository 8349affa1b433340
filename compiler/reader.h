/*
 * reader.h — a bounds-checked cursor over module bytes: fixed-width
 * little-endian values, LEB128 integers with the binary format's exact
 * length and range rules (spec 5.2.2), and UTF-8 names (spec 5.2.4).
 *
 * Every read either succeeds or records the first error in r->err (with
 * the byte offset from the start of the module) and returns false; a
 * failed reader must not be read again.
 */
#ifndef WELF_READER_H
#define WELF_READER_H

#include "common.h"

typedef struct welf_reader {
    const uint8_t *base;   /* start of the module: offsets count from here */
    const uint8_t *p;      /* next byte */
    const uint8_t *end;    /* one past the last readable byte */
    welf_error *err;
} welf_reader;

static inline void welf_reader_init(welf_reader *r, const uint8_t *base,
                                    const uint8_t *start, const uint8_t *end,
                                    welf_error *err)
{
    r->base = base;
    r->p = start;
    r->end = end;
    r->err = err;
}

static inline uint32_t welf_reader_offset(const welf_reader *r)
{
    return (uint32_t)(r->p - r->base);
}

static inline size_t welf_reader_left(const welf_reader *r)
{
    return (size_t)(r->end - r->p);
}

static inline bool welf_reader_done(const welf_reader *r)
{
    return r->p >= r->end;
}

WELF_INTERNAL void welf_reader_report_end(welf_reader *r, const char *what);

/* Records "unexpected end while reading WHAT"; returns false. */
static inline bool welf_reader_fail_end(welf_reader *r, const char *what)
{
    welf_reader_report_end(r, what);
    return false;
}
/* Records an error of `code` at `offset` (printf-style message) in
 * r->err; returns false. */
WELF_INTERNAL bool welf_reader_fail(welf_reader *r, welf_status code,
                                    uint32_t offset, const char *fmt, ...)
    WELF_PRINTF(4, 5);

WELF_INTERNAL bool welf_read_leb_slow(welf_reader *r, unsigned bits,
                                      bool is_signed, uint64_t *out);

static inline bool welf_read_u8(welf_reader *r, uint8_t *out)
{
    if (r->p >= r->end)
        return welf_reader_fail_end(r, "byte");
    *out = *r->p++;
    return true;
}

/* u32 as LEB128, at most 5 bytes. */
static inline bool welf_read_u32(welf_reader *r, uint32_t *out)
{
    if (r->p < r->end && *r->p < 0x80) {
        *out = *r->p++;
        return true;
    }
    uint64_t v;
    if (!welf_read_leb_slow(r, 32, false, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

static inline bool welf_read_s32(welf_reader *r, int32_t *out)
{
    uint64_t v;
    if (!welf_read_leb_slow(r, 32, true, &v))
        return false;
    *out = (int32_t)(uint32_t)v;
    return true;
}

/* s33, the encoding of block types with a type index (spec 5.4.1). */
static inline bool welf_read_s33(welf_reader *r, int64_t *out)
{
    uint64_t v;
    if (!welf_read_leb_slow(r, 33, true, &v))
        return false;
    *out = (int64_t)v;
    return true;
}

static inline bool welf_read_s64(welf_reader *r, int64_t *out)
{
    uint64_t v;
    if (!welf_read_leb_slow(r, 64, true, &v))
        return false;
    *out = (int64_t)v;
    return true;
}

/* n raw bytes, returned in place. */
static inline bool welf_read_bytes(welf_reader *r, size_t n,
                                   const uint8_t **out)
{
    if (welf_reader_left(r) < n)
        return welf_reader_fail_end(r, "bytes");
    *out = r->p;
    r->p += n;
    return true;
}

WELF_INTERNAL bool welf_read_fixed32(welf_reader *r, uint32_t *out);
WELF_INTERNAL bool welf_read_fixed64(welf_reader *r, uint64_t *out);

/* A name: u32 length then that many bytes of valid UTF-8. */
WELF_INTERNAL bool welf_read_name(welf_reader *r, const uint8_t **bytes,
                                  uint32_t *len);

/* True when s[0..len) is valid UTF-8 (no overlongs, surrogates or code
 * points above U+10FFFF). */
WELF_INTERNAL bool welf_utf8_valid(const uint8_t *s, size_t len);

#endif
