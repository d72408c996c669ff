/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* riscv64's formats and loader, internal to lib/arch/riscv64/ and its tests. */
#ifndef LIBKEXEC_ARCH_RISCV64_H
#define LIBKEXEC_ARCH_RISCV64_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

#define KX_RISCV64_FLAG_BE 0x1ULL
/* arch/riscv/include/uapi/asm/setup.h */
#define KX_RISCV64_COMMAND_LINE_SIZE 1024
/* purgatory/riscv64: arch[0] bits */
#define KX_RISCV64_PF_ZKNH 0x1ULL /* every hart has the scalar SHA-256 instructions */
/*
 * purgatory/riscv64: arch[1], the hart ids (a bit each, below 64) of the
 * processors in the device tree the load carries, whose SBI HSM state the
 * purgatory reads on entry and waits, up to a second, to see stopped;
 * arch[2], their timebase-frequency (ticks of the time CSR a second; 0:
 * unknown, the purgatory assumes QEMU virt's 10 MHz).
 */
#define KX_RISCV64_ARCH_HARTS 1
#define KX_RISCV64_ARCH_TIMEBASE 2

struct kx_riscv64_image {
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
	uint32_t version;   /* major << 16 | minor */
};

/* The header of a riscv64 Image (the whole file, len bytes). 0, or -ENOEXEC with *reason. */
int kx_riscv64_image_read(const void *buf, size_t len, struct kx_riscv64_image *img,
			  const char **reason);
/* Whether every "isa" line of cpuinfo (NUL-terminated) names Zknh (zknh, zkn or zk). */
int kx_riscv64_isa_has_zknh(const char *cpuinfo);

extern const struct kx_format kx_format_riscv64_image;
extern const struct kx_format kx_format_riscv64_elf;

int kx_riscv64_load_image(struct kexec_ctx *ctx, struct kx_load *l);

#endif
