/*
 * welf.h — the welf runtime: load compiled WebAssembly objects, link and
 * instantiate them, call their functions. Also the status codes, error
 * record and allocation hook shared with the compiler library
 * (welf_compiler.h includes this header).
 *
 *   welf_engine *engine;
 *   welf_module *module;
 *   welf_instance *inst;
 *   welf_error err;
 *   welf_engine_new(&engine, &err);
 *   welf_module_load(engine, "foo.o", &module, &err);
 *   welf_instance_new(module, imports, n_imports, &inst, &err);
 *   welf_extern add;
 *   welf_instance_export(inst, "add", 3, &add, &err);
 *   welf_val args[2] = {WELF_I32(1), WELF_I32(2)}, result;
 *   welf_func_call(add.u.func, args, 2, &result, 1, &err);
 *   welf_engine_free(engine);     (frees everything it owns)
 *
 * Ownership: an engine owns every module, instance, memory, table, global
 * and host function created in it, and frees them all with
 * welf_engine_free; objects of different engines never mix. Functions
 * that can fail return a welf_status and fill a caller-owned welf_error.
 * A trap in wasm code comes back as WELF_ERR_TRAP with err.trap_code and
 * the spec's wording in err.message; the engine stays usable.
 */
#ifndef WELF_H
#define WELF_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WELF_VERSION_STRING "0.1.0"

/* Functions that do not return, for C and C++ alike. */
#ifdef __cplusplus
#define WELF_NORETURN [[noreturn]]
#else
#define WELF_NORETURN _Noreturn
#endif

/*
 * Status codes. 0 is success. Codes 100..199 mean the bytes are not a
 * well-formed module (the spec's "malformed"), 200..299 mean a well-formed
 * module breaks a validation rule (the spec's "invalid"); the rest are
 * failures of the environment.
 */
typedef enum welf_status {
    WELF_OK = 0,
    WELF_ERR_NOMEM = 1,            /* an allocation failed */
    WELF_ERR_IO = 2,               /* a file could not be read or written */
    WELF_ERR_USAGE = 3,            /* bad argument to a library function */

    /* malformed: the binary format (spec section 5) */
    WELF_ERR_UNEXPECTED_END = 100, /* input ends inside an item */
    WELF_ERR_MAGIC,                /* not "\0asm" */
    WELF_ERR_VERSION,              /* binary version is not 1 */
    WELF_ERR_LEB_LENGTH,           /* LEB128 longer than its type allows */
    WELF_ERR_LEB_RANGE,            /* LEB128 unused bits not sign/zero */
    WELF_ERR_SECTION_ID,           /* unknown section id */
    WELF_ERR_SECTION_ORDER,        /* section out of order or repeated */
    WELF_ERR_SECTION_SIZE,         /* contents do not fill the section */
    WELF_ERR_UTF8,                 /* a name is not valid UTF-8 */
    WELF_ERR_OPCODE,               /* unknown opcode */
    WELF_ERR_VALTYPE,              /* unknown value or reference type */
    WELF_ERR_FLAGS,                /* bad flag/kind byte (limits, mut, ...) */
    WELF_ERR_ZERO_BYTE,            /* a reserved byte is not zero */
    WELF_ERR_COUNT_MISMATCH,       /* function/code or data count differ */
    WELF_ERR_DATA_COUNT_REQUIRED,  /* data index used without data count */
    WELF_ERR_TOO_MANY,             /* past an implementation limit */
    WELF_ERR_END_EXPECTED,         /* a function body lacks its final
                                      `end` */

    /* invalid: the validation rules (spec section 3) */
    WELF_ERR_TYPE_MISMATCH = 200,  /* operand or result types disagree */
    WELF_ERR_UNKNOWN_INDEX,        /* index out of range for its space */
    WELF_ERR_IMMUTABLE,            /* global.set of an immutable global */
    WELF_ERR_ALIGNMENT,            /* alignment above natural */
    WELF_ERR_LIMITS,               /* min > max, or above the type's bound */
    WELF_ERR_MULTIPLE,             /* several memories without multi-memory */
    WELF_ERR_DUPLICATE_EXPORT,     /* two exports with one name */
    WELF_ERR_CONST_EXPR,           /* not a constant expression */
    WELF_ERR_UNDECLARED_REF,       /* ref.func of an undeclared function */
    WELF_ERR_START,                /* start function has params/results */
    WELF_ERR_LANE,                 /* SIMD lane index out of range */

    /* the runtime */
    WELF_ERR_UNSUPPORTED = 300,    /* a feature welf cannot compile yet */
    WELF_ERR_OBJECT,               /* an object file welf cannot load */
    WELF_ERR_LINK,                 /* an import is missing or mistyped */
    WELF_ERR_TRAP,                 /* wasm code trapped: see trap_code */
    WELF_ERR_EXIT,                 /* the program exited (welf_exit_raise,
                                      WASI proc_exit): see exit_code */
} welf_status;

