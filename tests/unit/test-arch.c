/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The architecture and format tables (lib/arch.h): every format's probe on
 * every architecture's images (each says no to the others, with a reason),
 * the arm64 Image header, lookups by name and alias, the one command-line
 * rule, and kexec_image_types() / kexec_image_probe() per context.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch.h"
#include "arm64.h"
#include "riscv64.h"
#include "fake-bzimage.h"
#include "x86.h"

static char log_text[4096];

static void capture_log(void *data, int priority, const char *msg)
{
	size_t used = strlen(log_text);

	(void)data, (void)priority;
	snprintf(log_text + used, sizeof(log_text) - used, "%s\n", msg);
}

static void log_reset(void)
{
	log_text[0] = '\0';
}

static void assert_logged(const char *needle)
{
	if (!strstr(log_text, needle))
		fail_msg("log lacks \"%s\"; log was:\n%s", needle, log_text);
}

static struct kexec_ctx *ctx_at(const char *root)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	assert_non_null(ctx);
	kexec_ctx_set_log(ctx, capture_log, NULL);
	assert_int_equal(kexec_ctx_set_root(ctx, root), 0);
	log_reset();
	return ctx;
}

#define IMG_SIZE 8192

/* An arm64 Image header (booting.rst) around patterned bytes. */
static void fake_arm64(uint8_t *b, uint64_t flags)
{
	memset(b, 0, IMG_SIZE);
	for (size_t i = 64; i < IMG_SIZE; i++)
		b[i] = (uint8_t)(i * 13);
	b[0] = 'M';
	b[1] = 'Z';
	fake_put32(b, 0x08, 0);          /* text_offset 0 (since 5.8) */
	fake_put32(b, 0x10, 0x2000000);  /* image_size 32 MiB */
	fake_put32(b, 0x18, (uint32_t)flags);
	memcpy(b + 0x38, "ARM\x64", 4);
}

/* A riscv64 Image header (boot-image-header.rst), version 0.2. */
static void fake_riscv64(uint8_t *b)
{
	memset(b, 0, IMG_SIZE);
	for (size_t i = 64; i < IMG_SIZE; i++)
		b[i] = (uint8_t)(i * 11);
	b[0] = 'M';
	b[1] = 'Z';
	fake_put32(b, 0x08, 0x200000);   /* text_offset 2 MiB */
	fake_put32(b, 0x10, 0x1800000);  /* image_size 24 MiB */
	fake_put32(b, 0x20, 0x2);        /* version 0.2 */
	memcpy(b + 0x30, "RISCV\0\0\0", 8);
	memcpy(b + 0x38, "RSC\x05", 4);
}

/* A minimal ELF64 executable for machine with one PT_LOAD. */
static void fake_elf(uint8_t *b, uint16_t machine, uint16_t type)
{
	memset(b, 0, IMG_SIZE);
	memcpy(b, "\177ELF", 4);
	b[4] = 2; /* ELFCLASS64 */
	b[5] = 1; /* little-endian */
	b[6] = 1;
	fake_put16(b, 16, type);
	fake_put16(b, 18, machine);
	fake_put32(b, 32, 64);      /* e_phoff */
	fake_put16(b, 54, 56);      /* e_phentsize */
	fake_put16(b, 56, 1);       /* e_phnum */
	fake_put32(b, 64, 1);       /* PT_LOAD */
	fake_put32(b, 64 + 8, 0x1000);   /* p_offset */
	fake_put32(b, 64 + 16, 0x81000000); /* p_vaddr 0xffffffff81000000 */
	fake_put32(b, 64 + 20, 0xffffffff);
	fake_put32(b, 64 + 24, 0x1000000); /* p_paddr */
	fake_put32(b, 64 + 32, 0x1000);  /* p_filesz */
	fake_put32(b, 64 + 40, 0x1000);  /* p_memsz */
}

struct sample {
	const char *what;
	const struct kx_format *accepted_by; /* the one format that takes it; NULL: none */
	uint8_t buf[FAKE_SIZE > IMG_SIZE ? FAKE_SIZE : IMG_SIZE];
	size_t len;
};

