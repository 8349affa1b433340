/*
 * reader.c — the out-of-line parts of the byte reader: multi-byte LEB128
 * with the checks of spec 5.2.2, fixed-width values, and UTF-8 names.
 */
#include "reader.h"

bool welf_reader_fail(welf_reader *r, welf_status code, uint32_t offset,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    welf_error_setv(r->err, code, offset, fmt, ap);
    va_end(ap);
    return false;
}

void welf_reader_report_end(welf_reader *r, const char *what)
{
    welf_error_set(r->err, WELF_ERR_UNEXPECTED_END, welf_reader_offset(r),
                   "unexpected end while reading %s", what);
}

/*
 * LEB128 of an N-bit integer takes at most ceil(N/7) bytes. In the last
 * byte, the bits above the N-bit value must be zero (unsigned) or copies
 * of the sign bit (signed); otherwise the value is "too large". A last
 * byte with its continuation bit set makes the encoding "too long".
 */
bool welf_read_leb_slow(welf_reader *r, unsigned bits, bool is_signed,
                        uint64_t *out)
{
    const uint8_t *start = r->p;
    unsigned max_bytes = (bits + 6) / 7;
    unsigned used_last = bits - 7 * (max_bytes - 1);
    uint64_t result = 0;
    unsigned shift = 0;
    for (unsigned i = 0; i < max_bytes; i++) {
        if (r->p >= r->end) {
            r->p = start;
            return welf_reader_fail_end(r, "LEB128 integer");
        }
        uint8_t b = *r->p++;
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (i == max_bytes - 1) {
            if (b & 0x80) {
                welf_error_set(r->err, WELF_ERR_LEB_LENGTH,
                               (uint32_t)(start - r->base),
                               "integer representation too long "
                               "(more than %u bytes for a %u-bit integer)",
                               max_bytes, bits);
                return false;
            }
            uint8_t mask;
            bool ok;
            if (is_signed) {
                mask = (uint8_t)(0x7f & ~((1u << (used_last - 1)) - 1));
                ok = (b & mask) == 0 || (b & mask) == mask;
            } else {
                mask = (uint8_t)(0x7f & ~((1u << used_last) - 1));
                ok = (b & mask) == 0;
            }
            if (!ok) {
                welf_error_set(r->err, WELF_ERR_LEB_RANGE,
                               (uint32_t)(start - r->base),
                               "integer too large for %s%u",
                               is_signed ? "s" : "u", bits);
                return false;
            }
        }
        if (!(b & 0x80)) {
            if (is_signed && shift < 64 && (b & 0x40))
                result |= ~(uint64_t)0 << shift;
            *out = result;
            return true;
        }
    }
    welf_unreachable();
}

bool welf_read_fixed32(welf_reader *r, uint32_t *out)
{
    const uint8_t *b;
    if (!welf_read_bytes(r, 4, &b))
        return false;
    *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
    return true;
}

bool welf_read_fixed64(welf_reader *r, uint64_t *out)
{
    uint32_t lo, hi;
    if (!welf_read_fixed32(r, &lo) || !welf_read_fixed32(r, &hi))
        return false;
    *out = (uint64_t)hi << 32 | lo;
    return true;
}

bool welf_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (len - i < n)
            return false;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n;
    }
    return true;
}

bool welf_read_name(welf_reader *r, const uint8_t **bytes, uint32_t *len)
{
    uint32_t start = welf_reader_offset(r);
    if (!welf_read_u32(r, len))
        return false;
    if (welf_reader_left(r) < *len)
        return welf_reader_fail_end(r, "name");
    if (!welf_utf8_valid(r->p, *len)) {
        welf_error_set(r->err, WELF_ERR_UTF8, start,
                       "malformed UTF-8 encoding in name");
        return false;
    }
    *bytes = r->p;
    r->p += *len;
    return true;
}
