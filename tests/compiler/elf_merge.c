/*
 * tests/compiler/elf_merge.c — the object merger (compiler/elf_merge.c).
 *
 * Inputs are made at test time: small C files compiled by gcc and clang
 * (-fPIC -fvisibility=hidden, as welf's chunks are), a few assembled
 * fixtures for special sections, and one object compiled by welf itself
 * from a .wat file. Merged objects are linked into programs and run,
 * checked with libelf (symbol bindings, section set, symbol table order),
 * compared with `ld -r` + `objcopy --localize-hidden`, loaded by the
 * runtime, merged twice for determinism, and attacked: every truncation,
 * random mutations, structural corruptions and failed allocations.
 */
#include <criterion/criterion.h>

#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_merge.h"

/* ---- files and commands ---- */

typedef struct blob {
    uint8_t *b;
    size_t n;
} blob;

/* The test's scratch directory, removed by the suite's fini even when
 * an assertion fails (each test runs in its own process). */
static char scratch[64];

static void tmp_make(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/welf-merge-XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    snprintf(scratch, sizeof scratch, "%s", dir);
}

static void tmp_cleanup(void)
{
    if (!scratch[0])
        return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) == 0)
        scratch[0] = 0;
}

static void write_file(const char *dir, const char *name, const void *p,
                       size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(p, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    write_file(dir, name, text, strlen(text));
}

static blob read_blob(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot read %s", path);
    blob o = {NULL, 0};
    size_t cap = 0;
    for (;;) {
        if (o.n == cap) {
            cap = cap ? cap * 2 : 4096;
            o.b = realloc(o.b, cap);
            cr_assert_not_null(o.b);
        }
        size_t got = fread(o.b + o.n, 1, cap - o.n, f);
        if (!got)
            break;
        o.n += got;
    }
    fclose(f);
    return o;
}

/* Runs a shell command in `dir`; fails the test unless it exits 0. */
static void sh(const char *dir, const char *fmt, ...) WELF_PRINTF(2, 3);

static void sh(const char *dir, const char *fmt, ...)
{
    char cmd[1024], full[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "cd '%s' && %s", dir, cmd);
    cr_assert_eq(system(full), 0, "command failed: %s", cmd);
}

/* Runs a command in `dir` and returns its standard output (malloc'd). */
static char *sh_out(const char *dir, const char *fmt, ...) WELF_PRINTF(2, 3);

static char *sh_out(const char *dir, const char *fmt, ...)
{
    char cmd[1024], full[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "cd '%s' && %s", dir, cmd);
    FILE *p = popen(full, "r");
    cr_assert_not_null(p, "popen %s", cmd);
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    size_t got;
    while ((got = fread(s + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap) {
            cap *= 2;
            s = realloc(s, cap);
            cr_assert_not_null(s);
        }
    }
    s[n] = 0;
    cr_assert_eq(pclose(p), 0, "command failed: %s", cmd);
    return s;
}

/* ---- merging ---- */

/* Merges n objects; *err receives the error. The result is malloc'd
 * (a copy of the library's buffer), NULL on failure. */
static welf_status merge_n(const blob *in, size_t n, blob *out,
                           welf_error *err)
{
    const uint8_t *objs[16];
    size_t sizes[16];
    cr_assert_leq(n, 16);
    for (size_t i = 0; i < n; i++) {
        objs[i] = in[i].b;
        sizes[i] = in[i].n;
    }
    welf_error_clear(err);
    uint8_t *bytes = (uint8_t *)"x";
    size_t size = 7;
    welf_status st = welf_elf_merge(objs, sizes, n, &bytes, &size, err);
    out->b = NULL;
    out->n = 0;
    if (st != WELF_OK) {
        cr_assert_null(bytes, "output set on failure");
        cr_assert_eq(size, 0);
        cr_assert_neq(err->code, WELF_OK);
        cr_assert_neq(err->message[0], 0, "failure without a message");
        return st;
    }
    out->b = malloc(size ? size : 1);
    cr_assert_not_null(out->b);
    memcpy(out->b, bytes, size);
    out->n = size;
    welf_free(bytes);
    return st;
}

static blob merge_ok(const blob *in, size_t n)
{
    blob out;
    welf_error err;
    welf_status st = merge_n(in, n, &out, &err);
    cr_assert_eq(st, WELF_OK, "merge: %s: %s", welf_status_name(st),
                 err.message);
    return out;
}

static bool blob_eq(blob a, blob b)
{
    return a.n == b.n && memcmp(a.b, b.b, a.n) == 0;
}

/* ---- reading objects with libelf (an independent ELF reader) ---- */

typedef struct esym {
    char name[96];
    unsigned bind, type, vis, shndx;
    uint64_t value, size;
} esym;

typedef struct esec {
    char name[64];
    unsigned type, link;
    uint64_t size, flags, align, entsize;
} esec;

typedef struct elfinfo {
    esym syms[600];
    size_t nsyms;
    esec secs[64];
    size_t nsecs;
    size_t symtab_info;  /* sh_info of the symbol table */
    size_t nrela;        /* relocations in all sections */
} elfinfo;

static void elf_read(blob o, elfinfo *info)
{
    memset(info, 0, sizeof *info);
    cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
    Elf *e = elf_memory((char *)o.b, o.n);
    cr_assert_not_null(e, "libelf: %s", elf_errmsg(-1));
    cr_assert_eq(elf_kind(e), ELF_K_ELF);
    size_t shstrndx, shnum;
    cr_assert_eq(elf_getshdrstrndx(e, &shstrndx), 0);
    cr_assert_eq(elf_getshdrnum(e, &shnum), 0);
    cr_assert_leq(shnum, WELF_ARRAY_LEN(info->secs));
    for (size_t i = 0; i < shnum; i++) {
        Elf_Scn *scn = elf_getscn(e, i);
        GElf_Shdr sh;
        cr_assert_not_null(gelf_getshdr(scn, &sh), "libelf: %s",
                           elf_errmsg(-1));
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        cr_assert_not_null(name, "section %zu without a name", i);
        esec *s = &info->secs[info->nsecs++];
        snprintf(s->name, sizeof s->name, "%s", name);
        s->type = sh.sh_type;
        s->link = sh.sh_link;
        s->size = sh.sh_size;
        s->flags = sh.sh_flags;
        s->align = sh.sh_addralign;
        s->entsize = sh.sh_entsize;
        if (sh.sh_type == SHT_RELA)
            info->nrela += sh.sh_size / sizeof(Elf64_Rela);
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        info->symtab_info = sh.sh_info;
        Elf_Data *d = elf_getdata(scn, NULL);
        cr_assert_not_null(d);
        size_t n = sh.sh_size / sh.sh_entsize;
        cr_assert_leq(n, WELF_ARRAY_LEN(info->syms));
        for (size_t k = 0; k < n; k++) {
            GElf_Sym sym;
            cr_assert_not_null(gelf_getsym(d, (int)k, &sym));
            const char *sn = elf_strptr(e, sh.sh_link, sym.st_name);
            cr_assert_not_null(sn);
            esym *y = &info->syms[info->nsyms++];
            snprintf(y->name, sizeof y->name, "%s", sn);
            y->bind = GELF_ST_BIND(sym.st_info);
            y->type = GELF_ST_TYPE(sym.st_info);
            y->vis = GELF_ST_VISIBILITY(sym.st_other);
            y->shndx = sym.st_shndx;
            y->value = sym.st_value;
            y->size = sym.st_size;
        }
    }
    elf_end(e);
}

/* The one named symbol that is not a section or file symbol. */
static const esym *sym_find(const elfinfo *info, const char *name)
{
    const esym *found = NULL;
    for (size_t i = 1; i < info->nsyms; i++) {
        const esym *y = &info->syms[i];
        if (y->type == STT_SECTION || y->type == STT_FILE ||
            strcmp(y->name, name) != 0)
            continue;
        cr_assert_null(found, "symbol %s appears twice", name);
        found = y;
    }
    return found;
}

static size_t sec_count(const elfinfo *info, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < info->nsecs; i++)
        n += strcmp(info->secs[i].name, name) == 0;
    return n;
}

static const esec *sec_find(const elfinfo *info, const char *name)
{
    for (size_t i = 0; i < info->nsecs; i++)
        if (strcmp(info->secs[i].name, name) == 0)
            return &info->secs[i];
    return NULL;
}

/* ELF's symbol table rule: locals first, sh_info the first non-local. */
static void check_symbol_order(const elfinfo *info)
{
    cr_assert_gt(info->nsyms, 0);
    cr_assert_leq(info->symtab_info, info->nsyms);
    for (size_t i = 0; i < info->nsyms; i++)
        cr_assert_eq(info->syms[i].bind == STB_LOCAL,
                     i < info->symtab_info,
                     "symbol %zu (%s) on the wrong side of sh_info", i,
                     info->syms[i].name);
}

static void check_local(const elfinfo *info, const char *name)
{
    const esym *y = sym_find(info, name);
    cr_assert_not_null(y, "%s missing", name);
    cr_assert_eq(y->bind, STB_LOCAL, "%s is not local", name);
    cr_assert_neq(y->shndx, SHN_UNDEF, "%s is undefined", name);
}

/* ---- the C inputs ---- */

/* File A: the exported entry points; uses everything of B. */
static const char src_a[] =
    "int helper_b(int x);\n"
    "extern const double b_table[4];\n"
    "extern int b_counter;\n"
    "const char *b_name(void);\n"
    "int b_depth(void);\n"
    "int weak_pick(void);\n"
    "extern int never_defined(void) __attribute__((weak));\n"
    "static int a_twice(int x) { return 2 * x; }\n"
    "int (*const a_ops[2])(int) = {helper_b, a_twice};\n"
    "static int a_bss[64];\n"
    "typedef float v4 __attribute__((vector_size(16)));\n"
    "__attribute__((noinline)) static v4 scale(v4 x)\n"
    "{ v4 k = {1.5f, 2.5f, 3.5f, 4.5f}; return x * k; }\n"
    "__attribute__((weak)) int weak_pick(void) { return 1; }\n"
    "__attribute__((visibility(\"default\"))) int a_entry(int n)\n"
    "{\n"
    "    int s = 0;\n"
    "    for (int i = 0; i < n; i++) {\n"
    "        a_bss[i & 63] += i;\n"
    "        s += a_ops[i & 1](i) + a_bss[i & 63];\n"
    "    }\n"
    "    v4 v = scale((v4){(float)n, 1, 2, 3});\n"
    "    b_counter += n;\n"
    "    return s + (int)(v[0] + v[1] + v[2] + v[3]) +\n"
    "           (int)(b_table[n & 3] * 4) + b_counter;\n"
    "}\n"
    "__attribute__((visibility(\"default\"))) const char *a_name(int n)\n"
    "{ return n ? \"alpha\" : b_name(); }\n"
    "__attribute__((visibility(\"default\"))) int a_depth(void)\n"
    "{ return b_depth() + 1; }\n"
    "__attribute__((visibility(\"default\"))) int a_weak(void)\n"
    "{ return weak_pick() + (never_defined ? 100 : 0); }\n";

/* File B: hidden definitions A needs. */
static const char src_b[] =
    "#include <execinfo.h>\n"
    "const double b_table[4] = {1.25, 2.5, 3.75, 5.0};\n"
    "int b_counter;\n"
    "static int calls;\n"
    "int helper_b(int x) { calls++; return x * 3 + calls; }\n"
    "const char *b_name(void) { return \"bravo\"; }\n"
    "int weak_pick(void) { return 2; }\n"
    "__attribute__((noinline)) int b_depth(void)\n"
    "{ void *frames[64]; return backtrace(frames, 64); }\n";

static const char src_main[] =
    "#include <stdio.h>\n"
    "int a_entry(int n);\n"
    "const char *a_name(int n);\n"
    "int a_depth(void);\n"
    "int a_weak(void);\n"
    "int main(void)\n"
    "{\n"
    "    int r = a_entry(10);\n"
    "    r += a_entry(7);\n"
    "    printf(\"%d %s %s %d %d\\n\", r, a_name(1), a_name(0), a_depth(),\n"
    "           a_weak());\n"
    "    return 0;\n"
    "}\n";

#define FIXTURE_FLAGS "-c -O2 -fPIC -fvisibility=hidden"

/* a_gcc.o, a_clang.o, b_gcc.o, b_clang.o, main.c and ref.txt: what the
 * program prints linked from the unmerged objects. */
static void make_inputs(const char *dir)
{
    write_text(dir, "a.c", src_a);
    write_text(dir, "b.c", src_b);
    write_text(dir, "main.c", src_main);
    sh(dir, "gcc " FIXTURE_FLAGS " a.c -o a_gcc.o");
    sh(dir, "gcc " FIXTURE_FLAGS " b.c -o b_gcc.o");
    sh(dir, "clang " FIXTURE_FLAGS " a.c -o a_clang.o");
    sh(dir, "clang " FIXTURE_FLAGS " b.c -o b_clang.o");
    sh(dir, "cc main.c a_gcc.o b_clang.o -o ref && ./ref > ref.txt");
}

/* Links main.c with `obj` (plus `extra`), runs it, returns its output. */
static char *link_and_run(const char *dir, const char *obj,
                          const char *extra)
{
    sh(dir, "cc main.c %s %s -o prog", obj, extra);
    return sh_out(dir, "./prog");
}

static void free_blobs(blob *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(b[i].b);
}

TestSuite(elf_merge, .timeout = 120, .fini = tmp_cleanup);

/* ---- 1: merged objects link and run ---- */

Test(elf_merge, links_and_runs)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    char *ref = sh_out(dir, "cat ref.txt");
    int r, depth, weak;
    char n1[16], n2[16];
    cr_assert_eq(sscanf(ref, "%d %15s %15s %d %d", &r, n1, n2, &depth,
                        &weak), 5, "reference output: %s", ref);
    cr_assert_str_eq(n1, "alpha");
    cr_assert_str_eq(n2, "bravo");
    cr_assert_eq(weak, 2, "the strong weak_pick wins");
    cr_assert_geq(depth, 4, "backtrace through a_depth and main");

    const char *cc[2] = {"gcc", "clang"};
    for (int ia = 0; ia < 2; ia++)
        for (int ib = 0; ib < 2; ib++)
            for (int order = 0; order < 2; order++) {
                char na[32], nb[32];
                snprintf(na, sizeof na, "a_%s.o", cc[ia]);
                snprintf(nb, sizeof nb, "b_%s.o", cc[ib]);
                blob in[2] = {read_blob(dir, order ? nb : na),
                              read_blob(dir, order ? na : nb)};
                blob out = merge_ok(in, 2);
                write_file(dir, "merged.o", out.b, out.n);
                char *got = link_and_run(dir, "merged.o", "");
                cr_assert_str_eq(got, ref, "%s + %s (order %d)", na, nb,
                                 order);
                /* readelf is picky: any complaint is a failure. */
                char *warn = sh_out(dir, "readelf -a -W merged.o 2>&1 "
                                         ">/dev/null");
                cr_assert_str_eq(warn, "", "readelf: %s", warn);
                free(warn);
                free(got);
                free(out.b);
                free_blobs(in, 2);
            }
    free(ref);
}

