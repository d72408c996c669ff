/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The embedded riscv64 purgatory (purgatory/riscv64), from any host that
 * builds it (an x86_64 host with riscv64-linux-gnu-gcc, or a riscv64 host):
 * parsed, its parameter block and entry point, its layout (one image
 * section, .bss, kx_image_start/kx_image_end at their ends), relocated at
 * several bases below and above 4 GiB with every relocated field decoded
 * from the instruction and checked against S + A and P (each PCREL_LO12
 * against the PCREL_HI20 it completes), and purgatory_start's own auipc
 * pairs followed to their targets; lib/arch/riscv64/reloc.c's apply() on
 * each relocation type at and past its field's range, against encodings
 * from the GNU assembler; an overflow reported as such; broken pairs,
 * unsorted relocations and corrupted copies refused or safe. And the
 * relocated blob run under qemu-riscv64 in user mode
 * (tests/unit/riscv64/run-blob.c), from purgatory_start to a fake new
 * kernel, on each hashing path, with the S-mode parts emulated: the kernel
 * must get a0 = the hart id, a1 = the device tree, the rest zero and the
 * CSRs as the old kernel left them; a changed byte must print the mismatch
 * on the UART and halt. Skipped where the blob was not built
 * (kx_purgatory_riscv64_blob_size is 0), the QEMU parts also where QEMU is
 * missing. What every purgatory's test does the same way is in
 * purgatory-harness.c; here is what is riscv64's.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "purgatory-harness.h"
#include "riscv64.h" /* KX_RISCV64_PF_ZKNH: what the loader sets in arch[0] */

#ifndef R_RISCV_CALL_PLT
#define R_RISCV_CALL_PLT 19
#endif
#ifndef R_RISCV_32_PCREL
#define R_RISCV_32_PCREL 57
#endif

const struct kx_test_arch kx_test_arch = {
	.name = "riscv64",
	.qemu = "riscv64",
	.qemu_system_package = "qemu-system-misc",
#if defined(__riscv)
	.native = true,
#endif
	.blob = kx_purgatory_riscv64_blob,
	.blob_size = &kx_purgatory_riscv64_blob_size,
	.e_machine = EM_RISCV,
	.reloc = &kx_reloc_riscv64,
	.r_none = R_RISCV_NONE,
	.r_abs64 = R_RISCV_64,
	.r_abs32 = R_RISCV_32,
};

static void test_blob_parses(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory p;
	uint64_t a;

	(void)state;
	check_blob_layout(ctx, &p);
	a = sym(&p, "kx_stack");
	assert_true(a >= p.bufsz && a + 8192 <= p.memsz && a % 16 == 0);
	/* stvec in direct mode: the trap vector 4-byte aligned, in the image. */
	assert_int_equal(sym(&p, "kx_trap") % 4, 0);
	assert_true(sym(&p, "kx_trap") < p.bufsz);
	/* The switch tests set, and what the check reports, in the image. */
	assert_true(sym(&p, "kx_zknh") + 4 <= p.bufsz);
	assert_true(sym(&p, "kx_check_path") + 4 <= p.bufsz);
	assert_true(sym(&p, "kx_check_ticks") + 8 <= p.bufsz);
	kx_purgatory_free(&p);
	kexec_ctx_free(ctx);
}

static void test_blob_set_get(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory_params pp = {
		.entry = 0x80200000, .boot_data = 0x88000000, .console_base = 0x10000000,
		.console_kind = KX_CONSOLE_8250_MMIO8, .arch = { KX_RISCV64_PF_ZKNH },
		.regions = { { 0x80200000, 0x2000000 }, { 0x88000000, 0x1234 } },
	};

	(void)state;
	/* entry.S reads entry and the device tree at offsets 0 and 8, little-endian. */
	check_params_round_trip(ctx, &pp);
	kexec_ctx_free(ctx);
}

/* ---- A decoder of our own, from the ISA manual's immediate layouts -------- */

static uint16_t insn16(const uint8_t *at)
{
	return (uint16_t)(at[0] | at[1] << 8);
}

/* Bit n of i, moved to bit m. */
#define BIT(i, n, m) ((((uint64_t)(i) >> (n)) & 1) << (m))

static unsigned int opcode(uint32_t i) { return i & 0x7f; }
static unsigned int rd(uint32_t i) { return (i >> 7) & 31; }
static unsigned int rs1(uint32_t i) { return (i >> 15) & 31; }
static unsigned int funct3(uint32_t i) { return (i >> 12) & 7; }

static int64_t imm_i(uint32_t i) { return sext(i >> 20, 12); }
static int64_t imm_s(uint32_t i) { return sext(((i >> 25) << 5) | ((i >> 7) & 31), 12); }
static int64_t imm_u(uint32_t i) { return sext(i & 0xfffff000u, 32); }

static int64_t imm_b(uint32_t i)
{
	uint64_t v = BIT(i, 31, 12) | BIT(i, 7, 11);

	for (unsigned int k = 0; k < 6; k++)
		v |= BIT(i, 25 + k, 5 + k);
	for (unsigned int k = 0; k < 4; k++)
		v |= BIT(i, 8 + k, 1 + k);
	return sext(v, 13);
}

static int64_t imm_j(uint32_t i)
{
	uint64_t v = BIT(i, 31, 20) | BIT(i, 20, 11);

	for (unsigned int k = 0; k < 10; k++)
		v |= BIT(i, 21 + k, 1 + k);
	for (unsigned int k = 0; k < 8; k++)
		v |= BIT(i, 12 + k, 12 + k);
	return sext(v, 21);
}

/* c.beqz / c.bnez: offset[8|4:3] in 12:10, offset[7:6|2:1|5] in 6:2. */
static int64_t imm_cb(uint16_t i)
{
	return sext(BIT(i, 12, 8) | BIT(i, 11, 4) | BIT(i, 10, 3) | BIT(i, 6, 7) | BIT(i, 5, 6) |
		    BIT(i, 4, 2) | BIT(i, 3, 1) | BIT(i, 2, 5), 9);
}

