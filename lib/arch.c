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
	&kx_arch_arm,
	&kx_arch_i386,
	&kx_arch_mips,
	&kx_arch_s390,
	&kx_arch_ppc64,
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

/* A wrapper as the public type: every architecture, both syscalls (we unwrap first). */
static void wrapper_type(const struct kx_wrapper *w, struct kexec_image_type *t)
{
	*t = (struct kexec_image_type){
		.name = w->name, .summary = w->summary, .kexec_file_load = true, .kexec_load = true,
		.envelope = true,
	};
}

KX_EXPORT size_t kexec_image_type_count(const struct kexec_ctx *ctx)
{
	const struct kx_arch *a = kx_arch_of(ctx);

	return a ? a->nr_formats + kx_nr_wrappers : 0;
}

/* The table holds kx_format; its first member is the public type. */
KX_EXPORT int kexec_image_type_get(const struct kexec_ctx *ctx, size_t i,
				   struct kexec_image_type *type)
{
	const struct kx_arch *a = kx_arch_of(ctx);
	struct kexec_image_type t;

	if (!type)
		return -EINVAL;
	if (!a || i >= a->nr_formats + kx_nr_wrappers)
		return -ERANGE;
	/* Then the envelopes every architecture peels before its own formats probe. */
	if (i < a->nr_formats)
		t = a->formats[i]->type;
	else
		wrapper_type(kx_wrappers[i - a->nr_formats], &t);
	return kx_fill_out(type, &t, sizeof(t));
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

KX_EXPORT int kexec_image_type_find(const struct kexec_ctx *ctx, const char *name,
				    struct kexec_image_type *type)
{
	const struct kx_arch *a = kx_arch_of(ctx);
	const struct kx_format *f = a && name ? kx_format_by_name(a, name) : NULL;
	const struct kx_wrapper *w = a && name && !f ? kx_wrapper_by_name(name) : NULL;
	struct kexec_image_type t;

	if (!type)
		return -EINVAL;
	if (f)
		t = f->type;
	else if (w)
		wrapper_type(w, &t);
	else
		return -ENOENT;
	return kx_fill_out(type, &t, sizeof(t));
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
		struct kx_msg msg;

