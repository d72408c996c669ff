/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The purgatory tests' shared part (purgatory-harness.h says what each
 * function checks), for the purgatory kx_test_arch names.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "purgatory-harness.h"
#include "xxh3-ref.h"

/* ---- The library's log ----------------------------------------------------- */

char log_text[16384];

static void capture_log(void *data, int priority, const char *msg)
{
	size_t used = strlen(log_text);

	(void)data;
	snprintf(log_text + used, sizeof(log_text) - used, "%d %s\n", priority, msg);
}

void assert_logged(const char *needle)
{
	if (!strstr(log_text, needle))
		fail_msg("log lacks \"%s\"; log was:\n%s", needle, log_text);
}

struct kexec_ctx *new_ctx(void)
{
	struct kexec_ctx *ctx = kexec_ctx_new();

	assert_non_null(ctx);
	kexec_ctx_set_log(ctx, capture_log, NULL);
	kexec_ctx_set_log_priority(ctx, LOG_DEBUG);
	log_text[0] = '\0';
	return ctx;
}

/* ---- The blob --------------------------------------------------------------- */

void init_blob(struct kexec_ctx *ctx, struct kx_purgatory *p)
{
	int r = kx_purgatory_init(ctx, p, kx_test_arch.blob, *kx_test_arch.blob_size);

	if (r)
		fail_msg("kx_purgatory_init: %d; log:\n%s", r, log_text);
}

uint64_t sym(const struct kx_purgatory *p, const char *name)
{
	uint64_t a;
	int r = kx_purgatory_symbol_addr(p, name, &a);

	if (r)
		fail_msg("no symbol %s: %d", name, r);
	return a;
}

void check_blob_layout(struct kexec_ctx *ctx, struct kx_purgatory *p)
{
	static const struct kx_purgatory_params zero;
	struct kx_purgatory_params pp;
	Elf64_Ehdr eh;

	memcpy(&eh, kx_test_arch.blob, sizeof(eh));
	assert_int_equal(eh.e_machine, kx_test_arch.e_machine);
	assert_int_equal(eh.e_type, ET_REL);
	init_blob(ctx, p);
	assert_true(p->bufsz > 0 && p->bufsz <= p->memsz);
	assert_int_equal(p->memsz % 16, 0);
	assert_int_equal(p->base, 0);

	memset(&pp, 0xff, sizeof(pp));
	assert_int_equal(kx_purgatory_get_params(p, &pp), 0);
	assert_memory_equal(&pp, &zero, sizeof(pp));
	assert_true(sym(p, KX_PURGATORY_PARAMS_NAME) + sizeof(pp) <= p->bufsz);
	assert_int_equal(sym(p, KX_PURGATORY_PARAMS_NAME) % 8, 0);

	assert_int_equal(sym(p, KX_PURGATORY_ENTRY_NAME), 0);
	assert_int_equal(sym(p, "kx_image_start"), 0);
	assert_int_equal(sym(p, "kx_image_end"), p->memsz);
	assert_true(sym(p, "purgatory_verify") < p->bufsz);
}

void check_params_round_trip(struct kexec_ctx *ctx, struct kx_purgatory_params *pp)
{
	struct kx_purgatory_params back;
	struct kx_purgatory p;
	uint64_t off;

	init_blob(ctx, &p);
	for (int i = 0; i < 32; i++)
		pp->digest[i] = (uint8_t)(0x11 * i);
	assert_int_equal(kx_purgatory_set_params(&p, pp), 0);
	assert_int_equal(kx_purgatory_get_params(&p, &back), 0);
	assert_memory_equal(pp, &back, sizeof(back));
	off = sym(&p, KX_PURGATORY_PARAMS_NAME);
	assert_int_equal(kx_le64(p.buf + off), pp->entry);
	assert_int_equal(kx_le64(p.buf + off + 8), pp->boot_data);
	kx_purgatory_free(&p);
}

/* ---- Relocations ------------------------------------------------------------- */

