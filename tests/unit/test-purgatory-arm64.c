/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The embedded arm64 purgatory (purgatory/arm64), from any host that builds
 * it (an x86_64 host with aarch64-linux-gnu-gcc, or an arm64 host): parsed,
 * its parameter block and entry point, its layout (one image section, .bss,
 * kx_image_start/kx_image_end at their ends), relocated at several bases
 * with every relocated field decoded from the instruction and checked
 * against S + A and P; lib/arch/arm64/reloc.c's apply() on each relocation
 * type with values at and past its field's range; an overflow reported as
 * such; corrupted copies refused or safe. And the relocated blob's own check,
 * run under qemu-aarch64 (tests/unit/arm64/run-blob.c) on each hashing path,
 * must accept the library's digest of our regions and refuse it once a byte
 * changes. And the whole purgatory booted in qemu-system-aarch64 between a
 * fake old and new kernel (test_vm_boot; KX_TEST_VERBOSE=1 prints each
 * boot's serial output). Skipped where the blob was not built
 * (kx_purgatory_aarch64_blob_size is 0), the QEMU parts also where QEMU is
 * missing. What every purgatory's test does the same way is in
 * purgatory-harness.c; here is what is arm64's.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "purgatory-harness.h"

const struct kx_test_arch kx_test_arch = {
	.name = "arm64",
	.qemu = "aarch64",
	.qemu_system_package = "qemu-system-arm",
#if defined(__aarch64__)
	.native = true,
#endif
	.blob = kx_purgatory_aarch64_blob,
	.blob_size = &kx_purgatory_aarch64_blob_size,
	.e_machine = EM_AARCH64,
	.reloc = &kx_reloc_aarch64,
	.r_none = R_AARCH64_NONE,
	.r_abs64 = R_AARCH64_ABS64,
	.r_abs32 = R_AARCH64_ABS32,
};

static void test_blob_parses(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory p;
	uint64_t a;

	(void)state;
	check_blob_layout(ctx, &p);
	/* The page tables are 4 KiB aligned in .bss. */
	assert_int_equal(p.align, 4096);
	/* Its stack, page tables and vectors, which it maps and cleans with the image. */
	a = sym(&p, "stack");
	assert_true(a >= p.bufsz && a + 16384 <= p.memsz);
	a = sym(&p, "kx_tables");
	assert_true(a >= p.bufsz && a < p.memsz && a % 4096 == 0);
	assert_int_equal(sym(&p, "kx_vectors") % 2048, 0);
	assert_true(sym(&p, "kx_vectors") < p.bufsz);
	/* The switches tests set, in the image. */
	assert_true(sym(&p, "kx_sha_ce") + 4 <= p.bufsz);
	assert_true(sym(&p, "kx_neon") + 4 <= p.bufsz);
	kx_purgatory_free(&p);
	kexec_ctx_free(ctx);
}

static void test_blob_set_get(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory_params pp = {
		.entry = 0x40200000, .boot_data = 0x48000000, .console_base = 0x09000000,
		.console_kind = KX_CONSOLE_PL011,
		.regions = { { 0x40200000, 0x2000000 }, { 0x48000000, 0x1234 } },
	};

	(void)state;
	/* entry.S reads entry and the DTB at offsets 0 and 8, little-endian. */
	check_params_round_trip(ctx, &pp);
	kexec_ctx_free(ctx);
}

/* ---- An A64 decoder of our own, for the fields reloc.c writes -------------- */

static bool is_adrp(uint32_t i) { return (i & 0x9f000000) == 0x90000000; }
static bool is_adr(uint32_t i) { return (i & 0x9f000000) == 0x10000000; }
static bool is_add_imm(uint32_t i) { return (i & 0x7fc00000) == 0x11000000; }
static bool is_ldst_uimm(uint32_t i) { return (i & 0x3b000000) == 0x39000000; }
static bool is_b(uint32_t i) { return (i & 0xfc000000) == 0x14000000; }
static bool is_bl(uint32_t i) { return (i & 0xfc000000) == 0x94000000; }
static bool is_bcond(uint32_t i) { return (i & 0xff000010) == 0x54000000; }
static bool is_cbz(uint32_t i) { return (i & 0x7e000000) == 0x34000000; }
static bool is_tbz(uint32_t i) { return (i & 0x7e000000) == 0x36000000; }
static bool is_ldr_lit(uint32_t i) { return (i & 0x3b000000) == 0x18000000; }

/* ADR/ADRP's immediate. */
static int64_t adr_imm(uint32_t i)
{
	return sext((uint64_t)((i >> 5) & 0x7ffff) << 2 | ((i >> 29) & 3), 21);
}

/* A load/store's access size in bytes, log2 (the imm12 scale). */
static unsigned int ldst_scale(uint32_t i)
{
	unsigned int size = i >> 30, v = (i >> 26) & 1, opc = (i >> 22) & 3;

	return v && size == 0 && opc >= 2 ? 4 : size;
}

/*
 * Field of relocation r in buf (relocated for base) against the value the
 * ABI defines from S + A and P, decoded with the instruction's own
 * encoding, and the instruction the right kind for its type.
 */
static void check_field(const struct reloc_sweep *sw, const uint8_t *buf, uint64_t base,
			const struct reloc *r)
{
	uint64_t s_a = base + r->s_off + (uint64_t)r->addend, pc = base + r->pos;
	uint32_t i = kx_le32(buf + r->pos);
	uint64_t v64;

	(void)sw;
	switch (r->type) {
	case R_AARCH64_ABS64:
		memcpy(&v64, buf + r->pos, 8);
		assert_int_equal(v64, s_a);
		break;
	case R_AARCH64_PREL64:
		memcpy(&v64, buf + r->pos, 8);
		assert_int_equal(v64, s_a - pc);
		break;
	case R_AARCH64_ABS32:
		assert_int_equal(i, (uint32_t)s_a);
		break;
	case R_AARCH64_PREL32:
		assert_int_equal(i, (uint32_t)(s_a - pc));
		break;
	case R_AARCH64_ADR_PREL_PG_HI21:
	case R_AARCH64_ADR_PREL_PG_HI21_NC:
		if (!is_adrp(i))
			fail_msg("ADR_PREL_PG_HI21 at 0x%zx (%s) on 0x%08x, not an ADRP", r->pos, r->name, i);
		assert_int_equal((pc & ~0xfffULL) + (uint64_t)(adr_imm(i) * 4096), s_a & ~0xfffULL);
		break;
	case R_AARCH64_ADR_PREL_LO21:
		assert_true(is_adr(i));
		assert_int_equal(pc + (uint64_t)adr_imm(i), s_a);
		break;
	case R_AARCH64_ADD_ABS_LO12_NC:
		if (!is_add_imm(i))
			fail_msg("ADD_ABS_LO12_NC at 0x%zx (%s) on 0x%08x, not an ADD", r->pos, r->name, i);
		assert_int_equal((i >> 10) & 0xfff, s_a & 0xfff);
		break;
	case R_AARCH64_LDST8_ABS_LO12_NC:
	case R_AARCH64_LDST16_ABS_LO12_NC:
	case R_AARCH64_LDST32_ABS_LO12_NC:
	case R_AARCH64_LDST64_ABS_LO12_NC:
	case R_AARCH64_LDST128_ABS_LO12_NC: {
		static const unsigned int scale[] = { [R_AARCH64_LDST8_ABS_LO12_NC - 278] = 0,
						      [R_AARCH64_LDST16_ABS_LO12_NC - 278] = 1,
						      [R_AARCH64_LDST32_ABS_LO12_NC - 278] = 2,
						      [R_AARCH64_LDST64_ABS_LO12_NC - 278] = 3,
						      [R_AARCH64_LDST128_ABS_LO12_NC - 278] = 4 };
		if (!is_ldst_uimm(i))
			fail_msg("LDST_ABS_LO12_NC at 0x%zx (%s) on 0x%08x, not a load/store", r->pos,
				 r->name, i);
		/* The type's access size is the instruction's. */
		assert_int_equal(ldst_scale(i), scale[r->type - 278]);
		assert_int_equal(((i >> 10) & 0xfff) << ldst_scale(i), s_a & 0xfff);
		break;
	}
	case R_AARCH64_CALL26:
	case R_AARCH64_JUMP26:
		if (r->type == R_AARCH64_CALL26 ? !is_bl(i) : !is_b(i))
			fail_msg("%s at 0x%zx (%s) on 0x%08x", r->type == R_AARCH64_CALL26 ? "CALL26" :
				 "JUMP26", r->pos, r->name, i);
		assert_int_equal(pc + (uint64_t)(sext(i, 26) * 4), s_a);
		break;
	case R_AARCH64_CONDBR19:
		assert_true(is_bcond(i) || is_cbz(i));
		assert_int_equal(pc + (uint64_t)(sext(i >> 5, 19) * 4), s_a);
		break;
	case R_AARCH64_LD_PREL_LO19:
		assert_true(is_ldr_lit(i));
		assert_int_equal(pc + (uint64_t)(sext(i >> 5, 19) * 4), s_a);
		break;
	case R_AARCH64_TSTBR14:
		assert_true(is_tbz(i));
		assert_int_equal(pc + (uint64_t)(sext(i >> 5, 14) * 4), s_a);
		break;
	default:
		fail_msg("relocation type %u in the blob: extend this test", r->type);
	}
}

/* Bases: low, 2 GiB (bit 31 set: a sign trap for 32-bit fields), and above 4 GiB. */
static const uint64_t bases[] = { 0x40000000, 0x80000000, 0x800000000ULL, 0x1000,
				  0xffff00000000ULL };

static void test_blob_relocate(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	struct kexec_ctx *ctx = new_ctx();
	static struct reloc rel[2048];
	struct reloc_sweep s = { .bases = bases, .nbases = ARRAY_SIZE(bases), .rel = rel,
				 .max = ARRAY_SIZE(rel) };

	(void)state;
	/* Only absolute fields depend on the base (page-aligned: ADRP's pages move with it). */
	reloc_sweep(ctx, &s, check_field);
	/* What the purgatory's code has at least (small code model, no PIC). */
	assert_true(reloc_count(&s, R_AARCH64_ADR_PREL_PG_HI21) > 0 &&
		    reloc_count(&s, R_AARCH64_ADD_ABS_LO12_NC) > 0 &&
		    reloc_count(&s, R_AARCH64_CALL26) > 0);

	/* purgatory_start's first steps, decoded: its stack and the call into C. */
	{
		const uint8_t *buf = s.p[2].buf;
		uint64_t base = bases[2], start = sym(&s.p[2], KX_PURGATORY_ENTRY_NAME);
		uint64_t stack_end = sym(&s.p[2], "stack") + 16384;
		uint64_t main_at = sym(&s.p[2], "purgatory_main");
		bool found_stack = false, found_call = false;

		for (uint64_t a = start; a < start + 64; a += 4) {
			uint32_t i = kx_le32(buf + (a - base)), j = kx_le32(buf + (a - base) + 4);

			if (is_adrp(i) && is_add_imm(j)) {
				uint64_t v = (a & ~0xfffULL) + (uint64_t)(adr_imm(i) * 4096) +
					     ((j >> 10) & 0xfff);

				assert_int_equal(v, stack_end);
				found_stack = true;
			}
			if (is_bl(i)) {
				assert_int_equal(a + (uint64_t)(sext(i, 26) * 4), main_at);
				found_call = true;
				break;
			}
		}
		assert_true(found_stack && found_call);
	}

	/*
	 * Applying again at another base gives what a fresh relocation gives;
	 * bases not aligned to the page tables' 4 KiB are refused.
	 */
	reloc_sweep_end(ctx, &s, 2, 0x800);
	kexec_ctx_free(ctx);
}

/* ---- apply() on each type, at and past its range ---------------------------- */

static void test_reloc_apply(void **state)
{
	const struct kx_reloc_ops *ops = &kx_reloc_aarch64;
	const uint64_t pc = 0x80001004;
	uint8_t b8[8];
	uint32_t w;
	uint64_t v;

	(void)state;
	/* MOVW_UABS_G0: not applied. ABS64 as data in there too. */
	check_reloc_common(R_AARCH64_MOVW_UABS_G0, pc);
	assert_int_equal(ops->width(R_AARCH64_PREL64), 8);
	assert_int_equal(ops->width(R_AARCH64_CALL26), 4);
	assert_int_equal(ops->width(R_AARCH64_LDST128_ABS_LO12_NC), 4);
	assert_int_equal(ops->width(R_AARCH64_TLSDESC), 0);

	/* Data. */
	assert_int_equal(ops->apply(b8, R_AARCH64_PREL64, pc - 8, pc), 0);
	memcpy(&v, b8, 8);
	assert_int_equal(v, (uint64_t)-8);
	assert_int_equal(ok_insn(R_AARCH64_ABS32, 0, 0xffffffff, pc), 0xffffffff);
	assert_int_equal(ok_insn(R_AARCH64_ABS32, 0, (uint64_t)INT32_MIN, pc), 0x80000000);
	erange(R_AARCH64_ABS32, 0x11111111, 0x100000000ULL, pc);
	erange(R_AARCH64_ABS32, 0x11111111, (uint64_t)INT32_MIN - 1, pc);
	assert_int_equal(ok_insn(R_AARCH64_PREL32, 0, pc - 0x80000000ULL, pc), 0x80000000);
	assert_int_equal(ok_insn(R_AARCH64_PREL32, 0, pc + 0xffffffffULL, pc), 0xffffffff);
	erange(R_AARCH64_PREL32, 0, pc - 0x80000001ULL, pc);
	erange(R_AARCH64_PREL32, 0, pc + 0x100000000ULL, pc);

	/* B and BL: +-128 MiB in words; the opcode kept. */
	assert_int_equal(ok_insn(R_AARCH64_CALL26, 0x94000000, pc + 0x7fffffc, pc), 0x95ffffff);
	assert_int_equal(ok_insn(R_AARCH64_CALL26, 0x94000000, pc - 0x8000000, pc), 0x96000000);
	assert_int_equal(ok_insn(R_AARCH64_JUMP26, 0x17ffffff, pc + 8, pc), 0x14000002);
	erange(R_AARCH64_CALL26, 0x94000000, pc + 0x8000000, pc);
	erange(R_AARCH64_JUMP26, 0x14000000, pc - 0x8000004, pc);
	erange(R_AARCH64_CALL26, 0x94000000, pc + 2, pc); /* not a word */
	/* B.cond, CBZ, LDR (literal): +-1 MiB; TBZ: +-32 KiB. Other bits kept. */
	assert_int_equal(ok_insn(R_AARCH64_CONDBR19, 0x54000001, pc - 4, pc), 0x54ffffe1);
	assert_int_equal(ok_insn(R_AARCH64_CONDBR19, 0xb4000003, pc + 0xffffc, pc), 0xb47fffe3);
	erange(R_AARCH64_CONDBR19, 0x54000001, pc + 0x100000, pc);
	assert_int_equal(ok_insn(R_AARCH64_LD_PREL_LO19, 0x58000000, pc - 0x100000, pc),
			 0x58800000);
	erange(R_AARCH64_LD_PREL_LO19, 0x58000000, pc - 0x100004, pc);
	assert_int_equal(ok_insn(R_AARCH64_TSTBR14, 0x36180000, pc + 0x7ffc, pc), 0x361bffe0);
	erange(R_AARCH64_TSTBR14, 0x36180000, pc + 0x8000, pc);
	erange(R_AARCH64_TSTBR14, 0x36180000, pc - 0x8004, pc);

	/* ADR: +-1 MiB in bytes, immlo and immhi. */
	w = ok_insn(R_AARCH64_ADR_PREL_LO21, 0x10000009, pc + 0xfffff, pc);
	assert_int_equal(w & 0x9f00001f, 0x10000009);
	assert_int_equal(adr_imm(w), 0xfffff);
	w = ok_insn(R_AARCH64_ADR_PREL_LO21, 0x10000009, pc - 0x100000, pc);
	assert_int_equal(adr_imm(w), -0x100000);
	erange(R_AARCH64_ADR_PREL_LO21, 0x10000009, pc + 0x100000, pc);
	/* ADRP: the 4 KiB page, +-4 GiB; the _NC kind wraps instead. */
	w = ok_insn(R_AARCH64_ADR_PREL_PG_HI21, 0x90000009, 0x123456789ULL, pc);
	assert_int_equal(w & 0x9f00001f, 0x90000009);
	assert_int_equal((pc & ~0xfffULL) + (uint64_t)(adr_imm(w) * 4096), 0x123456000ULL);
	w = ok_insn(R_AARCH64_ADR_PREL_PG_HI21, 0x90000009, (pc & ~0xfffULL) - 0x100000000ULL, pc);
	assert_int_equal(adr_imm(w), -0x100000);
	erange(R_AARCH64_ADR_PREL_PG_HI21, 0x90000009, (pc & ~0xfffULL) + 0x100000000ULL, pc);
	w = ok_insn(R_AARCH64_ADR_PREL_PG_HI21_NC, 0x90000009, (pc & ~0xfffULL) + 0x100000000ULL,
		    pc);
	assert_int_equal(adr_imm(w), -0x100000); /* bit 32 dropped */
	/* The low 12 bits, scaled by the access size; misaligned ones refused. */
	assert_int_equal(ok_insn(R_AARCH64_ADD_ABS_LO12_NC, 0x91000129, 0x4567abcULL, pc),
			 0x91000129 | 0xabc << 10);
	assert_int_equal(ok_insn(R_AARCH64_LDST8_ABS_LO12_NC, 0x39400020, 0x1fff, pc),
			 0x39400020 | 0xfff << 10);
	assert_int_equal(ok_insn(R_AARCH64_LDST16_ABS_LO12_NC, 0x79400020, 0x1ffe, pc),
			 0x79400020 | 0x7ff << 10);
	assert_int_equal(ok_insn(R_AARCH64_LDST32_ABS_LO12_NC, 0xb9400020, 0x1ffc, pc),
			 0xb9400020 | 0x3ff << 10);
	assert_int_equal(ok_insn(R_AARCH64_LDST64_ABS_LO12_NC, 0xf9400020, 0x1ff8, pc),
			 0xf9400020 | 0x1ff << 10);
	assert_int_equal(ok_insn(R_AARCH64_LDST128_ABS_LO12_NC, 0x3dc00020, 0x1ff0, pc),
			 0x3dc00020 | 0xff << 10);
	/* And the new immediate replaces the old one. */
	assert_int_equal(ok_insn(R_AARCH64_LDST64_ABS_LO12_NC, 0xf9400020 | 0x1ff << 10, 0x8, pc),
			 0xf9400020 | 1 << 10);
	erange(R_AARCH64_LDST16_ABS_LO12_NC, 0x79400020, 0x1001, pc);
	erange(R_AARCH64_LDST64_ABS_LO12_NC, 0xf9400020, 0x1004, pc);
	erange(R_AARCH64_LDST128_ABS_LO12_NC, 0x3dc00020, 0x1008, pc);
}

/* ---- Overflow and corruption --------------------------------------------- */

/* A field too narrow for the base: -ERANGE, logged as an overflow. */
static void test_relocation_overflow(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	(void)state;
	/* The first ADD_ABS_LO12_NC becomes an ABS32 of the same symbol. */
	check_relocation_overflow(R_AARCH64_ADD_ABS_LO12_NC, 0x40000000, 0x800000000ULL);
}

/* Prefixes are refused; random corruption is refused or still safe to use. */
static void test_truncated_and_corrupted(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	(void)state;
	check_truncated_and_corrupted(4242, 0x40000000, false);
}

/* ---- The relocated check, run as arm64 code -------------------------------- */

#define DATA_A 0x50000000ULL
#define DATA_B 0x50200000ULL

/*
 * The relocated blob for base, checking two regions (one at an odd address)
 * and skipping an empty one, on one path; saved as r->files.image. Returns
 * the relocated purgatory_verify() and memsz.
 */
static void save_image(struct kexec_ctx *ctx, struct blob_run *r, uint64_t base, uint32_t ce,
		       uint32_t neon, bool xxh3, uint64_t *entry, uint64_t *memsz)
{
	struct kx_purgatory_params pp = { .entry = 0x40200000, .boot_data = 0x48000000,
					  .flags = xxh3 ? 0 : KX_PF_SHA256 };
	struct kx_purgatory p;

	blob_run_regions(r, &pp, DATA_A, DATA_B, false);
	init_blob(ctx, &p);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_set(&p, "kx_sha_ce", &ce, 4), 0);
	assert_int_equal(kx_purgatory_set(&p, "kx_neon", &neon, 4), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, base), 0);
	*entry = sym(&p, "purgatory_verify");
	*memsz = p.memsz;
	write_file(r->files.image, p.buf, p.bufsz);
	kx_purgatory_free(&p);
}

