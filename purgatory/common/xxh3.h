/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The purgatory's default check: XXH3-128 (Debian's libxxhash-dev, xxhash.h
 * compiled inline) of each region, chained (xxh3.c). Shared by the
 * purgatories and the library, which computes the digest with the same code
 * that checks it. Freestanding: no libc header but <stddef.h>, <stdint.h>.
 */
#ifndef KX_PURGATORY_XXH3_H
#define KX_PURGATORY_XXH3_H

#include <stddef.h>
#include <stdint.h>

#define KX_XXH3_DIGEST_LEN 16

/* The chain: the digest of the regions fed so far (all zero for none). */
struct kx_xxh3 {
	uint8_t d[KX_XXH3_DIGEST_LEN];
};

struct kx_sha_region;

/*
 * Each function comes in up to two builds in a purgatory: the plain one
 * (portable C; the arm64 purgatory's runs with the MMU off, where every
 * access must be aligned) and, where the purgatory has vector registers on
 * for the check, one with SSE2 (x86_64) or NEON (arm64) named *_vector
 * (xxh3-vector.c). The library builds the plain one, which xxhash.h
 * vectorizes for the host as it sees fit. Both compute the same digest.
 */
void kx_xxh3_init(struct kx_xxh3 *s);
/* Feeds one region; returns its own sum (kx_xxh3_sum), which the chain used. */
uint64_t kx_xxh3_update(struct kx_xxh3 *s, const void *data, size_t len);
/* A region's own sum: the low 64 bits of its XXH3-128; 0 for len 0. */
uint64_t kx_xxh3_sum(const void *data, size_t len);
void kx_xxh3_final(const struct kx_xxh3 *s, uint8_t out[KX_XXH3_DIGEST_LEN]);
int kx_xxh3_regions_match(const struct kx_sha_region *regions, size_t nr,
			  const uint8_t want[KX_XXH3_DIGEST_LEN]);

void kx_xxh3_init_vector(struct kx_xxh3 *s);
uint64_t kx_xxh3_update_vector(struct kx_xxh3 *s, const void *data, size_t len);
uint64_t kx_xxh3_sum_vector(const void *data, size_t len);
int kx_xxh3_regions_match_vector(const struct kx_sha_region *regions, size_t nr,
				 const uint8_t want[KX_XXH3_DIGEST_LEN]);

#endif
