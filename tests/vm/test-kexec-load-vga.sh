#!/bin/bash
# --console-vga (kexec-tools' x86 option): the purgatory says what it checks
# and that it enters the kernel on the VGA text screen (QEMU's standard VGA,
# in text mode under vgacon). The second kernel's vgacon keeps the screen as
# it finds it, so stage 2 reads the purgatory's lines back from /dev/vcs; the
# serial console has none of them (no --console-serial). -s refuses it.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-vga
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=vga-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run file kexec -s --console-vga -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_run load kexec --console-vga -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC file: 255" "kexec -s --console-vga is refused (exit 255)"
vm_expect "$log" '^ERR file: .*--console-vga is honoured only by kexec_load' "in one line saying kexec_load honours it"
vm_expect_load_ok "$log" "kexec --console-vga -l"
vm_expect_checks "$log" 1
vm_expect_line "$log" "STAGE2-VGA: purgatory: checking the segments" "the purgatory said on the screen that it checks"
vm_expect_line "$log" "STAGE2-VGA: purgatory: entering the kernel" "and that it enters the kernel"
vm_expect_not "$log" '^purgatory: ' "nothing of the purgatory's on the serial console"
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish kexec-load-vga
