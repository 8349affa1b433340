/*
 * tests/compiler/alloc.c — the library's services in compiler/util.c and
 * compiler/arena.c: the allocation hook (welf_set_allocator) with every
 * allocation of decode + validate made to fail in turn, leak accounting,
 * welf_file_read, welf_error_format, welf_status_classify and
 * welf_features_parse.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "module.h"

/* ---- a hook that counts, and fails the Nth request ---- */

typedef struct hook {
    long requests;      /* allocations and reallocations asked for */
    long fail_at;       /* index of the request to fail, or -1 */
    bool failed;        /* the failure was injected */
    long allocs;        /* successful fresh allocations */
    long frees;
    long live;          /* blocks currently held */
} hook;

static void *hook_alloc(void *user, void *ptr, size_t size)
{
    hook *h = user;
    if (size == 0) {
        if (ptr) {
            h->frees++;
            h->live--;
        }
        free(ptr);
        return NULL;
    }
    long n = h->requests++;
    if (n == h->fail_at) {
        h->failed = true;
        return NULL;
    }
    void *p = realloc(ptr, size);
    if (p && !ptr) {
        h->allocs++;
        h->live++;
    }
    return p;
}

static void restore_allocator(void)
{
    welf_set_allocator(NULL, NULL);
}

static void hook_install(hook *h, long fail_at)
{
    memset(h, 0, sizeof *h);
    h->fail_at = fail_at;
    welf_set_allocator(hook_alloc, h);
}

/* ---- a moderately rich module ---- */

typedef struct wbuf {
    uint8_t b[8192];
    size_t n;
} wbuf;

static void wb_raw(wbuf *w, const void *p, size_t n)
{
    cr_assert_leq(w->n + n, sizeof w->b, "test module too large");
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void wb_byte(wbuf *w, uint8_t b)
{
    wb_raw(w, &b, 1);
}

static void wb_rep(wbuf *w, const char *bytes, size_t len, int times)
{
    for (int i = 0; i < times; i++)
        wb_raw(w, bytes, len);
}

static void wb_leb(wbuf *w, uint32_t v)
{
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        wb_byte(w, (uint8_t)(b | (v ? 0x80 : 0)));
    } while (v);
}

static void wb_section(wbuf *w, uint8_t id, const wbuf *c)
{
    wb_byte(w, id);
    wb_leb(w, (uint32_t)c->n);
    wb_raw(w, c->b, c->n);
}

#define RAW(w, lit) wb_raw((w), (lit), sizeof(lit) - 1)
#define REP(w, lit, k) wb_rep((w), (lit), sizeof(lit) - 1, (k))

static void wb_body(wbuf *code, const wbuf *body)
{
    wb_leb(code, (uint32_t)body->n);
    wb_raw(code, body->b, body->n);
}

/*
 * Imports (a function and a global), four functions, a table, a memory,
 * a global, five exports, a start function, two element segments, a data
 * count, two data segments (one of 3000 bytes, larger than an arena
 * block's half), a name section and another custom section. The bodies
 * nest 70 blocks and push 70 values (past the validator's initial stack
 * sizes) and branch with br_table to a label of 17 results (past its
 * on-stack buffer).
 */
