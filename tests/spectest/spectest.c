/*
 * spectest.c — welf-spectest, the WebAssembly spec test runner.
 *
 * Owns: turning each .wast script into JSON plus module files with
 * wast2json, judging every command of the script with welf (modules are
 * decoded, validated, compiled, loaded and instantiated; actions are
 * invoked and their results or traps compared), counting and printing the
 * results, and spreading files over worker processes (-j).
 *
 * Each script gets one engine, which owns everything made while running
 * it. The script's state is the current module, the modules named with
 * "$name", the instances registered under a module name (`register`), and
 * the built-in `spectest` module. A module welf cannot compile yet
 * (WELF_ERR_UNSUPPORTED, e.g. a SIMD instruction not lowered yet) is
 * "unavailable": it and every command that needs it are skipped, with the
 * reason counted. Text-format modules are counted as not applicable. v128
 * arguments and results are judged lane by lane, in the lane type the
 * script gives (float lanes may expect nan:canonical or nan:arithmetic).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "welf_compiler.h"

#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))

/* ------------------------------------------------------------------ */
/* Small utilities                                                     */

static void die_nomem(void)
{
    fputs("welf-spectest: out of memory\n", stderr);
    exit(1);
}

static void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        die_nomem();
    return p;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        char *s = xrealloc(NULL, 16);
        strcpy(s, "(bad format)");
        return s;
    }
    char *s = xrealloc(NULL, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* A malloc'd, formatted string. */
PRINTF_LIKE(1, 2)
static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Writes all of buf; false on error. */
static bool write_full(int fd, const void *buf, size_t size)
{
    const char *p = buf;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= (size_t)n;
    }
    return true;
}

/* Reads until size bytes, end of file or error; returns the bytes read. */
static size_t read_full(int fd, void *buf, size_t size)
{
    char *p = buf;
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, p + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    return done;
}

