/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command's option parser (tools/options.c): the input split on NUL bytes
 * is argv after "kexec". Parsing twice gives the same answer (getopt is
 * reset), a refusal always says why, and the kernel is one of the arguments.
 */
#include "options.h"

#include "fuzz-common.h"

#define MAX_ARGS 48

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv1[MAX_ARGS + 2], *argv2[MAX_ARGS + 2];
	char err1[256], err2[256];
	struct kx_opts o1, o2;
	int argc = 1, r1, r2;
	size_t pos = 0;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv1[0] = "kexec";
	while (pos < size && argc <= MAX_ARGS) {
		argv1[argc++] = copy + pos;
		pos += strlen(copy + pos) + 1;
	}
	argv1[argc] = NULL;
	memcpy(argv2, argv1, sizeof(argv1));

	/* getopt_long() permutes its argv: each parse gets its own copy of the array. */
	r1 = kx_parse_options(argc, argv1, &o1, err1, sizeof(err1));
	r2 = kx_parse_options(argc, argv2, &o2, err2, sizeof(err2));
	FUZZ_CHECK(r1 == 0 || r1 == -1);
	FUZZ_CHECK(r1 == r2);
	if (r1 < 0) {
		FUZZ_CHECK(err1[0] != '\0');
		FUZZ_CHECK(!strcmp(err1, err2));
	} else {
		FUZZ_CHECK(!memcmp(&o1, &o2, sizeof(o1)));
		if (o1.kernel) {
			bool found = false;

			for (int i = 1; i < argc; i++)
				found |= o1.kernel == argv2[i];
			FUZZ_CHECK(found);
		}
		/* -S wins over every action, as in kexec-tools. */
		if (o1.do_status)
			FUZZ_CHECK(!o1.do_load && !o1.do_unload && !o1.do_exec && !o1.do_shutdown);
		if (o1.have_mem_min && o1.have_mem_max)
			FUZZ_CHECK(o1.mem_min <= o1.mem_max);
	}
	free(copy);
	return 0;
}
