// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The public plan (struct kexec_plan): one request for either system call,
 * copied the libbpf way (LIBKEXEC_OPTS(): fields up to the caller's sz, a
 * set byte past the last known field refused), handed to the planner of
 * its system call (lib/file_load.c, lib/load.c), and held, opaque and
 * reference-counted, for the accessors below.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "libkexec-internal.h"

struct kexec_plan {
	unsigned int refs;
	unsigned int syscall;       /* LIBKEXEC_SYSCALL_* */
	union {
		struct kx_file_plan file;
		struct kx_load_plan load;
	} u;
	/* The load plan's files, which its planner keeps only as mappings. */
	char *kernel_path;
	char *initrd_path;
	bool segment_digests;
};

static const char *const role_names[] = {
	[LIBKEXEC_SEGMENT_KERNEL] = "kernel",
	[LIBKEXEC_SEGMENT_INITRD] = "initrd",
	[LIBKEXEC_SEGMENT_DTB] = "dtb",
	[LIBKEXEC_SEGMENT_CMDLINE] = "cmdline",
	[LIBKEXEC_SEGMENT_BOOT_PARAMS] = "boot_params",
	[LIBKEXEC_SEGMENT_ELFCOREHDR] = "elfcorehdr",
	[LIBKEXEC_SEGMENT_BACKUP] = "backup",
	[LIBKEXEC_SEGMENT_PURGATORY] = "purgatory",
};

KX_EXPORT const char *kexec_segment_role_name(enum kexec_segment_role role)
{
	return (size_t)role < ARRAY_SIZE(role_names) ? role_names[role] : NULL;
}