/* What a status code says about the input. */
typedef enum welf_status_class {
    WELF_CLASS_OK,
    WELF_CLASS_MALFORMED,
    WELF_CLASS_INVALID,
    WELF_CLASS_OTHER,         /* environment, runtime, link, trap */
} welf_status_class;

#define WELF_NO_OFFSET UINT32_MAX
#define WELF_NO_INDEX UINT32_MAX

/* The record of a failure. Caller-owned; filled by the first error. */
typedef struct welf_error {
    welf_status code;
    uint32_t offset;      /* byte offset in the module, or WELF_NO_OFFSET */
    uint32_t func_index;  /* function index, or WELF_NO_INDEX */
    uint32_t trap_code;   /* welf_trap_code when code is WELF_ERR_TRAP */
    int32_t exit_code;    /* the exit status when code is WELF_ERR_EXIT */
    char message[256];
} welf_error;

/* Reads a whole file into a malloc'd buffer (free with welf_free). */
welf_status welf_file_read(const char *path, uint8_t **bytes, size_t *size,
                           welf_error *err);

const char *welf_status_name(welf_status code);
welf_status_class welf_status_classify(welf_status code);

/*
 * Formats "FILE:0xOFFSET: error: MESSAGE" (FILE and the offset are left
 * out when absent) into buf; returns what snprintf returns.
 */
int welf_error_format(const welf_error *err, const char *file, char *buf,
                      size_t size);

/*
 * The allocation hook, Lua style: ptr NULL allocates, size 0 frees,
 * otherwise reallocates. Returns NULL on failure (size > 0). All library
 * allocation goes through it; the default uses realloc/free. Passing NULL
 * restores the default. Not thread-safe: set it before any other call.
 */
typedef void *(*welf_alloc_fn)(void *user, void *ptr, size_t size);
void welf_set_allocator(welf_alloc_fn fn, void *user);
void *welf_malloc(size_t size);
void *welf_realloc(void *ptr, size_t size);
void welf_free(void *ptr);


/* ---- values ---- */

/* Value types, by their binary encoding. */
typedef enum welf_valtype_code {
    WELF_TYPE_I32 = 0x7f,
    WELF_TYPE_I64 = 0x7e,
    WELF_TYPE_F32 = 0x7d,
    WELF_TYPE_F64 = 0x7c,
    WELF_TYPE_V128 = 0x7b,
    WELF_TYPE_FUNCREF = 0x70,
    WELF_TYPE_EXTERNREF = 0x6f,
} welf_valtype_code;

/*
 * A function reference: three entries, one per calling convention, so
 * every caller takes the one that matches its own (docs/abi.md):
 *
 *   wasm_call    results f(void *vmctx, void *caller, params...), LLVM
 *                tailcc: for compiled code only;
 *   array_call   void f(void *vmctx, void *caller, welf_val_raw *args,
 *                size_t len): arguments in args[0..], results written
 *                over them from args[0] (welf_func_call uses it);
 *   native_call  R f(void *vmctx, void *caller, params...) in the C ABI
 *                (i32 int32_t, i64 int64_t, f32 float, f64 double, v128
 *                welf_v128, references pointers); NULL when the function
 *                has more than one result. welf_func_native checks the
 *                signature and hands it out.
 *
 * `vmctx` is the callee's context: an instance's, or for a host function
 * its welf_host record. `caller` is the calling instance (what a host
 * function sees as welf_caller), NULL when C calls. Records are owned by
 * the engine; never write to them.
 */
