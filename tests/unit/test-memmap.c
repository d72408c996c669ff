/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory map readers against fixture trees (tests/fixtures/<name>/proc/iomem,
 * .../sys/firmware/memmap/N/{start,end,type}) and against trees the tests
 * write into a fresh mkdtemp() directory: malformed and hostile /proc/iomem
 * files, and a machine with thousands of ranges.
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must name the tests/fixtures directory"
#endif

#define FIXTURE_TMP_NAME "test-memmap"
#include "fixture-util.h"

static void write_fw_entry(const char *dir, const char *entry, const char *start, const char *end,
			   const char *type)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%s/start", entry);
	if (start)
		write_text(dir, rel, start);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%s/end", entry);
	if (end)
		write_text(dir, rel, end);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%s/type", entry);
	if (type)
		write_text(dir, rel, type);
}

/* ---- Expected maps -------------------------------------------------------- */

struct want {
	uint64_t start;
	uint64_t end;
	enum kexec_mem_type type;
	unsigned depth;
	const char *name;
};

static void assert_range(const struct kexec_mem_range *r, const struct want *w, size_t i)
{
	if (r->start != w->start || r->end != w->end || r->type != w->type ||
	    r->depth != w->depth || strcmp(r->name, w->name))
		fail_msg("range %zu: got %#llx-%#llx type %d depth %u \"%s\", "
			 "want %#llx-%#llx type %d depth %u \"%s\"",
			 i, (unsigned long long)r->start, (unsigned long long)r->end, r->type,
			 r->depth, r->name, (unsigned long long)w->start,
			 (unsigned long long)w->end, w->type, w->depth, w->name);
}

static void assert_map(const struct kexec_memmap *map, const struct want *w, size_t nr)
{
	size_t i;

	assert_int_equal(map->nr, nr);
	assert_true(map->cap >= map->nr);
	for (i = 0; i < nr; i++)
		assert_range(&map->r[i], &w[i], i);
}

#define RAM LIBKEXEC_MEM_RAM
#define RES LIBKEXEC_MEM_RESERVED
#define ACPI LIBKEXEC_MEM_ACPI
#define NVS LIBKEXEC_MEM_NVS
#define UNUS LIBKEXEC_MEM_UNUSABLE
#define PMEM LIBKEXEC_MEM_PMEM
#define CRASH LIBKEXEC_MEM_CRASH
#define OTHER LIBKEXEC_MEM_OTHER

static const struct want qemu_iomem[] = {
	{ 0x00000000, 0x00000fff, RES, 0, "Reserved" },
	{ 0x00001000, 0x0009fbff, RAM, 0, "System RAM" },
	{ 0x0009fc00, 0x0009ffff, RES, 0, "Reserved" },
	{ 0x000a0000, 0x000bffff, OTHER, 0, "PCI Bus 0000:00" },
	{ 0x000c0000, 0x000c99ff, OTHER, 0, "Video ROM" },
	{ 0x000ca000, 0x000cadff, OTHER, 0, "Adapter ROM" },
	{ 0x000cb000, 0x000cb5ff, OTHER, 0, "Adapter ROM" },
	{ 0x000f0000, 0x000fffff, RES, 0, "Reserved" },
	{ 0x000f0000, 0x000fffff, OTHER, 1, "System ROM" },
	{ 0x00100000, 0x3ffdffff, RAM, 0, "System RAM" },
	{ 0x01000000, 0x01e01b27, OTHER, 1, "Kernel code" },
	{ 0x02000000, 0x0289dfff, OTHER, 1, "Kernel rodata" },
	{ 0x02a00000, 0x02d3c7ff, OTHER, 1, "Kernel data" },
	{ 0x0314c000, 0x035fffff, OTHER, 1, "Kernel bss" },
	{ 0x2f000000, 0x3effffff, CRASH, 1, "Crash kernel" },
	{ 0x3ffe0000, 0x3fffffff, RES, 0, "Reserved" },
	{ 0x40000000, 0xfebfffff, OTHER, 0, "PCI Bus 0000:00" },
	{ 0xfc000000, 0xfcffffff, OTHER, 1, "0000:00:02.0" },
	{ 0xfc000000, 0xfcffffff, OTHER, 2, "bochs-drm" },
	{ 0xfd000000, 0xfd003fff, OTHER, 1, "0000:00:03.0" },
	{ 0xfd000000, 0xfd003fff, OTHER, 2, "virtio-pci-modern" },
	{ 0xfeb80000, 0xfebbffff, OTHER, 1, "0000:00:03.0" },
	{ 0xfebd0000, 0xfebd0fff, OTHER, 1, "0000:00:02.0" },
	{ 0xfebd0000, 0xfebd0fff, OTHER, 2, "bochs-drm" },
	{ 0xfebd1000, 0xfebd1fff, OTHER, 1, "0000:00:03.0" },
	{ 0xfec00000, 0xfec003ff, OTHER, 0, "IOAPIC 0" },
	{ 0xfed00000, 0xfed003ff, OTHER, 0, "HPET 0" },
	{ 0xfed00000, 0xfed003ff, OTHER, 1, "PNP0103:00" },
	{ 0xfee00000, 0xfee00fff, OTHER, 0, "Local APIC" },
	{ 0xfeffc000, 0xfeffffff, RES, 0, "Reserved" },
	{ 0xfffc0000, 0xffffffff, RES, 0, "Reserved" },
	{ 0x100000000, 0x17fffffff, OTHER, 0, "PCI Bus 0000:00" },
};

