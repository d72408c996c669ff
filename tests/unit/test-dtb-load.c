/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole kexec_load plans of the device-tree architectures (arm64, and
 * riscv64 and 32-bit ARM when their purgatories are built), made on this host for a context set
 * to that architecture, against a fixture root (QEMU virt's /proc/iomem and
 * device tree), loaded into the simulated kernel and read back: where each
 * segment is, what the device tree segment says in /chosen, what the
 * purgatory was told, and the crash variant's core header and properties.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch.h"
#include "fake-bzimage.h"
#include "purgatory.h"

#define IMG_SIZE (3 * 1024 * 1024 + 123)

static char root[64], kernel_arm64[128], kernel_riscv64[128], kernel_arm[128], initrd[128],
	logbuf[8192];

/* A 32-bit ARM zImage's header and size tag (lib/arch/arm/zimage.c). */
#define ZIMG_UNPACKED 0x900000u
#define ZIMG_BSS 0x180000u

static void capture(void *data, int prio, const char *msg)
{
	size_t used = strlen(logbuf);

	(void)data, (void)prio;
	snprintf(logbuf + used, sizeof(logbuf) - used, "%s\n", msg);
}

static void put(const char *rel, const void *data, size_t len)
{
	char path[256];
	char *slash;
	int fd;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void puts_file(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static void copy_in(const char *rel, const char *from)
{
	static uint8_t buf[1 << 20];
	int fd = open(from, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	assert_true(n > 0);
	close(fd);
	put(rel, buf, (size_t)n);
}

static void make_image(const char *path, const char *magic_at_38, uint64_t text_offset,
		       bool riscv)
{
	uint8_t *b = calloc(1, IMG_SIZE);
	int fd;

	assert_non_null(b);
	for (size_t i = 64; i < IMG_SIZE; i++)
		b[i] = (uint8_t)(i * 7 + 1);
	b[0] = 'M';
	b[1] = 'Z';
	fake_put32(b, 0x08, (uint32_t)text_offset);
	fake_put32(b, 0x10, 0x2000000);                 /* image_size 32 MiB */
	if (riscv) {
		fake_put32(b, 0x20, 0x2);               /* version 0.2 */
		memcpy(b + 0x30, "RISCV\0\0\0", 8);
	} else {
		fake_put32(b, 0x18, 0x2 | 0x8);         /* 4K pages, anywhere */
	}
	memcpy(b + 0x38, magic_at_38, 4);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, IMG_SIZE), IMG_SIZE);
	close(fd);
	free(b);
}

/*
 * A zImage of IMG_SIZE bytes whose size tag says ZIMG_UNPACKED bytes of text
 * and data (the last word, as the kernel's build appends it) and ZIMG_BSS of
 * .bss; big-endian when be.
 */
static void make_zimage(const char *path, bool be)
{
	uint8_t *b = calloc(1, IMG_SIZE);
	int fd;

	assert_non_null(b);
	for (size_t i = 0x200; i < IMG_SIZE; i++)
		b[i] = (uint8_t)(i * 5 + 3);
	fake_put32(b, 0x24, 0x016f2818);
	fake_put32(b, 0x28, 0);
	fake_put32(b, 0x2c, IMG_SIZE);
	fake_put32(b, 0x30, be ? 0x01020304 : 0x04030201);
	fake_put32(b, 0x34, 0x45454545);
	fake_put32(b, 0x38, 0x100);
	fake_put32(b, 0x100, 4);                        /* words */
	fake_put32(b, 0x104, 0x5a534c4b);               /* "KLSZ" */
	fake_put32(b, 0x108, IMG_SIZE - 4);             /* where the unpacked size is */
	fake_put32(b, 0x10c, ZIMG_BSS);
	fake_put32(b, 0x110, 0);                        /* end of the table */
	fake_put32(b, IMG_SIZE - 4, ZIMG_UNPACKED);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, IMG_SIZE), IMG_SIZE);
	close(fd);
	free(b);
}

