#!/usr/bin/env bash
# make check-distro: our Debian packages in full Debian guests, driven by the
# distribution's own tools (not part of make check: each guest boots four
# times under TCG). For each release (Debian 12 and 13) on x86_64 and arm64
# (where Debian's kernels have no kexec_file_load: kdump-tools and systemctl
# kexec go through kexec_load and the device tree we build):
#   - a root made by mmdebstrap (systemd as init, Debian's cloud kernel,
#     kdump-tools, kexec-tools, makedumpfile), cached as a tarball, with our
#     kexec-ng and libkexec1 installed by dpkg the way debian/ installs them
#     (kexec-ng diverts kexec-tools' /sbin/kexec);
#   - boot 1: the kdump-tools service loads the crash kernel at boot (through
#     our kexec), a marker goes to the kernel log, sysrq crashes the guest,
#     the crash kernel's kdump-tools saves the dump with makedumpfile;
#   - boot 2: makedumpfile reads the marker back out of the saved dump;
#     `kexec -l` + `systemctl kexec`;
#   - boot 3: the kexec'd kernel reaches systemd after a clean shutdown;
#     /etc/default/kexec says LOAD_KEXEC=true; Debian 12: kexec-tools'
#     kexec-load service loads the kernel at shutdown on `systemctl reboot`
#     (systemd then reboots through the firmware, as with kexec-tools' own
#     kexec: said, not checked); Debian 13 (whose kexec-tools replaced the
#     service with a script): kexec-load-kernel loads it, and `systemctl
#     kexec` (its README.Debian's way) must boot it;
#   - boot 4: what the reboot came through.
# The guest's side is tests/distro/kxdistro (a systemd service). Prints
# PASS:/FAIL: lines and "N passed, N failed".
#
# arm64's roots are made and our arm64 .debs built (in a cached Debian 12
# arm64 build root, with dpkg-buildpackage as on the host) under
# qemu-aarch64-static, registered with binfmt_misc when it is not already.
#
# Usage: tests/distro/run.sh [RELEASE...]   (default: bookworm trixie)
#   KX_DISTRO_ARCHES which architectures (default: "amd64 arm64")
#   KX_DISTRO_BASELINE 1: the same scenario with kexec-tools' own kexec (ours
#                    not built nor installed), to tell our failures from the
#                    distribution's
#   KX_TIME_SCALE    multiplies the guests' timeouts (default 2)
#   KX_DEBIAN_MIRROR where mmdebstrap downloads from (default deb.debian.org)
#   KX_DISTRO_KEEP   1: keep the work directory (images, serial logs)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/../../scripts/apt.sh
. "$top/scripts/apt.sh"
scale=${KX_TIME_SCALE:-2}
releases=("$@")
((${#releases[@]})) || releases=(bookworm trixie)
read -r -a arches <<<"${KX_DISTRO_ARCHES:-amd64 arm64}"
baseline=${KX_DISTRO_BASELINE:-0}
host_arch=$(dpkg --print-architecture)
passed=0
failed=0
work=$(mktemp -d /tmp/kx-distro.XXXXXX)
logs=$top/build/distro-logs
mkdir -p "$logs"
mounted=()
cleanup() {
	local m
	for m in ${mounted[@]+"${mounted[@]}"}; do umount -l "$m" 2>/dev/null; done
	[[ ${KX_DISTRO_KEEP:-0} == 1 ]] || rm -rf --one-file-system "$work"
}
trap cleanup EXIT

pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1: $2"; failed=$((failed + 1)); }

if [[ $(id -u) -ne 0 ]]; then
	echo "check-distro needs root (mmdebstrap --mode=root, chroot, dpkg -i into the root)" >&2
	exit 2
fi

# ---- our packages, built once per architecture from a copy of the tree ---------
src=$work/src
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) |
	tar -C "$src" -xf -

# foreign_ready ARCH: binaries of ARCH run here (qemu-user through
# binfmt_misc), registering qemu-user-static's handler if need be.
foreign_ready() {
	local q conf bm=/proc/sys/fs/binfmt_misc
	[[ $1 != "$host_arch" ]] || return 0
	case $1 in
	arm64) q="qemu-aarch64" ;;
	*) return 1 ;;
	esac
	[[ -e $bm/$q ]] && return 0
	conf=/usr/lib/binfmt.d/$q.conf
	[[ -r $conf ]] || { echo "  $conf is missing (apt-get install qemu-user-static)"; return 1; }
	[[ -e $bm/register ]] || mount -t binfmt_misc binfmt_misc "$bm" || return 1
	# One line, in the kernel's own register format (F: the interpreter is
	# opened now, so that it runs in the roots too).
	grep -v '^#' "$conf" | head -n 1 | tr -d '\n' >"$bm/register" || return 1
	echo "  registered $q with binfmt_misc ($conf)"
}

