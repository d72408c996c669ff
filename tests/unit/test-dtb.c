/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device trees (lib/dtb.c) against fixture blobs (tests/fixtures/dtb: QEMU's
 * arm64 virt machine as sys/firmware/fdt, and .dts sources with their .dtb),
 * variants the tests derive from them with libfdt, and hostile blobs: bad
 * headers, every truncation, random corruption.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "dtb.h"
#include "params.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must name the tests/fixtures directory"
#endif

#define FIXTURE_TMP_NAME "test-dtb"
#include "fixture-util.h"

#define DTB_DIR FIXTURES_DIR "/dtb"
#define QEMU_DTB DTB_DIR "/sys/firmware/fdt"
#define FULL_DTB DTB_DIR "/chosen-full.dtb"
#define MIN32_DTB DTB_DIR "/minimal-32.dtb"
#define GiB 0x40000000ULL

/* ---- Helpers -------------------------------------------------------------- */

static void *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		fail_msg("fopen %s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A writable copy of blob with extra bytes of room, for the tests' own edits. */
static void *open_copy(const void *blob, size_t extra)
{
	size_t size = fdt_totalsize(blob) + extra;
	void *buf = malloc(size);

	assert_non_null(buf);
	assert_int_equal(fdt_open_into(blob, buf, (int)size), 0);
	return buf;
}

static int node_at(const void *fdt, const char *path)
{
	int node = fdt_path_offset(fdt, path);

	if (node < 0)
		fail_msg("no node %s: %s", path, fdt_strerror(node));
	return node;
}

static const void *chosen_prop(const void *fdt, const char *name, int *len)
{
	int chosen = fdt_path_offset(fdt, "/chosen");

	assert_true(chosen >= 0);
	return fdt_getprop(fdt, chosen, name, len);
}

static bool has_chosen_prop(const void *fdt, const char *name)
{
	int len;

	return chosen_prop(fdt, name, &len) != NULL;
}

/* Number of properties called name in node. */
static int count_props(const void *fdt, int node, const char *name)
{
	int prop, n = 0;

	fdt_for_each_property_offset(prop, fdt, node) {
		const char *pname;
		int len;

		assert_non_null(fdt_getprop_by_offset(fdt, prop, &pname, &len));
		n += !strcmp(pname, name);
	}
	return n;
}

static uint64_t be(const void *p, int len)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < len; i++)
		v = v << 8 | b[i];
	return v;
}

/* The /chosen property name: len bytes, holding value as one big-endian number. */
static void assert_chosen_num(const void *fdt, const char *name, int want_len, uint64_t value)
{
	int len;
	const void *p = chosen_prop(fdt, name, &len);

	if (!p)
		fail_msg("/chosen has no %s", name);
	if (len != want_len)
		fail_msg("/chosen %s: %d bytes, want %d", name, len, want_len);
	if (be(p, len) != value)
		fail_msg("/chosen %s: %#" PRIx64 ", want %#" PRIx64, name, be(p, len), value);
}

/* The /chosen property name: the cells given (each a 32-bit value). */
static void assert_chosen_cells(const void *fdt, const char *name, const uint32_t *cells,
				int n)
{
	int len, i;
	const uint8_t *p = chosen_prop(fdt, name, &len);

	if (!p)
		fail_msg("/chosen has no %s", name);
	if (len != 4 * n)
		fail_msg("/chosen %s: %d bytes, want %d", name, len, 4 * n);
	for (i = 0; i < n; i++) {
		if (be(p + 4 * i, 4) != cells[i])
			fail_msg("/chosen %s cell %d: %#" PRIx64 ", want %#" PRIx32, name, i,
				 be(p + 4 * i, 4), cells[i]);
	}
}

static bool in_list(const char *name, const char *const *list)
{
	for (; list && *list; list++) {
		if (!strcmp(name, *list))
			return true;
	}
	return false;
}

/*
 * Node by node, property by property, in order: every node of a but the
 * /chosen ones (whose properties in skip are not compared) is in b the same,
 * and b has no other node. The /memreserve/ maps are compared by the caller.
 */
static void assert_same_tree(const void *a, const void *b, const char *const *skip)
{
	int na = 0, nb = 0, node, depth = 0;

	for (node = 0; node >= 0 && depth >= 0; node = fdt_next_node(a, node, &depth)) {
		char path[512];
		int other, pa, pb;

		na++;
		assert_int_equal(fdt_get_path(a, node, path, sizeof(path)), 0);
		other = fdt_path_offset(b, path);
		if (other < 0)
			fail_msg("node %s is gone", path);
		pa = fdt_first_property_offset(a, node);
		pb = fdt_first_property_offset(b, other);
		for (;;) {
			const char *name_a = NULL, *name_b = NULL;
			const void *va = NULL, *vb = NULL;
			int la = 0, lb = 0;

			if (skip && !strcmp(path, "/chosen")) {
				while (pa >= 0 && (va = fdt_getprop_by_offset(a, pa, &name_a, &la)) &&
				       in_list(name_a, skip))
					pa = fdt_next_property_offset(a, pa);
				while (pb >= 0 && (vb = fdt_getprop_by_offset(b, pb, &name_b, &lb)) &&
				       in_list(name_b, skip))
					pb = fdt_next_property_offset(b, pb);
			}
			if (pa < 0 || pb < 0) {
				if (pa >= 0 || pb >= 0) {
					if (pa >= 0)
						fdt_getprop_by_offset(a, pa, &name_a, &la);
					else
						fdt_getprop_by_offset(b, pb, &name_b, &lb);
					fail_msg("%s: property %s %s", path,
						 pa >= 0 ? name_a : name_b,
						 pa >= 0 ? "is gone" : "is new");
				}
				break;
			}
			va = fdt_getprop_by_offset(a, pa, &name_a, &la);
			vb = fdt_getprop_by_offset(b, pb, &name_b, &lb);
			assert_non_null(va);
			assert_non_null(vb);
			if (strcmp(name_a, name_b))
				fail_msg("%s: property %s became %s", path, name_a, name_b);
			if (la != lb || memcmp(va, vb, (size_t)la))
				fail_msg("%s: property %s changed", path, name_a);
			pa = fdt_next_property_offset(a, pa);
			pb = fdt_next_property_offset(b, pb);
		}
	}
	for (node = 0, depth = 0; node >= 0 && depth >= 0; node = fdt_next_node(b, node, &depth))
		nb++;
	assert_int_equal(na, nb);
}

struct rsv {
	uint64_t addr, size;
};

static void assert_memreserve(const void *fdt, const struct rsv *want, int n)
{
	int i;

	assert_int_equal(fdt_num_mem_rsv(fdt), n);
	for (i = 0; i < n; i++) {
		uint64_t a, s;

		assert_int_equal(fdt_get_mem_rsv(fdt, i, &a, &s), 0);
		if (a != want[i].addr || s != want[i].size)
			fail_msg("/memreserve/ %d: %#" PRIx64 " %#" PRIx64 ", want %#" PRIx64
				 " %#" PRIx64, i, a, s, want[i].addr, want[i].size);
	}
}

static void assert_ranges(const struct kx_range *r, size_t nr, const struct kx_range *want,
			  size_t n)
{
	size_t i;

	if (nr != n)
		fail_msg("%zu ranges, want %zu", nr, n);
	for (i = 0; i < n; i++) {
		if (r[i].start != want[i].start || r[i].end != want[i].end)
			fail_msg("range %zu: %#" PRIx64 "-%#" PRIx64 ", want %#" PRIx64
				 "-%#" PRIx64, i, r[i].start, r[i].end, want[i].start,
				 want[i].end);
	}
}

