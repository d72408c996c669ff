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
#include <sys/mman.h>
#include <sys/stat.h>

#include "arch.h"

#define PAGE_ALIGN(x) (((x) + 4095) & ~(uint64_t)4095)

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
	need = PAGE_ALIGN(plan->image.unpacked_size) + PAGE_ALIGN(plan->initrd_size);
	if (plan->image.unpacked_size && need > size) {
		kx_err(ctx, "cannot load crash kernel %s: the crashkernel= reservation is %" PRIu64
			    " MiB but the kernel (%" PRIu64 " MiB when unpacked) and initrd (%" PRIu64
			    " MiB) need at least %" PRIu64 " MiB",
		       plan->kernel_path, size >> 20, PAGE_ALIGN(plan->image.unpacked_size) >> 20,
		       PAGE_ALIGN(plan->initrd_size) >> 20, (need + (1 << 20) - 1) >> 20);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/*
 * What the running kernel's loader will say of the image, said first: its
 * probe (by the format table: the first format that takes the file and that
 * the kernel's kexec_file_load loads), its extra checks, the command-line
 * length. A wrong format gets the kernel's own errno for one (x86_64 ENOEXEC,
 * arm64 EINVAL), so that -a falls back exactly as it would after the syscall.
 */
static int check_image(struct kexec_ctx *ctx, const struct kexec_file_request *req,
		       struct kexec_file_plan *plan, const uint8_t *head, size_t len)
{
	const struct kx_arch *arch = kx_arch_of(ctx);
	const struct kx_format *fmt = NULL;
	const char *reason = NULL;
	char why[1024];
	int r;

	if (!arch) {
		kx_err(ctx, "cannot load kernel %s: this library knows no image format of this "
			    "architecture",
		       req->kernel);
		return -EOPNOTSUPP;
	}
	r = kx_format_probe(arch, head, len, &fmt, &plan->image, why, sizeof(why));
	if (r < 0) {
		kx_err(ctx, "cannot load kernel %s: not a kernel image for %s (%s)", req->kernel,
		       arch->name, why);
		return arch->nr_formats ? -arch->formats[0]->file_wrong_format_errno : r;
	}
	plan->image.file_size = plan->kernel_size;
	if (!fmt->type.kexec_file_load) {
		kx_err(ctx, "cannot load kernel %s: the kernel's kexec_file_load does not load %s "
			    "images (kexec_load does: -c)",
		       req->kernel, fmt->type.name);
		return -fmt->file_wrong_format_errno;
	}
	if (fmt->file_check) {
		r = fmt->file_check(head, len, plan->kernel_size, &plan->image, &reason);
		if (r < 0) {
			kx_err(ctx, "cannot load kernel %s: %s", req->kernel, reason);
			return r;
		}
	}
	return kx_cmdline_check(ctx, fmt, &plan->image, req->kernel, plan->cmdline_len - 1, true,
				NULL);
}

/*
 * -d: KEXEC_FILE_DEBUG (the kernel's own kexec_file messages) exists since
 * Linux 6.8; older kernels refuse the whole load with EINVAL. Set it only
 * where the running kernel is 6.8 or later (or cannot say), and let
 * kexec_file_plan_load() retry without it should a kernel refuse it anyway.
 */
static void set_debug_flag(struct kexec_ctx *ctx, struct kexec_file_plan *plan)
{
	unsigned int major, minor;

	if (kx_kernel_version(ctx, &major, &minor) == 0 && (major < 6 || (major == 6 && minor < 8))) {
		kx_dbg(ctx, "KEXEC_FILE_DEBUG left out: the running kernel (%u.%u) predates it (6.8) "
			    "and would refuse the load",
		       major, minor);
		return;
	}
	plan->flags |= KEXEC_FILE_DEBUG;
}

KX_EXPORT int kexec_file_plan_prepare(struct kexec_ctx *ctx, const struct kexec_file_request *in,
				      struct kexec_file_plan *plan)
{
	struct kexec_file_request reqbuf, *req = &reqbuf;
	const char *cmdline;
	uint8_t *head;
	int r;

	memset(plan, 0, sizeof(*plan));
	plan->kernel_fd = -1;
	plan->initrd_fd = -1;
	r = kx_request_copy(ctx, "kexec_file_load", in, in->sz, req, sizeof(*req));
	if (r < 0)
		return r;
	if (!req->kernel) {
		kx_err(ctx, "no kernel specified");
		return -EINVAL;
	}
	cmdline = req->cmdline ? req->cmdline : "";
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

	/* Mapped, not read: the probes look at a few headers, the kernel reads the file. */
	head = mmap(NULL, (size_t)plan->kernel_size, PROT_READ, MAP_PRIVATE, plan->kernel_fd, 0);
	if (head == MAP_FAILED) {
		r = -errno;
		kx_err(ctx, "cannot read kernel %s: %s", req->kernel, strerror(-r));
		goto fail;
	}
	r = check_image(ctx, req, plan, head, (size_t)plan->kernel_size);
	munmap(head, (size_t)plan->kernel_size);
	if (r < 0)
		goto fail;

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
		set_debug_flag(ctx, plan);
	return 0;
fail:
	kexec_file_plan_free(plan);
	return r;
}

KX_EXPORT int kexec_file_plan_load(struct kexec_ctx *ctx, const struct kexec_file_plan *plan)
{
	int r = kexec_do_file_load(ctx, plan->kernel_fd, plan->initrd_fd, plan->cmdline_len,
				   plan->cmdline, plan->flags);

	/*
	 * A kernel that does not know KEXEC_FILE_DEBUG refuses it with EINVAL
	 * before it touches anything (the flags are its first check): the
	 * same load without it says whether EINVAL meant the flag.
	 */
	if (r == -EINVAL && (plan->flags & KEXEC_FILE_DEBUG)) {
		kx_dbg(ctx, "kexec_file_load refused the load with KEXEC_FILE_DEBUG (EINVAL): this "
			    "kernel may predate the flag; trying again without it");
		r = kexec_do_file_load(ctx, plan->kernel_fd, plan->initrd_fd, plan->cmdline_len,
				       plan->cmdline, plan->flags & ~(unsigned long)KEXEC_FILE_DEBUG);
	}
	return r;
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