# mmroot NAME RELEASE ARCH PKGS [MMDEBSTRAP OPTION...]: the cached tarball of a
# root made by mmdebstrap (made once; its name carries a hash of the package
# list: remove the tarball after changing the options).
mmroot() {
	local name=$1 rel=$2 arch=$3 inc=$4 cache tar
	shift 4
	cache=$(kx_cache_dir)/mmdebstrap
	tar=$cache/$name-$rel-$arch-$(printf '%s' "$inc" | sha1sum | cut -c1-12).tar
	mkdir -p "$cache"
	if [[ ! -s $tar ]]; then
		if ! mmdebstrap --mode=root --architectures="$arch" --include="$inc" "$@" \
			"$rel" "${tar%.tar}.part.tar" "${KX_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
			>"$logs/mmdebstrap-$name-$rel-$arch.log" 2>&1; then
			rm -f "${tar%.tar}.part.tar"
			return 1
		fi
		mv "${tar%.tar}.part.tar" "$tar"
	fi
	echo "$tar"
}

# build_debs ARCH: kexec-ng and libkexec1 for ARCH in $work/debs-ARCH: on this
# machine for its own architecture, in a Debian 12 build root of ARCH (made by
# mmdebstrap, cached) for another; Debian 12's, so that they install on 13 too.
build_debs() {
	local arch=$1 out=$work/debs-$1 b tar rc=0
	mkdir -p "$out/src"
	cp -a "$src/." "$out/src/"
	if [[ $arch == "$host_arch" ]]; then
		(cd "$out/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -b -us -uc \
			>"$logs/deb-build-$arch.log" 2>&1) || return 1
		return 0
	fi
	foreign_ready "$arch" >>"$logs/deb-build-$arch.log" 2>&1 || return 1
	tar=$(mmroot debbuild bookworm "$arch" \
		"debhelper,meson,ninja-build,pkg-config,python3,libfdt-dev,zlib1g-dev,liblzma-dev,libzstd-dev,liblz4-dev,libxxhash-dev" \
		--variant=buildd) || return 1
	b=$work/debbuild-$arch
	mkdir -p "$b"
	tar -C "$b" -xf "$tar"
	mv "$out/src" "$b/src"
	mount -t proc proc "$b/proc" && mounted+=("$b/proc")
	chroot "$b" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/root \
		DEB_BUILD_OPTIONS="nocheck parallel=2" \
		sh -c 'cd /src && dpkg-buildpackage -b -us -uc -Pnocheck' >"$logs/deb-build-$arch.log" 2>&1 || rc=$?
	umount "$b/proc" 2>/dev/null
	cp "$b"/*.deb "$out/" 2>/dev/null
	rm -rf --one-file-system "$b"
	return $rc
}

# ---- one release on one architecture -------------------------------------------------
# base_root RELEASE ARCH: the cached tarball of RELEASE's root for ARCH.
base_root() {
	local rel=$1 arch=$2 pkgs
	pkgs="systemd-sysv,udev,linux-image-cloud-$arch,initramfs-tools,kdump-tools,kexec-tools"
	pkgs+=",makedumpfile,procps,kmod,libfdt1,zlib1g,liblzma5,libzstd1,liblz4-1"
	# The initramfs gets the disk's modules by name (MODULES=list and a
	# hook): the kernel's and kdump-tools' postinst hooks run mkinitramfs
	# in the chroot, where MODULES=dep (kdump-tools' choice for "most")
	# cannot find the root device.
	# shellcheck disable=SC2016 # $1 is mmdebstrap's (the root being made)
	mmroot distro "$rel" "$arch" "$pkgs" --variant=minbase \
		--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"' \
		--essential-hook='echo MODULES=list >"$1/etc/initramfs-tools/conf.d/kxdistro"' \
		--essential-hook='printf "#!/bin/sh\n[ \"\$1\" = prereqs ] && exit 0\n. /usr/share/initramfs-tools/hook-functions\nmanual_add_modules virtio_pci virtio_blk\n" >"$1/etc/initramfs-tools/hooks/kxdistro" && chmod 755 "$1/etc/initramfs-tools/hooks/kxdistro"' \
		--customize-hook='echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$1/etc/fstab"' \
		--customize-hook='echo kxdistro >"$1/etc/hostname"' \
		--customize-hook='sed -i "s/^USE_KDUMP=.*/USE_KDUMP=1/" "$1/etc/default/kdump-tools"'
}

# boot LOG CMDLINE: boot the image once (until the guest powers off or reboots).
boot() {
	local log=$1 cmdline=$2 rc=0 qemu
	case $arch in
	amd64) qemu=(qemu-system-x86_64 -M pc -cpu max) ;;
	arm64) qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57) ;;
	esac
	timeout $((600 * scale)) "${qemu[@]}" -accel tcg -m 1536 -smp 2 -nographic \
		-no-reboot -nic none -kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		-drive "file=$img,if=virtio,format=raw" </dev/null >"$log" 2>&1 || rc=$?
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	return $rc
}

