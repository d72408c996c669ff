/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device trees as boot data: see dtb.h.
 *
 * The blob is checked whole with fdt_check_full() before anything else reads
 * it: afterwards libfdt's accessors stay inside it (every property value lies
 * in the structure block, every name in the strings block). What libfdt does
 * not check is left to us: that a string property ends in a NUL within its
 * length, that cell counts and reg lengths make sense, that numbers fit 64
 * bits, and that an alias is an absolute path (libfdt 1.6.1's own alias
 * lookup follows relative ones recursively and runs strlen() on values with
 * no NUL, so it is never given one).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <libfdt.h>

#include "dtb.h"
#include "params.h"

#define FDT_PATH "/sys/firmware/fdt"
/* FDT_MAX_NCELLS: libfdt and the kernel accept no more. */
#define MAX_CELLS 4

/* ---- Small helpers ------------------------------------------------------- */

bool kx_fdt_read_cells(const void *cells, int n, uint64_t *v)
{
	const uint8_t *p = cells;
	uint64_t x = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (x >> 32)
			return false;
		x = x << 32 | kx_be32(p + 4 * i);
	}
	*v = x;
	return true;
}

bool kx_fdt_write_cells(void *cells, int n, uint64_t v)
{
	uint8_t *p = cells;
	int i;

	if (n < 1 || (n == 1 && v > UINT32_MAX))
		return false;
	for (i = n - 1; i >= 0; i--) {
		kx_put_be32(p + 4 * i, (uint32_t)v);
		v >>= 32;
	}
	return true;
}

