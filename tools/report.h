/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the command shows (tools/report.c) and its one error line (tools/kexec.c). */
#ifndef KEXEC_REPORT_H
#define KEXEC_REPORT_H

#include "libkexec.h"
#include "options.h"

/* A load the kernel or our checks refuse; -S/--status: the status cannot be read. */
#define EXIT_LOAD_FAILED 255

/* The one error line ("kexec: ..." on stderr), remembered for a JSON plan's "error". */
void die_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern char last_error[8192];

/*
 * --dry-run: each load attempt (its syscall, and the error line when it
 * failed) for the JSON plan; the plan of a prepared kexec_file_load or
 * kexec_load (printed now as a table, kept for the JSON document); and with
 * --json, the one document, once the command knows its exit status ret.
 */
void plan_attempt(const char *syscall, int r, const char *err);
void print_file_plan(const struct kx_opts *o, const struct kexec_file_plan *plan);
void print_load_plan(const struct kexec_ctx *ctx, const struct kx_opts *o,
		     const struct kexec_load_plan *plan, const char *cmdline);
void print_plan_document(struct kexec_ctx *ctx, const struct kx_opts *o, int ret);

/* -S and --status (the report, as a table or JSON); returns the exit status. */
int report_status(struct kexec_ctx *ctx, const struct kx_opts *o);
/* --list-types; returns the exit status. */
int report_types(struct kexec_ctx *ctx, const struct kx_opts *o);

#endif
