#!/bin/bash
# The purgatory's SSE2 path in a real handover: a `-cpu qemu64` guest (no
# AVX2, no SHA extensions; the other VM tests' `-cpu max` has AVX2), kexec -c
# -l + kexec -e. The purgatory hashes four lanes at a time with SSE2 and must
# find the segments intact: the second kernel starts with exactly the
# --append command line.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup kexec-load-sse2
# A later -cpu wins over vm_run's -cpu max.
VM_QEMU_ARGS+=(-cpu qemu64)
nonce=$(vm_nonce)
cmdline="console=ttyS0 no_timer_check kxtest=v-SSE2-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
flags=$(grep -m1 '^flags' /proc/cpuinfo)
for f in sse2 avx2 sha_ni; do
	case " $flags " in *" $f "*) echo "STAGE1-CPU $f: yes" ;; *) echo "STAGE1-CPU $f: no" ;; esac
done
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-CPU sse2: yes" "the guest CPU has SSE2"
vm_expect_line "$log" "STAGE1-CPU avx2: no" "the guest CPU has no AVX2 (the purgatory must use SSE2)"
vm_expect_line "$log" "STAGE1-CPU sha_ni: no" "the guest CPU has no SHA extensions"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish kexec-load-sse2
