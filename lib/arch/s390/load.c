/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on s390x (KEXEC_ARCH_S390), the way kexec-tools' kexec/arch/s390
 * and the kernel's arch/s390/boot lay an image out:
 *   kernel   the image file from offset 0x10000 (its startup code, "S390EP"
 *            at 0x10008) to the same address, copied so that its parameter
 *            area (0x10400, arch/s390/include/asm/setup.h) carries the
 *            initrd's start and size (+0x08, +0x10, big-endian) and the
 *            command line (+0x80, at most the image's max_command_line_size
 *            at +0x30, or 896 bytes when that is 0)
 *   initrd   at 8 MiB or above, past the image, on a 1 MiB boundary (where
 *            kexec-tools puts it; the boot code moves it if it is in the way)
 *   purgatory purgatory/s390 (kexec-tools has none for this), below 2 GiB:
 *            relocate_kernel starts it in 31-bit mode after a reset
 *            (diag 0x308); it checks the segments and branches to 0x10000
 * Nothing goes below 0x10000 (the lowcore and the IPL area). No crash
 * kernels: Debian's s390x kernel has no CONFIG_CRASH_DUMP.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "purgatory.h"

#define IMAGE_START 0x10000ULL         /* file offset and address of the startup code */
#define EP_OFFSET 0x10008              /* "S390EP": the entry point table */
#define PARMAREA 0x10400               /* the parameter area, as a file offset */
#define PARM_INITRD_START (PARMAREA + 0x08)
#define PARM_INITRD_SIZE (PARMAREA + 0x10)
#define PARM_VERSION (PARMAREA + 0x28) /* file offset of the version string (5.3+) */
#define PARM_MAX_CMDLINE (PARMAREA + 0x30)
#define PARM_CMDLINE (PARMAREA + 0x80)
#define LEGACY_CMDLINE 896             /* before max_command_line_size */
#define INITRD_MIN 0x800000ULL         /* kexec-tools' RAMDISK_ORIGIN_ADDR */
#define INITRD_ALIGN 0x100000ULL
#define LIMIT_31BIT 0x80000000ULL      /* the purgatory is entered in 31-bit mode */

/* The longest command line the image takes, its NUL included. */
static uint64_t cmdline_size(const uint8_t *img)
{
	uint64_t max = kx_be64(img + PARM_MAX_CMDLINE);

	return max ? max : LEGACY_CMDLINE;
}

static int probe(const void *buf, size_t len, struct kexec_image_info *info, const char **reason,
		 struct kx_msg *msg)
{
	const uint8_t *b = buf;
	uint64_t max, ver;

	(void)msg; /* its reasons are literals */
	if (len < PARM_CMDLINE + LEGACY_CMDLINE) {
		*reason = "too short for an s390 image (no parameter area at 0x10400)";
		return -ENOEXEC;
	}
	if (memcmp(b + EP_OFFSET, "S390EP", 6)) {
		*reason = "not an s390 image (no \"S390EP\" at 0x10008)";
		return -ENOEXEC;
	}
	max = cmdline_size(b);
	if (max < 2 || max > (1u << 20) || PARM_CMDLINE + max > len) {
		*reason = "s390 image with a bad max_command_line_size";
		return -ENOEXEC;
	}
	info->cmdline_max = (uint32_t)max - 1;
	ver = kx_be64(b + PARM_VERSION);
	if (ver > PARM_CMDLINE && ver < len) {
		size_t n = strnlen((const char *)b + ver, len - ver);

		for (size_t i = 0; i < n && i < sizeof(info->kernel_version) - 1 && b[ver + i] != ' ';
		     i++)
			info->kernel_version[i] = (char)b[ver + i];
	}
	return 0;
}

static int prepare(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct kexec_memmap map = { 0 };
	int r;

	if (l->req->dtb) {
		kx_err(ctx, "cannot load %s: --dtb: s390 kernels take no device tree",
		       l->what_kernel);
		return -EOPNOTSUPP;
	}
	r = kexec_read_iomem(ctx, &map);
	if (r < 0) {
		kx_err(ctx, "cannot load %s: cannot read /proc/iomem: %s", l->what_kernel,
		       strerror(-r));
		return r;
	}
	r = 0;
	for (size_t i = 0; i < map.nr && r == 0; i++) {
		const struct kexec_mem_range *m = &map.r[i];

		if (m->depth || m->type != LIBKEXEC_MEM_RAM)
			continue;
		r = kx_alloc_add_ram(&l->alloc, m->start, m->end - m->start + 1);
		l->totalram_pages += (m->end - m->start + 1) / l->page_size;
	}
	kexec_memmap_free(&map);
	if (r < 0)
		return r;
	/* The lowcore and the IPL area. */
	r = kx_alloc_reserve(&l->alloc, 0, IMAGE_START);
	if (r < 0 && r != -EADDRNOTAVAIL)
		return r;
	return 0;
}

