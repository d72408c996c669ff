/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * riscv64 purgatory entry, trap vector and the few things C cannot do.
 *
 * The old kernel's machine_kexec (arch/riscv/kernel/machine_kexec.c) enters
 * us in S-mode with the MMU off (satp = 0), a0 = the id of the hart doing
 * the kexec and a1 = the device tree it found among the segments, sie = 0:
 * riscv_kexec_relocate jumps here once it has copied the segments (stvec
 * still points into its loop); a crash kernel's riscv_kexec_norelocate
 * sets stvec to us and satp to 0, and the next fetch traps here (sstatus.SIE
 * is then 0, SPP 1). Nothing of the old kernel is used, not its stack nor
 * its trap vector.
 *
 * We hand over as Documentation/arch/riscv/boot.rst wants: a0 = the hart id
 * we were given, a1 = the device tree (the parameter block's boot_data, else
 * the a1 we were given), satp = 0, in S-mode, with stvec and sstatus as we
 * found them and every other register zero but the one holding the entry.
 * The parameter block is in purgatory.c (entry at offset 0, boot_data at 8).
 */

#define SSTATUS_SIE	0x2
#define CAUSE_ILLEGAL	2

	.section .text.entry, "ax", @progbits
	.balign	4
	.globl	purgatory_start
	.type	purgatory_start, @function
purgatory_start:
	/*
	 * s0: the hart id; s1: the stvec, s2: the sstatus we were entered with;
	 * s3: the a1 we were entered with. All callee-saved: purgatory_main keeps them.
	 */
	csrr	s2, sstatus
	csrci	sstatus, SSTATUS_SIE
	mv	s0, a0
	mv	s3, a1
	/* A trap from here on is ours, never the old kernel's (kx_trap). */
	lla	t0, kx_trap
	csrrw	s1, stvec, t0
	lla	sp, kx_stack_end
	mv	ra, zero
	mv	gp, zero
	mv	tp, zero

	/* Waits for the other harts, checks the segments; never returns on a mismatch. */
	mv	a0, s0
	call	purgatory_main

	/* The state we were entered in, then the new kernel. */
	csrw	stvec, s1
	csrw	sstatus, s2
	lla	t0, kx_purgatory_params
	ld	t1, 0(t0)		/* entry */
	ld	a1, 8(t0)		/* boot_data: the device tree */
	bnez	a1, 1f
	mv	a1, s3			/* none: the one the old kernel found */
1:	mv	a0, s0
	mv	ra, zero
	mv	sp, zero
	mv	gp, zero
	mv	tp, zero
	mv	t0, zero
	mv	t2, zero
	mv	s0, zero
	mv	s1, zero
	mv	a2, zero
	mv	a3, zero
	mv	a4, zero
	mv	a5, zero
	mv	a6, zero
	mv	a7, zero
	mv	s2, zero
	mv	s3, zero
	mv	s4, zero
	mv	s5, zero
	mv	s6, zero
	mv	s7, zero
	mv	s8, zero
	mv	s9, zero
	mv	s10, zero
	mv	s11, zero
	mv	t3, zero
	mv	t4, zero
	mv	t5, zero
	mv	t6, zero
	jr	t1
	.size	purgatory_start, . - purgatory_start

	.text

/*
 * int kx_zknh_probe(void): 1 when this hart runs sha256sum0 and computes it
 * right, 0 when it traps (no Zknh: kx_trap resumes at kx_zknh_probe_fail)
 * or computes something else. Only called when the loader says every hart
 * has Zknh (arch[0]): a loader that is wrong costs a trap, not the boot.
 * Clobbers a0, t0, t1 only (kx_trap too, on its way back here).
 */
	.balign	4
	.globl	kx_zknh_probe
	.hidden	kx_zknh_probe
	.type	kx_zknh_probe, @function
kx_zknh_probe:
	li	a0, 1
kx_zknh_probe_insn:
	.insn	i 0x13, 1, a0, a0, 0x100	/* sha256sum0 a0, a0 */
	li	t0, 0x40080400			/* ror 2 ^ ror 13 ^ ror 22 of 1 */
	sub	a0, a0, t0
	seqz	a0, a0
	ret
kx_zknh_probe_fail:
	li	a0, 0
	ret
	.size	kx_zknh_probe, . - kx_zknh_probe

/* void kx_halt(void): for good (wfi may return: an interrupt pending but masked). */
	.globl	kx_halt
	.hidden	kx_halt
	.type	kx_halt, @function
kx_halt:
	csrci	sstatus, SSTATUS_SIE
1:	wfi
	j	1b
	.size	kx_halt, . - kx_halt

/*
 * Our trap vector while we run (direct mode: 4-byte aligned). The Zknh
 * probe's illegal instruction resumes at kx_zknh_probe_fail; any other
 * trap (a bug, a region where the machine has no memory) prints scause,
 * sepc and stval on the console and halts, on a fresh stack, instead of
 * running into a vector the segments may have overwritten.
 */
	.balign	4
	.globl	kx_trap
	.hidden	kx_trap
	.type	kx_trap, @function
kx_trap:
	csrr	t0, scause
	li	t1, CAUSE_ILLEGAL
	bne	t0, t1, 1f
	csrr	t0, sepc
	lla	t1, kx_zknh_probe_insn
	bne	t0, t1, 1f
	lla	t0, kx_zknh_probe_fail
	csrw	sepc, t0
	sret
1:	lla	sp, kx_stack_end
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	call	purgatory_trap		/* prints and halts */
	j	kx_halt
	.size	kx_trap, . - kx_trap

	.bss
	.balign	16
	.globl	kx_stack
	.hidden	kx_stack
	.type	kx_stack, @object
kx_stack:
	.skip	8192
kx_stack_end:
	.size	kx_stack, . - kx_stack

	.section .note.GNU-stack, "", @progbits
