#!/bin/bash
# kexec -c -l --check=sha256 (kexec_load; the purgatory checks the segments
# with SHA-256 instead of the default XXH3-128) + kexec -e: the purgatory's
# SHA-256 path in a real handover; the second kernel's /proc/cmdline must be
# exactly the --append text.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-sha256
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=s-SHA256-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c --check=sha256 --console-serial -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec -c --check=sha256 -l"
vm_expect_checks "$log" 2
vm_expect_order "$log" '^purgatory: checking the segments' '^purgatory: entering the kernel' "the purgatory checked the segments and entered the kernel"
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish kexec-load-sha256
