/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two tables every load asks, after the kernel's kexec_file_ops and
 * kexec-tools' file_type[]: an architecture table (kx_arch, each at the end of
 * lib/arch/<arch>/load.c) and, in each architecture, a table of image formats
 * (kx_format). Generic code
 * (lib/load.c, lib/file_load.c, lib/sim.c, lib/crash.c) never names an
 * architecture: it calls these. Adding an architecture is a folder under
 * lib/arch/ and purgatory/, and one entry in kx_arches[] (lib/arch.c).
 */
#ifndef LIBKEXEC_ARCH_H
#define LIBKEXEC_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "libkexec-internal.h"
#include "params.h"
#include "unwrap.h"

struct kx_load;
struct kx_purgatory;
struct kx_reloc_ops;

/* One image format. */
struct kx_format {
	struct kexec_image_type type; /* name, aliases, summary, which syscalls */
	/*
	 * Is buf (the whole file, len bytes) an image of this format? 0 and
	 * *info filled in (format, cmdline_max, unpacked_size...), or -ENOEXEC
	 * with a one-line *reason: a string literal, or msg->text (the
	 * caller's: it lives as long as *msg). Reads nothing else.
	 */
	int (*probe)(const void *buf, size_t len, struct kexec_image_info *info,
		     const char **reason, struct kx_msg *msg);
	/*
	 * kexec_file_load: what the running kernel's loader would refuse that
	 * the probe does not (ENOEXEC, EINVAL), as the kernel's probe sees the
	 * image; NULL when the probe says it all. head is the whole file
	 * (head_len == file_len).
	 */
	int (*file_check)(const void *head, size_t head_len, uint64_t file_len,
			  const struct kexec_image_info *info, const char **reason);
	/*
	 * Bytes of the command line the kernel's kexec_file_load keeps for
	 * itself (x86: " elfcorehdr=0x..." is appended: 30).
	 */
	uint32_t file_cmdline_reserve;
	/* Where the image's command-line limit comes from, for messages. */
	const char *cmdline_limit_what;
	/*
	 * errno of the running kernel's kexec_file_load for a file of another
	 * format (x86_64's bzImage64 probe: ENOEXEC; arm64: EINVAL).
	 */
	int file_wrong_format_errno;
	/*
	 * kexec_load: the kernel's segments (kx_load_add_segment), the initrd
	 * (kx_load_initrd), the crash kernel's core header (kx_load_elfcorehdr)
	 * and the boot data; sets l->kernel_entry and l->boot_data.
	 */
	int (*load)(struct kexec_ctx *ctx, struct kx_load *l);
	/*
	 * Lazy peeling (kx_unwrap_lazy, lib/unwrap.h): are the first len bytes
	 * an unpacked layer made (len >= KX_UNWRAP_HEAD, never the whole
	 * image) the start of an image of this format? -ENOEXEC with a
	 * one-line *reason (as probe's: a literal or msg->text) when not; else
	 * how many bytes the image is as its header declares them, or 0 when
	 * the header does not say. NULL: the format cannot tell from its head,
	 * and no layer is refused early.
	 */
	int64_t (*head_size)(const void *head, size_t len, const char **reason,
			     struct kx_msg *msg);
};

/* What crash.c leaves out of the dump and where it finds the kernel text. */
struct kx_crash_policy {
	uint16_t e_machine;
	uint64_t exclude_low;         /* RAM below this is not dumped (x86: 1 MiB); 0: none */
	uint64_t default_page_offset; /* direct-map base when /proc/kcore cannot tell */
	uint64_t text_window_start;   /* the kernel image's own mapping, when it has one */
	uint64_t text_window_size;    /*   (x86_64: __START_KERNEL_map, 1 GiB); 0: none */
	/* The device tree's reservations are firmware's and not dumped (riscv64's SBI). */
	bool exclude_dtb_reserved;
	/*
	 * kexec_load's flag that tells the kernel it may rewrite the core
	 * header on hotplug (x86_64: KEXEC_UPDATE_ELFCOREHDR, which 6.6 and
	 * later take); 0: this library does not prepare loads for it here.
	 */
	unsigned long hotplug_flag;
	/* kexec_load's core header is ELFCLASS32 unless asked for 64 (32-bit ARM, as kexec-tools). */
	bool elf32_default;
	/*
	 * Without /proc/kcore: the direct map's base is default_page_offset
	 * minus the lowest System RAM address (32-bit ARM: PAGE_OFFSET maps
	 * PHYS_OFFSET, where RAM starts), not default_page_offset itself.
	 */
	bool page_offset_from_ram;
	/*
	 * The crash kernel's usable memory ends below its core header, placed
	 * at the reservation's top on this alignment (0: the page size):
	 * 32-bit ARM maps all its usable memory and reads the header through
	 * ioremap(), which refuses RAM it maps ("ioremap on RAM"); kexec-tools
	 * says the same with mem=, the header on a section (2 MiB with LPAE).
	 */
	bool usable_below_elfcorehdr;
	uint64_t elfcorehdr_align;
	/*
	 * The kernel's text lies in the direct map, with no mapping of its own
	 * (no KCORE_TEXT in /proc/kcore: i386, 32-bit ARM); the RAM segments
	 * hold it, and a kcore without a text entry is what is expected.
	 */
	bool text_in_direct_map;
	/*
	 * The crash kernel overwrites RAM [0, backup_low) (ppc64: its exception
	 * vectors, 64 KiB as kexec-tools' BACKUP_SRC): kx_load_elfcorehdr()
	 * places a "backup" segment of that size in the reservation
	 * (l->backup_addr), the purgatory copies that RAM there, and the core
	 * header reads it from the copy. 0: none.
	 */
	uint64_t backup_low;
};

