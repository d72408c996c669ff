/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Run-time choice of the SHA-256 block function on riscv64 hosts
 * (purgatory/common/sha256.c): the "hw" path, the scalar crypto instructions
 * (Zknh: purgatory/riscv64/sha256-zknh.c, the purgatory's own code), where
 * the kernel reports them on every hart (riscv_hwprobe, Linux 6.8 and
 * later; an older kernel cannot say, and the portable C hashes); no vector
 * lanes. The switches (sha256.h) let the tests run every path on this
 * machine. x86_64's counterpart is lib/arch/x86_64/sha256.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sha256.h"

#ifndef __NR_riscv_hwprobe
#define __NR_riscv_hwprobe 258
#endif
#define RISCV_HWPROBE_KEY_IMA_EXT_0 4
#define RISCV_HWPROBE_EXT_ZKNH (1ULL << 13)

bool kx_sha256_hw_disabled;
bool kx_sha256_x4_disabled;
bool kx_sha256_x8_disabled;

struct hwprobe_pair {
	int64_t key;
	uint64_t value;
};

/* Every online hart has Zknh (asked once; racing threads store the same value). */
static bool have_zknh(void)
{
	static int cached = -1;
	struct hwprobe_pair p = { RISCV_HWPROBE_KEY_IMA_EXT_0, 0 };
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);

	if (v >= 0)
		return v;
	/* cpusetsize 0, cpus NULL: what every online hart has. */
	v = syscall(__NR_riscv_hwprobe, &p, 1, 0, NULL, 0) == 0 && p.key == RISCV_HWPROBE_KEY_IMA_EXT_0 &&
	    (p.value & RISCV_HWPROBE_EXT_ZKNH);
	__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	return v;
}

int kx_sha256_hw_usable(void)
{
	return !kx_sha256_hw_disabled && have_zknh();
}

/* Four or eight lanes are the vector units' (sha256-lanes.c): not used here. */
int kx_sha256_x4_usable(void)
{
	return 0;
}

int kx_sha256_x8_usable(void)
{
	return 0;
}
