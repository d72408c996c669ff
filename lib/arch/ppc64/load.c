/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kexec_load on ppc64 (KEXEC_ARCH_PPC64, little-endian: Debian's ppc64el),
 * the way kexec-tools' kexec/arch/ppc64 lays a vmlinux out and the kernel's
 * kexec_sequence (arch/powerpc/kernel/misc_64.S) starts it:
 *   kernel   the ELF vmlinux's one PT_LOAD (linked at 0xc000000000000000,
 *            physical 0) as it is in the file, placed as low as fits above
 *            the running kernel: machine_kexec_prepare() refuses a segment
 *            below its _end (-ETXTBSY), which the running kernel exports as
 *            /proc/device-tree/chosen/linux,kernel-end: no segment goes
 *            there. The new kernel is relocatable and copies itself down
 *            to 0.
 *   initrd   page-aligned, above the kernel
 *   dtb      the running kernel's flattened tree (/sys/firmware/fdt, what
 *            prom_init built at boot, or --dtb) with /chosen's bootargs and
 *            linux,initrd-start/-end set; its reserve map keeps RTAS and the
 *            rest of the firmware's entries, loses the old initrd's, and
 *            gains the new initrd's and the tree's own (the new kernel
 *            reserves what the map lists); the purgatory writes the boot
 *            CPU's id into boot_cpuid_phys
 *   purgatory purgatory/ppc64, its first 0x100 bytes (which kexec_sequence
 *            copies to 0 for the other CPUs) the kernel's own head
 * Everything goes below the end of the first memory node, the real mode area
 * the purgatory and the new kernel's first instructions reach with the MMU
 * off (kexec-tools' rma_top).
 */
#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb-boot.h"
#include "dtb.h"
#include "elf-vmlinux.h"
#include "purgatory.h"

#define EM_PPC64_ 21
#define HEAD_SIZE 0x100              /* what kexec_sequence copies to 0 */
#define COMMAND_LINE_SIZE 2048       /* arch/powerpc/include/uapi/asm/setup.h */
#define KERNEL_END_PATH "/proc/device-tree/chosen/linux,kernel-end"
#define BACKUP_LOW 0x10000ULL         /* kexec-tools' BACKUP_SRC_SIZE: the vectors' room */
#define RUN_AT_LOAD 0x5c             /* head_64.S __run_at_load: 1 = stay where loaded */

struct priv {
	struct kx_dtb_boot dtb;
	uint64_t rma_top;               /* end (exclusive) of the first memory node */
	uint64_t kernel_end;            /* the running kernel's _end, physical */
	uint8_t head[HEAD_SIZE];        /* the new kernel's first bytes */
};

/* The root's cells (dtb.c: 1 each when absent), 1 or 2 each here as on every POWER machine. */
static int root_cells(const void *fdt, int *ac, int *sc)
{
	int r = kx_fdt_root_cells(NULL, fdt, ac, sc);

	return r < 0 || *ac > 2 || *sc > 2 ? -FDT_ERR_BADNCELLS : 0;
}

/* The real mode area: the end of the memory node that starts at 0. */
static int find_rma(struct kexec_ctx *ctx, struct kx_load *l, struct priv *pv)
{
	const void *fdt = pv->dtb.in;
	uint64_t base, size;
	int ac, sc, len, node;

	if (root_cells(fdt, &ac, &sc) < 0)
		goto none;
	fdt_for_each_subnode(node, fdt, 0) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const uint8_t *reg = fdt_getprop(fdt, node, "reg", &len);

		if (!type || strcmp(type, "memory") || !reg || len < 4 * (ac + sc))
			continue;
		if (!kx_fdt_read_cells(reg, ac, &base) || base != 0 ||
		    !kx_fdt_read_cells(reg + 4 * ac, sc, &size) || !size)
			continue;
		pv->rma_top = size;
		return 0;
	}
none:
	kx_err(ctx, "cannot load %s: the %s has no memory node at address 0 (the real mode area "
		    "the purgatory runs in)",
	       l->what_kernel, pv->dtb.what);
	return -ENOEXEC;
}

