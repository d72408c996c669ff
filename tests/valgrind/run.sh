#!/usr/bin/env bash
# The kexec command under valgrind on its fixture scenarios: good loads (both
# syscalls, --dry-run against the simulated kernel), status, help, and bad
# input. Each must exit as it should with no memory error, no leak of any kind
# (definite, indirect, possible or still reachable) and no descriptor left open.
#
# Usage: tests/valgrind/run.sh KEXEC
#   KEXEC must be dynamically linked (meson -Dstatic_kexec=false): valgrind
#   reports false positives inside static glibc's start-up code.
# Prints "PASS: valgrind: name" or "FAIL: valgrind: name: why" per scenario.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
KEXEC=${1:?usage: tests/valgrind/run.sh KEXEC}
case "$KEXEC" in /*) ;; *) KEXEC="$PWD/$KEXEC" ;; esac
fixtures=$top/tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The real-syscall scenarios run without privileges (as nobody where it can
# reach the files and the log: tests/stage-for-nobody.sh).
mkdir -m 1777 "$tmp/logs"
# shellcheck source=tests/stage-for-nobody.sh
. "$top/tests/stage-for-nobody.sh"
stage_for_nobody valgrind

if ! command -v valgrind >/dev/null; then
	echo "FAIL: valgrind: not installed (scripts/install-deps.sh build)"
	exit 1
fi
if ! ldd "$KEXEC" >/dev/null 2>&1; then
	echo "FAIL: valgrind: $KEXEC is statically linked; build one with -Dstatic_kexec=false"
	exit 1
fi
if ! ${CC:-cc} -std=gnu11 -O1 -o "$tmp/gen" "$top/tests/bad-inputs/gen-bad-inputs.c" ||
	! mkdir "$tmp/in" || ! "$tmp/gen" "$tmp/in"; then
	echo "FAIL: valgrind: cannot build the kernels (gen-bad-inputs)"
	exit 1
fi
in=$tmp/in
good=$in/good.bzImage
printf '070701 not really an initramfs\n' >"$tmp/initrd"
mkdir "$tmp/dir"
truncate -s $((2 * 1024 * 1024 * 1024)) "$tmp/initrd-2g"

# A root with status files and a command line, the rest from x86-bios.
status=$tmp/status-root
mkdir -p "$status/sys/kernel" "$status/proc"
echo 0 >"$status/sys/kernel/kexec_loaded"
echo 1 >"$status/sys/kernel/kexec_crash_loaded"
echo 268435456 >"$status/sys/kernel/kexec_crash_size"
echo "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 crashkernel=256M quiet" >"$status/proc/cmdline"
ln -s "$fixtures/x86-bios/sys/firmware" "$status/sys/firmware"
ln -s "$fixtures/x86-bios/proc/iomem" "$status/proc/iomem"

RUNAS=() # set for a scenario to run it as another user

# vg NAME WANT_RC ROOT -- ARGS...
vg() {
	local name=$1 want=$2 root=$3
	shift 4
	local rc
	rm -f "$tmp/logs/vg.log"
	# Only stdin, stdout and stderr reach the command: valgrind 3.23 and
	# later (Debian 13) count any other open descriptor at exit as an error,
	# inherited ones too (make's jobserver, the caller's).
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		KEXEC_ROOT=$root exec "${RUNAS[@]}" valgrind -q --error-exitcode=99 --leak-check=full \
			--show-leak-kinds=all --errors-for-leak-kinds=all --track-fds=yes \
			--log-file="$tmp/logs/vg.log" "$KEXEC" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	)
	rc=$?
	cp "$tmp/logs/vg.log" "$tmp/vg.log" 2>/dev/null || : >"$tmp/vg.log"
	# Descriptors the command opened and did not close (inherited ones are fine).
	local fds
	fds=$(awk '/Open file descriptor/ { d = $0; getline; if ($0 !~ /inherited/) print d }' \
		"$tmp/vg.log")
	if [ "$rc" = 99 ] || grep -qE '== (Invalid|Conditional|Use of|Syscall param|Mismatched|[0-9,]+ bytes in)' "$tmp/vg.log"; then
		echo "FAIL: valgrind: $name: memory errors or leaks:"
		grep -E '==[0-9]+== ' "$tmp/vg.log" | head -30
	elif [ -n "$fds" ]; then
		echo "FAIL: valgrind: $name: descriptors left open: $fds"
	elif [ "$rc" != "$want" ]; then
		echo "FAIL: valgrind: $name: exit $rc, want $want: $(head -c 400 "$tmp/err")"
	else
		echo "PASS: valgrind: $name"
	fi
}

bios=$fixtures/x86-bios
efi=$fixtures/x86-efi
vg help 0 "$bios" -- --help
vg version 0 "$bios" -- -v
vg status-crash 1 "$status" -- -S
vg status-normal 0 "$status" -- -l -S
vg print-ckr-size 0 "$fixtures/qemu-x86_64" -- --print-ckr-size
vg dry-run-file-load 0 "$bios" -- --dry-run -s -l "$good" --initrd="$tmp/initrd" --append="console=ttyS0 quiet"
vg dry-run-kexec-load 0 "$bios" -- --dry-run -c -l "$good" --initrd="$tmp/initrd" --append="console=ttyS0 quiet"
vg dry-run-kexec-load-efi 0 "$efi" -- --dry-run -c -l "$good" --initrd="$tmp/initrd"
vg dry-run-kexec-load-no-checks 0 "$bios" -- --dry-run -c -i -l "$good"
vg dry-run-elf 0 "$bios" -- --dry-run -c -l "$in/good.elf" --append=x
vg dry-run-auto-reuse-debug 0 "$status" -- --dry-run -d -l "$good" --reuse-cmdline --append=y
vg dry-run-auto-fallback 0 "$bios" -- --dry-run -d -l "$in/bz-below-4g-only"
vg dry-run-crash-file-load 0 "$fixtures/qemu-x86_64" -- --dry-run -s -p "$good" --append=irqpoll
if [ -d "$fixtures/crash-x86_64" ]; then
	vg dry-run-crash-kexec-load 0 "$fixtures/crash-x86_64" -- --dry-run -c -p "$good" --append=irqpoll
fi
vg dry-run-unload 0 "$bios" -- --dry-run -u
vg dry-run-exec 0 "$bios" -- --dry-run -e
# Bad input: every error path frees what it took.
vg bad-option 1 "$bios" -- -l "$good" --frobnicate
vg bad-missing-kernel 1 "$bios" -- --dry-run -s -l "$tmp/missing"
vg bad-directory 1 "$bios" -- --dry-run -c -l "$tmp/dir"
vg bad-not-a-kernel 255 "$bios" -- --dry-run -l "$tmp/initrd"
vg bad-truncated 255 "$bios" -- --dry-run -l "$in/trunc-0a80-payload_start"
vg bad-elf-overlap 255 "$bios" -- --dry-run -c -l "$in/elf-overlap"
vg bad-huge-cmdline 255 "$bios" -- --dry-run -s -l "$good" --append="$(head -c 100000 /dev/zero | tr '\0' x)"
vg bad-initrd-no-room 255 "$bios" -- --dry-run -c -l "$good" --initrd="$tmp/initrd-2g"
vg bad-reuse-cmdline 1 "$bios" -- --dry-run -s -l "$good" --reuse-cmdline
vg bad-crash-no-reservation 255 "$bios" -- --dry-run -s -p "$good"
# Without --dry-run: the real syscalls fail (EPERM: as root this runs as nobody,
# so that a kernel with kexec loads nothing; ENOSYS on a kernel without it) and
# the failure is explained, which reads the machine's state.
unprivileged_runas valgrind
chmod -R a+rX "$in"
vg real-file-load-fails 255 "$bios" -- -s -l "$good" --append=x
vg real-auto-both-fail 255 "$bios" -- -l "$good" --append=x
vg real-unload-fails 255 "$bios" -- -u
RUNAS=()
