#!/bin/bash
# arm64 kdump through kexec_load: a 512 MiB, 2-CPU virt guest (Debian 12's
# arm64 cloud kernel, crashkernel=192M) runs `kexec -c -p /boot/Image
# --initrd --append`, writes a marker to /dev/kmsg and crashes through sysrq.
# The crash kernel saves /proc/vmcore to an NVMe disk (NVMe is built into the
# cloud-arm64 kernel; virtio-blk is a module there), and on the host readelf
# (e_machine 183, one NT_PRSTATUS per CPU, VMCOREINFO, PT_LOADs covering the
# System RAM outside the crash region) and Debian's vmcore-dmesg (our marker,
# then the sysrq panic) must read it.
set -euo pipefail
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_test arm64-kdump-load -c
