/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: logging, the /proc and /sys root, the backend. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <inttypes.h>
#include <unistd.h>
#include <sys/stat.h>

#include "backend.h"
#include "libkexec-internal.h"

KX_EXPORT struct kexec_ctx *kexec_ctx_new(void)
{
	struct kexec_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->log_priority = LOG_ERR;
	ctx->be = &kx_backend_kernel;
	ctx->root = strdup("");
	ctx->err = calloc(1, sizeof(*ctx->err));
	if (!ctx->root || !ctx->err) {
		kexec_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

KX_EXPORT void kexec_ctx_free(struct kexec_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->root);
	if (ctx->err)
		free(ctx->err->msg);
	free(ctx->err);
	free(ctx);
}

KX_EXPORT const char *kexec_ctx_last_error(const struct kexec_ctx *ctx)
{
	return ctx && ctx->err->msg ? ctx->err->msg : "";
}

void kx_quiet_begin(struct kexec_ctx *ctx, struct kx_quiet *q)
{
	q->log_priority = ctx->log_priority;
	q->muted = ctx->err->muted;
	if (ctx->log_priority < LOG_DEBUG)
		ctx->log_priority = LOG_CRIT;
	ctx->err->muted = true;
}

void kx_quiet_end(struct kexec_ctx *ctx, const struct kx_quiet *q)
{
	ctx->log_priority = q->log_priority;
	ctx->err->muted = q->muted;
}

/* An error line: the context keeps it for kexec_ctx_last_error(). */
static void keep_error(const struct kexec_ctx *ctx, int priority, const char *msg)
{
	char *copy;

	if (priority > LOG_ERR || ctx->err->muted)
		return;
	copy = strdup(msg);
	if (!copy)
		return; /* the previous one stays: better than none */
	free(ctx->err->msg);
	ctx->err->msg = copy;
}

KX_EXPORT void kexec_ctx_set_log(struct kexec_ctx *ctx, kexec_log_fn fn, void *data)
{
	ctx->log_fn = fn;
	ctx->log_data = data;
}

KX_EXPORT void kexec_ctx_set_log_priority(struct kexec_ctx *ctx, int priority)
{
	ctx->log_priority = priority;
}

KX_EXPORT int kexec_ctx_get_log_priority(const struct kexec_ctx *ctx)
{
	return ctx->log_priority;
}

KX_EXPORT int kexec_ctx_set_root(struct kexec_ctx *ctx, const char *root)
{
	char *copy;
	size_t n;

	if (!root || !strcmp(root, "/"))
		root = "";
	copy = strdup(root);
	if (!copy)
		return -ENOMEM;
	/* "/x/" and "/x" name the same root: keep no trailing slash. */
	n = strlen(copy);
	while (n > 0 && copy[n - 1] == '/')
		copy[--n] = '\0';
	free(ctx->root);
	ctx->root = copy;
	return 0;
}

KX_EXPORT const char *kexec_ctx_get_root(const struct kexec_ctx *ctx)
{
	return ctx->root[0] ? ctx->root : "/";
}

KX_EXPORT void kexec_ctx_use_sim(struct kexec_ctx *ctx, struct kexec_sim *sim)
{
	ctx->sim = sim;
	ctx->be = sim ? &kx_backend_sim : &kx_backend_kernel;
}

KX_EXPORT bool kexec_ctx_is_simulated(const struct kexec_ctx *ctx)
{
	return ctx->be->simulated;
}

void kx_log(const struct kexec_ctx *ctx, int priority, const char *fmt, ...)
{
	char small[1024], *msg = NULL;
	va_list ap;
	int n;

	if (!ctx)
		return;
	if ((!ctx->log_fn || priority > ctx->log_priority) &&
	    (priority > LOG_ERR || ctx->err->muted))
		return;
	/*
	 * Whole: the reason comes last ("cannot open kernel PATH: why"), and a
	 * long path must not cut it off. Without memory, as much as fits.
	 */
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		msg = NULL;
		va_start(ap, fmt);
		vsnprintf(small, sizeof(small), fmt, ap);
		va_end(ap);
	}
	keep_error(ctx, priority, msg ? msg : small);
	if (ctx->log_fn && priority <= ctx->log_priority)
		ctx->log_fn(ctx->log_data, priority, msg ? msg : small);
	free(msg);
}

