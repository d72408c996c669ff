/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the kdump ELF core header ("elfcorehdr", the program headers the
 * crash kernel turns into /proc/vmcore) is made of, read from the machine
 * into struct kx_crash_info; lib/crash-header.c builds the header from it.
 *
 * Inputs, all below the context's root:
 *   /sys/devices/system/cpu/possible            "0-3,8"
 *   /sys/devices/system/cpu/cpuN/crash_notes     "%llx" physical address (no 0x)
 *   /sys/devices/system/cpu/cpuN/crash_notes_size "%zu"
 *   /sys/kernel/vmcoreinfo                      "%pa %x": "0x0000000001346000 1024"
 *                                                (both hex; older kernels print
 *                                                the address without 0x)
 *   /proc/iomem                                 System RAM, Crash kernel, Kernel code
 *   /proc/kcore                                 only its ELF and program headers
 *
 * Every file is treated as hostile: numbers are range-checked, sizes bounded,
 * and a malformed file is an -EINVAL naming it, never a silent wrap-around.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "crash.h"
#include "dtb.h"

#define CPU_DIR "/sys/devices/system/cpu"
#define CPU_POSSIBLE_PATH CPU_DIR "/possible"
#define VMCOREINFO_PATH "/sys/kernel/vmcoreinfo"
#define KCORE_PATH "/proc/kcore"
#define IOMEM_PATH "/proc/iomem"

/*
 * CPU numbers are refused from this one on. The kernel's NR_CPUS tops out at
 * 8192; an ELF header cannot hold more than 65534 program headers anyway, and
 * the bound keeps a hostile "0-99999999" from costing a hundred million
 * open() calls.
 */
#define MAX_CPUS 65536U
/* A sysfs attribute is at most one page; allow for 64 KiB pages. */
#define SYSFS_MAX 65536U
/* note_buf_t is a few hundred bytes, the vmcoreinfo note 4 KiB + headers. */
#define NOTE_MAX (1U << 20)

#define SZ_1M 0x100000ULL
#define NO_PADDR UINT64_MAX /* kcore's p_paddr for what is not RAM or text */

/* KERNEL_IMAGE_SIZE with KASLR; the module area starts right above. */
/* kexec-tools aligns the kernel text mapping down to 1 MiB (X86_64_KERN_VADDR_ALIGN). */
#define KERN_VADDR_ALIGN SZ_1M
/* No kernel image is larger than this (x86_64's KERNEL_IMAGE_SIZE with KASLR). */
#define KERN_TEXT_MAX 0x40000000ULL

/* ---- Small files ------------------------------------------------------- */

/* A sysfs attribute below the root (kx_read_rel), trailing white space removed. */
static int read_small(struct kexec_ctx *ctx, const char *rel, char *path, size_t path_len,
		      char **out, size_t *lenp)
{
	return kx_read_rel(ctx, rel, SYSFS_MAX, true, path, path_len, out, lenp);
}

/* The message for a read_small() error that is not "the file is missing". */
static int read_error(struct kexec_ctx *ctx, const char *path, int r)
{
	if (r == -EFBIG) {
		kx_err(ctx, "%s: larger than %u bytes: not a sysfs attribute", path, SYSFS_MAX);
		return -EINVAL;
	}
	if (r == -EILSEQ) {
		kx_err(ctx, "%s: contains a NUL byte", path);
		return -EINVAL;
	}
	if (r == -ENAMETOOLONG) {
		kx_err(ctx, "%s: path below root %s is too long", path, kexec_ctx_get_root(ctx));
		return r;
	}
	kx_err(ctx, "cannot read %s: %s%s", path, strerror(-r),
	       r == -EACCES || r == -EPERM ? " (run as root)" : "");
	return r;
}

/* ---- Numbers ----------------------------------------------------------- */

/* ---- CPU notes --------------------------------------------------------- */

/*
 * The kernel's cpulist format ("%*pbl"): comma-separated numbers and
 * inclusive ranges, "0-3,8". Sets one bit per CPU in map (MAX_CPUS bits).
 */
