/*
 * loader.h — mapping a welf relocatable object into memory: read its
 * sections, symbols and relocations with libelf, copy the allocated
 * sections into a fresh mapping, apply the relocations LLVM emits for PIC
 * code, make code read+execute and everything else read-only, and find
 * the module descriptor. Nothing in the object is trusted until its ELF
 * header, its relocations and its descriptor's magic, version and target
 * have been checked.
 */
#ifndef WELF_LOADER_H
#define WELF_LOADER_H

#include "abi.h"
#include "util.h"

/* A loaded object's mapping. Owned by the welf_module that loaded it. */
typedef struct welf_code {
    void *map;                    /* the whole mapping, map_size bytes */
    size_t map_size;
    uintptr_t text_start;         /* executable bytes: [start, end) */
    uintptr_t text_end;
    const welf_desc_module *desc; /* the object's descriptor */
} welf_code;

/*
 * Loads an object from `size` bytes (not kept: the mapping holds copies).
 * The object must define exactly one global symbol named welf_module_*
 * in section .welf.module, have no undefined symbols, and use only the
 * relocation types R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32 and
 * R_X86_64_PC64 (plus R_X86_64_NONE). Anything else: WELF_ERR_OBJECT with
 * a message naming the section, symbol or relocation at fault.
 */
WELF_INTERNAL welf_status welf_code_load(const void *bytes, size_t size,
                                         welf_code *out, welf_error *err);

/* Unmaps a loaded object. A zeroed welf_code is fine. */
WELF_INTERNAL void welf_code_unload(welf_code *code);

/* Checks a descriptor's magic, version and target. */
WELF_INTERNAL welf_status welf_desc_check(const welf_desc_module *desc,
                                          welf_error *err);

#endif
