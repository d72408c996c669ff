/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the library asks of a kernel: the three system calls and the facts
 * behind kexec_status (which images are loaded, which syscalls exist, the
 * crashkernel= reservation, the policies that refuse loads, the release).
 * The running kernel (lib/backend-kernel.c) and the simulated one
 * (lib/backend-sim.c) are the two implementations; a context holds one
 * (ctx->be), and no other code asks which.
 */
#ifndef KX_BACKEND_H
#define KX_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

struct kexec_ctx;
struct kexec_segment;
struct kexec_status;

struct kx_backend {
	/* Appended to the debug line of each call: "" or " [simulated]". */
	const char *tag;
	/* What kexec_ctx_is_simulated() answers (the command's reports say it). */
	bool simulated;
	/* The syscalls: 0 or the kernel's negative errno. */
	int (*load)(struct kexec_ctx *ctx, unsigned long entry, unsigned long nr,
		    const struct kexec_segment *segs, unsigned long flags);
	int (*file_load)(struct kexec_ctx *ctx, int kfd, int ifd, unsigned long cmdline_len,
			 const char *cmdline, unsigned long flags);
	int (*reboot)(struct kexec_ctx *ctx);
	/* 1 or 0: an image (the crash image) is loaded; or a negative errno. */
	int (*loaded)(struct kexec_ctx *ctx, bool crash);
	/* The reservation's size in bytes (0: none), or a negative errno. */
	int (*crash_size)(struct kexec_ctx *ctx, uint64_t *size);
	/* KEXEC_HAVE_* of the syscalls the kernel has, or a negative errno. */
	int (*syscalls)(struct kexec_ctx *ctx, unsigned int *have);
	/*
	 * The crashkernel= reservation crash kernels go into (inclusive; the
	 * largest of two), or -ENOENT; kexec_find_crash_region().
	 */
	int (*crash_region)(struct kexec_ctx *ctx, uint64_t *start, uint64_t *end);
	/* st's crash_ranges, nr_crash_ranges and crash_ranges_err. */
	void (*crash_ranges)(struct kexec_ctx *ctx, struct kexec_status *st);
	/* st's load_disabled, lockdown, load limits and cap_sys_boot. */
	void (*policy)(struct kexec_ctx *ctx, struct kexec_status *st);
	/* The kernel's release, "6.1.0-28-amd64" as 6, 1; or a negative errno. */
	int (*release)(struct kexec_ctx *ctx, unsigned int *major, unsigned int *minor);
};

extern const struct kx_backend kx_backend_kernel;
extern const struct kx_backend kx_backend_sim;

#endif
