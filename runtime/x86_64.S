/*
 * x86_64.S — the two pieces of the conversion between the array and the
 * native calling conventions that C cannot express, for host functions,
 * which have no compiled trampolines (docs/abi.md, "Host functions"):
 *
 *   welf_ffi_call            calls a C function with arguments already
 *                            sorted into the System V registers and stack
 *                            words (the array entry of a typed host);
 *   welf_native_to_array_entry
 *                            the native entry of every untyped host: saves
 *                            the argument registers and hands them, with
 *                            the stack arguments, to welf_native_to_array
 *                            (call.c), which knows the signature.
 *
 * Argument classification happens in C (call.c); these only move bytes.
 */

    .text

/*
 * void welf_ffi_call(void *fn, const uint64_t gpr[6],
 *                    const uint8_t xmm[8][16], const uint64_t *stack,
 *                    size_t stack_words, uint8_t ret[32]);
 * Loads rdi..r9 from gpr, xmm0..xmm7 from xmm, pushes stack[0 ..
 * stack_words) so stack[0] is at the callee's 0(%rsp) on a 16-byte
 * boundary, calls fn, and stores rax at ret[0] and xmm0 at ret[16].
 */
    .globl welf_ffi_call
    .hidden welf_ffi_call
    .type welf_ffi_call, @function
    .p2align 4
welf_ffi_call:
    .cfi_startproc
    pushq %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset %rbp, -16
    movq %rsp, %rbp
    .cfi_def_cfa_register %rbp
    pushq %rbx
    .cfi_offset %rbx, -24
    pushq %r12
    .cfi_offset %r12, -32
    movq %r9, %rbx              /* ret */
    movq %rdi, %r11             /* fn */
    movq %rsi, %r10             /* gpr */
    /* An odd number of words gets one word of padding above them. */
    testq $1, %r8
    jz 1f
    subq $8, %rsp
1:  testq %r8, %r8
    jz 2f
    decq %r8
    pushq (%rcx,%r8,8)
    jmp 1b
2:  movdqu 0(%rdx), %xmm0
    movdqu 16(%rdx), %xmm1
    movdqu 32(%rdx), %xmm2
    movdqu 48(%rdx), %xmm3
    movdqu 64(%rdx), %xmm4
    movdqu 80(%rdx), %xmm5
    movdqu 96(%rdx), %xmm6
    movdqu 112(%rdx), %xmm7
    movq 0(%r10), %rdi
    movq 8(%r10), %rsi
    movq 16(%r10), %rdx
    movq 24(%r10), %rcx
    movq 32(%r10), %r8
    movq 40(%r10), %r9
    callq *%r11
    movq %rax, 0(%rbx)
    movdqu %xmm0, 16(%rbx)
    leaq -16(%rbp), %rsp
    popq %r12
    popq %rbx
    popq %rbp
    .cfi_def_cfa %rsp, 8
    ret
    .cfi_endproc
    .size welf_ffi_call, . - welf_ffi_call

/*
 * R welf_native_to_array_entry(welf_host *self, welf_caller *caller,
 *                              params...);
 * Frame below %rbp: gpr[6] at 0(%rsp), xmm[8] at 48(%rsp), ret[32] at
 * 176(%rsp); the caller's stack arguments start at 16(%rbp). Calls
 * welf_native_to_array(gpr, xmm, stack, ret) and returns ret's rax and
 * xmm0, one of which is the result.
 */
    .globl welf_native_to_array_entry
    .hidden welf_native_to_array_entry
    .type welf_native_to_array_entry, @function
    .p2align 4
welf_native_to_array_entry:
    .cfi_startproc
    pushq %rbp
    .cfi_def_cfa_offset 16
    .cfi_offset %rbp, -16
    movq %rsp, %rbp
    .cfi_def_cfa_register %rbp
    subq $208, %rsp
    movq %rdi, 0(%rsp)
    movq %rsi, 8(%rsp)
    movq %rdx, 16(%rsp)
    movq %rcx, 24(%rsp)
    movq %r8, 32(%rsp)
    movq %r9, 40(%rsp)
    movdqu %xmm0, 48(%rsp)
    movdqu %xmm1, 64(%rsp)
    movdqu %xmm2, 80(%rsp)
    movdqu %xmm3, 96(%rsp)
    movdqu %xmm4, 112(%rsp)
    movdqu %xmm5, 128(%rsp)
    movdqu %xmm6, 144(%rsp)
    movdqu %xmm7, 160(%rsp)
    movq %rsp, %rdi
    leaq 48(%rsp), %rsi
    leaq 16(%rbp), %rdx
    leaq 176(%rsp), %rcx
    callq welf_native_to_array
    movq 176(%rsp), %rax
    movdqu 192(%rsp), %xmm0
    leave
    .cfi_def_cfa %rsp, 8
    ret
    .cfi_endproc
    .size welf_native_to_array_entry, . - welf_native_to_array_entry

    .section .note.GNU-stack, "", @progbits
