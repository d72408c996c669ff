/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the command shows (tools/report.c), from what tools/kexec.c hands it. */
#ifndef KEXEC_REPORT_H
#define KEXEC_REPORT_H

#include "libkexec.h"
#include "options.h"

/* A load the kernel or our checks refuse; -S/--status: the status cannot be read. */
#define EXIT_LOAD_FAILED 255

/*
 * What a run does, in this order: tools/kexec.c decides it once from the
 * options, runs it, and hands it to the JSON plan's "actions".
 */
enum kx_action {
	KX_ACT_UNLOAD = 1 << 0,
	KX_ACT_LOAD = 1 << 1,
	KX_ACT_SHUTDOWN = 1 << 2,
	KX_ACT_SYNC = 1 << 3,
	KX_ACT_IFDOWN = 1 << 4,
	KX_ACT_REBOOT = 1 << 5,
};

/* What the command tells the report about its run (print_plan_document). */
struct kx_run {
	unsigned actions;    /* KX_ACT_* */
	int exit_status;
	const char *error;   /* the error line it printed last, or "" */
};

/*
 * --dry-run: each load attempt (its syscall, and the error line when it
 * failed) for the JSON plan; the plan of a prepared kexec_file_load or
 * kexec_load (printed now as a table, kept for the JSON document); and with
 * --json, the one document, once the command knows its exit status ret.
 */
void plan_attempt(const char *syscall, int r, const char *err);
void print_plan(const struct kx_opts *o, const struct kexec_plan *plan);
void print_plan_document(struct kexec_ctx *ctx, const struct kx_opts *o, const struct kx_run *run);

/*
 * -S and --status (the report, as a table or JSON); returns the exit status.
 * A line for stderr (an error, or with -d a debug line) goes into line
 * ("" when none), for the caller to print.
 */
int report_status(struct kexec_ctx *ctx, const struct kx_opts *o, char *line, size_t len);
/* --list-types; returns the exit status. */
int report_types(struct kexec_ctx *ctx, const struct kx_opts *o);

#endif
