/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The memory-bandwidth floor of a load (bench/load.sh): map each file and copy
 * its bytes once into one buffer, as a loader that reads everything once and
 * copies it once would. Prints nothing; exits 0.
 *
 *   copy FILE...
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	size_t total = 0, off = 0;
	void **maps = calloc((size_t)argc, sizeof(*maps));
	size_t *lens = calloc((size_t)argc, sizeof(*lens));
	unsigned char *dst;

	if (!maps || !lens)
		return 1;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0 || fstat(fd, &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		lens[i] = (size_t)st.st_size;
		maps[i] = mmap(NULL, lens[i], PROT_READ, MAP_PRIVATE, fd, 0);
		if (maps[i] == MAP_FAILED) {
			perror(argv[i]);
			return 1;
		}
		close(fd);
		total += lens[i];
	}
	dst = malloc(total ? total : 1);
	if (!dst)
		return 1;
	for (int i = 1; i < argc; i++) {
		memcpy(dst + off, maps[i], lens[i]);
		off += lens[i];
	}
	/* Keep the copy from being optimised away. */
	return dst[total ? total - 1 : 0] == 0x100;
}
