#!/bin/bash
# crashkernel=...,cma with kexec_load (`kexec -c -p`) on trixie-backports'
# 7.x kernel: kexec_load cannot hand the crash kernel the CMA memory (the
# kernel shows where it is only in its log), so the crash kernel runs in the
# 96 MiB "Crash kernel" region alone, -d says so in one line, and the dump
# keeps the CMA memory (the crash kernel never touched it): every byte of
# System RAM outside the region is in the vmcore, read whole on the host.
set -euo pipefail
VM_DEBIAN=13bpo
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VM_KDUMP_CRASHKERNEL="96M crashkernel=192M,cma"
# shellcheck disable=SC2016 # expanded by the guest shell
VM_KDUMP_BEFORE_CRASH='vt_run dry kexec -c -d --dry-run -p "$KERNEL" --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"'
vm_kdump_extra() {
	local mem
	vm_expect_line "$1" "RC dry: 0" "kexec -c -d --dry-run -p exits 0"
	vm_expect "$1" '^ERR dry: kexec: crash kernel /boot/vmlinuz: kexec_load cannot hand it the memory of crashkernel=192M,cma .*kexec_file_load \(-s\) gives it both$' "-d says that kexec_load leaves the CMA memory out"
	mem=$(vm_field "$1" "STAGE2-MEMTOTAL: ")
	if [[ $mem =~ ^[0-9]+$ ]] && ((mem < 96 * 1024)); then
		vm_ok "the crash kernel runs in the 96 MiB region alone (MemTotal ${mem} kB)"
	else
		vm__fail "$1" "the crash kernel runs in the 96 MiB region alone (MemTotal '${mem}' kB, want < 96 MiB)"
	fi
}
vm_kdump_test kdump-cma-load -c
