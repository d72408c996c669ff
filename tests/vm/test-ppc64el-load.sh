#!/bin/bash
# ppc64el: tests/vm/dtb/load.sh: dry run, then kexec -c -l with an initrd and
# kexec -e. Debian 12's powerpc64le kernel (an ELF vmlinux) under
# qemu-system-ppc64 -M pseries; kexec_load with the vmlinux above the
# running kernel, the running kernel's flattened tree edited, and our
# purgatory (its head the kernel's own, for the other CPUs kexec_sequence
# sends to 0x60).
VM_ARCH=ppc64el
# shellcheck source=SCRIPTDIR/dtb/load.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load.sh"
