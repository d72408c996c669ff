/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kexec: a drop-in for kexec-tools' kexec(8) on top of libkexec. Thin: it
 * parses options, runs the steps in kexec-tools' order, and prints one line
 * per failure: "kexec: <what failed> <file>: <reason>".
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "libkexec.h"
#include "options.h"
#include "report.h"

/*
 * Errors of an attempt that may be followed by a fallback are held back: they
 * are printed only if there is no fallback, so a user sees one line per
 * failure, not the history of what was tried (that is what -d is for). The
 * line is the context's kexec_ctx_last_error().
 */
struct logstate {
	bool defer;
};

/* The last error line printed, for the "error" of a JSON plan (struct kx_run). */
static char last_error[8192];

static void log_stderr(void *data, int priority, const char *msg)
{
	struct logstate *ls = data;

	if (ls && ls->defer && priority <= LOG_ERR)
		return;
	if (priority <= LOG_ERR)
		snprintf(last_error, sizeof(last_error), "%s", msg);
	fprintf(stderr, "kexec: %s%s\n", priority >= LOG_DEBUG ? "debug: " : "", msg);
}

static struct logstate logstate;

/*
 * An input file could not be read (kexec-tools' slurp_file() dies: exit 1,
 * where a load the kernel or its checks refuse exits 255). Set when a
 * plan's preparation, which makes no syscall, fails on opening a file.
 */
static bool unreadable_input;

static bool file_access_errno(int r)
{
	return r == -ENOENT || r == -EACCES || r == -EISDIR || r == -ENOTDIR || r == -ELOOP ||
	       r == -ENAMETOOLONG || r == -ENXIO || r == -EPERM;
}

static const char *kexec_load_only_option(const struct kx_opts *o);

/* The one error line ("kexec: ..." on stderr), remembered for a JSON plan's "error". */
static __attribute__((format(printf, 1, 2))) void die_line(const char *fmt, ...)
{
	char *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	fprintf(stderr, "kexec: %s\n", line ? line : "out of memory");
	/* Debug lines and notes are not the error. */
	if (line && strncmp(line, "debug: ", 7) && strncmp(line, "note: ", 6))
		snprintf(last_error, sizeof(last_error), "%s", line);
	free(line);
}

/* "Operation not permitted: the kernel is locked down ..." */
static const char *why(struct kexec_ctx *ctx, enum kexec_op op, bool crash, int err, char *buf,
		       size_t len)
{
	char hint[512];

	kexec_explain(ctx, op, crash, err, hint, sizeof(hint));
	snprintf(buf, len, "%s%s%s", strerror(-err), hint[0] ? ": " : "", hint);
	return buf;
}

static int do_unload(struct kexec_ctx *ctx, const struct kx_opts *o)
{
	const char *what = o->crash ? "crash kernel" : "kernel";
	char buf[768];
	int r;

	/* -a: kexec_file_load's unload, then kexec_load's if the former is missing. */
	r = o->syscall == KX_SYSCALL_LOAD ? -ENOSYS
					  : kexec_unload(ctx, o->crash, LIBKEXEC_SYSCALL_FILE_LOAD);
	if (r == -ENOSYS && o->syscall != KX_SYSCALL_FILE) {
		r = kexec_unload(ctx, o->crash, LIBKEXEC_SYSCALL_LOAD);
		/* -a tried both: suggesting the other one would send the user in a circle. */
		if (r == -ENOSYS && o->syscall == KX_SYSCALL_AUTO) {
			die_line("cannot unload %s: the running kernel has neither kexec_file_load nor "
				 "kexec_load (built without CONFIG_KEXEC and CONFIG_KEXEC_FILE)",
				 what);
			return EXIT_LOAD_FAILED;
		}
		if (r < 0) {
			die_line("cannot unload %s: kexec_load: %s", what,
				 why(ctx, r == -ENOSYS ? LIBKEXEC_OP_LOAD : LIBKEXEC_OP_UNLOAD, o->crash, r,
				     buf, sizeof(buf)));
			return EXIT_LOAD_FAILED;
		}
		return 0;
	}
	if (r < 0) {
		/* -s: an ENOSYS is explained as kexec_file_load's (try -c), not as kexec_load's. */
		die_line("cannot unload %s: kexec_file_load: %s", what,
			 why(ctx, r == -ENOSYS ? LIBKEXEC_OP_FILE_LOAD : LIBKEXEC_OP_UNLOAD, o->crash, r,
			     buf, sizeof(buf)));
		return EXIT_LOAD_FAILED;
	}
	return 0;
}

