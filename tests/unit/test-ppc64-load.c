/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ppc64 kexec_load loader (lib/arch/ppc64) on a fixture machine shaped
 * like QEMU's pseries with 1 GiB: a vmlinux (one PT_LOAD linked at
 * 0xc000000000000000, physical 0) goes above the running kernel's end
 * (/proc/device-tree/chosen/linux,kernel-end), the initrd above it, the
 * device tree and the purgatory above that end too, all below the end of
 * the first memory node. The edited tree carries bootargs and 64-bit
 * linux,initrd-start/-end, and its reserve map keeps the firmware's entry
 * (RTAS), drops the old initrd's, and lists the new initrd and the tree
 * itself at the address it is loaded at. The purgatory's first 0x100 bytes
 * are the kernel's but for its branch at 0; its parameters name the kernel,
 * the tree and the hypervisor terminal; the simulated ppc64 kernel accepts
 * the plan. Without linux,kernel-end (a plan made on another machine) the
 * segments go above where the new kernel would end. A crash load (the
 * reservation from /chosen's linux,crashkernel-base/-size, as powerpc
 * exports it) puts everything in the reservation, the kernel at its base
 * and run where loaded (0x5c = 1 in the purgatory's head, and the purgatory
 * told to write it), a 64 KiB backup segment the purgatory fills from
 * address 0 and the core header reads RAM [0, 64 KiB) from, the tree's
 * memory limited to the reservation's end with the running kernel's RAM
 * below the reservation reserved, and elfcorehdr= on the command line.
 * Refused, naming the file: two PT_LOADs, a program that is not a kernel, a
 * line past COMMAND_LINE_SIZE, the x86 console options.
 */
#include <errno.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#define FIXTURE_TMP_NAME "libkexec-ppc64"
#include "fixture-util.h"
#include "libkexec-internal.h"
#include "purgatory.h"

#define ELF_LEN 0x30000
#define SEG_OFF 0x10000
#define KERNEL_END 0x2000000ULL
#define OLD_INITRD 0x3000000ULL
#define RTAS 0x3f000000ULL
#define CRASH_BASE 0x20000000ULL
#define CRASH_SIZE 0x10000000ULL

static const char iomem[] = "00000000-3fffffff : System RAM\n";

/* A ppc64 vmlinux: ELF64 LE ET_EXEC, one PT_LOAD (or two) at 0xc000000000000000. */
static void make_vmlinux(uint8_t *e, int loads, uint64_t vaddr)
{
	memset(e, 0, ELF_LEN);
	memcpy(e, "\177ELF\2\1\1", 7);
	kx_put_le16(e + 16, 2);       /* ET_EXEC */
	kx_put_le16(e + 18, 21);      /* EM_PPC64 */
	kx_put_le32(e + 20, 1);
	kx_put_le64(e + 24, vaddr);   /* e_entry */
	kx_put_le64(e + 32, 64);      /* e_phoff */
	kx_put_le32(e + 48, 2);       /* ELFv2 */
	kx_put_le16(e + 52, 64);
	kx_put_le16(e + 54, 56);
	kx_put_le16(e + 56, (uint16_t)loads);
	for (int i = 0; i < loads; i++) {
		uint8_t *ph = e + 64 + 56 * i;

		kx_put_le32(ph, 1);
		kx_put_le32(ph + 4, 7);
		kx_put_le64(ph + 8, SEG_OFF + 0x8000 * (uint64_t)i);
		kx_put_le64(ph + 16, vaddr + 0x8000 * (uint64_t)i);
		kx_put_le64(ph + 24, 0x8000 * (uint64_t)i);
		kx_put_le64(ph + 32, loads == 1 ? ELF_LEN - SEG_OFF : 0x8000);
		kx_put_le64(ph + 40, loads == 1 ? 0x50000 : 0x8000);
		kx_put_le64(ph + 48, 0x10000);
	}
	for (size_t i = SEG_OFF; i < ELF_LEN; i++)
		e[i] = (uint8_t)(i * 13 + 5);
}

