/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the fuzz targets: a context whose log checks every message, a
 * private /proc-/sys root to write hostile files into, and a reader that
 * turns the fuzzer's bytes into numbers and files.
 *
 * A target aborts (and libFuzzer saves the input) when a property fails;
 * AddressSanitizer and UndefinedBehaviorSanitizer abort on their own.
 */
#ifndef KX_FUZZ_COMMON_H
#define KX_FUZZ_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkexec-internal.h"

#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                   \
			abort();                                                          \
		}                                                                         \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Every message is one line: the command prints each as "kexec: <msg>\n", and
 * the promise is one line per failure. FUZZ_VERBOSE=1 prints them.
 */
static inline void fuzz_log(void *data, int priority, const char *msg)
{
	(void)data;
	FUZZ_CHECK(msg != NULL);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "log %d: %s\n", priority, msg);
	FUZZ_CHECK(strchr(msg, '\n') == NULL);
}

/* A context that logs everything (debug messages are formatted too). */
static inline struct kexec_ctx *fuzz_ctx(const char *root)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	FUZZ_CHECK(ctx != NULL);
	kexec_ctx_set_log(ctx, fuzz_log, NULL);
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	if (root)
		FUZZ_CHECK(kexec_ctx_set_root(ctx, root) == 0);
	return ctx;
}

/* ---- A private root directory ------------------------------------------ */

static char fuzz_root[256];

static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static inline void fuzz_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void fuzz_root_cleanup(void)
{
	if (fuzz_root[0])
		fuzz_rm_rf(fuzz_root);
}

/* Created once per process, removed at exit; $TMPDIR (the runner uses /dev/shm). */
static inline const char *fuzz_root_dir(void)
{
	if (!fuzz_root[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(fuzz_root, sizeof(fuzz_root), "%s/kxfuzz-XXXXXX", t && *t ? t : "/tmp");
		FUZZ_CHECK(mkdtemp(fuzz_root) != NULL);
		atexit(fuzz_root_cleanup);
	}
	return fuzz_root;
}

/* <root>/<rel>, with its directories. */
static inline void fuzz_put(const char *rel, const void *data, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_root_dir(), rel);
	for (char *s = strchr(path + strlen(fuzz_root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(len == 0 || write(fd, data, len) == (ssize_t)len);
	close(fd);
}

static inline void fuzz_mkdir(const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", fuzz_root_dir(), rel);
	for (char *s = strchr(path + strlen(fuzz_root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	mkdir(path, 0755);
}

/* Empty the root for the next input. */
static inline void fuzz_clear(void)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/proc", fuzz_root_dir());
	fuzz_rm_rf(path);
	snprintf(path, sizeof(path), "%s/sys", fuzz_root_dir());
	fuzz_rm_rf(path);
}

/* ---- Reading the input -------------------------------------------------- */

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fuzz_bytes(struct fuzz_in *in, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b = 0;

		if (in->left) {
			b = *in->p++;
			in->left--;
		}
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in) { return (uint8_t)fuzz_bytes(in, 1); }
static inline uint16_t fuzz_u16(struct fuzz_in *in) { return (uint16_t)fuzz_bytes(in, 2); }
static inline uint32_t fuzz_u32(struct fuzz_in *in) { return (uint32_t)fuzz_bytes(in, 4); }
static inline uint64_t fuzz_u64(struct fuzz_in *in) { return fuzz_bytes(in, 8); }

/*
 * Files as records: a selector byte (an index into the target's table of
 * paths, modulo its size), a 16-bit little-endian length, then the bytes
 * (fewer if the input ends). fuzz/make-seeds.py writes seeds in this form.
 * Returns false when the input is used up.
 */
struct fuzz_record {
	unsigned selector;
	const uint8_t *data;
	size_t len;
};

static inline bool fuzz_next_record(struct fuzz_in *in, struct fuzz_record *rec)
{
	size_t len;

	if (in->left < 3)
		return false;
	rec->selector = fuzz_u8(in);
	len = fuzz_u16(in);
	if (len > in->left)
		len = in->left;
	rec->data = in->p;
	rec->len = len;
	in->p += len;
	in->left -= len;
	return true;
}

#endif
