/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Envelopes around kernel images (lib/unwrap.h): each wrapper format has a
 * cheap probe and a peel that yields the next layer, either a slice of its
 * input (a zboot image's payload, a UKI's .linux) or a malloc'd buffer (a
 * decompressed stream). kx_unwrap() peels until no probe matches.
 *
 * Every decompressor writes into one growing buffer that never grows past
 * max_out: when it is full at max_out, the decoder is given one spare byte,
 * and producing it means the stream is a bomb (-EFBIG). Sizes that a header
 * declares (zstd, lz4 frames, lzma) are refused before anything is allocated.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "libkexec-internal.h"
#include "unwrap.h"

/* liblzma's limit: kernels are packed with 32 MiB (xz) or 64 MiB (lzma -9) dictionaries. */
#define LZMA_MEMLIMIT ((uint64_t)256 << 20)
/* The legacy lz4 format (lz4 -l): every block unpacks to at most 8 MiB. */
#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK ((size_t)8 << 20)
#define LZ4_FRAME_MAGIC 0x184d2204u
#define LZ4_SKIPPABLE_MAGIC 0x184d2a50u /* ...0x184d2a5f, in lz4 and zstd alike */
#define ZSTD_FRAME_MAGIC 0xfd2fb528u

/* What peeling one layer yields. */
struct peeled {
	const uint8_t *buf;  /* the next layer */
	size_t len;
	void *owned;         /* buf when malloc'd here; NULL for a slice of the input */
	const struct kx_wrapper *next; /* the next layer must be this (zboot's named compression) */
	struct kx_blob cmdline, initrd, dtb; /* a UKI's */
};

/* What bounds one layer: its size, and who is shown its first bytes (may be NULL). */
struct limits {
	size_t max_out;
	const struct kx_unwrap_sniff *sniff;
};

struct wrapper {
	struct kx_wrapper pub; /* first: kx_wrappers[] points here */
	/* The layer named in messages when it is outermost ("zstd stream"). */
	const char *what;
	/* What the next layer is to this one ("payload of the zboot image"). */
	const char *inner;
	/* Called after a probe returned 0. *why a literal or msg->text. */
	int (*peel)(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
		    const char **why, struct kx_msg *msg);
};

static const struct wrapper *wrapper_of(const struct kx_wrapper *w)
{
	return (const struct wrapper *)w;
}

static const struct wrapper w_uki, w_zboot, w_gzip, w_xz, w_lzma, w_zstd, w_lz4;

static int broken(const char **why, const char *s, int err)
{
	*why = s;
	return err;
}

/* ---- Output buffer ---------------------------------------------------------- */

struct obuf {
	uint8_t *p;
	size_t len, cap, max;
};

/* Room for more: the first size is hint, then double, never past max (-EFBIG when at it). */
static int obuf_grow(struct obuf *o, size_t hint)
{
	size_t cap;
	uint8_t *p;

	if (o->cap >= o->max)
		return -EFBIG;
	if (!o->cap)
		cap = hint < 65536 ? 65536 : hint;
	else
		cap = o->cap > o->max / 2 ? o->max : o->cap * 2;
	if (cap > o->max)
		cap = o->max;
	p = realloc(o->p, cap);
	if (!p)
		return -ENOMEM;
	o->p = p;
	o->cap = cap;
	return 0;
}

/* Said in msg, which the caller keeps until the message is used. */
static const char *too_big(struct kx_msg *msg, size_t max_out)
{
	if (max_out >= (1 << 20) && !(max_out & ((1 << 20) - 1)))
		snprintf(msg->text, sizeof(msg->text), "unpacks to more than %zu MiB",
			 max_out >> 20);
	else
		snprintf(msg->text, sizeof(msg->text), "unpacks to more than %zu bytes", max_out);
	return msg->text;
}

/* The decoder's verdict, with the library's own words: a literal, or said in msg. */
static const char *corrupt(struct kx_msg *msg, const char *detail)
{
	if (!detail || !*detail)
		return "corrupt stream";
	snprintf(msg->text, sizeof(msg->text), "corrupt stream (%s)", detail);
	return msg->text;
}

/* Hand o over as the next layer: trimmed to its length. */
static int obuf_done(struct obuf *o, struct peeled *p, const char **why)
{
	uint8_t *q;

	if (!o->len) {
		free(o->p);
		return broken(why, "unpacks to nothing", -EINVAL);
	}
	q = o->len < o->cap ? realloc(o->p, o->len) : o->p;
	if (q)
		o->p = q;
	p->buf = o->p;
	p->len = o->len;
	p->owned = o->p;
	return 0;
}

/* ---- Lazy peeling: the first bytes say what the rest is ---------------------------- */

struct sniffer {
	const struct kx_unwrap_sniff *s; /* NULL: unpack everything */
	bool done;
	size_t cut;                      /* 0, or where the layer stops unpacking */
};

/*
 * Shown the first len (>= KX_UNWRAP_HEAD) unpacked bytes of a layer: another
 * envelope is its own layer's business; otherwise the caller's formats say
 * how long the image is, or that it is none of theirs (-ENOEXEC, *why).
 */
static int sniff_head(struct sniffer *sn, const uint8_t *head, size_t len, size_t max_out,
		      const char **why, struct kx_msg *msg)
{
	const char *formats = NULL;
	char list[256]; /* the formats' reasons, as long as they have always been */
	int64_t n;

	sn->done = true;
	for (size_t i = 0; i < kx_nr_wrappers; i++)
		if (kx_wrappers[i]->probe(head, len, NULL, NULL) != -ENOEXEC)
			return 0;
	list[0] = '\0';
	n = sn->s->fn(sn->s->data, head, len, &formats, list, sizeof(list));
	if (n == -ENOEXEC) {
		snprintf(msg->text, sizeof(msg->text), "unpacks to no kernel: its first %zu KiB "
			 "are no envelope and no format this architecture loads (%s); the rest "
			 "was not unpacked", KX_UNWRAP_HEAD >> 10,
			 formats ? formats : "no header matches");
		return broken(why, msg->text, -ENOEXEC);
	}
	if (n > 0 && (uint64_t)n < max_out - KX_UNWRAP_SLACK)
		sn->cut = (size_t)n + KX_UNWRAP_SLACK;
	return 0;
}

