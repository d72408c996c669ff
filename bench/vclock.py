#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The host's clock for a guest whose own clock does not survive kexec.

    vclock.py QMP_SOCKET CONSOLE_LOG OUT

Follows CONSOLE_LOG (the guest's console, as QEMU writes it) and, each time a
line starting with BENCH-TSC-EXEC or BENCH-TSC-INIT appears, asks QEMU over
QMP for the number of guest instructions executed so far (query-replay's
icount, which QEMU keeps under -icount even when nothing is recorded) and
appends "VCLOCK-EXEC <n>" or "VCLOCK-INIT <n>" to OUT. Ends when QEMU closes
the socket.

bench/tsc.c makes the reading exact on s390x: after each marker it waits for
the console to take the line (tcdrain) and then sleeps a second, so the
guest is idle, and its instruction count still, while we ask. (The TOD clock
cannot measure the handover there: it does not run on across the reset the
old kernel asks for; README "s390x".)
"""
import json
import os
import select
import socket
import sys
import time


def connect(path, deadline):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main():
    sock_path, log_path, out_path = sys.argv[1:4]
    s = connect(sock_path, time.monotonic() + 60)
    f = s.makefile('rw')
    f.readline()  # the greeting

    def ask(cmd):
        f.write(json.dumps({'execute': cmd}) + '\n')
        f.flush()
        while True:
            line = f.readline()
            if not line:
                raise EOFError
            r = json.loads(line)
            if 'return' in r or 'error' in r:
                return r

    ask('qmp_capabilities')
    while not os.path.exists(log_path):
        time.sleep(0.01)
    seen, buf = set(), ''
    with open(log_path, 'rb') as log, open(out_path, 'a') as out:
        while True:
            chunk = log.read()
            if not chunk:
                # Nothing new: wait a little, and end if QEMU closed the
                # socket (an event line, also readable, is skipped).
                if select.select([s], [], [], 0.002)[0] and not f.readline():
                    return
                continue
            buf += chunk.decode('latin-1')
            *lines, buf = buf.split('\n')
            for line in lines:
                line = line.strip('\r\x00 ')
                for mark in ('EXEC', 'INIT'):
                    if line.startswith(f'BENCH-TSC-{mark} ') and mark not in seen:
                        r = ask('query-replay')
                        n = r.get('return', {}).get('icount')
                        if n is None:
                            return
                        seen.add(mark)
                        out.write(f'VCLOCK-{mark} {n}\n')
                        out.flush()


if __name__ == '__main__':
    try:
        main()
    except (OSError, EOFError, ValueError, KeyboardInterrupt):
        pass
