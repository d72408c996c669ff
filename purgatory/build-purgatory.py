#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Build one purgatory: compile freestanding, link into one ET_REL object, check it.

  build-purgatory.py --output O --depfile D --machine x86_64|aarch64|riscv64|arm|i386|mips64|s390x|ppc64
                     --cc CC... --cflags FLAGS... [--optional-cflags FLAGS...]
                     --sources SRC...
                     [--vector-cflags FLAGS... --vector-drop FLAGS...
                      --vector-sources SRC...] [--ldscript FILE]

--optional-cflags are added to --cflags where the compiler accepts them (it
may not be the one Meson checked flags with: arm64 on an x86_64 host).

The vector sources are compiled with the vector flags after the others (e.g.
-msse -msse2 after -mno-sse -mno-sse2), less the --vector-drop flags (those
that have no negative form, e.g. aarch64's -mgeneral-regs-only): code that
only runs once the purgatory has enabled the vector unit. --ldscript is
given to the `ld -r` that joins the objects (arm64: one section for all
that is loaded, one for .bss, with symbols at the image's ends).

The checks make the build fail rather than the loader at run time: the object
must be ET_REL for the expected machine, have no undefined symbols (`ld -r`
does not complain about them: nothing would resolve them inside a purgatory),
no common symbols, and only the relocation types lib/purgatory.c applies
(riscv64: each PCREL_LO12 with the PCREL_HI20 it completes).
"""
import os
import struct
import subprocess
import sys

MACHINES = {
    # name: (e_machine, {relocation type: name} that lib/purgatory.c applies)
    'x86_64': (62, {0: 'R_X86_64_NONE', 1: 'R_X86_64_64', 2: 'R_X86_64_PC32',
                    4: 'R_X86_64_PLT32', 10: 'R_X86_64_32', 11: 'R_X86_64_32S',
                    24: 'R_X86_64_PC64'}),
    # lib/arch/arm64/reloc.c applies these; the purgatory (-mcmodel=small,
    # -fno-pic) emits a subset.
    'aarch64': (183, {0: 'R_AARCH64_NONE', 257: 'R_AARCH64_ABS64',
                      258: 'R_AARCH64_ABS32', 260: 'R_AARCH64_PREL64',
                      261: 'R_AARCH64_PREL32', 273: 'R_AARCH64_LD_PREL_LO19',
                      274: 'R_AARCH64_ADR_PREL_LO21', 275: 'R_AARCH64_ADR_PREL_PG_HI21',
                      276: 'R_AARCH64_ADR_PREL_PG_HI21_NC',
                      277: 'R_AARCH64_ADD_ABS_LO12_NC', 278: 'R_AARCH64_LDST8_ABS_LO12_NC',
                      279: 'R_AARCH64_TSTBR14', 280: 'R_AARCH64_CONDBR19',
                      282: 'R_AARCH64_JUMP26', 283: 'R_AARCH64_CALL26',
                      284: 'R_AARCH64_LDST16_ABS_LO12_NC',
                      285: 'R_AARCH64_LDST32_ABS_LO12_NC',
                      286: 'R_AARCH64_LDST64_ABS_LO12_NC',
                      299: 'R_AARCH64_LDST128_ABS_LO12_NC'}),
    # lib/arch/riscv64/reloc.c applies these; the purgatory (-mcmodel=medany
    # -mno-relax -fno-pic) emits a subset. No RELAX, ALIGN, absolute HI20/LO12
    # (-mcmodel=medlow) or ADD/SUB pairs in loaded sections.
    'riscv64': (243, {0: 'R_RISCV_NONE', 1: 'R_RISCV_32', 2: 'R_RISCV_64',
                      16: 'R_RISCV_BRANCH', 17: 'R_RISCV_JAL', 18: 'R_RISCV_CALL',
                      19: 'R_RISCV_CALL_PLT', 23: 'R_RISCV_PCREL_HI20',
                      24: 'R_RISCV_PCREL_LO12_I', 25: 'R_RISCV_PCREL_LO12_S',
                      44: 'R_RISCV_RVC_BRANCH', 45: 'R_RISCV_RVC_JUMP',
                      57: 'R_RISCV_32_PCREL'}),
    # lib/arch/arm/reloc.c applies these (SHT_REL, ELFCLASS32); the
    # purgatory (-marm -mword-relocations -fno-pic) emits a subset.
    'arm': (40, {0: 'R_ARM_NONE', 2: 'R_ARM_ABS32', 3: 'R_ARM_REL32',
                 28: 'R_ARM_CALL', 29: 'R_ARM_JUMP24', 40: 'R_ARM_V4BX'}),
    # lib/arch/i386/reloc.c applies these (SHT_REL, ELFCLASS32); the
    # purgatory (-m32 -fno-pic) emits absolute words and PC-relative calls.
    'i386': (3, {0: 'R_386_NONE', 1: 'R_386_32', 2: 'R_386_PC32', 4: 'R_386_PLT32'}),
    # lib/arch/mips/reloc.c applies these (n64 RELA: r_info is r_sym in its
    # low word and three types in its top bytes, the second and third
    # R_MIPS_NONE); the purgatory (-msym32 -mno-abicalls -fno-pic -G0
    # -mlong-calls) has lui/addiu pairs and data words.
    'mips64': (8, {0: 'R_MIPS_NONE', 2: 'R_MIPS_32', 5: 'R_MIPS_HI16', 6: 'R_MIPS_LO16',
                   18: 'R_MIPS_64'}),
    # lib/arch/s390/reloc.c applies these (big-endian RELA); the purgatory
    # (-fno-pic: larl/brasl, PC-relative halfword counts) emits a subset.
    's390x': (22, {0: 'R_390_NONE', 4: 'R_390_32', 5: 'R_390_PC32', 16: 'R_390_PC16DBL',
                   17: 'R_390_PLT16DBL', 19: 'R_390_PC32DBL', 20: 'R_390_PLT32DBL', 22: 'R_390_64',
                   23: 'R_390_PC64'}),
    # lib/arch/ppc64/reloc.c applies these (little-endian RELA); the
    # purgatory (-mcmodel=medium -msingle-pic-base) has calls (REL24), data
    # through r2 (TOC16_HA, TOC16_LO, TOC16_LO_DS, measured from
    # purgatory_start + 0x8000) and data words.
    'ppc64': (21, {0: 'R_PPC64_NONE', 1: 'R_PPC64_ADDR32', 10: 'R_PPC64_REL24',
                   26: 'R_PPC64_REL32', 38: 'R_PPC64_ADDR64', 44: 'R_PPC64_REL64',
                   48: 'R_PPC64_TOC16_LO', 50: 'R_PPC64_TOC16_HA', 64: 'R_PPC64_TOC16_LO_DS'}),
}
# Machines whose objects are big-endian.
BIG_ENDIAN = {'s390x'}
# Machines whose objects are ELFCLASS32 with SHT_REL relocations (the addend
# in the field; lib/purgatory.c reads it through the machine's rel_addend).
ELF32_REL = {'arm', 'i386'}
# riscv64's PCREL_LO12_I/S: their symbol marks the auipc that carries the
# PCREL_HI20 whose value they complete (lib/purgatory.c pairs them).
RISCV_PCREL_HI20, RISCV_PCREL_LO12 = 23, (24, 25)

SHT_SYMTAB, SHT_RELA, SHT_REL = 2, 4, 9
SHF_ALLOC = 2
SHN_UNDEF, SHN_COMMON = 0, 0xfff2


def parse_args(argv):
    single = ('--output', '--depfile', '--machine', '--ldscript')
    groups = ('--cc', '--cflags', '--optional-cflags', '--sources', '--vector-cflags',
              '--vector-drop', '--vector-sources')
    opts = {g: [] for g in groups}
    cur = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in single:
            opts[a] = argv[i + 1]
            i += 2
            continue
        if a in groups:
            cur = a
        elif cur is None:
            sys.exit(f'build-purgatory: unexpected argument {a!r}')
        else:
            opts[cur].append(a)
        i += 1
    for key in ('--output', '--depfile', '--machine', '--cc', '--sources'):
        if not opts.get(key):
            sys.exit(f'build-purgatory: {key} is required')
    return opts


def read_deps(path):
    """The prerequisites of a gcc -MD depfile (one target, escaped spaces aside)."""
    with open(path) as f:
        text = f.read().replace('\\\n', ' ')
    _, _, deps = text.partition(': ')
    return deps.split()


def check_object(path, machine):
    e_machine, relocs = MACHINES[machine]
    with open(path, 'rb') as f:
        elf = f.read()
    errors = []
    e32 = machine in ELF32_REL
    be = machine in BIG_ENDIAN
    o = '>' if be else '<'
    if elf[:4] != b'\x7fELF' or elf[4] != (1 if e32 else 2) or elf[5] != (2 if be else 1):
        return [f'not a {"big" if be else "little"}-endian ELF{32 if e32 else 64} file']
    if e32:
        (e_type, e_mach, _, _, _, e_shoff, _, _, _, _, e_shentsize, e_shnum,
         _) = struct.unpack_from(o + 'HHIIIIIHHHHHH', elf, 16)
        shfmt, symsize, relfmt = o + 'IIIIIIIIII', 16, o + 'II'
    else:
        (e_type, e_mach, _, _, _, e_shoff, _, _, _, _, e_shentsize, e_shnum,
         _) = struct.unpack_from(o + 'HHIQQQIHHHHHH', elf, 16)
        shfmt, symsize, relfmt = o + 'IIQQQQIIQQ', 24, o + 'QQq'
    if e_type != 1:
        errors.append(f'e_type is {e_type}, not ET_REL')
    if e_mach != e_machine:
        errors.append(f'e_machine is {e_mach}, not {e_machine}')
    shdrs = [struct.unpack_from(shfmt, elf, e_shoff + i * e_shentsize)
             for i in range(e_shnum)]
    for sh in shdrs:
        sh_type, sh_offset, sh_size, sh_link = sh[1], sh[4], sh[5], sh[6]
        if sh_type == SHT_SYMTAB:
            strtab = shdrs[sh_link]
            for off in range(sh_offset + symsize, sh_offset + sh_size, symsize):
                if e32:
                    st_name, _, _, _, _, st_shndx = struct.unpack_from(o + 'IIIBBH', elf, off)
                else:
                    st_name, _, _, st_shndx = struct.unpack_from(o + 'IBBH', elf, off)
                start = strtab[4] + st_name
                name = elf[start:elf.index(b'\0', start)].decode()
                if st_shndx == SHN_UNDEF:
                    errors.append(f'undefined symbol {name!r}')
                elif st_shndx == SHN_COMMON:
                    errors.append(f'common symbol {name!r} (build with -fno-common)')
        elif sh_type == SHT_REL and shdrs[sh[7]][2] & SHF_ALLOC and not e32:
            errors.append('SHT_REL section (only SHT_RELA is applied)')
        elif sh_type == SHT_RELA and shdrs[sh[7]][2] & SHF_ALLOC and e32:
            errors.append('SHT_RELA section (this machine\'s are SHT_REL)')
        elif sh_type in (SHT_REL, SHT_RELA) and shdrs[sh[7]][2] & SHF_ALLOC:
            size = struct.calcsize(relfmt)
            rels = [struct.unpack_from(relfmt, elf, off) + (0,)
                    for off in range(sh_offset, sh_offset + sh_size, size)]
            typemask = 0xff if e32 else 0xffffffff
            for _, r_info, *_ in rels:
                rtype = r_info & typemask
                if machine == 'mips64':
                    # n64: type, type2, type3 in the top three bytes, r_ssym below.
                    rtype = r_info >> 56 if (r_info >> 32) & 0xffffff == 0 else -1
                if rtype not in relocs:
                    errors.append(f'relocation type {rtype} is not applied '
                                  'by lib/purgatory.c (mips64: -1 for a composed one)')
            rels = [r[:3] for r in rels]
            if machine == 'riscv64':
                errors += check_riscv_pairs(elf, shdrs, sh, rels)
    return sorted(set(errors))


def check_riscv_pairs(elf, shdrs, rela, rels):
    """Every PCREL_LO12 of this section finds its PCREL_HI20 as lib/purgatory.c
    looks for it: the LO12's symbol (+ addend) in the same section, a PCREL_HI20
    at that offset, the relocations sorted by offset (it searches by bisection)."""
    errors = []
    symtab = shdrs[rela[6]]
    target = rela[7]
    offsets = [r_offset for r_offset, _, _ in rels]
    if offsets != sorted(offsets):
        errors.append('relocations not sorted by offset (lib/purgatory.c bisects them '
                      'to pair PCREL_LO12 with PCREL_HI20)')
    hi = {r_offset for r_offset, r_info, _ in rels
          if r_info & 0xffffffff == RISCV_PCREL_HI20}
    for r_offset, r_info, r_addend in rels:
        if r_info & 0xffffffff not in RISCV_PCREL_LO12:
            continue
        _, _, _, st_shndx, st_value, _ = struct.unpack_from(
            '<IBBHQQ', elf, symtab[4] + (r_info >> 32) * 24)
        if st_shndx != target or st_value + r_addend not in hi:
            errors.append(f'PCREL_LO12 at 0x{r_offset:x} has no PCREL_HI20 at its symbol '
                          'in its section')
    return errors


def supported(cc, flag, workdir):
    """Whether cc compiles an empty C file with flag, without a warning about it."""
    src = os.path.join(workdir, 'empty.c')
    with open(src, 'w') as f:
        f.write('int kx_empty;\n')
    r = subprocess.run(cc + ['-Werror', flag, '-c', src, '-o', os.devnull],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def main():
    opts = parse_args(sys.argv[1:])
    out, machine = opts['--output'], opts['--machine']
    if machine not in MACHINES:
        sys.exit(f'build-purgatory: unknown machine {machine!r}')
    workdir = out + '.p'
    os.makedirs(workdir, exist_ok=True)
    opts['--cflags'] = opts['--cflags'] + [f for f in opts['--optional-cflags']
                                           if supported(opts['--cc'], f, workdir)]
    objs, deps = [], []
    vector_cflags = [f for f in opts['--cflags'] if f not in opts['--vector-drop']]
    vector_cflags += opts['--vector-cflags']
    sources = [(src, opts['--cflags']) for src in opts['--sources']]
    sources += [(src, vector_cflags) for src in opts['--vector-sources']]
    for src, cflags in sources:
        base = os.path.join(workdir, os.path.basename(src))
        obj, dep = base + '.o', base + '.d'
        subprocess.run(opts['--cc'] + cflags +
                       ['-MD', '-MF', dep, '-c', src, '-o', obj], check=True)
        objs.append(obj)
        deps += read_deps(dep)
    tmp = out + '.tmp'
    ldscript = []
    if opts.get('--ldscript'):
        ldscript = ['-Wl,-T,' + opts['--ldscript']]
        deps.append(opts['--ldscript'])
    subprocess.run(opts['--cc'] + opts['--cflags'] + ['-nostdlib', '-r', '-o', tmp] + ldscript +
                   objs, check=True)
    errors = check_object(tmp, machine)
    if errors:
        os.unlink(tmp)
        for e in errors:
            print(f'build-purgatory: {out}: {e}', file=sys.stderr)
        sys.exit(1)
    os.replace(tmp, out)
    if opts.get('--depfile'):
        with open(opts['--depfile'], 'w') as f:
            f.write(out + ': ' + ' \\\n  '.join(dict.fromkeys(deps)) + '\n')


if __name__ == '__main__':
    main()
