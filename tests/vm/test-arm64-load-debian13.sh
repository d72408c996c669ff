#!/bin/bash
# arm64 kexec_load with Debian 13's arm64 cloud kernel (6.12, resolved from
# trixie's own arm64 index): tests/vm/dtb/load-debian13.sh.
VM_ARCH=arm64
VM_DEBIAN=13
# shellcheck source=SCRIPTDIR/dtb/load-debian13.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-debian13.sh"