/* A plain-words reason for a libfdt error, with libfdt's name for it. */
const char *kx_fdt_reason(int err, char *buf, size_t size)
{
	static const struct {
		int err;
		const char *text;
	} texts[] = {
		{ FDT_ERR_BADMAGIC, "not a device tree (no d00dfeed magic number)" },
		{ FDT_ERR_TRUNCATED, "truncated: its header, a block or a property runs past its end" },
		{ FDT_ERR_BADVERSION, "a device tree version libfdt cannot read" },
		{ FDT_ERR_BADSTRUCTURE, "a corrupt structure block" },
		{ FDT_ERR_BADLAYOUT, "blocks in an order libfdt cannot edit" },
		{ FDT_ERR_BADSTATE, "an unfinished tree (sequential-write state)" },
		{ FDT_ERR_BADOFFSET, "an offset outside its structure block" },
		{ FDT_ERR_BADNCELLS, "a bad #address-cells or #size-cells" },
		{ FDT_ERR_BADVALUE, "a property with an unexpected value" },
		{ FDT_ERR_INTERNAL, "an internal libfdt error" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		if (texts[i].err == -err) {
			snprintf(buf, size, "%s (%s)", texts[i].text, fdt_strerror(err));
			return buf;
		}
	}
	snprintf(buf, size, "%s", fdt_strerror(err));
	return buf;
}

/* The path of node, fit for a message (a hostile name may hold anything). */
static const char *node_path(const void *fdt, int node, char *buf, size_t size)
{
	char path[256];
	const char *name;
	int len;

	if (fdt_get_path(fdt, node, path, sizeof(path)) == 0)
		return kx_printable(path, strlen(path), buf, size);
	/* Too deep for the buffer: the node's own name says enough. */
	name = fdt_get_name(fdt, node, &len);
	if (!name || len < 0 || size < 5)
		return kx_printable("?", 1, buf, size);
	memcpy(buf, ".../", 4);
	kx_printable(name, (size_t)len, buf + 4, size - 4);
	return buf;
}

/*
 * The string property name of node, NUL-terminated within its length; NULL
 * when absent or not a string. *len (optional) is its length without the NUL.
 */
static const char *prop_string(const void *fdt, int node, const char *name, size_t *len)
{
	int plen;
	const char *p = fdt_getprop(fdt, node, name, &plen);
	const char *nul;

	if (!p || plen <= 0)
		return NULL;
	nul = memchr(p, '\0', (size_t)plen);
	if (!nul)
		return NULL;
	if (len)
		*len = (size_t)(nul - p);
	return p;
}

static bool prop_is(const void *fdt, int node, const char *name, const char *value)
{
	const char *s = prop_string(fdt, node, name, NULL);

	return s && !strcmp(s, value);
}

/* of_fdt_device_is_available(): no status, "okay" or "ok". */
static bool available(const void *fdt, int node)
{
	int len;

	if (!fdt_getprop(fdt, node, "status", &len))
		return true;
	return prop_is(fdt, node, "status", "okay") || prop_is(fdt, node, "status", "ok");
}

/* ---- Checking a blob ----------------------------------------------------- */

void kx_fdt_blob_close(struct kx_fdt_blob *b)
{
	free(b->copy);
	b->copy = NULL;
	b->fdt = NULL;
}

/*
 * The layout of the blob at fdt (len bytes, aligned), checked by hand before
 * libfdt sees it, because libfdt 1.6.1's fdt_check_full() is not safe on
 * every hostile blob: it dereferences NULL when the root's name runs off the
 * structure block, a property length near 2^32 wraps its offsets, and in a
 * version 16 blob it accepts property names past the strings block's size
 * (which fdt_open_into() then cuts off). Checked here: the header, each block
 * inside the blob, and a walk of the structure block: every tag 4-byte
 * aligned and inside it, node names and property values inside it, property
 * names NUL-terminated inside the strings block, one root with an empty name,
 * nesting balanced, FDT_END last; and a /memreserve/ list that ends.
 */
/* Where a flattened tree's blocks lie, from its header (check_header). */
struct fdt_layout {
	uint64_t total, off_struct, off_strings, off_rsv, size_strings, size_struct;
};

#define BAD(...)                                    \
	do {                                        \
		snprintf(why, size, __VA_ARGS__);   \
		return -ENOEXEC;                    \
	} while (0)

/* The header: magic, versions, sizes, each block inside the tree; the /memreserve/ list's end. */
static int check_header(const uint8_t *fdt, size_t len, struct fdt_layout *l, char *why,
			size_t size)
{
	uint64_t version, hdr, off;

	if (kx_be32(fdt) != FDT_MAGIC)
		BAD("not a device tree (no d00dfeed magic number)");
	l->total = kx_be32(fdt + 4);
	l->off_struct = kx_be32(fdt + 8);
	l->off_strings = kx_be32(fdt + 12);
	l->off_rsv = kx_be32(fdt + 16);
	version = kx_be32(fdt + 20);
	if (version < 16)
		BAD("format version %" PRIu64 ", older than 16", version);
	if (kx_be32(fdt + 24) > 17)
		BAD("format version %" PRIu64 " readable only from version %" PRIu32 " on, "
		    "newer than 17", version, kx_be32(fdt + 24));
	hdr = version >= 17 ? 40 : 36;
	if (len < hdr)
		BAD("truncated: %zu bytes, shorter than its header", len);
	if (l->total > len)
		BAD("truncated: %zu bytes, its header says %" PRIu64, len, l->total);
	if (l->total > INT_MAX)
		BAD("its header says %" PRIu64 " bytes, more than libfdt handles", l->total);
	l->size_strings = kx_be32(fdt + 32);
	l->size_struct = version >= 17 ? kx_be32(fdt + 36)
				       : l->total - (l->off_struct < l->total ? l->off_struct : l->total);
	if (l->off_rsv < hdr || l->off_rsv % 8 || l->off_rsv > l->total)
		BAD("its /memreserve/ block at %" PRIu64 " is misplaced", l->off_rsv);
	if (l->off_struct < hdr || l->off_struct % 4 || l->off_struct + l->size_struct > l->total)
		BAD("its structure block (%" PRIu64 " bytes at %" PRIu64 ") does not fit in "
		    "%" PRIu64 " bytes", l->size_struct, l->off_struct, l->total);
	if (l->off_strings < hdr || l->off_strings + l->size_strings > l->total)
		BAD("its strings block (%" PRIu64 " bytes at %" PRIu64 ") does not fit in "
		    "%" PRIu64 " bytes", l->size_strings, l->off_strings, l->total);
	for (off = l->off_rsv;; off += 16) {
		if (off + 16 > l->total)
			BAD("its /memreserve/ list has no end");
		if (!kx_be32(fdt + off + 8) && !kx_be32(fdt + off + 12))
			return 0;
	}
}

/* The structure block, tag by tag: one unnamed root, nodes closed, names and properties inside. */
static int check_structure(const uint8_t *fdt, const struct fdt_layout *l, char *why, size_t size)
{
	uint64_t size_struct = l->size_struct - l->size_struct % 4, off, depth = 0;
	bool seen_root = false;

	for (off = 0;;) {
		const uint8_t *p = fdt + l->off_struct + off;
		uint64_t left = size_struct - off, n, name;
		const uint8_t *nul;

		if (left < 4)
			BAD("its structure block ends without FDT_END");
		switch (kx_be32(p)) {
		case FDT_BEGIN_NODE:
			if (seen_root && !depth)
				BAD("it has a second root node");
			nul = memchr(p + 4, '\0', left - 4);
			if (!nul)
				BAD("a node name runs past its structure block");
			n = (uint64_t)(nul - (p + 4));
			if (!seen_root && n)
				BAD("its root node has a name");
			seen_root = true;
			depth++;
			off += 4 + ((n + 1 + 3) & ~3ULL);
			break;
		case FDT_END_NODE:
			if (!depth)
				BAD("it closes a node it never opened");
			depth--;
			off += 4;
			break;
		case FDT_PROP:
			if (!depth)
				BAD("it has a property outside its root node");
			if (left < 12)
				BAD("a property runs past its structure block");
			n = kx_be32(p + 4);
			name = kx_be32(p + 8);
			if (n > left - 12)
				BAD("a property of %" PRIu64 " bytes runs past its structure block", n);
			if (name >= l->size_strings ||
			    !memchr(fdt + l->off_strings + name, '\0', l->size_strings - name))
				BAD("a property name lies outside its strings block");
			off += 12 + ((n + 3) & ~3ULL);
			break;
		case FDT_NOP:
			off += 4;
			break;
		case FDT_END:
			if (depth || !seen_root)
				BAD("its structure block ends inside a node");
			return 0;
		default:
			BAD("an unknown tag %#" PRIx32 " in its structure block", kx_be32(p));
		}
		if (off > size_struct)
			BAD("its structure block ends inside a node");
	}
}
#undef BAD

static int check_layout(const uint8_t *fdt, size_t len, char *why, size_t size)
{
	struct fdt_layout l;
	int r = check_header(fdt, len, &l, why, size);

	return r < 0 ? r : check_structure(fdt, &l, why, size);
}

/*
 * data checked with check_layout() and fdt_check_full() against len, at an
 * aligned address.
 * Returns 0, -ENOMEM, or -ENOEXEC with the reason in why.
 */
static int blob_open_quiet(struct kx_fdt_blob *b, const void *data, size_t len, char *why, size_t size)
{
	int r;

	b->fdt = data;
	b->copy = NULL;
	if (!data || len < FDT_V1_SIZE) {
		snprintf(why, size, "%zu bytes, shorter than a device tree header", data ? len : 0);
		return -ENOEXEC;
	}
	if ((uintptr_t)data & 7) {
		uint32_t total = kx_be32((const uint8_t *)data + 4);
		size_t n = total >= FDT_V1_SIZE && total < len ? total : len;

		b->copy = malloc(n);
		if (!b->copy) {
			snprintf(why, size, "out of memory for a copy of %zu bytes", n);
			return -ENOMEM;
		}
		memcpy(b->copy, data, n);
		b->fdt = b->copy;
		len = n;
	}
	r = check_layout(b->fdt, len, why, size);
	if (r < 0) {
		kx_fdt_blob_close(b);
		return r;
	}
	r = fdt_check_full(b->fdt, len);
	if (r < 0) {
		kx_fdt_reason(r, why, size);
		kx_fdt_blob_close(b);
		return -ENOEXEC;
	}
	return 0;
}

int kx_fdt_blob_open(struct kexec_ctx *ctx, struct kx_fdt_blob *b, const void *data, size_t len)
{
	char why[256];
	int r = blob_open_quiet(b, data, len, why, sizeof(why));

	if (r < 0)
		kx_err(ctx, "device tree: %s", why);
	return r;
}

/* ---- Cells and ranges ---------------------------------------------------- */

/*
 * node's #address-cells or #size-cells: dflt when absent; -ENOEXEC (logged)
 * when it is not one cell holding min..MAX_CELLS.
 */
static int node_cells(struct kexec_ctx *ctx, const void *fdt, int node, const char *name,
		      int dflt, int min, int *out)
{
	char path[128];
	const void *p;
	uint32_t v;
	int len;

	p = fdt_getprop(fdt, node, name, &len);
	if (!p) {
		*out = dflt;
		return 0;
	}
	if (len != 4) {
		kx_err(ctx, "device tree: %s: %s is %d bytes long, not one 32-bit cell",
		       node_path(fdt, node, path, sizeof(path)), name, len);
		return -ENOEXEC;
	}
	v = kx_be32(p);
	if (v < (uint32_t)min || v > MAX_CELLS) {
		kx_err(ctx, "device tree: %s: %s is %" PRIu32 ", not %d to %d",
		       node_path(fdt, node, path, sizeof(path)), name, v, min, MAX_CELLS);
		return -ENOEXEC;
	}
	*out = (int)v;
	return 0;
}

int kx_fdt_root_cells(struct kexec_ctx *ctx, const void *fdt, int *ac, int *sc)
{
	int r = node_cells(ctx, fdt, 0, "#address-cells", 1, 1, ac);

	return r < 0 ? r : node_cells(ctx, fdt, 0, "#size-cells", 1, 1, sc);
}

struct rlist {
	struct kx_range *r;
	size_t nr, cap;
};

static int rlist_add(struct kexec_ctx *ctx, struct rlist *l, uint64_t start, uint64_t size)
{
	if (kx_grow((void **)&l->r, &l->cap, l->nr + 1, sizeof(*l->r)) < 0) {
		kx_err(ctx, "device tree: out of memory for %zu ranges", l->nr + 1);
		return -ENOMEM;
	}
	l->r[l->nr].start = start;
	l->r[l->nr].end = start + (size - 1);
	l->nr++;
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct kx_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* Sorted, overlapping and adjacent ranges merged; handed over in *out (NULL when none). */
static void rlist_finish(struct rlist *l, struct kx_range **out, size_t *nr)
{
	size_t i, n = 0;

	if (l->nr)
		qsort(l->r, l->nr, sizeof(*l->r), range_cmp);
	for (i = 0; i < l->nr; i++) {
		struct kx_range *last = n ? &l->r[n - 1] : NULL;

		if (last && (l->r[i].start <= last->end ||
			     (last->end != UINT64_MAX && l->r[i].start == last->end + 1))) {
			if (l->r[i].end > last->end)
				last->end = l->r[i].end;
			continue;
		}
		l->r[n++] = l->r[i];
	}
	if (!n) {
		free(l->r);
		l->r = NULL;
	}
	*out = l->r;
	*nr = n;
	l->r = NULL;
	l->nr = l->cap = 0;
}

/*
 * Each <address size> pair (ac, sc cells) of node's property pname (p, len)
 * into l; pairs of size 0 are skipped. -ENOEXEC (logged) for a length that is
 * not whole pairs, a number beyond 64 bits or a range past 2^64.
 */
static int add_reg(struct kexec_ctx *ctx, const void *fdt, int node, const char *pname,
		   const uint8_t *p, int len, int ac, int sc, struct rlist *l)
{
	size_t pair = (size_t)(ac + sc) * 4, off;
	char path[128];
	int r;

	if (len < 0 || (size_t)len % pair) {
		kx_err(ctx, "device tree: %s: %s is %d bytes, not whole <address size> pairs "
			    "of %d and %d cells", node_path(fdt, node, path, sizeof(path)), pname,
		       len, ac, sc);
		return -ENOEXEC;
	}
	for (off = 0; off < (size_t)len; off += pair) {
		uint64_t start, size;

		if (!kx_fdt_read_cells(p + off, ac, &start) || !kx_fdt_read_cells(p + off + 4 * ac, sc, &size)) {
			kx_err(ctx, "device tree: %s: %s holds a number beyond 64 bits",
			       node_path(fdt, node, path, sizeof(path)), pname);
			return -ENOEXEC;
		}
		if (!size)
			continue;
		if (start + (size - 1) < start) {
			kx_err(ctx, "device tree: %s: %s range %#" PRIx64 " + %#" PRIx64
				    " runs past the end of the 64-bit address space",
			       node_path(fdt, node, path, sizeof(path)), pname, start, size);
			return -ENOEXEC;
		}
		r = rlist_add(ctx, l, start, size);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- Reading ------------------------------------------------------------- */

static int check_read_blob(struct kexec_ctx *ctx, const char *what, char *buf, size_t n,
			   void **blob, size_t *len);

int kx_fdt_read(struct kexec_ctx *ctx, const char *path, void **blob, size_t *len)
{
	char full[4096];
	size_t n;
	char *buf;
	int r;

	if (path) {
		if (strlen(path) >= sizeof(full)) {
			kx_err(ctx, "device tree %.64s...: path too long", path);
			return -ENAMETOOLONG;
		}
		strcpy(full, path);
	} else if (kx_path(ctx, FDT_PATH, full, sizeof(full)) < 0) {
		kx_err(ctx, "%s: path below root %s is too long", FDT_PATH, kexec_ctx_get_root(ctx));
		return -ENAMETOOLONG;
	}

	r = kx_read_file_max(full, KX_FDT_MAX, &buf, &n);
	if (r == -ENOENT && !path) {
		kx_err(ctx, "cannot read %s: the running kernel exposes no device tree "
			    "(booted with ACPI, or without CONFIG_OF); pass one with --dtb", full);
		return r;
	}
	if (r == -EACCES && !path) {
		kx_err(ctx, "cannot read %s: %s: only root may read the running kernel's "
			    "device tree", full, strerror(-r));
		return r;
	}
	if (r == -EFBIG) {
		kx_err(ctx, "device tree %s: larger than %u MiB, more than any kernel boots with",
		       full, KX_FDT_MAX >> 20);
		return r;
	}
	if (r < 0) {
		kx_err(ctx, "cannot read device tree %s: %s", full, strerror(-r));
		return r;
	}

	return check_read_blob(ctx, full, buf, n, blob, len);
}

/* A blob read into malloc'd buf (n bytes) checked before libfdt uses it; buf is taken. */
static int check_read_blob(struct kexec_ctx *ctx, const char *what, char *buf, size_t n,
			   void **blob, size_t *len)
{
	struct kx_fdt_blob b;
	char why[256];
	int r;

	/* malloc() memory is aligned: b.fdt is buf itself. */
	r = blob_open_quiet(&b, buf, n, why, sizeof(why));
	if (r < 0) {
		kx_err(ctx, "device tree %s: %s", what, why);
		free(buf);
		return r;
	}
	kx_fdt_blob_close(&b);
	*len = fdt_totalsize(buf);
	*blob = buf;
	kx_dbg(ctx, "device tree %s: %zu bytes, version %" PRIu32 ", %d /memreserve/ entries",
	       what, *len, fdt_version(buf), fdt_num_mem_rsv(buf));
	return 0;
}

int kx_fdt_from_buf(struct kexec_ctx *ctx, const char *what, const void *src, size_t n,
		    void **blob, size_t *len)
{
	char *buf;

	if (n > KX_FDT_MAX) {
		kx_err(ctx, "device tree %s: larger than %u MiB, more than any kernel boots with",
		       what, KX_FDT_MAX >> 20);
		return -EFBIG;
	}
	buf = malloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, src, n);
	return check_read_blob(ctx, what, buf, n, blob, len);
}

int kx_fdt_memory(struct kexec_ctx *ctx, const void *blob, size_t len, struct kx_range **ram,
		  size_t *nr)
{
	struct rlist l = { 0 };
	struct kx_fdt_blob b;
	int node, ac, sc, r;

	r = kx_fdt_blob_open(ctx, &b, blob, len);
	if (r < 0)
		return r;
	r = kx_fdt_root_cells(ctx, b.fdt, &ac, &sc);
	if (r < 0)
		goto out;

	/* Only the root's children count, as in early_init_dt_scan_memory(). */
	fdt_for_each_subnode(node, b.fdt, 0) {
		const char *pname = "linux,usable-memory";
		const uint8_t *p;
		int plen;

		if (!prop_is(b.fdt, node, "device_type", "memory") || !available(b.fdt, node))
			continue;
		/* A kdump kernel's limit replaces reg, as the kernel takes it. */
		p = fdt_getprop(b.fdt, node, pname, &plen);
		if (!p) {
			pname = "reg";
			p = fdt_getprop(b.fdt, node, pname, &plen);
		}
		if (!p)
			continue;
		r = add_reg(ctx, b.fdt, node, pname, p, plen, ac, sc, &l);
		if (r < 0)
			goto out;
	}
	if (!l.nr) {
		kx_err(ctx, "device tree: no memory node (device_type \"memory\") with a range: "
			    "the next kernel would find no RAM");
		r = -ENOENT;
		goto out;
	}
	rlist_finish(&l, ram, nr);
	kx_dbg(ctx, "device tree: %zu RAM ranges", *nr);
out:
	free(l.r);
	kx_fdt_blob_close(&b);
	return r;
}

int kx_fdt_reserved(struct kexec_ctx *ctx, const void *blob, size_t len, struct kx_range **res,
		    size_t *nr)
{
	struct rlist l = { 0 };
	struct kx_fdt_blob b;
	int i, n, rm, node, ac, sc, r;

	r = kx_fdt_blob_open(ctx, &b, blob, len);
	if (r < 0)
		return r;

	n = fdt_num_mem_rsv(b.fdt);
	for (i = 0; i < n; i++) {
		uint64_t addr, size;

		if (fdt_get_mem_rsv(b.fdt, i, &addr, &size) < 0 || !size)
			continue;
		if (addr + (size - 1) < addr) {
			kx_err(ctx, "device tree: /memreserve/ %#" PRIx64 " + %#" PRIx64
				    " runs past the end of the 64-bit address space", addr, size);
			r = -ENOEXEC;
			goto out;
		}
		r = rlist_add(ctx, &l, addr, size);
		if (r < 0)
			goto out;
	}

	rm = fdt_path_offset(b.fdt, "/reserved-memory");
	if (rm >= 0) {
		/* Its cells must equal the root's for Linux; its own describe its children. */
		r = kx_fdt_root_cells(ctx, b.fdt, &ac, &sc);
		if (r >= 0)
			r = node_cells(ctx, b.fdt, rm, "#address-cells", ac, 1, &ac);
		if (r >= 0)
			r = node_cells(ctx, b.fdt, rm, "#size-cells", sc, 1, &sc);
		if (r < 0)
			goto out;
		fdt_for_each_subnode(node, b.fdt, rm) {
			const uint8_t *p;
			int plen;

			if (!available(b.fdt, node))
				continue;
			p = fdt_getprop(b.fdt, node, "reg", &plen);
			if (!p)
				continue;
			r = add_reg(ctx, b.fdt, node, "reg", p, plen, ac, sc, &l);
			if (r < 0)
				goto out;
		}
	}
	rlist_finish(&l, res, nr);
	kx_dbg(ctx, "device tree: %zu reserved ranges", *nr);
	r = 0;
out:
	free(l.r);
	kx_fdt_blob_close(&b);
	return r;
}

/* ---- The console --------------------------------------------------------- */

/*
 * The node an absolute path or an alias (with an optional absolute rest:
 * "serial0/sub") names, the first namelen bytes of s; a negative libfdt error
 * when there is none.
 */
static int resolve_path(const void *fdt, const char *s, size_t namelen)
{
	const char *slash, *alias;
	size_t alen, vlen;
	char *full;
	int aliases, node;

	if (!namelen || namelen > INT_MAX)
		return -FDT_ERR_BADPATH;
	if (s[0] == '/')
		return fdt_path_offset_namelen(fdt, s, (int)namelen);

	slash = memchr(s, '/', namelen);
	alen = slash ? (size_t)(slash - s) : namelen;
	aliases = fdt_path_offset(fdt, "/aliases");
	if (aliases < 0)
		return aliases;
	/* prop_string() takes a NUL-terminated name: the alias's, copied. */
	{
		char name[256];

		if (alen >= sizeof(name))
			return -FDT_ERR_BADPATH;
		memcpy(name, s, alen);
		name[alen] = '\0';
		alias = prop_string(fdt, aliases, name, &vlen);
	}
	if (!alias || alias[0] != '/')
		return -FDT_ERR_BADPATH;
	if (vlen > INT_MAX - (namelen - alen) - 1)
		return -FDT_ERR_BADPATH;
	full = malloc(vlen + (namelen - alen) + 1);
	if (!full)
		return -FDT_ERR_NOSPACE;
	memcpy(full, alias, vlen);
	memcpy(full + vlen, s + alen, namelen - alen);
	full[vlen + namelen - alen] = '\0';
	node = fdt_path_offset_namelen(fdt, full, (int)(vlen + namelen - alen));
	free(full);
	return node;
}

/*
 * The first reg address of node, in the root's address space: through each
 * ancestor's ranges (empty: 1:1; missing: not translatable). False when it
 * cannot be had.
 */
static bool translate_reg(const void *fdt, int node, uint64_t *out)
{
	int bus, parent, ac, sc, pac, len, depth;
	const uint8_t *p;
	uint64_t addr;

	bus = fdt_parent_offset(fdt, node);
	if (bus < 0)
		return false;
	if (node_cells(NULL, fdt, bus, "#address-cells", bus ? 2 : 1, 1, &ac) < 0 ||
	    node_cells(NULL, fdt, bus, "#size-cells", 1, 0, &sc) < 0)
		return false;
	p = fdt_getprop(fdt, node, "reg", &len);
	if (!p || len < 4 * (ac + sc) || !kx_fdt_read_cells(p, ac, &addr))
		return false;

	for (depth = fdt_node_depth(fdt, bus); depth > 0; depth--) {
		size_t entry, off;
		bool found = false;

		parent = fdt_parent_offset(fdt, bus);
		if (parent < 0 ||
		    node_cells(NULL, fdt, parent, "#address-cells", parent ? 2 : 1, 1, &pac) < 0)
			return false;
		p = fdt_getprop(fdt, bus, "ranges", &len);
		if (!p || len < 0)
			return false;
		entry = (size_t)(ac + pac + sc) * 4;
		if ((size_t)len % entry)
			return false;
		for (off = 0; len && off < (size_t)len && !found; off += entry) {
			uint64_t child, paddr, size;

			if (!kx_fdt_read_cells(p + off, ac, &child) ||
			    !kx_fdt_read_cells(p + off + 4 * ac, pac, &paddr) ||
			    !kx_fdt_read_cells(p + off + 4 * (ac + pac), sc, &size))
				continue;
			if (addr >= child && addr - child < size) {
				addr = paddr + (addr - child);
				found = true;
			}
		}
		if (len && !found)
			return false;
		bus = parent;
		ac = pac;
		if (node_cells(NULL, fdt, bus, "#size-cells", 1, 0, &sc) < 0)
			return false;
	}
	*out = addr;
	return true;
}

/*
 * Whether the string list list (len bytes) holds str. Not libfdt's
 * fdt_stringlist_contains(): 1.6.1's compares len + 1 bytes, so it reads one
 * byte past a list whose last string lacks its NUL, and matches it if that
 * byte happens to be 0.
 */
static bool list_contains(const char *list, int len, const char *str)
{
	size_t n = strlen(str) + 1;

	while (len > 0) {
		const char *nul = memchr(list, '\0', (size_t)len);
		size_t l;

		if (!nul)
			return false;
		l = (size_t)(nul - list) + 1;
		if (l == n && !memcmp(list, str, n))
			return true;
		list += l;
		len -= (int)l;
	}
	return false;
}

/* A one-cell property: dflt when absent, UINT32_MAX when malformed. */
static uint32_t prop_u32(const void *fdt, int node, const char *name, uint32_t dflt)
{
	int len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return dflt;
	return len == 4 ? kx_be32(p) : UINT32_MAX;
}

int kx_fdt_console(const void *blob, size_t len, uint64_t *base, uint32_t *kind)
{
	static const char *const uart8250[] = { "ns16550a", "ns16550", "ns8250",
						"snps,dw-apb-uart" };
	const char *path, *colon, *compat;
	uint32_t shift, width;
	int chosen, node, clen, r;
	uint32_t k = KX_CONSOLE_NONE;
	char why[128];
	struct kx_fdt_blob b;
	size_t plen, i;

	r = blob_open_quiet(&b, blob, len, why, sizeof(why));
	if (r < 0)
		return r;
	r = -ENOENT;
	chosen = fdt_path_offset(b.fdt, "/chosen");
	if (chosen < 0)
		chosen = fdt_path_offset(b.fdt, "/chosen@0");
	if (chosen < 0)
		goto out;
	path = prop_string(b.fdt, chosen, "stdout-path", &plen);
	if (!path)
		path = prop_string(b.fdt, chosen, "linux,stdout-path", &plen);
	if (!path)
		goto out;
	colon = memchr(path, ':', plen);
	if (colon)
		plen = (size_t)(colon - path);
	node = resolve_path(b.fdt, path, plen);
	if (node < 0 || !available(b.fdt, node))
		goto out;

	compat = fdt_getprop(b.fdt, node, "compatible", &clen);
	if (!compat || clen <= 0)
		goto out;
	if (list_contains(compat, clen, "arm,pl011")) {
		k = KX_CONSOLE_PL011;
	} else {
		for (i = 0; i < ARRAY_SIZE(uart8250); i++) {
			if (list_contains(compat, clen, uart8250[i]))
				break;
		}
		if (i == ARRAY_SIZE(uart8250))
			goto out;
		shift = prop_u32(b.fdt, node, "reg-shift", 0);
		width = prop_u32(b.fdt, node, "reg-io-width", 1);

		/* Registers 4 bytes apart, accessed as 32-bit words (or byte ones, likewise). */
		if (shift == 2 && (width == 4 || width == 1))
			k = KX_CONSOLE_8250_MMIO32;
		else if (shift == 0 && width == 1)
			k = KX_CONSOLE_8250_MMIO8;
		else
			goto out;
	}
	if (!translate_reg(b.fdt, node, base))
		goto out;
	*kind = k;
	r = 0;
out:
	kx_fdt_blob_close(&b);
	return r;
}

int kx_fdt_cpus(const void *blob, size_t len, struct kx_fdt_cpus *out)
{
	struct kx_fdt_cpus c = { 0 };
	struct kx_fdt_blob b;
	char why[128];
	uint32_t tb;
	uint64_t id;
	int cpus, node, cells, rlen, r;
	unsigned int n = 0;

	r = blob_open_quiet(&b, blob, len, why, sizeof(why));
	if (r < 0)
		return r;
	r = -ENOENT;
	cpus = fdt_path_offset(b.fdt, "/cpus");
	if (cpus < 0)
		goto out;
	if (node_cells(NULL, b.fdt, cpus, "#address-cells", 1, 1, &cells) < 0)
		goto out;
	tb = prop_u32(b.fdt, cpus, "timebase-frequency", 0);
	c.timebase = tb == UINT32_MAX ? 0 : tb;
	fdt_for_each_subnode(node, b.fdt, cpus) {
		const uint8_t *reg = fdt_getprop(b.fdt, node, "reg", &rlen);

		/* The first reg entry: the id. */
		if (!prop_is(b.fdt, node, "device_type", "cpu") || !available(b.fdt, node) || !reg ||
		    rlen < 4 * cells || !kx_fdt_read_cells(reg, cells, &id))
			continue;
		n++;
		if (id < 64)
			c.ids |= 1ULL << id;
		else
			c.beyond++;
	}
	if (n) {
		*out = c;
		r = 0;
	}
out:
	kx_fdt_blob_close(&b);
	return r;
}
