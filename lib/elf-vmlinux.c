/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "elf-vmlinux.h"
#include "libkexec-internal.h"

static int reject(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return -ENOEXEC;
}

/* A 64-bit little-endian ELF file for machine: 0, or -ENOEXEC with *reason. */
static int elf64_for(const uint8_t *e, size_t len, uint16_t machine, const char **reason)
{
	if (len < 64 || memcmp(e, "\177ELF", 4))
		return reject(reason, "not an ELF file");
	if (e[4] != 2 || e[5] != 1)
		return reject(reason, "not a 64-bit little-endian ELF file");
	if (kx_le16(e + 18) != machine) {
		static __thread char why[96];

		snprintf(why, sizeof(why), "an ELF file for machine %u, not this architecture's (%u)",
			 kx_le16(e + 18), machine);
		return reject(reason, why);
	}
	return 0;
}

int kx_elf_vmlinux_probe(const void *buf, size_t len, uint16_t machine, const char **reason)
{
	const uint8_t *e = buf;
	uint64_t phoff;
	uint16_t phentsize, phnum, i;

	if (elf64_for(e, len, machine, reason) < 0)
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
				 const char **reason)
{
	const uint8_t *e = head;
	uint64_t phoff, shoff, end;
	uint16_t phentsize, phnum;

	if (elf64_for(e, len, machine, reason) < 0)
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
			  const char **reason)
{
	if (kx_elf_vmlinux_probe(buf, len, machine, reason) < 0)
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
			    const char *why_refused, const char **reason)
{
	const uint8_t *e = buf;
	uint32_t phoff;
	uint16_t phentsize, phnum;

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
				   const char **reason)
{
	const uint8_t *e = head;

	if (len < 52 || memcmp(e, "\177ELF", 4) || e[4] != 1 || kx_le16(e + 18) != machine)
		return reject(reason, "not a 32-bit ELF file for this machine");
	return 0;
}
