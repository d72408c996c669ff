/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's run-time choice of SHA-256 block function (lib/arch/x86_64/sha256.c):
 * the CPU's SHA extensions, AVX2 or SSE2 lanes, or the portable C, from CPUID
 * (purgatory/common/sha256.h declares them all). Internal; the tests turn paths off
 * with these switches to run every one on this machine.
 */
#ifndef LIBKEXEC_SHA256_X86_H
#define LIBKEXEC_SHA256_X86_H

#include <stdbool.h>

#include "sha256.h"

/* kx_sha256_ni_usable(): SHA, SSSE3 and SSE4.1 in CPUID, unless disabled. */
extern bool kx_sha256_ni_disabled;
/* kx_sha256_x8_usable(): AVX2 in CPUID and the AVX state in XCR0, unless disabled. */
extern bool kx_sha256_x8_disabled;
/* kx_sha256_x4_usable(): always (SSE2 is part of x86_64, NEON of arm64), unless disabled. */
extern bool kx_sha256_x4_disabled;

#endif