/*
 * After a layer's output o grew: once it holds KX_UNWRAP_HEAD bytes, show
 * them (sniff_head) and make room at once for what the image's header
 * declares, or else what the stream did (declared, 0: nothing). 1 when the
 * layer stops here (o->len cut to the declared size and its slack), 0 to
 * go on, or -ENOEXEC with *why.
 */
static int sniff_output(struct sniffer *sn, struct obuf *o, size_t max_out, size_t declared,
			const char **why, struct kx_msg *msg)
{
	if (sn->s && !sn->done && o->len >= KX_UNWRAP_HEAD) {
		int r = sniff_head(sn, o->p, o->len, max_out, why, msg);
		size_t want = sn->cut ? sn->cut : declared;

		if (r < 0)
			return r;
		if (want > o->max)
			want = o->max;
		if (want > o->cap) {
			uint8_t *q = realloc(o->p, want);

			if (q) {
				o->p = q;
				o->cap = want;
			}
		}
	}
	if (sn->cut && o->len >= sn->cut) {
		o->len = sn->cut;
		return 1;
	}
	return 0;
}

/* ---- Streaming decoders ------------------------------------------------------- */

struct stream {
	const uint8_t *in;
	size_t in_left;
	uint8_t *out;
	size_t out_left;
};

/*
 * One call of a streaming decoder: consumes from s->in, produces into s->out,
 * sets *done at the end of the stream. 0, or a negative errno with *why (a
 * literal, or said in msg).
 */
typedef int (*step_fn)(void *st, struct stream *s, bool *done, const char **why,
		       struct kx_msg *msg);
/*
 * Puts a decoder back at the start of its stream (the same parameters), or
 * NULL where starting over gains nothing.
 */
typedef void (*reset_fn)(void *st);

/*
 * Runs step over in[0..in_len) into one growing buffer. With a sniffer, the
 * first KX_UNWRAP_HEAD bytes come out first and are shown to it; then the
 * buffer is made as large as the image's header (or the stream) says, and
 * a decoder with a reset starts over into it: zstd decodes a frame in one
 * pass, straight into the buffer, only when the buffer has room for all of
 * it at the first call; otherwise it goes through its own window and copies
 * (more work, and a window's worth of memory). The head is decoded twice:
 * 64 KiB. drive_head: the head is head bytes instead (lz4: a whole block).
 */
static int drive_head(step_fn step, reset_fn reset, void *st, const uint8_t *in, size_t in_len,
		      const struct limits *lim, size_t hint, size_t head, struct peeled *p,
		      const char **why, struct kx_msg *msg)
{
	size_t max_out = lim->max_out;
	struct obuf o = { .max = max_out };
	struct stream s = { .in = in, .in_left = in_len };
	struct sniffer sn = { .s = lim->sniff };
	uint8_t spare;
	bool done = false, restarted = false;
	int r;

	size_t declared = hint;

	/* Until the head has been seen, no more than the head is allocated. */
	if (sn.s && hint > head)
		hint = head;
	while (!done) {
		bool full = false;
		size_t in_before, out_before;

		/* What the image's header declares (and its slack) is out: the rest is not kernel. */
		r = sniff_output(&sn, &o, max_out, declared, why, msg);
		if (r < 0)
			goto fail;
		if (r)
			break;
		if (reset && sn.done && !restarted && o.cap > o.len) {
			reset(st);
			s.in = in;
			s.in_left = in_len;
			o.len = 0;
			restarted = true;
		}

		if (o.len == o.cap) {
			r = obuf_grow(&o, hint);
			if (r == -ENOMEM) {
				*why = "out of memory";
				goto fail;
			}
			full = r == -EFBIG;
		}
		if (full) {
			/* At max_out: whether the stream has one byte more decides. */
			s.out = &spare;
			s.out_left = 1;
		} else {
			s.out = o.p + o.len;
			s.out_left = o.cap - o.len;
		}
		in_before = s.in_left;
		out_before = s.out_left;
		r = step(st, &s, &done, why, msg);
		if (r < 0)
			goto fail;
		if (full && s.out_left != out_before) {
			r = -EFBIG;
			*why = too_big(msg, max_out);
			goto fail;
		}
		if (!full)
			o.len += out_before - s.out_left;
		if (!done && s.in_left == in_before && s.out_left == out_before) {
			r = -EINVAL;
			*why = s.in_left ? "corrupt stream (the decoder is stuck)" : "truncated stream";
			goto fail;
		}
	}
	return obuf_done(&o, p, why);
fail:
	free(o.p);
	return r;
}

static int drive(step_fn step, reset_fn reset, void *st, const uint8_t *in, size_t in_len,
		 const struct limits *lim, size_t hint, struct peeled *p, const char **why,
		 struct kx_msg *msg)
{
	return drive_head(step, reset, st, in, in_len, lim, hint, KX_UNWRAP_HEAD, p, why, msg);
}

/* The initial output size: the declared size when there is one, else a guess. */
static size_t first_size(size_t in_len, uint64_t declared, size_t max_out)
{
	uint64_t guess = declared ? declared : (uint64_t)in_len * 4;

	/* A declared size is only a promise: a hostile header gets no more than a guess would. */
	if (declared && declared > (uint64_t)in_len * 1024 + (1 << 20))
		guess = (uint64_t)in_len * 4;
	return guess > max_out ? max_out : (size_t)guess;
}

/* -- gzip (zlib) -- */

