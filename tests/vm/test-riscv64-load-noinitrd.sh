#!/bin/bash
# riscv64 kexec_load without --initrd: `kexec -c -l /boot/Image --append=...`
# + `kexec -e`. The second kernel has no initramfs: it must boot (its banner
# after kexec -e), print exactly our command line ("Kernel command line:";
# no "quiet", so it shows) and panic for want of a root fs (panic=-1 resets
# the machine through SBI, which ends qemu).
set -euo pipefail
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup riscv64-load-noinitrd
nonce=$(vm_nonce)
cmdline="console=ttyS0 panic=-1 kxtest=r-NOINITRD-$nonce"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/Image --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
ts='^(\[ *[0-9]+\.[0-9]+\] )?'
vm_expect_load_ok "$log" "kexec -c -l (no initrd)"
vm_expect_checks "$log" 2
vm_expect_not "$log" '^STAGE1-EXEC-RETURNED' "kexec -e does not return"
vm_expect_order "$log" '^STAGE1-EXEC$' "${ts}Linux version $(vm_re_escape "$VM_KVER") " "second kernel's banner (Linux version $VM_KVER) after kexec -e"
vm_expect "$log" "${ts}Kernel command line: $(vm_re_escape "$cmdline")\$" "second kernel command line is exactly '$cmdline' (got '$(grep -o 'Kernel command line: .*' "$log" | tail -n 1 | cut -d' ' -f4-)')"
vm_expect_order "$log" '^STAGE1-EXEC$' 'Kernel panic - not syncing: VFS: Unable to mount root fs' "second kernel panics for want of a root fs (no initramfs)"
vm_expect_not "$log" '^STAGE2-' "no stage-2 init ran"
vm_finish riscv64-load-noinitrd
