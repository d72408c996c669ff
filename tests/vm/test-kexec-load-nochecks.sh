#!/bin/bash
# kexec -c -i -l (kexec_load; the purgatory skips its check of the
# segments) + kexec -e: the second kernel's /proc/cmdline must be exactly the
# --append text.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-nochecks
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=i-NOCHECKS-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -i -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec -c -i -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish kexec-load-nochecks