static void rich_module(wbuf *m)
{
    wbuf c;
    m->n = 0;
    RAW(m, "\0asm\1\0\0\0");

    c.n = 0;    /* types: [] -> [], [i32] -> [i32], [] -> [17 x i32] */
    RAW(&c, "\x03" "\x60\x00\x00" "\x60\x01\x7f\x01\x7f" "\x60\x00\x11");
    REP(&c, "\x7f", 17);
    wb_section(m, 1, &c);

    c.n = 0;    /* imports: env.f : type 1, env.g : const i32 */
    RAW(&c, "\x02" "\x03" "env" "\x01" "f" "\x00\x01"
            "\x03" "env" "\x01" "g" "\x03\x7f\x00");
    wb_section(m, 2, &c);

    c.n = 0;    /* functions 1..4 */
    RAW(&c, "\x04\x00\x01\x02\x00");
    wb_section(m, 3, &c);

    c.n = 0;
    RAW(&c, "\x01\x70\x00\x04");
    wb_section(m, 4, &c);

    c.n = 0;
    RAW(&c, "\x01\x01\x01\x02");
    wb_section(m, 5, &c);

    c.n = 0;    /* global 1: mut i32 = global.get 0 */
    RAW(&c, "\x01\x7f\x01\x23\x00\x0b");
    wb_section(m, 6, &c);

    c.n = 0;
    RAW(&c, "\x05"
            "\x05" "start" "\x00\x01"
            "\x02" "f2" "\x00\x02"
            "\x03" "mem" "\x02\x00"
            "\x03" "tbl" "\x01\x00"
            "\x01" "g" "\x03\x01");
    wb_section(m, 7, &c);

    c.n = 0;
    RAW(&c, "\x01");
    wb_section(m, 8, &c);

    c.n = 0;    /* active [1 2 3 4] at 0; declarative (ref.func 4) */
    RAW(&c, "\x02" "\x00\x41\x00\x0b\x04\x01\x02\x03\x04"
            "\x07\x70\x01\xd2\x04\x0b");
    wb_section(m, 9, &c);

    c.n = 0;
    RAW(&c, "\x02");
    wb_section(m, 12, &c);

    wbuf code, body;
    code.n = 0;
    RAW(&code, "\x04");
    /* f1 : [] -> [] */
    body.n = 0;
    RAW(&body, "\x00");
    REP(&body, "\x02\x40", 70);
    REP(&body, "\x41\x00", 70);
    REP(&body, "\x1a", 70);
    REP(&body, "\x0b", 70);
    RAW(&body, "\x0b");
    wb_body(&code, &body);
    /* f2 : [i32] -> [i32], one i64 local */
    body.n = 0;
    RAW(&body, "\x01\x01\x7e"
               "\x20\x00\x10\x00"               /* call env.f */
               "\x41\x04\x20\x00\x36\x02\x00"   /* i32.store */
               "\x41\x04\x28\x02\x00\x6a"       /* i32.load; add */
               "\xfc\x09\x01"                   /* data.drop 1 */
               "\x23\x01\x6a\x0b");             /* + global 1 */
    wb_body(&code, &body);
    /* f3 : [] -> [17 x i32] via br_table to a 17-result block */
    body.n = 0;
    RAW(&body, "\x00\x02\x02");
    REP(&body, "\x41\x00", 17);
    RAW(&body, "\x41\x00\x0e\x01\x00\x00\x0b\x0b");
    wb_body(&code, &body);
    /* f4 : [] -> [] with references and tables */
    body.n = 0;
    RAW(&body, "\x00\xd2\x04\xd1\x1a"           /* ref.func 4; is_null */
               "\xfc\x10\x00\x1a"               /* table.size */
               "\x41\x00\x41\x00\x41\x01\xfc\x0c\x00\x00" /* table.init */
               "\xfc\x0d\x01\x0b");             /* elem.drop 1 */
    wb_body(&code, &body);
    wb_section(m, 10, &code);

    c.n = 0;    /* 3000 bytes at 16, then a passive "xyz" */
    RAW(&c, "\x02" "\x00\x41\x10\x0b\xb8\x17");
    for (int i = 0; i < 3000; i++)
        wb_byte(&c, (uint8_t)i);
    RAW(&c, "\x01\x03" "xyz");
    wb_section(m, 11, &c);

    c.n = 0;    /* name: module "rich", functions 0 and 2 */
    RAW(&c, "\x04" "name"
            "\x00\x05" "\x04" "rich"
            "\x01\x0c" "\x02" "\x00\x04" "envf" "\x02\x03" "two");
    wb_section(m, 0, &c);

    c.n = 0;
    RAW(&c, "\x04" "meta" "\x01\x02\x03");
    wb_section(m, 0, &c);
}