/* The kernel's answers to an image whose signature it could not verify. */
static bool signature_errno(int r)
{
	return r == -EPERM || r == -EKEYREJECTED || r == -ENOKEY || r == -EBADMSG ||
	       r == -ENODATA || r == -ENOPKG;
}

/* Errors for which kexec_load may succeed where kexec_file_load did not. */
static bool fallback_errno(int r)
{
	return r == -ENOSYS || r == -EINVAL || r == -ENOEXEC || r == -EOPNOTSUPP;
}

/* The library's LIBKEXEC_OPT_* for the options given: the same for both syscalls. */
static uint64_t load_options(const struct kx_opts *o)
{
	return (o->no_cma ? LIBKEXEC_OPT_NO_CMA : 0) | (o->force_dtb ? LIBKEXEC_OPT_FORCE_DTB : 0) |
	       (o->debug ? LIBKEXEC_OPT_DEBUG : 0);
}

/* kexec_load: build, validate, then the syscall. Errors are printed here. */
static int load_with_kexec_load(struct kexec_ctx *ctx, const struct kx_opts *o,
				const char *cmdline, char *err, size_t errlen)
{
	LIBKEXEC_OPTS(kexec_request, req,
		.syscall = LIBKEXEC_SYSCALL_LOAD,
		.kernel = o->kernel,
		.initrd = o->initrd,
		.cmdline = cmdline,
		.type = o->type,
		.crash = o->crash,
		.no_checks = o->no_checks,
		.elf32_core_headers = o->elf32_core_headers,
		.elf64_core_headers = o->elf64_core_headers,
		.kernel_room = o->image_size,
		.segment_digests = o->dry_run,
		.mem_min = o->have_mem_min ? o->mem_min : 0,
		.mem_max = o->have_mem_max ? o->mem_max : 0,
		.no_efi = o->no_efi,
		.dtb = o->dtb,
		.console_progress = o->console_serial,
		.console_vga = o->console_vga,
		.check = o->check,
		.hotplug = o->hotplug,
		.reuse_initrd = o->reuse_initrd,
		.console_base = o->serial_port,
		.console_baud = o->serial_baud,
		.options = load_options(o),
	);
	struct kexec_plan *plan;
	char buf[768];
	int r;

	r = kexec_plan_new(ctx, &req, &plan);
	if (r < 0) {
		snprintf(err, errlen, "%s", kexec_ctx_last_error(ctx));
		unreadable_input |= file_access_errno(r);
		return r;
	}
	if (o->dry_run)
		print_plan(o, plan);
	r = kexec_plan_load(ctx, plan);
	kexec_plan_unref(plan);
	if (r < 0)
		snprintf(err, errlen, "cannot load %s%s: kexec_load: %s", o->crash ? "crash kernel " : "",
			 o->kernel, why(ctx, LIBKEXEC_OP_LOAD, o->crash, r, buf, sizeof(buf)));
	return r;
}

/*
 * kexec_file_load: check, then the syscall. *may_fall_back says whether
 * kexec_load might do what this could not: after the syscall, for the errnos
 * kexec-tools falls back on; before it, when our checks predict the kernel's
 * refusal of the image or the command line (ENOEXEC, EINVAL).
 */
