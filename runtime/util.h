/*
 * util.h — internal helpers shared by the runtime and the compiler
 * library: symbol visibility, printf checking and error recording.
 */
#ifndef WELF_UTIL_H
#define WELF_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "welf.h"

/* Shared between the library's files, invisible outside it. */
#define WELF_INTERNAL __attribute__((visibility("hidden")))

#define WELF_PRINTF(f, a) __attribute__((format(printf, f, a)))

#define WELF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Marks code that an internal invariant makes unreachable. */
#define welf_unreachable() __builtin_unreachable()

/*
 * Records an error unless one is already recorded (the first error wins:
 * err->code != WELF_OK means taken). Returns `code` so callers can write
 * `return welf_error_set(err, ...)`.
 */
WELF_INTERNAL welf_status welf_error_set(welf_error *err, welf_status code,
                                         uint32_t offset, const char *fmt,
                                         ...) WELF_PRINTF(4, 5);
WELF_INTERNAL welf_status welf_error_setv(welf_error *err, welf_status code,
                                          uint32_t offset, const char *fmt,
                                          va_list ap);
static inline void welf_error_clear(welf_error *err)
{
    err->code = WELF_OK;
    err->offset = WELF_NO_OFFSET;
    err->func_index = WELF_NO_INDEX;
    err->trap_code = 0;
    err->exit_code = 0;
    err->message[0] = '\0';
}

#endif
