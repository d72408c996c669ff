/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated kernel: both syscalls' documented semantics, through a context. */
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

#include "libkexec.h"
#include "fake-bzimage.h"

struct fx {
	struct kexec_ctx *ctx;
	struct kexec_sim *sim;
	struct kexec_sim_config *cfg;
};

static int setup(void **state)
{
	static struct fx fx;

	fx.ctx = kexec_ctx_new();
	fx.sim = kexec_sim_new();
	assert_non_null(fx.ctx);
	assert_non_null(fx.sim);
	fx.cfg = kexec_sim_config(fx.sim);
	fx.cfg->limits.has_crash_region = true;
	fx.cfg->limits.crash_start = 0x30000000;
	fx.cfg->limits.crash_end = 0x3fffffff;
	kexec_ctx_use_sim(fx.ctx, fx.sim);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	kexec_ctx_free(fx->ctx);
	kexec_sim_free(fx->sim);
	return 0;
}

static struct kexec_segment seg(const void *buf, size_t bufsz, uint64_t mem, size_t memsz)
{
	return (struct kexec_segment){ buf, bufsz, (const void *)(uintptr_t)mem, memsz };
}

static void selected_only_explicitly(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	(void)state;
	assert_false(kexec_ctx_is_simulated(ctx));
	kexec_ctx_free(ctx);
}

static void load_copies_and_zero_fills(void **state)
{
	struct fx *fx = *state;
	uint8_t data[5000], out[8192];
	struct kexec_segment s[2];

	memset(data, 0xab, sizeof(data));
	s[0] = seg(data, sizeof(data), 0x100000, 0x2000);
	s[1] = seg("xyz", 3, 0x200000, 0x1000);
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 2, s, KEXEC_ARCH_DEFAULT), 0);
	assert_true(kexec_sim_loaded(fx->sim, false));
	assert_int_equal(kexec_status_loaded(fx->ctx, false), 1);
	assert_int_equal(kexec_status_loaded(fx->ctx, true), 0);
	assert_int_equal(kexec_sim_entry(fx->sim, false), 0x100000);

	memset(out, 0x55, sizeof(out));
	assert_int_equal(kexec_sim_read(fx->sim, false, 0x100000, out, 0x2000), 0);
	assert_memory_equal(out, data, sizeof(data));
	for (size_t i = sizeof(data); i < 0x2000; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(kexec_sim_read(fx->sim, false, 0x200000, out, 4), 0);
	assert_memory_equal(out, "xyz\0", 4);
	/* Not covered by any segment. */
	assert_int_equal(kexec_sim_read(fx->sim, false, 0x102000, out, 1), -EFAULT);
	/* Sparse: only the bytes given are stored. */
	assert_int_equal(kexec_sim_pages(fx->sim, false), 3);
	/* The caller's buffer was copied at load time. */
	memset(data, 0, sizeof(data));
	assert_int_equal(kexec_sim_read(fx->sim, false, 0x100000, out, 1), 0);
	assert_int_equal(out[0], 0xab);
}

static void unload(void **state)
{
	struct fx *fx = *state;
	struct kexec_segment s[1] = { seg("a", 1, 0x100000, 0x1000) };

	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0), 0);
	assert_int_equal(kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_LOAD), 0);
	assert_false(kexec_sim_loaded(fx->sim, false));
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0), 0);
	assert_int_equal(kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_FILE_LOAD), 0);
	assert_false(kexec_sim_loaded(fx->sim, false));
}

static void normal_and_crash_are_separate(void **state)
{
	struct fx *fx = *state;
	struct kexec_segment n[1] = { seg("n", 1, 0x100000, 0x1000) };
	struct kexec_segment c[1] = { seg("c", 1, 0x30000000, 0x1000) };
	uint8_t b;

	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, n, 0), 0);
	assert_int_equal(kexec_do_load(fx->ctx, 0x30000000, 1, c, KEXEC_ON_CRASH), 0);
	assert_int_equal(kexec_status_loaded(fx->ctx, true), 1);
	assert_int_equal(kexec_sim_read(fx->sim, true, 0x30000000, &b, 1), 0);
	assert_int_equal(b, 'c');
	assert_int_equal(kexec_unload(fx->ctx, true, LIBKEXEC_SYSCALL_LOAD), 0);
	assert_false(kexec_sim_loaded(fx->sim, true));
	assert_true(kexec_sim_loaded(fx->sim, false));
	kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_LOAD);
}

