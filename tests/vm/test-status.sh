#!/bin/bash
# Load state bookkeeping: /sys/kernel/kexec_loaded and kexec_crash_loaded
# around kexec -s -l, kexec -u, kexec -s -p, kexec -s -p -u, the same with -c,
# the exit status of kexec -S (crash image by default; the normal image with
# -l -S), and --print-ckr-size.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup status

cat >"$VM_SCENARIO" <<'EOS'
. /lib/vmtest.sh
K=/boot/vmlinuz
I=/boot/stage2.cpio.gz
A="console=ttyS0 kxtest=c"
status() { kexec "$@" >/dev/null 2>&1; echo $?; }
# rc CMD...: print CMD's output (to the console) and its exit status.
rc() { "$@" >/tmp/rc.out 2>&1; _r=$?; sed "s|^|OUTPUT $*: |" /tmp/rc.out >&2; echo $_r; }

vt_check initial_loaded "$(vt_loaded)" 0
vt_check initial_crash_loaded "$(vt_crash_loaded)" 0
vt_check initial_S "$(status -S)" 0
vt_check initial_lS "$(status -l -S)" 0

vt_check load_rc "$(rc kexec -s -l $K --initrd=$I --append="$A")" 0
vt_check load_loaded "$(vt_loaded)" 1
vt_check load_crash_loaded "$(vt_crash_loaded)" 0
vt_check load_S "$(status -S)" 0
vt_check load_lS "$(status -l -S)" 1

vt_check unload_rc "$(rc kexec -u)" 0
vt_check unload_loaded "$(vt_loaded)" 0
vt_check unload_lS "$(status -l -S)" 0

vt_check crashload_rc "$(rc kexec -s -p $K --initrd=$I --append="$A")" 0
vt_check crashload_crash_loaded "$(vt_crash_loaded)" 1
vt_check crashload_loaded "$(vt_loaded)" 0
vt_check crashload_S "$(status -S)" 1
vt_check crashload_lS "$(status -l -S)" 0

vt_check both_load_rc "$(rc kexec -s -l $K --initrd=$I --append="$A")" 0
vt_check both_loaded "$(vt_loaded)" 1
vt_check both_crash_loaded "$(vt_crash_loaded)" 1
vt_check both_S "$(status -S)" 1
vt_check both_lS "$(status -l -S)" 1

vt_check crashunload_rc "$(rc kexec -s -p -u)" 0
vt_check crashunload_crash_loaded "$(vt_crash_loaded)" 0
vt_check crashunload_loaded "$(vt_loaded)" 1
vt_check crashunload_S "$(status -S)" 0
vt_check crashunload_lS "$(status -l -S)" 1

vt_check final_unload_rc "$(rc kexec -u)" 0
vt_check final_loaded "$(vt_loaded)" 0
vt_check final_crash_loaded "$(vt_crash_loaded)" 0

# The same through kexec_load: -c -p loads, -c -p -u unloads, -c -u.
vt_check c_crashload_rc "$(rc kexec -c -p $K --initrd=$I --append="$A")" 0
vt_check c_crashload_crash_loaded "$(vt_crash_loaded)" 1
vt_check c_crashload_S "$(status -S)" 1
vt_check c_load_rc "$(rc kexec -c -l $K --initrd=$I --append="$A")" 0
vt_check c_load_loaded "$(vt_loaded)" 1
vt_check c_crashunload_rc "$(rc kexec -c -p -u)" 0
vt_check c_crashunload_crash_loaded "$(vt_crash_loaded)" 0
vt_check c_crashunload_loaded "$(vt_loaded)" 1
vt_check c_unload_rc "$(rc kexec -c -u)" 0
vt_check c_unload_loaded "$(vt_loaded)" 0
# --print-ckr-size: the reservation's size in bytes, as /sys says.
vt_check ckr_size "$(kexec --print-ckr-size)" "$(cat /sys/kernel/kexec_crash_size)"
echo STATUS-END
EOS

vm_boot "crashkernel=256M" 1G
vm_expect "$VM_LOG" '^STATUS-END$' "scenario ran to the end"
vm_expect_checks "$VM_LOG" 41
vm_finish status
