/*
 * tests/runtime/loader.c — the ELF object loader (runtime/loader.h,
 * runtime/loader.c).
 *
 * The fixtures in tests/runtime/fixtures/loader_*.c play the role of
 * compiled modules; the Makefile builds them as welf builds an object
 * (PIC, hidden visibility) into WELF_FIXTURE_DIR. loader_basic.o is the
 * good one: the tests load it from disk, call its functions through the
 * descriptor (which only works if every relocation was applied right)
 * and check the mapping's protections. The others are wrong in one way
 * each. More broken objects are made by patching loader_basic.o in
 * memory (headers, sections, symbols, relocations), and a mutation loop
 * checks that random damage never crashes the loader.
 */
#include <criterion/criterion.h>

#include <elf.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

#define FIXTURE(name) WELF_FIXTURE_DIR "/" name ".o"

/* The same descriptor, linked into this program. */
extern const welf_desc_module welf_module_loader_basic;

/* ---- reading and patching objects ---- */

typedef struct obj {
    uint8_t *bytes;
    size_t size;
} obj;

static obj obj_read(const char *path)
{
    obj o;
    welf_error err;
    welf_status st = welf_file_read(path, &o.bytes, &o.size, &err);
    cr_assert_eq(st, WELF_OK, "cannot read %s: %s", path, err.message);
    return o;
}

static void obj_free(obj *o)
{
    welf_free(o->bytes);
    o->bytes = NULL;
}

static Elf64_Ehdr ehdr_get(const obj *o)
{
    Elf64_Ehdr eh;
    cr_assert_geq(o->size, sizeof eh);
    memcpy(&eh, o->bytes, sizeof eh);
    return eh;
}

static size_t shdr_off(const obj *o, size_t i)
{
    Elf64_Ehdr eh = ehdr_get(o);
    cr_assert_lt(i, eh.e_shnum);
    size_t off = eh.e_shoff + i * sizeof(Elf64_Shdr);
    cr_assert_leq(off + sizeof(Elf64_Shdr), o->size);
    return off;
}

static Elf64_Shdr shdr_get(const obj *o, size_t i)
{
    Elf64_Shdr sh;
    memcpy(&sh, o->bytes + shdr_off(o, i), sizeof sh);
    return sh;
}

static void shdr_put(obj *o, size_t i, const Elf64_Shdr *sh)
{
    memcpy(o->bytes + shdr_off(o, i), sh, sizeof *sh);
}

/* The index of the section called `name`. */
static size_t sec_find(const obj *o, const char *name)
{
    Elf64_Ehdr eh = ehdr_get(o);
    Elf64_Shdr names = shdr_get(o, eh.e_shstrndx);
    for (size_t i = 1; i < eh.e_shnum; i++) {
        Elf64_Shdr sh = shdr_get(o, i);
        if (strcmp((const char *)o->bytes + names.sh_offset + sh.sh_name,
                   name) == 0)
            return i;
    }
    cr_assert_fail("no section %s", name);
    return 0;
}

/* The file offset of the symbol called `name`. */
static size_t sym_off(const obj *o, const char *name)
{
    size_t symtab = sec_find(o, ".symtab");
    Elf64_Shdr sh = shdr_get(o, symtab);
    Elf64_Shdr str = shdr_get(o, sh.sh_link);
    for (size_t i = 1; i < sh.sh_size / sizeof(Elf64_Sym); i++) {
        size_t off = sh.sh_offset + i * sizeof(Elf64_Sym);
        Elf64_Sym sym;
        memcpy(&sym, o->bytes + off, sizeof sym);
        if (strcmp((const char *)o->bytes + str.sh_offset + sym.st_name,
                   name) == 0)
            return off;
    }
    cr_assert_fail("no symbol %s", name);
    return 0;
}

static Elf64_Sym sym_get(const obj *o, size_t off)
{
    Elf64_Sym sym;
    memcpy(&sym, o->bytes + off, sizeof sym);
    return sym;
}

static void sym_put(obj *o, size_t off, const Elf64_Sym *sym)
{
    memcpy(o->bytes + off, sym, sizeof *sym);
}

/* The file offset of relocation j in section `name`. */
static size_t rela_off(const obj *o, const char *name, size_t j)
{
    Elf64_Shdr sh = shdr_get(o, sec_find(o, name));
    cr_assert_eq(sh.sh_type, SHT_RELA);
    cr_assert_lt(j, sh.sh_size / sizeof(Elf64_Rela));
    return sh.sh_offset + j * sizeof(Elf64_Rela);
}