/* Reads a whole file into a NUL-terminated malloc'd buffer. */
static bool read_text_file(const char *path, char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t len = 0, cap = 65536;
    char *buf = xrealloc(NULL, cap);
    for (;;) {
        if (cap - len < 2) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    bool ok = !ferror(f);
    fclose(f);
    if (!ok) {
        free(buf);
        return false;
    }
    buf[len] = '\0';
    *data = buf;
    *size = len;
    return true;
}

/* ------------------------------------------------------------------ */
/* Output buffer: everything printed for one .wast file                */

typedef struct strbuf {
    char *data;
    size_t len;
    size_t cap;
} strbuf;

static void sb_append(strbuf *sb, const char *s, size_t n)
{
    if (sb->cap - sb->len < n + 1) {
        size_t cap = sb->cap ? sb->cap : 256;
        while (cap - sb->len < n + 1) {
            if (cap > SIZE_MAX / 2)
                die_nomem();
            cap *= 2;
        }
        sb->data = xrealloc(sb->data, cap);
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

/*
 * Appends one formatted line. Control characters (from file names, JSON
 * strings or library messages) are replaced so that every report stays on
 * one line.
 */
PRINTF_LIKE(2, 3)
static void sb_line(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    for (char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\t')
            *p = ' ';
        else if (c < 0x20 || c == 0x7f)
            *p = '?';
    }
    sb_append(sb, s, strlen(s));
    sb_append(sb, "\n", 1);
    free(s);
}

static void sb_free(strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Options, counts, and the context for judging one file               */

typedef struct options {
    bool verbose;
    bool show_time;
    long jobs;
    int opt_level;         /* welf_compile's opt_level */
    unsigned timeout;      /* seconds per file in a worker; 0: none */
    char *wast2json;
    char *tmp_root; /* this run's temporary directory, or NULL */
    char **files;
    int nfiles;
} options;

/* Why a command was skipped. */
typedef enum skip_kind {
    SKIP_SIMD,        /* a module using SIMD instructions welf rejects */
    SKIP_UNSUPPORTED, /* another instruction welf cannot compile yet */
    SKIP_TEXT,        /* needs a text-format module */
    SKIP_UNKNOWN,     /* a command type this runner does not know */
    SKIP_KINDS
} skip_kind;

static const char *const skip_names[SKIP_KINDS] = {
    [SKIP_SIMD] = "SIMD",
    [SKIP_UNSUPPORTED] = "unsupported",
    [SKIP_TEXT] = "text module",
    [SKIP_UNKNOWN] = "unknown command",
};

/* Plain integers only: this struct is sent as raw bytes between
 * processes. */
typedef struct counts {
    uint64_t passed;
    uint64_t failed;
    uint64_t skipped;
    uint64_t skip[SKIP_KINDS]; /* skipped, by reason */
    uint64_t text;    /* text-format modules: not applicable */
    uint64_t modules; /* modules handed to welf_wasm_decode */
    uint64_t nanos;   /* time inside decode + validate */
    uint64_t compiled;      /* modules handed to welf_compile */
    uint64_t compile_nanos; /* time inside welf_compile */
} counts;

static void counts_add(counts *to, const counts *from)
{
    to->passed += from->passed;
    to->failed += from->failed;
    to->skipped += from->skipped;
    for (int i = 0; i < SKIP_KINDS; i++)
        to->skip[i] += from->skip[i];
    to->text += from->text;
    to->modules += from->modules;
    to->nanos += from->nanos;
    to->compiled += from->compiled;
    to->compile_nanos += from->compile_nanos;
}

typedef struct script script;

typedef struct file_job {
    const options *opts;
    const char *wast;       /* the path as given on the command line */
    char *dir;              /* temporary directory for wast2json's output */
    welf_features features;
    counts *counts;
    strbuf *out;
    script *sc;             /* the running script's state */
} file_job;

/* " (12 SIMD, 1 unknown command)" after a skip count, or "". */
static void skip_reasons(const counts *c, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < SKIP_KINDS && len < size; i++) {
        if (!c->skip[i])
            continue;
        int n = snprintf(buf + len, size - len, "%s%" PRIu64 " %s",
                         len ? ", " : " (", c->skip[i], skip_names[i]);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    if (len > 0 && len < size)
        snprintf(buf + len, size - len, ")");
}

static void append_summary(strbuf *out, const char *wast, const counts *c)
{
    char why[200];
    skip_reasons(c, why, sizeof why);
    sb_line(out,
            "%s: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64
            " skipped%s, %" PRIu64 " text (not applicable)",
            wast, c->passed, c->failed, c->skipped, why, c->text);
}

/* A failure of the file as a whole (no command line to point at). */
PRINTF_LIKE(3, 4)
static void fail_file(file_job *job, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *reason = vformat(fmt, ap);
    va_end(ap);
    job->counts->failed++;
    sb_line(job->out, "%s: %s: %s", job->wast, what, reason);
    free(reason);
}

PRINTF_LIKE(4, 5)
static void fail_cmd(file_job *job, long line, const char *type,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *reason = vformat(fmt, ap);
    va_end(ap);
    job->counts->failed++;
    sb_line(job->out, "%s:%ld: %s: %s", job->wast, line, type, reason);
    free(reason);
}

static void pass_cmd(file_job *job, long line, const char *type)
{
    job->counts->passed++;
    if (job->opts->verbose)
        sb_line(job->out, "%s:%ld: %s: passed", job->wast, line, type);
}

PRINTF_LIKE(5, 6)
static void skip_cmd(file_job *job, long line, const char *type,
                     skip_kind kind, const char *fmt, ...)
{
    job->counts->skipped++;
    job->counts->skip[kind]++;
    if (!job->opts->verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *reason = vformat(fmt, ap);
    va_end(ap);
    sb_line(job->out, "%s:%ld: %s: skipped (%s): %s", job->wast, line, type,
            skip_names[kind], reason);
    free(reason);
}

/* ------------------------------------------------------------------ */
/* Proposals: wast2json flag and welf feature by directory             */

typedef struct proposal {
    const char *dir;
    const char *flag;
    welf_features feature;
} proposal;

static const proposal proposals[] = {
    {"tail-call", "--enable-tail-call", WELF_FEATURE_TAIL_CALL},
    {"extended-const", "--enable-extended-const",
     WELF_FEATURE_EXTENDED_CONST},
    {"multi-memory", "--enable-multi-memory", WELF_FEATURE_MULTI_MEMORY},
};

/* Does `p` start with the path component "proposals/DIR/"? */
static bool at_proposal_dir(const char *p, const char *dir)
{
    static const char prefix[] = "proposals/";
    size_t plen = sizeof prefix - 1, dlen = strlen(dir);
    return strncmp(p, prefix, plen) == 0 &&
           strncmp(p + plen, dir, dlen) == 0 && p[plen + dlen] == '/';
}

/*
 * The proposal a path belongs to: the last "proposals/NAME/" component
 * pair in it, or NULL for a core test.
 */
static const proposal *proposal_for(const char *path)
{
    const proposal *found = NULL;
    for (const char *p = path; *p; p++) {
        if (p != path && p[-1] != '/')
            continue;
        for (size_t i = 0; i < sizeof proposals / sizeof proposals[0]; i++) {
            if (at_proposal_dir(p, proposals[i].dir))
                found = &proposals[i];
        }
    }
    return found;
}

/* ------------------------------------------------------------------ */
/* Running wast2json                                                   */

/* The first non-empty line of a file (of its first 1 KiB), malloc'd. */
static char *first_line_of(const char *path, bool *empty)
{
    char buf[1024];
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read_full(fd, buf, sizeof buf - 1);
        close(fd);
    }
    buf[n] = '\0';
    *empty = n == 0;
    const char *line = buf + strspn(buf, "\r\n");
    return format("%.*s", (int)strcspn(line, "\r\n"), line);
}

static char *describe_exit(int status)
{
    if (WIFEXITED(status))
        return format("exited with status %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return format("was killed by signal %d (%s)", WTERMSIG(status),
                      strsignal(WTERMSIG(status)));
    return format("ended with wait status %d", status);
}

/* Spawns argv with stdin/stdout on /dev/null and stderr into err_path. */
static int spawn_with_stderr(char **argv, const char *err_path, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc)
        return rc;
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!rc)
        rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
                                              0);
    if (!rc)
        rc = posix_spawn_file_actions_addopen(
            &fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!rc)
        rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/*
 * Runs wast2json on the job's file, writing json_path. True if it exited 0
 * and printed nothing on stderr; otherwise *why says what went wrong.
 */
static bool run_wast2json(const file_job *job, const char *flag,
                          const char *json_path, const char *err_path,
                          char **why)
{
    /* wast2json takes a leading '-' as an option and has no "--". */
    char *input = job->wast[0] == '-' ? format("./%s", job->wast)
                                      : format("%s", job->wast);
    char *argv[6];
    int argc = 0;
    argv[argc++] = format("%s", job->opts->wast2json);
    if (flag)
        argv[argc++] = format("%s", flag);
    argv[argc++] = input;
    argv[argc++] = format("-o");
    argv[argc++] = format("%s", json_path);
    argv[argc] = NULL;

    pid_t pid;
    int status = 0;
    int rc = spawn_with_stderr(argv, err_path, &pid);
    if (rc == 0) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    if (rc != 0) {
        *why = format("cannot run %s: %s", job->opts->wast2json,
                      strerror(rc));
        return false;
    }

    bool quiet;
    char *line = first_line_of(err_path, &quiet);
    bool exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (exited_ok && quiet) {
        free(line);
        return true;
    }
    char *how = describe_exit(status);
    if (quiet)
        *why = format("%s", how);
    else if (exited_ok)
        *why = format("reported an error: %s", line);
    else
        *why = format("%s: %s", how, line);
    free(how);
    free(line);
    return false;
}

/* ------------------------------------------------------------------ */
/* Temporary directory                                                 */

/* The directory temporary files go under: $TMPDIR or /tmp. */
static const char *temp_base(void)
{
    const char *base = getenv("TMPDIR");
    return base && *base ? base : "/tmp";
}

/* Creates a fresh directory "PARENT/NAME-XXXXXX"; NULL (errno set) on
 * failure. */
static char *make_temp_dir(const char *parent, const char *name)
{
    char *templ = format("%s/%s-XXXXXX", parent, name);
    if (!mkdtemp(templ)) {
        int saved = errno;
        free(templ);
        errno = saved;
        return NULL;
    }
    return templ;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes a directory and everything in it; false (errno set) on failure. */
static bool remove_tree(const char *dir)
{
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

/* ------------------------------------------------------------------ */
/* Errors and names                                                    */

/* How far a module got in decoding and validation. */
typedef enum stage {
    STAGE_READ,     /* the file could not be read */
    STAGE_DECODE,   /* decoding failed */
    STAGE_VALIDATE, /* validation failed */
    STAGE_ACCEPTED  /* decoded and validated */
} stage;

static const char *stage_name(stage s)
{
    switch (s) {
    case STAGE_READ:
        return "reading";
    case STAGE_DECODE:
        return "decoding";
    case STAGE_VALIDATE:
        return "validation";
    case STAGE_ACCEPTED:
        break;
    }
    return "nothing";
}

static const char *class_name(welf_status_class c)
{
    switch (c) {
    case WELF_CLASS_OK:
        return "ok";
    case WELF_CLASS_MALFORMED:
        return "malformed";
    case WELF_CLASS_INVALID:
        return "invalid";
    case WELF_CLASS_OTHER:
        break;
    }
    return "other (neither malformed nor invalid)";
}

static void clear_error(welf_error *err)
{
    memset(err, 0, sizeof *err);
    err->code = WELF_OK;
    err->offset = WELF_NO_OFFSET;
    err->func_index = WELF_NO_INDEX;
}

/* Makes sure a failed call left a usable error record. */
static void settle_error(welf_error *err, welf_status status)
{
    if (err->code == WELF_OK)
        err->code = status;
    err->message[sizeof err->message - 1] = '\0';
}

/* "0x1f: error: message [STATUS_NAME]" */
static void describe_error(const welf_error *err, char *buf, size_t size)
{
    char msg[400];
    welf_error_format(err, NULL, msg, sizeof msg);
    const char *name = welf_status_name(err->code);
    snprintf(buf, size, "%s [%s]", msg, name ? name : "unknown status");
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *string_field(const cJSON *obj, const char *name)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(f) ? f->valuestring : NULL;
}

/* A name for messages, in quotes: printable ASCII as is, other bytes as
 * \xx (names may hold NUL, control characters and UTF-8). */
static char *quote_name(const char *name, size_t len)
{
    strbuf sb = {0};
    sb_append(&sb, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            sb_append(&sb, &name[i], 1);
        } else {
            char hex[8];
            snprintf(hex, sizeof hex, "\\%02x", c);
            sb_append(&sb, hex, 3);
        }
    }
    sb_append(&sb, "\"", 1);
    return sb.data;
}

/* ------------------------------------------------------------------ */
/* The script's state: modules, names, the registry, spectest          */

typedef enum mod_state {
    MOD_READY,       /* instantiated */
    MOD_UNAVAILABLE, /* skipped, for the reason in `skip` */
    MOD_FAILED       /* failed (reported at its module command) */
} mod_state;

/* What one module command (or a text module) left behind. */
typedef struct mod_rec {
    struct mod_rec *next; /* all records of the script */
    welf_instance *inst;  /* MOD_READY; owned by the engine */
    mod_state state;
    skip_kind skip;       /* MOD_UNAVAILABLE */
    long line;            /* of the module command */
    char *why;            /* MOD_UNAVAILABLE, MOD_FAILED: malloc'd */
} mod_rec;

typedef struct name_entry {
    char *name; /* malloc'd; may hold NUL */
    size_t len;
    mod_rec *mod;
} name_entry;

/* Names to modules; the latest definition of a name wins. */
typedef struct name_map {
    name_entry *items;
    size_t count;
    size_t cap;
} name_map;

/* The spectest module, as the reference interpreter defines it. The
 * functions come first (SPECTEST_FUNCS of them). */
typedef struct spectest_item {
    const char *name;
    welf_extern_kind kind;
    uint8_t param_count; /* FUNC: no results */
    uint8_t params[2];
    uint8_t type; /* GLOBAL: value type; TABLE: element type */
} spectest_item;

#define SPECTEST_FUNCS 7
#define SPECTEST_ITEMS 13

static const spectest_item spectest_items[SPECTEST_ITEMS] = {
    {"print", WELF_EXTERN_FUNC, 0, {0, 0}, 0},
    {"print_i32", WELF_EXTERN_FUNC, 1, {WELF_TYPE_I32, 0}, 0},
    {"print_i64", WELF_EXTERN_FUNC, 1, {WELF_TYPE_I64, 0}, 0},
    {"print_f32", WELF_EXTERN_FUNC, 1, {WELF_TYPE_F32, 0}, 0},
    {"print_f64", WELF_EXTERN_FUNC, 1, {WELF_TYPE_F64, 0}, 0},
    {"print_i32_f32", WELF_EXTERN_FUNC, 2, {WELF_TYPE_I32, WELF_TYPE_F32},
     0},
    {"print_f64_f64", WELF_EXTERN_FUNC, 2, {WELF_TYPE_F64, WELF_TYPE_F64},
     0},
    {"global_i32", WELF_EXTERN_GLOBAL, 0, {0, 0}, WELF_TYPE_I32},
    {"global_i64", WELF_EXTERN_GLOBAL, 0, {0, 0}, WELF_TYPE_I64},
    {"global_f32", WELF_EXTERN_GLOBAL, 0, {0, 0}, WELF_TYPE_F32},
    {"global_f64", WELF_EXTERN_GLOBAL, 0, {0, 0}, WELF_TYPE_F64},
    {"table", WELF_EXTERN_TABLE, 0, {0, 0}, WELF_TYPE_FUNCREF},
    {"memory", WELF_EXTERN_MEMORY, 0, {0, 0}, 0},
};

typedef struct spectest_host {
    file_job *job;
    int item; /* index in spectest_items */
} spectest_host;

struct script {
    welf_engine *engine; /* NULL if it could not be made: see engine_why */
    char *engine_why;
    mod_rec *mods;
    mod_rec *current; /* the last module command's record, or NULL */
    name_map named;   /* "name" of module commands ("$M") */
    name_map registry; /* "as" of register commands */
    bool spectest_made;
    welf_extern spectest[SPECTEST_ITEMS];
    spectest_host hosts[SPECTEST_FUNCS];
    char marker[4]; /* stands for U+0000 in JSON strings: protect_nuls */
    size_t marker_len;
};

static void map_put(name_map *m, char *name, size_t len, mod_rec *mod)
{
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->items = xrealloc(m->items, sizeof *m->items * m->cap);
    }
    m->items[m->count++] = (name_entry){name, len, mod};
}

static mod_rec *map_get(const name_map *m, const char *name, size_t len)
{
    for (size_t i = m->count; i-- > 0;) {
        const name_entry *e = &m->items[i];
        if (e->len == len && memcmp(e->name, name, len) == 0)
            return e->mod;
    }
    return NULL;
}

static void map_free(name_map *m)
{
    for (size_t i = 0; i < m->count; i++)
        free(m->items[i].name);
    free(m->items);
    memset(m, 0, sizeof *m);
}

static mod_rec *new_rec(script *sc, mod_state state, long line, char *why)
{
    mod_rec *r = xrealloc(NULL, sizeof *r);
    memset(r, 0, sizeof *r);
    r->state = state;
    r->line = line;
    r->why = why;
    r->next = sc->mods;
    sc->mods = r;
    return r;
}

static void script_init(file_job *job, script *sc)
{
    memset(sc, 0, sizeof *sc);
    job->sc = sc;
    welf_error err;
    clear_error(&err);
    welf_status st = welf_engine_new(&sc->engine, &err);
    if (st != WELF_OK) {
        settle_error(&err, st);
        char why[600];
        describe_error(&err, why, sizeof why);
        sc->engine = NULL;
        sc->engine_why = format("cannot make an engine: %s", why);
    }
}

static void script_free(file_job *job, script *sc)
{
    if (sc->engine)
        welf_engine_free(sc->engine);
    free(sc->engine_why);
    while (sc->mods) {
        mod_rec *next = sc->mods->next;
        free(sc->mods->why);
        free(sc->mods);
        sc->mods = next;
    }
    map_free(&sc->named);
    map_free(&sc->registry);
    job->sc = NULL;
}

/*
 * cJSON ends its strings at U+0000, but export names may hold it
 * (names.wast). Before parsing, each \u0000 escape in the text is
 * rewritten in place to the escape of a private-use character that the
 * text does not contain at all; json_name turns that character back into
 * a NUL byte.
 */
static void protect_nuls(script *sc, char *text, size_t size)
{
    static const char nul[] = "\\u0000";
    if (!memmem(text, size, nul, 6))
        return;
    /* U+E000..U+E099 with decimal low digits: one hex letter, so the
     * lower- and upper-case escapes are the only spellings. */
    for (unsigned k = 0; k < 100; k++) {
        unsigned cp = 0xe000u + ((k / 10) << 4) + k % 10;
        char lower[8], upper[8];
        snprintf(lower, sizeof lower, "\\u%04x", cp);
        snprintf(upper, sizeof upper, "\\u%04X", cp);
        char utf8[3] = {(char)(0xe0 | (cp >> 12)),
                        (char)(0x80 | ((cp >> 6) & 0x3f)),
                        (char)(0x80 | (cp & 0x3f))};
        if (memmem(text, size, utf8, 3) || memmem(text, size, lower, 6) ||
            memmem(text, size, upper, 6))
            continue;
        memcpy(sc->marker, utf8, 3);
        sc->marker_len = 3;
        for (char *p = text; (p = memmem(p, size - (size_t)(p - text), nul,
                                         6)) != NULL;
             p += 6) {
            size_t backslashes = 0;
            while (p - (ptrdiff_t)backslashes > text &&
                   p[-1 - (ptrdiff_t)backslashes] == '\\')
                backslashes++;
            if (backslashes % 2 == 0)
                memcpy(p, lower, 6);
        }
        return;
    }
}

/* A name from the JSON as bytes: malloc'd, with its length. */
static char *json_name(const script *sc, const char *s, size_t *len)
{
    size_t n = strlen(s), j = 0;
    char *out = xrealloc(NULL, n + 1);
    for (size_t i = 0; i < n;) {
        if (sc->marker_len && n - i >= sc->marker_len &&
            memcmp(s + i, sc->marker, sc->marker_len) == 0) {
            out[j++] = '\0';
            i += sc->marker_len;
        } else {
            out[j++] = s[i++];
        }
    }
    out[j] = '\0';
    *len = j;
    return out;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static uint8_t type_code(const char *name)
{
    static const struct {
        const char *name;
        uint8_t code;
    } types[] = {
        {"i32", WELF_TYPE_I32},         {"i64", WELF_TYPE_I64},
        {"f32", WELF_TYPE_F32},         {"f64", WELF_TYPE_F64},
        {"v128", WELF_TYPE_V128},       {"funcref", WELF_TYPE_FUNCREF},
        {"externref", WELF_TYPE_EXTERNREF},
    };
    for (size_t i = 0; name && i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(name, types[i].name) == 0)
            return types[i].code;
    }
    return 0;
}

static const char *type_name(uint8_t code)
{
    switch (code) {
    case WELF_TYPE_I32:
        return "i32";
    case WELF_TYPE_I64:
        return "i64";
    case WELF_TYPE_F32:
        return "f32";
    case WELF_TYPE_F64:
        return "f64";
    case WELF_TYPE_V128:
        return "v128";
    case WELF_TYPE_FUNCREF:
        return "funcref";
    case WELF_TYPE_EXTERNREF:
        return "externref";
    default:
        return "(unknown type)";
    }
}

static uint32_t f32_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/*
 * Host references: externref N of the script is the pointer N + 1, so
 * that none of them is NULL (ref.null).
 */
static void *extern_of(uint64_t n)
{
    return (void *)(uintptr_t)(n + 1);
}

/*
 * v128 values are written in the script lane by lane, with a lane type
 * (wast2json's "lane_type"): i8, i16, i32, i64, f32 or f64. Lanes are
 * little-endian in welf_val.of.v128, lane 0 first.
 */
typedef enum lane_type {
    LANE_I8,
    LANE_I16,
    LANE_I32,
    LANE_I64,
    LANE_F32,
    LANE_F64,
    LANE_TYPES
} lane_type;

static const char *const lane_names[LANE_TYPES] = {
    [LANE_I8] = "i8",   [LANE_I16] = "i16", [LANE_I32] = "i32",
    [LANE_I64] = "i64", [LANE_F32] = "f32", [LANE_F64] = "f64",
};

/* The lane type named `name`; false if there is none. */
static bool parse_lane_type(const char *name, lane_type *out)
{
    for (int i = 0; name && i < LANE_TYPES; i++) {
        if (strcmp(name, lane_names[i]) == 0) {
            *out = (lane_type)i;
            return true;
        }
    }
    return false;
}

static unsigned lane_bytes(lane_type t)
{
    static const unsigned bytes[LANE_TYPES] = {1, 2, 4, 8, 4, 8};
    return bytes[t];
}

static unsigned lane_count(lane_type t)
{
    return 16 / lane_bytes(t);
}

static bool lane_is_float(lane_type t)
{
    return t == LANE_F32 || t == LANE_F64;
}

static uint64_t get_lane(const uint8_t *v128, lane_type t, unsigned i)
{
    unsigned n = lane_bytes(t);
    uint64_t bits = 0;
    for (unsigned k = n; k-- > 0;)
        bits = bits << 8 | v128[i * n + k];
    return bits;
}

static void set_lane(uint8_t *v128, lane_type t, unsigned i, uint64_t bits)
{
    unsigned n = lane_bytes(t);
    for (unsigned k = 0; k < n; k++)
        v128[i * n + k] = (uint8_t)(bits >> (8 * k));
}

/* "v128 i32x4 0x00000001 0x00000002 0x00000003 0x00000004": the lanes of
 * `t` in hex (exact bits for floats too). */
static void describe_v128(const uint8_t *v128, lane_type t, char *buf,
                          size_t size)
{
    int len = snprintf(buf, size, "v128 %sx%u", lane_names[t], lane_count(t));
    for (unsigned i = 0; i < lane_count(t) && len >= 0 && (size_t)len < size;
         i++)
        len += snprintf(buf + len, size - (size_t)len, " 0x%0*" PRIx64,
                        (int)lane_bytes(t) * 2, get_lane(v128, t, i));
}

/* "i32 -1 (0xffffffff)", "f32 nan (0x7fc00000)", "externref 3". */
static void describe_val(const welf_val *v, char *buf, size_t size)
{
    switch (v->type) {
    case WELF_TYPE_I32:
        snprintf(buf, size, "i32 %" PRId32 " (0x%" PRIx32 ")", v->of.i32,
                 (uint32_t)v->of.i32);
        break;
    case WELF_TYPE_I64:
        snprintf(buf, size, "i64 %" PRId64 " (0x%" PRIx64 ")", v->of.i64,
                 (uint64_t)v->of.i64);
        break;
    case WELF_TYPE_F32:
        snprintf(buf, size, "f32 %.9g (0x%08" PRIx32 ")", (double)v->of.f32,
                 f32_bits(v->of.f32));
        break;
    case WELF_TYPE_F64:
        snprintf(buf, size, "f64 %.17g (0x%016" PRIx64 ")", v->of.f64,
                 f64_bits(v->of.f64));
        break;
    case WELF_TYPE_V128:
        describe_v128(v->of.v128, LANE_I32, buf, size);
        break;
    case WELF_TYPE_FUNCREF:
        snprintf(buf, size, "funcref %s", v->of.func ? "non-null" : "null");
        break;
    case WELF_TYPE_EXTERNREF:
        if (!v->of.extern_ref)
            snprintf(buf, size, "externref null");
        else
            snprintf(buf, size, "externref %" PRIuPTR,
                     (uintptr_t)v->of.extern_ref - 1);
        break;
    default:
        snprintf(buf, size, "a value of unknown type 0x%02x", v->type);
        break;
    }
}

/* Parses an unsigned decimal string (wast2json's way of writing
 * numbers). */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* The "value" list of a v128 in the JSON: its lane type and, for each
 * lane, the string (a decimal number, or "nan:..." in expectations).
 * False (and *why) if the shape is wrong. */
static bool v128_lanes(const cJSON *a, const char *what, lane_type *t,
                       const char *texts[16], char **why)
{
    const char *lname = string_field(a, "lane_type");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(a, "value");
    if (!parse_lane_type(lname, t)) {
        *why = format("bad lane type \"%s\" in a v128 %s",
                      lname ? lname : "(none)", what);
        return false;
    }
    if (!cJSON_IsArray(list) ||
        cJSON_GetArraySize(list) != (int)lane_count(*t)) {
        *why = format("a v128 %s of %s lanes needs a list of %u values", what,
                      lname, lane_count(*t));
        return false;
    }
    unsigned i = 0;
    const cJSON *lane;
    cJSON_ArrayForEach(lane, list)
    {
        if (!cJSON_IsString(lane)) {
            *why = format("lane %u of a v128 %s is not a string", i, what);
            return false;
        }
        texts[i++] = lane->valuestring;
    }
    return true;
}

/* The largest value of a lane's bits. */
static uint64_t lane_max(lane_type t)
{
    return lane_bytes(t) == 8 ? UINT64_MAX
                              : (UINT64_C(1) << (8 * lane_bytes(t))) - 1;
}

/* Converts a v128 argument: every lane a number (bits for floats). */
static bool parse_v128_arg(const cJSON *a, welf_val *out, char **why)
{
    lane_type t;
    const char *texts[16];
    if (!v128_lanes(a, "argument", &t, texts, why))
        return false;
    for (unsigned i = 0; i < lane_count(t); i++) {
        uint64_t bits;
        if (!parse_u64(texts[i], lane_max(t), &bits)) {
            *why = format("bad v128 argument lane %u \"%s\" (%s)", i,
                          texts[i], lane_names[t]);
            return false;
        }
        set_lane(out->of.v128, t, i, bits);
    }
    return true;
}

/* Converts an argument from the JSON; false (and *why) if it cannot. */
static bool parse_arg(const cJSON *a, welf_val *out, char **why)
{
    const char *tname = string_field(a, "type");
    const char *text = string_field(a, "value");
    memset(out, 0, sizeof *out);
    out->type = type_code(tname);
    uint64_t v = 0;
    switch (out->type) {
    case WELF_TYPE_I32:
    case WELF_TYPE_F32:
        if (!parse_u64(text, UINT32_MAX, &v))
            break;
        if (out->type == WELF_TYPE_I32) {
            out->of.i32 = (int32_t)(uint32_t)v;
        } else {
            uint32_t b = (uint32_t)v;
            memcpy(&out->of.f32, &b, sizeof b);
        }
        return true;
    case WELF_TYPE_I64:
    case WELF_TYPE_F64:
        if (!parse_u64(text, UINT64_MAX, &v))
            break;
        if (out->type == WELF_TYPE_I64)
            out->of.i64 = (int64_t)v;
        else
            memcpy(&out->of.f64, &v, sizeof v);
        return true;
    case WELF_TYPE_FUNCREF:
        if (text && strcmp(text, "null") == 0)
            return true; /* NULL */
        *why = format("cannot pass funcref %s: only null can be made",
                      text ? text : "(no value)");
        return false;
    case WELF_TYPE_EXTERNREF:
        if (text && strcmp(text, "null") == 0)
            return true;
        if (!parse_u64(text, UINTPTR_MAX - 1, &v))
            break;
        out->of.extern_ref = extern_of(v);
        return true;
    case WELF_TYPE_V128:
        return parse_v128_arg(a, out, why);
    default:
        *why = format("cannot pass an argument of type %s",
                      tname ? tname : "(none)");
        return false;
    }
    *why = format("bad %s argument value \"%s\"", tname,
                  text ? text : "(none)");
    return false;
}

/* An expected result, parsed from the JSON. */
typedef enum exp_kind {
    EXP_BITS,          /* numbers: exactly these bits */
    EXP_NAN_CANONICAL, /* the canonical NaN, either sign */
    EXP_NAN_ARITHMETIC, /* a NaN with the quiet bit set */
    EXP_NULL,          /* ref.null */
    EXP_NON_NULL,      /* funcref: any function */
    EXP_EXTERN,        /* externref: the host reference in bits */
} exp_kind;

typedef struct expected {
    uint8_t type;
    exp_kind kind;
    uint64_t bits;
    /* v128: the lanes, each EXP_BITS or, for float lanes, a NaN kind;
     * `kind` is EXP_BITS. */
    lane_type lanes;
    exp_kind lane_kind[16];
    uint64_t lane_bits[16];
} expected;

/* Parses a v128 expectation, lane by lane. */
static bool parse_v128_expected(const cJSON *e, expected *out, char **why)
{
    const char *texts[16];
    if (!v128_lanes(e, "result", &out->lanes, texts, why))
        return false;
    lane_type t = out->lanes;
    for (unsigned i = 0; i < lane_count(t); i++) {
        out->lane_kind[i] = EXP_BITS;
        if (lane_is_float(t) && strcmp(texts[i], "nan:canonical") == 0)
            out->lane_kind[i] = EXP_NAN_CANONICAL;
        else if (lane_is_float(t) && strcmp(texts[i], "nan:arithmetic") == 0)
            out->lane_kind[i] = EXP_NAN_ARITHMETIC;
        else if (!parse_u64(texts[i], lane_max(t), &out->lane_bits[i])) {
            *why = format("bad expected v128 lane %u \"%s\" (%s)", i,
                          texts[i], lane_names[t]);
            return false;
        }
    }
    return true;
}

static bool parse_expected(const cJSON *e, expected *out, char **why)
{
    const char *tname = string_field(e, "type");
    const char *text = string_field(e, "value");
    memset(out, 0, sizeof *out);
    out->type = type_code(tname);
    out->kind = EXP_BITS;
    switch (out->type) {
    case WELF_TYPE_I32:
    case WELF_TYPE_I64:
    case WELF_TYPE_F32:
    case WELF_TYPE_F64: {
        bool is_float =
            out->type == WELF_TYPE_F32 || out->type == WELF_TYPE_F64;
        if (is_float && text && strcmp(text, "nan:canonical") == 0) {
            out->kind = EXP_NAN_CANONICAL;
            return true;
        }
        if (is_float && text && strcmp(text, "nan:arithmetic") == 0) {
            out->kind = EXP_NAN_ARITHMETIC;
            return true;
        }
        bool wide = out->type == WELF_TYPE_I64 || out->type == WELF_TYPE_F64;
        if (parse_u64(text, wide ? UINT64_MAX : UINT32_MAX, &out->bits))
            return true;
        break;
    }
    case WELF_TYPE_FUNCREF:
    case WELF_TYPE_EXTERNREF:
        if (text && strcmp(text, "null") == 0) {
            out->kind = EXP_NULL;
            return true;
        }
        if (out->type == WELF_TYPE_FUNCREF && text) {
            out->kind = EXP_NON_NULL;
            return true;
        }
        out->kind = EXP_EXTERN;
        if (parse_u64(text, UINTPTR_MAX - 1, &out->bits)) {
            out->bits = (uint64_t)(uintptr_t)extern_of(out->bits);
            return true;
        }
        break;
    case WELF_TYPE_V128:
        return parse_v128_expected(e, out, why);
    default:
        *why = format("cannot expect a result of type %s",
                      tname ? tname : "(none)");
        return false;
    }
    *why = format("bad expected %s value \"%s\"", tname,
                  text ? text : "(none)");
    return false;
}

/* "v128 f32x4 0x3f800000 nan:canonical ...". */
static void describe_v128_expected(const expected *e, char *buf, size_t size)
{
    lane_type t = e->lanes;
    int len = snprintf(buf, size, "v128 %sx%u", lane_names[t], lane_count(t));
    for (unsigned i = 0; i < lane_count(t) && len >= 0 && (size_t)len < size;
         i++) {
        switch (e->lane_kind[i]) {
        case EXP_NAN_CANONICAL:
            len += snprintf(buf + len, size - (size_t)len, " nan:canonical");
            break;
        case EXP_NAN_ARITHMETIC:
            len += snprintf(buf + len, size - (size_t)len, " nan:arithmetic");
            break;
        default:
            len += snprintf(buf + len, size - (size_t)len, " 0x%0*" PRIx64,
                            (int)lane_bytes(t) * 2, e->lane_bits[i]);
            break;
        }
    }
}

static void describe_expected(const expected *e, char *buf, size_t size)
{
    welf_val v;
    memset(&v, 0, sizeof v);
    v.type = e->type;
    if (e->type == WELF_TYPE_V128) {
        describe_v128_expected(e, buf, size);
        return;
    }
    switch (e->kind) {
    case EXP_BITS:
        if (e->type == WELF_TYPE_I32 || e->type == WELF_TYPE_F32) {
            uint32_t b = (uint32_t)e->bits;
            memcpy(&v.of.i32, &b, sizeof b);
        } else {
            memcpy(&v.of.i64, &e->bits, sizeof e->bits);
        }
        describe_val(&v, buf, size);
        return;
    case EXP_NAN_CANONICAL:
        snprintf(buf, size, "%s nan:canonical", type_name(e->type));
        return;
    case EXP_NAN_ARITHMETIC:
        snprintf(buf, size, "%s nan:arithmetic", type_name(e->type));
        return;
    case EXP_NULL:
        snprintf(buf, size, "%s null", type_name(e->type));
        return;
    case EXP_NON_NULL:
        snprintf(buf, size, "%s non-null", type_name(e->type));
        return;
    case EXP_EXTERN:
        v.of.extern_ref = (void *)(uintptr_t)e->bits;
        describe_val(&v, buf, size);
        return;
    }
}

static bool match_float(exp_kind kind, uint64_t bits, uint64_t expect,
                        uint64_t sign, uint64_t exponent, uint64_t quiet)
{
    bool nan = (bits & exponent) == exponent && (bits & ~(sign | exponent));
    switch (kind) {
    case EXP_BITS:
        return bits == expect;
    case EXP_NAN_CANONICAL:
        return (bits & ~sign) == (exponent | quiet);
    case EXP_NAN_ARITHMETIC:
        return nan && (bits & quiet);
    default:
        return false;
    }
}

/* Lane by lane; float lanes may expect a NaN of a kind. */
static bool match_v128(const expected *e, const uint8_t *v128)
{
    lane_type t = e->lanes;
    for (unsigned i = 0; i < lane_count(t); i++) {
        uint64_t bits = get_lane(v128, t, i);
        bool ok;
        if (t == LANE_F32)
            ok = match_float(e->lane_kind[i], bits, e->lane_bits[i],
                             0x80000000u, 0x7f800000u, 0x00400000u);
        else if (t == LANE_F64)
            ok = match_float(e->lane_kind[i], bits, e->lane_bits[i],
                             UINT64_C(0x8000000000000000),
                             UINT64_C(0x7ff0000000000000),
                             UINT64_C(0x0008000000000000));
        else
            ok = e->lane_kind[i] == EXP_BITS && bits == e->lane_bits[i];
        if (!ok)
            return false;
    }
    return true;
}

static bool match_expected(const expected *e, const welf_val *got)
{
    if (got->type != e->type)
        return false;
    switch (e->type) {
    case WELF_TYPE_V128:
        return match_v128(e, got->of.v128);
    case WELF_TYPE_I32:
        return e->kind == EXP_BITS && (uint32_t)got->of.i32 == e->bits;
    case WELF_TYPE_I64:
        return e->kind == EXP_BITS && (uint64_t)got->of.i64 == e->bits;
    case WELF_TYPE_F32:
        return match_float(e->kind, f32_bits(got->of.f32), e->bits,
                           0x80000000u, 0x7f800000u, 0x00400000u);
    case WELF_TYPE_F64:
        return match_float(e->kind, f64_bits(got->of.f64), e->bits,
                           UINT64_C(0x8000000000000000),
                           UINT64_C(0x7ff0000000000000),
                           UINT64_C(0x0008000000000000));
    case WELF_TYPE_FUNCREF:
        return e->kind == EXP_NULL ? got->of.func == NULL
                                   : got->of.func != NULL;
    case WELF_TYPE_EXTERNREF:
        if (e->kind == EXP_NULL)
            return got->of.extern_ref == NULL;
        return (uintptr_t)got->of.extern_ref == (uintptr_t)e->bits;
    default:
        return false;
    }
}

/* Appends "a, b, c" descriptions of values to sb. */
static void describe_vals(strbuf *sb, const welf_val *vals, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char one[200];
        describe_val(&vals[i], one, sizeof one);
        if (i)
            sb_append(sb, ", ", 2);
        sb_append(sb, one, strlen(one));
    }
    if (count == 0)
        sb_append(sb, "nothing", 7);
}

/* ------------------------------------------------------------------ */
/* The spectest module                                                 */

static welf_val raw_to_val(uint8_t type, const welf_val_raw *raw)
{
    welf_val v;
    memset(&v, 0, sizeof v);
    v.type = type;
    switch (type) {
    case WELF_TYPE_I32:
        v.of.i32 = raw->i32;
        break;
    case WELF_TYPE_I64:
        v.of.i64 = raw->i64;
        break;
    case WELF_TYPE_F32:
        memcpy(&v.of.f32, &raw->f32, sizeof v.of.f32);
        break;
    case WELF_TYPE_F64:
        memcpy(&v.of.f64, &raw->f64, sizeof v.of.f64);
        break;
    default:
        break;
    }
    return v;
}

/* All the spectest print functions: print nothing, or the call with -v. */
static void spectest_print(welf_host *self, welf_caller *caller,
                           welf_val_raw *args, size_t len)
{
    (void)caller;
    (void)len;
    const spectest_host *h = self->data;
    const spectest_item *it = &spectest_items[h->item];
    if (!h->job->opts->verbose)
        return;
    welf_val vals[2];
    for (int i = 0; i < it->param_count; i++)
        vals[i] = raw_to_val(it->params[i], &args[i]);
    strbuf sb = {0};
    describe_vals(&sb, vals, it->param_count);
    sb_line(h->job->out, "%s: spectest.%s: %s", h->job->wast, it->name,
            sb.data);
    sb_free(&sb);
}

static welf_val spectest_global_value(uint8_t type)
{
    welf_val v;
    memset(&v, 0, sizeof v);
    v.type = type;
    switch (type) {
    case WELF_TYPE_I32:
        v.of.i32 = 666;
        break;
    case WELF_TYPE_I64:
        v.of.i64 = 666;
        break;
    case WELF_TYPE_F32:
        v.of.f32 = 666.6f;
        break;
    case WELF_TYPE_F64:
        v.of.f64 = 666.6;
        break;
    default:
        break;
    }
    return v;
}

/* Makes the spectest externals in the script's engine (once). */
static bool make_spectest(file_job *job, char **why)
{
    script *sc = job->sc;
    for (int i = 0; i < SPECTEST_ITEMS; i++) {
        const spectest_item *it = &spectest_items[i];
        welf_extern *ext = &sc->spectest[i];
        welf_error err;
        clear_error(&err);
        welf_status st = WELF_ERR_USAGE;
        ext->kind = it->kind;
        switch (it->kind) {
        case WELF_EXTERN_FUNC: {
            sc->hosts[i] = (spectest_host){job, i};
            welf_functype_info type = {.param_count = it->param_count,
                                       .params = it->params};
            st = welf_func_new_host(sc->engine, &type, spectest_print,
                                    &sc->hosts[i], &ext->u.func, &err);
            break;
        }
        case WELF_EXTERN_GLOBAL:
            st = welf_global_new(sc->engine, spectest_global_value(it->type),
                                 false, &ext->u.global, &err);
            break;
        case WELF_EXTERN_TABLE:
            st = welf_table_new(sc->engine, it->type,
                                (welf_limits_info){10, 20, true},
                                &ext->u.table, &err);
            break;
        case WELF_EXTERN_MEMORY:
            st = welf_memory_new(sc->engine, (welf_limits_info){1, 2, true},
                                 &ext->u.memory, &err);
            break;
        }
        if (st != WELF_OK) {
            settle_error(&err, st);
            char desc[600];
            describe_error(&err, desc, sizeof desc);
            *why = format("cannot make spectest.%s: %s", it->name, desc);
            return false;
        }
    }
    sc->spectest_made = true;
    return true;
}

/* ------------------------------------------------------------------ */
/* Instantiation                                                       */

/* A module file that decoded and validated, kept for compiling. */
typedef struct accepted {
    welf_wasm *wasm;
    uint8_t *bytes;
    size_t size;
} accepted;

static void accepted_free(accepted *a)
{
    welf_wasm_free(a->wasm);
    if (a->bytes)
        welf_free(a->bytes);
    memset(a, 0, sizeof *a);
}

typedef enum inst_result {
    INST_OK,
    INST_SKIP,       /* unavailable: welf cannot compile it yet, or it
                        imports from an unavailable module */
    INST_BROKEN,     /* compiling or loading failed, or an import comes
                        from a module that failed */
    INST_UNRESOLVED, /* an import names an unknown module or export */
    INST_REJECTED    /* welf_instance_new failed: see err */
} inst_result;

typedef struct inst_outcome {
    inst_result result;
    welf_instance *inst; /* INST_OK */
    welf_error err;      /* INST_REJECTED */
    skip_kind skip;      /* INST_SKIP */
    char *why;           /* all but INST_OK: malloc'd */
} inst_outcome;

/* SIMD or something else? The compiler names SIMD in its message. */
static skip_kind unsupported_kind(const welf_error *err, const accepted *m)
{
    if (strstr(err->message, "SIMD") || strstr(err->message, "v128"))
        return SKIP_SIMD;
    if (err->offset != WELF_NO_OFFSET && err->offset < m->size &&
        m->bytes[err->offset] == 0xfd)
        return SKIP_SIMD;
    return SKIP_UNSUPPORTED;
}

/* Finds what satisfies an import: INST_OK and *ext, or why not. */
static inst_result resolve_import(file_job *job, const welf_import_info *imp,
                                  welf_extern *ext, skip_kind *skip,
                                  char **why)
{
    script *sc = job->sc;
    char *mname = quote_name(imp->module, imp->module_len);
    char *fname = quote_name(imp->name, imp->name_len);
    inst_result r = INST_OK;
    mod_rec *m = map_get(&sc->registry, imp->module, imp->module_len);
    if (m) {
        welf_error err;
        clear_error(&err);
        switch (m->state) {
        case MOD_READY: {
            welf_status st = welf_instance_export(m->inst, imp->name,
                                                  imp->name_len, ext, &err);
            if (st != WELF_OK) {
                settle_error(&err, st);
                r = INST_UNRESOLVED;
                *why = format("unknown import %s %s: %s", mname, fname,
                              err.message);
            }
            break;
        }
        case MOD_UNAVAILABLE:
            r = INST_SKIP;
            *skip = m->skip;
            *why = format("imports %s %s from the module of line %ld, "
                          "which is unavailable (%s)",
                          mname, fname, m->line, m->why);
            break;
        case MOD_FAILED:
            r = INST_BROKEN;
            *why = format("imports %s %s from the module of line %ld, "
                          "which failed",
                          mname, fname, m->line);
            break;
        }
    } else if (imp->module_len == 8 &&
               memcmp(imp->module, "spectest", 8) == 0) {
        if (!sc->spectest_made && !make_spectest(job, why)) {
            r = INST_BROKEN;
        } else {
            int found = -1;
            for (int i = 0; i < SPECTEST_ITEMS && found < 0; i++) {
                const char *n = spectest_items[i].name;
                if (strlen(n) == imp->name_len &&
                    memcmp(n, imp->name, imp->name_len) == 0)
                    found = i;
            }
            if (found < 0) {
                r = INST_UNRESOLVED;
                *why = format("unknown import %s %s: spectest has no such "
                              "item",
                              mname, fname);
            } else {
                *ext = sc->spectest[found];
            }
        }
    } else {
        r = INST_UNRESOLVED;
        *why = format("unknown import %s %s: no module %s is registered",
                      mname, fname, mname);
    }
    free(mname);
    free(fname);
    return r;
}

/* Compiles, loads, links and instantiates an accepted module. */
static void instantiate(file_job *job, const accepted *m, inst_outcome *o)
{
    script *sc = job->sc;
    char desc[600];
    memset(o, 0, sizeof *o);
    clear_error(&o->err);
    if (!sc->engine) {
        o->result = INST_BROKEN;
        o->why = format("%s", sc->engine_why);
        return;
    }

    welf_compile_options co;
    welf_compile_options_init(&co);
    co.opt_level = job->opts->opt_level;
    uint8_t *object = NULL;
    size_t object_size = 0;
    uint64_t start = now_ns();
    welf_status st =
        welf_compile(m->wasm, &co, &object, &object_size, &o->err);
    job->counts->compile_nanos += now_ns() - start;
    job->counts->compiled++;
    if (st != WELF_OK) {
        settle_error(&o->err, st);
        describe_error(&o->err, desc, sizeof desc);
        if (object)
            welf_free(object);
        if (o->err.code == WELF_ERR_UNSUPPORTED) {
            o->result = INST_SKIP;
            o->skip = unsupported_kind(&o->err, m);
            o->why = format("compilation: %s", desc);
        } else {
            o->result = INST_BROKEN;
            o->why = format("compilation failed: %s", desc);
        }
        return;
    }

    welf_module *mod = NULL;
    clear_error(&o->err);
    st = welf_module_load_memory(sc->engine, object, object_size, &mod,
                                 &o->err);
    welf_free(object);
    if (st != WELF_OK) {
        settle_error(&o->err, st);
        describe_error(&o->err, desc, sizeof desc);
        o->result = INST_BROKEN;
        o->why = format("loading the object failed: %s", desc);
        return;
    }

    uint32_t n = welf_module_import_count(mod);
    welf_extern *imports = xrealloc(NULL, sizeof *imports * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        welf_import_info info;
        memset(&info, 0, sizeof info);
        welf_module_import(mod, i, &info);
        inst_result r =
            resolve_import(job, &info, &imports[i], &o->skip, &o->why);
        if (r != INST_OK) {
            o->result = r;
            free(imports);
            return;
        }
    }
    clear_error(&o->err);
    st = welf_instance_new(mod, imports, n, &o->inst, &o->err);
    free(imports);
    if (st != WELF_OK) {
        settle_error(&o->err, st);
        describe_error(&o->err, desc, sizeof desc);
        o->inst = NULL;
        o->result = INST_REJECTED;
        o->why = format("instantiation failed: %s", desc);
        return;
    }
    o->result = INST_OK;
}

/* ------------------------------------------------------------------ */
/* Judging module commands                                             */

typedef enum expectation {
    EXPECT_VALID,         /* module: decodes, validates, instantiates */
    EXPECT_MALFORMED,     /* assert_malformed */
    EXPECT_INVALID,       /* assert_invalid */
    EXPECT_UNLINKABLE,    /* assert_unlinkable */
    EXPECT_UNINSTANTIABLE /* assert_uninstantiable */
} expectation;

/* Reads, decodes and validates one module file, timing the welf calls.
 * With keep, an accepted module is handed over instead of freed. */
static stage check_module(file_job *job, const char *path, welf_error *err,
                          accepted *keep)
{
    clear_error(err);
    uint8_t *bytes = NULL;
    size_t size = 0;
    welf_status st = welf_file_read(path, &bytes, &size, err);
    if (st != WELF_OK) {
        settle_error(err, st);
        if (bytes)
            welf_free(bytes);
        return STAGE_READ;
    }

    welf_wasm *module = NULL;
    uint64_t start = now_ns();
    st = welf_wasm_decode(bytes, size, job->features, &module, err);
    stage result = STAGE_DECODE;
    if (st == WELF_OK) {
        st = welf_wasm_validate(module, err);
        result = st == WELF_OK ? STAGE_ACCEPTED : STAGE_VALIDATE;
    }
    job->counts->nanos += now_ns() - start;
    job->counts->modules++;

    if (st != WELF_OK)
        settle_error(err, st);
    if (keep && result == STAGE_ACCEPTED) {
        keep->wasm = module;
        keep->bytes = bytes;
        keep->size = size;
        return result;
    }
    welf_wasm_free(module);
    if (bytes)
        welf_free(bytes);
    return result;
}

static void expect_malformed(file_job *job, long line, const char *type,
                             stage s, const welf_error *err,
                             const char *why, const char *text)
{
    if (s == STAGE_ACCEPTED) {
        fail_cmd(job, line, type,
                 "module was accepted, expected malformed (\"%s\")", text);
        return;
    }
    welf_status_class c = welf_status_classify(err->code);
    if (c == WELF_CLASS_MALFORMED)
        pass_cmd(job, line, type);
    else
        fail_cmd(job, line, type,
                 "%s rejected it as %s, expected malformed (\"%s\"): %s",
                 stage_name(s), class_name(c), text, why);
}

static void expect_invalid(file_job *job, long line, const char *type,
                           stage s, const welf_error *err, const char *why,
                           const char *text)
{
    if (s == STAGE_ACCEPTED) {
        fail_cmd(job, line, type,
                 "module was accepted, expected invalid (\"%s\")", text);
        return;
    }
    if (s != STAGE_VALIDATE) {
        fail_cmd(job, line, type,
                 "%s failed, expected it to decode and then be invalid "
                 "(\"%s\"): %s",
                 stage_name(s), text, why);
        return;
    }
    welf_status_class c = welf_status_classify(err->code);
    if (c == WELF_CLASS_INVALID)
        pass_cmd(job, line, type);
    else
        fail_cmd(job, line, type,
                 "validation rejected it as %s, expected invalid (\"%s\"): "
                 "%s",
                 class_name(c), text, why);
}

/* Makes rec the current module, and names it if the command does. */
static void set_current(file_job *job, const cJSON *cmd, mod_rec *rec)
{
    script *sc = job->sc;
    sc->current = rec;
    const char *name = string_field(cmd, "name");
    if (name) {
        size_t len;
        char *bytes = json_name(sc, name, &len);
        map_put(&sc->named, bytes, len, rec);
    }
}

/* A module command whose module went through decoding and validation. */
static void module_command(file_job *job, const cJSON *cmd, long line,
                           const char *type, stage s, const char *why,
                           const accepted *m)
{
    script *sc = job->sc;
    mod_rec *rec;
    if (s != STAGE_ACCEPTED) {
        rec = new_rec(sc, MOD_FAILED, line,
                      format("%s failed: %s", stage_name(s), why));
        fail_cmd(job, line, type, "%s", rec->why);
        set_current(job, cmd, rec);
        return;
    }
    inst_outcome o;
    instantiate(job, m, &o);
    switch (o.result) {
    case INST_OK:
        rec = new_rec(sc, MOD_READY, line, NULL);
        rec->inst = o.inst;
        pass_cmd(job, line, type);
        break;
    case INST_SKIP:
        rec = new_rec(sc, MOD_UNAVAILABLE, line, o.why);
        rec->skip = o.skip;
        skip_cmd(job, line, type, o.skip, "%s", o.why);
        break;
    default:
        rec = new_rec(sc, MOD_FAILED, line, o.why);
        fail_cmd(job, line, type, "%s", o.why);
        break;
    }
    set_current(job, cmd, rec);
}

/* assert_unlinkable and assert_uninstantiable. */
static void link_command(file_job *job, long line, const char *type,
                         expectation expect, stage s, const char *why,
                         const accepted *m, const char *text)
{
    if (s != STAGE_ACCEPTED) {
        fail_cmd(job, line, type, "%s failed: %s", stage_name(s), why);
        return;
    }
    bool unlinkable = expect == EXPECT_UNLINKABLE;
    const char *wanted = unlinkable ? "a link error" : "a trap";
    inst_outcome o;
    instantiate(job, m, &o);
    switch (o.result) {
    case INST_OK:
        fail_cmd(job, line, type,
                 "instantiation succeeded, expected %s (\"%s\")", wanted,
                 text);
        break;
    case INST_SKIP:
        skip_cmd(job, line, type, o.skip, "%s", o.why);
        break;
    case INST_BROKEN:
        fail_cmd(job, line, type, "%s", o.why);
        break;
    case INST_UNRESOLVED:
        if (unlinkable)
            pass_cmd(job, line, type);
        else
            fail_cmd(job, line, type, "expected %s (\"%s\"), but %s", wanted,
                     text, o.why);
        break;
    case INST_REJECTED:
        if (unlinkable ? o.err.code == WELF_ERR_LINK
                       : o.err.code == WELF_ERR_TRAP &&
                             starts_with(o.err.message, text))
            pass_cmd(job, line, type);
        else
            fail_cmd(job, line, type, "expected %s (\"%s\"), but %s", wanted,
                     text, o.why);
        break;
    }
    free(o.why);
}

typedef enum module_kind { MODULE_BINARY, MODULE_TEXT, MODULE_BAD } module_kind;

/*
 * Decides whether a command's module is binary. Counts the command when
 * there is nothing to decode: a text module (not applicable) or a bad
 * module_type (failed).
 */
static module_kind binary_module(file_job *job, const cJSON *cmd, long line,
                                 const char *type, expectation expect)
{
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cmd, "module_type");
    if (!mt) {
        /* wast2json leaves it out of "module" commands only. */
        if (expect == EXPECT_MALFORMED || expect == EXPECT_INVALID) {
            fail_cmd(job, line, type, "no \"module_type\" in the JSON");
            return MODULE_BAD;
        }
        return MODULE_BINARY;
    }
    if (!cJSON_IsString(mt) || !mt->valuestring) {
        fail_cmd(job, line, type, "\"module_type\" is not a string");
        return MODULE_BAD;
    }
    if (strcmp(mt->valuestring, "text") == 0) {
        job->counts->text++;
        return MODULE_TEXT;
    }
    if (strcmp(mt->valuestring, "binary") != 0) {
        fail_cmd(job, line, type, "unknown module_type \"%s\"",
                 mt->valuestring);
        return MODULE_BAD;
    }
    return MODULE_BINARY;
}

