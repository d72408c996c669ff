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
	  "the purgatory enters the kernel's 64-bit entry point, not its 32-bit one" },
	{ "real-mode", no_argument,
	  "the purgatory enters the kernel's 64-bit entry point, not real mode" },
	{ "reset-vga", no_argument, "the purgatory does not reset VGA devices" },
	{ "console-vga", no_argument, "the purgatory does not write to a VGA console" },
	{ "pass-memmap-cmdline", no_argument,
	  "the crash kernel gets its memory map in the zero page's e820 table, not as "
	  "memmap= on its command line" },
	{ "reuse-video-type", no_argument,
	  "the zero page's screen_info is the running kernel's own already" },
	{ "serial", required_argument,
	  "the purgatory prints its errors on the console UART the running kernel used "
	  "(COM1 on x86_64, the device tree's on arm64), not on another one" },
	{ "serial-baud", required_argument,
	  "the purgatory uses the console UART as the running kernel left it, at its speed" },
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

void kx_usage(FILE *out)
{
	const struct kexec_image_type *t;
	size_t n = kexec_image_types(NULL, &t), used = 0;
	char types[1024] = "";

	/* The formats of this architecture, from the library's table. */
	for (size_t i = 0; i < n && used < sizeof(types); i++)
		used += (size_t)snprintf(types + used, sizeof(types) - used,
					 "                             %-11s %s\n", t[i].name,
					 t[i].summary);
	fprintf(out, "Usage: kexec [OPTION]... [KERNEL]\n"
	      "Load a kernel for later execution with kexec_file_load(2) or kexec_load(2),\n"
	      "and boot it with reboot(LINUX_REBOOT_CMD_KEXEC).\n"
	      "\n"
	      " -l, --load                Load KERNEL into the current kernel.\n"
	      " -p, --load-panic          Load KERNEL as the crash kernel (kdump).\n"
	      " -u, --unload              Unload the loaded kernel (with -p: the crash kernel).\n"
	      " -e, --exec                Boot the loaded kernel now.\n"
	      " -f, --force               Load if KERNEL is given, then boot now without\n"
	      "                           calling shutdown.\n"
	      " -x, --no-ifdown           Do not take network interfaces down before -e.\n"
	      " -y, --no-sync             Do not sync filesystems before -e.\n"
	      " -s, --kexec-file-syscall  Use kexec_file_load(2) only.\n"
	      " -c, --kexec-syscall       Use kexec_load(2) only.\n"
	      " -a, --kexec-syscall-auto  Try kexec_file_load(2), fall back to kexec_load(2)\n"
	      "                           on ENOSYS, EINVAL, ENOEXEC or EOPNOTSUPP (default).\n"
	      " -i, --no-checks           Skip the purgatory's checksum of the loaded segments.\n"
	      " -t, --type=TYPE           Kernel image type (detected when not given):\n"
	      "%s"
	      " -S, --status              Exit 1 if a kernel is loaded, 0 if not: the crash\n"
	      "                           kernel by default, the normal one with -l.\n"
	      " -d, --debug               Print each step, syscall and fallback.\n"
	      " -v, --version             Print the version.\n"
	      " -h, --help                Print this help.\n"
	      "     --append=STRING       The new kernel's command line (also --command-line).\n"
	      "     --reuse-cmdline       Start from the running kernel's command line, without\n"
	      "                           BOOT_IMAGE= (and crashkernel= with -p).\n"
	      "     --initrd=FILE         The initramfs (also --ramdisk).\n"
	      "     --dtb=FILE            kexec_load on arm64: the device tree to start from\n"
	      "                           (default /sys/firmware/fdt).\n"
	      "     --no-efi              kexec_load: give the next kernel no EFI state (it\n"
	      "                           finds ACPI through the zero page's acpi_rsdp_addr).\n"
	      "     --print-ckr-size      Print the size of the crashkernel= reservation.\n"
	      "     --dry-run             Do all the work but the system call and print the plan;\n"
	      "                           needs no privileges.\n"
	      "     --mem-min=ADDR, --mem-max=ADDR, --elf32-core-headers, --elf64-core-headers,\n"
	      "     --args-linux, --hotplug: kexec-tools' meaning (-i, --mem-*, --elf32-core-headers\n"
	      "                           and --no-efi are kexec_load's: -s refuses them).\n"
	      "     --console-serial      kexec_load: the purgatory says on the console UART what\n"
	      "                           it checks and when it enters the new kernel.\n"
	      "     --load-preserve-context, --entry=ADDR, --reuseinitrd: refused (see the README).\n"
	      "\n"
	      "With no mode option, KERNEL is loaded and `shutdown -r now` is run.\n"
	      "Exit status: 0 success, 1 usage or fatal error, 255 a load or boot failed.\n",
	      types);
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

int kx_parse_options(int argc, char **argv, struct kx_opts *o, char *err, size_t errlen)
{
	bool skip_sync = false, skip_ifdown = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->do_load = true;
	o->do_shutdown = true;
	o->do_sync = true;
	err[0] = '\0';

	build_long_options();
	optind = 0; /* glibc: 0 re-initializes getopt completely */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			o->help = true;
			break;
		case 'v':
			o->version = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case 'x':
			skip_ifdown = true;
			break;
		case 'y':
			skip_sync = true;
			break;
		case 'f':
			o->do_load = true;
			o->do_shutdown = false;
			o->do_sync = true;
			o->do_ifdown = true;
			o->do_exec = true;
			break;
		case 'l':
			o->do_load = true;
			o->do_exec = false;
			o->do_shutdown = false;
			o->load_seen = true;
			break;
		case 'u':
			o->do_load = false;
			o->do_shutdown = false;
			o->do_sync = false;
			o->do_unload = true;
			break;
		case 'e':
			o->do_load = false;
			o->do_shutdown = false;
			o->do_sync = true;
			o->do_ifdown = true;
			o->do_exec = true;
			break;
		case 'p':
			o->do_load = true;
			o->do_exec = false;
			o->do_shutdown = false;
			o->do_sync = false;
			o->crash = true;
			break;
		case 'S':
			o->do_status = true;
			break;
		case 'i':
			o->no_checks = true;
			break;
		case 's':
			o->syscall = KX_SYSCALL_FILE;
			break;
		case 'c':
			o->syscall = KX_SYSCALL_LOAD;
			break;
		case 'a':
			o->syscall = KX_SYSCALL_AUTO;
			break;
		case 't':
			o->type = optarg;
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case OPT_REUSE_CMDLINE:
			o->reuse_cmdline = true;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_DTB:
			o->dtb = optarg;
			break;
		case OPT_ARGS_LINUX:
			o->args_linux = true;
			break;
		case OPT_ELF32:
			o->elf32_core_headers = true;
			o->elf64_core_headers = false;
			break;
		case OPT_ELF64:
			o->elf64_core_headers = true;
			o->elf32_core_headers = false;
			break;
		case OPT_MEM_MIN:
			if (parse_addr("mem-min", optarg, &o->mem_min, err, errlen) < 0)
				return -1;
			o->have_mem_min = true;
			break;
		case OPT_MEM_MAX:
			if (parse_addr("mem-max", optarg, &o->mem_max, err, errlen) < 0)
				return -1;
			o->have_mem_max = true;
			break;
		case OPT_ENTRY:
			if (parse_addr("entry", optarg, &o->entry, err, errlen) < 0)
				return -1;
			o->have_entry = true;
			break;
		case OPT_PRESERVE:
			o->do_load = true;
			o->do_exec = false;
			o->do_shutdown = false;
			o->do_sync = true;
			o->preserve_context = true;
			break;
		case OPT_PRINT_CKR:
			o->print_ckr_size = true;
			break;
		case OPT_HOTPLUG:
			o->hotplug = true;
			break;
		case OPT_NO_EFI:
			o->no_efi = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_REUSE_INITRD:
			o->reuse_initrd = true;
			break;
		case OPT_CONSOLE_SERIAL:
			o->console_serial = true;
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
	/* kexec-tools would search an empty window and say it found no room. */
	if (o->have_mem_min && o->have_mem_max && o->mem_min > o->mem_max) {
		snprintf(err, errlen, "--mem-min=%#" PRIx64 " is above --mem-max=%#" PRIx64,
			 o->mem_min, o->mem_max);
		return -1;
	}
	if (optind < argc)
		o->kernel = argv[optind];
	if (optind + 1 < argc) {
		snprintf(err, errlen, "unexpected argument %s (only one kernel can be given)",
			 argv[optind + 1]);
		return -1;
	}
	return 0;
}
