/*
 * util.c — the allocation hook, error records, status names and file
 * reading: the small services both libraries use.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static welf_alloc_fn alloc_fn = default_alloc;
static void *alloc_user;

void welf_set_allocator(welf_alloc_fn fn, void *user)
{
    alloc_fn = fn ? fn : default_alloc;
    alloc_user = fn ? user : NULL;
}

void *welf_malloc(size_t size)
{
    return alloc_fn(alloc_user, NULL, size ? size : 1);
}

void *welf_realloc(void *ptr, size_t size)
{
    return alloc_fn(alloc_user, ptr, size ? size : 1);
}

void welf_free(void *ptr)
{
    if (ptr)
        alloc_fn(alloc_user, ptr, 0);
}


welf_status welf_error_setv(welf_error *err, welf_status code,
                            uint32_t offset, const char *fmt, va_list ap)
{
    if (!err || err->code != WELF_OK)
        return code;
    err->code = code;
    err->offset = offset;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return code;
}

welf_status welf_error_set(welf_error *err, welf_status code, uint32_t offset,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    welf_error_setv(err, code, offset, fmt, ap);
    va_end(ap);
    return code;
}

const char *welf_valtype_str(uint8_t type)
{
    switch (type) {
    case WELF_TYPE_I32: return "i32";
    case WELF_TYPE_I64: return "i64";
    case WELF_TYPE_F32: return "f32";
    case WELF_TYPE_F64: return "f64";
    case WELF_TYPE_V128: return "v128";
    case WELF_TYPE_FUNCREF: return "funcref";
    case WELF_TYPE_EXTERNREF: return "externref";
    default: return "unknown";
    }
}

const char *welf_status_name(welf_status code)
{
    switch (code) {
    case WELF_OK: return "ok";
    case WELF_ERR_NOMEM: return "out of memory";
    case WELF_ERR_IO: return "i/o error";
    case WELF_ERR_USAGE: return "usage error";
    case WELF_ERR_UNEXPECTED_END: return "unexpected end";
    case WELF_ERR_MAGIC: return "magic header not detected";
    case WELF_ERR_VERSION: return "unknown binary version";
    case WELF_ERR_LEB_LENGTH: return "integer representation too long";
    case WELF_ERR_LEB_RANGE: return "integer too large";
    case WELF_ERR_SECTION_ID: return "malformed section id";
    case WELF_ERR_SECTION_ORDER: return "unexpected section";
    case WELF_ERR_SECTION_SIZE: return "section size mismatch";
    case WELF_ERR_UTF8: return "malformed UTF-8 encoding";
    case WELF_ERR_OPCODE: return "illegal opcode";
    case WELF_ERR_VALTYPE: return "malformed type";
    case WELF_ERR_FLAGS: return "malformed flags";
    case WELF_ERR_ZERO_BYTE: return "zero byte expected";
    case WELF_ERR_COUNT_MISMATCH: return "inconsistent lengths";
    case WELF_ERR_DATA_COUNT_REQUIRED: return "data count section required";
    case WELF_ERR_TOO_MANY: return "implementation limit exceeded";
    case WELF_ERR_END_EXPECTED: return "END opcode expected";
    case WELF_ERR_TYPE_MISMATCH: return "type mismatch";
    case WELF_ERR_UNKNOWN_INDEX: return "unknown index";
    case WELF_ERR_IMMUTABLE: return "immutable global";
    case WELF_ERR_ALIGNMENT: return "alignment must not be larger than natural";
    case WELF_ERR_LIMITS: return "invalid limits";
    case WELF_ERR_MULTIPLE: return "multiple memories";
    case WELF_ERR_DUPLICATE_EXPORT: return "duplicate export name";
    case WELF_ERR_CONST_EXPR: return "constant expression required";
    case WELF_ERR_UNDECLARED_REF: return "undeclared function reference";
    case WELF_ERR_START: return "invalid start function";
    case WELF_ERR_LANE: return "invalid lane index";
    case WELF_ERR_UNSUPPORTED: return "not supported yet";
    case WELF_ERR_OBJECT: return "not a loadable welf object";
    case WELF_ERR_LINK: return "link error";
    case WELF_ERR_TRAP: return "trap";
    case WELF_ERR_EXIT: return "exit";
    }
    return "unknown status";
}

welf_status_class welf_status_classify(welf_status code)
{
    if (code == WELF_OK)
        return WELF_CLASS_OK;
    if (code >= 100 && code < 200)
        return WELF_CLASS_MALFORMED;
    if (code >= 200 && code < 300)
        return WELF_CLASS_INVALID;
    return WELF_CLASS_OTHER;
}

int welf_error_format(const welf_error *err, const char *file, char *buf,
                      size_t size)
{
    const char *msg = err->message[0] ? err->message
                                      : welf_status_name(err->code);
    char where[64] = "";
    if (err->offset != WELF_NO_OFFSET)
        snprintf(where, sizeof where, "0x%x: ", (unsigned)err->offset);
    if (file)
        return snprintf(buf, size, "%s:%serror: %s", file,
                        err->offset != WELF_NO_OFFSET ? where : " ", msg);
    return snprintf(buf, size, "%serror: %s", where, msg);
}

welf_status welf_file_read(const char *path, uint8_t **bytes, size_t *size,
                           welf_error *err)
{
    welf_error_clear(err);
    *bytes = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return welf_error_set(err, WELF_ERR_IO, WELF_NO_OFFSET,
                              "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = welf_malloc(cap);
    if (!buf) {
        fclose(f);
        return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                              "out of memory reading %s", path);
    }
    for (;;) {
        if (len == cap) {
            if (cap > SIZE_MAX / 2) {
                welf_free(buf);
                fclose(f);
                return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                                      "%s is too large", path);
            }
            uint8_t *nb = welf_realloc(buf, cap * 2);
            if (!nb) {
                welf_free(buf);
                fclose(f);
                return welf_error_set(err, WELF_ERR_NOMEM, WELF_NO_OFFSET,
                                      "out of memory reading %s", path);
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        welf_free(buf);
        fclose(f);
        return welf_error_set(err, WELF_ERR_IO, WELF_NO_OFFSET,
                              "cannot read %s: %s", path, strerror(e));
    }
    fclose(f);
    *bytes = buf;
    *size = len;
    return WELF_OK;
}
