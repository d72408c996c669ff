/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on arm64 (Debian's arm64 kernels have no kexec_file_load): the
 * Image, the initrd and a device tree, placed as the kernel's own file loader
 * (arch/arm64/kernel/kexec_image.c, machine_kexec_file.c) and kexec-tools
 * place them, then our purgatory, which checks the segments and enters the
 * Image with x0 = the DTB:
 *   kernel       at a 2 MiB-aligned base + text_offset, image_size of room
 *   initrd       page-aligned, above the kernel, in the window it maps
 *   elfcorehdr   crash loads: the core header, in the crash region
 *   dtb          the running system's device tree (or --dtb) with /chosen set
 *   purgatory    purgatory/arm64
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64.h"
#include "dtb.h"
#include "purgatory.h"

#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
/* The kernel maps the initrd and DTB only within 32 GiB of its 1 GiB-aligned end. */
#define SZ_32G 0x800000000ULL
/* booting.rst: the DTB must not exceed 2 MiB. */
#define DTB_MAX SZ_2M

struct priv {
	void *dtb_in;         /* the blob to start from */
	size_t dtb_in_len;
	void *dtb;            /* the edited one, loaded */
	size_t dtb_len;
	char dtb_what[96];    /* "device tree <path>" */
};

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

/*
 * RAM to place into: /proc/iomem's System RAM less what the running kernel
 * keeps reserved below it (firmware tables, UEFI runtime memory, the GIC's
 * LPI tables, which must survive a kexec); without a readable iomem (not
 * root), the device tree's memory nodes less its reservations.
 */
static int add_ram(struct kexec_ctx *ctx, struct kx_load *l, struct priv *pv)
{
	struct kexec_memmap m = { 0 };
	struct kx_range *ram = NULL, *res = NULL;
	size_t nr_ram = 0, nr_res = 0;
	int r;

	r = kexec_read_iomem(ctx, &m);
	if (r >= 0) {
		r = 0;
		for (size_t i = 0; i < m.nr; i++) {
			const struct kexec_mem_range *e = &m.r[i];

			if (e->depth == 0 && e->type == KEXEC_MEM_RAM) {
				r = kx_alloc_add_ram(&l->alloc, e->start, e->end - e->start + 1);
				if (r < 0)
					break;
				l->totalram_pages += (e->end - e->start + 1) / 4096;
			}
		}
		for (size_t i = 0; r == 0 && i < m.nr; i++) {
			const struct kexec_mem_range *e = &m.r[i];

			if (e->depth > 0 && !strcmp(e->name, "reserved") &&
			    kx_alloc_is_ram(&l->alloc, e->start, e->end - e->start + 1))
				r = kx_alloc_reserve(&l->alloc, e->start, e->end - e->start + 1);
			if (r == -EBUSY)
				r = 0; /* nested or overlapping reservations */
		}
		kexec_memmap_free(&m);
		return r;
	}
	kexec_memmap_free(&m);
	kx_dbg(ctx, "no /proc/iomem (%s): RAM from the device tree", strerror(-r));
	r = kx_fdt_memory(ctx, pv->dtb_in, pv->dtb_in_len, &ram, &nr_ram);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < nr_ram; i++) {
		r = kx_alloc_add_ram(&l->alloc, ram[i].start, ram[i].end - ram[i].start + 1);
		l->totalram_pages += (ram[i].end - ram[i].start + 1) / 4096;
	}
	if (r == 0)
		r = kx_fdt_reserved(ctx, pv->dtb_in, pv->dtb_in_len, &res, &nr_res);
	for (size_t i = 0; r == 0 && i < nr_res; i++) {
		if (kx_alloc_is_ram(&l->alloc, res[i].start, res[i].end - res[i].start + 1))
			r = kx_alloc_reserve(&l->alloc, res[i].start, res[i].end - res[i].start + 1);
		if (r == -EBUSY)
			r = 0;
	}
	free(ram);
	free(res);
	return r;
}

static int prepare(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct priv *pv = calloc(1, sizeof(*pv));
	int r;

	if (!pv)
		return -ENOMEM;
	l->arch_priv = pv;
	snprintf(pv->dtb_what, sizeof(pv->dtb_what), "device tree %s",
		 l->req->dtb ? l->req->dtb : "/sys/firmware/fdt");
	r = kx_fdt_read(ctx, l->req->dtb, &pv->dtb_in, &pv->dtb_in_len);
	if (r < 0)
		return r;
	if (l->crash) {
		/* The crash kernel lives in its reservation and sees only that as RAM. */
		l->totalram_pages = (l->crash_end - l->crash_start + 1) / 4096;
		return kx_alloc_add_ram(&l->alloc, l->crash_start, l->crash_end - l->crash_start + 1);
	}
	return add_ram(ctx, l, pv);
}

