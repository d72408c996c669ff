/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkexec: load a Linux kernel for later execution through kexec_load(2) and
 * kexec_file_load(2), boot it with reboot(LINUX_REBOOT_CMD_KEXEC), and load
 * crash kernels for kdump.
 *
 * Conventions: every function that can fail returns 0 (or a count) on success
 * and a negative errno value on failure. The library never prints and never
 * exits: details go to the log callback set with kexec_ctx_set_log().
 */
#ifndef LIBKEXEC_H
#define LIBKEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Kernel ABI: <linux/kexec.h> (struct kexec_segment, KEXEC_* flags and
 * KEXEC_ARCH_* values) is the kernel's own header, so that this one compiles
 * beside it in either order. Flags newer than the installed kernel headers
 * are defined here with the kernel's values.
 */
#include <linux/kexec.h>
#ifndef KEXEC_UPDATE_ELFCOREHDR
#define KEXEC_UPDATE_ELFCOREHDR 0x00000004
#endif
#ifndef KEXEC_CRASH_HOTPLUG_SUPPORT
#define KEXEC_CRASH_HOTPLUG_SUPPORT 0x00000008
#endif
#ifndef KEXEC_DEBUG
#define KEXEC_DEBUG 0x00000010
#endif
#ifndef KEXEC_FILE_DEBUG
#define KEXEC_FILE_DEBUG 0x00000008
#endif
#ifndef KEXEC_FILE_NO_CMA
#define KEXEC_FILE_NO_CMA 0x00000010
#endif
#ifndef KEXEC_FILE_FORCE_DTB
#define KEXEC_FILE_FORCE_DTB 0x00000020
#endif
#ifndef KEXEC_ARCH_LOONGARCH
#define KEXEC_ARCH_LOONGARCH (258 << 16)
#endif

/* reboot(2) for kexec (not in <linux/kexec.h>). */
#define LIBKEXEC_REBOOT_MAGIC1 0xfee1deadU
#define LIBKEXEC_REBOOT_MAGIC2 672274793U
#define LIBKEXEC_REBOOT_CMD_KEXEC 0x45584543U

/*
 * Versions: LIBKEXEC_VERSION_MAJOR/MINOR of this header; every symbol is in
 * the version node LIBKEXEC_1.0 or a later one (libkexec.so.1).
 *
 * Growing structures: a structure the caller hands in begins with a size
 * field sz. Declare it with LIBKEXEC_OPTS(type, name, .field = value, ...):
 * it zeroes the whole structure, padding included, then sets sz and the
 * fields named. The library reads the fields it knows up to sz (a program
 * built against an older header has the newer fields zero), and returns
 * -E2BIG when a program built against a newer header sets, non-zero, a
 * byte past the last field this library knows: nothing is ignored.
 * Structures the library fills (kexec_status, kexec_image_info, ...) are
 * filled up to the caller's sz, the rest left alone.
 */
#define LIBKEXEC_VERSION_MAJOR 1
#define LIBKEXEC_VERSION_MINOR 0
#if defined(__GNUC__)
/* A GNU C statement expression (gcc, clang), marked so that -pedantic accepts it. */
#define LIBKEXEC_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = __extension__({ \
		memset(&NAME, 0, sizeof(struct TYPE)); \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	})
#else
/* ISO C zeroes the unnamed fields, not the padding: memset, then assign, there. */
#define LIBKEXEC_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }
#endif

/* The syscall numbers for the architecture this library was built for. */
long kexec_sys_nr_kexec_load(void);
long kexec_sys_nr_kexec_file_load(void); /* -1 when the arch has none */
/* KEXEC_ARCH_* of the architecture this library was built for. */
unsigned long kexec_native_arch(void);

/* Raw syscall wrappers: return 0 or a negative errno. */
int kexec_sys_load(unsigned long entry, unsigned long nr_segments,
		   const struct kexec_segment *segments, unsigned long flags);
int kexec_sys_file_load(int kernel_fd, int initrd_fd, unsigned long cmdline_len,
			const char *cmdline, unsigned long flags);
int kexec_sys_reboot(void);

/* ---- Context ----------------------------------------------------------- */

struct kexec_ctx;
struct kexec_sim;

/* Log priorities follow syslog(3): 3 error, 4 warning, 6 info, 7 debug. */
typedef void (*kexec_log_fn)(void *data, int priority, const char *msg);

