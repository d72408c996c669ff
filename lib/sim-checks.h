/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated kernel's own kexec_load checks (lib/sim-checks.c). */
#ifndef KX_SIM_CHECKS_H
#define KX_SIM_CHECKS_H

#include "libkexec-internal.h"

/* Is the simulated release (0.0: the newest known) major.minor or later? */
bool kx_sim_release_at_least(const struct kexec_sim_config *c, unsigned major, unsigned minor);
/* The flags, the segment count and the architecture: 0 or -EINVAL. */
int kx_sim_check_flags(const struct kexec_sim_config *c, unsigned long nr, unsigned long flags);
/* The crash entry and sanity_check_segment_list(): 0, -EINVAL or -EADDRNOTAVAIL. */
int kx_sim_check_segments(const struct kexec_sim_config *c, unsigned long entry, unsigned long nr,
			  const struct kexec_segment *seg, unsigned long flags);
struct sim_loader;
/*
 * kexec_file_load's probe of the kernel file: the architecture's loaders in
 * the kernel's order (arch_kexec_kernel_image_probe); 0 and the one that
 * takes it, or the kernel's errno.
 */
int kx_sim_file_probe(const struct kexec_sim_config *c, const uint8_t *k, size_t len,
		      const struct sim_loader **loader);
/*
 * That loader's own checks, once the initrd and the command line are read
 * (cmdline_len counts the NUL): 0 and the memory its kernel segment needs in
 * *need, or the kernel's errno.
 */
int kx_sim_file_checks(const struct sim_loader *loader, const uint8_t *k, size_t len,
		       unsigned long cmdline_len, uint64_t *need);

#endif
