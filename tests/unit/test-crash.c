/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kdump ELF core header builder (lib/crash.c) against trees captured from
 * real QEMU guests (tests/fixtures/crash-x86_64*, whose reference/ holds the
 * headers of the /proc/vmcore the kernel's own kexec_file_load header gave
 * the crash kernel) and against trees the tests write into a mkdtemp()
 * directory: a 256-CPU machine with 3000 RAM ranges, crashkernel=,high, and
 * hostile files.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw() */
#endif
#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch.h"
#include "crash.h"
#include "libkexec.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must name the tests/fixtures directory"
#endif

#define FIXTURE_TMP_NAME "test-crash"
#include "fixture-util.h"

static void remove_file(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(remove(path), 0);
}

static void read_fixture(const char *rel, uint8_t **buf, size_t *len)
{
	char path[PATH_MAX];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("fopen %s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	*buf = malloc((size_t)n);
	assert_non_null(*buf);
	assert_int_equal(fread(*buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
}

/* A small machine: CPUs 0-1, vmcoreinfo, RAM 0-640K and 1M-1G with a crash region. */
static const char small_iomem[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"00100000-3fffffff : System RAM\n"
	"  01000000-01ffffff : Kernel code\n"
	"  02000000-02ffffff : Kernel bss\n"
	"  30000000-3effffff : Crash kernel\n";

static void write_small_machine(const char *dir)
{
	write_text(dir, "sys/devices/system/cpu/possible", "0-1\n");
	write_text(dir, "sys/devices/system/cpu/cpu0/crash_notes", "3fc17a00\n");
	write_text(dir, "sys/devices/system/cpu/cpu0/crash_notes_size", "368\n");
	write_text(dir, "sys/devices/system/cpu/cpu1/crash_notes", "3fd17a00\n");
	write_text(dir, "sys/devices/system/cpu/cpu1/crash_notes_size", "368\n");
	write_text(dir, "sys/kernel/vmcoreinfo", "2bcd6a0 1000\n");
	write_text(dir, "proc/iomem", small_iomem);
}

/* ---- A synthetic /proc/kcore ---------------------------------------------- */

struct load {
	uint64_t vaddr, paddr, memsz;
};

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An ELF64 core header: a PT_NOTE, then one PT_LOAD per entry; phnum as given. */
static size_t make_kcore(uint8_t *buf, size_t cap, const struct load *l, size_t n,
			 uint16_t machine)
{
	size_t len = sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr), i;
	uint8_t *p;

	assert_true(len <= cap);
	memset(buf, 0, len);
	memcpy(buf, ELFMAG, SELFMAG);
	buf[EI_CLASS] = ELFCLASS64;
	buf[EI_DATA] = ELFDATA2LSB;
	buf[EI_VERSION] = EV_CURRENT;
	put_le(buf + offsetof(Elf64_Ehdr, e_type), ET_CORE, 2);
	put_le(buf + offsetof(Elf64_Ehdr, e_machine), machine, 2);
	put_le(buf + offsetof(Elf64_Ehdr, e_version), EV_CURRENT, 4);
	put_le(buf + offsetof(Elf64_Ehdr, e_phoff), sizeof(Elf64_Ehdr), 8);
	put_le(buf + offsetof(Elf64_Ehdr, e_ehsize), sizeof(Elf64_Ehdr), 2);
	put_le(buf + offsetof(Elf64_Ehdr, e_phentsize), sizeof(Elf64_Phdr), 2);
	put_le(buf + offsetof(Elf64_Ehdr, e_phnum), n + 1, 2);
	p = buf + sizeof(Elf64_Ehdr);
	put_le(p + offsetof(Elf64_Phdr, p_type), PT_NOTE, 4);
	put_le(p + offsetof(Elf64_Phdr, p_offset), 0x1000, 8);
	put_le(p + offsetof(Elf64_Phdr, p_filesz), 0x100, 8);
	for (i = 0; i < n; i++) {
		p += sizeof(Elf64_Phdr);
		put_le(p + offsetof(Elf64_Phdr, p_type), PT_LOAD, 4);
		put_le(p + offsetof(Elf64_Phdr, p_flags), PF_R | PF_W | PF_X, 4);
		put_le(p + offsetof(Elf64_Phdr, p_offset), l[i].vaddr + 0x4000, 8);
		put_le(p + offsetof(Elf64_Phdr, p_vaddr), l[i].vaddr, 8);
		put_le(p + offsetof(Elf64_Phdr, p_paddr), l[i].paddr, 8);
		put_le(p + offsetof(Elf64_Phdr, p_filesz), l[i].memsz, 8);
		put_le(p + offsetof(Elf64_Phdr, p_memsz), l[i].memsz, 8);
		put_le(p + offsetof(Elf64_Phdr, p_align), 0x1000, 8);
	}
	return len;
}

static void write_kcore(const char *dir, const struct load *l, size_t n)
{
	uint8_t buf[4096];
	size_t len = make_kcore(buf, sizeof(buf), l, n, EM_X86_64);

	write_bytes(dir, "proc/kcore", buf, len);
}

/* The ELF32 /proc/kcore of a 32-bit kernel (i386, arm): the same loads, 32-bit fields. */
static size_t make_kcore32(uint8_t *buf, size_t cap, const struct load *l, size_t n,
			   uint16_t machine)
{
	size_t len = sizeof(Elf32_Ehdr) + (n + 1) * sizeof(Elf32_Phdr), i;
	uint8_t *p;

	assert_true(len <= cap);
	memset(buf, 0, len);
	memcpy(buf, ELFMAG, SELFMAG);
	buf[EI_CLASS] = ELFCLASS32;
	buf[EI_DATA] = ELFDATA2LSB;
	buf[EI_VERSION] = EV_CURRENT;
	put_le(buf + offsetof(Elf32_Ehdr, e_type), ET_CORE, 2);
	put_le(buf + offsetof(Elf32_Ehdr, e_machine), machine, 2);
	put_le(buf + offsetof(Elf32_Ehdr, e_version), EV_CURRENT, 4);
	put_le(buf + offsetof(Elf32_Ehdr, e_phoff), sizeof(Elf32_Ehdr), 4);
	put_le(buf + offsetof(Elf32_Ehdr, e_ehsize), sizeof(Elf32_Ehdr), 2);
	put_le(buf + offsetof(Elf32_Ehdr, e_phentsize), sizeof(Elf32_Phdr), 2);
	put_le(buf + offsetof(Elf32_Ehdr, e_phnum), n + 1, 2);
	p = buf + sizeof(Elf32_Ehdr);
	put_le(p + offsetof(Elf32_Phdr, p_type), PT_NOTE, 4);
	put_le(p + offsetof(Elf32_Phdr, p_offset), 0x1000, 4);
	put_le(p + offsetof(Elf32_Phdr, p_filesz), 0x100, 4);
	for (i = 0; i < n; i++) {
		p += sizeof(Elf32_Phdr);
		put_le(p + offsetof(Elf32_Phdr, p_type), PT_LOAD, 4);
		put_le(p + offsetof(Elf32_Phdr, p_offset), (uint32_t)l[i].vaddr + 0x4000, 4);
		put_le(p + offsetof(Elf32_Phdr, p_vaddr), (uint32_t)l[i].vaddr, 4);
		put_le(p + offsetof(Elf32_Phdr, p_paddr), (uint32_t)l[i].paddr, 4);
		put_le(p + offsetof(Elf32_Phdr, p_filesz), (uint32_t)l[i].memsz, 4);
		put_le(p + offsetof(Elf32_Phdr, p_memsz), (uint32_t)l[i].memsz, 4);
		put_le(p + offsetof(Elf32_Phdr, p_flags), PF_R | PF_W | PF_X, 4);
		put_le(p + offsetof(Elf32_Phdr, p_align), 0x1000, 4);
	}
	return len;
}

#define PO 0xffff9d5c40000000ULL /* a KASLR page_offset_base */
#define TEXT 0xffffffff8f000000ULL
#define NOPA UINT64_MAX

/* ---- Parsing a header back -------------------------------------------------- */

struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct hdr {
	unsigned cls;
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint32_t version;
	uint64_t phoff, entry, shoff;
	struct ph *ph;
};

static uint64_t get_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Parse an ELF core header as a consumer would, checking every bound. */
static void parse_header(const uint8_t *b, size_t len, struct hdr *h)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	assert_true(len >= sizeof(Elf32_Ehdr));
	assert_memory_equal(b, ELFMAG, SELFMAG);
	assert_int_equal(b[EI_DATA], ELFDATA2LSB);
	assert_int_equal(b[EI_VERSION], EV_CURRENT);
	assert_int_equal(b[EI_OSABI], ELFOSABI_NONE);
	for (i = EI_ABIVERSION; i < EI_NIDENT; i++)
		assert_int_equal(b[i], 0);
	h->cls = b[EI_CLASS];
	if (h->cls == ELFCLASS64) {
		assert_true(len >= sizeof(Elf64_Ehdr));
		h->type = (uint16_t)get_le(b + offsetof(Elf64_Ehdr, e_type), 2);
		h->machine = (uint16_t)get_le(b + offsetof(Elf64_Ehdr, e_machine), 2);
		h->version = (uint32_t)get_le(b + offsetof(Elf64_Ehdr, e_version), 4);
		h->entry = get_le(b + offsetof(Elf64_Ehdr, e_entry), 8);
		h->phoff = get_le(b + offsetof(Elf64_Ehdr, e_phoff), 8);
		h->shoff = get_le(b + offsetof(Elf64_Ehdr, e_shoff), 8);
		h->ehsize = (uint16_t)get_le(b + offsetof(Elf64_Ehdr, e_ehsize), 2);
		h->phentsize = (uint16_t)get_le(b + offsetof(Elf64_Ehdr, e_phentsize), 2);
		h->phnum = (uint16_t)get_le(b + offsetof(Elf64_Ehdr, e_phnum), 2);
		assert_int_equal(get_le(b + offsetof(Elf64_Ehdr, e_shnum), 2), 0);
		assert_int_equal(h->phentsize, sizeof(Elf64_Phdr));
	} else {
		assert_int_equal(h->cls, ELFCLASS32);
		h->type = (uint16_t)get_le(b + offsetof(Elf32_Ehdr, e_type), 2);
		h->machine = (uint16_t)get_le(b + offsetof(Elf32_Ehdr, e_machine), 2);
		h->version = (uint32_t)get_le(b + offsetof(Elf32_Ehdr, e_version), 4);
		h->entry = get_le(b + offsetof(Elf32_Ehdr, e_entry), 4);
		h->phoff = get_le(b + offsetof(Elf32_Ehdr, e_phoff), 4);
		h->shoff = get_le(b + offsetof(Elf32_Ehdr, e_shoff), 4);
		h->ehsize = (uint16_t)get_le(b + offsetof(Elf32_Ehdr, e_ehsize), 2);
		h->phentsize = (uint16_t)get_le(b + offsetof(Elf32_Ehdr, e_phentsize), 2);
		h->phnum = (uint16_t)get_le(b + offsetof(Elf32_Ehdr, e_phnum), 2);
		assert_int_equal(get_le(b + offsetof(Elf32_Ehdr, e_shnum), 2), 0);
		assert_int_equal(h->phentsize, sizeof(Elf32_Phdr));
	}
	assert_true(h->phoff <= len && (uint64_t)h->phnum * h->phentsize <= len - h->phoff);
	h->ph = calloc(h->phnum ? h->phnum : 1, sizeof(*h->ph));
	assert_non_null(h->ph);
	for (i = 0; i < h->phnum; i++) {
		const uint8_t *p = b + h->phoff + i * h->phentsize;
		struct ph *x = &h->ph[i];

		if (h->cls == ELFCLASS64) {
			x->type = (uint32_t)get_le(p + offsetof(Elf64_Phdr, p_type), 4);
			x->flags = (uint32_t)get_le(p + offsetof(Elf64_Phdr, p_flags), 4);
			x->offset = get_le(p + offsetof(Elf64_Phdr, p_offset), 8);
			x->vaddr = get_le(p + offsetof(Elf64_Phdr, p_vaddr), 8);
			x->paddr = get_le(p + offsetof(Elf64_Phdr, p_paddr), 8);
			x->filesz = get_le(p + offsetof(Elf64_Phdr, p_filesz), 8);
			x->memsz = get_le(p + offsetof(Elf64_Phdr, p_memsz), 8);
			x->align = get_le(p + offsetof(Elf64_Phdr, p_align), 8);
		} else {
			x->type = (uint32_t)get_le(p + offsetof(Elf32_Phdr, p_type), 4);
			x->flags = (uint32_t)get_le(p + offsetof(Elf32_Phdr, p_flags), 4);
			x->offset = get_le(p + offsetof(Elf32_Phdr, p_offset), 4);
			x->vaddr = get_le(p + offsetof(Elf32_Phdr, p_vaddr), 4);
			x->paddr = get_le(p + offsetof(Elf32_Phdr, p_paddr), 4);
			x->filesz = get_le(p + offsetof(Elf32_Phdr, p_filesz), 4);
			x->memsz = get_le(p + offsetof(Elf32_Phdr, p_memsz), 4);
			x->align = get_le(p + offsetof(Elf32_Phdr, p_align), 4);
		}
	}
}

static void assert_ph(const struct hdr *h, size_t i, uint32_t type, uint64_t vaddr, uint64_t paddr,
		      uint64_t size)
{
	const struct ph *x = &h->ph[i];
	uint32_t flags = type == PT_LOAD ? (PF_R | PF_W | PF_X) : 0;

	if (x->type != type || x->flags != flags || x->offset != paddr || x->vaddr != vaddr ||
	    x->paddr != paddr || x->filesz != size || x->memsz != size || x->align != 0)
		fail_msg("phdr %zu: got type %u flags %#x offset %#llx vaddr %#llx paddr %#llx "
			 "filesz %#llx memsz %#llx align %#llx; want type %u flags %#x vaddr %#llx "
			 "paddr=offset %#llx size %#llx", i, x->type, x->flags,
			 (unsigned long long)x->offset, (unsigned long long)x->vaddr,
			 (unsigned long long)x->paddr, (unsigned long long)x->filesz,
			 (unsigned long long)x->memsz, (unsigned long long)x->align, type, flags,
			 (unsigned long long)vaddr, (unsigned long long)paddr,
			 (unsigned long long)size);
}

/* The header of kx_crash_build_elfcorehdr(): fixed fields, then phdrs as ci says. */
static void check_built(const uint8_t *buf, size_t len, const struct kx_crash_info *ci,
			bool elf32, uint16_t machine)
{
	size_t nr = ci->nr_cpu_notes + (ci->vmcoreinfo.size ? 1 : 0) +
		    (ci->have_kernel_text ? 1 : 0) + ci->nr_ram;
	size_t ehsize = elf32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	size_t phsize = elf32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	size_t i, k = 0;
	struct hdr h;

	/* Rounded up like the kernel's (ELF_CORE_HEADER_ALIGN, 4096), zero-filled. */
	assert_int_equal(len % 4096, 0);
	assert_true(len >= ehsize + nr * phsize && len < ehsize + nr * phsize + 4096);
	for (i = ehsize + nr * phsize; i < len; i++)
		assert_int_equal(buf[i], 0);

	parse_header(buf, len, &h);
	assert_int_equal(h.cls, elf32 ? ELFCLASS32 : ELFCLASS64);
	assert_int_equal(h.type, ET_CORE);
	assert_int_equal(h.machine, machine);
	assert_int_equal(h.version, EV_CURRENT);
	assert_int_equal(h.entry, 0);
	assert_int_equal(h.shoff, 0);
	assert_int_equal(h.phoff, ehsize);
	assert_int_equal(h.ehsize, ehsize);
	assert_int_equal(h.phnum, nr);

	for (i = 0; i < ci->nr_cpu_notes; i++)
		assert_ph(&h, k++, PT_NOTE, 0, ci->cpu_notes[i].addr, ci->cpu_notes[i].size);
	if (ci->vmcoreinfo.size)
		assert_ph(&h, k++, PT_NOTE, 0, ci->vmcoreinfo.addr, ci->vmcoreinfo.size);
	if (ci->have_kernel_text)
		assert_ph(&h, k++, PT_LOAD, elf32 ? UINT32_MAX : ci->text_vaddr, ci->text_paddr,
			  ci->text_size);
	for (i = 0; i < ci->nr_ram; i++) {
		uint64_t v = ci->page_offset + ci->ram[i].start;

		if (elf32 && v > UINT32_MAX)
			v = UINT32_MAX;
		assert_ph(&h, k++, PT_LOAD, v, ci->ram[i].start,
			  ci->ram[i].end - ci->ram[i].start + 1);
	}
	free(h.ph);
}

static void build_and_check(struct kexec_ctx *ctx, const struct kx_crash_info *ci, bool elf32,
			    uint16_t machine)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	assert_int_equal(kx_crash_build_elfcorehdr(ctx, ci, elf32, machine, &buf, &len), 0);
	assert_non_null(buf);
	check_built(buf, len, ci, elf32, machine);
	free(buf);
}

/* ---- The captured guests ---------------------------------------------------- */

struct want_guest {
	const char *fixture;
	uint64_t page_offset, text_vaddr, text_paddr, text_size;
	uint64_t vmcoreinfo;
	struct kx_range ram[2];
};

/*
 * Debian 6.1 cloud kernel, QEMU pc, TCG, -smp 2 -m 512M, crashkernel=256M,
 * KASLR on (physical and virtual). crash-x86_64: 4-level paging (-cpu
 * max,la57=off); crash-x86_64-la57: -cpu max, which gives the guest LA57,
 * so the direct map is in the 5-level range.
 */
static const struct want_guest guests[] = {
	{ "crash-x86_64", 0xffff892f00000000ULL, 0xffffffffa2a00000ULL, 0x13800000, 0x2830000,
	  0x1362000, { { 0x100000, 0x2ffffff }, { 0x13000000, 0x1ffdffff } } },
	{ "crash-x86_64-la57", 0xff222f36c0000000ULL, 0xffffffff9c200000ULL, 0x19200000,
	  0x2830000, 0x1346000, { { 0x100000, 0x8ffffff }, { 0x19000000, 0x1ffdffff } } },
};

static void check_guest(const struct want_guest *g)
{
	struct kexec_ctx *ctx = ctx_fixture(g->fixture);
	struct kx_crash_info ci;
	size_t i;

	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
	assert_true(log_worst > LOG_WARNING);

	/* Two CPUs, each a note_buf_t of 368 bytes in its per-cpu area. */
	assert_int_equal(ci.nr_cpu_notes, 2);
	assert_int_equal(ci.cpu_notes[0].addr, 0x1e239400);
	assert_int_equal(ci.cpu_notes[0].size, 368);
	assert_int_equal(ci.cpu_notes[1].addr, 0x1e339400);
	assert_int_equal(ci.cpu_notes[1].size, 368);

	/* "0x0000000001362000 1024": %pa and %x, so the size is 0x1024 bytes. */
	assert_int_equal(ci.vmcoreinfo.addr, g->vmcoreinfo);
	assert_int_equal(ci.vmcoreinfo.size, 0x1024);

	/* RAM: 0x1000-0x9fbff goes with the low 1 MiB; the crash region is cut out. */
	assert_int_equal(ci.nr_ram, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(ci.ram[i].start, g->ram[i].start);
		assert_int_equal(ci.ram[i].end, g->ram[i].end);
	}

	assert_true(ci.have_kernel_text);
	assert_int_equal(ci.text_vaddr, g->text_vaddr);
	assert_int_equal(ci.text_paddr, g->text_paddr);
	assert_int_equal(ci.text_size, g->text_size);
	assert_int_equal(ci.page_offset, g->page_offset);

	build_and_check(ctx, &ci, false, EM_X86_64);
	kx_crash_info_free(&ci);
	kexec_ctx_free(ctx);
}

static void test_guest_4level(void **state)
{
	(void)state;
	check_guest(&guests[0]);
}

static void test_guest_la57(void **state)
{
	(void)state;
	check_guest(&guests[1]);
}

/*
 * The same guests crashed after a kexec_file_load crash load: the kernel built
 * its own header (crash_prepare_elf64_headers) and the crash kernel's
 * /proc/vmcore kept its PT_LOADs (only p_offset becomes a file offset and the
 * PT_NOTEs are merged). Ours must describe exactly the same memory.
 */
static void test_matches_kernel_header(void **state)
{
	size_t gi;

	(void)state;
	for (gi = 0; gi < ARRAY_SIZE(guests); gi++) {
		struct kexec_ctx *ctx = ctx_fixture(guests[gi].fixture);
		struct kx_crash_info ci;
		struct hdr ref, ours;
		char rel[PATH_MAX];
		uint8_t *rbuf, *obuf;
		size_t rlen, olen, i, j = 0;

		snprintf(rel, sizeof(rel), "%s/reference/vmcore-header", guests[gi].fixture);
		read_fixture(rel, &rbuf, &rlen);
		parse_header(rbuf, rlen, &ref);
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, EM_X86_64, &obuf, &olen),
				 0);
		parse_header(obuf, olen, &ours);
		assert_int_equal(ours.machine, ref.machine);
		assert_int_equal(ours.type, ref.type);

		for (i = 0; i < ref.phnum; i++) {
			if (ref.ph[i].type != PT_LOAD)
				continue;
			while (j < ours.phnum && ours.ph[j].type != PT_LOAD)
				j++;
			assert_true(j < ours.phnum);
			assert_int_equal(ours.ph[j].vaddr, ref.ph[i].vaddr);
			assert_int_equal(ours.ph[j].paddr, ref.ph[i].paddr);
			assert_int_equal(ours.ph[j].memsz, ref.ph[i].memsz);
			assert_int_equal(ours.ph[j].filesz, ref.ph[i].filesz);
			assert_int_equal(ours.ph[j].flags, ref.ph[i].flags);
			j++;
		}
		for (; j < ours.phnum; j++)
			assert_int_not_equal(ours.ph[j].type, PT_LOAD);

		free(ref.ph);
		free(ours.ph);
		free(rbuf);
		free(obuf);
		kx_crash_info_free(&ci);
		kexec_ctx_free(ctx);
	}
}

