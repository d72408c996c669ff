/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Boot data for the device-tree architectures: see dtb-boot.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dtb-boot.h"
#include "dtb.h"

/* RAM [start, end] to place into, counted for the validator (in 4 KiB pages). */
static int add_ram_range(struct kx_load *l, uint64_t start, uint64_t end)
{
	int r = kx_alloc_add_ram(&l->alloc, start, end - start + 1);

	if (r == 0)
		l->totalram_pages += (end - start + 1) / 4096;
	return r;
}

/* A reservation inside that RAM kept free; nested or overlapping ones are fine. */
static int reserve_range(struct kx_load *l, uint64_t start, uint64_t end)
{
	int r = 0;

	if (kx_alloc_is_ram(&l->alloc, start, end - start + 1))
		r = kx_alloc_reserve(&l->alloc, start, end - start + 1);
	return r == -EBUSY ? 0 : r;
}

/*
 * RAM to place into: /proc/iomem's System RAM less what the running kernel
 * keeps reserved below it (firmware tables, UEFI runtime memory, the GIC's
 * LPI tables, which must survive a kexec); without a readable iomem (not
 * root), the device tree's memory nodes less its reservations.
 */
static int add_ram(struct kexec_ctx *ctx, struct kx_load *l, struct kx_dtb_boot *b)
{
	struct kexec_memmap m = { 0 };
	struct kx_range *ram = NULL, *res = NULL;
	size_t nr_ram = 0, nr_res = 0;
	int r;

	r = kexec_read_iomem(ctx, &m);
	if (r >= 0) {
		r = 0;
		for (size_t i = 0; r == 0 && i < m.nr; i++)
			if (m.r[i].depth == 0 && m.r[i].type == LIBKEXEC_MEM_RAM)
				r = add_ram_range(l, m.r[i].start, m.r[i].end);
		for (size_t i = 0; r == 0 && i < m.nr; i++)
			if (m.r[i].depth > 0 && !strcasecmp(m.r[i].name, "reserved"))
				r = reserve_range(l, m.r[i].start, m.r[i].end);
		kexec_memmap_free(&m);
		return r;
	}
	kexec_memmap_free(&m);
	kx_dbg(ctx, "no /proc/iomem (%s): RAM from the device tree", strerror(-r));
	r = kx_fdt_memory(ctx, b->in, b->in_len, &ram, &nr_ram);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < nr_ram; i++)
		r = add_ram_range(l, ram[i].start, ram[i].end);
	if (r == 0)
		r = kx_fdt_reserved(ctx, b->in, b->in_len, &res, &nr_res);
	for (size_t i = 0; r == 0 && i < nr_res; i++)
		r = reserve_range(l, res[i].start, res[i].end);
	free(ram);
	free(res);
	return r;
}

int kx_dtb_boot_prepare(struct kexec_ctx *ctx, struct kx_load *l, struct kx_dtb_boot *b)
{
	int r;

	if (!l->req->dtb && l->img.u.dtb.len) {
		/* A UKI's .dtb, unless the request names a blob. */
		snprintf(b->what, sizeof(b->what), "device tree (.dtb of %s)", l->req->kernel);
		r = kx_fdt_from_buf(ctx, b->what, l->img.u.dtb.buf, l->img.u.dtb.len, &b->in,
				    &b->in_len);
		if (r == 0) {
			l->from_image |= LIBKEXEC_FROM_IMAGE_DTB;
			kx_info(ctx, "kernel %s: using the UKI's device tree (.dtb, %zu bytes)",
				l->req->kernel, l->img.u.dtb.len);
		}
	} else {
		snprintf(b->what, sizeof(b->what), "device tree %s",
			 l->req->dtb ? l->req->dtb : "/sys/firmware/fdt");
		r = kx_fdt_read(ctx, l->req->dtb, &b->in, &b->in_len);
	}
	if (r < 0)
		return r;
	if (l->crash) {
		/* The crash kernel lives in its reservation and sees only that as RAM. */
		l->totalram_pages = (l->crash_end - l->crash_start + 1) / 4096;
		return kx_alloc_add_ram(&l->alloc, l->crash_start, l->crash_end - l->crash_start + 1);
	}
	return add_ram(ctx, l, b);
}

int kx_dtb_boot_load(struct kexec_ctx *ctx, struct kx_load *l, struct kx_dtb_boot *b,
		     uint64_t min, uint64_t max, size_t max_size)
{
	struct kx_fdt_edit e = {
		.cmdline = l->req->cmdline,
		.initrd_start = l->initrd_addr,
		.initrd_end = l->initrd_addr + l->initrd_size,
		.seeds = true,
	};
	uint64_t addr;
	int r;

	if (l->crash) {
		e.elfcorehdr_addr = l->elfcorehdr_addr;
		e.elfcorehdr_size = l->elfcorehdr_len;
		e.usable_start = l->crash_start;
		e.usable_size = l->crash_end - l->crash_start + 1;
		if (l->arch->crash->usable_below_elfcorehdr && l->elfcorehdr_addr > l->crash_start)
			e.usable_size = l->elfcorehdr_addr - l->crash_start;
	}
	r = kx_cmdline_check(ctx, l->fmt, &l->info, l->req->kernel,
			     l->req->cmdline ? strlen(l->req->cmdline) : 0, false, NULL);
	if (r < 0)
		return r;
	r = kx_fdt_edit(ctx, b->in, b->in_len, &e, &b->out, &b->out_len);
	if (r < 0)
		return r;
	if (max_size && b->out_len > max_size) {
		kx_err(ctx, "cannot load %s: the %s is %zu bytes once edited; the kernel takes at most "
			    "%zu",
		       l->what_kernel, b->what, b->out_len, max_size);
		return -E2BIG;
	}
	r = kx_load_place(ctx, l, b->what, kx_load_page_align(l, b->out_len), 0, min, max, false,
			  &addr);
	if (r < 0)
		return r;
	l->boot_data = addr;
	return kx_load_add_segment(l, LIBKEXEC_SEGMENT_DTB, b->out, b->out_len, addr,
				   kx_load_page_align(l, b->out_len));
}

int kx_dtb_boot_console(struct kexec_ctx *ctx, const struct kx_load *l,
			const struct kx_dtb_boot *b, struct kx_purgatory_params *pp)
{
	uint64_t base;
	uint32_t kind;

	/* Its messages go where the running kernel's console is, when the purgatory can drive it. */
	if (kx_fdt_console(b->in, b->in_len, &base, &kind) == 0) {
		pp->console_base = base;
		pp->console_kind = kind;
		kx_dbg(ctx, "purgatory console: kind %u at %#" PRIx64, kind, base);
	}
	return 0;
}

void kx_dtb_boot_free(struct kx_dtb_boot *b)
{
	free(b->in);
	free(b->out);
	memset(b, 0, sizeof(*b));
}

int kx_dtb_boot_arch_prepare(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct kx_dtb_boot *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	l->arch_priv = b;
	return kx_dtb_boot_prepare(ctx, l, b);
}

void kx_dtb_boot_arch_cleanup(struct kx_load *l)
{
	if (!l->arch_priv)
		return;
	kx_dtb_boot_free(l->arch_priv);
	free(l->arch_priv);
	l->arch_priv = NULL;
}

int kx_dtb_boot_arch_purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
				      struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max)
{
	int r = kx_dtb_boot_console(ctx, l, l->arch_priv, pp);

	if (r < 0)
		return r;
	*min = 0;
	*max = l->arch->dest_limit == UINT64_MAX ? 0 : l->arch->dest_limit - 1;
	return 0;
}