typedef struct welf_funcref {
    void *wasm_call;       /* 0 */
    void *array_call;      /* 8 */
    void *native_call;     /* 16 */
    uint32_t type_id;      /* 24: engine-wide canonical signature id */
    uint32_t reserved;     /* 28 */
    void *vmctx;           /* 32 */
} welf_funcref;

/* One untyped value, as the array calling convention passes it: 16
 * bytes, so a v128 fits. */
typedef union welf_val_raw {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16];
    void *ref;                    /* funcref: welf_funcref *; externref */
} welf_val_raw;

/* The C type of a v128 in the native convention: 16 bytes, passed in an
 * SSE register like __m128i (GCC and Clang vector extension). */
typedef int64_t welf_v128 __attribute__((vector_size(16)));

/* "i32", "i64", "f32", "f64", "v128", "funcref", "externref", or
 * "unknown". */
const char *welf_valtype_str(uint8_t type);

/* A typed value. Floats are kept as bits where exactness matters to the
 * caller (f32/f64 are IEEE values; NaN payloads survive the calls). */
typedef struct welf_val {
    uint8_t type;                 /* welf_valtype_code */
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uint8_t v128[16];
        welf_funcref *func;       /* funcref; NULL is ref.null */
        void *extern_ref;         /* externref; NULL is ref.null */
    } of;
} welf_val;

/* Trap codes (welf_error.trap_code). */
typedef enum welf_trap_code {
    WELF_TRAP_CODE_NONE = 0,
    WELF_TRAP_CODE_UNREACHABLE,       /* "unreachable" */
    WELF_TRAP_CODE_INT_DIV_ZERO,      /* "integer divide by zero" */
    WELF_TRAP_CODE_INT_OVERFLOW,      /* "integer overflow" */
    WELF_TRAP_CODE_BAD_CONVERSION,    /* "invalid conversion to integer" */
    WELF_TRAP_CODE_MEMORY_OOB,        /* "out of bounds memory access" */
    WELF_TRAP_CODE_TABLE_OOB,         /* "out of bounds table access" */
    WELF_TRAP_CODE_INDIRECT_NULL,     /* "uninitialized element" */
    WELF_TRAP_CODE_INDIRECT_TYPE,     /* "indirect call type mismatch" */
    WELF_TRAP_CODE_STACK_EXHAUSTED,   /* "call stack exhausted" */
    WELF_TRAP_CODE_NULL_REFERENCE,    /* "null reference" */
    WELF_TRAP_CODE_UNDEFINED_ELEMENT, /* "undefined element": call_indirect
                                         past the end of its table */
} welf_trap_code;

const char *welf_trap_message(welf_trap_code code);

/* ---- engine, modules ---- */

typedef struct welf_engine welf_engine;
typedef struct welf_module welf_module;       /* a loaded object */
typedef struct welf_instance welf_instance;
typedef struct welf_memory welf_memory;
typedef struct welf_table welf_table;
typedef struct welf_global welf_global;

welf_status welf_engine_new(welf_engine **out, welf_error *err);
void welf_engine_free(welf_engine *engine);

/* Loads a relocatable object made by `welf compile`: from a file, or
 * from `size` bytes in memory (copied). Rejects anything that is not a
 * welf object for this ABI version and target with WELF_ERR_OBJECT. */
welf_status welf_module_load(welf_engine *engine, const char *path,
                             welf_module **out, welf_error *err);
welf_status welf_module_load_memory(welf_engine *engine, const void *bytes,
                                    size_t size, welf_module **out,
                                    welf_error *err);