/* The file offset of the first relocation in section `name` of type
 * `type`; its index there goes to *index. */
static size_t rela_find(const obj *o, const char *name, uint32_t type,
                        size_t *index)
{
    Elf64_Shdr sh = shdr_get(o, sec_find(o, name));
    for (size_t j = 0; j < sh.sh_size / sizeof(Elf64_Rela); j++) {
        size_t off = sh.sh_offset + j * sizeof(Elf64_Rela);
        Elf64_Rela r;
        memcpy(&r, o->bytes + off, sizeof r);
        if (ELF64_R_TYPE(r.r_info) == type) {
            if (index)
                *index = j;
            return off;
        }
    }
    cr_assert_fail("no relocation of type %u in %s", type, name);
    return 0;
}

/* The file offset of the relocation in section `name` that patches
 * offset `at` of its section. */
static size_t rela_find_at(const obj *o, const char *name, uint64_t at)
{
    Elf64_Shdr sh = shdr_get(o, sec_find(o, name));
    for (size_t j = 0; j < sh.sh_size / sizeof(Elf64_Rela); j++) {
        size_t off = sh.sh_offset + j * sizeof(Elf64_Rela);
        Elf64_Rela r;
        memcpy(&r, o->bytes + off, sizeof r);
        if (r.r_offset == at)
            return off;
    }
    cr_assert_fail("no relocation at 0x%" PRIx64 " in %s", at, name);
    return 0;
}

static Elf64_Rela rela_get(const obj *o, size_t off)
{
    Elf64_Rela r;
    memcpy(&r, o->bytes + off, sizeof r);
    return r;
}

static void rela_put(obj *o, size_t off, const Elf64_Rela *r)
{
    memcpy(o->bytes + off, r, sizeof *r);
}

/* ---- expectations ---- */

static void expect_reject(const void *bytes, size_t size, const char *what)
{
    welf_code code;
    welf_error err;
    memset(&code, 0xab, sizeof code);
    welf_status st = welf_code_load(bytes, size, &code, &err);
    cr_assert_eq(st, WELF_ERR_OBJECT, "status %d (%s), wanted a rejection "
                 "mentioning \"%s\"", st, err.message, what);
    cr_assert_eq(err.code, WELF_ERR_OBJECT);
    cr_assert(strstr(err.message, what) != NULL,
              "message \"%s\" does not mention \"%s\"", err.message, what);
    cr_assert_null(code.map, "a failed load leaves the output zeroed");
    cr_assert_null(code.desc);
    welf_code_unload(&code);
}

static void expect_fixture_reject(const char *path, const char *what)
{
    obj o = obj_read(path);
    expect_reject(o.bytes, o.size, what);
    obj_free(&o);
}

static void load_ok(const obj *o, welf_code *code)
{
    welf_error err;
    welf_status st = welf_code_load(o->bytes, o->size, code, &err);
    cr_assert_eq(st, WELF_OK, "load failed: %s", err.message);
    cr_assert_not_null(code->map);
    cr_assert_not_null(code->desc);
}

static bool in_map(const welf_code *code, const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)code->map;
    return a >= lo && a - lo <= code->map_size &&
           code->map_size - (a - lo) >= len;
}

/*
 * Checks that every page of [lo, hi) is mapped with permissions `want`
 * ("r-x", "r--") according to /proc/self/maps.
 */
static void expect_perms(uintptr_t lo, uintptr_t hi, const char *want)
{
    FILE *f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f);
    char line[512];
    uintptr_t covered = 0;
    while (fgets(line, sizeof line, f)) {
        uintptr_t a, b;
        char perms[5];
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &a, &b, perms) !=
            3)
            continue;
        if (b <= lo || a >= hi)
            continue;
        cr_expect(strncmp(perms, want, 3) == 0,
                  "pages %" PRIxPTR "-%" PRIxPTR " are %s, wanted %s", a, b,
                  perms, want);
        covered += (b < hi ? b : hi) - (a > lo ? a : lo);
    }
    fclose(f);
    cr_assert_eq(covered, hi - lo, "not all of the range is mapped");
}

/* ---- the good object ---- */

