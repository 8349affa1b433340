/*
 * internal.h — the runtime's private structures (engine, module,
 * instance, memory, table, global, host function) and the functions its
 * files share. Public API: include/welf.h; binary contract with compiled
 * code: abi.h; the loader: loader.h.
 *
 * Ownership, in one place:
 *   - the engine owns every module, instance, host function, linker and
 *     instance_pre, and every memory, table and global made with the
 *     public *_new functions;
 *   - an instance owns its vmctx arrays, its own funcrefs, segments, and
 *     the memories, tables and globals its module defines;
 *   - a module owns its type-id array and, when loaded, its code mapping.
 * Everything lives until welf_engine_free; nothing is freed one by one,
 * so a pointer handed out once (a funcref in a table, an export) stays
 * valid as long as the engine.
 */
#ifndef WELF_INTERNAL_H
#define WELF_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime.h"

/* ---- limits ---- */

#define WELF_PAGE_BYTES 65536u
#define WELF_MAX_PAGES 65536u  /* 4 GiB: the whole 32-bit index space */

/* The address space reserved per memory: any 32-bit address plus any
 * 32-bit offset, plus one guard page. Every reservation has this size,
 * so the fault handler needs only its base. */
#define WELF_MEMORY_RESERVE_BYTES ((UINT64_C(8) << 30) + WELF_PAGE_BYTES)

/* An implementation limit on table sizes (elements), so a table.grow by
 * 2^32-1 fails cleanly instead of asking the allocator for 32 GiB. */
#define WELF_TABLE_MAX_ELEMS 10000000u

/* ---- the engine ---- */

/* A canonical function signature. `types` holds params then results. */
typedef struct welf_functype {
    uint32_t param_count;
    uint32_t result_count;
    uint8_t *types;
    uint32_t hash;
    void *wasm_to_array;   /* the first such stubs any module brought */
    void *wasm_to_native;
} welf_functype;

typedef struct welf_host_func welf_host_func;

struct welf_engine {
    /* One call state for every vmctx of the engine. Single-threaded for
     * now: two threads calling into one engine at once would share (and
     * overwrite) its stack limit. */
    welf_call_state call_state;

    /* The type registry: id i+1 is types[i]; buckets hold ids (0 =
     * empty), open addressing over a power-of-two count. */
    welf_functype *types;
    uint32_t type_count;
    uint32_t type_cap;
    uint32_t *buckets;
    uint32_t bucket_count;

    /* Owned objects, newest first. */
    welf_module *modules;
    welf_instance *instances;
    welf_memory *memories;
    welf_table *tables;
    welf_global *globals;
    welf_host_func *hosts;

    /* Linkers and pre-instantiated modules (linker.c), newest first,
     * freed by welf_engine_attachments_free. */
    welf_linker *linkers;
    welf_instance_pre *pres;
};

/* ---- modules ---- */

struct welf_module {
    welf_engine *engine;
    const welf_desc_module *desc;
    welf_code code;            /* zeroed for a descriptor linked in */
    uint32_t *type_ids;        /* interned id per module type index */
    welf_module *next;
};

/* ---- memories, tables, globals ---- */

struct welf_memory {
    welf_memory_rt rt;         /* first: vmctx->memories[i] points here */
    welf_engine *engine;
    uint32_t pages;
    uint32_t max_pages;        /* the declared max, or WELF_MAX_PAGES */
    bool has_max;
    uint32_t slot;             /* in the process-wide reservation list */
    welf_memory *next;
};

struct welf_table {
    welf_table_rt rt;          /* first: vmctx->tables[i] points here */
    welf_engine *engine;
    uint8_t elem_type;
    bool has_max;
    uint32_t max;              /* meaningful when has_max */
    welf_table *next;
};

struct welf_global {
    welf_global_rt rt;         /* first: vmctx->globals[i] points here */
    welf_engine *engine;
    uint8_t type;
    bool is_mutable;
    welf_global *next;
};

/*
 * A host function. `pub` (the funcref, then the user's data) comes
 * first: the funcref's vmctx points at the record, so the function
 * receives it as its welf_host, and a wasm-to-array or wasm-to-native
 * stub finds the entry it calls at the funcref offsets of its callee
 * vmctx. The funcref's `reserved` field says which kind it is
 * (WELF_HOST_*); compiled functions have 0 there.
 */
enum { WELF_HOST_UNTYPED = 1, WELF_HOST_TYPED = 2 };