Test(elf_merge, hidden_symbols_become_local)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    blob in[2] = {read_blob(dir, "a_gcc.o"), read_blob(dir, "b_clang.o")};
    blob out = merge_ok(in, 2);
    static elfinfo info;
    elf_read(out, &info);
    check_symbol_order(&info);

    const char *hidden[] = {"helper_b", "b_table", "b_counter", "b_name",
                            "b_depth", "weak_pick", "a_ops"};
    for (size_t i = 0; i < WELF_ARRAY_LEN(hidden); i++) {
        check_local(&info, hidden[i]);
        cr_assert_eq(sym_find(&info, hidden[i])->vis, STV_HIDDEN);
    }
    /* weak_pick: B's strong definition, not A's weak one. */
    const esym *wp = sym_find(&info, "weak_pick");
    cr_assert_eq(info.secs[wp->shndx].type, SHT_PROGBITS);
    cr_assert_str_eq(info.secs[wp->shndx].name, ".text");
    /* Local statics keep their names. */
    check_local(&info, "a_bss");
    check_local(&info, "calls");

    const char *exported[] = {"a_entry", "a_name", "a_depth", "a_weak"};
    for (size_t i = 0; i < WELF_ARRAY_LEN(exported); i++) {
        const esym *y = sym_find(&info, exported[i]);
        cr_assert_not_null(y, "%s", exported[i]);
        cr_assert_eq(y->bind, STB_GLOBAL, "%s", exported[i]);
        cr_assert_eq(y->vis, STV_DEFAULT);
        cr_assert_neq(y->shndx, SHN_UNDEF);
    }
    /* The only undefined symbols are those nobody defines. */
    for (size_t i = 1; i < info.nsyms; i++) {
        const esym *y = &info.syms[i];
        if (y->shndx != SHN_UNDEF)
            continue;
        cr_assert(strcmp(y->name, "backtrace") == 0 ||
                      strcmp(y->name, "never_defined") == 0 ||
                      strcmp(y->name, "_GLOBAL_OFFSET_TABLE_") == 0,
                  "unexpected undefined symbol %s", y->name);
        cr_assert_neq(y->bind, STB_LOCAL);
    }
    const esym *nd = sym_find(&info, "never_defined");
    cr_assert_not_null(nd);
    cr_assert_eq(nd->bind, STB_WEAK, "a weak reference stays weak");
    cr_assert_eq(sym_find(&info, "backtrace")->bind, STB_GLOBAL);

    /* Section bookkeeping. */
    cr_assert_eq(sec_count(&info, ".comment"), 1);
    cr_assert_eq(sec_count(&info, ".note.GNU-stack"), 1);
    cr_assert_eq(sec_count(&info, ".eh_frame"), 1);
    cr_assert_eq(sec_count(&info, ".text"), 1);
    cr_assert_eq(sec_count(&info, ".llvm_addrsig"), 0);
    cr_assert_eq(sec_count(&info, ".symtab"), 1);
    const esec *cst = sec_find(&info, ".rodata.cst16");
    cr_assert_not_null(cst);
    cr_assert(cst->flags & SHF_MERGE, "constants stay mergeable");
    cr_assert_eq(cst->entsize, 16);
    const esec *bss = sec_find(&info, ".bss");
    cr_assert_eq(bss->type, SHT_NOBITS);
    cr_assert_geq(bss->size, 64 * 4 + 4 + 4);
    cr_assert_eq(bss->align, 32, "the largest piece alignment");
    free(out.b);
    free_blobs(in, 2);
}