/* binutils agrees that it is an x86_64 core file with these program headers. */
static void test_readelf(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx;
	struct kx_crash_info ci;
	char file[PATH_MAX + 32], out[PATH_MAX + 32], cmd[3 * PATH_MAX + 256], line[512];
	int sawtype = 0, sawmachine = 0, sawnum = 0, loads = 0, notes = 0;
	uint8_t *buf;
	size_t len;
	FILE *f;

	if (system("readelf --version >/dev/null 2>&1") != 0)
		skip();
	ctx = ctx_fixture("crash-x86_64");
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, EM_X86_64, &buf, &len), 0);
	snprintf(file, sizeof(file), "%s/elfcorehdr", t->dir);
	snprintf(out, sizeof(out), "%s/readelf.out", t->dir);
	write_bytes(t->dir, "elfcorehdr", buf, len);
	snprintf(cmd, sizeof(cmd), "LC_ALL=C readelf -W -h -l '%s' >'%s' 2>&1", file, out);
	assert_int_equal(system(cmd), 0);
	f = fopen(out, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "Type:") && strstr(line, "CORE (Core file)"))
			sawtype = 1;
		if (strstr(line, "Machine:") && strstr(line, "X86-64"))
			sawmachine = 1;
		if (strstr(line, "Number of program headers:") && strstr(line, " 6"))
			sawnum = 1;
		if (!strncmp(line, "  LOAD ", 7))
			loads++;
		if (!strncmp(line, "  NOTE ", 7))
			notes++;
		/* The kernel text segment, as readelf prints it. */
		if (!strncmp(line, "  LOAD ", 7) && strstr(line, "0xffffffffa2a00000"))
			assert_non_null(strstr(line, "0x0000000013800000 0x2830000 0x2830000 RWE"));
	}
	fclose(f);
	assert_true(sawtype && sawmachine && sawnum);
	assert_int_equal(notes, 3);
	assert_int_equal(loads, 3);
	free(buf);
	kx_crash_info_free(&ci);
	kexec_ctx_free(ctx);
}

