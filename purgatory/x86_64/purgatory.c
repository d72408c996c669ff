/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * x86_64 purgatory, the C part: check that the segments the old kernel copied
 * are the ones the loader hashed, before jumping into them. Freestanding: no
 * libc, no SSE in the C (CR4.OSFXSR is off at entry), compiled -mcmodel=large
 * so that it runs wherever the loader puts it once relocated.
 *
 * The hashing is most of the purgatory's time, so it runs in vector registers:
 * XXH3-128 with SSE2 (../common/xxh3-vector.c, the default), or with
 * --check=sha256 SHA-256 with the CPU's SHA extensions (sha256-ni.S) where
 * CPUID has them, otherwise eight lanes at once with AVX2 where CPUID has
 * it, otherwise four with SSE2, which every x86_64 CPU has
 * (../common/sha256-lanes.c). All need SSE, which the old
 * kernel's relocate_kernel left off (CR4 = PAE, CR0 without EM and TS); AVX
 * also needs CR4.OSXSAVE and the AVX state in XCR0. We turn them on around
 * the check and restore XCR0, CR0 and CR4 (and zero the vector registers)
 * before the jump, so the new kernel starts in the state it would have
 * without us.
 *
 * The i386 purgatory (../i386/entry.S) is this file compiled -m32: the same
 * parameters, consoles and report, and the portable hashing
 * (../common/xxh3.c, sha256.c without lanes): a 32-bit kernel may run on a
 * CPU without SSE2, and relocate_kernel_32 leaves CR4 zero.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "sha256.h"
#include "xxh3.h"

/*
 * Set by the loader, by symbol name (kx_purgatory_set_params()), in the file
 * image: in .data (never .bss, which is not in the image) even though it is
 * zero here. entry.S reads entry and boot_data at fixed offsets. x86_64's
 * fields: entry, the kernel's 64-bit entry; boot_data, boot_params (RSI);
 * console_kind KX_CONSOLE_X86_PIO with console_base the UART's I/O port
 * (any other kind: no output); flags KX_PF_AVX2 when the loader saw the
 * running kernel use AVX (CPUID AVX2, and the AVX state in XCR0): only then
 * may we. A kernel booted with noxsave, or clearcpuid=avx2 for an erratum,
 * keeps us on SSE2. arch[0]: a speed (--serial-baud) to program the UART
 * for before the first byte (0: as the old kernel left it); arch[1..3] unused.
 */
#define KX_VAR __attribute__((section(".data"), used))
KX_VAR struct kx_purgatory_params KX_PURGATORY_PARAMS = { 0 };
_Static_assert(offsetof(struct kx_purgatory_params, entry) == 0, "entry.S reads entry at 0");
_Static_assert(offsetof(struct kx_purgatory_params, boot_data) == 8,
	       "entry.S reads boot_data at 8");

void purgatory(void);

#define UART_LSR 5
#define UART_LSR_THRE 0x20

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LCR_DLAB 0x80
#define UART_LCR_8N1 0x03

/*
 * --serial-baud: 8N1 at arch[0] bits per second (115200 / divisor), FIFO on,
 * DTR and RTS up, interrupts off; before the first byte. Without it the
 * UART stays as the old kernel left it (console=ttyS0,... set it up).
 */
static void serial_setup(void)
{
	uint16_t port = (uint16_t)KX_PURGATORY_PARAMS.console_base;
	uint32_t baud = (uint32_t)KX_PURGATORY_PARAMS.arch[0], div;

	if (KX_PURGATORY_PARAMS.console_kind != KX_CONSOLE_X86_PIO || !baud)
		return;
	div = 115200 / baud;
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, UART_LCR_DLAB | UART_LCR_8N1);
	outb(port + 0, (uint8_t)div);
	outb(port + 1, (uint8_t)(div >> 8));
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, 0x07);
	outb(port + UART_MCR, 0x03);
}

/*
 * The wait is bounded: a missing UART may never report an empty transmitter.
 */
static void serial_puts(const char *s)
{
	uint16_t port = (uint16_t)KX_PURGATORY_PARAMS.console_base;

	if (KX_PURGATORY_PARAMS.console_kind != KX_CONSOLE_X86_PIO)
		return;
	for (; *s; s++) {
		for (unsigned int i = 0; i < 100000 && !(inb(port + UART_LSR) & UART_LSR_THRE); i++)
			;
		outb(port, (uint8_t)*s);
	}
}

/*
 * --console-vga: the text screen at 0xb8000 (80x25, as the BIOS and vgacon
 * leave it; the kernel's identity map covers the low 1 MiB). Lines go at the
 * bottom, the screen scrolling up, so whatever the old kernel showed stays
 * above them. The column lives in .data (.bss is not in the image).
 */
