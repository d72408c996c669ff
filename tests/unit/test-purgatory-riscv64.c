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
 * missing.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "libkexec.h"
#include "purgatory.h"
#include "riscv64.h" /* KX_RISCV64_PF_ZKNH: what the loader sets in arch[0] */

#ifndef R_RISCV_CALL_PLT
#define R_RISCV_CALL_PLT 19
#endif
#ifndef R_RISCV_32_PCREL
#define R_RISCV_32_PCREL 57
#endif

static char log_text[16384];

static void capture_log(void *data, int priority, const char *msg)
{
	size_t used = strlen(log_text);

	(void)data;
	snprintf(log_text + used, sizeof(log_text) - used, "%d %s\n", priority, msg);
}

static struct kexec_ctx *new_ctx(void)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	assert_non_null(ctx);
	kexec_ctx_set_log(ctx, capture_log, NULL);
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	log_text[0] = '\0';
	return ctx;
}

/* Without the blob (no riscv64 compiler at build time) there is nothing to test. */
#define NEED_BLOB()                                                                         \
	do {                                                                                \
		if (!kx_purgatory_riscv64_blob_size) {                                      \
			print_message("the riscv64 purgatory was not built (no riscv64 compiler)\n"); \
			skip();                                                             \
		}                                                                           \
	} while (0)

static void init_blob(struct kexec_ctx *ctx, struct kx_purgatory *p)
{
	int r = kx_purgatory_init(ctx, p, kx_purgatory_riscv64_blob,
				  kx_purgatory_riscv64_blob_size);

	if (r)
		fail_msg("kx_purgatory_init: %d; log:\n%s", r, log_text);
}

static uint64_t sym(const struct kx_purgatory *p, const char *name)
{
	uint64_t a;
	int r = kx_purgatory_symbol_addr(p, name, &a);

	if (r)
		fail_msg("no symbol %s: %d", name, r);
	return a;
}

static void test_blob_parses(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	static const struct kx_purgatory_params zero;
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory_params pp;
	struct kx_purgatory p;
	Elf64_Ehdr eh;
	uint64_t a;

	(void)state;
	memcpy(&eh, kx_purgatory_riscv64_blob, sizeof(eh));
	assert_int_equal(eh.e_machine, EM_RISCV);
	assert_int_equal(eh.e_type, ET_REL);
	init_blob(ctx, &p);
	assert_true(p.bufsz > 0 && p.bufsz <= p.memsz);
	assert_int_equal(p.memsz % 16, 0);
	assert_int_equal(p.base, 0);

	memset(&pp, 0xff, sizeof(pp));
	assert_int_equal(kx_purgatory_get_params(&p, &pp), 0);
	assert_memory_equal(&pp, &zero, sizeof(pp));
	assert_true(sym(&p, KX_PURGATORY_PARAMS_NAME) + sizeof(pp) <= p.bufsz);
	assert_int_equal(sym(&p, KX_PURGATORY_PARAMS_NAME) % 8, 0);

	/* purgatory.lds: the image starts with purgatory_start; its ends are the buffer's. */
	assert_int_equal(sym(&p, KX_PURGATORY_ENTRY_NAME), 0);
	assert_int_equal(sym(&p, "kx_image_start"), 0);
	assert_int_equal(sym(&p, "kx_image_end"), p.memsz);
	a = sym(&p, "kx_stack");
	assert_true(a >= p.bufsz && a + 8192 <= p.memsz && a % 16 == 0);
	/* stvec in direct mode: the trap vector 4-byte aligned, in the image. */
	assert_int_equal(sym(&p, "kx_trap") % 4, 0);
	assert_true(sym(&p, "kx_trap") < p.bufsz);
	/* The switch tests set, and what the check reports, in the image. */
	assert_true(sym(&p, "kx_zknh") + 4 <= p.bufsz);
	assert_true(sym(&p, "kx_check_path") + 4 <= p.bufsz);
	assert_true(sym(&p, "kx_check_ticks") + 8 <= p.bufsz);
	assert_true(sym(&p, "purgatory_verify") < p.bufsz);
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
	}, back;
	struct kx_purgatory p;
	uint64_t off;

	(void)state;
	init_blob(ctx, &p);
	for (int i = 0; i < 32; i++)
		pp.sha256[i] = (uint8_t)(0x11 * i);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_get_params(&p, &back), 0);
	assert_memory_equal(&pp, &back, sizeof(pp));
	/* entry.S reads entry and the device tree at offsets 0 and 8, little-endian. */
	off = sym(&p, KX_PURGATORY_PARAMS_NAME);
	assert_int_equal(kx_le64(p.buf + off), 0x80200000);
	assert_int_equal(kx_le64(p.buf + off + 8), 0x88000000);
	kx_purgatory_free(&p);
	kexec_ctx_free(ctx);
}

