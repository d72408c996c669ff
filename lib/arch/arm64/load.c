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
#include "dtb-boot.h"
#include "purgatory.h"

#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
/* The kernel maps the initrd and DTB only within 32 GiB of its 1 GiB-aligned end. */
#define SZ_32G 0x800000000ULL
/* booting.rst: the DTB must not exceed 2 MiB. */
#define DTB_MAX SZ_2M

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
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
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_KERNEL, l->kernel.addr, l->kernel.len, kaddr, kmemsz);
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
	/* booting.rst: the DTB is at most 2 MiB. */
	return kx_dtb_boot_load(ctx, l, l->arch_priv, 0, window_end, DTB_MAX);
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
	.device_tree = true,
	.purgatory_console = "the device tree's console UART (/chosen stdout-path)",
	.purgatory = kx_purgatory_aarch64_blob,
	.reloc = &kx_reloc_aarch64,
	.purgatory_size = &kx_purgatory_aarch64_blob_size,
	.prepare = kx_dtb_boot_arch_prepare,
	.purgatory_params = kx_dtb_boot_arch_purgatory_params,
	.cleanup = kx_dtb_boot_arch_cleanup,
};
