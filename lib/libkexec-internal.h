/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef LIBKEXEC_INTERNAL_H
#define LIBKEXEC_INTERNAL_H

#include <stdarg.h>
#include <syslog.h>

#include "libkexec.h"
#include "plan.h"

#define KX_EXPORT __attribute__((visibility("default")))
#define KX_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct kx_arch;
struct kx_backend;

struct kexec_ctx {
	kexec_log_fn log_fn;
	void *log_data;
	int log_priority;
	char *root; /* "" for the real root */
	const struct kx_backend *be; /* the running kernel or the simulated one */
	struct kexec_sim *sim;	     /* the simulated one's state (lib/backend-sim.c) */
	const struct kx_arch *arch; /* NULL: the running one */
	/*
	 * The last error logged (kexec_ctx_last_error): a block of its own, so
	 * that kx_log, which takes a const context, can keep it.
	 */
	struct kx_last_error *err;
};

struct kx_last_error {
	char *msg;                  /* malloc'd; NULL: none yet */
	bool muted;                 /* kexec_status_get: unknowns are not errors */
};

void kx_log(const struct kexec_ctx *ctx, int priority, const char *fmt, ...) KX_PRINTF(3, 4);

/*
 * Reading facts whose absence is an answer, not an error (kexec_status_get,
 * kexec_sim_like_machine): between kx_quiet_begin and kx_quiet_end the
 * readers' error lines reach neither the log (unless it asks for debug
 * lines) nor kexec_ctx_last_error(). Nests: the end restores what the
 * begin found.
 */
struct kx_quiet {
	int log_priority;
	bool muted;
};
void kx_quiet_begin(struct kexec_ctx *ctx, struct kx_quiet *q);
void kx_quiet_end(struct kexec_ctx *ctx, const struct kx_quiet *q);
#define kx_err(ctx, ...) kx_log(ctx, LOG_ERR, __VA_ARGS__)
#define kx_warn(ctx, ...) kx_log(ctx, LOG_WARNING, __VA_ARGS__)
#define kx_info(ctx, ...) kx_log(ctx, LOG_INFO, __VA_ARGS__)
#define kx_dbg(ctx, ...) kx_log(ctx, LOG_DEBUG, __VA_ARGS__)

/* <root><path> into buf; -ENAMETOOLONG when it does not fit. */
int kx_path(const struct kexec_ctx *ctx, const char *path, char *buf, size_t len);
/* Read a whole file (any size, also /proc files that report size 0); NUL-terminated. */
int kx_read_file(const char *path, char **out, size_t *len);
/* The same, refusing files of more than max bytes with -EFBIG. */
int kx_read_file_max(const char *path, size_t max, char **out, size_t *len);
/*
 * A sysfs attribute: at most max bytes (-EFBIG), no NUL byte (-EILSEQ),
 * trailing blanks and newlines removed. Errors are returned unlogged.
 */
int kx_read_attr(const char *path, size_t max, char **out, size_t *len);
/*
 * Text from a file that may be hostile, fit for a one-line message: the len
 * bytes at s (not NUL-terminated), each control character or byte outside
 * printable ASCII shown as '?', cut with "..." to fit size. Returns buf.
 */
const char *kx_printable(const void *s, size_t len, char *buf, size_t size);
/*
 * Room for a one-line message formatted for a caller: the probes of image
 * formats and envelopes, and what they call, take one from their caller
 * instead of keeping a buffer of their own. A reason that points into it
 * lives as long as the caller's struct kx_msg and until it is passed again.
 */
struct kx_msg {
	char text[320];
};
/*
 * The entries of the sysfs directory <root><rel> named by decimal numbers as
 * the kernel names them (no sign, no leading zero, at most 64 bits), sorted,
 * in *idx (malloc'd; NULL when none) and *nr. Other names are skipped. More
 * than max of them: -E2BIG. A missing directory: -ENOENT, logged at debug
 * level only (callers decide what its absence means); other errors logged.
 */
int kx_list_numbered(struct kexec_ctx *ctx, const char *rel, size_t max, uint64_t **idx,
		     size_t *nr);
