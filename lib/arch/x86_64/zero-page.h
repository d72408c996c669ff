/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The x86 zero page's layout by offset (Documentation/arch/x86/zero-page.rst,
 * boot.rst): shared by lib/arch/x86_64/bootparams.c, which reads the running
 * kernel's, and zeropage.c, which builds the next one's.
 */
#ifndef KX_X86_ZERO_PAGE_H
#define KX_X86_ZERO_PAGE_H

/* ---- The zero page (arch/x86/include/uapi/asm/bootparam.h) -------------- */

#define BP_SIZE 4096
#define BP_SCREEN_INFO 0x000
#define BP_SCREEN_INFO_SIZE 0x40
#define BP_EXT_MEM_K 0x002            /* u16, inside screen_info */
#define BP_ACPI_RSDP_ADDR 0x070       /* u64 */
#define BP_EXT_RAMDISK_IMAGE 0x0c0    /* u32 */
#define BP_EXT_RAMDISK_SIZE 0x0c4     /* u32 */
#define BP_EXT_CMD_LINE_PTR 0x0c8     /* u32 */
#define BP_EFI_INFO 0x1c0             /* struct efi_info, 32 bytes */
#define BP_ALT_MEM_K 0x1e0            /* u32 */
#define BP_E820_ENTRIES 0x1e8         /* u8 */
#define BP_EDDBUF_ENTRIES 0x1e9       /* u8 */
#define BP_EDD_MBR_SIG_BUF_ENTRIES 0x1ea /* u8 */
#define BP_SECURE_BOOT 0x1ec          /* u8 */
#define BP_SENTINEL 0x1ef             /* u8 */
#define BP_HDR 0x1f1                  /* struct setup_header */
#define BP_EDD_MBR_SIG_BUFFER 0x290   /* u32[16] */
#define BP_E820_TABLE 0x2d0           /* struct boot_e820_entry[128], packed */
#define BP_EDDBUF 0xd00               /* struct edd_info[6], 82 bytes each */

#define EDDMAXNR 6
#define EDD_INFO_SIZE 82
#define EDD_MBR_SIG_MAX 16

/* struct efi_info, relative to BP_EFI_INFO. */
#define EI_LOADER_SIGNATURE 0x00
#define EI_SYSTAB 0x04
#define EI_MEMDESC_SIZE 0x08
#define EI_MEMDESC_VERSION 0x0c
#define EI_MEMMAP 0x10
#define EI_MEMMAP_SIZE 0x14
#define EI_SYSTAB_HI 0x18
#define EI_MEMMAP_HI 0x1c

/* struct setup_header, by absolute offset in the zero page (and the image). */
#define HDR_JUMP 0x200                /* "jmp short": byte 0x201 is its offset */
#define HDR_MAGIC 0x202               /* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_CMDLINE_SIZE 0x238
#define HDR_HARDWARE_SUBARCH 0x23c
#define HDR_SETUP_DATA 0x250

/* The kernel's own id for kexec, LOADER_TYPE_KEXEC << 4, as kexec_file sets it. */
#define TYPE_OF_LOADER_KEXEC 0xd0

#define E820_ENTRY_SIZE 20            /* struct boot_e820_entry: u64 addr, u64 size, u32 type */

#define SETUP_DATA_HDR 16             /* struct setup_data: u64 next, u32 type, u32 len */
#define SETUP_E820_EXT 1
#define SETUP_EFI 4
#define SETUP_RNG_SEED 9

/* struct efi_setup_data: fw_vendor, __unused (was runtime), tables, smbios, reserved[8] */
#define EFI_SETUP_DATA_SIZE 96
#define RNG_SEED_LENGTH 32

/* efi_memory_desc_t: u32 type, u32 pad, u64 phys, u64 virt, u64 num_pages, u64 attribute. */
#define EFI_MEMDESC_MIN 40
#define EFI_MEMDESC_DEFAULT 48        /* what x86 firmware uses; the kernel's fallback too */
#define EFI_MEMDESC_MAX 4096          /* anything larger is not a descriptor size */
#define EFI_RUNTIME_MAP_MAX 4096      /* real maps hold tens of entries */

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)


/* e820 types (arch/x86/include/asm/e820/types.h). */
#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED 2
#define E820_TYPE_ACPI 3
#define E820_TYPE_NVS 4
#define E820_TYPE_UNUSABLE 5
#define E820_TYPE_PMEM 7
#define E820_TYPE_PRAM 12
#define E820_TYPE_SOFT_RESERVED 0xefffffffU

#endif
