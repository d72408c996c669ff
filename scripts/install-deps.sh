#!/usr/bin/env bash
# Install what building and testing need, from Debian's packages, once.
# Usage: scripts/install-deps.sh [build|vm|fuzz|all]
set -euo pipefail

build_pkgs=(gcc meson ninja-build pkg-config libcmocka-dev strace valgrind)
vm_pkgs=(qemu-system-x86 busybox-static cpio ovmf lz4 binutils)
# libFuzzer and the sanitizer runtimes come with Debian's clang.
fuzz_pkgs=(clang-14 libclang-rt-14-dev)

case "${1:-all}" in
build) want=("${build_pkgs[@]}") ;;
vm) want=("${vm_pkgs[@]}") ;;
fuzz) want=("${fuzz_pkgs[@]}") ;;
all) want=("${build_pkgs[@]}" "${vm_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
*) echo "usage: $0 [build|vm|fuzz|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
