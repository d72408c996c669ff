#!/bin/bash
# The body of test-{arm,arm64}-load-debian13.sh (sourced with VM_ARCH set and
# VM_DEBIAN=13; not a test itself): `kexec -c -l $KERNEL` + `kexec -e` on
# Debian 13's kernel of that architecture, exact /proc/cmdline, and the
# second kernel is that release.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

vm_test_setup "$VM_ARCH-load-debian13"
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=${VM_ARCH:0:1}-DEB13-$nonce quiet"

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
vm_finish "$VM_ARCH-load-debian13"
