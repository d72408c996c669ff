/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on x86_64, the formats' loaders and the architecture's hooks
 * for the generic pipeline (lib/load.c). A bzImage (boot protocol 2.12+) or
 * an ELF vmlinux becomes up to five kinds of segments, placed by the one
 * allocator over the firmware's RAM:
 *   kernel       the protected-mode kernel (bzImage) or each PT_LOAD (ELF)
 *   initrd       the initramfs, page-aligned
 *   elfcorehdr   crash loads: the ELF core header the crash kernel exposes as /proc/vmcore
 *   boot_params  the zero page, the command line and the setup_data chain
 *   purgatory    our freestanding blob: checks every other segment's SHA-256,
 *                then enters the kernel's 64-bit entry with RSI = boot_params
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include "arch.h"
#include "purgatory.h"
#include "x86-bootparams.h"
#include "x86.h"
#include "elf-vmlinux.h"

/* x86_64's pages are always 4 KiB. */
#define PAGE_SIZE 4096ULL
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define SZ_1M 0x100000ULL
#define SZ_4G 0x100000000ULL
#define X86_64_ENTRY_OFFSET 0x200 /* the 64-bit entry: load address + 0x200 */

/* What the x86_64 loaders keep until the plan is freed (kx_load.arch_priv). */
struct priv {
	uint8_t *params;              /* boot_params + command line + setup_data */
	size_t params_len;
	struct kx_x86_sysinfo si;
	bool have_si;
	uint8_t elf_header[0x400];    /* the setup header an ELF vmlinux lacks */
	char *cmdline;                /* crash: the command line with elfcorehdr= */
	struct kx_e820 crash_e820;    /* the crash kernel's memory map */
};

/*
 * The crash kernel's memory map, as the kernel's own crash loader builds it
 * (arch/x86/kernel/crash.c crash_setup_memmap_entries): the RAM below 1 MiB,
 * every non-RAM range (ACPI tables and NVS must stay reachable), and as RAM
 * only the crash region minus the core header, which it must not overwrite.
 */
