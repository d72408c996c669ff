# shellcheck shell=bash
# bench/lib.sh - shared by the benchmark scripts (bench/run.sh and the
# scripts it calls). Sources tests/vm/lib.sh for the kernel cache and the
# QEMU harness.
#
# Environment:
#   BENCH_OUT       where results, logs and helper binaries go
#                   (default: <repo>/build/bench)
#   BENCH_KEXEC     our kexec (default: <repo>/build/kexec)
#   LIBKEXEC_CACHE  the cache tests/vm/lib.sh uses; the benchmark adds
#                   bench/ to it: kexec-tools unpacked, the initrds
#
# Nothing here runs kexec -e or reboots the host: on the host both tools only
# go as far as the load syscall, which fails (ENOSYS on a kernel without kexec).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/../tests/vm/lib.sh
. "$BENCH_DIR/../tests/vm/lib.sh"
BENCH_REPO=$VM_REPO_ROOT
BENCH_OUT=${BENCH_OUT:-$BENCH_REPO/build/bench}
BENCH_KEXEC=${BENCH_KEXEC:-$BENCH_REPO/build/kexec}

bench_log() {
	printf 'bench: %s\n' "$*" >&2
}

bench_die() {
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}

bench_cache() {
	printf '%s/bench\n' "$(vm_cache_dir)"
}

# bench_fetch_kexec_tools: Debian's kexec-tools unpacked (dpkg-deb -x) into
# the cache, never installed, plus a libxenctrl stub (bench/xenctrl-stub.c)
# for the one library Debian's build needs that a machine without Xen lacks.
# Sets KT_ROOT (the unpacked tree), KT_KEXEC (its kexec), KT_LIBDIR (the
# stub's directory: run it with LD_LIBRARY_PATH=$KT_LIBDIR) and KT_VERSION.
bench_fetch_kexec_tools() {
	local cache deb dir tmp
	cache=$(vm_cache_dir)
	dir=$(bench_cache)/kexec-tools
	mkdir -p "$cache" "$(bench_cache)"
	if [[ ! -e $dir/.extracted ]]; then
		deb=$(find "$cache" -maxdepth 1 -name 'kexec-tools_*.deb' | sort -V | tail -n 1)
		if [[ -z $deb ]]; then
			(cd "$cache" && apt-get download -q kexec-tools) >"$cache/apt-download.log" 2>&1 ||
				bench_die "apt-get download kexec-tools failed (see $cache/apt-download.log)"
			deb=$(find "$cache" -maxdepth 1 -name 'kexec-tools_*.deb' | sort -V | tail -n 1)
			[[ -n $deb ]] || bench_die "apt-get download kexec-tools produced no .deb in $cache"
		fi
		tmp=$(mktemp -d "$(bench_cache)/.kexec-tools.XXXXXX")
		dpkg-deb -x "$deb" "$tmp/root" || bench_die "unpacking $deb failed"
		basename "$deb" >"$tmp/deb"
		touch "$tmp/.extracted"
		rm -rf "$dir"
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
	KT_ROOT=$dir/root
	KT_KEXEC=$KT_ROOT/sbin/kexec
	KT_LIBDIR=$dir/lib
	[[ -x $KT_KEXEC ]] || bench_die "no sbin/kexec in $KT_ROOT"
	if [[ ! -f $KT_LIBDIR/libxenctrl.so.4.17 || $BENCH_DIR/xenctrl-stub.c -nt $KT_LIBDIR/libxenctrl.so.4.17 ]]; then
		mkdir -p "$KT_LIBDIR"
		gcc -O2 -shared -fPIC -Wl,--version-script="$BENCH_DIR/xenctrl-stub.map" \
			-Wl,-soname,libxenctrl.so.4.17 -o "$KT_LIBDIR/libxenctrl.so.4.17" \
			"$BENCH_DIR/xenctrl-stub.c" || bench_die "building the libxenctrl stub failed"
	fi
	# Anything else missing (a newer Debian may link more) is a hard error.
	if LD_LIBRARY_PATH=$KT_LIBDIR ldd "$KT_KEXEC" | grep -q 'not found'; then
		bench_die "kexec-tools' kexec needs libraries this machine lacks: $(LD_LIBRARY_PATH=$KT_LIBDIR ldd "$KT_KEXEC" | grep 'not found' | tr -s ' \t' ' ')"
	fi
	KT_VERSION=$(LD_LIBRARY_PATH=$KT_LIBDIR "$KT_KEXEC" -v 2>&1 | head -n 1)
	[[ $KT_VERSION == kexec-tools* ]] || bench_die "$KT_KEXEC does not run here: $KT_VERSION"
}

