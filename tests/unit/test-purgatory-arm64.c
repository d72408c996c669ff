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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "libkexec.h"
#include "purgatory.h"

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

/* Without the blob (no arm64 compiler at build time) there is nothing to test. */
#define NEED_BLOB()                                                                      \
	do {                                                                             \
		if (!kx_purgatory_aarch64_blob_size) {                                   \
			print_message("the arm64 purgatory was not built (no arm64 compiler)\n"); \
			skip();                                                          \
		}                                                                        \
	} while (0)

static void init_blob(struct kexec_ctx *ctx, struct kx_purgatory *p)
{
	int r = kx_purgatory_init(ctx, p, kx_purgatory_aarch64_blob,
				  kx_purgatory_aarch64_blob_size);

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
	memcpy(&eh, kx_purgatory_aarch64_blob, sizeof(eh));
	assert_int_equal(eh.e_machine, EM_AARCH64);
	assert_int_equal(eh.e_type, ET_REL);
	init_blob(ctx, &p);
	assert_true(p.bufsz > 0 && p.bufsz <= p.memsz);
	assert_int_equal(p.memsz % 16, 0);
	/* The page tables are 4 KiB aligned in .bss. */
	assert_int_equal(p.align, 4096);
	assert_int_equal(p.base, 0);

	memset(&pp, 0xff, sizeof(pp));
	assert_int_equal(kx_purgatory_get_params(&p, &pp), 0);
	assert_memory_equal(&pp, &zero, sizeof(pp));
	assert_true(sym(&p, KX_PURGATORY_PARAMS_NAME) + sizeof(pp) <= p.bufsz);
	assert_int_equal(sym(&p, KX_PURGATORY_PARAMS_NAME) % 8, 0);

	/*
	 * purgatory.lds: the image starts with purgatory_start, and its ends,
	 * which it maps and cleans, are the buffer's: all it owns, nothing more.
	 */
	assert_int_equal(sym(&p, KX_PURGATORY_ENTRY_NAME), 0);
	assert_int_equal(sym(&p, "kx_image_start"), 0);
	assert_int_equal(sym(&p, "kx_image_end"), p.memsz);
	a = sym(&p, "stack");
	assert_true(a >= p.bufsz && a + 16384 <= p.memsz);
	a = sym(&p, "kx_tables");
	assert_true(a >= p.bufsz && a < p.memsz && a % 4096 == 0);
	assert_int_equal(sym(&p, "kx_vectors") % 2048, 0);
	assert_true(sym(&p, "kx_vectors") < p.bufsz);
	/* The switches tests set, in the image. */
	assert_true(sym(&p, "kx_sha_ce") + 4 <= p.bufsz);
	assert_true(sym(&p, "kx_neon") + 4 <= p.bufsz);
	assert_true(sym(&p, "purgatory_verify") < p.bufsz);
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
	/* entry.S reads entry and the DTB at offsets 0 and 8, little-endian. */
	off = sym(&p, KX_PURGATORY_PARAMS_NAME);
	assert_int_equal(kx_le64(p.buf + off), 0x40200000);
	assert_int_equal(kx_le64(p.buf + off + 8), 0x48000000);
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

/* ---- An A64 decoder of our own, for the fields reloc.c writes -------------- */

static int64_t sext(uint64_t v, unsigned int bits)
{
	uint64_t m = 1ULL << (bits - 1);

	v &= (1ULL << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

static uint32_t insn(const uint8_t *at)
{
	return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 |
	       (uint32_t)at[3] << 24;
}

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
static void check_field(const uint8_t *buf, uint64_t base, const struct reloc *r)
{
	uint64_t s_a = base + r->s_off + (uint64_t)r->addend, pc = base + r->pos;
	uint32_t i = insn(buf + r->pos);
	uint64_t v64;

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
	struct kx_purgatory p[ARRAY_SIZE(bases)];
	static struct reloc rel[2048];
	unsigned int adrp = 0, add = 0, call = 0;
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
			check_field(p[b].buf, bases[b], &rel[i]);
		adrp += rel[i].type == R_AARCH64_ADR_PREL_PG_HI21;
		add += rel[i].type == R_AARCH64_ADD_ABS_LO12_NC;
		call += rel[i].type == R_AARCH64_CALL26;
		if (rel[i].type == R_AARCH64_ABS64 || rel[i].type == R_AARCH64_ABS32)
			memset(covered + rel[i].pos, 1, rel[i].type == R_AARCH64_ABS64 ? 8 : 4);
	}
	/* What the purgatory's code has at least (small code model, no PIC). */
	assert_true(adrp > 0 && add > 0 && call > 0);
	/* Only absolute fields depend on the base (page-aligned: ADRP's pages move with it). */
	for (size_t b = 1; b < ARRAY_SIZE(bases); b++)
		for (size_t i = 0; i < p[0].bufsz; i++)
			if (p[0].buf[i] != p[b].buf[i] && !covered[i])
				fail_msg("byte 0x%zx differs at base 0x%llx but is no absolute field", i,
					 (unsigned long long)bases[b]);
	free(covered);

	/* purgatory_start's first steps, decoded: its stack and the call into C. */
	{
		const uint8_t *buf = p[2].buf;
		uint64_t base = bases[2], start = sym(&p[2], KX_PURGATORY_ENTRY_NAME);
		uint64_t stack_end = sym(&p[2], "stack") + 16384, main_at = sym(&p[2], "purgatory_main");
		bool found_stack = false, found_call = false;

		for (uint64_t a = start; a < start + 64; a += 4) {
			uint32_t i = insn(buf + (a - base)), j = insn(buf + (a - base) + 4);

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

	/* Applying again at another base gives what a fresh relocation gives. */
	assert_int_equal(kx_purgatory_relocate(ctx, &p[0], bases[2]), 0);
	assert_memory_equal(p[0].buf, p[2].buf, p[0].bufsz);
	/* Bases not aligned to the page tables' 4 KiB are refused. */
	assert_int_equal(kx_purgatory_relocate(ctx, &p[0], bases[2] + 0x800), -EINVAL);
	for (size_t b = 0; b < ARRAY_SIZE(bases); b++)
		kx_purgatory_free(&p[b]);
	kexec_ctx_free(ctx);
}

/* ---- apply() on each type, at and past its range ---------------------------- */

static int apply(uint32_t type, uint32_t *word, uint64_t sa, uint64_t pc)
{
	uint8_t b[4];
	int r;

	memcpy(b, word, 4);
	r = kx_reloc_aarch64.apply(b, type, sa, pc);
	memcpy(word, b, 4);
	return r;
}

/* The instruction after a successful apply, or -ERANGE with nothing written. */
static uint32_t ok_insn(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc)
{
	int r = apply(type, &word, sa, pc);

	if (r)
		fail_msg("type %u sa 0x%llx pc 0x%llx: %d", type, (unsigned long long)sa,
			 (unsigned long long)pc, r);
	return word;
}

static void erange(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc)
{
	uint32_t w = word;

	if (apply(type, &w, sa, pc) != -ERANGE)
		fail_msg("type %u sa 0x%llx pc 0x%llx: not -ERANGE", type, (unsigned long long)sa,
			 (unsigned long long)pc);
	assert_int_equal(w, word);
}

static void test_reloc_apply(void **state)
{
	const struct kx_reloc_ops *ops = &kx_reloc_aarch64;
	const uint64_t pc = 0x80001004;
	uint8_t b8[8];
	uint32_t w;
	uint64_t v;

	(void)state;
	assert_int_equal(ops->e_machine, EM_AARCH64);
	assert_int_equal(ops->width(R_AARCH64_ABS64), 8);
	assert_int_equal(ops->width(R_AARCH64_PREL64), 8);
	assert_int_equal(ops->width(R_AARCH64_CALL26), 4);
	assert_int_equal(ops->width(R_AARCH64_LDST128_ABS_LO12_NC), 4);
	assert_int_equal(ops->width(R_AARCH64_NONE), 1);
	assert_int_equal(ops->width(R_AARCH64_MOVW_UABS_G0), 0); /* not applied */
	assert_int_equal(ops->width(R_AARCH64_TLSDESC), 0);
	assert_int_equal(ops->width(12345), 0);
	w = 0x12345678;
	assert_int_equal(apply(R_AARCH64_MOVW_UABS_G0, &w, 0, 0), -ENOEXEC);
	assert_int_equal(apply(R_AARCH64_NONE, &w, 0xdead, pc), 0);
	assert_int_equal(w, 0x12345678);

	/* Data. */
	assert_int_equal(ops->apply(b8, R_AARCH64_ABS64, 0x0123456789abcdefULL, pc), 0);
	memcpy(&v, b8, 8);
	assert_int_equal(v, 0x0123456789abcdefULL);
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
	struct kexec_ctx *ctx = new_ctx();
	uint8_t *b = malloc(kx_purgatory_aarch64_blob_size);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;
	struct kx_purgatory p;
	bool done = false;

	(void)state;
	assert_non_null(b);
	memcpy(b, kx_purgatory_aarch64_blob, kx_purgatory_aarch64_blob_size);
	/* The first ADD_ABS_LO12_NC becomes an ABS32 of the same symbol. */
	for (unsigned int i = 0; i < eh->e_shnum && !done; i++) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(b + eh->e_shoff) + i;
		Elf64_Rela *r = (Elf64_Rela *)(b + sh->sh_offset);

		if (sh->sh_type != SHT_RELA)
			continue;
		for (size_t j = 0; j < sh->sh_size / sizeof(*r) && !done; j++) {
			if (ELF64_R_TYPE(r[j].r_info) == R_AARCH64_ADD_ABS_LO12_NC) {
				r[j].r_info = ELF64_R_INFO(ELF64_R_SYM(r[j].r_info), R_AARCH64_ABS32);
				done = true;
			}
		}
	}
	assert_true(done);
	assert_int_equal(kx_purgatory_init(ctx, &p, b, kx_purgatory_aarch64_blob_size), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, 0x40000000), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, 0x800000000ULL), -ERANGE);
	if (!strstr(log_text, "overflows"))
		fail_msg("no overflow logged:\n%s", log_text);
	kx_purgatory_free(&p);
	free(b);
	kexec_ctx_free(ctx);
}

/* Prefixes are refused; random corruption is refused or still safe to use. */
static void test_truncated_and_corrupted(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	struct kexec_ctx *ctx = new_ctx();
	size_t len = kx_purgatory_aarch64_blob_size;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)kx_purgatory_aarch64_blob;
	struct kx_purgatory_params pp;
	struct kx_purgatory p;
	uint32_t seed = 4242;

	(void)state;
	kexec_ctx_set_log(ctx, NULL, NULL);
	for (size_t n = 0; n < len; n += 1 + n % 13) {
		uint8_t *t = malloc(n ? n : 1); /* exact size: valgrind sees any overread */

		assert_non_null(t);
		memcpy(t, kx_purgatory_aarch64_blob, n);
		assert_int_equal(kx_purgatory_init(ctx, &p, t, n), -ENOEXEC);
		free(t);
	}
	for (int iter = 0; iter < 2000; iter++) {
		uint8_t *t = malloc(len);
		int r;

		assert_non_null(t);
		memcpy(t, kx_purgatory_aarch64_blob, len);
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
			r = kx_purgatory_relocate(ctx, &p, 0x40000000);
			assert_true(r == 0 || r == -ERANGE);
			r = kx_purgatory_get_params(&p, &pp);
			assert_true(r == 0 || r == -EINVAL || r == -ENOENT);
			kx_purgatory_free(&p);
		}
		free(t);
	}
	kexec_ctx_free(ctx);
}