/* Every message one line of printable text, as the library promises. */
static void assert_log_clean(void)
{
	const char *p = log_text;

	while (*p) {
		const char *nl = strchr(p, '\n');

		if (!nl || p[0] < '0' || p[0] > '7' || p[1] != ' ')
			fail_msg("log is not one message a line:\n%s", log_text);
		for (; p < nl; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				fail_msg("control character in the log:\n%s", log_text);
		}
		p = nl + 1;
	}
}

/* kx_fdt_edit() of blob with e: 0, a checked result, a clean log. */
static void *edit_ok(struct kexec_ctx *ctx, const void *blob, size_t len,
		     const struct kx_fdt_edit *e, size_t *out_len)
{
	void *out = NULL;
	size_t n = 0;
	int r = kx_fdt_edit(ctx, blob, len, e, &out, &n);

	if (r != 0)
		fail_msg("kx_fdt_edit: %d; log:\n%s", r, log_text);
	assert_non_null(out);
	assert_int_equal(fdt_check_full(out, n), 0);
	assert_int_equal(fdt_totalsize(out), n);
	assert_true(log_worst > LOG_WARNING);
	assert_log_clean();
	if (out_len)
		*out_len = n;
	return out;
}

static struct kexec_ctx *quiet_ctx(void)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	assert_non_null(ctx);
	kexec_ctx_set_log(ctx, capture_log, NULL);
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	log_reset();
	return ctx;
}

/* ---- Reading -------------------------------------------------------------- */

/* The running kernel's blob below the context's root. */
static void test_read_fixture_root(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("dtb");
	size_t len, flen;
	void *blob, *file = load(QEMU_DTB, &flen);

	(void)state;
	assert_int_equal(kx_fdt_read(ctx, NULL, &blob, &len), 0);
	assert_int_equal(len, flen);
	assert_memory_equal(blob, file, len);
	assert_true(log_worst > LOG_WARNING);
	assert_logged(QEMU_DTB);
	free(blob);
	free(file);

	/* --dtb: the path as given, not below the root. */
	log_reset();
	assert_int_equal(kx_fdt_read(ctx, FULL_DTB, &blob, &len), 0);
	assert_int_equal(fdt_check_full(blob, len), 0);
	free(blob);
	kexec_ctx_free(ctx);
}

static void test_read_missing(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	char path[PATH_MAX];
	void *blob = NULL;
	size_t len;

	assert_int_equal(kx_fdt_read(ctx, NULL, &blob, &len), -ENOENT);
	assert_null(blob);
	assert_logged("/sys/firmware/fdt: the running kernel exposes no device tree");
	assert_logged("pass one with --dtb");
	assert_logged(t->dir);
	assert_log_clean();

	log_reset();
	join(path, t->dir, "nothing.dtb");
	assert_int_equal(kx_fdt_read(ctx, path, &blob, &len), -ENOENT);
	assert_logged("cannot read device tree");
	assert_logged("nothing.dtb: No such file or directory");
	kexec_ctx_free(ctx);
}

static void test_read_malformed(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx = ctx_at(t->dir);
	char path[PATH_MAX];
	size_t qlen, len;
	void *blob = NULL;
	uint8_t *q = load(QEMU_DTB, &qlen);
	int fd;

	/* Empty, text, truncated: -ENOEXEC naming the file and the reason. */
	write_bytes(t->dir, "sys/firmware/fdt", "", 0);
	assert_int_equal(kx_fdt_read(ctx, NULL, &blob, &len), -ENOEXEC);
	assert_logged("/sys/firmware/fdt: 0 bytes, shorter than a device tree header");

	log_reset();
	write_text(t->dir, "text.dtb", "/dts-v1/;\n/ { model = \"not compiled\"; };\n");
	join(path, t->dir, "text.dtb");
	assert_int_equal(kx_fdt_read(ctx, path, &blob, &len), -ENOEXEC);
	assert_logged("text.dtb: not a device tree (no d00dfeed magic number)");
	assert_log_clean();

	log_reset();
	write_bytes(t->dir, "cut.dtb", q, qlen - 100);
	join(path, t->dir, "cut.dtb");
	assert_int_equal(kx_fdt_read(ctx, path, &blob, &len), -ENOEXEC);
	assert_logged("device tree ");
	assert_logged("cut.dtb: truncated");
	assert_null(blob);

	/* Larger than any kernel boots: refused before it is all read. */
	log_reset();
	join(path, t->dir, "huge.dtb");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)KX_FDT_MAX + 1), 0);
	close(fd);
	assert_int_equal(kx_fdt_read(ctx, path, &blob, &len), -EFBIG);
	assert_logged("huge.dtb: larger than 16 MiB");

	/* A directory. */
	log_reset();
	assert_int_equal(kx_fdt_read(ctx, t->dir, &blob, &len), -EISDIR);
	assert_logged("cannot read device tree");
	assert_null(blob);
	free(q);
	kexec_ctx_free(ctx);
}

/* The committed .dtb files are what their .dts sources compile to. */
static void test_fixtures_match_sources(void **state)
{
	static const char *const names[] = { "chosen-full", "minimal-32" };
	struct tmp *t = *state;
	size_t i;

	if (system("dtc --version >/dev/null 2>&1") != 0)
		skip();
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char cmd[3 * PATH_MAX + 64], out[PATH_MAX + 64], ref[PATH_MAX];
		size_t la, lb;
		void *a, *b;

		snprintf(ref, sizeof(ref), "%s/%s.dtb", DTB_DIR, names[i]);
		snprintf(out, sizeof(out), "%s/%s.dtb", t->dir, names[i]);
		snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o '%s' '%s/%s.dts'", out, DTB_DIR,
			 names[i]);
		assert_int_equal(system(cmd), 0);
		a = load(ref, &la);
		b = load(out, &lb);
		assert_same_tree(a, b, NULL);
		assert_int_equal(fdt_num_mem_rsv(a), fdt_num_mem_rsv(b));
		for (int j = 0; j < fdt_num_mem_rsv(a); j++) {
			uint64_t a1, s1, a2, s2;

			assert_int_equal(fdt_get_mem_rsv(a, j, &a1, &s1), 0);
			assert_int_equal(fdt_get_mem_rsv(b, j, &a2, &s2), 0);
			assert_true(a1 == a2 && s1 == s2);
		}
		free(a);
		free(b);
	}
}

/* ---- RAM and reservations ------------------------------------------------- */

static void test_memory_qemu(void **state)
{
	static const struct kx_range want[] = { { 0x40000000, 0x7fffffff } };
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_range *ram = NULL;
	size_t len, nr = 0;
	void *blob = load(QEMU_DTB, &len);

	(void)state;
	assert_int_equal(kx_fdt_memory(ctx, blob, len, &ram, &nr), 0);
	assert_ranges(ram, nr, want, ARRAY_SIZE(want));
	free(ram);
	free(blob);
	kexec_ctx_free(ctx);
}

