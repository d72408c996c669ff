/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated kernel's kexec_load checks, written from the kernel's
 * sources (kernel/kexec.c and kernel/kexec_core.c, Linux 6.1 to 7.3) and
 * never from the planner's: lib/validate.c says what the planner predicts,
 * this file what the simulated kernel does, and tests/unit/test-differential.c
 * runs both over the same requests, so that a mistake in either shows as a
 * disagreement instead of being agreed with.
 */
#include <errno.h>

#include "sim-checks.h"

/* include/linux/kexec.h */
#define SIM_KEXEC_SEGMENT_MAX 16

/*
 * KEXEC_FLAGS of the simulated release (include/linux/kexec.h): 6.6 added
 * KEXEC_UPDATE_ELFCOREHDR, 6.10 KEXEC_CRASH_HOTPLUG_SUPPORT; KEXEC_DEBUG is
 * in no release up to 7.3 (lib/libkexec-internal.h, KX_KEXEC_DEBUG_*).
 */
static unsigned long kexec_flags(const struct kexec_sim_config *c)
{
	unsigned long f = KEXEC_ON_CRASH;

	if (c->limits.kexec_jump)
		f |= KEXEC_PRESERVE_CONTEXT;
	if (kx_sim_release_at_least(c, 6, 6))
		f |= KEXEC_UPDATE_ELFCOREHDR;
	if (kx_sim_release_at_least(c, 6, 10))
		f |= KEXEC_CRASH_HOTPLUG_SUPPORT;
	if ((c->kernel_major || c->kernel_minor) &&
	    kx_sim_release_at_least(c, KX_KEXEC_DEBUG_MAJOR, KX_KEXEC_DEBUG_MINOR))
		f |= KEXEC_DEBUG;
	return f;
}

bool kx_sim_release_at_least(const struct kexec_sim_config *c, unsigned major, unsigned minor)
{
	if (!c->kernel_major && !c->kernel_minor)
		return true;
	return c->kernel_major > major || (c->kernel_major == major && c->kernel_minor >= minor);
}

/*
 * kexec_load_check() after the permission and lockdown checks, then the
 * syscall's own architecture check:
 *
 *	if ((flags & KEXEC_FLAGS) != (flags & ~KEXEC_ARCH_MASK))
 *		return -EINVAL;
 *	if (nr_segments > KEXEC_SEGMENT_MAX)
 *		return -EINVAL;
 *	...
 *	if (((flags & KEXEC_ARCH_MASK) != KEXEC_ARCH) &&
 *	    ((flags & KEXEC_ARCH_MASK) != KEXEC_ARCH_DEFAULT))
 *		return -EINVAL;
 */
int kx_sim_check_flags(const struct kexec_sim_config *c, unsigned long nr, unsigned long flags)
{
	unsigned long arch = flags & KEXEC_ARCH_MASK;

	if ((flags & kexec_flags(c)) != (flags & ~(unsigned long)KEXEC_ARCH_MASK))
		return -EINVAL;
	if (nr > SIM_KEXEC_SEGMENT_MAX)
		return -EINVAL;
	if (arch != c->limits.native_arch && arch != KEXEC_ARCH_DEFAULT)
		return -EINVAL;
	return 0;
}

/*
 * kimage_alloc_init()'s entry check for a crash image, then
 * sanity_check_segment_list(), loop by loop. Without a crashkernel=
 * reservation the kernel's crashk_res is [0, 0], and its checks run
 * against that.
 */
int kx_sim_check_segments(const struct kexec_sim_config *c, unsigned long entry, unsigned long nr,
			  const struct kexec_segment *seg, unsigned long flags)
{
	const struct kexec_limits *l = &c->limits;
	uint64_t crash_start = l->has_crash_region ? l->crash_start : 0;
	uint64_t crash_end = l->has_crash_region ? l->crash_end : 0;
	uint64_t page = l->page_size ? l->page_size : 4096;
	uint64_t nr_pages = l->totalram_pages, total_pages = 0;
	unsigned long i, j;

	if (flags & KEXEC_ON_CRASH) {
		/* Verify we have a valid entry point */
		if (entry < crash_start || entry > crash_end)
			return -EADDRNOTAVAIL;
	}
	/* Verify we have good destination addresses. */
	for (i = 0; i < nr; i++) {
		uint64_t mstart = (uintptr_t)seg[i].mem;
		uint64_t mend = mstart + seg[i].memsz;

		if (mstart > mend)
			return -EADDRNOTAVAIL;
		if (mstart % page || mend % page)
			return -EADDRNOTAVAIL;
		if (mend >= l->dest_limit)
			return -EADDRNOTAVAIL;
	}
	/* Verify our destination addresses do not overlap. */
	for (i = 0; i < nr; i++) {
		uint64_t mstart = (uintptr_t)seg[i].mem, mend = mstart + seg[i].memsz;

		for (j = 0; j < i; j++) {
			uint64_t pstart = (uintptr_t)seg[j].mem, pend = pstart + seg[j].memsz;

			if (mend > pstart && mstart < pend)
				return -EINVAL;
		}
	}
	/* Ensure our buffer sizes are strictly less than our memory sizes. */
	for (i = 0; i < nr; i++)
		if (seg[i].bufsz > seg[i].memsz)
			return -EINVAL;
	/* Verify that no more than half of memory will be consumed (0: unknown, not checked). */
	for (i = 0; nr_pages && i < nr; i++) {
		uint64_t pages = seg[i].memsz / page + (seg[i].memsz % page != 0);

		if (pages > nr_pages / 2)
			return -EINVAL;
		total_pages += pages;
	}
	if (nr_pages && total_pages > nr_pages / 2)
		return -EINVAL;
	/* A crash image's segments must lie in the reservation. */
	if (flags & KEXEC_ON_CRASH) {
		for (i = 0; i < nr; i++) {
			uint64_t mstart = (uintptr_t)seg[i].mem;
			uint64_t mend = mstart + seg[i].memsz - 1;

			if (mstart < crash_start || mend > crash_end)
				return -EADDRNOTAVAIL;
		}
	}
	return 0;
}
