#!/bin/bash
# arm64 Unified Kernel Image with every part and three layers: systemd's
# linuxaa64.efi.stub (Debian's systemd-boot-efi:arm64) whose .linux is an EFI
# zboot image (helpers/make-zboot.py, zstd) of Debian's Image, with .initrd
# (the stage-2 initramfs), .cmdline (the test's line) and .dtb (QEMU's own
# virt tree for this guest, dumped by qemu and marked with a root property
# kx-marker). `kexec -l UKI` with no option but -l: the dry run names
# uki+zboot+zstd and says the command line, initrd and device tree are the
# image's; stage 2 has exactly the UKI's line and sees the marker in
# /proc/device-tree, so it booted with the UKI's .dtb.
VM_ARCH=arm64
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-unwrap-uki
vm_extract_image "$VM_KERNEL"
vm_efi_stub
command -v fdtput >/dev/null || vm_die "fdtput is missing (apt-get install device-tree-compiler)"
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=uki-$nonce quiet"
"$VM_LIB_DIR/helpers/make-zboot.py" "$VM_IMAGE" "$VM_WORK/vmlinuz.efi" zstd
vm_build_stage2 "$VM_WORK/stage2.cpio.gz"
printf '%s\n' "$cmdline" >"$VM_WORK/cmdline.txt"
# The guest's own tree (the same machine, CPU, memory and CPUs as vm_run's).
qemu-system-aarch64 -M "virt,dumpdtb=$VM_WORK/virt.dtb" -cpu "${VM_CPU:-cortex-a57}" \
	-m "${VM_MEM:-1G}" -smp "${VM_SMP:-1}" -nographic -net none >/dev/null 2>&1 ||
	vm_die "qemu-system-aarch64 could not dump its device tree"
fdtput -t s "$VM_WORK/virt.dtb" / kx-marker "uki-dtb-$nonce"
UKI_STUB=$VM_EFI_STUB "$VM_LIB_DIR/helpers/make-uki.sh" "$VM_WORK/uki.efi" "$VM_WORK/vmlinuz.efi" \
	.cmdline="$VM_WORK/cmdline.txt" .initrd="$VM_WORK/stage2.cpio.gz" .dtb="$VM_WORK/virt.dtb" ||
	vm_die "make-uki.sh failed"
vm_add_file "$VM_WORK/uki.efi" /boot/uki.efi
echo "  UKI: $(stat -c %s "$VM_WORK/uki.efi") bytes"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run dry kexec --dry-run -l /boot/uki.efi
vt_check loaded_after_dry_run "$(vt_loaded)" 0
vt_run load kexec -l /boot/uki.efi
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC dry: 0" "kexec --dry-run -l of the UKI exits 0"
vm_expect "$log" '^OUT dry: layers: uki\+zboot\+zstd ' "the dry run names the three layers"
vm_expect "$log" '^OUT dry: command line +the image' "the command line is the UKI's"
vm_expect "$log" '^OUT dry: initrd +the image' "the initrd is the UKI's"
vm_expect "$log" '^OUT dry: device tree +the image' "the device tree is the UKI's"
vm_expect_load_ok "$log" "kexec -l of the UKI"
vm_expect_checks "$log" 2
vm_expect_line "$log" "STAGE2-DT-MARKER: uki-dtb-$nonce" "the second kernel booted with the UKI's .dtb"
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish arm64-unwrap-uki
