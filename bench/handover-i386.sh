#!/bin/bash
# Handover latency in i386 QEMU guests: bench/handover-arm64.sh with
# BENCH_HANDOVER_ARCH=i386 (build-i686/kexec against Debian 12's i386
# kexec-tools, Debian 12's 686-pae bzImage, qemu-system-i386 -M pc -cpu
# qemu32 -icount). Same options and cases; output handover-i386.tsv.
BENCH_HANDOVER_ARCH=i386 exec bash "$(dirname "${BASH_SOURCE[0]}")/handover-arm64.sh" "$@"
