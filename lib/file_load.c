/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_file_load requests: open and check the files, build the command line
 * and flags, and only then make the syscall. Everything the kernel would
 * refuse for a reason we can see is refused here first, with the file and the
 * reason, so that no half-checked request reaches the kernel (a crash load
 * frees the loaded crash kernel before the kernel validates the new one).
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "arch.h"

#define PAGE_ALIGN(x) (((x) + 4095) & ~(uint64_t)4095)

static int check_crash_room(struct kexec_ctx *ctx, const struct kx_file_plan *plan)
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
 * The image is the file's, or the one unwrapped from its envelopes.
 */
static int check_image(struct kexec_ctx *ctx, const struct kx_file_request *req,
		       struct kx_file_plan *plan, const struct kx_image *img)
{
	const struct kx_format *fmt = img->fmt;
	const struct kx_arch *arch = kx_arch_of(ctx);
	const char *reason = NULL;
	int r;

	if (arch && arch->no_file_load) {
		kx_err(ctx, "cannot load kernel %s: %s kernels have no kexec_file_load "
			    "(kexec_load does: -c)",
		       req->kernel, arch->name);
		return -ENOSYS;
	}
	if (!fmt->type.kexec_file_load) {
		kx_err(ctx, "cannot load kernel %s: the kernel's kexec_file_load does not load %s "
			    "images (kexec_load does: -c)",
		       req->kernel, fmt->type.name);
		return -fmt->file_wrong_format_errno;
	}
	if (fmt->file_check) {
		r = fmt->file_check(img->u.buf, img->u.len, img->u.len, &plan->image, &reason);
		if (r < 0) {
			kx_err(ctx, "cannot load kernel %s: %s", req->kernel, reason);
			return r;
		}
	}
	return kx_cmdline_check(ctx, fmt, &plan->image, req->kernel, plan->cmdline_len - 1, true,
				NULL);
}

/*
 * An unwrapped kernel or a UKI's initrd for the kernel to read: a memfd
 * sealed against any change, so that what was checked is what is loaded,
 * and no temporary file is left anywhere.
 */
static int sealed_memfd(struct kexec_ctx *ctx, const char *name, const char *path,
			const void *buf, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING), r;
	size_t done = 0;

	if (fd < 0) {
		r = -errno;
		kx_err(ctx, "cannot load kernel %s: memfd_create: %s", path, strerror(-r));
		return r;
	}
	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			kx_err(ctx, "cannot load kernel %s: writing the unwrapped %s to memory: %s",
			       path, name, strerror(-r));
			close(fd);
			return r;
		}
		done += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		r = -errno;
		kx_err(ctx, "cannot load kernel %s: sealing the unwrapped %s: %s", path, name,
		       strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}

/* The file's envelopes peeled, its format found; the UKI's parts taken where none is given. */
static int open_image(struct kexec_ctx *ctx, const struct kx_file_request *req,
		      struct kx_file_plan *plan, const uint8_t *head, struct kx_image *img,
		      char **cmdline)
{
	const struct kx_arch *arch = kx_arch_of(ctx);
	char why[1024];
	int r;

	if (!arch) {
		kx_err(ctx, "cannot load kernel %s: this library knows no image format of this "
			    "architecture",
		       req->kernel);
		return -EOPNOTSUPP;
	}
	r = kx_image_open(arch, head, (size_t)plan->kernel_size, NULL, img, why, sizeof(why));
	if (r == -ENOEXEC) {
		kx_err(ctx, "cannot load kernel %s: not a kernel image for %s (%s)", req->kernel,
		       arch->name, why);
		return arch->nr_formats ? -arch->formats[0]->file_wrong_format_errno : r;
	}
	if (r < 0) {
		kx_err(ctx, "cannot load kernel %s: %s", req->kernel, why);
		return r;
	}
	plan->image = img->info;
	r = kx_image_supplies(ctx, img, req->kernel, req->cmdline,
			      req->initrd || req->reuse_initrd, cmdline);
	if (r < 0)
		return r;
	plan->layers.from_image |= (unsigned int)r;
	if (r & LIBKEXEC_FROM_IMAGE_INITRD) {
		r = sealed_memfd(ctx, "initrd", req->kernel, img->u.initrd.buf, img->u.initrd.len);
		if (r < 0)
			return r;
		plan->initrd_fd = r;
		plan->initrd_size = img->u.initrd.len;
	}
	if (img->u.dtb.len)
		kx_info(ctx, "kernel %s: the UKI's .dtb is not used: kexec_file_load takes no "
			     "device tree (kexec_load does: -c)", req->kernel);
	return 0;
}

