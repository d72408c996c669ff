/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the command shows (tools/report.h): the plan of a load (--dry-run, as
 * a table or --json), the --status report, and --list-types. The library
 * says what is; this file only lays it out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libkexec.h"
#include "json.h"
#include "options.h"
#include "report.h"

/* ---- Text ------------------------------------------------------------------ */

/* A path or command line on one line of a table: control bytes as \xNN. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

/* "256 MiB": a size in the largest binary unit it is a whole number of. */
static const char *human_size(uint64_t v, char *buf, size_t len)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (u < 4 && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", v, unit[u]);
	return buf;
}

/* ---- Plans ----------------------------------------------------------------- */

struct flag_name {
	unsigned long bit;
	const char *name;
};

static const struct flag_name file_flags[] = {
	{ KEXEC_FILE_UNLOAD, "UNLOAD" },
	{ KEXEC_FILE_ON_CRASH, "ON_CRASH" },
	{ KEXEC_FILE_NO_INITRAMFS, "NO_INITRAMFS" },
	{ KEXEC_FILE_DEBUG, "DEBUG" },
	{ KEXEC_FILE_NO_CMA, "NO_CMA" },
	{ KEXEC_FILE_FORCE_DTB, "FORCE_DTB" },
};

static const struct flag_name load_flags[] = {
	{ KEXEC_ON_CRASH, "ON_CRASH" },
	{ KEXEC_PRESERVE_CONTEXT, "PRESERVE_CONTEXT" },
	{ KEXEC_UPDATE_ELFCOREHDR, "UPDATE_ELFCOREHDR" },
	{ KEXEC_CRASH_HOTPLUG_SUPPORT, "CRASH_HOTPLUG_SUPPORT" },
	{ KEXEC_DEBUG, "DEBUG" },
};

/*
 * Everything a plan's table and JSON show, from either syscall's plan: the
 * two plan structures differ, the report does not.
 */
struct plan_view {
	const char *syscall;
	const char *format;
	struct kexec_image_layers layers;
	bool have_layers;
	const char *kernel;
	uint64_t kernel_size;
	const char *version;        /* "" unknown */
	uint32_t protocol;          /* bzImage boot protocol, 0 none */
	const char *initrd;         /* path, NULL: none or the image's */
	uint64_t initrd_size;
	bool have_initrd;
	const char *cmdline;        /* NULL: the image's, not known here */
	unsigned long cmdline_len;  /* with the NUL */
	unsigned long flags;
	bool load_flags;            /* kexec_load's flags (arch in the high half) */
	bool have_entry;
	unsigned long entry;
	const char *check;          /* the purgatory's check: "xxh3", "sha256" or "none" */
	bool have_dtb;
	const struct kexec_plan *segs; /* kexec_load: its segments */
};

/* Where an input came from; the JSON "from" arrays, and the table's words. */
static size_t input_from(const struct kx_opts *o, const struct plan_view *v, const char *what,
			 const char *from[2])
{
	unsigned int img = v->have_layers ? v->layers.from_image : 0;

	if (!strcmp(what, "kernel")) {
		from[0] = "argument";
		return 1;
	}
	if (!strcmp(what, "initrd")) {
		from[0] = o->initrd ? "--initrd" :
			  o->reuse_initrd ? "--reuseinitrd" :
			  (img & LIBKEXEC_FROM_IMAGE_INITRD) ? "image" : NULL;
		return from[0] != NULL;
	}
	if (!strcmp(what, "dtb")) {
		from[0] = o->dtb ? "--dtb" : (img & LIBKEXEC_FROM_IMAGE_DTB) ? "image" : "running-kernel";
		return 1;
	}
	/* The command line: --reuse-cmdline, then --append after it; else the image's. */
	if (o->reuse_cmdline || o->append) {
		size_t n = 0;

		if (o->reuse_cmdline)
			from[n++] = "--reuse-cmdline";
		if (o->append)
			from[n++] = "--append";
		return n;
	}
	if (img & LIBKEXEC_FROM_IMAGE_CMDLINE) {
		from[0] = "image";
		return 1;
	}
	return 0;
}

static const char *from_words(const struct kx_opts *o, const char *from, char *buf, size_t len)
{
	if (!strcmp(from, "argument"))
		return "the KERNEL argument";
	if (!strcmp(from, "image"))
		return "the image (a UKI's section)";
	if (!strcmp(from, "running-kernel"))
		return "the running kernel's (/sys/firmware/fdt)";
	if (!strcmp(from, "--reuseinitrd"))
		return "--reuseinitrd (the running kernel's, /sys/firmware/initrd)";
	if (!strcmp(from, "--reuse-cmdline")) {
		snprintf(buf, len, "--reuse-cmdline (/proc/cmdline without BOOT_IMAGE=%s)",
			 o->crash ? " and crashkernel=" : "");
		return buf;
	}
	return from;
}

