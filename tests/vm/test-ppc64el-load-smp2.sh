#!/bin/bash
# ppc64el: tests/vm/dtb/load-smp2.sh: two CPUs: the second waits in the new kernel's __secondary_hold (its head, copied to 0 by kexec_sequence from our purgatory's first 0x100 bytes) and is back in the second kernel.
# Debian 12's powerpc64le kernel under qemu-system-ppc64 -M pseries.
VM_ARCH=ppc64el
# shellcheck source=SCRIPTDIR/dtb/load-smp2.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-smp2.sh"
