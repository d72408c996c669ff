/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option parsing with kexec-tools' semantics: each mode option sets the same
 * do_* variables as in kexec-tools' main(), so combinations real callers use
 * (-p -u, -e -f, -l -S ...) mean what they mean there.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkexec.h"
#include "options.h"

enum {
	OPT_REUSE_CMDLINE = 256,
	OPT_APPEND,
	OPT_INITRD,
	OPT_DTB,
	OPT_TYPE_LONG,
	OPT_ARGS_LINUX,
	OPT_ELF32,
	OPT_ELF64,
	OPT_MEM_MIN,
	OPT_MEM_MAX,
	OPT_PRESERVE,
	OPT_PRINT_CKR,
	OPT_HOTPLUG,
	OPT_NO_EFI,
	OPT_DRY_RUN,
	OPT_ENTRY,
	OPT_REUSE_INITRD,
	OPT_CONSOLE_SERIAL,
	OPT_JSON,
	OPT_LIST_TYPES,
	OPT_SERIAL,
	OPT_SERIAL_BAUD,
	OPT_CONSOLE_VGA,
	OPT_CHECK,
	OPT_NO_CMA,
	OPT_FORCE_DTB,
	OPT_DT_NO_OLD_ROOT,
	OPT_IMAGE_SIZE,
	/* kexec-tools options this kexec refuses, by their index in refused[] */
	OPT_REFUSED_BASE = 0x1000,
};

/*
 * kexec-tools 2.0.25's x86_64 options (and its Xen and multiboot ones) that
 * this kexec does not honour: refused at once, each with the reason, never
 * accepted and ignored (docs/options.md has the whole table).
 */
static const struct {
	const char *name;
	int has_arg;
	const char *why;
} refused[] = {
	{ "exec-live-update", no_argument, "Xen live update: this kexec loads Linux into Linux" },
	{ "load-live-update", no_argument, "Xen live update: this kexec loads Linux into Linux" },
	{ "load-jump-back-helper", no_argument,
	  "kexec jump is not supported (the purgatory never returns)" },
	{ "module", required_argument, "multiboot images are not loaded by this kexec" },
	{ "args-elf", no_argument,
	  "ELF boot notes are for non-Linux ELF images, which this kexec does not load" },
	{ "args-none", no_argument,
	  "a Linux ELF vmlinux always gets Linux's boot parameters (--args-linux)" },
	{ "entry-32bit", no_argument,
	  "the entry is not an option here: the purgatory enters x86_64 kernels at their "
	  "64-bit entry point and i386 kernels at code32_start, their 32-bit one" },
	{ "real-mode", no_argument,
	  "the purgatory never enters a kernel in real mode: x86_64 kernels at their 64-bit "
	  "entry point, i386 kernels at code32_start" },
	{ "reset-vga", no_argument, "the purgatory does not reset VGA devices" },
	{ "pass-memmap-cmdline", no_argument,
	  "the crash kernel gets its memory map in the zero page's e820 table, not as "
	  "memmap= on its command line" },
	{ "reuse-video-type", no_argument,
	  "the zero page's screen_info is the running kernel's own already" },
	/* kexec-tools' 32-bit ARM options */
	{ "atags", no_argument,
	  "ATAGs are not built: 32-bit ARM kernels boot with a device tree here (the running "
	  "kernel's /sys/firmware/fdt, or --dtb)" },
	{ "page-offset", required_argument,
	  "a 32-bit ARM crash kernel's core header maps RAM from /proc/kcore, else at "
	  "PAGE_OFFSET 0xc0000000 where RAM starts; another split is not supported" },
};

