#!/bin/bash
# ppc64el refusals, in a pseries guest: each one "kexec: ..." line on
# stderr naming the file and the reason, a non-zero exit, and nothing
# loaded. -s: Debian 12's powerpc64le kernel has no kexec_file_load;
# --serial: an x86 option (the purgatory writes to the hypervisor
# terminal); -p on a guest booted without crashkernel=; --dtb with a file
# that is no device tree; busybox: a ppc64 program, not a kernel image.
# Then a plain load (the default mode, falling back to kexec_load) still
# works. Nothing is executed: no second boot.
set -euo pipefail
VM_ARCH=ppc64el
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup ppc64el-refusals

cat >"$VM_SCENARIO" <<'EOS'
. /lib/vmtest.sh
vt_run notkernel kexec -c -l /bin/busybox
vt_run fileload kexec -s -l /boot/vmlinux
vt_run check kexec -c -l /boot/vmlinux --serial=ttyS1
vt_run crash kexec -c -p /boot/vmlinux
vt_run dtb kexec -c -l /boot/vmlinux --dtb=/boot/stage2.cpio.gz
vt_check loaded_after_refusals "$(vt_loaded)" 0
vt_check crash_loaded_after_refusals "$(vt_crash_loaded)" 0
vt_run load kexec -l /boot/vmlinux --append="console=hvc0"
vt_check loaded_after_load "$(vt_loaded)" 1
echo REFUSALS-END
EOS

vm_boot ""
log=$VM_LOG
vm_expect "$log" '^REFUSALS-END$' "scenario ran to the end"
vm_expect_checks "$log" 3
vm_expect_refused "$log" notkernel "kexec -c -l /bin/busybox" '/bin/busybox: not a kernel image for ppc64'
vm_expect_refused "$log" fileload "kexec -s -l" '/boot/vmlinux: .*no kexec_file_load'
vm_expect_refused "$log" check "kexec -c -l --serial=ttyS1" 'x86 options; on ppc64 the purgatory writes to the hypervisor terminal'
vm_expect_refused "$log" crash "kexec -c -p (no crashkernel=)" 'no memory is reserved for crash kernels'
vm_expect_refused "$log" dtb "kexec -c -l --dtb" '/boot/stage2.cpio.gz'
vm_expect_load_ok "$log" "kexec -l (the default mode, falling back to kexec_load)"
vm_finish ppc64el-refusals
