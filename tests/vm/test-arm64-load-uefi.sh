#!/bin/bash
# arm64 kexec_load in a guest booted through UEFI (Debian's qemu-efi-aarch64
# firmware with qemu -kernel: the kernel's EFI stub): stage 1 sees
# /sys/firmware/efi; after `kexec -c -l` + `kexec -e` the second kernel must
# still see EFI (the EFI system table and memory map passed on in the DTB's
# /chosen) and get exactly the --append command line.
set -euo pipefail
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-load-uefi
vm_use_uefi
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=a-UEFI-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_sysinfo
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-EFI: yes" "stage 1 booted through EFI (/sys/firmware/efi exists)"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_line "$log" "STAGE2-EFI: yes" "second kernel sees EFI (got '$(vm_field "$log" "STAGE2-EFI: ")')"
# EDK2 gives the kernel ACPI tables too; the second kernel must still find them.
acpi1=$(vm_field "$log" "STAGE1-ACPI: ")
vm_expect_line "$log" "STAGE2-ACPI: ${acpi1:-yes}" "second kernel sees ACPI tables as stage 1 did (${acpi1:-?}; got '$(vm_field "$log" "STAGE2-ACPI: ")')"
vm_finish arm64-load-uefi
