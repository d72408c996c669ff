/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kdump ELF core header ("elfcorehdr") built from what lib/crash.c read
 * (struct kx_crash_info): a pure function of its input, which touches no file
 * (fuzz/fuzz-crash.c builds it from arbitrary infos). The kernel builds the
 * same thing for kexec_file_load (kernel/crash_core.c
 * crash_prepare_elf64_headers, in 6.1 kernel/kexec_file.c;
 * arch/x86/kernel/crash.c prepare_elf_headers); for kexec_load it is ours,
 * as kexec-tools' kexec/crashdump-elf.c does.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "crash.h"

/* include/linux/kexec.h (6.1), include/linux/crash_core.h (6.6+) */
#define ELF_CORE_HEADER_ALIGN 4096U
#define SZ_4G 0x100000000ULL

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, size;
};

/* One program header in the class's layout (the two differ in field order). */
static void put_phdr(uint8_t *p, bool elf32, const struct phdr *h)
{
	if (elf32) {
		/* Virtual addresses that do not fit (x86_64's) read as -1: no mapping. */
		uint32_t vaddr = h->vaddr > UINT32_MAX ? UINT32_MAX : (uint32_t)h->vaddr;

		kx_put_le32(p + offsetof(Elf32_Phdr, p_type), h->type);
		kx_put_le32(p + offsetof(Elf32_Phdr, p_offset), (uint32_t)h->offset);
		kx_put_le32(p + offsetof(Elf32_Phdr, p_vaddr), vaddr);
		kx_put_le32(p + offsetof(Elf32_Phdr, p_paddr), (uint32_t)h->paddr);
		kx_put_le32(p + offsetof(Elf32_Phdr, p_filesz), (uint32_t)h->size);
		kx_put_le32(p + offsetof(Elf32_Phdr, p_memsz), (uint32_t)h->size);
		kx_put_le32(p + offsetof(Elf32_Phdr, p_flags), h->flags);
		kx_put_le32(p + offsetof(Elf32_Phdr, p_align), 0);
	} else {
		kx_put_le32(p + offsetof(Elf64_Phdr, p_type), h->type);
		kx_put_le32(p + offsetof(Elf64_Phdr, p_flags), h->flags);
		kx_put_le64(p + offsetof(Elf64_Phdr, p_offset), h->offset);
		kx_put_le64(p + offsetof(Elf64_Phdr, p_vaddr), h->vaddr);
		kx_put_le64(p + offsetof(Elf64_Phdr, p_paddr), h->paddr);
		kx_put_le64(p + offsetof(Elf64_Phdr, p_filesz), h->size);
		kx_put_le64(p + offsetof(Elf64_Phdr, p_memsz), h->size);
		kx_put_le64(p + offsetof(Elf64_Phdr, p_align), 0);
	}
}

/* A physical range for a program header: non-empty, no wrap, below 4 GiB for ELF32. */
static int check_phys(struct kexec_ctx *ctx, bool elf32, const char *what, uint64_t start,
		      uint64_t size)
{
	if (!size || start > UINT64_MAX - (size - 1)) {
		kx_err(ctx, "cannot build the ELF core header: %s at %#" PRIx64 " has size %#"
			    PRIx64, what, start, size);
		return -EINVAL;
	}
	if (elf32 && (start >= SZ_4G || size > SZ_4G - start)) {
		kx_err(ctx, "cannot build an ELF32 core header: %s %#" PRIx64 "-%#" PRIx64
			    " does not lie below 4 GiB (use ELF64 core headers)", what, start,
		       start + (size - 1));
		return -EOVERFLOW;
	}
	return 0;
}