Test(elf_merge, comment_strings_once)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    blob in[4] = {read_blob(dir, "a_gcc.o"), read_blob(dir, "b_gcc.o"),
                  read_blob(dir, "a_clang.o"), read_blob(dir, "b_clang.o")};
    /* b_gcc and b_clang both define helper_b: the error names both. */
    blob pick[3] = {in[0], in[1], in[3]};
    blob out;
    welf_error err;
    cr_assert_eq(merge_n(pick, 3, &out, &err), WELF_ERR_USAGE);
    cr_assert(strstr(err.message, "is defined in object 1 and object 2"),
              "%s", err.message);
    /* gcc and clang: each compiler's string once. */
    blob two[2] = {in[0], in[3]};
    out = merge_ok(two, 2);
    write_file(dir, "m.o", out.b, out.n);
    char *gcc = sh_out(dir, "readelf -p .comment m.o | grep -c 'GCC:'");
    char *clang = sh_out(dir, "readelf -p .comment m.o | grep -c 'clang'");
    cr_assert_str_eq(gcc, "1\n");
    cr_assert_str_eq(clang, "1\n");
    free(gcc);
    free(clang);
    free(out.b);
    /* The same compiler twice: its string once. */
    blob same[2] = {in[0], in[1]};
    out = merge_ok(same, 2);
    write_file(dir, "m2.o", out.b, out.n);
    gcc = sh_out(dir, "readelf -p .comment m2.o | grep -c 'GCC:'");
    cr_assert_str_eq(gcc, "1\n");
    free(gcc);
    free(out.b);
    free_blobs(in, 4);
}