static void failed_crash_load_frees_old_crash_image(void **state)
{
	struct fx *fx = *state;
	struct kexec_segment c[1] = { seg("c", 1, 0x30000000, 0x1000) };
	struct kexec_segment bad[1] = { seg("c", 1, 0x20000000, 0x1000) };
	struct kexec_segment n[1] = { seg("n", 1, 0x100000, 0x1000) };
	struct kexec_segment nbad[1] = { seg("n", 1, 0x100800, 0x1000) };

	assert_int_equal(kexec_do_load(fx->ctx, 0x30000000, 1, c, KEXEC_ON_CRASH), 0);
	assert_int_equal(kexec_do_load(fx->ctx, 0x30000000, 1, bad, KEXEC_ON_CRASH), -EADDRNOTAVAIL);
	assert_false(kexec_sim_loaded(fx->sim, true));
	/* A failed normal load keeps the loaded normal image. */
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, n, 0), 0);
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, nbad, 0), -EADDRNOTAVAIL);
	assert_true(kexec_sim_loaded(fx->sim, false));
	kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_LOAD);
}

static void permissions(void **state)
{
	struct fx *fx = *state;
	struct kexec_segment s[1] = { seg("a", 1, 0x100000, 0x1000) };

	fx->cfg->cap_sys_boot = false;
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0), -EPERM);
	assert_int_equal(kexec_do_file_load(fx->ctx, -1, -1, 0, NULL, KEXEC_FILE_UNLOAD), -EPERM);
	assert_int_equal(kexec_do_reboot(fx->ctx), -EPERM);
	fx->cfg->cap_sys_boot = true;

	fx->cfg->load_disabled = true;
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0), -EPERM);
	fx->cfg->load_disabled = false;

	/* Lockdown refuses kexec_load, even when everything else is wrong too. */
	fx->cfg->lockdown = true;
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0x20), -EPERM);
	fx->cfg->lockdown = false;
	/* Permission comes before flags. */
	fx->cfg->cap_sys_boot = false;
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0x20), -EPERM);
	fx->cfg->cap_sys_boot = true;
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0x20), -EINVAL);
}

static void load_limit_counts_every_call(void **state)
{
	struct fx *fx = *state;
	struct kexec_segment s[1] = { seg("a", 1, 0x100000, 0x1000) };
	struct kexec_segment bad[1] = { seg("a", 1, 0x100800, 0x1000) };

	fx->cfg->load_limit_reboot = 2;
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, bad, 0), -EADDRNOTAVAIL);
	assert_int_equal(kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_LOAD), 0);
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0), -EPERM);
	/* The panic counter is separate. */
	assert_int_equal(kexec_unload(fx->ctx, true, LIBKEXEC_SYSCALL_LOAD), 0);
	fx->cfg->load_limit_reboot = -1;
}

static void busy_and_enosys(void **state)
{
	struct fx *fx = *state;
	struct kexec_segment s[1] = { seg("a", 1, 0x100000, 0x1000) };

	fx->cfg->busy = true;
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0), -EBUSY);
	assert_int_equal(kexec_unload(fx->ctx, true, LIBKEXEC_SYSCALL_FILE_LOAD), -EBUSY);
	/* Flags are checked before the lock. */
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0x20), -EINVAL);
	fx->cfg->busy = false;
	fx->cfg->have_kexec_file_load = false;
	assert_int_equal(kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_FILE_LOAD), -ENOSYS);
	fx->cfg->have_kexec_file_load = true;
	fx->cfg->have_kexec_load = false;
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0), -ENOSYS);
	fx->cfg->have_kexec_load = true;
}

/*
 * The simulated kernel's release decides which newer flags it takes, as the
 * kernel's KEXEC_FLAGS and KEXEC_FILE_FLAGS do: KEXEC_FILE_DEBUG from 6.8,
 * KEXEC_FILE_NO_CMA from 6.17, KEXEC_FILE_FORCE_DTB from 6.18, KEXEC_DEBUG
 * after 7.3 (no release up to 7.3 takes it); 0.0 is the newest release
 * known (7.3), as kexec_validate() is.
 */
