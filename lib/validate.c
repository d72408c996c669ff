/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Segment lists and the kernel's kexec_load rules (kernel/kexec.c,
 * kernel/kexec_core.c: kexec_load_check, do_kexec_load, kimage_alloc_init,
 * sanity_check_segment_list). The order matters: a request that breaks two
 * rules gets the errno of the rule the kernel checks first, so that what we
 * predict is what the kernel says.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"

KX_EXPORT void kexec_segment_list_init(struct kexec_segment_list *list)
{
	memset(list, 0, sizeof(*list));
}

KX_EXPORT void kexec_segment_list_free(struct kexec_segment_list *list)
{
	free(list->seg);
	memset(list, 0, sizeof(*list));
}

KX_EXPORT int kexec_segment_list_add(struct kexec_segment_list *list, const void *buf,
				     size_t bufsz, uint64_t mem, uint64_t memsz)
{
	int r;

	if (mem > UINTPTR_MAX || memsz > SIZE_MAX)
		return -EOVERFLOW;
	r = kx_grow((void **)&list->seg, &list->cap, list->nr + 1, sizeof(*list->seg));
	if (r < 0)
		return r;
	list->seg[list->nr++] = (struct kexec_segment){
		.buf = buf,
		.bufsz = bufsz,
		.mem = (const void *)(uintptr_t)mem,
		.memsz = (size_t)memsz,
	};
	return (int)list->nr - 1;
}

void kx_limits_native(struct kexec_limits *lim)
{
	const struct kx_arch *a = kx_arch_by_kexec_arch(kexec_native_arch());
	long ps = sysconf(_SC_PAGESIZE);

	memset(lim, 0, sizeof(*lim));
	lim->sz = sizeof(*lim);
	lim->native_arch = kexec_native_arch();
	lim->page_size = ps > 0 ? (uint64_t)ps : 4096;
	lim->dest_limit = a ? a->dest_limit : UINT64_MAX;
}

static int fail(const char **reason, const char *why, int *bad_index, int index, int err)
{
	if (reason)
		*reason = why;
	if (bad_index)
		*bad_index = index;
	return err;
}

/* kexec_load_check() and the syscall entry: flags, count, then arch. */
int kx_validate_request(const struct kexec_limits *lim, unsigned long nr, unsigned long flags,
			const char **reason)
{
	unsigned long legal = KEXEC_ON_CRASH | KEXEC_UPDATE_ELFCOREHDR |
			      KEXEC_CRASH_HOTPLUG_SUPPORT | KEXEC_ARCH_MASK;
	unsigned long arch = flags & KEXEC_ARCH_MASK;

	if (lim->kexec_jump)
		legal |= KEXEC_PRESERVE_CONTEXT;
	if (flags & ~legal)
		return fail(reason, "flags contain bits the kernel does not accept", NULL, -1,
			    -EINVAL);
	if (nr > KEXEC_SEGMENT_MAX)
		return fail(reason, "more than 16 segments", NULL, -1, -EINVAL);
	if (arch != KEXEC_ARCH_DEFAULT && arch != lim->native_arch)
		return fail(reason, "image architecture differs from the running kernel's", NULL,
			    -1, -EINVAL);
	return 0;
}

/* sanity_check_segment_list()'s first two loops: each destination, then overlaps. */
static int check_destinations(const struct kexec_limits *lim, unsigned long nr,
			      const struct kexec_segment *seg, const char **reason, int *bad_index)
{
	uint64_t page_mask = lim->page_size - 1;
	unsigned long i, j;

	for (i = 0; i < nr; i++) {
		uint64_t mstart = (uintptr_t)seg[i].mem, mend = mstart + seg[i].memsz;

		if (mstart > mend)
			return fail(reason, "destination wraps around the address space", bad_index,
				    (int)i, -EADDRNOTAVAIL);
		if ((mstart & page_mask) || (mend & page_mask))
			return fail(reason, "destination or size not page-aligned", bad_index,
				    (int)i, -EADDRNOTAVAIL);
		if (mend >= lim->dest_limit)
			return fail(reason, "destination beyond the kernel's addressable limit",
				    bad_index, (int)i, -EADDRNOTAVAIL);
	}
	for (i = 0; i < nr; i++) {
		uint64_t mstart = (uintptr_t)seg[i].mem, mend = mstart + seg[i].memsz;

		for (j = 0; j < i; j++) {
			uint64_t pstart = (uintptr_t)seg[j].mem, pend = pstart + seg[j].memsz;

			if (mend > pstart && mstart < pend)
				return fail(reason, "destination overlaps an earlier segment",
					    bad_index, (int)i, -EINVAL);
		}
	}
	return 0;
}

