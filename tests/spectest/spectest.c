/*
 * spectest.c — welf-spectest, the WebAssembly spec test runner.
 *
 * Owns: turning each .wast script into JSON plus module files with
 * wast2json, judging the commands that are about modules (module,
 * assert_malformed, assert_invalid, assert_unlinkable,
 * assert_uninstantiable) with welf's decoder and validator, counting and
 * printing the results, and spreading files over worker processes (-j).
 * Nothing is executed: commands that need a runtime are counted as skipped,
 * and text-format modules are counted as not applicable.
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
    char *wast2json;
    char *tmp_root; /* this run's temporary directory, or NULL */
    char **files;
    int nfiles;
} options;

/* Plain integers only: this struct is sent as raw bytes between
 * processes. */
typedef struct counts {
    uint64_t passed;
    uint64_t failed;
    uint64_t skipped;
    uint64_t text;    /* text-format modules: not applicable */
    uint64_t modules; /* modules handed to welf_module_decode */
    uint64_t nanos;   /* time inside decode + validate */
} counts;

static void counts_add(counts *to, const counts *from)
{
    to->passed += from->passed;
    to->failed += from->failed;
    to->skipped += from->skipped;
    to->text += from->text;
    to->modules += from->modules;
    to->nanos += from->nanos;
}

typedef struct file_job {
    const options *opts;
    const char *wast;       /* the path as given on the command line */
    char *dir;              /* temporary directory for wast2json's output */
    welf_features features;
    counts *counts;
    strbuf *out;
} file_job;

static void append_summary(strbuf *out, const char *wast, const counts *c)
{
    sb_line(out,
            "%s: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64
            " skipped, %" PRIu64 " text (not applicable)",
            wast, c->passed, c->failed, c->skipped, c->text);
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
/* Judging module commands                                             */

typedef enum expectation {
    EXPECT_VALID,          /* module: decodes and validates */
    EXPECT_MALFORMED,      /* assert_malformed */
    EXPECT_INVALID,        /* assert_invalid */
    EXPECT_VALID_THEN_SKIP /* assert_unlinkable/uninstantiable */
} expectation;

/* How far a module got. */
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

/* Makes sure a failed call left a usable error record. */
static void settle_error(welf_error *err, welf_status status)
{
    if (err->code == WELF_OK)
        err->code = status;
    err->message[sizeof err->message - 1] = '\0';
}

/* Reads, decodes and validates one module file, timing the welf calls. */
static stage check_module(file_job *job, const char *path, welf_error *err)
{
    memset(err, 0, sizeof *err);
    uint8_t *bytes = NULL;
    size_t size = 0;
    welf_status st = welf_file_read(path, &bytes, &size, err);
    if (st != WELF_OK) {
        settle_error(err, st);
        if (bytes)
            welf_free(bytes);
        return STAGE_READ;
    }

    welf_module *module = NULL;
    uint64_t start = now_ns();
    st = welf_module_decode(bytes, size, job->features, &module, err);
    stage result = STAGE_DECODE;
    if (st == WELF_OK) {
        st = welf_module_validate(module, err);
        result = st == WELF_OK ? STAGE_ACCEPTED : STAGE_VALIDATE;
    }
    job->counts->nanos += now_ns() - start;
    job->counts->modules++;

    if (st != WELF_OK)
        settle_error(err, st);
    welf_module_free(module);
    if (bytes)
        welf_free(bytes);
    return result;
}

/* "0x1f: error: message [STATUS_NAME]" */
static void describe_error(const welf_error *err, char *buf, size_t size)
{
    char msg[400];
    welf_error_format(err, NULL, msg, sizeof msg);
    const char *name = welf_status_name(err->code);
    snprintf(buf, size, "%s [%s]", msg, name ? name : "unknown status");
}

static void expect_valid(file_job *job, long line, const char *type,
                         stage s, const char *why, bool skip)
{
    if (s != STAGE_ACCEPTED)
        fail_cmd(job, line, type, "%s failed: %s", stage_name(s), why);
    else if (skip)
        job->counts->skipped++;
    else
        pass_cmd(job, line, type);
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

static const char *string_field(const cJSON *obj, const char *name)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(f) ? f->valuestring : NULL;
}

/*
 * Decides whether a command's module is binary. Returns false (and counts
 * the command) when there is nothing to decode: a text module or a bad
 * module_type.
 */
static bool binary_module(file_job *job, const cJSON *cmd, long line,
                          const char *type, expectation expect)
{
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cmd, "module_type");
    if (!mt) {
        /* wast2json leaves it out of "module" commands only. */
        if (expect == EXPECT_MALFORMED || expect == EXPECT_INVALID) {
            fail_cmd(job, line, type, "no \"module_type\" in the JSON");
            return false;
        }
        return true;
    }
    if (!cJSON_IsString(mt) || !mt->valuestring) {
        fail_cmd(job, line, type, "\"module_type\" is not a string");
        return false;
    }
    if (strcmp(mt->valuestring, "text") == 0) {
        job->counts->text++;
        return false;
    }
    if (strcmp(mt->valuestring, "binary") != 0) {
        fail_cmd(job, line, type, "unknown module_type \"%s\"",
                 mt->valuestring);
        return false;
    }
    return true;
}

