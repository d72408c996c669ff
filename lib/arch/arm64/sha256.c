/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Run-time choice of the SHA-256 block function on arm64 hosts
 * (purgatory/common/sha256.c): the "hw" path, the Crypto Extensions
 * (purgatory/arm64/sha256-ce.S), where the kernel reports HWCAP_SHA2;
 * otherwise, for the purgatory's digest, four lanes at once with NEON
 * (purgatory/common/sha256-lanes.c; HWCAP_ASIMD, which every arm64 Linux
 * system has); the portable C for the rest. The switches (sha256.h) let the
 * tests run every path on this machine. x86_64's counterpart is
 * lib/arch/x86_64/sha256.c.
 */
#include <stdbool.h>
#include <sys/auxv.h>

#include "sha256.h"

#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1UL << 1)
#endif
#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1UL << 6)
#endif

bool kx_sha256_hw_disabled;
bool kx_sha256_x4_disabled;
bool kx_sha256_x8_disabled;

/* AT_HWCAP, asked once; racing threads store the same value. */
static unsigned long hwcap(void)
{
	static unsigned long cached;
	static int have;
	unsigned long v;

	if (__atomic_load_n(&have, __ATOMIC_ACQUIRE))
		return __atomic_load_n(&cached, __ATOMIC_RELAXED);
	v = getauxval(AT_HWCAP);
	__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	__atomic_store_n(&have, 1, __ATOMIC_RELEASE);
	return v;
}

int kx_sha256_hw_usable(void)
{
	return !kx_sha256_hw_disabled && (hwcap() & HWCAP_SHA2) && (hwcap() & HWCAP_ASIMD);
}

int kx_sha256_x4_usable(void)
{
	return !kx_sha256_x4_disabled && (hwcap() & HWCAP_ASIMD);
}

/* Eight lanes is AVX2's: never here. */
int kx_sha256_x8_usable(void)
{
	return 0;
}
