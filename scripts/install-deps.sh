#!/usr/bin/env bash
# Install what building and testing need, from Debian's packages, once.
# Usage: scripts/install-deps.sh [build|cross|test|vm-main|vm|fuzz|install|package|all]...
#
# Nothing is fetched when everything is installed already (and the arm64
# dpkg architecture is there), so this works with the registry unreachable.
# apt-get waits for the dpkg lock (up to 10 minutes) instead of failing, and
# an update or install that fails is retried once (scripts/apt.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/apt.sh
. "$top/scripts/apt.sh"

# Groups, each installed by the make target that needs it (so that `make run`
# fetches only what the demo needs):
# build: the native build (make, make run). libcmocka for the unit tests
# meson configures by default; python3 builds the purgatories.
build_pkgs=(gcc meson ninja-build pkg-config python3 libcmocka-dev libfdt-dev
	zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libxxhash-dev)
# cross: the static arm64, riscv64, 32-bit ARM, i386, MIPS, s390x and ppc64el
# kexecs (build-aarch64/, build-riscv64/, build-armhf/, build-i686/,
# build-mips64el/, build-s390x/, build-ppc64le/, through scripts/build-cross.sh;
# the arm64 and armhf libraries are unpacked from Debian's .debs, not
# installed, so those dpkg architectures must be known to apt; the riscv64
# ones come from Debian 13's riscv64 index, the i386 ones from the host
# release's i386 index and the mips64el, s390x and ppc64el ones from Debian 12's, each through
# an apt state in the cache: no dpkg
# architecture). With them installed, the native build also embeds the
# arm64, riscv64, 32-bit ARM, MIPS, s390x and ppc64 purgatories (--dry-run for
# those; the i386 purgatory needs only the host's gcc -m32).
cross_pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-riscv64-linux-gnu
	libc6-dev-riscv64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	gcc-i686-linux-gnu libc6-dev-i386-cross gcc-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross
	gcc-s390x-linux-gnu libc6-dev-s390x-cross gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross)
# test: what make check's host-side tests run. The zstd, lz4 and xz tools and
# systemd's EFI stub (systemd-boot-efi) build compressed kernels, zboot
# images and UKIs; python3-jsonschema checks the command's JSON reports
# against docs/schema/; qemu-user-static runs the arm64 and riscv64
# purgatories in the unit tests (and lists the foreign busyboxes' applets);
# device-tree-compiler makes the device tree fixtures; setpriv (util-linux)
# runs the unprivileged checks as nobody.
test_pkgs=(strace valgrind device-tree-compiler zstd lz4 xz-utils systemd-boot-efi
	python3-jsonschema qemu-user-static util-linux binutils cpio)
# vm-main: what `make run` boots: the x86_64 guest, its busybox initramfs.
vm_main_pkgs=(qemu-system-x86 busybox-static cpio binutils)
# vm: every guest of tests/vm: x86_64 and i386 (ovmf for UEFI), arm64 and arm
# (qemu-efi-aarch64, qemu-system-arm), MIPS (qemu-system-mips), ppc64el
# (qemu-system-ppc)
# and riscv64 and s390x (qemu-system-misc, which on Debian 13 pulls in
# qemu-system-riscv and qemu-system-s390x; riscv64's OpenSBI firmware comes with
# qemu-system-data). xz-utils unpacks the riscv64 kernel's modules (the kdump
# test's virtio drivers).
vm_pkgs=("${vm_main_pkgs[@]}" ovmf lz4 qemu-system-arm qemu-efi-aarch64 qemu-user-static
	qemu-system-misc qemu-system-mips qemu-system-ppc xz-utils)
# fuzz: libFuzzer and the sanitizer runtimes come with Debian's clang; the
# meta packages pick the release's own version (14 on Debian 12, 19 on 13).
fuzz_pkgs=(clang libclang-rt-dev)
# install: `make install`, the native build only (no cross compilers, no
# tests). package: building the .debs (debian/control's Build-Depends,
# build-essential included) and tests/install/run.sh, which installs them into
# a root of this machine's release made by mmdebstrap and renders the man
# pages with man-db (and git for the copy of the tree the test builds in).
install_pkgs=(gcc meson ninja-build pkg-config python3 libfdt-dev zlib1g-dev liblzma-dev
	libzstd-dev liblz4-dev)
package_pkgs=(build-essential debhelper dpkg-dev fakeroot mmdebstrap e2fsprogs man-db bash-completion
	libcmocka-dev git "${cross_pkgs[@]}")
groups="build|cross|test|vm-main|vm|fuzz|install|package|all"

want=()
need_arm64=0
[ $# -gt 0 ] || set -- all
for group in "$@"; do
	case "$group" in
	build) want+=("${build_pkgs[@]}") ;;
	cross) want+=("${cross_pkgs[@]}"); need_arm64=1 ;;
	test) want+=("${test_pkgs[@]}" "${cross_pkgs[@]}"); need_arm64=1 ;;
	vm-main) want+=("${vm_main_pkgs[@]}") ;;
	vm) want+=("${vm_pkgs[@]}"); need_arm64=1 ;;
	fuzz) want+=("${fuzz_pkgs[@]}") ;;
	install) want+=("${install_pkgs[@]}") ;;
	package) want+=("${install_pkgs[@]}" "${package_pkgs[@]}") ;;
	all) want+=("${build_pkgs[@]}" "${cross_pkgs[@]}" "${test_pkgs[@]}" "${vm_pkgs[@]}"
		"${fuzz_pkgs[@]}" "${install_pkgs[@]}" "${package_pkgs[@]}"); need_arm64=1 ;;
	*) echo "usage: $0 [$groups]..." >&2; exit 2 ;;
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
