/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arm64 purgatory's SHA-256 code on each of its paths, for
 * tests/unit/test-arm64-sha256.py: linked with the purgatory object itself
 * (purgatory-aarch64.o, the very code and compiler flags of the embedded
 * blob), run under qemu-aarch64 (or natively on arm64). The purgatory's own
 * switches pick the path: kx_sha_ce (the Crypto Extensions, sha256-ce.S),
 * kx_neon (four lanes at once in NEON registers, sha256-lanes.c), neither
 * (the portable C). The script computes the expected digests with Python's
 * hashlib; this program only prints what it computed.
 *
 *   sha256-paths vectors   one line per path and message:
 *                          PATH NAME SHA256(message) LANE-DIGEST(message)
 *   sha256-paths bench MiB the lane digest of MiB MiB on each path, timed
 *                          with the generic timer (CNTVCT_EL0)
 * The first line is "paths portable neon[ ce]": the paths this CPU has
 * (ce: ID_AA64ISAR0_EL1.SHA2, as the purgatory decides).
 */
#include "runtime.h"
#include "sha256.h"

/* The purgatory's switches (purgatory/arm64/purgatory.c). */
extern uint32_t kx_sha_ce, kx_neon;

enum { PORTABLE, NEON, CE, NPATHS };
static const char *const path_names[NPATHS] = { "portable", "neon", "ce" };

static uint8_t data[(1 << 20) + 64];

static void set_path(int path)
{
	kx_neon = path == NEON;
	kx_sha_ce = path == CE;
}

static int cpu_has_sha256(void)
{
	uint64_t isar0;

	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	return ((isar0 >> 12) & 0xf) >= 1;
}

/* The purgatory's digest of one region: SHA-256 over its eight lane digests. */
static void lanes(const uint8_t *p, size_t len, uint8_t out[32])
{
	struct kx_sha256 s;

	kx_sha256_init(&s);
	kx_sha256_lanes_update(&s, p, len);
	kx_sha256_final(&s, out);
}

/* SHA-256 of the message, fed in pieces of 1, 2, ... 97 bytes when chunked. */
static void plain(const uint8_t *p, size_t len, int chunked, uint8_t out[32])
{
	struct kx_sha256 s;
	size_t n = 1;

	kx_sha256_init(&s);
	if (!chunked) {
		kx_sha256_update(&s, p, len);
	} else {
		while (len) {
			size_t k = n < len ? n : len;

			kx_sha256_update(&s, p, k);
			p += k;
			len -= k;
			n = n % 97 + 1;
		}
	}
	kx_sha256_final(&s, out);
}

static void line(int path, const char *name, uint64_t a, uint64_t b, const uint8_t *p,
		 size_t len)
{
	uint8_t d[32], e[32];

	plain(p, len, 0, d);
	plain(p, len, 1, e);
	for (int i = 0; i < 32; i++) {
		if (e[i] != d[i]) {
			puts_("the digest in pieces differs from the digest in one piece\n");
			sys_exit(2);
		}
	}
	lanes(p, len, e);
	puts_(path_names[path]);
	puts_(" ");
	puts_(name);
	if (a != UINT64_MAX) {
		puts_(":");
		put_u64(a);
		puts_(":");
		put_u64(b);
	}
	puts_(" ");
	put_hex(d, 32);
	puts_(" ");
	put_hex(e, 32);
	puts_("\n");
}

static void vectors(int path)
{
	static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char m896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
				   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	static const size_t big[] = { 4096 * 8 + 511, 4096 * 8 + 512, 99999, 1 << 20 };

	set_path(path);
	line(path, "empty", UINT64_MAX, 0, (const uint8_t *)"", 0);
	line(path, "abc", UINT64_MAX, 0, (const uint8_t *)"abc", 3);
	line(path, "m448", UINT64_MAX, 0, (const uint8_t *)m448, sizeof(m448) - 1);
	line(path, "m896", UINT64_MAX, 0, (const uint8_t *)m896, sizeof(m896) - 1);
	/* Every length to 2 KiB + 63, at every alignment mod 16 in turn. */
	for (size_t len = 0; len < 2112; len++)
		line(path, "data", len % 16, len, data + len % 16, len);
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		line(path, "data", 5, big[i], data + 5, big[i]);
	{
		/* One million 'a' (FIPS 180-2), in uneven pieces. */
		static uint8_t a[1000000];
		uint8_t d[32];

		memset(a, 'a', sizeof(a));
		plain(a, sizeof(a), 1, d);
		puts_(path_names[path]);
		puts_(" million-a ");
		put_hex(d, 32);
		puts_(" -\n");
	}
	set_path(PORTABLE);
}

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static void bench(int path, uint64_t mib)
{
	uint64_t freq, t0, t1, ns;
	struct kx_sha256 s;
	uint8_t d[32];

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	set_path(path);
	t0 = counter();
	kx_sha256_init(&s);
	for (uint64_t i = 0; i < mib; i++)
		kx_sha256_lanes_update(&s, data, 1 << 20);
	kx_sha256_final(&s, d);
	t1 = counter();
	set_path(PORTABLE);
	ns = freq ? (t1 - t0) * 1000000000ULL / freq : 0;
	puts_("bench ");
	puts_(path_names[path]);
	puts_(" ");
	put_u64(mib);
	puts_(" MiB ");
	put_u64(ns / 1000000);
	puts_(" ms ");
	put_u64(ns ? mib * 1000000000ULL / ns : 0);
	puts_(" MiB/s ");
	put_hex(d, 4);
	puts_("\n");
}

int main(int argc, char **argv)
{
	int npaths = cpu_has_sha256() ? NPATHS : CE;
	uint64_t mib = 0;
	uintptr_t page = (uintptr_t)&kx_sha_ce & ~(uintptr_t)4095;

	/*
	 * The switches are in the purgatory's one section, code and data
	 * (purgatory.lds), which the link made read-only and executable:
	 * writable too, for set_path().
	 */
	if (sys6(SYS_mprotect, (long)page, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0))
		return 4;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + (i >> 8));
	puts_(npaths == NPATHS ? "paths portable neon ce\n" : "paths portable neon\n");
	if (argc == 2 && streq(argv[1], "vectors")) {
		for (int path = 0; path < npaths; path++)
			vectors(path);
		return 0;
	}
	if (argc == 3 && streq(argv[1], "bench") && !parse_u64(argv[2], &mib) && mib) {
		for (int path = 0; path < npaths; path++)
			bench(path, mib);
		return 0;
	}
	puts_("usage: sha256-paths vectors | bench MIB\n");
	return 2;
}
