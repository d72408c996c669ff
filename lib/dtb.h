/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device trees as boot data (arm64, riscv64), through libfdt: the running
 * system's blob, edited for the next kernel, and what it says about RAM and
 * the console. Shared by every architecture that boots with a DTB.
 */
#ifndef LIBKEXEC_DTB_H
#define LIBKEXEC_DTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "libkexec-internal.h"

struct kx_fdt_edit {
	const char *cmdline;            /* /chosen bootargs; NULL or "": removed */
	uint64_t initrd_start;          /* /chosen linux,initrd-start and -end (end exclusive); */
	uint64_t initrd_end;            /*   both 0: removed */
	bool seeds;                     /* kaslr-seed (8 bytes) and rng-seed (64) from getrandom() */
	uint64_t elfcorehdr_addr;       /* /chosen linux,elfcorehdr = <addr size>; size 0: removed */
	uint64_t elfcorehdr_size;
	uint64_t usable_start;          /* /chosen linux,usable-memory-range; size 0: removed */
	uint64_t usable_size;
};

/*
 * The blob to start from: path (--dtb), or <root>/sys/firmware/fdt when NULL.
 * Checked with fdt_check_full(); errors logged naming the file.
 */
int kx_fdt_read(struct kexec_ctx *ctx, const char *path, void **blob, size_t *len);
/*
 * A new blob (malloc'd, *out) with /chosen edited as e says: everything else,
 * the linux,uefi-* properties among it, as in the input. Grows as needed.
 */
int kx_fdt_edit(struct kexec_ctx *ctx, const void *in, size_t in_len, const struct kx_fdt_edit *e,
		void **out, size_t *out_len);
/* RAM from the /memory nodes' reg (#address-cells, #size-cells of the root), sorted. */
int kx_fdt_memory(struct kexec_ctx *ctx, const void *blob, size_t len, struct kx_range **ram,
		  size_t *nr);
/*
 * The console UART /chosen stdout-path (or linux,stdout-path) names: its MMIO
 * base and KX_CONSOLE_* kind (purgatory/common/params.h), from its compatible
 * (arm,pl011; ns16550a, snps,dw-apb-uart with reg-shift/reg-io-width).
 * -ENOENT when there is none the purgatory could drive.
 */
int kx_fdt_console(const void *blob, size_t len, uint64_t *base, uint32_t *kind);

#endif