/* Every address the header will hold, checked first: writing it cannot fail. */
static int check_info(struct kexec_ctx *ctx, const struct kx_crash_info *ci, bool elf32)
{
	size_t i;
	int r;

	for (i = 0; i < ci->nr_cpu_notes; i++) {
		r = check_phys(ctx, elf32, "a CPU crash note", ci->cpu_notes[i].addr,
			       ci->cpu_notes[i].size);
		if (r < 0)
			return r;
	}
	if (ci->vmcoreinfo.size) {
		r = check_phys(ctx, elf32, "the VMCOREINFO note", ci->vmcoreinfo.addr,
			       ci->vmcoreinfo.size);
		if (r < 0)
			return r;
	}
	if (ci->have_kernel_text) {
		r = check_phys(ctx, elf32, "the kernel text", ci->text_paddr, ci->text_size);
		if (r < 0)
			return r;
	}
	for (i = 0; i < ci->nr_ram; i++) {
		const struct kx_range *x = &ci->ram[i];

		if (x->end < x->start || (x->start == 0 && x->end == UINT64_MAX)) {
			kx_err(ctx, "cannot build the ELF core header: RAM range %#" PRIx64 "-%#"
				    PRIx64 " is invalid", x->start, x->end);
			return -EINVAL;
		}
		r = check_phys(ctx, elf32, "System RAM", x->start, x->end - x->start + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

/* How many program headers: 0 and *nr, or -E2BIG past e_phnum's 16 bits (PN_XNUM: "look elsewhere"). */
static int count_phdrs(struct kexec_ctx *ctx, const struct kx_crash_info *ci, size_t *nr)
{
	size_t n = ci->nr_cpu_notes;

	if (n < PN_XNUM)
		n += (ci->vmcoreinfo.size ? 1 : 0) + (ci->have_kernel_text ? 1 : 0);
	if (n < PN_XNUM && ci->nr_ram < PN_XNUM)
		n += ci->nr_ram;
	/* The ranges split at backup_size: one more header each. */
	for (size_t i = 0; i < ci->nr_ram && n < PN_XNUM; i++)
		n += ci->ram[i].start < ci->backup_size && ci->ram[i].end >= ci->backup_size;
	if (n >= PN_XNUM || ci->nr_ram >= PN_XNUM) {
		kx_err(ctx, "cannot build the ELF core header: %zu CPU notes and %zu RAM ranges "
			    "need more than %u program headers", ci->nr_cpu_notes, ci->nr_ram,
		       PN_XNUM - 1);
		return -E2BIG;
	}
	if (!n) {
		kx_err(ctx, "cannot build the ELF core header: nothing to describe");
		return -EINVAL;
	}
	*nr = n;
	return 0;
}

/* The ELF header of a little-endian core file with nr program headers after it. */
static void put_ehdr(uint8_t *buf, bool elf32, uint16_t machine, size_t nr)
{
	size_t ehsize = elf32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	size_t phsize = elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);

	memcpy(buf, ELFMAG, SELFMAG);
	buf[EI_CLASS] = elf32 ? ELFCLASS32 : ELFCLASS64;
	buf[EI_DATA] = ELFDATA2LSB;
	buf[EI_VERSION] = EV_CURRENT;
	buf[EI_OSABI] = ELFOSABI_NONE;
	if (elf32) {
		kx_put_le16(buf + offsetof(Elf32_Ehdr, e_type), ET_CORE);
		kx_put_le16(buf + offsetof(Elf32_Ehdr, e_machine), machine);
		kx_put_le32(buf + offsetof(Elf32_Ehdr, e_version), EV_CURRENT);
		kx_put_le32(buf + offsetof(Elf32_Ehdr, e_phoff), (uint32_t)ehsize);
		kx_put_le16(buf + offsetof(Elf32_Ehdr, e_ehsize), (uint16_t)ehsize);
		kx_put_le16(buf + offsetof(Elf32_Ehdr, e_phentsize), (uint16_t)phsize);
		kx_put_le16(buf + offsetof(Elf32_Ehdr, e_phnum), (uint16_t)nr);
	} else {
		kx_put_le16(buf + offsetof(Elf64_Ehdr, e_type), ET_CORE);
		kx_put_le16(buf + offsetof(Elf64_Ehdr, e_machine), machine);
		kx_put_le32(buf + offsetof(Elf64_Ehdr, e_version), EV_CURRENT);
		kx_put_le64(buf + offsetof(Elf64_Ehdr, e_phoff), ehsize);
		kx_put_le16(buf + offsetof(Elf64_Ehdr, e_ehsize), (uint16_t)ehsize);
		kx_put_le16(buf + offsetof(Elf64_Ehdr, e_phentsize), (uint16_t)phsize);
		kx_put_le16(buf + offsetof(Elf64_Ehdr, e_phnum), (uint16_t)nr);
	}
}

/* The program headers from p: the notes, the kernel text, then RAM (split at the backup). */
static void put_phdrs(uint8_t *p, bool elf32, const struct kx_crash_info *ci)
{
	size_t phsize = elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	struct phdr h;

	/* The crash kernel merges these into one PT_NOTE at boot (fs/proc/vmcore.c). */
	for (size_t i = 0; i < ci->nr_cpu_notes; i++, p += phsize) {
		h = (struct phdr){ .type = PT_NOTE, .offset = ci->cpu_notes[i].addr,
				   .paddr = ci->cpu_notes[i].addr, .size = ci->cpu_notes[i].size };
		put_phdr(p, elf32, &h);
	}
	if (ci->vmcoreinfo.size) {
		h = (struct phdr){ .type = PT_NOTE, .offset = ci->vmcoreinfo.addr,
				   .paddr = ci->vmcoreinfo.addr, .size = ci->vmcoreinfo.size };
		put_phdr(p, elf32, &h);
		p += phsize;
	}
	if (ci->have_kernel_text) {
		h = (struct phdr){ .type = PT_LOAD, .flags = PF_R | PF_W | PF_X,
				   .offset = ci->text_paddr, .vaddr = ci->text_vaddr,
				   .paddr = ci->text_paddr, .size = ci->text_size };
		put_phdr(p, elf32, &h);
		p += phsize;
	}
	for (size_t i = 0; i < ci->nr_ram; i++, p += phsize) {
		struct kx_range x = ci->ram[i];

		if (x.start < ci->backup_size) {
			uint64_t e = x.end < ci->backup_size ? x.end : ci->backup_size - 1;

			h = (struct phdr){ .type = PT_LOAD, .flags = PF_R | PF_W | PF_X,
					   .offset = ci->backup_addr + x.start,
					   .vaddr = ci->page_offset + x.start, .paddr = x.start,
					   .size = e - x.start + 1 };
			put_phdr(p, elf32, &h);
			if (x.end < ci->backup_size)
				continue;
			p += phsize;
			x.start = ci->backup_size;
		}
		/* __va(): wraps only for a nonsensical page_offset; written as given. */
		h = (struct phdr){ .type = PT_LOAD, .flags = PF_R | PF_W | PF_X, .offset = x.start,
				   .vaddr = ci->page_offset + x.start, .paddr = x.start,
				   .size = x.end - x.start + 1 };
		put_phdr(p, elf32, &h);
	}
}

int kx_crash_build_elfcorehdr(struct kexec_ctx *ctx, const struct kx_crash_info *ci, bool elf32,
			      uint16_t machine, uint8_t **out, size_t *len)
{
	size_t ehsize = elf32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	size_t phsize = elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	size_t nr, sz;
	uint8_t *buf;
	int r;

	/* Any machine the architecture table names; none of them is EM_NONE. */
	if (machine == EM_NONE) {
		kx_err(ctx, "cannot build an ELF core header for machine %u (EM_NONE)", machine);
		return -EINVAL;
	}
	if (!ci || !out || !len || (ci->nr_cpu_notes && !ci->cpu_notes) ||
	    (ci->nr_ram && !ci->ram)) {
		kx_err(ctx, "cannot build the ELF core header: no crash information");
		return -EINVAL;
	}
	r = check_info(ctx, ci, elf32);
	if (r < 0)
		return r;
	r = count_phdrs(ctx, ci, &nr);
	if (r < 0)
		return r;
	/* The kernel rounds its buffer up to ELF_CORE_HEADER_ALIGN, zero-filled. */
	sz = ehsize + nr * phsize;
	sz = (sz + ELF_CORE_HEADER_ALIGN - 1) / ELF_CORE_HEADER_ALIGN * ELF_CORE_HEADER_ALIGN;
	buf = calloc(1, sz);
	if (!buf) {
		kx_err(ctx, "out of memory for a %zu-byte ELF core header", sz);
		return -ENOMEM;
	}
	put_ehdr(buf, elf32, machine, nr);
	put_phdrs(buf + ehsize, elf32, ci);
	kx_dbg(ctx, "ELF%d core header: %zu program headers (%zu CPU notes, %s, %s, %zu RAM "
		    "ranges), %zu bytes", elf32 ? 32 : 64, nr, ci->nr_cpu_notes,
	       ci->vmcoreinfo.size ? "VMCOREINFO" : "no VMCOREINFO",
	       ci->have_kernel_text ? "kernel text" : "no kernel text", ci->nr_ram, sz);
	*out = buf;
	*len = sz;
	return 0;
}