static int load_image(struct kexec_ctx *ctx, struct kx_load *l)
{
	const char *cmdline = l->req->cmdline ? l->req->cmdline : "";
	const uint8_t *file = l->kernel.addr;
	uint64_t size = l->kernel.len - IMAGE_START, memsz = kx_load_page_align(l, size);
	uint64_t max = cmdline_size(file), min;
	uint8_t *img;
	int r;

	if (strlen(cmdline) + 1 > max) {
		kx_err(ctx, "cannot load kernel %s: the command line is %zu bytes; this image takes "
			    "%" PRIu64 " (its max_command_line_size, NUL included)",
		       l->req->kernel, strlen(cmdline), max);
		return -E2BIG;
	}
	r = kx_alloc_reserve(&l->alloc, IMAGE_START, memsz);
	if (r < 0) {
		kx_err(ctx, "cannot load %s: %#" PRIx64 "-%#" PRIx64 " is not free RAM for the image",
		       l->what_kernel, (uint64_t)IMAGE_START, (uint64_t)(IMAGE_START + memsz - 1));
		return r;
	}
	min = IMAGE_START + memsz > INITRD_MIN ? IMAGE_START + memsz : INITRD_MIN;
	min = (min + INITRD_ALIGN - 1) & ~(INITRD_ALIGN - 1);
	r = kx_load_initrd(ctx, l, min, 0, false);
	if (r < 0)
		return r;
	img = malloc(size);
	if (!img)
		return -ENOMEM;
	r = kx_load_keep(l, img);
	if (r < 0) {
		free(img);
		return r;
	}
	memcpy(img, file + IMAGE_START, size);
	kx_put_be64(img + PARM_INITRD_START - IMAGE_START, l->initrd_addr);
	kx_put_be64(img + PARM_INITRD_SIZE - IMAGE_START, l->initrd_size);
	memset(img + PARM_CMDLINE - IMAGE_START, 0, max);
	memcpy(img + PARM_CMDLINE - IMAGE_START, cmdline, strlen(cmdline));
	l->kernel_entry = IMAGE_START;
	return kx_load_add_segment(l, LIBKEXEC_SEGMENT_KERNEL, img, size, IMAGE_START, memsz);
}

static const char *const image_aliases[] = { "s390", "vmlinuz", NULL };

static const struct kx_format image_s390 = {
	.type = {
		.name = "image",
		.aliases = image_aliases,
		.summary = "s390 kernel image (\"S390EP\"), as installed in /boot",
		/*
		 * The kernel's s390_image_load (arch/s390/kernel/kexec_image.c)
		 * takes the file as it is; its probe takes any file, ours
		 * wants "S390EP".
		 */
		.kexec_file_load = true,
		.kexec_load = true,
	},
	.probe = probe,
	.cmdline_limit_what = "the image's max_command_line_size",
	.file_wrong_format_errno = ENOEXEC,
	.load = load_image,
};

static const struct kx_format *const formats[] = {
	&image_s390,
};

static int purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
			    struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max)
{
	if (l->req->console_progress) {
		kx_err(ctx, "cannot load %s: --console-serial: the s390 purgatory writes to the "
			    "SCLP console only to report a mismatch (a message on the way to the "
			    "kernel would leave the SCLP's interrupt pending for it)",
		       l->what_kernel);
		return -EOPNOTSUPP;
	}
	pp->console_kind = KX_CONSOLE_SCLP;
	*min = IMAGE_START;
	*max = LIMIT_31BIT - 1;
	return 0;
}

static void cleanup(struct kx_load *l)
{
	(void)l;
}

static const struct kx_crash_policy crash_policy = {
	.e_machine = 22,
};

const struct kx_arch kx_arch_s390 = {
	.name = "s390",
	.kexec_arch = KEXEC_ARCH_S390,
	.e_machine = 22,
	.page_size = 4096,
	.dest_limit = UINT64_MAX, /* KEXEC_DESTINATION_MEMORY_LIMIT (-1UL) */
	.formats = formats,
	.nr_formats = ARRAY_SIZE(formats),
	.crash = &crash_policy,
	.purgatory_console = "the SCLP console, and only to report a mismatch",
	.no_crash = "s390 crash kernels are not built here (Debian's s390x kernel has no "
		    "CONFIG_CRASH_DUMP to prove one on)",
	.purgatory = kx_purgatory_s390x_blob,
	.purgatory_size = &kx_purgatory_s390x_blob_size,
	.reloc = &kx_reloc_s390x,
	.prepare = prepare,
	.purgatory_params = purgatory_params,
	.cleanup = cleanup,
};
