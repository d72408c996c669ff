#!/usr/bin/env python3
"""make-zboot.py IMAGE OUT gzip|zstd: an EFI zboot image around IMAGE.

The layout of Linux's drivers/firmware/efi/libstub/zboot-header.S: "MZ\\0\\0",
"zimg", the payload's offset and size (u32 LE), two reserved words, the
compression's name as the kernel's Makefile.zboot writes it ("gzip",
"zstd22"), the PE signature offset at 0x3c; then the payload, compressed
with the command-line tool. The EFI decompressor stub itself is not there:
kexec never runs it (it unpacks the payload), so a header that says what a
real zboot image says is what the test needs.
"""
import struct
import subprocess
import sys

image, out, comp = sys.argv[1], sys.argv[2], sys.argv[3]
tools = {"gzip": (["gzip", "-9", "-n", "-c"], b"gzip"), "zstd": (["zstd", "-19", "-q", "-c"], b"zstd22")}
cmd, name = tools[comp]
with open(image, "rb") as f:
    payload = subprocess.run(cmd, stdin=f, stdout=subprocess.PIPE, check=True).stdout
off = 0x1000
hdr = bytearray(off)
hdr[0:4] = b"MZ\0\0"
hdr[4:8] = b"zimg"
struct.pack_into("<II", hdr, 8, off, len(payload))
hdr[24:24 + len(name) + 1] = name + b"\0"
struct.pack_into("<I", hdr, 0x3c, 0x40)
hdr[0x40:0x44] = b"PE\0\0"
with open(out, "wb") as f:
    f.write(hdr)
    f.write(payload)