static void every_probe_on_every_image(void **state)
{
	static struct sample s[9];
	static const struct kx_arch *const arches[] = { &kx_arch_x86_64, &kx_arch_arm64,
							&kx_arch_riscv64 };

	(void)state;
	s[0].what = "bzImage";
	s[0].accepted_by = &kx_format_bzimage;
	fake_bzimage(s[0].buf);
	s[0].len = FAKE_SIZE;
	s[1].what = "arm64 Image";
	s[1].accepted_by = &kx_format_arm64_image;
	fake_arm64(s[1].buf, 0x2 /* 4K */);
	s[1].len = IMG_SIZE;
	s[2].what = "x86_64 ELF vmlinux";
	s[2].accepted_by = &kx_format_elf_x86_64;
	fake_elf(s[2].buf, 62, 2);
	s[2].len = IMG_SIZE;
	/* Recognised, and refused by its own format with the reason (boot the Image). */
	s[3].what = "arm64 ELF vmlinux";
	s[3].accepted_by = NULL;
	fake_elf(s[3].buf, 183, 2);
	s[3].len = IMG_SIZE;
	s[4].what = "x86_64 shared object";
	s[4].accepted_by = NULL;
	fake_elf(s[4].buf, 62, 3);
	s[4].len = IMG_SIZE;
	/* busybox's shape: an executable at user addresses. */
	s[6].what = "static x86_64 program";
	s[6].accepted_by = NULL;
	fake_elf(s[6].buf, 62, 2);
	fake_put32(s[6].buf, 64 + 16, 0x400000);
	fake_put32(s[6].buf, 64 + 20, 0);
	s[6].len = IMG_SIZE;
	s[7].what = "riscv64 Image";
	s[7].accepted_by = &kx_format_riscv64_image;
	fake_riscv64(s[7].buf);
	s[7].len = IMG_SIZE;
	s[8].what = "riscv64 ELF vmlinux";
	s[8].accepted_by = NULL;
	fake_elf(s[8].buf, 243, 2);
	s[8].len = IMG_SIZE;
	s[5].what = "text";
	s[5].accepted_by = NULL;
	memset(s[5].buf, 'x', IMG_SIZE);
	s[5].len = IMG_SIZE;

	for (size_t a = 0; a < ARRAY_SIZE(arches); a++) {
		for (size_t f = 0; f < arches[a]->nr_formats; f++) {
			const struct kx_format *fmt = arches[a]->formats[f];

			for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
				struct kexec_image_info info;
				struct kx_msg msg;
				const char *why = NULL;
				bool want = s[i].accepted_by == fmt;
				int r;

				memset(&info, 0, sizeof(info));
				r = fmt->probe(s[i].buf, s[i].len, &info, &why, &msg);
				if (want && r != 0)
					fail_msg("%s/%s refused the %s: %s", arches[a]->name,
						 fmt->type.name, s[i].what, why ? why : "(no reason)");
				if (!want && r != -ENOEXEC)
					fail_msg("%s/%s took the %s (r=%d)", arches[a]->name,
						 fmt->type.name, s[i].what, r);
				if (!want && (!why || !*why))
					fail_msg("%s/%s refused the %s without a reason",
						 arches[a]->name, fmt->type.name, s[i].what);
			}
		}
	}
}

