# shellcheck shell=bash
# tests/vm/lib.sh - shared helpers for the QEMU (TCG) VM tests.
#
# Source it from a test script:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Environment:
#   VM_ARCH         x86_64 (default), arm64, riscv64, arm, i386 or mips64el: the
#                   guest architecture. A test of another architecture than
#                   x86_64 sets it before sourcing this file.
#   KEXEC_BIN       static kexec binary to test (default: <repo>/build/kexec,
#                   <repo>/build-aarch64/kexec for arm64,
#                   <repo>/build-riscv64/kexec for riscv64)
#   LIBKEXEC_CACHE  where the Debian cloud kernel is downloaded and unpacked
#                   (default: ${XDG_CACHE_HOME:-$HOME/.cache}/libkexec)
#   VM_LOG_DIR      where serial logs and scenario scripts go
#                   (default: <repo>/build/vm-logs)
#   VM_TIMEOUT      seconds before a guest is killed (default: 90), times
#                   KX_TIME_SCALE
#   KX_TIME_SCALE   multiplies every timeout of the tests (default: 2; a
#                   slow or busy host may need more; never needed for speed)
#   VM_SETUP_LOCK   a file: when set (run-all.sh runs guests side by side),
#                   a test holds a lock on it from when it starts until its
#                   first guest starts, so that downloads into the cache and
#                   unpacking happen one test at a time
#   VM_STOP_PATTERN a fixed string: once the serial log has it, the guest is
#                   stopped (for guests that halt on purpose instead of ending)
#   VM_EXTRA_ROOT   optional directory whose contents are copied into the
#                   stage-1 initramfs (e.g. shared libraries for a dynamically
#                   linked kexec used while developing the harness)
#   VM_OVMF         OVMF firmware image for vm_use_uefi
#                   (default: /usr/share/ovmf/OVMF.fd, package ovmf)
#   VM_SMP          guest CPUs (default: 1; the kdump tests use 2)
#   VM_MEM          guest memory when the test gives none (default: 1G)
#   VM_CPU          qemu -cpu (default: max on x86_64, cortex-a57 on arm64,
#                   rv64 on riscv64)
#   VM_KDUMP_CRASHKERNEL
#                   crashkernel= size for vm_kdump_test (default: 96M on
#                   x86_64, 192M on arm64 and riscv64)
#   VM_KDUMP_BOOT_EXTRA  more of the first kernel's command line for
#                   vm_kdump_test (dyndbg=...)
#   VM_KDUMP_BEFORE_CRASH  guest shell lines vm_kdump_test runs between the
#                   load and the crash (CPU hotplug)
#   VM_DEBIAN       x86_64: 12 (default: bookworm's linux-image-cloud-amd64),
#                   13 (trixie's, from trixie's own amd64 index) or 13bpo
#                   (trixie-backports', the newest kernel Debian builds)
# arm64 only (VM_ARCH=arm64):
#   VM_DEBIAN       12 (default: bookworm's linux-image-cloud-arm64) or 13
#                   (trixie's, resolved from trixie's own arm64 index)
#   VM_ARM64_KERNEL a vmlinuz or Image to boot instead of Debian's
#   VM_AAVMF        UEFI firmware for vm_use_uefi
#                   (default: /usr/share/qemu-efi-aarch64/QEMU_EFI.fd)
# riscv64 only (VM_ARCH=riscv64; Debian 12 has no riscv64 port: everything
# comes from Debian 13's riscv64 index, kx_trixie_apt):
#   VM_RISCV64_KERNEL  a vmlinux/vmlinuz or Image to boot instead of
#                   Debian 13's linux-image-riscv64
#   VM_RISCV64_BIOS qemu -bios (default: "default", QEMU's own OpenSBI,
#                   /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin)
#   VM_STAGE2_MODULES  kernel modules (names) the stage-2 init loads first,
#                   with what they depend on, from the guest kernel's package
#                   (the riscv64 kdump tests: nvme)
#
# Nothing here ever runs kexec on the host: kexec only runs inside guests.

VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_REPO_ROOT=$(cd "$VM_LIB_DIR/../.." && pwd)
# shellcheck source=SCRIPTDIR/../../scripts/apt.sh
. "$VM_REPO_ROOT/scripts/apt.sh"
VM_LOG_DIR=${VM_LOG_DIR:-$VM_REPO_ROOT/build/vm-logs}
VM_TIMEOUT=${VM_TIMEOUT:-90}
KX_TIME_SCALE=${KX_TIME_SCALE:-2}
[[ $KX_TIME_SCALE =~ ^[1-9][0-9]*$ ]] || {
	printf 'vm: error: KX_TIME_SCALE=%s: want a whole number of at least 1\n' "$KX_TIME_SCALE" >&2
	exit 1
}
if [[ -n ${VM_SETUP_LOCK:-} ]]; then
	exec {VM__LOCK_FD}>>"$VM_SETUP_LOCK"
	flock "$VM__LOCK_FD"
fi
# vm__setup_done: the test is past what it shares with others; let the next one in.
vm__setup_done() {
	if [[ -n ${VM__LOCK_FD:-} ]]; then
		flock -u "$VM__LOCK_FD"
		exec {VM__LOCK_FD}>&-
		VM__LOCK_FD=
	fi
}
VM_ARCH=${VM_ARCH:-x86_64}
case $VM_ARCH in
x86_64)
	VM_DEBIAN=${VM_DEBIAN:-12}
	if [[ $VM_DEBIAN != 12 ]]; then
		# An inherited VM_KERNEL (run-all.sh exports Debian 12's) is not ours.
		VM_KERNEL=
		VM_KVER=
	fi
	VM_KERNEL=${VM_KERNEL:-}
	VM_KVER=${VM_KVER:-}
	# Where stage 1 finds the kernel it kexecs (the booted one).
	VM_GUEST_KERNEL=/boot/vmlinuz
	# On a slow or busy TCG host the kernel's boot-time check of the IO-APIC
	# timer can miss its ticks and panic ("IO-APIC + timer doesn't work!"):
	# every x86_64 kernel the tests boot (first, kexec'd or crash) skips it.
	VM_ARCH_ARGS="no_timer_check"
	;;
arm64)
	# An inherited VM_KERNEL (run-all.sh exports the x86_64 one) is not
	# ours: vm_fetch_kernel resolves the arm64 kernel of $VM_DEBIAN.
	VM_KERNEL=
	VM_KVER=
	VM_DEBIAN=${VM_DEBIAN:-12}
	# The raw Image: what our kexec_load path loads.
	VM_GUEST_KERNEL=/boot/Image
	VM_ARCH_ARGS=
	;;
riscv64)
	# As arm64: the inherited x86_64 kernel is not ours.
	VM_KERNEL=
	VM_KVER=
	VM_DEBIAN=${VM_DEBIAN:-13}
	VM_GUEST_KERNEL=/boot/Image
	VM_ARCH_ARGS=
	;;
arm)
	# 32-bit ARM (armhf): Debian 12's armmp-lpae or Debian 13's armmp
	# kernel, a zImage, booted and loaded as it is.
	VM_KERNEL=
	VM_KVER=
	VM_DEBIAN=${VM_DEBIAN:-12}
	VM_GUEST_KERNEL=/boot/vmlinuz
	VM_ARCH_ARGS=
	;;
i386)
	# Debian 12's 686-pae kernel (Debian 13 has no i386 kernel), a
	# bzImage booted and loaded as it is, under qemu-system-i386 -M pc.
	VM_KERNEL=
	VM_KVER=
	VM_DEBIAN=${VM_DEBIAN:-12}
	VM_GUEST_KERNEL=/boot/vmlinuz
	VM_ARCH_ARGS="no_timer_check"
	;;
mips64el)
	# Debian 12's loongson-3 kernel (Debian 13 has no mips64el port), a
	# self-decompressing ELF vmlinuz, under qemu-system-mips64el -M
	# loongson3-virt.
	VM_KERNEL=
	VM_KVER=
	VM_DEBIAN=${VM_DEBIAN:-12}
	VM_GUEST_KERNEL=/boot/vmlinuz
	VM_ARCH_ARGS=
	;;
s390x)
	# Debian 12's s390x kernel (Debian 13's has no kexec), the image as
	# installed, under qemu-system-s390x -M s390-ccw-virtio.
	VM_KERNEL=
	VM_KVER=
	VM_DEBIAN=${VM_DEBIAN:-12}
	VM_GUEST_KERNEL=/boot/vmlinuz
	VM_ARCH_ARGS=
	;;
ppc64el)
	# Debian 12's powerpc64le kernel (Debian 13's works too; 12 keeps its
	# files on the mirror), the ELF vmlinux as installed, under
	# qemu-system-ppc64 -M pseries.
	VM_KERNEL=
	VM_KVER=
	VM_DEBIAN=${VM_DEBIAN:-12}
	VM_GUEST_KERNEL=/boot/vmlinux
	VM_ARCH_ARGS=
	;;
*)
	printf 'vm: error: VM_ARCH=%s: want x86_64, arm64, riscv64, arm, i386, mips64el, s390x or ppc64el\n' "$VM_ARCH" >&2
	exit 1
	;;
esac
# Per architecture: where make puts its static kexec (VM__BUILD), the
# qemu-user that runs its programs here (VM__QEMU_USER; none for x86), what
# readelf says its machine is (VM__MACHINE, an ERE) and its name in messages.
case $VM_ARCH in
x86_64) VM__BUILD=build VM__QEMU_USER= VM__MACHINE='X86-64' VM__TITLE=x86_64 ;;
arm64) VM__BUILD=build-aarch64 VM__QEMU_USER=qemu-aarch64-static VM__MACHINE='AArch64' VM__TITLE=AArch64 ;;
riscv64) VM__BUILD=build-riscv64 VM__QEMU_USER=qemu-riscv64-static VM__MACHINE='RISC-V' VM__TITLE=RISC-V ;;
arm) VM__BUILD=build-armhf VM__QEMU_USER=qemu-arm-static VM__MACHINE='ARM$' VM__TITLE='32-bit ARM' ;;
i386) VM__BUILD=build-i686 VM__QEMU_USER= VM__MACHINE='Intel 80386' VM__TITLE=i386 ;;
mips64el) VM__BUILD=build-mips64el VM__QEMU_USER=qemu-mips64el-static VM__MACHINE='MIPS' VM__TITLE=MIPS ;;
s390x) VM__BUILD=build-s390x VM__QEMU_USER=qemu-s390x-static VM__MACHINE='IBM S/390' VM__TITLE=s390x ;;
ppc64el) VM__BUILD=build-ppc64le VM__QEMU_USER=qemu-ppc64le-static VM__MACHINE='PowerPC64' VM__TITLE=ppc64el ;;
esac
# The guests' serial console, and the segment that carries the boot data.
case $VM_ARCH in
arm | arm64) VM_CONSOLE=ttyAMA0 ;;
s390x) VM_CONSOLE=ttysclp0 ;;
ppc64el) VM_CONSOLE=hvc0 ;;
*) VM_CONSOLE=ttyS0 ;;
esac
case $VM_ARCH in
x86_64 | i386) VM_BOOT_DATA_ROLE=boot_params ;;
mips64el) VM_BOOT_DATA_ROLE=cmdline ;;
s390x) VM_BOOT_DATA_ROLE= ;; # the command line and initrd are in the image's own pages
*) VM_BOOT_DATA_ROLE=dtb ;;
esac
# The segments a kexec_load with an initrd makes.
VM_LOAD_ROLES="kernel initrd ${VM_BOOT_DATA_ROLE:+$VM_BOOT_DATA_ROLE }purgatory"
VM_INITRD=${VM_INITRD:-}
VM_FAILURES=()
# Per test: extra files for the stage-1 initramfs (vm_add_file) and extra
# qemu arguments (vm_use_uefi, or set directly).
VM_ADD_SRC=()
VM_ADD_DST=()
VM_QEMU_ARGS=()
VM_STAGE2_MODULES=(${VM_STAGE2_MODULES[@]+"${VM_STAGE2_MODULES[@]}"})

