/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ELF vmlinux files as an image format, for any architecture's table. */
#ifndef LIBKEXEC_ELF_VMLINUX_H
#define LIBKEXEC_ELF_VMLINUX_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

/*
 * Whether buf is a Linux vmlinux: a 64-bit little-endian ELF executable for
 * e_machine with program headers inside the file and at least one PT_LOAD,
 * at least one PT_LOAD (the text) in the upper (kernel) half of the address
 * space. 0,
 * or -ENOEXEC with a one-line *reason: a string literal, or msg->text (the
 * caller's, as kx_format.probe's; msg may be NULL only when reason is).
 */
int kx_elf_vmlinux_probe(const void *buf, size_t len, uint16_t machine, const char **reason,
			 struct kx_msg *msg);

/*
 * head_size for ELF vmlinux formats: -ENOEXEC unless head begins a 64-bit
 * little-endian ELF executable for machine; then the file's extent as its
 * headers declare it (the section header table's end, or the furthest
 * segment's), 0 when the program headers lie past the head or say nothing.
 */
int64_t kx_elf_vmlinux_head_size(const void *head, size_t len, uint16_t machine,
				 const char **reason, struct kx_msg *msg);

/*
 * A format for an architecture that cannot boot its ELF vmlinux through
 * kexec_load (it runs at a virtual link address): listed so that -t names it
 * and a probe of one says why it is refused (why_refused) instead of "not an
 * Image". Defines const struct kx_format SYM.
 */
int kx_elf_vmlinux_refuse(const void *buf, size_t len, uint16_t machine, const char *why_refused,
			  const char **reason, struct kx_msg *msg);
#define KX_ELF_REFUSED_FORMAT(SYM, NAME, MACHINE, SUMMARY, WHY)                                   \
	KX_ELF_REFUSED_FORMAT_BY(SYM, NAME, MACHINE, SUMMARY, WHY, kx_elf_vmlinux_refuse,          \
				 kx_elf_vmlinux_head_size, EINVAL)
/* The body of both: REFUSE and HEAD the class's functions, ERRNO the format's file_wrong_format_errno. */
#define KX_ELF_REFUSED_FORMAT_BY(SYM, NAME, MACHINE, SUMMARY, WHY, REFUSE, HEAD, ERRNO)           \
	static int SYM##_probe(const void *buf, size_t len, struct kexec_image_info *info,        \
			       const char **reason, struct kx_msg *msg)                            \
	{                                                                                          \
		(void)info;                                                                        \
		return REFUSE(buf, len, MACHINE, WHY, reason, msg);                                \
	}                                                                                          \
	static int64_t SYM##_head_size(const void *head, size_t len, const char **reason,        \
				       struct kx_msg *msg)                                         \
	{                                                                                          \
		return HEAD(head, len, MACHINE, reason, msg);                                      \
	}                                                                                          \
	static const char *const SYM##_aliases[] = { "elf", "vmlinux", NULL };                    \
	const struct kx_format SYM = {                                                             \
		.type = { .name = NAME, .aliases = SYM##_aliases, .summary = SUMMARY },            \
		.probe = SYM##_probe,                                                              \
		.cmdline_limit_what = "COMMAND_LINE_SIZE",                                         \
		.file_wrong_format_errno = ERRNO,                                                  \
		.head_size = SYM##_head_size,                                                      \
	}

/*
 * The same for a 32-bit kernel's ELF vmlinux (ELFCLASS32, little-endian;
 * i386, 32-bit ARM), which this library recognises and refuses: why_refused
 * names what to load instead. head_size: 0 for such a file (its size is not
 * needed to refuse it), -ENOEXEC for anything else.
 */
int kx_elf32_vmlinux_refuse(const void *buf, size_t len, uint16_t machine,
			    const char *why_refused, const char **reason, struct kx_msg *msg);
int64_t kx_elf32_vmlinux_head_size(const void *head, size_t len, uint16_t machine,
				   const char **reason, struct kx_msg *msg);
#define KX_ELF32_REFUSED_FORMAT(SYM, NAME, MACHINE, SUMMARY, WHY)                                 \
	KX_ELF_REFUSED_FORMAT_BY(SYM, NAME, MACHINE, SUMMARY, WHY, kx_elf32_vmlinux_refuse,        \
				 kx_elf32_vmlinux_head_size, ENOSYS)

/* kexec_load of an ELF vmlinux where it is linked (x86_64, mips). */
struct kx_elf_load {
	uint16_t machine;          /* e_machine */
	const char *machine_name;  /* for messages */
	/* A PT_LOAD's physical address from its p_vaddr and p_paddr; <0: impossible. */
	int (*phys)(uint64_t vaddr, uint64_t paddr, uint64_t *pa);
	uint64_t phys_limit;       /* every segment ends at or below this */
	const char *crash_hint;    /* why a crash load of it may not fit, and what to do */
};
/*
 * Each PT_LOAD as a "kernel" segment at its physical address (page-aligned,
 * in RAM, free: reserved in l->alloc), and *phys_entry the entry point's
 * physical address. Errors logged naming the kernel: -ENOEXEC (not such an
 * ELF, impossible segments, an entry outside them), -EADDRNOTAVAIL (not RAM,
 * outside the crash region), -E2BIG (too many segments), -ENOMEM.
 */
int kx_load_elf_segments(struct kexec_ctx *ctx, struct kx_load *l, const struct kx_elf_load *how,
			 uint64_t *phys_entry);

#endif