static const struct option base_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ "force", no_argument, NULL, 'f' },
	{ "no-ifdown", no_argument, NULL, 'x' },
	{ "no-sync", no_argument, NULL, 'y' },
	{ "load", no_argument, NULL, 'l' },
	{ "unload", no_argument, NULL, 'u' },
	{ "exec", no_argument, NULL, 'e' },
	{ "load-panic", no_argument, NULL, 'p' },
	{ "type", required_argument, NULL, 't' },
	{ "debug", no_argument, NULL, 'd' },
	{ "status", no_argument, NULL, 'S' },
	{ "no-checks", no_argument, NULL, 'i' },
	{ "kexec-file-syscall", no_argument, NULL, 's' },
	{ "kexec-syscall", no_argument, NULL, 'c' },
	{ "kexec-syscall-auto", no_argument, NULL, 'a' },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "command-line", required_argument, NULL, OPT_APPEND },
	{ "reuse-cmdline", no_argument, NULL, OPT_REUSE_CMDLINE },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "ramdisk", required_argument, NULL, OPT_INITRD },
	{ "dtb", required_argument, NULL, OPT_DTB },
	{ "args-linux", no_argument, NULL, OPT_ARGS_LINUX },
	{ "elf32-core-headers", no_argument, NULL, OPT_ELF32 },
	{ "elf64-core-headers", no_argument, NULL, OPT_ELF64 },
	{ "mem-min", required_argument, NULL, OPT_MEM_MIN },
	{ "mem-max", required_argument, NULL, OPT_MEM_MAX },
	{ "load-preserve-context", no_argument, NULL, OPT_PRESERVE },
	{ "print-ckr-size", no_argument, NULL, OPT_PRINT_CKR },
	{ "hotplug", no_argument, NULL, OPT_HOTPLUG },
	{ "no-efi", no_argument, NULL, OPT_NO_EFI },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "entry", required_argument, NULL, OPT_ENTRY },
	{ "reuse-initrd", no_argument, NULL, OPT_REUSE_INITRD },
	{ "reuseinitrd", no_argument, NULL, OPT_REUSE_INITRD }, /* kexec-tools' spelling */
	{ "noefi", no_argument, NULL, OPT_NO_EFI },             /* kexec-tools' spelling */
	{ "console-serial", no_argument, NULL, OPT_CONSOLE_SERIAL },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "serial-baud", required_argument, NULL, OPT_SERIAL_BAUD },
	{ "console-vga", no_argument, NULL, OPT_CONSOLE_VGA },
	{ "check", required_argument, NULL, OPT_CHECK },
	{ "no-cma", no_argument, NULL, OPT_NO_CMA },
	{ "force-dtb", no_argument, NULL, OPT_FORCE_DTB },
	{ "dt-no-old-root", no_argument, NULL, OPT_DT_NO_OLD_ROOT },
	{ "image-size", required_argument, NULL, OPT_IMAGE_SIZE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "list-types", no_argument, NULL, OPT_LIST_TYPES },
};
#define NR_BASE (sizeof(base_options) / sizeof(base_options[0]))
#define NR_REFUSED (sizeof(refused) / sizeof(refused[0]))

/* getopt_long's table: the options above, then the refused ones, then the end. */
static struct option long_options[NR_BASE + NR_REFUSED + 1];

static void build_long_options(void)
{
	size_t i;

	if (long_options[0].name)
		return;
	for (i = 0; i < NR_BASE; i++)
		long_options[i] = base_options[i];
	for (i = 0; i < NR_REFUSED; i++)
		long_options[NR_BASE + i] = (struct option){ refused[i].name, refused[i].has_arg, NULL,
							     OPT_REFUSED_BASE + (int)i };
}

static const char short_options[] = ":hvfxylupet:dSisca";

/*
 * Options that parse but that the command refuses when it loads (kexec.c's
 * refuse_unsupported(), in its own words): their reasons, for --help.
 */
static const struct {
	const char *name;
	const char *why;
} refused_later[] = {
	{ "load-preserve-context", "kexec jump: our purgatories never return to this kernel" },
	{ "entry=ADDR", "the entry point is the image's own" },
};

/*
 * One option of --help: LEFT in the first 26 columns (a longer one gets a line
 * of its own), TEXT wrapped at 79 from column 27.
 */
static void help_line(FILE *out, const char *left, const char *text)
{
	const int col = 27, width = 79;
	int pos = fprintf(out, "%s", left);

	if (pos >= col - 1) {
		fputc('\n', out);
		pos = 0;
	}
	while (*text) {
		int word = (int)strcspn(text, " ");

		if (pos > col && pos + 1 + word > width) {
			fputc('\n', out);
			pos = 0;
		}
		if (pos < col) {
			pos += fprintf(out, "%*s", col - pos, "");
		} else {
			fputc(' ', out);
			pos++;
		}
		pos += fprintf(out, "%.*s", word, text);
		text += word;
		while (*text == ' ')
			text++;
	}
	fputc('\n', out);
}

