#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turn bench/run.sh's raw numbers into docs/bench.md and docs/bench.png.

  report.py BENCH_OUT DOCS

Reads BENCH_OUT/{meta,load,handover,times}.tsv and, when bench/run.sh ran
the arm64 or riscv64 guests, BENCH_OUT/{meta-arm64,handover-arm64}.tsv and
BENCH_OUT/{meta-riscv64,handover-riscv64}.tsv; writes DOCS/bench.md,
DOCS/bench.png (gnuplot), DOCS/bench-load.tsv, DOCS/bench-handover.tsv,
DOCS/bench-handover-arm64.tsv and DOCS/bench-handover-riscv64.tsv.
"""
import csv
import os
import shutil
import statistics
import subprocess
import sys

# The targets.
TARGET_LOAD_IR = 0.2      # ours / kexec-tools, instructions, -c, 32 MiB initrd
TARGET_HANDOVER = 0.45    # ours / kexec-tools, TSC ticks, with the check
TARGET_ARM64 = 0.6        # arm64: ours / kexec-tools, counter ticks, with the check
TARGET_ARM64_CHECK = 0.15  # arm64: ours with the check at most this much over our -i
TARGET_CHECK_X86 = 0.02    # x86_64 (qemu64): the default check at most this much over our -i
TARGET_CHECK_ARM64 = 0.02  # arm64 (cortex-a57): the default check at most this much over our -i
TARGET_CHECK_RISCV64 = 0.05  # riscv64 (rv64): the default check at most this much over our -i
ARM64_CPU = 'cortex-a57'  # the arm64 guests' main -cpu
RISCV64_CPU = 'rv64'      # the riscv64 guests' main -cpu (no Zknh)

# The handover cases: `ours` checks with XXH3-128 (the default), `ours-sha256`
# with SHA-256 (`kexec --check=sha256`), `ours-i` not at all (-i); `kt` and
# `kt-i` are kexec-tools with and without its SHA-256 check. Data from before
# --check=sha256 existed has no ours-sha256 rows (and its `ours` checked with
# SHA-256); the report then leaves the SHA-256 rows and columns out.
# The purgatories' XXH3-128 inner loops, in instructions per 64-byte stripe,
# counted from their disassembly (the bench scripts do not record them):
# x86_64 runs xxhash.h's SSE2 code; arm64 its own NEON loop (xxh3.c, MMU and
# caches on); riscv64 its own scalar loop, the accumulators in registers.
XXH3_STRIPE_INSNS = {'x86_64': 58, 'arm64': 28, 'riscv64': 67}
XXH3_WHAT = ('XXH3-128 of each segment, chained (purgatory/common/xxh3.c; Debian\'s xxhash.h '
             'compiled inline)')


def read_tsv(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter='\t'))


def read_kv(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip('\n').partition('\t')
                out[k] = v
    return out


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fmt_ir(v):
    return '-' if v is None else f'{v:.3g}'


def fmt_s(v):
    if v is None:
        return '-'
    if v < 0.01:
        return f'{v * 1000:.2f} ms'
    if v < 1:
        return f'{v * 1000:.1f} ms'
    return f'{v:.2f} s'


def fmt_kb(v):
    return '-' if v is None else f'{v / 1024:.1f} MiB'


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_r(v):
    return '-' if v is None else f'{v:.3f}'


def over(a, b):
    """What a handover with a check costs over b, the one without: (a - b) / b."""
    if a is None or b is None or b == 0:
        return None
    return (a - b) / b


def fmt_pct(v):
    if v is None:
        return '-'
    return f'{v * 100:.2f}%' if abs(v) < 0.01 else f'{v * 100:.1f}%'


def arm32_section(w, hand):
    """The 32-bit ARM handover: ours against Debian's armhf kexec-tools, per case."""
    hz = next((num(r.get('cntfrq_hz')) for r in hand if num(r.get('cntfrq_hz'))), None)
    foreign_section(w, hand, '32-bit ARM', [
      'As on arm64, from just before `kexec -e` to the first instruction of the second '
      'kernel\'s /init, in ticks of the virtual counter (CNTVCT, read through CP15 by '
      'bench/tsc.c built with arm-linux-gnueabihf-gcc -static; bench/handover-arm.sh): '
      '`qemu-system-arm -M virt -cpu cortex-a15 -icount shift=0,sleep=off -smp 1 -m 1G`, '
      f'the counter at {hz / 1e6 if hz else 0:g} MHz of virtual time ('
      f'{1e9 / hz if hz else 0:.0f} guest instructions a tick). Our static armhf kexec and '
      'Debian 12\'s armhf kexec-tools 2.0.25 (its libraries in the guest, libxenctrl the '
      'stand-in) load Debian 12\'s armmp-lpae zImage and the same 1 MiB initrd with `-c -l '
      'vmlinuz --initrd=... --append=...`; kexec-tools also gets `--image-size=0x3000000`, '
      'without which the kernel unpacks over its initrd and device tree on these kernels '
      '(TEXT_OFFSET 0x208000: README, "32-bit ARM"), ours needs nothing. kexec-tools has '
      'no purgatory on 32-bit ARM: its entry is the zImage itself, nothing is checked, and '
      'its -i changes nothing. Ours checks with the MMU and caches off, as the old kernel '
      'leaves them.'], kt_checks=False)


def i386_section(w, hand):
    """The i386 handover: ours against Debian's i386 kexec-tools, per case."""
    foreign_section(w, hand, 'i386', [
      'From just before `kexec -e` to the first instruction of the second kernel\'s '
      '/init, in TSC ticks (bench/tsc.c built with i686-linux-gnu-gcc -static; '
      'bench/handover-i386.sh): `qemu-system-i386 -M pc -cpu qemu32 -icount '
      'shift=0,sleep=off -smp 1 -m 1G`, where the TSC counts nanoseconds of virtual time '
      '(one guest instruction each). Our static i386 kexec and Debian 12\'s i386 '
      'kexec-tools 2.0.25 (its libraries in the guest) load Debian 12\'s 686-pae bzImage '
      'and the same 1 MiB initrd with `-c -l vmlinuz --initrd=... --append=...`. Both '
      'purgatories run with paging off: kexec-tools\' checks SHA-256 in portable C, ours '
      'XXH3-128 by default (SHA-256 with --check=sha256), also in portable C (no SSE: '
      'CR4 is zero there).'], kt_checks=True)


def mips_section(w, hand):
    """The MIPS handover: ours against Debian's mips64el kexec-tools, per case."""
    foreign_section(w, hand, 'MIPS', [
      'From just before `kexec -e` to the first instruction of the second kernel\'s '
      '/init, in nanoseconds of QEMU\'s virtual clock read from loongson3-virt\'s goldfish '
      'RTC through /dev/mem (bench/tsc.c built with mips64el-linux-gnuabi64-gcc -static; '
      'bench/handover-mips64el.sh; CP0 Count is 32 bits and wraps every 10.7 s): '
      '`qemu-system-mips64el -M loongson3-virt -cpu Loongson-3A1000 -icount '
      'shift=4,sleep=off -rtc clock=vm -smp 1 -m 1G`, so one guest instruction is 16 ns '
      '(shift=0 hangs this kernel early in its boot in QEMU 7.2). Our static mips64el kexec '
      'and Debian 12\'s mips64el kexec-tools 2.0.25 (its libraries in the guest) load '
      'Debian 12\'s loongson-3 vmlinuz (an ELF that unpacks an XZ kernel, most of the '
      'handover) and the same 1 MiB initrd with `-c -l vmlinuz --initrd=... '
      '--append=...`, the command line ending in `nokaslr` for both: kexec-tools puts the '
      'initrd right after the vmlinuz, where a randomised kernel moves itself (it lost '
      'its initrd in five boots of six without it; ours puts the initrd at 64 MiB or '
      'above). kexec-tools has no purgatory on MIPS: its entry is the kernel\'s, nothing '
      'is checked, and its -i changes nothing. Ours checks in portable C through '
      'XKPHYS (cached).'], kt_checks=False, unit='ns')


def ppc64_section(w, hand):
    """The ppc64el handover: ours against Debian's ppc64el kexec-tools, per case."""
    foreign_section(w, hand, 'ppc64el', [
      'From just before `kexec -e` to the first instruction of the second kernel\'s '
      '/init, in timebase ticks (bench/tsc.c built with powerpc64le-linux-gnu-gcc -static; '
      'bench/handover-ppc64el.sh): `qemu-system-ppc64 -M pseries,x-vof=on -cpu POWER9 '
      '-icount shift=0,sleep=off -smp 1 -m 1G`, where the timebase runs at 512 MHz of '
      'virtual time (one guest instruction is a nanosecond). Our static ppc64el kexec and '
      'Debian 12\'s ppc64el kexec-tools 2.0.25 (its libraries in the guest) load Debian 12\'s '
      'powerpc64le ELF vmlinux and the same 1 MiB initrd with `-c -l vmlinux --initrd=... '
      '--append=...`. Both purgatories run with the MMU off: kexec-tools checks SHA-256 '
      'in portable C (and prints "I\'m in purgatory" on the console), ours XXH3-128 by '
      'default in general registers (its own loop: xxhash.h\'s VSX code took 6.1% of the '
      'handover here against 5.0%), and with --check=sha256 SHA-256 four lanes at a time '
      'in VMX registers, the vector units turned on for the check.'], kt_checks=True)


