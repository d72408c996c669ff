/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in for libxenctrl.so.4.17, which Debian's kexec-tools links against
 * for Xen dom0 support. The benchmark runs kexec-tools outside Xen:
 * xc_interface_open() fails, so kexec-tools takes its native path, as it does
 * on a Debian machine without Xen. The other functions are never called.
 * Built with bench/xenctrl-stub.map (symbol version VERS_4.17.0).
 */
#include <stddef.h>

/* kexec-tools references this object (HYPERCALL_BUFFER_NULL); same size as Xen's. */
char xc__hypercall_buffer_HYPERCALL_BUFFER_NULL[40];

void *xc_interface_open(void *logger, void *dombuild_logger, unsigned int flags)
{
	(void)logger;
	(void)dombuild_logger;
	(void)flags;
	return NULL;
}

int xc_interface_close(void *xch)
{
	(void)xch;
	return 0;
}

#define STUB_INT(name) \
	int name(void);     \
	int name(void)      \
	{                   \
		return -1;  \
	}
STUB_INT(xc__hypercall_buffer_array_alloc)
STUB_INT(xc_get_machine_memory_map)
STUB_INT(xc_get_max_cpus)
STUB_INT(xc_kexec_exec)
STUB_INT(xc_kexec_get_range)
STUB_INT(xc_kexec_load)
STUB_INT(xc_kexec_status)
STUB_INT(xc_kexec_unload)
STUB_INT(xc_version)

void *xc_hypercall_buffer_array_create(void *xch, unsigned int n);
void *xc_hypercall_buffer_array_create(void *xch, unsigned int n)
{
	(void)xch;
	(void)n;
	return NULL;
}

void xc_hypercall_buffer_array_destroy(void *xch, void *array);
void xc_hypercall_buffer_array_destroy(void *xch, void *array)
{
	(void)xch;
	(void)array;
}
