#!/usr/bin/env bash
# Run every libFuzzer target in a build dir configured with -Dfuzz=true.
#
#   fuzz/run.sh BUILD_DIR check   each target runs FUZZ_RUNS (2000) inputs, its corpus
#                                 first, with a fixed seed: what `make check` does
#   fuzz/run.sh BUILD_DIR fuzz    each target runs FUZZ_SECONDS (60) seconds: `make fuzz`;
#                                 what it finds is kept in BUILD_DIR/fuzz-corpus/<target>
#   FUZZ_TARGETS="bzimage options" limits either to those targets.
#
# Prints "PASS: fuzz-<target> ..." or "FAIL: fuzz-<target>: <first report line>" per
# target. A failing input is saved as BUILD_DIR/fuzz-artifacts/<target>/crash-<sha1>;
# replay it with BUILD_DIR/fuzz/fuzz-<target> <file>. Logs: BUILD_DIR/fuzz-logs/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz/run.sh BUILD_DIR [check|fuzz]}
mode=${2:-check}
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
case "$mode" in check | fuzz) ;; *) echo "usage: fuzz/run.sh BUILD_DIR [check|fuzz]" >&2; exit 2 ;; esac
runs=${FUZZ_RUNS:-2000}
seconds=${FUZZ_SECONDS:-60}

# Every sanitizer report is fatal and names its place.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

targets=()
for exe in "$build"/fuzz/fuzz-*; do
	[ -f "$exe" ] && [ -x "$exe" ] && targets+=("${exe##*/fuzz-}")
done
if [ ${#targets[@]} -eq 0 ]; then
	echo "FAIL: fuzz: no fuzz targets in $build/fuzz (configure with -Dfuzz=true)"
	exit 1
fi
if [ -n "${FUZZ_TARGETS:-}" ]; then
	targets=($FUZZ_TARGETS)
fi

mkdir -p "$build/fuzz-logs" "$build/fuzz-artifacts"
# The targets write /proc and /sys trees for every input (tmpfs keeps that
# cheap) below TMPDIR; all of it goes at the end, also what a crash left.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	tmp=$(mktemp -d -p /dev/shm)
else
	tmp=$(mktemp -d)
fi
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root"
export TMPDIR=$tmp/root
failed=0
for t in "${targets[@]}"; do
	exe=$build/fuzz/fuzz-$t
	seeds=$top/fuzz/corpus/$t
	log=$build/fuzz-logs/$t.log
	art=$build/fuzz-artifacts/$t
	if [ ! -x "$exe" ]; then
		echo "FAIL: fuzz-$t: $exe is not built"
		failed=1
		continue
	fi
	if [ ! -d "$seeds" ]; then
		echo "FAIL: fuzz-$t: no seed corpus in fuzz/corpus/$t"
		failed=1
		continue
	fi
	mkdir -p "$art"
	# New inputs go to the first directory; the committed seeds stay as they are.
	if [ "$mode" = check ]; then
		work=$tmp/$t
		limit=(-runs="$runs" -seed=1)
	else
		work=$build/fuzz-corpus/$t
		limit=(-max_total_time="$seconds")
	fi
	mkdir -p "$work"
	start=$(date +%s)
	"$exe" "${limit[@]}" -timeout="$((25 * ${KX_TIME_SCALE:-2}))" -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	done_line=$(grep -m1 -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+')
	if [ "$rc" = 0 ] && [ -n "$done_line" ]; then
		echo "PASS: fuzz-$t ($done_line inputs in ${took}s, $(ls "$seeds" | wc -l) seeds)"
	else
		why=$(grep -m1 -E 'property failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log")
		crash=$(grep -m1 -oE "Test unit written to [^ ]+" "$log" | sed 's/Test unit written to //')
		echo "FAIL: fuzz-$t: ${why:-exit $rc}${crash:+; input: $crash}; log: $log"
		failed=1
	fi
done
exit $failed
