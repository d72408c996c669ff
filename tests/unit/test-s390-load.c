/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The s390 kexec_load loader (lib/arch/s390) on a fixture machine shaped
 * like QEMU's s390-ccw-virtio with 512 MiB: an image (startup code and
 * "S390EP" at 0x10000) goes from its file offset 0x10000 to the same
 * address, its parameter area (0x10400) carrying the initrd's start and size
 * (big-endian) and the command line (+0x80, at most the image's
 * max_command_line_size); the initrd at 8 MiB, 1 MiB aligned; the purgatory
 * below 2 GiB (entered in 31-bit mode), the plan's entry, its big-endian
 * parameter block (written swapped on a little-endian host) naming 0x10000
 * and the SCLP console, its larl fields relocated; KEXEC_ARCH_S390 in the
 * flags, which the simulated s390 kernel accepts. Refused, naming the file:
 * a line longer than the image takes, crash loads, --dtb, the x86 console
 * options, --console-serial, a file without "S390EP".
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

#define FIXTURE_TMP_NAME "libkexec-s390"
#include "fixture-util.h"
#include "libkexec-internal.h"
#include "purgatory.h"

#define IMAGE_LEN 0x30000

static const char iomem[] = "00000000-1fffffff : System RAM\n"
			    "  00100000-00ae0fff : Kernel code\n"
			    "  00ae1000-00f08fff : Kernel data\n";

/* An s390 image: IPL PSW at 0, "S390EP" at 0x10008, the parameter area, a version string. */
static void make_image(uint8_t *e, uint64_t max_cmdline)
{
	for (size_t i = 0; i < IMAGE_LEN; i++)
		e[i] = (uint8_t)(i * 7 + 3);
	memset(e + 0x10400, 0, 0x1000);
	kx_put_be64(e, 0x0008000080010000ULL);
	memcpy(e + 0x10008, "S390EP\0\1", 8);
	kx_put_be64(e + 0x10428, 0x18000);
	kx_put_be64(e + 0x10430, max_cmdline);
	memcpy(e + 0x18000, "6.1.0-50-s390x (debian-kernel@lists.debian.org)", 48);
}

struct fx {
	struct tmp t;
	char kernel[PATH_MAX], legacy[PATH_MAX], initrd[PATH_MAX], notimage[PATH_MAX];
};

static int setup(void **state)
{
	static uint8_t e[IMAGE_LEN];
	struct fx *f = calloc(1, sizeof(*f));
	void *t;

	if (!f || tmp_setup(&t) < 0)
		return -1;
	f->t = *(struct tmp *)t;
	free(t);
	write_text(f->t.dir, "proc/iomem", iomem);
	make_image(e, 4096);
	write_bytes(f->t.dir, "boot/vmlinuz", e, sizeof(e));
	make_image(e, 0); /* before max_command_line_size: 896 bytes */
	write_bytes(f->t.dir, "boot/legacy", e, sizeof(e));
	e[0x10008] = 'X';
	write_bytes(f->t.dir, "boot/notimage", e, sizeof(e));
	write_text(f->t.dir, "boot/initrd", "INITRD-CONTENT");
	join(f->kernel, f->t.dir, "boot/vmlinuz");
	join(f->legacy, f->t.dir, "boot/legacy");
	join(f->initrd, f->t.dir, "boot/initrd");
	join(f->notimage, f->t.dir, "boot/notimage");
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

static struct kexec_ctx *s390_ctx(struct fx *f)
{
	struct kexec_ctx *ctx = ctx_at(f->t.dir);

	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_S390), 0);
	return ctx;
}

