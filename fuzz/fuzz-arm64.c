/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * arm64 Image headers on hostile bytes: kx_arm64_image_read() and, through
 * the format table of a context planning for arm64, kexec_image_probe(),
 * which tries every arm64 format and must name each one's refusal.
 */
#include "fuzz-common.h"
#include "arm64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kexec_ctx *ctx;
	struct kx_arm64_image img;
	LIBKEXEC_OPTS(kexec_image_info, info);
	const char *why = NULL;
	int r;

	if (!ctx) {
		ctx = fuzz_ctx(NULL);
		FUZZ_CHECK(kexec_ctx_set_arch(ctx, KEXEC_ARCH_AARCH64) == 0);
	}
	r = kx_arm64_image_read(data, size, &img, &why);
	FUZZ_CHECK(r == 0 || (r == -ENOEXEC && why && *why));
	if (r == 0) {
		FUZZ_CHECK(size >= 64);
		FUZZ_CHECK(img.image_size > 0 && img.image_size <= (1ULL << 32));
		FUZZ_CHECK(!(img.text_offset & 0xfff) && img.text_offset < 0x200000);
		FUZZ_CHECK(!(img.flags & KX_ARM64_FLAG_BE));
	}
	why = NULL;
	r = kexec_image_probe(ctx, data, size, &info);
	why = r < 0 ? kexec_ctx_last_error(ctx) : NULL;
	/*
	 * Not a kernel: each format's refusal named. A broken envelope (gzip
	 * magic and a bad stream, a bomb...): what is wrong with it, in one line.
	 */
	FUZZ_CHECK(r == 0 || (r == -ENOEXEC && why && strstr(why, "Image: ") &&
			      strstr(why, "elf-arm64: ")) ||
		   ((r == -EINVAL || r == -EFBIG || r == -EOPNOTSUPP || r == -ELOOP ||
		     r == -ENOEXEC) && why && *why && !strchr(why, '\n')));
	if (r == 0) {
		FUZZ_CHECK(!strcmp(info.format, "Image"));
		FUZZ_CHECK(info.file_size == size);
		FUZZ_CHECK(info.compression && *info.compression);
	}
	return 0;
}
