/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * i386 REL relocations for the purgatory (System V i386 psABI): the absolute
 * words and PC-relative calls a -m32 -fno-pic object has
 * (purgatory/i386/meson.build): no GOT, no PLT (R_386_PLT32 is a PC32 to a
 * local symbol). REL: the addend is the field's own value (rel_addend(), read
 * from the blob by lib/purgatory.c). Values that do not fit are refused with
 * -ERANGE, nothing written. Little-endian, byte by byte.
 */
#include <elf.h>
#include <errno.h>

#include "libkexec-internal.h"
#include "purgatory.h"

static unsigned int width(uint32_t type)
{
	switch (type) {
	case R_386_NONE:
	case R_386_32:
	case R_386_PC32:
	case R_386_PLT32:
		return 4;
	}
	return 0;
}

static int64_t rel_addend(const uint8_t *loc, uint32_t type)
{
	switch (type) {
	case R_386_32:
	case R_386_PC32:
	case R_386_PLT32:
		return (int32_t)kx_le32(loc);
	}
	return 0;
}

static int apply(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc)
{
	int64_t off;

	switch (type) {
	case R_386_NONE:
		return 0;
	case R_386_32:
		if (sa > UINT32_MAX)
			return -ERANGE;
		kx_put_le32(loc, (uint32_t)sa);
		return 0;
	case R_386_PC32:
	case R_386_PLT32:
		off = (int64_t)(sa - pc);
		if (off < INT32_MIN || off > INT32_MAX)
			return -ERANGE;
		kx_put_le32(loc, (uint32_t)off);
		return 0;
	}
	return -EINVAL;
}

const struct kx_reloc_ops kx_reloc_i386 = {
	.e_machine = EM_386,
	.width = width,
	.apply = apply,
	.rel_addend = rel_addend,
};
