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

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Kernel ABI (include/uapi/linux/kexec.h). glibc exports none of these, so the
 * project carries its own definitions; the values are the kernel's.
 */
#define KEXEC_ON_CRASH 0x00000001UL
#define KEXEC_PRESERVE_CONTEXT 0x00000002UL
#define KEXEC_UPDATE_ELFCOREHDR 0x00000004UL
#define KEXEC_CRASH_HOTPLUG_SUPPORT 0x00000008UL
#define KEXEC_ARCH_MASK 0xffff0000UL

#define KEXEC_ARCH_DEFAULT (0UL << 16)
#define KEXEC_ARCH_386 (3UL << 16)
#define KEXEC_ARCH_68K (4UL << 16)
#define KEXEC_ARCH_MIPS (8UL << 16)
#define KEXEC_ARCH_MIPS_LE (10UL << 16)
#define KEXEC_ARCH_PARISC (15UL << 16)
#define KEXEC_ARCH_PPC (20UL << 16)
#define KEXEC_ARCH_PPC64 (21UL << 16)
#define KEXEC_ARCH_S390 (22UL << 16)
#define KEXEC_ARCH_ARM (40UL << 16)
#define KEXEC_ARCH_SH (42UL << 16)
#define KEXEC_ARCH_IA_64 (50UL << 16)
#define KEXEC_ARCH_X86_64 (62UL << 16)
#define KEXEC_ARCH_AARCH64 (183UL << 16)
#define KEXEC_ARCH_RISCV (243UL << 16)
#define KEXEC_ARCH_LOONGARCH (258UL << 16)

#define KEXEC_FILE_UNLOAD 0x00000001UL
#define KEXEC_FILE_ON_CRASH 0x00000002UL
#define KEXEC_FILE_NO_INITRAMFS 0x00000004UL
#define KEXEC_FILE_DEBUG 0x00000008UL
#define KEXEC_FILE_NO_CMA 0x00000010UL
#define KEXEC_FILE_FORCE_DTB 0x00000020UL

#define KEXEC_SEGMENT_MAX 16

#define KEXEC_REBOOT_MAGIC1 0xfee1deadU
#define KEXEC_REBOOT_MAGIC2 672274793U
#define KEXEC_REBOOT_CMD_KEXEC 0x45584543U

/* Same layout as the kernel's struct kexec_segment. */
struct kexec_segment {
	const void *buf;
	size_t bufsz;
	const void *mem;
	size_t memsz;
};

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

/* Syscalls routed through the context's backend (real kernel or simulator). */
int kexec_load(struct kexec_ctx *ctx, unsigned long entry, unsigned long nr_segments,
	       const struct kexec_segment *segments, unsigned long flags);
int kexec_file_load(struct kexec_ctx *ctx, int kernel_fd, int initrd_fd,
		    unsigned long cmdline_len, const char *cmdline, unsigned long flags);
int kexec_reboot(struct kexec_ctx *ctx);

/* ---- Status ------------------------------------------------------------ */

/* 1 loaded, 0 not loaded, negative errno when the status cannot be read. */
int kexec_status_loaded(struct kexec_ctx *ctx, bool crash);
/* Size of the crashkernel= reservation in bytes (0 when none). */
int kexec_status_crash_size(struct kexec_ctx *ctx, uint64_t *size);

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

/* What the target kernel allows; fill with kexec_limits_native(). */
struct kexec_limits {
	unsigned long native_arch;    /* KEXEC_ARCH_* */
	uint64_t page_size;           /* 4096 */
	uint64_t dest_limit;          /* KEXEC_DESTINATION_MEMORY_LIMIT: ends must be below */
	uint64_t totalram_pages;      /* 0: not checked */
	bool kexec_jump;              /* CONFIG_KEXEC_JUMP: PRESERVE_CONTEXT is legal */
	bool has_crash_region;        /* a crashkernel= reservation exists */
	uint64_t crash_start;         /* inclusive */
	uint64_t crash_end;           /* inclusive */
};

void kexec_limits_native(struct kexec_limits *lim);

/*
 * Apply the kernel's kexec_load checks to a request, in the kernel's order, and
 * return the errno the kernel would return (0 when it would accept the
 * request). *reason, when not NULL, receives a static one-line explanation and
 * *bad_index the offending segment (or -1).
 */
int kexec_validate(const struct kexec_limits *lim, unsigned long entry, unsigned long nr_segments,
		   const struct kexec_segment *segments, unsigned long flags, const char **reason,
		   int *bad_index);

/* ---- Simulated kernel --------------------------------------------------- */

/* What the simulated kernel is like. Change through kexec_sim_config(). */
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
};

