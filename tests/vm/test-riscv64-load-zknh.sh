#!/bin/bash
# riscv64 kexec_load on harts with the scalar SHA-256 instructions (Zknh:
# QEMU's `-cpu rv64,zknh=true`): the loader sees Zknh on every hart in
# /proc/cpuinfo and tells the purgatory, which then checks the segments with
# sha256sig0/sig1/sum0/sum1 instead of the portable C; `kexec -d -c -l` +
# `kexec -e`, exact /proc/cmdline.
set -euo pipefail
VM_ARCH=riscv64
VM_CPU=${VM_CPU:-rv64,zknh=true}
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup riscv64-load-zknh
nonce=$(vm_nonce)
cmdline="console=ttyS0 kxtest=r-ZKNH-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
case "$(grep -m1 '^isa' /proc/cpuinfo)" in *_zknh*) echo "STAGE1-ZKNH: yes" ;; *) echo "STAGE1-ZKNH: no" ;; esac
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -d -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-ZKNH: yes" "the guest's harts have Zknh (/proc/cpuinfo isa)"
vm_expect_line "$log" "RC load: 0" "kexec -d -c -l exits 0"
vm_expect_not "$log" '^ERR load: kexec: [^d]' "kexec -d -c -l prints only debug lines on stderr"
vm_expect "$log" '^ERR load: kexec: debug: .*every hart has Zknh' "the loader sees Zknh on every hart (-d)"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish riscv64-load-zknh
