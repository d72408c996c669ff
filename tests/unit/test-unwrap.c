/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Envelopes around kernels (lib/unwrap.c): every compressor around an arm64
 * Image and around an ELF file, zboot images, UKIs (made with objcopy on
 * systemd's stub, and by hand for hostile edits), the nesting of all three,
 * and what must be refused: truncated streams, bombs, offsets outside the
 * file, too many layers, a -t that names another envelope.
 *
 * The images are built here with the libraries' compressors. Debian's arm64
 * Image and amd64 bzImage are used when the project's cache holds them
 * (${LIBKEXEC_CACHE:-${XDG_CACHE_HOME:-~/.cache}/libkexec}, filled by `make
 * check`), synthetic ones otherwise. KX_TEST_VERBOSE=1 says which.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "arch.h"
#include "fake-bzimage.h"
#include "libkexec.h"
#include "unwrap.h"

#define MiB ((size_t)1 << 20)

struct blob {
	uint8_t *p;
	size_t len;
};

static void blob_free(struct blob *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
}

static struct blob blob_dup(const void *p, size_t len)
{
	struct blob b = { malloc(len ? len : 1), len };

	assert_non_null(b.p);
	memcpy(b.p, p, len);
	return b;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static bool verbose(void)
{
	return getenv("KX_TEST_VERBOSE") != NULL;
}

static void assert_reason(const char *reason, const char *needle)
{
	if (!reason || !strstr(reason, needle))
		fail_msg("reason \"%s\" lacks \"%s\"", reason ? reason : "(null)", needle);
	if (strchr(reason, '\n'))
		fail_msg("reason \"%s\" is not one line", reason);
}

/* ---- Inputs: Debian's kernels from the cache, or synthetic ones ---------------- */

static bool read_file(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return false;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return false;
	}
	b->len = (size_t)n;
	b->p = malloc(b->len);
	assert_non_null(b->p);
	if (fread(b->p, 1, b->len, f) != b->len) {
		fclose(f);
		blob_free(b);
		return false;
	}
	fclose(f);
	return true;
}

/* The project's download cache, as scripts/apt.sh names it. */
static const char *cache_dir(void)
{
	static char dir[1024];
	const char *c = getenv("LIBKEXEC_CACHE"), *x = getenv("XDG_CACHE_HOME"),
		   *h = getenv("HOME");

	if (c && *c)
		snprintf(dir, sizeof(dir), "%s", c);
	else if (x && *x)
		snprintf(dir, sizeof(dir), "%s/libkexec", x);
	else if (h && *h)
		snprintf(dir, sizeof(dir), "%s/.cache/libkexec", h);
	else
		return NULL;
	return dir;
}

/* The first cached file matching pattern (below the cache) that check() accepts. */
static bool cached(const char *pattern, bool (*check)(const struct blob *), struct blob *b)
{
	char pat[PATH_MAX];
	const char *dir = cache_dir();
	glob_t g;
	bool found = false;

	if (!dir)
		return false;
	snprintf(pat, sizeof(pat), "%s/%s", dir, pattern);
	if (glob(pat, 0, NULL, &g))
		return false;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		if (!read_file(g.gl_pathv[i], b))
			continue;
		found = check(b);
		if (!found)
			blob_free(b);
		else if (verbose())
			fprintf(stderr, "using %s\n", g.gl_pathv[i]);
	}
	globfree(&g);
	return found;
}

/* Text-like bytes (a word list, with repeats) that compress as code does, roughly. */
static void fill_pattern(uint8_t *p, size_t len, uint32_t seed)
{
	static const char *words[] = { "mov", "x0, ", "ldr ", "str ", "\0\0\0\0", "ret\n",
		"\x1f\x20\x03\xd5", "bl ", "kexec", "\xff\xff", "add sp", "linux" };
	uint32_t x = seed | 1;

	for (size_t i = 0; i < len;) {
		const char *w;
		size_t n;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (x % 5 == 0) {
			p[i++] = (uint8_t)(x >> 8);
			continue;
		}
		w = words[x % (sizeof(words) / sizeof(words[0]))];
		n = w[0] ? strlen(w) : 4;
		for (size_t k = 0; k < n && i < len; k++)
			p[i++] = (uint8_t)w[k];
	}
}

/*
 * A minimal PE32+ at pe_off in b, with nsec sections whose headers the
 * caller fills at the returned offset. What an EFI stub kernel carries.
 */
static size_t put_pe(uint8_t *b, uint32_t pe_off, uint16_t nsec)
{
	put32(b + 0x3c, pe_off);
	memcpy(b + pe_off, "PE\0\0", 4);
	put16(b + pe_off + 4, 0x8664);
	put16(b + pe_off + 6, nsec);
	put16(b + pe_off + 20, 240);  /* SizeOfOptionalHeader, PE32+ */
	put16(b + pe_off + 22, 0x22); /* executable, large-address aware */
	put16(b + pe_off + 24, 0x20b);
	return pe_off + 24 + 240;
}

static void put_section(uint8_t *s, const char *name, uint32_t vsize, uint32_t va, uint32_t rsize,
			uint32_t roff)
{
	memset(s, 0, 40);
	memcpy(s, name, strnlen(name, 8));
	put32(s + 8, vsize);
	put32(s + 12, va);
	put32(s + 16, rsize);
	put32(s + 20, roff);
}

static bool is_arm64_image(const struct blob *b)
{
	return b->len > 4 * MiB && !memcmp(b->p + 56, "ARM\x64", 4);
}

/* Debian's arm64 Image (an EFI stub kernel: MZ, a PE header), or a synthetic one like it. */
static const struct blob *arm64_image(void)
{
	static struct blob img;

	if (img.p)
		return &img;
	if (cached("linux-image-*-arm64/boot/vmlinuz-*", is_arm64_image, &img))
		return &img;
	img.len = 3 * MiB + 4321;
	img.p = malloc(img.len);
	assert_non_null(img.p);
	fill_pattern(img.p, img.len, 64);
	memset(img.p, 0, 0x200);
	memcpy(img.p, "MZ\x40\xfa", 4);                /* ccmp, as the EFI stub's header */
	put32(img.p + 0x10, (uint32_t)img.len + 65536); /* image_size */
	put32(img.p + 0x18, 0xa);                      /* 4K pages, anywhere */
	memcpy(img.p + 56, "ARM\x64", 4);
	put_section(img.p + put_pe(img.p, 0x40, 1), ".text", (uint32_t)img.len - 0x200, 0x10000,
		    (uint32_t)img.len - 0x200, 0x200);
	return &img;
}

static bool is_bzimage(const struct blob *b)
{
	return b->len > 0x1000 && !memcmp(b->p + 0x202, "HdrS", 4);
}

