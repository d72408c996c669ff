/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ppc64 (little-endian, ELFv2) RELA relocations for the purgatory: what a
 * -mcmodel=medium -msingle-pic-base object has (purgatory/ppc64/meson.build):
 * calls (R_PPC64_REL24), data through r2 in addis/addi or addis/ld pairs
 * (TOC16_HA, TOC16_LO, TOC16_LO_DS), data words (ADDR64, ADDR32, REL32,
 * REL64). r2 is purgatory_start + KX_PPC64_TOC_OFFSET (entry.S sets it):
 * lib/purgatory.c hands the TOC16 types S + A less that (toc_relative), as
 * the kernel's arch_kexec_apply_relocations_add() does with its my_r2().
 * Instructions and words are little-endian; a half16 field is the
 * instruction's first two bytes.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>

#include "libkexec-internal.h"
#include "purgatory.h"

#ifndef R_PPC64_REL24
#define R_PPC64_REL24 10
#endif

static unsigned int width(uint32_t type)
{
	switch (type) {
	case R_PPC64_NONE:
		return 1;
	case R_PPC64_TOC16_LO:
	case R_PPC64_TOC16_HA:
	case R_PPC64_TOC16_LO_DS:
		return 2;
	case R_PPC64_ADDR32:
	case R_PPC64_REL24:
	case R_PPC64_REL32:
		return 4;
	case R_PPC64_ADDR64:
	case R_PPC64_REL64:
		return 8;
	}
	return 0;
}

static bool toc_relative(uint32_t type)
{
	return type == R_PPC64_TOC16_LO || type == R_PPC64_TOC16_HA || type == R_PPC64_TOC16_LO_DS;
}

static bool fits_s32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static void put16(uint8_t *loc, uint16_t v)
{
	loc[0] = (uint8_t)v;
	loc[1] = (uint8_t)(v >> 8);
}

static uint16_t get16(const uint8_t *loc)
{
	return (uint16_t)(loc[0] | loc[1] << 8);
}

static int apply(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc)
{
	int64_t d = (int64_t)(sa - pc), v = (int64_t)sa;

	switch (type) {
	case R_PPC64_NONE:
		return 0;
	case R_PPC64_ADDR64:
		kx_put_le64(loc, sa);
		return 0;
	case R_PPC64_ADDR32:
		if (sa > UINT32_MAX)
			return -ERANGE;
		kx_put_le32(loc, (uint32_t)sa);
		return 0;
	case R_PPC64_REL64:
		kx_put_le64(loc, (uint64_t)d);
		return 0;
	case R_PPC64_REL32:
		if (!fits_s32(d))
			return -ERANGE;
		kx_put_le32(loc, (uint32_t)d);
		return 0;
	case R_PPC64_REL24:
		/* bl: a 26-bit signed byte offset, word-aligned. */
		if (d < -0x2000000 || d >= 0x2000000 || (d & 3))
			return -ERANGE;
		kx_put_le32(loc, (kx_le32(loc) & ~0x03fffffcu) | ((uint32_t)d & 0x03fffffcu));
		return 0;
	case R_PPC64_TOC16_HA:
		/* addis: the upper half, rounded for the signed low half that follows. */
		if (!fits_s32(v))
			return -ERANGE;
		put16(loc, (uint16_t)(((uint64_t)v + 0x8000) >> 16));
		return 0;
	case R_PPC64_TOC16_LO:
		if (!fits_s32(v))
			return -ERANGE;
		put16(loc, (uint16_t)v);
		return 0;
	case R_PPC64_TOC16_LO_DS:
		/* ld/std: a DS-form displacement, its low two bits the opcode's. */
		if (!fits_s32(v) || (v & 3))
			return -ERANGE;
		put16(loc, (uint16_t)((get16(loc) & 3) | ((uint16_t)v & 0xfffc)));
		return 0;
	}
	return -EINVAL;
}

const struct kx_reloc_ops kx_reloc_ppc64 = {
	.e_machine = EM_PPC64,
	.width = width,
	.apply = apply,
	.toc_offset = KX_PPC64_TOC_OFFSET,
	.toc_relative = toc_relative,
};