static void arm64_image_header(void **state)
{
	static uint8_t b[IMG_SIZE];
	struct kx_arm64_image img;
	struct kexec_image_info info;
	struct kx_msg msg;
	const char *why;

	(void)state;
	fake_arm64(b, 0x2 | KX_ARM64_FLAG_ANYWHERE);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), 0);
	assert_int_equal(img.text_offset, 0);
	assert_int_equal(img.image_size, 0x2000000);
	assert_int_equal(img.page_size, 4096);
	memset(&info, 0, sizeof(info));
	assert_int_equal(kx_format_arm64_image.probe(b, sizeof(b), &info, &why, &msg), 0);
	assert_int_equal(info.unpacked_size, 0x2000000);
	assert_int_equal(info.cmdline_max, KX_ARM64_COMMAND_LINE_SIZE - 1);

	/* Big-endian: the running kernel is little-endian, kexec cannot switch. */
	fake_arm64(b, 0x2 | KX_ARM64_FLAG_BE);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "big-endian"));

	/* 64K pages, from a 4K kernel: a valid Image; the granule is the CPU's business. */
	fake_arm64(b, 0x6);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), 0);
	assert_int_equal(img.page_size, 65536);
	fake_arm64(b, 0x4);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), 0);
	assert_int_equal(img.page_size, 16384);
	fake_arm64(b, 0);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), 0);
	assert_int_equal(img.page_size, 0);

	/* Truncated: not even the 64-byte header. */
	fake_arm64(b, 0x2);
	assert_int_equal(kx_arm64_image_read(b, 63, &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "too short"));
	/* Bad magic. */
	b[0x3b] = 0x65;
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "magic"));
	/* image_size 0: before 3.17. */
	fake_arm64(b, 0x2);
	fake_put32(b, 0x10, 0);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "3.17"));
	/* text_offset not page-aligned, or past 2 MiB. */
	fake_arm64(b, 0x2);
	fake_put32(b, 0x08, 0x80010);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "text_offset"));
	fake_put32(b, 0x08, 0x200000);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	/* The old default text_offset 0x80000 is fine. */
	fake_put32(b, 0x08, 0x80000);
	assert_int_equal(kx_arm64_image_read(b, sizeof(b), &img, &why), 0);
}

static void programs_are_not_kernels(void **state)
{
	static uint8_t b[IMG_SIZE];
	struct kexec_image_info info;
	struct kx_msg msg;
	const char *why = NULL;

	(void)state;
	fake_elf(b, 62, 2);
	assert_int_equal(kx_format_elf_x86_64.probe(b, sizeof(b), &info, &why, &msg), 0);
	/* x86_64's vmlinux has a per-CPU PT_LOAD linked at 0 beside its text: still a kernel. */
	fake_put16(b, 56, 2);
	fake_put32(b, 120, 1);              /* PT_LOAD, p_vaddr 0 */
	fake_put32(b, 120 + 24, 0x2000000); /* p_paddr */
	fake_put32(b, 120 + 32, 0x100);
	fake_put32(b, 120 + 40, 0x100);
	assert_int_equal(kx_format_elf_x86_64.probe(b, sizeof(b), &info, &why, &msg), 0);
	/* Every segment at user addresses: a program. */
	fake_put32(b, 64 + 16, 0x401000);
	fake_put32(b, 64 + 20, 0);
	assert_int_equal(kx_format_elf_x86_64.probe(b, sizeof(b), &info, &why, &msg), -ENOEXEC);
	assert_non_null(strstr(why, "not a Linux kernel"));
}

static void riscv64_image_header(void **state)
{
	static uint8_t b[IMG_SIZE];
	struct kx_riscv64_image img;
	const char *why;

	(void)state;
	fake_riscv64(b);
	assert_int_equal(kx_riscv64_image_read(b, sizeof(b), &img, &why), 0);
	assert_int_equal(img.text_offset, 0x200000);
	assert_int_equal(img.image_size, 0x1800000);
	/* Wrong magic; only the deprecated one. */
	b[0x39] = 'X';
	assert_int_equal(kx_riscv64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "RSC"));
	memset(b + 0x38, 0, 4);
	assert_int_equal(kx_riscv64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "deprecated"));
	/* Truncated. */
	fake_riscv64(b);
	assert_int_equal(kx_riscv64_image_read(b, 40, &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "too short"));
	/* text_offset not a power of two (a 2 MiB boundary is what rv64 needs). */
	fake_put32(b, 0x08, 0x180000);
	assert_int_equal(kx_riscv64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "text_offset"));
	/* Big-endian, old header version. */
	fake_riscv64(b);
	fake_put32(b, 0x18, 1);
	assert_int_equal(kx_riscv64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);
	assert_non_null(strstr(why, "big-endian"));
	fake_riscv64(b);
	fake_put32(b, 0x20, 0x1);
	assert_int_equal(kx_riscv64_image_read(b, sizeof(b), &img, &why), -ENOEXEC);

	/* Zknh: every hart's isa line must name it (zknh, or zkn/zk which include it). */
	assert_true(kx_riscv64_isa_has_zknh("processor\t: 0\nhart\t\t: 0\nisa\t\t: "
					    "rv64imafdc_zicsr_zknh_zbb\n"));
	assert_true(kx_riscv64_isa_has_zknh("isa\t\t: rv64imac_zk\nisa\t\t: rv64imac_zkn\n"));
	assert_false(kx_riscv64_isa_has_zknh("isa\t\t: rv64imac_zknh\nisa\t\t: rv64imac\n"));
	assert_false(kx_riscv64_isa_has_zknh("isa\t\t: rv64imac_zknhx_zksed\n"));
	assert_false(kx_riscv64_isa_has_zknh("hart isa\t: rv64imac_zknh\n"));
	assert_false(kx_riscv64_isa_has_zknh(""));
}

