#!/bin/bash
# test-unwrap-uki.sh through kexec_load (-c): the UKI's command line and
# initrd reach the second kernel through our own boot_params and purgatory.
UNWRAP_SYSCALL=-c
# shellcheck source=SCRIPTDIR/test-unwrap-uki.sh
. "$(dirname "${BASH_SOURCE[0]}")/test-unwrap-uki.sh"
