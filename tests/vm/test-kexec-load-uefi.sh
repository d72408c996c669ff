#!/bin/bash
# A guest booted through UEFI (OVMF, qemu -kernel: the kernel's EFI stub):
# kexec -c -l + kexec -e. The second kernel must find EFI (SETUP_EFI / EFI
# info in boot_params) and ACPI, and get exactly the --append command line.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-uefi
vm_use_uefi
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=u-UEFI-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_sysinfo
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot "" 1G
log=$VM_LOG
vm_expect_line "$log" "STAGE1-EFI: yes" "stage 1 booted through EFI (/sys/firmware/efi exists)"
vm_expect_line "$log" "STAGE1-ACPI: yes" "stage 1 has ACPI tables"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline"
vm_expect_line "$log" "STAGE2-EFI: yes" "second kernel sees EFI (got '$(vm_field "$log" "STAGE2-EFI: ")')"
vm_expect_line "$log" "STAGE2-ACPI: yes" "second kernel sees ACPI tables (got '$(vm_field "$log" "STAGE2-ACPI: ")')"
vm_finish kexec-load-uefi
