/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel command-line helpers: kexec_cmdline_remove_param() (input: NAME NUL
 * LINE), kexec_cmdline_concat(), and kexec_cmdline_reuse() on LINE written as
 * <root>/proc/cmdline.
 */
#include "fuzz-common.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t nlen = nul ? (size_t)(nul - data) : size;
	size_t llen = nul ? size - nlen - 1 : 0;
	char *name = strndup((const char *)data, nlen);
	char *line = strndup(nul ? (const char *)nul + 1 : "", llen);
	char *once, *twice, *joined, *reused = NULL;
	struct kexec_ctx *ctx;
	size_t n;

	FUZZ_CHECK(name && line);

	once = strdup(line);
	FUZZ_CHECK(once != NULL);
	kexec_cmdline_remove_param(once, name);
	n = strlen(once);
	FUZZ_CHECK(n <= strlen(line));
	FUZZ_CHECK(n == 0 || !blank(once[n - 1]));
	/* Removing again removes nothing: every match went the first time. */
	twice = strdup(once);
	FUZZ_CHECK(twice != NULL);
	kexec_cmdline_remove_param(twice, name);
	FUZZ_CHECK(!strcmp(once, twice));

	joined = kexec_cmdline_concat(name, line);
	FUZZ_CHECK(joined != NULL);
	if (!*name)
		FUZZ_CHECK(!strcmp(joined, line));
	else if (!*line)
		FUZZ_CHECK(!strcmp(joined, name));
	else
		FUZZ_CHECK(strlen(joined) == strlen(name) + 1 + strlen(line) &&
			   !strncmp(joined, name, strlen(name)) && joined[strlen(name)] == ' ' &&
			   !strcmp(joined + strlen(name) + 1, line));

	fuzz_put("proc/cmdline", line, strlen(line));
	ctx = fuzz_ctx(fuzz_root_dir());
	if (kexec_cmdline_reuse(ctx, size & 1, &reused) == 0) {
		char *again = strdup(reused);

		FUZZ_CHECK(again != NULL);
		kexec_cmdline_remove_param(again, "BOOT_IMAGE");
		if (size & 1)
			kexec_cmdline_remove_param(again, "crashkernel");
		FUZZ_CHECK(!strcmp(again, reused));
		free(again);
		free(reused);
	}
	kexec_ctx_free(ctx);
	free(joined);
	free(twice);
	free(once);
	free(line);
	free(name);
	return 0;
}
