/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The riscv64 Image format (Documentation/arch/riscv/boot-image-header.rst):
 * a 64-byte little-endian header at the start of the file,
 *   0x00 code0, 0x04 code1, 0x08 text_offset, 0x10 image_size, 0x18 flags
 *   (bit 0 big-endian), 0x20 version (major << 16 | minor), 0x24 res1,
 *   0x28 res2, 0x30 magic "RISCV\0\0\0" (deprecated), 0x38 magic2 "RSC\x05",
 *   0x3c res3 (PE header offset).
 */
#include <errno.h>
#include <string.h>

#include "elf-vmlinux.h"
#include "riscv64.h"

static int reject(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return -ENOEXEC;
}

int kx_riscv64_image_read(const void *buf, size_t len, struct kx_riscv64_image *img,
			  const char **reason)
{
	const uint8_t *b = buf;

	memset(img, 0, sizeof(*img));
	if (reason)
		*reason = NULL;
	if (len < 64)
		return reject(reason, "file is too short to be a riscv64 Image");
	/* The kernel's own probe asks for magic2; the old magic alone is a pre-5.x header. */
	if (memcmp(b + 0x38, "RSC\x05", 4)) {
		if (!memcmp(b + 0x30, "RISCV\0\0\0", 8))
			return reject(reason, "riscv64 Image with only the deprecated \"RISCV\" magic "
					      "(no \"RSC\\x05\" at 0x38): too old to place");
		return reject(reason, "not a riscv64 Image (no \"RSC\\x05\" magic at 0x38)");
	}
	img->text_offset = kx_le64(b + 0x08);
	img->image_size = kx_le64(b + 0x10);
	img->flags = kx_le64(b + 0x18);
	img->version = kx_le32(b + 0x20);
	if (img->flags & KX_RISCV64_FLAG_BE)
		return reject(reason, "a big-endian riscv64 kernel: the running kernel is "
				      "little-endian");
	if (img->version < 0x2)
		return reject(reason, "riscv64 Image header older than version 0.2 (no image_size "
				      "to place it by)");
	if (!img->image_size || img->image_size > (1ULL << 32))
		return reject(reason, "riscv64 Image header's image_size is 0 or over 4 GiB");
	/* The kernel's loader aligns the Image to text_offset: a power of two, at most 1 GiB. */
	if (img->text_offset & (img->text_offset - 1) || img->text_offset > (1ULL << 30))
		return reject(reason, "riscv64 Image header's text_offset is not a power of two up "
				      "to 1 GiB");
	return 0;
}

static int probe(const void *buf, size_t len, struct kexec_image_info *info, const char **reason,
		 struct kx_msg *msg)
{
	struct kx_riscv64_image img;
	int r = kx_riscv64_image_read(buf, len, &img, reason);

	(void)msg; /* its reasons are literals */
	if (r < 0)
		return r;
	info->cmdline_max = KX_RISCV64_COMMAND_LINE_SIZE - 1;
	info->unpacked_size = img.image_size;
	info->protocol = img.version;
	info->arch_flags = img.flags;
	return 0;
}

/* Lazy peeling: image_size, the image's size in memory, bounds the file. */
static int64_t head_size(const void *head, size_t len, const char **reason, struct kx_msg *msg)
{
	struct kx_riscv64_image img;
	int r = kx_riscv64_image_read(head, len, &img, reason);

	(void)msg; /* its reasons are literals */
	return r < 0 ? r : (int64_t)img.image_size;
}

static const char *const image_aliases[] = { "riscv64", "image-riscv64", NULL };

const struct kx_format kx_format_riscv64_image = {
	.type = {
		.name = "Image",
		.aliases = image_aliases,
		.summary = "riscv64 Image (arch/riscv/boot/Image)",
		.kexec_file_load = true,
		.kexec_load = true,
	},
	.probe = probe,
	.cmdline_limit_what = "COMMAND_LINE_SIZE",
	/* The kernel's image_probe() returns EINVAL for a bad magic. */
	.file_wrong_format_errno = EINVAL,
	.load = kx_riscv64_load_image,
	.head_size = head_size,
};

/* Listed so that -t names it and a probe says why it is refused. */
KX_ELF_REFUSED_FORMAT(kx_format_riscv64_elf, "elf-riscv64", 243,
		      "ELF vmlinux for riscv64: recognised and refused (boot the Image)",
		      "a riscv64 ELF vmlinux, which this kexec does not load through kexec_load: "
		      "load its Image (arch/riscv/boot/Image)");

/* "isa : rv64imafdc_zicsr_zifencei_zknh" (or the base letters then _-separated names). */
int kx_riscv64_isa_has_zknh(const char *cpuinfo)
{
	const char *p = cpuinfo;
	int harts = 0;

	while ((p = strstr(p, "isa")) != NULL) {
		const char *line = p, *colon, *end;
		bool found = false;

		/* Only the "isa" key at a line's start ("isa\t\t: ..."), not "hart isa". */
		p += 3;
		if (line != cpuinfo && line[-1] != '\n')
			continue;
		colon = strchr(line, ':');
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (!colon || colon > end)
			continue;
		for (const char *t = colon + 1; t < end;) {
			size_t n;

			while (t < end && (*t == ' ' || *t == '\t' || *t == '_'))
				t++;
			n = 0;
			while (t + n < end && t[n] != '_' && t[n] != ' ' && t[n] != '\n')
				n++;
			if ((n == 4 && !strncmp(t, "zknh", 4)) || (n == 3 && !strncmp(t, "zkn", 3)) ||
			    (n == 2 && !strncmp(t, "zk", 2)))
				found = true;
			t += n;
		}
		if (!found)
			return 0;
		harts++;
	}
	return harts > 0;
}
