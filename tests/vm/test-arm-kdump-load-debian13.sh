#!/bin/bash
# 32-bit ARM kdump through kexec_load on Debian 13's armmp kernel (6.12):
# as test-arm-kdump-load.sh, the ELF32 vmcore read on the host with readelf
# and vmcore-dmesg.
set -euo pipefail
VM_ARCH=arm
VM_DEBIAN=13
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_extra() {
	vm_expect "$VM_LOG_DIR/$VM_TEST_NAME.readelf" '^ +Class: +ELF32$' "the core header is ELFCLASS32"
}
vm_kdump_test arm-kdump-load-debian13 -c
