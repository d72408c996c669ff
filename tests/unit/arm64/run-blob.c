/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs the arm64 purgatory's check in user space, for
 * tests/unit/test-purgatory-arm64.c, under qemu-aarch64 (or natively on
 * arm64): the test relocates the embedded blob with the library for BASE,
 * writes its parameter block (regions, digest) and path switches, and saves
 * the image; this program maps it at BASE as the kernel would (bufsz bytes
 * of image, zeros to memsz), maps each data file at its address, and calls
 * ENTRY, the relocated purgatory_verify(). So the blob's own code, at the
 * address the library relocated it for, checks the library's digest.
 *
 *   run-blob IMAGE BASE MEMSZ ENTRY [FILE ADDR LEN]...
 *
 * Exit status: 0 the digest matched, 1 it did not, 10 and up: bad usage or
 * a failed system call (which one: the status).
 */
#include "runtime.h"

static uint8_t *map_file(const char *path, uint64_t addr, uint64_t len, int prot)
{
	uint64_t size = (len + 4095) & ~4095ULL;
	long fd, r;
	uint8_t *p;

	/* At addr exactly, over nothing of ours (NOREPLACE: never over a mapping). */
	p = (uint8_t *)sys6(SYS_mmap, (long)addr, (long)(size ? size : 4096), prot | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if ((uint64_t)(uintptr_t)p != addr)
		sys_exit(11);
	fd = sys6(SYS_openat, AT_FDCWD, (long)path, 0, 0, 0, 0);
	if (fd < 0)
		sys_exit(12);
	/* Up to len bytes; a shorter file leaves zeros after it. */
	for (uint64_t done = 0; done < len; done += (uint64_t)r) {
		r = sys6(SYS_read, fd, (long)(p + done), (long)(len - done), 0, 0, 0);
		if (r < 0)
			sys_exit(13);
		if (r == 0)
			break;
	}
	sys6(SYS_close, fd, 0, 0, 0, 0, 0);
	return p;
}

int main(int argc, char **argv)
{
	uint64_t base, memsz, entry, addr, len;
	int (*verify)(void);

	if (argc < 5 || (argc - 5) % 3)
		return 10;
	if (parse_u64(argv[2], &base) || parse_u64(argv[3], &memsz) || parse_u64(argv[4], &entry))
		return 10;
	for (int i = 5; i < argc; i += 3) {
		if (parse_u64(argv[i + 1], &addr) || parse_u64(argv[i + 2], &len))
			return 10;
		map_file(argv[i], addr, len, PROT_READ);
	}
	/* The image's file holds bufsz bytes; the rest of memsz stays zero. */
	map_file(argv[1], base, memsz, PROT_READ | PROT_EXEC);
	verify = (int (*)(void))(uintptr_t)entry;
	return verify() == 1 ? 0 : 1;
}
