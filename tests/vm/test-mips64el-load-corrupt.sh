#!/bin/bash
# MIPS: tests/vm/dtb/load-corrupt.sh: one initrd byte flipped after the load; the purgatory names the segment on the UART and halts.
# Debian 12's loongson-3 kernel (a self-decompressing ELF vmlinuz) under
# qemu-system-mips64el -M loongson3-virt; kexec_load with the ELF where it is
# linked, the "kexec ..." argument block and our purgatory.
VM_ARCH=mips64el
# shellcheck source=SCRIPTDIR/dtb/load-corrupt.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-corrupt.sh"
