#!/usr/bin/env bash
# The kexec command on this (build) machine: exit codes, one-line errors that
# name the file, and no kexec syscall for bad input (checked with strace).
# Prints "PASS: name" or "FAIL: name: why" per case.
set -uo pipefail
KEXEC=${1:-build/kexec}
case "$KEXEC" in /*) ;; *) KEXEC="$PWD/$KEXEC" ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A kernel to point at: any bzImage we can find (the VM fixture, or /boot).
kernel=""
for k in "${LIBKEXEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libkexec}"/*/boot/vmlinuz-* /boot/vmlinuz-*; do
	# A 64-bit bzImage ("HdrS" at 0x202, XLF_KERNEL_64 in xloadflags at
	# 0x236): the cache also holds other architectures' kernels, i386's
	# bzImage among them.
	[ -f "$k" ] && [ -r "$k" ] && [ "$(dd if="$k" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] &&
		[ $(($(od -An -tu1 -j566 -N1 "$k") & 1)) -eq 1 ] &&
		kernel=$k && break
done

have_strace=0
strace -f -o /dev/null true 2>/dev/null && have_strace=1

# run NAME WANT_RC WANT_STDERR_LINES NO_SYSCALL(1/0) -- args...
# Sets $err and $syscalls.
run() {
	local name=$1 want_rc=$2 want_lines=$3 no_syscall=$4
	shift 5
	local rc
	if [ "$have_strace" = 1 ]; then
		strace -f -qq -e trace=kexec_load,kexec_file_load,reboot -o "$tmp/strace" \
			"$KEXEC" "$@" >"$tmp/out" 2>"$tmp/err"
		rc=$?
	else
		"$KEXEC" "$@" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		: >"$tmp/strace"
	fi
	err=$(cat "$tmp/err")
	syscalls=$(grep -cE '^[0-9]+ +(kexec_load|kexec_file_load|reboot)\(' "$tmp/strace")
	local lines
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL: $name: exit $rc, want $want_rc; stderr: $err"
		return 1
	fi
	if [ "$want_lines" != "-" ] && [ "$lines" != "$want_lines" ]; then
		echo "FAIL: $name: $lines stderr lines, want $want_lines: $err"
		return 1
	fi
	if [ "$no_syscall" = 1 ] && [ "$have_strace" = 1 ] && [ "$syscalls" != 0 ]; then
		echo "FAIL: $name: made a kexec syscall: $(cat "$tmp/strace")"
		return 1
	fi
	return 0
}

expect_err() { # NAME SUBSTRING...
	local name=$1
	shift
	for s in "$@"; do
		case "$err" in
		*"$s"*) ;;
		*) echo "FAIL: $name: stderr lacks \"$s\": $err"; return 1 ;;
		esac
	done
	case "$err" in kexec:\ *) ;; *) echo "FAIL: $name: stderr does not start with 'kexec: ': $err"; return 1 ;; esac
	echo "PASS: $name"
}

# Nothing accepted and ignored: what only a load uses, when nothing is loaded,
# is refused before any syscall (kexec-tools ignores it). -e only under
# --dry-run: were it not refused, nothing here may reach reboot(2).
run unload-initrd 1 - 1 -- -u --initrd=/dev/null && expect_err unload-initrd "--initrd is for loading a kernel" "-u loads nothing"
run unload-kernel 1 - 1 -- -p -u /dev/null && expect_err unload-kernel "unexpected argument /dev/null" "-u loads no kernel"
run exec-append 1 - 1 -- --dry-run -e --append=quiet && expect_err exec-append "--append is for loading a kernel" "-e loads nothing"
run exec-after-load 1 - 1 -- --dry-run -l /dev/null -e && expect_err exec-after-load "unexpected argument /dev/null" "-e loads no kernel"
run exec-syscall 1 - 1 -- --dry-run -s -e && expect_err exec-syscall "-s chooses how a kernel is loaded"
run exec-crash 1 - 1 -- --dry-run -p -e && expect_err exec-crash "-p with -e"
run status-dtb 1 - 1 -- -S --dtb=/dev/null && expect_err status-dtb "--dtb is for loading a kernel" "--status loads nothing"
# kdump-config's unload (kexec -s -p -u) is not refused: -s and -p choose what
# is unloaded (the call made, seen by strace, whatever this host's kernel has).
if [ "$have_strace" = 1 ]; then
	strace -f -qq -e trace=kexec_load,kexec_file_load -e inject=kexec_file_load:error=ENOSYS \
		-o "$tmp/strace" "$KEXEC" -s -p -u >"$tmp/out" 2>"$tmp/err"
	if grep -qE '^[0-9]+ +kexec_file_load\(-1, -1, 0, [^,]*, KEXEC_FILE_UNLOAD\|KEXEC_FILE_ON_CRASH\)' "$tmp/strace"; then
		echo "PASS: unload-file-crash"
	else
		echo "FAIL: unload-file-crash: $(cat "$tmp/strace" "$tmp/err")"
	fi
fi

