#!/bin/bash
# i386: tests/vm/dtb/load-noinitrd.sh: no initrd; the second kernel panics for want of a root fs.
# Debian 12's 686-pae kernel under qemu-system-i386 -M pc; the kernel has no
# kexec_file_load: kexec_load with our zero page and our 32-bit purgatory,
# which enters the bzImage at code32_start.
VM_ARCH=i386
# shellcheck source=SCRIPTDIR/dtb/load-noinitrd.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-noinitrd.sh"
