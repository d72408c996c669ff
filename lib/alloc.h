/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one placement allocator: RAM minus what is already placed, searched
 * top-down or bottom-up for a block of a given size and alignment within
 * [min, max]. Every segment a loader builds is placed through it (the role of
 * the kernel's kexec_locate_mem_hole / kexec-tools' locate_hole).
 */
#ifndef LIBKEXEC_ALLOC_H
#define LIBKEXEC_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "libkexec-internal.h"

struct kx_range {
	uint64_t start;
	uint64_t end; /* inclusive */
};

struct kx_alloc {
	struct kx_range *ram;
	size_t nr_ram, cap_ram;
	struct kx_range *used;
	size_t nr_used, cap_used;
	uint64_t mem_min; /* --mem-min: nothing is placed below */
	uint64_t mem_max; /* --mem-max: nothing ends above (inclusive) */
};

struct kx_place {
	const char *what;   /* for the error message: "kernel", "initrd" ... */
	uint64_t size;
	uint64_t align;     /* power of two; 0 or 1: none */
	uint64_t min;       /* lowest start */
	uint64_t max;       /* highest last byte (inclusive); 0: no limit */
	bool top_down;
};

void kx_alloc_init(struct kx_alloc *a);
void kx_alloc_free(struct kx_alloc *a);
/* Add usable RAM [start, start + size). Overlapping additions merge. */
int kx_alloc_add_ram(struct kx_alloc *a, uint64_t start, uint64_t size);
/* Mark [start, start + size) as taken (a fixed-address segment). -EBUSY if already taken. */
int kx_alloc_reserve(struct kx_alloc *a, uint64_t start, uint64_t size);
/* Whether [start, start + size) lies entirely in RAM (used or not). */
bool kx_alloc_is_ram(const struct kx_alloc *a, uint64_t start, uint64_t size);
/*
 * Find and reserve a block. -EADDRNOTAVAIL, logged with the size needed and the
 * window searched, when nothing fits.
 */
int kx_alloc_place(struct kexec_ctx *ctx, struct kx_alloc *a, const struct kx_place *p,
		   uint64_t *addr);

#endif