size_t read_relocs(const struct kx_purgatory *p, struct reloc *out, size_t max)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p->elf;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(p->elf + eh->e_shoff);
	size_t n = 0;

	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *symtab = &sh[sh[i].sh_link];
		const char *strtab = (const char *)p->elf + sh[symtab->sh_link].sh_offset;

		if (sh[i].sh_type != SHT_RELA || p->sec_off[sh[i].sh_info] == UINT64_MAX)
			continue;
		for (size_t j = 0; j < sh[i].sh_size / sizeof(Elf64_Rela); j++) {
			const Elf64_Rela *r = (const Elf64_Rela *)(p->elf + sh[i].sh_offset) + j;
			const Elf64_Sym *s =
				(const Elf64_Sym *)(p->elf + symtab->sh_offset) + ELF64_R_SYM(r->r_info);

			assert_true(n < max);
			out[n].type = (uint32_t)ELF64_R_TYPE(r->r_info);
			out[n].pos = p->sec_off[sh[i].sh_info] + r->r_offset;
			out[n].s_off = p->sec_off[s->st_shndx] + s->st_value;
			out[n].addend = r->r_addend;
			snprintf(out[n].name, sizeof(out[n].name), "%s", strtab + s->st_name);
			n++;
		}
	}
	return n;
}

int64_t sext(uint64_t v, unsigned int bits)
{
	uint64_t m = 1ULL << (bits - 1);

	v &= (1ULL << bits) - 1;
	return (int64_t)((v ^ m) - m);
}

void reloc_sweep(struct kexec_ctx *ctx, struct reloc_sweep *s, check_field_fn *check)
{
	struct kx_purgatory *p = s->p;
	uint8_t *covered;

	assert_true(s->nbases >= 2 && s->nbases <= SWEEP_BASES_MAX);
	for (size_t b = 0; b < s->nbases; b++) {
		init_blob(ctx, &p[b]);
		if (kx_purgatory_relocate(ctx, &p[b], s->bases[b]))
			fail_msg("relocate at 0x%llx; log:\n%s", (unsigned long long)s->bases[b],
				 log_text);
		assert_int_equal(p[b].base, s->bases[b]);
	}
	s->n = read_relocs(&p[0], s->rel, s->max);
	assert_true(s->n > 0);
	covered = calloc(1, p[0].bufsz);
	assert_non_null(covered);
	for (size_t i = 0; i < s->n; i++) {
		const struct reloc *r = &s->rel[i];

		for (size_t b = 0; b < s->nbases; b++)
			check(s, p[b].buf, s->bases[b], r);
		if (r->type == kx_test_arch.r_abs64 || r->type == kx_test_arch.r_abs32)
			memset(covered + r->pos, 1, r->type == kx_test_arch.r_abs64 ? 8 : 4);
	}
	for (size_t b = 1; b < s->nbases; b++)
		for (size_t i = 0; i < p[0].bufsz; i++)
			if (p[0].buf[i] != p[b].buf[i] && !covered[i])
				fail_msg("byte 0x%zx differs at base 0x%llx but is no absolute field", i,
					 (unsigned long long)s->bases[b]);
	free(covered);
}

unsigned int reloc_count(const struct reloc_sweep *s, uint32_t type)
{
	unsigned int n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->rel[i].type == type;
	return n;
}

void reloc_sweep_end(struct kexec_ctx *ctx, struct reloc_sweep *s, size_t again,
		     uint64_t misaligned)
{
	assert_int_equal(kx_purgatory_relocate(ctx, &s->p[0], s->bases[again]), 0);
	assert_memory_equal(s->p[0].buf, s->p[again].buf, s->p[0].bufsz);
	assert_int_equal(kx_purgatory_relocate(ctx, &s->p[0], s->bases[again] + misaligned), -EINVAL);
	for (size_t b = 0; b < s->nbases; b++)
		kx_purgatory_free(&s->p[b]);
}

int apply4(uint32_t type, uint32_t *word, uint64_t sa, uint64_t pc)
{
	uint8_t b[4];
	int r;

	memcpy(b, word, 4);
	r = kx_test_arch.reloc->apply(b, type, sa, pc);
	memcpy(word, b, 4);
	return r;
}

uint32_t ok_insn(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc)
{
	int r = apply4(type, &word, sa, pc);

	if (r)
		fail_msg("type %u sa 0x%llx pc 0x%llx: %d", type, (unsigned long long)sa,
			 (unsigned long long)pc, r);
	return word;
}

void erange(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc)
{
	uint32_t w = word;

	if (apply4(type, &w, sa, pc) != -ERANGE)
		fail_msg("type %u sa 0x%llx pc 0x%llx: not -ERANGE", type, (unsigned long long)sa,
			 (unsigned long long)pc);
	assert_int_equal(w, word);
}