/* SeaBIOS's e820 map: page 0 is still RAM here, /proc/iomem shows the kernel's edit. */
static const struct want qemu_fw[] = {
	{ 0x0, 0x9fbff, RAM, 0, "System RAM" },
	{ 0x9fc00, 0x9ffff, RES, 0, "Reserved" },
	{ 0xf0000, 0xfffff, RES, 0, "Reserved" },
	{ 0x100000, 0x3ffdffff, RAM, 0, "System RAM" },
	{ 0x3ffe0000, 0x3fffffff, RES, 0, "Reserved" },
	{ 0xfeffc000, 0xfeffffff, RES, 0, "Reserved" },
	{ 0xfffc0000, 0xffffffff, RES, 0, "Reserved" },
};

/* ---- Tests ---------------------------------------------------------------- */

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(kexec_mem_type_name(LIBKEXEC_MEM_RAM), "System RAM");
	assert_string_equal(kexec_mem_type_name(LIBKEXEC_MEM_RESERVED), "Reserved");
	assert_string_equal(kexec_mem_type_name(LIBKEXEC_MEM_ACPI), "ACPI Tables");
	assert_string_equal(kexec_mem_type_name(LIBKEXEC_MEM_NVS), "ACPI Non-volatile Storage");
	assert_string_equal(kexec_mem_type_name(LIBKEXEC_MEM_UNUSABLE), "Unusable memory");
	assert_string_equal(kexec_mem_type_name(LIBKEXEC_MEM_PMEM), "Persistent Memory");
	assert_string_equal(kexec_mem_type_name(LIBKEXEC_MEM_CRASH), "Crash kernel");
	assert_string_equal(kexec_mem_type_name(LIBKEXEC_MEM_OTHER), "other");
	/* Never NULL, so that callers can print it for any value. */
	assert_string_equal(kexec_mem_type_name((enum kexec_mem_type)0), "other");
	assert_string_equal(kexec_mem_type_name((enum kexec_mem_type)99), "other");
}

static void test_memmap_free_zeroed(void **state)
{
	struct kexec_memmap map = { 0 };

	(void)state;
	kexec_memmap_free(&map);
	kexec_memmap_free(&map);
	kexec_memmap_free(NULL);
	assert_null(map.r);
	assert_int_equal(map.nr, 0);
	assert_int_equal(map.cap, 0);
}

static void test_qemu_iomem(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("qemu-x86_64");
	struct kexec_memmap map = { 0 };

	(void)state;
	assert_int_equal(kexec_read_iomem(ctx, &map), (int)ARRAY_SIZE(qemu_iomem));
	assert_map(&map, qemu_iomem, ARRAY_SIZE(qemu_iomem));
	assert_true(log_worst > LOG_WARNING);
	kexec_memmap_free(&map);
	assert_null(map.r);
	assert_int_equal(map.nr, 0);
	assert_int_equal(map.cap, 0);
	kexec_ctx_free(ctx);
}

static void test_qemu_firmware_memmap(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("qemu-x86_64");
	struct kexec_memmap map = { 0 };

	(void)state;
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), (int)ARRAY_SIZE(qemu_fw));
	assert_map(&map, qemu_fw, ARRAY_SIZE(qemu_fw));
	kexec_memmap_free(&map);
	kexec_ctx_free(ctx);
}

static void test_qemu_crash_region(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("qemu-x86_64");
	uint64_t start = 1, end = 1;

	(void)state;
	assert_int_equal(kexec_find_crash_region(ctx, &start, &end), 0);
	assert_int_equal(start, 0x2f000000);
	assert_int_equal(end, 0x3effffff);
	/* crashkernel=256M */
	assert_int_equal(end - start + 1, 256ULL << 20);
	/* Either output may be omitted. */
	assert_int_equal(kexec_find_crash_region(ctx, NULL, NULL), 0);
	kexec_ctx_free(ctx);
}

