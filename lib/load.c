/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load: user space builds everything the kernel does not. One pipeline
 * for every architecture, asking the tables of lib/arch.h:
 *   1. the architecture reads the system's state and the RAM to place into
 *      (kx_arch.prepare);
 *   2. the kernel file's format is chosen (-t, or each format's probe);
 *   3. the format's loader adds the kernel's segments, the initrd, the crash
 *      kernel's core header and the boot data (kx_format.load), placing
 *      every one through the one allocator;
 *   4. the purgatory: the digest of every segment, the entry point and the
 *      boot data in its parameter block, placed and relocated;
 *   5. the kernel's own checks (kexec_validate), so that it never says no
 *      for a reason we could see.
 * The syscall itself is kx_load_plan_load().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "crash.h"
#include "purgatory.h"

uint64_t kx_load_page_align(const struct kx_load *l, uint64_t v)
{
	return (v + l->page_size - 1) & ~(l->page_size - 1);
}

static void unmap(struct kx_mapped *m)
{
	if (m->addr && m->addr != MAP_FAILED)
		munmap(m->addr, m->len);
	m->addr = NULL;
	m->len = 0;
}

/* Map a file read-only: the syscall copies from these pages, we never do. */
static int map_input(struct kexec_ctx *ctx, const char *what, const char *path,
		     struct kx_mapped *m)
{
	uint64_t size;
	int fd = kx_open_input(ctx, what, path, &size);

	if (fd < 0)
		return fd;
	m->addr = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m->addr == MAP_FAILED) {
		int r = -errno;

		kx_err(ctx, "cannot read %s %s: %s", what, path, strerror(-r));
		m->addr = NULL;
		close(fd);
		return r;
	}
	m->len = (size_t)size;
	close(fd);
	return 0;
}

int kx_load_keep(struct kx_load *l, void *buf)
{
	if (l->nr_bufs >= ARRAY_SIZE(l->bufs)) {
		free(buf);
		return -E2BIG;
	}
	l->bufs[l->nr_bufs++] = buf;
	return 0;
}

int kx_load_add_segment(struct kx_load *l, enum kexec_segment_role role, const void *buf, size_t bufsz,
			uint64_t mem, uint64_t memsz)
{
	struct kx_load_plan *plan = l->plan;
	struct kx_segment_info *info;
	struct kx_sha256 sha;
	int r;

	/* Fail here, naming the segment, rather than at the kernel's count check. */
	if (plan->segs.nr >= KEXEC_SEGMENT_MAX)
		return -E2BIG;
	r = kexec_segment_list_add(&plan->segs, buf, bufsz, mem, memsz);
	if (r < 0)
		return r;
	info = realloc(plan->info, plan->segs.nr * sizeof(*info));
	if (!info)
		return -ENOMEM;
	plan->info = info;
	info[r].role = role;
	memset(info[r].sha256, 0, sizeof(info[r].sha256));
	/* Only for display: the purgatory's digest is the one that matters, hash once. */
	if (l->req->segment_digests) {
		kx_sha256_init(&sha);
		kx_sha256_update(&sha, buf, bufsz);
		kx_sha256_final(&sha, info[r].sha256);
	}
	return 0;
}

int kx_load_place(struct kexec_ctx *ctx, struct kx_load *l, const char *what, uint64_t size,
		  uint64_t align, uint64_t min, uint64_t max, bool top_down, uint64_t *addr)
{
	struct kx_place p = {
		.what = what, .size = size, .align = align ? align : l->page_size, .min = min,
		.max = max, .top_down = top_down,
	};

	return kx_alloc_place(ctx, &l->alloc, &p, addr);
}

/* A segment the pipeline cannot add: say which, not just "too many". */
static int add_failed(struct kexec_ctx *ctx, struct kx_load *l, const char *role, int r)
{
	if (r == -E2BIG)
		kx_err(ctx, "cannot load %s: the %s would be segment %zu, but kexec_load takes at "
			    "most %d",
		       l->what_kernel, role, l->plan->segs.nr + 1, KEXEC_SEGMENT_MAX);
	return r;
}

uint64_t kx_load_initrd_size(const struct kx_load *l)
{
	struct stat st;

	if (l->initrd_embedded)
		return l->initrd.len;
	if (l->req->initrd && stat(l->req->initrd, &st) == 0)
		return (uint64_t)st.st_size;
	return 0;
}