/*
 * The running kernel's end, below which kexec_load takes no segment: what it
 * exports, or where the new kernel would end when it exports nothing (a plan
 * made on another machine: --dry-run with KEXEC_ARCH=ppc64), said so.
 */
static int read_kernel_end(struct kexec_ctx *ctx, struct kx_load *l, struct priv *pv,
			   uint64_t new_end)
{
	char *buf;
	size_t len;
	int r = kexec_read_sysfile(ctx, KERNEL_END_PATH, &buf, &len);

	if (r == -ENOENT) {
		pv->kernel_end = new_end;
		kx_info(ctx, "no %s (not a ppc64 kernel): placing above %#" PRIx64 ", where the new "
			     "kernel would end",
			KERNEL_END_PATH, new_end);
		return 0;
	}
	if (r < 0) {
		kx_err(ctx, "cannot load %s: cannot read %s (the running kernel's end, below which "
			    "kexec_load refuses segments): %s",
		       l->what_kernel, KERNEL_END_PATH, strerror(-r));
		return r;
	}
	if (len != 8) {
		free(buf);
		kx_err(ctx, "cannot load %s: %s is %zu bytes, not 8", l->what_kernel,
		       KERNEL_END_PATH, len);
		return -EINVAL;
	}
	pv->kernel_end = kx_be64((const uint8_t *)buf);
	free(buf);
	return 0;
}

static int prepare(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct priv *pv = calloc(1, sizeof(*pv));
	struct kx_range *res = NULL;
	size_t nr_res = 0;
	int r;

	if (!pv)
		return -ENOMEM;
	l->arch_priv = pv;
	r = kx_dtb_boot_prepare(ctx, l, &pv->dtb);
	if (r < 0)
		return r;
	r = find_rma(ctx, l, pv);
	if (r < 0)
		return r;
	if (l->crash && l->crash_end >= pv->rma_top) {
		/* The purgatory fills the backup with the MMU off. */
		kx_err(ctx, "cannot load crash kernel %s: the crashkernel= region %#" PRIx64 "-%#" PRIx64
			    " ends past the real mode area (%#" PRIx64 ")",
		       l->req->kernel, l->crash_start, l->crash_end, pv->rma_top);
		return -EADDRNOTAVAIL;
	}
	/* RTAS and whatever else the firmware's reserve map keeps. */
	r = kx_fdt_reserved(ctx, pv->dtb.in, pv->dtb.in_len, &res, &nr_res);
	for (size_t i = 0; r >= 0 && i < nr_res; i++) {
		uint64_t size = res[i].end - res[i].start + 1;

		if (kx_alloc_is_ram(&l->alloc, res[i].start, size)) {
			r = kx_alloc_reserve(&l->alloc, res[i].start, size);
			r = r == -EBUSY ? 0 : r;
		}
	}
	free(res);
	return r < 0 ? r : 0;
}