/* ---- 2: determinism ---- */

Test(elf_merge, deterministic)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    blob in[2] = {read_blob(dir, "a_clang.o"), read_blob(dir, "b_gcc.o")};
    blob first = merge_ok(in, 2);
    /* Fresh copies at other addresses, some allocations in between. */
    void *noise = malloc(12345);
    blob again[2] = {read_blob(dir, "a_clang.o"), read_blob(dir, "b_gcc.o")};
    blob second = merge_ok(again, 2);
    cr_assert(blob_eq(first, second), "two merges differ");
    /* The other order is another object, deterministic too. */
    blob rev[2] = {in[1], in[0]};
    blob third = merge_ok(rev, 2);
    blob fourth = merge_ok(rev, 2);
    cr_assert(blob_eq(third, fourth));
    cr_assert_not(blob_eq(first, third));
    /* The output is a fixed point: merged alone, it comes back as is. */
    blob fixed = merge_ok(&first, 1);
    cr_assert(blob_eq(first, fixed), "merging the output changes it");
    free(fixed.b);
    free(noise);
    free(first.b);
    free(second.b);
    free(third.b);
    free(fourth.b);
    free_blobs(in, 2);
    free_blobs(again, 2);
}

/* ---- 3: symbol resolution ---- */

Test(elf_merge, duplicate_definition_is_an_error)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    write_text(dir, "d1.c", "int dup_fn(void) { return 1; }\n");
    write_text(dir, "d2.c", "int other(void) { return 3; }\n"
                            "int dup_fn(void) { return 2; }\n");
    sh(dir, "clang " FIXTURE_FLAGS " d1.c -o d1.o");
    sh(dir, "gcc " FIXTURE_FLAGS " d2.c -o d2.o");
    blob in[2] = {read_blob(dir, "d1.o"), read_blob(dir, "d2.o")};
    blob out;
    welf_error err;
    cr_assert_eq(merge_n(in, 2, &out, &err), WELF_ERR_USAGE);
    cr_assert(strstr(err.message, "inputs are not mergeable"), "%s",
              err.message);
    cr_assert(strstr(err.message, "dup_fn"), "%s", err.message);
    cr_assert_eq(err.offset, WELF_NO_OFFSET);
    free_blobs(in, 2);
}

Test(elf_merge, undefined_stays_undefined)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    write_text(dir, "u1.c", "int missing_fn(int);\n"
                            "extern int missing_data;\n"
                            "int found(int);\n"
                            "__attribute__((visibility(\"default\")))\n"
                            "int use(int x)\n"
                            "{ return missing_fn(x) + missing_data + "
                            "found(x); }\n");
    write_text(dir, "u2.c", "int found(int x) { return x + 1; }\n");
    sh(dir, "clang " FIXTURE_FLAGS " u1.c -o u1.o");
    sh(dir, "clang " FIXTURE_FLAGS " u2.c -o u2.o");
    blob in[2] = {read_blob(dir, "u1.o"), read_blob(dir, "u2.o")};
    blob out = merge_ok(in, 2);
    static elfinfo info;
    elf_read(out, &info);
    check_symbol_order(&info);
    const char *undef[] = {"missing_fn", "missing_data"};
    for (size_t i = 0; i < 2; i++) {
        const esym *y = sym_find(&info, undef[i]);
        cr_assert_not_null(y, "%s dropped", undef[i]);
        cr_assert_eq(y->shndx, SHN_UNDEF);
        cr_assert_eq(y->bind, STB_GLOBAL);
    }
    check_local(&info, "found");
    /* The relocations against them are still there: the program links
     * once something defines them. */
    write_text(dir, "def.c", "int missing_data = 40;\n"
                             "int missing_fn(int x) { return x * 2; }\n"
                             "int use(int);\n"
                             "#include <stdio.h>\n"
                             "int main(void) { printf(\"%d\\n\", use(5));"
                             " return 0; }\n");
    write_file(dir, "m.o", out.b, out.n);
    sh(dir, "cc def.c m.o -o prog");
    char *got = sh_out(dir, "./prog");
    cr_assert_str_eq(got, "56\n");
    free(got);
    free(out.b);
    free_blobs(in, 2);
}

