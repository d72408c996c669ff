#!/bin/bash
# Handover latency in riscv64 QEMU guests: from `kexec -e` to the second
# kernel's /init, for our kexec (build-riscv64/kexec, static) loading Debian
# 13's riscv64 kernel (the raw Image) and a 1 MiB initrd through kexec_load
# (`-c`; that kernel has no kexec_file_load), with the purgatory's SHA-256
# check and without it (-i). Debian has no riscv64 kexec-tools (not in 12,
# which has no riscv64 port, nor in 13), so there is nothing to set beside
# it: the floor is our own -i.
#
#   bench/handover-riscv64.sh [-r REPEAT] [CASE[@CPU]...]
#
# CASE: ours, ours-sha256, ours-i (default: all three); @CPU boots that qemu -cpu instead of
# rv64 (e.g. ours@rv64,zknh=true: harts with the scalar SHA-256
# instructions; the loader sees zknh in /proc/cpuinfo and the purgatory
# takes its Zknh path). One guest at a time. Each run appends one line to
# $BENCH_OUT/handover-riscv64.tsv:
#   case cpu run exec_cnt init_cnt ticks runinit_us timebase_hz stage1_runinit_us zknh loader_zknh load_rc
# (runinit_us: the printk timestamp, in stage 2, of "Run /init"; zknh:
# whether stage 1's /proc/cpuinfo isa line lists zknh; loader_zknh: whether
# `kexec -d` said every hart has Zknh; load_rc: the load's exit status).
#
# Deterministic: qemu-system-riscv64 -M virt -bios default (QEMU's OpenSBI)
# -icount shift=0,sleep=off (one guest instruction is one nanosecond of
# virtual time; idle time is skipped), one hart, no network. The clock is the
# time CSR, which QEMU 7.2's virt machine runs at 10 MHz of virtual time (100
# instructions a tick): `tsc` (bench/tsc.c, built with riscv64-linux-gnu-gcc
# -static) reads it with rdtime just before `kexec -e` in stage 1 and first
# thing as stage 2's /init.
#
# Environment: BENCH_KEXEC_RISCV64 (our riscv64 kexec, default
# <repo>/build-riscv64/kexec; scripts/build-cross.sh riscv64 build-riscv64
# builds it), BENCH_RISCV64_ICOUNT (qemu -icount, default shift=0,sleep=off),
# VM_TIMEOUT (seconds per guest, default 120).
set -euo pipefail
# The body is one compound command: bash reads all of it before running any,
# so editing this file during a run cannot change that run.
{
VM_ARCH=riscv64
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repeat=2
while getopts r: opt; do
	case $opt in
	r) repeat=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