Test(loader, descriptor)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    welf_code code;
    load_ok(&o, &code);
    obj_free(&o); /* the mapping holds copies */

    const welf_desc_module *d = code.desc;
    cr_assert_neq(d, &welf_module_loader_basic, "not the linked-in copy");
    cr_assert(in_map(&code, d, sizeof *d));
    cr_assert_eq(d->magic, WELF_ABI_MAGIC);
    cr_assert_eq(d->version, WELF_ABI_VERSION);
    cr_assert(in_map(&code, d->target, sizeof WELF_ABI_TARGET));
    cr_assert_str_eq(d->target, WELF_ABI_TARGET);
    cr_assert_eq(d->name_len, 12);
    cr_assert(memcmp(d->name, "loader_basic", 12) == 0);
    cr_assert_eq(d->start_func, -1);

    /* Same shape as the copy the static linker relocated. */
    const welf_desc_module *s = &welf_module_loader_basic;
    cr_assert_eq(d->type_count, s->type_count);
    cr_assert_eq(d->func_count, s->func_count);
    cr_assert_eq(d->export_count, s->export_count);
    cr_assert_eq(d->func_count, 6);
    cr_assert_null(d->imports);

    cr_assert(in_map(&code, d->types, sizeof *d->types));
    cr_assert_eq(d->types[0].param_count, 2);
    cr_assert(memcmp(d->types[0].types, "\x7f\x7f\x7f", 3) == 0);
    cr_assert(in_map(&code, d->funcs, d->func_count * sizeof *d->funcs));
    cr_assert(memcmp(d->funcs[2].name, "apply", 5) == 0);
    cr_assert(in_map(&code, d->exports, 2 * sizeof *d->exports));
    cr_assert(memcmp(d->exports[1].name, "mul", 3) == 0);
    cr_assert_eq(d->exports[1].index, 1);

    cr_assert_eq(welf_desc_check(d, &(welf_error){0}), WELF_OK);
    welf_code_unload(&code);
    cr_assert_null(code.map);
    cr_assert_eq(code.map_size, 0);
}

Test(loader, calls_through_relocations)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    welf_code code;
    load_ok(&o, &code);
    obj_free(&o);
    const welf_desc_func *f = code.desc->funcs;

    int (*add)(int, int) = (int (*)(int, int))f[0].wasm_call;
    int (*mul)(int, int) = (int (*)(int, int))f[1].wasm_call;
    int (*apply)(int, int, int) = (int (*)(int, int, int))f[2].wasm_call;
    int (*char_at)(int) = (int (*)(int))f[3].wasm_call;
    int (*zero_sum)(void) = (int (*)(void))f[4].wasm_call;
    intptr_t (*pc64)(void) = (intptr_t (*)(void))f[5].wasm_call;

    cr_assert_eq(add(2, 3), 5);
    cr_assert_eq(mul(6, 7), 42);
    /* Through the R_X86_64_64 function table. */
    cr_assert_eq(apply(0, 2, 3), 5);
    cr_assert_eq(apply(1, 6, 7), 42);
    /* A PLT32 call. */
    cr_assert_eq(apply(9, 6, 7), 1042);
    /* PC32 into .rodata. */
    for (int i = 0; i < 12; i++)
        cr_assert_eq(char_at(i), "loader_basic"[i], "char %d", i);
    /* PC32 into .bss, which reads as zeros. */
    cr_assert_eq(zero_sum(), 0);
    /* PC64, and a NONE relocation that changes nothing. */
    cr_assert_eq(pc64(), (intptr_t)f[1].wasm_call);

    welf_code_unload(&code);
}

Test(loader, text_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    welf_code code;
    load_ok(&o, &code);
    obj_free(&o);
    long page = sysconf(_SC_PAGESIZE);

    cr_assert_eq((uintptr_t)code.map % (uintptr_t)page, 0);
    cr_assert_eq(code.map_size % (size_t)page, 0);
    cr_assert_eq(code.text_start, (uintptr_t)code.map);
    cr_assert_lt(code.text_start, code.text_end);
    cr_assert_leq(code.text_end, (uintptr_t)code.map + code.map_size);
    for (uint32_t i = 0; i < code.desc->func_count; i++) {
        uintptr_t fn = (uintptr_t)code.desc->funcs[i].wasm_call;
        cr_assert(fn >= code.text_start && fn < code.text_end,
                  "function %u at %#" PRIxPTR " outside the text range", i,
                  fn);
    }
    /* Data is not in the text range. */
    uintptr_t d = (uintptr_t)code.desc;
    cr_assert(d >= code.text_end);
    cr_assert((uintptr_t)code.desc->target >= code.text_end);
    welf_code_unload(&code);
}

Test(loader, protections)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    welf_code code;
    load_ok(&o, &code);
    obj_free(&o);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)code.map, hi = lo + code.map_size;
    uintptr_t code_end = (code.text_end + page - 1) & ~(page - 1);

    expect_perms(lo, code_end, "r-x");
    expect_perms(code_end, hi, "r--");
    welf_code_unload(&code);
}