int kx_load_initrd(struct kexec_ctx *ctx, struct kx_load *l, uint64_t min, uint64_t max,
		   bool top_down)
{
	uint64_t size;
	int r;

	l->initrd_addr = l->initrd_size = 0;
	if (!l->req->initrd && !l->initrd_embedded)
		return 0;
	if (!l->initrd_embedded) {
		r = map_input(ctx, "initrd", l->req->initrd, &l->initrd);
		if (r < 0)
			return r;
	}
	size = kx_load_page_align(l, l->initrd.len);
	r = kx_load_place(ctx, l, l->what_initrd, size, l->page_size, min, max, top_down,
			  &l->initrd_addr);
	if (r < 0)
		return r;
	l->initrd_size = l->initrd.len;
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_INITRD, l->initrd.addr, l->initrd.len, l->initrd_addr, size);
	return r < 0 ? add_failed(ctx, l, "initrd", r) : 0;
}

int kx_load_elfcorehdr(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct kx_crash_info ci = { 0 };
	uint64_t size, align;
	bool elf32;
	int r;

	if (l->req->elf32_core_headers && l->req->elf64_core_headers) {
		kx_err(ctx, "cannot load crash kernel %s: a core header is either 32-bit or 64-bit, "
			    "not both", l->req->kernel);
		return -EINVAL;
	}
	elf32 = l->req->elf32_core_headers ||
		(l->arch->crash->elf32_default && !l->req->elf64_core_headers);
	r = kx_crash_info_read(ctx, l->arch->crash, &ci);
	if (r < 0)
		return r;
	if (l->arch->crash->backup_low) {
		/* Nothing to copy now: the purgatory fills it (struct kx_crash_policy). */
		size = kx_load_page_align(l, l->arch->crash->backup_low);
		r = kx_load_place(ctx, l, "backup of low memory", size, 0, 0, 0, true,
				  &l->backup_addr);
		if (r == 0)
			r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_BACKUP, NULL, 0, l->backup_addr, size);
		if (r < 0) {
			kx_crash_info_free(&ci);
			return add_failed(ctx, l, "backup", r);
		}
		ci.backup_size = l->arch->crash->backup_low;
		ci.backup_addr = l->backup_addr;
	}
	r = kx_crash_build_elfcorehdr(ctx, &ci, elf32, l->arch->e_machine, &l->elfcorehdr,
				      &l->elfcorehdr_len);
	kx_crash_info_free(&ci);
	if (r < 0)
		return r;
	size = kx_load_page_align(l, l->elfcorehdr_len);
	/* --hotplug: room for the largest header the kernel may write here. */
	if (l->hotplug_hdr_size && kx_load_page_align(l, l->hotplug_hdr_size) > size)
		size = kx_load_page_align(l, l->hotplug_hdr_size);
	align = l->arch->crash->elfcorehdr_align ? l->arch->crash->elfcorehdr_align : l->page_size;
	r = kx_load_place(ctx, l, "ELF core header", size, align, 0, 0, true, &l->elfcorehdr_addr);
	if (r < 0)
		return r;
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_ELFCOREHDR, l->elfcorehdr, l->elfcorehdr_len,
				l->elfcorehdr_addr, size);
	return r < 0 ? add_failed(ctx, l, "ELF core header", r) : 0;
}

/* The purgatory: checks every other segment, then enters the kernel. */
/*
 * The purgatory's check: the regions it reads, each one's own sum (for its
 * report after a mismatch), and the digest, computed by the code the
 * purgatory checks it with (purgatory/common/xxh3.c or sha256.c), the bytes
 * read once here. -i: no regions, so the purgatory hashes nothing and the
 * digest is of nothing. --hotplug: the core header is the kernel's to
 * rewrite, and is left out (as the kernel's own kexec_file_load leaves it
 * out).
 */
