#!/bin/bash
# A gzip-compressed ELF vmlinux (vmlinux.gz, as some distributions ship for
# debugging and netboot): `kexec -c -l` unwraps it and boots it; `kexec -s`
# says in one line why it cannot (the kernel's kexec_file_load on x86_64
# loads only bzImages, whatever envelope is around the ELF) and loads nothing;
# the default mode goes to kexec_load for it.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup unwrap-elf-gzip
vm_extract_vmlinux "$VM_KERNEL"
gzip -1 -c "$VM_VMLINUX" >"$VM_WORK/vmlinux.gz"
vm_add_file "$VM_WORK/vmlinux.gz" /boot/vmlinux.gz
echo "  vmlinux.gz: $(stat -c %s "$VM_WORK/vmlinux.gz") bytes (ELF $(stat -c %s "$VM_VMLINUX"))"
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=gz-ELF-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check gzip_magic "$(head -c 2 /boot/vmlinux.gz | od -An -tx1 | tr -d ' \n')" 1f8b
vt_run file kexec -s -l /boot/vmlinux.gz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_file "$(vt_loaded)" 0
vt_run dry kexec --dry-run -l /boot/vmlinux.gz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_run load kexec -c -l /boot/vmlinux.gz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC file: 255" "kexec -s -l of vmlinux.gz is refused (exit 255)"
vm_expect_line "$log" "ERRLINES file: 1" "kexec -s -l of vmlinux.gz says why in one line"
vm_expect "$log" '^ERR file: .*vmlinux\.gz.*kexec_file_load.*elf-x86_64' "the refusal names the file, kexec_file_load and the ELF format"

vm_expect_line "$log" "RC dry: 0" "kexec --dry-run -l (default mode) plans it"
vm_expect "$log" '^OUT dry: .*gzip' "the dry run names the gzip layer"
vm_expect_load_ok "$log" "kexec -c -l of vmlinux.gz"
vm_expect_checks "$log" 3
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish unwrap-elf-gzip