Test(loader, text_is_not_writable, .signal = SIGSEGV)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    welf_code code;
    load_ok(&o, &code);
    obj_free(&o);
    *(volatile uint8_t *)code.desc->funcs[0].wasm_call = 0xc3;
}

Test(loader, descriptor_is_not_writable, .signal = SIGSEGV)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    welf_code code;
    load_ok(&o, &code);
    obj_free(&o);
    ((volatile welf_desc_module *)code.desc)->version = WELF_ABI_VERSION + 1;
}

Test(loader, load_twice_and_unload)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    welf_code a, b;
    load_ok(&o, &a);
    load_ok(&o, &b);
    cr_assert_neq(a.map, b.map);
    int (*mul_a)(int, int) = (int (*)(int, int))a.desc->funcs[1].wasm_call;
    int (*mul_b)(int, int) = (int (*)(int, int))b.desc->funcs[1].wasm_call;
    cr_assert_neq((void *)mul_a, (void *)mul_b);
    welf_code_unload(&a);
    cr_assert_eq(mul_b(3, 4), 12);
    welf_code_unload(&b);
    welf_code_unload(&b); /* zeroed by the first unload */
    obj_free(&o);

    welf_code zero;
    memset(&zero, 0, sizeof zero);
    welf_code_unload(&zero);
    welf_code_unload(NULL);
}

Test(loader, desc_check)
{
    welf_error err;
    welf_desc_module d = welf_module_loader_basic;
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_OK);

    d.magic = 0x7f454c46;
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_ERR_OBJECT);
    cr_assert(strstr(err.message, "magic 0x7f454c46") != NULL, "%s",
              err.message);

    d = welf_module_loader_basic;
    d.version = WELF_ABI_VERSION + 1;
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_ERR_OBJECT);
    char want[128];
    snprintf(want, sizeof want, "object built for ABI version %u, this "
             "runtime reads version %u", WELF_ABI_VERSION + 1,
             WELF_ABI_VERSION);
    cr_assert_str_eq(err.message, want);

    d = welf_module_loader_basic;
    d.target = NULL;
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_ERR_OBJECT);
    cr_assert(strstr(err.message, "no target") != NULL, "%s", err.message);

    /* A prefix or an extension of the right target is wrong. */
    d.target = "x86_64-linux-gnu";
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_ERR_OBJECT);
    cr_assert(strstr(err.message, "\"x86_64-linux-gnu\"") != NULL, "%s",
              err.message);
    d.target = "x86_64";
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_ERR_OBJECT);

    /* A very long target is read no further than a bound. */
    static char long_target[4096];
    memset(long_target, 'x', sizeof long_target - 1);
    d.target = long_target;
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_ERR_OBJECT);
    cr_assert(strstr(err.message, "...") != NULL, "%s", err.message);

    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(NULL, &err), WELF_ERR_OBJECT);
}

/* ---- not an object at all ---- */

Test(loader, not_elf)
{
    static const char text[] = "this is not an ELF object, just some text "
                               "that is long enough to be one";
    expect_reject(text, sizeof text, "not an ELF file");
    expect_reject("\0asm\1\0\0\0", 8, "not an ELF file");
    expect_reject("", 0, "empty");
    expect_reject(NULL, 0, "empty");
    expect_reject("\x7f" "ELF", 4, "not an ELF file");
}

Test(loader, null_output)
{
    welf_error err;
    cr_assert_eq(welf_code_load("x", 1, NULL, &err), WELF_ERR_USAGE);
}

Test(loader, truncated)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    expect_reject(o.bytes, 40, "truncated ELF header");
    /* The section header table is at the end. */
    expect_reject(o.bytes, o.size - 1, "section header");
    expect_reject(o.bytes, o.size / 2, "section header");
    obj_free(&o);
}

Test(loader, truncated_everywhere)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    for (size_t n = 0; n < o.size; n++) {
        welf_code code;
        welf_error err;
        welf_status st = welf_code_load(o.bytes, n, &code, &err);
        cr_assert_eq(st, WELF_ERR_OBJECT, "%zu bytes: status %d (%s)", n,
                     st, err.message);
        cr_assert_neq(err.message[0], '\0');
    }
    obj_free(&o);
}

/* ---- wrong headers ---- */

Test(loader, elf32)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    o.bytes[EI_CLASS] = ELFCLASS32;
    expect_reject(o.bytes, o.size, "not an x86-64 relocatable object");
    obj_free(&o);
}

Test(loader, big_endian)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    o.bytes[EI_DATA] = ELFDATA2MSB;
    expect_reject(o.bytes, o.size, "not an x86-64 relocatable object");
    obj_free(&o);
}

