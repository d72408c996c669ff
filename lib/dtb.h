/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device trees as boot data (arm64, riscv64), through libfdt: the running
 * system's blob, edited for the next kernel, and what it says about RAM and
 * the console. Shared by every architecture that boots with a DTB.
 *
 * Every blob is treated as hostile (it can come from --dtb): each function
 * checks it with fdt_check_full() against its length first, bounds every
 * read, and refuses a malformed one with -ENOEXEC. The blob may sit at any
 * address (libfdt wants 8-byte alignment: an unaligned one is copied).
 *
 * #address-cells and #size-cells of the root default to 1 when absent, as
 * Linux reads them (OF_ROOT_NODE_{ADDR,SIZE}_CELLS_DEFAULT, and kexec-tools'
 * arm64 get_cells_size()); the DT specification says 2 and 1, and libfdt
 * follows it, but the next kernel is what reads what we write. Other nodes
 * take the specification's 2 and 1.
 */
#ifndef LIBKEXEC_DTB_H
#define LIBKEXEC_DTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "libkexec-internal.h"

/*
 * No blob larger than this is read, and no edit grows one beyond it (arm64
 * boots none above 2 MiB, MAX_FDT_SIZE; the arch code checks its own limit).
 */
#define KX_FDT_MAX (16U << 20)
/* The sizes of the seeds kx_fdt_edit() writes. */
#define KX_FDT_KASLR_SEED_SIZE 8
#define KX_FDT_RNG_SEED_SIZE 64

struct kx_fdt_edit {
	const char *cmdline;            /* /chosen bootargs; NULL or "": removed */
	uint64_t initrd_start;          /* /chosen linux,initrd-start and -end (end exclusive); */
	uint64_t initrd_end;            /*   both 0: removed */
	bool seeds;                     /* kaslr-seed (8 bytes) and rng-seed (64) from getrandom() */
	uint64_t elfcorehdr_addr;       /* /chosen linux,elfcorehdr = <addr size>; size 0: removed */
	uint64_t elfcorehdr_size;
	uint64_t usable_start;          /* /chosen linux,usable-memory-range; size 0: removed */
	uint64_t usable_size;
	uint64_t usable_low_start;      /* a second range (crashkernel=...,low), after the */
	uint64_t usable_low_size;       /*   first as the kernel appends it; 0: none */
};

/* n cells (big-endian) at cells as one number; false when it does not fit 64 bits. */
bool kx_fdt_read_cells(const void *cells, int n, uint64_t *v);
/* v as n cells at cells; false when it does not fit. */
bool kx_fdt_write_cells(void *cells, int n, uint64_t v);
/*
 * The root's #address-cells and #size-cells as Linux reads them: 1 each
 * when absent (see above); -ENOEXEC (logged when ctx) when one is not a
 * single cell holding 1 to 4.
 */
int kx_fdt_root_cells(struct kexec_ctx *ctx, const void *fdt, int *ac, int *sc);

/*
 * The blob to start from: path (--dtb), or <root>/sys/firmware/fdt when NULL.
 * Checked with fdt_check_full(); errors logged naming the file: -ENOEXEC for
 * a malformed blob, -EFBIG above KX_FDT_MAX, -ENOENT when the running kernel
 * exposes none. *blob is malloc'd; *len is its totalsize.
 */
int kx_fdt_read(struct kexec_ctx *ctx, const char *path, void **blob, size_t *len);
/* The same for a blob already in memory (a UKI's .dtb): copied, then checked. */
int kx_fdt_from_buf(struct kexec_ctx *ctx, const char *what, const void *buf, size_t n,
		    void **blob, size_t *len);
/*
 * A new blob (malloc'd, *out, packed) with /chosen (or /chosen@0; created when
 * missing) edited as e says, as the kernel's of_kexec_alloc_and_setup_fdt()
 * and kexec-tools do:
 *  - bootargs set or removed;
 *  - linux,initrd-start/-end in the cells the input had (4 bytes when the
 *    value fits), else 8 bytes;
 *  - kaslr-seed and rng-seed removed, and new ones written when e->seeds and
 *    the kernel's pool is ready (else a warning: no seed beats a reused one);
 *  - linux,elfcorehdr and linux,usable-memory-range in the root's cells,
 *    removed when their size is 0; a new elfcorehdr also gets a /memreserve/
 *    entry (as the kernel adds one), and a removed one loses its own;
 *  - linux,ima-kexec-buffer and its /memreserve/ entry removed, as the
 *    kernel's remove_ima_buffer() does: that buffer was the running kernel's.
 * Everything else (other nodes, the linux,uefi-* properties, /memreserve/) as
 * in the input. Properties are set once even if a hostile input repeats them.
 * -ENOEXEC: malformed input; -ERANGE: a value the root's cells cannot hold;
 * -EINVAL: initrd end below its start; -ENOMEM: more than KX_FDT_MAX.
 */
