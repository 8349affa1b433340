/*
 * trap.c — traps: the trap boundary around every entry into wasm (a
 * thread-local stack of setjmp points, so host -> wasm -> host -> wasm
 * nests), raising a trap (builtins, host functions), the SIGSEGV/SIGBUS
 * handler that turns a fault inside a registered memory reservation
 * (memory.c) into an out-of-bounds trap and passes any other fault on,
 * the stack limit, and the spec's trap messages. The OS calls are in
 * os.c.
 */
#include "internal.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- messages ---- */

const char *welf_trap_message(welf_trap_code code)
{
    switch (code) {
    case WELF_TRAP_CODE_NONE: return "no trap";
    case WELF_TRAP_CODE_UNREACHABLE: return "unreachable";
    case WELF_TRAP_CODE_INT_DIV_ZERO: return "integer divide by zero";
    case WELF_TRAP_CODE_INT_OVERFLOW: return "integer overflow";
    case WELF_TRAP_CODE_BAD_CONVERSION:
        return "invalid conversion to integer";
    case WELF_TRAP_CODE_MEMORY_OOB: return "out of bounds memory access";
    case WELF_TRAP_CODE_TABLE_OOB: return "out of bounds table access";
    case WELF_TRAP_CODE_INDIRECT_NULL: return "uninitialized element";
    case WELF_TRAP_CODE_INDIRECT_TYPE: return "indirect call type mismatch";
    case WELF_TRAP_CODE_STACK_EXHAUSTED: return "call stack exhausted";
    case WELF_TRAP_CODE_NULL_REFERENCE: return "null reference";
    case WELF_TRAP_CODE_UNDEFINED_ELEMENT: return "undefined element";
    }
    return "unknown trap";
}

welf_status welf_trap_error(welf_error *err, uint32_t code)
{
    welf_status st = welf_error_set(err, WELF_ERR_TRAP, WELF_NO_OFFSET, "%s",
                                    welf_trap_message((welf_trap_code)code));
    if (err && err->code == WELF_ERR_TRAP)
        err->trap_code = code;
    return st;
}

/* Like welf_trap_error, with the element index the message names. */
static welf_status trap_error_detail(welf_error *err, uint32_t code,
                                     uint32_t detail)
{
    welf_status st = welf_error_set(err, WELF_ERR_TRAP, WELF_NO_OFFSET,
                                    "%s %u",
                                    welf_trap_message((welf_trap_code)code),
                                    detail);
    if (err && err->code == WELF_ERR_TRAP)
        err->trap_code = code;
    return st;
}

/* ---- the trap boundary ---- */

/*
 * The active trap frames (welf_trap_frame in welf.h), innermost first.
 * The stack of them is thread-local: a trap unwinds to the innermost one,
 * which belongs to the thread that trapped. setjmp (glibc's _setjmp)
 * does not save the signal mask (that would be a system call per call):
 * traps are never raised inside a signal handler, because the fault
 * handler redirects the thread instead of jumping (see on_fault).
 *
 * initial-exec: the fault handler reads welf_trap_top, and this model
 * reads it without calls that could allocate, even from a shared library.
 * The fast paths of entering and leaving a frame are inline in
 * internal.h, for welf_func_call.
 */
_Thread_local welf_trap_frame *welf_trap_top
    __attribute__((tls_model("initial-exec")));
_Thread_local bool welf_trap_altstack_ready
    __attribute__((tls_model("initial-exec")));

void welf_trap_altstack_setup(void)
{
    welf_os_altstack_ensure();
    welf_trap_altstack_ready = true;
}

void welf_trap_frame_push(welf_engine *engine, welf_trap_frame *frame)
{
    welf_trap_enter(engine, frame);
}

welf_status welf_trap_frame_pop(welf_trap_frame *frame, welf_error *err)
{
    if (err)
        welf_error_clear(err);
    return welf_trap_leave(frame, err);
}

welf_status welf_trap_frame_error(const welf_trap_frame *frame,
                                  welf_error *err)
{
    if (frame->exited) {
        welf_status st = welf_error_set(err, WELF_ERR_EXIT, WELF_NO_OFFSET,
                                        "exited with status %d",
                                        (int32_t)frame->detail);
        if (err && err->code == WELF_ERR_EXIT)
            err->exit_code = (int32_t)frame->detail;
        return st;
    }
    if (frame->has_detail)
        return trap_error_detail(err, frame->code, frame->detail);
    return welf_trap_error(err, frame->code);
}

welf_status welf_trap_guard(welf_engine *engine, welf_guarded_fn fn,
                            void *ctx, welf_error *err)
{
    welf_trap_frame frame;
    welf_trap_frame_push(engine, &frame);
    if (setjmp(frame.env) == 0)
        fn(ctx);
    return welf_trap_frame_pop(&frame, err);
}

/* ---- backtraces ---- */

/*
 * The return addresses of this thread's most recent trap, innermost
 * first: the frame-pointer chain from the raise up to the trap frame it
 * returns to. Compiled wasm code keeps frame pointers, and so do this
 * file and builtins.c (see the Makefile), so the chain runs from the
 * trap through every wasm frame; a host function compiled without frame
 * pointers may cut it short. Every link is checked to lie between the
 * current frame and the trap frame, on this thread's stack, before it is
 * read.
 */