static void test_root_trailing_slash(void **state)
{
	char root[PATH_MAX];
	struct kexec_ctx *ctx;
	uint64_t start = 0, end = 0;

	(void)state;
	snprintf(root, sizeof(root), "%s/qemu-x86_64///", FIXTURES_DIR);
	ctx = ctx_at(root);
	assert_int_equal(kexec_find_crash_region(ctx, &start, &end), 0);
	assert_int_equal(start, 0x2f000000);
	kexec_ctx_free(ctx);
}

static void test_hidden_addresses(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("hidden");
	struct kexec_memmap map = { 0 };
	uint64_t start = 7, end = 7;

	(void)state;
	assert_int_equal(kexec_read_iomem(ctx, &map), -EPERM);
	assert_null(map.r);
	assert_int_equal(map.nr, 0);
	assert_int_equal(log_worst, LOG_ERR);
	assert_logged("hides physical addresses");
	assert_logged("run as root");
	assert_logged("/hidden/proc/iomem");

	log_reset();
	assert_int_equal(kexec_find_crash_region(ctx, &start, &end), -EPERM);
	assert_int_equal(start, 7);
	assert_int_equal(end, 7);
	assert_logged("run as root");
	kexec_ctx_free(ctx);
}

/* A map from a previous read survives a failed read and is replaced by a good one. */
static void test_failed_read_keeps_map(void **state)
{
	struct kexec_ctx *good = ctx_fixture("qemu-x86_64");
	struct kexec_ctx *bad = ctx_fixture("hidden");
	struct kexec_memmap map = { 0 };

	(void)state;
	assert_int_equal(kexec_read_iomem(good, &map), (int)ARRAY_SIZE(qemu_iomem));
	assert_int_equal(kexec_read_iomem(bad, &map), -EPERM);
	assert_map(&map, qemu_iomem, ARRAY_SIZE(qemu_iomem));
	/* Replacing frees the old array: valgrind and ASan see a leak otherwise. */
	assert_int_equal(kexec_read_firmware_memmap(good, &map), (int)ARRAY_SIZE(qemu_fw));
	assert_map(&map, qemu_fw, ARRAY_SIZE(qemu_fw));
	kexec_memmap_free(&map);
	kexec_ctx_free(good);
	kexec_ctx_free(bad);
}

static void test_no_crash_region(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("qemu-aarch64");
	struct kexec_memmap map = { 0 };
	uint64_t start = 7, end = 7;

	(void)state;
	assert_int_equal(kexec_find_crash_region(ctx, &start, &end), -ENOENT);
	assert_int_equal(start, 7);
	assert_int_equal(end, 7);
	/* Not an error of the library: a machine booted without crashkernel=. */
	assert_int_equal(log_worst, LOG_DEBUG);
	assert_logged("crashkernel=");

	/* arm64's memblock reservations: lowercase "reserved", nested in RAM. */
	assert_int_equal(kexec_read_iomem(ctx, &map), 24);
	assert_range(&map.r[0], &(struct want){ 0, 0x03ffffff, OTHER, 0, "0.flash flash@0" }, 0);
	assert_range(&map.r[14], &(struct want){ 0x40000000, 0x7fffffff, RAM, 0, "System RAM" },
		     14);
	assert_range(&map.r[15], &(struct want){ 0x40210000, 0x4171ffff, OTHER, 1, "Kernel code" },
		     15);
	assert_range(&map.r[16], &(struct want){ 0x41720000, 0x41b8ffff, RES, 1, "reserved" }, 16);
	assert_range(&map.r[21], &(struct want){ 0x7ff28000, 0x7fffffff, RES, 1, "reserved" }, 21);
	assert_range(&map.r[22],
		     &(struct want){ 0x4010000000, 0x401fffffff, OTHER, 0, "PCI ECAM" }, 22);
	assert_range(&map.r[23],
		     &(struct want){ 0x8000000000, 0xffffffffff, OTHER, 0, "pcie@10000000" }, 23);
	kexec_memmap_free(&map);
	kexec_ctx_free(ctx);
}

static void test_crash_high_low(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("crash-high-low");
	uint64_t start = 0, end = 0;

	(void)state;
	/* crashkernel=512M,high: the 512 MiB above 4 GiB, not the 256 MiB low part. */
	assert_int_equal(kexec_find_crash_region(ctx, &start, &end), 0);
	assert_int_equal(start, 0x120000000);
	assert_int_equal(end, 0x13fffffff);
	assert_logged("0xaf000000-0xbeffffff");
	assert_int_equal(log_worst, LOG_DEBUG);
	kexec_ctx_free(ctx);
}