static void judge_module(file_job *job, const cJSON *cmd, long line,
                         const char *type, expectation expect)
{
    script *sc = job->sc;
    bool is_module = expect == EXPECT_VALID;
    module_kind kind = binary_module(job, cmd, line, type, expect);
    if (kind != MODULE_BINARY) {
        /* Later commands need to know what became of the module. */
        if (is_module && kind == MODULE_TEXT) {
            mod_rec *rec = new_rec(sc, MOD_UNAVAILABLE, line,
                                   format("a text-format module"));
            rec->skip = SKIP_TEXT;
            set_current(job, cmd, rec);
        } else if (is_module) {
            set_current(job, cmd,
                        new_rec(sc, MOD_FAILED, line,
                                format("bad module_type in the JSON")));
        }
        return;
    }
    const char *filename = string_field(cmd, "filename");
    if (!filename || !*filename) {
        fail_cmd(job, line, type, "no \"filename\" string in the JSON");
        if (is_module)
            set_current(job, cmd,
                        new_rec(sc, MOD_FAILED, line,
                                format("no filename in the JSON")));
        return;
    }
    const char *text = string_field(cmd, "text");
    if (!text)
        text = "";

    char *path = format("%s/%s", job->dir, filename);
    welf_error err;
    accepted m = {0};
    bool keep = expect == EXPECT_VALID || expect == EXPECT_UNLINKABLE ||
                expect == EXPECT_UNINSTANTIABLE;
    stage s = check_module(job, path, &err, keep ? &m : NULL);
    free(path);

    char why[600] = "";
    if (s != STAGE_ACCEPTED)
        describe_error(&err, why, sizeof why);
    if (s == STAGE_READ && !is_module) {
        fail_cmd(job, line, type, "cannot read %s: %s", filename, why);
        return;
    }
    switch (expect) {
    case EXPECT_VALID:
        module_command(job, cmd, line, type, s, why, &m);
        break;
    case EXPECT_MALFORMED:
        expect_malformed(job, line, type, s, &err, why, text);
        break;
    case EXPECT_INVALID:
        expect_invalid(job, line, type, s, &err, why, text);
        break;
    case EXPECT_UNLINKABLE:
    case EXPECT_UNINSTANTIABLE:
        link_command(job, line, type, expect, s, why, &m, text);
        break;
    }
    accepted_free(&m);
}

