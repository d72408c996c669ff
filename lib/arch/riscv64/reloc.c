/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* riscv64 RELA relocations for the purgatory: filled in with purgatory/riscv64. */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "purgatory.h"

static unsigned int width(uint32_t type)
{
	(void)type;
	return 0;
}

static int apply(uint8_t *loc, uint32_t type, uint64_t sa, uint64_t pc)
{
	(void)loc, (void)type, (void)sa, (void)pc;
	return -ENOEXEC;
}

const struct kx_reloc_ops kx_reloc_riscv64 = { EM_RISCV, width, apply };