static void purgatory_check(const struct kx_load *l, struct kx_purgatory_params *pp)
{
	const struct kx_load_plan *plan = l->plan;
	bool sha256 = l->req->check == LIBKEXEC_CHECK_SHA256;
	struct kx_sha256 sha;
	struct kx_xxh3 xxh;

	kx_sha256_init(&sha);
	kx_xxh3_init(&xxh);
	for (size_t i = 0, n = 0; !l->req->no_checks && i < plan->segs.nr; i++) {
		const void *buf = plan->segs.seg[i].buf;
		size_t bufsz = plan->segs.seg[i].bufsz;

		if (l->hotplug_hdr_size && plan->info[i].role == LIBKEXEC_SEGMENT_ELFCOREHDR)
			continue;
		pp->regions[n].start = (uintptr_t)plan->segs.seg[i].mem;
		pp->regions[n].len = bufsz;
		if (sha256) {
			kx_sha256_lanes_update(&sha, buf, bufsz);
			pp->region_sums[n] = kx_xxh3_sum(buf, bufsz);
		} else {
			pp->region_sums[n] = kx_xxh3_update(&xxh, buf, bufsz);
		}
		n++;
	}
	if (sha256) {
		kx_sha256_final(&sha, pp->digest);
		pp->flags |= KX_PF_SHA256;
	} else {
		kx_xxh3_final(&xxh, pp->digest);
	}
}

static int load_purgatory(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct kx_load_plan *plan = l->plan;
	struct kx_purgatory *purg;
	struct kx_purgatory_params pp;
	uint64_t addr, start, min = 0, max = 0;
	int r;

	if (!*l->arch->purgatory_size) {
		kx_err(ctx, "cannot load %s: this library was built without the %s purgatory",
		       l->what_kernel, l->arch->name);
		return -EOPNOTSUPP;
	}
	purg = calloc(1, sizeof(*purg));
	if (!purg)
		return -ENOMEM;
	l->purg = purg;
	r = kx_purgatory_init(ctx, purg, l->arch->purgatory, *l->arch->purgatory_size);
	if (r < 0)
		return r;
	memset(&pp, 0, sizeof(pp));
	purgatory_check(l, &pp);
	pp.entry = l->kernel_entry;
	pp.boot_data = l->boot_data;
	if (l->req->console_progress)
		pp.flags |= KX_PF_PROGRESS;
	r = l->arch->purgatory_params(ctx, l, &pp, &min, &max);
	if (r < 0)
		return r;
	r = kx_purgatory_set_params(purg, &pp);
	if (r < 0) {
		kx_err(ctx, "the embedded purgatory lacks its parameter block %s: %s",
		       KX_PURGATORY_PARAMS_NAME, strerror(-r));
		return r;
	}
	r = kx_load_place(ctx, l, "purgatory", kx_load_page_align(l, purg->memsz),
			  purg->align > l->page_size ? purg->align : l->page_size, min, max, false,
			  &addr);
	if (r < 0)
		return r;
	r = kx_purgatory_relocate(ctx, purg, addr + l->arch->purgatory_link_offset);
	if (r < 0)
		return r;
	r = kx_purgatory_symbol_addr(purg, KX_PURGATORY_ENTRY_NAME, &start);
	if (r < 0)
		return r;
	/* The kernel takes a physical entry. */
	plan->entry = (unsigned long)(start - l->arch->purgatory_link_offset);
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_PURGATORY, purg->buf, purg->bufsz, addr,
				kx_load_page_align(l, purg->memsz));
	return r < 0 ? add_failed(ctx, l, "purgatory", r) : 0;
}

/*
 * The file's envelopes peeled and its format found (kx_image_open); a UKI's
 * command line, initrd and device tree taken where the request has none.
 */
static int choose_format(struct kexec_ctx *ctx, struct kx_load *l,
			 struct kx_load_request *req)
{
	char why[1024];
	int r;

