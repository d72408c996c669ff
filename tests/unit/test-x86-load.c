/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86_64 kexec_load loader: setup header parsing, and whole plans built on
 * a fixture machine (tests/fixtures/x86-bios: 1 GiB of RAM), loaded into the
 * simulated kernel and read back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libkexec-internal.h"
#include "purgatory.h"
#include "sha256-x86.h"
#include "fake-bzimage.h"
#include "xxh3-ref.h"
#include "x86.h"

#define ROOT FIXTURES_DIR "/x86-bios"
#define MiB 0x100000ULL

static char kernel[64], initrd[64], junk[64], elf[64];
static char logbuf[1024];

static void capture(void *d, int prio, const char *msg)
{
	(void)d;
	if (prio <= LOG_ERR)
		snprintf(logbuf, sizeof(logbuf), "%s", msg);
}

static void write_tmp(char *path, const void *data, size_t len)
{
	strcpy(path, "/tmp/kxld-XXXXXX");
	assert_int_equal(fake_write(path, data, len), 0);
}

/* A minimal ELF64 x86_64 executable with two PT_LOADs at 16 MiB and 18 MiB. */
static size_t make_elf(uint8_t *e, uint64_t paddr2, uint64_t filesz2)
{
	size_t len = 0x3000;

	memset(e, 0, len);
	memcpy(e, "\177ELF", 4);
	e[4] = 2;                       /* ELFCLASS64 */
	e[5] = 1;                       /* little-endian */
	e[6] = 1;
	fake_put16(e, 16, 2);           /* ET_EXEC */
	fake_put16(e, 18, 62);          /* EM_X86_64 */
	fake_put32(e, 24, 0x1000000);   /* e_entry (physical) */
	fake_put32(e, 32, 64);          /* e_phoff */
	fake_put16(e, 54, 56);          /* e_phentsize */
	fake_put16(e, 56, 2);           /* e_phnum */
	for (int i = 0; i < 2; i++) {
		uint8_t *ph = e + 64 + i * 56;
		uint64_t paddr = i ? paddr2 : 0x1000000;

		fake_put32(ph, 0, 1);                         /* PT_LOAD */
		fake_put32(ph, 8, 0x1000 * (i + 1));          /* p_offset */
		fake_put32(ph, 16, 0x81000000 + i * 0x200000); /* p_vaddr (low 32 bits) */
		fake_put32(ph, 20, 0xffffffff);
		fake_put32(ph, 24, (uint32_t)paddr);          /* p_paddr */
		fake_put32(ph, 32, i ? (uint32_t)filesz2 : 0x1000); /* p_filesz */
		fake_put32(ph, 40, 0x3000);                   /* p_memsz */
	}
	memset(e + 0x1000, 0xc3, 0x1000);
	memset(e + 0x2000, 0x90, 0x1000);
	return len;
}

static int setup(void **state)
{
	static uint8_t img[FAKE_SIZE], e[0x3000];
	uint8_t rnd[3000];

	(void)state;
	fake_bzimage(img);
	write_tmp(kernel, img, sizeof(img));
	write_tmp(initrd, "INITRD-CONTENT", 14);
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)(i * 31 + 7);
	write_tmp(junk, rnd, sizeof(rnd));
	write_tmp(elf, e, make_elf(e, 0x1200000, 0x1000));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(kernel);
	unlink(initrd);
	unlink(junk);
	unlink(elf);
	return 0;
}

static struct kexec_ctx *new_ctx(void)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	kexec_ctx_set_root(ctx, ROOT);
	kexec_ctx_set_log(ctx, capture, NULL);
	logbuf[0] = '\0';
	return ctx;
}

/* ---- setup header parsing ---- */

/* kexec_file_load's view: the bzImage format's probe, then its file_check. */
static int file_probe(const uint8_t *b, size_t len, const char **why, struct kx_msg *msg)
{
	struct kexec_image_info ii;
	int r;

	memset(&ii, 0, sizeof(ii));
	r = kx_format_bzimage.probe(b, len, &ii, why, msg);
	if (r == 0)
		r = kx_format_bzimage.file_check(b, len, len, &ii, why);
	return r;
}

