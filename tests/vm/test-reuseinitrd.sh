#!/bin/bash
# --reuseinitrd (kexec-tools' option): Debian 13's 6.12 boots with
# retain_initrd, so it keeps its initramfs and shows it as
# /sys/firmware/initrd (Linux 6.6+); `kexec --reuseinitrd` (no --initrd)
# gives that same initramfs to the second kernel, through kexec_file_load
# (-s: in a sealed memfd) or kexec_load (-c), as REUSE_SYSCALL says (default
# -s). The stage-1 initramfs's /init sees kx_stage=2 on the second kernel's
# command line and runs the stage-2 init: the second kernel booted the first
# one's initramfs. Without retain_initrd there is nothing to reuse: refused in
# one line (the CLI tests).
set -euo pipefail
VM_DEBIAN=13
sys=${REUSE_SYSCALL:--s}
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name=reuseinitrd$sys
vm_test_setup "$name"
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=reuse-$nonce kx_stage=2 quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
echo "STAGE1-RETAINED: $(stat -c %s /sys/firmware/initrd)"
vt_run dry kexec --dry-run $SYS -l /boot/vmlinuz --reuseinitrd --append="$CMDLINE"
vt_run both kexec $SYS -l /boot/vmlinuz --reuseinitrd --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_both "$(vt_loaded)" 0
vt_run load kexec $SYS -l /boot/vmlinuz --reuseinitrd --append="$CMDLINE"
EOS
)"
sed -i "1i SYS=$sys" "$VM_SCENARIO"

vm_boot "retain_initrd"
log=$VM_LOG
vm_expect "$log" '^STAGE1-RETAINED: [1-9][0-9]*$' "the first kernel kept its initramfs (/sys/firmware/initrd)"
vm_expect_line "$log" "RC dry: 0" "kexec --dry-run $sys --reuseinitrd plans the load with it"
vm_expect "$log" '^OUT dry: .*/sys/firmware/initrd' "the plan's initrd is /sys/firmware/initrd"
vm_expect_line "$log" "RC both: 1" "--reuseinitrd with --initrd is refused (exit 1)"
vm_expect_line "$log" "ERRLINES both: 1" "in one line"
vm_expect_load_ok "$log" "kexec $sys -l --reuseinitrd"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish "$name"
