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
	/* The image's file holds bufsz bytes; the rest of memsz stays zero (.bss, written). */
	map_file(argv[1], base, memsz, PROT_READ | PROT_WRITE | PROT_EXEC);
	verify = (int (*)(void))(uintptr_t)entry;
	return verify() == 1 ? 0 : 1;
}
