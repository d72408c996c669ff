/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A few lines of run-time for the freestanding arm64 test programs
 * (sha256-paths.c, run-blob.c): _start, raw Linux system calls, and the
 * memcpy/memset the compiler may call. They are freestanding so that they
 * build with gcc-aarch64-linux-gnu alone, without the arm64 C library, and
 * run under qemu-aarch64 (user mode) on any host, or natively on arm64.
 * Include it in exactly one file per program.
 */
#ifndef KX_ARM64_TEST_RUNTIME_H
#define KX_ARM64_TEST_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#define SYS_openat 56
#define SYS_close 57
#define SYS_read 63
#define SYS_write 64
#define SYS_exit_group 94
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
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
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

/* The kernel's initial stack: argc, argv[], NULL, envp[]... */
__asm__(".text\n"
	".globl _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	mov x0, sp\n"
	"	mov x29, xzr\n"
	"	mov x30, xzr\n"
	"	bl kx_test_start\n"
	"	brk #0\n");

#endif