static void test_memory_merged(void **state)
{
	/* Disabled and device_type-less nodes left out; overlapping and adjacent merged. */
	static const struct kx_range full[] = { { 0x80000000, 0xc00000ff },
						{ 0x100000000, 0x13fffffff } };
	static const struct kx_range min32[] = { { 0x40000000, 0x7fffffff } };
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_range *ram = NULL;
	size_t len, nr = 0;
	void *blob = load(FULL_DTB, &len);

	(void)state;
	assert_int_equal(kx_fdt_memory(ctx, blob, len, &ram, &nr), 0);
	assert_ranges(ram, nr, full, ARRAY_SIZE(full));
	free(ram);
	free(blob);

	blob = load(MIN32_DTB, &len);
	assert_int_equal(kx_fdt_memory(ctx, blob, len, &ram, &nr), 0);
	assert_ranges(ram, nr, min32, ARRAY_SIZE(min32));
	free(ram);
	free(blob);
	kexec_ctx_free(ctx);
}

static void test_memory_variants(void **state)
{
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_range *ram = NULL;
	size_t len, nr = 0;
	void *q = load(QEMU_DTB, &len), *b;
	int mem;

	(void)state;
	/* linux,usable-memory (a kdump kernel's limit) replaces reg. */
	b = open_copy(q, 256);
	mem = node_at(b, "/memory@40000000");
	{
		static const uint32_t usable[] = { 0, 0x50000000, 0, 0x10000000 };
		uint32_t cells[4];

		for (int i = 0; i < 4; i++)
			cells[i] = cpu_to_fdt32(usable[i]);
		assert_int_equal(fdt_setprop(b, mem, "linux,usable-memory", cells, sizeof(cells)),
				 0);
	}
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), 0);
	assert_int_equal(nr, 1);
	assert_true(ram[0].start == 0x50000000 && ram[0].end == 0x5fffffff);
	free(ram);
	free(b);

	/* No root cells: Linux reads 1 and 1, so <0 0x40000000 0 0x40000000> is twice [0, 1 GiB). */
	b = open_copy(q, 256);
	assert_int_equal(fdt_delprop(b, 0, "#address-cells"), 0);
	assert_int_equal(fdt_delprop(b, 0, "#size-cells"), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), 0);
	assert_int_equal(nr, 1);
	assert_true(ram[0].start == 0 && ram[0].end == 0x3fffffff);
	free(ram);
	free(b);

	/* A reg that is not whole pairs. */
	log_reset();
	b = open_copy(q, 256);
	mem = node_at(b, "/memory@40000000");
	assert_int_equal(fdt_setprop(b, mem, "reg", "\0\0\0\0\x40\0\0\0\0\0\0\0", 12), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), -ENOEXEC);
	assert_logged("device tree: /memory@40000000: reg is 12 bytes, not whole <address size> "
		      "pairs of 2 and 2 cells");
	free(b);

	/* A range past 2^64. */
	log_reset();
	b = open_copy(q, 256);
	mem = node_at(b, "/memory@40000000");
	assert_int_equal(fdt_setprop(b, mem, "reg",
				     "\xff\xff\xff\xff\xff\xff\0\0\0\0\0\0\x10\0\0\0", 16), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), -ENOEXEC);
	assert_logged("runs past the end of the 64-bit address space");
	free(b);

	/* Bad root cells. */
	log_reset();
	b = open_copy(q, 256);
	assert_int_equal(fdt_setprop_u32(b, 0, "#address-cells", 5), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), -ENOEXEC);
	assert_logged("device tree: /: #address-cells is 5, not 1 to 4");
	free(b);
	log_reset();
	b = open_copy(q, 256);
	assert_int_equal(fdt_setprop(b, 0, "#size-cells", "\0\0", 2), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), -ENOEXEC);
	assert_logged("#size-cells is 2 bytes long, not one 32-bit cell");
	free(b);

	/* Three cells whose top one is 0 still fit. */
	b = open_copy(q, 256);
	assert_int_equal(fdt_setprop_u32(b, 0, "#address-cells", 3), 0);
	mem = node_at(b, "/memory@40000000");
	assert_int_equal(fdt_setprop(b, mem, "reg",
				     "\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\x40\0\0\0", 20), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), 0);
	assert_true(nr == 1 && ram[0].start == 0x100000000 && ram[0].end == 0x13fffffff);
	free(ram);
	free(b);

	/* No memory node at all; a disabled one. */
	log_reset();
	b = open_copy(q, 256);
	mem = node_at(b, "/memory@40000000");
	assert_int_equal(fdt_setprop_string(b, mem, "status", "disabled"), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), -ENOENT);
	assert_logged("device tree: no memory node");
	assert_int_equal(fdt_del_node(b, mem), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), -ENOENT);
	free(b);

	/* device_type that is not a string. */
	b = open_copy(q, 256);
	mem = node_at(b, "/memory@40000000");
	assert_int_equal(fdt_setprop(b, mem, "device_type", "memory", 6), 0);
	assert_int_equal(kx_fdt_memory(ctx, b, fdt_totalsize(b), &ram, &nr), -ENOENT);
	free(b);

	assert_log_clean();
	free(q);
	kexec_ctx_free(ctx);
}

static void test_reserved(void **state)
{
	/* /memreserve/ and every available /reserved-memory child with a reg. */
	static const struct kx_range want[] = {
		{ 0x80000000, 0x8000ffff }, { 0x81000000, 0x811fffff },
		{ 0x90000000, 0x90ffffff }, { 0x9f000000, 0x9f000fff },
		{ 0xa0000000, 0xa0001fff },
	};
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_range *res = NULL;
	size_t len, nr = 1;
	void *blob = load(QEMU_DTB, &len);

	(void)state;
	assert_int_equal(kx_fdt_reserved(ctx, blob, len, &res, &nr), 0);
	assert_int_equal(nr, 0);
	assert_null(res);
	free(blob);

	blob = load(FULL_DTB, &len);
	assert_int_equal(kx_fdt_reserved(ctx, blob, len, &res, &nr), 0);
	assert_ranges(res, nr, want, ARRAY_SIZE(want));
	free(res);
	free(blob);
	kexec_ctx_free(ctx);
}

/* ---- The processors --------------------------------------------------------- */

/* A cpu node under /cpus of fdt: reg (cells cells), device_type "cpu" unless type, status. */
static void add_cpu(void *fdt, const char *name, uint64_t reg, int cells, const char *type,
		    const char *status)
{
	int cpus = node_at(fdt, "/cpus"), n = fdt_add_subnode(fdt, cpus, name);

	assert_true(n >= 0);
	if (cells == 2)
		assert_int_equal(fdt_setprop_u64(fdt, n, "reg", reg), 0);
	else
		assert_int_equal(fdt_setprop_u32(fdt, n, "reg", (uint32_t)reg), 0);
	assert_int_equal(fdt_setprop_string(fdt, n, "device_type", type ? type : "cpu"), 0);
	if (status)
		assert_int_equal(fdt_setprop_string(fdt, n, "status", status), 0);
}