/* Debian's amd64 bzImage (EFI stub: MZ and a PE header, no .linux), or tests' fake one. */
static const struct blob *bzimage(void)
{
	static struct blob bz;

	if (bz.p)
		return &bz;
	if (cached("linux-image-*-amd64/boot/vmlinuz-*", is_bzimage, &bz))
		return &bz;
	bz.len = FAKE_SIZE;
	bz.p = malloc(bz.len);
	assert_non_null(bz.p);
	fake_bzimage(bz.p);
	bz.p[0] = 'M';
	bz.p[1] = 'Z';
	put_section(bz.p + put_pe(bz.p, 0x80, 1), ".text", FAKE_SIZE - 0xa00, 0x1000,
		    FAKE_SIZE - 0xa00, 0xa00);
	return &bz;
}

/* An ELF vmlinux-like file: the ELF header, then text. */
static const struct blob *elf_file(void)
{
	static struct blob elf;

	if (elf.p)
		return &elf;
	elf.len = MiB + 77;
	elf.p = malloc(elf.len);
	assert_non_null(elf.p);
	fill_pattern(elf.p, elf.len, 7);
	memset(elf.p, 0, 64);
	memcpy(elf.p, "\177ELF\2\1\1", 7);
	put16(elf.p + 16, 2);
	put16(elf.p + 18, 0xb7);
	return &elf;
}

/* ---- Compressors ------------------------------------------------------------------- */

enum comp { GZIP, XZ, LZMA, ZSTD, LZ4_LEGACY, LZ4_FRAME, NR_COMP };
static const char *const comp_name[NR_COMP] = { "gzip", "xz", "lzma", "zstd", "lz4", "lz4" };
static const char *const comp_label[NR_COMP] = { "gzip", "xz", "lzma", "zstd", "lz4 -l",
						  "lz4 frame" };

static struct blob gzip_of(const void *p, size_t len, int level)
{
	z_stream z;
	struct blob b;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	b.len = deflateBound(&z, len);
	b.p = malloc(b.len);
	assert_non_null(b.p);
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)len;
	z.next_out = b.p;
	z.avail_out = (uInt)b.len;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	b.len = z.total_out;
	deflateEnd(&z);
	return b;
}

static struct blob lzma_of(const void *p, size_t len, bool alone)
{
	lzma_stream ls = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	struct blob b;

	b.len = lzma_stream_buffer_bound(len) + 64;
	b.p = malloc(b.len);
	assert_non_null(b.p);
	assert_false(lzma_lzma_preset(&opt, 0));
	if (alone)
		assert_int_equal(lzma_alone_encoder(&ls, &opt), LZMA_OK);
	else
		assert_int_equal(lzma_stream_encoder(&ls, (lzma_filter[]){
			{ LZMA_FILTER_LZMA2, &opt }, { LZMA_VLI_UNKNOWN, NULL } }, LZMA_CHECK_CRC32),
			LZMA_OK);
	ls.next_in = p;
	ls.avail_in = len;
	ls.next_out = b.p;
	ls.avail_out = b.len;
	assert_int_equal(lzma_code(&ls, LZMA_FINISH), LZMA_STREAM_END);
	b.len = ls.total_out;
	lzma_end(&ls);
	return b;
}

static struct blob zstd_of(const void *p, size_t len, bool declare_size)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	struct blob b;
	size_t r;

	assert_non_null(c);
	b.len = ZSTD_compressBound(len);
	b.p = malloc(b.len);
	assert_non_null(b.p);
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, declare_size);
	r = ZSTD_compress2(c, b.p, b.len, p, len);
	assert_false(ZSTD_isError(r));
	b.len = r;
	ZSTD_freeCCtx(c);
	return b;
}

/* What `lz4 -l` writes: the legacy magic, then 8 MiB blocks, each with its size. */
static struct blob lz4_legacy_of(const void *p, size_t len)
{
	const uint8_t *in = p;
	struct blob b;
	size_t pos = 4;

	b.len = 4 + (len / (8 * MiB) + 1) * (4 + LZ4_compressBound(8 * MiB));
	b.p = malloc(b.len);
	assert_non_null(b.p);
	put32(b.p, 0x184c2102);
	for (size_t off = 0; off < len; off += 8 * MiB) {
		int n = (int)(len - off < 8 * MiB ? len - off : 8 * MiB);
		int c = LZ4_compress_default((const char *)in + off, (char *)b.p + pos + 4, n,
					     (int)(b.len - pos - 4));

		assert_true(c > 0);
		put32(b.p + pos, (uint32_t)c);
		pos += 4 + (size_t)c;
	}
	b.len = pos;
	return b;
}

static struct blob lz4_frame_of(const void *p, size_t len, bool declare_size)
{
	LZ4F_preferences_t prefs;
	struct blob b;
	size_t r;

	memset(&prefs, 0, sizeof(prefs));
	prefs.frameInfo.contentSize = declare_size ? len : 0;
	prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
	b.len = LZ4F_compressFrameBound(len, &prefs);
	b.p = malloc(b.len);
	assert_non_null(b.p);
	r = LZ4F_compressFrame(b.p, b.len, p, len, &prefs);
	assert_false(LZ4F_isError(r));
	b.len = r;
	return b;
}

static struct blob pack(enum comp c, const void *p, size_t len)
{
	switch (c) {
	case GZIP:
		return gzip_of(p, len, 1);
	case XZ:
		return lzma_of(p, len, false);
	case LZMA:
		return lzma_of(p, len, true);
	case ZSTD:
		return zstd_of(p, len, true);
	case LZ4_LEGACY:
		return lz4_legacy_of(p, len);
	default:
		return lz4_frame_of(p, len, true);
	}
}

/* The arm64 Image compressed each way, made once (Debian's Image is 30 MB). */
static const struct blob *image_packed(enum comp c)
{
	static struct blob packed[NR_COMP];

	if (!packed[c].p)
		packed[c] = pack(c, arm64_image()->p, arm64_image()->len);
	return &packed[c];
}

/* Unwrap what must come out as want, through the given chain. */
static void expect_unwrap(const void *buf, size_t len, const char *chain, const struct blob *want)
{
	struct kx_unwrapped u;
	const char *why = NULL;
	int r = kx_unwrap(buf, len, KX_UNWRAP_MAX_OUT, NULL, &u, &why);

	if (r)
		fail_msg("%s: kx_unwrap: %d (%s)", chain, r, why ? why : "no reason");
	assert_null(why);
	assert_string_equal(u.chain, chain);
	assert_int_equal(u.len, want->len);
	assert_memory_equal(u.buf, want->p, want->len);
	kx_unwrapped_free(&u);
	assert_null(u.owned);
	assert_int_equal(u.nr_layers, 0);
}

