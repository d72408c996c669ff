/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst), and
 * the two x86_64 image formats: bzImage, and ELF vmlinux (kexec_load only).
 * One chain of checks: the probe accepts what our kexec_load loader and the
 * kernel's bzImage64 loader (arch/x86/kernel/kexec-bzimage64.c) both need;
 * file_check adds the one thing only the kernel's loader asks for.
 */
#include <errno.h>
#include <string.h>

#include "elf-vmlinux.h"
#include "x86.h"

#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02
/* bzImage64_load() keeps this much of cmdline_size for " elfcorehdr=0x...". */
#define MAX_ELFCOREHDR_STR_LEN 30

static int reject(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return -ENOEXEC;
}

/* The setup header alone: buf holds at least the first len bytes of the file. */
static int read_header(const void *buf, size_t len, struct kx_bzimage_info *info,
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
/* syssize: 16-bit before protocol 2.04, 32-bit since. */
static uint64_t syssize_of(const void *head, const struct kx_bzimage_info *info)
{
	const uint8_t *b = head;

	return info->version >= 0x0204 ? kx_le32(b + 0x1f4) : kx_le16(b + 0x1f4);
}

static int check_size(const void *head, const struct kx_bzimage_info *info, uint64_t file_len,
		      const char **reason)
{
	uint64_t rest = file_len - info->setup_size, syssize = syssize_of(head, info);

	if (syssize * 16 > rest)
		return reject(reason, "file is truncated: the setup header's syssize says the kernel "
				      "continues past the end of the file");
	if ((uint64_t)info->payload_offset + info->payload_length > rest)
		return reject(reason, "file is truncated: the compressed kernel (payload_offset + "
				      "payload_length) extends past the end of the file");
	return 0;
}

/* What both loaders need, in the order of the kernel's bzImage64_probe(). */
static int check_protocol(const struct kx_bzimage_info *info, const char **reason)
{
	if (info->version < 0x020c)
		return reject(reason, "boot protocol older than 2.12 (no 64-bit entry point)");
	if (!(info->loadflags & LOADED_HIGH))
		return reject(reason, "a zImage, not a bzImage (LOADED_HIGH not set)");
	if (!(info->xloadflags & XLF_KERNEL_64))
		return reject(reason, "not a 64-bit kernel (XLF_KERNEL_64 not set)");
	return 0;
}

int kx_bzimage_read(const void *buf, size_t len, struct kx_bzimage_info *info,
		    const char **reason)
{
	int r = read_header(buf, len, info, reason);

	if (r == 0)
		r = check_size(buf, info, len, reason);
	if (r == 0)
		r = check_protocol(info, reason);
	return r;
}

/*
 * The 32-bit boot protocol's needs: cmd_line_ptr (2.02), LOADED_HIGH. Any
 * bzImage has code32_start, a 64-bit one included (its startup_32).
 */
int kx_bzimage_read32(const void *buf, size_t len, struct kx_bzimage_info *info,
		      const char **reason)
{
	int r = read_header(buf, len, info, reason);

	if (r == 0)
		r = check_size(buf, info, len, reason);
	if (r < 0)
		return r;
	if (info->version < 0x0202)
		return reject(reason, "boot protocol older than 2.02 (no cmd_line_ptr)");
	if (!(info->loadflags & LOADED_HIGH))
		return reject(reason, "a zImage, not a bzImage (LOADED_HIGH not set)");
	return 0;
}

static int probe(const void *buf, size_t len, struct kexec_image_info *out, const char **reason,
		 struct kx_msg *msg)
{
	struct kx_bzimage_info info;
	int r = kx_bzimage_read(buf, len, &info, reason);

	(void)msg; /* its reasons are literals */
	if (r < 0)
		return r;
	memcpy(out->kernel_version, info.kernel_version, sizeof(out->kernel_version));
	/* cmdline_size counts the NUL (protocol 2.06+; 255 bytes before). */
	out->cmdline_max = info.cmdline_size ? info.cmdline_size - 1 : 0; /* 0: not even a NUL */
	out->unpacked_size = info.init_size;
	out->protocol = info.version;
	out->arch_flags = info.xloadflags;
	return 0;
}

/* The one thing the kernel's bzImage64 probe asks beyond ours. */
static int file_check(const void *head, size_t head_len, uint64_t file_len,
		      const struct kexec_image_info *info, const char **reason)
{
	(void)head, (void)head_len, (void)file_len;
	if (!(info->arch_flags & XLF_CAN_BE_LOADED_ABOVE_4G))
		return reject(reason, "kernel cannot be loaded above 4 GiB "
				      "(XLF_CAN_BE_LOADED_ABOVE_4G not set)");
	return 0;
}

/* Lazy peeling: the setup and the protected-mode code, as the setup header sizes them. */
int64_t kx_bzimage_head_size(const void *head, size_t len, const char **reason, struct kx_msg *msg)
{
	struct kx_bzimage_info info;
	uint64_t syssize, payload;
	int r = read_header(head, len, &info, reason);

	(void)msg; /* its reasons are literals */
	if (r < 0)
		return r;
	syssize = syssize_of(head, &info);
	payload = (uint64_t)info.payload_offset + info.payload_length;
	return (int64_t)(info.setup_size + (syssize * 16 > payload ? syssize * 16 : payload));
}

static int64_t elf_head_size(const void *head, size_t len, const char **reason,
			     struct kx_msg *msg)
{
	return kx_elf_vmlinux_head_size(head, len, 62, reason, msg);
}

static const char *const bzimage_aliases[] = { "bzImage64", NULL };

const struct kx_format kx_format_bzimage = {
	.type = {
		.name = "bzImage",
		.aliases = bzimage_aliases,
		.summary = "x86 boot protocol 2.12+ bzImage (what /boot/vmlinuz is)",
		.kexec_file_load = true,
		.kexec_load = true,
	},
	.probe = probe,
	.cmdline_limit_what = "cmdline_size in its setup header",
	.file_check = file_check,
	.file_cmdline_reserve = MAX_ELFCOREHDR_STR_LEN,
	.file_wrong_format_errno = ENOEXEC,
	.load = kx_x86_load_bzimage,
	.head_size = kx_bzimage_head_size,
};

static int elf_probe(const void *buf, size_t len, struct kexec_image_info *out,
		     const char **reason, struct kx_msg *msg)
{
	int r = kx_elf_vmlinux_probe(buf, len, 62, reason, msg);

	if (r < 0)
		return r;
	out->cmdline_max = 2047; /* COMMAND_LINE_SIZE 2048 */
	return 0;
}

static const char *const elf_aliases[] = { "elf", "vmlinux", NULL };

const struct kx_format kx_format_elf_x86_64 = {
	.type = {
		.name = "elf-x86_64",
		.aliases = elf_aliases,
		.summary = "ELF vmlinux for x86_64 (kexec_load only)",
		.kexec_file_load = false,
		.kexec_load = true,
	},
	.probe = elf_probe,
	.cmdline_limit_what = "COMMAND_LINE_SIZE",
	.file_wrong_format_errno = ENOEXEC,
	.load = kx_x86_load_elf,
	.head_size = elf_head_size,
};
