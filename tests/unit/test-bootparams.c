/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 zero page builder (lib/arch/x86_64/bootparams.c) on fixture roots captured
 * from real QEMU guests (tests/fixtures/x86-bios: SeaBIOS, x86-efi: OVMF,
 * x86-iomem-only) and on trees the tests write into a mkdtemp() directory
 * under $TMPDIR: a 300-entry machine, hostile sysfs files, a system without
 * /sys/kernel/boot_params. Every value is checked at its zero-page offset.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw() */
#endif
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "libkexec.h"
#include "x86-bootparams.h"
#include "fake-bzimage.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must name the tests/fixtures directory"
#endif

#define FIXTURE_TMP_NAME "test-bootparams"
#include "fixture-util.h"

static void remove_file(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	join(path, dir, rel);
	assert_int_equal(remove(path), 0);
}

static void read_fixture(const char *rel, void *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	join(path, FIXTURES_DIR, rel);
	f = fopen(path, "r");
	if (!f)
		fail_msg("fopen %s: %s", path, strerror(errno));
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
}

static void write_fw_entry(const char *dir, unsigned n, uint64_t start, uint64_t end,
			   const char *type)
{
	char rel[128], val[64];

	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/start", n);
	snprintf(val, sizeof(val), "0x%llx\n", (unsigned long long)start);
	write_text(dir, rel, val);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/end", n);
	snprintf(val, sizeof(val), "0x%llx\n", (unsigned long long)end);
	write_text(dir, rel, val);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/type", n);
	snprintf(val, sizeof(val), "%s\n", type);
	write_text(dir, rel, val);
}

/* A minimal machine: 640K + 1 GiB of RAM. */
static void write_small_memmap(const char *dir)
{
	write_fw_entry(dir, 0, 0x0, 0x9fbff, "System RAM");
	write_fw_entry(dir, 1, 0x100000, 0x3fffffff, "System RAM");
}

static void write_runtime_entry(const char *dir, unsigned n, const char *type, const char *phys,
				const char *virt, const char *pages, const char *attr)
{
	static const char *const names[] = { "type", "phys_addr", "virt_addr", "num_pages",
					     "attribute" };
	const char *vals[] = { type, phys, virt, pages, attr };
	char rel[128];
	size_t i;

	for (i = 0; i < 5; i++) {
		if (!vals[i])
			continue;
		snprintf(rel, sizeof(rel), "sys/firmware/efi/runtime-map/%u/%s", n, names[i]);
		write_text(dir, rel, vals[i]);
	}
}

/* ---- Little-endian access ------------------------------------------------- */

static uint16_t g16(const uint8_t *b, size_t off)
{
	return (uint16_t)(b[off] | b[off + 1] << 8);
}

static uint32_t g32(const uint8_t *b, size_t off)
{
	return (uint32_t)g16(b, off) | (uint32_t)g16(b, off + 2) << 16;
}

static uint64_t g64(const uint8_t *b, size_t off)
{
	return (uint64_t)g32(b, off) | (uint64_t)g32(b, off + 4) << 32;
}

static void p32(uint8_t *b, size_t off, uint32_t v)
{
	fake_put32(b, off, v);
}

/* ---- Expected maps (from the captured guests) ----------------------------- */

struct e820_want {
	uint64_t addr, size;
	uint32_t type;
};

static const struct e820_want bios_e820[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x3fee0000, 1 },
	{ 0x3ffe0000, 0x20000, 2 },
	{ 0xfffc0000, 0x40000, 2 },
	{ 0xfd00000000, 0x300000000, 2 },
};

static const struct e820_want efi_e820[] = {
	{ 0x0, 0xa0000, 1 },
	{ 0x100000, 0x706000, 1 },
	{ 0x806000, 0x2000, 4 },
	{ 0x808000, 0x8000, 1 },
	{ 0x810000, 0xf0000, 4 },
	{ 0x900000, 0x3e1a0000, 1 },
	{ 0x3eaa0000, 0x102000, 2 },
	{ 0x3eba2000, 0x94a000, 1 },
	{ 0x3f4ec000, 0x280000, 2 },
	{ 0x3f76c000, 0x12000, 3 },
	{ 0x3f77e000, 0x80000, 4 },
	{ 0x3f7fe000, 0x6f6000, 1 },
	{ 0x3fef4000, 0x84000, 2 },
	{ 0x3ff78000, 0x88000, 4 },
	{ 0xffc00000, 0x400000, 2 },
};

/* The OVMF guest's /sys/firmware/efi/runtime-map/0..6. */
static const struct {
	uint32_t type;
	uint64_t phys, virt, pages, attr;
} efi_runtime[] = {
	{ 0xb, 0xffc00000, 0xfffffffeffc00000, 0x400, 0x8000000000000001 },
	{ 0x6, 0x3fef4000, 0xfffffffeffaf4000, 0x84, 0x800000000000000f },
	{ 0x5, 0x3f5ec000, 0xfffffffeff1ec000, 0x100, 0x800000000000000f },
	{ 0x6, 0x3f4ec000, 0xfffffffeff0ec000, 0x100, 0x800000000000000f },
	{ 0x6, 0x3eaa0000, 0xfffffffefe6a0000, 0x102, 0x800000000000000f },
	{ 0x4, 0x3d667000, 0xfffffffefd267000, 0x1, 0x800000000000000f },
	{ 0x3, 0x0, 0xfffffffefc400000, 0x1, 0x800000000000000f },
};

static void assert_e820(const struct kx_e820 *e, const struct e820_want *w, size_t nr)
{
	size_t i;

	assert_int_equal(e->nr, nr);
	for (i = 0; i < nr; i++) {
		if (e->e[i].addr != w[i].addr || e->e[i].size != w[i].size ||
		    e->e[i].type != w[i].type)
			fail_msg("e820 %zu: got %#llx+%#llx type %u, want %#llx+%#llx type %u", i,
				 (unsigned long long)e->e[i].addr, (unsigned long long)e->e[i].size,
				 e->e[i].type, (unsigned long long)w[i].addr,
				 (unsigned long long)w[i].size, w[i].type);
	}
}

/* The zero page's e820_table (0x2d0, packed 20-byte entries) against wanted entries. */
static void assert_zp_e820(const uint8_t *b, size_t off, const struct e820_want *w, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		size_t o = off + i * 20;

		if (g64(b, o) != w[i].addr || g64(b, o + 8) != w[i].size ||
		    g32(b, o + 16) != w[i].type)
			fail_msg("e820 at %#zx (%zu): got %#llx+%#llx type %u, "
				 "want %#llx+%#llx type %u",
				 o, i, (unsigned long long)g64(b, o),
				 (unsigned long long)g64(b, o + 8), g32(b, o + 16),
				 (unsigned long long)w[i].addr, (unsigned long long)w[i].size,
				 w[i].type);
	}
}

