/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device trees as boot data, the building half (dtb.h): kx_fdt_edit makes
 * the next kernel's tree from a checked blob and the edit asked for
 * (/chosen's command line, initrd, KASLR and RNG seeds; a crash kernel's
 * usable memory and core header), a pure function of its inputs but for the
 * random seeds (fuzz/fuzz-dtb.c). lib/dtb.c reads and checks the blobs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dtb.h"
#include "params.h"

/* FDT_MAX_NCELLS: libfdt and the kernel accept no more. */
#define MAX_CELLS 4
/* Room an edit may need beyond the input and the command line: property headers, names, values. */
#define EDIT_SLACK 1024U

/* ---- Editing ------------------------------------------------------------- */

/* Remove every property called name (a hostile blob may repeat one). */
static int del_all(void *fdt, int node, const char *name)
{
	int r;

	while ((r = fdt_delprop(fdt, node, name)) == 0)
		;
	return r == -FDT_ERR_NOTFOUND ? 0 : r;
}

/* Remove the /memreserve/ entry exactly [addr, addr + size), if there is one. */
static int del_mem_rsv(void *fdt, uint64_t addr, uint64_t size)
{
	int i, n = fdt_num_mem_rsv(fdt);

	for (i = 0; i < n; i++) {
		uint64_t a, s;

		if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0 && a == addr && s == size)
			return fdt_del_mem_rsv(fdt, i);
	}
	return 0;
}

/*
 * A <addr size> property's first pair with the root's cells (ac, sc, or 0 when
 * unknown); false when absent or unreadable.
 */
static bool get_pair(const void *fdt, int node, const char *name, int ac, int sc, uint64_t *addr,
		     uint64_t *size)
{
	const uint8_t *p;
	int len;

	if (!ac || !sc)
		return false;
	p = fdt_getprop(fdt, node, name, &len);
	return p && len >= 4 * (ac + sc) && kx_fdt_read_cells(p, ac, addr) &&
	       kx_fdt_read_cells(p + 4 * ac, sc, size);
}

struct edit_plan {
	const struct kx_fdt_edit *e;
	int ac, sc;                /* the root's cells; 0 when unreadable (then unused) */
	int initrd_start_len;      /* 4 or 8 */
	int initrd_end_len;
	bool have_seeds;
	uint8_t seeds[KX_FDT_KASLR_SEED_SIZE + KX_FDT_RNG_SEED_SIZE];
	uint8_t elfcorehdr[2 * 4 * MAX_CELLS];
	int elfcorehdr_len;
	uint8_t usable[4 * 4 * MAX_CELLS];
	int usable_len;
	bool old_ima, old_elfcorehdr;   /* the input's, for their /memreserve/ entries */
	uint64_t ima_addr, ima_size, elf_addr, elf_size;
};

/*
 * One attempt on fdt (the input opened into a larger buffer): a libfdt error,
 * -FDT_ERR_NOSPACE when the buffer was too small, with *step saying what failed.
 */
/* /chosen's bootargs, initrd and seeds for the new kernel. */
static int edit_boot(void *fdt, int chosen, const struct edit_plan *pl, const char **step)
{
	const struct kx_fdt_edit *e = pl->e;
	uint8_t v[8];
	int r;

	*step = "set bootargs";
	r = del_all(fdt, chosen, "bootargs");
	if (!r && e->cmdline && *e->cmdline)
		r = fdt_setprop_string(fdt, chosen, "bootargs", e->cmdline);
	if (r)
		return r;

	*step = "set linux,initrd-start and linux,initrd-end";
	r = del_all(fdt, chosen, "linux,initrd-start");
	if (!r)
		r = del_all(fdt, chosen, "linux,initrd-end");
	if (!r && (e->initrd_start || e->initrd_end)) {
		kx_fdt_write_cells(v, pl->initrd_start_len / 4, e->initrd_start);
		r = fdt_setprop(fdt, chosen, "linux,initrd-start", v, pl->initrd_start_len);
		kx_fdt_write_cells(v, pl->initrd_end_len / 4, e->initrd_end);
		if (!r)
			r = fdt_setprop(fdt, chosen, "linux,initrd-end", v, pl->initrd_end_len);
	}
	if (r)
		return r;

	*step = "set kaslr-seed and rng-seed";
	r = del_all(fdt, chosen, "kaslr-seed");
	if (!r)
		r = del_all(fdt, chosen, "rng-seed");
	if (!r && pl->have_seeds) {
		r = fdt_setprop(fdt, chosen, "kaslr-seed", pl->seeds, KX_FDT_KASLR_SEED_SIZE);
		if (!r)
			r = fdt_setprop(fdt, chosen, "rng-seed", pl->seeds + KX_FDT_KASLR_SEED_SIZE,
					KX_FDT_RNG_SEED_SIZE);
	}
	return r;
}

