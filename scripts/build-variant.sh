#!/usr/bin/env bash
# Configure (once) and build one of the extra build dirs that the hostile-input
# checks use. The Makefile and tests/run-checks.sh both call this, so the
# options live in one place.
#
#   scripts/build-variant.sh fuzz DIR       clang, ASan + UBSan, libFuzzer targets (fuzz/)
#   scripts/build-variant.sh asan DIR       gcc, ASan + UBSan (every report fatal), unit tests
#   scripts/build-variant.sh valgrind DIR   gcc, a dynamically linked kexec for valgrind
#                                           (static glibc's start-up confuses it)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
variant=${1:?usage: scripts/build-variant.sh fuzz|asan|valgrind DIR}
dir=${2:?usage: scripts/build-variant.sh fuzz|asan|valgrind DIR}

case "$variant" in
fuzz)
	# Debian's clang (14 on Debian 12, 19 on Debian 13), or a versioned one.
	cc=$(command -v clang || compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n | tail -n 1 || true)
	if [ -z "$cc" ]; then
		echo "build-variant: clang is missing (scripts/install-deps.sh fuzz, or apt-get install clang libclang-rt-dev)" >&2
		exit 1
	fi
	export CC=$cc
	opts=(-Dfuzz=true -Dtests=false -Dstatic_kexec=false -Db_sanitize=address,undefined
		-Db_lundef=false)
	;;
asan)
	# ASan cannot link statically; UBSan only prints unless told not to recover.
	opts=(-Db_sanitize=address,undefined -Dstatic_kexec=false -Dc_args=-fno-sanitize-recover=all)
	;;
valgrind)
	opts=(-Dstatic_kexec=false -Dtests=false)
	;;
*)
	echo "usage: scripts/build-variant.sh fuzz|asan|valgrind DIR" >&2
	exit 2
	;;
esac

if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$top" "${opts[@]}"
fi
ninja -C "$dir"
