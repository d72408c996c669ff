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
cmdline="console=ttyS0 no_timer_check kxtest=e-ELF-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check elf_magic "$(head -c 4 /boot/vmlinux | od -An -tx1 | tr -d ' \n')" 7f454c46
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinux --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec -c -l of the ELF vmlinux"
vm_expect_checks "$log" 3
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish kexec-load-elf