static void header_cases(void **state)
{
	static uint8_t b[FAKE_SIZE];
	struct kx_bzimage_info info;
	struct kexec_image_info ii;
	struct kx_msg msg;
	const char *why;

	(void)state;
	fake_bzimage(b);
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), 0);
	assert_int_equal(info.version, 0x020f);
	assert_int_equal(info.setup_sects, 4);
	assert_int_equal(info.setup_size, 5 * 512);
	assert_int_equal(info.cmdline_size, 2048);
	assert_int_equal(info.init_size, 0x2000000);
	assert_int_equal(info.pref_address, 0x1000000);
	assert_int_equal(info.kernel_alignment, 0x200000);
	assert_string_equal(info.kernel_version, "6.1.0-fake");
	assert_int_equal(file_probe(b, sizeof(b), &why, &msg), 0);
	/* The neutral view the plan and the table report. */
	memset(&ii, 0, sizeof(ii));
	assert_int_equal(kx_format_bzimage.probe(b, sizeof(b), &ii, &why, &msg), 0);
	assert_int_equal(ii.cmdline_max, 2047);
	assert_int_equal(ii.unpacked_size, 0x2000000);
	assert_int_equal(ii.protocol, 0x020f);
	assert_string_equal(ii.kernel_version, "6.1.0-fake");

	/* Truncated: shorter than the boot sector + header. */
	assert_int_equal(kx_bzimage_read(b, 1000, &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "too short"));
	/* setup_sects pointing past the end. */
	assert_int_equal(kx_bzimage_read(b, 2048, &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "setup_sects"));
	/* setup_sects 0 means 4. */
	b[0x1f1] = 0;
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), 0);
	assert_int_equal(info.setup_sects, 4);
	fake_bzimage(b);

	/* Wrong magic, no boot flag. */
	memcpy(b + 0x202, "HdrX", 4);
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "HdrS"));
	fake_bzimage(b);
	fake_put16(b, 0x1fe, 0x1234);
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "0xAA55"));
	fake_bzimage(b);

	/* Old protocol: both loaders refuse. */
	fake_put16(b, 0x206, 0x0209);
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "2.12"));
	assert_int_equal(info.init_size, 0); /* not there before 2.10 */
	assert_int_equal(file_probe(b, sizeof(b), &why, &msg), -ENOEXEC);
	fake_bzimage(b);

	/* 32-bit only: no 64-bit entry point. */
	fake_put16(b, 0x236, 0x7e);
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "64-bit"));
	assert_int_equal(file_probe(b, sizeof(b), &why, &msg), -ENOEXEC);
	fake_bzimage(b);

	/* Not loadable above 4 GiB: kexec_file_load refuses, kexec_load does not. */
	fake_put16(b, 0x236, 0x7d);
	assert_int_equal(file_probe(b, sizeof(b), &why, &msg), -ENOEXEC);
	assert_non_null(strstr(why, "ABOVE_4G"));
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), 0);
	fake_bzimage(b);

	/* A zImage (LOADED_HIGH clear). */
	b[0x211] = 0;
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "zImage"));
}

/* ---- whole plans ---- */

static const struct kexec_segment *find(const struct kx_load_plan *p, const char *role)
{
	for (size_t i = 0; i < p->segs.nr; i++)
		if (!strcmp(kexec_segment_role_name(p->info[i].role), role))
			return &p->segs.seg[i];
	return NULL;
}

static uint64_t mem(const struct kexec_segment *s)
{
	return (uintptr_t)s->mem;
}