struct kexec_ctx *kexec_ctx_new(void);
void kexec_ctx_free(struct kexec_ctx *ctx);
void kexec_ctx_set_log(struct kexec_ctx *ctx, kexec_log_fn fn, void *data);
void kexec_ctx_set_log_priority(struct kexec_ctx *ctx, int priority);
int kexec_ctx_get_log_priority(const struct kexec_ctx *ctx);
/* Prefix for every /proc and /sys path the library reads ("" or NULL: "/"). */
int kexec_ctx_set_root(struct kexec_ctx *ctx, const char *root);
const char *kexec_ctx_get_root(const struct kexec_ctx *ctx);
/*
 * Route every syscall and status read through a simulated kernel instead of
 * the running one. NULL selects the real kernel again (the default). The
 * context does not take ownership of the simulator.
 */
void kexec_ctx_use_sim(struct kexec_ctx *ctx, struct kexec_sim *sim);
bool kexec_ctx_is_simulated(const struct kexec_ctx *ctx);
/*
 * The one-line message of the last error the library met on this context
 * (the one its log got at priority 3): why the call that returned a negative
 * errno failed, naming the file and the reason. "" when none yet. Valid
 * until the next call on the context.
 */
const char *kexec_ctx_last_error(const struct kexec_ctx *ctx);

/*
 * Syscalls routed through the context's backend (real kernel or simulator).
 * Not named kexec_load()/kexec_file_load(): programs define those themselves.
 */
int kexec_do_load(struct kexec_ctx *ctx, unsigned long entry, unsigned long nr_segments,
		  const struct kexec_segment *segments, unsigned long flags);
int kexec_do_file_load(struct kexec_ctx *ctx, int kernel_fd, int initrd_fd,
		       unsigned long cmdline_len, const char *cmdline, unsigned long flags);
int kexec_do_reboot(struct kexec_ctx *ctx);

/*
 * The architecture the context plans loads for: KEXEC_ARCH_* (default: the
 * one this library runs on). Another one is for planning and the simulator
 * (--dry-run): its loads go nowhere else. -EOPNOTSUPP for an architecture
 * this library has no loader for.
 */
int kexec_ctx_set_arch(struct kexec_ctx *ctx, unsigned long kexec_arch);
unsigned long kexec_ctx_get_arch(const struct kexec_ctx *ctx);
/* Its name ("x86_64", "arm64"), NULL when unknown. */
const char *kexec_arch_name(unsigned long kexec_arch);

/* ---- Image formats ------------------------------------------------------ */

/* One image format of an architecture, or an envelope, as kexec_image_type_get() tells. */
struct kexec_image_type {
	size_t sz;                  /* sizeof(struct kexec_image_type): LIBKEXEC_OPTS() */
	const char *name;           /* for -t/--type: "bzImage", "elf-x86_64", "Image" */
	const char *const *aliases; /* other names -t accepts; NULL-terminated (static) */
	const char *summary;        /* one line */
	bool kexec_file_load;       /* the kernel's own loader takes it (if the kernel has one) */
	bool kexec_load;            /* this library loads it through kexec_load */
	bool envelope;              /* a compression or container that holds a kernel */
};

/*
 * The formats of the context's architecture in the order they are probed,
 * then the envelopes (ctx NULL: the architecture this library runs on).
 * kexec_image_type_count() says how many; kexec_image_type_get() fills
 * *type (its sz bytes) with the i-th: 0, or -ERANGE past the last.
 * kexec_image_type_find() fills it with the one name (or an alias, any
 * case) names: 0, or -ENOENT.
 */
size_t kexec_image_type_count(const struct kexec_ctx *ctx);
int kexec_image_type_get(const struct kexec_ctx *ctx, size_t i, struct kexec_image_type *type);
int kexec_image_type_find(const struct kexec_ctx *ctx, const char *name,
			  struct kexec_image_type *type);

/* What a probe learnt about a kernel image, whatever its format. */
struct kexec_image_info {
	size_t sz;                  /* sizeof(struct kexec_image_info): LIBKEXEC_OPTS() */
	const char *format;         /* the format's name (static) */
	const char *compression;    /* "none" (static) */
	char kernel_version[64];    /* "6.1.0-28-cloud-amd64" when the image says; else "" */
	uint32_t cmdline_max;       /* longest command line in bytes, NUL excluded;
				       UINT32_MAX: no limit known */
	uint64_t unpacked_size;     /* memory the kernel needs once unpacked (0: unknown) */
	uint64_t file_size;
	uint32_t protocol;          /* bzImage boot protocol (0x020f), arm64/riscv64 header version */
	uint64_t arch_flags;        /* the header's flags word (arm64: endianness, page size) */
};

