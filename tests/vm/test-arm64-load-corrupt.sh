#!/bin/bash
# arm64: the purgatory's check in a real handover (purgatory/arm64):
# tests/vm/helpers/corrupt-load.c (cross-built beside build-aarch64/kexec)
# loads the Image and initrd as `kexec -c -l` does, but flips one byte of the
# initrd segment after the loader hashed it. After `kexec -e` the purgatory
# must print "purgatory: xxh3 mismatch" on the PL011 the device tree names
# and stop: the second kernel never starts.
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/dtb/load-corrupt.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-corrupt.sh"