/* run-blob.c's exit status; a changed byte of region B with flip. */
static int run_blob(struct blob_run *r, uint64_t base, uint64_t entry, uint64_t memsz,
		    uint8_t flip)
{
	struct args a;

	blob_run_args(r, &a, "max", base, memsz);
	arg(&a, "0x%llx", (unsigned long long)entry);
	return blob_run_exec(r, &a, DATA_A, DATA_B, flip, NULL, 0);
}

static void test_run_blob(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	/* SHA-256's three paths, and XXH3's two (the MMU-off C, NEON). */
	static const struct {
		const char *name;
		uint32_t ce, neon;
		bool xxh3;
	} paths[] = { { "portable", 0, 0, false }, { "neon", 0, 1, false }, { "ce", 1, 0, false },
		      { "xxh3", 0, 0, true }, { "xxh3 neon", 0, 1, true } };
	static const uint64_t run_bases[] = { 0x40000000, 0x800000000ULL };
	struct kexec_ctx *ctx;
	struct blob_run r;
	uint64_t entry, memsz;

	(void)state;
	blob_run_open(&r); /* before anything to free: it may skip */
	ctx = new_ctx();
	for (size_t b = 0; b < ARRAY_SIZE(run_bases); b++) {
		for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
			int st;

			save_image(ctx, &r, run_bases[b], paths[i].ce, paths[i].neon, paths[i].xxh3,
				   &entry, &memsz);
			st = run_blob(&r, run_bases[b], entry, memsz, 0);
			if (st != 0)
				fail_msg("%s at 0x%llx: the blob refused the library's digest (exit %d; "
					 "10 and up: the runner failed, see run-blob.c)",
					 paths[i].name, (unsigned long long)run_bases[b], st);
			/* A changed byte in the second region (the data, not the digest). */
			st = run_blob(&r, run_bases[b], entry, memsz, 0x40);
			if (st != 1)
				fail_msg("%s at 0x%llx: a changed byte gave exit %d, not 1 (mismatch)",
					 paths[i].name, (unsigned long long)run_bases[b], st);
		}
	}
	blob_run_close(&r);
	kexec_ctx_free(ctx);
}

