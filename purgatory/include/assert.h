/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See string.h: C11's static_assert for xxhash.h; no run-time assert. */
#ifndef KX_PURGATORY_ASSERT_H
#define KX_PURGATORY_ASSERT_H

#define static_assert _Static_assert
#define assert(c) ((void)0)

#endif