static int parse_cpu_list(struct kexec_ctx *ctx, const char *path, const char *s, size_t len,
			  uint8_t *map, size_t *count)
{
	char shown[48];
	size_t pos = 0;

	*count = 0;
	if (!len) {
		kx_err(ctx, "%s: is empty: no possible CPUs", path);
		return -EINVAL;
	}
	while (pos <= len) {
		const char *tok = s + pos;
		const char *comma = memchr(tok, ',', len - pos);
		size_t tok_len = comma ? (size_t)(comma - tok) : len - pos;
		const char *dash = memchr(tok, '-', tok_len);
		uint64_t lo, hi, cpu;

		if (dash) {
			if (!kx_parse_dec(tok, (size_t)(dash - tok), &lo) ||
			    !kx_parse_dec(dash + 1, tok_len - (size_t)(dash - tok) - 1, &hi)) {
				kx_err(ctx, "%s: \"%s\" is not a CPU range (expected a list like "
					    "\"0-3,8\")", path,
				       kx_printable(tok, tok_len, shown, sizeof(shown)));
				return -EINVAL;
			}
		} else if (!kx_parse_dec(tok, tok_len, &lo)) {
			kx_err(ctx, "%s: \"%s\" is not a CPU number (expected a list like "
				    "\"0-3,8\")", path, kx_printable(tok, tok_len, shown, sizeof(shown)));
			return -EINVAL;
		} else {
			hi = lo;
		}
		if (lo > hi) {
			kx_err(ctx, "%s: CPU range %" PRIu64 "-%" PRIu64 " is reversed", path, lo, hi);
			return -EINVAL;
		}
		if (hi >= MAX_CPUS) {
			kx_err(ctx, "%s: CPU %" PRIu64 " is beyond the largest supported CPU number %u",
			       path, hi, MAX_CPUS - 1);
			return -EINVAL;
		}
		for (cpu = lo; cpu <= hi; cpu++) {
			if (!(map[cpu / 8] & (1U << (cpu % 8)))) {
				map[cpu / 8] |= (uint8_t)(1U << (cpu % 8));
				(*count)++;
			}
		}
		if (!comma)
			break;
		pos += tok_len + 1;
	}
	return 0;
}

/* 0 with *present false when the CPU has no crash notes (offline, not present). */
static int read_cpu_note(struct kexec_ctx *ctx, unsigned cpu, struct kx_crash_note *note,
			 bool *present)
{
	char shown[48];
	char rel[128], path[4096], spath[4096];
	char *addr_s = NULL, *size_s = NULL;
	size_t alen, slen;
	uint64_t addr, size;
	int r;

	*present = false;
	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/crash_notes", cpu);
	r = read_small(ctx, rel, path, sizeof(path), &addr_s, &alen);
	if (r == -ENOENT || r == -ENOTDIR) {
		kx_dbg(ctx, "%s does not exist: CPU %u has no crash notes", path, cpu);
		return 0;
	}
	if (r < 0)
		return read_error(ctx, path, r);

	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/crash_notes_size", cpu);
	r = read_small(ctx, rel, spath, sizeof(spath), &size_s, &slen);
	if (r == -ENOENT || r == -ENOTDIR) {
		kx_warn(ctx, "%s does not exist although %s does: leaving CPU %u out of the "
			     "core header", spath, path, cpu);
		free(addr_s);
		return 0;
	}
	if (r < 0) {
		free(addr_s);
		return read_error(ctx, spath, r);
	}

	r = -EINVAL;
	if (!kx_parse_hex(addr_s, alen, true, &addr)) {
		kx_err(ctx, "%s: \"%s\" is not a hexadecimal physical address", path,
		       kx_printable(addr_s, alen, shown, sizeof(shown)));
		goto out;
	}
	if (!kx_parse_dec(size_s, slen, &size)) {
		kx_err(ctx, "%s: \"%s\" is not a decimal size", spath,
		       kx_printable(size_s, slen, shown, sizeof(shown)));
		goto out;
	}
	if (size == 0 || size > NOTE_MAX) {
		kx_err(ctx, "%s: note size %" PRIu64 " is outside 1..%u bytes", spath, size,
		       NOTE_MAX);
		goto out;
	}
	if (addr > UINT64_MAX - size) {
		kx_err(ctx, "%s: note at %#" PRIx64 " of %" PRIu64 " bytes wraps around the "
			    "address space", path, addr, size);
		goto out;
	}
	note->addr = addr;
	note->size = size;
	*present = true;
	r = 0;
out:
	free(addr_s);
	free(size_s);
	return r;
}

static int read_cpu_notes(struct kexec_ctx *ctx, struct kx_crash_info *ci)
{
	char path[4096];
	uint8_t *map = NULL;
	size_t len, count, cap = 0;
	char *list = NULL;
	unsigned cpu;
	int r;

	r = read_small(ctx, CPU_POSSIBLE_PATH, path, sizeof(path), &list, &len);
	if (r < 0)
		return read_error(ctx, path, r);
	map = calloc(MAX_CPUS / 8, 1);
	if (!map) {
		r = -ENOMEM;
		goto out;
	}
	r = parse_cpu_list(ctx, path, list, len, map, &count);
	if (r < 0)
		goto out;

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct kx_crash_note note;
		bool present;

		if (!(map[cpu / 8] & (1U << (cpu % 8))))
			continue;
		r = read_cpu_note(ctx, cpu, &note, &present);
		if (r < 0)
			goto out;
		if (!present)
			continue;
		r = kx_grow((void **)&ci->cpu_notes, &cap, ci->nr_cpu_notes + 1,
			    sizeof(*ci->cpu_notes));
		if (r < 0) {
			kx_err(ctx, "out of memory reading the crash notes of CPU %u", cpu);
			goto out;
		}
		ci->cpu_notes[ci->nr_cpu_notes++] = note;
	}
	if (!ci->nr_cpu_notes) {
		kx_err(ctx, "none of the %zu possible CPUs in %s has %s%s/cpuN/crash_notes: the "
			    "kernel keeps no crash notes (CONFIG_CRASH_DUMP off?)", count, path,
		       ctx->root, CPU_DIR);
		r = -ENOENT;
		goto out;
	}
	kx_dbg(ctx, "crash notes for %zu of %zu possible CPUs", ci->nr_cpu_notes, count);
	r = 0;