/* ---- The whole purgatory in a QEMU virt machine ----------------------------- */

/*
 * qemu-system-aarch64 -M virt without firmware starts the CPU at
 * tests/unit/arm64/fake-kernel.S's _start, at EL1 (or EL2 with
 * virtualization=on) with the MMU off, which gives the registers the
 * purgatory changes values of its own (at EL2 in mode 1 also HCR_EL2.E2H:
 * a VHE host), traps FP/SIMD and jumps to purgatory_start as
 * arm64_relocate_new_kernel does; its kernel_entry reports what the new
 * kernel got on the PL011. So the identity map, the caches and MMU going on
 * and off, FP/SIMD, the Crypto Extensions (-cpu max), the EL handling, the
 * registers at the jump and those put back, and the console all run for real
 * (QEMU does not model the caches, so what it cannot show is a missing
 * clean; the README argues those).
 */
#define VM_FAKE_KERNEL 0x40201000ULL /* kernel_entry */
#define VM_CONFIG 0x40300000ULL
#define VM_PURGATORY 0x40400000ULL
#define VM_DTB 0x4f000000ULL         /* only reported back */
#define VM_A 0x44000000ULL           /* region A starts 5 bytes in */
#define VM_B 0x48000000ULL           /* region B: 2 MiB aligned, 8 MiB */
#define VM_HIGH 0x140000000ULL       /* above 4 GiB, with -m 5G */
#define KX_ARM64_NO_MMU 0x1          /* arch[0]: check with the MMU off (purgatory.c) */

