/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf-vmlinux.h"
#include "libkexec-internal.h"
#include "alloc.h"

static int reject(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return -ENOEXEC;
}

/* A 64-bit little-endian ELF file for machine: 0, or -ENOEXEC with *reason (a literal or msg's). */
static int elf64_for(const uint8_t *e, size_t len, uint16_t machine, const char **reason,
		     struct kx_msg *msg)
{
	if (len < 64 || memcmp(e, "\177ELF", 4))
		return reject(reason, "not an ELF file");
	if (e[4] != 2 || e[5] != 1)
		return reject(reason, "not a 64-bit little-endian ELF file");
	if (kx_le16(e + 18) != machine) {
		if (!reason)
			return -ENOEXEC;
		snprintf(msg->text, sizeof(msg->text),
			 "an ELF file for machine %u, not this architecture's (%u)", kx_le16(e + 18),
			 machine);
		return reject(reason, msg->text);
	}
	return 0;
}

int kx_elf_vmlinux_probe(const void *buf, size_t len, uint16_t machine, const char **reason,
			 struct kx_msg *msg)
{
	const uint8_t *e = buf;
	uint64_t phoff;
	uint16_t phentsize, phnum, i;

	if (elf64_for(e, len, machine, reason, msg) < 0)
		return -ENOEXEC;
	if (kx_le16(e + 16) != 2)
		return reject(reason, "not an ELF executable (a kernel is ET_EXEC; this is a shared "
				      "object, relocatable object or core file)");
	phoff = kx_le64(e + 32);
	phentsize = kx_le16(e + 54);
	phnum = kx_le16(e + 56);
	if (phentsize < 56 || phoff > len || (uint64_t)phnum * phentsize > len - phoff)
		return reject(reason, "ELF program headers lie outside the file");
	/*
	 * A vmlinux's text is linked at kernel-space addresses, the upper half
	 * of the address space (x86_64 0xffffffff8..., arm64 0xffff8...; x86_64's
	 * per-CPU segment is linked at 0); an ordinary static program (busybox)
	 * has the same ELF shape with every segment at user addresses.
	 */
	bool loads = false;

	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + (uint64_t)i * phentsize;

		if (kx_le32(ph) != 1 /* PT_LOAD */)
			continue;
		loads = true;
		if (kx_le64(ph + 16) >> 63)
			return 0;
	}
	if (!loads)
		return reject(reason, "ELF file has no PT_LOAD segment");
	return reject(reason, "an ELF program, not a Linux kernel: its segments are linked at "
			      "user-space addresses");
}

int64_t kx_elf_vmlinux_head_size(const void *head, size_t len, uint16_t machine,
				 const char **reason, struct kx_msg *msg)
{
	const uint8_t *e = head;
	uint64_t phoff, shoff, end;
	uint16_t phentsize, phnum;

	if (elf64_for(e, len, machine, reason, msg) < 0)
		return -ENOEXEC;
	phoff = kx_le64(e + 32);
	phentsize = kx_le16(e + 54);
	phnum = kx_le16(e + 56);
	if (phentsize < 56 || phoff > len || (uint64_t)phnum * phentsize > len - phoff)
		return 0;
	shoff = kx_le64(e + 40);
	end = shoff <= UINT64_MAX / 2 ? shoff + (uint64_t)kx_le16(e + 60) * kx_le16(e + 58) : 0;
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + (uint64_t)i * phentsize;
		uint64_t off = kx_le64(ph + 8), filesz = kx_le64(ph + 32);

		if (off <= UINT64_MAX / 2 && filesz <= UINT64_MAX / 2 && off + filesz > end)
			end = off + filesz;
	}
	return end > INT64_MAX ? 0 : (int64_t)end;
}

int kx_elf_vmlinux_refuse(const void *buf, size_t len, uint16_t machine, const char *why_refused,
			  const char **reason, struct kx_msg *msg)
{
	if (kx_elf_vmlinux_probe(buf, len, machine, reason, msg) < 0)
		return -ENOEXEC;
	return reject(reason, why_refused);
}

/*
 * A 32-bit kernel's ELF vmlinux (i386, 32-bit ARM): an ELFCLASS32
 * little-endian ET_EXEC for machine whose segments are linked at kernel
 * addresses (PAGE_OFFSET and up: 0xc0000000 with the default split; 0xbf...
 * for ARM's modules area below it).
 */
