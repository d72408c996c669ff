#!/bin/bash
# Load cost on this machine: `kexec -c -l K --initrd=I` (kexec_load) and
# `kexec -s -l K --initrd=I` (kexec_file_load), ours and kexec-tools', all
# the work up to the syscall, which fails on this host (its kernel has no
# kexec: ENOSYS) after everything else is done. Nothing is ever loaded.
#
#   bench/load.sh
#
# Environment: BENCH_SIZES (initrd sizes in MiB, default "0 32 256"; 0 means
# no --initrd, as both tools refuse an empty file), BENCH_RUNS (hyperfine
# runs, default 10; 5 for sizes above 64 MiB), BENCH_JOBS (callgrind runs at
# once, default 2), BENCH_BASE_KEXEC (an older build of ours, measured as
# "base" for before/after numbers).
#
# For each tool, syscall and size: strace shows that the syscall is reached
# (and fails with ENOSYS); callgrind counts the instructions (deterministic);
# hyperfine gives the median wall time of BENCH_RUNS runs (page cache warm);
# /usr/bin/time the peak RSS. The floors get the same treatment: `cat K I`
# into /dev/null (reading the files) and bench/copy.c (one memcpy of every
# byte). Valgrind's CPUID hides the SHA extensions, so under callgrind our
# kexec hashes without them (eight lanes at once in AVX2 registers where the
# CPU has AVX2, else four in SSE2 registers; the rest with the portable block
# function); column ir_shani is the count on the
# SHA-NI path: callgrind's total minus the instructions of both block
# functions, plus blocks x the SHA-NI loop body's instructions (objdump of the
# binary; the loop is straight-line) plus calls x its prologue and epilogue.
#
# Output: $BENCH_OUT/load.tsv, one line per measurement:
#   tool mode initrd_mib reached ir ir_shani wall_median_s wall_min_s wall_max_s rss_kb
set -euo pipefail
# The body is one compound command: bash reads all of it before running any,
# so editing this file during a run cannot change that run.
{
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -r -a sizes <<<"${BENCH_SIZES:-0 32 256}"
runs=${BENCH_RUNS:-10}
jobs=${BENCH_JOBS:-2}
CMDLINE="console=ttyS0 quiet"

for t in valgrind hyperfine strace /usr/bin/time python3 objdump; do
	command -v "$t" >/dev/null || bench_die "$t is missing (make bench installs it)"
done
[[ -x $BENCH_KEXEC ]] || bench_die "$BENCH_KEXEC does not exist (make builds it)"
vm_fetch_kernel
bench_fetch_kexec_tools
K=$VM_KERNEL
work=$BENCH_OUT/load
mkdir -p "$work"
COPY=$BENCH_OUT/bin/copy
bench_cc "$COPY" "$BENCH_DIR/copy.c"

# SHA-NI loop shape of our binary: instructions before/in/after the loop.
read -r ni_pre ni_loop ni_post < <(objdump -d --no-show-raw-insn "$BENCH_KEXEC" | awk '
	/^[0-9a-f]+ <.*>:$/ {
		if ($2 == "<kx_sha256_hw_blocks>:") s = "pre"
		else if ($2 == "<kx_sha256_ni_loop>:") s = "loop"
		else if ($2 == "<kx_sha256_ni_loop_end>:") s = "post"
		else if (s) exit
		next
	}
	s && /^ +[0-9a-f]+:/ { n[s]++ }
	END { print n["pre"] + 0, n["loop"] + 0, n["post"] + 0 }')
echo "sha-ni loop: $ni_pre + $ni_loop x blocks + $ni_post instructions" >"$work/sha-ni-shape.txt"

# cmd TOOL MODE SIZE: the command line, one word a line.
cmd() {
	local tool=$1 mode=$2 size=$3 initrd=()
	((size == 0)) || initrd=("--initrd=$(bench_initrd "$size")")
	case $tool in
	ours) printf '%s\n' "$BENCH_KEXEC" "$mode" -l "$K" ${initrd[@]+"${initrd[@]}"} "--append=$CMDLINE" ;;
	base) printf '%s\n' "$BENCH_BASE_KEXEC" "$mode" -l "$K" ${initrd[@]+"${initrd[@]}"} "--append=$CMDLINE" ;;
	kt) printf '%s\n' "$KT_KEXEC" "$mode" -l "$K" ${initrd[@]+"${initrd[@]}"} "--append=$CMDLINE" ;;
	cat) printf '%s\n' cat "$K" ${initrd[@]+"${initrd[@]#--initrd=}"} ;;
	copy) printf '%s\n' "$COPY" "$K" ${initrd[@]+"${initrd[@]#--initrd=}"} ;;
	esac
}