static int crash_memmap(struct kx_load *l, struct priv *pv)
{
	const struct kx_e820 *sys = &pv->si.e820;
	struct kx_e820 *out = &pv->crash_e820;
	uint64_t hs = l->elfcorehdr_addr, he = hs + PAGE_ALIGN(l->elfcorehdr_len);
	struct kx_e820_entry add[2] = {
		{ l->crash_start, hs - l->crash_start, 1 },
		{ he, l->crash_end + 1 - he, 1 },
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

/* crash: the core header (generic), "elfcorehdr=" for the command line, the e820 map. */
static int load_elfcorehdr(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct priv *pv = l->arch_priv;
	char arg[48];
	int r;

	r = kx_load_elfcorehdr(ctx, l);
	if (r < 0)
		return r;
	snprintf(arg, sizeof(arg), "elfcorehdr=0x%" PRIx64, l->elfcorehdr_addr);
	pv->cmdline = kexec_cmdline_concat(l->req->cmdline, arg);
	if (!pv->cmdline)
		return -ENOMEM;
	return crash_memmap(l, pv);
}

/*
 * What both formats load after the kernel: the initrd (high, like the
 * kernel's own loader: out of the way of the kernel's decompression, below
 * initrd_max when the kernel cannot take one above 4 GiB) and, for a crash
 * kernel, its core header.
 */
static int load_initrd_and_elfcorehdr(struct kexec_ctx *ctx, struct kx_load *l,
				      uint64_t initrd_max)
{
	int r = kx_load_initrd(ctx, l, SZ_1M, initrd_max, true);

	if (r == 0 && l->crash)
		r = load_elfcorehdr(ctx, l);
	return r;
}

/* boot_params + command line + setup_data, below 4 GiB so every pointer to it fits. */
static int load_params(struct kexec_ctx *ctx, struct kx_load *l, struct kx_x86_boot_layout *lay)
{
	struct priv *pv = l->arch_priv;
	struct kx_e820 sys = pv->si.e820;
	size_t len;
	uint8_t *tmp;
	uint64_t addr;
	int r;

	/* A crash kernel sees only its own region as RAM, and gets elfcorehdr=. */
	if (l->crash) {
		pv->si.e820 = pv->crash_e820;
		lay->cmdline = pv->cmdline;
		lay->cmdline_what = " with elfcorehdr=";
	} else {
		lay->cmdline = l->req->cmdline ? l->req->cmdline : "";
	}
	lay->initrd_addr = l->initrd_addr;
	lay->initrd_size = l->initrd_size;
	lay->rng_seed = true;
	lay->no_efi = l->req->no_efi;
	/* Never truncated: the builder refuses it, naming the kernel whose header sets the limit. */
	lay->params_addr = 0;
	r = kx_x86_build_boot_params(ctx, &pv->si, lay, &tmp, &len);
	if (r < 0)
		goto out;
	free(tmp);
	/* Below 4 GiB where possible; a crash region may lie wholly above (",high"). */
	r = kx_load_place(ctx, l, "boot parameters", PAGE_ALIGN(len), PAGE_SIZE, SZ_1M,
			  l->crash ? 0 : SZ_4G - 1, false, &addr);
	if (r < 0)
		goto out;
	lay->params_addr = addr;
	r = kx_x86_build_boot_params(ctx, &pv->si, lay, &pv->params, &pv->params_len);
	if (r < 0)
		goto out;
	l->boot_data = addr;
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_BOOT_PARAMS, pv->params, pv->params_len, addr, PAGE_ALIGN(len));
out:
	pv->si.e820 = sys;
	return r;
}

/*
 * Say plainly when the reservation is too small, before placing anything:
 * the allocator's "no room" would be right but less helpful.
 */
static int check_crash_room(struct kexec_ctx *ctx, struct kx_load *l, uint64_t kmemsz)
{
	uint64_t size = l->crash_end - l->crash_start + 1, need;
	uint64_t initrd = PAGE_ALIGN(kx_load_initrd_size(l));
	/* boot_params, purgatory and core header: well under 256 KiB together. */
	need = kmemsz + initrd + 0x40000 + PAGE_ALIGN(l->hotplug_hdr_size);
	if (need <= size)
		return 0;
	kx_err(ctx, "cannot load crash kernel %s: the crashkernel= reservation is %" PRIu64
		    " MiB but the kernel (%" PRIu64 " MiB when unpacked), initrd (%" PRIu64
		    " MiB) and boot data need at least %" PRIu64 " MiB",
	       l->req->kernel, size >> 20, kmemsz >> 20, initrd >> 20,
	       (uint64_t)((need + SZ_1M - 1) >> 20));
	return -EADDRNOTAVAIL;
}

int kx_x86_load_bzimage_entry(struct kexec_ctx *ctx, struct kx_load *l,
			      const struct kx_x86_entry *how)
{
	const struct kx_load_request *req = l->req;
	const uint8_t *img = l->kernel.addr;
	struct kx_bzimage_info info;
	struct kx_x86_boot_layout lay = { 0 };
	uint64_t kaddr, kmemsz, align, min, initrd_max;
	const char *reason;
	size_t kbufsz;
	int r;

	r = how->read(img, l->kernel.len, &info, &reason);
	if (r < 0) {
		kx_err(ctx, "cannot load kernel %s: %s", req->kernel, reason);
		return r;
	}

	/* The protected-mode kernel, with room to decompress itself in place (init_size). */
	kbufsz = l->kernel.len - info.setup_size;
	kmemsz = PAGE_ALIGN(kbufsz);
	if (PAGE_ALIGN(info.init_size) > kmemsz)
		kmemsz = PAGE_ALIGN(info.init_size);
	align = info.kernel_alignment;
	if (!align || (align & (align - 1)) || align < PAGE_SIZE)
		align = 0x200000;
	min = info.pref_address > SZ_1M ? info.pref_address : SZ_1M;
	if (l->crash) {
		r = check_crash_room(ctx, l, kmemsz);
		if (r < 0)
			return r;
		if (!info.relocatable) {
			kx_err(ctx, "cannot load crash kernel %s: it is not relocatable, so it cannot "
				    "run in the crash kernel region",
			       req->kernel);
			return -ENOEXEC;
		}
		min = l->crash_start;
	}
	if (info.relocatable) {
		r = kx_load_place(ctx, l, l->what_kernel, kmemsz, align, min, how->kernel_max, false,
				  &kaddr);
	} else {
		/* Not relocatable: only its preferred address will do. */
		kaddr = info.pref_address ? info.pref_address : SZ_1M;
		r = kx_alloc_is_ram(&l->alloc, kaddr, kmemsz) ? kx_alloc_reserve(&l->alloc, kaddr, kmemsz)
							      : -EADDRNOTAVAIL;
		if (r < 0)
			kx_err(ctx, "cannot load kernel %s: it is not relocatable and %#" PRIx64
				    "-%#" PRIx64 " is not free RAM",
			       req->kernel, kaddr, kaddr + kmemsz - 1);
	}
	if (r < 0)
		return r;
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_KERNEL, img + info.setup_size, kbufsz, kaddr, kmemsz);
	if (r < 0)
		return r;

	initrd_max = (info.xloadflags & 0x02) ? 0 : (uint64_t)info.initrd_addr_max;
	if (how->kernel_max && (!initrd_max || initrd_max > how->kernel_max))
		initrd_max = how->kernel_max;
	r = load_initrd_and_elfcorehdr(ctx, l, initrd_max);
	if (r < 0)
		return r;

	lay.image = img;
	lay.path = req->kernel;
	lay.image_len = l->kernel.len;
	lay.kernel_addr = kaddr;
	r = load_params(ctx, l, &lay);
	if (r < 0)
		return r;
	l->kernel_entry = kaddr + how->entry_offset;
	return 0;
}

