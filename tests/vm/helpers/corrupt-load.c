/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec-corrupt-load KERNEL INITRD CMDLINE [sha256]: loads KERNEL and INITRD
 * through kexec_load with our purgatory, exactly as `kexec -c -l` would (with
 * sha256, as `kexec -c -l --check=sha256` would), except that
 * one byte in the middle of the initrd segment is flipped after the loader
 * hashed it. So the old kernel copies a segment that differs from the digest
 * the purgatory holds, as if memory had been corrupted between load and
 * `kexec -e`; the purgatory must notice, say so on the serial port and stop
 * (tests/vm/test-kexec-load-corrupt.sh). Test code, for the VM only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkexec.h"

static void log_cb(void *data, int priority, const char *msg)
{
	(void)data;
	(void)priority;
	fprintf(stderr, "libkexec: %s\n", msg);
}

int main(int argc, char **argv)
{
	LIBKEXEC_OPTS(kexec_request, req, .syscall = LIBKEXEC_SYSCALL_LOAD);
	LIBKEXEC_OPTS(kexec_plan_segment, sg);
	struct kexec_segment *segs;
	struct kexec_plan *plan;
	struct kexec_ctx *ctx;
	size_t i, nr, initrd = SIZE_MAX;
	uint8_t *copy = NULL;
	int r;

	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "sha256"))) {
		fprintf(stderr, "usage: kexec-corrupt-load KERNEL INITRD CMDLINE [sha256]\n");
		return 2;
	}
	if (argc == 5)
		req.check = LIBKEXEC_CHECK_SHA256;
	ctx = kexec_ctx_new();
	if (!ctx)
		return 1;
	kexec_ctx_set_log(ctx, log_cb, NULL);
	req.kernel = argv[1];
	req.initrd = argv[2];
	req.cmdline = argv[3];
	r = kexec_plan_new(ctx, &req, &plan);
	if (r < 0) {
		fprintf(stderr, "kexec-corrupt-load: prepare: %s\n", strerror(-r));
		return 1;
	}
	/* The plan's segments, as the kernel would get them, one of them changed. */
	nr = kexec_plan_nr_segments(plan);
	segs = calloc(nr, sizeof(*segs));
	if (!segs)
		return 1;
	for (i = 0; i < nr; i++) {
		kexec_plan_segment(plan, i, &sg);
		segs[i] = (struct kexec_segment){ .buf = sg.buf, .bufsz = sg.bufsz,
			.mem = (void *)(uintptr_t)sg.mem, .memsz = (size_t)sg.memsz };
		if (sg.role == LIBKEXEC_SEGMENT_INITRD)
			initrd = i;
	}
	if (initrd == SIZE_MAX || segs[initrd].bufsz < 2) {
		fprintf(stderr, "kexec-corrupt-load: no initrd segment\n");
		return 1;
	}
	i = initrd;
	copy = malloc(segs[i].bufsz);
	if (!copy)
		return 1;
	memcpy(copy, segs[i].buf, segs[i].bufsz);
	copy[segs[i].bufsz / 2] ^= 0x01;
	segs[i].buf = copy;
	/* Where it goes: the purgatory's report after the mismatch must name it. */
	printf("corrupted initrd byte %zu of %zu\n", segs[i].bufsz / 2, segs[i].bufsz);
	printf("initrd segment at 0x%016llx, 0x%016llx bytes\n",
	       (unsigned long long)(uintptr_t)segs[i].mem, (unsigned long long)segs[i].bufsz);
	r = kexec_do_load(ctx, kexec_plan_entry(plan), nr, segs, kexec_plan_flags(plan));
	kexec_plan_unref(plan);
	free(segs);
	free(copy);
	kexec_ctx_free(ctx);
	if (r < 0) {
		fprintf(stderr, "kexec-corrupt-load: kexec_load: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