/* ---- Relocations ---------------------------------------------------------- */

/* The relocations, read straight from the object (trusted here: it is ours). */
struct reloc {
	uint32_t type;
	size_t pos;     /* of the field in the buffer */
	uint64_t s_off; /* of the symbol in the buffer */
	int64_t addend;
	char name[40];
};

static size_t read_relocs(const struct kx_purgatory *p, struct reloc *out, size_t max)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p->elf;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(p->elf + eh->e_shoff);
	size_t n = 0;

	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *symtab = &sh[sh[i].sh_link];
		const char *strtab = (const char *)p->elf + sh[symtab->sh_link].sh_offset;

		if (sh[i].sh_type != SHT_RELA || p->sec_off[sh[i].sh_info] == UINT64_MAX)
			continue;
		for (size_t j = 0; j < sh[i].sh_size / sizeof(Elf64_Rela); j++) {
			const Elf64_Rela *r = (const Elf64_Rela *)(p->elf + sh[i].sh_offset) + j;
			const Elf64_Sym *s =
				(const Elf64_Sym *)(p->elf + symtab->sh_offset) + ELF64_R_SYM(r->r_info);

			assert_true(n < max);
			out[n].type = (uint32_t)ELF64_R_TYPE(r->r_info);
			out[n].pos = p->sec_off[sh[i].sh_info] + r->r_offset;
			out[n].s_off = p->sec_off[s->st_shndx] + s->st_value;
			out[n].addend = r->r_addend;
			snprintf(out[n].name, sizeof(out[n].name), "%s", strtab + s->st_name);
			n++;
		}
	}
	return n;
}

/* ---- A decoder of our own, from the ISA manual's immediate layouts -------- */