struct welf_host_func {
    welf_host pub;
    welf_engine *engine;
    welf_host_func *next;
};

/* ---- instances ---- */

/*
 * Imports resolved and checked, ready to be copied into an instance: one
 * allocation (`block`) holding, per kind, the objects in their index
 * order and the runtime records the vmctx points at. Made once per
 * welf_instance_pre, or for the duration of one welf_instance_new.
 */
typedef struct welf_prepared_imports {
    void *block;
    welf_funcref **funcs;          /* func_import_count */
    welf_table **tables;           /* table_import_count, and so on */
    welf_table_rt **table_rts;
    welf_memory **memories;
    welf_memory_rt **memory_rts;
    welf_global **globals;
    welf_global_rt **global_rts;
} welf_prepared_imports;

struct welf_instance_pre {
    welf_engine *engine;
    welf_module *module;
    welf_prepared_imports imports;
    welf_instance_pre *next;
};

/* An element segment kept for table.init: `count` references as the
 * init function wrote them (count is 0 once dropped). */
typedef struct welf_elem_inst {
    welf_val_raw *vals;
    uint32_t count;
} welf_elem_inst;

struct welf_instance {
    welf_vmctx vm;             /* first: builtins get the instance from it */
    welf_engine *engine;
    welf_module *module;
    welf_funcref *own_funcs;   /* one per defined function */
    welf_memory **memories;    /* imported, then own (owned) */
    welf_table **tables;
    welf_global **globals;
    welf_elem_inst *elems;     /* one per element segment */
    uint32_t *data_sizes;      /* bytes left per data segment (0: dropped) */
    welf_instance *next;
};

/* ---- engine.c ---- */

WELF_INTERNAL bool welf_valtype_valid(uint8_t type);

/* Interns a signature; `to_array` and `to_native` (may be NULL) are a
 * module's wasm-to-array and wasm-to-native stubs for it, remembered for
 * host functions of that type. */
WELF_INTERNAL welf_status welf_engine_intern_type(welf_engine *engine,
                                                  const uint8_t *params,
                                                  uint32_t param_count,
                                                  const uint8_t *results,
                                                  uint32_t result_count,
                                                  void *to_array,
                                                  void *to_native,
                                                  uint32_t *id,
                                                  welf_error *err);

/* The signature with id `id`, or NULL when it is not one. */
static inline const welf_functype *welf_engine_type(const welf_engine *engine,
                                                    uint32_t id)
{
    if (id == 0 || id > engine->type_count)
        return NULL;
    return &engine->types[id - 1];
}

/* Where a code address lies: in entry `kind` (WELF_LINES_*) of function
 * `func`, `offset` bytes in, in a module with line table `lines`. */
typedef struct welf_code_site {
    const uint8_t *lines;        /* NULL: compiled without -g */
    size_t lines_room;           /* bytes readable from `lines`: the rest
                                    of a loaded object's mapping, or
                                    SIZE_MAX in a linked program */
    uint32_t func, kind;
    uint64_t offset;
} welf_code_site;

/* The wasm function of one of the engine's modules whose code holds pc
 * (module and function fields of out, and where in it), or false. */
WELF_INTERNAL bool welf_engine_symbolize(const welf_engine *engine,
                                         uintptr_t pc, welf_frame *out,
                                         welf_code_site *site);

/* ---- lines.c ---- */

/* One source-level frame at a code address. */
typedef struct welf_lines_frame {
    const char *name;            /* an inlined function; NULL: the entry's
                                    own function, or no name known */
    const char *file;            /* NULL when unknown */
    uint32_t line;               /* 0 when unknown */
} welf_lines_frame;

/*
 * The source frames at `site` (welf_engine_symbolize), innermost first:
 * the functions inlined there, each with its location, then the entry's
 * own function with the location of the outermost inlined call (or of
 * the code itself). Writes up to `max` (at least 1) to `out` and returns
 * how many it wrote, at least 1. A missing or damaged table gives the
 * one frame with no location.
 */
WELF_INTERNAL size_t welf_lines_lookup(const welf_code_site *site,
                                       welf_lines_frame *out, size_t max);

/* ---- module.c ---- */

WELF_INTERNAL void welf_module_destroy(welf_module *module);

/* ---- instance.c ---- */

/* Frees an instance, complete or partly built. */
WELF_INTERNAL void welf_instance_destroy(welf_instance *inst);

/*
 * Checks imports[i] against the module's import i (kind, type, limits
 * against the current size, engine): WELF_ERR_LINK "incompatible import
 * type for M.N: ...", or WELF_ERR_USAGE for a missing or foreign object.
 */