	r = kx_image_open(l->arch, l->file.addr, l->file.len, req->type, &l->img, why, sizeof(why));
	if (r == -ENOEXEC && !req->type) {
		kx_err(ctx, "cannot load kernel %s: not a kernel image for %s (%s)", req->kernel,
		       l->arch->name, why);
		return r;
	}
	if (r < 0) {
		kx_err(ctx, "cannot load kernel %s: %s", req->kernel, why);
		return r;
	}
	l->fmt = l->img.fmt;
	l->info = l->img.info;
	l->kernel.addr = (void *)l->img.u.buf;
	l->kernel.len = l->img.u.len;
	if (!l->fmt->type.kexec_load) {
		kx_err(ctx, "cannot load kernel %s: %s images load only through kexec_file_load (-s)",
		       req->kernel, l->fmt->type.name);
		return -EOPNOTSUPP;
	}
	if (l->img.u.nr_layers)
		kx_info(ctx, "kernel %s: %s inside %s (%zu bytes unwrapped)", req->kernel,
			l->fmt->type.name, l->img.u.chain, l->img.u.len);
	if (req->reuse_initrd) {
		char *buf;
		size_t len;

		r = kx_read_retained_initrd(ctx, req->kernel, req->initrd, &buf, &len);
		if (r < 0)
			return r;
		r = kx_load_keep(l, buf);
		if (r < 0)
			return r;
		l->initrd.addr = buf;
		l->initrd.len = len;
		l->initrd_embedded = true;
		snprintf(l->what_initrd, sizeof(l->what_initrd),
			 "initrd /sys/firmware/initrd (the running kernel's)");
	}
	r = kx_image_supplies(ctx, &l->img, req->kernel, req->cmdline,
			      req->initrd || req->reuse_initrd, &l->image_cmdline);
	if (r < 0)
		return r;
	l->from_image |= (unsigned int)r;
	/* The plan's own copy: its accessors outlive the caller's string. */
	if (!l->image_cmdline && req->cmdline) {
		l->image_cmdline = strdup(req->cmdline);
		if (!l->image_cmdline)
			return -ENOMEM;
	}
	if (l->image_cmdline)
		req->cmdline = l->image_cmdline;
	if (r & LIBKEXEC_FROM_IMAGE_INITRD) {
		l->initrd.addr = (void *)l->img.u.initrd.buf;
		l->initrd.len = l->img.u.initrd.len;
		l->initrd_embedded = true;
		snprintf(l->what_initrd, sizeof(l->what_initrd), "initrd (.initrd of %s)",
			 req->kernel);
	}
	return 0;
}

/*
 * --hotplug: the running kernel must have crash hotplug (CONFIG_CRASH_HOTPLUG,
 * 6.6+, says how large a header it may write in
 * /sys/kernel/crash_elfcorehdr_size) and this library must know the
 * architecture's flag for it.
 */
static int check_hotplug(struct kexec_ctx *ctx, struct kx_load *l)
{
	char path[4096], *val = NULL, *end;
	unsigned long long size;
	int r;

	if (!l->crash) {
		kx_err(ctx, "cannot load %s: --hotplug is for crash kernels", l->what_kernel);
		return -EINVAL;
	}
	r = kx_read_rel(ctx, "/sys/kernel/crash_elfcorehdr_size", 64, true, path, sizeof(path),
			&val, NULL);
	if (r < 0) {
		kx_err(ctx, "cannot load crash kernel %s: --hotplug: the running kernel has no crash "
			    "hotplug (%s: %s; CONFIG_CRASH_HOTPLUG, Linux 6.6 and later)",
		       l->req->kernel, path, strerror(-r));
		return r == -ENOENT ? -EOPNOTSUPP : r;
	}
	errno = 0;
	size = strtoull(val, &end, 0);
	if (errno || end == val || *end || size == 0 || size > (64ULL << 20)) {
		kx_err(ctx, "cannot load crash kernel %s: --hotplug: %s says \"%.32s\", not a size",
		       l->req->kernel, path, val);
		free(val);
		return -EINVAL;
	}
	free(val);
	if (!l->arch->crash->hotplug_flag) {
		kx_err(ctx, "cannot load crash kernel %s: --hotplug: this library's %s kexec_load "
			    "does not prepare crash kernels for hotplug updates (kexec_file_load, -s, "
			    "does, where the kernel has it)",
		       l->req->kernel, l->arch->name);
		return -EOPNOTSUPP;
	}
	l->hotplug_hdr_size = size;
	kx_dbg(ctx, "--hotplug: the core header's segment is sized for %llu bytes (%s) and left "
		    "out of the purgatory's check",
	       size, path);
	return 0;
}

/*
 * struct kx_load_request.options: kexec_load places nothing in CMA
 * (--no-cma holds already), and hands the next kernel a device tree only on
 * a device-tree architecture, where that is the running kernel's unless
 * dtb names another.
 */