/*
 * -d: KEXEC_FILE_DEBUG (the kernel's own kexec_file messages) exists since
 * Linux 6.8; older kernels refuse the whole load with EINVAL. Set it only
 * where the running kernel is 6.8 or later (or cannot say), and let
 * kx_file_plan_load() retry without it should a kernel refuse it anyway.
 */
static void set_debug_flag(struct kexec_ctx *ctx, struct kx_file_plan *plan)
{
	char running[24];

	if (kx_kernel_predates(ctx, 6, 8, running, sizeof(running))) {
		kx_dbg(ctx, "KEXEC_FILE_DEBUG left out: the running kernel (%s) predates it (6.8) "
			    "and would refuse the load",
		       running);
		return;
	}
	plan->flags |= KEXEC_FILE_DEBUG;
}

/*
 * --no-cma and --force-dtb (struct kx_file_request.options). Kernels
 * before the flag's release refuse it with EINVAL: leave it out where that
 * changes nothing (no CMA placement before 6.17; a device-tree
 * architecture's kexec_file_load carries the device tree anyway), refuse
 * the load where it would (x86_64 carries none before 6.18).
 */
static int set_option_flags(struct kexec_ctx *ctx, const struct kx_file_request *req,
			    struct kx_file_plan *plan)
{
	const struct kx_arch *arch = kx_arch_of(ctx);
	char running[24], path[4096];
	struct stat st;
	bool before;

	if (req->options & ~KX_OPT_KNOWN) {
		kx_err(ctx, "cannot load %s: unknown options %#" PRIx64 " in the request",
		       req->kernel, req->options);
		return -EINVAL;
	}
	if (req->options & LIBKEXEC_OPT_NO_CMA) {
		if (kx_kernel_predates(ctx, 6, 17, running, sizeof(running)))
			kx_dbg(ctx, "KEXEC_FILE_NO_CMA left out: the running kernel (%s) predates it "
				    "(6.17), never places kexec payloads in CMA, and would refuse the "
				    "flag",
			       running);
		else
			plan->flags |= KEXEC_FILE_NO_CMA;
	}
	if (!(req->options & LIBKEXEC_OPT_FORCE_DTB))
		return 0;
	before = kx_kernel_predates(ctx, 6, 18, running, sizeof(running));
	if (arch && arch->device_tree) {
		if (before)
			kx_dbg(ctx, "KEXEC_FILE_FORCE_DTB left out: the running kernel (%s) predates "
				    "it (6.18) and hands the next kernel its device tree anyway (%s)",
			       running, arch->name);
		else
			plan->flags |= KEXEC_FILE_FORCE_DTB;
		return 0;
	}
	if (before) {
		kx_err(ctx, "cannot load %s: --force-dtb: the running kernel (%s) cannot carry its "
			    "device tree to the next one (KEXEC_FILE_FORCE_DTB, Linux 6.18 and later)",
		       req->kernel, running);
		return -EOPNOTSUPP;
	}
	/* Without one the kernel would accept the flag and carry nothing. */
	if (kx_path(ctx, "/sys/firmware/fdt", path, sizeof(path)) < 0 || stat(path, &st) < 0) {
		kx_err(ctx, "cannot load %s: --force-dtb: the running kernel has no device tree to "
			    "carry (no %s)",
		       req->kernel, "/sys/firmware/fdt");
		return -EOPNOTSUPP;
	}
	plan->flags |= KEXEC_FILE_FORCE_DTB;
	return 0;
}

/* The kernel reads the unwrapped image (a sealed memfd); the file itself is done with. */
static int pass_unwrapped(struct kexec_ctx *ctx, const struct kx_file_request *req,
			  struct kx_file_plan *plan, const struct kx_image *img)
{
	int r;

	if (!img->u.nr_layers)
		return 0;
	r = sealed_memfd(ctx, "kernel", req->kernel, img->u.buf, img->u.len);
	if (r < 0)
		return r;
	close(plan->kernel_fd);
	plan->kernel_fd = r;
	plan->kernel_size = img->u.len;
	kx_info(ctx, "kernel %s: %s inside %s (%zu bytes unwrapped, passed in a sealed memfd)",
		req->kernel, img->fmt->type.name, img->u.chain, img->u.len);
	return 0;
}

/* The initrd: the one the running kernel kept (--reuseinitrd), the file, or none. */
static int open_initrd(struct kexec_ctx *ctx, const struct kx_file_request *req,
		       struct kx_file_plan *plan)
{
	char *buf;
	size_t len;
	int r;

