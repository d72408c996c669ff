/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MIPS64 purgatory entry (n64, mips64r2). The old kernel's relocate_kernel
 * jumps here at our physical address's XKPHYS cached alias (phys_to_virt
 * of the entry the loader gave), in kernel mode with interrupts off and
 * a0-a3 the firmware arguments the new kernel needs (loongson: argc, the
 * argv block, the LEFI tables, 0). Our code is linked -msym32 at the CKSEG0
 * alias of where the loader put us (lib/arch/mips/load.c relocates it
 * there): the first thing is a jump to that alias, then our own stack, the
 * check (purgatory.c), and the jump to the kernel's entry (a CKSEG0 or
 * XKPHYS address) with a0-a3 as they came. The parameter block's entry is
 * at offset 0.
 */
	.set	noreorder
	.set	noat
	.section .text.entry, "ax"
	.globl	purgatory_start
	.type	purgatory_start, @function
purgatory_start:
	/* From XKPHYS to the CKSEG0 address we are linked at. */
	lui	$t9, %hi(1f)
	addiu	$t9, $t9, %lo(1f)
	jr	$t9
	 nop
1:	move	$s0, $a0
	move	$s1, $a1
	move	$s2, $a2
	move	$s3, $a3
	lui	$sp, %hi(kx_stack_end)
	addiu	$sp, $sp, %lo(kx_stack_end)
	lui	$t9, %hi(purgatory_main)
	addiu	$t9, $t9, %lo(purgatory_main)
	jalr	$t9
	 nop
	/* The kernel's entry, with a0-a3 as the old kernel gave them. */
	lui	$t9, %hi(kx_purgatory_params)
	addiu	$t9, $t9, %lo(kx_purgatory_params)
	ld	$t9, 0($t9)
	move	$a0, $s0
	move	$a1, $s1
	move	$a2, $s2
	move	$a3, $s3
	jr	$t9
	 nop
	.size	purgatory_start, . - purgatory_start

	.text
	.globl	kx_halt
	.type	kx_halt, @function
kx_halt:
1:	wait
	b	1b
	 nop
	.size	kx_halt, . - kx_halt

	.bss
	.balign	16
	.type	kx_stack, @object
kx_stack:
	.skip	16384
kx_stack_end:
	.size	kx_stack, . - kx_stack

	.section .note.GNU-stack, "", @progbits
