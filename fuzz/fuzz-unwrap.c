/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Envelopes on hostile bytes (lib/unwrap.c): every wrapper's probe and
 * kx_unwrap(), which runs zlib, liblzma, libzstd and liblz4 on whatever the
 * probes let through, parses zboot headers and PE section tables. A 16 MiB
 * bound keeps bombs cheap. What it returns must describe itself: layers and
 * chain agree, the image and a UKI's parts lie inside their buffers, a
 * refusal is one line; and naming the outermost layer (-t) changes nothing.
 */
#include "fuzz-common.h"
#include "unwrap.h"

#define FUZZ_MAX_OUT ((size_t)16 << 20)

static bool inside(const void *part, size_t len, const uint8_t *buf, size_t size)
{
	const uint8_t *p = part;

	return p >= buf && len <= size && (size_t)(p - buf) <= size - len;
}

static void check_reason(const char *why)
{
	FUZZ_CHECK(why && *why);
	FUZZ_CHECK(!strchr(why, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kx_unwrapped u, again;
	struct kx_msg msg;
	const char *why = NULL, *why2 = NULL;
	char chain[64] = "";
	uint8_t sum = 0;
	int r;

	for (size_t i = 0; i < kx_nr_wrappers; i++) {
		why = NULL;
		r = kx_wrappers[i]->probe(data, size, &why, &msg);
		FUZZ_CHECK(r <= 0);
		if (r < 0 && r != -ENOEXEC)
			check_reason(why);
	}

	why = NULL;
	r = kx_unwrap(data, size, FUZZ_MAX_OUT, NULL, &u, &why);
	if (r < 0) {
		FUZZ_CHECK(r == -EFBIG || r == -EINVAL || r == -ELOOP || r == -ENOMEM ||
			   r == -EOPNOTSUPP);
		check_reason(why);
		FUZZ_CHECK(!u.owned);
		kx_unwrapped_free(&u);
		return 0;
	}
	FUZZ_CHECK(r == 0 && !why);
	FUZZ_CHECK(u.nr_layers <= KX_UNWRAP_MAX_DEPTH);
	for (unsigned i = 0; i < u.nr_layers; i++) {
		FUZZ_CHECK(u.layers[i] != NULL);
		snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "%s%s", i ? "+" : "",
			 u.layers[i]->name);
	}
	FUZZ_CHECK(!strcmp(chain, u.chain));
	if (!u.nr_layers) {
		FUZZ_CHECK(u.buf == data && u.len == size && !u.owned);
	} else if (u.owned) {
		/* Unpacked; or a UKI's .linux inside what was unpacked. */
		FUZZ_CHECK(u.len > 0 && u.len <= FUZZ_MAX_OUT);
		FUZZ_CHECK(u.buf == u.owned || (u.nr_layers >= 2 &&
			   !strcmp(u.layers[u.nr_layers - 1]->name, "uki") &&
			   (const uint8_t *)u.buf > (const uint8_t *)u.owned));
	} else {
		/* A slice of the input: a plain .linux of UKIs only (one, or nested). */
		for (unsigned i = 0; i < u.nr_layers; i++)
			FUZZ_CHECK(!strcmp(u.layers[i]->name, "uki"));
		FUZZ_CHECK(inside(u.buf, u.len, data, size));
	}
	/* Every byte of the image is readable (ASan checks each). */
	for (size_t i = 0; i < u.len; i++)
		sum ^= ((const uint8_t *)u.buf)[i];
	(void)sum;
	if (u.cmdline.len || u.initrd.len || u.dtb.len)
		FUZZ_CHECK(u.nr_layers && !strcmp(u.layers[0]->name, "uki"));
	FUZZ_CHECK(!u.cmdline.len || inside(u.cmdline.buf, u.cmdline.len, data, size));
	FUZZ_CHECK(!u.initrd.len || inside(u.initrd.buf, u.initrd.len, data, size));
	FUZZ_CHECK(!u.dtb.len || inside(u.dtb.buf, u.dtb.len, data, size));
	if (u.cmdline.len) {
		char last = ((const char *)u.cmdline.buf)[u.cmdline.len - 1];

		FUZZ_CHECK(last && !strchr("\n\r\t ", last));
	}

	/* -t with the outermost layer's name: the same result. */
	if (u.nr_layers) {
		r = kx_unwrap(data, size, FUZZ_MAX_OUT, u.layers[0]->name, &again, &why2);
		FUZZ_CHECK(r == 0);
		FUZZ_CHECK(!strcmp(again.chain, u.chain) && again.len == u.len);
		FUZZ_CHECK(!memcmp(again.buf, u.buf, u.len));
		kx_unwrapped_free(&again);
	}
	kx_unwrapped_free(&u);
	FUZZ_CHECK(!u.owned && !u.buf && !u.nr_layers);
	return 0;
}
