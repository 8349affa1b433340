/*
 * main.c — the `welf` command line: dispatches subcommands. Each one is
 * a small function that reads its arguments and calls the libraries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "header.h"
#include "inspect.h"
#include "run_cmd.h"
#include "../runtime/run.h"
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
    "  compile FILE.wasm [-o FILE.o] [-O0|-O1|-O2|-O3] [-j N] [--name NAME]\n"
    "          [--cpu=CPU] [--precise-traps] [--no-eh-frame] [-g]\n"
    "          [--header FILE.h] [--features=LIST]\n"
    "        compile a module to an x86-64 ELF relocatable object (default\n"
    "        output: FILE.o beside the input; default -O2). The object\n"
    "        defines welf_module_NAME (NAME defaults to the file's base\n"
    "        name) for welf_module_load or a static link.\n"
    "        -j N             compile on N threads (default: one per core);\n"
    "                         the object is the same whatever N is\n"
    "        --cpu=CPU        x86-64 (default: any x86-64), x86-64-v2,\n"
    "                         x86-64-v3, x86-64-v4 or native; the loader\n"
    "                         refuses an object built for more than the\n"
    "                         running CPU has\n"
    "        --precise-traps  keep every memory access, so out-of-bounds\n"
    "                         accesses trap exactly where the spec says,\n"
    "                         at some cost in speed\n"
    "        --no-eh-frame    leave out the unwind tables (.eh_frame)\n"
    "                         that debuggers and profilers use\n"
    "        -g               debug information: source lines and function\n"
    "                         names from the module's DWARF, else lines of\n"
    "                         NAME.wasm.lst numbered by byte offset, and\n"
    "                         the line table of trap backtraces; the code\n"
    "                         is the same (see docs/debugging.md)\n"
    "        --header FILE.h  also write a C header declaring\n"
    "                         welf_module_NAME, with a typed wrapper\n"
    "                         NAME_EXPORT per exported function and\n"
    "                         NAME_check (see docs/header.md)\n"
    "  inspect FILE.o\n"
    "        show a compiled object's imports, exports, welf sections with\n"
    "        their sizes and share of the code, and its functions\n";

static const char usage_tail[] =
    "\n"
    "options:\n"
    "  --features=LIST  comma-separated: tail-call, extended-const,\n"
    "                   multi-memory, all (default), none (plain Wasm 2.0)\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n"
    "\n"
    "exit status: 0 success, 1 an input was rejected, 2 usage error;\n"
    "welf run exits as described above\n";

static void print_usage(FILE *f)
{
    fputs(usage, f);
    fputs(welf_run_cmd_usage, f);
    fputs(welf_run_usage, f);
    fputs(usage_tail, f);
}

void welf_cli_print_error(const welf_error *err, const char *path)
{
    char line[512];
    welf_error_format(err, path, line, sizeof line);
    fprintf(stderr, "%s\n", line);
}

welf_wasm *welf_cli_decode(const uint8_t *bytes, size_t size,
                           const char *path, welf_features features)
{
    welf_error err;
    welf_wasm *m = NULL;
    welf_status st = welf_wasm_decode(bytes, size, features, &m, &err);
    if (st == WELF_OK)
        st = welf_wasm_validate(m, &err);
    if (st != WELF_OK) {
        welf_cli_print_error(&err, path);
        welf_wasm_free(m);
        return NULL;
    }
    return m;
}

/* Reads, decodes and validates one file; prints the error and returns
 * NULL when it fails. */
static welf_wasm *load_wasm(const char *path, welf_features features)
{
    welf_error err;
    uint8_t *bytes;
    size_t size;
    if (welf_file_read(path, &bytes, &size, &err) != WELF_OK) {
        welf_cli_print_error(&err, path);
        return NULL;
    }
    welf_wasm *m = welf_cli_decode(bytes, size, path, features);
    welf_free(bytes);
    return m;
}

void welf_cli_base_name(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && strcmp(b + n - 5, ".wasm") == 0)
        n -= 5;
    if (n >= size)
        n = size - 1;
    memcpy(buf, b, n);
    buf[n] = '\0';
}

