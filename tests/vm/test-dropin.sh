#!/bin/bash
# A drop-in for kexec-tools, in a Debian 12 (6.1) guest: what callers pass
# either works with kexec-tools' meaning or fails in one line with nothing
# loaded, never half-done.
#  - `kexec -l /bin/busybox` (a static program, not a kernel) in every mode;
#  - `--load-preserve-context` (kexec jump: Debian's kernels lack it, and our
#    purgatory never returns);
#  - `--mem-max` too low in the default mode (which goes to kexec_load);
#  - `--noefi -c` (kexec-tools' spelling) loads;
#  - then `kexec -s -d -l` (6.1 knows no KEXEC_FILE_DEBUG: left out) loads,
#    and `kexec -e` boots it with exactly our command line.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup dropin
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=d-DROPIN-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run bb_a kexec -l /bin/busybox
vt_run bb_s kexec -s -l /bin/busybox
vt_run bb_c kexec -c -l /bin/busybox
vt_run jump kexec -c --load-preserve-context /boot/vmlinuz --initrd=/boot/stage2.cpio.gz
vt_run memmax kexec --mem-max=0x1000000 -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz
vt_check loaded_after_refusals "$(vt_loaded)" 0
vt_run noefi kexec --noefi -c -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_noefi "$(vt_loaded)" 1
vt_run u kexec -u
vt_run load kexec -s -d -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
for t in bb_a bb_s bb_c; do
	vm_expect_line "$log" "RC $t: 255" "$t: /bin/busybox is refused (exit 255)"
	vm_expect_line "$log" "ERRLINES $t: 1" "$t: in one line"
	vm_expect "$log" "^ERR $t: kexec: cannot load kernel /bin/busybox: .*not a Linux kernel" "$t: the line says it is a program, not a kernel"
done
vm_expect_line "$log" "RC jump: 1" "--load-preserve-context is refused (exit 1)"
vm_expect "$log" '^ERR jump: kexec: .*--load-preserve-context.*never return' "--load-preserve-context: one line saying why"
vm_expect_line "$log" "RC memmax: 255" "--mem-max too low fails in the default mode"
vm_expect_line "$log" "ERRLINES memmax: 1" "--mem-max too low: one line"
vm_expect "$log" '^ERR memmax: kexec: .*0x1000000' "--mem-max too low: the line names the window"
vm_expect_line "$log" "RC noefi: 0" "--noefi -c loads"
vm_expect_line "$log" "RC u: 0" "kexec -u unloads"
vm_expect_line "$log" "RC load: 0" "kexec -s -d -l loads on 6.1"
vm_expect "$log" '^ERR load: kexec: debug: KEXEC_FILE_DEBUG left out' "-d: KEXEC_FILE_DEBUG left out on 6.1"
vm_expect_not "$log" '^ERR load: kexec: [^d]' "-s -d -l: only debug lines on stderr"
vm_expect_checks "$log" 3
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish dropin
