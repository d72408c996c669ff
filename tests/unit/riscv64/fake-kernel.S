/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake old kernel and a fake new kernel around the riscv64 purgatory,
 * booted by tests/unit/test-purgatory-riscv64.c in qemu-system-riscv64 -M
 * virt, where OpenSBI (QEMU's -bios default) starts _start in S-mode with
 * a0 = the hart id and a1 = its device tree, satp = 0.
 *
 * _start plays the old kernel's last step (arch/riscv/kernel/
 * kexec_relocate.S): sie = 0, stvec pointing at old_vector (our stand-in
 * for its relocation loop: a purgatory that traps without a vector of its
 * own ends up there and says so), sstatus with SIE and SPIE set, every
 * register garbage but a0 = the hart id and a1 = the device tree, then
 * either a jump to purgatory_start (riscv_kexec_relocate) or, in mode 1, a
 * trap into it (riscv_kexec_norelocate: stvec = purgatory_start, and the
 * next fetch traps; here an illegal instruction does). The config block at
 * VM_CONFIG (the test loads it) says where the purgatory starts, the mode,
 * and where kx_check_path and kx_check_ticks are. Mode bit 1: the boot
 * hart first starts hart 1 at _start (SBI HSM) and stops, so that the kexec
 * happens on hart 1, as machine_kexec does on whichever CPU calls it.
 *
 * kernel_entry, at 0x80201000, is the new kernel: it saves every register
 * on entry, then fake-kernel.c reports them, the CSRs and what the check did
 * on the UART, and QEMU's test device powers the machine off.
 */
#define VM_CONFIG	0x80300000
#define VM_B		0x88000000	/* test-purgatory-riscv64.c's region B */
#define SSTATUS_SIE	0x2
#define SSTATUS_SPIE	0x20
#define SBI_EXT_HSM	0x48534d

	.option	norelax
	.section .text.start, "ax", @progbits
	.globl	_start
_start:
	/*
	 * Mode bit 1: the kexec happens on hart 1 (-smp 2), and hart 0 plays
	 * the other hart (other_hart): it stops, and hart 1 waits until SBI
	 * HSM says it has. Bit 2: hart 0 never stops (it spins). Bit 3: it
	 * stops only once the purgatory has seen it running (kx_harts_late
	 * nonzero, at purgatory_start + the mode's upper 32 bits), as a hart
	 * the old kernel took down late would; with bit 4 too, it first
	 * writes a byte into region B (VM_B), as such a hart's stack might.
	 * In these, hart 1 goes on as soon as hart 0 runs (other_running).
	 * OpenSBI's boot hart is whichever arrives first: hart 0 starts hart 1
	 * here with a1 = 0; hart 1 booted with a1 = the device tree starts
	 * hart 0 at other_hart.
	 */
	li	t0, VM_CONFIG
	ld	t1, 8(t0)
	andi	t2, t1, 2
	beqz	t2, 2f
	li	t2, 1
	beq	a0, t2, 8f
	li	a7, SBI_EXT_HSM
	li	a6, 0			/* sbi_hart_start(1, _start, 0) */
	li	a0, 1
	lla	a1, _start
	li	a2, 0
	ecall
	j	other_hart
8:	beqz	a1, 3f			/* started by hart 0 */
	mv	s4, a0
	mv	s5, a1
	li	a7, SBI_EXT_HSM
	li	a6, 0			/* sbi_hart_start(0, other_hart, 0) */
	li	a0, 0
	lla	a1, other_hart
	li	a2, 0
	ecall
	mv	a0, s4
	mv	a1, s5
3:	andi	t2, t1, 12
	bnez	t2, 9f
	mv	s4, a0
	mv	s5, a1
7:	li	a7, SBI_EXT_HSM
	li	a6, 2			/* sbi_hart_get_status(0) */
	li	a0, 0
	ecall
	li	t2, 1			/* SBI_HSM_STATE_STOPPED */
	bne	a1, t2, 7b
	mv	a0, s4
	mv	a1, s5
	j	2f
9:	lla	t3, other_running
10:	ld	t5, 0(t3)
	beqz	t5, 10b
	fence	rw, rw