/* The device tree for the next kernel, placed below the window's end. */
static int load_dtb(struct kexec_ctx *ctx, struct kx_load *l, uint64_t max)
{
	struct priv *pv = l->arch_priv;
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
	}
	r = kx_cmdline_check(ctx, l->fmt, &l->info, l->req->kernel,
			     l->req->cmdline ? strlen(l->req->cmdline) : 0, false, NULL);
	if (r < 0)
		return r;
	r = kx_fdt_edit(ctx, pv->dtb_in, pv->dtb_in_len, &e, &pv->dtb, &pv->dtb_len);
	if (r < 0)
		return r;
	if (pv->dtb_len > DTB_MAX) {
		kx_err(ctx, "cannot load %s: the %s is %zu bytes once edited; the kernel takes at most "
			    "2 MiB",
		       l->what_kernel, pv->dtb_what, pv->dtb_len);
		return -E2BIG;
	}
	r = kx_load_place(ctx, l, pv->dtb_what, kx_load_page_align(l, pv->dtb_len), 0, 0, max,
			  false, &addr);
	if (r < 0)
		return r;
	l->boot_data = addr;
	return kx_load_add_segment(l, "dtb", pv->dtb, pv->dtb_len, addr,
				   kx_load_page_align(l, pv->dtb_len));
}

int kx_arm64_load_image(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct kx_arm64_image img;
	const char *reason;
	uint64_t base, kaddr, kmemsz, kend, window_end;
	int r;

	r = kx_arm64_image_read(l->kernel.addr, l->kernel.len, &img, &reason);
	if (r < 0) {
		kx_err(ctx, "cannot load kernel %s: %s", l->req->kernel, reason);
		return r;
	}
	/* image_size counts .bss; a signed image's appended signature may pass it. */
	kmemsz = img.image_size > l->kernel.len ? img.image_size : l->kernel.len;
	kmemsz = kx_load_page_align(l, kmemsz);
	/* A 2 MiB-aligned base, the Image at base + text_offset, as low as RAM allows. */
	r = kx_load_place(ctx, l, l->what_kernel, img.text_offset + kmemsz, SZ_2M,
			  l->crash ? l->crash_start : 0, 0, false, &base);
	if (r < 0)
		return r;
	kaddr = base + img.text_offset;
	r = kx_load_add_segment(l, "kernel", l->kernel.addr, l->kernel.len, kaddr, kmemsz);
	if (r < 0)
		return r;
	l->kernel_entry = kaddr;

	/* What the new kernel can reach at boot: up to 32 GiB past its 1 GiB-aligned end. */
	kend = kaddr + kmemsz;
	window_end = align_down(kend, SZ_1G) + SZ_32G - 1;
	r = kx_load_initrd(ctx, l, kend, window_end, false);
	if (r < 0)
		return r;
	if (l->crash) {
		r = kx_load_elfcorehdr(ctx, l);
		if (r < 0)
			return r;
	}
	return load_dtb(ctx, l, window_end);
}

static int purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
			    struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max)
{
	struct priv *pv = l->arch_priv;
	uint64_t base;
	uint32_t kind;

	/* Its messages go where the running kernel's console is, when the purgatory can drive it. */
	if (kx_fdt_console(pv->dtb_in, pv->dtb_in_len, &base, &kind) == 0) {
		pp->console_base = base;
		pp->console_kind = kind;
		kx_dbg(ctx, "purgatory console: kind %u at %#" PRIx64, kind, base);
	}
	*min = 0;
	*max = 0;
	return 0;
}

static void cleanup(struct kx_load *l)
{
	struct priv *pv = l->arch_priv;

	if (!pv)
		return;
	free(pv->dtb_in);
	free(pv->dtb);
	free(pv);
	l->arch_priv = NULL;
}

static const struct kx_format *const formats[] = {
	&kx_format_arm64_image,
	&kx_format_arm64_elf,
};

static const struct kx_crash_policy crash_policy = {
	.e_machine = 183,
	.exclude_low = 0,
	/* PAGE_OFFSET with 48-bit VAs, when /proc/kcore cannot say (it always can as root). */
	.default_page_offset = 0xffff000000000000ULL,
	/* The kernel image is mapped in the vmalloc area: no window of its own. */
	.text_window_start = 0,
	.text_window_size = 0,
};

const struct kx_arch kx_arch_arm64 = {
	.name = "arm64",
	.kexec_arch = KEXEC_ARCH_AARCH64,
	.e_machine = 183,
	.page_size = 4096,
	.dest_limit = UINT64_MAX,
	.formats = formats,
	.nr_formats = ARRAY_SIZE(formats),
	.crash = &crash_policy,
	.purgatory = kx_purgatory_aarch64_blob,
	.reloc = &kx_reloc_aarch64,
	.purgatory_size = &kx_purgatory_aarch64_blob_size,
	.prepare = prepare,
	.purgatory_params = purgatory_params,
	.cleanup = cleanup,
};
