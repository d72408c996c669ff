#!/usr/bin/env bash
# Every test: unit (cmocka, through meson), command (tests/cli), VM (tests/vm).
# Prints each group's result and ends with one line "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac
passed=0
failed=0

# Unit tests: count cmocka's test cases; a suite that died counts as one failure.
meson test -C "$build" --suite unit --print-errorlogs >"$build/unit.out" 2>&1
unit_rc=$?
p=$(grep -ho '^\[  PASSED  \] [0-9]* test' "$build/meson-logs/testlog.txt" | awk '{s+=$4} END {print s+0}')
f=$(grep -ho '^\[  FAILED  \] [0-9]* test' "$build/meson-logs/testlog.txt" | awk '{s+=$4} END {print s+0}')
if [ "$unit_rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	f=1
fi
grep -E '^ *[0-9]+/[0-9]+ ' "$build/unit.out"
[ "$unit_rc" -ne 0 ] && grep -E 'ERROR|FAILED|error' "$build/unit.out" | head -20
echo "unit: $p passed, $f failed"
passed=$((passed + p))
failed=$((failed + f))

# Groups that print "PASS: name" / "FAIL: name: why" lines.
run_group() {
	local name=$1
	shift
	local out="$build/$name.out"
	"$@" 2>&1 | tee "$out" | grep -E '^(PASS|FAIL|SKIP)'
	local p f
	p=$(grep -c '^PASS' "$out")
	f=$(grep -c '^FAIL' "$out")
	# A group that printed nothing at all failed to run.
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name: ran no test (see $out)"
		tail -20 "$out"
		f=1
	fi
	echo "$name: $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
}

run_group cli "$top/tests/cli/test-cli.sh" "$build/kexec"
KEXEC_BIN="$build/kexec" run_group vm "$top/tests/vm/run-all.sh"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