out:
	free(list);
	free(map);
	return r;
}

/* ---- vmcoreinfo -------------------------------------------------------- */

static int read_vmcoreinfo(struct kexec_ctx *ctx, struct kx_crash_info *ci)
{
	char shown[48];
	char path[4096];
	const char *sp;
	uint64_t addr, size;
	size_t len, alen;
	char *s;
	int r;

	r = read_small(ctx, VMCOREINFO_PATH, path, sizeof(path), &s, &len);
	if (r == -ENOENT) {
		kx_warn(ctx, "%s does not exist: the core header gets no VMCOREINFO note, so "
			     "makedumpfile and crash will need the vmlinux to read the dump", path);
		ci->vmcoreinfo.addr = ci->vmcoreinfo.size = 0;
		return 0;
	}
	if (r < 0)
		return read_error(ctx, path, r);

	r = -EINVAL;
	sp = memchr(s, ' ', len);
	if (!sp) {
		kx_err(ctx, "%s: \"%s\" is not \"<address> <size>\"", path,
		       kx_printable(s, len, shown, sizeof(shown)));
		goto out;
	}
	alen = (size_t)(sp - s);
	while ((size_t)(sp - s) < len && *sp == ' ')
		sp++;
	if (!kx_parse_hex(s, alen, true, &addr)) {
		kx_err(ctx, "%s: \"%s\" is not a hexadecimal physical address", path,
		       kx_printable(s, alen, shown, sizeof(shown)));
		goto out;
	}
	if (!kx_parse_hex(sp, len - (size_t)(sp - s), true, &size)) {
		kx_err(ctx, "%s: \"%s\" is not a hexadecimal size", path,
		       kx_printable(sp, len - (size_t)(sp - s), shown, sizeof(shown)));
		goto out;
	}
	if (size == 0 || size > NOTE_MAX) {
		kx_err(ctx, "%s: VMCOREINFO size %#" PRIx64 " is outside 1..%#x bytes", path, size,
		       NOTE_MAX);
		goto out;
	}
	if (addr > UINT64_MAX - size) {
		kx_err(ctx, "%s: VMCOREINFO at %#" PRIx64 " of %#" PRIx64 " bytes wraps around "
			    "the address space", path, addr, size);
		goto out;
	}
	ci->vmcoreinfo.addr = addr;
	ci->vmcoreinfo.size = size;
	kx_dbg(ctx, "VMCOREINFO note at %#" PRIx64 ", %" PRIu64 " bytes", addr, size);
	r = 0;
out:
	free(s);
	return r;
}

/* ---- RAM --------------------------------------------------------------- */

