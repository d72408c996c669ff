#!/bin/bash
# ppc64el: tests/vm/dtb/load-nochecks.sh: -i: the purgatory checks nothing and enters the kernel.
# Debian 12's powerpc64le kernel under qemu-system-ppc64 -M pseries.
VM_ARCH=ppc64el
# shellcheck source=SCRIPTDIR/dtb/load-nochecks.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-nochecks.sh"