static int setup(void **state)
{
	static const char iomem[] =
		"09000000-09000fff : 9000000.pl011 pl011@9000000\n"
		"40000000-bfffffff : System RAM\n"
		"  40210000-4171ffff : Kernel code\n"
		"  41720000-41b8ffff : reserved\n"
		"  41b90000-41f6ffff : Kernel data\n"
		"  48000000-483fffff : reserved\n"
		"  a0000000-afffffff : Crash kernel\n"
		"  bfe00000-bfffffff : reserved\n";

	(void)state;
	strcpy(root, "/tmp/kxdtbload-XXXXXX");
	assert_non_null(mkdtemp(root));
	puts_file("/proc/iomem", iomem);
	copy_in("/sys/firmware/fdt", FIXTURES_DIR "/dtb/sys/firmware/fdt");
	puts_file("/proc/meminfo", "MemTotal:        2097152 kB\n");
	puts_file("/proc/cpuinfo", "processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc_zicsr_zknh\n");
	puts_file("/sys/devices/system/cpu/possible", "0-1\n");
	puts_file("/sys/devices/system/cpu/cpu0/crash_notes", "7fe4b000\n");
	puts_file("/sys/devices/system/cpu/cpu0/crash_notes_size", "456\n");
	puts_file("/sys/devices/system/cpu/cpu1/crash_notes", "7fe4c000\n");
	puts_file("/sys/devices/system/cpu/cpu1/crash_notes_size", "456\n");
	puts_file("/sys/kernel/vmcoreinfo", "0x000000007fe4d000 1024\n");
	snprintf(kernel_arm64, sizeof(kernel_arm64), "%s/Image-arm64", root);
	snprintf(kernel_riscv64, sizeof(kernel_riscv64), "%s/Image-riscv64", root);
	snprintf(initrd, sizeof(initrd), "%s/initrd.img", root);
	make_image(kernel_arm64, "ARM\x64", 0, false);
	make_image(kernel_riscv64, "RSC\x05", 0x200000, true);
	snprintf(kernel_arm, sizeof(kernel_arm), "%s/zImage-arm", root);
	make_zimage(kernel_arm, false);
	{
		static uint8_t rd[100000];

		memset(rd, 0x5a, sizeof(rd));
		put("/initrd.img", rd, sizeof(rd));
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static struct kexec_ctx *ctx_for(unsigned long arch)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	assert_non_null(ctx);
	assert_int_equal(kexec_ctx_set_root(ctx, root), 0);
	kexec_ctx_set_log(ctx, capture, NULL);
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	assert_int_equal(kexec_ctx_set_arch(ctx, arch), 0);
	logbuf[0] = '\0';
	return ctx;
}

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

/* A /chosen property of the DTB segment as a number of its own length. */
static bool chosen_u64(const void *fdt, const char *name, uint64_t *v)
{
	int off = fdt_path_offset(fdt, "/chosen"), len;
	const uint8_t *p;

	if (off < 0)
		return false;
	p = fdt_getprop(fdt, off, name, &len);
	if (!p || (len != 4 && len != 8))
		return false;
	*v = len == 4 ? fdt32_ld((const fdt32_t *)p) : fdt64_ld((const fdt64_t *)p);
	return true;
}

static void check_params(const struct kx_load_plan *plan, const struct kx_arch *arch,
			 struct kx_purgatory_params *pp)
{
	const struct kexec_segment *pg = find(plan, "purgatory");
	struct kx_purgatory p;
	uint64_t off;

	assert_non_null(pg);
	assert_int_equal(kx_purgatory_init(NULL, &p, arch->purgatory, *arch->purgatory_size), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&p, KX_PURGATORY_PARAMS_NAME, &off), 0);
	kx_purgatory_free(&p);
	memcpy(pp, (const uint8_t *)pg->buf + off, sizeof(*pp));
}

