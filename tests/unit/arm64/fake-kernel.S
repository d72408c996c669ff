/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in for the old kernel's last steps and for the new kernel, to run
 * the arm64 purgatory whole under qemu-system-aarch64 (machine virt, no
 * firmware) for tests/unit/test-purgatory-arm64.c. Linked at 0x40200000.
 *
 * _start (0x40200000), where QEMU starts the CPU, at EL1 or EL2 with the MMU
 * off, plays arm64_relocate_new_kernel: at EL2 with mode 1 it sets
 * HCR_EL2.E2H and TGE (a VHE host); then it gives the registers the
 * purgatory changes values of its own, recording them ("before"), traps
 * FP/SIMD, fills x0-x30 with garbage and jumps to the purgatory.
 *
 * kernel_entry (0x40201000) plays the new kernel: it records x0-x3 first,
 * then the same registers ("after"), and fake-kernel.c prints them all on
 * the PL011 and ends QEMU through semihosting.
 *
 * Config block at 0x40300000 (written by the test): +0 the purgatory's
 * entry, +8 the mode, +16 and +24 the addresses of its kx_check_path and
 * kx_check_ticks.
 */
#define CONFIG		0x40300000
#define BEFORE		0x40300100
#define AFTER		0x40300200
#define STACK_TOP	0x40380000

	.text
	.globl	_start
_start:
	msr	daifset, #0xf
	ldr	x20, =CONFIG
	ldr	x21, [x20, #8]			/* mode */
	mrs	x22, CurrentEL
	lsr	x22, x22, #2
	cmp	x22, #2
	b.ne	el1

	/* EL2: nVHE (mode 0: HCR_EL2.RW only) or VHE (mode 1: E2H, TGE). */
	mov	x0, #(1 << 31)			/* RW */
	cbz	x21, 1f
	orr	x0, x0, #(1 << 27)		/* TGE */
	orr	x0, x0, #(1 << 34)		/* E2H */
1:	msr	hcr_el2, x0
	isb
	ldr	x0, =0x40280000
	msr	vbar_el2, x0
	ldr	x0, =0x80803520
	cbz	x21, 2f
	ldr	x0, =0x0000000580803520		/* the EL1 layout with E2H */
2:	msr	tcr_el2, x0
	ldr	x0, =0x00000000004404ff
	msr	mair_el2, x0
	ldr	x0, =0x40500000
	msr	ttbr0_el2, x0
	/* FP/SIMD trapped: E2H: CPTR_EL2.FPEN 0; else TFP (and the RES1 bits). */
	mov	x0, #0
	cbnz	x21, 3f
	ldr	x0, =0x37ff
3:	msr	cptr_el2, x0
	isb
	b	record_before

el1:	ldr	x0, =0x40280000
	msr	vbar_el1, x0
	ldr	x0, =0x0000000580803520
	msr	tcr_el1, x0
	ldr	x0, =0x00000000004404ff
	msr	mair_el1, x0
	ldr	x0, =0x40500000
	msr	ttbr0_el1, x0
	msr	cpacr_el1, xzr			/* FP/SIMD trapped */
	isb

record_before:
	ldr	x0, =BEFORE
	bl	record
	/* Garbage everywhere, as far as the purgatory may care; x0 is dtb_mem (0). */
	ldr	x9, [x20]
	mov	x0, xzr
	ldr	x1, =0x1111111111111111
	mov	x2, x1
	mov	x3, x1
	mov	x4, x1
	mov	x19, x1
	mov	x29, x1
	mov	x30, x1
	mov	sp, x1
	br	x9

/* x0: where to store CurrentEL, SCTLR, TCR, MAIR, TTBR0, VBAR, the FP trap, HCR, DAIF. */
record:
	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	str	x1, [x0]
	cmp	x1, #2
	b.eq	1f
	mrs	x2, sctlr_el1
	mrs	x3, tcr_el1
	mrs	x4, mair_el1
	mrs	x5, ttbr0_el1
	mrs	x6, vbar_el1
	mrs	x7, cpacr_el1
	mov	x8, xzr
	b	2f
1:	mrs	x2, sctlr_el2
	mrs	x3, tcr_el2
	mrs	x4, mair_el2
	mrs	x5, ttbr0_el2
	mrs	x6, vbar_el2
	mrs	x7, cptr_el2
	mrs	x8, hcr_el2
2:	stp	x2, x3, [x0, #8]
	stp	x4, x5, [x0, #24]
	stp	x6, x7, [x0, #40]
	mrs	x9, daif
	stp	x8, x9, [x0, #56]
	ret

	.org	0x1000
	.globl	kernel_entry
kernel_entry:
	ldr	x9, =AFTER
	stp	x0, x1, [x9, #128]
	stp	x2, x3, [x9, #144]
	mov	x0, x9
	bl	record
	ldr	x9, =STACK_TOP
	mov	sp, x9
	bl	fake_kernel_report		/* prints; exits through semihosting */
1:	wfi
	b	1b

/*
 * void semihosting_exit(void): SYS_EXIT with ADP_Stopped_ApplicationExit and
 * status 0 (on AArch64, X1 points at the two words).
 */
	.globl	semihosting_exit
semihosting_exit:
	ldr	x1, =exit_block
	mov	x0, #0x18
	hlt	#0xf000
1:	wfi
	b	1b

	.balign	8
exit_block:
	.quad	0x20026, 0

	.ltorg
	.section .note.GNU-stack, "", %progbits