void kx_usage(FILE *out)
{
	size_t n = kexec_image_type_count(NULL), used = 0;
	char types[1024], left[64];

	/* The formats of this architecture, from the library's table. */
	used = (size_t)snprintf(types, sizeof(types), "Its format, detected when not given:");
	for (size_t i = 0; i < n && used < sizeof(types); i++) {
		LIBKEXEC_OPTS(kexec_image_type, t);

		kexec_image_type_get(NULL, i, &t);
		used += (size_t)snprintf(types + used, sizeof(types) - used, "%s %s", i ? "," : "",
					 t.name);
	}
	if (used < sizeof(types))
		snprintf(types + used, sizeof(types) - used, " (kexec --list-types says more).");

	fprintf(out, "Usage: kexec [OPTION]... [KERNEL]\n"
		     "Load a kernel for later execution with kexec_file_load(2) or kexec_load(2),\n"
		     "and boot it with reboot(LINUX_REBOOT_CMD_KEXEC).\n");

	fprintf(out, "\nModes:\n");
	help_line(out, " (none)", "Load KERNEL, then run `shutdown -r now`, which boots it.");
	help_line(out, " -l, --load", "Load KERNEL, for kexec -e.");
	help_line(out, " -p, --load-panic", "Load KERNEL as the crash kernel (kdump).");
	help_line(out, " -u, --unload", "Unload the loaded kernel (with -p: the crash kernel).");
	help_line(out, " -e, --exec", "Boot the loaded kernel now: sync, take network "
				      "interfaces down, reboot(LINUX_REBOOT_CMD_KEXEC).");
	help_line(out, " -f, --force", "Load if KERNEL is given, then boot now without calling "
				       "shutdown.");
	help_line(out, " -x, --no-ifdown", "With -e or -f: do not take interfaces down.");
	help_line(out, " -y, --no-sync", "With -e or -f: do not sync filesystems.");
	help_line(out, " -S, --status", "Exit 1 if a kernel is loaded, 0 if not: the crash kernel "
					"by default, the normal one with -l. -S prints nothing (as "
					"kexec-tools); --status also prints a report: both images, "
					"the crashkernel= reservation, the syscalls, and why loads "
					"would be refused.");
	help_line(out, "     --list-types", "List the image formats of this architecture: "
					    "names, aliases, the syscalls that load them.");

	fprintf(out, "\nWhat to load:\n");
	help_line(out, " KERNEL", "The kernel image file.");
	help_line(out, " -t, --type=TYPE", types);
	help_line(out, "     --initrd=FILE", "The initramfs (also --ramdisk).");
	help_line(out, "     --reuseinitrd", "The initrd the running kernel kept (booted with "
					    "retain_initrd: /sys/firmware/initrd).");
	help_line(out, "     --append=STRING", "The new kernel's command line (also "
					      "--command-line; the last one wins).");
	help_line(out, "     --reuse-cmdline", "Start from the running kernel's command line, "
					      "without BOOT_IMAGE= (and crashkernel= with -p); "
					      "--append adds to it.");
	help_line(out, "     --dtb=FILE", "kexec_load on arm64 and riscv64: the device tree to "
					 "start from (default /sys/firmware/fdt).");
	help_line(out, "     --force-dtb", "The next kernel gets the running kernel's device "
					  "tree: what arm64 and riscv64 always do; x86_64: "
					  "kexec_file_load on Linux 6.18+ (KEXEC_FILE_FORCE_DTB).");
	help_line(out, "     --image-size=SIZE", "32-bit ARM, kexec_load: leave at least SIZE "
						   "bytes for the unpacked kernel (the zImage's size "
						   "tag already says how much it needs).");
	help_line(out, "     --dt-no-old-root", "Do not copy root= from the old device tree: "
					      "never done here (bootargs is the command line given).");
	help_line(out, "     --no-cma", "Place nothing in CMA: kexec_file_load on Linux 6.17+ "
				       "(KEXEC_FILE_NO_CMA); kexec_load and older kernels never do.");
	help_line(out, "     --args-linux", "Accepted: what an ELF vmlinux always gets.");

	fprintf(out, "\nSyscall:\n");
	help_line(out, " -s, --kexec-file-syscall", "kexec_file_load(2) only.");
	help_line(out, " -c, --kexec-syscall", "kexec_load(2) only.");
	help_line(out, " -a, --kexec-syscall-auto", "kexec_file_load(2), then kexec_load(2) on "
						"ENOSYS, EINVAL, ENOEXEC or EOPNOTSUPP "
						"(default); straight to kexec_load(2) for an "
						"option only it honours.");

	fprintf(out, "\nkexec_load placement (-s refuses these; -a goes to kexec_load):\n");
	help_line(out, " -i, --no-checks", "The purgatory skips its check of the segments.");
	help_line(out, "     --check=DIGEST", "What the purgatory checks the segments with: xxh3 "
					     "(XXH3-128, the default: at memory speed, against "
					     "accidents) or sha256 (SHA-256).");
	help_line(out, "     --mem-min=ADDR", "Place no segment below ADDR.");
	help_line(out, "     --mem-max=ADDR", "Place no segment above ADDR.");
	help_line(out, "     --elf32-core-headers", "Crash kernels: a 32-bit ELF core header "
						"(--elf64-core-headers: 64-bit; the default is "
						"64-bit, 32-bit on 32-bit ARM).");
	help_line(out, "     --no-efi", "Give the next kernel no EFI state (also --noefi); it "
				       "finds ACPI through the zero page's acpi_rsdp_addr.");
	help_line(out, "     --console-serial", "The purgatory says on the console UART what it "
					       "checks and when it enters the new kernel.");
	help_line(out, "     --console-vga", "x86_64: the purgatory also says what it checks, "
					    "that it enters the new kernel, and its errors on the "
					    "VGA text screen.");
	help_line(out, "     --serial=PORT", "x86_64: the UART the purgatory writes to (its "
					    "progress with --console-serial, and its errors): "
					    "ttyS0..ttyS3 or an I/O port; default COM1.");
	help_line(out, "     --serial-baud=BAUD", "x86_64: program that UART for BAUD (9600 to "
						 "115200, dividing 115200) first; default: as the "
						 "running kernel left it.");

	fprintf(out, "\nCrash kernels (-p):\n");
	help_line(out, "     --hotplug", "On kernels with crash hotplug (6.6+): the kernel "
					"rewrites the core header when CPUs or memory come and "
					"go (kexec_load: x86_64 only).");
	help_line(out, "     --print-ckr-size", "Print the size of the crashkernel= reservation "
					       "in bytes.");

	fprintf(out, "\nOutput:\n");
	help_line(out, "     --dry-run", "Do everything but the syscall, against a simulated "
					"kernel, and print the plan; needs no privileges.");
	help_line(out, "     --json", "Print the report of --dry-run, --status (-S) or "
				     "--list-types as one JSON document (schemas: "
				     "docs/schema/); only with those.");
	help_line(out, " -d, --debug", "Print each step, syscall and fallback; the kernel logs "
				       "its own kexec messages where it can (KEXEC_FILE_DEBUG, "
				       "6.8+; KEXEC_DEBUG, kernels after 7.3).");
	help_line(out, " -v, --version", "Print the version.");
	help_line(out, " -h, --help", "Print this help.");

	fprintf(out, "\nRefused (kexec-tools options this kexec does not honour):\n");
	for (size_t i = 0; i < sizeof(refused_later) / sizeof(refused_later[0]); i++) {
		snprintf(left, sizeof(left), "     --%s", refused_later[i].name);
		help_line(out, left, refused_later[i].why);
	}
	for (size_t i = 0; i < NR_REFUSED; i++) {
		const char *arg = refused[i].has_arg == required_argument ? "=X" : "";

		/* Neighbours refused for the same reason share a line. */
		if (i + 1 < NR_REFUSED && !strcmp(refused[i].why, refused[i + 1].why)) {
			snprintf(left, sizeof(left), "     --%s%s, --%s%s", refused[i].name, arg,
				 refused[i + 1].name,
				 refused[i + 1].has_arg == required_argument ? "=X" : "");
			help_line(out, left, refused[i].why);
			i++;
			continue;
		}
		snprintf(left, sizeof(left), "     --%s%s", refused[i].name, arg);
		help_line(out, left, refused[i].why);
	}

	fprintf(out, "\nExit status: 0 success; 1 bad usage, a refused option or a file that cannot\n"
		     "be read; 255 a load or boot failed. -S and --status: 1 loaded, 0 not loaded.\n");
}

