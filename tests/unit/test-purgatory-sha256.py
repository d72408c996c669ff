#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A purgatory's SHA-256 on each of its paths against Python's hashlib.

  test-purgatory-sha256.py ARCH [PROGRAM [bench MIB [TIMEBASE-HZ]]]

ARCH is arm64 or riscv64. PROGRAM is tests/unit/sha256-paths.c with
tests/unit/ARCH/sha256-paths.h, linked with the purgatory object
(purgatory-aarch64.o, purgatory-riscv64.o: the embedded blob's own code and
flags), built by Meson with that machine's compiler. It runs under
qemu-user with a CPU that has the purgatory's hardware path (arm64: -cpu max,
with the Crypto Extensions; riscv64: rv64 with Zknh, the scalar SHA-256
instructions), or natively on such a host, and prints, for each path
(arm64: portable C, NEON four lanes at once, Crypto Extensions; riscv64:
portable C, Zknh), the plain SHA-256 and the purgatory's lane digest of FIPS
180-2 messages and of every length from 0 to 2 KiB + 63 at every alignment,
and a few large ones. Every expected value is computed here, with hashlib;
none is taken from our own code. Under QEMU the program must see the
hardware path, and (riscv64) not see it on a CPU without. Exit 77 (skipped)
without the program (no compiler for ARCH) or without qemu-user on a host
of another machine.

With "bench MIB" it prints how fast each path hashes MIB MiB (under qemu:
the emulator's speed, not the hardware's), on each of ARCH's bench CPUs.
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

# What differs between the machines: qemu-user's name and CPUs, the paths
# every CPU has, and the hardware one.
ARCHES = {
    'arm64': {
        'machines': ('aarch64', 'arm64'),
        'qemu': 'aarch64',
        'compiler': 'gcc-aarch64-linux-gnu',
        'cpu': 'max',
        'always': ('portable', 'neon'),
        'hw': 'ce',
        'hw_what': 'qemu -cpu max has the Crypto Extensions',
        # A CPU without the hardware path, whose program must not see it: none.
        'cpu_without': None,
        'bench_cpus': ('max',),
    },
    'riscv64': {
        'machines': ('riscv64',),
        'qemu': 'riscv64',
        'compiler': 'gcc-riscv64-linux-gnu',
        'cpu': 'rv64,zknh=true',
        'always': ('portable',),
        'hw': 'zknh',
        'hw_what': 'qemu -cpu rv64,zknh=true has Zknh',
        # QEMU's plain rv64: the program's probe traps, as the purgatory's does.
        'cpu_without': 'rv64',
        'bench_cpus': ('rv64,zknh=true', 'rv64'),
    },
}


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


def time_scale():
    """KX_TIME_SCALE (default 2): multiplies the timeouts, for slow or busy hosts."""
    try:
        return max(1, int(os.environ.get('KX_TIME_SCALE', '2')))
    except ValueError:
        return 2


def runner(arch, cpu):
    """How to run an ARCH program here: [] natively, qemu's command with cpu, or None."""
    if platform.machine() in arch['machines']:
        return []
    for qemu in (f'qemu-{arch["qemu"]}-static', f'qemu-{arch["qemu"]}'):
        path = shutil.which(qemu)
        if path:
            return [path, '-cpu', cpu]
    return None


def bench(arch, prog, args):
    rc = 0
    for cpu in arch['bench_cpus']:
        pre = runner(arch, cpu)
        if pre and len(arch['bench_cpus']) > 1:
            print(f'qemu -cpu {cpu}:')
        r = subprocess.run(pre + [prog, 'bench'] + args, stdout=subprocess.PIPE, text=True,
                           check=False)
        print(r.stdout, end='')
        rc = rc or r.returncode
        if not pre:
            break
    return rc


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ARCHES:
        print(f'usage: {sys.argv[0]} {"|".join(ARCHES)} [PROGRAM [bench MIB [TIMEBASE-HZ]]]')
        return 2
    name = sys.argv[1]
    arch = ARCHES[name]
    if len(sys.argv) < 3 or not os.path.exists(sys.argv[2]):
        print(f'SKIP: no {name} compiler, so the {name} purgatory and its test program '
              f'were not built (install {arch["compiler"]})')
        return 77
    prefix = runner(arch, arch['cpu'])
    if prefix is None:
        print(f'SKIP: qemu-{arch["qemu"]} is missing (apt-get install qemu-user-static)')
        return 77
    prog = sys.argv[2]
    if sys.argv[3:4] == ['bench']:
        return bench(arch, prog, sys.argv[4:])

    r = subprocess.run(prefix + [prog, 'vectors'], stdout=subprocess.PIPE, text=True,
                       check=False, timeout=120 * time_scale())
    if r.returncode != 0:
        print(f'FAIL: {prog} exited with {r.returncode}; output ends:\n{r.stdout[-2000:]}')
        return 1
    lines = r.stdout.splitlines()
    paths = lines[0].split()[1:] if lines and lines[0].startswith('paths ') else []
    if any(p not in paths for p in arch['always']):
        print(f'FAIL: unexpected first line {lines[:1]}')
        return 1
    if prefix and arch['hw'] not in paths:
        print(f'FAIL: {arch["hw_what"]}, but the program did not see it')
        return 1
    data = pattern((1 << 20) + 64)
    cache = {}
    seen = {p: 0 for p in paths}
    failures = 0
    for line in lines[1:]:
        path, msg, plain, lanes = line.split()
        if msg not in cache:
            cache[msg] = expected(msg, data)
        want_plain, want_lanes = cache[msg]
        if plain != want_plain or lanes != want_lanes:
            failures += 1
            if failures <= 10:
                print(f'FAIL: {path} {msg}: got {plain} {lanes}, '
                      f'want {want_plain} {want_lanes}')
        seen[path] += 1
    counts = set(seen.values())
    if len(counts) != 1 or counts.pop() < 2100:
        print(f'FAIL: messages per path: {seen}')
        return 1
    if failures:
        print(f'FAIL: {failures} digests differ from hashlib')
        return 1
    # Without the hardware path the program must see only the others (its probe traps).
    if prefix and arch['cpu_without']:
        r = subprocess.run(runner(arch, arch['cpu_without']) + [prog, 'probe-only'],
                           stdout=subprocess.PIPE, text=True, check=False, timeout=30 * time_scale())
        first = r.stdout.splitlines()[:1]
        want = 'paths ' + ' '.join(arch['always'])
        if first != [want]:
            print(f'FAIL: qemu -cpu {arch["cpu_without"]} (no {arch["hw"]}): first line '
                  f'{first}, want "{want}"')
            return 1
    print(f'OK: {len(lines) - 1} digests on paths {", ".join(paths)} match hashlib')
    return 0


if __name__ == '__main__':
    sys.exit(main())