/* ------------------------------------------------------------------ */
/* Judging actions                                                     */

typedef enum action_expect {
    ACT_RUN,    /* action: must not trap or fail */
    ACT_RETURN, /* assert_return: these results */
    ACT_TRAP    /* assert_trap, assert_exhaustion: a trap with this text */
} action_expect;

/* What an action did. */
typedef struct action_result {
    welf_status status; /* WELF_OK, or the call's failure in err */
    welf_error err;
    welf_val *results; /* malloc'd */
    size_t count;
} action_result;

/*
 * The instance an action runs in. NULL when the command is already
 * counted: failed (no such module, or it failed) or skipped (it is
 * unavailable).
 */
static mod_rec *action_module(file_job *job, const cJSON *action, long line,
                              const char *type)
{
    script *sc = job->sc;
    const char *name = string_field(action, "module");
    mod_rec *rec = sc->current;
    if (name) {
        size_t len;
        char *bytes = json_name(sc, name, &len);
        rec = map_get(&sc->named, bytes, len);
        free(bytes);
    }
    if (!rec) {
        if (name)
            fail_cmd(job, line, type, "no module named %s", name);
        else
            fail_cmd(job, line, type, "no module has been defined");
        return NULL;
    }
    switch (rec->state) {
    case MOD_READY:
        return rec;
    case MOD_UNAVAILABLE:
        skip_cmd(job, line, type, rec->skip,
                 "the module of line %ld is unavailable (%s)", rec->line,
                 rec->why);
        return NULL;
    case MOD_FAILED:
        fail_cmd(job, line, type, "the module of line %ld failed",
                 rec->line);
        return NULL;
    }
    return NULL;
}