static void bzimage_plan(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = {
		.sz = sizeof(struct kx_load_request), .kernel = kernel, .initrd = initrd, .cmdline = "root=/dev/vda console=ttyS0",
		.segment_digests = true,
	};
	const struct kexec_segment *k, *i, *bp, *pg;
	struct kx_load_plan plan;
	uint8_t page[4096], buf[64];
	uint32_t cmd;

	(void)state;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_string_equal(plan.format, "bzImage");
	assert_int_equal(plan.segs.nr, 4);
	k = find(&plan, "kernel");
	i = find(&plan, "initrd");
	bp = find(&plan, "boot_params");
	pg = find(&plan, "purgatory");
	assert_non_null(k);
	assert_non_null(i);
	assert_non_null(bp);
	assert_non_null(pg);

	/* The kernel: at pref_address (16 MiB, 2 MiB aligned), with room for init_size. */
	assert_int_equal(mem(k), 0x1000000);
	assert_int_equal(k->bufsz, FAKE_SIZE - 5 * 512);
	assert_true(k->memsz >= 0x2000000);
	/* The initrd: page-aligned, in the fixture's RAM (1 MiB - 0x3ffdffff), high. */
	assert_int_equal(mem(i) % 4096, 0);
	assert_int_equal(i->bufsz, 14);
	assert_true(mem(i) + i->memsz - 1 <= 0x3ffdffff);
	assert_true(mem(i) > 0x30000000);
	/* Below 4 GiB, above 1 MiB. */
	assert_true(mem(bp) >= MiB && mem(bp) + bp->memsz <= 0x100000000ULL);
	assert_true(mem(pg) >= MiB && mem(pg) + pg->memsz <= 0x100000000ULL);
	/* The entry is the purgatory's. */
	assert_true(plan.entry >= mem(pg) && plan.entry < mem(pg) + pg->memsz);
	assert_int_equal(plan.flags, KEXEC_ARCH_X86_64);

	/* Load it into the simulated kernel and read the zero page back. */
	kexec_ctx_use_sim(ctx, sim);
	kexec_sim_config(sim)->limits.totalram_pages = 0x40000000 / 4096;
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_entry(sim, false), plan.entry);
	assert_int_equal(kexec_sim_read(sim, false, mem(bp), page, sizeof(page)), 0);
	assert_memory_equal(page + 0x202, "HdrS", 4);
	assert_int_equal(kx_le32(page + 0x214), 0x1000000);       /* code32_start */
	assert_int_equal(kx_le32(page + 0x218), (uint32_t)mem(i)); /* ramdisk_image */
	assert_int_equal(kx_le32(page + 0x21c), 14);               /* ramdisk_size */
	cmd = kx_le32(page + 0x228);
	assert_int_equal(cmd, mem(bp) + 4096);
	assert_int_equal(kexec_sim_read(sim, false, cmd, buf, 28), 0);
	assert_memory_equal(buf, "root=/dev/vda console=ttyS0", 28);
	assert_true(page[0x1e8] >= 1); /* e820 entries */
	assert_int_equal(kexec_sim_read(sim, false, mem(i), buf, 14), 0);
	assert_memory_equal(buf, "INITRD-CONTENT", 14);

	/* Every segment's recorded SHA-256 is of the bytes loaded. */
	for (size_t n = 0; n < plan.segs.nr; n++) {
		struct kx_sha256 sha;
		uint8_t d[32];

		kx_sha256_init(&sha);
		kx_sha256_update(&sha, plan.segs.seg[n].buf, plan.segs.seg[n].bufsz);
		kx_sha256_final(&sha, d);
		assert_memory_equal(d, plan.info[n].sha256, 32);
	}
	kx_load_plan_free(&plan);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/* The value of the purgatory variable name in the plan's purgatory segment. */
static void purgatory_var(struct kexec_ctx *ctx, const struct kx_load_plan *plan,
			  const char *name, void *out, size_t len)
{
	const struct kexec_segment *pg = find(plan, "purgatory");
	struct kx_purgatory p;
	uint64_t off;

	assert_non_null(pg);
	assert_int_equal(kx_purgatory_init(ctx, &p, kx_purgatory_x86_64_blob,
					   kx_purgatory_x86_64_blob_size), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&p, name, &off), 0); /* base 0: the offset */
	kx_purgatory_free(&p);
	assert_true(off + len <= pg->bufsz);
	memcpy(out, (const uint8_t *)pg->buf + off, len);
}

/*
 * What the loader tells the purgatory: every other segment as a region, the
 * eight-lane digest of their bytes, and whether it may use AVX2 (only where
 * this kernel does: the library's own check, so also never when tests turn
 * the AVX2 path off).
 */
