#!/bin/bash
# make-uki.sh OUT LINUX [.initrd=FILE] [.cmdline=FILE] [.dtb=FILE]...
# A Unified Kernel Image as ukify makes one, with binutils only: systemd's EFI
# stub (Debian's systemd-boot-efi, $UKI_STUB to override) plus a section per
# part, each at its own page-aligned address after the stub's last section.
# The stub never runs in our tests (kexec takes the parts out); the layout is
# still a valid PE image that systemd-boot would start.
set -euo pipefail
out=${1:?usage: make-uki.sh OUT LINUX [.section=FILE]...}
linux=${2:?usage: make-uki.sh OUT LINUX [.section=FILE]...}
shift 2
stub=${UKI_STUB:-}
if [[ -z $stub ]]; then
	case $(od -An -tx1 -j $((0x202)) -N4 "$linux" | tr -d ' \n') in
	48647253) stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub ;;
	*) stub=/usr/lib/systemd/boot/efi/linuxaa64.efi.stub ;;
	esac
fi
[[ -f $stub ]] || { echo "make-uki.sh: no EFI stub $stub (apt-get install systemd-boot-efi)" >&2; exit 1; }
# The host's binutils read x86_64 PE files; an arm64 stub needs the
# aarch64 ones (binutils-aarch64-linux-gnu, with the cross compiler).
objcopy=objcopy objdump=objdump
if [[ $stub == *aa64* ]]; then
	objcopy=aarch64-linux-gnu-objcopy objdump=aarch64-linux-gnu-objdump
	command -v $objcopy >/dev/null || { echo "make-uki.sh: $objcopy is missing (binutils-aarch64-linux-gnu)" >&2; exit 1; }
fi

# The end of the stub's last section (VMA + size), from objdump's section table.
end=0
while read -r idx _ size vma _; do
	[[ $idx =~ ^[0-9]+$ && $size =~ ^[0-9a-f]+$ && $vma =~ ^[0-9a-f]+$ ]] || continue
	((0x$vma + 0x$size > end)) && end=$((0x$vma + 0x$size))
done < <($objdump -h "$stub")
((end > 0)) || { echo "make-uki.sh: no sections in $stub ($objdump -h)" >&2; exit 1; }
align() { echo $(((($1) + 4095) / 4096 * 4096)); }
addr=$(align "$end")
args=()
add() { # SECTION FILE
	args+=(--add-section "$1=$2" --change-section-vma "$1=$(printf 0x%x "$addr")")
	addr=$(align $((addr + $(stat -Lc %s "$2"))))
}
for part in "$@"; do
	add "${part%%=*}" "${part#*=}"
done
# .linux last, as ukify does, so that it may grow in place.
add .linux "$linux"
$objcopy "${args[@]}" "$stub" "$out"