struct kexec_sim *kexec_sim_new(void);
void kexec_sim_free(struct kexec_sim *sim);
struct kexec_sim_config *kexec_sim_config(struct kexec_sim *sim);
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
	KEXEC_MEM_RAM = 1,
	KEXEC_MEM_RESERVED,
	KEXEC_MEM_ACPI,
	KEXEC_MEM_NVS,
	KEXEC_MEM_UNUSABLE,
	KEXEC_MEM_PMEM,
	KEXEC_MEM_CRASH,
	KEXEC_MEM_OTHER,
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

/* ---- x86 bzImage ------------------------------------------------------- */

struct kexec_bzimage_info {
	uint16_t version;
	uint8_t setup_sects;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	uint32_t kernel_alignment;
	uint8_t relocatable;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t payload_offset;
	uint32_t payload_length;
	size_t setup_size;          /* (setup_sects + 1) * 512 */
	char kernel_version[64];    /* from kernel_version at 0x20E, "" when absent */
};

/*
 * Parse an x86 bzImage's setup header. Returns 0 when the image is one that the
 * x86_64 kexec_file_load loader accepts, else -ENOEXEC with *reason set.
 */
int kexec_bzimage_parse(const void *buf, size_t len, struct kexec_bzimage_info *info,
			const char **reason);

/* ---- Loading through kexec_file_load ------------------------------------ */

struct kexec_file_request {
	const char *kernel;         /* path */
	const char *initrd;         /* path or NULL */
	const char *cmdline;        /* NULL: empty */
	bool crash;                 /* -p */
	bool debug;                 /* KEXEC_FILE_DEBUG */
};

/* Everything a kexec_file_load needs, built and checked before the syscall. */
struct kexec_file_plan {
	int kernel_fd;
	int initrd_fd;              /* -1 with KEXEC_FILE_NO_INITRAMFS */
	uint64_t kernel_size;
	uint64_t initrd_size;
	char *cmdline;              /* owned; includes no trailing NUL in len below */
	unsigned long cmdline_len;  /* counts the NUL, as the syscall wants */
	unsigned long flags;        /* KEXEC_FILE_* */
	struct kexec_bzimage_info image;
	char *kernel_path;
	char *initrd_path;
};

/*
 * Open and check the files, build the command line and flags. On failure the
 * log names the file and the reason; nothing has touched the kernel.
 */
int kexec_file_plan_prepare(struct kexec_ctx *ctx, const struct kexec_file_request *req,
			    struct kexec_file_plan *plan);
/* The syscall. */
int kexec_file_plan_load(struct kexec_ctx *ctx, const struct kexec_file_plan *plan);
void kexec_file_plan_free(struct kexec_file_plan *plan);

/* ---- Loading through kexec_load ---------------------------------------- */

struct kexec_load_request {
	const char *kernel;         /* path: a bzImage or an ELF vmlinux */
	const char *initrd;         /* path or NULL */
	const char *cmdline;        /* NULL: empty */
	const char *type;           /* NULL: detect; "bzImage" or "elf-x86_64" */
	bool crash;                 /* -p */
	bool no_checks;             /* -i: the purgatory skips its SHA-256 check */
	bool elf32_core_headers;    /* crash: a 32-bit ELF core header (default 64-bit) */
	bool segment_digests;       /* fill kexec_load_segment_info.sha256 (costs a second hash) */
	uint64_t mem_min;           /* 0: 1 MiB */
	uint64_t mem_max;           /* 0: no limit */
	bool no_efi;                /* --no-efi: no EFI state for the next kernel, which then
				       finds ACPI through acpi_rsdp_addr */
};

struct kexec_load_segment_info {
	const char *role;           /* "kernel", "initrd", "boot_params", "purgatory", ... */
	uint8_t sha256[32];         /* of the bufsz bytes, with segment_digests; else zero */
};

/* Everything a kexec_load needs: segments built, placed and validated. */
struct kexec_load_plan {
	struct kexec_segment_list segs;
	struct kexec_load_segment_info *info;  /* one per segment */
	unsigned long entry;
	unsigned long flags;        /* KEXEC_* for the syscall */
	const char *format;         /* "bzImage", "ELF vmlinux" */
	void *priv;
};

int kexec_load_plan_prepare(struct kexec_ctx *ctx, const struct kexec_load_request *req,
			    struct kexec_load_plan *plan);
int kexec_load_plan_load(struct kexec_ctx *ctx, const struct kexec_load_plan *plan);
void kexec_load_plan_free(struct kexec_load_plan *plan);

/* Unload the normal (crash = false) or crash image through either syscall. */
int kexec_unload(struct kexec_ctx *ctx, bool crash, bool file_syscall);

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
	KEXEC_OP_LOAD = 1,      /* kexec_load */
	KEXEC_OP_FILE_LOAD,     /* kexec_file_load */
	KEXEC_OP_UNLOAD,
	KEXEC_OP_REBOOT,
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
