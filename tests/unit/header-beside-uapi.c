/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compiles only if <libkexec.h> and the kernel's <linux/kexec.h> coexist, in
 * both orders, and if a program may define kexec_load() itself.
 */
#include <linux/kexec.h>
#include <libkexec.h>
#include <linux/kexec.h>

long kexec_load(unsigned long entry, unsigned long nr, void *segs, unsigned long flags);
int beside_uapi_order(void);

long kexec_load(unsigned long entry, unsigned long nr, void *segs, unsigned long flags)
{
	(void)entry, (void)nr, (void)segs, (void)flags;
	return 42;
}

/* One struct kexec_segment, the kernel's, and our flags agree with its. */
int beside_uapi_order(void)
{
	struct kexec_segment s = { 0 };

	return sizeof(s) == 4 * sizeof(void *) && KEXEC_ON_CRASH == 1 &&
	       KEXEC_ARCH_AARCH64 == (183 << 16) && KEXEC_FILE_DEBUG == 8;
}