struct kx_arch {
	const char *name;                     /* "x86_64", "arm64" */
	unsigned long kexec_arch;             /* KEXEC_ARCH_* */
	uint16_t e_machine;
	uint64_t page_size;                   /* when the running kernel's cannot be read */
	uint64_t dest_limit;                  /* KEXEC_DESTINATION_MEMORY_LIMIT: ends below */
	const struct kx_format *const *formats;
	size_t nr_formats;
	const struct kx_crash_policy *crash;
	/*
	 * The next kernel gets the running kernel's device tree from both
	 * syscalls (arm64, riscv64: --force-dtb is what they do anyway); false
	 * where kexec_load passes none and kexec_file_load only with
	 * KEXEC_FILE_FORCE_DTB (x86_64).
	 */
	bool device_tree;
	/* Its loader honours kx_load_request.kernel_room (--image-size: 32-bit ARM). */
	bool kernel_room;
	/* Its kernels have no kexec_file_load at all (32-bit ARM, i386): -ENOSYS, said so. */
	bool no_file_load;
	/*
	 * Where its purgatory writes, for the refusal of kexec-tools' x86
	 * console options (--serial, --serial-baud, --console-vga: I/O-port
	 * UARTs and the VGA text screen); NULL where they are honoured (x86).
	 */
	const char *purgatory_console;
	/*
	 * Why kexec_load builds no crash kernel for it (mips, s390: Debian's
	 * kernels have no CONFIG_CRASH_DUMP), said before anything is read;
	 * NULL where it does.
	 */
	const char *no_crash;
	/* Its boot data carries EFI state that --no-efi withholds (x86's zero page). */
	bool efi_boot_data;
	/* The embedded purgatory (size 0: not built into this library). */
	const unsigned char *purgatory;
	const size_t *purgatory_size;
	const struct kx_reloc_ops *reloc;     /* its purgatory's relocations (reloc.c) */
	/*
	 * The purgatory runs at its physical address plus this (mips: CKSEG0,
	 * 0xffffffff80000000, where its -msym32 code is linked); 0 elsewhere.
	 */
	uint64_t purgatory_link_offset;
	/*
	 * kexec_load, before any format's loader: read the system's state the
	 * boot data needs (into l->arch_priv) and the RAM to place into
	 * (kx_alloc_add_ram on l->alloc, or the crash region for a crash load);
	 * set the default l->alloc.mem_min.
	 */
	int (*prepare)(struct kexec_ctx *ctx, struct kx_load *l);
	/*
	 * The purgatory's arch fields (console, flags, arch[]) and the window it
	 * is placed in (*max 0: anywhere).
	 */
	int (*purgatory_params)(struct kexec_ctx *ctx, struct kx_load *l,
				struct kx_purgatory_params *pp, uint64_t *min, uint64_t *max);
	/* Free l->arch_priv. */
	void (*cleanup)(struct kx_load *l);
};

/* Every architecture this library knows, and the one a context plans for. */
extern const struct kx_arch kx_arch_x86_64;
extern const struct kx_arch kx_arch_arm64;
extern const struct kx_arch kx_arch_riscv64;
extern const struct kx_arch kx_arch_arm;
extern const struct kx_arch kx_arch_i386;
extern const struct kx_arch kx_arch_mips;
extern const struct kx_arch kx_arch_s390;
extern const struct kx_arch kx_arch_ppc64;
const struct kx_arch *kx_arch_by_kexec_arch(unsigned long kexec_arch);
const struct kx_arch *kx_arch_by_e_machine(uint16_t e_machine);
const struct kx_arch *kx_arch_of(const struct kexec_ctx *ctx);
/* The running kernel's page size for ctx's architecture. */
uint64_t kx_page_size(const struct kexec_ctx *ctx);

/* A format of arch by name or alias; NULL when none. */
const struct kx_format *kx_format_by_name(const struct kx_arch *arch, const char *name);
/*
 * Probe every format of arch in order. The first that accepts wins; when
 * none does, -ENOEXEC and *reason (into buf) lists each format's refusal.
 */
int kx_format_probe(const struct kx_arch *arch, const void *buf, size_t len,
		    const struct kx_format **fmt, struct kexec_image_info *info, char *reason,
		    size_t reason_len);

/*
 * A kernel file opened for loading: its envelopes peeled (lib/unwrap.h),
 * then its format found. type (-t) is NULL, a format of arch, or a wrapper;
 * a wrapper must be the outermost layer, a format the innermost image.
 * Returns 0 with img filled (kx_image_close() frees), or a negative errno
 * with a one-line reason in why: -ENOEXEC (no format takes the inner image),
 * -EINVAL (broken envelope, or type unknown), -EFBIG (a decompression bomb)...
 */