WELF_INTERNAL welf_status welf_import_check(const welf_module *module,
                                            uint32_t i,
                                            const welf_extern *ex,
                                            welf_error *err);

/*
 * Checks every import (imports[] in the module's import order, one per
 * import), then fills `out` and gives every imported host function
 * without a wasm entry the module's wasm-to-array stub for its type.
 * Nothing is allocated or patched on failure. Release with
 * welf_prepared_imports_release.
 */
WELF_INTERNAL welf_status welf_imports_prepare(welf_module *module,
                                               const welf_extern *imports,
                                               welf_prepared_imports *out,
                                               welf_error *err);
WELF_INTERNAL void welf_prepared_imports_release(welf_prepared_imports *p);

/*
 * Instantiates from prepared imports: copies them, builds the module's
 * own objects, then initialises inside a trap boundary (globals,
 * segments, start). No import is looked at again.
 */
WELF_INTERNAL welf_status welf_instance_create(welf_module *module,
                                              const welf_prepared_imports *p,
                                              welf_instance **out,
                                              welf_error *err);

/* Export i (< the module's export count) of an instance. */
WELF_INTERNAL void welf_instance_export_at(const welf_instance *inst,
                                           uint32_t i, welf_extern *out);

/* Writes `len` bytes of a name into buf, non-printable bytes escaped
 * as \xx and cut with "..." when long; always NUL-terminated. */
WELF_INTERNAL void welf_name_format(char *buf, size_t size, const char *name,
                                    size_t len);

/* ---- linker.c ---- */

/* The binding of (module, name), or NULL. */
WELF_INTERNAL const welf_extern *welf_linker_lookup(const welf_linker *l,
                                                    const char *module,
                                                    size_t module_len,
                                                    const char *name,
                                                    size_t name_len);

/* Frees the engine's linkers and pres (from welf_engine_free). */
WELF_INTERNAL void welf_engine_attachments_free(welf_engine *engine);

/* ---- memory.c ---- */

WELF_INTERNAL welf_status welf_memory_create(welf_engine *engine,
                                             welf_limits_info limits,
                                             welf_memory **out,
                                             welf_error *err);
WELF_INTERNAL void welf_memory_destroy(welf_memory *mem);
/* memory.grow: the old size in pages, or UINT32_MAX. */
WELF_INTERNAL uint32_t welf_memory_grow(welf_memory *mem, uint32_t delta);
/* Whether addr lies in a registered reservation. Async-signal-safe. */
WELF_INTERNAL bool welf_memory_fault_is_ours(uintptr_t addr);

/* ---- table.c ---- */

WELF_INTERNAL welf_status welf_table_create(welf_engine *engine,
                                            uint8_t elem_type,
                                            welf_limits_info limits,
                                            welf_table **out,
                                            welf_error *err);
WELF_INTERNAL void welf_table_destroy(welf_table *table);
/* table.grow: the old size, or UINT32_MAX. */
WELF_INTERNAL uint32_t welf_table_grow(welf_table *table, void *init,
                                       uint32_t delta);

/* ---- global.c ---- */

WELF_INTERNAL welf_status welf_global_create(welf_engine *engine,
                                             uint8_t type, bool is_mutable,
                                             welf_global **out,
                                             welf_error *err);
WELF_INTERNAL void welf_global_destroy(welf_global *global);

/* ---- call.c ---- */

/* The engine a funcref belongs to (a host record's, or its instance's). */
WELF_INTERNAL welf_engine *welf_funcref_engine(const welf_funcref *func);
/* The wasm entry a host function of type `t` takes: t's stub for its
 * kind (NULL when no module has brought one yet). */
WELF_INTERNAL void *welf_host_wasm_stub(const welf_funcref *func,
                                        void *to_array, void *to_native);
WELF_INTERNAL void welf_host_func_destroy(welf_host_func *host);
WELF_INTERNAL void welf_val_to_raw(const welf_val *val, welf_val_raw *raw);
WELF_INTERNAL welf_val welf_val_from_raw(uint8_t type,
                                         const welf_val_raw *raw);

/* ---- trap.c ---- */

/* Installs the fault handler, once per process. */
WELF_INTERNAL welf_status welf_trap_install(welf_error *err);

/*
 * The trap boundary: runs fn(ctx) so that a trap inside it (a builtin's,
 * a host function's, or a guard-page fault) comes back here as
 * WELF_ERR_TRAP in err. fn must not hold resources a trap would leak.
 */
