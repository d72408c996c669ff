/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on 32-bit ARM (the kernel has no kexec_file_load there): the
 * zImage, the initrd and a device tree, then our purgatory, which checks the
 * segments and enters the zImage with r0 = 0, r1 = the machine type, r2 =
 * the device tree (Documentation/arch/arm/booting.rst).
 *
 * The zImage unpacks the kernel to (the address it runs at & ~(128 MiB - 1))
 * + TEXT_OFFSET (CONFIG_AUTO_ZRELADDR, every multiplatform kernel), and the
 * kernel's .bss and first page tables follow or precede it there. TEXT_OFFSET
 * is not in the zImage: 0x8000 on most configurations, 0x208000 with
 * ARCH_MESON (Debian's armmp kernels), 0x308000 with ARCH_AXXIA. So:
 *   room       a 128 MiB-aligned base, then 4 MiB for any TEXT_OFFSET and
 *              the unpacked kernel's text, data and .bss (the zImage's size
 *              tag; without one, five times the zImage, as kexec-tools guesses)
 *   zImage     above the room, in the same 128 MiB: it unpacks the kernel
 *              below itself without moving itself first
 *   initrd     above the zImage (and its stack and malloc area), in lowmem
 *   dtb        the running system's device tree (or --dtb) with /chosen set
 *   purgatory  purgatory/arm
 * kexec-tools puts the zImage at base + 0x8000 and the initrd at a guessed
 * kernel end: with TEXT_OFFSET 0x208000 the kernel unpacks over the initrd
 * and the device tree unless --image-size is given.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arm.h"
#include "dtb-boot.h"
#include "purgatory.h"

#define SZ_1M 0x100000ULL
#define SZ_4M 0x400000ULL
#define SZ_128M 0x8000000ULL
/* The lowmem every 32-bit kernel maps whatever its split: initrd and DTB stay below base + this. */
#define LOWMEM_SAFE 0x20000000ULL
/* The zImage's stack (4 KiB) and malloc area (64 KiB) beyond its end (head.S), and slack. */
#define ZIMAGE_EXTRA 0x20000ULL
#define DTB_MAX 0x200000ULL

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int kx_arm_load_zimage(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct kx_arm_zimage z;
	const char *reason;
	uint64_t kernel, room, base, zaddr, zmemsz, zend, window_end;
	int r;

	r = kx_arm_zimage_read(l->kernel.addr, l->kernel.len, &z, &reason);
	if (r < 0) {
		kx_err(ctx, "cannot load kernel %s: %s", l->req->kernel, reason);
		return r;
	}
	if (z.size < l->kernel.len)
		kx_dbg(ctx, "%s: the %zu bytes after the zImage's end (an appended device tree?) "
			    "are not loaded: the device tree goes in r2", l->what_kernel,
		       l->kernel.len - (size_t)z.size);
	kernel = z.unpacked ? (uint64_t)z.unpacked + z.bss : 5ULL * z.size;
	/* --image-size (kexec-tools' room for the kernel): a floor, never less than the tag's. */
	if (l->req->kernel_room > kernel) {
		kx_dbg(ctx, "%s: --image-size 0x%" PRIx64 " leaves more room than the zImage asks "
			    "(0x%" PRIx64 ")", l->what_kernel, l->req->kernel_room, kernel);
		kernel = l->req->kernel_room;
	}
	room = align_up(SZ_4M + kernel, SZ_1M);
	zmemsz = kx_load_page_align(l, (uint64_t)z.size + ZIMAGE_EXTRA);
	if (kernel > SZ_128M || room + zmemsz > SZ_128M) {
		kx_err(ctx, "cannot load kernel %s: the kernel (0x%" PRIx64 " bytes unpacked) and "
			    "the zImage do not fit in the 128 MiB the zImage unpacks within",
		       l->req->kernel, kernel);
		return -E2BIG;
	}
	/*
	 * The 128 MiB-aligned base the zImage computes from its own address: a
	 * crash kernel's is the reservation's start (ARM reserves it 128 MiB
	 * aligned), where it will run.
	 */
	r = kx_load_place(ctx, l, l->what_kernel, room + zmemsz, SZ_128M,
			  l->crash ? l->crash_start : 0, 0, false, &base);
	if (r < 0)
		return r;
	zaddr = base + room;
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_KERNEL, l->kernel.addr, z.size, zaddr, zmemsz);
	if (r < 0)
		return r;
	kx_dbg(ctx, "%s: unpacks below 0x%" PRIx64 " (base 0x%" PRIx64 " + TEXT_OFFSET up to 4 MiB "
		    "+ 0x%" PRIx64 " bytes%s)", l->what_kernel, zaddr, base, kernel,
	       z.unpacked ? "" : ", five times the zImage: it has no size tag");
	l->kernel_entry = zaddr;

	zend = zaddr + zmemsz;
	window_end = base + LOWMEM_SAFE - 1;
	r = kx_load_initrd(ctx, l, zend, window_end, false);
	if (r < 0)
		return r;
	if (l->crash) {
		/* Found through the device tree's linux,elfcorehdr (drivers/of/fdt.c). */
		r = kx_load_elfcorehdr(ctx, l);
		if (r < 0)
			return r;
	}
	return kx_dtb_boot_load(ctx, l, l->arch_priv, zend, window_end, DTB_MAX);
}

static const struct kx_format *const formats[] = {
	&kx_format_arm_zimage,
	&kx_format_arm_elf,
};

static const struct kx_crash_policy crash_policy = {
	.e_machine = 40,
	.exclude_low = 0,
	/*
	 * PAGE_OFFSET with the default 3G/1G split, mapping where RAM starts
	 * (Debian's armmp kernels have no /proc/kcore to say).
	 */
	.default_page_offset = 0xc0000000ULL,
	.page_offset_from_ram = true,
	.text_window_start = 0,
	.text_window_size = 0,
	/* As kexec-tools: a 32-bit kernel's core header is ELFCLASS32. */
	.elf32_default = true,
	/*
	 * The crash kernel reads its header through ioremap(), which refuses
	 * RAM it maps: its memory ends below the header, which sits on a
	 * section (2 MiB with LPAE, 1 MiB without: 2 MiB suits both).
	 */
	.usable_below_elfcorehdr = true,
	.elfcorehdr_align = 0x200000,
	/* No KCORE_TEXT: the kernel runs in lowmem, at PAGE_OFFSET + physical. */
	.text_in_direct_map = true,
};

const struct kx_arch kx_arch_arm = {
	.name = "arm",
	.kexec_arch = KEXEC_ARCH_ARM,
	.e_machine = 40,
	.page_size = 4096,
	/* KEXEC_DESTINATION_MEMORY_LIMIT: the kernel's 32-bit physical addresses. */
	.dest_limit = 1ULL << 32,
	.formats = formats,
	.nr_formats = ARRAY_SIZE(formats),
	.crash = &crash_policy,
	.device_tree = true,
	.kernel_room = true,
	.no_file_load = true,
	.purgatory_console = "the device tree's console UART (/chosen stdout-path)",
	.purgatory = kx_purgatory_arm_blob,
	.reloc = &kx_reloc_arm,
	.purgatory_size = &kx_purgatory_arm_blob_size,
	.prepare = kx_dtb_boot_arch_prepare,
	.purgatory_params = kx_dtb_boot_arch_purgatory_params,
	.cleanup = kx_dtb_boot_arch_cleanup,
};
