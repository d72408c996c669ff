/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The riscv64 purgatory's SHA-256 code on each of its paths, for
 * tests/unit/riscv64/test-sha256.py: linked with the purgatory object itself
 * (purgatory-riscv64.o, the very code and compiler flags of the embedded
 * blob), run under qemu-riscv64 (or natively on riscv64). The purgatory's
 * switch picks the path: kx_zknh (the Zknh instructions, sha256-zknh.c) or
 * not (the portable C). The script computes the expected digests with
 * Python's hashlib; this program only prints what it computed.
 *
 *   sha256-paths vectors   one line per path and message:
 *                          PATH NAME SHA256(message) LANE-DIGEST(message)
 *   sha256-paths bench MiB the lane digest of MiB MiB on each path, timed
 *                          with the time CSR (rdtime; its frequency is the
 *                          third argument, default 1e9: qemu-user's
 *                          nanoseconds)
 * The first line is "paths portable[ zknh]": the paths this CPU has (zknh:
 * sha256sum0 runs, tried under a SIGILL handler as the purgatory's probe
 * tries it under its trap vector).
 */
#include "runtime.h"
#include "sha256.h"

/* The purgatory's switch (purgatory/riscv64/purgatory.c). */
extern uint32_t kx_zknh;

enum { PORTABLE, ZKNH, NPATHS };
static const char *const path_names[NPATHS] = { "portable", "zknh" };

static uint8_t data[(1 << 20) + 64];

static void set_path(int path)
{
	kx_zknh = path == ZKNH;
}

static volatile int sigill;

/* A SIGILL on the probe: no Zknh; go on after the 4-byte instruction. */
static void on_sigill(int sig, void *si, void *uc)
{
	(void)sig, (void)si;
	sigill = 1;
	KX_REGS(uc)[0] += 4;
}

static int cpu_has_zknh(void)
{
	uint64_t r = 1;

	if (set_handler(KX_SIGILL, on_sigill))
		sys_exit(5);
	__asm__ volatile(".insn i 0x13, 1, %0, %0, 0x100" : "+r"(r)); /* sha256sum0 */
	return !sigill && r == 0x40080400;
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

static uint64_t rdtime(void)
{
	uint64_t v;

	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

static void bench(int path, uint64_t mib, uint64_t freq)
{
	uint64_t t0, t1, ns;
	struct kx_sha256 s;
	uint8_t d[32];

	set_path(path);
	t0 = rdtime();
	kx_sha256_init(&s);
	for (uint64_t i = 0; i < mib; i++)
		kx_sha256_lanes_update(&s, data, 1 << 20);
	kx_sha256_final(&s, d);
	t1 = rdtime();
	set_path(PORTABLE);
	ns = (t1 - t0) / freq * 1000000000ULL + (t1 - t0) % freq * 1000000000ULL / freq;
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
	int npaths = cpu_has_zknh() ? NPATHS : ZKNH;
	uint64_t mib = 0, freq = 1000000000;
	uintptr_t page = (uintptr_t)&kx_zknh & ~(uintptr_t)4095;

	/*
	 * The switch is in the purgatory's one section, code and data
	 * (purgatory.lds), which the link made read-only and executable:
	 * writable too, for set_path().
	 */
	if (sys6(SYS_mprotect, (long)page, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0))
		return 4;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + (i >> 8));
	puts_(npaths == NPATHS ? "paths portable zknh\n" : "paths portable\n");
	if (argc == 2 && streq(argv[1], "vectors")) {
		for (int path = 0; path < npaths; path++)
			vectors(path);
		return 0;
	}
	if ((argc == 3 || argc == 4) && streq(argv[1], "bench") && !parse_u64(argv[2], &mib) && mib &&
	    (argc == 3 || (!parse_u64(argv[3], &freq) && freq && freq <= 1000000000))) {
		for (int path = 0; path < npaths; path++)
			bench(path, mib, freq);
		return 0;
	}
	puts_("usage: sha256-paths vectors | bench MIB [TIMEBASE-HZ]\n");
	return 2;
}