/*
 * Which format of the context's architecture the file at buf (len bytes, the
 * whole file, envelopes peeled) is: 0 and *info filled (its sz bytes), or
 * -ENOEXEC with kexec_ctx_last_error() naming each format tried and why it
 * refused, or another negative errno (a broken envelope, -ENOMEM).
 */
int kexec_image_probe(struct kexec_ctx *ctx, const void *buf, size_t len,
		      struct kexec_image_info *info);

/*
 * Envelopes: a kernel file may be compressed (gzip, xz, lzma,
 * zstd, lz4), an EFI zboot image, or a Unified Kernel Image (PE/COFF with
 * .linux and optionally .cmdline, .initrd, .dtb); layers nest. Both plans
 * peel them: kexec_file_load is given the unwrapped kernel through a sealed
 * memfd (a plain image goes as its own file, so that IMA and signature checks
 * see it), kexec_load loads it. A UKI's command line, initrd and device tree
 * are used unless the request gives its own (cmdline NULL, initrd NULL, dtb
 * NULL). kexec_image_type_get() lists the envelopes after the architecture's
 * formats; -t/type may name one (it must then be the outermost layer).
 */
#define LIBKEXEC_FROM_IMAGE_CMDLINE 0x1u   /* the UKI's .cmdline */
#define LIBKEXEC_FROM_IMAGE_INITRD 0x2u    /* the UKI's .initrd */
#define LIBKEXEC_FROM_IMAGE_DTB 0x4u       /* the UKI's .dtb */

struct kexec_image_layers {
	size_t sz;                  /* sizeof(struct kexec_image_layers): LIBKEXEC_OPTS() */
	char chain[64];             /* outermost first, "uki+zboot+zstd"; "" for a plain image */
	unsigned int nr_layers;
	unsigned int from_image;    /* what the envelope supplied: KEXEC_FROM_IMAGE_* */
	uint64_t kernel_size;       /* bytes of the unwrapped kernel image */
	uint64_t file_size;         /* bytes of the file as given */
	const char *cmdline;        /* the command line the plan passes, whoever gave it
				       (valid until the plan is freed) */
};

/* ---- Status ------------------------------------------------------------ */

/* 1 loaded, 0 not loaded, negative errno when the status cannot be read. */
int kexec_status_loaded(struct kexec_ctx *ctx, bool crash);
/* Size of the crashkernel= reservation in bytes (0 when none). */
int kexec_status_crash_size(struct kexec_ctx *ctx, uint64_t *size);
/*
 * Which kexec syscalls the running kernel has: LIBKEXEC_HAVE_LOAD
 * (CONFIG_KEXEC), LIBKEXEC_HAVE_FILE_LOAD (CONFIG_KEXEC_FILE) in *have; a
 * negative errno when it cannot be told (no /proc/kallsyms). Reads
 * /proc/kallsyms, never calls them.
 */
#define LIBKEXEC_HAVE_LOAD 0x1u
#define LIBKEXEC_HAVE_FILE_LOAD 0x2u
int kexec_status_syscalls(struct kexec_ctx *ctx, unsigned int *have);

/*
 * Everything at once, and why loads would be refused: both
 * images, the crashkernel= reservation, the syscalls, and the policies the
 * kernel checks, read below the context's root (or from its simulated
 * kernel). A fact that cannot be read is unknown (the *_err fields, -1, ""),
 * never an error of the call, and rules nothing out.
 */
#define LIBKEXEC_UNAVAIL_NO_KEXEC_LOAD 0x001u      /* no kexec_load (CONFIG_KEXEC) */
#define LIBKEXEC_UNAVAIL_NO_KEXEC_FILE_LOAD 0x002u /* no kexec_file_load (CONFIG_KEXEC_FILE) */
#define LIBKEXEC_UNAVAIL_LOAD_DISABLED 0x004u      /* kernel.kexec_load_disabled=1: no load
						   until reboot */
#define LIBKEXEC_UNAVAIL_LOCKDOWN 0x008u           /* locked down: kexec_load refused,
						   kexec_file_load takes signed kernels only */
