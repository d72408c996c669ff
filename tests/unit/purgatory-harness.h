/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the purgatory tests share (purgatory-harness.c): test-purgatory.c
 * (x86_64), test-purgatory-arm64.c and test-purgatory-riscv64.c each define
 * kx_test_arch, the purgatory they test, and keep only what is their
 * machine's own: instruction decoders, relocation types, the cases and what
 * the fake kernels must report. Everything here works through kx_test_arch:
 * the embedded blob parsed, checked and relocated at several bases, its
 * relocation records read back, reloc.c's apply() driven, broken copies of
 * the blob, and the programs of tests/unit/<arch>/ (built by
 * tests/unit/meson.build) run under qemu-<arch> (user mode) or
 * qemu-system-<arch>.
 */
#ifndef KX_TEST_PURGATORY_HARNESS_H
#define KX_TEST_PURGATORY_HARNESS_H

#include <elf.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libkexec.h"
#include "purgatory.h"

/* The purgatory a test program tests; it defines kx_test_arch. */
struct kx_test_arch {
	const char *name;        /* "arm64": tests/unit/<name>, kx-<name>-* programs, messages */
	const char *qemu;        /* "aarch64": qemu-<qemu>[-static], qemu-system-<qemu> */
	const char *qemu_system_package; /* Debian's package with qemu-system-<qemu> */
	bool native;             /* this host runs <name> programs without QEMU */
	const unsigned char *blob;
	const size_t *blob_size; /* 0: not built (no compiler for it) */
	uint16_t e_machine;
	const struct kx_reloc_ops *reloc;
	/* Its relocation types: none, and the absolute ones, which alone move with the base. */
	uint32_t r_none, r_abs64, r_abs32;
};
extern const struct kx_test_arch kx_test_arch;

/* ---- The library's log ----------------------------------------------------- */

/* What new_ctx()'s context logged (all priorities) since new_ctx() or a reset. */
extern char log_text[16384];
struct kexec_ctx *new_ctx(void);
void assert_logged(const char *needle);

/* ---- The blob --------------------------------------------------------------- */

/* Without the blob (no compiler for its machine at build time) there is nothing to test. */
#define NEED_BLOB()                                                                      \
	do {                                                                             \
		if (!*kx_test_arch.blob_size) {                                          \
			print_message("the %s purgatory was not built (no %s compiler)\n", \
				      kx_test_arch.name, kx_test_arch.name);             \
			skip();                                                          \
		}                                                                        \
	} while (0)

void init_blob(struct kexec_ctx *ctx, struct kx_purgatory *p);
/* A symbol's address (an offset until relocated); fails the test if missing. */
uint64_t sym(const struct kx_purgatory *p, const char *name);

/*
 * What every purgatory's layout has: an ET_REL of its machine, the image
 * then .bss, 16-byte multiple, not yet relocated, a zero parameter block
 * inside the image, purgatory_start and kx_image_start at 0 and kx_image_end
 * at memsz (purgatory.lds: all it owns, nothing more), and purgatory_verify
 * in the image. p is left initialised for the machine's own checks.
 */
void check_blob_layout(struct kexec_ctx *ctx, struct kx_purgatory *p);
/*
 * pp (its digest filled in here) set and read back whole, and entry and
 * boot_data at offsets 0 and 8 little-endian, where each entry.S reads them.
 */
void check_params_round_trip(struct kexec_ctx *ctx, struct kx_purgatory_params *pp);

/* ---- Relocations ------------------------------------------------------------- */

/* The relocations, read straight from the object (trusted here: it is ours). */
struct reloc {
	uint32_t type;
	size_t pos;     /* of the field in the buffer */
	uint64_t s_off; /* of the symbol in the buffer */
	int64_t addend;
	char name[40];
};

size_t read_relocs(const struct kx_purgatory *p, struct reloc *out, size_t max);

/* v's low bits, sign-extended. */
int64_t sext(uint64_t v, unsigned int bits);

#define SWEEP_BASES_MAX 8

/*
 * The purgatory's report after a mismatch, one line per region whose own
 * sum changed (start, length), then the last line.
 */
#define KX_TEST_CHANGED_FMT "purgatory: changed since the load: the segment at 0x%016llx, 0x%016llx bytes\r\n"
#define KX_TEST_STOPPED "purgatory: stopped; the kernel was not entered\r\n"