/* Looks up an export of the wanted kind; false and *why if missing. */
static bool find_export(welf_instance *inst, const char *field, size_t len,
                        welf_extern_kind kind, welf_extern *ext, char **why)
{
    welf_error err;
    clear_error(&err);
    welf_status st = welf_instance_export(inst, field, len, ext, &err);
    if (st != WELF_OK) {
        settle_error(&err, st);
        char *q = quote_name(field, len);
        *why = format("no export %s: %s", q, err.message);
        free(q);
        return false;
    }
    if (ext->kind != kind) {
        char *q = quote_name(field, len);
        *why = format("export %s is not a %s", q,
                      kind == WELF_EXTERN_FUNC ? "function" : "global");
        free(q);
        return false;
    }
    return true;
}

/* Calls an exported function. False (and *why) if the call could not be
 * made; otherwise res says how it went. */
static bool invoke(welf_instance *inst, const char *field, size_t len,
                   const cJSON *args, action_result *res, char **why)
{
    welf_extern ext;
    if (!find_export(inst, field, len, WELF_EXTERN_FUNC, &ext, why))
        return false;
    welf_functype_info ft;
    memset(&ft, 0, sizeof ft);
    welf_func_type(ext.u.func, &ft);
    size_t nargs = (size_t)cJSON_GetArraySize(args);
    if (nargs != ft.param_count) {
        *why = format("the script passes %zu arguments, the function takes "
                      "%" PRIu32,
                      nargs, ft.param_count);
        return false;
    }
    welf_val *vals = xrealloc(NULL, sizeof *vals * (nargs ? nargs : 1));
    memset(vals, 0, sizeof *vals * (nargs ? nargs : 1));
    size_t i = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, args)
    {
        if (!parse_arg(a, &vals[i], why)) {
            free(vals);
            return false;
        }
        if (vals[i].type != ft.params[i]) {
            *why = format("argument %zu is %s, the function takes %s", i,
                          type_name(vals[i].type), type_name(ft.params[i]));
            free(vals);
            return false;
        }
        i++;
    }
    res->count = ft.result_count;
    res->results =
        xrealloc(NULL, sizeof *res->results * (res->count ? res->count : 1));
    memset(res->results, 0, sizeof *res->results * res->count);
    clear_error(&res->err);
    res->status = welf_func_call(ext.u.func, vals, nargs, res->results,
                                 res->count, &res->err);
    if (res->status != WELF_OK)
        settle_error(&res->err, res->status);
    free(vals);
    return true;
}

