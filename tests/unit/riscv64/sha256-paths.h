/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ../sha256-paths.c's hooks for the riscv64 purgatory
 * (purgatory-riscv64.o), run under qemu-riscv64 or natively. The
 * purgatory's switch picks the path: kx_zknh (the Zknh instructions,
 * sha256-zknh.c) or not (the portable C). zknh is there where sha256sum0
 * runs, tried under a SIGILL handler as the purgatory's probe tries it
 * under its trap vector; the timer is the time CSR (rdtime), whose
 * frequency the program cannot read: qemu-user's counts nanoseconds.
 */
#ifndef KX_RISCV64_SHA256_PATHS_H
#define KX_RISCV64_SHA256_PATHS_H

/* The purgatory's switch (purgatory/riscv64/purgatory.c). */
extern uint32_t kx_zknh;
#define PATH_SWITCHES kx_zknh

enum { PORTABLE, ZKNH, NPATHS };
static const char *const path_names[NPATHS] = { "portable", "zknh" };

static void set_path(int path)
{
	kx_zknh = path == ZKNH;
}

static volatile int sigill;

/* A SIGILL on the probe: no Zknh; go on after the 4-byte instruction. */
static void on_sigill(int sig, void *si, void *uc)
{
	(void)sig, (void)si;
	sigill = 1;
	KX_REGS(uc)[0] += 4;
}

static int paths_here(void)
{
	uint64_t r = 1;

	if (set_handler(KX_SIGILL, on_sigill))
		sys_exit(5);
	__asm__ volatile(".insn i 0x13, 1, %0, %0, 0x100" : "+r"(r)); /* sha256sum0 */
	return !sigill && r == 0x40080400 ? NPATHS : ZKNH;
}

static uint64_t ticks(void)
{
	uint64_t v;

	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

static uint64_t ticks_hz(void)
{
	return 1000000000; /* qemu-user's; on hardware, pass the timebase */
}

#endif
