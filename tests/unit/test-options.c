/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line parsing, as a table of real callers' invocations (systemd,
 * kdump-tools, kdumpctl, petitboot, kernel selftests, LTP, nixos-anywhere)
 * mapped to what they must mean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"

/* Expected meaning; strings NULL mean "not given". */
struct want {
	bool load, unload, status, shutdown, sync, ifdown, exec, crash;
	enum kx_syscall syscall;
	bool no_checks, debug, reuse_cmdline, dry_run;
	const char *kernel, *initrd, *append, *dtb;
};

struct row {
	const char *who;
	const char *argv[16];
	int err; /* 0 parses, -1 is a usage error */
	struct want w;
};

#define LOAD .load = true
static const struct row rows[] = {
	{ "systemd: kexec --load K --append OPTS --initrd I",
	  { "kexec", "--load", "/boot/vmlinuz", "--append", "root=/dev/sda1 ro quiet", "--initrd",
	    "/boot/initrd.img" },
	  0,
	  { LOAD, .sync = true, .kernel = "/boot/vmlinuz", .initrd = "/boot/initrd.img",
	    .append = "root=/dev/sda1 ro quiet" } },
	{ "systemd-shutdown: kexec -e",
	  { "kexec", "-e" },
	  0,
	  { .exec = true, .sync = true, .ifdown = true } },
	{ "kdump-tools: kexec -p --args-linux --command-line=... --initrd=F K",
	  { "kexec", "-p", "--args-linux", "--command-line=root=/dev/vda1 irqpoll nr_cpus=1",
	    "--initrd=/var/lib/kdump/initrd.img", "/var/lib/kdump/vmlinuz" },
	  0,
	  { LOAD, .crash = true, .kernel = "/var/lib/kdump/vmlinuz",
	    .initrd = "/var/lib/kdump/initrd.img", .append = "root=/dev/vda1 irqpoll nr_cpus=1" } },
	{ "kdump-tools with -s -c -d: last syscall option wins",
	  { "kexec", "-p", "-s", "-c", "-d", "--command-line=x", "/k" },
	  0,
	  { LOAD, .crash = true, .syscall = KX_SYSCALL_LOAD, .debug = true, .kernel = "/k",
	    .append = "x" } },
	{ "kdump-tools unload: kexec -s -p -u",
	  { "kexec", "-s", "-p", "-u" },
	  0,
	  { .unload = true, .crash = true, .syscall = KX_SYSCALL_FILE } },
	{ "kdumpctl: kexec -s --elf64-core-headers -p --command-line=.. --initrd=.. K",
	  { "kexec", "-s", "--elf64-core-headers", "-p", "--command-line=irqpoll",
	    "--initrd=/boot/initramfs-kdump.img", "/boot/vmlinuz-6.1" },
	  0,
	  { LOAD, .crash = true, .syscall = KX_SYSCALL_FILE, .kernel = "/boot/vmlinuz-6.1",
	    .initrd = "/boot/initramfs-kdump.img", .append = "irqpoll" } },
	{ "kdumpctl unload: kexec -p -u",
	  { "kexec", "-p", "-u" },
	  0,
	  { .unload = true, .crash = true } },
	{ "petitboot: kexec -l --initrd=F --dtb=F --append= IMAGE (empty append)",
	  { "kexec", "-l", "--initrd=/tmp/i", "--dtb=/tmp/d.dtb", "--append=", "/tmp/image" },
	  0,
	  { LOAD, .sync = true, .kernel = "/tmp/image", .initrd = "/tmp/i", .dtb = "/tmp/d.dtb",
	    .append = "" } },
	{ "petitboot: kexec -s --debug --append=ARGS IMAGE (no -l: load then shutdown)",
	  { "kexec", "-s", "--debug", "--append=console=hvc0", "/tmp/image" },
	  0,
	  { LOAD, .shutdown = true, .sync = true, .syscall = KX_SYSCALL_FILE, .debug = true,
	    .kernel = "/tmp/image", .append = "console=hvc0" } },
	{ "petitboot fallback: kexec -e -f",
	  { "kexec", "-e", "-f" },
	  0,
	  { LOAD, .exec = true, .sync = true, .ifdown = true } },
	{ "nixos-anywhere: --kexec-syscall-auto --initrd= --no-checks --command-line ...",
	  { "kexec", "--load", "/root/kexec/bzImage", "--kexec-syscall-auto", "--initrd=/root/kexec/initrd",
	    "--no-checks", "--command-line", "init=/bin/init loglevel=4" },
	  0,
	  { LOAD, .sync = true, .syscall = KX_SYSCALL_AUTO, .no_checks = true,
	    .kernel = "/root/kexec/bzImage", .initrd = "/root/kexec/initrd",
	    .append = "init=/bin/init loglevel=4" } },
	{ "selftests: kexec --load IMAGE",
	  { "kexec", "--load", "/boot/vmlinuz" },
	  0,
	  { LOAD, .sync = true, .kernel = "/boot/vmlinuz" } },
	{ "selftests: kexec --unload",
	  { "kexec", "--unload" },
	  0,
	  { .unload = true } },
	{ "selftests: kexec --load --kexec-file-syscall IMAGE",
	  { "kexec", "--load", "--kexec-file-syscall", "/boot/vmlinuz" },
	  0,
	  { LOAD, .sync = true, .syscall = KX_SYSCALL_FILE, .kernel = "/boot/vmlinuz" } },
	{ "LTP: kexec -s -l IMAGE --reuse-cmdline",
	  { "kexec", "-s", "-l", "/boot/vmlinuz", "--reuse-cmdline" },
	  0,
	  { LOAD, .sync = true, .syscall = KX_SYSCALL_FILE, .reuse_cmdline = true,
	    .kernel = "/boot/vmlinuz" } },
	{ "LTP: --append=foo then --command-line=bar: last wins",
	  { "kexec", "-s", "-l", "/boot/vmlinuz", "--append=foo", "--command-line=bar" },
	  0,
	  { LOAD, .sync = true, .syscall = KX_SYSCALL_FILE, .kernel = "/boot/vmlinuz",
	    .append = "bar" } },
	{ "LTP: kexec -su (bundled short options)",
	  { "kexec", "-su" },
	  0,
	  { .unload = true, .syscall = KX_SYSCALL_FILE } },
	{ "status: kexec -S",
	  { "kexec", "-S" },
	  0,
	  { .status = true } },
	{ "--ramdisk is --initrd; -x and -y drop ifdown and sync",
	  { "kexec", "-l", "-x", "-y", "--ramdisk", "/r", "/k" },
	  0,
	  { LOAD, .kernel = "/k", .initrd = "/r" } },
	{ "-f after -l boots now without shutdown",
	  { "kexec", "-f", "/k" },
	  0,
	  { LOAD, .exec = true, .sync = true, .ifdown = true, .kernel = "/k" } },
	{ "--dry-run",
	  { "kexec", "--dry-run", "-p", "/k" },
	  0,
	  { LOAD, .crash = true, .dry_run = true, .kernel = "/k" } },
	{ "unknown option", { "kexec", "--frobnicate" }, -1, { 0 } },
	{ "missing value", { "kexec", "-l", "/k", "--initrd" }, -1, { 0 } },
	{ "two kernels", { "kexec", "-l", "/k1", "/k2" }, -1, { 0 } },
	{ "bad --mem-min", { "kexec", "-l", "--mem-min=12zz", "/k" }, -1, { 0 } },
	{ "-t needs a value", { "kexec", "-l", "/k", "-t" }, -1, { 0 } },
};

