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
cmdline="console=ttyS0 no_timer_check kxtest=g-GENERIC-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz-generic --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-START kernel=$VM_KVER" "first kernel is the cloud kernel $VM_KVER"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_GENERIC_KVER"
vm_finish kexec-load-generic
