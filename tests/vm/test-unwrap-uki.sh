#!/bin/bash
# A Unified Kernel Image (systemd's EFI stub + .linux = the cloud bzImage,
# .initrd = the stage-2 initramfs, .cmdline = a marker line, built with
# objcopy as ukify does): `kexec -l UKI` with no --initrd and no --append
# boots it with the UKI's own command line and initrd, through
# kexec_file_load (-s: the bzImage reaches the kernel in a sealed memfd) or
# kexec_load (-c), as UNWRAP_SYSCALL says (default -s).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sys=${UNWRAP_SYSCALL:--s}
name=unwrap-uki${sys}
vm_test_setup "$name"
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=uki${sys}-$nonce quiet"
vm_build_stage2 "$VM_WORK/stage2.cpio.gz"
printf '%s\n' "$cmdline" >"$VM_WORK/cmdline.txt"
"$VM_LIB_DIR/helpers/make-uki.sh" "$VM_WORK/uki.efi" "$VM_KERNEL" \
	.cmdline="$VM_WORK/cmdline.txt" .initrd="$VM_WORK/stage2.cpio.gz" ||
	vm_die "make-uki.sh failed"
vm_add_file "$VM_WORK/uki.efi" /boot/uki.efi
echo "  UKI: $(stat -c %s "$VM_WORK/uki.efi") bytes"

# Only the UKI: the scenario never names the stage-2 initramfs or the line.
vm_scenario_exec "$cmdline" "$(
	cat <<EOS
vt_run dry kexec --dry-run $sys -l /boot/uki.efi
vt_check loaded_after_dry_run "\$(vt_loaded)" 0
vt_run load kexec $sys -l /boot/uki.efi
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC dry: 0" "kexec --dry-run $sys -l of the UKI exits 0"
vm_expect "$log" '^OUT dry: .*uki' "the dry run names the UKI layer"
vm_expect "$log" '^OUT dry: command line +the image' "the dry run says the command line is the UKI's .cmdline"
vm_expect "$log" '^OUT dry: initrd +the image' "the dry run says the initrd is the UKI's .initrd"
vm_expect_load_ok "$log" "kexec $sys -l of the UKI"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish "$name"
