/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on riscv64 (Debian 13's kernel has no kexec_file_load, and
 * Debian ships no kexec-tools for riscv64): the Image, the initrd and a
 * device tree, placed as the kernel's own file loader places them
 * (arch/riscv/kernel/kexec_image.c, machine_kexec_file.c), then our purgatory
 * (purgatory/riscv64), which checks the segments and enters the Image with
 * a0 = the hart id the kernel gave it and a1 = the device tree:
 *   kernel       at a text_offset-aligned (2 MiB) address, image_size of room
 *   initrd       page-aligned, above the kernel
 *   elfcorehdr   crash loads: the core header, in the crash region
 *   dtb          the running system's device tree (or --dtb) with /chosen set;
 *                machine_kexec_prepare() refuses a load without one
 *   purgatory    purgatory/riscv64
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dtb-boot.h"
#include "dtb.h"
#include "purgatory.h"
#include "riscv64.h"

#define SZ_2M 0x200000ULL

struct priv {
	struct kx_dtb_boot dtb;
	bool zknh;
};

static int prepare(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct priv *pv = calloc(1, sizeof(*pv));
	char *cpuinfo;

	if (!pv)
		return -ENOMEM;
	l->arch_priv = pv;
	/* The purgatory may use the scalar SHA-256 instructions where every hart has them. */
	if (kexec_read_sysfile(ctx, "/proc/cpuinfo", &cpuinfo, NULL) == 0) {
		pv->zknh = kx_riscv64_isa_has_zknh(cpuinfo);
		free(cpuinfo);
	}
	kx_dbg(ctx, "/proc/cpuinfo: %s", pv->zknh ? "every hart has Zknh" : "no Zknh on every hart");
	return kx_dtb_boot_prepare(ctx, l, &pv->dtb);
}

int kx_riscv64_load_image(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct priv *pv = l->arch_priv;
	struct kx_riscv64_image img;
	const char *reason;
	uint64_t kaddr, kmemsz, align;
	int r;

	r = kx_riscv64_image_read(l->kernel.addr, l->kernel.len, &img, &reason);
	if (r < 0) {
		kx_err(ctx, "cannot load kernel %s: %s", l->req->kernel, reason);
		return r;
	}
	/*
	 * image_size counts .bss; a signed image's appended signature may pass
	 * it. The new kernel reserves itself up to its end rounded up to 2 MiB:
	 * nothing else may go there (an initrd right after it is refused as
	 * "overlaps in-use memory region").
	 */
	kmemsz = img.image_size > l->kernel.len ? img.image_size : l->kernel.len;
	kmemsz = (kmemsz + SZ_2M - 1) & ~(SZ_2M - 1);
	/* The kernel's loader aligns the Image to text_offset (2 MiB on rv64), as low as fits. */
	align = img.text_offset > SZ_2M ? img.text_offset : SZ_2M;
	r = kx_load_place(ctx, l, l->what_kernel, kmemsz, align, l->crash ? l->crash_start : 0, 0,
			  false, &kaddr);
	if (r < 0)
		return r;
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_KERNEL, l->kernel.addr, l->kernel.len, kaddr, kmemsz);
	if (r < 0)
		return r;
	l->kernel_entry = kaddr;

	r = kx_load_initrd(ctx, l, kaddr + kmemsz, 0, false);
	if (r < 0)
		return r;
	if (l->crash) {
		r = kx_load_elfcorehdr(ctx, l);
		if (r < 0)
			return r;
	}
	return kx_dtb_boot_load(ctx, l, &pv->dtb, 0, 0, 0);
}

/*
 * The harts the purgatory makes sure have stopped before it reads the
 * segments (arch[1], arch[2]): the old kernel's machine_kexec may jump there
 * while another hart, taken down by CPU hotplug, has said it is dead but not
 * yet reached SBI's hart_stop (arch_cpu_idle_dead() reports first, then
 * stops), and still writes its stack. README "The riscv64 purgatory".
 */
static void watch_harts(struct kexec_ctx *ctx, const struct kx_dtb_boot *b,
			struct kx_purgatory_params *pp)
{
	struct kx_fdt_cpus cpus;

	if (kx_fdt_cpus(b->in, b->in_len, &cpus) < 0) {
		kx_dbg(ctx, "the device tree lists no processor: the purgatory watches no other hart");
		return;
	}
	pp->arch[KX_RISCV64_ARCH_HARTS] = cpus.ids;
	pp->arch[KX_RISCV64_ARCH_TIMEBASE] = cpus.timebase;
	kx_dbg(ctx, "purgatory: watches harts %#" PRIx64 " (timebase %u Hz)%s", cpus.ids,
	       cpus.timebase, cpus.beyond ? "; hart ids from 64 on are not watched" : "");
}

static int purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
			    struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max)
{
	struct priv *pv = l->arch_priv;
	int r = kx_dtb_boot_console(ctx, l, &pv->dtb, pp);

	if (r < 0)
		return r;
	if (pv->zknh)
		pp->arch[0] |= KX_RISCV64_PF_ZKNH;
	watch_harts(ctx, &pv->dtb, pp);
	*min = 0;
	*max = 0;
	return 0;
}

static void cleanup(struct kx_load *l)
{
	struct priv *pv = l->arch_priv;

	if (!pv)
		return;
	kx_dtb_boot_free(&pv->dtb);
	free(pv);
	l->arch_priv = NULL;
}

static const struct kx_format *const formats[] = {
	&kx_format_riscv64_image,
	&kx_format_riscv64_elf,
};

static const struct kx_crash_policy crash_policy = {
	.e_machine = 243,
	.exclude_low = 0,
	/* PAGE_OFFSET with Sv39, when /proc/kcore cannot say (Sv48/Sv57 move it). */
	.default_page_offset = 0xffffffd800000000ULL,
	/* The kernel image at KERNEL_LINK_ADDR (the top 2 GiB); modules sit below it. */
	.text_window_start = 0xffffffff80000000ULL,
	.text_window_size = 0x80000000ULL,
	/*
	 * OpenSBI's memory (the device tree's /reserved-memory/mmode_resv*) is
	 * behind its PMP: the crash kernel reading it gets EFAULT and loses the
	 * whole dump.
	 */
	.exclude_dtb_reserved = true,
};

const struct kx_arch kx_arch_riscv64 = {
	.name = "riscv64",
	.kexec_arch = KEXEC_ARCH_RISCV,
	.e_machine = 243,
	.page_size = 4096,
	.dest_limit = UINT64_MAX,
	.formats = formats,
	.nr_formats = ARRAY_SIZE(formats),
	.crash = &crash_policy,
	.device_tree = true,
	.purgatory_console = "the device tree's console UART (/chosen stdout-path)",
	.purgatory = kx_purgatory_riscv64_blob,
	.reloc = &kx_reloc_riscv64,
	.purgatory_size = &kx_purgatory_riscv64_blob_size,
	.prepare = prepare,
	.purgatory_params = purgatory_params,
	.cleanup = cleanup,
};
