#!/bin/bash
# riscv64 kexec_load with -i (--no-checks: the purgatory skips its SHA-256 of
# the segments): `kexec -c -i -l` + `kexec -e`, exact /proc/cmdline.
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/dtb/load-nochecks.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-nochecks.sh"
