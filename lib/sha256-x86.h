/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 block functions behind kx_sha256_update() (purgatory/sha256.c): the
 * portable C one and, on x86_64, the CPU's SHA extensions
 * (purgatory/x86_64/sha256-ni.S, the code the purgatory runs too), chosen at
 * run time from CPUID (lib/sha256-x86.c). Internal; the tests call both.
 */
#ifndef LIBKEXEC_SHA256_X86_H
#define LIBKEXEC_SHA256_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* h: the eight state words a..h; p: nblocks * 64 bytes, any alignment. */
void kx_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks);

#if defined(__x86_64__)
/* Only where kx_sha256_ni_usable() says so. */
void kx_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);
#endif

/* The number of lanes each region is cut into (kx_sha256_lanes_update()). */
#define KX_SHA256_LANES 8
/* Four messages at once (purgatory/sha256-lanes.c); state[n] is message n's a..h. */
void kx_sha256_x4_blocks(uint32_t *const state[4], const uint8_t *const p[4], size_t nblocks);
/* Nonzero unless kx_sha256_x4_disabled (tests) is set. */
int kx_sha256_x4_usable(void);
extern bool kx_sha256_x4_disabled;
#if defined(__x86_64__)
/* Eight messages at once with AVX2; only where kx_sha256_x8_usable() says so. */
void kx_sha256_x8_blocks(uint32_t *const state[8], const uint8_t *const p[8], size_t nblocks);
#endif
/* Nonzero when the CPU has AVX2 and the OS saves the AVX state, unless kx_sha256_x8_disabled. */
int kx_sha256_x8_usable(void);
extern bool kx_sha256_x8_disabled;

/* Nonzero when the CPU has SHA, SSSE3 and SSE4.1 and kx_sha256_ni_disabled is false. */
int kx_sha256_ni_usable(void);
/* Tests set this to run kx_sha256_update() on the portable code. */
extern bool kx_sha256_ni_disabled;

#endif
