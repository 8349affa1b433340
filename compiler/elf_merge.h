/*
 * elf_merge.h — merging the ELF relocatable objects of a module's chunks
 * into one object, in memory (elf_merge.c): what `ld -r` followed by
 * `objcopy --localize-hidden` does, without running a linker.
 */
#ifndef WELF_ELF_MERGE_H
#define WELF_ELF_MERGE_H

#include "common.h"

/*
 * Merges `count` x86-64 ELF relocatable objects (in memory) into one,
 * as `ld -r` followed by localizing hidden symbols would:
 * - sections with the same name and type are concatenated in input order
 *   (each input's piece aligned to its own sh_addralign; the output's
 *   alignment is the max); relocation sections follow their targets;
 * - local symbols keep their names and are rebased; section symbols map to
 *   the output section (relocation addends against section symbols are
 *   adjusted by the piece's offset);
 * - global/weak symbols: a symbol defined in one input satisfies undefined
 *   references of the same name in the others; two definitions of one
 *   name are an error; after resolution, symbols with STV_HIDDEN (or
 *   STV_INTERNAL) visibility become STB_LOCAL in the output (all their
 *   references are inside the object now), others stay global; an
 *   undefined symbol nobody defines stays undefined (the caller decides
 *   whether that is an error);
 * - SHT_LLVM_ADDRSIG (0x6fff4c03) sections are dropped; .note.GNU-stack
 *   and .comment appear once; SHT_GROUP/COMDAT sections are rejected;
 * - the output is deterministic: it depends only on the inputs and their
 *   order (no timestamps, no hash-table iteration order), so the same
 *   chunks give byte-identical output.
 * On success *out (welf_malloc'd; free with welf_free) holds *out_size bytes.
 * Inputs that cannot be merged (malformed, unsupported, or defining one
 * symbol twice) give WELF_ERR_USAGE with "inputs are not mergeable: ...";
 * allocation failures WELF_ERR_NOMEM. On failure *out is NULL.
 *
 * Details beyond `ld -r`: STT_FILE symbols are dropped; .comment keeps
 * each distinct string once; .note.gnu.property is kept only when every
 * input has the same one (otherwise dropped, which claims no feature);
 * SHF_MERGE sections are concatenated, not deduplicated, and keep
 * SHF_MERGE only when every piece allows it; a single input is merged
 * like several (so its hidden symbols are localized too).
 */
WELF_INTERNAL welf_status welf_elf_merge(const uint8_t *const *objects,
                                         const size_t *sizes, size_t count,
                                         uint8_t **out, size_t *out_size,
                                         welf_error *err);

#endif
