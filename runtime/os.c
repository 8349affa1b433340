/*
 * os.c — the runtime's only calls into the operating system (Linux,
 * x86-64): address-space reservations for memories, signal handlers,
 * alternate signal stacks, and redirecting a thread from a signal
 * handler. Everything above this file is portable C plus these wrappers.
 */
#include "internal.h"

#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

/* ---- address space ---- */

void *welf_os_reserve(uint64_t size)
{
    void *p = mmap(NULL, (size_t)size, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

bool welf_os_commit(void *addr, uint64_t size)
{
    return mprotect(addr, (size_t)size, PROT_READ | PROT_WRITE) == 0;
}

void welf_os_release(void *addr, uint64_t size)
{
    munmap(addr, (size_t)size);
}

/* ---- signals ---- */

bool welf_os_signal_install(int sig, welf_os_signal_fn fn,
                            struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, old) == 0;
}

void welf_os_signal_default(int sig, const siginfo_t *info)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    /* A fault repeats when the handler returns; a sent signal does not,
     * so send it again (it stays blocked until the handler returns). */
    if (info->si_code <= 0)
        raise(sig);
}

/* The alternate signal stack of each thread that called into wasm. It is
 * kept for the life of the thread (and of the process, for the main
 * thread). */
#define ALTSTACK_BYTES (64u << 10)

void welf_os_altstack_ensure(void)
{
    stack_t current;
    if (sigaltstack(NULL, &current) != 0 || !(current.ss_flags & SS_DISABLE))
        return;
    void *p = mmap(NULL, ALTSTACK_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = p;
    ss.ss_size = ALTSTACK_BYTES;
    if (sigaltstack(&ss, NULL) != 0)
        munmap(p, ALTSTACK_BYTES);
}

/*
 * Makes the thread continue in fn as though the faulting instruction had
 * called it: below the red zone of the interrupted frame, aligned as the
 * ABI wants at a call, with the faulting address as the return address
 * so that debuggers show where the fault was. fn must not return.
 * Returns that address.
 */
uintptr_t welf_os_context_redirect(void *context, void (*fn)(void))
{
    ucontext_t *uc = context;
    greg_t *regs = uc->uc_mcontext.gregs;
    uintptr_t sp = (uintptr_t)regs[REG_RSP];
    sp -= 128;
    sp &= ~(uintptr_t)15;
    sp -= sizeof(uintptr_t);
    *(uintptr_t *)sp = (uintptr_t)regs[REG_RIP];
    regs[REG_RSP] = (greg_t)sp;
    uintptr_t pc = (uintptr_t)regs[REG_RIP];
    regs[REG_RIP] = (greg_t)(uintptr_t)fn;
    return pc;
}