#define expect_fail(...) expect_fail_at(__LINE__, __VA_ARGS__)
static int expect_fail_at(int line, const void *buf, size_t len, size_t max_out,
			  const char *force, int err, const char *needle)
{
	struct kx_unwrapped u;
	const char *why = NULL;
	int r = kx_unwrap(buf, len, max_out, force, &u, &why);

	if (r != err)
		fail_msg("line %d: kx_unwrap: %d (%s), not %d", line, r, why ? why : "no reason",
			 err);
	if (!why || !strstr(why, needle))
		fail_msg("line %d: reason \"%s\" lacks \"%s\"", line, why ? why : "(null)", needle);
	assert_reason(why, needle);
	assert_null(u.owned);
	if (verbose())
		fprintf(stderr, "refused: %s\n", why);
	kx_unwrapped_free(&u);
	return r;
}

/* ---- Tests --------------------------------------------------------------------------- */

static void test_table(void **state)
{
	static const char *const order[] = { "uki", "zboot", "gzip", "xz", "lzma", "zstd", "lz4" };

	(void)state;
	assert_int_equal(kx_nr_wrappers, 7);
	for (size_t i = 0; i < kx_nr_wrappers; i++) {
		assert_string_equal(kx_wrappers[i]->name, order[i]);
		assert_non_null(kx_wrappers[i]->summary);
		assert_null(strchr(kx_wrappers[i]->summary, '\n'));
		assert_ptr_equal(kx_wrapper_by_name(order[i]), kx_wrappers[i]);
	}
	assert_ptr_equal(kx_wrapper_by_name("ZsTd"), kx_wrappers[5]);
	assert_ptr_equal(kx_wrapper_by_name("UKI"), kx_wrappers[0]);
	assert_null(kx_wrapper_by_name("bzImage"));
	assert_null(kx_wrapper_by_name(""));
	assert_null(kx_wrapper_by_name(NULL));
}

/* Plain kernels, also those with an MZ and a PE header (the EFI stub), are no envelope. */
static void test_plain(void **state)
{
	const struct blob *plain[] = { arm64_image(), bzimage(), elf_file() };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct kx_unwrapped u;
		const char *why = "unset";

		assert_int_equal(kx_unwrap(plain[i]->p, plain[i]->len, 0, NULL, &u, &why), 0);
		assert_null(why);
		assert_int_equal(u.nr_layers, 0);
		assert_string_equal(u.chain, "");
		assert_ptr_equal(u.buf, plain[i]->p);
		assert_int_equal(u.len, plain[i]->len);
		assert_null(u.owned);
		assert_int_equal(u.cmdline.len + u.initrd.len + u.dtb.len, 0);
		kx_unwrapped_free(&u);
		/* Every probe says no, with a reason. */
		for (size_t k = 0; k < kx_nr_wrappers; k++) {
			struct kx_msg msg;

			why = NULL;
			assert_int_equal(kx_wrappers[k]->probe(plain[i]->p, plain[i]->len, &why,
							       &msg), -ENOEXEC);
			assert_non_null(why);
		}
	}
	/* The EFI stub's PE header is read, and found to have no .linux. */
	expect_fail(bzimage()->p, bzimage()->len, 0, "uki", -ENOEXEC, "not a uki image");
	expect_fail(bzimage()->p, bzimage()->len, 0, "uki", -ENOEXEC, ".linux");
	expect_fail(arm64_image()->p, arm64_image()->len, 0, "UKI", -ENOEXEC, ".linux");
}

/* No probe claims noise: the lzma probe (no magic) least of all. */
static void test_noise(void **state)
{
	uint8_t b[256];
	uint32_t x = 12345;

	(void)state;
	for (int n = 0; n < 20000; n++) {
		for (size_t i = 0; i < sizeof(b); i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			b[i] = (uint8_t)x;
		}
		for (size_t k = 0; k < kx_nr_wrappers; k++) {
			struct kx_msg msg;
			const char *why;

			if (kx_wrappers[k]->probe(b, sizeof(b), &why, &msg) != -ENOEXEC)
				fail_msg("%s claims noise #%d", kx_wrappers[k]->name, n);
		}
	}
}

static void test_compressors(void **state)
{
	const struct blob *elf = elf_file();

	(void)state;
	for (int c = 0; c < NR_COMP; c++) {
		struct blob e = pack(c, elf->p, elf->len);

		if (verbose())
			fprintf(stderr, "%s: Image %zu -> %zu bytes\n", comp_label[c],
				arm64_image()->len, image_packed(c)->len);
		expect_unwrap(image_packed(c)->p, image_packed(c)->len, comp_name[c], arm64_image());
		expect_unwrap(e.p, e.len, comp_name[c], elf);
		blob_free(&e);
	}
	/* Sizes left out of the headers: zstd and lz4 frames without a content size. */
	struct blob z = zstd_of(elf->p, elf->len, false), l = lz4_frame_of(elf->p, elf->len, false);

	expect_unwrap(z.p, z.len, "zstd", elf);
	expect_unwrap(l.p, l.len, "lz4", elf);
	blob_free(&z);
	blob_free(&l);
}

static bool is_x86_vmlinux(const struct blob *b)
{
	return b->len > 4 * MiB && !memcmp(b->p, "\177ELF\2\1\1", 7) && b->p[18] == 62;
}

/*
 * The Debian kernel's own payload ELF (the VM tests unpack it from the cloud
 * bzImage into the cache as vmlinux-<release>), compressed each way: the
 * same bytes come out, and the library's probe names the format inside and
 * the compression, as it does for the file a user gives.
 */
static void test_debian_vmlinux(void **state)
{
	struct kexec_ctx *ctx = kexec_ctx_new();
	static struct blob elf;

	(void)state;
	if (!elf.p && !cached("linux-image-*-amd64/boot/vmlinux-*", is_x86_vmlinux, &elf)) {
		kexec_ctx_free(ctx);
		skip(); /* not cached yet: the first VM test run makes it */
	}
	assert_int_equal(kexec_ctx_set_arch(ctx, KEXEC_ARCH_X86_64), 0);
	for (int c = 0; c < NR_COMP; c++) {
		struct blob e = pack(c, elf.p, elf.len);
		LIBKEXEC_OPTS(kexec_image_info, info);

		expect_unwrap(e.p, e.len, comp_name[c], &elf);
		assert_int_equal(kexec_image_probe(ctx, e.p, e.len, &info), 0);
		assert_string_equal(info.format, "elf-x86_64");
		assert_string_equal(info.compression, comp_name[c]);
		assert_int_equal(info.file_size, e.len);
		blob_free(&e);
	}
	kexec_ctx_free(ctx);
}