static int range_cmp(const void *a, const void *b)
{
	const struct kx_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

static bool is_top_ram(const struct kexec_mem_range *r)
{
	return r->type == LIBKEXEC_MEM_RAM && r->depth == 0;
}

/* Whether [start, start + size) lies inside one top-level System RAM range. */
static bool in_system_ram(const struct kexec_memmap *m, uint64_t start, uint64_t size)
{
	size_t i;

	if (!size || start > UINT64_MAX - (size - 1))
		return false;
	for (i = 0; i < m->nr; i++) {
		if (is_top_ram(&m->r[i]) && start >= m->r[i].start &&
		    start + (size - 1) <= m->r[i].end)
			return true;
	}
	return false;
}

/* A growing list of ranges. */
struct ranges {
	struct kx_range *r;
	size_t nr, cap;
};

static int push_range(struct ranges *l, uint64_t start, uint64_t end)
{
	int r = kx_grow((void **)&l->r, &l->cap, l->nr + 1, sizeof(*l->r));

	if (r < 0)
		return r;
	l->r[l->nr].start = start;
	l->r[l->nr].end = end;
	l->nr++;
	return 0;
}

/*
 * The device tree's reservations (/memreserve/, /reserved-memory), left out
 * of the dump where the policy says they are firmware's: on riscv64
 * OpenSBI's memory, which its PMP hides from S-mode, so that reading it
 * through /proc/vmcore fails with EFAULT. No tree: nothing to leave out.
 */
static int exclude_dtb_reserved(struct kexec_ctx *ctx, struct ranges *ex)
{
	struct kx_range *res = NULL;
	size_t nr = 0;
	void *blob = NULL;
	size_t len = 0;
	int r;

	if (kx_fdt_read(ctx, NULL, &blob, &len) < 0) {
		kx_warn(ctx, "no device tree to find the firmware's reserved memory in: the dump "
			     "may include memory the crash kernel cannot read");
		return 0;
	}
	r = kx_fdt_reserved(ctx, blob, len, &res, &nr);
	free(blob);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	for (size_t i = 0; i < nr && r >= 0; i++) {
		kx_dbg(ctx, "leaving the device tree's reserved %#" PRIx64 "-%#" PRIx64
			    " out of the dump (firmware's)", res[i].start, res[i].end);
		r = push_range(ex, res[i].start, res[i].end);
	}
	free(res);
	return r < 0 ? r : 0;
}

/*
 * What the kernel dumps on x86 (arch/x86/kernel/crash.c): every System RAM
 * range, minus the low 1 MiB (elf_header_exclude_ranges; the crash kernel
 * boots over it) and minus each "Crash kernel" range (crashk_res and, with
 * crashkernel=X,high, crashk_low_res): the crash kernel's own memory.
 */
/* System RAM, and what the dump leaves out: low memory, the reservation, DT-reserved memory. */
static int collect_ranges(struct kexec_ctx *ctx, const struct kx_crash_policy *pol,
			  const struct kexec_memmap *m, struct ranges *ram, struct ranges *ex)
{
	bool crash_listed = false;
	uint64_t cs, ce;
	int r = 0;

	if (pol->exclude_low) {
		r = push_range(ex, 0, pol->exclude_low - 1);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < m->nr; i++) {
		if (is_top_ram(&m->r[i]))
			r = push_range(ram, m->r[i].start, m->r[i].end);
		else if (m->r[i].type == LIBKEXEC_MEM_CRASH) {
			kx_dbg(ctx, "leaving the crash kernel region %#" PRIx64 "-%#" PRIx64
				    " out of the dump", m->r[i].start, m->r[i].end);
			r = push_range(ex, m->r[i].start, m->r[i].end);
			crash_listed = true;
		}
		if (r < 0)
			return r;
	}
	/* powerpc lists its reservation in the device tree, not in /proc/iomem. */
	if (!crash_listed && kx_crash_region_dt(ctx, &cs, &ce) == 0) {
		kx_dbg(ctx, "leaving the crash kernel region %#" PRIx64 "-%#" PRIx64
			    " out of the dump", cs, ce);
		r = push_range(ex, cs, ce);
		if (r < 0)
			return r;
	}
	if (pol->exclude_dtb_reserved)
		return exclude_dtb_reserved(ctx, ex);
	return 0;
}

/* Sorted, and merged where they touch (the low and high crash regions may). */
static void merge_ranges(struct ranges *ex)
{
	size_t i, k;

	if (!ex->nr)
		return;
	qsort(ex->r, ex->nr, sizeof(*ex->r), range_cmp);
	for (i = 1, k = 0; i < ex->nr; i++) {
		if (ex->r[k].end == UINT64_MAX || ex->r[i].start <= ex->r[k].end + 1) {
			if (ex->r[i].end > ex->r[k].end)
				ex->r[k].end = ex->r[i].end;
		} else {
			ex->r[++k] = ex->r[i];
		}
	}
	ex->nr = k + 1;
}

/* RAM less the exclusions into out: both sorted and disjoint, so one sweep subtracts. */
static int subtract_ranges(const struct ranges *ram, const struct ranges *ex, struct ranges *out)
{
	size_t i, j, k;
	int r;

	for (i = 0, j = 0; i < ram->nr; i++) {
		uint64_t cur = ram->r[i].start;
		bool done = false;

		while (j < ex->nr && ex->r[j].end < cur)
			j++;
		for (k = j; k < ex->nr && ex->r[k].start <= ram->r[i].end; k++) {
			if (ex->r[k].start > cur) {
				r = push_range(out, cur, ex->r[k].start - 1);
				if (r < 0)
					return r;
			}
			if (ex->r[k].end >= ram->r[i].end) {
				done = true;
				break;
			}
			cur = ex->r[k].end + 1;
		}
		if (!done) {
			r = push_range(out, cur, ram->r[i].end);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int read_ram(struct kexec_ctx *ctx, const struct kx_crash_policy *pol,
		    const struct kexec_memmap *m, struct kx_crash_info *ci)
{
	struct ranges ram = { 0 }, ex = { 0 }, out = { 0 };
	int r;

	r = collect_ranges(ctx, pol, m, &ram, &ex);
	if (r < 0)
		goto oom;
	if (!ram.nr) {
		kx_err(ctx, "%s%s has no System RAM: nothing to dump", ctx->root, IOMEM_PATH);
		r = -EINVAL;
		goto out;
	}
	/* Top-level resources never overlap: if these do, the file is not iomem. */
	qsort(ram.r, ram.nr, sizeof(*ram.r), range_cmp);
	for (size_t i = 1; i < ram.nr; i++) {
		if (ram.r[i].start <= ram.r[i - 1].end) {
			kx_err(ctx, "%s%s: System RAM %#" PRIx64 "-%#" PRIx64 " overlaps %#" PRIx64
				    "-%#" PRIx64, ctx->root, IOMEM_PATH, ram.r[i].start, ram.r[i].end,
			       ram.r[i - 1].start, ram.r[i - 1].end);
			r = -EINVAL;
			goto out;
		}
	}
	merge_ranges(&ex);
	r = subtract_ranges(&ram, &ex, &out);
	if (r < 0)
		goto oom;
	if (!out.nr) {
		kx_err(ctx, "%s%s: no System RAM is left outside the crash kernel region%s: nothing "
			    "to dump", ctx->root, IOMEM_PATH, pol->exclude_low ? " and the low memory" : "");
		r = -EINVAL;
		goto out;
	}
	ci->ram = out.r;
	ci->nr_ram = out.nr;
	out.r = NULL;
	kx_dbg(ctx, "%zu System RAM ranges to dump", ci->nr_ram);
	r = 0;
	goto out;
oom:
	kx_err(ctx, "out of memory collecting the RAM ranges of %s%s", ctx->root, IOMEM_PATH);
	r = -ENOMEM;
out:
	free(ram.r);
	free(ex.r);
	free(out.r);
	return r;
}

/* ---- /proc/kcore ------------------------------------------------------- */

struct kcore_load {
	uint64_t vaddr, paddr, memsz;
};

/* pread exactly len bytes at off; -EIO when the file ends first. */
static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX - len)
		return -EIO;
	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

/*
 * The program headers of /proc/kcore (fs/proc/kcore.c): one PT_LOAD per
 * System RAM range in the direct map with p_paddr = __pa(vaddr), one for the
 * kernel image (KCORE_TEXT: p_vaddr = _text, p_memsz = _end - _text, p_paddr
 * = __pa_symbol(_text) since 4.x, -1 or garbage before), and vmalloc,
 * modules and vmemmap with p_paddr = -1. Only the headers are read: the file
 * claims to be as large as the address space.
 */
/* Where /proc/kcore's program headers are (kcore_ehdr). */
struct kcore_phdrs {
	bool e32;
	uint64_t phoff;
	uint16_t phnum;
	size_t phsize;
};

/* /proc/kcore's ELF header: a little-endian ET_CORE, its machine and its program headers. */
static int kcore_ehdr(struct kexec_ctx *ctx, const char *path, int fd, uint16_t *machine,
		      struct kcore_phdrs *h)
{
	uint8_t eh[sizeof(Elf64_Ehdr)];
	uint16_t phentsize;
	size_t ehsize;
	int r = pread_full(fd, eh, sizeof(eh), 0);

	if (r < 0) {
		kx_err(ctx, "%s: cannot read the ELF header: %s", path,
		       r == -EIO ? "file too short" : strerror(-r));
		return r == -EIO ? -EINVAL : r;
	}
	/* ELFCLASS64, or ELFCLASS32 where the kernel is 32-bit (i386, arm). */
	if (memcmp(eh, ELFMAG, SELFMAG) ||
	    (eh[EI_CLASS] != ELFCLASS64 && eh[EI_CLASS] != ELFCLASS32) ||
	    eh[EI_DATA] != ELFDATA2LSB) {
		kx_err(ctx, "%s: not a little-endian ELF32 or ELF64 file", path);
		return -EINVAL;
	}
	h->e32 = eh[EI_CLASS] == ELFCLASS32;
	ehsize = h->e32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	h->phsize = h->e32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	/* e_type and e_machine sit at the same offsets in both classes. */
	if (kx_le16(eh + offsetof(Elf64_Ehdr, e_type)) != ET_CORE) {
		kx_err(ctx, "%s: ELF type %u is not ET_CORE", path,
		       kx_le16(eh + offsetof(Elf64_Ehdr, e_type)));
		return -EINVAL;
	}
	*machine = kx_le16(eh + offsetof(Elf64_Ehdr, e_machine));
	if (h->e32) {
		h->phoff = kx_le32(eh + offsetof(Elf32_Ehdr, e_phoff));
		h->phnum = kx_le16(eh + offsetof(Elf32_Ehdr, e_phnum));
		phentsize = kx_le16(eh + offsetof(Elf32_Ehdr, e_phentsize));
	} else {
		h->phoff = kx_le64(eh + offsetof(Elf64_Ehdr, e_phoff));
		h->phnum = kx_le16(eh + offsetof(Elf64_Ehdr, e_phnum));
		phentsize = kx_le16(eh + offsetof(Elf64_Ehdr, e_phentsize));
	}
	if (phentsize != h->phsize) {
		kx_err(ctx, "%s: program header size %u is not %zu", path, phentsize, h->phsize);
		return -EINVAL;
	}
	if (h->phnum == 0 || h->phnum == PN_XNUM) {
		kx_err(ctx, "%s: %s", path, h->phnum ? "extended program header numbering "
			    "(PN_XNUM) is not supported" : "no program headers");
		return -EINVAL;
	}
	if (h->phoff < ehsize) {
		kx_err(ctx, "%s: program headers at offset %" PRIu64 " overlap the ELF header",
		       path, h->phoff);
		return -EINVAL;
	}
	return 0;
}

/* Program header i as a kcore_load: 1 when it is a PT_LOAD, 0 when not, -EINVAL when bad. */
static int kcore_load_of(struct kexec_ctx *ctx, const char *path, const struct kcore_phdrs *h,
			 const uint8_t *ph, size_t i, struct kcore_load *l)
{
	const uint8_t *p = ph + i * h->phsize;

	/* p_type is the first word in both classes. */
	if (kx_le32(p) != PT_LOAD)
		return 0;
	if (h->e32) {
		l->vaddr = kx_le32(p + offsetof(Elf32_Phdr, p_vaddr));
		l->paddr = kx_le32(p + offsetof(Elf32_Phdr, p_paddr));
		l->memsz = kx_le32(p + offsetof(Elf32_Phdr, p_memsz));
		/* p_paddr -1 (vmalloc, modules) as the 64-bit kernels write it. */
		if (l->paddr == UINT32_MAX)
			l->paddr = NO_PADDR;
	} else {
		l->vaddr = kx_le64(p + offsetof(Elf64_Phdr, p_vaddr));
		l->paddr = kx_le64(p + offsetof(Elf64_Phdr, p_paddr));
		l->memsz = kx_le64(p + offsetof(Elf64_Phdr, p_memsz));
	}
	/* The last entry may end exactly at the top of the address space. */
	if (!l->memsz || l->vaddr > UINT64_MAX - (l->memsz - 1)) {
		kx_err(ctx, "%s: PT_LOAD %zu at %#" PRIx64 " has size %#" PRIx64, path, i, l->vaddr,
		       l->memsz);
		return -EINVAL;
	}
	return 1;
}

static int read_kcore_loads(struct kexec_ctx *ctx, const char *path, int fd, uint16_t *machine,
			    struct kcore_load **loads, size_t *nr)
{
	struct kcore_phdrs h;
	uint8_t *ph = NULL;
	int r;

	*loads = NULL;
	*nr = 0;
	r = kcore_ehdr(ctx, path, fd, machine, &h);
	if (r < 0)
		return r;
	ph = malloc((size_t)h.phnum * h.phsize);
	*loads = calloc(h.phnum, sizeof(**loads));
	if (!ph || !*loads) {
		kx_err(ctx, "%s: out of memory for %u program headers", path, h.phnum);
		r = -ENOMEM;
		goto fail;
	}
	r = pread_full(fd, ph, (size_t)h.phnum * h.phsize, h.phoff);
	if (r < 0) {
		kx_err(ctx, "%s: cannot read %u program headers at offset %" PRIu64 ": %s", path,
		       h.phnum, h.phoff, r == -EIO ? "file too short" : strerror(-r));
		r = r == -EIO ? -EINVAL : r;
		goto fail;
	}
	for (size_t i = 0; i < h.phnum; i++) {
		r = kcore_load_of(ctx, path, &h, ph, i, &(*loads)[*nr]);
		if (r < 0)
			goto fail;
		*nr += (size_t)r;
	}
	free(ph);
	return 0;
fail:
	free(ph);
	free(*loads);
	*loads = NULL;
	*nr = 0;
	return r;
}

/* Inside the architecture's own kernel image mapping (x86_64's __START_KERNEL_map). */
static bool in_text_window(const struct kx_crash_policy *pol, const struct kcore_load *l)
{
	/* By offsets: a window that ends at the top of the address space wraps to 0. */
	uint64_t off = l->vaddr - pol->text_window_start;

	return pol->text_window_size && l->vaddr >= pol->text_window_start &&
	       off < pol->text_window_size && l->memsz <= pol->text_window_size - off;
}

/* The iomem resources of the running kernel's image (its physical address). */
struct kernel_res {
	bool have_code;
	uint64_t code_start, code_end, image_end;
};

static void find_kernel_res(const struct kexec_memmap *m, struct kernel_res *k)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < m->nr; i++) {
		if (!k->have_code && !strcmp(m->r[i].name, "Kernel code")) {
			k->have_code = true;
			k->code_start = m->r[i].start;
			k->code_end = m->r[i].end;
			k->image_end = m->r[i].end;
		} else if (k->have_code && !strcmp(m->r[i].name, "Kernel bss") &&
			   m->r[i].end > k->image_end) {
			k->image_end = m->r[i].end;
		}
	}
}

/*
 * The direct-map base: every RAM entry satisfies p_vaddr = page_offset +
 * p_paddr. Entries whose p_paddr is -1 or whose physical range is not System
 * RAM (vmalloc entries of old kernels had p_paddr = __pa(vaddr), garbage) do
 * not count. The most common difference wins (ties: the lowest, as
 * kexec-tools takes the lowest mapping); the text entry of a kernel without
 * a separate text window (not x86_64) is the one that disagrees at "Kernel
 * code". Any other disagreement means the file is not a kcore.
 */
static int kcore_page_offset(struct kexec_ctx *ctx, const char *path, const struct kexec_memmap *m,
			     const struct kernel_res *kres, const struct kx_crash_policy *pol,
			     struct kcore_load *loads,
			     size_t nr, const struct kcore_load **text, uint64_t *page_offset,
			     bool *found)
{
	uint64_t *diffs, best = 0;
	size_t n = 0, i, run, best_run = 0;

	*found = false;
	diffs = calloc(nr ? nr : 1, sizeof(*diffs));
	if (!diffs) {
		kx_err(ctx, "%s: out of memory", path);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		const struct kcore_load *l = &loads[i];

		if (l == *text || (pol->text_window_size && l->vaddr >= pol->text_window_start) ||
		    l->paddr == NO_PADDR || l->vaddr < l->paddr || !in_system_ram(m, l->paddr, l->memsz))
			continue;
		diffs[n++] = l->vaddr - l->paddr;
	}
	if (!n) {
		free(diffs);
		return 0;
	}
	qsort(diffs, n, sizeof(*diffs), kx_u64_cmp);
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && diffs[i + run] == diffs[i]; run++)
			;
		if (run > best_run) {
			best_run = run;
			best = diffs[i];
		}
	}
	free(diffs);

	for (i = 0; i < nr; i++) {
		const struct kcore_load *l = &loads[i];

		if (l == *text || (pol->text_window_size && l->vaddr >= pol->text_window_start) ||
		    l->paddr == NO_PADDR || l->vaddr < l->paddr || !in_system_ram(m, l->paddr, l->memsz) ||
		    l->vaddr - l->paddr == best)
			continue;
		/*
		 * arm64's "Kernel code" starts at _stext, 64 KiB into the image
		 * that the text entry maps from _text: the entry holds it.
		 */
		if (!pol->text_window_size && !*text && kres->have_code &&
		    l->paddr <= kres->code_start && kres->code_start - l->paddr < l->memsz) {
			*text = l;
			continue;
		}
		kx_err(ctx, "%s: inconsistent direct map: %#" PRIx64 " maps physical %#" PRIx64
			    " but most RAM entries are at %#" PRIx64 " + physical address",
		       path, l->vaddr, l->paddr, best);
		return -EINVAL;
	}
	*page_offset = best;
	*found = true;
	return 0;
}