int kx_x86_load_bzimage(struct kexec_ctx *ctx, struct kx_load *l)
{
	static const struct kx_x86_entry entry64 = {
		.read = kx_bzimage_read,
		.entry_offset = X86_64_ENTRY_OFFSET,
	};

	return kx_x86_load_bzimage_entry(ctx, l, &entry64);
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

/* x86_64's vmlinux: p_paddr is physical, below MAXMEM. */
static int x86_64_phys(uint64_t vaddr, uint64_t paddr, uint64_t *pa)
{
	(void)vaddr;
	*pa = paddr;
	return 0;
}

int kx_x86_load_elf(struct kexec_ctx *ctx, struct kx_load *l)
{
	static const struct kx_elf_load how = {
		.machine = 62,
		.machine_name = "x86_64",
		.phys = x86_64_phys,
		.phys_limit = 1ULL << 46, /* MAXMEM, 4-level paging */
		.crash_hint = "an ELF vmlinux runs at its link address; load the bzImage",
	};
	const struct kx_load_request *req = l->req;
	struct priv *pv = l->arch_priv;
	struct kx_x86_boot_layout lay = { 0 };
	uint64_t phys_entry;
	int r;

	r = kx_load_elf_segments(ctx, l, &how, &phys_entry);
	if (r < 0)
		return r;
	l->kernel_entry = phys_entry;

	r = load_initrd_and_elfcorehdr(ctx, l, 0);
	if (r < 0)
		return r;
	synth_setup_header(pv->elf_header);
	lay.image = pv->elf_header;
	lay.path = req->kernel;
	lay.image_len = sizeof(pv->elf_header);
	lay.kernel_addr = l->kernel_entry;
	return load_params(ctx, l, &lay);
}

/* The system's state for the zero page, and the RAM to place into. */
int kx_x86_prepare(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct priv *pv = calloc(1, sizeof(*pv));
	int r = 0;

	if (!pv)
		return -ENOMEM;
	l->arch_priv = pv;
	if (l->req->dtb) {
		/* kexec-tools' x86 kexec_load takes none either; SETUP_DTB is for embedded boards. */
		kx_err(ctx, "cannot load %s: %s kernels get no device tree from kexec_load "
			    "(--dtb is for arm, arm64 and riscv64)",
		       l->what_kernel, l->arch->name);
		return -EOPNOTSUPP;
	}
	if (l->img.u.dtb.len)
		kx_info(ctx, "%s: the UKI's .dtb is not used: %s kernels get no device tree "
			     "from kexec_load", l->what_kernel, l->arch->name);
	r = kx_x86_sysinfo_read(ctx, &pv->si);
	if (r < 0)
		return r;
	pv->have_si = true;
	for (size_t i = 0; i < pv->si.e820.nr; i++)
		if (pv->si.e820.e[i].type == 1)
			l->totalram_pages += pv->si.e820.e[i].size / PAGE_SIZE;
	/* A crash kernel lives in its reservation; anything else may use all RAM. */
	if (l->crash)
		return kx_alloc_add_ram(&l->alloc, l->crash_start, l->crash_end - l->crash_start + 1);
	for (size_t i = 0; i < pv->si.e820.nr; i++)
		if (pv->si.e820.e[i].type == 1) {
			r = kx_alloc_add_ram(&l->alloc, pv->si.e820.e[i].addr, pv->si.e820.e[i].size);
			if (r < 0)
				return r;
		}
	/* Below 1 MiB live the BIOS data, the real-mode trampoline and the EBDA. */
	l->alloc.mem_min = SZ_1M;
	return 0;
}

int kx_x86_purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
			    struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max)
{
	/* The purgatory may use AVX2 only where this kernel uses AVX (i386's never does). */
	if (kx_sha256_x8_usable())
		pp->flags |= KX_PF_AVX2;
	pp->console_kind = KX_CONSOLE_X86_PIO;
	pp->console_base = 0x3f8; /* COM1, as the old kernel's console=ttyS0 left it */
	if (l->req->console_base) {
		if (l->req->console_base > 0xfff8) {
			kx_err(ctx, "cannot load %s: --serial: %#" PRIx64 " is not an I/O port",
			       l->what_kernel, l->req->console_base);
			return -EINVAL;
		}
		pp->console_base = l->req->console_base;
	}
	if (l->req->console_vga)
		pp->flags |= KX_PF_VGA;
	/* arch[0]: program the UART for this speed first (kexec-tools' serial_baud). */
	if (l->req->console_baud) {
		if (l->req->console_baud < 9600 || l->req->console_baud > 115200 ||
		    115200 % l->req->console_baud) {
			kx_err(ctx, "cannot load %s: --serial-baud: %u is not a speed the UART's "
				    "divisor gives (9600 to 115200, dividing 115200)",
			       l->what_kernel, l->req->console_baud);
			return -EINVAL;
		}
		pp->arch[0] = l->req->console_baud;
	}
	/* Its own GDT and 32-bit far pointers: below 4 GiB unless the crash region is not. */
	*min = SZ_1M;
	*max = l->crash ? 0 : SZ_4G - 1;
	return 0;
}

