#!/bin/bash
# riscv64 kdump through kexec_load: a 512 MiB, 2-hart virt guest (Debian 13's
# riscv64 kernel, crashkernel=192M) runs `kexec -c -p /boot/Image --initrd
# --append`, writes a marker to /dev/kmsg and crashes through sysrq. The
# crash kernel's init loads virtio_mmio and virtio_blk (modules in this
# kernel, from the same package, insmod'ed in dependency order) and saves
# /proc/vmcore to a virtio disk (an NVMe controller's interrupts never reach
# the crash kernel on QEMU's riscv virt machine); on the host
# readelf (e_machine 243, one NT_PRSTATUS per CPU, VMCOREINFO, PT_LOADs
# covering the System RAM outside the crash region) and Debian's
# vmcore-dmesg (our marker, then the sysrq panic) must read it.
set -euo pipefail
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_test riscv64-kdump-load -c
