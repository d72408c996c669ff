#!/bin/bash
# Run every tests/vm/test-*.sh against ${KEXEC_BIN:-build/kexec} (which must
# already be built) and summarise. Logs: build/vm-logs/<test>.{log,out}.
# The arm64 tests (test-arm64-*.sh) run ${KEXEC_ARM64_BIN:-build-aarch64/kexec},
# the riscv64 tests (test-riscv64-*.sh) ${KEXEC_RISCV64_BIN:-build-riscv64/kexec},
# the 32-bit ARM tests (test-arm-*.sh) ${KEXEC_ARM_BIN:-build-armhf/kexec},
# the i386 tests (test-i386-*.sh) ${KEXEC_I386_BIN:-build-i686/kexec},
# the MIPS tests (test-mips64el-*.sh) ${KEXEC_MIPS64EL_BIN:-build-mips64el/kexec},
# the s390x tests (test-s390x-*.sh) ${KEXEC_S390X_BIN:-build-s390x/kexec},
# the ppc64el tests (test-ppc64el-*.sh) ${KEXEC_PPC64EL_BIN:-build-ppc64le/kexec}.
# Arguments, if any, are globs that pick tests by name (without "test-"),
# e.g. tests/vm/run-all.sh 'arm64-*' kdump-load
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kexec=$(vm_kexec_bin)
if [[ ! -f $kexec ]]; then
	echo "vm: kexec binary $kexec does not exist; build it first (or set KEXEC_BIN)" >&2
	echo "vm: 0 passed, 1 failed"
	exit 1
fi
if ! vm_file_is_static "$kexec"; then
	echo "vm: warning: $kexec is dynamically linked; the guest has no shared libraries" >&2
fi

