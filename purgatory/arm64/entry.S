/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * arm64 purgatory entry and the few things C cannot do. The old kernel's
 * arm64_relocate_new_kernel (kexec_load: kimage->start is us) jumps here with
 * the MMU and the caches off, interrupts masked, at EL2 (hyp-stub
 * HVC_SOFT_RESTART on an nVHE host; the kernel's own EL2 on a VHE host) or at
 * EL1, and x0 = kimage->arch.dtb_mem, which is 0 for kexec_load: the DTB's
 * address is in our parameter block instead (purgatory.c). Nothing of the old
 * kernel is used, not its stack nor its vectors.
 *
 * We hand over as Documentation/arch/arm64/booting.rst requires: MMU off,
 * D-cache off, x0 = the DTB's physical address, x1 = x2 = x3 = 0, interrupts
 * masked, at the exception level we were entered at, the system registers we
 * changed restored (purgatory.c).
 */

#define CURRENTEL_EL2	(2 << 2)
#define SCTLR_M		(1 << 0)
#define SCTLR_C		(1 << 2)

/* Selects the EL1 or EL2 register by a flag in reg (0: EL1). */
.macro	MSR_EL reg, sysreg, val
	cbnz	\reg, 8f
	msr	\sysreg\()_el1, \val
	b	9f
8:	msr	\sysreg\()_el2, \val
9:
.endm

/* out = the smallest data cache line, from CTR_EL0.DminLine (tmp clobbered). */
.macro	DCACHE_LINE out, tmp
	mrs	\tmp, ctr_el0
	ubfx	\tmp, \tmp, #16, #4
	mov	\out, #4
	lsl	\out, \out, \tmp
.endm

	.section .text.entry, "ax", %progbits
	.globl	purgatory_start
	.type	purgatory_start, %function
purgatory_start:
	msr	daifset, #0xf
	msr	spsel, #1
	adrp	x9, stack_end
	add	x9, x9, :lo12:stack_end
	mov	sp, x9
	mov	x29, xzr
	mov	x30, xzr

	/*
	 * Checks the segments' SHA-256 with the MMU and caches on for the
	 * time of the check, then turns them off again and puts back what it
	 * changed; never returns on a mismatch.
	 */
	bl	purgatory_main

	/*
	 * booting.rst: x0 = the DTB, x1-x3 zero. The others are cleared too,
	 * so nothing of ours leaks into the new kernel. The parameter block
	 * starts with entry, then boot_data (purgatory.c checks the offsets).
	 */
	adrp	x9, kx_purgatory_params
	add	x9, x9, :lo12:kx_purgatory_params
	ldp	x17, x0, [x9]
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	mov	x4, xzr
	mov	x5, xzr
	mov	x6, xzr
	mov	x7, xzr
	mov	x8, xzr
	mov	x9, xzr
	mov	x10, xzr
	mov	x11, xzr
	mov	x12, xzr
	mov	x13, xzr
	mov	x14, xzr
	mov	x15, xzr
	mov	x16, xzr
	mov	x18, xzr
	mov	x19, xzr
	mov	x20, xzr
	mov	x21, xzr
	mov	x22, xzr
	mov	x23, xzr
	mov	x24, xzr
	mov	x25, xzr
	mov	x26, xzr
	mov	x27, xzr
	mov	x28, xzr
	mov	x29, xzr
	mov	x30, xzr
	br	x17
	.size	purgatory_start, . - purgatory_start

	.text

/*
 * void kx_mmu_on(uint64_t el2, uint64_t ttbr0, uint64_t tcr, uint64_t mair,
 *                uint64_t sctlr, uint64_t start, uint64_t end)
 *
 * Called with the MMU off. First [start, end), the purgatory's own memory,
 * which we have been writing with the caches off, is invalidated to the PoC
 * (lines the old kernel's speculation may have left would hide what we
 * wrote: the page tables, the stack); then the translation registers of the
 * current EL, the TLBs, and SCTLR with M, C and I. Returns with the identity
 * map on.
 */
	.globl	kx_mmu_on
	.hidden	kx_mmu_on
	.type	kx_mmu_on, %function
kx_mmu_on:
	DCACHE_LINE x8, x9
	sub	x9, x8, #1
	bic	x5, x5, x9
	dmb	sy			/* the writes with the MMU off are done, then dc ivac */
1:	dc	ivac, x5
	add	x5, x5, x8
	cmp	x5, x6
	b.lo	1b
	dsb	sy
	ic	iallu
	MSR_EL	x0, mair, x3
	MSR_EL	x0, tcr, x2
	MSR_EL	x0, ttbr0, x1
	isb
	cbnz	x0, 2f
	tlbi	vmalle1
	b	3f
2:	tlbi	alle2
3:	dsb	nsh
	isb
	MSR_EL	x0, sctlr, x4
	isb
	ret
	.size	kx_mmu_on, . - kx_mmu_on

/*
 * void kx_mmu_off(uint64_t el2, uint64_t sctlr, uint64_t start, uint64_t end)
 *
 * Called with the identity map on. [start, end), the purgatory's own memory
 * (stack, page tables, variables: all we wrote with the caches on), is
 * cleaned and invalidated to the PoC, so that no dirty line of ours can be
 * written back over what the new kernel writes later with its caches off.
 * Nothing is written between that and SCTLR (the old value: MMU and caches
 * off). Then the I-cache and the TLBs (our identity map) are invalidated.
 * Lines we only read (the segments) are clean: booting.rst asks that the
 * image be cleaned to the PoC, which it is; it does not ask that the
 * caches be empty.
 */
	.globl	kx_mmu_off
	.hidden	kx_mmu_off
	.type	kx_mmu_off, %function
kx_mmu_off:
	DCACHE_LINE x8, x9
	sub	x9, x8, #1
	bic	x2, x2, x9
1:	dc	civac, x2
	add	x2, x2, x8
	cmp	x2, x3
	b.lo	1b
	dsb	sy
	MSR_EL	x0, sctlr, x1
	isb
	ic	iallu
	cbnz	x0, 2f
	tlbi	vmalle1
	b	3f
2:	tlbi	alle2
3:	dsb	sy
	isb
	ret
	.size	kx_mmu_off, . - kx_mmu_off

/*
 * void kx_fp_clear(void): after the hashing, no message word or state of
 * ours stays in the FP/SIMD registers. Only called while FP/SIMD is enabled.
 */
	.globl	kx_fp_clear
	.hidden	kx_fp_clear
	.type	kx_fp_clear, %function
kx_fp_clear:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	movi	v\n\().2d, #0
	.endr
	msr	fpsr, xzr
	ret
	.size	kx_fp_clear, . - kx_fp_clear

/* void kx_halt(void): for good, interrupts masked (wfi may still wake up). */
	.globl	kx_halt
	.hidden	kx_halt
	.type	kx_halt, %function
kx_halt:
	msr	daifset, #0xf
1:	wfi
	b	1b
	.size	kx_halt, . - kx_halt

/*
 * Our exception vectors, for the time we run (VBAR of the current EL; the old
 * value is restored before the jump): an exception in the purgatory (a bug,
 * or a page the identity map lacks) turns the MMU off, prints ESR, ELR and FAR
 * on the console and halts, instead of running into vectors the segments
 * may have overwritten. A fresh stack: the old one may be in dirty lines
 * that turning the caches off just hid.
 */
	.balign	2048
	.globl	kx_vectors
	.hidden	kx_vectors
	.type	kx_vectors, %object
kx_vectors:
	.rept	16
	.balign	128
	b	kx_exception
	.endr
	.size	kx_vectors, . - kx_vectors

	.type	kx_exception, %function
kx_exception:
	mrs	x9, CurrentEL
	cmp	x9, #CURRENTEL_EL2
	b.eq	1f
	mrs	x9, sctlr_el1
	bic	x9, x9, #SCTLR_M
	bic	x9, x9, #SCTLR_C
	msr	sctlr_el1, x9
	isb
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	mrs	x2, far_el1
	b	2f
1:	mrs	x9, sctlr_el2
	bic	x9, x9, #SCTLR_M
	bic	x9, x9, #SCTLR_C
	msr	sctlr_el2, x9
	isb
	mrs	x0, esr_el2
	mrs	x1, elr_el2
	mrs	x2, far_el2
2:	adrp	x9, stack_end
	add	x9, x9, :lo12:stack_end
	mov	sp, x9
	bl	purgatory_exception	/* prints and halts */
	b	kx_halt
	.size	kx_exception, . - kx_exception

	.bss
	.balign	16
	.type	stack, %object
stack:
	.skip	16384
stack_end:
	.size	stack, . - stack

	.section .note.GNU-stack, "", %progbits
