/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The three system calls, through syscall(2) with the project's own numbers
 * (glibc declares none of them), and their routing to the real kernel or to
 * the simulated one. Also the status files under /sys/kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "libkexec-internal.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define NR_KEXEC_LOAD 246
#define NR_KEXEC_FILE_LOAD 320
#define NATIVE_ARCH KEXEC_ARCH_X86_64
#elif defined(__i386__)
#define NR_KEXEC_LOAD 283
#define NR_KEXEC_FILE_LOAD (-1)
#define NATIVE_ARCH KEXEC_ARCH_386
#elif defined(__aarch64__)
#define NR_KEXEC_LOAD 104
#define NR_KEXEC_FILE_LOAD 294
#define NATIVE_ARCH KEXEC_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NR_KEXEC_LOAD 104
#define NR_KEXEC_FILE_LOAD 294
#define NATIVE_ARCH KEXEC_ARCH_RISCV
#elif defined(__arm__)
#define NR_KEXEC_LOAD 347
#define NR_KEXEC_FILE_LOAD 401
#define NATIVE_ARCH KEXEC_ARCH_ARM
#elif defined(__mips__) && _MIPS_SIM == _ABI64
/* n64; kexec_file_load is not wired on MIPS. KEXEC_ARCH_MIPS for both endiannesses. */
#define NR_KEXEC_LOAD 5270
#define NR_KEXEC_FILE_LOAD (-1)
#define NATIVE_ARCH KEXEC_ARCH_MIPS
#elif defined(__powerpc64__)
#define NR_KEXEC_LOAD 268
#define NR_KEXEC_FILE_LOAD 382
#define NATIVE_ARCH KEXEC_ARCH_PPC64
#elif defined(__s390x__)
#define NR_KEXEC_LOAD 277
#define NR_KEXEC_FILE_LOAD 381
#define NATIVE_ARCH KEXEC_ARCH_S390
#else
#error "libkexec: unsupported architecture"
#endif

/* reboot(2) through the raw syscall: glibc's wrapper takes no magic numbers. */
#define NR_REBOOT SYS_reboot

KX_EXPORT long kexec_sys_nr_kexec_load(void)
{
	return NR_KEXEC_LOAD;
}

KX_EXPORT long kexec_sys_nr_kexec_file_load(void)
{
	return NR_KEXEC_FILE_LOAD;
}

KX_EXPORT unsigned long kexec_native_arch(void)
{
	return NATIVE_ARCH;
}

KX_EXPORT int kexec_sys_load(unsigned long entry, unsigned long nr_segments,
			     const struct kexec_segment *segments, unsigned long flags)
{
	if (syscall(NR_KEXEC_LOAD, entry, nr_segments, segments, flags) != 0)
		return -errno;
	return 0;
}

KX_EXPORT int kexec_sys_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
				  const char *cmdline, unsigned long flags)
{
	if (NR_KEXEC_FILE_LOAD < 0)
		return -ENOSYS;
	if (syscall(NR_KEXEC_FILE_LOAD, kernel_fd, initrd_fd, cmdline_len, cmdline, flags) != 0)
		return -errno;
	return 0;
}

KX_EXPORT int kexec_sys_reboot(void)
{
	if (syscall(NR_REBOOT, KEXEC_REBOOT_MAGIC1, KEXEC_REBOOT_MAGIC2, KEXEC_REBOOT_CMD_KEXEC,
		    NULL) != 0)
		return -errno;
	return 0;
}

KX_EXPORT int kexec_do_load(struct kexec_ctx *ctx, unsigned long entry, unsigned long nr_segments,
			 const struct kexec_segment *segments, unsigned long flags)
{
	int r;

	kx_dbg(ctx, "kexec_load(entry=%#lx, nr_segments=%lu, flags=%#lx)%s", entry, nr_segments,
	       flags, ctx->sim ? " [simulated]" : "");
	r = ctx->sim ? kx_sim_load(ctx->sim, entry, nr_segments, segments, flags)
		     : kexec_sys_load(entry, nr_segments, segments, flags);
	kx_dbg(ctx, "kexec_load = %d%s%s", r, r ? " " : "", r ? strerror(-r) : "");
	return r;
}

