/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The purgatory's default check (params.h, KX_PF_SHA256 clear): XXH3-128 of
 * each region, chained:
 *
 *   d_0 = 16 zero bytes
 *   d_i = XXH3-128(d_(i-1) || XXH3-128(region i) || le64(len of region i))
 *
 * with each 128-bit hash in xxhash's canonical (big-endian) form; empty
 * regions are skipped. xxhash.h is Debian's libxxhash-dev header, compiled
 * inline (XXH_INLINE_ALL: no library to link, in a purgatory or in the static
 * kexec), so that the loader and the purgatory run the same code.
 *
 * Why XXH3: the check guards against accidental corruption between the
 * loader and the jump (a stray write by a CPU or a device, a bad copy), and
 * the purgatory has to read every byte once anyway; XXH3's inner loop costs
 * about one instruction per byte (two multiply-accumulates per 16 bytes in
 * vector registers), a few percent of SHA-256's, and a random change escapes
 * a 128-bit digest with probability 2^-128. It is no defence against a
 * deliberate forgery, which SHA-256 is (--check=sha256); nothing in user
 * space can keep root from loading what it likes, so neither is the point.
 *
 * Alignment: the loader places every region at a page boundary, and the hot
 * loop then reads aligned words; xxhash.h's loads go through memcpy
 * (XXH_FORCE_MEMORY_ACCESS 0), which GCC turns into single loads where it
 * knows the alignment and into byte loads where it does not (riscv64, and
 * arm64 with the MMU off, fault or trap on unaligned loads).
 */
#include "params.h"
#include "xxh3.h"

#define XXH_INLINE_ALL
#define XXH_FORCE_MEMORY_ACCESS 0
#if defined(KX_PURGATORY)
#if defined(KX_XXH3_VECTOR) && defined(__x86_64__)
#define XXH_VECTOR 1 /* XXH_SSE2 */
#elif defined(KX_XXH3_VECTOR) && defined(__aarch64__)
#define XXH_VECTOR 4 /* XXH_NEON */
#else
#define XXH_VECTOR 0 /* XXH_SCALAR */
#endif
#endif
#include <xxhash.h>

#if defined(KX_XXH3_VECTOR)
#define KX_XXH3_FN(name) name##_vector
#else
#define KX_XXH3_FN(name) name
#endif

/*
 * The purgatories hash long regions with their own copy of xxhash.h's outer
 * loop (XXH3_hashLong_128b with the default secret; xxhash.h's constants,
 * secret and merge), the eight accumulators in registers:
 *  - the plain build (riscv64; arm64 with the MMU off) in general registers
 *    with one load per input word: xxhash.h's scalar code, built as a
 *    purgatory is (-O2, strict alignment), keeps them in memory and reads
 *    every word byte by byte, 160 instructions a stripe on riscv64 against
 *    67 here. Only for 8-aligned input (the loader's regions are
 *    page-aligned); the last stripe and the merge read at odd offsets and go
 *    through xxhash.h's own reads.
 *  - arm64's vector build in four NEON registers, two lanes' products a
 *    multiply-accumulate (uzp1/uzp2, umlal/umlal2): 27 instructions a stripe
 *    against xxhash.h's 50 (0.8.1) or 41 (0.8.3).
 * x86_64's vector build takes xxhash.h's SSE2 code as it is (58 a stripe).
 * Little-endian CPUs only. tests/unit/test-xxh3.c checks both loops against
 * libxxhash for every length class and alignment (the NEON one in the
 * arm64 purgatory's unit test, under qemu-user).
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#if ((defined(KX_PURGATORY) && !defined(KX_XXH3_VECTOR)) || defined(KX_XXH3_TEST_LONG))
#define KX_XXH3_LONG 1
#define KX_XXH3_ALIGN 8

/* One 64-bit little-endian word at an 8-aligned address: one load. */
static inline uint64_t ld64_aligned(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, __builtin_assume_aligned(p, 8), 8);
	return v;
}