/* The running kernel's tree, as prom_init flattens it on pseries (initrd properties in 64 bits). */
static size_t make_fdt(void *buf, size_t size)
{
	fdt32_t reg[4] = { 0, 0, 0, cpu_to_fdt32(0x40000000) };
	fdt32_t vty = cpu_to_fdt32(0x71000000);

	assert_int_equal(fdt_create(buf, (int)size), 0);
	assert_int_equal(fdt_add_reservemap_entry(buf, RTAS, 0x1000000), 0);
	assert_int_equal(fdt_add_reservemap_entry(buf, OLD_INITRD, 0x100000), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_u32(buf, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(buf, "#size-cells", 2), 0);
	assert_int_equal(fdt_begin_node(buf, "chosen"), 0);
	assert_int_equal(fdt_property_string(buf, "linux,stdout-path", "/vdevice/vty@71000000"), 0);
	assert_int_equal(fdt_property_u64(buf, "linux,initrd-start", OLD_INITRD), 0);
	assert_int_equal(fdt_property_u64(buf, "linux,initrd-end", OLD_INITRD + 0x100000), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "vdevice"), 0);
	assert_int_equal(fdt_begin_node(buf, "vty@71000000"), 0);
	assert_int_equal(fdt_property_string(buf, "compatible", "hvterm1"), 0);
	assert_int_equal(fdt_property(buf, "reg", &vty, sizeof(vty)), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "memory@0"), 0);
	assert_int_equal(fdt_property_string(buf, "device_type", "memory"), 0);
	assert_int_equal(fdt_property(buf, "reg", reg, sizeof(reg)), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	return fdt_totalsize(buf);
}

struct fx {
	struct tmp t;
	char kernel[PATH_MAX], two[PATH_MAX], user[PATH_MAX], initrd[PATH_MAX], kend[PATH_MAX];
};

static int setup(void **state)
{
	static uint8_t e[ELF_LEN], fdt[4096];
	struct fx *f = calloc(1, sizeof(*f));
	uint8_t end[8];
	void *t;

	if (!f || tmp_setup(&t) < 0)
		return -1;
	f->t = *(struct tmp *)t;
	free(t);
	write_text(f->t.dir, "proc/iomem", iomem);
	write_bytes(f->t.dir, "sys/firmware/fdt", fdt, make_fdt(fdt, sizeof(fdt)));
	kx_put_be64(end, KERNEL_END);
	write_bytes(f->t.dir, "proc/device-tree/chosen/linux,kernel-end", end, sizeof(end));
	kx_put_be64(end, CRASH_BASE);
	write_bytes(f->t.dir, "proc/device-tree/chosen/linux,crashkernel-base", end, sizeof(end));
	kx_put_be64(end, CRASH_SIZE);
	write_bytes(f->t.dir, "proc/device-tree/chosen/linux,crashkernel-size", end, sizeof(end));
	write_text(f->t.dir, "sys/kernel/vmcoreinfo", "0x6f60000 10024\n");
	write_text(f->t.dir, "sys/devices/system/cpu/possible", "0-1\n");
	write_text(f->t.dir, "sys/devices/system/cpu/cpu0/crash_notes", "3fe10000\n");
	write_text(f->t.dir, "sys/devices/system/cpu/cpu0/crash_notes_size", "456\n");
	write_text(f->t.dir, "sys/devices/system/cpu/cpu1/crash_notes", "3fe20000\n");
	write_text(f->t.dir, "sys/devices/system/cpu/cpu1/crash_notes_size", "456\n");
	make_vmlinux(e, 1, 0xc000000000000000ULL);
	write_bytes(f->t.dir, "boot/vmlinux", e, sizeof(e));
	make_vmlinux(e, 2, 0xc000000000000000ULL);
	write_bytes(f->t.dir, "boot/two", e, sizeof(e));
	make_vmlinux(e, 1, 0x10000000ULL);
	write_bytes(f->t.dir, "boot/user", e, sizeof(e));
	write_text(f->t.dir, "boot/initrd", "INITRD-CONTENT");
	join(f->kernel, f->t.dir, "boot/vmlinux");
	join(f->two, f->t.dir, "boot/two");
	join(f->user, f->t.dir, "boot/user");
	join(f->initrd, f->t.dir, "boot/initrd");
	join(f->kend, f->t.dir, "proc/device-tree/chosen/linux,kernel-end");
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

static struct kexec_ctx *ppc64_ctx(struct fx *f)
{
	struct kexec_ctx *ctx = ctx_at(f->t.dir);

	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_PPC64), 0);
	return ctx;
}

static uint64_t prop64(const void *fdt, const char *name)
{
	int len;
	const void *p = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), name, &len);

	assert_non_null(p);
	assert_int_equal(len, 8);
	return kx_be64(p);
}

