/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * aarch64 RELA relocations for the purgatory (ELF for the Arm 64-bit
 * Architecture, "Static Data relocations" and "Static AArch64
 * relocations"): the data words, and the immediates of ADR, ADRP, ADD, the
 * loads and stores, B, BL, B.cond, TBZ and LDR (literal) that a -mcmodel=small
 * -fno-pic object has. Values that do not fit the field are refused with
 * -ERANGE, nothing written, as the ABI requires where it checks (the _NC
 * kinds are not checked: their high bits are some other instruction's).
 * Instructions are little-endian words, whatever the data's order.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "purgatory.h"

static unsigned int width(uint32_t type)
{
	switch (type) {
	case R_AARCH64_NONE:
		return 1; /* writes nothing; 1 keeps the offset check meaningful */
	case R_AARCH64_ABS64:
	case R_AARCH64_PREL64:
		return 8;
	case R_AARCH64_ABS32:
	case R_AARCH64_PREL32:
	case R_AARCH64_LD_PREL_LO19:
	case R_AARCH64_ADR_PREL_LO21:
	case R_AARCH64_ADR_PREL_PG_HI21:
	case R_AARCH64_ADR_PREL_PG_HI21_NC:
	case R_AARCH64_ADD_ABS_LO12_NC:
	case R_AARCH64_LDST8_ABS_LO12_NC:
	case R_AARCH64_LDST16_ABS_LO12_NC:
	case R_AARCH64_LDST32_ABS_LO12_NC:
	case R_AARCH64_LDST64_ABS_LO12_NC:
	case R_AARCH64_LDST128_ABS_LO12_NC:
	case R_AARCH64_TSTBR14:
	case R_AARCH64_CONDBR19:
	case R_AARCH64_JUMP26:
	case R_AARCH64_CALL26:
		return 4;
	}
	return 0;
}

/* v fits a signed field of bits bits. */
static bool fits_signed(int64_t v, unsigned int bits)
{
	return v >= -(INT64_C(1) << (bits - 1)) && v < (INT64_C(1) << (bits - 1));
}

static uint32_t get_insn(const uint8_t *loc)
{
	return (uint32_t)loc[0] | (uint32_t)loc[1] << 8 | (uint32_t)loc[2] << 16 |
	       (uint32_t)loc[3] << 24;
}

static void put_insn(uint8_t *loc, uint32_t insn)
{
	loc[0] = (uint8_t)insn;
	loc[1] = (uint8_t)(insn >> 8);
	loc[2] = (uint8_t)(insn >> 16);
	loc[3] = (uint8_t)(insn >> 24);
}

/* The instruction at loc with the field of width bits at shift set to v's low bits. */
static void set_field(uint8_t *loc, unsigned int shift, unsigned int bits, uint64_t v)
{
	uint32_t mask = (uint32_t)(((UINT64_C(1) << bits) - 1) << shift);

	put_insn(loc, (get_insn(loc) & ~mask) | ((uint32_t)(v << shift) & mask));
}

/* ADR and ADRP: immlo (2 bits) at 29, immhi (19 bits) at 5. */
static void set_adr_imm(uint8_t *loc, uint64_t imm)
{
	set_field(loc, 29, 2, imm);
	set_field(loc, 5, 19, imm >> 2);
}

/* A branch-like field: (S + A - P) >> 2 in bits bits at shift, word aligned. */
static int branch(uint8_t *loc, uint64_t sa, uint64_t pc, unsigned int shift, unsigned int bits)
{
	int64_t off = (int64_t)(sa - pc);

	if (off & 3 || !fits_signed(off, bits + 2))
		return -ERANGE;
	set_field(loc, shift, bits, (uint64_t)off >> 2);
	return 0;
}

/* The low 12 bits of S + A, scaled by the access size, into imm12 (bits 10-21). */
static int lo12(uint8_t *loc, uint64_t sa, unsigned int scale)
{
	uint64_t v = sa & 0xfff;

	/* The ABI leaves a misaligned LDST*_LO12 undefined; an assembler would refuse it. */
	if (v & ((1u << scale) - 1))
		return -ERANGE;
	set_field(loc, 10, 12, v >> scale);
	return 0;
}

static int apply(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc)
{
	int64_t off;
	uint32_t v32;

	switch (type) {
	case R_AARCH64_NONE:
		return 0;
	case R_AARCH64_ABS64:
		kx_put_le64(loc, sa);
		return 0;
	case R_AARCH64_ABS32:
		/* Signed or unsigned 32-bit, as the ABI allows: -2^31 <= X < 2^32. */
		if ((int64_t)sa < INT32_MIN || (int64_t)sa > (int64_t)UINT32_MAX)
			return -ERANGE;
		v32 = (uint32_t)sa;
		kx_put_le32(loc, v32);
		return 0;
	case R_AARCH64_PREL64:
		sa -= pc;
		kx_put_le64(loc, sa);
		return 0;
	case R_AARCH64_PREL32:
		off = (int64_t)(sa - pc);
		if (off < INT32_MIN || off > (int64_t)UINT32_MAX)
			return -ERANGE;
		v32 = (uint32_t)off;
		kx_put_le32(loc, v32);
		return 0;
	case R_AARCH64_LD_PREL_LO19:
	case R_AARCH64_CONDBR19:
		return branch(loc, sa, pc, 5, 19);
	case R_AARCH64_TSTBR14:
		return branch(loc, sa, pc, 5, 14);
	case R_AARCH64_JUMP26:
	case R_AARCH64_CALL26:
		return branch(loc, sa, pc, 0, 26);
	case R_AARCH64_ADR_PREL_LO21:
		off = (int64_t)(sa - pc);
		if (!fits_signed(off, 21))
			return -ERANGE;
		set_adr_imm(loc, (uint64_t)off);
		return 0;
	case R_AARCH64_ADR_PREL_PG_HI21:
	case R_AARCH64_ADR_PREL_PG_HI21_NC:
		/* Page(S + A) - Page(P), in pages: +-4 GiB. */
		off = (int64_t)((sa & ~UINT64_C(0xfff)) - (pc & ~UINT64_C(0xfff)));
		if (type == R_AARCH64_ADR_PREL_PG_HI21 && !fits_signed(off, 33))
			return -ERANGE;
		set_adr_imm(loc, (uint64_t)off >> 12);
		return 0;
	case R_AARCH64_ADD_ABS_LO12_NC:
	case R_AARCH64_LDST8_ABS_LO12_NC:
		return lo12(loc, sa, 0);
	case R_AARCH64_LDST16_ABS_LO12_NC:
		return lo12(loc, sa, 1);
	case R_AARCH64_LDST32_ABS_LO12_NC:
		return lo12(loc, sa, 2);
	case R_AARCH64_LDST64_ABS_LO12_NC:
		return lo12(loc, sa, 3);
	case R_AARCH64_LDST128_ABS_LO12_NC:
		return lo12(loc, sa, 4);
	}
	return -ENOEXEC;
}

const struct kx_reloc_ops kx_reloc_aarch64 = {
	.e_machine = EM_AARCH64,
	.width = width,
	.apply = apply,
};
