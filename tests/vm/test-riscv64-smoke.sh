#!/bin/bash
# riscv64 smoke test: Debian 13's riscv64 kernel under qemu-system-riscv64
# (virt, OpenSBI, TCG) runs our static riscv64 kexec (build-riscv64/kexec):
# --version, the -S status of an idle machine, a --dry-run of kexec_load on
# /boot/Image (the planner runs on the real /proc/iomem and device tree; it
# plans kernel, initrd, dtb and purgatory rows, or, while riscv64 has no
# purgatory, refuses in one line), and a real `kexec -s -l`, whose result
# depends on the kernel's CONFIG_KEXEC_FILE (read from its config on the
# host): without it the syscall is ENOSYS, and kexec must say so in one line
# and exit 255.
set -euo pipefail
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup riscv64-smoke
nonce=$(vm_nonce)
cmdline="console=ttyS0 kxtest=r-SMOKE-$nonce quiet"
kexec_file=no
if [[ -n $VM_KCONFIG ]] && grep -qx 'CONFIG_KEXEC_FILE=y' "$VM_KCONFIG"; then kexec_file=yes; fi
echo "  kernel $VM_KVER: CONFIG_KEXEC_FILE=$kexec_file (${VM_KCONFIG:-no config})"

{
	echo "CMDLINE=$(vm_sh_quote "$cmdline")"
	cat <<'EOS'
. /lib/vmtest.sh
echo "STAGE1-ARCH: $(uname -m)"
vt_check loaded_before "$(vt_loaded)" 0
vt_check crash_loaded_before "$(vt_crash_loaded)" 0
vt_run version kexec --version
vt_run status kexec -S
vt_run status_l kexec -l -S
vt_run dry kexec --dry-run -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_dry_run "$(vt_loaded)" 0
vt_run file kexec -s -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
echo "STAGE1-FILE-LOADED: $(vt_loaded)"
[ "$(vt_loaded)" = 0 ] || kexec -s -u
vt_run unknown kexec -c -l /bin/busybox
vt_check loaded_end "$(vt_loaded)" 0
exit 0
EOS
} >"$VM_SCENARIO"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-RESULT rc=0" "the scenario ran to its end"
vm_expect_line "$log" "STAGE1-ARCH: riscv64" "the guest is riscv64"
vm_expect "$log" "^STAGE1-START kernel=$(vm_re_escape "$VM_KVER")\$" "the guest runs $VM_KVER"
# OpenSBI's banner: which hart it started the kernel on (a0), where the device tree is (a1).
echo "  OpenSBI: $(grep -E '^(OpenSBI v|Boot HART ID|Domain0 Next Arg1)' "$log" | tr -s ' ' | paste -sd ';' -)"
vm_expect "$log" '^OpenSBI v[0-9]' "the guest booted through OpenSBI"
vm_expect_checks "$log" 4
vm_expect_line "$log" "RC version: 0" "kexec --version exits 0"
vm_expect "$log" '^OUT version: kexec \(libkexec\) [0-9]' "kexec --version names libkexec"
vm_expect_line "$log" "RC status: 0" "kexec -S exits 0: no crash kernel loaded"
vm_expect_line "$log" "ERRLINES status: 0" "kexec -S prints nothing on stderr"
vm_expect_line "$log" "RC status_l: 0" "kexec -l -S exits 0: no kernel loaded"
dry_rc=$(vm_field "$log" "RC dry: ")
echo "  kexec --dry-run -c -l exit status: ${dry_rc:-?}; stderr: $(vm_field "$log" "ERR dry: ")"
if [[ $dry_rc == 0 ]]; then
	vm_expect_line "$log" "ERRLINES dry: 0" "dry run succeeds quietly"
	vm_expect_line "$log" "OUT dry: syscall: kexec_load" "dry run plans kexec_load"
	for role in kernel initrd dtb purgatory; do
		vm_expect "$log" "^OUT dry: [0-9]+ +$role +0x[0-9a-f]+-0x[0-9a-f]+ " "dry run: a '$role' segment row"
	done
	vm_expect "$log" '^OUT dry: entry: 0x[0-9a-f]+' "dry run: an 'entry:' line"
elif [[ $dry_rc == 255 ]]; then
	# Before purgatory/riscv64 exists: one line naming the image.
	vm_expect_line "$log" "ERRLINES dry: 1" "dry run that fails prints one line"
	vm_expect "$log" '^ERR dry: kexec: .*/boot/Image' "dry run failure names /boot/Image"
else
	vm__fail "$log" "kexec --dry-run -c -l exited $dry_rc, want 0 or 255"
fi
file_rc=$(vm_field "$log" "RC file: ")
echo "  kexec -s -l exit status in the guest: ${file_rc:-?}; stderr: $(vm_field "$log" "ERR file: ")"
if [[ $kexec_file == no ]]; then
	vm_expect_line "$log" "RC file: 255" "kexec -s -l exits 255 (no CONFIG_KEXEC_FILE)"
	vm_expect_line "$log" "ERRLINES file: 1" "kexec -s -l prints one line"
	vm_expect "$log" '^ERR file: kexec: .*kexec_file_load: Function not implemented.*CONFIG_KEXEC_FILE' \
		"kexec -s -l says the kernel has no kexec_file_load (ENOSYS: the riscv64 syscall number reached the kernel)"
	vm_expect_line "$log" "STAGE1-FILE-LOADED: 0" "nothing is loaded"
else
	vm_expect_line "$log" "RC file: 0" "kexec -s -l exits 0 (CONFIG_KEXEC_FILE=y)"
	vm_expect_line "$log" "STAGE1-FILE-LOADED: 1" "kexec -s -l loaded the kernel"
fi
vm_expect_line "$log" "RC unknown: 255" "kexec -c -l of a non-kernel exits 255"
vm_expect_line "$log" "ERRLINES unknown: 1" "kexec -c -l of a non-kernel prints one line"
vm_expect "$log" '^ERR unknown: kexec: .*/bin/busybox' "the error names /bin/busybox"
vm_finish riscv64-smoke