/* The blob relocated at each base, and its relocations (reloc_sweep()). */
struct reloc_sweep {
	const uint64_t *bases;
	size_t nbases;
	struct reloc *rel; /* room for max */
	size_t max, n;
	struct kx_purgatory p[SWEEP_BASES_MAX];
};

/* Checks relocation r's field in buf, which s relocated for base. */
typedef void check_field_fn(const struct reloc_sweep *s, const uint8_t *buf, uint64_t base,
			    const struct reloc *r);

/*
 * Relocates a copy of the blob at each of s->bases, reads its relocations,
 * checks each one's field at every base with check, and that no byte but
 * the absolute fields' differs between bases (everything else is
 * PC-relative within the image).
 */
void reloc_sweep(struct kexec_ctx *ctx, struct reloc_sweep *s, check_field_fn *check);
/* How many of s's relocations have this type. */
unsigned int reloc_count(const struct reloc_sweep *s, uint32_t type);
/*
 * Relocating p[0] again, at bases[again], gives what a fresh relocation
 * there gave; at bases[again] + misaligned it is refused. Frees s's copies.
 */
void reloc_sweep_end(struct kexec_ctx *ctx, struct reloc_sweep *s, size_t again,
		     uint64_t misaligned);

/* kx_test_arch.reloc's apply() on a 4-byte word. */
int apply4(uint32_t type, uint32_t *word, uint64_t sa, uint64_t pc);
/* The word after a successful apply. */
uint32_t ok_insn(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc);
/* -ERANGE with nothing written. */
void erange(uint32_t type, uint32_t word, uint64_t sa, uint64_t pc);
/*
 * What every reloc.c does: its e_machine, an 8-byte absolute field and a
 * 1-byte none, nothing for unknown types, -ENOEXEC for a type it does not
 * apply (unapplied), none writing nothing, the 64-bit absolute value written.
 */
void check_reloc_common(uint32_t unapplied, uint64_t pc);

/* ---- Broken copies of the blob ------------------------------------------------ */

typedef void patch_fn(Elf64_Rela *r, Elf64_Rela *all, size_t n, size_t j);
/* A copy of the blob (malloc'd) with the first relocation of type from changed by fn. */
uint8_t *patched_blob(uint32_t from, patch_fn *fn);
/*
 * The first relocation of type from made the absolute 32-bit one: fine at
 * base fits, -ERANGE logged as an overflow at base overflows.
 */
void check_relocation_overflow(uint32_t from, uint64_t fits, uint64_t overflows);
/*
 * Prefixes refused; 2000 copies with one to four bits flipped (seeded),
 * refused or still safe to relocate at base and read (-EINVAL from the
 * relocation too where einval_ok: a flipped alignment the base misses).
 */
void check_truncated_and_corrupted(uint32_t seed, uint64_t base, bool einval_ok);

/* ---- Files and programs ----------------------------------------------------- */

void write_file(const char *path, const void *data, size_t len);
/* data written with data[pos] ^= flip (0: as it is); data itself left as it was. */
void write_file_flipped(const char *path, uint8_t *data, size_t len, size_t pos, uint8_t flip);
/* A file's text (at most size - 1 bytes, NUL-terminated; "" if missing); its length. */
size_t read_text(const char *path, char *buf, size_t size);
bool find_in_path(const char *name, char *out, size_t size);
/* tests/unit/kx-<arch>-<what> in the build tree, with access mode; false if it is not there. */
bool find_build_file(const char *what, int mode, char *out, size_t size);
/* qemu-<qemu> from PATH; "" where the host runs <arch> code natively; NULL: none. */
const char *find_qemu_user(char *out, size_t size);

/* A command line, built one argument at a time (printf-style). */
struct args {
	char *argv[64];
	int n;
	char text[16384];
	size_t used;
};

