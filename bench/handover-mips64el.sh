#!/bin/bash
# Handover latency in MIPS QEMU guests: bench/handover-arm64.sh with
# BENCH_HANDOVER_ARCH=mips64el (build-mips64el/kexec against Debian 12's
# mips64el kexec-tools, Debian 12's loongson-3 ELF vmlinuz,
# qemu-system-mips64el -M loongson3-virt -icount shift=4 -rtc clock=vm, the
# clock the goldfish RTC). Same options and cases; output handover-mips64el.tsv.
BENCH_HANDOVER_ARCH=mips64el exec bash "$(dirname "${BASH_SOURCE[0]}")/handover-arm64.sh" "$@"