/* Reads an exported global. */
static bool get_global(welf_instance *inst, const char *field, size_t len,
                       action_result *res, char **why)
{
    welf_extern ext;
    if (!find_export(inst, field, len, WELF_EXTERN_GLOBAL, &ext, why))
        return false;
    res->count = 1;
    res->results = xrealloc(NULL, sizeof *res->results);
    res->results[0] = welf_global_get(ext.u.global);
    res->status = WELF_OK;
    return true;
}

/* Runs a command's action; false if it is already counted. */
static bool run_action(file_job *job, const cJSON *cmd, long line,
                       const char *type, action_result *res)
{
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(cmd, "action");
    if (!cJSON_IsObject(action)) {
        fail_cmd(job, line, type, "no \"action\" object in the JSON");
        return false;
    }
    const char *atype = string_field(action, "type");
    const char *field = string_field(action, "field");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(action, "args");
    bool is_invoke = atype && strcmp(atype, "invoke") == 0;
    bool is_get = atype && strcmp(atype, "get") == 0;
    if (!is_invoke && !is_get) {
        fail_cmd(job, line, type, "unknown action type \"%s\"",
                 atype ? atype : "(none)");
        return false;
    }
    if (!field || (is_invoke && args && !cJSON_IsArray(args))) {
        fail_cmd(job, line, type, "malformed action in the JSON");
        return false;
    }
    mod_rec *rec = action_module(job, action, line, type);
    if (!rec)
        return false;

    size_t len;
    char *name = json_name(job->sc, field, &len);
    char *why = NULL;
    bool ok = is_invoke ? invoke(rec->inst, name, len, args, res, &why)
                        : get_global(rec->inst, name, len, res, &why);
    free(name);
    if (!ok) {
        fail_cmd(job, line, type, "%s", why);
        free(why);
    }
    return ok;
}

/* Compares results with the command's "expected" list. */
static void judge_results(file_job *job, const cJSON *cmd, long line,
                          const char *type, const action_result *res)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(cmd, "expected");
    if (!cJSON_IsArray(list)) {
        fail_cmd(job, line, type, "no \"expected\" list in the JSON");
        return;
    }
    size_t count = (size_t)cJSON_GetArraySize(list);
    expected *exp = xrealloc(NULL, sizeof *exp * (count ? count : 1));
    memset(exp, 0, sizeof *exp * (count ? count : 1));
    size_t i = 0;
    const cJSON *e;
    char *why = NULL;
    cJSON_ArrayForEach(e, list)
    {
        if (!parse_expected(e, &exp[i], &why)) {
            fail_cmd(job, line, type, "%s", why);
            free(why);
            free(exp);
            return;
        }
        i++;
    }
    bool ok = count == res->count;
    for (i = 0; ok && i < count; i++)
        ok = match_expected(&exp[i], &res->results[i]);
    if (ok) {
        pass_cmd(job, line, type);
        free(exp);
        return;
    }
    strbuf want = {0}, got = {0};
    for (i = 0; i < count; i++) {
        char one[200];
        describe_expected(&exp[i], one, sizeof one);
        if (i)
            sb_append(&want, ", ", 2);
        sb_append(&want, one, strlen(one));
    }
    if (count == 0)
        sb_append(&want, "nothing", 7);
    /* A v128 result in the lanes of its expectation, when there is one. */
    for (i = 0; i < res->count; i++) {
        char one[200];
        const welf_val *r = &res->results[i];
        if (r->type == WELF_TYPE_V128 && i < count &&
            exp[i].type == WELF_TYPE_V128)
            describe_v128(r->of.v128, exp[i].lanes, one, sizeof one);
        else
            describe_val(r, one, sizeof one);
        if (i)
            sb_append(&got, ", ", 2);
        sb_append(&got, one, strlen(one));
    }
    if (res->count == 0)
        sb_append(&got, "nothing", 7);
    fail_cmd(job, line, type, "expected %s, got %s", want.data, got.data);
    sb_free(&want);
    sb_free(&got);
    free(exp);
}

/* How a call that did not return went: "trapped (\"...\")" or the
 * error. */