static int check_options(struct kexec_ctx *ctx, struct kx_load *l)
{
	const struct kx_load_request *req = l->req;

	if (req->options & ~KX_OPT_KNOWN) {
		kx_err(ctx, "cannot load kernel %s: unknown options %#" PRIx64 " in the request",
		       req->kernel, req->options);
		return -EINVAL;
	}
	if (req->kernel_room && !l->arch->kernel_room) {
		kx_err(ctx, "cannot load kernel %s: --image-size is for 32-bit ARM zImages: %s's "
			    "loader takes the kernel's size from its image", req->kernel, l->arch->name);
		return -EOPNOTSUPP;
	}
	if ((req->console_base || req->console_baud || req->console_vga) &&
	    l->arch->purgatory_console) {
		kx_err(ctx, "cannot load kernel %s: --serial, --serial-baud and --console-vga are x86 "
			    "options; on %s the purgatory writes to %s",
		       req->kernel, l->arch->name, l->arch->purgatory_console);
		return -EOPNOTSUPP;
	}
	if (req->no_efi && !l->arch->efi_boot_data) {
		kx_err(ctx, "cannot load kernel %s: --no-efi withholds the EFI state of x86's zero "
			    "page; %s's kexec_load passes none of its own%s",
		       req->kernel, l->arch->name,
		       l->arch->device_tree ? " (a device tree's /chosen carries the running "
					      "kernel's EFI properties as they are)"
					    : "");
		return -EOPNOTSUPP;
	}
	if (req->options & LIBKEXEC_OPT_NO_CMA)
		kx_dbg(ctx, "--no-cma: kexec_load never places segments in CMA (only the kernel's "
			    "kexec_file_load does, 6.17 and later)");
	if (!(req->options & LIBKEXEC_OPT_FORCE_DTB))
		return 0;
	if (!l->arch->device_tree) {
		kx_err(ctx, "cannot load kernel %s: --force-dtb: %s's kexec_load hands the next kernel "
			    "no device tree%s",
		       req->kernel, l->arch->name,
		       l->arch->no_file_load ? "" : " (kexec_file_load does, -s, on Linux 6.18 and "
						     "later, where the running kernel has one)");
		return -EOPNOTSUPP;
	}
	if (req->dtb) {
		kx_err(ctx, "cannot load kernel %s: --force-dtb carries the running kernel's device "
			    "tree and --dtb names another (%s): give one",
		       req->kernel, req->dtb);
		return -EINVAL;
	}
	kx_dbg(ctx, "--force-dtb: the next kernel gets the running kernel's device tree, as "
		    "kexec_load on %s always does",
	       l->arch->name);
	return 0;
}

/*
 * -d: KEXEC_DEBUG (the kernel's own kexec_load messages), for kernels after
 * 7.3 only (KX_KEXEC_DEBUG_MAJOR): older ones refuse the load with EINVAL,
 * and each refused attempt counts against kernel.kexec_load_limit_*.
 * kx_load_plan_load() retries without it should a kernel refuse it anyway.
 */
static void set_debug_flag(struct kexec_ctx *ctx, struct kx_load_plan *plan)
{
	char running[24];

	if (kx_kernel_predates(ctx, KX_KEXEC_DEBUG_MAJOR, KX_KEXEC_DEBUG_MINOR, running,
			       sizeof(running))) {
		kx_dbg(ctx, "KEXEC_DEBUG left out: the running kernel (%s) would refuse the load "
			    "with it (no release up to 7.3 takes it)",
		       running);
		return;
	}
	plan->flags |= KEXEC_DEBUG;
}

/*
 * crashkernel=SIZE,cma (Linux 6.17+): the kernel's kexec_file_load hands its
 * crash kernel that CMA memory as RAM besides the "Crash kernel" region, and
 * leaves it out of the dump. kexec_load cannot: the kernel shows the CMA
 * ranges nowhere but its log, so this crash kernel runs in the region alone
 * (and the dump keeps the CMA memory, which it does not touch). Say so.
 */