Test(elf_merge, weak_and_common_symbols)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    /* Weak then strong, strong then weak, weak twice; common symbols of
     * two sizes; a hidden weak definition nobody overrides. */
    write_text(dir, "w1.c",
               "__attribute__((weak, visibility(\"default\")))\n"
               "int pick1(void) { return 1; }\n"
               "__attribute__((visibility(\"default\"))) int pick2(void)\n"
               "{ return 20; }\n"
               "__attribute__((weak, visibility(\"default\")))\n"
               "int pick3(void) { return 300; }\n"
               "__attribute__((weak)) int lonely(void) { return 7; }\n"
               "__attribute__((visibility(\"default\"))) int cm;\n"
               "__attribute__((visibility(\"default\")))\n"
               "int lone(void) { return lonely(); }\n");
    write_text(dir, "w2.c",
               "__attribute__((visibility(\"default\"))) int pick1(void)\n"
               "{ return 10; }\n"
               "__attribute__((weak, visibility(\"default\")))\n"
               "int pick2(void) { return 2; }\n"
               "__attribute__((weak, visibility(\"default\")))\n"
               "int pick3(void) { return 3; }\n"
               "__attribute__((visibility(\"default\"))) long long cm[4];\n");
    sh(dir, "gcc " FIXTURE_FLAGS " -fcommon w1.c -o w1.o");
    sh(dir, "clang " FIXTURE_FLAGS " -fcommon w2.c -o w2.o");
    blob in[2] = {read_blob(dir, "w1.o"), read_blob(dir, "w2.o")};
    blob out = merge_ok(in, 2);
    static elfinfo info;
    elf_read(in[0], &info);
    uint64_t align1 = sym_find(&info, "cm")->value;
    elf_read(in[1], &info);
    uint64_t align2 = sym_find(&info, "cm")->value;
    elf_read(out, &info);
    check_symbol_order(&info);
    const esym *p1 = sym_find(&info, "pick1"), *p2 = sym_find(&info, "pick2"),
               *p3 = sym_find(&info, "pick3"), *cm = sym_find(&info, "cm");
    cr_assert_eq(p1->bind, STB_GLOBAL, "strong wins over earlier weak");
    cr_assert_eq(p2->bind, STB_GLOBAL, "strong wins over later weak");
    cr_assert_eq(p3->bind, STB_WEAK, "weak twice stays weak");
    cr_assert_eq(cm->shndx, SHN_COMMON);
    cr_assert_eq(cm->size, 32, "common: the larger size");
    cr_assert_eq(cm->value, align1 > align2 ? align1 : align2,
                 "common: the larger alignment");
    check_local(&info, "lonely");
    write_text(dir, "main.c",
               "#include <stdio.h>\n"
               "int pick1(void), pick2(void), pick3(void), lone(void);\n"
               "extern long long cm[4];\n"
               "int main(void) { cm[3] = 1; printf(\"%d %d %d %d\\n\","
               " pick1(), pick2(), pick3(), lone()); return 0; }\n");
    write_file(dir, "m.o", out.b, out.n);
    char *got = link_and_run(dir, "m.o", "");
    cr_assert_str_eq(got, "10 20 300 7\n", "first weak wins: %s", got);
    free(got);
    free(out.b);
    free_blobs(in, 2);
}

/* ---- 4: like ld -r + objcopy --localize-hidden ---- */

static bool ld_may_differ(const char *name)
{
    /* ld edits .eh_frame padding and deduplicates .comment strings by
     * merging; it keeps .llvm_addrsig, which is dropped here. */
    return strcmp(name, ".eh_frame") == 0 || strcmp(name, ".comment") == 0 ||
           strcmp(name, ".llvm_addrsig") == 0 || name[0] == 0;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One sorted line per named symbol: name, binding, type, visibility,
 * section name, size, and value when ld places it the same way. */
static char *describe_symbols(const elfinfo *info)
{
    char *lines[WELF_ARRAY_LEN(info->syms)];
    size_t n = 0;
    for (size_t i = 1; i < info->nsyms; i++) {
        const esym *y = &info->syms[i];
        if (y->type == STT_SECTION || y->type == STT_FILE)
            continue;
        const char *sec = y->shndx == SHN_UNDEF      ? "UND"
                          : y->shndx >= SHN_LORESERVE ? "special"
                                                      : info->secs[y->shndx].name;
        lines[n] = malloc(256);
        cr_assert_not_null(lines[n]);
        snprintf(lines[n], 256, "%s bind=%u type=%u vis=%u %s size=%llu "
                 "value=%llu\n", y->name, y->bind, y->type, y->vis, sec,
                 (unsigned long long)y->size,
                 ld_may_differ(sec) ? 0ull : (unsigned long long)y->value);
        n++;
    }
    qsort(lines, n, sizeof *lines, cmp_lines);
    char *all = malloc(n * 256 + 1);
    cr_assert_not_null(all);
    all[0] = 0;
    for (size_t i = 0; i < n; i++) {
        strcat(all, lines[i]);
        free(lines[i]);
    }
    return all;
}

Test(elf_merge, matches_ld_r)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    const char *pairs[][2] = {{"a_gcc.o", "b_clang.o"},
                              {"a_clang.o", "b_gcc.o"},
                              {"b_clang.o", "a_clang.o"}};
    static elfinfo mine, ld;
    for (size_t p = 0; p < WELF_ARRAY_LEN(pairs); p++) {
        blob in[2] = {read_blob(dir, pairs[p][0]),
                      read_blob(dir, pairs[p][1])};
        blob out = merge_ok(in, 2);
        sh(dir, "ld -r %s %s -o ld.o && objcopy --localize-hidden ld.o "
                "ldl.o", pairs[p][0], pairs[p][1]);
        blob ref = read_blob(dir, "ldl.o");
        elf_read(out, &mine);
        elf_read(ref, &ld);
        /* Same sections with the same sizes, both ways. */
        for (size_t i = 0; i < ld.nsecs; i++) {
            const esec *s = &ld.secs[i];
            if (ld_may_differ(s->name) || strcmp(s->name, ".symtab") == 0 ||
                strcmp(s->name, ".strtab") == 0 ||
                strcmp(s->name, ".shstrtab") == 0)
                continue;
            const esec *t = sec_find(&mine, s->name);
            cr_assert_not_null(t, "%s missing", s->name);
            cr_assert_eq(t->size, s->size, "%s: %llu, ld: %llu", s->name,
                         (unsigned long long)t->size,
                         (unsigned long long)s->size);
            cr_assert_eq(t->type == SHT_NOBITS, s->type == SHT_NOBITS);
            cr_assert_eq(t->align, s->align, "%s alignment", s->name);
        }
        for (size_t i = 0; i < mine.nsecs; i++)
            cr_assert(ld_may_differ(mine.secs[i].name) ||
                          sec_find(&ld, mine.secs[i].name),
                      "extra section %s", mine.secs[i].name);
        cr_assert_eq(mine.nrela, ld.nrela, "relocation count");
        /* The same symbols (locals may repeat a name): compare sorted
         * descriptions. */
        char *a = describe_symbols(&mine), *b = describe_symbols(&ld);
        cr_assert_str_eq(a, b);
        free(a);
        free(b);
        free(ref.b);
        free(out.b);
        free_blobs(in, 2);
    }
}

/* ---- special sections ---- */

Test(elf_merge, section_groups_rejected)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    write_text(dir, "g.s", "\t.section .text.foo,\"axG\",@progbits,foo,"
                           "comdat\n\t.globl foo\nfoo:\tret\n"
                           "\t.section .note.GNU-stack,\"\",@progbits\n");
    sh(dir, "cc -c g.s -o g.o");
    write_text(dir, "b.c", src_b);
    sh(dir, "clang " FIXTURE_FLAGS " b.c -o b.o");
    blob in[2] = {read_blob(dir, "b.o"), read_blob(dir, "g.o")};
    blob out;
    welf_error err;
    cr_assert_eq(merge_n(in, 2, &out, &err), WELF_ERR_USAGE);
    cr_assert(strstr(err.message, "COMDAT"), "%s", err.message);
    free_blobs(in, 2);
}

