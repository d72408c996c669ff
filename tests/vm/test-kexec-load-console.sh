#!/bin/bash
# --console-serial (kexec-tools' option): the purgatory says on the serial
# console what it checks and that it enters the kernel, between `kexec -e`
# and the second kernel's first line; the default mode goes to kexec_load
# for it (kexec_file_load has its own purgatory).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

name=kexec-load-console
[[ $VM_ARCH == x86_64 ]] || name=$VM_ARCH-load-console
vm_test_setup "$name"
nonce=$(vm_nonce)
console=$VM_CONSOLE kernel=$VM_GUEST_KERNEL
# VM_LOAD_EXTRA: more options for the load (a wrapper's, e.g. --check=sha256).
extra=${VM_LOAD_EXTRA:-}
cmdline="console=$console${VM_ARCH_ARGS:+ $VM_ARCH_ARGS} kxtest=c-CONSOLE-$nonce quiet"

vm_scenario_exec "$cmdline" "$(
	cat <<EOS
vt_run load kexec --console-serial $extra -l $kernel --initrd=/boot/stage2.cpio.gz --append="\$CMDLINE"
EOS
)"

vm_boot ""
log=$VM_LOG
vm_expect_load_ok "$log" "kexec --console-serial -l"
vm_expect_checks "$log" 1
# VM_CONSOLE_CHECKING: what a wrapper expects after "checking the segments" (an ERE).
vm_expect_order "$log" '^STAGE1-EXEC$' "^purgatory: checking the segments${VM_CONSOLE_CHECKING:-}" "the purgatory says it checks${VM_CONSOLE_CHECKING:+ (${VM_CONSOLE_CHECKING# })}, after kexec -e"
vm_expect_order "$log" '^purgatory: checking the segments' '^purgatory: entering the kernel' "then that it enters the kernel"
vm_expect_order "$log" '^purgatory: entering the kernel' '^STAGE2-CMDLINE: ' "and the second kernel starts"
vm_expect_stage2 "$log" "$cmdline" "$VM_KVER"
vm_finish "$name"
