/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake kernel's report (fake-kernel.S): one line on the PL011 of QEMU's
 * virt machine, read by tests/unit/test-purgatory-arm64.c:
 *   KERNEL el=E x0=.. x1=.. x2=.. x3=.. daif=.. sctlr=.. path=.. ticks=.. changed=[NAME...]
 * where path and ticks are the purgatory's kx_check_path and kx_check_ticks
 * (their addresses in the config block), and changed lists the registers
 * whose value differs from what they held before the purgatory ran (it must
 * put back all it changes). Runs with the
 * MMU off: no unaligned access, no FP/SIMD (the purgatory left it trapped).
 */
#include <stdint.h>

#define PL011 0x09000000UL
#define BEFORE ((const volatile uint64_t *)0x40300100UL)
#define AFTER ((const volatile uint64_t *)0x40300200UL)
#define CONFIG ((const volatile uint64_t *)0x40300000UL)

void fake_kernel_report(void);
void semihosting_exit(void) __attribute__((noreturn));

static void putc_(char c)
{
	while (*(volatile uint32_t *)(PL011 + 0x18) & (1u << 5))
		;
	*(volatile uint32_t *)PL011 = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void hex(uint64_t v)
{
	for (int shift = 60; shift >= 0; shift -= 4)
		putc_("0123456789abcdef"[(v >> shift) & 0xf]);
}

static void field(const char *name, uint64_t v)
{
	puts_(name);
	hex(v);
}

void fake_kernel_report(void)
{
	static const char *const names[] = { "el", "sctlr", "tcr", "mair", "ttbr0", "vbar",
					     "fptrap", "hcr", "daif" };

	puts_("KERNEL el=");
	putc_((char)('0' + AFTER[0]));
	field(" x0=", AFTER[16]);
	field(" x1=", AFTER[17]);
	field(" x2=", AFTER[18]);
	field(" x3=", AFTER[19]);
	field(" daif=", AFTER[8]);
	field(" sctlr=", AFTER[1]);
	field(" path=", *(const volatile uint32_t *)CONFIG[2]);
	field(" ticks=", *(const volatile uint64_t *)CONFIG[3]);
	puts_(" changed=[");
	for (unsigned int i = 0; i < 9; i++) {
		if (BEFORE[i] != AFTER[i]) {
			puts_(names[i]);
			putc_(':');
			hex(BEFORE[i]);
			putc_('>');
			hex(AFTER[i]);
			putc_(' ');
		}
	}
	puts_("]\r\n");
	semihosting_exit();
}
