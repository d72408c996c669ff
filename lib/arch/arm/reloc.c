/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 32-bit ARM REL relocations for the purgatory ("ELF for the Arm
 * Architecture", relocation codes): the data words and the A32 branches a
 * -marm -mword-relocations -fno-pic object has (purgatory/arm/meson.build):
 * no Thumb, no MOVW/MOVT pairs, no GOT. REL: the addend is in the field
 * itself (rel_addend(), read from the blob by lib/purgatory.c); apply()
 * rewrites the field's value bits and keeps the instruction's others.
 * Values that do not fit are refused with -ERANGE, nothing written.
 * Little-endian (armhf): kx_le32/kx_put_le32, byte by byte.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>

#include "libkexec-internal.h"
#include "purgatory.h"

#ifndef R_ARM_CALL
#define R_ARM_CALL 28
#endif
#ifndef R_ARM_JUMP24
#define R_ARM_JUMP24 29
#endif
#ifndef R_ARM_V4BX
#define R_ARM_V4BX 40
#endif

static unsigned int width(uint32_t type)
{
	switch (type) {
	case R_ARM_NONE:
	case R_ARM_V4BX: /* marks a `bx` for ARMv4 linkers; nothing to write */
	case R_ARM_ABS32:
	case R_ARM_REL32:
	case R_ARM_CALL:
	case R_ARM_JUMP24:
		return 4;
	}
	return 0;
}

static int64_t rel_addend(const uint8_t *loc, uint32_t type)
{
	uint32_t v = kx_le32(loc);

	switch (type) {
	case R_ARM_ABS32:
	case R_ARM_REL32:
		return (int32_t)v;
	case R_ARM_CALL:
	case R_ARM_JUMP24:
		/* imm24, in words, signed: shifted to the top and back down. */
		return (int64_t)((int32_t)(v << 8) >> 6);
	}
	return 0;
}

static int apply(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc)
{
	int64_t off;

	switch (type) {
	case R_ARM_NONE:
	case R_ARM_V4BX:
		return 0;
	case R_ARM_ABS32:
		if (sa > UINT32_MAX)
			return -ERANGE;
		kx_put_le32(loc, (uint32_t)sa);
		return 0;
	case R_ARM_REL32:
		off = (int64_t)(sa - pc);
		if (off < INT32_MIN || off > INT32_MAX)
			return -ERANGE;
		kx_put_le32(loc, (uint32_t)off);
		return 0;
	case R_ARM_CALL:
	case R_ARM_JUMP24:
		/* B/BL: PC-relative, in words, +-32 MiB; A32 targets only (no BLX). */
		off = (int64_t)(sa - pc);
		if (off & 3 || off < -(INT64_C(1) << 25) || off >= (INT64_C(1) << 25))
			return -ERANGE;
		kx_put_le32(loc, (kx_le32(loc) & 0xff000000u) | ((uint32_t)(off >> 2) & 0x00ffffffu));
		return 0;
	}
	return -EINVAL;
}

const struct kx_reloc_ops kx_reloc_arm = {
	.e_machine = EM_ARM,
	.width = width,
	.apply = apply,
	.rel_addend = rel_addend,
};
