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
cmdline="console=ttyS0 panic=-1 kxtest=n-NOINITRD-$nonce"

{
	echo "CMDLINE=$(vm_sh_quote "$cmdline")"
	cat <<'EOS'
. /lib/vmtest.sh
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz --append="$CMDLINE"
vt_check loaded_after "$(vt_loaded)" 1
echo STAGE1-EXEC
kexec -e
echo "STAGE1-EXEC-RETURNED rc=$?"
exit 1
EOS
} >"$VM_SCENARIO"

vm_boot ""
log=$VM_LOG
ts='^(\[ *[0-9]+\.[0-9]+\] )?'
vm_expect_line "$log" "RC load: 0" "kexec -c -l (no initrd) exits 0"
vm_expect_line "$log" "ERRLINES load: 0" "kexec -c -l prints nothing on stderr"
vm_expect_checks "$log" 2
vm_expect_not "$log" '^STAGE1-EXEC-RETURNED' "kexec -e does not return"
vm_expect_order "$log" '^STAGE1-EXEC$' "${ts}Linux version $(vm_re_escape "$VM_KVER") " "second kernel's banner (Linux version $VM_KVER) after kexec -e"
vm_expect_order "$log" '^STAGE1-EXEC$' "${ts}Kernel command line: " "second kernel prints its command line"
vm_expect "$log" "${ts}Kernel command line: $(vm_re_escape "$cmdline")\$" "second kernel command line is exactly '$cmdline' (got '$(grep -o 'Kernel command line: .*' "$log" | tail -n 1 | cut -d' ' -f4-)')"
vm_expect_order "$log" '^STAGE1-EXEC$' 'Kernel panic - not syncing: VFS: Unable to mount root fs' "second kernel panics for want of a root fs (no initramfs)"
vm_expect_not "$log" '^STAGE2-' "no stage-2 init ran"
vm_finish kexec-load-noinitrd