static int load_with_kexec_file_load(struct kexec_ctx *ctx, const struct kx_opts *o,
				     const char *cmdline, char *err, size_t errlen,
				     bool *may_fall_back)
{
	LIBKEXEC_OPTS(kexec_request, req,
		.syscall = LIBKEXEC_SYSCALL_FILE_LOAD,
		.kernel = o->kernel,
		.initrd = o->initrd,
		.cmdline = cmdline,
		.crash = o->crash,
		.reuse_initrd = o->reuse_initrd,
		.options = load_options(o),
	);
	LIBKEXEC_OPTS(kexec_image_layers, layers);
	LIBKEXEC_OPTS(kexec_image_info, image);
	const char *only_kexec_load = NULL;
	struct kexec_plan *plan;
	char buf[768];
	int r;

	/* Options only kexec_load honours: -a goes there for them. */
	only_kexec_load = kexec_load_only_option(o);
	*may_fall_back = only_kexec_load != NULL;
	if (only_kexec_load) {
		snprintf(err, errlen, "cannot load %s: %s is honoured only by kexec_load (-c), not "
			 "by the kernel's kexec_file_load (-s)",
			 o->kernel, only_kexec_load);
		return -EOPNOTSUPP;
	}
	r = kexec_plan_new(ctx, &req, &plan);
	if (r < 0) {
		snprintf(err, errlen, "%s", kexec_ctx_last_error(ctx));
		/* ENOSYS: the architecture's kernels have no kexec_file_load (32-bit ARM). */
		*may_fall_back = r == -ENOEXEC || r == -E2BIG || r == -ENOSYS;
		unreadable_input |= file_access_errno(r);
		return r;
	}
	if (o->dry_run)
		print_plan(o, plan);
	r = kexec_plan_load(ctx, plan);
	if (kexec_plan_layers(plan, &layers) < 0)
		layers.nr_layers = 0;
	if (kexec_plan_image(plan, &image) < 0)
		image.format = "kernel"; /* static, as the format's name is */
	plan = kexec_plan_unref(plan);
	*may_fall_back = fallback_errno(r);
	if (r < 0 && layers.nr_layers && signature_errno(r))
		/* The kernel checked what we unwrapped; a signature was on the envelope. */
		snprintf(err, errlen, "cannot load %s%s: kexec_file_load: %s: the kernel checked "
			 "the signature of the %s unwrapped from %s, not of the file (a signature on "
			 "the envelope does not count); under lockdown or signature enforcement, "
			 "load a signed plain image",
			 o->crash ? "crash kernel " : "", o->kernel, strerror(-r), image.format,
			 layers.chain);
	else if (r < 0)
		snprintf(err, errlen, "cannot load %s%s: kexec_file_load: %s",
			 o->crash ? "crash kernel " : "", o->kernel,
			 why(ctx, LIBKEXEC_OP_FILE_LOAD, o->crash, r, buf, sizeof(buf)));
	return r;
}

/*
 * The first option given that only kexec_load honours, or NULL: the kernel's
 * kexec_file_load has its own purgatory (always checks), placement, EFI
 * state, device tree and 64-bit core header. With -s they are refused; the
 * default mode goes straight to kexec_load for them.
 */
static const char *kexec_load_only_option(const struct kx_opts *o)
{
	if (o->no_efi)
		return "--no-efi";
	if (o->dtb)
		return "--dtb";
	if (o->no_checks)
		return "-i (--no-checks)";
	if (o->have_check)
		return "--check";
	if (o->have_mem_min)
		return "--mem-min";
	if (o->have_mem_max)
		return "--mem-max";
	if (o->image_size)
		return "--image-size";
	if (o->elf32_core_headers)
		return "--elf32-core-headers";
	if (o->console_serial)
		return "--console-serial";
	if (o->console_vga)
		return "--console-vga";
	if (o->serial_port)
		return "--serial";
	if (o->serial_baud)
		return "--serial-baud";
	return NULL;
}

/*
 * Options this kexec does not honour, refused before anything is read, in
 * one line: a caller's script must not believe they took effect.
 */
