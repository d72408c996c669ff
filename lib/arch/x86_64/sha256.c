/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Run-time choice of the SHA-256 block function (purgatory/common/sha256.c):
 * the "hw" path, the CPU's SHA extensions (purgatory/x86_64/sha256-ni.S),
 * when CPUID reports SHA (leaf 7, EBX bit 29), SSSE3 and SSE4.1 (leaf 1, ECX
 * bits 9 and 19); otherwise, for the purgatory's digest, eight lanes at once
 * with AVX2 (leaf 7 EBX bit 5, with AVX, OSXSAVE and the AVX state enabled in
 * XCR0) or four with SSE2 (purgatory/common/sha256-lanes.c); the portable C
 * for the rest (and for everything on other CPUs; valgrind's CPUID hides
 * SHA). arm64's counterpart is lib/arch/arm64/sha256.c.
 */
#include "sha256-x86.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

bool kx_sha256_hw_disabled;
bool kx_sha256_x4_disabled;
bool kx_sha256_x8_disabled;

/* Vectors of four 32-bit lanes: SSE2 is part of x86_64. */
int kx_sha256_x4_usable(void)
{
	return !kx_sha256_x4_disabled;
}

#if defined(__x86_64__)
static int detect_avx2(void)
{
	unsigned int a, b, c, d, xcr0_lo, xcr0_hi;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	if (!(c & bit_OSXSAVE) || !(c & bit_AVX))
		return 0;
	/* The OS must save the SSE and AVX state (XCR0 bits 1 and 2). */
	__asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	(void)xcr0_hi;
	if ((xcr0_lo & 6) != 6)
		return 0;
	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & bit_AVX2) != 0;
}

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

#if defined(__x86_64__)
/* detect()'s answer, asked once: *have is -1 until then. Racing threads store the same. */
static int cached(int *have, int (*detect_fn)(void))
{
	int h = __atomic_load_n(have, __ATOMIC_RELAXED);

	if (h < 0) {
		h = detect_fn();
		__atomic_store_n(have, h, __ATOMIC_RELAXED);
	}
	return h;
}
#endif

int kx_sha256_hw_usable(void)
{
#if defined(__x86_64__)
	static int have = -1;

	return !kx_sha256_hw_disabled && cached(&have, detect);
#else
	return 0;
#endif
}

int kx_sha256_x8_usable(void)
{
#if defined(__x86_64__)
	static int have = -1;

	return !kx_sha256_x8_disabled && cached(&have, detect_avx2);
#else
	return 0;
#endif
}
