/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Physical memory maps. /proc/iomem is the kernel's resource tree: what is RAM,
 * what the running kernel itself occupies, and where the crashkernel=
 * reservation is. /sys/firmware/memmap is the map the firmware handed over
 * before the kernel edited it, which is what the next kernel should be told.
 *
 * Both are read whole and parsed from memory with explicit lengths: the files
 * are kernel output, but a root directory set by the caller can point anywhere,
 * so every line is treated as hostile (no fixed buffers, no trust in NULs or
 * newlines, no silent wrap-around of 64-bit numbers).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "libkexec-internal.h"

#define IOMEM_PATH "/proc/iomem"
#define FW_MEMMAP_PATH "/sys/firmware/memmap"

/*
 * The names the kernel gives memory ranges: e820_type_to_string() and
 * e820_type_to_iomem_type() on x86, "reserved" from memblock on arm64 and
 * riscv, "Crash kernel" from the crashkernel= reservation.
 */
static const struct {
	const char *name;
	enum kexec_mem_type type;
} type_names[] = {
	{ "System RAM", LIBKEXEC_MEM_RAM },
	{ "Reserved", LIBKEXEC_MEM_RESERVED },
	{ "reserved", LIBKEXEC_MEM_RESERVED },
	{ "Soft Reserved", LIBKEXEC_MEM_RESERVED },
	{ "ACPI Tables", LIBKEXEC_MEM_ACPI },
	{ "ACPI Non-volatile Storage", LIBKEXEC_MEM_NVS },
	{ "Unusable memory", LIBKEXEC_MEM_UNUSABLE },
	{ "Persistent Memory", LIBKEXEC_MEM_PMEM },
	{ "Persistent Memory (legacy)", LIBKEXEC_MEM_PMEM },
	{ "Crash kernel", LIBKEXEC_MEM_CRASH },
};

/* The name is not NUL-terminated: it points into the file's buffer. */
static enum kexec_mem_type classify(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(type_names); i++) {
		if (strlen(type_names[i].name) == len && !memcmp(type_names[i].name, name, len))
			return type_names[i].type;
	}
	return LIBKEXEC_MEM_OTHER;
}

static void set_name(struct kexec_mem_range *r, const char *name, size_t len)
{
	/*
	 * The name is for display only; the type was decided on the full name.
	 * It ends up in messages: no control characters (a newline would split
	 * the one line a failure gets, an escape sequence would reach the terminal).
	 */
	if (len > sizeof(r->name) - 1)
		len = sizeof(r->name) - 1;
	for (size_t i = 0; i < len; i++)
		r->name[i] = (unsigned char)name[i] >= 0x20 && name[i] != 0x7f ? name[i] : '?';
	r->name[len] = '\0';
}

static bool is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	}
	return true;
}

/*
 * One /proc/iomem line without its newline. The kernel's r_show() prints
 * "%*s%0*llx-%0*llx : %s": two spaces per nesting level, start, end (both
 * inclusive), then the resource's name, which may contain spaces, be empty, or
 * even contain " : " itself, so only the first separator counts.
 */
static int parse_iomem_line(const char *line, size_t len, struct kexec_mem_range *r,
			    const char **why)
{
	size_t spaces = 0, i, field;
	const char *name;
	size_t name_len;

	if (memchr(line, '\0', len)) {
		*why = "contains a NUL byte";
		return -EINVAL;
	}
	while (spaces < len && line[spaces] == ' ')
		spaces++;
	if (spaces / 2 > UINT_MAX) {
		*why = "is indented too deeply";
		return -EINVAL;
	}

	field = spaces;
	for (i = field; i < len && line[i] != '-'; i++)
		;
	if (i == len) {
		*why = "has no '-' between start and end address";
		return -EINVAL;
	}
	if (!kx_parse_hex(line + field, i - field, false, &r->start)) {
		*why = "has a start address that is not a 64-bit hex number";
		return -EINVAL;
	}

	field = i + 1;
	for (i = field; i < len && line[i] != ' '; i++)
		;
	if (!kx_parse_hex(line + field, i - field, false, &r->end)) {
		*why = "has an end address that is not a 64-bit hex number";
		return -EINVAL;
	}
	if (r->start > r->end) {
		*why = "has a start address above its end address";
		return -EINVAL;
	}

	/* " : name", or a bare " :" when an empty name lost its trailing space. */
	if (len - i < 2 || line[i + 1] != ':' || (len - i > 2 && line[i + 2] != ' ')) {
		*why = "has no ' : ' between the addresses and the name";
		return -EINVAL;
	}
	name = len - i > 2 ? line + i + 3 : line + len;
	name_len = (size_t)(line + len - name);

	r->depth = (unsigned)(spaces / 2);
	r->type = classify(name, name_len);
	set_name(r, name, name_len);
	return 0;
}