static int refuse_unsupported(struct kexec_ctx *ctx, const struct kx_opts *o)
{
	const char *k = o->kernel ? o->kernel : "a kernel";

	/* Kexec jump: ours enter a new kernel through a purgatory that never returns. */
	if (o->preserve_context) {
		die_line("cannot load %s: --load-preserve-context (kexec jump) is not supported: this "
			 "kexec's purgatories enter the new kernel and never return to this one, "
			 "so kexec -e would not come back",
			 k);
		return 1;
	}
	if (o->have_entry) {
		die_line("cannot load %s: --entry is not supported: the entry point comes from the "
			 "image (its format's own entry), and our purgatory enters the kernel there",
			 k);
		return 1;
	}
	if (o->reuse_initrd && o->initrd) {
		die_line("cannot load %s: --reuseinitrd and --initrd both name an initrd; give one",
			 k);
		return 1;
	}
	if (o->hotplug) {
		char *size;

		if (!o->crash) {
			die_line("cannot load %s: --hotplug is for crash kernels (-p)", k);
			return 1;
		}
		/*
		 * CONFIG_CRASH_HOTPLUG (6.6+) adds this file; without it nothing is
		 * updated. kexec_file_load: the kernel builds and rewrites the core
		 * header itself; kexec_load: the library sizes ours for the kernel's
		 * rewrites and leaves it out of the purgatory's check.
		 */
		if (kexec_read_sysfile(ctx, "/sys/kernel/crash_elfcorehdr_size", &size, NULL) < 0) {
			die_line("cannot load crash kernel %s: --hotplug: the running kernel has no crash "
				 "hotplug (CONFIG_CRASH_HOTPLUG, Linux 6.6 and later)",
				 k);
			return 1;
		}
		free(size);
	}
	return 0;
}

/* One load attempt through either syscall, its errors held back (see logstate). */
static int attempt(struct kexec_ctx *ctx, const struct kx_opts *o, const char *cmdline,
		   bool file_syscall, char *err, size_t errlen, bool *may_fall_back)
{
	int r;

	logstate.defer = true;
	if (file_syscall)
		r = load_with_kexec_file_load(ctx, o, cmdline, err, errlen, may_fall_back);
	else
		r = load_with_kexec_load(ctx, o, cmdline, err, errlen);
	logstate.defer = false;
	plan_attempt(file_syscall ? "kexec_file_load" : "kexec_load", r, err);
	return r;
}

/* Whether the format named by -t is one the kernel's kexec_file_load takes. */
static bool file_load_takes(const struct kexec_ctx *ctx, const char *type)
{
	LIBKEXEC_OPTS(kexec_image_type, t);

	/* Unknown: kexec_load names the known ones in its refusal. */
	return kexec_image_type_find(ctx, type, &t) == 0 && t.kexec_file_load;
}

static int do_load(struct kexec_ctx *ctx, const struct kx_opts *o)
{
	static char err1[8192], err2[8192];
	char *reused = NULL, *cmdline = NULL;
	int r, ret = EXIT_LOAD_FAILED;
	bool may_fall_back;
	/* The kernel frees the loaded crash kernel before it checks a new one. */
	bool crash_was_loaded = o->crash && kexec_status_loaded(ctx, true) == 1;

	err1[0] = err2[0] = '\0';

	if (refuse_unsupported(ctx, o))
		return 1;
	if (!o->kernel) {
		die_line("no kernel specified (usage: kexec -l KERNEL [--initrd=FILE] "
			 "[--append=CMDLINE])");
		return 1;
	}
	if (o->reuse_cmdline && kexec_cmdline_reuse(ctx, o->crash, &reused) < 0)
		return 1;
	/* None given: NULL, so that a UKI's own .cmdline is used (else empty). */
	if (o->reuse_cmdline || o->append) {
		cmdline = kexec_cmdline_concat(reused, o->append);
		free(reused);
		if (!cmdline) {
			die_line("cannot load %s: out of memory", o->kernel);
			return 1;
		}
	}

	/* -c, or a -t format the kernel's own loader does not take: kexec_load only. */
	if (o->syscall == KX_SYSCALL_LOAD || (o->type && !file_load_takes(ctx, o->type)) ||
	    (o->syscall == KX_SYSCALL_AUTO && kexec_load_only_option(o))) {
		if (o->syscall == KX_SYSCALL_FILE) {
			die_line("cannot load %s: kexec_file_load does not load kernels of type \"%s\" "
				 "(try -c)",
				 o->kernel, o->type);
			ret = 1;
			goto out;
		}
		r = attempt(ctx, o, cmdline, false, err1, sizeof(err1), NULL);
	} else {
		r = attempt(ctx, o, cmdline, true, err1, sizeof(err1), &may_fall_back);
		if (r < 0 && o->syscall == KX_SYSCALL_AUTO && may_fall_back) {
			if (o->debug)
				die_line("debug: kexec_file_load failed (%s); falling back to kexec_load",
					 err1);
			r = attempt(ctx, o, cmdline, false, err2, sizeof(err2), NULL);
			if (r < 0) {
				/* The same refusal twice (a file no format takes) is said once. */
				if (!strcmp(err1, err2))
					die_line("%s", err1);
				else
					die_line("%s; then %s", err1, err2);
				goto out;
			}
		}
	}
	if (r < 0) {
		die_line("%s", err1);
		goto out;
	}
	if (o->dry_run && !o->json)
		printf("dry run: the simulated kernel accepted the load; nothing was loaded\n");
	ret = 0;
out:
	/* kexec-tools exits 1 when it cannot read a file, 255 when a load fails. */
	if (ret == EXIT_LOAD_FAILED && unreadable_input)
		ret = 1;
	if (ret && crash_was_loaded && kexec_status_loaded(ctx, true) == 0)
		die_line("note: the previous crash kernel was unloaded (the kernel frees it before it "
			 "checks a new one): no crash kernel is loaded now");
	free(cmdline);
	return ret;
}

