/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * s390x purgatory entry. The old kernel's relocate_kernel copies the
 * segments, writes a short PSW (0x00080000 80000000 | our address) at
 * absolute 0 and issues diag 0x308 subcode 0 (arch/s390/kernel/
 * relocate_kernel.S): the machine is reset (I/O, the CPUs; memory kept) and
 * the CPU starts here as after an IPL: z/Architecture, 31-bit addressing,
 * DAT off, every interrupt disabled, prefix 0. We switch to 64-bit
 * addressing, take our own stack, check (purgatory.c and check-main.c), and
 * go back to 31-bit addressing to branch to the kernel's entry (0x10000) as
 * relocate_kernel would have. Everything here is PC-relative (larl, brasl):
 * only our data words are relocated. The parameter block's entry is at
 * offset 0.
 */
	.section .text.entry, "ax"
	.globl	purgatory_start
	.type	purgatory_start, @function
purgatory_start:
	sam64
	larl	%r15, kx_stack_end
	aghi	%r15, -160		/* the ABI's register save area */
	xc	0(8, %r15), 0(%r15)	/* back chain: none */
	brasl	%r14, purgatory_main
	larl	%r1, kx_purgatory_params
	lg	%r1, 0(%r1)
	sam31
	br	%r1
	.size	purgatory_start, . - purgatory_start

	/* A mismatch: a disabled wait, its address naming us (0xbad). */
	.text
	.globl	kx_halt
	.type	kx_halt, @function
kx_halt:
	larl	%r1, kx_halt_psw
	lpswe	0(%r1)
	j	kx_halt
	.size	kx_halt, . - kx_halt

	.section .rodata
	.balign	8
kx_halt_psw:
	.quad	0x0002000180000000	/* wait, 64-bit addressing, nothing enabled */
	.quad	0x0000000000000bad

	.bss
	.balign	16
	.type	kx_stack, @object
kx_stack:
	.skip	16384
kx_stack_end:
	.size	kx_stack, . - kx_stack

	.section .note.GNU-stack, "", @progbits
