/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Envelopes around kernel images, peeled before any architecture's format
 * probes the kernel: compressed files (gzip, xz, lzma, zstd, lz4), EFI zboot
 * images ("zimg" at offset 4, the payload's offset, size and compression in
 * the header) and Unified Kernel Images (PE/COFF with .linux, and optionally
 * .initrd, .cmdline, .dtb). Layers nest: a UKI whose .linux is a zboot image
 * whose payload is zstd is three layers. Each envelope is a wrapper format
 * (kx_wrappers[]), listed by every architecture after its own formats.
 *
 * Decompression goes through Debian's zlib, liblzma, libzstd and liblz4 and
 * is bounded: output beyond max_out bytes is refused (a decompression bomb)
 * before it is allocated.
 */
#ifndef LIBKEXEC_UNWRAP_H
#define LIBKEXEC_UNWRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kx_msg; /* lib/libkexec-internal.h */

/* The most bytes any layer may unpack to by default (a kernel is far smaller). */
#define KX_UNWRAP_MAX_OUT ((size_t)1 << 30)
/* The most layers peeled (a UKI around a zboot around zstd is 3). */
#define KX_UNWRAP_MAX_DEPTH 4

/* One wrapper format. */
struct kx_wrapper {
	const char *name;           /* "gzip", "xz", "lzma", "zstd", "lz4", "zboot", "uki" */
	const char *summary;        /* one line, for --list-types */
	/*
	 * Is buf (len bytes) this envelope? Cheap: looks at magic and headers
	 * only. 0: yes. -ENOEXEC: not this envelope (*reason may be NULL).
	 * Another negative errno: it is this envelope but broken (truncated
	 * header, offsets outside the file), *reason says how. *reason is a
	 * string literal or msg->text (the caller's: it lives as long as *msg).
	 * reason may be NULL (no reason wanted), and msg only when reason is.
	 */
	int (*probe)(const void *buf, size_t len, const char **reason, struct kx_msg *msg);
};

extern const struct kx_wrapper *const kx_wrappers[];
extern const size_t kx_nr_wrappers;

/* A part a UKI carries besides the kernel: points into the caller's buffer. */
struct kx_blob {
	const void *buf;
	size_t len;                 /* 0: absent */
};

struct kx_unwrapped {
	/*
	 * The innermost image: either the caller's buffer itself (no layer,
	 * owned == NULL) or a malloc'd buffer (owned == buf, freed by
	 * kx_unwrapped_free), or a slice of the caller's buffer (a UKI's
	 * uncompressed .linux: owned == NULL). Only the innermost buffer is
	 * kept: each layer's is freed as soon as the next one is unpacked.
	 * (A UKI inside a compressed layer, which no tool makes, leaves buf a
	 * slice inside owned.)
	 */
	const void *buf;
	size_t len;
	void *owned;
	/* Outermost first: "uki", "zboot", "zstd"; nr_layers 0 for a plain image. */
	const struct kx_wrapper *layers[KX_UNWRAP_MAX_DEPTH];
	unsigned nr_layers;
	/* "uki+zboot+zstd", "" for none. */
	char chain[64];
	/* From the outermost UKI, if any: its .cmdline (trailing NULs and
	 * newlines trimmed), .initrd, .dtb. Slices of the caller's buffer.
	 * Only a UKI that is the outermost layer (layers[0]) reports them;
	 * len 0 for a part it does not have. */
	struct kx_blob cmdline, initrd, dtb;
	/* Why kx_unwrap failed: where its *reason points. */
	char reason[384];
};

/*
 * Peel every envelope of buf (len bytes, the whole file). Always fills *out
 * (a plain image: out->buf == buf, nr_layers 0) and returns 0 (*reason
 * NULL), or a negative errno with a one-line *reason that names the layer
 * ("zstd payload of the zboot image: truncated stream"). *reason points into
 * out->reason: it lives as long as *out, until out is passed again to
 * kx_unwrap, kx_unwrap_lazy or kx_unwrapped_free (which clear it). No
 * static or thread-local storage is kept: calls on different *out are
 * independent. The errors:
 *   -EFBIG   a layer would unpack to more than max_out bytes (a bomb; sizes
 *            a header declares are refused before anything is allocated),
 *            or needs more than 256 MiB of decoder memory (xz, lzma),
 *   -EINVAL  a broken envelope or stream (truncated, bad checksum, offsets
 *            outside the file, a UKI with an empty .linux, a zboot payload
 *            that is not what its header says); force names no wrapper,
 *   -EOPNOTSUPP a zboot image compressed with bzip2 or lzo,
 *   -ELOOP   more than KX_UNWRAP_MAX_DEPTH layers,
 *   -ENOMEM.
 * On an error *out holds nothing to free (buf NULL, owned NULL) and the
 * layers peeled before the broken one. max_out 0 is KX_UNWRAP_MAX_OUT; the
 * bound applies to each layer (kx_unwrap_lazy below stops sooner). Trailing bytes after a compressed stream (the
 * unpacked size kernels' Makefiles append, padding) are ignored; gzip
 * members and zstd and lz4 frames that follow one another are all unpacked.
 * force, when not NULL, is a wrapper name that must be the outermost layer
 * (-t): -ENOEXEC when buf is not that envelope ("not a zstd image (...)").
 */
int kx_unwrap(const void *buf, size_t len, size_t max_out, const char *force,
	      struct kx_unwrapped *out, const char **reason);
void kx_unwrapped_free(struct kx_unwrapped *u);

/*
 * Lazy peeling: a file that is not a kernel should cost what it takes to
 * see that, not a gigabyte of zeros. A decompressing layer shows its first
 * KX_UNWRAP_HEAD unpacked bytes to the sniffer (a stream that ends sooner
 * is unpacked whole and not shown), unless those bytes are another
 * envelope. *why, when fn sets it, is a string literal or a message fn
 * wrote into buf (buf_len bytes, the caller's, used before kx_unwrap_lazy
 * returns: what it says is copied into out->reason). fn returns:
 *   > 0      how many bytes the image is, as its header declares (a
 *            bzImage's setup and payload, an ELF file's headers and
 *            segments, an Image's image_size): the layer stops unpacking
 *            KX_UNWRAP_SLACK bytes past it (a signature or padding after
 *            the image stays; the rest is not kernel and is never unpacked,
 *            so neither is its checksum checked),
 *   0        the header does not say (or no opinion): unpacked to the end,
 *   -ENOEXEC no format the caller knows begins so, *why saying why (each
 *            format's reason): the layer is refused there, with -ENOEXEC.
 * kx_unwrap_lazy(..., NULL, ...) is kx_unwrap.
 */
#define KX_UNWRAP_HEAD ((size_t)64 << 10)
#define KX_UNWRAP_SLACK ((size_t)1 << 20)
struct kx_unwrap_sniff {
	int64_t (*fn)(void *data, const void *head, size_t len, const char **why, char *buf,
		      size_t buf_len);
	void *data;
};
int kx_unwrap_lazy(const void *buf, size_t len, size_t max_out, const char *force,
		   const struct kx_unwrap_sniff *sniff, struct kx_unwrapped *out,
		   const char **reason);

/* A wrapper by name (any case); NULL when none. */
const struct kx_wrapper *kx_wrapper_by_name(const char *name);

#endif
