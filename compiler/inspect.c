/*
 * inspect.c — `welf inspect FILE.o`: what a welf object holds. Sections
 * and symbols come from libelf; imports and exports from the runtime,
 * which loads the object (so inspect also proves it loads).
 */
#include "inspect.h"

#include <gelf.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "welf.h"

static const char *kind_name(welf_extern_kind k)
{
    static const char *const names[] = {"func", "table", "memory", "global"};
    return (unsigned)k < 4 ? names[k] : "?";
}


/* Prints a name that may hold any bytes, escaping what is not printable. */
static void print_name(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            putchar(c);
        else
            printf("\\x%02x", c);
    }
}

static void print_type(welf_extern_kind kind, const welf_functype_info *fn,
                       const welf_limits_info *lim, uint8_t type,
                       bool is_mutable)
{
    switch (kind) {
    case WELF_EXTERN_FUNC:
        printf("(");
        for (uint32_t i = 0; i < fn->param_count; i++)
            printf("%s%s", i ? " " : "", welf_valtype_str(fn->params[i]));
        printf(") -> (");
        for (uint32_t i = 0; i < fn->result_count; i++)
            printf("%s%s", i ? " " : "", welf_valtype_str(fn->results[i]));
        printf(")");
        break;
    case WELF_EXTERN_TABLE:
        printf("%s ", welf_valtype_str(type));
        /* fallthrough */
    case WELF_EXTERN_MEMORY:
        printf("%u", lim->min);
        if (lim->has_max)
            printf("..%u", lim->max);
        printf(kind == WELF_EXTERN_MEMORY ? " pages" : "");
        break;
    case WELF_EXTERN_GLOBAL:
        printf("%s%s", is_mutable ? "mut " : "", welf_valtype_str(type));
        break;
    }
}

static bool is_welf_section(const char *name)
{
    return strncmp(name, ".text.wasm", 10) == 0 ||
           strncmp(name, ".text.welf.", 11) == 0 ||
           strncmp(name, ".rodata.welf.", 13) == 0 ||
           strcmp(name, ".welf.module") == 0 || strcmp(name, ".eh_frame") == 0;
}

/* Sections with their share of the code, then the functions. */
static int print_elf(const char *path, const uint8_t *bytes, size_t size)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return 1;
    Elf *e = elf_memory((char *)bytes, size);
    size_t shstrndx;
    if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx)) {
        fprintf(stderr, "welf inspect: %s: not an ELF object\n", path);
        if (e)
            elf_end(e);
        return 1;
    }
    uint64_t code_total = 0;
    for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR))
            code_total += sh.sh_size;
    }
    printf("sections:\n");
    for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
        GElf_Shdr sh;
        const char *name;
        if (!gelf_getshdr(scn, &sh) ||
            !(name = elf_strptr(e, shstrndx, sh.sh_name)) ||
            !is_welf_section(name))
            continue;
        printf("  %-24s %8llu bytes", name, (unsigned long long)sh.sh_size);
        if ((sh.sh_flags & SHF_EXECINSTR) && code_total)
            printf("  %5.1f%% of code", 100.0 * (double)sh.sh_size /
                                            (double)code_total);
        printf("\n");
    }
    printf("functions (symbol, bytes, section):\n");
    for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
        for (size_t i = 0; data && i < n; i++) {
            GElf_Sym sym;
            GElf_Shdr target;
            const char *name, *sec;
            if (!gelf_getsym(data, (int)i, &sym) ||
                GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
                !(name = elf_strptr(e, sh.sh_link, sym.st_name)) ||
                !gelf_getshdr(elf_getscn(e, sym.st_shndx), &target) ||
                !(sec = elf_strptr(e, shstrndx, target.sh_name)))
                continue;
            printf("  %-40s %6llu  %s\n", name,
                   (unsigned long long)sym.st_size, sec);
        }
    }
    elf_end(e);
    return 0;
}

static int print_module(const char *path, const uint8_t *bytes, size_t size)
{
    welf_engine *engine;
    welf_module *m;
    welf_error err;
    if (welf_engine_new(&engine, &err))
        return fprintf(stderr, "welf inspect: %s\n", err.message), 1;
    if (welf_module_load_memory(engine, bytes, size, &m, &err)) {
        welf_cli_print_error(&err, path);
        welf_engine_free(engine);
        return 1;
    }
    uint32_t n = welf_module_import_count(m);
    printf("imports (%u):\n", n);
    for (uint32_t i = 0; i < n; i++) {
        welf_import_info im;
        welf_module_import(m, i, &im);
        printf("  %-6s ", kind_name(im.kind));
        print_name(im.module, im.module_len);
        printf(".");
        print_name(im.name, im.name_len);
        printf(" ");
        print_type(im.kind, &im.func, &im.limits, im.type, im.is_mutable);
        printf("\n");
    }
    n = welf_module_export_count(m);
    printf("exports (%u):\n", n);
    for (uint32_t i = 0; i < n; i++) {
        welf_export_info ex;
        welf_module_export(m, i, &ex);
        printf("  %-6s ", kind_name(ex.kind));
        print_name(ex.name, ex.name_len);
        printf(" [%u] ", ex.index);
        print_type(ex.kind, &ex.func, &ex.limits, ex.type, ex.is_mutable);
        printf("\n");
    }
    welf_engine_free(engine);
    return 0;
}

int welf_cli_inspect(int argc, char **argv)
{
    if (argc != 1 || argv[0][0] == '-') {
        fprintf(stderr, "usage: welf inspect FILE.o\n");
        return 2;
    }
    const char *path = argv[0];
    uint8_t *bytes;
    size_t size;
    welf_error err;
    if (welf_file_read(path, &bytes, &size, &err)) {
        fprintf(stderr, "welf inspect: %s\n", err.message);
        return 1;
    }
    printf("%s: %zu bytes\n", path, size);
    int rc = print_module(path, bytes, size);
    if (rc == 0)
        rc = print_elf(path, bytes, size);
    welf_free(bytes);
    return rc;
}