/* ELF32 for a machine below 4 GiB: physical fields fit, x86_64 vaddrs read as -1. */
static void test_elf32_below_4g(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("crash-x86_64");
	struct kx_crash_info ci;

	(void)state;
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
	build_and_check(ctx, &ci, true, EM_X86_64);
	/* A 32-bit direct map (i386-like numbers) is written as is. */
	ci.page_offset = 0xc0000000;
	ci.text_vaddr = 0xc1000000;
	{
		uint8_t *buf;
		size_t len;
		struct hdr h;

		assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, true, EM_X86_64, &buf, &len),
				 0);
		parse_header(buf, len, &h);
		assert_int_equal(h.phnum, 6);
		assert_int_equal(len, 4096);
		assert_ph(&h, 3, PT_LOAD, 0xc1000000, 0x13800000, 0x2830000);
		assert_ph(&h, 4, PT_LOAD, 0xc0100000, 0x100000, 0x2f00000);
		assert_ph(&h, 5, PT_LOAD, 0xd3000000, 0x13000000, 0xcfe0000);
		free(h.ph);
		free(buf);
	}
	build_and_check(ctx, &ci, false, EM_AARCH64);
	kx_crash_info_free(&ci);
	kexec_ctx_free(ctx);
}

static void test_bad_machine(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("crash-x86_64");
	/* The machine comes from the architecture table; only EM_NONE is never one. */
	static const uint16_t bad[] = { EM_NONE };
	struct kx_crash_info ci;
	uint8_t *buf = NULL;
	size_t len = 0, i;

	(void)state;
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		log_reset();
		assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, bad[i], &buf, &len),
				 -EINVAL);
		assert_null(buf);
		assert_logged("machine 0 (EM_NONE)");
	}
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, NULL, false, EM_X86_64, &buf, &len),
			 -EINVAL);
	assert_null(buf);
	kx_crash_info_free(&ci);
	kx_crash_info_free(&ci);
	kx_crash_info_free(NULL);
	kexec_ctx_free(ctx);
}