static void purgatory_contract(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = kernel, .initrd = initrd, .cmdline = "quiet" };
	struct kx_purgatory_params pp;
	struct kx_sha_region *regions = pp.regions;
	struct kx_load_plan plan;
	uint8_t *digest = pp.digest, want[32];
	struct kx_sha256 s;
	struct xxh3_ref x;
	uint32_t avx2;
	size_t n = 0;

	(void)state;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	purgatory_var(ctx, &plan, KX_PURGATORY_PARAMS_NAME, &pp, sizeof(pp));
	avx2 = (pp.flags & KX_PF_AVX2) != 0;
	assert_int_equal(avx2, (uint32_t)kx_sha256_x8_usable());
	assert_int_equal(pp.console_kind, KX_CONSOLE_X86_PIO);
	assert_int_equal(pp.console_base, 0x3f8);
	/* The default check: the XXH3 chain (as libxxhash computes it), no SHA-256 flag. */
	assert_int_equal(pp.flags & KX_PF_SHA256, 0);
	xxh3_ref_init(&x);
	for (size_t i = 0; i < plan.segs.nr; i++) {
		if (!strcmp(kexec_segment_role_name(plan.info[i].role), "purgatory"))
			continue;
		assert_int_equal(regions[n].start, (uintptr_t)plan.segs.seg[i].mem);
		assert_int_equal(regions[n].len, plan.segs.seg[i].bufsz);
		xxh3_ref_update(&x, plan.segs.seg[i].buf, plan.segs.seg[i].bufsz);
		n++;
	}
	xxh3_ref_final(&x, want);
	assert_int_equal(n, 3); /* kernel, initrd, boot_params */
	assert_int_equal(regions[n].len, 0);
	assert_memory_equal(digest, want, 32);
	kx_load_plan_free(&plan);

	/* --check=sha256: the eight-lane SHA-256, and the flag that says so. */
	req.check = LIBKEXEC_CHECK_SHA256;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	purgatory_var(ctx, &plan, KX_PURGATORY_PARAMS_NAME, &pp, sizeof(pp));
	assert_int_equal(pp.flags & KX_PF_SHA256, KX_PF_SHA256);
	kx_sha256_init(&s);
	for (size_t i = 0, k = 0; i < plan.segs.nr; i++) {
		if (!strcmp(kexec_segment_role_name(plan.info[i].role), "purgatory"))
			continue;
		assert_int_equal(regions[k++].len, plan.segs.seg[i].bufsz);
		kx_sha256_lanes_update(&s, plan.segs.seg[i].buf, plan.segs.seg[i].bufsz);
	}
	kx_sha256_final(&s, want);
	assert_memory_equal(digest, want, 32);
	kx_load_plan_free(&plan);
	req.check = LIBKEXEC_CHECK_SHA256 + 1; /* unknown: refused */
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EINVAL);
	req.check = LIBKEXEC_CHECK_XXH3;

	kx_sha256_x8_disabled = true;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	purgatory_var(ctx, &plan, KX_PURGATORY_PARAMS_NAME, &pp, sizeof(pp));
	assert_int_equal(pp.flags & KX_PF_AVX2, 0);
	assert_int_equal(pp.flags & (KX_PF_VGA | KX_PF_PROGRESS), 0);
	assert_int_equal(pp.arch[0], 0);
	kx_load_plan_free(&plan);
	kx_sha256_x8_disabled = false;

	/* --console-vga, --console-serial --serial=ttyS1 --serial-baud=57600. */
	req.console_vga = true;
	req.console_progress = true;
	req.console_base = 0x2f8;
	req.console_baud = 57600;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	purgatory_var(ctx, &plan, KX_PURGATORY_PARAMS_NAME, &pp, sizeof(pp));
	assert_int_equal(pp.flags & (KX_PF_VGA | KX_PF_PROGRESS), KX_PF_VGA | KX_PF_PROGRESS);
	assert_int_equal(pp.console_kind, KX_CONSOLE_X86_PIO);
	assert_int_equal(pp.console_base, 0x2f8);
	assert_int_equal(pp.arch[0], 57600);
	kx_load_plan_free(&plan);
	req.console_baud = 50000; /* 115200 / 50000 is no divisor */
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EINVAL);
	kexec_ctx_free(ctx);
}

static void no_initrd_and_limits(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = kernel };
	struct kx_load_plan plan;

	(void)state;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.segs.nr, 3);
	assert_null(find(&plan, "initrd"));
	kx_load_plan_free(&plan);

	/* --mem-min/--mem-max bound every placement. */
	req.mem_min = 0x8000000;
	req.mem_max = 0xfffffff;
	req.initrd = initrd;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	for (size_t n = 0; n < plan.segs.nr; n++) {
		assert_true(mem(&plan.segs.seg[n]) >= 0x8000000);
		assert_true(mem(&plan.segs.seg[n]) + plan.segs.seg[n].memsz - 1 <= 0xfffffff);
	}
	kx_load_plan_free(&plan);

	/* No room: the error names what, how much, and where it looked. */
	req.mem_max = 0x9000000;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EADDRNOTAVAIL);
	assert_non_null(strstr(logbuf, "no room for the kernel"));
	assert_non_null(strstr(logbuf, "0x8000000"));
	kexec_ctx_free(ctx);
}

static char dbgbuf[4096];

static void capture_all(void *d, int prio, const char *msg)
{
	size_t n = strlen(dbgbuf);

	(void)d;
	(void)prio;
	snprintf(dbgbuf + n, sizeof(dbgbuf) - n, "%s\n", msg);
}

/*
 * kexec-tools' newer options on kexec_load (LIBKEXEC_OPT_*): -d reaches the
 * kernel as KEXEC_DEBUG after 7.3 and is left out before (a kernel that
 * refuses it anyway gets the load again without it); --no-cma needs nothing
 * (kexec_load places nothing in CMA); --force-dtb is refused on x86_64,
 * whose kexec_load hands the next kernel no device tree.
 */