# Every measurement: tool mode size (mode "-" for the floors).
tools=(ours kt)
[[ -z ${BENCH_BASE_KEXEC:-} ]] || tools+=(base)
cases=()
for size in "${sizes[@]}"; do
	bench_initrd "$size" >/dev/null
	for tool in "${tools[@]}"; do
		cases+=("$tool -c $size" "$tool -s $size")
	done
	cases+=("cat - $size" "copy - $size")
done

# measure_ir TOOL MODE SIZE: callgrind, into $work/cg.TOOL.MODE.SIZE.
measure_ir() {
	local tool=$1 mode=$2 size=$3 c out
	mapfile -t c < <(cmd "$tool" "$mode" "$size")
	out=$work/cg.$tool$mode.$size
	LD_LIBRARY_PATH=$KT_LIBDIR valgrind --tool=callgrind --compress-strings=no --compress-pos=no \
		--callgrind-out-file="$out" "${c[@]}" >/dev/null 2>"$out.log" || true
}

bench_log "load: callgrind (instructions), $jobs at a time"
t0=$SECONDS
for cs in "${cases[@]}"; do
	read -r tool mode size <<<"$cs"
	while (($(jobs -rp | wc -l) >= jobs)); do
		sleep 0.5
	done
	measure_ir "$tool" "$mode" "$size" &
done
wait
bench_log "load: callgrind took $((SECONDS - t0)) s"

out=$BENCH_OUT/load.tsv
printf 'tool\tmode\tinitrd_mib\treached\tir\tir_shani\twall_median_s\twall_min_s\twall_max_s\trss_kb\n' >"$out"
for cs in "${cases[@]}"; do
	read -r tool mode size <<<"$cs"
	mapfile -t c < <(cmd "$tool" "$mode" "$size")
	base=$work/$tool$mode.$size
	bench_log "load: $tool $mode ${size} MiB"

	# Does the tool get as far as the syscall?
	reached=-
	[[ $mode == - ]] || reached=$(bench_reached "$base" "${c[@]}")

	# Instructions; for ours -c also the SHA-NI-path count.
	cg=$work/cg.$tool$mode.$size
	grep -q '^totals:\|^summary:' "$cg" 2>/dev/null || bench_die "callgrind failed for $tool $mode $size (see $cg.log)"
	read -r ir blocks incl x4blocks x4calls x4incl x8blocks x8calls x8incl updates finals < <(
		python3 "$BENCH_DIR/cgstat.py" "$cg" sha256_block sha256_x4_block kx_sha256_x4_blocks \
			sha256_x8_block kx_sha256_x8_blocks kx_sha256_update kx_sha256_final |
		awk '$1 == "total" { t = $2 } $1 == "calls" && $2 == "sha256_block" { b = $3 }
		     $1 == "incl" && $2 == "sha256_block" { i = $3 }
		     $1 == "calls" && $2 == "sha256_x4_block" { xb = $3 }
		     $1 == "calls" && $2 == "kx_sha256_x4_blocks" { xc = $3 }
		     $1 == "incl" && $2 == "kx_sha256_x4_blocks" { xi = $3 }
		     $1 == "calls" && $2 == "sha256_x8_block" { yb = $3 }
		     $1 == "calls" && $2 == "kx_sha256_x8_blocks" { yc = $3 }
		     $1 == "incl" && $2 == "kx_sha256_x8_blocks" { yi = $3 }
		     $1 == "calls" && $2 == "kx_sha256_update" { u = $3 } $1 == "calls" && $2 == "kx_sha256_final" { f = $3 }
		     END { printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n",
			   t, b, i, xb, xc, xi, yb, yc, yi, u, f }')
	ir_shani=-
	if [[ $tool == ours && $((blocks + x4blocks + x8blocks)) -gt 0 && $ni_loop -gt 0 ]]; then
		# Each update or final call makes at most two block-function calls;
		# each four-lane (eight-lane) call stands for four (eight) updates on
		# the SHA-NI path.
		ir_shani=$((ir - incl - x4incl - x8incl +
			(blocks + 4 * x4blocks + 8 * x8blocks) * ni_loop +
			(2 * (updates + finals) + 4 * x4calls + 8 * x8calls) * (ni_pre + ni_post)))
	fi

	# Wall time and peak RSS.
	r=$runs
	((size <= 64 || r <= 5)) || r=5
	wall=$(bench_wall "$base" 2 "$r" "${c[@]}") ||
		bench_die "hyperfine failed for $tool $mode $size (see $base.hyperfine)"
	read -r med min max <<<"$wall"
	rss=$(bench_rss "$base" "${c[@]}")

	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$mode" "$size" "$reached" "$ir" \
		"$ir_shani" "$med" "$min" "$max" "$rss" >>"$out"
done
bench_log "load: done ($out)"
exit
}
