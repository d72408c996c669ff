/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on x86_64: user space builds everything the kernel does not.
 * A bzImage (boot protocol 2.12+) or an ELF vmlinux becomes up to four kinds
 * of segments, placed by the one allocator over the firmware's RAM:
 *   kernel       the protected-mode kernel (bzImage) or each PT_LOAD (ELF)
 *   initrd       the initramfs, page-aligned
 *   elfcorehdr   crash loads: the ELF core header the crash kernel exposes as /proc/vmcore
 *   boot_params  the zero page, the command line and the setup_data chain
 *   purgatory    our freestanding blob: checks every other segment's SHA-256,
 *                then enters the kernel's 64-bit entry with RSI = boot_params
 * Everything is built and validated against the kernel's rules before the
 * syscall; the syscall itself is kexec_load_plan_load().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "alloc.h"
#include "crash.h"
#include "purgatory.h"
#include "sha256-x86.h"
#include "x86-bootparams.h"

#define PAGE_SIZE 4096ULL
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define SZ_1M 0x100000ULL
#define SZ_4G 0x100000000ULL
#define X86_64_ENTRY_OFFSET 0x200 /* the 64-bit entry: load address + 0x200 */

struct mapped {
	void *addr;
	size_t len;
};

struct priv {
	struct mapped kernel, initrd;
	uint8_t *params;              /* boot_params + command line + setup_data */
	size_t params_len;
	uint8_t *elf_pad[KEXEC_SEGMENT_MAX]; /* copies of unaligned ELF segments */
	struct kx_purgatory purg;
	struct kx_x86_sysinfo si;
	bool have_si;
	uint8_t elf_header[0x400];    /* the setup header an ELF vmlinux lacks */
	/* Crash loads */
	bool crash;
	uint64_t crash_start, crash_end;
	uint8_t *elfcorehdr;
	size_t elfcorehdr_len;
	uint64_t elfcorehdr_addr;
	char *cmdline;                /* the command line with elfcorehdr= */
	char what_kernel[96], what_initrd[96]; /* "kernel <path>" for placement errors */
	const char *kernel_path;
	bool segment_digests;
	struct kx_e820 crash_e820;    /* the crash kernel's memory map */
};

static void unmap(struct mapped *m)
{
	if (m->addr && m->addr != MAP_FAILED)
		munmap(m->addr, m->len);
	m->addr = NULL;
	m->len = 0;
}

/* Map a file read-only: the syscall copies from these pages, we never do. */
static int map_input(struct kexec_ctx *ctx, const char *what, const char *path, struct mapped *m)
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

static int add_segment(struct kexec_load_plan *plan, const char *role, const void *buf,
		       size_t bufsz, uint64_t mem, uint64_t memsz)
{
	struct kexec_load_segment_info *info;
	struct kx_sha256 sha;
	int r;

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
	if (((struct priv *)plan->priv)->segment_digests) {
		kx_sha256_init(&sha);
		kx_sha256_update(&sha, buf, bufsz);
		kx_sha256_final(&sha, info[r].sha256);
	}
	return 0;
}

static int place(struct kexec_ctx *ctx, struct kx_alloc *a, const char *what, uint64_t size,
		 uint64_t align, uint64_t min, uint64_t max, bool top_down, uint64_t *addr)
{
	struct kx_place p = {
		.what = what, .size = size, .align = align, .min = min, .max = max,
		.top_down = top_down,
	};

	return kx_alloc_place(ctx, a, &p, addr);
}

static int load_initrd(struct kexec_ctx *ctx, const struct kexec_load_request *req,
		       struct kexec_load_plan *plan, struct kx_alloc *a, uint64_t max,
		       uint64_t *addr, uint64_t *size)
{
	struct priv *pv = plan->priv;
	int r;

	*addr = *size = 0;
	if (!req->initrd)
		return 0;
	r = map_input(ctx, "initrd", req->initrd, &pv->initrd);
	if (r < 0)
		return r;
	/* High, like the kernel's own loader: out of the way of the kernel's decompression. */
	r = place(ctx, a, pv->what_initrd, PAGE_ALIGN(pv->initrd.len), PAGE_SIZE, SZ_1M, max, true,
		  addr);
	if (r < 0)
		return r;
	*size = pv->initrd.len;
	return add_segment(plan, "initrd", pv->initrd.addr, pv->initrd.len, *addr,
			   PAGE_ALIGN(pv->initrd.len));
}

