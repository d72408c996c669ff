#!/bin/bash
# arm64 kexec_load under `-cpu max` (QEMU's every feature: pointer
# authentication, BTI, SVE, ...): `kexec -c -l` + `kexec -e`, exact
# /proc/cmdline. The purgatory and the handover must not trip over features a
# cortex-a57 lacks. (pauth-impdef=on: QEMU's cheap PAuth algorithm; the
# architected QARMA5 makes TCG several times slower.)
set -euo pipefail
VM_ARCH=arm64
VM_CPU=${VM_CPU:-max,pauth-impdef=on}
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup arm64-load-cpumax
nonce=$(vm_nonce)
cmdline="console=ttyAMA0 kxtest=a-CPUMAX-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<'EOS'
feat=$(grep -m1 '^Features' /proc/cpuinfo)
for f in paca bti sve; do
	case " $feat " in *" $f "*) echo "STAGE1-CPU $f: yes" ;; *) echo "STAGE1-CPU $f: no" ;; esac
done
vt_check loaded_before "$(vt_loaded)" 0
vt_run load kexec -c -l /boot/Image --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_line "$log" "STAGE1-CPU paca: yes" "the guest CPU has pointer authentication"
vm_expect_line "$log" "STAGE1-CPU sve: yes" "the guest CPU has SVE"
vm_expect_load_ok "$log" "kexec -c -l"
vm_expect_checks "$log" 2
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish arm64-load-cpumax