static void test_crash_tie_and_depth(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	uint64_t start = 0, end = 0;

	/* At depth 0 as well as nested; of equal sizes the first one wins. */
	write_text(t->dir, "proc/iomem",
		   "00001000-00001fff : System RAM\n"
		   "00002000-00002fff : Crash kernel\n"
		   "00003000-00004fff : System RAM\n"
		   "  00003000-00003fff : Crash kernel\n"
		   "  00004000-00004fff : Crash kernel\n"
		   "00005000-00005fff : Crash kernel (not this one)\n");
	assert_int_equal(kexec_find_crash_region(ctx, &start, &end), 0);
	assert_int_equal(start, 0x2000);
	assert_int_equal(end, 0x2fff);

	write_text(t->dir, "proc/iomem",
		   "00001000-00001fff : Crash kernel\n"
		   "00002000-00ffffff : System RAM\n"
		   "  00100000-002fffff : Crash kernel\n"
		   "0000000000000000-ffffffffffffffff : Crash kernel\n");
	assert_int_equal(kexec_find_crash_region(ctx, &start, &end), 0);
	assert_int_equal(start, 0);
	assert_int_equal(end, UINT64_MAX);
	kexec_ctx_free(ctx);
}

static void test_memmap_unordered(void **state)
{
	static const struct want sorted[] = {
		{ 0x0, 0x9ffff, RAM, 0, "System RAM" },
		{ 0x100000, 0x7fffff, RAM, 0, "System RAM" },
		{ 0x800000, 0x807fff, NVS, 0, "ACPI Non-volatile Storage" },
		{ 0x808000, 0x80afff, RAM, 0, "System RAM" },
		{ 0x80b000, 0x80bfff, NVS, 0, "ACPI Non-volatile Storage" },
		{ 0x80c000, 0x810fff, RAM, 0, "System RAM" },
		{ 0x811000, 0x8fffff, NVS, 0, "ACPI Non-volatile Storage" },
		{ 0x900000, 0x7e8ebfff, RAM, 0, "System RAM" },
		{ 0x7e8ec000, 0x7ebfffff, RES, 0, "Reserved" },
		{ 0x7ec00000, 0x7ec7dfff, ACPI, 0, "ACPI Tables" },
		{ 0x7ec7e000, 0x7effffff, NVS, 0, "ACPI Non-volatile Storage" },
		{ 0xb0000000, 0xbfffffff, RES, 0, "Reserved" },
		{ 0x100000000, 0x17fffffff, PMEM, 0, "Persistent Memory (legacy)" },
		{ 0x180000000, 0x1801fffff, UNUS, 0, "Unusable memory" },
		{ 0x180200000, 0x1ffffffff, RES, 0, "Soft Reserved" },
	};
	struct kexec_ctx *ctx = ctx_fixture("memmap-unordered");
	struct kexec_memmap map = { 0 };

	(void)state;
	/* Directories 0..14 plus "x1" and "12a", which are not entries. */
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), (int)ARRAY_SIZE(sorted));
	assert_map(&map, sorted, ARRAY_SIZE(sorted));
	kexec_memmap_free(&map);
	kexec_ctx_free(ctx);
}

static void test_memmap_missing(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("qemu-aarch64");
	struct kexec_memmap map = { 0 };

	(void)state;
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -ENOENT);
	assert_null(map.r);
	/* Callers fall back to /proc/iomem: nothing above debug level. */
	assert_int_equal(log_worst, LOG_DEBUG);
	assert_logged("/qemu-aarch64/sys/firmware/memmap");
	kexec_ctx_free(ctx);
}

static void test_iomem_missing(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("memmap-unordered");
	struct kexec_memmap map = { 0 };

	(void)state;
	assert_int_equal(kexec_read_iomem(ctx, &map), -ENOENT);
	assert_null(map.r);
	assert_int_equal(log_worst, LOG_ERR);
	assert_logged("/memmap-unordered/proc/iomem");
	kexec_ctx_free(ctx);
}

static void test_iomem_empty(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kexec_memmap map = { 0 };

	write_text(t->dir, "proc/iomem", "");
	assert_int_equal(kexec_read_iomem(ctx, &map), 0);
	assert_int_equal(map.nr, 0);
	kexec_memmap_free(&map);

	/* Blank lines are not ranges (and so not "all addresses hidden" either). */
	write_text(t->dir, "proc/iomem", "\n\n  \n");
	assert_int_equal(kexec_read_iomem(ctx, &map), 0);
	assert_int_equal(map.nr, 0);
	kexec_memmap_free(&map);

	assert_int_equal(kexec_find_crash_region(ctx, NULL, NULL), -ENOENT);
	kexec_ctx_free(ctx);
}