/* c.j: offset[11|4|9:8|10|6|7|3:1|5] in 12:2. */
static int64_t imm_cj(uint16_t i)
{
	return sext(BIT(i, 12, 11) | BIT(i, 11, 4) | BIT(i, 10, 9) | BIT(i, 9, 8) | BIT(i, 8, 10) |
		    BIT(i, 7, 6) | BIT(i, 6, 7) | BIT(i, 5, 3) | BIT(i, 4, 2) | BIT(i, 3, 1) |
		    BIT(i, 2, 5), 12);
}

static bool is_auipc(uint32_t i) { return opcode(i) == 0x17; }
static bool is_jalr(uint32_t i) { return opcode(i) == 0x67 && funct3(i) == 0; }
static bool is_branch(uint32_t i) { return opcode(i) == 0x63 && funct3(i) != 2 && funct3(i) != 3; }
static bool is_jal(uint32_t i) { return opcode(i) == 0x6f; }
/* What a PCREL_LO12_I may complete: addi, a load, jalr (I-type, the auipc's register). */
static bool is_lo12_i(uint32_t i)
{
	return (opcode(i) == 0x13 && funct3(i) == 0) || opcode(i) == 0x03 || is_jalr(i);
}
static bool is_store(uint32_t i) { return opcode(i) == 0x23; }
static bool is_c_branch(uint16_t i) { return (i & 3) == 1 && (i >> 13) >= 6; }
static bool is_c_j(uint16_t i) { return (i & 3) == 1 && (i >> 13) == 5; }

/*
 * The relocation at the offset a PCREL_LO12's symbol names: the PCREL_HI20
 * it completes (the psABI's pairing).
 */
static const struct reloc *hi_of(const struct reloc *rel, size_t n, const struct reloc *lo)
{
	for (size_t k = 0; k < n; k++)
		if (rel[k].type == R_RISCV_PCREL_HI20 &&
		    rel[k].pos == lo->s_off + (uint64_t)lo->addend)
			return &rel[k];
	fail_msg("PCREL_LO12 at 0x%zx (%s): no PCREL_HI20 at its symbol", lo->pos, lo->name);
	return NULL;
}

/*
 * Field of relocation r in buf (relocated for base) against the value the
 * psABI defines from S + A and P, decoded with the instruction's own
 * encoding, and the instruction the right kind for its type.
 */
static void check_field(const struct reloc_sweep *sw, const uint8_t *buf, uint64_t base,
			const struct reloc *r)
{
	uint64_t s_a = base + r->s_off + (uint64_t)r->addend, pc = base + r->pos;
	uint32_t i = kx_le32(buf + r->pos);
	uint64_t v64;

	switch (r->type) {
	case R_RISCV_64:
		memcpy(&v64, buf + r->pos, 8);
		assert_int_equal(v64, s_a);
		break;
	case R_RISCV_32:
		assert_int_equal(i, (uint32_t)s_a);
		break;
	case R_RISCV_32_PCREL:
		assert_int_equal(i, (uint32_t)(s_a - pc));
		break;
	case R_RISCV_BRANCH:
		if (!is_branch(i))
			fail_msg("BRANCH at 0x%zx (%s) on 0x%08x, not a branch", r->pos, r->name, i);
		assert_int_equal(pc + (uint64_t)imm_b(i), s_a);
		break;
	case R_RISCV_JAL:
		if (!is_jal(i))
			fail_msg("JAL at 0x%zx (%s) on 0x%08x, not a jal", r->pos, r->name, i);
		assert_int_equal(pc + (uint64_t)imm_j(i), s_a);
		break;
	case R_RISCV_CALL:
	case R_RISCV_CALL_PLT: {
		uint32_t j = kx_le32(buf + r->pos + 4);

		/* auipc rX, hi; jalr rd, lo(rX): the pair reaches S + A. */
		if (!is_auipc(i) || !is_jalr(j) || rs1(j) != rd(i))
			fail_msg("CALL at 0x%zx (%s) on 0x%08x 0x%08x, not auipc + jalr", r->pos, r->name,
				 i, j);
		assert_int_equal(pc + (uint64_t)imm_u(i) + (uint64_t)imm_i(j), s_a);
		break;
	}
	case R_RISCV_PCREL_HI20: {
		int64_t lo = (int64_t)(s_a - (pc + (uint64_t)imm_u(i)));

		if (!is_auipc(i))
			fail_msg("PCREL_HI20 at 0x%zx (%s) on 0x%08x, not an auipc", r->pos, r->name, i);
		/* What is left for the LO12 fits its signed 12 bits. */
		assert_true(lo >= -2048 && lo < 2048);
		break;
	}
	case R_RISCV_PCREL_LO12_I:
	case R_RISCV_PCREL_LO12_S: {
		const struct reloc *hi = hi_of(sw->rel, sw->n, r);
		uint32_t a = kx_le32(buf + hi->pos);
		uint64_t target = base + hi->s_off + (uint64_t)hi->addend;
		bool s = r->type == R_RISCV_PCREL_LO12_S;

		if (s ? !is_store(i) : !is_lo12_i(i))
			fail_msg("PCREL_LO12_%c at 0x%zx on 0x%08x", s ? 'S' : 'I', r->pos, i);
		/* The instruction adds to the auipc's register: auipc's P + hi + lo = the HI's S + A. */
		assert_int_equal(rs1(i), rd(a));
		assert_int_equal(base + hi->pos + (uint64_t)imm_u(a) + (uint64_t)(s ? imm_s(i) : imm_i(i)),
				 target);
		break;
	}
	case R_RISCV_RVC_BRANCH: {
		uint16_t c = insn16(buf + r->pos);

		assert_true(is_c_branch(c));
		assert_int_equal(pc + (uint64_t)imm_cb(c), s_a);
		break;
	}
	case R_RISCV_RVC_JUMP: {
		uint16_t c = insn16(buf + r->pos);

		assert_true(is_c_j(c));
		assert_int_equal(pc + (uint64_t)imm_cj(c), s_a);
		break;
	}
	default:
		fail_msg("relocation type %u in the blob: extend this test", r->type);
	}
}

