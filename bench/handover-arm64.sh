#!/bin/bash
# Handover latency in arm64 QEMU guests: from `kexec -e` to the second
# kernel's /init, for our kexec (build-aarch64/kexec, static) and Debian 12's
# arm64 kexec-tools 2.0.25 (dynamically linked: its arm64 libraries go into
# the guest, bench/lib.sh bench_kta_libs), each loading Debian's 6.1 arm64
# cloud kernel (the raw Image) and the same 1 MiB initrd through kexec_load
# (`-c`; kexec-tools 2.0.25's default on arm64 too), with the purgatory's
# SHA-256 check and without it (-i).
# With BENCH_HANDOVER_ARCH=arm (bench/handover-arm.sh) the same in 32-bit ARM
# guests: build-armhf/kexec and Debian 12's armhf kexec-tools, each loading
# Debian 12's armmp-lpae zImage under qemu-system-arm -M virt -cpu
# cortex-a15 (kexec-tools with --image-size=0x3000000: without it the kernel
# unpacks over its initrd and device tree on these kernels, README "32-bit
# ARM"); output handover-arm.tsv and meta-arm.tsv. With
# BENCH_HANDOVER_ARCH=i386 (bench/handover-i386.sh) in i386 guests:
# build-i686/kexec and Debian 12's i386 kexec-tools, each loading Debian 12's
# 686-pae bzImage under qemu-system-i386 -M pc -cpu qemu32, the clock the TSC
# (virtual nanoseconds under icount); output handover-i386.tsv and
# meta-i386.tsv. With BENCH_HANDOVER_ARCH=mips64el
# (bench/handover-mips64el.sh) in MIPS guests: build-mips64el/kexec and
# Debian 12's mips64el kexec-tools, each loading Debian 12's loongson-3 ELF
# vmlinuz under qemu-system-mips64el -M loongson3-virt -cpu Loongson-3A1000
# -icount shift=4,sleep=off -rtc clock=vm (shift=0 hangs that kernel at
# boot in QEMU 7.2: one instruction is 16 ns of virtual time here), the
# clock the goldfish RTC's nanoseconds; output handover-mips64el.tsv and
# meta-mips64el.tsv. With BENCH_HANDOVER_ARCH=ppc64el
# (bench/handover-ppc64el.sh) in pseries guests: build-ppc64le/kexec and
# Debian 12's ppc64el kexec-tools, each loading Debian 12's powerpc64le ELF
# vmlinux under qemu-system-ppc64 -M pseries -cpu POWER9, the clock the
# timebase (512 MHz of virtual time: one tick every 1.95 instructions);
# output handover-ppc64el.tsv and meta-ppc64el.tsv. With
# BENCH_HANDOVER_ARCH=s390x (bench/handover-s390x.sh) in s390-ccw-virtio
# guests: build-s390x/kexec and Debian 12's s390x kexec-tools, each loading
# Debian 12's s390x image under -icount shift=0 (QEMU's default CPU model,
# which the guest's -cpu ignores); the clock QEMU's count of guest
# instructions, read over QMP by bench/vclock.py at the two markers (the TOD
# clock does not run on across the reset the old kernel asks for); output
# handover-s390x.tsv and meta-s390x.tsv. Its second kernel unpacks itself
# slowly under QEMU 7.2's TCG (README "s390x"): a guest takes two minutes of
# wall time there.
#
#   bench/handover-arm64.sh [-r REPEAT] [CASE[@CPU]...]
#
# CASE: ours, ours-sha256, ours-i, kt, kt-i (default: all five); @CPU boots that qemu
# -cpu instead of cortex-a57 (e.g. kt@max). One guest at a time. Each run
# appends one line to $BENCH_OUT/handover-arm64.tsv:
#   case cpu run exec_cnt init_cnt ticks runinit_us cntfrq_hz stage1_runinit_us sha2 load_rc crng_us
# (runinit_us and crng_us: the printk timestamps, in stage 2, of "Run /init"
# and of "random: crng init done", empty when it is not logged before /init;
# sha2: whether stage 1's /proc/cpuinfo lists sha2; load_rc: the load's exit
# status).
#
# Deterministic: qemu-system-aarch64 -M virt -icount shift=0,sleep=off (one
# guest instruction is one nanosecond of virtual time; idle time is skipped),
# one vCPU, no network. The clock is the virtual counter CNTVCT_EL0, which
# QEMU 7.2 runs at 62.5 MHz of virtual time (16 instructions a tick): `tsc`
# (bench/tsc.c, built with aarch64-linux-gnu-gcc -static) reads it just
# before `kexec -e` in stage 1 and first thing as stage 2's /init.
#
# Environment: BENCH_KEXEC_ARM64 (our arm64 kexec, default
# <repo>/build-aarch64/kexec; scripts/build-cross.sh aarch64 build-aarch64
# builds it), BENCH_KEXEC_ARM (the 32-bit one, default
# <repo>/build-armhf/kexec), BENCH_KEXEC_I386 (default <repo>/build-i686/kexec),
# BENCH_KEXEC_MIPS64EL (default <repo>/build-mips64el/kexec),
# BENCH_KEXEC_PPC64EL (default <repo>/build-ppc64le/kexec),
# BENCH_KEXEC_S390X (default <repo>/build-s390x/kexec),
# VM_TIMEOUT (seconds per guest, default 120).
set -euo pipefail
# The body is one compound command: bash reads all of it before running any,
# so editing this file during a run cannot change that run.
{
VM_ARCH=${BENCH_HANDOVER_ARCH:-arm64}
# A_ICOUNT: the guest's -icount (and clock) options; A_QEMU_USER: the
# qemu-user that runs our binary on the host for its version line.
# A_CMDLINE_TAIL: an ERE for what the kernel's command line may end with
# after ours.
# A_CMDLINE_EXTRA: what the stage-2 command line adds for both tools (MIPS:
# nokaslr, without which kexec-tools 2.0.25's initrd, placed right after the
# vmlinuz, is where the kernel moves itself: README, "MIPS").
# A_INIT_WRAP: stage 2's /init is a one-line busybox script that execs tsc
# (s390x: the kexec'd kernel's own first exec of the static tsc faults,
# README "s390x"), the initramfs A_STAGE2_MIB MiB (busybox is 2 MiB).
# A_VCLOCK: the host counts the guest's instructions at the two markers
# (bench/vclock.py over QMP; tsc idles after each so the count is still
# while it asks), as s390x's TOD clock does not run on across the reset the
# old kernel asks for: exec_cnt and init_cnt are instruction counts, and
# -icount keeps sleep=on so that the guest's idle second lasts a second.
A_ICOUNT=(-icount "shift=0,sleep=off") A_QEMU_USER='' A_CMDLINE_TAIL='' A_CMDLINE_EXTRA=''
A_INIT_WRAP='' A_STAGE2_MIB=1 A_VCLOCK=''
case $VM_ARCH in
arm64) A_BUILD=build-aarch64 A_CROSS=aarch64 A_QEMU=qemu-system-aarch64 A_CC=aarch64-linux-gnu-gcc
	A_DEB=arm64 A_CPU=cortex-a57 A_KT_OPTS='' A_IMAGE="the raw Image" ;;
