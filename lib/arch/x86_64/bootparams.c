/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 zero page (struct boot_params) for kexec_load.
 *
 * kexec_file_load builds it in the kernel (arch/x86/kernel/kexec-bzimage64.c:
 * bzImage64_load() and setup_boot_parameters()); with kexec_load, user space
 * must build the same page from what the running kernel exposes in /sys:
 *
 *   /sys/firmware/memmap          the firmware's e820 map (else /proc/iomem)
 *   /sys/kernel/boot_params/data  the running kernel's own zero page (root only)
 *   /sys/firmware/efi/...         fw_vendor, runtime, config_table, systab and
 *                                 the EFI runtime map
 *
 * The page is laid out by offset (Documentation/arch/x86/zero-page.rst and
 * boot.rst) and written little-endian byte by byte, never through a C struct,
 * so that nothing depends on the build host's packing.
 *
 * Everything read from /sys is treated as hostile: a root directory set by the
 * caller can point anywhere. Files are read with a size limit, numbers are
 * parsed strictly, and counts are bounded before anything is allocated.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "x86-bootparams.h"
#include "x86.h"

/* ---- The zero page (arch/x86/include/uapi/asm/bootparam.h) -------------- */

#define BP_SIZE 4096
#define BP_SCREEN_INFO 0x000
#define BP_SCREEN_INFO_SIZE 0x40
#define BP_EXT_MEM_K 0x002            /* u16, inside screen_info */
#define BP_ACPI_RSDP_ADDR 0x070       /* u64 */
#define BP_EXT_RAMDISK_IMAGE 0x0c0    /* u32 */
#define BP_EXT_RAMDISK_SIZE 0x0c4     /* u32 */
#define BP_EXT_CMD_LINE_PTR 0x0c8     /* u32 */
#define BP_EFI_INFO 0x1c0             /* struct efi_info, 32 bytes */
#define BP_ALT_MEM_K 0x1e0            /* u32 */
#define BP_E820_ENTRIES 0x1e8         /* u8 */
#define BP_EDDBUF_ENTRIES 0x1e9       /* u8 */
#define BP_EDD_MBR_SIG_BUF_ENTRIES 0x1ea /* u8 */
#define BP_SECURE_BOOT 0x1ec          /* u8 */
#define BP_SENTINEL 0x1ef             /* u8 */
#define BP_HDR 0x1f1                  /* struct setup_header */
#define BP_EDD_MBR_SIG_BUFFER 0x290   /* u32[16] */
#define BP_E820_TABLE 0x2d0           /* struct boot_e820_entry[128], packed */
#define BP_EDDBUF 0xd00               /* struct edd_info[6], 82 bytes each */

#define EDDMAXNR 6
#define EDD_INFO_SIZE 82
#define EDD_MBR_SIG_MAX 16

/* struct efi_info, relative to BP_EFI_INFO. */
#define EI_LOADER_SIGNATURE 0x00
#define EI_SYSTAB 0x04
#define EI_MEMDESC_SIZE 0x08
#define EI_MEMDESC_VERSION 0x0c
#define EI_MEMMAP 0x10
#define EI_MEMMAP_SIZE 0x14
#define EI_SYSTAB_HI 0x18
#define EI_MEMMAP_HI 0x1c

/* struct setup_header, by absolute offset in the zero page (and the image). */
#define HDR_JUMP 0x200                /* "jmp short": byte 0x201 is its offset */
#define HDR_MAGIC 0x202               /* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_CMDLINE_SIZE 0x238
#define HDR_HARDWARE_SUBARCH 0x23c
#define HDR_SETUP_DATA 0x250

/* The kernel's own id for kexec, LOADER_TYPE_KEXEC << 4, as kexec_file sets it. */
#define TYPE_OF_LOADER_KEXEC 0xd0

#define E820_ENTRY_SIZE 20            /* struct boot_e820_entry: u64 addr, u64 size, u32 type */

#define SETUP_DATA_HDR 16             /* struct setup_data: u64 next, u32 type, u32 len */
#define SETUP_E820_EXT 1
#define SETUP_EFI 4
#define SETUP_RNG_SEED 9