/*
 * The crash kernel's memory map, as the kernel's own crash loader builds it
 * (arch/x86/kernel/crash.c crash_setup_memmap_entries): the RAM below 1 MiB,
 * every non-RAM range (ACPI tables and NVS must stay reachable), and as RAM
 * only the crash region minus the core header, which it must not overwrite.
 */
static int crash_memmap(struct priv *pv)
{
	const struct kx_e820 *sys = &pv->si.e820;
	struct kx_e820 *out = &pv->crash_e820;
	uint64_t hs = pv->elfcorehdr_addr, he = hs + PAGE_ALIGN(pv->elfcorehdr_len);
	struct kx_e820_entry add[2] = {
		{ pv->crash_start, hs - pv->crash_start, 1 },
		{ he, pv->crash_end + 1 - he, 1 },
	};
	int r;

	for (size_t i = 0; i < sys->nr; i++) {
		struct kx_e820_entry e = sys->e[i];

		if (e.type == 1) {
			if (e.addr >= SZ_1M)
				continue;
			if (e.addr + e.size > SZ_1M)
				e.size = SZ_1M - e.addr;
			/* Page 0 stays reserved, as the running kernel keeps it (and its own crash loader). */
			if (e.addr < PAGE_SIZE) {
				if (e.size <= PAGE_SIZE - e.addr)
					continue;
				e.size -= PAGE_SIZE - e.addr;
				e.addr = PAGE_SIZE;
			}
		}
		r = kx_grow((void **)&out->e, &out->cap, out->nr + 1, sizeof(*out->e));
		if (r < 0)
			return r;
		out->e[out->nr++] = e;
	}
	for (size_t i = 0; i < 2; i++) {
		if (!add[i].size)
			continue;
		r = kx_grow((void **)&out->e, &out->cap, out->nr + 1, sizeof(*out->e));
		if (r < 0)
			return r;
		out->e[out->nr++] = add[i];
	}
	/* Keep it sorted by address (insertion sort: a few dozen entries). */
	for (size_t i = 1; i < out->nr; i++) {
		struct kx_e820_entry e = out->e[i];
		size_t j = i;

		for (; j > 0 && out->e[j - 1].addr > e.addr; j--)
			out->e[j] = out->e[j - 1];
		out->e[j] = e;
	}
	return 0;
}

/* The core header the crash kernel reads /proc/vmcore from, and "elfcorehdr=" for it. */
static int load_elfcorehdr(struct kexec_ctx *ctx, const struct kexec_load_request *req,
			   struct kexec_load_plan *plan, struct kx_alloc *a)
{
	struct priv *pv = plan->priv;
	struct kx_crash_info ci = { 0 };
	char arg[48];
	int r;

	r = kx_crash_info_read(ctx, &ci);
	if (r < 0)
		return r;
	r = kx_crash_build_elfcorehdr(ctx, &ci, req->elf32_core_headers, 62, &pv->elfcorehdr,
				      &pv->elfcorehdr_len);
	kx_crash_info_free(&ci);
	if (r < 0)
		return r;
	r = place(ctx, a, "ELF core header", PAGE_ALIGN(pv->elfcorehdr_len), PAGE_SIZE, 0, 0, true,
		  &pv->elfcorehdr_addr);
	if (r < 0)
		return r;
	r = add_segment(plan, "elfcorehdr", pv->elfcorehdr, pv->elfcorehdr_len,
			pv->elfcorehdr_addr, PAGE_ALIGN(pv->elfcorehdr_len));
	if (r < 0)
		return r;
	snprintf(arg, sizeof(arg), "elfcorehdr=0x%" PRIx64, pv->elfcorehdr_addr);
	pv->cmdline = kexec_cmdline_concat(req->cmdline, arg);
	if (!pv->cmdline)
		return -ENOMEM;
	return crash_memmap(pv);
}