/* --serial: ttyS0..ttyS3 (the PC's COM1..COM4) or an I/O port, as kexec-tools takes it. */
static int parse_serial(const char *arg, uint64_t *out, char *err, size_t errlen)
{
	static const uint16_t com[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
	char *end;

	if (!strncmp(arg, "ttyS", 4) && arg[4] >= '0' && arg[4] <= '3' && !arg[5]) {
		*out = com[arg[4] - '0'];
		return 0;
	}
	errno = 0;
	*out = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || *out == 0 || *out > 0xfff8) {
		snprintf(err, errlen, "bad value for --serial: %s (ttyS0 to ttyS3, or an I/O port "
			 "such as 0x2f8)", arg);
		return -1;
	}
	return 0;
}

/* --serial-baud: what a 16550's divisor of 115200 gives, 9600 and up (kexec-tools' rule). */
static int parse_baud(const char *arg, uint32_t *out, char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || end == arg || *end || v < 9600 || v > 115200 || 115200 % v) {
		snprintf(err, errlen, "bad value for --serial-baud: %s (a speed from 9600 to 115200 "
			 "that divides 115200)", arg);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_addr(const char *opt, const char *arg, uint64_t *out, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 0);
	if (errno || end == arg || *end) {
		snprintf(err, errlen, "bad value for --%s: %s", opt, arg);
		return -1;
	}
	return 0;
}