/* Kernel text and page_offset from /proc/kcore; fall back with a warning. */
/* The direct map's base before /proc/kcore says: the policy's, or where RAM starts. */
static uint64_t guess_page_offset(const struct kx_crash_policy *pol, const struct kexec_memmap *m)
{
	uint64_t low = UINT64_MAX;

	if (!pol->page_offset_from_ram)
		return pol->default_page_offset;
	/* PAGE_OFFSET maps where RAM starts (PHYS_OFFSET): no KASLR there. */
	for (size_t i = 0; i < m->nr; i++)
		if (is_top_ram(&m->r[i]) && m->r[i].start < low)
			low = m->r[i].start;
	if (low != UINT64_MAX && low <= pol->default_page_offset)
		return pol->default_page_offset - low;
	return pol->default_page_offset;
}

/*
 * /proc/kcore opened into *fd, or *fd = -1 when it cannot be (said, as it is
 * optional); 0, or a negative errno.
 */
static int open_kcore(struct kexec_ctx *ctx, const struct kx_crash_policy *pol,
		      const struct kx_crash_info *ci, char *path, size_t len, int *fd)
{
	int r = kx_path(ctx, KCORE_PATH, path, len), e;

	*fd = -1;
	if (r < 0) {
		kx_err(ctx, "%s: path below root %s is too long", KCORE_PATH,
		       kexec_ctx_get_root(ctx));
		return r;
	}
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	e = errno;
	/* CAP_SYS_RAWIO, no lockdown, CONFIG_PROC_KCORE: optional, so only a warning. */
	if (pol->page_offset_from_ram) {
		kx_dbg(ctx, "cannot open %s (%s): the core header gets no kernel text "
			    "segment; the direct map is at %#llx + physical address",
		       path, strerror(e), (unsigned long long)ci->page_offset);
		return 0;
	}
	kx_warn(ctx, "cannot open %s (%s%s): the core header gets no kernel text segment "
		     "and assumes the direct map at %#llx, which is wrong with KASLR",
		path, strerror(e),
		e == EPERM || e == EACCES ? ": not root, or lockdown" :
		e == ENOENT ? ": CONFIG_PROC_KCORE off" : "",
		(unsigned long long)pol->default_page_offset);
	return 0;
}