struct kx_image {
	const struct kx_format *fmt;
	struct kexec_image_info info;  /* of the inner image; file_size is the file's */
	struct kx_unwrapped u;         /* u.buf, u.len: what the format reads */
};
int kx_image_open(const struct kx_arch *arch, const void *buf, size_t len, const char *type,
		  struct kx_image *img, char *why, size_t why_len);
void kx_image_close(struct kx_image *img);
/*
 * What a UKI supplies that the request does not (the rule of both loads):
 * its .cmdline when the request has no command line (cmdline NULL; copied
 * into *image_cmdline), its .initrd when the request names none (have_initrd:
 * an initrd or --reuseinitrd). Returns the KEXEC_FROM_IMAGE_* bits taken,
 * each logged, or -ENOMEM.
 */
int kx_image_supplies(struct kexec_ctx *ctx, const struct kx_image *img, const char *kernel,
		      const char *cmdline, bool have_initrd, char **image_cmdline);
/* Layers and what an envelope supplied, for kexec_*_plan_layers(). */
void kx_image_layers(const struct kx_image *img, unsigned int from_image,
		     struct kexec_image_layers *out);

/*
 * The one command-line length rule (every format, both syscalls): the line
 * (strlen, NUL excluded) plus extra bytes that will be appended must fit the
 * image's cmdline_max, less the format's file_cmdline_reserve through
 * kexec_file_load. -E2BIG logged as "cannot load kernel <path>: ...".
 */
int kx_cmdline_check(struct kexec_ctx *ctx, const struct kx_format *fmt,
		     const struct kexec_image_info *info, const char *path, size_t len,
		     bool file_load, const char *extra_what);

/* ---- The kexec_load pipeline's state (lib/load.c) ----------------------- */

struct kx_mapped {
	void *addr;
	size_t len;
};

struct kx_load {
	const struct kx_load_request *req; /* the caller's, copied to full size */
	struct kx_load_plan *plan;
	const struct kx_arch *arch;
	const struct kx_format *fmt;
	struct kexec_image_info info;
	uint64_t page_size;
	struct kx_alloc alloc;
	/*
	 * kernel: the image the format reads (the file's pages, or the image
	 * unwrapped from its envelopes: img.u); initrd: the file's pages, or a
	 * UKI's .initrd inside the kernel file (initrd_embedded).
	 */
	struct kx_mapped file, kernel, initrd;
	struct kx_image img;
	bool initrd_embedded;
	unsigned int from_image;             /* KEXEC_FROM_IMAGE_*: what the UKI supplied */
	char *image_cmdline;                 /* passed: the UKI's, or the request's, copied */
	bool crash;
	uint64_t crash_start, crash_end;     /* inclusive */
	/* crash: the core header, placed by kx_load_elfcorehdr() */
	uint8_t *elfcorehdr;
	size_t elfcorehdr_len;
	uint64_t elfcorehdr_addr;
	uint64_t backup_addr;                /* crash: the backup segment (crash->backup_low) */
	uint64_t hotplug_hdr_size;           /* --hotplug: the kernel's largest header; 0: none */
	uint64_t initrd_addr, initrd_size;   /* 0: none */
	uint64_t kernel_entry;               /* where the purgatory jumps */
	uint64_t boot_data;                  /* passed to the kernel (boot_params, DTB) */
	uint64_t totalram_pages;             /* for the validator; 0: from /proc/meminfo */
	char what_kernel[96], what_initrd[96]; /* "kernel <path>" for messages */
	struct kx_purgatory *purg;
	void *arch_priv;
	void *fmt_priv;                      /* freed with free() */
	void *bufs[KEXEC_SEGMENT_MAX + 4];   /* segment buffers the loaders allocated */
	size_t nr_bufs;
};

/* A segment (buf stays valid until the plan is freed); role is static. */
int kx_load_add_segment(struct kx_load *l, enum kexec_segment_role role, const void *buf, size_t bufsz,
			uint64_t mem, uint64_t memsz);
/* A malloc'd segment buffer the plan frees. */
int kx_load_keep(struct kx_load *l, void *buf);
/* Place a block through the allocator (p.align 0: the page size). */
int kx_load_place(struct kexec_ctx *ctx, struct kx_load *l, const char *what, uint64_t size,
		  uint64_t align, uint64_t min, uint64_t max, bool top_down, uint64_t *addr);
/* The initrd's size in bytes (0: none), before it is mapped. */
uint64_t kx_load_initrd_size(const struct kx_load *l);
/* The initrd, if any: mapped, placed page-aligned within [min, max], added. */
int kx_load_initrd(struct kexec_ctx *ctx, struct kx_load *l, uint64_t min, uint64_t max,
		   bool top_down);
/* crash: the ELF core header, built with the arch's policy, placed and added. */
int kx_load_elfcorehdr(struct kexec_ctx *ctx, struct kx_load *l);
uint64_t kx_load_page_align(const struct kx_load *l, uint64_t v);

#endif