static void plan_normal(const struct kx_arch *arch, const char *kernel, uint64_t text_offset)
{
	struct kexec_ctx *ctx = ctx_for(arch->kexec_arch);
	struct kexec_sim *sim = kexec_sim_new();
	KX_REQUEST(kx_load_request, req, .kernel = kernel, .initrd = initrd,
		      .cmdline = "console=ttyAMA0 root=/dev/vda1 a-much-longer-command-line-than-before");
	struct kx_load_plan plan;
	const struct kexec_segment *k, *rd, *dtb;
	struct kx_purgatory_params pp;
	const char *bootargs;
	uint64_t v;
	uint8_t back[64];

	if (!*arch->purgatory_size) {
		kexec_sim_free(sim);
		kexec_ctx_free(ctx);
		skip();
	}
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_string_equal(plan.format, "Image");
	assert_int_equal(plan.flags, arch->kexec_arch);
	k = find(&plan, "kernel");
	rd = find(&plan, "initrd");
	dtb = find(&plan, "dtb");
	assert_non_null(k);
	assert_non_null(rd);
	assert_non_null(dtb);
	/* A 2 MiB-aligned base (+ text_offset on arm64), image_size of room, in RAM. */
	assert_int_equal((mem(k) - text_offset) % 0x200000, 0);
	assert_true(k->memsz >= 0x2000000);
	assert_true(mem(k) >= 0x40000000 && mem(k) + k->memsz <= 0xc0000000);
	/* Nothing in a range the running kernel keeps reserved. */
	for (size_t i = 0; i < plan.segs.nr; i++) {
		uint64_t s = mem(&plan.segs.seg[i]), e = s + plan.segs.seg[i].memsz;

		assert_false(s < 0x41b90000 && e > 0x41720000);
		assert_false(s < 0x48400000 && e > 0x48000000);
		assert_false(s < 0xc0000000 && e > 0xbfe00000);
	}
	assert_true(mem(rd) >= mem(k) + k->memsz);
	/* The DTB: /chosen as asked, the rest kept. */
	assert_int_equal(fdt_check_header(dtb->buf), 0);
	bootargs = fdt_getprop(dtb->buf, fdt_path_offset(dtb->buf, "/chosen"), "bootargs", NULL);
	assert_non_null(bootargs);
	assert_string_equal(bootargs, req.cmdline);
	assert_true(chosen_u64(dtb->buf, "linux,initrd-start", &v));
	assert_int_equal(v, mem(rd));
	assert_true(chosen_u64(dtb->buf, "linux,initrd-end", &v));
	assert_int_equal(v, mem(rd) + 100000);
	assert_true(chosen_u64(dtb->buf, "kaslr-seed", &v) || arch != &kx_arch_arm64);
	assert_false(chosen_u64(dtb->buf, "linux,elfcorehdr", &v));
	assert_true(fdt_path_offset(dtb->buf, "/memory@40000000") >= 0);
	/* The purgatory enters the Image with the DTB, checks every other segment, prints on the PL011. */
	check_params(&plan, arch, &pp);
	assert_int_equal(pp.entry, mem(k));
	assert_int_equal(pp.boot_data, mem(dtb));
	assert_int_equal(pp.console_kind, KX_CONSOLE_PL011);
	assert_int_equal(pp.console_base, 0x9000000);
	assert_int_equal(pp.regions[0].start, mem(k));
	assert_int_equal(pp.regions[0].len, IMG_SIZE);
	if (arch == &kx_arch_riscv64)
		assert_int_equal(pp.arch[0] & 1, 1); /* every hart has Zknh */
	/* The simulated kernel of that architecture takes it; the bytes read back. */
	kexec_sim_config(sim)->limits.native_arch = arch->kexec_arch;
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_read(sim, false, mem(k) + 64, back, sizeof(back)), 0);
	assert_memory_equal(back, (const uint8_t *)k->buf + 64, sizeof(back));
	assert_int_equal(kexec_sim_entry(sim, false), plan.entry);
	kx_load_plan_free(&plan);

	/* -i: the purgatory is told to check nothing. */
	req.no_checks = true;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	check_params(&plan, arch, &pp);
	assert_int_equal(pp.regions[0].len, 0);
	kx_load_plan_free(&plan);

	/* x86's console options (an I/O port, its speed, the VGA screen): refused here. */
	req.console_vga = true;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EOPNOTSUPP);
	req.console_vga = false;
	req.console_base = 0x2f8;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EOPNOTSUPP);
	req.console_base = 0;
	req.console_baud = 57600;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EOPNOTSUPP);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