static int gzip_step(void *st, struct stream *s, bool *done, const char **why,
		     struct kx_msg *msg)
{
	z_stream *z = st;
	uInt in_now = s->in_left > UINT_MAX ? UINT_MAX : (uInt)s->in_left;
	uInt out_now = s->out_left > UINT_MAX ? UINT_MAX : (uInt)s->out_left;
	int r;

	z->next_in = (Bytef *)s->in;
	z->avail_in = in_now;
	z->next_out = s->out;
	z->avail_out = out_now;
	r = inflate(z, Z_NO_FLUSH);
	s->in += in_now - z->avail_in;
	s->in_left -= in_now - z->avail_in;
	s->out += out_now - z->avail_out;
	s->out_left -= out_now - z->avail_out;
	switch (r) {
	case Z_OK:
	case Z_BUF_ERROR: /* no progress: drive() tells truncation */
		return 0;
	case Z_STREAM_END:
		/*
		 * Another member follows (gzip a b > c), or padding that is not
		 * gzip's business: Image.gz may be padded, and the rest is ignored.
		 */
		if (s->in_left >= 3 && !memcmp(s->in, "\x1f\x8b\x08", 3)) {
			if (inflateReset(z) != Z_OK)
				return broken(why, "out of memory", -ENOMEM);
		} else {
			*done = true;
		}
		return 0;
	case Z_MEM_ERROR:
		return broken(why, "out of memory", -ENOMEM);
	default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
		return broken(why, corrupt(msg, z->msg), -EINVAL);
	}
}

static int gzip_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
		     const char **why, struct kx_msg *msg)
{
	size_t max_out = lim->max_out;
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	/* 16 + MAX_WBITS: a gzip header and trailer (CRC-32 and size checked), not zlib's. */
	r = inflateInit2(&z, 16 + MAX_WBITS);
	if (r != Z_OK)
		return broken(why, r == Z_MEM_ERROR ? "out of memory" : "zlib failed to start",
			      r == Z_MEM_ERROR ? -ENOMEM : -EINVAL);
	r = drive(gzip_step, NULL, &z, buf, len, lim, first_size(len, 0, max_out), p, why, msg);
	inflateEnd(&z);
	return r;
}

static int gzip_probe(const void *buf, size_t len, const char **reason, struct kx_msg *msg)
{
	const uint8_t *b = buf;
	const char *why;

	(void)msg; /* its reasons are literals */
	if (len < 3 || memcmp(b, "\x1f\x8b\x08", 3))
		return broken(reason ? reason : &why, "no gzip magic (1f 8b 08)", -ENOEXEC);
	if (len < 18)
		return broken(reason ? reason : &why, "truncated stream (shorter than a gzip "
				  "header and trailer)", -EINVAL);
	if (b[3] & 0xe0)
		return broken(reason ? reason : &why, "reserved gzip header flags are set", -EINVAL);
	return 0;
}

/* -- xz and lzma (liblzma) -- */

static int lzma_step(void *st, struct stream *s, bool *done, const char **why,
		     struct kx_msg *msg)
{
	lzma_stream *ls = st;
	lzma_ret r;

	ls->next_in = s->in;
	ls->avail_in = s->in_left;
	ls->next_out = s->out;
	ls->avail_out = s->out_left;
	/* The whole input is here: LZMA_FINISH makes a cut-off stream an error, not a wait. */
	r = lzma_code(ls, LZMA_FINISH);
	s->in = ls->next_in;
	s->in_left = ls->avail_in;
	s->out = ls->next_out;
	s->out_left = ls->avail_out;
	switch (r) {
	case LZMA_OK:
		return 0;
	case LZMA_STREAM_END:
		/* The first stream ends it: what follows (padding, a size) is not ours. */
		*done = true;
		return 0;
	case LZMA_BUF_ERROR:
		return broken(why, "truncated stream", -EINVAL);
	case LZMA_MEM_ERROR:
		return broken(why, "out of memory", -ENOMEM);
	case LZMA_MEMLIMIT_ERROR:
		return broken(why, "needs more than 256 MiB of memory to unpack (a dictionary no "
			      "kernel uses)", -EFBIG);
	case LZMA_FORMAT_ERROR:
		return broken(why, corrupt(msg, "bad header"), -EINVAL);
	case LZMA_OPTIONS_ERROR:
		return broken(why, "unsupported compression options", -EINVAL);
	case LZMA_DATA_ERROR:
		return broken(why, corrupt(msg, NULL), -EINVAL);
	default:
		return broken(why, corrupt(msg, "liblzma failed"), -EINVAL);
	}
}

static int lzma_run(bool alone, const uint8_t *buf, size_t len, const struct limits *lim,
		    uint64_t declared, struct peeled *p, const char **why, struct kx_msg *msg)
{
	size_t max_out = lim->max_out;
	lzma_stream ls = LZMA_STREAM_INIT;
	lzma_ret lr;
	int r;

	/* No LZMA_CONCATENATED: trailing bytes (the kernel's appended size) end the stream. */
	lr = alone ? lzma_alone_decoder(&ls, LZMA_MEMLIMIT) :
		     lzma_stream_decoder(&ls, LZMA_MEMLIMIT, 0);
	if (lr != LZMA_OK)
		return broken(why, lr == LZMA_MEM_ERROR ? "out of memory" : "liblzma failed to start",
			      lr == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL);
	r = drive(lzma_step, NULL, &ls, buf, len, lim, first_size(len, declared, max_out), p, why,
		  msg);
	lzma_end(&ls);
	return r;
}

static int xz_probe(const void *buf, size_t len, const char **reason, struct kx_msg *msg)
{
	const char *why;

	(void)msg; /* its reasons are literals */
	if (len < 6 || memcmp(buf, "\xfd" "7zXZ\0", 6))
		return broken(reason ? reason : &why, "no xz magic (fd 37 7a 58 5a 00)", -ENOEXEC);
	/* Stream header, an empty index and the footer: 32 bytes at the least. */
	if (len < 32)
		return broken(reason ? reason : &why, "truncated stream (shorter than an xz "
				  "header and footer)", -EINVAL);
	return 0;
}

