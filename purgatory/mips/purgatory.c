/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MIPS64 purgatory, the C part: check that the segments the old kernel
 * copied are the ones the loader hashed, before entry.S jumps into the new
 * kernel. Freestanding; n64, -msym32 (every address of ours is CKSEG0's,
 * 32 bits sign-extended: lui/addiu pairs, R_MIPS_HI16/LO16),
 * -mno-abicalls -fno-pic -G0 -mlong-calls (no GOT, no $gp, no jal's 256 MiB
 * region), soft-float (no FPU state is touched). The segments are read
 * through XKPHYS, cached (the loader gives the regions that way), the
 * console through CKSEG1, uncached.
 *
 * The hashing: XXH3-128 (../common/xxh3.c, its scalar loop), or with
 * --check=sha256 the portable SHA-256 (../common/sha256.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The regions come as XKPHYS addresses; the report prints them physical. */
#define KX_REGION_PHYS_MASK 0x07ffffffffffffffULL
#include "console-mmio.h"
#include "params.h"
#include "sha256.h"
#include "xxh3.h"

/*
 * Set by the loader, by symbol name, in the file image (.data, never .bss).
 * mips's fields: entry, the kernel's entry as a CKSEG0 (or XKPHYS) address;
 * boot_data unused (a0-a3 pass through); console_kind
 * KX_CONSOLE_8250_MMIO8 with console_base the UART's CKSEG1 address, or
 * none; regions[].start XKPHYS addresses.
 */
#define KX_VAR __attribute__((section(".data"), used))
KX_VAR struct kx_purgatory_params KX_PURGATORY_PARAMS = { 0 };
_Static_assert(offsetof(struct kx_purgatory_params, entry) == 0, "entry.S reads entry at 0");
#define P KX_PURGATORY_PARAMS

/* What the check did, for anyone reading memory after the fact: bit 0 checked. */
KX_VAR uint32_t kx_check_path = 0;

/* No SHA-256 instructions here; no vector lanes either (../common/sha256-nolanes.c). */
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

/* From entry.S, on our stack. Returns to jump into the kernel. */
void purgatory_main(void)
{
	bool regions = false;

	for (unsigned int i = 0; i < KX_SHA_REGIONS_MAX; i++)
		regions |= P.regions[i].len != 0;
	if (P.flags & KX_PF_PROGRESS)
		console_puts(regions ? "purgatory: checking the segments\r\n"
				     : "purgatory: no check (-i)\r\n");
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