	if (req->reuse_initrd) {
		r = kx_read_retained_initrd(ctx, req->kernel, req->initrd, &buf, &len);
		if (r < 0)
			return r;
		r = sealed_memfd(ctx, "initrd", req->kernel, buf, len);
		free(buf);
		if (r < 0)
			return r;
		plan->initrd_fd = r;
		plan->initrd_size = len;
		plan->initrd_path = strdup("/sys/firmware/initrd");
		return plan->initrd_path ? 0 : -ENOMEM;
	}
	if (req->initrd) {
		plan->initrd_path = strdup(req->initrd);
		if (!plan->initrd_path)
			return -ENOMEM;
		r = kx_open_input(ctx, "initrd", req->initrd, &plan->initrd_size);
		if (r < 0)
			return r;
		plan->initrd_fd = r;
		return 0;
	}
	if (plan->initrd_fd < 0)
		plan->flags |= KEXEC_FILE_NO_INITRAMFS;
	return 0;
}

int kx_file_plan_prepare(struct kexec_ctx *ctx, const struct kx_file_request *in,
				      struct kx_file_plan *plan)
{
	struct kx_file_request reqbuf, *req = &reqbuf;
	const char *cmdline = NULL;
	char *image_cmdline = NULL;
	struct kx_image img = { 0 };
	uint8_t *head = MAP_FAILED;
	size_t head_len = 0;
	int r;

	memset(plan, 0, sizeof(*plan));
	plan->kernel_fd = -1;
	plan->initrd_fd = -1;
	r = kx_request_copy(ctx, "kexec_file_load", in, in->sz, req, sizeof(*req), sizeof(*req));
	if (r < 0)
		return r;
	if (!req->kernel) {
		kx_err(ctx, "no kernel specified");
		return -EINVAL;
	}
	/* Options first: a refused one costs no file read. */
	r = set_option_flags(ctx, req, plan);
	if (r < 0)
		return r;
	plan->kernel_path = strdup(req->kernel);
	if (!plan->kernel_path)
		return -ENOMEM;
	r = kx_open_input(ctx, "kernel", req->kernel, &plan->kernel_size);
	if (r < 0)
		goto fail;
	plan->kernel_fd = r;

	/* Mapped, not read: the probes look at a few headers, the kernel reads the file. */
	head_len = (size_t)plan->kernel_size;
	head = mmap(NULL, head_len, PROT_READ, MAP_PRIVATE, plan->kernel_fd, 0);
	if (head == MAP_FAILED) {
		r = -errno;
		kx_err(ctx, "cannot read kernel %s: %s", req->kernel, strerror(-r));
		goto fail;
	}
	r = open_image(ctx, req, plan, head, &img, &image_cmdline);
	if (r < 0)
		goto fail;
	cmdline = image_cmdline ? image_cmdline : req->cmdline ? req->cmdline : "";
	plan->cmdline = strdup(cmdline);
	plan->cmdline_len = strlen(cmdline) + 1;
	r = plan->cmdline ? check_image(ctx, req, plan, &img) : -ENOMEM;
	if (r < 0)
		goto fail;
	kx_image_layers(&img, plan->layers.from_image, &plan->layers);
	r = pass_unwrapped(ctx, req, plan, &img);
	if (r < 0)
		goto fail;
	kx_image_close(&img);
	munmap(head, head_len);
	head = MAP_FAILED;

	r = open_initrd(ctx, req, plan);
	if (r < 0)
		goto fail;
	if (req->crash) {
		plan->flags |= KEXEC_FILE_ON_CRASH;
		r = check_crash_room(ctx, plan);
		if (r < 0)
			goto fail;
	}
	if (req->debug || (req->options & LIBKEXEC_OPT_DEBUG))
		set_debug_flag(ctx, plan);
	free(image_cmdline);
	return 0;
fail:
	kx_image_close(&img);
	if (head != MAP_FAILED)
		munmap(head, head_len);
	free(image_cmdline);
	kx_file_plan_free(plan);
	return r;
}

int kx_file_plan_layers(const struct kx_file_plan *plan,
				     struct kexec_image_layers *out)
{
	struct kexec_image_layers full;

	if (!plan || !plan->kernel_path || !out)
		return -EINVAL;
	full = plan->layers;
	full.cmdline = plan->cmdline;
	return kx_fill_out(out, &full, sizeof(full));
}

int kx_file_plan_load(struct kexec_ctx *ctx, const struct kx_file_plan *plan)
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

void kx_file_plan_free(struct kx_file_plan *plan)
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
