/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* x86_64's formats and helpers, internal to lib/arch/x86_64/ and its tests. */
#ifndef LIBKEXEC_ARCH_X86_64_H
#define LIBKEXEC_ARCH_X86_64_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

/* The setup header of a bzImage (Documentation/arch/x86/boot.rst). */
struct kx_bzimage_info {
	uint16_t version;
	uint8_t setup_sects;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	uint32_t kernel_alignment;
	uint8_t relocatable;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t payload_offset;
	uint32_t payload_length;
	size_t setup_size;          /* (setup_sects + 1) * 512 */
	char kernel_version[64];    /* from kernel_version at 0x20E, "" when absent */
};

/*
 * The whole file (len bytes): the header, that nothing it describes is
 * missing, and what a 64-bit kexec_load needs (protocol 2.12+, LOADED_HIGH,
 * XLF_KERNEL_64). 0, or -ENOEXEC with a static *reason.
 */
int kx_bzimage_read(const void *buf, size_t len, struct kx_bzimage_info *info,
		    const char **reason);

/* i386: what the 32-bit boot protocol needs (2.02+, LOADED_HIGH). */
int kx_bzimage_read32(const void *buf, size_t len, struct kx_bzimage_info *info,
		      const char **reason);
/* kx_format.head_size of a bzImage. */
int64_t kx_bzimage_head_size(const void *head, size_t len, const char **reason, struct kx_msg *msg);

extern const struct kx_format kx_format_bzimage;
extern const struct kx_format kx_format_elf_x86_64;

/* The loaders (load.c). */
int kx_x86_load_bzimage(struct kexec_ctx *ctx, struct kx_load *l);
int kx_x86_load_elf(struct kexec_ctx *ctx, struct kx_load *l);

/*
 * How a bzImage is entered, for the loader both x86 architectures share
 * (load.c): x86_64 at the 64-bit entry, i386 (lib/arch/i386) at
 * code32_start, in lowmem.
 */
struct kx_x86_entry {
	int (*read)(const void *buf, size_t len, struct kx_bzimage_info *info,
		    const char **reason);
	uint64_t entry_offset; /* from the load address: 0x200 (startup_64) or 0 (code32_start) */
	uint64_t kernel_max;   /* the kernel and initrd end at or below this (0: anywhere) */
};
int kx_x86_load_bzimage_entry(struct kexec_ctx *ctx, struct kx_load *l,
			      const struct kx_x86_entry *how);
/* The kx_arch hooks both x86 architectures share (load.c). */
int kx_x86_prepare(struct kexec_ctx *ctx, struct kx_load *l);
int kx_x86_purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
			    struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max);
void kx_x86_cleanup(struct kx_load *l);

#endif