# bench_kt_libs: the shared libraries kexec-tools' kexec loads (ldd), one
# path a line, the stub included.
bench_kt_libs() {
	LD_LIBRARY_PATH=$KT_LIBDIR ldd "$KT_KEXEC" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# bench_initrd MIB: a file of MIB MiB of random bytes, made once in the
# cache (random, so that nothing downstream can compress or skip it).
bench_initrd() {
	local mib=$1 f
	f=$(bench_cache)/initrd-${mib}M.bin
	if [[ ! -f $f ]]; then
		mkdir -p "$(bench_cache)"
		head -c $((mib << 20)) /dev/urandom >"$f.tmp" || bench_die "cannot write $f"
		mv "$f.tmp" "$f"
	fi
	printf '%s\n' "$f"
}

# bench_cc OUT SRC [FLAGS...]: compile a helper once (again when SRC changes).
bench_cc() {
	local out=$1 src=$2
	shift 2
	if [[ ! -x $out || $src -nt $out ]]; then
		mkdir -p "$(dirname "$out")"
		gcc -O2 -Wall -Wextra "$@" -o "$out" "$src" || bench_die "compiling $src failed"
	fi
}

# ---- Measuring one command on this host (bench/load.sh, bench/unwrap.sh) ----

# bench_reached BASE CMD...: runs CMD once under strace, its standard output
# in BASE.out, its standard error in BASE.err, its exit status in
# BASE.status; prints ENOSYS when it reached a load syscall that failed so
# (this host's kernel has no kexec), the error when it failed otherwise, no
# when it never got there.
bench_reached() {
	local base=$1 st=0
	shift
	LD_LIBRARY_PATH=$KT_LIBDIR strace -f -o "$base.strace" -e trace=kexec_load,kexec_file_load \
		"$@" >"$base.out" 2>"$base.err" || st=$?
	echo "$st" >"$base.status"
	if grep -Eq '(^|[[:space:]])kexec(_file)?_load\(.*= -1 ENOSYS' "$base.strace"; then
		echo ENOSYS
	elif grep -Eq '(^|[[:space:]])kexec(_file)?_load\(' "$base.strace"; then
		grep -Eo '= -1 [A-Z]+' "$base.strace" | head -n 1 | cut -d' ' -f3
	else
		echo no
	fi
}

# bench_wall BASE WARMUP RUNS CMD...: hyperfine (no shell, the command's
# failures ignored: the syscall's); prints the median, min and max wall time
# in seconds. Fails when hyperfine does (its output in BASE.hyperfine).
bench_wall() {
	local base=$1 warmup=$2 runs=$3
	shift 3
	LD_LIBRARY_PATH=$KT_LIBDIR hyperfine -N -i --warmup "$warmup" --runs "$runs" --style none \
		--export-json "$base.json" -- "$(printf '%q ' "$@")" >"$base.hyperfine" 2>&1 || return 1
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.6f %.6f %.6f" % (r["median"], r["min"], r["max"]))' "$base.json"
}

# bench_rss BASE CMD...: prints the peak RSS of one run in KiB (/usr/bin/time).
bench_rss() {
	local base=$1
	shift
	LD_LIBRARY_PATH=$KT_LIBDIR /usr/bin/time -f '%M' -o "$base.rss" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$base.rss"
}

# ---- arm64 (bench/handover-arm64.sh) ----------------------------------------

# bench_fetch_kexec_tools_foreign DEBARCH: Debian's kexec-tools and the shared
# libraries it needs for DEBARCH (arm64, armhf, i386, mips64el, ppc64el or s390x), for those guests: the
# .debs of kexec-tools, libc6 and zlib1g (the libraries its `readelf -d`
# lists, but libxenctrl) are downloaded into $(vm_cache_dir)/debs and
# unpacked (dpkg-deb -x, never installed) into the cache; libxenctrl is
# bench/xenctrl-stub.c built with the architecture's cross compiler, as on
# x86_64. Sets KTA_ROOT (the unpacked kexec-tools), KTA_KEXEC (its
# sbin/kexec), KTA_SYSROOT (the unpacked libraries), KTA_LIBDIR (the stub's
# directory), KTA_TRIPLET (the multiarch directory name), KTA_VERSION and
# KTA_DEBS (the .debs' file names).
bench_fetch_kexec_tools_foreign() {
	local debarch=$1 cache debs dir tmp pkg deb machine qemu cc release
	case $debarch in
	arm64) KTA_TRIPLET=aarch64-linux-gnu machine=AArch64 qemu=qemu-aarch64-static ;;
	armhf) KTA_TRIPLET=arm-linux-gnueabihf machine='ARM$' qemu=qemu-arm-static ;;
	i386) KTA_TRIPLET=i386-linux-gnu machine='Intel 80386' qemu=qemu-i386-static ;;
	mips64el) KTA_TRIPLET=mips64el-linux-gnuabi64 machine='MIPS R3000' qemu=qemu-mips64el-static ;;
	ppc64el) KTA_TRIPLET=powerpc64le-linux-gnu machine=PowerPC64 qemu=qemu-ppc64le-static ;;
	s390x) KTA_TRIPLET=s390x-linux-gnu machine='IBM S/390' qemu=qemu-s390x-static ;;
	*) bench_die "bench_fetch_kexec_tools_foreign: no $debarch" ;;
	esac
	cc=$KTA_TRIPLET-gcc
	[[ $debarch != i386 ]] || cc=i686-linux-gnu-gcc
	# i386 from the host release's own index, mips64el from Debian 12's (the
	# last with that port), ppc64el and s390x from Debian 12's (as their
	# kernels): no dpkg architecture added for any.
	release=
	[[ $debarch != i386 ]] || release=$(kx_host_release)
	[[ $debarch != mips64el && $debarch != ppc64el && $debarch != s390x ]] || release=bookworm
	cache=$(vm_cache_dir)
	debs=$cache/debs
	dir=$(bench_cache)/kexec-tools-$debarch
	mkdir -p "$debs" "$(bench_cache)"
	if [[ ! -e $dir/.extracted ]]; then
		tmp=$(mktemp -d "$(bench_cache)/.kexec-tools-$debarch.XXXXXX")
		mkdir -p "$tmp/root" "$tmp/sysroot"
		for pkg in kexec-tools libc6 zlib1g; do
			deb=$(kx_cached_deb "$debs" "$pkg" "$debarch")
			if [[ -z $deb && ( $debarch == i386 || $debarch == mips64el || $debarch == ppc64el || $debarch == s390x ) ]]; then
				kx_release_apt "$release" "$debarch" >&2 || true
				kx_apt_download "$debs" "${KX_RELEASE_OPTS[@]}" "$pkg" >"$debs/apt-download.log" 2>&1 ||
					bench_die "apt-get download $pkg:$debarch failed (see $debs/apt-download.log), and none is cached"
				deb=$(kx_cached_deb "$debs" "$pkg" "$debarch")
				[[ -n $deb ]] || bench_die "apt-get download $pkg:$debarch produced no .deb in $debs"
			elif [[ -z $deb ]]; then
				kx_apt_ensure_arch "$debarch" >&2 || true
				kx_apt_download "$debs" "$pkg:$debarch" >"$debs/apt-download.log" 2>&1 ||
					bench_die "apt-get download $pkg:$debarch failed (see $debs/apt-download.log), and none is cached"
				deb=$(kx_cached_deb "$debs" "$pkg" "$debarch")
				[[ -n $deb ]] || bench_die "apt-get download $pkg:$debarch produced no .deb in $debs"
			fi
			if [[ $pkg == kexec-tools ]]; then
				dpkg-deb -x "$deb" "$tmp/root" || bench_die "unpacking $deb failed"
			else
				dpkg-deb -x "$deb" "$tmp/sysroot" || bench_die "unpacking $deb failed"
			fi
			basename "$deb" >>"$tmp/debs"
		done
		touch "$tmp/.extracted"
		rm -rf "$dir"
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
	KTA_ROOT=$dir/root
	KTA_KEXEC=$KTA_ROOT/sbin/kexec
	KTA_SYSROOT=$dir/sysroot
	KTA_LIBDIR=$dir/lib
	KTA_DEBS=$(tr '\n' ' ' <"$dir/debs")
	KTA_DEBS=${KTA_DEBS% }
	[[ -f $KTA_KEXEC ]] || bench_die "no sbin/kexec in $KTA_ROOT"
	LC_ALL=C readelf -h "$KTA_KEXEC" | grep -q "Machine: *$machine" || bench_die "$KTA_KEXEC is not a $debarch program"
	if [[ ! -f $KTA_LIBDIR/libxenctrl.so.4.17 || $BENCH_DIR/xenctrl-stub.c -nt $KTA_LIBDIR/libxenctrl.so.4.17 ]]; then
		command -v "$cc" >/dev/null || bench_die "$cc is missing (scripts/install-deps.sh)"
		mkdir -p "$KTA_LIBDIR"
		"$cc" -O2 -shared -fPIC -nostdlib -Wl,--version-script="$BENCH_DIR/xenctrl-stub.map" \
			-Wl,-soname,libxenctrl.so.4.17 -o "$KTA_LIBDIR/libxenctrl.so.4.17" \
			"$BENCH_DIR/xenctrl-stub.c" || bench_die "building the $debarch libxenctrl stub failed"
	fi
	# The version, from the binary itself where qemu-user can run it.
	KTA_VERSION=
	if command -v "$qemu" >/dev/null; then
		KTA_VERSION=$(LD_LIBRARY_PATH=$KTA_LIBDIR:$KTA_SYSROOT/lib/$KTA_TRIPLET \
			"$qemu" -L "$KTA_SYSROOT" "$KTA_KEXEC" -v 2>&1 | head -n 1) || true
	fi
	[[ $KTA_VERSION == kexec-tools* ]] ||
		KTA_VERSION="kexec-tools $(sed -n 's/^kexec-tools_[0-9]*%3a\([0-9.]*\)-.*/\1/p' "$dir/debs")"
}