/* The vmlinux's one PT_LOAD: its file bytes, memory size and entry offset. */
static int read_vmlinux(struct kexec_ctx *ctx, struct kx_load *l, const uint8_t **data,
			uint64_t *filesz, uint64_t *memsz, uint64_t *entry_off)
{
	const uint8_t *e = l->kernel.addr;
	uint64_t phoff = kx_le64(e + 32), len = l->kernel.len, entry = kx_le64(e + 24);
	uint16_t phentsize = kx_le16(e + 54), phnum = kx_le16(e + 56);
	unsigned int loads = 0;

	/* kx_elf_vmlinux_probe() checked the program headers lie in the file. */
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + (uint64_t)i * phentsize;
		uint64_t off = kx_le64(ph + 8), vaddr = kx_le64(ph + 16);

		if (kx_le32(ph) != 1 /* PT_LOAD */)
			continue;
		if (loads++)
			continue;
		*filesz = kx_le64(ph + 32);
		*memsz = kx_le64(ph + 40);
		if (off > len || *filesz > len - off || *filesz > *memsz || *filesz < HEAD_SIZE) {
			kx_err(ctx, "cannot load kernel %s: its PT_LOAD lies outside the file or is "
				    "shorter than the %d-byte head",
			       l->req->kernel, HEAD_SIZE);
			return -ENOEXEC;
		}
		if (entry < vaddr || entry - vaddr >= *filesz) {
			kx_err(ctx, "cannot load kernel %s: its entry point %#" PRIx64 " is outside "
				    "its PT_LOAD",
			       l->req->kernel, entry);
			return -ENOEXEC;
		}
		*data = e + off;
		*entry_off = entry - vaddr;
	}
	if (loads != 1) {
		kx_err(ctx, "cannot load kernel %s: a ppc64 vmlinux has one PT_LOAD, this one %u",
		       l->req->kernel, loads);
		return -ENOEXEC;
	}
	return 0;
}

/* Entry i of fdt's reserve map, written in place (the map is big-endian). */
static void set_rsv(void *fdt, int i, uint64_t addr, uint64_t size)
{
	uint8_t *p = (uint8_t *)fdt + fdt_off_mem_rsvmap(fdt) + 16 * (size_t)i;

	kx_put_be64(p, addr);
	kx_put_be64(p + 8, size);
}

/* The old initrd's range, from the input's /chosen; 0, 0 when none. */
static void old_initrd(const void *fdt, uint64_t *start, uint64_t *end)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), ls, le;
	const void *s = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "linux,initrd-start", &ls);
	const void *e = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "linux,initrd-end", &le);

	if (!s || !e || (ls != 4 && ls != 8) || (le != 4 && le != 8) ||
	    !kx_fdt_read_cells(s, ls / 4, start) || !kx_fdt_read_cells(e, le / 4, end))
		*start = *end = 0;
}

/*
 * A crash kernel's memory, as kexec-tools gives it (kexec/arch/ppc64,
 * fs2dt.c): each memory node's linux,usable-memory is its reg up to the
 * reservation's end ((0, 0) when none of it is below), and the running
 * kernel's RAM between the low 64 KiB (the vectors the crash kernel puts at
 * 0) and the reservation is reserved, as is the backup of those 64 KiB. The
 * core header's own entry comes with linux,elfcorehdr (kx_fdt_edit). A
 * libfdt error (negative) or 0.
 */
static int crash_memory(void *fdt, const struct kx_load *l)
{
	uint64_t end = l->crash_end + 1;
	int ac, sc, node, len, r = root_cells(fdt, &ac, &sc);

	if (r < 0)
		return r;
	fdt_for_each_subnode(node, fdt, 0) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const uint8_t *reg = fdt_getprop(fdt, node, "reg", &len);
		int n = 0, pair = 4 * (ac + sc);
		uint8_t *out;

		if (!type || strcmp(type, "memory") || !reg || len < pair)
			continue;
		/* At most as many pairs as reg has. */
		out = malloc((size_t)len);
		if (!out)
			return -FDT_ERR_NOSPACE;
		for (int i = 0; i + pair <= len; i += pair) {
			uint64_t b, s;

			/* 1 or 2 cells: both always fit 64 bits, and the clipped pair its cells. */
			kx_fdt_read_cells(reg + i, ac, &b);
			kx_fdt_read_cells(reg + i + 4 * ac, sc, &s);
			if (b >= end || !s)
				continue;
			if (s > end - b)
				s = end - b;
			kx_fdt_write_cells(out + n, ac, b);
			kx_fdt_write_cells(out + n + 4 * ac, sc, s);
			n += pair;
		}
		if (!n) {
			memset(out, 0, (size_t)pair);
			n = pair;
		}
		/* reg (a pointer into fdt) is not read past this point. */
		r = fdt_setprop(fdt, node, "linux,usable-memory", out, n);
		free(out);
		if (r < 0)
			return r;
		/* The walk goes on from this node's offset, which its new property does not move. */
	}
	if (l->crash_start > BACKUP_LOW)
		r = fdt_add_mem_rsv(fdt, BACKUP_LOW, l->crash_start - BACKUP_LOW);
	if (r >= 0)
		r = fdt_add_mem_rsv(fdt, l->backup_addr, kx_load_page_align(l, BACKUP_LOW));
	return r;
}

