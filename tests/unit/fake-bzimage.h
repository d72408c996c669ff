/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Synthetic bzImages for tests: a valid x86 boot protocol setup header around
 * a payload of patterned bytes. Tests change fields to make them invalid.
 */
#ifndef FAKE_BZIMAGE_H
#define FAKE_BZIMAGE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAKE_SETUP_SECTS 4
#define FAKE_SIZE ((FAKE_SETUP_SECTS + 1) * 512 + 8192)

static inline void fake_put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static inline void fake_put32(uint8_t *b, size_t off, uint32_t v)
{
	fake_put16(b, off, (uint16_t)v);
	fake_put16(b, off + 2, (uint16_t)(v >> 16));
}

/* Fills buf (FAKE_SIZE bytes) with a bzImage that the x86_64 probe accepts. */
static inline void fake_bzimage(uint8_t *b)
{
	memset(b, 0, FAKE_SIZE);
	for (size_t i = (FAKE_SETUP_SECTS + 1) * 512; i < FAKE_SIZE; i++)
		b[i] = (uint8_t)(i * 7);
	b[0x1f1] = FAKE_SETUP_SECTS;
	fake_put16(b, 0x1fe, 0xaa55);
	b[0x200] = 0xeb;                        /* jmp: its offset is the header's length, */
	b[0x201] = 0x6a;                        /* so the header ends at 0x26c (as Debian's) */
	memcpy(b + 0x202, "HdrS", 4);
	fake_put16(b, 0x206, 0x020f);           /* version 2.15 */
	fake_put16(b, 0x20e, 0x0400 - 0x200);   /* kernel_version string at 0x400 */
	memcpy(b + 0x400, "6.1.0-fake (test@example) #1", 29);
	b[0x211] = 0x01;                        /* LOADED_HIGH */
	fake_put32(b, 0x22c, 0x7fffffff);       /* initrd_addr_max */
	fake_put32(b, 0x230, 0x200000);         /* kernel_alignment */
	b[0x234] = 1;                           /* relocatable */
	fake_put16(b, 0x236, 0x7f);             /* KERNEL_64 | ABOVE_4G | ... */
	fake_put32(b, 0x238, 2048);             /* cmdline_size */
	fake_put32(b, 0x258, 0x1000000);        /* pref_address */
	fake_put32(b, 0x260, 0x2000000);        /* init_size: 32 MiB */
}

/* Writes a file; returns its path in tmpl (a mkstemp template). */
static inline int fake_write(char *tmpl, const void *data, size_t len)
{
	int fd = mkstemp(tmpl);

	if (fd < 0)
		return -1;
	if (len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

#endif
