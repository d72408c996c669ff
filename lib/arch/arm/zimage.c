/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The 32-bit ARM zImage (arch/arm/boot/compressed/head.S and vmlinux.lds.S):
 * little-endian words at the start of the file,
 *   0x24 magic 0x016f2818, 0x28 start, 0x2c end (the zImage is end - start
 *   bytes; an appended device tree follows), 0x30 0x04030201 (little-endian
 *   kernel; 0x01020304 big-endian), 0x34 0x45454545 and 0x38 the offset of
 *   a table of tags: { size in words, tag, ... }, ending with a 0 size.
 * The tag 0x5a534c4b ("KLSZ") gives the offset of the word that holds the
 * decompressed kernel's size (text and data) and the size of its .bss: what
 * the loader must leave free above where the kernel will run.
 */
#include <errno.h>
#include <string.h>

#include "arm.h"
#include "elf-vmlinux.h"

#define ZIMAGE_MAGIC 0x016f2818u
#define ZIMAGE_LE 0x04030201u
#define ZIMAGE_BE 0x01020304u
#define ZIMAGE_MAGIC2 0x45454545u
#define ZIMAGE_TAG_KRNL_SIZE 0x5a534c4bu

static int reject(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return -ENOEXEC;
}

/* The KLSZ tag's sizes, when the table holds one (every zImage since Linux 3.15). */
static void krnl_size(const uint8_t *b, size_t len, struct kx_arm_zimage *z)
{
	uint32_t off, words;

	if (kx_le32(b + 0x34) != ZIMAGE_MAGIC2)
		return;
	for (off = kx_le32(b + 0x38); off <= z->size - 8 && off % 4 == 0; off += words * 4) {
		words = kx_le32(b + off);
		if (words < 2 || words > (z->size - off) / 4)
			return;
		if (kx_le32(b + off + 4) == ZIMAGE_TAG_KRNL_SIZE && words >= 4) {
			uint32_t size_ptr = kx_le32(b + off + 8);

			if (size_ptr > len - 4)
				return;
			z->unpacked = kx_le32(b + size_ptr);
			z->bss = kx_le32(b + off + 12);
			return;
		}
	}
}

int kx_arm_zimage_read(const void *buf, size_t len, struct kx_arm_zimage *z, const char **reason)
{
	const uint8_t *b = buf;
	uint32_t start, end;

	memset(z, 0, sizeof(*z));
	if (reason)
		*reason = NULL;
	if (len < 0x40)
		return reject(reason, "file is too short to be a zImage");
	if (kx_le32(b + 0x24) != ZIMAGE_MAGIC)
		return reject(reason, "not an ARM zImage (no magic 0x016f2818 at 0x24)");
	if (kx_le32(b + 0x30) == ZIMAGE_BE)
		return reject(reason, "a big-endian zImage: the running kernel is little-endian");
	if (kx_le32(b + 0x30) != ZIMAGE_LE)
		return reject(reason, "zImage without the endianness word 0x04030201 at 0x30");
	start = kx_le32(b + 0x28);
	end = kx_le32(b + 0x2c);
	if (end <= start || end - start < 0x40)
		return reject(reason, "zImage header's end is not past its start");
	if (end - start > len)
		return reject(reason, "zImage is truncated: the header says more bytes than the file has");
	z->size = end - start;
	krnl_size(b, len, z);
	if (z->unpacked && (z->unpacked > (1u << 30) || z->bss > (1u << 30)))
		return reject(reason, "zImage's kernel size tag says over 1 GiB");
	return 0;
}

static int probe(const void *buf, size_t len, struct kexec_image_info *info, const char **reason,
		 struct kx_msg *msg)
{
	struct kx_arm_zimage z;
	int r = kx_arm_zimage_read(buf, len, &z, reason);

	(void)msg; /* its reasons are literals */
	if (r < 0)
		return r;
	info->cmdline_max = KX_ARM_COMMAND_LINE_SIZE - 1;
	info->unpacked_size = z.unpacked ? (uint64_t)z.unpacked + z.bss : 0;
	return 0;
}

/* Lazy peeling: the header's end - start bounds the file (an appended DTB may follow). */
static int64_t head_size(const void *head, size_t len, const char **reason, struct kx_msg *msg)
{
	const uint8_t *b = head;

	(void)msg; /* its reasons are literals */
	if (len < 0x40)
		return reject(reason, "file is too short to be a zImage");
	if (kx_le32(b + 0x24) != ZIMAGE_MAGIC || kx_le32(b + 0x30) != ZIMAGE_LE)
		return reject(reason, "not a little-endian ARM zImage (no magic 0x016f2818 at 0x24)");
	return 0;
}

static const char *const zimage_aliases[] = { "zimage-arm", "arm", NULL };

const struct kx_format kx_format_arm_zimage = {
	.type = {
		.name = "zImage",
		.aliases = zimage_aliases,
		.summary = "32-bit ARM zImage (arch/arm/boot/zImage)",
		.kexec_file_load = false,
		.kexec_load = true,
	},
	.probe = probe,
	.cmdline_limit_what = "COMMAND_LINE_SIZE",
	/* No kexec_file_load on 32-bit ARM: the syscall is ENOSYS. */
	.file_wrong_format_errno = ENOSYS,
	.load = kx_arm_load_zimage,
	.head_size = head_size,
};

/*
 * The 32-bit ARM ELF vmlinux: listed so that -t names it and a probe says why
 * it is refused (lib/elf-vmlinux.c).
 */
KX_ELF32_REFUSED_FORMAT(kx_format_arm_elf, "elf-arm", 40,
			"ELF vmlinux for 32-bit ARM: recognised and refused (boot the zImage)",
			"a 32-bit ARM ELF vmlinux, which this kexec does not load: load its "
			"zImage (arch/arm/boot/zImage)");
