/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * riscv64 purgatory, the C part: check that the segments the old kernel
 * copied are the ones the loader hashed, before entry.S jumps into the new
 * kernel. Freestanding; built -march=rv64imac_zicsr -mabi=lp64 (no F or D:
 * no FP state to touch, whatever sstatus.FS the old kernel left),
 * -mcmodel=medany -mno-relax -fno-pic: everything is reached PC-relative
 * (auipc pairs, jal, branches), so it runs wherever the loader puts it once
 * relocated (lib/arch/riscv64/reloc.c), below or above 4 GiB.
 *
 * With the MMU off. RISC-V has no data-cache enable bit: the platform's
 * physical memory attributes (PMAs) make RAM cacheable whatever satp says,
 * so the check reads the segments through the caches with satp = 0, as the
 * old kernel left it, and needs no page tables (unlike arm64's, where the
 * MMU going off makes every access uncached: README.md, "The riscv64
 * purgatory"). Nothing is written but our own .data and stack.
 *
 * The hashing: XXH3-128 (../common/xxh3.c, the default: about one
 * instruction a byte), or with --check=sha256 the CPU's scalar SHA-256
 * instructions (Zknh: sha256sum0, sha256sum1, sha256sig0, sha256sig1;
 * sha256-zknh.c) where the loader says every hart has them and a probe on
 * this hart agrees, else the portable C (../common/sha256.c). No vector
 * code: the lane digest (kx_sha256_lanes_update) hashes its eight lanes one
 * after the other.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console-mmio.h"
#include "params.h"
#include "sha256.h"
#include "xxh3.h"

/*
 * Set by the loader, by symbol name (kx_purgatory_set_params()), in the file
 * image: in .data (never .bss, which is not in the image) even though it is
 * zero here. riscv64's fields: entry, the Image's address (its first
 * instruction); boot_data, the device tree's physical address (a1; 0: the
 * one the old kernel found among the segments); console_kind
 * KX_CONSOLE_8250_MMIO8 (QEMU virt's ns16550a at 0x10000000) or
 * KX_CONSOLE_8250_MMIO32 (reg-shift 2: the snps,dw-apb-uart of StarFive's
 * JH7110 or Allwinner's D1) with console_base its MMIO address (any other
 * kind: silent); flags unused; arch[0] KX_RISCV64_PF_ZKNH: every hart has Zknh
 * (the loader: every "isa" line of /proc/cpuinfo names zknh, zkn or zk), so
 * the purgatory may use it once its probe agrees; arch[1-3] unused.
 * entry.S reads entry and boot_data at offsets 0 and 8.
 */
#define KX_VAR __attribute__((section(".data"), used))
KX_VAR struct kx_purgatory_params KX_PURGATORY_PARAMS = { 0 };
_Static_assert(offsetof(struct kx_purgatory_params, entry) == 0, "entry.S reads entry at 0");
_Static_assert(offsetof(struct kx_purgatory_params, boot_data) == 8,
	       "entry.S reads boot_data at 8");
#define P KX_PURGATORY_PARAMS
#define KX_RISCV64_PF_ZKNH 0x1 /* lib/arch/riscv64/riscv64.h: the same bit */

/*
 * Nonzero: purgatory/common/sha256.c hashes with the Zknh instructions
 * (kx_sha256_hw_blocks, sha256-zknh.c). Set at run time by purgatory_main(),
 * only once the probe has run them, never by the loader; in .data so that
 * tests can set it by name and run purgatory_verify() in user space on each
 * path.
 */
KX_VAR uint32_t kx_zknh = 0;

/*
 * What the check did, for tests and for anyone reading memory after the
 * fact: kx_check_path bit 0 checked, 1 with Zknh, 2 the loader said Zknh but
 * the probe on this hart disagreed; kx_check_ticks, how long it took in
 * ticks of the time CSR (the device tree's timebase-frequency per second).
 */
KX_VAR uint32_t kx_check_path = 0;
KX_VAR uint64_t kx_check_ticks = 0;

int kx_sha256_hw_usable(void)
{
	return kx_zknh != 0;
}

/* entry.S */
int kx_zknh_probe(void);
__attribute__((noreturn)) void kx_halt(void);

void purgatory_main(void);
int purgatory_verify(void);
__attribute__((noreturn)) void purgatory_trap(uint64_t scause, uint64_t sepc, uint64_t stval);

static inline uint64_t rdtime(void)
{
	uint64_t v;

	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

/* ---- The console: an 8250 at MMIO console_base, as the old kernel left it -- */

#define console_puts(s) kx_console_puts(&P, (s))
#define console_hex(v) kx_console_hex(&P, (v))

/* From entry.S's kx_trap, on a fresh stack. */
void purgatory_trap(uint64_t scause, uint64_t sepc, uint64_t stval)
{
	console_puts("purgatory: trap, scause 0x");
	console_hex(scause);
	console_puts(" sepc 0x");
	console_hex(sepc);
	console_puts(" stval 0x");
	console_hex(stval);
	console_puts("\r\n");
	kx_halt();
}

/* ---- The check ------------------------------------------------------------ */

/*
 * The regions against the loader's digest: XXH3-128 (../common/xxh3.c), or
 * with KX_PF_SHA256 the eight-lane SHA-256 (../common/sha256.c).
 */
int purgatory_verify(void)
{
	if (P.flags & KX_PF_SHA256)
		return kx_sha256_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
	return kx_xxh3_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
}

/* From entry.S: MMU off, our stack and trap vector. Returns to jump into the kernel. */
void purgatory_main(void)
{
	bool regions = false, asked;
	uint64_t t0;
	uint32_t path;
	int ok;

	for (unsigned int i = 0; i < KX_SHA_REGIONS_MAX; i++)
		regions |= P.regions[i].len != 0;
	if (P.flags & KX_PF_PROGRESS)
		console_puts(regions ? "purgatory: checking the segments\r\n"
				     : "purgatory: no check (-i)\r\n");
	/* -i: the loader gave no regions; nothing to check. */
	if (!regions)
		goto enter;
	t0 = rdtime();
	asked = (P.arch[0] & KX_RISCV64_PF_ZKNH) != 0;
	kx_zknh = asked && kx_zknh_probe();
	ok = purgatory_verify();
	path = 1 | kx_zknh << 1 | (uint32_t)(asked && !kx_zknh) << 2;
	kx_zknh = 0;
	kx_check_ticks = rdtime() - t0;
	kx_check_path = path;
	if (!ok) {
		/* Booting corrupted segments would fail in obscure ways: stop here, loudly. */
		console_puts(P.flags & KX_PF_SHA256 ? "purgatory: sha256 mismatch\r\n"
						    : "purgatory: xxh3 mismatch\r\n");
		kx_console_report_changed(&P);
		kx_halt();
	}
enter:
	if (P.flags & KX_PF_PROGRESS)
		console_puts("purgatory: entering the kernel\r\n");
}