/* ---- Synthetic machines ----------------------------------------------------- */

/*
 * 256 possible CPUs (one of them without a cpuN directory, one with crash_notes
 * but no crash_notes_size), 3000 RAM ranges of which two carry the low and high
 * crash regions, no vmcoreinfo and no /proc/kcore: everything that has a
 * fallback falls back, and nothing has a fixed limit.
 */
#define BIG_RANGES 3000
static void test_big_machine(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx;
	struct kx_crash_info ci;
	uint8_t *buf;
	size_t len, i, k;
	char *iomem, rel[128], val[64];
	size_t used = 0, cap = (size_t)BIG_RANGES * 128;
	uint64_t low_crash = 0, high_crash = 0;

	write_text(t->dir, "sys/devices/system/cpu/possible", "0-255\n");
	for (i = 0; i < 256; i++) {
		if (i == 7)
			continue; /* no cpu7 directory at all */
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%zu/crash_notes", i);
		snprintf(val, sizeof(val), "%llx\n", 0x7ff00000ULL + i * 0x1000);
		write_text(t->dir, rel, val);
		if (i == 9)
			continue; /* crash_notes without crash_notes_size */
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%zu/crash_notes_size", i);
		write_text(t->dir, rel, "368\n");
	}

	/* Range i: 4 MiB at (i + 1) * 8 MiB, so the first lies above 1 MiB. */
	iomem = malloc(cap);
	assert_non_null(iomem);
	used += (size_t)snprintf(iomem + used, cap - used, "00000000-00000fff : Reserved\n"
							 "00001000-0009ffff : System RAM\n");
	for (i = 0; i < BIG_RANGES; i++) {
		uint64_t s = (i + 1) * 0x800000ULL, e = s + 0x3fffff;

		used += (size_t)snprintf(iomem + used, cap - used, "%08llx-%08llx : System RAM\n",
					 (unsigned long long)s, (unsigned long long)e);
		if (i == 10) {
			low_crash = s + 0x100000;
			used += (size_t)snprintf(iomem + used, cap - used,
						 "  %08llx-%08llx : Crash kernel\n",
						 (unsigned long long)low_crash,
						 (unsigned long long)low_crash + 0xfffff);
		}
		if (i == 2500) {
			/* The high one covers the whole range: it disappears. */
			high_crash = s;
			used += (size_t)snprintf(iomem + used, cap - used,
						 "  %08llx-%08llx : Crash kernel\n",
						 (unsigned long long)s, (unsigned long long)e);
		}
		used += (size_t)snprintf(iomem + used, cap - used, "%08llx-%08llx : Reserved\n",
					 (unsigned long long)e + 1,
					 (unsigned long long)e + 0x400000);
	}
	assert_true(used < cap);
	write_text(t->dir, "proc/iomem", iomem);
	free(iomem);

	ctx = ctx_at(t->dir);
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
	assert_int_equal(log_worst, LOG_WARNING);
	assert_logged("vmcoreinfo does not exist");
	assert_logged("crash_notes_size does not exist although");
	assert_logged("proc/kcore");

	assert_int_equal(ci.nr_cpu_notes, 254);
	for (i = 0, k = 0; i < 256; i++) {
		if (i == 7 || i == 9)
			continue;
		assert_int_equal(ci.cpu_notes[k].addr, 0x7ff00000ULL + i * 0x1000);
		assert_int_equal(ci.cpu_notes[k].size, 368);
		k++;
	}
	assert_int_equal(ci.vmcoreinfo.size, 0);
	assert_false(ci.have_kernel_text);
	assert_int_equal(ci.page_offset, 0xffff888000000000ULL);

	/* 3000 - 1 (high crash) + 1 (the low crash region splits one) */
	assert_int_equal(ci.nr_ram, BIG_RANGES);
	for (i = 0, k = 0; i < BIG_RANGES; i++) {
		uint64_t s = (i + 1) * 0x800000ULL, e = s + 0x3fffff;

		if (s == high_crash)
			continue;
		if (i == 10) {
			assert_int_equal(ci.ram[k].start, s);
			assert_int_equal(ci.ram[k].end, low_crash - 1);
			k++;
			assert_int_equal(ci.ram[k].start, low_crash + 0x100000);
			assert_int_equal(ci.ram[k].end, e);
			k++;
			continue;
		}
		assert_int_equal(ci.ram[k].start, s);
		assert_int_equal(ci.ram[k].end, e);
		k++;
	}
	assert_int_equal(k, ci.nr_ram);

	build_and_check(ctx, &ci, false, EM_X86_64);
	/* RAM above 4 GiB (range 511 on) cannot be described in ELF32. */
	log_reset();
	buf = NULL;
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, true, EM_X86_64, &buf, &len),
			 -EOVERFLOW);
	assert_null(buf);
	assert_logged("does not lie below 4 GiB");
	kx_crash_info_free(&ci);
	kexec_ctx_free(ctx);
}

