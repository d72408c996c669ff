/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * riscv64 RELA relocations for the purgatory (RISC-V ELF psABI,
 * "Relocations"): the data words, and the immediates of the branches, jumps
 * and auipc pairs that a -mcmodel=medany -mno-relax -fno-pic object has
 * (purgatory/riscv64/meson.build). Values that do not fit the field are
 * refused with -ERANGE, nothing written. No linker relaxation: without
 * R_RISCV_RELAX every instruction stays where the compiler put it, and
 * R_RISCV_ALIGN (padding a linker would trim) is refused like any type not
 * listed here.
 *
 * PCREL_LO12_I and _S complete the auipc that carries a PCREL_HI20: their
 * symbol marks that auipc, and their value is the low 12 bits of that
 * PCREL_HI20's S + A - P, not of their own. pair() names the partner type;
 * lib/purgatory.c finds the partner (same section, at the LO12's symbol) and
 * passes apply() its S + A and P (struct kx_reloc_ops.pair).
 *
 * Instructions are little-endian, 32-bit ones as two 16-bit parcels (they
 * may be only 2-byte aligned with the C extension): read and written byte by
 * byte.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "purgatory.h"

/* From the psABI, where an older <elf.h> lacks them. */
#ifndef R_RISCV_CALL_PLT
#define R_RISCV_CALL_PLT 19
#endif
#ifndef R_RISCV_32_PCREL
#define R_RISCV_32_PCREL 57
#endif

static unsigned int width(uint32_t type)
{
	switch (type) {
	case R_RISCV_NONE:
		return 1; /* writes nothing; 1 keeps the offset check meaningful */
	case R_RISCV_64:
	case R_RISCV_CALL:     /* auipc + jalr */
	case R_RISCV_CALL_PLT:
		return 8;
	case R_RISCV_32:
	case R_RISCV_32_PCREL:
	case R_RISCV_BRANCH:
	case R_RISCV_JAL:
	case R_RISCV_PCREL_HI20:
	case R_RISCV_PCREL_LO12_I:
	case R_RISCV_PCREL_LO12_S:
		return 4;
	case R_RISCV_RVC_BRANCH:
	case R_RISCV_RVC_JUMP:
		return 2;
	}
	return 0;
}

static uint32_t pair(uint32_t type)
{
	return type == R_RISCV_PCREL_LO12_I || type == R_RISCV_PCREL_LO12_S ? R_RISCV_PCREL_HI20 : 0;
}

/* v fits a signed field of bits bits. */
static bool fits_signed(int64_t v, unsigned int bits)
{
	return v >= -(INT64_C(1) << (bits - 1)) && v < (INT64_C(1) << (bits - 1));
}

static uint32_t get32(const uint8_t *loc)
{
	return (uint32_t)loc[0] | (uint32_t)loc[1] << 8 | (uint32_t)loc[2] << 16 |
	       (uint32_t)loc[3] << 24;
}

static void put32(uint8_t *loc, uint32_t v)
{
	loc[0] = (uint8_t)v;
	loc[1] = (uint8_t)(v >> 8);
	loc[2] = (uint8_t)(v >> 16);
	loc[3] = (uint8_t)(v >> 24);
}

static uint16_t get16(const uint8_t *loc)
{
	return (uint16_t)(loc[0] | loc[1] << 8);
}

static void put16(uint8_t *loc, uint16_t v)
{
	loc[0] = (uint8_t)v;
	loc[1] = (uint8_t)(v >> 8);
}

/* Bits hi..lo of v, at bit `at` of an instruction. */
#define BITS(v, hi, lo, at) ((uint32_t)(((uint64_t)(v) >> (lo)) & ((1ULL << ((hi) - (lo) + 1)) - 1)) << (at))

/* The immediate fields of each format (the other bits are kept). */
#define I_IMM_MASK 0xfff00000u
#define S_IMM_MASK 0xfe000f80u
#define B_IMM_MASK 0xfe000f80u
#define U_IMM_MASK 0xfffff000u
#define J_IMM_MASK 0xfffff000u
#define CB_IMM_MASK 0x1c7cu /* bits 12:10 and 6:2 */
#define CJ_IMM_MASK 0x1ffcu /* bits 12:2 */

static uint32_t i_imm(int64_t v)
{
	return BITS(v, 11, 0, 20);
}

static uint32_t s_imm(int64_t v)
{
	return BITS(v, 11, 5, 25) | BITS(v, 4, 0, 7);
}

static uint32_t b_imm(int64_t v)
{
	return BITS(v, 12, 12, 31) | BITS(v, 10, 5, 25) | BITS(v, 4, 1, 8) | BITS(v, 11, 11, 7);
}

static uint32_t j_imm(int64_t v)
{
	return BITS(v, 20, 20, 31) | BITS(v, 10, 1, 21) | BITS(v, 11, 11, 20) | BITS(v, 19, 12, 12);
}

static uint16_t cb_imm(int64_t v)
{
	return (uint16_t)(BITS(v, 8, 8, 12) | BITS(v, 4, 3, 10) | BITS(v, 7, 6, 5) |
			  BITS(v, 2, 1, 3) | BITS(v, 5, 5, 2));
}

static uint16_t cj_imm(int64_t v)
{
	return (uint16_t)(BITS(v, 11, 11, 12) | BITS(v, 4, 4, 11) | BITS(v, 9, 8, 9) |
			  BITS(v, 10, 10, 8) | BITS(v, 6, 6, 7) | BITS(v, 7, 7, 6) |
			  BITS(v, 3, 1, 3) | BITS(v, 5, 5, 2));
}

static void set32(uint8_t *loc, uint32_t mask, uint32_t imm)
{
	put32(loc, (get32(loc) & ~mask) | imm);
}

/*
 * An auipc pair's offset S + A - P, split as the hardware adds it back: hi
 * (auipc, shifted left 12) plus lo (the sign-extended 12 bits of the addi,
 * load, store or jalr). -ERANGE unless hi fits auipc's signed 20 bits: from
 * -2 GiB - 2 KiB to 2 GiB - 2 KiB.
 */
static int split(int64_t off, int64_t *hi, int64_t *lo)
{
	int64_t h;

	if (off < -(INT64_C(1) << 31) - 0x800 || off >= (INT64_C(1) << 31) - 0x800)
		return -ERANGE;
	h = (off + 0x800) / 4096 - ((off + 0x800) % 4096 < 0); /* floor division */
	*hi = h;
	*lo = off - h * 4096;
	return 0;
}

static int apply(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc)
{
	int64_t off = (int64_t)(sa - pc), hi, lo;
	uint32_t v32;

	switch (type) {
	case R_RISCV_NONE:
		return 0;
	case R_RISCV_64:
		kx_put_le64(loc, sa);
		return 0;
	case R_RISCV_32:
		/* Signed or unsigned 32-bit: -2^31 <= X < 2^32. */
		if ((int64_t)sa < INT32_MIN || (int64_t)sa > (int64_t)UINT32_MAX)
			return -ERANGE;
		v32 = (uint32_t)sa;
		kx_put_le32(loc, v32);
		return 0;
	case R_RISCV_32_PCREL:
		if (!fits_signed(off, 32))
			return -ERANGE;
		v32 = (uint32_t)off;
		kx_put_le32(loc, v32);
		return 0;
	case R_RISCV_BRANCH: /* beq...bgeu: +-4 KiB, even */
		if (off & 1 || !fits_signed(off, 13))
			return -ERANGE;
		set32(loc, B_IMM_MASK, b_imm(off));
		return 0;
	case R_RISCV_JAL: /* jal: +-1 MiB, even */
		if (off & 1 || !fits_signed(off, 21))
			return -ERANGE;
		set32(loc, J_IMM_MASK, j_imm(off));
		return 0;
	case R_RISCV_CALL:
	case R_RISCV_CALL_PLT: /* auipc ra, hi; jalr ra, lo(ra) */
		if (split(off, &hi, &lo))
			return -ERANGE;
		set32(loc, U_IMM_MASK, (uint32_t)((uint64_t)hi << 12));
		set32(loc + 4, I_IMM_MASK, i_imm(lo));
		return 0;
	case R_RISCV_PCREL_HI20:
		if (split(off, &hi, &lo))
			return -ERANGE;
		set32(loc, U_IMM_MASK, (uint32_t)((uint64_t)hi << 12));
		return 0;
	case R_RISCV_PCREL_LO12_I: /* sa, pc: the PCREL_HI20's (pair()) */
	case R_RISCV_PCREL_LO12_S:
		if (split(off, &hi, &lo))
			return -ERANGE;
		if (type == R_RISCV_PCREL_LO12_I)
			set32(loc, I_IMM_MASK, i_imm(lo));
		else
			set32(loc, S_IMM_MASK, s_imm(lo));
		return 0;
	case R_RISCV_RVC_BRANCH: /* c.beqz, c.bnez: +-256 bytes, even */
		if (off & 1 || !fits_signed(off, 9))
			return -ERANGE;
		put16(loc, (uint16_t)((get16(loc) & ~CB_IMM_MASK) | cb_imm(off)));
		return 0;
	case R_RISCV_RVC_JUMP: /* c.j: +-2 KiB, even */
		if (off & 1 || !fits_signed(off, 12))
			return -ERANGE;
		put16(loc, (uint16_t)((get16(loc) & ~CJ_IMM_MASK) | cj_imm(off)));
		return 0;
	}
	return -ENOEXEC;
}

const struct kx_reloc_ops kx_reloc_riscv64 = {
	.e_machine = EM_RISCV,
	.width = width,
	.apply = apply,
	.pair = pair,
};
