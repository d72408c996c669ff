/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ../sha256-paths.c's hooks for the arm64 purgatory (purgatory-aarch64.o),
 * run under qemu-aarch64 -cpu max or natively. The purgatory's own
 * switches pick the path: kx_sha_ce (the Crypto Extensions, sha256-ce.S),
 * kx_neon (four lanes at once in NEON registers, sha256-lanes.c), neither
 * (the portable C). ce is there where ID_AA64ISAR0_EL1.SHA2 says so, as the
 * purgatory decides; the timer is the generic timer (CNTVCT_EL0 at
 * CNTFRQ_EL0).
 */
#ifndef KX_ARM64_SHA256_PATHS_H
#define KX_ARM64_SHA256_PATHS_H

/* The purgatory's switches (purgatory/arm64/purgatory.c). */
extern uint32_t kx_sha_ce, kx_neon;
#define PATH_SWITCHES kx_sha_ce

enum { PORTABLE, NEON, CE, NPATHS };
static const char *const path_names[NPATHS] = { "portable", "neon", "ce" };

static void set_path(int path)
{
	kx_neon = path == NEON;
	kx_sha_ce = path == CE;
}

static int paths_here(void)
{
	uint64_t isar0;

	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	return ((isar0 >> 12) & 0xf) >= 1 ? NPATHS : CE;
}

static uint64_t ticks(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint64_t ticks_hz(void)
{
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return freq;
}

#endif
