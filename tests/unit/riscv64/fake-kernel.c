/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake kernels' C part (fake-kernel.S): what the old kernel leaves, and
 * the new kernel's report on QEMU virt's ns16550a, one line:
 *   KERNEL a0=... a1=... sstatus=same|changed stvec=same|changed satp=...
 *     path=... ticks=... nonzero=[t1]\r\n
 * nonzero: the registers other than a0 and a1 that were not zero at
 * kernel_entry. Then QEMU's test device (sifive_test at 0x100000) powers
 * the machine off: status 0.
 */
#include <stdint.h>

#define VM_CONFIG 0x80300000UL
#define UART 0x10000000UL
#define TEST_DEVICE 0x100000UL
#define SSTATUS_SIE 0x2UL
#define SSTATUS_SPIE 0x20UL
#define SSTATUS_SPP 0x100UL

extern uint64_t regs[32];
void old_kernel_last_words(uint64_t mode);
__attribute__((noreturn)) void old_vector_report(uint64_t scause, uint64_t sepc, uint64_t stval);
__attribute__((noreturn)) void kernel_report(void);

static uint64_t want_sstatus, want_stvec;

#define csr_read(c)                                               \
	({                                                        \
		uint64_t v_;                                      \
		__asm__ volatile("csrr %0, " #c : "=r"(v_));      \
		v_;                                               \
	})

static void putc_(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)UART;

	for (int i = 0; i < 1000000 && !(u[5] & 0x20); i++)
		;
	u[0] = (uint8_t)c;
}

static void puts_(const char *s)
{
	for (; *s; s++)
		putc_(*s);
}

static void hex(uint64_t v)
{
	for (int s = 60; s >= 0; s -= 4)
		putc_("0123456789abcdef"[(v >> s) & 15]);
}

static void dec(uint64_t v)
{
	char b[24];
	int i = 24;

	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	while (i < 24)
		putc_(b[i++]);
}

__attribute__((noreturn)) static void poweroff(void)
{
	*(volatile uint32_t *)TEST_DEVICE = 0x5555; /* FINISHER_PASS */
	for (;;)
		__asm__ volatile("wfi");
}

/*
 * What the purgatory must hand on: the stvec and sstatus it was entered
 * with. In mode 1 it is entered through a trap to stvec = purgatory_start,
 * which moves SIE to SPIE and sets SPP.
 */
void old_kernel_last_words(uint64_t mode)
{
	uint64_t s = csr_read(sstatus);
	const uint64_t *config = (const uint64_t *)VM_CONFIG;

	if (mode) {
		want_stvec = config[0];
		s = (s & ~(SSTATUS_SIE | SSTATUS_SPIE)) | SSTATUS_SPP |
		    (s & SSTATUS_SIE ? SSTATUS_SPIE : 0);
	} else {
		want_stvec = csr_read(stvec);
	}
	want_sstatus = s;
}

void old_vector_report(uint64_t scause, uint64_t sepc, uint64_t stval)
{
	puts_("OLD VECTOR scause=");
	hex(scause);
	puts_(" sepc=");
	hex(sepc);
	puts_(" stval=");
	hex(stval);
	puts_("\r\n");
	poweroff();
}

void kernel_report(void)
{
	static const char *const names[32] = {
		"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
		"a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
		"t3", "t4", "t5", "t6" };
	const uint64_t *config = (const uint64_t *)VM_CONFIG;
	const char *sep = "";

	puts_("KERNEL a0=");
	hex(regs[10]);
	puts_(" a1=");
	hex(regs[11]);
	puts_(csr_read(sstatus) == want_sstatus ? " sstatus=same" : " sstatus=changed");
	puts_(csr_read(stvec) == want_stvec ? " stvec=same" : " stvec=changed");
	puts_(" satp=");
	hex(csr_read(satp));
	puts_(" path=");
	hex(*(volatile uint32_t *)config[2]);
	puts_(" ticks=");
	dec(*(volatile uint64_t *)config[3]);
	puts_(" nonzero=[");
	for (int r = 1; r < 32; r++) {
		if (r == 10 || r == 11 || !regs[r])
			continue;
		puts_(sep);
		puts_(names[r]);
		sep = " ";
	}
	puts_("]\r\n");
	poweroff();
}