/* Take every interface but loopback down, as kexec-tools does before -e. */
static void ifdown(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int fd;

	if (!ifs)
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (i = ifs; fd >= 0 && i->if_index; i++) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags & IFF_LOOPBACK))
			continue;
		ifr.ifr_flags &= ~IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
	if_freenameindex(ifs);
}

static int do_exec(struct kexec_ctx *ctx, const struct kx_opts *o)
{
	char buf[768];
	int r;

	if (o->do_sync && !o->dry_run)
		sync();
	if (o->do_ifdown && !o->dry_run)
		ifdown();
	if (o->dry_run) {
		/* --json: the document's "actions" say it. */
		if (!o->json)
			printf("dry run: would %s%sreboot(LINUX_REBOOT_CMD_KEXEC)\n",
			       o->do_sync ? "sync, " : "",
			       o->do_ifdown ? "take interfaces down, " : "");
		return 0;
	}
	r = kexec_do_reboot(ctx);
	/* Only a failure returns. */
	die_line("cannot boot the loaded kernel: reboot: %s",
		 why(ctx, LIBKEXEC_OP_REBOOT, false, r < 0 ? r : -EIO, buf, sizeof(buf)));
	return EXIT_LOAD_FAILED;
}

static int do_shutdown(const struct kx_opts *o)
{
	if (o->dry_run) {
		if (!o->json)
			printf("dry run: would run shutdown -r now\n");
		return 0;
	}
	fflush(NULL);
	execlp("shutdown", "shutdown", "-r", "now", (char *)NULL);
	die_line("cannot run shutdown -r now: %s", strerror(errno));
	return 1;
}

static int print_ckr_size(struct kexec_ctx *ctx)
{
	uint64_t size = 0, start, end;

	/* /sys/kernel/kexec_crash_size is readable by anyone; iomem needs root. */
	if (kexec_status_crash_size(ctx, &size) < 0) {
		size = 0;
		if (kexec_find_crash_region(ctx, &start, &end) == 0)
			size = end - start + 1;
	}
	printf("%" PRIu64 "\n", size);
	return 0;
}

/* What this run does (struct kx_run.actions), decided once. */
static unsigned run_actions(const struct kx_opts *o)
{
	unsigned a = 0;

	if (o->do_unload)
		a |= KX_ACT_UNLOAD;
	/* -f with no kernel (petitboot's "kexec -e -f"): boot what is loaded. */
	if (o->do_load && !(o->do_exec && !o->kernel))
		a |= KX_ACT_LOAD;
	if (o->do_shutdown)
		a |= KX_ACT_SHUTDOWN;
	if (o->do_exec && o->do_sync)
		a |= KX_ACT_SYNC;
	if (o->do_exec && o->do_ifdown)
		a |= KX_ACT_IFDOWN;
	if (o->do_exec)
		a |= KX_ACT_REBOOT;
	return a;
}