/*
 * The edited tree's reserve map: the old initrd's entry out, the new one's
 * in, a crash kernel's memory (crash_memory), and a last entry for the tree
 * itself (its address known once placed: *self is its index). out is
 * reallocated to fit.
 */
static int edit_rsvmap(struct kexec_ctx *ctx, struct kx_load *l, struct priv *pv, int *self)
{
	uint64_t os, oe, a, s;
	/* A crash kernel's usable-memory properties repeat at most every memory reg. */
	size_t size = pv->dtb.out_len + 64 + (l->crash ? pv->dtb.out_len + 4096 : 0);
	void *fdt = malloc(size);
	int r, n;

	if (!fdt)
		return -ENOMEM;
	r = fdt_open_into(pv->dtb.out, fdt, (int)size);
	old_initrd(pv->dtb.in, &os, &oe);
	n = r < 0 ? 0 : fdt_num_mem_rsv(fdt);
	for (int i = n - 1; r >= 0 && oe > os && i >= 0; i--)
		if (fdt_get_mem_rsv(fdt, i, &a, &s) == 0 && a == os && s == oe - os)
			r = fdt_del_mem_rsv(fdt, i);
	if (r >= 0 && l->initrd_size)
		r = fdt_add_mem_rsv(fdt, l->initrd_addr, l->initrd_size);
	if (r >= 0 && l->crash)
		r = crash_memory(fdt, l);
	if (r >= 0)
		r = fdt_add_mem_rsv(fdt, 0, 1);
	if (r >= 0)
		r = fdt_pack(fdt);
	if (r < 0) {
		free(fdt);
		kx_err(ctx, "cannot load %s: editing the %s's reserve map: %s", l->what_kernel,
		       pv->dtb.what, fdt_strerror(r));
		return -ENOEXEC;
	}
	*self = fdt_num_mem_rsv(fdt) - 1;
	free(pv->dtb.out);
	pv->dtb.out = fdt;
	pv->dtb.out_len = fdt_totalsize(fdt);
	return 0;
}

static int load_dtb(struct kexec_ctx *ctx, struct kx_load *l, struct priv *pv)
{
	struct kx_fdt_edit e = {
		.cmdline = l->req->cmdline,
		.initrd_start = l->initrd_addr,
		.initrd_end = l->initrd_addr + l->initrd_size,
		.seeds = true,
	};
	const char *cmdline = l->req->cmdline ? l->req->cmdline : "";
	char *crash_cmdline = NULL;
	uint64_t addr;
	int self, r;

	if (l->crash) {
		/* kexec-tools' elfcorehdr=<KiB>K, which the crash kernel parses early. */
		if (asprintf(&crash_cmdline, "%s%selfcorehdr=%" PRIu64 "K", cmdline,
			     *cmdline ? " " : "", l->elfcorehdr_addr >> 10) < 0)
			return -ENOMEM;
		e.cmdline = crash_cmdline;
		e.elfcorehdr_addr = l->elfcorehdr_addr;
		e.elfcorehdr_size = kx_load_page_align(l, l->elfcorehdr_len);
	}
	r = kx_cmdline_check(ctx, l->fmt, &l->info, l->req->kernel, strlen(e.cmdline ? e.cmdline : ""),
			     false, l->crash ? "elfcorehdr=" : NULL);
	if (r == 0)
		r = kx_fdt_edit(ctx, pv->dtb.in, pv->dtb.in_len, &e, &pv->dtb.out, &pv->dtb.out_len);
	free(crash_cmdline);
	if (r < 0)
		return r;
	r = edit_rsvmap(ctx, l, pv, &self);
	if (r < 0)
		return r;
	r = kx_load_place(ctx, l, pv->dtb.what, kx_load_page_align(l, pv->dtb.out_len), 0,
			  pv->kernel_end, pv->rma_top - 1, false, &addr);
	if (r < 0)
		return r;
	set_rsv(pv->dtb.out, self, addr, pv->dtb.out_len);
	l->boot_data = addr;
	return kx_load_add_segment(l, LIBKEXEC_SEGMENT_DTB, pv->dtb.out, pv->dtb.out_len, addr,
				   kx_load_page_align(l, pv->dtb.out_len));
}

