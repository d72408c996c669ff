#!/bin/bash
# arm64 kexec_load: in Debian 12's arm64 cloud kernel (virt, cortex-a57, 1G),
# `kexec -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append=...` then
# `kexec -e`: the second kernel's /proc/cmdline must be exactly the --append
# text. Before that, `kexec --dry-run -c -l` must plan it (kernel, initrd,
# dtb and purgatory segments, an entry point) and load nothing.
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/dtb/load.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load.sh"