/*
 * Bases: QEMU virt's kernel address, 2 GiB + 256 MiB (bit 31 set: a sign
 * trap for 32-bit fields), 4 GiB, low, and far above 4 GiB.
 */
static const uint64_t bases[] = { 0x80200000, 0x90000000, 0x100000000ULL, 0x1000,
				  0xffff00000000ULL };

static void test_blob_relocate(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	struct kexec_ctx *ctx = new_ctx();
	static struct reloc rel[4096];
	struct reloc_sweep s = { .bases = bases, .nbases = ARRAY_SIZE(bases), .rel = rel,
				 .max = ARRAY_SIZE(rel) };

	(void)state;
	/* Everything is PC-relative within the image: only absolute fields depend on the base. */
	reloc_sweep(ctx, &s, check_field);
	/* What the purgatory's code has at least (medany, no relaxation, no PIC). */
	assert_true(reloc_count(&s, R_RISCV_PCREL_HI20) > 0 && reloc_count(&s, R_RISCV_PCREL_LO12_I) > 0);
	assert_true(reloc_count(&s, R_RISCV_CALL_PLT) + reloc_count(&s, R_RISCV_CALL) > 0);
	/*
	 * Conditional branches: binutils 2.40 (Debian 12) leaves R_RISCV_BRANCH
	 * for them, 2.44 (Debian 13) resolves those within a section itself
	 * under -mno-relax. Where they are there, check_field checked them.
	 */

	/*
	 * purgatory_start's first steps, decoded: its trap vector (auipc +
	 * addi into the register it writes to stvec), its stack (auipc + addi
	 * into sp) and the call into C (auipc + jalr).
	 */
	for (size_t b = 0; b < ARRAY_SIZE(bases); b++) {
		const uint8_t *buf = s.p[b].buf;
		uint64_t base = bases[b], start = sym(&s.p[b], KX_PURGATORY_ENTRY_NAME);
		uint64_t stack_end = sym(&s.p[b], "kx_stack") + 8192;
		uint64_t main_at = sym(&s.p[b], "purgatory_main"), trap = sym(&s.p[b], "kx_trap");
		bool found_stack = false, found_call = false, found_trap = false;

		for (uint64_t a = start; a < start + 64;) {
			uint32_t i = kx_le32(buf + (a - base));

			if ((i & 3) != 3) {
				a += 2;
				continue;
			}
			if (is_auipc(i)) {
				uint32_t j = kx_le32(buf + (a - base) + 4);
				uint64_t t = a + (uint64_t)imm_u(i) + (uint64_t)imm_i(j);

				if (opcode(j) == 0x13 && rd(j) == 2) { /* addi sp */
					assert_int_equal(t, stack_end);
					found_stack = true;
				} else if (is_jalr(j) && rd(j) == 1) { /* jalr ra */
					assert_int_equal(t, main_at);
					found_call = true;
					break;
				} else if (opcode(j) == 0x13 && t == trap) {
					found_trap = true;
				}
			}
			a += 4;
		}
		if (!found_stack || !found_call || !found_trap)
			fail_msg("at 0x%llx: stack %d, call %d, trap vector %d",
				 (unsigned long long)base, found_stack, found_call, found_trap);
	}

	/*
	 * Applying again at another base gives what a fresh relocation gives;
	 * bases not aligned to the largest section alignment are refused.
	 */
	reloc_sweep_end(ctx, &s, 2, s.p[0].align / 2);
	kexec_ctx_free(ctx);
}

/* ---- apply() on each type, at and past its range ---------------------------- */

static uint16_t ok_c(uint32_t type, uint16_t half, uint64_t sa, uint64_t pc)
{
	uint8_t b[2] = { (uint8_t)half, (uint8_t)(half >> 8) };
	int r = kx_reloc_riscv64.apply(b, type, sa, pc);

	if (r)
		fail_msg("type %u sa 0x%llx pc 0x%llx: %d", type, (unsigned long long)sa,
			 (unsigned long long)pc, r);
	return (uint16_t)(b[0] | b[1] << 8);
}

static void erange_c(uint32_t type, uint16_t half, uint64_t sa, uint64_t pc)
{
	uint8_t b[2] = { (uint8_t)half, (uint8_t)(half >> 8) };

	assert_int_equal(kx_reloc_riscv64.apply(b, type, sa, pc), -ERANGE);
	assert_int_equal(b[0] | b[1] << 8, half);
}

/* An auipc pair (8 bytes) after apply: the two words. */
static void ok_pair(uint32_t type, uint32_t w0, uint32_t w1, uint64_t sa, uint64_t pc,
		    uint32_t want0, uint32_t want1)
{
	uint8_t b[8];
	int r;

	memcpy(b, &w0, 4);
	memcpy(b + 4, &w1, 4);
	r = kx_reloc_riscv64.apply(b, type, sa, pc);
	if (r)
		fail_msg("type %u sa 0x%llx pc 0x%llx: %d", type, (unsigned long long)sa,
			 (unsigned long long)pc, r);
	assert_int_equal(kx_le32(b), want0);
	assert_int_equal(kx_le32(b + 4), want1);
}

