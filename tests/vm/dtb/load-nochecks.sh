#!/bin/bash
# The body of test-{arm,arm64,riscv64}-load-nochecks.sh (sourced with VM_ARCH set;
# not a test itself): the same scenario on every device-tree
# architecture, its console ttyAMA0 (arm's and arm64's PL011) or ttyS0 (riscv64's
# 8250). The kernel is $KERNEL: the Image (arm64, riscv64) or the zImage (arm).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

vm_test_setup "$VM_ARCH-load-nochecks"
console=$VM_CONSOLE
nonce=$(vm_nonce)
cmdline="console=$console${VM_ARCH_ARGS:+ $VM_ARCH_ARGS} kxtest=${VM_ARCH:0:1}-NOCHECKS-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -i -l "$KERNEL" --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec -c -i -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish "$VM_ARCH-load-nochecks"
