/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arm64 Image format (Documentation/arch/arm64/booting.rst): a 64-byte
 * little-endian header at the start of the file,
 *   0x00 code0, 0x04 code1, 0x08 text_offset, 0x10 image_size, 0x18 flags,
 *   0x20..0x37 reserved, 0x38 magic "ARM\x64", 0x3c PE header offset,
 * where flags bit 0 is big-endian, bits 1-2 the page size (1 4K, 2 16K,
 * 3 64K, 0 unspecified) and bit 3 "may be placed anywhere in RAM".
 */
#include <errno.h>
#include <string.h>

#include "arm64.h"
#include "elf-vmlinux.h"

#define ARM64_MAGIC "ARM\x64"

static int reject(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return -ENOEXEC;
}

int kx_arm64_image_read(const void *buf, size_t len, struct kx_arm64_image *img,
			const char **reason)
{
	const uint8_t *b = buf;

	memset(img, 0, sizeof(*img));
	if (reason)
		*reason = NULL;
	if (len < 64)
		return reject(reason, "file is too short to be an arm64 Image");
	if (memcmp(b + 0x38, ARM64_MAGIC, 4))
		return reject(reason, "not an arm64 Image (no \"ARM\\x64\" magic at 0x38)");
	img->text_offset = kx_le64(b + 0x08);
	img->image_size = kx_le64(b + 0x10);
	img->flags = kx_le64(b + 0x18);
	if (img->flags & KX_ARM64_FLAG_BE)
		return reject(reason, "a big-endian arm64 kernel: the running kernel is "
				      "little-endian, and kexec cannot switch");
	/* Before Linux 3.17: image_size 0, text_offset to be taken as 0x80000. */
	if (!img->image_size)
		return reject(reason, "arm64 Image without image_size (a kernel older than 3.17, "
				      "which this loader does not place)");
	if (img->text_offset & 0xfff || img->text_offset >= 0x200000)
		return reject(reason, "arm64 Image header's text_offset is not a page-aligned "
				      "offset below 2 MiB");
	if (img->image_size > (1ULL << 32))
		return reject(reason, "arm64 Image header's image_size is over 4 GiB");
	switch ((img->flags >> 1) & 3) {
	case 1:
		img->page_size = 4096;
		break;
	case 2:
		img->page_size = 16384;
		break;
	case 3:
		img->page_size = 65536;
		break;
	default:
		img->page_size = 0;
		break;
	}
	return 0;
}

static int probe(const void *buf, size_t len, struct kexec_image_info *info, const char **reason,
		 struct kx_msg *msg)
{
	struct kx_arm64_image img;
	int r = kx_arm64_image_read(buf, len, &img, reason);

	(void)msg; /* its reasons are literals */
	if (r < 0)
		return r;
	info->cmdline_max = KX_ARM64_COMMAND_LINE_SIZE - 1;
	info->unpacked_size = img.image_size;
	info->arch_flags = img.flags;
	return 0;
}

/* The kernel's image_load() (arch/arm64/kernel/kexec_image.c) asks nothing more of a file. */
/* Lazy peeling: image_size, the image's size in memory, bounds the file. */
static int64_t head_size(const void *head, size_t len, const char **reason, struct kx_msg *msg)
{
	struct kx_arm64_image img;
	int r = kx_arm64_image_read(head, len, &img, reason);

	(void)msg; /* its reasons are literals */
	return r < 0 ? r : (int64_t)img.image_size;
}

static const char *const image_aliases[] = { "arm64", "image-arm64", NULL };

const struct kx_format kx_format_arm64_image = {
	.type = {
		.name = "Image",
		.aliases = image_aliases,
		.summary = "arm64 Image (uncompressed, as Debian's arm64 /boot/vmlinuz is)",
		.kexec_file_load = true,
		.kexec_load = true,
	},
	.probe = probe,
	.cmdline_limit_what = "COMMAND_LINE_SIZE",
	/* The kernel's image_probe() returns EINVAL for a bad magic. */
	.file_wrong_format_errno = EINVAL,
	.load = kx_arm64_load_image,
	.head_size = head_size,
};

/* Listed so that -t names it and a probe says why it is refused. */
KX_ELF_REFUSED_FORMAT(kx_format_arm64_elf, "elf-arm64", 183,
		      "ELF vmlinux for arm64: recognised and refused (boot the Image)",
		      "an arm64 ELF vmlinux, which kexec cannot boot: load its Image "
		      "(arch/arm64/boot/Image)");