Test(loader, executable)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    Elf64_Ehdr eh = ehdr_get(&o);
    eh.e_type = ET_EXEC;
    memcpy(o.bytes, &eh, sizeof eh);
    expect_reject(o.bytes, o.size, "not an x86-64 relocatable object");
    eh.e_type = ET_DYN;
    memcpy(o.bytes, &eh, sizeof eh);
    expect_reject(o.bytes, o.size, "not an x86-64 relocatable object");
    obj_free(&o);
}

Test(loader, other_machine)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    Elf64_Ehdr eh = ehdr_get(&o);
    eh.e_machine = EM_AARCH64;
    memcpy(o.bytes, &eh, sizeof eh);
    expect_reject(o.bytes, o.size, "not an x86-64 relocatable object");
    obj_free(&o);
}

Test(loader, section_headers_out_of_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    Elf64_Ehdr eh = ehdr_get(&o), bad = eh;
    bad.e_shnum = 0xff00 - 1;
    memcpy(o.bytes, &bad, sizeof bad);
    expect_reject(o.bytes, o.size, "section header");
    bad = eh;
    bad.e_shoff = UINT64_MAX - 8;
    memcpy(o.bytes, &bad, sizeof bad);
    expect_reject(o.bytes, o.size, "section header");
    bad = eh;
    bad.e_shentsize = 32;
    memcpy(o.bytes, &bad, sizeof bad);
    expect_reject(o.bytes, o.size, "section header size");
    bad = eh;
    bad.e_shstrndx = (uint16_t)(eh.e_shnum + 3);
    memcpy(o.bytes, &bad, sizeof bad);
    expect_reject(o.bytes, o.size, "section name table");
    obj_free(&o);
}

/* ---- wrong sections and symbols ---- */

Test(loader, section_offset_out_of_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t text = sec_find(&o, ".text");
    Elf64_Shdr sh = shdr_get(&o, text);
    sh.sh_offset = o.size - 4;
    shdr_put(&o, text, &sh);
    char want[100];
    snprintf(want, sizeof want, "section %zu (.text): contents", text);
    expect_reject(o.bytes, o.size, want);
    expect_reject(o.bytes, o.size, "run past the end of the file");
    sh.sh_offset = UINT64_MAX - 2;
    shdr_put(&o, text, &sh);
    expect_reject(o.bytes, o.size, "run past the end of the file");
    obj_free(&o);
}

Test(loader, section_name_out_of_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t text = sec_find(&o, ".text");
    Elf64_Shdr sh = shdr_get(&o, text);
    sh.sh_name = 0x7fffffff;
    shdr_put(&o, text, &sh);
    expect_reject(o.bytes, o.size, "name offset 0x7fffffff");
    obj_free(&o);
}

Test(loader, section_alignment)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t text = sec_find(&o, ".text");
    Elf64_Shdr sh = shdr_get(&o, text);
    sh.sh_addralign = 24;
    shdr_put(&o, text, &sh);
    expect_reject(o.bytes, o.size, "not a power of two");
    sh.sh_addralign = (uint64_t)1 << 40;
    shdr_put(&o, text, &sh);
    expect_reject(o.bytes, o.size, "larger than a page");
    obj_free(&o);
}

Test(loader, huge_bss)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t bss = sec_find(&o, ".bss");
    Elf64_Shdr sh = shdr_get(&o, bss);
    cr_assert_eq(sh.sh_type, SHT_NOBITS);
    sh.sh_size = (uint64_t)1 << 40;
    shdr_put(&o, bss, &sh);
    expect_reject(o.bytes, o.size, "limit");
    sh.sh_size = UINT64_MAX;
    shdr_put(&o, bss, &sh);
    expect_reject(o.bytes, o.size, "limit");
    obj_free(&o);
}

Test(loader, thread_local_section)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t bss = sec_find(&o, ".bss");
    Elf64_Shdr sh = shdr_get(&o, bss);
    sh.sh_flags |= SHF_TLS;
    shdr_put(&o, bss, &sh);
    expect_reject(o.bytes, o.size, "thread-local");
    obj_free(&o);
}

Test(loader, symbol_section_out_of_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = sym_off(&o, "loader_basic_mul");
    Elf64_Sym sym = sym_get(&o, off);
    sym.st_shndx = 0xfe00;
    sym_put(&o, off, &sym);
    expect_reject(o.bytes, o.size,
                  "(loader_basic_mul): section index 65024 out of range");
    obj_free(&o);
}

