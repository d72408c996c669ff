/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * i386 bzImage headers on hostile bytes: kx_bzimage_read32() (the 32-bit
 * boot protocol's needs) and, through the format table of a context planning
 * for i386, kexec_image_probe(), which tries every i386 format (bzImage,
 * elf-i386) and must name each one's refusal.
 */
#include "fuzz-common.h"
#include "x86.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kexec_ctx *ctx;
	struct kx_bzimage_info bz;
	LIBKEXEC_OPTS(kexec_image_info, info);
	const char *why = NULL;
	int r;

	if (!ctx) {
		ctx = fuzz_ctx(NULL);
		FUZZ_CHECK(kexec_ctx_set_arch(ctx, KEXEC_ARCH_386) == 0);
	}
	r = kx_bzimage_read32(data, size, &bz, &why);
	FUZZ_CHECK(r == 0 || (r == -ENOEXEC && why && *why));
	if (r == 0) {
		FUZZ_CHECK(bz.version >= 0x0202);
		FUZZ_CHECK(bz.setup_size < size);
	}
	why = NULL;
	r = kexec_image_probe(ctx, data, size, &info);
	why = r < 0 ? kexec_ctx_last_error(ctx) : NULL;
	FUZZ_CHECK(r == 0 || (r == -ENOEXEC && why && strstr(why, "bzImage: ") &&
			      strstr(why, "elf-i386: ")) ||
		   ((r == -EINVAL || r == -EFBIG || r == -EOPNOTSUPP || r == -ELOOP ||
		     r == -ENOEXEC) && why && *why && !strchr(why, '\n')));
	if (r == 0) {
		FUZZ_CHECK(!strcmp(info.format, "bzImage"));
		FUZZ_CHECK(info.file_size == size);
	}
	return 0;
}