/*
 * A module linked into the program: `welf compile foo.wasm -o foo.o
 * --name foo`, link foo.o, declare
 *     extern const welf_desc_module welf_module_foo;
 * and pass &welf_module_foo. The descriptor is checked as a loaded one is.
 */
typedef struct welf_desc_module welf_desc_module;
welf_status welf_module_from_linked(welf_engine *engine,
                                    const welf_desc_module *desc,
                                    welf_module **out, welf_error *err);

typedef enum welf_extern_kind {
    WELF_EXTERN_FUNC = 0,
    WELF_EXTERN_TABLE = 1,
    WELF_EXTERN_MEMORY = 2,
    WELF_EXTERN_GLOBAL = 3,
} welf_extern_kind;

/* Signatures and types of externals, for imports and exports. */
typedef struct welf_functype_info {
    uint32_t param_count;
    uint32_t result_count;
    const uint8_t *params;        /* welf_valtype_code each */
    const uint8_t *results;
} welf_functype_info;

typedef struct welf_limits_info {
    uint32_t min;
    uint32_t max;
    bool has_max;
} welf_limits_info;

typedef struct welf_import_info {
    const char *module;           /* not NUL-terminated: use the lengths */
    size_t module_len;
    const char *name;
    size_t name_len;
    welf_extern_kind kind;
    welf_functype_info func;      /* kind == FUNC */
    welf_limits_info limits;      /* TABLE (elements), MEMORY (pages) */
    uint8_t type;                 /* TABLE: element type; GLOBAL: value */
    bool is_mutable;              /* GLOBAL */
} welf_import_info;

uint32_t welf_module_import_count(const welf_module *module);
/* Describes import i (0 <= i < count); pointers live as long as the
 * module. */
void welf_module_import(const welf_module *module, uint32_t i,
                        welf_import_info *out);

typedef struct welf_export_info {
    const char *name;             /* not NUL-terminated: use name_len */
    size_t name_len;
    welf_extern_kind kind;
    uint32_t index;               /* in its kind's index space */
    welf_functype_info func;      /* kind == FUNC */
    welf_limits_info limits;      /* TABLE (elements), MEMORY (pages) */
    uint8_t type;                 /* TABLE: element type; GLOBAL: value */
    bool is_mutable;              /* GLOBAL */
} welf_export_info;

uint32_t welf_module_export_count(const welf_module *module);
/* Describes export i (0 <= i < count); pointers live as long as the
 * module. */
void welf_module_export(const welf_module *module, uint32_t i,
                        welf_export_info *out);

/* ---- externals ---- */

typedef struct welf_extern {
    welf_extern_kind kind;
    union {
        welf_funcref *func;
        welf_table *table;
        welf_memory *memory;
        welf_global *global;
    } u;
} welf_extern;

/*
 * Instantiates a module. imports[i] satisfies the module's import i; each
 * must match the import's kind and type (WELF_ERR_LINK otherwise, and
 * nothing is created). Segment initialisation and the start function
 * may trap (WELF_ERR_TRAP); segments written before the trap stay
 * written, as the spec requires.
 */
welf_status welf_instance_new(welf_module *module, const welf_extern *imports,
                              uint32_t import_count, welf_instance **out,
                              welf_error *err);

/* Looks up an export by name (length-delimited: names may hold NUL). */
welf_status welf_instance_export(welf_instance *inst, const char *name,
                                 size_t name_len, welf_extern *out,
                                 welf_error *err);

/* The function with index `func_index` (imports first) of `inst`, or
 * NULL when out of range: constant time, for generated wrappers. */
welf_funcref *welf_instance_func(welf_instance *inst, uint32_t func_index);

/* ---- functions ---- */

/* The signature of a function reference. */
void welf_func_type(const welf_funcref *func, welf_functype_info *out);

/*
 * Calls a function through its array entry. args must match the
 * parameter types and count, results receives result_count values.
 */
welf_status welf_func_call(welf_funcref *func, const welf_val *args,
                           size_t arg_count, welf_val *results,
                           size_t result_count, welf_error *err);

