#!/bin/bash
# arm64 kernels as distributions ship them: a gzip-compressed Image
# (Ubuntu's vmlinuz) and an EFI zboot image whose payload is zstd (Fedora's),
# both around Debian's arm64 Image. In one guest: `kexec --dry-run -l` names
# each envelope, then `kexec -l` of the zboot image boots (kexec_load: the
# Debian 12 arm64 kernel has no kexec_file_load) with exactly the --append
# text.
VM_ARCH=arm64
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-unwrap
vm_extract_image "$VM_KERNEL"
gzip -1 -n -c "$VM_IMAGE" >"$VM_WORK/Image.gz"
"$VM_LIB_DIR/helpers/make-zboot.py" "$VM_IMAGE" "$VM_WORK/vmlinuz.efi" zstd
vm_add_file "$VM_WORK/Image.gz" /boot/Image.gz
vm_add_file "$VM_WORK/vmlinuz.efi" /boot/vmlinuz.efi
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=zboot-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run drygz kexec --dry-run -l /boot/Image.gz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_run dryzb kexec --dry-run -l /boot/vmlinuz.efi --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_dry_run "$(vt_loaded)" 0
vt_run load kexec -l /boot/vmlinuz.efi --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC drygz: 0" "kexec --dry-run -l Image.gz exits 0"
vm_expect "$log" '^OUT drygz: .*gzip' "the dry run of Image.gz names the gzip layer"
vm_expect_line "$log" "RC dryzb: 0" "kexec --dry-run -l of the zboot image exits 0"
vm_expect "$log" '^OUT dryzb: .*zboot\+zstd' "the dry run of the zboot image names zboot+zstd"
vm_expect_load_ok "$log" "kexec -l of the zboot image"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish arm64-unwrap
