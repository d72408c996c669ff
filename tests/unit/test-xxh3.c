/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * purgatory/common/xxh3.c's own outer loop for long inputs (xxh3_long(), the
 * one the riscv64 purgatory and arm64's with the MMU off run) against
 * xxhash.h's XXH3_128bits, on this host: every length class around the
 * block (1024 bytes) and stripe (64) boundaries, aligned and not; and the
 * chain (kx_xxh3_update) against tests/unit/xxh3-ref.h's, built on
 * libxxhash itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#define KX_XXH3_TEST_LONG 1
#include "../../purgatory/common/xxh3.c"

#include "xxh3-ref.h"

static uint8_t *data(size_t len)
{
	uint8_t *p = aligned_alloc(64, (len + 64 + 63) & ~(size_t)63);
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	assert_non_null(p);
	for (size_t i = 0; i < len + 64; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
	return p;
}

static void test_long_loop(void **state)
{
	static const size_t lens[] = { 241, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025,
				       1088, 2047, 2048, 2049, 4095, 4096, 4097, 65536 + 13,
				       1 << 20, (1 << 20) + 64 * 7 + 5 };
	uint8_t *p = data(2 << 20);

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (size_t off = 0; off <= 16; off += 8) {
			XXH128_hash_t want = XXH3_128bits(p + off, lens[i]);
			XXH128_hash_t got = xxh3_long(p + off, lens[i]);

			if (want.low64 != got.low64 || want.high64 != got.high64)
				fail_msg("length %zu at +%zu: %016llx%016llx, want %016llx%016llx",
					 lens[i], off, (unsigned long long)got.high64,
					 (unsigned long long)got.low64,
					 (unsigned long long)want.high64,
					 (unsigned long long)want.low64);
		}
	}
	free(p);
}

/* Every length up to 3000 at every alignment 0..8, through the chain. */
static void test_chain(void **state)
{
	uint8_t *p = data(4096);
	uint8_t want[32], got[KX_XXH3_DIGEST_LEN];

	(void)state;
	for (size_t len = 0; len <= 3000; len++) {
		for (size_t off = 0; off <= 8; off++) {
			struct kx_xxh3 s;
			struct xxh3_ref r;

			uint64_t sum;

			kx_xxh3_init(&s);
			xxh3_ref_init(&r);
			sum = kx_xxh3_update(&s, p + off, len);
			/* The region's own sum (the purgatory's report after a mismatch). */
			if (sum != xxh3_ref_sum(p + off, len) || kx_xxh3_sum(p + off, len) != sum)
				fail_msg("length %zu at +%zu: the region's sum differs", len, off);
			kx_xxh3_update(&s, p, 77);
			xxh3_ref_update(&r, p + off, len);
			xxh3_ref_update(&r, p, 77);
			kx_xxh3_final(&s, got);
			xxh3_ref_final(&r, want);
			if (memcmp(got, want, sizeof(got)))
				fail_msg("length %zu at +%zu: the chain differs", len, off);
		}
	}
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_loop),
		cmocka_unit_test(test_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