/* What kernels' Makefiles and tools put around a stream. */
static void test_trailers(void **state)
{
	const struct blob *elf = elf_file();

	(void)state;
	for (int c = 0; c < NR_COMP; c++) {
		struct blob e = pack(c, elf->p, elf->len);
		struct blob t = { malloc(e.len + 4096), e.len + 4 };

		/* The unpacked size appended (the kernel's size_append, *_with_size). */
		assert_non_null(t.p);
		memcpy(t.p, e.p, e.len);
		put32(t.p + e.len, (uint32_t)elf->len);
		expect_unwrap(t.p, t.len, comp_name[c], elf);
		/* Zero padding (Image.gz in a padded partition); not for lz4 -l, which has no end. */
		if (c != LZ4_LEGACY) {
			memset(t.p + e.len, 0, 4096);
			t.len = e.len + 4096;
			expect_unwrap(t.p, t.len, comp_name[c], elf);
		}
		blob_free(&t);
		blob_free(&e);
	}

	/* lz4 -l with an empty block first (a token and nothing else): the fuzzer's find. */
	struct blob l = lz4_legacy_of(elf->p, elf->len), e = { malloc(l.len + 5), l.len + 5 };

	assert_non_null(e.p);
	memcpy(e.p, l.p, 4);
	put32(e.p + 4, 1);
	e.p[8] = 0;
	memcpy(e.p + 9, l.p + 4, l.len - 4);
	expect_unwrap(e.p, e.len, "lz4", elf);
	blob_free(&e);
	blob_free(&l);

	/* Two members or frames, one after the other: both unpacked. */
	size_t half = elf->len / 2;
	struct blob both = { malloc(2 * elf->len + 1024), 0 };

	assert_non_null(both.p);
	for (int c = 0; c < NR_COMP; c++) {
		struct blob a = pack(c, elf->p, half), b = pack(c, elf->p + half,
									 elf->len - half);

		if (c == XZ || c == LZMA) { /* no concatenation: the first stream ends it */
			blob_free(&a);
			blob_free(&b);
			continue;
		}
		memcpy(both.p, a.p, a.len);
		memcpy(both.p + a.len, b.p, b.len);
		both.len = a.len + b.len;
		expect_unwrap(both.p, both.len, comp_name[c], elf);
		blob_free(&a);
		blob_free(&b);
	}
	blob_free(&both);
}

static void test_truncated(void **state)
{
	(void)state;
	for (int c = 0; c < NR_COMP; c++) {
		const struct blob *p = image_packed(c);
		size_t cuts[] = { p->len / 2, p->len - 1, 20 };

		for (size_t k = 0; k < 3; k++) {
			/* A copy of exactly the cut length, so that ASan sees any read past it. */
			struct blob t = blob_dup(p->p, cuts[k]);
			struct kx_unwrapped u;
			const char *why = NULL;
			int r = kx_unwrap(t.p, t.len, 0, NULL, &u, &why);

			if (r != -EINVAL)
				fail_msg("%s cut to %zu bytes: %d (%s)", comp_label[c], cuts[k], r,
					 why ? why : "no reason");
			assert_reason(why, comp_name[c]);
			if (k < 2)
				assert_reason(why, "truncated");
			assert_null(u.owned);
			blob_free(&t);
		}
	}
}

/* A stream of exactly max_out bytes unpacks; one byte more is a bomb. */
static void test_bounds(void **state)
{
	const struct blob *elf = elf_file();

	(void)state;
	for (int c = 0; c < NR_COMP; c++) {
		struct blob e = pack(c, elf->p, elf->len);
		struct kx_unwrapped u;
		const char *why = NULL;

		assert_int_equal(kx_unwrap(e.p, e.len, elf->len, NULL, &u, &why), 0);
		assert_int_equal(u.len, elf->len);
		kx_unwrapped_free(&u);
		expect_fail(e.p, e.len, elf->len - 1, NULL, -EFBIG, "unpacks to more than");
		expect_fail(e.p, e.len, elf->len - 1, NULL, -EFBIG, comp_name[c]);
		blob_free(&e);
	}
	/* Undeclared sizes too (zstd and lz4 frames check a declared one first). */
	struct blob z = zstd_of(elf->p, elf->len, false), l = lz4_frame_of(elf->p, elf->len, false);

	expect_fail(z.p, z.len, elf->len - 1, NULL, -EFBIG, "zstd stream: unpacks to more than");
	expect_fail(l.p, l.len, elf->len - 1, NULL, -EFBIG, "lz4 stream: unpacks to more than");
	blob_free(&z);
	blob_free(&l);
}

static long maxrss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * Bombs: 2 GiB of zeros in a zstd frame that says so, against the default
 * 1 GiB bound, refused before anything is allocated; 256 MiB of zeros as
 * gzip (no size) and every other kind against a 16 MiB bound, refused when
 * the output reaches it. The process must not grow by the bomb's size.
 */
static void test_bombs(void **state)
{
	size_t zeros_len = 256 * MiB;
	uint8_t *zeros = calloc(1, zeros_len);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	struct blob z = { malloc(1 * MiB), 0 };
	long rss;

	(void)state;
	assert_non_null(zeros);
	assert_non_null(c);
	assert_non_null(z.p);
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
	ZSTD_CCtx_setPledgedSrcSize(c, 8 * zeros_len);
	for (int i = 0; i < 8; i++) {
		ZSTD_inBuffer in = { zeros, zeros_len, 0 };
		ZSTD_outBuffer out = { z.p, 1 * MiB, z.len };
		size_t left;

		do {
			left = ZSTD_compressStream2(c, &out, &in, i == 7 ? ZSTD_e_end : ZSTD_e_continue);
			assert_false(ZSTD_isError(left));
			assert_true(out.pos < out.size); /* zeros pack to 4 bytes a block */
		} while (in.pos < in.size || (i == 7 && left));
		z.len = out.pos;
	}
	ZSTD_freeCCtx(c);
	assert_int_equal(ZSTD_getFrameContentSize(z.p, z.len), 8 * zeros_len);

	rss = maxrss_kib();
	expect_fail(z.p, z.len, 0, NULL, -EFBIG, "zstd stream: unpacks to more than 1024 MiB");
	assert_true(maxrss_kib() - rss < 64 * 1024);
	blob_free(&z);

	for (int k = 0; k < NR_COMP; k++) {
		/* xz and lzma are slow on 256 MiB: 64 MiB does as well against 16 MiB. */
		size_t n = k == XZ || k == LZMA ? 64 * MiB : zeros_len;
		struct blob b = k == ZSTD ? zstd_of(zeros, n, false) :
			       k == LZ4_FRAME ? lz4_frame_of(zeros, n, false) : pack(k, zeros, n);

		rss = maxrss_kib();
		expect_fail(b.p, b.len, 16 * MiB, NULL, -EFBIG, "unpacks to more than 16 MiB");
		if (maxrss_kib() - rss > 48 * 1024)
			fail_msg("%s bomb: the process grew by %ld KiB", comp_label[k],
				 maxrss_kib() - rss);
		blob_free(&b);
	}
	/* A declared size over the bound is refused at the header. */
	struct blob l = lzma_of(zeros, MiB, true);

	put32(l.p + 5, 0);
	put32(l.p + 9, 1); /* 4 GiB */
	expect_fail(l.p, l.len, 0, NULL, -EFBIG, "lzma stream: unpacks to more than 1024 MiB");
	blob_free(&l);
	free(zeros);
}