static void test_reloc_apply(void **state)
{
	const struct kx_reloc_ops *ops = &kx_reloc_riscv64;
	const uint64_t pc = 0x80010000;

	(void)state;
	/* HI20 (medlow's absolute one): not applied. R_RISCV_64 as data in there too. */
	check_reloc_common(R_RISCV_HI20, pc);
	assert_int_equal(ops->width(R_RISCV_CALL), 8);
	assert_int_equal(ops->width(R_RISCV_CALL_PLT), 8);
	assert_int_equal(ops->width(R_RISCV_32), 4);
	assert_int_equal(ops->width(R_RISCV_BRANCH), 4);
	assert_int_equal(ops->width(R_RISCV_PCREL_LO12_S), 4);
	assert_int_equal(ops->width(R_RISCV_RVC_JUMP), 2);
	/* Not applied: relaxation, absolute LO12 (medlow), GOT, ADD/SUB, anything else. */
	assert_int_equal(ops->width(R_RISCV_RELAX), 0);
	assert_int_equal(ops->width(R_RISCV_ALIGN), 0);
	assert_int_equal(ops->width(R_RISCV_LO12_I), 0);
	assert_int_equal(ops->width(R_RISCV_GOT_HI20), 0);
	assert_int_equal(ops->width(R_RISCV_ADD32), 0);
	assert_int_equal(ops->width(R_RISCV_SUB64), 0);
	assert_int_equal(ops->width(R_RISCV_RVC_LUI), 0);
	/* Only the LO12s are paired, with a PCREL_HI20. */
	assert_non_null(ops->pair);
	assert_int_equal(ops->pair(R_RISCV_PCREL_LO12_I), R_RISCV_PCREL_HI20);
	assert_int_equal(ops->pair(R_RISCV_PCREL_LO12_S), R_RISCV_PCREL_HI20);
	assert_int_equal(ops->pair(R_RISCV_PCREL_HI20), 0);
	assert_int_equal(ops->pair(R_RISCV_CALL_PLT), 0);
	assert_null(kx_reloc_x86_64.pair);
	assert_null(kx_reloc_aarch64.pair);

	/* Data. */
	assert_int_equal(ok_insn(R_RISCV_32, 0, 0xffffffff, pc), 0xffffffff);
	assert_int_equal(ok_insn(R_RISCV_32, 0, (uint64_t)INT32_MIN, pc), 0x80000000);
	erange(R_RISCV_32, 0x11111111, 0x100000000ULL, pc);
	erange(R_RISCV_32, 0x11111111, (uint64_t)INT32_MIN - 1, pc);
	assert_int_equal(ok_insn(R_RISCV_32_PCREL, 0, pc - 0x80000000ULL, pc), 0x80000000);
	assert_int_equal(ok_insn(R_RISCV_32_PCREL, 0, pc + 0x7fffffffULL, pc), 0x7fffffff);
	erange(R_RISCV_32_PCREL, 0, pc + 0x80000000ULL, pc);
	erange(R_RISCV_32_PCREL, 0, pc - 0x80000001ULL, pc);

	/*
	 * The instructions below are GNU as 2.40's (riscv64-linux-gnu-as,
	 * -march=rv64imac, .option norelax) at the extremes of each field, from
	 * the same instruction with a zero immediate.
	 */
	/* beq a0, a1 / bne s1, t2: +-4 KiB, even. */
	assert_int_equal(ok_insn(R_RISCV_BRANCH, 0x00b50063, pc + 4094, pc), 0x7eb50fe3);
	assert_int_equal(ok_insn(R_RISCV_BRANCH, 0x00749063, pc - 4096, pc), 0x80749063);
	assert_int_equal(ok_insn(R_RISCV_BRANCH, 0x7eb50fe3, pc, pc), 0x00b50063); /* replaced */
	erange(R_RISCV_BRANCH, 0x00b50063, pc + 4096, pc);
	erange(R_RISCV_BRANCH, 0x00b50063, pc - 4098, pc);
	erange(R_RISCV_BRANCH, 0x00b50063, pc + 3, pc);
	/* jal ra / j: +-1 MiB, even. */
	assert_int_equal(ok_insn(R_RISCV_JAL, 0x000000ef, pc + 0xffffe, pc), 0x7ffff0ef);
	assert_int_equal(ok_insn(R_RISCV_JAL, 0x0000006f, pc - 0x100000, pc), 0x8000006f);
	erange(R_RISCV_JAL, 0x000000ef, pc + 0x100000, pc);
	erange(R_RISCV_JAL, 0x000000ef, pc - 0x100002, pc);
	erange(R_RISCV_JAL, 0x000000ef, pc + 1, pc);
	/* c.beqz a0 / c.bnez s1: +-256 bytes; c.j: +-2 KiB. */
	assert_int_equal(ok_c(R_RISCV_RVC_BRANCH, 0xc101, pc + 254, pc), 0xcd7d);
	assert_int_equal(ok_c(R_RISCV_RVC_BRANCH, 0xe081, pc - 256, pc), 0xf081);
	erange_c(R_RISCV_RVC_BRANCH, 0xc101, pc + 256, pc);
	erange_c(R_RISCV_RVC_BRANCH, 0xc101, pc - 258, pc);
	assert_int_equal(ok_c(R_RISCV_RVC_JUMP, 0xa001, pc + 2046, pc), 0xaffd);
	assert_int_equal(ok_c(R_RISCV_RVC_JUMP, 0xa001, pc - 2048, pc), 0xb001);
	assert_int_equal(ok_c(R_RISCV_RVC_JUMP, 0xaffd, pc, pc), 0xa001);
	erange_c(R_RISCV_RVC_JUMP, 0xa001, pc + 2048, pc);
	erange_c(R_RISCV_RVC_JUMP, 0xa001, pc - 2050, pc);

	/*
	 * auipc pairs: S + A - P from -2 GiB - 2 KiB to 2 GiB - 2 KiB - 1.
	 * auipc t0 / addi t0, t0 at the top; auipc a5 / sd a4, (a5) at the
	 * bottom; auipc ra / jalr ra, (ra) for 0x800, where lo is -2048.
	 */
	assert_int_equal(ok_insn(R_RISCV_PCREL_HI20, 0x00000297, pc + 0x7ffff7ffULL, pc), 0x7ffff297);
	assert_int_equal(ok_insn(R_RISCV_PCREL_LO12_I, 0x00028293, pc + 0x7ffff7ffULL, pc), 0x7ff28293);
	erange(R_RISCV_PCREL_HI20, 0x00000297, pc + 0x7ffff800ULL, pc);
	erange(R_RISCV_PCREL_LO12_I, 0x00028293, pc + 0x7ffff800ULL, pc);
	assert_int_equal(ok_insn(R_RISCV_PCREL_HI20, 0x00000797, pc - 0x80000800ULL, pc), 0x80000797);
	assert_int_equal(ok_insn(R_RISCV_PCREL_LO12_S, 0x00e7b023, pc - 0x80000800ULL, pc), 0x80e7b023);
	erange(R_RISCV_PCREL_HI20, 0x00000797, pc - 0x80000801ULL, pc);
	erange(R_RISCV_PCREL_LO12_S, 0x00e7b023, pc - 0x80000801ULL, pc);
	ok_pair(R_RISCV_CALL_PLT, 0x00000097, 0x000080e7, pc + 0x800, pc, 0x00001097, 0x800080e7);
	ok_pair(R_RISCV_CALL, 0x00000097, 0x000080e7, pc + 0x7ffff7ffULL, pc, 0x7ffff097,
		0x7ff080e7);
	ok_pair(R_RISCV_CALL, 0x7ffff097, 0x7ff080e7, pc, pc, 0x00000097, 0x000080e7);
	{
		uint8_t b[8] = { 0x97, 0, 0, 0, 0xe7, 0x80, 0, 0 };

		assert_int_equal(ops->apply(b, R_RISCV_CALL_PLT, pc + 0x7ffff800ULL, pc), -ERANGE);
		assert_int_equal(ops->apply(b, R_RISCV_CALL_PLT, pc - 0x80000801ULL, pc), -ERANGE);
		assert_int_equal(kx_le32(b), 0x00000097);
		assert_int_equal(kx_le32(b + 4), 0x000080e7);
	}
}

