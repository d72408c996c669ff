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