static void load_options(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = kernel,
					  .options = LIBKEXEC_OPT_DEBUG };
	struct kx_load_plan plan;

	(void)state;
	kexec_ctx_set_log(ctx, capture_all, NULL);
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	kexec_sim_config(sim)->limits.totalram_pages = 0x40000000 / 4096;
	kexec_ctx_use_sim(ctx, sim);

	kexec_sim_config(sim)->kernel_major = 7;
	kexec_sim_config(sim)->kernel_minor = 3;
	dbgbuf[0] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_ARCH_X86_64);
	assert_non_null(strstr(dbgbuf, "KEXEC_DEBUG left out: the running kernel (7.3) would refuse"));
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_calls(sim), 1);
	kx_load_plan_free(&plan);

	kexec_sim_config(sim)->kernel_major = 7;
	kexec_sim_config(sim)->kernel_minor = 4;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_ARCH_X86_64 | KEXEC_DEBUG);
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_calls(sim), 2);
	/* A kernel that refuses the flag after all (a 6.x that says 7.x): once more without. */
	kexec_sim_config(sim)->kernel_major = 6;
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_calls(sim), 4);
	assert_true(kexec_sim_loaded(sim, false));
	kx_load_plan_free(&plan);

	/* --no-cma: nothing to ask of the kernel. */
	req.options = LIBKEXEC_OPT_NO_CMA;
	dbgbuf[0] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_ARCH_X86_64);
	assert_non_null(strstr(dbgbuf, "kexec_load never places segments in CMA"));
	kx_load_plan_free(&plan);

	/* --force-dtb: x86_64's kexec_load passes no device tree. */
	req.options = LIBKEXEC_OPT_FORCE_DTB;
	dbgbuf[0] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EOPNOTSUPP);
	assert_non_null(strstr(dbgbuf, "--force-dtb: x86_64's kexec_load hands the next kernel no "
				       "device tree"));
	assert_int_equal(plan.segs.nr, 0);

	/* An option this library does not know. */
	req.options = UINT64_C(1) << 40;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EINVAL);
	assert_non_null(strstr(dbgbuf, "unknown options 0x10000000000"));
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

static void bad_inputs(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = junk };
	struct kx_load_plan plan;
	static char big[4000];

	(void)state;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, junk));
	assert_non_null(strstr(logbuf, "HdrS"));
	assert_int_equal(plan.segs.nr, 0);

	req.kernel = kernel;
	req.initrd = "/nonexistent/initrd";
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOENT);
	assert_non_null(strstr(logbuf, "/nonexistent/initrd"));

	req.initrd = NULL;
	memset(big, 'a', sizeof(big) - 1);
	req.cmdline = big;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -E2BIG);
	assert_non_null(strstr(logbuf, "accepts at most 2047"));
	assert_non_null(strstr(logbuf, kernel));

	req.cmdline = NULL;
	req.crash = true;
	/* This fixture machine has no crashkernel= reservation. */
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EADDRNOTAVAIL);
	assert_non_null(strstr(logbuf, "crashkernel="));
	assert_non_null(strstr(logbuf, kernel));

	req.crash = false;
	req.type = "multiboot";
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EINVAL);
	assert_non_null(strstr(logbuf, "multiboot"));
	kexec_ctx_free(ctx);
}

static void elf_plan(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = elf, .initrd = initrd, .cmdline = "x" };
	struct kx_load_plan plan;
	static uint8_t e[0x3000];
	char bad[64];

	(void)state;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_string_equal(plan.format, "elf-x86_64");
	assert_int_equal(plan.segs.nr, 5); /* 2 PT_LOADs, initrd, boot_params, purgatory */
	assert_int_equal(mem(&plan.segs.seg[0]), 0x1000000);
	assert_int_equal(plan.segs.seg[0].memsz, 0x3000);
	assert_int_equal(plan.segs.seg[0].bufsz, 0x1000);
	assert_int_equal(((const uint8_t *)plan.segs.seg[0].buf)[0], 0xc3);
	assert_int_equal(mem(&plan.segs.seg[1]), 0x1200000);
	assert_int_equal(((const uint8_t *)plan.segs.seg[1].buf)[0], 0x90);
	kx_load_plan_free(&plan);

	/* An unaligned paddr is padded to the page. */
	write_tmp(bad, e, make_elf(e, 0x1200100, 0x1000));
	req.kernel = bad;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(mem(&plan.segs.seg[1]), 0x1200000);
	assert_int_equal(plan.segs.seg[1].bufsz, 0x1100);
	assert_int_equal(((const uint8_t *)plan.segs.seg[1].buf)[0xff], 0);
	assert_int_equal(((const uint8_t *)plan.segs.seg[1].buf)[0x100], 0x90);
	kx_load_plan_free(&plan);
	unlink(bad);

	/* Overlapping segments, a segment outside RAM, filesz > memsz. */
	write_tmp(bad, e, make_elf(e, 0x1002000, 0x1000));
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "overlaps"));
	unlink(bad);
	write_tmp(bad, e, make_elf(e, 0x80000000, 0x1000));
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EADDRNOTAVAIL);
	assert_non_null(strstr(logbuf, "not in this machine's RAM"));
	unlink(bad);
	write_tmp(bad, e, make_elf(e, 0x1200000, 0x4000));
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "impossible"));
	unlink(bad);
	/* An entry point in no PT_LOAD. */
	make_elf(e, 0x1200000, 0x1000);
	fake_put32(e, 24, 0x5000000);
	write_tmp(bad, e, 0x3000);
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "entry point"));
	unlink(bad);
	/* Wrong machine. */
	make_elf(e, 0x1200000, 0x1000);
	fake_put16(e, 18, 183);
	write_tmp(bad, e, 0x3000);
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "ELF file for machine 183, not this architecture's (62)"));
	unlink(bad);
	kexec_ctx_free(ctx);
}

