/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 against the FIPS 180-2 vectors, on every block function this machine
 * has (portable C, four and eight lanes at once in vectors; with the CPU's SHA
 * instructions also the "hw" path: sha256-ni.S on x86_64, sha256-ce.S on arm64),
 * the block functions against each other, and the
 * purgatory's eight-lane digest against Python's; the embedded x86_64 purgatory:
 * parsed, its parameter block set and read back, relocated at two bases and the
 * relocated fields recomputed from the object's own relocation list, its C
 * part run in this process (verification passes, and a mismatch reaches the
 * serial port); malformed copies of it refused with -ENOEXEC, never a crash.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>
#ifdef __x86_64__
#include <linux/kvm.h>
#endif

#include "purgatory-harness.h"
#include "xxh3-ref.h"

const struct kx_test_arch kx_test_arch = {
	.name = "x86_64",
	.qemu = "x86_64",
	.qemu_system_package = "qemu-system-x86",
#if defined(__x86_64__)
	.native = true,
#endif
	.blob = kx_purgatory_x86_64_blob,
	.blob_size = &kx_purgatory_x86_64_blob_size,
	.e_machine = EM_X86_64,
	.reloc = &kx_reloc_x86_64,
	.r_none = R_X86_64_NONE,
	.r_abs64 = R_X86_64_64,
	.r_abs32 = R_X86_64_32,
};

/* ---- SHA-256 -------------------------------------------------------------- */

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void assert_digest(const uint8_t d[32], const char *want)
{
	char got[65];

	hex(d, got);
	assert_string_equal(got, want);
}

static void sha256_once(const void *data, size_t len, uint8_t out[32])
{
	struct kx_sha256 s;

	kx_sha256_init(&s);
	kx_sha256_update(&s, data, len);
	kx_sha256_final(&s, out);
}