/* Decodes and validates; returns the first failing status. */
static welf_status run(const wbuf *w, welf_error *err, welf_wasm **out)
{
    welf_wasm *m = NULL;
    welf_status st = welf_wasm_decode(w->b, w->n, WELF_FEATURES_ALL, &m,
                                        err);
    if (st == WELF_OK)
        st = welf_wasm_validate(m, err);
    *out = m;
    return st;
}

Test(alloc, rich_module_is_valid, .fini = restore_allocator)
{
    wbuf w;
    rich_module(&w);
    hook h;
    hook_install(&h, -1);
    welf_wasm *m;
    welf_error err;
    welf_status st = run(&w, &err, &m);
    cr_assert_eq(st, WELF_OK, "the test module fails: code %d at 0x%x: %s",
                 (int)st, err.offset, err.message);
    cr_assert_eq(m->func_count, 5);
    cr_assert_eq(m->data_seg_count, 2);
    cr_assert_eq(m->custom_count, 2);
    cr_assert_not_null(m->func_names, "name section not read");
    cr_assert_eq(m->module_name.len, 4);
    cr_assert_gt(h.allocs, 3, "only %ld allocations: the hook is not used",
                 h.allocs);
    welf_wasm_free(m);
    cr_assert_eq(h.live, 0, "%ld blocks leaked (%ld allocated, %ld freed)",
                 h.live, h.allocs, h.frees);
    cr_assert_eq(h.allocs, h.frees);
}

Test(alloc, every_allocation_failure_is_nomem, .fini = restore_allocator)
{
    wbuf w;
    rich_module(&w);
    long n;
    for (n = 0; n < 10000; n++) {
        hook h;
        hook_install(&h, n);
        welf_wasm *m;
        welf_error err;
        welf_status st = run(&w, &err, &m);
        long requests = h.requests;
        bool failed = h.failed;
        welf_wasm_free(m);
        restore_allocator();
        cr_assert_eq(h.live, 0, "failing request %ld: %ld blocks leaked "
                     "(status %d)", n, h.live, (int)st);
        if (!failed) {
            cr_assert_eq(st, WELF_OK, "no failure injected at %ld, yet "
                         "status %d: %s", n, (int)st, err.message);
            cr_assert_leq(requests, n);
            break;
        }
        cr_assert_eq(st, WELF_ERR_NOMEM, "failing request %ld of %ld: "
                     "status %d (%s), expected WELF_ERR_NOMEM", n, requests,
                     (int)st, err.message);
        cr_assert_eq(err.code, WELF_ERR_NOMEM);
        cr_assert_eq(welf_status_classify(st), WELF_CLASS_OTHER);
    }
    cr_assert_lt(n, 10000, "decode + validate never succeeded");
    cr_assert_gt(n, 5, "only %ld allocations: the module is too small to "
                 "test much", n);
}

/*
 * A family of modules that grow by one element index at a time, so that
 * across the family each arena allocation of the decoder, the name
 * section's included, is at some point the one that needs a new block
 * (and so a call of the hook). Every failure must come back as NOMEM: a
 * module must not come back decoded but missing its names.
 */
static size_t elem_module(wbuf *m, uint32_t k)
{
    wbuf c;
    m->n = 0;
    RAW(m, "\0asm\1\0\0\0");
    c.n = 0;
    RAW(&c, "\x01\x60\x00\x00");
    wb_section(m, 1, &c);
    c.n = 0;
    RAW(&c, "\x01\x00");
    wb_section(m, 3, &c);
    c.n = 0;
    RAW(&c, "\x01\x70\x00\x01");
    wb_section(m, 4, &c);
    c.n = 0;    /* one active segment of k references to function 0 */
    RAW(&c, "\x01\x00\x41\x00\x0b");
    wb_leb(&c, k);
    for (uint32_t i = 0; i < k; i++)
        wb_byte(&c, 0);
    wb_section(m, 9, &c);
    c.n = 0;
    RAW(&c, "\x01\x02\x00\x0b");
    wb_section(m, 10, &c);
    c.n = 0;
    RAW(&c, "\x04" "name" "\x01\x04" "\x01" "\x00\x01" "f");
    wb_section(m, 0, &c);
    return m->n;
}