static void lookups(void **state)
{
	(void)state;
	assert_ptr_equal(kx_format_by_name(&kx_arch_x86_64, "bzImage"), &kx_format_bzimage);
	assert_ptr_equal(kx_format_by_name(&kx_arch_x86_64, "bzimage64"), &kx_format_bzimage);
	assert_ptr_equal(kx_format_by_name(&kx_arch_x86_64, "elf-x86_64"), &kx_format_elf_x86_64);
	assert_null(kx_format_by_name(&kx_arch_x86_64, "Image"));
	assert_ptr_equal(kx_format_by_name(&kx_arch_arm64, "Image"), &kx_format_arm64_image);
	assert_ptr_equal(kx_format_by_name(&kx_arch_arm64, "arm64"), &kx_format_arm64_image);
	assert_null(kx_format_by_name(&kx_arch_arm64, "bzImage"));
	assert_ptr_equal(kx_arch_by_kexec_arch(KEXEC_ARCH_X86_64), &kx_arch_x86_64);
	assert_ptr_equal(kx_arch_by_kexec_arch(KEXEC_ARCH_AARCH64), &kx_arch_arm64);
	assert_ptr_equal(kx_arch_by_kexec_arch(KEXEC_ARCH_RISCV), &kx_arch_riscv64);
	assert_ptr_equal(kx_format_by_name(&kx_arch_riscv64, "Image"), &kx_format_riscv64_image);
	assert_ptr_equal(kx_arch_by_kexec_arch(KEXEC_ARCH_PPC64), &kx_arch_ppc64);
	assert_null(kx_arch_by_kexec_arch(KEXEC_ARCH_IA_64));
	assert_string_equal(kexec_arch_name(KEXEC_ARCH_AARCH64), "arm64");
	/* Every table entry is complete. */
	static const struct kx_arch *const all[] = { &kx_arch_x86_64, &kx_arch_arm64,
						     &kx_arch_riscv64 };

	for (size_t a = 0; a < ARRAY_SIZE(all); a++) {
		const struct kx_arch *arch = all[a];

		assert_non_null(arch->prepare);
		assert_non_null(arch->purgatory_params);
		assert_non_null(arch->crash);
		assert_int_equal(arch->crash->e_machine, arch->e_machine);
		assert_int_equal(arch->kexec_arch, (unsigned long)arch->e_machine << 16);
		for (size_t f = 0; f < arch->nr_formats; f++) {
			assert_non_null(arch->formats[f]->probe);
			assert_true(!arch->formats[f]->type.kexec_load || arch->formats[f]->load);
			assert_non_null(arch->formats[f]->type.summary);
		}
	}
}

/* The i-th image type of the context's architecture, through the public accessor. */
static struct kexec_image_type type_at(struct kexec_ctx *ctx, size_t i)
{
	LIBKEXEC_OPTS(kexec_image_type, t);

	assert_int_equal(kexec_image_type_get(ctx, i, &t), 0);
	return t;
}