static void test_sha256_fips(void **state)
{
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[32];

	(void)state;
	sha256_once("", 0, d);
	assert_digest(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_once("abc", 3, d);
	assert_digest(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_once(m448, strlen(m448), d);
	assert_digest(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a', fed in chunks of odd sizes that straddle block boundaries. */
static void test_sha256_million_a(void **state)
{
	static const size_t chunks[] = { 1, 3, 63, 64, 65, 127, 1000, 4099, 7 };
	static char a[4099];
	struct kx_sha256 s;
	size_t done = 0, i = 0;
	uint8_t d[32];

	(void)state;
	memset(a, 'a', sizeof(a));
	kx_sha256_init(&s);
	while (done < 1000000) {
		size_t n = chunks[i++ % ARRAY_SIZE(chunks)];

		if (n > 1000000 - done)
			n = 1000000 - done;
		kx_sha256_update(&s, a, n);
		done += n;
	}
	kx_sha256_final(&s, d);
	assert_digest(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* The same in one call. */
	{
		char *big = malloc(1000000);

		assert_non_null(big);
		memset(big, 'a', 1000000);
		sha256_once(big, 1000000, d);
		free(big);
	}
	assert_digest(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Padding edges: 55 bytes fit one block with the length, 56 need two. */
static void test_sha256_boundaries(void **state)
{
	static const struct {
		size_t len;
		const char *digest; /* of bytes (i * 7 + 3) & 0xff, from Python's hashlib */
	} v[] = {
		{ 55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b" },
		{ 56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27" },
		{ 63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055" },
		{ 64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241" },
		{ 65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e" },
		{ 119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e" },
		{ 120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5" },
		{ 128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6" },
		{ 129, "307f8fc2c1622b92762e818d39a185d4d667ad49a4b07ceae1f4afa008a93ec4" },
	};
	uint8_t m[129], d[32];
	struct kx_sha256 s;

	(void)state;
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		sha256_once(m, v[i].len, d);
		assert_digest(d, v[i].digest);
		/* Byte by byte, and split at every position. */
		kx_sha256_init(&s);
		for (size_t j = 0; j < v[i].len; j++)
			kx_sha256_update(&s, m + j, 1);
		kx_sha256_final(&s, d);
		assert_digest(d, v[i].digest);
		for (size_t cut = 0; cut <= v[i].len; cut++) {
			kx_sha256_init(&s);
			kx_sha256_update(&s, m, cut);
			kx_sha256_update(&s, m + cut, 0);
			kx_sha256_update(&s, m + cut, v[i].len - cut);
			kx_sha256_final(&s, d);
			assert_digest(d, v[i].digest);
		}
	}
}

/* ---- Both block functions ------------------------------------------------- */

/* The tests above again, with kx_sha256_update() on the portable code. */
static int force_portable(void **state)
{
	(void)state;
	kx_sha256_hw_disabled = true;
	return 0;
}

static int unforce_portable(void **state)
{
	(void)state;
	kx_sha256_hw_disabled = false;
	return 0;
}

static void test_portable_fips(void **state)
{
	assert_int_equal(kx_sha256_hw_usable(), 0);
	test_sha256_fips(state);
}

static void test_portable_million_a(void **state)
{
	test_sha256_million_a(state);
}

static void test_portable_boundaries(void **state)
{
	test_sha256_boundaries(state);
}

/* "abc" as one padded block: the state after it is the digest. */
static void block_abc(void (*blocks)(uint32_t *, const uint8_t *, size_t))
{
	static const uint32_t want[8] = { 0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
					  0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad };
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	uint8_t b[64 + 1] = { 0 };

	/* At an odd address: neither function may assume alignment. */
	memcpy(b + 1, "abc\x80", 4);
	b[64] = 24; /* the length in bits, big-endian, in the last byte */
	blocks(h, b + 1, 1);
	assert_memory_equal(h, want, sizeof(want));
	blocks(h, b + 1, 0); /* no blocks: nothing changes */
	assert_memory_equal(h, want, sizeof(want));
}

static void test_block_portable(void **state)
{
	(void)state;
	block_abc(kx_sha256_blocks_portable);
}

/*
 * The "hw" code on this CPU, SHA-NI or the Crypto Extensions (skipped
 * without them; valgrind's CPUID hides SHA): a known block, then both
 * functions on the same data from the same states, for 0..40 blocks at
 * every alignment mod 16 and for one large call, must agree word for word.
 */
static void test_block_hw(void **state)
{
	(void)state;
#if KX_SHA256_HAVE_HW
	static uint8_t data[(1 << 20) + 16];
	uint32_t a[8], b[8];
	uint32_t x = 0x12345678;

	if (!kx_sha256_hw_usable())
		skip();
	block_abc(kx_sha256_hw_blocks);
	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	for (size_t n = 0; n <= 40; n++) {
		for (size_t off = 0; off < 16; off++) {
			for (int k = 0; k < 8; k++)
				a[k] = b[k] = (uint32_t)(0x9e3779b9u * (unsigned)(k + 1) + n + off);
			kx_sha256_blocks_portable(a, data + off, n);
			kx_sha256_hw_blocks(b, data + off, n);
			assert_memory_equal(a, b, sizeof(a));
		}
	}
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	kx_sha256_blocks_portable(a, data + 3, (sizeof(data) - 16) / 64);
	kx_sha256_hw_blocks(b, data + 3, (sizeof(data) - 16) / 64);
	assert_memory_equal(a, b, sizeof(a));
#else
	skip();
#endif
}

typedef void lanes_fn(uint32_t *const *state, const uint8_t *const *p, size_t nblocks);

/*
 * A many-lane block function: "abc" in every lane from different addresses,
 * then each lane against the one-message code on the same data from different
 * states, for 0..24 blocks at several alignments, and one large call.
 */
static void check_lanes_fn(unsigned int lanes, lanes_fn *fn)
{
	static uint8_t data[(1 << 21) + 64];
	uint32_t ref[8][8], got[8][8];
	uint32_t *h[8];
	const uint8_t *p[8];
	uint8_t abc[8][64 + 8];
	uint32_t x = 0x2545f491;

	for (unsigned int l = 0; l < lanes; l++) {
		static const uint32_t init[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
						  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

		memset(abc[l], 0, sizeof(abc[l]));
		memcpy(abc[l] + l, "abc\x80", 4);
		abc[l][l + 63] = 24;
		memcpy(got[l], init, sizeof(init));
		h[l] = got[l];
		p[l] = abc[l] + l;
	}
	fn(h, p, 1);
	for (unsigned int l = 0; l < lanes; l++)
		assert_int_equal(got[l][0], 0xba7816bf), assert_int_equal(got[l][7], 0xf20015ad);

	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	for (size_t n = 0; n <= 24; n++) {
		for (size_t off = 0; off < 8; off++) {
			for (unsigned int l = 0; l < lanes; l++) {
				p[l] = data + l * 4099 + (l + 1) * off;
				for (int k = 0; k < 8; k++)
					ref[l][k] = got[l][k] =
						(uint32_t)(0x9e3779b9u * (unsigned)(k + 1) + n + off + 77u * l);
				kx_sha256_blocks_portable(ref[l], p[l], n);
			}
			fn(h, p, n);
			assert_memory_equal(ref, got, lanes * sizeof(ref[0]));
		}
	}
	for (unsigned int l = 0; l < lanes; l++) {
		memset(ref[l], 0, sizeof(ref[l]));
		memset(got[l], 0, sizeof(got[l]));
		p[l] = data + 1 + (size_t)l * 262144;
		kx_sha256_blocks_portable(ref[l], p[l], 4095);
	}
	fn(h, p, 4095);
	assert_memory_equal(ref, got, lanes * sizeof(ref[0]));
}

/* Four lanes (SSE2 on x86_64, NEON on arm64). */
static void test_block_x4(void **state)
{
	(void)state;
	check_lanes_fn(4, kx_sha256_x4_blocks);
}

/* Eight lanes with AVX2, where this CPU has it (valgrind's CPUID shows it). */
static void test_block_x8(void **state)
{
	(void)state;
#ifdef __x86_64__
	if (!kx_sha256_x8_usable())
		skip();
	check_lanes_fn(8, kx_sha256_x8_blocks);
#else
	skip();
#endif
}

/*
 * The purgatory's digest: SHA-256 over each region's eight lane digests
 * (purgatory/common/sha256.c). The expected value is from Python's hashlib, with the
 * lanes cut as the comment there says; every hashing path must give it.
 */
static const char lanes_want[] = "20b4ab20184d65474053c7bb73b07f591ca2ac7789de1eb40079b677421089ba";
static const struct {
	size_t off, len;
} lanes_regions[] = { { 0, 100000 }, { 5, 0 }, { 100001, 777 }, { 3, 1 }, { 7, 255 },
		      { 11, 256 }, { 13, 257 }, { 17, 4096 + 77 }, { 19, 64 * 3 + 63 },
		      { 23, 511 }, { 29, 512 }, { 31, 513 } };

static uint8_t *lanes_data(void)
{
	static uint8_t data[200000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + (i >> 8));
	return data;
}

static void lanes_digest(uint8_t out[32])
{
	const uint8_t *data = lanes_data();
	struct kx_sha256 s;

	kx_sha256_init(&s);
	for (size_t i = 0; i < sizeof(lanes_regions) / sizeof(lanes_regions[0]); i++)
		kx_sha256_lanes_update(&s, data + lanes_regions[i].off, lanes_regions[i].len);
	kx_sha256_final(&s, out);
}

static void test_lanes(void **state)
{
	bool hw = kx_sha256_hw_disabled;
	uint8_t d[32];

	(void)state;
	kx_sha256_hw_disabled = true; /* eight lanes at once, where this CPU has AVX2 */
	lanes_digest(d);
	assert_digest(d, lanes_want);
	kx_sha256_x8_disabled = true; /* four lanes at once, twice */
	lanes_digest(d);
	assert_digest(d, lanes_want);
	kx_sha256_x4_disabled = true; /* one block at a time, portable */
	lanes_digest(d);
	assert_digest(d, lanes_want);
	kx_sha256_x4_disabled = false;
	kx_sha256_x8_disabled = false;
	kx_sha256_hw_disabled = hw; /* SHA instructions where this CPU has them */
	lanes_digest(d);
	assert_digest(d, lanes_want);
}

/*
 * Every length from 0 to 2 KiB + 63 at two alignments, and a few large ones:
 * the vector paths (AVX2 where this CPU has it, SSE2 or NEON) and the SHA
 * instructions give the digest of the portable path, whatever is left over
 * after the lanes.
 */
static void test_lanes_every_length(void **state)
{
	static const size_t big[] = { 4096 * 8, 4096 * 8 + 511, 4096 * 8 + 512, 99999 };
	bool hw = kx_sha256_hw_disabled;
	const uint8_t *data = lanes_data();
	uint8_t want[32], got[32];
	struct kx_sha256 s;

	(void)state;
	/* Each length once, at offset 3 when odd. */
	for (size_t i = 0; i < 2112 + sizeof(big) / sizeof(big[0]); i++) {
		size_t len = i < 2112 ? i : big[i - 2112], off = i & 1 ? 3 : 0;

		kx_sha256_x4_disabled = kx_sha256_x8_disabled = kx_sha256_hw_disabled = true;
		kx_sha256_init(&s);
		kx_sha256_lanes_update(&s, data + off, len);
		kx_sha256_final(&s, want);
		for (int path = 0; path < 3; path++) {
			kx_sha256_x4_disabled = path != 1;
			kx_sha256_x8_disabled = path != 0;
			kx_sha256_hw_disabled = path != 2 || hw;
			kx_sha256_init(&s);
			kx_sha256_lanes_update(&s, data + off, len);
			kx_sha256_final(&s, got);
			if (memcmp(want, got, 32))
				fail_msg("length %zu at offset %zu: path %d differs", len, off, path);
		}
	}
	kx_sha256_x4_disabled = kx_sha256_x8_disabled = false;
	kx_sha256_hw_disabled = hw;
}

#ifdef __x86_64__
/* ---- The embedded x86_64 purgatory ---------------------------------------- */

static void test_blob_parses(void **state)
{
	static const struct kx_purgatory_params zero;
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory p;
	struct kx_purgatory_params pp;
	uint64_t start, params, addr;

	(void)state;
	init_blob(ctx, &p);
	assert_true(p.bufsz > 0 && p.bufsz <= p.memsz);
	assert_int_equal(p.memsz % 16, 0);
	assert_true(p.memsz - p.bufsz >= 16384); /* the stack */
	assert_int_equal(p.align & (p.align - 1), 0);
	assert_true(p.align >= 16 && p.align <= 4096);
	assert_int_equal(p.base, 0);

	/* The parameter block exists with its size, and starts out zero. */
	memset(&pp, 0xff, sizeof(pp));
	assert_int_equal(kx_purgatory_get_params(&p, &pp), 0);
	assert_memory_equal(&pp, &zero, sizeof(pp));
	assert_int_equal(sizeof(pp.regions), 256);

	/* Before relocation, addresses are offsets in the buffer. */
	assert_int_equal(kx_purgatory_symbol_addr(&p, KX_PURGATORY_ENTRY_NAME, &start), 0);
	assert_true(start < p.bufsz);
	assert_int_equal(kx_purgatory_symbol_addr(&p, KX_PURGATORY_PARAMS_NAME, &params), 0);
	assert_true(params + sizeof(pp) <= p.bufsz);
	/* The stack is .bss: after the image, inside memsz. */
	assert_int_equal(kx_purgatory_symbol_addr(&p, "stack", &addr), 0);
	assert_true(addr >= p.bufsz && addr + 16384 <= p.memsz);
	assert_int_equal(kx_purgatory_symbol_addr(&p, "no_such_symbol", &addr), -ENOENT);
	kx_purgatory_free(&p);
	kx_purgatory_free(&p); /* harmless twice */
	kexec_ctx_free(ctx);
}

static void test_blob_set_get(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory p;
	struct kx_purgatory_params pp = {
		.entry = 0x1000200, .boot_data = 0x9000, .console_base = 0x3f8,
		.console_kind = KX_CONSOLE_X86_PIO, .flags = KX_PF_AVX2,
		.regions = { { 0x100000, 0x2000 }, { 0, 0 }, { 0x7f000000, 12345 } },
	}, back;
	uint64_t v = 0, off;
	uint8_t small[16];

	(void)state;
	init_blob(ctx, &p);
	for (int i = 0; i < 32; i++)
		pp.digest[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_get_params(&p, &back), 0);
	assert_memory_equal(&pp, &back, sizeof(pp));
	/* The bytes are in the image the loader hands to the kernel, entry first. */
	assert_int_equal(kx_purgatory_symbol_addr(&p, KX_PURGATORY_PARAMS_NAME, &off), 0);
	assert_memory_equal(p.buf + off, &pp, sizeof(pp));
	assert_int_equal(kx_le64(p.buf + off), 0x1000200);
	assert_int_equal(kx_le64(p.buf + off + 8), 0x9000);

	/* Wrong sizes, unknown names, .bss: refused, nothing written. */
	assert_int_equal(kx_purgatory_set(&p, KX_PURGATORY_PARAMS_NAME, &v, 8), -EINVAL);
	assert_int_equal(kx_purgatory_get(&p, KX_PURGATORY_PARAMS_NAME, small, 16), -EINVAL);
	assert_int_equal(kx_purgatory_set(&p, "kx_nothing", &v, 8), -ENOENT);
	assert_int_equal(kx_purgatory_set(&p, "stack", &v, 8), -EINVAL);
	assert_int_equal(kx_purgatory_get_params(&p, &back), 0);
	assert_memory_equal(&pp, &back, sizeof(pp));
	kx_purgatory_free(&p);
	kexec_ctx_free(ctx);
}

static uint64_t field(const struct kx_purgatory *p, const struct reloc *r)
{
	uint64_t v = 0;

	memcpy(&v, p->buf + r->pos, r->type == R_X86_64_64 ? 8 : 4);
	return v;
}

static void test_blob_relocate(void **state)
{
	static const uint64_t base_a = 0x1000, base_b = 0x7f000000;
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory a, b;
	struct reloc rel[512];
	uint8_t *covered;
	size_t n, abs64 = 0, pcrel = 0;
	uint64_t gdt, gdt_ptr, addr;

	(void)state;
	init_blob(ctx, &a);
	init_blob(ctx, &b);
	assert_int_equal(kx_purgatory_relocate(ctx, &a, base_a), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &b, base_b), 0);
	assert_int_equal(a.base, base_a);
	assert_int_equal(a.bufsz, b.bufsz);
	n = read_relocs(&a, rel, ARRAY_SIZE(rel));
	assert_true(n > 0);

	covered = calloc(1, a.bufsz);
	assert_non_null(covered);
	for (size_t i = 0; i < n; i++) {
		const struct reloc *r = &rel[i];

		switch (r->type) {
		case R_X86_64_64:
			/* S + A, moving with the base */
			assert_int_equal(field(&a, r), base_a + r->s_off + (uint64_t)r->addend);
			assert_int_equal(field(&b, r), base_b + r->s_off + (uint64_t)r->addend);
			memset(covered + r->pos, 1, 8);
			abs64++;
			break;
		case R_X86_64_PC32:
		case R_X86_64_PLT32:
			/* S + A - P: the same wherever the blob runs */
			assert_int_equal(field(&a, r),
					 (uint32_t)(r->s_off + (uint64_t)r->addend - r->pos));
			assert_int_equal(field(&a, r), field(&b, r));
			pcrel++;
			break;
		default:
			fail_msg("relocation type %u in the blob: extend this test", r->type);
		}
	}
	assert_true(abs64 > 0 && pcrel > 0);
	/* Nothing else differs: only absolute fields depend on the base. */
	for (size_t i = 0; i < a.bufsz; i++) {
		if (a.buf[i] != b.buf[i] && !covered[i])
			fail_msg("byte 0x%zx differs between bases but is no relocated field", i);
	}
	free(covered);

	/* The GDT pointer (lgdt operand) holds the GDT's absolute address. */
	assert_int_equal(kx_purgatory_symbol_addr(&b, "gdt", &gdt), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&b, "gdt_ptr", &gdt_ptr), 0);
	assert_true(gdt >= base_b && gdt_ptr >= base_b);
	{
		uint16_t limit;
		uint64_t gdt_addr;

		memcpy(&limit, b.buf + (gdt_ptr - base_b), 2);
		memcpy(&gdt_addr, b.buf + (gdt_ptr - base_b) + 2, 8);
		assert_int_equal(limit, 4 * 8 - 1);
		assert_int_equal(gdt_addr, gdt);
		assert_int_equal(kx_le64(b.buf + (gdt - base_b) + 0x10), 0x00af9a000000ffffULL);
		assert_int_equal(kx_le64(b.buf + (gdt - base_b) + 0x18), 0x00cf92000000ffffULL);
	}
	assert_int_equal(kx_purgatory_symbol_addr(&a, "purgatory_start", &addr), 0);
	assert_true(addr >= base_a && addr < base_a + a.bufsz);

	/* Applying again (at another base) gives what a fresh relocation gives. */
	assert_int_equal(kx_purgatory_relocate(ctx, &a, base_b), 0);
	assert_memory_equal(a.buf, b.buf, a.bufsz);

	/* Misaligned bases and wrap-around are refused. */
	assert_int_equal(kx_purgatory_relocate(ctx, &a, base_b + 8), -EINVAL);
	assert_int_equal(kx_purgatory_relocate(ctx, &a, UINT64_MAX - 0xfff), -ERANGE);
	kx_purgatory_free(&a);
	kx_purgatory_free(&b);
	kexec_ctx_free(ctx);
}

/* ---- Malformed copies of the blob ----------------------------------------- */

static uint8_t *blob_copy(void)
{
	uint8_t *b = malloc(kx_purgatory_x86_64_blob_size);

	assert_non_null(b);
	memcpy(b, kx_purgatory_x86_64_blob, kx_purgatory_x86_64_blob_size);
	return b;
}

static Elf64_Ehdr *ehdr(uint8_t *b)
{
	return (Elf64_Ehdr *)b;
}

static Elf64_Shdr *shdr(uint8_t *b, unsigned int i)
{
	return (Elf64_Shdr *)(b + ehdr(b)->e_shoff) + i;
}

static Elf64_Shdr *section(uint8_t *b, uint32_t type, uint64_t flags)
{
	for (unsigned int i = 0; i < ehdr(b)->e_shnum; i++) {
		if (shdr(b, i)->sh_type == type && (shdr(b, i)->sh_flags & flags) == flags)
			return shdr(b, i);
	}
	fail_msg("no section of type %u", type);
	return NULL;
}

static Elf64_Sym *symbol(uint8_t *b, const char *name)
{
	Elf64_Shdr *st = section(b, SHT_SYMTAB, 0);
	const char *str = (const char *)b + shdr(b, st->sh_link)->sh_offset;
	Elf64_Sym *sym = (Elf64_Sym *)(b + st->sh_offset);

	for (size_t i = 0; i < st->sh_size / sizeof(*sym); i++) {
		if (!strcmp(str + sym[i].st_name, name))
			return &sym[i];
	}
	fail_msg("no symbol %s", name);
	return NULL;
}

/* The first relocation for .text, and the section it patches. */
static Elf64_Rela *text_rela(uint8_t *b, Elf64_Shdr **target)
{
	for (unsigned int i = 0; i < ehdr(b)->e_shnum; i++) {
		Elf64_Shdr *s = shdr(b, i);

		if (s->sh_type == SHT_RELA && (shdr(b, s->sh_info)->sh_flags & SHF_EXECINSTR)) {
			if (target)
				*target = shdr(b, s->sh_info);
			return (Elf64_Rela *)(b + s->sh_offset);
		}
	}
	fail_msg("no .rela.text");
	return NULL;
}

static void m_short_header(uint8_t *b, size_t *len)
{
	(void)b;
	*len = sizeof(Elf64_Ehdr) - 1;
}

static void m_magic(uint8_t *b, size_t *len)
{
	(void)len;
	b[1] = 'X';
}

static void m_machine(uint8_t *b, size_t *len)
{
	(void)len;
	ehdr(b)->e_machine = EM_IA_64;
}

static void m_type(uint8_t *b, size_t *len)
{
	(void)len;
	ehdr(b)->e_type = ET_EXEC;
}

static void m_shoff(uint8_t *b, size_t *len)
{
	ehdr(b)->e_shoff = *len - 8;
}

static void m_shoff_wrap(uint8_t *b, size_t *len)
{
	(void)len;
	ehdr(b)->e_shoff = UINT64_MAX - 16;
}

static void m_shentsize(uint8_t *b, size_t *len)
{
	(void)len;
	ehdr(b)->e_shentsize = 40;
}

static void m_truncated(uint8_t *b, size_t *len)
{
	(void)b;
	*len -= 1;
}

static void m_sec_offset(uint8_t *b, size_t *len)
{
	section(b, SHT_PROGBITS, SHF_EXECINSTR)->sh_offset = *len + 64;
}

static void m_sec_past_end(uint8_t *b, size_t *len)
{
	Elf64_Shdr *s = section(b, SHT_PROGBITS, SHF_EXECINSTR);

	s->sh_size = *len - s->sh_offset + 1;
}

static void m_sec_wrap(uint8_t *b, size_t *len)
{
	Elf64_Shdr *s = section(b, SHT_PROGBITS, SHF_EXECINSTR);

	(void)len;
	s->sh_offset = UINT64_MAX - 8;
	s->sh_size = 64;
}

static void m_align(uint8_t *b, size_t *len)
{
	(void)len;
	section(b, SHT_PROGBITS, SHF_EXECINSTR)->sh_addralign = 24;
}

static void m_huge_bss(uint8_t *b, size_t *len)
{
	(void)len;
	section(b, SHT_NOBITS, SHF_ALLOC)->sh_size = 1ULL << 62;
}

static void m_no_symtab(uint8_t *b, size_t *len)
{
	(void)len;
	section(b, SHT_SYMTAB, 0)->sh_type = SHT_PROGBITS;
}

static void m_symtab_link(uint8_t *b, size_t *len)
{
	(void)len;
	section(b, SHT_SYMTAB, 0)->sh_link = 999;
}

static void m_symtab_entsize(uint8_t *b, size_t *len)
{
	(void)len;
	section(b, SHT_SYMTAB, 0)->sh_entsize = 16;
}

static void m_strtab_unterminated(uint8_t *b, size_t *len)
{
	Elf64_Shdr *str = shdr(b, section(b, SHT_SYMTAB, 0)->sh_link);

	(void)len;
	b[str->sh_offset + str->sh_size - 1] = 'x';
}

static void m_sym_name(uint8_t *b, size_t *len)
{
	(void)len;
	symbol(b, KX_PURGATORY_PARAMS_NAME)->st_name = 0x7fffffff;
}

static void m_sym_section(uint8_t *b, size_t *len)
{
	(void)len;
	symbol(b, KX_PURGATORY_PARAMS_NAME)->st_shndx = 500;
}

static void m_sym_common(uint8_t *b, size_t *len)
{
	(void)len;
	symbol(b, KX_PURGATORY_PARAMS_NAME)->st_shndx = SHN_COMMON;
}

static void m_rel_sym_index(uint8_t *b, size_t *len)
{
	Elf64_Rela *r = text_rela(b, NULL);

	(void)len;
	r->r_info = ELF64_R_INFO(100000, ELF64_R_TYPE(r->r_info));
}

static void m_rel_offset(uint8_t *b, size_t *len)
{
	Elf64_Shdr *t;
	Elf64_Rela *r = text_rela(b, &t);

	(void)len;
	r->r_offset = t->sh_size - 2; /* a 4- or 8-byte field cannot start there */
}

static void m_rel_offset_wrap(uint8_t *b, size_t *len)
{
	(void)len;
	text_rela(b, NULL)->r_offset = UINT64_MAX - 1;
}

static void m_rel_type(uint8_t *b, size_t *len)
{
	Elf64_Rela *r = text_rela(b, NULL);

	(void)len;
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 42);
}

/* A symbol a relocation uses: purgatory.c calls it in sha256.c. */
#define RELOCATED_SYMBOL "kx_sha256_regions_match"

static void m_rel_undefined(uint8_t *b, size_t *len)
{
	(void)len;
	symbol(b, RELOCATED_SYMBOL)->st_shndx = SHN_UNDEF;
}

static void m_rel_symbol_not_loaded(uint8_t *b, size_t *len)
{
	(void)len;
	/* into .comment or .note.GNU-stack: sections that are not SHF_ALLOC */
	for (unsigned int i = 1; i < ehdr(b)->e_shnum; i++) {
		if (shdr(b, i)->sh_type == SHT_PROGBITS && !(shdr(b, i)->sh_flags & SHF_ALLOC)) {
			symbol(b, RELOCATED_SYMBOL)->st_shndx = (uint16_t)i;
			return;
		}
	}
	fail_msg("no section that is not loaded");
}

static void m_rel_target(uint8_t *b, size_t *len)
{
	Elf64_Shdr *s = section(b, SHT_RELA, 0);

	(void)len;
	s->sh_info = 999;
}

static void m_rel_is_rel(uint8_t *b, size_t *len)
{
	(void)len;
	section(b, SHT_RELA, 0)->sh_type = SHT_REL;
}

static void m_rel_entsize(uint8_t *b, size_t *len)
{
	(void)len;
	section(b, SHT_RELA, 0)->sh_entsize = 16;
}

static void test_malformed(void **state)
{
	static const struct {
		const char *what;
		void (*mutate)(uint8_t *b, size_t *len);
		const char *log;
	} cases[] = {
		{ "truncated header", m_short_header, "too short for an ELF header" },
		{ "bad magic", m_magic, "not an ELF file" },
		{ "other machine", m_machine, "machine 50" },
		{ "executable", m_type, "ELF type 2" },
		{ "section table past end", m_shoff, "section header table" },
		{ "section table offset wraps", m_shoff_wrap, "section header table" },
		{ "section header size", m_shentsize, "section header table" },
		{ "truncated by one byte", m_truncated, "section header table" },
		{ "bad section offset", m_sec_offset, "past the end" },
		{ "section past end", m_sec_past_end, "past the end" },
		{ "section offset wraps", m_sec_wrap, "past the end" },
		{ "alignment not a power of two", m_align, "alignment 24" },
		{ "huge .bss", m_huge_bss, "too large" },
		{ "no symbol table", m_no_symtab, "no symbol table" },
		{ "symbol table link", m_symtab_link, "links to section 999" },
		{ "symbol entry size", m_symtab_entsize, "not Elf64_Sym" },
		{ "string table not terminated", m_strtab_unterminated, "string table is malformed" },
		{ "symbol name out of range", m_sym_name, "outside the string table" },
		{ "symbol section out of range", m_sym_section, "section index 500" },
		{ "common symbol", m_sym_common, "-fno-common" },
		{ "symbol index out of range", m_rel_sym_index, "symbol 100000" },
		{ "relocation past section end", m_rel_offset, "past the end of section" },
		{ "relocation offset wraps", m_rel_offset_wrap, "past the end of section" },
		{ "unknown relocation type", m_rel_type, "unsupported relocation type 42" },
		{ "undefined symbol", m_rel_undefined, "undefined symbol '" RELOCATED_SYMBOL "'" },
		{ "symbol in unloaded section", m_rel_symbol_not_loaded, "not loaded" },
		{ "relocation target out of range", m_rel_target, "section 999" },
		{ "SHT_REL", m_rel_is_rel, "SHT_REL" },
		{ "relocation entry size", m_rel_entsize, "is malformed" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kexec_ctx *ctx = new_ctx();
		uint8_t *b = blob_copy();
		size_t len = kx_purgatory_x86_64_blob_size;
		struct kx_purgatory p;
		int r;

		cases[i].mutate(b, &len);
		r = kx_purgatory_init(ctx, &p, b, len);
		if (r != -ENOEXEC)
			fail_msg("%s: kx_purgatory_init returned %d; log:\n%s", cases[i].what, r,
				 log_text);
		assert_logged(cases[i].log);
		assert_null(p.buf);
		assert_null(p.sec_off);
		free(b);
		kexec_ctx_free(ctx);
	}
}

/* Every prefix is refused; random corruption is refused or still safe to use. */
static void test_truncated_and_corrupted(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	size_t len = kx_purgatory_x86_64_blob_size;
	uint8_t *b = blob_copy();
	struct kx_purgatory p;
	uint32_t seed = 12345;

	(void)state;
	kexec_ctx_set_log(ctx, NULL, NULL);
	for (size_t n = 0; n < len; n++) {
		uint8_t *t = malloc(n ? n : 1); /* exact size: valgrind sees any overread */

		assert_non_null(t);
		memcpy(t, b, n);
		assert_int_equal(kx_purgatory_init(ctx, &p, t, n), -ENOEXEC);
		free(t);
	}
	for (int iter = 0; iter < 3000; iter++) {
		uint8_t *t = blob_copy();
		struct kx_purgatory_params pp;
		int r;

		for (int k = 0; k < 1 + iter % 4; k++) {
			seed = seed * 1103515245 + 12345;
			/* Headers and tables (the file's end) matter most; hit them more often. */
			size_t pos = (seed >> 8) % (iter % 2 ? len : len - ehdr(b)->e_shoff);

			if (!(iter % 2))
				pos += ehdr(b)->e_shoff;
			if (iter % 8 == 0)
				pos = (seed >> 8) % sizeof(Elf64_Ehdr);
			t[pos] ^= (uint8_t)(1u << (seed >> 28 & 7));
		}
		r = kx_purgatory_init(ctx, &p, t, len);
		assert_true(r == 0 || r == -ENOEXEC);
		if (r == 0) {
			r = kx_purgatory_relocate(ctx, &p, 0x100000);
			assert_true(r == 0 || r == -ERANGE);
			r = kx_purgatory_get_params(&p, &pp);
			assert_true(r == 0 || r == -EINVAL || r == -ENOENT);
			kx_purgatory_free(&p);
		}
		free(t);
	}
	free(b);
	kexec_ctx_free(ctx);
}

/* A relocation whose field is too narrow for the base: -ERANGE, named. */
static void test_relocation_overflow(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	uint8_t *b = blob_copy();
	struct kx_purgatory p;
	Elf64_Rela *r = text_rela(b, NULL);
	size_t n = section(b, SHT_RELA, 0)->sh_size / sizeof(*r), i;

	(void)state;
	/* Turn the first R_X86_64_64 into R_X86_64_32, then into R_X86_64_32S. */
	for (i = 0; i < n && ELF64_R_TYPE(r[i].r_info) != R_X86_64_64; i++)
		;
	assert_true(i < n);
	r[i].r_info = ELF64_R_INFO(ELF64_R_SYM(r[i].r_info), R_X86_64_32);
	assert_int_equal(kx_purgatory_init(ctx, &p, b, kx_purgatory_x86_64_blob_size), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, 0x7f000000), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, 0x100000000ULL), -ERANGE);
	assert_logged("overflows");
	kx_purgatory_free(&p);

	r[i].r_info = ELF64_R_INFO(ELF64_R_SYM(r[i].r_info), R_X86_64_32S);
	assert_int_equal(kx_purgatory_init(ctx, &p, b, kx_purgatory_x86_64_blob_size), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, 0x7f000000), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, 0x80000000ULL), -ERANGE);
	kx_purgatory_free(&p);
	free(b);
	kexec_ctx_free(ctx);
}

/* ---- The purgatory's C part, run here ------------------------------------- */

/*
 * purgatory_start needs ring 0 (cli, lgdt), but purgatory() is plain code:
 * relocated to an executable mapping, it hashes our buffers and returns when
 * they match. On a mismatch it writes to COM1, and in user space the first
 * port access faults: that SIGSEGV is how the child reports the mismatch path.
 */
struct host_purgatory {
	uint8_t *mem;
	size_t size;
	void (*fn)(void);
};

/*
 * The purgatory's hashing path, as purgatory_cpu_setup() would set it, and
 * its check: xxh3 (the default: SSE2, which is on in user space) or
 * SHA-256 (--check=sha256).
 */
struct host_path {
	uint32_t sse, avx2, sha_ni;
	bool xxh3;
};

static int host_load(struct kexec_ctx *ctx, struct host_purgatory *h,
		     const struct kx_sha_region *regions, const uint8_t digest[32],
		     struct host_path path)
{
	struct kx_purgatory_params pp = { .console_kind = KX_CONSOLE_X86_PIO,
					  .console_base = 0x3f8,
					  .flags = path.xxh3 ? 0 : KX_PF_SHA256 };
	struct kx_purgatory p;
	uint64_t addr;

	init_blob(ctx, &p);
	h->size = (p.memsz + 4095) & ~(size_t)4095;
	h->mem = mmap(NULL, h->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(h->mem != MAP_FAILED);
	memcpy(pp.regions, regions, sizeof(pp.regions));
	memcpy(pp.digest, digest, 32);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	/* entry.S's purgatory_cpu_setup() sets them in a real handover. */
	assert_int_equal(kx_purgatory_set(&p, "kx_sse", &path.sse, 4), 0);
	assert_int_equal(kx_purgatory_set(&p, "kx_avx2", &path.avx2, 4), 0);
	assert_int_equal(kx_purgatory_set(&p, "kx_sha_ni", &path.sha_ni, 4), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, (uintptr_t)h->mem), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&p, "purgatory", &addr), 0);
	memcpy(h->mem, p.buf, p.bufsz);
	kx_purgatory_free(&p);
	h->fn = (void (*)(void))(uintptr_t)addr;
	/* Some hardened systems refuse executable anonymous memory. */
	return mprotect(h->mem, h->size, PROT_READ | PROT_EXEC);
}

static void on_segv(int sig)
{
	(void)sig;
	_exit(42);
}

/*
 * sse: the purgatory hashes four lanes at once (sha256-lanes.c); avx2: eight;
 * sha_ni: with sha256-ni.S (user space has SSE and AVX on); none: one block at
 * a time, portable.
 */
static void host_run(struct host_path path)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_sha_region regions[KX_SHA_REGIONS_MAX] = { { 0, 0 } };
	struct host_purgatory h;
	static uint8_t one[100000], two[777];
	uint8_t digest[32];
	struct kx_sha256 s;
	pid_t pid;
	int status;

	for (size_t i = 0; i < sizeof(one); i++)
		one[i] = (uint8_t)(i * 31 + (i >> 8));
	memset(two, 0x5a, sizeof(two));
	regions[0] = (struct kx_sha_region){ (uintptr_t)one, sizeof(one) };
	regions[1] = (struct kx_sha_region){ 0xdead0000, 0 }; /* skipped: never read */
	regions[5] = (struct kx_sha_region){ (uintptr_t)two, sizeof(two) };
	if (path.xxh3) {
		struct xxh3_ref x;

		/* one from 8 bytes in: the SSE2 code reads at any alignment. */
		regions[0] = (struct kx_sha_region){ (uintptr_t)one + 8, sizeof(one) - 8 };
		xxh3_ref_init(&x);
		xxh3_ref_update(&x, one + 8, sizeof(one) - 8);
		xxh3_ref_update(&x, two, sizeof(two));
		xxh3_ref_final(&x, digest);
	} else {
		kx_sha256_init(&s);
		kx_sha256_lanes_update(&s, one, sizeof(one));
		kx_sha256_lanes_update(&s, two, sizeof(two));
		kx_sha256_final(&s, digest);
	}

	if (host_load(ctx, &h, regions, digest, path)) {
		munmap(h.mem, h.size);
		kexec_ctx_free(ctx);
		skip();
	}
	h.fn(); /* returns: the digest matches */

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, on_segv);
		two[100] ^= 1;
		h.fn();
		_exit(0); /* returned despite the mismatch */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 42) &&
	    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV))
		fail_msg("mismatch: the purgatory did not go for the serial port (status 0x%x)",
			 status);
	munmap(h.mem, h.size);
	kexec_ctx_free(ctx);
}

static void test_host_run(void **state)
{
	(void)state;
	host_run((struct host_path){ 0, 0, 0, false });
}

/* The purgatory's own copy of the four-lane SSE2 code. */
static void test_host_run_sse(void **state)
{
	(void)state;
	host_run((struct host_path){ 1, 0, 0, false });
}

/* Its eight-lane AVX2 code, where this CPU has AVX2. */
static void test_host_run_avx2(void **state)
{
	(void)state;
	if (!kx_sha256_x8_usable())
		skip();
	host_run((struct host_path){ 1, 1, 0, false });
}

/* The default check: XXH3-128 (xxh3-vector.c, SSE2). */
static void test_host_run_xxh3(void **state)
{
	(void)state;
	host_run((struct host_path){ 1, 0, 0, true });
}

/* The purgatory's own copy of the SHA-NI code, where this CPU has it. */
static void test_host_run_sha_ni(void **state)
{
	(void)state;
	if (!kx_sha256_hw_usable())
		skip();
	host_run((struct host_path){ 1, 0, 1, false });
}

/* ---- The whole purgatory, run in a KVM virtual machine --------------------- */

/*
 * The state relocate_kernel leaves: 64-bit mode, paging on with an identity
 * map, IF=0, every register zero but RSP, and RSP pointing nowhere (0 here:
 * any push before the purgatory switches stacks would fault, and with no IDT
 * the fault ends the VM). The "kernel" is one hlt; the serial port is ours.
 */
#define VM_MEM (8u << 20)
#define VM_PML4 0x1000
#define VM_PURGATORY 0x100000
#define VM_KERNEL 0x200000
#define VM_BOOT_PARAMS 0x9000
#define VM_DATA 0x300000

struct vm {
	int kvm, vmfd, cpufd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	char serial[256];
};

static void vm_close(struct vm *vm)
{
	if (vm->run && vm->run != MAP_FAILED)
		munmap(vm->run, vm->run_size);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, VM_MEM);
	if (vm->cpufd >= 0)
		close(vm->cpufd);
	if (vm->vmfd >= 0)
		close(vm->vmfd);
	if (vm->kvm >= 0)
		close(vm->kvm);
}

/* 0 when the VM is ready; -1 when this machine cannot run one (the test skips). */
static int vm_open(struct vm *vm)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_segment seg = { .limit = 0xffffffff, .present = 1, .s = 1, .g = 1 };
	uint64_t *pml4, *pdpt, *pd;
	int size;

	memset(vm, 0, sizeof(*vm));
	vm->vmfd = vm->cpufd = -1;
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0 || ioctl(vm->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return -1;
	vm->vmfd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->vmfd < 0)
		return -1;
	vm->mem = mmap(NULL, VM_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		return -1;
	region.memory_size = VM_MEM;
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->vmfd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -1;
	vm->cpufd = ioctl(vm->vmfd, KVM_CREATE_VCPU, 0);
	size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->cpufd < 0 || size <= 0)
		return -1;
	vm->run_size = (size_t)size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->cpufd, 0);
	if (vm->run == MAP_FAILED)
		return -1;

	/* Identity map of the first GiB in 2 MiB pages. */
	pml4 = (uint64_t *)(vm->mem + VM_PML4);
	pdpt = pml4 + 512;
	pd = pdpt + 512;
	pml4[0] = (VM_PML4 + 0x1000) | 3;
	pdpt[0] = (VM_PML4 + 0x2000) | 3;
	for (uint64_t i = 0; i < 512; i++)
		pd[i] = i << 21 | 0x83; /* present, writable, 2 MiB */

	if (ioctl(vm->cpufd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	sregs.cr3 = VM_PML4;
	sregs.cr4 = 1u << 5;                        /* PAE; no OSFXSR, as after relocate_kernel */
	sregs.cr0 = 1u << 31 | 1u << 16 | 1u << 5 | 1u << 4 | 1u; /* PG WP NE ET PE */
	sregs.efer = 1u << 10 | 1u << 8;            /* LMA LME */
	seg.selector = 0x08; /* the old kernel's: not the selectors the purgatory loads */
	seg.type = 11;
	seg.l = 1;
	sregs.cs = seg;
	seg.selector = 0;
	seg.type = 3;
	seg.l = 0;
	seg.db = 1;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
	sregs.gdt.base = 0xdead000; /* outside RAM: using the old GDT would fail */
	sregs.gdt.limit = 0xff;
	return ioctl(vm->cpufd, KVM_SET_SREGS, &sregs) < 0 ? -1 : 0;
}

/* Runs until hlt; serves the UART (always ready) on the way. */
static void vm_run(struct vm *vm, uint64_t rip)
{
	struct kvm_regs regs = { .rip = rip, .rflags = 2 };
	size_t n = strlen(vm->serial);

	assert_int_equal(ioctl(vm->cpufd, KVM_SET_REGS, &regs), 0);
	alarm(30);
	for (;;) {
		uint8_t *data;

		assert_int_equal(ioctl(vm->cpufd, KVM_RUN, 0), 0);
		if (vm->run->exit_reason == KVM_EXIT_HLT)
			break;
		if (vm->run->exit_reason != KVM_EXIT_IO)
			fail_msg("VM exit %u (8 is a triple fault)", vm->run->exit_reason);
		data = (uint8_t *)vm->run + vm->run->io.data_offset;
		if (vm->run->io.direction == KVM_EXIT_IO_IN)
			*data = vm->run->io.port == 0x3fd ? 0x20 : 0xff;
		else if (vm->run->io.port == 0x3f8 && n < sizeof(vm->serial) - 1)
			vm->serial[n++] = (char)*data;
	}
	alarm(0);
	vm->serial[n] = '\0';
}

/* Loads the purgatory at VM_PURGATORY, hashing two data regions; returns its p. */
static void vm_load(struct kexec_ctx *ctx, struct vm *vm, struct kx_purgatory *p)
{
	struct kx_purgatory_params pp = { .entry = VM_KERNEL, .boot_data = VM_BOOT_PARAMS,
					  .console_kind = KX_CONSOLE_X86_PIO, .console_base = 0x3f8,
					  .flags = KX_PF_SHA256 };
	struct kx_sha256 s;

	/* Small: nested or loaded hosts can run guests a thousand times slower. */
	for (size_t i = 0; i < 0x1400; i++)
		vm->mem[VM_DATA + i] = (uint8_t)(i ^ i >> 9);
	pp.regions[0] = (struct kx_sha_region){ VM_DATA, 0x800 };
	pp.regions[3] = (struct kx_sha_region){ VM_DATA + 0x1000, 0x3c1 };
	kx_sha256_init(&s);
	kx_sha256_lanes_update(&s, vm->mem + VM_DATA, 0x800);
	kx_sha256_lanes_update(&s, vm->mem + VM_DATA + 0x1000, 0x3c1);
	kx_sha256_final(&s, pp.digest);
	pp.region_sums[0] = xxh3_ref_sum(vm->mem + VM_DATA, 0x800);
	pp.region_sums[3] = xxh3_ref_sum(vm->mem + VM_DATA + 0x1000, 0x3c1);
	vm->mem[VM_KERNEL] = 0xf4; /* hlt */

	init_blob(ctx, p);
	assert_int_equal(VM_PURGATORY % p->align, 0);
	assert_int_equal(kx_purgatory_set_params(p, &pp), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, p, VM_PURGATORY), 0);
	memcpy(vm->mem + VM_PURGATORY, p->buf, p->bufsz);
	/* The kernel zero-fills memsz past bufsz. */
	memset(vm->mem + VM_PURGATORY + p->bufsz, 0, p->memsz - p->bufsz);
}

static void test_kvm_boot(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory p;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint64_t start, stack_end, gdt, halted;
	char want[256];
	struct vm vm;

	(void)state;
	/*
	 * Opt-in only: guests have been seen to hang under this workplace's KVM,
	 * so CI never uses it. The VM tests (QEMU TCG) boot kernels through the
	 * purgatory for real; this is a quicker look at its register state.
	 */
	if (!getenv("LIBKEXEC_TEST_KVM") || strcmp(getenv("LIBKEXEC_TEST_KVM"), "1")) {
		kexec_ctx_free(ctx);
		skip();
	}
	if (vm_open(&vm)) {
		vm_close(&vm);
		kexec_ctx_free(ctx);
		skip();
	}
	vm_load(ctx, &vm, &p);
	assert_int_equal(kx_purgatory_symbol_addr(&p, "purgatory_start", &start), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&p, "stack_end", &stack_end), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&p, "gdt", &gdt), 0);
	vm_run(&vm, start);

	/* In the "kernel", with the boot protocol's registers and segments. */
	assert_int_equal(ioctl(vm.cpufd, KVM_GET_REGS, &regs), 0);
	assert_int_equal(ioctl(vm.cpufd, KVM_GET_SREGS, &sregs), 0);
	assert_string_equal(vm.serial, "");
	assert_int_equal(regs.rip, VM_KERNEL + 1);
	assert_int_equal(regs.rsi, VM_BOOT_PARAMS);
	assert_int_equal(regs.rsp, stack_end);
	assert_int_equal(regs.rax | regs.rbx | regs.rcx | regs.rdx | regs.rdi | regs.rbp, 0);
	assert_int_equal(regs.r8 | regs.r9 | regs.r10 | regs.r11 | regs.r12 | regs.r13 |
			 regs.r14 | regs.r15, 0);
	assert_int_equal(regs.rflags & (1u << 9 | 1u << 10), 0); /* IF, DF */
	assert_int_equal(sregs.gdt.base, gdt);
	assert_int_equal(sregs.gdt.limit, 31);
	assert_int_equal(sregs.cs.selector, 0x10);
	assert_int_equal(sregs.cs.l, 1);
	assert_int_equal(sregs.ds.selector, 0x18);
	assert_int_equal(sregs.es.selector, 0x18);
	assert_int_equal(sregs.ss.selector, 0x18);
	assert_int_equal(sregs.fs.selector, 0x18);
	assert_int_equal(sregs.gs.selector, 0x18);

	/* A changed byte in a hashed region: the message naming it, then hlt forever. */
	vm.mem[VM_DATA + 0x1000 + 77] ^= 0x10;
	vm_run(&vm, start);
	snprintf(want, sizeof(want), "purgatory: sha256 mismatch\r\n" KX_TEST_CHANGED_FMT KX_TEST_STOPPED,
		 (unsigned long long)(VM_DATA + 0x1000), 0x3c1ULL);
	assert_string_equal(vm.serial, want);
	assert_int_equal(ioctl(vm.cpufd, KVM_GET_REGS, &regs), 0);
	assert_true(regs.rip > VM_PURGATORY && regs.rip < VM_PURGATORY + p.bufsz);
	halted = regs.rip;
	assert_int_equal(ioctl(vm.cpufd, KVM_RUN, 0), 0); /* woken: halts again */
	assert_int_equal(vm.run->exit_reason, KVM_EXIT_HLT);
	assert_int_equal(ioctl(vm.cpufd, KVM_GET_REGS, &regs), 0);
	assert_int_equal(regs.rip, halted);

	/* The bytes between the two regions are not hashed. */
	vm.mem[VM_DATA + 0x1000 + 77] ^= 0x10;
	vm.mem[VM_DATA + 0xc00] ^= 0xff;
	vm.serial[0] = '\0';
	vm_run(&vm, start);
	assert_string_equal(vm.serial, "");
	assert_int_equal(ioctl(vm.cpufd, KVM_GET_REGS, &regs), 0);
	assert_int_equal(regs.rip, VM_KERNEL + 1);

	kx_purgatory_free(&p);
	vm_close(&vm);
	kexec_ctx_free(ctx);
}
#endif /* __x86_64__ */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_fips),
		cmocka_unit_test(test_sha256_million_a),
		cmocka_unit_test(test_sha256_boundaries),
		cmocka_unit_test_setup_teardown(test_portable_fips, force_portable, unforce_portable),
		cmocka_unit_test_setup_teardown(test_portable_million_a, force_portable,
						unforce_portable),
		cmocka_unit_test_setup_teardown(test_portable_boundaries, force_portable,
						unforce_portable),
		cmocka_unit_test(test_block_portable),
		cmocka_unit_test(test_block_hw),
		cmocka_unit_test(test_block_x4),
		cmocka_unit_test(test_block_x8),
		cmocka_unit_test(test_lanes),
		cmocka_unit_test(test_lanes_every_length),
#ifdef __x86_64__
		cmocka_unit_test(test_blob_parses),
		cmocka_unit_test(test_blob_set_get),
		cmocka_unit_test(test_blob_relocate),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated_and_corrupted),
		cmocka_unit_test(test_relocation_overflow),
		cmocka_unit_test(test_host_run),
		cmocka_unit_test(test_host_run_sse),
		cmocka_unit_test(test_host_run_xxh3),
		cmocka_unit_test(test_host_run_avx2),
		cmocka_unit_test(test_host_run_sha_ni),
		cmocka_unit_test(test_kvm_boot),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