Test(alloc, failures_at_every_arena_boundary, .fini = restore_allocator)
{
    wbuf w;
    for (uint32_t k = 400; k < 1100; k++) {
        elem_module(&w, k);
        for (long n = 0; n < 100; n++) {
            hook h;
            hook_install(&h, n);
            welf_wasm *m = NULL;
            welf_error err;
            welf_status st = welf_wasm_decode(w.b, w.n, WELF_FEATURES_ALL,
                                                &m, &err);
            bool failed = h.failed;
            bool named = m && m->func_names && m->func_names[0].len == 1;
            welf_wasm_free(m);
            restore_allocator();
            cr_assert_eq(h.live, 0, "k %u, failing request %ld: %ld blocks "
                         "leaked", k, n, h.live);
            if (!failed) {
                cr_assert_eq(st, WELF_OK, "k %u: %s", k, err.message);
                cr_assert(named, "k %u: function 0 not named", k);
                break;
            }
            cr_assert_eq(st, WELF_ERR_NOMEM, "k %u: request %ld failed, yet "
                         "status %d%s", k, n, (int)st,
                         st == WELF_OK && !named ?
                             " and the function names are gone" : "");
        }
    }
}

Test(alloc, malformed_and_invalid_modules_do_not_leak,
     .fini = restore_allocator)
{
    wbuf w;
    rich_module(&w);
    /* Truncate the module at every 97th byte: each prefix fails somewhere
     * in decoding; none may leak. */
    for (size_t len = 0; len < w.n; len += 97) {
        hook h;
        hook_install(&h, -1);
        welf_wasm *m = (welf_wasm *)&m;
        welf_error err;
        welf_status st = welf_wasm_decode(w.b, len, WELF_FEATURES_ALL, &m,
                                            &err);
        cr_assert_neq(st, WELF_OK, "prefix of %zu bytes accepted", len);
        cr_assert_null(m);
        cr_assert_eq(h.live, 0, "prefix of %zu: %ld blocks leaked", len,
                     h.live);
    }
    /* An invalid module: the validator's buffers are freed too. */
    static const uint8_t bad[] =
        "\0asm\1\0\0\0" "\x01\x05\x01\x60\x00\x01\x7f" "\x03\x02\x01\x00"
        "\x0a\x05\x01\x03\x00\x6a\x0b";
    hook h;
    hook_install(&h, -1);
    welf_wasm *m;
    welf_error err;
    cr_assert_eq(run(&(wbuf){.n = 0}, &err, &m), WELF_ERR_MAGIC);
    welf_wasm_free(m);
    welf_status st = welf_wasm_decode(bad, sizeof bad - 1,
                                        WELF_FEATURES_ALL, &m, &err);
    cr_assert_eq(st, WELF_OK);
    cr_assert_eq(welf_wasm_validate(m, &err), WELF_ERR_TYPE_MISMATCH);
    welf_wasm_free(m);
    cr_assert_eq(h.live, 0, "%ld blocks leaked", h.live);
}

