/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The placement allocator, table-driven. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "alloc.h"

#define KiB 0x400ULL
#define MiB 0x100000ULL
#define GiB 0x40000000ULL

struct span {
	uint64_t start, size;
};

struct row {
	const char *name;
	struct span ram[4];
	struct span used[4];
	uint64_t mem_min, mem_max;
	struct kx_place p;
	int err;
	uint64_t want;
};

/* A QEMU-like map: 0-640K, 1M-3G, 4G-6G. */
#define QEMU_RAM { { 0, 640 * KiB }, { MiB, 3 * GiB - MiB }, { 4 * GiB, 2 * GiB } }

static const struct row rows[] = {
	{ "bottom-up first fit", QEMU_RAM, {}, 0, 0,
	  { "k", 4 * KiB, 4 * KiB, 0, 0, false }, 0, 0 },
	{ "bottom-up respects min", QEMU_RAM, {}, 0, 0,
	  { "k", 4 * KiB, 4 * KiB, MiB, 0, false }, 0, MiB },
	{ "min inside a hole is aligned up", QEMU_RAM, {}, 0, 0,
	  { "k", 4 * KiB, 2 * MiB, MiB + 1, 0, false }, 0, 2 * MiB },
	{ "too big for low RAM goes to the next range", QEMU_RAM, {}, 0, 0,
	  { "k", MiB, 4 * KiB, 0, 0, false }, 0, MiB },
	{ "top-down takes the highest", QEMU_RAM, {}, 0, 0,
	  { "i", 8 * MiB, 4 * KiB, 0, 0, true }, 0, 6 * GiB - 8 * MiB },
	{ "top-down under a max", QEMU_RAM, {}, 0, 0,
	  { "i", 8 * MiB, 4 * KiB, 0, 4 * GiB - 1, true }, 0, 3 * GiB - 8 * MiB },
	{ "top-down aligned down", QEMU_RAM, {}, 0, 0,
	  { "i", 3 * MiB, 2 * MiB, 0, 0x7fffffff, true }, 0, 2 * GiB - 4 * MiB },
	{ "skips used ranges bottom-up", QEMU_RAM, { { MiB, 16 * MiB }, { 17 * MiB, MiB } }, 0, 0,
	  { "k", 2 * MiB, 4 * KiB, MiB, 0, false }, 0, 18 * MiB },
	{ "hole between used ranges", QEMU_RAM, { { MiB, MiB }, { 3 * MiB, 8 * MiB } }, 0, 0,
	  { "k", MiB, 4 * KiB, MiB, 0, false }, 0, 2 * MiB },
	{ "hole too small is skipped", QEMU_RAM, { { MiB, MiB }, { 2 * MiB + 4 * KiB, 8 * MiB } }, 0, 0,
	  { "k", 8 * KiB, 4 * KiB, MiB, 0, false }, 0, 10 * MiB + 4 * KiB },
	{ "top-down skips used at the top", QEMU_RAM, { { 6 * GiB - MiB, MiB } }, 0, 0,
	  { "i", MiB, 4 * KiB, 0, 0, true }, 0, 6 * GiB - 2 * MiB },
	{ "--mem-min and --mem-max bound everything", QEMU_RAM, {}, 16 * MiB, 32 * MiB - 1,
	  { "k", MiB, 4 * KiB, 0, 0, true }, 0, 31 * MiB },
	{ "--mem-max below the request's min", QEMU_RAM, {}, 0, 8 * MiB - 1,
	  { "k", MiB, 4 * KiB, 16 * MiB, 0, false }, -EADDRNOTAVAIL, 0 },
	{ "nothing fits", QEMU_RAM, {}, 0, 0,
	  { "initrd", 7 * GiB, 4 * KiB, 0, 0, true }, -EADDRNOTAVAIL, 0 },
	{ "exact fit", { { MiB, 2 * MiB } }, {}, 0, 0,
	  { "k", 2 * MiB, MiB, 0, 0, false }, 0, MiB },
	{ "alignment pushes past the end", { { MiB, 3 * MiB } }, {}, 0, 0,
	  { "k", 2 * MiB, 4 * MiB, 0, 0, false }, -EADDRNOTAVAIL, 0 },
	{ "not a power of two", QEMU_RAM, {}, 0, 0,
	  { "k", MiB, 3 * KiB, 0, 0, false }, -EINVAL, 0 },
	{ "zero size", QEMU_RAM, {}, 0, 0, { "k", 0, 4 * KiB, 0, 0, false }, -EINVAL, 0 },
	{ "no RAM", {}, {}, 0, 0, { "k", 4 * KiB, 4 * KiB, 0, 0, false }, -EADDRNOTAVAIL, 0 },
};