static int64_t sext(uint64_t v, unsigned int bits)
{
	uint64_t m = 1ULL << (bits - 1);

	v &= (1ULL << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

static uint32_t insn32(const uint8_t *at)
{
	return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 |
	       (uint32_t)at[3] << 24;
}

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
static void check_field(const uint8_t *buf, uint64_t base, const struct reloc *rel, size_t n,
			const struct reloc *r)
{
	uint64_t s_a = base + r->s_off + (uint64_t)r->addend, pc = base + r->pos;
	uint32_t i = insn32(buf + r->pos);
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
		uint32_t j = insn32(buf + r->pos + 4);

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
		const struct reloc *hi = hi_of(rel, n, r);
		uint32_t a = insn32(buf + hi->pos);
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
	struct kx_purgatory p[ARRAY_SIZE(bases)];
	static struct reloc rel[4096];
	unsigned int count[64] = { 0 };
	uint8_t *covered;
	size_t n;

	(void)state;
	for (size_t b = 0; b < ARRAY_SIZE(bases); b++) {
		init_blob(ctx, &p[b]);
		if (kx_purgatory_relocate(ctx, &p[b], bases[b]))
			fail_msg("relocate at 0x%llx; log:\n%s", (unsigned long long)bases[b], log_text);
		assert_int_equal(p[b].base, bases[b]);
	}
	n = read_relocs(&p[0], rel, ARRAY_SIZE(rel));
	assert_true(n > 0);
	covered = calloc(1, p[0].bufsz);
	assert_non_null(covered);
	for (size_t i = 0; i < n; i++) {
		for (size_t b = 0; b < ARRAY_SIZE(bases); b++)
			check_field(p[b].buf, bases[b], rel, n, &rel[i]);
		if (rel[i].type < ARRAY_SIZE(count))
			count[rel[i].type]++;
		if (rel[i].type == R_RISCV_64 || rel[i].type == R_RISCV_32)
			memset(covered + rel[i].pos, 1, rel[i].type == R_RISCV_64 ? 8 : 4);
	}
	/* What the purgatory's code has at least (medany, no relaxation, no PIC). */
	assert_true(count[R_RISCV_PCREL_HI20] > 0 && count[R_RISCV_PCREL_LO12_I] > 0);
	assert_true(count[R_RISCV_CALL_PLT] + count[R_RISCV_CALL] > 0);
	assert_true(count[R_RISCV_BRANCH] > 0);
	/* Everything is PC-relative within the image: only absolute fields depend on the base. */
	for (size_t b = 1; b < ARRAY_SIZE(bases); b++)
		for (size_t i = 0; i < p[0].bufsz; i++)
			if (p[0].buf[i] != p[b].buf[i] && !covered[i])
				fail_msg("byte 0x%zx differs at base 0x%llx but is no absolute field", i,
					 (unsigned long long)bases[b]);
	free(covered);

	/*
	 * purgatory_start's first steps, decoded: its trap vector (auipc +
	 * addi into the register it writes to stvec), its stack (auipc + addi
	 * into sp) and the call into C (auipc + jalr).
	 */
	for (size_t b = 0; b < ARRAY_SIZE(bases); b++) {
		const uint8_t *buf = p[b].buf;
		uint64_t base = bases[b], start = sym(&p[b], KX_PURGATORY_ENTRY_NAME);
		uint64_t stack_end = sym(&p[b], "kx_stack") + 8192, main_at = sym(&p[b], "purgatory_main");
		uint64_t trap = sym(&p[b], "kx_trap");
		bool found_stack = false, found_call = false, found_trap = false;

		for (uint64_t a = start; a < start + 64;) {
			uint32_t i = insn32(buf + (a - base));

			if ((i & 3) != 3) {
				a += 2;
				continue;
			}
			if (is_auipc(i)) {
				uint32_t j = insn32(buf + (a - base) + 4);
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

	/* Applying again at another base gives what a fresh relocation gives. */
	assert_int_equal(kx_purgatory_relocate(ctx, &p[0], bases[2]), 0);
	assert_memory_equal(p[0].buf, p[2].buf, p[0].bufsz);
	/* Bases not aligned to the largest section alignment are refused. */
	assert_int_equal(kx_purgatory_relocate(ctx, &p[0], bases[2] + p[0].align / 2), -EINVAL);
	for (size_t b = 0; b < ARRAY_SIZE(bases); b++)
		kx_purgatory_free(&p[b]);
	kexec_ctx_free(ctx);
}

/* ---- apply() on each type, at and past its range ---------------------------- */

static int apply4(uint32_t type, uint32_t *word, uint64_t sa, uint64_t pc)
{
	uint8_t b[4];
	int r;

	memcpy(b, word, 4);
	r = kx_reloc_riscv64.apply(b, type, sa, pc);
	memcpy(word, b, 4);
	return r;
}

/* The instruction after a successful apply. */
static uint32_t ok_insn(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc)
{
	int r = apply4(type, &word, sa, pc);

	if (r)
		fail_msg("type %u sa 0x%llx pc 0x%llx: %d", type, (unsigned long long)sa,
			 (unsigned long long)pc, r);
	return word;
}

/* -ERANGE with nothing written. */
static void erange(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc)
{
	uint32_t w = word;

	if (apply4(type, &w, sa, pc) != -ERANGE)
		fail_msg("type %u sa 0x%llx pc 0x%llx: not -ERANGE", type, (unsigned long long)sa,
			 (unsigned long long)pc);
	assert_int_equal(w, word);
}

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
	assert_int_equal(insn32(b), want0);
	assert_int_equal(insn32(b + 4), want1);
}

static void test_reloc_apply(void **state)
{
	const struct kx_reloc_ops *ops = &kx_reloc_riscv64;
	const uint64_t pc = 0x80010000;
	uint8_t b8[8];
	uint32_t w;
	uint64_t v;

	(void)state;
	assert_int_equal(ops->e_machine, EM_RISCV);
	assert_int_equal(ops->width(R_RISCV_64), 8);
	assert_int_equal(ops->width(R_RISCV_CALL), 8);
	assert_int_equal(ops->width(R_RISCV_CALL_PLT), 8);
	assert_int_equal(ops->width(R_RISCV_32), 4);
	assert_int_equal(ops->width(R_RISCV_BRANCH), 4);
	assert_int_equal(ops->width(R_RISCV_PCREL_LO12_S), 4);
	assert_int_equal(ops->width(R_RISCV_RVC_JUMP), 2);
	assert_int_equal(ops->width(R_RISCV_NONE), 1);
	/* Not applied: relaxation, absolute HI20/LO12 (medlow), GOT, ADD/SUB, anything else. */
	assert_int_equal(ops->width(R_RISCV_RELAX), 0);
	assert_int_equal(ops->width(R_RISCV_ALIGN), 0);
	assert_int_equal(ops->width(R_RISCV_HI20), 0);
	assert_int_equal(ops->width(R_RISCV_LO12_I), 0);
	assert_int_equal(ops->width(R_RISCV_GOT_HI20), 0);
	assert_int_equal(ops->width(R_RISCV_ADD32), 0);
	assert_int_equal(ops->width(R_RISCV_SUB64), 0);
	assert_int_equal(ops->width(R_RISCV_RVC_LUI), 0);
	assert_int_equal(ops->width(12345), 0);
	w = 0x12345678;
	assert_int_equal(apply4(R_RISCV_HI20, &w, 0, 0), -ENOEXEC);
	assert_int_equal(apply4(R_RISCV_NONE, &w, 0xdead, pc), 0);
	assert_int_equal(w, 0x12345678);
	/* Only the LO12s are paired, with a PCREL_HI20. */
	assert_non_null(ops->pair);
	assert_int_equal(ops->pair(R_RISCV_PCREL_LO12_I), R_RISCV_PCREL_HI20);
	assert_int_equal(ops->pair(R_RISCV_PCREL_LO12_S), R_RISCV_PCREL_HI20);
	assert_int_equal(ops->pair(R_RISCV_PCREL_HI20), 0);
	assert_int_equal(ops->pair(R_RISCV_CALL_PLT), 0);
	assert_null(kx_reloc_x86_64.pair);
	assert_null(kx_reloc_aarch64.pair);

	/* Data. */
	assert_int_equal(ops->apply(b8, R_RISCV_64, 0x0123456789abcdefULL, pc), 0);
	memcpy(&v, b8, 8);
	assert_int_equal(v, 0x0123456789abcdefULL);
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
		assert_int_equal(insn32(b), 0x00000097);
		assert_int_equal(insn32(b + 4), 0x000080e7);
	}
}

/* ---- Overflow, broken pairs and corruption ---------------------------------- */

/* A copy of the blob with the first relocation of type `from` changed by fn. */
static uint8_t *patched_blob(uint32_t from, void (*fn)(Elf64_Rela *r, Elf64_Rela *all, size_t n,
						       size_t j))
{
	uint8_t *b = malloc(kx_purgatory_riscv64_blob_size);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;

	assert_non_null(b);
	memcpy(b, kx_purgatory_riscv64_blob, kx_purgatory_riscv64_blob_size);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(b + eh->e_shoff) + i;
		Elf64_Rela *r = (Elf64_Rela *)(b + sh->sh_offset);
		size_t n = sh->sh_size / sizeof(*r);

		if (sh->sh_type != SHT_RELA)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (ELF64_R_TYPE(r[j].r_info) == from) {
				fn(&r[j], r, n, j);
				return b;
			}
		}
	}
	fail_msg("no relocation of type %u in the blob", from);
	return NULL;
}

static void to_abs32(Elf64_Rela *r, Elf64_Rela *all, size_t n, size_t j)
{
	(void)all, (void)n, (void)j;
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), R_RISCV_32);
}

