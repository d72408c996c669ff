/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on MIPS (KEXEC_ARCH_MIPS, both endiannesses: the kernel's
 * KEXEC_ARCH names no other; KEXEC_ARCH_MIPS_LE gets EINVAL) for kernels
 * booted the Loongson way (arch/mips/loongson64/reset.c, the only MIPS
 * kexec Debian's kernels have: malta refuses kexec_load, octeon is gone):
 *   kernel   the ELF's PT_LOADs where they are linked (CKSEG0 or XKPHYS,
 *            translated to physical); Debian's vmlinuz is such an ELF,
 *            a decompressor linked at 0xffffffff81490000
 *   initrd   page-aligned, at 64 MiB or above (the kernel relocates itself
 *            up to 16 MiB above 0x200000 with KASLR and never checks where
 *            the initrd is), below 512 MiB, so that CKSEG0 reaches it
 *   cmdline  "kexec <command line> rd_start=0x<CKSEG0 address> rd_size=<n>":
 *            loongson_kexec_prepare() finds the segment whose buffer starts
 *            with "kexec", copies 2048 bytes of it and splits it on spaces
 *            into at most 64 arguments (MAX_ARGS, "kexec" included), which
 *            the new kernel joins back (fw_init_cmdline skips argv[0])
 *   purgatory purgatory/mips (kexec-tools has none on MIPS): relocate_kernel
 *            jumps to it (at its XKPHYS alias) with a0-a3 the firmware
 *            arguments; it moves to its CKSEG0 link address, checks the
 *            segments and enters the kernel's entry with a0-a3 untouched
 * 0x100000-0x10bfff is the kernel's own
 * (KEXEC_CTRL_CODE and the argv block it writes before copying): no
 * segment goes there. No crash kernels: Debian's loongson-3 kernel has no
 * CONFIG_CRASH_DUMP and runs only where it is linked, outside any
 * crashkernel= region (which MIPS reserves 64 MiB aligned).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "elf-vmlinux.h"
#include "purgatory.h"

#define CKSEG0 0xffffffff80000000ULL
#define CKSEG2 0xffffffffc0000000ULL
#define CKSEG0_SIZE 0x20000000ULL      /* 512 MiB: what CKSEG0 and CKSEG1 map */
#define XKPHYS_MASK 0x07ffffffffffffffULL
#define MIPS_PHYS_LIMIT (1ULL << 48)
#define KEXEC_CTRL_START 0x100000ULL   /* KEXEC_CTRL_CODE ... */
#define KEXEC_CTRL_SIZE 0xc000ULL      /* ... through KEXEC_ARGV_ADDR + 4096 */
#define ARGV_BYTES 2048                /* KEXEC_ARGV_SIZE / 2: what prepare copies */
#define MAX_ARGS 64                    /* the kernel's MAX_ARGS, "kexec" included */
#define INITRD_MIN 0x4000000ULL        /* 64 MiB: above the kernel however KASLR moves it */
#define CMDLINE_PREFIX "kexec "

/* What the MIPS loader keeps until the plan is freed (kx_load.arch_priv). */
struct priv {
	char *argv;                    /* ARGV_BYTES: the "kexec ..." segment */
	uint64_t uart;                 /* /proc/iomem's "serial" below 512 MiB; 0: none */
};

/* CKSEG0/CKSEG1 (the low 512 MiB) and XKPHYS addresses, as kexec-tools' virt_to_phys. */
static int mips_phys(uint64_t vaddr, uint64_t paddr, uint64_t *pa)
{
	(void)vaddr;
	if (paddr >= CKSEG0 && paddr < CKSEG2) {
		*pa = paddr & (CKSEG0_SIZE - 1);
		return 0;
	}
	if ((paddr >> 62) == 2) {
		*pa = paddr & XKPHYS_MASK;
		return 0;
	}
	if (paddr < MIPS_PHYS_LIMIT) {
		*pa = paddr;
		return 0;
	}
	return -ERANGE;
}

