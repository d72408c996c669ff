#!/bin/bash
# riscv64 kexec_load in a 2-hart guest: `kexec -c -l` + `kexec -e` must stop
# the other hart (SBI HSM hart_stop) and enter the purgatory on the hart
# that runs machine_kexec (not necessarily hart 0: the purgatory passes its
# hart id on in a0); the second kernel must bring both harts up again (SBI
# HSM hart_start), with exactly the --append command line.
VM_ARCH=riscv64
# shellcheck source=SCRIPTDIR/dtb/load-smp2.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-smp2.sh"
