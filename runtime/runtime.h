/*
 * runtime.h — internal entry points of the runtime shared between its
 * files (engine, instances, calls, traps) and the static-linking path.
 */
#ifndef WELF_RUNTIME_H
#define WELF_RUNTIME_H

#include "abi.h"
#include "loader.h"
#include "util.h"

/*
 * Creates a module from a descriptor already in memory: one linked into
 * the program (static linking) or one the loader mapped (`code` then
 * passes ownership of the mapping to the module; NULL otherwise).
 */
WELF_INTERNAL welf_status welf_module_from_desc(welf_engine *engine,
                                                const welf_desc_module *desc,
                                                welf_code *code,
                                                welf_module **out,
                                                welf_error *err);

#endif
