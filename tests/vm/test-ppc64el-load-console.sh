#!/bin/bash
# ppc64el: tests/vm/test-kexec-load-console.sh with --check=sha256: the
# purgatory finds the hypervisor terminal /chosen's linux,stdout-path names
# (pseries' vty@71000000, hvc0), says there through H_PUT_TERM_CHAR that it
# checks the segments (SHA-256 four lanes at a time in VMX registers, the
# vector units turned on for the check) and that it enters the kernel, and
# the second kernel starts.
set -euo pipefail
export VM_ARCH=ppc64el VM_LOAD_EXTRA=--check=sha256 VM_CONSOLE_CHECKING=' \(SHA-256, VMX\)'
exec bash "$(dirname "${BASH_SOURCE[0]}")/test-kexec-load-console.sh"