static void warn_crash_cma(struct kexec_ctx *ctx, const char *kernel)
{
	const char *pos, *tok;
	char *line;
	size_t n;

	if (kexec_read_sysfile(ctx, "/proc/cmdline", &line, NULL) < 0)
		return;
	for (pos = line; (tok = kx_cmdline_next(&pos, &n));) {
		if (n > 12 + 4 && !strncmp(tok, "crashkernel=", 12) && !strncmp(tok + n - 4, ",cma", 4)) {
			kx_warn(ctx, "crash kernel %s: kexec_load cannot hand it the memory of %.*s (the "
				     "kernel shows where it is only in its log): it runs in the \"Crash "
				     "kernel\" region alone; kexec_file_load (-s) gives it both",
				kernel, (int)n, tok);
			break;
		}
	}
	free(line);
}

static int validate(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct kx_load_plan *plan = l->plan;
	struct kexec_limits lim;
	const char *reason;
	int r, bad;

	/* What the kernel will check, checked now, so that it never says no for these. */
	kx_limits_native(&lim);
	lim.native_arch = l->arch->kexec_arch;
	lim.page_size = l->page_size;
	/* In 4 KiB pages (MemTotal, or the RAM the architecture found); the validator's unit. */
	lim.totalram_pages = kx_totalram_pages(ctx);
	if (!lim.totalram_pages)
		lim.totalram_pages = l->totalram_pages;
	lim.totalram_pages = lim.totalram_pages * 4096 / l->page_size;
	lim.has_crash_region = l->crash;
	lim.crash_start = l->crash_start;
	lim.crash_end = l->crash_end;
	/* KEXEC_DEBUG is set only for kernels that take it (7.0+), which the limits cannot say. */
	r = kx_validate(&lim, plan->entry, plan->segs.nr, plan->segs.seg,
			   plan->flags & ~(unsigned long)KEXEC_DEBUG, &reason, &bad);
	if (r < 0 && bad >= 0)
		kx_err(ctx, "cannot load %s: the kernel would refuse the %s segment: %s",
		       plan->info[bad].role == LIBKEXEC_SEGMENT_INITRD ? l->what_initrd : l->what_kernel,
		       kexec_segment_role_name(plan->info[bad].role), reason);
	else if (r < 0)
		kx_err(ctx, "cannot load %s: the kernel would refuse the load: %s", l->what_kernel,
		       reason);
	return r;
}

/*
 * What the request asks, before any file is read: a kernel, a known check,
 * an architecture with a loader, its options, and for a crash kernel the
 * reservation.
 */
static int check_request(struct kexec_ctx *ctx, struct kx_load *l)
{
	const struct kx_load_request *req = l->req;
	int r;

	if (!req->kernel) {
		kx_err(ctx, "no kernel specified");
		return -EINVAL;
	}
	if (req->check != LIBKEXEC_CHECK_XXH3 && req->check != LIBKEXEC_CHECK_SHA256) {
		kx_err(ctx, "cannot load kernel %s: unknown purgatory check %u (known: %u xxh3, %u "
			    "sha256)",
		       req->kernel, req->check, LIBKEXEC_CHECK_XXH3, LIBKEXEC_CHECK_SHA256);
		return -EINVAL;
	}
	l->arch = kx_arch_of(ctx);
	if (!l->arch) {
		kx_err(ctx, "cannot load kernel %s: this library has no kexec_load loader for this "
			    "architecture",
		       req->kernel);
		return -EOPNOTSUPP;
	}
	r = check_options(ctx, l);
	if (r < 0)
		return r;
	l->page_size = kx_page_size(ctx);
	l->crash = req->crash;
	snprintf(l->what_kernel, sizeof(l->what_kernel), "kernel %s", req->kernel);
	snprintf(l->what_initrd, sizeof(l->what_initrd), "initrd %s",
		 req->initrd ? req->initrd : "");
	if (!l->crash)
		return 0;
	if (l->arch->no_crash) {
		kx_err(ctx, "cannot load crash kernel %s: %s", req->kernel, l->arch->no_crash);
		return -EOPNOTSUPP;
	}
	r = kexec_find_crash_region(ctx, &l->crash_start, &l->crash_end);
	if (r == -ENOENT) {
		kx_err(ctx, "cannot load crash kernel %s: no memory is reserved for crash "
			    "kernels (boot with crashkernel=, e.g. crashkernel=256M)",
		       req->kernel);
		r = -EADDRNOTAVAIL;
	}
	if (r < 0)
		return r;
	warn_crash_cma(ctx, req->kernel);
	return 0;
}