/* One lane of XXH3_accumulate_512: the word to the neighbour, the product to itself. */
#define LANE(read, self, neighbour, in, sec, i)                           \
	do {                                                              \
		uint64_t v_ = read((in) + 8 * (i));                       \
		uint64_t k_ = v_ ^ read((sec) + 8 * (i));                 \
		neighbour += v_;                                          \
		self += (uint64_t)(uint32_t)k_ * (k_ >> 32);              \
	} while (0)
#define STRIPE_WITH(read, in, sec)                                        \
	do {                                                              \
		LANE(read, a0, a1, in, sec, 0);                           \
		LANE(read, a1, a0, in, sec, 1);                           \
		LANE(read, a2, a3, in, sec, 2);                           \
		LANE(read, a3, a2, in, sec, 3);                           \
		LANE(read, a4, a5, in, sec, 4);                           \
		LANE(read, a5, a4, in, sec, 5);                           \
		LANE(read, a6, a7, in, sec, 6);                           \
		LANE(read, a7, a6, in, sec, 7);                           \
	} while (0)
#define ACC_DECLARE                                                                        \
	uint64_t a0 = XXH_PRIME32_3, a1 = XXH_PRIME64_1, a2 = XXH_PRIME64_2,              \
		 a3 = XXH_PRIME64_3, a4 = XXH_PRIME64_4, a5 = XXH_PRIME32_2,              \
		 a6 = XXH_PRIME64_5, a7 = XXH_PRIME32_1
#define STRIPE(in, sec) STRIPE_WITH(ld64_aligned, in, sec)
#define STRIPE_LAST(in, sec) STRIPE_WITH(XXH_readLE64, in, sec)
#define SCRAMBLE_LANE(a, sec, i) \
	(a = ((a ^ (a >> 47)) ^ ld64_aligned((sec) + 8 * (i))) * XXH_PRIME32_1)
#define SCRAMBLE(sec)                       \
	do {                                \
		SCRAMBLE_LANE(a0, sec, 0);  \
		SCRAMBLE_LANE(a1, sec, 1);  \
		SCRAMBLE_LANE(a2, sec, 2);  \
		SCRAMBLE_LANE(a3, sec, 3);  \
		SCRAMBLE_LANE(a4, sec, 4);  \
		SCRAMBLE_LANE(a5, sec, 5);  \
		SCRAMBLE_LANE(a6, sec, 6);  \
		SCRAMBLE_LANE(a7, sec, 7);  \
	} while (0)
#define ACC_STORE(acc) uint64_t acc[XXH_ACC_NB] = { a0, a1, a2, a3, a4, a5, a6, a7 }

#elif (defined(KX_PURGATORY) && defined(KX_XXH3_VECTOR) && defined(__aarch64__))
#define KX_XXH3_LONG 1
#define KX_XXH3_ALIGN 1

static inline uint64x2_t ld128(const uint8_t *p)
{
	return vreinterpretq_u64_u8(vld1q_u8(p));
}

/*
 * Lanes 2i..2i+3 (two NEON registers): each word to its neighbour (ext),
 * and the products of the keyed words' halves (uzp1: the low halves of both
 * registers, uzp2: the high halves; umlal the first register's, umlal2 the
 * second's).
 */
#define PAIR(x, y, in, sec, i)                                                        \
	do {                                                                          \
		uint64x2_t dx_ = ld128((in) + 16 * (i)), dy_ = ld128((in) + 16 * (i) + 16); \
		uint32x4_t kx_ = vreinterpretq_u32_u64(veorq_u64(dx_, ld128((sec) + 16 * (i)))); \
		uint32x4_t ky_ =                                                      \
			vreinterpretq_u32_u64(veorq_u64(dy_, ld128((sec) + 16 * (i) + 16))); \
		uint32x4_t lo_ = vuzp1q_u32(kx_, ky_), hi_ = vuzp2q_u32(kx_, ky_);    \
		x = vmlal_u32(x, vget_low_u32(lo_), vget_low_u32(hi_));               \
		y = vmlal_high_u32(y, lo_, hi_);                                      \
		x = vaddq_u64(x, vextq_u64(dx_, dx_, 1));                             \
		y = vaddq_u64(y, vextq_u64(dy_, dy_, 1));                             \
	} while (0)