/* ---- A bzImage ------------------------------------------------------------ */

static uint8_t image[FAKE_SIZE];

/*
 * fake_bzimage() plus what a real 6.1 header has: the jump at 0x200 ("eb 6a",
 * so the header ends at 0x26c), and marker bytes that must or must not reach
 * the zero page.
 */
static void make_image(void)
{
	fake_bzimage(image);
	image[0x200] = 0xeb;
	image[0x201] = 0x6a;
	image[0x1ef] = 0xff;      /* below the header: must not become the sentinel */
	image[0x1f2] = 0x01;      /* root_flags */
	fake_put16(image, 0x1fa, 0xffff); /* vid_mode */
	image[0x211] = 0x81;      /* LOADED_HIGH | CAN_USE_HEAP */
	fake_put32(image, 0x214, 0x100000); /* code32_start */
	fake_put32(image, 0x248, 0x2cc);    /* payload_offset */
	fake_put32(image, 0x24c, 0xd696cc); /* payload_length */
	fake_put32(image, 0x264, 0xd7f91c); /* handover_offset */
	fake_put32(image, 0x268, 0xd72f10); /* kernel_info_offset */
	image[0x26c] = 0x5a;      /* just past the header: must not be copied */
}

static struct kx_x86_boot_layout layout(const char *cmdline, uint64_t params_addr)
{
	struct kx_x86_boot_layout lay = {
		.image = image,
		.image_len = sizeof(image),
		.kernel_addr = 0x1000000,
		.initrd_addr = 0x3f000000,
		.initrd_size = 0x00a12345,
		.cmdline = cmdline,
		.params_addr = params_addr,
		.rng_seed = false,
	};

	make_image();
	return lay;
}

static struct kx_x86_sysinfo *sysinfo_of(struct kexec_ctx *ctx)
{
	struct kx_x86_sysinfo *si = malloc(sizeof(*si));

	assert_non_null(si);
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), 0);
	return si;
}

static void sysinfo_done(struct kx_x86_sysinfo *si)
{
	kx_x86_sysinfo_free(si);
	free(si);
}

/* Walk the setup_data chain: offsets (into buf) of the nodes, in order. */
static size_t chain(const uint8_t *b, size_t len, uint64_t base, size_t *nodes, size_t max)
{
	uint64_t next = g64(b, 0x250);
	size_t n = 0;

	while (next) {
		uint64_t off;

		if (next < base || next - base + 16 > len)
			fail_msg("setup_data node at %#llx is outside the buffer at %#llx (+%zu)",
				 (unsigned long long)next, (unsigned long long)base, len);
		off = next - base;
		assert_int_equal(off % 8, 0);
		assert_true(n < max);
		nodes[n++] = (size_t)off;
		next = g64(b, (size_t)off);
	}
	return n;
}

/* ---- e820 ----------------------------------------------------------------- */

static void test_e820_bios(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-bios");
	struct kx_e820 e = { 0 };

	(void)state;
	assert_int_equal(kx_e820_from_system(ctx, &e), 7);
	assert_e820(&e, bios_e820, 7);
	kx_e820_free(&e);
	assert_null(e.e);
	assert_int_equal(e.nr, 0);
	kexec_ctx_free(ctx);
}

static void test_e820_efi(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-efi");
	struct kx_e820 e = { 0 };

	(void)state;
	assert_int_equal(kx_e820_from_system(ctx, &e), 15);
	assert_e820(&e, efi_e820, 15);
	kx_e820_free(&e);
	kexec_ctx_free(ctx);
}

/* Every name the kernel prints, with its exact e820 type; directories out of order. */
static void test_e820_all_types(void **state)
{
	struct tmp *t = *state;
	static const struct {
		const char *name;
		uint32_t type;
	} names[] = {
		{ "System RAM", 1 },
		{ "Reserved", 2 },
		{ "ACPI Tables", 3 },
		{ "ACPI Non-volatile Storage", 4 },
		{ "Unusable memory", 5 },
		{ "Persistent Memory", 7 },
		{ "Persistent Memory (legacy)", 12 },
		{ "Soft Reserved", 0xefffffff },
		{ "Mystery", 2 },
	};
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kx_e820 e = { 0 };
	size_t i, n = sizeof(names) / sizeof(names[0]);

	for (i = 0; i < n; i++) {
		size_t dir = (i * 4) % n; /* 4 and 9 are coprime: every directory once */

		write_fw_entry(t->dir, (unsigned)dir, 0x100000000ULL * (i + 1),
			       0x100000000ULL * (i + 1) + 0xfff, names[i].name);
	}
	assert_int_equal(kx_e820_from_system(ctx, &e), (int)n);
	for (i = 0; i < n; i++) {
		assert_int_equal(e.e[i].addr, 0x100000000ULL * (i + 1));
		assert_int_equal(e.e[i].size, 0x1000);
		assert_int_equal(e.e[i].type, names[i].type);
	}
	assert_logged("/sys/firmware/memmap: 0x900000000-0x900000fff has unknown type \"Mystery\": "
		      "passing it as reserved");
	assert_int_equal(log_worst, LOG_WARNING);
	kx_e820_free(&e);
	kexec_ctx_free(ctx);
}

/* No /sys/firmware/memmap: /proc/iomem's top level, e820 names only. */
static void test_e820_iomem_fallback(void **state)
{
	static const struct e820_want want[] = {
		{ 0x0, 0x1000, 2 },
		{ 0x1000, 0x9ec00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x100000, 0x3fee0000, 1 },
		{ 0x3ffe0000, 0x20000, 2 },
		{ 0xfffc0000, 0x40000, 2 },
		{ 0xfd00000000, 0x300000000, 2 },
	};
	struct kexec_ctx *ctx = ctx_fixture("x86-iomem-only");
	struct kx_e820 e = { 0 };

	(void)state;
	assert_int_equal(kx_e820_from_system(ctx, &e), 8);
	assert_e820(&e, want, 8);
	assert_logged("\"PCI Bus 0000:00\" is not an e820 range");
	assert_logged("\"Local APIC\" is not an e820 range");
	kx_e820_free(&e);
	kexec_ctx_free(ctx);
}