/* The device tree's file: --dtb, the running kernel's, or NULL for a UKI's .dtb. */
static const char *dtb_path(const struct kx_opts *o, const struct plan_view *v)
{
	if (o->dtb)
		return o->dtb;
	if (v->have_layers && (v->layers.from_image & LIBKEXEC_FROM_IMAGE_DTB))
		return NULL;
	return "/sys/firmware/fdt";
}

static void flag_names(const struct plan_view *v, const char *names[8], size_t *n)
{
	const struct flag_name *t = v->load_flags ? load_flags : file_flags;
	size_t nt = v->load_flags ? sizeof(load_flags) / sizeof(load_flags[0]) :
				    sizeof(file_flags) / sizeof(file_flags[0]);

	*n = 0;
	for (size_t i = 0; i < nt && *n < 8; i++)
		if (v->flags & t[i].bit)
			names[(*n)++] = t[i].name;
}

/* The table's "input from" lines. */
static void table_from(const struct kx_opts *o, const struct plan_view *v)
{
	const char *from[2];
	char buf[256];
	size_t nf;

	printf("%-13s %s\n", "input", "from");
	input_from(o, v, "kernel", from);
	printf("%-13s %s\n", "kernel", from_words(o, from[0], buf, sizeof(buf)));
	nf = input_from(o, v, "initrd", from);
	printf("%-13s %s\n", "initrd", nf ? from_words(o, from[0], buf, sizeof(buf)) : "none");
	nf = input_from(o, v, "cmdline", from);
	printf("%-13s ", "command line");
	for (size_t i = 0; i < nf; i++)
		printf("%s%s", i ? ", then " : "", from_words(o, from[i], buf, sizeof(buf)));
	printf("%s\n", nf ? "" : "none (empty)");
	if (v->have_dtb) {
		input_from(o, v, "dtb", from);
		printf("%-13s %s\n", "device tree", from_words(o, from[0], buf, sizeof(buf)));
	}
}

/* The table of a kexec_load plan's segments. */
static void table_segments(const struct kexec_plan *plan)
{
	printf("%-3s %-12s %-37s %12s %12s  %s\n", "#", "role", "destination", "memsz", "bufsz",
	       "sha256");
	for (size_t i = 0; i < kexec_plan_nr_segments(plan); i++) {
		LIBKEXEC_OPTS(kexec_plan_segment, sg);
		char range[40];

		kexec_plan_segment(plan, i, &sg);
		snprintf(range, sizeof(range), "%#018" PRIx64 "-%#018" PRIx64, sg.mem,
			 sg.mem + sg.memsz - 1);
		printf("%-3zu %-12s %-37s %12" PRIu64 " %12zu  ", i, kexec_segment_role_name(sg.role),
		       range, sg.memsz, sg.bufsz);
		for (int k = 0; k < 8; k++)
			printf("%02x", sg.sha256[k]);
		printf("\n");
	}
}

static void print_plan_table(const struct kx_opts *o, const struct plan_view *v)
{
	const char *names[8];
	size_t nn;

	printf("syscall: %s\n", v->syscall);
	printf("format: %s", v->format);
	if (v->protocol)
		printf(" (boot protocol %u.%02u", v->protocol >> 8, v->protocol & 0xff);
	if (v->version && v->version[0])
		printf("%sLinux %s", v->protocol ? ", " : " (", v->version);
	printf("%s\n", v->protocol || (v->version && v->version[0]) ? ")" : "");
	if (v->have_layers && v->layers.nr_layers)
		printf("layers: %s (the kernel inside: %" PRIu64 " bytes)\n", v->layers.chain,
		       v->layers.kernel_size);
	else
		printf("layers: none\n");
	flag_names(v, names, &nn);
	printf(v->flags ? "flags: %#lx (" : "flags: %lu (", v->flags);
	for (size_t i = 0; i < nn; i++)
		printf("%s%s", i ? "|" : "", names[i]);
	if (v->load_flags) {
		const char *arch = kexec_arch_name(v->flags & 0xffff0000UL);

		printf("%sarch %s", nn ? ", " : "", arch ? arch : "unknown");
	} else if (!nn) {
		printf("none");
	}
	printf(")\n");
	printf("kernel: ");
	put_text(stdout, v->kernel);
	printf(" (%" PRIu64 " bytes)\n", v->kernel_size);
	if (v->initrd) {
		printf("initrd: ");
		put_text(stdout, v->initrd);
		printf(" (%" PRIu64 " bytes)\n", v->initrd_size);
	} else if (v->have_initrd) {
		printf("initrd: the image's .initrd (%" PRIu64 " bytes)\n", v->initrd_size);
	} else {
		printf("initrd: none\n");
	}
	if (v->cmdline) {
		printf("command line: \"");
		put_text(stdout, v->cmdline);
		printf("\" (%lu bytes with the NUL)\n", v->cmdline_len);
	} else {
		printf("command line: the image's\n");
	}
	if (v->have_dtb) {
		printf("device tree: ");
		put_text(stdout, dtb_path(o, v) ? dtb_path(o, v) : "the image's");
		printf(", /chosen edited for the new kernel\n");
	}

	table_from(o, v);
	if (v->segs)
		table_segments(v->segs);
	if (v->have_entry)
		printf("entry: %#lx (purgatory, check: %s)\n", v->entry, v->check);
}

