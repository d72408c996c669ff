/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See string.h: declarations only, for xxhash.h's unused streaming API. */
#ifndef KX_PURGATORY_STDLIB_H
#define KX_PURGATORY_STDLIB_H

#include <stddef.h>

void *malloc(size_t size);
void free(void *p);

#endif
