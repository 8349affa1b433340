/*
 * wbuf.h — assembling test modules byte by byte, shared by the decoder
 * and validator tests: a fixed buffer, raw bytes, LEB128, the preamble
 * and sections. Offsets in the tests are worked out from what these
 * write, by hand.
 */
#ifndef WELF_TEST_WBUF_H
#define WELF_TEST_WBUF_H

#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

typedef struct wbuf {
    uint8_t b[8192];
    size_t n;
} wbuf;

static inline void wb_raw(wbuf *w, const void *p, size_t n)
{
    cr_assert_leq(w->n + n, sizeof w->b, "test module too large");
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static inline void wb_byte(wbuf *w, uint8_t b)
{
    wb_raw(w, &b, 1);
}

static inline void wb_leb(wbuf *w, uint32_t v)
{
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        wb_byte(w, (uint8_t)(b | (v ? 0x80 : 0)));
    } while (v);
}

/* The preamble: "\0asm" and version 1, bytes 0..7. */
static inline void wb_init(wbuf *w)
{
    w->n = 0;
    wb_raw(w, "\0asm\1\0\0\0", 8);
}

/* A section: id, LEB128 size, contents. */
static inline void wb_section(wbuf *w, uint8_t id, const void *p, size_t n)
{
    wb_byte(w, id);
    wb_leb(w, (uint32_t)n);
    wb_raw(w, p, n);
}

#define RAW(w, lit) wb_raw((w), (lit), sizeof(lit) - 1)
#define SEC(w, id, lit) wb_section((w), (id), (lit), sizeof(lit) - 1)

#endif
