/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The embedded 32-bit ARM purgatory (purgatory/arm), from any host that
 * builds it (arm-linux-gnueabihf-gcc, or an arm host): an ELFCLASS32 object
 * with SHT_REL relocations, which lib/purgatory.c reads into its 64-bit
 * structures and relocates with the addends the fields hold. Checked here:
 * lib/arch/arm/reloc.c on each type against encodings of the ARM ARM (B/BL
 * imm24 in words from PC + 8), ranges and alignment refused with -ERANGE
 * and nothing written; the blob parses, lays out (entry at 0, the vectors
 * 32-byte aligned, the parameter block in the image) and round-trips its
 * parameters; relocated at two bases, exactly the absolute words differ, by
 * the distance between the bases, each pointing into the image, and
 * relocating again changes nothing; a base whose addresses pass 4 GiB is
 * refused as an overflow. The blob's run is proven in the VM tests
 * (tests/vm/test-arm-*.sh): it needs SVC mode (SCTLR, VBAR).
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
#include "purgatory.h"

#define NEED_BLOB()                                                                  \
	do {                                                                         \
		if (!kx_purgatory_arm_blob_size) {                                   \
			print_message("the arm purgatory was not built (no arm compiler)\n"); \
			skip();                                                      \
		}                                                                    \
	} while (0)