/* "from": where an input came from (input_from). */
static void json_from(struct jw *w, const char *const *from, size_t n)
{
	jw_open(w, "from", '[');
	for (size_t i = 0; i < n; i++)
		jw_str(w, NULL, from[i]);
	jw_close(w, ']');
}

/* The plan's "layers" and "kernel". */
static void json_kernel(struct jw *w, const struct kx_opts *o, const struct plan_view *v)
{
	const char *from[2];
	size_t nf;

	jw_open(w, "layers", '[');
	if (v->have_layers && v->layers.nr_layers) {
		char chain[sizeof(v->layers.chain)], *save = NULL;

		snprintf(chain, sizeof(chain), "%s", v->layers.chain);
		for (char *l = strtok_r(chain, "+", &save); l; l = strtok_r(NULL, "+", &save))
			jw_str(w, NULL, l);
	}
	jw_close(w, ']');
	jw_open(w, "kernel", '{');
	jw_str(w, "path", v->kernel);
	jw_u64(w, "bytes", v->kernel_size);
	if (v->have_layers && v->layers.nr_layers)
		jw_u64(w, "unwrapped_bytes", v->layers.kernel_size);
	else
		jw_null(w, "unwrapped_bytes");
	jw_str(w, "version", v->version && v->version[0] ? v->version : NULL);
	if (v->protocol) {
		char proto[16];

		snprintf(proto, sizeof(proto), "%u.%02u", v->protocol >> 8, v->protocol & 0xff);
		jw_str(w, "protocol", proto);
	} else {
		jw_null(w, "protocol");
	}
	nf = input_from(o, v, "kernel", from);
	json_from(w, from, nf);
	jw_close(w, '}');
}

/* The plan's "initrd", "cmdline" and "dtb". */
static void json_inputs(struct jw *w, const struct kx_opts *o, const struct plan_view *v)
{
	const char *from[2];
	size_t nf;

	nf = input_from(o, v, "initrd", from);
	if (v->initrd || v->have_initrd) {
		jw_open(w, "initrd", '{');
		jw_str(w, "path", v->initrd);
		jw_u64(w, "bytes", v->initrd_size);
		json_from(w, from, nf);
		jw_close(w, '}');
	} else {
		jw_null(w, "initrd");
	}
	nf = input_from(o, v, "cmdline", from);
	jw_open(w, "cmdline", '{');
	jw_str(w, "text", v->cmdline);
	if (v->cmdline)
		jw_u64(w, "bytes", v->cmdline_len);
	else
		jw_null(w, "bytes");
	json_from(w, from, nf);
	jw_close(w, '}');
	if (v->have_dtb) {
		input_from(o, v, "dtb", from);
		jw_open(w, "dtb", '{');
		jw_str(w, "path", dtb_path(o, v));
		json_from(w, from, 1);
		jw_close(w, '}');
	} else {
		jw_null(w, "dtb");
	}
}