/* ---- Overflow, broken pairs and corruption ---------------------------------- */

/* A field too narrow for the base: -ERANGE, logged as an overflow. */
static void test_relocation_overflow(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	(void)state;
	/* The first call becomes an absolute 32-bit word of its target. */
	check_relocation_overflow(R_RISCV_CALL_PLT, 0x80200000, 0x100000000ULL);
}

static void lo12_moved(Elf64_Rela *r, Elf64_Rela *all, size_t n, size_t j)
{
	(void)all, (void)n, (void)j;
	r->r_addend += 2; /* no auipc there */
}

static void hi20_gone(Elf64_Rela *r, Elf64_Rela *all, size_t n, size_t j)
{
	(void)all, (void)n, (void)j;
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), R_RISCV_NONE);
}

static void unsorted(Elf64_Rela *r, Elf64_Rela *all, size_t n, size_t j)
{
	Elf64_Rela t;

	(void)r;
	assert_true(j + 1 < n);
	t = all[j];
	all[j] = all[j + 1];
	all[j + 1] = t;
}

/* Symbol index of .bss's section symbol (another section than the LO12's). */
static uint32_t bss_section_symbol(const uint8_t *b)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(b + eh->e_shoff);

	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *s = (const Elf64_Sym *)(b + sh[i].sh_offset);

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		for (size_t k = 1; k < sh[i].sh_size / sizeof(*s); k++)
			if (s[k].st_shndx < eh->e_shnum && sh[s[k].st_shndx].sh_type == SHT_NOBITS)
				return (uint32_t)k;
	}
	fail_msg("no symbol in .bss");
	return 0;
}

static uint32_t bss_sym;

static void lo12_other_section(Elf64_Rela *r, Elf64_Rela *all, size_t n, size_t j)
{
	(void)all, (void)n, (void)j;
	r->r_info = ELF64_R_INFO(bss_sym, ELF64_R_TYPE(r->r_info));
}

/*
 * The pairing is checked when the blob is parsed: a PCREL_LO12 whose symbol
 * marks no PCREL_HI20, one whose PCREL_HI20 is gone, one naming another
 * section, relocations out of order: each refused, with a reason.
 */
static void test_pairs_refused(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	static const struct {
		uint32_t type;
		patch_fn *fn;
		const char *why;
	} cases[] = {
		{ R_RISCV_PCREL_LO12_I, lo12_moved, "relocation at 0x" },
		{ R_RISCV_PCREL_LO12_S, lo12_moved, "relocation at 0x" },
		{ R_RISCV_PCREL_HI20, hi20_gone, "relocation at 0x" },
		{ R_RISCV_PCREL_LO12_I, lo12_other_section, "not its own" },
		{ R_RISCV_PCREL_LO12_I, unsorted, "not sorted by offset" },
	};
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory p;

	(void)state;
	bss_sym = bss_section_symbol(kx_purgatory_riscv64_blob);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t *b = patched_blob(cases[i].type, cases[i].fn);

		log_text[0] = '\0';
		assert_int_equal(kx_purgatory_init(ctx, &p, b, kx_purgatory_riscv64_blob_size),
				 -ENOEXEC);
		if (!strstr(log_text, cases[i].why))
			fail_msg("case %zu: log has no \"%s\":\n%s", i, cases[i].why, log_text);
		free(b);
	}
	kexec_ctx_free(ctx);
}

/* Prefixes are refused; random corruption is refused or still safe to use. */
static void test_truncated_and_corrupted(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	(void)state;
	/* -EINVAL too: a flipped section alignment 0x80200000 does not meet. */
	check_truncated_and_corrupted(4243, 0x80200000, true);
}

/* ---- The relocated blob, run as riscv64 code --------------------------------- */

