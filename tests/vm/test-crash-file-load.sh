#!/bin/bash
# kexec -s -p (kexec_file_load, KEXEC_FILE_ON_CRASH) + sysrq crash: the crash
# kernel must boot with our command line and expose an ELF /proc/vmcore.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup crash-file-load
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check irqpoll nr_cpus=1 reset_devices kxtest=b-$nonce"

{
	echo "CMDLINE=$(vm_sh_quote "$cmdline")"
	cat <<'EOS'
. /lib/vmtest.sh
echo "STAGE1-CRASH-SIZE: $(cat /sys/kernel/kexec_crash_size)"
vt_check crash_loaded_before "$(vt_crash_loaded)" 0
vt_run load kexec -s -p /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check crash_loaded_after "$(vt_crash_loaded)" 1
vt_check loaded_after "$(vt_loaded)" 0
echo STAGE1-CRASH
vt_drain
echo c >/proc/sysrq-trigger
echo "STAGE1-CRASH-RETURNED"
exit 1
EOS
} >"$VM_SCENARIO"

# 1G guest: crashkernel=256M is reserved below 4G (e.g. 0x2e000000-0x3dffffff).
vm_boot "crashkernel=256M" 1G
log=$VM_LOG
vm_expect "$log" '^STAGE1-CRASH-SIZE: 268435456$' "crashkernel=256M reserved 256 MiB"
vm_expect_line "$log" "RC load: 0" "kexec -s -p exits 0"
vm_expect_line "$log" "ERRLINES load: 0" "kexec -s -p prints nothing on stderr"
vm_expect_checks "$log" 3
vm_expect_not "$log" '^STAGE1-CRASH-RETURNED' "sysrq-trigger c crashed the first kernel"
vm_expect_not "$log" '^VT-DRAIN-FAILED' "the console drained before the crash"
vm_expect_order "$log" '^STAGE1-CRASH$' 'Kernel panic - not syncing: sysrq triggered crash' "first kernel panicked after the load"
vm_expect_order "$log" 'Kernel panic - not syncing: sysrq triggered crash' '^STAGE2-CMDLINE: ' "crash kernel starts after the panic"
got=$(vm_field "$log" "STAGE2-CMDLINE: ")
vm_expect "$log" "^STAGE2-CMDLINE: (.* )?kxtest=b-$nonce( |\$)" "crash kernel /proc/cmdline has kxtest=b-$nonce (got '$got')"
# The kernel adds "elfcorehdr=0x... " for the crash kernel (6.1 prepends it).
vm_expect "$log" "^STAGE2-CMDLINE: (elfcorehdr=0x[0-9a-f]+ )?$(vm_re_escape "$cmdline")( elfcorehdr=0x[0-9a-f]+)? *\$" \
	"crash kernel /proc/cmdline is the --append text plus only elfcorehdr="
vm_expect_line "$log" "STAGE2-VMCORE-MAGIC: 7f454c46" "/proc/vmcore starts with the ELF magic (got '$(vm_field "$log" "STAGE2-VMCORE-MAGIC: ")')"
vm_expect "$log" '^STAGE2-DONE$' "crash kernel finished"
vm_finish crash-file-load
