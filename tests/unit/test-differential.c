/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner against the simulated kernel: kx_validate() (lib/validate.c,
 * what the planner predicts before it calls kexec_load) and the simulator's
 * own checks (lib/sim-checks.c, written from the kernel's sources) over the
 * same requests, which must get the same errno. Requests are generated
 * (a fixed seed: every run sees the same ones) around the values where the
 * rules change: page boundaries, the reservation's edges, the destination
 * limit, wrap-around, half of RAM, overlaps, bufsz against memsz, each flag,
 * each architecture field. A disagreement prints the request and fails; it
 * is fixed on the side that is wrong, never by teaching one the other's
 * answer.
 *
 * kexec_file_load: every file of the fuzz corpora, as the kernel of each
 * architecture with that syscall. What the planner accepts, the simulated
 * kernel's own loaders (their probes and checks, from the kernel's sources)
 * must take; the planner may refuse more (its checks are stricter: a file
 * that is no kernel of ours is refused before the kernel is asked), which is
 * counted, not failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "libkexec.h"
#include "libkexec-internal.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define PAGE 4096ULL
#define CASES 200000

static uint8_t buf[4 * PAGE];

/* xorshift64*: the same sequence on every host. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

struct world {
	const char *name;
	struct kexec_limits lim;
	unsigned major, minor;
};

/* An address near where a rule changes. */
static uint64_t some_addr(const struct kexec_limits *l)
{
	const uint64_t c0 = l->crash_start, c1 = l->crash_end + 1;
	const uint64_t near[] = { 0, PAGE, 0x100000, 0x1000000, c0, c0 + PAGE, c1 - PAGE, c1,
				  c0 - PAGE, l->dest_limit - PAGE, l->dest_limit,
				  l->dest_limit & ~(PAGE - 1), UINT64_MAX & ~(PAGE - 1),
				  UINT64_MAX - PAGE + 1 };
	uint64_t a = pick(near, sizeof(near) / sizeof(near[0]));

	switch (rnd() % 4) {
	case 0:
		return a + (rnd() % 4) * PAGE;
	case 1:
		return a - (rnd() % 4) * PAGE;
	case 2:
		return a + rnd() % PAGE; /* unaligned, mostly */
	default:
		return a;
	}
}

static uint64_t some_size(const struct kexec_limits *l)
{
	const uint64_t half = l->totalram_pages / 2 * PAGE;
	const uint64_t sizes[] = { 0, PAGE, 2 * PAGE, 16 * PAGE, 0x100000, half, half + PAGE,
				   half - PAGE, l->crash_end - l->crash_start + 1,
				   UINT64_MAX & ~(PAGE - 1) };
	uint64_t s = pick(sizes, sizeof(sizes) / sizeof(sizes[0]));

	if (rnd() % 5 == 0)
		s += rnd() % PAGE;
	return s;
}

static unsigned long some_flags(const struct kexec_limits *l)
{
	const unsigned long bits[] = { KEXEC_ON_CRASH, KEXEC_PRESERVE_CONTEXT,
				       KEXEC_UPDATE_ELFCOREHDR, KEXEC_CRASH_HOTPLUG_SUPPORT,
				       KEXEC_DEBUG, 0x10 };
	const unsigned long arches[] = { KEXEC_ARCH_DEFAULT, l->native_arch, KEXEC_ARCH_386,
					 KEXEC_ARCH_AARCH64, KEXEC_ARCH_RISCV };
	unsigned long f = 0;

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (rnd() % 8 == 0)
			f |= bits[i];
	if (rnd() % 3 == 0)
		f |= KEXEC_ON_CRASH;
	return f | arches[rnd() % (sizeof(arches) / sizeof(arches[0]))];
}

static unsigned long some_entry(const struct kexec_limits *l, const struct kexec_segment *s,
				unsigned long nr)
{
	if (nr && rnd() % 2)
		return (uintptr_t)s[rnd() % nr].mem;
	return some_addr(l);
}

