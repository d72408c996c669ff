#!/bin/bash
# Handover latency in s390x guests: bench/handover-arm64.sh with
# BENCH_HANDOVER_ARCH=s390x (build-s390x/kexec against Debian 12's s390x
# kexec-tools, Debian 12's s390x image, qemu-system-s390x -M s390-ccw-virtio
# -icount shift=0, the clock the TOD clock). Same options and cases; output
# handover-s390x.tsv. Slow: minutes of wall time a guest under QEMU 7.2.
# Not in bench/run.sh's table: the TOD clock does not run on across the
# reset the old kernel asks for, so the ticks it reports are meaningless
# (README "s390x"); stage 2's /init is a busybox script that execs tsc, as
# the kexec'd kernel's own first exec of the static tsc faults.
BENCH_HANDOVER_ARCH=s390x exec bash "$(dirname "${BASH_SOURCE[0]}")/handover-arm64.sh" "$@"