void check_reloc_common(uint32_t unapplied, uint64_t pc)
{
	const struct kx_reloc_ops *ops = kx_test_arch.reloc;
	uint8_t b8[8];
	uint32_t w;
	uint64_t v;

	assert_int_equal(ops->e_machine, kx_test_arch.e_machine);
	assert_int_equal(ops->width(kx_test_arch.r_abs64), 8);
	assert_int_equal(ops->width(kx_test_arch.r_none), 1);
	assert_int_equal(ops->width(unapplied), 0);
	assert_int_equal(ops->width(12345), 0);
	w = 0x12345678;
	assert_int_equal(apply4(unapplied, &w, 0, 0), -ENOEXEC);
	assert_int_equal(apply4(kx_test_arch.r_none, &w, 0xdead, pc), 0);
	assert_int_equal(w, 0x12345678);
	assert_int_equal(ops->apply(b8, kx_test_arch.r_abs64, 0x0123456789abcdefULL, pc), 0);
	memcpy(&v, b8, 8);
	assert_int_equal(v, 0x0123456789abcdefULL);
}

/* ---- Broken copies of the blob ------------------------------------------------ */

uint8_t *patched_blob(uint32_t from, patch_fn *fn)
{
	size_t len = *kx_test_arch.blob_size;
	uint8_t *b = malloc(len);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;

	assert_non_null(b);
	memcpy(b, kx_test_arch.blob, len);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(b + eh->e_shoff) + i;
		Elf64_Rela *r = (Elf64_Rela *)(b + sh->sh_offset);
		size_t n = sh->sh_size / sizeof(*r);

		if (sh->sh_type != SHT_RELA)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (ELF64_R_TYPE(r[j].r_info) == from) {
				fn(&r[j], r, n, j);
				return b;
			}
		}
	}
	fail_msg("no relocation of type %u in the blob", from);
	return NULL;
}

static void to_abs32(Elf64_Rela *r, Elf64_Rela *all, size_t n, size_t j)
{
	(void)all, (void)n, (void)j;
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), kx_test_arch.r_abs32);
}

void check_relocation_overflow(uint32_t from, uint64_t fits, uint64_t overflows)
{
	struct kexec_ctx *ctx = new_ctx();
	uint8_t *b = patched_blob(from, to_abs32);
	struct kx_purgatory p;

	assert_int_equal(kx_purgatory_init(ctx, &p, b, *kx_test_arch.blob_size), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, fits), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, overflows), -ERANGE);
	assert_logged("overflows");
	kx_purgatory_free(&p);
	free(b);
	kexec_ctx_free(ctx);
}

void check_truncated_and_corrupted(uint32_t seed, uint64_t base, bool einval_ok)
{
	struct kexec_ctx *ctx = new_ctx();
	const uint8_t *blob = kx_test_arch.blob;
	size_t len = *kx_test_arch.blob_size;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)blob;
	struct kx_purgatory_params pp;
	struct kx_purgatory p;

	kexec_ctx_set_log(ctx, NULL, NULL);
	for (size_t n = 0; n < len; n += 1 + n % 13) {
		uint8_t *t = malloc(n ? n : 1); /* exact size: valgrind sees any overread */

		assert_non_null(t);
		memcpy(t, blob, n);
		assert_int_equal(kx_purgatory_init(ctx, &p, t, n), -ENOEXEC);
		free(t);
	}
	for (int iter = 0; iter < 2000; iter++) {
		uint8_t *t = malloc(len);
		int r;

		assert_non_null(t);
		memcpy(t, blob, len);
		for (int k = 0; k < 1 + iter % 4; k++) {
			size_t pos;

			seed = seed * 1103515245 + 12345;
			/* The headers and tables at the file's end matter most. */
			pos = iter % 2 ? (seed >> 8) % len
				       : eh->e_shoff + (seed >> 8) % (len - eh->e_shoff);
			t[pos] ^= (uint8_t)(1u << (seed >> 28 & 7));
		}
		r = kx_purgatory_init(ctx, &p, t, len);
		assert_true(r == 0 || r == -ENOEXEC);
		if (r == 0) {
			r = kx_purgatory_relocate(ctx, &p, base);
			assert_true(r == 0 || r == -ERANGE || (einval_ok && r == -EINVAL));
			r = kx_purgatory_get_params(&p, &pp);
			assert_true(r == 0 || r == -EINVAL || r == -ENOENT);
			kx_purgatory_free(&p);
		}
		free(t);
	}
	kexec_ctx_free(ctx);
}

