#!/bin/bash
# Compressed kernels: what peeling an envelope costs, and what a file that is
# not a kernel costs (a gzip bomb). On this machine, up to the syscall (which
# fails with ENOSYS here: nothing is ever loaded), as bench/load.sh measures.
#
#   bench/unwrap.sh
#
# The kernel K (Debian's bzImage, as bench/load.sh uses) plain and wrapped in
# gzip -9, xz, zstd -19 and lz4 -9, each loaded with `-c -i -l K.x
# --initrd=I` (I: 32 MiB of random bytes; -i: no digest for the purgatory,
# so that what is measured is the peeling, not the check, which changed
# since the older build): by ours, by an older build of ours
# (BENCH_BASE_KEXEC: before lazy peeling, for "no slower than before"), and
# by kexec-tools where it reads the format (plain, gzip, xz). And B, 1 MiB of
# gzip that unpacks to 1 GiB of zeros: each tool's exit status, its message,
# wall time and peak RSS.
#
# Instructions: callgrind (deterministic; valgrind hides the SHA extensions,
# which our XXH3 check does not use). Wall: median of hyperfine runs (page
# cache warm; other jobs on the machine add noise). RSS: /usr/bin/time.
#
# Output: $BENCH_OUT/unwrap.tsv
#   tool kernel reached ir wall_median_s rss_kb exit message
set -euo pipefail
# The body is one compound command: bash reads all of it before running any,
# so editing this file during a run cannot change that run.
{
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs=${BENCH_RUNS:-10}
CMDLINE="console=ttyS0 quiet"
for t in valgrind hyperfine strace /usr/bin/time python3 gzip xz zstd lz4; do
	command -v "$t" >/dev/null || bench_die "$t is missing (make bench installs it)"
done
[[ -x $BENCH_KEXEC ]] || bench_die "$BENCH_KEXEC does not exist (make builds it)"
vm_fetch_kernel
bench_fetch_kexec_tools
work=$BENCH_OUT/unwrap
mkdir -p "$work"
I=$(bench_initrd 32)

# The kernels: plain and in each envelope, made once per kernel.
K=$work/bzImage
cmp -s "$VM_KERNEL" "$K" 2>/dev/null || cp "$VM_KERNEL" "$K"
[[ -s $K.gz && $K.gz -nt $K ]] || gzip -9 -n -c "$K" >"$K.gz"
[[ -s $K.xz && $K.xz -nt $K ]] || xz -6 --check=crc32 -c "$K" >"$K.xz"
[[ -s $K.zst && $K.zst -nt $K ]] || zstd -q -19 -c "$K" >"$K.zst"
[[ -s $K.lz4 && $K.lz4 -nt $K ]] || lz4 -q -9 -c "$K" >"$K.lz4"
B=$work/bomb.gz
[[ -s $B ]] || head -c $((1 << 30)) /dev/zero | gzip -9 -n >"$B"

tools=(ours kt)
[[ -z ${BENCH_BASE_KEXEC:-} ]] || tools=(ours base kt)
kernels=(plain gzip xz zstd lz4 bomb)

file_of() {
	case $1 in
	plain) echo "$K" ;;
	gzip) echo "$K.gz" ;;
	xz) echo "$K.xz" ;;
	zstd) echo "$K.zst" ;;
	lz4) echo "$K.lz4" ;;
	bomb) echo "$B" ;;
	esac
}

# cmd TOOL KERNEL: the command line, one word a line.
cmd() {
	local bin
	case $1 in
	ours) bin=$BENCH_KEXEC ;;
	base) bin=$BENCH_BASE_KEXEC ;;
	kt) bin=$KT_KEXEC ;;
	esac
	printf '%s\n' "$bin" -c -i -l "$(file_of "$2")" "--initrd=$I" "--append=$CMDLINE"
}

out=$BENCH_OUT/unwrap.tsv
printf 'tool\tkernel\treached\tir\twall_median_s\trss_kb\texit\tmessage\n' >"$out"
for tool in "${tools[@]}"; do
	for k in "${kernels[@]}"; do
		# kexec-tools 2.0.25 reads gzip and xz (and lzma) files, not zstd or lz4.
		[[ $tool == kt && ($k == zstd || $k == lz4) ]] && continue
		mapfile -t c < <(cmd "$tool" "$k")
		base=$work/$tool.$k
		bench_log "unwrap: $tool $k"
		reached=$(bench_reached "$base" "${c[@]}")
		st=$(cat "$base.status")
		msg=$(grep -v '^$' "$base.err" | head -n 1 | tr '\t' ' ' | cut -c1-160)
		LD_LIBRARY_PATH=$KT_LIBDIR valgrind --tool=callgrind --compress-strings=no --compress-pos=no --callgrind-out-file="$base.cg" \
			"${c[@]}" >/dev/null 2>"$base.cg.log" || true
		ir=$(python3 "$BENCH_DIR/cgstat.py" "$base.cg" | awk '$1 == "total" { print $2 }')
		wall=$(bench_wall "$base" 1 "$runs" "${c[@]}") ||
			bench_die "hyperfine failed for $tool $k (see $base.hyperfine)"
		read -r med _ <<<"$wall"
		rss=$(bench_rss "$base" "${c[@]}")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$k" "$reached" "$ir" "$med" "$rss" "$st" \
			"$msg" >>"$out"
	done
done
bench_log "unwrap: done ($out)"
exit
}
