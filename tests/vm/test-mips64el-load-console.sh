#!/bin/bash
# MIPS: tests/vm/test-kexec-load-console.sh with --check=sha256: the
# purgatory finds the UART /proc/iomem names "serial" (loongson3-virt's 8250
# at 0x1fe001e0, written through CKSEG1), says there that it checks the
# segments (SHA-256, its portable C) and that it enters the kernel, and the
# second kernel starts.
set -euo pipefail
export VM_ARCH=mips64el VM_LOAD_EXTRA=--check=sha256
exec bash "$(dirname "${BASH_SOURCE[0]}")/test-kexec-load-console.sh"