static void test_e820_errors(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kx_e820 e = { 0 }, keep;
	struct kx_e820_entry one = { 1, 2, 3 };

	/* Nothing at all: neither source exists. */
	keep.e = &one;
	keep.nr = keep.cap = 1;
	e = keep;
	assert_int_equal(kx_e820_from_system(ctx, &e), -ENOENT);
	assert_ptr_equal(e.e, &one); /* a failed read leaves the old map alone */
	assert_int_equal(log_worst, LOG_ERR);

	/* A range over all of the 64-bit space has no size. */
	log_reset();
	write_fw_entry(t->dir, 0, 0, UINT64_MAX, "Reserved");
	assert_int_equal(kx_e820_from_system(ctx, &e), -ERANGE);
	assert_ptr_equal(e.e, &one);
	assert_logged("covers all of the 64-bit address space");

	/* An iomem without a single e820 range (and no firmware memmap). */
	log_reset();
	remove_file(t->dir, "sys/firmware/memmap/0/start");
	remove_file(t->dir, "sys/firmware/memmap/0/end");
	remove_file(t->dir, "sys/firmware/memmap/0/type");
	remove_file(t->dir, "sys/firmware/memmap/0");
	remove_file(t->dir, "sys/firmware/memmap");
	write_text(t->dir, "proc/iomem", "fec00000-fec003ff : IOAPIC 0\n"
					     "  fec00000-fec003ff : Reserved\n");
	assert_int_equal(kx_e820_from_system(ctx, &e), -ENODATA);
	assert_logged("no e820 ranges");
	assert_ptr_equal(e.e, &one);
	kexec_ctx_free(ctx);
}

/* ---- The running system ----------------------------------------------------- */

static void test_sysinfo_bios(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-bios");
	struct kx_x86_sysinfo *si;
	uint8_t raw[4096];

	(void)state;
	si = sysinfo_of(ctx);
	read_fixture("x86-bios/sys/kernel/boot_params/data", raw, sizeof(raw));
	assert_true(si->have_boot_params);
	assert_memory_equal(si->boot_params, raw, sizeof(raw));
	assert_false(si->efi);
	assert_int_equal(si->acpi_rsdp, 0xf59d0); /* the decompressor's acpi_rsdp_addr */
	assert_null(si->efi_runtime_map);
	assert_int_equal(si->efi_runtime_map_size, 0);
	assert_e820(&si->e820, bios_e820, 7);
	assert_logged("not booted through EFI");
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

static void test_sysinfo_efi(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-efi");
	struct kx_x86_sysinfo *si;
	size_t i;

	(void)state;
	si = sysinfo_of(ctx);
	assert_true(si->have_boot_params);
	assert_true(si->efi);
	assert_int_equal(si->efi_fw_vendor, 0x3f52aa18);
	assert_int_equal(si->efi_runtime, 0x3f5ebb98);
	assert_int_equal(si->efi_config_table, 0x3f5ebc98);
	assert_int_equal(si->efi_smbios, 0x3f520000);
	/* boot_params' acpi_rsdp_addr is 0 on this EFI boot: systab's ACPI20= */
	assert_int_equal(si->acpi_rsdp, 0x3f77d014);
	assert_int_equal(si->efi_desc_size, 48); /* efi_memdesc_size in boot_params */
	assert_int_equal(si->efi_runtime_map_size, 7 * 48);
	assert_non_null(si->efi_runtime_map);
	for (i = 0; i < 7; i++) {
		const uint8_t *d = si->efi_runtime_map + i * 48;
		static const uint8_t zeros[8];

		assert_int_equal(g32(d, 0), efi_runtime[i].type);
		assert_int_equal(g32(d, 4), 0);
		assert_int_equal(g64(d, 8), efi_runtime[i].phys);
		assert_int_equal(g64(d, 16), efi_runtime[i].virt);
		assert_int_equal(g64(d, 24), efi_runtime[i].pages);
		assert_int_equal(g64(d, 32), efi_runtime[i].attr);
		assert_memory_equal(d + 40, zeros, 8);
	}
	assert_e820(&si->e820, efi_e820, 15);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/*
 * EFI without /sys/kernel/boot_params/data: descriptors of 48 bytes by
 * default; ACPI= when there is no ACPI20=, SMBIOS3= when there is no SMBIOS=,
 * and runtime-map entries in numeric (not readdir) order.
 */
static void test_sysinfo_efi_fallbacks(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kx_x86_sysinfo *si;
	unsigned n;

	write_small_memmap(t->dir);
	write_text(t->dir, "sys/firmware/efi/fw_vendor", "0xabc\n");
	write_text(t->dir, "sys/firmware/efi/systab",
		   "MPS=0x9fc00\nACPI=0xe0000\nSMBIOS3=0x7fb000\nJUNK\n=0x1\n");
	for (n = 0; n < 12; n++) {
		char phys[32];

		snprintf(phys, sizeof(phys), "0x%x\n", n * 0x1000);
		write_runtime_entry(t->dir, n, "0x5\n", phys, "0x0\n", "0x1\n", "0x1\n");
	}
	write_text(t->dir, "sys/firmware/efi/runtime-map/notanumber", "");
	/* Not how the kernel names them: skipped. */
	write_text(t->dir, "sys/firmware/efi/runtime-map/012", "");

	si = sysinfo_of(ctx);
	assert_false(si->have_boot_params);
	assert_true(si->efi);
	assert_int_equal(si->efi_fw_vendor, 0xabc);
	assert_int_equal(si->efi_runtime, 0);      /* absent: 0 */
	assert_int_equal(si->efi_config_table, 0); /* absent: 0 */
	assert_int_equal(si->efi_smbios, 0x7fb000);
	assert_int_equal(si->acpi_rsdp, 0xe0000);
	assert_int_equal(si->efi_desc_size, 48);
	assert_int_equal(si->efi_runtime_map_size, 12 * 48);
	for (n = 0; n < 12; n++)
		assert_int_equal(g64(si->efi_runtime_map, n * 48 + 8), n * 0x1000);
	assert_logged("/sys/kernel/boot_params/data does not exist");
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/* Hostile /sys content: clean errors, no leak, an empty sysinfo afterwards. */
static void test_sysinfo_hostile(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kx_x86_sysinfo *si = malloc(sizeof(*si));
	char big[5000], path[PATH_MAX];
	uint8_t bp[4096];
	static const struct {
		const char *file, *content, *log;
	} bad[] = {
		{ "sys/firmware/efi/fw_vendor", "0xZZ\n", "fw_vendor: not a 64-bit hex value" },
		{ "sys/firmware/efi/fw_vendor", "0x10000000000000000\n", "not a 64-bit hex value" },
		{ "sys/firmware/efi/fw_vendor", "", "not a 64-bit hex value" },
		{ "sys/firmware/efi/fw_vendor", "0x1 0x2\n", "not a 64-bit hex value" },
		{ "sys/firmware/efi/runtime", "-1\n", "runtime: not a 64-bit hex value" },
		{ "sys/firmware/efi/config_table", "0x\n", "config_table: not a 64-bit hex value" },
		{ "sys/firmware/efi/systab", "ACPI20=0xnothex\n", "ACPI20= is not a 64-bit hex" },
		{ "sys/firmware/efi/systab", "SMBIOS=\n", "SMBIOS= is not a 64-bit hex" },
		{ "sys/firmware/efi/runtime-map/0/type", "0x100000000\n",
		  "does not fit the descriptor's 32-bit type" },
		{ "sys/firmware/efi/runtime-map/0/phys_addr", "0x12345678123456789\n",
		  "phys_addr: not a 64-bit hex value" },
	};
	size_t i;

	assert_non_null(si);
	write_small_memmap(t->dir);
	write_text(t->dir, "sys/firmware/efi/fw_vendor", "0x1\n");
	write_runtime_entry(t->dir, 0, "0x5\n", "0x1000\n", "0x0\n", "0x1\n", "0x1\n");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char saved[64] = "";

		join(path, t->dir, bad[i].file);
		{
			FILE *f = fopen(path, "r");

			if (f) {
				size_t n = fread(saved, 1, sizeof(saved) - 1, f);

				saved[n] = '\0';
				fclose(f);
			}
		}
		write_text(t->dir, bad[i].file, bad[i].content);
		log_reset();
		assert_int_equal(kx_x86_sysinfo_read(ctx, si), -EINVAL);
		assert_logged(bad[i].log);
		assert_null(si->efi_runtime_map);
		assert_null(si->e820.e);
		if (saved[0])
			write_text(t->dir, bad[i].file, saved);
		else
			remove_file(t->dir, bad[i].file);
	}

	/* A sysfs value larger than any sysfs value. */
	memset(big, '1', sizeof(big));
	write_bytes(t->dir, "sys/firmware/efi/runtime", big, sizeof(big));
	log_reset();
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), -EINVAL);
	assert_logged("more than 64 bytes");
	remove_file(t->dir, "sys/firmware/efi/runtime");
	write_bytes(t->dir, "sys/firmware/efi/systab", big, sizeof(big));
	log_reset();
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), -EINVAL);
	assert_logged("larger than a sysfs page");
	remove_file(t->dir, "sys/firmware/efi/systab");

	/* A runtime-map entry without one of its fields. */
	remove_file(t->dir, "sys/firmware/efi/runtime-map/0/attribute");
	log_reset();
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), -EINVAL);
	assert_logged("runtime-map/0/attribute does not exist");
	write_text(t->dir, "sys/firmware/efi/runtime-map/0/attribute", "0x1\n");

	/* boot_params/data of the wrong size, both ways. */
	write_bytes(t->dir, "sys/kernel/boot_params/data", big, 100);
	log_reset();
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), -EINVAL);
	assert_logged("100 bytes, the zero page is 4096");
	assert_false(si->have_boot_params);
	write_bytes(t->dir, "sys/kernel/boot_params/data", big, sizeof(big));
	log_reset();
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), -EINVAL);
	assert_logged("larger than the 4096-byte zero page");

	/* An EFI descriptor size that is no descriptor size. */
	memset(bp, 0, sizeof(bp));
	p32(bp, 0x1c8, 0xffffffff);
	write_bytes(t->dir, "sys/kernel/boot_params/data", bp, sizeof(bp));
	log_reset();
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), -EINVAL);
	assert_logged("efi_memdesc_size 4294967295 is not an EFI memory descriptor size");
	p32(bp, 0x1c8, 24);
	write_bytes(t->dir, "sys/kernel/boot_params/data", bp, sizeof(bp));
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), -EINVAL);

	/* A larger but valid one: descriptors are padded with zeros to it. */
	p32(bp, 0x1c8, 64);
	write_bytes(t->dir, "sys/kernel/boot_params/data", bp, sizeof(bp));
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), 0);
	assert_int_equal(si->efi_desc_size, 64);
	assert_int_equal(si->efi_runtime_map_size, 64);
	assert_int_equal(g64(si->efi_runtime_map, 8), 0x1000);
	assert_int_equal(g64(si->efi_runtime_map, 56), 0);
	kx_x86_sysinfo_free(si);

	/* Far more runtime-map entries than any firmware has: refused before reading them. */
	for (i = 1; i <= 4096; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "sys/firmware/efi/runtime-map/%zu", i);
		join(path, t->dir, rel);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	log_reset();
	assert_int_equal(kx_x86_sysinfo_read(ctx, si), -E2BIG);
	assert_logged("more than 4096 entries");
	assert_null(si->efi_runtime_map);

	free(si);
	kexec_ctx_free(ctx);
}