/* The tree's reserve map has exactly the entry (addr, size). */
static bool has_rsv(const void *fdt, uint64_t addr, uint64_t size)
{
	uint64_t a, s;

	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++)
		if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0 && a == addr && s == size)
			return true;
	return false;
}

static void plan(void **state)
{
	struct fx *f = *state;
	struct kexec_ctx *ctx = ppc64_ctx(f);
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = { .sz = sizeof(req), .kernel = f->kernel, .initrd = f->initrd,
					  .cmdline = "console=hvc0 quiet" };
	const struct kexec_segment *k, *i, *d, *g;
	const uint8_t *gb, *kb;
	struct kx_load_plan p;
	struct kx_purgatory pg;
	uint64_t off, start, stack_end;
	const void *fdt;

	assert_string_equal(kexec_arch_name(KEXEC_ARCH_PPC64), "ppc64");
	if (!kx_purgatory_ppc64_blob_size)
		skip(); /* built without powerpc64le-linux-gnu-gcc */
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	assert_string_equal(p.format, "elf-ppc64");
	assert_int_equal(p.flags, KEXEC_ARCH_PPC64);
	assert_int_equal(p.segs.nr, 4);
	k = role(&p, "kernel");
	i = role(&p, "initrd");
	d = role(&p, "dtb");
	g = role(&p, "purgatory");
	assert_non_null(k);
	assert_non_null(i);
	assert_non_null(d);
	assert_non_null(g);
	/* The PT_LOAD as it is, 64 KiB pages, above the running kernel; all within the RMA. */
	kb = k->buf;
	assert_int_equal(k->bufsz, ELF_LEN - SEG_OFF);
	assert_int_equal(k->memsz, 0x50000);
	assert_int_equal(kb[0], (uint8_t)(SEG_OFF * 13 + 5));
	for (size_t n = 0; n < p.segs.nr; n++) {
		const struct kexec_segment *s = &p.segs.seg[n];

		assert_true(mem(s) >= KERNEL_END);
		assert_int_equal(mem(s) % 65536, 0);
		assert_true(mem(s) + s->memsz <= 0x40000000ULL);
		/* Nothing on RTAS. */
		assert_true(mem(s) + s->memsz <= RTAS || mem(s) >= RTAS + 0x1000000);
	}
	assert_true(mem(i) >= mem(k) + k->memsz);
	/* The tree: bootargs, the initrd in 64 bits, the reserve map edited. */
	fdt = d->buf;
	assert_int_equal(fdt_check_header(fdt), 0);
	assert_string_equal(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "bootargs", NULL),
			    "console=hvc0 quiet");
	assert_int_equal(prop64(fdt, "linux,initrd-start"), mem(i));
	assert_int_equal(prop64(fdt, "linux,initrd-end"), mem(i) + 14);
	assert_true(has_rsv(fdt, RTAS, 0x1000000));
	assert_false(has_rsv(fdt, OLD_INITRD, 0x100000));
	assert_true(has_rsv(fdt, mem(i), 14));
	assert_true(has_rsv(fdt, mem(d), d->bufsz));
	assert_int_equal(fdt_totalsize(fdt), d->bufsz);
	/* The purgatory: entered first; its head the kernel's but for the branch at 0. */
	assert_int_equal(p.entry, mem(g));
	gb = g->buf;
	assert_int_equal(kx_le32(gb) >> 26, 18); /* b master */
	assert_memory_equal(gb + 4, kb + 4, 0x100 - 4);
	assert_int_equal(kx_purgatory_init(ctx, &pg, kx_purgatory_ppc64_blob,
					   kx_purgatory_ppc64_blob_size), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&pg, KX_PURGATORY_PARAMS_NAME, &off), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&pg, KX_PURGATORY_ENTRY_NAME, &start), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&pg, "kx_stack_end", &stack_end), 0);
	kx_purgatory_free(&pg);
	assert_int_equal(start, 0);
	assert_int_equal(kx_le64(gb + off + offsetof(struct kx_purgatory_params, entry)), mem(k));
	assert_int_equal(kx_le64(gb + off + offsetof(struct kx_purgatory_params, boot_data)),
			 mem(d));
	assert_int_equal(kx_le32(gb + off + offsetof(struct kx_purgatory_params, console_kind)),
			 KX_CONSOLE_HVTERM);
	assert_int_equal(kx_le64(gb + off + offsetof(struct kx_purgatory_params, console_base)),
			 0x71000000);
	/*
	 * entry.S: r2 = purgatory_start + 0x8000 (addis/addi from the bcl at
	 * 0x110), then r1 = kx_stack_end through r2: TOC16_HA/LO relocated
	 * against that pointer.
	 */
	{
		uint32_t addis = kx_le32(gb + 0x114), addi = kx_le32(gb + 0x118);
		int64_t v = ((int64_t)(int16_t)(addis & 0xffff) << 16) + (int16_t)(addi & 0xffff);

		assert_int_equal(addis >> 16, 0x3c4c); /* addis r2,r12 */
		assert_int_equal(v, 0x8000 - 0x110);
		addis = kx_le32(gb + 0x11c);
		addi = kx_le32(gb + 0x120);
		v = ((int64_t)(int16_t)(addis & 0xffff) << 16) + (int16_t)(addi & 0xffff);
		assert_int_equal(addis >> 16, 0x3c22); /* addis r1,r2 */
		assert_int_equal(v, (int64_t)stack_end - 0x8000);
	}

	/* The simulated ppc64 kernel takes it. */
	kexec_sim_config(sim)->limits.native_arch = KEXEC_ARCH_PPC64;
	kexec_sim_config(sim)->limits.page_size = 65536;
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_load_plan_load(ctx, &p), 0);
	kx_load_plan_free(&p);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);

	/* Planned elsewhere (no linux,kernel-end): above where the new kernel ends. */
	assert_int_equal(unlink(f->kend), 0);
	ctx = ppc64_ctx(f);
	req.initrd = NULL;
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	for (size_t n = 0; n < p.segs.nr; n++)
		assert_true(mem(&p.segs.seg[n]) >= 0x50000);
	assert_null(role(&p, "initrd"));
	fdt = role(&p, "dtb")->buf;
	assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "linux,initrd-start", NULL));
	kx_load_plan_free(&p);
	kexec_ctx_free(ctx);
}