int kx_elf32_vmlinux_refuse(const void *buf, size_t len, uint16_t machine,
			    const char *why_refused, const char **reason, struct kx_msg *msg)
{
	const uint8_t *e = buf;
	uint32_t phoff;
	uint16_t phentsize, phnum;

	(void)msg; /* its reasons are literals */
	if (len < 52 || memcmp(e, "\177ELF", 4))
		return reject(reason, "not an ELF file");
	if (e[4] != 1 || e[5] != 1)
		return reject(reason, "not a 32-bit little-endian ELF file");
	if (kx_le16(e + 18) != machine)
		return reject(reason, "an ELF file for another machine");
	phoff = kx_le32(e + 28);
	phentsize = kx_le16(e + 42);
	phnum = kx_le16(e + 44);
	if (kx_le16(e + 16) != 2 || phentsize < 32 || phoff > len ||
	    (uint64_t)phnum * phentsize > len - phoff)
		return reject(reason, "not an ELF executable with its program headers in the file");
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + (size_t)i * phentsize;

		if (kx_le32(ph) == 1 /* PT_LOAD */ && kx_le32(ph + 8) >= 0xbf000000u)
			return reject(reason, why_refused);
	}
	return reject(reason, "an ELF program, not a Linux kernel: its segments are linked at "
			      "user-space addresses");
}

int64_t kx_elf32_vmlinux_head_size(const void *head, size_t len, uint16_t machine,
				   const char **reason, struct kx_msg *msg)
{
	const uint8_t *e = head;

	(void)msg; /* its reason is a literal */
	if (len < 52 || memcmp(e, "\177ELF", 4) || e[4] != 1 || kx_le16(e + 18) != machine)
		return reject(reason, "not a 32-bit ELF file for this machine");
	return 0;
}

/*
 * kexec_load of an ELF vmlinux's PT_LOADs where they are linked (x86_64,
 * mips): each at its physical address (how->phys), page-aligned (an
 * unaligned start gets a padded copy), in RAM and free, as a "kernel"
 * segment; *phys_entry the entry point's physical address.
 */
/* The ELF header: 64-bit little-endian, the machine, an executable; its program headers inside the file. */
static int elf_header(struct kexec_ctx *ctx, const struct kx_load *l, const struct kx_elf_load *how,
		      uint64_t *phoff, uint16_t *phentsize, uint16_t *phnum)
{
	const char *kernel = l->req->kernel;
	const uint8_t *e = l->kernel.addr;
	size_t len = l->kernel.len;

	if (len < 64 || e[4] != 2 || e[5] != 1) {
		kx_err(ctx, "cannot load kernel %s: not a 64-bit little-endian ELF file", kernel);
		return -ENOEXEC;
	}
	if (kx_le16(e + 18) != how->machine) {
		kx_err(ctx, "cannot load kernel %s: ELF machine %u is not %s (%u)", kernel,
		       kx_le16(e + 18), how->machine_name, how->machine);
		return -ENOEXEC;
	}
	if (kx_le16(e + 16) != 2) {
		kx_err(ctx, "cannot load kernel %s: not an ELF executable (e_type %u)", kernel,
		       kx_le16(e + 16));
		return -ENOEXEC;
	}
	*phoff = kx_le64(e + 32);
	*phentsize = kx_le16(e + 54);
	*phnum = kx_le16(e + 56);
	if (*phentsize < 56 || *phoff > len || (uint64_t)*phnum * *phentsize > len - *phoff) {
		kx_err(ctx, "cannot load kernel %s: ELF program headers lie outside the file", kernel);
		return -ENOEXEC;
	}
	return 0;
}

/* Where a PT_LOAD goes: page-aligned, in RAM (in the reservation for a crash kernel), free. */
static int elf_place(struct kexec_ctx *ctx, struct kx_load *l, const struct kx_elf_load *how,
		     uint16_t i, uint64_t pa, uint64_t start, uint64_t sz)
{
	const char *kernel = l->req->kernel;

	if (!kx_alloc_is_ram(&l->alloc, start, sz) && l->crash) {
		kx_err(ctx, "cannot load crash kernel %s: ELF segment %u at %#" PRIx64
			    " lies outside the crash kernel region %#" PRIx64 "-%#" PRIx64 " (%s)",
		       kernel, i, pa, l->crash_start, l->crash_end, how->crash_hint);
		return -EADDRNOTAVAIL;
	}
	if (!kx_alloc_is_ram(&l->alloc, start, sz)) {
		kx_err(ctx, "cannot load kernel %s: ELF segment %u at %#" PRIx64 "-%#" PRIx64
			    " is not in this machine's RAM",
		       kernel, i, start, (uint64_t)(start + sz - 1));
		return -EADDRNOTAVAIL;
	}
	if (kx_alloc_reserve(&l->alloc, start, sz) < 0) {
		kx_err(ctx, "cannot load kernel %s: ELF segment %u at %#" PRIx64
			    " overlaps another segment",
		       kernel, i, pa);
		return -ENOEXEC;
	}
	return 0;
}

