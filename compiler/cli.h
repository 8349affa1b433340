/*
 * cli.h — helpers the `welf` command's files share (defined in main.c).
 */
#ifndef WELF_CLI_H
#define WELF_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "welf_compiler.h"

/* Prints "FILE:0xOFFSET: error: MESSAGE" for err to stderr. */
void welf_cli_print_error(const welf_error *err, const char *path);

/* Decodes and validates the module in bytes (from `path`); prints the
 * error and returns NULL when it fails. */
welf_wasm *welf_cli_decode(const uint8_t *bytes, size_t size,
                           const char *path, welf_features features);

/* "dir/foo.wasm" -> "foo": the module name --name defaults to. */
void welf_cli_base_name(const char *path, char *buf, size_t size);

#endif
