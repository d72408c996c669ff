/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The run-time of the freestanding arm64 test programs (sha256-paths,
 * run-blob.c): ../freestanding.h, and what is arm64's own: the system call
 * (svc #0, its number in x8) and _start. Include it in exactly one file per
 * program.
 */
#ifndef KX_ARM64_TEST_RUNTIME_H
#define KX_ARM64_TEST_RUNTIME_H

#include "../freestanding.h"

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