/* ---- Lazy peeling ------------------------------------------------------------------- */

struct sniff_log {
	int calls;
	size_t len;       /* how much was unpacked when the head was shown */
	int64_t answer;
};

static int64_t sniff_answer(void *data, const void *head, size_t len, const char **why,
			    char *buf, size_t buf_len)
{
	struct sniff_log *l = data;

	(void)head, (void)buf, (void)buf_len;
	l->calls++;
	l->len = len;
	if (l->answer == -ENOEXEC)
		*why = "the test's formats: none";
	return l->answer;
}

/*
 * Every compressor around 8 MiB of zeros: shown
 * the head and told "no kernel", a layer stops right there, having unpacked
 * KX_UNWRAP_HEAD bytes (lz4 -l: one block of at most 8 MiB); told a size,
 * it unpacks that much and KX_UNWRAP_SLACK more; told nothing, all of it.
 */
static void test_lazy(void **state)
{
	size_t n = 8 * MiB;
	uint8_t *zeros = calloc(1, n);

	(void)state;
	assert_non_null(zeros);
	for (int k = 0; k < NR_COMP; k++) {
		size_t len = n;
		struct blob b = pack(k, zeros, len);
		struct sniff_log l = { .answer = -ENOEXEC };
		const struct kx_unwrap_sniff sniff = { sniff_answer, &l };
		struct kx_unwrapped u;
		const char *why = NULL;
		int r = kx_unwrap_lazy(b.p, b.len, 0, NULL, &sniff, &u, &why);

		if (r != -ENOEXEC)
			fail_msg("%s: %d (%s), not -ENOEXEC", comp_label[k], r, why ? why : "no reason");
		assert_reason(why, "unpacks to no kernel: its first 64 KiB");
		assert_reason(why, "the test's formats: none");
		assert_reason(why, "the rest was not unpacked");
		assert_null(u.owned);
		assert_int_equal(l.calls, 1);
		if (k == LZ4_LEGACY)
			assert_true(l.len >= KX_UNWRAP_HEAD && l.len <= 8 * MiB);
		else
			assert_int_equal(l.len, KX_UNWRAP_HEAD);

		l = (struct sniff_log){ .answer = 100000 };
		assert_int_equal(kx_unwrap_lazy(b.p, b.len, 0, NULL, &sniff, &u, &why), 0);
		assert_int_equal(l.calls, 1);
		assert_int_equal(u.len, 100000 + KX_UNWRAP_SLACK);
		assert_memory_equal(u.buf, zeros, u.len);
		kx_unwrapped_free(&u);

		l = (struct sniff_log){ .answer = 0 };
		assert_int_equal(kx_unwrap_lazy(b.p, b.len, 0, NULL, &sniff, &u, &why), 0);
		assert_int_equal(l.calls, 1);
		assert_int_equal(u.len, len);
		kx_unwrapped_free(&u);

		/* A stream shorter than the head is unpacked whole, and not shown. */
		struct blob small = pack(k, zeros, KX_UNWRAP_HEAD - 1);

		l = (struct sniff_log){ .answer = -ENOEXEC };
		assert_int_equal(kx_unwrap_lazy(small.p, small.len, 0, NULL, &sniff, &u, &why), 0);
		assert_int_equal(l.calls, 0);
		assert_int_equal(u.len, KX_UNWRAP_HEAD - 1);
		kx_unwrapped_free(&u);
		blob_free(&small);
		blob_free(&b);
	}
	free(zeros);
}

/*
 * The same through an architecture's formats (kx_image_open on x86_64):
 * gzip'd zeros are refused with each format's reason; a bzImage followed by
 * 8 MiB of zeros unpacks to the bzImage its header sizes and the slack.
 */
static void test_lazy_formats(void **state)
{
	const struct kx_arch *x86 = kx_arch_by_kexec_arch(KEXEC_ARCH_X86_64);
	size_t n = 8 * MiB;
	uint8_t *data = calloc(1, n);
	struct kx_image img;
	char why[512];
	struct blob b;
	uint64_t declared;

	(void)state;
	assert_non_null(x86);
	assert_non_null(data);
	b = gzip_of(data, n, 1);
	assert_int_equal(kx_image_open(x86, b.p, b.len, NULL, &img, why, sizeof(why)), -ENOEXEC);
	assert_reason(why, "gzip stream: unpacks to no kernel");
	assert_reason(why, "bzImage: not a bzImage");
	assert_reason(why, "elf-x86_64: not an ELF file");
	blob_free(&b);
	/* -t elf names the one format asked. */
	b = zstd_of(data, n, true);
	assert_int_equal(kx_image_open(x86, b.p, b.len, "elf", &img, why, sizeof(why)), -ENOEXEC);
	assert_reason(why, "zstd stream: unpacks to no kernel");
	if (strstr(why, "bzImage"))
		fail_msg("-t elf: the reason names bzImage: %s", why);
	blob_free(&b);

	fake_bzimage(data);
	declared = (uint64_t)(FAKE_SETUP_SECTS + 1) * 512 + (uint64_t)kx_le32(data + 0x1f4) * 16;
	assert_true(declared <= FAKE_SIZE);
	b = gzip_of(data, n, 1);
	assert_int_equal(kx_image_open(x86, b.p, b.len, NULL, &img, why, sizeof(why)), 0);
	assert_string_equal(img.fmt->type.name, "bzImage");
	assert_int_equal(img.u.len, declared + KX_UNWRAP_SLACK);
	assert_memory_equal(img.u.buf, data, img.u.len);
	kx_image_close(&img);
	blob_free(&b);
	free(data);
}

/* ---- zboot ---------------------------------------------------------------------------- */

/*
 * An EFI zboot image as drivers/firmware/efi/libstub/zboot-header.S lays it
 * out: the header with a PE header at 0x40 (one .text section: the
 * decompressor and the payload), the payload at 0x1000, then (non-gzip) the
 * 4-byte size the Makefile appends, not counted in the header's size.
 */
static struct blob zboot_of(const char *type, const struct blob *payload, uint32_t trailer)
{
	struct blob b;
	size_t tail = strcmp(type, "gzip") ? 4 : 0;

	b.len = 0x1000 + payload->len + tail + 512;
	b.p = calloc(1, b.len);
	assert_non_null(b.p);
	memcpy(b.p, "MZ\0\0zimg", 8);
	put32(b.p + 8, 0x1000);
	put32(b.p + 12, (uint32_t)payload->len);
	memcpy(b.p + 24, type, strlen(type));
	put32(b.p + 0x38, 0x818223cd);
	put_section(b.p + put_pe(b.p, 0x40, 1), ".text", (uint32_t)(b.len - 0x200), 0x1000,
		    (uint32_t)(b.len - 0x200), 0x200);
	memcpy(b.p + 0x1000, payload->p, payload->len);
	if (tail)
		put32(b.p + 0x1000 + payload->len, trailer);
	return b;
}

