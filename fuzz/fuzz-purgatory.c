/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The purgatory ELF loader (ET_REL: sections, symbols, RELA relocations) on
 * mutated blobs: init, setting and reading variables, symbol addresses, and
 * relocation at a low, a 4 GiB-edge and a high base.
 */
#include "purgatory.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t bases[] = { 0x102000, 0xfffff000, 0x7ffffffff000 };
	struct kexec_ctx *ctx = fuzz_ctx(NULL);
	struct kx_purgatory p;
	struct kx_purgatory_params pp, back;
	uint64_t addr;

	if (kx_purgatory_init(ctx, &p, data, size) < 0) {
		kexec_ctx_free(ctx);
		return 0;
	}
	FUZZ_CHECK(p.buf != NULL);
	FUZZ_CHECK(p.bufsz <= p.memsz);
	FUZZ_CHECK(p.align >= 16 && p.align <= 4096 && !(p.align & (p.align - 1)));

	/* The parameter block the loaders set, whatever this blob makes of it. */
	memset(&pp, 0x5a, sizeof(pp));
	pp.entry = 0x1000200;
	if (kx_purgatory_set_params(&p, &pp) == 0) {
		FUZZ_CHECK(kx_purgatory_get_params(&p, &back) == 0);
		FUZZ_CHECK(!memcmp(&back, &pp, sizeof(pp)));
	}
	kx_purgatory_symbol_addr(&p, "purgatory_start", &addr);

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (kx_purgatory_relocate(ctx, &p, bases[i]) == 0) {
			FUZZ_CHECK(p.base == bases[i]);
			kx_purgatory_symbol_addr(&p, "purgatory_start", &addr);
		}
	}
	kx_purgatory_free(&p);
	kexec_ctx_free(ctx);
	return 0;
}
