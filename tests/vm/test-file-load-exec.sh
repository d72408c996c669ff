#!/bin/bash
# kexec -s -l (kexec_file_load) + kexec -e: the second kernel must boot with
# exactly the command line given by --append.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup file-load-exec
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=a-MARKER123-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -s -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec -s -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline"
vm_expect_not "$log" '^STAGE2-VMCORE-MAGIC' "no /proc/vmcore in a normal kexec"
vm_finish file-load-exec