#define ACC_DECLARE                                                                    \
	uint64x2_t a0 = { XXH_PRIME32_3, XXH_PRIME64_1 }, a1 = { XXH_PRIME64_2, XXH_PRIME64_3 }, \
		   a2 = { XXH_PRIME64_4, XXH_PRIME32_2 }, a3 = { XXH_PRIME64_5, XXH_PRIME32_1 }
#define STRIPE(in, sec)                         \
	do {                                    \
		PAIR(a0, a1, in, sec, 0);       \
		PAIR(a2, a3, in, sec, 2);       \
	} while (0)
#define STRIPE_LAST STRIPE
/* acc = (acc ^ acc >> 47 ^ key) * PRIME32_1, the 64-bit product from two 32-bit ones. */
#define SCRAMBLE_PAIR(a, sec, i)                                                         \
	do {                                                                             \
		uint64x2_t x_ = veorq_u64(veorq_u64(a, vshrq_n_u64(a, 47)),              \
					  ld128((sec) + 16 * (i)));                      \
		const uint32x2_t p_ = vdup_n_u32(XXH_PRIME32_1);                         \
		a = vaddq_u64(vmull_u32(vmovn_u64(x_), p_),                              \
			      vshlq_n_u64(vmull_u32(vshrn_n_u64(x_, 32), p_), 32));      \
	} while (0)
#define SCRAMBLE(sec)                        \
	do {                                 \
		SCRAMBLE_PAIR(a0, sec, 0);   \
		SCRAMBLE_PAIR(a1, sec, 1);   \
		SCRAMBLE_PAIR(a2, sec, 2);   \
		SCRAMBLE_PAIR(a3, sec, 3);   \
	} while (0)
#define ACC_STORE(acc)                                        \
	uint64_t acc[XXH_ACC_NB];                             \
	vst1q_u64(acc, a0);                                   \
	vst1q_u64(acc + 2, a1);                               \
	vst1q_u64(acc + 4, a2);                               \
	vst1q_u64(acc + 6, a3)
#endif
#endif

#if defined(KX_XXH3_LONG)
/* XXH3-128 of p[0..len), len > 240, p KX_XXH3_ALIGN-aligned: XXH3_128bits(p, len). */
static XXH128_hash_t xxh3_long(const uint8_t *p, size_t len)
{
	const uint8_t *const secret = XXH3_kSecret;
	const size_t secret_size = sizeof(XXH3_kSecret);
	const size_t stripes_per_block = (secret_size - XXH_STRIPE_LEN) / XXH_SECRET_CONSUME_RATE;
	const size_t block_len = XXH_STRIPE_LEN * stripes_per_block;
	const size_t blocks = (len - 1) / block_len;
	const uint8_t *scramble = secret + secret_size - XXH_STRIPE_LEN;
	const uint64_t total = (uint64_t)len;
	size_t n, s, stripes;
	XXH128_hash_t h;
	ACC_DECLARE;

	for (n = 0; n < blocks; n++, p += block_len) {
		for (s = 0; s < stripes_per_block; s++)
			STRIPE(p + s * XXH_STRIPE_LEN, secret + s * XXH_SECRET_CONSUME_RATE);
		SCRAMBLE(scramble);
	}
	len -= blocks * block_len;
	/* The last, partial block; then the last stripe, which ends at the end. */
	stripes = (len - 1) / XXH_STRIPE_LEN;
	for (s = 0; s < stripes; s++)
		STRIPE(p + s * XXH_STRIPE_LEN, secret + s * XXH_SECRET_CONSUME_RATE);
	STRIPE_LAST(p + len - XXH_STRIPE_LEN,
		    secret + secret_size - XXH_STRIPE_LEN - XXH_SECRET_LASTACC_START);
	{
		ACC_STORE(acc);

		h.low64 = XXH3_mergeAccs(acc, secret + XXH_SECRET_MERGEACCS_START,
					 total * XXH_PRIME64_1);
		h.high64 = XXH3_mergeAccs(acc, secret + secret_size - sizeof(acc) -
						       XXH_SECRET_MERGEACCS_START,
					  ~(total * XXH_PRIME64_2));
	}
	return h;
}
#endif