/* A field too narrow for the base: -ERANGE, logged as an overflow. */
static void test_relocation_overflow(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	struct kexec_ctx *ctx = new_ctx();
	/* The first call becomes an absolute 32-bit word of its target. */
	uint8_t *b = patched_blob(R_RISCV_CALL_PLT, to_abs32);
	struct kx_purgatory p;

	(void)state;
	assert_int_equal(kx_purgatory_init(ctx, &p, b, kx_purgatory_riscv64_blob_size), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, 0x80200000), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, 0x100000000ULL), -ERANGE);
	if (!strstr(log_text, "overflows"))
		fail_msg("no overflow logged:\n%s", log_text);
	kx_purgatory_free(&p);
	free(b);
	kexec_ctx_free(ctx);
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
		void (*fn)(Elf64_Rela *, Elf64_Rela *, size_t, size_t);
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
	struct kexec_ctx *ctx = new_ctx();
	size_t len = kx_purgatory_riscv64_blob_size;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)kx_purgatory_riscv64_blob;
	struct kx_purgatory_params pp;
	struct kx_purgatory p;
	uint32_t seed = 4243;

	(void)state;
	kexec_ctx_set_log(ctx, NULL, NULL);
	for (size_t n = 0; n < len; n += 1 + n % 13) {
		uint8_t *t = malloc(n ? n : 1); /* exact size: valgrind sees any overread */

		assert_non_null(t);
		memcpy(t, kx_purgatory_riscv64_blob, n);
		assert_int_equal(kx_purgatory_init(ctx, &p, t, n), -ENOEXEC);
		free(t);
	}
	for (int iter = 0; iter < 2000; iter++) {
		uint8_t *t = malloc(len);
		int r;

		assert_non_null(t);
		memcpy(t, kx_purgatory_riscv64_blob, len);
		for (int k = 0; k < 1 + iter % 4; k++) {
			size_t pos;

			seed = seed * 1103515245 + 12345;
			/* The headers and tables at the file's end matter most. */
			pos = iter % 2 ? (seed >> 8) % len
				       : eh->e_shoff + (seed >> 8) % (len - eh->e_shoff);
			t[pos] ^= (uint8_t)(1u << (seed >> 28 & 7));
		}
		r = kx_purgatory_init(ctx, &p, t, len);
		assert_true(r == 0 || r == -ENOEXEC);
		if (r == 0) {
			r = kx_purgatory_relocate(ctx, &p, 0x80200000);
			assert_true(r == 0 || r == -ERANGE || r == -EINVAL);
			r = kx_purgatory_get_params(&p, &pp);
			assert_true(r == 0 || r == -EINVAL || r == -ENOENT);
			kx_purgatory_free(&p);
		}
		free(t);
	}
	kexec_ctx_free(ctx);
}