arm64_kexec=${KEXEC_ARM64_BIN:-$VM_REPO_ROOT/build-aarch64/kexec}
case $arm64_kexec in /*) ;; *) arm64_kexec=$PWD/$arm64_kexec ;; esac
riscv64_kexec=${KEXEC_RISCV64_BIN:-$VM_REPO_ROOT/build-riscv64/kexec}
case $riscv64_kexec in /*) ;; *) riscv64_kexec=$PWD/$riscv64_kexec ;; esac
arm_kexec=${KEXEC_ARM_BIN:-$VM_REPO_ROOT/build-armhf/kexec}
case $arm_kexec in /*) ;; *) arm_kexec=$PWD/$arm_kexec ;; esac
i386_kexec=${KEXEC_I386_BIN:-$VM_REPO_ROOT/build-i686/kexec}
case $i386_kexec in /*) ;; *) i386_kexec=$PWD/$i386_kexec ;; esac
mips64el_kexec=${KEXEC_MIPS64EL_BIN:-$VM_REPO_ROOT/build-mips64el/kexec}
case $mips64el_kexec in /*) ;; *) mips64el_kexec=$PWD/$mips64el_kexec ;; esac
s390x_kexec=${KEXEC_S390X_BIN:-$VM_REPO_ROOT/build-s390x/kexec}
case $s390x_kexec in /*) ;; *) s390x_kexec=$PWD/$s390x_kexec ;; esac
ppc64el_kexec=${KEXEC_PPC64EL_BIN:-$VM_REPO_ROOT/build-ppc64le/kexec}
case $ppc64el_kexec in /*) ;; *) ppc64el_kexec=$PWD/$ppc64el_kexec ;; esac

vm_fetch_kernel
export VM_KERNEL VM_KVER KEXEC_BIN=$kexec
mkdir -p "$VM_LOG_DIR"
echo "vm: kernel $VM_KVER, kexec $kexec (arm64: $arm64_kexec, riscv64: $riscv64_kexec, arm: $arm_kexec, i386: $i386_kexec, mips64el: $mips64el_kexec, s390x: $s390x_kexec, ppc64el: $ppc64el_kexec), logs in $VM_LOG_DIR"

# Guests run side by side, VM_JOBS at a time (default: the host's CPUs, at
# most 4): each TCG guest keeps about one CPU busy. The steps before a guest
# starts (kernel downloads, unpacking into the cache, initramfs builds) take
# the lock VM_SETUP_LOCK one test at a time (lib.sh), so that two tests never
# fetch into the cache at once; the guests themselves overlap. Results are
# printed as tests end and counted at the end.
jobs=${VM_JOBS:-$(nproc 2>/dev/null || echo 1)}
((jobs >= 1)) || jobs=1
[[ -n ${VM_JOBS:-} ]] || ((jobs <= 4)) || jobs=4
export VM_SETUP_LOCK=$VM_LOG_DIR/.setup.lock
echo "vm: $jobs guest(s) at a time"

# run_one NAME SCRIPT: one test; its verdict lines go to $VM_LOG_DIR/NAME.verdict.
run_one() {
	local name=$1 t=$2 out=$VM_LOG_DIR/$1.out t0=$SECONDS rc=0 secs verdict
	case $name in
	arm64-*) KEXEC_BIN=$arm64_kexec bash "$t" >"$out" 2>&1 || rc=$? ;;
	riscv64-*) KEXEC_BIN=$riscv64_kexec bash "$t" >"$out" 2>&1 || rc=$? ;;
	arm-*) KEXEC_BIN=$arm_kexec bash "$t" >"$out" 2>&1 || rc=$? ;;
	i386-*) KEXEC_BIN=$i386_kexec bash "$t" >"$out" 2>&1 || rc=$? ;;
	mips64el-*) KEXEC_BIN=$mips64el_kexec bash "$t" >"$out" 2>&1 || rc=$? ;;
	s390x-*) KEXEC_BIN=$s390x_kexec bash "$t" >"$out" 2>&1 || rc=$? ;;
	ppc64el-*) KEXEC_BIN=$ppc64el_kexec bash "$t" >"$out" 2>&1 || rc=$? ;;
	*) bash "$t" >"$out" 2>&1 || rc=$? ;;
	esac
	secs=$((SECONDS - t0))
	verdict=$(grep -E '^(PASS|FAIL): ' "$out" | tail -n 1 || true)
	{
		if [[ $rc -eq 0 && $verdict == PASS:* ]]; then
			echo "$verdict (${secs}s)"
		else
			if [[ $verdict == FAIL:* ]]; then
				echo "$verdict (${secs}s)"
			else
				echo "FAIL: $name: exited $rc${verdict:+ after \"$verdict\"} (${secs}s)"
			fi
			grep -E '^  FAIL ' "$out" | sed 's/^  FAIL /    - /' || true
			echo "    details: $out"
		fi
	} >"$VM_LOG_DIR/$name.verdict.tmp"
	mv "$VM_LOG_DIR/$name.verdict.tmp" "$VM_LOG_DIR/$name.verdict"
	# One short write: lines of tests that end together do not interleave.
	cat "$VM_LOG_DIR/$name.verdict"
}

names=()
for t in "$VM_LIB_DIR"/test-*.sh; do
	name=$(basename "$t" .sh)
	name=${name#test-}
	if (($# > 0)); then
		pick=0
		for g in "$@"; do
			# shellcheck disable=SC2053 # $g is a glob
			[[ $name == $g ]] && pick=1
		done
		((pick)) || continue
	fi
	rm -f "$VM_LOG_DIR/$name.verdict"
	names+=("$name")
	while (($(jobs -rp | wc -l) >= jobs)); do
		wait -n || true
	done
	run_one "$name" "$t" &
done
wait || true

passed=0
failed=0
for name in ${names[@]+"${names[@]}"}; do
	v=$VM_LOG_DIR/$name.verdict
	if [[ ! -f $v ]]; then
		echo "FAIL: $name: the test runner left no verdict"
		failed=$((failed + 1))
		continue
	fi
	# The first line is the verdict (printed when the test ended); the rest
	# are details.
	if head -n 1 "$v" | grep -q '^PASS: '; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "vm: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