/* boot_params + command line + setup_data, below 4 GiB so every pointer to it fits. */
static int load_params(struct kexec_ctx *ctx, const struct kexec_load_request *req,
		       struct kexec_load_plan *plan, struct kx_alloc *a,
		       struct kx_x86_boot_layout *lay, uint64_t *addr)
{
	struct priv *pv = plan->priv;
	struct kx_e820 sys = pv->si.e820;
	size_t len;
	uint8_t *tmp;
	int r;

	/* A crash kernel sees only its own region as RAM, and gets elfcorehdr=. */
	if (pv->crash) {
		pv->si.e820 = pv->crash_e820;
		lay->cmdline = pv->cmdline;
	} else {
		lay->cmdline = req->cmdline ? req->cmdline : "";
	}
	lay->rng_seed = true;
	lay->no_efi = req->no_efi;
	/* Never truncated: refused, naming the kernel whose header sets the limit. */
	if (lay->image_len > 0x23b) {
		uint32_t max = kx_le32(lay->image + 0x238);
		size_t have = strlen(lay->cmdline) + 1;

		if (kx_le16(lay->image + 0x206) < 0x0206)
			max = 256;
		if (have > max) {
			kx_err(ctx, "cannot load kernel %s: command line is %zu bytes%s, this kernel "
				    "accepts at most %u (cmdline_size in its setup header)",
			       pv->kernel_path, have - 1, pv->crash ? " with elfcorehdr=" : "",
			       max ? max - 1 : 0);
			r = -E2BIG;
			goto out;
		}
	}
	lay->params_addr = 0;
	r = kx_x86_build_boot_params(ctx, &pv->si, lay, &tmp, &len);
	if (r < 0)
		goto out;
	free(tmp);
	/* Below 4 GiB where possible; a crash region may lie wholly above (",high"). */
	r = place(ctx, a, "boot parameters", PAGE_ALIGN(len), PAGE_SIZE, SZ_1M,
		  pv->crash ? 0 : SZ_4G - 1, false, addr);
	if (r < 0)
		goto out;
	lay->params_addr = *addr;
	r = kx_x86_build_boot_params(ctx, &pv->si, lay, &pv->params, &pv->params_len);
	if (r < 0)
		goto out;
	r = add_segment(plan, "boot_params", pv->params, pv->params_len, *addr, PAGE_ALIGN(len));
out:
	pv->si.e820 = sys;
	return r;
}

/*
 * Say plainly when the reservation is too small, before placing anything:
 * the allocator's "no room" would be right but less helpful.
 */
static int check_crash_room(struct kexec_ctx *ctx, const struct kexec_load_request *req,
			    const struct priv *pv, uint64_t kmemsz)
{
	uint64_t size = pv->crash_end - pv->crash_start + 1, initrd = 0, need;
	struct stat st;

	if (req->initrd && stat(req->initrd, &st) == 0)
		initrd = PAGE_ALIGN((uint64_t)st.st_size);
	/* boot_params, purgatory and core header: well under 256 KiB together. */
	need = kmemsz + initrd + 0x40000;
	if (need <= size)
		return 0;
	kx_err(ctx, "cannot load crash kernel %s: the crashkernel= reservation is %" PRIu64
		    " MiB but the kernel (%" PRIu64 " MiB when unpacked), initrd (%" PRIu64
		    " MiB) and boot data need at least %" PRIu64 " MiB",
	       req->kernel, size >> 20, kmemsz >> 20, initrd >> 20, (uint64_t)((need + SZ_1M - 1) >> 20));
	return -EADDRNOTAVAIL;
}

