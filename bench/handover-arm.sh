#!/bin/bash
# Handover latency in 32-bit ARM QEMU guests: bench/handover-arm64.sh with
# BENCH_HANDOVER_ARCH=arm (build-armhf/kexec against Debian 12's armhf
# kexec-tools, Debian 12's armmp-lpae zImage, qemu-system-arm -M virt -cpu
# cortex-a15 -icount). Same options and cases; output handover-arm.tsv.
BENCH_HANDOVER_ARCH=arm exec bash "$(dirname "${BASH_SOURCE[0]}")/handover-arm64.sh" "$@"
