/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Regression tests for bugs the bad-input corpus and the fuzzers found
 * (tests/bad-inputs, fuzz/): each test names the input that showed the bug.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <elf.h>

#include "libkexec-internal.h"
#include "purgatory.h"
#include "x86-bootparams.h"
#include "fake-bzimage.h"
#include "x86.h"

static char dir[64];
static char logbuf[8192];
static int nlines;

static bool control_chars; /* a message held a control character */

static void capture(void *data, int prio, const char *msg)
{
	(void)data;
	(void)prio;
	snprintf(logbuf, sizeof(logbuf), "%s", msg);
	nlines++;
	for (const char *c = msg; *c; c++)
		control_chars |= (unsigned char)*c < 0x20 || *c == 0x7f;
}

static struct kexec_ctx *new_ctx(void)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	assert_non_null(ctx);
	kexec_ctx_set_log(ctx, capture, NULL);
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	logbuf[0] = '\0';
	nlines = 0;
	control_chars = false;
	return ctx;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* <dir>/<rel>, with its directories. */
static void put(const char *rel, const char *content)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *c = strchr(path + strlen(dir) + 1, '/'); c; c = strchr(c + 1, '/')) {
		*c = '\0';
		mkdir(path, 0755);
		*c = '/';
	}
	write_file(path, content, strlen(content));
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/kxhostile-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A bzImage whose header promises more than the file holds. */
static void truncated_bzimage(void **state)
{
	static uint8_t b[FAKE_SIZE];
	struct kx_bzimage_info info;
	const char *why;
	const size_t rest = FAKE_SIZE - (FAKE_SETUP_SECTS + 1) * 512;

	(void)state;
	fake_bzimage(b);
	/* syssize 0 and no payload fields: nothing to check against, accepted. */
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), 0);

	/* syssize exactly the rest of the file (as tools/build writes it): fine. */
	fake_put32(b, 0x1f4, (uint32_t)(rest / 16));
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), 0);
	/* Cut the file by one paragraph: truncated. */
	assert_int_equal(kx_bzimage_read(b, sizeof(b) - 16, &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "truncated"));
	assert_non_null(strstr(why, "syssize"));
	/* The first 4 KiB alone (a head read) say truncated too: probes get the whole file. */
	assert_int_equal(kx_bzimage_read(b, 4096, &info, &why), -ENOEXEC);

	/*
	 * Protocol 2.03: syssize is 16 bits wide; the high half is something
	 * else. Refused for its age, not as truncated.
	 */
	fake_put16(b, 0x206, 0x0203);
	fake_put32(b, 0x1f4, 0xffff0000u | (uint32_t)(rest / 16));
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "2.12"));
	fake_put16(b, 0x206, 0x020f);
	fake_put32(b, 0x1f4, 0);

	/* The compressed payload runs past the end. */
	fake_put32(b, 0x248, 0x100);
	fake_put32(b, 0x24c, (uint32_t)(rest - 0x100));
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), 0);
	fake_put32(b, 0x24c, (uint32_t)(rest - 0x100 + 1));
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), -ENOEXEC);
	assert_non_null(strstr(why, "payload"));
	/* Sums that wrap 32 bits are not fooled. */
	fake_put32(b, 0x248, 0xffffffffu);
	fake_put32(b, 0x24c, 2);
	assert_int_equal(kx_bzimage_read(b, sizeof(b), &info, &why), -ENOEXEC);
}

/* The same through the kexec_file_load planner, which reads only the file's head. */
static void truncated_bzimage_file_plan(void **state)
{
	static uint8_t b[FAKE_SIZE];
	const size_t rest = FAKE_SIZE - (FAKE_SETUP_SECTS + 1) * 512;
	struct kx_file_request req = { .sz = sizeof(struct kx_file_request) };
	struct kx_file_plan plan;
	struct kexec_ctx *ctx = new_ctx();
	char path[128];

	(void)state;
	fake_bzimage(b);
	fake_put32(b, 0x1f4, (uint32_t)(rest / 16));
	snprintf(path, sizeof(path), "%s/cut", dir);
	write_file(path, b, sizeof(b) - 512);
	req.kernel = path;
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), -ENOEXEC);
	assert_int_equal(nlines, 1);
	assert_non_null(strstr(logbuf, path));
	assert_non_null(strstr(logbuf, "truncated"));

	write_file(path, b, sizeof(b));
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	kx_file_plan_free(&plan);
	kexec_ctx_free(ctx);
}

