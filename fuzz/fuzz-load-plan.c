/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole load plans from hostile kernel bytes: the input is the kernel file
 * (a bzImage or an ELF vmlinux, detected as the command does), /proc and /sys
 * are the x86-bios fixture. Both planners run: kx_load_plan_prepare() and
 * kx_file_plan_prepare(), then a kdump plan through kexec_load on the
 * crash-x86_64 fixture. A plan they accept is loaded into the simulated
 * kernel, which must accept it too; nothing reaches a real kernel.
 */
#include <sys/mman.h>

#include "fuzz-common.h"

static int kernel_fd = -1;
static char kernel_path[64], initrd_path[64];

static void init(void)
{
	static const char initrd[] = "070701 an initramfs, as far as anyone checks";
	int fd;

	if (kernel_fd >= 0)
		return;
	kernel_fd = memfd_create("fuzz-kernel", MFD_CLOEXEC);
	FUZZ_CHECK(kernel_fd >= 0);
	snprintf(kernel_path, sizeof(kernel_path), "/proc/self/fd/%d", kernel_fd);
	fd = memfd_create("fuzz-initrd", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, initrd, sizeof(initrd)) == (ssize_t)sizeof(initrd));
	snprintf(initrd_path, sizeof(initrd_path), "/proc/self/fd/%d", fd);
}

static struct kexec_sim *new_sim(void)
{
	struct kexec_sim *sim = kexec_sim_new();

	FUZZ_CHECK(sim != NULL);
	/*
	 * The planner knows the firmware's RAM but not totalram_pages, so it
	 * cannot apply the kernel's "at most half of RAM" rule (reported in
	 * tests/bad-inputs: initrd-over-half-ram); everything else must hold.
	 */
	kexec_sim_config(sim)->limits.totalram_pages = 0;
	return sim;
}

static void load_plan(struct kexec_ctx *ctx, bool crash)
{
	struct kx_load_request req = {
		.sz = sizeof(struct kx_load_request), .kernel = kernel_path,
		.initrd = initrd_path,
		.cmdline = "console=ttyS0 quiet",
		.crash = crash,
	};
	struct kx_load_plan plan;
	struct kexec_sim *sim;
	bool entry_in_segment = false;
	uint64_t start, end;

	if (kx_load_plan_prepare(ctx, &req, &plan) < 0)
		return;
	FUZZ_CHECK(!!(plan.flags & KEXEC_ON_CRASH) == crash);
	FUZZ_CHECK(plan.segs.nr >= 3 && plan.segs.nr <= KEXEC_SEGMENT_MAX);
	FUZZ_CHECK(plan.format != NULL);
	for (size_t i = 0; i < plan.segs.nr; i++) {
		const struct kexec_segment *s = &plan.segs.seg[i];
		uint64_t mem = (uintptr_t)s->mem;

		FUZZ_CHECK(kexec_segment_role_name(plan.info[i].role) != NULL);
		FUZZ_CHECK(s->bufsz <= s->memsz);
		if (plan.entry >= mem && plan.entry - mem < s->memsz)
			entry_in_segment = true;
	}
	/* The entry is the purgatory's, inside a segment we load. */
	FUZZ_CHECK(entry_in_segment);

	sim = new_sim();
	if (crash) {
		struct kexec_limits *lim = &kexec_sim_config(sim)->limits;

		/* The simulated kernel reserves what the fixture's /proc/iomem says. */
		FUZZ_CHECK(kexec_find_crash_region(ctx, &start, &end) == 0);
		lim->has_crash_region = true;
		lim->crash_start = start;
		lim->crash_end = end;
	}
	kexec_ctx_use_sim(ctx, sim);
	FUZZ_CHECK(kx_load_plan_load(ctx, &plan) == 0);
	/* What the simulated kernel holds is what the plan said. */
	for (size_t i = 0; i < plan.segs.nr; i++) {
		const struct kexec_segment *s = &plan.segs.seg[i];
		uint8_t got[64];
		size_t n = s->bufsz < sizeof(got) ? s->bufsz : sizeof(got);

		if (!n)
			continue;
		FUZZ_CHECK(kexec_sim_read(sim, crash, (uintptr_t)s->mem, got, n) == 0);
		FUZZ_CHECK(!memcmp(got, s->buf, n));
		FUZZ_CHECK(kexec_sim_read(sim, crash, (uintptr_t)s->mem + s->bufsz - n, got, n) == 0);
		FUZZ_CHECK(!memcmp(got, (const uint8_t *)s->buf + s->bufsz - n, n));
	}
	FUZZ_CHECK(kexec_sim_entry(sim, crash) == plan.entry);
	kexec_ctx_use_sim(ctx, NULL);
	kexec_sim_free(sim);
	kx_load_plan_free(&plan);
}

static void file_plan(struct kexec_ctx *ctx, size_t size)
{
	struct kx_file_request req = {
		.sz = sizeof(struct kx_file_request), .kernel = kernel_path,
		.initrd = initrd_path,
		.cmdline = "console=ttyS0",
	};
	struct kx_file_plan plan;
	struct kexec_sim *sim;
	size_t ksize;

	if (kx_file_plan_prepare(ctx, &req, &plan) < 0)
		return;
	FUZZ_CHECK(plan.kernel_size == size);
	FUZZ_CHECK(plan.cmdline_len == strlen(plan.cmdline) + 1);
	sim = new_sim();
	kexec_ctx_use_sim(ctx, sim);
	FUZZ_CHECK(kx_file_plan_load(ctx, &plan) == 0);
	FUZZ_CHECK(kexec_sim_file_image(sim, false, NULL, &ksize, NULL, NULL, NULL) == 0);
	FUZZ_CHECK(ksize == size);
	kexec_ctx_use_sim(ctx, NULL);
	kexec_sim_free(sim);
	kx_file_plan_free(&plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kexec_ctx *ctx;

	init();
	FUZZ_CHECK(ftruncate(kernel_fd, 0) == 0);
	FUZZ_CHECK(size == 0 || pwrite(kernel_fd, data, size, 0) == (ssize_t)size);
	ctx = fuzz_ctx(FIXTURES_DIR "/x86-bios");
	load_plan(ctx, false);
	file_plan(ctx, size);
	kexec_ctx_free(ctx);
	/* kdump through kexec_load: everything inside the fixture's crash reservation. */
	ctx = fuzz_ctx(FIXTURES_DIR "/crash-x86_64");
	load_plan(ctx, true);
	kexec_ctx_free(ctx);
	return 0;
}
