#!/bin/bash
# The body of test-{arm,arm64,riscv64}-load-smp2.sh (sourced with VM_ARCH set;
# not a test itself): the same scenario on every device-tree
# architecture, its console ttyAMA0 (arm's and arm64's PL011) or ttyS0 (riscv64's
# 8250). The kernel is $KERNEL: the Image (arm64, riscv64) or the zImage (arm).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

vm_test_setup "$VM_ARCH-load-smp2"
console=$VM_CONSOLE
VM_SMP=2
nonce=$(vm_nonce)
cmdline="console=$console${VM_ARCH_ARGS:+ $VM_ARCH_ARGS} kxtest=${VM_ARCH:0:1}-SMP2-$nonce quiet"

# VM_SMP2_EXTRA: more options for the load; VM_SMP2_SAYS: an ERE for what the
# console must show between kexec -e and the second kernel (a wrapper's).
extra=${VM_SMP2_EXTRA:-}

vm_scenario_exec "$cmdline" "$(
	cat <<EOS
vt_sysinfo
vt_check loaded_before "\$(vt_loaded)" 0
vt_run load kexec -c -l "\$KERNEL"${extra:+ $extra} --initrd=/boot/stage2.cpio.gz --append="\$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-CPUS: 2" "stage 1 runs on 2 CPUs"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
if [[ -n ${VM_SMP2_SAYS:-} ]]; then
	vm_expect_order "$log" '^STAGE1-EXEC$' "$VM_SMP2_SAYS" "after kexec -e the purgatory says: $VM_SMP2_SAYS"
	vm_expect_order "$log" "$VM_SMP2_SAYS" '^STAGE2-CMDLINE: ' "then the second kernel starts"
fi
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_line "$log" "STAGE2-CPUS: 2" "the second kernel runs on 2 CPUs (got '$(vm_field "$log" "STAGE2-CPUS: ")')"
vm_finish "$VM_ARCH-load-smp2"
