#!/bin/bash
# i386: tests/vm/dtb/load.sh: dry run, then kexec -c -l with an initrd and kexec -e.
# Debian 12's 686-pae kernel under qemu-system-i386 -M pc; the kernel has no
# kexec_file_load: kexec_load with our zero page and our 32-bit purgatory,
# which enters the bzImage at code32_start.
VM_ARCH=i386
# shellcheck source=SCRIPTDIR/dtb/load.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load.sh"