struct vm_case {
	const char *name;
	bool el2, vhe, high;
	bool corrupt;      /* a byte of region B changed after hashing */
	bool no_regions;   /* -i */
	bool no_mmu;       /* arch[0] KX_ARM64_NO_MMU */
	bool fault;        /* a region where the machine has no memory */
	bool xxh3;         /* the default check (else --check=sha256's) */
};

/* Boots case c; its serial output in out (vm_env_boot()). */
static void vm_boot(struct kexec_ctx *ctx, struct vm_env *e, const struct vm_case *c,
		    char *out, size_t size)
{
	uint64_t base = c->high ? VM_HIGH : VM_PURGATORY, b_addr = c->high ? VM_HIGH + 0x800000 : VM_B;
	struct kx_purgatory_params pp = { .entry = VM_FAKE_KERNEL, .boot_data = VM_DTB,
					  .console_kind = KX_CONSOLE_PL011,
					  .console_base = 0x09000000,
					  .flags = c->xxh3 ? 0 : KX_PF_SHA256 };
	struct args a;

	/* A corrupted byte in the second 2 MiB block. */
	vm_env_regions(e, &pp, VM_A, b_addr, c->no_regions, c->fault ? 0x100000000ULL : 0, 3 << 20,
		       c->corrupt ? 0x08 : 0);
	if (c->no_mmu)
		pp.arch[0] = KX_ARM64_NO_MMU;
	vm_env_save(ctx, e, &pp, base, VM_CONFIG, c->vhe);

	/* No firmware: the fake kernel's ELF loaded, and the CPU started at its entry. */
	args_init(&a);
	arg(&a, "%s", e->qemu);
	arg(&a, "-M");
	arg(&a, "virt%s", c->el2 ? ",virtualization=on" : "");
	arg(&a, "-cpu");
	arg(&a, "max");
	arg(&a, "-m");
	arg(&a, "%s", c->high ? "5G" : "1G");
	arg(&a, "-semihosting");
	arg(&a, "-device");
	arg(&a, "loader,file=%s,cpu-num=0", e->kernel);
	vm_env_boot(e, &a, 400, false, out, size);
}

