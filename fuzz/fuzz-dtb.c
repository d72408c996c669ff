/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device trees on hostile bytes (what --dtb can hand us): the memory,
 * reservation, console and processor readers, and the /chosen editor, whose
 * output must itself be a sound tree (libfdt's fdt_check_full) every time it
 * succeeds.
 */
#include <libfdt.h>

#include "fuzz-common.h"
#include "dtb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kexec_ctx *ctx;
	struct kx_fdt_edit e = {
		.cmdline = "console=ttyAMA0", .initrd_start = 0x1000, .initrd_end = 0x2000,
		.elfcorehdr_addr = 0x3000, .elfcorehdr_size = 0x1000,
		.usable_start = 0x10000000, .usable_size = 0x1000000,
		.usable_low_start = 0x1000, .usable_low_size = 0x1000,
	};
	struct kx_fdt_cpus cpus;
	struct kx_range *r;
	size_t nr, ol;
	uint64_t base;
	uint32_t kind;
	void *copy, *out;

	if (!ctx)
		ctx = fuzz_ctx(NULL);
	/* A copy of exactly size bytes, so that ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	if (kx_fdt_memory(ctx, copy, size, &r, &nr) == 0)
		free(r);
	if (kx_fdt_reserved(ctx, copy, size, &r, &nr) == 0)
		free(r);
	kx_fdt_console(copy, size, &base, &kind);
	/* A tree with processors has one at least, below 64 or past it. */
	if (kx_fdt_cpus(copy, size, &cpus) == 0)
		FUZZ_CHECK(cpus.ids || cpus.beyond);
	if (kx_fdt_edit(ctx, copy, size, &e, &out, &ol) == 0) {
		FUZZ_CHECK(fdt_check_full(out, ol) == 0);
		free(out);
	}
	/* And with everything removed. */
	e.elfcorehdr_size = 0;
	e.usable_size = 0;
	e.usable_low_size = 0;
	e.cmdline = NULL;
	e.initrd_start = e.initrd_end = 0;
	e.seeds = false;
	if (kx_fdt_edit(ctx, copy, size, &e, &out, &ol) == 0) {
		FUZZ_CHECK(fdt_check_full(out, ol) == 0);
		free(out);
	}
	free(copy);
	return 0;
}
