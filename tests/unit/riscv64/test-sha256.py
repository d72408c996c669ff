#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The riscv64 purgatory's SHA-256 on each of its paths against Python's hashlib.

  test-sha256.py [PROGRAM [bench MIB]]

PROGRAM is tests/unit/riscv64/sha256-paths.c linked with the purgatory
object (purgatory-riscv64.o: the embedded blob's own code and flags), built
by Meson with the riscv64 compiler. It runs under qemu-riscv64 -cpu
rv64,zknh=true (user mode: QEMU's rv64 with the scalar SHA-256
instructions), or natively on a riscv64 host, and prints, for each path
(portable C, Zknh), the plain SHA-256 and the purgatory's lane digest of FIPS
180-2 messages and of every length from 0 to 2 KiB + 63 at every alignment,
and a few large ones. Every expected value is computed here, with hashlib;
none is taken from our own code. Exit 77 (skipped) without the program (no
riscv64 compiler) or without qemu-riscv64 on a host that is not riscv64.

With "bench MIB" it prints how fast each path hashes MIB MiB (under qemu:
the emulator's speed, not the hardware's), once with the Zknh CPU and once
with QEMU's plain rv64.
"""
import hashlib
import os
import platform
import shutil
import subprocess
import sys

LANES = 8
M448 = b'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'
M896 = (b'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn'
        b'hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')


def lane_digest(msg):
    """purgatory/common/sha256.c kx_sha256_lanes_update() of one region, then final:
    lanes 0-6 of q = 64 * (len // 512) bytes, lane 7 the rest; SHA-256 of the
    eight lane digests; nothing at all for an empty region."""
    outer = hashlib.sha256()
    if msg:
        q = len(msg) // (64 * LANES) * 64
        for i in range(LANES):
            lane = msg[i * q:(i + 1) * q] if i < LANES - 1 else msg[i * q:]
            outer.update(hashlib.sha256(lane).digest())
    return outer.hexdigest()


def pattern(n):
    """sha256-paths.c's data: byte i is (i * 31 + (i >> 8)) & 0xff."""
    return bytes((i * 31 + (i >> 8)) & 0xff for i in range(n))


def expected(name, data):
    if name == 'empty':
        msg = b''
    elif name == 'abc':
        msg = b'abc'
    elif name == 'm448':
        msg = M448
    elif name == 'm896':
        msg = M896
    elif name == 'million-a':
        return hashlib.sha256(b'a' * 1000000).hexdigest(), '-'
    elif name.startswith('data:'):
        _, off, length = name.split(':')
        msg = data[int(off):int(off) + int(length)]
    else:
        raise ValueError(f'unknown message {name!r}')
    return hashlib.sha256(msg).hexdigest(), lane_digest(msg)


def runner(cpu='rv64,zknh=true'):
    """How to run a riscv64 program here: [] natively, qemu's command, or None."""
    if platform.machine() == 'riscv64':
        return []
    for qemu in ('qemu-riscv64-static', 'qemu-riscv64'):
        path = shutil.which(qemu)
        if path:
            return [path, '-cpu', cpu]
    return None


def main():
    if len(sys.argv) < 2 or not os.path.exists(sys.argv[1]):
        print('SKIP: no riscv64 compiler, so the riscv64 purgatory and its test program '
              'were not built (install gcc-riscv64-linux-gnu)')
        return 77
    prefix = runner()
    if prefix is None:
        print('SKIP: qemu-riscv64 is missing (apt-get install qemu-user-static)')
        return 77
    prog = sys.argv[1]
    if sys.argv[2:3] == ['bench']:
        rc = 0
        for cpu in ('rv64,zknh=true', 'rv64'):
            pre = runner(cpu)
            if pre:
                print(f'qemu -cpu {cpu}:')
            r = subprocess.run(pre + [prog, 'bench'] + sys.argv[3:], stdout=subprocess.PIPE,
                               text=True, check=False)
            print(r.stdout, end='')
            rc = rc or r.returncode
            if not pre:
                break
        return rc

    r = subprocess.run(prefix + [prog, 'vectors'], stdout=subprocess.PIPE, text=True,
                       check=False, timeout=240)
    if r.returncode != 0:
        print(f'FAIL: {prog} exited with {r.returncode}; output ends:\n{r.stdout[-2000:]}')
        return 1
    lines = r.stdout.splitlines()
    paths = lines[0].split()[1:] if lines and lines[0].startswith('paths ') else []
    if 'portable' not in paths:
        print(f'FAIL: unexpected first line {lines[:1]}')
        return 1
    if prefix and 'zknh' not in paths:
        print('FAIL: qemu -cpu rv64,zknh=true has Zknh, but the program did not see it')
        return 1
    data = pattern((1 << 20) + 64)
    cache = {}
    seen = {p: 0 for p in paths}
    failures = 0
    for line in lines[1:]:
        path, name, plain, lanes = line.split()
        if name not in cache:
            cache[name] = expected(name, data)
        want_plain, want_lanes = cache[name]
        if plain != want_plain or lanes != want_lanes:
            failures += 1
            if failures <= 10:
                print(f'FAIL: {path} {name}: got {plain} {lanes}, '
                      f'want {want_plain} {want_lanes}')
        seen[path] += 1
    counts = set(seen.values())
    if len(counts) != 1 or counts.pop() < 2100:
        print(f'FAIL: messages per path: {seen}')
        return 1
    if failures:
        print(f'FAIL: {failures} digests differ from hashlib')
        return 1
    # Without Zknh the program must see only the portable path (its probe traps).
    if prefix:
        r = subprocess.run(runner('rv64') + [prog, 'probe-only'], stdout=subprocess.PIPE,
                           text=True, check=False, timeout=60)
        first = r.stdout.splitlines()[:1]
        if first != ['paths portable']:
            print(f'FAIL: qemu -cpu rv64 (no Zknh): first line {first}, want "paths portable"')
            return 1
    print(f'OK: {len(lines) - 1} digests on paths {", ".join(paths)} match hashlib')
    return 0


if __name__ == '__main__':
    sys.exit(main())