static void judge_module(file_job *job, const cJSON *cmd, long line,
                         const char *type, expectation expect)
{
    if (!binary_module(job, cmd, line, type, expect))
        return;
    const char *filename = string_field(cmd, "filename");
    if (!filename || !*filename) {
        fail_cmd(job, line, type, "no \"filename\" string in the JSON");
        return;
    }
    const char *text = string_field(cmd, "text");
    if (!text)
        text = "";

    char *path = format("%s/%s", job->dir, filename);
    welf_error err;
    stage s = check_module(job, path, &err);
    free(path);

    char why[600] = "";
    if (s != STAGE_ACCEPTED)
        describe_error(&err, why, sizeof why);
    if (s == STAGE_READ) {
        fail_cmd(job, line, type, "cannot read %s: %s", filename, why);
        return;
    }
    switch (expect) {
    case EXPECT_VALID:
        expect_valid(job, line, type, s, why, false);
        break;
    case EXPECT_VALID_THEN_SKIP:
        expect_valid(job, line, type, s, why, true);
        break;
    case EXPECT_MALFORMED:
        expect_malformed(job, line, type, s, &err, why, text);
        break;
    case EXPECT_INVALID:
        expect_invalid(job, line, type, s, &err, why, text);
        break;
    }
}

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

    if (strcmp(type, "module") == 0)
        judge_module(job, cmd, line, type, EXPECT_VALID);
    else if (strcmp(type, "assert_malformed") == 0)
        judge_module(job, cmd, line, type, EXPECT_MALFORMED);
    else if (strcmp(type, "assert_invalid") == 0)
        judge_module(job, cmd, line, type, EXPECT_INVALID);
    else if (strcmp(type, "assert_unlinkable") == 0 ||
             strcmp(type, "assert_uninstantiable") == 0)
        judge_module(job, cmd, line, type, EXPECT_VALID_THEN_SKIP);
    else
        job->counts->skipped++; /* needs a runtime, or unknown */
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
    cJSON *root = cJSON_ParseWithLength(text, size);
    free(text);
    if (!root) {
        fail_file(job, "json", "wast2json's output is not valid JSON");
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

/* The worker's loop: judge files until the parent stops sending. */
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
        run_file(opts, opts->files[file], &h.counts, &out);
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

/* Records a file whose worker died while judging it. */
static void record_lost_file(scheduler *s, long file, int status)
{
    file_result *r = &s->results[file];
    const char *wast = s->opts->files[file];
    char *how = describe_exit(status);
    memset(&r->counts, 0, sizeof r->counts);
    r->counts.failed = 1;
    sb_line(&r->out, "%s: error: the worker process judging it %s", wast,
            how);
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
    int status = retire_worker(w, true);
    record_lost_file(s, file, status);
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
    for (int i = 0; i < nworkers; i++) {
        s.workers[i] = (worker){.pid = 0, .fd = -1, .task = -1};
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
    "usage: welf-spectest [-v] [-j N] [--time] [--wast2json PATH] "
    "FILE.wast...\n";

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
        "Converts each spec test script with wast2json and checks its module\n"
        "commands (module, assert_malformed, assert_invalid, and the modules\n"
        "of assert_unlinkable/assert_uninstantiable) against welf's decoder\n"
        "and validator. Commands that need a runtime are skipped; text-format\n"
        "modules are not applicable. Files under proposals/NAME/ get that\n"
        "proposal's feature (tail-call, extended-const, multi-memory).\n"
        "\n"
        "options:\n"
        "  -v, --verbose       also print a line for every passing command\n"
        "  -j, --jobs N        judge N files at once in worker processes\n"
        "                      (default: the number of online CPUs)\n"
        "  --time              print the time spent decoding and validating\n"
        "  --wast2json PATH    the wast2json to run (default: wast2json on\n"
        "                      PATH)\n"
        "  --help              print this help\n"
        "\n"
        "Exit status: 0 if nothing failed, 1 if something failed, 2 on a\n"
        "usage error.\n",
        stdout);
}

static bool parse_jobs(const char *text, long *jobs)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 1 || v > 4096)
        return false;
    *jobs = v;
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
        {"time", no_argument, NULL, 't'},
        {"wast2json", required_argument, NULL, 'w'},
        {NULL, 0, NULL, 0},
    };
    static char default_wast2json[] = "wast2json";
    *opts = (options){.jobs = default_jobs(), .wast2json = default_wast2json};
    int c;
    while ((c = getopt_long(argc, argv, "vj:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            help();
            return 0;
        case 'v':
            opts->verbose = true;
            break;
        case 'j':
            if (!parse_jobs(optarg, &opts->jobs)) {
                fprintf(stderr, "welf-spectest: bad job count '%s'\n",
                        optarg);
                return usage_error();
            }
            break;
        case 't':
            opts->show_time = true;
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
    if (opts.show_time)
        printf("spectest: decoded and validated %" PRIu64
               " modules in %.3f s\n",
               totals.modules, (double)totals.nanos / 1e9);
    printf("spectest: %" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64
           " skipped\n",
           totals.passed, totals.failed, totals.skipped);
    if (fflush(stdout) != 0 || ferror(stdout))
        return 1;
    return totals.failed > 0 || !ok ? 1 : 0;
}
