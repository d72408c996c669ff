/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The purgatory's view of SHA-256. The library declares the same functions in
 * lib/purgatory.h, whose includes (libc, libkexec.h) a freestanding build
 * cannot use; sha256.c picks this header when KX_PURGATORY is defined. Each
 * build uses one definition of struct kx_sha256 throughout, so the two copies
 * never meet, but keep them equal anyway.
 */
#ifndef KX_PURGATORY_SHA256_H
#define KX_PURGATORY_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct kx_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
};
void kx_sha256_init(struct kx_sha256 *s);
void kx_sha256_update(struct kx_sha256 *s, const void *data, size_t len);
void kx_sha256_final(struct kx_sha256 *s, uint8_t out[32]);
/*
 * Feeds one region into the purgatory's digest (sha256.c): the SHA-256 of
 * each of its eight lanes. Empty regions add nothing.
 */
void kx_sha256_lanes_update(struct kx_sha256 *outer, const void *data, size_t len);

/* The number of lanes each region is cut into (kx_sha256_lanes_update()). */
#define KX_SHA256_LANES 8
/* Four (eight) messages at once (sha256-lanes.c), when kx_sha256_x4_usable() (x8) says so. */
int kx_sha256_x4_usable(void);
void kx_sha256_x4_blocks(uint32_t *const state[4], const uint8_t *const p[4], size_t nblocks);
#if defined(__x86_64__)
int kx_sha256_ni_usable(void);
int kx_sha256_x8_usable(void);
void kx_sha256_x8_blocks(uint32_t *const state[8], const uint8_t *const p[8], size_t nblocks);
#endif

#endif