printf 'not a kernel\n' >"$tmp/text"
head -c 4096 /dev/urandom >"$tmp/random"
: >"$tmp/empty"
mkdir "$tmp/dir"

run not-a-kernel 255 1 1 -- -s -l "$tmp/random" && expect_err not-a-kernel "$tmp/random" "not a bzImage"
run short-file 255 1 1 -- -s -l "$tmp/text" && expect_err short-file "$tmp/text" "too short"
run empty-kernel 255 1 1 -- -s -l "$tmp/empty" && expect_err empty-kernel "$tmp/empty" "empty"
run directory 1 1 1 -- -s -l "$tmp/dir" && expect_err directory "$tmp/dir" "is a directory"
run dev-zero 255 1 1 -- -s -l /dev/zero && expect_err dev-zero /dev/zero "not a regular file"
run missing-kernel 1 1 1 -- -s -l "$tmp/nope" && expect_err missing-kernel "$tmp/nope" "No such file"
run unknown-option 1 1 1 -- --frobnicate && expect_err unknown-option "--frobnicate"
run two-kernels 1 1 1 -- -l a b && expect_err two-kernels "unexpected argument b"
run no-kernel 1 1 1 -- -l && expect_err no-kernel "no kernel specified"
run exec-nothing-loaded 1 1 1 -- -e && expect_err exec-nothing-loaded "cannot boot"

if run help 0 0 1 -- --help && grep -q -- '--kexec-file-syscall' "$tmp/out"; then
	echo "PASS: help"
else
	echo "FAIL: help: $(head -3 "$tmp/out")"
fi
if run version 0 0 1 -- -v && grep -q 'libkexec' "$tmp/out"; then
	echo "PASS: version"
else
	echo "FAIL: version: $(cat "$tmp/out")"
fi
if run dry-run-exec 0 0 1 -- --dry-run -e && grep -q 'reboot(LINUX_REBOOT_CMD_KEXEC)' "$tmp/out"; then
	echo "PASS: dry-run-exec"
else
	echo "FAIL: dry-run-exec: $(cat "$tmp/out")"
fi

# Under lockdown (a fixture root that says so, which --dry-run's simulated
# kernel follows), an unsigned image: refused by the kernel. Unwrapped from an
# envelope, the error says that the kernel checked the inner image, not the
# file; plain, it says the kernel is locked down.
top=$(cd "$(dirname "$0")/../.." && pwd)
if ${CC:-cc} -std=gnu11 -O1 -o "$tmp/gen" "$top/tests/bad-inputs/gen-bad-inputs.c" &&
	mkdir "$tmp/in" && "$tmp/gen" "$tmp/in" >/dev/null; then
	cp -r "$top/tests/fixtures/qemu-x86_64" "$tmp/locked"
	mkdir -p "$tmp/locked/sys/kernel/security"
	echo 'none [integrity] confidentiality' >"$tmp/locked/sys/kernel/security/lockdown"
	gzip -c "$tmp/in/good.bzImage" >"$tmp/in/good.bzImage.gz"
	KEXEC_ROOT=$tmp/locked run lockdown-unwrapped 255 1 1 -- --dry-run -s -l "$tmp/in/good.bzImage.gz" &&
		expect_err lockdown-unwrapped "$tmp/in/good.bzImage.gz" "unwrapped from gzip" "envelope"
	KEXEC_ROOT=$tmp/locked run lockdown-plain 255 1 1 -- --dry-run -s -l "$tmp/in/good.bzImage" &&
		expect_err lockdown-plain "$tmp/in/good.bzImage" "locked down"
else
	echo "FAIL: lockdown cases: cannot build tests/bad-inputs/gen-bad-inputs.c"
fi

if [ -z "$kernel" ]; then
	echo "SKIP: kernel cases: no bzImage found (the VM tests fetch one)"
	exit 0
fi
run missing-initrd 1 1 1 -- -s -l "$kernel" --initrd="$tmp/nope.img" &&
	expect_err missing-initrd "$tmp/nope.img" "No such file"
run empty-initrd 255 1 1 -- -s -l "$kernel" --initrd="$tmp/empty" &&
	expect_err empty-initrd "$tmp/empty" "empty"
long=$(head -c 100000 /dev/zero | tr '\0' x)
run huge-cmdline 255 1 1 -- -s -l "$kernel" --append="$long" &&
	expect_err huge-cmdline "$kernel" "command line is 100000 bytes"
unset long
run bad-type 1 1 1 -- -s -l -t multiboot "$kernel" && expect_err bad-type "$kernel" "multiboot"
run crash-kexec-load-no-reservation 255 1 1 -- -c -p "$kernel" &&
	expect_err crash-kexec-load-no-reservation "$kernel" "crashkernel="

# -p on a machine with no crashkernel= reservation: refused before the syscall.
run crash-no-reservation 255 1 1 -- -s -p "$kernel" &&
	expect_err crash-no-reservation "$kernel" "crashkernel="

