/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The MIPS kexec_load loader (lib/arch/mips) on a fixture machine shaped
 * like QEMU's loongson3-virt (RAM 0-240 MiB and 0x90000000 up): a
 * self-decompressing ELF64 vmlinuz linked at 0xffffffff81490000 goes where
 * it is linked; the initrd at 64 MiB or above, below 512 MiB, 16 KiB
 * aligned; the argument block "kexec <line> rd_start=<CKSEG0> rd_size=<n>"
 * in a 2048-byte buffer (what loongson_kexec_prepare copies); the purgatory
 * below 512 MiB, relocated at its CKSEG0 address, the plan's entry its
 * physical one, its parameters the kernel's CKSEG0 entry and the regions
 * through XKPHYS; KEXEC_ARCH_MIPS in the flags, which the simulated MIPS
 * kernel accepts and KEXEC_ARCH_MIPS_LE it refuses. Refused, naming the
 * file: a line of more than 64 words or 2047 bytes, crash loads, the x86
 * console options, a kernel linked over the kernel's control page.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <cmocka.h>

#define FIXTURE_TMP_NAME "libkexec-mips"
#include "fixture-util.h"
#include "libkexec-internal.h"
#include "purgatory.h"

static const char iomem[] =
	"00000000-0effffff : System RAM\n"
	"  01a70000-02583b5f : Kernel code\n"
	"1a000000-1bffffff : PCI ECAM\n"
	"1fe001e0-1fe001e7 : serial\n"
	"90000000-bfffffff : System RAM\n";

/* An ELF64 little-endian MIPS executable: one PT_LOAD at vaddr (= paddr) with filesz bytes. */
static size_t make_elf(uint8_t *e, size_t cap, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	size_t len = 0x1000 + filesz;

	assert_true(len <= cap);
	memset(e, 0, len);
	memcpy(e, "\177ELF", 4);
	e[4] = 2;
	e[5] = 1;
	e[6] = 1;
	kx_put_le16(e + 16, 2);     /* ET_EXEC */
	kx_put_le16(e + 18, 8);     /* EM_MIPS */
	kx_put_le32(e + 20, 1);
	kx_put_le64(e + 24, vaddr); /* e_entry */
	kx_put_le64(e + 32, 64);    /* e_phoff */
	kx_put_le16(e + 52, 64);
	kx_put_le16(e + 54, 56);
	kx_put_le16(e + 56, 1);
	kx_put_le32(e + 64, 1);     /* PT_LOAD */
	kx_put_le32(e + 68, 7);
	kx_put_le64(e + 72, 0x1000);
	kx_put_le64(e + 80, vaddr);
	kx_put_le64(e + 88, vaddr);
	kx_put_le64(e + 96, filesz);
	kx_put_le64(e + 104, memsz);
	for (size_t i = 0; i < filesz; i++)
		e[0x1000 + i] = (uint8_t)(i * 13 + 1);
	return len;
}

struct fx {
	struct tmp t;
	char kernel[PATH_MAX], initrd[PATH_MAX], low[PATH_MAX];
};

static int setup(void **state)
{
	static uint8_t e[0x10000];
	struct fx *f = calloc(1, sizeof(*f));
	void *t;

	if (!f || tmp_setup(&t) < 0)
		return -1;
	f->t = *(struct tmp *)t;
	free(t);
	write_text(f->t.dir, "proc/iomem", iomem);
	write_bytes(f->t.dir, "boot/vmlinuz", e,
		    make_elf(e, sizeof(e), 0xffffffff81490000ULL, 0x8000, 0xa0aed0));
	write_text(f->t.dir, "boot/initrd", "INITRD-CONTENT");
	/* Linked at 0xffffffff80104000: over KEXEC_CTRL_CODE's page (0x100000-0x10bfff). */
	write_bytes(f->t.dir, "boot/low", e, make_elf(e, sizeof(e), 0xffffffff80104000ULL, 0x100, 0x100));
	join(f->kernel, f->t.dir, "boot/vmlinuz");
	join(f->initrd, f->t.dir, "boot/initrd");
	join(f->low, f->t.dir, "boot/low");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = malloc(sizeof(*t));

	*t = ((struct fx *)*state)->t;
	free(*state);
	*state = t;
	return tmp_teardown(state);
}

