/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The running kernel as a backend (lib/backend.h): the syscalls themselves,
 * and its facts read from files below the context's root (/sys/kernel,
 * /proc/kallsyms, /proc/iomem, the sysctls, securityfs, /proc/self/status,
 * osrelease), so that a fixture root stands in for a machine. What cannot
 * be read is an unknown for lib/status.c, logged at debug level only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "libkexec-internal.h"

static int kernel_load(struct kexec_ctx *ctx, unsigned long entry, unsigned long nr,
		       const struct kexec_segment *segs, unsigned long flags)
{
	(void)ctx;
	return kexec_sys_load(entry, nr, segs, flags);
}

static int kernel_file_load(struct kexec_ctx *ctx, int kfd, int ifd, unsigned long cmdline_len,
			    const char *cmdline, unsigned long flags)
{
	(void)ctx;
	return kexec_sys_file_load(kfd, ifd, cmdline_len, cmdline, flags);
}

static int kernel_reboot(struct kexec_ctx *ctx)
{
	(void)ctx;
	return kexec_sys_reboot();
}

static int read_sys_u64(struct kexec_ctx *ctx, const char *path, uint64_t *val)
{
	char *buf, *end;
	int r = kexec_read_sysfile(ctx, path, &buf, NULL);

	if (r < 0) {
		kx_dbg(ctx, "%s%s: %s", ctx->root, path, strerror(-r));
		return r;
	}
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf || (*end && *end != '\n')) {
		kx_err(ctx, "%s%s: not a number: %.40s", ctx->root, path, buf);
		free(buf);
		return -EINVAL;
	}
	free(buf);
	return 0;
}

static int kernel_loaded(struct kexec_ctx *ctx, bool crash)
{
	uint64_t v;
	int r = read_sys_u64(ctx, crash ? "/sys/kernel/kexec_crash_loaded" : "/sys/kernel/kexec_loaded",
			     &v);

	if (r < 0)
		return r;
	return v != 0;
}

static int kernel_crash_size(struct kexec_ctx *ctx, uint64_t *size)
{
	return read_sys_u64(ctx, "/sys/kernel/kexec_crash_size", size);
}

/*
 * Which kexec syscalls the running kernel has, without calling them: their
 * entries in <root>/proc/kallsyms (names are listed to everyone; only the
 * addresses are hidden), "<prefix>sys_kexec_load" and
 * "<prefix>sys_kexec_file_load" on every architecture, as defined text
 * symbols: a kernel built without one lists its name as a weak alias (W) of
 * sys_ni_syscall.
 */
static bool ends_with_syscall(const char *name, const char *sys)
{
	size_t n = strlen(name), k = strlen(sys);

	return n >= k && !strcmp(name + n - k, sys) && (n == k || name[n - k - 1] == '_');
}

static int kernel_syscalls(struct kexec_ctx *ctx, unsigned int *have)
{
	char path[4096], line[512];
	FILE *f;
	int r;

	*have = 0;
	if (kx_path(ctx, "/proc/kallsyms", path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		kx_dbg(ctx, "%s: %s: cannot tell which kexec syscalls exist", path, strerror(-r));
		return r;
	}
	while (fgets(line, sizeof(line), f)) {
		char type, name[256];

		if (sscanf(line, "%*s %c %255s", &type, name) != 2 || (type != 'T' && type != 't'))
			continue;
		if (ends_with_syscall(name, "sys_kexec_load"))
			*have |= LIBKEXEC_HAVE_LOAD;
		else if (ends_with_syscall(name, "sys_kexec_file_load"))
			*have |= LIBKEXEC_HAVE_FILE_LOAD;
	}
	fclose(f);
	kx_dbg(ctx, "%s: kexec_load %s, kexec_file_load %s", path,
	       *have & LIBKEXEC_HAVE_LOAD ? "present" : "absent",
	       *have & LIBKEXEC_HAVE_FILE_LOAD ? "present" : "absent");
	return 0;
}

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
static void kernel_crash_ranges(struct kexec_ctx *ctx, struct kexec_status *st)
{
	struct kexec_memmap m = { 0 };
	int r = kexec_read_iomem(ctx, &m);

	if (r < 0) {
		st->crash_ranges_err = r;
		return;
	}
	for (size_t i = 0; i < m.nr; i++) {
		if (m.r[i].type != LIBKEXEC_MEM_CRASH)
			continue;
		if (st->nr_crash_ranges < LIBKEXEC_STATUS_MAX_CRASH_RANGES) {
			st->crash_ranges[st->nr_crash_ranges].start = m.r[i].start;
			st->crash_ranges[st->nr_crash_ranges].end = m.r[i].end;
		}
		st->nr_crash_ranges++;
	}
	kexec_memmap_free(&m);
}

static void kernel_policy(struct kexec_ctx *ctx, struct kexec_status *st)
{
	long v;
	int r;

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

/* A fixture root says its own version; the real one is uname's. */
int kx_kernel_release_below_root(struct kexec_ctx *ctx, unsigned int *major, unsigned int *minor)
{
	char *buf;
	int r, n = 0;

	r = kexec_read_sysfile(ctx, "/proc/sys/kernel/osrelease", &buf, NULL);
	if (r < 0)
		return r;
	if (sscanf(buf, "%u.%u%n", major, minor, &n) != 2 || n == 0)
		r = -EINVAL;
	free(buf);
	return r;
}

const struct kx_backend kx_backend_kernel = {
	.tag = "",
	.simulated = false,
	.load = kernel_load,
	.file_load = kernel_file_load,
	.reboot = kernel_reboot,
	.loaded = kernel_loaded,
	.crash_size = kernel_crash_size,
	.syscalls = kernel_syscalls,
	.crash_region = kx_crash_region_below_root,
	.crash_ranges = kernel_crash_ranges,
	.policy = kernel_policy,
	.release = kx_kernel_release_below_root,
};