# expect NAME LOG ERE: PASS when some line of LOG matches ERE.
expect() {
	if grep -Eq "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no line matches '$3' in $2 (last: $(grep -a '^KXD ' "$2" | tail -n 1))"
	fi
}

# one RELEASE: the scenario in RELEASE's guest for $arch, with $ours.
one() {
	local rel=$1 n tar root img marker cmdline console l run why
	n=distro-$rel-$arch
	((baseline == 0)) || n+=-baseline
	if ! tar=$(base_root "$rel" "$arch"); then
		fail "$n: mmdebstrap" "see $logs/mmdebstrap-distro-$rel-$arch.log"
		return
	fi
	root=$work/$n-root
	img=$work/$n.img
	rm -rf "$root"
	mkdir -p "$root"
	if ! tar -C "$root" -xf "$tar"; then
		fail "$n: unpack the root" "tar -xf $tar failed"
		return
	fi
	if ((baseline)); then
		echo "  $n: baseline: kexec-tools' own kexec, ours not installed"
	else
		cp "${ours[@]}" "$root/tmp/"
		if chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
			sh -c 'dpkg -i /tmp/*.deb' >"$logs/$n-dpkg.log" 2>&1; then
			pass "$n: dpkg -i kexec-ng libkexec1"
		else
			fail "$n: dpkg -i kexec-ng libkexec1" "see $logs/$n-dpkg.log"
			return
		fi
		rm -f "$root"/tmp/*.deb
	fi
	install -m 755 "$top/tests/distro/kxdistro" "$root/usr/local/sbin/kxdistro"
	for u in kxdistro.service kxdistro-stop.service; do
		install -m 644 "$top/tests/distro/$u" "$root/etc/systemd/system/$u"
		ln -sf "/etc/systemd/system/$u" "$root/etc/systemd/system/multi-user.target.wants/$u"
	done
	# In the crash kernel, before kdump-tools saves the dump: the marker in /proc/vmcore.
	mkdir -p "$root/etc/systemd/system/kdump-tools-dump.service.d"
	printf '[Service]\nExecStartPre=-/usr/local/sbin/kxdistro crash\n' \
		>"$root/etc/systemd/system/kdump-tools-dump.service.d/kxdistro.conf"
	kernel=$(find "$root/boot" -name 'vmlinuz-*' | sort -V | tail -n 1)
	initrd=$(find "$root/boot" -name 'initrd.img-*' | sort -V | tail -n 1)
	if [[ -z $kernel || -z $initrd ]]; then
		fail "$n: the root's kernel and initrd" "none in $tar's /boot"
		return
	fi
	cp "$kernel" "$work/$n.vmlinuz" && kernel=$work/$n.vmlinuz
	cp "$initrd" "$work/$n.initrd" && initrd=$work/$n.initrd
	rm -f "$img"
	truncate -s 4G "$img"
	if ! mkfs.ext4 -q -F -L kxdistro -d "$root" "$img" >"$logs/$n-mkfs.log" 2>&1; then
		fail "$n: mkfs.ext4 -d" "see $logs/$n-mkfs.log"
		return
	fi
	rm -rf "$root"
	marker=KXMARK-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	console=ttyS0
	[[ $arch != arm64 ]] || console=ttyAMA0
	cmdline="root=/dev/vda rw console=$console crashkernel=384M no_timer_check panic=10 kxmarker=$marker"

	# QEMU exits when the guest reboots through the firmware or powers
	# off; kexec, and a crash into the crash kernel, stay in one run. Run
	# it again until the scenario says it is done (at most 4 runs).
	l=$logs/$n.log
	: >"$l"
	for run in 1 2 3 4; do
		boot "$logs/$n-run$run.log" "$cmdline"
		# The guest's lines, without what else reached the console
		# before them on the same line (terminal queries on Debian 13).
		sed 's/.*\(KXD \)/\1/' "$logs/$n-run$run.log" >>"$l"
		grep -aq '^KXD done' "$l" && break
	done
	echo "  $n: $run QEMU runs, serial logs in $logs/$n-run*.log"
	expect "$n: systemd is init" "$l" '^KXD boot state=new .*pid1=/(usr/)?lib/systemd/systemd$'
	if ((baseline)); then
		expect "$n: /sbin/kexec is kexec-tools' (baseline)" "$l" '^KXD kexec kexec-tools '
	else
		expect "$n: /sbin/kexec is ours" "$l" '^KXD kexec kexec \(libkexec\) '
	fi
	expect "$n: kdump-tools service at boot loaded the crash kernel" "$l" '^KXD crash-loaded 1$'
	expect "$n: the crash kernel's /proc/vmcore holds the first kernel's log line" "$l" '^KXD vmcore-marker found$'
	expect "$n: the crash kernel's kdump-tools saved the vmcore" "$l" 'kdump-tools: saved vmcore in /var/crash/'
	# Debian 13's arm64 kernel has 52-bit virtual addresses with 4 KiB pages
	# (LPA2), which its makedumpfile (1.7.6) cannot read, whichever kexec
	# loaded the crash kernel: said, with makedumpfile's own words.
	why=$(grep -a -m 1 -o 'PAGE SIZE 0x1000 and VA Bits 52 not supported' "$l" || true)
	if [[ -n $why ]]; then
		echo "SKIP: $n: makedumpfile's dump and the marker read back from it: makedumpfile says \"$why\" (Debian 13 arm64: LPA2; kexec-tools' kexec meets the same)"
	else
		expect "$n: makedumpfile's dump is on disk" "$l" '^KXD dump /var/crash/.*/dump\.[0-9]+ [1-9][0-9]*$'
		expect "$n: the marker read back from the dump" "$l" '^KXD dump-marker found$'
	fi
	expect "$n: kexec -l" "$l" '^KXD kexec-l rc=0 loaded=1$'
	expect "$n: systemctl kexec reached systemd in the second kernel" "$l" '^KXD systemctl-kexec ok$'
	if awk '/^KXD boot state=kexec/ { f = 1; next } f && /^KXD previous-shutdown/ { print; exit }' "$l" |
		grep -q clean; then
		pass "$n: systemctl kexec shut down cleanly first"
	else
		fail "$n: systemctl kexec shut down cleanly first" "no 'previous-shutdown clean' after state=kexec in $l"
	fi
	if grep -aq '^KXD kexec-load-kernel ' "$l"; then
		# Debian 13: kexec-tools' kexec-load-kernel, then `systemctl kexec`
		# (its README.Debian's way) boots what it loaded.
		expect "$n: kexec-tools' kexec-load-kernel loaded the kernel (LOAD_KEXEC=true)" "$l" '^KXD kexec-load-kernel rc=0 loaded=1$'
		expect "$n: systemctl kexec booted what kexec-load-kernel loaded" "$l" '^KXD reboot-path kexec$'
	else
		# Debian 12: kexec-tools' kexec-load service loads it at shutdown.
		expect "$n: kexec-load.service loaded the next kernel at shutdown (LOAD_KEXEC=true)" "$l" '^KXD kexec-load loaded-at-shutdown=1$'
		echo "  $n: after kexec-load, $(grep -a '^KXD reboot-path' "$l" | head -n 1 | cut -d' ' -f2-)"
	fi
	expect "$n: the guest finished" "$l" '^KXD done$'
}

for arch in "${arches[@]}"; do
	if ((!baseline)); then
		if build_debs "$arch"; then
			pass "distro-$arch: dpkg-buildpackage"
		else
			fail "distro-$arch: dpkg-buildpackage" "see $logs/deb-build-$arch.log"
			continue
		fi
		ours=("$work/debs-$arch"/kexec-ng_*.deb "$work/debs-$arch"/libkexec1_*.deb)
	fi
	foreign_ready "$arch" || {
		fail "distro-$arch: binfmt_misc" "$arch binaries cannot run here (qemu-user-static)"
		continue
	}
	for rel in "${releases[@]}"; do
		one "$rel"
	done
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