static int prepare(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct kexec_memmap map = { 0 };
	struct priv *pv = calloc(1, sizeof(*pv));
	int r;

	if (!pv)
		return -ENOMEM;
	l->arch_priv = pv;
	if (l->req->dtb) {
		kx_err(ctx, "cannot load %s: --dtb: mips kernels booted the Loongson way take their "
			    "device tree from the firmware, not from kexec_load",
		       l->what_kernel);
		return -EOPNOTSUPP;
	}
	r = kexec_read_iomem(ctx, &map);
	if (r < 0) {
		kx_err(ctx, "cannot load %s: cannot read /proc/iomem: %s", l->what_kernel,
		       strerror(-r));
		return r;
	}
	r = 0;
	for (size_t i = 0; i < map.nr && r == 0; i++) {
		const struct kexec_mem_range *m = &map.r[i];

		/* The purgatory's console (purgatory_params): the first UART CKSEG1 reaches. */
		if (!m->depth && !pv->uart && !strcmp(m->name, "serial") && m->start < CKSEG0_SIZE)
			pv->uart = m->start;
		if (m->depth || m->type != LIBKEXEC_MEM_RAM)
			continue;
		r = kx_alloc_add_ram(&l->alloc, m->start, m->end - m->start + 1);
		l->totalram_pages += (m->end - m->start + 1) / l->page_size;
	}
	kexec_memmap_free(&map);
	if (r < 0)
		return r;
	/* The old kernel's control page and argv block, written before the copy. */
	r = kx_alloc_reserve(&l->alloc, KEXEC_CTRL_START, KEXEC_CTRL_SIZE);
	if (r < 0 && r != -EADDRNOTAVAIL)
		return r;
	return 0;
}

/* The argument block: "kexec " + the command line + the initrd's place, at most MAX_ARGS words. */
static int build_argv(struct kexec_ctx *ctx, struct kx_load *l, struct priv *pv)
{
	const char *cmdline = l->req->cmdline ? l->req->cmdline : "";
	char rd[80] = "";
	size_t len, words = 0;
	bool in_word = false;

	if (l->initrd_size)
		snprintf(rd, sizeof(rd), " rd_start=%#" PRIx64 " rd_size=%" PRIu64,
			 (uint64_t)(CKSEG0 + l->initrd_addr), l->initrd_size);
	len = strlen(CMDLINE_PREFIX) + strlen(cmdline) + strlen(rd);
	if (len + 1 > ARGV_BYTES) {
		kx_err(ctx, "cannot load kernel %s: the command line is %zu bytes; with \"kexec \"%s "
			    "it must fit the %d bytes the kernel's loader copies (2047 with its NUL)",
		       l->req->kernel, strlen(cmdline), rd[0] ? " and the initrd's rd_start=/rd_size="
							     : "",
		       ARGV_BYTES);
		return -E2BIG;
	}
	pv->argv = calloc(1, ARGV_BYTES);
	if (!pv->argv)
		return -ENOMEM;
	snprintf(pv->argv, ARGV_BYTES, "%s%s%s", CMDLINE_PREFIX, cmdline, rd);
	for (const char *p = pv->argv; *p; p++) {
		if (*p != ' ' && !in_word)
			words++;
		in_word = *p != ' ';
	}
	if (words > MAX_ARGS) {
		kx_err(ctx, "cannot load kernel %s: the command line has %zu words; the kernel's "
			    "loader keeps %d (\"kexec\"%s included) and would drop the rest",
		       l->req->kernel, words - 1 - (rd[0] ? 2 : 0), MAX_ARGS,
		       rd[0] ? ", rd_start= and rd_size=" : "");
		return -E2BIG;
	}
	return 0;
}

static int load_elf(struct kexec_ctx *ctx, struct kx_load *l)
{
	static const struct kx_elf_load how = {
		.machine = 8,
		.machine_name = "mips",
		.phys = mips_phys,
		.phys_limit = MIPS_PHYS_LIMIT,
		.crash_hint = "a MIPS kernel runs at its link address",
	};
	struct priv *pv = l->arch_priv;
	uint64_t entry, addr;
	int r;

	r = kx_load_elf_segments(ctx, l, &how, &entry);
	if (r < 0)
		return r;
	l->kernel_entry = entry;
	/* Below 512 MiB: rd_start= is a CKSEG0 address. */
	r = kx_load_initrd(ctx, l, INITRD_MIN, CKSEG0_SIZE - 1, true);
	if (r < 0)
		return r;
	r = build_argv(ctx, l, pv);
	if (r < 0)
		return r;
	r = kx_load_place(ctx, l, "command line", kx_load_page_align(l, ARGV_BYTES), 0, INITRD_MIN,
			  CKSEG0_SIZE - 1, true, &addr);
	if (r < 0)
		return r;
	return kx_load_add_segment(l, LIBKEXEC_SEGMENT_CMDLINE, pv->argv, ARGV_BYTES, addr,
				   kx_load_page_align(l, ARGV_BYTES));
}