static void types_and_probe_per_context(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	LIBKEXEC_OPTS(kexec_image_type, t);
	LIBKEXEC_OPTS(kexec_image_info, info);
	static uint8_t b[FAKE_SIZE];
	const char *why;

	(void)state;
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_X86_64), 0);
	/* The architecture's formats, then the envelopes every architecture peels. */
	assert_int_equal(kexec_image_type_count(ctx), 9);
	assert_string_equal(type_at(ctx, 0).name, "bzImage");
	assert_true(type_at(ctx, 0).kexec_file_load && type_at(ctx, 0).kexec_load);
	assert_false(type_at(ctx, 0).envelope);
	assert_string_equal(type_at(ctx, 1).name, "elf-x86_64");
	assert_false(type_at(ctx, 1).kexec_file_load);
	assert_string_equal(type_at(ctx, 2).name, "uki");
	assert_true(type_at(ctx, 2).envelope);
	assert_string_equal(type_at(ctx, 3).name, "zboot");
	assert_string_equal(type_at(ctx, 4).name, "gzip");
	assert_true(type_at(ctx, 4).kexec_file_load && type_at(ctx, 4).kexec_load);
	assert_int_equal(kexec_image_type_get(ctx, 9, &t), -ERANGE);
	assert_int_equal(kexec_image_type_find(ctx, "ZSTD", &t), 0);
	assert_string_equal(t.name, "zstd");
	assert_int_equal(kexec_image_type_find(ctx, "bzimage", &t), 0);
	assert_string_equal(t.name, "bzImage");
	assert_int_equal(kexec_image_type_find(ctx, "bzip2", &t), -ENOENT);

	fake_bzimage(b);
	assert_int_equal(kexec_image_probe(ctx, b, sizeof(b), &info), 0);
	assert_string_equal(info.format, "bzImage");
	assert_string_equal(info.compression, "none");
	assert_string_equal(info.kernel_version, "6.1.0-fake");
	assert_int_equal(info.file_size, sizeof(b));

	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_AARCH64), 0);
	assert_int_equal(kexec_ctx_get_arch(ctx), KEXEC_ARCH_AARCH64);
	assert_int_equal(kexec_image_type_count(ctx), 9);
	assert_string_equal(type_at(ctx, 0).name, "Image");
	assert_string_equal(type_at(ctx, 2).name, "uki");
	/* A bzImage on arm64: refused, naming each format and its reason. */
	assert_int_equal(kexec_image_probe(ctx, b, sizeof(b), &info), -ENOEXEC);
	why = kexec_ctx_last_error(ctx);
	assert_non_null(strstr(why, "Image: not an arm64 Image"));
	assert_non_null(strstr(why, "elf-arm64: not an ELF file"));

	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_IA_64), -EOPNOTSUPP);
	assert_int_equal(kexec_ctx_get_arch(ctx), KEXEC_ARCH_AARCH64);
	kexec_ctx_free(ctx);
}

/*
 * A kernel whose first bytes happen to read as an lzma header (which has no
 * magic): the envelope breaks, and the file is taken as the kernel it is.
 */
static void looks_like_lzma(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	static uint8_t b[1 << 20];
	LIBKEXEC_OPTS(kexec_image_info, info);

	(void)state;
	memset(b, 0, sizeof(b));
	/* code0 0x10000000: props 0, "dictionary" 1 MiB, a size of 0, then zeros. */
	b[3] = 0x10;
	b[16] = 0x00, b[17] = 0x00, b[18] = 0x20;           /* image_size 2 MiB */
	b[24] = 0x0a;                                        /* LE, 4K pages, anywhere */
	memcpy(b + 56, "ARM\x64", 4);
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_AARCH64), 0);
	assert_int_equal(kexec_image_probe(ctx, b, sizeof(b), &info), 0);
	assert_string_equal(info.format, "Image");
	assert_string_equal(info.compression, "none");
	/* Not a kernel either: the envelope's own error stays. */
	memset(b + 56, 0, 4);
	assert_true(kexec_image_probe(ctx, b, sizeof(b), &info) < 0);
	assert_non_null(strstr(kexec_ctx_last_error(ctx), "lzma"));
	kexec_ctx_free(ctx);
}

