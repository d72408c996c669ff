#!/bin/bash
# arm64 kexec_load in a 2-CPU guest: `kexec -c -l` + `kexec -e` must take the
# secondary CPU down (PSCI CPU_OFF) and the second kernel must bring both
# CPUs up again, with exactly the --append command line.
VM_ARCH=arm64
# shellcheck source=SCRIPTDIR/dtb/load-smp2.sh
. "$(dirname "${BASH_SOURCE[0]}")/dtb/load-smp2.sh"