def s390x_section(w, hand):
    """The s390x handover: ours against Debian's s390x kexec-tools, per case."""
    foreign_section(w, hand, 's390x', [
      'From just before `kexec -e` to the second kernel\'s /init, in guest instructions '
      'counted by QEMU (bench/vclock.py asks over QMP, query-replay\'s icount, when bench/tsc.c '
      'prints each marker; tsc waits for the console to take the line and idles a second '
      'so that the count is still while the host asks): `qemu-system-s390x -M '
      's390-ccw-virtio -icount shift=0 -smp 1 -m 1G`. The guest\'s own clock cannot '
      'measure it: the TOD clock does not run on across the reset (diag 308) the old '
      'kernel asks for before it jumps. Stage 2\'s /init is a one-line busybox script that '
      'execs tsc (the kexec\'d kernel\'s own first exec of the static tsc faults; README '
      '"s390x"), the same for both tools. Our static s390x kexec and Debian 12\'s s390x '
      'kexec-tools 2.0.25 (its libraries in the guest) load Debian 12\'s s390x image and '
      'the same 4 MiB initrd with `-c -l image --initrd=... --append=...`. kexec-tools has '
      'no purgatory on s390x: the old kernel jumps to the image itself, nothing is checked, '
      'and its -i changes nothing. Ours checks with DAT off, in portable C (the reset '
      'leaves the vector and floating-point registers disabled): XXH3-128 by default, '
      'SHA-256 with --check=sha256. Icount is deterministic: one run of each case by '
      'default.'], kt_checks=False, unit='instructions')


def foreign_section(w, hand, title, intro, kt_checks, unit='ticks'):
    """A 32-bit architecture's handover table: ours against Debian's kexec-tools."""
    M, fail = {}, []
    for r in hand:
        t = num(r.get('ticks'))
        if t is None:
            fail.append((r['case'], r['cpu']))
            continue
        M.setdefault((r['case'], r['cpu']), []).append(t)
    med = {k: statistics.median(v) for k, v in M.items()}
    cpus = sorted({k[1] for k in M})
    w(f'## Handover latency in QEMU ({title})')
    w('')
    for p in intro:
        w(p)
    w('')
    names = {'ours': 'ours, with the check (XXH3-128, the default)',
             'ours-sha256': 'ours, --check=sha256', 'ours-i': 'ours, -i (no check)',
             'kt': 'kexec-tools (no purgatory: no check)', 'kt-i': 'kexec-tools, -i (the same)'}
    if kt_checks:
        names['kt'] = 'kexec-tools, with its check (SHA-256)'
        names['kt-i'] = 'kexec-tools, -i (no check)'
    w(f'| case | -cpu | {unit} (median) | runs | spread | / kexec-tools same mode | / our -i |')
    w('| --- | --- | --- | --- | --- | --- | --- |')
    for cpu in cpus:
        for c in ('ours', 'ours-sha256', 'ours-i', 'kt', 'kt-i'):
            v = M.get((c, cpu))
            if not v:
                continue
            m = med[(c, cpu)]
            spread = (max(v) - min(v)) / m if len(v) > 1 else 0
            other = ('kt-i' if c.endswith('-i') else 'kt', cpu)
            w(f'| {names[c]} | {cpu} | {m:.4g} | {len(v)} | {spread * 100:.3f}% '
              f'| {fmt_r(ratio(m, med.get(other)))} | {fmt_r(ratio(m, med.get(("ours-i", cpu))))} |')
    w('')
    for cpu in cpus:
        g = {c: med.get((c, cpu)) for c in ('ours', 'ours-sha256', 'ours-i', 'kt', 'kt-i')}
        if None in (g['ours'], g['ours-i'], g['kt'], g['kt-i']):
            continue
        w(f'On {cpu}: the check costs ours {fmt_pct(over(g["ours"], g["ours-i"]))} of its -i '
          f'handover ({g["ours"] - g["ours-i"]:.3g} {unit})'
          + (f', {fmt_pct(over(g["ours-sha256"], g["ours-i"]))} with --check=sha256'
             if g['ours-sha256'] is not None else '')
          + (f'; kexec-tools\' check costs it {fmt_pct(over(g["kt"], g["kt-i"]))} of its -i '
             f'handover; whole handover, ours / kexec-tools with the check: '
             f'{fmt_r(ratio(g["ours"], g["kt"]))}, both -i: '
             f'{fmt_r(ratio(g["ours-i"], g["kt-i"]))}.' if kt_checks else
             f'; whole handover, ours with the check / kexec-tools (which checks nothing): '
             f'{fmt_r(ratio(g["ours"], g["kt"]))}, ours -i / kexec-tools: '
             f'{fmt_r(ratio(g["ours-i"], g["kt"]))}.'))
        w('')
    if fail:
        w('Failed boots (not in the medians; see the logs in build/bench/vm-logs): '
          + ', '.join(f'{c} on {cpu}' for c, cpu in fail) + '.')
        w('')


def handover_files(out, docs, arch):
    """An architecture's meta and handover rows; its TSV copied into docs (or an old copy removed)."""
    src = os.path.join(out, f'handover-{arch}.tsv')
    dst = os.path.join(docs, f'bench-handover-{arch}.tsv')
    meta = read_kv(os.path.join(out, f'meta-{arch}.tsv'))
    if os.path.exists(src):
        shutil.copy(src, dst)
        return meta, read_tsv(src)
    if os.path.exists(dst):
        os.remove(dst)
    return meta, []


# The 32-bit and foreign architectures measured against Debian's kexec-tools
# for them: (handover-ARCH.tsv's ARCH, the name in the tables, its section).
FOREIGN = (('arm', '32-bit ARM', arm32_section),
           ('i386', 'i386', i386_section),
           ('mips64el', 'MIPS', mips_section),
           ('ppc64el', 'ppc64el', ppc64_section),
           ('s390x', 's390x', s390x_section))


