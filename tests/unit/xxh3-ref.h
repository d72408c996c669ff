/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A second opinion on the purgatory's XXH3 digest (purgatory/common/xxh3.c):
 * the chain written again from its definition, on libxxhash's own
 * XXH3_128bits and canonical form (the shared library, not the inline code
 * the loader and the purgatories build from xxhash.h).
 */
#ifndef KX_TEST_XXH3_REF_H
#define KX_TEST_XXH3_REF_H

#include <stdint.h>
#include <string.h>
#include <xxhash.h>

struct xxh3_ref {
	uint8_t d[16];
};

static inline void xxh3_ref_init(struct xxh3_ref *r)
{
	memset(r->d, 0, sizeof(r->d));
}

/* d = XXH3-128(d || XXH3-128(p[0..len)) || le64(len)); nothing for len 0. */
static inline void xxh3_ref_update(struct xxh3_ref *r, const void *p, size_t len)
{
	uint8_t link[40];
	XXH128_canonical_t c;

	if (!len)
		return;
	memcpy(link, r->d, 16);
	XXH128_canonicalFromHash(&c, XXH3_128bits(p, len));
	memcpy(link + 16, c.digest, 16);
	for (int i = 0; i < 8; i++)
		link[32 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	XXH128_canonicalFromHash(&c, XXH3_128bits(link, sizeof(link)));
	memcpy(r->d, c.digest, 16);
}

/* A region's own sum (kx_purgatory_params.region_sums): XXH3-128's low 64 bits; 0 for len 0. */
static inline uint64_t xxh3_ref_sum(const void *p, size_t len)
{
	return len ? XXH3_128bits(p, len).low64 : 0;
}

/* The 32 bytes of kx_purgatory_params.digest: the chain, then zeros. */
static inline void xxh3_ref_final(const struct xxh3_ref *r, uint8_t out[32])
{
	memcpy(out, r->d, 16);
	memset(out + 16, 0, 16);
}

#endif
