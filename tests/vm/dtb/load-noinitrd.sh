#!/bin/bash
# The body of test-{arm,arm64,riscv64}-load-noinitrd.sh (sourced with VM_ARCH set;
# not a test itself): the same scenario on every device-tree
# architecture, its console ttyAMA0 (arm's and arm64's PL011) or ttyS0 (riscv64's
# 8250). The kernel is $KERNEL: the Image (arm64, riscv64) or the zImage (arm).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

vm_test_setup "$VM_ARCH-load-noinitrd"
console=$VM_CONSOLE
nonce=$(vm_nonce)
cmdline="console=$console${VM_ARCH_ARGS:+ $VM_ARCH_ARGS} panic=-1 kxtest=${VM_ARCH:0:1}-NOINITRD-$nonce"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l "$KERNEL" --append="$CMDLINE"
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
vm_finish "$VM_ARCH-load-noinitrd"
