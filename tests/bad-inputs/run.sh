#!/usr/bin/env bash
# The bad-input corpus: malformed kernels, initrds, paths, command lines and
# option combinations, each run through the kexec command twice: with
# --dry-run (against the simulated kernel) and without (the real syscall
# path, which must not be reached). Every case must end in:
#   - a non-zero exit, not a crash, not a hang;
#   - exactly one line on stderr, starting with "kexec: ", that names the file
#     (or the option) and says why;
#   - no kexec_load, kexec_file_load or reboot system call (strace).
# strace also fails those calls with ENOSYS instead of letting them through
# (-e inject), so that even on a machine whose kernel has kexec, a case that
# wrongly gets that far, or a positive control, changes nothing in the kernel.
# The kernels are written by gen-bad-inputs.c from the unit tests' synthetic
# bzImage and a minimal ELF vmlinux. /proc and /sys come from a fixture tree
# (KEXEC_ROOT), so the results do not depend on the machine.
#
# Usage: tests/bad-inputs/run.sh [KEXEC]   (default build/kexec)
# Prints "PASS: case (mode)" or "FAIL: case (mode): why" per case and mode.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
KEXEC=${1:-$top/build/kexec}
case "$KEXEC" in /*) ;; *) KEXEC="$PWD/$KEXEC" ;; esac
fixtures=$top/tests/fixtures
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
# The unreadable-file case runs as nobody, who must reach the files.
chmod 755 "$tmp"

if ! strace -f -e inject=kexec_load:error=ENOSYS -o /dev/null true 2>/dev/null; then
	echo "FAIL: bad-inputs: strace does not work here; it is what shows that no syscall is made"
	exit 1
fi
if ! ${CC:-cc} -std=gnu11 -O1 -Wall -o "$tmp/gen" "$top/tests/bad-inputs/gen-bad-inputs.c"; then
	echo "FAIL: bad-inputs: cannot build gen-bad-inputs"
	exit 1
fi
in=$tmp/in
mkdir "$in" && "$tmp/gen" "$in" || { echo "FAIL: bad-inputs: gen-bad-inputs failed"; exit 1; }
chmod 755 "$in"

# ---- The runner ----------------------------------------------------------

ROOT=$fixtures/x86-bios # KEXEC_ROOT for a case; set per case with ROOT=... bad ...
RUNAS=()                # e.g. setpriv, to run as another user
# Watch the kexec calls, and keep them from reaching the kernel.
TRACE=(strace -f -qq -e trace=kexec_load,kexec_file_load,reboot
	-e inject=kexec_load,kexec_file_load,reboot:error=ENOSYS -o "$tmp/strace")

# one LABEL EXPECT... -- ARGS...: run once, check everything, print PASS or FAIL.
# An EXPECT may list alternatives: "a|b" is satisfied by either.
one() {
	local label=$1
	shift
	local expects=()
	while [ "$1" != "--" ]; do
		expects+=("$1")
		shift
	done
	shift
	local rc err lines calls
	KEXEC_ROOT=$ROOT timeout "$((30 * ${KX_TIME_SCALE:-2}))" "${TRACE[@]}" "${RUNAS[@]}" "$KEXEC" "$@" >"$tmp/out" \
		2>"$tmp/err" </dev/null
	rc=$?
	err=$(cat "$tmp/err")
	lines=$(awk 'END { print NR }' "$tmp/err")
	calls=$(grep -cE '^[0-9]+ +(kexec_load|kexec_file_load|reboot)\(' "$tmp/strace")
	if [ "$rc" = 124 ]; then
		echo "FAIL: $label: hung (killed after $((30 * ${KX_TIME_SCALE:-2})) s); stderr: $err"
		return
	fi
	if [ "$rc" -gt 128 ] && [ "$rc" != 255 ]; then
		echo "FAIL: $label: killed by signal $((rc - 128)); stderr: $err"
		return
	fi
	if [ "$rc" = 0 ]; then
		echo "FAIL: $label: exit 0, the input was accepted; stdout: $(tail -3 "$tmp/out" | tr '\n' ' ')"
		return
	fi
	if [ "$calls" != 0 ]; then
		echo "FAIL: $label: made a kexec syscall: $(grep -E 'kexec|reboot' "$tmp/strace" | head -2 | tr '\n' ' ')"
		return
	fi
	if [ "$lines" != 1 ]; then
		echo "FAIL: $label: $lines lines on stderr, want 1: $(head -c 600 "$tmp/err" | tr '\n' '|')"
		return
	fi
	case "$err" in
	"kexec: "*) ;;
	*) echo "FAIL: $label: stderr does not start with \"kexec: \": $err"; return ;;
	esac
	local e alt ok
	for e in "${expects[@]}"; do
		ok=0
		IFS='|' read -ra alts <<<"$e"
		for alt in "${alts[@]}"; do
			case "$err" in *"$alt"*) ok=1 ;; esac
		done
		if [ "$ok" = 0 ]; then
			echo "FAIL: $label: stderr lacks \"$e\": $(head -c 600 "$tmp/err")"
			return
		fi
	done
	echo "PASS: $label"
}

# bad NAME EXPECT... -- ARGS...: the case with --dry-run, then without.
bad() {
	local name=$1
	shift
	local expects=()
	while [ "$1" != "--" ]; do
		expects+=("$1")
		shift
	done
	shift
	one "$name (dry-run)" "${expects[@]}" -- --dry-run "$@"
	one "$name (real)" "${expects[@]}" -- "$@"
}

# control NAME -- ARGS...: a good input that must be accepted by the dry run
# and reach the syscall without it (the proof that the checks above can fail).
control() {
	local name=$1
	shift 2
	local rc calls
	KEXEC_ROOT=$ROOT timeout "$((30 * ${KX_TIME_SCALE:-2}))" "$KEXEC" --dry-run "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	if [ "$rc" = 0 ] && grep -q 'simulated kernel accepted' "$tmp/out"; then
		echo "PASS: $name (dry-run)"
	else
		echo "FAIL: $name (dry-run): exit $rc: $(cat "$tmp/err")"
	fi
	KEXEC_ROOT=$ROOT timeout "$((30 * ${KX_TIME_SCALE:-2}))" "${TRACE[@]}" "$KEXEC" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	calls=$(grep -cE '^[0-9]+ +(kexec_load|kexec_file_load)\(' "$tmp/strace")
	if [ "$calls" -ge 1 ]; then
		echo "PASS: $name (real): reaches the syscall"
	else
		echo "FAIL: $name (real): no syscall seen: $(cat "$tmp/err")"
	fi
}

good=$in/good.bzImage
elf=$in/good.elf

# ---- Positive controls ---------------------------------------------------

control control-bzimage-file-load -- -s -l "$good" --append="console=ttyS0"
control control-bzimage-kexec-load -- -c -l "$good" --append="console=ttyS0"
control control-elf-kexec-load -- -c -l "$elf"
control control-no-efi-kexec-load -- -c --no-efi -l "$good" --append="console=ttyS0"

# ---- bzImage cut at every setup-header field, and past the header ----------
# Both loaders (the default -a tries kexec_file_load's checks, then kexec_load's).

setup_size=$((0x$(printf '%x' $(((4 + 1) * 512)))))
for f in "$in"/trunc-*; do
	name=${f##*/}
	off=$((16#$(echo "$name" | cut -d- -f2)))
	if [ "$off" -lt 1024 ]; then
		why="too short"
	elif [ "$off" -le "$setup_size" ]; then
		why="setup code (setup_sects) extends past the end"
	else
		why="truncated"
	fi
	bad "$name" "$f" "$why" -- -l "$f"
done

# ---- bzImage headers with one impossible field -----------------------------

bad bz-bad-magic "$in/bz-bad-magic" 'no "HdrS"' -- -l "$in/bz-bad-magic"
bad bz-no-boot-flag "$in/bz-no-boot-flag" "boot_flag" -- -l "$in/bz-no-boot-flag"
bad bz-protocol-2.00 "$in/bz-protocol-2.00" "older than 2.12" -- -l "$in/bz-protocol-2.00"
bad bz-zimage "$in/bz-zimage" "LOADED_HIGH" -- -l "$in/bz-zimage"
bad bz-32bit "$in/bz-32bit" "XLF_KERNEL_64" -- -l "$in/bz-32bit"
bad bz-below-4g-only "$in/bz-below-4g-only" "ABOVE_4G" -- -s -l "$in/bz-below-4g-only"
bad bz-setup-sects-255 "$in/bz-setup-sects-255" "setup_sects" -- -l "$in/bz-setup-sects-255"
bad bz-syssize-huge "$in/bz-syssize-huge" "syssize" -- -l "$in/bz-syssize-huge"
bad bz-payload-past-end "$in/bz-payload-past-end" "payload" -- -l "$in/bz-payload-past-end"
bad bz-payload-offset-huge "$in/bz-payload-offset-huge" "payload" -- -l "$in/bz-payload-offset-huge"
bad bz-cmdline-size-0-file-load "$in/bz-cmdline-size-0" "cmdline_size" -- \
	-s -l "$in/bz-cmdline-size-0" --append=x
bad bz-cmdline-size-0-kexec-load "$in/bz-cmdline-size-0" "cmdline_size" -- \
	-c -l "$in/bz-cmdline-size-0" --append=x
bad bz-init-size-4g "$in/bz-init-size-4g" "kernel" "RAM" -- -c -l "$in/bz-init-size-4g"
bad bz-fixed-outside-ram "$in/bz-fixed-outside-ram" "not relocatable" -- \
	-c -l "$in/bz-fixed-outside-ram"
bad type-elf-on-bzimage "$good" "ELF" -- -c -t elf-x86_64 -l "$good"

# ---- ELF vmlinux (kexec_load) ----------------------------------------------

bad elf-truncated-header "$in/elf-truncated-header" "ELF" -- -c -l "$in/elf-truncated-header"
bad elf-class32 "$in/elf-class32" "64-bit little-endian ELF" -- -c -l "$in/elf-class32"
bad elf-big-endian "$in/elf-big-endian" "64-bit little-endian ELF" -- -c -l "$in/elf-big-endian"
bad elf-arm64 "$in/elf-arm64" "machine 183" -- -c -l "$in/elf-arm64"
bad elf-relocatable "$in/elf-relocatable" "not an ELF executable" -- -c -l "$in/elf-relocatable"
bad elf-user-program "$in/elf-user-program" "not a Linux kernel" -- -c -l "$in/elf-user-program"
bad elf-user-program-auto "$in/elf-user-program" "not a Linux kernel" -- -l "$in/elf-user-program"
for c in phoff-past-end phoff-wraps phnum-huge phentsize-small; do
	bad "elf-$c" "$in/elf-$c" "program headers" -- -c -l "$in/elf-$c"
done
for c in filesz-gt-memsz offset-past-end filesz-past-end memsz-huge paddr-wraps; do
	bad "elf-$c" "$in/elf-$c" "impossible sizes" -- -c -l "$in/elf-$c"
done
bad elf-not-in-ram "$in/elf-not-in-ram" "not in this machine's RAM" -- -c -l "$in/elf-not-in-ram"
bad elf-no-pt-load "$in/elf-no-pt-load" "no PT_LOAD" -- -c -l "$in/elf-no-pt-load"
bad elf-overlap "$in/elf-overlap" "overlaps" -- -c -l "$in/elf-overlap"
bad elf-too-many-loads "$in/elf-too-many-loads" "too many PT_LOAD" -- -c -l "$in/elf-too-many-loads"
bad elf-entry-outside "$in/elf-entry-outside" "entry" -- -c -l "$in/elf-entry-outside"

# ---- Files that are not kernels ------------------------------------------

mkdir "$tmp/dir"
: >"$tmp/empty"
mkfifo "$tmp/fifo"
ln -s loop "$tmp/loop" && ln -sf "$tmp/loop" "$tmp/loop" 2>/dev/null
ln -sfn "$tmp/loop" "$tmp/loop"
# One component longer than NAME_MAX (255); a whole path longer than PATH_MAX (4096).
longname=$tmp/$(head -c 300 /dev/zero | tr '\0' a)
longpath=$tmp
for i in $(seq 20); do longpath=$longpath/$(head -c 250 /dev/zero | tr '\0' b); done

bad kernel-directory "$tmp/dir" "is a directory" -- -l "$tmp/dir"
# A gzip bomb (1 GiB of zeros in about 1 MB): refused on its first 64 KiB,
# not after unpacking the gigabyte (tests/unit/test-unwrap.c's test_lazy
# shows how little is unpacked).
head -c 1G /dev/zero | gzip -9 >"$tmp/zeros.gz"
bad kernel-gzip-bomb "$tmp/zeros.gz" "gzip stream: unpacks to no kernel" "the rest was not unpacked" \
	-- -l "$tmp/zeros.gz"
bad kernel-dev-zero /dev/zero "not a regular file" -- -l /dev/zero
bad kernel-empty "$tmp/empty" "empty" -- -l "$tmp/empty"
bad kernel-missing "$tmp/missing" "No such file" -- -l "$tmp/missing"
bad kernel-fifo "$tmp/fifo" "not a regular file" -- -l "$tmp/fifo"
bad kernel-through-a-file "$good/vmlinuz" "Not a directory" -- -l "$good/vmlinuz"
bad kernel-symlink-loop "$tmp/loop" "symbolic links" -- -l "$tmp/loop"
bad kernel-name-too-long "$longname" "File name too long" -- -l "$longname"
# The reason comes last: a long path must not push it out of the line.
bad kernel-path-too-long "$tmp/bbbb" "File name too long" -- -l "$longpath"
# Root reads any file whatever its mode: the unreadable case runs as nobody.
cp "$good" "$tmp/unreadable" && chmod 000 "$tmp/unreadable"
# Root without capabilities is refused too (mode 000: not even the owner may
# read), so this runs wherever root can drop them. KEXEC and the fixture root
# are staged where nobody reaches them (the checkout may be private).
if [ "$(id -u)" = 0 ]; then
	mkdir -m 755 "$tmp/stage"
	cp "$KEXEC" "$tmp/stage/kexec" && cp -r "$fixtures/x86-bios" "$tmp/stage/" && chmod -R a+rX "$tmp/stage"
	(
		# shellcheck source=tests/stage-for-nobody.sh
		. "$top/tests/stage-for-nobody.sh"
		KEXEC=$tmp/stage/kexec
		ROOT=$tmp/stage/x86-bios
		unprivileged_runas bad-inputs
		bad kernel-unreadable "$tmp/unreadable" "Permission denied" -- -s -l "$tmp/unreadable"
	)
else
	bad kernel-unreadable "$tmp/unreadable" "Permission denied" -- -s -l "$tmp/unreadable"
fi

# ---- Initrds ---------------------------------------------------------------

# Sparse: the sizes cost nothing on disk.
truncate -s $((4 * 1024 * 1024 * 1024)) "$tmp/initrd-4g"
truncate -s $((2 * 1024 * 1024 * 1024)) "$tmp/initrd-2g"
truncate -s $((700 * 1024 * 1024)) "$tmp/initrd-700m"
bad initrd-directory "$tmp/dir" "is a directory" -- -s -l "$good" --initrd="$tmp/dir"
bad initrd-dev-zero /dev/zero "not a regular file" -- -c -l "$good" --initrd=/dev/zero
bad initrd-empty "$tmp/empty" "empty" -- -s -l "$good" --initrd="$tmp/empty"
bad initrd-fifo "$tmp/fifo" "not a regular file" -- -c -l "$good" --initrd="$tmp/fifo"
bad initrd-missing "$tmp/missing" "No such file" -- -l "$good" --initrd="$tmp/missing"
bad initrd-4g "$tmp/initrd-4g" "at most 4 GiB" -- -s -l "$good" --initrd="$tmp/initrd-4g"
# The fixture machine has 1 GiB of RAM.
bad initrd-larger-than-ram "$tmp/initrd-2g" "RAM" -- -c -l "$good" --initrd="$tmp/initrd-2g"
# Fits, but the kernel refuses segments larger than half of RAM (EINVAL).
bad initrd-over-half-ram "$tmp/initrd-700m" "RAM" -- -c -l "$good" --initrd="$tmp/initrd-700m"

# ---- Command lines ---------------------------------------------------------
# One argv string is at most 128 KiB (MAX_ARG_STRLEN): a 10 MB command line
# comes through --reuse-cmdline, from a fixture's /proc/cmdline.

big=$tmp/root-10m
mkdir -p "$big/proc"
ln -s "$fixtures/x86-bios/sys" "$big/sys"
ln -s "$fixtures/x86-bios/proc/iomem" "$big/proc/iomem"
{ printf 'BOOT_IMAGE=/boot/vmlinuz '; head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' x; } >"$big/proc/cmdline"
ROOT=$big bad cmdline-10m-file-load "$good" "command line is 10485760 bytes" -- \
	-s -l "$good" --reuse-cmdline
ROOT=$big bad cmdline-10m-kexec-load "$good" "command line" -- -c -l "$good" --reuse-cmdline
# The x86-bios fixture has no proc/cmdline.
bad reuse-cmdline-unreadable "$fixtures/x86-bios/proc/cmdline" "No such file" -- \
	-s -l "$good" --reuse-cmdline

# ---- Options -----------------------------------------------------------------

bad opt-unknown "--frobnicate" "unknown option" -- -l "$good" --frobnicate
bad opt-unknown-short "-Q" "unknown option" -- -Q -l "$good"
bad opt-missing-value "--initrd" "needs a value" -- -l "$good" --initrd
bad opt-bad-mem-min "--mem-min" "12zz" -- -c -l "$good" --mem-min=12zz
bad opt-mem-min-above-max "$good|--mem-min|--mem-max" "0x20000000" -- \
	-c -l "$good" --mem-min=0x20000000 --mem-max=0x10000000
bad opt-mem-max-below-1m "$good|--mem-max" "0xfffff" -- -c -l "$good" --mem-max=0xfffff
bad opt-two-kernels "unexpected argument" "$elf" -- -l "$good" "$elf"
bad opt-no-kernel "no kernel specified" -- -l
bad opt-type-unknown-file-load "$good" "multiboot" -- -s -t multiboot -l "$good"
bad opt-type-unknown-kexec-load "$good" "multiboot" -- -c -t multiboot -l "$good"
bad opt-dtb-file-load "$good" "--dtb" -- -s --dtb="$tmp/empty" -l "$good"
bad opt-preserve-context-file-load "$good" "--load-preserve-context" -- \
	-s --load-preserve-context "$good"
# Kexec jump is refused in every mode (it used to load an ordinary kernel).
bad opt-preserve-context-kexec-load "$good" "--load-preserve-context" "never return" -- \
	-c --load-preserve-context -l "$good"
bad opt-preserve-context-auto "$good" "--load-preserve-context" "never return" -- \
	--load-preserve-context -l "$good"
bad opt-no-efi-file-load "$good" "--no-efi" "kexec_file_load" -- -s --no-efi -l "$good"
# Options only kexec_load honours: -s refuses them rather than ignore them.
bad opt-no-checks-file-load "$good" "-i" "kexec_load (-c)" -- -s -i -l "$good"
bad opt-mem-min-file-load "$good" "--mem-min" "kexec_load (-c)" -- -s --mem-min=0x1000000 -l "$good"
bad opt-mem-max-file-load "$good" "--mem-max" "kexec_load (-c)" -- -s --mem-max=0x80000000 -l "$good"
bad opt-elf32-file-load "$good" "--elf32-core-headers" "kexec_load (-c)" -- -s --elf32-core-headers -p "$good"
# Options this kexec does not honour: refused in every mode.
bad opt-entry "$good" "--entry" "not supported" -- --entry=0x1000000 -l "$good"
# --reuseinitrd: the running kernel (this root) kept no initrd; or both given.
bad opt-reuseinitrd-none "$good" "--reuseinitrd" "retain_initrd" -- --reuseinitrd -l "$good"
bad opt-reuseinitrd-and-initrd "$good" "--reuseinitrd" "--initrd" -- \
	--reuseinitrd --initrd="$good" -l "$good"
bad opt-hotplug-not-crash "$good" "--hotplug" "-p" -- --hotplug -l "$good"
# --hotplug where the running kernel (this root) has no crash hotplug.
bad opt-hotplug-kexec-load "$good" "--hotplug" "no crash hotplug" -- -c --hotplug -p "$good"
bad opt-serial-bad-port "--serial" "ttyS7" -- --console-serial --serial=ttyS7 -l "$good"
bad opt-serial-bad-baud "--serial-baud" "1234" -- --serial-baud=1234 -l "$good"
bad opt-serial-file-load "$good" "--serial" "kexec_load (-c)" -- -s --serial=ttyS1 -l "$good"
bad opt-ambiguous-prefix "--reuse" "ambiguous" "--reuse-cmdline" -- --reuse -l "$good"
bad opt-crash-no-reservation-file-load "$good" "crashkernel=" -- -s -p "$good"
bad opt-crash-no-reservation-kexec-load "$good" "crashkernel=" -- -c -p "$good"
# qemu-x86_64 reserves 256 MiB; this kernel wants 4 GiB to unpack.
ROOT=$fixtures/qemu-x86_64 bad crash-kernel-too-big "$in/bz-init-size-4g" "256 MiB" -- \
	-s -p "$in/bz-init-size-4g"
