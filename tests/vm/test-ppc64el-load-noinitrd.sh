#!/bin/bash
# ppc64el: tests/vm/dtb/load-noinitrd.sh: no initrd: the second kernel boots to its panic for want of a root (the device tree has no linux,initrd-start).
# Debian 12's powerpc64le kernel under qemu-system-ppc64 -M pseries.
VM_ARCH=ppc64el
# shellcheck source=SCRIPTDIR/dtb/load-noinitrd.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-noinitrd.sh"
