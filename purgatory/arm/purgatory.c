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
 * The check itself is ../common/check-main.c's purgatory_main(), shared
 * with mips; here: the parameter block and the exception report.
 */
#include <stddef.h>
#include <stdint.h>

#include "console-mmio.h"
#include "params.h"

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

/* entry.S */
__attribute__((noreturn)) void kx_halt(void);

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