void args_init(struct args *a);
void arg(struct args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* -device loader: file's bytes in the guest at addr. */
void arg_loader(struct args *a, const char *file, uint64_t addr);
/*
 * Runs a's program; its standard output in out (up to size - 1 bytes, or to
 * /dev/null when out is NULL). Its exit status, or -1.
 */
int run(struct args *a, char *out, size_t size);

/* A temporary folder (in $TMPDIR) and the files the tests hand to QEMU there. */
struct scratch {
	char dir[64], a[128], b[128], image[128], config[128], serial[128];
};

/* Makes the folder kx-<arch><what>-XXXXXX; names the files in it. */
void scratch_open(struct scratch *s, const char *what);
/* Removes the files that were written, and the folder. */
void scratch_close(struct scratch *s);

/* ---- The relocated blob under qemu-<arch> (user mode): tests/unit/<arch>/run-blob.c ---- */

struct blob_run {
	char runner[PATH_MAX], qemu[PATH_MAX];
	struct scratch files; /* image, a and b */
	uint8_t *one, *two;   /* the regions' data: files a and b */
	size_t one_len, two_len;
};

/*
 * Finds the runner and QEMU (or skips the test: call it before allocating
 * anything), makes a temporary folder and two regions' data, both longer
 * than 512 bytes (eight lanes each, and leftovers); writes file a.
 */
void blob_run_open(struct blob_run *r);
void blob_run_close(struct blob_run *r);
/*
 * pp's regions: one at a, an empty one (never read), the second from 3
 * bytes into b (an odd address); and their digest, SHA-256 or XXH3 as
 * pp->flags says (KX_PF_SHA256). none: no regions (-i), the digest of
 * nothing.
 */
void blob_run_regions(const struct blob_run *r, struct kx_purgatory_params *pp, uint64_t a,
		      uint64_t b, bool none);
/* Starts a: [qemu-<arch> -cpu cpu] run-blob IMAGE BASE MEMSZ (run-blob.c's usage). */
void blob_run_args(const struct blob_run *r, struct args *a, const char *cpu, uint64_t base,
		   size_t memsz);
/*
 * Ends a with the regions' files, a at address a and b at b, writes b with
 * a changed byte (two[4096 + 5] ^= flip: the data, not the digest; 0: as it
 * is) and runs it: run()'s result.
 */
int blob_run_exec(struct blob_run *r, struct args *args, uint64_t a, uint64_t b, uint8_t flip,
		  char *out, size_t size);

/* ---- The whole purgatory in qemu-system-<arch> -M virt: tests/unit/<arch>/fake-kernel.S ---- */

struct vm_env {
	char qemu[PATH_MAX], kernel[PATH_MAX];
	struct scratch files;
	uint8_t *a_data, *b_data;
	size_t a_len, b_len;
	/* Where QEMU loads each file: set by vm_env_regions() and vm_env_save(). */
	uint64_t a_addr, b_addr, image_addr, config_addr;
};

/*
 * Finds QEMU and the fake kernel (or skips the test: call it before
 * allocating anything), makes a temporary folder, region A's data (1 MiB +
 * 77 bytes, to be loaded 5 bytes before where it is hashed from: an odd
 * address) written, and B's (b_len bytes).
 */
void vm_env_open(struct vm_env *e, size_t b_len);
void vm_env_close(struct vm_env *e);
/*
 * Files a and b loaded at a and b; pp's regions, A from 5 bytes in and B
 * whole, and their digest (as pp->flags says, as blob_run_regions()); none: no regions (-i); fault: also a region at
 * that address, where the machine has no memory (0: none). B's file
 * written with b_data[flip_pos] ^= flip.
 */
void vm_env_regions(struct vm_env *e, struct kx_purgatory_params *pp, uint64_t a, uint64_t b,
		    bool none, uint64_t fault, size_t flip_pos, uint8_t flip);
/*
 * The blob with pp, relocated at base, as files.image (QEMU's RAM is zero:
 * the .bss past bufsz); and the config block the fake kernel reads at
 * config: purgatory_start, mode, where kx_check_path and kx_check_ticks are.
 */
void vm_env_save(struct kexec_ctx *ctx, struct vm_env *e, const struct kx_purgatory_params *pp,
		 uint64_t base, uint64_t config, uint64_t mode);
/*
 * Runs a, QEMU with the machine's own arguments, to which this adds no
 * display or monitor, the serial port into files.serial and the four files
 * (image, config, a, b) at their addresses; its serial output in out. QEMU
 * ends when the fake kernel is reached; a purgatory that halts is stopped
 * once it has printed its line, or after polls * 50 ms. quiet: QEMU's
 * standard error to /dev/null too.
 */
void vm_env_boot(struct vm_env *e, struct args *a, int polls, bool quiet, char *out,
		 size_t size);

#endif
