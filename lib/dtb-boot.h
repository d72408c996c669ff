/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot data for the architectures that boot with a device tree (arm64,
 * riscv64): what their kexec_load loaders share, so that each keeps only its
 * placement rules. The device tree to start from, the RAM to place into, the
 * edited tree as a segment, the purgatory's console.
 */
#ifndef LIBKEXEC_DTB_BOOT_H
#define LIBKEXEC_DTB_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

struct kx_dtb_boot {
	void *in;             /* the blob to start from (--dtb or /sys/firmware/fdt) */
	size_t in_len;
	void *out;            /* the edited one, loaded */
	size_t out_len;
	char what[96];        /* "device tree <path>" for messages */
};

/*
 * Read the device tree (l->req->dtb, or the running kernel's) and add the RAM
 * to place into: a crash kernel's reservation, else /proc/iomem's System RAM
 * less the ranges the running kernel keeps reserved inside it (firmware
 * tables, UEFI runtime memory, the GIC's LPI tables, SBI firmware), or,
 * without /proc/iomem, the tree's memory nodes less its reservations.
 */
int kx_dtb_boot_prepare(struct kexec_ctx *ctx, struct kx_load *l, struct kx_dtb_boot *b);
/*
 * The edited tree (bootargs, initrd, fresh seeds, crash properties) as the
 * "dtb" segment, placed bottom-up within [min, max] (max 0: anywhere), at
 * most max_size bytes (0: no limit); sets l->boot_data to its address.
 */
int kx_dtb_boot_load(struct kexec_ctx *ctx, struct kx_load *l, struct kx_dtb_boot *b,
		     uint64_t min, uint64_t max, size_t max_size);
/* The console the running system's tree names, for the purgatory's messages. */
int kx_dtb_boot_console(struct kexec_ctx *ctx, const struct kx_load *l,
			const struct kx_dtb_boot *b, struct kx_purgatory_params *pp);
void kx_dtb_boot_free(struct kx_dtb_boot *b);
/*
 * The kx_arch prepare and cleanup of an architecture whose l->arch_priv is a
 * struct kx_dtb_boot and nothing more (arm64, 32-bit ARM).
 */
int kx_dtb_boot_arch_prepare(struct kexec_ctx *ctx, struct kx_load *l);
void kx_dtb_boot_arch_cleanup(struct kx_load *l);
/*
 * Their purgatory_params: the console of the tree, and a window below the
 * architecture's KEXEC_DESTINATION_MEMORY_LIMIT (32-bit ARM: 4 GiB, the
 * purgatory is entered at its physical address; none on arm64).
 */
int kx_dtb_boot_arch_purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
				      struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max);

#endif