/* The core header's PT_LOAD for physical address paddr: its p_offset and p_filesz. */
static bool core_load(const uint8_t *h, uint64_t paddr, uint64_t *off, uint64_t *size)
{
	uint64_t phoff = kx_le64(h + 32);

	for (unsigned int i = 0; i < kx_le16(h + 56); i++) {
		const uint8_t *ph = h + phoff + 56 * (uint64_t)i;

		if (kx_le32(ph) == 1 && kx_le64(ph + 24) == paddr) {
			*off = kx_le64(ph + 8);
			*size = kx_le64(ph + 32);
			return true;
		}
	}
	return false;
}

static void crash(void **state)
{
	struct fx *f = *state;
	struct kexec_ctx *ctx = ppc64_ctx(f);
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_load_request req = { .sz = sizeof(req), .kernel = f->kernel, .initrd = f->initrd,
					  .cmdline = "console=hvc0", .crash = true };
	const struct kexec_segment *k, *b, *h, *d, *g;
	const uint8_t *gb, *hb;
	struct kx_load_plan p;
	struct kx_purgatory pg;
	uint64_t off, size;
	const void *fdt;
	char want[80];
	const fdt32_t *um;
	int len;

	if (!kx_purgatory_ppc64_blob_size)
		skip();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	assert_int_equal(p.flags, KEXEC_ARCH_PPC64 | KEXEC_ON_CRASH);
	for (size_t n = 0; n < p.segs.nr; n++) {
		const struct kexec_segment *s = &p.segs.seg[n];

		assert_true(mem(s) >= CRASH_BASE && mem(s) + s->memsz <= CRASH_BASE + CRASH_SIZE);
	}
	k = role(&p, "kernel");
	b = role(&p, "backup");
	h = role(&p, "elfcorehdr");
	d = role(&p, "dtb");
	g = role(&p, "purgatory");
	assert_non_null(k);
	assert_non_null(b);
	assert_non_null(h);
	assert_non_null(d);
	assert_non_null(g);
	assert_int_equal(mem(k), CRASH_BASE);
	assert_int_equal(b->bufsz, 0);
	assert_int_equal(b->memsz, 0x10000);
	/* The core header: RAM [0, 64 KiB) from the backup, the reservation left out. */
	hb = h->buf;
	assert_true(core_load(hb, 0, &off, &size));
	assert_int_equal(off, mem(b));
	assert_int_equal(size, 0x10000);
	assert_true(core_load(hb, 0x10000, &off, &size));
	assert_int_equal(off, 0x10000);
	assert_int_equal(size, CRASH_BASE - 0x10000);
	assert_true(core_load(hb, CRASH_BASE + CRASH_SIZE, &off, &size));
	assert_int_equal(size, 0x40000000 - CRASH_BASE - CRASH_SIZE);
	assert_false(core_load(hb, CRASH_BASE, &off, &size));
	/* The tree: elfcorehdr= in KiB, memory up to the reservation's end, the rest reserved. */
	fdt = d->buf;
	snprintf(want, sizeof(want), "console=hvc0 elfcorehdr=%lluK",
		 (unsigned long long)(mem(h) >> 10));
	assert_string_equal(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "bootargs", NULL),
			    want);
	um = fdt_getprop(fdt, fdt_path_offset(fdt, "/memory@0"), "linux,usable-memory", &len);
	assert_non_null(um);
	assert_int_equal(len, 16);
	assert_int_equal(kx_be64(um), 0);
	assert_int_equal(kx_be64(um + 2), CRASH_BASE + CRASH_SIZE);
	assert_true(has_rsv(fdt, 0x10000, CRASH_BASE - 0x10000));
	assert_true(has_rsv(fdt, mem(b), 0x10000));
	assert_true(has_rsv(fdt, mem(h), h->memsz));
	assert_true(has_rsv(fdt, mem(d), d->bufsz));
	assert_true(has_rsv(fdt, RTAS, 0x1000000));
	/* The purgatory: run-at-load in its head, and what it must do after the check. */
	gb = g->buf;
	assert_int_equal(kx_le32(gb + 0x5c), 1);
	assert_int_equal(kx_purgatory_init(ctx, &pg, kx_purgatory_ppc64_blob,
					   kx_purgatory_ppc64_blob_size), 0);
	assert_int_equal(kx_purgatory_symbol_addr(&pg, KX_PURGATORY_PARAMS_NAME, &off), 0);
	kx_purgatory_free(&pg);
	assert_int_equal(kx_le64(gb + off + offsetof(struct kx_purgatory_params, entry)), mem(k));
	assert_int_equal(kx_le64(gb + off + offsetof(struct kx_purgatory_params, arch)), mem(b));
	assert_int_equal(kx_le64(gb + off + offsetof(struct kx_purgatory_params, arch) + 8),
			 0x10000);
	assert_int_equal(kx_le64(gb + off + offsetof(struct kx_purgatory_params, arch) + 16), 1);

	kexec_sim_config(sim)->limits.native_arch = KEXEC_ARCH_PPC64;
	kexec_sim_config(sim)->limits.page_size = 65536;
	kexec_sim_config(sim)->limits.has_crash_region = true;
	kexec_sim_config(sim)->limits.crash_start = CRASH_BASE;
	kexec_sim_config(sim)->limits.crash_end = CRASH_BASE + CRASH_SIZE - 1;
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_load_plan_load(ctx, &p), 0);
	kx_load_plan_free(&p);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