/* ---- The relocated blob, run as riscv64 code --------------------------------- */

/* tests/unit/riscv64/kx-riscv64-run-blob, beside this test in the build tree. */
static bool find_runner(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	snprintf(out, size, "%s/unit/riscv64/kx-riscv64-run-blob", dirname(self));
	return access(out, X_OK) == 0;
}

/* qemu-riscv64 from PATH; "" on a riscv64 host (run natively); NULL: none. */
static const char *find_qemu(char *out, size_t size)
{
#if defined(__riscv)
	(void)size;
	out[0] = '\0';
	return out;
#else
	static const char *const names[] = { "qemu-riscv64-static", "qemu-riscv64" };
	const char *path = getenv("PATH");

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const char *p = path ? path : "/usr/bin:/bin";

		while (*p) {
			size_t l = strcspn(p, ":");

			snprintf(out, size, "%.*s/%s", (int)l, p, names[i]);
			if (l && access(out, X_OK) == 0)
				return out;
			p += l + (p[l] == ':');
		}
	}
	return NULL;
#endif
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Runs argv (NULL-terminated); its output in out; its exit status, or -1. */
static int run(char *const argv[], char *out, size_t size)
{
	int status, fds[2];
	size_t used = 0;
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((r = read(fds[0], out + used, size - 1 - used)) > 0)
		used += (size_t)r;
	out[used] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define RUN_KERNEL 0x80200000ULL  /* the fake new kernel's entry (an ebreak) */
#define RUN_DTB 0x82200000ULL     /* only reported back */
#define RUN_OLD_A1 0x82300000ULL  /* the a1 the old kernel passes */
#define RUN_CONSOLE 0x10000000ULL /* QEMU virt's ns16550a */
#define RUN_A 0x84000000ULL
#define RUN_B 0x84200000ULL
#define RUN_HART 3

struct blob_run {
	char runner[PATH_MAX], qemu[PATH_MAX], dir[64];
	char image[128], a[128], b[128];
	uint8_t *one, *two;
	size_t one_len, two_len;
};

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
};

/* Output of run_blob. */
static char run_out[8192];

