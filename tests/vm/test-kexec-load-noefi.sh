#!/bin/bash
# --no-efi in a guest booted through UEFI (OVMF): `kexec --no-efi -l` (the
# default -a: kexec_file_load cannot leave EFI out, so it goes to kexec_load
# without a word) + kexec -e. The second kernel must run without EFI (no
# /sys/firmware/efi) yet find ACPI through acpi_rsdp_addr, with exactly the
# --append command line.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-noefi
vm_use_uefi
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=o-NOEFI-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_sysinfo
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec --no-efi -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot "" 1G
log=$VM_LOG
vm_expect_line "$log" "STAGE1-EFI: yes" "stage 1 booted through EFI (/sys/firmware/efi exists)"
vm_expect_line "$log" "STAGE1-ACPI: yes" "stage 1 has ACPI tables"
vm_expect_load_ok "$log" "kexec --no-efi -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_line "$log" "STAGE2-EFI: no" "second kernel runs without EFI (got '$(vm_field "$log" "STAGE2-EFI: ")')"
vm_expect_line "$log" "STAGE2-ACPI: yes" "second kernel still finds ACPI tables (got '$(vm_field "$log" "STAGE2-ACPI: ")')"
vm_finish kexec-load-noefi
