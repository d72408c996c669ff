#!/bin/bash
# kexec -c -l of Debian's generic amd64 kernel from the cloud kernel, + kexec -e:
# stage 2 runs the generic kernel with exactly the --append text.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-generic
vm_fetch_generic_kernel
vm_add_file "$VM_GENERIC_KERNEL" /boot/vmlinuz-generic
echo "  second kernel: $VM_GENERIC_KVER ($VM_GENERIC_KERNEL)"
nonce=$(vm_nonce)
cmdline="console=ttyS0 kxtest=g-GENERIC-$nonce quiet"

{
	echo "CMDLINE=$(vm_sh_quote "$cmdline")"
	cat <<'EOS'
. /lib/vmtest.sh
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz-generic --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after "$(vt_loaded)" 1
echo STAGE1-EXEC
kexec -e
echo "STAGE1-EXEC-RETURNED rc=$?"
exit 1
EOS
} >"$VM_SCENARIO"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-START kernel=$VM_KVER" "first kernel is the cloud kernel $VM_KVER"
vm_expect_line "$log" "RC load: 0" "kexec -c -l exits 0"
vm_expect_line "$log" "ERRLINES load: 0" "kexec -c -l prints nothing on stderr"
vm_expect_checks "$log" 2
vm_expect_not "$log" '^STAGE1-EXEC-RETURNED' "kexec -e does not return"
vm_expect_order "$log" '^STAGE1-EXEC$' '^STAGE2-CMDLINE: ' "second kernel starts after kexec -e"
vm_expect_line "$log" "STAGE2-CMDLINE: $cmdline" "second kernel /proc/cmdline is exactly '$cmdline' (got '$(vm_field "$log" "STAGE2-CMDLINE: ")')"
vm_expect_line "$log" "STAGE2-KERNEL: $VM_GENERIC_KVER" "second kernel is the generic $VM_GENERIC_KVER (got '$(vm_field "$log" "STAGE2-KERNEL: ")')"
vm_expect "$log" '^STAGE2-DONE$' "stage 2 finished"
vm_finish kexec-load-generic