#define LIBKEXEC_UNAVAIL_NO_CRASH_REGION 0x010u    /* no crashkernel= reservation: no crash loads */
#define LIBKEXEC_UNAVAIL_LIMIT_REBOOT 0x020u       /* kernel.kexec_load_limit_reboot=0 (6.6+) */
#define LIBKEXEC_UNAVAIL_LIMIT_PANIC 0x040u        /* kernel.kexec_load_limit_panic=0 (6.6+) */
#define LIBKEXEC_UNAVAIL_NO_CAP_SYS_BOOT 0x080u    /* the caller lacks CAP_SYS_BOOT */
#define LIBKEXEC_STATUS_MAX_CRASH_RANGES 4

struct kexec_status_range {
	uint64_t start;             /* inclusive */
	uint64_t end;               /* inclusive */
};

struct kexec_status {
	size_t sz;                  /* sizeof(struct kexec_status): LIBKEXEC_OPTS(); on return,
				       the bytes filled (fields past it are zero) */
	int loaded;                 /* the normal image: 1, 0, or a negative errno (unreadable) */
	int crash_loaded;           /* the crash image: the same */
	int syscalls_err;           /* 0, or why syscalls is unknown (no /proc/kallsyms) */
	unsigned int syscalls;      /* KEXEC_HAVE_* */
	int crash_size_err;         /* 0, or why crash_size is unknown */
	uint64_t crash_size;        /* /sys/kernel/kexec_crash_size: bytes reserved */
	int crash_ranges_err;       /* 0: /proc/iomem read; -EPERM: its addresses are hidden
				       (not root); else why it cannot be read */
	unsigned int nr_crash_ranges; /* its "Crash kernel" ranges (the first ones below) */
	struct kexec_status_range crash_ranges[LIBKEXEC_STATUS_MAX_CRASH_RANGES];
	int load_disabled;          /* kernel.kexec_load_disabled: 1, 0, -1 unknown */
	char lockdown[16];          /* "none", "integrity", "confidentiality"; "" unknown */
	long load_limit_reboot;     /* kernel.kexec_load_limit_reboot: loads left, -1 unlimited
				       (also: no such sysctl, before 6.6), -2 unknown */
	long load_limit_panic;      /* kernel.kexec_load_limit_panic: the same */
	int cap_sys_boot;           /* the caller has CAP_SYS_BOOT: 1, 0, -1 unknown */
	unsigned int unavailable;   /* KEXEC_UNAVAIL_*: what the known facts rule out */
};

/* 0, or -EINVAL when st->sz is too small (set it with LIBKEXEC_OPTS()). */
int kexec_status_get(struct kexec_ctx *ctx, struct kexec_status *st);

/* ---- Segment lists and the kernel's kexec_load rules ------------------- */

struct kexec_segment_list {
	struct kexec_segment *seg;
	size_t nr;
	size_t cap;
};

void kexec_segment_list_init(struct kexec_segment_list *list);
void kexec_segment_list_free(struct kexec_segment_list *list);
int kexec_segment_list_add(struct kexec_segment_list *list, const void *buf, size_t bufsz,
			   uint64_t mem, uint64_t memsz);

/*
 * What the target kernel allows; fill with kexec_limits_native() (after
 * setting sz: LIBKEXEC_OPTS(kexec_limits, lim)).
 */
struct kexec_limits {
	size_t sz;                    /* sizeof(struct kexec_limits): LIBKEXEC_OPTS() */
	unsigned long native_arch;    /* KEXEC_ARCH_* */
	uint64_t page_size;           /* 4096 */
	uint64_t dest_limit;          /* KEXEC_DESTINATION_MEMORY_LIMIT: ends must be below */
	uint64_t totalram_pages;      /* 0: not checked */
	bool kexec_jump;              /* CONFIG_KEXEC_JUMP: PRESERVE_CONTEXT is legal */
	bool has_crash_region;        /* a crashkernel= reservation exists */
	uint64_t crash_start;         /* inclusive */
	uint64_t crash_end;           /* inclusive */
};

/* 0, or -EINVAL when lim->sz is too small. */
int kexec_limits_native(struct kexec_limits *lim);

/*
 * Apply the kernel's kexec_load checks to a request, in the kernel's order, and
 * return the errno the kernel would return (0 when it would accept the
 * request). why (why_len bytes, may be NULL) receives a one-line
 * explanation, *bad_index (may be NULL) the offending segment or -1.
 */
int kexec_validate(const struct kexec_limits *lim, unsigned long entry, unsigned long nr_segments,
		   const struct kexec_segment *segments, unsigned long flags, char *why,
		   size_t why_len, int *bad_index);

/* ---- Simulated kernel --------------------------------------------------- */

