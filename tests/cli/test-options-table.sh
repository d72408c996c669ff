#!/usr/bin/env bash
# The option table (docs/options.md), checked row by row: every code span in
# its "check" column is `ARGS => RC` or `ARGS => RC ~ TEXT`, run as
# `kexec --dry-run ARGS` against the simulated kernel with /proc and /sys from
# tests/fixtures/crash-x86_64. K is a bzImage, E an ELF vmlinux, I an initrd
# (from tests/bad-inputs/gen-bad-inputs.c). The exit status must be RC, TEXT
# must appear in the output, and a failure must be exactly one line on
# stderr. Every row must have at least one check.
#
# Usage: tests/cli/test-options-table.sh [KEXEC]   (default build/kexec)
# Prints "PASS: option-table: ARGS" or "FAIL: ..." per check.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
KEXEC=${1:-$top/build/kexec}
case "$KEXEC" in /*) ;; *) KEXEC="$PWD/$KEXEC" ;; esac
table=$top/docs/options.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! ${CC:-cc} -std=gnu11 -O1 -Wall -o "$tmp/gen" "$top/tests/bad-inputs/gen-bad-inputs.c"; then
	echo "FAIL: option-table: cannot build gen-bad-inputs"
	exit 1
fi
mkdir "$tmp/in" && "$tmp/gen" "$tmp/in" >/dev/null || {
	echo "FAIL: option-table: gen-bad-inputs failed"
	exit 1
}
K=$tmp/in/good.bzImage
E=$tmp/in/good.elf
I=$tmp/initrd
printf 'initrd\n' >"$I"
# A captured guest with a crash reservation, its CPUs' crash notes and kcore
# (tests/fixtures/crash-x86_64), and a command line for --reuse-cmdline.
cp -r "$top/tests/fixtures/crash-x86_64" "$tmp/root"
printf 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 crashkernel=256M quiet\n' >"$tmp/root/proc/cmdline"
export KEXEC_ROOT=$tmp/root

rows=0
checks=0
# The table's rows: "| `opt` | ... | ... | checks |", the header and rule
# excluded; the first table only (the by-architecture one after it has no
# check column).
while IFS= read -r row; do
	case "$row" in
	"## "*) [ "$rows" -gt 0 ] && break ;;
	"| option "* | "| --- "*) continue ;;
	"| "*) ;;
	*) continue ;;
	esac
	rows=$((rows + 1))
	check=${row%|}
	check=${check##*|}
	opt=$(printf '%s' "$row" | cut -d'|' -f2 | sed 's/^ *//; s/ *$//')
	n=0
	# Each `...` span in the check column.
	while IFS= read -r spec; do
		[ -n "$spec" ] || continue
		n=$((n + 1))
		args=${spec%% => *}
		rest=${spec#* => }
		want_rc=${rest%% ~ *}
		want_text=""
		case "$rest" in *" ~ "*) want_text=${rest#* ~ } ;; esac
		# K, E, I as whole words become the files.
		argv=()
		for a in $args; do
			a=${a//=K/=$K}
			a=${a//=E/=$E}
			a=${a//=I/=$I}
			case "$a" in
			K) a=$K ;;
			E) a=$E ;;
			I) a=$I ;;
			esac
			argv+=("$a")
		done
		timeout "$((30 * ${KX_TIME_SCALE:-2}))" "$KEXEC" --dry-run "${argv[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null
		rc=$?
		checks=$((checks + 1))
		label="option-table: $opt: kexec --dry-run $args"
		if [ "$rc" != "$want_rc" ]; then
			echo "FAIL: $label: exit $rc, want $want_rc: $(head -c 400 "$tmp/err" | tr '\n' '|')"
			continue
		fi
		if [ -n "$want_text" ] && ! grep -qF -- "$want_text" "$tmp/out" "$tmp/err"; then
			echo "FAIL: $label: output lacks \"$want_text\": $(head -c 400 "$tmp/out" "$tmp/err" | tr '\n' '|')"
			continue
		fi
		if [ "$rc" != 0 ] && [ "$rc" != 1 -o "$args" != "-S" ] &&
			[ "$(awk 'END { print NR }' "$tmp/err")" != 1 ]; then
			echo "FAIL: $label: exit $rc with $(awk 'END { print NR }' "$tmp/err") lines on stderr, want 1"
			continue
		fi
		echo "PASS: $label"
	done < <(printf '%s\n' "$check" | grep -o '`[^`]*`' | tr -d '`')
	if [ "$n" = 0 ]; then
		echo "FAIL: option-table: row $opt has no check"
	fi
done <"$table"
if [ "$rows" -lt 30 ]; then
	echo "FAIL: option-table: only $rows rows read from $table"
fi