static void arm64_plan(void **state)
{
	(void)state;
	plan_normal(&kx_arch_arm64, kernel_arm64, 0);
}

static void riscv64_plan(void **state)
{
	(void)state;
	plan_normal(&kx_arch_riscv64, kernel_riscv64, 0);
}

/* kdump: everything in the reservation, the core header's address and size in /chosen. */
static void crash_plan(const struct kx_arch *arch, const char *kernel)
{
	struct kexec_ctx *ctx = ctx_for(arch->kexec_arch);
	KX_REQUEST(kx_load_request, req, .kernel = kernel, .initrd = initrd,
		      .cmdline = "console=ttyAMA0 irqpoll nr_cpus=1", .crash = true);
	struct kx_load_plan plan;
	const struct kexec_segment *hdr, *dtb;
	const uint8_t *prop;
	uint64_t v;
	int len;

	if (!*arch->purgatory_size) {
		kexec_ctx_free(ctx);
		skip();
	}
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, arch->kexec_arch | KEXEC_ON_CRASH);
	for (size_t i = 0; i < plan.segs.nr; i++) {
		assert_true(mem(&plan.segs.seg[i]) >= 0xa0000000);
		assert_true(mem(&plan.segs.seg[i]) + plan.segs.seg[i].memsz <= 0xb0000000);
	}
	hdr = find(&plan, "elfcorehdr");
	dtb = find(&plan, "dtb");
	assert_non_null(hdr);
	assert_non_null(dtb);
	/* ET_CORE for this machine. */
	assert_memory_equal(hdr->buf, "\177ELF", 4);
	assert_int_equal(kx_le16((const uint8_t *)hdr->buf + 16), 4);
	assert_int_equal(kx_le16((const uint8_t *)hdr->buf + 18), arch->e_machine);
	prop = fdt_getprop(dtb->buf, fdt_path_offset(dtb->buf, "/chosen"), "linux,elfcorehdr", &len);
	assert_non_null(prop);
	assert_int_equal(len, 16); /* the root's #address-cells 2, #size-cells 2 */
	assert_int_equal(fdt64_ld((const fdt64_t *)prop), mem(hdr));
	assert_int_equal(fdt64_ld((const fdt64_t *)(prop + 8)), hdr->bufsz);
	prop = fdt_getprop(dtb->buf, fdt_path_offset(dtb->buf, "/chosen"),
			   "linux,usable-memory-range", &len);
	assert_non_null(prop);
	assert_int_equal(fdt64_ld((const fdt64_t *)prop), 0xa0000000);
	assert_int_equal(fdt64_ld((const fdt64_t *)(prop + 8)), 0x10000000);
	assert_true(chosen_u64(dtb->buf, "linux,initrd-start", &v));
	kx_load_plan_free(&plan);
	kexec_ctx_free(ctx);
}

static void arm64_crash(void **state)
{
	(void)state;
	crash_plan(&kx_arch_arm64, kernel_arm64);
}

static void riscv64_crash(void **state)
{
	(void)state;
	crash_plan(&kx_arch_riscv64, kernel_riscv64);
}

/*
 * 32-bit ARM: the zImage at a 128 MiB-aligned base + room for any
 * TEXT_OFFSET (up to 4 MiB) and the unpacked kernel with its .bss, the
 * initrd and the DTB above it in lowmem, the purgatory told to enter the
 * zImage with the DTB; the simulated ARM kernel takes it. The crash variant,
 * and a big-endian zImage refused in one line.
 */