/*
 * What the simulated kernel is like. Change through kexec_sim_config(): the
 * library allocates it, so new fields go last without a size field.
 */
struct kexec_sim_config {
	struct kexec_limits limits;
	bool cap_sys_boot;            /* caller has CAP_SYS_BOOT */
	bool load_disabled;           /* kernel.kexec_load_disabled = 1 */
	bool lockdown;                /* lockdown=integrity: kexec_load EPERM, unsigned file loads EPERM */
	bool sig_enforce;             /* CONFIG_KEXEC_SIG_FORCE: unsigned images ENODATA */
	bool busy;                    /* the kexec lock is held: EBUSY */
	bool have_kexec_load;         /* else ENOSYS */
	bool have_kexec_file_load;    /* else ENOSYS */
	int load_limit_reboot;        /* kernel.kexec_load_limit_reboot, -1 unlimited */
	int load_limit_panic;         /* kernel.kexec_load_limit_panic, -1 unlimited */
	bool no_file_debug;           /* a kernel before 6.8: KEXEC_FILE_DEBUG is EINVAL */
	unsigned kernel_major;        /* the simulated kernel's release, major.minor: flags */
	unsigned kernel_minor;        /*   newer than it are EINVAL (0.0: the newest release
					 known, 7.3, which takes every kexec_file_load flag
					 and not KEXEC_DEBUG, as kexec_validate() says) */
};

struct kexec_sim *kexec_sim_new(void);
void kexec_sim_free(struct kexec_sim *sim);
struct kexec_sim_config *kexec_sim_config(struct kexec_sim *sim);
/*
 * Make the simulated kernel look like the machine ctx reads (a context on
 * the running kernel, with its root): its system calls, lockdown, release
 * and crashkernel= reservation, each where it can be read (the rest stays
 * as it was). For a dry run that says what a real load would meet. 0, or
 * -EINVAL when ctx is itself simulated.
 */
int kexec_sim_like_machine(struct kexec_sim *sim, struct kexec_ctx *ctx);
bool kexec_sim_loaded(const struct kexec_sim *sim, bool crash);
/* Number of kexec_load, kexec_file_load and reboot calls made so far. */
unsigned kexec_sim_calls(const struct kexec_sim *sim);
/* True once reboot(LINUX_REBOOT_CMD_KEXEC) succeeded. */
bool kexec_sim_executed(const struct kexec_sim *sim);
/*
 * Read the simulated physical memory of a loaded kexec_load image (bytes not
 * covered by a segment read as -EFAULT). Returns 0 or a negative errno.
 */
int kexec_sim_read(const struct kexec_sim *sim, bool crash, uint64_t phys, void *buf, size_t len);
/* The image of a kexec_file_load load: the bytes the kernel read. */
int kexec_sim_file_image(const struct kexec_sim *sim, bool crash, const void **kernel,
			 size_t *kernel_size, const void **initrd, size_t *initrd_size,
			 const char **cmdline);
unsigned long kexec_sim_entry(const struct kexec_sim *sim, bool crash);
/* Pages of simulated memory holding data (for tests of sparseness). */
size_t kexec_sim_pages(const struct kexec_sim *sim, bool crash);

/* ---- Memory maps -------------------------------------------------------- */

enum kexec_mem_type {
	LIBKEXEC_MEM_RAM = 1,
	LIBKEXEC_MEM_RESERVED,
	LIBKEXEC_MEM_ACPI,
	LIBKEXEC_MEM_NVS,
	LIBKEXEC_MEM_UNUSABLE,
	LIBKEXEC_MEM_PMEM,
	LIBKEXEC_MEM_CRASH,
	LIBKEXEC_MEM_OTHER,
};

struct kexec_mem_range {
	uint64_t start;      /* inclusive */
	uint64_t end;        /* inclusive */
	enum kexec_mem_type type;
	unsigned depth;      /* nesting level in /proc/iomem (0 top level) */
	char name[48];       /* the source's own name, truncated for display only */
};

struct kexec_memmap {
	struct kexec_mem_range *r;
	size_t nr;
	size_t cap;
};

void kexec_memmap_free(struct kexec_memmap *map);
/* <root>/proc/iomem: every line, with its depth. -EPERM when addresses are hidden. */
int kexec_read_iomem(struct kexec_ctx *ctx, struct kexec_memmap *map);
/* <root>/sys/firmware/memmap/N/{start,end,type}, ordered by start. */
int kexec_read_firmware_memmap(struct kexec_ctx *ctx, struct kexec_memmap *map);
/* The "Crash kernel" range of /proc/iomem; -ENOENT when there is none. */
int kexec_find_crash_region(struct kexec_ctx *ctx, uint64_t *start, uint64_t *end);
const char *kexec_mem_type_name(enum kexec_mem_type type);