/*
 * The option getopt_long() refused, as the user typed it. optopt cannot say:
 * for a long option it holds the option's value (OPT_INITRD is not a
 * character), and for an unknown long one it is 0. The argument it stopped
 * at can: "--name[=value]" is a long option, anything else a short one.
 */
static void bad_option(char **argv, bool missing_value, char *err, size_t errlen)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;

	if (arg && !strncmp(arg, "--", 2) && arg[2]) {
		size_t n = strcspn(arg, "=");
		bool known = false;

		for (const struct option *lo = long_options; lo->name; lo++)
			known |= strlen(lo->name) == n - 2 && !strncmp(lo->name, arg + 2, n - 2);
		char cands[256] = "";
		size_t used = 0, nc = 0;

		/* getopt_long's rule: a prefix of several options (of different meanings) is ambiguous. */
		for (const struct option *lo = long_options; lo->name && !known; lo++) {
			bool dup = false;

			if (strncmp(lo->name, arg + 2, n - 2))
				continue;
			for (const struct option *p = long_options; p < lo; p++)
				dup |= p->val == lo->val && !strncmp(p->name, arg + 2, n - 2);
			if (dup)
				continue;
			nc++;
			if (used < sizeof(cands))
				used += (size_t)snprintf(cands + used, sizeof(cands) - used, "%s--%s",
							 used ? ", " : "", lo->name);
		}
		if (missing_value)
			snprintf(err, errlen, "option %.*s needs a value", (int)n, arg);
		else if (known && arg[n] == '=')
			snprintf(err, errlen, "option %.*s takes no value", (int)n, arg);
		else if (nc > 1)
			snprintf(err, errlen, "option %.*s is ambiguous: %s", (int)n, arg, cands);
		else
			snprintf(err, errlen, "unknown option %.*s", (int)n, arg);
	} else if (optopt > ' ' && optopt < 0x7f) {
		if (missing_value)
			snprintf(err, errlen, "option -%c needs a value", optopt);
		else
			snprintf(err, errlen, "unknown option -%c", optopt);
	} else {
		snprintf(err, errlen, "unknown option %s", arg ? arg : "");
	}
}

/* An option as the caller spelled it: "--initrd" (li >= 0) or "-i". */
static void spell(char *buf, size_t len, int c, int li)
{
	if (li >= 0)
		snprintf(buf, len, "--%s", long_options[li].name);
	else
		snprintf(buf, len, "-%c", c);
}