static void describe_failure(const action_result *res, char *buf,
                             size_t size)
{
    if (res->status == WELF_ERR_TRAP) {
        snprintf(buf, size, "it trapped (\"%s\")", res->err.message);
    } else {
        char desc[500];
        describe_error(&res->err, desc, sizeof desc);
        snprintf(buf, size, "it failed: %s", desc);
    }
}

static void judge_action(file_job *job, const cJSON *cmd, long line,
                         const char *type, action_expect expect)
{
    action_result res;
    memset(&res, 0, sizeof res);
    if (!run_action(job, cmd, line, type, &res))
        return;
    char how[600] = "";
    if (res.status != WELF_OK)
        describe_failure(&res, how, sizeof how);
    const char *text = string_field(cmd, "text");
    switch (expect) {
    case ACT_RUN:
        if (res.status == WELF_OK)
            pass_cmd(job, line, type);
        else
            fail_cmd(job, line, type, "%s", how);
        break;
    case ACT_RETURN:
        if (res.status == WELF_OK)
            judge_results(job, cmd, line, type, &res);
        else
            fail_cmd(job, line, type, "expected results, but %s", how);
        break;
    case ACT_TRAP:
        if (!text) {
            fail_cmd(job, line, type, "no \"text\" string in the JSON");
        } else if (res.status == WELF_ERR_TRAP &&
                   starts_with(res.err.message, text)) {
            pass_cmd(job, line, type);
        } else if (res.status == WELF_OK) {
            strbuf got = {0};
            describe_vals(&got, res.results, res.count);
            fail_cmd(job, line, type,
                     "expected a trap (\"%s\"), but it returned %s", text,
                     got.data);
            sb_free(&got);
        } else {
            fail_cmd(job, line, type, "expected a trap (\"%s\"), but %s",
                     text, how);
        }
        break;
    }
    free(res.results);
}

static void judge_register(file_job *job, const cJSON *cmd, long line,
                           const char *type)
{
    script *sc = job->sc;
    const char *as = string_field(cmd, "as");
    const char *name = string_field(cmd, "name");
    if (!as) {
        fail_cmd(job, line, type, "no \"as\" string in the JSON");
        return;
    }
    mod_rec *rec = sc->current;
    if (name) {
        size_t len;
        char *bytes = json_name(sc, name, &len);
        rec = map_get(&sc->named, bytes, len);
        free(bytes);
    }
    if (!rec) {
        fail_cmd(job, line, type, "no module %s to register",
                 name ? name : "has been defined");
        return;
    }
    size_t len;
    char *bytes = json_name(sc, as, &len);
    map_put(&sc->registry, bytes, len, rec);
    switch (rec->state) {
    case MOD_READY:
        pass_cmd(job, line, type);
        break;
    case MOD_UNAVAILABLE:
        skip_cmd(job, line, type, rec->skip,
                 "the module of line %ld is unavailable (%s)", rec->line,
                 rec->why);
        break;
    case MOD_FAILED:
        fail_cmd(job, line, type, "the module of line %ld failed",
                 rec->line);
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Judging a script                                                    */

/* In a worker: shared with the parent, the line of the command being
 * judged, so that a crash can be pinned on it. */
static volatile long *progress_line;

/* The command's "line": a non-negative integer. */
static bool get_line(const cJSON *cmd, long *line)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(cmd, "line");
    if (!cJSON_IsNumber(l))
        return false;
    double d = l->valuedouble;
    if (!(d >= 0 && d <= (double)INT_MAX))
        return false;
    *line = (long)d;
    return (double)*line == d;
}

static void judge_command(file_job *job, const cJSON *cmd)
{
    if (!cJSON_IsObject(cmd)) {
        fail_cmd(job, 0, "command", "not a JSON object");
        return;
    }
    long line = 0;
    bool have_line = get_line(cmd, &line);
    const char *type = string_field(cmd, "type");
    if (!type) {
        fail_cmd(job, line, "command", "no \"type\" string in the JSON");
        return;
    }
    if (!have_line) {
        fail_cmd(job, 0, type, "no valid \"line\" number in the JSON");
        return;
    }
    if (progress_line)
        *progress_line = line;

    if (strcmp(type, "module") == 0)
        judge_module(job, cmd, line, type, EXPECT_VALID);
    else if (strcmp(type, "assert_malformed") == 0)
        judge_module(job, cmd, line, type, EXPECT_MALFORMED);
    else if (strcmp(type, "assert_invalid") == 0)
        judge_module(job, cmd, line, type, EXPECT_INVALID);
    else if (strcmp(type, "assert_unlinkable") == 0)
        judge_module(job, cmd, line, type, EXPECT_UNLINKABLE);
    else if (strcmp(type, "assert_uninstantiable") == 0)
        judge_module(job, cmd, line, type, EXPECT_UNINSTANTIABLE);
    else if (strcmp(type, "register") == 0)
        judge_register(job, cmd, line, type);
    else if (strcmp(type, "action") == 0)
        judge_action(job, cmd, line, type, ACT_RUN);
    else if (strcmp(type, "assert_return") == 0)
        judge_action(job, cmd, line, type, ACT_RETURN);
    else if (strcmp(type, "assert_trap") == 0 ||
             strcmp(type, "assert_exhaustion") == 0)
        judge_action(job, cmd, line, type, ACT_TRAP);
    else
        skip_cmd(job, line, type, SKIP_UNKNOWN, "unknown command type");
}

static void judge_json(file_job *job, const char *json_path)
{
    char *text;
    size_t size;
    if (!read_text_file(json_path, &text, &size)) {
        fail_file(job, "json", "cannot read %s: %s", json_path,
                  strerror(errno));
        return;
    }
    script sc;
    script_init(job, &sc);
    protect_nuls(&sc, text, size);
    cJSON *root = cJSON_ParseWithLength(text, size);
    free(text);
    if (!root) {
        fail_file(job, "json", "wast2json's output is not valid JSON");
        script_free(job, &sc);
        return;
    }
    const cJSON *commands = cJSON_GetObjectItemCaseSensitive(root, "commands");
    if (!cJSON_IsArray(commands)) {
        fail_file(job, "json", "no \"commands\" array");
    } else {
        const cJSON *cmd;
        cJSON_ArrayForEach(cmd, commands) judge_command(job, cmd);
    }
    cJSON_Delete(root);
    script_free(job, &sc);
}

/* ------------------------------------------------------------------ */
/* One .wast file                                                      */

/* Converts and judges one file; appends its report and summary to out. */
static void run_file(const options *opts, const char *wast, counts *c,
                     strbuf *out)
{
    memset(c, 0, sizeof *c);
    const proposal *prop = proposal_for(wast);
    file_job job = {
        .opts = opts,
        .wast = wast,
        .dir = make_temp_dir(opts->tmp_root ? opts->tmp_root : temp_base(),
                             "wast"),
        .features = prop ? prop->feature : WELF_FEATURES_WASM2,
        .counts = c,
        .out = out,
    };
    if (!job.dir) {
        fail_file(&job, "error", "cannot create a temporary directory: %s",
                  strerror(errno));
        append_summary(out, wast, c);
        return;
    }

    char *json_path = format("%s/x.json", job.dir);
    char *err_path = format("%s/wast2json.stderr", job.dir);
    char *why = NULL;
    if (run_wast2json(&job, prop ? prop->flag : NULL, json_path, err_path,
                      &why))
        judge_json(&job, json_path);
    else
        fail_file(&job, "wast2json", "%s", why);
    free(why);
    free(json_path);
    free(err_path);

    if (!remove_tree(job.dir))
        fail_file(&job, "error", "cannot remove %s: %s", job.dir,
                  strerror(errno));
    free(job.dir);
    append_summary(out, wast, c);
}

/* ------------------------------------------------------------------ */
/* Serial run                                                          */

static void print_result(const strbuf *out)
{
    if (out->len)
        fwrite(out->data, 1, out->len, stdout);
    fflush(stdout);
}

static void run_serial(const options *opts, counts *totals)
{
    for (int i = 0; i < opts->nfiles; i++) {
        counts c;
        strbuf out = {0};
        run_file(opts, opts->files[i], &c, &out);
        print_result(&out);
        counts_add(totals, &c);
        sb_free(&out);
    }
}

/* ------------------------------------------------------------------ */
/* Parallel run: worker processes, results printed in order            */

/*
 * Protocol on each worker's socket: the parent sends a file index
 * (uint32_t); the worker answers with a wire_header and then out_len
 * bytes of report text. The parent shuts down its sending side when there
 * is no more work; the worker then exits.
 */
typedef struct wire_header {
    uint32_t file;
    uint32_t reserved;
    counts counts;
    uint64_t out_len;
} wire_header;

#define MAX_REPORT_BYTES ((uint64_t)1 << 30)

typedef struct worker {
    pid_t pid; /* 0 when not running */
    int fd;    /* parent's end of the socket, -1 when closed */
    long task; /* file in progress, or -1 */
    volatile long *progress; /* shared: the line the worker is at */
} worker;

typedef struct file_result {
    counts counts;
    strbuf out;
    bool done;
} file_result;

typedef struct scheduler {
    const options *opts;
    worker *workers;
    int nworkers;
    file_result *results;
    int next_task;  /* next file to hand out */
    int next_print; /* next file to print */
    counts totals;
    bool trouble; /* a worker misbehaved */
} scheduler;

/* The worker's loop: judge files until the parent stops sending. A file
 * that takes longer than the timeout ends the worker with SIGALRM. */
static int worker_main(const options *opts, int fd)
{
    for (;;) {
        uint32_t file;
        size_t n = read_full(fd, &file, sizeof file);
        if (n == 0)
            return 0;
        if (n != sizeof file || file >= (uint32_t)opts->nfiles)
            return 1;
        wire_header h;
        memset(&h, 0, sizeof h);
        strbuf out = {0};
        if (progress_line)
            *progress_line = 0;
        alarm(opts->timeout);
        run_file(opts, opts->files[file], &h.counts, &out);
        alarm(0);
        h.file = file;
        h.out_len = out.len;
        bool ok = write_full(fd, &h, sizeof h) &&
                  (out.len == 0 || write_full(fd, out.data, out.len));
        sb_free(&out);
        if (!ok)
            return 1;
    }
}

/* Starts a worker in slot w; false if it could not be started. */
static bool spawn_worker(scheduler *s, worker *w)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return false;
    }
    if (pid == 0) {
        for (int i = 0; i < s->nworkers; i++) {
            if (s->workers[i].fd >= 0)
                close(s->workers[i].fd);
        }
        close(sv[0]);
        progress_line = w->progress;
        int rc = worker_main(s->opts, sv[1]);
        close(sv[1]);
        exit(rc);
    }
    close(sv[1]);
    w->pid = pid;
    w->fd = sv[0];
    w->task = -1;
    return true;
}

