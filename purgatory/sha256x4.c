/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 of four messages at once, one per 32-bit lane of a 128-bit vector:
 * the same rounds as the one-message code (sha256-rounds.h), on GCC vector
 * types, which become SSE2 on x86_64 (NEON on arm64). The four messages are
 * independent, so a round costs about as many instructions for four blocks as
 * the scalar code spends on one and a half: on a CPU without SHA extensions
 * this is how the purgatory checks its segments fast (sha256.c's
 * kx_sha256_lanes_update() splits each segment into four lanes).
 *
 * The x86_64 purgatory is otherwise built without SSE (CR4.OSFXSR is off when
 * it starts); this file alone is compiled with SSE2 (purgatory/x86_64/
 * meson.build), and the purgatory calls it only after turning SSE on
 * (purgatory/x86_64/purgatory.c). SSE2 is part of x86_64: no CPUID check.
 */
#ifdef KX_PURGATORY
#include "sha256.h"
#else
#include "purgatory.h"
#include "sha256-x86.h"
#endif
#define KX_SHA256_SHIFTS
#include "sha256-rounds.h"

typedef uint32_t kx_v4 __attribute__((vector_size(16)));

/* Message word i of the four blocks, lane n from message n, big-endian. */
#define L(i)                                                                   \
	(w[i] = (kx_v4){ get_be32(p0 + 4 * (i)), get_be32(p1 + 4 * (i)),       \
			 get_be32(p2 + 4 * (i)), get_be32(p3 + 4 * (i)) })

/*
 * Four 64-byte blocks, one per lane. Not inlined into the loop, like the
 * one-message code: a profiler counts the calls (bench/load.sh does).
 */
__attribute__((noinline)) static void sha256_x4_block(kx_v4 st[8], const uint8_t *p0,
						       const uint8_t *p1, const uint8_t *p2,
						       const uint8_t *p3)
{
	SHA256_BLOCK(kx_v4, st);
}

void kx_sha256_x4_blocks(uint32_t *const state[4], const uint8_t *const p[4], size_t nblocks)
{
	kx_v4 st[8];
	size_t n;
	unsigned int i;

	for (i = 0; i < 8; i++)
		st[i] = (kx_v4){ state[0][i], state[1][i], state[2][i], state[3][i] };
	for (n = 0; n < nblocks; n++)
		sha256_x4_block(st, p[0] + 64 * n, p[1] + 64 * n, p[2] + 64 * n, p[3] + 64 * n);
	for (i = 0; i < 8; i++) {
		state[0][i] = st[i][0];
		state[1][i] = st[i][1];
		state[2][i] = st[i][2];
		state[3][i] = st[i][3];
	}
}