void kx_x86_cleanup(struct kx_load *l)
{
	struct priv *pv = l->arch_priv;

	if (!pv)
		return;
	free(pv->params);
	free(pv->cmdline);
	kx_e820_free(&pv->crash_e820);
	if (pv->have_si)
		kx_x86_sysinfo_free(&pv->si);
	free(pv);
	l->arch_priv = NULL;
}

static const struct kx_format *const formats[] = {
	&kx_format_bzimage,
	&kx_format_elf_x86_64,
};

static const struct kx_crash_policy crash_policy = {
	.e_machine = 62,
	/* elf_header_exclude_ranges: the crash kernel boots over the low 1 MiB. */
	.exclude_low = SZ_1M,
	.default_page_offset = 0xffff888000000000ULL, /* 4-level paging, no KASLR */
	/* The kernel image at __START_KERNEL_map + offset, KERNEL_IMAGE_SIZE (1 GiB). */
	.text_window_start = 0xffffffff80000000ULL,
	.text_window_size = 0x40000000ULL,
	/* Linux 6.6 to 6.9 know only this one; 6.10+ take it or KEXEC_CRASH_HOTPLUG_SUPPORT. */
	.hotplug_flag = KEXEC_UPDATE_ELFCOREHDR,
};

const struct kx_arch kx_arch_x86_64 = {
	.name = "x86_64",
	.kexec_arch = KEXEC_ARCH_X86_64,
	.e_machine = 62,
	.page_size = 4096,
	.dest_limit = (1ULL << 46) - 1, /* MAXMEM - 1, 4-level paging (MAX_PHYSMEM_BITS 46) */
	.formats = formats,
	.nr_formats = ARRAY_SIZE(formats),
	.crash = &crash_policy,
	.efi_boot_data = true,
	.purgatory = kx_purgatory_x86_64_blob,
	.reloc = &kx_reloc_x86_64,
	.purgatory_size = &kx_purgatory_x86_64_blob_size,
	.prepare = kx_x86_prepare,
	.purgatory_params = kx_x86_purgatory_params,
	.cleanup = kx_x86_cleanup,
};