def main():
    out, docs = sys.argv[1], sys.argv[2]
    meta = read_kv(os.path.join(out, 'meta.tsv'))
    times = read_kv(os.path.join(out, 'times.tsv'))
    load = read_tsv(os.path.join(out, 'load.tsv'))
    hand = read_tsv(os.path.join(out, 'handover.tsv'))
    shutil.copy(os.path.join(out, 'load.tsv'), os.path.join(docs, 'bench-load.tsv'))
    shutil.copy(os.path.join(out, 'handover.tsv'), os.path.join(docs, 'bench-handover.tsv'))
    arch_meta, arch_hand = {}, {}
    for arch in ('arm64', 'arm', 'i386', 'mips64el', 'ppc64el', 's390x', 'riscv64'):
        arch_meta[arch], arch_hand[arch] = handover_files(out, docs, arch)
    meta_a, hand_a = arch_meta['arm64'], arch_hand['arm64']
    meta_r, hand_r = arch_meta['riscv64'], arch_hand['riscv64']

    L = {}
    for r in load:
        L[(r['tool'], r['mode'], int(r['initrd_mib']))] = r
    sizes = sorted({int(r['initrd_mib']) for r in load})
    tools = [t for t in ('ours', 'base', 'kt') if any(k[0] == t for k in L)]

    def get(tool, mode, size, col):
        r = L.get((tool, mode, size))
        return num(r[col]) if r else None

    md = []
    w = md.append
    w('# Benchmarks: our kexec against kexec-tools')
    w('')
    raw = ['[bench-load.tsv](bench-load.tsv)', '[bench-handover.tsv](bench-handover.tsv)']
    for arch in ('arm64', 'arm', 'i386', 'mips64el', 'ppc64el', 's390x', 'riscv64'):
        if arch_hand[arch]:
            raw.append(f'[bench-handover-{arch}.tsv](bench-handover-{arch}.tsv)')
    w('Generated by `make bench` (bench/run.sh, bench/report.py); the raw numbers are in '
      + ', '.join(raw[:-1]) + ' and ' + raw[-1] + '. '
      'Ratios are ours / kexec-tools: below 1 is better for us'
      + (' (riscv64: ours alone, as Debian has no riscv64 kexec-tools)' if hand_r else '') + '.')
    w('')
    w('![load cost and handover latency](bench.png)')
    w('')
    w('## Machine and versions')
    w('')
    w('| | |')
    w('| --- | --- |')
    labels = [('date', 'date'), ('cpu', 'CPU'), ('sha_ni', 'SHA extensions (sha_ni)'),
              ('memory', 'memory'), ('os', 'OS'), ('host_kernel', 'host kernel (no kexec: both syscalls fail with ENOSYS)'),
              ('ours', 'our kexec'), ('base', 'baseline (before)'), ('kexec_tools', 'kexec-tools'),
              ('kernel', 'kernel loaded (K)'), ('gcc', 'gcc'), ('qemu', 'QEMU'),
              ('valgrind', 'valgrind'), ('hyperfine', 'hyperfine')]
    for key, label in labels:
        if key in meta:
            w(f'| {label} | {meta[key]} |')
    for key, label in (('ours', 'arm64: our kexec'), ('kexec_tools', 'arm64: kexec-tools'),
                       ('kexec_tools_debs', 'arm64: kexec-tools and its libraries in the guest'),
                       ('kernel', 'arm64: kernel loaded'), ('qemu', 'arm64: QEMU')):
        if key in meta_a:
            w(f'| {label} | {meta_a[key]} |')
    for arch, m in ((a, arch_meta[a]) for a, _, _ in FOREIGN):
        for key, label in (('ours', 'our kexec'), ('kexec_tools', 'kexec-tools'),
                           ('kexec_tools_debs', 'kexec-tools and its libraries in the guest'),
                           ('kernel', 'kernel loaded'), ('qemu', 'QEMU')):
            if key in m:
                w(f'| {arch}: {label} | {m[key]} |')
    for key, label in (('ours', 'riscv64: our kexec'), ('kernel', 'riscv64: kernel loaded'),
                       ('qemu', 'riscv64: QEMU')):
        if key in meta_r:
            w(f'| {label} | {meta_r[key]} |')
    if meta_r:
        w('| riscv64: kexec-tools | none: Debian has no riscv64 kexec-tools (Debian 12 has no riscv64 '
          'port; Debian 13 builds no kexec-tools for riscv64) |')
    w('')
    if times:
        arm = f', arm64 handover {times["handover_arm64"]} s' if 'handover_arm64' in times else ''
        if 'handover_riscv64' in times:
            arm += f', riscv64 handover {times["handover_riscv64"]} s'
        for arch, title, _ in FOREIGN:
            if f'handover_{arch}' in times:
                arm += f', {title} handover {times[f"handover_{arch}"]} s'
        w(f'`make bench` took {int(times.get("total", 0)) // 60} min {int(times.get("total", 0)) % 60} s '
          f'(load cost {times.get("load", "?")} s, x86_64 handover {times.get("handover", "?")} s{arm}; '
          'one guest at a time).')
        w('')

    # ---- Load cost ---------------------------------------------------------
    w('## Load cost on the host')
    w('')
    # Data from before XXH3 has a SHA-NI estimate (ir_shani); with XXH3 the
    # loader runs no SHA-256 block and callgrind's count is the count.
    shani = any(get('ours', '-c', s_, 'ir_shani') is not None for s_ in sizes)
    w('The whole `kexec -c -l K --initrd=I` (kexec_load) and `kexec -s -l K --initrd=I` '
      '(kexec_file_load) up to the syscall, which this host\'s kernel refuses with ENOSYS '
      'after all the work is done; "syscall" says what strace saw. Instructions: '
      'callgrind (deterministic). '
      + ('Valgrind\'s CPUID hides the SHA extensions, so under '
         'callgrind our kexec hashes as on a CPU without them: eight lanes at once in AVX2 '
         'registers (four in SSE2 registers on CPUs without AVX2); "SHA-NI" is the count on '
         'the path this CPU takes (callgrind minus the block functions, plus blocks x the '
         'SHA-NI loop body, counted from the binary). ' if shani else
         'With `-c` our kexec computes the purgatory\'s digest, XXH3-128 (xxhash.h\'s SSE2 '
         'code, on every x86_64 CPU; valgrind\'s CPUID changes nothing for it). ')
      + 'Wall: median of hyperfine runs, '
      'page cache warm. RSS: peak, /usr/bin/time. Initrd 0 MiB: no --initrd (both tools '
      'refuse an empty file); the initrds are random bytes.')
    w('')
    for mode, name in (('-c', 'kexec_load (-c)'), ('-s', 'kexec_file_load (-s)')):
        w(f'### {name}')
        w('')
        hdr = '| initrd | syscall reached (ours, kexec-tools) | instructions ours | instructions kexec-tools | ratio'
        if mode == '-c' and shani:
            hdr += ' | instructions ours, SHA-NI | ratio SHA-NI'
        hdr += ' | wall ours | wall kexec-tools | ratio | peak RSS ours | peak RSS kexec-tools | ratio |'
        w(hdr)
        w('|' + ' --- |' * (hdr.count('|') - 1))
        for s in sizes:
            ro = L.get(('ours', mode, s), {}).get('reached', '?')
            rk = L.get(('kt', mode, s), {}).get('reached', '?')
            io, ik = get('ours', mode, s, 'ir'), get('kt', mode, s, 'ir')
            row = f'| {s} MiB | {ro}, {rk} | {fmt_ir(io)} | {fmt_ir(ik)} | {fmt_r(ratio(io, ik))}'
            if mode == '-c' and shani:
                ins = get('ours', mode, s, 'ir_shani')
                row += f' | {fmt_ir(ins)} | {fmt_r(ratio(ins, ik))}'
            wo, wk = get('ours', mode, s, 'wall_median_s'), get('kt', mode, s, 'wall_median_s')
            mo, mk = get('ours', mode, s, 'rss_kb'), get('kt', mode, s, 'rss_kb')
            row += (f' | {fmt_s(wo)} | {fmt_s(wk)} | {fmt_r(ratio(wo, wk))}'
                    f' | {fmt_kb(mo)} | {fmt_kb(mk)} | {fmt_r(ratio(mo, mk))} |')
            w(row)
        w('')
    w('### The floor: reading the files and copying their bytes')
    w('')
    w('The same measurements of `cat K I >/dev/null` (reading every byte through the page '
      'cache) and bench/copy.c (mapping K and I and one memcpy of every byte into one '
      'buffer: what a loader that reads and copies each byte once cannot avoid).')
    w('')
    w('| initrd | bytes | instructions cat | instructions copy | wall cat | wall copy | peak RSS copy '
      '| wall ours -c / copy | wall kexec-tools -c / copy | wall ours -s / copy |')
    w('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    ksize = num(meta.get('kernel', '0 (0').split('(')[-1].split()[0]) or 0
    for s in sizes:
        wc, wcp = get('cat', '-', s, 'wall_median_s'), get('copy', '-', s, 'wall_median_s')
        w(f'| {s} MiB | {int(ksize + (s << 20))} | {fmt_ir(get("cat", "-", s, "ir"))} '
          f'| {fmt_ir(get("copy", "-", s, "ir"))} | {fmt_s(wc)} | {fmt_s(wcp)} '
          f'| {fmt_kb(get("copy", "-", s, "rss_kb"))} '
          f'| {fmt_r(ratio(get("ours", "-c", s, "wall_median_s"), wcp))} '
          f'| {fmt_r(ratio(get("kt", "-c", s, "wall_median_s"), wcp))} '
          f'| {fmt_r(ratio(get("ours", "-s", s, "wall_median_s"), wcp))} |')
    w('')
    if 'base' in tools:
        w('### Before and after (baseline: ' + meta.get('base', '?') + ')')
        w('')
        w('| initrd | mode | instructions before | after | wall before | after | peak RSS before | after |')
        w('| --- | --- | --- | --- | --- | --- | --- | --- |')
        for s in sizes:
            for mode in ('-c', '-s'):
                w(f'| {s} MiB | {mode} | {fmt_ir(get("base", mode, s, "ir"))} | {fmt_ir(get("ours", mode, s, "ir"))} '
                  f'| {fmt_s(get("base", mode, s, "wall_median_s"))} | {fmt_s(get("ours", mode, s, "wall_median_s"))} '
                  f'| {fmt_kb(get("base", mode, s, "rss_kb"))} | {fmt_kb(get("ours", mode, s, "rss_kb"))} |')
        w('')

    # ---- Handover ----------------------------------------------------------
    H = {}
    floor = []
    for r in hand:
        t = num(r.get('ticks'))
        if t is None or r['case'] not in ('ours', 'ours-sha256', 'ours-i', 'kt', 'kt-i', 'base'):
            continue
        H.setdefault(r['case'], []).append(t)
        us, khz = num(r.get('runinit_us')), num(r.get('tsc_khz'))
        if us is not None and khz:
            floor.append(us * khz / 1000)
    med = {c: statistics.median(v) for c, v in H.items()}
    fl = statistics.median(floor) if floor else None
    w('## Handover latency in QEMU (x86_64)')
    w('')
    w('From just before `kexec -e` in the first kernel to the first instruction of the '
      'second kernel\'s /init, in guest TSC ticks: bench/tsc.c reads the TSC in stage 1 '
      'and then execs `kexec -e`, and is stage 2\'s /init. QEMU TCG with `-icount '
      'shift=0,sleep=off` (one guest instruction = one virtual ns = one TSC tick), one '
      'vCPU, `-cpu qemu64` (no SHA extensions, no AVX2: our purgatory\'s default check, '
      'XXH3-128, runs xxhash.h\'s SSE2 code, and with `--check=sha256` it hashes four SHA-256 '
      'lanes at once with SSE2; kexec-tools\' purgatory hashes SHA-256 one block at a time in C), '
      'no network, 1 GiB. Both tools load the same kernel and the same 1 MiB initrd '
      '(a cpio with /init, zero-padded) with kexec_load (ours: `-c`; kexec-tools 2.0.25\'s '
      'default) and the same command line: ours with its default check (XXH3-128)'
      + (', with `--check=sha256`' if 'ours-sha256' in H else '')
      + ' and with -i (no check), kexec-tools with its SHA-256 check and with -i. '
      'The floor is the second kernel\'s own boot: '
      'the printk timestamp of "Run /init as init process" in stage 2 (its clock starts '
      'early in the second kernel\'s boot).')
    w('')
    names = {'ours': 'ours, with the check (XXH3-128, the default)', 'ours-sha256': 'ours, --check=sha256',
             'ours-i': 'ours, -i (no check)',
             'kt': 'kexec-tools, with the check', 'kt-i': 'kexec-tools, -i (no check)',
             'base': 'baseline (before), with the check'}
    w('| case | TSC ticks (median) | runs | spread | / kexec-tools same mode | / floor |')
    w('| --- | --- | --- | --- | --- | --- |')
    for c in ('ours', 'ours-sha256', 'ours-i', 'base', 'kt', 'kt-i'):
        if c not in H:
            continue
        v = H[c]
        spread = (max(v) - min(v)) / med[c] if len(v) > 1 else 0
        other = 'kt-i' if c.endswith('-i') else 'kt'
        w(f'| {names[c]} | {med[c]:.4g} | {len(v)} | {spread * 100:.3f}% '
          f'| {fmt_r(ratio(med[c], med.get(other)))} | {fmt_r(ratio(med[c], fl))} |')
    if fl:
        w(f'| floor: second kernel\'s boot to /init | {fl:.4g} | {len(floor)} | | | 1 |')
    w('')
    est = None
    if 'ours' in med and 'ours-i' in med:
        bi = med['ours-i']
        cx = med['ours'] - bi
        cs = med['ours-sha256'] - bi if 'ours-sha256' in med else None
        ck = med['kt'] - med['kt-i'] if 'kt' in med and 'kt-i' in med else None
        parts = [f'XXH3: {fmt_pct(cx / bi)} of the handover without the check ({cx:.3g} ticks)']
        if cs is not None:
            parts.append(f'SHA-256 (`--check=sha256`): {fmt_pct(cs / bi)} ({cs:.3g} ticks)')
        txt = 'The check itself (with minus -i), ours against our -i: ' + '; '.join(parts) + '.'
        if ck is not None:
            txt += (f' kexec-tools\' SHA-256 check: {fmt_pct(ck / med["kt-i"])} of its own -i handover '
                    f'({ck:.3g} ticks). The check, ours / kexec-tools: XXH3 {fmt_r(ratio(cx, ck))}'
                    + (f', SHA-256 {fmt_r(ratio(cs, ck))}' if cs is not None else '') + '.')
        txt += (' Ours hashes each segment\'s bytes (bufsz: the kernel image, the initrd, the zero '
                'page); kexec-tools\' purgatory hashes whole segments (memsz), zeros included.')
        if cs is None:
            txt += (' These numbers have no `ours-sha256` runs (`--check=sha256`); in data from '
                    'before that option, `ours` checked with SHA-256.')
        w(txt)
        w('')
        if ksize:
            kb = ksize + (1 << 20)
            blocks_x = kb / 64
            txt = (f'The check in guest instructions (ticks) per 64 bytes of the kernel file and the '
                   f'initrd ({kb:.0f} bytes, {blocks_x:.0f} blocks): XXH3 {cx / blocks_x:.0f}')
            if cs is not None:
                txt += f', SHA-256 {cs / blocks_x:.0f}'
            if ck is not None:
                txt += (f', kexec-tools {ck / blocks_x:.0f} (its purgatory hashes whole segments, '
                        'memsz, so also the zeros)')
            w(txt + '.')
            w('')
        w(f'Our purgatory\'s default check is {XXH3_WHAT}: on x86_64 it runs xxhash.h\'s SSE2 '
          f'code, about {XXH3_STRIPE_INSNS["x86_64"]} instructions per 64-byte stripe (counted '
          'from the purgatory\'s disassembly), on every x86_64 CPU.')
        w('')
        pp, pn = num(meta.get('purgatory_block_portable')), num(meta.get('purgatory_block_sha_ni'))
        px = num(meta.get('purgatory_block_x4'))
        py = num(meta.get('purgatory_block_x8'))
        if pp and pn and px and py:
            px, py = px / 4, py / 8
            txt = (f'With `--check=sha256`, per 64-byte block our purgatory executes {px:.0f} '
                   f'instructions in its four-lane SSE2 SHA-256 (the path qemu64 takes), {py:.0f} in '
                   f'its eight-lane AVX2 code (the '
                   f'path of CPUs with AVX2 but no SHA extensions; `-cpu max` guests take it, but '
                   f'QEMU 7.2 under icount stops for good when a guest sets CR4.OSXSAVE: the kernel '
                   f'itself at boot with `-cpu qemu64,+xsave`, and our purgatory at the same '
                   f'instruction with `noxsave` kernels), {int(pp)} in its one-block portable C, and '
                   f'{int(pn)} with the SHA extensions, which QEMU\'s TCG (7.2) does not emulate.')
            if cs is not None:
                est = bi + cs * pn / px
                est8 = bi + cs * py / px
                txt += (f' Scaling the SHA-256 check by those ratios estimates the handover with '
                        f'`--check=sha256`: {est8:.4g} ticks with AVX2 '
                        f'({fmt_r(ratio(est8, med.get("kt")))}x kexec-tools), '
                        f'{est:.4g} with SHA extensions ({fmt_r(ratio(est, med.get("kt")))}x; '
                        'kexec-tools\' purgatory has neither path).')
            w(txt)
            w('')

    # ---- Handover, arm64 ---------------------------------------------------
    A = {}        # (case, cpu) -> [ticks]
    afloor = {}   # cpu -> [ticks]
    afail = []
    for r in hand_a:
        t = num(r.get('ticks'))
        key = (r['case'], r['cpu'])
        if t is None:
            afail.append(key)
            continue
        A.setdefault(key, []).append(t)
        us, hz = num(r.get('runinit_us')), num(r.get('cntfrq_hz'))
        if us is not None and hz:
            afloor.setdefault((r['case'], r['cpu']), []).append(us * hz / 1e6)
    amed = {k: statistics.median(v) for k, v in A.items()}
    hz_a = next((num(r.get('cntfrq_hz')) for r in hand_a if num(r.get('cntfrq_hz'))), None)
    ipt = 1e9 / hz_a if hz_a else None   # guest instructions per counter tick (icount shift=0)
    cpus_a = [ARM64_CPU] + sorted({k[1] for k in A} - {ARM64_CPU})
    sha2_a = {r['cpu']: r.get('sha2') for r in hand_a if r.get('sha2')}
    ar = {}
    if hand_a:
        w('## Handover latency in QEMU (arm64)')
        w('')
        w('From just before `kexec -e` in the first kernel to the first instruction of the '
          'second kernel\'s /init, in ticks of the guest\'s virtual counter CNTVCT_EL0: '
          'bench/tsc.c, built with aarch64-linux-gnu-gcc -static, reads it in stage 1 and '
          'then execs `kexec -e`, and is stage 2\'s /init (bench/handover-arm64.sh). '
          '`qemu-system-aarch64 -M virt -cpu cortex-a57 -icount shift=0,sleep=off -smp 1 '
          '-m 1G -net none` (TCG): one guest instruction = one virtual ns, and the counter '
          f'runs at {hz_a / 1e6 if hz_a else 0:g} MHz of virtual time, so one tick = '
          f'{ipt or 0:.0f} guest instructions. Our static arm64 kexec (`-c`, kexec_load) '
          'and Debian 12\'s arm64 kexec-tools 2.0.25 (`-c`, kexec_load; dynamically linked: '
          'its program interpreter, libc and zlib from Debian\'s arm64 packages are in the '
          'guest, and a stand-in libxenctrl, bench/xenctrl-stub.c, as on x86_64) load the '
          'same kernel (Debian\'s 6.1 arm64 cloud kernel, the raw Image) and the same 1 MiB '
          'initrd (a cpio with /init, zero-padded) as root with `-l Image --initrd=... '
          '--append=...`, nothing more: kexec-tools reads the device tree from '
          '/sys/firmware/fdt and the memory from /proc/iomem itself. Ours checks with its '
          'default check (XXH3-128)'
          + (', with `--check=sha256`' if any(k[0] == 'ours-sha256' for k in A) else '')
          + ' and with -i (no check); kexec-tools with its SHA-256 check and with -i. Each case is booted '
          'several times on cortex-a57 and once on the other CPU models. The floor is the '
          'second kernel\'s own boot: the printk timestamp of "Run /init as init process" '
          'in stage 2 (its clock starts when the arch timer is registered, early in the '
          'second kernel\'s boot).')
        w('')
        names_a = {'ours': 'ours, with the check (XXH3-128, the default)',
                   'ours-sha256': 'ours, --check=sha256', 'ours-i': 'ours, -i (no check)',
                   'kt': 'kexec-tools, with the check', 'kt-i': 'kexec-tools, -i (no check)'}
        w('| case | -cpu | SHA2 instructions | ticks (median) | runs | spread | / kexec-tools same mode '
          '| / our -i | floor (median) | / floor |')
        w('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
        for cpu in cpus_a:
            for c in ('ours', 'ours-sha256', 'ours-i', 'kt', 'kt-i'):
                v = A.get((c, cpu))
                if not v:
                    continue
                m = amed[(c, cpu)]
                spread = (max(v) - min(v)) / m if len(v) > 1 else 0
                other = ('kt-i' if c.endswith('-i') else 'kt', cpu)
                fl_a = statistics.median(afloor[(c, cpu)]) if afloor.get((c, cpu)) else None
                w(f'| {names_a[c]} | {cpu} | {sha2_a.get(cpu, "?")} | {m:.4g} | {len(v)} '
                  f'| {spread * 100:.3f}% | {fmt_r(ratio(m, amed.get(other)))} '
                  f'| {fmt_r(ratio(m, amed.get(("ours-i", cpu))))} '
                  f'| {"-" if fl_a is None else f"{fl_a:.4g}"} | {fmt_r(ratio(m, fl_a))} |')
        w('')
        if afail:
            w('Failed boots (not in the medians; see the logs in build/bench/vm-logs): '
              + ', '.join(f'{c} on {cpu}' for c, cpu in afail) + '.')
            w('')
        # With ours-sha256 runs (--check=sha256), its columns beside the default check's.
        sha_a = any(k[0] == 'ours-sha256' for k in A)
        w('Side by side (medians), ours / kexec-tools; "XXH3" is our default check, "SHA-256" '
          'ours with `--check=sha256`, "kexec-tools" its SHA-256 check:' if sha_a else
          'Side by side (medians), ours / kexec-tools; "XXH3" is our default check, '
          '"kexec-tools" its SHA-256 check:')
        w('')
        chk = 'XXH3, SHA-256, kexec-tools' if sha_a else 'XXH3, kexec-tools'
        hdr = '| -cpu | with the check: ours (XXH3), kexec-tools, ratio'
        if sha_a:
            hdr += ' | --check=sha256: ours, / kexec-tools'
        hdr += (f' | -i: ours, kexec-tools, ratio | the check itself (with minus -i), ticks: {chk} '
                f'| the check, ours / kexec-tools: {"XXH3, SHA-256" if sha_a else "XXH3"} '
                f'| the check / the same tool\'s -i handover: {chk} |')
        w(hdr)
        w('|' + ' --- |' * (hdr.count('|') - 1))
        for cpu in cpus_a:
            g = {c: amed.get((c, cpu)) for c in ('ours', 'ours-sha256', 'ours-i', 'kt', 'kt-i')}
            if None in (g['ours'], g['ours-i'], g['kt'], g['kt-i']):
                continue
            co, ck = g['ours'] - g['ours-i'], g['kt'] - g['kt-i']
            cs = g['ours-sha256'] - g['ours-i'] if g['ours-sha256'] is not None else None
            ar[cpu] = {'r': g['ours'] / g['kt'], 'ri': g['ours'] / g['ours-i'], 'co': co, 'ck': ck,
                       'cs': cs, 'rs': ratio(g['ours-sha256'], g['kt'])}
            row = f'| {cpu} | {g["ours"]:.4g}, {g["kt"]:.4g}, {fmt_r(ar[cpu]["r"])}'
            if sha_a:
                sv = '-' if cs is None else f'{g["ours-sha256"]:.4g}'
                row += f' | {sv}, {fmt_r(ar[cpu]["rs"])}'
            row += f' | {g["ours-i"]:.4g}, {g["kt-i"]:.4g}, {fmt_r(ratio(g["ours-i"], g["kt-i"]))}'
            row += (f' | {co:.3g}, ' + (('-' if cs is None else f'{cs:.3g}') + ', ' if sha_a else '')
                    + f'{ck:.3g}')
            row += f' | {fmt_r(ratio(co, ck))}' + (f', {fmt_r(ratio(cs, ck))}' if sha_a else '')
            row += (f' | {fmt_pct(over(g["ours"], g["ours-i"]))}, '
                    + (f'{fmt_pct(over(g["ours-sha256"], g["ours-i"]))}, ' if sha_a else '')
                    + f'{fmt_pct(over(g["kt"], g["kt-i"]))} |')
            w(row)
        w('')
        img = num(meta_a.get('image_bytes'))
        pce, px4, ppo = (num(meta_a.get('purgatory_block_ce')), num(meta_a.get('purgatory_block_x4')),
                         num(meta_a.get('purgatory_block_portable')))
        if ARM64_CPU in ar and img and ipt:
            blocks = (img + (1 << 20)) / 64
            co, cs, ck = ar[ARM64_CPU]['co'], ar[ARM64_CPU]['cs'], ar[ARM64_CPU]['ck']
            txt = (f'The check in guest instructions per 64 bytes of the Image and the initrd '
                   f'({img + (1 << 20):.0f} bytes; ticks x {ipt:.0f} / blocks), {ARM64_CPU}: '
                   f'ours {co * ipt / blocks:.0f} with XXH3 (the default)'
                   + ('' if cs is None else f', {cs * ipt / blocks:.0f} with `--check=sha256`')
                   + f', kexec-tools {ck * ipt / blocks:.0f} (its purgatory '
                   'hashes whole segments, memsz, so also the Image\'s BSS and the padding, with '
                   'the MMU off, one block at a time in C).')
            txt += (f' Our purgatory\'s default check is {XXH3_WHAT}: on arm64 its own NEON loop, '
                    f'{XXH3_STRIPE_INSNS["arm64"]} instructions per 64-byte stripe (counted from the '
                    'purgatory\'s disassembly), with the MMU and the caches on (with the MMU off, '
                    'its scalar loop in general registers).')
            if pce and px4 and ppo:
                txt += (f' With `--check=sha256`, per 64-byte block: {pce:.0f} instructions with the '
                        f'SHA-256 Crypto Extensions (purgatory/arm64/sha256-ce.S: the path both CPU '
                        f'models take, as QEMU emulates SHA2), {px4 / 4:.0f} in its four-lane NEON code '
                        f'(CPUs without them), {ppo:.0f} in its one-block portable C (the MMU-off '
                        'fallback).')
            w(txt)
            w('')
        kt_slow = None
        if ('kt-i', ARM64_CPU) in afloor and ('ours-i', ARM64_CPU) in afloor:
            kt_slow = (statistics.median(afloor[('kt-i', ARM64_CPU)])
                       - statistics.median(afloor[('ours-i', ARM64_CPU)]))

        def crng(case, cpu):
            v = [r.get('crng_us') or '' for r in hand_a
                 if r['case'] == case and r['cpu'] == cpu and num(r.get('ticks')) is not None]
            if not v:
                return None
            if all(x == '' for x in v):
                return 'none before /init'
            return 'at ' + ', '.join(sorted({x + ' µs' if x else 'none' for x in v}))
        if kt_slow is not None and abs(kt_slow) > 1e5:
            co, ck = crng('ours-i', ARM64_CPU), crng('kt-i', ARM64_CPU)
            txt = (f'With -i the two differ mostly in the second kernel\'s own boot: on {ARM64_CPU} it '
                   f'reaches /init {kt_slow:.3g} ticks ({kt_slow / hz_a * 1e3:.1f} ms of virtual time) '
                   f'{"later" if kt_slow > 0 else "earlier"} after kexec-tools\' handover than after ours. ')
            if co and ck:
                txt += (f'Stage 2 logs "random: crng init done" (printk time) {co} after ours; '
                        f'after kexec-tools\', {ck}. ')
                if co.startswith('at') and ck == 'none before /init':
                    txt += ('Our device tree carries a fresh rng-seed (lib/dtb.c); kexec-tools 2.0.25 '
                            'copies the first kernel\'s tree (/sys/firmware/fdt) and refreshes only '
                            'its kaslr-seed, and the firmware\'s rng-seed is gone from that tree (the '
                            'first kernel consumed it), so the second kernel starts unseeded. ')
            fm = [(afloor.get(('ours-i', c)), afloor.get(('kt-i', c))) for c in cpus_a if c != ARM64_CPU]
            if fm and all(a and b for a, b in fm):
                txt += ('On ' + ', '.join(f'`-cpu {c}`' for c in cpus_a if c != ARM64_CPU)
                        + ' the two floors differ by '
                        + ', '.join(f'{statistics.median(b) - statistics.median(a):.3g}' for a, b in fm)
                        + ' ticks (`-cpu max` has RNDR, which seeds the kernel\'s generator at once).')
            w(txt)
            w('')
        w('QEMU\'s TCG does not model caches, so what the arm64 purgatory\'s design buys on '
          'real hardware is not measured here: it turns the MMU and the caches on for the '
          'check, while kexec-tools\' purgatory reads every byte with the MMU and the caches '
          'off (Device memory, uncached). Under TCG both cost only their instructions; the '
          'ratios above come from the instructions per block alone.')
        w('')

    # ---- Handover, 32-bit ARM, i386, MIPS ---------------------------------
    for arch, _, section in FOREIGN:
        if arch_hand[arch]:
            section(w, arch_hand[arch])

    # ---- Handover, riscv64 -------------------------------------------------
    R = {}        # (case, cpu) -> [ticks]
    rfloor = {}   # (case, cpu) -> [ticks]
    rfail = []
    for r in hand_r:
        t = num(r.get('ticks'))
        key = (r['case'], r['cpu'])
        if t is None:
            rfail.append(key)
            continue
        R.setdefault(key, []).append(t)
        us, hz = num(r.get('runinit_us')), num(r.get('timebase_hz'))
        if us is not None and hz:
            rfloor.setdefault(key, []).append(us * hz / 1e6)
    rmed = {k: statistics.median(v) for k, v in R.items()}
    hz_r = next((num(r.get('timebase_hz')) for r in hand_r if num(r.get('timebase_hz'))), None)
    ipt_r = 1e9 / hz_r if hz_r else None  # guest instructions per time tick (icount shift=0)
    cpus_r = ([RISCV64_CPU] if any(k[1] == RISCV64_CPU for k in R) else []) + \
        sorted({k[1] for k in R} - {RISCV64_CPU})
    zk_r = {}
    for r in hand_r:
        if r.get('zknh'):
            zk_r[r['cpu']] = f'{r["zknh"]} / {r.get("loader_zknh") or "?"}'
    rc = {}       # cpu -> {'xxh3': check / our -i, 'sha256': the same with --check=sha256}
    sha_r = any(k[0] == 'ours-sha256' for k in R)
    if hand_r:
        icount = meta_r.get('icount', 'shift=0,sleep=off')
        w('## Handover latency in QEMU (riscv64)')
        w('')
        w('From just before `kexec -e` in the first kernel to the first instruction of the '
          'second kernel\'s /init, in ticks of the guest\'s time CSR: bench/tsc.c, built with '
          'riscv64-linux-gnu-gcc -static, reads it (rdtime) in stage 1 and then execs `kexec -e`, '
          'and is stage 2\'s /init (bench/handover-riscv64.sh). `qemu-system-riscv64 -M virt '
          f'-bios default -cpu rv64 -icount {icount} -smp 1 -m 1G -net none` (TCG; QEMU\'s own '
          'OpenSBI): one guest instruction = one virtual ns, and the time CSR runs at '
          f'{hz_r / 1e6 if hz_r else 0:g} MHz of virtual time (the device tree\'s '
          f'timebase-frequency), so one tick = {ipt_r or 0:.0f} guest instructions. Our static '
          'riscv64 kexec loads Debian 13\'s riscv64 kernel (the raw Image; it has no '
          'kexec_file_load) and a 1 MiB initrd (a cpio with /init, zero-padded) with '
          '`kexec -c -l Image --initrd=... --append=...`, with the purgatory\'s default check '
          '(XXH3-128 of each segment, chained, purgatory/common/xxh3.c: its own scalar loop with '
          'the accumulators in registers, the same code on both CPU models)'
          + (', with `--check=sha256`' if sha_r else '')
          + ' and without a check (-i), on `-cpu rv64` (no Zknh: `--check=sha256` runs the '
          'purgatory\'s portable C) and on `-cpu rv64,zknh=true` (the scalar SHA-256 instructions: '
          'the loader finds zknh on every hart in /proc/cpuinfo and, with `--check=sha256`, the '
          'purgatory takes its Zknh path). **There is no '
          'kexec-tools to compare with: Debian has no riscv64 kexec-tools** (Debian 12 has no '
          'riscv64 port, and Debian 13 does not build kexec-tools for riscv64), so the reference '
          'is our own -i, the handover without the check, and the floor is the second kernel\'s '
          'own boot: the printk timestamp of "Run /init as init process" in stage 2.')
        w('')
        names_r = {'ours': 'ours, with the check (XXH3-128, the default)',
                   'ours-sha256': 'ours, --check=sha256', 'ours-i': 'ours, -i (no check)'}
        w('| case | -cpu | Zknh (cpuinfo / loader) | ticks (median) | runs | spread '
          '| virtual time | / our -i | floor (median) | / floor | minus floor (median) | its spread |')
        w('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
        for cpu in cpus_r:
            for c in ('ours', 'ours-sha256', 'ours-i'):
                v = R.get((c, cpu))
                if not v:
                    continue
                m = rmed[(c, cpu)]
                spread = (max(v) - min(v)) / m if len(v) > 1 else 0
                fl_r = statistics.median(rfloor[(c, cpu)]) if rfloor.get((c, cpu)) else None
                vt = f'{m / hz_r * 1e3:.1f} ms' if hz_r else '-'
                d = [t - f for t, f in zip(v, rfloor.get((c, cpu), []))] \
                    if len(rfloor.get((c, cpu), [])) == len(v) else []
                dm = statistics.median(d) if d else None
                ds = f'{(max(d) - min(d)) / dm * 100:.3f}%' if d and dm else '-'
                w(f'| {names_r[c]} | {cpu} | {zk_r.get(cpu, "?")} | {m:.4g} | {len(v)} '
                  f'| {spread * 100:.3f}% | {vt} | {fmt_r(ratio(m, rmed.get(("ours-i", cpu))))} '
                  f'| {"-" if fl_r is None else f"{fl_r:.4g}"} | {fmt_r(ratio(m, fl_r))} '
                  f'| {"-" if dm is None else f"{dm:.4g}"} | {ds} |')
        w('')
        rsp = max(((max(v) - min(v)) / statistics.median(v) for v in R.values() if len(v) > 1), default=0)
        w('Unlike the arm64 guests, the riscv64 runs of one case are not all alike: some differ '
          f'by up to {rsp * 100:.1f}% (the spread columns), and the difference is in the second '
          'kernel\'s boot (the floor, and "minus floor": from just before `kexec -e` to the '
          'start of the second kernel\'s printk clock, i.e. the first kernel\'s shutdown, the '
          'purgatory and the second kernel\'s earliest boot), not in the check. Icount leaves '
          'the random seeds as the runs\' only input that changes (QEMU\'s rng-seed for the '
          'first kernel, ours in the second kernel\'s device tree), presumably the cause. The '
          'medians are of whole runs.')
        w('')
        if rfail:
            w('Failed boots (not in the medians; see the logs in build/bench/vm-logs): '
              + ', '.join(f'{c} on {cpu}' for c, cpu in rfail) + '.')
            w('')
        img = num(meta_r.get('image_bytes'))
        blocks = (img + (1 << 20)) / 64 if img else None
        ppo, pzk = num(meta_r.get('purgatory_block_portable')), num(meta_r.get('purgatory_block_zknh'))
        w('The check itself (with minus -i, medians)'
          + (': "XXH3" is the default check, "SHA-256" `--check=sha256`:' if sha_r else
             ', the default check (XXH3-128):'))
        w('')
        both = 'XXH3, SHA-256' if sha_r else 'XXH3'
        hdr = (f'| -cpu | check, ticks: {both} | check, virtual time: {both} '
               f'| the check / our -i handover: {both} | guest instructions per 64-byte block: {both} '
               '| the code\'s instructions per 64 bytes (disassembly): XXH3 loop (a stripe)'
               + (', SHA-256 block function (its path)' if sha_r else '') + ' |')
        w(hdr)
        w('|' + ' --- |' * (hdr.count('|') - 1))
        for cpu in cpus_r:
            b = rmed.get(('ours-i', cpu))
            a, sa = rmed.get(('ours', cpu)), rmed.get(('ours-sha256', cpu))
            if a is None or b is None:
                continue
            zk = zk_r.get(cpu, '').endswith('yes')
            rc[cpu] = {'xxh3': over(a, b), 'sha256': over(sa, b)}
            checks = [a - b] + ([None if sa is None else sa - b] if sha_r else [])

            def cols(f):
                return ', '.join('-' if c is None else f(c) for c in checks)
            fn = pzk if zk else ppo
            code = f'{XXH3_STRIPE_INSNS["riscv64"]}'
            if sha_r:
                code += (f', {"-" if fn is None else f"{fn:.0f}"} '
                         f'({"Zknh, sha256-zknh.c" if zk else "portable C"})')
            w(f'| {cpu} | {cols(lambda c: f"{c:.4g}")} '
              f'| {cols(lambda c: f"{c / hz_r * 1e3:.1f} ms") if hz_r else "-"} '
              f'| {cols(lambda c: fmt_pct(c / b))} '
              f'| {cols(lambda c: f"{c * ipt_r / blocks:.0f}") if ipt_r and blocks else "-"} '
              f'| {code} |')
        w('')
        if blocks:
            w(f'Blocks: the Image and the initrd, {img + (1 << 20):.0f} bytes, {blocks:.0f} blocks of '
              f'64 bytes (ticks x {ipt_r or 0:.0f} / blocks). The purgatory hashes each segment\'s '
              'bytes (bufsz) once. XXH3\'s loop takes one 64-byte stripe an iteration '
              f'({XXH3_STRIPE_INSNS["riscv64"]} instructions, counted from the purgatory\'s '
              'disassembly), plus a scramble of its accumulators every 1024 bytes and a merge '
              'and a link of the chain per segment'
              + ('; the SHA-256 block functions (`--check=sha256`) are straight-line code, one '
                 'block a call, so their per-block cost is that check\'s whole cost' if sha_r else '')
              + '. '
              + ' '.join(f'On `-cpu {c}` the check costs {fmt_pct(rc[c]["xxh3"])} of the handover '
                         'without it (our -i)'
                         + ('' if rc[c]['sha256'] is None
                            else f' with XXH3, {fmt_pct(rc[c]["sha256"])} with `--check=sha256`')
                         + '.' for c in cpus_r if c in rc)
              + ' QEMU\'s TCG models no caches and no pipeline, and counts every instruction as '
              'one ns: what the check costs on real harts is not measured here, only its '
              'instructions.')
            w('')
        if not sha_r:
            w('These numbers have no `ours-sha256` runs (`--check=sha256`); in data from before '
              'that option, `ours` checked with SHA-256 (portable C on rv64, Zknh with zknh=true'
              + (f': {ppo:.0f} and {pzk:.0f} instructions a block' if ppo and pzk else '') + ').')
            w('')

    # ---- Compressed kernels (bench/unwrap.sh) -----------------------------
    unwrap_path = os.path.join(out, 'unwrap.tsv')
    unw = read_tsv(unwrap_path) if os.path.exists(unwrap_path) else []
    if unw:
        shutil.copy(unwrap_path, os.path.join(docs, 'bench-unwrap.tsv'))
    elif os.path.exists(os.path.join(docs, 'bench-unwrap.tsv')):
        os.remove(os.path.join(docs, 'bench-unwrap.tsv'))
    if unw:
        U = {(r['tool'], r['kernel']): r for r in unw}
        has_base = any(r['tool'] == 'base' for r in unw)
        w('## Compressed kernels, and a bomb')
        w('')
        w('bench/unwrap.sh: the kernel K wrapped in gzip -9, xz, zstd -19 and lz4 -9, and B, '
          '1 MiB of gzip that unpacks to 1 GiB of zeros, each loaded with `kexec -c -i -l FILE '
          '--initrd=I` (32 MiB initrd; `-i` so that only the peeling differs, not the check) up to '
          'the syscall. ' + ('"before": ' + meta.get('unwrap_base', 'an older build of ours')
                             + ', which unpacked every layer whole before looking at it. '
                             if has_base else '')
          + 'Instructions: callgrind; wall: median of hyperfine runs; RSS: peak.')
        w('')
        cols = ['kernel', 'ours: instructions', 'wall', 'peak RSS']
        if has_base:
            cols += ['before: instructions', 'wall', 'peak RSS', 'instructions ours / before']
        cols += ['kexec-tools']
        w('| ' + ' | '.join(cols) + ' |')
        w('|' + ' --- |' * len(cols))
        for k in ('plain', 'gzip', 'xz', 'zstd', 'lz4', 'bomb'):
            o = U.get(('ours', k))
            if not o:
                continue
            row = [k if k != 'bomb' else 'bomb (1 GiB of zeros)', fmt_ir(num(o['ir'])),
                   fmt_s(num(o['wall_median_s'])), fmt_kb(num(o['rss_kb']))]
            if has_base:
                b = U.get(('base', k), {})
                row += [fmt_ir(num(b.get('ir'))), fmt_s(num(b.get('wall_median_s'))),
                        fmt_kb(num(b.get('rss_kb'))),
                        fmt_r(ratio(num(o['ir']), num(b.get('ir'))))]
            kt = U.get(('kt', k))
            if not kt:
                row.append('does not read it')
            elif kt['reached'] == 'ENOSYS':
                row.append(f'{fmt_ir(num(kt["ir"]))} instructions, {fmt_s(num(kt["wall_median_s"]))}')
            else:
                row.append(f'refuses it: "{kt["message"]}"')
            w('| ' + ' | '.join(row) + ' |')
        w('')
        bo, bb = U.get(('ours', 'bomb')), U.get(('base', 'bomb'))
        if bo:
            w(f'The bomb: ours says "{bo["message"]}" (exit {bo["exit"]}) after '
              f'{fmt_s(num(bo["wall_median_s"]))} with {fmt_kb(num(bo["rss_kb"]))} at most'
              + (f'; before, "{bb["message"]}" after {fmt_s(num(bb["wall_median_s"]))} with '
                 f'{fmt_kb(num(bb["rss_kb"]))}' if bb else '') + '.')
            w('')

    # ---- Targets -----------------------------------------------------------
    w('## Targets')
    w('')
    w('| target | measured | met |')
    w('| --- | --- | --- |')
    ik = get('kt', '-c', 32, 'ir')
    r_port = ratio(get('ours', '-c', 32, 'ir'), ik)
    r_ni = ratio(get('ours', '-c', 32, 'ir_shani'), ik)
    if r_port is not None and r_ni is None:
        w(f'| load instructions, -c, 32 MiB initrd: at most {TARGET_LOAD_IR}x kexec-tools '
          f'| {fmt_r(r_port)} (the XXH3 digest: the same on every x86_64 CPU) '
          f'| {"yes" if r_port <= TARGET_LOAD_IR else "no"} |')
    elif r_port is not None:
        w(f'| load instructions, -c, 32 MiB initrd: at most {TARGET_LOAD_IR}x kexec-tools '
          f'| {fmt_r(r_ni)} on the SHA-NI path this CPU takes; {fmt_r(r_port)} under callgrind\'s '
          f'CPUID (no SHA extensions: eight lanes in AVX2, or four in SSE2 without AVX2) '
          f'| {"yes" if r_ni is not None and r_ni <= TARGET_LOAD_IR else "no"}'
          f' (without SHA extensions: {"yes" if r_port <= TARGET_LOAD_IR else "no"}) |')
    if 'ours' in med and 'kt' in med:
        r = med['ours'] / med['kt']
        extra = ''
        if 'ours-sha256' in med:
            extra += (f'; `--check=sha256`: {fmt_r(med["ours-sha256"] / med["kt"])} measured '
                      '(four-lane SSE2 SHA-256)')
        if est is not None:
            extra += (f', estimated {fmt_r(est / med["kt"])} on a CPU with SHA extensions '
                      f'({"within" if est / med["kt"] <= TARGET_HANDOVER else "over"} the target)')
        w(f'| handover with the check (XXH3-128, the default), x86_64: at most {TARGET_HANDOVER}x '
          f'kexec-tools | {fmt_r(r)} measured (qemu64: xxhash.h\'s SSE2){extra} '
          f'| {"yes" if r <= TARGET_HANDOVER else "no"} |')
    if ARM64_CPU in ar:
        a = ar[ARM64_CPU]
        r, ri = a['r'], a['ri']
        extra = ''
        if a['cs'] is not None:
            extra = (f' (`--check=sha256`: {fmt_r(a["rs"])}x kexec-tools; '
                     f'{fmt_pct(over(amed[("ours-sha256", ARM64_CPU)], amed[("ours-i", ARM64_CPU)]))} '
                     'over our -i)')
        w(f'| handover with the check (XXH3-128, the default), arm64 ({ARM64_CPU}): at most '
          f'{TARGET_ARM64}x kexec-tools, and within {TARGET_ARM64_CHECK * 100:.0f}% of our -i '
          f'| {fmt_r(r)}x kexec-tools; {fmt_pct(ri - 1)} over our -i{extra} '
          f'| {"yes" if r <= TARGET_ARM64 and ri - 1 <= TARGET_ARM64_CHECK else "no"} |')
    # The default check's own cost: (ours - ours-i) / ours-i.
    o = over(med.get('ours'), med.get('ours-i'))
    if o is not None:
        os_ = over(med.get('ours-sha256'), med.get('ours-i'))
        w(f'| the check, x86_64 (qemu64): under {TARGET_CHECK_X86 * 100:g}% of the handover '
          f'without it | {fmt_pct(o)} (XXH3-128: {med["ours"] - med["ours-i"]:.3g} ticks over '
          f'{med["ours-i"]:.4g})'
          + ('' if os_ is None else f'; `--check=sha256`: {fmt_pct(os_)}')
          + f' | {"yes" if o < TARGET_CHECK_X86 else "no"} |')
    o = over(amed.get(('ours', ARM64_CPU)), amed.get(('ours-i', ARM64_CPU)))
    if o is not None:
        os_ = over(amed.get(('ours-sha256', ARM64_CPU)), amed.get(('ours-i', ARM64_CPU)))
        w(f'| the check, arm64 ({ARM64_CPU}): under {TARGET_CHECK_ARM64 * 100:g}% of the handover '
          f'without it | {fmt_pct(o)} (XXH3-128)'
          + ('' if os_ is None else f'; `--check=sha256`: {fmt_pct(os_)}')
          + f' | {"yes" if o < TARGET_CHECK_ARM64 else "no"} |')
    if rc.get(RISCV64_CPU, {}).get('xxh3') is not None:
        o = rc[RISCV64_CPU]['xxh3']
        others = [c for c in cpus_r if c != RISCV64_CPU and c in rc and rc[c]['xxh3'] is not None]
        meas = f'{fmt_pct(o)} on {RISCV64_CPU} (XXH3-128)'
        if rc[RISCV64_CPU]['sha256'] is not None:
            meas += f'; `--check=sha256`: {fmt_pct(rc[RISCV64_CPU]["sha256"])}'
        for c in others:
            meas += f'; on {c}: {fmt_pct(rc[c]["xxh3"])}'
            if rc[c]['sha256'] is not None:
                meas += f', `--check=sha256` {fmt_pct(rc[c]["sha256"])}'
        met = 'yes' if o < TARGET_CHECK_RISCV64 else 'no'
        if others:
            met += (' (' + ', '.join(f'{c}: {"yes" if rc[c]["xxh3"] < TARGET_CHECK_RISCV64 else "no"}'
                                     for c in others) + ')')
        w(f'| the check, riscv64 ({RISCV64_CPU}, no Zknh: the bench\'s default -cpu): under '
          f'{TARGET_CHECK_RISCV64 * 100:g}% of the handover without it | {meas} | {met} |')
    w('')
    any_sha = 'ours-sha256' in med or any(k[0] == 'ours-sha256' for k in A) or sha_r
    w('The handover targets are for ours with its default check, XXH3-128 (SHA-256 before '
      '`--check=sha256` existed); "the check" rows are with minus -i, over -i.'
      + ('' if any_sha else ' These numbers have no `ours-sha256` runs: in data from before '
         '`--check=sha256`, `ours` checked with SHA-256.'))
    w('')
    w('## Notes')
    w('')
    w('- Our load path maps the kernel and the initrd (no read(), no copy: the syscall copies '
      'from the mapped pages) and hashes each byte once, for the purgatory\'s digest (the '
      'per-segment SHA-256 that `--dry-run` prints is computed only for --dry-run). The '
      f'default digest is {XXH3_WHAT}: the loader and the purgatory run the same code. The '
      'x86_64 purgatory runs xxhash.h\'s SSE2 code, about '
      f'{XXH3_STRIPE_INSNS["x86_64"]} instructions per 64-byte stripe; the arm64 one its own '
      f'NEON loop, {XXH3_STRIPE_INSNS["arm64"]} a stripe, with the MMU and the caches on; the '
      'riscv64 one its own scalar loop with the accumulators in registers, '
      f'{XXH3_STRIPE_INSNS["riscv64"]} a stripe (counted from the purgatories\' disassembly). '
      'It guards against accidental corruption, not against a deliberate forgery. '
      'With `--check=sha256` the digest is SHA-256 over each segment\'s eight lane digests '
      '(purgatory/common/sha256.c: the segment cut into eight parts, each hashed as a message '
      'of its own), so that a CPU without SHA extensions hashes eight blocks at once in AVX2 '
      'registers, or four in SSE2 registers (purgatory/common/sha256-lanes.c); with them, the '
      'lanes are hashed one after the other by sha256-ni.S (lib/arch/x86_64/sha256.c chooses '
      'from CPUID). The purgatory runs the same code. '
      'kexec-tools reads both files into malloc\'d buffers and hashes every segment, zero '
      'padding included, one block at a time in C (SHA-256).')
    w('- Peak RSS is the same for both tools with -c: both hold every byte of K and I (ours '
      'as mapped page-cache pages, kexec-tools as a private copy). With -s ours maps '
      'nothing and passes file descriptors; kexec-tools reads the kernel to probe it.')
    w('- The handover numbers do not depend on the host (icount); the wall times do, and '
      'other jobs on the machine add noise to them (hyperfine\'s min and max are in '
      'bench-load.tsv).')
    w('- QEMU 7.2 TCG emulates no x86 SHA extensions even with `-cpu max`, so the x86_64 purgatory\'s '
      'SHA-NI path (`--check=sha256`) runs only on real hardware (arm64\'s SHA-256 instructions it '
      'does emulate); the unit tests run the same code (the '
      'library\'s copy and the purgatory blob\'s) on this CPU against the portable code, '
      'the FIPS vectors and a digest computed by Python\'s hashlib. tests/unit/test-xxh3.c '
      'checks the purgatories\' XXH3 loops against libxxhash for every length class and '
      'alignment (the NEON one under qemu-user).')
    w('')
    with open(os.path.join(docs, 'bench.md'), 'w') as f:
        f.write('\n'.join(md) + '\n')

    # ---- Plot --------------------------------------------------------------
    dat = os.path.join(out, 'plot-load.dat')
    with open(dat, 'w') as f:
        f.write('# initrd_mib ours_c kt_c ours_s kt_s cat copy (wall median, s)\n')
        for s in sizes:
            vals = [get('ours', '-c', s, 'wall_median_s'), get('kt', '-c', s, 'wall_median_s'),
                    get('ours', '-s', s, 'wall_median_s'), get('kt', '-s', s, 'wall_median_s'),
                    get('cat', '-', s, 'wall_median_s'), get('copy', '-', s, 'wall_median_s')]
            f.write(f'{s} ' + ' '.join('NaN' if v is None else f'{v:.6f}' for v in vals) + '\n')
    hdat = os.path.join(out, 'plot-handover.dat')
    with open(hdat, 'w') as f:
        f.write('# label gticks\n')
        for c, label in (('kt', 'kexec-tools'), ('kt-i', 'kexec-tools -i'), ('base', 'ours before'),
                         ('ours-sha256', 'ours sha256'), ('ours', 'ours'), ('ours-i', 'ours -i')):
            if c in med:
                f.write(f'"{label}" {med[c] / 1e9:.4f}\n')
        if fl:
            f.write(f'"floor (kernel boot)" {fl / 1e9:.4f}\n')
    adat = os.path.join(out, 'plot-handover-arm64.dat')
    with open(adat, 'w') as f:
        f.write('# label mticks\n')
        for c, label in (('kt', 'kexec-tools'), ('kt-i', 'kexec-tools -i'),
                         ('ours-sha256', 'ours sha256'), ('ours', 'ours'), ('ours-i', 'ours -i')):
            if (c, ARM64_CPU) in amed:
                f.write(f'"{label}" {amed[(c, ARM64_CPU)] / 1e6:.3f}\n')
        if afloor.get(('ours-i', ARM64_CPU)):
            f.write(f'"floor (kernel boot)" {statistics.median(afloor[("ours-i", ARM64_CPU)]) / 1e6:.3f}\n')
    rdat = os.path.join(out, 'plot-handover-riscv64.dat')
    with open(rdat, 'w') as f:
        f.write('# label mticks\n')
        for cpu in cpus_r:
            tag = 'Zknh' if zk_r.get(cpu, '').endswith('yes') else cpu
            for c, label in (('ours-sha256', 'ours sha256'), ('ours', 'ours'), ('ours-i', 'ours -i')):
                if (c, cpu) in rmed:
                    f.write(f'"{label} ({tag})" {rmed[(c, cpu)] / 1e6:.3f}\n')
        fr = [x for c in cpus_r for x in rfloor.get(('ours-i', c), [])]
        if fr:
            f.write(f'"floor (kernel boot)" {statistics.median(fr) / 1e6:.3f}\n')
    rv_plot = ''
    if rmed:
        rv_plot = f'''
set title "riscv64: handover kexec -e to /init in QEMU (rv64, rv64+Zknh, icount)" noenhanced
set yrange [0:{max(rmed.values()) / 1e6 * 1.1:.3f}]
set ylabel "10^6 guest time ticks (rdtime, {hz_r / 1e6 if hz_r else 0:g} MHz)"
plot "{rdat}" using 0:2:xtic(1) with boxes, "" using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.7
'''
    arm_plot = ''
    if any(c[1] == ARM64_CPU for c in amed):
        arm_plot = f'''
set title "arm64: handover kexec -e to /init in QEMU ({ARM64_CPU}, icount)" noenhanced
set ylabel "10^6 guest counter ticks (CNTVCT, 62.5 MHz)"
plot "{adat}" using 0:2:xtic(1) with boxes, "" using 0:2:(sprintf("%.1f", $2)) with labels offset 0,0.7
'''
    panels = 2 + bool(arm_plot) + bool(rv_plot)
    gp = f'''
set terminal pngcairo size {600 * panels},480 font "DejaVu Sans,10"
set output "{os.path.join(docs, 'bench.png')}"
set multiplot layout 1,{panels}
set title "Load cost on the host (wall, median)"
set xlabel "initrd size (MiB)"
set ylabel "seconds"
set logscale y
set key top left
set grid
set xtics ({', '.join(f'"{s}" {i}' for i, s in enumerate(sizes))})
plot "{dat}" using 0:3 with linespoints lw 2 title "kexec-tools -c", \\
     "" using 0:2 with linespoints lw 2 title "ours -c", \\
     "" using 0:5 with linespoints lw 2 title "kexec-tools -s", \\
     "" using 0:4 with linespoints lw 2 title "ours -s", \\
     "" using 0:7 with linespoints dt 2 title "floor: copy", \\
     "" using 0:6 with linespoints dt 3 title "floor: cat"
unset logscale y
unset xtics
set xtics rotate by -20
set title "x86_64: handover kexec -e to /init in QEMU (qemu64, icount)" noenhanced
set xlabel ""
set ylabel "10^9 guest TSC ticks"
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
unset key
plot "{hdat}" using 0:2:xtic(1) with boxes, "" using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.7
{arm_plot}
{rv_plot}
unset multiplot
'''
    subprocess.run(['gnuplot'], input=gp, text=True, check=True)


if __name__ == '__main__':
    main()
