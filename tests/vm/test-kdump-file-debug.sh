#!/bin/bash
# kdumpctl's form, `kexec -s -d -p`, on Debian 12's 6.1 kernel: the kernel
# knows no KEXEC_FILE_DEBUG (6.8+) and would refuse the whole load with
# EINVAL, leaving kdump off. The flag is left out (a debug line says so), the
# crash kernel loads, and after the sysrq crash its vmcore is read whole on
# the host, as in kdump-file.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vm_kdump_extra() {
	vm_expect "$1" '^ERR load: kexec: debug: KEXEC_FILE_DEBUG left out: the running kernel \(6\.1\) predates it' \
		"-d says that KEXEC_FILE_DEBUG is left out on 6.1"
	vm_expect "$1" '^ERR load: kexec: debug: kexec_file_load\(.*flags=0x2\)$' \
		"the syscall's flags are ON_CRASH only"
}
vm_kdump_test kdump-file-debug -sd