static const struct kexec_segment *role(const struct kx_load_plan *p, const char *name)
{
	for (size_t i = 0; i < p->segs.nr; i++)
		if (!strcmp(kexec_segment_role_name(p->info[i].role), name))
			return &p->segs.seg[i];
	return NULL;
}

static uint64_t mem(const struct kexec_segment *s)
{
	return (uint64_t)(uintptr_t)s->mem;
}

static struct kexec_ctx *mips_ctx(struct fx *f)
{
	struct kexec_ctx *ctx = ctx_at(f->t.dir);

	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_MIPS), 0);
	return ctx;
}

static void plan(void **state)
{
	struct fx *f = *state;
	struct kexec_ctx *ctx = mips_ctx(f);
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = { .sz = sizeof(req), .kernel = f->kernel, .initrd = f->initrd,
					  .cmdline = "console=ttyS0 quiet" };
	const struct kexec_segment *k, *i, *c, *g;
	struct kx_load_plan p;
	uint64_t start;
	uint32_t hi, lo;
	struct kexec_limits lim;
	char want[128];

	assert_string_equal(kexec_arch_name(KEXEC_ARCH_MIPS), "mips");
	assert_null(kexec_arch_name(KEXEC_ARCH_MIPS_LE));
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	assert_string_equal(p.format, "elf-mips");
	assert_int_equal(p.flags, KEXEC_ARCH_MIPS);
	assert_int_equal(p.segs.nr, 4);
	k = role(&p, "kernel");
	i = role(&p, "initrd");
	c = role(&p, "cmdline");
	g = role(&p, "purgatory");
	assert_non_null(k);
	assert_non_null(i);
	assert_non_null(c);
	assert_non_null(g);
	/* Where it is linked. */
	assert_int_equal(mem(k), 0x1490000);
	assert_int_equal(k->memsz, (0xa0aed0 + 0x3fff) & ~0x3fffULL);
	/* The purgatory: below 512 MiB, entered at its physical address (purgatory_start is first). */
	assert_true(mem(g) >= 0x4000000 && mem(g) + g->memsz <= 0x20000000);
	assert_int_equal(p.entry, mem(g));
	{
		struct kx_purgatory pg;
		struct kx_purgatory_params pp;
		uint64_t off;

		assert_int_equal(kx_purgatory_init(ctx, &pg, kx_purgatory_mips64_blob,
						   kx_purgatory_mips64_blob_size), 0);
		assert_int_equal(kx_purgatory_symbol_addr(&pg, KX_PURGATORY_PARAMS_NAME, &off), 0);
		assert_int_equal(kx_purgatory_symbol_addr(&pg, KX_PURGATORY_ENTRY_NAME, &start), 0);
		kx_purgatory_free(&pg);
		assert_int_equal(start, 0);
		memcpy(&pp, (const uint8_t *)g->buf + off, sizeof(pp));
		assert_int_equal(pp.entry, 0xffffffff81490000ULL);
		assert_int_equal(pp.regions[0].start, 0x9800000000000000ULL | mem(k));
		assert_int_equal(pp.regions[0].len, k->bufsz);
		/* lui/addiu of purgatory_start's jump: its CKSEG0 address's halves. */
		hi = kx_le32((const uint8_t *)g->buf) & 0xffff;
		lo = kx_le32((const uint8_t *)g->buf + 4) & 0xffff;
		assert_int_equal((uint32_t)((hi << 16) + (uint32_t)(int16_t)lo) & 0xfff00000u,
				 (uint32_t)(0x80000000u + mem(g)) & 0xfff00000u);
	}
	/* The initrd: 16 KiB aligned, at 64 MiB or above, below 240 MiB (CKSEG0 reaches it). */
	assert_int_equal(mem(i) % 0x4000, 0);
	assert_true(mem(i) >= 0x4000000 && mem(i) + i->memsz <= 0xf000000);
	/* The argument block: 2048 bytes, NUL-padded. */
	assert_int_equal(c->bufsz, 2048);
	assert_int_equal(c->memsz, 0x4000);
	snprintf(want, sizeof(want), "kexec console=ttyS0 quiet rd_start=%#llx rd_size=14",
		 (unsigned long long)(0xffffffff80000000ULL + mem(i)));
	assert_string_equal((const char *)c->buf, want);
	assert_int_equal(((const char *)c->buf)[2047], 0);

	/* The simulated MIPS kernel takes it; KEXEC_ARCH_MIPS_LE it refuses (EINVAL). */
	kexec_sim_config(sim)->limits.native_arch = KEXEC_ARCH_MIPS;
	kexec_sim_config(sim)->limits.page_size = 0x4000;
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_load_plan_load(ctx, &p), 0);
	lim = kexec_sim_config(sim)->limits;
	assert_int_equal(kx_validate(&lim, p.entry, p.segs.nr, p.segs.seg, KEXEC_ARCH_MIPS_LE,
					NULL, NULL), -EINVAL);
	kx_load_plan_free(&p);

	/* No initrd: no rd_start=. */
	req.initrd = NULL;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	assert_string_equal((const char *)role(&p, "cmdline")->buf, "kexec console=ttyS0 quiet");
	kx_load_plan_free(&p);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