/* A crash load on a captured guest: 512 MiB, crashkernel=256M at 0x3000000-0x12ffffff. */
static void crash_plan(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = kernel, .initrd = initrd, .cmdline = "irqpoll",
					  .crash = true };
	const uint64_t cs = 0x3000000, ce = 0x12ffffff;
	const struct kexec_segment *hdr, *bp;
	struct kx_load_plan plan;
	uint8_t page[4096], ehdr[64];
	char cmd[128], want[64];
	unsigned n820;

	(void)state;
	kexec_ctx_set_root(ctx, FIXTURES_DIR "/crash-x86_64");
	kexec_ctx_set_log(ctx, capture, NULL);
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_ARCH_X86_64 | KEXEC_ON_CRASH);
	/* Everything, and the entry, inside the reservation. */
	for (size_t n = 0; n < plan.segs.nr; n++) {
		assert_true(mem(&plan.segs.seg[n]) >= cs);
		assert_true(mem(&plan.segs.seg[n]) + plan.segs.seg[n].memsz - 1 <= ce);
	}
	assert_true(plan.entry >= cs && plan.entry <= ce);
	hdr = find(&plan, "elfcorehdr");
	bp = find(&plan, "boot_params");
	assert_non_null(hdr);
	assert_non_null(bp);
	assert_memory_equal(hdr->buf, "\177ELF", 4);
	assert_int_equal(((const uint8_t *)hdr->buf)[4], 2); /* ELF64 by default */

	/* The simulated kernel applies the crash rules and accepts it. */
	kexec_sim_config(sim)->limits.has_crash_region = true;
	kexec_sim_config(sim)->limits.crash_start = cs;
	kexec_sim_config(sim)->limits.crash_end = ce;
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	assert_true(kexec_sim_loaded(sim, true));
	assert_false(kexec_sim_loaded(sim, false));

	/* The command line ends with elfcorehdr= the header's address. */
	assert_int_equal(kexec_sim_read(sim, true, mem(bp), page, sizeof(page)), 0);
	assert_int_equal(kexec_sim_read(sim, true, kx_le32(page + 0x228), cmd, sizeof(cmd)), 0);
	snprintf(want, sizeof(want), "irqpoll elfcorehdr=0x%llx", (unsigned long long)mem(hdr));
	assert_string_equal(cmd, want);
	assert_int_equal(kexec_sim_read(sim, true, mem(hdr), ehdr, sizeof(ehdr)), 0);
	assert_int_equal(kx_le16(ehdr + 16), 4); /* ET_CORE */
	assert_int_equal(kx_le16(ehdr + 18), 62);

	/*
	 * The crash kernel's e820: RAM only below 1 MiB and in the reservation
	 * minus the core header, which it must not overwrite.
	 */
	n820 = page[0x1e8];
	assert_true(n820 >= 3);
	for (unsigned k = 0; k < n820; k++) {
		const uint8_t *e = page + 0x2d0 + 20 * k;
		uint64_t a = kx_le64(e), sz = kx_le64(e + 8);

		if (kx_le32(e + 16) != 1)
			continue;
		if (a < 0x100000) {
			assert_true(a >= 0x1000); /* page 0 is not RAM for the crash kernel */
			assert_true(a + sz <= 0x100000);
			continue;
		}
		assert_true(a >= cs && a + sz - 1 <= ce);
		assert_true(a + sz <= mem(hdr) || a >= mem(hdr) + hdr->memsz);
	}
	kx_load_plan_free(&plan);

	/* --elf32-core-headers: this guest's RAM is below 4 GiB, so it can. */
	req.elf32_core_headers = true;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	hdr = find(&plan, "elfcorehdr");
	assert_int_equal(((const uint8_t *)hdr->buf)[4], 1);
	kx_load_plan_free(&plan);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/*
 * --hotplug (kexec_load, x86_64): refused where the kernel has no crash
 * hotplug; else KEXEC_UPDATE_ELFCOREHDR, the core header's segment as large
 * as /sys/kernel/crash_elfcorehdr_size says the kernel may write, and that
 * segment left out of the purgatory's regions and digest.
 */