/*
 * Typed calls. A function's native entry, cast to its C type, is called
 * with (func->vmctx, NULL, arguments...) and returns its result:
 *
 *   typedef float add_fn(void *, void *, int32_t, int64_t);
 *   add_fn *add;
 *   welf_func_native(func, &type, (void **)&add, &err);   (checked once)
 *   float r = add(func->vmctx, NULL, 1, 2);
 *
 * welf_func_native refuses (WELF_ERR_USAGE, both signatures in the
 * message) a function whose signature is not `type`, and one with
 * several results (it has no native entry: use welf_func_call). A typed
 * call that may trap must run inside a trap frame (below); a trap with
 * no frame to return to aborts the process with the trap's message.
 */
welf_status welf_func_native(welf_funcref *func,
                             const welf_functype_info *type, void **entry,
                             welf_error *err);

/* WELF_OK when func's signature is exactly `type`, else WELF_ERR_USAGE
 * naming both signatures. */
welf_status welf_func_check_type(const welf_funcref *func,
                                 const welf_functype_info *type,
                                 welf_error *err);

/*
 * Trap frames: where a trap (or welf_exit_raise) in code called from C
 * comes back to. welf_func_call sets one up by itself; typed calls run
 * inside one the caller sets up, once for any number of calls:
 *
 *   welf_trap_frame frame;
 *   welf_trap_frame_push(engine, &frame);
 *   if (setjmp(frame.env) == 0) {
 *       r = add(func->vmctx, NULL, 1, 2);      (any number of calls)
 *   }
 *   status = welf_trap_frame_pop(&frame, &err);   (on both paths)
 *
 * Frames nest (host -> wasm -> host -> wasm) and belong to the thread
 * that pushed them; pop them in reverse order. The outermost frame of a
 * thread also sets the stack budget wasm code may use below it (1 MiB);
 * typed calls outside any frame run without a stack check. Variables
 * changed between setjmp and a trap must be volatile to be read after
 * it, as with any setjmp. (glibc's setjmp does not save the signal mask,
 * so a frame costs no system call.)
 */
typedef struct welf_trap_frame {
    jmp_buf env;
    struct welf_trap_frame *prev;
    welf_engine *engine;
    uintptr_t saved_limit;
    volatile uint32_t code;        /* welf_trap_code; 0 while running */
    volatile uint32_t detail;
    volatile bool has_detail;
    volatile bool exited;          /* welf_exit_raise, with `detail` */
} welf_trap_frame;

void welf_trap_frame_push(welf_engine *engine, welf_trap_frame *frame);
/* WELF_OK, or WELF_ERR_TRAP / WELF_ERR_EXIT for what ended the frame. */
welf_status welf_trap_frame_pop(welf_trap_frame *frame, welf_error *err);

/* Ends the innermost trap frame's calls with a trap: for host
 * functions. Frames of host C code in between are abandoned (their
 * locals are not cleaned up), as with longjmp. */
WELF_NORETURN void welf_trap_raise(welf_trap_code code);
/*
 * One frame of a trap's backtrace: a wasm function, or (only in objects
 * compiled with -g) a source function whose code was inlined into the
 * next frame's, which then has the same pc.
 */
typedef struct welf_frame {
    const char *module_name;      /* not NUL-terminated: use the length */
    size_t module_name_len;
    const char *func_name;        /* from the name section (inlined: from
                                     the DWARF); NULL if none */
    size_t func_name_len;
    uint32_t func_index;          /* WELF_NO_INDEX when inlined */
    uintptr_t pc;                 /* the return address in the function */
    const char *file;             /* source file (NUL-terminated) from the
                                     line table of an object compiled
                                     with -g; NULL when unknown */
    uint32_t line;                /* its line; 0 when unknown */
    bool inlined;                 /* inlined into the next frame */
} welf_frame;

/*
 * The frames of the calling thread's most recent trap, innermost
 * first: writes up to `max` to `out` and returns how many there are.
 * Frames are found through frame pointers, which compiled code keeps;
 * a host function compiled without them can hide the frames below it.
 */
