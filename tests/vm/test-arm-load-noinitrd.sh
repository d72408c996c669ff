#!/bin/bash
# 32-bit ARM: tests/vm/dtb/load-noinitrd.sh on Debian 12's armmp-lpae kernel (QEMU virt,
# Cortex-A15), whose zImage unpacks the kernel 0x208000 above its 128 MiB
# base (ARCH_MESON's TEXT_OFFSET). The kernel has no kexec_file_load: every
# load is kexec_load with our device tree and purgatory.
VM_ARCH=arm
# shellcheck source=SCRIPTDIR/dtb/load-noinitrd.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-noinitrd.sh"
