#!/bin/bash
# riscv64: the purgatory's check in a real handover (purgatory/riscv64):
# tests/vm/helpers/corrupt-load.c (cross-built beside build-riscv64/kexec)
# loads the Image and initrd as `kexec -c -l` does, but flips one byte of the
# initrd segment after the loader hashed it. After `kexec -e` the purgatory
# must print "purgatory: xxh3 mismatch" on the ns16550a the device tree
# names and stop: the second kernel never starts.
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/dtb/load-corrupt.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-corrupt.sh"
