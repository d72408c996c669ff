/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the loader tells a purgatory: one structure, declared here once for
 * every purgatory (purgatory/<arch>/) and for the library (lib/purgatory.h),
 * so that the two never disagree on a name, a size or an offset. Each
 * purgatory defines one instance named KX_PURGATORY_PARAMS in its .data; the
 * loader writes it by that name with kx_purgatory_set_params().
 * Freestanding: no libc header but <stdint.h>.
 */
#ifndef KX_PURGATORY_PARAMS_H
#define KX_PURGATORY_PARAMS_H

#include <stdint.h>

#define KX_SHA_REGIONS_MAX 16

struct kx_sha_region {
	uint64_t start; /* physical address of a segment's first byte */
	uint64_t len;   /* its bufsz: the bytes the loader hashed */
};

/* console_kind: where the purgatory prints its progress and errors. */
#define KX_CONSOLE_NONE 0
#define KX_CONSOLE_X86_PIO 1    /* 8250 UART at I/O port console_base (x86) */
#define KX_CONSOLE_PL011 2      /* ARM PL011 at MMIO console_base */
#define KX_CONSOLE_8250_MMIO8 3 /* 8250 UART, byte registers at MMIO console_base */
#define KX_CONSOLE_8250_MMIO32 4 /* 8250 UART, 32-bit registers (reg-shift 2) */
#define KX_CONSOLE_SCLP 5       /* s390's SCLP, VT220 events (console_base unused) */
#define KX_CONSOLE_HVTERM 6     /* pseries hypervisor terminal number console_base (hvc0) */

/* flags */
#define KX_PF_AVX2 0x1u /* x86_64: the running kernel uses AVX, so the purgatory may */
#define KX_PF_PROGRESS 0x2u /* --console-serial: say on the console what it checks and that it enters the kernel */
#define KX_PF_VGA 0x4u /* --console-vga (x86): progress and errors also on the VGA text screen */
#define KX_PF_SHA256 0x8u /* --check=sha256: digest is sha256.c's lane digest; else xxh3.c's */

struct kx_purgatory_params {
	uint64_t entry;          /* the new kernel's entry point (physical) */
	uint64_t boot_data;      /* x86_64: boot_params (RSI); arm64, riscv64: the DTB */
	uint64_t console_base;
	uint32_t console_kind;   /* KX_CONSOLE_* */
	uint32_t flags;          /* KX_PF_* */
	uint64_t arch[4];        /* per architecture, documented in purgatory/<arch>/ */
	uint8_t digest[32];      /* the digest of the regions: xxh3.c's XXH3-128 chain in
				    the first 16 bytes (the rest zero), or with
				    KX_PF_SHA256 sha256.c's lane digest */
	struct kx_sha_region regions[KX_SHA_REGIONS_MAX]; /* -i: all zero */
	/*
	 * Each region's own sum as the loader read it: the low 64 bits of its
	 * XXH3-128 (kx_xxh3_sum), 0 for an empty region. Not the check: after a
	 * mismatch the purgatory reads every region again and names those whose
	 * sum differs, so that a report says which segment changed, and whether
	 * any did.
	 */
	uint64_t region_sums[KX_SHA_REGIONS_MAX];
};

/* The instance's symbol, and the purgatory's entry point. */
#define KX_PURGATORY_PARAMS kx_purgatory_params
#define KX_PURGATORY_PARAMS_NAME "kx_purgatory_params"
#define KX_PURGATORY_ENTRY_NAME "purgatory_start"

#endif