typedef void (*welf_guarded_fn)(void *ctx);
WELF_INTERNAL welf_status welf_trap_guard(welf_engine *engine,
                                          welf_guarded_fn fn, void *ctx,
                                          welf_error *err);

/* welf_trap_raise (welf.h) unwinds to the innermost trap frame of this
 * thread. */

/* The stack a trap frame lets wasm code use below it, in bytes. */
#ifndef WELF_STACK_BUDGET
#define WELF_STACK_BUDGET (1u << 20)
#endif

/* This thread's innermost trap frame, and whether its alternate signal
 * stack is set up (trap.c). */
extern WELF_INTERNAL _Thread_local welf_trap_frame *welf_trap_top
    __attribute__((tls_model("initial-exec")));
extern WELF_INTERNAL _Thread_local bool welf_trap_altstack_ready
    __attribute__((tls_model("initial-exec")));
WELF_INTERNAL void welf_trap_altstack_setup(void);
/* What ended a frame, as an error (the slow path of welf_trap_leave). */
WELF_INTERNAL welf_status welf_trap_frame_error(const welf_trap_frame *frame,
                                                welf_error *err);

/*
 * welf_trap_frame_push and _pop, inline for welf_func_call. The
 * outermost frame of a call state sets the stack limit; nested ones
 * (host -> wasm -> host -> wasm) keep it, so the budget covers the whole
 * chain. welf_trap_leave does not clear err on success.
 */
static inline __attribute__((always_inline)) void
welf_trap_enter(welf_engine *engine, welf_trap_frame *frame)
{
    frame->prev = welf_trap_top;
    frame->engine = engine;
    frame->code = WELF_TRAP_CODE_NONE;
    frame->has_detail = false;
    frame->exited = false;
    if (!welf_trap_altstack_ready)
        welf_trap_altstack_setup();
    welf_call_state *state = engine ? &engine->call_state : NULL;
    frame->saved_limit = state ? state->stack_limit : 0;
    if (state && state->stack_limit == 0)
        state->stack_limit =
            (uintptr_t)__builtin_frame_address(0) - WELF_STACK_BUDGET;
    welf_trap_top = frame;
}

static inline __attribute__((always_inline)) welf_status
welf_trap_leave(welf_trap_frame *frame, welf_error *err)
{
    welf_trap_top = frame->prev;
    if (frame->engine)
        frame->engine->call_state.stack_limit = frame->saved_limit;
    if (frame->code == WELF_TRAP_CODE_NONE && !frame->exited)
        return WELF_OK;
    return welf_trap_frame_error(frame, err);
}
/* Raises a trap whose message names `detail` (an element index). */
WELF_INTERNAL _Noreturn void welf_trap_raise_detail(uint32_t code,
                                                    uint32_t detail);

/* Records a trap in err (code, trap_code, the spec's message). */
WELF_INTERNAL welf_status welf_trap_error(welf_error *err, uint32_t code);

/* ---- builtins.c ---- */

WELF_INTERNAL extern const welf_builtins welf_builtins_table;

/* ---- os.c: the only file that calls the OS ---- */

/* Reserves `size` bytes of inaccessible address space; NULL on failure. */
WELF_INTERNAL void *welf_os_reserve(uint64_t size);
/* Makes [addr, addr+size) readable and writable. */
WELF_INTERNAL bool welf_os_commit(void *addr, uint64_t size);
WELF_INTERNAL void welf_os_release(void *addr, uint64_t size);

typedef void (*welf_os_signal_fn)(int sig, siginfo_t *info, void *context);
/* Installs fn for sig (SA_SIGINFO | SA_ONSTACK), saving the old action. */
WELF_INTERNAL bool welf_os_signal_install(int sig, welf_os_signal_fn fn,
                                          struct sigaction *old);
/* Resets sig to its default action; re-raises it when it was sent rather
 * than caused by a fault (a fault re-raises by itself on return). */
WELF_INTERNAL void welf_os_signal_default(int sig, const siginfo_t *info);
/* Gives this thread an alternate signal stack unless it has one. */
WELF_INTERNAL void welf_os_altstack_ensure(void);
/* Makes the interrupted thread resume in fn() (on its own stack, as if
 * fn had been called from the faulting instruction) once the handler
 * returns. */
WELF_INTERNAL uintptr_t welf_os_context_redirect(void *context,
                                            void (*fn)(void));

#endif
