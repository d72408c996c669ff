/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/iomem as hostile text: the input is written as <root>/proc/iomem and
 * read back by kexec_read_iomem(), kexec_find_crash_region() and the e820
 * reader's /proc/iomem fallback (the root has no /sys/firmware/memmap).
 */
#include "x86-bootparams.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kexec_ctx *ctx = fuzz_ctx(fuzz_root_dir());
	struct kexec_memmap map = { 0 };
	struct kx_e820 e820 = { 0 };
	uint64_t start, end;
	int r;

	fuzz_put("proc/iomem", data, size);
	r = kexec_read_iomem(ctx, &map);
	if (r >= 0) {
		FUZZ_CHECK((size_t)r == map.nr);
		for (size_t i = 0; i < map.nr; i++) {
			const struct kexec_mem_range *m = &map.r[i];

			FUZZ_CHECK(m->start <= m->end);
			FUZZ_CHECK(memchr(m->name, '\0', sizeof(m->name)) != NULL);
			FUZZ_CHECK(m->type >= LIBKEXEC_MEM_RAM && m->type <= LIBKEXEC_MEM_OTHER);
			FUZZ_CHECK(kexec_mem_type_name(m->type) != NULL);
		}
	} else {
		FUZZ_CHECK(map.nr == 0 && map.r == NULL);
	}
	kexec_memmap_free(&map);

	if (kexec_find_crash_region(ctx, &start, &end) == 0)
		FUZZ_CHECK(start <= end);

	r = kx_e820_from_system(ctx, &e820);
	if (r >= 0) {
		FUZZ_CHECK((size_t)r == e820.nr && e820.nr > 0);
		for (size_t i = 0; i < e820.nr; i++) {
			FUZZ_CHECK(e820.e[i].size > 0);
			FUZZ_CHECK(i == 0 || e820.e[i - 1].addr <= e820.e[i].addr);
		}
	}
	kx_e820_free(&e820);
	kexec_ctx_free(ctx);
	return 0;
}
