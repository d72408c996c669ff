#!/bin/bash
# i386 kdump through kexec_load: a 512 MiB, 2-CPU pc guest (Debian 12's
# 686-pae kernel, crashkernel=128M) runs `kexec -c -p /boot/vmlinuz --initrd
# --append`, writes a marker to /dev/kmsg and crashes through sysrq. The
# crash kernel (our zero page with the reservation's e820 map and
# elfcorehdr=, entered at code32_start by our purgatory) saves /proc/vmcore
# to an NVMe disk, and on the host readelf (an ELFCLASS32 core, e_machine 3,
# one NT_PRSTATUS per CPU, VMCOREINFO, PT_LOADs covering the System RAM
# outside the crash region) and Debian's vmcore-dmesg (our marker, then the
# sysrq panic) must read it.
set -euo pipefail
VM_ARCH=i386
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_extra() {
	vm_expect "$VM_LOG_DIR/$VM_TEST_NAME.readelf" '^ +Class: +ELF32$' "the core header is ELFCLASS32, as kexec-tools makes it on i386"
}
vm_kdump_test i386-kdump-load -c