/* crashkernel=512M,high on 4 GiB (tests/fixtures/crash-high-low's /proc/iomem). */
static void test_crash_high_low(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx;
	struct kx_crash_info ci;
	uint8_t *iomem;
	size_t len;
	static const struct kx_range want[] = {
		{ 0x100000, 0xaeffffff },
		{ 0xbf000000, 0xbffdffff },
		{ 0x100000000, 0x11fffffff },
	};

	read_fixture("crash-high-low/proc/iomem", &iomem, &len);
	write_small_machine(t->dir);
	write_bytes(t->dir, "proc/iomem", iomem, len);
	free(iomem);

	ctx = ctx_at(t->dir);
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
	assert_int_equal(ci.nr_ram, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(ci.ram[i].start, want[i].start);
		assert_int_equal(ci.ram[i].end, want[i].end);
	}
	/* "2bcd6a0 1000": an older kernel's format, without 0x. */
	assert_int_equal(ci.vmcoreinfo.addr, 0x2bcd6a0);
	assert_int_equal(ci.vmcoreinfo.size, 0x1000);
	build_and_check(ctx, &ci, false, EM_X86_64);
	kx_crash_info_free(&ci);
	kexec_ctx_free(ctx);
}

/* Exclusions at range edges, touching each other, and an unsorted iomem. */
static void test_exclusion_edges(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx;
	struct kx_crash_info ci;
	static const struct kx_range want[] = {
		{ 0x100000, 0x1fffff },
		{ 0x800000, 0xffffff },
		{ 0x3000000, 0x3ffffff },
	};

	write_small_machine(t->dir);
	write_text(t->dir, "proc/iomem",
		   "03000000-03ffffff : System RAM\n"
		   "00000000-001fffff : System RAM\n"  /* straddles 1 MiB */
		   "00200000-00ffffff : System RAM\n"
		   "  00200000-004fffff : Crash kernel\n" /* at the start */
		   "  00500000-007fffff : Crash kernel\n" /* touching the first */
		   "01000000-01ffffff : System RAM\n"
		   "  01000000-01ffffff : Crash kernel\n" /* all of it */
		   "  00c00000-00c00fff : System RAM\n"); /* nested: not top-level RAM */
	ctx = ctx_at(t->dir);
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
	assert_int_equal(ci.nr_ram, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(ci.ram[i].start, want[i].start);
		assert_int_equal(ci.ram[i].end, want[i].end);
	}
	kx_crash_info_free(&ci);
	kexec_ctx_free(ctx);
}

/* /proc/kcore variants: old kernels (text p_paddr -1), garbage, arm64-like. */
/*
 * i386's /proc/kcore is ELFCLASS32: lowmem at PAGE_OFFSET 0xc0000000 (as
 * Debian's 686-pae kernel has it), vmalloc with p_paddr 0xffffffff.
 */
static void test_kcore_elf32(void **state)
{
	struct tmp *t = *state;
	const struct load l[] = {
		{ 0xf8000000ULL, 0xffffffffULL, 0x07000000 }, /* vmalloc */
		{ 0xc0001000ULL, 0x1000, 0x9e000 },
		{ 0xc0100000ULL, 0x100000, 0x37f00000 },      /* lowmem up to 896 MiB */
	};
	struct kexec_ctx *ctx;
	struct kx_crash_info ci;
	uint8_t buf[4096];
	size_t len;

	write_small_machine(t->dir);
	ctx = ctx_at(t->dir);
	len = make_kcore32(buf, sizeof(buf), l, ARRAY_SIZE(l), EM_386);
	write_bytes(t->dir, "proc/kcore", buf, len);
	log_reset();
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_i386.crash, &ci), 0);
	if (log_worst <= LOG_WARNING)
		fail_msg("warned: %s", log_text);
	assert_int_equal(ci.page_offset, 0xc0000000ULL);
	kx_crash_info_free(&ci);
	/* A 64-bit program header size in a 32-bit file. */
	put_le(buf + offsetof(Elf32_Ehdr, e_phentsize), sizeof(Elf64_Phdr), 2);
	write_bytes(t->dir, "proc/kcore", buf, len);
	log_reset();
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_i386.crash, &ci), -EINVAL);
	assert_logged("program header size 56 is not 32");
	kexec_ctx_free(ctx);
}

