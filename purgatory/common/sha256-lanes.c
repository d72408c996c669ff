/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 of several messages at once, one per 32-bit lane of a vector
 * register: the same rounds as the one-message code (sha256-rounds.h), on GCC
 * vector types. Four lanes in 128 bits (SSE2 on x86_64, NEON on arm64) and,
 * on x86_64, eight in 256 bits (AVX2). The messages are independent, so a
 * round costs about as many instructions for four or eight blocks as the
 * scalar code spends on one or two: on a CPU without SHA extensions this is
 * how the loader and the purgatory hash the segments (sha256.c's
 * kx_sha256_lanes_update() cuts each segment into eight lanes).
 *
 * The x86_64 purgatory is otherwise built without SSE (CR4.OSFXSR is off when
 * it starts); this file alone is compiled with SSE2 (purgatory/x86_64/
 * meson.build), the AVX2 functions carry their own target attribute, and the
 * purgatory calls them only after turning SSE (and, for AVX2, XSAVE with the
 * AVX state) on: purgatory/x86_64/purgatory.c. Likewise the arm64 purgatory
 * builds this file alone without -mgeneral-regs-only and -mstrict-align
 * (purgatory/arm64/meson.build) and calls it only with FP/SIMD enabled and
 * its identity map on (Normal memory: the words are read at any alignment):
 * purgatory/arm64/purgatory.c. On arm64 the rotations stay shifts and XORs:
 * NEON has no rotate either, and llvm-mca's Cortex-A53 and A72 models rate
 * the shift-and-insert (SLI) form slower.
 */
#include "sha256.h"
#define KX_SHA256_SHIFTS
#include "sha256-rounds.h"

/* Word i of message n's block at offset off, big-endian. */
#define BE(n, i) get_be32(p[n] + off + 4 * (i))
#define L(i) (w[i] = LOAD(i))

/* Lane by lane between the callers' states and vectors of them. */
#define TO_VECTORS(st, state, lanes)                    \
	for (unsigned int i_ = 0; i_ < 8; i_++)         \
		for (unsigned int l_ = 0; l_ < (lanes); l_++) \
			(st)[i_][l_] = (state)[l_][i_]
#define FROM_VECTORS(st, state, lanes)                  \
	for (unsigned int i_ = 0; i_ < 8; i_++)         \
		for (unsigned int l_ = 0; l_ < (lanes); l_++) \
			(state)[l_][i_] = (st)[i_][l_]

typedef uint32_t kx_v4 __attribute__((vector_size(16)));

#define LOAD(i) ((kx_v4){ BE(0, i), BE(1, i), BE(2, i), BE(3, i) })
/*
 * Four 64-byte blocks, one per lane. Not inlined into the loop, like the
 * one-message code: a profiler counts the calls (bench/load.sh does).
 */
__attribute__((noinline)) static void sha256_x4_block(kx_v4 st[8], const uint8_t *const p[4],
						       size_t off)
{
	SHA256_BLOCK(kx_v4, st);
}
#undef LOAD

void kx_sha256_x4_blocks(uint32_t *const state[4], const uint8_t *const p[4], size_t nblocks)
{
	kx_v4 st[8];

	TO_VECTORS(st, state, 4);
	for (size_t n = 0; n < nblocks; n++)
		sha256_x4_block(st, p, 64 * n);
	FROM_VECTORS(st, state, 4);
}

#if defined(__x86_64__)
typedef uint32_t kx_v8 __attribute__((vector_size(32)));

#define KX_AVX2 __attribute__((target("avx2")))
#define LOAD(i) ((kx_v8){ BE(0, i), BE(1, i), BE(2, i), BE(3, i), BE(4, i), BE(5, i), BE(6, i), BE(7, i) })
/* Eight 64-byte blocks, one per lane. */
KX_AVX2 __attribute__((noinline)) static void sha256_x8_block(kx_v8 st[8],
							      const uint8_t *const p[8],
							      size_t off)
{
	SHA256_BLOCK(kx_v8, st);
}
#undef LOAD

KX_AVX2 void kx_sha256_x8_blocks(uint32_t *const state[8], const uint8_t *const p[8],
				 size_t nblocks)
{
	kx_v8 st[8];

	TO_VECTORS(st, state, 8);
	for (size_t n = 0; n < nblocks; n++)
		sha256_x8_block(st, p, 64 * n);
	FROM_VECTORS(st, state, 8);
	/* Leave no dirty upper halves behind for SSE code (a slow transition). */
	__asm__ volatile("vzeroupper" ::: "memory");
}
#endif
