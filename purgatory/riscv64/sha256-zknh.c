/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 blocks with the RISC-V scalar crypto instructions (Zknh):
 * sha256sum0/sum1 are the rounds' Sigma0/Sigma1, sha256sig0/sig1 the message
 * schedule's sigma0/sigma1, one instruction each where the portable C
 * spends three 32-bit rotations (three instructions each without Zbb) and
 * two XORs. The rounds are sha256-rounds.h's, the same as the portable
 * code's, with those four functions replaced; the compiler schedules the
 * rest. The "hw" path of purgatory/common/sha256.c (kx_sha256_hw_blocks):
 * in the purgatory when kx_zknh says so (purgatory.c), in the library on
 * riscv64 hosts when the kernel reports Zknh (lib/arch/riscv64/sha256.c).
 *
 * The instructions are written with .insn (OP-IMM, funct3 1, funct12
 * 0x100-0x103), so that any assembler takes them whatever -march says; on
 * RV64 each reads the low 32 bits of rs1 and writes the sign-extended
 * 32-bit result. Message words are read byte by byte (big-endian, any
 * alignment): with the MMU off a misaligned load may trap to the firmware.
 */
#include "sha256.h"
#include "sha256-rounds.h"

#define ZKNH(funct12, x)                                                              \
	({                                                                            \
		uint32_t r_;                                                          \
		__asm__(".insn i 0x13, 1, %0, %1, " #funct12 : "=r"(r_) : "r"(x));  \
		r_;                                                                   \
	})

#undef BSIG0
#undef BSIG1
#undef SSIG0
#undef SSIG1
#define BSIG0(x) ZKNH(0x100, x) /* sha256sum0 */
#define BSIG1(x) ZKNH(0x101, x) /* sha256sum1 */
#define SSIG0(x) ZKNH(0x102, x) /* sha256sig0 */
#define SSIG1(x) ZKNH(0x103, x) /* sha256sig1 */

#define L(i) (w[i] = get_be32(p + 4 * (i)))

/* One block; not inlined into the loop, like the portable code (profilers count calls). */
__attribute__((noinline)) static void sha256_zknh_block(uint32_t st[8], const uint8_t *p)
{
	SHA256_BLOCK(uint32_t, st);
}

void kx_sha256_hw_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	for (; nblocks; nblocks--, p += 64)
		sha256_zknh_block(h, p);
}