static void test_kcore_variants(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx;
	struct kx_crash_info ci;

	write_small_machine(t->dir);
	ctx = ctx_at(t->dir);

	/* A current kernel: text p_paddr = __pa_symbol(_text). */
	{
		const struct load l[] = {
			/* Above the image window, ahead of the text: never taken for it. */
			{ 0xffffffffff600000ULL, NOPA, 0x1000 },
			/* Modules of a kernel without KASLR: start inside, end outside. */
			{ 0xffffffffa0000000ULL, NOPA, 0x5f000000 },
			{ TEXT, 0x1000000, 0x1c32000 },
			{ 0xffffc90000000000ULL, NOPA, 0x1fffffffffffULL }, /* vmalloc */
			{ 0xffffffffc0000000ULL, NOPA, 0x3f000000 },         /* modules */
			{ PO + 0x1000, 0x1000, 0x9e000 },
			{ 0xffffea0000000000ULL, NOPA, 0x3000 },             /* vmemmap */
			{ PO + 0x100000, 0x100000, 0x3ff00000 },
		};

		write_kcore(t->dir, l, ARRAY_SIZE(l));
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_true(log_worst > LOG_WARNING);
		assert_true(ci.have_kernel_text);
		assert_int_equal(ci.text_vaddr, TEXT);
		assert_int_equal(ci.text_paddr, 0x1000000);
		assert_int_equal(ci.text_size, 0x1c32000);
		assert_int_equal(ci.page_offset, PO);
		kx_crash_info_free(&ci);
	}
	/* Old kernels: text p_paddr -1; the physical address comes from iomem. */
	{
		const struct load l[] = {
			{ PO + 0x100000, 0x100000, 0x3ff00000 },
			{ 0xffffffffff600000ULL, NOPA, 0x1000 },
			{ 0xffffffffc0000000ULL, NOPA, 0x3f000000 },
			{ TEXT, NOPA, 0x1c31234 },
		};

		write_kcore(t->dir, l, ARRAY_SIZE(l));
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_true(log_worst > LOG_WARNING);
		assert_int_equal(ci.text_vaddr, TEXT);
		assert_int_equal(ci.text_paddr, 0x1000000);
		assert_int_equal(ci.text_size, 0x1c32000); /* whole pages */
		assert_int_equal(ci.page_offset, PO);
		kx_crash_info_free(&ci);
	}
	/* Garbage text p_paddr (in RAM, but not Kernel code): iomem wins, warned. */
	{
		const struct load l[] = {
			{ PO + 0x100000, 0x100000, 0x3ff00000 },
			{ TEXT, 0x5000000, 0x1c32000 },
		};

		write_kcore(t->dir, l, ARRAY_SIZE(l));
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_logged("using the latter");
		assert_int_equal(ci.text_paddr, 0x1000000);
		kx_crash_info_free(&ci);
	}
	/* _text not on a 1 MiB boundary: both addresses move down together (kexec-tools). */
	{
		const struct load l[] = {
			{ PO + 0x100000, 0x100000, 0x3ff00000 },
			{ TEXT + 0x42000, 0x1042000, 0x100000 },
		};

		write_small_machine(t->dir);
		write_text(t->dir, "proc/iomem",
			   "00100000-3fffffff : System RAM\n  01042000-01141fff : Kernel code\n");
		write_kcore(t->dir, l, ARRAY_SIZE(l));
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_int_equal(ci.text_vaddr, TEXT);
		assert_int_equal(ci.text_paddr, 0x1000000);
		assert_int_equal(ci.text_size, 0x142000);
		kx_crash_info_free(&ci);
		write_small_machine(t->dir);
	}
	/* No "Kernel code" in iomem: a valid kcore p_paddr is used. */
	{
		const struct load l[] = {
			{ PO + 0x100000, 0x100000, 0x3ff00000 },
			{ TEXT, 0x1000000, 0x1c32000 },
		};

		write_text(t->dir, "proc/iomem", "00100000-3fffffff : System RAM\n");
		write_kcore(t->dir, l, ARRAY_SIZE(l));
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_true(ci.have_kernel_text);
		assert_int_equal(ci.text_paddr, 0x1000000);
		kx_crash_info_free(&ci);

		/* ... and neither: no text segment, with a warning. */
		const struct load l2[] = {
			{ PO + 0x100000, 0x100000, 0x3ff00000 },
			{ TEXT, NOPA, 0x1c32000 },
		};
		write_kcore(t->dir, l2, ARRAY_SIZE(l2));
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_false(ci.have_kernel_text);
		assert_int_equal(ci.page_offset, PO);
		assert_logged("has no \"Kernel code\"");
		build_and_check(ctx, &ci, false, EM_X86_64);
		kx_crash_info_free(&ci);
		write_small_machine(t->dir);
	}
	/* No text entry; no RAM entry (only -1s): both fall back, with warnings. */
	{
		const struct load l[] = {
			{ PO + 0x100000, 0x100000, 0x3ff00000 },
		};
		const struct load l2[] = {
			{ 0xffffc90000000000ULL, NOPA, 0x1fffffffffffULL },
			{ PO + 0x80000000ULL, 0x80000000ULL, 0x1000 }, /* not System RAM */
		};

		write_kcore(t->dir, l, ARRAY_SIZE(l));
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_false(ci.have_kernel_text);
		assert_int_equal(ci.page_offset, PO);
		assert_logged("no kernel text mapping");
		kx_crash_info_free(&ci);

		write_kcore(t->dir, l2, ARRAY_SIZE(l2));
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), 0);
		assert_int_equal(ci.page_offset, 0xffff888000000000ULL);
		assert_logged("no PT_LOAD maps System RAM");
		kx_crash_info_free(&ci);
	}
	/* arm64's policy (no text window: the image above the linear map, both with real p_paddr). */
	{
		const struct load l[] = {
			{ 0xffff000000000000ULL + 0x100000, 0x100000, 0x3ff00000 },
			{ 0xffff800008000000ULL, 0x1000000, 0x1c32000 },
		};
		uint8_t buf[1024];
		size_t len = make_kcore(buf, sizeof(buf), l, ARRAY_SIZE(l), EM_AARCH64);

		write_bytes(t->dir, "proc/kcore", buf, len);
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_arm64.crash, &ci), 0);
		assert_int_equal(ci.page_offset, 0xffff000000000000ULL);
		assert_true(ci.have_kernel_text);
		assert_int_equal(ci.text_vaddr, 0xffff800008000000ULL);
		assert_int_equal(ci.text_paddr, 0x1000000);
		build_and_check(ctx, &ci, false, EM_AARCH64);
		kx_crash_info_free(&ci);
	}
	/*
	 * riscv64's policy: the kernel's own mapping is the top 2 GiB of the
	 * address space, a window whose end wraps to 0 (it used to find no text).
	 */
	{
		const struct load l[] = {
			{ 0xff60000000000000ULL + 0x100000, 0x100000, 0x3ff00000 },
			{ 0xffffffff80000000ULL, 0x1000000, 0x1c32000 },
		};
		uint8_t buf[1024];
		size_t len = make_kcore(buf, sizeof(buf), l, ARRAY_SIZE(l), EM_RISCV);

		write_bytes(t->dir, "proc/kcore", buf, len);
		log_reset();
		assert_int_equal(kx_crash_info_read(ctx, kx_arch_riscv64.crash, &ci), 0);
		assert_int_equal(ci.page_offset, 0xff60000000000000ULL);
		assert_true(ci.have_kernel_text);
		assert_int_equal(ci.text_vaddr, 0xffffffff80000000ULL);
		build_and_check(ctx, &ci, false, EM_RISCV);
		kx_crash_info_free(&ci);
	}
	kexec_ctx_free(ctx);
}