vm_kexec_bin() {
	local bin=${KEXEC_BIN:-$VM_REPO_ROOT/$VM__BUILD/kexec}
	case $bin in
	/*) ;;
	*) bin=$PWD/$bin ;;
	esac
	printf '%s\n' "$bin"
}

vm_cache_dir() {
	kx_cache_dir
}

vm_die() {
	printf 'vm: error: %s\n' "$*" >&2
	exit 1
}

# vm__resolve_image_pkg META ERE: the versioned kernel package (matching ERE)
# that the meta package META currently depends on, or nothing.
vm__resolve_image_pkg() {
	apt-cache depends "$1" 2>/dev/null |
		VM_RE=$2 awk '$1 ~ /Depends:$/ && $2 ~ ENVIRON["VM_RE"] { print $2; exit }'
}

# Print the name of the versioned kernel package that linux-image-cloud-amd64
# currently depends on, or nothing.
vm__resolve_kernel_pkg() {
	vm__resolve_image_pkg linux-image-cloud-amd64 '^linux-image-[0-9].*-cloud-amd64$'
}

# vm__cached_kernel: newest cloud vmlinuz already unpacked in the cache, or
# nothing. (The cache may also hold the generic kernel: never take that one.)
vm__cached_kernel() {
	local not=() rec
	# Not Debian 13's nor its backports' (vm__fetch_x86_64_release_kernel), which sort later.
	for rec in amd64-debian13.kernel amd64-debian13bpo.kernel; do
		[[ -s $(vm_cache_dir)/$rec ]] && not+=(-e "/$(cat "$(vm_cache_dir)/$rec")/")
	done
	find "$(vm_cache_dir)" -path '*/linux-image-*-cloud-amd64/boot/vmlinuz-*' 2>/dev/null |
		{ if [[ ${#not[@]} -gt 0 ]]; then grep -v -F "${not[@]}"; else cat; fi; } | sort -V | tail -n 1
}

# vm__unpack_recorded REC PKG WHAT: unpack boot/ of the package PKG (resolved
# just now; empty when it could not be) and record its name in REC; when PKG
# is empty or cannot be had (offline), the package REC last recorded, whose
# .deb or boot/ is cached. WHAT names the kernel for messages ("Debian 13
# arm64"). Sets VM__VMLINUZ and VM__PKG; dies when there is neither.
vm__unpack_recorded() {
	local rec=$1 pkg=$2 what=$3 why=""
	if [[ -z $pkg ]]; then
		why="apt-cache cannot resolve $what's kernel package"
	elif ! vm__unpack_boot "$pkg"; then
		why=$VM__WHY
	fi
	if [[ -z $why ]]; then
		pkg=${pkg%%:*}
		# A file of this process's own: guests run at once and record together.
		printf '%s\n' "$pkg" >"$rec.$BASHPID.tmp" && mv "$rec.$BASHPID.tmp" "$rec"
	elif [[ -s $rec ]] && vm__unpack_boot "$(cat "$rec")"; then
		pkg=$(cat "$rec")
		echo "vm: warning: $why; using cached $VM__VMLINUZ" >&2
	else
		vm_die "$why, and no $what kernel is cached in $(vm_cache_dir)"
	fi
	VM__PKG=$pkg
}

# vm__fetch_release_kernel N ARCH META ERE: the package Debian N's (12, 13)
# META depends on (matching ERE), from that release's own ARCH index
# (kx_release_apt), its boot/ unpacked into the cache and recorded
# (vm__unpack_recorded, ARCH-debianN.kernel). Sets VM__VMLINUZ and VM__PKG.
vm__fetch_release_kernel() {
	local n=$1 arch=$2 meta=$3 re=$4 cache pkg
	cache=$(vm_cache_dir)
	mkdir -p "$cache"
	kx_release_apt "$(vm__codename "$n")" "$arch" || true
	VM__APT_OPTS=("${KX_RELEASE_OPTS[@]}")
	pkg=$(apt-cache "${VM__APT_OPTS[@]}" depends "$meta" 2>/dev/null |
		VM_RE=$re awk '$1 ~ /Depends:$/ && $2 ~ ENVIRON["VM_RE"] { print $2; exit }') || true
	vm__unpack_recorded "$cache/$arch-debian$n.kernel" "$pkg" "Debian $n $arch"
	VM__APT_OPTS=()
}

# vm__codename N: Debian N's codename.
vm__codename() {
	case $1 in
	12) echo bookworm ;;
	13) echo trixie ;;
	13bpo) echo trixie-backports ;;
	*) vm_die "Debian $1: want 12, 13 or 13bpo" ;;
	esac
}

# vm__host_is N: this machine runs Debian N (its apt lists are that release's).
# A test that names Debian 12's kernel boots it on a Debian 13 host too (from
# bookworm's own index), so that what it checks ("on 6.1") holds anywhere.
vm__host_is() {
	[[ $(kx_host_release) == "$(vm__codename "$1")" ]]
}

