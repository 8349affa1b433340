/*
 * main.c — the `welf` command line: dispatches subcommands. Each one is
 * a small function that reads its arguments and calls the libraries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "welf_compiler.h"

static const char usage[] =
    "usage: welf COMMAND [OPTIONS] ...\n"
    "\n"
    "An ahead-of-time WebAssembly compiler.\n"
    "\n"
    "commands:\n"
    "  validate [--features=LIST] FILE.wasm...\n"
    "        decode and validate each module; print the first error of\n"
    "        each invalid one as FILE:0xOFFSET: error: MESSAGE\n"
    "\n"
    "options:\n"
    "  --features=LIST  comma-separated: tail-call, extended-const,\n"
    "                   multi-memory, all (default), none (plain Wasm 2.0)\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n"
    "\n"
    "exit status: 0 success, 1 an input was rejected, 2 usage error\n";

static int cmd_validate(int argc, char **argv)
{
    welf_features features = WELF_FEATURES_DEFAULT;
    int files = 0, failed = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--features=", 11) == 0) {
            if (!welf_features_parse(arg + 11, &features)) {
                fprintf(stderr, "welf: unknown feature list '%s'\n",
                        arg + 11);
                return 2;
            }
        } else if (arg[0] == '-' && arg[1] != '\0' &&
                   strcmp(arg, "--") != 0) {
            fprintf(stderr, "welf validate: unknown option '%s'\n", arg);
            return 2;
        }
    }
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *path = argv[i];
        if (!options_done && strcmp(path, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && path[0] == '-' && path[1] != '\0')
            continue;
        files++;
        welf_error err;
        uint8_t *bytes;
        size_t size;
        welf_module *m = NULL;
        welf_status st = welf_file_read(path, &bytes, &size, &err);
        if (st == WELF_OK) {
            st = welf_module_decode(bytes, size, features, &m, &err);
            if (st == WELF_OK)
                st = welf_module_validate(m, &err);
            welf_module_free(m);
            welf_free(bytes);
        }
        if (st != WELF_OK) {
            char line[512];
            welf_error_format(&err, path, line, sizeof line);
            fprintf(stderr, "%s\n", line);
            failed++;
        }
    }
    if (files == 0) {
        fprintf(stderr, "welf validate: no input files\n");
        return 2;
    }
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("welf %s\n", WELF_VERSION_STRING);
        return 0;
    }
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 2, argv + 2);
    fprintf(stderr, "welf: unknown command '%s' (see welf --help)\n", cmd);
    return 2;
}