/*
 * The kernel image lives at __START_KERNEL_map + offset, below the module
 * area (KERNEL_IMAGE_SIZE, 1 GiB with KASLR); the module entry reaches
 * beyond it, so it never fits the window. Prefer the one at "Kernel code".
 */
static const struct kcore_load *pick_text(const struct kx_crash_policy *pol,
					  const struct kernel_res *kres,
					  const struct kcore_load *loads, size_t nr)
{
	const struct kcore_load *text = NULL;

	for (size_t i = 0; pol->text_window_size && i < nr; i++) {
		if (!in_text_window(pol, &loads[i]))
			continue;
		if (!text || (kres->have_code && loads[i].paddr == kres->code_start &&
			      text->paddr != kres->code_start))
			text = &loads[i];
	}
	return text;
}

/* The kernel text segment of the core header, from kcore's text mapping and iomem's "Kernel code". */
static int text_segment(struct kexec_ctx *ctx, const char *path, const struct kexec_memmap *m,
			const struct kernel_res *kres, const struct kcore_load *text,
			struct kx_crash_info *ci)
{
	uint64_t vaddr = text->vaddr, paddr, size = text->memsz, delta;
	bool kpaddr_ok = text->paddr != NO_PADDR && in_system_ram(m, text->paddr, 1);

