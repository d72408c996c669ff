#!/bin/bash
# riscv64 kexec_load with -i (--no-checks: the purgatory skips its SHA-256 of
# the segments): `kexec -c -i -l` + `kexec -e`, exact /proc/cmdline.
set -euo pipefail
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup riscv64-load-nochecks
nonce=$(vm_nonce)
cmdline="console=ttyS0 kxtest=r-NOCHECKS-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -i -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec -c -i -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish riscv64-load-nochecks