int kx_path(const struct kexec_ctx *ctx, const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", ctx ? ctx->root : "", path);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

const char *kx_printable(const void *s, size_t len, char *buf, size_t size)
{
	const unsigned char *p = s;
	size_t n = 0, i;

	if (!size)
		return buf;
	for (i = 0; i < len && n + 1 < size; i++)
		buf[n++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	if (i < len && size >= 4) {
		n = n > size - 4 ? size - 4 : n;
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

int kx_grow(void **arr, size_t *cap, size_t want, size_t elem)
{
	size_t ncap;
	void *p;

	if (want <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		ncap *= 2;
	}
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int kx_read_file_max(const char *path, size_t max, char **out, size_t *lenp)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		r = kx_grow((void **)&buf, &cap, len + 4097, 1);
		if (r < 0)
			goto fail;
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			r = -EFBIG;
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (lenp)
		*lenp = len;
	return 0;
fail:
	close(fd);
	free(buf);
	return r;
}

int kx_read_file(const char *path, char **out, size_t *lenp)
{
	return kx_read_file_max(path, SIZE_MAX - 1, out, lenp);
}

int kx_read_attr(const char *path, size_t max, char **out, size_t *lenp)
{
	size_t len;
	char *buf;
	int r = kx_read_file_max(path, max, &buf, &len);

	if (r < 0)
		return r;
	if (memchr(buf, '\0', len)) {
		free(buf);
		return -EILSEQ;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ' || buf[len - 1] == '\t' ||
			   buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	*out = buf;
	if (lenp)
		*lenp = len;
	return 0;
}

KX_EXPORT int kexec_read_sysfile(struct kexec_ctx *ctx, const char *path, char **out, size_t *len)
{
	char full[4096];
	int r = kx_path(ctx, path, full, sizeof(full));

	if (r < 0)
		return r;
	return kx_read_file(full, out, len);
}

KX_EXPORT const char *kexec_version(void)
{
	return LIBKEXEC_VERSION;
}

#define SZ_4G 0x100000000ULL

/* What kx_open_input() accepts: 0, or the error after logging it. */
static int check_input(struct kexec_ctx *ctx, const char *what, const char *path,
		       const struct stat *st)
{
	if (S_ISDIR(st->st_mode)) {
		kx_err(ctx, "cannot load %s %s: is a directory", what, path);
		return -EISDIR;
	}
	if (!S_ISREG(st->st_mode)) {
		kx_err(ctx, "cannot load %s %s: not a regular file (kexec_file_load reads only regular files)",
		       what, path);
		return -EINVAL;
	}
	if (st->st_size == 0) {
		kx_err(ctx, "cannot load %s %s: file is empty", what, path);
		return -EINVAL;
	}
	if ((uint64_t)st->st_size >= SZ_4G) {
		kx_err(ctx, "cannot load %s %s: file is %" PRIu64 " bytes; the kernel reads at most 4 GiB",
		       what, path, (uint64_t)st->st_size);
		return -EFBIG;
	}
	return 0;
}

int kx_open_input(struct kexec_ctx *ctx, const char *what, const char *path, uint64_t *size)
{
	struct stat st;
	int fd, r;

	/*
	 * Hostile paths: a FIFO would block open() until a writer comes, and
	 * opening a device can have effects (a watchdog starts counting). So the
	 * path is checked before it is opened, and the descriptor again after
	 * (the path may have changed in between): O_NONBLOCK keeps the open from
	 * waiting, O_NOCTTY keeps a terminal from becoming ours. If stat() fails,
	 * open() says why.
	 */
	if (stat(path, &st) == 0) {
		r = check_input(ctx, what, path, &st);
		if (r < 0)
			return r;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		kx_err(ctx, "cannot open %s %s: %s", what, path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		kx_err(ctx, "cannot stat %s %s: %s", what, path, strerror(-r));
		close(fd);
		return r;
	}
	r = check_input(ctx, what, path, &st);
	/* For a regular file O_NONBLOCK means nothing; clear it all the same. */
	if (r == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		r = -errno;
		kx_err(ctx, "cannot read %s %s: %s", what, path, strerror(-r));
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}


uint64_t kx_totalram_pages(struct kexec_ctx *ctx)
{
	unsigned long long kib = 0;
	char *buf, *p;

	if (kexec_read_sysfile(ctx, "/proc/meminfo", &buf, NULL) < 0)
		return 0;
	p = strstr(buf, "MemTotal:");
	if (!p || sscanf(p + 9, "%llu", &kib) != 1)
		kib = 0;
	free(buf);
	return kib / 4;
}

/* Not isxdigit(): that depends on the locale, and the kernel's output does not. */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool kx_parse_hex(const char *s, size_t len, bool allow_0x, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (allow_0x && len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		int d = hex_digit(s[i]);

		/* More than 64 bits is refused, never wrapped: a wrapped address looks valid. */
		if (d < 0 || v >> 60)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

bool kx_parse_dec(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

int kx_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int kx_list_numbered(struct kexec_ctx *ctx, const char *rel, size_t max, uint64_t **idxp,
		     size_t *nrp)
{
	uint64_t *idx = NULL, index;
	size_t nr = 0, cap = 0, len;
	struct dirent *de;
	char path[4096];
	DIR *dir;
	int r;

	*idxp = NULL;
	*nrp = 0;
	r = kx_path(ctx, rel, path, sizeof(path));
	if (r < 0) {
		kx_err(ctx, "%s: path below root %s is too long", rel, ctx->root);
		return r;
	}
	dir = opendir(path);
	if (!dir) {
		r = -errno;
		if (r == -ENOENT)
			kx_dbg(ctx, "%s does not exist", path);
		else
			kx_err(ctx, "cannot open %s: %s", path, strerror(-r));
		return r;
	}
	/* readdir() order is the file system's (hashed, or "0 1 10 11 2"): sorted below. */
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno) {
				r = -errno;
				kx_err(ctx, "cannot list %s: %s", path, strerror(-r));
				goto fail;
			}
			break;
		}
		len = strlen(de->d_name);
		if ((len > 1 && de->d_name[0] == '0') || !kx_parse_dec(de->d_name, len, &index))
			continue;
		if (nr >= max) {
			kx_err(ctx, "%s: more than %zu entries", path, max);
			r = -E2BIG;
			goto fail;
		}
		r = kx_grow((void **)&idx, &cap, nr + 1, sizeof(*idx));
		if (r < 0) {
			kx_err(ctx, "%s: out of memory", path);
			goto fail;
		}
		idx[nr++] = index;
	}
	closedir(dir);
	if (nr)
		qsort(idx, nr, sizeof(*idx), kx_u64_cmp);
	*idxp = idx;
	*nrp = nr;
	return 0;
fail:
	closedir(dir);
	free(idx);
	return r;
}

int kx_request_copy(struct kexec_ctx *ctx, const char *what, const void *in, size_t in_sz,
		    void *out, size_t out_sz, size_t known)
{
	/* sz itself and the first field after it: every request has them. */
	const size_t min = sizeof(size_t) + sizeof(unsigned int);

	memset(out, 0, out_sz);
	if (in_sz < min) {
		kx_err(ctx, "%s request: its size field sz is %zu (set it with LIBKEXEC_OPTS())", what,
		       in_sz);
		return -EINVAL;
	}
	if (in_sz > known) {
		/*
		 * Fields from a newer header, or the padding after the last
		 * field this library knows: refuse what it would ignore
		 * (LIBKEXEC_OPTS() zeroes every byte it does not set).
		 */
		for (size_t i = known; i < in_sz; i++)
			if (((const uint8_t *)in)[i]) {
				kx_err(ctx, "%s request sets fields this libkexec (%s) does not "
					    "know (byte %zu of %zu)", what, kexec_version(), i, in_sz);
				return -E2BIG;
			}
		in_sz = known;
	}
	memcpy(out, in, in_sz);
	memcpy(out, &out_sz, sizeof(size_t));
	return 0;
}

int kx_random_bytes(uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, GRND_NONBLOCK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}

int kx_fill_out(void *out, const void *full, size_t full_sz)
{
	size_t sz;

	memcpy(&sz, out, sizeof(sz));
	if (sz < sizeof(sz))
		return -EINVAL;
	if (sz > full_sz)
		memset((uint8_t *)out + full_sz, 0, sz - full_sz);
	memcpy((uint8_t *)out + sizeof(sz), (const uint8_t *)full + sizeof(sz),
	       (sz < full_sz ? sz : full_sz) - sizeof(sz));
	return 0;
}

int kx_read_rel(const struct kexec_ctx *ctx, const char *rel, size_t max, bool attr, char *path,
		size_t path_len, char **out, size_t *len)
{
	int r = kx_path(ctx, rel, path, path_len);

	if (r < 0) {
		snprintf(path, path_len, "%s", rel);
		return r;
	}
	return attr ? kx_read_attr(path, max, out, len) : kx_read_file_max(path, max, out, len);
}

int kx_kernel_version(struct kexec_ctx *ctx, unsigned int *major, unsigned int *minor)
{
	return ctx->be->release(ctx, major, minor);
}

bool kx_kernel_predates(struct kexec_ctx *ctx, unsigned int major, unsigned int minor,
			char *running, size_t len)
{
	unsigned int kmajor, kminor;

	if (kx_kernel_version(ctx, &kmajor, &kminor) < 0)
		return false;
	snprintf(running, len, "%u.%u", kmajor, kminor);
	return kmajor < major || (kmajor == major && kminor < minor);
}

int kx_read_retained_initrd(struct kexec_ctx *ctx, const char *kernel, const char *initrd,
			    char **buf, size_t *len)
{
	char path[4096];
	int r;

	if (initrd) {
		kx_err(ctx, "cannot load kernel %s: --reuseinitrd and --initrd both name an initrd; "
			    "give one", kernel);
		return -EINVAL;
	}
	/* An initramfs larger than 2 GiB is no initramfs a kernel unpacks. */
	r = kx_read_rel(ctx, "/sys/firmware/initrd", (size_t)2 << 30, false, path, sizeof(path), buf,
			len);
	if (r == -ENOENT)
		kx_err(ctx, "cannot load kernel %s: --reuseinitrd: the running kernel kept no initrd "
			    "(no %s: boot it with retain_initrd, Linux 6.6 and later)",
		       kernel, path);
	else if (r < 0)
		kx_err(ctx, "cannot load kernel %s: --reuseinitrd: cannot read %s: %s", kernel, path,
		       strerror(-r));
	else if (*len == 0) {
		kx_err(ctx, "cannot load kernel %s: --reuseinitrd: %s is empty", kernel, path);
		free(*buf);
		*buf = NULL;
		r = -ENOENT;
	}
	return r;
}