/* ---- Building the zero page: BIOS ------------------------------------------- */

static void test_build_bios(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-bios");
	struct kx_x86_sysinfo *si;
	const char *cmd = "console=ttyS0 root=/dev/vda ro";
	struct kx_x86_boot_layout lay = layout(cmd, 0x12340000);
	uint8_t *b = NULL, raw[4096];
	size_t len = 0, i;

	(void)state;
	si = sysinfo_of(ctx);
	read_fixture("x86-bios/sys/kernel/boot_params/data", raw, sizeof(raw));
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_non_null(b);
	assert_int_equal(len, 4096 + strlen(cmd) + 1);

	/* The command line right after the page, with its NUL. */
	assert_memory_equal(b + 4096, cmd, strlen(cmd) + 1);
	assert_int_equal(g32(b, 0x228), 0x12340000 + 4096);
	assert_int_equal(g32(b, 0x0c8), 0);

	/* The setup header: image bytes 0x1f1..0x26b, then our fields. */
	assert_int_equal(b[0x1f1], 4);                     /* setup_sects */
	assert_int_equal(b[0x1f2], 1);                     /* root_flags */
	assert_int_equal(g16(b, 0x1fa), 0xffff);            /* vid_mode */
	assert_int_equal(g16(b, 0x1fe), 0xaa55);
	assert_int_equal(b[0x200], 0xeb);
	assert_int_equal(b[0x201], 0x6a);
	assert_memory_equal(b + 0x202, "HdrS", 4);
	assert_int_equal(g16(b, 0x206), 0x020f);
	assert_int_equal(g16(b, 0x20e), 0x200);             /* kernel_version pointer */
	assert_int_equal(g32(b, 0x22c), 0x7fffffff);        /* initrd_addr_max */
	assert_int_equal(g32(b, 0x230), 0x200000);          /* kernel_alignment */
	assert_int_equal(b[0x234], 1);                      /* relocatable_kernel */
	assert_int_equal(g16(b, 0x236), 0x7f);              /* xloadflags */
	assert_int_equal(g32(b, 0x238), 2048);              /* cmdline_size */
	assert_int_equal(g32(b, 0x248), 0x2cc);             /* payload_offset */
	assert_int_equal(g32(b, 0x24c), 0xd696cc);
	assert_int_equal(g64(b, 0x258), 0x1000000);         /* pref_address */
	assert_int_equal(g32(b, 0x260), 0x2000000);         /* init_size */
	assert_int_equal(g32(b, 0x264), 0xd7f91c);          /* handover_offset */
	assert_int_equal(g32(b, 0x268), 0xd72f10);          /* kernel_info_offset */
	assert_int_equal(b[0x26c], 0);                      /* past the header: not copied */
	assert_int_equal(b[0x1ef], 0);                      /* sentinel */
	assert_int_equal(b[0x210], 0xd0);                   /* type_of_loader: kexec */
	assert_int_equal(b[0x211], 0);                      /* loadflags, as kexec_file */
	assert_int_equal(g32(b, 0x214), 0x1000000);         /* code32_start */
	assert_int_equal(g32(b, 0x218), 0x3f000000);        /* ramdisk_image */
	assert_int_equal(g32(b, 0x21c), 0x00a12345);        /* ramdisk_size */
	assert_int_equal(g32(b, 0x0c0), 0);
	assert_int_equal(g32(b, 0x0c4), 0);
	assert_int_equal(g32(b, 0x23c), g32(raw, 0x23c));   /* hardware_subarch */
	assert_int_equal(g64(b, 0x250), 0);                 /* no setup_data */

	/* From the running kernel: screen_info (with ext_mem_k recomputed), ACPI. */
	assert_memory_equal(b, raw, 2);
	assert_memory_equal(b + 4, raw + 4, 0x40 - 4);
	assert_int_equal(g16(b, 0x002), 0xfc00);             /* 1 GiB: capped at 64M */
	assert_int_equal(g32(b, 0x1e0), (0x3ffdffffULL >> 10) - 0x400); /* alt_mem_k */
	assert_int_equal(g64(b, 0x070), 0xf59d0);
	/* Not copied: APM, hd0/hd1, sys_desc_table, EDID (kexec_file zeroes them). */
	for (i = 0x040; i < 0x070; i++)
		assert_int_equal(b[i], 0);
	for (i = 0x140; i < 0x1c0; i++)
		assert_int_equal(b[i], 0);
	assert_int_not_equal(raw[0x140 + 1], 0);            /* the guest did have an EDID */

	/* e820 */
	assert_int_equal(b[0x1e8], 7);
	assert_zp_e820(b, 0x2d0, bios_e820, 7);
	for (i = 0x2d0 + 7 * 20; i < 0xcd0; i++)
		assert_int_equal(b[i], 0);

	/* No EFI. */
	for (i = 0x1c0; i < 0x1e0; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(b[0x1ec], 0);

	free(b);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/* What the running kernel's page supplies: subarch, EDD, screen_info; the sentinel is ours. */
static void test_build_copies_running(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-bios");
	struct kx_x86_sysinfo *si;
	struct kx_x86_boot_layout lay = layout("x", 0x100000);
	uint8_t *b = NULL;
	size_t len = 0, i;

	(void)state;
	si = sysinfo_of(ctx);
	p32(si->boot_params, 0x23c, 2);                 /* X86_SUBARCH_XEN */
	si->boot_params[0x1ef] = 0xff;                  /* a set sentinel */
	si->boot_params[0x1e9] = 2;                     /* eddbuf_entries */
	si->boot_params[0x1ea] = 1;                     /* edd_mbr_sig_buf_entries */
	for (i = 0; i < 6 * 82; i++)
		si->boot_params[0xd00 + i] = (uint8_t)(i * 3 + 1);
	p32(si->boot_params, 0x290, 0xdeadbeef);
	si->boot_params[0x1ec] = 3;                     /* secure_boot: BIOS, not passed */
	for (i = 0x40; i < 0x70; i++)                   /* APM, IST: never passed */
		si->boot_params[i] = 0x77;

	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(g32(b, 0x23c), 2);
	assert_int_equal(b[0x1ef], 0);
	assert_int_equal(b[0x1e9], 2);
	assert_int_equal(b[0x1ea], 1);
	assert_memory_equal(b + 0xd00, si->boot_params + 0xd00, 6 * 82);
	assert_int_equal(g32(b, 0x290), 0xdeadbeef);
	assert_int_equal(b[0x1ec], 0);
	for (i = 0x40; i < 0x70; i++)
		assert_int_equal(b[i], 0);
	free(b);

	/* Counts beyond the arrays are clamped. */
	si->boot_params[0x1e9] = 200;
	si->boot_params[0x1ea] = 200;
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(b[0x1e9], 6);
	assert_int_equal(b[0x1ea], 16);
	free(b);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/* ---- Building the zero page: EFI -------------------------------------------- */

static void test_build_efi(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-efi");
	struct kx_x86_sysinfo *si;
	const char *cmd = "console=ttyS0";
	/* Above 4 GiB: every pointer needs its high half. */
	const uint64_t base = 0x123450000ULL;
	struct kx_x86_boot_layout lay = layout(cmd, base);
	size_t nodes[8], n, len = 0, map_off, i;
	uint8_t *b = NULL, raw[4096];
	uint64_t memmap;

	(void)state;
	lay.rng_seed = true;
	si = sysinfo_of(ctx);
	read_fixture("x86-efi/sys/kernel/boot_params/data", raw, sizeof(raw));
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);

	/* page, cmdline (14) -> 4112, runtime map 336 -> 4448, SETUP_EFI 112 -> 4560, RNG 48 */
	assert_int_equal(len, 4608);
	assert_int_equal(g32(b, 0x228), (uint32_t)(base + 4096));
	assert_int_equal(g32(b, 0x0c8), 1);

	/* efi_info */
	assert_memory_equal(b + 0x1c0, "EL64", 4);
	assert_int_equal(g32(b, 0x1c4), 0x3f5eb018);        /* efi_systab, from boot_params */
	assert_int_equal(g32(b, 0x1c4), g32(raw, 0x1c4));
	assert_int_equal(g32(b, 0x1c8), 48);                /* efi_memdesc_size */
	assert_int_equal(g32(b, 0x1cc), 1);                 /* efi_memdesc_version */
	memmap = g32(b, 0x1d0) | (uint64_t)g32(b, 0x1dc) << 32;
	assert_int_equal(g32(b, 0x1d4), 7 * 48);            /* efi_memmap_size: the runtime map */
	assert_int_equal(g32(b, 0x1d8), 0);                 /* efi_systab_hi */
	assert_int_equal(g32(b, 0x1dc), 1);                 /* efi_memmap_hi */
	map_off = (size_t)(memmap - base);
	assert_int_equal(map_off, 4112);
	assert_memory_equal(b + map_off, si->efi_runtime_map, 7 * 48);
	assert_int_equal(g64(b + map_off, 6 * 48 + 16), 0xfffffffefc400000);
	assert_int_equal(b[0x1ec], 2);                      /* secure_boot: disabled */
	assert_int_equal(g64(b, 0x070), 0x3f77d014);        /* RSDP from systab ACPI20= */

	/* The setup_data chain: SETUP_EFI, then the RNG seed. */
	n = chain(b, len, base, nodes, 8);
	assert_int_equal(n, 2);
	assert_int_equal(nodes[0], 4448);
	assert_int_equal(g32(b, nodes[0] + 8), 4);          /* SETUP_EFI */
	assert_int_equal(g32(b, nodes[0] + 12), 96);
	assert_int_equal(g64(b, nodes[0] + 16), 0x3f52aa18); /* fw_vendor */
	assert_int_equal(g64(b, nodes[0] + 24), 0x3f5ebb98); /* runtime (unused since 5.7) */
	assert_int_equal(g64(b, nodes[0] + 32), 0x3f5ebc98); /* tables */
	assert_int_equal(g64(b, nodes[0] + 40), 0x3f520000); /* smbios */
	for (i = 48; i < 16 + 96; i++)
		assert_int_equal(b[nodes[0] + i], 0);         /* reserved[8] */
	assert_int_equal(nodes[1], 4560);
	assert_int_equal(g32(b, nodes[1] + 8), 9);          /* SETUP_RNG_SEED */
	assert_int_equal(g32(b, nodes[1] + 12), 32);
	assert_int_equal(g64(b, nodes[1]), 0);
	{
		static const uint8_t zeros[32];

		assert_memory_not_equal(b + nodes[1] + 16, zeros, 32);
	}
	assert_int_equal(nodes[1] + 16 + 32, len);

	/* e820 and the rest as on BIOS. */
	assert_int_equal(b[0x1e8], 15);
	assert_zp_e820(b, 0x2d0, efi_e820, 15);
	assert_int_equal(b[0x210], 0xd0);
	assert_memory_equal(b + 0x04, raw + 0x04, 0x3c);   /* screen_info (EFI framebuffer) */
	assert_int_equal(b[0x0f], 0x70);                     /* orig_video_isVGA: VIDEO_TYPE_EFI */

	free(b);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/*
 * --no-efi on an EFI machine: no efi_info, runtime map or SETUP_EFI, though
 * everything for them is there; ACPI still reaches the next kernel; said at
 * info level, not as a warning.
 */
static void test_build_efi_no_efi(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-efi");
	struct kx_x86_sysinfo *si;
	struct kx_x86_boot_layout lay = layout("console=ttyS0", 0x20000);
	size_t nodes[8], n, len = 0, i;
	uint8_t *b = NULL;

	(void)state;
	lay.rng_seed = true;
	lay.no_efi = true;
	si = sysinfo_of(ctx);
	log_reset();
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_logged("not passing the EFI state on, as asked (--no-efi)");
	assert_true(log_worst > LOG_WARNING);
	/* page, cmdline (14) -> 4112, RNG 48: no runtime map, no SETUP_EFI. */
	assert_int_equal(len, 4112 + 48);
	for (i = 0x1c0; i < 0x1e0; i++)
		assert_int_equal(b[i], 0);                  /* efi_info */
	assert_int_equal(g64(b, 0x070), 0x3f77d014);        /* RSDP from systab ACPI20= */
	n = chain(b, len, 0x20000, nodes, 8);
	assert_int_equal(n, 1);
	assert_int_equal(g32(b, nodes[0] + 8), 9);          /* SETUP_RNG_SEED only */
	free(b);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/* EFI directory, but no boot_params: no efi_info (no system table address), a warning. */
static void test_build_efi_without_boot_params(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kx_x86_sysinfo *si;
	struct kx_x86_boot_layout lay = layout("quiet", 0x20000);
	uint8_t *b = NULL;
	size_t len = 0, i;

	write_small_memmap(t->dir);
	write_text(t->dir, "sys/firmware/efi/fw_vendor", "0x3f52aa18\n");
	write_text(t->dir, "sys/firmware/efi/config_table", "0x3f5ebc98\n");
	write_text(t->dir, "sys/firmware/efi/systab", "ACPI20=0x3f77d014\n");
	write_runtime_entry(t->dir, 0, "0x5\n", "0x1000\n", "0x0\n", "0x1\n", "0x1\n");
	si = sysinfo_of(ctx);
	assert_false(si->have_boot_params);
	log_reset();
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(len, 4096 + 6);
	assert_logged("not passing the EFI state on: the running kernel's boot_params");
	for (i = 0x1c0; i < 0x1e0; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(g64(b, 0x250), 0);
	assert_int_equal(g64(b, 0x070), 0x3f77d014); /* ACPI still reaches the next kernel */
	assert_int_equal(g32(b, 0x23c), 0);          /* hardware_subarch */
	for (i = 0; i < 0x40; i++)                     /* screen_info: zeros... */
		if (i != 2 && i != 3)
			assert_int_equal(b[i], 0);
	assert_int_equal(g16(b, 0x002), 0xfc00);       /* ...but for ext_mem_k */
	assert_int_equal(g32(b, 0x1e0), (0x3fffffffULL >> 10) - 0x400);
	free(b);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/* ---- A machine with 300 e820 entries ---------------------------------------- */

static const char *big_type_name(size_t i)
{
	static const char *const names[] = { "System RAM", "Reserved",
					     "ACPI Non-volatile Storage" };

	return names[i % 3];
}

static uint32_t big_type(size_t i)
{
	static const uint32_t types[] = { 1, 2, 4 };

	return types[i % 3];
}

static void write_big_machine(const char *dir)
{
	size_t i;

	/* Entry i (16 MiB at i * 16 MiB) lives in directory 7i mod 300: not in order. */
	for (i = 0; i < 300; i++)
		write_fw_entry(dir, (unsigned)((i * 7) % 300), (uint64_t)i << 24,
			       ((uint64_t)i << 24) + 0xffffff, big_type_name(i));
}

static void test_build_big_machine(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kx_x86_sysinfo *si;
	const uint64_t base = 0x12340000;
	struct kx_x86_boot_layout lay = layout("console=ttyS0,115200", base);
	size_t nodes[8], n, len = 0, i, ext;
	uint8_t *b = NULL;

	write_big_machine(t->dir);
	lay.rng_seed = true;
	si = sysinfo_of(ctx);
	assert_int_equal(si->e820.nr, 300);
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);

	assert_int_equal(b[0x1e8], 128);
	for (i = 0; i < 128; i++) {
		size_t o = 0x2d0 + i * 20;

		assert_int_equal(g64(b, o), (uint64_t)i << 24);
		assert_int_equal(g64(b, o + 8), 0x1000000);
		assert_int_equal(g32(b, o + 16), big_type(i));
	}
	assert_int_equal(0x2d0 + 128 * 20, 0xcd0);

	n = chain(b, len, base, nodes, 8);
	assert_int_equal(n, 2);
	ext = nodes[0];
	assert_int_equal(ext, 4096 + 32);                    /* cmdline 21 bytes, 16-aligned */
	assert_int_equal(g64(b, 0x250), base + ext);          /* absolute */
	assert_int_equal(g32(b, ext + 8), 1);                 /* SETUP_E820_EXT */
	assert_int_equal(g32(b, ext + 12), 172 * 20);
	for (i = 128; i < 300; i++) {
		size_t o = ext + 16 + (i - 128) * 20;

		assert_int_equal(g64(b, o), (uint64_t)i << 24);
		assert_int_equal(g64(b, o + 8), 0x1000000);
		assert_int_equal(g32(b, o + 16), big_type(i));
	}
	assert_int_equal(g64(b, ext), base + nodes[1]);       /* next: absolute */
	assert_int_equal(nodes[1], ((ext + 16 + 172 * 20) + 15) & ~(size_t)15);
	assert_int_equal(g32(b, nodes[1] + 8), 9);
	assert_int_equal(g64(b, nodes[1]), 0);                /* the end */
	assert_int_equal(len, nodes[1] + 48);

	/* ext_mem_k/alt_mem_k from the first RAM entry: [0, 16 MiB). */
	assert_int_equal(g16(b, 0x002), (0xffffff >> 10) - 0x400);
	assert_int_equal(g32(b, 0x1e0), (0xffffff >> 10) - 0x400);
	assert_logged("300 e820 entries: 128 in the zero page, 172 in SETUP_E820_EXT");
	free(b);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/* ---- The size does not depend on params_addr ---------------------------------- */

static void build_at(struct kexec_ctx *ctx, const struct kx_x86_sysinfo *si, uint64_t base,
		     uint8_t **b, size_t *len)
{
	struct kx_x86_boot_layout lay = layout("console=ttyS0 loglevel=8", base);

	lay.rng_seed = true;
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, b, len), 0);
}

/*
 * Two builds, at 0 and at 0x12340000: the same length, every pointer differs
 * by exactly the base, and with the pointers and the seed masked the bytes
 * are identical. The EFI machine with 300 e820 entries has every piece.
 */
static void test_build_base_independent(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_fixture("x86-efi");
	struct kx_x86_sysinfo *si;
	const uint64_t base = 0x12340000;
	size_t la = 0, lb = 0, na[8], nb[8], n, i;
	uint8_t *a = NULL, *b = NULL;

	si = sysinfo_of(ctx);
	/* Swap in the 300-entry map so that E820_EXT is in the chain too. */
	write_big_machine(t->dir);
	{
		struct kexec_ctx *big = ctx_at(t->dir);

		kx_e820_free(&si->e820);
		assert_int_equal(kx_e820_from_system(big, &si->e820), 300);
		kexec_ctx_free(big);
	}
	build_at(ctx, si, 0, &a, &la);
	build_at(ctx, si, base, &b, &lb);
	assert_int_equal(la, lb);

	assert_int_equal(g32(b, 0x228), g32(a, 0x228) + base);
	assert_int_equal(g32(a, 0x228), 4096);
	assert_int_equal(g32(b, 0x1d0), g32(a, 0x1d0) + base);
	assert_int_equal(g64(b, 0x250), g64(a, 0x250) + base);
	n = chain(a, la, 0, na, 8);
	assert_int_equal(chain(b, lb, base, nb, 8), n);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_int_equal(na[i], nb[i]);
	assert_int_equal(g32(a, na[0] + 8), 1);
	assert_int_equal(g32(a, na[1] + 8), 4);
	assert_int_equal(g32(a, na[2] + 8), 9);

	/* Mask what must differ; the rest is byte for byte the same. */
	p32(a, 0x228, 0);
	p32(b, 0x228, 0);
	p32(a, 0x1d0, 0);
	p32(b, 0x1d0, 0);
	memset(a + 0x250, 0, 8);
	memset(b + 0x250, 0, 8);
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			assert_int_equal(g64(b, nb[i]), g64(a, na[i]) + base);
		memset(a + na[i], 0, 8);
		memset(b + nb[i], 0, 8);
	}
	memset(a + na[2] + 16, 0, 32);
	memset(b + nb[2] + 16, 0, 32);
	assert_memory_equal(a, b, la);

	free(a);
	free(b);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/* ---- Command line, initrd, image ------------------------------------------ */

static void test_build_cmdline_limit(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-bios");
	struct kx_x86_sysinfo *si;
	char *cmd = malloc(4096);
	struct kx_x86_boot_layout lay;
	uint8_t *b = (uint8_t *)&lay, *untouched = (uint8_t *)&lay;
	size_t len = 12345;

	(void)state;
	assert_non_null(cmd);
	si = sysinfo_of(ctx);

	/* 2047 characters and the NUL: exactly cmdline_size (2048). */
	memset(cmd, 'a', 2047);
	cmd[2047] = '\0';
	lay = layout(cmd, 0x100000);
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(len, 4096 + 2048);
	assert_memory_equal(b + 4096, cmd, 2048);
	free(b);

	/* One more: refused, nothing written, never truncated. */
	memset(cmd, 'a', 2048);
	cmd[2048] = '\0';
	lay = layout(cmd, 0x100000);
	b = untouched;
	len = 12345;
	log_reset();
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), -E2BIG);
	assert_ptr_equal(b, untouched);
	assert_int_equal(len, 12345);
	assert_logged("3 cannot load kernel (setup header): command line is 2048 bytes, this "
		      "kernel accepts at most 2047");

	/* A smaller cmdline_size in the image. */
	lay = layout("0123456789", 0x100000);
	fake_put32(image, 0x238, 10);
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), -E2BIG);
	fake_put32(image, 0x238, 11);
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	free(b);

	/* A NULL command line is an empty one. */
	lay = layout(NULL, 0x100000);
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(len, 4097);
	assert_int_equal(b[4096], 0);
	free(b);

	free(cmd);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

static void test_build_high_addresses(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-bios");
	struct kx_x86_sysinfo *si;
	struct kx_x86_boot_layout lay = layout("root=/dev/vda", 0x87654000ULL << 8);
	uint8_t *b = NULL;
	size_t len = 0;

	(void)state;
	si = sysinfo_of(ctx);
	lay.initrd_addr = 0x123456000ULL;
	lay.initrd_size = 0x100002000ULL;     /* a 4 GiB + 8 KiB initrd */
	lay.kernel_addr = 0x200000000ULL;     /* a kernel above 4 GiB */
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(g32(b, 0x218), 0x23456000);
	assert_int_equal(g32(b, 0x0c0), 0x1);
	assert_int_equal(g32(b, 0x21c), 0x2000);
	assert_int_equal(g32(b, 0x0c4), 0x1);
	assert_int_equal(g32(b, 0x228), (uint32_t)((0x87654000ULL << 8) + 4096));
	assert_int_equal(g32(b, 0x0c8), 0x87);
	/* code32_start cannot hold it: the image's value stays (unused by the 64-bit entry). */
	assert_int_equal(g32(b, 0x214), 0x100000);
	free(b);

	/* No initrd: all four fields zero even with an address given. */
	lay = layout("root=/dev/vda", 0x100000);
	lay.initrd_addr = 0x123456000ULL;
	lay.initrd_size = 0;
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(g32(b, 0x218), 0);
	assert_int_equal(g32(b, 0x21c), 0);
	assert_int_equal(g32(b, 0x0c0), 0);
	assert_int_equal(g32(b, 0x0c4), 0);
	free(b);

	/* A buffer that would run past 2^64. */
	lay = layout("x", 0xfffffffffffff000ULL);
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), -ERANGE);
	assert_logged("run past the end of the address space");

	/* An address the setup_data headers cannot be aligned at. */
	lay = layout("x", 0x100008);
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), -EINVAL);
	assert_logged("boot_params address 0x100008 is not 16-byte aligned");
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

