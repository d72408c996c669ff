/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * x86_64 purgatory, the C part: check that the segments the old kernel copied
 * are the ones the loader hashed, before jumping into them. Freestanding: no
 * libc, no SSE (CR4.OSFXSR is off at entry), compiled -mcmodel=large so that it
 * runs wherever the loader puts it once relocated.
 */
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#define KX_SHA_REGIONS_MAX 16

struct kx_sha_region {
	uint64_t start;
	uint64_t len;
};

/*
 * Set by the loader, by symbol name, in the file image: in .data (never .bss,
 * which is not in the image) even though they are zero here.
 */
#define KX_VAR __attribute__((section(".data"), used))
KX_VAR uint64_t kx_entry64 = 0;
KX_VAR uint64_t kx_boot_params = 0;
KX_VAR uint8_t kx_sha256_digest[32] = { 0 };
KX_VAR struct kx_sha_region kx_sha_regions[KX_SHA_REGIONS_MAX] = { { 0, 0 } };

void purgatory(void);

#define COM1 0x3f8
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

/*
 * Uses the UART as the old kernel left it (console=ttyS0,... set it up). The
 * wait is bounded: a missing UART may never report an empty transmitter.
 */
static void serial_puts(const char *s)
{
	for (; *s; s++) {
		for (unsigned int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); i++)
			;
		outb(COM1, (uint8_t)*s);
	}
}

static int sha256_regions_match(void)
{
	struct kx_sha256 s;
	uint8_t digest[32];
	uint8_t diff = 0;
	unsigned int i;

	kx_sha256_init(&s);
	for (i = 0; i < KX_SHA_REGIONS_MAX; i++) {
		if (kx_sha_regions[i].len)
			kx_sha256_update(&s, (const void *)(uintptr_t)kx_sha_regions[i].start,
					 (size_t)kx_sha_regions[i].len);
	}
	kx_sha256_final(&s, digest);
	for (i = 0; i < sizeof(digest); i++)
		diff |= digest[i] ^ kx_sha256_digest[i];
	return diff == 0;
}

void purgatory(void)
{
	if (sha256_regions_match())
		return;
	/* Booting corrupted segments would fail in obscure ways: stop here, loudly. */
	serial_puts("purgatory: sha256 mismatch\r\n");
	for (;;)
		__asm__ volatile("hlt");
}