	if (kpaddr_ok && kres->have_code && text->paddr <= kres->code_start &&
	    kres->code_start - text->paddr < size && text->paddr != kres->code_start) {
		/*
		 * kcore's text entry holds "Kernel code" without starting
		 * there (arm64: _text vs _stext): both agree, and kcore's
		 * address is the one of this mapping's first byte.
		 */
		paddr = text->paddr;
	} else if (kres->have_code) {
		/* "Kernel code" starts at __pa_symbol(_text) (x86). */
		paddr = kres->code_start;
		if (kpaddr_ok && text->paddr != paddr)
			kx_warn(ctx, "%s: the kernel text at %#" PRIx64 " says physical %#"
				     PRIx64 ", %s%s says %#" PRIx64 ": using the latter",
				path, vaddr, text->paddr, ctx->root, IOMEM_PATH, paddr);
		if (size < kres->image_end - kres->code_start + 1)
			kx_dbg(ctx, "%s: kernel text mapping (%#" PRIx64 " bytes) is smaller "
				    "than Kernel code..bss in %s", path, size, IOMEM_PATH);
	} else if (kpaddr_ok) {
		paddr = text->paddr;
	} else {
		kx_warn(ctx, "%s%s has no \"Kernel code\" and %s gives no physical address "
			     "for the kernel text: the core header gets no kernel text "
			     "segment", ctx->root, IOMEM_PATH, path);
		return 0;
	}
	/* kexec-tools: start at a 1 MiB boundary, whole pages (a no-op for _text). */
	delta = vaddr & (KERN_VADDR_ALIGN - 1);
	if (delta <= paddr) {
		vaddr -= delta;
		paddr -= delta;
		size += delta;
	}
	if (size > KERN_TEXT_MAX || paddr > UINT64_MAX - KERN_TEXT_MAX) {
		kx_err(ctx, "%s: kernel text of %#" PRIx64 " bytes at physical %#" PRIx64
			    " is implausible", path, size, paddr);
		return -EINVAL;
	}
	size = (size + 4095) & ~(uint64_t)4095;
	ci->have_kernel_text = true;
	ci->text_vaddr = vaddr;
	ci->text_paddr = paddr;
	ci->text_size = size;
	kx_dbg(ctx, "kernel text %#" PRIx64 " -> physical %#" PRIx64 ", %#" PRIx64 " bytes", vaddr,
	       paddr, size);
	return 0;
}