static char last_log[512];

static void capture(void *d, int prio, const char *msg)
{
	(void)d;
	(void)prio;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

static void table(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	(void)state;
	kexec_ctx_set_log(ctx, capture, NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct kx_alloc a;
		uint64_t got = 0xdead;
		int ret;

		kx_alloc_init(&a);
		for (int k = 0; k < 4; k++)
			assert_int_equal(kx_alloc_add_ram(&a, r->ram[k].start, r->ram[k].size), 0);
		for (int k = 0; k < 4; k++)
			assert_int_equal(kx_alloc_reserve(&a, r->used[k].start, r->used[k].size), 0);
		if (r->mem_min)
			a.mem_min = r->mem_min;
		if (r->mem_max)
			a.mem_max = r->mem_max;
		last_log[0] = '\0';
		ret = kx_alloc_place(ctx, &a, &r->p, &got);
		if (ret != r->err)
			fail_msg("%s: returned %d, want %d (%s)", r->name, ret, r->err, last_log);
		if (ret == 0 && got != r->want)
			fail_msg("%s: placed at %#llx, want %#llx", r->name, (unsigned long long)got,
				 (unsigned long long)r->want);
		if (ret == 0) {
			assert_true(kx_alloc_is_ram(&a, got, r->p.size));
			/* It is now taken: the same block cannot be reserved again. */
			assert_int_equal(kx_alloc_reserve(&a, got, r->p.size), -EBUSY);
		}
		if (ret == -EADDRNOTAVAIL && !strstr(last_log, r->p.what))
			fail_msg("%s: error does not name the %s: %s", r->name, r->p.what, last_log);
		kx_alloc_free(&a);
	}
	kexec_ctx_free(ctx);
}

static void error_names_size_and_window(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kx_place p = { "initrd", 300 * MiB, 4 * KiB, MiB, 0x7fffffff, true };
	struct kx_alloc a;
	uint64_t got;

	(void)state;
	kexec_ctx_set_log(ctx, capture, NULL);
	kx_alloc_init(&a);
	kx_alloc_add_ram(&a, 0, 256 * MiB);
	assert_int_equal(kx_alloc_place(ctx, &a, &p, &got), -EADDRNOTAVAIL);
	assert_non_null(strstr(last_log, "initrd"));
	assert_non_null(strstr(last_log, "300 MiB"));
	assert_non_null(strstr(last_log, "0x100000"));
	assert_non_null(strstr(last_log, "0x7fffffff"));
	kx_alloc_free(&a);
	kexec_ctx_free(ctx);
}

/* Many placements never overlap and stay inside RAM; merging keeps the tables small. */
static void many(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kx_alloc a;
	uint64_t got[200];

	(void)state;
	kx_alloc_init(&a);
	for (int i = 0; i < 1000; i++) /* 1000 ranges of 1 MiB with 1 MiB gaps */
		assert_int_equal(kx_alloc_add_ram(&a, (uint64_t)i * 2 * MiB, MiB), 0);
	assert_int_equal(a.nr_ram, 1000);
	/* [0, 4M) overlaps [0, 1M) and [2M, 3M) and touches [4M, 5M): all four merge. */
	kx_alloc_add_ram(&a, 0, 4 * MiB);
	assert_int_equal(a.nr_ram, 998);
	assert_true(kx_alloc_is_ram(&a, 0, 5 * MiB));
	assert_false(kx_alloc_is_ram(&a, 0, 5 * MiB + 1));
	assert_false(kx_alloc_is_ram(&a, 5 * MiB, 1));
	assert_false(kx_alloc_is_ram(&a, 6 * MiB, 0));
	for (int i = 0; i < 200; i++) {
		struct kx_place p = { "seg", 768 * KiB, 4 * KiB, 0, 0, i % 2 };

		assert_int_equal(kx_alloc_place(ctx, &a, &p, &got[i]), 0);
		for (int j = 0; j < i; j++)
			assert_true(got[i] + p.size <= got[j] || got[j] + p.size <= got[i]);
	}
	kx_alloc_free(&a);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(error_names_size_and_window),
		cmocka_unit_test(many),
	};
	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
