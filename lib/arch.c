/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The architecture and format tables (lib/arch.h), and what asks them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"

/* Every architecture: one line each. */
static const struct kx_arch *const kx_arches[] = {
	&kx_arch_x86_64,
	&kx_arch_arm64,
	&kx_arch_riscv64,
};

const struct kx_arch *kx_arch_by_kexec_arch(unsigned long kexec_arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(kx_arches); i++)
		if (kx_arches[i]->kexec_arch == kexec_arch)
			return kx_arches[i];
	return NULL;
}

const struct kx_arch *kx_arch_by_e_machine(uint16_t e_machine)
{
	for (size_t i = 0; i < ARRAY_SIZE(kx_arches); i++)
		if (kx_arches[i]->e_machine == e_machine)
			return kx_arches[i];
	return NULL;
}

const struct kx_arch *kx_arch_of(const struct kexec_ctx *ctx)
{
	if (ctx && ctx->arch)
		return ctx->arch;
	return kx_arch_by_kexec_arch(kexec_native_arch());
}

KX_EXPORT const char *kexec_arch_name(unsigned long kexec_arch)
{
	const struct kx_arch *a = kx_arch_by_kexec_arch(kexec_arch);

	return a ? a->name : NULL;
}

KX_EXPORT int kexec_ctx_set_arch(struct kexec_ctx *ctx, unsigned long kexec_arch)
{
	const struct kx_arch *a = kx_arch_by_kexec_arch(kexec_arch);

	if (!a)
		return -EOPNOTSUPP;
	ctx->arch = a;
	return 0;
}

KX_EXPORT unsigned long kexec_ctx_get_arch(const struct kexec_ctx *ctx)
{
	const struct kx_arch *a = kx_arch_of(ctx);

	return a ? a->kexec_arch : kexec_native_arch();
}

uint64_t kx_page_size(const struct kexec_ctx *ctx)
{
	const struct kx_arch *a = kx_arch_of(ctx);
	long ps;

	/* The running kernel's own (arm64: 4, 16 or 64 KiB), when it is the one we plan for. */
	if (a && a->kexec_arch == kexec_native_arch()) {
		ps = sysconf(_SC_PAGESIZE);
		if (ps > 0)
			return (uint64_t)ps;
	}
	return a ? a->page_size : 4096;
}

KX_EXPORT size_t kexec_image_types(const struct kexec_ctx *ctx,
				   const struct kexec_image_type **types)
{
	/* The table holds kx_format; its first member is the public type. */
	static __thread struct kexec_image_type list[16];
	const struct kx_arch *a = kx_arch_of(ctx);
	size_t n = 0;

	for (size_t i = 0; a && i < a->nr_formats && n < ARRAY_SIZE(list); i++)
		list[n++] = a->formats[i]->type;
	*types = list;
	return n;
}

const struct kx_format *kx_format_by_name(const struct kx_arch *arch, const char *name)
{
	for (size_t i = 0; i < arch->nr_formats; i++) {
		const struct kx_format *f = arch->formats[i];

		if (!strcasecmp(f->type.name, name))
			return f;
		for (const char *const *al = f->type.aliases; al && *al; al++)
			if (!strcasecmp(*al, name))
				return f;
	}
	return NULL;
}

KX_EXPORT const struct kexec_image_type *kexec_image_type_find(const struct kexec_ctx *ctx,
								 const char *name)
{
	const struct kx_arch *a = kx_arch_of(ctx);
	const struct kx_format *f = a && name ? kx_format_by_name(a, name) : NULL;

	return f ? &f->type : NULL;
}

int kx_format_probe(const struct kx_arch *arch, const void *buf, size_t len,
		    const struct kx_format **fmt, struct kexec_image_info *info, char *reason,
		    size_t reason_len)
{
	size_t used = 0;

	if (reason_len)
		reason[0] = '\0';
	for (size_t i = 0; i < arch->nr_formats; i++) {
		const char *why = NULL;

		memset(info, 0, sizeof(*info));
		info->cmdline_max = UINT32_MAX;
		if (arch->formats[i]->probe(buf, len, info, &why) == 0) {
			info->format = arch->formats[i]->type.name;
			if (!info->compression)
				info->compression = "none";
			info->file_size = len;
			*fmt = arch->formats[i];
			return 0;
		}
		if (used < reason_len)
			used += (size_t)snprintf(reason + used, reason_len - used, "%s%s: %s",
						 i ? "; " : "", arch->formats[i]->type.name,
						 why ? why : "not this format");
	}
	*fmt = NULL;
	memset(info, 0, sizeof(*info));
	return -ENOEXEC;
}

KX_EXPORT int kexec_image_probe(const struct kexec_ctx *ctx, const void *buf, size_t len,
				struct kexec_image_info *info, const char **reason)
{
	static __thread char why[512];
	const struct kx_arch *a = kx_arch_of(ctx);
	const struct kx_format *f;
	int r;

	if (!a) {
		if (reason)
			*reason = "no loader for this architecture";
		return -EOPNOTSUPP;
	}
	r = kx_format_probe(a, buf, len, &f, info, why, sizeof(why));
	if (reason)
		*reason = r < 0 ? why : NULL;
	return r;
}

int kx_cmdline_check(struct kexec_ctx *ctx, const struct kx_format *fmt,
		     const struct kexec_image_info *info, const char *path, size_t len,
		     bool file_load, const char *extra_what)
{
	uint64_t max = info->cmdline_max, reserve = file_load ? fmt->file_cmdline_reserve : 0;

	if (max == UINT32_MAX)
		return 0;
	if (reserve >= max) {
		/* A hostile header may leave no room at all. */
		kx_err(ctx, "cannot load kernel %s: its command-line limit (%u bytes, %s) leaves no "
			    "room for a command line through kexec_file_load",
		       path, info->cmdline_max, fmt->cmdline_limit_what);
		return -E2BIG;
	}
	if (len <= max - reserve)
		return 0;
	kx_err(ctx, "cannot load kernel %s: command line is %zu bytes%s, this kernel accepts at "
		    "most %llu%s (%s)",
	       path, len, extra_what ? extra_what : "", (unsigned long long)(max - reserve),
	       file_load && reserve ? " through kexec_file_load" : "", fmt->cmdline_limit_what);
	return -E2BIG;
}
