/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void kx_alloc_init(struct kx_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->mem_max = UINT64_MAX;
}

void kx_alloc_free(struct kx_alloc *a)
{
	free(a->ram);
	free(a->used);
	kx_alloc_init(a);
}

static int cmp_range(const void *x, const void *y)
{
	const struct kx_range *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Insert keeping the array sorted, merging overlapping or touching ranges. */
static int insert(struct kx_range **arr, size_t *nr, size_t *cap, uint64_t start, uint64_t end)
{
	size_t i, j;
	int r;

	r = kx_grow((void **)arr, cap, *nr + 1, sizeof(**arr));
	if (r < 0)
		return r;
	(*arr)[(*nr)++] = (struct kx_range){ start, end };
	qsort(*arr, *nr, sizeof(**arr), cmp_range);
	for (i = 0, j = 0; i < *nr; i++) {
		if (j > 0 && ((*arr)[i].start <= (*arr)[j - 1].end ||
			      (*arr)[i].start - 1 == (*arr)[j - 1].end)) {
			if ((*arr)[i].end > (*arr)[j - 1].end)
				(*arr)[j - 1].end = (*arr)[i].end;
			continue;
		}
		(*arr)[j++] = (*arr)[i];
	}
	*nr = j;
	return 0;
}

int kx_alloc_add_ram(struct kx_alloc *a, uint64_t start, uint64_t size)
{
	if (!size)
		return 0;
	if (start + size - 1 < start)
		return -EOVERFLOW;
	return insert(&a->ram, &a->nr_ram, &a->cap_ram, start, start + size - 1);
}

static bool overlaps_used(const struct kx_alloc *a, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < a->nr_used; i++)
		if (start <= a->used[i].end && a->used[i].start <= end)
			return true;
	return false;
}

bool kx_alloc_is_ram(const struct kx_alloc *a, uint64_t start, uint64_t size)
{
	uint64_t end = start + size - 1;

	if (!size || end < start)
		return false;
	/* RAM ranges are merged, so one range must hold it all. */
	for (size_t i = 0; i < a->nr_ram; i++)
		if (a->ram[i].start <= start && end <= a->ram[i].end)
			return true;
	return false;
}

int kx_alloc_reserve(struct kx_alloc *a, uint64_t start, uint64_t size)
{
	if (!size)
		return 0;
	if (start + size - 1 < start)
		return -EOVERFLOW;
	if (overlaps_used(a, start, start + size - 1))
		return -EBUSY;
	return insert(&a->used, &a->nr_used, &a->cap_used, start, start + size - 1);
}

/*
 * The best block inside one free hole [hs, he] within [lo, hi], or false.
 * Bottom-up takes the lowest aligned start, top-down the highest.
 */
static bool fit(uint64_t hs, uint64_t he, uint64_t lo, uint64_t hi, uint64_t size,
		uint64_t align, bool top_down, uint64_t *out)
{
	uint64_t s, e;

	if (hs < lo)
		hs = lo;
	if (he > hi)
		he = hi;
	if (hs > he || he - hs + 1 < size)
		return false;
	if (top_down) {
		s = (he - size + 1) & ~(align - 1);
		if (s < hs)
			return false;
	} else {
		if (hs > UINT64_MAX - (align - 1))
			return false;
		s = (hs + align - 1) & ~(align - 1);
		e = s + size - 1;
		if (e < s || e > he)
			return false;
	}
	*out = s;
	return true;
}

int kx_alloc_place(struct kexec_ctx *ctx, struct kx_alloc *a, const struct kx_place *p,
		   uint64_t *addr)
{
	uint64_t align = p->align > 1 ? p->align : 1;
	uint64_t lo = p->min > a->mem_min ? p->min : a->mem_min;
	uint64_t hi = p->max && p->max < a->mem_max ? p->max : a->mem_max;
	bool found = false;
	uint64_t best = 0;

	if (align & (align - 1)) {
		kx_err(ctx, "cannot place %s: alignment %#" PRIx64 " is not a power of two", p->what,
		       align);
		return -EINVAL;
	}
	if (!p->size) {
		kx_err(ctx, "cannot place %s: size is zero", p->what);
		return -EINVAL;
	}
	/* Walk the holes: each RAM range minus the used ranges (both sorted). */
	for (size_t i = 0; i < a->nr_ram; i++) {
		uint64_t cur = a->ram[i].start, cand;
		size_t u = 0;

		for (;;) {
			uint64_t hole_end = a->ram[i].end;
			bool last = true;

			while (u < a->nr_used && a->used[u].end < cur)
				u++;
			if (u < a->nr_used && a->used[u].start <= a->ram[i].end) {
				if (a->used[u].start <= cur) {
					/* cur is inside a used range: skip past it. */
					if (a->used[u].end >= a->ram[i].end)
						break;
					cur = a->used[u].end + 1;
					continue;
				}
				hole_end = a->used[u].start - 1;
				last = false;
			}
			if (fit(cur, hole_end, lo, hi, p->size, align, p->top_down, &cand)) {
				if (!p->top_down) {
					*addr = cand;
					return kx_alloc_reserve(a, cand, p->size);
				}
				if (!found || cand > best)
					best = cand;
				found = true;
			}
			if (last)
				break;
			cur = a->used[u].start;
		}
	}
	if (found) {
		*addr = best;
		return kx_alloc_reserve(a, best, p->size);
	}
	kx_err(ctx, "no room for the %s: need %" PRIu64 " bytes (%" PRIu64 " MiB) aligned to %#" PRIx64
		    " in free RAM between %#" PRIx64 " and %#" PRIx64,
	       p->what, p->size, (p->size + (1 << 20) - 1) >> 20, align, lo, hi);
	return -EADDRNOTAVAIL;
}