/* The plan's "segments". */
static void json_segments(struct jw *w, const struct plan_view *v)
{
	jw_open(w, "segments", '[');
	for (size_t i = 0; v->segs && i < kexec_plan_nr_segments(v->segs); i++) {
		LIBKEXEC_OPTS(kexec_plan_segment, sg);
		char hex[65];
		bool zero = true;

		kexec_plan_segment(v->segs, i, &sg);
		for (int k = 0; k < 32; k++) {
			snprintf(hex + 2 * k, 3, "%02x", sg.sha256[k]);
			zero &= !sg.sha256[k];
		}
		jw_open(w, NULL, '{');
		jw_u64(w, "index", i);
		jw_str(w, "role", kexec_segment_role_name(sg.role));
		jw_addr(w, "address", sg.mem);
		jw_addr(w, "end", sg.mem + sg.memsz - 1);
		jw_u64(w, "memsz", sg.memsz);
		jw_u64(w, "bufsz", sg.bufsz);
		jw_str(w, "sha256", zero ? NULL : hex);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void print_plan_json(struct jw *w, const struct kx_opts *o, const struct plan_view *v)
{
	const char *names[8];
	size_t nn;

	jw_open(w, NULL, '{');
	jw_str(w, "syscall", v->syscall);
	jw_str(w, "format", v->format);
	json_kernel(w, o, v);
	json_inputs(w, o, v);
	flag_names(v, names, &nn);
	jw_open(w, "flags", '{');
	jw_addr(w, "value", v->flags);
	jw_open(w, "names", '[');
	for (size_t i = 0; i < nn; i++)
		jw_str(w, NULL, names[i]);
	jw_close(w, ']');
	jw_str(w, "arch", v->load_flags ? kexec_arch_name(v->flags & 0xffff0000UL) : NULL);
	jw_close(w, '}');
	if (v->have_entry) {
		jw_open(w, "entry", '{');
		jw_addr(w, "address", v->entry);
		jw_str(w, "role", "purgatory");
		jw_str(w, "check", v->check);
		jw_close(w, '}');
	} else {
		jw_null(w, "entry");
	}
	json_segments(w, v);
	jw_close(w, '}');
}

/*
 * The run's JSON plan document (--dry-run --json), printed once at the end:
 * a fallback makes two attempts, and the document must be one.
 */
static struct {
	struct {
		const char *syscall;
		bool ok;
		char error[2048];
	} attempts[2];
	int nr_attempts;
	char *load;                 /* the last plan prepared, as JSON at depth 1 */
} plan_doc;

static void show_plan(const struct kx_opts *o, const struct plan_view *v)
{
	if (o->json) {
		size_t len = 0;
		struct jw w;
		FILE *f;

		free(plan_doc.load);
		plan_doc.load = NULL;
		f = open_memstream(&plan_doc.load, &len);
		if (!f)
			return;
		/* The value of the document's "load" member, written there later. */
		jw_init(&w, f, 1);
		print_plan_json(&w, o, v);
		fclose(f);
		return;
	}
	print_plan_table(o, v);
}

void plan_attempt(const char *syscall, int r, const char *err)
{
	if (plan_doc.nr_attempts >= 2)
		return;
	plan_doc.attempts[plan_doc.nr_attempts].syscall = syscall;
	plan_doc.attempts[plan_doc.nr_attempts].ok = r >= 0;
	snprintf(plan_doc.attempts[plan_doc.nr_attempts].error,
		 sizeof(plan_doc.attempts[0].error), "%s", r < 0 ? err : "");
	plan_doc.nr_attempts++;
}

void print_plan_document(struct kexec_ctx *ctx, const struct kx_opts *o, const struct kx_run *run)
{
	static const char *const action_names[] = { "unload", "load", "shutdown", "sync", "ifdown",
						    "reboot" };
	int ret = run->exit_status;
	struct jw w;

	jw_init(&w, stdout, 0);
	jw_document(&w, "kexec-plan", ctx);
	jw_bool(&w, "dry_run", true);
	jw_bool(&w, "crash", o->crash);
	jw_str(&w, "syscall_mode", o->syscall == KX_SYSCALL_FILE ? "kexec_file_load" :
				   o->syscall == KX_SYSCALL_LOAD ? "kexec_load" : "auto");
	jw_open(&w, "actions", '[');
	for (unsigned i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (run->actions & (1u << i))
			jw_str(&w, NULL, action_names[i]);
	jw_close(&w, ']');
	jw_open(&w, "attempts", '[');
	for (int i = 0; i < plan_doc.nr_attempts; i++) {
		jw_open(&w, NULL, '{');
		jw_str(&w, "syscall", plan_doc.attempts[i].syscall);
		jw_bool(&w, "ok", plan_doc.attempts[i].ok);
		jw_str(&w, "error", plan_doc.attempts[i].ok ? NULL : plan_doc.attempts[i].error);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_key(&w, "load");
	fputs(plan_doc.load ? plan_doc.load : "null", stdout);
	jw_bool(&w, "ok", ret == 0);
	jw_i64(&w, "exit_status", ret);
	jw_str(&w, "error", ret ? run->error : NULL);
	jw_close(&w, '}');
	free(plan_doc.load);
	plan_doc.load = NULL;
}

/* A kexec_file_load plan's view: what the kernel will read. */
static void file_view(const struct kexec_plan_files *f, struct plan_view *v)
{
	v->syscall = "kexec_file_load";
	v->kernel_size = f->kernel_size;
	v->have_initrd = f->initrd_fd >= 0;
}

/* A kexec_load plan's view: its segments, entry and check. */
static void load_view(const struct kx_opts *o, const struct kexec_plan *plan,
		      const struct kexec_plan_files *f, struct plan_view *v)
{
	struct stat st;

	v->syscall = "kexec_load";
	v->load_flags = true;
	v->have_entry = true;
	v->entry = kexec_plan_entry(plan);
	v->check = o->no_checks ? "none" : o->check == LIBKEXEC_CHECK_SHA256 ? "sha256" : "xxh3";
	v->segs = plan;
	v->have_initrd = f->initrd_size != 0;
	if (stat(f->kernel_path, &st) == 0)
		v->kernel_size = (uint64_t)st.st_size;
	for (size_t i = 0; i < kexec_plan_nr_segments(plan); i++) {
		LIBKEXEC_OPTS(kexec_plan_segment, sg);

		kexec_plan_segment(plan, i, &sg);
		if (sg.role == LIBKEXEC_SEGMENT_DTB)
			v->have_dtb = true;
	}
}

void print_plan(const struct kx_opts *o, const struct kexec_plan *plan)
{
	struct plan_view v = { .flags = kexec_plan_flags(plan) };
	LIBKEXEC_OPTS(kexec_image_info, info);
	LIBKEXEC_OPTS(kexec_plan_files, f);

	kexec_plan_files(plan, &f);
	v.kernel = f.kernel_path;
	v.initrd = f.initrd_path;
	v.initrd_size = f.initrd_size;
	if (kexec_plan_syscall(plan) == LIBKEXEC_SYSCALL_FILE_LOAD)
		file_view(&f, &v);
	else
		load_view(o, plan, &f, &v);
	if (kexec_plan_image(plan, &info) == 0) {
		v.format = info.format;
		v.version = info.kernel_version;
		v.protocol = info.protocol;
	}
	v.layers.sz = sizeof(v.layers);
	v.have_layers = kexec_plan_layers(plan, &v.layers) == 0;
	if (v.have_layers && v.layers.file_size)
		v.kernel_size = v.layers.file_size;
	/* The line the plan passes: a UKI's .cmdline when no option gave one. */
	v.cmdline = kexec_plan_cmdline(plan);
	if (v.cmdline)
		v.cmdline_len = strlen(v.cmdline) + 1;
	show_plan(o, &v);
}

/* ---- --status ---------------------------------------------------------------- */

/* Why loads would be refused: KEXEC_UNAVAIL_* with a stable name and plain words. */
static const struct {
	unsigned int bit;
	const char *name;
	const char *text;
} unavail_reasons[] = {
	{ LIBKEXEC_UNAVAIL_NO_KEXEC_LOAD, "no_kexec_load",
	  "the running kernel has no kexec_load (built without CONFIG_KEXEC)" },
	{ LIBKEXEC_UNAVAIL_NO_KEXEC_FILE_LOAD, "no_kexec_file_load",
	  "the running kernel has no kexec_file_load (built without CONFIG_KEXEC_FILE)" },
	{ LIBKEXEC_UNAVAIL_LOAD_DISABLED, "kexec_load_disabled",
	  "kexec is disabled (kernel.kexec_load_disabled=1): nothing can be loaded until the "
	  "next reboot" },
	{ LIBKEXEC_UNAVAIL_LOCKDOWN, "lockdown",
	  "the kernel is locked down (e.g. by Secure Boot): kexec_load is refused, and "
	  "kexec_file_load loads only kernels signed with a trusted key" },
	{ LIBKEXEC_UNAVAIL_NO_CRASH_REGION, "no_crash_region",
	  "no memory is reserved for a crash kernel: boot with crashkernel= (e.g. "
	  "crashkernel=256M) to load one" },
	{ LIBKEXEC_UNAVAIL_LIMIT_REBOOT, "load_limit_reboot",
	  "the load limit for normal kernels is used up (kernel.kexec_load_limit_reboot=0)" },
	{ LIBKEXEC_UNAVAIL_LIMIT_PANIC, "load_limit_panic",
	  "the load limit for crash kernels is used up (kernel.kexec_load_limit_panic=0)" },
	{ LIBKEXEC_UNAVAIL_NO_CAP_SYS_BOOT, "no_cap_sys_boot",
	  "this process lacks CAP_SYS_BOOT, which loading and booting need: run as root" },
};

/* Whether a load of that image through that syscall could succeed: "yes", "no", ... */
static const char *can_load(const struct kexec_status *st, bool crash, bool file)
{
	unsigned int u = st->unavailable;
	unsigned int missing = file ? LIBKEXEC_UNAVAIL_NO_KEXEC_FILE_LOAD : LIBKEXEC_UNAVAIL_NO_KEXEC_LOAD;

	if (u & (missing | LIBKEXEC_UNAVAIL_LOAD_DISABLED | LIBKEXEC_UNAVAIL_NO_CAP_SYS_BOOT))
		return "no";
	if (u & (crash ? LIBKEXEC_UNAVAIL_LIMIT_PANIC | LIBKEXEC_UNAVAIL_NO_CRASH_REGION :
			 LIBKEXEC_UNAVAIL_LIMIT_REBOOT))
		return "no";
	if (u & LIBKEXEC_UNAVAIL_LOCKDOWN)
		return file ? "signed-only" : "no";
	return st->syscalls_err ? "unknown" : "yes";
}

static const char *err_words(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(-err));
	return buf;
}

/* "/sys/kernel/kexec_loaded: No such file or directory" */
static const char *file_err(const char *file, int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s: %s", file, strerror(-err));
	return buf;
}

static const char *limit_words(long v, char *buf, size_t len)
{
	if (v == -1)
		return "unlimited";
	if (v < 0)
		return "unknown";
	snprintf(buf, len, v ? "%ld left" : "%ld (used up)", v);
	return buf;
}

/* Which image the exit status is about, and that status (-S's, unchanged). */
static int status_exit(const struct kx_opts *o, const struct kexec_status *st, bool *crash)
{
	int loaded;

	*crash = o->crash || !o->load_seen;
	loaded = *crash ? st->crash_loaded : st->loaded;
	return loaded < 0 ? EXIT_LOAD_FAILED : loaded;
}

/* The status table's crash reservation and its ranges. */
static void table_reservation(struct kexec_ctx *ctx, const struct kexec_status *st)
{
	const int w = -20;
	char buf[128];

	printf("%*s ", w, "crash reservation");
	if (st->crash_size_err)
		printf("unknown (/sys/kernel/kexec_crash_size: %s)\n",
		       err_words(st->crash_size_err, buf, sizeof(buf)));
	else if (st->crash_size)
		printf("%s (%" PRIu64 " bytes)\n", human_size(st->crash_size, buf, sizeof(buf)),
		       st->crash_size);
	else
		printf("none\n");
	printf("%*s ", w, "crash ranges");
	if (st->crash_ranges_err == -EPERM)
		printf("hidden (/proc/iomem shows addresses to root only)\n");
	else if (st->crash_ranges_err)
		printf("unknown (/proc/iomem: %s)\n", err_words(st->crash_ranges_err, buf, sizeof(buf)));
	else if (!st->nr_crash_ranges)
		printf("none%s\n", kexec_ctx_is_simulated(ctx) ? "" : " in /proc/iomem");
	for (unsigned int i = 0; !st->crash_ranges_err && i < st->nr_crash_ranges &&
				 i < LIBKEXEC_STATUS_MAX_CRASH_RANGES; i++) {
		const struct kexec_status_range *r = &st->crash_ranges[i];

		printf(i ? "%*s %#018" PRIx64 "-%#018" PRIx64 " (%s)\n" :
			   "%*s%#018" PRIx64 "-%#018" PRIx64 " (%s)\n",
		       i ? w : 0, "", r->start, r->end,
		       human_size(r->end - r->start + 1, buf, sizeof(buf)));
	}
	if (st->nr_crash_ranges > LIBKEXEC_STATUS_MAX_CRASH_RANGES)
		printf("%*s and %u more\n", w, "", st->nr_crash_ranges - LIBKEXEC_STATUS_MAX_CRASH_RANGES);
}

static void status_table(struct kexec_ctx *ctx, const struct kx_opts *o,
			 const struct kexec_status *st, int ret, bool crash)
{
	const int w = -20;
	const struct {
		const char *name, *file;
		int v;
	} images[] = { { "normal kernel", "kexec_loaded", st->loaded },
		       { "crash kernel", "kexec_crash_loaded", st->crash_loaded } };
	char buf[128], buf2[128];
	bool any = false;

	if (kexec_ctx_is_simulated(ctx))
		printf("%*s %s\n", w, "kernel", "simulated (--dry-run): the report is of the "
						 "simulated kernel");
	for (size_t i = 0; i < 2; i++) {
		if (images[i].v >= 0)
			printf("%*s %s\n", w, images[i].name, images[i].v ? "loaded" : "not loaded");
		else
			printf("%*s unknown (/sys/kernel/%s: %s)\n", w, images[i].name, images[i].file,
			       err_words(images[i].v, buf, sizeof(buf)));
	}

	table_reservation(ctx, st);
	for (int file = 0; file < 2; file++) {
		unsigned int bit = file ? LIBKEXEC_HAVE_FILE_LOAD : LIBKEXEC_HAVE_LOAD;

		printf("%*s ", w, file ? "kexec_file_load" : "kexec_load");
		if (st->syscalls_err)
			printf("unknown (/proc/kallsyms: %s)\n",
			       err_words(st->syscalls_err, buf, sizeof(buf)));
		else
			printf("%s\n", st->syscalls & bit ? "present" :
				       file ? "absent (no CONFIG_KEXEC_FILE)" : "absent (no CONFIG_KEXEC)");
	}
	printf("%*s %s\n", w, "kexec_load_disabled",
	       st->load_disabled < 0 ? "unknown" : st->load_disabled ? "1" : "0");
	printf("%*s %s\n", w, "lockdown", st->lockdown[0] ? st->lockdown : "unknown");
	printf("%*s reboot %s, panic %s\n", w, "load limits",
	       limit_words(st->load_limit_reboot, buf, sizeof(buf)),
	       limit_words(st->load_limit_panic, buf2, sizeof(buf2)));
	printf("%*s %s\n", w, "CAP_SYS_BOOT",
	       st->cap_sys_boot < 0 ? "unknown" : st->cap_sys_boot ? "yes" : "no");
	printf("%*s kexec_file_load %s, kexec_load %s\n", w, "normal loads", can_load(st, false, true),
	       can_load(st, false, false));
	printf("%*s kexec_file_load %s, kexec_load %s\n", w, "crash loads", can_load(st, true, true),
	       can_load(st, true, false));
	for (size_t i = 0; i < sizeof(unavail_reasons) / sizeof(unavail_reasons[0]); i++) {
		if (!(st->unavailable & unavail_reasons[i].bit))
			continue;
		printf("%*s %s\n", w, any ? "" : "unavailable because", unavail_reasons[i].text);
		any = true;
	}
	printf("%*s %d (%s %s)\n", w, "exit status", ret, crash ? "the crash kernel" : "the kernel",
	       ret == 1 ? "is loaded" : ret == 0 ? "is not loaded" : "cannot be told");
}

/* The status document's "crash_reservation". */
static void json_reservation(struct jw *w, const struct kexec_status *st)
{
	char buf[128];

	jw_open(w, "crash_reservation", '{');
	if (st->crash_size_err)
		jw_null(w, "bytes");
	else
		jw_u64(w, "bytes", st->crash_size);
	jw_str(w, "error", st->crash_size_err ? file_err("/sys/kernel/kexec_crash_size",
							   st->crash_size_err, buf, sizeof(buf)) :
						 NULL);
	jw_open(w, "ranges", '[');
	for (unsigned int i = 0; !st->crash_ranges_err && i < st->nr_crash_ranges &&
				 i < LIBKEXEC_STATUS_MAX_CRASH_RANGES; i++) {
		jw_open(w, NULL, '{');
		jw_addr(w, "start", st->crash_ranges[i].start);
		jw_addr(w, "end", st->crash_ranges[i].end);
		jw_u64(w, "bytes", st->crash_ranges[i].end - st->crash_ranges[i].start + 1);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_bool(w, "ranges_hidden", st->crash_ranges_err == -EPERM);
	jw_str(w, "ranges_error", st->crash_ranges_err ? file_err("/proc/iomem", st->crash_ranges_err,
								  buf, sizeof(buf)) :
							 NULL);
	jw_close(w, '}');
}

/* The status document's "can_load" and "unavailable". */
static void json_verdicts(struct jw *w, const struct kexec_status *st)
{
	jw_open(w, "can_load", '{');
	for (int c = 0; c < 2; c++) {
		jw_open(w, c ? "crash" : "normal", '{');
		jw_str(w, "kexec_file_load", can_load(st, c, true));
		jw_str(w, "kexec_load", can_load(st, c, false));
		jw_close(w, '}');
	}
	jw_close(w, '}');
	jw_open(w, "unavailable", '[');
	for (size_t i = 0; i < sizeof(unavail_reasons) / sizeof(unavail_reasons[0]); i++) {
		if (!(st->unavailable & unavail_reasons[i].bit))
			continue;
		jw_open(w, NULL, '{');
		jw_str(w, "reason", unavail_reasons[i].name);
		jw_str(w, "message", unavail_reasons[i].text);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void status_json(struct kexec_ctx *ctx, const struct kx_opts *o,
			const struct kexec_status *st, int ret, bool crash)
{
	const char *root = kexec_ctx_get_root(ctx);
	char buf[128];
	struct jw w;

	jw_init(&w, stdout, 0);
	jw_document(&w, "kexec-status", ctx);
	jw_str(&w, "root", root && root[0] ? root : "/");
	jw_bool(&w, "simulated", kexec_ctx_is_simulated(ctx));
	jw_open(&w, "images", '{');
	for (int c = 0; c < 2; c++) {
		int v = c ? st->crash_loaded : st->loaded;

		jw_open(&w, c ? "crash" : "normal", '{');
		jw_tri(&w, "loaded", v < 0 ? -1 : v);
		jw_str(&w, "error", v < 0 ? file_err(c ? "/sys/kernel/kexec_crash_loaded" :
							 "/sys/kernel/kexec_loaded",
						     v, buf, sizeof(buf)) :
					    NULL);
		jw_close(&w, '}');
	}
	jw_close(&w, '}');

	json_reservation(&w, st);
	jw_open(&w, "syscalls", '{');
	jw_tri(&w, "kexec_load", st->syscalls_err ? -1 : !!(st->syscalls & LIBKEXEC_HAVE_LOAD));
	jw_tri(&w, "kexec_file_load", st->syscalls_err ? -1 : !!(st->syscalls & LIBKEXEC_HAVE_FILE_LOAD));
	jw_str(&w, "error", st->syscalls_err ? file_err("/proc/kallsyms", st->syscalls_err, buf,
							sizeof(buf)) :
					       NULL);
	jw_close(&w, '}');
	jw_tri(&w, "kexec_load_disabled", st->load_disabled);
	jw_str(&w, "lockdown", st->lockdown[0] ? st->lockdown : NULL);
	jw_open(&w, "load_limits", '{');
	for (int c = 0; c < 2; c++) {
		long v = c ? st->load_limit_panic : st->load_limit_reboot;

		if (v < -1)
			jw_null(&w, c ? "panic" : "reboot");
		else
			jw_i64(&w, c ? "panic" : "reboot", v);
	}
	jw_close(&w, '}');
	jw_tri(&w, "cap_sys_boot", st->cap_sys_boot);

	json_verdicts(&w, st);
	jw_str(&w, "exit_status_of", crash ? "crash" : "normal");
	jw_i64(&w, "exit_status", ret);
	jw_close(&w, '}');
}

/*
 * -S: kexec-tools' exit status (1 loaded, 0 not: the crash kernel unless -l
 * asks about the normal one) and nothing printed. --status (the long form)
 * and --json: the same status, and the report.
 */
int report_status(struct kexec_ctx *ctx, const struct kx_opts *o, char *line, size_t len)
{
	LIBKEXEC_OPTS(kexec_status, st);
	bool crash;
	int ret;

	line[0] = '\0';
	if (!o->status_report && !o->json) {
		int loaded;

		crash = o->crash || !o->load_seen;
		loaded = kexec_status_loaded(ctx, crash);
		if (loaded < 0) {
			snprintf(line, len, "cannot read /sys/kernel/%s: %s",
				 crash ? "kexec_crash_loaded" : "kexec_loaded", strerror(-loaded));
			return EXIT_LOAD_FAILED;
		}
		if (o->debug)
			snprintf(line, len, "debug: %s %s loaded", crash ? "crash kernel" : "kernel",
				 loaded ? "is" : "is not");
		return loaded;
	}
	if (kexec_status_get(ctx, &st) < 0) {
		snprintf(line, len, "cannot read the kexec status: out of memory");
		return EXIT_LOAD_FAILED;
	}
	ret = status_exit(o, &st, &crash);
	if (o->json)
		status_json(ctx, o, &st, ret, crash);
	else
		status_table(ctx, o, &st, ret, crash);
	if (ret == EXIT_LOAD_FAILED)
		snprintf(line, len, "cannot read /sys/kernel/%s: %s",
			 crash ? "kexec_crash_loaded" : "kexec_loaded",
			 strerror(-(crash ? st.crash_loaded : st.loaded)));
	return ret;
}

/* ---- --list-types ---------------------------------------------------------- */

static void type_syscalls(const struct kexec_image_type *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", t->kexec_file_load ? "kexec_file_load" : "",
		 t->kexec_file_load && t->kexec_load ? ", " : "", t->kexec_load ? "kexec_load" : "");
	if (!buf[0])
		snprintf(buf, len, "none (refused)");
}

static void type_aliases(const struct kexec_image_type *t, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const char *const *a = t->aliases; a && *a && used < len; a++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "", *a);
	if (!buf[0])
		snprintf(buf, len, "-");
}

int report_types(struct kexec_ctx *ctx, const struct kx_opts *o)
{
	size_t n = kexec_image_type_count(ctx);
	struct kexec_image_type *t = calloc(n ? n : 1, sizeof(*t));
	int wn = 0, wa = 0, ws = 0;
	char al[256], sc[64];

	if (!t)
		return 1;
	for (size_t i = 0; i < n; i++) {
		t[i].sz = sizeof(t[i]);
		kexec_image_type_get(ctx, i, &t[i]);
	}
	if (o->json) {
		struct jw w;

		jw_init(&w, stdout, 0);
		jw_document(&w, "kexec-types", ctx);
		jw_open(&w, "types", '[');
		for (size_t i = 0; i < n; i++) {
			jw_open(&w, NULL, '{');
			jw_str(&w, "name", t[i].name);
			jw_open(&w, "aliases", '[');
			for (const char *const *a = t[i].aliases; a && *a; a++)
				jw_str(&w, NULL, *a);
			jw_close(&w, ']');
			jw_open(&w, "syscalls", '[');
			if (t[i].kexec_file_load)
				jw_str(&w, NULL, "kexec_file_load");
			if (t[i].kexec_load)
				jw_str(&w, NULL, "kexec_load");
			jw_close(&w, ']');
			jw_str(&w, "summary", t[i].summary);
			jw_close(&w, '}');
		}
		jw_close(&w, ']');
		jw_close(&w, '}');
		free(t);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		type_aliases(&t[i], al, sizeof(al));
		type_syscalls(&t[i], sc, sizeof(sc));
		wn = (int)strlen(t[i].name) > wn ? (int)strlen(t[i].name) : wn;
		wa = (int)strlen(al) > wa ? (int)strlen(al) : wa;
		ws = (int)strlen(sc) > ws ? (int)strlen(sc) : ws;
	}
	for (size_t i = 0; i < n; i++) {
		type_aliases(&t[i], al, sizeof(al));
		type_syscalls(&t[i], sc, sizeof(sc));
		printf("%-*s  %-*s  %-*s  %s\n", wn, t[i].name, wa, al, ws, sc,
		       t[i].summary ? t[i].summary : "");
	}
	free(t);
	return 0;
}

