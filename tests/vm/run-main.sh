#!/bin/bash
# The project's main job ("make run"): boot a Debian cloud kernel under QEMU
# (TCG); inside it, our kexec loads the same kernel with kexec_file_load,
# reusing the running command line, and executes it. Prints a short summary.
set -euo pipefail
# The demo boots this machine's own release's kernel (Debian 12's or 13's),
# from the apt lists it already has.
# shellcheck source=SCRIPTDIR/../../scripts/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/apt.sh"
if [[ -z ${VM_DEBIAN:-} && $(kx_host_release) == trixie ]]; then
	VM_DEBIAN=13
fi
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kexec=$(vm_kexec_bin)
if [[ ! -f $kexec ]]; then
	echo "run-main: kexec binary $kexec does not exist; build it first (or set KEXEC_BIN)" >&2
	exit 1
fi
vm_fetch_kernel
mkdir -p "$VM_LOG_DIR"
log=$VM_LOG_DIR/run-main.log
scenario=$VM_LOG_DIR/run-main.scenario.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/vm-run-main.XXXXXX")
# shellcheck disable=SC2064 # expand now
trap "rm -rf '$work'" EXIT

load_cmd="kexec -s -l /boot/vmlinuz --initrd=/boot/stage2.cpio.gz --reuse-cmdline"
{
	echo "LOAD_CMD=$(vm_sh_quote "$load_cmd")"
	cat <<'EOS'
echo "DEMO-CMDLINE1: $(cat /proc/cmdline)"
echo "DEMO-CMD: $LOAD_CMD"
$LOAD_CMD
rc=$?
echo "DEMO-LOAD-RC: $rc"
[ "$rc" = 0 ] || exit "$rc"
echo "DEMO-CMD: kexec -e"
kexec -e
echo "DEMO-EXEC-RC: $?"
exit 1
EOS
} >"$scenario"

echo "run-main: building initramfs and booting $VM_KVER under qemu (TCG)..."
t0=$SECONDS
vm_build_initramfs "$work/initramfs.cpio" "$scenario"
qrc=0
vm_run "$log" "kxdemo=1" 1G || qrc=$?
secs=$((SECONDS - t0))

kver1=$(vm_field "$log" "STAGE1-START kernel=")
cmdline1=$(vm_field "$log" "DEMO-CMDLINE1: ")
cmdline2=$(vm_field "$log" "STAGE2-CMDLINE: ")
kver2=$(vm_field "$log" "STAGE2-KERNEL: ")
echo "first kernel:    ${kver1:-?}"
echo "  /proc/cmdline: ${cmdline1:-?}"
grep -E '^DEMO-CMD: ' "$log" | sed 's/^DEMO-CMD: /ran:             /' || true
exec_line=$(vm_line_no "$log" '^DEMO-CMD: kexec -e$')
stage2_line=$(vm_line_no "$log" '^STAGE2-CMDLINE: ')
if grep -q '^STAGE2-DONE$' "$log" && [[ -n $exec_line && -n $stage2_line ]] &&
	((exec_line < stage2_line)); then
	echo "second kernel:   $kver2"
	echo "  /proc/cmdline: $cmdline2"
	echo "run-main: OK, the second kernel ran (${secs}s, log: $log)"
	exit 0
fi
echo "run-main: FAILED, the second kernel did not report (qemu status $qrc, ${secs}s)." >&2
echo "--- last lines of $log ---" >&2
tail -n 20 "$log" >&2
exit 1
