/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plan a kexec load, print the plan, and load it: into a simulated kernel
 * (as kexec --dry-run does: nothing reaches the running kernel), or with
 * --load into the running kernel. Usage: plan [--load] KERNEL [INITRD] [CMDLINE]
 */
#include <stdio.h>
#include <string.h>
#include <libkexec.h>

int main(int argc, char **argv)
{
	bool real = argc > 1 && !strcmp(argv[1], "--load");
	char **arg = argv + 1 + real;  /* KERNEL [INITRD] [CMDLINE] */
	int n = argc - 1 - real;
	if (n < 1 || n > 3) {
		fprintf(stderr, "usage: %s [--load] KERNEL [INITRD] [CMDLINE]\n", argv[0]);
		return 2;
	}
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_sim *sim = real ? NULL : kexec_sim_new();
	if (!ctx || (!real && !sim))
		return 1;
	if (sim)
		kexec_ctx_use_sim(ctx, sim);

	/* kexec_file_load unless the kernel is known to lack it. */
	unsigned int have;
	bool file = kexec_status_syscalls(ctx, &have) < 0 || (have & LIBKEXEC_HAVE_FILE_LOAD);
	LIBKEXEC_OPTS(kexec_request, req,
		      .syscall = file ? LIBKEXEC_SYSCALL_FILE_LOAD : LIBKEXEC_SYSCALL_LOAD,
		      .kernel = arg[0], .initrd = n > 1 ? arg[1] : NULL,
		      .cmdline = n > 2 ? arg[2] : NULL);
	struct kexec_plan *plan = NULL;
	int r = kexec_plan_new(ctx, &req, &plan);
	if (r == 0) {
		LIBKEXEC_OPTS(kexec_image_info, info);
		kexec_plan_image(plan, &info);
		printf("%s: %s %s\ncommand line: \"%s\"\n", file ? "kexec_file_load" : "kexec_load",
		       info.format, info.kernel_version, kexec_plan_cmdline(plan));
		for (size_t i = 0; i < kexec_plan_nr_segments(plan); i++) {
			LIBKEXEC_OPTS(kexec_plan_segment, seg);
			kexec_plan_segment(plan, i, &seg);
			printf("  %-12s 0x%09llx %10llu bytes\n", kexec_segment_role_name(seg.role),
			       (unsigned long long)seg.mem, (unsigned long long)seg.memsz);
		}
		r = kexec_plan_load(ctx, plan);
	}
	if (r == 0)
		printf("loaded%s\n", sim ? " (simulated)" : "");
	else
		fprintf(stderr, "%s: %s\n", argv[0],
			*kexec_ctx_last_error(ctx) ? kexec_ctx_last_error(ctx) : strerror(-r));
	kexec_plan_unref(plan);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
	return r == 0 ? 0 : 1;
}
