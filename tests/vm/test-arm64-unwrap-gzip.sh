#!/bin/bash
# arm64: a gzip-compressed Image (Ubuntu's vmlinuz is one) boots through
# `kexec -l` (kexec_load) with exactly the --append text.
VM_ARCH=arm64
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-unwrap-gzip
vm_extract_image "$VM_KERNEL"
gzip -1 -n -c "$VM_IMAGE" >"$VM_WORK/Image.gz"
vm_add_file "$VM_WORK/Image.gz" /boot/Image.gz
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=gzimage-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run load kexec -l /boot/Image.gz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec -l of Image.gz"
vm_expect_checks "$log" 1
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish arm64-unwrap-gzip