# vm__fetch_x86_64_release_kernel N: Debian N's linux-image-cloud-amd64 from
# that release's own amd64 index (vm__fetch_release_kernel): VM_DEBIAN=13,
# and 12 on a host that is not Debian 12. Sets VM_KERNEL, VM_KVER and
# VM_KCONFIG.
vm__fetch_x86_64_release_kernel() {
	vm__fetch_release_kernel "$1" amd64 linux-image-cloud-amd64 '^linux-image-[0-9].*-cloud-amd64$'
	VM_KERNEL=$VM__VMLINUZ
	VM_KVER=${VM_KERNEL##*/vmlinuz-}
	VM_KCONFIG=$(dirname "$VM_KERNEL")/config-$VM_KVER
	[[ -f $VM_KCONFIG ]] || VM_KCONFIG=
}

# vm__use_cached_kernel WHY: fall back to the newest cached kernel, or die.
vm__use_cached_kernel() {
	local k
	k=$(vm__cached_kernel)
	[[ -n $k ]] || vm_die "$1, and no kernel is cached in $(vm_cache_dir)"
	echo "vm: warning: $1; using cached $k" >&2
	VM_KERNEL=$k
	VM_KVER=${k##*/vmlinuz-}
}

# vm__deb PKG[:ARCH]: the newest .deb of PKG in the cache, downloaded there
# first (with the apt options in VM__APT_OPTS, if any) when there is none, in
# VM__DEB. Returns 1 (with the reason in VM__WHY) when the download fails.
vm__deb() {
	local pkg=$1 name=${1%%:*} cache
	cache=$(vm_cache_dir)
	VM__DEB=$(find "$cache" -maxdepth 1 -name "${name}_*.deb" | sort -V | tail -n 1)
	[[ -z $VM__DEB ]] || return 0
	if ! kx_apt_download "$cache" ${VM__APT_OPTS[@]+"${VM__APT_OPTS[@]}"} "$pkg" >"$cache/apt-download.log" 2>&1; then
		VM__WHY="apt-get download $pkg failed (see $cache/apt-download.log)"
		return 1
	fi
	VM__DEB=$(find "$cache" -maxdepth 1 -name "${name}_*.deb" | sort -V | tail -n 1)
	[[ -n $VM__DEB ]] || vm_die "apt-get download $pkg produced no .deb in $cache"
}

# vm__unpack_boot PKG[:ARCH]: make sure boot/ of the Debian package PKG is
# unpacked in $(vm_cache_dir)/PKG (downloading the .deb into the cache if
# needed, with the apt options in VM__APT_OPTS, if any) and set VM__VMLINUZ
# to its vmlinuz. Returns 1 (with the reason in VM__WHY) when the download
# fails; dies on other errors.
VM__APT_OPTS=()
vm__unpack_boot() {
	local pkg=$1 name=${1%%:*} cache deb dir k
	cache=$(vm_cache_dir)
	dir=$cache/$name
	if [[ ! -e $dir/.extracted ]]; then
		vm__deb "$pkg" || return 1
		deb=$VM__DEB
		rm -rf "$dir"
		mkdir -p "$dir"
		# (awk reads it all: grep -q would stop dpkg-deb with SIGPIPE, which pipefail reports.)
		if dpkg-deb -c "$deb" | awk '/ \.\/boot\/vmlinu[xz]-/ { f = 1 } END { exit !f }'; then
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" ./boot ||
				vm_die "unpacking boot/ from $deb failed"
		else
			vm__unpack_split "$name" "$dir" || return 1
		fi
		touch "$dir/.extracted"
	fi

	k=$(find "$dir/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
	# Debian's riscv64 kernel packages ship the Image as boot/vmlinux-*
	# (x86_64's boot/ may hold a vmlinux-* that vm_extract_vmlinux made:
	# a vmlinuz comes first).
	[[ -n $k ]] || k=$(find "$dir/boot" -maxdepth 1 -name 'vmlinux-*' | sort -V | tail -n 1)
	[[ -n $k ]] || vm_die "no vmlinuz or vmlinux in $dir/boot"
	VM__VMLINUZ=$k
}

# vm__unpack_split linux-image-VER DIR: Debian's kernels since 7.x (in
# trixie-backports) split the image package: linux-binary-VER has
# usr/lib/modules/VER/vmlinuz, linux-base-VER its config. Download both (with
# VM__APT_OPTS) and lay them out as the older packages do, DIR/boot/vmlinuz-VER
# and DIR/boot/config-VER. Returns 1 (VM__WHY) when a download fails.
vm__unpack_split() {
	local ver=${1#linux-image-} dir=$2 pkg
	mkdir -p "$dir/boot" "$dir/split"
	for pkg in "linux-binary-$ver" "linux-base-$ver"; do
		vm__deb "$pkg" || return 1
		dpkg-deb -x "$VM__DEB" "$dir/split" || vm_die "unpacking $VM__DEB failed"
	done
	[[ -f $dir/split/usr/lib/modules/$ver/vmlinuz ]] ||
		vm_die "linux-binary-$ver has no usr/lib/modules/$ver/vmlinuz"
	mv "$dir/split/usr/lib/modules/$ver/vmlinuz" "$dir/boot/vmlinuz-$ver"
	[[ ! -f $dir/split/usr/lib/modules/$ver/config ]] ||
		mv "$dir/split/usr/lib/modules/$ver/config" "$dir/boot/config-$ver"
	rm -rf "$dir/split"
}

# vm_fetch_kernel: make sure the current Debian cloud kernel (the package
# linux-image-cloud-amd64 depends on) is unpacked in the cache and set
# VM_KERNEL (vmlinuz path) and VM_KVER (its release string). Only boot/ is
# unpacked (no modules: the guests run from an initramfs). Works offline once
# something has been cached.
vm_fetch_kernel() {
	local cache pkg
	if [[ $VM_ARCH == arm64 ]]; then
		vm__fetch_arm64_kernel
		return 0
	fi
	if [[ $VM_ARCH == riscv64 ]]; then
		vm__fetch_riscv64_kernel
		return 0
	fi
	if [[ $VM_ARCH == arm ]]; then
		vm__fetch_arm_kernel
		return 0
	fi
	if [[ $VM_ARCH == i386 ]]; then
		vm__fetch_i386_kernel
		return 0
	fi
	if [[ $VM_ARCH == mips64el ]]; then
		vm__fetch_mips64el_kernel
		return 0
	fi
	if [[ $VM_ARCH == s390x ]]; then
		vm__fetch_s390x_kernel
		return 0
	fi
	if [[ $VM_ARCH == ppc64el ]]; then
		vm__fetch_ppc64el_kernel
		return 0
	fi
	case $VM_DEBIAN in
	12 | 13 | 13bpo) ;;
	*) vm_die "VM_DEBIAN=$VM_DEBIAN: want 12, 13 or 13bpo" ;;
	esac
	# Debian 13's (and its backports'), and Debian 12's on another release, from the release's own index.
	if [[ $VM_DEBIAN != 12 ]] || ! vm__host_is 12; then
		vm__fetch_x86_64_release_kernel "$VM_DEBIAN"
		return 0
	fi
	cache=$(vm_cache_dir)
	mkdir -p "$cache"

	pkg=$(vm__resolve_kernel_pkg)
	if [[ -z $pkg ]]; then
		apt-get update -qq >"$cache/apt-update.log" 2>&1 || true
		pkg=$(vm__resolve_kernel_pkg)
	fi
	if [[ -z $pkg ]]; then
		vm__use_cached_kernel "apt-cache cannot resolve linux-image-cloud-amd64"
		return 0
	fi

	if ! vm__unpack_boot "$pkg"; then
		vm__use_cached_kernel "$VM__WHY"
		return 0
	fi
	VM_KERNEL=$VM__VMLINUZ
	VM_KVER=${VM_KERNEL##*/vmlinuz-}
}

# vm_fetch_generic_kernel: like vm_fetch_kernel, for Debian's generic amd64
# kernel (the package linux-image-amd64 depends on), unpacked into the same
# cache. Sets VM_GENERIC_KERNEL and VM_GENERIC_KVER. Offline, the newest
# cached generic kernel is used.
# shellcheck disable=SC2034 # VM_GENERIC_* are for the test scripts
vm_fetch_generic_kernel() {
	local cache pkg k why=
	cache=$(vm_cache_dir)
	mkdir -p "$cache"
	if ! vm__host_is 12; then
		vm__fetch_release_kernel 12 amd64 linux-image-amd64 '^linux-image-[0-9].*[0-9]-amd64$'
		VM_GENERIC_KERNEL=$VM__VMLINUZ
		VM_GENERIC_KVER=${VM_GENERIC_KERNEL##*/vmlinuz-}
		return 0
	fi

	pkg=$(vm__resolve_image_pkg linux-image-amd64 '^linux-image-[0-9].*[0-9]-amd64$')
	if [[ -z $pkg ]]; then
		apt-get update -qq >"$cache/apt-update.log" 2>&1 || true
		pkg=$(vm__resolve_image_pkg linux-image-amd64 '^linux-image-[0-9].*[0-9]-amd64$')
	fi
	if [[ -z $pkg ]]; then
		why="apt-cache cannot resolve linux-image-amd64"
	else
		if vm__unpack_boot "$pkg"; then
			VM_GENERIC_KERNEL=$VM__VMLINUZ
			VM_GENERIC_KVER=${VM_GENERIC_KERNEL##*/vmlinuz-}
			return 0
		fi
		why=$VM__WHY
	fi
	k=$(find "$cache" -path '*/linux-image-*[0-9]-amd64/boot/vmlinuz-*[0-9]-amd64' 2>/dev/null | sort -V | tail -n 1)
	[[ -n $k ]] || vm_die "$why, and no generic kernel is cached in $cache"
	echo "vm: warning: $why; using cached $k" >&2
	VM_GENERIC_KERNEL=$k
	VM_GENERIC_KVER=${k##*/vmlinuz-}
}

# ---- arm64 guests (VM_ARCH=arm64) ------------------------------------------

# vm__trixie_apt_opts [ARCH]: set VM__APT_OPTS to apt options that read and
# write an apt state of its own in $(vm_cache_dir)/trixie-ARCH (default
# arm64): Debian 13's ARCH index (main and security), signed
# by Debian's archive keys, without touching the host's sources or lists
# (kx_trixie_apt, scripts/apt.sh: the index, 10 to 20 MB, is refreshed once
# a day).
vm__trixie_apt_opts() {
	kx_trixie_apt "${1:-arm64}" || true
	VM__APT_OPTS=("${KX_TRIXIE_OPTS[@]}")
}

# vm__fetch_arm64_kernel: the arm64 counterpart of vm_fetch_kernel. Resolves
# the package linux-image-cloud-arm64 depends on in Debian $VM_DEBIAN (12:
# the host's apt lists, `apt-cache depends linux-image-cloud-arm64:arm64`;
# 13: trixie's own arm64 index, vm__trixie_apt_opts, refreshed once a day),
# unpacks its boot/ into the cache and sets VM_VMLINUZ (the packaged
# vmlinuz), VM_KERNEL (the raw Image, vm_extract_image: what qemu boots and
# what stage 1 has at /boot/Image), VM_KVER and VM_KCONFIG (its config).
# Offline, the kernel last resolved for that Debian release is used.
vm__fetch_arm64_kernel() {
	local cache meta re pkg
	cache=$(vm_cache_dir)
	mkdir -p "$cache"
	if [[ -n ${VM_ARM64_KERNEL:-} ]]; then
		[[ -f $VM_ARM64_KERNEL ]] || vm_die "VM_ARM64_KERNEL=$VM_ARM64_KERNEL does not exist"
		VM_VMLINUZ=$VM_ARM64_KERNEL
	else
		case $VM_DEBIAN in
		12)
			if ! vm__host_is 12; then
				vm__fetch_release_kernel 12 arm64 linux-image-cloud-arm64 '^linux-image-[0-9].*-cloud-arm64$'
			else
				meta=linux-image-cloud-arm64:arm64
				re='^linux-image-[0-9].*-cloud-arm64(:arm64)?$'
				# (apt-cache fails when apt has no arm64 lists: no set -e exit.)
				pkg=$(vm__resolve_image_pkg "$meta" "$re") || true
				if [[ -z $pkg ]]; then
					kx_apt_ensure_arch arm64 >>"$cache/apt-update.log" 2>&1 || true
					kx_apt update -qq >"$cache/apt-update.log" 2>&1 || true
					pkg=$(vm__resolve_image_pkg "$meta" "$re") || true
				fi
				VM__APT_OPTS=()
				vm__unpack_recorded "$cache/arm64-debian12.kernel" "$pkg" "Debian 12 arm64"
			fi
			;;
		13)
			vm__fetch_release_kernel 13 arm64 linux-image-cloud-arm64 '^linux-image-[0-9].*-cloud-arm64$'
			;;
		*) vm_die "VM_DEBIAN=$VM_DEBIAN: want 12 or 13" ;;
		esac
		VM_VMLINUZ=$VM__VMLINUZ
	fi
	vm_extract_image "$VM_VMLINUZ"
	VM_KERNEL=$VM_IMAGE
	VM_KVER=${VM_VMLINUZ##*/vmlinuz-}
	VM_KCONFIG=$(dirname "$VM_VMLINUZ")/config-$VM_KVER
	[[ -f $VM_KCONFIG ]] || VM_KCONFIG=
}

# vm__fetch_arm_kernel: the 32-bit ARM counterpart of vm_fetch_kernel, from
# the release's own armhf index (vm__fetch_release_kernel): Debian 12's
# linux-image-armmp-lpae, Debian 13's linux-image-armmp (its LPAE kernel
# oopses in __soft_restart on kexec: a kernel bug, README). The vmlinuz is
# the zImage both boot and our kexec loads.
vm__fetch_arm_kernel() {
	case $VM_DEBIAN in
	12) vm__fetch_release_kernel 12 armhf linux-image-armmp-lpae '^linux-image-[0-9].*-armmp-lpae$' ;;
	13) vm__fetch_release_kernel 13 armhf linux-image-armmp '^linux-image-[0-9].*-armmp$' ;;
	*) vm_die "VM_DEBIAN=$VM_DEBIAN: want 12 or 13" ;;
	esac
	VM_KERNEL=$VM__VMLINUZ
	VM_KPKG=$VM__PKG
	VM_KVER=${VM_KERNEL##*/vmlinuz-}
	VM_KCONFIG=$(dirname "$VM_KERNEL")/config-$VM_KVER
	[[ -f $VM_KCONFIG ]] || VM_KCONFIG=
}

# vm__fetch_i386_kernel: Debian 12's 686-pae kernel (Debian 13 has no
# i386 kernel), from Debian 12's own i386 index.
vm__fetch_i386_kernel() {
	[[ $VM_DEBIAN == 12 ]] || vm_die "VM_DEBIAN=$VM_DEBIAN: i386 guests run Debian 12 (Debian 13 has no i386 kernel)"
	vm__fetch_release_kernel 12 i386 linux-image-686-pae '^linux-image-[0-9].*-686-pae$'
	VM_KERNEL=$VM__VMLINUZ
	VM_KPKG=$VM__PKG
	VM_KVER=${VM_KERNEL##*/vmlinuz-}
	VM_KCONFIG=$(dirname "$VM_KERNEL")/config-$VM_KVER
	[[ -f $VM_KCONFIG ]] || VM_KCONFIG=
}

# vm__fetch_mips64el_kernel: Debian 12's loongson-3 kernel (Debian 13 has no
# mips64el port), from Debian 12's own mips64el index.
vm__fetch_mips64el_kernel() {
	[[ $VM_DEBIAN == 12 ]] || vm_die "VM_DEBIAN=$VM_DEBIAN: mips64el guests run Debian 12 (Debian 13 has no mips64el port)"
	vm__fetch_release_kernel 12 mips64el linux-image-loongson-3 '^linux-image-[0-9].*-loongson-3$'
	VM_KERNEL=$VM__VMLINUZ
	VM_KPKG=$VM__PKG
	VM_KVER=${VM_KERNEL##*/vmlinuz-}
	VM_KCONFIG=$(dirname "$VM_KERNEL")/config-$VM_KVER
	[[ -f $VM_KCONFIG ]] || VM_KCONFIG=
}

# vm__fetch_s390x_kernel: Debian 12's s390x kernel (Debian 13's has no
# CONFIG_KEXEC), from Debian 12's own s390x index.
vm__fetch_s390x_kernel() {
	[[ $VM_DEBIAN == 12 ]] || vm_die "VM_DEBIAN=$VM_DEBIAN: s390x guests run Debian 12 (Debian 13's s390x kernel has no kexec)"
	vm__fetch_release_kernel 12 s390x linux-image-s390x '^linux-image-[0-9].*-s390x$'
	VM_KERNEL=$VM__VMLINUZ
	VM_KPKG=$VM__PKG
	VM_KVER=${VM_KERNEL##*/vmlinuz-}
	VM_KCONFIG=$(dirname "$VM_KERNEL")/config-$VM_KVER
	[[ -f $VM_KCONFIG ]] || VM_KCONFIG=
}

# vm__fetch_ppc64el_kernel: Debian 12's powerpc64le kernel, an ELF
# vmlinux (boot/vmlinux-*), from Debian 12's own ppc64el index.
vm__fetch_ppc64el_kernel() {
	[[ $VM_DEBIAN == 12 ]] || vm_die "VM_DEBIAN=$VM_DEBIAN: ppc64el guests run Debian 12 here"
	vm__fetch_release_kernel 12 ppc64el linux-image-powerpc64le '^linux-image-[0-9].*-powerpc64le$'
	VM_KERNEL=$VM__VMLINUZ
	VM_KPKG=$VM__PKG
	VM_KVER=${VM_KERNEL##*/vmlinux-}
	VM_KCONFIG=$(dirname "$VM_KERNEL")/config-$VM_KVER
	[[ -f $VM_KCONFIG ]] || VM_KCONFIG=
}

# vm__fetch_riscv64_kernel: the riscv64 counterpart of vm_fetch_kernel.
# Debian 12 has no riscv64 port: the kernel is the package Debian 13's
# linux-image-riscv64 depends on, resolved from trixie's own riscv64 index
# (vm__trixie_apt_opts riscv64); its boot/ is unpacked into the cache (its
# Image is boot/vmlinux-*, an uncompressed Image with an EFI stub header).
# Sets VM_VMLINUZ (the packaged file), VM_KERNEL (the raw Image,
# vm_extract_image), VM_KVER, VM_KCONFIG and VM_KPKG (the package, for
# vm__stage2_modules). Offline, the kernel last resolved is used.
vm__fetch_riscv64_kernel() {
	VM_KPKG=
	if [[ -n ${VM_RISCV64_KERNEL:-} ]]; then
		[[ -f $VM_RISCV64_KERNEL ]] || vm_die "VM_RISCV64_KERNEL=$VM_RISCV64_KERNEL does not exist"
		VM_VMLINUZ=$VM_RISCV64_KERNEL
	else
		[[ $VM_DEBIAN == 13 ]] || vm_die "VM_DEBIAN=$VM_DEBIAN: riscv64 guests run Debian 13 (Debian 12 has no riscv64 port)"
		vm__fetch_release_kernel 13 riscv64 linux-image-riscv64 '^linux-image-[0-9].*-riscv64$'
		VM_VMLINUZ=$VM__VMLINUZ
		VM_KPKG=$VM__PKG
	fi
	vm_extract_image "$VM_VMLINUZ"
	VM_KERNEL=$VM_IMAGE
	VM_KVER=${VM_VMLINUZ##*/}
	VM_KVER=${VM_KVER#vmlinu[xz]-}
	VM_KCONFIG=$(dirname "$VM_VMLINUZ")/config-$VM_KVER
	[[ -f $VM_KCONFIG ]] || VM_KCONFIG=
}

# vm__image_magic FILE: true when FILE is a raw Image of $VM_ARCH: the
# magic at offset 56, arm64 "ARM\x64", riscv64 "RSC\x05" (both may also
# carry an EFI stub's "MZ" at 0: the Image is still what boots).
vm__image_magic() {
	case $VM_ARCH in
	riscv64) [[ $(vm__hex "$1" 56 4) == 52534305 ]] ;;
	*) [[ $(vm__hex "$1" 56 4) == 41524d64 ]] ;;
	esac
}

# vm_extract_image VMLINUZ: the raw Image ($VM_ARCH: arm64 or riscv64) of
# VMLINUZ, which is either an Image already (vm__image_magic: Debian's
# cloud-arm64 kernels, Debian 13's riscv64 vmlinux), gzip-compressed
# (Debian's other arm64 kernels), or an EFI zboot image ("MZ", "zimg" at 4,
# payload offset and size at 8 and 12, its compression named at 24). Sets
# VM_IMAGE: VMLINUZ itself, or Image-<release> cached next to it.
# shellcheck disable=SC2034 # VM_IMAGE is for the callers
vm_extract_image() {
	local in=$1 out off len comp tool rel tmp
	if vm__image_magic "$in"; then
		VM_IMAGE=$in
		return 0
	fi
	rel=${in##*/}
	rel=${rel#vmlinu[xz]-}
	out=$(dirname "$in")/Image-$rel
	[[ $out != "$in" ]] || out=$in.Image
	if [[ -s $out && $out -nt $in ]]; then
		VM_IMAGE=$out
		return 0
	fi
	tmp=$out.$BASHPID.tmp # its own: two guests may unpack the same kernel at once
	if [[ $(vm__hex "$in" 0 2) == 1f8b ]]; then
		gzip -dc <"$in" >"$tmp" || vm_die "$in: gzip -d failed"
	elif [[ $(vm__hex "$in" 0 2) == 4d5a && $(vm__hex "$in" 4 4) == 7a696d67 ]]; then
		off=$(vm__u32 "$in" 8)
		len=$(vm__u32 "$in" 12)
		comp=$(dd if="$in" bs=1 skip=24 count=32 status=none | tr -d '\0')
		case $comp in
		gzip) tool="gzip -dc" ;;
		zstd) tool="zstd -dcq" ;;
		xzkern | xz) tool="xz -dc" ;;
		lzma) tool="xz --format=lzma -dc" ;;
		lz4) tool="lz4 -dc" ;;
		bzip2) tool="bzip2 -dc" ;;
		*) vm_die "$in: EFI zboot image with unknown compression '$comp'" ;;
		esac
		command -v "${tool%% *}" >/dev/null || vm_die "${tool%% *} is needed to unpack $in"
		# shellcheck disable=SC2086 # $tool is a command and its options
		dd if="$in" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=1M status=none |
			$tool >"$tmp" || vm_die "$in: ${tool%% *} failed on the zboot payload"
	else
		vm_die "$in: neither an $VM_ARCH Image, gzip data nor an EFI zboot image"
	fi
	vm__image_magic "$tmp" || { rm -f "$tmp"; vm_die "$in: the decompressed data is not an $VM_ARCH Image"; }
	mv "$tmp" "$out"
	VM_IMAGE=$out
}

# vm_efi_stub: systemd's EFI stub for $VM_ARCH's UKIs (tests/vm/helpers/
# make-uki.sh): x86_64 the host's (systemd-boot-efi, a build dependency);
# arm64 linuxaa64.efi.stub from Debian's systemd-boot-efi:arm64, downloaded
# into the cache and unpacked there (never installed). Sets VM_EFI_STUB.
# shellcheck disable=SC2034 # VM_EFI_STUB is for the test scripts
vm_efi_stub() {
	local cache dir deb tmp
	if [[ $VM_ARCH == x86_64 ]]; then
		VM_EFI_STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
		[[ -f $VM_EFI_STUB ]] || vm_die "no $VM_EFI_STUB (apt-get install systemd-boot-efi)"
		return 0
	fi
	[[ $VM_ARCH == arm64 ]] || vm_die "vm_efi_stub: no EFI stub for $VM_ARCH here"
	cache=$(vm_cache_dir)
	dir=$cache/systemd-boot-efi-arm64
	if [[ ! -e $dir/.extracted ]]; then
		mkdir -p "$cache/debs"
		deb=$(kx_cached_deb "$cache/debs" systemd-boot-efi arm64)
		if [[ -z $deb ]]; then
			kx_apt_ensure_arch arm64 >&2 || true
			kx_apt_download "$cache/debs" systemd-boot-efi:arm64 >"$cache/apt-download.log" 2>&1 ||
				vm_die "apt-get download systemd-boot-efi:arm64 failed (see $cache/apt-download.log), and none is cached"
			deb=$(kx_cached_deb "$cache/debs" systemd-boot-efi arm64)
			[[ -n $deb ]] || vm_die "apt-get download systemd-boot-efi:arm64 produced no .deb in $cache/debs"
		fi
		tmp=$(mktemp -d "$cache/.stub.XXXXXX")
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/lib/systemd/boot/efi/linuxaa64.efi.stub ||
			vm_die "unpacking linuxaa64.efi.stub from $deb failed"
		touch "$tmp/.extracted"
		rm -rf "$dir"
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp" # another test won the race
	fi
	VM_EFI_STUB=$dir/usr/lib/systemd/boot/efi/linuxaa64.efi.stub
}

# vm__busybox_foreign ARCH: Debian's static busybox for ARCH
# (busybox-static:ARCH; arm64: the host's release, through the arm64 dpkg
# architecture; riscv64: Debian 13's, through vm__trixie_apt_opts riscv64),
# downloaded into $(vm_cache_dir)/debs and unpacked once; prints its path.
vm__busybox_foreign() {
	local arch=$1 cache dir deb tmp spec=busybox-static:$1
	cache=$(vm_cache_dir)
	dir=$cache/busybox-static-$arch
	if [[ ! -e $dir/.extracted ]]; then
		mkdir -p "$cache/debs"
		deb=$(kx_cached_deb "$cache/debs" busybox-static "$arch")
		if [[ -z $deb ]]; then
			VM__APT_OPTS=()
			if [[ $arch == riscv64 ]]; then
				vm__trixie_apt_opts riscv64 >&2
				spec=busybox-static
			elif [[ $arch == armhf || $arch == i386 || $arch == mips64el || $arch == s390x || $arch == ppc64el ]]; then
				# The host release's own index (mips64el: Debian 12's, the
				# last with that port; s390x, ppc64el: Debian 12's, as their
				# kernels): no dpkg architecture added.
				if [[ $arch == mips64el || $arch == s390x || $arch == ppc64el ]]; then
					kx_release_apt bookworm "$arch" >&2 || true
				else
					kx_release_apt "$(kx_host_release)" "$arch" >&2 || true
				fi
				VM__APT_OPTS=("${KX_RELEASE_OPTS[@]}")
				spec=busybox-static
			else
				kx_apt_ensure_arch "$arch" >&2 || true
			fi
			kx_apt_download "$cache/debs" ${VM__APT_OPTS[@]+"${VM__APT_OPTS[@]}"} "$spec" >"$cache/apt-download.log" 2>&1 ||
				vm_die "apt-get download busybox-static:$arch failed (see $cache/apt-download.log), and none is cached"
			VM__APT_OPTS=()
			deb=$(kx_cached_deb "$cache/debs" busybox-static "$arch")
			[[ -n $deb ]] || vm_die "apt-get download busybox-static:$arch produced no .deb in $cache/debs"
		fi
		tmp=$(mktemp -d "$cache/.busybox.XXXXXX")
		# Debian 12's package has bin/busybox; Debian 13's (merged /usr)
		# usr/bin/busybox.
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './bin/busybox' './usr/bin/busybox' 2>/dev/null || true
		[[ -x $tmp/bin/busybox ]] || { mkdir -p "$tmp/bin" && mv "$tmp/usr/bin/busybox" "$tmp/bin/busybox" 2>/dev/null; } ||
			vm_die "unpacking bin/busybox or usr/bin/busybox from $deb failed"
		touch "$tmp/.extracted"
		rm -rf "$dir"
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp" # another test won the race
	fi
	[[ -x $dir/bin/busybox ]] || vm_die "no bin/busybox in $dir"
	printf '%s\n' "$dir/bin/busybox"
}

# vm__busybox_applets BUSYBOX: its applets' paths (--list-full). An arm64
# or riscv64 busybox runs under qemu-aarch64-static or qemu-riscv64-static
# (or binfmt_misc); failing that, the host's busybox-static (the same
# configuration; for riscv64 an older version) answers.
vm__busybox_applets() {
	local bb=$1 hb qemu=$VM__QEMU_USER
	if [[ $VM_ARCH == x86_64 || $VM_ARCH == i386 ]]; then
		# (i386 runs here when the kernel has IA32 emulation; else the host's busybox answers.)
		if "$bb" --list-full 2>/dev/null; then
			return
		fi
	fi
	if [[ -n $qemu ]] && command -v "$qemu" >/dev/null && "$qemu" "$bb" --list-full 2>/dev/null; then
		return 0
	fi
	if "$bb" --list-full 2>/dev/null; then
		return 0
	fi
	for hb in /bin/busybox /usr/bin/busybox; do
		if [[ -x $hb ]]; then
			"$hb" --list-full
			return
		fi
	done
	vm_die "cannot list the applets of $bb (apt-get install qemu-user-static)"
}

vm__busybox() {
	local bb
	if [[ $VM_ARCH == arm ]]; then
		vm__busybox_foreign armhf
		return 0
	fi
	if [[ $VM_ARCH != x86_64 ]]; then
		# (i386: Debian's i386 busybox-static, as the guest's own userland.)
		vm__busybox_foreign "$VM_ARCH"
		return 0
	fi
	for bb in /bin/busybox /usr/bin/busybox; do
		if [[ -x $bb ]] && vm_file_is_static "$bb"; then
			printf '%s\n' "$bb"
			return 0
		fi
	done
	vm_die "static busybox not found (apt-get install busybox-static)"
}

# True when $1 is not a dynamically linked ELF (no PT_INTERP).
vm_file_is_static() {
	! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# Populate directory $1 with busybox and its applet symlinks plus the
# standard mount points.
vm__populate_busybox_root() {
	local root=$1 bb applet
	bb=$(vm__busybox)
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,boot,root,etc}
	cp "$bb" "$root/bin/busybox"
	while IFS= read -r applet; do
		[[ -n $applet && ! -e $root/$applet && ! -L $root/$applet ]] || continue
		ln -s /bin/busybox "$root/$applet"
	done < <(vm__busybox_applets "$root/bin/busybox")
	# Never let a busybox applet shadow the kexec under test.
	rm -f "$root/bin/kexec" "$root/sbin/kexec" "$root/usr/bin/kexec" "$root/usr/sbin/kexec"
	if [[ $(id -u) -eq 0 ]]; then
		mknod -m 600 "$root/dev/console" c 5 1
		mknod -m 666 "$root/dev/null" c 1 3
	fi
}

# vm__ko_cat KO: the module file KO (.ko, or .ko.xz/.ko.zst/.ko.gz), uncompressed, on stdout.
vm__ko_cat() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -dcq "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# vm__module_deps KO: the modules KO depends on, from its .modinfo
# "depends=" (names, comma-separated there).
vm__module_deps() {
	vm__ko_cat "$1" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '
}

# vm__stage2_modules ROOT: put VM_STAGE2_MODULES and the modules they depend
# on (read from each one's .modinfo: no depmod, no modprobe in the guest)
# into ROOT/lib/kx-modules as NN-name.ko, uncompressed, numbered so that
# each comes after what it needs: the stage-2 init insmods them in that
# order. They come from the guest kernel's own package ($VM_KPKG: its .deb
# is in the cache; the modules tree is unpacked next to its boot/ once).
vm__stage2_modules() {
	local root=$1 cache dir deb moddir f n=0 name
	((${#VM_STAGE2_MODULES[@]})) || return 0
	[[ -n ${VM_KPKG:-} ]] || vm_die "VM_STAGE2_MODULES needs a Debian kernel package (not VM_${VM_ARCH^^}_KERNEL)"
	cache=$(vm_cache_dir)
	dir=$cache/$VM_KPKG
	if [[ ! -e $dir/.modules-extracted ]]; then
		deb=$(find "$cache" -maxdepth 1 -name "${VM_KPKG}_*.deb" | sort -V | tail -n 1)
		[[ -n $deb ]] || vm_die "no ${VM_KPKG}_*.deb in $cache to take modules from"
		rm -rf "$dir/modules"
		mkdir -p "$dir/modules"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/modules" --wildcards '*/lib/modules/*' ||
			vm_die "unpacking the modules of $deb failed"
		touch "$dir/.modules-extracted"
	fi
	moddir=$(find "$dir/modules" -maxdepth 4 -type d -path '*/lib/modules/*' -name "$VM_KVER" | head -n 1)
	[[ -n $moddir ]] || vm_die "no lib/modules/$VM_KVER in $dir/modules"
	declare -gA VM__MODPATH=() VM__MODSEEN=()
	VM__MODORDER=()
	while IFS= read -r f; do
		name=${f##*/}
		name=${name%%.ko*}
		VM__MODPATH[${name//-/_}]=$f
	done < <(find "$moddir" -name '*.ko*')
	for name in "${VM_STAGE2_MODULES[@]}"; do
		vm__module_add "$name"
	done
	mkdir -p "$root/lib/kx-modules"
	for f in "${VM__MODORDER[@]}"; do
		n=$((n + 1))
		name=${f##*/}
		name=${name%%.ko*}
		vm__ko_cat "$f" >"$root/lib/kx-modules/$(printf %02d "$n")-$name.ko" || vm_die "cannot uncompress $f"
	done
}

# vm__module_add NAME: NAME's dependencies, then NAME, onto VM__MODORDER.
vm__module_add() {
	local key=${1//-/_} f dep
	[[ -z ${VM__MODSEEN[$key]:-} ]] || return 0
	VM__MODSEEN[$key]=1
	f=${VM__MODPATH[$key]:-}
	[[ -n $f ]] || vm_die "module $1 is not in $VM_KPKG (built in? then leave it out of VM_STAGE2_MODULES)"
	for dep in $(vm__module_deps "$f"); do
		vm__module_add "$dep"
	done
	VM__MODORDER+=("$f")
}

# Write a newc cpio of directory $1 to file $2 (gzip -1 when $2 ends in .gz).
vm__pack() {
	local root=$1 out=$2
	case $out in
	*.gz) (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out" ;;
	*) (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out" ;;
	esac
}

# The stage-2 /init: report the command line and the vmcore ELF magic.
vm__stage2_init() {
	cat <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo
echo "STAGE2-CMDLINE: $(cat /proc/cmdline)"
if [ -e /proc/vmcore ]; then
	echo "STAGE2-VMCORE-MAGIC: $(head -c 4 /proc/vmcore | od -An -tx1 | tr -d ' \n')"
fi
echo "STAGE2-KERNEL: $(uname -r)"
# Modules the harness put here (VM_STAGE2_MODULES: the riscv64 kdump tests'
# NVMe driver), already in dependency order.
for m in /lib/kx-modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || echo "STAGE2-INSMOD-FAILED: ${m##*/}"
done
# A crash kernel with a dump disk (the kdump tests add one: NVMe, PCI class
# 0x010802, or virtio-blk on riscv64): save /proc/vmcore at its start.
dumpdev=
if [ -e /proc/vmcore ]; then
	grep -qx 0x010802 /sys/bus/pci/devices/*/class 2>/dev/null && dumpdev=/dev/nvme0n1
	[ -z "$dumpdev" ] && ls /lib/kx-modules/*-virtio_blk.ko >/dev/null 2>&1 && dumpdev=/dev/vda
fi
if [ -n "$dumpdev" ]; then
	i=0
	# The disk probes asynchronously: wait up to 10 s for it.
	while [ ! -b $dumpdev ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -b $dumpdev ]; then
		echo "STAGE2-VMCORE-SAVE-FAILED: no $dumpdev after 10 s"
	else
		size=$(stat -c %s /proc/vmcore)
		echo "STAGE2-VMCORE-SIZE: $size"
		dd if=/proc/vmcore of=$dumpdev bs=1M oflag=direct conv=notrunc,fsync 2>/tmp/dd.err
		rc=$?
		sync
		if [ $rc -eq 0 ]; then
			echo "STAGE2-VMCORE-SAVED $size"
		else
			echo "STAGE2-VMCORE-SAVE-FAILED: dd exited $rc"
			sed 's/^/STAGE2-DD: /' /tmp/dd.err
		fi
	fi
fi
echo "STAGE2-MEMTOTAL: $(awk '$1 == "MemTotal:" { print $2; exit }' /proc/meminfo)"
echo "STAGE2-CPUS: $(grep -c '^processor' /proc/cpuinfo)"
if [ -d /sys/firmware/efi ]; then echo "STAGE2-EFI: yes"; else echo "STAGE2-EFI: no"; fi
if [ -n "$(ls /sys/firmware/acpi/tables 2>/dev/null)" ]; then echo "STAGE2-ACPI: yes"; else echo "STAGE2-ACPI: no"; fi
# A device tree that is not the machine's own (a UKI's .dtb) may carry a
# marker property at its root: say it.
if [ -e /proc/device-tree/kx-marker ]; then
	echo "STAGE2-DT-MARKER: $(tr -d '\000' </proc/device-tree/kx-marker)"
fi
# x86's VGA text screen as the second kernel found it (vgacon keeps what was
# there; /dev/vcs is the screen): the lines a purgatory wrote (--console-vga).
if [ -e /dev/vcs ]; then
	fold -w 80 /dev/vcs | grep 'purgatory:' | sed 's/ *$//; s/^/STAGE2-VGA: /'
fi
# arm64: the exception level the kernel booted at ("CPU: All CPU(s) started at EL2").
dmesg 2>/dev/null | sed -n 's/.*CPU: All CPU(s) started at \(EL[0-9]\).*/STAGE2-BOOT-EL: \1/p'
echo STAGE2-DONE
poweroff -f
sleep 5
EOF
}

# The stage-1 /init: run /scenario.sh and power off.
vm__stage1_init() {
	cat <<'EOF'
#!/bin/sh
mount -t proc proc /proc
# A second kernel booted with this very initramfs (--reuseinitrd) and
# kx_stage=2 on its command line is stage 2: the stage-2 init takes over.
if grep -q 'kx_stage=2' /proc/cmdline && [ -x /lib/stage2-init ]; then
	umount /proc
	exec /lib/stage2-init
fi
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
echo # the firmware's terminal escapes end up on the same line
echo "STAGE1-START kernel=$(uname -r)"
sh /scenario.sh
rc=$?
echo "STAGE1-RESULT rc=$rc"
poweroff -f
sleep 5
EOF
}

# Helpers for scenario scripts: ". /lib/vmtest.sh".
vm__scenario_helpers() {
	cat <<'EOF'
# vt_run TAG CMD...: run CMD, print its stdout/stderr lines prefixed with
# "OUT TAG: " / "ERR TAG: ", the stderr line count as "ERRLINES TAG: N"
# ("ERRNONEWLINE TAG" if stderr does not end in a newline), then "RC TAG: N".
# Returns CMD's status.
vt_run() {
	_t=$1
	shift
	_s=
	for _a in "$@"; do
		case $_a in
		*[!A-Za-z0-9_./=:,+-]* | '') _s="$_s '$_a'" ;;
		*) _s="$_s $_a" ;;
		esac
	done
	echo "RUN $_t:$_s"
	"$@" >"/tmp/vt.$_t.out" 2>"/tmp/vt.$_t.err"
	_rc=$?
	awk -v p="OUT $_t: " '{ print p $0 }' "/tmp/vt.$_t.out"
	awk -v p="ERR $_t: " '{ print p $0 }' "/tmp/vt.$_t.err"
	echo "ERRLINES $_t: $(awk 'END { print NR }' "/tmp/vt.$_t.err")"
	if [ -s "/tmp/vt.$_t.err" ] && [ "$(tail -c 1 "/tmp/vt.$_t.err" | od -An -tx1 | tr -d ' ')" != 0a ]; then
		echo "ERRNONEWLINE $_t"
	fi
	echo "RC $_t: $_rc"
	return $_rc
}
# vt_drain: wait until the console has sent everything written to it. A
# panic (sysrq c) or a kexec drops what the tty still holds (the kernel's own
# lines go out synchronously), so on a busy host a scenario's last lines
# before a crash could be lost. stty sets the console's modes, unchanged,
# with TCSADRAIN, which waits for the UART to empty.
vt_drain() {
	stty -F /dev/console "$(stty -F /dev/console -g)" || echo "VT-DRAIN-FAILED"
}
# vt_check NAME GOT WANT: one line the host compares.
vt_check() {
	echo "CHECK $1 got=$2 want=$3"
}
vt_loaded() { cat /sys/kernel/kexec_loaded; }
vt_crash_loaded() { cat /sys/kernel/kexec_crash_loaded; }
# vt_sysinfo: the same facts the stage-2 init reports, for stage 1:
# STAGE1-MEMTOTAL: <kB>, STAGE1-CPUS: <online CPUs>, STAGE1-EFI: yes|no,
# STAGE1-ACPI: yes|no.
vt_sysinfo() {
	echo "STAGE1-MEMTOTAL: $(awk '$1 == "MemTotal:" { print $2; exit }' /proc/meminfo)"
	echo "STAGE1-CPUS: $(grep -c '^processor' /proc/cpuinfo)"
	if [ -d /sys/firmware/efi ]; then echo "STAGE1-EFI: yes"; else echo "STAGE1-EFI: no"; fi
	if [ -n "$(ls /sys/firmware/acpi/tables 2>/dev/null)" ]; then echo "STAGE1-ACPI: yes"; else echo "STAGE1-ACPI: no"; fi
}
# vt_memmap: one "MEMMAP start end type" line per /sys/firmware/memmap entry.
vt_memmap() {
	for _d in /sys/firmware/memmap/*; do
		echo "MEMMAP $(cat "$_d/start") $(cat "$_d/end") $(cat "$_d/type")"
	done
}
# vt_iomem: one "STAGE1-IOMEM start end name" line (hex, no 0x, end
# inclusive) per "System RAM" and "Crash kernel" range in /proc/iomem.
vt_iomem() {
	awk -F' : ' '$2 == "System RAM" || $2 == "Crash kernel" {
		r = $1
		sub(/^ +/, "", r)
		split(r, a, "-")
		print "STAGE1-IOMEM " a[1] " " a[2] " " $2
	}' /proc/iomem
}
EOF
}

# vm_build_initramfs OUT SCENARIO_SCRIPT
# Build the stage-1 initramfs (newc cpio; gzip -1 when OUT ends in .gz) with
# busybox, $KEXEC_BIN as /bin/kexec, the stage-2 kernel at $VM_GUEST_KERNEL
# (/boot/vmlinuz; arm64: /boot/Image, the raw Image), the
# stage-2 initramfs at /boot/stage2.cpio.gz, SCENARIO_SCRIPT at /scenario.sh,
# and the files given to vm_add_file. Sets VM_INITRD=OUT.
# vm_build_stage2 OUT.cpio.gz: the second kernel's initramfs (busybox and
# the stage-2 /init, which prints STAGE2-* lines), as every scenario finds it
# at /boot/stage2.cpio.gz; for tests that put it somewhere else too (a UKI's
# .initrd).
vm_build_stage2() {
	local out=$1 work
	work=$(mktemp -d "${TMPDIR:-/tmp}/vm-stage2.XXXXXX")
	vm__populate_busybox_root "$work/s2"
	vm__stage2_init >"$work/s2/init"
	chmod 755 "$work/s2/init"
	vm__stage2_modules "$work/s2"
	vm__pack "$work/s2" "$out"
	rm -rf "$work"
}

vm_build_initramfs() {
	local out=$1 scenario=$2 kexec work
	[[ -n $VM_KERNEL ]] || vm_fetch_kernel
	kexec=$(vm_kexec_bin)
	[[ -f $kexec ]] || vm_die "kexec binary $kexec does not exist (build it first, or set KEXEC_BIN)"
	[[ -f $scenario ]] || vm_die "scenario $scenario does not exist"
	mkdir -p "$(dirname "$out")"
	work=$(mktemp -d "${TMPDIR:-/tmp}/vm-initramfs.XXXXXX")

	vm__populate_busybox_root "$work/s1"
	vm_build_stage2 "$work/s1/boot/stage2.cpio.gz"
	cp "$VM_KERNEL" "$work/s1$VM_GUEST_KERNEL"
	cp "$kexec" "$work/s1/bin/kexec"
	chmod 755 "$work/s1/bin/kexec"
	if [[ -n ${VM_EXTRA_ROOT:-} ]]; then
		cp -a "$VM_EXTRA_ROOT/." "$work/s1/"
	fi
	local i
	for i in "${!VM_ADD_SRC[@]}"; do
		mkdir -p "$work/s1/$(dirname "${VM_ADD_DST[i]}")"
		cp "${VM_ADD_SRC[i]}" "$work/s1/${VM_ADD_DST[i]}"
	done
	mkdir -p "$work/s1/lib"
	vm__scenario_helpers >"$work/s1/lib/vmtest.sh"
	vm__stage2_init >"$work/s1/lib/stage2-init"
	chmod 755 "$work/s1/lib/stage2-init"
	cp "$scenario" "$work/s1/scenario.sh"
	vm__stage1_init >"$work/s1/init"
	chmod 755 "$work/s1/init"

	vm__pack "$work/s1" "$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$work"
	VM_INITRD=$out
}

# vm_run LOGFILE CMDLINE_EXTRA [MEM]
# Boot $VM_KERNEL with $VM_INITRD under TCG (plus ${VM_QEMU_ARGS[@]}); the
# serial console (with CRs stripped) ends up in LOGFILE. Returns qemu's exit status: 124 when killed
# after $VM_TIMEOUT seconds, 125 when killed because a guest kernel panicked
# and halted (a kernel booted without panic=-1, e.g. a crash kernel, spins
# forever after a panic: stopping it early saves the rest of the timeout),
# 126 when stopped because the log has $VM_STOP_PATTERN, 123 when stopped
# because a purgatory reported an exception (riscv64 "purgatory: trap",
# arm64 "purgatory: exception": it then spins with nothing more to say).
vm_run() {
	local log=$1 extra=$2 mem=${3:-${VM_MEM:-1G}} rc=0 pid panicked=0 stopped=0 trapped=0 qemu
	[[ -n $VM_KERNEL ]] || vm_die "vm_run: VM_KERNEL not set (call vm_fetch_kernel)"
	[[ -n $VM_INITRD ]] || vm_die "vm_run: VM_INITRD not set (call vm_build_initramfs)"
	mkdir -p "$(dirname "$log")"
	# "quiet" = loglevel 4: KERN_ERR and worse still reach the console, so
	# panics, oopses and BUGs stay visible; the sysrq handler raises the
	# console loglevel itself while printing "sysrq: Trigger a crash".
	# -no-reboot: a guest reboot (panic=-1) ends qemu; kexec is no reboot.
	if [[ $VM_ARCH == arm64 ]]; then
		# virt: PL011 console (ttyAMA0), PCIe (NVMe), PSCI power-off/reset.
		qemu=(qemu-system-aarch64 -M virt -accel tcg -cpu "${VM_CPU:-cortex-a57}"
			-m "$mem" -smp "${VM_SMP:-1}" -nographic -no-reboot -net none
			-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
			-append "console=ttyAMA0 panic=-1 quiet $extra")
	elif [[ $VM_ARCH == arm ]]; then
		# virt: PL011 console (ttyAMA0), PSCI; Cortex-A15 (LPAE, as
		# Debian 12's armmp-lpae kernel needs).
		qemu=(qemu-system-arm -M virt -accel tcg -cpu "${VM_CPU:-cortex-a15}"
			-m "$mem" -smp "${VM_SMP:-1}" -nographic -no-reboot -net none
			-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
			-append "console=ttyAMA0 panic=-1 quiet $extra")
	elif [[ $VM_ARCH == mips64el ]]; then
		# loongson3-virt: 8250 UART (ttyS0), QEMU's own LEFI firmware
		# tables, which the kexec'd kernel reads again.
		qemu=(qemu-system-mips64el -M loongson3-virt -accel tcg -cpu "${VM_CPU:-Loongson-3A1000}" -m "$mem"
			-smp "${VM_SMP:-1}" -nographic -no-reboot -nic none
			-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
			-append "console=ttyS0 panic=-1 quiet $extra")
	elif [[ $VM_ARCH == s390x ]]; then
		# s390-ccw-virtio: the SCLP console (ttysclp0); the kernel is
		# IPL'd straight from -kernel. A disabled wait (the purgatory's
		# halt) is a guest panic to QEMU: pause there, as the other
		# machines' halts stay, instead of exiting.
		qemu=(qemu-system-s390x -M s390-ccw-virtio -accel tcg -m "$mem"
			-smp "${VM_SMP:-1}" -nographic -no-reboot -nic none -action panic=pause
			-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
			-append "console=ttysclp0 panic=-1 quiet $extra")
	elif [[ $VM_ARCH == ppc64el ]]; then
		# pseries with QEMU's own Open Firmware (x-vof: no SLOF, 12 s
		# faster), the hypervisor's virtual terminal as console (hvc0);
		# the cap-* settings are the ones TCG can give a POWER9 guest.
		qemu=(qemu-system-ppc64 -M pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
			-accel tcg -cpu "${VM_CPU:-POWER9}" -m "$mem"
			-smp "${VM_SMP:-1}" -nographic -no-reboot -nic none
			-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
			-append "console=hvc0 panic=-1 quiet $extra")
	elif [[ $VM_ARCH == i386 ]]; then
		# pc: 8250 UART at 0x3f8 (ttyS0), SeaBIOS; qemu32 has PAE, as
		# Debian's 686-pae kernel needs.
		qemu=(qemu-system-i386 -M pc -accel tcg -cpu "${VM_CPU:-qemu32}" -m "$mem"
			-smp "${VM_SMP:-1}" -nographic -no-reboot -nic none
			-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
			-append "console=ttyS0 $VM_ARCH_ARGS panic=-1 quiet $extra")
	elif [[ $VM_ARCH == riscv64 ]]; then
		# virt: ns16550a UART at 0x10000000 (ttyS0), PCIe (NVMe), SBI
		# system reset for power-off; -bios default: QEMU's own OpenSBI
		# (fw_dynamic), which starts the kernel in S-mode at 0x80200000
		# with a0 = the boot hart's id, a1 = the device tree.
		qemu=(qemu-system-riscv64 -M virt -accel tcg -cpu "${VM_CPU:-rv64}"
			-m "$mem" -smp "${VM_SMP:-1}" -nographic -no-reboot -net none
			-bios "${VM_RISCV64_BIOS:-default}"
			-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
			-append "console=ttyS0 panic=-1 quiet $extra")
	else
		qemu=(qemu-system-x86_64 -accel tcg -cpu "${VM_CPU:-max}" -m "$mem" -smp "${VM_SMP:-1}"
			-nographic -no-reboot -nic none
			-kernel "$VM_KERNEL" -initrd "$VM_INITRD"
			-append "console=ttyS0 $VM_ARCH_ARGS panic=-1 quiet $extra")
	fi
	vm__setup_done
	timeout -k 5 "$((VM_TIMEOUT * KX_TIME_SCALE))" \
		"${qemu[@]}" ${VM_QEMU_ARGS[@]+"${VM_QEMU_ARGS[@]}"} \
		</dev/null >"$log.raw" 2>&1 &
	pid=$!
	# "---[ end Kernel panic" is printed only when the panicking kernel
	# neither kexecs a crash kernel nor reboots: the guest is dead.
	while kill -0 "$pid" 2>/dev/null; do
		if [[ -n ${VM_STOP_PATTERN:-} ]] && grep -qF -- "$VM_STOP_PATTERN" "$log.raw" 2>/dev/null; then
			# A moment for whatever follows it on the console.
			sleep 2
			if kill -0 "$pid" 2>/dev/null; then
				stopped=1
				kill "$pid" 2>/dev/null || true
			fi
			break
		fi
		if grep -Eq -- 'purgatory: (trap|exception)' "$log.raw" 2>/dev/null; then
			sleep 2
			if kill -0 "$pid" 2>/dev/null; then
				trapped=1
				kill "$pid" 2>/dev/null || true
			fi
			break
		fi
		if grep -q -- '---\[ end Kernel panic' "$log.raw" 2>/dev/null; then
			sleep 3
			if kill -0 "$pid" 2>/dev/null; then
				panicked=1
				kill "$pid" 2>/dev/null || true
			fi
			break
		fi
		sleep 0.3
	done
	wait "$pid" || rc=$?
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	if ((panicked)); then
		rc=125
		echo "VM-HARNESS: a guest kernel panicked and halted; qemu stopped" >>"$log"
	elif ((stopped)); then
		rc=126
		echo "VM-HARNESS: the log has '$VM_STOP_PATTERN'; qemu stopped" >>"$log"
	elif ((trapped)); then
		rc=123
		echo "VM-HARNESS: the purgatory reported an exception; qemu stopped" >>"$log"
	elif [[ $rc -eq 124 ]]; then
		echo "VM-HARNESS: qemu killed after $((VM_TIMEOUT * KX_TIME_SCALE))s timeout" >>"$log"
	fi
	return "$rc"
}

# vm_add_file SRC DEST: put host file SRC at DEST (an absolute path, e.g.
# /boot/vmlinux) in this test's stage-1 initramfs.
vm_add_file() {
	[[ -f $1 ]] || vm_die "vm_add_file: $1 does not exist"
	VM_ADD_SRC+=("$1")
	VM_ADD_DST+=("$2")
}

# vm_use_uefi: boot the guest through UEFI (OVMF; qemu's -kernel still works:
# OVMF starts the kernel's EFI stub). Adds to VM_QEMU_ARGS.
vm_use_uefi() {
	local fw=${VM_OVMF:-/usr/share/ovmf/OVMF.fd}
	[[ $VM_ARCH != riscv64 ]] || vm_die "vm_use_uefi: no UEFI firmware for riscv64 guests here (Debian 12 has no riscv64 EDK2)"
	if [[ $VM_ARCH == arm64 ]]; then
		# Debian's qemu-efi-aarch64: QEMU_EFI.fd is the 2 MiB image for
		# -bios; AAVMF_CODE.fd the same code padded for pflash.
		fw=${VM_AAVMF:-/usr/share/qemu-efi-aarch64/QEMU_EFI.fd}
		if [[ -f $fw ]]; then
			VM_QEMU_ARGS+=(-bios "$fw")
		else
			vm_die "UEFI firmware $fw not found (apt-get install qemu-efi-aarch64, or set VM_AAVMF)"
		fi
		return 0
	fi
	if [[ -f $fw ]]; then
		VM_QEMU_ARGS+=(-bios "$fw")
	elif [[ -z ${VM_OVMF:-} && -f /usr/share/OVMF/OVMF_CODE.fd ]]; then
		VM_QEMU_ARGS+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd")
	else
		vm_die "OVMF firmware $fw not found (apt-get install ovmf, or set VM_OVMF)"
	fi
}

# vm__u16/vm__u32 FILE OFFSET: little-endian integer at OFFSET.
vm__u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' \n'; }
vm__u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' \n'; }
vm__hex() { od -An -tx1 -j "$2" -N"$3" "$1" | tr -d ' \n'; }

# vm_kernel_no4g BZIMAGE OUT: copy BZIMAGE to OUT with XLF_CAN_BE_LOADED_ABOVE_4G
# (bit 1 of the 16-bit xloadflags at 0x236) cleared. kexec_file_load's
# bzImage64 probe refuses such an image (ENOEXEC); kexec_load does not care.
vm_kernel_no4g() {
	local in=$1 out=$2 xlf
	[[ $(vm__hex "$in" $((0x202)) 4) == 48647253 ]] || vm_die "$in is not a bzImage (no HdrS at 0x202)"
	xlf=$(vm__u16 "$in" $((0x236)))
	((xlf & 2)) || vm_die "$in: xloadflags $xlf already lacks XLF_CAN_BE_LOADED_ABOVE_4G"
	cp "$in" "$out.tmp"
	xlf=$((xlf & ~2))
	printf '%b' "\\x$(printf %02x $((xlf & 0xff)))\\x$(printf %02x $((xlf >> 8)))" |
		dd of="$out.tmp" bs=1 seek=$((0x236)) conv=notrunc status=none
	mv "$out.tmp" "$out"
}

# vm_extract_vmlinux BZIMAGE: extract the ELF vmlinux from BZIMAGE's payload
# (gzip, xz, zstd or lz4, found by magic) and cache it next to BZIMAGE as
# vmlinux-<release>. Sets VM_VMLINUX. The file is the ELF image possibly
# followed by the relocation table the decompressor appends: harmless.
# shellcheck disable=SC2034 # VM_VMLINUX is for the test scripts
vm_extract_vmlinux() {
	local in=$1 out ss poff plen base magic tool size
	out=$(dirname "$in")/vmlinux-${in##*/vmlinuz-}
	if [[ -s $out && $out -nt $in ]]; then
		VM_VMLINUX=$out
		return 0
	fi
	[[ $(vm__hex "$in" $((0x202)) 4) == 48647253 ]] || vm_die "$in is not a bzImage (no HdrS at 0x202)"
	ss=$(od -An -tu1 -j $((0x1f1)) -N1 "$in" | tr -d ' \n')
	((ss != 0)) || ss=4
	poff=$(vm__u32 "$in" $((0x248)))
	plen=$(vm__u32 "$in" $((0x24c)))
	base=$(((ss + 1) * 512))
	magic=$(vm__hex "$in" $((base + poff)) 6)
	case $magic in
	1f8b*) tool="gzip -dc" ;;
	fd377a585a00) tool="xz -dc" ;;
	28b52ffd*) tool="zstd -dcq" ;;
	02214c18*) tool="lz4 -dc" ;;
	*) vm_die "$in: unknown payload compression (magic $magic at $((base + poff)))" ;;
	esac
	command -v "${tool%% *}" >/dev/null || vm_die "${tool%% *} is needed to unpack $in (apt-get install ${tool%% *})"
	# The payload ends with the uncompressed size (u32): strip it, because
	# xz, zstd and lz4 refuse trailing bytes.
	# shellcheck disable=SC2086 # $tool is a command and its options
	dd if="$in" iflag=skip_bytes,count_bytes skip=$((base + poff)) count=$((plen - 4)) bs=1M status=none |
		$tool >"$out.tmp" ||
		vm_die "$in: ${tool%% *} failed on the payload"
	size=$(vm__u32 "$in" $((base + poff + plen - 4)))
	[[ $(stat -c %s "$out.tmp") == "$size" ]] ||
		vm_die "$in: unpacked payload is $(stat -c %s "$out.tmp") bytes, the image says $size"
	[[ $(vm__hex "$out.tmp" 0 4) == 7f454c46 ]] || vm_die "$in: the payload is not an ELF file"
	mv "$out.tmp" "$out"
	VM_VMLINUX=$out
}

# ---- assertions on a log ---------------------------------------------------
# Each assertion prints "  ok   DESC" or "  FAIL DESC" (plus the log tail) and
# records failures in VM_FAILURES; they always return 0 so that set -e test
# scripts carry on and report every problem. vm_finish turns it into a verdict.

vm__fail() {
	local log=$1 desc=$2
	VM_FAILURES+=("$desc")
	echo "  FAIL $desc"
	if [[ -f $log ]]; then
		echo "  --- last lines of $log ---"
		tail -n 25 "$log" | sed 's/^/  | /'
		echo "  ---"
	fi
}

vm_ok() {
	echo "  ok   $1"
}

# vm_expect LOG ERE DESCRIPTION: some line matches ERE.
vm_expect() {
	local log=$1 pat=$2 desc=$3
	if grep -Eq -- "$pat" "$log"; then
		vm_ok "$desc"
	else
		vm__fail "$log" "$desc"
	fi
}

# vm_expect_not LOG ERE DESCRIPTION: no line matches ERE.
vm_expect_not() {
	local log=$1 pat=$2 desc=$3
	if grep -Eq -- "$pat" "$log"; then
		vm__fail "$log" "$desc"
	else
		vm_ok "$desc"
	fi
}

# vm_expect_line LOG LINE DESCRIPTION: LINE occurs as an exact line.
vm_expect_line() {
	local log=$1 line=$2 desc=$3 tag got err
	if grep -Fxq -- "$line" "$log"; then
		vm_ok "$desc"
		return 0
	fi
	# A command's status (vt_run): say what it was, and its last stderr
	# line, in the one line a summary shows.
	if [[ $line =~ ^RC\ ([^:]+):\  ]]; then
		tag=${BASH_REMATCH[1]}
		got=$(grep -a -m 1 -F -- "RC $tag: " "$log" || true)
		err=$(grep -a -F -- "ERR $tag: " "$log" | tail -n 1 || true)
		desc+=" (got '${got:-no RC line}'${err:+, last stderr line: '${err#"ERR $tag: "}'})"
	fi
	vm__fail "$log" "$desc"
}

# vm_expect_changed_initrd LOG: after a purgatory's mismatch line, its report
# (every segment read again) names the initrd segment that
# tests/vm/helpers/corrupt-load.c corrupted ("OUT load: initrd segment at
# ..."), and no other, and ends.
vm_expect_changed_initrd() {
	local log=$1 seg n
	seg=$(vm_field "$log" "OUT load: initrd segment at ")
	vm_expect_line "$log" "purgatory: changed since the load: the segment at $seg" "the report names the initrd segment as changed (${seg:-no segment printed})"
	vm_expect_line "$log" "purgatory: stopped; the kernel was not entered" "the report ends"
	n=$(grep -c '^purgatory: changed since the load: ' "$log" || true)
	if [[ $n == 1 ]]; then
		vm_ok "no other segment named"
	else
		vm__fail "$log" "no other segment named (got $n lines)"
	fi
}

# vm_line_no LOG ERE: number of the first line matching ERE (empty if none).
vm_line_no() {
	grep -En -m 1 -- "$2" "$1" | cut -d: -f1 || true
}

# vm_expect_order LOG ERE1 ERE2 DESCRIPTION: an ERE2 line after the first
# ERE1 line (the first kernel may print ERE2 too, e.g. its banner on an
# early console that "quiet" does not silence).
vm_expect_order() {
	local log=$1 a b desc=$4
	a=$(vm_line_no "$log" "$2")
	b=
	[[ -z $a ]] || b=$(tail -n "+$((a + 1))" "$log" | grep -En -m 1 -- "$3" | cut -d: -f1 || true)
	[[ -z $b ]] || b=$((a + b))
	if [[ -n $a && -n $b ]] && ((a < b)); then
		vm_ok "$desc"
	else
		vm__fail "$log" "$desc"
	fi
}

# vm_expect_checks LOG MIN: every "CHECK name got=X want=Y" line has X == Y,
# and there are at least MIN of them.
vm_expect_checks() {
	local log=$1 min=$2 line name got want n=0 bad=0
	while IFS= read -r line; do
		n=$((n + 1))
		name=${line#CHECK }
		name=${name%% *}
		got=${line#* got=}
		got=${got%% want=*}
		want=${line##* want=}
		if [[ $got == "$want" ]]; then
			vm_ok "check $name (=$got)"
		else
			bad=$((bad + 1))
			vm__fail "" "check $name: got $got, want $want"
		fi
	done < <(grep -E '^CHECK [^ ]+ got=.* want=' "$log")
	if ((n < min)); then
		vm__fail "$log" "only $n of $min CHECK lines present"
	fi
}

# vm_field LOG PREFIX: text after PREFIX on the first line starting with PREFIX.
vm_field() {
	VM_P=$2 awk 'index($0, ENVIRON["VM_P"]) == 1 { print substr($0, length(ENVIRON["VM_P"]) + 1); exit }' "$1"
}

# vm_re_escape STRING: STRING with ERE metacharacters backslash-escaped.
# shellcheck disable=SC2016 # a sed script, not a shell expansion
vm_re_escape() {
	printf '%s' "$1" | sed 's/[][\\.*^$(){}+?|/]/\\&/g'
}

# vm_nonce: a short random token so a log from an earlier run cannot match.
vm_nonce() {
	od -An -N4 -tx1 /dev/urandom | tr -d ' \n'
}

# vm_finish NAME: print "PASS: NAME" or "FAIL: NAME: <first failure>" and exit.
vm_finish() {
	local name=$1
	if ((${#VM_FAILURES[@]} == 0)); then
		echo "PASS: $name"
		exit 0
	fi
	echo "FAIL: $name: ${VM_FAILURES[0]}"
	exit 1
}

# vm_sh_quote STRING: STRING as one single-quoted sh word.
vm_sh_quote() {
	local q="'\\''"
	printf "'%s'" "${1//\'/$q}"
}

# vm_test_setup NAME: common preamble for test-*.sh. Sets VM_TEST_NAME,
# VM_LOG (serial log), VM_SCENARIO (where the test writes its guest script)
# and VM_WORK (scratch dir, removed on exit).
vm_test_setup() {
	VM_TEST_NAME=$1
	mkdir -p "$VM_LOG_DIR"
	VM_LOG=$VM_LOG_DIR/$VM_TEST_NAME.log
	VM_SCENARIO=$VM_LOG_DIR/$VM_TEST_NAME.scenario.sh
	rm -f "$VM_LOG" "$VM_SCENARIO"
	if [[ ! -f $(vm_kexec_bin) ]]; then
		echo "FAIL: $VM_TEST_NAME: kexec binary $(vm_kexec_bin) does not exist (build it first or set KEXEC_BIN)"
		exit 1
	fi
	if [[ $VM_ARCH != x86_64 ]] && ! LC_ALL=C readelf -h "$(vm_kexec_bin)" 2>/dev/null | grep -Eq "Machine: *$VM__MACHINE"; then
		echo "FAIL: $VM_TEST_NAME: kexec binary $(vm_kexec_bin) is not a $VM__TITLE program (make builds $VM__BUILD/kexec; or set KEXEC_BIN)"
		exit 1
	fi
	VM_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vm-$VM_TEST_NAME.XXXXXX")
	# shellcheck disable=SC2064 # expand now: VM_WORK is fixed from here on
	trap "rm -rf '$VM_WORK'" EXIT
	if [[ -z $VM_KERNEL || ! -f $VM_KERNEL ]]; then
		vm_fetch_kernel
	fi
	[[ -n $VM_KVER ]] || VM_KVER=${VM_KERNEL##*/vmlinuz-}
}

# vm_scenario_exec CMDLINE BODY: writes $VM_SCENARIO for a test that loads a
# kernel and boots it: $CMDLINE set to CMDLINE, $KERNEL to the path of the
# kernel to load ($VM_GUEST_KERNEL), /lib/vmtest.sh sourced, the
# guest shell lines BODY (which load the image; the load step is named
# "load"), a check that an image is loaded, and `kexec -e`, which must not
# return (the stage-2 init then prints STAGE2-* lines).
vm_scenario_exec() {
	{
		echo "CMDLINE=$(vm_sh_quote "$1")"
		# The kernel stage 1 loads: its path in the initramfs.
		echo "KERNEL=$(vm_sh_quote "$VM_GUEST_KERNEL")"
		echo '. /lib/vmtest.sh'
		printf '%s\n' "$2"
		cat <<'EOS'
vt_check loaded_after "$(vt_loaded)" 1
echo STAGE1-EXEC
kexec -e
echo "STAGE1-EXEC-RETURNED rc=$?"
exit 1
EOS
	} >"$VM_SCENARIO"
}

# vm_expect_refused LOG TAG WHAT ERE: the step TAG (WHAT names it) exited
# non-zero with one "kexec: " line on stderr, matching ERE.
vm_expect_refused() {
	local log=$1 tag=$2 what=$3 re=$4 rc lines err
	rc=$(vm_field "$log" "RC $tag: ")
	lines=$(vm_field "$log" "ERRLINES $tag: ")
	err=$(vm_field "$log" "ERR $tag: ")
	if [[ -n $rc && $rc != 0 && $lines == 1 && $err == "kexec: "* ]] && grep -Eq -- "$re" <<<"$err"; then
		vm_ok "$what: exit $rc, '$err'"
	else
		vm__fail "" "$what: exit '${rc:-missing}', ${lines:-no} stderr lines, '$err' (want non-zero, one line matching /$re/)"
	fi
}

# vm_expect_load_ok LOG WHAT: the step "load" (WHAT names it) exited 0 and
# printed nothing on stderr.
vm_expect_load_ok() {
	vm_expect_line "$1" "RC load: 0" "$2 exits 0"
	vm_expect_line "$1" "ERRLINES load: 0" "$2 prints nothing on stderr"
}

# vm_expect_stage2 LOG CMDLINE [KVER]: kexec -e did not return, the second
# kernel's init ran after it with /proc/cmdline exactly CMDLINE (and the
# kernel is release KVER, when given), and stage 2 finished.
vm_expect_stage2() {
	local log=$1 cmdline=$2 kver=${3:-}
	vm_expect_not "$log" '^STAGE1-EXEC-RETURNED' "kexec -e does not return"
	vm_expect_order "$log" '^STAGE1-EXEC$' '^STAGE2-CMDLINE: ' "second kernel starts after kexec -e"
	if [[ $VM_ARCH == mips64el ]] && grep -qE "^STAGE2-CMDLINE: $(vm_re_escape "$cmdline") rd_start=0xffffffff[89][0-9a-f]{7} rd_size=[0-9]+$" "$log"; then
		# The Loongson way: the initrd's place travels in the command line
		# (rd_start= a CKSEG0 address, rd_size=), as with QEMU's own boot.
		vm_ok "second kernel /proc/cmdline is '$cmdline' and the initrd's rd_start=/rd_size= (got '$(vm_field "$log" "STAGE2-CMDLINE: ")')"
	else
		vm_expect_line "$log" "STAGE2-CMDLINE: $cmdline" "second kernel /proc/cmdline is exactly '$cmdline' (got '$(vm_field "$log" "STAGE2-CMDLINE: ")')"
	fi
	if [[ -n $kver ]]; then
		vm_expect_line "$log" "STAGE2-KERNEL: $kver" "second kernel is $kver (got '$(vm_field "$log" "STAGE2-KERNEL: ")')"
	fi
	vm_expect "$log" '^STAGE2-DONE$' "stage 2 finished"
}

# vm_boot CMDLINE_EXTRA [MEM]: build the initramfs around $VM_SCENARIO, boot
# it (MEM defaults to $VM_MEM, else 1G) and log to $VM_LOG. Records a failure
# when qemu fails or times out.
vm_boot() {
	local rc=0 t0=$SECONDS
	vm_build_initramfs "$VM_WORK/initramfs.cpio" "$VM_SCENARIO"
	vm_run "$VM_LOG" "$1" "${2:-}" || rc=$?
	echo "  qemu exited with status $rc after $((SECONDS - t0))s (log: $VM_LOG)"
	if [[ $rc -eq 124 ]]; then
		vm__fail "$VM_LOG" "guest timed out after $((VM_TIMEOUT * KX_TIME_SCALE))s (KX_TIME_SCALE=$KX_TIME_SCALE)"
	elif [[ $rc -eq 125 ]]; then
		vm__fail "$VM_LOG" "a guest kernel panicked: $(grep -o 'Kernel panic - not syncing: .*' "$VM_LOG" | tail -n 1)"
	elif [[ $rc -eq 126 ]]; then
		: # stopped at $VM_STOP_PATTERN, as the test asked
	elif [[ $rc -eq 123 ]]; then
		vm__fail "$VM_LOG" "the purgatory took an exception: $(grep -Eo 'purgatory: (trap|exception).*' "$VM_LOG" | tail -n 1)"
	elif [[ $rc -ne 0 ]]; then
		vm__fail "$VM_LOG" "qemu exited with status $rc"
	fi
	rm -f "$VM_WORK/initramfs.cpio"
}

# ---- kdump: a crash dump saved to an NVMe disk ------------------------------

# vm_fetch_vmcore_dmesg: Debian's vmcore-dmesg (package kexec-tools), to read
# the first kernel's log out of a saved vmcore on the host. The .deb is
# downloaded into the cache and only vmcore-dmesg is unpacked: kexec-tools is
# never installed on the host (its scripts and units touch reboot handling).
# Sets VM_VMCORE_DMESG; returns 1 with the reason in VM__WHY when it cannot.
vm_fetch_vmcore_dmesg() {
	local cache dir deb tmp f rc=0
	cache=$(vm_cache_dir)
	dir=$cache/kexec-tools
	if [[ ! -e $dir/.extracted ]]; then
		mkdir -p "$cache"
		deb=$(find "$cache" -maxdepth 1 -name 'kexec-tools_*.deb' | sort -V | tail -n 1)
		if [[ -z $deb ]]; then
			if ! (cd "$cache" && apt-get download -q kexec-tools) >"$cache/apt-download.log" 2>&1; then
				VM__WHY="apt-get download kexec-tools failed (see $cache/apt-download.log)"
				return 1
			fi
			deb=$(find "$cache" -maxdepth 1 -name 'kexec-tools_*.deb' | sort -V | tail -n 1)
			if [[ -z $deb ]]; then
				VM__WHY="apt-get download kexec-tools produced no .deb in $cache"
				return 1
			fi
		fi
		tmp=$(mktemp -d "$cache/.kexec-tools.XXXXXX")
		if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards '*/vmcore-dmesg'; then
			rm -rf "$tmp"
			VM__WHY="unpacking vmcore-dmesg from $deb failed"
			return 1
		fi
		touch "$tmp/.extracted"
		rm -rf "$dir"
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp" # another test won the race
	fi
	f=$(find "$dir" -type f -name vmcore-dmesg | head -n 1)
	if [[ -z $f ]]; then
		VM__WHY="no vmcore-dmesg in $dir"
		return 1
	fi
	# Without arguments it prints its usage and exits 1; 126/127 means it
	# cannot run here (it needs only libc).
	"$f" >/dev/null 2>&1 || rc=$?
	if ((rc >= 126)); then
		VM__WHY="$f does not run here (exit status $rc)"
		return 1
	fi
	VM_VMCORE_DMESG=$f
}

# vm__kdump_subtract START END: remove [START, END] from the intervals in
# VM__IV (pairs "a b", inclusive ends).
vm__kdump_subtract() {
	local c=$1 d=$2 iv a b out=()
	for iv in "${VM__IV[@]}"; do
		read -r a b <<<"$iv"
		if ((d < a || c > b)); then
			out+=("$a $b")
			continue
		fi
		if ((a < c)); then out+=("$a $((c - 1))"); fi
		if ((d < b)); then out+=("$((d + 1)) $b"); fi
	done
	VM__IV=(${out[@]+"${out[@]}"})
}

# vm_kdump_check_elf IMG LOG CPUS SIZE: the vmcore saved at the start of IMG
# (SIZE bytes, from STAGE2-VMCORE-SIZE) is an ELF core with exactly CPUS
# NT_PRSTATUS notes and one VMCOREINFO note, and its PT_LOADs cover every
# byte of stage 1's System RAM above 1 MiB outside the crash kernel region
# (STAGE1-IOMEM lines in LOG), lie inside System RAM, stay out of the crash
# region, and have their data inside the SIZE bytes. readelf's output is
# kept in $VM_LOG_DIR/$VM_TEST_NAME.readelf.
vm_kdump_check_elf() {
	local img=$1 log=$2 cpus=$3 size=$4 out n
	local _ a b s e name off paddr filesz memsz iv ld cur found gap
	local ram=() crash=() loads=() req=() uncovered=0 first_gap='' bad_ram='' bad_crash='' bad_data='' data_end=0 cover=0 need=0
	out=$VM_LOG_DIR/$VM_TEST_NAME.readelf
	if [[ $(vm__hex "$img" 0 4) != 7f454c46 ]]; then
		vm__fail "" "the disk image does not start with an ELF header (got '$(vm__hex "$img" 0 4)'): no vmcore saved"
		return 0
	fi
	LC_ALL=C readelf -h -n -l -W "$img" >"$out" 2>&1 || true
	vm_expect "$out" '^ +Type: +CORE ' "the saved vmcore is an ELF core file (readelf -h; $out)"
	# e_machine: 62 EM_X86_64, 183 EM_AARCH64, 243 EM_RISCV, 21 EM_PPC64.
	local em want_em=62
	[[ $VM_ARCH == ppc64el ]] && want_em=21
	[[ $VM_ARCH == arm64 ]] && want_em=183
	[[ $VM_ARCH == riscv64 ]] && want_em=243
	[[ $VM_ARCH == arm ]] && want_em=40
	[[ $VM_ARCH == i386 ]] && want_em=3
	em=$(vm__u16 "$img" 18)
	if [[ $em == "$want_em" ]]; then
		vm_ok "the vmcore's e_machine is $em ($VM_ARCH)"
	else
		vm__fail "" "the vmcore's e_machine is '$em', want $want_em ($VM_ARCH; $out)"
	fi
	n=$(grep -Ec '^ +CORE[[:space:]]+0x[0-9a-f]+[[:space:]]+NT_PRSTATUS ' "$out" || true)
	if [[ $n == "$cpus" ]]; then
		vm_ok "vmcore has $n NT_PRSTATUS notes (one per CPU)"
	else
		vm__fail "" "vmcore has $n NT_PRSTATUS notes, want $cpus (one per CPU; $out)"
	fi
	n=$(grep -Ec '^ +VMCOREINFO[[:space:]]+0x[0-9a-f]+[[:space:]]' "$out" || true)
	if [[ $n == 1 ]]; then
		vm_ok "vmcore has a VMCOREINFO note"
	else
		vm__fail "" "vmcore has $n VMCOREINFO notes, want 1 ($out)"
	fi

	while read -r _ a b name; do
		case $name in
		"System RAM") ram+=("$((16#$a)) $((16#$b))") ;;
		"Crash kernel") crash+=("$((16#$a)) $((16#$b))") ;;
		esac
	done < <(grep -E '^STAGE1-IOMEM [0-9a-f]+ [0-9a-f]+ ' "$log")
	if ((${#ram[@]} == 0 || ${#crash[@]} == 0)); then
		vm__fail "$log" "stage 1 printed no STAGE1-IOMEM System RAM and Crash kernel lines"
		return 0
	fi
	# The RAM a dump must hold: System RAM above 1 MiB (the kernel keeps
	# the low 1 MiB out of the crash kernel's reach and out of the
	# header), minus the crash kernel region.
	VM__IV=()
	for iv in "${ram[@]}"; do
		read -r a b <<<"$iv"
		if ((a < 0x100000)); then a=$((0x100000)); fi
		if ((a <= b)); then VM__IV+=("$a $b"); fi
	done
	for iv in "${crash[@]}"; do
		read -r a b <<<"$iv"
		vm__kdump_subtract "$a" "$b"
	done
	# riscv64: the M-mode firmware's memory (OpenSBI's mmode_resv*, which
	# its PMP hides from S-mode: reading it faults) need not be dumped.
	while read -r _ a b name; do
		vm__kdump_subtract "$((16#$a))" "$((16#$b))"
		echo "  $name 0x$a-0x$b (M-mode firmware, PMP-protected) need not be in the dump"
	done < <(grep -E '^STAGE1-FWRESV [0-9a-f]+ [0-9a-f]+ ' "$log")
	# Memory a test says the kernel leaves out of the dump on purpose
	# (crashkernel=,cma: the crash kernel's own RAM), as "STAGE1-NODUMP
	# start end why" (hex, inclusive).
	while read -r _ a b name; do
		vm__kdump_subtract "$((16#$a))" "$((16#$b))"
		echo "  0x$a-0x$b ($name) need not be in the dump"
	done < <(grep -E '^STAGE1-NODUMP [0-9a-f]+ [0-9a-f]+ ' "$log")
	req=(${VM__IV[@]+"${VM__IV[@]}"})

	while read -r _ off _ paddr filesz memsz _; do
		((memsz > 0)) || continue
		s=$((paddr))
		e=$((paddr + memsz - 1))
		loads+=("$s $e")
		cover=$((cover + memsz))
		if ((off + filesz > data_end)); then data_end=$((off + filesz)); fi
		if ((filesz != memsz)) && [[ -z $bad_data ]]; then
			bad_data=$(printf 'PT_LOAD paddr 0x%x has p_filesz 0x%x != p_memsz 0x%x' "$s" "$((filesz))" "$((memsz))")
		fi
		found=0
		for iv in "${ram[@]}"; do
			read -r a b <<<"$iv"
			if ((s >= a && e <= b)); then found=1; fi
		done
		if ((!found)) && [[ -z $bad_ram ]]; then
			bad_ram=$(printf '0x%x-0x%x' "$s" "$e")
		fi
		for iv in "${crash[@]}"; do
			read -r a b <<<"$iv"
			if ((s <= b && e >= a)) && [[ -z $bad_crash ]]; then
				bad_crash=$(printf '0x%x-0x%x overlaps the crash region 0x%x-0x%x' "$s" "$e" "$a" "$b")
			fi
		done
	done < <(awk '$1 == "LOAD"' "$out")
	if ((${#loads[@]} == 0)); then
		vm__fail "" "vmcore has no PT_LOAD segments ($out)"
		return 0
	fi
	for iv in "${req[@]}"; do
		read -r a b <<<"$iv"
		need=$((need + b - a + 1))
		cur=$a
		while ((cur <= b)); do
			found=0
			for ld in "${loads[@]}"; do
				read -r s e <<<"$ld"
				if ((s <= cur && e >= cur)); then
					cur=$((e + 1))
					found=1
				fi
			done
			if ((found)); then continue; fi
			# Not covered: the gap runs to the next PT_LOAD start or to b.
			gap=$b
			for ld in "${loads[@]}"; do
				read -r s e <<<"$ld"
				if ((s > cur && s - 1 < gap)); then gap=$((s - 1)); fi
			done
			uncovered=$((uncovered + gap - cur + 1))
			if [[ -z $first_gap ]]; then first_gap=$(printf '0x%x-0x%x' "$cur" "$gap"); fi
			cur=$((gap + 1))
		done
	done
	echo "  vmcore: ${#loads[@]} PT_LOADs, $((cover >> 20)) MiB; System RAM above 1 MiB outside the crash region: $((need >> 20)) MiB in ${#req[@]} ranges"
	if ((uncovered == 0)); then
		vm_ok "PT_LOADs cover all System RAM above 1 MiB outside the crash region"
	else
		vm__fail "" "PT_LOADs leave $uncovered bytes of System RAM uncovered (first: $first_gap; $out)"
	fi
	if [[ -z $bad_crash ]]; then
		vm_ok "no PT_LOAD overlaps the crash region"
	else
		vm__fail "" "PT_LOAD $bad_crash ($out)"
	fi
	if [[ -z $bad_ram ]]; then
		vm_ok "every PT_LOAD lies inside one System RAM range"
	else
		vm__fail "" "PT_LOAD $bad_ram is not inside a System RAM range ($out)"
	fi
	if [[ -z $bad_data ]] && ((data_end <= size)); then
		vm_ok "every PT_LOAD's data is in the saved $size bytes (last ends at $data_end)"
	else
		vm__fail "" "${bad_data:-PT_LOAD data ends at $data_end, after the $size bytes saved} ($out)"
	fi
}

# vm_kdump_check_dmesg IMG MARKER: Debian's vmcore-dmesg reads the first
# kernel's log from the vmcore at the start of IMG: it has MARKER and then
# the sysrq crash. Its output is kept in $VM_LOG_DIR/$VM_TEST_NAME.vmcore-dmesg.
vm_kdump_check_dmesg() {
	local img=$1 marker=$2 out rc=0
	out=$VM_LOG_DIR/$VM_TEST_NAME.vmcore-dmesg
	if ! vm_fetch_vmcore_dmesg; then
		vm__fail "" "vmcore-dmesg is not available: $VM__WHY"
		return 0
	fi
	"$VM_VMCORE_DMESG" "$img" >"$out" 2>&1 || rc=$?
	if ((rc == 0)); then
		vm_ok "vmcore-dmesg reads the vmcore ($(wc -l <"$out") lines in $out)"
	else
		vm__fail "$out" "vmcore-dmesg exited $rc"
	fi
	vm_expect "$out" "$(vm_re_escape "$marker")" "vmcore-dmesg shows the marker $marker"
	vm_expect "$out" 'sysrq: Trigger a crash' "vmcore-dmesg shows 'sysrq: Trigger a crash'"
	vm_expect "$out" 'Kernel panic - not syncing: sysrq triggered crash' "vmcore-dmesg shows the sysrq panic"
	vm_expect_order "$out" "$(vm_re_escape "$marker")" 'sysrq: Trigger a crash' "vmcore-dmesg: the marker comes before the crash"
}

# vm_kdump_test NAME OPTION: the whole kdump test for `kexec OPTION -p`
# (-s: kexec_file_load, -c: kexec_load). A 512 MiB, 2-CPU guest with
# crashkernel=$VM_KDUMP_CRASHKERNEL and an NVMe disk (a sparse
# $VM_LOG_DIR/NAME.img) writes a marker to /dev/kmsg, loads the crash kernel
# and crashes through sysrq; the crash kernel's init copies /proc/vmcore to
# the disk and powers off. Then readelf and Debian's vmcore-dmesg check the
# dump on the host (vm_kdump_check_elf, vm_kdump_check_dmesg). The image is
# removed when the test passes. Ends with vm_finish.
vm_kdump_test() {
	local name=$1 opt=$2 t0=$SECONDS nonce marker cmdline img ck size cpus=2 console=ttyS0 mem=512M disk=600M
	ck=${VM_KDUMP_CRASHKERNEL:-96M}
	if [[ $VM_ARCH == arm64 ]]; then
		ck=${VM_KDUMP_CRASHKERNEL:-192M}
		console=ttyAMA0
	fi
	if [[ $VM_ARCH == riscv64 ]]; then
		ck=${VM_KDUMP_CRASHKERNEL:-192M}
		# The dump disk is virtio-blk over virtio-mmio (both modules in
		# Debian's riscv64 kernel, which the crash kernel's init loads):
		# an NVMe controller's interrupts never reach the crash kernel.
		VM_STAGE2_MODULES=(virtio_mmio virtio_blk)
	fi
	if [[ $VM_ARCH == arm ]]; then
		# ARM reserves the region 128 MiB-aligned; virtio-blk over
		# virtio-mmio, both modules in Debian's armmp kernels.
		ck=${VM_KDUMP_CRASHKERNEL:-128M}
		console=ttyAMA0
		VM_STAGE2_MODULES=(virtio_mmio virtio_blk)
	fi
	if [[ $VM_ARCH == i386 ]]; then
		# The 686-pae kernel unpacks to 18 MiB; NVMe is a module there.
		ck=${VM_KDUMP_CRASHKERNEL:-128M}
		VM_STAGE2_MODULES=(nvme)
	fi
	if [[ $VM_ARCH == ppc64el ]]; then
		# The powerpc64le kernel (64 KiB pages) takes 40 MiB where it
		# runs; NVMe is a module there. 1 GiB: pseries puts the
		# reservation at half the real mode area.
		ck=${VM_KDUMP_CRASHKERNEL:-256M}
		console=hvc0
		mem=1G
		disk=1G
		VM_STAGE2_MODULES=(nvme)
	fi
	vm_test_setup "$name"
	nonce=$(vm_nonce)
	marker="KXMARK-$nonce"
	cmdline="console=$console${VM_ARCH_ARGS:+ $VM_ARCH_ARGS} irqpoll nr_cpus=1 reset_devices kxtest=$nonce"
	img=$VM_LOG_DIR/$name.img
	rm -f "$img" "$VM_LOG_DIR/$name.readelf" "$VM_LOG_DIR/$name.vmcore-dmesg"
	truncate -s "$disk" "$img"
	VM_SMP=$cpus
	if [[ $VM_ARCH == riscv64 || $VM_ARCH == arm ]]; then
		VM_QEMU_ARGS+=(-drive "file=$img,if=none,id=d0,format=raw" -device "virtio-blk-device,drive=d0")
	else
		VM_QEMU_ARGS+=(-drive "file=$img,if=none,id=d0,format=raw" -device "nvme,serial=kxdump,drive=d0")
	fi

	{
		echo "CMDLINE=$(vm_sh_quote "$cmdline")"
		echo "MARKER=$(vm_sh_quote "$marker")"
		echo "OPT=$(vm_sh_quote "$opt")"
		echo "KERNEL=$(vm_sh_quote "$VM_GUEST_KERNEL")"
		cat <<'EOS'
. /lib/vmtest.sh
vt_iomem
EOS
		if [[ $VM_ARCH == riscv64 ]]; then
			# The M-mode firmware's reserved memory (device tree
			# /reserved-memory/mmode_resv*: 2 address and 2 size cells
			# on virt) as "STAGE1-FWRESV start end name" (hex, inclusive).
			cat <<'EOS'
for d in /sys/firmware/devicetree/base/reserved-memory/mmode_resv*; do
	[ -f "$d/reg" ] || continue
	r=$(od -An -tx1 "$d/reg" | tr -d ' \n')
	printf 'STAGE1-FWRESV %x %x %s\n' "$((0x${r%????????????????}))" "$((0x${r%????????????????} + 0x${r#????????????????} - 1))" "${d##*/}"
done
EOS
		fi
		if [[ $VM_ARCH == ppc64el ]]; then
			# powerpc lists the reservation in the device tree
			# (linux,crashkernel-base/-size), not in /proc/iomem.
			cat <<'EOS'
b=$(od -An -tx1 /proc/device-tree/chosen/linux,crashkernel-base | tr -d ' \n')
s=$(od -An -tx1 /proc/device-tree/chosen/linux,crashkernel-size | tr -d ' \n')
printf 'STAGE1-IOMEM %x %x Crash kernel\n' "$((0x$b))" "$((0x$b + 0x$s - 1))"
EOS
		fi
		cat <<'EOS'
echo "STAGE1-CRASH-SIZE: $(cat /sys/kernel/kexec_crash_size)"
echo "STAGE1-CPUS: $(grep -c '^processor' /proc/cpuinfo)"
echo "$MARKER" >/dev/kmsg
vt_check crash_loaded_before "$(vt_crash_loaded)" 0
# OPT may be several options (word splitting intended).
vt_run load kexec $OPT -p "$KERNEL" --initrd=/boot/stage2.cpio.gz --append="$CMDLINE"
vt_check crash_loaded_after "$(vt_crash_loaded)" 1
# Without a crash kernel the panic would only hang the guest.
[ "$(vt_crash_loaded)" = 1 ] || exit 1
EOS
		# A test's own guest lines between the load and the crash.
		printf '%s\n' "${VM_KDUMP_BEFORE_CRASH:-}"
		cat <<'EOS'
echo STAGE1-CRASH
vt_drain
echo c >/proc/sysrq-trigger
echo "STAGE1-CRASH-RETURNED"
exit 1
EOS
	} >"$VM_SCENARIO"

	vm_boot "crashkernel=$ck${VM_KDUMP_BOOT_EXTRA:+ $VM_KDUMP_BOOT_EXTRA}" "$mem"
	local log=$VM_LOG
	vm_expect "$log" '^STAGE1-CRASH-SIZE: [1-9][0-9]*$' "crashkernel=$ck reserved memory (got $(vm_field "$log" "STAGE1-CRASH-SIZE: ") bytes)"
	vm_expect_line "$log" "STAGE1-CPUS: $cpus" "stage 1 runs on $cpus CPUs"
	vm_expect_line "$log" "RC load: 0" "kexec $opt -p exits 0"
	if [[ $opt == -*d* ]]; then
		# -d: stderr holds its debug lines, and only those.
		vm_expect_not "$log" '^ERR load: kexec: [^d]' "kexec $opt -p prints only debug lines on stderr"
		vm_expect "$log" '^ERR load: kexec: debug: ' "kexec $opt -p prints debug lines"
	else
		vm_expect_line "$log" "ERRLINES load: 0" "kexec $opt -p prints nothing on stderr"
	fi
	vm_expect_checks "$log" 2
	vm_expect_not "$log" '^STAGE1-CRASH-RETURNED' "sysrq-trigger c crashed the first kernel"
	vm_expect_not "$log" '^VT-DRAIN-FAILED' "the console drained before the crash"
	vm_expect_order "$log" 'Kernel panic - not syncing: sysrq triggered crash' '^STAGE2-CMDLINE: ' "crash kernel starts after the panic"
	vm_expect "$log" "^STAGE2-CMDLINE: (.* )?kxtest=$nonce( |\$)" "crash kernel /proc/cmdline has kxtest=$nonce (got '$(vm_field "$log" "STAGE2-CMDLINE: ")')"
	vm_expect_line "$log" "STAGE2-VMCORE-MAGIC: 7f454c46" "/proc/vmcore starts with the ELF magic"
	size=$(vm_field "$log" "STAGE2-VMCORE-SIZE: ")
	vm_expect "$log" "^STAGE2-VMCORE-SAVED [1-9][0-9]*\$" "crash kernel saved /proc/vmcore ($size bytes) to the dump disk"
	vm_expect "$log" '^STAGE2-DONE$' "crash kernel finished"
	if [[ $size =~ ^[0-9]+$ ]] && grep -Eq '^STAGE2-VMCORE-SAVED ' "$log"; then
		vm_kdump_check_elf "$img" "$log" "$cpus" "$size"
		vm_kdump_check_dmesg "$img" "$marker"
	fi
	# A test's own expectations on the log: define vm_kdump_extra LOG before calling.
	if declare -F vm_kdump_extra >/dev/null; then
		vm_kdump_extra "$log"
	fi
	echo "  time: $((SECONDS - t0))s"
	if ((${#VM_FAILURES[@]} == 0)); then
		rm -f "$img"
	else
		echo "  disk image kept: $img"
	fi
	vm_finish "$name"
}
