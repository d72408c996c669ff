#!/bin/bash
# test-reuseinitrd.sh through kexec_load (-c): the retained initramfs is
# loaded as our initrd segment.
REUSE_SYSCALL=-c
# shellcheck source=SCRIPTDIR/test-reuseinitrd.sh
. "$(dirname "${BASH_SOURCE[0]}")/test-reuseinitrd.sh"
