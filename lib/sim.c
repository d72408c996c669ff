/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A simulated kernel: kexec_load, kexec_file_load and reboot with the kernel's
 * documented semantics, in process. Tests and --dry-run use it; it is only
 * ever selected through kexec_ctx_use_sim().
 *
 * Memory is sparse: each loaded segment keeps a copy of its bufsz bytes and
 * reads of the rest of memsz return zeros, as the kernel's zero-fill does.
 * Signatures are modelled by presence only (a PE certificate table): the
 * simulator holds no keyring.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "libkexec-internal.h"
#include "backend.h"
#include "sim-checks.h"

struct sim_segment {
	uint64_t mem;
	uint64_t memsz;
	uint8_t *data; /* bufsz bytes */
	size_t bufsz;
};

struct sim_image {
	bool loaded;
	bool file;
	unsigned long entry;
	struct sim_segment *seg;
	size_t nr;
	uint8_t *kernel, *initrd;
	size_t kernel_size, initrd_size;
	char *cmdline;
};

struct kexec_sim {
	struct kexec_sim_config cfg;
	struct sim_image image[2]; /* [0] normal, [1] crash */
	unsigned calls;
	bool executed;
};

static void image_free(struct sim_image *img)
{
	for (size_t i = 0; i < img->nr; i++)
		free(img->seg[i].data);
	free(img->seg);
	free(img->kernel);
	free(img->initrd);
	free(img->cmdline);
	memset(img, 0, sizeof(*img));
}

KX_EXPORT struct kexec_sim *kexec_sim_new(void)
{
	struct kexec_sim *sim = calloc(1, sizeof(*sim));

	if (!sim)
		return NULL;
	kx_limits_native(&sim->cfg.limits);
	sim->cfg.limits.totalram_pages = (1ULL << 30) / 4096; /* 1 GiB */
	sim->cfg.cap_sys_boot = true;
	sim->cfg.have_kexec_load = true;
	sim->cfg.have_kexec_file_load = kexec_sys_nr_kexec_file_load() >= 0;
	sim->cfg.load_limit_reboot = -1;
	sim->cfg.load_limit_panic = -1;
	return sim;
}

KX_EXPORT void kexec_sim_free(struct kexec_sim *sim)
{
	if (!sim)
		return;
	image_free(&sim->image[0]);
	image_free(&sim->image[1]);
	free(sim);
}

KX_EXPORT struct kexec_sim_config *kexec_sim_config(struct kexec_sim *sim)
{
	return &sim->cfg;
}

KX_EXPORT bool kexec_sim_loaded(const struct kexec_sim *sim, bool crash)
{
	return sim->image[crash].loaded;
}

KX_EXPORT unsigned kexec_sim_calls(const struct kexec_sim *sim)
{
	return sim->calls;
}

KX_EXPORT bool kexec_sim_executed(const struct kexec_sim *sim)
{
	return sim->executed;
}

KX_EXPORT unsigned long kexec_sim_entry(const struct kexec_sim *sim, bool crash)
{
	return sim->image[crash].entry;
}

KX_EXPORT size_t kexec_sim_pages(const struct kexec_sim *sim, bool crash)
{
	const struct sim_image *img = &sim->image[crash];
	size_t pages = 0;

	for (size_t i = 0; i < img->nr; i++)
		pages += (img->seg[i].bufsz + 4095) / 4096;
	return pages;
}

KX_EXPORT int kexec_sim_read(const struct kexec_sim *sim, bool crash, uint64_t phys, void *buf,
			     size_t len)
{
	const struct sim_image *img = &sim->image[crash];
	uint8_t *out = buf;

	if (!img->loaded)
		return -ENOENT;
	while (len > 0) {
		const struct sim_segment *s = NULL;
		uint64_t off, n;

		for (size_t i = 0; i < img->nr; i++) {
			if (phys >= img->seg[i].mem && phys - img->seg[i].mem < img->seg[i].memsz) {
				s = &img->seg[i];
				break;
			}
		}
		if (!s)
			return -EFAULT;
		off = phys - s->mem;
		n = s->memsz - off;
		if (n > len)
			n = len;
		for (uint64_t k = 0; k < n; k++)
			out[k] = off + k < s->bufsz ? s->data[off + k] : 0;
		out += n;
		phys += n;
		len -= n;
	}
	return 0;
}

