/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public API as a program sees it: this file includes only <libkexec.h>
 * (and libc, cmocka) and is linked against the shared library, so that it
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
	const struct kexec_image_type *t;
	size_t n;

	(void)state;
	assert_non_null(ctx);
	n = kexec_image_types(ctx, &t);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].name);
		assert_non_null(t[i].summary);
	}
	assert_string_equal(kexec_arch_name(kexec_ctx_get_arch(ctx)),
			    kexec_arch_name(kexec_native_arch()));
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_AARCH64), 0);
	n = kexec_image_types(ctx, &t);
	assert_string_equal(t[0].name, "Image");
	/* By name or alias, in any case; another architecture's format is not there. */
	assert_non_null(kexec_image_type_find(ctx, "image"));
	assert_ptr_equal(kexec_image_type_find(ctx, "image"), kexec_image_type_find(ctx, "ARM64"));
	assert_string_equal(kexec_image_type_find(ctx, "arm64")->name, "Image");
	assert_true(kexec_image_type_find(ctx, "Image")->kexec_load);
	assert_null(kexec_image_type_find(ctx, "bzImage"));
	assert_null(kexec_image_type_find(ctx, NULL));
	kexec_ctx_free(ctx);
}

/* A request built with KEXEC_REQUEST reaches the simulator; a bad sz is refused. */
static void requests_have_a_size(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_load_plan plan;
	char path[] = "/tmp/libkexec-api-XXXXXX";
	int fd = mkstemp(path);
	struct {
		struct kexec_load_request req;
		uint64_t newer_field;
	} big;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a kernel", 12), 12);
	close(fd);
	kexec_ctx_set_log(ctx, on_log, NULL);

	{
		KEXEC_REQUEST(kexec_load_request, req, .kernel = path);

		logged[0] = '\0';
		assert_int_equal(kexec_load_plan_prepare(ctx, &req, &plan), -ENOEXEC);
		assert_non_null(strstr(logged, path));
		assert_non_null(strstr(logged, "not a kernel image"));
	}
	{
		/* sz unset: refused, saying how to set it. */
		struct kexec_load_request req = { .kernel = path };

		logged[0] = '\0';
		assert_int_equal(kexec_load_plan_prepare(ctx, &req, &plan), -EINVAL);
		assert_non_null(strstr(logged, "KEXEC_REQUEST"));
	}
	/* From a newer header: unknown fields zero are fine, set ones refused. */
	memset(&big, 0, sizeof(big));
	big.req.sz = sizeof(big);
	big.req.kernel = path;
	logged[0] = '\0';
	assert_int_equal(kexec_load_plan_prepare(ctx, &big.req, &plan), -ENOEXEC);
	big.newer_field = 1;
	logged[0] = '\0';
	assert_int_equal(kexec_load_plan_prepare(ctx, &big.req, &plan), -E2BIG);
	assert_non_null(strstr(logged, "does not know"));
	{
		KEXEC_REQUEST(kexec_file_request, freq, .kernel = path);
		struct kexec_file_plan fplan;

		assert_int_equal(kexec_file_plan_prepare(ctx, &freq, &fplan) < 0, 1);
	}
	unlink(path);
	kexec_ctx_free(ctx);
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
		cmocka_unit_test(requests_have_a_size),
		cmocka_unit_test(simulated_syscalls),
		cmocka_unit_test(beside_uapi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
