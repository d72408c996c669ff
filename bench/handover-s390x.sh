#!/bin/bash
# Handover latency in s390x guests: bench/handover-arm64.sh with
# BENCH_HANDOVER_ARCH=s390x (build-s390x/kexec against Debian 12's s390x
# kexec-tools, Debian 12's s390x image, qemu-system-s390x -M s390-ccw-virtio
# -icount shift=0, the clock the TOD clock). Same options and cases; output
# handover-s390x.tsv. Slow: minutes of wall time a guest under QEMU 7.2.
# Not in bench/run.sh's table yet: the second kernel's /init (bench/tsc.c)
# takes a user fault there, with our kexec and with kexec-tools alike
# (README "s390x"); this script reproduces it.
BENCH_HANDOVER_ARCH=s390x exec bash "$(dirname "${BASH_SOURCE[0]}")/handover-arm64.sh" "$@"