/* ---- The relocated check, run as arm64 code -------------------------------- */

/* tests/unit/arm64/kx-arm64-run-blob, beside this test in the build tree. */
static bool find_runner(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	snprintf(out, size, "%s/unit/arm64/kx-arm64-run-blob", dirname(self));
	return access(out, X_OK) == 0;
}

/* qemu-aarch64 from PATH; "" on an arm64 host (run natively); NULL: none. */
static const char *find_qemu(char *out, size_t size)
{
#if defined(__aarch64__)
	(void)size;
	out[0] = '\0';
	return out;
#else
	static const char *const names[] = { "qemu-aarch64-static", "qemu-aarch64" };
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

/* Runs argv (NULL-terminated), its output to /dev/null; its exit status, or -1. */
static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define DATA_A 0x50000000ULL
#define DATA_B 0x50200000ULL

struct blob_run {
	char runner[PATH_MAX], qemu[PATH_MAX], dir[64];
	char image[128], a[128], b[128];
	uint8_t *one, *two;
	size_t one_len, two_len;
};

/*
 * The relocated blob for base, checking two regions (one at an odd address)
 * and skipping an empty one, on one path; saved as r->image. Returns the
 * relocated purgatory_verify() and memsz.
 */
static void save_image(struct kexec_ctx *ctx, struct blob_run *r, uint64_t base, uint32_t ce,
		       uint32_t neon, uint64_t *entry, uint64_t *memsz)
{
	struct kx_purgatory_params pp = { .entry = 0x40200000, .boot_data = 0x48000000 };
	struct kx_purgatory p;
	struct kx_sha256 s;

	pp.regions[0] = (struct kx_sha_region){ DATA_A, r->one_len };
	pp.regions[2] = (struct kx_sha_region){ 0xdead0000, 0 }; /* never read */
	pp.regions[7] = (struct kx_sha_region){ DATA_B + 3, r->two_len - 3 };
	kx_sha256_init(&s);
	kx_sha256_lanes_update(&s, r->one, r->one_len);
	kx_sha256_lanes_update(&s, r->two + 3, r->two_len - 3);
	kx_sha256_final(&s, pp.sha256);

	init_blob(ctx, &p);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_set(&p, "kx_sha_ce", &ce, 4), 0);
	assert_int_equal(kx_purgatory_set(&p, "kx_neon", &neon, 4), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, base), 0);
	*entry = sym(&p, "purgatory_verify");
	*memsz = p.memsz;
	write_file(r->image, p.buf, p.bufsz);
	kx_purgatory_free(&p);
}