/* struct efi_setup_data: fw_vendor, __unused (was runtime), tables, smbios, reserved[8] */
#define EFI_SETUP_DATA_SIZE 96
#define RNG_SEED_LENGTH 32

/* efi_memory_desc_t: u32 type, u32 pad, u64 phys, u64 virt, u64 num_pages, u64 attribute. */
#define EFI_MEMDESC_MIN 40
#define EFI_MEMDESC_DEFAULT 48        /* what x86 firmware uses; the kernel's fallback too */
#define EFI_MEMDESC_MAX 4096          /* anything larger is not a descriptor size */
#define EFI_RUNTIME_MAP_MAX 4096      /* real maps hold tens of entries */

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

#define BOOT_PARAMS_PATH "/sys/kernel/boot_params/data"
#define EFI_DIR "/sys/firmware/efi"
#define EFI_RUNTIME_MAP_DIR "/sys/firmware/efi/runtime-map"

/* ---- Reading small /sys files -------------------------------------------- */

/*
 * <root><rel> into buf, at most max bytes; -EFBIG when the file holds more (a
 * sysfs attribute is at most a page: anything larger is not the kernel's).
 * Errors are returned unlogged: whether a missing file matters is the
 * caller's call. The full path is left in path for messages.
 */
static int read_small(const struct kexec_ctx *ctx, const char *rel, void *buf, size_t max,
		      size_t *len, char *path, size_t path_len)
{
	char *data;
	int r = kx_read_rel(ctx, rel, max, false, path, path_len, &data, len);

	if (r < 0)
		return r;
	memcpy(buf, data, *len);
	free(data);
	return 0;
}

static size_t trim_end(const char *s, size_t len)
{
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\r'))
		len--;
	return len;
}

/*
 * A one-value hex attribute such as /sys/firmware/efi/fw_vendor. Returns
 * -ENOENT (unlogged) when the file does not exist; a file that exists but
 * does not hold a hex number is an error.
 */
static int read_hex_file(struct kexec_ctx *ctx, const char *rel, uint64_t *val)
{
	char buf[64], path[4096];
	size_t len;
	int r;

	r = read_small(ctx, rel, buf, sizeof(buf), &len, path, sizeof(path));
	if (r == -ENOENT)
		return r;
	if (r == -EFBIG) {
		kx_err(ctx, "%s: more than %zu bytes: not a sysfs hex value", path, sizeof(buf));
		return -EINVAL;
	}
	if (r < 0) {
		kx_err(ctx, "cannot read %s: %s", path, strerror(-r));
		return r;
	}
	len = trim_end(buf, len);
	if (memchr(buf, '\0', len) || !kx_parse_hex(buf, len, true, val)) {
		char shown[68];

		kx_err(ctx, "%s: not a 64-bit hex value: \"%s\"", path,
		       kx_printable(buf, len, shown, sizeof(shown)));
		return -EINVAL;
	}
	return 0;
}

/* ---- The e820 map ------------------------------------------------------- */

#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED 2
#define E820_TYPE_ACPI 3
#define E820_TYPE_NVS 4
#define E820_TYPE_UNUSABLE 5
#define E820_TYPE_PMEM 7
#define E820_TYPE_PRAM 12
#define E820_TYPE_SOFT_RESERVED 0xefffffffU

/*
 * The names the kernel gives e820 types (e820_type_to_string()), used both in
 * /sys/firmware/memmap/N/type and at the top level of /proc/iomem. The memmap
 * reader folds some of them together ("Soft Reserved" is reserved to it); the
 * e820 type needs the exact one.
 */
static const struct {
	const char *name;
	uint32_t type;
} e820_names[] = {
	{ "System RAM", E820_TYPE_RAM },
	{ "Reserved", E820_TYPE_RESERVED },
	{ "reserved", E820_TYPE_RESERVED },
	{ "ACPI Tables", E820_TYPE_ACPI },
	{ "ACPI Non-volatile Storage", E820_TYPE_NVS },
	{ "Unusable memory", E820_TYPE_UNUSABLE },
	{ "Persistent Memory (legacy)", E820_TYPE_PRAM },
	{ "Persistent Memory", E820_TYPE_PMEM },
	{ "Soft Reserved", E820_TYPE_SOFT_RESERVED },
};