2:	lla	sp, stack_top
	mv	s0, a0
	mv	s1, a1
	csrw	sie, zero
	li	t0, SSTATUS_SIE | SSTATUS_SPIE
	csrs	sstatus, t0
	lla	t0, old_vector
	csrw	stvec, t0
	li	t0, VM_CONFIG
	ld	s2, 0(t0)		/* purgatory_start */
	ld	s3, 8(t0)		/* mode */
	andi	s3, s3, 1		/* 1: trap into the purgatory */
	mv	a0, s3
	call	old_kernel_last_words	/* records the CSRs the new kernel must find */
	mv	t6, s2
	mv	a0, s0
	mv	a1, s1
	bnez	s3, 1f
	call	garbage
	jr	t6
1:	csrw	stvec, t6		/* riscv_kexec_norelocate */
	call	garbage
	.word	0			/* illegal: traps to stvec, the purgatory */

/* Hart 0 as the other hart (mode bit 1; bits 2, 3 and 4 above). */
other_hart:
	lla	t3, other_running
	li	t2, 1
	sd	t2, 0(t3)
	fence	rw, rw
	li	t0, VM_CONFIG
	ld	t1, 8(t0)
	andi	t2, t1, 4
	bnez	t2, 5f
	andi	t2, t1, 8
	beqz	t2, 4f
	ld	t3, 0(t0)		/* purgatory_start */
	srli	t4, t1, 32
	add	t3, t3, t4		/* kx_harts_late */
6:	ld	t5, 0(t3)
	beqz	t5, 6b
	andi	t2, t1, 16
	beqz	t2, 4f
	li	t3, VM_B
	lbu	t5, 0(t3)
	xori	t5, t5, 0x5a
	sb	t5, 0(t3)
	fence	rw, rw
4:	li	a7, SBI_EXT_HSM
	li	a6, 1			/* sbi_hart_stop() */
	ecall
1:	wfi
	j	1b
5:	j	5b

/* Every register but a0, a1, sp and t6 (the target) made garbage. */
garbage:
	li	gp, -1
	li	tp, -1
	li	t0, -1
	li	t1, -1
	li	t2, -1
	li	s0, -1
	li	s1, -1
	li	a2, -1
	li	a3, -1
	li	a4, -1
	li	a5, -1
	li	a6, -1
	li	a7, -1
	li	s2, -1
	li	s3, -1
	li	s4, -1
	li	s5, -1
	li	s6, -1
	li	s7, -1
	li	s8, -1
	li	s9, -1
	li	s10, -1
	li	s11, -1
	li	t3, -1
	li	t4, -1
	li	t5, -1
	ret				/* ra: the caller's; the purgatory clears it */

	.balign	4
old_vector:
	lla	sp, stack_top
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	call	old_vector_report	/* does not return */

	.org	0x1000
	.globl	kernel_entry
kernel_entry:
	csrw	sscratch, t0
	lla	t0, regs
	sd	x1, 8(t0)
	sd	x2, 16(t0)
	sd	x3, 24(t0)
	sd	x4, 32(t0)
	csrr	x1, sscratch
	sd	x1, 40(t0)
	sd	x6, 48(t0)
	sd	x7, 56(t0)
	sd	x8, 64(t0)
	sd	x9, 72(t0)
	sd	x10, 80(t0)
	sd	x11, 88(t0)
	sd	x12, 96(t0)
	sd	x13, 104(t0)
	sd	x14, 112(t0)
	sd	x15, 120(t0)
	sd	x16, 128(t0)
	sd	x17, 136(t0)
	sd	x18, 144(t0)
	sd	x19, 152(t0)
	sd	x20, 160(t0)
	sd	x21, 168(t0)
	sd	x22, 176(t0)
	sd	x23, 184(t0)
	sd	x24, 192(t0)
	sd	x25, 200(t0)
	sd	x26, 208(t0)
	sd	x27, 216(t0)
	sd	x28, 224(t0)
	sd	x29, 232(t0)
	sd	x30, 240(t0)
	sd	x31, 248(t0)
	lla	sp, stack_top
	call	kernel_report		/* does not return */

	.data
	.balign	8
other_running:
	.dword	0			/* hart 0 runs other_hart */

	.bss
	.balign	16
	.globl	regs
regs:
	.skip	256
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