static void test_zboot(void **state)
{
	static const struct {
		const char *type;
		enum comp c;
	} kinds[] = {
		{ "gzip", GZIP }, { "zstd", ZSTD }, { "zstd22", ZSTD }, { "xzkern", XZ }, { "xz", XZ },
		{ "lzma", LZMA }, { "lz4", LZ4_LEGACY },
	};
	const struct blob *img = arm64_image();

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct blob z = zboot_of(kinds[i].type, image_packed(kinds[i].c), (uint32_t)img->len);
		char chain[32];
		struct kx_unwrapped u;
		const char *why;

		snprintf(chain, sizeof(chain), "zboot+%s", comp_name[kinds[i].c]);
		expect_unwrap(z.p, z.len, chain, img);
		if (!i) { /* -t zboot: once is enough (Debian's Image is 30 MB) */
			assert_int_equal(kx_unwrap(z.p, z.len, 0, "zboot", &u, &why), 0);
			assert_int_equal(u.nr_layers, 2);
			assert_ptr_equal(u.layers[0], kx_wrapper_by_name("zboot"));
			assert_non_null(u.owned);
			kx_unwrapped_free(&u);
		}
		blob_free(&z);
	}
}

static void test_zboot_broken(void **state)
{
	const struct blob *gz = image_packed(GZIP), *zs = image_packed(ZSTD);
	struct blob z;

	(void)state;
	z = zboot_of("bzip2", gz, 0);
	expect_fail(z.p, z.len, 0, NULL, -EOPNOTSUPP, "bzip2");
	blob_free(&z);
	z = zboot_of("lzo", gz, 0);
	expect_fail(z.p, z.len, 0, NULL, -EOPNOTSUPP, "lzo");
	blob_free(&z);
	z = zboot_of("br\033[2Jotli", gz, 0);
	expect_fail(z.p, z.len, 0, NULL, -EINVAL, "zboot image: unknown compression \"br?[2Jotli\"");
	blob_free(&z);

	/* The header's compression against the payload's magic. */
	z = zboot_of("zstd", gz, 0);
	expect_fail(z.p, z.len, 0, NULL, -EINVAL, "zboot image: the header says zstd");
	blob_free(&z);

	/* Offset and size outside the file, an empty payload. */
	z = zboot_of("gzip", gz, 0);
	put32(z.p + 12, (uint32_t)(z.len - 0x1000 + 1));
	expect_fail(z.p, z.len, 0, NULL, -EINVAL, "outside the file");
	put32(z.p + 12, (uint32_t)gz->len);
	put32(z.p + 8, 0xfffffff0);
	expect_fail(z.p, z.len, 0, NULL, -EINVAL, "outside the file");
	put32(z.p + 8, 0x10);
	expect_fail(z.p, z.len, 0, NULL, -EINVAL, "outside the file");
	put32(z.p + 8, 0x1000);
	put32(z.p + 12, 0);
	expect_fail(z.p, z.len, 0, NULL, -EINVAL, "empty");
	/* A type string without its NUL, a header cut short. */
	put32(z.p + 12, (uint32_t)gz->len);
	memset(z.p + 24, 'g', 0x38 - 24);
	expect_fail(z.p, z.len, 0, NULL, -EINVAL, "not a NUL-terminated string");
	expect_fail(z.p, 0x30, 0, NULL, -EINVAL, "cut short");
	blob_free(&z);

	/* The payload's stream cut short: the message names both layers. */
	struct blob cut = blob_dup(zs->p, zs->len / 2);

	z = zboot_of("zstd", &cut, 0);
	expect_fail(z.p, z.len, 0, NULL, -EINVAL, "zstd payload of the zboot image: truncated");
	blob_free(&z);
	blob_free(&cut);
}

/* ---- UKI ---------------------------------------------------------------------------------- */

struct section {
	const char *name;
	const void *data;
	size_t len;
};

/* A UKI as ukify lays one out, by hand: a PE32+ with the stub's .text and the given sections. */
static struct blob uki_by_hand(const struct section *s, size_t n)
{
	struct blob b;
	size_t off = 0x400, sec;

	b.len = 0x400 + 0x200;
	for (size_t i = 0; i < n; i++)
		b.len += (s[i].len + 0x1ff) & ~(size_t)0x1ff;
	b.p = calloc(1, b.len);
	assert_non_null(b.p);
	memcpy(b.p, "MZ", 2);
	sec = put_pe(b.p, 0x80, (uint16_t)(n + 1));
	put_section(b.p + sec, ".text", 0x100, 0x1000, 0x200, off);
	off += 0x200;
	for (size_t i = 0; i < n; i++) {
		size_t raw = (s[i].len + 0x1ff) & ~(size_t)0x1ff;

		put_section(b.p + sec + 40 * (i + 1), s[i].name, (uint32_t)s[i].len,
			    (uint32_t)(0x100000 * (i + 1)), (uint32_t)raw, (uint32_t)off);
		memcpy(b.p + off, s[i].data, s[i].len);
		off += raw;
	}
	return b;
}

/* The offset of section name's header in a PE file. */
static uint8_t *section_header(const struct blob *b, const char *name)
{
	uint32_t pe = b->p[0x3c] | b->p[0x3d] << 8 | b->p[0x3e] << 16 | (uint32_t)b->p[0x3f] << 24;
	unsigned nsec = b->p[pe + 6] | b->p[pe + 7] << 8;
	size_t sec = pe + 24 + (b->p[pe + 20] | b->p[pe + 21] << 8);

	for (unsigned i = 0; i < nsec; i++)
		if (!strncmp((const char *)b->p + sec + 40 * i, name, 8))
			return b->p + sec + 40 * i;
	fail_msg("no section %s", name);
	return NULL;
}

static const char stub[] = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";

static bool have_objcopy(void)
{
	return !access("/usr/bin/objcopy", X_OK) && !access(stub, R_OK);
}

static int run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* objcopy --add-section on systemd's stub, as the Arch wiki and older dracut make UKIs. */
static struct blob uki_objcopy(const struct section *s, size_t n)
{
	const char *t = getenv("TMPDIR");
	char dir[256], files[4][300], out[300], adds[4][320], vmas[4][64];
	char *argv[4 * 4 + 4];
	int a = 0;
	struct blob b = { NULL, 0 };

