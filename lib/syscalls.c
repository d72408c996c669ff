/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The three system calls, through syscall(2) with the project's own numbers
 * (glibc declares none of them), and the context's calls of them and of the
 * kernel's facts, through its backend (lib/backend.h: the running kernel or
 * the simulated one).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "backend.h"
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
	if (syscall(NR_REBOOT, LIBKEXEC_REBOOT_MAGIC1, LIBKEXEC_REBOOT_MAGIC2, LIBKEXEC_REBOOT_CMD_KEXEC,
		    NULL) != 0)
		return -errno;
	return 0;
}

KX_EXPORT int kexec_do_load(struct kexec_ctx *ctx, unsigned long entry, unsigned long nr_segments,
			 const struct kexec_segment *segments, unsigned long flags)
{
	int r;

	kx_dbg(ctx, "kexec_load(entry=%#lx, nr_segments=%lu, flags=%#lx)%s", entry, nr_segments,
	       flags, ctx->be->tag);
	r = ctx->be->load(ctx, entry, nr_segments, segments, flags);
	kx_dbg(ctx, "kexec_load = %d%s%s", r, r ? " " : "", r ? strerror(-r) : "");
	return r;
}

KX_EXPORT int kexec_do_file_load(struct kexec_ctx *ctx, int kernel_fd, int initrd_fd,
			      unsigned long cmdline_len, const char *cmdline, unsigned long flags)
{
	int r;

	kx_dbg(ctx, "kexec_file_load(kernel_fd=%d, initrd_fd=%d, cmdline_len=%lu, flags=%#lx)%s",
	       kernel_fd, initrd_fd, cmdline_len, flags, ctx->be->tag);
	r = ctx->be->file_load(ctx, kernel_fd, initrd_fd, cmdline_len, cmdline, flags);
	kx_dbg(ctx, "kexec_file_load = %d%s%s", r, r ? " " : "", r ? strerror(-r) : "");
	return r;
}

KX_EXPORT int kexec_do_reboot(struct kexec_ctx *ctx)
{
	kx_dbg(ctx, "reboot(LINUX_REBOOT_CMD_KEXEC)%s", ctx->be->tag);
	return ctx->be->reboot(ctx);
}

KX_EXPORT int kexec_unload(struct kexec_ctx *ctx, bool crash, unsigned int syscall)
{
	if (syscall != LIBKEXEC_SYSCALL_FILE_LOAD && syscall != LIBKEXEC_SYSCALL_LOAD) {
		kx_err(ctx, "unload: syscall is %u, not LIBKEXEC_SYSCALL_FILE_LOAD or _LOAD",
		       syscall);
		return -EINVAL;
	}
	if (syscall == LIBKEXEC_SYSCALL_FILE_LOAD)
		return kexec_do_file_load(ctx, -1, -1, 0, NULL,
				       KEXEC_FILE_UNLOAD | (crash ? KEXEC_FILE_ON_CRASH : 0));
	return kexec_do_load(ctx, 0, 0, NULL, (crash ? KEXEC_ON_CRASH : 0) | KEXEC_ARCH_DEFAULT);
}

KX_EXPORT int kexec_status_loaded(struct kexec_ctx *ctx, bool crash)
{
	return ctx->be->loaded(ctx, crash);
}

KX_EXPORT int kexec_status_crash_size(struct kexec_ctx *ctx, uint64_t *size)
{
	return ctx->be->crash_size(ctx, size);
}

/* Which kexec syscalls the kernel has, without calling them. */
KX_EXPORT int kexec_status_syscalls(struct kexec_ctx *ctx, unsigned int *have)
{
	return ctx->be->syscalls(ctx, have);
}
