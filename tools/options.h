/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kexec command's options, with kexec-tools' names and meanings. */
#ifndef KEXEC_OPTIONS_H
#define KEXEC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum kx_syscall {
	KX_SYSCALL_AUTO = 0, /* -a, the default: kexec_file_load, then kexec_load */
	KX_SYSCALL_FILE,     /* -s */
	KX_SYSCALL_LOAD,     /* -c */
};

struct kx_opts {
	/* What to do, in kexec-tools' order: status, unload, load, shutdown, sync, ifdown, exec. */
	bool do_load, do_unload, do_status, do_shutdown, do_sync, do_ifdown, do_exec;
	bool crash;            /* -p: the crash image */
	bool load_seen;        /* -l was given (so -S reports the normal image) */
	bool preserve_context; /* --load-preserve-context */
	enum kx_syscall syscall;
	bool no_checks, debug, dry_run, reuse_cmdline, reuse_initrd;
	bool print_ckr_size, help, version;
	bool elf32_core_headers, elf64_core_headers, hotplug, no_efi, args_linux;
	bool console_serial;   /* --console-serial: the purgatory's progress on the console */
	bool console_vga;      /* --console-vga: the purgatory's progress and errors on VGA text */
	uint64_t serial_port;  /* --serial: the purgatory's UART (x86 I/O port); 0: COM1 */
	uint32_t serial_baud;  /* --serial-baud; 0: as the running kernel left the UART */
	bool no_cma;           /* --no-cma: LIBKEXEC_OPT_NO_CMA */
	bool force_dtb;        /* --force-dtb: LIBKEXEC_OPT_FORCE_DTB */
	bool have_check;       /* --check was given */
	uint32_t check;        /* --check: LIBKEXEC_CHECK_* */
	bool status_report;    /* --status, the long form: -S's exit status, and a report */
	bool list_types;       /* --list-types: the formats of the architecture */
	bool json;             /* --json: the report of --dry-run, --status or --list-types as JSON */
	const char *mode_option; /* the first mode option given (-l, -p, -u, -e, -f, -S ...) */
	const char *type;
	const char *append;    /* --append / --command-line: last wins */
	const char *initrd;    /* --initrd / --ramdisk */
	const char *dtb;
	const char *kernel;    /* first non-option argument */
	bool have_mem_min, have_mem_max, have_entry;
	uint64_t mem_min, mem_max, entry;
	uint64_t image_size;   /* --image-size (32-bit ARM): kx_load_request.kernel_room; 0: none */
};

/*
 * Parse argv. Returns 0, or -1 with a one-line message in err (exit status 1,
 * as kexec-tools). Resets getopt, so it can be called more than once.
 */
int kx_parse_options(int argc, char **argv, struct kx_opts *o, char *err, size_t errlen);
void kx_usage(FILE *out);

#endif
