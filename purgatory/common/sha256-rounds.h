/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SHA-256 compression function (FIPS 180-4) as macros, written once for
 * every block function: the one-message C code (sha256.c, on uint32_t) and the
 * many-message code (sha256-lanes.c, on vectors of four or eight uint32_t, one
 * lane per message). The operators are the same for all: C's on integers,
 * GCC's vector extensions lane by lane on vectors.
 *
 * Fully unrolled: the round constants are immediates, the variables rotate by
 * renaming, not by moves, and the message schedule is computed on the fly in
 * a 16-word ring `w`. The rotations are written in their nested form, e.g.
 * Sigma1(e) = ror(ror(ror(e, 14) ^ e, 5) ^ e, 6): three rotations and two XORs
 * with one temporary, where the textbook form needs two temporaries and more
 * moves.
 *
 * The includer defines L(i), which loads message word i (0..15) of the block
 * into w[i] and yields it, and calls SHA256_BLOCK().
 */
#ifndef KX_SHA256_ROUNDS_H
#define KX_SHA256_ROUNDS_H

#include <stdint.h>

#ifndef KX_SHA256_SHIFTS
/* Integers: compilers make one instruction of each rotation. */
#define ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define BSIG0(x) ROR(ROR(ROR(x, 9) ^ (x), 11) ^ (x), 2)   /* ror 2 ^ ror 13 ^ ror 22 */
#define BSIG1(x) ROR(ROR(ROR(x, 14) ^ (x), 5) ^ (x), 6)   /* ror 6 ^ ror 11 ^ ror 25 */
#define SSIG0(x) (ROR(ROR(x, 11) ^ (x), 7) ^ ((x) >> 3))  /* ror 7 ^ ror 18 ^ shr 3 */
#define SSIG1(x) (ROR(ROR(x, 2) ^ (x), 17) ^ ((x) >> 10)) /* ror 17 ^ ror 19 ^ shr 10 */
#else
/*
 * Vectors without a rotate instruction (SSE2): a rotation costs two shifts and
 * an OR, so the same functions as the right shifts XOR the left shifts, each
 * side nested, e.g. ror 6 ^ ror 11 ^ ror 25 = (((x >> 14 ^ x) >> 5 ^ x) >> 6)
 * ^ (((x << 5 ^ x) << 14 ^ x) << 7): six shifts and five XORs.
 */
#define SHR3(x, n1, n2, n3) (((((x) >> (n1) ^ (x)) >> (n2)) ^ (x)) >> (n3))
#define SHL3(x, n1, n2, n3) (((((x) << (n1) ^ (x)) << (n2)) ^ (x)) << (n3))
#define BSIG0(x) (SHR3(x, 9, 11, 2) ^ SHL3(x, 11, 9, 10))  /* >> 22 13 2,  << 30 19 10 */
#define BSIG1(x) (SHR3(x, 14, 5, 6) ^ SHL3(x, 5, 14, 7))   /* >> 25 11 6,  << 26 21 7 */
#define SSIG0(x) (SHR3(x, 11, 4, 3) ^ (((x) << 11 ^ (x)) << 14)) /* >> 18 7 3, << 25 14 */
#define SSIG1(x) (SHR3(x, 2, 7, 10) ^ (((x) << 2 ^ (x)) << 13))  /* >> 19 17 10, << 15 13 */
#endif
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
#define R(a, b, c, d, e, f, g, h, k, w)                                     \
	do {                                                                 \
		__typeof__(h) t1_ = (h) + BSIG1(e) + CH(e, f, g) + (k) + (w); \
		(d) += t1_;                                                  \
		(h) = t1_ + BSIG0(a) + MAJ(a, b, c);                         \
	} while (0)

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

/* The 64 rounds of one block, a..h from the state on entry. */
#define SHA256_ROUNDS()                                                                   \
	R8(0, L, 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,  \
	   0x923f82a4, 0xab1c5ed5);                                                        \
	R8(8, L, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,  \
	   0x9bdc06a7, 0xc19bf174);                                                        \
	R8(16, S, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, \
	   0x5cb0a9dc, 0x76f988da);                                                        \
	R8(24, S, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, \
	   0x06ca6351, 0x14292967);                                                        \
	R8(32, S, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, \
	   0x81c2c92e, 0x92722c85);                                                        \
	R8(40, S, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, \
	   0xf40e3585, 0x106aa070);                                                        \
	R8(48, S, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, \
	   0x5b9cca4f, 0x682e6ff3);                                                        \
	R8(56, S, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, \
	   0xbef9a3f7, 0xc67178f2)

/*
 * One block: a..h of type T from st[0..7], the 64 rounds (with L(i) reading
 * this block's words), then st[i] += a..h.
 */
#define SHA256_BLOCK(T, st)                                                          \
	do {                                                                          \
		T a = (st)[0], b = (st)[1], c = (st)[2], d = (st)[3], e = (st)[4],     \
		  f = (st)[5], g = (st)[6], h = (st)[7];                               \
		T w[16];                                                               \
		SHA256_ROUNDS();                                                       \
		(st)[0] += a;                                                          \
		(st)[1] += b;                                                          \
		(st)[2] += c;                                                          \
		(st)[3] += d;                                                          \
		(st)[4] += e;                                                          \
		(st)[5] += f;                                                          \
		(st)[6] += g;                                                          \
		(st)[7] += h;                                                          \
	} while (0)

#endif