static int xz_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
		   const char **why, struct kx_msg *msg)
{
	return lzma_run(false, buf, len, lim, 0, p, why, msg);
}

/*
 * The .lzma ("alone") header has no magic: a properties byte, a 32-bit
 * dictionary size, a 64-bit uncompressed size (all ones: unknown, an end
 * marker follows). Only what liblzma and the lzma tools write is taken for
 * one, so that no plain kernel passes: lc + lp <= 4, a dictionary of 2^n or
 * 2^n + 2^(n-1) bytes, a size below 2^38 (liblzma's own "picky" test), and
 * the range coder's first byte, which is always 0.
 */
static int lzma_probe(const void *buf, size_t len, const char **reason, struct kx_msg *msg)
{
	const uint8_t *b = buf;
	const char *why, **rp = reason ? reason : &why;
	unsigned props, lc, lp;
	uint32_t dict;
	uint64_t size;

	(void)msg; /* its reasons are literals */
	if (len < 18)
		return broken(rp, "too short for an lzma header", -ENOEXEC);
	props = b[0];
	if (props >= 9 * 5 * 5)
		return broken(rp, "properties byte out of range", -ENOEXEC);
	lc = props % 9;
	lp = props / 9 % 5;
	if (lc + lp > 4)
		return broken(rp, "lc + lp over 4", -ENOEXEC);
	dict = kx_le32(b + 1);
	if (dict != UINT32_MAX) {
		uint32_t low = dict & (~dict + 1); /* the lowest bit set */

		if (!dict || (dict != low && dict != 3 * low))
			return broken(rp, "dictionary size not 2^n or 2^n + 2^(n-1)",
				      -ENOEXEC);
	}
	size = kx_le64(b + 5);
	if (size != UINT64_MAX && size >= (1ULL << 38))
		return broken(rp, "uncompressed size over 256 GiB", -ENOEXEC);
	if (b[13] != 0)
		return broken(rp, "range coder does not start with 0", -ENOEXEC);
	return 0;
}

static int lzma_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
		     const char **why, struct kx_msg *msg)
{
	size_t max_out = lim->max_out;
	uint64_t size = kx_le64(buf + 5);

	if (size == UINT64_MAX)
		size = 0;
	else if (size > max_out)
		return broken(why, too_big(msg, max_out), -EFBIG);
	else if (!size)
		return broken(why, "unpacks to nothing", -EINVAL);
	return lzma_run(true, buf, len, lim, size, p, why, msg);
}

/* -- zstd -- */

static bool skippable(const uint8_t *b, size_t left)
{
	return left >= 4 && (kx_le32(b) & ~0xfu) == LZ4_SKIPPABLE_MAGIC;
}

static int zstd_step(void *st, struct stream *s, bool *done, const char **why,
		     struct kx_msg *msg)
{
	ZSTD_inBuffer in = { s->in, s->in_left, 0 };
	ZSTD_outBuffer out = { s->out, s->out_left, 0 };
	size_t r = ZSTD_decompressStream(st, &out, &in);

	s->in += in.pos;
	s->in_left -= in.pos;
	s->out += out.pos;
	s->out_left -= out.pos;
	if (ZSTD_isError(r))
		return broken(why, corrupt(msg, ZSTD_getErrorName(r)), -EINVAL);
	/* A frame ended: another may follow; anything else is trailing (the kernel's size). */
	if (!r && !(s->in_left >= 4 && kx_le32(s->in) == ZSTD_FRAME_MAGIC) &&
	    !skippable(s->in, s->in_left))
		*done = true;
	return 0;
}

static void zstd_reset(void *st)
{
	ZSTD_DCtx_reset(st, ZSTD_reset_session_only);
}

static int zstd_probe(const void *buf, size_t len, const char **reason, struct kx_msg *msg)
{
	const char *why;

	(void)msg; /* its reasons are literals */
	if (len < 4 || kx_le32(buf) != ZSTD_FRAME_MAGIC)
		return broken(reason ? reason : &why, "no zstd magic (28 b5 2f fd)", -ENOEXEC);
	/* Magic, the smallest frame header and a block header. */
	if (len < 9)
		return broken(reason ? reason : &why, "truncated stream (shorter than a zstd "
				  "frame header)", -EINVAL);
	return 0;
}

static int zstd_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
		     const char **why, struct kx_msg *msg)
{
	size_t max_out = lim->max_out;
	unsigned long long size = ZSTD_getFrameContentSize(buf, len);
	ZSTD_DStream *ds;
	int r;

	if (size == ZSTD_CONTENTSIZE_ERROR)
		return broken(why, corrupt(msg, "bad frame header"), -EINVAL);
	if (size == ZSTD_CONTENTSIZE_UNKNOWN)
		size = 0;
	else if (size > max_out)
		return broken(why, too_big(msg, max_out), -EFBIG);
	ds = ZSTD_createDStream();
	if (!ds)
		return broken(why, "out of memory", -ENOMEM);
	/*
	 * 2^27: the most zstd --ultra -22 uses, and libzstd's default. Said
	 * here because it bounds the window a hostile frame makes us allocate.
	 */
	ZSTD_DCtx_setParameter(ds, ZSTD_d_windowLogMax, 27);
	r = drive(zstd_step, zstd_reset, ds, buf, len, lim, first_size(len, size, max_out), p, why,
		  msg);
	ZSTD_freeDStream(ds);
	return r;
}

/* -- lz4: frames (lz4) and the legacy format (lz4 -l, what the kernel's Makefile makes) -- */

static int lz4f_step(void *st, struct stream *s, bool *done, const char **why,
		     struct kx_msg *msg)
{
	size_t in = s->in_left, out = s->out_left;
	size_t r = LZ4F_decompress(st, s->out, &out, s->in, &in, NULL);

