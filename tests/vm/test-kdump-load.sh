#!/bin/bash
# kdump through kexec_load: kexec -c -p (our ELF core header, purgatory and
# segments), then a sysrq crash in a 2-CPU guest. The crash kernel saves
# /proc/vmcore to an NVMe disk, and on the host readelf (one NT_PRSTATUS per
# CPU, VMCOREINFO, PT_LOADs covering the RAM outside the crash region) and
# Debian's vmcore-dmesg (the first kernel's log: our marker, the sysrq crash)
# must be able to read it.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_test kdump-load -c
