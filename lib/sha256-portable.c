/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 paths on hosts whose library uses the portable C only (no SHA-256
 * instructions or vector lanes: any host but x86_64, arm64 and riscv64, so
 * 32-bit ARM, i386, MIPS, s390x; purgatory/common/sha256.c).
 * The switches exist so that the tests' code is the same on every host.
 */
#include <stdbool.h>

#include "sha256.h"

bool kx_sha256_hw_disabled;
bool kx_sha256_x4_disabled;
bool kx_sha256_x8_disabled;

int kx_sha256_hw_usable(void)
{
	return 0;
}

int kx_sha256_x4_usable(void)
{
	return 0;
}

int kx_sha256_x8_usable(void)
{
	return 0;
}
