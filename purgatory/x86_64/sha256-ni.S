/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 blocks with the x86 SHA extensions (SHA-NI: sha256rnds2,
 * sha256msg1, sha256msg2; plus SSSE3 pshufb/palignr and SSE4.1 pblendw).
 *
 *   void kx_sha256_hw_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);
 *
 * x86_64's "hw" path (purgatory/common/sha256.h; arm64's is ../arm64/sha256-ce.S).
 *
 * Same contract as kx_sha256_blocks_portable() in purgatory/common/sha256.c: h is the
 * state as FIPS 180-4 orders it (a..h), p any alignment, nblocks >= 0.
 * Assembled into the x86_64 purgatory and into the library, so the loader and
 * the purgatory use the same code. Callers check CPUID first (SHA, SSSE3,
 * SSE4.1; the purgatory also enables SSE). Position independent: the
 * constants are reached RIP-relative (R_X86_64_PC32 in the purgatory, resolved
 * at link time in the library). Uses xmm0-xmm10 only, no stack.
 *
 * Layout as in Intel's reference code: STATE0 holds ABEF, STATE1 CDGH (each
 * with the first-named word in the high lane), MSG (xmm0, sha256rnds2's
 * implicit operand) the current four message words plus round constants,
 * M0-M3 the message schedule, sixteen words in four registers.
 * bench/load.sh counts the instructions of the loop body (between
 * kx_sha256_ni_loop and kx_sha256_ni_loop_end, both local symbols): the code
 * has no branch but the loop's.
 */
#ifdef __x86_64__

#define MSG	%xmm0
#define STATE0	%xmm1
#define STATE1	%xmm2
#define M0	%xmm3
#define M1	%xmm4
#define M2	%xmm5
#define M3	%xmm6
#define TMP	%xmm7
#define SHUF	%xmm8
#define ABEF	%xmm9
#define CDGH	%xmm10

	.text

/* Rounds 4q..4q+3 on the loaded words in M (q = 0..3): load, byte-swap, keep. */
.macro LOAD_ROUNDS q, m
	movdqu	16*\q(%rsi), MSG
	pshufb	SHUF, MSG
	movdqa	MSG, \m
	paddd	.Lk256+16*\q(%rip), MSG
	sha256rnds2	STATE0, STATE1
	pshufd	$0x0e, MSG, MSG
	sha256rnds2	STATE1, STATE0
.endm

/*
 * Rounds 4q..4q+3 (q = 3..14) with the schedule: cur holds W[4q..4q+3],
 * prev W[4q-4..4q-1]; next (W[4q-12..]) becomes W[4q+4..4q+7]; with msg1,
 * sha256msg1 starts the words in m1dst.
 */
.macro SCHED_ROUNDS q, cur, prev, next, m1dst, msg1=1
	movdqa	\cur, MSG
	paddd	.Lk256+16*\q(%rip), MSG
	sha256rnds2	STATE0, STATE1
	movdqa	\cur, TMP
	palignr	$4, \prev, TMP
	paddd	TMP, \next
	sha256msg2	\cur, \next
	pshufd	$0x0e, MSG, MSG
	sha256rnds2	STATE1, STATE0
	.if \msg1
	sha256msg1	\cur, \m1dst
	.endif
.endm

/* The last four rounds: nothing left to schedule. */
.macro LAST_ROUNDS q, cur
	movdqa	\cur, MSG
	paddd	.Lk256+16*\q(%rip), MSG
	sha256rnds2	STATE0, STATE1
	pshufd	$0x0e, MSG, MSG
	sha256rnds2	STATE1, STATE0
.endm

	.globl	kx_sha256_hw_blocks
	.hidden	kx_sha256_hw_blocks
	.type	kx_sha256_hw_blocks, @function
kx_sha256_hw_blocks:
	test	%rdx, %rdx
	jz	.Ldone
	shl	$6, %rdx
	add	%rsi, %rdx			/* end of the input */

	movdqa	.Lbswap_mask(%rip), SHUF
	movdqu	0(%rdi), STATE0			/* a b c d (a in the low lane) */
	movdqu	16(%rdi), STATE1		/* e f g h */
	pshufd	$0xb1, STATE0, STATE0		/* b a d c */
	pshufd	$0x1b, STATE1, STATE1		/* h g f e */
	movdqa	STATE0, TMP
	palignr	$8, STATE1, STATE0		/* f e b a: ABEF */
	pblendw	$0xf0, TMP, STATE1		/* h g d c: CDGH */

kx_sha256_ni_loop:
	movdqa	STATE0, ABEF
	movdqa	STATE1, CDGH

	LOAD_ROUNDS 0, M0
	LOAD_ROUNDS 1, M1
	sha256msg1	M1, M0
	LOAD_ROUNDS 2, M2
	sha256msg1	M2, M1
	LOAD_ROUNDS 3, M3
	/* Rounds 12-15 leave W[16..19] in M0 (the schedule part of SCHED_ROUNDS 3). */
	movdqa	M3, TMP
	palignr	$4, M2, TMP
	paddd	TMP, M0
	sha256msg2	M3, M0
	sha256msg1	M3, M2

	SCHED_ROUNDS 4, M0, M3, M1, M3
	SCHED_ROUNDS 5, M1, M0, M2, M0
	SCHED_ROUNDS 6, M2, M1, M3, M1
	SCHED_ROUNDS 7, M3, M2, M0, M2
	SCHED_ROUNDS 8, M0, M3, M1, M3
	SCHED_ROUNDS 9, M1, M0, M2, M0
	SCHED_ROUNDS 10, M2, M1, M3, M1
	SCHED_ROUNDS 11, M3, M2, M0, M2
	SCHED_ROUNDS 12, M0, M3, M1, M3
	SCHED_ROUNDS 13, M1, M0, M2, M0, 0
	SCHED_ROUNDS 14, M2, M1, M3, M1, 0
	LAST_ROUNDS 15, M3

	paddd	ABEF, STATE0
	paddd	CDGH, STATE1
	add	$64, %rsi
	cmp	%rdx, %rsi
	jne	kx_sha256_ni_loop
kx_sha256_ni_loop_end:

	pshufd	$0x1b, STATE0, STATE0		/* a b e f */
	pshufd	$0xb1, STATE1, STATE1		/* d c h g */
	movdqa	STATE0, TMP
	pblendw	$0xf0, STATE1, STATE0		/* a b c d */
	palignr	$8, TMP, STATE1			/* e f g h */
	movdqu	STATE0, 0(%rdi)
	movdqu	STATE1, 16(%rdi)
.Ldone:
	ret
	.size	kx_sha256_hw_blocks, . - kx_sha256_hw_blocks

	.section .rodata
	.balign	16
.Lbswap_mask:
	.octa	0x0c0d0e0f08090a0b0405060700010203
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

#endif /* __x86_64__ */

	.section .note.GNU-stack, "", @progbits