/* Options that only a load uses (what -u, -e and --status would ignore). */
static bool is_load_only(int c)
{
	switch (c) {
	case 'i': case 't': case OPT_APPEND: case OPT_REUSE_CMDLINE: case OPT_INITRD:
	case OPT_DTB: case OPT_ARGS_LINUX: case OPT_ELF32: case OPT_ELF64: case OPT_MEM_MIN:
	case OPT_MEM_MAX: case OPT_ENTRY: case OPT_HOTPLUG: case OPT_NO_EFI:
	case OPT_REUSE_INITRD: case OPT_CONSOLE_SERIAL: case OPT_CONSOLE_VGA: case OPT_SERIAL:
	case OPT_SERIAL_BAUD: case OPT_CHECK: case OPT_NO_CMA: case OPT_FORCE_DTB:
	case OPT_DT_NO_OLD_ROOT: case OPT_IMAGE_SIZE:
		return true;
	default:
		return false;
	}
}

/* A mode (-l, -p, -u, -e, -f, -S, --load-preserve-context): 1 when c is one, else 0. */
static int mode_option(int c, int li, struct kx_opts *o)
{
	switch (c) {
	case 'f':
		o->do_load = true;
		o->do_shutdown = false;
		o->do_sync = true;
		o->do_ifdown = true;
		o->do_exec = true;
		return 1;
	case 'l':
		o->do_load = true;
		o->do_exec = false;
		o->do_shutdown = false;
		o->load_seen = true;
		return 1;
	case 'u':
		o->do_load = false;
		o->do_shutdown = false;
		o->do_sync = false;
		o->do_unload = true;
		return 1;
	case 'e':
		o->do_load = false;
		o->do_shutdown = false;
		o->do_sync = true;
		o->do_ifdown = true;
		o->do_exec = true;
		return 1;
	case 'p':
		o->do_load = true;
		o->do_exec = false;
		o->do_shutdown = false;
		o->do_sync = false;
		o->crash = true;
		return 1;
	case 'S':
		o->do_status = true;
		if (li >= 0)
			o->status_report = true;
		return 1;
	case OPT_PRESERVE:
		o->do_load = true;
		o->do_exec = false;
		o->do_shutdown = false;
		o->do_sync = true;
		o->preserve_context = true;
		return 1;
	default:
		return 0;
	}
}

/* A switch that is no mode (-d, -i, -s, --dry-run, --json...): 1 when c is one, else 0. */
static int switch_option(int c, struct kx_opts *o)
{
	switch (c) {
	case 'h':
		o->help = true;
		return 1;
	case 'v':
		o->version = true;
		return 1;
	case 'd':
		o->debug = true;
		return 1;
	case 'i':
		o->no_checks = true;
		return 1;
	case 's':
		o->syscall = KX_SYSCALL_FILE;
		return 1;
	case 'c':
		o->syscall = KX_SYSCALL_LOAD;
		return 1;
	case 'a':
		o->syscall = KX_SYSCALL_AUTO;
		return 1;
	case OPT_PRINT_CKR:
		o->print_ckr_size = true;
		return 1;
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 1;
	case OPT_JSON:
		o->json = true;
		return 1;
	case OPT_LIST_TYPES:
		o->list_types = true;
		return 1;
	default:
		return 0;
	}
}


/* An option of a load taken as given (--initrd, --append...): 1 when c is one, else 0. */
static int load_option(int c, struct kx_opts *o)
{
	switch (c) {
	case 't':
		o->type = optarg;
		return 1;
	case OPT_APPEND:
		o->append = optarg;
		return 1;
	case OPT_REUSE_CMDLINE:
		o->reuse_cmdline = true;
		return 1;
	case OPT_INITRD:
		o->initrd = optarg;
		return 1;
	case OPT_DTB:
		o->dtb = optarg;
		return 1;
	case OPT_ARGS_LINUX:
		o->args_linux = true;
		return 1;
	case OPT_ELF32:
		o->elf32_core_headers = true;
		o->elf64_core_headers = false;
		return 1;
	case OPT_ELF64:
		o->elf64_core_headers = true;
		o->elf32_core_headers = false;
		return 1;
	case OPT_HOTPLUG:
		o->hotplug = true;
		return 1;
	case OPT_NO_EFI:
		o->no_efi = true;
		return 1;
	case OPT_REUSE_INITRD:
		o->reuse_initrd = true;
		return 1;
	case OPT_CONSOLE_SERIAL:
		o->console_serial = true;
		return 1;
	case OPT_CONSOLE_VGA:
		o->console_vga = true;
		return 1;
	case OPT_NO_CMA:
		o->no_cma = true;
		return 1;
	case OPT_FORCE_DTB:
		o->force_dtb = true;
		return 1;
	case OPT_DT_NO_OLD_ROOT:
		/*
		 * kexec-tools: do not copy root= from the old device
		 * tree's bootargs into the new command line. Never
		 * done here: bootargs is the command line given.
		 */
		return 1;
	default:
		return 0;
	}
}

