#!/bin/bash
# A 4 GiB guest (q35/pc put RAM above 4 GiB): kexec -c -l + kexec -e. The
# second kernel must see the same memory (MemTotal within 5% of stage 1's)
# and exactly the --append command line.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-4g
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=m-FOURGIG-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_memmap
vt_sysinfo
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot "" 4G
log=$VM_LOG
high=
while read -r _ start end type; do
	if [[ $type == "System RAM" && $start =~ ^0x[0-9a-fA-F]+$ ]] && ((start >= 0x100000000)); then
		high="$start-$end"
		break
	fi
done < <(grep '^MEMMAP ' "$log")
if [[ -n $high ]]; then
	vm_ok "stage 1 /sys/firmware/memmap has System RAM above 4 GiB: $high"
else
	vm__fail "$log" "stage 1 /sys/firmware/memmap has no System RAM range above 4 GiB"
fi
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline"
m1=$(vm_field "$log" "STAGE1-MEMTOTAL: ")
m2=$(vm_field "$log" "STAGE2-MEMTOTAL: ")
echo "  MemTotal: stage 1 ${m1:-?} kB, stage 2 ${m2:-?} kB"
if [[ $m1 =~ ^[0-9]+$ && $m2 =~ ^[0-9]+$ ]] && ((m1 > 3500000 && m2 * 100 >= m1 * 95 && m2 * 100 <= m1 * 105)); then
	vm_ok "stage 2 MemTotal $m2 kB is within 5% of stage 1's $m1 kB"
else
	vm__fail "$log" "stage 2 MemTotal '${m2}' kB is not within 5% of stage 1's '${m1}' kB (or stage 1 has under 3.5 GB)"
fi
vm_finish kexec-load-4g
