#!/bin/bash
# kdump with crash hotplug through kexec_load on Debian 13's 6.12 (which has
# CONFIG_CRASH_HOTPLUG): `kexec -c --hotplug -p` sizes the ELF core header's
# segment for /sys/kernel/crash_elfcorehdr_size, leaves it out of the
# purgatory's check and sets KEXEC_UPDATE_ELFCOREHDR. Then CPU 1 goes offline
# and back online: /sys/devices/system/cpu/crash_hotplug reads 1 and the
# kernel rewrites our header (its dynamic debug line "crash hp: updated
# elfcorehdr"); after sysrq-c the crash kernel boots (the purgatory's check
# still passes) and its vmcore, described by the kernel's rewritten header,
# is read whole on the host (readelf, vmcore-dmesg).
set -euo pipefail
VM_DEBIAN=13
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VM_KDUMP_BOOT_EXTRA='dyndbg="file arch/x86/kernel/crash.c +p; file kernel/crash_core.c +p"'
VM_KDUMP_BEFORE_CRASH=$(
	cat <<'EOS'
echo "STAGE1-CRASH-HOTPLUG: $(cat /sys/devices/system/cpu/crash_hotplug)"
echo "STAGE1-ELFCOREHDR-SIZE: $(cat /sys/kernel/crash_elfcorehdr_size)"
echo 0 >/sys/devices/system/cpu/cpu1/online && echo "STAGE1-CPU1-OFFLINE: $(cat /sys/devices/system/cpu/online)"
echo 1 >/sys/devices/system/cpu/cpu1/online && echo "STAGE1-CPU1-ONLINE: $(cat /sys/devices/system/cpu/online)"
dmesg | grep 'crash hp' | sed 's/^/STAGE1-DMESG: /'
EOS
)
vm_kdump_extra() {
	local log=$1
	vm_expect_line "$log" "STAGE1-CRASH-HOTPLUG: 1" "/sys/devices/system/cpu/crash_hotplug reads 1 after kexec -c --hotplug -p"
	vm_expect "$log" '^STAGE1-ELFCOREHDR-SIZE: [1-9][0-9]*$' "the kernel says how large a header it may write"
	vm_expect_line "$log" "STAGE1-CPU1-OFFLINE: 0" "CPU 1 went offline"
	vm_expect_line "$log" "STAGE1-CPU1-ONLINE: 0-1" "CPU 1 came back online"
	vm_expect "$log" '^STAGE1-DMESG: .*crash hp: updated elfcorehdr' "the kernel rewrote our core header on the CPU hotplug"
	vm_expect_not "$log" 'crash hp: (update elfcorehdr elfsz|unable to|mapping elfcorehdr)' "the kernel had no trouble with our header's segment"
}
vm_kdump_test kdump-hotplug "-c --hotplug"