/* ---- Files and programs ----------------------------------------------------- */

void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void write_file_flipped(const char *path, uint8_t *data, size_t len, size_t pos, uint8_t flip)
{
	assert_true(pos < len);
	data[pos] ^= flip;
	write_file(path, data, len);
	data[pos] ^= flip;
}

size_t read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return n;
}

bool find_in_path(const char *name, char *out, size_t size)
{
	const char *p = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";

	while (*p) {
		size_t l = strcspn(p, ":");

		snprintf(out, size, "%.*s/%s", (int)l, p, name);
		if (l && access(out, X_OK) == 0)
			return true;
		p += l + (p[l] == ':');
	}
	return false;
}

bool find_build_file(const char *what, int mode, char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	/* This test is tests/test-purgatory-<arch>; tests/unit/meson.build builds the rest. */
	snprintf(out, size, "%s/unit/kx-%s-%s", dirname(self), kx_test_arch.name, what);
	return access(out, mode) == 0;
}

const char *find_qemu_user(char *out, size_t size)
{
	char name[64];

	if (kx_test_arch.native) {
		out[0] = '\0';
		return out;
	}
	snprintf(name, sizeof(name), "qemu-%s-static", kx_test_arch.qemu);
	if (find_in_path(name, out, size))
		return out;
	snprintf(name, sizeof(name), "qemu-%s", kx_test_arch.qemu);
	if (find_in_path(name, out, size))
		return out;
	return NULL;
}

void args_init(struct args *a)
{
	a->n = 0;
	a->used = 0;
	a->argv[0] = NULL;
}

void arg(struct args *a, const char *fmt, ...)
{
	size_t room = sizeof(a->text) - a->used;
	va_list ap;
	int len;

	assert_true(a->n + 1 < (int)(sizeof(a->argv) / sizeof(a->argv[0])));
	va_start(ap, fmt);
	len = vsnprintf(a->text + a->used, room, fmt, ap);
	va_end(ap);
	assert_true(len >= 0 && (size_t)len < room);
	a->argv[a->n++] = a->text + a->used;
	a->argv[a->n] = NULL;
	a->used += (size_t)len + 1;
}

void arg_loader(struct args *a, const char *file, uint64_t addr)
{
	arg(a, "-device");
	arg(a, "loader,file=%s,addr=0x%llx,force-raw=on", file, (unsigned long long)addr);
}

int run(struct args *a, char *out, size_t size)
{
	int status, fds[2] = { -1, -1 };
	size_t used = 0;
	ssize_t r;
	pid_t pid;

	if (out)
		assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = out ? fds[1] : open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		if (out) {
			close(fds[0]);
			close(fds[1]);
		}
		execv(a->argv[0], a->argv);
		_exit(127);
	}
	if (out) {
		close(fds[1]);
		while ((r = read(fds[0], out + used, size - 1 - used)) > 0)
			used += (size_t)r;
		out[used] = '\0';
		close(fds[0]);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void scratch_open(struct scratch *s, const char *what)
{
	snprintf(s->dir, sizeof(s->dir), "%s/kx-%s%s-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", kx_test_arch.name, what);
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->a, sizeof(s->a), "%s/a", s->dir);
	snprintf(s->b, sizeof(s->b), "%s/b", s->dir);
	snprintf(s->image, sizeof(s->image), "%s/image", s->dir);
	snprintf(s->config, sizeof(s->config), "%s/config", s->dir);
	snprintf(s->serial, sizeof(s->serial), "%s/serial", s->dir);
}

void scratch_close(struct scratch *s)
{
	unlink(s->a);
	unlink(s->b);
	unlink(s->image);
	unlink(s->config);
	unlink(s->serial);
	rmdir(s->dir);
}

/* ---- The relocated blob under qemu-<arch> (user mode) -------------------------- */

