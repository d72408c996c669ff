#!/bin/bash
# kexec -s -l (kexec_file_load) + kexec -e: the second kernel must boot with
# exactly the command line given by --append.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup file-load-exec
nonce=$(vm_nonce)
cmdline="console=ttyS0 kxtest=a-MARKER123-$nonce quiet"

{
	echo "CMDLINE=$(vm_sh_quote "$cmdline")"
	cat <<'EOS'
. /lib/vmtest.sh
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -s -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after "$(vt_loaded)" 1
echo STAGE1-EXEC
kexec -e
echo "STAGE1-EXEC-RETURNED rc=$?"
exit 1
EOS
} >"$VM_SCENARIO"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC load: 0" "kexec -s -l exits 0"
vm_expect_line "$log" "ERRLINES load: 0" "kexec -s -l prints nothing on stderr"
vm_expect_checks "$log" 2
vm_expect_not "$log" '^STAGE1-EXEC-RETURNED' "kexec -e does not return"
vm_expect_order "$log" '^STAGE1-EXEC$' '^STAGE2-CMDLINE: ' "second kernel starts after kexec -e"
vm_expect_line "$log" "STAGE2-CMDLINE: $cmdline" "second kernel /proc/cmdline is exactly '$cmdline' (got '$(vm_field "$log" "STAGE2-CMDLINE: ")')"
vm_expect_not "$log" '^STAGE2-VMCORE-MAGIC' "no /proc/vmcore in a normal kexec"
vm_expect "$log" '^STAGE2-DONE$' "stage 2 finished"
vm_finish file-load-exec
