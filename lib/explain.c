/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Turn a kernel errno into the likely cause on this system. The kernel says
 * "Operation not permitted" for five different reasons; the state that tells
 * them apart (capabilities, sysctls, lockdown, reservations) is readable, so
 * read it rather than make the user guess.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkexec-internal.h"

static void explain_eperm(struct kexec_ctx *ctx, enum kexec_op op, bool crash, char *buf,
			  size_t len)
{
	const char *limit_sysctl = crash ? "kexec_load_limit_panic" : "kexec_load_limit_reboot";
	/* The same facts --status reports (unknowns: -1, -2, ""). */
	struct kexec_status st = { .sz = sizeof(st) };
	const char *mode;

	if (op == LIBKEXEC_OP_REBOOT) {
		snprintf(buf, len, "rebooting needs CAP_SYS_BOOT: run as root");
		return;
	}
	kx_status_policy(ctx, &st);
	if (st.cap_sys_boot == 0) {
		snprintf(buf, len, "loading a kernel needs CAP_SYS_BOOT: run as root");
		return;
	}
	if (st.load_disabled == 1) {
		snprintf(buf, len, "kexec is disabled on this system (kernel.kexec_load_disabled=1); "
				   "only a reboot can enable it again");
		return;
	}
	if ((crash ? st.load_limit_panic : st.load_limit_reboot) == 0) {
		snprintf(buf, len, "the kexec load limit is used up (kernel.%s=0)", limit_sysctl);
		return;
	}
	mode = st.lockdown[0] && strcmp(st.lockdown, "none") ? st.lockdown : NULL;
	if (mode) {
		if (op == LIBKEXEC_OP_LOAD)
			snprintf(buf, len, "the kernel is locked down (%s, e.g. by Secure Boot) and "
					   "refuses kexec_load; use kexec_file_load (-s) with a "
					   "signed kernel",
				 mode);
		else
			snprintf(buf, len, "the kernel is locked down (%s, e.g. by Secure Boot) and "
					   "loads only kernels signed with a trusted key",
				 mode);
		return;
	}
	snprintf(buf, len, "refused by the kernel's policy (CAP_SYS_BOOT, "
			   "kernel.kexec_load_disabled, lockdown or an LSM)");
}

/* The errnos whose explanation is the same whatever was asked. */
static const struct {
	int err;
	const char *text;
} fixed_explanations[] = {
	{ EKEYREJECTED, "the kernel image's signature was rejected by the running kernel's keyring" },
	{ ENOKEY, "the kernel image is signed with a key the running kernel does not trust" },
	{ ENODATA, "the kernel image is not signed and the running kernel requires signed kernels" },
	{ EBADMSG, "the kernel image's signature is malformed" },
	{ EBUSY, "another kexec operation is in progress, or a crash kernel is running" },
	{ EACCES, "denied by a security module (IMA appraisal or an LSM policy)" },
	{ ETXTBSY, "the file is open for writing by another process" },
	{ EFBIG, "the file is larger than the kernel will read" },
	{ ENOMEM, "the kernel could not allocate memory for the image" },
};

static void explain_eaddrnotavail(struct kexec_ctx *ctx, bool crash, char *buf, size_t len)
{
	uint64_t crash_size = 0;

	if (crash && kexec_status_crash_size(ctx, &crash_size) == 0 && crash_size == 0)
		snprintf(buf, len, "no memory is reserved for crash kernels (boot with "
				   "crashkernel=, e.g. crashkernel=256M)");
	else if (crash)
		snprintf(buf, len, "the kernel and initrd do not fit in the crashkernel= "
				   "reservation (%" PRIu64 " MiB)",
			 crash_size >> 20);
	else
		snprintf(buf, len, "a destination address is unusable");
}

KX_EXPORT const char *kexec_explain(struct kexec_ctx *ctx, enum kexec_op op, bool crash, int err,
				    char *buf, size_t len)
{
	bool file = op == LIBKEXEC_OP_FILE_LOAD;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(fixed_explanations); i++)
		if (fixed_explanations[i].err == err)
			snprintf(buf, len, "%s", fixed_explanations[i].text);
	switch (err) {
	case EPERM:
		explain_eperm(ctx, op, crash, buf, len);
		break;
	case ENOSYS:
		if (op == LIBKEXEC_OP_FILE_LOAD)
			snprintf(buf, len, "the running kernel has no kexec_file_load "
					   "(CONFIG_KEXEC_FILE); try kexec_load (-c)");
		else if (op == LIBKEXEC_OP_REBOOT)
			snprintf(buf, len, "the running kernel cannot kexec (built without CONFIG_KEXEC_CORE)");
		else
			snprintf(buf, len, "the running kernel has no kexec_load (CONFIG_KEXEC); "
					   "try kexec_file_load (-s)");
		break;
	case ENOEXEC:
		snprintf(buf, len, "the running kernel does not recognize the file as a kernel it "
				   "can load%s",
			 file ? " through kexec_file_load (try -c)" : "");
		break;
	case EADDRNOTAVAIL:
		explain_eaddrnotavail(ctx, crash, buf, len);
		break;
	case EINVAL:
		if (op == LIBKEXEC_OP_REBOOT)
			snprintf(buf, len, "no kernel is loaded (load one with kexec -l first)");
		else if (file)
			snprintf(buf, len, "the kernel rejected an argument (command line, initrd or "
					   "flags)");
		break;
	default:
		break;
	}
	return buf;
}
