/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kexec_file_load planner, command-line reuse, status files and error
 * explanations, on fixture roots built in a temporary directory.
 */
#include <errno.h>
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

#include "libkexec.h"
#include "libkexec-internal.h"
#include "fake-bzimage.h"

static char root[64], kernel[128], initrd[128], empty[128], notkernel[128];
static char logbuf[4096];
static int nlines;

static void capture(void *data, int prio, const char *msg)
{
	(void)data;
	(void)prio;
	snprintf(logbuf, sizeof(logbuf), "%s", msg);
	nlines++;
}

static void put(const char *rel, const char *content)
{
	char path[256], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup(void **state)
{
	static uint8_t img[FAKE_SIZE];

	(void)state;
	strcpy(root, "/tmp/kxfl-XXXXXX");
	assert_non_null(mkdtemp(root));
	fake_bzimage(img);
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", root);
	snprintf(initrd, sizeof(initrd), "%s/initrd.img", root);
	snprintf(empty, sizeof(empty), "%s/empty", root);
	snprintf(notkernel, sizeof(notkernel), "%s/notkernel", root);
	put("/vmlinuz", "");
	{
		FILE *f = fopen(kernel, "w");

		assert_int_equal(fwrite(img, 1, sizeof(img), f), sizeof(img));
		fclose(f);
	}
	put("/initrd.img", "0123456789");
	put("/empty", "");
	put("/notkernel", "#!/bin/sh\necho this is a script, not a kernel, and it is long enough\n");
	put("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 crashkernel=256M "
			     "dyndbg=\"file foo.c +p\" quiet\n");
	put("/sys/kernel/kexec_loaded", "1\n");
	put("/sys/kernel/kexec_crash_loaded", "0\n");
	put("/sys/kernel/kexec_crash_size", "268435456\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static struct kexec_ctx *new_ctx(void)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	assert_non_null(ctx);
	assert_int_equal(kexec_ctx_set_root(ctx, root), 0);
	kexec_ctx_set_log(ctx, capture, NULL);
	logbuf[0] = '\0';
	nlines = 0;
	return ctx;
}

static void plan_ok(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_file_request req = { .sz = sizeof(struct kx_file_request), .kernel = kernel, .initrd = initrd, .cmdline = "a=1 b" };
	struct kx_file_plan plan;
	const char *cmd;
	size_t is;

	(void)state;
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, 0);
	assert_int_equal(plan.cmdline_len, 6);
	assert_string_equal(plan.cmdline, "a=1 b");
	assert_int_equal(plan.kernel_size, FAKE_SIZE);
	assert_int_equal(plan.initrd_size, 10);
	assert_int_equal(plan.image.protocol, 0x020f);
	assert_string_equal(plan.image.format, "bzImage");
	assert_string_equal(plan.image.compression, "none");
	assert_int_equal(plan.image.cmdline_max, 2047);
	assert_int_equal(plan.image.unpacked_size, 0x2000000);
	assert_string_equal(plan.image.kernel_version, "6.1.0-fake");
	assert_int_equal(nlines, 0);
	kexec_ctx_use_sim(ctx, sim);
	assert_int_equal(kx_file_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_file_image(sim, false, NULL, NULL, NULL, &is, &cmd), 0);
	assert_int_equal(is, 10);
	assert_string_equal(cmd, "a=1 b");
	kx_file_plan_free(&plan);
	assert_int_equal(plan.kernel_fd, -1);

	req.initrd = NULL;
	req.debug = true;
	req.cmdline = NULL;
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_FILE_NO_INITRAMFS | KEXEC_FILE_DEBUG);
	assert_int_equal(plan.cmdline_len, 1);
	kx_file_plan_free(&plan);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/* Each bad input: the errno, one log line naming the file, and the reason. */
static void expect_fail(struct kx_file_request *req, int err, const char *file,
			const char *reason)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_file_plan plan;

	assert_int_equal(kx_file_plan_prepare(ctx, req, &plan), err);
	assert_int_equal(nlines, 1);
	if (!strstr(logbuf, file) || !strstr(logbuf, reason))
		fail_msg("log \"%s\" lacks \"%s\" or \"%s\"", logbuf, file, reason);
	assert_int_equal(plan.kernel_fd, -1);
	assert_int_equal(plan.initrd_fd, -1);
	kexec_ctx_free(ctx);
}