/* ---- Hostile files ---------------------------------------------------------- */

struct bad_file {
	const char *rel;
	const char *content; /* NULL: remove the file */
	int err;
	const char *log;
};

static const struct bad_file bad_files[] = {
	{ "sys/devices/system/cpu/possible", "0-99999999\n", -EINVAL, "beyond the largest" },
	{ "sys/devices/system/cpu/possible", "0-65536\n", -EINVAL, "beyond the largest" },
	{ "sys/devices/system/cpu/possible", "3-1\n", -EINVAL, "is reversed" },
	{ "sys/devices/system/cpu/possible", "\n", -EINVAL, "is empty" },
	{ "sys/devices/system/cpu/possible", "0-1,x\n", -EINVAL, "\"x\" is not a CPU number" },
	{ "sys/devices/system/cpu/possible", "0-1,\n", -EINVAL, "\"\" is not a CPU number" },
	{ "sys/devices/system/cpu/possible", "-1\n", -EINVAL, "is not a CPU range" },
	{ "sys/devices/system/cpu/possible", "0--1\n", -EINVAL, "is not a CPU range" },
	{ "sys/devices/system/cpu/possible", "99999999999999999999999\n", -EINVAL,
	  "is not a CPU number" },
	{ "sys/devices/system/cpu/possible", NULL, -ENOENT, "cannot read" },
	{ "sys/devices/system/cpu/possible", "4-5\n", -ENOENT, "none of the 2 possible CPUs" },
	{ "sys/devices/system/cpu/cpu1/crash_notes", "xyz\n", -EINVAL,
	  "cpu1/crash_notes: \"xyz\" is not a hexadecimal" },
	{ "sys/devices/system/cpu/cpu1/crash_notes", "0x\n", -EINVAL, "is not a hexadecimal" },
	{ "sys/devices/system/cpu/cpu1/crash_notes", "\n", -EINVAL, "is not a hexadecimal" },
	{ "sys/devices/system/cpu/cpu1/crash_notes", "1fffffffffffffffff\n", -EINVAL,
	  "is not a hexadecimal" },
	{ "sys/devices/system/cpu/cpu1/crash_notes", "ffffffffffffff00\n", -EINVAL,
	  "wraps around" },
	{ "sys/devices/system/cpu/cpu1/crash_notes", "3fd1 7a00\n", -EINVAL,
	  "is not a hexadecimal" },
	{ "sys/devices/system/cpu/cpu1/crash_notes_size", "0\n", -EINVAL, "outside 1..1048576" },
	{ "sys/devices/system/cpu/cpu1/crash_notes_size", "1048577\n", -EINVAL,
	  "outside 1..1048576" },
	{ "sys/devices/system/cpu/cpu1/crash_notes_size", "99999999999999999999999\n", -EINVAL,
	  "is not a decimal size" },
	{ "sys/devices/system/cpu/cpu1/crash_notes_size", "-1\n", -EINVAL,
	  "is not a decimal size" },
	{ "sys/devices/system/cpu/cpu1/crash_notes_size", "0x170\n", -EINVAL,
	  "is not a decimal size" },
	{ "sys/kernel/vmcoreinfo", "garbage\n", -EINVAL, "is not \"<address> <size>\"" },
	{ "sys/kernel/vmcoreinfo", "0x1000 fffffffff\n", -EINVAL, "outside 1..0x100000" },
	{ "sys/kernel/vmcoreinfo", "0x1000 0\n", -EINVAL, "outside 1..0x100000" },
	{ "sys/kernel/vmcoreinfo", "0x1000 zz\n", -EINVAL, "is not a hexadecimal size" },
	{ "sys/kernel/vmcoreinfo", "0xq000 1024\n", -EINVAL, "is not a hexadecimal physical" },
	{ "sys/kernel/vmcoreinfo", "0xfffffffffffff000 1024\n", -EINVAL, "wraps around" },
	{ "proc/iomem", "00100000-3fffffff : System RAM\n00200000-00ffffff : System RAM\n",
	  -EINVAL, "overlaps" },
	{ "proc/iomem", "00000000-000fffff : System RAM\n", -EINVAL, "no System RAM is left" },
	{ "proc/iomem", "00000000-000fffff : Reserved\n", -EINVAL, "has no System RAM" },
	{ "proc/iomem", "00000000-0000000 : System RAM\nzz\n", -EINVAL, "proc/iomem: line 2" },
	{ "proc/iomem", "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n",
	  -EPERM, "every address reads as 0" },
	{ "proc/kcore", "\177ELF", -EINVAL, "cannot read the ELF header: file too short" },
	{ "proc/kcore", "this is not an ELF file, but it is long enough to hold a header...",
	  -EINVAL, "not a little-endian ELF32 or ELF64 file" },
};

static void test_hostile_files(void **state)
{
	struct tmp *t = *state;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_files); i++) {
		const struct bad_file *b = &bad_files[i];
		struct kexec_ctx *ctx;
		struct kx_crash_info ci;

		write_small_machine(t->dir);
		if (b->content)
			write_text(t->dir, b->rel, b->content);
		else
			remove_file(t->dir, b->rel);
		ctx = ctx_at(t->dir);
		memset(&ci, 0xa5, sizeof(ci));
		if (kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci) != b->err)
			fail_msg("case %zu (%s = \"%s\"): want %d; log:\n%s", i, b->rel,
				 b->content ? b->content : "(none)", b->err, log_text);
		assert_int_equal(log_worst, LOG_ERR);
		assert_logged(b->log);
		/* A failed read leaves nothing to free. */
		assert_null(ci.cpu_notes);
		assert_null(ci.ram);
		assert_int_equal(ci.nr_cpu_notes, 0);
		assert_int_equal(ci.nr_ram, 0);
		kexec_ctx_free(ctx);
		if (!strcmp(b->rel, "proc/kcore"))
			remove_file(t->dir, b->rel);
	}
}

/* Bytes no sysfs attribute has: a NUL, a file larger than a page (64 KiB). */
static void test_hostile_bytes(void **state)
{
	struct tmp *t = *state;
	struct kexec_ctx *ctx;
	struct kx_crash_info ci;
	char *big;

	write_small_machine(t->dir);
	write_bytes(t->dir, "sys/devices/system/cpu/cpu0/crash_notes", "3fc1\0007a00\n", 10);
	ctx = ctx_at(t->dir);
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), -EINVAL);
	assert_logged("cpu0/crash_notes: contains a NUL byte");

	write_small_machine(t->dir);
	big = malloc(1 << 20);
	assert_non_null(big);
	memset(big, '0', 1 << 20);
	big[0] = '1';
	write_bytes(t->dir, "sys/devices/system/cpu/possible", big, 1 << 20);
	free(big);
	log_reset();
	assert_int_equal(kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci), -EINVAL);
	assert_logged("possible: larger than 65536 bytes");
	kexec_ctx_free(ctx);
}

