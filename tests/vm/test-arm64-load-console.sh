#!/bin/bash
# arm64 --console-serial: the purgatory's progress lines on the PL011 the
# device tree names (see test-kexec-load-console.sh).
set -euo pipefail
export VM_ARCH=arm64
exec bash "$(dirname "${BASH_SOURCE[0]}")/test-kexec-load-console.sh"