KX_EXPORT int kexec_do_file_load(struct kexec_ctx *ctx, int kernel_fd, int initrd_fd,
			      unsigned long cmdline_len, const char *cmdline, unsigned long flags)
{
	int r;

	kx_dbg(ctx, "kexec_file_load(kernel_fd=%d, initrd_fd=%d, cmdline_len=%lu, flags=%#lx)%s",
	       kernel_fd, initrd_fd, cmdline_len, flags, ctx->sim ? " [simulated]" : "");
	r = ctx->sim ? kx_sim_file_load(ctx->sim, kernel_fd, initrd_fd, cmdline_len, cmdline, flags)
		     : kexec_sys_file_load(kernel_fd, initrd_fd, cmdline_len, cmdline, flags);
	kx_dbg(ctx, "kexec_file_load = %d%s%s", r, r ? " " : "", r ? strerror(-r) : "");
	return r;
}

KX_EXPORT int kexec_do_reboot(struct kexec_ctx *ctx)
{
	kx_dbg(ctx, "reboot(LINUX_REBOOT_CMD_KEXEC)%s", ctx->sim ? " [simulated]" : "");
	return ctx->sim ? kx_sim_reboot(ctx->sim) : kexec_sys_reboot();
}

KX_EXPORT int kexec_unload(struct kexec_ctx *ctx, bool crash, bool file_syscall)
{
	if (file_syscall)
		return kexec_do_file_load(ctx, -1, -1, 0, NULL,
				       KEXEC_FILE_UNLOAD | (crash ? KEXEC_FILE_ON_CRASH : 0));
	return kexec_do_load(ctx, 0, 0, NULL, (crash ? KEXEC_ON_CRASH : 0) | KEXEC_ARCH_DEFAULT);
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

KX_EXPORT int kexec_status_loaded(struct kexec_ctx *ctx, bool crash)
{
	uint64_t v;
	int r;

	if (ctx->sim)
		return kexec_sim_loaded(ctx->sim, crash);
	r = read_sys_u64(ctx, crash ? "/sys/kernel/kexec_crash_loaded" : "/sys/kernel/kexec_loaded",
			 &v);
	if (r < 0)
		return r;
	return v != 0;
}

KX_EXPORT int kexec_status_crash_size(struct kexec_ctx *ctx, uint64_t *size)
{
	if (ctx->sim) {
		const struct kexec_limits *l = &kexec_sim_config(ctx->sim)->limits;

		*size = l->has_crash_region ? l->crash_end - l->crash_start + 1 : 0;
		return 0;
	}
	return read_sys_u64(ctx, "/sys/kernel/kexec_crash_size", size);
}

/*
 * Which kexec syscalls the running kernel has, without calling them: their
 * entries in <root>/proc/kallsyms (names are listed to everyone; only the
 * addresses are hidden), "<prefix>sys_kexec_load" and
 * "<prefix>sys_kexec_file_load" on every architecture, as defined text
 * symbols: a kernel built without one lists its name as a weak alias (W) of
 * sys_ni_syscall. The simulator answers for itself.
 */
static bool ends_with_syscall(const char *name, const char *sys)
{
	size_t n = strlen(name), k = strlen(sys);

	return n >= k && !strcmp(name + n - k, sys) && (n == k || name[n - k - 1] == '_');
}

KX_EXPORT int kexec_status_syscalls(struct kexec_ctx *ctx, unsigned int *have)
{
	char path[4096], line[512];
	FILE *f;
	int r;

	*have = 0;
	if (ctx->sim) {
		const struct kexec_sim_config *c = kexec_sim_config(ctx->sim);

		*have = (c->have_kexec_load ? KEXEC_HAVE_LOAD : 0) |
			(c->have_kexec_file_load ? KEXEC_HAVE_FILE_LOAD : 0);
		return 0;
	}
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
			*have |= KEXEC_HAVE_LOAD;
		else if (ends_with_syscall(name, "sys_kexec_file_load"))
			*have |= KEXEC_HAVE_FILE_LOAD;
	}
	fclose(f);
	kx_dbg(ctx, "%s: kexec_load %s, kexec_file_load %s", path,
	       *have & KEXEC_HAVE_LOAD ? "present" : "absent",
	       *have & KEXEC_HAVE_FILE_LOAD ? "present" : "absent");
	return 0;
}
