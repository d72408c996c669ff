/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * i386 purgatory entry. The old kernel's relocate_kernel_32 jumps here in
 * 32-bit protected mode, paging off, CR4 zero, IF=0, with the old kernel's
 * code segment still cached and ESP in its control page: nothing of the old
 * kernel is used, not its stack nor its GDT (the segments just copied may
 * have overwritten both). We hand over as the 32-bit boot protocol wants
 * (Documentation/arch/x86/boot.rst, "32-bit boot protocol"): flat GDT with
 * code 0x10 and data 0x18, ESI = boot_params, EBP = EDI = EBX = 0,
 * interrupts off, at code32_start. The parameter block is in
 * ../x86_64/purgatory.c (entry at offset 0, boot_data at 8; both below 4 GiB,
 * their low words read here).
 *
 * Absolute addresses (the stack, the GDT, the far jump's target) are
 * R_386_32 words that lib/arch/i386/reloc.c fills in once the loader has
 * placed the purgatory; calls are PC-relative.
 */

#define KX_CS 0x10
#define KX_DS 0x18

	.text
	.code32
	.globl	purgatory_start
	.type	purgatory_start, @function
purgatory_start:
	cli
	cld				/* C code assumes DF=0 */
	lgdt	gdt_ptr
	ljmp	$KX_CS, $1f
1:	movl	$KX_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	$stack_end, %esp

	/* Verifies the segments; never returns on a mismatch. */
	call	purgatory

	movl	kx_purgatory_params+8, %esi	/* boot_data */
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*kx_purgatory_params		/* entry: code32_start */
	.size	purgatory_start, . - purgatory_start

	/* In .data, not .rodata: the CPU sets the descriptors' accessed bits. */
	.data
	.balign	16
	.type	gdt, @object
gdt:
	.quad	0			/* 0x00: null */
	.quad	0			/* 0x08: unused, as in the kernel's boot GDT */
	.quad	0x00cf9a000000ffff	/* 0x10: 32-bit code, flat 4 GiB */
	.quad	0x00cf92000000ffff	/* 0x18: data, flat 4 GiB */
gdt_end:
	.size	gdt, . - gdt

	.balign	16
	.type	gdt_ptr, @object
gdt_ptr:
	.word	gdt_end - gdt - 1
	.long	gdt
	.size	gdt_ptr, . - gdt_ptr

	.bss
	.balign	16
	.type	stack, @object
stack:
	.skip	16384
stack_end:
	.size	stack, . - stack

	.section .note.GNU-stack, "", @progbits