/* Its next two: bufsz within memsz, and at most half of RAM (when RAM is known). */
static int check_sizes(const struct kexec_limits *lim, unsigned long nr,
		       const struct kexec_segment *seg, const char **reason, int *bad_index)
{
	uint64_t page_mask = lim->page_size - 1, total_pages = 0;
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (seg[i].bufsz > seg[i].memsz)
			return fail(reason, "buffer larger than its destination (bufsz > memsz)",
				    bad_index, (int)i, -EINVAL);
	}
	for (i = 0; lim->totalram_pages && i < nr; i++) {
		uint64_t pages = (seg[i].memsz + page_mask) / lim->page_size;

		if (pages > lim->totalram_pages / 2)
			return fail(reason, "segment larger than half of RAM", bad_index, (int)i,
				    -EINVAL);
		total_pages += pages;
		if (total_pages > lim->totalram_pages / 2)
			return fail(reason, "segments together larger than half of RAM",
				    bad_index, (int)i, -EINVAL);
	}
	return 0;
}

int kx_validate(const struct kexec_limits *lim, unsigned long entry,
			     unsigned long nr, const struct kexec_segment *seg, unsigned long flags,
			     const char **reason, int *bad_index)
{
	/* The kernel's crashk_res: [0, 0] when nothing is reserved. */
	uint64_t crash_start = lim->has_crash_region ? lim->crash_start : 0;
	uint64_t crash_end = lim->has_crash_region ? lim->crash_end : 0;
	const char *no_region = "no crashkernel= memory is reserved";
	bool crash = flags & KEXEC_ON_CRASH;
	int r;

	if (reason)
		*reason = NULL;
	if (bad_index)
		*bad_index = -1;
	r = kx_validate_request(lim, nr, flags, reason);
	if (r < 0)
		return r;
	/* nr == 0 is an unload: nothing more to check. */
	if (nr == 0)
		return 0;
	/*
	 * kimage_alloc_init(): a crash entry must lie in the reservation. Without
	 * one, entry 0 passes (crashk_res is [0, 0]) and the segment checks
	 * decide (tests/unit/test-differential.c).
	 */
	if (crash && (entry < crash_start || entry > crash_end))
		return fail(reason,
			    lim->has_crash_region ? "entry point outside the crash kernel region"
						  : no_region,
			    bad_index, -1, -EADDRNOTAVAIL);
	/* sanity_check_segment_list(), loop by loop. */
	r = check_destinations(lim, nr, seg, reason, bad_index);
	if (r == 0)
		r = check_sizes(lim, nr, seg, reason, bad_index);
	if (r < 0 || !crash)
		return r;
	for (unsigned long i = 0; i < nr; i++) {
		uint64_t mstart = (uintptr_t)seg[i].mem, mend = mstart + seg[i].memsz - 1;

		if (mstart < crash_start || mend > crash_end)
			return fail(reason,
				    lim->has_crash_region ? "segment outside the crash kernel region"
							  : no_region,
				    bad_index, (int)i, -EADDRNOTAVAIL);
	}
	return 0;
}

KX_EXPORT int kexec_limits_native(struct kexec_limits *lim)
{
	struct kexec_limits full;

	if (!lim)
		return -EINVAL;
	kx_limits_native(&full);
	return kx_fill_out(lim, &full, sizeof(full));
}

KX_EXPORT int kexec_validate(const struct kexec_limits *lim, unsigned long entry,
			     unsigned long nr, const struct kexec_segment *seg, unsigned long flags,
			     char *why, size_t why_len, int *bad_index)
{
	struct kexec_limits full;
	const char *reason = NULL;
	int r;

	if (why && why_len)
		why[0] = '\0';
	if (bad_index)
		*bad_index = -1;
	if (!lim || lim->sz < KX_SIZE_TO(struct kexec_limits, native_arch))
		return -EINVAL;
	/* A caller's older structure: the fields it lacks are zero (not checked). */
	r = kx_request_copy(NULL, "kexec_limits", lim, lim->sz, &full, sizeof(full),
			    KX_SIZE_TO(struct kexec_limits, crash_end));
	if (r < 0)
		return r;
	r = kx_validate(&full, entry, nr, seg, flags, &reason, bad_index);
	if (why && why_len && reason)
		snprintf(why, why_len, "%s", reason);
	return r;
}
