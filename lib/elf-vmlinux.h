/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ELF vmlinux files as an image format, for any architecture's table. */
#ifndef LIBKEXEC_ELF_VMLINUX_H
#define LIBKEXEC_ELF_VMLINUX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Whether buf is a Linux vmlinux: a 64-bit little-endian ELF executable for
 * e_machine with program headers inside the file and at least one PT_LOAD,
 * at least one PT_LOAD (the text) in the upper (kernel) half of the address
 * space. 0,
 * or -ENOEXEC with a one-line *reason (static or thread-local).
 */
int kx_elf_vmlinux_probe(const void *buf, size_t len, uint16_t machine, const char **reason);

#endif
