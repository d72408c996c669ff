/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ppc64 (little-endian, ELFv2) purgatory entry, for the old kernel's
 * kexec_sequence (arch/powerpc/kernel/misc_64.S) as kexec-tools' v2wrap.S
 * and the kernel's own arch/powerpc/purgatory/trampoline_64.S take it:
 *   - it copies the first 0x100 bytes at the entry point (here) to physical
 *     0, then releases the other CPUs to 0x60 there, big-endian, each with
 *     r3 = its physical id. The loader fills bytes 4..0xff of this block
 *     with the new kernel's own first 0x100 bytes (lib/arch/ppc64/load.c),
 *     so that they wait in the new kernel's __secondary_hold until it
 *     releases them; byte 0 stays our branch to master.
 *   - the boot CPU comes here in real mode (MMU off), little-endian, with
 *     r3 = its physical id, r4 = this address.
 * master takes our stack and TOC pointer (r2: purgatory_start + 0x8000, what
 * lib/arch/ppc64/reloc.c measures TOC-relative relocations from; the C code
 * is built -msingle-pic-base, so no function sets up its own), checks the
 * segments (check-main.c), for a crash kernel backs up the low memory and
 * sets its run-at-load flag (purgatory.c), writes its physical id into the device tree's
 * boot_cpuid_phys, and enters the kernel with r3 = the device tree, r4 =
 * the kernel, r5 = 0, MSR_LE cleared by rfid as both wrappers do (the
 * kernel's FIXUP_ENDIAN switches back).
 */
#define KX_TOC_OFFSET 0x8000

	.abiversion 2
	.section .text.entry, "ax"
	.balign	256
	.globl	purgatory_start
	.type	purgatory_start, @function
purgatory_start:
	b	master
	.org	purgatory_start + 0x60
	b	.			/* the kernel's __secondary_hold, once filled in */
	.org	purgatory_start + 0x100
	.size	purgatory_start, 0x100

master:
	or	1,1,1			/* low priority while the others catch up */
	isync
	mr	17,3			/* our physical id */
	bcl	20,31,1f
1:	mflr	12
	addis	2,12,(purgatory_start + KX_TOC_OFFSET - 1b)@ha
	addi	2,2,(purgatory_start + KX_TOC_OFFSET - 1b)@l
	addis	1,2,kx_stack_end@toc@ha
	addi	1,1,kx_stack_end@toc@l
	li	0,0
	stdu	0,-112(1)		/* a frame with a null back chain */
	bl	purgatory_main
	nop
	bl	kx_ppc64_after_check
	nop
	or	2,2,2			/* normal priority */
	addis	9,2,kx_purgatory_params@toc@ha
	addi	9,9,kx_purgatory_params@toc@l
	ld	4,0(9)			/* entry: the kernel */
	ld	3,8(9)			/* boot_data: the device tree */
	li	6,28			/* boot_cpuid_phys, big-endian */
	stwbrx	17,3,6
	sync
	li	5,0
	mtsrr0	4
	mfmsr	11
	clrrdi	11,11,1			/* MSR_LE off */
	mtsrr1	11
	rfid
	.size	master, . - master

	/* A mismatch: this CPU spins here at low priority. */
	.text
	.globl	kx_halt
	.type	kx_halt, @function
kx_halt:
	or	1,1,1
	b	kx_halt
	.size	kx_halt, . - kx_halt

	.bss
	.balign	16
	.type	kx_stack, @object
kx_stack:
	.skip	16384
kx_stack_end:
	.size	kx_stack, . - kx_stack

	.section .note.GNU-stack, "", @progbits