KX_EXPORT int kexec_sim_file_image(const struct kexec_sim *sim, bool crash, const void **kernel,
				   size_t *kernel_size, const void **initrd, size_t *initrd_size,
				   const char **cmdline)
{
	const struct sim_image *img = &sim->image[crash];

	if (!img->loaded || !img->file)
		return -ENOENT;
	if (kernel)
		*kernel = img->kernel;
	if (kernel_size)
		*kernel_size = img->kernel_size;
	if (initrd)
		*initrd = img->initrd;
	if (initrd_size)
		*initrd_size = img->initrd_size;
	if (cmdline)
		*cmdline = img->cmdline;
	return 0;
}

/* kexec_load_permitted(): capability, the sysctl, then the load-limit counter. */
static bool permitted(struct kexec_sim *sim, bool crash)
{
	int *limit = crash ? &sim->cfg.load_limit_panic : &sim->cfg.load_limit_reboot;

	if (!sim->cfg.cap_sys_boot || sim->cfg.load_disabled)
		return false;
	if (*limit == 0)
		return false;
	if (*limit > 0)
		(*limit)--;
	return true;
}

int kx_sim_load(struct kexec_sim *sim, unsigned long entry, unsigned long nr,
		const struct kexec_segment *segs, unsigned long flags)
{
	bool crash = flags & KEXEC_ON_CRASH;
	struct sim_image img = { 0 };
	int r;

	sim->calls++;
	if (!sim->cfg.have_kexec_load)
		return -ENOSYS;
	if (!permitted(sim, crash))
		return -EPERM;
	if (sim->cfg.lockdown)
		return -EPERM;
	/* Flags, count and arch come before anything is copied or locked. */
	r = kx_sim_check_flags(&sim->cfg, nr, flags);
	if (r < 0)
		return r;
	if (nr && !segs)
		return -EFAULT;
	if (sim->cfg.busy)
		return -EBUSY;
	if (nr == 0) {
		image_free(&sim->image[crash]);
		return 0;
	}
	/* The kernel frees the old crash image before it checks the new one. */
	if (crash)
		image_free(&sim->image[1]);
	r = kx_sim_check_segments(&sim->cfg, entry, nr, segs, flags);
	if (r < 0)
		return r;

	img.seg = calloc(nr, sizeof(*img.seg));
	if (!img.seg)
		return -ENOMEM;
	for (unsigned long i = 0; i < nr; i++) {
		struct sim_segment *s = &img.seg[i];

		if (segs[i].bufsz && !segs[i].buf) {
			image_free(&img);
			return -EFAULT;
		}
		s->mem = (uintptr_t)segs[i].mem;
		s->memsz = segs[i].memsz;
		s->bufsz = segs[i].bufsz;
		s->data = malloc(s->bufsz ? s->bufsz : 1);
		img.nr = i + 1;
		if (!s->data) {
			image_free(&img);
			return -ENOMEM;
		}
		if (s->bufsz)
			memcpy(s->data, segs[i].buf, s->bufsz);
	}
	img.entry = entry;
	img.loaded = true;
	image_free(&sim->image[crash]);
	sim->image[crash] = img;
	return 0;
}

/* kernel_read_file_from_fd(): a regular, non-empty file below 4 GiB. */
static int read_fd(int fd, uint8_t **out, size_t *len)
{
	struct stat st;
	size_t done = 0;
	uint8_t *buf;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -EBADF;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size == 0)
		return -EINVAL;
	if ((uint64_t)st.st_size > 0xffffffffULL)
		return -EFBIG;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;
		}
		done += (size_t)n;
	}
	*out = buf;
	*len = done;
	return 0;
}

