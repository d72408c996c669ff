/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 32-bit ARM zImage headers on hostile bytes: kx_arm_zimage_read() and,
 * through the format table of a context planning for arm,
 * kexec_image_probe(), which tries every arm format and must name each
 * one's refusal.
 */
#include "fuzz-common.h"
#include "arm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kexec_ctx *ctx;
	struct kx_arm_zimage z;
	LIBKEXEC_OPTS(kexec_image_info, info);
	const char *why = NULL;
	int r;

	if (!ctx) {
		ctx = fuzz_ctx(NULL);
		FUZZ_CHECK(kexec_ctx_set_arch(ctx, KEXEC_ARCH_ARM) == 0);
	}
	r = kx_arm_zimage_read(data, size, &z, &why);
	FUZZ_CHECK(r == 0 || (r == -ENOEXEC && why && *why));
	if (r == 0) {
		FUZZ_CHECK(size >= 0x40);
		FUZZ_CHECK(z.size >= 0x40 && z.size <= size);
		FUZZ_CHECK(z.unpacked <= (1u << 30) && z.bss <= (1u << 30));
	}
	why = NULL;
	r = kexec_image_probe(ctx, data, size, &info);
	why = r < 0 ? kexec_ctx_last_error(ctx) : NULL;
	/*
	 * Not a kernel: each format's refusal named. A broken envelope: what is
	 * wrong with it, in one line.
	 */
	FUZZ_CHECK(r == 0 || (r == -ENOEXEC && why && strstr(why, "zImage: ") &&
			      strstr(why, "elf-arm: ")) ||
		   ((r == -EINVAL || r == -EFBIG || r == -EOPNOTSUPP || r == -ELOOP ||
		     r == -ENOEXEC) && why && *why && !strchr(why, '\n')));
	if (r == 0) {
		FUZZ_CHECK(!strcmp(info.format, "zImage"));
		FUZZ_CHECK(info.file_size == size);
	}
	return 0;
}
