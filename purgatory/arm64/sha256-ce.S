/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 blocks with the ARMv8 Crypto Extensions (FEAT_SHA256: sha256h,
 * sha256h2, sha256su0, sha256su1), arm64's "hw" path
 * (purgatory/common/sha256.h; x86_64's is ../x86_64/sha256-ni.S).
 *
 *   void kx_sha256_hw_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);
 *
 * Same contract as kx_sha256_blocks_portable() in purgatory/common/sha256.c:
 * h is the state as FIPS 180-4 orders it (a..h), p any alignment (ld1 of
 * bytes: no alignment fault where the memory is Normal), nblocks >= 0.
 * Assembled into the arm64 purgatory and, on arm64 hosts, into the library,
 * so the loader and the purgatory use the same code. Callers check the CPU
 * first (ID_AA64ISAR0_EL1.SHA2 in the purgatory, HWCAP_SHA2 in the library).
 * Position independent: the round constants are reached with adrp/add
 * (R_AARCH64_ADR_PREL_PG_HI21 and R_AARCH64_ADD_ABS_LO12_NC in the
 * purgatory). Uses v0-v7 and v16-v31 only (no callee-saved register), and no
 * stack.
 *
 * The state needs no shuffling: sha256h takes a..d in one register (a in
 * lane 0) and e..h in the other, as ld1 {.4s} loads them from h[]. Per four
 * rounds: one add of W + K, sha256h for the new a..d, sha256h2 (with the old
 * a..d) for the new e..h, and for rounds 0-47 the schedule of the four words
 * twelve quads later: sha256su0 then sha256su1 in place of the words just used.
 */
#if defined(__aarch64__)

	.arch	armv8-a+crypto

/* Registers: the state, a copy of a..d, W + K, the block's start state. */
#define ABCD	v0
#define EFGH	v1
#define TMP	v2
#define WK	v3
#define ABCD0	v4
#define EFGH0	v5
/* The message schedule: v16-v19; round constants: v20-v31 (0-47), v6, v7 (48-63). */

	.text

/*
 * Four rounds (quad q) on the schedule register m, then (sched=1) the words
 * of quad q + 4 in m: m = su1(su0(m, m1), m2, m3).
 */
.macro	QUAD m, k, m1=, m2=, m3=, sched=0
	add	WK.4s, \m\().4s, \k\().4s
	.if \sched
	sha256su0	\m\().4s, \m1\().4s
	.endif
	mov	TMP.16b, ABCD.16b
	sha256h		q0, q1, WK.4s
	sha256h2	q1, q2, WK.4s
	.if \sched
	sha256su1	\m\().4s, \m2\().4s, \m3\().4s
	.endif
.endm

	.globl	kx_sha256_hw_blocks
	.hidden	kx_sha256_hw_blocks
	.type	kx_sha256_hw_blocks, %function
	.balign	16
kx_sha256_hw_blocks:
	cbz	x2, 2f
	adrp	x3, .Lk256
	add	x3, x3, :lo12:.Lk256
	/* Constants 0-47 stay in v20-v31; 48-63 are loaded in each block into v6 and v7. */
	ld1	{v20.4s-v23.4s}, [x3], #64
	ld1	{v24.4s-v27.4s}, [x3], #64
	ld1	{v28.4s-v31.4s}, [x3], #64
	ld1	{ABCD.4s, EFGH.4s}, [x0]
1:
	ld1	{v16.16b-v19.16b}, [x1], #64
	mov	ABCD0.16b, ABCD.16b
	mov	EFGH0.16b, EFGH.16b
	rev32	v16.16b, v16.16b
	rev32	v17.16b, v17.16b
	rev32	v18.16b, v18.16b
	rev32	v19.16b, v19.16b
	/* Rounds 0-47: each quad also schedules the quad four later. */
	QUAD	v16, v20, v17, v18, v19, 1
	QUAD	v17, v21, v18, v19, v16, 1
	QUAD	v18, v22, v19, v16, v17, 1
	QUAD	v19, v23, v16, v17, v18, 1
	QUAD	v16, v24, v17, v18, v19, 1
	QUAD	v17, v25, v18, v19, v16, 1
	QUAD	v18, v26, v19, v16, v17, 1
	QUAD	v19, v27, v16, v17, v18, 1
	QUAD	v16, v28, v17, v18, v19, 1
	QUAD	v17, v29, v18, v19, v16, 1
	QUAD	v18, v30, v19, v16, v17, 1
	QUAD	v19, v31, v16, v17, v18, 1
	/* Rounds 48-63: nothing left to schedule; their constants from memory (x3). */
	ld1	{v6.4s, v7.4s}, [x3]
	QUAD	v16, v6
	QUAD	v17, v7
	ldr	q6, [x3, #32]
	ldr	q7, [x3, #48]
	QUAD	v18, v6
	QUAD	v19, v7
	add	ABCD.4s, ABCD.4s, ABCD0.4s
	add	EFGH.4s, EFGH.4s, EFGH0.4s
	subs	x2, x2, #1
	b.ne	1b
	st1	{ABCD.4s, EFGH.4s}, [x0]
2:	ret
	.size	kx_sha256_hw_blocks, . - kx_sha256_hw_blocks

	.section .rodata
	.balign	16
.Lk256:
	.long	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5
	.long	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	.long	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3
	.long	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	.long	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc
	.long	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	.long	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7
	.long	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	.long	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13
	.long	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	.long	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3
	.long	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	.long	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5
	.long	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	.long	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208
	.long	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2

#endif /* __aarch64__ */

	.section .note.GNU-stack, "", %progbits
