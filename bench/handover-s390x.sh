#!/bin/bash
# Handover latency in s390x guests: bench/handover-arm64.sh with
# BENCH_HANDOVER_ARCH=s390x (build-s390x/kexec against Debian 12's s390x
# kexec-tools, Debian 12's s390x image, qemu-system-s390x -M s390-ccw-virtio
# -icount shift=0). Same options and cases; output handover-s390x.tsv, in
# guest instructions that QEMU counts (bench/vclock.py asks it over QMP at
# the two markers: the TOD clock does not run on across the reset the old
# kernel asks for, README "s390x"). Slow: about two minutes of wall time a
# guest under QEMU 7.2. Stage 2's /init is a busybox script that execs tsc,
# as the kexec'd kernel's own first exec of the static tsc faults.
BENCH_HANDOVER_ARCH=s390x exec bash "$(dirname "${BASH_SOURCE[0]}")/handover-arm64.sh" "$@"
