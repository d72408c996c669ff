#!/bin/bash
# The form systemd uses: "kexec --load K --append CMDLINE --initrd I" (long
# options with separate arguments, no -s), then kexec -e.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup systemd-form
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=d-$nonce"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec --load /boot/vmlinuz --append "$CMDLINE" --initrd /boot/stage2.cpio.gz
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec --load"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline"
vm_finish systemd-form