static bool e820_type_of(const char *name, uint32_t *type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(e820_names); i++) {
		if (!strcmp(name, e820_names[i].name)) {
			*type = e820_names[i].type;
			return true;
		}
	}
	return false;
}

void kx_e820_free(struct kx_e820 *e820)
{
	if (!e820)
		return;
	free(e820->e);
	memset(e820, 0, sizeof(*e820));
}

static int e820_cmp(const void *a, const void *b)
{
	const struct kx_e820_entry *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return 0;
}

/*
 * The e820 entries of a memory map: from /sys/firmware/memmap every entry
 * (an unknown name is taken as reserved, which is what the kernel prints for
 * types it has no name for), from /proc/iomem only the top-level ranges that
 * carry an e820 name: PCI windows, APICs, HPET and option ROMs are resources,
 * not e820 ranges.
 */
static int e820_from_map(struct kexec_ctx *ctx, const struct kexec_memmap *map, bool iomem,
			 const char *source, struct kx_e820 *out)
{
	struct kx_e820 e = { 0 };
	size_t i;
	int r;

	for (i = 0; i < map->nr; i++) {
		const struct kexec_mem_range *m = &map->r[i];
		uint32_t type;

		if (iomem && m->depth != 0)
			continue;
		if (!e820_type_of(m->name, &type)) {
			if (iomem) {
				kx_dbg(ctx, "%s: %#llx-%#llx \"%s\" is not an e820 range", source,
				       (unsigned long long)m->start, (unsigned long long)m->end,
				       m->name);
				continue;
			}
			kx_warn(ctx,
				"%s: %#llx-%#llx has unknown type \"%s\": passing it as reserved",
				source, (unsigned long long)m->start, (unsigned long long)m->end,
				m->name);
			type = E820_TYPE_RESERVED;
		}
		/* [start, end] inclusive: all of the 64-bit space has no size. */
		if (m->start == 0 && m->end == UINT64_MAX) {
			kx_err(ctx, "%s: range %#llx-%#llx covers all of the 64-bit address space",
			       source, (unsigned long long)m->start, (unsigned long long)m->end);
			kx_e820_free(&e);
			return -ERANGE;
		}
		if (e.nr >= INT_MAX) {
			kx_err(ctx, "%s: more than %d ranges", source, INT_MAX);
			kx_e820_free(&e);
			return -E2BIG;
		}
		r = kx_grow((void **)&e.e, &e.cap, e.nr + 1, sizeof(*e.e));
		if (r < 0) {
			kx_err(ctx, "%s: out of memory", source);
			kx_e820_free(&e);
			return r;
		}
		e.e[e.nr].addr = m->start;
		e.e[e.nr].size = m->end - m->start + 1;
		e.e[e.nr].type = type;
		e.nr++;
	}
	if (!e.nr) {
		kx_err(ctx, "%s: no e820 ranges", source);
		kx_e820_free(&e);
		return -ENODATA;
	}
	/* Already in order from the memmap reader; /proc/iomem is the kernel's tree order. */
	qsort(e.e, e.nr, sizeof(*e.e), e820_cmp);
	kx_e820_free(out);
	*out = e;
	return (int)e.nr;
}

int kx_e820_from_system(struct kexec_ctx *ctx, struct kx_e820 *out)
{
	struct kexec_memmap map = { 0 };
	char source[4096];
	int r;

	if (!ctx || !out)
		return -EINVAL;
	r = kexec_read_firmware_memmap(ctx, &map);
	if (r > 0) {
		snprintf(source, sizeof(source), "%s/sys/firmware/memmap", ctx->root);
		r = e820_from_map(ctx, &map, false, source, out);
		kexec_memmap_free(&map);
		return r;
	}
	kexec_memmap_free(&map);
	if (r < 0 && r != -ENOENT)
		return r;
	/* No CONFIG_FIRMWARE_MEMMAP (or an empty one): the kernel's resource tree. */
	kx_dbg(ctx, "no firmware memmap: taking the e820 map from /proc/iomem");
	r = kexec_read_iomem(ctx, &map);
	if (r < 0)
		return r;
	snprintf(source, sizeof(source), "%s/proc/iomem", ctx->root);
	r = e820_from_map(ctx, &map, true, source, out);
	kexec_memmap_free(&map);
	return r;
}