/* One request, through both; 0 when they agree. */
static int one(const struct world *w, struct kexec_ctx *ctx, struct kexec_sim *sim,
	       unsigned long entry, unsigned long nr, const struct kexec_segment *s,
	       unsigned long flags)
{
	const char *reason = NULL;
	int planned, simulated;

	planned = kx_validate(&w->lim, entry, nr, s, flags, &reason, NULL);
	simulated = kexec_do_load(ctx, entry, nr, s, flags);
	kexec_unload(ctx, false, LIBKEXEC_SYSCALL_LOAD);
	kexec_unload(ctx, true, LIBKEXEC_SYSCALL_LOAD);
	(void)sim;
	if (planned == simulated)
		return 0;
	fprintf(stderr, "%s: kexec_validate says %d (%s), the simulated kernel %d: entry %#lx, flags %#lx, %lu segments\n",
		w->name, planned, reason ? reason : "accepted", simulated, entry, flags, nr);
	for (unsigned long i = 0; i < nr; i++)
		fprintf(stderr, "  [%lu] mem %#" PRIxPTR " memsz %#zx bufsz %#zx\n", i,
			(uintptr_t)s[i].mem, s[i].memsz, s[i].bufsz);
	return 1;
}

static void run_world(const struct world *w)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_sim *sim = kexec_sim_new();
	struct kexec_sim_config *cfg;
	struct kexec_segment s[20];
	unsigned disagree = 0, accepted = 0;

	assert_non_null(ctx);
	assert_non_null(sim);
	cfg = kexec_sim_config(sim);
	cfg->limits = w->lim;
	cfg->kernel_major = w->major;
	cfg->kernel_minor = w->minor;
	kexec_ctx_use_sim(ctx, sim);
	for (unsigned c = 0; c < CASES; c++) {
		unsigned long nr = rnd() % 4 ? rnd() % 4 : rnd() % 19, flags, entry;

		for (unsigned long i = 0; i < nr; i++) {
			uint64_t memsz = some_size(&w->lim);
			size_t bufsz = rnd() % 6 == 0 ? sizeof(buf) : (size_t)(rnd() % (PAGE + 1));

			if (memsz > SIZE_MAX)
				memsz = SIZE_MAX;
			s[i] = (struct kexec_segment){ buf, bufsz,
						       (const void *)(uintptr_t)some_addr(&w->lim),
						       (size_t)memsz };
		}
		flags = some_flags(&w->lim);
		entry = some_entry(&w->lim, s, nr);
		/* The planner does not model KEXEC_DEBUG: it is the command's, where known. */
		if (flags & KEXEC_DEBUG)
			flags &= ~(unsigned long)KEXEC_DEBUG;
		if (one(w, ctx, sim, entry, nr, s, flags) && ++disagree >= 5)
			break;
		if (kx_validate(&w->lim, entry, nr, s, flags, NULL, NULL) == 0)
			accepted++;
	}
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
	/* A generator that never reaches acceptance would test only refusals. */
	print_message("%s: %u requests, %u accepted by both\n", w->name, CASES, accepted);
	assert_true(accepted > 100);
	assert_int_equal(disagree, 0);
}

static struct kexec_limits x86(bool crash)
{
	struct kexec_limits l = { 0 };

	l.native_arch = KEXEC_ARCH_X86_64;
	l.page_size = PAGE;
	l.dest_limit = (1ULL << 46) - 1;
	l.totalram_pages = (1024ULL << 20) / PAGE;
	l.has_crash_region = crash;
	l.crash_start = crash ? 0x30000000 : 0;
	l.crash_end = crash ? 0x3fffffff : 0;
	return l;
}

static void x86_64_with_reservation(void **state)
{
	struct world w = { "x86_64, crashkernel=256M", x86(true), 0, 0 };

	(void)state;
	run_world(&w);
}

static void x86_64_without_reservation(void **state)
{
	struct world w = { "x86_64, no reservation", x86(false), 0, 0 };

	(void)state;
	run_world(&w);
}

static void x86_64_kexec_jump(void **state)
{
	struct world w = { "x86_64, CONFIG_KEXEC_JUMP", x86(true), 0, 0 };

	(void)state;
	w.lim.kexec_jump = true;
	run_world(&w);
}

static void arm64_small_ram(void **state)
{
	struct world w = { "arm64, 64 MiB of RAM", x86(true), 0, 0 };

	(void)state;
	w.lim.native_arch = KEXEC_ARCH_AARCH64;
	w.lim.dest_limit = UINT64_MAX;
	w.lim.totalram_pages = (64ULL << 20) / PAGE;
	w.lim.crash_start = 0x48000000;
	w.lim.crash_end = 0x4fffffff;
	run_world(&w);
}