static void plan_bad_inputs(void **state)
{
	struct kx_file_request req = { .sz = sizeof(struct kx_file_request), .kernel = notkernel };
	static char big[4096];

	(void)state;
	expect_fail(&req, -ENOEXEC, notkernel, "too short");
	req.kernel = "/proc/self/exe"; /* an ELF program: big enough, no HdrS */
	expect_fail(&req, -ENOEXEC, "/proc/self/exe", "not a bzImage");
	req.kernel = "/nonexistent/vmlinuz";
	expect_fail(&req, -ENOENT, "/nonexistent/vmlinuz", "No such file");
	req.kernel = root;
	expect_fail(&req, -EISDIR, root, "is a directory");
	req.kernel = empty;
	expect_fail(&req, -EINVAL, empty, "empty");
	req.kernel = "/dev/zero";
	expect_fail(&req, -EINVAL, "/dev/zero", "not a regular file");
	req.kernel = kernel;
	req.initrd = "/nonexistent/initrd";
	expect_fail(&req, -ENOENT, "/nonexistent/initrd", "No such file");
	req.initrd = empty;
	expect_fail(&req, -EINVAL, empty, "empty");
	req.initrd = NULL;
	memset(big, 'x', sizeof(big) - 1);
	req.cmdline = big;
	expect_fail(&req, -E2BIG, kernel, "accepts at most 2017");
}

static void plan_crash(void **state)
{
	struct kx_file_request req = { .sz = sizeof(struct kx_file_request), .kernel = kernel, .initrd = initrd, .crash = true };
	struct kexec_ctx *ctx = new_ctx();
	struct kx_file_plan plan;

	(void)state;
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags, KEXEC_FILE_ON_CRASH);
	kx_file_plan_free(&plan);
	kexec_ctx_free(ctx);

	put("/sys/kernel/kexec_crash_size", "0\n");
	expect_fail(&req, -EADDRNOTAVAIL, kernel, "crashkernel=");
	put("/sys/kernel/kexec_crash_size", "16777216\n"); /* 16 MiB < 32 MiB init_size */
	expect_fail(&req, -EADDRNOTAVAIL, kernel, "need at least 33 MiB");
	put("/sys/kernel/kexec_crash_size", "268435456\n");
}

static void reuse_cmdline(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	char *line, buf[128];

	(void)state;
	assert_int_equal(kexec_cmdline_reuse(ctx, false, &line), 0);
	assert_string_equal(line, "root=/dev/vda1 crashkernel=256M dyndbg=\"file foo.c +p\" quiet");
	free(line);
	assert_int_equal(kexec_cmdline_reuse(ctx, true, &line), 0);
	assert_string_equal(line, "root=/dev/vda1 dyndbg=\"file foo.c +p\" quiet");
	free(line);

	strcpy(buf, "quiet quietx=1 quiet=2 x quiet");
	kexec_cmdline_remove_param(buf, "quiet");
	assert_string_equal(buf, "quietx=1 x");
	line = kexec_cmdline_concat("a b", "c");
	assert_string_equal(line, "a b c");
	free(line);
	line = kexec_cmdline_concat(NULL, "c");
	assert_string_equal(line, "c");
	free(line);
	line = kexec_cmdline_concat("a", "");
	assert_string_equal(line, "a");
	free(line);
	kexec_ctx_free(ctx);
}

static void status_files(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	uint64_t size;

	(void)state;
	assert_int_equal(kexec_status_loaded(ctx, false), 1);
	assert_int_equal(kexec_status_loaded(ctx, true), 0);
	assert_int_equal(kexec_status_crash_size(ctx, &size), 0);
	assert_int_equal(size, 268435456);
	put("/sys/kernel/kexec_loaded", "garbage\n");
	assert_int_equal(kexec_status_loaded(ctx, false), -EINVAL);
	put("/sys/kernel/kexec_loaded", "1\n");
	kexec_ctx_set_root(ctx, "/nonexistent-root");
	assert_int_equal(kexec_status_loaded(ctx, false), -ENOENT);
	kexec_ctx_free(ctx);
}