int kx_load_plan_prepare(struct kexec_ctx *ctx, const struct kx_load_request *in,
				      struct kx_load_plan *plan)
{
	struct kx_load_request *req;
	struct kx_load *l;
	int r;

	memset(plan, 0, sizeof(*plan));
	kexec_segment_list_init(&plan->segs);
	l = calloc(1, sizeof(*l) + sizeof(*req));
	if (!l)
		return -ENOMEM;
	req = (struct kx_load_request *)(l + 1);
	plan->priv = l;
	l->plan = plan;
	l->req = req;
	kx_alloc_init(&l->alloc);
	r = kx_request_copy(ctx, "kexec_load", in, in->sz, req, sizeof(*req), sizeof(*req));
	if (r < 0)
		goto fail;
	r = check_request(ctx, l);
	if (r < 0)
		goto fail;
	r = map_input(ctx, "kernel", req->kernel, &l->file);
	if (r < 0)
		goto fail;
	/* The file's format first: a wrong file is refused before the system is read. */
	r = choose_format(ctx, l, req);
	if (r < 0)
		goto fail;
	plan->format = l->fmt->type.name;
	if (req->hotplug) {
		r = check_hotplug(ctx, l);
		if (r < 0)
			goto fail;
	}
	r = l->arch->prepare(ctx, l);
	if (r < 0)
		goto fail;
	if (req->mem_min)
		l->alloc.mem_min = req->mem_min;
	if (req->mem_max)
		l->alloc.mem_max = req->mem_max;
	r = l->fmt->load(ctx, l);
	if (r < 0)
		goto fail;
	r = load_purgatory(ctx, l);
	if (r < 0)
		goto fail;
	plan->flags = l->arch->kexec_arch | (l->crash ? KEXEC_ON_CRASH : 0);
	if (l->hotplug_hdr_size)
		plan->flags |= l->arch->crash->hotplug_flag;
	if (req->options & LIBKEXEC_OPT_DEBUG)
		set_debug_flag(ctx, plan);
	r = validate(ctx, l);
	if (r < 0)
		goto fail;
	return 0;
fail:
	kx_load_plan_free(plan);
	return r;
}

int kx_load_plan_layers(const struct kx_load_plan *plan,
				     struct kexec_image_layers *out)
{
	const struct kx_load *l = plan ? plan->priv : NULL;
	struct kexec_image_layers full;

	if (!l || !out)
		return -EINVAL;
	kx_image_layers(&l->img, l->from_image, &full);
	full.cmdline = l->req->cmdline ? l->req->cmdline : "";
	return kx_fill_out(out, &full, sizeof(full));
}

int kx_load_plan_load(struct kexec_ctx *ctx, const struct kx_load_plan *plan)
{
	int r = kexec_do_load(ctx, plan->entry, plan->segs.nr, plan->segs.seg, plan->flags);

	/* As kx_file_plan_load() does for KEXEC_FILE_DEBUG: flags are the kernel's first check. */
	if (r == -EINVAL && (plan->flags & KEXEC_DEBUG)) {
		kx_dbg(ctx, "kexec_load refused the load with KEXEC_DEBUG (EINVAL): this kernel may "
			    "predate the flag; trying again without it");
		r = kexec_do_load(ctx, plan->entry, plan->segs.nr, plan->segs.seg,
				  plan->flags & ~(unsigned long)KEXEC_DEBUG);
	}
	return r;
}

void kx_load_plan_free(struct kx_load_plan *plan)
{
	struct kx_load *l = plan->priv;

	if (l) {
		if (l->arch && l->arch->cleanup)
			l->arch->cleanup(l);
		unmap(&l->file);
		if (!l->initrd_embedded)
			unmap(&l->initrd);
		kx_image_close(&l->img);
		free(l->image_cmdline);
		free(l->elfcorehdr);
		free(l->fmt_priv);
		for (size_t i = 0; i < l->nr_bufs; i++)
			free(l->bufs[i]);
		kx_alloc_free(&l->alloc);
		if (l->purg) {
			kx_purgatory_free(l->purg);
			free(l->purg);
		}
		free(l);
	}
	kexec_segment_list_free(&plan->segs);
	free(plan->info);
	memset(plan, 0, sizeof(*plan));
}
