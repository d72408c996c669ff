#!/bin/bash
# arm64 without kexec_file_load (Debian's arm64 kernels have CONFIG_KEXEC but
# not CONFIG_KEXEC_FILE): `kexec -s -l` says so in one line and loads nothing
# (exit 255); the default mode (-a) falls back to kexec_load without a word
# (with -d: one line saying why), and the kernel it loads boots.
set -euo pipefail
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-load-auto
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=a-AUTO-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_run file kexec -s -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check loaded_after_s "$(vt_loaded)" 0
vt_run dbg kexec -d --dry-run -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_run load kexec -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "RC file: 255" "kexec -s -l exits 255 where there is no kexec_file_load"
vm_expect_line "$log" "ERRLINES file: 1" "kexec -s -l prints one line"
vm_expect "$log" '^ERR file: kexec: cannot load /boot/Image: kexec_file_load: Function not implemented: the running kernel has no kexec_file_load \(CONFIG_KEXEC_FILE\)' \
	"the line says the running kernel has no kexec_file_load"
vm_expect "$log" '^ERR dbg: kexec: debug: kexec_file_load failed .*; falling back to kexec_load$' \
	"with -d, the fallback is one line"
vm_expect_line "$log" "RC dbg: 0" "kexec -d --dry-run -l exits 0"
vm_expect_load_ok "$log" "kexec -l (default -a)"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish arm64-load-auto
