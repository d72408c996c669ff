#!/bin/bash
# arm64 kexec_load in a 4 GiB guest (virt puts RAM at 0x40000000-0x13fffffff,
# so part of it is above 4 GiB): `kexec -c -l` + `kexec -e`. The second kernel
# must see the same memory (MemTotal within 5% of stage 1's) and exactly the
# --append command line.
set -euo pipefail
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-load-4g
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=a-FOURGIG-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_iomem
vt_sysinfo
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot "" 4G
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
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
m1=$(vm_field "$log" "STAGE1-MEMTOTAL: ")
m2=$(vm_field "$log" "STAGE2-MEMTOTAL: ")
echo "  MemTotal: stage 1 ${m1:-?} kB, stage 2 ${m2:-?} kB"
if [[ $m1 =~ ^[0-9]+$ && $m2 =~ ^[0-9]+$ ]] && ((m1 > 3500000 && m2 * 100 >= m1 * 95 && m2 * 100 <= m1 * 105)); then
	vm_ok "stage 2 MemTotal $m2 kB is within 5% of stage 1's $m1 kB"
else
	vm__fail "$log" "stage 2 MemTotal '${m2}' kB is not within 5% of stage 1's '${m1}' kB (or stage 1 has under 3.5 GB)"
fi
vm_finish arm64-load-4g
