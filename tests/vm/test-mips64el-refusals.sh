#!/bin/bash
# MIPS refusals, in a loongson3-virt guest booted with crashkernel=64M: each
# one "kexec: ..." line on stderr naming the file and the reason, a non-zero
# exit, and nothing loaded. -s: the kernel has no kexec_file_load; --serial:
# an x86 option (the purgatory writes to the UART iomem names); -p: no crash kernel can be
# built (the kernel runs where it is linked, Debian's lacks CRASH_DUMP);
# busybox: a MIPS program, not a kernel. Then a plain load still works.
set -euo pipefail
VM_ARCH=mips64el
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup mips64el-refusals

cat >"$VM_SCENARIO" <<'EOS'
. /lib/vmtest.sh
echo "STAGE1-CRASH-SIZE: $(cat /sys/kernel/kexec_crash_size)"
vt_run notkernel kexec -c -l /bin/busybox
vt_run fileload kexec -s -l /boot/vmlinuz
vt_run check kexec -c -l /boot/vmlinuz --serial=ttyS1
vt_run crash kexec -c -p /boot/vmlinuz
vt_check loaded_after_refusals "$(vt_loaded)" 0
vt_check crash_loaded_after_refusals "$(vt_crash_loaded)" 0
vt_run load kexec -l /boot/vmlinuz --append="console=ttyS0"
vt_check loaded_after_load "$(vt_loaded)" 1
echo REFUSALS-END
EOS

vm_boot "crashkernel=64M"
log=$VM_LOG
vm_expect "$log" '^REFUSALS-END$' "scenario ran to the end"
vm_expect_checks "$log" 3
vm_expect_refused "$log" notkernel "kexec -c -l /bin/busybox" '/bin/busybox: .*(not a Linux kernel|user-space)'
vm_expect_refused "$log" fileload "kexec -s -l" '/boot/vmlinuz: mips kernels have no kexec_file_load'
vm_expect_refused "$log" check "kexec -c -l --serial=ttyS1" 'x86 options'
if [[ $(vm_field "$log" "STAGE1-CRASH-SIZE: ") =~ ^[1-9] ]]; then
	vm_ok "crashkernel=64M reserved $(vm_field "$log" "STAGE1-CRASH-SIZE: ") bytes"
	vm_expect_refused "$log" crash "kexec -c -p" 'mips crash kernels are not built here'
else
	vm__fail "" "crashkernel=64M reserved nothing (STAGE1-CRASH-SIZE: $(vm_field "$log" "STAGE1-CRASH-SIZE: "))"
fi
vm_expect_load_ok "$log" "kexec -l (the default mode, falling back to kexec_load)"
vm_finish mips64el-refusals