struct bad_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	unsigned line;
	const char *why;
};

static const struct bad_case bad_iomem[] = {
	{ "00000000-00000fff : Reserved\n0010000g-3ffdffff : System RAM\n", 0, 2, "start address" },
	{ "00100000-3ffdffxx : System RAM\n", 0, 1, "end address" },
	{ "3ffdffff-00100000 : System RAM\n", 0, 1, "above its end" },
	{ "00100000-3ffdffff System RAM\n", 0, 1, "' : '" },
	{ "00100000-3ffdffff :System RAM\n", 0, 1, "' : '" },
	{ "00100000-3ffdffff :\tSystem RAM\n", 0, 1, "' : '" },
	{ "00100000-3ffdffff\n", 0, 1, "' : '" },
	{ "00100000-3ffdffff:System RAM\n", 0, 1, "end address" },
	{ "00100000 3ffdffff : System RAM\n", 0, 1, "no '-'" },
	{ "00100000 : virtio-pci\n", 0, 1, "start address" },
	{ "-3ffdffff : System RAM\n", 0, 1, "start address" },
	{ "00100000- : System RAM\n", 0, 1, "end address" },
	{ "0x100000-0x3ffdffff : System RAM\n", 0, 1, "start address" },
	{ "\t00100000-3ffdffff : System RAM\n", 0, 1, "start address" },
	{ "+100000-3ffdffff : System RAM\n", 0, 1, "start address" },
	/* 17 significant digits: would wrap to a small, valid-looking address. */
	{ "10000000000000000-1ffffffffffffffff : PCI Bus\n", 0, 1, "start address" },
	{ "0-10000000000000000 : PCI Bus\n", 0, 1, "end address" },
	{ "00100000-3ffdffff : System\0RAM\n", 31, 1, "NUL" },
	{ "\0\n", 2, 1, "NUL" },
	/* Line numbers count blank lines; the last line needs no newline. */
	{ "00000000-00000fff : Reserved\n\n\ngarbage\n", 0, 4, "no '-'" },
	{ "00000000-00000fff : a\n00001000-00001fff : b\nzzz", 0, 3, "no '-'" },
	{ "00000000-00000fff : a\n00001000-00001fff : b\n00002000-", 0, 3, "end address" },
	{ "garbage", 0, 1, "no '-'" },
	{ "-", 0, 1, "start address" },
	{ " : ", 0, 1, "no '-'" },
};

static void test_iomem_malformed(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kexec_memmap map = { 0 };
	char needle[PATH_MAX + 64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_iomem); i++) {
		const struct bad_case *c = &bad_iomem[i];
		uint64_t start = 7;

		write_bytes(t->dir, "proc/iomem", c->text, c->len ? c->len : strlen(c->text));
		log_reset();
		if (kexec_read_iomem(ctx, &map) != -EINVAL)
			fail_msg("case %zu was not refused with -EINVAL; log:\n%s", i, log_text);
		assert_null(map.r);
		assert_int_equal(map.nr, 0);
		assert_int_equal(log_worst, LOG_ERR);
		/* The message names the file and the line, then why. */
		snprintf(needle, sizeof(needle), "%s/proc/iomem: line %u ", t->dir, c->line);
		assert_logged(needle);
		assert_logged(c->why);

		log_reset();
		assert_int_equal(kexec_find_crash_region(ctx, &start, NULL), -EINVAL);
		assert_int_equal(start, 7);
	}
	kexec_ctx_free(ctx);
}