static int load_bzimage(struct kexec_ctx *ctx, const struct kexec_load_request *req,
			struct kexec_load_plan *plan, struct kx_alloc *a, uint64_t *entry,
			uint64_t *params)
{
	struct priv *pv = plan->priv;
	const uint8_t *img = pv->kernel.addr;
	struct kexec_bzimage_info info;
	struct kx_x86_boot_layout lay = { 0 };
	uint64_t kaddr, kmemsz, align, min, initrd_max;
	const char *reason;
	size_t kbufsz;
	int r;

	r = kx_bzimage_read(img, pv->kernel.len, &info, &reason);
	if (r == 0)
		r = kx_bzimage_check_kexec_load(&info, &reason);
	if (r < 0) {
		kx_err(ctx, "cannot load kernel %s: %s", req->kernel, reason);
		return r;
	}
	plan->format = "bzImage";

	/* The protected-mode kernel, with room to decompress itself in place (init_size). */
	kbufsz = pv->kernel.len - info.setup_size;
	kmemsz = PAGE_ALIGN(kbufsz);
	if (PAGE_ALIGN(info.init_size) > kmemsz)
		kmemsz = PAGE_ALIGN(info.init_size);
	align = info.kernel_alignment;
	if (!align || (align & (align - 1)) || align < PAGE_SIZE)
		align = 0x200000;
	min = info.pref_address > SZ_1M ? info.pref_address : SZ_1M;
	if (pv->crash) {
		r = check_crash_room(ctx, req, pv, kmemsz);
		if (r < 0)
			return r;
		if (!info.relocatable) {
			kx_err(ctx, "cannot load crash kernel %s: it is not relocatable, so it cannot "
				    "run in the crash kernel region",
			       req->kernel);
			return -ENOEXEC;
		}
		min = pv->crash_start;
	}
	if (info.relocatable) {
		r = place(ctx, a, pv->what_kernel, kmemsz, align, min, 0, false, &kaddr);
	} else {
		/* Not relocatable: only its preferred address will do. */
		kaddr = info.pref_address ? info.pref_address : SZ_1M;
		r = kx_alloc_is_ram(a, kaddr, kmemsz) ? kx_alloc_reserve(a, kaddr, kmemsz) : -EADDRNOTAVAIL;
		if (r < 0)
			kx_err(ctx, "cannot load kernel %s: it is not relocatable and %#" PRIx64
				    "-%#" PRIx64 " is not free RAM",
			       req->kernel, kaddr, kaddr + kmemsz - 1);
	}
	if (r < 0)
		return r;
	r = add_segment(plan, "kernel", img + info.setup_size, kbufsz, kaddr, kmemsz);
	if (r < 0)
		return r;

	initrd_max = (info.xloadflags & 0x02) ? 0 : (uint64_t)info.initrd_addr_max;
	r = load_initrd(ctx, req, plan, a, initrd_max, &lay.initrd_addr, &lay.initrd_size);
	if (r < 0)
		return r;
	if (pv->crash) {
		r = load_elfcorehdr(ctx, req, plan, a);
		if (r < 0)
			return r;
	}

	lay.image = img;
	lay.image_len = pv->kernel.len;
	lay.kernel_addr = kaddr;
	r = load_params(ctx, req, plan, a, &lay, params);
	if (r < 0)
		return r;
	*entry = kaddr + X86_64_ENTRY_OFFSET;
	return 0;
}

/*
 * The setup header an ELF vmlinux lacks, for the zero page: what a 2.12 bzImage
 * would say. The kernel proper reads only the fields the loader fills in.
 */
