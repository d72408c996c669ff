#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the seed corpora in fuzz/corpus/<target>/ (committed; run again after
changing a format or adding a target).

  fuzz/make-seeds.py BUILD_DIR     (a gcc build dir: purgatory/x86_64/purgatory-x86_64.o)

Kernels come from tests/bad-inputs/gen-bad-inputs.c, /proc and /sys files from
tests/fixtures/, in the record format of fuzz/fuzz-common.h where a target
reads several files from one input.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(TOP, 'tests', 'fixtures')
CORPUS = os.path.join(TOP, 'fuzz', 'corpus')


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def read(*path):
    with open(os.path.join(*path), 'rb') as f:
        return f.read()


def record(selector, data):
    if isinstance(data, str):
        data = data.encode()
    return struct.pack('<BH', selector, len(data)) + data


# fuzz-bootparams.c's selectors: fixed files, runtime-map/N/field, memmap/N/field, layout.
BP_FIXED = ['sys/kernel/boot_params/data', 'sys/firmware/efi/fw_vendor',
            'sys/firmware/efi/runtime', 'sys/firmware/efi/config_table',
            'sys/firmware/efi/systab', 'proc/iomem']
BP_EFI_FIELDS = ['type', 'phys_addr', 'virt_addr', 'num_pages', 'attribute']
BP_RUNTIME_N, BP_MEMMAP_N = 8, 16
BP_LAYOUT = len(BP_FIXED) + BP_RUNTIME_N * 5 + BP_MEMMAP_N * 3


def bootparams_seed(root):
    out = b''
    for i, rel in enumerate(BP_FIXED):
        p = os.path.join(root, rel)
        if os.path.isfile(p):
            out += record(i, read(p))
    rm = os.path.join(root, 'sys/firmware/efi/runtime-map')
    if os.path.isdir(rm):
        for n in sorted(os.listdir(rm), key=int)[:BP_RUNTIME_N]:
            for k, field in enumerate(BP_EFI_FIELDS):
                out += record(len(BP_FIXED) + int(n) * 5 + k, read(rm, n, field))
    mm = os.path.join(root, 'sys/firmware/memmap')
    if os.path.isdir(mm):
        for n in sorted((d for d in os.listdir(mm) if d.isdigit()), key=int)[:BP_MEMMAP_N]:
            for k, field in enumerate(['start', 'end', 'type']):
                out += record(len(BP_FIXED) + BP_RUNTIME_N * 5 + int(n) * 3 + k,
                              read(mm, n, field))
    # Layout: rng seed, kernel 16 MiB, initrd 256 KiB at 512 MiB, params at 1 MiB, "console=ttyS0".
    layout = struct.pack('<BQQQQH', 8 | 16, 0x1000000, 0x20000000, 0x40000, 0x100000, 13)
    layout += bytes((ord(c) - ord('a')) % 26 for c in 'consolettyso')
    return out + record(BP_LAYOUT, layout)


def memmap_seed(root):
    mm = os.path.join(root, 'sys/firmware/memmap')
    out = b''
    for n in sorted(os.listdir(mm)):
        fields = [n.encode()]
        for field in ['start', 'end', 'type']:
            p = os.path.join(mm, n, field)
            fields.append(read(p) if os.path.isfile(p) else b'\x01')
        out += b'\0'.join(fields) + b'\0'
    return out


def pe_file(sections, pe_off=0x80):
    """A PE32+ with the given (name, data) sections, as the unwrap seeds need:
    MZ, e_lfanew, the COFF and optional headers, file-aligned raw data."""
    raw = 0x400
    out = bytearray(raw)
    out[0:2] = b'MZ'
    struct.pack_into('<I', out, 0x3c, pe_off)
    out[pe_off:pe_off + 4] = b'PE\0\0'
    struct.pack_into('<HHIIIHH', out, pe_off + 4, 0x8664, len(sections), 0, 0, 0, 240, 0x22)
    struct.pack_into('<H', out, pe_off + 24, 0x20b)
    sec = pe_off + 24 + 240
    for i, (name, data) in enumerate(sections):
        size = (len(data) + 0x1ff) & ~0x1ff
        struct.pack_into('<8sIIII', out, sec + 40 * i, name, len(data), 0x10000 * (i + 1),
                         size, len(out))
        out += data + b'\0' * (size - len(data))
    return bytes(out)


