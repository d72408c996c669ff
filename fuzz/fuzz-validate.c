/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The validator against the simulated kernel. The input describes a machine
 * (page size, RAM, crash region, CONFIG_KEXEC_JUMP) and a kexec_load request
 * (entry, flags, up to 20 segments). Properties:
 *   - what kx_validate() accepts, the simulated kernel accepts (kexec_load
 *     returns 0), and what it rejects, the simulated kernel rejects with the
 *     same errno;
 *   - an independent statement of the kernel's rules (below, written apart
 *     from lib/validate.c) agrees on accept or reject;
 *   - an accepted image reads back from simulated memory.
 */
#include "fuzz-common.h"

#define MAX_SEGS 20
#define BUF_SIZE (1u << 20)

static uint8_t buf[BUF_SIZE];

/* A 64-bit value, often page-aligned and often small, as real requests are. */
static uint64_t address(struct fuzz_in *in, uint64_t page)
{
	uint8_t how = fuzz_u8(in);
	uint64_t v;

	switch (how & 3) {
	case 0: v = fuzz_u64(in); break;
	case 1: v = (uint64_t)fuzz_u16(in) * page; break;
	case 2: v = (uint64_t)fuzz_u32(in) * page; break;
	default: v = fuzz_u32(in); break;
	}
	if (how & 4)
		v = -v; /* near the top of the address space */
	return v;
}

/* kernel/kexec_core.c, as the rules read, not as lib/validate.c codes them. */
static bool rules_allow(const struct kexec_limits *lim, unsigned long entry, unsigned long nr,
			const struct kexec_segment *seg, unsigned long flags)
{
	unsigned long legal = KEXEC_ON_CRASH | KEXEC_UPDATE_ELFCOREHDR |
			      KEXEC_CRASH_HOTPLUG_SUPPORT | KEXEC_ARCH_MASK |
			      (lim->kexec_jump ? KEXEC_PRESERVE_CONTEXT : 0);
	unsigned long arch = flags & KEXEC_ARCH_MASK;
	bool crash = flags & KEXEC_ON_CRASH;
	uint64_t total = 0;

	if ((flags & ~legal) || nr > KEXEC_SEGMENT_MAX)
		return false;
	if (arch != KEXEC_ARCH_DEFAULT && arch != lim->native_arch)
		return false;
	if (nr == 0)
		return true; /* an unload */
	if (crash && (!lim->has_crash_region || entry < lim->crash_start || entry > lim->crash_end))
		return false;
	for (unsigned long i = 0; i < nr; i++) {
		uint64_t s = (uintptr_t)seg[i].mem, len = seg[i].memsz;

		if (s + len < s || s % lim->page_size || (s + len) % lim->page_size ||
		    s + len >= lim->dest_limit || seg[i].bufsz > len)
			return false;
		for (unsigned long j = 0; j < nr; j++) {
			uint64_t t = (uintptr_t)seg[j].mem;

			if (j != i && s < t + seg[j].memsz && t < s + len)
				return false;
		}
		if (lim->totalram_pages) {
			uint64_t pages = (len + lim->page_size - 1) / lim->page_size;

			total += pages;
			if (pages > lim->totalram_pages / 2 || total > lim->totalram_pages / 2)
				return false;
		}
		if (crash && (s < lim->crash_start || s + len - 1 > lim->crash_end))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t pages[] = { 4096, 4096, 16384, 65536 };
	static const unsigned long arches[] = { KEXEC_ARCH_DEFAULT, 0, KEXEC_ARCH_386,
						KEXEC_ARCH_AARCH64 };
	struct fuzz_in in = { data, size };
	struct kexec_segment seg[MAX_SEGS];
	struct kexec_limits lim;
	struct kexec_sim *sim;
	struct kexec_ctx *ctx;
	unsigned long entry, flags, nr;
	uint8_t f;
	const char *why;
	int v, s, bad;

	if (!buf[1])
		for (size_t i = 0; i < BUF_SIZE; i++)
			buf[i] = (uint8_t)(i * 31 + 7);

	kx_limits_native(&lim);
	f = fuzz_u8(&in);
	lim.page_size = pages[f & 3];
	lim.kexec_jump = f & 4;
	if (f & 8)
		lim.totalram_pages = fuzz_u32(&in);
	if (f & 16) {
		lim.has_crash_region = true;
		lim.crash_start = address(&in, lim.page_size);
		lim.crash_end = lim.crash_start + address(&in, lim.page_size);
		if (lim.crash_end < lim.crash_start)
			lim.crash_end = UINT64_MAX;
	}
	if (f & 32)
		lim.dest_limit = address(&in, lim.page_size);

	entry = address(&in, lim.page_size);
	f = fuzz_u8(&in);
	flags = (f & 1 ? KEXEC_ON_CRASH : 0) | (f & 2 ? KEXEC_PRESERVE_CONTEXT : 0) |
		(f & 4 ? KEXEC_UPDATE_ELFCOREHDR : 0) | (f & 8 ? KEXEC_CRASH_HOTPLUG_SUPPORT : 0);
	flags |= (f >> 4) & 3 ? arches[(f >> 4) & 3] : kexec_native_arch();
	if (f & 0x40)
		flags |= 1UL << (fuzz_u8(&in) % (8 * sizeof(long)));
	nr = fuzz_u8(&in) % (MAX_SEGS + 1);
	for (unsigned long i = 0; i < nr; i++) {
		uint64_t memsz;

		seg[i].mem = (const void *)(uintptr_t)address(&in, lim.page_size);
		memsz = address(&in, lim.page_size);
		seg[i].memsz = memsz;
		seg[i].bufsz = fuzz_u32(&in) % (BUF_SIZE + 1);
		if (seg[i].bufsz > memsz && fuzz_u8(&in) & 1)
			seg[i].bufsz = memsz < BUF_SIZE ? memsz : BUF_SIZE;
		seg[i].buf = buf + (BUF_SIZE - seg[i].bufsz);
	}

	why = NULL;
	bad = -2;
	v = kx_validate(&lim, entry, nr, seg, flags, &why, &bad);
	FUZZ_CHECK(v == 0 || v == -EINVAL || v == -EADDRNOTAVAIL);
	FUZZ_CHECK(v == 0 ? why == NULL && bad == -1 : why != NULL && bad >= -1 && bad < (int)nr);
	FUZZ_CHECK((v == 0) == rules_allow(&lim, entry, nr, seg, flags));

	sim = kexec_sim_new();
	FUZZ_CHECK(sim != NULL);
	kexec_sim_config(sim)->limits = lim;
	ctx = fuzz_ctx(NULL);
	kexec_ctx_use_sim(ctx, sim);
	s = kexec_do_load(ctx, entry, nr, seg, flags);
	if (s != v) {
		fprintf(stderr, "validator %d (%s, segment %d), simulated kernel %d\n", v,
			why ? why : "accepted", bad, s);
		abort();
	}
	if (v == 0 && nr > 0) {
		bool crash = flags & KEXEC_ON_CRASH;

		FUZZ_CHECK(kexec_sim_loaded(sim, crash));
		FUZZ_CHECK(kexec_sim_entry(sim, crash) == entry);
		for (unsigned long i = 0; i < nr; i++) {
			uint8_t b;

			if (!seg[i].memsz)
				continue;
			FUZZ_CHECK(kexec_sim_read(sim, crash, (uintptr_t)seg[i].mem, &b, 1) == 0);
			FUZZ_CHECK(b == (seg[i].bufsz ? ((const uint8_t *)seg[i].buf)[0] : 0));
		}
	}
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
	return 0;
}