static void check_string(const char *who, const char *field, const char *got, const char *want)
{
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want)))
		fail_msg("%s: %s is \"%s\", want \"%s\"", who, field, got ? got : "(null)",
			 want ? want : "(null)");
}

#define CHECK_BOOL(f, wf)                                                                 \
	do {                                                                               \
		if (o.f != r->w.wf)                                                        \
			fail_msg("%s: %s is %d, want %d", r->who, #f, o.f, r->w.wf);       \
	} while (0)

static void table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char *argv[16];
		int argc = 0;
		struct kx_opts o;
		char err[256];
		int ret;

		while (r->argv[argc]) {
			argv[argc] = (char *)r->argv[argc];
			argc++;
		}
		argv[argc] = NULL;
		ret = kx_parse_options(argc, argv, &o, err, sizeof(err));
		if (ret != r->err)
			fail_msg("%s: parse returned %d (%s), want %d", r->who, ret, err, r->err);
		if (ret < 0) {
			assert_true(strlen(err) > 0);
			continue;
		}
		CHECK_BOOL(do_load, load);
		CHECK_BOOL(do_unload, unload);
		CHECK_BOOL(do_status, status);
		CHECK_BOOL(do_shutdown, shutdown);
		CHECK_BOOL(do_sync, sync);
		CHECK_BOOL(do_ifdown, ifdown);
		CHECK_BOOL(do_exec, exec);
		CHECK_BOOL(crash, crash);
		CHECK_BOOL(no_checks, no_checks);
		CHECK_BOOL(debug, debug);
		CHECK_BOOL(reuse_cmdline, reuse_cmdline);
		CHECK_BOOL(dry_run, dry_run);
		if (o.syscall != r->w.syscall)
			fail_msg("%s: syscall %d, want %d", r->who, o.syscall, r->w.syscall);
		check_string(r->who, "kernel", o.kernel, r->w.kernel);
		check_string(r->who, "initrd", o.initrd, r->w.initrd);
		check_string(r->who, "append", o.append, r->w.append);
		check_string(r->who, "dtb", o.dtb, r->w.dtb);
	}
}