static void crash_hotplug(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = kernel,
					  .initrd = initrd, .cmdline = "irqpoll", .crash = true,
					  .hotplug = true };
	const uint64_t hp_size = 917616; /* Debian 13's 6.12: (2 + 8192 + 8192) * 56 */
	char root[] = "/tmp/kx-hotplug-XXXXXX", cmd[512], path[600];
	const struct kexec_segment *hdr;
	struct kx_purgatory_params pp;
	struct kx_load_plan plan;
	struct xxh3_ref x;
	uint8_t want[32];
	size_t n = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "cp -r '%s'/. '%s'", FIXTURES_DIR "/crash-x86_64", root);
	assert_int_equal(system(cmd), 0);
	kexec_ctx_set_root(ctx, root);
	kexec_ctx_set_log(ctx, capture, NULL);

	/* No crash hotplug in the running kernel (6.1): refused, saying so. */
	logbuf[0] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EOPNOTSUPP);
	assert_non_null(strstr(logbuf, "no crash hotplug"));

	snprintf(path, sizeof(path), "%s/sys/kernel/crash_elfcorehdr_size", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "not a number\n");
	fclose(f);
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EINVAL);

	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%llu\n", (unsigned long long)hp_size);
	fclose(f);
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_ARCH_X86_64 | KEXEC_ON_CRASH | KEXEC_UPDATE_ELFCOREHDR);
	hdr = find(&plan, "elfcorehdr");
	assert_non_null(hdr);
	assert_true(hdr->bufsz < hp_size);
	assert_int_equal(hdr->memsz, (hp_size + 4095) & ~(uint64_t)4095);
	purgatory_var(ctx, &plan, KX_PURGATORY_PARAMS_NAME, &pp, sizeof(pp));
	xxh3_ref_init(&x);
	for (size_t i = 0; i < plan.segs.nr; i++) {
		if (!strcmp(kexec_segment_role_name(plan.info[i].role), "purgatory") || !strcmp(kexec_segment_role_name(plan.info[i].role), "elfcorehdr"))
			continue;
		assert_int_equal(pp.regions[n].start, (uintptr_t)plan.segs.seg[i].mem);
		xxh3_ref_update(&x, plan.segs.seg[i].buf, plan.segs.seg[i].bufsz);
		n++;
	}
	xxh3_ref_final(&x, want);
	assert_int_equal(n, 3); /* kernel, initrd, boot_params: not the core header */
	assert_int_equal(pp.regions[n].len, 0);
	assert_memory_equal(pp.digest, want, 32);
	/* The simulated kernel (6.6+ flags) takes it. */
	kexec_sim_config(sim)->limits.has_crash_region = true;
	kexec_sim_config(sim)->limits.crash_start = 0x3000000;
	kexec_sim_config(sim)->limits.crash_end = 0x12ffffff;
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	kexec_ctx_use_sim(ctx, NULL);
	kx_load_plan_free(&plan);

	/* Only for crash kernels. */
	req.crash = false;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EINVAL);
	assert_non_null(strstr(logbuf, "--hotplug is for crash kernels"));

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/* A reservation too small for the kernel says how much is needed. */
static void crash_too_small(void **state)
{
	static uint8_t img[FAKE_SIZE];
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = NULL, .crash = true };
	struct kx_load_plan plan;
	char big[64];

	(void)state;
	fake_bzimage(img);
	fake_put32(img, 0x260, 0x18000000); /* init_size 384 MiB > 256 MiB */
	write_tmp(big, img, sizeof(img));
	req.kernel = big;
	kexec_ctx_set_root(ctx, FIXTURES_DIR "/crash-x86_64");
	kexec_ctx_set_log(ctx, capture, NULL);
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EADDRNOTAVAIL);
	assert_non_null(strstr(logbuf, "reservation is 256 MiB"));
	assert_non_null(strstr(logbuf, "need at least 385 MiB"));
	assert_non_null(strstr(logbuf, big));
	unlink(big);
	kexec_ctx_free(ctx);
}

/*
 * i386 (KEXEC_ARCH_386): the same bzImage planned for a 32-bit kernel, on the
 * same fixture machine: the kernel and the initrd in lowmem (below 896 MiB),
 * the purgatory's entry code32_start itself (no +0x200), the i386 purgatory
 * relocated into the plan, KEXEC_ARCH_386 in the flags. A bzImage with a
 * setup header older than 2.02 is refused, naming the file.
 */