static void test_iomem_hostile_but_valid(void **state)
{
	static const char prefix[] = "00001000-00001fff : ";
	static const char tail[] = "\n00002000-00002fff : System RAM";
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kexec_memmap map = { 0 };
	size_t big = 1 << 20, len;
	char *text;

	/* A 1 MiB name, and a last line without a newline. */
	len = strlen(prefix) + big + strlen(tail);
	text = malloc(len);
	assert_non_null(text);
	memcpy(text, prefix, strlen(prefix));
	memset(text + strlen(prefix), 'A', big);
	memcpy(text + strlen(prefix) + big, tail, strlen(tail));
	write_bytes(t->dir, "proc/iomem", text, len);
	free(text);
	assert_int_equal(kexec_read_iomem(ctx, &map), 2);
	assert_int_equal(map.r[0].start, 0x1000);
	assert_int_equal(map.r[0].type, OTHER);
	assert_int_equal(strlen(map.r[0].name), sizeof(map.r[0].name) - 1);
	assert_int_equal(strspn(map.r[0].name, "A"), sizeof(map.r[0].name) - 1);
	assert_range(&map.r[1], &(struct want){ 0x2000, 0x2fff, RAM, 0, "System RAM" }, 1);
	kexec_memmap_free(&map);

	write_text(t->dir, "proc/iomem",
		   /* The full 64-bit range, and leading zeros beyond 16 digits. */
		   "0000000000000000-ffffffffffffffff : PCI mem\n"
		   "  000000000000000000000100-0000000000000000000001ff : zeros\n"
		   /* Uppercase hex, one-digit addresses. */
		   "ABCDEF00-ABCDEFFF : upper\n"
		   "0-0 : \n"
		   /* An empty name, with and without its trailing space. */
		   "1-1 :\n"
		   /* The name itself contains the separator. */
		   "00002000-00002fff : a : b\n"
		   /* Odd indentation rounds down; deep nesting is kept. */
		   "   00003000-00003fff : three spaces\n"
		   "          00004000-00004fff : depth five\n"
		   /* The type comes from the whole name, not the truncated copy. */
		   "00005000-00005fff : System RAM but with a very long name that does not fit\n"
		   "00006000-00006fff : Persistent Memory (legacy)\n"
		   /*
		    * CRLF is not the kernel's: the "\r" stays part of the name (and the
		    * type is decided on it), shown as '?' since names go into messages.
		    */
		   "00007000-00007fff : System RAM\r\n");
	assert_int_equal(kexec_read_iomem(ctx, &map), 11);
	assert_range(&map.r[0], &(struct want){ 0, UINT64_MAX, OTHER, 0, "PCI mem" }, 0);
	assert_range(&map.r[1], &(struct want){ 0x100, 0x1ff, OTHER, 1, "zeros" }, 1);
	assert_range(&map.r[2], &(struct want){ 0xabcdef00, 0xabcdefff, OTHER, 0, "upper" }, 2);
	assert_range(&map.r[3], &(struct want){ 0, 0, OTHER, 0, "" }, 3);
	assert_range(&map.r[4], &(struct want){ 1, 1, OTHER, 0, "" }, 4);
	assert_range(&map.r[5], &(struct want){ 0x2000, 0x2fff, OTHER, 0, "a : b" }, 5);
	assert_range(&map.r[6], &(struct want){ 0x3000, 0x3fff, OTHER, 1, "three spaces" }, 6);
	assert_range(&map.r[7], &(struct want){ 0x4000, 0x4fff, OTHER, 5, "depth five" }, 7);
	assert_range(&map.r[8],
		     &(struct want){ 0x5000, 0x5fff, OTHER, 0,
				     "System RAM but with a very long name that does " },
		     8);
	assert_range(&map.r[9],
		     &(struct want){ 0x6000, 0x6fff, PMEM, 0, "Persistent Memory (legacy)" }, 9);
	assert_range(&map.r[10], &(struct want){ 0x7000, 0x7fff, OTHER, 0, "System RAM?" }, 10);
	kexec_memmap_free(&map);
	kexec_ctx_free(ctx);
}

static void test_iomem_all_types(void **state)
{
	static const struct want types[] = {
		{ 0x1000, 0x1fff, RAM, 0, "System RAM" },
		{ 0x2000, 0x2fff, RES, 0, "Reserved" },
		{ 0x3000, 0x3fff, RES, 1, "reserved" },
		{ 0x4000, 0x4fff, ACPI, 0, "ACPI Tables" },
		{ 0x5000, 0x5fff, NVS, 0, "ACPI Non-volatile Storage" },
		{ 0x6000, 0x6fff, UNUS, 0, "Unusable memory" },
		{ 0x7000, 0x7fff, PMEM, 0, "Persistent Memory" },
		{ 0x8000, 0x8fff, PMEM, 0, "Persistent Memory (legacy)" },
		{ 0x9000, 0x9fff, CRASH, 1, "Crash kernel" },
		{ 0xa000, 0xafff, RES, 0, "Soft Reserved" },
		{ 0xb000, 0xbfff, OTHER, 0, "RAM buffer" },
		{ 0xc000, 0xcfff, OTHER, 1, "Kernel code" },
		{ 0xd000, 0xdfff, OTHER, 0, "system ram" },
		{ 0xe000, 0xefff, OTHER, 0, "System RAM (kmem)" },
	};
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kexec_memmap map = { 0 };
	char text[4096] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		size_t used = strlen(text);

		snprintf(text + used, sizeof(text) - used, "%*s%08llx-%08llx : %s\n",
			 (int)types[i].depth * 2, "", (unsigned long long)types[i].start,
			 (unsigned long long)types[i].end, types[i].name);
	}
	write_text(t->dir, "proc/iomem", text);
	assert_int_equal(kexec_read_iomem(ctx, &map), (int)ARRAY_SIZE(types));
	assert_map(&map, types, ARRAY_SIZE(types));
	kexec_memmap_free(&map);
	kexec_ctx_free(ctx);
}