static void synth_setup_header(uint8_t *h)
{
	memset(h, 0, 0x400);
	h[0x1f1] = 1;
	h[0x1fe] = 0x55;
	h[0x1ff] = 0xaa;
	h[0x200] = 0xeb;          /* jump over the header ... */
	h[0x201] = 0x6a;          /* ... which ends at 0x26c */
	memcpy(h + 0x202, "HdrS", 4);
	h[0x206] = 0x0c;          /* version 2.12 */
	h[0x207] = 0x02;
	h[0x211] = 0x01;          /* LOADED_HIGH */
	h[0x22c] = 0xff;          /* initrd_addr_max 0x7fffffff */
	h[0x22d] = 0xff;
	h[0x22e] = 0xff;
	h[0x22f] = 0x7f;
	h[0x232] = 0x20;          /* kernel_alignment 2 MiB */
	h[0x236] = 0x03;          /* KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	h[0x239] = 0x08;          /* cmdline_size 2048 (COMMAND_LINE_SIZE) */
}

static int load_elf(struct kexec_ctx *ctx, const struct kexec_load_request *req,
		    struct kexec_load_plan *plan, struct kx_alloc *a, uint64_t *entry,
		    uint64_t *params)
{
	struct priv *pv = plan->priv;
	const uint8_t *e = pv->kernel.addr;
	size_t len = pv->kernel.len, nloads = 0;
	uint64_t phoff, e_entry, phys_entry = 0;
	uint16_t phentsize, phnum;
	struct kx_x86_boot_layout lay = { 0 };
	int r;

	if (len < 64 || e[4] != 2 || e[5] != 1) {
		kx_err(ctx, "cannot load kernel %s: not a 64-bit little-endian ELF file", req->kernel);
		return -ENOEXEC;
	}
	if (kx_le16(e + 18) != 62) {
		kx_err(ctx, "cannot load kernel %s: ELF machine %u is not x86_64 (62)", req->kernel,
		       kx_le16(e + 18));
		return -ENOEXEC;
	}
	if (kx_le16(e + 16) != 2) {
		kx_err(ctx, "cannot load kernel %s: not an ELF executable (e_type %u)", req->kernel,
		       kx_le16(e + 16));
		return -ENOEXEC;
	}
	e_entry = kx_le64(e + 24);
	phoff = kx_le64(e + 32);
	phentsize = kx_le16(e + 54);
	phnum = kx_le16(e + 56);
	if (phentsize < 56 || phoff > len || (uint64_t)phnum * phentsize > len - phoff) {
		kx_err(ctx, "cannot load kernel %s: ELF program headers lie outside the file",
		       req->kernel);
		return -ENOEXEC;
	}
	plan->format = "ELF vmlinux";

	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + (uint64_t)i * phentsize;
		uint64_t off = kx_le64(ph + 8), vaddr = kx_le64(ph + 16), paddr = kx_le64(ph + 24);
		uint64_t filesz = kx_le64(ph + 32), memsz = kx_le64(ph + 40), start, pad;
		const void *buf;

		if (kx_le32(ph) != 1 /* PT_LOAD */ || memsz == 0)
			continue;
		if (filesz > memsz || off > len || filesz > len - off ||
		    paddr + memsz < paddr || paddr + memsz > (1ULL << 46)) {
			kx_err(ctx, "cannot load kernel %s: ELF segment %u has impossible sizes or "
				    "addresses (offset %#" PRIx64 ", filesz %#" PRIx64 ", memsz %#" PRIx64
				    ", paddr %#" PRIx64 ")",
			       req->kernel, i, off, filesz, memsz, paddr);
			return -ENOEXEC;
		}
		if (nloads + 3 >= KEXEC_SEGMENT_MAX) {
			kx_err(ctx, "cannot load kernel %s: too many PT_LOAD segments for kexec_load",
			       req->kernel);
			return -E2BIG;
		}
		/* Page-align the destination; an unaligned start needs a padded copy. */
		pad = paddr & (PAGE_SIZE - 1);
		start = paddr - pad;
		buf = e + off;
		if (pad) {
			uint8_t *copy = calloc(1, pad + filesz);

			if (!copy)
				return -ENOMEM;
			memcpy(copy + pad, e + off, filesz);
			pv->elf_pad[nloads] = copy;
			buf = copy;
		}
		if (!kx_alloc_is_ram(a, start, PAGE_ALIGN(pad + memsz)) && pv->crash) {
			kx_err(ctx, "cannot load crash kernel %s: ELF segment %u at %#" PRIx64
				    " lies outside the crash kernel region %#" PRIx64 "-%#" PRIx64
				    " (an ELF vmlinux runs at its link address; load the bzImage)",
			       req->kernel, i, paddr, pv->crash_start, pv->crash_end);
			return -EADDRNOTAVAIL;
		}
		if (!kx_alloc_is_ram(a, start, PAGE_ALIGN(pad + memsz))) {
			kx_err(ctx, "cannot load kernel %s: ELF segment %u at %#" PRIx64 "-%#" PRIx64
				    " is not in this machine's RAM",
			       req->kernel, i, start, (uint64_t)(start + PAGE_ALIGN(pad + memsz) - 1));
			return -EADDRNOTAVAIL;
		}
		r = kx_alloc_reserve(a, start, PAGE_ALIGN(pad + memsz));
		if (r < 0) {
			kx_err(ctx, "cannot load kernel %s: ELF segment %u at %#" PRIx64
				    " overlaps another segment",
			       req->kernel, i, paddr);
			return -ENOEXEC;
		}
		r = add_segment(plan, "kernel", buf, pad + filesz, start, PAGE_ALIGN(pad + memsz));
		if (r < 0)
			return r;
		/* The entry is physical in vmlinux; translate it if it is virtual. */
		if (e_entry >= paddr && e_entry - paddr < memsz)
			phys_entry = e_entry;
		else if (e_entry >= vaddr && e_entry - vaddr < memsz)
			phys_entry = paddr + (e_entry - vaddr);
		nloads++;
	}
	if (!nloads) {
		kx_err(ctx, "cannot load kernel %s: ELF file has no PT_LOAD segment", req->kernel);
		return -ENOEXEC;
	}
	if (!phys_entry) {
		kx_err(ctx, "cannot load kernel %s: the ELF entry point %#" PRIx64
			    " lies in no PT_LOAD segment",
		       req->kernel, e_entry);
		return -ENOEXEC;
	}
	*entry = phys_entry;

	r = load_initrd(ctx, req, plan, a, 0, &lay.initrd_addr, &lay.initrd_size);
	if (r < 0)
		return r;
	if (pv->crash) {
		r = load_elfcorehdr(ctx, req, plan, a);
		if (r < 0)
			return r;
	}
	synth_setup_header(pv->elf_header);
	lay.image = pv->elf_header;
	lay.image_len = sizeof(pv->elf_header);
	lay.kernel_addr = *entry;
	return load_params(ctx, req, plan, a, &lay, params);
}