KX_EXPORT void kexec_memmap_free(struct kexec_memmap *map)
{
	if (!map)
		return;
	free(map->r);
	memset(map, 0, sizeof(*map));
}

/*
 * The result replaces *map (whose old contents are freed) only on success, so
 * that a failed re-read leaves the caller's previous map intact.
 */
static int commit_map(struct kexec_memmap *map, struct kexec_memmap *m)
{
	kexec_memmap_free(map);
	*map = *m;
	return (int)m->nr;
}

KX_EXPORT int kexec_read_iomem(struct kexec_ctx *ctx, struct kexec_memmap *map)
{
	struct kexec_memmap m = { 0 };
	char path[4096];
	size_t len, pos = 0, lineno = 0;
	bool hidden = true;
	char *buf;
	int r;

	r = kx_path(ctx, IOMEM_PATH, path, sizeof(path));
	if (r < 0) {
		kx_err(ctx, "%s: path below root %s is too long", IOMEM_PATH,
		       kexec_ctx_get_root(ctx));
		return r;
	}
	r = kx_read_file(path, &buf, &len);
	if (r < 0) {
		kx_err(ctx, "cannot read %s: %s", path, strerror(-r));
		return r;
	}

	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos;
		const char *why = NULL;

		/* The last line may lack its newline: take it as it is. */
		pos += line_len + (nl ? 1 : 0);
		lineno++;
		if (is_blank(line, line_len))
			continue;
		if (m.nr >= INT_MAX) {
			/* The count is returned as an int. */
			kx_err(ctx, "%s: more than %d ranges", path, INT_MAX);
			r = -E2BIG;
			goto fail;
		}
		r = kx_grow((void **)&m.r, &m.cap, m.nr + 1, sizeof(*m.r));
		if (r < 0) {
			kx_err(ctx, "%s: out of memory at line %zu", path, lineno);
			goto fail;
		}
		r = parse_iomem_line(line, line_len, &m.r[m.nr], &why);
		if (r < 0) {
			kx_err(ctx, "%s: line %zu %s", path, lineno, why);
			goto fail;
		}
		if (m.r[m.nr].start || m.r[m.nr].end)
			hidden = false;
		m.nr++;
	}
	free(buf);

	/*
	 * Without CAP_SYS_ADMIN the kernel prints every range as 0-0 rather than
	 * refusing the read. Such a map is useless for placing segments and would
	 * make every check pass or fail for the wrong reason: say so instead.
	 */
	if (m.nr && hidden) {
		kx_err(ctx, "%s: every address reads as 0: the kernel hides physical addresses "
			    "from unprivileged readers; run as root (CAP_SYS_ADMIN)", path);
		kexec_memmap_free(&m);
		return -EPERM;
	}
	kx_dbg(ctx, "%s: %zu ranges", path, m.nr);
	return commit_map(map, &m);

fail:
	free(buf);
	kexec_memmap_free(&m);
	return r;
}

/* A firmware memmap entry with its directory number, to make the sort total. */
struct fw_entry {
	struct kexec_mem_range r;
	unsigned long long index;
};

