/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public API as a program sees it: this file includes only <libkexec.h>
 * (and libc, cmocka, the synthetic bzImage of fake-bzimage.h) and is linked
 * against the shared library, so that it
 * sees exactly the exported, versioned symbols. header-beside-uapi.c, in the
 * same program, includes the header beside <linux/kexec.h> in both orders,
 * and defines the bare syscall names as programs do.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <libkexec.h>

#include "fake-bzimage.h"

/* From header-beside-uapi.c: programs define these themselves. */
long kexec_load(unsigned long entry, unsigned long nr, void *segs, unsigned long flags);
int beside_uapi_order(void);

static char logged[4096];

static void on_log(void *data, int priority, const char *msg)
{
	(void)data, (void)priority;
	snprintf(logged + strlen(logged), sizeof(logged) - strlen(logged), "%s\n", msg);
}

static void types_of_this_arch(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	LIBKEXEC_OPTS(kexec_image_type, t);
	LIBKEXEC_OPTS(kexec_image_type, alias);
	size_t n;

	(void)state;
	assert_non_null(ctx);
	n = kexec_image_type_count(ctx);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(kexec_image_type_get(ctx, i, &t), 0);
		assert_non_null(t.name);
		assert_non_null(t.summary);
	}
	assert_int_equal(kexec_image_type_get(ctx, n, &t), -ERANGE);
	assert_string_equal(kexec_arch_name(kexec_ctx_get_arch(ctx)),
			    kexec_arch_name(kexec_native_arch()));
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_AARCH64), 0);
	assert_int_equal(kexec_image_type_get(ctx, 0, &t), 0);
	assert_string_equal(t.name, "Image");
	/* By name or alias, in any case; another architecture's format is not there. */
	assert_int_equal(kexec_image_type_find(ctx, "image", &t), 0);
	assert_int_equal(kexec_image_type_find(ctx, "ARM64", &alias), 0);
	assert_string_equal(t.name, alias.name);
	assert_string_equal(t.name, "Image");
	assert_true(t.kexec_load);
	assert_int_equal(kexec_image_type_find(ctx, "bzImage", &t), -ENOENT);
	assert_int_equal(kexec_image_type_find(ctx, NULL, &t), -ENOENT);
	/* Filled up to the caller's sz: an older, shorter structure keeps its neighbours. */
	{
		struct {
			struct kexec_image_type t;
			uint8_t canary[8];
		} s;

		memset(&s, 0x5a, sizeof(s));
		s.t.sz = offsetof(struct kexec_image_type, summary);
		assert_int_equal(kexec_image_type_get(ctx, 0, &s.t), 0);
		assert_string_equal(s.t.name, "Image");
		assert_int_equal(((uint8_t *)&s.t)[offsetof(struct kexec_image_type, summary)], 0x5a);
		assert_int_equal(s.canary[0], 0x5a);
	}
	kexec_ctx_free(ctx);
}

