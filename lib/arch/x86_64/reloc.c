/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * x86_64 RELA relocations for the purgatory (arch/x86/kernel/
 * machine_kexec_64.c arch_kexec_apply_relocations_add), refusing values that
 * do not fit the field (the kernel does not check PC32).
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "purgatory.h"

static unsigned int width(uint32_t type)
{
	switch (type) {
	case R_X86_64_NONE:
		return 1; /* writes nothing; 1 keeps the offset check meaningful */
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		return 4;
	}
	return 0;
}

static bool fits_s32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static int apply(uint8_t *loc, uint32_t type, uint64_t v, uint64_t pc)
{
	uint32_t v32;

	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
		kx_put_le64(loc, v);
		return 0;
	case R_X86_64_32:
		if (v > UINT32_MAX)
			return -ERANGE;
		break;
	case R_X86_64_32S:
		if (!fits_s32((int64_t)v))
			return -ERANGE;
		break;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		v -= pc;
		if (!fits_s32((int64_t)v))
			return -ERANGE;
		break;
	case R_X86_64_PC64:
		v -= pc;
		kx_put_le64(loc, v);
		return 0;
	default:
		return -ENOEXEC;
	}
	v32 = (uint32_t)v;
	kx_put_le32(loc, v32);
	return 0;
}

const struct kx_reloc_ops kx_reloc_x86_64 = {
	.e_machine = EM_X86_64,
	.width = width,
	.apply = apply,
};
