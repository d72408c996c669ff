/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A few lines of run-time for the freestanding riscv64 test programs
 * (sha256-paths.c, run-blob.c): _start, raw Linux system calls, and the
 * memcpy/memset the compiler may call. Freestanding so that they build with
 * gcc-riscv64-linux-gnu alone and run under qemu-riscv64 (user mode) on any
 * host, or natively on riscv64. Built -mno-relax and linked --no-relax: no
 * code of theirs uses gp, which the purgatory zeroes before its signal
 * handlers run (run-blob.c). Include it in exactly one file per program.
 */
#ifndef KX_RISCV64_TEST_RUNTIME_H
#define KX_RISCV64_TEST_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#define SYS_openat 56
#define SYS_close 57
#define SYS_read 63
#define SYS_write 64
#define SYS_exit_group 94
#define SYS_sigaltstack 132
#define SYS_rt_sigaction 134
#define SYS_mmap 222
#define SYS_mprotect 226
#define AT_FDCWD (-100)
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000

/* Each program uses some of these. */
#define KX_RT static __attribute__((unused))

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

__attribute__((noreturn)) KX_RT void sys_exit(int code)
{
	sys6(SYS_exit_group, code, 0, 0, 0, 0, 0);
	for (;;)
		;
}

KX_RT void out(const char *s, size_t n)
{
	while (n) {
		long r = sys6(SYS_write, 1, (long)s, (long)n, 0, 0, 0);

		if (r <= 0)
			sys_exit(3);
		s += r;
		n -= (size_t)r;
	}
}

KX_RT size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

KX_RT void puts_(const char *s)
{
	out(s, slen(s));
}

KX_RT void put_hex(const uint8_t *p, size_t n)
{
	char buf[2];

	for (size_t i = 0; i < n; i++) {
		buf[0] = "0123456789abcdef"[p[i] >> 4];
		buf[1] = "0123456789abcdef"[p[i] & 15];
		out(buf, 2);
	}
}

/* v as 16 hexadecimal digits. */
KX_RT void put_x64(uint64_t v)
{
	char buf[16];

	for (int i = 0; i < 16; i++)
		buf[i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	out(buf, 16);
}

KX_RT void put_u64(uint64_t v)
{
	char buf[24];
	int i = 24;

	do
		buf[--i] = (char)('0' + v % 10);
	while (v /= 10);
	out(buf + i, (size_t)(24 - i));
}

/* A number in C syntax: 0x... hexadecimal, else decimal. -1 on garbage. */
KX_RT int parse_u64(const char *s, uint64_t *v)
{
	unsigned int base = 10;

	*v = 0;
	if (s[0] == '0' && s[1] == 'x')
		base = 16, s += 2;
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else
			return -1;
		*v = *v * base + d;
	}
	return 0;
}

KX_RT int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
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

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int main(int argc, char **argv);
__attribute__((used)) void kx_test_start(long *sp);

__attribute__((used)) void kx_test_start(long *sp)
{
	sys_exit(main((int)sp[0], (char **)(sp + 1)));
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