/* An option whose value is parsed (--mem-min, --serial, --check...): 1, 0 when c is none, -1 bad value. */
static int value_option(int c, struct kx_opts *o, char *err, size_t errlen)
{
	switch (c) {
	case OPT_MEM_MIN:
		if (parse_addr("mem-min", optarg, &o->mem_min, err, errlen) < 0)
			return -1;
		o->have_mem_min = true;
		return 1;
	case OPT_MEM_MAX:
		if (parse_addr("mem-max", optarg, &o->mem_max, err, errlen) < 0)
			return -1;
		o->have_mem_max = true;
		return 1;
	case OPT_ENTRY:
		if (parse_addr("entry", optarg, &o->entry, err, errlen) < 0)
			return -1;
		o->have_entry = true;
		return 1;
	case OPT_SERIAL:
		if (parse_serial(optarg, &o->serial_port, err, errlen) < 0)
			return -1;
		return 1;
	case OPT_SERIAL_BAUD:
		if (parse_baud(optarg, &o->serial_baud, err, errlen) < 0)
			return -1;
		return 1;
	case OPT_CHECK:
		if (!strcmp(optarg, "xxh3")) {
			o->check = LIBKEXEC_CHECK_XXH3;
		} else if (!strcmp(optarg, "sha256")) {
			o->check = LIBKEXEC_CHECK_SHA256;
		} else {
			snprintf(err, errlen, "bad value for --check: %s (xxh3 or sha256)",
				 optarg);
			return -1;
		}
		o->have_check = true;
		return 1;
	case OPT_IMAGE_SIZE:
		if (parse_addr("image-size", optarg, &o->image_size, err, errlen) < 0)
			return -1;
		return 1;
	default:
		return 0;
	}
}


/* Values that contradict each other. */
static int check_values(const struct kx_opts *o, char *err, size_t errlen)
{
	/* kexec-tools would search an empty window and say it found no room. */
	if (o->have_mem_min && o->have_mem_max && o->mem_min > o->mem_max) {
		snprintf(err, errlen, "--mem-min=%#" PRIx64 " is above --mem-max=%#" PRIx64,
			 o->mem_min, o->mem_max);
		return -1;
	}
	if (o->have_check && o->no_checks) {
		snprintf(err, errlen, "--check chooses the purgatory's check, which -i (--no-checks) "
			 "turns off: give one of them");
		return -1;
	}
	return 0;
}

/*
 * Nothing accepted and ignored: options that the mode given does not use,
 * and modes that do not go together.
 */
static int check_combinations(const struct kx_opts *o, const char *load_only,
			      const char *syscall_opt, char *err, size_t errlen)
{
	if (o->help || o->version)
		return 0;
	/*
	 * Nothing accepted and ignored: what only a load uses, when nothing is
	 * loaded (-u, -e, --status: the mode given last decides, as in kexec-tools,
	 * which ignores them), and a choice of system call, or -p, for -e alone.
	 */
	if (!o->do_load && !o->list_types && !o->print_ckr_size && (load_only[0] || o->kernel)) {
		const char *what = o->do_status ? "--status" : o->do_unload ? "-u" : "-e";

		if (load_only[0])
			snprintf(err, errlen, "%s is for loading a kernel (-l, -p, -f): %s loads nothing",
				 load_only, what);
		else
			snprintf(err, errlen, "unexpected argument %s: %s loads no kernel (a kernel is "
				 "loaded with -l, -p or -f)", o->kernel, what);
		return -1;
	}
	if (!o->do_load && !o->do_unload && !o->do_status && o->do_exec) {
		if (syscall_opt[0]) {
			snprintf(err, errlen, "%s chooses how a kernel is loaded: -e loads nothing (it "
				 "boots the kernel loaded before)", syscall_opt);
			return -1;
		}
		if (o->crash) {
			snprintf(err, errlen, "-p with -e: -e boots the kernel loaded with -l; the "
				 "crash kernel boots only on a panic");
			return -1;
		}
	}
	/* Nothing accepted and ignored: --list-types is a mode of its own. */
	if (o->list_types && (o->mode_option || o->kernel)) {
		snprintf(err, errlen, "--list-types lists the image formats and does nothing else: "
			 "drop %s", o->mode_option ? o->mode_option : o->kernel);
		return -1;
	}
	if (o->json && o->print_ckr_size) {
		snprintf(err, errlen, "--json is not for --print-ckr-size, which prints a number "
			 "(kexec --status --json has the reservation's size and ranges)");
		return -1;
	}
	if (o->json && !o->dry_run && !o->do_status && !o->list_types) {
		snprintf(err, errlen, "--json prints the report of --dry-run, --status (-S) or "
			 "--list-types; a real load, unload or boot has none");
		return -1;
	}
	return 0;
}

