/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * arm64 purgatory, the C part: check that the segments the old kernel copied
 * are the ones the loader hashed, before entry.S jumps into the new kernel.
 * Freestanding; built -mgeneral-regs-only (the FP/SIMD unit may be off when
 * we start) and -mstrict-align (with the MMU off every access is to Device
 * memory, where an unaligned access faults), -mcmodel=small -fno-pic:
 * everything is reached PC-relative, so it runs wherever the loader puts it
 * once relocated (lib/arch/arm64/reloc.c).
 *
 * Speed. With the MMU off, every load is a Device-memory access that goes to
 * DRAM uncached: kexec-tools' purgatory, which hashes so, takes seconds to
 * minutes for a distribution kernel and initrd. We turn the MMU and the
 * caches on for the check, with an identity map of the segments and of
 * ourselves only (4 KiB granule: 1 GiB and 2 MiB blocks where a whole block
 * is inside a segment, 4 KiB pages at the edges, so that no byte outside
 * what the loader gave us is mapped: no MMIO, no firmware-reserved memory,
 * nothing speculation could touch), as Normal write-back memory, and hash
 * with XXH3-128 in NEON registers (../common/xxh3-vector.c, the default) or,
 * with --check=sha256, with the CPU's SHA-256 instructions (the Crypto
 * Extensions: sha256-ce.S, one lane after the other) or else four lanes at
 * a time in NEON registers (../common/sha256-lanes.c). Then we clean our own memory to
 * the PoC, turn the MMU and caches off, invalidate the I-cache and the TLBs,
 * and put back every register we changed (entry.S, README.md "The arm64
 * purgatory"). Where the MMU cannot be used (no 4 KiB granule, an address
 * beyond 48 bits or the CPU's PARange, more page tables than we carry, the
 * MMU already on, or arch[0] KX_ARM64_NO_MMU), the portable C hashes with the
 * MMU off: slow, but the same check.
 *
 * EL1 and EL2: we use the registers of the EL we run at (CurrentEL). At EL2
 * with HCR_EL2.E2H set (a VHE host kernel) TCR_EL2 and CPTR_EL2 have the EL1
 * layout; with E2H clear (the hyp stub of an nVHE host) their own.
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
 * zero here. arm64's fields: entry, the Image's entry (its load address);
 * boot_data, the DTB's physical address (x0); console_kind
 * KX_CONSOLE_PL011, KX_CONSOLE_8250_MMIO8 or KX_CONSOLE_8250_MMIO32 with
 * console_base its MMIO address (KX_CONSOLE_NONE: silent); flags unused;
 * arch[0] KX_ARM64_NO_MMU: check with the MMU off, as kexec-tools does (for
 * tests and comparisons); arch[1-3] unused. entry.S reads entry and
 * boot_data at offsets 0 and 8.
 */
#define KX_VAR __attribute__((section(".data"), used))
KX_VAR struct kx_purgatory_params KX_PURGATORY_PARAMS = { 0 };
_Static_assert(offsetof(struct kx_purgatory_params, entry) == 0, "entry.S reads entry at 0");
_Static_assert(offsetof(struct kx_purgatory_params, boot_data) == 8,
	       "entry.S reads boot_data at 8");
#define P KX_PURGATORY_PARAMS
#define KX_ARM64_NO_MMU 0x1

/*
 * Nonzero: purgatory/common/sha256.c may hash with the Crypto Extensions
 * (kx_sha_ce: sha256-ce.S) or four lanes at once with NEON (kx_neon:
 * sha256-lanes.c). Set at run time by check(), only while FP/SIMD is on and
 * the identity map is up, never by the loader; in .data so that tests can set
 * them by name and run purgatory_verify() in user space on each path.
 */
KX_VAR uint32_t kx_sha_ce = 0;
KX_VAR uint32_t kx_neon = 0;