static void test_vm_boot(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	/* The kernel must get x0 = the DTB, x1-x3 zero, interrupts masked, the MMU and caches off. */
	static const char ok_regs[] = " x0=000000004f000000 x1=0000000000000000"
				      " x2=0000000000000000 x3=0000000000000000"
				      " daif=00000000000003c0";
	static const struct vm_case cases[] = {
		{ "EL1", .el2 = false },
		{ "EL2 (nVHE hyp stub)", .el2 = true },
		{ "EL2 with E2H (VHE host)", .el2 = true, .vhe = true },
		{ "EL1 above 4 GiB", .high = true },
		{ "EL2 above 4 GiB", .el2 = true, .high = true },
		{ "EL1, -i", .no_regions = true },
		{ "EL2, MMU off (arch[0])", .el2 = true, .no_mmu = true },
		{ "EL1 mismatch", .corrupt = true },
		{ "EL2 mismatch", .el2 = true, .corrupt = true },
		{ "EL2 VHE mismatch", .el2 = true, .vhe = true, .corrupt = true },
		{ "EL1 mismatch, MMU off", .corrupt = true, .no_mmu = true },
		{ "EL1 region without memory", .fault = true },
		{ "EL1, xxh3", .xxh3 = true },
		{ "EL2 with E2H, xxh3", .el2 = true, .vhe = true, .xxh3 = true },
		{ "EL1, xxh3, MMU off", .no_mmu = true, .xxh3 = true },
		{ "EL1 xxh3 mismatch", .corrupt = true, .xxh3 = true },
		{ "EL1 xxh3 mismatch, MMU off", .corrupt = true, .no_mmu = true, .xxh3 = true },
	};
	struct kexec_ctx *ctx;
	struct vm_env e;
	char out[4096];

	(void)state;
	/* Region B: 8 MiB in 2 MiB blocks. Before anything to free: it may skip. */
	vm_env_open(&e, 8 << 20);
	ctx = new_ctx();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct vm_case *c = &cases[i];
		const char *k;

		vm_boot(ctx, &e, c, out, sizeof(out));
		if (getenv("KX_TEST_VERBOSE"))
			print_message("%s: %s", c->name, out);
		if (c->corrupt) {
			/* The mismatch, the region B named (its byte changed), and the end. */
			char want[512];

			snprintf(want, sizeof(want), "purgatory: %s mismatch\r\n" KX_TEST_CHANGED_FMT
				 KX_TEST_STOPPED, c->xxh3 ? "xxh3" : "sha256",
				 (unsigned long long)e.b_addr, (unsigned long long)e.b_len);
			if (strcmp(out, want))
				fail_msg("%s: the serial port shows \"%s\", not \"%s\"", c->name, out, want);
			continue;
		}
		if (c->fault) {
			/* A data abort, reported by our vectors with the faulting address. */
			if (!strstr(out, "purgatory: exception, ESR 0x") ||
			    !strstr(out, "FAR 0x0000000100000000"))
				fail_msg("%s: the serial port shows \"%s\"", c->name, out);
			continue;
		}
		k = strstr(out, "KERNEL el=");
		if (!k || k != out)
			fail_msg("%s: the fake kernel was not reached cleanly; serial: \"%s\"", c->name, out);
		if (k[10] != (c->el2 ? '2' : '1') || strncmp(k + 11, ok_regs, strlen(ok_regs)))
			fail_msg("%s: %s", c->name, out);
		/*
		 * The path: not checked (-i); checked with the MMU off (arch[0]);
		 * else with the MMU on and the Crypto Extensions (-cpu max).
		 */
		{
			const char *want = c->no_regions ? " path=0000000000000000 " :
					   c->no_mmu ? " path=0000000000000001 " :
					   " path=000000000000000f ";

			if (!strstr(out, want))
				fail_msg("%s: want%s: %s", c->name, want, out);
		}
		/* SCTLR: M (bit 0) and C (bit 2) clear. */
		{
			const char *sc = strstr(out, " sctlr=");
			unsigned long long v = strtoull(sc + 7, NULL, 16);

			if (v & 5)
				fail_msg("%s: MMU or D-cache on at the kernel: %s", c->name, out);
		}
		if (!strstr(out, " changed=[]\r\n"))
			fail_msg("%s: registers not restored: %s", c->name, out);
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
		cmocka_unit_test(test_truncated_and_corrupted),
		cmocka_unit_test(test_run_blob),
		cmocka_unit_test(test_vm_boot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
