#!/bin/bash
# s390x: tests/vm/dtb/load.sh: dry run, then kexec -c -l with an initrd and
# kexec -e. Debian 12's s390x kernel under qemu-system-s390x -M
# s390-ccw-virtio; kexec_load with the image at 0x10000, the command line and
# the initrd's place in its parameter area, and our purgatory (entered in
# 31-bit mode after the reset, it checks the segments and branches to
# 0x10000). Slow on Debian 12: under QEMU 7.2's TCG the second kernel takes
# about two minutes to unpack itself (as with kexec-tools: README, "s390x");
# under Debian 13's QEMU 10 the whole test takes about 30 s.
VM_ARCH=s390x
VM_TIMEOUT=${VM_TIMEOUT:-300}
# shellcheck source=SCRIPTDIR/dtb/load.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load.sh"
