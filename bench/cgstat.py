#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Numbers from a callgrind output file written with --compress-strings=no.

  cgstat.py FILE [FUNCTION...]

Prints "total N", then for each FUNCTION "calls FUNCTION N" (calls made to
it) and "incl FUNCTION N" (instructions executed in it and its callees,
summed over those calls; the function must not recurse).
"""
import sys


def main():
    path, funcs = sys.argv[1], sys.argv[2:]
    calls = {f: 0 for f in funcs}
    incl = {f: 0 for f in funcs}
    total = None
    cfn = None
    pending = None
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if pending is not None:
                # The line after calls=: "position cost" (one event, Ir).
                incl[pending] += int(line.split()[-1])
                pending = None
                continue
            if line.startswith('cfn='):
                cfn = line[4:].strip()
            elif line.startswith('calls=') and cfn in calls:
                calls[cfn] += int(line[6:].split()[0])
                pending = cfn
            elif line.startswith(('totals:', 'summary:')):
                total = int(line.split()[1])
    if total is None:
        sys.exit(f'cgstat: no totals in {path}')
    print('total', total)
    for fn in funcs:
        print('calls', fn, calls[fn])
        print('incl', fn, incl[fn])


if __name__ == '__main__':
    main()