/* KEXEC_ARCH (a test hook): plan for another architecture, only against the simulator. */
static int use_arch_from_env(struct kexec_ctx *ctx, const char *want)
{
	/* Every KEXEC_ARCH_* the UAPI names; the library takes those it has. */
	static const unsigned long archs[] = {
		KEXEC_ARCH_X86_64, KEXEC_ARCH_AARCH64, KEXEC_ARCH_RISCV, KEXEC_ARCH_ARM,
		KEXEC_ARCH_386,    KEXEC_ARCH_MIPS,    KEXEC_ARCH_S390,  KEXEC_ARCH_PPC64,
		KEXEC_ARCH_PPC,    KEXEC_ARCH_68K,     KEXEC_ARCH_IA_64, KEXEC_ARCH_SH,
		KEXEC_ARCH_MIPS_LE,
	};

	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]); i++)
		if (kexec_arch_name(archs[i]) && !strcmp(kexec_arch_name(archs[i]), want))
			if (kexec_ctx_set_arch(ctx, archs[i]) == 0)
				return 0;
	die_line("KEXEC_ARCH=%s: no such architecture in this libkexec", want);
	return 1;
}

/* --dry-run: a simulated kernel like this machine, for the architecture planned for. */
static int use_simulator(struct kexec_ctx *ctx, struct kexec_sim **simp)
{
	struct kexec_sim *sim = kexec_sim_new();

	if (!sim) {
		die_line("out of memory");
		return 1;
	}
	kexec_sim_config(sim)->limits.native_arch = kexec_ctx_get_arch(ctx);
	kexec_sim_like_machine(sim, ctx);
	kexec_ctx_use_sim(ctx, sim);
	*simp = sim;
	return 0;
}

/* The run's actions, in order; the exit status. */
static int run(struct kexec_ctx *ctx, const struct kx_opts *o, unsigned act)
{
	int ret;

	if (o->do_status) {
		char line[600];

		ret = report_status(ctx, o, line, sizeof(line));
		if (line[0])
			die_line("%s", line);
		return ret;
	}
	if (act & KX_ACT_UNLOAD) {
		ret = do_unload(ctx, o);
		if (ret)
			return ret;
	}
	if (act & KX_ACT_LOAD) {
		ret = do_load(ctx, o);
		if (ret)
			return ret;
	}
	if ((act & (KX_ACT_SHUTDOWN | KX_ACT_REBOOT)) && !o->dry_run &&
	    kexec_status_loaded(ctx, false) != 1) {
		die_line("cannot boot: no kernel is loaded (load one with kexec -l KERNEL first)");
		return 1;
	}
	if (act & KX_ACT_SHUTDOWN)
		return do_shutdown(o);
	if (act & KX_ACT_REBOOT)
		return do_exec(ctx, o);
	return 0;
}

int main(int argc, char **argv)
{
	struct kexec_sim *sim = NULL;
	struct kexec_ctx *ctx;
	struct kx_opts o;
	char err[512];
	unsigned act;
	int ret = 0;

	if (kx_parse_options(argc, argv, &o, err, sizeof(err)) < 0) {
		die_line("%s (see kexec --help)", err);
		return 1;
	}
	if (o.help) {
		kx_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("kexec (libkexec) %s\n", kexec_version());
		return 0;
	}
	act = run_actions(&o);
	ctx = kexec_ctx_new();
	if (!ctx) {
		die_line("out of memory");
		return 1;
	}
	kexec_ctx_set_log(ctx, log_stderr, &logstate);
	kexec_ctx_set_log_priority(ctx, o.debug ? LOG_DEBUG : LOG_ERR);
	/* A test hook: read /proc and /sys below another root. Ignored when set-id. */
	if (secure_getenv("KEXEC_ROOT"))
		kexec_ctx_set_root(ctx, secure_getenv("KEXEC_ROOT"));
	if (secure_getenv("KEXEC_ARCH") && (o.dry_run || o.list_types))
		ret = use_arch_from_env(ctx, secure_getenv("KEXEC_ARCH"));
	if (ret == 0 && o.list_types) {
		ret = report_types(ctx, &o);
	} else if (ret == 0 && o.print_ckr_size) {
		ret = print_ckr_size(ctx);
	} else if (ret == 0) {
		if (o.dry_run)
			ret = use_simulator(ctx, &sim);
		if (ret == 0)
			ret = run(ctx, &o, act);
	}
	/* --dry-run --json: one document, whatever the run did. */
	if (o.json && o.dry_run && !o.do_status && !o.list_types) {
		struct kx_run r = { .actions = act, .exit_status = ret, .error = last_error };

		print_plan_document(ctx, &o, &r);
	}
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
	return ret;
}