/* bz-cmdline-size-0: "accepts at most 4294967265" (cmdline_size - 31 wrapped). */
static void tiny_cmdline_size(void **state)
{
	static uint8_t b[FAKE_SIZE];
	static const uint32_t sizes[] = { 0, 1, 30, 31 };
	struct kx_file_request req = { .sz = sizeof(struct kx_file_request) };
	struct kx_file_plan plan;
	struct kexec_ctx *ctx = new_ctx();
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/tiny", dir);
	req.kernel = path;
	req.cmdline = "x";
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fake_bzimage(b);
		fake_put32(b, 0x238, sizes[i]);
		write_file(path, b, sizeof(b));
		nlines = 0;
		assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), -E2BIG);
		assert_int_equal(nlines, 1);
		assert_null(strstr(logbuf, "42949672"));
		assert_non_null(strstr(logbuf, path));
	}
	/* 32: room for 1 byte and its NUL after the 30 kexec_file keeps. */
	fake_put32(b, 0x238, 32);
	write_file(path, b, sizeof(b));
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	kx_file_plan_free(&plan);
	kexec_ctx_free(ctx);
}

static void on_alarm(int sig)
{
	(void)sig;
	fail_msg("opening a FIFO blocked");
}

/* kexec -l FIFO used to wait forever in open() for a writer. */
static void fifo_input(void **state)
{
	static uint8_t b[FAKE_SIZE];
	struct kx_file_request req = { .sz = sizeof(struct kx_file_request) };
	struct kx_file_plan plan;
	struct kexec_ctx *ctx = new_ctx();
	char fifo[128], kernel[128];
	uint64_t size;

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	fake_bzimage(b);
	write_file(kernel, b, sizeof(b));
	signal(SIGALRM, on_alarm);
	alarm(5);

	assert_int_equal(kx_open_input(ctx, "kernel", fifo, &size), -EINVAL);
	assert_non_null(strstr(logbuf, "not a regular file"));
	req.kernel = fifo;
	nlines = 0;
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), -EINVAL);
	assert_int_equal(nlines, 1);
	req.kernel = kernel;
	req.initrd = fifo;
	nlines = 0;
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), -EINVAL);
	assert_int_equal(nlines, 1);
	assert_non_null(strstr(logbuf, fifo));

	/* A regular file comes back blocking, with its size. */
	{
		int fd = kx_open_input(ctx, "kernel", kernel, &size);

		assert_true(fd >= 0);
		assert_int_equal(size, sizeof(b));
		assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
		close(fd);
	}
	/* A device is refused without being opened for long: /dev/null reads as empty anyway. */
	assert_int_equal(kx_open_input(ctx, "initrd", "/dev/null", &size), -EINVAL);
	alarm(0);
	kexec_ctx_free(ctx);
}

/* kernel-path-too-long: a 1024-byte log buffer cut off the reason after a long path. */
static void long_path_keeps_reason(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	char path[3000];
	uint64_t size;

	(void)state;
	snprintf(path, sizeof(path), "%s/", dir);
	memset(path + strlen(path), 'a', 2000);
	path[strlen(dir) + 1 + 2000] = '\0';
	assert_int_equal(kx_open_input(ctx, "kernel", path, &size), -ENAMETOOLONG);
	assert_int_equal(nlines, 1);
	assert_non_null(strstr(logbuf, path));
	assert_non_null(strstr(logbuf, "File name too long"));
	kexec_ctx_free(ctx);
}

static void printable(void **state)
{
	char buf[8];

	(void)state;
	assert_string_equal(kx_printable("ab\ncd", 5, buf, sizeof(buf)), "ab?cd");
	assert_string_equal(kx_printable("\x1b[31m\x7f\xff", 7, buf, sizeof(buf)), "?[31m??");
	assert_string_equal(kx_printable("0123456789", 10, buf, sizeof(buf)), "0123...");
	assert_string_equal(kx_printable("0123456", 7, buf, sizeof(buf)), "0123456");
	assert_string_equal(kx_printable("", 0, buf, sizeof(buf)), "");
	assert_string_equal(kx_printable("abc", 3, buf, 2), "a");
}

/*
 * fuzz-memmap, fuzz-bootparams: file contents were echoed into messages as
 * they were, so a newline split the one line of a failure in two (and an
 * escape sequence would have reached the terminal).
 */
