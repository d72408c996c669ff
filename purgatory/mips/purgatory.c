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
 * The check is ../common/check-main.c's purgatory_main(), shared with 32-bit
 * ARM (built with KX_REGION_PHYS_MASK: the regions come as XKPHYS addresses
 * and its report prints them physical).
 */
#include <stddef.h>
#include <stdint.h>

#include "params.h"

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
