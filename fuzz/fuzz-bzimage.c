/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 setup header: kexec_bzimage_parse() (the kernel's kexec_file probe,
 * header only), kx_bzimage_read() (the whole file, as kexec_load reads it) and
 * kx_bzimage_check_kexec_load(), on hostile bytes.
 */
#include "fuzz-common.h"

static void check_info(const struct kexec_bzimage_info *info, size_t size)
{
	FUZZ_CHECK(info->setup_size == ((size_t)info->setup_sects + 1) * 512);
	FUZZ_CHECK(info->setup_sects != 0);
	FUZZ_CHECK(info->setup_size < size);
	FUZZ_CHECK(memchr(info->kernel_version, '\0', sizeof(info->kernel_version)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kexec_bzimage_info probe, whole;
	const char *why = NULL;
	int r_probe, r_whole;

	r_probe = kexec_bzimage_parse(data, size, &probe, &why);
	/* Every refusal says why; acceptance says nothing. */
	FUZZ_CHECK(r_probe == 0 || (r_probe == -ENOEXEC && why && *why));
	if (r_probe == 0)
		check_info(&probe, size);

	why = NULL;
	r_whole = kx_bzimage_read(data, size, &whole, &why);
	FUZZ_CHECK(r_whole == 0 || (r_whole == -ENOEXEC && why && *why));
	if (r_whole == 0) {
		check_info(&whole, size);
		/* The whole-file checks pass: the header describes no byte past the end. */
		FUZZ_CHECK((uint64_t)whole.payload_offset + whole.payload_length <=
			   size - whole.setup_size);
		FUZZ_CHECK(kx_bzimage_check_size(data, &whole, size, &why) == 0);
		r_whole = kx_bzimage_check_kexec_load(&whole, &why);
		FUZZ_CHECK(r_whole == 0 || (r_whole == -ENOEXEC && why && *why));
	}
	/* Both read the same header the same way. */
	if (r_probe == 0 && kx_bzimage_read(data, size, &whole, &why) == 0)
		FUZZ_CHECK(!memcmp(&probe, &whole, sizeof(probe)));
	return 0;
}