/* The purgatory: checks every other segment, then enters the kernel. */
static int load_purgatory(struct kexec_ctx *ctx, const struct kexec_load_request *req,
			  struct kexec_load_plan *plan, struct kx_alloc *a, uint64_t kentry,
			  uint64_t params)
{
	struct priv *pv = plan->priv;
	struct kx_sha_region regions[KX_SHA_REGIONS_MAX];
	uint8_t digest[32];
	struct kx_sha256 sha;
	uint64_t addr, start;
	size_t nr = plan->segs.nr;
	int r;

	r = kx_purgatory_init(ctx, &pv->purg, kx_purgatory_x86_64_blob,
			      kx_purgatory_x86_64_blob_size);
	if (r < 0)
		return r;
	memset(regions, 0, sizeof(regions));
	kx_sha256_init(&sha);
	/* -i: no regions, so the purgatory hashes nothing and the digest is of nothing. */
	for (size_t i = 0; !req->no_checks && i < nr; i++) {
		regions[i].start = (uintptr_t)plan->segs.seg[i].mem;
		regions[i].len = plan->segs.seg[i].bufsz;
		kx_sha256_lanes_update(&sha, plan->segs.seg[i].buf, plan->segs.seg[i].bufsz);
	}
	kx_sha256_final(&sha, digest);
	r = kx_purgatory_set(&pv->purg, "kx_sha_regions", regions, sizeof(regions));
	if (r == 0)
		r = kx_purgatory_set(&pv->purg, "kx_sha256_digest", digest, sizeof(digest));
	if (r == 0) {
		/* The purgatory may use AVX2 only where this kernel uses AVX. */
		uint32_t avx2 = kx_sha256_x8_usable() ? 1 : 0;

		r = kx_purgatory_set(&pv->purg, "kx_avx2_allowed", &avx2, sizeof(avx2));
	}
	if (r == 0)
		r = kx_purgatory_set(&pv->purg, "kx_entry64", &kentry, sizeof(kentry));
	if (r == 0)
		r = kx_purgatory_set(&pv->purg, "kx_boot_params", &params, sizeof(params));
	if (r < 0) {
		kx_err(ctx, "the embedded purgatory lacks a variable: %s", strerror(-r));
		return r;
	}
	r = place(ctx, a, "purgatory", PAGE_ALIGN(pv->purg.memsz),
		  pv->purg.align > PAGE_SIZE ? pv->purg.align : PAGE_SIZE, SZ_1M,
		  pv->crash ? 0 : SZ_4G - 1, false, &addr);
	if (r < 0)
		return r;
	r = kx_purgatory_relocate(ctx, &pv->purg, addr);
	if (r < 0)
		return r;
	r = kx_purgatory_symbol_addr(&pv->purg, "purgatory_start", &start);
	if (r < 0)
		return r;
	plan->entry = (unsigned long)start;
	return add_segment(plan, "purgatory", pv->purg.buf, pv->purg.bufsz, addr,
			   PAGE_ALIGN(pv->purg.memsz));
}

