/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The s390x purgatory (lib/arch/s390/load.c loads it; entry.S enters it):
 * the check of purgatory/common/check-main.c over the segments, read through
 * their physical addresses (DAT is off), then the kernel's entry.
 *
 * Its console is the SCLP's VT220 event (the guest's ttysclp0), written the
 * way the kernel's early SCLP code does (drivers/s390/char/sclp_early_core.c:
 * Write Event Mask, then Write Event Data, a line per event) but polling the
 * SCCB's response code instead of waiting for the service-signal interrupt.
 * It writes only to report a mismatch, after which it halts: a message before
 * the kernel would leave that interrupt pending for it (the loader refuses
 * --console-serial on s390 for that reason).
 *
 * s390's fields: entry, the kernel's entry (0x10000, where the image's
 * startup code is); console_kind KX_CONSOLE_SCLP; boot_data, console_base,
 * arch[]: none; regions[].start physical addresses.
 */
#include <stddef.h>
#include <stdint.h>

#include "console-mmio.h"
#include "params.h"

#define KX_VAR __attribute__((section(".data"), used))
KX_VAR struct kx_purgatory_params KX_PURGATORY_PARAMS = { 0 };
_Static_assert(offsetof(struct kx_purgatory_params, entry) == 0, "entry.S reads entry at 0");

#define SCLP_CMDW_WRITE_EVENT_MASK 0x00780005u
#define SCLP_CMDW_WRITE_EVENT_DATA 0x00760005u
#define SCLP_RC_NORMAL_COMPLETION 0x0020
#define EVTYP_VT220MSG 0x1a
#define EVTYP_VT220MSG_MASK (0x80000000u >> (EVTYP_VT220MSG - 1))
#define SCCB_SIZE 4096
#define SCCB_HEADER 8   /* u16 length, u8 function code, u8 control mask[3], u16 response code */
#define EVBUF_HEADER 6  /* u16 length, u8 type, u8 flags, u16 reserved */
#define LINE_MAX_BYTES 200

/* The SCCB: below 2 GiB (the purgatory is), on a page of its own, not in the lowcore. */
static uint8_t sccb[SCCB_SIZE] __attribute__((aligned(SCCB_SIZE)));
static char line[LINE_MAX_BYTES];
static unsigned int line_len;
static int sclp_state; /* 0: masks not set yet; 1: set (or tried) */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void zero(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((volatile uint8_t *)p)[i] = 0;
}

/* servc: 0 when the SCLP took the command, else its condition code. */
static int servc(uint32_t cmd, void *p)
{
	int cc;

	__asm__ volatile(".insn rre,0xb2200000,%[cmd],%[sccb]\n\t"
			 "ipm %[cc]\n\t"
			 "srl %[cc],28"
			 : [cc] "=&d"(cc)
			 : [cmd] "d"(cmd), [sccb] "a"(p)
			 : "cc", "memory");
	return cc;
}

/* One command on the SCCB; 0 when the SCLP completed it normally. */
static int sclp_cmd(uint32_t cmd)
{
	volatile uint8_t *rc = sccb + 6;
	unsigned long i;
	int cc = 2;

	for (i = 0; i < 1000000 && cc == 2; i++) /* 2: busy */
		cc = servc(cmd, sccb);
	if (cc)
		return -1;
	for (i = 0; i < 100000000 && !rc[0] && !rc[1]; i++)
		;
	return (rc[0] << 8 | rc[1]) == SCLP_RC_NORMAL_COMPLETION ? 0 : -1;
}

/* Write Event Mask: the purgatory sends VT220 messages and receives nothing. */
static void sclp_setup(void)
{
	zero(sccb, 32);
	put16(sccb, SCCB_SIZE);
	put16(sccb + 10, 4);                       /* mask length */
	put32(sccb + 12 + 4, EVTYP_VT220MSG_MASK); /* the control program's send mask */
	(void)sclp_cmd(SCLP_CMDW_WRITE_EVENT_MASK);
	sclp_state = 1;
}

static void sclp_flush(void)
{
	if (!line_len)
		return;
	if (!sclp_state)
		sclp_setup();
	zero(sccb, SCCB_HEADER + EVBUF_HEADER);
	put16(sccb, (uint16_t)(SCCB_HEADER + EVBUF_HEADER + line_len));
	put16(sccb + SCCB_HEADER, (uint16_t)(EVBUF_HEADER + line_len));
	sccb[SCCB_HEADER + 2] = EVTYP_VT220MSG;
	for (unsigned int i = 0; i < line_len; i++)
		sccb[SCCB_HEADER + EVBUF_HEADER + i] = (uint8_t)line[i];
	(void)sclp_cmd(SCLP_CMDW_WRITE_EVENT_DATA);
	line_len = 0;
}

void kx_sclp_putc(char ch)
{
	line[line_len++] = ch;
	if (ch == '\n' || line_len == LINE_MAX_BYTES)
		sclp_flush();
}
