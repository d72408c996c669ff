/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Run-time choice of the SHA-256 block function (purgatory/sha256.c): the
 * CPU's SHA extensions (purgatory/x86_64/sha256-ni.S) when CPUID reports SHA
 * (leaf 7, EBX bit 29), SSSE3 and SSE4.1 (leaf 1, ECX bits 9 and 19), the
 * portable C otherwise (other CPUs, and valgrind, whose CPUID hides SHA).
 */
#include "sha256-x86.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

bool kx_sha256_ni_disabled;
bool kx_sha256_x4_disabled;

/* Vectors of four 32-bit lanes: SSE2 is part of x86_64, NEON of arm64. */
int kx_sha256_x4_usable(void)
{
	return !kx_sha256_x4_disabled;
}

#if defined(__x86_64__)
static int detect(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	if (!(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return 0;
	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	__cpuid_count(7, 0, a, b, c, d);
	return (b >> 29) & 1; /* SHA */
}
#endif

int kx_sha256_ni_usable(void)
{
#if defined(__x86_64__)
	/* -1: not asked yet. Threads that race both store the same answer. */
	static int have = -1;
	int h;

	if (kx_sha256_ni_disabled)
		return 0;
	h = __atomic_load_n(&have, __ATOMIC_RELAXED);
	if (h < 0) {
		h = detect();
		__atomic_store_n(&have, h, __ATOMIC_RELAXED);
	}
	return h;
#else
	return 0;
#endif
}