static int run_blob(struct blob_run *r, uint64_t base, uint64_t entry, uint64_t memsz)
{
	char sbase[32], smemsz[32], sentry[32], sa[32], sla[32], sb[32], slb[32];
	char *argv[20];
	int n = 0;

	snprintf(sbase, sizeof(sbase), "0x%llx", (unsigned long long)base);
	snprintf(smemsz, sizeof(smemsz), "0x%llx", (unsigned long long)memsz);
	snprintf(sentry, sizeof(sentry), "0x%llx", (unsigned long long)entry);
	snprintf(sa, sizeof(sa), "0x%llx", DATA_A);
	snprintf(sla, sizeof(sla), "0x%zx", r->one_len);
	snprintf(sb, sizeof(sb), "0x%llx", DATA_B);
	snprintf(slb, sizeof(slb), "0x%zx", r->two_len);
	if (r->qemu[0]) {
		argv[n++] = r->qemu;
		argv[n++] = (char *)"-cpu";
		argv[n++] = (char *)"max";
	}
	argv[n++] = r->runner;
	argv[n++] = r->image;
	argv[n++] = sbase;
	argv[n++] = smemsz;
	argv[n++] = sentry;
	argv[n++] = r->a;
	argv[n++] = sa;
	argv[n++] = sla;
	argv[n++] = r->b;
	argv[n++] = sb;
	argv[n++] = slb;
	argv[n] = NULL;
	return run(argv);
}