size_t welf_trap_backtrace(welf_engine *engine, welf_frame *out, size_t max);

/* Likewise, ending them with WELF_ERR_EXIT and this exit status (what
 * WASI proc_exit does). */
WELF_NORETURN void welf_exit_raise(int32_t status);

/*
 * Host functions. Both forms receive their own record first (`data` is
 * the pointer given when the function was made; the record begins with
 * the function's funcref, which is where its vmctx points) and the calling
 * instance second (NULL when C calls them), then:
 *
 *   typed     their parameters as C arguments, returning the result in
 *             the native convention, e.g.
 *                 int32_t add(welf_host *self, welf_caller *caller,
 *                             int32_t a, int32_t b);
 *             at most one result;
 *   untyped   the array convention: arguments in args[0 .. params),
 *             results written over args[0 .. results); len is the number
 *             of slots, max(params, results).
 *
 * Either kind is called from wasm through one stub of the importing
 * module, and from C both ways: welf_func_call and welf_func_native work
 * on any function (the runtime converts between the conventions without
 * a compiler). A host function traps with welf_trap_raise.
 */
typedef struct welf_host {
    welf_funcref func;            /* the function's own reference */
    void *data;
} welf_host;

/* The instance whose code is calling a host function. */
typedef struct welf_caller welf_caller;

typedef void (*welf_host_fn)(welf_host *self, welf_caller *caller,
                             welf_val_raw *args, size_t len);

/* An untyped host function of the given signature. */
welf_status welf_func_new_host(welf_engine *engine,
                               const welf_functype_info *type,
                               welf_host_fn fn, void *data,
                               welf_funcref **out, welf_error *err);

/* A typed host function: `fn` is the C function, cast to void (*)(void),
 * whose C type must match `type` as above (C cannot check that: a
 * mismatch is undefined behaviour). At most one result. */
welf_status welf_func_new_typed(welf_engine *engine,
                                const welf_functype_info *type,
                                void (*fn)(void), void *data,
                                welf_funcref **out, welf_error *err);

/* The calling instance (NULL when C called the host function). */
welf_instance *welf_caller_instance(welf_caller *caller);
/* The caller's memory `index`, NULL if it has none or caller is NULL. */
welf_memory *welf_caller_memory(welf_caller *caller, uint32_t index);

/* ---- memories, tables, globals ---- */

welf_status welf_memory_new(welf_engine *engine, welf_limits_info limits,
                             welf_memory **out, welf_error *err);
uint8_t *welf_memory_data(welf_memory *mem);
uint64_t welf_memory_size_bytes(const welf_memory *mem);

welf_status welf_table_new(welf_engine *engine, uint8_t elem_type,
                           welf_limits_info limits, welf_table **out,
                           welf_error *err);

welf_status welf_global_new(welf_engine *engine, welf_val value,
                            bool is_mutable, welf_global **out,
                            welf_error *err);
welf_val welf_global_get(const welf_global *global);

/* ---- linking and pre-instantiation ---- */

/*
 * A linker binds import names, (module, name), to externals; an
 * instance_pre is a module whose imports a linker has resolved and
 * checked once, ready to be instantiated any number of times:
 *
 *   welf_linker *linker;
 *   welf_linker_new(engine, &linker, &err);
 *   welf_linker_define(linker, "env", 3, "f", 1, host_f, &err);
 *   welf_linker_define_instance(linker, "lib", 3, lib_inst, &err);
 *   welf_instance_pre *pre;
 *   welf_instance_pre_new(linker, module, &pre, &err);
 *   welf_instance_pre_instantiate(pre, &inst, &err);   (as often as needed)
 *
 * Linkers and instance_pres belong to the engine and are freed by
 * welf_engine_free. An instance_pre keeps what the linker resolved when
 * it was made: later definitions do not change it.
 */
typedef struct welf_linker welf_linker;
typedef struct welf_instance_pre welf_instance_pre;

welf_status welf_linker_new(welf_engine *engine, welf_linker **out,
                            welf_error *err);

