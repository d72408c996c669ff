/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 zero page (struct boot_params) for kexec_load, built the way the
 * kernel's own kexec_file loader builds it (arch/x86/kernel/kexec-bzimage64.c),
 * from the running system's state in /sys.
 */
#ifndef LIBKEXEC_X86_BOOTPARAMS_H
#define LIBKEXEC_X86_BOOTPARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libkexec-internal.h"

#define KX_E820_MAX_IN_ZEROPAGE 128

struct kx_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820_TYPE_*: 1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 unusable, 7 PMEM, 12 PRAM */
};

struct kx_e820 {
	struct kx_e820_entry *e;
	size_t nr;
	size_t cap;
};

/*
 * The firmware memory map, from /sys/firmware/memmap (else /proc/iomem's top
 * level), sorted, as e820 entries.
 */
int kx_e820_from_system(struct kexec_ctx *ctx, struct kx_e820 *out);
void kx_e820_free(struct kx_e820 *e820);

/* What the running system says that the next kernel needs (all from /sys). */
struct kx_x86_sysinfo {
	bool have_boot_params;      /* /sys/kernel/boot_params/data was readable */
	uint8_t boot_params[4096];  /* the running kernel's zero page */
	bool efi;                   /* booted through EFI (/sys/firmware/efi exists) */
	uint64_t efi_fw_vendor, efi_runtime, efi_config_table, efi_smbios; /* /sys/firmware/efi/... */
	uint8_t *efi_runtime_map;   /* efi_memory_desc_t array from /sys/firmware/efi/runtime-map */
	size_t efi_runtime_map_size;
	uint32_t efi_desc_size;
	uint64_t acpi_rsdp;         /* 0 if unknown */
	struct kx_e820 e820;
};

int kx_x86_sysinfo_read(struct kexec_ctx *ctx, struct kx_x86_sysinfo *si);
void kx_x86_sysinfo_free(struct kx_x86_sysinfo *si);

/* Where things go; all physical addresses, decided by the caller's allocator. */
struct kx_x86_boot_layout {
	const uint8_t *image;     /* the bzImage: its setup header is copied */
	const char *path;         /* its file, for messages (NULL: none) */
	size_t image_len;
	uint64_t kernel_addr;     /* where the protected-mode kernel was placed (code32_start) */
	uint64_t initrd_addr;     /* 0 and size 0: no initrd */
	uint64_t initrd_size;
	const char *cmdline;      /* NUL-terminated */
	const char *cmdline_what; /* for messages: " with elfcorehdr=" (NULL: nothing) */
	uint64_t params_addr;     /* where the returned buffer will be loaded */
	bool rng_seed;            /* add a SETUP_RNG_SEED (getrandom) */
	bool no_efi;              /* pass no EFI state on even where it could be (--no-efi) */
};

/*
 * The bytes to load at params_addr: boot_params (4096 bytes), the command line
 * (cmd_line_ptr = params_addr + 4096), the EFI runtime map (efi_info.efi_memmap)
 * when the EFI state is passed on, then the setup_data chain (E820_EXT past
 * 128 entries, EFI, RNG_SEED), each piece 16-byte aligned, with absolute next
 * pointers. The size depends only on the inputs, not on params_addr, so a
 * caller may build once at 0 to learn the size, place it, and build again.
 * params_addr must be 16-byte aligned (-EINVAL otherwise).
 * -E2BIG (logged) when the command line exceeds the header's cmdline_size.
 */
int kx_x86_build_boot_params(struct kexec_ctx *ctx, const struct kx_x86_sysinfo *si,
			     const struct kx_x86_boot_layout *lay, uint8_t **out, size_t *len);

#endif