/* One file as the kernel of arch: 1 when the planner accepts what the simulated kernel refuses. */
static int one_file(unsigned long arch, const char *path, unsigned *planned_ok, unsigned *stricter)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_sim *sim = kexec_sim_new();
	struct kexec_sim_config *cfg = kexec_sim_config(sim);
	struct kx_file_plan plan;
	const char *cmdline = "console=ttyS0 root=/dev/vda";
	int r, k, bad = 0;

	assert_int_equal(kexec_ctx_set_arch(ctx, arch), 0);
	cfg->limits.native_arch = arch;
	cfg->have_kexec_file_load = true;
	kexec_ctx_use_sim(ctx, sim);
	KX_REQUEST(kx_file_request, req, .kernel = path, .cmdline = cmdline);
	r = kx_file_plan_prepare(ctx, &req, &plan);
	if (r == 0) {
		(*planned_ok)++;
		k = kx_file_plan_load(ctx, &plan);
		if (k != 0) {
			fprintf(stderr, "arch %#lx: the planner accepts %s, the simulated kernel says %d\n",
				arch >> 16, path, k);
			bad = 1;
		}
		kx_file_plan_free(&plan);
	} else {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		/* The kernel asked directly, with the file as it is. */
		if (fd >= 0) {
			k = kexec_do_file_load(ctx, fd, -1, strlen(cmdline) + 1, cmdline,
					       KEXEC_FILE_NO_INITRAMFS);
			if (k == 0) {
				(*stricter)++;
				if (getenv("KX_DIFF_VERBOSE"))
					fprintf(stderr, "arch %#lx: the planner refuses %s (%d), the kernel's loaders take it\n",
						arch >> 16, path, r);
			}
			close(fd);
		}
	}
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
	return bad;
}

/* Every file of dir, as the kernel of each architecture; the counts per architecture. */
struct file_counts {
	unsigned files, planned_ok[5], stricter[5], bad;
};

static const unsigned long file_arches[] = { KEXEC_ARCH_X86_64, KEXEC_ARCH_AARCH64,
					     KEXEC_ARCH_RISCV, KEXEC_ARCH_PPC64, KEXEC_ARCH_S390 };

static void files_of(const char *dir, struct file_counts *c)
{
	char path[4900];
	struct dirent *f;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((f = readdir(d))) {
		if (f->d_name[0] == '.' || strstr(f->d_name, ".py"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
		c->files++;
		for (size_t a = 0; a < ARRAY_SIZE(file_arches); a++)
			c->bad += one_file(file_arches[a], path, &c->planned_ok[a], &c->stricter[a]);
	}
	closedir(d);
}

/*
 * The fuzz corpora (hostile and real-shaped files of every target) and
 * tests/fixtures/kernels (a kernel each for riscv64, ppc64 and s390, which the
 * corpora lack).
 */
static void file_loads_over_the_corpora(void **state)
{
	const char *names[] = { "x86_64", "arm64", "riscv64", "ppc64", "s390" };
	char root[4096], dir[4600];
	struct file_counts c = { 0 };
	DIR *top;
	struct dirent *e;

	(void)state;
	snprintf(root, sizeof(root), "%s/../../fuzz/corpus", FIXTURES_DIR);
	top = opendir(root);
	assert_non_null(top);
	while ((e = readdir(top))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
		files_of(dir, &c);
	}
	closedir(top);
	files_of(FIXTURES_DIR "/kernels", &c);
	for (size_t a = 0; a < ARRAY_SIZE(file_arches); a++) {
		print_message("%s: %u files; the planner accepted %u (the simulated kernel's loaders "
			      "took them), and refused %u that those loaders would take\n",
			      names[a], c.files, c.planned_ok[a], c.stricter[a]);
		/* Files without a single kernel of an architecture would test only refusals. */
		assert_true(c.planned_ok[a] > 0);
	}
	assert_true(c.planned_ok[0] > 3);
	assert_int_equal(c.bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(x86_64_with_reservation),
		cmocka_unit_test(x86_64_without_reservation),
		cmocka_unit_test(x86_64_kexec_jump),
		cmocka_unit_test(arm64_small_ram),
		cmocka_unit_test(file_loads_over_the_corpora),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
