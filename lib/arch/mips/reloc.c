/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MIPS64 (n64) RELA relocations for the purgatory: what a -msym32
 * -mno-abicalls -fno-pic -G0 -mlong-calls object has (purgatory/mips/
 * meson.build): lui/addiu pairs (R_MIPS_HI16, R_MIPS_LO16: with RELA each
 * carries its whole addend, no pairing) and data words (R_MIPS_32,
 * R_MIPS_64). -msym32: every address of ours is 32 bits sign-extended (a
 * CKSEG0 one); a value that is not, or a composed n64 relocation (a second
 * or third type other than R_MIPS_NONE), is refused and nothing written.
 * Instructions and words are little-endian (mips64el).
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>

#include "libkexec-internal.h"
#include "purgatory.h"

#define TYPE_COMPOSED 0xffffffffu

/* n64's r_info: r_sym in the low word, r_ssym, r_type3, r_type2, r_type in the top bytes. */
static uint64_t info(uint64_t raw)
{
	uint32_t sym = (uint32_t)raw, type = (uint32_t)(raw >> 56);

	if ((raw >> 32) & 0xffffffu)
		type = TYPE_COMPOSED;
	return ELF64_R_INFO(sym, type);
}

static unsigned int width(uint32_t type)
{
	switch (type) {
	case R_MIPS_NONE:
	case R_MIPS_32:
	case R_MIPS_HI16:
	case R_MIPS_LO16:
		return 4;
	case R_MIPS_64:
		return 8;
	}
	return 0;
}

static bool sym32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)v == v;
}

static int apply(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc)
{
	(void)pc;
	switch (type) {
	case R_MIPS_NONE:
		return 0;
	case R_MIPS_32:
		if (!sym32(sa))
			return -ERANGE;
		kx_put_le32(loc, (uint32_t)sa);
		return 0;
	case R_MIPS_64:
		kx_put_le64(loc, sa);
		return 0;
	case R_MIPS_HI16:
		/* lui: the upper half, rounded for the signed low half an addiu adds. */
		if (!sym32(sa))
			return -ERANGE;
		kx_put_le32(loc, (kx_le32(loc) & 0xffff0000u) | (uint32_t)(((sa + 0x8000) >> 16) & 0xffff));
		return 0;
	case R_MIPS_LO16:
		if (!sym32(sa))
			return -ERANGE;
		kx_put_le32(loc, (kx_le32(loc) & 0xffff0000u) | (uint32_t)(sa & 0xffff));
		return 0;
	}
	return -EINVAL;
}

const struct kx_reloc_ops kx_reloc_mips64 = {
	.e_machine = EM_MIPS,
	.width = width,
	.apply = apply,
	.info = info,
};
