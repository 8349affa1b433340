/*
 * instr.h — reading one instruction and its immediates (spec 5.4). The
 * decoder uses it to check that every body and constant expression is
 * well formed; the validator and the lowering use it to walk them again.
 */
#ifndef WELF_INSTR_H
#define WELF_INSTR_H

#include "module.h"
#include "opcodes.h"
#include "reader.h"

/* Reads the instruction at r->p into *out. Checks only the binary format:
 * opcode known (and enabled by `features`), immediates well formed. */
WELF_INTERNAL bool welf_instr_read(welf_reader *r, welf_features features,
                                   welf_instr *out);

/* True when b encodes a value type (spec 5.3.3). */
WELF_INTERNAL bool welf_valtype_byte_ok(uint8_t b);

#endif
