/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated kernel as a backend (lib/backend.h): the syscalls go to the
 * simulator (lib/sim.c), and the facts are its configuration's, never the
 * machine's: what is loaded, which syscalls it has, its reservation, its
 * policies. Its release is the configured one, or the root's when it names
 * none.
 */
#include <errno.h>
#include <stdio.h>

#include "backend.h"
#include "libkexec-internal.h"

static int sim_load(struct kexec_ctx *ctx, unsigned long entry, unsigned long nr,
		    const struct kexec_segment *segs, unsigned long flags)
{
	return kx_sim_load(ctx->sim, entry, nr, segs, flags);
}

static int sim_file_load(struct kexec_ctx *ctx, int kfd, int ifd, unsigned long cmdline_len,
			 const char *cmdline, unsigned long flags)
{
	return kx_sim_file_load(ctx->sim, kfd, ifd, cmdline_len, cmdline, flags);
}

static int sim_reboot(struct kexec_ctx *ctx)
{
	return kx_sim_reboot(ctx->sim);
}

static int sim_loaded(struct kexec_ctx *ctx, bool crash)
{
	return kexec_sim_loaded(ctx->sim, crash);
}

static int sim_crash_size(struct kexec_ctx *ctx, uint64_t *size)
{
	const struct kexec_limits *l = &kexec_sim_config(ctx->sim)->limits;

	*size = l->has_crash_region ? l->crash_end - l->crash_start + 1 : 0;
	return 0;
}

static int sim_syscalls(struct kexec_ctx *ctx, unsigned int *have)
{
	const struct kexec_sim_config *c = kexec_sim_config(ctx->sim);

	*have = (c->have_kexec_load ? LIBKEXEC_HAVE_LOAD : 0) |
		(c->have_kexec_file_load ? LIBKEXEC_HAVE_FILE_LOAD : 0);
	return 0;
}

static int sim_crash_region(struct kexec_ctx *ctx, uint64_t *start, uint64_t *end)
{
	const struct kexec_limits *l = &kexec_sim_config(ctx->sim)->limits;

	if (!l->has_crash_region)
		return -ENOENT;
	if (start)
		*start = l->crash_start;
	if (end)
		*end = l->crash_end;
	return 0;
}

/* The one reservation, as the only range. */
static void sim_crash_ranges(struct kexec_ctx *ctx, struct kexec_status *st)
{
	if (sim_crash_region(ctx, &st->crash_ranges[0].start, &st->crash_ranges[0].end) == 0)
		st->nr_crash_ranges = 1;
}

static void sim_policy(struct kexec_ctx *ctx, struct kexec_status *st)
{
	const struct kexec_sim_config *c = kexec_sim_config(ctx->sim);

	st->load_disabled = c->load_disabled;
	snprintf(st->lockdown, sizeof(st->lockdown), "%s", c->lockdown ? "integrity" : "none");
	st->load_limit_reboot = c->load_limit_reboot;
	st->load_limit_panic = c->load_limit_panic;
	st->cap_sys_boot = c->cap_sys_boot;
}

/* A simulated kernel that names its release is that release. */
static int sim_release(struct kexec_ctx *ctx, unsigned int *major, unsigned int *minor)
{
	const struct kexec_sim_config *c = kexec_sim_config(ctx->sim);

	if (!c->kernel_major && !c->kernel_minor)
		return kx_kernel_release_below_root(ctx, major, minor);
	*major = c->kernel_major;
	*minor = c->kernel_minor;
	return 0;
}

const struct kx_backend kx_backend_sim = {
	.tag = " [simulated]",
	.simulated = true,
	.load = sim_load,
	.file_load = sim_file_load,
	.reboot = sim_reboot,
	.loaded = sim_loaded,
	.crash_size = sim_crash_size,
	.syscalls = sim_syscalls,
	.crash_region = sim_crash_region,
	.crash_ranges = sim_crash_ranges,
	.policy = sim_policy,
	.release = sim_release,
};