/* ---- Requests and plans ------------------------------------------------- */

/*
 * kexec-tools' newer options, for struct kexec_request.options. Each is
 * honoured with the running kernel's means or the request is refused
 * (-EOPNOTSUPP, with a message):
 *
 * LIBKEXEC_OPT_NO_CMA (--no-cma): kexec_file_load: KEXEC_FILE_NO_CMA, where
 *   the kernel places payloads in CMA (Linux 6.17 and later; an older kernel
 *   never does, and gets no flag it would refuse). kexec_load and crash
 *   kernels: the kernel never places them in CMA; nothing to do.
 * LIBKEXEC_OPT_FORCE_DTB (--force-dtb): the next kernel gets the running
 *   kernel's device tree. Device-tree architectures: what both syscalls do
 *   anyway (kexec_file_load gets KEXEC_FILE_FORCE_DTB where the kernel knows
 *   it, 6.18); a kexec_load request that also names a dtb is refused.
 *   x86_64: kexec_file_load with KEXEC_FILE_FORCE_DTB (6.18 and later, and
 *   only when the running kernel has a device tree, /sys/firmware/fdt);
 *   kexec_load: refused.
 * LIBKEXEC_OPT_DEBUG (-d): the kernel's own kexec messages: kexec_load gets
 *   KEXEC_DEBUG on kernels after 7.3 (no release up to 7.3 takes it: left
 *   out there; a load refused with it is made again without it);
 *   kexec_file_load: KEXEC_FILE_DEBUG (6.8 and later; a kernel that
 *   refuses the flag gets the load again without it).
 */
#define LIBKEXEC_OPT_NO_CMA UINT64_C(0x1)
#define LIBKEXEC_OPT_FORCE_DTB UINT64_C(0x2)
#define LIBKEXEC_OPT_DEBUG UINT64_C(0x4)

/*
 * The purgatory's check (struct kexec_request.check). Both hash each
 * segment's bytes (bufsz) once in the loader and once in the purgatory.
 * XXH3: XXH3-128 of each segment, chained; about one instruction a byte, so
 * the check costs what reading the bytes costs. A random change escapes it
 * with probability 2^-128; it guards against accidents (a stray write by a
 * CPU or a device, a bad copy), not against a forgery. SHA256: SHA-256 of
 * eight lanes of each segment, also collision-resistant; ten to thirty times
 * the work without SHA instructions.
 */
#define LIBKEXEC_CHECK_XXH3 0U
#define LIBKEXEC_CHECK_SHA256 1U

/* Which system call a request is for (struct kexec_request.syscall). */
#define LIBKEXEC_SYSCALL_FILE_LOAD 1U  /* kexec_file_load: the kernel reads the files */
#define LIBKEXEC_SYSCALL_LOAD 2U       /* kexec_load: this library builds the segments */

/*
 * What to load. Declare it with LIBKEXEC_OPTS(kexec_request, req, .syscall =
 * ..., .kernel = ...): every byte zero but the fields named, sz set. Fields
 * marked "kexec_load" belong to LIBKEXEC_SYSCALL_LOAD; set for a
 * kexec_file_load request, they are refused (-EINVAL, naming the field):
 * kexec_file_load has no means to honour them.
 */
