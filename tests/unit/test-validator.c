/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The validator: one case per kernel rule, and the order in which they apply. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "libkexec.h"
#include "libkexec-internal.h"

#define MiB (1ULL << 20)

static struct kexec_limits lim;
static char buf[8192];

static int setup(void **state)
{
	(void)state;
	kx_limits_native(&lim);
	lim.native_arch = KEXEC_ARCH_X86_64;
	lim.dest_limit = (1ULL << 46) - 1;
	lim.totalram_pages = (1024 * MiB) / 4096;
	lim.has_crash_region = true;
	lim.crash_start = 0x30000000;
	lim.crash_end = 0x3fffffff;
	return 0;
}

static struct kexec_segment seg(uint64_t mem, uint64_t memsz, size_t bufsz)
{
	return (struct kexec_segment){ buf, bufsz, (const void *)(uintptr_t)mem, memsz };
}

static int check(unsigned long entry, unsigned long nr, const struct kexec_segment *s,
		 unsigned long flags, int *bad)
{
	const char *reason = NULL;
	int r = kx_validate(&lim, entry, nr, s, flags, &reason, bad);

	if (r)
		assert_non_null(reason);
	else
		assert_null(reason);
	return r;
}

static void valid_request(void **state)
{
	struct kexec_segment s[3] = { seg(0x100000, 0x200000, 100), seg(0x1000000, 0x1000, 4096),
				      seg(0x2000000, 0x4000, 0) };
	int bad = 99;

	(void)state;
	assert_int_equal(check(0x100000, 3, s, KEXEC_ARCH_DEFAULT, &bad), 0);
	assert_int_equal(bad, -1);
	assert_int_equal(check(0x100000, 3, s, KEXEC_ARCH_X86_64, NULL), 0);
}

static void unload_is_valid(void **state)
{
	(void)state;
	assert_int_equal(check(0, 0, NULL, 0, NULL), 0);
	assert_int_equal(check(0, 0, NULL, KEXEC_ON_CRASH, NULL), 0);
}

static void too_many_segments(void **state)
{
	struct kexec_segment s[17];

	(void)state;
	for (int i = 0; i < 17; i++)
		s[i] = seg(0x100000 + (uint64_t)i * 0x1000, 0x1000, 0);
	assert_int_equal(check(0x100000, 16, s, 0, NULL), 0);
	assert_int_equal(check(0x100000, 17, s, 0, NULL), -EINVAL);
}

static void illegal_flags(void **state)
{
	struct kexec_segment s[1] = { seg(0x100000, 0x1000, 0) };

	(void)state;
	assert_int_equal(check(0x100000, 1, s, 0x10, NULL), -EINVAL);
	/* PRESERVE_CONTEXT only with CONFIG_KEXEC_JUMP. */
	assert_int_equal(check(0x100000, 1, s, KEXEC_PRESERVE_CONTEXT, NULL), -EINVAL);
	lim.kexec_jump = true;
	assert_int_equal(check(0x100000, 1, s, KEXEC_PRESERVE_CONTEXT, NULL), 0);
	lim.kexec_jump = false;
}

static void foreign_arch(void **state)
{
	struct kexec_segment s[1] = { seg(0x100000, 0x1000, 0) };

	(void)state;
	assert_int_equal(check(0x100000, 1, s, KEXEC_ARCH_AARCH64, NULL), -EINVAL);
	assert_int_equal(check(0x100000, 1, s, KEXEC_ARCH_386, NULL), -EINVAL);
}

static void wraps(void **state)
{
	struct kexec_segment s[1] = { seg(0xfffffffffffff000ULL, 0x2000, 0) };
	int bad;

	(void)state;
	assert_int_equal(check(0, 1, s, 0, &bad), -EADDRNOTAVAIL);
	assert_int_equal(bad, 0);
}

static void unaligned(void **state)
{
	struct kexec_segment a[1] = { seg(0x100800, 0x1000, 0) };
	struct kexec_segment b[2] = { seg(0x100000, 0x1000, 0), seg(0x200000, 0x1800, 0) };
	int bad;

	(void)state;
	assert_int_equal(check(0, 1, a, 0, &bad), -EADDRNOTAVAIL);
	assert_int_equal(bad, 0);
	assert_int_equal(check(0, 2, b, 0, &bad), -EADDRNOTAVAIL);
	assert_int_equal(bad, 1);
}

