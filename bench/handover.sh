#!/bin/bash
# Handover latency in QEMU: from `kexec -e` to the second kernel's /init, for
# our kexec and kexec-tools', each loading the same kernel and the same 1 MiB
# initrd through kexec_load (ours: -c; kexec-tools 2.0.25's default), with the
# purgatory's check (ours: XXH3-128 by default, SHA-256 with --check=sha256;
# kexec-tools': SHA-256) and without it (-i).
#
#   bench/handover.sh [-r REPEAT] [-j JOBS] [CASE...]
#
# CASE: ours, ours-sha256, ours-i, kt, kt-i (default: all five), base (BENCH_BASE_KEXEC,
# with the check), or cpu-max (our kexec with
# the check, -cpu max, without icount: only that stage 2 boots). Each run
# appends one line to $BENCH_OUT/handover.tsv:
#   case run exec_tsc init_tsc ticks runinit_us tsc_khz stage1_runinit_us
#
# Deterministic: qemu -icount shift=0,sleep=off (each guest instruction is one
# nanosecond of virtual time, idle time is skipped instead of waited for), one
# vCPU, -cpu qemu64 (with -cpu max or several vCPUs the firmware hangs under
# icount), no network. The guest's TSC then counts virtual nanoseconds: `tsc`
# (bench/tsc.c) reads it just before `kexec -e` in stage 1 and first thing as
# stage 2's /init.
set -euo pipefail
# The body is one compound command: bash reads all of it before running any,
# so editing this file during a run cannot change that run.
{
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repeat=2
jobs=2
while getopts r:j: opt; do
	case $opt in
	r) repeat=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
