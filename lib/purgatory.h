/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Purgatories: small freestanding programs that run between the old kernel and
 * the new one (purgatory/<arch>/). Each is embedded into libkexec as an ELF
 * relocatable object (ET_REL); the loader lays out its SHF_ALLOC sections,
 * writes its parameter block (struct kx_purgatory_params, by symbol name),
 * and relocates it for the address it will run at, as the kernel's
 * kexec_file does with its own purgatory.
 */
#ifndef LIBKEXEC_PURGATORY_H
#define LIBKEXEC_PURGATORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libkexec-internal.h"
/* struct kx_purgatory_params, shared with every purgatory (purgatory/common/params.h). */
#include "params.h"

/*
 * One machine's RELA relocations (lib/arch/<arch>/reloc.c), as the kernel's
 * arch_kexec_apply_relocations_add() applies them.
 */
struct kx_reloc_ops {
	uint16_t e_machine;
	/* Bytes the field of this type spans; 0 for a type that is not applied. */
	unsigned int (*width)(uint32_t type);
	/*
	 * Write the field at loc for value sa = S + A at address pc = P. 0, or
	 * -ERANGE when the value does not fit the field (nothing written).
	 */
	int (*apply)(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc);
	/*
	 * Optional (NULL: none). For a type whose value is another relocation's,
	 * the type that relocation must have; 0 for every other type. RISC-V's
	 * PCREL_LO12_I and _S complete the auipc that carries a PCREL_HI20, and
	 * their symbol (+ addend) marks that auipc: kx_purgatory_relocate() finds
	 * the partner in the same section at that offset and passes apply() its
	 * S + A and P in place of the pair's own.
	 */
	uint32_t (*pair)(uint32_t type);
	/*
	 * For machines whose objects use SHT_REL (32-bit ARM): the addend a
	 * field of this type holds (read from the blob, width(type) bytes at
	 * loc). NULL: SHT_REL sections are refused.
	 */
	int64_t (*rel_addend)(const uint8_t *loc, uint32_t type);
	/*
	 * Optional (NULL: the standard form). An ELF64 r_info as this machine
	 * writes it, in ELF64_R_INFO(sym, type) form: MIPS n64 puts r_sym in
	 * the low word and up to three types in the top bytes (a composed
	 * relocation comes back with a type width() refuses).
	 */
	uint64_t (*info)(uint64_t r_info);
	/*
	 * Optional (NULL: none). For a machine whose code reaches its data
	 * through a TOC pointer (ppc64's r2, which the purgatory's entry sets to
	 * its image's base + toc_offset): the types measured from it, for which
	 * apply() gets S + A less that pointer.
	 */
	bool (*toc_relative)(uint32_t type);
	uint64_t toc_offset;
};
/* Where purgatory/ppc64/entry.S points r2: purgatory_start (offset 0) + this. */
#define KX_PPC64_TOC_OFFSET 0x8000
extern const struct kx_reloc_ops kx_reloc_x86_64;
extern const struct kx_reloc_ops kx_reloc_aarch64;
extern const struct kx_reloc_ops kx_reloc_riscv64;
extern const struct kx_reloc_ops kx_reloc_arm;
extern const struct kx_reloc_ops kx_reloc_i386;
extern const struct kx_reloc_ops kx_reloc_mips64;
extern const struct kx_reloc_ops kx_reloc_s390x;
extern const struct kx_reloc_ops kx_reloc_ppc64;

struct kx_purgatory {
	uint8_t *buf;        /* the laid-out image: bufsz bytes of data ... */
	size_t bufsz;
	size_t memsz;        /* ... then memsz - bufsz bytes of .bss */
	size_t align;        /* the largest section alignment */
	uint64_t base;       /* where it runs; 0 until relocated */
	/* private: the parsed object */
	const uint8_t *elf;
	size_t elf_len;
	uint64_t *sec_off;   /* per section: offset in buf, or UINT64_MAX if not allocated */
};

/*
 * The embedded blobs (generated at build time). A size of 0 means this
 * library was built without that purgatory (no compiler for its machine:
 * purgatory/meson.build); the array then holds one zero byte.
 */
extern const unsigned char kx_purgatory_x86_64_blob[];
extern const size_t kx_purgatory_x86_64_blob_size;
extern const unsigned char kx_purgatory_aarch64_blob[];
extern const size_t kx_purgatory_aarch64_blob_size;
extern const unsigned char kx_purgatory_riscv64_blob[];
extern const size_t kx_purgatory_riscv64_blob_size;
extern const unsigned char kx_purgatory_arm_blob[];
extern const size_t kx_purgatory_arm_blob_size;
extern const unsigned char kx_purgatory_i386_blob[];
extern const size_t kx_purgatory_i386_blob_size;
extern const unsigned char kx_purgatory_mips64_blob[];
extern const size_t kx_purgatory_mips64_blob_size;
extern const unsigned char kx_purgatory_s390x_blob[];
extern const size_t kx_purgatory_s390x_blob_size;
extern const unsigned char kx_purgatory_ppc64_blob[];
extern const size_t kx_purgatory_ppc64_blob_size;

/* Parse and lay out an ET_REL purgatory; -ENOEXEC (logged) if malformed. */
int kx_purgatory_init(struct kexec_ctx *ctx, struct kx_purgatory *p, const void *elf, size_t len);
/* Write len bytes into the variable named name (size must match the symbol's). */
int kx_purgatory_set(struct kx_purgatory *p, const char *name, const void *val, size_t len);
int kx_purgatory_get(const struct kx_purgatory *p, const char *name, void *val, size_t len);
/*
 * The parameter block KX_PURGATORY_PARAMS: written whole (in the host's byte
 * order: every purgatory machine we build is little-endian, as are the hosts
 * kx_purgatory_init() accepts blobs on) and read back. -ENOENT when the blob
 * has no such symbol, -EINVAL when its size is not the structure's.
 */
int kx_purgatory_set_params(struct kx_purgatory *p, const struct kx_purgatory_params *pp);
int kx_purgatory_get_params(const struct kx_purgatory *p, struct kx_purgatory_params *pp);
/* Absolute address of a symbol once relocated (base + offset). */
int kx_purgatory_symbol_addr(const struct kx_purgatory *p, const char *name, uint64_t *addr);
/* Apply the relocations for running at base. Call once, after placement. */
int kx_purgatory_relocate(struct kexec_ctx *ctx, struct kx_purgatory *p, uint64_t base);
void kx_purgatory_free(struct kx_purgatory *p);

/* SHA-256, the same code the purgatory runs (purgatory/common/sha256.c). */
#include "sha256.h"
#include "xxh3.h"

#endif
