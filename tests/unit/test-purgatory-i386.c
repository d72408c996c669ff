/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The embedded i386 purgatory (purgatory/i386: its entry.S and
 * ../x86_64/purgatory.c compiled -m32), from any x86 host (gcc -m32) or with
 * i686-linux-gnu-gcc: an ELFCLASS32 EM_386 object with SHT_REL relocations.
 * Checked here: lib/arch/i386/reloc.c on each type (R_386_32 = S + A within
 * 32 bits; PC32 and PLT32 = S + A - P, signed 32 bits; nothing written on
 * -ERANGE); the blob parses and round-trips its parameters; relocated at two
 * bases, exactly the absolute words differ, by the distance between the
 * bases, each pointing into the image, and relocating again changes nothing;
 * a base whose addresses pass 4 GiB is refused as an overflow. The blob's run
 * is proven in the VM tests (tests/vm/test-i386-*.sh): it needs ring 0
 * (LGDT, a far jump).
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

#define NEED_BLOB()                                                                   \
	do {                                                                          \
		if (!kx_purgatory_i386_blob_size) {                                   \
			print_message("the i386 purgatory was not built\n");          \
			skip();                                                       \
		}                                                                     \
	} while (0)

static uint32_t word_at(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t apply_word(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc, int *r)
{
	uint8_t b[4] = { (uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
			 (uint8_t)(word >> 24) };

	*r = kx_reloc_i386.apply(b, type, sa, pc);
	return word_at(b);
}

static int64_t addend_of(uint32_t type, uint32_t word)
{
	uint8_t b[4] = { (uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
			 (uint8_t)(word >> 24) };

	return kx_reloc_i386.rel_addend(b, type);
}

static void test_reloc_apply(void **state)
{
	int r;

	(void)state;
	assert_int_equal(kx_reloc_i386.e_machine, EM_386);
	assert_int_equal(kx_reloc_i386.width(R_386_32), 4);
	assert_int_equal(kx_reloc_i386.width(R_386_PC32), 4);
	assert_int_equal(kx_reloc_i386.width(R_386_GOTPC), 0);
	assert_int_equal(kx_reloc_i386.width(R_386_GOT32), 0);
	/* Addends as the assembler leaves them: `call sym` holds -4. */
	assert_int_equal(addend_of(R_386_PC32, 0xfffffffc), -4);
	assert_int_equal(addend_of(R_386_32, 0x00000010), 16);
	/* R_386_32: S + A, within 32 bits. */
	assert_int_equal(apply_word(R_386_32, 0, 0x00102345, 0, &r), 0x00102345);
	assert_int_equal(r, 0);
	assert_int_equal(apply_word(R_386_32, 0x11223344, 0x100000000ULL, 0, &r), 0x11223344);
	assert_int_equal(r, -ERANGE);
	/* PC32: call at 0x100000 (field at 0x100001) to 0x100800: S + A - P. */
	assert_int_equal(apply_word(R_386_PC32, 0, 0x100800 - 4, 0x100001, &r), 0x7fb);
	assert_int_equal(r, 0);
	assert_int_equal(apply_word(R_386_PLT32, 0, 0x100000, 0x100100, &r), 0xffffff00);
	assert_int_equal(r, 0);
	assert_int_equal(apply_word(R_386_PC32, 0x55, 0x100000000ULL + 0x80000000ULL, 0, &r), 0x55);
	assert_int_equal(r, -ERANGE);
	assert_int_equal(apply_word(R_386_NONE, 0x12345678, 0x1000, 0, &r), 0x12345678);
	assert_int_equal(r, 0);
	assert_int_equal(kx_reloc_i386.apply((uint8_t[4]){ 0 }, R_386_GOTOFF, 0, 0), -EINVAL);
}

static uint64_t sym_addr(const struct kx_purgatory *p, const char *name)
{
	uint64_t a = 0;

	assert_int_equal(kx_purgatory_symbol_addr(p, name, &a), 0);
	return a;
}

static void test_blob(void **state)
{
	NEED_BLOB();
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kx_purgatory p, q;
	struct kx_purgatory_params pp = {
		.entry = 0x1000000, .boot_data = 0x100000, .console_base = 0x3f8,
		.console_kind = KX_CONSOLE_X86_PIO, .flags = KX_PF_PROGRESS,
		.regions = { { 0x1000000, 0x57c000 }, { 0x100000, 0x1040 } },
	}, back;
	const uint64_t b1 = 0x102000, b2 = 0x3fe00040; /* low bytes differ: a moved word differs from its first byte */
	unsigned int moved = 0;
	uint8_t *first;

	(void)state;
	assert_non_null(ctx);
	assert_int_equal(kx_purgatory_init(ctx, &p, kx_purgatory_i386_blob,
					   kx_purgatory_i386_blob_size), 0);
	assert_int_equal(kx_purgatory_init(ctx, &q, kx_purgatory_i386_blob,
					   kx_purgatory_i386_blob_size), 0);
	assert_true(sym_addr(&p, KX_PURGATORY_ENTRY_NAME) < p.bufsz);
	assert_true(sym_addr(&p, KX_PURGATORY_PARAMS_NAME) + sizeof(pp) <= p.bufsz);
	/* The stack is .bss, after the image. */
	assert_true(sym_addr(&p, "stack") >= p.bufsz && sym_addr(&p, "stack") < p.memsz);
	assert_int_equal(kx_purgatory_set_params(&p, &pp), 0);
	assert_int_equal(kx_purgatory_get_params(&p, &back), 0);
	assert_memory_equal(&pp, &back, sizeof(pp));
	assert_int_equal(kx_purgatory_set_params(&q, &pp), 0);

	assert_int_equal(kx_purgatory_relocate(ctx, &p, b1), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &q, b2), 0);
	for (size_t off = 0; off + 4 <= p.bufsz; off++) {
		uint32_t w1 = word_at(p.buf + off), w2 = word_at(q.buf + off);

		if (p.buf[off] == q.buf[off])
			continue;
		/* A differing byte starts (or lies in) an absolute word: find its start. */
		if ((uint32_t)(w2 - w1) != (uint32_t)(b2 - b1))
			continue;
		assert_true(w1 >= b1 && w1 <= b1 + p.memsz);
		moved++;
		off += 3;
	}
	/* entry.S's at least: the GDT pointer, the far jump, the stack, the parameters. */
	assert_true(moved >= 4);
	first = malloc(p.bufsz);
	assert_non_null(first);
	memcpy(first, p.buf, p.bufsz);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, b1), 0);
	assert_memory_equal(first, p.buf, p.bufsz);
	free(first);
	assert_int_equal(kx_purgatory_relocate(ctx, &q, 0xfffff000ULL), -ERANGE);
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
