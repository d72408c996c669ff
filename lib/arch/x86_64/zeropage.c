/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 zero page (struct boot_params) for kexec_load, built from what
 * bootparams.c read (struct kx_x86_sysinfo) and the load's layout: a
 * function of its inputs but for the RNG seed (fuzz/fuzz-bootparams.c). The
 * kernel builds the same page for kexec_file_load
 * (arch/x86/kernel/kexec-bzimage64.c: bzImage64_load(),
 * setup_boot_parameters()). Written little-endian byte by byte, never
 * through a C struct, so that nothing depends on the build host's packing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86-bootparams.h"
#include "x86.h"
#include "zero-page.h"

/* ---- Building the zero page --------------------------------------------- */

static bool add_size(size_t *acc, size_t n)
{
	if (*acc > SIZE_MAX - n)
		return false;
	*acc += n;
	return true;
}

/* a + n, 16-byte aligned; false on overflow. */
static bool place(size_t *off, size_t n, size_t *at)
{
	size_t start = *off;

	if (start > SIZE_MAX - 15)
		return false;
	start = ALIGN16(start);
	*at = start;
	*off = start;
	return add_size(off, n);
}

static void put_e820(uint8_t *b, size_t off, const struct kx_e820_entry *e)
{
	kx_put_le64(b + off, e->addr);
	kx_put_le64(b + off + 8, e->size);
	kx_put_le32(b + off + 16, e->type);
}

/* Why the EFI state cannot be passed on; NULL when it can. */
static const char *efi_unusable(const struct kx_x86_sysinfo *si)
{
	const uint8_t *ei = si->boot_params + BP_EFI_INFO;

	if (!si->have_boot_params)
		return "the running kernel's boot_params (efi_info: the system table address) "
		       "are unknown";
	if (!kx_le32(ei + EI_MEMMAP_SIZE))
		return "the running kernel's boot_params hold no EFI memory map";
	if (memcmp(ei + EI_LOADER_SIGNATURE, "EL64", 4))
		return "the firmware is not 64-bit EFI (efi_loader_signature is not \"EL64\")";
	if (!si->efi_runtime_map_size || !si->efi_runtime_map)
		return "/sys/firmware/efi/runtime-map is missing or empty";
	if (si->efi_desc_size < EFI_MEMDESC_MIN || si->efi_desc_size > EFI_MEMDESC_MAX ||
	    si->efi_runtime_map_size % si->efi_desc_size)
		return "the runtime map's descriptor size is invalid";
	if (si->efi_runtime_map_size > UINT32_MAX)
		return "the runtime map is larger than efi_memmap_size can say";
	if (!si->efi_config_table)
		return "/sys/firmware/efi/config_table is missing";
	return NULL;
}

/* Where the pieces of boot_params go, decided from the inputs only (never params_addr). */
struct bp_layout {
	size_t hdr_end, cmd_len, n_zp, n_ext, total;
	size_t off_efi_map, off_e820_ext, off_efi_sd, off_rng;
	bool use_efi;
};

/* The image's setup header (from 0x1f1 up to 0x202 + the jump's offset byte) and the command line's room. */
static int bp_setup_header(struct kexec_ctx *ctx, const struct kx_x86_boot_layout *lay,
			   const char *cmdline, struct bp_layout *bl)
{
	uint32_t cmdline_size;
	uint16_t version;

	if (!lay->image || lay->image_len < HDR_VERSION + 2 ||
	    memcmp(lay->image + HDR_MAGIC, "HdrS", 4)) {
		kx_err(ctx, "kernel image has no x86 setup header (\"HdrS\" at 0x202)");
		return -ENOEXEC;
	}
	bl->hdr_end = HDR_MAGIC + (size_t)lay->image[HDR_JUMP + 1];
	if (bl->hdr_end > lay->image_len) {
		kx_dbg(ctx, "setup header would end at %#zx, past the image's %zu bytes", bl->hdr_end,
		       lay->image_len);
		bl->hdr_end = lay->image_len;
	}
	if (bl->hdr_end > BP_SIZE)
		bl->hdr_end = BP_SIZE;
	version = kx_le16(lay->image + HDR_VERSION);
	/* Protocol 2.06 added cmdline_size; before it the limit was 255. */
	if (version >= 0x0206 && bl->hdr_end >= HDR_CMDLINE_SIZE + 4)
		cmdline_size = kx_le32(lay->image + HDR_CMDLINE_SIZE);
	else
		cmdline_size = 255;
	/* The one command-line rule (lib/arch.c): with its NUL it must fit cmdline_size. */
	bl->cmd_len = strlen(cmdline) + 1;
	{
		struct kexec_image_info info = { .cmdline_max = cmdline_size ? cmdline_size - 1 : 0 };

		return kx_cmdline_check(ctx, &kx_format_bzimage, &info,
					lay->path ? lay->path : "(setup header)", bl->cmd_len - 1,
					false, lay->cmdline_what);
	}
}