static void beyond_limit(void **state)
{
	struct kexec_segment s[1] = { seg((1ULL << 46) - 0x1000, 0x1000, 0) };
	struct kexec_segment ok[1] = { seg((1ULL << 46) - 0x2000, 0x1000, 0) };

	(void)state;
	/* The end must be strictly below the limit (mend >= limit fails). */
	assert_int_equal(check(0, 1, s, 0, NULL), -EADDRNOTAVAIL);
	assert_int_equal(check(0, 1, ok, 0, NULL), 0);
}

static void overlap(void **state)
{
	struct kexec_segment s[3] = { seg(0x100000, 0x2000, 0), seg(0x200000, 0x1000, 0),
				      seg(0x101000, 0x1000, 0) };
	struct kexec_segment touching[2] = { seg(0x100000, 0x1000, 0), seg(0x101000, 0x1000, 0) };
	int bad;

	(void)state;
	assert_int_equal(check(0, 3, s, 0, &bad), -EINVAL);
	assert_int_equal(bad, 2);
	assert_int_equal(check(0, 2, touching, 0, NULL), 0);
}

static void bufsz_over_memsz(void **state)
{
	struct kexec_segment s[2] = { seg(0x100000, 0x1000, 0x1000), seg(0x200000, 0x1000, 0x1001) };
	int bad;

	(void)state;
	assert_int_equal(check(0, 2, s, 0, &bad), -EINVAL);
	assert_int_equal(bad, 1);
}