static int fw_entry_cmp(const void *a, const void *b)
{
	const struct fw_entry *x = a, *y = b;

	if (x->r.start != y->r.start)
		return x->r.start < y->r.start ? -1 : 1;
	if (x->r.end != y->r.end)
		return x->r.end < y->r.end ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

/*
 * <root>/sys/firmware/memmap/<entry>/<field>, trailing newline and blanks
 * stripped. The value is returned NUL-terminated in *out, owned by the caller.
 */
static int fw_read_field(struct kexec_ctx *ctx, const char *entry, const char *field, char **out,
			 size_t *len, char *path, size_t path_len)
{
	char rel[512];
	int n, r;

	n = snprintf(rel, sizeof(rel), FW_MEMMAP_PATH "/%s/%s", entry, field);
	if (n < 0 || (size_t)n >= sizeof(rel))
		r = -ENAMETOOLONG;
	else
		r = kx_path(ctx, rel, path, path_len);
	if (r < 0) {
		kx_err(ctx, "%s/%s: path too long", FW_MEMMAP_PATH, entry);
		return r;
	}
	r = kx_read_attr(path, SIZE_MAX - 1, out, len);
	if (r == -EILSEQ) {
		kx_err(ctx, "%s: contains a NUL byte", path);
		return -EINVAL;
	}
	if (r < 0) {
		kx_err(ctx, "cannot read %s: %s", path, strerror(-r));
		/*
		 * The directory exists but an entry lacks a field: the tree is
		 * broken. -ENOENT would tell the caller that there is no firmware
		 * memmap at all, which is a different situation.
		 */
		return r == -ENOENT ? -EINVAL : r;
	}
	return 0;
}

/* The kernel writes "0x%llx\n"; accept the value without the prefix as well. */
static int fw_read_addr(struct kexec_ctx *ctx, const char *entry, const char *field,
			uint64_t *val)
{
	char path[4096];
	size_t len;
	char *s;
	int r;

	r = fw_read_field(ctx, entry, field, &s, &len, path, sizeof(path));
	if (r < 0)
		return r;
	r = kx_parse_hex(s, len, true, val) ? 0 : -EINVAL;
	if (r < 0) {
		char shown[44];

		kx_err(ctx, "%s: not a 64-bit hex address: \"%s\"", path,
		       kx_printable(s, len, shown, sizeof(shown)));
	}
	free(s);
	return r;
}

static int fw_read_entry(struct kexec_ctx *ctx, const char *entry, struct kexec_mem_range *range)
{
	char path[4096];
	size_t len;
	char *s;
	int r;

	r = fw_read_addr(ctx, entry, "start", &range->start);
	if (r < 0)
		return r;
	r = fw_read_addr(ctx, entry, "end", &range->end);
	if (r < 0)
		return r;
	if (range->start > range->end) {
		kx_err(ctx, "%s%s/%s: start %#llx is above end %#llx", ctx->root, FW_MEMMAP_PATH,
		       entry, (unsigned long long)range->start,
		       (unsigned long long)range->end);
		return -EINVAL;
	}
	r = fw_read_field(ctx, entry, "type", &s, &len, path, sizeof(path));
	if (r < 0)
		return r;
	range->type = classify(s, len);
	range->depth = 0;
	set_name(range, s, len);
	free(s);
	return 0;
}

KX_EXPORT int kexec_read_firmware_memmap(struct kexec_ctx *ctx, struct kexec_memmap *map)
{
	struct kexec_memmap m = { 0 };
	struct fw_entry *e = NULL;
	uint64_t *idx = NULL;
	size_t nr = 0, i;
	char name[24];
	int r;

	/* -ENOENT: no CONFIG_FIRMWARE_MEMMAP, and callers use /proc/iomem. */
	r = kx_list_numbered(ctx, FW_MEMMAP_PATH, INT_MAX, &idx, &nr);
	if (r < 0)
		return r;
	if (nr) {
		e = calloc(nr, sizeof(*e));
		if (!e) {
			kx_err(ctx, "%s%s: out of memory", kexec_ctx_get_root(ctx), FW_MEMMAP_PATH);
			r = -ENOMEM;
			goto fail;
		}
	}
	for (i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "%" PRIu64, idx[i]);
		e[i].index = idx[i];
		r = fw_read_entry(ctx, name, &e[i].r);
		if (r < 0)
			goto fail;
	}
	/* By range: the numbering is the firmware's, not always in address order. */
	if (nr)
		qsort(e, nr, sizeof(*e), fw_entry_cmp);
	r = kx_grow((void **)&m.r, &m.cap, nr, sizeof(*m.r));
	if (r < 0) {
		kx_err(ctx, "%s%s: out of memory", kexec_ctx_get_root(ctx), FW_MEMMAP_PATH);
		goto fail;
	}
	for (i = 0; i < nr; i++)
		m.r[i] = e[i].r;
	m.nr = nr;
	free(e);
	free(idx);
	kx_dbg(ctx, "%s%s: %zu entries", kexec_ctx_get_root(ctx), FW_MEMMAP_PATH, m.nr);
	return commit_map(map, &m);

fail:
	free(e);
	free(idx);
	kexec_memmap_free(&m);
	return r;
}

/*
 * The reservation as powerpc exports it (arch/powerpc/kexec/core.c
 * export_crashk_values): /chosen's linux,crashkernel-base and -size, 8 bytes
 * big-endian each, and no "Crash kernel" line in /proc/iomem. -ENOENT when
 * there is none (or its size is 0).
 */
