#!/bin/bash
# --serial and --serial-baud (kexec-tools' x86 options): with
# --console-serial --serial=ttyS1 --serial-baud=57600 the purgatory programs
# COM2 (I/O port 0x2f8, a second 16550 on a file here) for 57600 8N1 and says
# there, not on the console's COM1, what it checks and that it enters the
# kernel. A speed the divisor cannot give is refused in one line.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-serial
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=serial-$nonce quiet"
com2=$VM_WORK/com2.log
: >"$com2"
# -serial for each port in order (COM1 the console, as -nographic makes it, COM2 the file).
VM_QEMU_ARGS+=(-serial mon:stdio -serial "file:$com2")

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run badbaud kexec --console-serial --serial=ttyS1 --serial-baud=50000 -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_run load kexec --console-serial --serial=ttyS1 --serial-baud=57600 -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
tr -d '\r' <"$com2" >"$com2.txt"
sed 's/^/  COM2| /' "$com2.txt"
vm_expect_line "$log" "RC badbaud: 1" "--serial-baud=50000 is refused (exit 1)"
vm_expect "$log" '^ERR badbaud: .*50000' "in one line naming the speed"
vm_expect_load_ok "$log" "kexec --console-serial --serial=ttyS1 --serial-baud=57600 -l"
vm_expect_checks "$log" 1
vm_expect "$com2.txt" '^purgatory: checking the segments' "the purgatory says on COM2 that it checks"
vm_expect "$com2.txt" '^purgatory: entering the kernel' "and that it enters the kernel"
vm_expect_not "$log" '^purgatory: ' "nothing of the purgatory's on the console's COM1"
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish kexec-load-serial
