#!/bin/bash
# Handover latency in ppc64el guests: bench/handover-arm64.sh with
# BENCH_HANDOVER_ARCH=ppc64el (build-ppc64le/kexec against Debian 12's
# ppc64el kexec-tools, Debian 12's powerpc64le ELF vmlinux,
# qemu-system-ppc64 -M pseries -cpu POWER9 -icount shift=0, the clock the
# timebase). Same options and cases; output handover-ppc64el.tsv.
BENCH_HANDOVER_ARCH=ppc64el exec bash "$(dirname "${BASH_SOURCE[0]}")/handover-arm64.sh" "$@"
