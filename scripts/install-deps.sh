#!/usr/bin/env bash
# Install what building and testing need, from Debian's packages, once.
# Usage: scripts/install-deps.sh [build|vm|fuzz|install|package|all]...
#
# Nothing is fetched when everything is installed already (and the arm64
# dpkg architecture is there), so this works with the registry unreachable.
# apt-get waits for the dpkg lock (up to 10 minutes) instead of failing, and
# an update or install that fails is retried once (scripts/apt.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/apt.sh
. "$top/scripts/apt.sh"

# build: the native build, and the static arm64 and riscv64 kexecs
# (build-aarch64/, build-riscv64/, through scripts/build-cross.sh; the arm64
# libfdt is unpacked from Debian's .debs, not installed, so the arm64 dpkg
# architecture must be known to apt; the riscv64 one comes from Debian 13's
# riscv64 index through an apt state in the cache: no dpkg architecture).
# The decompression libraries unwrap compressed kernels, EFI zboot images and
# UKIs; the zstd, lz4 and xz tools and systemd's EFI stub (systemd-boot-efi)
# build such images in the tests. python3-jsonschema checks the command's
# JSON reports against docs/schema/ (tests/cli/test-json.sh).
build_pkgs=(gcc meson ninja-build pkg-config libcmocka-dev strace valgrind libfdt-dev
	device-tree-compiler gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
	zlib1g-dev liblzma-dev libzstd-dev liblz4-dev zstd lz4 xz-utils systemd-boot-efi
	python3-jsonschema)
# vm: the x86_64, arm64 and riscv64 QEMU guests (tests/vm). qemu-user-static
# runs arm64 and riscv64 binaries on the host (the foreign busyboxes list
# their applets with it). qemu-system-misc has qemu-system-riscv64; its
# OpenSBI firmware comes with qemu-system-data. xz-utils unpacks the riscv64
# kernel's modules (the kdump test's NVMe driver).
vm_pkgs=(qemu-system-x86 busybox-static cpio ovmf lz4 binutils
	qemu-system-arm qemu-efi-aarch64 qemu-user-static qemu-system-misc xz-utils)
# libFuzzer and the sanitizer runtimes come with Debian's clang.
fuzz_pkgs=(clang-14 libclang-rt-14-dev)
# install: `make install`, the native build only (no cross compilers, no
# tests). package: building the .debs (debian/) and tests/install/run.sh,
# which installs them into a Debian 12 root made by mmdebstrap and renders
# the man pages with man-db (debian/control's Build-Depends, and git for the
# copy of the tree the test builds in).
install_pkgs=(gcc meson ninja-build pkg-config python3 libfdt-dev zlib1g-dev liblzma-dev
	libzstd-dev liblz4-dev)
package_pkgs=(debhelper dpkg-dev fakeroot mmdebstrap man-db bash-completion libcmocka-dev git
	gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu)

want=()
need_arm64=0
[ $# -gt 0 ] || set -- all
for group in "$@"; do
	case "$group" in
	build) want+=("${build_pkgs[@]}"); need_arm64=1 ;;
	vm) want+=("${vm_pkgs[@]}"); need_arm64=1 ;;
	fuzz) want+=("${fuzz_pkgs[@]}") ;;
	install) want+=("${install_pkgs[@]}") ;;
	package) want+=("${install_pkgs[@]}" "${package_pkgs[@]}") ;;
	all) want+=("${build_pkgs[@]}" "${vm_pkgs[@]}" "${fuzz_pkgs[@]}" "${install_pkgs[@]}"
		"${package_pkgs[@]}"); need_arm64=1 ;;
	*) echo "usage: $0 [build|vm|fuzz|install|package|all]..." >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
arch_missing=0
if [ "$need_arm64" -eq 1 ] && [ "$(dpkg --print-architecture)" != arm64 ] &&
	! dpkg --print-foreign-architectures | grep -qx arm64; then
	arch_missing=1
fi
[ ${#missing[@]} -eq 0 ] && [ "$arch_missing" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	[ ${#missing[@]} -eq 0 ] || echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
	[ "$arch_missing" -eq 0 ] || echo "install-deps: dpkg architecture arm64 is missing (as root: dpkg --add-architecture arm64 && apt-get update)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$arch_missing" -eq 1 ]; then
	kx_apt_ensure_arch arm64 # runs apt-get update
elif [ ${#missing[@]} -gt 0 ]; then
	kx_apt update -qq
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
if ! apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
	# Stale lists (a package replaced on the mirror) or a transient failure:
	# refresh and try once more.
	echo "install-deps: apt-get install failed; updating and retrying once" >&2
	kx_apt update -qq || true
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
