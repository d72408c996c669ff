/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two planners behind struct kexec_plan (lib/plan.c): one for
 * kexec_file_load (lib/file_load.c), one for kexec_load (lib/load.c). Their
 * requests and plans are the library's own, not the ABI: the public request
 * (struct kexec_request) is copied into one of them, and the public plan
 * (opaque, reference-counted) holds one of them. The unit tests and fuzz
 * targets call them directly.
 */
#ifndef KX_PLAN_H
#define KX_PLAN_H

#include "libkexec.h"

/* A request of the right size, every other byte zero. */
#define KX_REQUEST(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

struct kx_file_request {
	size_t sz;                  /* sizeof(struct kx_file_request): KX_REQUEST() */
	const char *kernel;         /* path */
	const char *initrd;         /* path or NULL */
	const char *cmdline;        /* NULL: empty */
	bool crash;                 /* -p */
	bool debug;                 /* KEXEC_FILE_DEBUG */
	bool reuse_initrd;          /* --reuseinitrd: the initrd the running kernel kept
				       (retain_initrd), from /sys/firmware/initrd; initrd
				       must be NULL */
	uint64_t options;           /* LIBKEXEC_OPT_*; unknown bits: -EINVAL */
};

/* Everything a kexec_file_load needs, built and checked before the syscall. */
struct kx_file_plan {
	int kernel_fd;
	int initrd_fd;              /* -1 with KEXEC_FILE_NO_INITRAMFS */
	uint64_t kernel_size;
	uint64_t initrd_size;
	char *cmdline;              /* owned; includes no trailing NUL in len below */
	unsigned long cmdline_len;  /* counts the NUL, as the syscall wants */
	unsigned long flags;        /* KEXEC_FILE_* */
	struct kexec_image_info image;
	struct kexec_image_layers layers;
	char *kernel_path;
	char *initrd_path;
};

/*
 * Open and check the files, build the command line and flags. On failure the
 * log names the file and the reason; nothing has touched the kernel.
 */
int kx_file_plan_prepare(struct kexec_ctx *ctx, const struct kx_file_request *req,
			 struct kx_file_plan *plan);
/* The syscall. */
int kx_file_plan_load(struct kexec_ctx *ctx, const struct kx_file_plan *plan);
void kx_file_plan_free(struct kx_file_plan *plan);
/* Fill *out (out->sz bytes of it). 0 or -EINVAL. */
int kx_file_plan_layers(const struct kx_file_plan *plan, struct kexec_image_layers *out);

struct kx_load_request {
	size_t sz;                  /* sizeof(struct kx_load_request): KX_REQUEST() */
	const char *kernel;         /* path: any format kexec_image_type_get() lists */
	const char *initrd;         /* path or NULL */
	const char *cmdline;        /* NULL: empty */
	const char *type;           /* NULL: detect; else a name or alias of an image type */
	bool crash;                 /* -p */
	bool no_checks;             /* -i: the purgatory skips its check (see check) */
	bool elf32_core_headers;    /* crash: a 32-bit ELF core header */
	bool segment_digests;       /* fill kx_segment_info.sha256 (costs a second hash) */
	uint64_t mem_min;           /* 0: 1 MiB */
	uint64_t mem_max;           /* 0: no limit */
	bool no_efi;                /* --no-efi */
	const char *dtb;            /* device-tree architectures: the blob to start from
				       (NULL: the running kernel's, /sys/firmware/fdt) */
	bool console_progress;      /* --console-serial */
	bool hotplug;               /* crash: --hotplug */
	uint64_t console_base;      /* --serial */
	uint32_t console_baud;      /* --serial-baud */
	bool reuse_initrd;          /* --reuseinitrd */
	bool console_vga;           /* --console-vga */
	uint32_t check;             /* LIBKEXEC_CHECK_* */
	uint64_t options;           /* LIBKEXEC_OPT_* */
	bool elf64_core_headers;    /* crash: a 64-bit ELF core header on 32-bit ARM */
	uint64_t kernel_room;       /* --image-size (32-bit ARM) */
};

struct kx_segment_info {
	enum kexec_segment_role role;
	uint8_t sha256[32];         /* of the bufsz bytes, with segment_digests; else zero */
};

/* Everything a kexec_load needs: segments built, placed and validated. */
struct kx_load_plan {
	struct kexec_segment_list segs;
	struct kx_segment_info *info;  /* one per segment */
	unsigned long entry;
	unsigned long flags;        /* KEXEC_* for the syscall */
	const char *format;         /* the format's name: "bzImage", "elf-x86_64", "Image" */
	void *priv;
};

int kx_load_plan_prepare(struct kexec_ctx *ctx, const struct kx_load_request *req,
			 struct kx_load_plan *plan);
int kx_load_plan_load(struct kexec_ctx *ctx, const struct kx_load_plan *plan);
void kx_load_plan_free(struct kx_load_plan *plan);
int kx_load_plan_layers(const struct kx_load_plan *plan, struct kexec_image_layers *out);

#endif
