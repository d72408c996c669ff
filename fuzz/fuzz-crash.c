/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kdump core-header builder with a hostile /proc and /sys: records (see
 * fuzz_next_record) write cpu/possible, each CPU's crash_notes and
 * crash_notes_size, vmcoreinfo, /proc/iomem and /proc/kcore; one more says
 * ELF32 or ELF64 and the machine. kx_crash_info_read() then
 * kx_crash_build_elfcorehdr(), whose output must be the ELF core header it
 * claims: its program headers in the buffer, one per thing it describes.
 */
#include <elf.h>

#include "arch.h"
#include "crash.h"
#include "fuzz-common.h"

#define CPUS 8

static bool record_path(unsigned sel, char *rel, size_t len)
{
	static const char *const fixed[] = {
		"sys/devices/system/cpu/possible", "sys/kernel/vmcoreinfo",
		"proc/iomem",                      "proc/kcore",
	};

	if (sel < 4) {
		snprintf(rel, len, "%s", fixed[sel]);
		return true;
	}
	sel -= 4;
	if (sel < CPUS * 2) {
		snprintf(rel, len, "sys/devices/system/cpu/cpu%u/%s", sel / 2,
			 sel % 2 ? "crash_notes_size" : "crash_notes");
		return true;
	}
	return false;
}

#define NR_SELECTORS (4 + CPUS * 2 + 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size }, opts = { NULL, 0 };
	struct fuzz_record rec;
	struct kx_crash_info ci;
	struct kexec_ctx *ctx;
	uint8_t *hdr = NULL, how;
	size_t len = 0, want, phsize;
	bool elf32;
	uint16_t machine;
	char rel[128];

	fuzz_clear();
	while (fuzz_next_record(&in, &rec)) {
		if (record_path(rec.selector % NR_SELECTORS, rel, sizeof(rel)))
			fuzz_put(rel, rec.data, rec.len);
		else
			opts = (struct fuzz_in){ rec.data, rec.len };
	}
	how = fuzz_u8(&opts);
	elf32 = how & 1;
	machine = how & 2 ? EM_AARCH64 : how & 4 ? fuzz_u16(&opts) : EM_X86_64;

	ctx = fuzz_ctx(fuzz_root_dir());
	if (kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci) < 0) {
		kexec_ctx_free(ctx);
		return 0;
	}
	FUZZ_CHECK(!ci.nr_cpu_notes || ci.cpu_notes);
	FUZZ_CHECK(!ci.nr_ram || ci.ram);
	for (size_t i = 0; i < ci.nr_ram; i++) {
		FUZZ_CHECK(ci.ram[i].start <= ci.ram[i].end);
		FUZZ_CHECK(i == 0 || ci.ram[i - 1].end < ci.ram[i].start);
	}

	if (kx_crash_build_elfcorehdr(ctx, &ci, elf32, machine, &hdr, &len) == 0) {
		size_t nr = ci.nr_cpu_notes + (ci.vmcoreinfo.size ? 1 : 0) +
			    (ci.have_kernel_text ? 1 : 0) + ci.nr_ram;
		uint16_t phnum;

		phsize = elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
		want = (elf32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr)) + nr * phsize;
		FUZZ_CHECK(hdr != NULL && len >= want);
		FUZZ_CHECK(!memcmp(hdr, ELFMAG, SELFMAG));
		FUZZ_CHECK(hdr[EI_CLASS] == (elf32 ? ELFCLASS32 : ELFCLASS64));
		phnum = kx_le16(hdr + (elf32 ? offsetof(Elf32_Ehdr, e_phnum)
					     : offsetof(Elf64_Ehdr, e_phnum)));
		FUZZ_CHECK(phnum == nr && nr < PN_XNUM);
		FUZZ_CHECK(kx_le16(hdr + offsetof(Elf64_Ehdr, e_type)) == ET_CORE);
		/* Every byte after the program headers is zero padding. */
		for (size_t i = want; i < len; i++)
			FUZZ_CHECK(hdr[i] == 0);
		free(hdr);
	}
	kx_crash_info_free(&ci);
	kexec_ctx_free(ctx);
	return 0;
}
