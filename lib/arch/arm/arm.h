/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 32-bit ARM's formats and loader, internal to lib/arch/arm/ and its tests. */
#ifndef LIBKEXEC_ARCH_ARM_H
#define LIBKEXEC_ARCH_ARM_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

/* arch/arm/include/uapi/asm/setup.h */
#define KX_ARM_COMMAND_LINE_SIZE 1024

struct kx_arm_zimage {
	uint32_t size;        /* end - start: the zImage proper (an appended DTB follows it) */
	uint32_t unpacked;    /* the decompressed kernel's text and data (0: not said) */
	uint32_t bss;         /* its .bss (0: not said) */
};

/* The header of a zImage (the whole file, len bytes). 0, or -ENOEXEC with *reason. */
int kx_arm_zimage_read(const void *buf, size_t len, struct kx_arm_zimage *z, const char **reason);

extern const struct kx_format kx_format_arm_zimage;
extern const struct kx_format kx_format_arm_elf;

int kx_arm_load_zimage(struct kexec_ctx *ctx, struct kx_load *l);

#endif