/*
 * Entries are the directories named as the kernel names them (decimal, no
 * leading zero, 64 bits at most), read in any readdir() order: others are
 * skipped unread, even when they hold garbage.
 */
static void test_memmap_entry_names(void **state)
{
	static const char *const skipped[] = { "01", "00", "+1", "-1", " 1", "1 ", "0x1",
						"18446744073709551616", "99999999999999999999999" };
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kexec_memmap map = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(skipped); i++)
		write_fw_entry(t->dir, skipped[i], "0xzz\n", "0xzz\n", "\n");
	write_fw_entry(t->dir, "18446744073709551615", "0x3000\n", "0x3fff\n", "Reserved\n");
	write_fw_entry(t->dir, "0", "0x1000\n", "0x1fff\n", "System RAM\n");
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), 2);
	assert_range(&map.r[0], &(struct want){ 0x1000, 0x1fff, RAM, 0, "System RAM" }, 0);
	assert_range(&map.r[1], &(struct want){ 0x3000, 0x3fff, RES, 0, "Reserved" }, 1);
	kexec_memmap_free(&map);
	kexec_ctx_free(ctx);
}

static void test_memmap_malformed(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kexec_memmap map = { 0 };
	char needle[PATH_MAX + 64];

	/* An existing but empty directory: no entries, not "no memmap". */
	write_text(t->dir, "sys/firmware/memmap/README", "not an entry\n");
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), 0);
	assert_int_equal(map.nr, 0);

	/* The kernel's "0x" may be missing; trailing blanks are not part of the value. */
	write_fw_entry(t->dir, "0", "1000", "0x1FFF \n", "System RAM\n\n");
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), 1);
	assert_range(&map.r[0], &(struct want){ 0x1000, 0x1fff, RAM, 0, "System RAM" }, 0);

	write_fw_entry(t->dir, "1", "0xzz\n", "0x2fff\n", "Reserved\n");
	log_reset();
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -EINVAL);
	snprintf(needle, sizeof(needle), "%s/sys/firmware/memmap/1/start", t->dir);
	assert_logged(needle);
	/* The previous result is kept. */
	assert_int_equal(map.nr, 1);
	assert_int_equal(map.r[0].start, 0x1000);

	write_fw_entry(t->dir, "1", "0x10000000000000000\n", NULL, NULL);
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -EINVAL);
	write_fw_entry(t->dir, "1", "0x\n", NULL, NULL);
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -EINVAL);
	write_fw_entry(t->dir, "1", "\n", NULL, NULL);
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -EINVAL);
	write_fw_entry(t->dir, "1", "0x3000\n", "0x2fff\n", NULL);
	log_reset();
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -EINVAL);
	assert_logged("above end");
	write_fw_entry(t->dir, "1", "0x2000\n", NULL, NULL);
	write_bytes(t->dir, "sys/firmware/memmap/1/end", "0x2f\0ff\n", 8);
	log_reset();
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -EINVAL);
	assert_logged("NUL");

	/* A missing field is a broken tree, not a missing memmap (-ENOENT). */
	write_fw_entry(t->dir, "2", "0x3000\n", "0x3fff\n", NULL);
	write_fw_entry(t->dir, "1", "0x2000\n", "0x2fff\n", NULL);
	log_reset();
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -EINVAL);
	snprintf(needle, sizeof(needle), "%s/sys/firmware/memmap/2/type", t->dir);
	assert_logged(needle);

	write_fw_entry(t->dir, "2", NULL, NULL, "Unknown E820 type\n");
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), 3);
	assert_range(&map.r[1], &(struct want){ 0x2000, 0x2fff, RES, 0, "Reserved" }, 1);
	assert_range(&map.r[2],
		     &(struct want){ 0x3000, 0x3fff, OTHER, 0, "Unknown E820 type" }, 2);
	kexec_memmap_free(&map);
	kexec_ctx_free(ctx);
}

#define BIG 5000

