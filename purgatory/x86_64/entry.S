/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * x86_64 purgatory entry. The old kernel's relocate_kernel jumps here in
 * 64-bit mode, paging on with an identity map, IF=0, every register zero but
 * RSP, which may point anywhere: nothing of the old kernel is used, not even
 * its stack or GDT (both may be overwritten by the segments just copied).
 * We hand over to the new kernel as its 64-bit boot protocol wants
 * (Documentation/arch/x86/boot.rst): flat GDT with code 0x10 and data 0x18,
 * RSI = boot_params, interrupts off. The parameter block is in purgatory.c
 * (struct kx_purgatory_params: entry at offset 0, boot_data at 8).
 */

#define KX_CS 0x10
#define KX_DS 0x18

	.text
	.code64
	.globl	purgatory_start
	.type	purgatory_start, @function
purgatory_start:
	cli
	cld				/* C code assumes DF=0 */
	leaq	stack_end(%rip), %rsp

	/* gdt_ptr holds gdt's absolute address through an R_X86_64_64 relocation. */
	lgdt	gdt_ptr(%rip)
	/* 64-bit mode has no far jump to an immediate selector: far-return into the new CS. */
	pushq	$KX_CS
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movl	$KX_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/*
	 * Verifies the segments' SHA-256; never returns on a mismatch. Around
	 * it, SSE goes on for the SHA extensions where the CPU has them, and
	 * CR0/CR4 go back to what the old kernel left (purgatory.c).
	 */
	call	purgatory_cpu_setup
	call	purgatory
	call	purgatory_cpu_restore

	/*
	 * The kernel's 64-bit entry wants RSI = boot_params and (for old
	 * kernels) RBX = 0; clear the rest so that nothing of ours leaks into
	 * the new kernel. The jump reads its target from memory: no register
	 * needs to hold it.
	 */
	movq	kx_purgatory_params+8(%rip), %rsi	/* boot_data */
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	jmp	*kx_purgatory_params(%rip)		/* entry */
	.size	purgatory_start, . - purgatory_start

	/* In .data, not .rodata: the CPU sets the descriptors' accessed bits. */
	.data
	.balign	16
	.type	gdt, @object
gdt:
	.quad	0			/* 0x00: null */
	.quad	0			/* 0x08: unused, as in the kernel's boot GDT */
	.quad	0x00af9a000000ffff	/* 0x10: 64-bit code, flat */
	.quad	0x00cf92000000ffff	/* 0x18: data, flat 4 GiB */
gdt_end:
	.size	gdt, . - gdt

	.balign	16
	.type	gdt_ptr, @object
gdt_ptr:
	.word	gdt_end - gdt - 1
	.quad	gdt
	.size	gdt_ptr, . - gdt_ptr

	.bss
	.balign	16
	.type	stack, @object
stack:
	.skip	16384
stack_end:
	.size	stack, . - stack

	.section .note.GNU-stack, "", @progbits
