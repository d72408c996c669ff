/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes the malformed kernels of the bad-input corpus into a directory, from
 * the synthetic bzImage of the unit tests (tests/unit/fake-bzimage.h) and a
 * minimal ELF vmlinux, so that the corpus is a program rather than forty
 * binary files. tests/bad-inputs/run.sh says what each must be refused for;
 * fuzz/corpus/ holds some of them as seeds.
 *
 *   gen-bad-inputs DIR
 *
 * good.bzImage, good.elf     accepted: the runner's positive controls
 * trunc-OFF-FIELD            good.bzImage cut at the start of each setup-header
 *                            field, and at the boundaries after the header
 * bz-*                       one header field made impossible
 * elf-*                      one ELF header or program header made impossible
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/fake-bzimage.h"

static const char *outdir;

static void put64(uint8_t *b, size_t off, uint64_t v)
{
	fake_put32(b, off, (uint32_t)v);
	fake_put32(b, off + 4, (uint32_t)(v >> 32));
}

static void out(const char *name, const void *data, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0) {
		fprintf(stderr, "gen-bad-inputs: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* ---- bzImage ------------------------------------------------------------ */

#define SETUP_SIZE ((FAKE_SETUP_SECTS + 1) * 512)
#define PM_SIZE (FAKE_SIZE - SETUP_SIZE) /* the protected-mode part */

/* The unit tests' bzImage, with the size fields a real one has. */
static void good_bzimage(uint8_t *b)
{
	fake_bzimage(b);
	fake_put32(b, 0x1f4, PM_SIZE / 16);         /* syssize */
	fake_put32(b, 0x248, 0x100);                /* payload_offset */
	fake_put32(b, 0x24c, PM_SIZE - 0x100 - 16); /* payload_length */
}

/* Documentation/arch/x86/boot.rst, "The real-mode kernel header". */
static const struct {
	unsigned off;
	const char *name;
} fields[] = {
	{ 0x1f1, "setup_sects" }, { 0x1f2, "root_flags" }, { 0x1f4, "syssize" },
	{ 0x1f8, "ram_size" }, { 0x1fa, "vid_mode" }, { 0x1fc, "root_dev" },
	{ 0x1fe, "boot_flag" }, { 0x200, "jump" }, { 0x202, "header" },
	{ 0x206, "version" }, { 0x208, "realmode_swtch" }, { 0x20c, "start_sys_seg" },
	{ 0x20e, "kernel_version" }, { 0x210, "type_of_loader" }, { 0x211, "loadflags" },
	{ 0x212, "setup_move_size" }, { 0x214, "code32_start" }, { 0x218, "ramdisk_image" },
	{ 0x21c, "ramdisk_size" }, { 0x220, "bootsect_kludge" }, { 0x224, "heap_end_ptr" },
	{ 0x226, "ext_loader_ver" }, { 0x227, "ext_loader_type" }, { 0x228, "cmd_line_ptr" },
	{ 0x22c, "initrd_addr_max" }, { 0x230, "kernel_alignment" },
	{ 0x234, "relocatable_kernel" }, { 0x235, "min_alignment" }, { 0x236, "xloadflags" },
	{ 0x238, "cmdline_size" }, { 0x23c, "hardware_subarch" },
	{ 0x240, "hardware_subarch_data" }, { 0x248, "payload_offset" },
	{ 0x24c, "payload_length" }, { 0x250, "setup_data" }, { 0x258, "pref_address" },
	{ 0x260, "init_size" }, { 0x264, "handover_offset" }, { 0x268, "kernel_info_offset" },
	/* Past the header: the setup code, its last byte, no kernel, inside the payload, its tail. */
	{ 0x26c, "header_end" }, { 0x400, "setup_code" }, { SETUP_SIZE - 1, "setup_last_byte" },
	{ SETUP_SIZE, "no_kernel" }, { SETUP_SIZE + 0x80, "payload_start" },
	{ SETUP_SIZE + PM_SIZE / 2, "payload_middle" }, { FAKE_SIZE - 16, "last_paragraph" },
	{ FAKE_SIZE - 1, "last_byte" },
};

static void bzimages(void)
{
	static uint8_t good[FAKE_SIZE], b[FAKE_SIZE];
	char name[64];

	good_bzimage(good);
	out("good.bzImage", good, sizeof(good));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(name, sizeof(name), "trunc-%04x-%s", fields[i].off, fields[i].name);
		out(name, good, fields[i].off);
	}

#define VARIANT(name, ...)                          \
	do {                                        \
		memcpy(b, good, sizeof(b));         \
		__VA_ARGS__;                        \
		out(name, b, sizeof(b));            \
	} while (0)
	VARIANT("bz-bad-magic", memcpy(b + 0x202, "HdrZ", 4));
	VARIANT("bz-no-boot-flag", fake_put16(b, 0x1fe, 0));
	VARIANT("bz-protocol-2.00", fake_put16(b, 0x206, 0x0200));
	VARIANT("bz-zimage", b[0x211] = 0);
	VARIANT("bz-32bit", fake_put16(b, 0x236, 0));
	VARIANT("bz-below-4g-only", fake_put16(b, 0x236, 0x01));
	VARIANT("bz-setup-sects-255", b[0x1f1] = 255);
	VARIANT("bz-syssize-huge", fake_put32(b, 0x1f4, 0xffffffffu));
	VARIANT("bz-payload-past-end", fake_put32(b, 0x24c, PM_SIZE));
	VARIANT("bz-payload-offset-huge", fake_put32(b, 0x248, 0xfffffff0u));
	VARIANT("bz-cmdline-size-0", fake_put32(b, 0x238, 0));
	VARIANT("bz-init-size-4g", fake_put32(b, 0x260, 0xfffff000u));
	/* Not relocatable, and its only address is not RAM on the fixture machine. */
	VARIANT("bz-fixed-outside-ram", b[0x234] = 0; put64(b, 0x258, 0x2000000000ULL));
#undef VARIANT
}

/* ---- ELF vmlinux -------------------------------------------------------- */

#define ELF_SIZE 0x3000
#define PH(i) (64 + 56 * (i))

/* One PT_LOAD: 0x1000 bytes from offset 0x1000 to 16 MiB, 0x2000 in memory. */
static void set_load(uint8_t *e, unsigned i, uint64_t off, uint64_t paddr, uint64_t filesz,
		     uint64_t memsz)
{
	uint8_t *ph = e + PH(i);

	fake_put32(ph, 0, 1);                     /* PT_LOAD */
	fake_put32(ph, 4, 7);                     /* RWX */
	put64(ph, 8, off);
	put64(ph, 16, 0xffffffff80000000ULL + paddr);
	put64(ph, 24, paddr);
	put64(ph, 32, filesz);
	put64(ph, 40, memsz);
	put64(ph, 48, 0x200000);
}

static void good_elf(uint8_t *e)
{
	memset(e, 0, ELF_SIZE);
	memcpy(e, "\177ELF", 4);
	e[4] = 2;                                 /* ELFCLASS64 */
	e[5] = 1;                                 /* little-endian */
	e[6] = 1;                                 /* EV_CURRENT */
	fake_put16(e, 16, 2);                     /* ET_EXEC */
	fake_put16(e, 18, 62);                    /* EM_X86_64 */
	fake_put32(e, 20, 1);
	put64(e, 24, 0x1000000);                  /* e_entry: physical, as vmlinux's */
	put64(e, 32, 64);                         /* e_phoff */
	fake_put16(e, 52, 64);                    /* e_ehsize */
	fake_put16(e, 54, 56);                    /* e_phentsize */
	fake_put16(e, 56, 1);                     /* e_phnum */
	set_load(e, 0, 0x1000, 0x1000000, 0x1000, 0x2000);
	for (size_t i = 0x1000; i < ELF_SIZE; i++)
		e[i] = (uint8_t)(i * 13);
}

static void elves(void)
{
	static uint8_t good[ELF_SIZE], e[ELF_SIZE];

	good_elf(good);
	out("good.elf", good, sizeof(good));
	out("elf-truncated-header", good, 48);

#define VARIANT(name, ...)                          \
	do {                                        \
		memcpy(e, good, sizeof(e));         \
		__VA_ARGS__;                        \
		out(name, e, sizeof(e));            \
	} while (0)
	VARIANT("elf-class32", e[4] = 1);
	VARIANT("elf-big-endian", e[5] = 2);
	VARIANT("elf-arm64", fake_put16(e, 18, 183));
	VARIANT("elf-relocatable", fake_put16(e, 16, 1));
	/* busybox's shape: an executable linked at user addresses. */
	VARIANT("elf-user-program", put64(e + PH(0), 16, 0x401000));
	VARIANT("elf-phoff-past-end", put64(e, 32, 0x100000));
	VARIANT("elf-phoff-wraps", put64(e, 32, 0xffffffffffffffc0ULL));
	VARIANT("elf-phnum-huge", fake_put16(e, 56, 0xffff));
	VARIANT("elf-phentsize-small", fake_put16(e, 54, 32));
	VARIANT("elf-filesz-gt-memsz", put64(e + PH(0), 32, 0x3000));
	VARIANT("elf-offset-past-end", put64(e + PH(0), 8, 0x100000));
	VARIANT("elf-filesz-past-end", put64(e + PH(0), 32, 0x10000); put64(e + PH(0), 40, 0x10000));
	VARIANT("elf-memsz-huge", put64(e + PH(0), 40, 0x4000000000000000ULL));
	VARIANT("elf-paddr-wraps", put64(e + PH(0), 24, 0xfffffffffffff000ULL));
	VARIANT("elf-not-in-ram", put64(e + PH(0), 24, 0x200000000ULL));
	VARIANT("elf-no-pt-load", fake_put32(e + PH(0), 0, 4));
	/* Two PT_LOADs whose destinations overlap by a page. */
	VARIANT("elf-overlap", fake_put16(e, 56, 2);
		set_load(e, 1, 0x2000, 0x1001000, 0x1000, 0x2000));
	/* 14 PT_LOADs: with initrd, boot_params and purgatory, more than 16 segments. */
	VARIANT("elf-too-many-loads", fake_put16(e, 56, 14);
		for (unsigned i = 0; i < 14; i++)
			set_load(e, i, 0x1000, 0x1000000 + 0x200000 * (uint64_t)i, 0x100, 0x1000));
	/* In RAM, but larger than half of the fixture machine's 1 GiB: the kernel says EINVAL. */
	VARIANT("elf-over-half-ram", put64(e + PH(0), 40, 0x28000000));
	/* The entry point lies in no PT_LOAD: the purgatory would jump into nothing. */
	VARIANT("elf-entry-outside", put64(e, 24, 0x5000000));
#undef VARIANT
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-bad-inputs DIR\n");
		return 2;
	}
	outdir = argv[1];
	bzimages();
	elves();
	return 0;
}
