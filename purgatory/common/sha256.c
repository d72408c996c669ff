/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 (FIPS 180-4), shared by the purgatories and the library, so that the
 * digest the loader stores is computed by the very code that checks it.
 * Portable C without libc: no memcpy/memset (the purgatory has none), no
 * unaligned or type-punned loads, any byte order.
 *
 * Speed matters twice: the loader hashes every segment before the syscall,
 * and the purgatory hashes them again between `kexec -e` and the new kernel,
 * where nothing else runs. So the block function is fully unrolled
 * (sha256-rounds.h), reads the big-endian words straight from the caller's
 * buffer (compilers turn the byte loads into one load and a byte swap), and
 * whole blocks never go through s->buf. And the purgatory's digest is not
 * SHA-256 of the segments but of their eight lanes' digests
 * (kx_sha256_lanes_update() below), which vector registers hash four or eight
 * blocks at a time (sha256-lanes.c).
 *
 * Where the CPU has SHA-256 instructions, kx_sha256_hw_blocks() takes over
 * whole blocks when kx_sha256_hw_usable() says so: x86_64's SHA extensions
 * (purgatory/x86_64/sha256-ni.S) and arm64's Crypto Extensions
 * (purgatory/arm64/sha256-ce.S). In the library lib/arch/<arch>/sha256.c asks
 * the CPU (CPUID; HWCAP_SHA2); in a purgatory, purgatory/<arch>/purgatory.c,
 * once it has also enabled the vector registers.
 */
#include <stdbool.h>

#include "params.h"
#include "sha256.h"
#include "sha256-rounds.h"

/* Message word i (0..15) of this block, straight from the input. */
#define L(i) (w[i] = get_be32(p + 4 * (i)))

/*
 * One 64-byte block. Not inlined into the loop: one call per block keeps the
 * loop small and lets a profiler count the blocks (bench/load.sh does).
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void sha256_block(uint32_t st[8], const uint8_t *p)
{
	SHA256_BLOCK(uint32_t, st);
}

void kx_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	for (; nblocks; nblocks--, p += 64)
		sha256_block(h, p);
}

static void sha256_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
#if KX_SHA256_HAVE_HW
	if (kx_sha256_hw_usable()) {
		kx_sha256_hw_blocks(h, p, nblocks);
		return;
	}
#endif
	kx_sha256_blocks_portable(h, p, nblocks);
}

/*
 * At most 64 bytes: whole 8-byte words, then the rest. Byte by byte in the
 * arm64 purgatory (-mstrict-align: unaligned accesses fault while its MMU is
 * off), where GCC would make the 8-byte copy a call to memcpy.
 */
static void copy_small(uint8_t *dst, const uint8_t *src, size_t n)
{
#if !(defined(KX_PURGATORY) && defined(__aarch64__))
	for (; n >= 8; n -= 8, dst += 8, src += 8)
		__builtin_memcpy(dst, src, 8); /* one load and one store, even freestanding */
#endif
	for (; n; n--)
		*dst++ = *src++;
}

void kx_sha256_init(struct kx_sha256 *s)
{
	s->h[0] = 0x6a09e667;
	s->h[1] = 0xbb67ae85;
	s->h[2] = 0x3c6ef372;
	s->h[3] = 0xa54ff53a;
	s->h[4] = 0x510e527f;
	s->h[5] = 0x9b05688c;
	s->h[6] = 0x1f83d9ab;
	s->h[7] = 0x5be0cd19;
	s->len = 0;
}

void kx_sha256_update(struct kx_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = (size_t)(s->len % 64), n;

	s->len += len;
	/* Top up a partly filled block first; whole blocks are hashed in place. */
	if (used) {
		n = 64 - used < len ? 64 - used : len;
		copy_small(s->buf + used, p, n);
		p += n;
		len -= n;
		if (used + n < 64)
			return;
		sha256_blocks(s->h, s->buf, 1);
	}
	if (len >= 64) {
		sha256_blocks(s->h, p, len / 64);
		p += len & ~(size_t)63;
		len %= 64;
	}
	copy_small(s->buf, p, len);
}

