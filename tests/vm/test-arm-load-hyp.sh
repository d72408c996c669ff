#!/bin/bash
# 32-bit ARM kexec_load in HYP mode: with QEMU's virtualization extensions
# the kernel boots in HYP mode (as U-Boot starts it on many ARMv7 boards),
# and machine_kexec re-enters HYP to jump to our purgatory
# (__hyp_soft_restart). The purgatory must run there (its vectors in HVBAR,
# SCTLR and HVBAR put back) and enter the zImage in HYP mode: the second
# kernel boots, with the command line we gave, in HYP mode again.
set -euo pipefail
VM_ARCH=arm
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm-load-hyp
VM_QEMU_ARGS+=(-machine virtualization=on)
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=ARM-HYP-$nonce"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
echo "STAGE1-BOOT-MODE: $(dmesg | sed -n 's/.*CPU: All CPU(s) started in \([A-Z]*\) mode.*/\1/p')"
vt_run load kexec -c -l "$KERNEL" --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-BOOT-MODE: HYP" "stage 1 booted in HYP mode (got '$(vm_field "$log" "STAGE1-BOOT-MODE: ")')"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 1
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_order "$log" '^STAGE1-EXEC$' 'CPU: All CPU\(s\) started in HYP mode' "the second kernel started in HYP mode too"
vm_finish arm-load-hyp