static void test_build_bad_input(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("x86-bios");
	struct kx_x86_sysinfo *si, empty;
	struct kx_x86_boot_layout lay;
	uint8_t *b = NULL;
	size_t len = 0, i;
	char cmd[300];

	(void)state;
	si = sysinfo_of(ctx);

	lay = layout("x", 0x100000);
	image[0x202] = 'X';
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), -ENOEXEC);
	assert_logged("no x86 setup header");

	lay = layout("x", 0x100000);
	lay.image_len = 0x207;
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), -ENOEXEC);
	lay.image = NULL;
	lay.image_len = 0;
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), -ENOEXEC);

	/* A header cut short by the image's end: copied as far as it goes. */
	lay = layout("x", 0x100000);
	lay.image_len = 0x230;
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(g32(b, 0x22c), 0x7fffffff);
	assert_int_equal(g32(b, 0x230), 0);
	free(b);

	/* A jump offset of 0: the header ends at 0x202, no cmdline_size: 255 bytes. */
	lay = layout(cmd, 0x100000);
	image[0x201] = 0;
	memset(cmd, 'c', 255);
	cmd[255] = '\0';
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), -E2BIG);
	cmd[254] = '\0';
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	for (i = 0x202; i < 0x210; i++)
		assert_int_equal(b[i], 0);
	free(b);

	/* No memory map at all. */
	memset(&empty, 0, sizeof(empty));
	lay = layout("x", 0x100000);
	assert_int_equal(kx_x86_build_boot_params(ctx, &empty, &lay, &b, &len), -EINVAL);
	assert_logged("no e820 memory map");

	assert_int_equal(kx_x86_build_boot_params(ctx, si, NULL, &b, &len), -EINVAL);
	assert_int_equal(kx_x86_build_boot_params(ctx, NULL, &lay, &b, &len), -EINVAL);
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, NULL, &len), -EINVAL);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