static void half_of_ram(void **state)
{
	struct kexec_segment one[1] = { seg(0x1000000, 512 * MiB + 0x1000, 0) };
	struct kexec_segment two[2] = { seg(0x1000000, 300 * MiB, 0),
					seg(0x20000000, 300 * MiB, 0) };
	int bad;

	(void)state;
	assert_int_equal(check(0, 1, one, 0, &bad), -EINVAL);
	assert_int_equal(bad, 0);
	assert_int_equal(check(0, 2, two, 0, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	lim.totalram_pages = 0; /* unknown: not checked */
	assert_int_equal(check(0, 2, two, 0, NULL), 0);
	lim.totalram_pages = (1024 * MiB) / 4096;
}

static void crash_entry_outside(void **state)
{
	struct kexec_segment s[1] = { seg(0x30000000, 0x1000, 0) };

	(void)state;
	assert_int_equal(check(0x30000000, 1, s, KEXEC_ON_CRASH, NULL), 0);
	assert_int_equal(check(0x2fffffff, 1, s, KEXEC_ON_CRASH, NULL), -EADDRNOTAVAIL);
	assert_int_equal(check(0x40000000, 1, s, KEXEC_ON_CRASH, NULL), -EADDRNOTAVAIL);
	assert_int_equal(check(0x3fffffff, 1, s, KEXEC_ON_CRASH, NULL), 0);
}

static void crash_segment_outside(void **state)
{
	struct kexec_segment s[2] = { seg(0x30000000, 0x1000, 0), seg(0x3ffff000, 0x2000, 0) };
	struct kexec_segment last[1] = { seg(0x3ffff000, 0x1000, 0) };
	int bad;

	(void)state;
	assert_int_equal(check(0x30000000, 2, s, KEXEC_ON_CRASH, &bad), -EADDRNOTAVAIL);
	assert_int_equal(bad, 1);
	assert_int_equal(check(0x30000000, 1, last, KEXEC_ON_CRASH, NULL), 0);
	/* The same segments are fine for a normal load. */
	assert_int_equal(check(0x30000000, 2, s, 0, NULL), 0);
}

static void crash_without_reservation(void **state)
{
	struct kexec_segment s[1] = { seg(0x30000000, 0x1000, 0) };

	(void)state;
	lim.has_crash_region = false;
	assert_int_equal(check(0x30000000, 1, s, KEXEC_ON_CRASH, NULL), -EADDRNOTAVAIL);
	lim.has_crash_region = true;
}

/* A request that breaks several rules gets the errno of the first rule checked. */
static void order_of_checks(void **state)
{
	struct kexec_segment s[17];
	int bad;

	(void)state;
	for (int i = 0; i < 17; i++)
		s[i] = seg(0x100000, 0x1000, 0x2000); /* overlapping and bufsz > memsz */
	/* flags before count before arch */
	assert_int_equal(check(0, 17, s, 0x10 | KEXEC_ARCH_AARCH64, NULL), -EINVAL);
	/* arch wrong, 1 segment unaligned: arch (EINVAL) wins over alignment. */
	s[0] = seg(0x100800, 0x1000, 0);
	assert_int_equal(check(0, 1, s, KEXEC_ARCH_AARCH64, NULL), -EINVAL);
	/* Crash entry before segment checks: EADDRNOTAVAIL although segments also overlap. */
	s[0] = seg(0x30000000, 0x2000, 0);
	s[1] = seg(0x30001000, 0x1000, 0);
	assert_int_equal(check(0x1000, 2, s, KEXEC_ON_CRASH, NULL), -EADDRNOTAVAIL);
	/* Alignment of a later segment (EADDRNOTAVAIL) before an earlier overlap (EINVAL). */
	s[0] = seg(0x100000, 0x2000, 0);
	s[1] = seg(0x101000, 0x1000, 0);
	s[2] = seg(0x300800, 0x1000, 0);
	assert_int_equal(check(0, 3, s, 0, &bad), -EADDRNOTAVAIL);
	assert_int_equal(bad, 2);
	/* Overlap (EINVAL, index 1) before bufsz > memsz at index 0. */
	s[0] = seg(0x100000, 0x2000, 0x3000);
	s[1] = seg(0x101000, 0x1000, 0);
	assert_int_equal(check(0, 2, s, 0, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	/* bufsz > memsz (EINVAL) before a crash segment outside the region (EADDRNOTAVAIL). */
	s[0] = seg(0x30000000, 0x1000, 0x2000);
	s[1] = seg(0x50000000, 0x1000, 0);
	assert_int_equal(check(0x30000000, 2, s, KEXEC_ON_CRASH, &bad), -EINVAL);
	assert_int_equal(bad, 0);
	/* Size (half of RAM, EINVAL) before crash region (EADDRNOTAVAIL). */
	s[0] = seg(0x50000000, 600 * MiB, 0);
	assert_int_equal(check(0x30000000, 1, s, KEXEC_ON_CRASH, NULL), -EINVAL);
}

static void segment_list(void **state)
{
	struct kexec_segment_list l;

	(void)state;
	kexec_segment_list_init(&l);
	for (int i = 0; i < 40; i++)
		assert_int_equal(kexec_segment_list_add(&l, buf, 10, 0x100000 + i * 0x1000ULL, 0x1000), i);
	assert_int_equal(l.nr, 40);
	assert_ptr_equal(l.seg[39].mem, (const void *)(uintptr_t)(0x100000 + 39 * 0x1000));
	assert_int_equal(check(0x100000, l.nr, l.seg, 0, NULL), -EINVAL); /* > 16 */
	kexec_segment_list_free(&l);
	assert_int_equal(l.nr, 0);
	assert_null(l.seg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_request),
		cmocka_unit_test(unload_is_valid),
		cmocka_unit_test(too_many_segments),
		cmocka_unit_test(illegal_flags),
		cmocka_unit_test(foreign_arch),
		cmocka_unit_test(wraps),
		cmocka_unit_test(unaligned),
		cmocka_unit_test(beyond_limit),
		cmocka_unit_test(overlap),
		cmocka_unit_test(bufsz_over_memsz),
		cmocka_unit_test(half_of_ram),
		cmocka_unit_test(crash_entry_outside),
		cmocka_unit_test(crash_segment_outside),
		cmocka_unit_test(crash_without_reservation),
		cmocka_unit_test(order_of_checks),
		cmocka_unit_test(segment_list),
	};
	return cmocka_run_group_tests_name("validator", tests, setup, NULL);
}
