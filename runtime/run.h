/*
 * run.h — running a WASI command: what `welf run` and the main() that
 * static binaries get from libwelf share. Parses the runner's options,
 * instantiates the module with WASI, calls _start (or the export named
 * by --invoke), and turns the outcome into an exit status, printing a
 * trap's message and backtrace.
 */
#ifndef WELF_RUN_H
#define WELF_RUN_H

#include "util.h"
#include "welf.h"

/* Exit status when the program traps (distinct from any WASI exit
 * status a program is likely to use, as 128 + SIGABRT). */
#define WELF_RUN_TRAP_STATUS 134
/* Exit status for a usage, load or link error of the runner itself. */
#define WELF_RUN_ERROR_STATUS 125

typedef struct welf_run_options {
    welf_wasi_dir *dirs;
    size_t dir_count;
    const char **env;           /* "K=V" */
    size_t env_count;
    const char *invoke;         /* NULL: _start */
    const char **args;          /* the program's argv[1..] */
    size_t arg_count;
    const char *program;        /* the program's argv[0] */
} welf_run_options;

/*
 * Parses the runner options at argv[0 .. argc): --dir HOST[::GUEST],
 * --env K=V, --invoke NAME, then `--` or the first argument that is not
 * one of them starts the program's arguments. `program` becomes the
 * guest's argv[0]. On a usage error prints it (prefixed by `who`) and
 * returns false. Free with welf_run_options_free.
 */
WELF_INTERNAL bool welf_run_parse(int argc, char **argv, const char *program,
                                  const char *who, welf_run_options *out);
WELF_INTERNAL void welf_run_options_free(welf_run_options *opts);

/*
 * Runs `module` as a WASI command in `engine` and returns the process
 * exit status: the program's own, 0 when _start returns, or
 * WELF_RUN_TRAP_STATUS after printing "<who>: trap: MESSAGE" and the
 * wasm backtrace to stderr, or WELF_RUN_ERROR_STATUS after a link or
 * instantiation error.
 */
WELF_INTERNAL int welf_run_module(welf_engine *engine, welf_module *module,
                                  const welf_run_options *opts,
                                  const char *who);

/* The usage text of the runner options, for help messages. */
WELF_INTERNAL extern const char welf_run_usage[];

#endif