static void test_cpus(void **state)
{
	struct kx_fdt_cpus c;
	size_t len;
	void *blob = load(QEMU_DTB, &len), *b;

	(void)state;
	/* QEMU virt's one cortex-a57, reg 0; no timebase-frequency (arm). */
	assert_int_equal(kx_fdt_cpus(blob, len, &c), 0);
	assert_int_equal(c.ids, 1);
	assert_int_equal(c.beyond, 0);
	assert_int_equal(c.timebase, 0);

	/*
	 * More: an "okay" one, a disabled one, one that is not a cpu, one whose
	 * id is past 63, one without reg; the timebase.
	 */
	b = open_copy(blob, 4096);
	add_cpu(b, "cpu@3", 3, 1, NULL, "okay");
	add_cpu(b, "cpu@5", 5, 1, NULL, "disabled");
	add_cpu(b, "cpu@6", 6, 1, "memory", NULL);
	add_cpu(b, "cpu@40", 64, 1, NULL, NULL);
	add_cpu(b, "cpu@3f", 63, 1, NULL, "ok");
	assert_int_equal(fdt_delprop(b, node_at(b, "/cpus/cpu@0"), "reg"), 0);
	assert_int_equal(fdt_setprop_u32(b, node_at(b, "/cpus"), "timebase-frequency", 10000000), 0);
	assert_int_equal(kx_fdt_cpus(b, fdt_totalsize(b), &c), 0);
	assert_int_equal(c.ids, 1ULL << 3 | 1ULL << 63);
	assert_int_equal(c.beyond, 1);
	assert_int_equal(c.timebase, 10000000);

	/* Two address cells; a timebase that is not one cell reads as unknown. */
	assert_int_equal(fdt_setprop_u32(b, node_at(b, "/cpus"), "#address-cells", 2), 0);
	assert_int_equal(fdt_setprop_u64(b, node_at(b, "/cpus"), "timebase-frequency", 1), 0);
	add_cpu(b, "cpu@100000002", 0x100000002ULL, 2, NULL, NULL);
	add_cpu(b, "cpu@7", 7, 2, NULL, NULL);
	assert_int_equal(kx_fdt_cpus(b, fdt_totalsize(b), &c), 0);
	assert_int_equal(c.ids, 1ULL << 7);
	assert_int_equal(c.timebase, 0);
	free(b);

	/* No processor at all, and no /cpus. */
	b = open_copy(blob, 4096);
	assert_int_equal(fdt_setprop_string(b, node_at(b, "/cpus/cpu@0"), "status", "fail"), 0);
	assert_int_equal(kx_fdt_cpus(b, fdt_totalsize(b), &c), -ENOENT);
	assert_int_equal(fdt_del_node(b, node_at(b, "/cpus")), 0);
	assert_int_equal(kx_fdt_cpus(b, fdt_totalsize(b), &c), -ENOENT);
	free(b);
	free(blob);

	/* Not a tree. */
	assert_int_equal(kx_fdt_cpus("\xd0\x0d\xfe\xed", 4, &c), -ENOEXEC);
}

/* ---- The console ---------------------------------------------------------- */

static void test_console_fixtures(void **state)
{
	uint64_t base = 0;
	uint32_t kind = 0;
	size_t len;
	void *blob = load(QEMU_DTB, &len);

	(void)state;
	assert_int_equal(kx_fdt_console(blob, len, &base, &kind), 0);
	assert_int_equal(kind, KX_CONSOLE_PL011);
	assert_int_equal(base, 0x9000000);
	free(blob);

	/* An alias with options, a dw-apb-uart with reg-shift 2, behind a translating bus. */
	blob = load(FULL_DTB, &len);
	assert_int_equal(kx_fdt_console(blob, len, &base, &kind), 0);
	assert_int_equal(kind, KX_CONSOLE_8250_MMIO32);
	assert_int_equal(base, 0xfe200000);
	free(blob);

	blob = load(MIN32_DTB, &len);
	assert_int_equal(kx_fdt_console(blob, len, &base, &kind), -ENOENT);
	free(blob);
}

enum change { NONE, SET_STR, SET_RAW, SET_U32, DEL_PROP, DEL_NODE };

struct console_case {
	const char *name;
	struct {
		enum change op;
		const char *node, *prop;
		const char *value; /* SET_STR: string; SET_RAW: bytes (len) */
		int len;           /* SET_RAW length; SET_U32 value */
	} ch[3];
	int err;
	uint32_t kind;
	uint64_t base;
};

#define MMIO8 KX_CONSOLE_8250_MMIO8
#define MMIO32 KX_CONSOLE_8250_MMIO32

#define STR(n, p, v) { .op = SET_STR, .node = (n), .prop = (p), .value = (v) }
#define RAW(n, p, v, l) { .op = SET_RAW, .node = (n), .prop = (p), .value = (v), .len = (l) }
#define U32(n, p, x) { .op = SET_U32, .node = (n), .prop = (p), .len = (x) }
#define DELP(n, p) { .op = DEL_PROP, .node = (n), .prop = (p) }
#define DELN(n) { .op = DEL_NODE, .node = (n) }
#define FOUND(k, b) .err = 0, .kind = (k), .base = (b)
#define NONE_FOUND .err = -ENOENT