struct kexec_request {
	size_t sz;                  /* sizeof(struct kexec_request): LIBKEXEC_OPTS() */
	unsigned int syscall;       /* LIBKEXEC_SYSCALL_*; anything else: -EINVAL */
	const char *kernel;         /* path: a format kexec_image_type_get() lists */
	const char *initrd;         /* path or NULL */
	const char *cmdline;        /* NULL: empty (or a UKI's own .cmdline) */
	bool crash;                 /* -p: the crash kernel, for kdump */
	bool reuse_initrd;          /* --reuseinitrd: the initrd the running kernel kept
				       (retain_initrd), /sys/firmware/initrd; initrd NULL */
	uint64_t options;           /* LIBKEXEC_OPT_*; unknown bits: -EINVAL */
	/* kexec_load only: */
	const char *type;           /* -t: NULL detects; else a name or alias of a type */
	const char *dtb;            /* device-tree architectures: the blob to start from
				       (NULL: the running kernel's, /sys/firmware/fdt) */
	bool no_checks;             /* -i: the purgatory skips its check */
	uint32_t check;             /* --check: LIBKEXEC_CHECK_XXH3 (0) or _SHA256 */
	bool segment_digests;       /* kexec_plan_segment() gives each segment's SHA-256
				       (costs a second hash) */
	uint64_t mem_min;           /* --mem-min: 0 is 1 MiB */
	uint64_t mem_max;           /* --mem-max: 0 is no limit */
	bool no_efi;                /* --no-efi (x86_64): no EFI state for the next kernel,
				       which then finds ACPI through acpi_rsdp_addr */
	bool elf32_core_headers;    /* crash: a 32-bit ELF core header (default: the
				       architecture's, 64-bit but on 32-bit ARM) */
	bool elf64_core_headers;    /* crash: a 64-bit one where the default is 32-bit;
				       with elf32_core_headers: -EINVAL */
	bool hotplug;               /* crash: --hotplug: the kernel may rewrite the core
				       header on CPU and memory hotplug; -EOPNOTSUPP where
				       the running kernel cannot */
	bool console_progress;      /* --console-serial: the purgatory says on the console
				       what it checks and that it enters the kernel */
	bool console_vga;           /* --console-vga (x86_64): also on the VGA text screen;
				       elsewhere -EOPNOTSUPP */
	uint64_t console_base;      /* --serial: the UART the purgatory writes to (x86_64:
				       its I/O port); 0: the console's. Device-tree
				       architectures: -EOPNOTSUPP unless 0 */
	uint32_t console_baud;      /* --serial-baud: 9600..115200, dividing 115200; 0: as
				       the running kernel left the UART */
	uint64_t kernel_room;       /* --image-size (32-bit ARM): bytes to leave for the
				       unpacked kernel (0: the zImage's size tag); elsewhere
				       -EOPNOTSUPP unless 0 */
};

/*
 * A plan: everything one system call needs, built and checked from a
 * request before the call, so that a refusal costs nothing and names the
 * file and the reason. Opaque and reference-counted: kexec_plan_new()
 * returns it with one reference; kexec_plan_ref() takes another,
 * kexec_plan_unref() drops one and frees the plan (its open files, its
 * buffers) with the last. A plan does not refer to its context: any context
 * of the same architecture loads it.
 */
struct kexec_plan;

/*
 * Build the plan of *req into *plan: 0, or a negative errno with the reason
 * in kexec_ctx_last_error() (and the log): -EINVAL (a bad request), -E2BIG
 * (req->sz covers fields this library does not know, set to non-zero),
 * -ENOENT/-EACCES (a file), -ENOEXEC (not a kernel this architecture
 * boots), -EOPNOTSUPP (an option this architecture or kernel cannot
 * honour), -EADDRNOTAVAIL (no room), -ENOMEM. Nothing has touched the
 * kernel either way.
 */
int kexec_plan_new(struct kexec_ctx *ctx, const struct kexec_request *req,
		   struct kexec_plan **plan);
struct kexec_plan *kexec_plan_ref(struct kexec_plan *plan);
/* Always NULL, for plan = kexec_plan_unref(plan). NULL is a no-op. */
struct kexec_plan *kexec_plan_unref(struct kexec_plan *plan);
/* The system call: 0 or the kernel's negative errno (kexec_explain() says why). */
int kexec_plan_load(struct kexec_ctx *ctx, const struct kexec_plan *plan);

/* LIBKEXEC_SYSCALL_* of the plan. */
unsigned int kexec_plan_syscall(const struct kexec_plan *plan);
/* What the format's probe found in the (unwrapped) kernel: *info, info->sz bytes. */
int kexec_plan_image(const struct kexec_plan *plan, struct kexec_image_info *info);
/* Its envelopes, and what they supplied (LIBKEXEC_FROM_IMAGE_*). */
int kexec_plan_layers(const struct kexec_plan *plan, struct kexec_image_layers *layers);
/* The command line the plan passes, whoever gave it (valid while the plan lives). */
const char *kexec_plan_cmdline(const struct kexec_plan *plan);
/* The flags of the system call (KEXEC_FILE_* or KEXEC_ARCH_* | KEXEC_*). */
unsigned long kexec_plan_flags(const struct kexec_plan *plan);