Test(elf_merge, gnu_property_kept_only_when_all_agree)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    sh(dir, "gcc " FIXTURE_FLAGS " -fcf-protection=full a.c -o a_cf.o");
    sh(dir, "gcc " FIXTURE_FLAGS " -fcf-protection=full b.c -o b_cf.o");
    blob in[3] = {read_blob(dir, "a_cf.o"), read_blob(dir, "b_cf.o"),
                  read_blob(dir, "b_gcc.o")};
    static elfinfo info;
    blob out = merge_ok(in, 2);
    elf_read(out, &info);
    const esec *note = sec_find(&info, ".note.gnu.property");
    cr_assert_not_null(note, "both inputs agree: kept");
    cr_assert_eq(sec_count(&info, ".note.gnu.property"), 1);
    elfinfo *one = malloc(sizeof *one);
    elf_read(in[0], one);
    cr_assert_eq(note->size, sec_find(one, ".note.gnu.property")->size,
                 "kept once, not concatenated");
    free(one);
    write_file(dir, "m.o", out.b, out.n);
    char *props = sh_out(dir, "readelf -n m.o | grep -c 'IBT, SHSTK'");
    cr_assert_str_eq(props, "1\n");
    free(props);
    free(out.b);
    /* An input without the note: the features are not claimed. */
    blob mixed[2] = {in[0], in[2]};
    out = merge_ok(mixed, 2);
    elf_read(out, &info);
    cr_assert_eq(sec_count(&info, ".note.gnu.property"), 0);
    write_file(dir, "m.o", out.b, out.n);
    char *got = link_and_run(dir, "m.o", "");
    char *ref = sh_out(dir, "cat ref.txt");
    cr_assert_str_eq(got, ref);
    free(got);
    free(ref);
    free(out.b);
    free_blobs(in, 3);
}

Test(elf_merge, link_order_sections)
{
    /* -fpatchable-function-entry puts SHF_LINK_ORDER sections with
     * relocations into .text in both compilers' output. */
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    sh(dir, "gcc " FIXTURE_FLAGS " -fpatchable-function-entry=2 a.c "
            "-o a_p.o");
    sh(dir, "clang " FIXTURE_FLAGS " -fpatchable-function-entry=2 b.c "
            "-o b_p.o");
    blob in[2] = {read_blob(dir, "a_p.o"), read_blob(dir, "b_p.o")};
    blob out = merge_ok(in, 2);
    static elfinfo info;
    elf_read(out, &info);
    const esec *pfe = sec_find(&info, "__patchable_function_entries");
    cr_assert_not_null(pfe);
    cr_assert(pfe->flags & SHF_LINK_ORDER);
    cr_assert_eq(sec_count(&info, "__patchable_function_entries"), 1);
    cr_assert_lt(pfe->link, info.nsecs);
    cr_assert_str_eq(info.secs[pfe->link].name, ".text");
    write_file(dir, "m.o", out.b, out.n);
    char *got = link_and_run(dir, "m.o", "");
    char *ref = sh_out(dir, "cat ref.txt");
    cr_assert_str_eq(got, ref);
    free(got);
    free(ref);
    free(out.b);
    free_blobs(in, 2);
}

Test(elf_merge, single_input)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    /* One input is merged like several: addrsig dropped, hidden
     * definitions localized, references left for the final link. */
    blob in[1] = {read_blob(dir, "a_clang.o")};
    blob out = merge_ok(in, 1);
    static elfinfo info;
    elf_read(out, &info);
    check_symbol_order(&info);
    cr_assert_eq(sec_count(&info, ".llvm_addrsig"), 0);
    check_local(&info, "a_ops");
    cr_assert_eq(sym_find(&info, "helper_b")->shndx, SHN_UNDEF);
    write_file(dir, "m.o", out.b, out.n);
    char *got = link_and_run(dir, "m.o", "b_clang.o");
    char *ref = sh_out(dir, "cat ref.txt");
    /* A's weak hidden weak_pick is local now: B's no longer overrides
     * it, as with ld -r + objcopy --localize-hidden. */
    size_t n = strlen(ref);
    cr_assert_gt(n, 2);
    cr_assert_eq(ref[n - 2], '2');
    ref[n - 2] = '1';
    cr_assert_str_eq(got, ref);
    free(got);
    free(ref);
    free(out.b);
    free_blobs(in, 1);
}

/* ---- the real client: a welf object ---- */

static const char wat_module[] =
    "(module\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (memory 1)\n"
    "  (data (i32.const 16) \"hello world\")\n"
    "  (global $g (mut i32) (i32.const 5))\n"
    "  (table 2 funcref)\n"
    "  (elem (i32.const 0) $f $h)\n"
    "  (func $f (export \"f\") (param i32) (result i32)\n"
    "    (i32.add (local.get 0) (global.get $g)))\n"
    "  (func $h (param i32) (result i32)\n"
    "    (i32.load8_u offset=16 (local.get 0)))\n"
    "  (func (export \"g\") (param i32) (result i32)\n"
    "    (call_indirect (type $t) (local.get 0) (i32.const 1)))\n"
    "  (func (export \"k\") (param i32) (result i32)\n"
    "    (call_indirect (type $t) (local.get 0) (i32.const 0)))\n"
    "  (func (export \"d\") (param f64) (result f64)\n"
    "    (f64.mul (local.get 0) (f64.const 1.5)))\n"
    ")\n";

/* Self-contained (the loader rejects undefined symbols) and full of the
 * same section names as welf's objects: .rodata.cst16, .rodata.str1.1,
 * .eh_frame, .text. */
static const char src_plain[] =
    "static const char msg[] = \"unrelated\";\n"
    "static int counter;\n"
    "typedef float v4 __attribute__((vector_size(16)));\n"
    "int unrelated(int x, v4 *v)\n"
    "{ v4 k = {1, 2, 3, 4}; *v *= k; counter += x;\n"
    "  return msg[x & 7] + counter; }\n";