static const struct console_case console_cases[] = {
	{ .name = "absolute path", .ch = { STR("/chosen", "stdout-path", "/soc/serial@200000") },
	  FOUND(MMIO32, 0xfe200000) },
	{ .name = "ns16550 without reg-shift", .ch = { STR("/chosen", "stdout-path", "serial1") },
	  FOUND(MMIO8, 0xfe300000) },
	{ .name = "linux,stdout-path",
	  .ch = { DELP("/chosen", "stdout-path"),
		  STR("/chosen", "linux,stdout-path", "/soc/serial@300000:9600n8") },
	  FOUND(MMIO8, 0xfe300000) },
	{ .name = "alias with a rest",
	  .ch = { STR("/aliases", "bus", "/soc"), STR("/chosen", "stdout-path", "bus/serial@300000") },
	  FOUND(MMIO8, 0xfe300000) },
	{ .name = "empty ranges: 1:1", .ch = { RAW("/soc", "ranges", "", 0) },
	  FOUND(MMIO32, 0x200000) },
	{ .name = "reg-io-width 1 with reg-shift 2",
	  .ch = { U32("/soc/serial@200000", "reg-io-width", 1) }, FOUND(MMIO32, 0xfe200000) },
	{ .name = "disabled", .ch = { STR("/soc/serial@200000", "status", "disabled") }, NONE_FOUND },
	{ .name = "status okay", .ch = { STR("/soc/serial@200000", "status", "okay") },
	  FOUND(MMIO32, 0xfe200000) },
	{ .name = "reg-shift 1", .ch = { U32("/soc/serial@200000", "reg-shift", 1) }, NONE_FOUND },
	{ .name = "reg-io-width 2", .ch = { U32("/soc/serial@200000", "reg-io-width", 2) },
	  NONE_FOUND },
	{ .name = "32-bit access, byte stride",
	  .ch = { U32("/soc/serial@300000", "reg-io-width", 4),
		  STR("/chosen", "stdout-path", "serial1") }, NONE_FOUND },
	{ .name = "reg-shift not one cell",
	  .ch = { RAW("/soc/serial@200000", "reg-shift", "\0\0\0\0\0\0\0\x02", 8) }, NONE_FOUND },
	{ .name = "another UART",
	  .ch = { RAW("/soc/serial@200000", "compatible", "sifive,uart0", 13) }, NONE_FOUND },
	{ .name = "compatible not terminated",
	  .ch = { RAW("/soc/serial@200000", "compatible", "ns16550a", 8) }, NONE_FOUND },
	{ .name = "compatible: a prefix",
	  .ch = { RAW("/soc/serial@200000", "compatible", "ns16550a-not", 13) }, NONE_FOUND },
	{ .name = "pl011 among others",
	  .ch = { RAW("/soc/serial@200000", "compatible", "x,y\0arm,pl011\0arm,primecell", 28) },
	  FOUND(KX_CONSOLE_PL011, 0xfe200000) },
	{ .name = "no stdout-path", .ch = { DELP("/chosen", "stdout-path") }, NONE_FOUND },
	{ .name = "no /chosen", .ch = { DELN("/chosen") }, NONE_FOUND },
	{ .name = "empty stdout-path", .ch = { STR("/chosen", "stdout-path", "") }, NONE_FOUND },
	{ .name = "only options", .ch = { STR("/chosen", "stdout-path", ":115200") }, NONE_FOUND },
	{ .name = "stdout-path not a string",
	  .ch = { RAW("/chosen", "stdout-path", "/soc/serial@200000", 18) }, NONE_FOUND },
	{ .name = "unknown path", .ch = { STR("/chosen", "stdout-path", "/soc/serial@400000") },
	  NONE_FOUND },
	{ .name = "unknown alias", .ch = { STR("/chosen", "stdout-path", "serial9") }, NONE_FOUND },
	{ .name = "no /aliases", .ch = { DELN("/aliases") }, NONE_FOUND },
	{ .name = "alias to itself", .ch = { STR("/aliases", "serial0", "serial0") }, NONE_FOUND },
	{ .name = "alias to an alias", .ch = { STR("/aliases", "serial0", "serial1") }, NONE_FOUND },
	{ .name = "alias not terminated",
	  .ch = { RAW("/aliases", "serial0", "/soc/serial@200000", 18) }, NONE_FOUND },
	{ .name = "very long alias name",
	  .ch = { STR("/chosen", "stdout-path",
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") },
	  NONE_FOUND },
	{ .name = "no ranges: not translatable", .ch = { DELP("/soc", "ranges") }, NONE_FOUND },
	{ .name = "outside the ranges",
	  .ch = { RAW("/soc", "ranges", "\0\0\0\0\0\0\0\0\xfe\0\0\0\0\0\0\0\0\x10\0\0", 20) },
	  NONE_FOUND },
	{ .name = "ranges not whole entries", .ch = { RAW("/soc", "ranges", "\0\0\0\0\0\0", 6) },
	  NONE_FOUND },
	{ .name = "PCI-like 3-cell bus",
	  .ch = { U32("/soc", "#address-cells", 3),
		  RAW("/soc/serial@200000", "reg", "\x82\0\0\0\x01\0\0\0\0\x20\0\0\0\0\x01\0", 16) },
	  NONE_FOUND },
	{ .name = "reg too short", .ch = { RAW("/soc/serial@200000", "reg", "\0\x20", 2) },
	  NONE_FOUND },
	{ .name = "no reg", .ch = { DELP("/soc/serial@200000", "reg") }, NONE_FOUND },
	{ .name = "#address-cells 0 on the bus", .ch = { U32("/soc", "#address-cells", 0) },
	  NONE_FOUND },
};

static void test_console_variants(void **state)
{
	size_t len, i;
	void *full = load(FULL_DTB, &len);

	(void)state;
	for (i = 0; i < ARRAY_SIZE(console_cases); i++) {
		const struct console_case *c = &console_cases[i];
		void *b = open_copy(full, 4096);
		uint64_t base = 0;
		uint32_t kind = 0;
		int j, r;

		for (j = 0; j < 3 && c->ch[j].op != NONE; j++) {
			int node = node_at(b, c->ch[j].node);

			switch (c->ch[j].op) {
			case SET_STR:
				r = fdt_setprop_string(b, node, c->ch[j].prop, c->ch[j].value);
				break;
			case SET_RAW:
				r = fdt_setprop(b, node, c->ch[j].prop, c->ch[j].value,
						c->ch[j].len);
				break;
			case SET_U32:
				r = fdt_setprop_u32(b, node, c->ch[j].prop, (uint32_t)c->ch[j].len);
				break;
			case DEL_PROP:
				r = fdt_delprop(b, node, c->ch[j].prop);
				break;
			default:
				r = fdt_del_node(b, node);
				break;
			}
			if (r)
				fail_msg("%s: change %d: %s", c->name, j, fdt_strerror(r));
		}
		r = kx_fdt_console(b, fdt_totalsize(b), &base, &kind);
		if (r != c->err)
			fail_msg("%s: %d, want %d", c->name, r, c->err);
		if (!r && (kind != c->kind || base != c->base))
			fail_msg("%s: kind %" PRIu32 " base %#" PRIx64 ", want %" PRIu32
				 " %#" PRIx64, c->name, kind, base, c->kind, c->base);
		free(b);
	}
	free(full);
}

/* ---- Editing -------------------------------------------------------------- */

static const char *const edited[] = {
	"bootargs", "linux,initrd-start", "linux,initrd-end", "kaslr-seed", "rng-seed",
	"linux,elfcorehdr", "linux,usable-memory-range", "linux,ima-kexec-buffer", NULL,
};

/* QEMU's blob (a 32-bit initrd, seeds, bootargs): every /chosen property replaced. */
static void test_edit_qemu(void **state)
{
	static const char cmdline[] =
		"console=ttyAMA0 root=/dev/vda2 rw rootwait systemd.unit=multi-user.target "
		"loglevel=7 earlycon=pl011,mmio32,0x9000000 this-is-longer-than-the-old-one";
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_fdt_edit e = { .cmdline = cmdline, .initrd_start = 0x48100000,
				 .initrd_end = 0x48900000, .seeds = true };
	size_t len, out_len;
	void *q = load(QEMU_DTB, &len), *out, *out2;
	const void *a, *b;
	int la, lb;

	(void)state;
	out = edit_ok(ctx, q, len, &e, &out_len);
	assert_true(out_len > len);
	assert_string_equal(chosen_prop(out, "bootargs", &la), cmdline);
	assert_int_equal(la, sizeof(cmdline));
	/* The old properties were 32-bit: so are the new ones. */
	assert_chosen_num(out, "linux,initrd-start", 4, 0x48100000);
	assert_chosen_num(out, "linux,initrd-end", 4, 0x48900000);
	a = chosen_prop(out, "kaslr-seed", &la);
	b = chosen_prop(out, "rng-seed", &lb);
	assert_true(a && la == KX_FDT_KASLR_SEED_SIZE);
	assert_true(b && lb == KX_FDT_RNG_SEED_SIZE);
	/* Not the old seeds. */
	assert_memory_not_equal(a, chosen_prop(q, "kaslr-seed", &la), KX_FDT_KASLR_SEED_SIZE);
	assert_false(has_chosen_prop(out, "linux,elfcorehdr"));
	assert_false(has_chosen_prop(out, "linux,usable-memory-range"));
	assert_string_equal(chosen_prop(out, "stdout-path", &la), "/pl011@9000000");
	assert_same_tree(q, out, edited);
	assert_memreserve(out, NULL, 0);
	/* Each /chosen property once. */
	assert_int_equal(count_props(out, node_at(out, "/chosen"), "bootargs"), 1);

	/* Seeds differ from run to run. */
	out2 = edit_ok(ctx, q, len, &e, NULL);
	assert_memory_not_equal(chosen_prop(out, "kaslr-seed", &la),
				chosen_prop(out2, "kaslr-seed", &lb), KX_FDT_KASLR_SEED_SIZE);
	assert_memory_not_equal(chosen_prop(out, "rng-seed", &la),
				chosen_prop(out2, "rng-seed", &lb), KX_FDT_RNG_SEED_SIZE);
	free(out2);

	/* An initrd above 4 GiB no longer fits 32 bits: 64-bit, each on its own. */
	e.initrd_start = 0xfff00000;
	e.initrd_end = 0x100100000;
	out2 = edit_ok(ctx, q, len, &e, NULL);
	assert_chosen_num(out2, "linux,initrd-start", 4, 0xfff00000);
	assert_chosen_num(out2, "linux,initrd-end", 8, 0x100100000);
	free(out2);

	/* Editing the output again gives the same tree but for the seeds. */
	e.initrd_start = 0x48100000;
	e.initrd_end = 0x48900000;
	out2 = edit_ok(ctx, out, out_len, &e, NULL);
	{
		static const char *const seeds[] = { "kaslr-seed", "rng-seed", NULL };

		assert_same_tree(out, out2, seeds);
	}
	free(out2);
	free(out);
	free(q);
	kexec_ctx_free(ctx);
}

/* Nothing asked for: bootargs, initrd, seeds, crash properties all go. */
static void test_edit_remove(void **state)
{
	static const struct rsv keep[] = { { 0x80000000, 0x10000 } };
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_fdt_edit e = { .cmdline = "" };
	size_t len;
	void *full = load(FULL_DTB, &len), *out;
	size_t i;

	(void)state;
	out = edit_ok(ctx, full, len, &e, NULL);
	for (i = 0; edited[i]; i++) {
		if (has_chosen_prop(out, edited[i]))
			fail_msg("/chosen %s was kept", edited[i]);
	}
	/* uefi properties (not in the skip list) compared byte for byte. */
	assert_same_tree(full, out, edited);
	assert_true(has_chosen_prop(out, "linux,uefi-mmap-start"));
	/* The IMA buffer's and the old elfcorehdr's reservations went with them. */
	assert_memreserve(out, keep, ARRAY_SIZE(keep));
	free(out);

	e.cmdline = NULL;
	out = edit_ok(ctx, full, len, &e, NULL);
	assert_false(has_chosen_prop(out, "bootargs"));
	free(out);
	free(full);
	kexec_ctx_free(ctx);
}

/* A crash load on the UEFI machine: new elfcorehdr and usable ranges in the root's 2+2 cells. */
static void test_edit_crash(void **state)
{
	static const uint32_t elf[] = { 0, 0xbf000000, 0, 0x3000 };
	static const uint32_t usable[] = { 0x1, 0x0, 0, 0x20000000, 0, 0xb0000000, 0, 0x8000000 };
	static const struct rsv rsv[] = { { 0x80000000, 0x10000 }, { 0xbf000000, 0x3000 } };
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_fdt_edit e = {
		.cmdline = "root=/dev/vda irqpoll nr_cpus=1 reset_devices",
		.initrd_start = 0xbe000000, .initrd_end = 0xbe800000,
		.elfcorehdr_addr = 0xbf000000, .elfcorehdr_size = 0x3000,
		.usable_start = 0x100000000, .usable_size = 0x20000000,
		.usable_low_start = 0xb0000000, .usable_low_size = 0x8000000,
	};
	size_t len;
	void *full = load(FULL_DTB, &len), *out;

	(void)state;
	out = edit_ok(ctx, full, len, &e, NULL);
	assert_chosen_cells(out, "linux,elfcorehdr", elf, 4);
	assert_chosen_cells(out, "linux,usable-memory-range", usable, 8);
	assert_chosen_num(out, "linux,initrd-start", 4, 0xbe000000);
	assert_false(has_chosen_prop(out, "linux,ima-kexec-buffer"));
	assert_false(has_chosen_prop(out, "kaslr-seed"));
	assert_false(has_chosen_prop(out, "rng-seed"));
	assert_same_tree(full, out, edited);
	assert_memreserve(out, rsv, ARRAY_SIZE(rsv));
	free(out);

	/* Only the first usable range. */
	e.usable_low_size = 0;
	out = edit_ok(ctx, full, len, &e, NULL);
	assert_chosen_cells(out, "linux,usable-memory-range", usable, 4);
	free(out);
	free(full);
	kexec_ctx_free(ctx);
}

/* No /chosen, root cells 1+1: /chosen created, 64-bit initrd, 32-bit crash properties. */
static void test_edit_minimal(void **state)
{
	static const uint32_t elf[] = { 0x7f000000, 0x1000 };
	static const uint32_t usable[] = { 0x70000000, 0x10000000 };
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_fdt_edit e = {
		.cmdline = "console=ttyS0", .initrd_start = 0x48000000, .initrd_end = 0x48001000,
		.seeds = true, .elfcorehdr_addr = 0x7f000000, .elfcorehdr_size = 0x1000,
		.usable_start = 0x70000000, .usable_size = 0x10000000,
	};
	size_t len;
	void *min = load(MIN32_DTB, &len), *out = NULL;
	int la;

	(void)state;
	assert_true(fdt_path_offset(min, "/chosen") < 0);
	out = edit_ok(ctx, min, len, &e, NULL);
	assert_string_equal(chosen_prop(out, "bootargs", &la), "console=ttyS0");
	assert_chosen_num(out, "linux,initrd-start", 8, 0x48000000);
	assert_chosen_num(out, "linux,initrd-end", 8, 0x48001000);
	assert_chosen_cells(out, "linux,elfcorehdr", elf, 2);
	assert_chosen_cells(out, "linux,usable-memory-range", usable, 2);
	assert_non_null(chosen_prop(out, "kaslr-seed", &la));
	assert_int_equal(la, 8);
	assert_non_null(chosen_prop(out, "rng-seed", &la));
	assert_int_equal(la, 64);
	{
		static const struct rsv rsv[] = { { 0x7f000000, 0x1000 } };

		assert_memreserve(out, rsv, 1);
	}
	/* Every other node as it was (/chosen is new, so compare the other way round). */
	{
		void *copy = open_copy(min, 64);

		assert_true(fdt_add_subnode(copy, 0, "chosen") >= 0);
		assert_same_tree(copy, out, edited);
		free(copy);
	}
	free(out);

	/* A 64-bit elfcorehdr address cannot be written in one cell. */
	log_reset();
	out = NULL;
	e.elfcorehdr_addr = 0x100000000;
	assert_int_equal(kx_fdt_edit(ctx, min, len, &e, &out, &len), -ERANGE);
	assert_null(out);
	assert_logged("device tree: linux,elfcorehdr 0x100000000 + 0x1000 does not fit the "
		      "root's #address-cells 1 and #size-cells 1");
	e.elfcorehdr_addr = 0x7f000000;
	e.usable_size = 0x100000000;
	log_reset();
	assert_int_equal(kx_fdt_edit(ctx, min, len, &e, &out, &len), -ERANGE);
	assert_logged("linux,usable-memory-range 0x70000000 + 0x100000000 does not fit");
	assert_log_clean();
	free(min);
	kexec_ctx_free(ctx);
}

static void test_edit_refused(void **state)
{
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_fdt_edit e = { .initrd_start = 0x2000, .initrd_end = 0x1000 };
	size_t len, out_len = 0;
	void *q = load(QEMU_DTB, &len), *out = NULL;
	char *huge;

	(void)state;
	assert_int_equal(kx_fdt_edit(ctx, q, len, &e, &out, &out_len), -EINVAL);
	assert_logged("device tree: initrd end 0x1000 below its start 0x2000");
	assert_null(out);

	/* A command line the size of the limit. */
	log_reset();
	huge = malloc(KX_FDT_MAX + 1);
	assert_non_null(huge);
	memset(huge, 'x', KX_FDT_MAX);
	huge[KX_FDT_MAX] = '\0';
	e = (struct kx_fdt_edit){ .cmdline = huge };
	assert_int_equal(kx_fdt_edit(ctx, q, len, &e, &out, &out_len), -ENOMEM);
	assert_logged("would be larger than 16 MiB");
	assert_null(out);
	/* Just below it works. */
	huge[KX_FDT_MAX - len - 2048] = '\0';
	log_reset();
	out = edit_ok(ctx, q, len, &e, &out_len);
	free(out);
	free(huge);

	/* Malformed input. */
	log_reset();
	out = NULL;
	e = (struct kx_fdt_edit){ .cmdline = "x" };
	assert_int_equal(kx_fdt_edit(ctx, q, len - 1, &e, &out, &out_len), -ENOEXEC);
	assert_logged("device tree: truncated");
	assert_null(out);
	free(q);
	kexec_ctx_free(ctx);
}

/* The blob at an odd address: libfdt refuses those, the library copies. */
static void test_unaligned(void **state)
{
	static const struct kx_range want[] = { { 0x40000000, 0x7fffffff } };
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_fdt_edit e = { .cmdline = "quiet" };
	struct kx_range *ram;
	uint64_t base;
	uint32_t kind;
	size_t len, nr;
	void *q = load(QEMU_DTB, &len), *out;
	uint8_t *odd = malloc(len + 1);
	int plen;

	(void)state;
	assert_non_null(odd);
	memcpy(odd + 1, q, len);
	assert_int_equal(kx_fdt_memory(ctx, odd + 1, len, &ram, &nr), 0);
	assert_ranges(ram, nr, want, 1);
	free(ram);
	assert_int_equal(kx_fdt_console(odd + 1, len, &base, &kind), 0);
	assert_int_equal(base, 0x9000000);
	out = edit_ok(ctx, odd + 1, len, &e, NULL);
	assert_string_equal(chosen_prop(out, "bootargs", &plen), "quiet");
	free(out);
	/* And a truncated one at an odd address is still refused. */
	assert_int_equal(kx_fdt_memory(ctx, odd + 1, len - 8, &ram, &nr), -ENOEXEC);
	free(odd);
	free(q);
	kexec_ctx_free(ctx);
}

/* A hostile /chosen repeats its properties: each ends up set once, no stale copy left. */
static void test_edit_duplicates(void **state)
{
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_fdt_edit e = { .cmdline = "new", .seeds = false };
	uint8_t buf[1024];
	void *out;
	int chosen;

	(void)state;
	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_u32(buf, "#address-cells", 1), 0);
	assert_int_equal(fdt_property_u32(buf, "#size-cells", 1), 0);
	assert_int_equal(fdt_begin_node(buf, "chosen"), 0);
	assert_int_equal(fdt_property_string(buf, "bootargs", "old1"), 0);
	assert_int_equal(fdt_property_u64(buf, "kaslr-seed", 1), 0);
	assert_int_equal(fdt_property_string(buf, "bootargs", "old2"), 0);
	assert_int_equal(fdt_property_u64(buf, "kaslr-seed", 2), 0);
	assert_int_equal(fdt_property_u32(buf, "linux,elfcorehdr", 2), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	assert_int_equal(fdt_check_full(buf, sizeof(buf)), 0);

	out = edit_ok(ctx, buf, fdt_totalsize(buf), &e, NULL);
	chosen = node_at(out, "/chosen");
	assert_int_equal(count_props(out, chosen, "bootargs"), 1);
	assert_int_equal(count_props(out, chosen, "kaslr-seed"), 0);
	assert_int_equal(count_props(out, chosen, "linux,elfcorehdr"), 0);
	assert_string_equal(fdt_getprop(out, chosen, "bootargs", NULL), "new");
	free(out);
	kexec_ctx_free(ctx);
}

/* ---- Hostile blobs -------------------------------------------------------- */

/* Every entry point on (blob, len): no crash; returns what each returned. */
static int run_all(struct kexec_ctx *ctx, const void *blob, size_t len, int *rs)
{
	struct kx_fdt_edit e = { .cmdline = "console=ttyAMA0", .initrd_start = 0x1000,
				 .initrd_end = 0x2000, .elfcorehdr_addr = 0x3000,
				 .elfcorehdr_size = 0x1000, .usable_start = 0x10000000,
				 .usable_size = 0x1000000 };
	struct kx_range *r = NULL;
	uint64_t base;
	uint32_t kind;
	void *out = NULL;
	size_t nr = 0, out_len = 0;

	rs[0] = kx_fdt_memory(ctx, blob, len, &r, &nr);
	if (!rs[0])
		free(r);
	rs[1] = kx_fdt_reserved(ctx, blob, len, &r, &nr);
	if (!rs[1])
		free(r);
	rs[2] = kx_fdt_console(blob, len, &base, &kind);
	rs[3] = kx_fdt_edit(ctx, blob, len, &e, &out, &out_len);
	if (!rs[3]) {
		/* Whatever came in, what goes out is a sound tree. */
		assert_int_equal(fdt_check_full(out, out_len), 0);
		free(out);
	}
	return rs[0] == -ENOEXEC && rs[1] == -ENOEXEC && rs[2] == -ENOEXEC && rs[3] == -ENOEXEC;
}

static void put32(void *blob, size_t off, uint32_t v)
{
	uint8_t *p = (uint8_t *)blob + off;

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Header fields (byte offsets in struct fdt_header) set to hostile values: all refused. */
static void test_hostile_headers(void **state)
{
	static const struct {
		const char *what;
		size_t off;
		uint32_t value;
		const char *reason;
	} cases[] = {
		{ "magic", 0, 0xedfe0dd0, "no d00dfeed magic" },
		{ "totalsize beyond the buffer", 4, 0x10000, "truncated" },
		{ "totalsize huge", 4, 0xffffffff, "truncated" },
		{ "totalsize below the header", 4, 8, "" },
		{ "struct offset beyond", 8, 0x10000, "" },
		{ "struct offset wraps", 8, 0xfffffff0, "" },
		{ "strings offset beyond", 12, 0x10000, "" },
		{ "memreserve offset beyond", 16, 0x10000, "" },
		{ "memreserve offset in the header", 16, 4, "" },
		{ "version 1", 20, 1, "version" },
		{ "version 99, last compatible 99", 24, 99, "version" },
		{ "strings size huge", 32, 0x7fffffff, "" },
		{ "struct size huge", 36, 0x7fffffff, "" },
		{ "struct size 0", 36, 0, "" },
		{ "struct size 4", 36, 4, "" },
	};
	struct kexec_ctx *ctx = quiet_ctx();
	size_t len, i;
	void *q = load(QEMU_DTB, &len);
	int rs[4];

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		void *b = malloc(len);

		assert_non_null(b);
		memcpy(b, q, len);
		put32(b, cases[i].off, cases[i].value);
		log_reset();
		if (!run_all(ctx, b, len, rs))
			fail_msg("%s: accepted: %d %d %d %d", cases[i].what, rs[0], rs[1], rs[2],
				 rs[3]);
		assert_logged("device tree: ");
		assert_logged(cases[i].reason);
		assert_log_clean();
		free(b);
	}
	/* NULL and tiny buffers. */
	log_reset();
	assert_true(run_all(ctx, NULL, 0, rs));
	assert_true(run_all(ctx, q, 0, rs));
	assert_true(run_all(ctx, q, 27, rs));
	assert_logged("27 bytes, shorter than a device tree header");
	free(q);
	kexec_ctx_free(ctx);
}

/* Every truncation of both fixture blobs is refused. */
static void test_hostile_truncated(void **state)
{
	static const char *const files[] = { QEMU_DTB, FULL_DTB };
	struct kexec_ctx *ctx = quiet_ctx();
	size_t f, n;
	int rs[4];

	(void)state;
	for (f = 0; f < ARRAY_SIZE(files); f++) {
		size_t len;
		void *blob = load(files[f], &len);

		for (n = 0; n < len; n++) {
			/* An exact-size copy, so that ASan sees any read past its end. */
			void *cut = malloc(n ? n : 1);

			assert_non_null(cut);
			memcpy(cut, blob, n);
			log_reset();
			if (!run_all(ctx, cut, n, rs))
				fail_msg("%s cut to %zu bytes: accepted", files[f], n);
			free(cut);
		}
		free(blob);
	}
	kexec_ctx_free(ctx);
}

/*
 * Structure-block damage: a property length pointing past the block, a name
 * offset past the strings, a missing end of node, a name without its NUL.
 */
static void test_hostile_structure(void **state)
{
	struct kexec_ctx *ctx = quiet_ctx();
	size_t len;
	uint8_t *q = load(QEMU_DTB, &len);
	uint32_t off_struct = fdt_off_dt_struct(q), size_struct = fdt_size_dt_struct(q);
	int prop = fdt_first_property_offset(q, 0);
	int rs[4], i;

	(void)state;
	assert_true(prop >= 0);
	for (i = 0; i < 6; i++) {
		uint8_t *b = malloc(len);

		assert_non_null(b);
		memcpy(b, q, len);
		switch (i) {
		case 0: /* the first property's length: huge */
			put32(b, off_struct + (uint32_t)prop + 4, 0x7ffffff0);
			break;
		case 1: /* ... wrapping */
			put32(b, off_struct + (uint32_t)prop + 4, 0xfffffffc);
			break;
		case 2: /* its name offset past the strings block */
			put32(b, off_struct + (uint32_t)prop + 8, 0x00100000);
			break;
		case 3: /* FDT_END replaced by another FDT_BEGIN_NODE */
			put32(b, off_struct + size_struct - 4, FDT_BEGIN_NODE);
			break;
		case 4: /* the root's name (empty) given no terminator */
			memset(b + off_struct + 4, 'A', 4);
			break;
		default: /* the last FDT_END_NODE gone */
			put32(b, off_struct + size_struct - 8, FDT_NOP);
			break;
		}
		log_reset();
		if (!run_all(ctx, b, len, rs))
			fail_msg("damage %d: accepted: %d %d %d %d", i, rs[0], rs[1], rs[2], rs[3]);
		assert_log_clean();
		free(b);
	}
	free(q);
	kexec_ctx_free(ctx);
}

/*
 * Inputs the fuzzer found (tests/fixtures/dtb/hostile): format versions 3 and
 * 8 on which libfdt 1.6.1's fdt_check_full() dereferences NULL, and version
 * 16 blobs whose property names lie past the strings block's size, which
 * libfdt reads but fdt_open_into() cuts off (the edit came out unsound).
 */
static void test_hostile_found(void **state)
{
	static const char *const names[] = { "v3-check-full-null", "v8-check-full-null",
					     "v16-names-past-strings",
					     "v16-names-past-strings-2" };
	struct kexec_ctx *ctx = quiet_ctx();
	size_t i;
	int rs[4];

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char path[PATH_MAX];
		size_t len;
		void *blob;

		snprintf(path, sizeof(path), "%s/hostile/%s.dtb", DTB_DIR, names[i]);
		blob = load(path, &len);
		log_reset();
		if (!run_all(ctx, blob, len, rs))
			fail_msg("%s: accepted: %d %d %d %d", names[i], rs[0], rs[1], rs[2], rs[3]);
		assert_log_clean();
		free(blob);
	}
	kexec_ctx_free(ctx);
}

/* A sound version 16 blob (no size_dt_struct) is read and edited like a version 17 one. */
static void test_version_16(void **state)
{
	static const struct kx_range want[] = { { 0x40000000, 0x7fffffff } };
	struct kexec_ctx *ctx = quiet_ctx();
	struct kx_fdt_edit e = { .cmdline = "console=ttyS0" };
	struct kx_range *ram;
	size_t len, nr, l17;
	void *blob = load(DTB_DIR "/minimal-32-v16.dtb", &len), *v17 = load(MIN32_DTB, &l17);
	void *out;

	(void)state;
	assert_int_equal(fdt_version(blob), 16);
	assert_int_equal(kx_fdt_memory(ctx, blob, len, &ram, &nr), 0);
	assert_ranges(ram, nr, want, ARRAY_SIZE(want));
	free(ram);
	out = edit_ok(ctx, blob, len, &e, NULL);
	assert_int_equal(fdt_version(out), 17);
	{
		/* The version 17 tree with an empty /chosen added. */
		void *copy = open_copy(v17, 64);

		assert_true(fdt_add_subnode(copy, 0, "chosen") >= 0);
		assert_same_tree(copy, out, edited);
		free(copy);
	}
	free(out);
	free(v17);
	free(blob);
	kexec_ctx_free(ctx);
}

/*
 * Random damage to both fixtures: a few bytes changed at random offsets,
 * thousands of times (fixed seed). Whatever is accepted must be handled
 * without a crash (and, under ASan, without a stray read), and whatever an
 * edit produces must be a sound tree.
 */
static void test_hostile_random(void **state)
{
	static const char *const files[] = { QEMU_DTB, FULL_DTB };
	struct kexec_ctx *ctx = quiet_ctx();
	unsigned seed = 12345;
	size_t f;
	int i, accepted = 0, rs[4];

	(void)state;
	for (f = 0; f < ARRAY_SIZE(files); f++) {
		size_t len;
		uint8_t *blob = load(files[f], &len);

		for (i = 0; i < 3000; i++) {
			uint8_t *b = malloc(len);
			int j, n;

			assert_non_null(b);
			memcpy(b, blob, len);
			n = 1 + rand_r(&seed) % 8;
			for (j = 0; j < n; j++) {
				size_t off = (size_t)rand_r(&seed) % len;

				/* Mostly inside the tree: header bytes kill it at once. */
				if (off < 40 && rand_r(&seed) % 4)
					off += 40;
				b[off] = (uint8_t)(rand_r(&seed) % 3 == 0 ? 0xff : rand_r(&seed));
			}
			log_reset();
			if (!run_all(ctx, b, len, rs))
				accepted++;
			assert_log_clean();
			free(b);
		}
		free(blob);
	}
	/* Most damage leaves a tree libfdt accepts: the code past the checks ran. */
	assert_true(accepted > 1000);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_fixture_root),
		cmocka_unit_test_setup_teardown(test_read_missing, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_read_malformed, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_fixtures_match_sources, tmp_setup,
						tmp_teardown),
		cmocka_unit_test(test_memory_qemu),
		cmocka_unit_test(test_memory_merged),
		cmocka_unit_test(test_memory_variants),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_console_fixtures),
		cmocka_unit_test(test_console_variants),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_edit_qemu),
		cmocka_unit_test(test_edit_remove),
		cmocka_unit_test(test_edit_crash),
		cmocka_unit_test(test_edit_minimal),
		cmocka_unit_test(test_edit_refused),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_edit_duplicates),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_hostile_truncated),
		cmocka_unit_test(test_hostile_structure),
		cmocka_unit_test(test_hostile_found),
		cmocka_unit_test(test_version_16),
		cmocka_unit_test(test_hostile_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