/* /chosen's IMA buffer (dropped), and a crash kernel's core header and usable memory. */
static int edit_crash(void *fdt, int chosen, const struct edit_plan *pl, const char **step)
{
	const struct kx_fdt_edit *e = pl->e;
	int r;

	*step = "remove linux,ima-kexec-buffer";
	r = del_all(fdt, chosen, "linux,ima-kexec-buffer");
	if (!r && pl->old_ima)
		r = del_mem_rsv(fdt, pl->ima_addr, pl->ima_size);
	if (r)
		return r;

	*step = "set linux,elfcorehdr";
	r = del_all(fdt, chosen, "linux,elfcorehdr");
	if (!r && pl->old_elfcorehdr)
		r = del_mem_rsv(fdt, pl->elf_addr, pl->elf_size);
	if (!r && pl->elfcorehdr_len) {
		r = fdt_setprop(fdt, chosen, "linux,elfcorehdr", pl->elfcorehdr,
				pl->elfcorehdr_len);
		/* As the kernel does: the kdump kernel must not stomp on it early. */
		if (!r)
			r = fdt_add_mem_rsv(fdt, e->elfcorehdr_addr, e->elfcorehdr_size);
	}
	if (r)
		return r;

	*step = "set linux,usable-memory-range";
	r = del_all(fdt, chosen, "linux,usable-memory-range");
	if (!r && pl->usable_len)
		r = fdt_setprop(fdt, chosen, "linux,usable-memory-range", pl->usable,
				pl->usable_len);
	return r;
}

static int edit_once(void *fdt, const struct edit_plan *pl, const char **step)
{
	int chosen, r;

	*step = "find /chosen";
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen == -FDT_ERR_NOTFOUND)
		chosen = fdt_path_offset(fdt, "/chosen@0");
	if (chosen == -FDT_ERR_NOTFOUND) {
		*step = "add /chosen";
		chosen = fdt_add_subnode(fdt, 0, "chosen");
	}
	if (chosen < 0)
		return chosen;
	r = edit_boot(fdt, chosen, pl, step);
	if (!r)
		r = edit_crash(fdt, chosen, pl, step);
	if (r)
		return r;
	*step = "pack";
	return fdt_pack(fdt);
}

/* The input's property as 4 bytes when it was 4 bytes long and v fits; else 8. */
static int initrd_len(const void *fdt, int chosen, const char *name, uint64_t v)
{
	int len;

	if (chosen >= 0 && fdt_getprop(fdt, chosen, name, &len) && len == 4 && v <= UINT32_MAX)
		return 4;
	return 8;
}

/* <addr size> with the root's cells into buf at *off; -ERANGE (logged) when they cannot hold it. */
static int put_pair(struct kexec_ctx *ctx, const char *what, const struct edit_plan *pl,
		    uint8_t *buf, int *off, uint64_t addr, uint64_t size)
{
	if (!kx_fdt_write_cells(buf + *off, pl->ac, addr) ||
	    !kx_fdt_write_cells(buf + *off + 4 * pl->ac, pl->sc, size)) {
		kx_err(ctx, "device tree: %s %#" PRIx64 " + %#" PRIx64 " does not fit the root's "
			    "#address-cells %d and #size-cells %d", what, addr, size, pl->ac, pl->sc);
		return -ERANGE;
	}
	*off += 4 * (pl->ac + pl->sc);
	return 0;
}

static int plan_edit(struct kexec_ctx *ctx, const void *fdt, const struct kx_fdt_edit *e,
		     struct edit_plan *pl)
{
	int chosen, r;
	bool crash = e->elfcorehdr_size || e->usable_size;

