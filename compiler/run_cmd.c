/*
 * run_cmd.c — `welf run FILE.wasm|FILE.o [options] [-- ARGS...]`: compile
 * a module if needed (through a cache keyed by the module's bytes and the
 * compiler's identity), load it, and run it as a WASI command with the
 * runner shared with static binaries (runtime/run.c).
 */
#include "run_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../runtime/run.h"
#include "cli.h"
#include "welf_compiler.h"

const char welf_run_cmd_usage[] =
    "  run [-O0|-O1|-O2|-O3] [-g] [--no-cache] FILE.wasm|FILE.o [OPTIONS]\n"
    "      [-- ARGS...]\n"
    "        run a WASI command: compile FILE.wasm (or load a compiled\n"
    "        FILE.o), instantiate it with WASI and call _start; exit with\n"
    "        the program's status, or 134 after a trap (message and wasm\n"
    "        backtrace on stderr), or 125 when welf itself fails.\n"
    "        Compiled modules are cached in $WELF_CACHE_DIR, else\n"
    "        $XDG_CACHE_HOME/welf, else ~/.cache/welf, keyed by the\n"
    "        module's bytes, the options and the welf binary, so a second\n"
    "        run does not compile; --no-cache compiles afresh and keeps\n"
    "        nothing; -g compiles with debug information, for gdb and\n"
    "        for source file:line in trap backtraces (docs/debugging.md).\n"
    "        OPTIONS:\n";

/* ---- the cache key ---- */

/*
 * 128 bits from two independent 64-bit hashes of the bytes (FNV-1a and a
 * multiply-rotate hash): keys for a cache the user owns, not a defence
 * against someone who can write to it.
 */
typedef struct key128 {
    uint64_t a, b;
} key128;

static void key_add(key128 *k, const void *data, size_t n)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) {
        k->a = (k->a ^ p[i]) * 0x100000001b3ull;
        k->b = (k->b + p[i] + 1) * 0x9e3779b97f4a7c15ull;
        k->b ^= k->b >> 29;
    }
}

static void key_add_u64(key128 *k, uint64_t v)
{
    key_add(k, &v, sizeof v);
}

static void key_add_str(key128 *k, const char *s)
{
    key_add(k, s ? s : "", strlen(s ? s : "") + 1);
}

/* $WELF_CACHE_DIR, $XDG_CACHE_HOME/welf or $HOME/.cache/welf, created
 * (0700) if missing; false when there is none to use. */
static bool cache_dir(char *buf, size_t size)
{
    const char *dir = getenv("WELF_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (dir && *dir)
        n = snprintf(buf, size, "%s", dir);
    else if (xdg && *xdg == '/')
        n = snprintf(buf, size, "%s/welf", xdg);
    else if (home && *home == '/')
        n = snprintf(buf, size, "%s/.cache/welf", home);
    else
        return false;
    if (n < 0 || (size_t)n >= size)
        return false;
    /* mkdir -p */
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
            *p = '/';
            return false;
        }
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return false;
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Writes bytes to path through a temporary file and a rename, so readers
 * never see half an object. */
static bool write_atomic(const char *path, const uint8_t *bytes, size_t size)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp)
        return false;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, bytes + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    bool ok = done == size && close(fd) == 0;
    if (done != size)
        close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return false;
    }
    return true;
}

static bool is_wasm(const uint8_t *bytes, size_t size)
{
    return size >= 4 && memcmp(bytes, "\0asm", 4) == 0;
}

/*
 * Compiles the module in `bytes` (from `path`) to an object in *object.
 * Prints the error and returns false on failure.
 */
static bool compile(const char *path, const uint8_t *bytes, size_t size,
                    int opt_level, bool debug_info, uint8_t **object,
                    size_t *object_size)
{
    welf_wasm *m = welf_cli_decode(bytes, size, path, WELF_FEATURES_DEFAULT);
    if (!m)
        return false;
    char name[256];
    welf_cli_base_name(path, name, sizeof name);
    welf_compile_options opts;
    welf_compile_options_init(&opts);
    opts.opt_level = opt_level;
    opts.debug_info = debug_info;
    opts.name = name;
    welf_error err;
    welf_status st = welf_compile(m, &opts, object, object_size, &err);
    welf_wasm_free(m);
    if (st != WELF_OK) {
        welf_cli_print_error(&err, path);
        return false;
    }
    return true;
}