#define RUN_KERNEL 0x80200000ULL  /* the fake new kernel's entry (an ebreak) */
#define RUN_DTB 0x82200000ULL     /* only reported back */
#define RUN_OLD_A1 0x82300000ULL  /* the a1 the old kernel passes */
#define RUN_CONSOLE 0x10000000ULL /* QEMU virt's ns16550a */
#define RUN_A 0x84000000ULL
#define RUN_B 0x84200000ULL
#define RUN_HART 3

struct run_case {
	const char *name;
	uint64_t base;
	bool cpu_zknh;     /* QEMU's CPU has Zknh */
	bool ask_zknh;     /* arch[0] KX_RISCV64_PF_ZKNH */
	bool no_regions;   /* -i */
	bool corrupt;      /* a byte of the second region changed after hashing */
	bool mmio32;       /* KX_CONSOLE_8250_MMIO32 */
	bool no_dtb;       /* boot_data 0: the old kernel's a1 goes on */
	bool fault;        /* a region where nothing is mapped */
	uint32_t path;     /* kx_check_path */
	bool xxh3;         /* the default check (else --check=sha256's) */
};

/* Output of run_blob. */
static char run_out[8192];

static int run_blob(struct kexec_ctx *ctx, struct blob_run *r, const struct run_case *c)
{
	struct kx_purgatory_params pp = { .entry = RUN_KERNEL, .boot_data = RUN_DTB,
					  .console_base = RUN_CONSOLE,
					  .console_kind = KX_CONSOLE_8250_MMIO8,
					  .flags = c->xxh3 ? 0 : KX_PF_SHA256 };
	struct kx_purgatory p;
	struct args a;
	int st;

	blob_run_regions(r, &pp, RUN_A, RUN_B, c->no_regions);
	if (c->fault && !c->no_regions)
		pp.regions[9] = (struct kx_sha_region){ 0x200000000ULL, 4096 };
	if (c->ask_zknh)
		pp.arch[0] = KX_RISCV64_PF_ZKNH;
	if (c->mmio32)
		pp.console_kind = KX_CONSOLE_8250_MMIO32;
	if (c->no_dtb)
		pp.boot_data = 0;

	init_blob(ctx, &p);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, c->base), 0);
	write_file(r->files.image, p.buf, p.bufsz);
	blob_run_args(r, &a, c->cpu_zknh ? "rv64,zknh=true" : "rv64", c->base, p.memsz);
	arg(&a, "0x%llx", (unsigned long long)sym(&p, KX_PURGATORY_ENTRY_NAME));
	arg(&a, "%d", RUN_HART);
	arg(&a, "0x%llx", RUN_OLD_A1);
	arg(&a, "0x%llx", RUN_CONSOLE);
	arg(&a, "0x%llx", RUN_KERNEL);
	arg(&a, "0x%llx", (unsigned long long)sym(&p, "kx_check_path"));
	arg(&a, "0x%llx", (unsigned long long)sym(&p, "kx_check_ticks"));
	kx_purgatory_free(&p);
	st = blob_run_exec(r, &a, RUN_A, RUN_B, c->corrupt ? 0x40 : 0, run_out, sizeof(run_out));
	if (getenv("KX_TEST_VERBOSE"))
		print_message("%s: exit %d: %s", c->name, st, run_out);
	return st;
}

static void test_run_blob(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	static const struct run_case cases[] = {
		{ "portable", 0x80400000, .path = 1 },
		{ "portable, Zknh CPU not told", 0x80400000, .cpu_zknh = true, .path = 1 },
		{ "Zknh", 0x80400000, .cpu_zknh = true, .ask_zknh = true, .path = 3 },
		{ "Zknh told, CPU without (probe traps)", 0x80400000, .ask_zknh = true, .path = 5 },
		{ "Zknh above 4 GiB", 0x100000000ULL, .cpu_zknh = true, .ask_zknh = true, .path = 3 },
		{ "portable above 4 GiB", 0x100000000ULL, .path = 1 },
		{ "-i", 0x80400000, .no_regions = true, .path = 0 },
		{ "no boot_data", 0x80400000, .no_dtb = true, .path = 1 },
		{ "mismatch, portable", 0x80400000, .corrupt = true, .path = 1 },
		{ "mismatch, Zknh", 0x100000000ULL, .cpu_zknh = true, .ask_zknh = true, .corrupt = true,
		  .path = 3 },
		{ "mismatch, probe trapped", 0x80400000, .ask_zknh = true, .corrupt = true, .path = 5 },
		{ "mismatch, MMIO32 console", 0x80400000, .corrupt = true, .mmio32 = true, .path = 1 },
		{ "region without memory", 0x80400000, .fault = true },
		{ "xxh3", 0x80400000, .path = 1, .xxh3 = true },
		{ "xxh3 above 4 GiB", 0x100000000ULL, .path = 1, .xxh3 = true },
		{ "xxh3 mismatch", 0x80400000, .corrupt = true, .path = 1, .xxh3 = true },
	};
	struct kexec_ctx *ctx;
	struct blob_run r;

	(void)state;
	blob_run_open(&r); /* before anything to free: it may skip */
	ctx = new_ctx();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct run_case *c = &cases[i];
		char want[512];
		int st = run_blob(ctx, &r, c);

		if (c->fault) {
			/* A load access fault, reported by our trap vector with the address. */
			if (st != 1 || !strstr(run_out, "CONSOLE[purgatory: trap, scause 0x0000000000000005 ") ||
			    !strstr(run_out, " stval 0x000000020000000")) /* a byte of the first word */
				fail_msg("%s: exit %d: %s", c->name, st, run_out);
			continue;
		}
		if (c->corrupt) {
			/* The second region changed: the report names it. */
			snprintf(want, sizeof(want),
				 "CONSOLE[purgatory: %s mismatch\r\n" KX_TEST_CHANGED_FMT KX_TEST_STOPPED
				 "]\nHALT path=%016x ",
				 c->xxh3 ? "xxh3" : "sha256", (unsigned long long)RUN_B + 3,
				 (unsigned long long)r.two_len - 3, c->path);
			if (st != 1 || strncmp(run_out, want, strlen(want)))
				fail_msg("%s: exit %d, want 1 and \"%s\": %s", c->name, st, want, run_out);
			continue;
		}
		/*
		 * The kernel: a0 = the hart id, a1 = the device tree, stvec and
		 * sstatus as the old kernel left them (run-blob.c), satp 0, and
		 * no register but the one holding the entry (t1) nonzero.
		 */
		snprintf(want, sizeof(want),
			 "CONSOLE[]\nKERNEL a0=%016x a1=%016llx sstatus=0000000000000122 "
			 "stvec=000000005a5a5000 satp=0000000000000000 path=%016x ",
			 RUN_HART, c->no_dtb ? RUN_OLD_A1 : RUN_DTB, c->path);
		if (st != 0 || strncmp(run_out, want, strlen(want)))
			fail_msg("%s: exit %d, want 0 and \"%s\": %s", c->name, st, want, run_out);
		if (!strstr(run_out, " nonzero=[t1]\n"))
			fail_msg("%s: registers left nonzero: %s", c->name, run_out);
	}
	blob_run_close(&r);
	kexec_ctx_free(ctx);
}

