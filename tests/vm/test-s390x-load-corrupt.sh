#!/bin/bash
# s390x: tests/vm/dtb/load-corrupt.sh: one initrd byte flipped after the
# load; the purgatory names the segment on the SCLP console (ttysclp0) and
# halts in a disabled wait. Debian 12's s390x kernel under qemu-system-s390x
# -M s390-ccw-virtio; no second boot, so this one is quick.
VM_ARCH=s390x
# shellcheck source=SCRIPTDIR/dtb/load-corrupt.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-corrupt.sh"
