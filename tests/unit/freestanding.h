/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A few lines of run-time for the freestanding test programs of
 * tests/unit/<arch>/ (sha256-paths, run-blob): output, number parsing,
 * mapping files at fixed addresses, and the memcpy/memset the compiler may
 * call, on raw Linux system calls. They
 * are freestanding so that they build with the cross compiler alone
 * (gcc-aarch64-linux-gnu, gcc-riscv64-linux-gnu), without that machine's C
 * library, and run under qemu-user on any host, or natively. Both machines
 * use the generic system call numbers (asm-generic/unistd.h).
 *
 * Included by <arch>/runtime.h, which adds what is the machine's own: the
 * system call instruction (sys6()) and _start. Include that in exactly one
 * file per program.
 */
#ifndef KX_TEST_FREESTANDING_H
#define KX_TEST_FREESTANDING_H

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

/* System call n with up to six arguments: <arch>/runtime.h. */
KX_RT long sys6(long n, long a, long b, long c, long d, long e, long f);

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

/* len bytes at addr exactly, read-write, zero-filled (exit 11 if it cannot be there). */
KX_RT uint8_t *map_at(uint64_t addr, uint64_t len)
{
	uint64_t size = (len + 4095) & ~4095ULL;
	uint8_t *p;

	/* At addr exactly, over nothing of ours (NOREPLACE: never over a mapping). */
	p = (uint8_t *)sys6(SYS_mmap, (long)addr, (long)(size ? size : 4096),
			    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0);
	if ((uint64_t)(uintptr_t)p != addr)
		sys_exit(11);
	return p;
}

/*
 * The file at path mapped at addr as map_at() does, then made prot (exit
 * 12 to 14: open, read, mprotect failed).
 */
KX_RT void map_file(const char *path, uint64_t addr, uint64_t len, int prot)
{
	uint8_t *p = map_at(addr, len);
	long fd, r;

	fd = sys6(SYS_openat, AT_FDCWD, (long)path, 0, 0, 0, 0);
	if (fd < 0)
		sys_exit(12);
	/* Up to len bytes; a shorter file leaves zeros after it. */
	for (uint64_t done = 0; done < len; done += (uint64_t)r) {
		r = sys6(SYS_read, fd, (long)(p + done), (long)(len - done), 0, 0, 0);
		if (r < 0)
			sys_exit(13);
		if (r == 0)
			break;
	}
	sys6(SYS_close, fd, 0, 0, 0, 0, 0);
	if (sys6(SYS_mprotect, (long)p, (long)((len + 4095) & ~4095ULL), prot, 0, 0, 0))
		sys_exit(14);
}

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

/* Weak: the arm64 and riscv64 purgatory objects bring their own (xxh3.c). */
__attribute__((weak)) void *memcpy(void *dst, const void *src, size_t n)
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

/* Where <arch>/runtime.h's _start goes with the kernel's initial stack: argc, argv[], NULL, envp[]... */
int main(int argc, char **argv);
__attribute__((used)) void kx_test_start(long *sp);

__attribute__((used)) void kx_test_start(long *sp)
{
	sys_exit(main((int)sp[0], (char **)(sp + 1)));
}

#endif