/*
 * <root><rel>: the full path into path (for messages, also on error), then
 * the file, at most max bytes (-EFBIG beyond), NUL-terminated in *out: as a
 * sysfs attribute (attr: no NUL byte, -EILSEQ; trailing blanks removed,
 * kx_read_attr) or raw bytes (kx_read_file_max). Errors are unlogged: the
 * caller knows whether a missing file matters.
 */
int kx_read_rel(const struct kexec_ctx *ctx, const char *rel, size_t max, bool attr, char *path,
		size_t path_len, char **out, size_t *len);
/*
 * --reuseinitrd: the initrd the running kernel kept (booted with
 * retain_initrd, Linux 6.6+: <root>/sys/firmware/initrd), read whole into a
 * malloc'd *buf; -EINVAL when the request names an initrd too. Errors are
 * logged as "cannot load kernel <kernel>: ...".
 */
int kx_read_retained_initrd(struct kexec_ctx *ctx, const char *kernel, const char *initrd,
			    char **buf, size_t *len);
/*
 * The policies that refuse loads, as kexec_status_get() reports them, and
 * nothing else: load_disabled, lockdown, the load limits and cap_sys_boot of
 * st, from the simulator or below the root (lib/status.c). Unknowns as there.
 */
struct kexec_status;
void kx_status_policy(struct kexec_ctx *ctx, struct kexec_status *st);
/* The kernel's release, as the context's backend says: "6.1.0-28-amd64" is 6, 1. */
int kx_kernel_version(struct kexec_ctx *ctx, unsigned int *major, unsigned int *minor);
/* <root>/proc/sys/kernel/osrelease's (lib/backend-kernel.c). */
int kx_kernel_release_below_root(struct kexec_ctx *ctx, unsigned int *major, unsigned int *minor);
/*
 * The crashkernel= reservation as powerpc exports it instead of in
 * /proc/iomem: /chosen's linux,crashkernel-base and -size (lib/memmap.c,
 * kexec_find_crash_region's fallback). 0, or -ENOENT when there is none.
 */
int kx_crash_region_dt(struct kexec_ctx *ctx, uint64_t *start, uint64_t *end);
/* kexec_find_crash_region() of the running kernel, from below the root (lib/memmap.c). */
int kx_crash_region_below_root(struct kexec_ctx *ctx, uint64_t *start, uint64_t *end);
/*
 * True when the running kernel's release is known and older than
 * major.minor (running, len bytes, then says which, "6.1"); false when it is
 * as new or cannot be read.
 */
/*
 * The first release whose kexec_load takes KEXEC_DEBUG (kexec-tools passes it
 * with -d since after 2.0.32). Proposed for 7.0, it is in no release up to
 * 7.3: Debian's 7.3.4 refuses it with EINVAL (tests/vm/test-newest-options.sh).
 * Kernels after 7.3 get it, and a load they refuse with it is made again
 * without it.
 */
#define KX_KEXEC_DEBUG_MAJOR 7
#define KX_KEXEC_DEBUG_MINOR 4
bool kx_kernel_predates(struct kexec_ctx *ctx, unsigned int major, unsigned int minor,
			char *running, size_t len);
/*
 * The parameters of a command line one after another, split as the kernel
 * splits them (blanks outside double quotes): the next one from *pos, with
 * its length in *len, and *pos moved past it; NULL after the last.
 */
const char *kx_cmdline_next(const char **pos, size_t *len);
/* Every LIBKEXEC_OPT_* this library knows (struct kexec_*_request.options). */
#define KX_OPT_KNOWN (LIBKEXEC_OPT_NO_CMA | LIBKEXEC_OPT_FORCE_DTB | LIBKEXEC_OPT_DEBUG)
/*
 * A structure the library fills for a caller (its first member the size_t
 * sz the caller set): the first sz bytes of *full (full_sz bytes), sz
 * itself untouched; -EINVAL when sz cannot even hold itself.
 */
int kx_fill_out(void *out, const void *full, size_t full_sz);
/* The bytes of TYPE up to the end of FIELD: what a version of the library knows. */
#define KX_SIZE_TO(TYPE, FIELD) (offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))
/*
 * len random bytes from getrandom() without blocking (a pool that is not
 * ready yet gives no seed): 0, or a negative errno. For the next kernel's
 * seeds (the x86 zero page's SETUP_RNG_SEED, a device tree's rng-seed).
 */
