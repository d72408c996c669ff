/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device trees as boot data: see dtb.h. */
#include <errno.h>
#include <libfdt.h>

#include "dtb.h"