Test(loader, symbol_value_out_of_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = sym_off(&o, "loader_basic_mul");
    Elf64_Sym sym = sym_get(&o, off);
    sym.st_value = 0x123456789;
    sym_put(&o, off, &sym);
    expect_reject(o.bytes, o.size, "value 0x123456789 is outside section");
    obj_free(&o);
}

Test(loader, symbol_name_out_of_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = sym_off(&o, "loader_basic_mul");
    Elf64_Sym sym = sym_get(&o, off);
    sym.st_name = 0xfffffff0;
    sym_put(&o, off, &sym);
    expect_reject(o.bytes, o.size, "name offset 0xfffffff0");
    obj_free(&o);
}

Test(loader, common_symbol)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = sym_off(&o, "loader_basic_zeros");
    Elf64_Sym sym = sym_get(&o, off);
    sym.st_shndx = SHN_COMMON;
    sym_put(&o, off, &sym);
    expect_reject(o.bytes, o.size,
                  "(loader_basic_zeros) is a common symbol (SHN_COMMON)");
    obj_free(&o);
}

Test(loader, no_symbol_table)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t symtab = sec_find(&o, ".symtab");
    Elf64_Shdr sh = shdr_get(&o, symtab);
    sh.sh_type = SHT_PROGBITS;
    shdr_put(&o, symtab, &sh);
    expect_reject(o.bytes, o.size, "no symbol table");
    obj_free(&o);
}

Test(loader, undefined_symbol)
{
    expect_fixture_reject(FIXTURE("loader_undef"),
                          "undefined symbol 'loader_undef_missing'");
}

Test(loader, undefined_after_patch)
{
    /* A defined symbol made undefined: the relocations that use it must
     * be refused. */
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = sym_off(&o, "loader_basic_mul");
    Elf64_Sym sym = sym_get(&o, off);
    sym.st_shndx = SHN_UNDEF;
    sym_put(&o, off, &sym);
    expect_reject(o.bytes, o.size, "undefined symbol 'loader_basic_mul'");
    obj_free(&o);
}

/* ---- wrong relocations ---- */

static void patch_rela_type(obj *o, size_t off, uint32_t type)
{
    Elf64_Rela r = rela_get(o, off);
    r.r_info = ELF64_R_INFO(ELF64_R_SYM(r.r_info), type);
    rela_put(o, off, &r);
}

Test(loader, relocation_32s)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    /* The call to loader_basic_mul. */
    size_t j;
    patch_rela_type(&o, rela_find(&o, ".rela.text", R_X86_64_PLT32, &j),
                    R_X86_64_32S);
    char want[200];
    snprintf(want, sizeof want,
             "relocation %zu in section %zu (.rela.text): type 11 "
             "(R_X86_64_32S) against 'loader_basic_mul' is not "
             "position-independent", j, sec_find(&o, ".rela.text"));
    expect_reject(o.bytes, o.size, want);
    obj_free(&o);
}

Test(loader, relocation_unknown_type)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    patch_rela_type(&o, rela_off(&o, ".rela.welf.module", 0), 200);
    expect_reject(o.bytes, o.size, "type 200 (unknown type)");
    obj_free(&o);
}

Test(loader, relocation_needs_got)
{
    expect_fixture_reject(FIXTURE("loader_got"),
                          "(R_X86_64_REX_GOTPCRELX) against "
                          "'loader_got_value' needs a GOT: the object "
                          "refers to a symbol that is not hidden");
}

Test(loader, relocation_tls)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    patch_rela_type(&o, rela_off(&o, ".rela.text", 0), R_X86_64_TPOFF32);
    expect_reject(o.bytes, o.size, "thread-local storage");
    obj_free(&o);
}

Test(loader, relocation_symbol_out_of_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = rela_off(&o, ".rela.welf.module", 2);
    Elf64_Rela r = rela_get(&o, off);
    r.r_info = ELF64_R_INFO(0xffffff, ELF64_R_TYPE(r.r_info));
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, "symbol index 16777215 out of range");
    obj_free(&o);
}

Test(loader, relocation_offset_out_of_range)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = rela_off(&o, ".rela.text", 0);
    Elf64_Rela r = rela_get(&o, off);
    Elf64_Shdr text = shdr_get(&o, sec_find(&o, ".text"));
    char want[100];
    snprintf(want, sizeof want, "is outside section %zu (.text)",
             sec_find(&o, ".text"));
    r.r_offset = text.sh_size - 3; /* 4 bytes would cross the end */
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, want);
    r.r_offset = UINT64_MAX - 1;
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, want);
    obj_free(&o);
}

