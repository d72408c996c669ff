#!/usr/bin/env bash
# Every test: unit (cmocka, through meson), command (tests/cli), hostile input
# (bad inputs, unprivileged use, unit tests under ASan + UBSan, the command
# under valgrind, the fuzz targets over their corpora), VM (tests/vm).
# Prints each group's result and ends with one line "N passed, N failed".
# The extra build dirs come from scripts/build-variant.sh (make check builds
# them; this script builds whatever is out of date): FUZZ_BUILD, ASAN_BUILD,
# VALGRIND_BUILD, by default build-fuzz, build-asan, build-valgrind; the arm64
# VM tests take AARCH64_BUILD/kexec (default build-aarch64, built by make),
# the riscv64 ones RISCV64_BUILD/kexec (default build-riscv64, built by make),
# the 32-bit ARM ones ARMHF_BUILD/kexec (default build-armhf, built by make),
# the i386 ones I686_BUILD/kexec (default build-i686, built by make), the
# MIPS ones MIPS64EL_BUILD/kexec (default build-mips64el, built by make), the
# s390x ones S390X_BUILD/kexec (default build-s390x) and the ppc64el ones
# PPC64LE_BUILD/kexec (default build-ppc64le), built by make.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac
abs() { case "$1" in /*) echo "$1" ;; *) echo "$top/$1" ;; esac; }
fuzz_build=$(abs "${FUZZ_BUILD:-build-fuzz}")
asan_build=$(abs "${ASAN_BUILD:-build-asan}")
valgrind_build=$(abs "${VALGRIND_BUILD:-build-valgrind}")
passed=0
failed=0
skipped=() # "group: count" for the groups that skipped something
# KX_TIME_SCALE multiplies every timeout (meson's per test, the VM guests',
# the command checks'): 2 by default, so that a slow or busy machine does not
# fail a test; raise it on a slower one. Speed is measured by `make bench`.
export KX_TIME_SCALE=${KX_TIME_SCALE:-2}

# Unit tests: count cmocka's test cases; a suite that died counts as one failure.
meson test -C "$build" --suite unit --print-errorlogs --timeout-multiplier "$KX_TIME_SCALE" >"$build/unit.out" 2>&1
unit_rc=$?
p=$(grep -ho '^\[  PASSED  \] [0-9]* test' "$build/meson-logs/testlog.txt" | awk '{s+=$4} END {print s+0}')
# (cmocka 1.1.7, Debian 13's, names the group: "[  FAILED  ] tests: 1 test(s)".)
f=$(grep -hoE '^\[  FAILED  \] ([^ ]+: )?[0-9]+ test' "$build/meson-logs/testlog.txt" |
	grep -oE '[0-9]+ test' | awk '{s+=$1} END {print s+0}')
if [ "$unit_rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	f=1
fi
grep -E '^ *[0-9]+/[0-9]+ ' "$build/unit.out"
[ "$unit_rc" -ne 0 ] && grep -E 'ERROR|FAILED|error' "$build/unit.out" | head -20
# A test program that skipped itself (exit 77: a missing cross compiler or
# qemu), and cmocka's skipped cases (the test source says why).
us=$(grep -cE '^ *[0-9]+/[0-9]+ .* SKIP ' "$build/unit.out")
us=$((us + $(grep -hoE '^\[  SKIPPED \] ([^ ]+: )?[0-9]+ test' "$build/meson-logs/testlog.txt" |
	grep -oE '[0-9]+ test' | awk '{s+=$1} END {print s+0}')))
if [ "$us" -gt 0 ]; then
	echo "unit: $p passed, $f failed, $us skipped"
	skipped+=("unit: $us")
else
	echo "unit: $p passed, $f failed"
fi
passed=$((passed + p))
failed=$((failed + f))

# Groups that print "PASS: name" / "FAIL: name: why" lines.
run_group() {
	local name=$1
	shift
	local out="$build/$name.out"
	"$@" 2>&1 | tee "$out" | grep -E '^(PASS|FAIL|SKIP)'
	local p f s
	p=$(grep -c '^PASS' "$out")
	f=$(grep -c '^FAIL' "$out")
	s=$(grep -c '^SKIP' "$out")
	# A group that printed nothing at all failed to run.
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name: ran no test (see $out)"
		tail -20 "$out"
		f=1
	fi
	if [ "$s" -gt 0 ]; then
		echo "$name: $p passed, $f failed, $s skipped"
		skipped+=("$name: $s")
	else
		echo "$name: $p passed, $f failed"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

run_group cli "$top/tests/cli/test-cli.sh" "$build/kexec"
run_group option-table "$top/tests/cli/test-options-table.sh" "$build/kexec"
run_group json "$top/tests/cli/test-json.sh" "$build/kexec"

# ---- Hostile input and faults ------------------------------------------------

# Build (or bring up to date) a variant dir; a failure is one FAIL line.
variant() { # VARIANT DIR
	mkdir -p "$2"
	if ! "$top/scripts/build-variant.sh" "$1" "$2" >"$2/variant-build.out" 2>&1; then
		echo "FAIL: $1: cannot build $2 (see $2/variant-build.out)"
		tail -5 "$2/variant-build.out"
		return 1
	fi
}

# The unit tests under ASan + UBSan: one line per test program.
asan_unit() {
	variant asan "$asan_build" || return
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$asan_build" --suite unit --print-errorlogs --timeout-multiplier "$((3 * KX_TIME_SCALE))" >"$asan_build/asan.out" 2>&1
	awk '$1 ~ /^[0-9]+\/[0-9]+$/ && NF >= 3 {
		if ($3 == "OK") print "PASS: asan: " $2; else print "FAIL: asan: " $2 ": " $3 }' \
		"$asan_build/asan.out"
	grep -m5 -E 'ERROR: (Address|Leak)Sanitizer|runtime error|SUMMARY' \
		"$asan_build/meson-logs/testlog.txt" | sed 's/^/  /'
}

valgrind_run() {
	variant valgrind "$valgrind_build" && "$top/tests/valgrind/run.sh" "$valgrind_build/kexec"
}

fuzz_check() {
	variant fuzz "$fuzz_build" && "$top/fuzz/run.sh" "$fuzz_build" check
}

# No function over 80 lines in lib/, tools/, purgatory/ (CODING-STYLE.md).
run_group lint python3 "$top/tests/lint/function-length.py" "$top"
run_group unprivileged "$top/tests/cli/test-unprivileged.sh" "$build/kexec"
run_group bad-inputs "$top/tests/bad-inputs/run.sh" "$build/kexec"
run_group asan asan_unit
run_group valgrind valgrind_run
run_group fuzz fuzz_check
# make install, pkg-config, man pages, completion, the .debs in a Debian 12 root.
run_group install "$top/tests/install/run.sh"
# The arm64 and riscv64 VM tests run the cross-built kexecs (make builds them).
KEXEC_BIN="$build/kexec" KEXEC_ARM64_BIN="$(abs "${AARCH64_BUILD:-build-aarch64}")/kexec" \
	KEXEC_RISCV64_BIN="$(abs "${RISCV64_BUILD:-build-riscv64}")/kexec" \
	KEXEC_ARM_BIN="$(abs "${ARMHF_BUILD:-build-armhf}")/kexec" \
	KEXEC_I386_BIN="$(abs "${I686_BUILD:-build-i686}")/kexec" \
	KEXEC_MIPS64EL_BIN="$(abs "${MIPS64EL_BUILD:-build-mips64el}")/kexec" \
	KEXEC_S390X_BIN="$(abs "${S390X_BUILD:-build-s390x}")/kexec" \
	KEXEC_PPC64EL_BIN="$(abs "${PPC64LE_BUILD:-build-ppc64le}")/kexec" \
	run_group vm "$top/tests/vm/run-all.sh"

# What did not run here, and why, is in the SKIP lines above.
[ ${#skipped[@]} -eq 0 ] || echo "skipped (see the SKIP lines): ${skipped[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