static uint32_t apply_word(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc, int *r)
{
	uint8_t b[4] = { (uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
			 (uint8_t)(word >> 24) };

	*r = kx_reloc_arm.apply(b, type, sa, pc);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int64_t addend_of(uint32_t type, uint32_t word)
{
	uint8_t b[4] = { (uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
			 (uint8_t)(word >> 24) };

	return kx_reloc_arm.rel_addend(b, type);
}

static void test_reloc_apply(void **state)
{
	int r;

	(void)state;
	assert_int_equal(kx_reloc_arm.e_machine, EM_ARM);
	/* The fields are words; types we do not apply have no width. */
	assert_int_equal(kx_reloc_arm.width(R_ARM_ABS32), 4);
	assert_int_equal(kx_reloc_arm.width(R_ARM_CALL), 4);
	assert_int_equal(kx_reloc_arm.width(R_ARM_MOVW_ABS_NC), 0);
	assert_int_equal(kx_reloc_arm.width(R_ARM_THM_PC22), 0);
	/* Addends as the assembler leaves them: `bl sym` is eb fffffe (-8: PC + 8). */
	assert_int_equal(addend_of(R_ARM_CALL, 0xebfffffe), -8);
	assert_int_equal(addend_of(R_ARM_JUMP24, 0xea000001), 4);
	assert_int_equal(addend_of(R_ARM_ABS32, 0x00000010), 16);
	assert_int_equal(addend_of(R_ARM_ABS32, 0xfffffff0), -16);
	/* ABS32: S + A, within 32 bits. */
	assert_int_equal(apply_word(R_ARM_ABS32, 0, 0x40001234, 0, &r), 0x40001234);
	assert_int_equal(r, 0);
	assert_int_equal(apply_word(R_ARM_ABS32, 0x11223344, 0x100000000ULL, 0, &r), 0x11223344);
	assert_int_equal(r, -ERANGE);
	/* REL32: S + A - P. */
	assert_int_equal(apply_word(R_ARM_REL32, 0, 0x40000000, 0x40000100, &r), 0xffffff00);
	assert_int_equal(r, 0);
	/* BL at 0x8000 to 0x9000 (S + A = 0x9000 - 8): imm24 = (0x9000 - 8 - 0x8000) / 4. */
	assert_int_equal(apply_word(R_ARM_CALL, 0xebfffffe, 0x9000 - 8, 0x8000, &r), 0xeb0003fe);
	assert_int_equal(r, 0);
	/* B backwards, the condition bits kept: bne from 0x9000 to 0x8000. */
	assert_int_equal(apply_word(R_ARM_JUMP24, 0x1afffffe, 0x8000 - 8, 0x9000, &r), 0x1afffbfe);
	assert_int_equal(r, 0);
	/* +-32 MiB and word alignment: beyond or between, nothing written. */
	assert_int_equal(apply_word(R_ARM_CALL, 0xebfffffe, 0x8000 + (32u << 20), 0x8000, &r),
			 0xebfffffe);
	assert_int_equal(r, -ERANGE);
	apply_word(R_ARM_CALL, 0xebfffffe, 0x8000 + (32u << 20) - 4, 0x8000, &r);
	assert_int_equal(r, 0);
	apply_word(R_ARM_CALL, 0xebfffffe, 0x8000, 0x8000 + (32u << 20), &r);
	assert_int_equal(r, 0);
	assert_int_equal(apply_word(R_ARM_JUMP24, 0xeafffffe, 0x9002, 0x8000, &r), 0xeafffffe);
	assert_int_equal(r, -ERANGE);
	/* NONE and V4BX write nothing. */
	assert_int_equal(apply_word(R_ARM_V4BX, 0xe12fff1e, 0x1234, 0, &r), 0xe12fff1e);
	assert_int_equal(r, 0);
}

static uint64_t sym_addr(const struct kx_purgatory *p, const char *name)
{
	uint64_t a = 0;

	assert_int_equal(kx_purgatory_symbol_addr(p, name, &a), 0);
	return a;
}

static uint32_t word_at(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void test_blob(void **state)
{
	NEED_BLOB();
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kx_purgatory p, q;
	struct kx_purgatory_params pp = {
		.entry = 0x41b00000, .boot_data = 0x42145000, .console_base = 0x09000000,
		.console_kind = KX_CONSOLE_PL011, .flags = KX_PF_PROGRESS,
		.regions = { { 0x41b00000, 0x545200 }, { 0x42145000, 0x1ddf } },
	}, back;
	const uint64_t b1 = 0x42147000, b2 = 0x7fff0000;
	unsigned int moved = 0;
	uint8_t *first;

	(void)state;
	assert_non_null(ctx);
	assert_int_equal(kx_purgatory_init(ctx, &p, kx_purgatory_arm_blob, kx_purgatory_arm_blob_size),
			 0);
	assert_int_equal(kx_purgatory_init(ctx, &q, kx_purgatory_arm_blob, kx_purgatory_arm_blob_size),
			 0);
	/* Layout: the entry first, the vectors VBAR can point at, .bss after the image. */
	assert_int_equal(sym_addr(&p, KX_PURGATORY_ENTRY_NAME), 0);
	assert_int_equal(sym_addr(&p, "kx_image_start"), 0);
	assert_int_equal(sym_addr(&p, "kx_vectors") % 32, 0);
	assert_true(sym_addr(&p, "kx_vectors") < p.bufsz);
	assert_true(sym_addr(&p, "kx_stack_end") > p.bufsz && sym_addr(&p, "kx_stack_end") <= p.memsz);
	assert_true(sym_addr(&p, KX_PURGATORY_PARAMS_NAME) + sizeof(pp) <= p.bufsz);
	assert_int_equal(sym_addr(&p, KX_PURGATORY_PARAMS_NAME) % 8, 0);
	/* The parameters go in by name and come back the same. */
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_get_params(&p, &back), 0);
	assert_memory_equal(&pp, &back, sizeof(pp));
	assert_int_equal(kx_purgatory_set_params(&q, &pp), 0);

	/* Two bases: only absolute words move, by the bases' distance, into the image. */
	assert_int_equal(kx_purgatory_relocate(ctx, &p, b1), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &q, b2), 0);
	for (size_t off = 0; off + 4 <= p.bufsz; off += 4) {
		uint32_t w1 = word_at(p.buf + off), w2 = word_at(q.buf + off);

		if (w1 == w2)
			continue;
		moved++;
		assert_int_equal((uint32_t)(w2 - w1), (uint32_t)(b2 - b1));
		assert_true(w1 >= b1 && w1 <= b1 + p.memsz);
	}
	/* entry.S's literals at least: the stack, the vectors, the parameter block. */
	assert_true(moved >= 3);
	/* Again at the same base: the same bytes (the addends come from the blob). */
	first = malloc(p.bufsz);
	assert_non_null(first);
	memcpy(first, p.buf, p.bufsz);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, b1), 0);
	assert_memory_equal(first, p.buf, p.bufsz);
	free(first);
	/* Past 4 GiB an absolute word cannot hold the address. */
	assert_int_equal(kx_purgatory_relocate(ctx, &q, 0xfffff000ULL), -ERANGE);
	assert_int_equal(kx_purgatory_relocate(ctx, &q, b1 + 2), -EINVAL);
	kx_purgatory_free(&p);
	kx_purgatory_free(&q);
	kexec_ctx_free(ctx);
}

/* The 32-bit class is only taken with its own structures' sizes. */
static void test_elf32_header(void **state)
{
	NEED_BLOB();
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kx_purgatory p;
	uint8_t *b = malloc(kx_purgatory_arm_blob_size);

	(void)state;
	assert_non_null(b);
	memcpy(b, kx_purgatory_arm_blob, kx_purgatory_arm_blob_size);
	assert_int_equal(b[EI_CLASS], ELFCLASS32);
	/* e_shentsize of Elf64_Shdr in a 32-bit file. */
	b[46] = sizeof(Elf64_Shdr);
	b[47] = 0;
	assert_int_equal(kx_purgatory_init(ctx, &p, b, kx_purgatory_arm_blob_size), -ENOEXEC);
	/* Another class. */
	memcpy(b, kx_purgatory_arm_blob, kx_purgatory_arm_blob_size);
	b[EI_CLASS] = 3;
	assert_int_equal(kx_purgatory_init(ctx, &p, b, kx_purgatory_arm_blob_size), -ENOEXEC);
	free(b);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reloc_apply),
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_elf32_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
