/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated kernel's kexec_load checks, written from the kernel's
 * sources (kernel/kexec.c and kernel/kexec_core.c, Linux 6.1 to 7.3) and
 * never from the planner's: lib/validate.c says what the planner predicts,
 * this file what the simulated kernel does, and tests/unit/test-differential.c
 * runs both over the same requests, so that a mistake in either shows as a
 * disagreement instead of being agreed with.
 */
#include <errno.h>
#include <string.h>

#include "sim-checks.h"

/* include/linux/kexec.h */
#define SIM_KEXEC_SEGMENT_MAX 16

/*
 * KEXEC_FLAGS of the simulated release (include/linux/kexec.h): 6.6 added
 * KEXEC_UPDATE_ELFCOREHDR, 6.10 KEXEC_CRASH_HOTPLUG_SUPPORT; KEXEC_DEBUG is
 * in no release up to 7.3 (lib/libkexec-internal.h, KX_KEXEC_DEBUG_*).
 */
static unsigned long kexec_flags(const struct kexec_sim_config *c)
{
	unsigned long f = KEXEC_ON_CRASH;

	if (c->limits.kexec_jump)
		f |= KEXEC_PRESERVE_CONTEXT;
	if (kx_sim_release_at_least(c, 6, 6))
		f |= KEXEC_UPDATE_ELFCOREHDR;
	if (kx_sim_release_at_least(c, 6, 10))
		f |= KEXEC_CRASH_HOTPLUG_SUPPORT;
	if ((c->kernel_major || c->kernel_minor) &&
	    kx_sim_release_at_least(c, KX_KEXEC_DEBUG_MAJOR, KX_KEXEC_DEBUG_MINOR))
		f |= KEXEC_DEBUG;
	return f;
}

bool kx_sim_release_at_least(const struct kexec_sim_config *c, unsigned major, unsigned minor)
{
	if (!c->kernel_major && !c->kernel_minor)
		return true;
	return c->kernel_major > major || (c->kernel_major == major && c->kernel_minor >= minor);
}

/*
 * kexec_load_check() after the permission and lockdown checks, then the
 * syscall's own architecture check:
 *
 *	if ((flags & KEXEC_FLAGS) != (flags & ~KEXEC_ARCH_MASK))
 *		return -EINVAL;
 *	if (nr_segments > KEXEC_SEGMENT_MAX)
 *		return -EINVAL;
 *	...
 *	if (((flags & KEXEC_ARCH_MASK) != KEXEC_ARCH) &&
 *	    ((flags & KEXEC_ARCH_MASK) != KEXEC_ARCH_DEFAULT))
 *		return -EINVAL;
 */
int kx_sim_check_flags(const struct kexec_sim_config *c, unsigned long nr, unsigned long flags)
{
	unsigned long arch = flags & KEXEC_ARCH_MASK;

	if ((flags & kexec_flags(c)) != (flags & ~(unsigned long)KEXEC_ARCH_MASK))
		return -EINVAL;
	if (nr > SIM_KEXEC_SEGMENT_MAX)
		return -EINVAL;
	if (arch != c->limits.native_arch && arch != KEXEC_ARCH_DEFAULT)
		return -EINVAL;
	return 0;
}

/*
 * kimage_alloc_init()'s entry check for a crash image, then
 * sanity_check_segment_list(), loop by loop. Without a crashkernel=
 * reservation the kernel's crashk_res is [0, 0], and its checks run
 * against that.
 */
