#!/bin/bash
# crashkernel=...,cma (Linux 6.17+, x86_64) on trixie-backports' 7.x kernel:
# `kexec -s -p` loads the crash kernel into the 96 MiB "Crash kernel"
# reservation, and the kernel's kexec_file_load also hands it the 192 MiB CMA
# reservation as RAM (which /proc/iomem does not show) and leaves that out of
# the vmcore. The crash kernel must see more memory than the reservation
# alone; its vmcore is read whole on the host, as in kdump-file, where every
# byte of System RAM but the two reservations must be in it.
set -euo pipefail
VM_DEBIAN=13bpo
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VM_KDUMP_CRASHKERNEL="96M crashkernel=192M,cma"
# Where the CMA reservation is: only the kernel's log says ("cma: Reserved
# 192 MiB at 0x..."; its sysfs directory has no address).
VM_KDUMP_BEFORE_CRASH=$(
	cat <<'EOS'
dmesg | sed -n 's/.*cma: Reserved \([0-9]*\) MiB at 0x\([0-9a-f]*\).*/\1 \2/p' |
	while read -r mib base; do
		printf 'STAGE1-NODUMP %x %x crashkernel,cma\n' "$((0x$base))" "$((0x$base + mib * 1048576 - 1))"
	done
EOS
)
vm_kdump_extra() {
	local mem
	vm_expect "$1" '^STAGE1-NODUMP [0-9a-f]+ [0-9a-f]+ crashkernel,cma$' "stage 1 found the CMA reservation"
	mem=$(vm_field "$1" "STAGE2-MEMTOTAL: ")
	if [[ $mem =~ ^[0-9]+$ ]] && ((mem > 160 * 1024)); then
		vm_ok "the crash kernel has the CMA reservation too (MemTotal ${mem} kB > 160 MiB)"
	else
		vm__fail "$1" "the crash kernel has the CMA reservation too (MemTotal '${mem}' kB, want > 160 MiB)"
	fi
}
vm_kdump_test kdump-cma -s
