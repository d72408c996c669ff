#!/bin/bash
# ppc64el kexec_load in a 5 GiB pseries guest (RAM from 0 to 5 GiB, part of
# it above 4 GiB): `kexec -c -l` + `kexec -e`. Every segment lies in the
# real mode area (the first memory node, which the purgatory reaches with
# the MMU off); the second kernel must see the same memory (MemTotal within
# 5% of stage 1's) and exactly the --append command line.
set -euo pipefail
VM_ARCH=ppc64el
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup ppc64el-load-4g
nonce=$(vm_nonce)
cmdline="console=hvc0 kxtest=p-FOURGIG-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_iomem
vt_sysinfo
vt_check loaded_before "$(vt_loaded)" 0
vt_run dry kexec --dry-run -c -l /boot/vmlinux --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
echo "STAGE1-RMA $(od -An -tx1 -j8 -N8 /proc/device-tree/memory@0/reg | tr -d ' \n')"
vt_run load kexec -c -l /boot/vmlinux --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot "" 5G
log=$VM_LOG
high=
while read -r _ start end type; do
	if [[ $type == "System RAM" ]] && ((16#$end >= 0x100000000)); then
		high="$start-$end"
		break
	fi
done < <(grep -E '^STAGE1-IOMEM [0-9a-f]+ [0-9a-f]+ ' "$log")
if [[ -n $high ]]; then
	vm_ok "stage 1 has System RAM above 4 GiB: $high"
else
	vm__fail "$log" "stage 1 /proc/iomem has no System RAM above 4 GiB"
fi
rma=$(vm_field "$log" "STAGE1-RMA ")
if [[ $rma =~ ^[0-9a-f]{16}$ ]]; then
	vm_ok "the first memory node (the real mode area) is 0x$rma bytes"
	over=0
	while read -r end; do
		((16#$end < 16#$rma)) || over=1
	done < <(sed -nE 's/^OUT dry: [0-9]+ +[a-z]+ +0x[0-9a-f]+-0x([0-9a-f]+) .*/\1/p' "$log")
	if ((over == 0)) && grep -qE '^OUT dry: [0-9]+ +kernel ' "$log"; then
		vm_ok "every planned segment ends below 0x$rma"
	else
		vm__fail "$log" "a planned segment ends at or above the real mode area's end 0x$rma"
	fi
else
	vm__fail "$log" "no size of /proc/device-tree/memory@0/reg in stage 1"
fi
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
m1=$(vm_field "$log" "STAGE1-MEMTOTAL: ")
m2=$(vm_field "$log" "STAGE2-MEMTOTAL: ")
echo "  MemTotal: stage 1 ${m1:-?} kB, stage 2 ${m2:-?} kB"
if [[ $m1 =~ ^[0-9]+$ && $m2 =~ ^[0-9]+$ ]] && ((m1 > 4500000 && m2 * 100 >= m1 * 95 && m2 * 100 <= m1 * 105)); then
	vm_ok "stage 2 MemTotal $m2 kB is within 5% of stage 1's $m1 kB"
else
	vm__fail "$log" "stage 2 MemTotal '${m2}' kB is not within 5% of stage 1's '${m1}' kB (or stage 1 has under 4.5 GB)"
fi
vm_finish ppc64el-load-4g
