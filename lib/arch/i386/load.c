/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on i386 (KEXEC_ARCH_386; the kernel has no kexec_file_load
 * there). The x86 loader of lib/arch/x86_64 with the 32-bit boot protocol
 * (Documentation/arch/x86/boot.rst): the protected-mode kernel at its
 * alignment from pref_address up, the initrd high in lowmem, the zero page
 * built from the running system as on x86_64, and our purgatory
 * (purgatory/i386), which checks the segments and enters code32_start with
 * ESI = boot_params in flat 32-bit protected mode, paging off. A 64-bit
 * bzImage is entered the same way (its startup_32). A crash kernel gets the
 * e820 map of its reservation, elfcorehdr= and an ELFCLASS32 core header.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "elf-vmlinux.h"
#include "purgatory.h"
#include "x86.h"

extern const struct kx_format kx_format_i386_elf;

/*
 * Lowmem with the default 3G/1G split: 896 MiB (MAXMEM, 1 GiB less the
 * vmalloc reserve). A 32-bit kernel runs and finds its initrd there.
 */
#define I386_LOWMEM_END 0x38000000ULL

static int load_bzimage32(struct kexec_ctx *ctx, struct kx_load *l)
{
	static const struct kx_x86_entry entry32 = {
		.read = kx_bzimage_read32,
		.entry_offset = 0,
		.kernel_max = I386_LOWMEM_END - 1,
	};

	return kx_x86_load_bzimage_entry(ctx, l, &entry32);
}

static int probe(const void *buf, size_t len, struct kexec_image_info *out, const char **reason,
		 struct kx_msg *msg)
{
	struct kx_bzimage_info info;
	int r = kx_bzimage_read32(buf, len, &info, reason);

	(void)msg; /* its reasons are literals */
	if (r < 0)
		return r;
	memcpy(out->kernel_version, info.kernel_version, sizeof(out->kernel_version));
	/* cmdline_size counts the NUL (protocol 2.06+; 255 bytes before). */
	out->cmdline_max = info.cmdline_size ? info.cmdline_size - 1 : 0;
	out->unpacked_size = info.init_size;
	out->protocol = info.version;
	out->arch_flags = info.xloadflags;
	return 0;
}

static const char *const bzimage_aliases[] = { "bzImage32", NULL };

static const struct kx_format bzimage32 = {
	.type = {
		.name = "bzImage",
		.aliases = bzimage_aliases,
		.summary = "x86 boot protocol 2.02+ bzImage, entered at code32_start",
		.kexec_file_load = false,
		.kexec_load = true,
	},
	.probe = probe,
	.cmdline_limit_what = "cmdline_size in its setup header",
	.file_wrong_format_errno = ENOEXEC,
	.load = load_bzimage32,
	.head_size = kx_bzimage_head_size,
};

/*
 * The i386 ELF vmlinux: recognised and refused (lib/elf-vmlinux.c); the
 * bzImage carries the same kernel with the setup header the zero page needs.
 */
KX_ELF32_REFUSED_FORMAT(kx_format_i386_elf, "elf-i386", 3,
			"ELF vmlinux for i386: recognised and refused (boot the bzImage)",
			"an i386 ELF vmlinux, which this kexec does not load: load its "
			"bzImage (arch/x86/boot/bzImage)");

static const struct kx_format *const formats[] = {
	&bzimage32,
	&kx_format_i386_elf,
};

static const struct kx_crash_policy crash_policy = {
	.e_machine = 3, /* EM_386 */
	/* As x86_64: the crash kernel boots over the low 1 MiB, which the kernel keeps reserved. */
	.exclude_low = 0x100000ULL,
	/* PAGE_OFFSET with the default 3G/1G split (CONFIG_PAGE_OFFSET), mapping physical 0. */
	.default_page_offset = 0xc0000000ULL,
	/* As kexec-tools: a 32-bit kernel's core header is ELFCLASS32. */
	.elf32_default = true,
	/* No KCORE_TEXT: the kernel runs in lowmem, at PAGE_OFFSET + physical. */
	.text_in_direct_map = true,
};

const struct kx_arch kx_arch_i386 = {
	.name = "i386",
	.kexec_arch = KEXEC_ARCH_386,
	.e_machine = 3,
	.page_size = 4096,
	/* KEXEC_DESTINATION_MEMORY_LIMIT: -1UL, 32 bits (relocate_kernel_32 runs unpaged). */
	.dest_limit = 0xffffffffULL,
	.formats = formats,
	.nr_formats = ARRAY_SIZE(formats),
	.crash = &crash_policy,
	.no_file_load = true,
	.efi_boot_data = true,
	.purgatory = kx_purgatory_i386_blob,
	.reloc = &kx_reloc_i386,
	.purgatory_size = &kx_purgatory_i386_blob_size,
	.prepare = kx_x86_prepare,
	.purgatory_params = kx_x86_purgatory_params,
	.cleanup = kx_x86_cleanup,
};
