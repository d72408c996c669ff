/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lane functions sha256.c names, for purgatories without vector lanes
 * (riscv64, 32-bit ARM): never usable, and correct should they run anyway
 * (the four messages one after the other, with the portable block code).
 * Each purgatory still says itself whether its "hw" path is usable.
 */
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

int kx_sha256_x4_usable(void)
{
	return 0;
}

void kx_sha256_x4_blocks(uint32_t *const state[4], const uint8_t *const p[4], size_t nblocks)
{
	for (unsigned int i = 0; i < 4; i++)
		kx_sha256_blocks_portable(state[i], p[i], nblocks);
}

int kx_sha256_x8_usable(void)
{
	return 0;
}
