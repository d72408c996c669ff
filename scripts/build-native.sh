#!/usr/bin/env bash
# Configure (once) and build the native tree.
#
#   scripts/build-native.sh DIR [TARGET...]   (MESON_ARGS: more `meson setup` options)
#
# With TARGETs, only those are built (make run: kexec alone, not the tests).
#
# The native library embeds the arm64, riscv64, 32-bit ARM, i386 (without
# gcc -m32), MIPS and s390x purgatories when their cross compilers are
# installed (purgatory/meson.build). meson looks for them only
# when it configures, so a tree configured before they were installed (make run
# on a fresh machine, then make check) is configured again when the set of
# compilers found differs from the one recorded in DIR/.cross-compilers.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: scripts/build-native.sh DIR [TARGET...]}
shift
for tool in meson ninja; do
	if ! command -v "$tool" >/dev/null; then
		echo "build-native: $tool is missing (scripts/install-deps.sh build, or apt-get install meson ninja-build)" >&2
		exit 1
	fi
done
found=$(for c in aarch64-linux-gnu-gcc riscv64-linux-gnu-gcc arm-linux-gnueabihf-gcc \
	i686-linux-gnu-gcc mips64el-linux-gnuabi64-gcc s390x-linux-gnu-gcc \
	powerpc64le-linux-gnu-gcc; do
	command -v "$c" || echo "no $c"
done)
# shellcheck disable=SC2086 # MESON_ARGS is a list of options
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$top" ${MESON_ARGS:-}
elif [ "$(cat "$dir/.cross-compilers" 2>/dev/null)" != "$found" ]; then
	echo "build-native: the cross compilers changed; configuring $dir again" >&2
	meson setup --reconfigure "$dir" "$top" ${MESON_ARGS:-}
fi
printf '%s\n' "$found" >"$dir/.cross-compilers"
ninja -C "$dir" "$@"
