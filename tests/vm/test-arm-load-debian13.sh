#!/bin/bash
# 32-bit ARM kexec_load with Debian 13's armmp kernel (6.12, without LPAE:
# Debian 13's armmp-lpae kernel oopses in __soft_restart on kexec, a kernel
# bug: README; resolved from trixie's own armhf index): the zImage through
# `kexec -c -l` + `kexec -e`, exact /proc/cmdline,
# and the second kernel is that release.
set -euo pipefail
VM_ARCH=arm
VM_DEBIAN=13
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm-load-debian13
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=ARM-DEB13-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l "$KERNEL" --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect "$log" "^STAGE1-START kernel=$(vm_re_escape "$VM_KVER")\$" "stage 1 runs Debian 13's $VM_KVER"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish arm-load-debian13
