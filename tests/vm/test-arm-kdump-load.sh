#!/bin/bash
# 32-bit ARM kdump through kexec_load: a 512 MiB, 2-CPU virt guest (Debian
# 12's armmp-lpae kernel, crashkernel=128M, which ARM reserves 128 MiB
# aligned) runs `kexec -c -p /boot/vmlinuz --initrd --append`, writes a
# marker to /dev/kmsg and crashes through sysrq. The crash kernel (its zImage
# at the reservation's start, the device tree's linux,elfcorehdr and
# linux,usable-memory-range telling it the rest) saves /proc/vmcore to a
# virtio disk, and on the host readelf (an ELFCLASS32 core, e_machine 40,
# one NT_PRSTATUS per CPU, VMCOREINFO, PT_LOADs covering the System RAM
# outside the crash region) and Debian's vmcore-dmesg (our marker, then the
# sysrq panic) must read it.
set -euo pipefail
VM_ARCH=arm
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_extra() {
	vm_expect "$VM_LOG_DIR/$VM_TEST_NAME.readelf" '^ +Class: +ELF32$' "the core header is ELFCLASS32, as kexec-tools makes it on 32-bit ARM"
}
vm_kdump_test arm-kdump-load -c