static int write_file(const char *path, const uint8_t *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "welf: cannot create %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    bool ok = fwrite(bytes, 1, size, f) == size;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "welf: cannot write %s: %s\n", path,
                strerror(errno));
        remove(path);
        return 1;
    }
    return 0;
}

static int cmd_compile(int argc, char **argv)
{
    welf_features features = WELF_FEATURES_DEFAULT;
    welf_compile_options opts;
    welf_compile_options_init(&opts);
    const char *input = NULL, *output = NULL, *header = NULL;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout);
            return 0;
        } else if (strcmp(arg, "-o") == 0 && i + 1 < argc) {
            output = argv[++i];
        } else if (strcmp(arg, "--header") == 0 && i + 1 < argc) {
            header = argv[++i];
        } else if (strcmp(arg, "--name") == 0 && i + 1 < argc) {
            opts.name = argv[++i];
        } else if (strncmp(arg, "--cpu=", 6) == 0) {
            opts.cpu = arg + 6;
        } else if (strcmp(arg, "--no-eh-frame") == 0) {
            opts.no_eh_frame = true;
        } else if (strcmp(arg, "-g") == 0) {
            opts.debug_info = true;
        } else if (strcmp(arg, "--precise-traps") == 0) {
            opts.precise_traps = true;
        } else if (strcmp(arg, "-j") == 0 && i + 1 < argc) {
            char *end;
            unsigned long j = strtoul(argv[++i], &end, 10);
            if (*end || j < 1 || j > 64) {
                fprintf(stderr, "welf compile: -j takes 1..64\n");
                return 2;
            }
            opts.jobs = (unsigned)j;
        } else if (arg[0] == '-' && arg[1] == 'O' && arg[2] >= '0' &&
                   arg[2] <= '3' && arg[3] == '\0') {
            opts.opt_level = arg[2] - '0';
        } else if (strncmp(arg, "--features=", 11) == 0) {
            if (!welf_features_parse(arg + 11, &features)) {
                fprintf(stderr, "welf: unknown feature list '%s'\n",
                        arg + 11);
                return 2;
            }
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "welf compile: unknown or incomplete option "
                            "'%s'\n", arg);
            return 2;
        } else if (input) {
            fprintf(stderr, "welf compile: one input file at a time\n");
            return 2;
        } else {
            input = arg;
        }
    }
    if (!input) {
        fprintf(stderr, "welf compile: no input file\n");
        return 2;
    }
    char name[256], out_buf[4096];
    welf_cli_base_name(input, name, sizeof name);
    if (!opts.name)
        opts.name = name;
    if (!output) {
        const char *dot = strrchr(input, '.');
        size_t n = dot && strcmp(dot, ".wasm") == 0 ? (size_t)(dot - input)
                                                    : strlen(input);
        snprintf(out_buf, sizeof out_buf, "%.*s.o", (int)n, input);
        output = out_buf;
    }
    if (header && strcmp(header, output) == 0) {
        fprintf(stderr, "welf compile: --header and -o name the same "
                        "file\n");
        return 2;
    }
    welf_wasm *m = load_wasm(input, features);
    if (!m)
        return 1;
    welf_error err;
    uint8_t *object;
    size_t size;
    welf_status st = welf_compile(m, &opts, &object, &size, &err);
    if (st != WELF_OK) {
        welf_cli_print_error(&err, input);
        welf_wasm_free(m);
        return 1;
    }
    int rc = write_file(output, object, size);
    welf_free(object);
    if (rc == 0 && header)
        rc = welf_cli_header_write(m, opts.name, input, header);
    welf_wasm_free(m);
    return rc;
}

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
        welf_wasm *m = load_wasm(path, features);
        if (!m)
            failed++;
        welf_wasm_free(m);
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
        print_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("welf %s\n", WELF_VERSION_STRING);
        return 0;
    }
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 2, argv + 2);
    if (strcmp(cmd, "compile") == 0)
        return cmd_compile(argc - 2, argv + 2);
    if (strcmp(cmd, "inspect") == 0)
        return welf_cli_inspect(argc - 2, argv + 2);
    if (strcmp(cmd, "run") == 0)
        return welf_cmd_run(argc - 2, argv + 2);
    fprintf(stderr, "welf: unknown command '%s' (see welf --help)\n", cmd);
    return 2;
}
