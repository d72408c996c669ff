/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 setup header on hostile bytes: kx_bzimage_read() (the whole file,
 * as both loaders read it) and the bzImage format's probe and kexec_file_load
 * check (lib/arch/x86_64/bzimage.c), through the format table.
 */
#include "fuzz-common.h"
#include "x86.h"

static void check_info(const struct kx_bzimage_info *info, size_t size)
{
	FUZZ_CHECK(info->setup_size == ((size_t)info->setup_sects + 1) * 512);
	FUZZ_CHECK(info->setup_sects != 0);
	FUZZ_CHECK(info->setup_size < size);
	FUZZ_CHECK(memchr(info->kernel_version, '\0', sizeof(info->kernel_version)) != NULL);
	/* The whole-file checks passed: the header describes no byte past the end. */
	FUZZ_CHECK((uint64_t)info->payload_offset + info->payload_length <=
		   size - info->setup_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kx_bzimage_info whole;
	struct kexec_image_info info;
	struct kx_msg msg;
	const char *why = NULL;
	int r_whole, r_probe;

	r_whole = kx_bzimage_read(data, size, &whole, &why);
	/* Every refusal says why; acceptance says nothing. */
	FUZZ_CHECK(r_whole == 0 || (r_whole == -ENOEXEC && why && *why));
	if (r_whole == 0)
		check_info(&whole, size);

	memset(&info, 0, sizeof(info));
	why = NULL;
	r_probe = kx_format_bzimage.probe(data, size, &info, &why, &msg);
	FUZZ_CHECK(r_probe == 0 || (r_probe == -ENOEXEC && why && *why));
	/* The format's probe is the same chain of checks. */
	FUZZ_CHECK((r_probe == 0) == (r_whole == 0));
	if (r_probe == 0) {
		FUZZ_CHECK(info.protocol == whole.version);
		FUZZ_CHECK(info.unpacked_size == whole.init_size);
		why = NULL;
		r_probe = kx_format_bzimage.file_check(data, size, size, &info, &why);
		FUZZ_CHECK(r_probe == 0 || (r_probe == -ENOEXEC && why && *why));
	}
	return 0;
}