/* ---- The running system ------------------------------------------------- */

static int read_boot_params(struct kexec_ctx *ctx, struct kx_x86_sysinfo *si)
{
	char path[4096];
	size_t len;
	int r;

	r = read_small(ctx, BOOT_PARAMS_PATH, si->boot_params, sizeof(si->boot_params), &len, path,
		       sizeof(path));
	if (r == -ENOENT) {
		/* Kernels before 4.8 or without sysfs: the next kernel starts from zeros. */
		kx_dbg(ctx, "%s does not exist: no hardware_subarch, screen_info, EDD or EFI state "
			    "from the running kernel", path);
		return 0;
	}
	if (r == -EACCES || r == -EPERM) {
		kx_warn(ctx, "cannot read %s: %s (it is readable by root only): no "
			     "hardware_subarch, screen_info, EDD or EFI state from the running "
			     "kernel",
			path, strerror(-r));
		return 0;
	}
	if (r == -EFBIG) {
		kx_err(ctx, "%s: larger than the %zu-byte zero page", path,
		       sizeof(si->boot_params));
		return -EINVAL;
	}
	if (r < 0) {
		kx_err(ctx, "cannot read %s: %s", path, strerror(-r));
		return r;
	}
	if (len != sizeof(si->boot_params)) {
		kx_err(ctx, "%s: %zu bytes, the zero page is %zu", path, len,
		       sizeof(si->boot_params));
		memset(si->boot_params, 0, sizeof(si->boot_params));
		return -EINVAL;
	}
	si->have_boot_params = true;
	kx_dbg(ctx, "%s: boot protocol %#x, hardware_subarch %u", path,
	       kx_le16(si->boot_params + HDR_VERSION),
	       kx_le32(si->boot_params + HDR_HARDWARE_SUBARCH));
	return 0;
}

/* An optional EFI attribute: absent is 0 (logged at debug), malformed is an error. */
static int read_efi_value(struct kexec_ctx *ctx, const char *name, uint64_t *val)
{
	char rel[128];
	int r;

	snprintf(rel, sizeof(rel), EFI_DIR "/%s", name);
	r = read_hex_file(ctx, rel, val);
	if (r == -ENOENT) {
		kx_dbg(ctx, "%s%s does not exist", ctx->root, rel);
		*val = 0;
		return 0;
	}
	return r;
}

/* The /sys/firmware/efi/systab keys the zero page needs. */
enum { SYSTAB_ACPI20, SYSTAB_ACPI, SYSTAB_SMBIOS, SYSTAB_SMBIOS3, SYSTAB_NR };

struct systab_value {
	uint64_t val;
	bool have;
};

/*
 * /sys/firmware/efi/systab: "KEY=0x..." lines (MPS, ACPI20, ACPI, SMBIOS3,
 * SMBIOS, and arch-specific ones), the config table addresses the running
 * kernel found. The first line for each key counts; unknown keys are skipped.
 */
static int read_systab(struct kexec_ctx *ctx, struct systab_value sv[SYSTAB_NR])
{
	static const char *const keys[SYSTAB_NR] = {
		[SYSTAB_ACPI20] = "ACPI20",
		[SYSTAB_ACPI] = "ACPI",
		[SYSTAB_SMBIOS] = "SMBIOS",
		[SYSTAB_SMBIOS3] = "SMBIOS3",
	};
	char buf[4096], path[4096];
	size_t len, pos = 0, lineno = 0;
	int r;

	memset(sv, 0, SYSTAB_NR * sizeof(*sv));
	r = read_small(ctx, EFI_DIR "/systab", buf, sizeof(buf), &len, path, sizeof(path));
	if (r == -ENOENT) {
		kx_dbg(ctx, "%s does not exist", path);
		return 0;
	}
	if (r == -EACCES || r == -EPERM) {
		kx_warn(ctx, "cannot read %s: %s (it is readable by root only): no SMBIOS or "
			     "ACPI address from it", path, strerror(-r));
		return 0;
	}
	if (r == -EFBIG) {
		kx_err(ctx, "%s: larger than a sysfs page", path);
		return -EINVAL;
	}
	if (r < 0) {
		kx_err(ctx, "cannot read %s: %s", path, strerror(-r));
		return r;
	}
	if (memchr(buf, '\0', len)) {
		kx_err(ctx, "%s: contains a NUL byte", path);
		return -EINVAL;
	}

	while (pos < len) {
		const char *line = buf + pos, *eq, *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos, key_len;
		int k;

		pos += line_len + (nl ? 1 : 0);
		lineno++;
		line_len = trim_end(line, line_len);
		eq = memchr(line, '=', line_len);
		if (!eq)
			continue;
		key_len = (size_t)(eq - line);
		for (k = 0; k < SYSTAB_NR; k++) {
			if (strlen(keys[k]) == key_len && !memcmp(line, keys[k], key_len))
				break;
		}
		if (k == SYSTAB_NR || sv[k].have)
			continue;
		if (!kx_parse_hex(eq + 1, line_len - key_len - 1, true, &sv[k].val)) {
			kx_err(ctx, "%s: line %zu: %s= is not a 64-bit hex address", path, lineno,
			       keys[k]);
			return -EINVAL;
		}
		sv[k].have = true;
	}
	return 0;
}

