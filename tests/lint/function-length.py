#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""No function over 80 lines (CODING-STYLE.md), outside tables and usage text.

    tests/lint/function-length.py [REPO]

Measures every function of lib/, tools/ and purgatory/ (the C the project
writes; tables are data, not functions) from the first line of its signature
to its closing brace, in the kernel layout the code is written in (the body's
braces in column 0). Prints one PASS line, or a FAIL line per function too
long, naming it and its length; the usage text is the one exception.
"""
import glob
import os
import re
import sys

LIMIT = 80
# Functions that are text, not logic: what they are and why.
EXEMPT = {
    ('tools/options.c', 'kx_usage'): 'the usage text, one printf line per option',
}


def functions(path):
    """(name, first line, length) of each function of a C file."""
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    for i, line in enumerate(lines):
        if line != '{' or i == 0 or not lines[i - 1].rstrip().endswith(')'):
            continue
        k = i - 1
        while k > 0 and not re.match(r'[A-Za-z_]', lines[k]):
            k -= 1
        j = i
        while j < len(lines) and lines[j] != '}':
            j += 1
        m = re.search(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(', lines[k])
        yield (m.group(1) if m else '?'), k + 1, j - k + 1


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
    os.chdir(repo)
    files = sorted(glob.glob('lib/**/*.c', recursive=True) + glob.glob('tools/*.c') +
                   glob.glob('purgatory/**/*.c', recursive=True))
    count, bad = 0, 0
    for f in files:
        for name, line, n in functions(f):
            count += 1
            if n > LIMIT and (f, name) not in EXEMPT:
                print(f'FAIL: lint: {f}:{line}: {name} is {n} lines (at most {LIMIT}: split it)')
                bad += 1
    if count < 100:
        print(f'FAIL: lint: only {count} functions found in lib/, tools/ and purgatory/')
    elif not bad:
        print(f'PASS: lint: {count} functions in {len(files)} files, none over {LIMIT} lines '
              f'(exempt: {", ".join(n for _, n in EXEMPT)})')
    return 1 if bad or count < 100 else 0


if __name__ == '__main__':
    sys.exit(main())
