/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's run-time choice of SHA-256 block function on x86_64
 * (lib/arch/x86_64/sha256.c): the CPU's SHA extensions (the "hw" path), AVX2
 * or SSE2 lanes, or the portable C, from CPUID. Everything it declares, the
 * switches the tests use to turn paths off (kx_sha256_hw_disabled,
 * kx_sha256_x8_disabled, kx_sha256_x4_disabled) included, is in
 * purgatory/common/sha256.h, which every architecture shares; this header
 * remains for the code that includes it.
 */
#ifndef LIBKEXEC_SHA256_X86_H
#define LIBKEXEC_SHA256_X86_H

#include "sha256.h"

#endif
