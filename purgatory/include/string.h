/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The purgatories have no libc. xxhash.h (Debian's libxxhash-dev, included by
 * ../common/xxh3.c) includes <string.h> for memcpy (and, 0.8.3, memset and
 * memcmp), <stdlib.h> for malloc and
 * free (used only by its streaming API, which the purgatories never call) and
 * <assert.h> for static_assert, and <limits.h> for its integer limits: these
 * headers give it exactly that, and nothing else includes them. Anything
 * left as a call to a libc function is an undefined symbol, which
 * build-purgatory.py refuses.
 */
#ifndef KX_PURGATORY_STRING_H
#define KX_PURGATORY_STRING_H

#include <stddef.h>
#include <stdint.h>

/*
 * xxhash.h reads words as memcpy(&v, p, 8). Where p is 8-aligned, one load
 * (the test folds away where GCC knows the alignment); otherwise byte by
 * byte: riscv64, and arm64 with the MMU off (-mstrict-align), fault or trap
 * on unaligned loads, and GCC would make an unaligned 8-byte copy there a
 * call to memcpy, which the purgatory has not.
 */
static inline __attribute__((always_inline)) void *kx_purgatory_memcpy(void *d, const void *s,
									size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (__builtin_constant_p(n) && n == 8 && !((uintptr_t)s & 7))
		return __builtin_memcpy(d, __builtin_assume_aligned(s, 8), 8);
	for (size_t i = 0; i < n; i++)
		dp[i] = sp[i];
	return d;
}
#define memcpy(d, s, n) kx_purgatory_memcpy((d), (s), (n))

/*
 * Named by xxhash.h's streaming and comparison functions (0.8.3), which the
 * purgatories never call: byte loops, gone from the object when unused.
 */
static inline void *kx_purgatory_memset(void *d, int c, size_t n)
{
	unsigned char *dp = d;

	for (size_t i = 0; i < n; i++)
		dp[i] = (unsigned char)c;
	return d;
}
#define memset(d, c, n) kx_purgatory_memset((d), (c), (n))

static inline int kx_purgatory_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *ap = a, *bp = b;

	for (size_t i = 0; i < n; i++)
		if (ap[i] != bp[i])
			return ap[i] < bp[i] ? -1 : 1;
	return 0;
}
#define memcmp(a, b, n) kx_purgatory_memcmp((a), (b), (n))

#endif
