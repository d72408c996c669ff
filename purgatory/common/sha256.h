/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 as the purgatories and the library share it (sha256.c,
 * sha256-lanes.c): freestanding, so that both builds include this one header
 * (the library through lib/purgatory.h). What only the library has, the
 * switches that choose a block function at run time, is in lib/arch/x86_64/sha256-x86.h.
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

/*
 * The block functions. h / state[n]: the eight state words a..h (of message
 * n); p / p[n]: nblocks * 64 bytes, any alignment. Each *_usable() says
 * whether its function may run now (the CPU has it; the purgatory has
 * enabled its registers; the library's tests have not turned it off).
 */
void kx_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks);
/* Four messages at once (sha256-lanes.c): SSE2 on x86_64. */
int kx_sha256_x4_usable(void);
void kx_sha256_x4_blocks(uint32_t *const state[4], const uint8_t *const p[4], size_t nblocks);
/* The CPU's SHA extensions (x86_64/sha256-ni.S) and eight messages at once with AVX2. */
int kx_sha256_ni_usable(void);
int kx_sha256_x8_usable(void);
#if defined(__x86_64__)
void kx_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);
void kx_sha256_x8_blocks(uint32_t *const state[8], const uint8_t *const p[8], size_t nblocks);
#endif

#endif
