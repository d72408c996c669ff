#!/bin/bash
# The body of test-{arm,arm64,riscv64}-load.sh (sourced with VM_ARCH set;
# not a test itself): the same scenario on every device-tree
# architecture, its console ttyAMA0 (arm's and arm64's PL011) or ttyS0 (riscv64's
# 8250). The kernel is $KERNEL: the Image (arm64, riscv64) or the zImage (arm).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

vm_test_setup "$VM_ARCH-load"
console=$VM_CONSOLE
nonce=$(vm_nonce)
cmdline="console=$console${VM_ARCH_ARGS:+ $VM_ARCH_ARGS} kxtest=${VM_ARCH:0:1}-LOAD-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run dry kexec --dry-run -c -l "$KERNEL" --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_dry_run "$(vt_loaded)" 0
vt_run load kexec -c -l "$KERNEL" --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC dry: 0" "kexec --dry-run -c -l exits 0"
vm_expect_line "$log" "ERRLINES dry: 0" "kexec --dry-run -c -l prints nothing on stderr"
vm_expect_line "$log" "OUT dry: syscall: kexec_load" "dry run plans kexec_load"
for role in $VM_LOAD_ROLES; do
	vm_expect "$log" "^OUT dry: [0-9]+ +$role +0x[0-9a-f]+-0x[0-9a-f]+ " "dry run: a '$role' segment row"
done
vm_expect "$log" '^OUT dry: entry: 0x[0-9a-f]+' "dry run: an 'entry:' line"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_not "$log" '^STAGE2-VMCORE-MAGIC' "no /proc/vmcore in a normal kexec"
vm_finish "$VM_ARCH-load"