/* Broken /proc/kcore headers: every one an -EINVAL naming the file. */
static void test_hostile_kcore(void **state)
{
	struct tmp *t = *state;
	const struct load good[] = {
		{ PO + 0x100000, 0x100000, 0x3ff00000 },
		{ TEXT, 0x1000000, 0x1c32000 },
	};
	struct kexec_ctx *ctx;
	struct kx_crash_info ci;
	uint8_t buf[2048], *ph;
	size_t len, i;

	write_small_machine(t->dir);
	ctx = ctx_at(t->dir);
	for (i = 0; i < 11; i++) {
		const char *want = NULL;

		len = make_kcore(buf, sizeof(buf), good, ARRAY_SIZE(good), EM_X86_64);
		ph = buf + sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr); /* the first PT_LOAD */
		switch (i) {
		case 0:
			/* Read as ELF32 (i386's and arm's kcore), its e_phentsize is e_shoff's zero. */
			buf[EI_CLASS] = ELFCLASS32;
			want = "program header size 0 is not 32";
			break;
		case 1:
			buf[EI_DATA] = ELFDATA2MSB;
			want = "not a little-endian ELF32 or ELF64 file";
			break;
		case 2:
			put_le(buf + offsetof(Elf64_Ehdr, e_type), ET_EXEC, 2);
			want = "is not ET_CORE";
			break;
		case 3:
			put_le(buf + offsetof(Elf64_Ehdr, e_phentsize), 32, 2);
			want = "program header size 32";
			break;
		case 4:
			put_le(buf + offsetof(Elf64_Ehdr, e_phnum), 0, 2);
			want = "no program headers";
			break;
		case 5:
			put_le(buf + offsetof(Elf64_Ehdr, e_phnum), PN_XNUM, 2);
			want = "PN_XNUM";
			break;
		case 6:
			/* More program headers than the file holds. */
			put_le(buf + offsetof(Elf64_Ehdr, e_phnum), 100, 2);
			want = "cannot read 100 program headers";
			break;
		case 7:
			put_le(buf + offsetof(Elf64_Ehdr, e_phoff), UINT64_MAX - 8, 8);
			want = "cannot read 3 program headers";
			break;
		case 8:
			put_le(buf + offsetof(Elf64_Ehdr, e_phoff), 8, 8);
			want = "overlap the ELF header";
			break;
		case 9:
			put_le(ph + offsetof(Elf64_Phdr, p_memsz), UINT64_MAX, 8);
			want = "has size 0xffffffffffffffff";
			break;
		case 10: {
			/* Two RAM entries that disagree about the direct map. */
			const struct load two[] = {
				{ PO + 0x100000, 0x100000, 0x100000 },
				{ PO + 0x40000000 + 0x200000, 0x200000, 0x100000 },
			};

			len = make_kcore(buf, sizeof(buf), two, ARRAY_SIZE(two), EM_X86_64);
			want = "inconsistent direct map";
			break;
		}
		}
		write_bytes(t->dir, "proc/kcore", buf, len);
		log_reset();
		memset(&ci, 0x5a, sizeof(ci));
		if (kx_crash_info_read(ctx, kx_arch_x86_64.crash, &ci) != -EINVAL)
			fail_msg("kcore case %zu: want -EINVAL; log:\n%s", i, log_text);
		assert_logged("/proc/kcore");
		assert_logged(want);
		assert_null(ci.cpu_notes);
	}
	kexec_ctx_free(ctx);
}

/* Infos the reader never produces still come out as errors, not as garbage. */
static void test_build_bad_info(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("crash-x86_64");
	struct kx_crash_note note = { 0x1000, 0x100 }, bad_note = { UINT64_MAX - 10, 0x100 };
	struct kx_range ram = { 0x100000, 0xfffff }, bad_ram = { 0x200000, 0x1fffff };
	struct kx_range all = { 0, UINT64_MAX };
	struct kx_crash_info ci;
	uint8_t *buf = NULL;
	size_t len;

	(void)state;
	memset(&ci, 0, sizeof(ci));
	ci.cpu_notes = &note;
	ci.nr_cpu_notes = 1;
	ci.ram = &bad_ram;
	ci.nr_ram = 1;
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, EM_X86_64, &buf, &len),
			 -EINVAL);
	assert_logged("is invalid");
	ci.ram = &all;
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, EM_X86_64, &buf, &len),
			 -EINVAL);
	ci.ram = &ram;
	ci.cpu_notes = &bad_note;
	log_reset();
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, EM_X86_64, &buf, &len),
			 -EINVAL);
	assert_logged("a CPU crash note");
	ci.cpu_notes = &note;
	ci.nr_ram = 0;
	ci.nr_cpu_notes = 0;
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, EM_X86_64, &buf, &len),
			 -EINVAL);
	ci.nr_cpu_notes = 1;
	ci.vmcoreinfo.addr = 0xfffff000;
	ci.vmcoreinfo.size = 0x2000;
	log_reset();
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, true, EM_X86_64, &buf, &len),
			 -EOVERFLOW);
	assert_logged("the VMCOREINFO note");
	assert_null(buf);
	/* Just below 4 GiB fits. */
	ci.vmcoreinfo.addr = 0xffffe000;
	build_and_check(ctx, &ci, true, EM_X86_64);
	kexec_ctx_free(ctx);
}

/* e_phnum is 16 bits (0xffff is PN_XNUM): 65534 program headers at most. */
static void test_too_many_phdrs(void **state)
{
	struct kexec_ctx *ctx = ctx_fixture("crash-x86_64");
	struct kx_crash_note note = { 0x1000, 0x100 };
	struct kx_crash_info ci;
	uint8_t *buf = NULL;
	size_t len, i, max;

	(void)state;
	memset(&ci, 0, sizeof(ci));
	ci.cpu_notes = &note;
	ci.nr_cpu_notes = 1;
	ci.vmcoreinfo = note;
	ci.page_offset = PO;
	ci.ram = calloc(70000, sizeof(*ci.ram));
	assert_non_null(ci.ram);
	for (i = 0; i < 70000; i++) {
		ci.ram[i].start = 0x100000 + i * 0x2000;
		ci.ram[i].end = ci.ram[i].start + 0xfff;
	}
	max = PN_XNUM - 1 - 2;
	ci.nr_ram = max;
	build_and_check(ctx, &ci, false, EM_X86_64);
	ci.nr_ram = max + 1;
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, EM_X86_64, &buf, &len),
			 -E2BIG);
	assert_null(buf);
	assert_logged("more than 65534 program headers");
	ci.nr_ram = 70000;
	assert_int_equal(kx_crash_build_elfcorehdr(ctx, &ci, false, EM_X86_64, &buf, &len),
			 -E2BIG);
	free(ci.ram);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_4level),
		cmocka_unit_test(test_guest_la57),
		cmocka_unit_test(test_matches_kernel_header),
		cmocka_unit_test_setup_teardown(test_readelf, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_elf32_below_4g),
		cmocka_unit_test(test_bad_machine),
		cmocka_unit_test_setup_teardown(test_big_machine, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_crash_high_low, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_exclusion_edges, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_kcore_elf32, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_kcore_variants, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_files, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_bytes, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_kcore, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_build_bad_info),
		cmocka_unit_test(test_too_many_phdrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
