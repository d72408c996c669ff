#!/bin/bash
# s390x refusals, in an s390-ccw-virtio guest: each one "kexec: ..." line on
# stderr naming the file and the reason, a non-zero exit, and nothing
# loaded. -s: Debian 12's s390x kernel has no kexec_file_load; --serial: the
# s390 purgatory has no console; -p: no crash kernel is built (the kernel has
# no CRASH_DUMP); --dtb: s390 kernels take none; busybox: an s390 program,
# not a kernel image. Then a plain load (the default mode, falling back to
# kexec_load) still works. Nothing is executed: no second boot.
set -euo pipefail
VM_ARCH=s390x
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup s390x-refusals

cat >"$VM_SCENARIO" <<'EOS'
. /lib/vmtest.sh
vt_run notkernel kexec -c -l /bin/busybox
vt_run fileload kexec -s -l /boot/vmlinuz
vt_run check kexec -c -l /boot/vmlinuz --serial=ttyS1
vt_run crash kexec -c -p /boot/vmlinuz
vt_run dtb kexec -c -l /boot/vmlinuz --dtb=/boot/vmlinuz
vt_check loaded_after_refusals "$(vt_loaded)" 0
vt_check crash_loaded_after_refusals "$(vt_crash_loaded)" 0
vt_run load kexec -l /boot/vmlinuz --append="console=ttysclp0"
vt_check loaded_after_load "$(vt_loaded)" 1
echo REFUSALS-END
EOS

vm_boot ""
log=$VM_LOG
vm_expect "$log" '^REFUSALS-END$' "scenario ran to the end"
vm_expect_checks "$log" 3
vm_expect_refused "$log" notkernel "kexec -c -l /bin/busybox" '/bin/busybox: not a kernel image for s390'
vm_expect_refused "$log" fileload "kexec -s -l" '/boot/vmlinuz: .*no kexec_file_load'
vm_expect_refused "$log" check "kexec -c -l --serial=ttyS1" 'x86 options; on s390 the purgatory writes to the SCLP console'
vm_expect_refused "$log" crash "kexec -c -p" 's390 crash kernels are not built here'
vm_expect_refused "$log" dtb "kexec -c -l --dtb" 's390 kernels take no device tree'
vm_expect_load_ok "$log" "kexec -l (the default mode, falling back to kexec_load)"
vm_finish s390x-refusals