static void test_run_blob(void **state)
{
	NEED_BLOB(); /* first: nothing to free */
	static const struct {
		const char *name;
		uint32_t ce, neon;
	} paths[] = { { "portable", 0, 0 }, { "neon", 0, 1 }, { "ce", 1, 0 } };
	static const uint64_t run_bases[] = { 0x40000000, 0x800000000ULL };
	struct kexec_ctx *ctx = new_ctx();
	struct blob_run r;
	uint64_t entry, memsz;

	(void)state;
	memset(&r, 0, sizeof(r));
	if (!find_runner(r.runner, sizeof(r.runner)) || !find_qemu(r.qemu, sizeof(r.qemu))) {
		kexec_ctx_free(ctx);
		print_message("no qemu-aarch64 (apt-get install qemu-user-static) or no runner\n");
		skip();
	}
	snprintf(r.dir, sizeof(r.dir), "%s/kx-arm64-XXXXXX",
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
	write_file(r.b, r.two, r.two_len);

	for (size_t b = 0; b < ARRAY_SIZE(run_bases); b++) {
		for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
			int st;

			save_image(ctx, &r, run_bases[b], paths[i].ce, paths[i].neon, &entry, &memsz);
			st = run_blob(&r, run_bases[b], entry, memsz);
			if (st != 0)
				fail_msg("%s at 0x%llx: the blob refused the library's digest (exit %d; "
					 "10 and up: the runner failed, see run-blob.c)",
					 paths[i].name, (unsigned long long)run_bases[b], st);
			/* A changed byte in the second region (the data, not the digest). */
			r.two[4096 + 5] ^= 0x40;
			write_file(r.b, r.two, r.two_len);
			st = run_blob(&r, run_bases[b], entry, memsz);
			r.two[4096 + 5] ^= 0x40;
			write_file(r.b, r.two, r.two_len);
			if (st != 1)
				fail_msg("%s at 0x%llx: a changed byte gave exit %d, not 1 (mismatch)",
					 paths[i].name, (unsigned long long)run_bases[b], st);
		}
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
	if (n <= 0 || !find_in_path("qemu-system-aarch64", e->qemu, sizeof(e->qemu)))
		return false;
	self[n] = '\0';
	snprintf(e->kernel, sizeof(e->kernel), "%s/unit/arm64/kx-arm64-fake-kernel", dirname(self));
	if (access(e->kernel, R_OK))
		return false;
	snprintf(e->dir, sizeof(e->dir), "%s/kx-arm64-vm-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->a, sizeof(e->a), "%s/a", e->dir);
	snprintf(e->b, sizeof(e->b), "%s/b", e->dir);
	snprintf(e->image, sizeof(e->image), "%s/image", e->dir);
	snprintf(e->config, sizeof(e->config), "%s/config", e->dir);
	snprintf(e->serial, sizeof(e->serial), "%s/serial", e->dir);
	/* Region A: 1 MiB + 77 bytes at an odd address; B: 8 MiB in 2 MiB blocks. */
	e->a_len = 5 + (1 << 20) + 77;
	e->b_len = 8 << 20;
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
 * Boots case c; its serial output in out. QEMU ends through semihosting when
 * the fake kernel is reached; a purgatory that halts is stopped once it has
 * printed its line, or after 20 s.
 */
static void vm_boot(struct kexec_ctx *ctx, struct vm_env *e, const struct vm_case *c,
		    char *out, size_t size)
{
	uint64_t base = c->high ? VM_HIGH : VM_PURGATORY, b_addr = c->high ? VM_HIGH + 0x800000 : VM_B;
	struct kx_purgatory_params pp = { .entry = VM_FAKE_KERNEL, .boot_data = VM_DTB,
					  .console_kind = KX_CONSOLE_PL011,
					  .console_base = 0x09000000 };
	char machine[64], mem[16], dev[6][PATH_MAX + 64];
	uint64_t config[4];
	struct kx_purgatory p;
	struct kx_sha256 s;
	char *argv[40];
	int n = 0, status = 0;
	pid_t pid;

	if (!c->no_regions) {
		pp.regions[1] = (struct kx_sha_region){ VM_A + 5, e->a_len - 5 };
		pp.regions[4] = (struct kx_sha_region){ b_addr, e->b_len };
		if (c->fault)
			pp.regions[6] = (struct kx_sha_region){ 0x100000000ULL, 4096 };
	}
	kx_sha256_init(&s);
	for (int i = 0; i < KX_SHA_REGIONS_MAX; i++) {
		if (!pp.regions[i].len)
			continue;
		if (pp.regions[i].start == VM_A + 5)
			kx_sha256_lanes_update(&s, e->a_data + 5, e->a_len - 5);
		else if (pp.regions[i].start == b_addr)
			kx_sha256_lanes_update(&s, e->b_data, e->b_len);
	}
	kx_sha256_final(&s, pp.sha256);
	if (c->no_mmu)
		pp.arch[0] = KX_ARM64_NO_MMU;
	if (c->corrupt)
		e->b_data[3 << 20] ^= 0x08; /* in the second 2 MiB block */
	write_file(e->b, e->b_data, e->b_len);
	if (c->corrupt)
		e->b_data[3 << 20] ^= 0x08;

	init_blob(ctx, &p);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, base), 0);
	config[0] = sym(&p, KX_PURGATORY_ENTRY_NAME);
	config[1] = c->vhe;
	config[2] = sym(&p, "kx_check_path");
	config[3] = sym(&p, "kx_check_ticks");
	write_file(e->image, p.buf, p.bufsz); /* QEMU's RAM is zero: .bss past bufsz */
	write_file(e->config, config, sizeof(config));
	kx_purgatory_free(&p);
	unlink(e->serial);

	snprintf(machine, sizeof(machine), "virt%s", c->el2 ? ",virtualization=on" : "");
	snprintf(mem, sizeof(mem), "%s", c->high ? "5G" : "1G");
	snprintf(dev[0], sizeof(dev[0]), "loader,file=%s,cpu-num=0", e->kernel);
	snprintf(dev[1], sizeof(dev[1]), "loader,file=%s,addr=0x%llx,force-raw=on", e->image,
		 (unsigned long long)base);
	snprintf(dev[2], sizeof(dev[2]), "loader,file=%s,addr=0x%llx,force-raw=on", e->config,
		 VM_CONFIG);
	snprintf(dev[3], sizeof(dev[3]), "loader,file=%s,addr=0x%llx,force-raw=on", e->a, VM_A);
	snprintf(dev[4], sizeof(dev[4]), "loader,file=%s,addr=0x%llx,force-raw=on", e->b,
		 (unsigned long long)b_addr);
	snprintf(dev[5], sizeof(dev[5]), "file:%s", e->serial);
	argv[n++] = e->qemu;
	argv[n++] = (char *)"-M";
	argv[n++] = machine;
	argv[n++] = (char *)"-cpu";
	argv[n++] = (char *)"max";
	argv[n++] = (char *)"-m";
	argv[n++] = mem;
	argv[n++] = (char *)"-display";
	argv[n++] = (char *)"none";
	argv[n++] = (char *)"-monitor";
	argv[n++] = (char *)"none";
	argv[n++] = (char *)"-semihosting";
	argv[n++] = (char *)"-serial";
	argv[n++] = dev[5];
	for (int i = 0; i < 5; i++) {
		argv[n++] = (char *)"-device";
		argv[n++] = dev[i];
	}
	argv[n] = NULL;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0)
			dup2(fd, 0), dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int waited = 0;; waited++) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		assert_true(w >= 0);
		if (w == pid)
			break;
		read_text(e->serial, out, size);
		if (strstr(out, "purgatory: ") && strstr(out, "\r\n") ? waited > 2 : waited > 400) {
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
	};
	struct kexec_ctx *ctx = new_ctx();
	struct vm_env e;
	char out[4096];

	(void)state;
	if (!vm_env_open(&e)) {
		kexec_ctx_free(ctx);
		print_message("no qemu-system-aarch64 (apt-get install qemu-system-arm) or no fake kernel\n");
		skip();
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct vm_case *c = &cases[i];
		const char *k;

		vm_boot(ctx, &e, c, out, sizeof(out));
		if (getenv("KX_TEST_VERBOSE"))
			print_message("%s: %s", c->name, out);
		if (c->corrupt) {
			if (strcmp(out, "purgatory: sha256 mismatch\r\n"))
				fail_msg("%s: the serial port shows \"%s\", not the mismatch", c->name, out);
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