static void arm_plan(void **state)
{
	struct kexec_ctx *ctx = ctx_for(KEXEC_ARCH_ARM);
	struct kexec_sim *sim = kexec_sim_new();
	KX_REQUEST(kx_load_request, req, .kernel = kernel_arm, .initrd = initrd,
		      .cmdline = "console=ttyAMA0 root=/dev/vda1");
	struct kx_load_plan plan;
	const struct kexec_segment *k, *rd, *dtb, *hdr;
	struct kx_purgatory_params pp;
	uint64_t v, base;
	uint8_t back[64];
	char be[160];
	const uint8_t *prop;
	int len;

	(void)state;
	if (!*kx_arch_arm.purgatory_size) {
		kexec_sim_free(sim);
		kexec_ctx_free(ctx);
		skip();
	}
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_string_equal(plan.format, "zImage");
	assert_int_equal(plan.flags, KEXEC_ARCH_ARM);
	k = find(&plan, "kernel");
	rd = find(&plan, "initrd");
	dtb = find(&plan, "dtb");
	assert_non_null(k);
	assert_non_null(rd);
	assert_non_null(dtb);
	base = mem(k) & ~(uint64_t)(0x8000000 - 1);
	assert_true(base >= 0x40000000);
	assert_true(mem(k) - base >= 0x400000 + ZIMG_UNPACKED + ZIMG_BSS);
	assert_true(mem(k) + k->memsz <= base + 0x8000000);
	assert_int_equal(k->bufsz, IMG_SIZE);
	assert_true(mem(rd) >= mem(k) + k->memsz);
	assert_true(mem(dtb) >= mem(k) + k->memsz);
	assert_true(mem(rd) + rd->memsz <= base + 0x20000000);
	assert_true(mem(dtb) + dtb->memsz <= base + 0x20000000);
	for (size_t i = 0; i < plan.segs.nr; i++)
		assert_true(mem(&plan.segs.seg[i]) + plan.segs.seg[i].memsz <= 0x100000000ULL);
	assert_int_equal(fdt_check_header(dtb->buf), 0);
	assert_string_equal(fdt_getprop(dtb->buf, fdt_path_offset(dtb->buf, "/chosen"), "bootargs",
					NULL),
			    req.cmdline);
	assert_true(chosen_u64(dtb->buf, "linux,initrd-start", &v));
	assert_int_equal(v, mem(rd));
	check_params(&plan, &kx_arch_arm, &pp);
	assert_int_equal(pp.entry, mem(k));
	assert_int_equal(pp.boot_data, mem(dtb));
	assert_int_equal(pp.console_kind, KX_CONSOLE_PL011);
	assert_int_equal(pp.regions[0].start, mem(k));
	assert_int_equal(pp.regions[0].len, IMG_SIZE);
	assert_true(plan.entry == mem(find(&plan, "purgatory")));
	/* --image-size: a floor for the room, larger than the tag's here. */
	{
		struct kx_load_plan p2;

		req.kernel_room = 0x3000000;
		assert_int_equal(kx_load_plan_prepare(ctx, &req, &p2), 0);
		k = find(&p2, "kernel");
		assert_true(mem(k) - (mem(k) & ~(uint64_t)(0x8000000 - 1)) >= 0x400000 + 0x3000000);
		kx_load_plan_free(&p2);
		req.kernel_room = 0x8000001;
		assert_int_equal(kx_load_plan_prepare(ctx, &req, &p2), -E2BIG);
		req.kernel_room = 0;
		k = find(&plan, "kernel");
	}
	/* The simulated kernel is the fixture's machine, with its reservation. */
	kexec_sim_config(sim)->limits.native_arch = KEXEC_ARCH_ARM;
	kexec_sim_config(sim)->limits.has_crash_region = true;
	kexec_sim_config(sim)->limits.crash_start = 0xa0000000;
	kexec_sim_config(sim)->limits.crash_end = 0xafffffff;
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_load_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_read(sim, false, mem(k) + 0x200, back, sizeof(back)), 0);
	assert_memory_equal(back, (const uint8_t *)k->buf + 0x200, sizeof(back));
	kx_load_plan_free(&plan);

	/*
	 * kdump: everything in the reservation (0xa0000000, 256 MiB), the zImage
	 * at its 128 MiB-aligned start + room; an ELFCLASS32 core header on a
	 * 2 MiB boundary at its top, and the crash kernel's usable memory ending
	 * below it (ARM reads the header through ioremap()).
	 */
	req.crash = true;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_ARCH_ARM | KEXEC_ON_CRASH);
	for (size_t i = 0; i < plan.segs.nr; i++) {
		assert_true(mem(&plan.segs.seg[i]) >= 0xa0000000);
		assert_true(mem(&plan.segs.seg[i]) + plan.segs.seg[i].memsz <= 0xb0000000);
	}
	k = find(&plan, "kernel");
	hdr = find(&plan, "elfcorehdr");
	dtb = find(&plan, "dtb");
	assert_non_null(hdr);
	assert_true(mem(k) - 0xa0000000 >= 0x400000 + ZIMG_UNPACKED + ZIMG_BSS);
	assert_int_equal(mem(hdr) % 0x200000, 0);
	assert_int_equal(((const uint8_t *)hdr->buf)[EI_CLASS], ELFCLASS32);
	assert_int_equal(kx_le16((const uint8_t *)hdr->buf + 18), 40);
	for (size_t i = 0; i < plan.segs.nr; i++)
		if (&plan.segs.seg[i] != hdr && strcmp(kexec_segment_role_name(plan.info[i].role), "purgatory"))
			assert_true(mem(&plan.segs.seg[i]) + plan.segs.seg[i].memsz <= mem(hdr));
	prop = fdt_getprop(dtb->buf, fdt_path_offset(dtb->buf, "/chosen"),
			   "linux,usable-memory-range", &len);
	assert_non_null(prop);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_ld((const fdt64_t *)prop), 0xa0000000);
	assert_int_equal(fdt64_ld((const fdt64_t *)(prop + 8)), mem(hdr) - 0xa0000000);
	prop = fdt_getprop(dtb->buf, fdt_path_offset(dtb->buf, "/chosen"), "linux,elfcorehdr", &len);
	assert_non_null(prop);
	assert_int_equal(fdt64_ld((const fdt64_t *)prop), mem(hdr));
	kx_load_plan_free(&plan);
	/* --elf64-core-headers: a 64-bit header; both classes at once: refused. */
	req.elf64_core_headers = true;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	hdr = find(&plan, "elfcorehdr");
	assert_int_equal(((const uint8_t *)hdr->buf)[EI_CLASS], ELFCLASS64);
	kx_load_plan_free(&plan);
	req.elf32_core_headers = true;
	logbuf[0] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EINVAL);
	assert_non_null(strstr(logbuf, "either 32-bit or 64-bit"));
	req.elf32_core_headers = req.elf64_core_headers = false;
	req.crash = false;

	/* A big-endian zImage: named as such. */
	snprintf(be, sizeof(be), "%s/zImage-be", root);
	make_zimage(be, true);
	req.kernel = be;
	logbuf[0] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "big-endian zImage"));
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/* An ELF32 EM_ARM executable with one PT_LOAD at vaddr: a vmlinux when it is a kernel address. */
static void make_elf32_arm(const char *path, uint32_t vaddr)
{
	uint8_t b[256] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };

	fake_put32(b, 16, 2 | 40u << 16);                /* e_type ET_EXEC, e_machine EM_ARM */
	fake_put32(b, 20, 1);                            /* e_version */
	fake_put32(b, 24, vaddr);                        /* e_entry */
	fake_put32(b, 28, 52);                           /* e_phoff */
	fake_put32(b, 40, 52 | 32u << 16);               /* e_ehsize, e_phentsize */
	fake_put32(b, 44, 1);                            /* e_phnum */
	fake_put32(b, 52, 1);                            /* PT_LOAD */
	fake_put32(b, 56, 0);                            /* p_offset */
	fake_put32(b, 60, vaddr);                        /* p_vaddr */
	fake_put32(b, 64, vaddr - 0xc0000000u);          /* p_paddr */
	fake_put32(b, 68, sizeof(b));                    /* p_filesz */
	fake_put32(b, 72, sizeof(b));                    /* p_memsz */
	put(path + strlen(root), b, sizeof(b));
}

