/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst).
 * kexec_bzimage_parse() accepts exactly what the kernel's bzImage64 probe
 * (arch/x86/kernel/kexec-bzimage64.c) accepts, so that a file the kernel would
 * refuse with ENOEXEC is refused here first, with the reason.
 */
#include <errno.h>
#include <string.h>

#include "libkexec-internal.h"

#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02

static int reject(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return -ENOEXEC;
}

/* The setup header alone: buf holds at least the first len bytes of the file. */
static int read_header(const void *buf, size_t len, struct kexec_bzimage_info *info,
		       const char **reason)
{
	const uint8_t *b = buf;
	uint16_t kver;

	memset(info, 0, sizeof(*info));
	if (reason)
		*reason = NULL;
	if (len < 1024)
		return reject(reason, "file is too short to be a bzImage");
	if (memcmp(b + 0x202, "HdrS", 4))
		return reject(reason, "not a bzImage (no \"HdrS\" boot protocol signature)");
	if (kx_le16(b + 0x1fe) != 0xaa55)
		return reject(reason, "no x86 boot sector (boot_flag is not 0xAA55)");

	info->version = kx_le16(b + 0x206);
	info->setup_sects = b[0x1f1] ? b[0x1f1] : 4;
	info->setup_size = ((size_t)info->setup_sects + 1) * 512;
	info->loadflags = b[0x211];
	/* Fields past the header's end (0x202 + byte 0x201) are not there. */
	if (info->version >= 0x0202)
		info->initrd_addr_max = info->version >= 0x0203 ? kx_le32(b + 0x22c) : 0x37ffffff;
	if (info->version >= 0x0205)
		info->kernel_alignment = kx_le32(b + 0x230);
	if (info->version >= 0x0205)
		info->relocatable = b[0x234];
	if (info->version >= 0x0206)
		info->cmdline_size = kx_le32(b + 0x238);
	else
		info->cmdline_size = 255;
	if (info->version >= 0x0208) {
		info->payload_offset = kx_le32(b + 0x248);
		info->payload_length = kx_le32(b + 0x24c);
	}
	if (info->version >= 0x020a) {
		info->pref_address = kx_le64(b + 0x258);
		info->init_size = kx_le32(b + 0x260);
	}
	if (info->version >= 0x020c)
		info->xloadflags = kx_le16(b + 0x236);
	kver = kx_le16(b + 0x20e);
	if (kver && (size_t)kver + 0x200 < len) {
		const char *s = (const char *)b + kver + 0x200;
		size_t max = len - kver - 0x200, n = 0;

		while (n < max && n < sizeof(info->kernel_version) - 1 && s[n] && s[n] != ' ')
			n++;
		memcpy(info->kernel_version, s, n);
	}
	if (info->setup_size >= len)
		return reject(reason, "setup code (setup_sects) extends past the end of the file");
	return 0;
}

/*
 * A bzImage cut short (an interrupted copy or download) still has a perfect
 * setup header, and neither loader nor the kernel's probe would notice: the
 * machine would kexec into a kernel that dies decompressing itself. The header
 * says how long the rest is: syssize (16-byte units of protected-mode code,
 * 32 bits wide since protocol 2.04; signed images have more after it) and,
 * since 2.08, where the compressed kernel ends (payload_offset + payload_length).
 */
int kx_bzimage_check_size(const void *head, const struct kexec_bzimage_info *info,
			  uint64_t file_len, const char **reason)
{
	const uint8_t *b = head;
	uint64_t rest, syssize;

	if (reason)
		*reason = NULL;
	if (info->setup_size >= file_len)
		return reject(reason, "setup code (setup_sects) extends past the end of the file");
	rest = file_len - info->setup_size;
	syssize = info->version >= 0x0204 ? kx_le32(b + 0x1f4) : kx_le16(b + 0x1f4);
	if (syssize * 16 > rest)
		return reject(reason, "file is truncated: the setup header's syssize says the kernel "
				      "continues past the end of the file");
	if ((uint64_t)info->payload_offset + info->payload_length > rest)
		return reject(reason, "file is truncated: the compressed kernel (payload_offset + "
				      "payload_length) extends past the end of the file");
	return 0;
}

/* The whole file: the header, and that nothing the header describes is missing. */
int kx_bzimage_read(const void *buf, size_t len, struct kexec_bzimage_info *info,
		    const char **reason)
{
	int r = read_header(buf, len, info, reason);

	if (r < 0)
		return r;
	return kx_bzimage_check_size(buf, info, len, reason);
}

/* What our kexec_load loader needs: a 64-bit entry point and a relocatable load. */
int kx_bzimage_check_kexec_load(const struct kexec_bzimage_info *info, const char **reason)
{
	if (info->version < 0x020c)
		return reject(reason, "boot protocol older than 2.12 (no 64-bit entry point)");
	if (!(info->loadflags & LOADED_HIGH))
		return reject(reason, "a zImage, not a bzImage (LOADED_HIGH not set)");
	if (!(info->xloadflags & XLF_KERNEL_64))
		return reject(reason, "not a 64-bit kernel (XLF_KERNEL_64 not set)");
	return 0;
}

KX_EXPORT int kexec_bzimage_parse(const void *buf, size_t len, struct kexec_bzimage_info *info,
				  const char **reason)
{
	/* The header only, as the kernel's probe: buf may be just the file's start. */
	int r = read_header(buf, len, info, reason);

	if (r < 0)
		return r;
	/* bzImage64_probe(), in its order. */
	if (info->version < 0x020c)
		return reject(reason, "boot protocol older than 2.12: too old for kexec_file_load");
	if (!(info->loadflags & LOADED_HIGH))
		return reject(reason, "a zImage, not a bzImage (LOADED_HIGH not set)");
	if (!(info->xloadflags & XLF_KERNEL_64))
		return reject(reason, "not a 64-bit kernel (XLF_KERNEL_64 not set)");
	if (!(info->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G))
		return reject(reason, "kernel cannot be loaded above 4 GiB (XLF_CAN_BE_LOADED_ABOVE_4G not set)");
	return 0;
}
