/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_file_load requests: open and check the files, build the command line
 * and flags, and only then make the syscall. Everything the kernel would
 * refuse for a reason we can see is refused here first, with the file and the
 * reason, so that no half-checked request reaches the kernel (a crash load
 * frees the loaded crash kernel before the kernel validates the new one).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "libkexec-internal.h"

#define PAGE_ALIGN(x) (((x) + 4095) & ~(uint64_t)4095)
/* bzImage64_load() keeps this much of cmdline_size for " elfcorehdr=0x...". */
#define MAX_ELFCOREHDR_STR_LEN 30

static int read_head(int fd, uint8_t *buf, size_t want, size_t *got)
{
	size_t done = 0;

	while (done < want) {
		ssize_t n = pread(fd, buf + done, want - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return 0;
}

static int check_crash_room(struct kexec_ctx *ctx, const struct kexec_file_plan *plan)
{
	uint64_t size = 0, need;
	int r;

	r = kexec_status_crash_size(ctx, &size);
	if (r < 0) {
		uint64_t start, end;

		/* No sysfs file: fall back to /proc/iomem's "Crash kernel". */
		r = kexec_find_crash_region(ctx, &start, &end);
		if (r == 0)
			size = end - start + 1;
	}
	if (size == 0) {
		kx_err(ctx, "cannot load crash kernel %s: no memory is reserved for crash kernels "
			    "(boot with crashkernel=, e.g. crashkernel=256M)",
		       plan->kernel_path);
		return -EADDRNOTAVAIL;
	}
	need = PAGE_ALIGN(plan->image.init_size) + PAGE_ALIGN(plan->initrd_size);
	if (plan->image.init_size && need > size) {
		kx_err(ctx, "cannot load crash kernel %s: the crashkernel= reservation is %" PRIu64
			    " MiB but the kernel (%" PRIu64 " MiB when unpacked) and initrd (%" PRIu64
			    " MiB) need at least %" PRIu64 " MiB",
		       plan->kernel_path, size >> 20, PAGE_ALIGN(plan->image.init_size) >> 20,
		       PAGE_ALIGN(plan->initrd_size) >> 20, (need + (1 << 20) - 1) >> 20);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

KX_EXPORT int kexec_file_plan_prepare(struct kexec_ctx *ctx, const struct kexec_file_request *req,
				      struct kexec_file_plan *plan)
{
	const char *cmdline = req->cmdline ? req->cmdline : "";
	uint8_t head[65536];
	size_t got = 0;
	int r;

	memset(plan, 0, sizeof(*plan));
	plan->kernel_fd = -1;
	plan->initrd_fd = -1;
	if (!req->kernel) {
		kx_err(ctx, "no kernel specified");
		return -EINVAL;
	}
	plan->kernel_path = strdup(req->kernel);
	plan->cmdline = strdup(cmdline);
	if (!plan->kernel_path || !plan->cmdline) {
		r = -ENOMEM;
		goto fail;
	}
	plan->cmdline_len = strlen(cmdline) + 1;

	r = kx_open_input(ctx, "kernel", req->kernel, &plan->kernel_size);
	if (r < 0)
		goto fail;
	plan->kernel_fd = r;

	if (kexec_native_arch() == KEXEC_ARCH_X86_64) {
		const char *reason;

		r = read_head(plan->kernel_fd, head, sizeof(head), &got);
		if (r < 0) {
			kx_err(ctx, "cannot read kernel %s: %s", req->kernel, strerror(-r));
			goto fail;
		}
		r = kexec_bzimage_parse(head, got < plan->kernel_size ? got : plan->kernel_size,
					&plan->image, &reason);
		/* The kernel's probe reads the header only; a truncated file would pass it. */
		if (r == 0)
			r = kx_bzimage_check_size(head, &plan->image, plan->kernel_size, &reason);
		if (r < 0) {
			kx_err(ctx, "cannot load kernel %s: %s", req->kernel, reason);
			goto fail;
		}
		if (plan->cmdline_len + MAX_ELFCOREHDR_STR_LEN > plan->image.cmdline_size) {
			/* A hostile header's cmdline_size may leave no room at all. */
			if (plan->image.cmdline_size <= MAX_ELFCOREHDR_STR_LEN)
				kx_err(ctx, "cannot load kernel %s: its cmdline_size (%u) leaves no room "
					    "for a command line through kexec_file_load",
				       req->kernel, plan->image.cmdline_size);
			else
				kx_err(ctx, "cannot load kernel %s: command line is %lu bytes, this kernel "
					    "accepts at most %u through kexec_file_load",
				       req->kernel, plan->cmdline_len - 1,
				       plan->image.cmdline_size - MAX_ELFCOREHDR_STR_LEN - 1);
			r = -E2BIG;
			goto fail;
		}
	}

	if (req->initrd) {
		plan->initrd_path = strdup(req->initrd);
		if (!plan->initrd_path) {
			r = -ENOMEM;
			goto fail;
		}
		r = kx_open_input(ctx, "initrd", req->initrd, &plan->initrd_size);
		if (r < 0)
			goto fail;
		plan->initrd_fd = r;
	} else {
		plan->flags |= KEXEC_FILE_NO_INITRAMFS;
	}
	if (req->crash) {
		plan->flags |= KEXEC_FILE_ON_CRASH;
		r = check_crash_room(ctx, plan);
		if (r < 0)
			goto fail;
	}
	if (req->debug)
		plan->flags |= KEXEC_FILE_DEBUG;
	return 0;
fail:
	kexec_file_plan_free(plan);
	return r;
}

KX_EXPORT int kexec_file_plan_load(struct kexec_ctx *ctx, const struct kexec_file_plan *plan)
{
	return kexec_file_load(ctx, plan->kernel_fd, plan->initrd_fd, plan->cmdline_len,
			       plan->cmdline, plan->flags);
}

KX_EXPORT void kexec_file_plan_free(struct kexec_file_plan *plan)
{
	if (plan->kernel_fd >= 0)
		close(plan->kernel_fd);
	if (plan->initrd_fd >= 0)
		close(plan->initrd_fd);
	free(plan->cmdline);
	free(plan->kernel_path);
	free(plan->initrd_path);
	memset(plan, 0, sizeof(*plan));
	plan->kernel_fd = -1;
	plan->initrd_fd = -1;
}
