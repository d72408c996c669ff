/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The run-time of the freestanding riscv64 test programs (sha256-paths,
 * run-blob.c): ../freestanding.h, and what is riscv64's own: the system
 * call (ecall, its number in a7), _start, the signal structures the
 * handlers see, and reading an instruction. Built -mno-relax and linked
 * --no-relax: no code of theirs uses gp, which the purgatory zeroes before
 * its signal handlers run (run-blob.c). Include it in exactly one file per
 * program.
 */
#ifndef KX_RISCV64_TEST_RUNTIME_H
#define KX_RISCV64_TEST_RUNTIME_H

#include "../freestanding.h"

KX_RT long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

/* ---- Signals: the kernel's riscv64 structures, as the handlers see them ---- */

#define KX_SIGILL 4
#define KX_SIGTRAP 5
#define KX_SIGBUS 7
#define KX_SIGSEGV 11
#define KX_SA_SIGINFO 0x4
#define KX_SA_ONSTACK 0x08000000

/* include/uapi/asm-generic/signal.h without SA_RESTORER (riscv has none). */
struct kx_sigaction {
	void (*handler)(int, void *, void *);
	unsigned long flags;
	uint64_t mask;
};

struct kx_stack {
	void *sp;
	int flags;
	size_t size;
};

/* siginfo_t: si_addr (SIGSEGV, SIGBUS, SIGILL) after three ints and padding. */
#define KX_SI_ADDR(si) (*(uint64_t *)((uint8_t *)(si) + 16))
/*
 * ucontext_t: uc_mcontext at 176 (after flags, link, stack, the 1024-bit
 * signal mask; aligned to 16), starting with struct user_regs_struct:
 * pc, then x1..x31. KX_REGS(uc)[0] is the pc, [n] register xn.
 */
#define KX_REGS(uc) ((uint64_t *)((uint8_t *)(uc) + 176))

/* Runs handler for sig on its own stack (the interrupted code's sp may be anything). */
KX_RT int set_handler(int sig, void (*handler)(int, void *, void *))
{
	static uint8_t altstack[65536] __attribute__((aligned(16)));
	static int have_altstack;
	struct kx_sigaction sa = { handler, KX_SA_SIGINFO | KX_SA_ONSTACK, 0 };

	if (!have_altstack) {
		struct kx_stack ss = { altstack, 0, sizeof(altstack) };

		if (sys6(SYS_sigaltstack, (long)&ss, 0, 0, 0, 0, 0))
			return -1;
		have_altstack = 1;
	}
	return (int)sys6(SYS_rt_sigaction, sig, (long)&sa, 0, 8, 0, 0);
}

/* The instruction at pc: 16 or 32 bits (two parcels: it may be only 2-byte aligned). */
KX_RT uint32_t insn_at(uint64_t pc, unsigned int *len)
{
	const uint16_t *p = (const uint16_t *)(uintptr_t)pc;
	uint32_t i = p[0];

	*len = (i & 3) == 3 ? 4 : 2;
	if (*len == 4)
		i |= (uint32_t)p[1] << 16;
	return i;
}

/* The kernel's initial stack: argc, argv[], NULL, envp[]... No gp: nothing uses it. */
__asm__(".text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	mv a0, sp\n"
	"	mv ra, zero\n"
	"	call kx_test_start\n"
	"	ebreak\n");

#endif
