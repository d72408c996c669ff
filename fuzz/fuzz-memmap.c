/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /sys/firmware/memmap as hostile files. The input is a list of NUL-separated
 * fields taken four at a time: the entry's directory name, then its start,
 * end and type files. A field that is exactly "\x01" leaves that file out; a
 * name that is not a usable file name becomes the entry's number. The tree is
 * read by kexec_read_firmware_memmap() and the e820 reader.
 */
#include "x86-bootparams.h"

#include "fuzz-common.h"

#define MAX_ENTRIES 64

static const char *next_field(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *start = *p, *nul;

	if (start >= end)
		return NULL;
	nul = memchr(start, '\0', (size_t)(end - start));
	*len = (size_t)((nul ? nul : end) - start);
	*p = nul ? nul + 1 : end;
	return (const char *)start;
}

static bool usable_name(const char *s, size_t len)
{
	if (!len || len > 40 || (len == 1 && s[0] == '.') || (len == 2 && !memcmp(s, "..", 2)))
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == '\0')
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "start", "end", "type" };
	const uint8_t *p = data, *end = data + size;
	struct kexec_memmap map = { 0 };
	struct kx_e820 e820 = { 0 };
	struct kexec_ctx *ctx;
	int r;

	fuzz_clear();
	fuzz_mkdir("sys/firmware/memmap");
	for (unsigned n = 0; n < MAX_ENTRIES && p < end; n++) {
		char name[64], rel[160];
		size_t len;
		const char *f = next_field(&p, end, &len);

		if (!f)
			break;
		if (usable_name(f, len))
			snprintf(name, sizeof(name), "%.*s", (int)len, f);
		else
			snprintf(name, sizeof(name), "%u", n);
		for (unsigned k = 0; k < 3; k++) {
			f = next_field(&p, end, &len);
			if (!f)
				f = "", len = 0;
			if (len == 1 && f[0] == '\x01')
				continue;
			snprintf(rel, sizeof(rel), "sys/firmware/memmap/%s/%s", name, files[k]);
			fuzz_put(rel, f, len);
		}
	}

	ctx = fuzz_ctx(fuzz_root_dir());
	r = kexec_read_firmware_memmap(ctx, &map);
	if (r >= 0) {
		FUZZ_CHECK((size_t)r == map.nr);
		for (size_t i = 0; i < map.nr; i++) {
			FUZZ_CHECK(map.r[i].start <= map.r[i].end);
			FUZZ_CHECK(memchr(map.r[i].name, '\0', sizeof(map.r[i].name)) != NULL);
			FUZZ_CHECK(i == 0 || map.r[i - 1].start <= map.r[i].start);
		}
	}
	kexec_memmap_free(&map);
	r = kx_e820_from_system(ctx, &e820);
	if (r >= 0) {
		for (size_t i = 0; i < e820.nr; i++)
			FUZZ_CHECK(e820.e[i].size > 0);
	}
	kx_e820_free(&e820);
	kexec_ctx_free(ctx);
	return 0;
}