	s->in += in;
	s->in_left -= in;
	s->out += out;
	s->out_left -= out;
	if (LZ4F_isError(r))
		return broken(why, corrupt(msg, LZ4F_getErrorName(r)), -EINVAL);
	if (!r && !(s->in_left >= 4 && kx_le32(s->in) == LZ4_FRAME_MAGIC) &&
	    !skippable(s->in, s->in_left))
		*done = true;
	return 0;
}

static int lz4_frame_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
			  const char **why, struct kx_msg *msg)
{
	size_t max_out = lim->max_out;
	LZ4F_dctx *dctx;
	LZ4F_frameInfo_t fi;
	size_t used = len, r;
	int ret;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		return broken(why, "out of memory", -ENOMEM);
	memset(&fi, 0, sizeof(fi));
	/* The header first, for its content size (0: not given). */
	r = LZ4F_getFrameInfo(dctx, &fi, buf, &used);
	if (LZ4F_isError(r)) {
		ret = broken(why, corrupt(msg, LZ4F_getErrorName(r)), -EINVAL);
	} else if (fi.contentSize > max_out) {
		ret = broken(why, too_big(msg, max_out), -EFBIG);
	} else {
		/*
		 * The head is the first block, whole (64 KiB to 4 MiB): LZ4F writes
		 * a block straight into the buffer when it has room for one, else
		 * into its own and copies, for every block after it too until the
		 * buffer has grown. No starting over: the head is a whole block.
		 */
		static const size_t block_max[] = { 64 << 10, 256 << 10, 1 << 20, 4 << 20 };
		size_t head = KX_UNWRAP_HEAD;

		if (fi.blockSizeID >= LZ4F_max64KB && fi.blockSizeID <= LZ4F_max4MB)
			head = block_max[fi.blockSizeID - LZ4F_max64KB];
		ret = drive_head(lz4f_step, NULL, dctx, buf + used, len - used, lim,
				 first_size(len, fi.contentSize, max_out), head, p, why, msg);
	}
	LZ4F_freeDecompressionContext(dctx);
	return ret;
}

/*
 * Legacy: the magic, then blocks, each a 32-bit compressed size and that
 * many bytes, each unpacking to at most 8 MiB. Nothing marks the end: the
 * file ends, or (lz4 -l output concatenated) the magic comes again, or the
 * kernel's Makefile appended the unpacked size (4 bytes, equal to it mod 2^32).
 */
static int lz4_legacy_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
			   const char **why, struct kx_msg *msg)
{
	size_t max_out = lim->max_out;
	struct obuf o = { .max = max_out };
	struct sniffer sn = { .s = lim->sniff };
	size_t pos = 4;
	char *block;
	int r = 0;

	/* A block's worth, not the whole output: only what fits below max_out is kept. */
	block = malloc(LZ4_LEGACY_BLOCK);
	if (!block)
		return broken(why, "out of memory", -ENOMEM);
	while (pos < len) {
		uint32_t c;
		int n;

		if (len - pos < 4) {
			r = broken(why, "truncated stream", -EINVAL);
			break;
		}
		c = kx_le32(buf + pos);
		if (c == LZ4_LEGACY_MAGIC) {
			pos += 4;
			continue;
		}
		if (len - pos == 4 && o.len && c == (uint32_t)o.len)
			break;
		pos += 4;
		if (!c || c > (uint32_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK)) {
			r = broken(why, corrupt(msg, "bad block size"), -EINVAL);
			break;
		}
		if (c > len - pos) {
			r = broken(why, "truncated stream", -EINVAL);
			break;
		}
		n = LZ4_decompress_safe((const char *)buf + pos, block, (int)c,
					(int)LZ4_LEGACY_BLOCK);
		if (n < 0) {
			r = broken(why, corrupt(msg, "bad block"), -EINVAL);
			break;
		}
		if ((size_t)n > max_out - o.len) {
			r = broken(why, too_big(msg, max_out), -EFBIG);
			break;
		}
		pos += c;
		if (!n) /* an empty block: nothing to keep, and o.p may still be NULL */
			continue;
		while (o.cap - o.len < (size_t)n) {
			r = obuf_grow(&o, first_size(len, 0, max_out));
			if (r < 0)
				break;
		}
		if (r < 0) {
			/* -EFBIG cannot happen: n fits below max_out. */
			*why = "out of memory";
			break;
		}
		memcpy(o.p + o.len, block, n);
		o.len += n;
		r = sniff_output(&sn, &o, max_out, 0, why, msg);
		if (r) {
			r = r < 0 ? r : 0;
			break;
		}
	}
	free(block);
	if (r < 0) {
		free(o.p);
		return r;
	}
	return obuf_done(&o, p, why);
}

static int lz4_probe(const void *buf, size_t len, const char **reason, struct kx_msg *msg)
{
	const uint8_t *b = buf;
	const char *why, **rp = reason ? reason : &why;
	uint32_t magic = len >= 4 ? kx_le32(b) : 0;

	(void)msg; /* its reasons are literals */
	if (magic == LZ4_LEGACY_MAGIC)
		return len < 8 ? broken(rp, "truncated stream (no block)", -EINVAL) : 0;
	if (magic != LZ4_FRAME_MAGIC)
		return broken(rp, "no lz4 magic (02 21 4c 18 or 04 22 4d 18)", -ENOEXEC);
	if (len < 7)
		return broken(rp, "truncated stream (shorter than an lz4 frame header)", -EINVAL);
	if (b[4] >> 6 != 1)
		return broken(rp, "an lz4 frame of an unknown version", -EINVAL);
	return 0;
}

static int lz4_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
		    const char **why, struct kx_msg *msg)
{
	if (kx_le32(buf) == LZ4_LEGACY_MAGIC)
		return lz4_legacy_peel(buf, len, lim, p, why, msg);
	return lz4_frame_peel(buf, len, lim, p, why, msg);
}