/*
 * The e820 split and the EFI choice, then the layout: the zero page, the
 * command line, then 16-byte aligned pieces (kexec_file's own alignment):
 * the EFI runtime map, E820_EXT, SETUP_EFI, RNG seed.
 */
static int bp_plan(struct kexec_ctx *ctx, const struct kx_x86_sysinfo *si,
		   const struct kx_x86_boot_layout *lay, struct bp_layout *bl)
{
	const char *no_efi;

	if (!si->e820.nr || !si->e820.e) {
		kx_err(ctx, "no e820 memory map: the next kernel would have no memory");
		return -EINVAL;
	}
	bl->n_zp = si->e820.nr < KX_E820_MAX_IN_ZEROPAGE ? si->e820.nr : KX_E820_MAX_IN_ZEROPAGE;
	bl->n_ext = si->e820.nr - bl->n_zp;
	if (bl->n_ext > UINT32_MAX / E820_ENTRY_SIZE) {
		kx_err(ctx, "%zu e820 entries do not fit a setup_data entry", si->e820.nr);
		return -E2BIG;
	}
	if (si->efi && lay->no_efi) {
		kx_info(ctx, "not passing the EFI state on, as asked (--no-efi): the next kernel "
			     "runs without EFI runtime services and finds ACPI through "
			     "acpi_rsdp_addr");
	} else if (si->efi) {
		no_efi = efi_unusable(si);
		bl->use_efi = !no_efi;
		if (no_efi)
			kx_warn(ctx, "not passing the EFI state on: %s; the next kernel runs "
				     "without EFI runtime services and finds ACPI through "
				     "acpi_rsdp_addr", no_efi);
	}
	bl->total = BP_SIZE + bl->cmd_len;
	if (bl->use_efi && !place(&bl->total, si->efi_runtime_map_size, &bl->off_efi_map))
		return -E2BIG;
	if (bl->n_ext &&
	    !place(&bl->total, SETUP_DATA_HDR + bl->n_ext * E820_ENTRY_SIZE, &bl->off_e820_ext))
		return -E2BIG;
	if (bl->use_efi && !place(&bl->total, SETUP_DATA_HDR + EFI_SETUP_DATA_SIZE, &bl->off_efi_sd))
		return -E2BIG;
	if (lay->rng_seed && !place(&bl->total, SETUP_DATA_HDR + RNG_SEED_LENGTH, &bl->off_rng))
		return -E2BIG;
	return 0;
}

/* What kexec_file's setup_boot_parameters() takes from the running kernel. */
static void bp_from_running(uint8_t *b, const struct kx_x86_sysinfo *si)
{
	const uint8_t *cur = si->boot_params;
	uint8_t n;

	if (!si->have_boot_params)
		return;
	memcpy(b + BP_SCREEN_INFO, cur + BP_SCREEN_INFO, BP_SCREEN_INFO_SIZE);
	memcpy(b + HDR_HARDWARE_SUBARCH, cur + HDR_HARDWARE_SUBARCH, 4);
	memcpy(b + BP_EDDBUF, cur + BP_EDDBUF, EDDMAXNR * EDD_INFO_SIZE);
	memcpy(b + BP_EDD_MBR_SIG_BUFFER, cur + BP_EDD_MBR_SIG_BUFFER, EDD_MBR_SIG_MAX * 4);
	n = cur[BP_EDDBUF_ENTRIES];
	b[BP_EDDBUF_ENTRIES] = n <= EDDMAXNR ? n : EDDMAXNR;
	/* kexec_file leaves this count 0; the buffer is useless without it. */
	n = cur[BP_EDD_MBR_SIG_BUF_ENTRIES];
	b[BP_EDD_MBR_SIG_BUF_ENTRIES] = n <= EDD_MBR_SIG_MAX ? n : EDD_MBR_SIG_MAX;
}