static int probe(const void *buf, size_t len, struct kexec_image_info *info, const char **reason,
		 struct kx_msg *msg)
{
	int r = kx_elf_vmlinux_probe(buf, len, 8, reason, msg);

	if (r < 0)
		return r;
	/* 2047 with the NUL, less "kexec " and room for " rd_start=0xffffffff8fffc000 rd_size=N". */
	info->cmdline_max = ARGV_BYTES - 1 - (uint32_t)strlen(CMDLINE_PREFIX) - 48;
	return 0;
}

static int64_t head_size(const void *head, size_t len, const char **reason, struct kx_msg *msg)
{
	return kx_elf_vmlinux_head_size(head, len, 8, reason, msg);
}

static const char *const elf_aliases[] = { "elf", "vmlinux", "vmlinuz", NULL };

static const struct kx_format elf_mips = {
	.type = {
		.name = "elf-mips",
		.aliases = elf_aliases,
		.summary = "ELF vmlinux or self-decompressing vmlinuz for 64-bit MIPS (kexec_load only)",
		.kexec_file_load = false,
		.kexec_load = true,
	},
	.probe = probe,
	.cmdline_limit_what = "the 2048 bytes loongson_kexec_prepare() copies",
	.file_wrong_format_errno = ENOSYS,
	.load = load_elf,
	.head_size = head_size,
};

static const struct kx_format *const formats[] = {
	&elf_mips,
};

static void cleanup(struct kx_load *l)
{
	struct priv *pv = l->arch_priv;

	if (!pv)
		return;
	free(pv->argv);
	free(pv);
	l->arch_priv = NULL;
}

/* A physical address as the purgatory reaches it: XKPHYS, cached. */
#define XKPHYS_CACHED 0x9800000000000000ULL
#define CKSEG1 0xffffffffa0000000ULL

/*
 * The purgatory's fields: the kernel's entry as a CKSEG0 address (how the
 * ELF is linked; XKPHYS past 512 MiB), the regions through XKPHYS, the
 * console the running kernel lists in /proc/iomem as "serial" (an 8250 with
 * byte registers, through CKSEG1, uncached), placed below 512 MiB so that
 * CKSEG0 reaches it.
 */
static int purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
			    struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max)
{
	const struct priv *pv = l->arch_priv;

	pp->entry = pp->entry < CKSEG0_SIZE ? CKSEG0 + pp->entry : XKPHYS_CACHED | pp->entry;
	for (size_t i = 0; i < KX_SHA_REGIONS_MAX; i++)
		if (pp->regions[i].len)
			pp->regions[i].start |= XKPHYS_CACHED;
	if (pv->uart) {
		pp->console_kind = KX_CONSOLE_8250_MMIO8;
		pp->console_base = CKSEG1 + pv->uart;
	}
	if (!pp->console_kind && l->req->console_progress) {
		kx_err(ctx, "cannot load %s: --console-serial: /proc/iomem lists no \"serial\" UART "
			    "below 512 MiB for the purgatory to write to",
		       l->what_kernel);
		return -EOPNOTSUPP;
	}
	*min = INITRD_MIN;
	*max = CKSEG0_SIZE - 1;
	return 0;
}

static const struct kx_crash_policy crash_policy = {
	.e_machine = 8,
	.default_page_offset = 0x9800000000000000ULL, /* CAC_BASE: XKPHYS, cached */
};

const struct kx_arch kx_arch_mips = {
	.name = "mips",
	.kexec_arch = KEXEC_ARCH_MIPS,
	.e_machine = 8,
	.page_size = 16384, /* Debian's loongson-3 kernels (CONFIG_PAGE_SIZE_16KB) */
	/* KEXEC_DESTINATION_MEMORY_LIMIT is -1UL; the CPUs address 48 bits. */
	.dest_limit = MIPS_PHYS_LIMIT - 1,
	.formats = formats,
	.nr_formats = ARRAY_SIZE(formats),
	.crash = &crash_policy,
	.no_file_load = true,
	.purgatory_console = "the UART /proc/iomem lists as \"serial\"",
	.no_crash = "mips crash kernels are not built here (a MIPS kernel runs where it is "
		    "linked, outside any crashkernel= region, and Debian's loongson-3 kernel has "
		    "no CONFIG_CRASH_DUMP)",
	.purgatory = kx_purgatory_mips64_blob,
	.purgatory_size = &kx_purgatory_mips64_blob_size,
	.reloc = &kx_reloc_mips64,
	.purgatory_link_offset = CKSEG0,
	.prepare = prepare,
	.purgatory_params = purgatory_params,
	.cleanup = cleanup,
};