int kx_random_bytes(uint8_t *buf, size_t len);
/* qsort() order of uint64_t values. */
int kx_u64_cmp(const void *a, const void *b);
/* Grow *arr (of elem bytes) so that it holds at least want elements. */
int kx_grow(void **arr, size_t *cap, size_t want, size_t elem);

/*
 * A caller's request of in_sz bytes (its sz field, LIBKEXEC_OPTS()) as this
 * library's structure of out_sz bytes, of which the first known are fields
 * (the rest padding): zero-extended when older, refused (-E2BIG) when it
 * sets a byte past the known ones, -EINVAL when sz is
 * too small to hold the first fields. Logged, naming what (ctx NULL: not logged).
 */
int kx_request_copy(struct kexec_ctx *ctx, const char *what, const void *in, size_t in_sz,
		    void *out, size_t out_sz, size_t known);

/*
 * The kernel's kexec_load checks in its order (kexec_validate(), with the
 * reason as a static string); kx_limits_native fills the whole structure.
 */
int kx_validate(const struct kexec_limits *lim, unsigned long entry, unsigned long nr_segments,
		const struct kexec_segment *segments, unsigned long flags, const char **reason,
		int *bad_index);
void kx_limits_native(struct kexec_limits *lim);
int kx_validate_request(const struct kexec_limits *lim, unsigned long nr, unsigned long flags,
			const char **reason);


/*
 * Open a file to load: a regular, non-empty file below 4 GiB, as the kernel
 * wants for kexec_file_load and as is sensible for kexec_load. Returns the fd
 * or a negative errno, logging "<verb> <what> <path>: <reason>" once.
 */
int kx_open_input(struct kexec_ctx *ctx, const char *what, const char *path, uint64_t *size);

/* MemTotal from <root>/proc/meminfo in 4 KiB pages (the kernel's totalram_pages); 0 if unknown. */
uint64_t kx_totalram_pages(struct kexec_ctx *ctx);

/*
 * Exactly len hex (decimal) digits, at least one, at most 64 bits of value;
 * with allow_0x an optional "0x" first. No locale, no sign, no blanks.
 */
bool kx_parse_hex(const char *s, size_t len, bool allow_0x, uint64_t *out);
bool kx_parse_dec(const char *s, size_t len, uint64_t *out);

/* The simulator's syscalls, for its backend (lib/backend-sim.c). */
int kx_sim_load(struct kexec_sim *sim, unsigned long entry, unsigned long nr,
		const struct kexec_segment *segs, unsigned long flags);
int kx_sim_file_load(struct kexec_sim *sim, int kfd, int ifd, unsigned long cmdline_len,
		     const char *cmdline, unsigned long flags);
int kx_sim_reboot(struct kexec_sim *sim);

static inline uint16_t kx_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t kx_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t kx_le64(const void *p)
{
	return kx_le32(p) | (uint64_t)kx_le32((const uint8_t *)p + 4) << 32;
}

/* Little-endian stores, the readers' counterparts: p points at the field. */
static inline void kx_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void kx_put_le32(void *p, uint32_t v)
{
	kx_put_le16(p, (uint16_t)v);
	kx_put_le16((uint8_t *)p + 2, (uint16_t)(v >> 16));
}

static inline void kx_put_le64(void *p, uint64_t v)
{
	kx_put_le32(p, (uint32_t)v);
	kx_put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* Big-endian (device trees, s390): the same, most significant byte first. */
static inline uint32_t kx_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t kx_be64(const void *p)
{
	return (uint64_t)kx_be32(p) << 32 | kx_be32((const uint8_t *)p + 4);
}

static inline void kx_put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void kx_put_be32(void *p, uint32_t v)
{
	kx_put_be16(p, (uint16_t)(v >> 16));
	kx_put_be16((uint8_t *)p + 2, (uint16_t)v);
}

static inline void kx_put_be64(void *p, uint64_t v)
{
	kx_put_be32(p, (uint32_t)(v >> 32));
	kx_put_be32((uint8_t *)p + 4, (uint32_t)v);
}

#endif