# bench_kta_libs: what the foreign kexec-tools needs in the guest, one "SRC DEST"
# a line: its program interpreter and the closure of the DT_NEEDED entries
# (readelf -d), found in $KTA_SYSROOT (libxenctrl: the stub), all under
# /lib/$KTA_TRIPLET but the interpreter, which goes where PT_INTERP says.
# Dies when a library is found nowhere.
bench_kta_libs() {
	local interp todo=("$KTA_KEXEC") seen=" " f so src d
	interp=$(LC_ALL=C readelf -l "$KTA_KEXEC" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[[ -n $interp ]] || bench_die "$KTA_KEXEC has no program interpreter"
	while ((${#todo[@]})); do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		while read -r so; do
			[[ $seen != *" $so "* ]] || continue
			seen+="$so "
			src=
			if [[ $so == libxenctrl.so.* ]]; then
				src=$KTA_LIBDIR/$so
			else
				for d in "lib/$KTA_TRIPLET" "usr/lib/$KTA_TRIPLET" lib usr/lib; do
					if [[ -e $KTA_SYSROOT/$d/$so ]]; then
						src=$(readlink -f "$KTA_SYSROOT/$d/$so")
						break
					fi
				done
			fi
			[[ -n $src && -f $src ]] || bench_die "$so (needed by ${f##*/}) is in none of the unpacked packages ($KTA_DEBS)"
			if [[ $so == "${interp##*/}" ]]; then
				printf '%s %s\n' "$src" "$interp"
			else
				printf '%s %s\n' "$src" "/lib/$KTA_TRIPLET/$so"
				todo+=("$src")
			fi
		done < <(LC_ALL=C readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	done
}