/* A runtime-map directory name: a decimal number without leading zeros. */
static int read_runtime_desc(struct kexec_ctx *ctx, uint64_t index, uint8_t *desc)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "type", 0 }, { "phys_addr", 8 }, { "virt_addr", 16 },
		{ "num_pages", 24 }, { "attribute", 32 },
	};
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		char rel[256];
		uint64_t v;

		snprintf(rel, sizeof(rel), EFI_RUNTIME_MAP_DIR "/%" PRIu64 "/%s", index, fields[i].name);
		r = read_hex_file(ctx, rel, &v);
		if (r == -ENOENT) {
			kx_err(ctx, "%s%s does not exist", ctx->root, rel);
			return -EINVAL;
		}
		if (r < 0)
			return r;
		if (fields[i].off == 0) {
			if (v > UINT32_MAX) {
				kx_err(ctx, "%s%s: %#llx does not fit the descriptor's 32-bit type",
				       ctx->root, rel, (unsigned long long)v);
				return -EINVAL;
			}
			kx_put_le32(desc + 0, (uint32_t)v);
		} else {
			kx_put_le64(desc + fields[i].off, v);
		}
	}
	return 0;
}

/*
 * /sys/firmware/efi/runtime-map/N/{type,phys_addr,virt_addr,num_pages,attribute}
 * as an efi_memory_desc_t array, in N's order (the kernel's memmap order),
 * each descriptor zero-padded to desc_size.
 */
static int read_runtime_map(struct kexec_ctx *ctx, struct kx_x86_sysinfo *si)
{
	uint64_t *idx;
	size_t nr, i;
	uint8_t *map;
	int r;

	r = kx_list_numbered(ctx, EFI_RUNTIME_MAP_DIR, EFI_RUNTIME_MAP_MAX, &idx, &nr);
	if (r == -ENOENT)
		return 0; /* CONFIG_EFI_RUNTIME_MAP=n, or efi=noruntime. */
	if (r < 0)
		return r;
	if (!nr) {
		kx_dbg(ctx, "%s%s is empty", ctx->root, EFI_RUNTIME_MAP_DIR);
		return 0;
	}
	/* Both bounded: at most 4096 * 4096 bytes. */
	map = calloc(nr, si->efi_desc_size);
	if (!map) {
		kx_err(ctx, "%s%s: out of memory", ctx->root, EFI_RUNTIME_MAP_DIR);
		free(idx);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		r = read_runtime_desc(ctx, idx[i], map + i * si->efi_desc_size);
		if (r < 0) {
			free(map);
			free(idx);
			return r;
		}
	}
	free(idx);
	si->efi_runtime_map = map;
	si->efi_runtime_map_size = nr * si->efi_desc_size;
	kx_dbg(ctx, "%s%s: %zu descriptors of %u bytes", ctx->root, EFI_RUNTIME_MAP_DIR, nr,
	       si->efi_desc_size);
	return 0;
}