/*
 * Program header i: 0 when it is no PT_LOAD to load, 1 when it became a
 * segment (and *phys_entry, when the entry lies in it), or a negative errno.
 */
static int elf_segment(struct kexec_ctx *ctx, struct kx_load *l, const struct kx_elf_load *how,
		       const uint8_t *ph, uint16_t i, size_t nloads, uint64_t *phys_entry)
{
	const uint8_t *e = l->kernel.addr;
	size_t len = l->kernel.len;
	uint64_t off = kx_le64(ph + 8), vaddr = kx_le64(ph + 16), paddr = kx_le64(ph + 24);
	uint64_t filesz = kx_le64(ph + 32), memsz = kx_le64(ph + 40), start, pad, pa = 0, sz;
	uint64_t ps = l->page_size, e_entry = kx_le64(e + 24);
	const void *buf;
	int r;

	if (kx_le32(ph) != 1 /* PT_LOAD */ || memsz == 0)
		return 0;
	if (filesz > memsz || off > len || filesz > len - off ||
	    how->phys(vaddr, paddr, &pa) < 0 || pa + memsz < pa || pa + memsz > how->phys_limit) {
		kx_err(ctx, "cannot load kernel %s: ELF segment %u has impossible sizes or "
			    "addresses (offset %#" PRIx64 ", filesz %#" PRIx64 ", memsz %#" PRIx64
			    ", paddr %#" PRIx64 ")",
		       l->req->kernel, i, off, filesz, memsz, paddr);
		return -ENOEXEC;
	}
	if (nloads + 3 >= KEXEC_SEGMENT_MAX) {
		kx_err(ctx, "cannot load kernel %s: too many PT_LOAD segments for kexec_load",
		       l->req->kernel);
		return -E2BIG;
	}
	/* Page-align the destination; an unaligned start needs a padded copy. */
	pad = pa & (ps - 1);
	start = pa - pad;
	sz = (pad + memsz + ps - 1) & ~(ps - 1);
	buf = e + off;
	if (pad) {
		uint8_t *copy = calloc(1, pad + filesz);

		if (!copy)
			return -ENOMEM;
		memcpy(copy + pad, e + off, filesz);
		r = kx_load_keep(l, copy);
		if (r < 0)
			return r;
		buf = copy;
	}
	r = elf_place(ctx, l, how, i, pa, start, sz);
	if (r == 0)
		r = kx_load_add_segment(l, LIBKEXEC_SEGMENT_KERNEL, buf, pad + filesz, start, sz);
	if (r < 0)
		return r;
	/* The entry is physical in p_paddr's terms, or virtual: translate it. */
	if (e_entry >= paddr && e_entry - paddr < memsz)
		*phys_entry = pa + (e_entry - paddr);
	else if (e_entry >= vaddr && e_entry - vaddr < memsz)
		*phys_entry = pa + (e_entry - vaddr);
	return 1;
}

int kx_load_elf_segments(struct kexec_ctx *ctx, struct kx_load *l, const struct kx_elf_load *how,
			 uint64_t *phys_entry)
{
	const uint8_t *e = l->kernel.addr;
	size_t nloads = 0;
	uint64_t phoff;
	uint16_t phentsize, phnum;
	int r;

	*phys_entry = UINT64_MAX;
	r = elf_header(ctx, l, how, &phoff, &phentsize, &phnum);
	if (r < 0)
		return r;
	for (uint16_t i = 0; i < phnum; i++) {
		r = elf_segment(ctx, l, how, e + phoff + (uint64_t)i * phentsize, i, nloads,
				phys_entry);
		if (r < 0)
			return r;
		nloads += (size_t)r;
	}
	if (!nloads) {
		kx_err(ctx, "cannot load kernel %s: ELF file has no PT_LOAD segment", l->req->kernel);
		return -ENOEXEC;
	}
	if (*phys_entry == UINT64_MAX) {
		kx_err(ctx, "cannot load kernel %s: the ELF entry point %#" PRIx64
			    " lies in no PT_LOAD segment",
		       l->req->kernel, kx_le64(e + 24));
		return -ENOEXEC;
	}
	return 0;
}
