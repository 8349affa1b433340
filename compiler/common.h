/*
 * common.h — internal helpers shared by every file of the compiler
 * library. Public declarations live in include/welf_compiler.h; the
 * helpers shared with the runtime (visibility, error records) in
 * runtime/util.h.
 */
#ifndef WELF_COMMON_H
#define WELF_COMMON_H

#include "../runtime/util.h"
#include "welf_compiler.h"

#endif
