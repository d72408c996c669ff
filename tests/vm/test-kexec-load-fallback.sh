#!/bin/bash
# Default -a with a bzImage that kexec_file_load refuses (XLF_CAN_BE_LOADED_ABOVE_4G
# cleared: the bzImage64 probe says ENOEXEC): kexec -d -l falls back to
# kexec_load, says so, exits 0, and kexec -e boots it with exactly the
# --append text. kexec -s -l of the same image fails cleanly (255, one line).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-fallback
vm_kernel_no4g "$VM_KERNEL" "$VM_WORK/vmlinuz-no4g"
vm_add_file "$VM_WORK/vmlinuz-no4g" /boot/vmlinuz-no4g
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=f-FALLBACK-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run fileonly kexec -s -l /boot/vmlinuz-no4g --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_fileonly "$(vt_loaded)" 0
vt_run load kexec -d -l /boot/vmlinuz-no4g --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC fileonly: 255" "kexec -s -l of the no-4G image exits 255 (got '$(vm_field "$log" "RC fileonly: ")')"
vm_expect_line "$log" "ERRLINES fileonly: 1" "kexec -s -l prints one stderr line (got $(vm_field "$log" "ERRLINES fileonly: "))"
vm_expect "$log" '^ERR fileonly: kexec: .*/boot/vmlinuz-no4g' "kexec -s -l's error names the file ('$(vm_field "$log" "ERR fileonly: ")')"
vm_expect_line "$log" "RC load: 0" "kexec -d -l (default -a) exits 0"
vm_expect "$log" '^ERR load: kexec: debug: kexec_file_load failed \(.+\); falling back to kexec_load$' "kexec -d -l says it falls back to kexec_load"
vm_expect_checks "$log" 3
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish kexec-load-fallback
