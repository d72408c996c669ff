#!/bin/bash
# arm64 kexec_load in a 2-CPU guest: `kexec -c -l` + `kexec -e` must take the
# secondary CPU down (PSCI CPU_OFF) and the second kernel must bring both
# CPUs up again, with exactly the --append command line.
set -euo pipefail
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-load-smp2
VM_SMP=2
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=a-SMP2-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_sysinfo
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-CPUS: 2" "stage 1 runs on 2 CPUs"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_line "$log" "STAGE2-CPUS: 2" "the second kernel runs on 2 CPUs (got '$(vm_field "$log" "STAGE2-CPUS: ")')"
vm_finish arm64-load-smp2
