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

#define EXIT_LOAD_FAILED 255

static void log_stderr(void *data, int priority, const char *msg)
{
	(void)data;
	fprintf(stderr, "kexec: %s%s\n", priority >= LOG_DEBUG ? "debug: " : "", msg);
}

static void die_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die_line(const char *fmt, ...)
{
	va_list ap;

	fputs("kexec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

static void flags_string(unsigned long flags, char *buf, size_t len)
{
	static const struct {
		unsigned long bit;
		const char *name;
	} names[] = {
		{ KEXEC_FILE_UNLOAD, "UNLOAD" },
		{ KEXEC_FILE_ON_CRASH, "ON_CRASH" },
		{ KEXEC_FILE_NO_INITRAMFS, "NO_INITRAMFS" },
		{ KEXEC_FILE_DEBUG, "DEBUG" },
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (flags & names[i].bit)
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
						 used ? "|" : "", names[i].name);
	}
	if (!used)
		snprintf(buf, len, "0");
}

static void print_plan(const struct kexec_file_plan *plan)
{
	char flags[128];

	flags_string(plan->flags, flags, sizeof(flags));
	printf("syscall: kexec_file_load\n");
	printf("flags: %#lx (%s)\n", plan->flags, flags);
	printf("kernel: %s (%" PRIu64 " bytes, bzImage protocol %u.%02u%s%s)\n", plan->kernel_path,
	       plan->kernel_size, plan->image.version >> 8, plan->image.version & 0xff,
	       plan->image.kernel_version[0] ? ", " : "", plan->image.kernel_version);
	if (plan->initrd_path)
		printf("initrd: %s (%" PRIu64 " bytes)\n", plan->initrd_path, plan->initrd_size);
	else
		printf("initrd: none\n");
	printf("command line: \"%s\" (%lu bytes with the NUL)\n", plan->cmdline, plan->cmdline_len);
}

/*
 * --dry-run runs against a simulated kernel that looks like this machine: its
 * crashkernel= reservation, when one can be seen.
 */
static void sim_like_this_machine(struct kexec_ctx *ctx, struct kexec_sim *sim)
{
	struct kexec_limits *lim = &kexec_sim_config(sim)->limits;
	uint64_t start, end, size;

	if (kexec_find_crash_region(ctx, &start, &end) == 0) {
		lim->has_crash_region = true;
		lim->crash_start = start;
		lim->crash_end = end;
	} else if (kexec_status_crash_size(ctx, &size) == 0 && size) {
		/* The address is hidden from non-root; the size is what matters here. */
		lim->has_crash_region = true;
		lim->crash_start = 0x1000000;
		lim->crash_end = 0x1000000 + size - 1;
	}
}

static int do_unload(struct kexec_ctx *ctx, const struct kx_opts *o)
{
	const char *what = o->crash ? "crash kernel" : "kernel";
	char buf[768];
	int r;

	if (o->syscall == KX_SYSCALL_LOAD) {
		die_line("cannot unload %s: kexec_load (-c) is not available yet in this version; "
			 "use -s",
			 what);
		return EXIT_LOAD_FAILED;
	}
	r = kexec_unload(ctx, o->crash, true);
	if (r < 0) {
		die_line("cannot unload %s: kexec_file_load: %s", what,
			 why(ctx, KEXEC_OP_UNLOAD, o->crash, r, buf, sizeof(buf)));
		return EXIT_LOAD_FAILED;
	}
	return 0;
}

static int do_load(struct kexec_ctx *ctx, const struct kx_opts *o)
{
	struct kexec_file_request req = {
		.kernel = o->kernel,
		.initrd = o->initrd,
		.crash = o->crash,
		.debug = o->debug,
	};
	struct kexec_file_plan plan;
	char *reused = NULL, *cmdline = NULL, buf[768];
	int r, ret = EXIT_LOAD_FAILED;

	if (!o->kernel) {
		die_line("no kernel specified (usage: kexec -l KERNEL [--initrd=FILE] "
			 "[--append=CMDLINE])");
		return 1;
	}
	if (o->type && strcmp(o->type, "bzImage") && strcmp(o->type, "bzImage64")) {
		die_line("cannot load %s: unknown kernel type \"%s\" (this version loads bzImage)",
			 o->kernel, o->type);
		return 1;
	}
	if (o->syscall == KX_SYSCALL_LOAD) {
		die_line("cannot load %s: kexec_load (-c) is not available yet in this version; "
			 "use -s (kexec_file_load)",
			 o->kernel);
		return EXIT_LOAD_FAILED;
	}
	if (o->preserve_context) {
		die_line("cannot load %s: --load-preserve-context is not supported with "
			 "kexec_file_load",
			 o->kernel);
		return 1;
	}
	if (o->dtb) {
		die_line("cannot load %s: --dtb is not supported with kexec_file_load on this "
			 "architecture",
			 o->kernel);
		return 1;
	}
	if (o->reuse_cmdline && kexec_cmdline_reuse(ctx, o->crash, &reused) < 0)
		return 1;
	cmdline = kexec_cmdline_concat(reused, o->append);
	free(reused);
	if (!cmdline) {
		die_line("cannot load %s: out of memory", o->kernel);
		return 1;
	}
	req.cmdline = cmdline;

	r = kexec_file_plan_prepare(ctx, &req, &plan);
	if (r < 0)
		goto out; /* the library logged the file and the reason */
	if (o->dry_run) {
		print_plan(&plan);
	}
	r = kexec_file_plan_load(ctx, &plan);
	if (r < 0) {
		bool fallback = o->syscall == KX_SYSCALL_AUTO &&
				(r == -ENOSYS || r == -EINVAL || r == -ENOEXEC || r == -EOPNOTSUPP);

		if (o->debug && fallback)
			die_line("debug: kexec_file_load failed with %s; kexec_load fallback "
				 "would follow",
				 strerror(-r));
		die_line("cannot load %s%s: kexec_file_load: %s%s", o->crash ? "crash kernel " : "",
			 o->kernel, why(ctx, KEXEC_OP_FILE_LOAD, o->crash, r, buf, sizeof(buf)),
			 fallback ? "; the kexec_load fallback is not available yet in this version"
				  : "");
		if (o->crash)
			die_line("note: the kernel unloads the previous crash kernel before it loads "
				 "a new one, so no crash kernel is loaded now");
		kexec_file_plan_free(&plan);
		goto out;
	}
	if (o->dry_run)
		printf("dry run: the simulated kernel accepted the load; nothing was loaded\n");
	kexec_file_plan_free(&plan);
	ret = 0;
out:
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
		printf("dry run: would %s%sreboot(LINUX_REBOOT_CMD_KEXEC)\n",
		       o->do_sync ? "sync, " : "", o->do_ifdown ? "take interfaces down, " : "");
		return 0;
	}
	r = kexec_reboot(ctx);
	/* Only a failure returns. */
	die_line("cannot boot the loaded kernel: reboot: %s",
		 why(ctx, KEXEC_OP_REBOOT, false, r < 0 ? r : -EIO, buf, sizeof(buf)));
	return EXIT_LOAD_FAILED;
}

