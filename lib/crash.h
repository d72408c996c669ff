/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kdump ELF core header ("elfcorehdr") for kexec_load crash loads: what
 * the crash kernel exposes as /proc/vmcore. Built from the running system
 * (kernel/crash_core.c crash_prepare_elf64_headers and
 * arch/x86/kernel/crash.c prepare_elf_headers are the kernel's own version).
 */
#ifndef LIBKEXEC_CRASH_H
#define LIBKEXEC_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "libkexec-internal.h"

struct kx_crash_note {
	uint64_t addr; /* physical */
	uint64_t size;
};

struct kx_crash_info {
	struct kx_crash_note *cpu_notes;  /* one per possible CPU with crash_notes */
	size_t nr_cpu_notes;
	struct kx_crash_note vmcoreinfo;  /* /sys/kernel/vmcoreinfo; size 0 if absent */
	/* The kernel image mapping (x86_64: _text.._end at __START_KERNEL_map + offset). */
	bool have_kernel_text;
	uint64_t text_vaddr, text_paddr, text_size;
	uint64_t page_offset;             /* direct-map base: p_vaddr = page_offset + paddr */
	/* System RAM to dump: all RAM minus the crash region(s) and the low 1 MiB. */
	struct kx_range *ram;
	size_t nr_ram;
	/*
	 * RAM below backup_size is dumped from a copy at backup_addr, which the
	 * purgatory made before the crash kernel overwrote it (ppc64's
	 * exception vectors); 0: none.
	 */
	uint64_t backup_size, backup_addr;
};

/*
 * Read everything the core header needs from <root>: /proc/iomem (System RAM,
 * Kernel code, Crash kernel), /sys/devices/system/cpu/{possible,cpuN/crash_notes,
 * cpuN/crash_notes_size}, /sys/kernel/vmcoreinfo, and /proc/kcore's program
 * headers (for the kernel text mapping and the direct-map base with KASLR).
 * Errors are logged once, naming the file. Missing cpuN/crash_notes are
 * skipped (none at all: -ENOENT); a missing vmcoreinfo (size 0) or an
 * unopenable /proc/kcore (have_kernel_text false, page_offset
 * 0xffff888000000000) is only a warning. On failure *ci is left empty.
 */
struct kx_crash_policy;
int kx_crash_info_read(struct kexec_ctx *ctx, const struct kx_crash_policy *pol,
		       struct kx_crash_info *ci);
void kx_crash_info_free(struct kx_crash_info *ci);

/*
 * The ELF core header: ET_CORE for e_machine (62 x86_64, 183 aarch64), one
 * PT_NOTE per CPU note, one for vmcoreinfo, one PT_LOAD for the kernel text,
 * one PT_LOAD per RAM range (p_offset = p_paddr = start, p_vaddr = page_offset
 * + start; a range that begins below backup_size is split there, its low part
 * read from backup_addr + start). ELF32 (elf32 = true) is refused with -EOVERFLOW (logged) when an
 * address does not fit in 32 bits.
 * Physical addresses and sizes are what must fit (notes, text and RAM ending at
 * or below 4 GiB); a virtual address that does not fit (every x86_64 one) is
 * written as 0xffffffff, kexec-tools' "no mapping" value. The length is
 * rounded up to 4096 (the kernel's ELF_CORE_HEADER_ALIGN), zero-filled; *out
 * is malloc()ed. Without have_kernel_text or vmcoreinfo.size, their program
 * headers are left out. -E2BIG beyond 65534 program headers (e_phnum).
 */
int kx_crash_build_elfcorehdr(struct kexec_ctx *ctx, const struct kx_crash_info *ci, bool elf32,
			      uint16_t machine, uint8_t **out, size_t *len);

#endif