static blob welf_object(const char *dir)
{
    write_text(dir, "m.wat", wat_module);
    sh(dir, "wat2wasm m.wat -o m.wasm");
    blob wasm = read_blob(dir, "m.wasm");
    welf_wasm *m = NULL;
    welf_error err;
    cr_assert_eq(welf_wasm_decode(wasm.b, wasm.n, WELF_FEATURES_DEFAULT, &m,
                                  &err), WELF_OK, "%s", err.message);
    cr_assert_eq(welf_wasm_validate(m, &err), WELF_OK, "%s", err.message);
    welf_compile_options opts;
    welf_compile_options_init(&opts);
    opts.name = "merged";
    uint8_t *obj = NULL;
    size_t size = 0;
    cr_assert_eq(welf_compile(m, &opts, &obj, &size, &err), WELF_OK, "%s",
                 err.message);
    welf_wasm_free(m);
    free(wasm.b);
    blob o = {malloc(size), size};
    cr_assert_not_null(o.b);
    memcpy(o.b, obj, size);
    welf_free(obj);
    return o;
}

/* Loads an object, calls its exports, returns their results packed. */
static void run_welf(blob obj, int32_t res[4], double *dres)
{
    welf_engine *engine;
    welf_module *mod;
    welf_instance *inst;
    welf_error err;
    cr_assert_eq(welf_engine_new(&engine, &err), WELF_OK);
    cr_assert_eq(welf_module_load_memory(engine, obj.b, obj.n, &mod, &err),
                 WELF_OK, "load: %s", err.message);
    cr_assert_eq(welf_instance_new(mod, NULL, 0, &inst, &err), WELF_OK,
                 "instantiate: %s", err.message);
    const char *names[4] = {"f", "g", "k", "d"};
    for (int i = 0; i < 4; i++) {
        welf_extern ext;
        cr_assert_eq(welf_instance_export(inst, names[i], 1, &ext, &err),
                     WELF_OK, "%s", err.message);
        welf_val arg = {.type = WELF_TYPE_I32, .of.i32 = 4}, r;
        if (i == 3)
            arg = (welf_val){.type = WELF_TYPE_F64, .of.f64 = 3.0};
        cr_assert_eq(welf_func_call(ext.u.func, &arg, 1, &r, 1, &err),
                     WELF_OK, "%s: %s", names[i], err.message);
        if (i == 3)
            *dres = r.of.f64;
        else
            res[i] = r.of.i32;
    }
    welf_engine_free(engine);
}

Test(elf_merge, welf_object_still_loads)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    blob w = welf_object(dir);
    write_text(dir, "plain.c", src_plain);
    sh(dir, "clang " FIXTURE_FLAGS " plain.c -o plain.o");
    blob plain = read_blob(dir, "plain.o");

    int32_t want[4];
    double dwant;
    run_welf(w, want, &dwant);
    cr_assert_eq(want[0], 9);
    cr_assert_eq(want[1], 'o');
    cr_assert_eq(want[2], 9);
    cr_assert_eq(dwant, 4.5);

    /* Plain first, so every welf piece lands at a nonzero offset. */
    for (int order = 0; order < 2; order++) {
        blob in[2] = {order ? w : plain, order ? plain : w};
        blob out = merge_ok(in, 2);
        int32_t got[4];
        double dgot;
        run_welf(out, got, &dgot);
        for (int i = 0; i < 3; i++)
            cr_assert_eq(got[i], want[i], "order %d, export %d: %d, not %d",
                         order, i, got[i], want[i]);
        cr_assert_eq(dgot, dwant);
        static elfinfo info;
        elf_read(out, &info);
        check_symbol_order(&info);
        const char *welf_secs[] = {".text.wasm", ".text.welf.array",
                                   ".welf.module", ".data.rel.ro",
                                   ".rodata.welf.data"};
        for (size_t i = 0; i < WELF_ARRAY_LEN(welf_secs); i++)
            cr_assert_eq(sec_count(&info, welf_secs[i]), 1, "%s",
                         welf_secs[i]);
        cr_assert_eq(sec_count(&info, ".rela.welf.module"), 1);
        cr_assert_eq(sec_count(&info, ".llvm_addrsig"), 0);
        const esym *d = sym_find(&info, "welf_module_merged");
        cr_assert_not_null(d);
        cr_assert_eq(d->bind, STB_GLOBAL);
        cr_assert_str_eq(info.secs[d->shndx].name, ".welf.module");
        check_local(&info, "unrelated");
        free(out.b);
    }
    free(w.b);
    free(plain.b);
}

/* ---- 5: hostile inputs ---- */

/* Merging must fail cleanly or succeed; a success must itself be a
 * well-formed object: libelf reads it and it merges again. */
static welf_status merge_any(const blob *in, size_t n)
{
    blob out;
    welf_error err;
    welf_status st = merge_n(in, n, &out, &err);
    if (st != WELF_OK) {
        cr_assert_eq(st, WELF_ERR_USAGE, "%s: %s", welf_status_name(st),
                     err.message);
        cr_assert(strncmp(err.message, "inputs are not mergeable: ", 26) ==
                      0, "%s", err.message);
        return st;
    }
    cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
    Elf *e = elf_memory((char *)out.b, out.n);
    cr_assert_not_null(e);
    size_t shnum;
    cr_assert_eq(elf_getshdrnum(e, &shnum), 0);
    for (size_t i = 0; i < shnum; i++) {
        GElf_Shdr sh;
        cr_assert_not_null(gelf_getshdr(elf_getscn(e, i), &sh));
    }
    elf_end(e);
    blob again;
    st = merge_n(&out, 1, &again, &err);
    cr_assert_eq(st, WELF_OK, "output does not merge again: %s",
                 err.message);
    free(again.b);
    free(out.b);
    return WELF_OK;
}

Test(elf_merge, every_truncation)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    blob a = read_blob(dir, "a_clang.o"), b = read_blob(dir, "b_gcc.o");
    for (size_t len = 0; len < a.n; len++) {
        blob in[2] = {b, {a.b, len}};
        /* A copy of exactly `len` bytes, so ASan sees any overread. */
        in[1].b = malloc(len ? len : 1);
        memcpy(in[1].b, a.b, len);
        merge_any(in, 2);
        free(in[1].b);
    }
    free(a.b);
    free(b.b);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