/* A PE image with a non-empty certificate table (data directory 4). */
static bool pe_signed(const uint8_t *buf, size_t len)
{
	uint32_t pe, dir;
	uint16_t magic;

	if (len < 0x40 || buf[0] != 'M' || buf[1] != 'Z')
		return false;
	pe = kx_le32(buf + 0x3c);
	if (pe > len || len - pe < 24 + 2 || memcmp(buf + pe, "PE\0\0", 4))
		return false;
	magic = kx_le16(buf + pe + 24);
	dir = pe + 24 + (magic == 0x20b ? 112 : 96) + 4 * 8;
	if (dir > len || len - dir < 8)
		return false;
	return kx_le32(buf + dir + 4) != 0;
}

/*
 * kimage_file_prepare_segments() after the probe: the initrd unless
 * KEXEC_FILE_NO_INITRAMFS, and the command line, which must end in its NUL.
 */
static int read_initrd_cmdline(struct sim_image *img, int ifd, unsigned long cmdline_len,
			       const char *cmdline, unsigned long flags)
{
	int r;

	if (!(flags & KEXEC_FILE_NO_INITRAMFS)) {
		r = read_fd(ifd, &img->initrd, &img->initrd_size);
		if (r < 0)
			return r;
	}
	if (cmdline_len) {
		if (!cmdline)
			return -EFAULT;
		if (cmdline[cmdline_len - 1] != '\0')
			return -EINVAL;
	}
	img->cmdline = strndup(cmdline_len ? cmdline : "", cmdline_len);
	return img->cmdline ? 0 : -ENOMEM;
}

int kx_sim_file_load(struct kexec_sim *sim, int kfd, int ifd, unsigned long cmdline_len,
		     const char *cmdline, unsigned long flags)
{
	const unsigned long legal =
		KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH | KEXEC_FILE_NO_INITRAMFS |
		(sim->cfg.no_file_debug || !kx_sim_release_at_least(&sim->cfg, 6, 8) ? 0 : KEXEC_FILE_DEBUG) |
		(kx_sim_release_at_least(&sim->cfg, 6, 17) ? KEXEC_FILE_NO_CMA : 0) |
		(kx_sim_release_at_least(&sim->cfg, 6, 18) ? KEXEC_FILE_FORCE_DTB : 0);
	const struct kexec_limits *lim = &sim->cfg.limits;
	bool crash = flags & KEXEC_FILE_ON_CRASH;
	struct sim_image img = { .file = true };
	const struct sim_loader *loader = NULL;
	uint64_t need = 0;
	int r;

	sim->calls++;
	if (!sim->cfg.have_kexec_file_load)
		return -ENOSYS;
	if (!permitted(sim, crash))
		return -EPERM;
	if (flags & ~legal)
		return -EINVAL;
	if (sim->cfg.busy)
		return -EBUSY;
	if (flags & KEXEC_FILE_UNLOAD) {
		image_free(&sim->image[crash]);
		return 0;
	}
	if (crash)
		image_free(&sim->image[1]);

	r = read_fd(kfd, &img.kernel, &img.kernel_size);
	if (r < 0)
		goto out;
	/* The architecture's loaders, as the kernel probes them (lib/sim-checks.c). */
	r = kx_sim_file_probe(&sim->cfg, img.kernel, img.kernel_size, &loader);
	if (r < 0)
		goto out;
	/* kimage_validate_signature(): modelled by presence only. */
	if (!pe_signed(img.kernel, img.kernel_size) && (sim->cfg.sig_enforce || sim->cfg.lockdown)) {
		r = sim->cfg.sig_enforce ? -ENODATA : -EPERM;
		goto out;
	}
	r = read_initrd_cmdline(&img, ifd, cmdline_len, cmdline, flags);
	if (r < 0)
		goto out;
	/* The loader's own checks (x86: the command line's room). */
	r = kx_sim_file_checks(loader, img.kernel, img.kernel_size, cmdline_len, &need);
	if (r < 0)
		goto out;
	if (crash) {
		uint64_t page = lim->page_size ? lim->page_size : 4096;

		need = (need + page - 1) / page * page + (img.initrd_size + page - 1) / page * page;
		if (!lim->has_crash_region || lim->crash_end - lim->crash_start + 1 < need) {
			r = -EADDRNOTAVAIL;
			goto out;
		}
	}
	img.loaded = true;
	image_free(&sim->image[crash]);
	sim->image[crash] = img;
	return 0;
out:
	image_free(&img);
	return r;
}