static void flags_by_release(void **state)
{
	struct fx *fx = *state;
	struct kexec_segment s[1] = { seg("a", 1, 0x100000, 0x1000) };
	static const struct {
		unsigned major, minor;
		unsigned long file_flags, load_flags; /* taken; the others of each are EINVAL */
	} rel[] = {
		{ 6, 1, 0, 0 },
		{ 6, 8, KEXEC_FILE_DEBUG, 0 },
		{ 6, 17, KEXEC_FILE_DEBUG | KEXEC_FILE_NO_CMA, 0 },
		{ 6, 18, KEXEC_FILE_DEBUG | KEXEC_FILE_NO_CMA | KEXEC_FILE_FORCE_DTB, 0 },
		{ 7, 3, KEXEC_FILE_DEBUG | KEXEC_FILE_NO_CMA | KEXEC_FILE_FORCE_DTB, 0 },
		{ 7, 4, KEXEC_FILE_DEBUG | KEXEC_FILE_NO_CMA | KEXEC_FILE_FORCE_DTB, KEXEC_DEBUG },
		{ 0, 0, KEXEC_FILE_DEBUG | KEXEC_FILE_NO_CMA | KEXEC_FILE_FORCE_DTB, 0 },
	};
	const unsigned long file_new[] = { KEXEC_FILE_DEBUG, KEXEC_FILE_NO_CMA, KEXEC_FILE_FORCE_DTB };

	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		fx->cfg->kernel_major = rel[i].major;
		fx->cfg->kernel_minor = rel[i].minor;
		for (size_t f = 0; f < 3; f++)
			assert_int_equal(kexec_do_file_load(fx->ctx, -1, -1, 0, NULL,
							    KEXEC_FILE_UNLOAD | file_new[f]),
					 (rel[i].file_flags & file_new[f]) ? 0 : -EINVAL);
		assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, KEXEC_DEBUG),
				 rel[i].load_flags ? 0 : -EINVAL);
	}
	fx->cfg->kernel_major = fx->cfg->kernel_minor = 0;
	kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_FILE_LOAD);
}

static void reboot_needs_a_loaded_image(void **state)
{
	struct fx *fx = *state;
	struct kexec_segment s[1] = { seg("a", 1, 0x100000, 0x1000) };
	unsigned calls = kexec_sim_calls(fx->sim);

	assert_int_equal(kexec_do_reboot(fx->ctx), -EINVAL);
	assert_false(kexec_sim_executed(fx->sim));
	assert_int_equal(kexec_do_load(fx->ctx, 0x100000, 1, s, 0), 0);
	assert_int_equal(kexec_do_reboot(fx->ctx), 0);
	assert_true(kexec_sim_executed(fx->sim));
	assert_int_equal(kexec_sim_calls(fx->sim), calls + 3);
	kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_LOAD);
}