#define VGA_TEXT ((volatile uint16_t *)0xb8000)
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR 0x0700 /* light grey on black */
static unsigned int vga_col __attribute__((section(".data"))) = 0;

static void vga_newline(void)
{
	unsigned int i;

	for (i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
		VGA_TEXT[i] = VGA_TEXT[i + VGA_COLS];
	for (i = 0; i < VGA_COLS; i++)
		VGA_TEXT[VGA_COLS * (VGA_ROWS - 1) + i] = VGA_ATTR | ' ';
	vga_col = 0;
}

static void vga_puts(const char *s)
{
	if (!(KX_PURGATORY_PARAMS.flags & KX_PF_VGA))
		return;
	for (; *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n' || vga_col == VGA_COLS) {
			vga_newline();
			if (*s == '\n')
				continue;
		}
		VGA_TEXT[VGA_COLS * (VGA_ROWS - 1) + vga_col++] = VGA_ATTR | (uint8_t)*s;
	}
}

/* Progress: on the UART with --console-serial, on the screen with --console-vga. */
static void say(const char *s)
{
	if (KX_PURGATORY_PARAMS.flags & KX_PF_PROGRESS)
		serial_puts(s);
	vga_puts(s);
}

/* An error: always on the UART, and on the screen with --console-vga. */
static void say_error(const char *s)
{
	serial_puts(s);
	vga_puts(s);
}

#ifdef __x86_64__
#define X86_CR0_MP (1UL << 1)
#define X86_CR0_EM (1UL << 2)
#define X86_CR0_TS (1UL << 3)
#define X86_CR4_OSFXSR (1UL << 9)
#define X86_CR4_OSXMMEXCPT (1UL << 10)
#define X86_CR4_OSXSAVE (1UL << 18)
#define XFEATURE_MASK_FP_SSE_AVX 0x7 /* x87, SSE, AVX (the upper halves of ymm) */

/*
 * Nonzero: SSE is on, so purgatory/common/sha256.c may hash four lanes at once with
 * SSE2 (kx_sse), eight with AVX2 (kx_avx2: the AVX state is on too) and with
 * sha256-ni.S (kx_sha_ni: the "hw" path), where the CPU has them. Set at run time by
 * purgatory_cpu_setup(), never by the loader; in .data so that tests can set
 * them by name and run purgatory() in user space on each path.
 */
KX_VAR uint32_t kx_sse = 0;
KX_VAR uint32_t kx_sha_ni = 0;
KX_VAR uint32_t kx_avx2 = 0;

int kx_sha256_hw_usable(void)
{
	return kx_sha_ni != 0;
}

int kx_sha256_x4_usable(void)
{
	return kx_sse != 0;
}

int kx_sha256_x8_usable(void)
{
	return kx_avx2 != 0;
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static int cpu_has_sha_ni(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1U << 9)) || !(c & (1U << 19))) /* SSSE3, SSE4.1 */
		return 0;
	cpuid(7, &a, &b, &c, &d);
	return (b >> 29) & 1; /* SHA */
}

static int cpu_has_avx2(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1U << 26)) || !(c & (1U << 28))) /* XSAVE, AVX */
		return 0;
	cpuid(7, &a, &b, &c, &d);
	return (b >> 5) & 1; /* AVX2 */
}

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static inline void xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "a"((uint32_t)v), "d"((uint32_t)(v >> 32)), "c"(0)
			 : "memory");
}