		memset(info, 0, sizeof(*info));
		info->cmdline_max = UINT32_MAX;
		if (arch->formats[i]->probe(buf, len, info, &why, &msg) == 0) {
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

static const char *last_layer(const struct kx_unwrapped *u)
{
	return u->nr_layers ? u->layers[u->nr_layers - 1]->name : "none";
}

/* Lazy peeling: which of the formats (want alone, when -t named one) a layer's head begins. */
struct head_sniff {
	const struct kx_arch *arch;
	const struct kx_format *want;
};

/* When none begins it: -ENOEXEC, and each one's reason in msg (msg_len bytes, the caller's). */
static int64_t sniff_formats(void *data, const void *head, size_t len, const char **why, char *msg,
			     size_t msg_len)
{
	const struct head_sniff *hs = data;
	size_t used = 0;

	if (msg_len)
		msg[0] = '\0';
	for (size_t i = 0; i < hs->arch->nr_formats; i++) {
		const struct kx_format *f = hs->arch->formats[i];
		const char *reason = NULL;
		struct kx_msg said;
		int64_t n;

		if (hs->want && f != hs->want)
			continue;
		if (!f->head_size)
			return 0; /* cannot tell: unpack it all */
		n = f->head_size(head, len, &reason, &said);
		if (n != -ENOEXEC)
			return n < 0 ? 0 : n;
		if (used < msg_len)
			used += (size_t)snprintf(msg + used, msg_len - used, "%s%s: %s",
						 used ? "; " : "", f->type.name,
						 reason ? reason : "not this format");
	}
	*why = msg_len ? msg : NULL;
	return -ENOEXEC;
}

/* -t TYPE names neither a format of this architecture nor an envelope: say which there are. */
static int unknown_type(const struct kx_arch *arch, const char *type, char *why, size_t why_len)
{
	size_t used = 0;

	used += (size_t)snprintf(why, why_len, "unknown kernel type \"%s\" (known on %s:", type,
				 arch->name);
	for (size_t i = 0; i < arch->nr_formats && used < why_len; i++)
		used += (size_t)snprintf(why + used, why_len - used, " %s",
					 arch->formats[i]->type.name);
	for (size_t i = 0; i < kx_nr_wrappers && used < why_len; i++)
		used += (size_t)snprintf(why + used, why_len - used, " %s", kx_wrappers[i]->name);
	if (used < why_len)
		snprintf(why + used, why_len - used, ")");
	return -EINVAL;
}

/* The unwrapped image as the format -t names. */
static int probe_wanted(const struct kx_format *want, struct kx_image *img, char *why,
			size_t why_len)
{
	const char *reason = NULL;
	struct kx_msg msg;
	int r;

	memset(&img->info, 0, sizeof(img->info));
	img->info.cmdline_max = UINT32_MAX;
	r = want->probe(img->u.buf, img->u.len, &img->info, &reason, &msg);
	if (r < 0) {
		if (img->u.nr_layers)
			snprintf(why, why_len, "%s (inside %s)", reason ? reason : "not this format",
				 img->u.chain);
		else
			snprintf(why, why_len, "%s", reason ? reason : "not this format");
		return r;
	}
	img->fmt = want;
	img->info.format = want->type.name;
	return 0;
}

/* The unwrapped image as any format of the architecture. */
static int probe_any(const struct kx_arch *arch, struct kx_image *img, char *why, size_t why_len)
{
	int r = kx_format_probe(arch, img->u.buf, img->u.len, &img->fmt, &img->info, why, why_len);
	size_t used;

	if (r >= 0)
		return r;
	used = strlen(why);
	if (img->u.nr_layers && used < why_len)
		snprintf(why + used, why_len - used, "; the image inside %s", img->u.chain);
	else if (used < why_len)
		snprintf(why + used, why_len - used, "; nor compressed, EFI zboot or a UKI");
	return r;
}

int kx_image_open(const struct kx_arch *arch, const void *buf, size_t len, const char *type,
		  struct kx_image *img, char *why, size_t why_len)
{
	const struct kx_format *want = type ? kx_format_by_name(arch, type) : NULL;
	const struct kx_wrapper *force = type && !want ? kx_wrapper_by_name(type) : NULL;
	const char *reason = NULL;
	int r;

	memset(img, 0, sizeof(*img));
	if (type && !want && !force)
		return unknown_type(arch, type, why, why_len);
	struct head_sniff hs = { arch, want };
	const struct kx_unwrap_sniff sniff = { sniff_formats, &hs };

	r = kx_unwrap_lazy(buf, len, KX_UNWRAP_MAX_OUT, force ? force->name : NULL, &sniff, &img->u,
			   &reason);
	if (r < 0 && !force) {
		/*
		 * A broken envelope, unless the file is a kernel that only looked
		 * like one (the lzma header has no magic): then it is that kernel.
		 * img->u holds nothing to free, and reason points into it (its
		 * reason[]): it is left as it is until why says it.
		 */
		const struct kx_format *plain = NULL;
		char ignore[8];

		if (kx_format_probe(arch, buf, len, &plain, &img->info, ignore, sizeof(ignore)) == 0 &&
		    (!want || plain == want)) {
			memset(&img->u, 0, sizeof(img->u));
			img->u.buf = buf;
			img->u.len = len;
			img->fmt = plain;
			img->info.file_size = len;
			return 0;
		}
	}
	if (r < 0) {
		snprintf(why, why_len, "%s", reason ? reason : strerror(-r));
		kx_unwrapped_free(&img->u);
		return r;
	}
	r = want ? probe_wanted(want, img, why, why_len)
		 : probe_any(arch, img, why, why_len);
	if (r < 0) {
		kx_image_close(img);
		return r;
	}
	/* The compression is the innermost layer's; the file size is the file's. */
	if (img->u.nr_layers)
		img->info.compression = last_layer(&img->u);
	else if (!img->info.compression)
		img->info.compression = "none";
	img->info.file_size = len;
	return 0;
}

int kx_image_supplies(struct kexec_ctx *ctx, const struct kx_image *img, const char *kernel,
		      const char *cmdline, bool have_initrd, char **image_cmdline)
{
	int from = 0;

	*image_cmdline = NULL;
	if (!cmdline && img->u.cmdline.len) {
		*image_cmdline = strndup(img->u.cmdline.buf, img->u.cmdline.len);
		if (!*image_cmdline)
			return -ENOMEM;
		from |= LIBKEXEC_FROM_IMAGE_CMDLINE;
		kx_info(ctx, "kernel %s: using the UKI's command line (.cmdline)", kernel);
	}
	if (!have_initrd && img->u.initrd.len) {
		from |= LIBKEXEC_FROM_IMAGE_INITRD;
		kx_info(ctx, "kernel %s: using the UKI's initrd (.initrd, %zu bytes)", kernel,
			img->u.initrd.len);
	}
	return from;
}

void kx_image_close(struct kx_image *img)
{
	kx_unwrapped_free(&img->u);
	memset(img, 0, sizeof(*img));
}

void kx_image_layers(const struct kx_image *img, unsigned int from_image,
		     struct kexec_image_layers *out)
{
	memset(out, 0, sizeof(*out));
	out->sz = sizeof(*out);
	snprintf(out->chain, sizeof(out->chain), "%s", img->u.chain);
	out->nr_layers = img->u.nr_layers;
	out->from_image = from_image;
	out->kernel_size = img->u.len;
	out->file_size = img->info.file_size;
}

KX_EXPORT int kexec_image_probe(struct kexec_ctx *ctx, const void *buf, size_t len,
				struct kexec_image_info *info)
{
	const struct kx_arch *a = kx_arch_of(ctx);
	struct kx_image img;
	char why[1024];
	int r;

	if (!ctx || !info || info->sz < sizeof(info->sz) + sizeof(info->format))
		return -EINVAL;
	if (!a) {
		kx_err(ctx, "no loader for this architecture");
		return -EOPNOTSUPP;
	}
	r = kx_image_open(a, buf, len, NULL, &img, why, sizeof(why));
	if (r < 0) {
		kx_err(ctx, "%s", why);
		return r;
	}
	r = kx_fill_out(info, &img.info, sizeof(img.info));
	kx_image_close(&img);
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