/*
 * What GCC calls for a byte swap on a riscv64 without Zbb (xxhash.h's short
 * inputs swap bytes): libgcc's, which a purgatory does not link.
 */
#if defined(KX_PURGATORY) && !defined(KX_XXH3_VECTOR) && defined(__riscv) && !defined(__riscv_zbb)
uint32_t __bswapsi2(uint32_t v);
uint64_t __bswapdi2(uint64_t v);

uint32_t __bswapsi2(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

uint64_t __bswapdi2(uint64_t v)
{
	return (uint64_t)__bswapsi2((uint32_t)v) << 32 | __bswapsi2((uint32_t)(v >> 32));
}
#endif

/*
 * GCC may copy a structure with a call to memcpy even freestanding (arm64
 * with -mstrict-align does, for xxhash.h's accumulator initializer): the
 * plain build gives the purgatory one, byte by byte.
 */
#if defined(KX_PURGATORY) && !defined(KX_XXH3_VECTOR)
#undef memcpy
void *memcpy(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	for (size_t i = 0; i < n; i++)
		dp[i] = sp[i];
	return d;
}
#endif

/* XXH3_128bits(data, len), by xxh3_long() where it applies. */
static XXH128_hash_t xxh3_128(const void *data, size_t len)
{
#if defined(KX_XXH3_LONG)
	if (len > XXH3_MIDSIZE_MAX && !((uintptr_t)data & (KX_XXH3_ALIGN - 1)))
		return xxh3_long(data, len);
#endif
	return XXH3_128bits(data, len);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* xxhash's canonical form of a 128-bit hash: high64 then low64, big-endian. */
static void put_canonical(uint8_t out[16], XXH128_hash_t h)
{
	put_be64(out, h.high64);
	put_be64(out + 8, h.low64);
}

void KX_XXH3_FN(kx_xxh3_init)(struct kx_xxh3 *s)
{
	for (unsigned int i = 0; i < KX_XXH3_DIGEST_LEN; i++)
		s->d[i] = 0;
}

uint64_t KX_XXH3_FN(kx_xxh3_update)(struct kx_xxh3 *s, const void *data, size_t len)
{
	uint8_t link[2 * KX_XXH3_DIGEST_LEN + 8];
	XXH128_hash_t h;

	if (!len)
		return 0;
	for (unsigned int i = 0; i < KX_XXH3_DIGEST_LEN; i++)
		link[i] = s->d[i];
	h = xxh3_128(data, len);
	put_canonical(link + KX_XXH3_DIGEST_LEN, h);
	put_le64(link + 2 * KX_XXH3_DIGEST_LEN, (uint64_t)len);
	put_canonical(s->d, XXH3_128bits(link, sizeof(link)));
	return h.low64;
}

uint64_t KX_XXH3_FN(kx_xxh3_sum)(const void *data, size_t len)
{
	return len ? xxh3_128(data, len).low64 : 0;
}

#if !defined(KX_XXH3_VECTOR)
void kx_xxh3_final(const struct kx_xxh3 *s, uint8_t out[KX_XXH3_DIGEST_LEN])
{
	for (unsigned int i = 0; i < KX_XXH3_DIGEST_LEN; i++)
		out[i] = s->d[i];
}
#endif

int KX_XXH3_FN(kx_xxh3_regions_match)(const struct kx_sha_region *regions, size_t nr,
				      const uint8_t want[KX_XXH3_DIGEST_LEN])
{
	struct kx_xxh3 s;
	uint8_t diff = 0;

	KX_XXH3_FN(kx_xxh3_init)(&s);
	for (size_t i = 0; i < nr; i++)
		KX_XXH3_FN(kx_xxh3_update)(&s, (const void *)(uintptr_t)regions[i].start,
					   (size_t)regions[i].len);
	/* Every byte compared: no early exit on the first difference. */
	for (unsigned int i = 0; i < KX_XXH3_DIGEST_LEN; i++)
		diff |= s.d[i] ^ want[i];
	return diff == 0;
}