/* ---- The whole purgatory in a QEMU virt machine ----------------------------- */

/*
 * qemu-system-riscv64 -M virt with OpenSBI (-bios default) starts
 * tests/unit/riscv64/fake-kernel.S's _start in S-mode with the MMU off,
 * which plays the old kernel's last step (sie = 0, a stvec of its own,
 * garbage registers, a0 = the hart id, a1 = OpenSBI's device tree) and
 * jumps to purgatory_start, or in mode 1 traps into it as
 * riscv_kexec_norelocate does; its kernel_entry reports what the new kernel
 * got on the ns16550a. So the trap vector, the Zknh probe's real illegal
 * instruction (which OpenSBI, not delegating it, redirects to S-mode), the
 * Zknh instructions themselves, the CSRs put back, the UART and a fault all
 * run for real.
 */
#define VM_FAKE_KERNEL 0x80201000ULL /* kernel_entry */
#define VM_CONFIG 0x80300000ULL
#define VM_PURGATORY 0x80400000ULL
#define VM_DTB 0x8f000000ULL         /* only reported back */
#define VM_A 0x84000000ULL           /* region A starts 5 bytes in */
#define VM_B 0x88000000ULL           /* region B: 2 MiB */
#define VM_HIGH 0x100000000ULL       /* above 4 GiB, with -m 5G */

struct vm_case {
	const char *name;
	bool zknh_cpu, zknh_asked, trap_entry, high, corrupt, no_regions, fault;
	bool hart1;        /* -smp 2: the kexec on hart 1 */
	uint32_t path;
	bool xxh3;         /* the default check (else --check=sha256's) */
	bool progress;     /* KX_PF_PROGRESS */
	uint64_t harts;    /* arch[1]: the harts to watch (0: hart 0, and hart 1 with hart1) */
	bool never_stops;  /* with hart1: hart 0 spins instead of stopping */
	bool stops_late;   /* with hart1: hart 0 stops once the purgatory has seen it running */
	bool late_write;   /* with stops_late: hart 0 changes a byte of region B first */
	bool corrupt_late; /* region B reads differently after the load (late_write) */
	const char *says;  /* what the purgatory must print about the harts ("": nothing) */
};

/* Where kx_harts_late is from purgatory_start, for fake-kernel.S's mode bit 3. */
static uint64_t harts_late_offset(struct kexec_ctx *ctx)
{
	struct kx_purgatory p;
	uint64_t off;

	init_blob(ctx, &p);
	off = sym(&p, "kx_harts_late") - sym(&p, KX_PURGATORY_ENTRY_NAME);
	kx_purgatory_free(&p);
	return off;
}

/*
 * Boots case c; its serial output (OpenSBI's banner, then ours) in out
 * (vm_env_boot(); 30 s at the most).
 */
static void vm_boot(struct kexec_ctx *ctx, struct vm_env *e, const struct vm_case *c,
		    char *out, size_t size)
{
	uint64_t base = c->high ? VM_HIGH : VM_PURGATORY, b_addr = c->high ? VM_HIGH + 0x400000 : VM_B;
	struct kx_purgatory_params pp = { .entry = VM_FAKE_KERNEL, .boot_data = VM_DTB,
					  .console_kind = KX_CONSOLE_8250_MMIO8,
					  .console_base = 0x10000000,
					  .flags = c->xxh3 ? 0 : KX_PF_SHA256 };
	struct args a;

	vm_env_regions(e, &pp, VM_A, b_addr, c->no_regions, c->fault ? 0x200000000ULL : 0, 1 << 20,
		       c->corrupt ? 0x08 : 0);
	if (c->zknh_asked)
		pp.arch[0] = KX_RISCV64_PF_ZKNH;
	if (c->progress)
		pp.flags |= KX_PF_PROGRESS;
	pp.arch[KX_RISCV64_ARCH_HARTS] = c->harts ? c->harts : c->hart1 ? 3 : 1;
	pp.arch[KX_RISCV64_ARCH_TIMEBASE] = 10000000; /* QEMU virt's */
	vm_env_save(ctx, e, &pp, base, VM_CONFIG,
		    (uint64_t)c->trap_entry | (uint64_t)c->hart1 << 1 | (uint64_t)c->never_stops << 2 |
			    (uint64_t)c->stops_late << 3 | (uint64_t)c->late_write << 4 |
			    harts_late_offset(ctx) << 32);

	args_init(&a);
	arg(&a, "%s", e->qemu);
	arg(&a, "-M");
	arg(&a, "virt");
	arg(&a, "-cpu");
	arg(&a, "rv64%s", c->zknh_cpu ? ",zknh=true" : "");
	arg(&a, "-m");
	arg(&a, "%s", c->high ? "5G" : "1G");
	arg(&a, "-smp");
	arg(&a, "%s", c->hart1 ? "2" : "1");
	arg(&a, "-bios");
	arg(&a, "default");
	arg(&a, "-kernel");
	arg(&a, "%s", e->kernel);
	vm_env_boot(e, &a, 600, true, out, size);
}