arm) A_BUILD=build-armhf A_CROSS=armhf A_QEMU=qemu-system-arm A_CC=arm-linux-gnueabihf-gcc
	A_DEB=armhf A_CPU=cortex-a15 A_KT_OPTS=--image-size=0x3000000 A_IMAGE="the zImage" ;;
i386) A_BUILD=build-i686 A_CROSS=i686 A_QEMU=qemu-system-i386 A_CC=i686-linux-gnu-gcc
	A_DEB=i386 A_CPU=qemu32 A_KT_OPTS='' A_IMAGE="the bzImage" A_QEMU_USER=qemu-i386-static ;;
mips64el) A_BUILD=build-mips64el A_CROSS=mips64el A_QEMU=qemu-system-mips64el
	A_CC=mips64el-linux-gnuabi64-gcc A_DEB=mips64el A_CPU=Loongson-3A1000 A_KT_OPTS=''
	A_IMAGE="the self-decompressing ELF vmlinuz" A_ICOUNT=(-icount "shift=4,sleep=off" -rtc clock=vm)
	A_CMDLINE_TAIL=' rd_start=(0x)?[0-9a-f]+ rd_size=(0x)?[0-9a-f]+' A_CMDLINE_EXTRA=nokaslr ;;
ppc64el) A_BUILD=build-ppc64le A_CROSS=ppc64le A_QEMU=qemu-system-ppc64
	A_CC=powerpc64le-linux-gnu-gcc A_DEB=ppc64el A_CPU=POWER9 A_KT_OPTS=''
	A_IMAGE="the ELF vmlinux" A_QEMU_USER=qemu-ppc64le-static
	# kexec-tools' fs2dt ends bootargs with a space.
	A_CMDLINE_TAIL=' ?' ;;