Test(loader, relocation_overflow)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = rela_find(&o, ".rela.text", R_X86_64_PLT32, NULL);
    Elf64_Rela r = rela_get(&o, off);
    r.r_addend = (int64_t)1 << 33;
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, "does not fit in 32 bits");
    r.r_addend = -((int64_t)1 << 33);
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, "does not fit in 32 bits");
    obj_free(&o);
}

Test(loader, relocation_section_links)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t rel = sec_find(&o, ".rela.text");
    Elf64_Shdr sh = shdr_get(&o, rel), bad = sh;
    bad.sh_info = 0x7777;
    shdr_put(&o, rel, &bad);
    expect_reject(o.bytes, o.size, "applies to section 30583, out of range");
    bad = sh;
    bad.sh_link = 1;
    shdr_put(&o, rel, &bad);
    expect_reject(o.bytes, o.size, "as its symbol table");
    bad = sh;
    bad.sh_entsize = 16;
    shdr_put(&o, rel, &bad);
    expect_reject(o.bytes, o.size, "relocation entry size 16");
    bad = sh;
    bad.sh_type = SHT_REL;
    shdr_put(&o, rel, &bad);
    expect_reject(o.bytes, o.size, "SHT_REL");
    obj_free(&o);
}

Test(loader, relocations_of_unloaded_sections_are_skipped)
{
    /* Relocations for a section that is not loaded (like debug info) are
     * not applied, so their errors do not matter. */
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t eh = sec_find(&o, ".eh_frame");
    Elf64_Shdr sh = shdr_get(&o, eh);
    sh.sh_flags &= ~(uint64_t)SHF_ALLOC;
    shdr_put(&o, eh, &sh);
    patch_rela_type(&o, rela_off(&o, ".rela.eh_frame", 0), R_X86_64_32S);
    welf_code code;
    load_ok(&o, &code);
    welf_code_unload(&code);
    obj_free(&o);
}

/* ---- the descriptor ---- */

Test(loader, no_descriptor)
{
    expect_fixture_reject(FIXTURE("loader_nodesc"), "no module descriptor");
}

Test(loader, two_descriptors)
{
    expect_fixture_reject(FIXTURE("loader_twodesc"),
                          "two module descriptors: ");
    expect_fixture_reject(FIXTURE("loader_twodesc"),
                          "'welf_module_loader_twodesc_a'");
    expect_fixture_reject(FIXTURE("loader_twodesc"),
                          "'welf_module_loader_twodesc_b'");
}

Test(loader, bad_magic)
{
    expect_fixture_reject(FIXTURE("loader_bad_magic"),
                          "bad descriptor magic 0x12345678, expected "
                          "0x464c4557");
}

Test(loader, bad_version)
{
    char want[128];
    snprintf(want, sizeof want, "object built for ABI version %u, this "
             "runtime reads version %u", WELF_ABI_VERSION + 1,
             WELF_ABI_VERSION);
    expect_fixture_reject(FIXTURE("loader_bad_version"), want);
}

Test(loader, bad_target)
{
    expect_fixture_reject(FIXTURE("loader_bad_target"),
                          "object built for target \"aarch64-linux\", this "
                          "runtime runs on \"x86_64-linux\"");
}

Test(loader, descriptor_too_small)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = sym_off(&o, "welf_module_loader_basic");
    Elf64_Sym sym = sym_get(&o, off);
    sym.st_size = 8;
    sym_put(&o, off, &sym);
    expect_reject(o.bytes, o.size, "smaller than a descriptor");
    sym.st_size = 4096;
    sym_put(&o, off, &sym);
    expect_reject(o.bytes, o.size, "runs past the end of section");
    sym.st_size = sizeof(welf_desc_module);
    sym.st_value = 8;
    sym_put(&o, off, &sym);
    expect_reject(o.bytes, o.size, "runs past the end of section");
    obj_free(&o);
}

Test(loader, descriptor_symbol_kind)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = sym_off(&o, "welf_module_loader_basic");
    Elf64_Sym sym = sym_get(&o, off), bad = sym;
    bad.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
    sym_put(&o, off, &bad);
    expect_reject(o.bytes, o.size, "not an object");
    bad.st_info = ELF64_ST_INFO(STB_LOCAL, STT_OBJECT);
    sym_put(&o, off, &bad);
    expect_reject(o.bytes, o.size, "no module descriptor");
    /* WEAK and NOTYPE are fine. */
    bad.st_info = ELF64_ST_INFO(STB_WEAK, STT_NOTYPE);
    sym_put(&o, off, &bad);
    welf_code code;
    load_ok(&o, &code);
    welf_code_unload(&code);
    obj_free(&o);
}