int kx_sim_reboot(struct kexec_sim *sim)
{
	sim->calls++;
	if (!sim->cfg.cap_sys_boot)
		return -EPERM;
	if (sim->cfg.busy)
		return -EBUSY;
	if (!sim->image[0].loaded)
		return -EINVAL;
	sim->executed = true;
	return 0;
}

/*
 * The facts a --dry-run should plan against: which system calls, lockdown,
 * the release (the flags it takes), the crashkernel= reservation. Read
 * quietly: an unknown fact leaves the default.
 */
static void like_crash_region(struct kexec_ctx *ctx, struct kexec_limits *lim)
{
	uint64_t start, end, size = 0;

	/*
	 * The size is world-readable; the address only to root (/proc/iomem
	 * reads as zeros otherwise), so look for it only if there is a
	 * reservation at all.
	 */
	if (kexec_status_crash_size(ctx, &size) == 0 && size == 0)
		return;
	if (kexec_find_crash_region(ctx, &start, &end) == 0) {
		lim->has_crash_region = true;
		lim->crash_start = start;
		lim->crash_end = end;
	} else if (size) {
		/* The address is hidden from non-root; the size is what matters here. */
		lim->has_crash_region = true;
		lim->crash_start = 0x1000000;
		lim->crash_end = 0x1000000 + size - 1;
	}
}

KX_EXPORT int kexec_sim_like_machine(struct kexec_sim *sim, struct kexec_ctx *ctx)
{
	struct kexec_sim_config *cfg;
	struct kexec_status st = { .sz = sizeof(st) };
	unsigned int have, major, minor;
	struct kx_quiet quiet;

	if (!sim || !ctx || ctx->be->simulated)
		return -EINVAL;
	cfg = kexec_sim_config(sim);
	kx_quiet_begin(ctx, &quiet);
	/*
	 * A kernel with kexec_load but no kexec_file_load (Debian's arm64
	 * ones): the same in the simulator, so that plans behave as loads
	 * will. A kernel with neither (a build machine) is planned for as if
	 * it had both: there the plan is the point.
	 */
	if (kexec_status_syscalls(ctx, &have) == 0 && (have & LIBKEXEC_HAVE_LOAD) &&
	    !(have & LIBKEXEC_HAVE_FILE_LOAD))
		cfg->have_kexec_file_load = false;
	/* Locked down: kexec_load refused, kexec_file_load only for signed images. */
	if (kexec_status_get(ctx, &st) == 0 &&
	    (!strcmp(st.lockdown, "integrity") || !strcmp(st.lockdown, "confidentiality")))
		cfg->lockdown = true;
	/* Its release: the kexec flags it takes (-d on 6.1 plans no KEXEC_FILE_DEBUG). */
	if (ctx->be->release(ctx, &major, &minor) == 0) {
		cfg->kernel_major = major;
		cfg->kernel_minor = minor;
	}
	like_crash_region(ctx, &cfg->limits);
	kx_quiet_end(ctx, &quiet);
	return 0;
}
