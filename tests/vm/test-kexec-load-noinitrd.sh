#!/bin/bash
# kexec -c -l without --initrd + kexec -e: the second kernel has no initramfs
# and panics with "VFS: Unable to mount root fs" (expected; panic=-1 reboots,
# which ends qemu). It must have booted (banner after STAGE1-EXEC) with exactly
# our command line (its "Kernel command line:" line: no "quiet", so it shows).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-noinitrd
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check panic=-1 kxtest=n-NOINITRD-$nonce"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
ts='^(\[ *[0-9]+\.[0-9]+\] )?'
vm_expect_load_ok "$log" "kexec -c -l (no initrd)"
vm_expect_checks "$log" 2
vm_expect_not "$log" '^STAGE1-EXEC-RETURNED' "kexec -e does not return"
vm_expect_order "$log" '^STAGE1-EXEC$' "${ts}Linux version $(vm_re_escape "$VM_KVER") " "second kernel's banner (Linux version $VM_KVER) after kexec -e"
vm_expect_order "$log" '^STAGE1-EXEC$' "${ts}Kernel command line: " "second kernel prints its command line"
vm_expect "$log" "${ts}Kernel command line: $(vm_re_escape "$cmdline")\$" "second kernel command line is exactly '$cmdline' (got '$(grep -o 'Kernel command line: .*' "$log" | tail -n 1 | cut -d' ' -f4-)')"
vm_expect_order "$log" '^STAGE1-EXEC$' 'Kernel panic - not syncing: VFS: Unable to mount root fs' "second kernel panics for want of a root fs (no initramfs)"
vm_expect_not "$log" '^STAGE2-' "no stage-2 init ran"
vm_finish kexec-load-noinitrd
