/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The check of the purgatories that do nothing else around it (32-bit ARM,
 * mips): entry.S calls purgatory_main() on our own stack, which checks the
 * regions against the loader's digest and returns to jump into the kernel,
 * or reports the mismatch on the console (console-mmio.h) and halts
 * (entry.S's kx_halt). The parameter block is the purgatory's own
 * (purgatory.c defines it, with what its fields mean there).
 *
 * The hashing: XXH3-128 (xxh3.c, its scalar loop), or with KX_PF_SHA256 the
 * portable SHA-256 (sha256.c, its eight lanes one after the other).
 */
#include <stdbool.h>
#include <stdint.h>

#include "console-mmio.h"
#include "params.h"
#include "sha256.h"
#include "xxh3.h"

extern struct kx_purgatory_params KX_PURGATORY_PARAMS;
#define P KX_PURGATORY_PARAMS

/* What the check did, for anyone reading memory after the fact: bit 0 checked. */
__attribute__((section(".data"), used)) uint32_t kx_check_path = 0;

/* Neither has SHA-256 instructions, nor vector lanes (sha256-nolanes.c). */
int kx_sha256_hw_usable(void)
{
	return 0;
}

/* entry.S */
__attribute__((noreturn)) void kx_halt(void);

void purgatory_main(void);
int purgatory_verify(void);

#define console_puts(s) kx_console_puts(&P, (s))

int purgatory_verify(void)
{
	if (P.flags & KX_PF_SHA256)
		return kx_sha256_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
	return kx_xxh3_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
}

void purgatory_main(void)
{
	bool regions = false;

	for (unsigned int i = 0; i < KX_SHA_REGIONS_MAX; i++)
		regions |= P.regions[i].len != 0;
	if (P.flags & KX_PF_PROGRESS)
		console_puts(regions ? "purgatory: checking the segments\r\n"
				     : "purgatory: no check (-i)\r\n");
	/* -i: the loader gave no regions; nothing to check. */
	if (!regions)
		goto enter;
	if (!purgatory_verify()) {
		/* Booting corrupted segments would fail in obscure ways: stop here, loudly. */
		console_puts(P.flags & KX_PF_SHA256 ? "purgatory: sha256 mismatch\r\n"
						    : "purgatory: xxh3 mismatch\r\n");
		kx_console_report_changed(&P);
		kx_halt();
	}
	kx_check_path = 1;
enter:
	if (P.flags & KX_PF_PROGRESS)
		console_puts("purgatory: entering the kernel\r\n");
}