/* boot_params/data absent: still a bootable page, from the map and the image alone. */
static void test_build_without_boot_params(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kx_x86_sysinfo *si;
	struct kx_x86_boot_layout lay = layout("console=ttyS0", 0x9a000);
	uint8_t *b = NULL;
	size_t len = 0, i;
	unsigned n;

	for (n = 0; n < 7; n++)
		write_fw_entry(t->dir, n, bios_e820[n].addr,
			       bios_e820[n].addr + bios_e820[n].size - 1,
			       bios_e820[n].type == 1 ? "System RAM" : "Reserved");
	si = sysinfo_of(ctx);
	assert_false(si->have_boot_params);
	assert_false(si->efi);
	assert_int_equal(si->acpi_rsdp, 0);
	assert_logged("/sys/kernel/boot_params/data does not exist");
	assert_int_equal(kx_x86_build_boot_params(ctx, si, &lay, &b, &len), 0);
	assert_int_equal(g32(b, 0x23c), 0);     /* hardware_subarch: PC */
	assert_int_equal(g64(b, 0x070), 0);     /* the next kernel scans for the RSDP */
	assert_int_equal(b[0x1e8], 7);
	assert_zp_e820(b, 0x2d0, bios_e820, 7);
	assert_int_equal(b[0x210], 0xd0);
	assert_int_equal(g32(b, 0x228), 0x9a000 + 4096);
	for (i = 0x1c0; i < 0x1e0; i++)
		assert_int_equal(b[i], 0);
	free(b);
	sysinfo_done(si);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e820_bios),
		cmocka_unit_test(test_e820_efi),
		cmocka_unit_test_setup_teardown(test_e820_all_types, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_e820_iomem_fallback),
		cmocka_unit_test_setup_teardown(test_e820_errors, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_sysinfo_bios),
		cmocka_unit_test(test_sysinfo_efi),
		cmocka_unit_test_setup_teardown(test_sysinfo_efi_fallbacks, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_sysinfo_hostile, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_build_bios),
		cmocka_unit_test(test_build_copies_running),
		cmocka_unit_test(test_build_efi),
		cmocka_unit_test(test_build_efi_no_efi),
		cmocka_unit_test_setup_teardown(test_build_efi_without_boot_params, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_build_big_machine, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_build_base_independent, tmp_setup,
						tmp_teardown),
		cmocka_unit_test(test_build_cmdline_limit),
		cmocka_unit_test(test_build_high_addresses),
		cmocka_unit_test(test_build_bad_input),
		cmocka_unit_test_setup_teardown(test_build_without_boot_params, tmp_setup,
						tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