/*
 * What the check did, for tests and for anyone reading memory after the
 * fact: kx_check_path bit 0 checked, 1 with the MMU on, 2 NEON allowed, 3 the
 * Crypto Extensions; kx_check_ticks, how long it took in generic timer ticks
 * (CNTVCT_EL0; CNTFRQ_EL0 per second).
 */
KX_VAR uint32_t kx_check_path = 0;
KX_VAR uint64_t kx_check_ticks = 0;

int kx_sha256_hw_usable(void)
{
	return kx_sha_ce != 0;
}

int kx_sha256_x4_usable(void)
{
	return kx_neon != 0;
}

int kx_sha256_x8_usable(void)
{
	return 0;
}

/* entry.S, and the image's ends (purgatory.lds). */
extern char kx_image_start[], kx_image_end[];
extern char kx_vectors[];
void kx_mmu_on(uint64_t el2, uint64_t ttbr0, uint64_t tcr, uint64_t mair, uint64_t sctlr,
	       uint64_t start, uint64_t end);
void kx_mmu_off(uint64_t el2, uint64_t sctlr, uint64_t start, uint64_t end);
void kx_fp_clear(void);
__attribute__((noreturn)) void kx_halt(void);

void purgatory_main(void);
int purgatory_verify(void);
__attribute__((noreturn)) void purgatory_exception(uint64_t esr, uint64_t elr, uint64_t far);

#define read_sysreg(r)                                            \
	({                                                        \
		uint64_t v_;                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));       \
		v_;                                               \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