void kx_sha256_final(struct kx_sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->len * 8;
	size_t used = (size_t)(s->len % 64);
	unsigned int i;

	s->buf[used++] = 0x80;
	if (used > 56) {
		while (used < 64)
			s->buf[used++] = 0;
		sha256_blocks(s->h, s->buf, 1);
		used = 0;
	}
	while (used < 56)
		s->buf[used++] = 0;
	put_be32(s->buf + 56, (uint32_t)(bits >> 32));
	put_be32(s->buf + 60, (uint32_t)bits);
	sha256_blocks(s->h, s->buf, 1);
	for (i = 0; i < 8; i++)
		put_be32(out + 4 * i, s->h[i]);
}

/*
 * The digest the purgatory checks, one region at a time: each region of len
 * bytes is cut into KX_SHA256_LANES (8) lanes, lanes 0-6 of q = 64 * (len /
 * 512) bytes each and lane 7 the rest (q + len % 512 bytes), each lane is
 * hashed as a message of its own, and the eight SHA-256 digests, in lane
 * order, go into the outer hash. So the check is SHA-256 over
 *   SHA-256(lane 0) || SHA-256(lane 1) || ... || SHA-256(lane 7)
 * of each non-empty region in turn: as collision-resistant as SHA-256 of the
 * regions, but eight independent messages, which a CPU without SHA
 * instructions hashes eight at a time with AVX2 or four at a time with SSE2
 * or NEON (sha256-lanes.c). With them (the "hw" path: x86's SHA extensions,
 * arm64's Crypto Extensions), one lane after the other is fastest.
 */
void kx_sha256_lanes_update(struct kx_sha256 *outer, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t q = len / (64 * KX_SHA256_LANES) * 64;
	struct kx_sha256 lane[KX_SHA256_LANES];
	uint32_t *h[KX_SHA256_LANES];
	const uint8_t *start[KX_SHA256_LANES];
	uint8_t digest[32];
	bool vectors = false, hw = false;
	unsigned int i;

	if (!len)
		return;
	for (i = 0; i < KX_SHA256_LANES; i++) {
		kx_sha256_init(&lane[i]);
		h[i] = lane[i].h;
		start[i] = p + i * q;
	}
#if KX_SHA256_HAVE_HW
	hw = kx_sha256_hw_usable();
#endif
#if defined(__x86_64__)
	if (q && !hw && kx_sha256_x8_usable()) {
		kx_sha256_x8_blocks(h, start, q / 64);
		vectors = true;
	}
#endif
	if (q && !vectors && !hw && kx_sha256_x4_usable()) {
		kx_sha256_x4_blocks(h, start, q / 64);
		kx_sha256_x4_blocks(h + 4, start + 4, q / 64);
		vectors = true;
	}
	for (i = 0; i < KX_SHA256_LANES; i++) {
		if (vectors)
			lane[i].len = q;
		else
			kx_sha256_update(&lane[i], start[i], q);
	}
	kx_sha256_update(&lane[KX_SHA256_LANES - 1], p + KX_SHA256_LANES * q,
			 len - KX_SHA256_LANES * q);
	for (i = 0; i < KX_SHA256_LANES; i++) {
		kx_sha256_final(&lane[i], digest);
		kx_sha256_update(outer, digest, sizeof(digest));
	}
}

int kx_sha256_regions_match(const struct kx_sha_region *regions, size_t nr,
			    const uint8_t want[32])
{
	struct kx_sha256 s;
	uint8_t digest[32];
	uint8_t diff = 0;
	size_t i;

	kx_sha256_init(&s);
	for (i = 0; i < nr; i++)
		kx_sha256_lanes_update(&s, (const void *)(uintptr_t)regions[i].start,
				       (size_t)regions[i].len);
	kx_sha256_final(&s, digest);
	/* Every byte compared: no early exit on the first difference. */
	for (i = 0; i < sizeof(digest); i++)
		diff |= digest[i] ^ want[i];
	return diff == 0;
}