static void i386_plan(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = {
		.sz = sizeof(struct kx_load_request), .kernel = kernel, .initrd = initrd,
		.cmdline = "console=ttyS0",
	};
	const struct kexec_segment *k, *i, *bp, *pg;
	struct kx_load_plan plan;
	struct kx_purgatory p;
	struct kx_purgatory_params pp;
	uint8_t page[4096], img[FAKE_SIZE];
	uint64_t off;
	char old[64];

	(void)state;
	if (!kx_purgatory_i386_blob_size) {
		print_message("the i386 purgatory was not built\n");
		skip();
	}
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_386), 0);
	assert_string_equal(kexec_arch_name(KEXEC_ARCH_386), "i386");
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_string_equal(plan.format, "bzImage");
	assert_int_equal(plan.flags, KEXEC_ARCH_386);
	k = find(&plan, "kernel");
	i = find(&plan, "initrd");
	bp = find(&plan, "boot_params");
	pg = find(&plan, "purgatory");
	assert_non_null(k);
	assert_non_null(i);
	assert_non_null(bp);
	assert_non_null(pg);
	assert_int_equal(mem(k), 0x1000000);
	assert_true(mem(i) + i->memsz <= 0x38000000);
	assert_true(mem(i) > 0x30000000); /* high in lowmem */
	assert_true(mem(pg) + pg->memsz <= 0x100000000ULL);
	assert_true(plan.entry >= mem(pg) && plan.entry < mem(pg) + pg->memsz);

	/* The purgatory's parameters: entry = code32_start, boot_data = the zero page. */
	assert_int_equal(kx_purgatory_init(ctx, &p, kx_purgatory_i386_blob,
					   kx_purgatory_i386_blob_size), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&p, KX_PURGATORY_PARAMS_NAME, &off), 0);
	kx_purgatory_free(&p);
	assert_true(off + sizeof(pp) <= pg->bufsz);
	memcpy(&pp, (const uint8_t *)pg->buf + off, sizeof(pp));
	assert_int_equal(pp.entry, mem(k));
	assert_int_equal(pp.boot_data, mem(bp));
	assert_int_equal(pp.console_kind, KX_CONSOLE_X86_PIO);

	/* The simulated i386 kernel takes it; the zero page says code32_start. */
	kexec_ctx_use_sim(ctx, sim);
	kexec_sim_config(sim)->limits.totalram_pages = 0x40000000 / 4096;
	kexec_sim_config(sim)->limits.native_arch = KEXEC_ARCH_386;
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_read(sim, false, mem(bp), page, sizeof(page)), 0);
	assert_int_equal(kx_le32(page + 0x214), 0x1000000);
	assert_int_equal(kx_le32(page + 0x218), (uint32_t)mem(i));
	kx_load_plan_free(&plan);

	/* Boot protocol 2.01: no cmd_line_ptr. */
	fake_bzimage(img);
	fake_put16(img, 0x206, 0x0201);
	write_tmp(old, img, sizeof(img));
	req.kernel = old;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, old));
	assert_non_null(strstr(logbuf, "older than 2.02"));
	unlink(old);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/*
 * An i386 crash kernel: everything in the reservation, elfcorehdr= on its
 * command line, and an ELFCLASS32 EM_386 core header (as kexec-tools).
 */
static void i386_crash_plan(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kx_load_request req = { .sz = sizeof(struct kx_load_request), .kernel = kernel,
					  .cmdline = "irqpoll", .crash = true };
	const uint64_t cs = 0x3000000, ce = 0x12ffffff;
	const struct kexec_segment *hdr;
	const uint8_t *h;
	struct kx_load_plan plan;

	(void)state;
	if (!kx_purgatory_i386_blob_size)
		skip();
	kexec_ctx_set_root(ctx, FIXTURES_DIR "/crash-x86_64");
	kexec_ctx_set_log(ctx, capture, NULL);
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_386), 0);
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_ARCH_386 | KEXEC_ON_CRASH);
	for (size_t n = 0; n < plan.segs.nr; n++) {
		assert_true(mem(&plan.segs.seg[n]) >= cs);
		assert_true(mem(&plan.segs.seg[n]) + plan.segs.seg[n].memsz - 1 <= ce);
	}
	hdr = find(&plan, "elfcorehdr");
	assert_non_null(hdr);
	h = hdr->buf;
	assert_memory_equal(h, "\177ELF", 4);
	assert_int_equal(h[4], 1);            /* ELFCLASS32 */
	assert_int_equal(kx_le16(h + 16), 4); /* ET_CORE */
	assert_int_equal(kx_le16(h + 18), 3); /* EM_386 */
	kx_load_plan_free(&plan);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_cases),
		cmocka_unit_test(bzimage_plan),
		cmocka_unit_test(purgatory_contract),
		cmocka_unit_test(no_initrd_and_limits),
		cmocka_unit_test(bad_inputs),
		cmocka_unit_test(load_options),
		cmocka_unit_test(elf_plan),
		cmocka_unit_test(crash_plan),
		cmocka_unit_test(crash_hotplug),
		cmocka_unit_test(crash_too_small),
		cmocka_unit_test(i386_plan),
		cmocka_unit_test(i386_crash_plan),
	};
	return cmocka_run_group_tests_name("x86-load", tests, setup, teardown);
}
