#!/bin/bash
# The body of test-{arm,arm64,riscv64}-load-corrupt.sh (sourced with VM_ARCH set;
# not a test itself): the same scenario on every device-tree
# architecture, its console ttyAMA0 (arm's and arm64's PL011) or ttyS0 (riscv64's
# 8250). The kernel is $KERNEL: the Image (arm64, riscv64) or the zImage (arm).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

vm_test_setup "$VM_ARCH-load-corrupt"
console=$VM_CONSOLE
helper=$(dirname "$(vm_kexec_bin)")/kexec-corrupt-load
[[ -f $helper ]] || vm_die "$helper does not exist (meson builds it beside kexec)"
vm_file_is_static "$helper" || vm_die "$helper is not static"
vm_add_file "$helper" /bin/kexec-corrupt-load
nonce=$(vm_nonce)
cmdline="console=$console${VM_ARCH_ARGS:+ $VM_ARCH_ARGS} kxtest=${VM_ARCH:0:1}-CORRUPT-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec-corrupt-load "$KERNEL" /boot/stage2.cpio.gz "$CMDLINE"
EOS
)"

# The purgatory halts with interrupts off: stop the guest once it has spoken.
VM_STOP_PATTERN="purgatory: stopped; the kernel was not entered"
VM_TIMEOUT=60
vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC load: 0" "the corrupting loader exits 0"
vm_expect "$log" '^OUT load: corrupted initrd byte [0-9]+ of [0-9]+$' "it flipped one initrd byte"
vm_expect_checks "$log" 2
vm_expect_not "$log" '^STAGE1-EXEC-RETURNED' "kexec -e does not return"
vm_expect_order "$log" '^STAGE1-EXEC$' '^purgatory: xxh3 mismatch$' "the purgatory reports the mismatch after kexec -e"
vm_expect_changed_initrd "$log"
vm_expect "$log" "^VM-HARNESS: the log has 'purgatory: stopped; the kernel was not entered'; qemu stopped$" "the guest stayed halted after the report"
vm_expect_not "$log" '^STAGE2-' "the second kernel never starts"
vm_finish "$VM_ARCH-load-corrupt"