static bool is_elf(const struct mapped *m)
{
	return m->len >= 4 && !memcmp(m->addr, "\177ELF", 4);
}

KX_EXPORT int kexec_load_plan_prepare(struct kexec_ctx *ctx, const struct kexec_load_request *req,
				      struct kexec_load_plan *plan)
{
	struct kexec_limits lim;
	struct kx_alloc a;
	struct priv *pv;
	uint64_t kentry = 0, params = 0;
	const char *reason;
	int r, bad;

	memset(plan, 0, sizeof(*plan));
	kexec_segment_list_init(&plan->segs);
	kx_alloc_init(&a);
	if (!req->kernel) {
		kx_err(ctx, "no kernel specified");
		return -EINVAL;
	}
	if (kexec_native_arch() != KEXEC_ARCH_X86_64) {
		kx_err(ctx, "cannot load kernel %s: kexec_load is implemented for x86_64 only in "
			    "this version",
		       req->kernel);
		return -EOPNOTSUPP;
	}
	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return -ENOMEM;
	plan->priv = pv;
	pv->crash = req->crash;
	pv->kernel_path = req->kernel;
	pv->segment_digests = req->segment_digests;
	snprintf(pv->what_kernel, sizeof(pv->what_kernel), "kernel %s", req->kernel);
	snprintf(pv->what_initrd, sizeof(pv->what_initrd), "initrd %s",
		 req->initrd ? req->initrd : "");
	if (pv->crash) {
		r = kexec_find_crash_region(ctx, &pv->crash_start, &pv->crash_end);
		if (r == -ENOENT) {
			kx_err(ctx, "cannot load crash kernel %s: no memory is reserved for crash "
				    "kernels (boot with crashkernel=, e.g. crashkernel=256M)",
			       req->kernel);
			r = -EADDRNOTAVAIL;
		}
		if (r < 0)
			goto fail;
	}

