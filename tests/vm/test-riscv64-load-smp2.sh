#!/bin/bash
# riscv64 kexec_load in a 2-hart guest: `kexec -c -l` + `kexec -e` must stop
# the other hart (SBI HSM hart_stop) and enter the purgatory on the hart
# that runs machine_kexec (not necessarily hart 0: the purgatory passes its
# hart id on in a0); the second kernel must bring both harts up again (SBI
# HSM hart_start), with exactly the --append command line. With
# --console-serial the purgatory says that SBI HSM shows hart 1 stopped,
# or that it waited until it was (README "The riscv64 purgatory": the old
# kernel may jump there before the other hart reaches hart_stop).
VM_ARCH=riscv64
VM_SMP2_EXTRA=--console-serial
VM_SMP2_SAYS='^purgatory: (the other harts have stopped|hart 1 stopped [0-9]+ us later)'
# shellcheck source=SCRIPTDIR/dtb/load-smp2.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-smp2.sh"