static int do_shutdown(const struct kx_opts *o)
{
	if (o->dry_run) {
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

	if (kexec_find_crash_region(ctx, &start, &end) == 0)
		size = end - start + 1;
	else if (kexec_status_crash_size(ctx, &size) < 0)
		size = 0;
	printf("%" PRIu64 "\n", size);
	return 0;
}

int main(int argc, char **argv)
{
	struct kexec_sim *sim = NULL;
	struct kexec_ctx *ctx;
	struct kx_opts o;
	char err[512];
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
	ctx = kexec_ctx_new();
	if (!ctx) {
		die_line("out of memory");
		return 1;
	}
	kexec_ctx_set_log(ctx, log_stderr, NULL);
	kexec_ctx_set_log_priority(ctx, o.debug ? LOG_DEBUG : LOG_ERR);
	if (getenv("KEXEC_ROOT"))
		kexec_ctx_set_root(ctx, getenv("KEXEC_ROOT"));
	if (o.print_ckr_size) {
		ret = print_ckr_size(ctx);
		goto out;
	}
	if (o.dry_run) {
		sim = kexec_sim_new();
		if (!sim) {
			die_line("out of memory");
			ret = 1;
			goto out;
		}
		sim_like_this_machine(ctx, sim);
		kexec_ctx_use_sim(ctx, sim);
	}

	if (o.do_status) {
		/* kexec-tools: the crash image unless -l asks for the normal one. */
		bool crash = o.crash || !o.load_seen;
		int loaded = kexec_status_loaded(ctx, crash);

		if (loaded < 0) {
			die_line("cannot read /sys/kernel/%s: %s",
				 crash ? "kexec_crash_loaded" : "kexec_loaded", strerror(-loaded));
			ret = EXIT_LOAD_FAILED;
			goto out;
		}
		if (o.debug)
			die_line("debug: %s %s loaded", crash ? "crash kernel" : "kernel",
				 loaded ? "is" : "is not");
		ret = loaded;
		goto out;
	}
	if (o.do_unload) {
		ret = do_unload(ctx, &o);
		if (ret)
			goto out;
	}
	/* -f with no kernel (petitboot's "kexec -e -f"): boot what is loaded. */
	if (o.do_load && !(o.do_exec && !o.kernel)) {
		ret = do_load(ctx, &o);
		if (ret)
			goto out;
	}
	if ((o.do_shutdown || o.do_exec) && !o.dry_run && kexec_status_loaded(ctx, false) != 1) {
		die_line("cannot boot: no kernel is loaded (load one with kexec -l KERNEL first)");
		ret = 1;
		goto out;
	}
	if (o.do_shutdown) {
		ret = do_shutdown(&o);
		goto out;
	}
	if (o.do_exec)
		ret = do_exec(ctx, &o);
out:
	kexec_ctx_free(ctx);
	kexec_sim_free(sim);
	return ret;
}
