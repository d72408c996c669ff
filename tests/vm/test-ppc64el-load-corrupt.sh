#!/bin/bash
# ppc64el: tests/vm/dtb/load-corrupt.sh: one initrd byte flipped after the load; the purgatory names the segment on the hypervisor terminal (hvc0) and spins, the kernel not entered.
# Debian 12's powerpc64le kernel under qemu-system-ppc64 -M pseries.
VM_ARCH=ppc64el
# shellcheck source=SCRIPTDIR/dtb/load-corrupt.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-corrupt.sh"