/* 32-bit ARM ELF files: a vmlinux is named and refused (boot the zImage), a program is not a kernel. */
static void arm_elf_refused(void **state)
{
	struct kexec_ctx *ctx = ctx_for(KEXEC_ARCH_ARM);
	char path[160];
	KX_REQUEST(kx_load_request, req, .kernel = path);
	struct kx_load_plan plan;

	(void)state;
	snprintf(path, sizeof(path), "%s/vmlinux-arm", root);
	make_elf32_arm(path, 0xc0008000u);
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "a 32-bit ARM ELF vmlinux, which this kexec does not load"));
	snprintf(path, sizeof(path), "%s/program-arm", root);
	make_elf32_arm(path, 0x10000u);
	logbuf[0] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "an ELF program, not a Linux kernel"));
	kexec_ctx_free(ctx);
}

/* Wrong files for the architecture: one line naming each format's refusal, no plan. */
static void wrong_files(void **state)
{
	struct kexec_ctx *ctx = ctx_for(KEXEC_ARCH_AARCH64);
	KX_REQUEST(kx_load_request, req, .kernel = kernel_riscv64);
	struct kx_load_plan plan;

	(void)state;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "not a kernel image for arm64"));
	assert_non_null(strstr(logbuf, kernel_riscv64));
	kexec_ctx_free(ctx);
	ctx = ctx_for(KEXEC_ARCH_RISCV);
	req.kernel = kernel_arm64;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_non_null(strstr(logbuf, "not a kernel image for riscv64"));
	/* --dtb that is not a device tree. */
	req.kernel = kernel_riscv64;
	req.dtb = initrd;
	logbuf[0] = '\0';
	assert_true(kx_load_plan_prepare(ctx, &req, &plan) < 0);
	assert_non_null(strstr(logbuf, initrd));
	kexec_ctx_free(ctx);
}