int kx_crash_region_dt(struct kexec_ctx *ctx, uint64_t *start, uint64_t *end)
{
	static const char base_path[] = "/proc/device-tree/chosen/linux,crashkernel-base";
	static const char size_path[] = "/proc/device-tree/chosen/linux,crashkernel-size";
	char *b = NULL, *s = NULL;
	size_t bl = 0, sl = 0;
	uint64_t base, size;
	int r = kexec_read_sysfile(ctx, base_path, &b, &bl);

	if (r == 0)
		r = kexec_read_sysfile(ctx, size_path, &s, &sl);
	if (r == 0 && (bl != 8 || sl != 8)) {
		kx_warn(ctx, "%s or %s is not 8 bytes long: ignored", base_path, size_path);
		r = -ENOENT;
	}
	if (r == 0) {
		base = kx_be64((const uint8_t *)b);
		size = kx_be64((const uint8_t *)s);
		if (!size || base > UINT64_MAX - (size - 1))
			r = -ENOENT;
		else {
			*start = base;
			*end = base + size - 1;
			kx_dbg(ctx, "crashkernel= reservation %#llx-%#llx (from %s)",
			       (unsigned long long)*start, (unsigned long long)*end, base_path);
		}
	}
	free(b);
	free(s);
	return r < 0 ? -ENOENT : 0;
}

KX_EXPORT int kexec_find_crash_region(struct kexec_ctx *ctx, uint64_t *start, uint64_t *end)
{
	return ctx->be->crash_region(ctx, start, end);
}

/* The running kernel's: /proc/iomem's largest "Crash kernel" range, else powerpc's /chosen. */
int kx_crash_region_below_root(struct kexec_ctx *ctx, uint64_t *start, uint64_t *end)
{
	const struct kexec_mem_range *best = NULL;
	struct kexec_memmap m = { 0 };
	size_t i;
	int r;

	r = kexec_read_iomem(ctx, &m);
	if (r < 0)
		return r;

	/*
	 * x86 and arm64 with crashkernel=X,high reserve two ranges, both named
	 * "Crash kernel": a small one below 4 GiB for DMA and the large one the
	 * crash kernel is loaded into. Take the largest; on a tie, the first.
	 * Sizes are compared as end - start so that a range covering all of the
	 * 64-bit space cannot overflow.
	 */
	for (i = 0; i < m.nr; i++) {
		const struct kexec_mem_range *c = &m.r[i];

		if (c->type != LIBKEXEC_MEM_CRASH)
			continue;
		if (!best || c->end - c->start > best->end - best->start)
			best = c;
	}
	if (!best) {
		uint64_t s = 0, e = 0;

		kexec_memmap_free(&m);
		if (kx_crash_region_dt(ctx, &s, &e) == 0) {
			if (start)
				*start = s;
			if (end)
				*end = e;
			return 0;
		}
		kx_dbg(ctx, "%s%s has no \"Crash kernel\" range: no crashkernel= reservation",
		       ctx->root, IOMEM_PATH);
		return -ENOENT;
	}
	for (i = 0; i < m.nr; i++) {
		const struct kexec_mem_range *c = &m.r[i];

		if (c->type == LIBKEXEC_MEM_CRASH && c != best)
			kx_dbg(ctx, "not using Crash kernel range %#llx-%#llx: the one at %#llx "
				    "is larger or comes first",
			       (unsigned long long)c->start, (unsigned long long)c->end,
			       (unsigned long long)best->start);
	}
	kx_dbg(ctx, "Crash kernel range %#llx-%#llx", (unsigned long long)best->start,
	       (unsigned long long)best->end);
	if (start)
		*start = best->start;
	if (end)
		*end = best->end;
	kexec_memmap_free(&m);
	return 0;
}

KX_EXPORT const char *kexec_mem_type_name(enum kexec_mem_type type)
{
	switch (type) {
	case LIBKEXEC_MEM_RAM:
		return "System RAM";
	case LIBKEXEC_MEM_RESERVED:
		return "Reserved";
	case LIBKEXEC_MEM_ACPI:
		return "ACPI Tables";
	case LIBKEXEC_MEM_NVS:
		return "ACPI Non-volatile Storage";
	case LIBKEXEC_MEM_UNUSABLE:
		return "Unusable memory";
	case LIBKEXEC_MEM_PMEM:
		return "Persistent Memory";
	case LIBKEXEC_MEM_CRASH:
		return "Crash kernel";
	case LIBKEXEC_MEM_OTHER:
		break;
	}
	/* Also for values outside the enum: callers print the result directly. */
	return "other";
}