Test(alloc, restoring_the_default, .fini = restore_allocator)
{
    hook h;
    hook_install(&h, -1);
    void *p = welf_malloc(10);
    cr_assert_not_null(p);
    cr_assert_eq(h.allocs, 1);
    p = welf_realloc(p, 100);
    cr_assert_not_null(p);
    cr_assert_eq(h.requests, 2);
    welf_free(p);
    welf_free(NULL);
    cr_assert_eq(h.frees, 1, "welf_free(NULL) must not reach the hook");
    cr_assert_eq(h.live, 0);
    welf_set_allocator(NULL, NULL);
    p = welf_malloc(10);
    cr_assert_not_null(p);
    cr_assert_eq(h.requests, 2, "the old hook is still called");
    welf_free(p);
    /* zero-byte requests must not look like frees to the hook */
    hook_install(&h, -1);
    p = welf_malloc(0);
    cr_assert_not_null(p, "welf_malloc(0) returned NULL");
    cr_assert_eq(h.allocs, 1);
    welf_free(p);
    cr_assert_eq(h.live, 0);
}

/* ---- welf_file_read ---- */

Test(alloc, file_read, .fini = restore_allocator)
{
    char path[] = "/tmp/welf-unit-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp failed");
    static const char text[] = "\0asm\1\0\0\0 and more";
    cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);

    hook h;
    hook_install(&h, -1);
    uint8_t *bytes;
    size_t size;
    welf_error err;
    welf_status st = welf_file_read(path, &bytes, &size, &err);
    cr_assert_eq(st, WELF_OK, "%s", err.message);
    cr_assert_eq(size, sizeof text - 1);
    cr_assert_eq(memcmp(bytes, text, size), 0);
    welf_free(bytes);
    cr_assert_eq(h.live, 0);

    hook_install(&h, 0);
    welf_error_clear(&err);
    st = welf_file_read(path, &bytes, &size, &err);
    cr_assert_eq(st, WELF_ERR_NOMEM);
    cr_assert_null(bytes);
    cr_assert_eq(h.live, 0);
    restore_allocator();
    unlink(path);

    welf_error_clear(&err);
    st = welf_file_read("/nonexistent/welf/file.wasm", &bytes, &size, &err);
    cr_assert_eq(st, WELF_ERR_IO);
    cr_assert_eq(err.offset, WELF_NO_OFFSET);
    cr_assert(strstr(err.message, "/nonexistent/welf/file.wasm"),
              "message does not name the file: %s", err.message);
    cr_assert_eq(welf_status_classify(st), WELF_CLASS_OTHER);
}

/* ---- welf_error_format ---- */

static welf_error make_error(welf_status code, uint32_t offset,
                             const char *msg)
{
    welf_error e;
    welf_error_clear(&e);
    e.code = code;
    e.offset = offset;
    snprintf(e.message, sizeof e.message, "%s", msg);
    return e;
}

Test(alloc, error_format)
{
    char buf[512];
    welf_error e = make_error(WELF_ERR_OPCODE, 0x1f, "illegal opcode 0x06");
    int n = welf_error_format(&e, "foo.wasm", buf, sizeof buf);
    cr_assert_str_eq(buf, "foo.wasm:0x1f: error: illegal opcode 0x06");
    cr_assert_eq(n, (int)strlen(buf));

    welf_error_format(&e, NULL, buf, sizeof buf);
    cr_assert_str_eq(buf, "0x1f: error: illegal opcode 0x06");

    e = make_error(WELF_ERR_IO, WELF_NO_OFFSET, "cannot open x");
    welf_error_format(&e, "foo.wasm", buf, sizeof buf);
    cr_assert_str_eq(buf, "foo.wasm: error: cannot open x");
    welf_error_format(&e, NULL, buf, sizeof buf);
    cr_assert_str_eq(buf, "error: cannot open x");

    e = make_error(WELF_ERR_MAGIC, 0, "");
    welf_error_format(&e, "a.wasm", buf, sizeof buf);
    cr_assert_str_eq(buf, "a.wasm:0x0: error: magic header not detected",
                     "empty message: the status name stands in");
}