void blob_run_open(struct blob_run *r)
{
	memset(r, 0, sizeof(*r));
	if (!find_build_file("run-blob", X_OK, r->runner, sizeof(r->runner)) ||
	    !find_qemu_user(r->qemu, sizeof(r->qemu))) {
		print_message("no qemu-%s (apt-get install qemu-user-static) or no runner\n",
			      kx_test_arch.qemu);
		skip();
	}
	scratch_open(&r->files, "");
	r->one_len = 100000;
	r->two_len = 4096 * 3 + 77;
	r->one = malloc(r->one_len);
	r->two = malloc(r->two_len);
	assert_true(r->one && r->two);
	for (size_t i = 0; i < r->one_len; i++)
		r->one[i] = (uint8_t)(i * 31 + (i >> 8));
	for (size_t i = 0; i < r->two_len; i++)
		r->two[i] = (uint8_t)(i ^ 0x5a);
	write_file(r->files.a, r->one, r->one_len);
}

void blob_run_close(struct blob_run *r)
{
	scratch_close(&r->files);
	free(r->one);
	free(r->two);
}

/*
 * The loader's digest of the regions as pp->flags asks for it: the
 * eight-lane SHA-256 with KX_PF_SHA256, else the XXH3 chain, computed here
 * by libxxhash (xxh3-ref.h), not by the code the purgatory shares.
 */
struct digest {
	bool sha256;
	struct kx_sha256 s;
	struct xxh3_ref x;
};

static void digest_init(struct digest *d, const struct kx_purgatory_params *pp)
{
	d->sha256 = (pp->flags & KX_PF_SHA256) != 0;
	kx_sha256_init(&d->s);
	xxh3_ref_init(&d->x);
}

static void digest_update(struct digest *d, const void *p, size_t len)
{
	if (d->sha256)
		kx_sha256_lanes_update(&d->s, p, len);
	else
		xxh3_ref_update(&d->x, p, len);
}

static void digest_final(struct digest *d, struct kx_purgatory_params *pp)
{
	if (d->sha256)
		kx_sha256_final(&d->s, pp->digest);
	else
		xxh3_ref_final(&d->x, pp->digest);
}

void blob_run_regions(const struct blob_run *r, struct kx_purgatory_params *pp, uint64_t a,
		      uint64_t b, bool none)
{
	struct digest d;

	digest_init(&d, pp);
	if (!none) {
		pp->regions[0] = (struct kx_sha_region){ a, r->one_len };
		pp->regions[2] = (struct kx_sha_region){ 0xdead0000, 0 }; /* never read */
		pp->regions[7] = (struct kx_sha_region){ b + 3, r->two_len - 3 };
		pp->region_sums[0] = xxh3_ref_sum(r->one, r->one_len);
		pp->region_sums[7] = xxh3_ref_sum(r->two + 3, r->two_len - 3);
		digest_update(&d, r->one, r->one_len);
		digest_update(&d, r->two + 3, r->two_len - 3);
	}
	digest_final(&d, pp);
}

void blob_run_args(const struct blob_run *r, struct args *a, const char *cpu, uint64_t base,
		   size_t memsz)
{
	args_init(a);
	if (r->qemu[0]) {
		arg(a, "%s", r->qemu);
		arg(a, "-cpu");
		arg(a, "%s", cpu);
	}
	arg(a, "%s", r->runner);
	arg(a, "%s", r->files.image);
	arg(a, "0x%llx", (unsigned long long)base);
	arg(a, "0x%zx", memsz);
}

int blob_run_exec(struct blob_run *r, struct args *args, uint64_t a, uint64_t b, uint8_t flip,
		  char *out, size_t size)
{
	arg(args, "%s", r->files.a);
	arg(args, "0x%llx", (unsigned long long)a);
	arg(args, "0x%zx", r->one_len);
	arg(args, "%s", r->files.b);
	arg(args, "0x%llx", (unsigned long long)b);
	arg(args, "0x%zx", r->two_len);
	write_file_flipped(r->files.b, r->two, r->two_len, 4096 + 5, flip);
	return run(args, out, size);
}

/* ---- The whole purgatory in qemu-system-<arch> -------------------------------- */