static int run_blob(struct kexec_ctx *ctx, struct blob_run *r, const struct run_case *c)
{
	struct kx_purgatory_params pp = { .entry = RUN_KERNEL, .boot_data = RUN_DTB,
					  .console_base = RUN_CONSOLE,
					  .console_kind = KX_CONSOLE_8250_MMIO8 };
	char sbase[32], smemsz[32], sstart[32], shart[32], sa1[32], scon[32], sentry[32], spath[32],
		sticks[32], sa[32], sla[32], sb[32], slb[32];
	struct kx_purgatory p;
	struct kx_sha256 s;
	char *argv[32];
	int n = 0, st;

	if (!c->no_regions) {
		pp.regions[0] = (struct kx_sha_region){ RUN_A, r->one_len };
		pp.regions[2] = (struct kx_sha_region){ 0xdead0000, 0 }; /* never read */
		pp.regions[7] = (struct kx_sha_region){ RUN_B + 3, r->two_len - 3 };
		if (c->fault)
			pp.regions[9] = (struct kx_sha_region){ 0x200000000ULL, 4096 };
	}
	kx_sha256_init(&s);
	if (!c->no_regions) {
		kx_sha256_lanes_update(&s, r->one, r->one_len);
		kx_sha256_lanes_update(&s, r->two + 3, r->two_len - 3);
	}
	kx_sha256_final(&s, pp.sha256);
	if (c->ask_zknh)
		pp.arch[0] = KX_RISCV64_PF_ZKNH;
	if (c->mmio32)
		pp.console_kind = KX_CONSOLE_8250_MMIO32;
	if (c->no_dtb)
		pp.boot_data = 0;
	if (c->corrupt)
		r->two[4096 + 5] ^= 0x40;
	write_file(r->b, r->two, r->two_len);
	if (c->corrupt)
		r->two[4096 + 5] ^= 0x40;

	init_blob(ctx, &p);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, c->base), 0);
	write_file(r->image, p.buf, p.bufsz);
	snprintf(sbase, sizeof(sbase), "0x%llx", (unsigned long long)c->base);
	snprintf(smemsz, sizeof(smemsz), "0x%zx", p.memsz);
	snprintf(sstart, sizeof(sstart), "0x%llx", (unsigned long long)sym(&p, KX_PURGATORY_ENTRY_NAME));
	snprintf(shart, sizeof(shart), "%d", RUN_HART);
	snprintf(sa1, sizeof(sa1), "0x%llx", RUN_OLD_A1);
	snprintf(scon, sizeof(scon), "0x%llx", RUN_CONSOLE);
	snprintf(sentry, sizeof(sentry), "0x%llx", RUN_KERNEL);
	snprintf(spath, sizeof(spath), "0x%llx", (unsigned long long)sym(&p, "kx_check_path"));
	snprintf(sticks, sizeof(sticks), "0x%llx", (unsigned long long)sym(&p, "kx_check_ticks"));
	kx_purgatory_free(&p);
	snprintf(sa, sizeof(sa), "0x%llx", RUN_A);
	snprintf(sla, sizeof(sla), "0x%zx", r->one_len);
	snprintf(sb, sizeof(sb), "0x%llx", RUN_B);
	snprintf(slb, sizeof(slb), "0x%zx", r->two_len);
	if (r->qemu[0]) {
		argv[n++] = r->qemu;
		argv[n++] = (char *)"-cpu";
		argv[n++] = (char *)(c->cpu_zknh ? "rv64,zknh=true" : "rv64");
	}
	argv[n++] = r->runner;
	argv[n++] = r->image;
	argv[n++] = sbase;
	argv[n++] = smemsz;
	argv[n++] = sstart;
	argv[n++] = shart;
	argv[n++] = sa1;
	argv[n++] = scon;
	argv[n++] = sentry;
	argv[n++] = spath;
	argv[n++] = sticks;
	argv[n++] = r->a;
	argv[n++] = sa;
	argv[n++] = sla;
	argv[n++] = r->b;
	argv[n++] = sb;
	argv[n++] = slb;
	argv[n] = NULL;
	st = run(argv, run_out, sizeof(run_out));
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
	};
	struct kexec_ctx *ctx = new_ctx();
	struct blob_run r;

	(void)state;
	memset(&r, 0, sizeof(r));
	if (!find_runner(r.runner, sizeof(r.runner)) || !find_qemu(r.qemu, sizeof(r.qemu))) {
		kexec_ctx_free(ctx);
		print_message("no qemu-riscv64 (apt-get install qemu-user-static) or no runner\n");
		skip();
	}
	snprintf(r.dir, sizeof(r.dir), "%s/kx-riscv64-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(r.dir));
	snprintf(r.image, sizeof(r.image), "%s/image", r.dir);
	snprintf(r.a, sizeof(r.a), "%s/a", r.dir);
	snprintf(r.b, sizeof(r.b), "%s/b", r.dir);
	/* Both regions longer than 512 bytes: eight lanes each, and leftovers. */
	r.one_len = 100000;
	r.two_len = 4096 * 3 + 77;
	r.one = malloc(r.one_len);
	r.two = malloc(r.two_len);
	assert_true(r.one && r.two);
	for (size_t i = 0; i < r.one_len; i++)
		r.one[i] = (uint8_t)(i * 31 + (i >> 8));
	for (size_t i = 0; i < r.two_len; i++)
		r.two[i] = (uint8_t)(i ^ 0x5a);
	write_file(r.a, r.one, r.one_len);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct run_case *c = &cases[i];
		char want[256];
		int st = run_blob(ctx, &r, c);

		if (c->fault) {
			/* A load access fault, reported by our trap vector with the address. */
			if (st != 1 || !strstr(run_out, "CONSOLE[purgatory: trap, scause 0x0000000000000005 ") ||
			    !strstr(run_out, " stval 0x000000020000000")) /* a byte of the first word */
				fail_msg("%s: exit %d: %s", c->name, st, run_out);
			continue;
		}
		if (c->corrupt) {
			snprintf(want, sizeof(want), "CONSOLE[purgatory: sha256 mismatch\r\n]\nHALT path=%016x ",
				 c->path);
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
	unlink(r.image);
	unlink(r.a);
	unlink(r.b);
	rmdir(r.dir);
	free(r.one);
	free(r.two);
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
};

struct vm_env {
	char qemu[PATH_MAX], kernel[PATH_MAX], dir[64];
	char a[128], b[128], image[128], config[128], serial[128];
	uint8_t *a_data, *b_data;
	size_t a_len, b_len;
};

static bool find_in_path(const char *name, char *out, size_t size)
{
	const char *p = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";

	while (*p) {
		size_t l = strcspn(p, ":");

		snprintf(out, size, "%.*s/%s", (int)l, p, name);
		if (l && access(out, X_OK) == 0)
			return true;
		p += l + (p[l] == ':');
	}
	return false;
}

static bool vm_env_open(struct vm_env *e)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	memset(e, 0, sizeof(*e));
	if (n <= 0 || !find_in_path("qemu-system-riscv64", e->qemu, sizeof(e->qemu)))
		return false;
	self[n] = '\0';
	snprintf(e->kernel, sizeof(e->kernel), "%s/unit/riscv64/kx-riscv64-fake-kernel",
		 dirname(self));
	if (access(e->kernel, R_OK))
		return false;
	snprintf(e->dir, sizeof(e->dir), "%s/kx-riscv64-vm-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->a, sizeof(e->a), "%s/a", e->dir);
	snprintf(e->b, sizeof(e->b), "%s/b", e->dir);
	snprintf(e->image, sizeof(e->image), "%s/image", e->dir);
	snprintf(e->config, sizeof(e->config), "%s/config", e->dir);
	snprintf(e->serial, sizeof(e->serial), "%s/serial", e->dir);
	/* Region A: 1 MiB + 77 bytes at an odd address; B: 2 MiB. */
	e->a_len = 5 + (1 << 20) + 77;
	e->b_len = 2 << 20;
	e->a_data = malloc(e->a_len);
	e->b_data = malloc(e->b_len);
	assert_true(e->a_data && e->b_data);
	for (size_t i = 0; i < e->a_len; i++)
		e->a_data[i] = (uint8_t)(i * 7 + (i >> 11));
	for (size_t i = 0; i < e->b_len; i++)
		e->b_data[i] = (uint8_t)(i * 13 + (i >> 9) + (i >> 17));
	write_file(e->a, e->a_data, e->a_len);
	return true;
}

static void vm_env_close(struct vm_env *e)
{
	unlink(e->a);
	unlink(e->b);
	unlink(e->image);
	unlink(e->config);
	unlink(e->serial);
	rmdir(e->dir);
	free(e->a_data);
	free(e->b_data);
}

static size_t read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return n;
}