/* LIBKEXEC_OPTS zeroes every byte, padding too, whatever the stack held. */
static void __attribute__((noinline)) dirty_stack(void)
{
	volatile uint8_t junk[4096];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

static void __attribute__((noinline)) check_opts_zeroed(void)
{
	LIBKEXEC_OPTS(kexec_request, req, .syscall = LIBKEXEC_SYSCALL_LOAD, .crash = true);
	const uint8_t *b = (const uint8_t *)&req;
	size_t nonzero = 0;

	assert_int_equal(req.sz, sizeof(req));
	for (size_t i = offsetof(struct kexec_request, kernel); i < sizeof(req); i++)
		nonzero += b[i] != 0 && i != offsetof(struct kexec_request, crash);
	assert_int_equal(nonzero, 0);
}

static void opts_zero_everything(void **state)
{
	(void)state;
	dirty_stack();
	check_opts_zeroed();
}

/* A file to plan from: a synthetic bzImage or a few words; the path is the caller's. */
static void write_file(char *tmpl, const void *data, size_t len)
{
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* A request of sz bytes from a newer header, or an unset one: the library says which. */
static void requests_have_a_size(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_plan *plan = (struct kexec_plan *)&plan;
	char path[] = "/tmp/libkexec-api-XXXXXX";
	struct {
		struct kexec_request req;
		uint64_t newer_field;
	} big;

	(void)state;
	write_file(path, "not a kernel", 12);
	kexec_ctx_set_log(ctx, on_log, NULL);
	assert_string_equal(kexec_ctx_last_error(ctx), "");
	{
		LIBKEXEC_OPTS(kexec_request, req, .syscall = LIBKEXEC_SYSCALL_LOAD, .kernel = path);

		logged[0] = '\0';
		assert_int_equal(kexec_plan_new(ctx, &req, &plan), -ENOEXEC);
		assert_null(plan);
		assert_non_null(strstr(logged, path));
		/* The one error channel: the context holds the message the log got. */
		assert_non_null(strstr(kexec_ctx_last_error(ctx), path));
		assert_non_null(strstr(kexec_ctx_last_error(ctx), "not a kernel image"));
	}
	{
		/* sz unset: refused, saying how to set it. */
		struct kexec_request req = { .syscall = LIBKEXEC_SYSCALL_LOAD, .kernel = path };

		assert_int_equal(kexec_plan_new(ctx, &req, &plan), -EINVAL);
		assert_non_null(strstr(kexec_ctx_last_error(ctx), "LIBKEXEC_OPTS"));
	}
	{
		/* No system call named, or a kexec_load field for kexec_file_load. */
		LIBKEXEC_OPTS(kexec_request, none, .kernel = path);
		LIBKEXEC_OPTS(kexec_request, mixed, .syscall = LIBKEXEC_SYSCALL_FILE_LOAD,
			      .kernel = path, .no_checks = true);

		assert_int_equal(kexec_plan_new(ctx, &none, &plan), -EINVAL);
		assert_non_null(strstr(kexec_ctx_last_error(ctx), "syscall"));
		assert_int_equal(kexec_plan_new(ctx, &mixed, &plan), -EINVAL);
		assert_non_null(strstr(kexec_ctx_last_error(ctx), "no_checks (-i)"));
	}
	/* From a newer header: unknown fields zero are fine, set ones refused. */
	memset(&big, 0, sizeof(big));
	big.req.sz = sizeof(big);
	big.req.syscall = LIBKEXEC_SYSCALL_LOAD;
	big.req.kernel = path;
	assert_int_equal(kexec_plan_new(ctx, &big.req, &plan), -ENOEXEC);
	big.newer_field = 1;
	assert_int_equal(kexec_plan_new(ctx, &big.req, &plan), -E2BIG);
	assert_non_null(strstr(kexec_ctx_last_error(ctx), "does not know"));
	unlink(path);
	kexec_ctx_free(ctx);
}

/* A context that plans x86_64 loads on the fixture machine, against a simulated kernel. */
static struct kexec_ctx *sim_ctx(struct kexec_sim **sim)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	*sim = kexec_sim_new();
	assert_non_null(ctx);
	assert_non_null(*sim);
	assert_int_equal(kexec_ctx_set_root(ctx, FIXTURES_DIR "/x86-bios"), 0);
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_X86_64), 0);
	kexec_ctx_use_sim(ctx, *sim);
	kexec_ctx_set_log(ctx, on_log, NULL);
	return ctx;
}