static int open_file(const void *data, size_t len, char *path)
{
	int fd;

	strcpy(path, "/tmp/kxsim-XXXXXX");
	assert_int_equal(fake_write(path, data, len), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	return fd;
}

static void file_load(void **state)
{
	struct fx *fx = *state;
	static uint8_t img[FAKE_SIZE];
	char kp[32], ip[32], ep[32];
	const void *k, *i;
	size_t ks, is;
	const char *cmd;
	int kfd, ifd, efd, dfd;

	fake_bzimage(img);
	kfd = open_file(img, sizeof(img), kp);
	ifd = open_file("initrd!", 7, ip);
	efd = open_file(NULL, 0, ep);

	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, ifd, 6, "a b=c", 0), 0);
	assert_int_equal(kexec_sim_file_image(fx->sim, false, &k, &ks, &i, &is, &cmd), 0);
	assert_int_equal(ks, sizeof(img));
	assert_memory_equal(k, img, sizeof(img));
	assert_int_equal(is, 7);
	assert_memory_equal(i, "initrd!", 7);
	assert_string_equal(cmd, "a b=c");

	/* The command line must be NUL-terminated within cmdline_len. */
	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, ifd, 5, "a b=c", 0), -EINVAL);
	/* Room for elfcorehdr=: cmdline_len + 30 <= cmdline_size (2048). */
	{
		static char big[2048];

		memset(big, 'x', sizeof(big));
		big[2018] = '\0';
		assert_int_equal(kexec_do_file_load(fx->ctx, kfd, -1, 2019, big, KEXEC_FILE_NO_INITRAMFS),
				 -EINVAL);
		big[2017] = '\0';
		assert_int_equal(kexec_do_file_load(fx->ctx, kfd, -1, 2018, big, KEXEC_FILE_NO_INITRAMFS),
				 0);
	}
	/* Empty file, not a regular file, bad fd, no initrd without NO_INITRAMFS. */
	assert_int_equal(kexec_do_file_load(fx->ctx, efd, -1, 0, NULL, KEXEC_FILE_NO_INITRAMFS), -EINVAL);
	dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	assert_int_equal(kexec_do_file_load(fx->ctx, dfd, -1, 0, NULL, KEXEC_FILE_NO_INITRAMFS), -EINVAL);
	assert_int_equal(kexec_do_file_load(fx->ctx, 1000, -1, 0, NULL, KEXEC_FILE_NO_INITRAMFS), -EBADF);
	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, -1, 0, NULL, 0), -EBADF);
	/* Not a kernel: the x86_64 probe says ENOEXEC. */
	assert_int_equal(kexec_do_file_load(fx->ctx, ifd, -1, 0, NULL, KEXEC_FILE_NO_INITRAMFS),
			 -ENOEXEC);
	/* Illegal flags. */
	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, -1, 0, NULL, 0x1000), -EINVAL);
	/* Unsigned image under lockdown, and with enforced signatures. */
	fx->cfg->lockdown = true;
	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, -1, 0, NULL, KEXEC_FILE_NO_INITRAMFS), -EPERM);
	fx->cfg->lockdown = false;
	fx->cfg->sig_enforce = true;
	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, -1, 0, NULL, KEXEC_FILE_NO_INITRAMFS), -ENODATA);
	fx->cfg->sig_enforce = false;

	/* Crash: the reservation must hold init_size + initrd. */
	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, ifd, 0, NULL, KEXEC_FILE_ON_CRASH), 0);
	assert_true(kexec_sim_loaded(fx->sim, true));
	fx->cfg->limits.crash_end = fx->cfg->limits.crash_start + 0x1000000 - 1; /* 16 MiB */
	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, ifd, 0, NULL, KEXEC_FILE_ON_CRASH),
			 -EADDRNOTAVAIL);
	assert_false(kexec_sim_loaded(fx->sim, true)); /* the old one is gone */
	fx->cfg->limits.has_crash_region = false;
	assert_int_equal(kexec_do_file_load(fx->ctx, kfd, ifd, 0, NULL, KEXEC_FILE_ON_CRASH),
			 -EADDRNOTAVAIL);
	fx->cfg->limits.has_crash_region = true;
	fx->cfg->limits.crash_end = 0x3fffffff;

	assert_int_equal(kexec_unload(fx->ctx, false, LIBKEXEC_SYSCALL_FILE_LOAD), 0);
	assert_false(kexec_sim_loaded(fx->sim, false));
	close(kfd);
	close(ifd);
	close(efd);
	close(dfd);
	unlink(kp);
	unlink(ip);
	unlink(ep);
}

/*
 * A simulator like a machine whose crash reservation has a size but no
 * address to read (a non-root /proc/iomem): the facts it cannot read are
 * unknowns, not errors, also after kexec_status_get has run inside it.
 */
static void like_machine_reads_quietly(void **state)
{
	char root[] = "/tmp/libkexec-like-XXXXXX", path[256], cmd[300];
	struct kexec_ctx *ctx = kexec_ctx_new();
	struct kexec_sim *sim = kexec_sim_new();
	struct kexec_sim_config *cfg = kexec_sim_config(sim);
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sys/kernel %s/proc", root, root);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/sys/kernel/kexec_crash_size", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("268435456\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/proc/iomem", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("00000000-00000000 : System RAM\n00000000-00000000 : Crash kernel\n", f);
	fclose(f);
	assert_int_equal(kexec_ctx_set_root(ctx, root), 0);
	assert_int_equal(kexec_sim_like_machine(sim, ctx), 0);
	/* The size stands for the hidden address; nothing counts as an error. */
	assert_true(cfg->limits.has_crash_region);
	assert_int_equal(cfg->limits.crash_end - cfg->limits.crash_start + 1, 268435456);
	assert_string_equal(kexec_ctx_last_error(ctx), "");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(selected_only_explicitly),
		cmocka_unit_test(load_copies_and_zero_fills),
		cmocka_unit_test(unload),
		cmocka_unit_test(normal_and_crash_are_separate),
		cmocka_unit_test(failed_crash_load_frees_old_crash_image),
		cmocka_unit_test(permissions),
		cmocka_unit_test(load_limit_counts_every_call),
		cmocka_unit_test(busy_and_enosys),
		cmocka_unit_test(flags_by_release),
		cmocka_unit_test(reboot_needs_a_loaded_image),
		cmocka_unit_test(file_load),
		cmocka_unit_test(like_machine_reads_quietly),
	};
	return cmocka_run_group_tests_name("sim", tests, setup, teardown);
}