/*
 * --force-dtb (LIBKEXEC_OPT_FORCE_DTB) on a device-tree architecture: what
 * kexec_load does anyway (the running kernel's tree, same plan); with --dtb
 * naming another tree it is refused in one line.
 */
static void force_dtb(void **state)
{
	struct kexec_ctx *ctx = ctx_for(KEXEC_ARCH_AARCH64);
	KX_REQUEST(kx_load_request, req, .kernel = kernel_arm64, .initrd = initrd,
		      .options = LIBKEXEC_OPT_FORCE_DTB);
	struct kx_load_plan plan;

	(void)state;
	if (!*kx_arch_arm64.purgatory_size) {
		kexec_ctx_free(ctx);
		skip();
	}
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), 0);
	assert_non_null(find(&plan, "dtb"));
	kx_load_plan_free(&plan);
	req.dtb = initrd;
	logbuf[0] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &plan), -EINVAL);
	assert_non_null(strstr(logbuf, "--force-dtb carries the running kernel's device tree and "
				       "--dtb names another"));
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arm64_plan),
		cmocka_unit_test(arm64_crash),
		cmocka_unit_test(riscv64_plan),
		cmocka_unit_test(riscv64_crash),
		cmocka_unit_test(arm_plan),
		cmocka_unit_test(arm_elf_refused),
		cmocka_unit_test(wrong_files),
		cmocka_unit_test(force_dtb),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