cases=("$@")
((${#cases[@]})) || cases=(ours ours-sha256 ours-i kt kt-i)

VM_LOG_DIR=$BENCH_OUT/vm-logs
VM_TIMEOUT=${VM_TIMEOUT:-900}
export KEXEC_BIN=$BENCH_KEXEC
mkdir -p "$VM_LOG_DIR" "$BENCH_OUT/bin"
vm_fetch_kernel
bench_fetch_kexec_tools
TSC=$BENCH_OUT/bin/tsc
bench_cc "$TSC" "$BENCH_DIR/tsc.c" -static

# The stage-2 initramfs: /init is tsc, plus /dev/console; zero-padded to
# exactly 1 MiB, like the reference measurement's initrd.
STAGE2=$BENCH_OUT/stage2-1M.cpio
mk_stage2() {
	local root
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
}
mk_stage2

# The stage-2 command line: the same for both tools (the serial console's
# output costs guest instructions too).
CMDLINE2="console=ttyS0 panic=-1 quiet"

# run_one CASE N: one boot; prints the TSV line.
run_one() {
	local case=$1 n=$2 name loader checks='' log exec_t init_t runinit khz s1runinit
	name=handover-$case-$n
	# Read by tests/vm/lib.sh (vm_add_file, vm_build_initramfs, vm_run).
	# shellcheck disable=SC2034
	VM_ADD_SRC=()
	# shellcheck disable=SC2034
	VM_ADD_DST=()
	VM_QEMU_ARGS=(-cpu qemu64 -icount "shift=0,sleep=off")
	case $case in
	ours | ours-i | ours-sha256) loader="kexec -c" ;;
	base)
		# An older build of ours (bench/run.sh, BENCH_BASE_REV).
		loader="kexec -c"
		KEXEC_BIN=${BENCH_BASE_KEXEC:?base needs BENCH_BASE_KEXEC}
		;;
	kt | kt-i) loader="/usr/local/sbin/kexec-tools -c" ;;
	cpu-max)
		loader="kexec -c"
		# shellcheck disable=SC2034
		VM_QEMU_ARGS=()
		;;
	*) bench_die "unknown case $case" ;;
	esac
	[[ $case == *-i ]] && checks=-i
	[[ $case == ours-sha256 ]] && checks=--check=sha256
	vm_add_file "$TSC" /bin/tsc
	vm_add_file "$STAGE2" /boot/bench2.cpio
	if [[ $case == kt* ]]; then
		vm_add_file "$KT_KEXEC" /usr/local/sbin/kexec-tools
		local lib
		while IFS= read -r lib; do
			case $lib in
			*/ld-linux*) vm_add_file "$lib" "/lib64/${lib##*/}" ;;
			*) vm_add_file "$lib" "/lib/x86_64-linux-gnu/${lib##*/}" ;;
			esac
		done < <(bench_kt_libs)
	fi
	vm_test_setup "$name" >/dev/null
	{
		echo "LOADER=$(vm_sh_quote "$loader")"
		echo "CHECKS=$(vm_sh_quote "$checks")"
		echo "CMDLINE=$(vm_sh_quote "$CMDLINE2")"
		cat <<'EOS'
. /lib/vmtest.sh
grep -m1 '^flags' /proc/cpuinfo | grep -qw sha_ni && echo "BENCH-SHA-NI: yes" || echo "BENCH-SHA-NI: no"
vt_run load $LOADER $CHECKS -l /boot/vmlinuz --initrd=/boot/bench2.cpio --append="$CMDLINE"
[ "$(vt_loaded)" = 1 ] || exit 1
echo "BENCH-STAGE1-RUNINIT $(grep -m1 'Run /init' /dev/kmsg </dev/null 2>/dev/null | cut -d, -f3)"
sync
tsc ${LOADER%% *} -e
echo "STAGE1-EXEC-RETURNED rc=$?"
exit 1
EOS
	} >"$VM_SCENARIO"
	local rc=0
	vm_build_initramfs "$VM_WORK/initramfs.cpio" "$VM_SCENARIO"
	vm_run "$VM_LOG" "" 1G || rc=$?
	log=$VM_LOG
	exec_t=$(vm_field "$log" "BENCH-TSC-EXEC ")
	init_t=$(vm_field "$log" "BENCH-TSC-INIT ")
	runinit=$(awk '$1 == "BENCH-KMSG" && $3 == "Run" { print $2; exit }' "$log")
	khz=$(awk '$1 == "BENCH-KMSG" && /tsc: Detected/ { for (i = 1; i <= NF; i++) if ($(i+1) == "MHz") { printf "%.0f\n", $i * 1000; exit } }' "$log")
	s1runinit=$(vm_field "$log" "BENCH-STAGE1-RUNINIT ")
	if [[ $rc -ne 0 || -z $exec_t || -z $init_t ]] || ! grep -Fxq "STAGE2-CMDLINE: $CMDLINE2" "$log"; then
		bench_log "$name failed (qemu status $rc; log $log)"
		printf '%s\t%s\tFAIL\t\t\t\t\t\n' "$case" "$n"
		return 0
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$n" "$exec_t" "$init_t" \
		"$((init_t - exec_t))" "${runinit:-}" "${khz:-}" "${s1runinit:-}"
}

out=$BENCH_OUT/handover.tsv
[[ -f $out ]] || printf 'case\trun\texec_tsc\tinit_tsc\tticks\truninit_us\ttsc_khz\tstage1_runinit_us\n' >"$out"
pids=()
for case in "${cases[@]}"; do
	for ((n = 1; n <= repeat; n++)); do
		while (($(jobs -rp | wc -l) >= jobs)); do
			sleep 1
		done
		bench_log "handover: $case run $n"
		(run_one "$case" "$n" >"$BENCH_OUT/.handover-$case-$n.tsv") &
		pids+=($!)
	done
done
wait "${pids[@]}" || true
for case in "${cases[@]}"; do
	for ((n = 1; n <= repeat; n++)); do
		cat "$BENCH_OUT/.handover-$case-$n.tsv" >>"$out"
		rm -f "$BENCH_OUT/.handover-$case-$n.tsv"
	done
done
exit
}