/* ---- EFI zboot ------------------------------------------------------------------ */

/*
 * drivers/firmware/efi/libstub/zboot-header.S: "MZ\0\0", "zimg", the
 * payload's offset and size (u32 LE, the size without the 4 bytes the
 * Makefile appends to non-gzip payloads), two reserved words, the
 * compression as a NUL-terminated string, then at 0x38 the arm64 magic
 * and at 0x3c the PE header's offset. Kernels 6.1 to 6.12 name the
 * Makefile's command ("xzkern", "zstd22"), later ones the method.
 */
#define ZBOOT_TYPE_OFF 24
#define ZBOOT_TYPE_END 0x38
#define ZBOOT_HEADER 0x40

struct zboot {
	uint32_t offset, size;
	const struct wrapper *comp;
};

static int zboot_parse(const uint8_t *b, size_t len, struct zboot *z, const char **why,
		       struct kx_msg *msg)
{
	static const struct {
		const char *type;
		const struct wrapper *w;
	} types[] = {
		{ "gzip", &w_gzip }, { "zstd", &w_zstd }, { "zstd22", &w_zstd },
		{ "xz", &w_xz }, { "xzkern", &w_xz }, { "lzma", &w_lzma }, { "lz4", &w_lz4 },
		{ "bzip2", NULL }, { "lzo", NULL },
	};
	const char *type, *inner_why = NULL;
	struct kx_msg inner;
	char shown[40];
	size_t i;

	if (len < 8 || memcmp(b, "MZ", 2) || memcmp(b + 4, "zimg", 4))
		return broken(why, "no \"zimg\" at offset 4", -ENOEXEC);
	if (len < ZBOOT_HEADER)
		return broken(why, "header cut short", -EINVAL);
	type = (const char *)b + ZBOOT_TYPE_OFF;
	if (!memchr(type, '\0', ZBOOT_TYPE_END - ZBOOT_TYPE_OFF))
		return broken(why, "compression type is not a NUL-terminated string", -EINVAL);
	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(type, types[i].type))
			break;
	kx_printable(type, strlen(type), shown, sizeof(shown));
	if (i == ARRAY_SIZE(types)) {
		snprintf(msg->text, sizeof(msg->text), "unknown compression \"%s\"", shown);
		return broken(why, msg->text, -EINVAL);
	}
	if (!types[i].w) {
		snprintf(msg->text, sizeof(msg->text), "the payload is %s-compressed, which this "
			 "kexec cannot unpack (gzip, zstd, xz, lzma, lz4 only)", shown);
		return broken(why, msg->text, -EOPNOTSUPP);
	}
	z->comp = types[i].w;
	z->offset = kx_le32(b + 8);
	z->size = kx_le32(b + 12);
	if (z->offset < ZBOOT_HEADER || z->offset > len || z->size > len - z->offset) {
		snprintf(msg->text, sizeof(msg->text), "the payload (%u bytes at offset %u) lies "
			 "outside the file (%zu bytes)", z->size, z->offset, len);
		return broken(why, msg->text, -EINVAL);
	}
	if (!z->size)
		return broken(why, "the payload is empty", -EINVAL);
	if (z->comp->pub.probe(b + z->offset, z->size, &inner_why, &inner) == -ENOEXEC) {
		snprintf(msg->text, sizeof(msg->text), "the header says %s, but the payload is not "
			 "(%s)", shown, inner_why ? inner_why : "no magic");
		return broken(why, msg->text, -EINVAL);
	}
	return 0;
}

static int zboot_probe(const void *buf, size_t len, const char **reason, struct kx_msg *msg)
{
	struct zboot z;
	struct kx_msg own;
	const char *why;

	return zboot_parse(buf, len, &z, reason ? reason : &why, reason ? msg : &own);
}

static int zboot_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
		      const char **why, struct kx_msg *msg)
{
	struct zboot z;
	int r = zboot_parse(buf, len, &z, why, msg);

	if (r < 0)
		return r;
	p->buf = buf + z.offset;
	p->len = z.size;
	p->next = &z.comp->pub;
	return 0;
}

/* ---- Unified Kernel Images --------------------------------------------------------- */

/*
 * PE/COFF: e_lfanew at 0x3c, "PE\0\0", the COFF header (NumberOfSections at
 * +6, SizeOfOptionalHeader at +20 from the signature), the optional header,
 * then 40-byte section headers: Name[8], VirtualSize, VirtualAddress,
 * SizeOfRawData, PointerToRawData. systemd's stub takes VirtualSize as a
 * section's size (SizeOfRawData is rounded up to the file alignment).
 *
 * Multi-profile UKIs (systemd 257): sections after a .profile section belong
 * to that profile and override the base sections before it. Profile 0, the
 * default, is what a boot without a choice gets: the base and the sections
 * up to the second .profile.
 */
enum { UKI_LINUX, UKI_INITRD, UKI_CMDLINE, UKI_DTB, UKI_NR };
static const char uki_names[UKI_NR][8] = { ".linux", ".initrd", ".cmdline", ".dtb" };

struct uki {
	struct kx_blob part[UKI_NR];
};

static int uki_parse(const uint8_t *b, size_t len, struct uki *u, const char **why,
		     struct kx_msg *msg)
{
	int region[UKI_NR] = { -1, -1, -1, -1 };
	int profile = 0;
	size_t pe, sec;
	uint16_t nsec;