static void test_vm_boot(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	static const struct vm_case cases[] = {
		{ "portable", .path = 1 },
		{ "Zknh", .zknh_cpu = true, .zknh_asked = true, .path = 3 },
		{ "Zknh told, CPU without (probe traps through OpenSBI)", .zknh_asked = true, .path = 5 },
		{ "entered through a trap (norelocate)", .zknh_cpu = true, .zknh_asked = true,
		  .trap_entry = true, .path = 3 },
		{ "above 4 GiB", .zknh_cpu = true, .zknh_asked = true, .high = true, .path = 3 },
		{ "-i", .no_regions = true, .path = 0 },
		{ "on hart 1", .zknh_cpu = true, .zknh_asked = true, .hart1 = true, .path = 3 },
		{ "mismatch", .corrupt = true },
		{ "mismatch, Zknh", .zknh_cpu = true, .zknh_asked = true, .corrupt = true },
		{ "mismatch, probe trapped", .zknh_asked = true, .corrupt = true },
		{ "region without memory", .fault = true },
		{ "xxh3", .path = 1, .xxh3 = true },
		{ "xxh3 above 4 GiB, on hart 1", .high = true, .hart1 = true, .path = 1, .xxh3 = true },
		{ "xxh3 mismatch", .corrupt = true, .xxh3 = true },
		{ "on hart 1, hart 0 stopped", .hart1 = true, .path = 1, .xxh3 = true, .progress = true,
		  .says = "purgatory: the other harts have stopped\r\n" },
		{ "hart 0 only, harts the firmware does not know", .path = 1, .progress = true,
		  .harts = 0xff01, .says = "purgatory: the other harts have stopped\r\n" },
		{ "on hart 1, hart 0 stops late", .hart1 = true, .path = 1, .stops_late = true,
		  .says = "purgatory: hart 0 had not stopped when the old kernel jumped here "
			  "(SBI HSM: started)\r\npurgatory: hart 0 stopped " },
		{ "on hart 1, hart 0 writes region B, then stops late", .hart1 = true,
		  .stops_late = true, .late_write = true, .corrupt_late = true,
		  .says = "purgatory: hart 0 had not stopped when the old kernel jumped here "
			  "(SBI HSM: started)\r\npurgatory: hart 0 stopped " },
		{ "on hart 1, hart 0 never stops", .hart1 = true, .path = 1, .never_stops = true,
		  .says = "purgatory: hart 0 had not stopped when the old kernel jumped here "
			  "(SBI HSM: started)\r\npurgatory: hart 0 still runs after a second; "
			  "checking the segments anyway\r\n" },
	};
	struct kexec_ctx *ctx;
	struct vm_env e;
	char out[8192];

	(void)state;
	/* Region B: 2 MiB. Before anything to free: it may skip. */
	vm_env_open(&e, 2 << 20);
	ctx = new_ctx();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct vm_case *c = &cases[i];
		const char *k = NULL;
		char want[256];
		size_t len;

		vm_boot(ctx, &e, c, out, sizeof(out));
		if (getenv("KX_TEST_VERBOSE")) /* what follows OpenSBI's banner */
			print_message("%s: %s", c->name,
				      strstr(out, "Boot HART MEDELEG") ? strstr(out, "Boot HART MEDELEG") : out);
		if (strstr(out, "OLD VECTOR"))
			fail_msg("%s: a trap reached the old kernel's vector: %s", c->name, out);
		len = strlen(out);
		if (c->says && !strstr(out, c->says))
			fail_msg("%s: want \"%s\": \"%s\"", c->name, c->says, out);
		if ((!c->says || !*c->says) && strstr(out, "purgatory: hart "))
			fail_msg("%s: a hart named: \"%s\"", c->name, out);
		if (c->corrupt || c->corrupt_late) {
			/* The mismatch, the region B named (its byte changed), and the end. */
			snprintf(want, sizeof(want), "purgatory: %s mismatch\r\n" KX_TEST_CHANGED_FMT
				 KX_TEST_STOPPED, c->xxh3 ? "xxh3" : "sha256",
				 (unsigned long long)e.b_addr, (unsigned long long)e.b_len);
			if (len < strlen(want) || strcmp(out + len - strlen(want), want))
				fail_msg("%s: the serial port does not end with \"%s\": \"%s\"", c->name,
					 want, out);
			continue;
		}
		if (c->fault) {
			if (!strstr(out, "purgatory: trap, scause 0x0000000000000005 ") ||
			    !strstr(out, " stval 0x000000020000000"))
				fail_msg("%s: the serial port shows \"%s\"", c->name, out);
			continue;
		}
		k = strstr(out, "KERNEL a0=");
		snprintf(want, sizeof(want),
			 "KERNEL a0=%016x a1=%016llx sstatus=same stvec=same "
			 "satp=0000000000000000 path=%016x ticks=", c->hart1, VM_DTB, c->path);
		if (!k || strncmp(k, want, strlen(want)))
			fail_msg("%s: want \"%s\": \"%s\"", c->name, want, out);
		if (!strstr(k, " nonzero=[t1]\r\n"))
			fail_msg("%s: registers left nonzero: %s", c->name, k);
	}
	vm_env_close(&e);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reloc_apply),
		cmocka_unit_test(test_blob_parses),
		cmocka_unit_test(test_blob_set_get),
		cmocka_unit_test(test_blob_relocate),
		cmocka_unit_test(test_relocation_overflow),
		cmocka_unit_test(test_pairs_refused),
		cmocka_unit_test(test_truncated_and_corrupted),
		cmocka_unit_test(test_run_blob),
		cmocka_unit_test(test_vm_boot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
