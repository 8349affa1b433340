/*
 * decode.h — internal parts of the decoder shared with the validator.
 */
#ifndef WELF_DECODE_H
#define WELF_DECODE_H

#include "module.h"

/* Implementation limits (the spec lets an implementation set them;
 * these follow the JS API's limits). */
enum {
    WELF_MAX_LOCALS = 50000,       /* per function, parameters included */
    WELF_MAX_PAGES = 65536,        /* memory pages: 4 GiB, spec 3.2.4 */
    WELF_MAX_BLOCK_DEPTH = 65536,  /* nesting of blocks within a body */
};

#endif
