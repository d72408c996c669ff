#!/usr/bin/env bash
# Configure (once) and build a cross-compiled static kexec.
#
#   scripts/build-cross.sh aarch64 DIR    arm64, with gcc-aarch64-linux-gnu
#   scripts/build-cross.sh riscv64 DIR    riscv64, with gcc-riscv64-linux-gnu
#   scripts/build-cross.sh armhf DIR      32-bit ARM (hard float), with gcc-arm-linux-gnueabihf
#   scripts/build-cross.sh i686 DIR       i386, with gcc-i686-linux-gnu
#   scripts/build-cross.sh mips64el DIR   64-bit little-endian MIPS, with gcc-mips64el-linux-gnuabi64
#   scripts/build-cross.sh s390x DIR      IBM Z (big-endian), with gcc-s390x-linux-gnu
#   scripts/build-cross.sh ppc64le DIR    64-bit little-endian POWER, with gcc-powerpc64le-linux-gnu
#
# The target's libfdt and decompression libraries (zlib, liblzma, libzstd,
# liblz4: static archives from their -dev packages) come from Debian's packages, downloaded (never
# installed: libfdt-dev:amd64 and :arm64 cannot be co-installed) into
# $(kx_cache_dir)/debs and unpacked into DIR/sysroot. Once the .debs are in
# the cache, no network is needed. arm64's come from the host's release
# (through the arm64 dpkg architecture); Debian 12 has no riscv64 port, so
# riscv64's come from Debian 13's riscv64 index, read through an apt state of
# its own in the cache (kx_trixie_apt; no dpkg architecture is added). Another
# architecture is one more case below and one more file in scripts/cross/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/apt.sh
. "$top/scripts/apt.sh"
usage="usage: scripts/build-cross.sh aarch64|riscv64|armhf|i686|mips64el|s390x|ppc64le DIR"
target=${1:?$usage}
dir=${2:?$usage}
case "$dir" in /*) ;; *) dir=$PWD/$dir ;; esac

case "$target" in
aarch64)
	triplet=aarch64-linux-gnu
	debarch=arm64
	# On a Debian 13 host, liblz4 takes XXH32 from libxxhash (Debian 12's
	# has its own; its libxxhash is then unpacked and unused).
	debs=(libfdt-dev libfdt1 zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libxxhash-dev)
	machine=AArch64
	trixie=0
	;;
armhf)
	triplet=arm-linux-gnueabihf
	debarch=armhf
	debs=(libfdt-dev libfdt1 zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libxxhash-dev)
	machine=ARM
	trixie=0
	;;
i686)
	triplet=i686-linux-gnu
	debarch=i386
	debs=(libfdt-dev libfdt1 zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libxxhash-dev)
	machine='Intel 80386'
	trixie=0
	# The host release's own i386 index (kx_release_apt): no dpkg architecture added.
	release_index=$(kx_host_release)
	;;
mips64el)
	triplet=mips64el-linux-gnuabi64
	debarch=mips64el
	debs=(libfdt-dev libfdt1 zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libxxhash-dev)
	machine='MIPS R3000'
	trixie=0
	# Debian 13 has no mips64el port: Debian 12's index, whatever the host.
	release_index=bookworm
	;;
s390x)
	triplet=s390x-linux-gnu
	debarch=s390x
	debs=(libfdt-dev libfdt1 zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libxxhash-dev)
	machine='IBM S/390'
	trixie=0
	# Debian 12's s390x index, whatever the host (as its kernel and busybox
	# for the VM tests): no dpkg architecture added. (Debian 13's s390x
	# zlib1g-dev was missing from the mirror while its index listed it.)
	release_index=bookworm
	;;
ppc64le)
	triplet=powerpc64le-linux-gnu
	debarch=ppc64el
	debs=(libfdt-dev libfdt1 zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libxxhash-dev)
	machine='PowerPC64'
	trixie=0
	# Debian 12's ppc64el index, whatever the host, as its kernel and
	# busybox for the VM tests: no dpkg architecture added.
	release_index=bookworm
	;;
riscv64)
	triplet=riscv64-linux-gnu
	debarch=riscv64
	# Debian 13's liblz4 takes XXH32 from libxxhash.
	debs=(libfdt-dev libfdt1 zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libxxhash-dev)
	machine=RISC-V
	trixie=1
	;;
*)
	echo "$usage" >&2
	exit 2
	;;
esac

if ! command -v "$triplet-gcc" >/dev/null; then
	echo "build-cross: $triplet-gcc is missing (scripts/install-deps.sh build)" >&2
	exit 1
fi

# The sysroot: the target's libraries and headers, from its .debs. The stamp
# names the package list, so that a longer list unpacks again.
sysroot=$dir/sysroot
stamp=$sysroot/.extracted-$(echo "${debs[*]}" | md5sum | cut -c1-8)
if [ ! -e "$stamp" ]; then
	cache=$(kx_cache_dir)/debs
	mkdir -p "$cache"
	files=()
	fetch=()
	for p in "${debs[@]}"; do
		f=$(kx_cached_deb "$cache" "$p" "$debarch")
		if [ -n "$f" ]; then files+=("$f"); else fetch+=("$p:$debarch"); fi
	done
	if [ ${#fetch[@]} -gt 0 ]; then
		opts=()
		if [ -n "${release_index:-}" ]; then
			kx_release_apt "$release_index" "$debarch" || { echo "build-cross: no $debarch index (see $KX_RELEASE_DIR/apt-update.log)" >&2; exit 1; }
			opts=("${KX_RELEASE_OPTS[@]}")
			fetch=("${fetch[@]%:"$debarch"}")
			suite=$release_index
		elif [ "$trixie" -eq 1 ]; then
			kx_trixie_apt "$debarch" || { echo "build-cross: no Debian 13 $debarch index (see $KX_TRIXIE_DIR/apt-update.log)" >&2; exit 1; }
			opts=("${KX_TRIXIE_OPTS[@]}")
			fetch=("${fetch[@]%:"$debarch"}")
			suite=trixie
		else
			kx_apt_ensure_arch "$debarch"
			suite=
		fi
		if ! kx_apt_download "$cache" ${opts[@]+"${opts[@]}"} "${fetch[@]}" >"$cache/apt-download.log" 2>&1; then
			# Once more for what is still missing, from the release's own
			# suite where there is one (pkg/RELEASE): a security update the
			# index lists may not be on the mirror yet.
			again=()
			for p in "${fetch[@]}"; do
				[ -n "$(kx_cached_deb "$cache" "${p%:*}" "$debarch")" ] || again+=("$p${suite:+/$suite}")
			done
			if ! kx_apt_download "$cache" ${opts[@]+"${opts[@]}"} "${again[@]}" >>"$cache/apt-download.log" 2>&1; then
				echo "build-cross: apt-get download ${again[*]} failed:" >&2
				tail -n 5 "$cache/apt-download.log" >&2
				exit 1
			fi
		fi
		files=()
		for p in "${debs[@]}"; do
			f=$(kx_cached_deb "$cache" "$p" "$debarch")
			[ -n "$f" ] || { echo "build-cross: no ${p}_*_$debarch.deb in $cache after apt-get download" >&2; exit 1; }
			files+=("$f")
		done
	fi
	rm -rf "$sysroot"
	mkdir -p "$sysroot"
	for f in "${files[@]}"; do
		dpkg-deb -x "$f" "$sysroot"
	done
	for h in libfdt.h zlib.h lzma.h zstd.h lz4frame.h; do
		[ -f "$sysroot/usr/include/$h" ] || { echo "build-cross: no usr/include/$h in ${files[*]}" >&2; exit 1; }
	done
	touch "$stamp"
fi

# The per-directory machine file: where the sysroot is.
mkdir -p "$dir"
ini=$dir/sysroot.ini
printf "# Written by scripts/build-cross.sh.\n[constants]\nsysroot = '%s'\n" "$sysroot" >"$ini.tmp"
if cmp -s "$ini.tmp" "$ini"; then rm -f "$ini.tmp"; else mv "$ini.tmp" "$ini"; fi

if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$top" --cross-file "$ini" --cross-file "$top/scripts/cross/$triplet.ini" \
		-Dtests=false -Dstatic_kexec=true
fi
ninja -C "$dir"

# Refuse to hand over anything but a static binary for the target.
info=$(LC_ALL=C readelf -h -l "$dir/kexec")
if ! grep -q "Machine: *$machine" <<<"$info"; then
	echo "build-cross: $dir/kexec is not an $machine binary" >&2
	exit 1
fi
if grep -q 'Requesting program interpreter' <<<"$info"; then
	echo "build-cross: $dir/kexec is dynamically linked" >&2
	exit 1
fi