	r = map_input(ctx, "kernel", req->kernel, &pv->kernel);
	if (r < 0)
		goto fail;
	r = kx_x86_sysinfo_read(ctx, &pv->si);
	if (r < 0)
		goto fail;
	pv->have_si = true;
	/* A crash kernel lives in its reservation; anything else may use all RAM. */
	if (pv->crash)
		r = kx_alloc_add_ram(&a, pv->crash_start, pv->crash_end - pv->crash_start + 1);
	for (size_t i = 0; !pv->crash && i < pv->si.e820.nr; i++)
		if (pv->si.e820.e[i].type == 1) {
			r = kx_alloc_add_ram(&a, pv->si.e820.e[i].addr, pv->si.e820.e[i].size);
			if (r < 0)
				break;
		}
	if (r < 0)
		goto fail;
	/* Below 1 MiB live the BIOS data, the real-mode trampoline and the EBDA. */
	a.mem_min = req->mem_min ? req->mem_min : SZ_1M;
	if (req->mem_max)
		a.mem_max = req->mem_max;

	if (req->type && strcmp(req->type, "bzImage") && strcmp(req->type, "bzImage64") &&
	    strcmp(req->type, "elf-x86_64")) {
		kx_err(ctx, "cannot load kernel %s: unknown kernel type \"%s\" (known: bzImage, "
			    "elf-x86_64)",
		       req->kernel, req->type);
		r = -EINVAL;
		goto fail;
	}
	if (req->type ? !strcmp(req->type, "elf-x86_64") : is_elf(&pv->kernel))
		r = load_elf(ctx, req, plan, &a, &kentry, &params);
	else
		r = load_bzimage(ctx, req, plan, &a, &kentry, &params);
	if (r < 0)
		goto fail;
	r = load_purgatory(ctx, req, plan, &a, kentry, params);
	if (r < 0)
		goto fail;

	plan->flags = KEXEC_ARCH_X86_64 | (pv->crash ? KEXEC_ON_CRASH : 0);
	/* What the kernel will check, checked now, so that it never says no for these. */
	kexec_limits_native(&lim);
	lim.totalram_pages = kx_totalram_pages(ctx);
	/* No /proc/meminfo (a fixture root): the firmware's RAM is close enough. */
	if (!lim.totalram_pages)
		for (size_t i = 0; i < pv->si.e820.nr; i++)
			if (pv->si.e820.e[i].type == 1)
				lim.totalram_pages += pv->si.e820.e[i].size / PAGE_SIZE;
	lim.has_crash_region = pv->crash;
	lim.crash_start = pv->crash_start;
	lim.crash_end = pv->crash_end;
	r = kexec_validate(&lim, plan->entry, plan->segs.nr, plan->segs.seg, plan->flags, &reason,
			   &bad);
	if (r < 0) {
		kx_err(ctx, "cannot load %s: the kernel would refuse the %s segment: %s",
		       bad >= 0 && !strcmp(plan->info[bad].role, "initrd") ? pv->what_initrd
									   : pv->what_kernel,
		       bad >= 0 ? plan->info[bad].role : "", reason);
		goto fail;
	}
	kx_alloc_free(&a);
	return 0;
fail:
	kx_alloc_free(&a);
	kexec_load_plan_free(plan);
	return r;
}

KX_EXPORT int kexec_load_plan_load(struct kexec_ctx *ctx, const struct kexec_load_plan *plan)
{
	return kexec_load(ctx, plan->entry, plan->segs.nr, plan->segs.seg, plan->flags);
}

KX_EXPORT void kexec_load_plan_free(struct kexec_load_plan *plan)
{
	struct priv *pv = plan->priv;

	if (pv) {
		unmap(&pv->kernel);
		unmap(&pv->initrd);
		free(pv->params);
		for (size_t i = 0; i < KEXEC_SEGMENT_MAX; i++)
			free(pv->elf_pad[i]);
		kx_purgatory_free(&pv->purg);
		free(pv->elfcorehdr);
		free(pv->cmdline);
		kx_e820_free(&pv->crash_e820);
		if (pv->have_si)
			kx_x86_sysinfo_free(&pv->si);
		free(pv);
	}
	kexec_segment_list_free(&plan->segs);
	free(plan->info);
	memset(plan, 0, sizeof(*plan));
}
