/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 (FIPS 180-4), shared by the purgatories and the library, so that the
 * digest the loader stores is computed by the very code that checks it.
 * Portable C without libc: no memcpy/memset (the purgatory has none), no
 * unaligned or type-punned loads, any byte order.
 *
 * Speed matters twice: the loader hashes every segment before the syscall,
 * and the purgatory hashes them again between `kexec -e` and the new kernel,
 * where nothing else runs. So the block function is fully unrolled (the round
 * constants are immediates, the variables rotate by renaming, not by moves),
 * computes the message schedule on the fly in 16 words, reads the big-endian
 * words straight from the caller's buffer (compilers turn the byte loads into
 * one load and a byte swap), and whole blocks never go through s->buf. The
 * rotations are written in their nested form, e.g. Sigma1(e) =
 * ror(ror(ror(e, 14) ^ e, 5) ^ e, 6): three rotations and two XORs with one
 * temporary, where the textbook form needs two temporaries and more moves.
 *
 * On x86_64, kx_sha256_ni_blocks() (purgatory/x86_64/sha256-ni.S, the CPU's SHA
 * extensions) takes over whole blocks when kx_sha256_ni_usable() says so: in
 * the library when CPUID reports SHA, SSSE3 and SSE4.1 (lib/sha256-x86.c), in
 * the purgatory once it has also enabled SSE (purgatory/x86_64/purgatory.c).
 */
#ifdef KX_PURGATORY
#include "sha256.h"
#else
#include "purgatory.h"
#include "sha256-x86.h"
#endif

#if defined(__x86_64__)
int kx_sha256_ni_usable(void);
void kx_sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);
#endif
void kx_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks);

#define ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define BSIG0(x) ROR(ROR(ROR(x, 9) ^ (x), 11) ^ (x), 2)   /* ror 2 ^ ror 13 ^ ror 22 */
#define BSIG1(x) ROR(ROR(ROR(x, 14) ^ (x), 5) ^ (x), 6)   /* ror 6 ^ ror 11 ^ ror 25 */
#define SSIG0(x) (ROR(ROR(x, 11) ^ (x), 7) ^ ((x) >> 3))  /* ror 7 ^ ror 18 ^ shr 3 */
#define SSIG1(x) (ROR(ROR(x, 2) ^ (x), 17) ^ ((x) >> 10)) /* ror 17 ^ ror 19 ^ shr 10 */
#define CH(e, f, g) ((((f) ^ (g)) & (e)) ^ (g))
#define MAJ(a, b, c) ((((a) ^ (b)) & ((b) ^ (c))) ^ (b))

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One round; the caller rotates the roles of a..h instead of the values. */
#define R(a, b, c, d, e, f, g, h, k, w)                               \
	do {                                                           \
		uint32_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + (k) + (w); \
		(d) += t1_;                                            \
		(h) = t1_ + BSIG0(a) + MAJ(a, b, c);                   \
	} while (0)

/* Message word i (0..15) of this block, straight from the input. */
#define L(i) (w[i] = get_be32(p + 4 * (i)))
/* Message word i (16..63), in place of word i - 16 of the 16-word ring. */
#define S(i) (w[(i) & 15] += SSIG1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + SSIG0(w[((i) - 15) & 15]))

/* Eight rounds from word i on, with the words given by M (L or S). */
#define R8(i, M, k0, k1, k2, k3, k4, k5, k6, k7)           \
	R(a, b, c, d, e, f, g, h, k0, M((i) + 0));         \
	R(h, a, b, c, d, e, f, g, k1, M((i) + 1));         \
	R(g, h, a, b, c, d, e, f, k2, M((i) + 2));         \
	R(f, g, h, a, b, c, d, e, k3, M((i) + 3));         \
	R(e, f, g, h, a, b, c, d, k4, M((i) + 4));         \
	R(d, e, f, g, h, a, b, c, k5, M((i) + 5));         \
	R(c, d, e, f, g, h, a, b, k6, M((i) + 6));         \
	R(b, c, d, e, f, g, h, a, k7, M((i) + 7))

/*
 * One 64-byte block. Not inlined into the loop: one call per block keeps the
 * loop small and lets a profiler count the blocks (bench/load.sh does).
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void sha256_block(uint32_t st[8], const uint8_t *p)
{
	uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6],
		 h = st[7];
	uint32_t w[16];

	R8(0, L, 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	   0x923f82a4, 0xab1c5ed5);
	R8(8, L, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	   0x9bdc06a7, 0xc19bf174);
	R8(16, S, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
	   0x5cb0a9dc, 0x76f988da);
	R8(24, S, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	   0x06ca6351, 0x14292967);
	R8(32, S, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb,
	   0x81c2c92e, 0x92722c85);
	R8(40, S, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624,
	   0xf40e3585, 0x106aa070);
	R8(48, S, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	   0x5b9cca4f, 0x682e6ff3);
	R8(56, S, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb,
	   0xbef9a3f7, 0xc67178f2);
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
	st[4] += e;
	st[5] += f;
	st[6] += g;
	st[7] += h;
}

void kx_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	for (; nblocks; nblocks--, p += 64)
		sha256_block(h, p);
}

static void sha256_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
#if defined(__x86_64__)
	if (kx_sha256_ni_usable()) {
		kx_sha256_ni_blocks(h, p, nblocks);
		return;
	}
#endif
	kx_sha256_blocks_portable(h, p, nblocks);
}

/* At most 64 bytes: whole 8-byte words, then the rest. */
static void copy_small(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (; n >= 8; n -= 8, dst += 8, src += 8)
		__builtin_memcpy(dst, src, 8); /* one load and one store, even freestanding */
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
