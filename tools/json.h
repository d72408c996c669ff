/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef KEXEC_JSON_H
#define KEXEC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libkexec.h"

/*
 * A JSON writer: pretty-printed, two spaces a level. Strings are escaped as
 * RFC 8259 wants (quote, backslash, every control byte), and a byte that is
 * not part of valid UTF-8 (a path can hold any) becomes U+FFFD, so that the
 * document is always valid UTF-8 JSON.
 */
struct jw {
	FILE *f;
	int depth;
	bool bare;                  /* the next value is a part's first: no separator */
	bool first[16];             /* per depth: no member written yet */
};

/*
 * Start a document at depth 0, or a part of one at depth: a value whose key
 * (and the separator before it) another writer prints.
 */
void jw_init(struct jw *w, FILE *f, int depth);
/* What comes before a member (key) or an array element (key NULL). */
void jw_key(struct jw *w, const char *key);
/* Open an object ('{') or array ('['), and close it ('}' or ']'). */
void jw_open(struct jw *w, const char *key, char c);
void jw_close(struct jw *w, char c);
/* Members (key NULL: an array element); a NULL string is null. */
void jw_str(struct jw *w, const char *key, const char *v);
void jw_null(struct jw *w, const char *key);
void jw_bool(struct jw *w, const char *key, bool v);
/* -1 unknown as null, else a boolean: the library's tri-state ints. */
void jw_tri(struct jw *w, const char *key, int v);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_i64(struct jw *w, const char *key, int64_t v);
/* An address or a size that reads better in hex: KEY as a number and KEY_hex as "0x...". */
void jw_addr(struct jw *w, const char *key, uint64_t v);
/* The common head of every document: its name, version 1, the library's version, the arch. */
void jw_document(struct jw *w, const char *name, const struct kexec_ctx *ctx);

#endif
