#!/bin/bash
# Failures must be clean: one "kexec: ..." line on stderr naming the file,
# a non-zero exit, and nothing left loaded. The guest has NO crashkernel=.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_test_setup bad-input

cat >"$VM_SCENARIO" <<'EOS'
. /lib/vmtest.sh
vt_check crash_size "$(cat /sys/kernel/kexec_crash_size)" 0
vt_run notkernel kexec -s -l /bin/busybox
vt_check notkernel_loaded "$(vt_loaded)" 0
vt_check notkernel_crash_loaded "$(vt_crash_loaded)" 0
vt_run noinitrd kexec -s -l /boot/vmlinuz --initrd=/nonexistent
vt_check noinitrd_loaded "$(vt_loaded)" 0
vt_check noinitrd_crash_loaded "$(vt_crash_loaded)" 0
vt_run nocrashmem kexec -s -p /boot/vmlinuz
vt_check nocrashmem_loaded "$(vt_loaded)" 0
vt_check nocrashmem_crash_loaded "$(vt_crash_loaded)" 0
echo BAD-INPUT-END
EOS

vm_boot ""
log=$VM_LOG
vm_expect "$log" '^BAD-INPUT-END$' "scenario ran to the end"
vm_expect_checks "$log" 7

# check_case TAG WHAT ERE: exit status non-zero, exactly one stderr line that
# starts with "kexec: " and matches ERE.
check_case() {
	local tag=$1 what=$2 re=$3 rc lines err
	rc=$(vm_field "$log" "RC $tag: ")
	lines=$(vm_field "$log" "ERRLINES $tag: ")
	err=$(vm_field "$log" "ERR $tag: ")
	if [[ -n $rc && $rc != 0 ]]; then
		vm_ok "$what: exit status $rc"
	else
		vm__fail "$log" "$what: exit status '${rc:-missing}', want non-zero"
	fi
	if [[ $lines == 1 ]]; then
		vm_ok "$what: one stderr line"
	else
		vm__fail "" "$what: ${lines:-no} stderr lines, want 1: $(grep -F "ERR $tag: " "$log" | sed "s/^ERR $tag: //" | head -n 5 | paste -sd'|')"
	fi
	if grep -Fxq "ERRNONEWLINE $tag" "$log"; then
		vm__fail "" "$what: stderr does not end with a newline"
	fi
	if [[ $err == "kexec: "* ]] && grep -Eq -- "$re" <<<"$err"; then
		vm_ok "$what: stderr '$err'"
	else
		vm__fail "" "$what: stderr '$err' does not start with 'kexec: ' and match /$re/"
	fi
}
check_case notkernel "kexec -s -l /bin/busybox" '/bin/busybox'
check_case noinitrd "kexec -s -l --initrd=/nonexistent" '/nonexistent'
check_case nocrashmem "kexec -s -p without crashkernel=" '/boot/vmlinuz|crashkernel='
vm_finish bad-input
