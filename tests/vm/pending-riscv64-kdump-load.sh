#!/bin/bash
# PENDING (not run by run-all.sh, which runs test-*.sh): dd of /proc/vmcore
# no longer fails with EFAULT at once (OpenSBI's PMP-protected memory is now left out of the
# core header, and the kernel's text mapping at 0xffffffff80000000 has its
# PT_LOAD), but its NVMe writes time out ("I/O tag N QID 1 timeout,
# completion polled": no interrupt reaches the crash kernel on QEMU's riscv
# virt PLIC), with or without irqpoll/reset_devices, so the dump never
# reaches the disk. Run it by hand: KEXEC_BIN=build-riscv64/kexec bash
# tests/vm/pending-riscv64-kdump-load.sh
# riscv64 kdump through kexec_load: a 512 MiB, 2-hart virt guest (Debian 13's
# riscv64 kernel, crashkernel=192M) runs `kexec -c -p /boot/Image --initrd
# --append`, writes a marker to /dev/kmsg and crashes through sysrq. The
# crash kernel's init loads the NVMe driver (a module in this kernel: nvme,
# nvme-core, nvme-auth, from the same kernel package, insmod'ed in
# dependency order) and saves /proc/vmcore to an NVMe disk; on the host
# readelf (e_machine 243, one NT_PRSTATUS per CPU, VMCOREINFO, PT_LOADs
# covering the System RAM outside the crash region) and Debian's
# vmcore-dmesg (our marker, then the sysrq panic) must read it.
set -euo pipefail
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_test riscv64-kdump-load -c