/*
 * As the user spelled them, for the messages: the first mode option (which
 * --list-types names), the first option only a load uses, and the first
 * syscall choice (both 64 bytes).
 */
static void note_spelling(int c, int li, struct kx_opts *o, char *load_only, char *syscall_opt)
{
	if (!o->mode_option && ((c > 0 && c < 0x7f && strchr("fluepS", c)) ||
				c == OPT_PRESERVE || c == OPT_PRINT_CKR)) {
		static char mode[64];

		spell(mode, sizeof(mode), c, li);
		o->mode_option = mode;
	}
	if (!load_only[0] && is_load_only(c))
		spell(load_only, 64, c, li);
	if (!syscall_opt[0] && c > 0 && c < 0x7f && strchr("sca", c))
		spell(syscall_opt, 64, c, li);
}

int kx_parse_options(int argc, char **argv, struct kx_opts *o, char *err, size_t errlen)
{
	bool skip_sync = false, skip_ifdown = false;
	/* The first option only a load uses, and the first syscall choice, as spelled. */
	char load_only[64] = "", syscall_opt[64] = "";
	int c, li, r;

	memset(o, 0, sizeof(*o));
	o->do_load = true;
	o->do_shutdown = true;
	o->do_sync = true;
	err[0] = '\0';

	build_long_options();
	optind = 0; /* glibc: 0 re-initializes getopt completely */
	opterr = 0;
	/* li: the long option's index, -1 for a short one (-S and --status differ). */
	while ((li = -1, c = getopt_long(argc, argv, short_options, long_options, &li)) != -1) {
		note_spelling(c, li, o, load_only, syscall_opt);
		r = mode_option(c, li, o);
		if (r == 0)
			r = switch_option(c, o);
		if (r == 0)
			r = load_option(c, o);
		if (r == 0)
			r = value_option(c, o, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case 'x':
			skip_ifdown = true;
			break;
		case 'y':
			skip_sync = true;
			break;
		case ':':
			bad_option(argv, true, err, errlen);
			return -1;
		case OPT_REFUSED_BASE ... OPT_REFUSED_BASE + 63:
			if ((size_t)(c - OPT_REFUSED_BASE) >= NR_REFUSED) {
				bad_option(argv, false, err, errlen);
				return -1;
			}
			snprintf(err, errlen, "option --%s is not supported: %s",
				 refused[c - OPT_REFUSED_BASE].name, refused[c - OPT_REFUSED_BASE].why);
			return -1;
		default:
			bad_option(argv, false, err, errlen);
			return -1;
		}
	}
	if (skip_ifdown)
		o->do_ifdown = false;
	if (skip_sync)
		o->do_sync = false;
	if (o->do_status) {
		o->do_load = o->do_unload = o->do_shutdown = false;
		o->do_sync = o->do_ifdown = o->do_exec = false;
	}
	if (check_values(o, err, errlen) < 0)
		return -1;
	if (optind < argc)
		o->kernel = argv[optind];
	if (optind + 1 < argc) {
		snprintf(err, errlen, "unexpected argument %s (only one kernel can be given)",
			 argv[optind + 1]);
		return -1;
	}
	return check_combinations(o, load_only, syscall_opt, err, errlen);
}
