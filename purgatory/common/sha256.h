/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 as the purgatories and the library share it (sha256.c,
 * sha256-lanes.c): freestanding, so that both builds include this one header
 * (the library through lib/purgatory.h). What only the library has, the
 * switches its tests use to turn hashing paths off, is at the end
 * (lib/arch/<arch>/sha256.c defines them and chooses the paths).
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
 * The purgatory's check (sha256.c), the same on every machine: the digest of
 * nr regions (struct kx_sha_region of params.h, physical addresses the
 * purgatory reads; length 0 adds nothing) against want. 1 when they match.
 */
struct kx_sha_region;
int kx_sha256_regions_match(const struct kx_sha_region *regions, size_t nr,
			    const uint8_t want[32]);

/*
 * The block functions. h / state[n]: the eight state words a..h (of message
 * n); p / p[n]: nblocks * 64 bytes, any alignment. Each *_usable() says
 * whether its function may run now (the CPU has it; the purgatory has
 * enabled its registers; the library's tests have not turned it off).
 */
void kx_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks);
/* Four messages at once (sha256-lanes.c): SSE2 on x86_64, NEON on arm64. */
int kx_sha256_x4_usable(void);
void kx_sha256_x4_blocks(uint32_t *const state[4], const uint8_t *const p[4], size_t nblocks);
/*
 * The "hw" path: the CPU's own SHA-256 instructions, one message at a time
 * (sha256.c uses it for whole blocks and, in kx_sha256_lanes_update(), for
 * one lane after the other): x86_64's SHA extensions (x86_64/sha256-ni.S),
 * arm64's Crypto Extensions (arm64/sha256-ce.S), riscv64's scalar crypto
 * Zknh (riscv64/sha256-zknh.c). KX_SHA256_HAVE_HW where a machine has one.
 */
int kx_sha256_hw_usable(void);
#if defined(__x86_64__) || defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
#define KX_SHA256_HAVE_HW 1
void kx_sha256_hw_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);
#endif
/* Eight messages at once with AVX2: x86_64 only (elsewhere never usable). */
int kx_sha256_x8_usable(void);
#if defined(__x86_64__)
void kx_sha256_x8_blocks(uint32_t *const state[8], const uint8_t *const p[8], size_t nblocks);
#endif

#ifndef KX_PURGATORY
#include <stdbool.h>
/*
 * The library's switches (lib/arch/<arch>/sha256.c): each turns its path off
 * in this process, so that tests run every path the CPU has. Not thread-safe;
 * tests only.
 *   kx_sha256_hw_disabled  the CPU's SHA instructions (x86_64: CPUID SHA,
 *                          SSSE3, SSE4.1; arm64: HWCAP_SHA2; riscv64:
 *                          riscv_hwprobe's Zknh)
 *   kx_sha256_x8_disabled  eight lanes with AVX2 (x86_64: CPUID AVX2, XCR0)
 *   kx_sha256_x4_disabled  four lanes (SSE2 / NEON: always there otherwise)
 */
extern bool kx_sha256_hw_disabled;
extern bool kx_sha256_x8_disabled;
extern bool kx_sha256_x4_disabled;
#endif

#endif