	snprintf(dir, sizeof(dir), "%s/test-unwrap.XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(dir));
	argv[a++] = "/usr/bin/objcopy";
	for (size_t i = 0; i < n; i++) {
		snprintf(files[i], sizeof(files[i]), "%s/%zu", dir, i);
		write_file(files[i], s[i].data, s[i].len);
		snprintf(adds[i], sizeof(adds[i]), "%.8s=%.300s", s[i].name, files[i]);
		snprintf(vmas[i], sizeof(vmas[i]), "%s=0x%zx", s[i].name, (i + 1) * 0x4000000);
		argv[a++] = "--add-section";
		argv[a++] = adds[i];
		argv[a++] = "--change-section-vma";
		argv[a++] = vmas[i];
	}
	snprintf(out, sizeof(out), "%s/uki.efi", dir);
	argv[a++] = (char *)stub;
	argv[a++] = out;
	argv[a] = NULL;
	assert_int_equal(run(argv), 0);
	assert_true(read_file(out, &b));
	unlink(out);
	for (size_t i = 0; i < n; i++)
		unlink(files[i]);
	rmdir(dir);
	return b;
}

static bool in_buffer(const struct blob *b, const void *p, size_t len)
{
	return (const uint8_t *)p >= b->p && len <= b->len &&
	       (size_t)((const uint8_t *)p - b->p) <= b->len - len;
}

static void check_uki(const struct blob *uki, const char *chain, const struct blob *kernel,
		      const char *cmdline, const struct blob *initrd, const struct blob *dtb)
{
	struct kx_unwrapped u;
	const char *why = NULL;
	int r = kx_unwrap(uki->p, uki->len, 0, NULL, &u, &why);

	if (r)
		fail_msg("kx_unwrap: %d (%s)", r, why);
	assert_string_equal(u.chain, chain);
	assert_ptr_equal(u.layers[0], kx_wrappers[0]);
	assert_int_equal(u.len, kernel->len);
	assert_memory_equal(u.buf, kernel->p, kernel->len);
	if (u.nr_layers == 1) { /* a plain .linux is the caller's own bytes */
		assert_null(u.owned);
		assert_true(in_buffer(uki, u.buf, u.len));
	}
	assert_int_equal(u.cmdline.len, cmdline ? strlen(cmdline) : 0);
	if (cmdline) {
		assert_memory_equal(u.cmdline.buf, cmdline, u.cmdline.len);
		assert_true(in_buffer(uki, u.cmdline.buf, u.cmdline.len));
	}
	assert_int_equal(u.initrd.len, initrd ? initrd->len : 0);
	if (initrd) {
		assert_memory_equal(u.initrd.buf, initrd->p, initrd->len);
		assert_true(in_buffer(uki, u.initrd.buf, u.initrd.len));
	}
	assert_int_equal(u.dtb.len, dtb ? dtb->len : 0);
	if (dtb)
		assert_memory_equal(u.dtb.buf, dtb->p, dtb->len);
	kx_unwrapped_free(&u);
}

static struct blob test_initrd(void)
{
	struct blob b = { malloc(300000), 300000 };

	assert_non_null(b.p);
	fill_pattern(b.p, b.len, 99);
	memcpy(b.p, "070701", 6);
	return b;
}

static const char cmdline_raw[] = "root=/dev/vda1 console=ttyS0 quiet\n\0\0";
static const char cmdline_trimmed[] = "root=/dev/vda1 console=ttyS0 quiet";

static void test_uki_objcopy(void **state)
{
	const struct blob *bz = bzimage();
	struct blob initrd = test_initrd(), dtb = { (uint8_t *)"\xd0\x0d\xfe\xed-fake-dtb", 14 };
	struct blob u;

	(void)state;
	if (!have_objcopy()) {
		fprintf(stderr, "no objcopy or %s: skipped\n", stub);
		blob_free(&initrd);
		skip();
	}
	struct section all[] = {
		{ ".cmdline", cmdline_raw, sizeof(cmdline_raw) },
		{ ".linux", bz->p, bz->len },
		{ ".initrd", initrd.p, initrd.len },
		{ ".dtb", dtb.p, dtb.len },
	};

	u = uki_objcopy(all, 4);
	check_uki(&u, "uki", bz, cmdline_trimmed, &initrd, &dtb);
	blob_free(&u);
	u = uki_objcopy(&all[1], 1);
	check_uki(&u, "uki", bz, NULL, NULL, NULL);
	blob_free(&u);
	u = uki_objcopy(all, 2);
	check_uki(&u, "uki", bz, cmdline_trimmed, NULL, NULL);
	blob_free(&u);

	/* UKI(.linux = zboot(zstd(Image))): three layers; the parts are the UKI's. */
	const struct blob *img = arm64_image();
	struct blob z = zboot_of("zstd", image_packed(ZSTD), (uint32_t)img->len);

	all[1].data = z.p;
	all[1].len = z.len;
	u = uki_objcopy(all, 3);
	check_uki(&u, "uki+zboot+zstd", img, cmdline_trimmed, &initrd, NULL);
	blob_free(&u);
	blob_free(&z);
	blob_free(&initrd);
}

static void test_uki_by_hand(void **state)
{
	const struct blob *bz = bzimage(), *img = arm64_image();
	struct blob initrd = test_initrd(), u;
	struct blob z = zboot_of("gzip", image_packed(GZIP), 0);
	struct section s[] = {
		{ ".osrel", "ID=debian\n", 10 },
		{ ".cmdline", cmdline_raw, sizeof(cmdline_raw) },
		{ ".linux", z.p, z.len },
		{ ".initrd", initrd.p, initrd.len },
	};

	(void)state;
	u = uki_by_hand(s, 4);
	check_uki(&u, "uki+zboot+gzip", img, cmdline_trimmed, &initrd, NULL);
	blob_free(&u);

	/* A multi-profile UKI: profile 0's .cmdline overrides the base's, profile 1 is not read. */
	struct section prof[] = {
		{ ".linux", bz->p, bz->len }, { ".cmdline", "base", 4 },
		{ ".profile", "ID=a", 4 }, { ".cmdline", "first profile", 13 },
		{ ".profile", "ID=b", 4 }, { ".cmdline", "second", 6 }, { ".initrd", "x", 1 },
	};

	u = uki_by_hand(prof, 7);
	check_uki(&u, "uki", bz, "first profile", NULL, NULL);
	blob_free(&u);

	/* Sections outside the file: -EINVAL, naming the section. */
	u = uki_by_hand(s, 4);
	uint8_t *h = section_header(&u, ".initrd");

	put32(h + 20, (uint32_t)u.len);
	expect_fail(u.p, u.len, 0, NULL, -EINVAL, "UKI: its .initrd section");
	put32(h + 20, 0xfffffe00);
	expect_fail(u.p, u.len, 0, NULL, -EINVAL, "outside the file");
	put32(h + 20, 0x600);
	put32(h + 8, 0xffffffff);
	put32(h + 16, 0xffffffff);
	expect_fail(u.p, u.len, 0, NULL, -EINVAL, ".initrd");
	blob_free(&u);

	u = uki_by_hand(s, 4);
	h = section_header(&u, ".linux");
	put32(h + 16, (uint32_t)u.len);
	put32(h + 8, 0); /* no VirtualSize: SizeOfRawData counts */
	expect_fail(u.p, u.len, 0, NULL, -EINVAL, ".linux section");
	put32(h + 16, 0);
	expect_fail(u.p, u.len, 0, NULL, -EINVAL, ".linux section is empty");
	blob_free(&u);

	/* A VirtualSize over SizeOfRawData: the raw data is what the file has. */
	u = uki_by_hand(s, 4);
	h = section_header(&u, ".cmdline");
	put32(h + 8, 0x10000);
	check_uki(&u, "uki+zboot+gzip", img, cmdline_trimmed, &initrd, NULL);
	blob_free(&u);

	/* The section table outside the file: not known to be a UKI. */
	u = uki_by_hand(s, 4);
	expect_fail(u.p, 0x200, 0, "uki", -ENOEXEC, "section table");
	put16(u.p + 0x80 + 6, 0xffff);
	put16(u.p + 0x80 + 20, 0xffff);
	expect_fail(u.p, 0x80000, 0, "uki", -ENOEXEC, "section table");
	put32(u.p + 0x3c, 0xfffffff0);
	expect_fail(u.p, u.len, 0, "uki", -ENOEXEC, "no PE header");
	blob_free(&u);

	/* A UKI inside gzip (no tool makes one): its parts are not reported, buf is in owned. */
	struct section plain[] = { { ".linux", bz->p, bz->len }, { ".cmdline", "quiet", 5 } };
	struct kx_unwrapped out;
	const char *why = NULL;
	struct blob g;

	u = uki_by_hand(plain, 2);
	g = gzip_of(u.p, u.len, 1);
	assert_int_equal(kx_unwrap(g.p, g.len, 0, NULL, &out, &why), 0);
	assert_string_equal(out.chain, "gzip+uki");
	assert_int_equal(out.len, bz->len);
	assert_memory_equal(out.buf, bz->p, bz->len);
	assert_non_null(out.owned);
	assert_true((const uint8_t *)out.buf > (const uint8_t *)out.owned);
	assert_int_equal(out.cmdline.len, 0);
	kx_unwrapped_free(&out);
	blob_free(&g);
	blob_free(&u);

	/* A broken layer inside: named after the UKI. */
	struct blob cut = blob_dup(z.p, 0x1000 + image_packed(GZIP)->len / 2);

	s[2].data = cut.p;
	s[2].len = cut.len;
	u = uki_by_hand(s, 4);
	expect_fail(u.p, u.len, 0, NULL, -EINVAL, "zboot image in the UKI's .linux: the payload");
	blob_free(&u);
	blob_free(&cut);
	blob_free(&z);
	blob_free(&initrd);
}

/* ---- Layers, -t ---------------------------------------------------------------------------- */

static void test_depth(void **state)
{
	const struct blob *elf = elf_file();
	struct blob layer[6];
	char chain[64] = "";

	(void)state;
	layer[0] = blob_dup(elf->p, elf->len);
	for (int i = 1; i <= 5; i++)
		layer[i] = gzip_of(layer[i - 1].p, layer[i - 1].len, 6);
	for (int i = 1; i <= 4; i++) {
		snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "%sgzip",
			 i > 1 ? "+" : "");
		expect_unwrap(layer[i].p, layer[i].len, chain, elf);
	}
	expect_fail(layer[5].p, layer[5].len, 0, NULL, -ELOOP, "more than 4");
	for (int i = 0; i <= 5; i++)
		blob_free(&layer[i]);