static inline unsigned long read_cr0(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(unsigned long v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void write_cr4(unsigned long v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* The SHA code leaves message words and state in the xmm registers: wipe them all. */
static inline void clear_xmm(void)
{
	__asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
			 "pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
			 "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
			 "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
			 "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\t"
			 "pxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
			 "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
			 "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15" ::: "memory");
}

/* CR0, CR4 and XCR0 (with kx_avx2) as the old kernel left them, while SSE is on. */
static unsigned long saved_cr0, saved_cr4;
static uint64_t saved_xcr0;

void purgatory_cpu_setup(void);
void purgatory_cpu_restore(void);

/*
 * Ring 0 only (entry.S calls these around purgatory()): SSE on, with no FPU
 * emulation, no lazy-FPU trap, FXSR and SIMD exceptions (FXSR and SSE2 are
 * part of x86_64, so no CPUID check); the SHA extensions where CPUID has them;
 * otherwise AVX2 where CPUID has it and the loader allows it, with XSAVE and
 * the AVX state turned on for it.
 */
void purgatory_cpu_setup(void)
{
	saved_cr0 = read_cr0();
	saved_cr4 = read_cr4();
	write_cr0((saved_cr0 & ~(X86_CR0_EM | X86_CR0_TS)) | X86_CR0_MP);
	write_cr4(saved_cr4 | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	kx_sse = 1;
	kx_sha_ni = (uint32_t)cpu_has_sha_ni();
	if (!kx_sha_ni && (KX_PURGATORY_PARAMS.flags & KX_PF_AVX2) && cpu_has_avx2()) {
		/* XCR0 keeps the old kernel's value; it is readable once OSXSAVE is on. */
		write_cr4(saved_cr4 | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_OSXSAVE);
		saved_xcr0 = xgetbv0();
		xsetbv0(saved_xcr0 | XFEATURE_MASK_FP_SSE_AVX);
		kx_avx2 = 1;
	}
}

void purgatory_cpu_restore(void)
{
	if (kx_avx2) {
		/* All of every ymm register, while the AVX state is still on. */
		__asm__ volatile("vzeroall" ::: "memory");
		xsetbv0(saved_xcr0);
		kx_avx2 = 0;
	}
	clear_xmm();
	kx_sse = 0;
	kx_sha_ni = 0;
	write_cr4(saved_cr4);
	write_cr0(saved_cr0);
}

/* x86_64: XXH3 in SSE2 (SSE is on, purgatory_cpu_setup). */
#define XXH3_REGIONS_MATCH kx_xxh3_regions_match_vector
#define XXH3_SUM kx_xxh3_sum_vector
#else /* i386 */
/* Portable: no SHA extensions, no lanes (../common/sha256-nolanes.c). */
int kx_sha256_hw_usable(void)
{
	return 0;
}

#define XXH3_REGIONS_MATCH kx_xxh3_regions_match
#define XXH3_SUM kx_xxh3_sum
#endif

/*
 * The regions against the loader's digest: XXH3-128 (../common/xxh3.c, its
 * SSE2 build on x86_64), or with KX_PF_SHA256 SHA-256 (../common/sha256.c,
 * eight lanes on x86_64).
 */
int purgatory_verify(void);
int purgatory_verify(void)
{
	if (KX_PURGATORY_PARAMS.flags & KX_PF_SHA256)
		return kx_sha256_regions_match(KX_PURGATORY_PARAMS.regions, KX_SHA_REGIONS_MAX,
					       KX_PURGATORY_PARAMS.digest);
	return XXH3_REGIONS_MATCH(KX_PURGATORY_PARAMS.regions, KX_SHA_REGIONS_MAX,
				  KX_PURGATORY_PARAMS.digest);
}

static void say_error_hex(uint64_t v)
{
	char buf[17];

	for (int i = 0; i < 16; i++)
		buf[i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[16] = '\0';
	say_error(buf);
}

/*
 * After a mismatch: every region read again (x86_64: SSE is still on) and those
 * whose own sum differs from the loader's (region_sums) named, so that the
 * report says which segment changed since the load, or that none reads
 * differently now.
 */
static void report_changed(void)
{
	const struct kx_purgatory_params *p = &KX_PURGATORY_PARAMS;
	unsigned int changed = 0;

	for (unsigned int i = 0; i < KX_SHA_REGIONS_MAX; i++) {
		if (!p->regions[i].len ||
		    XXH3_SUM((const void *)(uintptr_t)p->regions[i].start,
			     (size_t)p->regions[i].len) == p->region_sums[i])
			continue;
		say_error("purgatory: changed since the load: the segment at 0x");
		say_error_hex(p->regions[i].start);
		say_error(", 0x");
		say_error_hex(p->regions[i].len);
		say_error(" bytes\r\n");
		changed++;
	}
	if (!changed)
		say_error("purgatory: no segment reads differently a second time\r\n");
	say_error("purgatory: stopped; the kernel was not entered\r\n");
}

void purgatory(void)
{
	serial_setup();
	say(KX_PURGATORY_PARAMS.regions[0].len ? "purgatory: checking the segments\r\n"
					       : "purgatory: no check (-i)\r\n");
	if (purgatory_verify()) {
		say("purgatory: entering the kernel\r\n");
		return;
	}
	/* Booting corrupted segments would fail in obscure ways: stop here, loudly. */
	say_error(KX_PURGATORY_PARAMS.flags & KX_PF_SHA256 ? "purgatory: sha256 mismatch\r\n"
							   : "purgatory: xxh3 mismatch\r\n");
	report_changed();
	for (;;)
		__asm__ volatile("hlt");
}
