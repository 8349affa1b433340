/*
 * header.h — `welf compile --header FILE.h` (CLI only, not part of the
 * compiler library): a C header with typed wrappers for a module's
 * exported functions. docs/header.md describes what it holds.
 */
#ifndef WELF_HEADER_H
#define WELF_HEADER_H

#include "welf_compiler.h"

/*
 * Writes the header for the validated module `m`, compiled with --name
 * `name` (NULL or "" mean "module", as in welf_compile), to `path`.
 * `source` is the input file, whose name (without its directory) the
 * header's opening comment quotes. The header is written beside `path`
 * under a temporary name and renamed over it, so a failure leaves no
 * partial file. Returns 0, or 1 after printing why to stderr.
 */
int welf_cli_header_write(const welf_wasm *m, const char *name,
                          const char *source, const char *path);

#endif