	memset(u, 0, sizeof(*u));
	if (len < 0x40 || memcmp(b, "MZ", 2))
		return broken(why, "no \"MZ\" at the start", -ENOEXEC);
	pe = kx_le32(b + 0x3c);
	if (pe > len || len - pe < 24 || memcmp(b + pe, "PE\0\0", 4))
		return broken(why, "no PE header", -ENOEXEC);
	nsec = kx_le16(b + pe + 6);
	sec = pe + 24 + kx_le16(b + pe + 20);
	/* A table we cannot read is not known to hold .linux: not a UKI, for all we know. */
	if (sec > len || (len - sec) / 40 < nsec)
		return broken(why, "its PE section table lies outside the file",
			      -ENOEXEC);
	for (unsigned i = 0; i < nsec; i++) {
		const uint8_t *s = b + sec + 40 * i;
		uint32_t vsize = kx_le32(s + 8), rsize = kx_le32(s + 16), off = kx_le32(s + 20);
		uint32_t size = vsize && vsize < rsize ? vsize : rsize;
		int k;

		if (!memcmp(s, ".profile", 8) && ++profile > 1)
			break;
		for (k = 0; k < UKI_NR; k++)
			if (!memcmp(s, uki_names[k], 8))
				break;
		/* The first of a name in its region; the profile's over the base's. */
		if (k == UKI_NR || region[k] >= profile)
			continue;
		if (off > len || size > len - off) {
			snprintf(msg->text, sizeof(msg->text), "its %.8s section (%u bytes at "
				 "offset %u) lies outside the file (%zu bytes)", uki_names[k], size,
				 off, len);
			return broken(why, msg->text, -EINVAL);
		}
		region[k] = profile;
		u->part[k].buf = b + off;
		u->part[k].len = size;
	}
	if (region[UKI_LINUX] < 0)
		return broken(why, "a PE image without a .linux section (an EFI-stub kernel, "
			      "not a UKI)", -ENOEXEC);
	if (!u->part[UKI_LINUX].len)
		return broken(why, "its .linux section is empty", -EINVAL);
	return 0;
}

static int uki_probe(const void *buf, size_t len, const char **reason, struct kx_msg *msg)
{
	struct uki u;
	struct kx_msg own;
	const char *why;

	return uki_parse(buf, len, &u, reason ? reason : &why, reason ? msg : &own);
}

static int uki_peel(const uint8_t *buf, size_t len, const struct limits *lim, struct peeled *p,
		    const char **why, struct kx_msg *msg)
{
	struct uki u;
	struct kx_blob *c = &u.part[UKI_CMDLINE];
	int r = uki_parse(buf, len, &u, why, msg);

	if (r < 0)
		return r;
	/* ukify writes the command line as text, often with a newline or NULs after it. */
	while (c->len && memchr("\0\n\r\t ", ((const char *)c->buf)[c->len - 1], 5))
		c->len--;
	if (!c->len)
		c->buf = NULL;
	p->buf = u.part[UKI_LINUX].buf;
	p->len = u.part[UKI_LINUX].len;
	p->initrd = u.part[UKI_INITRD];
	p->cmdline = *c;
	p->dtb = u.part[UKI_DTB];
	return 0;
}

/* ---- The table ------------------------------------------------------------------- */

static const struct wrapper w_uki = {
	{ "uki", "Unified Kernel Image: a PE/COFF file with .linux (and .initrd, .cmdline, .dtb)",
	  uki_probe },
	"UKI", "in the UKI's .linux", uki_peel,
};
static const struct wrapper w_zboot = {
	{ "zboot", "EFI zboot image: a compressed arm64/riscv64 Image behind an EFI decompressor",
	  zboot_probe },
	"zboot image", "payload of the zboot image", zboot_peel,
};
static const struct wrapper w_gzip = {
	{ "gzip", "gzip-compressed kernel (Image.gz)", gzip_probe },
	"gzip stream", "inside the gzip stream", gzip_peel,
};
static const struct wrapper w_xz = {
	{ "xz", "xz-compressed kernel", xz_probe },
	"xz stream", "inside the xz stream", xz_peel,
};
static const struct wrapper w_lzma = {
	{ "lzma", "lzma-compressed kernel (the .lzma \"alone\" format)", lzma_probe },
	"lzma stream", "inside the lzma stream", lzma_peel,
};
static const struct wrapper w_zstd = {
	{ "zstd", "zstd-compressed kernel (Image.zst)", zstd_probe },
	"zstd stream", "inside the zstd stream", zstd_peel,
};
static const struct wrapper w_lz4 = {
	{ "lz4", "lz4-compressed kernel (the legacy lz4 -l format, or lz4 frames)", lz4_probe },
	"lz4 stream", "inside the lz4 stream", lz4_peel,
};

/* The order probes run in: a UKI before zboot (both are PE), the rest have magic. */
const struct kx_wrapper *const kx_wrappers[] = {
	&w_uki.pub, &w_zboot.pub, &w_gzip.pub, &w_xz.pub, &w_lzma.pub, &w_zstd.pub, &w_lz4.pub,
};
const size_t kx_nr_wrappers = ARRAY_SIZE(kx_wrappers);

const struct kx_wrapper *kx_wrapper_by_name(const char *name)
{
	for (size_t i = 0; name && i < kx_nr_wrappers; i++)
		if (!strcasecmp(name, kx_wrappers[i]->name))
			return kx_wrappers[i];
	return NULL;
}

/* ---- Peeling ----------------------------------------------------------------------- */

/* How a layer is named in messages: "zstd payload of the zboot image" (said in buf). */
static const char *layer_what(const struct wrapper *w, const struct wrapper *parent,
			      struct kx_msg *buf)
{
	if (!parent)
		return w->what;
	if (parent == &w_zboot)
		snprintf(buf->text, sizeof(buf->text), "%s %s", w->pub.name, parent->inner);
	else
		snprintf(buf->text, sizeof(buf->text), "%s %s", w->what, parent->inner);
	return buf->text;
}

/* The failure, said in out->reason (what and why must not point there). */
static int fail(struct kx_unwrapped *out, const char **reason, int err, const char *what,
		const char *why)
{
	char *msg = out->reason;

	free(out->owned);
	out->owned = NULL;
	out->buf = NULL;
	out->len = 0;
	memset(&out->cmdline, 0, sizeof(out->cmdline));
	memset(&out->initrd, 0, sizeof(out->initrd));
	memset(&out->dtb, 0, sizeof(out->dtb));
	if (what)
		snprintf(msg, sizeof(out->reason), "%s: %s", what, why ? why : "broken");
	else
		snprintf(msg, sizeof(out->reason), "%s", why ? why : "broken");
	if (reason)
		*reason = msg;
	return err;
}