def unwrap_seeds():
    """fuzz-unwrap.c: each envelope around a small arm64 Image, a zboot image,
    UKIs (plain .linux, and .linux = zboot(zstd))."""
    import gzip
    import lzma

    img = bytearray(b'MZ\x40\xfa' + bytes(4) + struct.pack('<QQQ', 0, 0x10000, 0xa)
                    + bytes(24) + b'ARM\x64' + struct.pack('<I', 0))
    img += b''.join(b'mov x0, x%d\n' % (i % 31) for i in range(200))
    img = bytes(img)

    def tool(cmd, data):
        try:
            return subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            print(f'unwrap: {cmd[0]} failed ({e}): seed left out', file=sys.stderr)
            return None

    packed = {
        'gzip': gzip.compress(img, mtime=0),
        'xz': lzma.compress(img, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32),
        'lzma': lzma.compress(img, format=lzma.FORMAT_ALONE),
        'zstd': tool(['zstd', '-q', '-19', '-c'], img),
        'lz4-legacy': tool(['lz4', '-q', '-l', '-9', '-c'], img),
        'lz4-frame': tool(['lz4', '-q', '-9', '--content-size', '-c'], img),
    }
    for name, data in packed.items():
        if data:
            put('unwrap', name, data)
    # Kernel-style: the unpacked size appended (Makefile.lib's size_append).
    if packed['lz4-legacy']:
        put('unwrap', 'lz4-legacy-with-size', packed['lz4-legacy'] + struct.pack('<I', len(img)))

    def zboot(comp, payload):
        hdr = bytearray(0x200)
        hdr[0:8] = b'MZ\0\0zimg'
        struct.pack_into('<II', hdr, 8, len(hdr), len(payload))
        hdr[24:24 + len(comp)] = comp
        struct.pack_into('<II', hdr, 0x38, 0x818223cd, 0x40)
        hdr[0x40:0x44] = b'PE\0\0'
        return bytes(hdr) + payload + struct.pack('<I', len(img))

    put('unwrap', 'zboot-gzip', zboot(b'gzip', packed['gzip']))
    if packed['zstd']:
        put('unwrap', 'zboot-zstd22', zboot(b'zstd22', packed['zstd']))
    put('unwrap', 'zboot-bzip2', zboot(b'bzip2', packed['gzip']))
    put('unwrap', 'uki', pe_file([(b'.text', bytes(64)), (b'.osrel', b'ID=debian\n'),
                                  (b'.cmdline', b'root=/dev/vda1 quiet\n\0'),
                                  (b'.linux', img), (b'.initrd', b'070701' + bytes(58)),
                                  (b'.dtb', bytes.fromhex('d00dfeed') + bytes(36))]))
    if packed['zstd']:
        put('unwrap', 'uki-zboot-zstd', pe_file([(b'.linux', zboot(b'zstd', packed['zstd'])),
                                                 (b'.cmdline', b'quiet')]))
    put('unwrap', 'uki-profiles', pe_file([(b'.linux', img), (b'.cmdline', b'base'),
                                           (b'.profile', b'ID=a'), (b'.cmdline', b'a'),
                                           (b'.profile', b'ID=b'), (b'.initrd', b'b')]))
    put('unwrap', 'efi-stub-image', pe_file([(b'.text', img)], pe_off=0x40))
    put('unwrap', 'gzip-of-gzip', gzip.compress(packed['gzip'], mtime=0))
    put('unwrap', 'gzip-uki', gzip.compress(pe_file([(b'.linux', img)]), mtime=0))
    # Found by the fuzzer: an lz4 -l block that unpacks to nothing, first (UBSan: NULL + 0).
    put('unwrap', 'lz4-legacy-empty-block',
        bytes.fromhex('02214c18010000000000000376751' '84c1f000000'))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)

    with tempfile.TemporaryDirectory() as tmp:
        gen = os.path.join(tmp, 'gen')
        subprocess.run([os.environ.get('CC', 'cc'), '-O1', '-o', gen,
                        os.path.join(TOP, 'tests/bad-inputs/gen-bad-inputs.c')], check=True)
        out = os.path.join(tmp, 'out')
        os.mkdir(out)
        subprocess.run([gen, out], check=True)
        for name in ['good.bzImage', 'bz-bad-magic', 'bz-protocol-2.00', 'bz-setup-sects-255',
                     'bz-payload-past-end', 'bz-cmdline-size-0', 'trunc-0268-kernel_info_offset',
                     'trunc-0a80-payload_start']:
            put('bzimage', name, read(out, name))
        for name in ['good.bzImage', 'good.elf', 'bz-below-4g-only', 'bz-fixed-outside-ram',
                     'bz-init-size-4g', 'elf-overlap', 'elf-too-many-loads', 'elf-not-in-ram',
                     'elf-entry-outside', 'elf-filesz-gt-memsz']:
            put('load-plan', name, read(out, name))

    put('purgatory', 'purgatory-x86_64.o', read(build, 'purgatory', 'x86_64', 'purgatory-x86_64.o'))

    for fixture in ['x86-bios', 'x86-efi', 'qemu-x86_64', 'qemu-aarch64', 'crash-high-low',
                    'hidden']:
        put('iomem', fixture, read(FIX, fixture, 'proc', 'iomem'))
    put('iomem', 'tricky', '00000000-00000fff : \n  00001000-0000ffff :  : name : with colons\n'
        '\t\n00010000-ffffffffffffffff : System RAM\n  0000-0 : Crash kernel')

    for fixture in ['memmap-unordered', 'x86-efi', 'x86-bios']:
        put('memmap', fixture, memmap_seed(os.path.join(FIX, fixture)))

    for fixture in ['x86-bios', 'x86-efi', 'x86-iomem-only']:
        put('bootparams', fixture, bootparams_seed(os.path.join(FIX, fixture)))

    # fuzz-crash.c's selectors: possible, vmcoreinfo, iomem, kcore, cpuN/{crash_notes,_size}, options.
    for fixture in ['crash-x86_64', 'crash-x86_64-la57', 'crash-high-low', 'qemu-x86_64']:
        root = os.path.join(FIX, fixture)
        if not os.path.isdir(root):
            continue
        out = b''
        for i, rel in enumerate(['sys/devices/system/cpu/possible', 'sys/kernel/vmcoreinfo',
                                 'proc/iomem', 'proc/kcore']):
            if os.path.isfile(os.path.join(root, rel)):
                out += record(i, read(root, rel))
        for cpu in range(8):
            for k, name in enumerate(['crash_notes', 'crash_notes_size']):
                p = os.path.join(root, f'sys/devices/system/cpu/cpu{cpu}/{name}')
                if os.path.isfile(p):
                    out += record(4 + cpu * 2 + k, read(p))
        put('crash', fixture, out + record(4 + 8 * 2, b'\0'))
        put('crash', fixture + '-elf32', out + record(4 + 8 * 2, b'\1'))

    options = {
        'systemd': ['--load', '/boot/vmlinuz', '--append', 'root=/dev/sda1 ro quiet',
                    '--initrd', '/boot/initrd.img'],
        'exec': ['-e'],
        'kdump-tools': ['-p', '--args-linux', '--command-line=root=/dev/vda1 irqpoll nr_cpus=1',
                        '--initrd=/var/lib/kdump/initrd.img', '/var/lib/kdump/vmlinuz'],
        'unload': ['-s', '-p', '-u'],
        'dry-run': ['--dry-run', '-c', '-l', '/k', '--mem-min=0x1000000', '--mem-max',
                    '4294967295', '-i', '-d', '--reuse-cmdline', '-t', 'bzImage'],
        'status': ['-l', '-S'],
        'errors': ['-lQ', '--help=yes', '--initrd'],
        'bundle': ['-sux', '-fy', '--no-sync', '--kexec-syscall-auto', '--ramdisk=/i', 'a', 'b'],
    }
    for name, argv in options.items():
        put('options', name, '\0'.join(argv))

    put('cmdline', 'boot-image', 'BOOT_IMAGE\0BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 '
        'crashkernel=256M dyndbg="file foo.c +p" quiet\n')
    put('cmdline', 'crashkernel', 'crashkernel\0crashkernel=1G-4G:256M,4G-:512M crashkernel '
        'crashkernel_x=1 "crashkernel=2" \tcrashkernel=3\n')
    put('cmdline', 'quotes', 'a\0a=1 a "a=b c" ab a\t"unterminated a')
    put('cmdline', 'empty-name', '\0=x = =')

    # fuzz-validate.c: machine byte, [totalram], [crash start, size], entry, flags byte, nr, segments.
    def addr(v):  # how 0: a raw u64
        return struct.pack('<BQ', 0, v)

    def seg(mem, memsz, bufsz):
        return addr(mem) + addr(memsz) + struct.pack('<IB', bufsz, 1)

    native = b'\x00'  # arch selector 0: native
    plain = struct.pack('<B', 0) + addr(0x102000) + native + struct.pack('<B', 4)
    plain += seg(0x1000000, 0x3000000, 0x100000) + seg(0x100000, 0x2000, 0x1050)
    plain += seg(0x102000, 0x5000, 0x850) + seg(0x3ffff000, 0x1000, 0x10)
    put('validate', 'bzimage-plan', plain)
    crash = struct.pack('<BI', 8 | 16, 262144) + addr(0x2f000000) + addr(0x10000000)
    crash += addr(0x2f102000) + struct.pack('<BB', 1, 3)
    crash += seg(0x2f000000, 0x100000, 0x1000) + seg(0x2f100000, 0x2000, 0x1000)
    crash += seg(0x2f102000, 0x5000, 0x850)
    put('validate', 'crash-plan', crash)
    bad = struct.pack('<BI', 8, 262144) + addr(0) + struct.pack('<BB', 0, 3)
    bad += seg(0x1000, 0x2000, 0x10) + seg(0x2000, 0x2000, 0x10) + seg(0x10000, 0x1000, 0x2000)
    put('validate', 'overlap', bad)
    # Found by the fuzzer (trixie, 0.5 before release): flags with KEXEC_DEBUG
    # (0x10), which kexec_validate() refuses and the simulator took.
    put('validate', 'kexec-debug-flag', bytes.fromhex(
        '000000201000c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4c4'
        'c4c4c4c4c4c4c4c4c4c4c4c4c4c4c40000000000010000000000001604000000'
        '000100000000201000000000240000'))

    unwrap_seeds()

    for t in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, t))
        size = sum(os.path.getsize(os.path.join(CORPUS, t, f)) for f in files)
        print(f'{t}: {len(files)} seeds, {size} bytes')


if __name__ == '__main__':
    main()