#define TRACE_MAX 64
static _Thread_local uintptr_t trace_pcs[TRACE_MAX];
static _Thread_local size_t trace_len;
/* The faulting instruction of a memory trap, which the fault handler
 * made look like a return address: it is looked up as it is, where
 * other return addresses are looked up one byte back, in the call. */
static _Thread_local uintptr_t fault_pc;

static __attribute__((noinline)) void trace_capture(const void *limit)
{
    trace_len = 0;
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t end = (uintptr_t)limit;
    while (trace_len < TRACE_MAX && fp && fp % 8 == 0 &&
           fp + 16 <= end) {
        uintptr_t next = ((const uintptr_t *)fp)[0];
        uintptr_t pc = ((const uintptr_t *)fp)[1];
        if (pc)
            trace_pcs[trace_len++] = pc;
        if (next <= fp)
            break;
        fp = next;
    }
}

size_t welf_trap_backtrace(welf_engine *engine, welf_frame *out, size_t max)
{
    size_t n = 0;
    welf_frame prev = {0};
    for (size_t i = 0; i < trace_len; i++) {
        welf_frame f;
        welf_code_site site;
        /* A return address points after the call: look up pc - 1. */
        uintptr_t at = trace_pcs[i] - (trace_pcs[i] != fault_pc);
        if (!welf_engine_symbolize(engine, at, &f, &site))
            continue;
        f.pc = trace_pcs[i];
        /* The entry trampoline that called a body: one frame, not two. */
        bool same = n && site.kind != WELF_LINES_WASM &&
                    prev.func_index == f.func_index &&
                    prev.module_name == f.module_name;
        prev = f;
        if (same)
            continue;
        /* With a line table: the functions inlined at pc, then f. */
        welf_lines_frame lf[16];
        size_t k = welf_lines_lookup(&site, lf, WELF_ARRAY_LEN(lf));
        for (size_t j = 0; j < k; j++, n++) {
            if (n >= max || !out)
                continue;
            out[n] = f;
            out[n].file = lf[j].file;
            out[n].line = lf[j].line;
            if (j + 1 < k) {
                out[n].inlined = true;
                out[n].func_index = WELF_NO_INDEX;
                out[n].func_name = lf[j].name;
                out[n].func_name_len = lf[j].name ? strlen(lf[j].name) : 0;
            }
        }
    }
    return n;
}

/* Jumps to the innermost frame, or gives up: with no frame there is
 * nowhere to return the trap to. */
static _Noreturn void unwind(welf_trap_frame *frame, const char *what)
{
    if (!frame) {
        fprintf(stderr, "welf: %s outside any trap frame\n", what);
        abort();
    }
    longjmp(frame->env, 1);
}

void welf_trap_raise_detail(uint32_t code, uint32_t detail)
{
    welf_trap_frame *frame = welf_trap_top;
    if (frame) {
        frame->has_detail = true;
        frame->detail = detail;
    }
    welf_trap_raise((welf_trap_code)code);
}

/* welf_trap_raise, keeping fault_pc. */
static _Noreturn void raise_trap(welf_trap_code code)
{
    welf_trap_frame *frame = welf_trap_top;
    trace_capture(frame);
    if (frame)
        frame->code = code != WELF_TRAP_CODE_NONE ? code
                                                  : WELF_TRAP_CODE_UNREACHABLE;
    unwind(frame, welf_trap_message(code));
}

void welf_trap_raise(welf_trap_code code)
{
    fault_pc = 0;
    raise_trap(code);
}

void welf_exit_raise(int32_t status)
{
    welf_trap_frame *frame = welf_trap_top;
    if (frame) {
        frame->exited = true;
        frame->detail = (uint32_t)status;
    }
    unwind(frame, "exit");
}

/* ---- the fault handler ---- */

static struct sigaction old_segv, old_bus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static bool installed;

/* Where a thread that faulted in a memory reservation resumes: on its
 * own stack, so the jump to the boundary is an ordinary one. */
static void resume_memory_oob(void)
{
    raise_trap(WELF_TRAP_CODE_MEMORY_OOB);
}

/* Passes a fault that is not ours to whoever had the signal before. */
static void chain(int sig, siginfo_t *info, void *context)
{
    const struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
    if (old->sa_flags & SA_SIGINFO) {
        if (old->sa_sigaction) {
            old->sa_sigaction(sig, info, context);
            return;
        }
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    welf_os_signal_default(sig, info);
}

/*
 * A fault is a trap only when this thread is inside a call into wasm and
 * the address lies in a memory reservation. The handler does not jump out
 * itself: it points the thread at resume_memory_oob and returns, so the
 * kernel leaves the alternate stack and restores the signal mask, and
 * AddressSanitizer sees an ordinary longjmp on the thread's own stack.
 */
static void on_fault(int sig, siginfo_t *info, void *context)
{
    if (welf_trap_top && welf_memory_fault_is_ours((uintptr_t)info->si_addr)) {
        fault_pc = welf_os_context_redirect(context, resume_memory_oob);
        return;
    }
    chain(sig, info, context);
}

static void install(void)
{
    installed = welf_os_signal_install(SIGSEGV, on_fault, &old_segv) &&
                welf_os_signal_install(SIGBUS, on_fault, &old_bus);
}

welf_status welf_trap_install(welf_error *err)
{
    pthread_once(&install_once, install);
    if (!installed)
        return welf_error_set(err, WELF_ERR_UNSUPPORTED, WELF_NO_OFFSET,
                              "cannot install the trap signal handler");
    return WELF_OK;
}