# (One argv string is capped at 128 KiB by Linux, so 100000 bytes is the largest test.)
# Dry run: all the work, no syscall, the plan on stdout.
if run dry-run 0 0 1 -- --dry-run -s -l "$kernel" --initrd="$tmp/text" --append="a=b c" &&
	grep -q '^syscall: kexec_file_load' "$tmp/out" &&
	grep -q '^command line: "a=b c"' "$tmp/out" &&
	grep -q "^initrd: $tmp/text (13 bytes)" "$tmp/out" &&
	grep -q '^flags: 0 ' "$tmp/out"; then
	echo "PASS: dry-run"
else
	echo "FAIL: dry-run: $(cat "$tmp/out" "$tmp/err")"
fi
if run dry-run-no-initrd 0 - 1 -- --dry-run -s -l "$kernel" -d &&
	grep -q 'NO_INITRAMFS|DEBUG' "$tmp/out"; then
	echo "PASS: dry-run-no-initrd"
else
	echo "FAIL: dry-run-no-initrd: $(cat "$tmp/out")"
fi

# A good request does reach the kernel (this host's kernel has no kexec: ENOSYS),
# which shows the strace check above can see the syscall.
if [ "$have_strace" = 1 ]; then
	run good-load-reaches-kernel 255 1 0 -- -s -l "$kernel" --append=x
	if [ "$syscalls" -ge 1 ] || grep -q 'kexec_file_load' "$tmp/err"; then
		case "$err" in
		*"$kernel"*kexec_file_load*) echo "PASS: good-load-reaches-kernel" ;;
		*) echo "FAIL: good-load-reaches-kernel: $err" ;;
		esac
	else
		echo "FAIL: good-load-reaches-kernel: no syscall seen: $err"
	fi
fi

# The default -a on this host, whose kernel has no kexec at all: kexec_file_load
# fails with ENOSYS, so kexec_load is tried, and both errors are shown on one line.
if [ "$have_strace" = 1 ]; then
	run auto-fallback-both-fail 255 1 0 -- -l "$kernel" --append=x
	if grep -q 'kexec_file_load(' "$tmp/strace" && grep -q 'kexec_load(' "$tmp/strace"; then
		expect_err auto-fallback-both-fail "$kernel" "kexec_file_load: Function not implemented" \
			"then cannot load $kernel: kexec_load: Function not implemented"
	else
		echo "FAIL: auto-fallback-both-fail: both syscalls were not tried: $(cat "$tmp/strace")"
	fi
	run auto-fallback-debug 255 - 0 -- -d -l "$kernel" --append=x
	expect_err auto-fallback-debug "falling back to kexec_load"
fi

# kexec_load dry run on this host: the segment table, no syscall, no root needed for the plan.
if run dry-run-kexec-load 0 0 1 -- --dry-run -c -l "$kernel" --initrd="$tmp/text" --append="a b" &&
	grep -q '^syscall: kexec_load' "$tmp/out" &&
	grep -qE '^0 +kernel +0x[0-9a-f]+-0x[0-9a-f]+ +[0-9]+ +[0-9]+  [0-9a-f]{16}$' "$tmp/out" &&
	grep -qE '^[0-9] +initrd .* 13  ' "$tmp/out" &&
	grep -qE '^[0-9] +boot_params ' "$tmp/out" &&
	grep -qE '^[0-9] +purgatory ' "$tmp/out" &&
	grep -qE '^entry: 0x[0-9a-f]+ \(purgatory, check: xxh3\)$' "$tmp/out"; then
	echo "PASS: dry-run-kexec-load"
else
	echo "FAIL: dry-run-kexec-load: $(cat "$tmp/out" "$tmp/err")"
fi

# Unload on a kernel without the syscalls (strace makes them ENOSYS, whatever
# this host's kernel has): each mode's one line names what is missing and
# never suggests the option the user already gave.
if [ "$have_strace" = 1 ]; then
	for m in -s -c -a; do
		strace -f -qq -e trace=kexec_load,kexec_file_load \
			-e inject=kexec_load,kexec_file_load:error=ENOSYS -o /dev/null \
			"$KEXEC" "$m" -u >"$tmp/out" 2>"$tmp/err"
		rc=$?
		err=$(cat "$tmp/err")
		case "$m:$rc:$(wc -l <"$tmp/err")" in
		-s:255:1) want="try kexec_load (-c)" avoid="(-s)" ;;
		-c:255:1) want="try kexec_file_load (-s)" avoid="(-c)" ;;
		-a:255:1) want="neither kexec_file_load nor kexec_load" avoid="try " ;;
		*) echo "FAIL: unload$m-enosys: exit $rc, $(wc -l <"$tmp/err") lines: $err"; continue ;;
		esac
		case "$err" in
		*"$avoid"*) echo "FAIL: unload$m-enosys: suggests what was given: $err" ;;
		*"$want"*) echo "PASS: unload$m-enosys" ;;
		*) echo "FAIL: unload$m-enosys: lacks \"$want\": $err" ;;
		esac
	done
fi