static int load_elf(struct kexec_ctx *ctx, struct kx_load *l)
{
	struct priv *pv = l->arch_priv;
	const uint8_t *data = NULL;
	uint64_t filesz = 0, memsz = 0, entry_off = 0, kaddr;
	int r;

	r = read_vmlinux(ctx, l, &data, &filesz, &memsz, &entry_off);
	if (r < 0)
		return r;
	memcpy(pv->head, data, HEAD_SIZE);
	memsz = kx_load_page_align(l, memsz);
	r = read_kernel_end(ctx, l, pv, memsz);
	if (r < 0)
		return r;
	kx_dbg(ctx, "real mode area ends at %#" PRIx64 ", the running kernel at %#" PRIx64,
	       pv->rma_top, pv->kernel_end);
	r = kx_load_place(ctx, l, l->what_kernel, memsz, 0, pv->kernel_end, pv->rma_top - 1, false,
			  &kaddr);
	if (r < 0)
		return r;
	r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_KERNEL, data, filesz, kaddr, memsz);
	if (r < 0)
		return r;
	l->kernel_entry = kaddr + entry_off;
	r = kx_load_initrd(ctx, l, kaddr + memsz, pv->rma_top - 1, false);
	if (r < 0)
		return r;
	if (l->crash) {
		r = kx_load_elfcorehdr(ctx, l);
		if (r < 0)
			return r;
	}
	return load_dtb(ctx, l, pv);
}

static int probe(const void *buf, size_t len, struct kexec_image_info *info, const char **reason,
		 struct kx_msg *msg)
{
	int r = kx_elf_vmlinux_probe(buf, len, EM_PPC64_, reason, msg);

	if (r < 0)
		return r;
	info->cmdline_max = COMMAND_LINE_SIZE - 1;
	return 0;
}

static int64_t head_size(const void *head, size_t len, const char **reason, struct kx_msg *msg)
{
	return kx_elf_vmlinux_head_size(head, len, EM_PPC64_, reason, msg);
}

static const char *const elf_aliases[] = { "elf", "vmlinux", NULL };

static const struct kx_format elf_ppc64 = {
	.type = {
		.name = "elf-ppc64",
		.aliases = elf_aliases,
		.summary = "ELF vmlinux for 64-bit little-endian POWER, as installed in /boot",
		/*
		 * The kernel's kexec_file_load takes the vmlinux as it is
		 * (arch/powerpc/kexec/elf_64.c); Debian's ppc64el kernels are
		 * built without CONFIG_KEXEC_FILE, and say so with ENOSYS.
		 */
		.kexec_file_load = true,
		.kexec_load = true,
	},
	.probe = probe,
	.cmdline_limit_what = "COMMAND_LINE_SIZE (2048)",
	.file_wrong_format_errno = ENOEXEC,
	.load = load_elf,
	.head_size = head_size,
};

static const struct kx_format *const formats[] = {
	&elf_ppc64,
};

