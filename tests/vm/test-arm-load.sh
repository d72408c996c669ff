#!/bin/bash
# 32-bit ARM kexec_load: in Debian 12's armmp-lpae kernel (QEMU virt,
# Cortex-A15, 1G; the kernel has no kexec_file_load), `kexec -c -l
# /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append=...` then `kexec -e`:
# the zImage, whose kernel unpacks 0x208000 above its 128 MiB base on these
# kernels (ARCH_MESON's TEXT_OFFSET, which kexec-tools does not leave room
# for without --image-size), must boot with exactly the --append text as
# /proc/cmdline. Before that, `kexec --dry-run -c -l` must plan it (kernel,
# initrd, dtb and purgatory segments, an entry point) and load nothing.
set -euo pipefail
VM_ARCH=arm
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm-load
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=ARM-LOAD-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run dry kexec --dry-run -c -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_dry_run "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC dry: 0" "kexec --dry-run -c -l exits 0"
vm_expect_line "$log" "ERRLINES dry: 0" "kexec --dry-run -c -l prints nothing on stderr"
vm_expect_line "$log" "OUT dry: syscall: kexec_load" "dry run plans kexec_load"
for role in kernel initrd dtb purgatory; do
	vm_expect "$log" "^OUT dry: [0-9]+ +$role +0x[0-9a-f]+-0x[0-9a-f]+ " "dry run: a '$role' segment row"
done
vm_expect "$log" '^OUT dry: entry: 0x[0-9a-f]+' "dry run: an 'entry:' line"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_expect_not "$log" '^STAGE2-VMCORE-MAGIC' "no /proc/vmcore in a normal kexec"
vm_finish arm-load
