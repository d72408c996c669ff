#!/bin/bash
# kexec-tools' newest options on the newest kernel Debian builds (Linux 7.x
# from trixie-backports): -d leaves KEXEC_DEBUG out of kexec_load (no release
# up to 7.3 takes it: 7.3.4 refuses it with EINVAL, where kexec-tools' head
# then fails) and the load succeeds; --no-cma reaches kexec_file_load as
# KEXEC_FILE_NO_CMA (6.17+) and the kernel takes it; --force-dtb is refused in
# one line (Debian's x86_64 kernels have no device tree: no /sys/firmware/fdt);
# then `kexec -s --no-cma -l` + `kexec -e` boots the second kernel.
set -euo pipefail
VM_DEBIAN=13bpo
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup newest-options
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=n-NEWEST-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run dbg kexec -c -d -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_run unload kexec -u
vt_run fdt kexec -s --force-dtb -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_fdt "$(vt_loaded)" 0
vt_run cma kexec -s -d --no-cma -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_run unload2 kexec -u
vt_run load kexec -s --no-cma -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC dbg: 0" "kexec -c -d -l exits 0 on $VM_KVER"
kmaj=${VM_KVER%%.*}
kmin=${VM_KVER#*.}
kmin=${kmin%%[!0-9]*}
if ((kmaj < 7 || (kmaj == 7 && kmin <= 3))); then
	vm_expect "$log" "^ERR dbg: kexec: debug: KEXEC_DEBUG left out: the running kernel \\($kmaj\\.$kmin\\) would refuse" "-d: KEXEC_DEBUG is left out on $kmaj.$kmin, and says so"
	vm_expect "$log" '^ERR dbg: kexec: debug: kexec_load\(.*flags=0x3e0000\)$' "-d: kexec_load gets the arch only"
	vm_expect_not "$log" '^ERR dbg: .*trying again' "one kexec_load call"
else
	# A later kernel gets the flag; one that still refuses it gets the load again without.
	vm_expect "$log" '^ERR dbg: kexec: debug: kexec_load\(.*flags=0x3e0010\)$' "-d: kexec_load gets KEXEC_DEBUG on $kmaj.$kmin"
	if grep -q '^ERR dbg: .*trying again without it' "$log"; then
		echo "  note: $kmaj.$kmin refused KEXEC_DEBUG too; the load was made again without it"
	fi
fi
vm_expect_line "$log" "RC unload: 0" "kexec -u exits 0"
vm_expect_line "$log" "RC fdt: 255" "kexec -s --force-dtb exits 255 (as a refused load)"
vm_expect_line "$log" "ERRLINES fdt: 1" "--force-dtb is refused in one line"
vm_expect "$log" '^ERR fdt: kexec: cannot load /boot/vmlinuz: --force-dtb: the running kernel has no device tree to carry \(no /sys/firmware/fdt\)$' "--force-dtb names the missing device tree"
vm_expect_line "$log" "RC cma: 0" "kexec -s -d --no-cma -l exits 0 (the kernel takes KEXEC_FILE_NO_CMA)"
vm_expect "$log" '^ERR cma: kexec: debug: kexec_file_load\(.*flags=0x18\)$' "--no-cma -d: kexec_file_load gets NO_CMA|DEBUG"
vm_expect_load_ok "$log" "kexec -s --no-cma -l"
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish newest-options