/* The fields a kexec_file_load cannot honour, with the option that sets them. */
static const char *load_only_field(const struct kexec_request *r)
{
	const struct {
		bool set;
		const char *name;
	} f[] = {
		{ r->type != NULL, "type (-t)" },
		{ r->dtb != NULL, "dtb (--dtb)" },
		{ r->no_checks, "no_checks (-i)" },
		{ r->check != 0, "check (--check)" },
		{ r->segment_digests, "segment_digests" },
		{ r->mem_min != 0, "mem_min (--mem-min)" },
		{ r->mem_max != 0, "mem_max (--mem-max)" },
		{ r->no_efi, "no_efi (--no-efi)" },
		{ r->elf32_core_headers, "elf32_core_headers (--elf32-core-headers)" },
		{ r->elf64_core_headers, "elf64_core_headers (--elf64-core-headers)" },
		{ r->hotplug, "hotplug (--hotplug)" },
		{ r->console_progress, "console_progress (--console-serial)" },
		{ r->console_vga, "console_vga (--console-vga)" },
		{ r->console_base != 0, "console_base (--serial)" },
		{ r->console_baud != 0, "console_baud (--serial-baud)" },
		{ r->kernel_room != 0, "kernel_room (--image-size)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (f[i].set)
			return f[i].name;
	return NULL;
}

static int plan_file(struct kexec_ctx *ctx, const struct kexec_request *r, struct kexec_plan *p)
{
	const char *field = load_only_field(r);
	KX_REQUEST(kx_file_request, req,
		.kernel = r->kernel,
		.initrd = r->initrd,
		.cmdline = r->cmdline,
		.crash = r->crash,
		.reuse_initrd = r->reuse_initrd,
		.options = r->options,
	);

	if (field) {
		kx_err(ctx, "cannot load %s: %s is honoured only by kexec_load, not by the "
			    "kernel's kexec_file_load",
		       r->kernel ? r->kernel : "a kernel", field);
		return -EINVAL;
	}
	return kx_file_plan_prepare(ctx, &req, &p->u.file);
}

static int plan_load(struct kexec_ctx *ctx, const struct kexec_request *r, struct kexec_plan *p)
{
	KX_REQUEST(kx_load_request, req,
		.kernel = r->kernel,
		.initrd = r->initrd,
		.cmdline = r->cmdline,
		.type = r->type,
		.crash = r->crash,
		.no_checks = r->no_checks,
		.elf32_core_headers = r->elf32_core_headers,
		.elf64_core_headers = r->elf64_core_headers,
		.segment_digests = r->segment_digests,
		.mem_min = r->mem_min,
		.mem_max = r->mem_max,
		.no_efi = r->no_efi,
		.dtb = r->dtb,
		.console_progress = r->console_progress,
		.console_vga = r->console_vga,
		.hotplug = r->hotplug,
		.console_base = r->console_base,
		.console_baud = r->console_baud,
		.reuse_initrd = r->reuse_initrd,
		.check = r->check,
		.options = r->options,
		.kernel_room = r->kernel_room,
	);

	p->segment_digests = r->segment_digests;
	p->kernel_path = r->kernel ? strdup(r->kernel) : NULL;
	p->initrd_path = r->reuse_initrd ? strdup("/sys/firmware/initrd")
		       : r->initrd ? strdup(r->initrd) : NULL;
	if ((r->kernel && !p->kernel_path) || ((r->initrd || r->reuse_initrd) && !p->initrd_path))
		return -ENOMEM;
	return kx_load_plan_prepare(ctx, &req, &p->u.load);
}

KX_EXPORT int kexec_plan_new(struct kexec_ctx *ctx, const struct kexec_request *in,
			     struct kexec_plan **out)
{
	struct kexec_request req;
	struct kexec_plan *p;
	int r;

	if (!ctx || !in || !out)
		return -EINVAL;
	*out = NULL;
	r = kx_request_copy(ctx, "kexec_plan_new", in, in->sz, &req, sizeof(req),
			    KX_SIZE_TO(struct kexec_request, kernel_room));
	if (r < 0)
		return r;
	if (req.syscall != LIBKEXEC_SYSCALL_FILE_LOAD && req.syscall != LIBKEXEC_SYSCALL_LOAD) {
		kx_err(ctx, "kexec_plan_new: request.syscall is %u, not LIBKEXEC_SYSCALL_FILE_LOAD "
			    "(%u) or LIBKEXEC_SYSCALL_LOAD (%u)",
		       req.syscall, LIBKEXEC_SYSCALL_FILE_LOAD, LIBKEXEC_SYSCALL_LOAD);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->refs = 1;
	p->syscall = req.syscall;
	r = p->syscall == LIBKEXEC_SYSCALL_FILE_LOAD ? plan_file(ctx, &req, p)
						     : plan_load(ctx, &req, p);
	if (r < 0) {
		/* Each planner freed its own part on failure. */
		free(p->kernel_path);
		free(p->initrd_path);
		free(p);
		return r;
	}
	*out = p;
	return 0;
}

KX_EXPORT struct kexec_plan *kexec_plan_ref(struct kexec_plan *plan)
{
	if (plan)
		plan->refs++;
	return plan;
}

KX_EXPORT struct kexec_plan *kexec_plan_unref(struct kexec_plan *plan)
{
	if (!plan || --plan->refs)
		return NULL;
	if (plan->syscall == LIBKEXEC_SYSCALL_FILE_LOAD)
		kx_file_plan_free(&plan->u.file);
	else
		kx_load_plan_free(&plan->u.load);
	free(plan->kernel_path);
	free(plan->initrd_path);
	free(plan);
	return NULL;
}

KX_EXPORT int kexec_plan_load(struct kexec_ctx *ctx, const struct kexec_plan *plan)
{
	if (!ctx || !plan)
		return -EINVAL;
	return plan->syscall == LIBKEXEC_SYSCALL_FILE_LOAD ? kx_file_plan_load(ctx, &plan->u.file)
							  : kx_load_plan_load(ctx, &plan->u.load);
}

KX_EXPORT unsigned int kexec_plan_syscall(const struct kexec_plan *plan)
{
	return plan ? plan->syscall : 0;
}

KX_EXPORT int kexec_plan_image(const struct kexec_plan *plan, struct kexec_image_info *info)
{
	const struct kx_load *l;

	if (!plan || !info)
		return -EINVAL;
	if (plan->syscall == LIBKEXEC_SYSCALL_FILE_LOAD)
		return kx_fill_out(info, &plan->u.file.image, sizeof(plan->u.file.image));
	l = plan->u.load.priv;
	return kx_fill_out(info, &l->img.info, sizeof(l->img.info));
}

KX_EXPORT int kexec_plan_layers(const struct kexec_plan *plan, struct kexec_image_layers *layers)
{
	if (!plan || !layers)
		return -EINVAL;
	return plan->syscall == LIBKEXEC_SYSCALL_FILE_LOAD
		       ? kx_file_plan_layers(&plan->u.file, layers)
		       : kx_load_plan_layers(&plan->u.load, layers);
}

KX_EXPORT const char *kexec_plan_cmdline(const struct kexec_plan *plan)
{
	struct kexec_image_layers layers = { .sz = sizeof(layers) };

	if (!plan || kexec_plan_layers(plan, &layers) < 0)
		return NULL;
	return layers.cmdline;
}

KX_EXPORT unsigned long kexec_plan_flags(const struct kexec_plan *plan)
{
	if (!plan)
		return 0;
	return plan->syscall == LIBKEXEC_SYSCALL_FILE_LOAD ? plan->u.file.flags
							  : plan->u.load.flags;
}

/* A load plan's initrd: the segment that holds it (none: 0 bytes). */
static uint64_t load_initrd_size(const struct kx_load_plan *p)
{
	for (size_t i = 0; i < p->segs.nr; i++)
		if (p->info[i].role == LIBKEXEC_SEGMENT_INITRD)
			return p->segs.seg[i].bufsz;
	return 0;
}

KX_EXPORT int kexec_plan_files(const struct kexec_plan *plan, struct kexec_plan_files *files)
{
	const struct kx_file_plan *f;
	const struct kx_load *l;
	struct kexec_plan_files out = { .sz = sizeof(out), .kernel_fd = -1, .initrd_fd = -1 };

	if (!plan || !files)
		return -EINVAL;
	if (plan->syscall == LIBKEXEC_SYSCALL_FILE_LOAD) {
		f = &plan->u.file;
		out.kernel_path = f->kernel_path;
		out.initrd_path = f->initrd_path;
		out.kernel_size = f->kernel_size;
		out.initrd_size = f->initrd_size;
		out.kernel_fd = f->kernel_fd;
		out.initrd_fd = f->initrd_fd;
	} else {
		l = plan->u.load.priv;
		out.kernel_path = plan->kernel_path;
		out.kernel_size = l->img.u.len;
		out.initrd_size = load_initrd_size(&plan->u.load);
		out.initrd_path = out.initrd_size ? plan->initrd_path : NULL;
	}
	return kx_fill_out(files, &out, sizeof(out));
}

KX_EXPORT unsigned long kexec_plan_entry(const struct kexec_plan *plan)
{
	return plan && plan->syscall == LIBKEXEC_SYSCALL_LOAD ? plan->u.load.entry : 0;
}

KX_EXPORT size_t kexec_plan_nr_segments(const struct kexec_plan *plan)
{
	return plan && plan->syscall == LIBKEXEC_SYSCALL_LOAD ? plan->u.load.segs.nr : 0;
}

KX_EXPORT int kexec_plan_segment(const struct kexec_plan *plan, size_t i,
				 struct kexec_plan_segment *seg)
{
	const struct kexec_segment *s;
	struct kexec_plan_segment out;

	if (!plan || !seg)
		return -EINVAL;
	if (i >= kexec_plan_nr_segments(plan))
		return -ERANGE;
	s = &plan->u.load.segs.seg[i];
	out = (struct kexec_plan_segment){
		.sz = sizeof(out),
		.role = plan->u.load.info[i].role,
		.buf = s->buf,
		.bufsz = s->bufsz,
		.mem = (uintptr_t)s->mem,
		.memsz = s->memsz,
		.have_sha256 = plan->segment_digests,
	};
	memcpy(out.sha256, plan->u.load.info[i].sha256, sizeof(out.sha256));
	return kx_fill_out(seg, &out, sizeof(out));
}
