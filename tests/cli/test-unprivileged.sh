#!/usr/bin/env bash
# Least privilege: only the load, unload and exec syscalls need CAP_SYS_BOOT.
# --help, -v, option parsing, -S (status), --print-ckr-size and --dry-run
# must work for an unprivileged user (nobody, every capability dropped, via
# setpriv when run as root; as the calling user otherwise), make no kexec
# syscall, and print nothing on stderr when they succeed.
#
# Usage: tests/cli/test-unprivileged.sh KEXEC
# Prints "PASS: unprivileged: name" or "FAIL: unprivileged: name: why".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
KEXEC=${1:-$top/build/kexec}
case "$KEXEC" in /*) ;; *) KEXEC="$PWD/$KEXEC" ;; esac
fixtures=$top/tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/stage-for-nobody.sh
. "$top/tests/stage-for-nobody.sh"
stage_for_nobody unprivileged

unprivileged_runas unprivileged
have_strace=0
strace -f -e inject=kexec_load:error=ENOSYS -o /dev/null true 2>/dev/null && have_strace=1

# The kernels, readable by nobody.
if ! ${CC:-cc} -std=gnu11 -O1 -o "$tmp/gen" "$top/tests/bad-inputs/gen-bad-inputs.c" ||
	! mkdir "$tmp/in" || ! "$tmp/gen" "$tmp/in"; then
	echo "FAIL: unprivileged: cannot build the kernels (gen-bad-inputs)"
	exit 1
fi
chmod -R a+rX "$tmp/in"
good=$tmp/in/good.bzImage

# A root with status files (as sysfs has them: world-readable).
status=$tmp/status-root
mkdir -p "$status/sys/kernel"
echo 0 >"$status/sys/kernel/kexec_loaded"
echo 1 >"$status/sys/kernel/kexec_crash_loaded"
chmod -R a+rX "$status"

caps=$("${RUNAS[@]}" awk '/^CapEff/ { print $2 }' /proc/self/status)
if [ "$caps" = 0000000000000000 ]; then
	echo "PASS: unprivileged: runs with no capabilities ($RUNAS_WHO)"
else
	echo "FAIL: unprivileged: CapEff is $caps, want none"
fi

# up NAME WANT_RC STDOUT_PATTERN ROOT -- ARGS...  (ROOT "-": the machine's own /proc, /sys)
up() {
	local name=$1 want=$2 pattern=$3 root=$4
	shift 5
	local rc calls=0
	local env=()
	[ "$root" != - ] && env=(KEXEC_ROOT="$root")
	if [ "$have_strace" = 1 ]; then
		env "${env[@]}" strace -f -qq -e trace=kexec_load,kexec_file_load,reboot \
			-e inject=kexec_load,kexec_file_load,reboot:error=ENOSYS -o "$tmp/strace" \
			"${RUNAS[@]}" "$KEXEC" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
		rc=$?
		calls=$(grep -cE '^[0-9]+ +(kexec_load|kexec_file_load|reboot)\(' "$tmp/strace")
	else
		env "${env[@]}" "${RUNAS[@]}" "$KEXEC" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
		rc=$?
	fi
	if [ "$rc" != "$want" ]; then
		echo "FAIL: unprivileged: $name: exit $rc, want $want: $(head -c 300 "$tmp/err")"
	elif [ "$calls" != 0 ]; then
		echo "FAIL: unprivileged: $name: made a kexec syscall"
	elif [ "$want" = 0 ] && [ -s "$tmp/err" ]; then
		echo "FAIL: unprivileged: $name: succeeded but printed on stderr: $(head -c 300 "$tmp/err" | tr '\n' '|')"
	elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$tmp/out" "$tmp/err"; then
		echo "FAIL: unprivileged: $name: output lacks /$pattern/: $(head -c 300 "$tmp/out")"
	else
		echo "PASS: unprivileged: $name"
	fi
}

bios=$fixtures/x86-bios
up help 0 'kexec-file-syscall' - -- --help
up version 0 'libkexec' - -- -v
up parse-error 1 'unknown option --frobnicate' - -- -l "$good" --frobnicate
up parse-bundle 1 'unknown option -Q' - -- -suQ
up status-crash-loaded 1 '' "$status" -- -S
up status-normal-not-loaded 0 '' "$status" -- -l -S
up print-ckr-size 0 '^268435456$' "$fixtures/qemu-x86_64" -- --print-ckr-size
up dry-run-file-load 0 'simulated kernel accepted' "$bios" -- --dry-run -s -l "$good" --append=quiet
up dry-run-kexec-load 0 'simulated kernel accepted' "$bios" -- --dry-run -c -l "$good" --append=quiet
up dry-run-auto 0 'simulated kernel accepted' "$bios" -- --dry-run -l "$good"
up dry-run-crash 0 'simulated kernel accepted' "$fixtures/qemu-x86_64" -- --dry-run -s -p "$good"
up dry-run-unload 0 '' "$bios" -- --dry-run -u
up dry-run-exec 0 'would' "$bios" -- --dry-run -e
# This machine's own /proc and /sys, as nobody: /proc/iomem shows every
# address as 0 to unprivileged readers, which a dry run must not trip over.
up dry-run-file-load-this-machine 0 'simulated kernel accepted' - -- --dry-run -s -l "$good"
if [ -r /sys/kernel/kexec_crash_loaded ]; then
	up status-this-machine "$(($(cat /sys/kernel/kexec_crash_loaded)))" '' - -- -S
else
	echo "SKIP: unprivileged: status-this-machine: this kernel has no /sys/kernel/kexec_crash_loaded"
fi