	memset(pl, 0, sizeof(*pl));
	pl->e = e;
	if (e->initrd_end < e->initrd_start) {
		kx_err(ctx, "device tree: initrd end %#" PRIx64 " below its start %#" PRIx64,
		       e->initrd_end, e->initrd_start);
		return -EINVAL;
	}
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen == -FDT_ERR_NOTFOUND)
		chosen = fdt_path_offset(fdt, "/chosen@0");
	pl->initrd_start_len = initrd_len(fdt, chosen, "linux,initrd-start", e->initrd_start);
	pl->initrd_end_len = initrd_len(fdt, chosen, "linux,initrd-end", e->initrd_end);

	/*
	 * The root's cells: needed to write the crash properties, and to find
	 * the /memreserve/ entries of stale ones. A blob with bad root cells can
	 * still get a command line and an initrd.
	 */
	if (crash) {
		r = kx_fdt_root_cells(ctx, fdt, &pl->ac, &pl->sc);
		if (r < 0)
			return r;
	} else if (kx_fdt_root_cells(NULL, fdt, &pl->ac, &pl->sc) < 0) {
		pl->ac = pl->sc = 0;
	}
	if (chosen >= 0) {
		pl->old_ima = get_pair(fdt, chosen, "linux,ima-kexec-buffer", pl->ac, pl->sc,
				       &pl->ima_addr, &pl->ima_size);
		pl->old_elfcorehdr = get_pair(fdt, chosen, "linux,elfcorehdr", pl->ac, pl->sc,
					      &pl->elf_addr, &pl->elf_size);
	}

	if (e->elfcorehdr_size) {
		r = put_pair(ctx, "linux,elfcorehdr", pl, pl->elfcorehdr, &pl->elfcorehdr_len,
			     e->elfcorehdr_addr, e->elfcorehdr_size);
		if (r < 0)
			return r;
	}
	if (e->usable_size) {
		r = put_pair(ctx, "linux,usable-memory-range", pl, pl->usable, &pl->usable_len,
			     e->usable_start, e->usable_size);
		if (!r && e->usable_low_size)
			r = put_pair(ctx, "linux,usable-memory-range", pl, pl->usable,
				     &pl->usable_len, e->usable_low_start, e->usable_low_size);
		if (r < 0)
			return r;
	}

	if (e->seeds) {
		r = kx_random_bytes(pl->seeds, sizeof(pl->seeds));
		if (r < 0)
			kx_warn(ctx, "no kaslr-seed or rng-seed for the next kernel: getrandom: %s",
				strerror(-r));
		else
			pl->have_seeds = true;
	}
	return 0;
}

int kx_fdt_edit(struct kexec_ctx *ctx, const void *in, size_t in_len, const struct kx_fdt_edit *e,
		void **out, size_t *out_len)
{
	size_t size, cmdline_len = e->cmdline ? strlen(e->cmdline) : 0;
	struct edit_plan pl;
	const char *step = "open";
	char why[256];
	struct kx_fdt_blob b;
	void *buf = NULL;
	int r;

	r = kx_fdt_blob_open(ctx, &b, in, in_len);
	if (r < 0)
		return r;
	r = plan_edit(ctx, b.fdt, e, &pl);
	if (r < 0)
		goto out;

	/* Enough for every edit at once; doubling after that is a safety net. */
	size = fdt_totalsize(b.fdt);
	size = cmdline_len > KX_FDT_MAX || size + cmdline_len + EDIT_SLACK > KX_FDT_MAX
		       ? (size_t)KX_FDT_MAX + 1
		       : size + cmdline_len + EDIT_SLACK;
	for (;;) {
		void *nbuf;

		if (size > KX_FDT_MAX) {
			kx_err(ctx, "device tree: the edited tree (a command line of %zu bytes) "
				    "would be larger than %u MiB", cmdline_len, KX_FDT_MAX >> 20);
			r = -ENOMEM;
			goto out;
		}
		nbuf = realloc(buf, size);
		if (!nbuf) {
			kx_err(ctx, "device tree: out of memory for %zu bytes", size);
			r = -ENOMEM;
			goto out;
		}
		buf = nbuf;
		step = "open";
		r = fdt_open_into(b.fdt, buf, (int)size);
		if (!r)
			r = edit_once(buf, &pl, &step);
		if (r != -FDT_ERR_NOSPACE)
			break;
		size *= 2;
	}
	if (r < 0) {
		kx_err(ctx, "device tree: cannot %s: %s", step, kx_fdt_reason(r, why, sizeof(why)));
		r = r == -FDT_ERR_NOSPACE ? -ENOMEM : -ENOEXEC;
		goto out;
	}
	*out_len = fdt_totalsize(buf);
	{
		void *shrunk = realloc(buf, *out_len);

		if (shrunk)
			buf = shrunk;
	}
	*out = buf;
	buf = NULL;
	kx_dbg(ctx, "device tree: /chosen edited, %zu bytes (from %" PRIu32 ")", *out_len,
	       fdt_totalsize(b.fdt));
	r = 0;
out:
	free(buf);
	kx_fdt_blob_close(&b);
	return r;
}