static void plan(void **state)
{
	struct fx *f = *state;
	struct kexec_ctx *ctx = s390_ctx(f);
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = { .sz = sizeof(req), .kernel = f->kernel, .initrd = f->initrd,
					  .cmdline = "console=ttysclp0 quiet" };
	const struct kexec_segment *k, *i, *g;
	const uint8_t *kb, *gb;
	struct kx_load_plan p;
	struct kx_purgatory pg;
	uint64_t off, start;

	assert_string_equal(kexec_arch_name(KEXEC_ARCH_S390), "s390");
	if (!kx_purgatory_s390x_blob_size)
		skip(); /* built without s390x-linux-gnu-gcc */
	{
		static uint8_t e[IMAGE_LEN];
		LIBKEXEC_OPTS(kexec_image_info, info);

		make_image(e, 4096);
		assert_int_equal(kexec_image_probe(ctx, e, sizeof(e), &info), 0);
		assert_string_equal(info.format, "image");
		assert_string_equal(info.kernel_version, "6.1.0-50-s390x");
		assert_int_equal(info.cmdline_max, 4095);
		make_image(e, 0);
		assert_int_equal(kexec_image_probe(ctx, e, sizeof(e), &info), 0);
		assert_int_equal(info.cmdline_max, 895);
	}
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	assert_string_equal(p.format, "image");
	assert_int_equal(p.flags, KEXEC_ARCH_S390);
	assert_int_equal(p.segs.nr, 3);
	k = role(&p, "kernel");
	i = role(&p, "initrd");
	g = role(&p, "purgatory");
	assert_non_null(k);
	assert_non_null(i);
	assert_non_null(g);
	/* The file from 0x10000 to 0x10000, its parameter area filled in. */
	assert_int_equal(mem(k), 0x10000);
	assert_int_equal(k->bufsz, IMAGE_LEN - 0x10000);
	assert_int_equal(k->memsz, IMAGE_LEN - 0x10000);
	kb = k->buf;
	assert_memory_equal(kb + 8, "S390EP", 6);
	assert_int_equal(kx_be64(kb + 0x408), mem(i));
	assert_int_equal(kx_be64(kb + 0x410), 14);
	assert_string_equal((const char *)kb + 0x480, "console=ttysclp0 quiet");
	assert_int_equal(kb[0x480 + 4095], 0);
	/* The initrd at 8 MiB on a 1 MiB boundary, the purgatory below 2 GiB, entered first. */
	assert_int_equal(mem(i), 0x800000);
	assert_true(mem(g) >= 0x10000 && mem(g) + g->memsz <= 0x80000000ULL);
	assert_int_equal(p.entry, mem(g));
	/* Its parameters in its (big-endian) order; its larl to them relocated. */
	assert_int_equal(kx_purgatory_init(ctx, &pg, kx_purgatory_s390x_blob,
					   kx_purgatory_s390x_blob_size), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&pg, KX_PURGATORY_PARAMS_NAME, &off), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&pg, KX_PURGATORY_ENTRY_NAME, &start), 0);
	kx_purgatory_free(&pg);
	assert_int_equal(start, 0);
	gb = g->buf;
	assert_int_equal(kx_be64(gb + off + offsetof(struct kx_purgatory_params, entry)), 0x10000);
	assert_int_equal(kx_be32(gb + off + offsetof(struct kx_purgatory_params, console_kind)),
			 KX_CONSOLE_SCLP);
	assert_int_equal(kx_be64(gb + off + offsetof(struct kx_purgatory_params, regions)), mem(i));
	assert_int_equal(kx_be64(gb + off + offsetof(struct kx_purgatory_params, regions) + 8),
			 i->bufsz);
	/* entry.S: sam64 (2 bytes), larl %r15 (6), aghi (4), xc (6), brasl (6), then larl %r1,params. */
	assert_int_equal(kx_be32(gb + 0x18) >> 16, 0xc010);
	assert_int_equal((int64_t)(int32_t)kx_be32(gb + 0x1a) * 2, (int64_t)off - 0x18);

	/* The simulated s390 kernel takes it. */
	kexec_sim_config(sim)->limits.native_arch = KEXEC_ARCH_S390;
	kexec_sim_config(sim)->limits.page_size = 4096;
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_load_plan_load(ctx, &p), 0);
	kx_load_plan_free(&p);

	/* No initrd: start and size 0. An older image: 896 bytes of command line. */
	req.initrd = NULL;
	req.kernel = f->legacy;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	assert_int_equal(kx_be64((const uint8_t *)role(&p, "kernel")->buf + 0x408), 0);
	assert_int_equal(kx_be64((const uint8_t *)role(&p, "kernel")->buf + 0x410), 0);
	assert_null(role(&p, "initrd"));
	kx_load_plan_free(&p);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

static void refusals(void **state)
{
	struct fx *f = *state;
	struct kexec_ctx *ctx = s390_ctx(f);
	struct kx_load_request req = { .sz = sizeof(req), .kernel = f->legacy };
	struct kx_load_plan p;
	char line[1000];

	if (!kx_purgatory_s390x_blob_size)
		skip();
	/* 896 bytes with the NUL: one more is refused, naming the file. */
	memset(line, 'x', 896);
	line[896] = '\0';
	req.cmdline = line;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -E2BIG);
	assert_logged("the command line is 896 bytes");
	assert_logged(f->legacy);
	line[895] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	kx_load_plan_free(&p);
	req.cmdline = "console=ttysclp0";
	/* --check=sha256 is honoured; the consoles the purgatory does not have are refused. */
	req.check = LIBKEXEC_CHECK_SHA256;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	kx_load_plan_free(&p);
	req.check = LIBKEXEC_CHECK_XXH3;
	req.console_base = 0x2f8;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -EOPNOTSUPP);
	assert_logged("x86 options");
	req.console_base = 0;
	req.console_progress = true;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -EOPNOTSUPP);
	assert_logged("--console-serial");
	req.console_progress = false;
	req.dtb = f->initrd;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -EOPNOTSUPP);
	assert_logged("s390 kernels take no device tree");
	req.dtb = NULL;
	/* Not an image. */
	req.kernel = f->notimage;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -ENOEXEC);
	assert_logged("no \"S390EP\" at 0x10008");
	assert_logged(f->notimage);
	/* Crash loads: refused before the reservation is looked for. */
	req.kernel = f->kernel;
	req.crash = true;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -EOPNOTSUPP);
	assert_logged("s390 crash kernels are not built here");
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan),
		cmocka_unit_test(refusals),
	};

	(void)ctx_fixture;
	return cmocka_run_group_tests_name("s390-load", tests, setup, teardown);
}
