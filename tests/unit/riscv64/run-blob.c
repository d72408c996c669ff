/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs the whole riscv64 purgatory, from purgatory_start to the new
 * kernel's first instruction, in user space, for
 * tests/unit/test-purgatory-riscv64.c, under qemu-riscv64 (or natively on
 * riscv64): the test relocates the embedded blob with the library for BASE,
 * writes its parameter block (entry, device tree, console, regions, digest,
 * arch[0]) and saves the image; this program maps it at BASE as the kernel
 * would (bufsz bytes of image, zeros to memsz), maps each data file at its
 * address, a fake UART at CONSOLE and a fake new kernel at ENTRY, and jumps
 * to START with a0 = HARTID and a1 = A1, as the old kernel's
 * riscv_kexec_relocate does.
 *
 * What user mode lacks is emulated in signal handlers, as an S-mode hart
 * would behave: the CSR instructions on sstatus, sie, stvec, sscratch, sepc,
 * scause, stval, sip and satp (SIGILL), sret, and wfi (the purgatory halts);
 * any other illegal instruction (Zknh's on a CPU without it) or a fault
 * outside the UART is delivered as a trap to the emulated stvec, with sepc,
 * scause and stval, as the hardware would. The UART is a read-only page
 * whose LSR says "transmitter empty": each store to its THR faults, and the
 * byte is taken from the store's register. The fake kernel is an ebreak at
 * ENTRY (SIGTRAP), which reports the registers the kernel got.
 *
 *   run-blob IMAGE BASE MEMSZ START HARTID A1 CONSOLE ENTRY PATH TICKS [FILE ADDR LEN]...
 *
 * PATH and TICKS: the relocated addresses of kx_check_path and
 * kx_check_ticks. Output: "CONSOLE[...]" (what the purgatory printed), then
 * one of
 *   KERNEL a0=... a1=... sstatus=... stvec=... satp=... path=... ticks=N nonzero=[t1 ...]
 *     (exit 0: the fake kernel was entered; nonzero lists the other
 *     registers that were not zero there)
 *   HALT path=... ticks=N   (exit 1: wfi, the purgatory halted)
 * Exit 10 and up: bad usage, a failed system call, or the purgatory did
 * something no hart would survive (the status says which).
 */
#include "runtime.h"

/* What the old kernel left: our stvec (never to be jumped to) and sstatus (SPP, SPIE, SIE). */
#define OLD_STVEC 0x5a5a5000ULL
#define OLD_SSTATUS 0x122ULL
#define SSTATUS_SIE 0x2ULL
#define SSTATUS_SPIE 0x20ULL
#define SSTATUS_SPP 0x100ULL

static struct {
	uint64_t sstatus, sie, stvec, sscratch, sepc, scause, stval, sip, satp;
} csr;

static uint64_t console_base, entry, path_addr, ticks_addr;
static char console[4096];
static size_t console_len;
static unsigned int traps;

static uint64_t *csr_ref(unsigned int num)
{
	switch (num) {
	case 0x100: return &csr.sstatus;
	case 0x104: return &csr.sie;
	case 0x105: return &csr.stvec;
	case 0x140: return &csr.sscratch;
	case 0x141: return &csr.sepc;
	case 0x142: return &csr.scause;
	case 0x143: return &csr.stval;
	case 0x144: return &csr.sip;
	case 0x180: return &csr.satp;
	}
	return NULL;
}

static void show_console(void)
{
	puts_("CONSOLE[");
	out(console, console_len);
	puts_("]\n");
}

/* A trap into the purgatory's vector: what an S-mode hart does. */
static void trap(uint64_t *x, uint64_t cause, uint64_t tval)
{
	if (csr.stvec == OLD_STVEC || !csr.stvec) {
		show_console();
		puts_("UNHANDLED scause=");
		put_x64(cause);
		puts_(" sepc=");
		put_x64(x[0]);
		puts_(" (the old kernel's trap vector)\n");
		sys_exit(20);
	}
	if (++traps > 100)
		sys_exit(21);
	csr.sepc = x[0];
	csr.scause = cause;
	csr.stval = tval;
	csr.sstatus = (csr.sstatus & ~(SSTATUS_SPIE | SSTATUS_SIE)) | SSTATUS_SPP |
		      (csr.sstatus & SSTATUS_SIE ? SSTATUS_SPIE : 0);
	x[0] = csr.stvec & ~3ULL;
}

static void on_sigill(int sig, void *si, void *uc)
{
	uint64_t *x = KX_REGS(uc);
	unsigned int len;
	uint32_t i = insn_at(x[0], &len);

	(void)sig, (void)si;
	if (len == 4 && (i & 0x7f) == 0x73) {
		unsigned int f3 = (i >> 12) & 7, rd = (i >> 7) & 31, rs1 = (i >> 15) & 31;
		uint64_t *c = csr_ref(i >> 20);

		if (i == 0x10500073) { /* wfi: the purgatory halts */
			show_console();
			puts_("HALT path=");
			put_x64(*(volatile uint32_t *)(uintptr_t)path_addr);
			puts_(" ticks=");
			put_u64(*(volatile uint64_t *)(uintptr_t)ticks_addr);
			puts_("\n");
			sys_exit(1);
		}
		if (i == 0x10200073) { /* sret */
			x[0] = csr.sepc;
			csr.sstatus = (csr.sstatus & ~(SSTATUS_SIE | SSTATUS_SPP)) |
				      (csr.sstatus & SSTATUS_SPIE ? SSTATUS_SIE : 0) | SSTATUS_SPIE;
			return;
		}
		if (f3 != 0 && f3 != 4 && c) {
			uint64_t old = *c, src = f3 >= 5 ? rs1 : rs1 ? x[rs1] : 0;

			switch (f3 & 3) {
			case 1: /* csrrw(i) */
				*c = src;
				break;
			case 2: /* csrrs(i) */
				if (rs1)
					*c = old | src;
				break;
			case 3: /* csrrc(i) */
				if (rs1)
					*c = old & ~src;
				break;
			}
			if (rd)
				x[rd] = old;
			x[0] += 4;
			return;
		}
	}
	trap(x, 2, i); /* illegal instruction */
}

static void on_sigsegv(int sig, void *si, void *uc)
{
	uint64_t *x = KX_REGS(uc), addr = KX_SI_ADDR(si);
	unsigned int len, rs2;
	uint32_t i = insn_at(x[0], &len);
	int store;

	(void)sig;
	if (len == 4)
		store = (i & 0x7f) == 0x23;
	else
		store = (i & 3) != 1 && (i >> 13) >= 5; /* c.fsd c.sw c.sd, c.fsdsp c.swsp c.sdsp */
	if (store && addr >= console_base && addr < console_base + 4096) {
		rs2 = len == 4 ? (i >> 20) & 31 : (i & 3) == 0 ? ((i >> 2) & 7) + 8 : (i >> 2) & 31;
		if (addr == console_base && console_len < sizeof(console))
			console[console_len++] = rs2 ? (char)x[rs2] : 0;
		x[0] += len;
		return;
	}
	trap(x, store ? 7 : 5, addr); /* store or load access fault */
}

static void on_sigtrap(int sig, void *si, void *uc)
{
	static const char *const names[32] = {
		"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
		"a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
		"t3", "t4", "t5", "t6" };
	uint64_t *x = KX_REGS(uc);
	const char *sep = "";

	(void)sig, (void)si;
	show_console();
	if (x[0] != entry) {
		puts_("EBREAK at ");
		put_x64(x[0]);
		puts_("\n");
		sys_exit(22);
	}
	puts_("KERNEL a0=");
	put_x64(x[10]);
	puts_(" a1=");
	put_x64(x[11]);
	puts_(" sstatus=");
	put_x64(csr.sstatus);
	puts_(" stvec=");
	put_x64(csr.stvec);
	puts_(" satp=");
	put_x64(csr.satp);
	puts_(" path=");
	put_x64(*(volatile uint32_t *)(uintptr_t)path_addr);
	puts_(" ticks=");
	put_u64(*(volatile uint64_t *)(uintptr_t)ticks_addr);
	puts_(" nonzero=[");
	for (int r = 1; r < 32; r++) {
		if (r == 10 || r == 11 || !x[r])
			continue;
		puts_(sep);
		puts_(names[r]);
		sep = " ";
	}
	puts_("]\n");
	sys_exit(0);
}

/* Into the purgatory as the old kernel goes: a0, a1; every other register garbage. */
__attribute__((noreturn)) static void enter(uint64_t start, uint64_t a0, uint64_t a1)
{
	register uint64_t r_a0 __asm__("a0") = a0;
	register uint64_t r_a1 __asm__("a1") = a1;
	register uint64_t r_t6 __asm__("t6") = start;

	__asm__ volatile("li ra, -1\n li gp, -1\n li tp, -1\n li t0, -1\n li t1, -1\n"
			 "li t2, -1\n li s0, -1\n li s1, -1\n li a2, -1\n li a3, -1\n"
			 "li a4, -1\n li a5, -1\n li a6, -1\n li a7, -1\n li s2, -1\n"
			 "li s3, -1\n li s4, -1\n li s5, -1\n li s6, -1\n li s7, -1\n"
			 "li s8, -1\n li s9, -1\n li s10, -1\n li s11, -1\n li t3, -1\n"
			 "li t4, -1\n li t5, -1\n jr t6"
			 :
			 : "r"(r_a0), "r"(r_a1), "r"(r_t6)
			 : "memory");
	__builtin_unreachable();
}

int main(int argc, char **argv)
{
	uint64_t base, memsz, start, hartid, a1, addr, len;
	uint8_t *p;

	if (argc < 11 || (argc - 11) % 3)
		return 10;
	if (parse_u64(argv[2], &base) || parse_u64(argv[3], &memsz) || parse_u64(argv[4], &start) ||
	    parse_u64(argv[5], &hartid) || parse_u64(argv[6], &a1) ||
	    parse_u64(argv[7], &console_base) || parse_u64(argv[8], &entry) ||
	    parse_u64(argv[9], &path_addr) || parse_u64(argv[10], &ticks_addr))
		return 10;
	for (int i = 11; i < argc; i += 3) {
		if (parse_u64(argv[i + 1], &addr) || parse_u64(argv[i + 2], &len))
			return 10;
		map_file(argv[i], addr, len, PROT_READ);
	}
	/* The image's file holds bufsz bytes; the rest of memsz stays zero. */
	map_file(argv[1], base, memsz, PROT_READ | PROT_WRITE | PROT_EXEC);
	/* The UART: LSR (8-bit registers at 5, 32-bit ones at 20) says "THR empty". */
	p = map_at(console_base, 4096);
	p[5] = 0x60;
	p[20] = 0x60;
	if (sys6(SYS_mprotect, (long)p, 4096, PROT_READ, 0, 0, 0))
		return 15;
	/* The new kernel: ebreak. */
	p = map_at(entry, 4096);
	p[0] = 0x73, p[1] = 0x00, p[2] = 0x10, p[3] = 0x00;
	if (sys6(SYS_mprotect, (long)p, 4096, PROT_READ | PROT_EXEC, 0, 0, 0))
		return 16;
	if (set_handler(KX_SIGILL, on_sigill) || set_handler(KX_SIGSEGV, on_sigsegv) ||
	    set_handler(KX_SIGBUS, on_sigsegv) || set_handler(KX_SIGTRAP, on_sigtrap))
		return 17;
	csr.sstatus = OLD_SSTATUS;
	csr.stvec = OLD_STVEC;
	enter(start, hartid, a1);
}