cases=("$@")
((${#cases[@]})) || cases=(ours ours-sha256 ours-i)

VM_LOG_DIR=$BENCH_OUT/vm-logs
VM_TIMEOUT=${VM_TIMEOUT:-120}
ICOUNT=${BENCH_RISCV64_ICOUNT:-shift=0,sleep=off}
export KEXEC_BIN=${BENCH_KEXEC_RISCV64:-$BENCH_REPO/build-riscv64/kexec}
[[ -x $KEXEC_BIN ]] || bench_die "$KEXEC_BIN does not exist (scripts/build-cross.sh riscv64 build-riscv64)"
command -v qemu-system-riscv64 >/dev/null || bench_die "qemu-system-riscv64 is missing (apt-get install qemu-system-misc)"
command -v riscv64-linux-gnu-gcc >/dev/null || bench_die "riscv64-linux-gnu-gcc is missing (apt-get install gcc-riscv64-linux-gnu)"
mkdir -p "$VM_LOG_DIR" "$BENCH_OUT/bin"
vm_fetch_kernel
TSC=$BENCH_OUT/bin/tsc-riscv64
if [[ ! -x $TSC || $BENCH_DIR/tsc.c -nt $TSC ]]; then
	riscv64-linux-gnu-gcc -O2 -Wall -Wextra -static -o "$TSC" "$BENCH_DIR/tsc.c" ||
		bench_die "compiling $BENCH_DIR/tsc.c for riscv64 failed"
fi

# The versions and the purgatory's instructions per 64-byte block, for the
# report: the portable C block function and the Zknh one (both
# straight-line, one block a call).
{
	echo "kernel	$VM_KVER ($(stat -c %s "$VM_KERNEL") bytes, the raw Image)"
	echo "image_bytes	$(stat -c %s "$VM_KERNEL")"
	v=
	if command -v qemu-riscv64-static >/dev/null; then
		v=$(qemu-riscv64-static "$KEXEC_BIN" -v 2>&1 | head -n 1) || v=
	fi
	echo "ours	${v:-our kexec} ($(git -C "$BENCH_REPO" describe --always --dirty 2>/dev/null || echo unknown), static, riscv64-linux-gnu-gcc $(riscv64-linux-gnu-gcc -dumpfullversion))"
	echo "qemu	$(qemu-system-riscv64 --version | head -n 1)"
	echo "icount	$ICOUNT"
	po=$(dirname "$KEXEC_BIN")/purgatory/riscv64/purgatory-riscv64.o
	if [[ -f $po ]]; then
		insns() {
			riscv64-linux-gnu-objdump -d --no-show-raw-insn "$po" | awk -v fn="<$1>:" '
				/^[0-9a-f]+ <.*>:$/ { if ($2 ~ /^<\.L/) next; f = ($2 == fn); next }
				f && /^ +[0-9a-f]+:/ { n++ } END { print n + 0 }'
		}
		echo "purgatory_block_portable	$(insns sha256_block)"
		echo "purgatory_block_zknh	$(insns sha256_zknh_block)"
	fi
} >"$BENCH_OUT/meta-riscv64.tsv"

# The stage-2 initramfs: /init is tsc, plus /dev/console; zero-padded to
# exactly 1 MiB, like the x86_64 and arm64 ones.
STAGE2=$BENCH_OUT/stage2-riscv64-1M.cpio
root=$(mktemp -d "${TMPDIR:-/tmp}/bench-s2.XXXXXX")
mkdir -p "$root/dev" "$root/proc"
cp "$TSC" "$root/init"
chmod 755 "$root/init"
mknod -m 600 "$root/dev/console" c 5 1
vm__pack "$root" "$STAGE2.tmp"
rm -rf "$root"
(($(stat -c %s "$STAGE2.tmp") <= 1048576)) || bench_die "the stage-2 initramfs is over 1 MiB"
truncate -s 1M "$STAGE2.tmp"
mv "$STAGE2.tmp" "$STAGE2"

CMDLINE2="console=ttyS0 panic=-1 quiet"

out=$BENCH_OUT/handover-riscv64.tsv

# run_one CASE CPU N: one boot; appends its TSV line to $out.
run_one() {
	local case=$1 cpu=$2 n=$3 name checks='' log exec_t init_t runinit tb s1runinit zknh lzknh lrc
	name=handover-riscv64-$case-${cpu//[^A-Za-z0-9.-]/_}-$n
	# Read by tests/vm/lib.sh (vm_add_file, vm_build_initramfs, vm_run).
	# shellcheck disable=SC2034
	VM_ADD_SRC=()
	# shellcheck disable=SC2034
	VM_ADD_DST=()
	# shellcheck disable=SC2034
	VM_QEMU_ARGS=(-icount "$ICOUNT")
	VM_CPU=$cpu
	case $case in
	ours) ;;
	ours-sha256) checks=--check=sha256 ;;
	ours-i) checks=-i ;;
	*) bench_die "unknown case $case (riscv64: ours, ours-sha256, ours-i)" ;;
	esac
	vm_add_file "$TSC" /bin/tsc
	vm_add_file "$STAGE2" /boot/bench2.cpio
	vm_test_setup "$name" >/dev/null
	{
		echo "CHECKS=$(vm_sh_quote "$checks")"
		echo "CMDLINE=$(vm_sh_quote "$CMDLINE2")"
		cat <<'EOS'
. /lib/vmtest.sh
# Zknh as the kernel reports it: the purgatory's Zknh path.
case "$(grep -m1 '^isa' /proc/cpuinfo)" in *_zknh*) echo "BENCH-ZKNH: yes" ;; *) echo "BENCH-ZKNH: no" ;; esac
vt_run load kexec -d -c $CHECKS -l /boot/Image --initrd=/boot/bench2.cpio --append="$CMDLINE"
[ "$(vt_loaded)" = 1 ] || exit 1
echo "BENCH-STAGE1-RUNINIT $(grep -m1 'Run /init' /dev/kmsg </dev/null 2>/dev/null | cut -d, -f3)"
sync
tsc kexec -e
echo "STAGE1-EXEC-RETURNED rc=$?"
exit 1
EOS
	} >"$VM_SCENARIO"
	local rc=0 t0=$SECONDS
	vm_build_initramfs "$VM_WORK/initramfs.cpio" "$VM_SCENARIO"
	vm_run "$VM_LOG" "" 1G || rc=$?
	rm -rf "$VM_WORK"
	log=$VM_LOG
	exec_t=$(vm_field "$log" "BENCH-TSC-EXEC ")
	init_t=$(vm_field "$log" "BENCH-TSC-INIT ")
	runinit=$(awk '$1 == "BENCH-KMSG" && $3 == "Run" { print $2; exit }' "$log")
	tb=$(vm_field "$log" "BENCH-TIMEBASE ")
	s1runinit=$(vm_field "$log" "BENCH-STAGE1-RUNINIT ")
	zknh=$(vm_field "$log" "BENCH-ZKNH: ")
	lzknh=no
	! grep -q '^ERR load: kexec: debug: .*every hart has Zknh' "$log" || lzknh=yes
	lrc=$(vm_field "$log" "RC load: ")
	bench_log "$name: qemu status $rc after $((SECONDS - t0)) s"
	if [[ $rc -ne 0 || -z $exec_t || -z $init_t ]] || ! grep -Fxq "STAGE2-CMDLINE: $CMDLINE2" "$log"; then
		bench_log "$name failed (qemu status $rc, load status ${lrc:-none}; log $log)"
		printf '%s\t%s\t%s\tFAIL\t\t\t\t\t\t%s\t%s\t%s\n' "$case" "$cpu" "$n" "${zknh:-}" "$lzknh" "${lrc:-}" >>"$out"
		return 0
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$cpu" "$n" "$exec_t" "$init_t" \
		"$((init_t - exec_t))" "${runinit:-}" "${tb:-}" "${s1runinit:-}" "${zknh:-}" "$lzknh" "${lrc:-}" >>"$out"
}

[[ -f $out ]] || printf 'case\tcpu\trun\texec_cnt\tinit_cnt\tticks\truninit_us\ttimebase_hz\tstage1_runinit_us\tzknh\tloader_zknh\tload_rc\n' >"$out"
for c in "${cases[@]}"; do
	case=${c%%@*}
	cpu=rv64
	[[ $c != *@* ]] || cpu=${c#*@}
	for ((n = 1; n <= repeat; n++)); do
		bench_log "handover riscv64: $case -cpu $cpu run $n"
		run_one "$case" "$cpu" "$n" >&2
	done
done
exit
}