static void refusals(void **state)
{
	struct fx *f = *state;
	struct kexec_ctx *ctx = ppc64_ctx(f);
	struct kx_load_request req = { .sz = sizeof(req), .kernel = f->kernel };
	struct kx_load_plan p;
	static char line[2100];

	if (!kx_purgatory_ppc64_blob_size)
		skip();
	/* COMMAND_LINE_SIZE is 2048 with the NUL. */
	memset(line, 'x', 2048);
	req.cmdline = line;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -E2BIG);
	assert_logged(f->kernel);
	line[2047] = '\0';
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), 0);
	kx_load_plan_free(&p);
	req.cmdline = "console=hvc0";
	req.console_base = 0x3f8;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -EOPNOTSUPP);
	assert_logged("x86 options");
	req.console_base = 0;
	req.kernel = f->two;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -ENOEXEC);
	assert_logged("a ppc64 vmlinux has one PT_LOAD, this one 2");
	assert_logged(f->two);
	req.kernel = f->user;
	log_reset();
	assert_int_equal(kx_load_plan_prepare(ctx, &req, &p), -ENOEXEC);
	assert_logged("user-space addresses");
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refusals),
		cmocka_unit_test(crash),
		cmocka_unit_test(plan),
	};

	(void)ctx_fixture;
	return cmocka_run_group_tests_name("ppc64-load", tests, setup, teardown);
}
