#!/bin/bash
# arm64 kexec_load at EL2: with QEMU's virtualization extensions the kernel
# boots at EL2 (cortex-a57: nVHE, the hyp stub; -cpu max: VHE), and
# machine_kexec enters our purgatory at EL2. The purgatory must build its
# identity map with the EL2 registers and hand over at EL2: the second
# kernel boots, with the command line we gave, at EL2 again.
set -euo pipefail
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name=arm64-load-el2${VM_CPU:+-$VM_CPU}
vm_test_setup "$name"
VM_QEMU_ARGS+=(-machine virtualization=on)
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=a-EL2-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
echo "STAGE1-BOOT-EL: $(dmesg | sed -n 's/.*CPU: All CPU(s) started at \(EL[0-9]\).*/\1/p')"
vt_run load kexec -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-BOOT-EL: EL2" "stage 1 booted at EL2"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 1
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_line "$log" "STAGE2-BOOT-EL: EL2" "the second kernel booted at EL2 (got '$(vm_field "$log" "STAGE2-BOOT-EL: ")')"
vm_finish "$name"