/*
 * Binds (module, name) to `ext`, an object of the linker's engine
 * (WELF_ERR_USAGE otherwise). Names are length-delimited and may hold
 * NUL. A binding cannot be redefined: WELF_ERR_USAGE "already defined".
 */
welf_status welf_linker_define(welf_linker *linker, const char *module,
                               size_t module_len, const char *name,
                               size_t name_len, welf_extern ext,
                               welf_error *err);

/* Defines every export of `inst` under `module`, by its export name.
 * All or nothing: if any is already defined, none is. */
welf_status welf_linker_define_instance(welf_linker *linker,
                                        const char *module,
                                        size_t module_len,
                                        welf_instance *inst,
                                        welf_error *err);

/*
 * Resolves every import of `module` through the linker and checks its
 * type: WELF_ERR_LINK "unknown import M.N" or "incompatible import type
 * for M.N: ...". Imported memories and tables are checked against
 * their current size (they can only grow, so the check stays true).
 * Imported host functions get the module's wasm-to-array stub for
 * their type as their wasm entry, unless they have one already.
 */
welf_status welf_instance_pre_new(welf_linker *linker, welf_module *module,
                                  welf_instance_pre **out, welf_error *err);

/*
 * Instantiates a pre-resolved module: no import is looked up or checked
 * again. Traps as welf_instance_new does (WELF_ERR_TRAP, *out NULL).
 */
welf_status welf_instance_pre_instantiate(welf_instance_pre *pre,
                                          welf_instance **out,
                                          welf_error *err);

/* ---- WASI preview 1 ---- */

/*
 * A WASI context: the arguments, environment, standard streams and
 * preopened directories one program sees. Its functions are typed host
 * functions (module "wasi_snapshot_preview1") that a linker binds like
 * any other; they use the calling instance's memory 0.
 *
 *   welf_wasi_dir dirs[] = {{"/tmp/data", "/data"}};
 *   welf_wasi_config cfg = {.argc = argc, .argv = argv, .dirs = dirs,
 *                           .dir_count = 1, .stdin_fd = 0,
 *                           .stdout_fd = 1, .stderr_fd = 2};
 *   welf_wasi_new(engine, &cfg, &wasi, &err);
 *   welf_wasi_define(wasi, linker, &err);
 *   ... instantiate, call _start: WELF_ERR_EXIT with err.exit_code
 *   when the program calls proc_exit ...
 *   welf_wasi_free(wasi);
 *
 * Sandbox: the guest reaches only the preopened directories; "..",
 * absolute paths and symbolic links cannot lead out of them. A guest
 * pointer or length outside its memory is the WASI error EFAULT.
 */
typedef struct welf_wasi welf_wasi;

typedef struct welf_wasi_dir {
    const char *host_path;        /* a directory of the host */
    const char *guest_path;       /* the name the guest sees it under */
} welf_wasi_dir;

typedef struct welf_wasi_config {
    size_t argc;
    const char *const *argv;      /* argv[0] is the program name */
    size_t envc;
    const char *const *env;       /* "KEY=VALUE" strings */
    size_t dir_count;
    const welf_wasi_dir *dirs;
    int stdin_fd;                 /* host descriptors for guest fds 0..2 */
    int stdout_fd;                /* (not closed by welf_wasi_free); */
    int stderr_fd;                /* -1 leaves that fd closed */
} welf_wasi_config;

/* Copies the configuration; opens the preopened directories (WELF_ERR_IO
 * naming one that cannot be opened). */
welf_status welf_wasi_new(welf_engine *engine, const welf_wasi_config *config,
                          welf_wasi **out, welf_error *err);

/* Defines every wasi_snapshot_preview1 function in the linker. */
welf_status welf_wasi_define(welf_wasi *wasi, welf_linker *linker,
                             welf_error *err);

/* Closes the descriptors the guest opened and frees the context. Its
 * host functions stay defined but must no longer be called. */
void welf_wasi_free(welf_wasi *wasi);

#ifdef __cplusplus
}
#endif

#endif