/* Parsing twice in one process gives the same answer (getopt is reset). */
static void reparse(void **state)
{
	char *a1[] = { "kexec", "-su", NULL };
	char *a2[] = { "kexec", "-l", "/k", "--initrd", "/i", NULL };
	struct kx_opts o;
	char err[256];

	(void)state;
	assert_int_equal(kx_parse_options(2, a1, &o, err, sizeof(err)), 0);
	assert_int_equal(kx_parse_options(5, a2, &o, err, sizeof(err)), 0);
	assert_string_equal(o.kernel, "/k");
	assert_string_equal(o.initrd, "/i");
	assert_false(o.do_unload);
}

static void addresses(void **state)
{
	char *a[] = { "kexec", "-l", "--mem-min=0x1000000", "--mem-max", "4294967295", "/k", NULL };
	struct kx_opts o;
	char err[256];

	(void)state;
	assert_int_equal(kx_parse_options(6, a, &o, err, sizeof(err)), 0);
	assert_true(o.have_mem_min && o.have_mem_max);
	assert_int_equal(o.mem_min, 0x1000000);
	assert_int_equal(o.mem_max, 0xffffffffULL);
}

/* What a usage error says names the option as it was typed (tests/bad-inputs). */
static void errors(void **state)
{
	static const struct {
		const char *argv[6];
		const char *want;
	} cases[] = {
		/* optopt holds OPT_INITRD here, which is no character: "option - needs..." */
		{ { "kexec", "-l", "/k", "--initrd" }, "option --initrd needs a value" },
		{ { "kexec", "-l", "/k", "--append" }, "option --append needs a value" },
		{ { "kexec", "-l", "-t" }, "option -t needs a value" },
		{ { "kexec", "--frobnicate=1", "/k" }, "unknown option --frobnicate" },
		{ { "kexec", "-lQ", "/k" }, "unknown option -Q" },
		{ { "kexec", "--help=yes" }, "option --help takes no value" },
		{ { "kexec", "--mem-min=zz", "/k" }, "bad value for --mem-min: zz" },
		{ { "kexec", "-c", "--mem-min=0x2000", "--mem-max=0x1000", "/k" },
		  "--mem-min=0x2000 is above --mem-max=0x1000" },
	};
	struct kx_opts o;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[7] = { 0 };
		int argc = 0;

		while (argc < 6 && cases[i].argv[argc]) {
			argv[argc] = (char *)cases[i].argv[argc];
			argc++;
		}
		assert_int_equal(kx_parse_options(argc, argv, &o, err, sizeof(err)), -1);
		assert_string_equal(err, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(reparse),
		cmocka_unit_test(addresses),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