static void explain(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	char buf[512];

	(void)state;
	put("/proc/self/status", "Name:\tkexec\nCapEff:\t0000000000000000\n");
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -EPERM, buf, sizeof(buf));
	assert_non_null(strstr(buf, "CAP_SYS_BOOT"));
	put("/proc/self/status", "Name:\tkexec\nCapEff:\t000001ffffffffff\n");
	put("/proc/sys/kernel/kexec_load_disabled", "1\n");
	kexec_explain(ctx, LIBKEXEC_OP_LOAD, false, -EPERM, buf, sizeof(buf));
	assert_non_null(strstr(buf, "kexec_load_disabled=1"));
	put("/proc/sys/kernel/kexec_load_disabled", "0\n");
	put("/proc/sys/kernel/kexec_load_limit_panic", "0\n");
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, true, -EPERM, buf, sizeof(buf));
	assert_non_null(strstr(buf, "kexec_load_limit_panic=0"));
	put("/proc/sys/kernel/kexec_load_limit_panic", "-1\n");
	put("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	kexec_explain(ctx, LIBKEXEC_OP_LOAD, false, -EPERM, buf, sizeof(buf));
	assert_non_null(strstr(buf, "locked down (integrity"));
	assert_non_null(strstr(buf, "-s"));
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -EPERM, buf, sizeof(buf));
	assert_non_null(strstr(buf, "signed"));
	put("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	kexec_explain(ctx, LIBKEXEC_OP_LOAD, false, -EPERM, buf, sizeof(buf));
	assert_null(strstr(buf, "locked down"));

	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -ENOKEY, buf, sizeof(buf));
	assert_non_null(strstr(buf, "not trust"));
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -EKEYREJECTED, buf, sizeof(buf));
	assert_non_null(strstr(buf, "rejected"));
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -ENODATA, buf, sizeof(buf));
	assert_non_null(strstr(buf, "not signed"));
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -EBADMSG, buf, sizeof(buf));
	assert_non_null(strstr(buf, "malformed"));
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -ENOSYS, buf, sizeof(buf));
	assert_non_null(strstr(buf, "CONFIG_KEXEC_FILE"));
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -EBUSY, buf, sizeof(buf));
	assert_non_null(strstr(buf, "in progress"));
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -ENOEXEC, buf, sizeof(buf));
	assert_non_null(strstr(buf, "does not recognize"));
	put("/sys/kernel/kexec_crash_size", "0\n");
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, true, -EADDRNOTAVAIL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "crashkernel="));
	put("/sys/kernel/kexec_crash_size", "268435456\n");
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, true, -EADDRNOTAVAIL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "256 MiB"));
	kexec_explain(ctx, LIBKEXEC_OP_REBOOT, false, -EINVAL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "no kernel is loaded"));
	kexec_explain(ctx, LIBKEXEC_OP_FILE_LOAD, false, -EXDEV, buf, sizeof(buf));
	assert_string_equal(buf, "");
	kexec_ctx_free(ctx);
}