static void refusals(void **state)
{
	struct fx *f = *state;
	struct kexec_ctx *ctx = mips_ctx(f);
	struct kx_load_request req = { .sz = sizeof(req), .kernel = f->kernel };
	struct kx_load_plan p;
	char line[2100], *s = line;

	/* 64 words with "kexec": one more would be dropped by the kernel. */
	for (int n = 0; n < 64; n++)
		s += sprintf(s, "%sa%d", n ? " " : "", n);
	req.cmdline = line;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -E2BIG);
	assert_logged("has 64 words");
	assert_logged(f->kernel);
	line[strlen(line) - 4] = '\0'; /* 63 words */
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	kx_load_plan_free(&p);
	/* 2048 bytes with "kexec ": past what the kernel copies. */
	memset(line, 'x', 2042);
	line[2042] = '\0';
	log_reset();
	assert_true(kx_load_plan_prepare(ctx, &req, &p) == -E2BIG);
	assert_logged(f->kernel);
	req.cmdline = "console=ttyS0";
	/* --check=sha256 is honoured; the x86 console options are refused. */
	req.check = LIBKEXEC_CHECK_SHA256;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	kx_load_plan_free(&p);
	req.check = LIBKEXEC_CHECK_XXH3;
	req.console_base = 0x2f8;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -EOPNOTSUPP);
	assert_logged("x86 options");
	req.console_base = 0;
	/* Linked over the old kernel's control page. */
	req.kernel = f->low;
	log_reset();
	assert_true(kx_load_plan_prepare(ctx, &req, &p) < 0);
	assert_logged(f->low);
	kexec_ctx_free(ctx);

	/* Crash loads: refused in one line, with a reservation or without. */
	write_text(f->t.dir, "proc/iomem", "00000000-0effffff : System RAM\n"
					   "  04000000-07ffffff : Crash kernel\n"
					   "90000000-bfffffff : System RAM\n");
	ctx = mips_ctx(f);
	req.kernel = f->kernel;
	req.crash = true;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -EOPNOTSUPP);
	assert_logged("mips crash kernels are not built here");
	write_text(f->t.dir, "proc/iomem", iomem);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan),
		cmocka_unit_test(refusals),
	};

	(void)ctx_fixture;
	return cmocka_run_group_tests_name("mips-load", tests, setup, teardown);
}
