#!/bin/bash
# --force-dtb on arm64 (kexec-tools after 2.0.32 says it is "forced on
# ARM64"): with --dtb naming another tree it is refused in one line; in the
# default mode it goes through kexec_file_load (absent in Debian's arm64
# kernels) to kexec_load, which hands the next kernel the running kernel's
# device tree, and the second kernel boots.
set -euo pipefail
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-force-dtb
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=f-FORCEDTB-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run both kexec -c --force-dtb --dtb=/sys/firmware/fdt -l /boot/Image --append="$CMDLINE"
vt_check loaded_after_both "$(vt_loaded)" 0
vt_run load kexec --force-dtb -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC both: 255" "--force-dtb with --dtb exits 255"
vm_expect_line "$log" "ERRLINES both: 1" "--force-dtb with --dtb is refused in one line"
vm_expect "$log" "^ERR both: kexec: cannot load kernel /boot/Image: --force-dtb carries the running kernel's device tree and --dtb names another" \
	"the line says --force-dtb and --dtb conflict"
vm_expect_load_ok "$log" "kexec --force-dtb -l (default -a)"
vm_expect_checks "$log" 1
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish arm64-force-dtb