s390x) A_BUILD=build-s390x A_CROSS=s390x A_QEMU=qemu-system-s390x A_CC=s390x-linux-gnu-gcc
	A_DEB=s390x A_CPU=qemu A_KT_OPTS='' A_IMAGE="the image" A_QEMU_USER=qemu-s390x-static
	A_INIT_WRAP=1 A_STAGE2_MIB=4 A_VCLOCK=1 A_ICOUNT=(-icount shift=0) ;;
*) echo "bench: BENCH_HANDOVER_ARCH=$VM_ARCH: want arm64, arm, i386, mips64el, ppc64el or s390x" >&2; exit 2 ;;
esac
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
((${#cases[@]})) || cases=(ours ours-sha256 ours-i kt kt-i)

VM_LOG_DIR=$BENCH_OUT/vm-logs
VM_TIMEOUT=${VM_TIMEOUT:-120}
# s390x: minutes of wall time for the second kernel's decompressor (QEMU 7.2).
[[ $VM_ARCH != s390x ]] || VM_TIMEOUT=${BENCH_S390X_TIMEOUT:-900}
case $VM_ARCH in
arm64) export KEXEC_BIN=${BENCH_KEXEC_ARM64:-$BENCH_REPO/$A_BUILD/kexec} ;;
arm) export KEXEC_BIN=${BENCH_KEXEC_ARM:-$BENCH_REPO/$A_BUILD/kexec} ;;
i386) export KEXEC_BIN=${BENCH_KEXEC_I386:-$BENCH_REPO/$A_BUILD/kexec} ;;
mips64el) export KEXEC_BIN=${BENCH_KEXEC_MIPS64EL:-$BENCH_REPO/$A_BUILD/kexec} ;;
ppc64el) export KEXEC_BIN=${BENCH_KEXEC_PPC64EL:-$BENCH_REPO/$A_BUILD/kexec} ;;
s390x) export KEXEC_BIN=${BENCH_KEXEC_S390X:-$BENCH_REPO/$A_BUILD/kexec} ;;
esac
[[ -x $KEXEC_BIN ]] || bench_die "$KEXEC_BIN does not exist (scripts/build-cross.sh $A_CROSS $A_BUILD)"
command -v $A_QEMU >/dev/null || bench_die "$A_QEMU is missing (scripts/install-deps.sh bench)"
command -v $A_CC >/dev/null || bench_die "$A_CC is missing (scripts/install-deps.sh cross)"
mkdir -p "$VM_LOG_DIR" "$BENCH_OUT/bin"
vm_fetch_kernel
bench_fetch_kexec_tools_foreign $A_DEB
TSC=$BENCH_OUT/bin/tsc-$VM_ARCH
if [[ ! -x $TSC || $BENCH_DIR/tsc.c -nt $TSC ]]; then
	$A_CC -O2 -Wall -Wextra -static -o "$TSC" "$BENCH_DIR/tsc.c" ||
		bench_die "compiling $BENCH_DIR/tsc.c for $VM_ARCH failed"
