/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What kexec can do on this system, and why not when it cannot: both images'
 * state, the crashkernel= reservation, which syscalls the kernel has, and the
 * policies that refuse loads (kexec_load_disabled, lockdown, the load limits,
 * CAP_SYS_BOOT), as the context's backend reports them (lib/backend.h: the
 * files below the context's root, or the simulated kernel). Nothing here is
 * an error of the caller's: what cannot be read is reported as unknown in
 * the structure, and the log gets it at debug level only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "libkexec-internal.h"

void kx_status_policy(struct kexec_ctx *ctx, struct kexec_status *st)
{
	ctx->be->policy(ctx, st);
}

/* Every fact, from the context's backend. */
static void read_facts(struct kexec_ctx *ctx, struct kexec_status *st)
{
	st->loaded = kexec_status_loaded(ctx, false);
	st->crash_loaded = kexec_status_loaded(ctx, true);
	st->syscalls_err = kexec_status_syscalls(ctx, &st->syscalls);
	st->crash_size_err = kexec_status_crash_size(ctx, &st->crash_size);
	ctx->be->crash_ranges(ctx, st);
	kx_status_policy(ctx, st);
}

/* What the facts rule out: KEXEC_UNAVAIL_*. Unknown facts rule out nothing. */
static unsigned int unavailable(const struct kexec_status *st)
{
	unsigned int u = 0;

	if (st->syscalls_err == 0 && !(st->syscalls & LIBKEXEC_HAVE_LOAD))
		u |= LIBKEXEC_UNAVAIL_NO_KEXEC_LOAD;
	if (st->syscalls_err == 0 && !(st->syscalls & LIBKEXEC_HAVE_FILE_LOAD))
		u |= LIBKEXEC_UNAVAIL_NO_KEXEC_FILE_LOAD;
	if (st->load_disabled == 1)
		u |= LIBKEXEC_UNAVAIL_LOAD_DISABLED;
	if (!strcmp(st->lockdown, "integrity") || !strcmp(st->lockdown, "confidentiality"))
		u |= LIBKEXEC_UNAVAIL_LOCKDOWN;
	/*
	 * No reservation: kexec_crash_size says 0, or, where that file is
	 * missing, /proc/iomem (readable) has no "Crash kernel" range.
	 */
	if ((st->crash_size_err == 0 && st->crash_size == 0) ||
	    (st->crash_size_err < 0 && st->crash_ranges_err == 0 && !st->nr_crash_ranges))
		u |= LIBKEXEC_UNAVAIL_NO_CRASH_REGION;
	if (st->load_limit_reboot == 0)
		u |= LIBKEXEC_UNAVAIL_LIMIT_REBOOT;
	if (st->load_limit_panic == 0)
		u |= LIBKEXEC_UNAVAIL_LIMIT_PANIC;
	if (st->cap_sys_boot == 0)
		u |= LIBKEXEC_UNAVAIL_NO_CAP_SYS_BOOT;
	return u;
}

KX_EXPORT int kexec_status_get(struct kexec_ctx *ctx, struct kexec_status *out)
{
	/* sz and the first field: every version has them. */
	const size_t min = offsetof(struct kexec_status, crash_loaded);
	struct kexec_status st;
	size_t out_sz;
	struct kx_quiet quiet;

	if (!ctx || !out)
		return -EINVAL;
	out_sz = out->sz;
	if (out_sz < min) {
		kx_err(ctx, "kexec_status: its size field sz is %zu (set it with LIBKEXEC_OPTS())",
		       out_sz);
		return -EINVAL;
	}
	memset(&st, 0, sizeof(st));
	/*
	 * What cannot be read is part of the answer (an unknown), not an
	 * error: keep the readers' error lines out of the log unless it
	 * asks for everything.
	 */
	kx_quiet_begin(ctx, &quiet);
	read_facts(ctx, &st);
	kx_quiet_end(ctx, &quiet);
	st.unavailable = unavailable(&st);

	/* A caller built against an older header gets the fields it knows; a newer one zeros. */
	st.sz = out_sz < sizeof(st) ? out_sz : sizeof(st);
	memcpy(out, &st, st.sz);
	if (out_sz > sizeof(st))
		memset((uint8_t *)out + sizeof(st), 0, out_sz - sizeof(st));
	return 0;
}