static void test_big_machine(void **state)
{
	static const enum kexec_mem_type cycle[] = { RAM, RES, ACPI, NVS };
	static const char *const cycle_name[] = { "System RAM", "Reserved", "ACPI Tables",
						  "ACPI Non-volatile Storage" };
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	struct kexec_memmap map = { 0 };
	uint64_t start = 0, end = 0;
	size_t cap = (size_t)BIG * 64, used = 0;
	char *text = malloc(cap);
	unsigned i;

	assert_non_null(text);
	/*
	 * Blocks of four lines, 256 MiB apart: RAM, a reservation inside it, a
	 * Crash kernel range that grows with the block number, a table.
	 */
	for (i = 0; i < BIG; i++) {
		uint64_t base = (uint64_t)(i / 4) << 28;
		static const char *const name[] = {
			"System RAM",
			"  Reserved",
			"    Crash kernel",
			"  ACPI Tables",
		};
		uint64_t s, e;

		switch (i % 4) {
		case 0:
			s = base, e = base + 0x0fffffff;
			break;
		case 1:
			s = base + 0x1000, e = base + 0x1fff;
			break;
		case 2:
			s = base + 0x100000, e = base + 0x100000 + (i / 4 + 1) * 0x1000ULL - 1;
			break;
		default:
			s = base + 0x0f000000, e = base + 0x0fffffff;
			break;
		}
		used += (size_t)snprintf(text + used, cap - used, "%.*s%08llx-%08llx : %s\n",
					 (int)(strspn(name[i % 4], " ")), name[i % 4],
					 (unsigned long long)s, (unsigned long long)e,
					 name[i % 4] + strspn(name[i % 4], " "));
		assert_true(used < cap);
	}
	write_bytes(t->dir, "proc/iomem", text, used);
	free(text);

	assert_int_equal(kexec_read_iomem(ctx, &map), BIG);
	for (i = 0; i < BIG; i++) {
		const struct kexec_mem_range *r = &map.r[i];
		uint64_t base = (uint64_t)(i / 4) << 28;
		uint64_t crash_end = base + 0x100000 + (i / 4 + 1) * 0x1000ULL - 1;

		switch (i % 4) {
		case 0:
			assert_range(r, &(struct want){ base, base + 0x0fffffff, RAM, 0,
							"System RAM" }, i);
			break;
		case 1:
			assert_range(r, &(struct want){ base + 0x1000, base + 0x1fff, RES, 1,
							"Reserved" }, i);
			break;
		case 2:
			assert_range(r, &(struct want){ base + 0x100000, crash_end, CRASH, 2,
							"Crash kernel" }, i);
			break;
		default:
			assert_range(r, &(struct want){ base + 0x0f000000, base + 0x0fffffff, ACPI,
							1, "ACPI Tables" }, i);
			break;
		}
	}
	kexec_memmap_free(&map);

	/* The largest reservation is in the very last block. */
	assert_int_equal(kexec_find_crash_region(ctx, &start, &end), 0);
	assert_int_equal(start, ((uint64_t)(BIG / 4 - 1) << 28) + 0x100000);
	assert_int_equal(end - start + 1, (BIG / 4) * 0x1000ULL);

	/* Directory i holds the entry that sorts at BIG - 1 - i. */
	for (i = 0; i < BIG; i++) {
		unsigned k = BIG - 1 - i;
		char entry[16], s[32], e[32], type[64];

		snprintf(entry, sizeof(entry), "%u", i);
		snprintf(s, sizeof(s), "0x%llx\n", (unsigned long long)k << 21);
		snprintf(e, sizeof(e), "0x%llx\n", ((unsigned long long)k << 21) + 0x1fffff);
		snprintf(type, sizeof(type), "%s\n", cycle_name[k % 4]);
		write_fw_entry(t->dir, entry, s, e, type);
	}
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), BIG);
	for (i = 0; i < BIG; i++) {
		uint64_t s = (uint64_t)i << 21;

		assert_range(&map.r[i],
			     &(struct want){ s, s + 0x1fffff, cycle[i % 4], 0, cycle_name[i % 4] },
			     i);
	}
	kexec_memmap_free(&map);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_memmap_free_zeroed),
		cmocka_unit_test(test_qemu_iomem),
		cmocka_unit_test(test_qemu_firmware_memmap),
		cmocka_unit_test(test_qemu_crash_region),
		cmocka_unit_test(test_root_trailing_slash),
		cmocka_unit_test(test_hidden_addresses),
		cmocka_unit_test(test_failed_read_keeps_map),
		cmocka_unit_test(test_no_crash_region),
		cmocka_unit_test(test_crash_high_low),
		cmocka_unit_test_setup_teardown(test_crash_tie_and_depth, tmp_setup,
						tmp_teardown),
		cmocka_unit_test(test_memmap_unordered),
		cmocka_unit_test(test_memmap_missing),
		cmocka_unit_test(test_iomem_missing),
		cmocka_unit_test_setup_teardown(test_iomem_empty, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_iomem_malformed, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_iomem_hostile_but_valid, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_iomem_all_types, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_memmap_malformed, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_memmap_entry_names, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_big_machine, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