static int read_kcore(struct kexec_ctx *ctx, const struct kx_crash_policy *pol,
		      const struct kexec_memmap *m, struct kx_crash_info *ci)
{
	const struct kcore_load *text;
	struct kcore_load *loads = NULL;
	struct kernel_res kres;
	char path[4096];
	uint16_t machine = 0;
	bool found;
	size_t nr = 0;
	int fd, r;

	ci->have_kernel_text = false;
	ci->page_offset = guess_page_offset(pol, m);
	r = open_kcore(ctx, pol, ci, path, sizeof(path), &fd);
	if (r < 0 || fd < 0)
		return r;
	r = read_kcore_loads(ctx, path, fd, &machine, &loads, &nr);
	close(fd);
	if (r < 0)
		return r;
	find_kernel_res(m, &kres);
	if (machine != pol->e_machine)
		kx_warn(ctx, "%s: ELF machine %u, not the %u expected", path, machine, pol->e_machine);
	text = pick_text(pol, &kres, loads, nr);
	r = kcore_page_offset(ctx, path, m, &kres, pol, loads, nr, &text, &ci->page_offset,
			      &found);
	if (r < 0)
		goto out;
	if (found)
		kx_dbg(ctx, "%s: direct map at %#" PRIx64, path, ci->page_offset);
	else
		kx_warn(ctx, "%s: no PT_LOAD maps System RAM: assuming the direct map at %#llx",
			path, (unsigned long long)pol->default_page_offset);
	if (text)
		r = text_segment(ctx, path, m, &kres, text, ci);
	else if (pol->text_in_direct_map)
		kx_dbg(ctx, "%s: the kernel text is in the direct map (no text segment of "
			    "its own)", path);
	else
		kx_warn(ctx, "%s: no kernel text mapping: the core header gets no kernel "
			     "text segment", path);
out:
	free(loads);
	return r;
}

/* ---- Public ------------------------------------------------------------ */

void kx_crash_info_free(struct kx_crash_info *ci)
{
	if (!ci)
		return;
	free(ci->cpu_notes);
	free(ci->ram);
	memset(ci, 0, sizeof(*ci));
}

int kx_crash_info_read(struct kexec_ctx *ctx, const struct kx_crash_policy *pol,
		       struct kx_crash_info *ci)
{
	struct kexec_memmap m = { 0 };
	int r;

	memset(ci, 0, sizeof(*ci));
	r = read_cpu_notes(ctx, ci);
	if (r < 0)
		goto fail;
	r = read_vmcoreinfo(ctx, ci);
	if (r < 0)
		goto fail;
	r = kexec_read_iomem(ctx, &m);
	if (r < 0)
		goto fail;
	r = read_ram(ctx, pol, &m, ci);
	if (r < 0)
		goto fail;
	r = read_kcore(ctx, pol, &m, ci);
	if (r < 0)
		goto fail;
	kexec_memmap_free(&m);
	return 0;
fail:
	kexec_memmap_free(&m);
	kx_crash_info_free(ci);
	return r;
}