/* Closes a worker's socket and waits for it; returns its wait status. */
static int retire_worker(worker *w, bool force)
{
    int status = 0;
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    if (w->pid > 0) {
        if (force)
            kill(w->pid, SIGKILL);
        while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    w->pid = 0;
    w->task = -1;
    return status;
}

/* Sends the worker the next file, or tells it there is no more work. */
static void assign_next(scheduler *s, worker *w)
{
    w->task = -1;
    if (s->next_task >= s->opts->nfiles) {
        shutdown(w->fd, SHUT_WR);
        return;
    }
    uint32_t file = (uint32_t)s->next_task;
    if (send(w->fd, &file, sizeof file, MSG_NOSIGNAL) != (ssize_t)sizeof file) {
        /* The worker is gone; the file stays queued. */
        int status = retire_worker(w, true);
        char *how = describe_exit(status);
        fprintf(stderr, "welf-spectest: a worker process %s\n", how);
        free(how);
        s->trouble = true;
        return;
    }
    s->next_task++;
    w->task = file;
}

/* Records a file whose worker died while judging it, at line `line` (0:
 * before its first command). */
static void record_lost_file(scheduler *s, long file, int status, long line)
{
    file_result *r = &s->results[file];
    const char *wast = s->opts->files[file];
    char *how;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        how = format("timed out after %u s", s->opts->timeout);
    else
        how = describe_exit(status);
    memset(&r->counts, 0, sizeof r->counts);
    r->counts.failed = 1;
    if (line > 0)
        sb_line(&r->out,
                "%s:%ld: error: the worker process judging the file %s "
                "while at this command; its other results are lost",
                wast, line, how);
    else
        sb_line(&r->out, "%s: error: the worker process judging it %s",
                wast, how);
    append_summary(&r->out, wast, &r->counts);
    r->done = true;
    free(how);
}

/* Reads one result from a worker; false if the worker died or lied. */
static bool receive_result(scheduler *s, worker *w)
{
    wire_header h;
    if (read_full(w->fd, &h, sizeof h) != sizeof h)
        return false;
    if ((long)h.file != w->task || h.out_len > MAX_REPORT_BYTES)
        return false;
    file_result *r = &s->results[h.file];
    strbuf out = {0};
    if (h.out_len > 0) {
        out.cap = (size_t)h.out_len + 1;
        out.data = xrealloc(NULL, out.cap);
        if (read_full(w->fd, out.data, (size_t)h.out_len) != h.out_len) {
            sb_free(&out);
            return false;
        }
        out.len = (size_t)h.out_len;
        out.data[out.len] = '\0';
    }
    r->counts = h.counts;
    r->out = out;
    r->done = true;
    return true;
}

static void handle_worker(scheduler *s, worker *w)
{
    if (receive_result(s, w)) {
        assign_next(s, w);
        return;
    }
    long file = w->task;
    long line = w->progress ? *w->progress : 0;
    int status = retire_worker(w, true);
    record_lost_file(s, file, status, line);
    if (s->next_task < s->opts->nfiles && spawn_worker(s, w))
        assign_next(s, w);
}

static void print_ready(scheduler *s)
{
    while (s->next_print < s->opts->nfiles &&
           s->results[s->next_print].done) {
        file_result *r = &s->results[s->next_print];
        print_result(&r->out);
        counts_add(&s->totals, &r->counts);
        sb_free(&r->out);
        s->next_print++;
    }
}

/* With no worker busy, the parent judges the next file itself. */
static void run_one_here(scheduler *s)
{
    int file = s->next_task++;
    file_result *r = &s->results[file];
    run_file(s->opts, s->opts->files[file], &r->counts, &r->out);
    r->done = true;
}

/* Waits for results from busy workers and handles them. */
static void poll_workers(scheduler *s, struct pollfd *fds, int *slot_of)
{
    int n = 0;
    for (int i = 0; i < s->nworkers; i++) {
        if (s->workers[i].task >= 0) {
            fds[n].fd = s->workers[i].fd;
            fds[n].events = POLLIN;
            fds[n].revents = 0;
            slot_of[n++] = i;
        }
    }
    if (n == 0) {
        run_one_here(s);
        return;
    }
    if (poll(fds, (nfds_t)n, -1) < 0) {
        if (errno == EINTR)
            return;
        perror("welf-spectest: poll");
        exit(1);
    }
    for (int k = 0; k < n; k++) {
        if (fds[k].revents)
            handle_worker(s, &s->workers[slot_of[k]]);
    }
}

static void reap_workers(scheduler *s)
{
    for (int i = 0; i < s->nworkers; i++) {
        worker *w = &s->workers[i];
        if (w->pid <= 0)
            continue;
        int status = retire_worker(w, false);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char *how = describe_exit(status);
            fprintf(stderr, "welf-spectest: a worker process %s\n", how);
            free(how);
            s->trouble = true;
        }
    }
}

/* Returns false if a worker misbehaved (beyond the failures counted). */
static bool run_parallel(const options *opts, int nworkers, counts *totals)
{
    scheduler s = {
        .opts = opts,
        .workers = xrealloc(NULL, sizeof(worker) * (size_t)nworkers),
        .nworkers = 0,
        .results = xrealloc(NULL, sizeof(file_result) * (size_t)opts->nfiles),
    };
    memset(s.results, 0, sizeof(file_result) * (size_t)opts->nfiles);
    /* One shared word per worker slot: where its worker is. */
    size_t progress_size = sizeof(long) * (size_t)nworkers;
    void *progress = mmap(NULL, progress_size, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (progress == MAP_FAILED)
        progress = NULL;
    for (int i = 0; i < nworkers; i++) {
        s.workers[i] = (worker){.pid = 0, .fd = -1, .task = -1};
        s.workers[i].progress = progress ? (long *)progress + i : NULL;
        if (!spawn_worker(&s, &s.workers[i]))
            break;
        s.nworkers++;
    }
    for (int i = 0; i < s.nworkers; i++)
        assign_next(&s, &s.workers[i]);

    struct pollfd *fds = xrealloc(NULL, sizeof *fds * (size_t)nworkers);
    int *slot_of = xrealloc(NULL, sizeof *slot_of * (size_t)nworkers);
    while (s.next_print < opts->nfiles) {
        poll_workers(&s, fds, slot_of);
        print_ready(&s);
    }
    reap_workers(&s);
    if (progress)
        munmap(progress, progress_size);
    free(fds);
    free(slot_of);
    free(s.workers);
    free(s.results);
    counts_add(totals, &s.totals);
    return !s.trouble;
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */

static const char usage_line[] =
    "usage: welf-spectest [-v] [-j N] [-O N] [--time] [--timeout S] "
    "[--wast2json PATH] FILE.wast...\n";

static int usage_error(void)
{
    fputs(usage_line, stderr);
    fputs("Try 'welf-spectest --help' for more information.\n", stderr);
    return 2;
}

static void help(void)
{
    fputs(usage_line, stdout);
    fputs(
        "\n"
        "Converts each spec test script with wast2json and runs it with welf:\n"
        "modules are decoded, validated, compiled, loaded and instantiated\n"
        "(imports come from registered modules and the spectest module);\n"
        "actions are invoked and their results or traps compared. Modules\n"
        "welf cannot compile yet (WELF_ERR_UNSUPPORTED) and the commands that\n"
        "need them are skipped, with the reason counted; text-format modules\n"
        "are not applicable. v128 values are compared lane by lane. Files\n"
        "under proposals/NAME/ get that proposal's feature (tail-call,\n"
        "extended-const, multi-memory).\n"
        "\n"
        "options:\n"
        "  -v, --verbose       also print a line for every passing or skipped\n"
        "                      command, and the spectest print calls\n"
        "  -j, --jobs N        judge N files at once in worker processes\n"
        "                      (default: the number of online CPUs)\n"
        "  -O, --opt-level N   compile at LLVM's -O N, 0..3 (default: 2)\n"
        "  --time              print the time spent decoding and validating,\n"
        "                      and compiling\n"
        "  --timeout S         with workers, give up on a file after S\n"
        "                      seconds (default: 120; 0: never)\n"
        "  --wast2json PATH    the wast2json to run (default: wast2json on\n"
        "                      PATH)\n"
        "  --help              print this help\n"
        "\n"
        "Exit status: 0 if nothing failed, 1 if something failed, 2 on a\n"
        "usage error.\n",
        stdout);
}

/* Parses a decimal number in [min, max]. */
static bool parse_number(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static long default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n;
}

/* Returns -1 to go on, or the exit status to exit with. */
static int parse_options(int argc, char **argv, options *opts)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"verbose", no_argument, NULL, 'v'},
        {"jobs", required_argument, NULL, 'j'},
        {"opt-level", required_argument, NULL, 'O'},
        {"time", no_argument, NULL, 't'},
        {"timeout", required_argument, NULL, 'T'},
        {"wast2json", required_argument, NULL, 'w'},
        {NULL, 0, NULL, 0},
    };
    static char default_wast2json[] = "wast2json";
    *opts = (options){.jobs = default_jobs(),
                      .opt_level = 2,
                      .timeout = 120,
                      .wast2json = default_wast2json};
    int c;
    long v;
    while ((c = getopt_long(argc, argv, "vj:O:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            help();
            return 0;
        case 'v':
            opts->verbose = true;
            break;
        case 'j':
            if (!parse_number(optarg, 1, 4096, &opts->jobs)) {
                fprintf(stderr, "welf-spectest: bad job count '%s'\n",
                        optarg);
                return usage_error();
            }
            break;
        case 'O':
            if (!parse_number(optarg, 0, 3, &v)) {
                fprintf(stderr, "welf-spectest: bad optimization level "
                                "'%s' (0..3)\n",
                        optarg);
                return usage_error();
            }
            opts->opt_level = (int)v;
            break;
        case 't':
            opts->show_time = true;
            break;
        case 'T':
            if (!parse_number(optarg, 0, 86400, &v)) {
                fprintf(stderr, "welf-spectest: bad timeout '%s'\n",
                        optarg);
                return usage_error();
            }
            opts->timeout = (unsigned)v;
            break;
        case 'w':
            opts->wast2json = optarg;
            break;
        default:
            return usage_error();
        }
    }
    opts->files = argv + optind;
    opts->nfiles = argc - optind;
    if (opts->nfiles == 0) {
        fputs("welf-spectest: no .wast files given\n", stderr);
        return usage_error();
    }
    return -1;
}

int main(int argc, char **argv)
{
    options opts;
    int rc = parse_options(argc, argv, &opts);
    if (rc >= 0)
        return rc;

    /* Each file gets its own directory under this one, so that whatever a
     * crashed worker leaves behind is removed at the end. If it cannot be
     * made, each file reports its own failure to make one. */
    opts.tmp_root = make_temp_dir(temp_base(), "welf-spectest");

    counts totals = {0};
    bool ok = true;
    long nworkers = opts.jobs < opts.nfiles ? opts.jobs : opts.nfiles;
    if (nworkers <= 1)
        run_serial(&opts, &totals);
    else
        ok = run_parallel(&opts, (int)nworkers, &totals);

    if (opts.tmp_root && !remove_tree(opts.tmp_root)) {
        fprintf(stderr, "welf-spectest: cannot remove %s: %s\n",
                opts.tmp_root, strerror(errno));
        ok = false;
    }
    free(opts.tmp_root);

    printf("spectest: %" PRIu64 " text-format commands not applicable\n",
           totals.text);
    if (opts.show_time) {
        printf("spectest: decoded and validated %" PRIu64
               " modules in %.3f s\n",
               totals.modules, (double)totals.nanos / 1e9);
        printf("spectest: compiled %" PRIu64 " modules at -O%d in %.3f s\n",
               totals.compiled, opts.opt_level,
               (double)totals.compile_nanos / 1e9);
    }
    if (totals.skipped) {
        char why[200];
        skip_reasons(&totals, why, sizeof why);
        printf("spectest: skipped%s\n", why);
    }
    printf("spectest: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64
           " skipped\n",
           totals.passed, totals.failed, totals.skipped);
    if (fflush(stdout) != 0 || ferror(stdout))
        return 1;
    return totals.failed > 0 || !ok ? 1 : 0;
}
