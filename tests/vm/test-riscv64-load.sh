#!/bin/bash
# riscv64 kexec_load: in Debian 13's riscv64 kernel (virt, OpenSBI, rv64, 1G;
# the kernel has no kexec_file_load), `kexec -c -l /boot/Image
# --initrd=/boot/stage2.cpio.gz --append=...` then `kexec -e`: the second
# kernel's /proc/cmdline must be exactly the --append text. Before that,
# `kexec --dry-run -c -l` must plan it (kernel, initrd, dtb and purgatory
# segments, an entry point) and load nothing.
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/dtb/load.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load.sh"
