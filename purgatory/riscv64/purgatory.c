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
 * the purgatory may use it once its probe agrees; arch[1] a bit for each
 * hart id below 64 in the device tree the load carries (the harts to see
 * stopped: watch_harts()); arch[2] the time CSR's ticks a second (0: 10 MHz,
 * QEMU virt's); arch[3] unused.
 * entry.S reads entry and boot_data at offsets 0 and 8.
 */
#define KX_VAR __attribute__((section(".data"), used))
KX_VAR struct kx_purgatory_params KX_PURGATORY_PARAMS = { 0 };
_Static_assert(offsetof(struct kx_purgatory_params, entry) == 0, "entry.S reads entry at 0");
_Static_assert(offsetof(struct kx_purgatory_params, boot_data) == 8,
	       "entry.S reads boot_data at 8");
#define P KX_PURGATORY_PARAMS
#define KX_RISCV64_PF_ZKNH 0x1 /* lib/arch/riscv64/riscv64.h: the same bit */
#define ARCH_HARTS 1           /* riscv64.h: KX_RISCV64_ARCH_HARTS */
#define ARCH_TIMEBASE 2        /* riscv64.h: KX_RISCV64_ARCH_TIMEBASE */

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

/*
 * The other harts, for tests and post-mortems: kx_harts_late, those not
 * stopped (SBI HSM) when the old kernel jumped here; kx_harts_running, those
 * still not stopped when watch_harts() gave up waiting; kx_harts_wait_ticks,
 * how long it waited.
 */
KX_VAR uint64_t kx_harts_late = 0;
KX_VAR uint64_t kx_harts_running = 0;
KX_VAR uint64_t kx_harts_wait_ticks = 0;

int kx_sha256_hw_usable(void)
{
	return kx_zknh != 0;
}

/* entry.S */
int kx_zknh_probe(void);
__attribute__((noreturn)) void kx_halt(void);

void purgatory_main(uint64_t hartid);
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

/* ---- The other harts -------------------------------------------------------- */

#define SBI_EXT_BASE 0x10
#define SBI_BASE_PROBE_EXT 3
#define SBI_EXT_HSM 0x48534d
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_STOPPED 1
#define DEFAULT_TIMEBASE 10000000 /* QEMU virt's */

/* An SBI call with one argument: its error (0: none), and its value in *value. */
static long sbi_call1(long ext, long fid, long arg, long *value)
{
	register long a0 __asm__("a0") = arg;
	register long a1 __asm__("a1") = 0;
	register long a6 __asm__("a6") = fid;
	register long a7 __asm__("a7") = ext;

	__asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	*value = a1;
	return a0;
}

/* hart's SBI HSM state (0 started, 1 stopped, ...), or -1 when the firmware does not know it. */
static long hart_state(uint64_t hart)
{
	long state;

	return sbi_call1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, (long)hart, &state) ? -1 : state;
}

static const char *state_name(long state)
{
	static const char *const names[] = { "started",	      "stopped",	 "start pending",
					     "stop pending",  "suspended",	 "suspend pending",
					     "resume pending" };

	if (state < 0 || state >= (long)(sizeof(names) / sizeof(names[0])))
		return "unknown";
	return names[state];
}

static void hart_line(uint64_t hart, const char *what)
{
	console_puts("purgatory: hart ");
	kx_console_dec(&P, hart);
	console_puts(what);
}

/* The harts of mask not yet stopped, each with its state named. */
static uint64_t not_stopped(uint64_t mask, bool say)
{
	uint64_t late = 0;

	for (uint64_t h = 0; h < 64; h++) {
		long state;

		if (!(mask >> h & 1))
			continue;
		state = hart_state(h);
		if (state < 0 || state == SBI_HSM_STOPPED)
			continue;
		late |= 1ULL << h;
		if (say) {
			hart_line(h, " had not stopped when the old kernel jumped here (SBI HSM: ");
			console_puts(state_name(state));
			console_puts(")\r\n");
		}
	}
	return late;
}

/*
 * Before the check: every other hart of the device tree (arch[1]) stopped,
 * as SBI HSM says. The old kernel takes the others down through CPU
 * hotplug, and a dying hart says it is dead (cpuhp_ap_report_dead()) before
 * it calls hart_stop: the old kernel may copy the segments and jump here
 * while that hart still runs and writes its stack, wherever that was
 * (arch/riscv/kernel/cpu-hotplug.c: arch_cpu_idle_dead()). So a hart not
 * stopped is named, and waited for up to a second, so that the check reads
 * what it leaves; one that never stops is named again, and the check goes
 * on (a crash kernel's old harts may be wedged; what they wrote, the check
 * sees). Nothing without SBI HSM, or when the loader gave no harts.
 */
static void watch_harts(uint64_t self)
{
	uint64_t mask = P.arch[ARCH_HARTS] & ~(self < 64 ? 1ULL << self : 0);
	uint64_t tb = P.arch[ARCH_TIMEBASE] ? P.arch[ARCH_TIMEBASE] : DEFAULT_TIMEBASE;
	uint64_t late, running, t0, t = 0;
	long hsm;

	if (!mask || sbi_call1(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_HSM, &hsm) || !hsm)
		return;
	t0 = rdtime();
	late = running = not_stopped(mask, true);
	kx_harts_late = late;
	if (!late && (P.flags & KX_PF_PROGRESS))
		console_puts("purgatory: the other harts have stopped\r\n");
	while (running && (t = rdtime() - t0) < tb) {
		uint64_t now = not_stopped(running, false);

		for (uint64_t h = 0; h < 64; h++) {
			if ((running & ~now) >> h & 1) {
				hart_line(h, " stopped ");
				kx_console_dec(&P, t * 1000000 / tb);
				console_puts(" us later\r\n");
			}
		}
		running = now;
	}
	kx_harts_running = running;
	kx_harts_wait_ticks = t; /* 0 when none was late: the loop did not run */
	for (uint64_t h = 0; h < 64; h++) {
		if (running >> h & 1)
			hart_line(h, " still runs after a second; checking the segments anyway\r\n");
	}
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

/*
 * From entry.S: MMU off, our stack and trap vector; hartid, the hart we run
 * on. Returns to jump into the kernel.
 */
void purgatory_main(uint64_t hartid)
{
	bool regions = false, asked;
	uint64_t t0;
	uint32_t path;
	int ok;

	watch_harts(hartid);
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
