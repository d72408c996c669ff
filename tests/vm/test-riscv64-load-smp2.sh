#!/bin/bash
# riscv64 kexec_load in a 2-hart guest: `kexec -c -l` + `kexec -e` must stop
# the other hart (SBI HSM hart_stop) and enter the purgatory on the hart
# that runs machine_kexec (not necessarily hart 0: the purgatory passes its
# hart id on in a0); the second kernel must bring both harts up again (SBI
# HSM hart_start), with exactly the --append command line.
set -euo pipefail
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup riscv64-load-smp2
VM_SMP=2
nonce=$(vm_nonce)
cmdline="console=ttyS0 kxtest=r-SMP2-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_sysinfo
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-CPUS: 2" "stage 1 runs on 2 harts"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_line "$log" "STAGE2-CPUS: 2" "the second kernel runs on 2 harts (got '$(vm_field "$log" "STAGE2-CPUS: ")')"
vm_finish riscv64-load-smp2
