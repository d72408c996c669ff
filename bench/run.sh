#!/bin/bash
# `make bench`: our kexec against Debian's kexec-tools, on the same kernel and
# initrds. Writes docs/bench.md (tables, ratios ours / kexec-tools, the
# machine and versions), docs/bench.png (the plot) and the raw numbers
# (docs/bench-load.tsv, docs/bench-handover*.tsv). Logs and helper binaries
# stay in $BENCH_OUT (build/bench).
#
#   bench/run.sh
#
# Environment (besides bench/lib.sh's): BENCH_BASE_REV, a git revision of
# this repository to build and measure as "base" too (before/after numbers);
# BENCH_REPEAT, boots per x86_64 handover case (default 2: shows that they
# agree); BENCH_REPEAT_ARM64, boots per arm64 handover case on cortex-a57
# (default 3); BENCH_ARM64_CPUS, other qemu -cpu models each arm64 case is
# booted once on (default "max"); BENCH_ARM64=0 skips arm64;
# BENCH_REPEAT_RISCV64, boots per riscv64 handover case and -cpu (default 5);
# BENCH_RISCV64_CPUS, the qemu -cpu models each riscv64 case is booted on
# (default "rv64 rv64,zknh=true": the purgatory's portable and Zknh SHA-256);
# BENCH_RISCV64=0 skips riscv64; BENCH_REPEAT_ARM, boots per 32-bit ARM
# handover case (default 3), BENCH_ARM=0 skips 32-bit ARM; BENCH_REPEAT_I386, boots
# per i386 handover case (default 3), BENCH_I386=0 skips i386;
# BENCH_REPEAT_MIPS64EL, boots per MIPS handover case (default 3),
# BENCH_MIPS64EL=0 skips MIPS; BENCH_REPEAT_PPC64EL, boots per ppc64el
# handover case (default 3), BENCH_PPC64EL=0 skips ppc64el;
# BENCH_REPEAT_S390X, boots per s390x handover case (default 1: about two
# minutes of wall time each, and QEMU's instruction count is the same run
# after run), BENCH_S390X=0 skips s390x; BENCH_UNWRAP=0 skips the compressed
# kernels (bench/unwrap.sh), BENCH_UNWRAP_BASE_REV is the older revision
# they are measured against (default ac79cc7, before lazy peeling; "" for
# none) or BENCH_UNWRAP_BASE_KEXEC an older kexec already built;
# BENCH_VM_JOBS, guests at once (default 1); BENCH_DOCS, where the results go
# (default <repo>/docs). See bench/load.sh, bench/handover.sh and
# bench/handover-arm64.sh (arm64, arm, i386, mips64el, ppc64el, s390x) and bench/handover-riscv64.sh for what is measured
# and how.
#
# Never runs kexec -e on this machine: the load syscalls fail here (no kexec
# in the host kernel) and the handovers run inside QEMU guests (TCG).
set -euo pipefail
# The body is one compound command: bash reads all of it before running any,
# so editing this file during a run cannot change that run.
{
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

t_start=$SECONDS
docs=${BENCH_DOCS:-$BENCH_REPO/docs}
mkdir -p "$BENCH_OUT" "$docs"

# What the benchmark needs beyond `make` and the VM tests' packages.
need=()
for p in hyperfine gnuplot-nox time valgrind strace; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
	[[ $(id -u) -eq 0 ]] || bench_die "missing packages: ${need[*]} (run as root, or install them)"
	bench_log "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

vm_fetch_kernel
bench_fetch_kexec_tools

# build_rev REV DIR WHAT: revision REV of ours built in DIR (kept while it
# is that revision); prints its kexec.
build_rev() {
	local rev=$1 src=$2 what=$3
	if [[ ! -x $src/build/kexec || $(cat "$src/.rev" 2>/dev/null) != "$rev" ]]; then
		rm -rf "$src"
		mkdir -p "$src"
		git -C "$BENCH_REPO" archive "$rev" | tar -x -C "$src"
		bench_log "building $rev as $what"
		(cd "$src" && meson setup -Dtests=false build >/dev/null && ninja -C build kexec >/dev/null) ||
			bench_die "building $rev failed"
		echo "$rev" >"$src/.rev"
	fi
	printf '%s\n' "$src/build/kexec"
}

# Optional baseline: an older revision of ours, built in its own tree.
if [[ -n ${BENCH_BASE_REV:-} ]]; then
	BENCH_BASE_KEXEC=$(build_rev "$BENCH_BASE_REV" "$BENCH_OUT/base-src" "the baseline")
	export BENCH_BASE_KEXEC
fi

# The compressed kernels' baseline: the last build that unpacked every layer
# whole before looking at it (BENCH_UNWRAP_BASE_REV, default ac79cc7; "" for none).
unwrap_base_rev=${BENCH_UNWRAP_BASE_REV-ac79cc7}
if [[ -n $unwrap_base_rev && -z ${BENCH_UNWRAP_BASE_KEXEC:-} ]]; then
	BENCH_UNWRAP_BASE_KEXEC=$(build_rev "$unwrap_base_rev" "$BENCH_OUT/unwrap-base-src" \
		"the compressed kernels' baseline")
	export BENCH_UNWRAP_BASE_KEXEC
fi

# The machine and the versions, for the report.
{
	echo "date	$(date -u +%Y-%m-%d)"
	echo "cpu	$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPUs"
	echo "sha_ni	$(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
	echo "memory	$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "host_kernel	$(uname -r)"
	echo "os	$(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "ours	$("$BENCH_KEXEC" -v 2>&1 | head -n 1) ($(git -C "$BENCH_REPO" describe --always --dirty 2>/dev/null || echo unknown))"
	echo "kexec_tools	$KT_VERSION (Debian $(sed 's/^kexec-tools_//; s/_amd64\.deb$//; s/%3a/:/' "$(bench_cache)/kexec-tools/deb"))"
	echo "kernel	$VM_KVER ($(stat -c %s "$VM_KERNEL") bytes)"
	echo "gcc	$(gcc -dumpfullversion)"
	echo "qemu	$(qemu-system-x86_64 --version | head -n 1)"
	echo "valgrind	$(valgrind --version)"
	echo "hyperfine	$(hyperfine --version)"
	# Instructions per 64-byte block in the purgatory: the portable C block
	# function (straight-line), the SHA-NI loop body, and the four-lane SSE2
	# and eight-lane AVX2 block functions (straight-line, four or eight
	# blocks per call).
	po=$BENCH_REPO/build/purgatory/x86_64/purgatory-x86_64.o
	if [[ -f $po ]]; then
		# insns FUNCTION: how many instructions its disassembly lists.
		insns() {
			objdump -d --no-show-raw-insn "$po" | awk -v fn="<$1>:" '
				/^[0-9a-f]+ <.*>:$/ { f = ($2 == fn); next }
				f && /^ +[0-9a-f]+:/ { n++ } END { print n + 0 }'
		}
		echo "purgatory_block_portable	$(insns sha256_block)"
		echo "purgatory_block_sha_ni	$(insns kx_sha256_ni_loop)"
		echo "purgatory_block_x4	$(insns sha256_x4_block)"
		echo "purgatory_block_x8	$(insns sha256_x8_block)"
	fi
	if [[ -n ${BENCH_BASE_REV:-} ]]; then
		echo "base	$BENCH_BASE_REV ($(git -C "$BENCH_REPO" rev-parse --short "$BENCH_BASE_REV"))"
	fi
	if [[ -n ${BENCH_UNWRAP_BASE_KEXEC:-} ]]; then
		echo "unwrap_base	$("$BENCH_UNWRAP_BASE_KEXEC" -v 2>&1 | head -n 1)${unwrap_base_rev:+ at $unwrap_base_rev}"
	fi
} >"$BENCH_OUT/meta.tsv"

t=$SECONDS
bash "$BENCH_DIR/load.sh"
echo "load	$((SECONDS - t))" >"$BENCH_OUT/times.tsv"

t=$SECONDS
rm -f "$BENCH_OUT/unwrap.tsv"
if [[ ${BENCH_UNWRAP:-1} != 0 ]]; then
	BENCH_BASE_KEXEC=${BENCH_UNWRAP_BASE_KEXEC:-} bash "$BENCH_DIR/unwrap.sh"
fi
echo "unwrap	$((SECONDS - t))" >>"$BENCH_OUT/times.tsv"

t=$SECONDS
rm -f "$BENCH_OUT/handover.tsv"
hcases=(ours ours-sha256 ours-i kt kt-i)
[[ -z ${BENCH_BASE_KEXEC:-} ]] || hcases+=(base)
bash "$BENCH_DIR/handover.sh" -r "${BENCH_REPEAT:-2}" -j "${BENCH_VM_JOBS:-1}" "${hcases[@]}"
echo "handover	$((SECONDS - t))" >>"$BENCH_OUT/times.tsv"

# cross_kexec NAME TARGET DIR: $NAME (exported; default <repo>/DIR/kexec), our
# static kexec for TARGET, built with scripts/build-cross.sh when missing.
cross_kexec() {
	local name=$1 target=$2 bin
	bin=${!name:-$BENCH_REPO/$3/kexec}
	export "$name=$bin"
	if [[ ! -x $bin ]]; then
		bench_log "building $bin"
		"$BENCH_REPO/scripts/build-cross.sh" "$target" "$(dirname "$bin")" >/dev/null ||
			bench_die "building the $target kexec failed (scripts/build-cross.sh $target $3)"
	fi
}

# arm64: our static arm64 kexec (make builds it) against Debian's arm64
# kexec-tools, in arm64 guests, one at a time.
rm -f "$BENCH_OUT/handover-arm64.tsv" "$BENCH_OUT/meta-arm64.tsv"
if [[ ${BENCH_ARM64:-1} != 0 ]]; then
	t=$SECONDS
	cross_kexec BENCH_KEXEC_ARM64 aarch64 build-aarch64
	bash "$BENCH_DIR/handover-arm64.sh" -r "${BENCH_REPEAT_ARM64:-3}" ours ours-sha256 ours-i kt kt-i
	read -r -a acpus <<<"${BENCH_ARM64_CPUS-max}"
	for cpu in ${acpus[@]+"${acpus[@]}"}; do
		bash "$BENCH_DIR/handover-arm64.sh" -r 1 "ours@$cpu" "ours-sha256@$cpu" "ours-i@$cpu" "kt@$cpu" "kt-i@$cpu"
	done
	echo "handover_arm64	$((SECONDS - t))" >>"$BENCH_OUT/times.tsv"
fi

# 32-bit ARM, i386, MIPS, ppc64el and s390x: our static kexec for each
# against Debian's kexec-tools for it (bench/handover-ARCH.sh), one guest at
# a time. A row: the architecture (handover-ARCH.sh, handover-ARCH.tsv), the
# suffix of its BENCH_KEXEC_*, BENCH_REPEAT_* and BENCH_* (skip) variables,
# the scripts/build-cross.sh target and directory, the default repeat.
while read -r -u 3 arch var target dir reps; do
	rm -f "$BENCH_OUT/handover-$arch.tsv" "$BENCH_OUT/meta-$arch.tsv"
	skip=BENCH_$var repeat=BENCH_REPEAT_$var
	[[ ${!skip:-1} != 0 ]] || continue
	t=$SECONDS
	cross_kexec "BENCH_KEXEC_$var" "$target" "$dir"
	bash "$BENCH_DIR/handover-$arch.sh" -r "${!repeat:-$reps}" ours ours-sha256 ours-i kt kt-i
	echo "handover_$arch	$((SECONDS - t))" >>"$BENCH_OUT/times.tsv"
done 3<<'EOT'
arm ARM armhf build-armhf 3
i386 I386 i686 build-i686 3
mips64el MIPS64EL mips64el build-mips64el 3
ppc64el PPC64EL ppc64le build-ppc64le 3
s390x S390X s390x build-s390x 1
EOT

# riscv64: our static riscv64 kexec alone (Debian has no riscv64
# kexec-tools), with and without -i, on each -cpu, one guest at a time.
rm -f "$BENCH_OUT/handover-riscv64.tsv" "$BENCH_OUT/meta-riscv64.tsv"
if [[ ${BENCH_RISCV64:-1} != 0 ]]; then
	t=$SECONDS
	cross_kexec BENCH_KEXEC_RISCV64 riscv64 build-riscv64
	read -r -a rcpus <<<"${BENCH_RISCV64_CPUS-rv64 rv64,zknh=true}"
	for cpu in ${rcpus[@]+"${rcpus[@]}"}; do
		bash "$BENCH_DIR/handover-riscv64.sh" -r "${BENCH_REPEAT_RISCV64:-5}" "ours@$cpu" "ours-sha256@$cpu" "ours-i@$cpu"
	done
	echo "handover_riscv64	$((SECONDS - t))" >>"$BENCH_OUT/times.tsv"
fi

echo "total	$((SECONDS - t_start))" >>"$BENCH_OUT/times.tsv"
python3 "$BENCH_DIR/report.py" "$BENCH_OUT" "$docs"
bench_log "done in $((SECONDS - t_start)) s: $docs/bench.md, $docs/bench.png"
exit
}
