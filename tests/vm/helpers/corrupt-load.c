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
	struct kexec_load_request req = { .sz = sizeof(struct kexec_load_request) };
	struct kexec_load_plan plan;
	struct kexec_ctx *ctx;
	uint8_t *copy = NULL;
	size_t i;
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
	r = kexec_load_plan_prepare(ctx, &req, &plan);
	if (r < 0) {
		fprintf(stderr, "kexec-corrupt-load: prepare: %s\n", strerror(-r));
		return 1;
	}
	for (i = 0; i < plan.segs.nr; i++) {
		if (strcmp(plan.info[i].role, "initrd") == 0)
			break;
	}
	if (i == plan.segs.nr || plan.segs.seg[i].bufsz < 2) {
		fprintf(stderr, "kexec-corrupt-load: no initrd segment\n");
		return 1;
	}
	copy = malloc(plan.segs.seg[i].bufsz);
	if (!copy)
		return 1;
	memcpy(copy, plan.segs.seg[i].buf, plan.segs.seg[i].bufsz);
	copy[plan.segs.seg[i].bufsz / 2] ^= 0x01;
	plan.segs.seg[i].buf = copy;
	/* Where it goes: the purgatory's report after the mismatch must name it. */
	printf("corrupted initrd byte %zu of %zu\n", plan.segs.seg[i].bufsz / 2,
	       plan.segs.seg[i].bufsz);
	printf("initrd segment at 0x%016llx, 0x%016llx bytes\n",
	       (unsigned long long)(uintptr_t)plan.segs.seg[i].mem,
	       (unsigned long long)plan.segs.seg[i].bufsz);
	r = kexec_load_plan_load(ctx, &plan);
	kexec_load_plan_free(&plan);
	free(copy);
	kexec_ctx_free(ctx);
	if (r < 0) {
		fprintf(stderr, "kexec-corrupt-load: kexec_load: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