static void one_cmdline_rule(void **state)
{
	struct kexec_ctx *ctx = ctx_at("/");
	struct kexec_image_info info = { .cmdline_max = 2047 };

	(void)state;
	/* kexec_load: the whole limit. */
	assert_int_equal(kx_cmdline_check(ctx, &kx_format_bzimage, &info, "k", 2047, false, NULL), 0);
	assert_int_equal(kx_cmdline_check(ctx, &kx_format_bzimage, &info, "k", 2048, false, NULL),
			 -E2BIG);
	assert_logged("cannot load kernel k: command line is 2048 bytes, this kernel accepts at "
		      "most 2047");
	/* kexec_file_load on x86: 30 bytes kept for " elfcorehdr=0x...". */
	log_reset();
	assert_int_equal(kx_cmdline_check(ctx, &kx_format_bzimage, &info, "k", 2017, true, NULL), 0);
	assert_int_equal(kx_cmdline_check(ctx, &kx_format_bzimage, &info, "k", 2018, true, NULL),
			 -E2BIG);
	assert_logged("at most 2017 through kexec_file_load");
	/* arm64 keeps nothing back. */
	assert_int_equal(kx_cmdline_check(ctx, &kx_format_arm64_image, &info, "k", 2047, true, NULL),
			 0);
	/* No limit known. */
	info.cmdline_max = UINT32_MAX;
	assert_int_equal(kx_cmdline_check(ctx, &kx_format_bzimage, &info, "k", 1 << 20, true, NULL),
			 0);
	/* A header that leaves nothing. */
	info.cmdline_max = 20;
	log_reset();
	assert_int_equal(kx_cmdline_check(ctx, &kx_format_bzimage, &info, "k", 0, true, NULL), -E2BIG);
	assert_logged("leaves no room");
	kexec_ctx_free(ctx);
}

/* Which syscalls a kernel has, from <root>/proc/kallsyms: T is there, W is sys_ni_syscall. */
static void syscalls_from_kallsyms(void **state)
{
	static const struct {
		const char *text;
		unsigned int want;
	} cases[] = {
		/* Debian's arm64 kernels: kexec_load only. */
		{ "0000000000000000 T __arm64_sys_kexec_load\n"
		  "0000000000000000 W __arm64_sys_kexec_file_load\n", LIBKEXEC_HAVE_LOAD },
		{ "ffffffff8138cdf0 T __x64_sys_kexec_load\n"
		  "ffffffff813903c0 T __x64_sys_kexec_file_load\n"
		  "ffffffff813903c0 t __pfx___x64_sys_kexec_file_load_x\n",
		  LIBKEXEC_HAVE_LOAD | LIBKEXEC_HAVE_FILE_LOAD },
		/* No kexec at all: both weak aliases. */
		{ "ffffffff8138cdf0 W __x64_sys_kexec_load\n"
		  "ffffffff813903c0 W __x64_sys_kexec_file_load\n", 0 },
		/* Lookalikes do not count. */
		{ "0 T my_sys_kexec_loadx\n0 T sys_kexec_file_loader\n0 T xsys_kexec_load\n", 0 },
		{ "0 T sys_kexec_load [kexec]\n", LIBKEXEC_HAVE_LOAD },
	};
	char dir[] = "/tmp/libkexec-kallsyms-XXXXXX", path[128];
	struct kexec_ctx *ctx;
	unsigned int have;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	ctx = ctx_at(dir);
	/* No kallsyms: cannot tell. */
	assert_int_equal(kexec_status_syscalls(ctx, &have), -ENOENT);
	snprintf(path, sizeof(path), "%s/proc/kallsyms", dir);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(cases[i].text, f);
		fclose(f);
		assert_int_equal(kexec_status_syscalls(ctx, &have), 0);
		if (have != cases[i].want)
			fail_msg("case %zu: have %#x, want %#x", i, have, cases[i].want);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_probe_on_every_image),
		cmocka_unit_test(arm64_image_header),
		cmocka_unit_test(programs_are_not_kernels),
		cmocka_unit_test(riscv64_image_header),
		cmocka_unit_test(lookups),
		cmocka_unit_test(types_and_probe_per_context),
		cmocka_unit_test(looks_like_lzma),
		cmocka_unit_test(one_cmdline_rule),
		cmocka_unit_test(syscalls_from_kallsyms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