/* The boot loader's fields of the setup header: loader type, code32_start, initrd, command line. */
static void bp_loader_fields(struct kexec_ctx *ctx, uint8_t *b, const struct kx_x86_boot_layout *lay,
			     const char *cmdline, const struct bp_layout *bl)
{
	uint64_t base = lay->params_addr;

	b[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_KEXEC;
	/* kexec_file (and kexec-tools) clear every flag: none matters to a 64-bit entry. */
	b[HDR_LOADFLAGS] = 0;
	/* Read only by the 32-bit entry path; a 64-bit address does not fit it. */
	if (lay->kernel_addr <= UINT32_MAX)
		kx_put_le32(b + HDR_CODE32_START, (uint32_t)lay->kernel_addr);
	else
		kx_dbg(ctx, "kernel at %#llx is above 4 GiB: code32_start keeps the image's %#x",
		       (unsigned long long)lay->kernel_addr, kx_le32(b + HDR_CODE32_START));
	if (lay->initrd_size) {
		kx_put_le32(b + HDR_RAMDISK_IMAGE, (uint32_t)lay->initrd_addr);
		kx_put_le32(b + HDR_RAMDISK_SIZE, (uint32_t)lay->initrd_size);
		kx_put_le32(b + BP_EXT_RAMDISK_IMAGE, (uint32_t)(lay->initrd_addr >> 32));
		kx_put_le32(b + BP_EXT_RAMDISK_SIZE, (uint32_t)(lay->initrd_size >> 32));
	} else {
		kx_put_le32(b + HDR_RAMDISK_IMAGE, 0);
		kx_put_le32(b + HDR_RAMDISK_SIZE, 0);
	}
	memcpy(b + BP_SIZE, cmdline, bl->cmd_len);
	kx_put_le32(b + HDR_CMD_LINE_PTR, (uint32_t)(base + BP_SIZE));
	kx_put_le32(b + BP_EXT_CMD_LINE_PTR, (uint32_t)((base + BP_SIZE) >> 32));
}

/* e820: 128 entries in the page, the rest in one SETUP_E820_EXT; ext_mem_k and alt_mem_k. */
static void bp_e820(struct kexec_ctx *ctx, uint8_t *b, const struct kx_x86_sysinfo *si,
		    const struct bp_layout *bl)
{
	size_t i;

	b[BP_E820_ENTRIES] = (uint8_t)bl->n_zp;
	for (i = 0; i < bl->n_zp; i++)
		put_e820(b, BP_E820_TABLE + i * E820_ENTRY_SIZE, &si->e820.e[i]);
	if (bl->n_ext) {
		kx_put_le32(b + bl->off_e820_ext + 8, SETUP_E820_EXT);
		kx_put_le32(b + bl->off_e820_ext + 12, (uint32_t)(bl->n_ext * E820_ENTRY_SIZE));
		for (i = 0; i < bl->n_ext; i++)
			put_e820(b, bl->off_e820_ext + SETUP_DATA_HDR + i * E820_ENTRY_SIZE,
				 &si->e820.e[bl->n_zp + i]);
		kx_dbg(ctx, "%zu e820 entries: %zu in the zero page, %zu in SETUP_E820_EXT",
		       si->e820.nr, bl->n_zp, bl->n_ext);
	}
	/* RAM above 1 MiB in the range that contains 1 MiB. */
	for (i = 0; i < si->e820.nr; i++) {
		const struct kx_e820_entry *e = &si->e820.e[i];
		uint64_t start = e->addr, end = e->addr + e->size - 1, mem_k;

		if (e->type != E820_TYPE_RAM || !e->size || end < start)
			continue;
		if (start <= 0x100000 && end > 0x100000) {
			mem_k = (end >> 10) - (0x100000 >> 10);
			kx_put_le16(b + BP_EXT_MEM_K, (uint16_t)(mem_k > 0xfc00 ? 0xfc00 : mem_k));
			kx_put_le32(b + BP_ALT_MEM_K,
				    (uint32_t)(mem_k > UINT32_MAX ? UINT32_MAX : mem_k));
		}
	}
}

/* The EFI state the next kernel needs: efi_info, the runtime map, SETUP_EFI. */
static void bp_efi(uint8_t *b, const struct kx_x86_sysinfo *si, uint64_t base,
		   const struct bp_layout *bl)
{
	const uint8_t *cur = si->boot_params + BP_EFI_INFO;
	uint64_t memmap = base + bl->off_efi_map;
	uint8_t *ei = b + BP_EFI_INFO, *esd = b + bl->off_efi_sd + SETUP_DATA_HDR;
	uint32_t version_cur = kx_le32(cur + EI_MEMDESC_VERSION);

	memcpy(b + bl->off_efi_map, si->efi_runtime_map, si->efi_runtime_map_size);
	memcpy(ei + EI_LOADER_SIGNATURE, cur + EI_LOADER_SIGNATURE, 4);
	memcpy(ei + EI_SYSTAB, cur + EI_SYSTAB, 4);
	memcpy(ei + EI_SYSTAB_HI, cur + EI_SYSTAB_HI, 4);
	kx_put_le32(ei + EI_MEMDESC_SIZE, si->efi_desc_size);
	kx_put_le32(ei + EI_MEMDESC_VERSION, version_cur ? version_cur : 1);
	kx_put_le32(ei + EI_MEMMAP, (uint32_t)memmap);
	kx_put_le32(ei + EI_MEMMAP_HI, (uint32_t)(memmap >> 32));
	kx_put_le32(ei + EI_MEMMAP_SIZE, (uint32_t)si->efi_runtime_map_size);
	b[BP_SECURE_BOOT] = si->boot_params[BP_SECURE_BOOT];
	kx_put_le32(b + bl->off_efi_sd + 8, SETUP_EFI);
	kx_put_le32(b + bl->off_efi_sd + 12, EFI_SETUP_DATA_SIZE);
	kx_put_le64(esd + 0, si->efi_fw_vendor);
	/* "runtime" until Linux 5.7, unused since: older kernels still read it. */
	kx_put_le64(esd + 8, si->efi_runtime);
	kx_put_le64(esd + 16, si->efi_config_table);
	kx_put_le64(esd + 24, si->efi_smbios);
}

/* The RNG seed (when asked for and getrandom gives one), then the setup_data chain. */
static void bp_seed_and_chain(struct kexec_ctx *ctx, uint8_t *b, uint64_t base, bool rng_seed,
			      struct bp_layout *bl)
{
	size_t link_at = HDR_SETUP_DATA;

	if (rng_seed) {
		int r = kx_random_bytes(b + bl->off_rng + SETUP_DATA_HDR, RNG_SEED_LENGTH);

		if (r == 0) {
			kx_put_le32(b + bl->off_rng + 8, SETUP_RNG_SEED);
			kx_put_le32(b + bl->off_rng + 12, RNG_SEED_LENGTH);
		} else {
			/* The space stays (the size must not change), unlinked: kexec_file too. */
			kx_warn(ctx, "no RNG seed for the next kernel: getrandom: %s", strerror(-r));
			bl->off_rng = 0;
		}
	}
	/* In address order, with absolute addresses; the last next is 0. */
	{
		const size_t nodes[] = { bl->off_e820_ext, bl->off_efi_sd, bl->off_rng };

		kx_put_le64(b + HDR_SETUP_DATA, 0);
		for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
			if (!nodes[i])
				continue;
			kx_put_le64(b + link_at, base + nodes[i]);
			link_at = nodes[i];
			kx_put_le64(b + link_at, 0);
		}
	}
}

