/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel command lines: reuse the running one, drop parameters, join. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libkexec-internal.h"

/* End of the parameter starting at p: the next unquoted blank. */
static const char *param_end(const char *p)
{
	bool quoted = false;

	for (; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == ' ' || *p == '\t' || *p == '\n'))
			break;
	}
	return p;
}

/* No trailing blanks: the kernel would keep them. */
static void trim_end(char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\n'))
		line[--n] = '\0';
}

const char *kx_cmdline_next(const char **pos, size_t *len)
{
	const char *p = *pos;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return NULL;
	*pos = param_end(p);
	*len = (size_t)(*pos - p);
	return p;
}

KX_EXPORT void kexec_cmdline_remove_param(char *line, const char *name)
{
	size_t nlen = strlen(name);
	char *p = line;

	/*
	 * Trimmed first as well: a blank at the end may sit inside an unterminated
	 * quote, and must not decide whether the last parameter matches.
	 */
	trim_end(line);
	while (*p) {
		char *end;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		end = p + (param_end(p) - p); /* the same place, in the writable line */
		/* The name lies within this parameter: a name with a blank never matches across two. */
		if ((size_t)(end - p) >= nlen && !strncmp(p, name, nlen) &&
		    (p + nlen == end || p[nlen] == '=')) {
			while (*end == ' ' || *end == '\t' || *end == '\n')
				end++;
			memmove(p, end, strlen(end) + 1);
			continue;
		}
		p = end;
	}
	trim_end(line);
}

KX_EXPORT int kexec_cmdline_reuse(struct kexec_ctx *ctx, bool crash, char **out)
{
	char *line;
	int r;

	r = kexec_read_sysfile(ctx, "/proc/cmdline", &line, NULL);
	if (r < 0) {
		kx_err(ctx, "cannot read %s/proc/cmdline: %s", ctx->root, strerror(-r));
		return r;
	}
	kexec_cmdline_remove_param(line, "BOOT_IMAGE");
	if (crash)
		kexec_cmdline_remove_param(line, "crashkernel");
	*out = line;
	return 0;
}

KX_EXPORT char *kexec_cmdline_concat(const char *a, const char *b)
{
	size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, la ? a : "", la);
	s[la] = '\0';
	if (la && lb)
		s[la++] = ' ';
	memcpy(s + la, lb ? b : "", lb + 1);
	return s;
}