/* The register of the EL we run at. */
#define read_el(c, r) ((c)->el2 ? read_sysreg(r##_el2) : read_sysreg(r##_el1))
#define write_el(c, r, v)                          \
	do {                                       \
		if ((c)->el2)                      \
			write_sysreg(r##_el2, v);  \
		else                               \
			write_sysreg(r##_el1, v);  \
	} while (0)

/* ---- The console: MMIO, used with the MMU off only (it is not mapped) ---- */

#define console_puts(s) kx_console_puts(&P, (s))
#define console_hex(v) kx_console_hex(&P, (v))

/* From entry.S's vectors, with the MMU off and a fresh stack. */
void purgatory_exception(uint64_t esr, uint64_t elr, uint64_t far)
{
	console_puts("purgatory: exception, ESR 0x");
	console_hex(esr);
	console_puts(" ELR 0x");
	console_hex(elr);
	console_puts(" FAR 0x");
	console_hex(far);
	console_puts("\r\n");
	kx_halt();
}

/* ---- The check ------------------------------------------------------------ */

/*
 * The regions against the loader's digest: XXH3-128 (../common/xxh3.c; its
 * NEON build when kx_neon), or with KX_PF_SHA256 the eight-lane SHA-256
 * (../common/sha256.c).
 */
int purgatory_verify(void)
{
	if (P.flags & KX_PF_SHA256)
		return kx_sha256_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
	if (kx_neon)
		return kx_xxh3_regions_match_vector(P.regions, KX_SHA_REGIONS_MAX, P.digest);
	return kx_xxh3_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
}

/*
 * Booting corrupted segments would fail in obscure ways: stop here, loudly,
 * and say which segment changed since the load (console-mmio.h; the MMU is
 * off by now).
 */
static void mismatch(void)
{
	console_puts(P.flags & KX_PF_SHA256 ? "purgatory: sha256 mismatch\r\n"
					    : "purgatory: xxh3 mismatch\r\n");
	kx_console_report_changed(&P);
	kx_halt();
}

/* ---- The CPU -------------------------------------------------------------- */

struct cpu {
	bool el2;   /* running at EL2 (else EL1) */
	bool e2h;   /* ... with HCR_EL2.E2H: the EL1 layout of TCR, CPTR */
	uint64_t fp; /* CPACR_EL1 or CPTR_EL2 as we found it */
	uint64_t sctlr, tcr, mair, ttbr0;
};

#define HCR_EL2_E2H (1ULL << 34)
#define CPACR_FPEN (3ULL << 20)    /* CPACR_EL1, and CPTR_EL2 when E2H: no FP/SIMD traps */
#define CPTR_EL2_TFP (1ULL << 10)  /* CPTR_EL2 when !E2H: trap FP/SIMD */
#define SCTLR_M (1ULL << 0)
#define SCTLR_A (1ULL << 1)
#define SCTLR_C (1ULL << 2)
#define SCTLR_I (1ULL << 12)
#define SCTLR_WXN (1ULL << 19)

/* ID_AA64PFR0_EL1.FP and .AdvSIMD: 0xf is "not implemented". */
static bool cpu_has_simd(void)
{
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1);

	return ((pfr0 >> 16) & 0xf) != 0xf && ((pfr0 >> 20) & 0xf) != 0xf;
}

/* ID_AA64ISAR0_EL1.SHA2: 1 SHA-256, 2 SHA-256 and SHA-512 instructions. */
static bool cpu_has_sha256(void)
{
	return ((read_sysreg(id_aa64isar0_el1) >> 12) & 0xf) >= 1;
}

/* FP/SIMD untrapped at our EL; the old value kept for fp_restore(). */
static void fp_enable(struct cpu *c)
{
	if (!c->el2) {
		c->fp = read_sysreg(cpacr_el1);
		write_sysreg(cpacr_el1, c->fp | CPACR_FPEN);
	} else {
		c->fp = read_sysreg(cptr_el2);
		write_sysreg(cptr_el2, c->e2h ? c->fp | CPACR_FPEN : c->fp & ~CPTR_EL2_TFP);
	}
	isb();
}

static void fp_restore(const struct cpu *c)
{
	kx_fp_clear();
	if (!c->el2)
		write_sysreg(cpacr_el1, c->fp);
	else
		write_sysreg(cptr_el2, c->fp);
	isb();
}

/* ---- The identity map ----------------------------------------------------- */

/*
 * 4 KiB granule, 48-bit virtual addresses (T0SZ 16), walks from level 0. The
 * tables live in .bss; a realistic load (kernel, initrd, DTB, core header,
 * us) needs a dozen. Running out means the MMU stays off.
 */
#define KX_TABLES 40
static uint64_t kx_tables[KX_TABLES][512] __attribute__((aligned(4096)));
static unsigned int kx_tables_used;

#define PTE_VALID (1ULL << 0)
#define PTE_TABLE (1ULL << 1)       /* levels 0-2: a table; level 3: a page */
#define PTE_ATTRINDX_NORMAL (0ULL << 2) /* MAIR attribute 0 */
#define PTE_AP1 (1ULL << 6)         /* RES1 in the EL2 (E2H = 0) regime */
#define PTE_SH_INNER (3ULL << 8)
#define PTE_AF (1ULL << 10)
#define PTE_ADDR 0x0000fffffffff000ULL
#define MAIR_NORMAL_WB 0xffULL      /* inner and outer write-back, read/write-allocate */

#define TCR_T0SZ(bits) ((uint64_t)(64 - (bits)))
#define TCR_IRGN0_WBWA (1ULL << 8)
#define TCR_ORGN0_WBWA (1ULL << 10)
#define TCR_SH0_INNER (3ULL << 12)
#define TCR_TG0_4K (0ULL << 14)
#define TCR_T1SZ(bits) ((uint64_t)(64 - (bits)) << 16)
#define TCR_EPD1 (1ULL << 23)
#define TCR_TG1_4K (2ULL << 30)
#define TCR_IPS_SHIFT 32             /* TCR_EL1, and TCR_EL2 when E2H */
#define TCR_EL2_PS_SHIFT 16          /* TCR_EL2 when !E2H */
#define TCR_EL2_RES1 ((1ULL << 31) | (1ULL << 23))

#define VA_BITS 48
#define SZ_4K 0x1000ULL

static uint64_t *table_new(void)
{
	uint64_t *t;

	if (kx_tables_used == KX_TABLES)
		return NULL;
	t = kx_tables[kx_tables_used++];
	for (unsigned int i = 0; i < 512; i++)
		t[i] = 0;
	return t;
}

/*
 * Maps [start, end) (4 KiB aligned, end <= limit) one to one, the largest
 * block that fits at each step. An entry already valid (from another range)
 * is kept: every mapping has the same attributes. -1 when out of tables.
 */
static int map_range(uint64_t *l0, uint64_t start, uint64_t end, uint64_t leaf)
{
	while (start < end) {
		uint64_t *t = l0;

		for (unsigned int level = 0;; level++) {
			unsigned int shift = 39 - 9 * level;
			uint64_t size = 1ULL << shift;
			uint64_t *e = &t[(start >> shift) & 511];

			if (level == 3) {
				if (!(*e & PTE_VALID))
					*e = start | leaf | PTE_TABLE | PTE_VALID;
				start += size;
				break;
			}
			if ((*e & (PTE_TABLE | PTE_VALID)) == PTE_VALID) {
				/* A block mapped it already: go on after it. */
				start = (start & ~(size - 1)) + size;
				break;
			}
			if (!(*e & PTE_VALID)) {
				uint64_t *next;

				if (level > 0 && !(start & (size - 1)) && end - start >= size) {
					*e = start | leaf | PTE_VALID;
					start += size;
					break;
				}
				next = table_new();
				if (!next)
					return -1;
				*e = (uint64_t)(uintptr_t)next | PTE_TABLE | PTE_VALID;
			}
			t = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
		}
	}
	return 0;
}

/* [start, start + len) widened to pages; -1 when it wraps or passes limit. */
static int map_region(uint64_t *l0, uint64_t start, uint64_t len, uint64_t limit, uint64_t leaf)
{
	uint64_t end = start + len;

	if (!len)
		return 0;
	if (end < start || end > limit - SZ_4K)
		return -1;
	return map_range(l0, start & ~(SZ_4K - 1), (end + SZ_4K - 1) & ~(SZ_4K - 1), leaf);
}

/*
 * The identity map of the regions and of ourselves, then the MMU and caches
 * on (kx_mmu_on). false, with nothing changed, where that cannot be done.
 */
static bool mmu_enable(struct cpu *c)
{
	static const uint8_t pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	unsigned int tgran4 = (unsigned int)(mmfr0 >> 28) & 0xf;
	unsigned int parange = (unsigned int)mmfr0 & 0xf;
	uint64_t image = (uint64_t)(uintptr_t)kx_image_start;
	uint64_t image_end = (uint64_t)(uintptr_t)kx_image_end;
	uint64_t leaf = PTE_ATTRINDX_NORMAL | PTE_SH_INNER | PTE_AF;
	uint64_t limit, tcr, sctlr;
	unsigned int ips;
	uint64_t *l0;

	c->sctlr = read_el(c, sctlr);
	/* 4 KiB granule: 0 supported, 1 supported with 52-bit addresses; 0xf not. */
	if ((c->sctlr & SCTLR_M) || tgran4 > 1 || parange >= sizeof(pa_bits) ||
	    (P.arch[0] & KX_ARM64_NO_MMU))
		return false;
	ips = parange > 5 ? 5 : parange; /* 48 bits at most: no LPA2 */
	limit = 1ULL << pa_bits[ips];
	if (c->el2 && !c->e2h)
		leaf |= PTE_AP1;

	kx_tables_used = 0;
	l0 = table_new();
	if (!l0)
		return false;
	for (unsigned int i = 0; i < KX_SHA_REGIONS_MAX; i++)
		if (map_region(l0, P.regions[i].start, P.regions[i].len, limit, leaf))
			return false;
	if (map_region(l0, image, image_end - image, limit, leaf))
		return false;

	tcr = TCR_T0SZ(VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K;
	if (c->el2 && !c->e2h)
		tcr |= TCR_EL2_RES1 | (uint64_t)ips << TCR_EL2_PS_SHIFT;
	else
		tcr |= TCR_T1SZ(VA_BITS) | TCR_EPD1 | TCR_TG1_4K | (uint64_t)ips << TCR_IPS_SHIFT;
	sctlr = (c->sctlr | SCTLR_M | SCTLR_C | SCTLR_I) & ~(SCTLR_A | SCTLR_WXN);
	c->tcr = read_el(c, tcr);
	c->mair = read_el(c, mair);
	c->ttbr0 = read_el(c, ttbr0);
	kx_mmu_on(c->el2, (uint64_t)(uintptr_t)l0, tcr, MAIR_NORMAL_WB, sctlr, image,
		  (image_end + SZ_4K - 1) & ~(SZ_4K - 1));
	return true;
}

/* MMU and caches off, our memory clean at the PoC, the old registers back. */
static void mmu_disable(const struct cpu *c)
{
	uint64_t image = (uint64_t)(uintptr_t)kx_image_start;
	uint64_t image_end = (uint64_t)(uintptr_t)kx_image_end;

	kx_mmu_off(c->el2, c->sctlr, image, (image_end + SZ_4K - 1) & ~(SZ_4K - 1));
	write_el(c, tcr, c->tcr);
	write_el(c, mair, c->mair);
	write_el(c, ttbr0, c->ttbr0);
	isb();
}

static void check(struct cpu *c)
{
	bool simd = cpu_has_simd(), mmu;
	uint64_t t0 = read_sysreg(cntvct_el0);
	uint32_t path;
	int ok;

	if (simd)
		fp_enable(c);
	mmu = mmu_enable(c);
	/* The vector code reads words at any alignment: Normal memory only. */
	kx_neon = mmu && simd;
	kx_sha_ce = mmu && simd && cpu_has_sha256();
	ok = purgatory_verify();
	path = 1 | (uint32_t)mmu << 1 | kx_neon << 2 | kx_sha_ce << 3;
	kx_neon = 0;
	kx_sha_ce = 0;
	if (mmu)
		mmu_disable(c);
	if (simd)
		fp_restore(c);
	isb();
	kx_check_ticks = read_sysreg(cntvct_el0) - t0;
	kx_check_path = path;
	if (!ok)
		mismatch();
}

/* From entry.S: MMU off, interrupts masked, our stack. Returns to jump into the kernel. */
void purgatory_main(void)
{
	struct cpu c = { 0 };
	unsigned int el = (unsigned int)(read_sysreg(CurrentEL) >> 2) & 3;
	bool regions = false;
	uint64_t vbar;

	for (unsigned int i = 0; i < KX_SHA_REGIONS_MAX; i++)
		regions |= P.regions[i].len != 0;
	if (el != 1 && el != 2) {
		/* Linux never runs at EL3 (or EL0): touch no register there, check slowly. */
		if (regions && !purgatory_verify())
			mismatch();
		return;
	}
	c.el2 = el == 2;
	c.e2h = c.el2 && (read_sysreg(hcr_el2) & HCR_EL2_E2H);
	vbar = read_el(&c, vbar);
	write_el(&c, vbar, (uint64_t)(uintptr_t)kx_vectors);
	isb();
	/* -i: the loader gave no regions; nothing to check. */
	if (P.flags & KX_PF_PROGRESS)
		console_puts(regions ? "purgatory: checking the segments\r\n"
				     : "purgatory: no check (-i)\r\n");
	if (regions)
		check(&c);
	write_el(&c, vbar, vbar);
	isb();
	/* The MMU is off again: the UART is reachable. */
	if (P.flags & KX_PF_PROGRESS)
		console_puts("purgatory: entering the kernel\r\n");
}