int kx_x86_build_boot_params(struct kexec_ctx *ctx, const struct kx_x86_sysinfo *si,
			     const struct kx_x86_boot_layout *lay, uint8_t **out, size_t *len)
{
	struct bp_layout bl = { 0 };
	const char *cmdline;
	uint64_t base;
	uint8_t *b;
	int r;

	if (!ctx || !si || !lay || !out || !len || (!lay->image && lay->image_len))
		return -EINVAL;
	cmdline = lay->cmdline ? lay->cmdline : "";
	base = lay->params_addr;
	/* The setup_data headers hold u64s; kexec_file aligns the buffer to 16 as well. */
	if (base % 16) {
		kx_err(ctx, "boot_params address %#llx is not 16-byte aligned",
		       (unsigned long long)base);
		return -EINVAL;
	}
	r = bp_setup_header(ctx, lay, cmdline, &bl);
	if (r < 0)
		return r;
	r = bp_plan(ctx, si, lay, &bl);
	if (r < 0)
		return r;
	if (base > UINT64_MAX - bl.total) {
		kx_err(ctx, "boot_params at %#llx: %zu bytes run past the end of the address space",
		       (unsigned long long)base, bl.total);
		return -ERANGE;
	}
	b = calloc(1, bl.total);
	if (!b) {
		kx_err(ctx, "out of memory for %zu bytes of boot_params", bl.total);
		return -ENOMEM;
	}
	/*
	 * The sentinel (0x1ef) lies below the header and stays 0: a nonzero one
	 * tells the kernel that a boot loader copied the header wholesale and
	 * makes it zero the fields it cannot trust (sanitize_boot_params()).
	 */
	_Static_assert(BP_SENTINEL < BP_HDR, "the header copy must not reach the sentinel");
	memcpy(b + BP_HDR, lay->image + BP_HDR, bl.hdr_end - BP_HDR);
	bp_from_running(b, si);
	/* Filled in from the e820 map; apm, hd0/hd1, edid, ist stay zero. */
	kx_put_le16(b + BP_EXT_MEM_K, 0);
	kx_put_le32(b + BP_ALT_MEM_K, 0);
	kx_put_le64(b + BP_ACPI_RSDP_ADDR, si->acpi_rsdp);
	bp_loader_fields(ctx, b, lay, cmdline, &bl);
	bp_e820(ctx, b, si, &bl);
	if (bl.use_efi)
		bp_efi(b, si, base, &bl);
	bp_seed_and_chain(ctx, b, base, lay->rng_seed, &bl);
	kx_dbg(ctx, "boot_params at %#llx: %zu bytes (command line %zu, e820 %zu%s%s)",
	       (unsigned long long)base, bl.total, bl.cmd_len, si->e820.nr,
	       bl.use_efi ? ", EFI" : "", bl.off_rng ? ", RNG seed" : "");
	*out = b;
	*len = bl.total;
	return 0;
}
