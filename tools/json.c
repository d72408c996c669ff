/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command's JSON writer (tools/json.h): --json documents. */
#include <inttypes.h>
#include <stdio.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at s (NUL-terminated), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		/* No overlong forms, no UTF-16 surrogates. */
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		/* No overlong forms, nothing past U+10FFFF. */
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ?
			       4 :
			       0;
	}
	return 0;
}

static void json_quote(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		size_t n = utf8_seq(s);

		if (!n) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f)
				fprintf(f, "\\u%04x", *s);
			else
				fwrite(s, 1, n, f);
			break;
		}
		s += n;
	}
	fputc('"', f);
}

/*
 * Start a document at depth 0, or a part of one at depth: a value whose key
 * (and the separator before it) another writer prints.
 */
void jw_init(struct jw *w, FILE *f, int depth)
{
	w->f = f;
	w->depth = depth;
	w->bare = depth > 0;
	w->first[depth] = true;
}

/* What comes before a member (key) or an array element (key NULL). */
void jw_key(struct jw *w, const char *key)
{
	if (w->bare) {
		w->bare = false;
	} else if (w->depth > 0) {
		fputs(w->first[w->depth] ? "\n" : ",\n", w->f);
		fprintf(w->f, "%*s", 2 * w->depth, "");
	}
	w->first[w->depth] = false;
	if (key) {
		json_quote(w->f, key);
		fputs(": ", w->f);
	}
}

void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	fputc(c, w->f);
	if (w->depth + 1 < (int)(sizeof(w->first) / sizeof(w->first[0])))
		w->depth++;
	w->first[w->depth] = true;
}

void jw_close(struct jw *w, char c)
{
	bool empty = w->first[w->depth];

	w->depth--;
	if (!empty)
		fprintf(w->f, "\n%*s", 2 * w->depth, "");
	fputc(c, w->f);
	if (w->depth == 0)
		fputc('\n', w->f);
}

void jw_str(struct jw *w, const char *key, const char *v)
{
	jw_key(w, key);
	if (v)
		json_quote(w->f, v);
	else
		fputs("null", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	fputs(v ? "true" : "false", w->f);
}

/* -1 unknown as null, else a boolean: the library's tri-state ints. */
void jw_tri(struct jw *w, const char *key, int v)
{
	if (v < 0)
		jw_null(w, key);
	else
		jw_bool(w, key, v);
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	fprintf(w->f, "%" PRIu64, v);
}

void jw_i64(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	fprintf(w->f, "%" PRId64, v);
}

/* An address or a size that reads better in hex: KEY as a number and KEY_hex as "0x...". */
void jw_addr(struct jw *w, const char *key, uint64_t v)
{
	char hexkey[64], hex[24];

	jw_u64(w, key, v);
	snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
	snprintf(hex, sizeof(hex), "%#" PRIx64, v);
	jw_str(w, hexkey, v ? hex : "0x0");
}

/* The common head of every document. */
void jw_document(struct jw *w, const char *name, const struct kexec_ctx *ctx)
{
	jw_open(w, NULL, '{');
	jw_str(w, "document", name);
	jw_i64(w, "version", 1);
	jw_str(w, "libkexec", kexec_version());
	jw_str(w, "arch", kexec_arch_name(kexec_ctx_get_arch(ctx)));
}