/* The hypervisor terminal /chosen's stdout-path names (hvc0 on pseries): its number. */
static int hvterm(const void *fdt, uint64_t *term)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), node, len;
	const char *path = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "linux,stdout-path", NULL);
	const fdt32_t *reg;

	if (!path && chosen >= 0)
		path = fdt_getprop(fdt, chosen, "stdout-path", NULL);
	if (!path)
		return -ENOENT;
	node = fdt_path_offset_namelen(fdt, path, (int)strcspn(path, ":"));
	if (node < 0 || fdt_node_check_compatible(fdt, node, "hvterm1"))
		return -ENOENT;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len != 4)
		return -ENOENT;
	*term = fdt32_to_cpu(*reg);
	return 0;
}

static int purgatory_params(struct kexec_ctx *ctx, struct kx_load *l,
			    struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max)
{
	struct priv *pv = l->arch_priv;
	uint8_t head[HEAD_SIZE];
	uint64_t term;
	int r;

	if (hvterm(pv->dtb.in, &term) == 0) {
		pp->console_kind = KX_CONSOLE_HVTERM;
		pp->console_base = term;
	} else if (l->req->console_progress) {
		kx_err(ctx, "cannot load %s: --console-serial: the %s names no hypervisor terminal "
			    "(hvterm1) as its console for the purgatory to write to",
		       l->what_kernel, pv->dtb.what);
		return -EOPNOTSUPP;
	}
	/* Its head for the other CPUs: the kernel's, but for the branch at 0 to its own code. */
	r = kx_purgatory_get(l->purg, KX_PURGATORY_ENTRY_NAME, head, sizeof(head));
	if (r < 0) {
		kx_err(ctx, "the embedded purgatory's %s is not the %d-byte head kexec_sequence "
			    "copies to 0",
		       KX_PURGATORY_ENTRY_NAME, HEAD_SIZE);
		return r;
	}
	memcpy(head + 4, pv->head + 4, sizeof(head) - 4);
	if (l->crash) {
		/*
		 * The crash kernel runs where it is loaded (__run_at_load = 1, in
		 * its head and in this copy, as kexec-tools' v2wrap.S does), and
		 * the purgatory first backs up the low memory it will overwrite.
		 */
		kx_put_le32(head + RUN_AT_LOAD, 1);
		pp->arch[0] = l->backup_addr;
		pp->arch[1] = BACKUP_LOW;
		pp->arch[2] = 1;
	}
	r = kx_purgatory_set(l->purg, KX_PURGATORY_ENTRY_NAME, head, sizeof(head));
	if (r < 0)
		return r;
	*min = pv->kernel_end;
	*max = pv->rma_top - 1;
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

static const struct kx_crash_policy crash_policy = {
	.e_machine = EM_PPC64_,
	.default_page_offset = 0xc000000000000000ULL, /* PAGE_OFFSET, book3s64 */
	/* The kernel's text is in the linear map, at PAGE_OFFSET + its physical address. */
	.text_in_direct_map = true,
	.backup_low = BACKUP_LOW,
};

const struct kx_arch kx_arch_ppc64 = {
	.name = "ppc64",
	.kexec_arch = KEXEC_ARCH_PPC64,
	.e_machine = EM_PPC64_,
	.page_size = 65536, /* Debian's ppc64el kernels (CONFIG_PAGE_SIZE_64KB) */
	.dest_limit = UINT64_MAX, /* KEXEC_DESTINATION_MEMORY_LIMIT (-1UL) */
	.formats = formats,
	.nr_formats = ARRAY_SIZE(formats),
	.crash = &crash_policy,
	.device_tree = true,
	.purgatory_console = "the hypervisor terminal the device tree names as its console (hvc0)",
	.purgatory = kx_purgatory_ppc64_blob,
	.purgatory_size = &kx_purgatory_ppc64_blob_size,
	.reloc = &kx_reloc_ppc64,
	.prepare = prepare,
	.purgatory_params = purgatory_params,
	.cleanup = cleanup,
};
