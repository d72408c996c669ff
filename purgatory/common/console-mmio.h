/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The console of the purgatories that write to MMIO (arm64, riscv64, arm, mips): a PL011 or an
 * 8250 with byte or 32-bit registers at MMIO console_base, as the old kernel
 * (or the firmware) left it; s390's SCLP through the purgatory's own
 * kx_sclp_putc (KX_HAVE_SCLP); the pseries hypervisor terminal through
 * ppc64's kx_hvterm_putc (KX_HAVE_HVTERM). Header-only (static inline: a file uses what it needs).
 * The waits are bounded: a UART that is not there may never report room.
 */
#ifndef KX_PURGATORY_CONSOLE_MMIO_H
#define KX_PURGATORY_CONSOLE_MMIO_H

#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "xxh3.h"

#define KX_PL011_DR 0x00
#define KX_PL011_FR 0x18
#define KX_PL011_FR_TXFF (1u << 5)
#define KX_UART_LSR 5
#define KX_UART_LSR_THRE 0x20

static inline uint32_t kx_mmio_read32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}

static inline void kx_mmio_write32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)a = v;
}

static inline uint8_t kx_mmio_read8(uint64_t a)
{
	return *(volatile uint8_t *)(uintptr_t)a;
}

static inline void kx_mmio_write8(uint64_t a, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)a = v;
}

#ifdef KX_HAVE_SCLP
/* purgatory/s390/purgatory.c: one character to the SCLP console, sent a line at a time. */
void kx_sclp_putc(char ch);
#endif
#ifdef KX_HAVE_HVTERM
/* purgatory/ppc64/purgatory.c: one character to the pseries virtual terminal term. */
void kx_hvterm_putc(uint64_t term, char ch);
#endif

static inline void kx_console_putc(const struct kx_purgatory_params *p, char ch)
{
	uint64_t base = p->console_base;
	unsigned int i;

	switch (p->console_kind) {
	case KX_CONSOLE_PL011:
		for (i = 0; i < 100000 && (kx_mmio_read32(base + KX_PL011_FR) & KX_PL011_FR_TXFF); i++)
			;
		kx_mmio_write32(base + KX_PL011_DR, (uint8_t)ch);
		break;
	case KX_CONSOLE_8250_MMIO8:
		for (i = 0; i < 100000 && !(kx_mmio_read8(base + KX_UART_LSR) & KX_UART_LSR_THRE); i++)
			;
		kx_mmio_write8(base, (uint8_t)ch);
		break;
	case KX_CONSOLE_8250_MMIO32:
		for (i = 0; i < 100000 && !(kx_mmio_read32(base + 4 * KX_UART_LSR) & KX_UART_LSR_THRE);
		     i++)
			;
		kx_mmio_write32(base, (uint8_t)ch);
		break;
#ifdef KX_HAVE_SCLP
	case KX_CONSOLE_SCLP:
		kx_sclp_putc(ch);
		break;
#endif
#ifdef KX_HAVE_HVTERM
	case KX_CONSOLE_HVTERM:
		kx_hvterm_putc(base, ch);
		break;
#endif
	default:
		break;
	}
}

static inline void kx_console_puts(const struct kx_purgatory_params *p, const char *s)
{
	for (; *s; s++)
		kx_console_putc(p, *s);
}

static inline void kx_console_hex(const struct kx_purgatory_params *p, uint64_t v)
{
	for (int shift = 60; shift >= 0; shift -= 4)
		kx_console_putc(p, "0123456789abcdef"[(v >> shift) & 0xf]);
}

static inline void kx_console_dec(const struct kx_purgatory_params *p, uint64_t v)
{
	char b[20];
	int i = 20;

	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	while (i < 20)
		kx_console_putc(p, b[i++]);
}

/*
 * After a mismatch: every region read again with the plain code (the MMU may
 * be off), and those whose own sum differs from the loader's (region_sums)
 * named, so that the report says which segment changed since the load, or
 * that none reads differently now; then the report's last line.
 */
/*
 * A region's start as the report prints it: the physical address. A
 * purgatory whose loader gives the regions as mapped addresses (mips: XKPHYS)
 * defines KX_REGION_PHYS_MASK first.
 */
#ifndef KX_REGION_PHYS_MASK
#define KX_REGION_PHYS_MASK UINT64_MAX
#endif

static inline void kx_console_report_changed(const struct kx_purgatory_params *p)
{
	unsigned int changed = 0;

	for (unsigned int i = 0; i < KX_SHA_REGIONS_MAX; i++) {
		if (!p->regions[i].len ||
		    kx_xxh3_sum((const void *)(uintptr_t)p->regions[i].start, (size_t)p->regions[i].len) ==
			    p->region_sums[i])
			continue;
		kx_console_puts(p, "purgatory: changed since the load: the segment at 0x");
		kx_console_hex(p, p->regions[i].start & KX_REGION_PHYS_MASK);
		kx_console_puts(p, ", 0x");
		kx_console_hex(p, p->regions[i].len);
		kx_console_puts(p, " bytes\r\n");
		changed++;
	}
	if (!changed)
		kx_console_puts(p, "purgatory: no segment reads differently a second time\r\n");
	kx_console_puts(p, "purgatory: stopped; the kernel was not entered\r\n");
}

#endif