/* With a simulated kernel, explanations come from its configuration. */
static void explain_sim(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kexec_sim *sim = kexec_sim_new();
	char buf[512];

	(void)state;
	kexec_ctx_use_sim(ctx, sim);
	kexec_sim_config(sim)->lockdown = true;
	kexec_explain(ctx, LIBKEXEC_OP_LOAD, false, -EPERM, buf, sizeof(buf));
	assert_non_null(strstr(buf, "locked down (integrity"));
	kexec_sim_config(sim)->cap_sys_boot = false;
	kexec_explain(ctx, LIBKEXEC_OP_LOAD, false, -EPERM, buf, sizeof(buf));
	assert_non_null(strstr(buf, "CAP_SYS_BOOT"));
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/*
 * -d on a kernel before 6.8 (kdumpctl's `kexec -s -d -p`): KEXEC_FILE_DEBUG
 * is left out, so the load is not refused with EINVAL; where the version
 * cannot be read and the kernel refuses the flag, the load is made again
 * without it.
 */
static void debug_flag_by_kernel(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kexec_sim *sim = kexec_sim_new();
	struct kx_file_request req = { .sz = sizeof(req), .kernel = kernel, .initrd = initrd,
					  .debug = true };
	struct kx_file_plan plan;
	char path[256];

	(void)state;
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	put("/proc/sys/kernel/osrelease", "6.1.0-28-cloud-amd64\n");
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags & KEXEC_FILE_DEBUG, 0);
	assert_non_null(strstr(logbuf, "predates it (6.8)"));
	kx_file_plan_free(&plan);

	put("/proc/sys/kernel/osrelease", "6.12.57+deb13-amd64\n");
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags & KEXEC_FILE_DEBUG, KEXEC_FILE_DEBUG);
	kx_file_plan_free(&plan);

	/* No version to read; the (simulated) kernel refuses the flag: once more without. */
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease", root);
	unlink(path);
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags & KEXEC_FILE_DEBUG, KEXEC_FILE_DEBUG);
	kexec_sim_config(sim)->no_file_debug = true;
	kexec_ctx_use_sim(ctx, sim);
	logbuf[0] = '\0';
	assert_int_equal(kx_file_plan_load(ctx, &plan), 0);
	assert_true(kexec_sim_loaded(sim, false));
	assert_int_equal(kexec_sim_calls(sim), 2); /* refused with the flag, loaded without */
	/* A kernel that takes it: one call. */
	kexec_sim_config(sim)->no_file_debug = false;
	assert_int_equal(kx_file_plan_load(ctx, &plan), 0);
	assert_int_equal(kexec_sim_calls(sim), 3);
	kx_file_plan_free(&plan);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/*
 * --no-cma and --force-dtb on x86_64 (struct kx_file_request.options):
 * KEXEC_FILE_NO_CMA only for a kernel that takes it (6.17+: older ones never
 * place payloads in CMA); KEXEC_FILE_FORCE_DTB only for 6.18+ with a device
 * tree to carry, else the load is refused before the syscall.
 */
static void option_flags_by_kernel(void **state)
{
	struct kexec_ctx *ctx = new_ctx();
	struct kx_file_request req = { .sz = sizeof(req), .kernel = kernel,
					  .options = LIBKEXEC_OPT_NO_CMA };
	struct kx_file_plan plan;
	char path[256];

	(void)state;
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_X86_64), 0);
	put("/proc/sys/kernel/osrelease", "6.12.57+deb13-amd64\n");
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags & KEXEC_FILE_NO_CMA, 0);
	kx_file_plan_free(&plan);
	put("/proc/sys/kernel/osrelease", "6.17.13+deb13-cloud-amd64\n");
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags & KEXEC_FILE_NO_CMA, KEXEC_FILE_NO_CMA);
	kx_file_plan_free(&plan);

	req.options = LIBKEXEC_OPT_FORCE_DTB;
	nlines = 0;
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), -EOPNOTSUPP);
	assert_non_null(strstr(logbuf, "--force-dtb: the running kernel (6.17) cannot carry its "
				       "device tree"));
	assert_int_equal(nlines, 1);
	put("/proc/sys/kernel/osrelease", "7.3.4+deb13-cloud-amd64\n");
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), -EOPNOTSUPP);
	assert_non_null(strstr(logbuf, "--force-dtb: the running kernel has no device tree to "
				       "carry (no /sys/firmware/fdt)"));
	put("/sys/firmware/fdt", "\xd0\x0d\xfe\xed");
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), 0);
	assert_int_equal(plan.flags & KEXEC_FILE_FORCE_DTB, KEXEC_FILE_FORCE_DTB);
	kx_file_plan_free(&plan);

	req.options = UINT64_C(1) << 63;
	assert_int_equal(kx_file_plan_prepare(ctx, &req, &plan), -EINVAL);
	assert_non_null(strstr(logbuf, "unknown options"));
	snprintf(path, sizeof(path), "%s/sys/firmware/fdt", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease", root);
	unlink(path);
	kexec_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_ok),
		cmocka_unit_test(debug_flag_by_kernel),
		cmocka_unit_test(option_flags_by_kernel),
		cmocka_unit_test(plan_bad_inputs),
		cmocka_unit_test(plan_crash),
		cmocka_unit_test(reuse_cmdline),
		cmocka_unit_test(status_files),
		cmocka_unit_test(explain),
		cmocka_unit_test(explain_sim),
	};
	return cmocka_run_group_tests_name("file-load", tests, setup, teardown);
}