int kx_fdt_edit(struct kexec_ctx *ctx, const void *in, size_t in_len, const struct kx_fdt_edit *e,
		void **out, size_t *out_len);
/*
 * RAM as the kernel's early_init_dt_scan_memory() finds it: the root's
 * children with device_type "memory" and status okay (or none), their
 * linux,usable-memory or else reg (#address-cells, #size-cells of the root),
 * sorted and merged (end inclusive), malloc'd in *ram. Ranges of size 0 are
 * skipped. -ENOENT (logged) when there is none; -ENOEXEC for a reg that is
 * not whole <address size> pairs or wraps past 2^64.
 */
int kx_fdt_memory(struct kexec_ctx *ctx, const void *blob, size_t len, struct kx_range **ram,
		  size_t *nr);
/*
 * What the next kernel keeps out of its allocator at fixed addresses, so that
 * no segment may land there: every /memreserve/ entry and the reg of every
 * available child of /reserved-memory (no-map, reusable or neither: the
 * firmware may own all of them), sorted and merged. Children without reg
 * (dynamic size/alloc-ranges) have no address in the blob and are skipped.
 * None: 0 with *res NULL and *nr 0.
 */
int kx_fdt_reserved(struct kexec_ctx *ctx, const void *blob, size_t len, struct kx_range **res,
		    size_t *nr);
/*
 * The console UART /chosen stdout-path (or linux,stdout-path) names, an
 * absolute path or an alias, without its ":options": its MMIO base (the
 * first reg address translated through its parents' ranges) and KX_CONSOLE_*
 * kind (purgatory/common/params.h), from its compatible:
 *   arm,pl011                                  KX_CONSOLE_PL011
 *   ns16550a, ns16550, ns8250, snps,dw-apb-uart with
 *     reg-shift 2                              KX_CONSOLE_8250_MMIO32
 *     reg-shift 0 (none) and reg-io-width 1    KX_CONSOLE_8250_MMIO8
 * -ENOENT when there is none the purgatory could drive (no stdout-path, a
 * disabled node, another UART, another register layout, an address the
 * ranges cannot translate); -ENOEXEC for a malformed blob. Never logs.
 */
int kx_fdt_console(const void *blob, size_t len, uint64_t *base, uint32_t *kind);

/*
 * The processors of blob's /cpus: every child whose device_type is "cpu" and
 * that is available (no status, "okay" or "ok"), by its reg (the hart id on
 * riscv, the MPIDR on arm). ids: a bit for each id below 64; *beyond: how
 * many ids were 64 or more (not in ids); *timebase: /cpus'
 * timebase-frequency, 0 when absent or not one cell. -ENOENT without a /cpus
 * node or with no processor in it; -ENOEXEC for a malformed blob. Never logs.
 */
struct kx_fdt_cpus {
	uint64_t ids;
	unsigned int beyond;
	uint32_t timebase;
};
int kx_fdt_cpus(const void *blob, size_t len, struct kx_fdt_cpus *out);

/* ---- Shared by lib/dtb.c (reading) and lib/dtb-edit.c (building) ---- */

/* A blob checked whole (check_layout, fdt_check_full) before libfdt reads it. */
struct kx_fdt_blob {
	const void *fdt; /* checked, 8-byte aligned */
	void *copy;      /* what to free: the aligned copy, if one was made */
};
/* Check data (len bytes) and open it as b: 0, or -ENOEXEC logged with the reason. */
int kx_fdt_blob_open(struct kexec_ctx *ctx, struct kx_fdt_blob *b, const void *data, size_t len);
void kx_fdt_blob_close(struct kx_fdt_blob *b);
/* A plain-words reason for a libfdt error, with libfdt's name for it; returns buf. */
const char *kx_fdt_reason(int err, char *buf, size_t size);

#endif