/* A kexec_file_load plan, read through the accessors, shared and loaded. */
static void file_plan(void **state)
{
	struct kexec_sim *sim;
	struct kexec_ctx *ctx = sim_ctx(&sim);
	static uint8_t b[FAKE_SIZE];
	char kernel[] = "/tmp/libkexec-api-XXXXXX";
	LIBKEXEC_OPTS(kexec_request, req, .syscall = LIBKEXEC_SYSCALL_FILE_LOAD, .kernel = kernel,
		      .cmdline = "console=ttyS0");
	LIBKEXEC_OPTS(kexec_image_info, info);
	LIBKEXEC_OPTS(kexec_image_layers, layers);
	LIBKEXEC_OPTS(kexec_plan_files, files);
	LIBKEXEC_OPTS(kexec_plan_segment, seg);
	struct kexec_plan *plan, *again;

	(void)state;
	fake_bzimage(b);
	write_file(kernel, b, sizeof(b));
	assert_int_equal(kexec_plan_new(ctx, &req, &plan), 0);
	assert_int_equal(kexec_plan_syscall(plan), LIBKEXEC_SYSCALL_FILE_LOAD);
	assert_int_equal(kexec_plan_image(plan, &info), 0);
	assert_string_equal(info.format, "bzImage");
	assert_string_equal(info.kernel_version, "6.1.0-fake");
	assert_int_equal(kexec_plan_layers(plan, &layers), 0);
	assert_int_equal(layers.nr_layers, 0);
	assert_string_equal(kexec_plan_cmdline(plan), "console=ttyS0");
	assert_true(kexec_plan_flags(plan) & KEXEC_FILE_NO_INITRAMFS);
	assert_int_equal(kexec_plan_files(plan, &files), 0);
	assert_string_equal(files.kernel_path, kernel);
	assert_int_equal(files.kernel_size, sizeof(b));
	assert_true(files.kernel_fd >= 0);
	assert_int_equal(files.initrd_fd, -1);
	assert_null(files.initrd_path);
	assert_int_equal(kexec_plan_nr_segments(plan), 0);
	assert_int_equal(kexec_plan_segment(plan, 0, &seg), -ERANGE);
	/* Two owners: the first unref leaves a working plan. */
	again = kexec_plan_ref(plan);
	assert_ptr_equal(again, plan);
	assert_null(kexec_plan_unref(plan));
	assert_int_equal(kexec_plan_load(ctx, again), 0);
	assert_true(kexec_sim_loaded(sim, false));
	assert_null(kexec_plan_unref(again));
	assert_null(kexec_plan_unref(NULL));
	unlink(kernel);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/* A kexec_load plan: its segments as the simulated kernel then holds them. */
static void load_plan(void **state)
{
	struct kexec_sim *sim;
	struct kexec_ctx *ctx = sim_ctx(&sim);
	static uint8_t b[FAKE_SIZE], seen[FAKE_SIZE];
	char kernel[] = "/tmp/libkexec-api-XXXXXX", initrd[] = "/tmp/libkexec-api-XXXXXX";
	char *cmdline = strdup("console=ttyS0");
	LIBKEXEC_OPTS(kexec_request, req, .syscall = LIBKEXEC_SYSCALL_LOAD, .kernel = kernel,
		      .initrd = initrd, .cmdline = cmdline, .segment_digests = true);
	LIBKEXEC_OPTS(kexec_plan_files, files);
	LIBKEXEC_OPTS(kexec_plan_segment, seg);
	unsigned int roles = 0;
	struct kexec_plan *plan;
	size_t n;

	(void)state;
	fake_bzimage(b);
	write_file(kernel, b, sizeof(b));
	write_file(initrd, "an initrd, in a few bytes", 25);
	assert_int_equal(kexec_plan_new(ctx, &req, &plan), 0);
	/* The plan keeps its own copies: the caller's strings may go. */
	memset(cmdline, 'x', strlen(cmdline));
	free(cmdline);
	assert_string_equal(kexec_plan_cmdline(plan), "console=ttyS0");
	assert_int_equal(kexec_plan_syscall(plan), LIBKEXEC_SYSCALL_LOAD);
	assert_true(kexec_plan_entry(plan) != 0);
	assert_int_equal(kexec_plan_flags(plan) & 0xffff0000UL, KEXEC_ARCH_X86_64);
	assert_int_equal(kexec_plan_files(plan, &files), 0);
	assert_string_equal(files.initrd_path, initrd);
	assert_int_equal(files.initrd_size, 25);
	assert_int_equal(files.kernel_fd, -1);
	n = kexec_plan_nr_segments(plan);
	assert_true(n >= 4);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(kexec_plan_segment(plan, i, &seg), 0);
		assert_non_null(kexec_segment_role_name(seg.role));
		assert_true(seg.have_sha256);
		assert_int_equal(seg.mem % 4096, 0);
		assert_true(seg.memsz >= seg.bufsz);
		roles |= 1u << seg.role;
	}
	assert_int_equal(roles, 1u << LIBKEXEC_SEGMENT_KERNEL | 1u << LIBKEXEC_SEGMENT_INITRD |
				1u << LIBKEXEC_SEGMENT_BOOT_PARAMS | 1u << LIBKEXEC_SEGMENT_PURGATORY);
	assert_null(kexec_segment_role_name((enum kexec_segment_role)99));
	assert_int_equal(kexec_plan_load(ctx, plan), 0);
	/* What the simulated kernel copied is what the accessor showed. */
	for (size_t i = 0; i < n; i++) {
		kexec_plan_segment(plan, i, &seg);
		if (seg.role != LIBKEXEC_SEGMENT_INITRD)
			continue;
		assert_int_equal(kexec_sim_read(sim, false, seg.mem, seen, seg.bufsz), 0);
		assert_memory_equal(seen, seg.buf, seg.bufsz);
	}
	assert_int_equal(kexec_sim_entry(sim, false), kexec_plan_entry(plan));
	kexec_plan_unref(plan);
	unlink(kernel);
	unlink(initrd);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

/* The kernel's checks, for a caller's own segments: the reason in its buffer. */
static void validate_segments(void **state)
{
	LIBKEXEC_OPTS(kexec_limits, lim);
	struct kexec_segment seg = { .buf = NULL, .bufsz = 0, .mem = (void *)0x100001,
				     .memsz = 4096 };
	char why[128];
	int bad;

	(void)state;
	assert_int_equal(kexec_limits_native(&lim), 0);
	assert_int_equal(lim.native_arch, kexec_native_arch());
	assert_int_equal(kexec_validate(&lim, 0x100000, 1, &seg, KEXEC_ARCH_DEFAULT, why,
					sizeof(why), &bad),
			 -EADDRNOTAVAIL);
	assert_int_equal(bad, 0);
	assert_true(why[0] != '\0');
	seg.mem = (void *)0x100000;
	assert_int_equal(kexec_validate(&lim, 0x100000, 1, &seg, KEXEC_ARCH_DEFAULT, why,
					sizeof(why), &bad),
			 0);
	assert_int_equal(bad, -1);
	lim.sz = 0;
	assert_int_equal(kexec_limits_native(&lim), -EINVAL);
}

static void simulated_syscalls(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_sim *sim = kexec_sim_new();

	(void)state;
	kexec_ctx_use_sim(ctx, sim);
	assert_true(kexec_ctx_is_simulated(ctx));
	/* Nothing loaded: reboot is EINVAL; an unload is fine. */
	assert_int_equal(kexec_do_reboot(ctx), -EINVAL);
	assert_int_equal(kexec_do_load(ctx, 0, 0, NULL, 0), 0);
	assert_int_equal(kexec_sim_calls(sim), 2);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

static void beside_uapi(void **state)
{
	(void)state;
	/* The program's own kexec_load(), not the library's: no clash. */
	assert_int_equal(kexec_load(0, 0, NULL, 0), 42);
	assert_int_equal(beside_uapi_order(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(types_of_this_arch),
		cmocka_unit_test(opts_zero_everything),
		cmocka_unit_test(requests_have_a_size),
		cmocka_unit_test(file_plan),
		cmocka_unit_test(load_plan),
		cmocka_unit_test(validate_segments),
		cmocka_unit_test(simulated_syscalls),
		cmocka_unit_test(beside_uapi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
