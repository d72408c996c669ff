/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A purgatory's SHA-256 code on each of its paths, for
 * tests/unit/test-purgatory-sha256.py: built for each architecture with its
 * hooks (<arch>/sha256-paths.h: the purgatory's switches, which paths this
 * CPU has, its timer) and linked with the purgatory object itself
 * (purgatory-<machine>.o, the very code and compiler flags of the embedded
 * blob), run under qemu-user (or natively). The script computes the
 * expected digests with Python's hashlib; this program only prints what it
 * computed.
 *
 *   sha256-paths vectors   one line per path and message:
 *                          PATH NAME SHA256(message) LANE-DIGEST(message)
 *   sha256-paths bench MiB [TIMEBASE-HZ]
 *                          the lane digest of MiB MiB on each path, timed
 *                          with the architecture's timer (at its own
 *                          frequency unless TIMEBASE-HZ says)
 * The first line is "paths NAME...": the paths this CPU has, as the
 * purgatory decides (<arch>/sha256-paths.h); anything else than the two
 * commands only prints that line and the usage.
 */
#include "runtime.h"
#include "sha256.h"

/*
 * The architecture's hooks, from -I tests/unit/<arch>: enum { PORTABLE,
 * ..., NPATHS }, path_names[], set_path(), paths_here() (how many of the
 * paths, in order, this CPU runs), PATH_SWITCHES (the purgatory's variable
 * set_path() writes), ticks() and ticks_hz() (0: unknown).
 */
#include "sha256-paths.h"

static uint8_t data[(1 << 20) + 64];

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

static void bench(int path, uint64_t mib, uint64_t hz)
{
	uint64_t t0, t1, ns;
	struct kx_sha256 s;
	uint8_t d[32];

	set_path(path);
	t0 = ticks();
	kx_sha256_init(&s);
	for (uint64_t i = 0; i < mib; i++)
		kx_sha256_lanes_update(&s, data, 1 << 20);
	kx_sha256_final(&s, d);
	t1 = ticks();
	set_path(PORTABLE);
	/* In two steps: a long run's ticks times 1e9 would overflow. */
	ns = (t1 - t0) / hz * 1000000000ULL + (t1 - t0) % hz * 1000000000ULL / hz;
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
	int npaths = paths_here();
	uint64_t mib = 0, hz = ticks_hz();
	uintptr_t page = (uintptr_t)&PATH_SWITCHES & ~(uintptr_t)4095;

	/*
	 * The switches are in the purgatory's one section, code and data
	 * (purgatory.lds), which the link made read-only and executable:
	 * writable too, for set_path().
	 */
	if (sys6(SYS_mprotect, (long)page, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0))
		return 4;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + (i >> 8));
	puts_("paths");
	for (int path = 0; path < npaths; path++) {
		puts_(" ");
		puts_(path_names[path]);
	}
	puts_("\n");
	if (argc == 2 && streq(argv[1], "vectors")) {
		for (int path = 0; path < npaths; path++)
			vectors(path);
		return 0;
	}
	if (!hz)
		hz = 1000000000;
	if ((argc == 3 || argc == 4) && streq(argv[1], "bench") && !parse_u64(argv[2], &mib) && mib &&
	    (argc == 3 || (!parse_u64(argv[3], &hz) && hz && hz <= 1000000000))) {
		for (int path = 0; path < npaths; path++)
			bench(path, mib, hz);
		return 0;
	}
	puts_("usage: sha256-paths vectors | bench MIB [TIMEBASE-HZ]\n");
	return 2;
}