/*
 * Boots case c; its serial output (OpenSBI's banner, then ours) in out.
 * QEMU ends when the fake kernel powers off; a purgatory that halts is
 * stopped once it has printed its line, or after 30 s.
 */
static void vm_boot(struct kexec_ctx *ctx, struct vm_env *e, const struct vm_case *c,
		    char *out, size_t size)
{
	uint64_t base = c->high ? VM_HIGH : VM_PURGATORY, b_addr = c->high ? VM_HIGH + 0x400000 : VM_B;
	struct kx_purgatory_params pp = { .entry = VM_FAKE_KERNEL, .boot_data = VM_DTB,
					  .console_kind = KX_CONSOLE_8250_MMIO8,
					  .console_base = 0x10000000 };
	char cpu[32], mem[8], dev[5][PATH_MAX + 64], serial[PATH_MAX + 8];
	uint64_t config[4];
	struct kx_purgatory p;
	struct kx_sha256 s;
	char *argv[48];
	int n = 0, status = 0;
	pid_t pid;

	if (!c->no_regions) {
		pp.regions[1] = (struct kx_sha_region){ VM_A + 5, e->a_len - 5 };
		pp.regions[4] = (struct kx_sha_region){ b_addr, e->b_len };
		if (c->fault)
			pp.regions[6] = (struct kx_sha_region){ 0x200000000ULL, 4096 };
	}
	kx_sha256_init(&s);
	if (!c->no_regions) {
		kx_sha256_lanes_update(&s, e->a_data + 5, e->a_len - 5);
		kx_sha256_lanes_update(&s, e->b_data, e->b_len);
	}
	kx_sha256_final(&s, pp.sha256);
	if (c->zknh_asked)
		pp.arch[0] = KX_RISCV64_PF_ZKNH;
	if (c->corrupt)
		e->b_data[1 << 20] ^= 0x08;
	write_file(e->b, e->b_data, e->b_len);
	if (c->corrupt)
		e->b_data[1 << 20] ^= 0x08;

	init_blob(ctx, &p);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, base), 0);
	config[0] = sym(&p, KX_PURGATORY_ENTRY_NAME);
	config[1] = (uint64_t)c->trap_entry | (uint64_t)c->hart1 << 1;
	config[2] = sym(&p, "kx_check_path");
	config[3] = sym(&p, "kx_check_ticks");
	write_file(e->image, p.buf, p.bufsz); /* QEMU's RAM is zero: .bss past bufsz */
	write_file(e->config, config, sizeof(config));
	kx_purgatory_free(&p);
	unlink(e->serial);

	snprintf(cpu, sizeof(cpu), "rv64%s", c->zknh_cpu ? ",zknh=true" : "");
	snprintf(mem, sizeof(mem), "%s", c->high ? "5G" : "1G");
	snprintf(dev[0], sizeof(dev[0]), "loader,file=%s,addr=0x%llx,force-raw=on", e->image,
		 (unsigned long long)base);
	snprintf(dev[1], sizeof(dev[1]), "loader,file=%s,addr=0x%llx,force-raw=on", e->config,
		 VM_CONFIG);
	snprintf(dev[2], sizeof(dev[2]), "loader,file=%s,addr=0x%llx,force-raw=on", e->a, VM_A);
	snprintf(dev[3], sizeof(dev[3]), "loader,file=%s,addr=0x%llx,force-raw=on", e->b,
		 (unsigned long long)b_addr);
	snprintf(serial, sizeof(serial), "file:%s", e->serial);
	argv[n++] = e->qemu;
	argv[n++] = (char *)"-M";
	argv[n++] = (char *)"virt";
	argv[n++] = (char *)"-cpu";
	argv[n++] = cpu;
	argv[n++] = (char *)"-m";
	argv[n++] = mem;
	argv[n++] = (char *)"-smp";
	argv[n++] = (char *)(c->hart1 ? "2" : "1");
	argv[n++] = (char *)"-display";
	argv[n++] = (char *)"none";
	argv[n++] = (char *)"-monitor";
	argv[n++] = (char *)"none";
	argv[n++] = (char *)"-serial";
	argv[n++] = serial;
	argv[n++] = (char *)"-bios";
	argv[n++] = (char *)"default";
	argv[n++] = (char *)"-kernel";
	argv[n++] = e->kernel;
	for (int i = 0; i < 4; i++) {
		argv[n++] = (char *)"-device";
		argv[n++] = dev[i];
	}
	argv[n] = NULL;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0)
			dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int waited = 0;; waited++) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		assert_true(w >= 0);
		if (w == pid)
			break;
		read_text(e->serial, out, size);
		if (strstr(out, "purgatory: ") && strstr(strstr(out, "purgatory: "), "\r\n") ?
			    waited > 2 : waited > 600) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(50000);
	}
	read_text(e->serial, out, size);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		fail_msg("cannot run %s", e->qemu);
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
	};
	struct kexec_ctx *ctx = new_ctx();
	struct vm_env e;
	char out[8192];

	(void)state;
	if (!vm_env_open(&e)) {
		kexec_ctx_free(ctx);
		print_message("no qemu-system-riscv64 (apt-get install qemu-system-misc) or no fake kernel\n");
		skip();
	}
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
		if (c->corrupt) {
			static const char mismatch[] = "purgatory: sha256 mismatch\r\n";

			if (len < strlen(mismatch) || strcmp(out + len - strlen(mismatch), mismatch))
				fail_msg("%s: the serial port does not end with the mismatch: \"%s\"", c->name,
					 out);
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
