/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The embedded MIPS purgatory (purgatory/mips, n64 -msym32), from any host
 * with mips64el-linux-gnuabi64-gcc (or a mips64 host): an ELFCLASS64 EM_MIPS
 * object whose RELA r_info is n64's (r_sym in the low word, the types in the
 * top bytes). Checked here: lib/arch/mips/reloc.c's decoding (a composed
 * relocation is refused) and each type (HI16 rounds for LO16's sign, both
 * and R_MIPS_32 refuse a value that is not 32 bits sign-extended, nothing
 * written then); the blob parses (purgatory_start at 0) and round-trips its
 * parameters; relocated at two CKSEG0 bases, every lui/addiu pair makes an
 * address inside the image, the bases' distance apart, and relocating again
 * changes nothing; a base outside the 32-bit sign-extended space is refused.
 * The blob's run is proven in the VM tests (tests/vm/test-mips64el-*.sh).
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libkexec.h"
#include "libkexec-internal.h"
#include "purgatory.h"

#define CKSEG0 0xffffffff80000000ULL

#define NEED_BLOB()                                                                   \
	do {                                                                          \
		if (!kx_purgatory_mips64_blob_size) {                                 \
			print_message("the mips purgatory was not built\n");          \
			skip();                                                       \
		}                                                                     \
	} while (0)

static uint32_t apply_word(uint32_t type, uint32_t word, uint64_t sa, int *r)
{
	uint8_t b[4];

	kx_put_le32(b, word);
	*r = kx_reloc_mips64.apply(b, type, sa, 0);
	return kx_le32(b);
}

static void test_reloc_apply(void **state)
{
	uint64_t i;
	uint8_t b8[8] = { 0 };
	int r;

	(void)state;
	assert_int_equal(kx_reloc_mips64.e_machine, EM_MIPS);
	/* n64 r_info: sym 3, type R_MIPS_HI16 (5) in the top byte. */
	i = kx_reloc_mips64.info(0x0500000000000003ULL);
	assert_int_equal(ELF64_R_SYM(i), 3);
	assert_int_equal(ELF64_R_TYPE(i), R_MIPS_HI16);
	/* A second type (R_MIPS_64 then R_MIPS_SUB): refused by width(). */
	i = kx_reloc_mips64.info(0x1218000000000007ULL);
	assert_int_equal(ELF64_R_SYM(i), 7);
	assert_int_equal(kx_reloc_mips64.width((uint32_t)ELF64_R_TYPE(i)), 0);
	assert_int_equal(kx_reloc_mips64.width(R_MIPS_26), 0);
	assert_int_equal(kx_reloc_mips64.width(R_MIPS_64), 8);
	/* lui t9, %hi(0xffffffff80128010): 0x8013, rounded for addiu's -0x7ff0. */
	assert_int_equal(apply_word(R_MIPS_HI16, 0x3c190000, CKSEG0 + 0x128010, &r),
			 0x3c198013);
	assert_int_equal(r, 0);
	assert_int_equal(apply_word(R_MIPS_LO16, 0x27390000, CKSEG0 + 0x128010, &r),
			 0x27398010);
	assert_int_equal(r, 0);
	/* Not 32 bits sign-extended (XKPHYS): refused, nothing written. */
	assert_int_equal(apply_word(R_MIPS_HI16, 0x3c190000, 0x9800000001000000ULL, &r), 0x3c190000);
	assert_int_equal(r, -ERANGE);
	assert_int_equal(apply_word(R_MIPS_32, 0x11223344, 0x80000000ULL, &r), 0x11223344);
	assert_int_equal(r, -ERANGE);
	assert_int_equal(apply_word(R_MIPS_32, 0, CKSEG0 + 0x40, &r), 0x80000040);
	assert_int_equal(r, 0);
	assert_int_equal(kx_reloc_mips64.apply(b8, R_MIPS_64, 0x9800000001490000ULL, 0), 0);
	assert_int_equal(kx_le64(b8), 0x9800000001490000ULL);
	assert_int_equal(kx_reloc_mips64.apply(b8, R_MIPS_26, 0, 0), -EINVAL);
}

static uint64_t sym_addr(const struct kx_purgatory *p, const char *name)
{
	uint64_t a = 0;

	assert_int_equal(kx_purgatory_symbol_addr(p, name, &a), 0);
	return a;
}

/* The address a lui (at off) and the addiu after it make. */
static uint64_t lui_addiu(const uint8_t *b)
{
	uint32_t hi = kx_le32(b) & 0xffff, lo = kx_le32(b + 4) & 0xffff;

	return (uint64_t)(int64_t)(int32_t)((hi << 16) + (uint32_t)(int32_t)(int16_t)lo);
}

static void test_blob(void **state)
{
	NEED_BLOB();
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kx_purgatory p, q;
	struct kx_purgatory_params pp = {
		.entry = 0xffffffff81490000ULL, .console_base = 0xffffffffbfe001e0ULL,
		.console_kind = KX_CONSOLE_8250_MMIO8, .flags = KX_PF_PROGRESS,
		.regions = { { 0x9800000001490000ULL, 0x508ab0 } },
	}, back;
	const uint64_t b1 = CKSEG0 + 0x4000000, b2 = CKSEG0 + 0x8c14000;
	uint8_t *first;

	(void)state;
	assert_non_null(ctx);
	assert_int_equal(kx_purgatory_init(ctx, &p, kx_purgatory_mips64_blob,
					   kx_purgatory_mips64_blob_size), 0);
	assert_int_equal(kx_purgatory_init(ctx, &q, kx_purgatory_mips64_blob,
					   kx_purgatory_mips64_blob_size), 0);
	assert_int_equal(sym_addr(&p, KX_PURGATORY_ENTRY_NAME), 0);
	assert_true(sym_addr(&p, KX_PURGATORY_PARAMS_NAME) + sizeof(pp) <= p.bufsz);
	assert_true(sym_addr(&p, "kx_stack_end") > p.bufsz && sym_addr(&p, "kx_stack_end") <= p.memsz);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_get_params(&p, &back), 0);
	assert_memory_equal(&pp, &back, sizeof(pp));

	assert_int_equal(kx_purgatory_relocate(ctx, &p, b1), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &q, b2), 0);
	/* purgatory_start: lui/addiu of its CKSEG0 label, then the stack's. */
	assert_true(lui_addiu(p.buf) >= b1 && lui_addiu(p.buf) < b1 + p.bufsz);
	assert_int_equal(lui_addiu(q.buf) - lui_addiu(p.buf), b2 - b1);
	/* Again at the same base: the same bytes (RELA). */
	first = malloc(p.bufsz);
	assert_non_null(first);
	memcpy(first, p.buf, p.bufsz);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, b1), 0);
	assert_memory_equal(first, p.buf, p.bufsz);
	free(first);
	/* An XKPHYS base: no 32-bit sign-extended address reaches it. */
	assert_int_equal(kx_purgatory_relocate(ctx, &q, 0x9800000004000000ULL), -ERANGE);
	kx_purgatory_free(&p);
	kx_purgatory_free(&q);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reloc_apply),
		cmocka_unit_test(test_blob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
