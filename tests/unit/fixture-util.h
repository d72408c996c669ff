/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the unit tests that build fixture trees: log capture, a
 * context rooted at a fixture, and a temporary root (per test, removed after
 * failed tests too) with files written below it.
 * Define FIXTURE_TMP_NAME (the temporary directory's prefix) before including.
 */
#ifndef FIXTURE_UTIL_H
#define FIXTURE_UTIL_H

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkexec.h"

#ifndef FIXTURE_TMP_NAME
#define FIXTURE_TMP_NAME "libkexec-test"
#endif

/* ---- Log capture ---------------------------------------------------------- */

static char log_text[65536];
static int log_worst; /* most severe priority seen (lowest number), 8 when none */

static void capture_log(void *data, int priority, const char *msg)
{
	size_t used = strlen(log_text);

	(void)data;
	if (priority < log_worst)
		log_worst = priority;
	snprintf(log_text + used, sizeof(log_text) - used, "%d %s\n", priority, msg);
}

static void log_reset(void)
{
	log_text[0] = '\0';
	log_worst = 8;
}

static void assert_logged(const char *needle)
{
	if (!strstr(log_text, needle))
		fail_msg("log lacks \"%s\"; log was:\n%s", needle, log_text);
}

static struct kexec_ctx *ctx_at(const char *root)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	assert_non_null(ctx);
	kexec_ctx_set_log(ctx, capture_log, NULL);
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	assert_int_equal(kexec_ctx_set_root(ctx, root), 0);
	log_reset();
	return ctx;
}

static struct kexec_ctx *ctx_fixture(const char *name)
{
	char root[PATH_MAX];

	snprintf(root, sizeof(root), "%s/%s", FIXTURES_DIR, name);
	return ctx_at(root);
}

/* ---- Temporary trees ------------------------------------------------------ */

struct tmp {
	char dir[PATH_MAX];
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	/* $TMPDIR lets a slow /tmp be swapped for a tmpfs: the big memmap test writes 15000 files. */
	const char *tmpdir = getenv("TMPDIR");

	if (!t)
		return -1;
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	if ((size_t)snprintf(t->dir, sizeof(t->dir), "%s/" FIXTURE_TMP_NAME ".XXXXXX", tmpdir) >=
		    sizeof(t->dir) ||
	    !mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Runs after failed tests too, so nothing is left behind. */
static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	int r;

	r = nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return r;
}

/* dir/rel into path (PATH_MAX bytes); a path that does not fit fails the test. */
static void join(char *path, const char *dir, const char *rel)
{
	if ((size_t)snprintf(path, PATH_MAX, "%s/%s", dir, rel) >= PATH_MAX)
		fail_msg("path too long: %s/%s", dir, rel);
}

static void mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
}

static void write_bytes(const char *dir, const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	join(path, dir, rel);
	f = fopen(path, "w");
	if (!f && errno == ENOENT) {
		mkdir_p(path);
		f = fopen(path, "w");
	}
	if (!f)
		fail_msg("fopen %s: %s", path, strerror(errno));
	if (len)
		assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_text(const char *dir, const char *rel, const char *text)
{
	write_bytes(dir, rel, text, strlen(text));
}

#endif