fi
mapfile -t KTA_LIBS < <(bench_kta_libs)

# The versions and the purgatory's instructions per 64-byte block, for the
# report: the portable C block function and the four-lane NEON one
# (straight-line; four blocks a call), and the loop body of the SHA-256
# Crypto Extensions code (from its b.ne back to the loop's start).
{
	echo "kernel	$VM_KVER ($(stat -c %s "$VM_KERNEL") bytes, $A_IMAGE)"
	echo "image_bytes	$(stat -c %s "$VM_KERNEL")"
	echo "kexec_tools	$KTA_VERSION (Debian $(sed -n "s/^kexec-tools_\\(.*\\)_$A_DEB\\.deb\$/\\1/p" <<<"${KTA_DEBS// /$'\n'}" | sed 's/%3a/:/'))${A_KT_OPTS:+, run with $A_KT_OPTS}"
	echo "kexec_tools_debs	${KTA_DEBS//%3a/:} (libxenctrl: bench/xenctrl-stub.c)"
	v=
	q=${A_QEMU_USER:-qemu-${A_CC%%-*}-static}
	if command -v "$q" >/dev/null; then
		v=$("$q" "$KEXEC_BIN" -v 2>&1 | head -n 1) || v=
	fi
	echo "ours	${v:-our kexec} ($(git -C "$BENCH_REPO" describe --always --dirty 2>/dev/null || echo unknown), static, $A_CC $($A_CC -dumpfullversion))"
	echo "qemu	$($A_QEMU --version | head -n 1)"
	po=$(dirname "$KEXEC_BIN")/purgatory/arm64/purgatory-aarch64.o
	# (arm64's purgatory only: a 32-bit ARM build holds it too, for --dry-run.)
	if [[ $VM_ARCH == arm64 && -f $po ]]; then
		insns() {
			aarch64-linux-gnu-objdump -d --no-show-raw-insn "$po" | awk -v fn="<$1>:" '
				/^[0-9a-f]+ <.*>:$/ { f = ($2 == fn); next }
				f && /^ +[0-9a-f]+:/ { n++ } END { print n + 0 }'
		}
		echo "purgatory_block_portable	$(insns sha256_block)"
		echo "purgatory_block_x4	$(insns sha256_x4_block)"
		echo "purgatory_block_ce	$(aarch64-linux-gnu-objdump -d --no-show-raw-insn "$po" | awk '
			/^[0-9a-f]+ <.*>:$/ { f = ($2 == "<kx_sha256_hw_blocks>:"); next }
			f && /^ +[0-9a-f]+:/ { a = $1; sub(/:$/, "", a); addr[n++] = a; if ($2 == "b.ne") { t = $3; e = a } }
			END { for (i = 0; i < n; i++) { if (addr[i] == t) on = 1; if (on) c++; if (addr[i] == e) on = 0 } print c + 0 }')"
	fi
} >"$BENCH_OUT/meta-$VM_ARCH.tsv"

# The stage-2 initramfs: /init is tsc (or, A_INIT_WRAP, busybox execing
# it), plus /dev/console; zero-padded to exactly A_STAGE2_MIB MiB (1, like
# the x86_64 one).
STAGE2=$BENCH_OUT/stage2-$VM_ARCH-${A_STAGE2_MIB}M.cpio
root=$(mktemp -d "${TMPDIR:-/tmp}/bench-s2.XXXXXX")
mkdir -p "$root/dev" "$root/proc"
if [[ -n $A_INIT_WRAP ]]; then
	mkdir -p "$root/bin"
	cp "$TSC" "$root/bin/tsc"
	cp "$(vm__busybox)" "$root/bin/busybox"
	printf '#!/bin/busybox sh\nexec /bin/tsc\n' >"$root/init"
else
	cp "$TSC" "$root/init"
fi
chmod 755 "$root/init"
mknod -m 600 "$root/dev/console" c 5 1
# MIPS: tsc reads the RTC through /dev/mem before it mounts devtmpfs.
[[ $VM_ARCH != mips64el ]] || mknod -m 600 "$root/dev/mem" c 1 1
vm__pack "$root" "$STAGE2.tmp"
rm -rf "$root"
(($(stat -c %s "$STAGE2.tmp") <= A_STAGE2_MIB * 1048576)) || bench_die "the stage-2 initramfs is over $A_STAGE2_MIB MiB"
truncate -s "${A_STAGE2_MIB}M" "$STAGE2.tmp"
mv "$STAGE2.tmp" "$STAGE2"

# The stage-2 command line: the same for both tools.
CMDLINE2="console=$VM_CONSOLE panic=-1 quiet${A_CMDLINE_EXTRA:+ $A_CMDLINE_EXTRA}"

out=$BENCH_OUT/handover-$VM_ARCH.tsv

# run_one CASE CPU N: one boot; appends its TSV line to $out.
run_one() {
	local case=$1 cpu=$2 n=$3 name loader checks='' log exec_t init_t runinit frq s1runinit sha2 lrc crng
	name=handover-$VM_ARCH-$case-$cpu-$n
	# Read by tests/vm/lib.sh (vm_add_file, vm_build_initramfs, vm_run).
	# shellcheck disable=SC2034
	VM_ADD_SRC=()
	# shellcheck disable=SC2034
	VM_ADD_DST=()
	# shellcheck disable=SC2034
	VM_QEMU_ARGS=("${A_ICOUNT[@]}")
	VM_CPU=$cpu
	case $case in
	ours | ours-i | ours-sha256) loader="kexec -c" ;;
	kt | kt-i) loader="/usr/local/sbin/kexec-tools -c${A_KT_OPTS:+ $A_KT_OPTS}" ;;
	*) bench_die "unknown case $case" ;;
	esac
	[[ $case == *-i ]] && checks=-i
	[[ $case == ours-sha256 ]] && checks=--check=sha256
	vm_add_file "$TSC" /bin/tsc
	vm_add_file "$STAGE2" /boot/bench2.cpio
	if [[ $case == kt* ]]; then
		vm_add_file "$KTA_KEXEC" /usr/local/sbin/kexec-tools
		local l
		for l in "${KTA_LIBS[@]}"; do
			vm_add_file "${l%% *}" "${l#* }"
		done
	fi
	vm_test_setup "$name" >/dev/null
	{
		echo "LOADER=$(vm_sh_quote "$loader")"
		echo "CHECKS=$(vm_sh_quote "$checks")"
		echo "CMDLINE=$(vm_sh_quote "$CMDLINE2")"
		echo "KERNEL=$(vm_sh_quote "$VM_GUEST_KERNEL")"
		cat <<'EOS'
. /lib/vmtest.sh
# ID_AA64ISAR0_EL1.SHA2 as the kernel reports it: the purgatory's CE path.
grep -m1 '^Features' /proc/cpuinfo | grep -qw sha2 && echo "BENCH-SHA2: yes" || echo "BENCH-SHA2: no"
vt_run load $LOADER $CHECKS -l "$KERNEL" --initrd=/boot/bench2.cpio --append="$CMDLINE"
[ "$(vt_loaded)" = 1 ] || exit 1
echo "BENCH-STAGE1-RUNINIT $(grep -m1 'Run /init' /dev/kmsg </dev/null 2>/dev/null | cut -d, -f3)"
sync
tsc ${LOADER%% *} -e
echo "STAGE1-EXEC-RETURNED rc=$?"
exit 1
EOS
	} >"$VM_SCENARIO"
	local rc=0 t0=$SECONDS vpid='' vout=$VM_LOG_DIR/$name.vclock vsock=$VM_LOG_DIR/$name.qmp
	vm_build_initramfs "$VM_WORK/initramfs.cpio" "$VM_SCENARIO"
	if [[ -n $A_VCLOCK ]]; then
		rm -f "$vout" "$vsock" "$VM_LOG.raw"
		VM_QEMU_ARGS+=(-qmp "unix:$vsock,server=on,wait=off")
		python3 "$BENCH_DIR/vclock.py" "$vsock" "$VM_LOG.raw" "$vout" &
		vpid=$!
	fi
	vm_run "$VM_LOG" "" 1G || rc=$?
	if [[ -n $vpid ]]; then
		# QEMU has exited: the socket is closed, vclock.py ends.
		timeout 10 tail --pid="$vpid" -f /dev/null || kill "$vpid" 2>/dev/null || true
		wait "$vpid" 2>/dev/null || true
		rm -f "$vsock"
	fi
	rm -rf "$VM_WORK"
	log=$VM_LOG
	if [[ -n $A_VCLOCK ]]; then
		exec_t=$(sed -n 's/^VCLOCK-EXEC //p' "$vout" 2>/dev/null)
		init_t=$(sed -n 's/^VCLOCK-INIT //p' "$vout" 2>/dev/null)
	else
		exec_t=$(vm_field "$log" "BENCH-TSC-EXEC ")
		init_t=$(vm_field "$log" "BENCH-TSC-INIT ")
	fi
	runinit=$(awk '$1 == "BENCH-KMSG" && $3 == "Run" { print $2; exit }' "$log")
	frq=$(vm_field "$log" "BENCH-CNTFRQ ")
	s1runinit=$(vm_field "$log" "BENCH-STAGE1-RUNINIT ")
	sha2=$(vm_field "$log" "BENCH-SHA2: ")
	lrc=$(vm_field "$log" "RC load: ")
	crng=$(awk '$1 == "BENCH-KMSG" && $3 == "random:" && $4 == "crng" { print $2; exit }' "$log")
	bench_log "$name: qemu status $rc after $((SECONDS - t0)) s"
	# (MIPS: both tools append rd_start=... rd_size=... for the initrd.)
	if [[ $rc -ne 0 || -z $exec_t || -z $init_t || $exec_t == 0 || $init_t == 0 ]] ||
		! grep -Eq "^STAGE2-CMDLINE: $(vm_re_escape "$CMDLINE2")${A_CMDLINE_TAIL:-}\$" "$log"; then
		bench_log "$name failed (qemu status $rc, load status ${lrc:-none}; log $log)"
		printf '%s\t%s\t%s\tFAIL\t\t\t\t\t\t%s\t%s\t\n' "$case" "$cpu" "$n" "${sha2:-}" "${lrc:-}" >>"$out"
		return 0
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$cpu" "$n" "$exec_t" "$init_t" \
		"$((init_t - exec_t))" "${runinit:-}" "${frq:-}" "${s1runinit:-}" "${sha2:-}" "${lrc:-}" "${crng:-}" >>"$out"
}

[[ -f $out ]] || printf 'case\tcpu\trun\texec_cnt\tinit_cnt\tticks\truninit_us\tcntfrq_hz\tstage1_runinit_us\tsha2\tload_rc\tcrng_us\n' >"$out"
for c in "${cases[@]}"; do
	case=${c%%@*}
	cpu=$A_CPU
	[[ $c != *@* ]] || cpu=${c#*@}
	for ((n = 1; n <= repeat; n++)); do
		bench_log "handover $VM_ARCH: $case -cpu $cpu run $n"
		run_one "$case" "$cpu" "$n" >&2
	done
done
exit
}
