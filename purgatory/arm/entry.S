/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 32-bit ARM purgatory entry, exception vectors and the few things C cannot
 * do.
 *
 * The old kernel's machine_kexec (arch/arm/kernel/machine_kexec.c,
 * relocate_kernel.S) enters us in ARM state with the MMU and the data cache
 * off, IRQs and FIQs masked, r0 = 0, r1 = the machine type and r2 = the
 * device tree it found among the segments (kexec_boot_atags), in SVC mode
 * (HYP when the old kernel was booted in HYP mode: __hyp_soft_restart).
 * Nothing of the old kernel is used, not its stack nor its vectors.
 *
 * We hand over as Documentation/arch/arm/booting.rst wants: r0 = 0, r1 = the
 * machine type we were given, r2 = the device tree (the parameter block's
 * boot_data, else the r2 we were given), MMU and data cache off, in the mode
 * we were entered in, with SCTLR and VBAR as we found them. The parameter
 * block is in purgatory.c (entry at offset 0, boot_data at 8: low words).
 */
	.syntax	unified
	.arm

	.section .text.entry, "ax", %progbits
	.balign	4
	.globl	purgatory_start
	.type	purgatory_start, %function
purgatory_start:
	cpsid	aif
	mov	r4, r1			@ r4: the machine type
	mov	r5, r2			@ r5: the device tree the old kernel found
	ldr	sp, =kx_stack_end
	/* r6: SCTLR, r8: VBAR as we found them; our vectors until we leave (V = 0). */
	mrc	p15, 0, r6, c1, c0, 0
	mrc	p15, 0, r8, c12, c0, 0
	bic	r7, r6, #(1 << 13)
	mcr	p15, 0, r7, c1, c0, 0
	ldr	r0, =kx_vectors
	mcr	p15, 0, r0, c12, c0, 0
	isb

	/* Checks the segments; never returns on a mismatch. */
	bl	purgatory_main

	mcr	p15, 0, r8, c12, c0, 0
	mcr	p15, 0, r6, c1, c0, 0
	isb
	ldr	r3, =kx_purgatory_params
	ldr	ip, [r3, #0]		@ entry
	ldr	r2, [r3, #8]		@ boot_data: the device tree
	cmp	r2, #0
	moveq	r2, r5			@ none: the one the old kernel found
	mov	r0, #0
	mov	r1, r4
	mov	r3, #0
	mov	lr, #0
	bx	ip
	.size	purgatory_start, . - purgatory_start

/* kx_halt(): stop here for good (interrupts stay masked). */
	.text
	.balign	4
	.globl	kx_halt
	.type	kx_halt, %function
kx_halt:
	cpsid	aif
1:	wfi
	b	1b
	.size	kx_halt, . - kx_halt

/*
 * The vectors (VBAR: 32-byte aligned): each exception reports its number,
 * the address it came from (lr) and, for aborts, DFSR/DFAR, then halts. On
 * a fresh stack: the mode's banked sp is whatever the old kernel left.
 */
	.balign	32
kx_vectors:
	b	.			@ reset: not taken here
	b	kx_undef
	b	kx_svc
	b	kx_pabort
	b	kx_dabort
	b	.			@ unused
	b	kx_irq			@ masked: not taken
	b	kx_fiq
kx_undef:
	mov	r0, #1
	b	kx_exception
kx_svc:
	mov	r0, #2
	b	kx_exception
kx_pabort:
	mov	r0, #3
	b	kx_exception
kx_dabort:
	mov	r0, #4
	b	kx_exception
kx_irq:
	mov	r0, #6
	b	kx_exception
kx_fiq:
	mov	r0, #7
	b	kx_exception
	.balign	4
kx_exception:
	ldr	sp, =kx_exc_stack_end
	mov	r1, lr
	mrc	p15, 0, r2, c5, c0, 0	@ DFSR
	mrc	p15, 0, r3, c6, c0, 0	@ DFAR
	bl	purgatory_exception
	b	kx_halt

	.ltorg

	.bss
	.balign	16
kx_stack:
	.space	8192
kx_stack_end:
	.space	1024
kx_exc_stack_end:

	.section .note.GNU-stack, "", %progbits
