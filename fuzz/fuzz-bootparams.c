/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The zero-page builder with a hostile /sys: the input is records (see
 * fuzz_next_record) that write the files kx_x86_sysinfo_read() reads, and one
 * that describes the layout (addresses, command line, setup-header fields).
 * Then kx_x86_build_boot_params(), whose output must hold together: its size
 * does not depend on where it goes, the e820 count fits the table, the command
 * line pointer points at the command line, and the setup_data chain stays
 * inside the buffer and ends.
 */
#include "x86-bootparams.h"

#include "fuzz-common.h"

#define RUNTIME_MAP_N 8
#define MEMMAP_N 16

static const char *const efi_fields[] = { "type", "phys_addr", "virt_addr", "num_pages",
					  "attribute" };
static const char *const memmap_fields[] = { "start", "end", "type" };

/* Selector i names this file; the last selector is the layout. */
static bool record_path(unsigned sel, char *rel, size_t len)
{
	static const char *const fixed[] = {
		"sys/kernel/boot_params/data",  "sys/firmware/efi/fw_vendor",
		"sys/firmware/efi/runtime",     "sys/firmware/efi/config_table",
		"sys/firmware/efi/systab",      "proc/iomem",
	};
	const unsigned nfixed = sizeof(fixed) / sizeof(fixed[0]);

	if (sel < nfixed) {
		snprintf(rel, len, "%s", fixed[sel]);
		return true;
	}
	sel -= nfixed;
	if (sel < RUNTIME_MAP_N * 5) {
		snprintf(rel, len, "sys/firmware/efi/runtime-map/%u/%s", sel / 5, efi_fields[sel % 5]);
		return true;
	}
	sel -= RUNTIME_MAP_N * 5;
	if (sel < MEMMAP_N * 3) {
		snprintf(rel, len, "sys/firmware/memmap/%u/%s", sel / 3, memmap_fields[sel % 3]);
		return true;
	}
	return false;
}

#define NR_SELECTORS (6 + RUNTIME_MAP_N * 5 + MEMMAP_N * 3 + 1)

static uint64_t get64(const uint8_t *b, size_t off)
{
	return kx_le64(b + off);
}

static void check_params(const uint8_t *b, size_t len, const struct kx_x86_sysinfo *si,
			 const struct kx_x86_boot_layout *lay)
{
	size_t cmd_len = strlen(lay->cmdline) + 1, hops = 0;
	uint64_t base = lay->params_addr, next;

	FUZZ_CHECK(len >= 4096 + cmd_len);
	FUZZ_CHECK(!memcmp(b + 4096, lay->cmdline, cmd_len));
	FUZZ_CHECK(kx_le32(b + 0x228) == (uint32_t)(base + 4096));
	FUZZ_CHECK(kx_le32(b + 0x0c8) == (uint32_t)((base + 4096) >> 32));
	FUZZ_CHECK(b[0x1e8] <= KX_E820_MAX_IN_ZEROPAGE);
	FUZZ_CHECK(b[0x1e8] == (si->e820.nr < 128 ? si->e820.nr : 128));
	FUZZ_CHECK(b[0x1ef] == 0); /* the sentinel */
	/* setup_data: each node inside the buffer, after the command line, in order. */
	for (next = get64(b, 0x250); next; next = get64(b, (size_t)(next - base))) {
		size_t off, dlen;

		FUZZ_CHECK(++hops <= 3);
		FUZZ_CHECK(next >= base + 4096 + cmd_len && next - base <= len - 16);
		off = (size_t)(next - base);
		FUZZ_CHECK(off % 16 == 0);
		dlen = kx_le32(b + off + 12);
		FUZZ_CHECK(dlen <= len - off - 16);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_record rec;
	struct kx_x86_sysinfo si;
	struct kx_x86_boot_layout lay = { 0 };
	struct fuzz_in layout = { NULL, 0 };
	uint8_t image[0x400], *out = NULL, *out2 = NULL;
	size_t len = 0, len2 = 0;
	char cmdline[4200], rel[128];
	struct kexec_ctx *ctx;
	int r;

	fuzz_clear();
	while (fuzz_next_record(&in, &rec)) {
		unsigned sel = rec.selector % NR_SELECTORS;

		if (record_path(sel, rel, sizeof(rel)))
			fuzz_put(rel, rec.data, rec.len);
		else
			layout = (struct fuzz_in){ rec.data, rec.len };
	}

	ctx = fuzz_ctx(fuzz_root_dir());
	r = kx_x86_sysinfo_read(ctx, &si);
	if (r < 0) {
		kexec_ctx_free(ctx);
		return 0;
	}
	FUZZ_CHECK(si.e820.nr > 0);
	FUZZ_CHECK(!si.efi_runtime_map_size || si.efi_runtime_map);

	/* A 2.15 setup header whose fields the layout record may change. */
	memset(image, 0, sizeof(image));
	memcpy(image + 0x202, "HdrS", 4);
	image[0x201] = 0x6a;
	image[0x206] = 0x0f;
	image[0x207] = 0x02;
	image[0x239] = 0x08; /* cmdline_size 2048 */
	{
		uint8_t how = fuzz_u8(&layout);
		size_t n;

		if (how & 1)
			image[0x201] = fuzz_u8(&layout);
		if (how & 2) {
			uint16_t v = fuzz_u16(&layout);

			image[0x206] = (uint8_t)v;
			image[0x207] = (uint8_t)(v >> 8);
		}
		if (how & 4) {
			uint32_t v = fuzz_u32(&layout);

			for (int i = 0; i < 4; i++)
				image[0x238 + i] = (uint8_t)(v >> (8 * i));
		}
		lay.rng_seed = how & 8;
		lay.kernel_addr = fuzz_u64(&layout);
		lay.initrd_addr = fuzz_u64(&layout);
		lay.initrd_size = how & 16 ? fuzz_u64(&layout) : 0;
		lay.params_addr = fuzz_u64(&layout) & ~(uint64_t)15;
		n = fuzz_u16(&layout) % sizeof(cmdline);
		for (size_t i = 0; i < n; i++)
			cmdline[i] = (char)('a' + (fuzz_u8(&layout) % 26));
		cmdline[n] = '\0';
		lay.image = image;
		lay.image_len = how & 32 ? 0x206 + fuzz_u8(&layout) % (sizeof(image) - 0x206)
					 : sizeof(image);
	}
	lay.cmdline = cmdline;

	r = kx_x86_build_boot_params(ctx, &si, &lay, &out, &len);
	if (r == 0) {
		check_params(out, len, &si, &lay);
		/* The size depends on the inputs only, not on where it goes. */
		lay.params_addr = lay.params_addr ? 0 : 0x100000;
		FUZZ_CHECK(kx_x86_build_boot_params(ctx, &si, &lay, &out2, &len2) == 0);
		FUZZ_CHECK(len2 == len);
		check_params(out2, len2, &si, &lay);
	}
	free(out);
	free(out2);
	kx_x86_sysinfo_free(&si);
	kexec_ctx_free(ctx);
	return 0;
}