static int read_efi(struct kexec_ctx *ctx, struct kx_x86_sysinfo *si)
{
	struct systab_value sv[SYSTAB_NR];
	uint32_t desc_size = 0;
	int r;

	r = read_efi_value(ctx, "fw_vendor", &si->efi_fw_vendor);
	if (r < 0)
		return r;
	r = read_efi_value(ctx, "runtime", &si->efi_runtime);
	if (r < 0)
		return r;
	r = read_efi_value(ctx, "config_table", &si->efi_config_table);
	if (r < 0)
		return r;
	r = read_systab(ctx, sv);
	if (r < 0)
		return r;
	/*
	 * efi_setup_data.smbios is what the next kernel puts back into the
	 * SMBIOS_TABLE_GUID entry of the config tables (efi_reuse_config()), so
	 * the 32-bit entry point comes first.
	 */
	if (sv[SYSTAB_SMBIOS].have)
		si->efi_smbios = sv[SYSTAB_SMBIOS].val;
	else if (sv[SYSTAB_SMBIOS3].have)
		si->efi_smbios = sv[SYSTAB_SMBIOS3].val;

	if (si->have_boot_params)
		desc_size = kx_le32(si->boot_params + BP_EFI_INFO + EI_MEMDESC_SIZE);
	if (!desc_size)
		desc_size = EFI_MEMDESC_DEFAULT;
	if (desc_size < EFI_MEMDESC_MIN || desc_size > EFI_MEMDESC_MAX) {
		kx_err(ctx, "%s%s: efi_memdesc_size %u is not an EFI memory descriptor size "
			    "(%d to %d bytes)", ctx->root, BOOT_PARAMS_PATH, desc_size,
		       EFI_MEMDESC_MIN, EFI_MEMDESC_MAX);
		return -EINVAL;
	}
	si->efi_desc_size = desc_size;
	r = read_runtime_map(ctx, si);
	if (r < 0)
		return r;

	if (!si->acpi_rsdp) {
		if (sv[SYSTAB_ACPI20].have)
			si->acpi_rsdp = sv[SYSTAB_ACPI20].val;
		else if (sv[SYSTAB_ACPI].have)
			si->acpi_rsdp = sv[SYSTAB_ACPI].val;
	}
	return 0;
}

void kx_x86_sysinfo_free(struct kx_x86_sysinfo *si)
{
	if (!si)
		return;
	free(si->efi_runtime_map);
	kx_e820_free(&si->e820);
	memset(si, 0, sizeof(*si));
}

int kx_x86_sysinfo_read(struct kexec_ctx *ctx, struct kx_x86_sysinfo *si)
{
	char path[4096];
	struct stat st;
	int r;

	if (!ctx || !si)
		return -EINVAL;
	memset(si, 0, sizeof(*si));
	r = read_boot_params(ctx, si);
	if (r < 0)
		goto fail;
	/* Set by the decompressor (or the boot loader); 0 on old kernels. */
	if (si->have_boot_params)
		si->acpi_rsdp = kx_le64(si->boot_params + BP_ACPI_RSDP_ADDR);

	r = kx_e820_from_system(ctx, &si->e820);
	if (r < 0)
		goto fail;

	r = kx_path(ctx, EFI_DIR, path, sizeof(path));
	if (r < 0)
		goto fail;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		si->efi = true;
		r = read_efi(ctx, si);
		if (r < 0)
			goto fail;
	} else {
		kx_dbg(ctx, "%s does not exist: not booted through EFI", path);
	}
	kx_dbg(ctx, "running system: %zu e820 entries, %s, ACPI RSDP %#llx", si->e820.nr,
	       si->efi ? "EFI" : "BIOS", (unsigned long long)si->acpi_rsdp);
	return 0;

fail:
	kx_x86_sysinfo_free(si);
	return r;
}

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

/* getrandom() without blocking: a pool that is not ready yet gives no seed. */
static bool random_seed(uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, GRND_NONBLOCK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		got += (size_t)n;
	}
	return true;
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
		if (random_seed(b + bl->off_rng + SETUP_DATA_HDR, RNG_SEED_LENGTH)) {
			kx_put_le32(b + bl->off_rng + 8, SETUP_RNG_SEED);
			kx_put_le32(b + bl->off_rng + 12, RNG_SEED_LENGTH);
		} else {
			/* The space stays (the size must not change), unlinked: kexec_file too. */
			kx_warn(ctx, "no RNG seed for the next kernel: getrandom: %s",
				strerror(errno));
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
