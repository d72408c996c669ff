#!/bin/bash
# riscv64 kexec_load without --initrd: `kexec -c -l /boot/Image --append=...`
# + `kexec -e`. The second kernel has no initramfs: it must boot (its banner
# after kexec -e), print exactly our command line ("Kernel command line:";
# no "quiet", so it shows) and panic for want of a root fs (panic=-1 resets
# the machine through SBI, which ends qemu).
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/dtb/load-noinitrd.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-noinitrd.sh"
