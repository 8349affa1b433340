/*
 * welf_compiler.h — the welf compiler library: decode and validate
 * WebAssembly modules.
 *
 * A module goes through two steps before it is lowered to native code:
 *
 *   welf_module *m;
 *   welf_error err;
 *   if (welf_module_decode(bytes, size, WELF_FEATURES_DEFAULT, &m, &err) ||
 *       welf_module_validate(m, &err)) {
 *       char line[512];
 *       welf_error_format(&err, "foo.wasm", line, sizeof line);
 *       fprintf(stderr, "%s\n", line);
 *   }
 *   welf_module_free(m);   (NULL is fine)
 *
 * Decoding checks the binary format (WebAssembly 2.0, section 5): a module
 * that decodes is well-formed. Validation checks the typing rules (section
 * 3): a module that validates may be compiled. Every failure fills a
 * caller-owned welf_error with a status code, the byte offset in the module
 * and a message; the first error wins. Nothing in this library exits, aborts
 * or prints on bad input.
 *
 * Memory: a decoded module owns one arena holding everything derived from
 * the input, including a copy of the input bytes; welf_module_free releases
 * it in one call. All heap allocation goes through the hook set with
 * welf_set_allocator.
 */
#ifndef WELF_COMPILER_H
#define WELF_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WELF_VERSION_STRING "0.1.0"

/*
 * Status codes. 0 is success. Codes 100..199 mean the bytes are not a
 * well-formed module (the spec's "malformed"), 200..299 mean a well-formed
 * module breaks a validation rule (the spec's "invalid"); the rest are
 * failures of the environment.
 */
typedef enum welf_status {
    WELF_OK = 0,
    WELF_ERR_NOMEM = 1,            /* an allocation failed */
    WELF_ERR_IO = 2,               /* a file could not be read or written */
    WELF_ERR_USAGE = 3,            /* bad argument to a library function */

    /* malformed: the binary format (spec section 5) */
    WELF_ERR_UNEXPECTED_END = 100, /* input ends inside an item */
    WELF_ERR_MAGIC,                /* not "\0asm" */
    WELF_ERR_VERSION,              /* binary version is not 1 */
    WELF_ERR_LEB_LENGTH,           /* LEB128 longer than its type allows */
    WELF_ERR_LEB_RANGE,            /* LEB128 unused bits not sign/zero */
    WELF_ERR_SECTION_ID,           /* unknown section id */
    WELF_ERR_SECTION_ORDER,        /* section out of order or repeated */
    WELF_ERR_SECTION_SIZE,         /* contents do not fill the section */
    WELF_ERR_UTF8,                 /* a name is not valid UTF-8 */
    WELF_ERR_OPCODE,               /* unknown opcode */
    WELF_ERR_VALTYPE,              /* unknown value or reference type */
    WELF_ERR_FLAGS,                /* bad flag/kind byte (limits, mut, ...) */
    WELF_ERR_ZERO_BYTE,            /* a reserved byte is not zero */
    WELF_ERR_COUNT_MISMATCH,       /* function/code or data count differ */
    WELF_ERR_DATA_COUNT_REQUIRED,  /* data index used without data count */
    WELF_ERR_TOO_MANY,             /* past an implementation limit */
    WELF_ERR_END_EXPECTED,         /* a function body lacks its final
                                      `end` */

    /* invalid: the validation rules (spec section 3) */
    WELF_ERR_TYPE_MISMATCH = 200,  /* operand or result types disagree */
    WELF_ERR_UNKNOWN_INDEX,        /* index out of range for its space */
    WELF_ERR_IMMUTABLE,            /* global.set of an immutable global */
    WELF_ERR_ALIGNMENT,            /* alignment above natural */
    WELF_ERR_LIMITS,               /* min > max, or above the type's bound */
    WELF_ERR_MULTIPLE,             /* several memories without multi-memory */
    WELF_ERR_DUPLICATE_EXPORT,     /* two exports with one name */
    WELF_ERR_CONST_EXPR,           /* not a constant expression */
    WELF_ERR_UNDECLARED_REF,       /* ref.func of an undeclared function */
    WELF_ERR_START,                /* start function has params/results */
    WELF_ERR_LANE,                 /* SIMD lane index out of range */
} welf_status;

/* What a status code says about the input. */
typedef enum welf_status_class {
    WELF_CLASS_OK,
    WELF_CLASS_MALFORMED,
    WELF_CLASS_INVALID,
    WELF_CLASS_OTHER,
} welf_status_class;

#define WELF_NO_OFFSET UINT32_MAX
#define WELF_NO_INDEX UINT32_MAX

/* The record of a failure. Caller-owned; filled by the first error. */
typedef struct welf_error {
    welf_status code;
    uint32_t offset;      /* byte offset in the module, or WELF_NO_OFFSET */
    uint32_t func_index;  /* function index, or WELF_NO_INDEX */
    char message[256];
} welf_error;

/* Language features beyond WebAssembly 2.0, each one bit. */
typedef uint32_t welf_features;
#define WELF_FEATURE_TAIL_CALL      (1u << 0) /* return_call(_indirect) */
#define WELF_FEATURE_EXTENDED_CONST (1u << 1) /* i32/i64 add, sub, mul in
                                                 constant expressions */
#define WELF_FEATURE_MULTI_MEMORY   (1u << 2) /* several memories */
#define WELF_FEATURES_WASM2 0u
#define WELF_FEATURES_ALL \
    (WELF_FEATURE_TAIL_CALL | WELF_FEATURE_EXTENDED_CONST | \
     WELF_FEATURE_MULTI_MEMORY)
/* The default accepts everything welf supports: all three proposals are
 * part of WebAssembly 3.0. */
#define WELF_FEATURES_DEFAULT WELF_FEATURES_ALL

/* Parses "tail-call", "extended-const", "multi-memory", "all", "none" or a
 * comma-separated list of them into *out; false on an unknown name. */
bool welf_features_parse(const char *text, welf_features *out);

typedef struct welf_module welf_module;

/*
 * Decodes `size` bytes (copied; the caller may free them afterwards).
 * On success *out is the module; on failure *out is NULL and *err says why.
 */
welf_status welf_module_decode(const uint8_t *bytes, size_t size,
                               welf_features features, welf_module **out,
                               welf_error *err);

/* Validates a decoded module. May be called once per module. */
welf_status welf_module_validate(welf_module *module, welf_error *err);

/* Frees a module and everything derived from it. NULL is fine. */
void welf_module_free(welf_module *module);

/* Reads a whole file into a malloc'd buffer (free with welf_free). */
welf_status welf_file_read(const char *path, uint8_t **bytes, size_t *size,
                           welf_error *err);

const char *welf_status_name(welf_status code);
welf_status_class welf_status_classify(welf_status code);

/*
 * Formats "FILE:0xOFFSET: error: MESSAGE" (FILE and the offset are left
 * out when absent) into buf; returns what snprintf returns.
 */
int welf_error_format(const welf_error *err, const char *file, char *buf,
                      size_t size);

/*
 * The allocation hook, Lua style: ptr NULL allocates, size 0 frees,
 * otherwise reallocates. Returns NULL on failure (size > 0). All library
 * allocation goes through it; the default uses realloc/free. Passing NULL
 * restores the default. Not thread-safe: set it before any other call.
 */
typedef void *(*welf_alloc_fn)(void *user, void *ptr, size_t size);
void welf_set_allocator(welf_alloc_fn fn, void *user);
void *welf_malloc(size_t size);
void *welf_realloc(void *ptr, size_t size);
void welf_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif
