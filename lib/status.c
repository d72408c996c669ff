/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What kexec can do on this system, and why not when it cannot: both images'
 * state, the crashkernel= reservation, which syscalls the kernel has, and the
 * policies that refuse loads (kexec_load_disabled, lockdown, the load limits,
 * CAP_SYS_BOOT). Every file is read below the context's root; the simulated
 * kernel answers for itself. Nothing here is an error of the caller's: what
 * cannot be read is reported as unknown in the structure, and the log gets
 * it at debug level only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkexec-internal.h"

#define CAP_SYS_BOOT 22

/* A small integer file (a sysctl): 0 and *v, or a negative errno. */
static int read_long(struct kexec_ctx *ctx, const char *rel, long *v)
{
	char path[4096], *buf, *end;
	int r = kx_read_rel(ctx, rel, 64, true, path, sizeof(path), &buf, NULL);

	if (r < 0) {
		kx_dbg(ctx, "%s: %s", path, strerror(-r));
		return r;
	}
	errno = 0;
	*v = strtol(buf, &end, 10);
	if (errno || end == buf || *end) {
		kx_dbg(ctx, "%s: not a number", path);
		r = -EINVAL;
	}
	free(buf);
	return r;
}

/* "none [integrity] confidentiality": the bracketed word, or "" when unknown. */
static void read_lockdown(struct kexec_ctx *ctx, char *mode, size_t len)
{
	char path[4096], *buf, *open, *close;
	int r = kx_read_rel(ctx, "/sys/kernel/security/lockdown", 256, true, path, sizeof(path),
			    &buf, NULL);

	mode[0] = '\0';
	if (r < 0) {
		/* No lockdown LSM, or securityfs not mounted: unknown. */
		kx_dbg(ctx, "%s: %s", path, strerror(-r));
		return;
	}
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (open && close && (size_t)(close - open - 1) < len) {
		memcpy(mode, open + 1, (size_t)(close - open - 1));
		mode[close - open - 1] = '\0';
	} else {
		kx_dbg(ctx, "%s: no [mode] in it", path);
	}
	free(buf);
}

/* 1 or 0 from CapEff of <root>/proc/self/status, -1 when it cannot be read. */
static int read_cap_sys_boot(struct kexec_ctx *ctx)
{
	char path[4096], *buf, *p;
	uint64_t caps;
	int r = kx_read_rel(ctx, "/proc/self/status", 1 << 16, false, path, sizeof(path), &buf,
			    NULL);

	if (r < 0) {
		kx_dbg(ctx, "%s: %s", path, strerror(-r));
		return -1;
	}
	r = -1;
	p = strstr(buf, "\nCapEff:");
	if (p && sscanf(p + 8, "%" SCNx64, &caps) == 1)
		r = !!(caps & (1ULL << CAP_SYS_BOOT));
	free(buf);
	return r;
}

/* Every "Crash kernel" range of /proc/iomem (two with crashkernel=X,high). */
static void read_crash_ranges(struct kexec_ctx *ctx, struct kexec_status *st)
{
	struct kexec_memmap m = { 0 };
	int r = kexec_read_iomem(ctx, &m);

	if (r < 0) {
		st->crash_ranges_err = r;
		return;
	}
	for (size_t i = 0; i < m.nr; i++) {
		if (m.r[i].type != KEXEC_MEM_CRASH)
			continue;
		if (st->nr_crash_ranges < KEXEC_STATUS_MAX_CRASH_RANGES) {
			st->crash_ranges[st->nr_crash_ranges].start = m.r[i].start;
			st->crash_ranges[st->nr_crash_ranges].end = m.r[i].end;
		}
		st->nr_crash_ranges++;
	}
	kexec_memmap_free(&m);
}

void kx_status_policy(struct kexec_ctx *ctx, struct kexec_status *st)
{
	long v;
	int r;

	if (ctx->sim) {
		const struct kexec_sim_config *c = kexec_sim_config(ctx->sim);

		st->load_disabled = c->load_disabled;
		snprintf(st->lockdown, sizeof(st->lockdown), "%s",
			 c->lockdown ? "integrity" : "none");
		st->load_limit_reboot = c->load_limit_reboot;
		st->load_limit_panic = c->load_limit_panic;
		st->cap_sys_boot = c->cap_sys_boot;
		return;
	}
	r = read_long(ctx, "/proc/sys/kernel/kexec_load_disabled", &v);
	st->load_disabled = r < 0 ? -1 : v != 0;
	read_lockdown(ctx, st->lockdown, sizeof(st->lockdown));
	/* Linux 6.6 and later; before, there is no limit. */
	r = read_long(ctx, "/proc/sys/kernel/kexec_load_limit_reboot", &v);
	st->load_limit_reboot = r == 0 ? v : r == -ENOENT ? -1 : -2;
	r = read_long(ctx, "/proc/sys/kernel/kexec_load_limit_panic", &v);
	st->load_limit_panic = r == 0 ? v : r == -ENOENT ? -1 : -2;
	st->cap_sys_boot = read_cap_sys_boot(ctx);
}

static void read_simulated(struct kexec_ctx *ctx, struct kexec_status *st)
{
	const struct kexec_sim_config *c = kexec_sim_config(ctx->sim);

	st->loaded = kexec_sim_loaded(ctx->sim, false);
	st->crash_loaded = kexec_sim_loaded(ctx->sim, true);
	kexec_status_syscalls(ctx, &st->syscalls);
	kexec_status_crash_size(ctx, &st->crash_size);
	if (c->limits.has_crash_region) {
		st->nr_crash_ranges = 1;
		st->crash_ranges[0].start = c->limits.crash_start;
		st->crash_ranges[0].end = c->limits.crash_end;
	}
	kx_status_policy(ctx, st);
}

static void read_system(struct kexec_ctx *ctx, struct kexec_status *st)
{
	st->loaded = kexec_status_loaded(ctx, false);
	st->crash_loaded = kexec_status_loaded(ctx, true);
	st->syscalls_err = kexec_status_syscalls(ctx, &st->syscalls);
	st->crash_size_err = kexec_status_crash_size(ctx, &st->crash_size);
	read_crash_ranges(ctx, st);
	kx_status_policy(ctx, st);
}

/* What the facts rule out: KEXEC_UNAVAIL_*. Unknown facts rule out nothing. */
static unsigned int unavailable(const struct kexec_status *st)
{
	unsigned int u = 0;

	if (st->syscalls_err == 0 && !(st->syscalls & KEXEC_HAVE_LOAD))
		u |= KEXEC_UNAVAIL_NO_KEXEC_LOAD;
	if (st->syscalls_err == 0 && !(st->syscalls & KEXEC_HAVE_FILE_LOAD))
		u |= KEXEC_UNAVAIL_NO_KEXEC_FILE_LOAD;
	if (st->load_disabled == 1)
		u |= KEXEC_UNAVAIL_LOAD_DISABLED;
	if (!strcmp(st->lockdown, "integrity") || !strcmp(st->lockdown, "confidentiality"))
		u |= KEXEC_UNAVAIL_LOCKDOWN;
	/*
	 * No reservation: kexec_crash_size says 0, or, where that file is
	 * missing, /proc/iomem (readable) has no "Crash kernel" range.
	 */
	if ((st->crash_size_err == 0 && st->crash_size == 0) ||
	    (st->crash_size_err < 0 && st->crash_ranges_err == 0 && !st->nr_crash_ranges))
		u |= KEXEC_UNAVAIL_NO_CRASH_REGION;
	if (st->load_limit_reboot == 0)
		u |= KEXEC_UNAVAIL_LIMIT_REBOOT;
	if (st->load_limit_panic == 0)
		u |= KEXEC_UNAVAIL_LIMIT_PANIC;
	if (st->cap_sys_boot == 0)
		u |= KEXEC_UNAVAIL_NO_CAP_SYS_BOOT;
	return u;
}

KX_EXPORT int kexec_status_get(struct kexec_ctx *ctx, struct kexec_status *out)
{
	/* sz and the first field: every version has them. */
	const size_t min = offsetof(struct kexec_status, crash_loaded);
	struct kexec_status st;
	size_t out_sz;
	int saved;

	if (!ctx || !out)
		return -EINVAL;
	out_sz = out->sz;
	if (out_sz < min) {
		kx_err(ctx, "kexec_status: its size field sz is %zu (set it with KEXEC_REQUEST())",
		       out_sz);
		return -EINVAL;
	}
	memset(&st, 0, sizeof(st));
	/*
	 * What cannot be read is part of the answer (an unknown), not an
	 * error: keep the readers' error lines out of the log unless it
	 * asks for everything.
	 */
	saved = ctx->log_priority;
	if (saved < LOG_DEBUG)
		ctx->log_priority = LOG_CRIT;
	if (ctx->sim)
		read_simulated(ctx, &st);
	else
		read_system(ctx, &st);
	ctx->log_priority = saved;
	st.unavailable = unavailable(&st);

	/* A caller built against an older header gets the fields it knows; a newer one zeros. */
	st.sz = out_sz < sizeof(st) ? out_sz : sizeof(st);
	memcpy(out, &st, st.sz);
	if (out_sz > sizeof(st))
		memset((uint8_t *)out + sizeof(st), 0, out_sz - sizeof(st));
	return 0;
}
