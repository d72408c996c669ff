#!/bin/bash
# ppc64el kdump through kexec_load: a 1 GiB, 2-CPU pseries guest (Debian
# 12's powerpc64le kernel, crashkernel=256M, exported as /chosen's
# linux,crashkernel-base/-size, not in /proc/iomem) runs `kexec -c -p
# /boot/vmlinux --initrd --append`, writes a marker to /dev/kmsg and crashes
# through sysrq. The crash kernel (run where it is loaded, the first 64 KiB
# of RAM backed up by our purgatory first, the device tree's memory limited
# to the reservation, elfcorehdr= on its command line) saves /proc/vmcore
# to an NVMe disk, and on the host readelf (an ELF64 core, e_machine 21, one
# NT_PRSTATUS per CPU, VMCOREINFO, PT_LOADs covering the System RAM outside
# the crash region) and Debian's vmcore-dmesg (our marker, then the sysrq
# panic) must read it.
set -euo pipefail
VM_ARCH=ppc64el
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_test ppc64el-kdump-load -c