/* The files the plan read, and for kexec_file_load those the kernel reads. */
struct kexec_plan_files {
	size_t sz;                  /* sizeof(struct kexec_plan_files): LIBKEXEC_OPTS() */
	const char *kernel_path;    /* as requested */
	const char *initrd_path;    /* NULL: none; "/sys/firmware/initrd" with reuse_initrd */
	uint64_t kernel_size;       /* bytes the kernel gets (unwrapped) */
	uint64_t initrd_size;
	int kernel_fd;              /* kexec_file_load: what the kernel reads (a sealed memfd
				       for an unwrapped image); kexec_load: -1 */
	int initrd_fd;              /* -1: none, or kexec_load */
};
int kexec_plan_files(const struct kexec_plan *plan, struct kexec_plan_files *files);

/* What each kexec_load segment is for. */
enum kexec_segment_role {
	LIBKEXEC_SEGMENT_KERNEL = 1,
	LIBKEXEC_SEGMENT_INITRD,
	LIBKEXEC_SEGMENT_DTB,         /* the flattened device tree */
	LIBKEXEC_SEGMENT_CMDLINE,     /* MIPS: the argv block */
	LIBKEXEC_SEGMENT_BOOT_PARAMS, /* x86: the zero page and command line */
	LIBKEXEC_SEGMENT_ELFCOREHDR,  /* crash: the ELF core header of the old memory */
	LIBKEXEC_SEGMENT_BACKUP,      /* crash: room for the low memory the kernel saves */
	LIBKEXEC_SEGMENT_PURGATORY,   /* the code that checks the segments and enters */
};
/* "kernel", "initrd", "dtb", ...; NULL for a value not listed. */
const char *kexec_segment_role_name(enum kexec_segment_role role);

/* kexec_load: the entry point, and each segment the kernel will copy. */
unsigned long kexec_plan_entry(const struct kexec_plan *plan);  /* 0 for kexec_file_load */
size_t kexec_plan_nr_segments(const struct kexec_plan *plan);   /* 0 for kexec_file_load */
struct kexec_plan_segment {
	size_t sz;                  /* sizeof(struct kexec_plan_segment): LIBKEXEC_OPTS() */
	enum kexec_segment_role role;
	const void *buf;            /* the bytes (valid while the plan lives); NULL: zeros */
	size_t bufsz;
	uint64_t mem;               /* physical destination, page-aligned */
	uint64_t memsz;             /* bytes there: bufsz, then zeros */
	bool have_sha256;           /* the request asked for segment_digests */
	uint8_t sha256[32];         /* of the bufsz bytes */
};
/* Segment i: 0, or -ERANGE past the last. */
int kexec_plan_segment(const struct kexec_plan *plan, size_t i, struct kexec_plan_segment *seg);

/*
 * Unload the normal (crash = false) or crash image through the system call
 * syscall names (LIBKEXEC_SYSCALL_*).
 */
int kexec_unload(struct kexec_ctx *ctx, bool crash, unsigned int syscall);

/* ---- Kernel command lines --------------------------------------------- */

/* Remove every "name" and "name=value" parameter (quotes respected). */
void kexec_cmdline_remove_param(char *line, const char *name);
/*
 * The running kernel's command line (<root>/proc/cmdline) for --reuse-cmdline:
 * without BOOT_IMAGE=, and without crashkernel= when it is for a crash kernel.
 */
int kexec_cmdline_reuse(struct kexec_ctx *ctx, bool crash, char **out);
/* "a" + " " + "b", either may be NULL or empty. */
char *kexec_cmdline_concat(const char *a, const char *b);

/* ---- Explaining failures ------------------------------------------------ */

enum kexec_op {
	LIBKEXEC_OP_LOAD = 1,      /* kexec_load */
	LIBKEXEC_OP_FILE_LOAD,     /* kexec_file_load */
	LIBKEXEC_OP_UNLOAD,
	LIBKEXEC_OP_REBOOT,
};

/*
 * The likely cause of a kernel error, in plain words, looked up on this system
 * (lockdown state, kexec_load_disabled, crashkernel= reservation...). Writes a
 * NUL-terminated string into buf and returns buf; "" when there is nothing to add.
 */
const char *kexec_explain(struct kexec_ctx *ctx, enum kexec_op op, bool crash, int err, char *buf,
			  size_t len);

/* Read a whole /proc or /sys file below the context's root; NUL-terminated. */
int kexec_read_sysfile(struct kexec_ctx *ctx, const char *path, char **out, size_t *len);

const char *kexec_version(void);

#ifdef __cplusplus
}
#endif
#endif