void vm_env_open(struct vm_env *e, size_t b_len)
{
	char name[64];

	memset(e, 0, sizeof(*e));
	snprintf(name, sizeof(name), "qemu-system-%s", kx_test_arch.qemu);
	if (!find_in_path(name, e->qemu, sizeof(e->qemu)) ||
	    !find_build_file("fake-kernel", R_OK, e->kernel, sizeof(e->kernel))) {
		print_message("no %s (apt-get install %s) or no fake kernel\n", name,
			      kx_test_arch.qemu_system_package);
		skip();
	}
	scratch_open(&e->files, "-vm");
	e->a_len = 5 + (1 << 20) + 77;
	e->b_len = b_len;
	e->a_data = malloc(e->a_len);
	e->b_data = malloc(e->b_len);
	assert_true(e->a_data && e->b_data);
	for (size_t i = 0; i < e->a_len; i++)
		e->a_data[i] = (uint8_t)(i * 7 + (i >> 11));
	for (size_t i = 0; i < e->b_len; i++)
		e->b_data[i] = (uint8_t)(i * 13 + (i >> 9) + (i >> 17));
	write_file(e->files.a, e->a_data, e->a_len);
}

void vm_env_close(struct vm_env *e)
{
	scratch_close(&e->files);
	free(e->a_data);
	free(e->b_data);
}

void vm_env_regions(struct vm_env *e, struct kx_purgatory_params *pp, uint64_t a, uint64_t b,
		    bool none, uint64_t fault, size_t flip_pos, uint8_t flip)
{
	struct digest d;

	e->a_addr = a;
	e->b_addr = b;
	digest_init(&d, pp);
	if (!none) {
		pp->regions[1] = (struct kx_sha_region){ a + 5, e->a_len - 5 };
		pp->regions[4] = (struct kx_sha_region){ b, e->b_len };
		pp->region_sums[1] = xxh3_ref_sum(e->a_data + 5, e->a_len - 5);
		pp->region_sums[4] = xxh3_ref_sum(e->b_data, e->b_len);
		if (fault)
			pp->regions[6] = (struct kx_sha_region){ fault, 4096 };
		digest_update(&d, e->a_data + 5, e->a_len - 5);
		digest_update(&d, e->b_data, e->b_len);
	}
	digest_final(&d, pp);
	write_file_flipped(e->files.b, e->b_data, e->b_len, flip_pos, flip);
}

void vm_env_save(struct kexec_ctx *ctx, struct vm_env *e, const struct kx_purgatory_params *pp,
		 uint64_t base, uint64_t config, uint64_t mode)
{
	struct kx_purgatory p;
	uint64_t block[4];

	e->image_addr = base;
	e->config_addr = config;
	init_blob(ctx, &p);
	assert_int_equal(kx_purgatory_set_params(&p, pp), 0);
	assert_int_equal(kx_purgatory_relocate(ctx, &p, base), 0);
	block[0] = sym(&p, KX_PURGATORY_ENTRY_NAME);
	block[1] = mode;
	block[2] = sym(&p, "kx_check_path");
	block[3] = sym(&p, "kx_check_ticks");
	write_file(e->files.image, p.buf, p.bufsz);
	write_file(e->files.config, block, sizeof(block));
	kx_purgatory_free(&p);
}

void vm_env_boot(struct vm_env *e, struct args *a, int polls, bool quiet, char *out,
		 size_t size)
{
	const char *line;
	int status = 0;
	bool done;
	pid_t pid;

	arg(a, "-display");
	arg(a, "none");
	arg(a, "-monitor");
	arg(a, "none");
	arg(a, "-serial");
	arg(a, "file:%s", e->files.serial);
	arg_loader(a, e->files.image, e->image_addr);
	arg_loader(a, e->files.config, e->config_addr);
	arg_loader(a, e->files.a, e->a_addr);
	arg_loader(a, e->files.b, e->b_addr);
	unlink(e->files.serial);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0), dup2(fd, 1);
			if (quiet)
				dup2(fd, 2);
		}
		execv(a->argv[0], a->argv);
		_exit(127);
	}
	for (int waited = 0;; waited++) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		assert_true(w >= 0);
		if (w == pid)
			break;
		read_text(e->files.serial, out, size);
		/*
		 * A purgatory that halts (a mismatch's report to its last line, a
		 * trap or an exception), its line whole; one that enters the fake
		 * kernel ends the machine itself. Progress lines (and riscv64's
		 * about the other harts, which it may wait a second for) are not
		 * an end.
		 */
		line = strstr(out, "purgatory: stopped;");
		if (!line)
			line = strstr(out, "purgatory: trap,");
		if (!line)
			line = strstr(out, "purgatory: exception,");
		done = line && strstr(line, "\r\n");
		if (done ? waited > 2 : waited > polls) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(50000);
	}
	read_text(e->files.serial, out, size);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		fail_msg("cannot run %s", e->qemu);
}