static void add_layer(struct kx_unwrapped *out, const struct kx_wrapper *w)
{
	size_t used = strlen(out->chain);

	out->layers[out->nr_layers++] = w;
	snprintf(out->chain + used, sizeof(out->chain) - used, "%s%s", used ? "+" : "", w->name);
}

int kx_unwrap(const void *buf, size_t len, size_t max_out, const char *force,
	      struct kx_unwrapped *out, const char **reason)
{
	return kx_unwrap_lazy(buf, len, max_out, force, NULL, out, reason);
}

/*
 * Which envelope the layer at cur is: *wp, or NULL when none is (the kernel
 * is reached). must: the one the outer layer says comes next (zboot's
 * compression), or -t's (forced). 0, or fail()'s errno.
 */
static int next_wrapper(const uint8_t *cur, size_t cur_len, const struct wrapper *must,
			bool forced, const struct wrapper *parent, struct kx_unwrapped *out,
			const char **reason, const struct wrapper **wp)
{
	struct kx_msg said, msg, what; /* the probe's reason, the message, the layer's name */
	const char *why = NULL;
	int r = 0;

	*wp = NULL;
	if (must) {
		r = must->pub.probe(cur, cur_len, &why, &said);
		if (r == -ENOEXEC) {
			if (forced) {
				snprintf(msg.text, sizeof(msg.text), "not a %s image%s%s%s",
					 must->pub.name, why ? " (" : "", why ? why : "",
					 why ? ")" : "");
				return fail(out, reason, -ENOEXEC, NULL, msg.text);
			}
			/* zboot checked the magic; defensive all the same. */
			snprintf(msg.text, sizeof(msg.text),
				 "not %s data, as the zboot header says (%s)", must->pub.name,
				 why ? why : "no magic");
			return fail(out, reason, -EINVAL, layer_what(must, parent, &what),
				    msg.text);
		}
		*wp = must;
	} else {
		for (size_t i = 0; i < kx_nr_wrappers && !*wp; i++) {
			r = kx_wrappers[i]->probe(cur, cur_len, &why, &said);
			if (r != -ENOEXEC)
				*wp = wrapper_of(kx_wrappers[i]);
		}
		if (!*wp)
			return 0;
	}
	return r < 0 ? fail(out, reason, r, layer_what(*wp, parent, &what), why) : 0;
}

/* Peel layer w off *cur: the layer recorded in out, *cur the inside, *must what comes next. */
static int peel_layer(const struct wrapper *w, const struct wrapper *parent, const struct limits *lim,
		      struct kx_unwrapped *out, const char **reason, const uint8_t **cur,
		      size_t *cur_len, const struct wrapper **must)
{
	struct kx_msg msg, what; /* the layer's reason, its name */
	const char *why = NULL;
	struct peeled p;
	int r;

	if (out->nr_layers == KX_UNWRAP_MAX_DEPTH) {
		snprintf(msg.text, sizeof(msg.text), "more than %d nested envelopes (%s, then %s)",
			 KX_UNWRAP_MAX_DEPTH, out->chain, w->pub.name);
		return fail(out, reason, -ELOOP, NULL, msg.text);
	}
	memset(&p, 0, sizeof(p));
	r = w->peel(*cur, *cur_len, lim, &p, &why, &msg);
	if (r < 0)
		return fail(out, reason, r, layer_what(w, parent, &what), why);
	add_layer(out, &w->pub);
	/* A UKI's parts are slices of the caller's buffer only when it is outermost. */
	if (w == &w_uki && out->nr_layers == 1) {
		out->cmdline = p.cmdline;
		out->initrd = p.initrd;
		out->dtb = p.dtb;
	}
	if (p.owned) {
		/* The layer it came from is no longer needed. */
		free(out->owned);
		out->owned = p.owned;
	}
	*cur = p.buf;
	*cur_len = p.len;
	*must = p.next ? wrapper_of(p.next) : NULL;
	return 0;
}

int kx_unwrap_lazy(const void *buf, size_t len, size_t max_out, const char *force,
		   const struct kx_unwrap_sniff *sniff, struct kx_unwrapped *out,
		   const char **reason)
{
	const struct wrapper *parent = NULL, *must = NULL, *w;
	const uint8_t *cur = buf;
	size_t cur_len = len;
	bool forced = false;
	int r;

	memset(out, 0, sizeof(*out));
	out->buf = buf;
	out->len = len;
	if (reason)
		*reason = NULL;
	if (!max_out)
		max_out = KX_UNWRAP_MAX_OUT;
	if (force) {
		const struct kx_wrapper *f = kx_wrapper_by_name(force);

		if (!f) {
			struct kx_msg msg;

			snprintf(msg.text, sizeof(msg.text),
				 "no envelope format is named \"%.40s\"", force);
			return fail(out, reason, -EINVAL, NULL, msg.text);
		}
		must = wrapper_of(f);
		forced = true;
	}
	for (;;) {
		const struct limits lim = { max_out, sniff };

		r = next_wrapper(cur, cur_len, must, forced, parent, out, reason, &w);
		if (r < 0)
			return r;
		if (!w)
			break;
		r = peel_layer(w, parent, &lim, out, reason, &cur, &cur_len, &must);
		if (r < 0)
			return r;
		forced = false;
		parent = w;
	}
	out->buf = cur;
	out->len = cur_len;
	return 0;
}

void kx_unwrapped_free(struct kx_unwrapped *u)
{
	if (!u)
		return;
	free(u->owned);
	memset(u, 0, sizeof(*u));
}
