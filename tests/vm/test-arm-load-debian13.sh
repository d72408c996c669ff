#!/bin/bash
# 32-bit ARM kexec_load with Debian 13's armmp kernel (6.12, without LPAE:
# Debian 13's armmp-lpae kernel oopses in __soft_restart on kexec, a kernel
# bug: README; resolved from trixie's own armhf index), the zImage:
# tests/vm/dtb/load-debian13.sh.
VM_ARCH=arm
VM_DEBIAN=13
# shellcheck source=SCRIPTDIR/dtb/load-debian13.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-debian13.sh"