Test(elf_merge, random_mutations)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    blob a = read_blob(dir, "a_clang.o"), b = read_blob(dir, "b_gcc.o");
    static const uint8_t interesting[] = {0, 1, 2, 3, 4, 7, 8, 0x10, 0x18,
                                          0x40, 0x7f, 0x80, 0xfe, 0xff};
    for (int iter = 0; iter < 4000; iter++) {
        blob victim = iter & 1 ? a : b;
        blob m = {malloc(victim.n), victim.n};
        memcpy(m.b, victim.b, victim.n);
        int flips = 1 + (int)(rng() % 4);
        for (int k = 0; k < flips; k++) {
            size_t at = (size_t)(rng() % m.n);
            /* Favour the headers: the section table is at the end. */
            if (rng() % 2)
                at = m.n - 1 - (size_t)(rng() % (m.n < 1024 ? m.n : 1024));
            if (rng() % 2)
                m.b[at] = interesting[rng() % sizeof interesting];
            else
                m.b[at] ^= (uint8_t)(1u << (rng() % 8));
        }
        blob other = iter & 1 ? b : a;
        blob in[2] = {iter & 2 ? other : m, iter & 2 ? m : other};
        merge_any(in, 2);
        free(m.b);
    }
    free(a.b);
    free(b.b);
}

/* Little-endian stores for the targeted corruptions. */
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

Test(elf_merge, structural_corruptions)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    blob good = read_blob(dir, "b_clang.o");
    uint64_t shoff = get64(good.b + 40);
    uint16_t shnum = get16(good.b + 60);
    int rejected = 0;
    /* For each section header, each field, a few hostile values. */
    static const uint64_t values[] = {0, 1, 3, 0x18, 0x7fffffff, 0xffffffff,
                                      0x100000000u, UINT64_MAX,
                                      UINT64_MAX - 7, (uint64_t)1 << 40,
                                      (uint64_t)1 << 63};
    static const struct { int off, width; } fields[] = {
        {0, 4}, {4, 4}, {8, 8}, {24, 8}, {32, 8}, {40, 4}, {44, 4},
        {48, 8}, {56, 8}};
    for (uint16_t s = 0; s < shnum; s++)
        for (size_t f = 0; f < WELF_ARRAY_LEN(fields); f++)
            for (size_t v = 0; v < WELF_ARRAY_LEN(values); v++) {
                blob m = {malloc(good.n), good.n};
                memcpy(m.b, good.b, good.n);
                uint8_t *p = m.b + shoff + (uint64_t)s * 64 + fields[f].off;
                if (fields[f].width == 4)
                    put32(p, (uint32_t)values[v]);
                else
                    put64(p, values[v]);
                if (merge_any(&m, 1) != WELF_OK)
                    rejected++;
                free(m.b);
            }
    cr_assert_gt(rejected, 100, "most corruptions are caught");
    /* Header fields. */
    static const int hdr16[] = {16, 18, 52, 58, 60, 62};
    for (size_t i = 0; i < WELF_ARRAY_LEN(hdr16); i++)
        for (int v = 0; v < 3; v++) {
            blob m = {malloc(good.n), good.n};
            memcpy(m.b, good.b, good.n);
            put16(m.b + hdr16[i], v == 0 ? 0 : v == 1 ? 0xffff : 0xff00);
            blob out;
            welf_error err;
            cr_assert_eq(merge_n(&m, 1, &out, &err), WELF_ERR_USAGE,
                         "header field %d", hdr16[i]);
            free(m.b);
        }
    /* Every symbol's every byte, to 0xff: names, shndx, info. */
    blob m = {malloc(good.n), good.n};
    for (size_t at = 0; at < good.n; at++) {
        memcpy(m.b, good.b, good.n);
        m.b[at] = 0xff;
        merge_any(&m, 1);
    }
    free(m.b);
    /* Garbage of many sizes. */
    for (size_t n = 0; n < 300; n += 7) {
        blob g = {malloc(n + 1), n};
        for (size_t i = 0; i < n; i++)
            g.b[i] = (uint8_t)rng();
        if (n >= 4)
            memcpy(g.b, "\x7f" "ELF", 4);
        blob out;
        welf_error err;
        cr_assert_eq(merge_n(&g, 1, &out, &err), WELF_ERR_USAGE);
        free(g.b);
    }
    free(good.b);
}

/* ---- arguments and allocation failures ---- */

Test(elf_merge, bad_arguments)
{
    welf_error err;
    uint8_t *out = (uint8_t *)"x";
    size_t size = 3;
    welf_error_clear(&err);
    cr_assert_eq(welf_elf_merge(NULL, NULL, 0, &out, &size, &err),
                 WELF_ERR_USAGE);
    cr_assert_null(out);
    cr_assert_eq(size, 0);
    const uint8_t *objs[1] = {NULL};
    size_t sizes[1] = {0};
    welf_error_clear(&err);
    cr_assert_eq(welf_elf_merge(objs, sizes, 1, &out, &size, &err),
                 WELF_ERR_USAGE);
    cr_assert_eq(welf_elf_merge(objs, sizes, 1, NULL, &size, NULL),
                 WELF_ERR_USAGE);
}

typedef struct hook {
    long requests, fail_at, live;
    bool failed;
} hook;

static void *hook_alloc(void *user, void *ptr, size_t size)
{
    hook *h = user;
    if (size == 0) {
        if (ptr)
            h->live--;
        free(ptr);
        return NULL;
    }
    if (h->requests++ == h->fail_at) {
        h->failed = true;
        return NULL;
    }
    void *p = realloc(ptr, size);
    if (p && !ptr)
        h->live++;
    return p;
}

Test(elf_merge, allocation_failures)
{
    char dir[64];
    tmp_make(dir, sizeof dir);
    make_inputs(dir);
    blob in[2] = {read_blob(dir, "a_gcc.o"), read_blob(dir, "b_clang.o")};
    blob want = merge_ok(in, 2);
    const uint8_t *objs[2] = {in[0].b, in[1].b};
    size_t sizes[2] = {in[0].n, in[1].n};
    for (long fail_at = 0;; fail_at++) {
        hook h = {0, fail_at, 0, false};
        welf_set_allocator(hook_alloc, &h);
        uint8_t *out = NULL;
        size_t size = 0;
        welf_error err;
        welf_error_clear(&err);
        welf_status st = welf_elf_merge(objs, sizes, 2, &out, &size, &err);
        if (!h.failed) {
            cr_assert_eq(st, WELF_OK);
            cr_assert_eq(size, want.n);
            cr_assert_eq(memcmp(out, want.b, size), 0);
            welf_free(out);
            welf_set_allocator(NULL, NULL);
            cr_assert_eq(h.live, 0, "leak on success");
            cr_assert_gt(fail_at, 5);
            break;
        }
        welf_set_allocator(NULL, NULL);
        cr_assert_eq(st, WELF_ERR_NOMEM, "request %ld: %s", fail_at,
                     err.message);
        cr_assert_null(out);
        cr_assert_eq(h.live, 0, "leak when request %ld fails", fail_at);
    }
    free(want.b);
    free_blobs(in, 2);
}