static void hostile_text_in_messages(void **state)
{
	struct kexec_memmap map = { 0 };
	struct kx_x86_sysinfo si;
	struct kx_e820 e820 = { 0 };
	struct kexec_ctx *ctx = new_ctx();

	(void)state;
	assert_int_equal(kexec_ctx_set_root(ctx, dir), 0);
	put("sys/firmware/memmap/0/start", "0x0\n0x9fbff\n");
	put("sys/firmware/memmap/0/end", "0x9fbff\n");
	put("sys/firmware/memmap/0/type", "System RAM\n");
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), -EINVAL);
	assert_non_null(strstr(logbuf, "\"0x0?0x9fbff\""));
	assert_false(control_chars);

	/* A type name with an escape sequence: taken as reserved, shown harmless. */
	put("sys/firmware/memmap/0/start", "0x100000\n");
	put("sys/firmware/memmap/0/end", "0x3fffffff\n");
	put("sys/firmware/memmap/0/type", "System RAM\n");
	put("sys/firmware/memmap/1/start", "0x0\n");
	put("sys/firmware/memmap/1/end", "0xfff\n");
	put("sys/firmware/memmap/1/type", "\x1b]0;owned\x07\nReserved\n");
	assert_int_equal(kexec_read_firmware_memmap(ctx, &map), 2);
	assert_string_equal(map.r[0].name, "?]0;owned??Reserved");
	assert_int_equal(kx_e820_from_system(ctx, &e820), 2);
	assert_int_equal(e820.e[0].type, 2);
	assert_false(control_chars);
	kx_e820_free(&e820);
	kexec_memmap_free(&map);

	/* An EFI value with a newline in it. */
	put("sys/firmware/efi/fw_vendor", "0x1\n0x2\n");
	nlines = 0;
	assert_int_equal(kx_x86_sysinfo_read(ctx, &si), -EINVAL);
	assert_non_null(strstr(logbuf, "\"0x1?0x2\""));
	assert_false(control_chars);
	kexec_ctx_free(ctx);
}

/* fuzz-purgatory: a symbol's name from the blob went into the message unfiltered. */
static void hostile_purgatory_symbol_name(void **state)
{
	size_t len = kx_purgatory_x86_64_blob_size;
	uint8_t *blob = malloc(len);
	struct kexec_ctx *ctx = new_ctx();
	struct kx_purgatory p;
	Elf64_Ehdr eh;
	Elf64_Shdr sh, str;
	bool done = false;

	(void)state;
	assert_non_null(blob);
	memcpy(blob, kx_purgatory_x86_64_blob, len);
	memcpy(&eh, blob, sizeof(eh));
	for (unsigned i = 0; i < eh.e_shnum && !done; i++) {
		memcpy(&sh, blob + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		memcpy(&str, blob + eh.e_shoff + sh.sh_link * sizeof(str), sizeof(str));
		for (size_t k = 1; k < sh.sh_size / sizeof(Elf64_Sym) && !done; k++) {
			Elf64_Sym sym;
			uint8_t *at = blob + sh.sh_offset + k * sizeof(sym);

			memcpy(&sym, at, sizeof(sym));
			if (!sym.st_name || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
				continue;
			blob[str.sh_offset + sym.st_name] = '\n';
			sym.st_shndx = (uint16_t)(eh.e_shnum + 5);
			memcpy(at, &sym, sizeof(sym));
			done = true;
		}
	}
	assert_true(done);
	assert_int_equal(kx_purgatory_init(ctx, &p, blob, len), -ENOEXEC);
	assert_non_null(strstr(logbuf, "has section index"));
	assert_false(control_chars);
	free(blob);
	kexec_ctx_free(ctx);
}

/*
 * fuzz-cmdline: removing a parameter twice removed more the second time. The
 * name "l\n" matched "l" + newline + "l=..." across two parameters, and a
 * trailing blank inside an unterminated quote hid the last parameter until
 * the line was trimmed.
 */
static void cmdline_remove_idempotent(void **state)
{
	static const struct {
		const char *name, *line, *want;
	} cases[] = {
		{ "l\n", "l\nl\n=x\n", "l\nl\n=x" },
		{ "a b", "a b=1 c", "a b=1 c" },
		{ "\"b", "a \"b ", "a" },
		{ "BOOT_IMAGE", "BOOT_IMAGE=/vmlinuz root=/dev/vda1 BOOT_IMAGE quiet", "root=/dev/vda1 quiet" },
		{ "quiet", "a=\"x quiet\" quiet", "a=\"x quiet\"" },
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].line);
		kexec_cmdline_remove_param(buf, cases[i].name);
		assert_string_equal(buf, cases[i].want);
		kexec_cmdline_remove_param(buf, cases[i].name);
		assert_string_equal(buf, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(truncated_bzimage),
		cmocka_unit_test(truncated_bzimage_file_plan),
		cmocka_unit_test(tiny_cmdline_size),
		cmocka_unit_test(fifo_input),
		cmocka_unit_test(long_path_keeps_reason),
		cmocka_unit_test(printable),
		cmocka_unit_test(hostile_text_in_messages),
		cmocka_unit_test(hostile_purgatory_symbol_name),
		cmocka_unit_test(cmdline_remove_idempotent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
