#!/bin/bash
# arm64 kdump through kexec_load on Debian 13's 6.12 cloud kernel (no
# kexec_file_load there either): kexec -c -p, a sysrq crash in a 2-CPU guest,
# the vmcore saved to NVMe and read whole on the host (readelf: PRSTATUS per
# CPU, VMCOREINFO, PT_LOADs; vmcore-dmesg: the marker before the crash).
set -euo pipefail
VM_ARCH=arm64
VM_DEBIAN=13
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_test arm64-kdump-load-debian13 -c
