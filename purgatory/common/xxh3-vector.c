/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xxh3.c again, with xxhash.h's SSE2 (x86_64) or NEON (arm64) code: the
 * *_vector functions, for a purgatory that has turned its vector registers on
 * (and, on arm64, its MMU: the vector code reads at any alignment).
 */
#define KX_XXH3_VECTOR 1
#include "xxh3.c"
