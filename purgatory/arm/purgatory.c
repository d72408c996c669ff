/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 32-bit ARM purgatory, the C part: check that the segments the old kernel
 * copied are the ones the loader hashed, before entry.S jumps into the new
 * kernel (a zImage). Freestanding; built -marm -mfloat-abi=soft (no VFP or
 * NEON state is touched), -mno-unaligned-access (with the MMU off all
 * memory is Strongly-ordered, where an unaligned access faults),
 * -mword-relocations -fno-pic: addresses come from literal pools
 * (R_ARM_ABS32), calls are PC-relative (lib/arch/arm/reloc.c).
 *
 * With the MMU and the data cache off, as the old kernel left them: every
 * read goes to memory, slower on real hardware than with caches (QEMU does
 * not tell the difference). Nothing is written but our own .data and stack.
 *
 * The hashing: XXH3-128 (../common/xxh3.c, its scalar loop), or with
 * --check=sha256 the portable SHA-256 (../common/sha256.c, its eight lanes
 * one after the other). The check is the only work done here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console-mmio.h"
#include "params.h"
#include "sha256.h"
#include "xxh3.h"

/*
 * Set by the loader, by symbol name (kx_purgatory_set_params()), in the file
 * image: in .data (never .bss, which is not in the image) even though it is
 * zero here. arm's fields: entry, the zImage's address (its first
 * instruction); boot_data, the device tree's physical address (r2; 0: the one
 * the old kernel found among the segments); console_kind KX_CONSOLE_PL011
 * (QEMU virt's, most boards') or the 8250 kinds, with console_base its MMIO
 * address (any other kind: silent); flags KX_PF_PROGRESS and KX_PF_SHA256;
 * arch[] unused. entry.S reads entry and boot_data at offsets 0 and 8 (their
 * low words: a 32-bit kernel is entered below 4 GiB).
 */
#define KX_VAR __attribute__((section(".data"), used))
KX_VAR struct kx_purgatory_params KX_PURGATORY_PARAMS = { 0 };
_Static_assert(offsetof(struct kx_purgatory_params, entry) == 0, "entry.S reads entry at 0");
_Static_assert(offsetof(struct kx_purgatory_params, boot_data) == 8,
	       "entry.S reads boot_data at 8");
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
__attribute__((noreturn)) void purgatory_exception(uint32_t kind, uint32_t lr, uint32_t dfsr,
						   uint32_t dfar);

#define console_puts(s) kx_console_puts(&P, (s))
#define console_hex(v) kx_console_hex(&P, (v))

/* From entry.S's vectors, on a stack of their own. */
void purgatory_exception(uint32_t kind, uint32_t lr, uint32_t dfsr, uint32_t dfar)
{
	console_puts("purgatory: exception ");
	console_hex(kind);
	console_puts(" lr 0x");
	console_hex(lr);
	console_puts(" dfsr 0x");
	console_hex(dfsr);
	console_puts(" dfar 0x");
	console_hex(dfar);
	console_puts("\r\n");
	kx_halt();
}

/*
 * The regions against the loader's digest: XXH3-128 (../common/xxh3.c), or
 * with KX_PF_SHA256 the eight-lane SHA-256 (../common/sha256.c).
 */
int purgatory_verify(void)
{
	if (P.flags & KX_PF_SHA256)
		return kx_sha256_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
	return kx_xxh3_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
}

/* From entry.S: MMU off, our stack and vectors. Returns to jump into the kernel. */
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