int kx_sim_check_segments(const struct kexec_sim_config *c, unsigned long entry, unsigned long nr,
			  const struct kexec_segment *seg, unsigned long flags)
{
	const struct kexec_limits *l = &c->limits;
	uint64_t crash_start = l->has_crash_region ? l->crash_start : 0;
	uint64_t crash_end = l->has_crash_region ? l->crash_end : 0;
	uint64_t page = l->page_size ? l->page_size : 4096;
	uint64_t nr_pages = l->totalram_pages, total_pages = 0;
	unsigned long i, j;

	if (flags & KEXEC_ON_CRASH) {
		/* Verify we have a valid entry point */
		if (entry < crash_start || entry > crash_end)
			return -EADDRNOTAVAIL;
	}
	/* Verify we have good destination addresses. */
	for (i = 0; i < nr; i++) {
		uint64_t mstart = (uintptr_t)seg[i].mem;
		uint64_t mend = mstart + seg[i].memsz;

		if (mstart > mend)
			return -EADDRNOTAVAIL;
		if (mstart % page || mend % page)
			return -EADDRNOTAVAIL;
		if (mend >= l->dest_limit)
			return -EADDRNOTAVAIL;
	}
	/* Verify our destination addresses do not overlap. */
	for (i = 0; i < nr; i++) {
		uint64_t mstart = (uintptr_t)seg[i].mem, mend = mstart + seg[i].memsz;

		for (j = 0; j < i; j++) {
			uint64_t pstart = (uintptr_t)seg[j].mem, pend = pstart + seg[j].memsz;

			if (mend > pstart && mstart < pend)
				return -EINVAL;
		}
	}
	/* Ensure our buffer sizes are strictly less than our memory sizes. */
	for (i = 0; i < nr; i++)
		if (seg[i].bufsz > seg[i].memsz)
			return -EINVAL;
	/* Verify that no more than half of memory will be consumed (0: unknown, not checked). */
	for (i = 0; nr_pages && i < nr; i++) {
		uint64_t pages = seg[i].memsz / page + (seg[i].memsz % page != 0);

		if (pages > nr_pages / 2)
			return -EINVAL;
		total_pages += pages;
	}
	if (nr_pages && total_pages > nr_pages / 2)
		return -EINVAL;
	/* A crash image's segments must lie in the reservation. */
	if (flags & KEXEC_ON_CRASH) {
		for (i = 0; i < nr; i++) {
			uint64_t mstart = (uintptr_t)seg[i].mem;
			uint64_t mend = mstart + seg[i].memsz - 1;

			if (mstart < crash_start || mend > crash_end)
				return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/* ---- kexec_file_load: each architecture's loaders, as the kernel probes them ---- */

/*
 * arch/x86/kernel/kexec-bzimage64.c, bzImage64_probe(): at least two
 * sectors, "HdrS", the boot sector's 0xAA55, protocol 2.12+, LOADED_HIGH,
 * XLF_KERNEL_64 and XLF_CAN_BE_LOADED_ABOVE_4G (the EFI-32 and 5-level
 * paging refusals are not modelled: the simulated machine has neither).
 */
static int x86_bzimage64_probe(const uint8_t *b, size_t len)
{
	if (len < 2 * 512)
		return -ENOEXEC;
	if (memcmp(b + 0x202, "HdrS", 4) || kx_le16(b + 0x1fe) != 0xAA55)
		return -ENOEXEC;
	if (kx_le16(b + 0x206) < 0x020C || !(b[0x211] & 0x01))
		return -ENOEXEC;
	if ((kx_le16(b + 0x236) & 0x3) != 0x3)
		return -ENOEXEC;
	return 0;
}

/*
 * bzImage64_load()'s checks before it places anything: the setup sectors
 * (0 means 4) and one more must be in the file, and the command line
 * (cmdline_len counts its NUL) must leave room for " elfcorehdr=<addr>"
 * (MAX_ELFCOREHDR_STR_LEN, 30) within cmdline_size. The kernel's memory:
 * init_size.
 */
static int x86_bzimage64_load(const uint8_t *b, size_t len, unsigned long cmdline_len,
			      uint64_t *need)
{
	unsigned setup_sects = b[0x1f1] ? b[0x1f1] : 4;
	uint32_t cmdline_size = kx_le32(b + 0x238);

	if (len < (size_t)(setup_sects + 1) * 512)
		return -ENOEXEC;
	if (cmdline_len > cmdline_size || cmdline_len + 30 > cmdline_size)
		return -EINVAL;
	*need = kx_le32(b + 0x260);
	return 0;
}

/* arch/arm64/kernel/kexec_image.c, image_probe(): a whole header, "ARM\x64" at 0x38. */
static int arm64_image_probe(const uint8_t *b, size_t len)
{
	if (len < 64 || memcmp(b + 0x38, "ARM\x64", 4))
		return -EINVAL;
	return 0;
}

/*
 * image_load(): image_size must be set (v3.17+ headers), and the image's
 * endianness (flags bit 0) the kernel's, little-endian here; the page size
 * field (bits 1-2) names a granule the simulated CPU has (all of them).
 */
static int arm64_image_load(const uint8_t *b, size_t len, unsigned long cmdline_len,
			    uint64_t *need)
{
	(void)len, (void)cmdline_len;
	if (!kx_le64(b + 0x10) || (kx_le64(b + 0x18) & 1))
		return -EINVAL;
	*need = kx_le64(b + 0x10);
	return 0;
}

/* A field of the file's own byte order (EI_DATA), as kernel/kexec_elf.c's elf16/32/64_to_cpu. */
static uint64_t efield(const uint8_t *p, size_t n, bool msb)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[msb ? n - 1 - i : i] << (8 * i);
	return v;
}

/*
 * kernel/kexec_elf.c, kexec_elf_probe(): elf_read_ehdr() (the magic, 64-bit
 * class and a known byte order, else ENOEXEC; header entry sizes and the
 * version, else EINVAL; program and section header tables inside the file,
 * elf_is_ehdr_sane(), else ENOEXEC), build_elf_exec_info() (ET_EXEC, some
 * program headers, none of them PT_INTERP) and elf_check_arch() (e_machine).
 */
static int elf64_probe(const uint8_t *b, size_t len, uint16_t em)
{
	bool msb;
	uint64_t phoff, shoff, phnum, shnum;

	if (len < 64 || memcmp(b, "\177ELF", 4) || b[4] != 2 || (b[5] != 1 && b[5] != 2))
		return -ENOEXEC;
	msb = b[5] == 2;
	phnum = efield(b + 56, 2, msb);
	shnum = efield(b + 60, 2, msb);
	if ((phnum && efield(b + 54, 2, msb) != 56) || (shnum && efield(b + 58, 2, msb) != 64))
		return -EINVAL;
	if (b[6] != 1 || efield(b + 20, 4, msb) != 1)
		return -EINVAL;
	phoff = efield(b + 32, 8, msb);
	shoff = efield(b + 40, 8, msb);
	if ((phnum && (phoff > len || (len - phoff) / 56 < phnum)) ||
	    (shnum && (shoff > len || (len - shoff) / 64 < shnum)))
		return -ENOEXEC;
	if (efield(b + 16, 2, msb) != 2 || !phnum)
		return -ENOEXEC;
	for (uint64_t i = 0; i < phnum; i++)
		if (efield(b + phoff + i * 56, 4, msb) == 3)
			return -ENOEXEC;
	return efield(b + 18, 2, msb) == em ? 0 : -ENOEXEC;
}

static int riscv_elf_probe(const uint8_t *b, size_t len)
{
	return elf64_probe(b, len, 243);
}

/*
 * arch/riscv/kernel/kexec_image.c, image_probe(): a whole header; from
 * header version 0.2 on, "RSC\x05" (magic2) at 0x38. Older versions are
 * taken as they are.
 */
static int riscv_image_probe(const uint8_t *b, size_t len)
{
	if (len < 64)
		return -EINVAL;
	if (kx_le32(b + 0x20) >= 2 && memcmp(b + 0x38, "RSC\x05", 4))
		return -EINVAL;
	return 0;
}

static int riscv_image_load(const uint8_t *b, size_t len, unsigned long cmdline_len,
			    uint64_t *need)
{
	(void)cmdline_len;
	*need = kx_le64(b + 0x10) ? kx_le64(b + 0x10) : len;
	return 0;
}

/* The ELF loaders: what they place is the file's loadable part; the file size stands in. */
static int whole_file(const uint8_t *b, size_t len, unsigned long cmdline_len, uint64_t *need)
{
	(void)b, (void)cmdline_len;
	*need = len;
	return 0;
}

static int ppc64_elf_probe(const uint8_t *b, size_t len)
{
	return elf64_probe(b, len, 21);
}

/*
 * arch/s390/kernel/kexec_image.c, s390_image_probe(): "Can't reliable tell
 * if an image is valid. Therefore give the user whatever he wants." The
 * image loader is tried first, so it takes every file.
 */
static int s390_image_probe(const uint8_t *b, size_t len)
{
	(void)b, (void)len;
	return 0;
}

struct sim_loader {
	int (*probe)(const uint8_t *b, size_t len);
	int (*load)(const uint8_t *b, size_t len, unsigned long cmdline_len, uint64_t *need);
};

/* arch_kexec_kernel_image_probe()'s kexec_file_loaders[], in order, per architecture. */
static const struct {
	unsigned long arch;
	struct sim_loader loaders[2];
} sim_file_archs[] = {
	{ KEXEC_ARCH_X86_64, { { x86_bzimage64_probe, x86_bzimage64_load } } },
	{ KEXEC_ARCH_AARCH64, { { arm64_image_probe, arm64_image_load } } },
	{ KEXEC_ARCH_RISCV, { { riscv_elf_probe, whole_file }, { riscv_image_probe, riscv_image_load } } },
	{ KEXEC_ARCH_PPC64, { { ppc64_elf_probe, whole_file } } },
	{ KEXEC_ARCH_S390, { { s390_image_probe, whole_file } } },
};

int kx_sim_file_probe(const struct kexec_sim_config *c, const uint8_t *k, size_t len,
		      const struct sim_loader **loader)
{
	for (size_t i = 0; i < ARRAY_SIZE(sim_file_archs); i++) {
		int r = -ENOEXEC;

		if (sim_file_archs[i].arch != c->limits.native_arch)
			continue;
		/* kexec_image_probe_default(): the first loader that takes it, else the last one's errno. */
		for (size_t j = 0; j < 2 && sim_file_archs[i].loaders[j].probe; j++) {
			r = sim_file_archs[i].loaders[j].probe(k, len);
			if (r == 0) {
				*loader = &sim_file_archs[i].loaders[j];
				return 0;
			}
		}
		return r;
	}
	/* No loaders: kexec_image_probe_default() finds none. */
	return -ENOEXEC;
}

int kx_sim_file_checks(const struct sim_loader *loader, const uint8_t *k, size_t len,
		       unsigned long cmdline_len, uint64_t *need)
{
	return loader->load(k, len, cmdline_len, need);
}