Test(loader, descriptor_target_outside)
{
    /* Send the descriptor's target pointer elsewhere. */
    obj o = obj_read(FIXTURE("loader_basic"));
    size_t off = rela_find_at(&o, ".rela.welf.module",
                              offsetof(welf_desc_module, target));
    Elf64_Rela r = rela_get(&o, off), good = r;
    r.r_addend = (int64_t)1 << 30;
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, "target string is outside the object");
    r.r_addend = -((int64_t)1 << 30);
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, "target string is outside the object");
    /* Inside, but the wrong string (a suffix of the right one). */
    r.r_addend = good.r_addend + 1;
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, "object built for target \"86_64-linux\"");
    /* No target at all. */
    r.r_info = ELF64_R_INFO(0, R_X86_64_NONE);
    rela_put(&o, off, &r);
    expect_reject(o.bytes, o.size, "no target string");
    obj_free(&o);
}

/* ---- random damage ---- */

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

typedef struct range {
    size_t off, len;
} range;

Test(loader, mutations)
{
    obj o = obj_read(FIXTURE("loader_basic"));
    uint8_t *m = malloc(o.size);
    cr_assert_not_null(m);

    /* The structures the loader reads, where damage is most telling. */
    range hot[32];
    size_t nhot = 0;
    Elf64_Ehdr eh = ehdr_get(&o);
    hot[nhot++] = (range){0, sizeof eh};
    hot[nhot++] = (range){eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr)};
    for (size_t i = 1; i < eh.e_shnum && nhot < 32; i++) {
        Elf64_Shdr sh = shdr_get(&o, i);
        if ((sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_RELA) &&
            sh.sh_size)
            hot[nhot++] = (range){sh.sh_offset, sh.sh_size};
    }

    uint64_t seed = 0x10ade5;
    unsigned ok = 0, rejected = 0;
    for (int iter = 0; iter < 2000; iter++) {
        memcpy(m, o.bytes, o.size);
        int n = 1 + (int)(rng_next(&seed) % 4);
        for (int k = 0; k < n; k++) {
            uint64_t r = rng_next(&seed);
            size_t pos;
            if (r & 1) {
                const range *h = &hot[(r >> 1) % nhot];
                pos = h->off + (size_t)((r >> 8) % h->len);
            } else {
                pos = (size_t)((r >> 1) % o.size);
            }
            static const uint8_t interesting[] = {0x00, 0xff, 0x7f, 0x80,
                                                  0x01, 0x40};
            switch ((r >> 40) % 3) {
            case 0:
                m[pos] ^= (uint8_t)(1u << ((r >> 48) % 8));
                break;
            case 1:
                m[pos] = interesting[(r >> 48) % sizeof interesting];
                break;
            default:
                m[pos] = (uint8_t)(r >> 48);
                break;
            }
        }
        welf_code code;
        welf_error err;
        welf_status st = welf_code_load(m, o.size, &code, &err);
        if (st == WELF_OK) {
            ok++;
            cr_assert(in_map(&code, code.desc, sizeof *code.desc),
                      "iteration %d", iter);
            cr_assert(code.text_start <= code.text_end &&
                      code.text_end <=
                          (uintptr_t)code.map + code.map_size,
                      "iteration %d", iter);
            welf_code_unload(&code);
        } else {
            rejected++;
            cr_assert_eq(st, WELF_ERR_OBJECT, "iteration %d: status %d: %s",
                         iter, st, err.message);
            cr_assert_neq(err.message[0], '\0', "iteration %d", iter);
            cr_assert_null(code.map, "iteration %d", iter);
        }
    }
    cr_log_info("mutations: %u loaded, %u rejected", ok, rejected);
    cr_assert_gt(ok, 0);
    cr_assert_gt(rejected, 0);
    free(m);
    obj_free(&o);
}

/* An object built for more than this CPU has is refused, naming both
 * levels; one built for this CPU's level or below loads. */
Test(loader, cpu_level)
{
    welf_error err;
    welf_desc_module d = welf_module_loader_basic;
    d.cpu_level = welf_cpu_level() + 1;
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_ERR_OBJECT);
    cr_assert(strstr(err.message, "this CPU only supports") != NULL, "%s",
              err.message);
    d.cpu_level = welf_cpu_level();
    welf_error_clear(&err);
    cr_assert_eq(welf_desc_check(&d, &err), WELF_OK, "%s", err.message);
    d.cpu_level = 1;
    cr_assert_eq(welf_desc_check(&d, &err), WELF_OK, "%s", err.message);
}
