/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ppc64 purgatory (lib/arch/ppc64/load.c loads it; entry.S enters it):
 * the segments checked through their physical addresses (the MMU is off),
 * then the kernel. XXH3-128, the default, runs in general registers
 * (xxh3.c's own loop: under QEMU's -icount, 6.1% of the handover through
 * xxhash.h's VSX code against 5.0% this way, docs/bench.md). SHA-256
 * (KX_PF_SHA256) turns the FP, VMX and VSX units on for itself (MSR[FP,
 * VEC, VSX]: the old kernel may leave them off; every CPU ppc64el runs on,
 * POWER8 and later, has them) and hashes four lanes at a time in VMX
 * registers (../common/sha256-lanes.c, the one file built with those units);
 * the MSR is put back as it was before anything else runs.
 *
 * Its console is the pseries hypervisor's virtual terminal (the guest's
 * hvc0): H_PUT_TERM_CHAR, up to 16 bytes per call, as the kernel's
 * hvc_vio/udbg_hvc do (arch/powerpc/platforms/pseries/hvconsole.c). The
 * hypervisor call works in real mode; a machine without one (PowerNV) gets
 * no console from the loader.
 *
 * ppc64's fields: entry, the kernel's load address; boot_data, the device
 * tree; console_kind KX_CONSOLE_HVTERM with console_base the terminal's
 * number (its node's reg); regions[].start physical addresses; for a crash
 * kernel (0 otherwise) arch[0] the backup segment, arch[1] how many bytes of
 * low memory to copy there (the crash kernel puts its exception vectors at
 * 0; the core header reads the old contents from the copy), arch[2] the
 * value for the kernel's __run_at_load word at 0x5c (1: run where loaded).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console-mmio.h"
#include "params.h"
#include "sha256.h"
#include "xxh3.h"

#define KX_VAR __attribute__((section(".data"), used))
KX_VAR struct kx_purgatory_params KX_PURGATORY_PARAMS = { 0 };
_Static_assert(offsetof(struct kx_purgatory_params, entry) == 0, "entry.S reads entry at 0");
_Static_assert(offsetof(struct kx_purgatory_params, boot_data) == 8,
	       "entry.S reads boot_data at 8");

#define P KX_PURGATORY_PARAMS
#define H_PUT_TERM_CHAR 0x58
#define MSR_FP (1ULL << 13)
#define MSR_VSX (1ULL << 23)
#define MSR_VEC (1ULL << 25)

/*
 * Nonzero while the vector units are on: sha256.c may hash four lanes at a
 * time (sha256-lanes.c). Set by purgatory_main() only, never by the loader.
 */
KX_VAR uint32_t kx_vmx = 0;
/* What the check did, for anyone reading memory after the fact: bit 0 checked, 1 with VMX. */
KX_VAR uint32_t kx_check_path = 0;

/* entry.S */
__attribute__((noreturn)) void kx_halt(void);
void purgatory_main(void);
int purgatory_verify(void);

int kx_sha256_hw_usable(void)
{
	return 0;
}

int kx_sha256_x4_usable(void)
{
	return kx_vmx != 0;
}

int kx_sha256_x8_usable(void)
{
	return 0;
}

static uint64_t mfmsr(void)
{
	uint64_t v;

	__asm__ volatile("mfmsr %0" : "=r"(v));
	return v;
}

static void mtmsrd(uint64_t v)
{
	__asm__ volatile("mtmsrd %0\n\tisync" : : "r"(v) : "memory");
}

int purgatory_verify(void)
{
	if (P.flags & KX_PF_SHA256)
		return kx_sha256_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
	return kx_xxh3_regions_match(P.regions, KX_SHA_REGIONS_MAX, P.digest);
}

#define console_puts(s) kx_console_puts(&P, (s))

void purgatory_main(void)
{
	uint64_t msr = mfmsr();
	bool regions = false, vmx = P.flags & KX_PF_SHA256;
	int ok;

	for (unsigned int i = 0; i < KX_SHA_REGIONS_MAX; i++)
		regions |= P.regions[i].len != 0;
	if (P.flags & KX_PF_PROGRESS)
		console_puts(!regions ? "purgatory: no check (-i)\r\n"
			     : vmx    ? "purgatory: checking the segments (SHA-256, VMX)\r\n"
				      : "purgatory: checking the segments (XXH3-128)\r\n");
	/* -i: the loader gave no regions; nothing to check. */
	if (!regions)
		goto enter;
	if (vmx) {
		mtmsrd(msr | MSR_FP | MSR_VEC | MSR_VSX);
		kx_vmx = 1;
	}
	ok = purgatory_verify();
	if (vmx) {
		kx_vmx = 0;
		mtmsrd(msr);
	}
	if (!ok) {
		/* Booting corrupted segments would fail in obscure ways: stop here, loudly. */
		console_puts(P.flags & KX_PF_SHA256 ? "purgatory: sha256 mismatch\r\n"
						    : "purgatory: xxh3 mismatch\r\n");
		kx_console_report_changed(&P);
		kx_halt();
	}
	kx_check_path = vmx ? 3 : 1;
enter:
	if (P.flags & KX_PF_PROGRESS)
		console_puts("purgatory: entering the kernel\r\n");
}

/* One hypervisor call: r3 = the call, r4-r7 its arguments; r0, r3-r12, cr clobbered. */
static long hcall_put_term(uint64_t term, uint64_t len, uint64_t hi, uint64_t lo)
{
	register uint64_t r3 __asm__("r3") = H_PUT_TERM_CHAR;
	register uint64_t r4 __asm__("r4") = term;
	register uint64_t r5 __asm__("r5") = len;
	register uint64_t r6 __asm__("r6") = hi;
	register uint64_t r7 __asm__("r7") = lo;

	__asm__ volatile("sc 1"
			 : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
			 :
			 : "r0", "r8", "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory");
	return (long)r3;
}

void kx_ppc64_after_check(void);

/* After the check (entry.S): what a crash kernel needs done before it runs. */
void kx_ppc64_after_check(void)
{
	const struct kx_purgatory_params *p = &KX_PURGATORY_PARAMS;

	if (p->arch[1]) {
		volatile uint64_t *dst = (volatile uint64_t *)(uintptr_t)p->arch[0];
		const volatile uint64_t *src = (const volatile uint64_t *)(uintptr_t)0;

		for (uint64_t i = 0; i < p->arch[1] / 8; i++)
			dst[i] = src[i];
	}
	if (p->arch[2])
		*(volatile uint32_t *)(uintptr_t)(p->entry + 0x5c) = (uint32_t)p->arch[2];
	__asm__ volatile("sync" ::: "memory");
}

void kx_hvterm_putc(uint64_t term, char ch)
{
	/* The characters go big-endian in r5/r6: the first in the top byte. */
	for (int i = 0; i < 1000 && hcall_put_term(term, 1, (uint64_t)(uint8_t)ch << 56, 0) != 0;
	     i++)
		;
}
