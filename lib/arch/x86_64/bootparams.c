/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 zero page (struct boot_params) for kexec_load: what it is made of,
 * read from the running system (struct kx_x86_sysinfo, the e820 map);
 * zeropage.c builds the page from it.
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
#include "zero-page.h"

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
