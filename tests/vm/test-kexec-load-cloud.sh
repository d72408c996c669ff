#!/bin/bash
# kexec -c -l (kexec_load, our purgatory) + kexec -e with the cloud kernel and
# the stage-2 initramfs: the second kernel's /proc/cmdline must be exactly the
# --append text. Also: kexec --dry-run -c prints the segment table (kernel,
# initrd, boot_params, purgatory) and the entry point, and loads nothing.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-cloud
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=c-LOADCLOUD-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run dry kexec --dry-run -c -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_dry_run "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC dry: 0" "kexec --dry-run -c -l exits 0"
vm_expect_line "$log" "ERRLINES dry: 0" "kexec --dry-run -c -l prints nothing on stderr"
for role in kernel initrd boot_params purgatory; do
	vm_expect "$log" "^OUT dry: [0-9]+ +$role +0x[0-9a-f]+-0x[0-9a-f]+ " "dry run: a '$role' segment row"
done
vm_expect "$log" '^OUT dry: entry: 0x[0-9a-f]+' "dry run: an 'entry:' line"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_not "$log" '^STAGE2-VMCORE-MAGIC' "no /proc/vmcore in a normal kexec"
vm_finish kexec-load-cloud
