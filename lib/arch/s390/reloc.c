/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * s390x RELA relocations for the purgatory: what a -fno-pic object has
 * (purgatory/s390/meson.build): the halfword-scaled PC-relative fields of
 * larl, brasl and the relative branches (R_390_PC32DBL, PLT32DBL, PC16DBL, PLT16DBL),
 * and data words (R_390_32, 64, PC32, PC64). Fields are big-endian.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>

#include "libkexec-internal.h"
#include "purgatory.h"

static unsigned int width(uint32_t type)
{
	switch (type) {
	case R_390_NONE:
		return 0;
	case R_390_PC16DBL:
	case R_390_PLT16DBL:
		return 2;
	case R_390_32:
	case R_390_PC32:
	case R_390_PC32DBL:
	case R_390_PLT32DBL:
		return 4;
	case R_390_64:
	case R_390_PC64:
		return 8;
	}
	return 0;
}

static bool fits_signed(int64_t v, unsigned int bits)
{
	return v >= -((int64_t)1 << (bits - 1)) && v < ((int64_t)1 << (bits - 1));
}

static int apply(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc)
{
	int64_t rel = (int64_t)(sa - pc);

	switch (type) {
	case R_390_NONE:
		return 0;
	case R_390_32:
		if (sa > UINT32_MAX)
			return -ERANGE;
		kx_put_be32(loc, (uint32_t)sa);
		return 0;
	case R_390_64:
		kx_put_be64(loc, sa);
		return 0;
	case R_390_PC32:
		if (!fits_signed(rel, 32))
			return -ERANGE;
		kx_put_be32(loc, (uint32_t)rel);
		return 0;
	case R_390_PC64:
		kx_put_be64(loc, (uint64_t)rel);
		return 0;
	case R_390_PC16DBL:
	case R_390_PLT16DBL:
		if ((rel & 1) || !fits_signed(rel / 2, 16))
			return -ERANGE;
		kx_put_be16(loc, (uint16_t)(rel / 2));
		return 0;
	case R_390_PC32DBL:
	case R_390_PLT32DBL:
		if ((rel & 1) || !fits_signed(rel / 2, 32))
			return -ERANGE;
		kx_put_be32(loc, (uint32_t)(rel / 2));
		return 0;
	}
	return -EINVAL;
}

const struct kx_reloc_ops kx_reloc_s390x = {
	.e_machine = EM_S390,
	.width = width,
	.apply = apply,
};