/*
 * Loads the module of FILE into engine: an object directly; a .wasm from
 * the cache, compiling (and caching) it when it is not there.
 */
static welf_status get_module(welf_engine *engine, const char *path,
                              int opt_level, bool debug_info, bool use_cache,
                              welf_module **out)
{
    welf_error err;
    uint8_t *bytes;
    size_t size;
    if (welf_file_read(path, &bytes, &size, &err) != WELF_OK) {
        fprintf(stderr, "welf run: %s\n", err.message);
        return err.code;
    }
    welf_status st;
    if (!is_wasm(bytes, size)) {
        st = welf_module_load_memory(engine, bytes, size, out, &err);
        welf_free(bytes);
        if (st != WELF_OK)
            fprintf(stderr, "welf run: %s: %s\n", path, err.message);
        return st;
    }

    char dir[3072], cached[4096];
    bool cache = use_cache && cache_dir(dir, sizeof dir);
    if (cache) {
        key128 k = {0xcbf29ce484222325ull, 0x243f6a8885a308d3ull};
        key_add(&k, bytes, size);
        key_add_u64(&k, size);
        key_add_u64(&k, (uint64_t)opt_level);
        key_add_u64(&k, debug_info);
        key_add_str(&k, WELF_VERSION_STRING);
        /* The welf binary itself: a rebuilt compiler makes new keys. */
        struct stat self;
        if (stat("/proc/self/exe", &self) == 0) {
            key_add_u64(&k, (uint64_t)self.st_size);
            key_add_u64(&k, (uint64_t)self.st_mtim.tv_sec);
            key_add_u64(&k, (uint64_t)self.st_mtim.tv_nsec);
        }
        snprintf(cached, sizeof cached, "%s/%016llx%016llx.o", dir,
                 (unsigned long long)k.a, (unsigned long long)k.b);
        st = welf_module_load(engine, cached, out, &err);
        if (st == WELF_OK) {
            welf_free(bytes);
            return st;
        }
        /* Missing or unusable (another machine's CPU level, damaged):
         * compile and replace it. */
    }
    uint8_t *object;
    size_t object_size;
    bool ok = compile(path, bytes, size, opt_level, debug_info, &object,
                      &object_size);
    welf_free(bytes);
    if (!ok)
        return WELF_ERR_USAGE;
    if (cache && !write_atomic(cached, object, object_size))
        fprintf(stderr, "welf run: warning: cannot write the cache file "
                        "%s: %s\n", cached, strerror(errno));
    st = welf_module_load_memory(engine, object, object_size, out, &err);
    welf_free(object);
    if (st != WELF_OK)
        fprintf(stderr, "welf run: %s: %s\n", path, err.message);
    return st;
}

int welf_cmd_run(int argc, char **argv)
{
    int opt_level = 2;
    bool use_cache = true, debug_info = false;
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strlen(a) == 3 && a[1] == 'O' && a[2] >= '0' && a[2] <= '3') {
            opt_level = a[2] - '0';
        } else if (strcmp(a, "--no-cache") == 0) {
            use_cache = false;
        } else if (strcmp(a, "-g") == 0) {
            debug_info = true;
        } else {
            fprintf(stderr, "welf run: unknown option '%s' before the "
                            "file (see welf --help)\n", a);
            return WELF_RUN_ERROR_STATUS;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "welf run: no file to run (see welf --help)\n");
        return WELF_RUN_ERROR_STATUS;
    }
    const char *path = argv[i++];
    welf_run_options opts;
    if (!welf_run_parse(argc - i, argv + i, path, "welf run", &opts))
        return WELF_RUN_ERROR_STATUS;
    welf_engine *engine;
    welf_error err;
    if (welf_engine_new(&engine, &err) != WELF_OK) {
        fprintf(stderr, "welf run: %s\n", err.message);
        welf_run_options_free(&opts);
        return WELF_RUN_ERROR_STATUS;
    }
    welf_module *module;
    int status = WELF_RUN_ERROR_STATUS;
    if (get_module(engine, path, opt_level, debug_info, use_cache,
                   &module) == WELF_OK)
        status = welf_run_module(engine, module, &opts, "welf run");
    welf_engine_free(engine);
    welf_run_options_free(&opts);
    return status;
}