Test(alloc, error_format_truncates)
{
    char buf[12];
    welf_error e = make_error(WELF_ERR_OPCODE, 0xabc, "illegal opcode");
    int n = welf_error_format(&e, "f.wasm", buf, sizeof buf);
    cr_assert_eq(n, (int)strlen("f.wasm:0xabc: error: illegal opcode"),
                 "return value %d is not the untruncated length", n);
    cr_assert_str_eq(buf, "f.wasm:0xab");
}

Test(alloc, error_format_of_a_real_error)
{
    static const uint8_t bytes[] = "\0asm\2\0\0\0";
    welf_wasm *m;
    welf_error err;
    cr_assert_eq(welf_wasm_decode(bytes, 8, WELF_FEATURES_ALL, &m, &err),
                 WELF_ERR_VERSION);
    char buf[512];
    welf_error_format(&err, "v2.wasm", buf, sizeof buf);
    cr_assert_eq(strncmp(buf, "v2.wasm:0x4: error: ", 20), 0, "got \"%s\"",
                 buf);
    cr_assert_gt(strlen(buf), 20);
}

Test(alloc, status_classify_and_names)
{
    cr_assert_eq(welf_status_classify(WELF_OK), WELF_CLASS_OK);
    cr_assert_eq(welf_status_classify(WELF_ERR_NOMEM), WELF_CLASS_OTHER);
    cr_assert_eq(welf_status_classify(WELF_ERR_IO), WELF_CLASS_OTHER);
    cr_assert_eq(welf_status_classify(WELF_ERR_USAGE), WELF_CLASS_OTHER);
    for (int c = WELF_ERR_UNEXPECTED_END; c <= WELF_ERR_END_EXPECTED; c++) {
        cr_assert_eq(welf_status_classify((welf_status)c),
                     WELF_CLASS_MALFORMED, "code %d", c);
        cr_assert_str_neq(welf_status_name((welf_status)c), "unknown status",
                          "code %d has no name", c);
    }
    for (int c = WELF_ERR_TYPE_MISMATCH; c <= WELF_ERR_LANE; c++) {
        cr_assert_eq(welf_status_classify((welf_status)c),
                     WELF_CLASS_INVALID, "code %d", c);
        cr_assert_str_neq(welf_status_name((welf_status)c), "unknown status",
                          "code %d has no name", c);
    }
}

/* ---- welf_features_parse ---- */

static void parses(const char *text, welf_features want)
{
    welf_features f = 0xdead;
    cr_assert(welf_features_parse(text, &f), "\"%s\" rejected", text);
    cr_assert_eq(f, want, "\"%s\": 0x%x, expected 0x%x", text, f, want);
}

static void rejects(const char *text)
{
    welf_features f = 0xdead;
    cr_assert(!welf_features_parse(text, &f), "\"%s\" accepted as 0x%x",
              text, f);
    cr_assert_eq(f, 0xdead, "\"%s\": *out changed on failure", text);
}

Test(alloc, features_parse)
{
    parses("tail-call", WELF_FEATURE_TAIL_CALL);
    parses("extended-const", WELF_FEATURE_EXTENDED_CONST);
    parses("multi-memory", WELF_FEATURE_MULTI_MEMORY);
    parses("all", WELF_FEATURES_ALL);
    parses("none", 0);
    parses("tail-call,multi-memory",
           WELF_FEATURE_TAIL_CALL | WELF_FEATURE_MULTI_MEMORY);
    parses("multi-memory,extended-const,tail-call", WELF_FEATURES_ALL);
    parses("tail-call,tail-call", WELF_FEATURE_TAIL_CALL);
    parses("none,extended-const", WELF_FEATURE_EXTENDED_CONST);
    cr_assert_eq(WELF_FEATURES_DEFAULT, WELF_FEATURES_ALL);

    rejects("");
    rejects("bogus");
    rejects("tail");
    rejects("tail-calls");
    rejects("tail-call,");
    rejects(",tail-call");
    rejects("tail-call,,multi-memory");
    rejects("tail-call,bogus");
    rejects("tail-call multi-memory");
}