	/* Mixed: zstd(xz(lz4(gzip(ELF)))) is four. */
	struct blob a = gzip_of(elf->p, elf->len, 1), b = lz4_legacy_of(a.p, a.len),
		    c = lzma_of(b.p, b.len, false), d = zstd_of(c.p, c.len, true);

	expect_unwrap(d.p, d.len, "zstd+xz+lz4+gzip", elf);
	blob_free(&a);
	blob_free(&b);
	blob_free(&c);
	blob_free(&d);
}

static void test_force(void **state)
{
	const struct blob *gz = image_packed(GZIP);
	struct kx_unwrapped u;
	const char *why;

	(void)state;
	expect_fail(gz->p, gz->len, 0, "zstd", -ENOEXEC, "not a zstd image (no zstd magic");
	expect_fail(gz->p, gz->len, 0, "zboot", -ENOEXEC, "not a zboot image");
	expect_fail(gz->p, gz->len, 0, "lzma", -ENOEXEC, "not a lzma image");
	expect_fail(gz->p, gz->len, 0, "bzImage", -EINVAL, "no envelope format is named");
	assert_int_equal(kx_unwrap(gz->p, gz->len, 0, "GZIP", &u, &why), 0);
	assert_string_equal(u.chain, "gzip");
	kx_unwrapped_free(&u);
	/* A plain image is no envelope at all when one is named. */
	expect_fail(elf_file()->p, elf_file()->len, 0, "gzip", -ENOEXEC, "not a gzip image");
	/* A NULL reason pointer is allowed. */
	assert_int_equal(kx_unwrap(gz->p, gz->len, 0, "zstd", &u, NULL), -ENOEXEC);
	kx_unwrapped_free(&u);
}

/* A reason is its result's own: a second refusal leaves the first one's as it was. */
static void test_reason_owned(void **state)
{
	const struct blob *gz = image_packed(GZIP);
	struct kx_unwrapped a, b;
	const char *why_a = NULL, *why_b = NULL;

	(void)state;
	assert_int_equal(kx_unwrap(gz->p, gz->len, 0, "zstd", &a, &why_a), -ENOEXEC);
	assert_int_equal(kx_unwrap(gz->p, gz->len, 0, "bzImage", &b, &why_b), -EINVAL);
	assert_ptr_equal(why_a, a.reason);
	assert_ptr_equal(why_b, b.reason);
	assert_string_equal(why_a, "not a zstd image (no zstd magic (28 b5 2f fd))");
	assert_string_equal(why_b, "no envelope format is named \"bzImage\"");
	kx_unwrapped_free(&a);
	kx_unwrapped_free(&b);
}

static int teardown(void **state)
{
	(void)state;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bombs),
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_lazy_formats),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_compressors),
		cmocka_unit_test(test_debian_vmlinux),
		cmocka_unit_test(test_trailers),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_zboot),
		cmocka_unit_test(test_zboot_broken),
		cmocka_unit_test(test_uki_objcopy),
		cmocka_unit_test(test_uki_by_hand),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_force),
		cmocka_unit_test(test_reason_owned),
	};

	/* KX_TEST_FILTER=test_lazy* runs only the matching tests (cmocka's glob). */
	if (getenv("KX_TEST_FILTER"))
		cmocka_set_test_filter(getenv("KX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, teardown);
}
