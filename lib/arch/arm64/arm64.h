/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* arm64's formats and loader, internal to lib/arch/arm64/ and its tests. */
#ifndef LIBKEXEC_ARCH_ARM64_H
#define LIBKEXEC_ARCH_ARM64_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

#define KX_ARM64_FLAG_BE 0x1ULL
#define KX_ARM64_FLAG_ANYWHERE 0x8ULL
/* arch/arm64/include/uapi/asm/setup.h */
#define KX_ARM64_COMMAND_LINE_SIZE 2048

struct kx_arm64_image {
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
	uint64_t page_size; /* from the flags; 0: not said */
};

/* The header of an arm64 Image (the whole file, len bytes). 0, or -ENOEXEC with *reason. */
int kx_arm64_image_read(const void *buf, size_t len, struct kx_arm64_image *img,
			const char **reason);

extern const struct kx_format kx_format_arm64_image;
extern const struct kx_format kx_format_arm64_elf;

int kx_arm64_load_image(struct kexec_ctx *ctx, struct kx_load *l);

#endif
