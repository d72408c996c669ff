#!/bin/bash
# kexec -c -l of an ELF vmlinux (unpacked on the host from the cloud bzImage's
# payload) + kexec -e: stage 2 runs it (at its link address, no KASLR) with
# exactly the --append text.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-elf
vm_extract_vmlinux "$VM_KERNEL"
vm_add_file "$VM_VMLINUX" /boot/vmlinux
echo "  ELF: $VM_VMLINUX ($(stat -c %s "$VM_VMLINUX") bytes)"
nonce=$(vm_nonce)
cmdline="console=ttyS0 kxtest=e-ELF-$nonce quiet"

{
	echo "CMDLINE=$(vm_sh_quote "$cmdline")"
	cat <<'EOS'
. /lib/vmtest.sh
vt_check elf_magic "$(head -c 4 /boot/vmlinux | od -An -tx1 | tr -d ' \n')" 7f454c46
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinux --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after "$(vt_loaded)" 1
echo STAGE1-EXEC
kexec -e
echo "STAGE1-EXEC-RETURNED rc=$?"
exit 1
EOS
} >"$VM_SCENARIO"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC load: 0" "kexec -c -l of the ELF vmlinux exits 0"
vm_expect_line "$log" "ERRLINES load: 0" "kexec -c -l prints nothing on stderr"
vm_expect_checks "$log" 3
vm_expect_not "$log" '^STAGE1-EXEC-RETURNED' "kexec -e does not return"
vm_expect_order "$log" '^STAGE1-EXEC$' '^STAGE2-CMDLINE: ' "second kernel starts after kexec -e"
vm_expect_line "$log" "STAGE2-CMDLINE: $cmdline" "second kernel /proc/cmdline is exactly '$cmdline' (got '$(vm_field "$log" "STAGE2-CMDLINE: ")')"
vm_expect_line "$log" "STAGE2-KERNEL: $VM_KVER" "second kernel is $VM_KVER"
vm_expect "$log" '^STAGE2-DONE$' "stage 2 finished"
vm_finish kexec-load-elf
